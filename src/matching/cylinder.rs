//! Minutia Cylinder-Code local structures (Cappelli, Ferrara and Maltoni, 2010), in their
//! bit-vector form: around each minutia, a cylinder of cells (space around the minutia in its
//! own frame × relative direction of the neighbours) whose bit says whether neighbouring
//! minutiae contribute there. Two cylinders compare with XOR and popcount, so local similarity
//! costs a handful of instructions and does not depend on translation or rotation.

use crate::matching::extract::angle_diff;
use std::f32::consts::{PI, TAU};

/// Radius of a cylinder, in 500 ppi pixels.
pub const RADIUS: f32 = 70.0;
/// Cells along each spatial side.
pub const NS: usize = 8;
/// Direction sections.
pub const ND: usize = 6;
/// 64-bit words per cylinder.
pub const WORDS: usize = NS * NS * ND / 64;
const SIGMA_S: f32 = 28.0 / 3.0;
const SIGMA_D: f32 = 2.0 * PI / 9.0;
const MU_PSI: f32 = 0.01;
/// Distance from the minutiae's convex hull beyond which cells are invalid.
const OMEGA: f32 = 50.0;
/// Fewest valid cells, as a fraction of all cells, for a cylinder to be kept.
const MIN_VALID_CELLS: f32 = 0.60;
/// Fewest neighbours within reach of a cylinder for it to be kept.
const MIN_NEIGHBOURS: usize = 2;

/// A minutia in the comparator's frame: 500 ppi pixels, radians (see `template`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Column.
    pub x: f32,
    /// Row.
    pub y: f32,
    /// Direction.
    pub angle: f32,
}

/// One bit-vector cylinder: cell values and the cells that are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cylinder {
    /// Cell bits.
    pub bits: [u64; WORDS],
    /// Valid cells.
    pub mask: [u64; WORDS],
}

impl Cylinder {
    /// The local similarity of two cylinders, 0–1, or 0 when too few cells are valid in both.
    #[inline(always)]
    pub fn similarity(&self, other: &Cylinder, min_common: u32) -> f32 {
        let mut common = 0;
        let mut na = 0;
        let mut nb = 0;
        let mut nx = 0;
        for k in 0..WORDS {
            let m = self.mask[k] & other.mask[k];
            common += m.count_ones();
            let a = self.bits[k] & m;
            let b = other.bits[k] & m;
            na += a.count_ones();
            nb += b.count_ones();
            nx += (a ^ b).count_ones();
        }
        if common < min_common || na + nb == 0 {
            return 0.0;
        }
        let (na, nb, nx) = (na as f32, nb as f32, nx as f32);
        1.0 - nx.sqrt() / (na.sqrt() + nb.sqrt())
    }
}

/// Fewest cells valid in both cylinders for them to be compared.
pub const MIN_COMMON_CELLS: u32 = (NS * NS * ND) as u32 * 45 / 100;

/// Cylinders of every minutia; `None` where a minutia has too few neighbours or valid cells.
pub fn cylinders(points: &[Point]) -> Vec<Option<Cylinder>> {
    let hull = Hull::new(points);
    let delta_s = 2.0 * RADIUS / NS as f32;
    let reach = RADIUS + 3.0 * SIGMA_S;
    let total = (NS * NS * ND) as f32;
    let norm_s = 1.0 / (SIGMA_S * (TAU).sqrt());
    let lut = direction_lut();
    points
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let neighbours: Vec<&Point> = points
                .iter()
                .enumerate()
                .filter(|&(j, p)| {
                    j != i && (p.x - m.x).powi(2) + (p.y - m.y).powi(2) <= reach * reach
                })
                .map(|(_, p)| p)
                .collect();
            if neighbours.len() < MIN_NEIGHBOURS {
                return None;
            }
            let (c, s) = (m.angle.cos(), m.angle.sin());
            let half = (NS as f32 - 1.0) / 2.0;
            let reach_s = 3.0 * SIGMA_S;
            // Each neighbour adds to the cells within 3σ of it, in the minutia's own frame.
            let mut values = [[0f32; ND]; NS * NS];
            for n in &neighbours {
                let (dx, dy) = (n.x - m.x, n.y - m.y);
                let (lu, lv) = (dx * c + dy * s, -dx * s + dy * c);
                let dtheta = signed_diff(m.angle, n.angle);
                let step = (((dtheta + PI) / TAU * LUT_STEPS as f32) as usize).min(LUT_STEPS - 1);
                let row = &lut[step];
                let range = |l: f32| {
                    let lo = ((l - reach_s) / delta_s + half).ceil().max(0.0) as usize;
                    let hi = ((l + reach_s) / delta_s + half)
                        .floor()
                        .min((NS - 1) as f32);
                    (lo, hi)
                };
                let (a_lo, a_hi) = range(lu);
                let (b_lo, b_hi) = range(lv);
                if a_hi < 0.0 || b_hi < 0.0 {
                    continue;
                }
                for a in a_lo..=a_hi as usize {
                    let u = (a as f32 - half) * delta_s;
                    for b in b_lo..=b_hi as usize {
                        let v = (b as f32 - half) * delta_s;
                        let ds2 = (lu - u).powi(2) + (lv - v).powi(2);
                        if ds2 > reach_s * reach_s {
                            continue;
                        }
                        let cs = norm_s * (-ds2 / (2.0 * SIGMA_S * SIGMA_S)).exp();
                        for (value, cd) in values[a * NS + b].iter_mut().zip(row) {
                            *value += cs * cd;
                        }
                    }
                }
            }
            let mut cyl = Cylinder {
                bits: [0; WORDS],
                mask: [0; WORDS],
            };
            let mut valid = 0;
            for a in 0..NS {
                for b in 0..NS {
                    let u = (a as f32 - half) * delta_s;
                    let v = (b as f32 - half) * delta_s;
                    if u * u + v * v > RADIUS * RADIUS {
                        continue;
                    }
                    if !hull.within(m.x + u * c - v * s, m.y + u * s + v * c, OMEGA) {
                        continue;
                    }
                    for (k, value) in values[a * NS + b].iter().enumerate() {
                        let cell = (a * NS + b) * ND + k;
                        cyl.mask[cell / 64] |= 1 << (cell % 64);
                        if *value >= MU_PSI {
                            cyl.bits[cell / 64] |= 1 << (cell % 64);
                        }
                        valid += 1;
                    }
                }
            }
            (valid as f32 >= MIN_VALID_CELLS * total).then_some(cyl)
        })
        .collect()
}

