//! A minutiae-count estimate standing in for NFIQ 2's FingerJet FX extractor, which is not
//! available here: binarise against the local mean, thin to a one-pixel skeleton
//! (Zhang–Suen), count ridge endings and bifurcations by crossing number, and keep only those
//! well inside the region where the ridge flow is coherent, dropping close pairs (the usual
//! artefacts of breaks, bridges and spurs). It counts the same kind of thing as FingerJet but
//! is cruder; treat it as an estimate, not as an extractor.

use super::image::{Gray, gradient_covariance};

/// Side of the blocks on which the ridge-flow coherence is judged.
const CELL: usize = 16;
/// Blocks whose gradient coherence is below this carry no usable ridge flow.
const MIN_COHERENCE: f64 = 0.3;
/// Minutiae closer than this to unusable area are dropped (border effects).
const MARGIN: usize = 10;
/// Two minutiae closer than this are taken as one artefact and both dropped.
const MIN_SEPARATION: f64 = 10.0;

/// The minutiae count inside the coherent-flow region.
pub(crate) struct MinutiaeEstimate {
    pub(crate) count: u32,
}

pub(crate) fn estimate(img: &Gray, roi: &[bool]) -> MinutiaeEstimate {
    let (w, h) = (img.width, img.height);
    let usable = coherent_region(img, roi);
    let ridges = binarise(img, &usable);
    let skeleton = thin(ridges, w, h);
    let usable_sum = Integral::new(&usable, w, h);
    let mut points: Vec<(f64, f64)> = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if !skeleton[y * w + x] {
                continue;
            }
            let ring = neighbours(&skeleton, w, x, y);
            let crossings = (0..8).filter(|&i| ring[i] != ring[(i + 1) % 8]).count() / 2;
            if (crossings == 1 || crossings == 3) && usable_sum.all_set(x, y, MARGIN) {
                points.push((x as f64, y as f64));
            }
        }
    }
    let count = points
        .iter()
        .enumerate()
        .filter(|&(i, p)| {
            points
                .iter()
                .enumerate()
                .all(|(j, q)| i == j || (p.0 - q.0).hypot(p.1 - q.1) >= MIN_SEPARATION)
        })
        .count();
    MinutiaeEstimate {
        count: count as u32,
    }
}

/// Pixels of the ROI lying in 16×16 cells whose 32×32 neighbourhood has a coherent gradient.
fn coherent_region(img: &Gray, roi: &[bool]) -> Vec<bool> {
    let (w, h) = (img.width, img.height);
    let mut usable = vec![false; w * h];
    for cy in (0..h).step_by(CELL) {
        for cx in (0..w).step_by(CELL) {
            let (x0, y0) = (cx.saturating_sub(CELL / 2), cy.saturating_sub(CELL / 2));
            let (x1, y1) = ((cx + CELL + CELL / 2).min(w), (cy + CELL + CELL / 2).min(h));
            if x1 - x0 < 3 || y1 - y0 < 3 {
                continue;
            }
            let (a, b, c) =
                gradient_covariance(&img.window(x0, y0, x1 - x0, y1 - y0), x1 - x0, y1 - y0);
            let coherence = if a + b > 0.0 {
                ((a - b) * (a - b) + 4.0 * c * c).sqrt() / (a + b)
            } else {
                0.0
            };
            if coherence < MIN_COHERENCE {
                continue;
            }
            for y in cy..(cy + CELL).min(h) {
                for x in cx..(cx + CELL).min(w) {
                    usable[y * w + x] = roi[y * w + x];
                }
            }
        }
    }
    usable
}

/// Ridge pixels: darker than the 15×15 local mean after a 3×3 smoothing, inside `usable`.
fn binarise(img: &Gray, usable: &[bool]) -> Vec<bool> {
    let (w, h) = (img.width, img.height);
    let raw = Integral::from_u8(&img.pixels, w, h);
    let smooth: Vec<f64> = (0..w * h).map(|i| raw.mean(i % w, i / w, 2)).collect();
    let local = Integral::from_f64(&smooth, w, h);
    let mut ridge: Vec<bool> = (0..w * h)
        .map(|i| usable[i] && smooth[i] < local.mean(i % w, i / w, 8))
        .collect();
    // One 3×3 majority pass removes isolated pixels that would become fake endings.
    let before = ridge.clone();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let votes = neighbours(&before, w, x, y).iter().filter(|&&b| b).count();
            if usable[y * w + x] {
                ridge[y * w + x] = if before[y * w + x] {
                    votes >= 2
                } else {
                    votes >= 6
                };
            }
        }
    }
    ridge
}

