//! Grey-level building blocks shared by the fingerprint features: the near-white frame crop,
//! NFIQ 2's block-variance segmentation, block orientation from the gradient covariance, the
//! orientation-aligned block extraction and the ridge/valley split of a block's grey profile.
//! Everything here follows the published NFIQ 2 description (NISTIR 8382 and the reference
//! implementation's feature sources), rewritten for plain slices.

/// An 8-bit grey image borrowed or owned, row-major.
#[derive(Clone, Debug)]
pub(crate) struct Gray {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) pixels: Vec<u8>,
}

impl Gray {
    /// Mean and population standard deviation of all pixels.
    pub(crate) fn mean_std(&self) -> (f64, f64) {
        let n = self.pixels.len() as f64;
        let (mut s, mut s2) = (0.0f64, 0.0f64);
        for &p in &self.pixels {
            let v = f64::from(p);
            s += v;
            s2 += v * v;
        }
        let mean = s / n;
        (mean, (s2 / n - mean * mean).max(0.0).sqrt())
    }

    /// Copies the `w`×`h` window at (`x`, `y`) as f64.
    pub(crate) fn window(&self, x: usize, y: usize, w: usize, h: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(w * h);
        for row in y..y + h {
            out.extend(
                self.pixels[row * self.width + x..row * self.width + x + w]
                    .iter()
                    .map(|&p| f64::from(p)),
            );
        }
        out
    }
}

/// Rows and columns whose mean exceeds this are "near white" frame (NFIQ 2 uses 250).
const NEAR_WHITE: f64 = 250.0;

/// Removes the near-white frame around the print, as NFIQ 2 does before every feature.
/// `None` when every row or every column is near white (nothing on the glass).
pub(crate) fn crop_near_white_frame(pixels: &[u8], width: usize, height: usize) -> Option<Gray> {
    let row_mean = |y: usize| {
        pixels[y * width..(y + 1) * width]
            .iter()
            .map(|&p| u64::from(p))
            .sum::<u64>() as f64
            / width as f64
    };
    let col_mean = |x: usize| {
        (0..height)
            .map(|y| u64::from(pixels[y * width + x]))
            .sum::<u64>() as f64
            / height as f64
    };
    let top = (0..height).find(|&y| row_mean(y) <= NEAR_WHITE)?;
    let bottom = (top..height).rev().find(|&y| row_mean(y) <= NEAR_WHITE)?;
    let left = (0..width).find(|&x| col_mean(x) <= NEAR_WHITE)?;
    let right = (left..width).rev().find(|&x| col_mean(x) <= NEAR_WHITE)?;
    let (w, h) = (right - left + 1, bottom - top + 1);
    let mut out = Vec::with_capacity(w * h);
    for y in top..=bottom {
        out.extend_from_slice(&pixels[y * width + left..y * width + right + 1]);
    }
    Some(Gray {
        width: w,
        height: h,
        pixels: out,
    })
}

/// NFIQ 2's `ridgesegment`: the image is normalised to zero mean and unit deviation, then every
/// `block`×`block` tile (partial tiles at the edges included) whose deviation exceeds `threshold`
/// is foreground. Returns one flag per pixel.
pub(crate) fn ridge_segment(img: &Gray, block: usize, threshold: f64) -> Vec<bool> {
    let (_, global_std) = img.mean_std();
    let mut mask = vec![false; img.pixels.len()];
    if global_std <= 0.0 {
        return mask;
    }
    for ty in (0..img.height).step_by(block) {
        for tx in (0..img.width).step_by(block) {
            let (w, h) = (block.min(img.width - tx), block.min(img.height - ty));
            let (mut s, mut s2) = (0.0f64, 0.0f64);
            for y in ty..ty + h {
                for &p in &img.pixels[y * img.width + tx..y * img.width + tx + w] {
                    let v = f64::from(p);
                    s += v;
                    s2 += v * v;
                }
            }
            let n = (w * h) as f64;
            let var = (s2 / n - (s / n) * (s / n)).max(0.0);
            let foreground = var.sqrt() / global_std > threshold;
            if foreground {
                for y in ty..ty + h {
                    mask[y * img.width + tx..y * img.width + tx + w].fill(true);
                }
            }
        }
    }
    mask
}

/// True when every pixel of the `w`×`h` window at (`x`, `y`) is foreground.
pub(crate) fn all_foreground(
    mask: &[bool],
    stride: usize,
    x: usize,
    y: usize,
    w: usize,
    h: usize,
) -> bool {
    (y..y + h).all(|row| {
        mask[row * stride + x..row * stride + x + w]
            .iter()
            .all(|&m| m)
    })
}

