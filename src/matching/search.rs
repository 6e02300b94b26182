//! 1:N search over a gallery held in memory, with several fingers per person.
//!
//! Two stages. Every gallery finger keeps, besides its minutiae (4 bytes each), a fixed-size
//! code: the bit cylinders of its [`CODE_CYLINDERS`] minutiae nearest its centre (384 bytes).
//! The first stage scores every person by how well those cylinders find a partner among the
//! probe's cylinders (XOR and popcount, a couple of microseconds per finger), fused over the
//! probe's fingers. The best people form a shortlist; only they are compared with the full
//! matcher ([`compare::score`]), whose finger scores are fused into the person's score.
//! 50,000 people × 10 fingers take about 270 MB.

use crate::matching::compare::{Prepared, score};
use crate::matching::cylinder::{Point, WORDS};
use crate::matching::template::Template;
use rayon::prelude::*;
use std::f32::consts::TAU;

/// Cylinders kept per gallery finger for the first stage.
pub const CODE_CYLINDERS: usize = 8;

/// The first-stage code of a finger: the bits of the cylinders nearest its centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentralCode {
    cylinders: [[u64; WORDS]; CODE_CYLINDERS],
    count: u8,
}

impl CentralCode {
    /// The code of a prepared template.
    pub fn new(p: &Prepared) -> Self {
        let n = p.points.len().max(1) as f32;
        let cx = p.points.iter().map(|q| q.x).sum::<f32>() / n;
        let cy = p.points.iter().map(|q| q.y).sum::<f32>() / n;
        let mut idx: Vec<usize> = (0..p.points.len())
            .filter(|&i| p.cylinders[i].is_some())
            .collect();
        let dist = |i: usize| (p.points[i].x - cx).powi(2) + (p.points[i].y - cy).powi(2);
        idx.sort_by(|&a, &b| dist(a).total_cmp(&dist(b)).then(a.cmp(&b)));
        let mut code = Self {
            cylinders: [[0; WORDS]; CODE_CYLINDERS],
            count: 0,
        };
        for (slot, &i) in idx.iter().take(CODE_CYLINDERS).enumerate() {
            if let Some(c) = &p.cylinders[i] {
                code.cylinders[slot] = c.bits;
                code.count += 1;
            }
        }
        code
    }

    /// First-stage similarity 0–1 to a probe: the mean over this code's cylinders of the best
    /// similarity to any probe cylinder (cells compared where the probe's are valid).
    pub fn similarity(&self, probe: &Prepared) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU has the popcnt instruction, checked just above.
            return unsafe { self.similarity_popcnt(probe) };
        }
        self.similarity_inner(probe)
    }

    /// [`Self::similarity`] compiled with the popcount instruction.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn similarity_popcnt(&self, probe: &Prepared) -> f32 {
        self.similarity_inner(probe)
    }

    #[inline(always)]
    fn similarity_inner(&self, probe: &Prepared) -> f32 {
        if self.count == 0 {
            return 0.0;
        }
        let mut total = 0.0;
        for g in &self.cylinders[..usize::from(self.count)] {
            let mut best = 0.0f32;
            for c in probe.cylinders.iter().flatten() {
                let (mut na, mut nb, mut nx) = (0, 0, 0);
                for ((a, gw), m) in c.bits.iter().zip(g).zip(&c.mask) {
                    let b = gw & m;
                    na += a.count_ones();
                    nb += b.count_ones();
                    nx += (a ^ b).count_ones();
                }
                if na + nb > 0 {
                    let s = 1.0 - (nx as f32).sqrt() / ((na as f32).sqrt() + (nb as f32).sqrt());
                    best = best.max(s);
                }
            }
            total += best;
        }
        total / f32::from(self.count)
    }
}

/// A minutia as the gallery stores it in 32 bits: x and y in 500 ppi pixels (12 bits each,
/// clamped to 4,095) and the direction in 256 steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed(u32);

