//! Decision thresholds, calibrated on measured impostor scores rather than guessed.
//!
//! Where they come from: kattoo's extractor and comparator (this commit's parameters) on the two
//! development sets, FVC2002 DB1_B and FVC2004 DB1_B, all impostor pairs of the FVC protocol
//! (2 × 2,880 = 5,760 comparisons of different fingers; `kattoo biometrics scores DIR`). A
//! threshold at false match rate F is the score that at most F of those impostor comparisons
//! reach. The fused thresholds are for the mean of two finger scores of two different people,
//! from all 16.6 million pairs of the 5,760 impostor scores (finger scores of different fingers
//! taken as independent). With 5,760 comparisons, an FMR of 0.1 % rests on 5 scores: these are
//! first estimates, to be measured again on the station's own population when there is one.
//! FVC2002 DB4_B was not used.

/// A threshold and what it was measured at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Scores at or above this are a match.
    pub score: f32,
    /// The false match rate measured at that score.
    pub fmr: f64,
    /// Impostor comparisons it was measured on.
    pub impostors: u64,
}

impl Threshold {
    /// Whether a score is a match at this threshold.
    pub fn is_match(&self, score: f32) -> bool {
        score >= self.score
    }
}

/// One finger against one finger, at FMR 1 % (57 of 5,760 impostor scores reach 0.0757).
pub const FINGER_FMR_100: Threshold = Threshold {
    score: 0.0757,
    fmr: 0.01,
    impostors: 5_760,
};

/// One finger against one finger, at FMR 0.1 % (5 of 5,760 impostor scores reach 0.0978; the
/// highest impostor score seen was 0.104).
pub const FINGER_FMR_1000: Threshold = Threshold {
    score: 0.0978,
    fmr: 0.001,
    impostors: 5_760,
};

/// Two fingers fused (mean of the two scores), at FMR 0.01 % (1,657 of the 16,585,920 pairs
/// reach 0.0836).
pub const FUSED2_FMR_10000: Threshold = Threshold {
    score: 0.0836,
    fmr: 0.0001,
    impostors: 16_585_920,
};

/// Two fingers fused (mean of the two scores), at FMR 0.001 %: the duplicate-person check (158
/// of the 16,585,920 pairs reach 0.0927).
pub const FUSED2_FMR_100000: Threshold = Threshold {
    score: 0.0927,
    fmr: 0.000_01,
    impostors: 16_585_920,
};

// Stricter rates need higher scores.
const _: () = assert!(
    FINGER_FMR_1000.score > FINGER_FMR_100.score
        && FUSED2_FMR_100000.score > FUSED2_FMR_10000.score
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_is_inclusive() {
        assert!(FINGER_FMR_1000.is_match(FINGER_FMR_1000.score));
        assert!(FINGER_FMR_1000.is_match(0.2));
        assert!(!FINGER_FMR_1000.is_match(0.05));
    }
}
