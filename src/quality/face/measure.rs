//! Pixel measurements behind the face checks: luminance, area resampling, histogram percentiles,
//! variance of the Laplacian and colour spread. No decisions here, only numbers.

/// A single-channel image with float samples; `NAN` marks a sample outside the source frame.
#[derive(Debug, Clone)]
pub(super) struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<f32>,
}

/// A rectangle in frame pixels (may reach outside the frame).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
}

/// ITU-R BT.601 luma of an RGB8 frame (the weights of JPEG and of most webcams).
pub(super) fn luma(rgb: &[u8], width: usize, height: usize) -> Gray {
    let pixels = rgb
        .chunks_exact(3)
        .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
        .collect();
    Gray {
        width,
        height,
        pixels,
    }
}

/// Averages the source pixels whose centres fall in each of `dw × dh` cells of `rect`; a cell that
/// holds no pixel centre takes its nearest pixel, and a cell outside the frame is `NAN`.
pub(super) fn resample(
    width: usize,
    height: usize,
    sample: impl Fn(usize, usize) -> f32,
    rect: Rect,
    dw: usize,
    dh: usize,
) -> Gray {
    let cell_w = rect.width() / dw as f32;
    let cell_h = rect.height() / dh as f32;
    // Pixel index range whose centres (i + 0.5) lie in [a, b).
    let span =
        |a: f32, b: f32| -> (i64, i64) { ((a - 0.5).ceil() as i64, (b - 0.5).ceil() as i64) };
    let mut pixels = Vec::with_capacity(dw * dh);
    for j in 0..dh {
        let ya = rect.y0 + j as f32 * cell_h;
        let (mut r0, mut r1) = span(ya, ya + cell_h);
        if r1 <= r0 {
            r0 = (ya + cell_h / 2.0).floor() as i64;
            r1 = r0 + 1;
        }
        for i in 0..dw {
            let xa = rect.x0 + i as f32 * cell_w;
            let (mut c0, mut c1) = span(xa, xa + cell_w);
            if c1 <= c0 {
                c0 = (xa + cell_w / 2.0).floor() as i64;
                c1 = c0 + 1;
            }
            let (rr0, rr1) = (r0.max(0), r1.min(height as i64));
            let (cc0, cc1) = (c0.max(0), c1.min(width as i64));
            if rr1 <= rr0 || cc1 <= cc0 {
                pixels.push(f32::NAN);
                continue;
            }
            let mut sum = 0.0;
            for y in rr0..rr1 {
                for x in cc0..cc1 {
                    sum += sample(x as usize, y as usize);
                }
            }
            pixels.push(sum / ((rr1 - rr0) * (cc1 - cc0)) as f32);
        }
    }
    Gray {
        width: dw,
        height: dh,
        pixels,
    }
}

/// The whole of `g` averaged down to `dw × dh`.
pub(super) fn downscale(g: &Gray, dw: usize, dh: usize) -> Gray {
    let rect = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: g.width as f32,
        y1: g.height as f32,
    };
    resample(
        g.width,
        g.height,
        |x, y| g.pixels[y * g.width + x],
        rect,
        dw,
        dh,
    )
}

/// Luma of the frame pixels inside `rect`, rounded to 0–255, as a 256-bin histogram.
pub(super) fn histogram(g: &Gray, rect: Rect) -> [u32; 256] {
    let mut hist = [0u32; 256];
    let x0 = rect.x0.max(0.0) as usize;
    let y0 = rect.y0.max(0.0) as usize;
    let x1 = (rect.x1.max(0.0) as usize).min(g.width);
    let y1 = (rect.y1.max(0.0) as usize).min(g.height);
    for y in y0..y1 {
        for &v in &g.pixels[y * g.width + x0..y * g.width + x1] {
            hist[v.round().clamp(0.0, 255.0) as usize] += 1;
        }
    }
    hist
}

/// The smallest level at or below which at least `fraction` of the histogram lies.
pub(super) fn percentile(hist: &[u32; 256], fraction: f32) -> u8 {
    let total: u64 = hist.iter().map(|&n| n as u64).sum();
    let target = (total as f64 * fraction as f64).ceil().max(1.0) as u64;
    let mut seen = 0u64;
    for (level, &n) in hist.iter().enumerate() {
        seen += n as u64;
        if seen >= target {
            return level as u8;
        }
    }
    255
}

/// Share of the histogram at or below `low` and at or above `high`.
pub(super) fn share_outside(hist: &[u32; 256], low: u8, high: u8) -> (f32, f32) {
    let total: u64 = hist.iter().map(|&n| n as u64).sum::<u64>().max(1);
    let dark: u64 = hist[..=low as usize].iter().map(|&n| n as u64).sum();
    let bright: u64 = hist[high as usize..].iter().map(|&n| n as u64).sum();
    (dark as f32 / total as f32, bright as f32 / total as f32)
}

