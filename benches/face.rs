//! Face checks per 1280×720 frame, on one core (rustface is built without rayon).
//! Target: at least 5 frames per second, i.e. under 200 ms a frame.

use criterion::{Criterion, criterion_group, criterion_main};
use image::{Rgb, RgbImage, imageops};
use kattoo::quality::face::{FaceDetector, MODEL_FILE_NAME, check_face};
use std::hint::black_box;
use std::path::Path;

/// The reference portrait framed head-and-shoulders and scaled onto a 1280×720 canvas, as in the
/// unit tests' kiosk frame.
fn kiosk_frame() -> RgbImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/faces/astronaut.png");
    let astronaut = image::open(&path).expect("fixture").to_rgb8();
    let head_and_shoulders = imageops::crop_imm(&astronaut, 30, 0, 384, 384).to_image();
    let portrait = imageops::resize(
        &head_and_shoulders,
        720,
        720,
        imageops::FilterType::Triangle,
    );
    let mut frame = RgbImage::from_pixel(1280, 720, Rgb([196, 190, 190]));
    imageops::replace(&mut frame, &portrait, 280, 0);
    frame
}

fn bench_face(c: &mut Criterion) {
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/models")
        .join(MODEL_FILE_NAME);
    let mut detector = FaceDetector::from_file(&model).expect("model");
    let frame = kiosk_frame();
    let checks = check_face(&mut detector, frame.as_raw(), 1280, 720).expect("frame");
    assert!(
        checks.all_passed(),
        "the bench frame should be a good photo: {checks:#?}"
    );

    let mut group = c.benchmark_group("face");
    group.sample_size(20);
    group.bench_function("check_face_1280x720", |b| {
        b.iter(|| check_face(&mut detector, black_box(frame.as_raw()), 1280, 720).expect("frame"))
    });
    group.bench_function("load_model", |b| {
        b.iter(|| FaceDetector::from_file(black_box(&model)).expect("model"))
    });
    group.finish();
}

criterion_group!(benches, bench_face);
criterion_main!(benches);
