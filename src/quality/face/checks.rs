//! The individual checks: each turns measurements of one frame into a graded [`Check`] with a reason
//! an operator can act on.

use super::measure::{self, Gray, Rect};
use super::thresholds as t;
use super::{Check, CheckKind, FaceBox};

pub(super) fn needs_one_face(kind: CheckKind) -> Check {
    Check::not_available(
        kind,
        "face-check-needs-one-face",
        "Not checked: needs exactly one face in the picture.",
    )
}

/// Head geometry estimated from the detector box (see [`thresholds`] for the ratios).
pub(super) struct Geometry {
    centre_x: f32,
    crown_y: f32,
    chin_y: f32,
    eye_distance: f32,
    eye_y: f32,
    box_mid_y: f32,
    box_width: f32,
}

impl Geometry {
    pub(super) fn of(face: &FaceBox) -> Self {
        Self {
            centre_x: face.centre_x(),
            crown_y: face.y - t::CROWN_ABOVE_BOX * face.height,
            chin_y: face.y + face.height + t::CHIN_BELOW_BOX * face.height,
            eye_distance: t::EYE_DISTANCE_PER_BOX_WIDTH * face.width,
            eye_y: face.y + t::EYE_LINE_BELOW_BOX * face.height,
            box_mid_y: face.y + face.height / 2.0,
            box_width: face.width,
        }
    }

    fn head_length(&self) -> f32 {
        self.chin_y - self.crown_y
    }

    /// The 35:45 portrait that is cut from the frame: the head at TARGET_HEAD_SHARE of its
    /// height, the crown TARGET_HEADROOM below its top, centred on the face.
    pub(super) fn portrait(&self) -> Rect {
        let crop_h = self.head_length() / t::TARGET_HEAD_SHARE;
        let crop_w = crop_h * 35.0 / 45.0;
        let top = self.crown_y - t::TARGET_HEADROOM * crop_h;
        Rect {
            x0: self.centre_x - crop_w / 2.0,
            y0: top,
            x1: self.centre_x + crop_w / 2.0,
            y1: top + crop_h,
        }
    }
}

pub(super) fn face_count(n: usize) -> Check {
    match n {
        1 => Check::graded(
            CheckKind::FaceCount,
            100,
            "face-check-one-face",
            "One face found.".into(),
        ),
        0 => Check::graded(
            CheckKind::FaceCount,
            0,
            "face-check-no-face",
            "No face found — ask the person to face the camera, uncovered, inside the guide."
                .into(),
        ),
        n => Check::graded(
            CheckKind::FaceCount,
            0,
            "face-check-several-faces",
            format!("{n} faces found — only the person being registered may be in the picture."),
        ),
    }
}

pub(super) fn size(g: &Geometry, frame_h: usize) -> Check {
    let head_share = g.head_length() / frame_h as f32;
    let far = t::score_at_least(
        g.eye_distance,
        t::MIN_EYE_DISTANCE_PX,
        t::IDEAL_EYE_DISTANCE_PX,
    );
    let close = t::score_at_most(head_share, t::MAX_HEAD_SHARE, t::IDEAL_MAX_HEAD_SHARE);
    let score = far.min(close);
    let (id, text) = if score >= t::PASS_SCORE {
        ("face-check-size-ok", "Face size fine")
    } else if far <= close {
        (
            "face-check-too-far",
            "Face too small — ask the person to come closer to the camera",
        )
    } else {
        (
            "face-check-too-close",
            "Face too large — ask the person to step back from the camera",
        )
    };
    let reason = format!(
        "{text} (about {:.0} px between the eyes, at least {:.0}; head {:.0}% of the picture height, at most {:.0}%).",
        g.eye_distance,
        t::MIN_EYE_DISTANCE_PX,
        head_share * 100.0,
        t::MAX_HEAD_SHARE * 100.0
    );
    Check::graded(CheckKind::Size, score, id, reason)
}

