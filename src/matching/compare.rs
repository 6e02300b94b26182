//! 1:1 comparison of two templates.
//!
//! Local then global, as in most modern minutiae matchers: every minutia pair is scored by its
//! [`Cylinder`] similarity (invariant to rotation and translation, tolerant to distortion
//! because cells are coarse), the best pairs are tried in turn as the anchor of a rigid
//! alignment, and under each alignment minutiae are paired one-to-one where position and
//! direction agree. The score grows with the number and local similarity of consistent pairs,
//! normalised by how many minutiae each template has in the overlapping area, so partial prints
//! are not punished for what they do not show.

use crate::matching::cylinder::{self, Cylinder, Hull, Point, signed_diff};
use crate::matching::extract::angle_diff;
use crate::matching::template::Template;
use std::f32::consts::PI;

/// A template made ready for comparison: positions in 500 ppi pixels and cylinders.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Minutiae, 500 ppi frame.
    pub points: Vec<Point>,
    /// Cylinder per minutia, `None` where it has too little around it.
    pub cylinders: Vec<Option<Cylinder>>,
    /// Convex hull of the minutiae.
    pub hull: Hull,
}

impl Prepared {
    /// Prepares a template (normalises its resolution, builds its cylinders).
    pub fn new(t: &Template) -> Self {
        let s = t.scale_to_500ppi();
        let points: Vec<Point> = t
            .minutiae
            .iter()
            .map(|m| Point {
                x: f32::from(m.x) * s,
                y: f32::from(m.y) * s,
                angle: m.angle,
            })
            .collect();
        Self::from_points(points)
    }

    /// Prepares minutiae already in the 500 ppi frame.
    pub fn from_points(points: Vec<Point>) -> Self {
        let cylinders = cylinder::cylinders(&points);
        let hull = Hull::new(&points);
        Self {
            points,
            cylinders,
            hull,
        }
    }
}

/// The comparator's parameters, chosen on FVC2002 DB1_B and FVC2004 DB1_B (never on DB4_B) by
/// EER, with kattoo's extractor; see benches/README.md.
const PARAMS: Params = Params {
    // Position tolerance after alignment near the anchor, 500 ppi pixels…
    dist_tol: 13.0,
    // …growing by this much per pixel of distance from the anchor (skin distortion).
    dist_slope: 0.04,
    // Direction tolerance after alignment (30°).
    angle_tol: PI / 6.0,
    // Templates with fewer minutiae in the overlap count as this many, so that tiny overlaps
    // with two or three agreeing minutiae do not score like whole fingers.
    min_overlap: 12.0,
    // Weight of positional closeness beside cylinder similarity in a pair's weight.
    closeness_weight: 0.5,
    // Anchors tried: the pairs with the best local similarity.
    anchors: 12,
};

/// A rigid motion taking template a's frame to b's: rotate by `rot` about `from`, then move
/// `from` onto `to`.
#[derive(Debug, Clone, Copy)]
struct Motion {
    from: (f32, f32),
    to: (f32, f32),
    rot: f32,
    cos: f32,
    sin: f32,
}

impl Motion {
    fn new(from: (f32, f32), to: (f32, f32), rot: f32) -> Self {
        Self {
            from,
            to,
            rot,
            cos: rot.cos(),
            sin: rot.sin(),
        }
    }
    #[inline]
    fn apply(&self, p: &Point) -> Point {
        let (dx, dy) = (p.x - self.from.0, p.y - self.from.1);
        Point {
            x: self.to.0 + dx * self.cos - dy * self.sin,
            y: self.to.1 + dx * self.sin + dy * self.cos,
            angle: p.angle + self.rot,
        }
    }
    #[inline]
    fn invert(&self, p: &Point) -> (f32, f32) {
        let (dx, dy) = (p.x - self.to.0, p.y - self.to.1);
        (
            self.from.0 + dx * self.cos + dy * self.sin,
            self.from.1 - dx * self.sin + dy * self.cos,
        )
    }
}

/// What one alignment gives.
struct Pairing {
    weight: f32,
    a_in: usize,
    b_in: usize,
    pairs: Vec<(usize, usize)>,
}

struct Params {
    dist_tol: f32,
    dist_slope: f32,
    angle_tol: f32,
    min_overlap: f32,
    closeness_weight: f32,
    anchors: usize,
}

impl Pairing {
    fn score(&self, p: &Params) -> f32 {
        self.weight * self.weight
            / ((self.a_in as f32).max(p.min_overlap) * (self.b_in as f32).max(p.min_overlap))
    }
}

