//! Where the finger is and how its ridges run: the foreground mask, the ridge orientation field
//! with its coherence, and the local ridge period, all on a grid of [`BLOCK`]-pixel blocks.
//!
//! Orientation comes from averaged squared gradients (the doubled-angle method that NIST mindtct
//! and most classical extractors use), smoothed twice so that noisy blocks follow their
//! neighbours. The ridge period is measured like Hong, Wan and Jain did: grey levels are averaged
//! along the ridges in an oriented window, and the peaks of that profile across the ridges are
//! counted.

/// Side of a block in pixels.
pub const BLOCK: usize = 8;

/// The block-level description of a finger image.
pub struct Field {
    /// Blocks across.
    pub bw: usize,
    /// Blocks down.
    pub bh: usize,
    /// Foreground blocks.
    pub mask: Vec<bool>,
    /// How consistent the orientation is, 0–1.
    pub coherence: Vec<f32>,
    /// Ridge period in pixels.
    pub period: Vec<f32>,
    /// Ridge orientation per block as the cosine and sine of twice its angle (the angle is in
    /// `[0, π)`, pixel frame, y down). Interpolation needs these at every pixel: kept once per
    /// block rather than computed four times per pixel, they halve the extraction time.
    doubled: Vec<(f32, f32)>,
}

impl Field {
    /// Whether pixel (x, y) is in a foreground block.
    pub fn in_mask(&self, x: i32, y: i32) -> bool {
        if x < 0 || y < 0 {
            return false;
        }
        let (bx, by) = (x as usize / BLOCK, y as usize / BLOCK);
        bx < self.bw && by < self.bh && self.mask[by * self.bw + bx]
    }

    /// The block index of pixel (x, y), which must be inside the image.
    pub fn block_of(&self, x: usize, y: usize) -> usize {
        (y / BLOCK).min(self.bh - 1) * self.bw + (x / BLOCK).min(self.bw - 1)
    }

