//! The five NFIQ 2 block features, each averaged over its blocks as NFIQ 2's `*_Bin10_Mean`:
//! orientation certainty (OCL), local clarity (LCS), frequency domain analysis (FDA),
//! ridge-valley uniformity (RVU) and orientation flow (OF). Block sizes, thresholds and the
//! order of operations follow NFIQ 2's published feature definitions.

use super::image::{
    Gray, all_foreground, centre_crop, gradient_covariance, ridge_orientation, ridge_segment,
    ridge_valley_structure, rotate_block,
};

/// Per-image means of the block features (NaN-free: a feature with no block is 0).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BlockMeans {
    pub(crate) ocl: f64,
    pub(crate) lcs: f64,
    pub(crate) fda: f64,
    pub(crate) rvu: f64,
    pub(crate) of: f64,
    /// Blocks (32×32) that the segmentation kept for LCS/FDA/RVU.
    pub(crate) foreground_blocks: usize,
}

const BLOCK: usize = 32;
const SEGMENT_THRESHOLD: f64 = 0.1;
/// The 32×16 slanted window needs a 36×36 neighbourhood to stay inside the image when rotated.
const SLANTED_W: usize = 32;
const SLANTED_H: usize = 16;

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Block origins (x, y) of NFIQ 2's overlapping grid for a block of `block` pixels whose
/// slanted window needs `offset` extra pixels on each side.
fn grid(img: &Gray, block: usize, offset: usize) -> (Vec<usize>, Vec<usize>) {
    let xs = (offset..)
        .step_by(block)
        .take_while(|&c| c + block + offset <= img.width)
        .collect();
    let ys = (offset..)
        .step_by(block)
        .take_while(|&r| r + block + offset <= img.height)
        .collect();
    (xs, ys)
}

fn slanted_offset(block: usize) -> usize {
    let diagonal = ((SLANTED_W * SLANTED_W + SLANTED_H * SLANTED_H) as f64)
        .sqrt()
        .ceil() as usize;
    (diagonal - block).div_ceil(2)
}

pub(crate) fn compute(img: &Gray) -> BlockMeans {
    let mut out = BlockMeans {
        ocl: ocl(img),
        of: orientation_flow(img),
        ..BlockMeans::default()
    };
    let mask = ridge_segment(img, BLOCK, SEGMENT_THRESHOLD);
    let offset = slanted_offset(BLOCK);
    let n = BLOCK + 2 * offset;
    let (xs, ys) = grid(img, BLOCK, offset);
    let (mut lcs, mut fda, mut rvu) = (Vec::new(), Vec::new(), Vec::new());
    for &y in &ys {
        for &x in &xs {
            if !all_foreground(&mask, img.width, x, y, BLOCK, BLOCK) {
                continue;
            }
            let (a, b, c) = gradient_covariance(&img.window(x, y, BLOCK, BLOCK), BLOCK, BLOCK);
            let angle = ridge_orientation(a, b, c);
            let wide = img.window(x - offset, y - offset, n, n);
            lcs.push(local_clarity(&wide, n, angle));
            fda.push(frequency_domain(&wide, n, angle));
            ridge_valley_ratios(&wide, n, angle, &mut rvu);
        }
    }
    out.foreground_blocks = lcs.len();
    out.lcs = mean(&lcs);
    out.fda = mean(&fda);
    out.rvu = mean(&rvu);
    out
}

/// OCL: 1 − λmin/λmax of the gradient covariance of every full 32×32 block with any gradient.
fn ocl(img: &Gray) -> f64 {
    let mut values = Vec::new();
    for y in (0..img.height)
        .step_by(BLOCK)
        .take_while(|&y| y + BLOCK <= img.height)
    {
        for x in (0..img.width)
            .step_by(BLOCK)
            .take_while(|&x| x + BLOCK <= img.width)
        {
            let (a, b, c) = gradient_covariance(&img.window(x, y, BLOCK, BLOCK), BLOCK, BLOCK);
            let root = ((a - b) * (a - b) + 4.0 * c * c).sqrt();
            let (max, min) = ((a + b + root) / 2.0, (a + b - root) / 2.0);
            if max > 0.0 {
                values.push(1.0 - min / max);
            }
        }
    }
    mean(&values)
}

