//! Face photo checks: before a portrait is kept, say whether it will make a usable ICAO-style photo
//! and, if not, what the operator should change — one face, close enough, in the middle, well
//! exposed, sharp, in front of a plain background.
//!
//! The webcam frame is landscape (4:3 or 16:9) while the stored photo is a 35:45 portrait cut from it,
//! so the ICAO/ISO 19794-5 rules for the final photo are translated into what the frame must allow:
//! enough pixels on the face, room for the crop, the head inside the frame. Every threshold, and why,
//! is in [`thresholds`]. Geometry comes from the detector's face box alone: rustface gives no eye
//! landmarks, so the eye-line check says "not available" instead of guessing.

mod checks;
mod detector;
mod measure;
pub mod thresholds;

#[cfg(test)]
mod tests;

pub use detector::{DETECT_SHORT_SIDE, FaceBox, FaceDetector, MODEL_FILE_NAME};

use checks::{
    Geometry, background, centring, exposure, face_count, needs_one_face, sharpness, size,
};
use measure::Rect;
use std::path::PathBuf;
use thresholds as t;

/// Errors of the face checks: a bad model file or a frame whose buffer does not match its size.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model file could not be read.
    #[error("face model {path}: cannot read the file")]
    ModelRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The model file has the right digest but rustface cannot parse it (should not happen).
    #[error("face model {path}: not a SeetaFace model")]
    ModelInvalid {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The model file is not the one the thresholds were chosen for.
    #[error(
        "face model {path}: SHA-256 {actual} is not the expected seeta_fd_frontal_v1.0; reinstall kattoo"
    )]
    ModelDigest {
        /// The file.
        path: PathBuf,
        /// Its digest.
        actual: String,
    },
    /// The RGB buffer's length is not width × height × 3.
    #[error("frame {width}x{height}: {len} bytes of RGB, expected {}", *width as u64 * *height as u64 * 3)]
    FrameSize {
        /// Frame width.
        width: u32,
        /// Frame height.
        height: u32,
        /// Buffer length.
        len: usize,
    },
}

/// What a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// Exactly one face in the frame.
    FaceCount,
    /// Face large enough in pixels, small enough to leave room for the portrait crop.
    Size,
    /// Face in the middle horizontally, whole head inside the frame vertically.
    Centring,
    /// Eyes on a level line (needs eye landmarks).
    EyeLine,
    /// Face neither too dark nor too bright nor clipped.
    Exposure,
    /// Face in focus and not moving.
    Sharpness,
    /// Plain background around the head.
    Background,
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The photo is fine in this respect.
    Pass,
    /// The photo must be retaken; the reason says what to change.
    Fail,
    /// The check could not be made (no single face, or no landmarks); it does not block the photo.
    NotAvailable,
}

/// One check's result, for the operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was checked.
    pub kind: CheckKind,
    /// Pass, fail or not available.
    pub verdict: Verdict,
    /// 0–100, 50 being the pass mark, 100 the ideal; `None` when not available.
    pub score: Option<u8>,
    /// Fluent message id of the reason, for the translated UI.
    pub message_id: &'static str,
    /// The reason in English, with the measured figure.
    pub reason: String,
}

impl Check {
    /// True when the verdict is [`Verdict::Pass`].
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    fn graded(kind: CheckKind, score: u8, message_id: &'static str, reason: String) -> Self {
        let verdict = if score >= t::PASS_SCORE {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        Self {
            kind,
            verdict,
            score: Some(score),
            message_id,
            reason,
        }
    }

    fn not_available(kind: CheckKind, message_id: &'static str, reason: &str) -> Self {
        Self {
            kind,
            verdict: Verdict::NotAvailable,
            score: None,
            message_id,
            reason: reason.to_owned(),
        }
    }
}

/// Every check on one frame, in a fixed order (the order of [`CheckKind`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceChecks {
    /// The checks.
    pub checks: Vec<Check>,
    /// The face when exactly one was found.
    pub face: Option<FaceBox>,
    /// The 35:45 portrait to keep from the frame, when exactly one face was found: the part the
    /// checks judged (the background check looks at nothing else), cut to the frame's edges
    /// (so narrower than 35:45 when the head is near an edge, which the centring and size
    /// checks refuse unless the photo is kept anyway).
    pub portrait: Option<Portrait>,
}