    /// Doubled-angle orientation vector interpolated between block centres at pixel (x, y).
    pub fn orientation_at(&self, x: f32, y: f32) -> f32 {
        let fx = (x / BLOCK as f32 - 0.5).clamp(0.0, (self.bw - 1) as f32);
        let fy = (y / BLOCK as f32 - 0.5).clamp(0.0, (self.bh - 1) as f32);
        let (x0, y0) = (fx as usize, fy as usize);
        let (x1, y1) = ((x0 + 1).min(self.bw - 1), (y0 + 1).min(self.bh - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let mut c = 0.0;
        let mut s = 0.0;
        for (bx, by, wgt) in [
            (x0, y0, (1.0 - ax) * (1.0 - ay)),
            (x1, y0, ax * (1.0 - ay)),
            (x0, y1, (1.0 - ax) * ay),
            (x1, y1, ax * ay),
        ] {
            let (oc, os) = self.doubled[by * self.bw + bx];
            c += wgt * oc;
            s += wgt * os;
        }
        (s.atan2(c) * 0.5).rem_euclid(std::f32::consts::PI)
    }
}

/// Measures the field of a `w`×`h` grey image (`px` row-major, 0 black).
pub fn analyse(px: &[f32], w: usize, h: usize, scale: f32) -> Field {
    let bw = w.div_ceil(BLOCK);
    let bh = h.div_ceil(BLOCK);
    let nb = bw * bh;
    // Per-block sums: squared gradients, grey mean and energy.
    let mut gxx = vec![0f32; nb];
    let mut gyy = vec![0f32; nb];
    let mut gxy = vec![0f32; nb];
    let mut sum = vec![0f32; nb];
    let mut sum2 = vec![0f32; nb];
    let mut count = vec![0f32; nb];
    for y in 0..h {
        let row = y * w;
        for x in 0..w {
            let b = (y / BLOCK) * bw + x / BLOCK;
            let v = px[row + x];
            sum[b] += v;
            sum2[b] += v * v;
            count[b] += 1.0;
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                continue;
            }
            let (up, mid, down) = (
                &px[row - w..row],
                &px[row..row + w],
                &px[row + w..row + 2 * w],
            );
            let gx = up[x + 1] + 2.0 * mid[x + 1] + down[x + 1]
                - up[x - 1]
                - 2.0 * mid[x - 1]
                - down[x - 1];
            let gy =
                down[x - 1] + 2.0 * down[x] + down[x + 1] - up[x - 1] - 2.0 * up[x] - up[x + 1];
            gxx[b] += gx * gx;
            gyy[b] += gy * gy;
            gxy[b] += gx * gy;
        }
    }
    let mask = segment(&sum, &sum2, &count, bw, bh);

    // Orientation: doubled-angle vectors averaged over a 5×5 block window.
    let mut vx = vec![0f32; nb];
    let mut vy = vec![0f32; nb];
    let mut energy = vec![0f32; nb];
    for b in 0..nb {
        vx[b] = gxx[b] - gyy[b];
        vy[b] = 2.0 * gxy[b];
        energy[b] = gxx[b] + gyy[b];
    }
    let svx = box_blur(&vx, bw, bh, 2);
    let svy = box_blur(&vy, bw, bh, 2);
    let sen = box_blur(&energy, bw, bh, 2);
    let mut coherence = vec![0f32; nb];
    let mut ux = vec![0f32; nb];
    let mut uy = vec![0f32; nb];
    for b in 0..nb {
        let m = (svx[b] * svx[b] + svy[b] * svy[b]).sqrt();
        coherence[b] = if sen[b] > 0.0 { m / sen[b] } else { 0.0 };
        if m > 0.0 && mask[b] {
            // Weight by coherence: clear blocks steer the smoothing.
            ux[b] = svx[b] / m * coherence[b];
            uy[b] = svy[b] / m * coherence[b];
        }
    }
    let ux = box_blur(&ux, bw, bh, 2);
    let uy = box_blur(&uy, bw, bh, 2);
    let mut orientation = vec![0f32; nb];
    for b in 0..nb {
        // Gradient direction + 90°: the ridges run across the gradient.
        let grad = 0.5 * uy[b].atan2(ux[b]);
        orientation[b] = (grad + std::f32::consts::FRAC_PI_2).rem_euclid(std::f32::consts::PI);
    }
    let period = ridge_period(px, w, h, bw, bh, &mask, &orientation, scale);
    let doubled = orientation
        .iter()
        .map(|o| ((o * 2.0).cos(), (o * 2.0).sin()))
        .collect();
    Field {
        bw,
        bh,
        mask,
        coherence,
        period,
        doubled,
    }
}

/// Foreground blocks: enough grey-level variation around them, cleaned up by majority votes,
/// holes filled and only the largest region kept.
fn segment(sum: &[f32], sum2: &[f32], count: &[f32], bw: usize, bh: usize) -> Vec<bool> {
    let nb = bw * bh;
    let s = box_blur(sum, bw, bh, 1);
    let s2 = box_blur(sum2, bw, bh, 1);
    let c = box_blur(count, bw, bh, 1);
    let mut std = vec![0f32; nb];
    for b in 0..nb {
        if c[b] > 0.0 {
            let m = s[b] / c[b];
            std[b] = (s2[b] / c[b] - m * m).max(0.0).sqrt();
        }
    }
    let mut sorted = std.clone();
    sorted.sort_by(f32::total_cmp);
    let p90 = sorted[(nb * 9) / 10];
    let threshold = (0.3 * p90).max(8.0);
    let mut mask: Vec<bool> = std.iter().map(|&v| v > threshold).collect();
    for _ in 0..3 {
        let mut next = mask.clone();
        for by in 0..bh {
            for bx in 0..bw {
                let mut n = 0;
                let mut t = 0;
                for dy in -1i32..=1 {
                    for dx in -1i32..=1 {
                        let (x, y) = (bx as i32 + dx, by as i32 + dy);
                        if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                            t += 1;
                            n += usize::from(mask[y as usize * bw + x as usize]);
                        }
                    }
                }
                next[by * bw + bx] = n * 2 > t;
            }
        }
        mask = next;
    }
    keep_largest(&mut mask, bw, bh, true);
    // Fill holes: background not connected to the image border becomes foreground.
    let mut outside = vec![false; nb];
    let mut stack: Vec<usize> = Vec::new();
    for by in 0..bh {
        for bx in 0..bw {
            if (bx == 0 || by == 0 || bx + 1 == bw || by + 1 == bh) && !mask[by * bw + bx] {
                outside[by * bw + bx] = true;
                stack.push(by * bw + bx);
            }
        }
    }
    while let Some(b) = stack.pop() {
        for n in neighbours4(b, bw, bh) {
            if !mask[n] && !outside[n] {
                outside[n] = true;
                stack.push(n);
            }
        }
    }
    (0..nb).map(|b| !outside[b]).collect()
}