/// Mean and standard deviation of the finite samples (`None` when there are fewer than two).
pub(super) fn mean_std(values: impl Iterator<Item = f32>) -> Option<(f32, f32)> {
    let (mut n, mut sum, mut sum_sq) = (0u64, 0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        n += 1;
        sum += v as f64;
        sum_sq += v as f64 * v as f64;
    }
    if n < 2 {
        return None;
    }
    let mean = sum / n as f64;
    let var = (sum_sq / n as f64 - mean * mean).max(0.0);
    Some((mean as f32, var.sqrt() as f32))
}

/// Standard deviation estimated from the 10th–90th percentile range (range / 2.563 for normally
/// distributed values), so that a few cells of hair at the edge of the head do not count as clutter.
pub(super) fn robust_spread(mut values: Vec<f32>) -> f32 {
    values.retain(|v| v.is_finite());
    if values.len() < 2 {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let at = |q: f32| values[((values.len() - 1) as f32 * q).round() as usize];
    (at(0.9) - at(0.1)) / 2.563
}

/// Variance of the 4-neighbour Laplacian divided by the variance of the image itself, over the
/// samples whose neighbours are all inside the frame. Dividing by the image variance makes the
/// figure independent of exposure and contrast, so a dark but sharp face is not called blurred.
pub(super) fn laplacian_ratio(g: &Gray) -> Option<f32> {
    let (w, h) = (g.width, g.height);
    let at = |x: usize, y: usize| g.pixels[y * w + x];
    let mut laplacians = Vec::with_capacity(w * h);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let l = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y);
            laplacians.push(l);
        }
    }
    let (_, lap_std) = mean_std(laplacians.into_iter())?;
    let (_, img_std) = mean_std(g.pixels.iter().copied())?;
    if img_std < 1.0 {
        return Some(0.0);
    }
    Some((lap_std * lap_std) / (img_std * img_std))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resample_averages_whole_cells_and_marks_outside_cells() {
        // 4×2 frame: left half 0, right half 100.
        let g = Gray {
            width: 4,
            height: 2,
            pixels: vec![0.0, 0.0, 100.0, 100.0, 0.0, 0.0, 100.0, 100.0],
        };
        let half = downscale(&g, 2, 1);
        assert_eq!(half.pixels, vec![0.0, 100.0]);
        let one = downscale(&g, 1, 1);
        assert_eq!(one.pixels, vec![50.0]);
        let beyond = Rect {
            x0: 2.0,
            y0: 0.0,
            x1: 6.0,
            y1: 2.0,
        };
        let out = resample(4, 2, |x, y| g.pixels[y * 4 + x], beyond, 2, 1);
        assert_eq!(out.pixels[0], 100.0);
        assert!(out.pixels[1].is_nan());
    }

    #[test]
    fn percentile_and_clipping_shares_follow_the_histogram() {
        let mut hist = [0u32; 256];
        hist[10] = 90;
        hist[255] = 10;
        assert_eq!(percentile(&hist, 0.5), 10);
        assert_eq!(percentile(&hist, 0.95), 255);
        assert_eq!(share_outside(&hist, 5, 250), (0.0, 0.1));
    }

    #[test]
    fn robust_spread_ignores_a_few_outliers_but_not_a_pattern() {
        let mut plain: Vec<f32> = (0..100).map(|i| 100.0 + (i % 10) as f32).collect();
        plain.extend([0.0, 255.0, 0.0, 255.0, 0.0]);
        assert!(robust_spread(plain) < 5.0);
        let stripes: Vec<f32> = (0..100)
            .map(|i| if i % 2 == 0 { 60.0 } else { 240.0 })
            .collect();
        assert!(robust_spread(stripes) > 60.0);
    }

    #[test]
    fn laplacian_ratio_is_high_for_a_checkerboard_and_low_for_a_ramp() {
        let board = Gray {
            width: 16,
            height: 16,
            pixels: (0..256)
                .map(|i| {
                    if (i % 16 + i / 16) % 2 == 0 {
                        0.0
                    } else {
                        200.0
                    }
                })
                .collect(),
        };
        let ramp = Gray {
            width: 16,
            height: 16,
            pixels: (0..256).map(|i| (i % 16) as f32 * 10.0).collect(),
        };
        assert!(laplacian_ratio(&board).unwrap() > 10.0);
        assert!(laplacian_ratio(&ramp).unwrap() < 0.01);
    }
}