struct Scratch {
    cands: Vec<(f32, usize, usize)>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
    by_x: Vec<(f32, usize)>,
}

/// Pairs a's minutiae with b's under a motion, one to one, best first.
fn pair(
    a: &Prepared,
    b: &Prepared,
    sims: &[f32],
    m: &Motion,
    p: &Params,
    sc: &mut Scratch,
) -> Pairing {
    let nb = b.points.len();
    sc.cands.clear();
    let mut a_in = 0;
    let max_tol = p.dist_tol + p.dist_slope * 200.0;
    for (i, pt) in a.points.iter().enumerate() {
        let q = m.apply(pt);
        if b.hull.within(q.x, q.y, p.dist_tol) {
            a_in += 1;
        }
        // Skin distortion grows away from the anchor: so does the tolerance.
        let far = ((pt.x - m.from.0).powi(2) + (pt.y - m.from.1).powi(2)).sqrt();
        let tol = (p.dist_tol + p.dist_slope * far).min(max_tol);
        let from = sc.by_x.partition_point(|e| e.0 < q.x - tol);
        for &(rx, j) in &sc.by_x[from..] {
            if rx > q.x + tol {
                break;
            }
            let r = &b.points[j];
            let d2 = (q.x - r.x).powi(2) + (q.y - r.y).powi(2);
            if d2 > tol * tol || angle_diff(q.angle, r.angle) > p.angle_tol {
                continue;
            }
            let closeness = 1.0 - d2.sqrt() / (2.0 * tol);
            sc.cands
                .push((p.closeness_weight * closeness + sims[i * nb + j], i, j));
        }
    }
    let b_in = b
        .points
        .iter()
        .filter(|r| {
            let (x, y) = m.invert(r);
            a.hull.within(x, y, p.dist_tol)
        })
        .count();
    sc.cands.sort_by(|x, y| y.0.total_cmp(&x.0));
    sc.used_a.iter_mut().for_each(|u| *u = false);
    sc.used_b.iter_mut().for_each(|u| *u = false);
    let mut weight = 0.0;
    let mut pairs = Vec::new();
    for &(w, i, j) in &sc.cands {
        if sc.used_a[i] || sc.used_b[j] {
            continue;
        }
        sc.used_a[i] = true;
        sc.used_b[j] = true;
        weight += w / (1.0 + p.closeness_weight);
        pairs.push((i, j));
    }
    Pairing {
        weight,
        a_in,
        b_in,
        pairs,
    }
}

/// The least-squares rigid motion of paired minutiae (2-D Procrustes without scale).
fn fit(a: &Prepared, b: &Prepared, pairs: &[(usize, usize)]) -> Option<Motion> {
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f32;
    let (mut ax, mut ay, mut bx, mut by) = (0.0, 0.0, 0.0, 0.0);
    for &(i, j) in pairs {
        ax += a.points[i].x;
        ay += a.points[i].y;
        bx += b.points[j].x;
        by += b.points[j].y;
    }
    let (ax, ay, bx, by) = (ax / n, ay / n, bx / n, by / n);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for &(i, j) in pairs {
        let (px, py) = (a.points[i].x - ax, a.points[i].y - ay);
        let (qx, qy) = (b.points[j].x - bx, b.points[j].y - by);
        sxx += px * qx + py * qy;
        sxy += px * qy - py * qx;
    }
    Some(Motion::new((ax, ay), (bx, by), sxy.atan2(sxx)))
}

/// Fills the matrix of cylinder similarities (a's minutiae by b's) and lists the non-zero ones.
fn local_similarities(
    a: &Prepared,
    b: &Prepared,
    sims: &mut [f32],
    ranked: &mut Vec<(f32, usize, usize)>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has the popcnt instruction, checked just above.
        return unsafe { local_similarities_popcnt(a, b, sims, ranked) };
    }
    local_similarities_inner(a, b, sims, ranked);
}

/// [`local_similarities`] compiled with the popcount instruction (the default x86-64 target
/// counts bits in software, several times slower).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn local_similarities_popcnt(
    a: &Prepared,
    b: &Prepared,
    sims: &mut [f32],
    ranked: &mut Vec<(f32, usize, usize)>,
) {
    local_similarities_inner(a, b, sims, ranked);
}

