//! Contextual enhancement and binarisation: a Gabor filter tuned, pixel by pixel, to the local
//! ridge orientation and period, split in two one-dimensional passes for speed (a Gaussian along
//! the ridge, then a Gabor profile across it, as in oriented-separable variants of Hong, Wan and
//! Jain's filter). The sign of the response is the ridge map.

use super::field::Field;
use std::f32::consts::{PI, TAU};

/// Orientation steps of the precomputed filters.
const ORIENTATIONS: usize = 32;
/// Ridge period steps of the precomputed filters (half pixels from [`MIN_PERIOD`]).
const PERIODS: usize = 36;
const MIN_PERIOD: f32 = 4.0;
/// Margin around the image so that no filter tap needs a bounds check.
const PAD: usize = 32;

/// The ridge map of an image: 1 on ridges inside the foreground, 0 elsewhere.
pub fn ridge_map(px: &[f32], w: usize, h: usize, field: &Field, scale: f32) -> Vec<u8> {
    let pw = w + 2 * PAD;
    let ph = h + 2 * PAD;
    // Padded copy, the margin filled with the foreground's mean grey.
    let mut mean = 0.0;
    let mut n = 0.0;
    for y in 0..h {
        for x in 0..w {
            if field.mask[field.block_of(x, y)] {
                mean += px[y * w + x];
                n += 1.0;
            }
        }
    }
    let mean = if n > 0.0 { mean / n } else { 128.0 };
    let mut padded = vec![mean; pw * ph];
    for y in 0..h {
        padded[(y + PAD) * pw + PAD..(y + PAD) * pw + PAD + w]
            .copy_from_slice(&px[y * w..(y + 1) * w]);
    }
    // Per foreground pixel: orientation bin (interpolated between block centres) and period bin.
    // Background pixels are never filtered, so they need none (a 640×480 frame is mostly
    // background).
    let mut obin = vec![0u8; w * h];
    let mut pbin = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let b = field.block_of(x, y);
            if !field.mask[b] {
                continue;
            }
            let o = field.orientation_at(x as f32 + 0.5, y as f32 + 0.5);
            obin[y * w + x] =
                ((o / PI * ORIENTATIONS as f32).round() as usize % ORIENTATIONS) as u8;
            let p = field.period[b] / scale;
            pbin[y * w + x] = (((p - MIN_PERIOD) * 2.0)
                .round()
                .clamp(0.0, (PERIODS - 1) as f32)) as u8;
        }
    }
    // Pass 1: Gaussian smoothing along the ridge.
    let along_r = (7.0 * scale).round() as isize;
    let sigma_along = 3.5 * scale;
    let along_w: Vec<f32> = (-along_r..=along_r)
        .map(|k| (-(k * k) as f32 / (2.0 * sigma_along * sigma_along)).exp())
        .collect();
    let along_sum: f32 = along_w.iter().sum();
    let along_off: Vec<Vec<isize>> = (0..ORIENTATIONS)
        .map(|o| {
            let a = o as f32 * PI / ORIENTATIONS as f32;
            (-along_r..=along_r)
                .map(|k| offset(k as f32 * a.cos(), k as f32 * a.sin(), pw))
                .collect()
        })
        .collect();
    let mut smooth = padded.clone();
    for y in 0..h {
        for x in 0..w {
            if !field.mask[field.block_of(x, y)] {
                continue;
            }
            let c = ((y + PAD) * pw + x + PAD) as isize;
            let offs = &along_off[obin[y * w + x] as usize];
            let mut s = 0.0;
            for (o, wt) in offs.iter().zip(&along_w) {
                s += padded[(c + o) as usize] * wt;
            }
            smooth[c as usize] = s / along_sum;
        }
    }
    // Pass 2: Gabor profile across the ridge; kernels per period, offsets per orientation.
    let max_r = ((MIN_PERIOD + (PERIODS - 1) as f32 * 0.5) * scale).ceil() as isize;
    let across_off: Vec<Vec<isize>> = (0..ORIENTATIONS)
        .map(|o| {
            let a = o as f32 * PI / ORIENTATIONS as f32 + PI / 2.0;
            (-max_r..=max_r)
                .map(|k| offset(k as f32 * a.cos(), k as f32 * a.sin(), pw))
                .collect()
        })
        .collect();
    let kernels: Vec<(usize, Vec<f32>)> = (0..PERIODS)
        .map(|p| {
            let period = (MIN_PERIOD + p as f32 * 0.5) * scale;
            let r = period.round() as isize;
            let sigma = period * 0.5;
            let mut k: Vec<f32> = (-r..=r)
                .map(|i| {
                    let i = i as f32;
                    (-i * i / (2.0 * sigma * sigma)).exp() * (TAU * i / period).cos()
                })
                .collect();
            let m = k.iter().sum::<f32>() / k.len() as f32;
            k.iter_mut().for_each(|v| *v -= m);
            ((max_r - r) as usize, k)
        })
        .collect();
    let mut ridges = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            if !field.mask[field.block_of(x, y)] {
                continue;
            }
            let c = ((y + PAD) * pw + x + PAD) as isize;
            let offs = &across_off[obin[y * w + x] as usize];
            let (start, k) = &kernels[pbin[y * w + x] as usize];
            let mut s = 0.0;
            for (o, wt) in offs[*start..].iter().zip(k) {
                s += smooth[(c + o) as usize] * wt;
            }
            // Dark ridges under the positive centre lobe give a negative response.
            ridges[y * w + x] = u8::from(s < 0.0);
        }
    }
    ridges
}

fn offset(dx: f32, dy: f32, stride: usize) -> isize {
    dy.round() as isize * stride as isize + dx.round() as isize
}
