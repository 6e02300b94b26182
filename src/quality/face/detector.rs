//! Face detection: the SeetaFace frontal detector (through `rustface`), loaded from the model file in
//! `assets/models/`, run on a downscaled grey copy of the frame so that a 720p frame is checked in
//! well under 200 ms on one core.

use super::Error;
use super::measure::{self, Gray};
use sha2::{Digest, Sha256};
use std::path::Path;

/// File name of the detector model inside the assets folder (`assets/models/` in the source tree).
pub const MODEL_FILE_NAME: &str = "seeta_fd_frontal_v1.0.bin";

/// The face model, built into the binary.
const BUILTIN_MODEL: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/models/seeta_fd_frontal_v1.0.bin"
));

/// SHA-256 of the only model the thresholds were chosen for.
const MODEL_SHA256: &str = "c4619d066ed35e84d9a8e842860b0dff567aba0cbb139881075538761db3ff5d";

/// Detection runs on a copy whose short side is at most this many pixels (1280×720 → 480×270).
///
/// The detector's smallest window is 40 px, so on that copy it finds faces down to 40/270 ≈ 15 % of
/// the frame's short side: on a 720p frame a face box of 107 px, below the 133 px that the size check
/// needs anyway (see `MIN_EYE_DISTANCE_PX`). Full resolution has 7× the pixels to scan; on the
/// reduced copy a whole 720p check takes about 50 ms on one core (benches/face.rs).
pub const DETECT_SHORT_SIDE: u32 = 270;

/// Score below which a candidate window is not a face. 2.0 is the value of the SeetaFace and
/// rustface examples; the reference portrait scores 13 at our detection scale.
const SCORE_THRESHOLD: f64 = 2.0;

/// A detected face, in pixels of the frame that was checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The detector's confidence (higher is surer; faces start at 2.0).
    pub confidence: f64,
}

impl FaceBox {
    /// Horizontal centre.
    pub fn centre_x(&self) -> f32 {
        self.x + self.width / 2.0
    }
}

/// A loaded face detector. Not `Send` (rustface's detector is a `Box<dyn Detector>`): create one per
/// worker thread and reuse it for every frame (loading and checking the 1.2 MB model takes about
/// 2 ms, a frame about 50 ms).
pub struct FaceDetector {
    inner: Box<dyn rustface::Detector>,
}

impl std::fmt::Debug for FaceDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaceDetector(seeta_fd_frontal_v1.0)")
    }
}

impl FaceDetector {
    /// Loads the model from `path` (normally `<assets>/models/seeta_fd_frontal_v1.0.bin`) and checks
    /// that it is the model the thresholds were chosen for.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::ModelRead {
            path: path.to_owned(),
            source,
        })?;
        Self::from_model_bytes(&bytes).map_err(|e| match e {
            Error::ModelInvalid { source, .. } => Error::ModelInvalid {
                path: path.to_owned(),
                source,
            },
            Error::ModelDigest { actual, .. } => Error::ModelDigest {
                path: path.to_owned(),
                actual,
            },
            other => other,
        })
    }

    /// The detector over the model built into the binary, so no file is needed at run time.
    pub fn builtin() -> Result<Self, Error> {
        Self::from_model_bytes(BUILTIN_MODEL)
    }

    /// Builds a detector from the model's bytes (for a caller that embeds them with `include_bytes!`).
    pub fn from_model_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let actual = hex::encode(Sha256::digest(bytes));
        if actual != MODEL_SHA256 {
            return Err(Error::ModelDigest {
                path: "<bytes>".into(),
                actual,
            });
        }
        let model = rustface::read_model(bytes).map_err(|source| Error::ModelInvalid {
            path: "<bytes>".into(),
            source,
        })?;
        let mut inner = rustface::create_detector_with_model(model);
        inner.set_min_face_size(20);
        inner.set_score_thresh(SCORE_THRESHOLD);
        inner.set_pyramid_scale_factor(0.8);
        inner.set_slide_window_step(4, 4);
        Ok(Self { inner })
    }

    /// Every face in the grey frame, largest first, in the frame's pixel coordinates.
    pub(super) fn detect(&mut self, luma: &Gray) -> Vec<FaceBox> {
        let short = luma.width.min(luma.height) as u32;
        let scale = if short > DETECT_SHORT_SIDE {
            DETECT_SHORT_SIDE as f32 / short as f32
        } else {
            1.0
        };
        let small_w = ((luma.width as f32 * scale).round() as usize).max(1);
        let small_h = ((luma.height as f32 * scale).round() as usize).max(1);
        let small = if scale < 1.0 {
            measure::downscale(luma, small_w, small_h)
        } else {
            luma.clone()
        };
        // The detector cannot look at anything smaller than its 40 px window.
        if small.width < 40 || small.height < 40 {
            return Vec::new();
        }
        let bytes: Vec<u8> = small
            .pixels
            .iter()
            .map(|&v| v.round().clamp(0.0, 255.0) as u8)
            .collect();
        let image = rustface::ImageData::new(&bytes, small.width as u32, small.height as u32);
        let sx = luma.width as f32 / small.width as f32;
        let sy = luma.height as f32 / small.height as f32;
        let mut faces: Vec<FaceBox> = self
            .inner
            .detect(&image)
            .into_iter()
            .map(|f| {
                let b = f.bbox();
                FaceBox {
                    x: b.x() as f32 * sx,
                    y: b.y() as f32 * sy,
                    width: b.width() as f32 * sx,
                    height: b.height() as f32 * sy,
                    confidence: f.score(),
                }
            })
            .collect();
        faces.sort_by(|a, b| (b.width * b.height).total_cmp(&(a.width * a.height)));
        faces
    }
}
