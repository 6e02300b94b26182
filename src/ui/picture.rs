//! Biometric files as pictures on screen: a PNG, or the image inside an ISO/IEC 19794-4 finger
//! record or 19794-5 face record (what SBI devices send, kept as received).

use crate::domain::BiometricFormat;
use crate::iso19794::{FaceRecord, FingerRecord};
use egui::{Ui, Vec2};

/// Decodes a biometric file to a picture that fits in `max` (width, height), keeping its aspect.
/// `None` when it cannot be decoded.
pub fn decode(format: BiometricFormat, bytes: &[u8], max: (u32, u32)) -> Option<egui::ColorImage> {
    let image = match format {
        BiometricFormat::Png => {
            crate::domain::imaging::decode(bytes, Some(image::ImageFormat::Png)).ok()?
        }
        BiometricFormat::Iso19794_4 => {
            let record = FingerRecord::decode(bytes).ok()?;
            let gray = record.representations.first()?.decode_image().ok()?;
            image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(
                gray.width,
                gray.height,
                gray.pixels,
            )?)
        }
        BiometricFormat::Iso19794_5 => {
            let record = FaceRecord::decode(bytes).ok()?;
            let (w, h, rgb) = record.representations.first()?.decode_rgb().ok()?;
            image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, rgb)?)
        }
    };
    let image = if image.width() > max.0 || image.height() > max.1 {
        image.thumbnail(max.0, max.1)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    Some(egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    ))
}

/// A texture made from `image` the first time it is drawn.
pub enum Picture {
    Decoded(egui::ColorImage),
    Texture(egui::TextureHandle),
}

impl Picture {
    /// The texture, made on the UI thread on first use.
    pub fn texture(&mut self, ui: &Ui, name: &str) -> egui::TextureHandle {
        if let Picture::Decoded(image) = self {
            let image = std::mem::take(image);
            *self = Picture::Texture(ui.ctx().load_texture(name, image, Default::default()));
        }
        match self {
            Picture::Texture(t) => t.clone(),
            Picture::Decoded(_) => unreachable!("made above"),
        }
    }

    /// Draws the picture inside `max`, keeping its proportions.
    pub fn show(&mut self, ui: &mut Ui, name: &str, max: Vec2) {
        let texture = self.texture(ui, name);
        let size = texture.size_vec2();
        let scale = (max.x / size.x).min(max.y / size.y).min(4.0);
        ui.add(egui::Image::new((texture.id(), size * scale)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FingerPosition;
    use crate::iso19794::{
        FaceImageData, FaceRepresentation, FingerCompression, FingerRepresentation,
    };

    const FINGER: &[u8] = include_bytes!("../../fixtures/fingers/101_1.png");
    const FACE: &[u8] = include_bytes!("../../fixtures/faces/astronaut.png");

    #[test]
    fn pngs_decode_to_fit() {
        let picture = decode(BiometricFormat::Png, FINGER, (100, 100)).expect("a PNG decodes");
        assert!(picture.size[0] <= 100 && picture.size[1] <= 100);
        let picture = decode(BiometricFormat::Png, FACE, (480, 480)).expect("the face decodes");
        assert!(picture.size[0] <= 480 && picture.size[0] > 0);
        assert!(decode(BiometricFormat::Png, b"not an image", (100, 100)).is_none());
    }

    #[test]
    fn iso_records_decode_to_the_image_inside() {
        let gray = image::load_from_memory(FINGER).unwrap().to_luma8();
        let finger = FingerRecord::new(vec![FingerRepresentation::new(
            FingerPosition::RightThumb,
            gray.width() as u16,
            gray.height() as u16,
            FingerCompression::Png,
            FINGER.to_vec(),
            Some(80),
        )])
        .encode()
        .unwrap();
        let picture = decode(BiometricFormat::Iso19794_4, &finger, (2000, 2000)).unwrap();
        assert_eq!(
            picture.size,
            [gray.width() as usize, gray.height() as usize]
        );

        let rgb = image::load_from_memory(FACE).unwrap().to_rgb8();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&rgb)
            .unwrap();
        let face = FaceRecord {
            representations: vec![FaceRepresentation::new(
                rgb.width() as u16,
                rgb.height() as u16,
                FaceImageData::Jpeg,
                jpeg,
                Some(85),
            )],
        }
        .encode()
        .unwrap();
        let picture = decode(BiometricFormat::Iso19794_5, &face, (100, 100)).unwrap();
        assert!(picture.size[0] <= 100 && picture.size[1] <= 100 && picture.size[0] > 0);

        // A record read as another format, or cut short, is no picture (and no panic).
        assert!(decode(BiometricFormat::Iso19794_4, FINGER, (100, 100)).is_none());
        assert!(decode(BiometricFormat::Iso19794_5, &finger, (100, 100)).is_none());
        assert!(
            decode(
                BiometricFormat::Iso19794_5,
                &face[..face.len() / 2],
                (100, 100)
            )
            .is_none()
        );
    }
}
