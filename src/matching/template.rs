//! The internal minutiae template: what the extractor produces, what the ISO 19794-2 record
//! carries, and what the comparator consumes. Positions are image pixels (x right, y down) at the
//! resolution the template states; directions are radians in the same pixel frame, so a minutia
//! pointing along `(cos a, sin a)` has angle `a` (clockwise as seen on screen, because y points
//! down). The ISO record uses counter-clockwise 1.40625° steps: [`Minutia::iso_angle`] converts.

use std::f32::consts::TAU;

/// The kind of a minutia, as ISO/IEC 19794-2 codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    /// A ridge that ends.
    Ending,
    /// A ridge that splits in two.
    Bifurcation,
    /// Neither (ISO type 0), as some other software writes.
    Other,
}

/// One minutia of a finger.
///
/// Direction convention (the same for both kinds, so that a minutia whose kind flips with
/// pressure keeps its direction): a ridge ending points from its tip back along the ridge, a
/// bifurcation points from the fork into the valley between its two branches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minutia {
    /// Column, in pixels from the left.
    pub x: u16,
    /// Row, in pixels from the top.
    pub y: u16,
    /// Direction in radians, `[0, 2π)`, clockwise on screen from the x axis (y points down).
    pub angle: f32,
    /// Ending, bifurcation or other.
    pub kind: MinutiaKind,
    /// Reliability 0–100 (ISO's quality; 0 means "not reported").
    pub quality: u8,
}

impl Minutia {
    /// The direction in ISO 19794-2 units: 256 steps of 1.40625°, counter-clockwise on screen.
    pub fn iso_angle(&self) -> u8 {
        let ccw = (TAU - self.angle).rem_euclid(TAU);
        ((ccw / TAU * 256.0).round() as u32 % 256) as u8
    }

    /// The angle in radians of an ISO 19794-2 direction (counter-clockwise, 1.40625° steps).
    pub fn angle_from_iso(units: u8) -> f32 {
        (TAU - f32::from(units) / 256.0 * TAU).rem_euclid(TAU)
    }
}

/// The minutiae of one finger image, with the image geometry they refer to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Template {
    /// Image width in pixels.
    pub width: u16,
    /// Image height in pixels.
    pub height: u16,
    /// Resolution in pixels per centimetre (197 for 500 ppi), as ISO 19794-2 records it.
    pub pixels_per_cm: u16,
    /// Image quality 0–100 for the whole finger (0: not reported).
    pub quality: u8,
    /// The minutiae, best quality first.
    pub minutiae: Vec<Minutia>,
}

impl Template {
    /// Pixels per centimetre of a resolution in pixels per inch.
    pub fn ppcm_of_ppi(ppi: u32) -> u16 {
        (ppi as f32 / 2.54).round().min(f32::from(u16::MAX)) as u16
    }

    /// The same minutiae in an image of another size: positions stretched per axis from this
    /// template's `width`×`height` frame, directions turned accordingly. Some SDKs resample every
    /// image to their sensor's frame before extracting (the commercial FVC records are in a
    /// 300×400 frame whatever the image); this brings such minutiae back onto the real image.
    pub fn rescaled_to(&self, width: u16, height: u16) -> Template {
        if self.width == 0 || self.height == 0 || (self.width, self.height) == (width, height) {
            return Template {
                width,
                height,
                ..self.clone()
            };
        }
        let sx = f32::from(width) / f32::from(self.width);
        let sy = f32::from(height) / f32::from(self.height);
        let minutiae = self
            .minutiae
            .iter()
            .map(|m| Minutia {
                x: (f32::from(m.x) * sx).round().min(f32::from(u16::MAX)) as u16,
                y: (f32::from(m.y) * sy).round().min(f32::from(u16::MAX)) as u16,
                angle: (sy * m.angle.sin())
                    .atan2(sx * m.angle.cos())
                    .rem_euclid(TAU),
                ..*m
            })
            .collect();
        Template {
            width,
            height,
            minutiae,
            ..self.clone()
        }
    }

    /// The factor that turns this template's pixel distances into 500 ppi pixels.
    pub fn scale_to_500ppi(&self) -> f32 {
        if self.pixels_per_cm == 0 {
            1.0
        } else {
            500.0 / (f32::from(self.pixels_per_cm) * 2.54)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_angles_are_counter_clockwise_with_y_down() {
        let m = |angle| Minutia {
            x: 0,
            y: 0,
            angle,
            kind: MinutiaKind::Ending,
            quality: 0,
        };
        // Pointing right: 0 either way.
        assert_eq!(m(0.0).iso_angle(), 0);
        // Pointing up on screen is (0, -1) in pixels: angle 3π/2 here, 90° counter-clockwise in ISO.
        assert_eq!(m(3.0 * std::f32::consts::FRAC_PI_2).iso_angle(), 64);
        // Pointing down on screen: ISO 270°.
        assert_eq!(m(std::f32::consts::FRAC_PI_2).iso_angle(), 192);
        for units in 0..=255u8 {
            assert_eq!(m(Minutia::angle_from_iso(units)).iso_angle(), units);
        }
    }

    #[test]
    fn rescaling_stretches_positions_and_turns_directions() {
        let t = Template {
            width: 300,
            height: 400,
            pixels_per_cm: 197,
            quality: 0,
            minutiae: vec![Minutia {
                x: 150,
                y: 100,
                angle: std::f32::consts::FRAC_PI_4,
                kind: MinutiaKind::Ending,
                quality: 40,
            }],
        };
        let r = t.rescaled_to(600, 400);
        assert_eq!((r.width, r.height, r.pixels_per_cm), (600, 400, 197));
        let m = r.minutiae[0];
        assert_eq!(
            (m.x, m.y, m.kind, m.quality),
            (300, 100, MinutiaKind::Ending, 40)
        );
        // 45° stretched twice as wide: atan(1/2).
        assert!((m.angle - 0.5f32.atan()).abs() < 1e-5, "{}", m.angle);
        assert_eq!(t.rescaled_to(300, 400), t);
    }

    #[test]
    fn resolution_normalises_to_500_ppi() {
        let t = Template {
            pixels_per_cm: Template::ppcm_of_ppi(500),
            ..Template::default()
        };
        assert_eq!(t.pixels_per_cm, 197);
        assert!((t.scale_to_500ppi() - 1.0).abs() < 0.01);
        let t = Template {
            pixels_per_cm: Template::ppcm_of_ppi(570),
            ..Template::default()
        };
        assert!((t.scale_to_500ppi() - 500.0 / 570.0).abs() < 0.01);
    }
}