pub(super) fn centring(g: &Geometry, frame_w: usize, frame_h: usize) -> Check {
    let offset = (g.centre_x - frame_w as f32 / 2.0) / frame_w as f32;
    let horizontal = t::score_at_most(offset.abs(), t::MAX_CENTRE_OFFSET, t::IDEAL_CENTRE_OFFSET);
    let headroom = g.crown_y / g.head_length();
    let top = t::score_at_least(headroom, t::MIN_HEADROOM, t::IDEAL_HEADROOM);
    let footroom = (frame_h as f32 - g.chin_y) / g.head_length();
    let bottom = t::score_at_least(footroom, t::MIN_ROOM_BELOW_CHIN, t::IDEAL_ROOM_BELOW_CHIN);
    let worst = horizontal.min(top).min(bottom);
    if worst >= t::PASS_SCORE {
        let reason = format!(
            "Face well placed ({:.0}% from the centre line).",
            offset.abs() * 100.0
        );
        return Check::graded(CheckKind::Centring, worst, "face-check-centred", reason);
    }
    let (id, reason) = if worst == horizontal {
        let side = if offset < 0.0 { "left" } else { "right" };
        (
            if offset < 0.0 {
                "face-check-off-centre-left"
            } else {
                "face-check-off-centre-right"
            },
            format!(
                "Face is off to the {side} of the picture ({:.0}% of its width from the centre line) — ask the person to move into the centre guide.",
                offset.abs() * 100.0
            ),
        )
    } else if worst == top {
        (
            "face-check-too-high",
            "Top of the head is cut off — lower the camera or ask the person to sit lower.".into(),
        )
    } else {
        (
            "face-check-too-low",
            "Chin is too close to the bottom edge — raise the camera or ask the person to sit up."
                .into(),
        )
    };
    Check::graded(CheckKind::Centring, worst, id, reason)
}

pub(super) fn exposure(luma: &Gray, rect: Rect, on_face: bool) -> Check {
    let hist = measure::histogram(luma, rect);
    let bright_end = measure::percentile(&hist, 0.99) as f32;
    let dark_end = measure::percentile(&hist, 0.01) as f32;
    let (crushed, blown) = measure::share_outside(&hist, t::CLIP_LOW, t::CLIP_HIGH);
    let dark = t::score_at_least(bright_end, t::MIN_BRIGHT_END, t::IDEAL_BRIGHT_END);
    let bright = t::score_at_most(dark_end, t::MAX_DARK_END, t::IDEAL_DARK_END);
    // Clipping matters on the face; black clothes or a white wall elsewhere are no fault.
    let clipped = if on_face {
        t::score_at_most(
            crushed.max(blown),
            t::MAX_CLIPPED_SHARE,
            t::IDEAL_CLIPPED_SHARE,
        )
    } else {
        100
    };
    let worst = dark.min(bright).min(clipped);
    let place = if on_face { "face" } else { "picture" };
    let (id, reason) = if worst >= t::PASS_SCORE {
        (
            "face-check-exposure-ok",
            format!("Exposure fine on the {place}."),
        )
    } else if worst == dark {
        (
            "face-check-too-dark",
            format!(
                "The {place} is too dark (brightest part at {bright_end:.0} of 255) — add light on the face or open the camera exposure."
            ),
        )
    } else if worst == bright {
        (
            "face-check-too-bright",
            format!(
                "The {place} is too bright, washed out (darkest part at {dark_end:.0} of 255) — reduce the light or the camera exposure."
            ),
        )
    } else {
        (
            "face-check-clipped",
            format!(
                "Part of the {place} is pure white or pure black ({:.0}% of it) — soften the light or move away from the window.",
                crushed.max(blown) * 100.0
            ),
        )
    };
    Check::graded(CheckKind::Exposure, worst, id, reason)
}

