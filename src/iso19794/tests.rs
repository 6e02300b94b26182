//! Test vectors for `iso19794`: successes and failures, and random bytes that must never panic.

use super::*;
use crate::domain::FingerPosition;
use crate::hal::{DeviceError, ErrorKind};
use proptest::prelude::*;

const FINGER_PNG: &[u8] = include_bytes!("../../fixtures/fingers/101_1.png");
const J2K: &[u8] = include_bytes!("testdata/finger-48x40.j2k");
const J2K_PIXELS: &[u8] = include_bytes!("testdata/finger-48x40.gray");

fn finger_record() -> Vec<u8> {
    let rep = FingerRepresentation::new(
        FingerPosition::RightIndex,
        388,
        374,
        FingerCompression::Png,
        FINGER_PNG.to_vec(),
        Some(77),
    );
    FingerRecord::new(vec![rep]).encode().unwrap()
}

fn tiny_face_record() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 200]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    FaceRecord {
        representations: vec![FaceRepresentation::new(
            8,
            6,
            FaceImageData::Png,
            png,
            Some(60),
        )],
    }
    .encode()
    .unwrap()
}

#[test]
fn finger_record_header_bytes_follow_iso_19794_4_2011() {
    let rec = finger_record();
    assert_eq!(&rec[0..8], b"FIR\x00020\x00");
    assert_eq!(
        u32::from_be_bytes(rec[8..12].try_into().unwrap()) as usize,
        rec.len()
    );
    assert_eq!(
        &rec[12..16],
        &[0, 1, 0, 1],
        "one representation, no certification, one position"
    );
    let rep_len = u32::from_be_bytes(rec[16..20].try_into().unwrap()) as usize;
    assert_eq!(rep_len, rec.len() - 16);
    // representation header: 9 date + 1 tech + 2 vendor + 2 type, 1 quality block of 5
    assert_eq!(rec[16 + 18], 1, "quality block count");
    assert_eq!(rec[16 + 19], 77, "quality score");
    let p = 16 + 24; // after the quality block
    assert_eq!(rec[p], 2, "finger position right index");
    assert_eq!(rec[p + 2], 1, "scale units ppi");
    assert_eq!(
        &rec[p + 3..p + 11],
        &[0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4],
        "500 ppi"
    );
    assert_eq!(rec[p + 11], 8, "bit depth");
    assert_eq!(rec[p + 12], 6, "PNG");
    assert_eq!(&rec[p + 14..p + 18], &[0x01, 0x84, 0x01, 0x76], "388x374");
    assert_eq!(
        u32::from_be_bytes(rec[p + 18..p + 22].try_into().unwrap()) as usize,
        FINGER_PNG.len()
    );
    assert_eq!(&rec[p + 22..], FINGER_PNG);
}

#[test]
fn finger_record_round_trips_and_decodes_png() {
    let rec = finger_record();
    let parsed = FingerRecord::decode(&rec).unwrap();
    assert_eq!(parsed.encode().unwrap(), rec);
    let rep = &parsed.representations[0];
    assert_eq!(rep.position(), Some(FingerPosition::RightIndex));
    assert_eq!(rep.quality_score(), Some(77));
    assert_eq!(rep.ppi(), 500);
    let img = rep.decode_image().unwrap();
    let expected = image::load_from_memory(FINGER_PNG).unwrap().into_luma8();
    assert_eq!((img.width, img.height), (388, 374));
    assert_eq!(img.pixels, expected.into_raw());
}

#[test]
fn jpeg2000_lossless_finger_decodes_to_the_exact_pixels() {
    let rep = FingerRepresentation::new(
        FingerPosition::LeftThumb,
        48,
        40,
        FingerCompression::Jpeg2000Lossless,
        J2K.to_vec(),
        None,
    );
    let rec = FingerRecord::new(vec![rep]).encode().unwrap();
    let img = FingerRecord::decode(&rec).unwrap().representations[0]
        .decode_image()
        .unwrap();
    assert_eq!((img.width, img.height), (48, 40));
    assert_eq!(img.pixels, J2K_PIXELS);
}

#[test]
fn face_record_round_trips_and_decodes() {
    let rec = tiny_face_record();
    assert_eq!(&rec[0..8], b"FAC\x00030\x00");
    assert_eq!(
        u32::from_be_bytes(rec[8..12].try_into().unwrap()) as usize,
        rec.len()
    );
    let parsed = FaceRecord::decode(&rec).unwrap();
    assert_eq!(parsed.encode().unwrap(), rec);
    let (w, h, rgb) = parsed.representations[0].decode_rgb().unwrap();
    assert_eq!((w, h), (8, 6));
    assert_eq!(&rgb[..3], &[0, 0, 200]);
    assert_eq!(parsed.representations[0].quality_score(), Some(60));
}

