//! Turning what a device gives into the workflow's attempts: each finger scored and kept as its
//! record file, each face frame encoded with its checks counted. The kiosk runs these on worker
//! threads and `kattoo enroll` runs them inline; the rules that judge the attempts are in
//! [`super::policy`].

use super::state::{FaceAttempt, ScoredFinger};
use crate::domain::{BiometricFormat, BiometricKind, Capture, FingerPosition};
use crate::hal::{DeviceError, ErrorKind, FingerImage, Frame};
use crate::quality::face::{FaceChecks, Portrait, Verdict};
use image::ImageEncoder;

/// One finger image scored and kept as its record file: the device's score when it gave one,
/// else kattoo's ([`crate::quality::finger::assess`]); kattoo's 0 when its quick checks find no
/// finger on the glass, whatever the device says.
pub fn score_finger(img: &FingerImage) -> Result<ScoredFinger, DeviceError> {
    let assessed = crate::quality::finger::assess(&img.pixels, img.width, img.height);
    // With a device score, only the checks that say no finger is there at all (an empty, blank
    // or too faint image) overrule it; contact area and minutiae depend on the sensor's size,
    // which the device knows and kattoo does not. A check that does not count is not shown, so
    // the bar never says one thing and the note another.
    let device = img.device_quality;
    let (ours, gate) = match &assessed {
        Ok(q) => (
            q.score,
            q.gate
                .filter(|g| device.is_none() || g.no_finger())
                .map(|g| g.message_id()),
        ),
        Err(_) => (0, None),
    };
    let score = match gate {
        Some(_) => ours,
        None => device.unwrap_or(ours),
    }
    .min(100);
    let capture = finger_capture(img, score).map_err(|e| DeviceError::new(ErrorKind::Other, e))?;
    Ok(ScoredFinger {
        capture,
        score,
        gate,
    })
}

/// A finger file already encoded (a PNG given to `kattoo enroll`), scored by kattoo from its
/// decoded pixels; the bytes are kept as they are.
pub fn score_finger_file(capture: Capture, pixels: &[u8]) -> ScoredFinger {
    let (score, gate) = match crate::quality::finger::assess(pixels, capture.width, capture.height)
    {
        Ok(q) => (q.score.min(100), q.gate.map(|g| g.message_id())),
        Err(_) => (0, None),
    };
    ScoredFinger {
        capture,
        score,
        gate,
    }
}

/// The record's file for one finger: the device's ISO 19794-4 record when it sent one, else a
/// grayscale PNG with its resolution. It keeps the image's provenance.
pub fn finger_capture(img: &FingerImage, quality: u8) -> Result<Capture, String> {
    let (format, data) = match &img.iso_record {
        Some(iso) => (BiometricFormat::Iso19794_4, iso.clone()),
        None => {
            let mut png = Vec::new();
            let mut encoder = png::Encoder::new(&mut png, img.width, img.height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Fast);
            let ppm = (f64::from(img.ppi) / 0.0254).round() as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: ppm,
                yppu: ppm,
                unit: png::Unit::Meter,
            }));
            let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
            writer
                .write_image_data(&img.pixels)
                .map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            (BiometricFormat::Png, png)
        }
    };
    Ok(Capture {
        kind: BiometricKind::Finger,
        position: Some(img.position),
        format,
        data,
        width: img.width,
        height: img.height,
        ppi: Some(img.ppi),
        quality: Some(quality),
        retries: 0,
        forced: false,
        source: img.source.clone(),
    })
}

/// The record's file for a frame (face photo or exception photo): a face's ISO 19794-5 record
/// exactly as the device sent it (an SBI still), else a PNG. It keeps the frame's provenance.
pub fn frame_capture(
    kind: BiometricKind,
    position: Option<FingerPosition>,
    frame: &Frame,
) -> Result<Capture, String> {
    let (format, data) = match (kind, &frame.iso_record) {
        (BiometricKind::Face, Some(record)) => (BiometricFormat::Iso19794_5, record.clone()),
        _ => (BiometricFormat::Png, encode_png(frame)?),
    };
    Ok(Capture {
        kind,
        position,
        format,
        data,
        width: frame.width,
        height: frame.height,
        ppi: None,
        quality: None,
        retries: 0,
        forced: false,
        source: frame.source.clone(),
    })
}

/// The record's face photo from a camera frame: the portrait the face checks judged, cut from
/// the frame (what lies outside it, the room behind the citizen, is not kept); a device's own
/// ISO 19794-5 record (an SBI still) is kept as it came; a frame with no single face is kept
/// whole (its checks failed, so it is kept only when the operator keeps it anyway).
pub fn portrait_capture(frame: &Frame, portrait: Option<Portrait>) -> Result<Capture, String> {
    let cut = portrait
        .filter(|_| frame.iso_record.is_none())
        .and_then(|p| Some((p, p.cut(&frame.rgb, frame.width)?)));
    match cut {
        Some((p, rgb)) => {
            let cut = Frame {
                width: p.width,
                height: p.height,
                rgb,
                source: frame.source.clone(),
                iso_record: None,
            };
            frame_capture(BiometricKind::Face, None, &cut)
        }
        None => frame_capture(BiometricKind::Face, None, frame),
    }
}

fn encode_png(frame: &Frame) -> Result<Vec<u8>, String> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        &frame.rgb,
        frame.width,
        frame.height,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(png)
}

