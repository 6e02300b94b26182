//! The numbers behind the face checks, each with where it comes from.
//!
//! Scores: every check grades a measured value on a line through two points, the pass limit (score
//! 50) and the ideal (score 100), clamped to 0–100. A check passes when its score is at least 50, so
//! the score says how far inside or outside the limit the photo is.
//!
//! Sources: ICAO Doc 9303 part 3 and ISO/IEC 19794-5 (full frontal and token images): head
//! (chin to crown) 70–80 % of the photo height, face centred within 45–55 % of the width, at least
//! 60 px between the eye centres in a token image (90 px in a full frontal one), even lighting with no
//! saturated areas, sharp focus, plain uniform background. They describe the final 35:45 portrait;
//! the kiosk cuts that portrait from a landscape webcam frame, so the limits below say what the frame
//! must allow, not what it must look like.

/// Score at which a check passes.
pub const PASS_SCORE: u8 = 50;

// ---- Head geometry from the detector box ------------------------------------------------------
// SeetaFace boxes are square, from the eyebrows to just below the mouth, cheek to cheek. Measured by
// hand on the reference portrait (fixtures/faces/astronaut.png: box 99 px, eyes 45 px apart, crown
// 53 px above the box, chin 10 px below it), which agrees with the usual face proportions (eyes half
// way down the head, head 1.5–1.7 face-box heights). Hair volume moves the crown: this is an estimate.

/// Distance between the eye centres as a share of the box width.
pub const EYE_DISTANCE_PER_BOX_WIDTH: f32 = 0.45;
/// Crown of the head above the box top, in box heights.
pub const CROWN_ABOVE_BOX: f32 = 0.5;
/// Chin below the box bottom, in box heights.
pub const CHIN_BELOW_BOX: f32 = 0.1;
/// Eye line below the box top, in box heights.
pub const EYE_LINE_BELOW_BOX: f32 = 0.32;

// ---- Size ---------------------------------------------------------------------------------------

/// Fewest pixels between the eye centres: the ISO/IEC 19794-5 token-image minimum. The stored
/// portrait cannot have more detail than the frame had, whatever the crop.
pub const MIN_EYE_DISTANCE_PX: f32 = 60.0;
/// Ideal: the ISO/IEC 19794-5 full-frontal recommendation.
pub const IDEAL_EYE_DISTANCE_PX: f32 = 90.0;
/// Largest head (chin to crown) as a share of the frame height: a 35:45 crop with the head at the
/// ICAO maximum of 80 % of its height must still fit in the frame.
pub const MAX_HEAD_SHARE: f32 = 0.80;
/// Ideal: the ICAO minimum of 70 %, which leaves the crop room to centre the head.
pub const IDEAL_MAX_HEAD_SHARE: f32 = 0.70;

// ---- Centring -----------------------------------------------------------------------------------

/// Largest horizontal offset of the face centre from the frame centre, as a share of the frame
/// width. ISO allows ±5 % in the final photo; the crop re-centres, so the frame gets twice that.
pub const MAX_CENTRE_OFFSET: f32 = 0.10;
/// Ideal: the ISO ±5 % itself.
pub const IDEAL_CENTRE_OFFSET: f32 = 0.05;
/// Room between the frame top and the crown, in head lengths: the crown must be in the frame.
pub const MIN_HEADROOM: f32 = 0.0;
/// Ideal room above the crown: the ICAO crop's margin above the head (see `TARGET_HEADROOM`).
pub const IDEAL_HEADROOM: f32 = 0.1;
/// Room between the chin and the frame bottom, in head lengths: the chin and some neck must show
/// (ICAO photos show the top of the shoulders).
pub const MIN_ROOM_BELOW_CHIN: f32 = 0.1;
/// Ideal room below the chin.
pub const IDEAL_ROOM_BELOW_CHIN: f32 = 0.25;

// ---- Exposure (luma histogram of the face box; of the frame without a single face) ---------------
// Limits on the ends of the histogram, not on its middle, so that skin tone does not decide the
// verdict: a well-lit face of any complexion has highlights (forehead, nose, eye whites) and deep
// shadows (pupils, nostrils, eyebrows).

