//! Fingerprint quality in the manner of NIST NFIQ 2, so that the kiosk can ask for another
//! capture while the citizen is still at the scanner instead of storing a print that will not
//! match later.
//!
//! What follows NFIQ 2 (NISTIR 8382 and the reference feature sources): the near-white frame
//! crop; the quick-feedback gates (mean grey above 250 → empty or too little contrast, grey
//! deviation below 1 → uniform, fewer than 50 000 region-of-interest pixels → too small, fewer
//! than 5 minutiae); the 32×32 block-variance segmentation; and the block features OCL, LCS,
//! FDA, RVU and OF computed on orientation-aligned 32×16 windows, averaged over the blocks as
//! NFIQ 2's `*_Bin10_Mean`.
//!
//! What does not: NFIQ 2's minutiae come from FingerJet FX; ours are an estimate from a thinned
//! ridge skeleton (see [`minutiae`]). NFIQ 2 turns its 69 features into a score with a trained
//! random forest that is not available here. [`Features::unified_score`] is instead a documented
//! monotone combination: each feature is mapped linearly onto 0..1 between a "poor" and a "good"
//! anchor, the clarity features are averaged with fixed weights, and that average is capped by
//! the usable area (small or partial prints cannot score high whatever their clarity). The
//! anchors were set from NFIQ 2's own histogram limits and the feature ranges of the five NIST
//! example images, then the one final gain (`SCORE_GAIN`) was fitted by least squares to
//! those five images' NIST scores: agreement on those five is in-sample, not a validation. The FVC sets were not used for fitting; they are the
//! out-of-sample check (see `eval_tests`).

mod blocks;
mod image;
mod minutiae;
mod roi;

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod tests;

/// Quality of one fingerprint capture.
#[derive(Clone, Debug, PartialEq)]
pub struct FingerQuality {
    /// 0 (unusable) to 100 (excellent), on NFIQ 2's scale; 0 whenever a gate fired.
    pub score: u8,
    /// The measurements the score was made from.
    pub features: Features,
    /// The quick-feedback check that failed, if any.
    pub gate: Option<Gate>,
}

/// Image-level quality features. Block features are means over blocks, as NFIQ 2's
/// `*_Bin10_Mean` (0 when no block qualified).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    /// Orientation certainty level, 0 (no dominant direction) to 1.
    pub ocl_mean: f64,
    /// Local clarity score: how cleanly ridges separate from valleys, 0 to 1.
    pub lcs_mean: f64,
    /// Orientation flow: angular change to neighbouring blocks, 0 (smooth) to 1.
    pub of_mean: f64,
    /// Frequency domain analysis: strength of the dominant ridge frequency, about 0.2 to 1.
    pub fda_mean: f64,
    /// Ridge–valley uniformity: mean ratio of consecutive ridge and valley widths (about 1).
    pub rvu_mean: f64,
    /// Estimated number of minutiae (ridge endings and bifurcations) in the usable area.
    pub minutiae: u32,
    /// Region-of-interest pixels over all pixels of the submitted image.
    pub foreground_fraction: f64,
    /// Region-of-interest pixels (NFIQ 2's `SufficientFingerprintForeground`).
    pub foreground_pixels: u32,
    /// Mean grey level after the frame crop (NFIQ 2's `Mu`, `EmptyImageOrContrastTooLow`).
    pub mean_gray: f64,
    /// Grey-level deviation after the frame crop (NFIQ 2's `UniformImage`).
    pub gray_std: f64,
}

/// A quick-feedback check that makes the capture unusable whatever its other features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Gate {
    /// Nothing but near-white: no finger on the glass.
    Empty,
    /// Mean grey above 250: the print is too faint.
    LowContrast,
    /// Almost no grey-level variation.
    Uniform,
    /// The finger covers too little of the glass (NFIQ 2: under 50 000 pixels).
    SmallForeground,
    /// Fewer than 5 minutiae: no usable ridge structure.
    FewMinutiae,
}

impl Gate {
    /// Whether the check says no finger is on the glass at all (an empty, blank or too faint
    /// image), as opposed to a finger with too little contact or ridge detail.
    pub fn no_finger(&self) -> bool {
        matches!(self, Gate::Empty | Gate::LowContrast | Gate::Uniform)
    }

    /// What the operator is told, in English (the UI translates by [`Gate::message_id`]).
    pub fn reason(&self) -> &'static str {
        match self {
            Gate::Empty => "No finger on the scanner — place the finger flat on the glass.",
            Gate::LowContrast => {
                "The print is too faint — press a little harder or moisten the finger, then retry."
            }
            Gate::Uniform => "The image is blank — clean the glass and place the finger again.",
            Gate::SmallForeground => {
                "Too little of the finger touches the glass — roll it flat over the centre and retry."
            }
            Gate::FewMinutiae => {
                "No ridges are visible — clean the glass and the finger, then retry."
            }
        }
    }

    /// Fluent message identifier for the operator screen.
    pub fn message_id(&self) -> &'static str {
        match self {
            Gate::Empty => "quality-gate-empty",
            Gate::LowContrast => "quality-gate-low-contrast",
            Gate::Uniform => "quality-gate-uniform",
            Gate::SmallForeground => "quality-gate-small-foreground",
            Gate::FewMinutiae => "quality-gate-few-minutiae",
        }
    }
}