/// LCS: share of pixels on the right side of the ridge/valley line in the slanted window, for
/// blocks whose ridge and valley widths are plausible at 500 ppi; 0 otherwise.
fn local_clarity(wide: &[f64], n: usize, angle: f64) -> f64 {
    let v2 = centre_crop(
        &rotate_block(wide, n, angle, false),
        n,
        SLANTED_W,
        SLANTED_H,
    );
    let (_, line, ridge) = ridge_valley_structure(&v2, SLANTED_W, SLANTED_H);
    let changes: Vec<usize> = (1..ridge.len())
        .filter(|&i| ridge[i] != ridge[i - 1])
        .map(|i| i - 1)
        .collect();
    if changes.is_empty() {
        return 0.0;
    }
    let mut widths = vec![changes[0] as f64];
    widths.extend(changes.windows(2).map(|w| (w[1] - w[0]) as f64));
    // Widths normalised by the widest ridge expected at 500 ppi (5 px at 125 ppi → 20 px).
    let scale = 500.0 / 125.0 * 5.0;
    let (first, second): (Vec<f64>, Vec<f64>) = {
        let odd = widths.iter().step_by(2).map(|w| w / scale).collect();
        let even = widths
            .iter()
            .skip(1)
            .step_by(2)
            .map(|w| w / scale)
            .collect();
        (odd, even)
    };
    let (ridges, valleys) = if ridge[0] {
        (first, second)
    } else {
        (second, first)
    };
    let (mr, mv) = (mean(&ridges), mean(&valleys));
    let plausible =
        (3.0 / scale..=10.0 / scale).contains(&mr) && (2.0 / scale..=10.0 / scale).contains(&mv);
    if !plausible {
        return 0.0;
    }
    let (mut ridge_bad, mut ridge_n, mut valley_bad, mut valley_n) =
        (0usize, 0usize, 0usize, 0usize);
    for (x, (&is_ridge, &t)) in ridge.iter().zip(&line).enumerate() {
        for y in 0..SLANTED_H {
            let v = v2[y * SLANTED_W + x];
            if is_ridge {
                ridge_n += 1;
                ridge_bad += usize::from(v >= t);
            } else {
                valley_n += 1;
                valley_bad += usize::from(v < t);
            }
        }
    }
    let alpha = valley_bad as f64 / valley_n as f64;
    let beta = ridge_bad as f64 / ridge_n as f64;
    1.0 - (alpha + beta) / 2.0
}

/// FDA: how much of the grey profile across the ridges sits in its dominant frequency (with a
/// third of each neighbouring bin), over the first half of the spectrum.
fn frequency_domain(wide: &[f64], n: usize, angle: f64) -> f64 {
    let rotated = rotate_block(wide, n, angle + std::f64::consts::FRAC_PI_2, false);
    let cropped = centre_crop(&rotated, n, SLANTED_H, SLANTED_W);
    let signal: Vec<f64> = (0..SLANTED_W)
        .map(|y| {
            cropped[y * SLANTED_H..(y + 1) * SLANTED_H]
                .iter()
                .sum::<f64>()
                / SLANTED_H as f64
        })
        .collect();
    let len = signal.len();
    // |DFT| without the DC term: amp[k - 1] = |X[k]| for k = 1..len.
    let twiddle: Vec<(f64, f64)> = (0..len)
        .map(|i| (-2.0 * std::f64::consts::PI * i as f64 / len as f64).sin_cos())
        .collect();
    let amp: Vec<f64> = (1..len)
        .map(|k| {
            let (mut re, mut im) = (0.0, 0.0);
            for (t, &v) in signal.iter().enumerate() {
                let (sin, cos) = twiddle[k * t % len];
                re += v * cos;
                im += v * sin;
            }
            re.hypot(im)
        })
        .collect();
    let mut peak = 0;
    for (i, &a) in amp.iter().enumerate() {
        if a > amp[peak] + 1e-9 * amp[peak].abs() {
            peak = i;
        }
    }
    let denom: f64 = amp[..amp.len() / 2].iter().sum();
    if peak == 0 || peak + 1 >= amp.len() || denom <= 0.0 {
        return 1.0;
    }
    (amp[peak] + 0.3 * (amp[peak - 1] + amp[peak + 1])) / denom
}