fn neighbours4(b: usize, bw: usize, bh: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (b % bw, b / bw);
    [
        (x > 0).then(|| b - 1),
        (x + 1 < bw).then(|| b + 1),
        (y > 0).then(|| b - bw),
        (y + 1 < bh).then(|| b + bw),
    ]
    .into_iter()
    .flatten()
}

/// Keeps only the largest 4-connected region of `value` blocks.
fn keep_largest(mask: &mut [bool], bw: usize, bh: usize, value: bool) {
    let nb = bw * bh;
    let mut label = vec![0u32; nb];
    let mut sizes = vec![0usize];
    let mut stack = Vec::new();
    for start in 0..nb {
        if mask[start] != value || label[start] != 0 {
            continue;
        }
        let id = sizes.len() as u32;
        sizes.push(0);
        label[start] = id;
        stack.push(start);
        while let Some(b) = stack.pop() {
            sizes[id as usize] += 1;
            for n in neighbours4(b, bw, bh) {
                if mask[n] == value && label[n] == 0 {
                    label[n] = id;
                    stack.push(n);
                }
            }
        }
    }
    let Some((best, _)) = sizes.iter().enumerate().skip(1).max_by_key(|(_, s)| **s) else {
        return;
    };
    for b in 0..nb {
        if mask[b] == value && label[b] as usize != best {
            mask[b] = !value;
        }
    }
}

/// Mean over a (2r+1)² window of blocks, clipped at the borders.
pub fn box_blur(v: &[f32], bw: usize, bh: usize, r: usize) -> Vec<f32> {
    let mut tmp = vec![0f32; v.len()];
    for y in 0..bh {
        for x in 0..bw {
            let (lo, hi) = (x.saturating_sub(r), (x + r).min(bw - 1));
            let s: f32 = v[y * bw + lo..=y * bw + hi].iter().sum();
            tmp[y * bw + x] = s / (hi - lo + 1) as f32;
        }
    }
    let mut out = vec![0f32; v.len()];
    for y in 0..bh {
        let (lo, hi) = (y.saturating_sub(r), (y + r).min(bh - 1));
        for x in 0..bw {
            let mut s = 0.0;
            for yy in lo..=hi {
                s += tmp[yy * bw + x];
            }
            out[y * bw + x] = s / (hi - lo + 1) as f32;
        }
    }
    out
}

