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
pub fn score_finger(img: &FingerImage, device: &str) -> Result<ScoredFinger, DeviceError> {
    let assessed = crate::quality::finger::assess(&img.pixels, img.width, img.height);
    let (ours, gate) = match &assessed {
        Ok(q) => (q.score, q.gate.map(|g| g.message_id())),
        Err(_) => (0, None),
    };
    let score = img.device_quality.unwrap_or(ours).min(100);
    let capture =
        finger_capture(img, score, device).map_err(|e| DeviceError::new(ErrorKind::Other, e))?;
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
/// grayscale PNG with its resolution.
pub fn finger_capture(img: &FingerImage, quality: u8, device: &str) -> Result<Capture, String> {
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
        device: device.to_owned(),
    })
}

/// A PNG capture of an RGB frame (face photo or exception photo).
pub fn frame_capture(
    kind: BiometricKind,
    position: Option<FingerPosition>,
    frame: &Frame,
    device: &str,
) -> Result<Capture, String> {
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
    Ok(Capture {
        kind,
        position,
        format: BiometricFormat::Png,
        data: png,
        width: frame.width,
        height: frame.height,
        ppi: None,
        quality: None,
        retries: 0,
        forced: false,
        device: device.to_owned(),
    })
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
