//! Face checks on the reference portrait framed as a 720p kiosk camera would see it, and on variants
//! derived from it in code (deterministic, nothing random), each of which must fail for its own reason.

use super::*;
use image::{Rgb, RgbImage, imageops};
use std::path::Path;

fn detector() -> FaceDetector {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/models")
        .join(MODEL_FILE_NAME);
    FaceDetector::from_file(&path).expect("model in assets/models")
}

fn astronaut() -> RgbImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/faces/astronaut.png");
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

/// Grey of the studio backdrop, used to fill canvases.
const BACKDROP: Rgb<u8> = Rgb([196, 190, 190]);

/// Head and shoulders cut from the portrait (384 px square, centred on the face) and scaled to 720 px,
/// as a 720p webcam frames a seated person.
fn portrait_720() -> RgbImage {
    let head_and_shoulders = imageops::crop_imm(&astronaut(), 30, 0, 384, 384).to_image();
    imageops::resize(
        &head_and_shoulders,
        720,
        720,
        imageops::FilterType::Triangle,
    )
}

/// The portrait in the middle of a 1280×720 frame: the photo every check should pass.
fn kiosk_frame() -> RgbImage {
    let mut frame = RgbImage::from_pixel(1280, 720, BACKDROP);
    imageops::replace(&mut frame, &portrait_720(), 280, 0);
    frame
}

fn run(image: &RgbImage) -> FaceChecks {
    check_face(
        &mut detector(),
        image.as_raw(),
        image.width(),
        image.height(),
    )
    .expect("frame size matches")
}

/// Asserts that `kind` failed with `message_id` and every kind in `passing` passed, with the whole
/// result in the message when not.
fn assert_fails_only(
    result: &FaceChecks,
    kind: CheckKind,
    message_id: &str,
    passing: &[CheckKind],
) {
    let check = result.get(kind);
    assert_eq!(
        (check.verdict, check.message_id),
        (Verdict::Fail, message_id),
        "{result:#?}"
    );
    for &other in passing {
        assert!(
            result.get(other).passed(),
            "{other:?} should pass: {result:#?}"
        );
    }
    assert!(!result.all_passed());
}

const OTHERS: [CheckKind; 6] = [
    CheckKind::FaceCount,
    CheckKind::Size,
    CheckKind::Centring,
    CheckKind::Exposure,
    CheckKind::Sharpness,
    CheckKind::Background,
];

fn others_than(kind: CheckKind) -> Vec<CheckKind> {
    OTHERS.into_iter().filter(|&k| k != kind).collect()
}

#[test]
fn kiosk_frame_passes_every_check() {
    let result = run(&kiosk_frame());
    assert!(result.all_passed(), "{result:#?}");
    for kind in OTHERS {
        let check = result.get(kind);
        assert!(check.passed(), "{kind:?}: {check:#?}");
        assert!(check.score.is_some_and(|s| s >= thresholds::PASS_SCORE));
    }
    let face = result.face.expect("one face");
    // The face is in the middle third of the frame, where the portrait put it.
    assert!((427.0..853.0).contains(&face.centre_x()), "{face:?}");
    assert_eq!(result.checks.len(), 7);
}

#[test]
fn eye_line_is_reported_not_available_rather_than_guessed() {
    let result = run(&kiosk_frame());
    let eye_line = result.get(CheckKind::EyeLine);
    assert_eq!(eye_line.verdict, Verdict::NotAvailable);
    assert_eq!(eye_line.score, None);
    assert_eq!(eye_line.message_id, "face-check-eye-line-not-available");
}

#[test]
fn native_512_portrait_has_too_few_pixels_between_the_eyes() {
    // 512×512 as published: about 45 px between the eyes, under the ISO token minimum of 60.
    let result = run(&astronaut());
    let size = result.get(CheckKind::Size);
    assert_eq!(
        (size.verdict, size.message_id),
        (Verdict::Fail, "face-check-too-far"),
        "{result:#?}"
    );
    assert!(result.get(CheckKind::FaceCount).passed());
}

#[test]
fn blurred_frame_fails_sharpness() {
    // Gaussian blur of σ = 4 px on a 720p frame: about 2 % of the face width.
    let blurred = imageops::blur(&kiosk_frame(), 4.0);
    let result = run(&blurred);
    // Not Background: the blur spreads the hair into the band around the head that it reads.
    let passing = [
        CheckKind::FaceCount,
        CheckKind::Size,
        CheckKind::Centring,
        CheckKind::Exposure,
    ];
    assert_fails_only(
        &result,
        CheckKind::Sharpness,
        "face-check-blurred",
        &passing,
    );
}

#[test]
fn dark_frame_fails_exposure_as_too_dark_only() {
    // Two stops under: every sRGB code value divided by 4.
    let mut dark = kiosk_frame();
    dark.pixels_mut().for_each(|p| p.0 = p.0.map(|v| v / 4));
    let result = run(&dark);
    assert_fails_only(
        &result,
        CheckKind::Exposure,
        "face-check-too-dark",
        &others_than(CheckKind::Exposure),
    );
}

#[test]
fn washed_out_frame_fails_exposure() {
    // Blacks lifted to three quarters of white: v → 192 + v/4.
    let mut pale = kiosk_frame();
    pale.pixels_mut()
        .for_each(|p| p.0 = p.0.map(|v| 192 + v / 4));
    let result = run(&pale);
    let exposure = result.get(CheckKind::Exposure);
    assert_eq!(exposure.verdict, Verdict::Fail, "{result:#?}");
    assert!(
        ["face-check-too-bright", "face-check-clipped"].contains(&exposure.message_id),
        "{exposure:#?}"
    );
}