/// Why a fingerprint image could not be assessed at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum QualityError {
    /// The buffer does not hold width × height bytes.
    #[error("fingerprint image: {len} bytes for {width}×{height} pixels")]
    SizeMismatch { len: usize, width: u32, height: u32 },
    /// Smaller than one NFIQ 2 block neighbourhood.
    #[error("fingerprint image: {width}×{height} pixels is smaller than the {min}×{min} minimum")]
    TooSmall { width: u32, height: u32, min: u32 },
}

/// Smallest side accepted: one 32-pixel block plus its slanted-window border, with room.
const MIN_SIDE: u32 = 48;
const EMPTY_MEAN: f64 = 250.0;
const UNIFORM_STD: f64 = 1.0;
const MIN_FOREGROUND: u32 = 50_000;
const MIN_MINUTIAE: u32 = 5;

/// Assesses an 8-bit grey fingerprint image captured at 500 ppi.
pub fn assess(pixels: &[u8], width: u32, height: u32) -> Result<FingerQuality, QualityError> {
    if pixels.len() as u64 != u64::from(width) * u64::from(height) {
        return Err(QualityError::SizeMismatch {
            len: pixels.len(),
            width,
            height,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(QualityError::TooSmall {
            width,
            height,
            min: MIN_SIDE,
        });
    }
    let gated = |gate, features| {
        Ok(FingerQuality {
            score: 0,
            features,
            gate: Some(gate),
        })
    };
    let Some(img) = image::crop_near_white_frame(pixels, width as usize, height as usize) else {
        return gated(
            Gate::Empty,
            Features {
                mean_gray: 255.0,
                ..Features::default()
            },
        );
    };
    let (mean_gray, gray_std) = img.mean_std();
    let mut features = Features {
        mean_gray,
        gray_std,
        ..Features::default()
    };
    if mean_gray > EMPTY_MEAN {
        return gated(Gate::LowContrast, features);
    }
    if gray_std < UNIFORM_STD {
        return gated(Gate::Uniform, features);
    }
    let roi = roi::region_of_interest(&img);
    features.foreground_pixels = roi.pixels as u32;
    features.foreground_fraction = roi.pixels as f64 / pixels.len() as f64;
    if features.foreground_pixels < MIN_FOREGROUND {
        return gated(Gate::SmallForeground, features);
    }
    if img.width < MIN_SIDE as usize || img.height < MIN_SIDE as usize {
        return gated(Gate::SmallForeground, features);
    }
    let means = blocks::compute(&img);
    features.ocl_mean = means.ocl;
    features.lcs_mean = means.lcs;
    features.fda_mean = means.fda;
    features.rvu_mean = means.rvu;
    features.of_mean = means.of;
    features.minutiae = minutiae::estimate(&img, &roi.mask).count;
    if features.minutiae < MIN_MINUTIAE {
        return gated(Gate::FewMinutiae, features);
    }
    Ok(FingerQuality {
        score: features.unified_score(),
        features,
        gate: None,
    })
}

/// Linear map of `v` onto 0..1 between `poor` and `good` (either order), clamped.
fn grade(v: f64, poor: f64, good: f64) -> f64 {
    ((v - poor) / (good - poor)).clamp(0.0, 1.0)
}

/// Stretch of the 0..1 combination onto NFIQ 2's scale: the least-squares gain (through 0)
/// from our combination to NIST's unified score on the five NIST example images. Calibrated
/// in-sample on those five; see the module docs.
const SCORE_GAIN: f64 = 64.5;

impl Features {
    /// The 0–100 score of an image that passed the gates: [`SCORE_GAIN`] times a weighted mean
    /// of graded clarity features, scaled down by graded usable area and minutiae; monotone in
    /// every feature.
    pub fn unified_score(&self) -> u8 {
        (SCORE_GAIN * self.combined()).round().clamp(0.0, 100.0) as u8
    }

    /// The 0..1 combination behind [`Features::unified_score`].
    pub(crate) fn combined(&self) -> f64 {
        let clarity = 0.30 * grade(self.lcs_mean, 0.40, 0.90)
            + 0.25 * grade(self.ocl_mean, 0.50, 0.92)
            + 0.25 * grade(self.fda_mean, 0.25, 0.55)
            + 0.20 * grade(self.of_mean, 0.45, 0.10);
        let amount = grade(f64::from(self.foreground_pixels), 50_000.0, 150_000.0).min(grade(
            f64::from(self.minutiae),
            5.0,
            40.0,
        ));
        clarity * (0.5 + 0.5 * amount)
    }
}