/// A rectangle of whole pixels inside a frame: the portrait kept from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Portrait {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width, at least 1.
    pub width: u32,
    /// Height, at least 1.
    pub height: u32,
}

impl Portrait {
    /// `rect` rounded to whole pixels and cut to a `width` × `height` frame; `None` when
    /// nothing of it lies inside.
    fn within(rect: Rect, width: u32, height: u32) -> Option<Portrait> {
        let clamp = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
        let (x0, x1) = (clamp(rect.x0, width), clamp(rect.x1, width));
        let (y0, y1) = (clamp(rect.y0, height), clamp(rect.y1, height));
        (x1 > x0 && y1 > y0).then(|| Portrait {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        })
    }

    /// The portrait's pixels out of an RGB8 frame `frame_width` wide; `None` when the
    /// portrait does not lie inside that frame.
    pub fn cut(&self, rgb: &[u8], frame_width: u32) -> Option<Vec<u8>> {
        let (fw, x, w) = (frame_width as usize, self.x as usize, self.width as usize);
        let rows = self.y as usize..(self.y as usize + self.height as usize);
        if x + w > fw || rows.end * fw * 3 > rgb.len() {
            return None;
        }
        Some(
            rows.flat_map(|row| &rgb[(row * fw + x) * 3..(row * fw + x + w) * 3])
                .copied()
                .collect(),
        )
    }
}

impl FaceChecks {
    /// True when no check failed (checks that were not available do not block).
    pub fn all_passed(&self) -> bool {
        !self.checks.iter().any(|c| c.verdict == Verdict::Fail)
    }

    /// The check of `kind`.
    pub fn get(&self, kind: CheckKind) -> &Check {
        self.checks
            .iter()
            .find(|c| c.kind == kind)
            .expect("check_face fills every kind")
    }

    /// The checks that failed, in order.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Fail)
    }
}

/// Checks one RGB8 frame (`rgb.len() == width × height × 3`, as in `hal::Frame`).
pub fn check_face(
    detector: &mut FaceDetector,
    rgb: &[u8],
    width: u32,
    height: u32,
) -> Result<FaceChecks, Error> {
    let (w, h) = (width as usize, height as usize);
    if rgb.len() != w * h * 3 {
        return Err(Error::FrameSize {
            width,
            height,
            len: rgb.len(),
        });
    }
    let luma = measure::luma(rgb, w, h);
    let faces = detector.detect(&luma);
    let face = (faces.len() == 1).then(|| faces[0]);
    let mut checks = vec![face_count(faces.len())];
    match face {
        Some(face) => {
            let geometry = Geometry::of(&face);
            checks.push(size(&geometry, h));
            checks.push(centring(&geometry, w, h));
        }
        None => {
            checks.push(needs_one_face(CheckKind::Size));
            checks.push(needs_one_face(CheckKind::Centring));
        }
    }
    checks.push(Check::not_available(
        CheckKind::EyeLine,
        "face-check-eye-line-not-available",
        "Eye line not checked: the face detector gives no eye positions. Check by eye that the head is level.",
    ));
    let whole = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: w as f32,
        y1: h as f32,
    };
    let exposure_rect = face.map_or(whole, |f| Rect {
        x0: f.x,
        y0: f.y,
        x1: f.x + f.width,
        y1: f.y + f.height,
    });
    checks.push(exposure(&luma, exposure_rect, face.is_some()));
    match face {
        Some(face) => {
            checks.push(sharpness(&luma, &face));
            checks.push(background(rgb, w, h, &Geometry::of(&face)));
        }
        None => {
            checks.push(needs_one_face(CheckKind::Sharpness));
            checks.push(needs_one_face(CheckKind::Background));
        }
    }
    tracing::debug!(
        faces = faces.len(),
        failed = ?checks.iter().filter(|c| c.verdict == Verdict::Fail).map(|c| c.kind).collect::<Vec<_>>(),
        "face checks"
    );
    let portrait = face.and_then(|f| Portrait::within(Geometry::of(&f).portrait(), width, height));
    Ok(FaceChecks {
        checks,
        face,
        portrait,
    })
}
