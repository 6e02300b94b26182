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
/// else kattoo's ([`crate::quality::finger::assess`]).
pub fn score_finger(img: &FingerImage) -> Result<ScoredFinger, DeviceError> {
    let assessed = crate::quality::finger::assess(&img.pixels, img.width, img.height);
    let (ours, gate) = match &assessed {
        Ok(q) => (q.score, q.gate.map(|g| g.message_id())),
        Err(_) => (0, None),
    };
    let score = img.device_quality.unwrap_or(ours).min(100);
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
}
