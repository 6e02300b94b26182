//! Central deduplication (issue 13): how many people per second central can search for duplicates
//! at import, as its gallery grows. Per imported person central does what `Central::import` does:
//! it extracts two finger templates from the batch's PNG files (on all cores), searches the
//! two-finger probe among everyone held (`PeopleIndex`, the same code as import), and adds the
//! person. The gallery is built from ISO/IEC 19794-2 records as central loads it from its
//! database, of people made from ten real fixture fingers (every minutia moved up to 40 pixels and
//! turned: new patterns with realistic counts); one person is enrolled with other impressions of
//! the probe's fingers and must be found.
//!
//! `cargo bench --bench dedup` (sizes in `KATTOO_DEDUP_SIZES`, default 10000,50000,200000).
//! Figures and the path to 3.5 million citizens: benches/README.md.

mod common;

use common::{Rng, scrambled};
use kattoo::domain::{BiometricFormat, FingerPosition};
use kattoo::matching::people::{PeopleIndex, finger_template, iso_record};
use kattoo::matching::template::Template;
use kattoo::matching::threshold::FUSED2_FMR_100000;
use rayon::prelude::*;
use std::time::Instant;

const PREFERRED: [FingerPosition; 6] = [
    FingerPosition::RightIndex,
    FingerPosition::LeftIndex,
    FingerPosition::RightThumb,
    FingerPosition::LeftThumb,
    FingerPosition::RightMiddle,
    FingerPosition::LeftMiddle,
];

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(common::fixtures().join(relative)).unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken from the command line.
    let sizes: Vec<usize> = std::env::var("KATTOO_DEDUP_SIZES")
        .unwrap_or_else(|_| "10000,50000,200000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("KATTOO_DEDUP_SIZES: numbers"))
        .collect();
    let cores = rayon::current_num_threads();
    let files: Vec<Vec<u8>> = (101..=110)
        .map(|f| read(&format!("fingers/{f}_1.png")))
        .collect();
    let base: Vec<Template> = files
        .iter()
        .map(|f| finger_template(BiometricFormat::Png, f, None).expect("fixture extracts"))
        .collect();

    // Extraction of one person's two fingers, as import does it: all cores over the batch.
    let people = 20;
    let t0 = Instant::now();
    let extracted: Vec<Option<Template>> = (0..people * 2)
        .into_par_iter()
        .map(|i| finger_template(BiometricFormat::Png, &files[i % files.len()], None))
        .collect();
    assert!(extracted.iter().all(Option::is_some));
    let extract_per_person = t0.elapsed().as_secs_f64() / people as f64;
    println!(
        "extraction: {:.1} ms per person (2 fingers, 388×374 PNG, {cores} cores)",
        extract_per_person * 1e3
    );

    let enrolled: Vec<Template> = ["101_1", "102_1", "101_2", "102_2"]
        .iter()
        .map(|s| {
            finger_template(
                BiometricFormat::Png,
                &read(&format!("matching/fvc/{s}.png")),
                None,
            )
            .unwrap()
        })
        .collect();
    let probe = [
        (FingerPosition::RightIndex, &enrolled[2]),
        (FingerPosition::LeftIndex, &enrolled[3]),
    ];
    println!(
        "{:>9} {:>10} {:>12} {:>14} {:>12} {:>10}",
        "people", "memory MB", "load s", "search ms", "people/s", "B/person"
    );
    for n in sizes {
        // Stored rows, as central's templates table holds them.
        let mut rows: Vec<(String, u8, Vec<u8>)> = Vec::with_capacity(n * 2);
        for (p, t) in [
            (FingerPosition::RightIndex, &enrolled[0]),
            (FingerPosition::LeftIndex, &enrolled[1]),
        ] {
            rows.push(("KG0000-000000".into(), p.code(), iso_record(p, t).unwrap()));
        }
        let made: Vec<(String, u8, Vec<u8>)> = (1..n)
            .into_par_iter()
            .flat_map_iter(|i| {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64).wrapping_mul(0x2545_f491));
                [FingerPosition::RightIndex, FingerPosition::LeftIndex].map(|p| {
                    let t = scrambled(
                        &base[(rng.next() * base.len() as f32) as usize % base.len()],
                        &mut rng,
                    );
                    (
                        format!("KG{:04}-{:06}", i / 1000, i),
                        p.code(),
                        iso_record(p, &t).unwrap(),
                    )
                })
            })
            .collect();
        rows.extend(made);
        let t0 = Instant::now();
        let mut index = PeopleIndex::for_positions(&PREFERRED);
        index.add_stored(
            rows.iter()
                .map(|(id, p, iso)| (id.as_str(), *p, iso.as_slice())),
        );
        let load = t0.elapsed().as_secs_f64();
        drop(rows);
        let found = index.search(&probe, FUSED2_FMR_100000.score, 10);
        assert_eq!(
            found.first().map(|m| m.registration_id.as_str()),
            Some("KG0000-000000"),
            "the enrolled person is found"
        );
        let runs = 10;
        let t0 = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(index.search(&probe, FUSED2_FMR_100000.score, 10));
        }
        let search = t0.elapsed().as_secs_f64() / runs as f64;
        println!(
            "{n:>9} {:>10.1} {load:>12.1} {:>14.0} {:>12.2} {:>10.0}",
            index.memory_bytes() as f64 / 1e6,
            search * 1e3,
            1.0 / (extract_per_person + search),
            index.memory_bytes() as f64 / n as f64
        );
    }
}
