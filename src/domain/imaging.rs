//! Images from outside (files given to the CLI, device frames, records in a batch) decoded
//! within limits: a small file can declare an enormous image (a 60000×60000 PNG compresses to a
//! few MB), so the size is checked from the header before any pixel buffer is allocated, and the
//! decoder is held to an allocation cap as well.

use super::biometric::ImageError;
use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;

/// Longest side accepted, in pixels (a 500 ppi ten-print slap is about 1,600; a 24-megapixel
/// camera 6,000).
pub const MAX_SIDE: u32 = 10_000;
/// Most pixels accepted in one image.
pub const MAX_PIXELS: u64 = 50_000_000;

/// Refuses an image of `width` × `height` over [`MAX_SIDE`] or [`MAX_PIXELS`].
pub fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge { width, height });
    }
    Ok(())
}

fn reader(
    data: &[u8],
    format: Option<ImageFormat>,
) -> Result<ImageReader<Cursor<&[u8]>>, ImageError> {
    let reader = ImageReader::new(Cursor::new(data));
    match format {
        Some(f) => Ok(ImageReader::with_format(Cursor::new(data), f)),
        None => reader
            .with_guessed_format()
            .map_err(|e| ImageError::Decode(e.to_string())),
    }
}

/// Decodes `data` (of `format`, or guessed from its first bytes) within the limits.
pub fn decode(data: &[u8], format: Option<ImageFormat>) -> Result<DynamicImage, ImageError> {
    let (width, height) = reader(data, format)?
        .into_dimensions()
        .map_err(|e| ImageError::Decode(e.to_string()))?;
    check_size(width, height)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    let mut reader = reader(data, format)?;
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| ImageError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey PNG of `w` × `h` whose rows are all zero, compressed: a few MB for a huge image.
    pub(crate) fn huge_png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::Fast);
            let mut header = enc.write_header().unwrap();
            let mut writer = header.stream_writer().unwrap();
            let row = vec![0u8; w as usize];
            for _ in 0..h {
                std::io::Write::write_all(&mut writer, &row).unwrap();
            }
            writer.finish().unwrap();
        }
        out
    }

    #[test]
    fn a_huge_image_is_refused_from_its_header_quickly() {
        let png = huge_png(12_000, 200);
        let t = std::time::Instant::now();
        let err = decode(&png, None).unwrap_err();
        assert!(
            matches!(
                err,
                ImageError::TooLarge {
                    width: 12_000,
                    height: 200
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("12000×200"), "{err}");
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        let err = super::super::biometric::inspect_png(&png).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge { .. }), "{err}");
        // Too many pixels on sides that are each accepted.
        assert!(check_size(9_000, 9_000).is_err());
        assert!(check_size(6_000, 4_000).is_ok());
    }

    #[test]
    fn an_ordinary_image_decodes() {
        let png = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/fingers/101_1.png"
        ))
        .unwrap();
        let img = decode(&png, Some(ImageFormat::Png)).unwrap();
        assert_eq!((img.width(), img.height()), (388, 374));
        assert!(matches!(
            decode(b"not an image", None),
            Err(ImageError::Decode(_))
        ));
    }
}
