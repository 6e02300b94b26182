//! Minutiae extraction from a finger image: the classical pipeline.
//!
//! 1. [`field`]: foreground segmentation, ridge orientation and coherence, ridge period;
//! 2. [`enhance`]: contextual (Gabor) filtering tuned to the local orientation and period, whose
//!    sign is the ridge map;
//! 3. [`skeleton`]: thinning to one-pixel ridges;
//! 4. [`minutiae`]: endings and bifurcations with direction and reliability, and removal of the
//!    false ones (borders, spurs, bridges, short ridges, broken ridges, clusters).
//!
//! Images from 490 to 580 ppi are accepted as they are: the lengths the pipeline uses scale with
//! the resolution, and templates record it so that the comparator normalises distances.

mod enhance;
mod field;
mod minutiae;
mod skeleton;

pub use minutiae::angle_diff;

use crate::matching::template::Template;
use image::GrayImage;

/// The most minutiae a template keeps (the most reliable ones).
pub const MAX_MINUTIAE: usize = 80;
/// Smallest image side accepted, in pixels.
pub const MIN_SIDE: u32 = 64;
/// Largest image side accepted, in pixels (a 3-inch slap at 570 ppi is about 1,700).
pub const MAX_SIDE: u32 = 2048;

/// Why an image gives no template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The image is smaller than a fingertip at 500 ppi.
    #[error("finger image: {width}x{height} pixels is too small (at least {MIN_SIDE} per side)")]
    TooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The image is larger than any single-finger capture.
    #[error("finger image: {width}x{height} pixels is too large (at most {MAX_SIDE} per side)")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The resolution is outside what the extractor is tuned for.
    #[error("finger image: {0} ppi is not supported (490 to 580 ppi)")]
    Resolution(u32),
}

/// Extracts the minutiae of a grey finger image (dark ridges on a light background) captured at
/// `ppi` pixels per inch. A blank or ridge-less image gives a template with no minutiae.
pub fn extract(image: &GrayImage, ppi: u32) -> Result<Template, ExtractError> {
    let (width, height) = image.dimensions();
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(ExtractError::TooSmall { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ExtractError::TooLarge { width, height });
    }
    if !(490..=580).contains(&ppi) {
        return Err(ExtractError::Resolution(ppi));
    }
    let scale = ppi as f32 / 500.0;
    let (w, h) = (width as usize, height as usize);
    let px: Vec<f32> = image.as_raw().iter().map(|&v| f32::from(v)).collect();
    let field = field::analyse(&px, w, h, scale);
    let mut ridges = enhance::ridge_map(&px, w, h, &field, scale);
    skeleton::thin(&mut ridges, w, h);
    let mut minutiae = minutiae::detect(&ridges, w, h, &field, scale);
    minutiae.truncate(MAX_MINUTIAE);
    let fg: Vec<f32> = field
        .mask
        .iter()
        .zip(&field.coherence)
        .filter(|(m, _)| **m)
        .map(|(_, c)| *c)
        .collect();
    let quality = if fg.is_empty() {
        0
    } else {
        (fg.iter().sum::<f32>() / fg.len() as f32 * 100.0)
            .round()
            .clamp(1.0, 100.0) as u8
    };
    Ok(Template {
        width: width as u16,
        height: height as u16,
        pixels_per_cm: Template::ppcm_of_ppi(ppi),
        quality,
        minutiae,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::compare::{Prepared, score};
    use crate::matching::fixtures;
    use crate::matching::threshold::FINGER_FMR_1000;

    #[test]
    fn extraction_is_stable_across_runs() {
        let img = fixtures::image("101_1");
        let a = extract(&img, 500).unwrap();
        let b = extract(&img, 500).unwrap();
        assert_eq!(a, b);
        assert!(
            (20..=MAX_MINUTIAE).contains(&a.minutiae.len()),
            "{} minutiae",
            a.minutiae.len()
        );
        assert_eq!((a.width, a.height, a.pixels_per_cm), (388, 374, 197));
        for m in &a.minutiae {
            assert!(m.x < 388 && m.y < 374 && (1..=100).contains(&m.quality));
            assert!((0.0..std::f32::consts::TAU).contains(&m.angle));
        }
        // Best quality first.
        assert!(a.minutiae.windows(2).all(|w| w[0].quality >= w[1].quality));
    }

    #[test]
    fn a_rotated_and_moved_image_matches_its_original() {
        let img = fixtures::image("102_1");
        let original = Prepared::new(&extract(&img, 500).unwrap());
        for (deg, dx, dy) in [(20.0, 12.0, -8.0), (-35.0, -15.0, 10.0)] {
            let moved = Prepared::new(&extract(&fixtures::rotate(&img, deg, dx, dy), 500).unwrap());
            let s = score(&original, &moved);
            assert!(s > 2.0 * FINGER_FMR_1000.score, "{deg}°: {s}");
        }
    }

    #[test]
    fn resolution_is_normalised() {
        // The same finger scanned at 570 ppi: bigger in pixels, the same in millimetres.
        let img = fixtures::image("103_1");
        let big = image::imageops::resize(&img, 442, 426, image::imageops::FilterType::Triangle);
        let t = extract(&big, 570).unwrap();
        assert_eq!(t.pixels_per_cm, 224);
        let s = score(
            &Prepared::new(&extract(&img, 500).unwrap()),
            &Prepared::new(&t),
        );
        assert!(s > 2.0 * FINGER_FMR_1000.score, "{s}");
    }

    #[test]
    fn bad_images_give_errors_or_empty_templates() {
        let blank = GrayImage::from_pixel(300, 300, image::Luma([255]));
        assert_eq!(extract(&blank, 500).unwrap().minutiae.len(), 0);
        let black = GrayImage::from_pixel(300, 300, image::Luma([0]));
        assert_eq!(extract(&black, 500).unwrap().minutiae.len(), 0);
        assert_eq!(
            extract(&GrayImage::new(10, 400), 500),
            Err(ExtractError::TooSmall {
                width: 10,
                height: 400
            })
        );
        assert_eq!(
            extract(&GrayImage::new(3000, 100), 500),
            Err(ExtractError::TooLarge {
                width: 3000,
                height: 100
            })
        );
        assert_eq!(extract(&blank, 1000), Err(ExtractError::Resolution(1000)));
        assert_eq!(
            ExtractError::Resolution(1000).to_string(),
            "finger image: 1000 ppi is not supported (490 to 580 ppi)"
        );
        // Noise has no ridges: whatever it gives must be a template, not a panic.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise = GrayImage::from_fn(256, 256, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            image::Luma([(state >> 56) as u8])
        });
        let t = extract(&noise, 500).unwrap();
        assert!(t.minutiae.len() <= MAX_MINUTIAE);
        // The smallest accepted image.
        extract(
            &GrayImage::from_pixel(MIN_SIDE, MIN_SIDE, image::Luma([128])),
            500,
        )
        .unwrap();
    }
}