#[inline(always)]
fn local_similarities_inner(
    a: &Prepared,
    b: &Prepared,
    sims: &mut [f32],
    ranked: &mut Vec<(f32, usize, usize)>,
) {
    let nb = b.points.len();
    for (i, ca) in a.cylinders.iter().enumerate() {
        let Some(ca) = ca else { continue };
        for (j, cb) in b.cylinders.iter().enumerate() {
            let Some(cb) = cb else { continue };
            if !cylinder::directions_compatible(a.points[i].angle, b.points[j].angle) {
                continue;
            }
            let s = ca.similarity(cb, cylinder::MIN_COMMON_CELLS);
            if s > 0.0 {
                sims[i * nb + j] = s;
                ranked.push((s, i, j));
            }
        }
    }
}

/// Similarity of two prepared templates, 0 (different fingers) to 1.
pub fn score(a: &Prepared, b: &Prepared) -> f32 {
    let p = PARAMS;
    let (na, nb) = (a.points.len(), b.points.len());
    if na < 2 || nb < 2 {
        return 0.0;
    }
    // Local similarities.
    let mut sims = vec![0f32; na * nb];
    let mut ranked: Vec<(f32, usize, usize)> = Vec::new();
    local_similarities(a, b, &mut sims, &mut ranked);
    if ranked.is_empty() {
        return 0.0;
    }
    let anchors = p.anchors.min(ranked.len());
    ranked.select_nth_unstable_by(anchors - 1, |x, y| y.0.total_cmp(&x.0));
    ranked.truncate(anchors);
    let mut by_x: Vec<(f32, usize)> = b.points.iter().enumerate().map(|(j, q)| (q.x, j)).collect();
    by_x.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut sc = Scratch {
        cands: Vec::new(),
        used_a: vec![false; na],
        used_b: vec![false; nb],
        by_x,
    };
    let mut best = 0.0f32;
    for &(_, ai, bj) in &ranked {
        let (pa, pb) = (a.points[ai], b.points[bj]);
        let m = Motion::new((pa.x, pa.y), (pb.x, pb.y), signed_diff(pb.angle, pa.angle));
        let first = pair(a, b, &sims, &m, &p, &mut sc);
        best = best.max(first.score(&p));
        if let Some(m2) = fit(a, b, &first.pairs) {
            let p2 = Params {
                dist_slope: 0.0,
                ..p
            };
            let second = pair(a, b, &sims, &m2, &p2, &mut sc);
            best = best.max(second.score(&p));
        }
    }
    best.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fixtures;
    use crate::matching::iso19794_2;
    use crate::matching::threshold::FINGER_FMR_1000;

    fn check_genuine_above_impostor(prepared: &[(&str, Prepared)]) {
        let mut lowest_genuine = f32::INFINITY;
        let mut highest_impostor = 0.0f32;
        for (i, (sa, a)) in prepared.iter().enumerate() {
            for (sb, b) in &prepared[i + 1..] {
                let s = score(a, b);
                assert!((0.0..=1.0).contains(&s));
                // Symmetric enough: the same decision either way round.
                let r = score(b, a);
                assert!((s - r).abs() < 0.05, "{sa} {sb}: {s} vs {r}");
                if sa[..3] == sb[..3] {
                    lowest_genuine = lowest_genuine.min(s);
                } else {
                    highest_impostor = highest_impostor.max(s);
                }
            }
        }
        assert!(lowest_genuine > FINGER_FMR_1000.score, "{lowest_genuine}");
        assert!(
            highest_impostor < FINGER_FMR_1000.score,
            "{highest_impostor}"
        );
        assert!(lowest_genuine > 2.0 * highest_impostor);
    }

    #[test]
    fn genuine_pairs_score_above_impostor_pairs() {
        let prepared: Vec<(&str, Prepared)> = fixtures::STEMS
            .iter()
            .map(|s| (*s, Prepared::new(&fixtures::template(s))))
            .collect();
        check_genuine_above_impostor(&prepared);
    }

    #[test]
    fn commercial_templates_compare_too() {
        let prepared: Vec<(&str, Prepared)> = fixtures::STEMS
            .iter()
            .map(|s| {
                // The records' minutiae are in a 300×400 frame; the images are 388×374.
                let t = iso19794_2::read(&fixtures::iso(s))
                    .unwrap()
                    .into_template()
                    .rescaled_to(388, 374);
                (*s, Prepared::new(&t))
            })
            .collect();
        check_genuine_above_impostor(&prepared);
    }

    #[test]
    fn a_template_matches_itself_and_nothing_matches_an_empty_one() {
        let t = Prepared::new(&fixtures::template("101_1"));
        assert!(score(&t, &t) > 0.8, "{}", score(&t, &t));
        let empty = Prepared::new(&Template::default());
        assert_eq!(score(&t, &empty), 0.0);
        assert_eq!(score(&empty, &empty), 0.0);
    }
}