/// The 8 neighbours of (x, y) clockwise from north: P2..P9 in Zhang–Suen's notation.
fn neighbours(img: &[bool], w: usize, x: usize, y: usize) -> [bool; 8] {
    let p = |dx: isize, dy: isize| img[(y as isize + dy) as usize * w + (x as isize + dx) as usize];
    [
        p(0, -1),
        p(1, -1),
        p(1, 0),
        p(1, 1),
        p(0, 1),
        p(-1, 1),
        p(-1, 0),
        p(-1, -1),
    ]
}

/// Zhang–Suen thinning to a one-pixel-wide skeleton. Only pixels still set are revisited.
fn thin(mut img: Vec<bool>, w: usize, h: usize) -> Vec<bool> {
    if w < 3 || h < 3 {
        return img;
    }
    let mut active: Vec<usize> = (0..img.len())
        .filter(|&i| img[i] && i % w != 0 && i % w != w - 1 && i / w != 0 && i / w != h - 1)
        .collect();
    let mut remove = Vec::new();
    loop {
        let mut changed = false;
        for pass in 0..2 {
            remove.clear();
            for &i in &active {
                let n = neighbours(&img, w, i % w, i / w);
                let count = n.iter().filter(|&&b| b).count();
                let transitions = (0..8).filter(|&k| !n[k] && n[(k + 1) % 8]).count();
                let (p2, p4, p6, p8) = (n[0], n[2], n[4], n[6]);
                let side = if pass == 0 {
                    !(p2 && p4 && p6) && !(p4 && p6 && p8)
                } else {
                    !(p2 && p4 && p8) && !(p2 && p6 && p8)
                };
                if (2..=6).contains(&count) && transitions == 1 && side {
                    remove.push(i);
                }
            }
            for &i in &remove {
                img[i] = false;
            }
            if !remove.is_empty() {
                changed = true;
                active.retain(|&i| img[i]);
            }
        }
        if !changed {
            return img;
        }
    }
}

/// Summed-area table for O(1) window sums.
struct Integral {
    w: usize,
    h: usize,
    sums: Vec<f64>,
}

impl Integral {
    fn build(w: usize, h: usize, value: impl Fn(usize) -> f64) -> Self {
        let mut sums = vec![0.0; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0.0;
            for x in 0..w {
                row += value(y * w + x);
                sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
            }
        }
        Self { w, h, sums }
    }

    fn new(mask: &[bool], w: usize, h: usize) -> Self {
        Self::build(w, h, |i| f64::from(u8::from(mask[i])))
    }

    fn from_u8(px: &[u8], w: usize, h: usize) -> Self {
        Self::build(w, h, |i| f64::from(px[i]))
    }

    fn from_f64(v: &[f64], w: usize, h: usize) -> Self {
        Self::build(w, h, |i| v[i])
    }

    /// Sum and pixel count of the window of radius `r` around (x, y), clipped to the image.
    fn window(&self, x: usize, y: usize, r: usize) -> (f64, usize) {
        let (x0, y0) = (x.saturating_sub(r), y.saturating_sub(r));
        let (x1, y1) = ((x + r + 1).min(self.w), (y + r + 1).min(self.h));
        let s = |xx: usize, yy: usize| self.sums[yy * (self.w + 1) + xx];
        (
            s(x1, y1) - s(x0, y1) - s(x1, y0) + s(x0, y0),
            (x1 - x0) * (y1 - y0),
        )
    }

    fn mean(&self, x: usize, y: usize, r: usize) -> f64 {
        let (sum, n) = self.window(x, y, r);
        sum / n as f64
    }

    /// True when the full (unclipped) window of radius `r` lies in the image and is all set.
    fn all_set(&self, x: usize, y: usize, r: usize) -> bool {
        if x < r || y < r || x + r >= self.w || y + r >= self.h {
            return false;
        }
        let (sum, n) = self.window(x, y, r);
        sum >= n as f64 - 0.5
    }
}