#[test]
fn portrait_in_the_corner_of_a_larger_frame_fails_centring_only() {
    let mut frame = RgbImage::from_pixel(1920, 1080, BACKDROP);
    imageops::replace(&mut frame, &portrait_720(), 0, 0);
    let result = run(&frame);
    assert_fails_only(
        &result,
        CheckKind::Centring,
        "face-check-off-centre-left",
        &others_than(CheckKind::Centring),
    );
}

#[test]
fn two_portraits_side_by_side_fail_face_count() {
    let portrait = portrait_720();
    let mut frame = RgbImage::from_pixel(1440, 720, BACKDROP);
    imageops::replace(&mut frame, &portrait, 0, 0);
    imageops::replace(&mut frame, &portrait, 720, 0);
    let result = run(&frame);
    assert_fails_only(
        &result,
        CheckKind::FaceCount,
        "face-check-several-faces",
        &[CheckKind::Exposure],
    );
    assert!(
        result
            .get(CheckKind::FaceCount)
            .reason
            .starts_with("2 faces")
    );
    assert_eq!(result.face, None);
    for kind in [
        CheckKind::Size,
        CheckKind::Centring,
        CheckKind::Sharpness,
        CheckKind::Background,
    ] {
        assert_eq!(result.get(kind).verdict, Verdict::NotAvailable, "{kind:?}");
    }
}

#[test]
fn backdrop_without_a_person_fails_face_count() {
    // The top right of the portrait: backdrop and the shuttle model, no face.
    let backdrop = imageops::crop_imm(&astronaut(), 312, 0, 200, 150).to_image();
    let frame = imageops::resize(&backdrop, 960, 720, imageops::FilterType::Triangle);
    let result = run(&frame);
    assert_fails_only(
        &result,
        CheckKind::FaceCount,
        "face-check-no-face",
        &[CheckKind::Exposure],
    );
    assert_eq!(result.face, None);
}

#[test]
fn flag_stripes_behind_the_head_fail_background_only() {
    // Chroma-key: backdrop pixels (grey, light) above the middle of the face box, and outside it,
    // become red and white stripes 24 px high, as a flag hung behind the person.
    let mut frame = kiosk_frame();
    let face = run(&frame).face.expect("one face");
    let backdrop_like = |p: &Rgb<u8>| {
        let (max, min) = (
            p.0.iter().max().copied().unwrap_or(0),
            p.0.iter().min().copied().unwrap_or(0),
        );
        max - min < 30 && min > 140
    };
    for y in 0..(face.y + face.height / 2.0) as u32 {
        let colour = if (y / 24) % 2 == 0 {
            Rgb([200, 30, 40])
        } else {
            Rgb([245, 245, 245])
        };
        for x in 0..frame.width() {
            let in_box = (x as f32) >= face.x && (x as f32) < face.x + face.width;
            if !in_box && backdrop_like(frame.get_pixel(x, y)) {
                frame.put_pixel(x, y, colour);
            }
        }
    }
    let result = run(&frame);
    assert_fails_only(
        &result,
        CheckKind::Background,
        "face-check-background-busy",
        &others_than(CheckKind::Background),
    );
}

#[test]
fn frame_with_wrong_buffer_length_is_an_error() {
    let err = check_face(&mut detector(), &[0u8; 10], 4, 4).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FrameSize {
                width: 4,
                height: 4,
                len: 10
            }
        ),
        "{err}"
    );
    assert_eq!(err.to_string(), "frame 4x4: 10 bytes of RGB, expected 48");
}

#[test]
fn tiny_frame_has_no_face_and_does_not_panic() {
    let frame = RgbImage::from_pixel(30, 20, BACKDROP);
    let result = run(&frame);
    assert_eq!(
        result.get(CheckKind::FaceCount).message_id,
        "face-check-no-face"
    );
}

#[test]
fn a_model_file_other_than_seeta_frontal_is_refused() {
    let err = FaceDetector::from_model_bytes(b"not a model").unwrap_err();
    assert!(matches!(err, Error::ModelDigest { .. }), "{err}");
    let missing = FaceDetector::from_file(Path::new("/nonexistent/seeta.bin")).unwrap_err();
    assert!(matches!(missing, Error::ModelRead { .. }), "{missing}");
    assert_eq!(
        missing.to_string(),
        "face model /nonexistent/seeta.bin: cannot read the file"
    );
}

#[test]
fn the_simulated_camera_frame_passes_every_check() {
    let frame = crate::hal::sim::kiosk_framing(&astronaut());
    assert_eq!(frame, kiosk_frame());
    assert!(run(&frame).all_passed());
}

#[test]
fn the_portrait_kept_leaves_out_the_flag_and_the_rocket_beside_the_person() {
    // In the 512 px photo the flag ends before x = 96 and the rocket starts after x = 354.
    let result = run(&astronaut());
    let face = result.face.expect("one face");
    let p = result.portrait.expect("one face, one portrait");
    assert!(p.x >= 96 && p.x + p.width <= 355, "{p:?}");
    let (x1, y1) = ((p.x + p.width) as f32, (p.y + p.height) as f32);
    assert!(
        p.x as f32 <= face.x
            && x1 >= face.x + face.width
            && p.y as f32 <= face.y
            && y1 >= face.y + face.height,
        "the face {face:?} is not inside the portrait {p:?}"
    );
    // Cut at the frame's edges, never past them.
    assert!(x1 <= 512.0 && y1 <= 512.0);
    // What is kept is exactly those pixels.
    let image = astronaut();
    let cut = p.cut(image.as_raw(), image.width()).unwrap();
    assert_eq!(cut.len(), (p.width * p.height * 3) as usize);
    assert_eq!(&cut[..3], &image.get_pixel(p.x, p.y).0);
}