impl Packed {
    fn new(p: &Point) -> Self {
        let x = p.x.round().clamp(0.0, 4095.0) as u32;
        let y = p.y.round().clamp(0.0, 4095.0) as u32;
        let a = (p.angle.rem_euclid(TAU) / TAU * 256.0).round() as u32 % 256;
        Self((x << 20) | (y << 8) | a)
    }
    fn point(self) -> Point {
        Point {
            x: (self.0 >> 20) as f32,
            y: ((self.0 >> 8) & 0xfff) as f32,
            angle: (self.0 & 0xff) as f32 / 256.0 * TAU,
        }
    }
}

fn points_of(t: &Template) -> Vec<Point> {
    let s = t.scale_to_500ppi();
    t.minutiae
        .iter()
        .map(|m| Point {
            x: f32::from(m.x) * s,
            y: f32::from(m.y) * s,
            angle: m.angle,
        })
        .collect()
}

/// What the gallery keeps of a finger: its first-stage code and its packed minutiae (at most
/// 255). The code is made from the packed (rounded) minutiae, as the second stage sees them.
fn stored_finger(t: Option<&Template>) -> (CentralCode, Vec<Packed>) {
    let points = t.map(points_of).unwrap_or_default();
    let kept: Vec<Packed> = points
        .iter()
        .take(usize::from(u8::MAX))
        .map(Packed::new)
        .collect();
    let prepared = Prepared::from_points(kept.iter().map(|p| p.point()).collect());
    (CentralCode::new(&prepared), kept)
}

/// One gallery finger: its code and where its minutiae are in the arena.
#[derive(Debug, Clone, Copy)]
struct Finger {
    code: CentralCode,
    start: u32,
    len: u8,
}

/// The templates of many people, `slots` finger positions each, ready for search.
#[derive(Debug, Clone)]
pub struct Gallery {
    slots: usize,
    people: Vec<u64>,
    fingers: Vec<Finger>,
    arena: Vec<Packed>,
}

/// A finger of a probe: the gallery slot it is searched against and its template.
#[derive(Debug, Clone)]
pub struct ProbeFinger {
    /// Finger slot (the same numbering as the gallery's, e.g. 0 = right thumb).
    pub slot: usize,
    prepared: Prepared,
}

impl ProbeFinger {
    /// Prepares a probe finger.
    pub fn new(slot: usize, t: &Template) -> Self {
        Self {
            slot,
            prepared: Prepared::new(t),
        }
    }
}

/// A person the search returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The person's id in the gallery.
    pub person: u64,
    /// Fused score: the mean of the finger scores over the probe's fingers.
    pub score: f32,
    /// Score of each probe finger, in probe order.
    pub fingers: Vec<f32>,
}

/// People kept after the first stage: at least this many…
const SHORTLIST_MIN: usize = 100;
/// …or this fraction of the gallery (per mille), whichever is larger.
const SHORTLIST_PER_MILLE: usize = 5;

impl Gallery {
    /// An empty gallery of people with `slots` finger positions each.
    pub fn new(slots: usize) -> Self {
        Self {
            slots: slots.max(1),
            people: Vec::new(),
            fingers: Vec::new(),
            arena: Vec::new(),
        }
    }

    /// Adds a person; `fingers[slot]` is `None` where that finger was not captured.
    pub fn add(&mut self, person: u64, fingers: &[Option<&Template>]) {
        let stored: Vec<_> = (0..self.slots)
            .map(|slot| stored_finger(fingers.get(slot).copied().flatten()))
            .collect();
        self.push(person, stored);
    }

    /// Adds many people at once, preparing their fingers on all cores.
    pub fn add_all(&mut self, people: &[(u64, Vec<Option<Template>>)]) {
        let stored: Vec<Vec<(CentralCode, Vec<Packed>)>> = people
            .par_iter()
            .map(|(_, fingers)| {
                (0..self.slots)
                    .map(|slot| stored_finger(fingers.get(slot).and_then(Option::as_ref)))
                    .collect()
            })
            .collect();
        self.people.reserve(people.len());
        self.fingers.reserve(people.len() * self.slots);
        for ((person, _), fingers) in people.iter().zip(stored) {
            self.push(*person, fingers);
        }
    }

