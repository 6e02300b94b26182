//! Fingerprint matching (issue 12): minutiae extraction of 388×374 FVC2002 DB1 images and of a
//! 640×480 FVC2004 DB1 image, one 1:1 comparison, 1:N search of a two-finger probe over 10,000 and
//! 50,000 people × 2 fingers, and the memory of a gallery of 50,000 people × 10 fingers. Gallery
//! people are made from the fixtures (every minutia moved up to 40 pixels and turned at random:
//! realistic counts and spread, new patterns); the probe's person is enrolled among them with
//! other impressions of the fingers. Accuracy is not measured here but by `kattoo biometrics eval`,
//! and beside the peers by `benches/peers/run` (see benches/README.md).

mod common;

use common::{Rng, scrambled};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kattoo::matching::compare::{Prepared, score};
use kattoo::matching::extract::extract;
use kattoo::matching::search::{Gallery, ProbeFinger};
use kattoo::matching::template::Template;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

fn image(relative: &str) -> image::GrayImage {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")).join(relative);
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8()
}

/// A gallery of `people` × `slots` fingers; person 0 has the probe's fingers (first impressions).
fn gallery(people: u64, slots: usize, base: &[Template], enrolled: &[Template]) -> Gallery {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut g = Gallery::new(slots);
    let first: Vec<Option<Template>> = (0..slots).map(|s| enrolled.get(s).cloned()).collect();
    g.add_all(&[(0, first)]);
    let mut next = 1;
    while next < people {
        let chunk: Vec<(u64, Vec<Option<Template>>)> = (next..(next + 5_000).min(people))
            .map(|p| {
                let fingers = (0..slots)
                    .map(|_| {
                        Some(scrambled(
                            &base[(rng.next() * base.len() as f32) as usize % base.len()],
                            &mut rng,
                        ))
                    })
                    .collect();
                (p, fingers)
            })
            .collect();
        next += chunk.len() as u64;
        g.add_all(&chunk);
    }
    g.shrink_to_fit();
    g
}

fn matching(c: &mut Criterion) {
    let fingers: Vec<image::GrayImage> = (101..=110)
        .map(|f| image(&format!("fingers/{f}_1.png")))
        .collect();
    let base: Vec<Template> = fingers
        .iter()
        .map(|i| extract(i, 500).expect("fixture extracts"))
        .collect();
    let pair: Vec<Template> = ["101_1", "101_2", "102_1", "102_2"]
        .iter()
        .map(|s| extract(&image(&format!("matching/fvc/{s}.png")), 500).expect("fixture extracts"))
        .collect();

    let mut group = c.benchmark_group("matching");
    group.throughput(Throughput::Elements(1));
    group.bench_function("extract/388x374", |b| {
        let mut i = 0;
        b.iter(|| {
            i += 1;
            black_box(extract(black_box(&fingers[i % fingers.len()]), 500).expect("extracts"))
        })
    });
    let large = image("matching/fvc2004/101_1.png");
    group.bench_function("extract/640x480", |b| {
        b.iter(|| black_box(extract(black_box(&large), 500).expect("extracts")))
    });
    let (a, b2) = (Prepared::new(&pair[0]), Prepared::new(&pair[1]));
    group.bench_function("prepare", |b| {
        b.iter(|| black_box(Prepared::new(black_box(&pair[0]))))
    });
    group.bench_function("compare/1:1", |b| {
        b.iter(|| black_box(score(black_box(&a), black_box(&b2))))
    });

    let probe = [ProbeFinger::new(0, &pair[1]), ProbeFinger::new(1, &pair[3])];
    let enrolled = [pair[0].clone(), pair[2].clone()];
    let cores = rayon::current_num_threads();
    for people in [10_000u64, 50_000] {
        let t0 = Instant::now();
        let g = gallery(people, 2, &base, &enrolled);
        let built = t0.elapsed();
        let found = g.search(&probe, 1);
        assert_eq!(found[0].person, 0, "the enrolled person is found");
        let t0 = Instant::now();
        let runs = 5;
        for _ in 0..runs {
            black_box(g.search(&probe, 10));
        }
        let per_search = t0.elapsed().as_secs_f64() / f64::from(runs);
        println!(
            "1:N {people} people × 2 fingers: {:.1} MB, built in {:.1} s; {:.0} ms per search, {:.0} finger comparisons/s per core ({cores} cores)",
            g.memory_bytes() as f64 / 1e6,
            built.as_secs_f64(),
            per_search * 1e3,
            (people * 2) as f64 / per_search / cores as f64
        );
        group.sample_size(10);
        group.bench_function(format!("search/{people}x2"), |b| {
            b.iter(|| black_box(g.search(black_box(&probe), 10)))
        });
    }
    group.finish();

    let t0 = Instant::now();
    let big = gallery(50_000, 10, &base, &enrolled);
    println!(
        "gallery 50000 people × 10 fingers: {:.1} MB ({} bytes per finger), built in {:.0} s",
        big.memory_bytes() as f64 / 1e6,
        big.memory_bytes() / 500_000,
        t0.elapsed().as_secs_f64()
    );
}

criterion_group!(benches, matching);
criterion_main!(benches);
