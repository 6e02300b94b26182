//! Turning what a device gives into the workflow's attempts: each finger scored and kept as its
//! record file, each face frame encoded with its checks counted. The kiosk runs these on worker
//! threads and `kattoo enroll` runs them inline; the rules that judge the attempts are in
//! [`super::policy`].

use super::state::{FaceAttempt, ScoredFinger};
use crate::domain::{BiometricFormat, BiometricKind, Capture, FingerPosition};
use crate::hal::{DeviceError, ErrorKind, FingerImage, Frame};
use crate::quality::face::{FaceChecks, Verdict};
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