    fn push(&mut self, person: u64, fingers: Vec<(CentralCode, Vec<Packed>)>) {
        self.people.push(person);
        for (code, kept) in fingers {
            let start = self.arena.len() as u32;
            self.arena.extend_from_slice(&kept);
            self.fingers.push(Finger {
                code,
                start,
                len: kept.len() as u8,
            });
        }
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Finger positions per person.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Frees the spare capacity left by [`Gallery::add`].
    pub fn shrink_to_fit(&mut self) {
        self.people.shrink_to_fit();
        self.fingers.shrink_to_fit();
        self.arena.shrink_to_fit();
    }

    /// Bytes held by the gallery (its vectors' capacity).
    pub fn memory_bytes(&self) -> usize {
        self.people.capacity() * std::mem::size_of::<u64>()
            + self.fingers.capacity() * std::mem::size_of::<Finger>()
            + self.arena.capacity() * std::mem::size_of::<Packed>()
    }

    fn prepared(&self, index: usize) -> Prepared {
        let f = &self.fingers[index];
        let s = f.start as usize;
        let points = self.arena[s..s + usize::from(f.len)]
            .iter()
            .map(|p| p.point())
            .collect();
        Prepared::from_points(points)
    }

    /// The `k` people most similar to the probe, best first, on all cores.
    pub fn search(&self, probe: &[ProbeFinger], k: usize) -> Vec<Candidate> {
        let probe: Vec<&ProbeFinger> = probe.iter().filter(|f| f.slot < self.slots).collect();
        if probe.is_empty() || self.people.is_empty() || k == 0 {
            return Vec::new();
        }
        // Stage 1: fused pair-code similarity for everyone.
        let coarse: Vec<(f32, u32)> = (0..self.people.len())
            .into_par_iter()
            .with_min_len(1024)
            .map(|p| {
                let s: f32 = probe
                    .iter()
                    .map(|f| {
                        self.fingers[p * self.slots + f.slot]
                            .code
                            .similarity(&f.prepared)
                    })
                    .sum();
                (s, p as u32)
            })
            .collect();
        let keep = (self.people.len() * SHORTLIST_PER_MILLE / 1000)
            .max(SHORTLIST_MIN)
            .max(k);
        let mut coarse = coarse;
        if coarse.len() > keep {
            coarse.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0));
            coarse.truncate(keep);
        }
        // Stage 2: full comparison of the shortlist.
        let mut out: Vec<Candidate> = coarse
            .par_iter()
            .map(|&(_, p)| {
                let p = p as usize;
                let fingers: Vec<f32> = probe
                    .iter()
                    .map(|f| score(&f.prepared, &self.prepared(p * self.slots + f.slot)))
                    .collect();
                Candidate {
                    person: self.people[p],
                    score: fingers.iter().sum::<f32>() / fingers.len() as f32,
                    fingers,
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
        out.truncate(k);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fixtures;
    use crate::matching::template::Minutia;
    use crate::matching::threshold::FUSED2_FMR_100000;

    /// A deterministic generator (xorshift64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 40) as f32 / (1u64 << 24) as f32
        }
    }

    /// Another finger made from a fixture: every minutia moved up to 40 pixels and turned at
    /// random, so the count and spread are realistic but the pattern is new.
    fn scrambled(t: &Template, rng: &mut Rng) -> Template {
        let mut t = t.clone();
        for m in &mut t.minutiae {
            m.x = (f32::from(m.x) + (rng.next() - 0.5) * 80.0).clamp(0.0, 387.0) as u16;
            m.y = (f32::from(m.y) + (rng.next() - 0.5) * 80.0).clamp(0.0, 373.0) as u16;
            m.angle = rng.next() * TAU;
        }
        t
    }

    /// The same finger placed differently: rotated about the image centre and moved.
    fn moved(t: &Template, degrees: f32, dx: f32, dy: f32) -> Template {
        let (s, c) = degrees.to_radians().sin_cos();
        let mut t = t.clone();
        t.minutiae = t
            .minutiae
            .iter()
            .filter_map(|m| {
                let (u, v) = (f32::from(m.x) - 194.0, f32::from(m.y) - 187.0);
                let (x, y) = (194.0 + c * u - s * v + dx, 187.0 + s * u + c * v + dy);
                (x >= 0.0 && y >= 0.0).then(|| Minutia {
                    x: x as u16,
                    y: y as u16,
                    angle: (m.angle + degrees.to_radians()).rem_euclid(TAU),
                    ..*m
                })
            })
            .collect();
        t
    }

    #[test]
    fn finds_the_person_among_thousands() {
        let real: Vec<Template> = fixtures::STEMS
            .iter()
            .map(|s| fixtures::template(s))
            .collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut gallery = Gallery::new(2);
        // People 0..3000 made from the fixtures; person 7777 has fingers 101 and 102 (first
        // impressions, moved), the probe brings the second impressions.
        for person in 0..3000u64 {
            let a = scrambled(&real[(person % 6) as usize], &mut rng);
            let b = scrambled(&real[((person / 6) % 6) as usize], &mut rng);
            gallery.add(person, &[Some(&a), Some(&b)]);
            if person == 1234 {
                let a = moved(&real[0], 25.0, 10.0, -20.0);
                let b = moved(&real[2], -15.0, -5.0, 12.0);
                gallery.add(7777, &[Some(&a), Some(&b)]);
            }
        }
        assert_eq!(gallery.len(), 3001);
        let probe = [ProbeFinger::new(0, &real[1]), ProbeFinger::new(1, &real[3])];
        let found = gallery.search(&probe, 5);
        assert_eq!(found.len(), 5);
        assert_eq!(found[0].person, 7777, "{found:?}");
        assert!(FUSED2_FMR_100000.is_match(found[0].score), "{found:?}");
        assert!(!FUSED2_FMR_100000.is_match(found[1].score), "{found:?}");
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));