/// Mean gradient covariance (a = <gx²>, b = <gy²>, c = <gx·gy>) of a `w`×`h` block, with
/// central differences inside and one-sided differences at the block edges.
pub(crate) fn gradient_covariance(block: &[f64], w: usize, h: usize) -> (f64, f64, f64) {
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for y in 0..h {
        for x in 0..w {
            let at = |xx: usize, yy: usize| block[yy * w + xx];
            let gx = if x == 0 {
                at(1, y) - at(0, y)
            } else if x == w - 1 {
                at(w - 1, y) - at(w - 2, y)
            } else {
                (at(x + 1, y) - at(x - 1, y)) / 2.0
            };
            let gy = if y == 0 {
                at(x, 1) - at(x, 0)
            } else if y == h - 1 {
                at(x, h - 1) - at(x, h - 2)
            } else {
                (at(x, y + 1) - at(x, y - 1)) / 2.0
            };
            a += gx * gx;
            b += gy * gy;
            c += gx * gy;
        }
    }
    let n = (w * h) as f64;
    (a / n, b / n, c / n)
}

/// NFIQ 2's `ridgeorient`: the block angle used to rotate blocks before the ridge/valley
/// analysis. NFIQ 2 passes `c` (not `2c`) to the arctangent; kept as published so that the
/// block features stay comparable with NIST's.
pub(crate) fn ridge_orientation(a: f64, b: f64, c: f64) -> f64 {
    let d = a - b;
    let denom = c * c + d * d + f64::EPSILON;
    (c / denom).atan2(d / denom) / 2.0
}

/// Rotates a square `n`×`n` block by `angle` radians about its centre (optionally after a
/// 2-pixel zero border, as NFIQ 2's FDA and RVU do), nearest neighbour, zero outside. The result
/// has the input's size. Mirrors OpenCV's `getRotationMatrix2D` + `warpAffine(INTER_NEAREST)`.
pub(crate) fn rotate_block(block: &[f64], n: usize, angle: f64, pad: bool) -> Vec<f64> {
    let p = if pad { 2isize } else { 0 };
    let src_n = n as isize + 2 * p;
    let centre = src_n as f64 / 2.0;
    let (sin, cos) = angle.sin_cos();
    // Forward map M = [[cos, sin, tx], [-sin, cos, ty]]; warpAffine samples src at M⁻¹·dst.
    let tx = (1.0 - cos) * centre - sin * centre;
    let ty = sin * centre + (1.0 - cos) * centre;
    let mut out = vec![0.0; n * n];
    for dy in 0..n {
        for dx in 0..n {
            let (ux, uy) = (dx as f64 - tx, dy as f64 - ty);
            // Rounding half up; the +64 keeps the value positive so truncation is a floor.
            let sx = (cos * ux - sin * uy + 64.5) as isize - 64 - p;
            let sy = (sin * ux + cos * uy + 64.5) as isize - 64 - p;
            if sx >= 0 && sy >= 0 && (sx as usize) < n && (sy as usize) < n {
                out[dy * n + dx] = block[sy as usize * n + sx as usize];
            }
        }
    }
    out
}

/// The centred `cols`×`rows` window of a rotated `n`×`n` block (NFIQ 2's "slanted block" v2).
pub(crate) fn centre_crop(rotated: &[f64], n: usize, cols: usize, rows: usize) -> Vec<f64> {
    let c = n / 2;
    let (x0, y0) = (c - cols / 2, c - rows / 2);
    let mut out = Vec::with_capacity(cols * rows);
    for y in y0..y0 + rows {
        out.extend_from_slice(&rotated[y * n + x0..y * n + x0 + cols]);
    }
    out
}

/// Column means of a `cols`×`rows` block, a least-squares line through them, and the split of
/// columns into ridge (darker than the line, `true`) and valley. Returns (profile, line, ridge).
pub(crate) fn ridge_valley_structure(
    block: &[f64],
    cols: usize,
    rows: usize,
) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let profile: Vec<f64> = (0..cols)
        .map(|x| (0..rows).map(|y| block[y * cols + x]).sum::<f64>() / rows as f64)
        .collect();
    let n = cols as f64;
    let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
    for (i, &v) in profile.iter().enumerate() {
        let x = (i + 1) as f64;
        sx += x;
        sy += v;
        sxx += x * x;
        sxy += x * v;
    }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    let intercept = (sy - slope * sx) / n;
    // NFIQ 2 rounds the coefficients to 1e-10 for cross-platform stability.
    let round = |v: f64| (v * 1e10).round() / 1e10;
    let (slope, intercept) = (round(slope), round(intercept));
    let line: Vec<f64> = (0..cols)
        .map(|i| (i + 1) as f64 * slope + intercept)
        .collect();
    let ridge = profile.iter().zip(&line).map(|(v, t)| v < t).collect();
    (profile, line, ridge)
}