/// RVU: ratios of consecutive complete ridge and valley widths in the slanted window (NFIQ 2's
/// RVUP), appended to `out`.
fn ridge_valley_ratios(wide: &[f64], n: usize, angle: f64, out: &mut Vec<f64>) {
    let v2 = centre_crop(&rotate_block(wide, n, angle, true), n, SLANTED_W, SLANTED_H);
    let (_, _, ridge) = ridge_valley_structure(&v2, SLANTED_W, SLANTED_H);
    // NFIQ 2 looks at changes between positions 0..len-1 only (the last column is ignored).
    let changes: Vec<usize> = (1..ridge.len() - 1)
        .filter(|&i| ridge[i] != ridge[i - 1])
        .map(|i| i - 1)
        .collect();
    let Some((&first, &last)) = changes.first().zip(changes.last()) else {
        return;
    };
    if first + 1 >= last {
        return; // no complete ridge or valley between the first and last change
    }
    let begins_with_ridge = ridge[first + 1];
    let relative: Vec<usize> = changes[1..].iter().map(|&c| c - first).collect();
    if relative.len() < 2 {
        return;
    }
    let widths: Vec<f64> = (1..relative.len())
        .rev()
        .map(|i| (relative[i] - relative[i - 1]) as f64)
        .collect();
    let start = out.len();
    out.extend(widths.windows(2).map(|w| w[0] / w[1]));
    for r in out[start..]
        .iter_mut()
        .skip(usize::from(begins_with_ridge))
        .step_by(2)
    {
        *r = 1.0 / *r;
    }
}

/// OF: mean absolute orientation difference to the 8 neighbouring 16×16 blocks, for
/// foreground blocks whose whole neighbourhood is foreground and whose change exceeds 4°,
/// rescaled so that 4° → 0 and 90° → 1. Lower is a smoother ridge flow.
fn orientation_flow(img: &Gray) -> f64 {
    const OF_BLOCK: usize = 16;
    let mask = ridge_segment(img, OF_BLOCK, SEGMENT_THRESHOLD);
    let offset = slanted_offset(OF_BLOCK);
    let (xs, ys) = grid(img, OF_BLOCK, offset);
    let (cols, rows) = (xs.len(), ys.len());
    let mut angle = vec![0.0; cols * rows];
    let mut fg = vec![false; cols * rows];
    for (j, &y) in ys.iter().enumerate() {
        for (i, &x) in xs.iter().enumerate() {
            fg[j * cols + i] = all_foreground(&mask, img.width, x, y, OF_BLOCK, OF_BLOCK);
            let (a, b, c) =
                gradient_covariance(&img.window(x, y, OF_BLOCK, OF_BLOCK), OF_BLOCK, OF_BLOCK);
            angle[j * cols + i] = ridge_orientation(a, b, c);
        }
    }
    let min_angle = 4f64.to_radians();
    let span = (90.0f64 - 4.0).to_radians();
    let mut values = Vec::new();
    for j in 1..rows.saturating_sub(1) {
        for i in 1..cols.saturating_sub(1) {
            let neighbourhood = || {
                (j - 1..=j + 1).flat_map(move |jj| (i - 1..=i + 1).map(move |ii| jj * cols + ii))
            };
            if !neighbourhood().all(|k| fg[k]) {
                continue;
            }
            let centre = angle[j * cols + i];
            let change = neighbourhood()
                .map(|k| (angle[k] - centre).abs())
                .sum::<f64>()
                / 8.0;
            if change > min_angle {
                values.push((change - min_angle) / span);
            }
        }
    }
    mean(&values)
}
