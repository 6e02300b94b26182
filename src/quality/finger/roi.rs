//! The finger's region of interest as NFIQ 2's `ImgProcROI` finds it: erode, blur, Otsu, blur
//! harder, Otsu again, fill the holes and keep the largest dark blob. Its pixel count drives
//! the "too small foreground" gate (NFIQ 2: fewer than 50 000 pixels).
//!
//! NFIQ 2 blurs with 41- and 91-tap Gaussians (σ ≈ 6.5 and 14); here each is three running box
//! filters of the same variance, which is within a few grey levels and ten times cheaper.

use super::image::Gray;

/// Foreground flags (one per pixel) and their count.
pub(crate) struct Roi {
    pub(crate) mask: Vec<bool>,
    pub(crate) pixels: usize,
}

pub(crate) fn region_of_interest(img: &Gray) -> Roi {
    let (w, h) = (img.width, img.height);
    let eroded = min_filter(&img.pixels, w, h, 2);
    let blurred = gaussian_like(&eroded, w, h, 6.5);
    let first = threshold(&blurred, otsu(&blurred));
    let blurred2 = gaussian_like(&first, w, h, 14.0);
    let mut dark: Vec<bool> = {
        let t = otsu(&blurred2);
        blurred2.iter().map(|&v| v <= t).collect()
    };
    fill_holes(&mut dark, w, h);
    keep_largest(&mut dark, w, h);
    let pixels = dark.iter().filter(|&&d| d).count();
    Roi { mask: dark, pixels }
}

fn threshold(values: &[u8], t: u8) -> Vec<u8> {
    values
        .iter()
        .map(|&v| if v > t { 255 } else { 0 })
        .collect()
}

/// Separable min filter of radius `r` (a (2r+1)² erosion); outside the image is ignored.
fn min_filter(src: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut tmp = vec![0u8; src.len()];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        for x in 0..w {
            tmp[y * w + x] = *row[x.saturating_sub(r)..(x + r + 1).min(w)]
                .iter()
                .min()
                .unwrap_or(&0);
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = (y.saturating_sub(r)..(y + r + 1).min(h))
                .map(|yy| tmp[yy * w + x])
                .min()
                .unwrap_or(0);
        }
    }
    out
}

/// Three box blurs whose combined variance is σ², edges replicated, rounded to u8.
fn gaussian_like(src: &[u8], w: usize, h: usize, sigma: f64) -> Vec<u8> {
    let width = (12.0 * sigma * sigma / 3.0 + 1.0).sqrt();
    let r = ((width - 1.0) / 2.0).round().max(1.0) as usize;
    let mut buf: Vec<f32> = src.iter().map(|&v| f32::from(v)).collect();
    let mut scratch = Vec::new();
    for _ in 0..3 {
        for y in 0..h {
            box_line(&mut buf[y * w..(y + 1) * w], r, &mut scratch);
        }
        box_columns(&mut buf, w, h, r, &mut scratch);
    }
    buf.iter()
        .map(|&v| v.round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// In-place running mean of radius `r` over one line, edges replicated.
fn box_line(values: &mut [f32], r: usize, padded: &mut Vec<f32>) {
    let n = values.len();
    padded.clear();
    padded.extend(std::iter::repeat_n(values[0], r + 1));
    padded.extend_from_slice(values);
    padded.extend(std::iter::repeat_n(values[n - 1], r));
    let norm = 1.0 / (2 * r + 1) as f32;
    let mut sum: f32 = padded[1..2 * r + 2].iter().sum();
    for (i, v) in values.iter_mut().enumerate() {
        *v = sum * norm;
        // Window of output i + 1 is padded[i + 2 ..= i + 2r + 2].
        if i + 1 < n {
            sum += padded[i + 2 * r + 2] - padded[i + 1];
        }
    }
}

/// In-place running mean of radius `r` down every column at once (row-wise, cache friendly).
fn box_columns(buf: &mut [f32], w: usize, h: usize, r: usize, copy: &mut Vec<f32>) {
    copy.clear();
    copy.extend_from_slice(buf);
    let row = |y: isize| {
        let y = y.clamp(0, h as isize - 1) as usize;
        &copy[y * w..(y + 1) * w]
    };
    let norm = 1.0 / (2 * r + 1) as f32;
    let mut sum = vec![0f32; w];
    for dy in -(r as isize)..=r as isize {
        for (s, v) in sum.iter_mut().zip(row(dy)) {
            *s += v;
        }
    }
    for y in 0..h {
        for (out, s) in buf[y * w..(y + 1) * w].iter_mut().zip(&sum) {
            *out = s * norm;
        }
        let (add, sub) = (
            row(y as isize + r as isize + 1),
            row(y as isize - r as isize),
        );
        for ((s, a), b) in sum.iter_mut().zip(add).zip(sub) {
            *s += a - b;
        }
    }
}

/// Otsu's threshold over the 256-bin histogram (values above it are "white").
fn otsu(values: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in values {
        hist[v as usize] += 1;
    }
    let total = values.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0.0, 0.0, -1.0, 0u8);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        sum0 += t as f64 * c as f64;
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum_all - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Labels the 4-connected components where `mask == value`; returns (labels, per-label bbox
/// area, touches-border flag). Label 0 means "not in any component".
fn components(mask: &[bool], w: usize, h: usize, value: bool) -> (Vec<u32>, Vec<usize>, Vec<bool>) {
    let mut labels = vec![0u32; mask.len()];
    let (mut areas, mut border) = (vec![0usize], vec![false]);
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if mask[start] != value || labels[start] != 0 {
            continue;
        }
        let label = areas.len() as u32;
        let (mut x0, mut y0, mut x1, mut y1, mut touches) = (w, h, 0, 0, false);
        labels[start] = label;
        stack.push(start);
        while let Some(p) = stack.pop() {
            let (x, y) = (p % w, p / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            touches |= x == 0 || y == 0 || x == w - 1 || y == h - 1;
            let mut visit = |q: usize| {
                if mask[q] == value && labels[q] == 0 {
                    labels[q] = label;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < w {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - w);
            }
            if y + 1 < h {
                visit(p + w);
            }
        }
        areas.push((x1 + 1 - x0) * (y1 + 1 - y0));
        border.push(touches);
    }
    (labels, areas, border)
}

/// Light regions enclosed by the dark region become dark.
fn fill_holes(dark: &mut [bool], w: usize, h: usize) {
    let (labels, _, border) = components(dark, w, h, false);
    for (d, &l) in dark.iter_mut().zip(&labels) {
        if l != 0 && !border[l as usize] {
            *d = true;
        }
    }
}

/// Only the dark blob with the largest bounding box stays dark (NFIQ 2 compares boxes too).
fn keep_largest(dark: &mut [bool], w: usize, h: usize) {
    let (labels, areas, _) = components(dark, w, h, true);
    let Some(best) = (1..areas.len()).max_by_key(|&l| (areas[l], std::cmp::Reverse(l))) else {
        return;
    };
    for (d, &l) in dark.iter_mut().zip(&labels) {
        if l != 0 && l as usize != best {
            *d = false;
        }
    }
}