/// Lowest acceptable 99th percentile: nothing on the face brighter than 100/255 means under-exposed.
pub const MIN_BRIGHT_END: f32 = 100.0;
/// Ideal 99th percentile.
pub const IDEAL_BRIGHT_END: f32 = 150.0;
/// Highest acceptable 1st percentile: even the darkest 1 % above 130/255 means washed out.
pub const MAX_DARK_END: f32 = 130.0;
/// Ideal 1st percentile.
pub const IDEAL_DARK_END: f32 = 80.0;
/// Luma at or below which a pixel counts as crushed black.
pub const CLIP_LOW: u8 = 5;
/// Luma at or above which a pixel counts as blown white.
pub const CLIP_HIGH: u8 = 250;
/// Largest share of the face that may be crushed or blown (ICAO: no saturated areas on the face;
/// small specular highlights are tolerated).
pub const MAX_CLIPPED_SHARE: f32 = 0.05;
/// Ideal clipped share.
pub const IDEAL_CLIPPED_SHARE: f32 = 0.01;

// ---- Sharpness ------------------------------------------------------------------------------------

/// The face box is averaged down to this many pixels square before the Laplacian, so that the figure
/// does not depend on the distance to the camera. 128 px is about the smallest face box that passes
/// the size check (60 px between the eyes ≈ 133 px box): a blur that would erase one pixel of detail
/// at the ISO token resolution is judged the same on every face.
pub const SHARPNESS_FACE_PX: usize = 128;
/// Lowest acceptable variance of the Laplacian over the variance of the face itself (a ratio, so
/// exposure and contrast do not change it). Set at about one pixel of Gaussian blur at that 128 px
/// scale: on the reference kiosk frame (face box 181 px) a blur of σ = 1 px leaves 0.024 and
/// σ = 1.36 px leaves 0.015. Anchored on one portrait: to be confirmed on real webcam frames, whose
/// sensor noise raises the figure.
pub const MIN_LAPLACIAN_RATIO: f32 = 0.02;
/// Ideal ratio: the reference kiosk frame without added blur measures 0.052.
pub const IDEAL_LAPLACIAN_RATIO: f32 = 0.05;

// ---- Background -----------------------------------------------------------------------------------

/// The portrait crop whose background is judged: head at 75 % of its height (middle of ICAO 70–80 %).
pub const TARGET_HEAD_SHARE: f32 = 0.75;
/// Margin above the crown in that crop, as a share of its height.
pub const TARGET_HEADROOM: f32 = 0.1;
/// Width of the head kept out of the background, in box widths: 1.3–1.4 for the head with the ears,
/// more with hair (1.5 on the reference portrait).
pub const HEAD_WIDTH: f32 = 1.6;
/// Margin added to the head's height above the eye line (crown estimate), as a share of it.
pub const HEAD_MARGIN: f32 = 0.2;
/// Fewest background cells (of the 35×45 grid over the crop) for the check to be made.
pub const MIN_BACKGROUND_CELLS: usize = 40;
/// Largest spread of any colour channel over the background cells (each cell averages a few frame
/// pixels, which removes most sensor noise), as a standard deviation estimated from the 10th–90th
/// percentile range so that a sliver of hair outside the head model does not count. A plain backdrop
/// with a lighting fall-off of 40 levels from one side to the other spreads 40/√12 ≈ 12; 20 allows
/// that plus fabric texture, while a flag, a poster or a door frame behind the head exceeds it.
pub const MAX_BACKGROUND_SPREAD: f32 = 20.0;
/// Ideal spread: a backdrop with at most half that fall-off.
pub const IDEAL_BACKGROUND_SPREAD: f32 = 8.0;

/// Score for a value where more is better: 50 at `pass`, 100 at `ideal`, linear, clamped.
pub fn score_at_least(value: f32, pass: f32, ideal: f32) -> u8 {
    let s = 50.0 + 50.0 * (value - pass) / (ideal - pass);
    if value >= pass {
        s.clamp(50.0, 100.0) as u8
    } else {
        s.clamp(0.0, 49.0) as u8
    }
}

/// Score for a value where less is better: 50 at `pass`, 100 at `ideal`, linear, clamped.
pub fn score_at_most(value: f32, pass: f32, ideal: f32) -> u8 {
    score_at_least(-value, -pass, -ideal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_50_at_the_limit_100_at_the_ideal_and_fail_below_50() {
        assert_eq!(score_at_least(60.0, 60.0, 90.0), 50);
        assert_eq!(score_at_least(90.0, 60.0, 90.0), 100);
        assert_eq!(score_at_least(200.0, 60.0, 90.0), 100);
        assert_eq!(score_at_least(75.0, 60.0, 90.0), 75);
        assert!(score_at_least(59.9, 60.0, 90.0) < PASS_SCORE);
        assert_eq!(score_at_least(0.0, 60.0, 90.0), 0);
        assert_eq!(score_at_most(0.05, 0.10, 0.05), 100);
        assert!(score_at_most(0.11, 0.10, 0.05) < PASS_SCORE);
    }
}