#[test]
fn multi_finger_record_keeps_every_representation() {
    let reps = [FingerPosition::RightIndex, FingerPosition::RightMiddle]
        .into_iter()
        .map(|p| {
            FingerRepresentation::new(
                p,
                388,
                374,
                FingerCompression::Png,
                FINGER_PNG.to_vec(),
                Some(50),
            )
        })
        .collect();
    let rec = FingerRecord::new(reps).encode().unwrap();
    let parsed = FingerRecord::decode(&rec).unwrap();
    assert_eq!(parsed.representations.len(), 2);
    assert_eq!(
        parsed.representations[1].position(),
        Some(FingerPosition::RightMiddle)
    );
}

/// `expect`: what reading the vector must give.
#[derive(Debug)]
enum Expect {
    BadMagic,
    Version,
    Truncated,
    Invalid,
    NotSupported,
}

fn check(bytes: &[u8], expect: Expect) {
    let got =
        FingerRecord::decode(bytes).and_then(|r| r.representations[0].decode_image().map(|_| ()));
    let ok = matches!(
        (&got, &expect),
        (Err(IsoError::BadMagic { .. }), Expect::BadMagic)
            | (Err(IsoError::UnsupportedVersion { .. }), Expect::Version)
            | (Err(IsoError::Truncated { .. }), Expect::Truncated)
            | (Err(IsoError::Invalid(_)), Expect::Invalid)
            | (Err(IsoError::NotSupported(_)), Expect::NotSupported)
    );
    assert!(ok, "expected {expect:?}, got {got:?}");
}

#[test]
fn failure_vectors() {
    let good = finger_record();
    check(b"", Expect::Truncated);
    check(b"FAC\x00030\x00", Expect::BadMagic);
    check(b"FIR\x00010\x00\0\0\0\0", Expect::Version);
    // length field disagrees with the bytes
    let mut long = good.clone();
    long.push(0);
    check(&long, Expect::Invalid);
    // representation length runs past the end
    let mut bad_rep = good.clone();
    bad_rep[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
    check(&bad_rep, Expect::Truncated);
    // WSQ is recognised but not decoded
    let mut wsq = good.clone();
    wsq[16 + 24 + 12] = 2;
    check(&wsq, Expect::NotSupported);
    // the header's size disagrees with the PNG inside
    let mut size = good.clone();
    size[16 + 24 + 15] = 0x75;
    check(&size, Expect::Invalid);
    // zero representations
    let mut none = good[..16].to_vec();
    none[8..12].copy_from_slice(&16u32.to_be_bytes());
    none[12..14].copy_from_slice(&[0, 0]);
    check(&none, Expect::Invalid);
}

#[test]
fn every_truncation_of_a_record_is_an_error() {
    let good = finger_record();
    for cut in (0..good.len())
        .step_by(97)
        .chain(good.len() - 30..good.len())
    {
        assert!(FingerRecord::decode(&good[..cut]).is_err(), "cut at {cut}");
    }
    let face = tiny_face_record();
    for cut in 0..face.len() {
        assert!(
            FaceRecord::decode(&face[..cut]).is_err(),
            "face cut at {cut}"
        );
    }
}

#[test]
fn not_supported_maps_to_device_kind() {
    let e: DeviceError = IsoError::NotSupported("WSQ".into()).into();
    assert_eq!(e.kind(), ErrorKind::NotSupported);
    let e: DeviceError = IsoError::Invalid("x".into()).into();
    assert_eq!(e.kind(), ErrorKind::Other);
}

/// Reads `bytes` as both record kinds and decodes every image found; only a panic can fail.
fn decode_everything(bytes: &[u8]) {
    if let Ok(r) = FingerRecord::decode(bytes) {
        for p in &r.representations {
            let _ = p.decode_image();
        }
    }
    if let Ok(r) = FaceRecord::decode(bytes) {
        for p in &r.representations {
            let _ = p.decode_rgb();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn random_header_bytes_after_a_valid_magic_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..300), face in any::<bool>()) {
        let mut bytes = if face { b"FAC\x00030\x00".to_vec() } else { b"FIR\x00020\x00".to_vec() };
        let total = (8 + 4 + tail.len()) as u32;
        bytes.extend_from_slice(&total.to_be_bytes());
        bytes.extend_from_slice(&tail);
        decode_everything(&bytes);
    }

    #[test]
    fn corrupted_j2k_never_panics(pos in 0usize..J2K.len(), val in any::<u8>()) {
        let mut data = J2K.to_vec();
        data[pos] = val;
        let rep = FingerRepresentation::new(FingerPosition::LeftThumb, 48, 40, FingerCompression::Jpeg2000Lossless, data, None);
        let _ = rep.decode_image();
    }
}