/// Ridge period per block: grey levels averaged along the ridge over an oriented window, peaks
/// counted across it; then the median of those measurements around each block. Blocks where
/// that fails take their neighbours' value.
#[allow(clippy::too_many_arguments)]
fn ridge_period(
    px: &[f32],
    w: usize,
    h: usize,
    bw: usize,
    bh: usize,
    mask: &[bool],
    orientation: &[f32],
    scale: f32,
) -> Vec<f32> {
    let nb = bw * bh;
    let half_across = (20.0 * scale) as i32;
    let half_along = (8.0 * scale) as i32;
    let (min_p, max_p) = (4.0 * scale, 18.0 * scale);
    let mut period = vec![f32::NAN; nb];
    let mut profile = Vec::with_capacity(2 * half_across as usize + 1);
    for by in 0..bh {
        for bx in 0..bw {
            let b = by * bw + bx;
            if !mask[b] {
                continue;
            }
            let (cx, cy) = (
                (bx * BLOCK + BLOCK / 2) as f32,
                (by * BLOCK + BLOCK / 2) as f32,
            );
            let o = orientation[b];
            let (dx, dy) = (o.cos(), o.sin());
            let (nx, ny) = (-dy, dx);
            profile.clear();
            for k in -half_across..=half_across {
                let mut s = 0.0;
                let mut n = 0;
                for j in (-half_along..=half_along).step_by(2) {
                    // Rounded to the nearest pixel (the offset keeps the cast's truncation a floor).
                    let x = (cx + k as f32 * nx + j as f32 * dx + 0.5 + 64.0) as i32 - 64;
                    let y = (cy + k as f32 * ny + j as f32 * dy + 0.5 + 64.0) as i32 - 64;
                    if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                        s += px[y as usize * w + x as usize];
                        n += 1;
                    }
                }
                profile.push(if n > 0 { s / n as f32 } else { f32::NAN });
            }
            if profile.iter().any(|v| v.is_nan()) {
                continue;
            }
            // Smooth, then find the valleys' centres (bright peaks) across the ridges.
            let sm: Vec<f32> = (0..profile.len())
                .map(|i| {
                    let a = profile[i.saturating_sub(1)];
                    let c = profile[(i + 1).min(profile.len() - 1)];
                    (a + 2.0 * profile[i] + c) / 4.0
                })
                .collect();
            let mean = sm.iter().sum::<f32>() / sm.len() as f32;
            let peaks: Vec<usize> = (1..sm.len() - 1)
                .filter(|&i| sm[i] > sm[i - 1] && sm[i] >= sm[i + 1] && sm[i] > mean)
                .collect();
            if peaks.len() >= 2 {
                let p = (peaks[peaks.len() - 1] - peaks[0]) as f32 / (peaks.len() - 1) as f32;
                if (min_p..=max_p).contains(&p) {
                    period[b] = p;
                }
            }
        }
    }
    // Each block takes the median of the measurements around it (5×5 blocks, the window of the
    // final smoothing): one block whose profile locked onto noise or a crease would otherwise be
    // spread over its neighbours by the mean. Fewer than three measurements give none.
    let measured = period.clone();
    let mut around = Vec::with_capacity(25);
    for by in 0..bh {
        for bx in 0..bw {
            let b = by * bw + bx;
            if !mask[b] {
                continue;
            }
            around.clear();
            for yy in by.saturating_sub(2)..=(by + 2).min(bh - 1) {
                for xx in bx.saturating_sub(2)..=(bx + 2).min(bw - 1) {
                    let v = measured[yy * bw + xx];
                    if !v.is_nan() {
                        around.push(v);
                    }
                }
            }
            period[b] = if around.len() >= 3 {
                around.sort_by(f32::total_cmp);
                around[around.len() / 2]
            } else {
                f32::NAN
            };
        }
    }
    // Fill the gaps from valid neighbours, then smooth.
    for _ in 0..8 {
        let mut changed = false;
        let snapshot = period.clone();
        for by in 0..bh {
            for bx in 0..bw {
                let b = by * bw + bx;
                if !mask[b] || !snapshot[b].is_nan() {
                    continue;
                }
                let mut s = 0.0;
                let mut n = 0;
                for yy in by.saturating_sub(1)..=(by + 1).min(bh - 1) {
                    for xx in bx.saturating_sub(1)..=(bx + 1).min(bw - 1) {
                        let v = snapshot[yy * bw + xx];
                        if !v.is_nan() {
                            s += v;
                            n += 1;
                        }
                    }
                }
                if n > 0 {
                    period[b] = s / n as f32;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let default = 9.0 * scale;
    let filled: Vec<f32> = period
        .iter()
        .map(|&p| if p.is_nan() { default } else { p })
        .collect();
    box_blur(&filled, bw, bh, 2)
}