        // Someone who is not enrolled (finger 103) is not found.
        let stranger = [ProbeFinger::new(0, &real[4]), ProbeFinger::new(1, &real[5])];
        let found = gallery.search(&stranger, 1);
        assert!(!FUSED2_FMR_100000.is_match(found[0].score), "{found:?}");
    }

    #[test]
    fn fusion_needs_both_fingers() {
        let real: Vec<Template> = fixtures::STEMS
            .iter()
            .map(|s| fixtures::template(s))
            .collect();
        let mut gallery = Gallery::new(2);
        gallery.add(1, &[Some(&real[0]), Some(&real[2])]);
        gallery.add(2, &[Some(&real[4]), None]);
        // Both fingers agree: a match.
        let both = gallery.search(
            &[ProbeFinger::new(0, &real[1]), ProbeFinger::new(1, &real[3])],
            2,
        );
        assert_eq!(both[0].person, 1);
        assert_eq!(both[0].fingers.len(), 2);
        assert!(FUSED2_FMR_100000.is_match(both[0].score));
        // One finger agrees, the other is someone else's: the fused score drops to half.
        let one = gallery.search(
            &[ProbeFinger::new(0, &real[1]), ProbeFinger::new(1, &real[5])],
            1,
        );
        assert_eq!(one[0].person, 1);
        assert!(one[0].score < both[0].score);
        assert!(
            (one[0].score - one[0].fingers[0] / 2.0).abs() < 0.05,
            "{one:?}"
        );
        // A finger the gallery does not have scores 0, and slots beyond the gallery's are ignored.
        let missing = gallery.search(
            &[ProbeFinger::new(1, &real[5]), ProbeFinger::new(9, &real[5])],
            2,
        );
        assert!(
            missing
                .iter()
                .find(|c| c.person == 2)
                .is_some_and(|c| c.score == 0.0)
        );
        assert!(gallery.search(&[], 3).is_empty());
        assert!(
            Gallery::new(2)
                .search(&[ProbeFinger::new(0, &real[1])], 3)
                .is_empty()
        );
    }

    #[test]
    fn packed_minutiae_keep_their_place() {
        let p = Point {
            x: 301.4,
            y: 7.6,
            angle: 6.2,
        };
        let q = Packed::new(&p).point();
        assert_eq!((q.x, q.y), (301.0, 8.0));
        assert!((q.angle - 6.2).abs() < TAU / 256.0);
        let far = Packed::new(&Point {
            x: 5000.0,
            y: -3.0,
            angle: -0.1,
        })
        .point();
        assert_eq!((far.x, far.y), (4095.0, 0.0));
        assert!(far.angle > 6.0);
    }
}