pub(super) fn sharpness(luma: &Gray, face: &FaceBox) -> Check {
    let rect = Rect {
        x0: face.x,
        y0: face.y,
        x1: face.x + face.width,
        y1: face.y + face.height,
    };
    // Never upsample: copying pixels would add steps that the Laplacian reads as detail.
    let n = t::SHARPNESS_FACE_PX.min(face.width.round().max(3.0) as usize);
    let normalised = measure::resample(
        luma.width,
        luma.height,
        |x, y| luma.pixels[y * luma.width + x],
        rect,
        n,
        n,
    );
    let ratio = measure::laplacian_ratio(&normalised).unwrap_or(0.0);
    let score = t::score_at_least(ratio, t::MIN_LAPLACIAN_RATIO, t::IDEAL_LAPLACIAN_RATIO);
    let (id, text) = if score >= t::PASS_SCORE {
        ("face-check-sharp", "Face sharp")
    } else {
        (
            "face-check-blurred",
            "Face is blurred — ask the person to keep still and check the camera focus",
        )
    };
    Check::graded(
        CheckKind::Sharpness,
        score,
        id,
        format!(
            "{text} (detail {ratio:.3}, at least {}).",
            t::MIN_LAPLACIAN_RATIO
        ),
    )
}

pub(super) fn background(rgb: &[u8], w: usize, h: usize, g: &Geometry) -> Check {
    // The portrait that is kept: only what is in it is judged.
    let crop = g.portrait();
    let (crop_w, crop_h) = (crop.width(), crop.y1 - crop.y0);
    let (cols, rows) = (35, 45);
    let planes: Vec<Gray> = (0..3)
        .map(|c| {
            measure::resample(
                w,
                h,
                |x, y| rgb[(y * w + x) * 3 + c] as f32,
                crop,
                cols,
                rows,
            )
        })
        .collect();
    // Background cells: above the middle of the face box and outside the head, modelled as a half
    // ellipse above the eye line (its widest point, at the temples) on a band of the same width below.
    let head_rx = t::HEAD_WIDTH * g.box_width / 2.0;
    let head_ry = (g.eye_y - g.crown_y) * (1.0 + t::HEAD_MARGIN);
    let cell = |i: usize, j: usize| {
        let x = crop.x0 + (i as f32 + 0.5) * crop_w / cols as f32;
        let y = crop.y0 + (j as f32 + 0.5) * crop_h / rows as f32;
        let dx = (x - g.centre_x) / head_rx;
        let dy = ((g.eye_y - y) / head_ry).max(0.0);
        y < g.box_mid_y && dx * dx + dy * dy > 1.0
    };
    let mask: Vec<usize> = (0..rows)
        .flat_map(|j| (0..cols).map(move |i| (i, j)))
        .filter(|&(i, j)| cell(i, j))
        .map(|(i, j)| j * cols + i)
        .collect();
    let visible: Vec<usize> = mask
        .into_iter()
        .filter(|&k| planes[0].pixels[k].is_finite())
        .collect();
    if visible.len() < t::MIN_BACKGROUND_CELLS {
        return Check::not_available(
            CheckKind::Background,
            "face-check-background-not-visible",
            "Background not checked: too little of it is visible around the head.",
        );
    }
    let spreads: Vec<f32> = planes
        .iter()
        .map(|p| measure::robust_spread(visible.iter().map(|&k| p.pixels[k]).collect()))
        .collect();
    let spread = spreads.iter().copied().fold(0.0, f32::max);
    let score = t::score_at_most(spread, t::MAX_BACKGROUND_SPREAD, t::IDEAL_BACKGROUND_SPREAD);
    let (id, text) = if score >= t::PASS_SCORE {
        ("face-check-background-ok", "Background plain")
    } else {
        (
            "face-check-background-busy",
            "Background is not plain (objects, patterns or shadows behind the head) — use the backdrop or move the person in front of it",
        )
    };
    Check::graded(
        CheckKind::Background,
        score,
        id,
        format!(
            "{text} (spread {spread:.0}, at most {:.0}).",
            t::MAX_BACKGROUND_SPREAD
        ),
    )
}
