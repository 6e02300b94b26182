//! Test fixtures: three fingers of FVC2002 DB1_B, two impressions each, with the commercial
//! SDK's ISO 19794-2 records of the same images (`fixtures/matching/fvc/`).

use crate::matching::extract::extract;
use crate::matching::template::Template;
use image::GrayImage;
use std::path::PathBuf;

/// The FVC-layout fixture folder.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/matching/fvc")
}

/// A fixture image by stem (`101_1`).
pub fn image(stem: &str) -> GrayImage {
    image::open(dir().join(format!("{stem}.png")))
        .expect("fixture image decodes")
        .to_luma8()
}

/// A fixture's template from kattoo's extractor.
pub fn template(stem: &str) -> Template {
    extract(&image(stem), 500).expect("fixture extracts")
}

/// A fixture's commercial ISO 19794-2 record.
pub fn iso(stem: &str) -> Vec<u8> {
    std::fs::read(dir().join("iso19794-2").join(format!("{stem}.iso"))).expect("fixture record")
}

/// Every fixture stem.
pub const STEMS: [&str; 6] = ["101_1", "101_2", "102_1", "102_2", "103_1", "103_2"];

/// `img` rotated by `degrees` about its centre then moved by (dx, dy), white outside.
pub fn rotate(img: &GrayImage, degrees: f32, dx: f32, dy: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    GrayImage::from_fn(w, h, |x, y| {
        // Inverse map: undo the move, then the rotation.
        let (u, v) = (x as f32 - dx - cx, y as f32 - dy - cy);
        let (sx, sy) = (c * u + s * v + cx, -s * u + c * v + cy);
        if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
            return image::Luma([255]);
        }
        let (x0, y0) = (sx as u32, sy as u32);
        let (ax, ay) = (sx - x0 as f32, sy - y0 as f32);
        let p = |x, y| f32::from(img.get_pixel(x, y).0[0]);
        let v = p(x0, y0) * (1.0 - ax) * (1.0 - ay)
            + p(x0 + 1, y0) * ax * (1.0 - ay)
            + p(x0, y0 + 1) * (1.0 - ax) * ay
            + p(x0 + 1, y0 + 1) * ax * ay;
        image::Luma([v.round() as u8])
    })
}