const LUT_STEPS: usize = 256;

/// Directional contribution of a neighbour to each direction section, by the neighbour's
/// direction relative to the centre minutia in 256 steps.
fn direction_lut() -> &'static [[f32; ND]; LUT_STEPS] {
    static LUT: std::sync::OnceLock<[[f32; ND]; LUT_STEPS]> = std::sync::OnceLock::new();
    LUT.get_or_init(|| {
        let delta_d = TAU / ND as f32;
        std::array::from_fn(|step| {
            let dtheta = -PI + (step as f32 + 0.5) * TAU / LUT_STEPS as f32;
            std::array::from_fn(|k| {
                let phi = -PI + (k as f32 + 0.5) * delta_d;
                let alpha = signed_diff(phi, dtheta);
                gaussian_area(alpha - delta_d / 2.0, alpha + delta_d / 2.0, SIGMA_D)
            })
        })
    })
}

/// `a - b` wrapped into `[-π, π)`.
pub fn signed_diff(a: f32, b: f32) -> f32 {
    (a - b + PI).rem_euclid(TAU) - PI
}

/// Probability mass of N(0, σ) between `lo` and `hi`.
fn gaussian_area(lo: f32, hi: f32, sigma: f32) -> f32 {
    let k = 1.0 / (sigma * std::f32::consts::SQRT_2);
    0.5 * (erf(hi * k) - erf(lo * k))
}

/// Abramowitz and Stegun 7.1.26 (error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let sign = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_4 * t - 1.453_152_1) * t) + 1.421_413_8) * t - 0.284_496_74) * t
            + 0.254_829_6)
            * t
            * (-x * x).exp();
    sign * y
}

/// The convex hull of the points, counter-clockwise (Andrew's monotone chain).
pub fn convex_hull(points: &[Point]) -> Vec<(f32, f32)> {
    let mut p: Vec<(f32, f32)> = points.iter().map(|m| (m.x, m.y)).collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(2 * p.len());
    for &q in p.iter().chain(p.iter().rev().skip(1)) {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

/// A convex hull as edge lines, for "within this margin of the hull" tests.
#[derive(Debug, Clone, Default)]
pub struct Hull {
    /// Per edge: a point on it and its unit inward normal.
    edges: Vec<(f32, f32, f32, f32)>,
    /// Fewer than three distinct points: the points themselves.
    points: Vec<(f32, f32)>,
}

impl Hull {
    /// The hull of some points.
    pub fn new(points: &[Point]) -> Self {
        let h = convex_hull(points);
        if h.len() < 3 {
            return Self {
                edges: Vec::new(),
                points: h,
            };
        }
        let edges = (0..h.len())
            .map(|i| {
                let (a, b) = (h[i], h[(i + 1) % h.len()]);
                let (ex, ey) = (b.0 - a.0, b.1 - a.1);
                let len = (ex * ex + ey * ey).sqrt().max(1e-6);
                // Counter-clockwise in the (x, y) frame: the inside is on the left of each edge.
                (a.0, a.1, -ey / len, ex / len)
            })
            .collect();
        Self { edges, points: h }
    }

    /// Whether (x, y) is inside the hull or less than `margin` outside it (measured to the edge
    /// lines, so slightly generous near corners).
    #[inline]
    pub fn within(&self, x: f32, y: f32, margin: f32) -> bool {
        if self.edges.is_empty() {
            return self
                .points
                .iter()
                .any(|p| (p.0 - x).powi(2) + (p.1 - y).powi(2) <= margin * margin);
        }
        self.edges
            .iter()
            .all(|&(ax, ay, nx, ny)| (x - ax) * nx + (y - ay) * ny >= -margin)
    }
}

/// Whether two minutiae directions are close enough to be compared.
pub fn directions_compatible(a: f32, b: f32) -> bool {
    angle_diff(a, b) <= PI / 2.0
}
