//! Minutiae on the thinned ridges: crossing numbers find endings and bifurcations, short traces
//! along the skeleton give their directions, and the usual false minutiae are removed: those on
//! the foreground's border, spurs, bridges, short ridges and islands, broken ridges, and dense
//! clusters (the rules of NIST mindtct's `remove_*` passes, simplified).

use super::field::Field;
use super::skeleton::{RING, code, crossing_number};
use crate::matching::template::{Minutia, MinutiaKind};
use std::f32::consts::{PI, TAU};

/// A candidate before filtering.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    x: i32,
    y: i32,
    angle: f32,
    kind: MinutiaKind,
    quality: f32,
    removed: bool,
}

/// Where a trace along the skeleton stopped.
struct Trace {
    /// Last pixel reached.
    end: (i32, i32),
    /// Pixels walked.
    steps: usize,
    /// Whether it stopped on another ending or bifurcation (not a length limit).
    hit: Option<(i32, i32)>,
}

/// Walks along the skeleton from `start` through `first` for up to `max` pixels.
fn trace(
    skel: &[u8],
    w: usize,
    h: usize,
    start: (i32, i32),
    first: (i32, i32),
    max: usize,
) -> Trace {
    let mut prev = start;
    let mut prev2 = start;
    let mut cur = first;
    let mut steps = 1;
    loop {
        let c = code(skel, w, h, cur.0 as usize, cur.1 as usize);
        let cn = crossing_number(c);
        if cn != 2 {
            return Trace {
                end: cur,
                steps,
                hit: Some(cur),
            };
        }
        if steps >= max {
            return Trace {
                end: cur,
                steps,
                hit: None,
            };
        }
        // Next: a ridge neighbour that is neither of the last two pixels nor adjacent to the
        // previous one (that would cut a corner back), 4-neighbours first.
        let mut next = None;
        for pass in 0..2 {
            for (i, (dx, dy)) in RING.iter().enumerate() {
                if (c >> i) & 1 == 0 || (i % 2 == 1) != (pass == 1) {
                    continue;
                }
                let n = (cur.0 + dx, cur.1 + dy);
                if n == prev
                    || n == prev2
                    || ((n.0 - prev.0).abs() <= 1 && (n.1 - prev.1).abs() <= 1)
                {
                    continue;
                }
                next = Some(n);
                break;
            }
            if next.is_some() {
                break;
            }
        }
        let Some(n) = next else {
            return Trace {
                end: cur,
                steps,
                hit: None,
            };
        };
        prev2 = prev;
        prev = cur;
        cur = n;
        steps += 1;
    }
}

/// The first pixel of each run of ridge neighbours around a skeleton pixel: one per branch.
fn branches(c: u8, x: i32, y: i32) -> Vec<(i32, i32)> {
    let mut out = Vec::with_capacity(3);
    for i in 0..8 {
        let here = (c >> i) & 1;
        let before = (c >> ((i + 7) % 8)) & 1;
        if here == 1 && before == 0 {
            // Prefer a 4-neighbour in the run if there is one right after a diagonal start.
            let mut j = i;
            if i % 2 == 1 && (c >> ((i + 1) % 8)) & 1 == 1 {
                j = (i + 1) % 8;
            }
            out.push((x + RING[j].0, y + RING[j].1));
        }
    }
    out
}

fn angle_of(from: (i32, i32), to: (i32, i32)) -> f32 {
    ((to.1 - from.1) as f32)
        .atan2((to.0 - from.0) as f32)
        .rem_euclid(TAU)
}

/// Smallest absolute difference between two directions.
#[inline]
pub fn angle_diff(a: f32, b: f32) -> f32 {
    let mut d = (a - b).abs();
    while d > TAU {
        d -= TAU;
    }
    d.min(TAU - d).abs()
}

/// Snaps a traced direction to the orientation field's, keeping the traced sense.
fn refine(traced: f32, field: &Field, x: i32, y: i32) -> f32 {
    let o = field.orientation_at(x as f32 + 0.5, y as f32 + 0.5);
    let a = if angle_diff(o, traced) <= PI / 2.0 {
        o
    } else {
        o + PI
    };
    // Only trust the field when it agrees with the trace.
    if angle_diff(a, traced) < PI / 6.0 {
        a.rem_euclid(TAU)
    } else {
        traced
    }
}