/// A face attempt from a photo and its checks: the checks that ran (not "not available") and
/// those of them that passed.
pub fn face_attempt(photo: Capture, checks: &FaceChecks) -> FaceAttempt {
    let run = checks
        .checks
        .iter()
        .filter(|c| c.verdict != Verdict::NotAvailable);
    FaceAttempt {
        checks_passed: run.clone().filter(|c| c.passed()).count(),
        checks_run: run.count(),
        photo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Provenance, Trust};

    #[test]
    fn a_face_record_from_the_device_is_kept_byte_for_byte_and_anything_else_becomes_a_png() {
        let source = Provenance {
            device: "sbi:FACE-1".into(),
            trust: Trust::Signed {
                certificate_sha256: "ab".into(),
            },
        };
        let mut frame = Frame::new(2, 1, vec![10, 20, 30, 40, 50, 60], source.clone());
        let png = frame_capture(BiometricKind::Face, None, &frame).unwrap();
        assert_eq!(png.format, BiometricFormat::Png);
        assert!(png.data.starts_with(b"\x89PNG"));
        assert_eq!(png.source, source);

        let record = b"FAC\x00030\x00 as the device sent it".to_vec();
        frame.iso_record = Some(record.clone());
        let kept = frame_capture(BiometricKind::Face, None, &frame).unwrap();
        assert_eq!(kept.format, BiometricFormat::Iso19794_5);
        assert_eq!(kept.data, record);
        assert_eq!((kept.width, kept.height), (2, 1));
        assert_eq!(kept.source, source);

        // The photo of a missing finger's hand is always kattoo's own PNG.
        let hand = frame_capture(
            BiometricKind::ExceptionPhoto,
            Some(FingerPosition::LeftLittle),
            &frame,
        )
        .unwrap();
        assert_eq!(hand.format, BiometricFormat::Png);
    }

    #[test]
    fn a_camera_frame_keeps_only_its_portrait_and_a_device_record_is_kept_whole() {
        let source = Provenance {
            device: "uvc:CAM-1".into(),
            trust: Trust::Attached,
        };
        // 4×3 pixels, each pixel's red its column and green its row.
        let rgb: Vec<u8> = (0..3u8)
            .flat_map(|y| (0..4u8).flat_map(move |x| [x, y, 0]))
            .collect();
        let mut frame = Frame::new(4, 3, rgb, source);
        let portrait = Portrait {
            x: 1,
            y: 1,
            width: 2,
            height: 2,
        };
        let photo = portrait_capture(&frame, Some(portrait)).unwrap();
        assert_eq!((photo.width, photo.height), (2, 2));
        let kept = crate::domain::imaging::decode(&photo.data, None)
            .unwrap()
            .to_rgb8();
        assert_eq!(kept.as_raw(), &[1, 1, 0, 2, 1, 0, 1, 2, 0, 2, 2, 0]);
        // No single face: the frame as it is.
        let whole = portrait_capture(&frame, None).unwrap();
        assert_eq!((whole.width, whole.height), (4, 3));
        // A portrait that does not lie in the frame keeps the frame whole.
        let outside = Portrait { x: 3, ..portrait };
        assert_eq!(portrait_capture(&frame, Some(outside)).unwrap().width, 4);
        // A device's signed record is never cut.
        frame.iso_record = Some(b"FAC\x00030\x00".to_vec());
        let record = portrait_capture(&frame, Some(portrait)).unwrap();
        assert_eq!(record.format, BiometricFormat::Iso19794_5);
        assert_eq!(record.data, frame.iso_record.unwrap());
    }

    /// A scanner image of `fixture` (under `fixtures/`, or all white when `None`, 400×400),
    /// with the device's own score.
    fn finger_image(fixture: Option<&str>, device_quality: Option<u8>) -> FingerImage {
        let gray = match fixture {
            Some(f) => image::open(format!("{}/fixtures/{f}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .to_luma8(),
            None => image::GrayImage::from_pixel(400, 400, image::Luma([255])),
        };
        FingerImage {
            position: FingerPosition::RightIndex,
            width: gray.width(),
            height: gray.height(),
            ppi: 500,
            pixels: gray.into_raw(),
            device_quality,
            iso_record: None,
            source: Provenance::attached("sbi:FIR-1"),
        }
    }

    #[test]
    fn the_device_score_counts_only_when_no_quick_check_refused_the_image() {
        // A real print: the device's score is the one kept.
        let scored = score_finger(&finger_image(Some("matching/fvc/101_1.png"), Some(85))).unwrap();
        assert_eq!((scored.score, scored.gate), (85, None));
        // Nothing on the glass: however high the device scores it, the finger fails, and the
        // bar can never show a passing score beside the refusal.
        let blank = score_finger(&finger_image(None, Some(85))).unwrap();
        assert!(blank.gate.is_some());
        assert_eq!(blank.score, 0);
        // A small contact area on a small sensor: the device's score stands, and kattoo's
        // contact-area note, which it overrules, is not shown beside it; without a device
        // score, kattoo's check decides.
        let with_device = score_finger(&finger_image(Some("fingers/107_1.png"), Some(85))).unwrap();
        assert_eq!((with_device.score, with_device.gate), (85, None));
        let alone = score_finger(&finger_image(Some("fingers/107_1.png"), None)).unwrap();
        assert_eq!(alone.score, 0);
        assert!(alone.gate.is_some());
    }
}
