//! Fingerprint quality per image (issue: quality < 20 ms per 388×374 FVC2002 DB1 image on one
//! core). The ten fixtures `fixtures/fingers/1xx_1.png` are FVC2002 DB1 impressions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kattoo::quality::finger::assess;
use std::hint::black_box;
use std::path::Path;

fn load(name: &str) -> (Vec<u8>, u32, u32) {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fingers")).join(name);
    let img = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

fn quality(c: &mut Criterion) {
    let images: Vec<_> = (101..=110).map(|f| load(&format!("{f}_1.png"))).collect();
    let (_, w, h) = images[0];
    println!("quality bench: {} images of {w}×{h}", images.len());
    let mut group = c.benchmark_group("quality");
    group.throughput(Throughput::Elements(1));
    group.bench_function("finger/388x374", |b| {
        let mut i = 0;
        b.iter(|| {
            let (px, w, h) = &images[i % images.len()];
            i += 1;
            black_box(assess(black_box(px), *w, *h).expect("fixture is assessable"))
        })
    });
    group.finish();
}

criterion_group!(benches, quality);
criterion_main!(benches);