/// Finds and filters the minutiae of a skeleton.
pub fn detect(skel: &[u8], w: usize, h: usize, field: &Field, scale: f32) -> Vec<Minutia> {
    let trace_len = (10.0 * scale).round() as usize;
    let short = (8.0 * scale).round() as usize;
    let mut cands: Vec<Candidate> = Vec::new();
    let mut traces: Vec<Vec<Trace>> = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if skel[y * w + x] == 0 {
                continue;
            }
            let b = field.block_of(x, y);
            if !field.mask[b] {
                continue;
            }
            let c = code(skel, w, h, x, y);
            let cn = crossing_number(c);
            let (xi, yi) = (x as i32, y as i32);
            let kind = match cn {
                1 => MinutiaKind::Ending,
                3 => MinutiaKind::Bifurcation,
                _ => continue,
            };
            let starts = branches(c, xi, yi);
            let ts: Vec<Trace> = starts
                .iter()
                .map(|&s| trace(skel, w, h, (xi, yi), s, trace_len.max(short)))
                .collect();
            let angle = match kind {
                MinutiaKind::Ending => {
                    let Some(t) = ts.first() else { continue };
                    refine(angle_of((xi, yi), t.end), field, xi, yi)
                }
                _ => {
                    if ts.len() != 3 {
                        continue;
                    }
                    let dirs: Vec<f32> = ts.iter().map(|t| angle_of((xi, yi), t.end)).collect();
                    // The stem is the branch farthest from the other two; point the other way.
                    let stem = (0..3)
                        .max_by(|&i, &j| {
                            let si = angle_diff(dirs[i], dirs[(i + 1) % 3])
                                .min(angle_diff(dirs[i], dirs[(i + 2) % 3]));
                            let sj = angle_diff(dirs[j], dirs[(j + 1) % 3])
                                .min(angle_diff(dirs[j], dirs[(j + 2) % 3]));
                            si.total_cmp(&sj)
                        })
                        .unwrap_or(0);
                    refine((dirs[stem] + PI).rem_euclid(TAU), field, xi, yi)
                }
            };
            cands.push(Candidate {
                x: xi,
                y: yi,
                angle,
                kind,
                quality: field.coherence[b],
                removed: false,
            });
            traces.push(ts);
        }
    }
    filter(&mut cands, &traces, field, scale, short);
    let mut out: Vec<Minutia> = cands
        .iter()
        .filter(|c| !c.removed)
        .map(|c| Minutia {
            x: c.x as u16,
            y: c.y as u16,
            angle: c.angle,
            kind: c.kind,
            quality: (c.quality * 100.0).round().clamp(1.0, 100.0) as u8,
        })
        .collect();
    out.sort_by(|a, b| {
        b.quality
            .cmp(&a.quality)
            .then(a.y.cmp(&b.y))
            .then(a.x.cmp(&b.x))
    });
    out
}

fn filter(cands: &mut [Candidate], traces: &[Vec<Trace>], field: &Field, scale: f32, short: usize) {
    let n = cands.len();
    let index: std::collections::HashMap<(i32, i32), usize> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.x, c.y), i))
        .collect();
    // Spurs, short ridges, islands, bridges: a trace that meets another minutia quickly.
    let mut kill = vec![false; n];
    for i in 0..n {
        for t in &traces[i] {
            if t.steps <= short
                && let Some(hit) = t.hit
            {
                kill[i] = true;
                if let Some(&j) = index.get(&hit) {
                    kill[j] = true;
                }
            }
        }
    }
    // Border: too close to the background, or an ending whose tip faces the background.
    let edge = 10.0 * scale;
    let mut border = vec![false; n];
    for (i, c) in cands.iter().enumerate() {
        let (x, y) = (c.x as f32, c.y as f32);
        let mut near_edge = false;
        for k in 0..8 {
            let a = k as f32 * TAU / 8.0;
            if !field.in_mask((x + edge * a.cos()) as i32, (y + edge * a.sin()) as i32) {
                near_edge = true;
            }
        }
        if c.kind == MinutiaKind::Ending {
            // The tip faces angle + π.
            let (dx, dy) = ((c.angle + PI).cos(), (c.angle + PI).sin());
            for step in [12.0, 20.0] {
                let d = step * scale;
                if !field.in_mask((x + d * dx) as i32, (y + d * dy) as i32) {
                    near_edge = true;
                }
            }
        }
        if near_edge {
            kill[i] = true;
            border[i] = true;
        }
    }
    // Broken ridges: two endings facing each other across a small gap.
    let gap = 20.0 * scale;
    for i in 0..n {
        if cands[i].kind != MinutiaKind::Ending {
            continue;
        }
        for j in i + 1..n {
            if cands[j].kind != MinutiaKind::Ending {
                continue;
            }
            let (dx, dy) = (
                (cands[j].x - cands[i].x) as f32,
                (cands[j].y - cands[i].y) as f32,
            );
            let d = (dx * dx + dy * dy).sqrt();
            if d > gap || d == 0.0 {
                continue;
            }
            let to_j = dy.atan2(dx);
            // i's tip faces j (angle + π ≈ direction to j) and j's tip faces i.
            if angle_diff(cands[i].angle + PI, to_j) < PI / 4.0
                && angle_diff(cands[j].angle + PI, to_j + PI) < PI / 4.0
            {
                kill[i] = true;
                kill[j] = true;
            }
        }
    }
    // Clusters: pairs too close, or crowded neighbourhoods. Candidates removed at the border do
    // not count: the foreground's edge cuts every ridge it crosses, so they line it whatever the
    // image's quality, and counting them widened the border margin by the crowding radius.
    let close = 6.0 * scale;
    let crowd = 16.0 * scale;
    for i in 0..n {
        let mut crowded = 0;
        for j in 0..n {
            if i == j || border[j] {
                continue;
            }
            let (dx, dy) = (
                (cands[j].x - cands[i].x) as f32,
                (cands[j].y - cands[i].y) as f32,
            );
            let d = (dx * dx + dy * dy).sqrt();
            if d < close {
                kill[i] = true;
            }
            if d < crowd {
                crowded += 1;
            }
        }
        if crowded >= 3 {
            kill[i] = true;
        }
    }
    for (c, k) in cands.iter_mut().zip(kill) {
        c.removed = k;
    }
}
