//! Captured biometric files and the references to them that a signed record carries.
//!
//! A file is kept exactly as captured; the record names it by SHA-256 of its bytes.

use super::finger::FingerPosition;
use super::provenance::Provenance;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// What a biometric file shows. The declaration order is the order of `biometrics` in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BiometricKind {
    Finger,
    Face,
    Signature,
    ExceptionPhoto,
}

impl BiometricKind {
    /// The record's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Finger => "finger",
            Self::Face => "face",
            Self::Signature => "signature",
            Self::ExceptionPhoto => "exception-photo",
        }
    }
}

/// The file format of a biometric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BiometricFormat {
    /// ISO/IEC 19794-4 finger image record.
    #[serde(rename = "iso19794-4")]
    Iso19794_4,
    /// ISO/IEC 19794-5 face image record.
    #[serde(rename = "iso19794-5")]
    Iso19794_5,
    /// A PNG image.
    #[serde(rename = "png")]
    Png,
}

impl BiometricFormat {
    /// File extension used in batches: `fir`, `fac` or `png`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Iso19794_4 => "fir",
            Self::Iso19794_5 => "fac",
            Self::Png => "png",
        }
    }
}

/// A biometric as a record names it (FORMATS.md `biometrics[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiometricRef {
    pub kind: BiometricKind,
    pub position: Option<FingerPosition>,
    pub format: BiometricFormat,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Length of the file in bytes.
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub ppi: Option<u32>,
    /// 0–100, or null where no score was computed.
    pub quality: Option<u8>,
    pub retries: u32,
    pub forced: bool,
    /// `backend:serial` of the device that captured it.
    pub device: String,
}

/// One captured file with what the capture knew about it, before it is part of a record.
#[derive(Clone, PartialEq, Eq)]
pub struct Capture {
    pub kind: BiometricKind,
    pub position: Option<FingerPosition>,
    pub format: BiometricFormat,
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub ppi: Option<u32>,
    pub quality: Option<u8>,
    pub retries: u32,
    pub forced: bool,
    /// The device that made it and how far it is trusted.
    pub source: Provenance,
}

impl std::fmt::Debug for Capture {
    // Never print biometric bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("kind", &self.kind)
            .field("position", &self.position)
            .field("bytes", &self.data.len())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// The reference a record carries for this capture.
    pub fn reference(&self) -> BiometricRef {
        BiometricRef {
            kind: self.kind,
            position: self.position,
            format: self.format,
            sha256: sha256_hex(&self.data),
            bytes: self.data.len() as u64,
            width: self.width,
            height: self.height,
            ppi: self.ppi,
            quality: self.quality,
            retries: self.retries,
            forced: self.forced,
            device: self.source.device.clone(),
        }
    }

    /// A capture from a PNG file (headless enrollment, simulated devices). The PNG is decoded in
    /// full to prove it is intact; fingers must be 8-bit grayscale. It is kept byte for byte.
    pub fn from_png(
        kind: BiometricKind,
        position: Option<FingerPosition>,
        data: Vec<u8>,
        source: Provenance,
    ) -> Result<Capture, ImageError> {
        let info = inspect_png(&data)?;
        if kind == BiometricKind::Finger && !info.gray8 {
            return Err(ImageError::NotGray8);
        }
        Ok(Capture {
            kind,
            position,
            format: BiometricFormat::Png,
            data,
            width: info.width,
            height: info.height,
            ppi: info.ppi,
            quality: None,
            retries: 0,
            forced: false,
            source,
        })
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Why an image file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("not a readable PNG image ({0}); use an intact PNG file")]
    Png(String),
    #[error("image is empty (0 pixels)")]
    Empty,
    #[error("a fingerprint must be an 8-bit grayscale PNG")]
    NotGray8,
    #[error(
        "the image is {width}×{height} pixels, more than the {max_side}×{max_side} and {max_mp} megapixels accepted: use the device's normal resolution or a smaller file",
        max_side = super::imaging::MAX_SIDE,
        max_mp = super::imaging::MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u32, height: u32 },
    #[error("not a readable image ({0}); use an intact PNG or JPEG file")]
    Decode(String),
}

/// What a PNG header and a full decode tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngInfo {
    pub width: u32,
    pub height: u32,
    /// Pixels per inch from the `pHYs` chunk, rounded, when it gives metres.
    pub ppi: Option<u32>,
    pub gray8: bool,
}

/// Decodes a PNG fully (checksums and all) and returns its size, resolution and pixel type.
pub fn inspect_png(data: &[u8]) -> Result<PngInfo, ImageError> {
    let bad = |e: png::DecodingError| ImageError::Png(e.to_string());
    let mut reader = png::Decoder::new(Cursor::new(data))
        .read_info()
        .map_err(bad)?;
    let (width, height, ppi) = {
        let info = reader.info();
        let ppi = info.pixel_dims.and_then(|d| match d.unit {
            png::Unit::Meter => Some(((d.xppu as f64) * 0.0254).round() as u32),
            png::Unit::Unspecified => None,
        });
        (info.width, info.height, ppi)
    };
    if width == 0 || height == 0 {
        return Err(ImageError::Empty);
    }
    // Before the pixel buffer is allocated: a few MB can declare gigapixels.
    super::imaging::check_size(width, height)?;
    let size = reader
        .output_buffer_size()
        .ok_or(ImageError::Png("image too large".into()))?;
    let mut buf = vec![0; size];
    let out = reader.next_frame(&mut buf).map_err(bad)?;
    let gray8 =
        out.color_type == png::ColorType::Grayscale && out.bit_depth == png::BitDepth::Eight;
    Ok(PngInfo {
        width,
        height,
        ppi,
        gray8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(color: png::ColorType, w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 19685,
            yppu: 19685,
            unit: png::Unit::Meter,
        }));
        let mut wr = enc.write_header().unwrap();
        let channels = if color == png::ColorType::Rgb { 3 } else { 1 };
        wr.write_image_data(&vec![128; (w * h * channels) as usize])
            .unwrap();
        wr.finish().unwrap();
        out
    }

    #[test]
    fn reads_size_and_ppi_and_keeps_bytes() {
        let bytes = png_bytes(png::ColorType::Grayscale, 40, 30);
        let c = Capture::from_png(
            BiometricKind::Finger,
            Some(FingerPosition::RightIndex),
            bytes.clone(),
            Provenance::simulated("sim:1"),
        )
        .unwrap();
        assert_eq!((c.width, c.height, c.ppi), (40, 30, Some(500)));
        assert_eq!(c.data, bytes);
        let r = c.reference();
        assert_eq!(r.sha256, sha256_hex(&bytes));
        assert_eq!(r.bytes, bytes.len() as u64);
    }

    #[test]
    fn refuses_truncated_and_colour_fingerprints() {
        let bytes = png_bytes(png::ColorType::Grayscale, 40, 30);
        let cut = bytes[..bytes.len() - 20].to_vec();
        assert!(matches!(inspect_png(&cut), Err(ImageError::Png(_))));
        assert!(matches!(inspect_png(b"GIF89a"), Err(ImageError::Png(_))));
        let rgb = png_bytes(png::ColorType::Rgb, 8, 8);
        assert!(matches!(
            Capture::from_png(
                BiometricKind::Finger,
                Some(FingerPosition::RightIndex),
                rgb.clone(),
                Provenance::back_fill()
            ),
            Err(ImageError::NotGray8)
        ));
        assert!(Capture::from_png(BiometricKind::Face, None, rgb, Provenance::back_fill()).is_ok());
    }
}
