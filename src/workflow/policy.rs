//! When a capture is good enough: the quality asked of each modality, how many tries a citizen
//! is given, and what happens after the last one.
//!
//! As the MOSIP registration client does: an attempt passes when its score reaches the
//! requested quality (for a finger set, the mean of its fingers' scores); after the last try the
//! best attempt is accepted anyway and recorded as `forced`, so a citizen with worn fingers is
//! still enrolled and central knows the capture was below threshold. A finger recorded as an
//! exception (amputated, bandaged, scarred, unable) needs an exception photo of the hand.
//! Pure functions: no device, no clock. The policy is the `[capture]` section of the
//! configuration itself, so the settings exist once.

use crate::domain::{ExceptionReason, FingerPosition};
use crate::hal::{CaptureRequest, FingerSet};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The capture rules: the `[capture]` section of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapturePolicy {
    /// Requested quality (0–100) of a four-finger slap.
    pub slap_quality: u8,
    /// Requested quality of the two thumbs.
    pub thumbs_quality: u8,
    /// Requested quality of a single finger.
    pub single_quality: u8,
    /// Share of the face checks (percent) that must pass; 100 means all. The share is also the
    /// face photo's recorded quality: the number that decided.
    pub face_checks_percent: u8,
    /// Attempts before the best one is accepted as forced (at least 1 is used).
    pub max_tries: u32,
    /// How long a scanner may wait for fingers in one attempt, in seconds.
    pub finger_timeout_seconds: u32,
    /// Seconds every face check must keep passing, counted down on screen, before the photo is
    /// taken by itself (the citizen sees the preview and can pose); 0 takes it at once.
    pub face_countdown_seconds: u32,
}

impl Default for CapturePolicy {
    fn default() -> Self {
        Self {
            slap_quality: 40,
            thumbs_quality: 40,
            single_quality: 40,
            face_checks_percent: 100,
            max_tries: 3,
            finger_timeout_seconds: 30,
            face_countdown_seconds: 3,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Keep attempt number `attempt` (0-based). `forced` when it is below the requested quality
    /// and was kept because the tries ran out; `retries` is the number of attempts before it.
    Accept {
        attempt: usize,
        forced: bool,
        retries: u32,
    },
    /// Ask the citizen to try again; `tries_left` includes that try.
    Retry { tries_left: u32 },
}

impl CapturePolicy {
    /// Attempts before the best is kept (the configured number, at least 1).
    pub fn tries(&self) -> u32 {
        self.max_tries.max(1)
    }

    /// How long a scanner may wait in one attempt.
    pub fn finger_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.finger_timeout_seconds))
    }

    /// How long the face checks must keep passing before the photo takes itself.
    pub fn face_countdown(&self) -> Duration {
        Duration::from_secs(u64::from(self.face_countdown_seconds))
    }

    /// The quality to ask of a scanner for `set`.
    pub fn requested_quality(&self, set: FingerSet) -> u8 {
        let quality = match set {
            FingerSet::LeftSlap | FingerSet::RightSlap => self.slap_quality,
            FingerSet::Thumbs => self.thumbs_quality,
            FingerSet::Single(_) => self.single_quality,
        };
        quality.min(100)
    }

    /// The scanner request for `set` with the fingers in `exceptions` left out, or `None` when
    /// every finger of the set is an exception and there is nothing to capture.
    pub fn finger_request(
        &self,
        set: FingerSet,
        exceptions: &[FingerPosition],
    ) -> Option<CaptureRequest> {
        let exceptions: Vec<FingerPosition> = set
            .positions()
            .into_iter()
            .filter(|p| exceptions.contains(p))
            .collect();
        (exceptions.len() < set.positions().len()).then(|| CaptureRequest {
            set,
            exceptions,
            requested_quality: self.requested_quality(set),
            timeout: self.finger_timeout(),
        })
    }

    /// After the attempts so far at `set` (each a list of per-finger scores, in order), keep one
    /// or try again. An attempt with no scores counts as 0.
    pub fn decide_fingers(&self, set: FingerSet, attempts: &[Vec<u8>]) -> Decision {
        let scores: Vec<u8> = attempts.iter().map(|fingers| mean(fingers)).collect();
        decide(self.requested_quality(set), self.tries(), &scores)
    }

    /// After the face attempts so far, each scored by [`face_score`], keep one or try again.
    pub fn decide_face(&self, scores: &[u8]) -> Decision {
        decide(self.face_checks_percent.min(100), self.tries(), scores)
    }
}

/// A face attempt's score: the share (percent) of the checks run that passed; no check run
/// scores 0. This is the number that decides and the quality recorded with the photo.
pub fn face_score(passed: usize, run: usize) -> u8 {
    (passed.min(run) * 100).checked_div(run).unwrap_or(0) as u8
}

fn mean(scores: &[u8]) -> u8 {
    if scores.is_empty() {
        return 0;
    }
    (scores.iter().map(|&s| u32::from(s)).sum::<u32>() / scores.len() as u32) as u8
}

/// The rule itself: accept the first attempt that reaches `requested`; once `max_tries` attempts
/// failed, accept the best (the earliest among equals) as forced.
pub fn decide(requested: u8, max_tries: u32, scores: &[u8]) -> Decision {
    let max_tries = max_tries.max(1);
    if let Some((attempt, _)) = scores.iter().enumerate().find(|(_, s)| **s >= requested) {
        return Decision::Accept {
            attempt,
            forced: false,
            retries: attempt as u32,
        };
    }
    let tried = scores.len() as u32;
    if tried < max_tries {
        return Decision::Retry {
            tries_left: max_tries - tried,
        };
    }
    let best = scores
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.cmp(b).then(j.cmp(i)))
        .map_or(0, |(i, _)| i);
    Decision::Accept {
        attempt: best,
        forced: true,
        retries: best as u32,
    }
}

/// Whether the fingers recorded as exceptions need an exception photo: any exception does,
/// permanent (amputated) or temporary (bandaged, scarred, unable), as in MOSIP.
pub fn needs_exception_photo(exceptions: &[(FingerPosition, ExceptionReason)]) -> bool {
    !exceptions.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use FingerPosition::*;

    #[test]
    fn defaults_ask_40_for_fingers_and_every_face_check() {
        let p = CapturePolicy::default();
        assert_eq!(p.requested_quality(FingerSet::LeftSlap), 40);
        assert_eq!(p.requested_quality(FingerSet::RightSlap), 40);
        assert_eq!(p.requested_quality(FingerSet::Thumbs), 40);
        assert_eq!(p.face_checks_percent, 100);
        assert_eq!(p.tries(), 3);
        assert_eq!(
            p.decide_face(&[face_score(5, 6)]),
            Decision::Retry { tries_left: 2 }
        );
        assert_eq!(
            p.decide_face(&[face_score(5, 6), face_score(6, 6)]),
            Decision::Accept {
                attempt: 1,
                forced: false,
                retries: 1
            }
        );
    }

    #[test]
    fn configuration_sets_the_thresholds() {
        let p = CapturePolicy {
            slap_quality: 60,
            thumbs_quality: 30,
            single_quality: 50,
            max_tries: 0,
            ..CapturePolicy::default()
        };
        assert_eq!(p.requested_quality(FingerSet::RightSlap), 60);
        assert_eq!(p.requested_quality(FingerSet::Thumbs), 30);
        assert_eq!(p.requested_quality(FingerSet::Single(LeftRing)), 50);
        assert_eq!(p.tries(), 1, "at least one try");
    }

    #[test]
    fn first_attempt_that_passes_is_kept() {
        let p = CapturePolicy::default();
        let set = FingerSet::LeftSlap;
        assert_eq!(
            p.decide_fingers(set, &[vec![80, 70, 60, 50]]),
            Decision::Accept {
                attempt: 0,
                forced: false,
                retries: 0
            }
        );
        // The mean decides: one weak finger does not fail a good slap (as MOSIP).
        assert_eq!(
            p.decide_fingers(set, &[vec![20, 50, 50, 50]]),
            Decision::Accept {
                attempt: 0,
                forced: false,
                retries: 0
            }
        );
        assert_eq!(
            p.decide_fingers(set, &[vec![20, 40, 40, 40]]),
            Decision::Retry { tries_left: 2 }
        );
        assert_eq!(
            p.decide_fingers(set, &[vec![39], vec![40]]),
            Decision::Accept {
                attempt: 1,
                forced: false,
                retries: 1
            }
        );
    }

    #[test]
    fn after_three_failures_the_best_is_forced() {
        let p = CapturePolicy::default();
        let set = FingerSet::Thumbs;
        assert_eq!(
            p.decide_fingers(set, &[vec![10, 10]]),
            Decision::Retry { tries_left: 2 }
        );
        assert_eq!(
            p.decide_fingers(set, &[vec![10, 10], vec![35, 33]]),
            Decision::Retry { tries_left: 1 }
        );
        assert_eq!(
            p.decide_fingers(set, &[vec![10, 10], vec![35, 33], vec![20, 30]]),
            Decision::Accept {
                attempt: 1,
                forced: true,
                retries: 1
            }
        );
        // Equal scores: the earlier attempt.
        assert_eq!(
            decide(40, 3, &[30, 30, 30]),
            Decision::Accept {
                attempt: 0,
                forced: true,
                retries: 0
            }
        );
        // An empty attempt (the scanner sent nothing) scores 0 and still counts as a try.
        assert_eq!(
            p.decide_fingers(set, &[vec![], vec![], vec![]]),
            Decision::Accept {
                attempt: 0,
                forced: true,
                retries: 0
            }
        );
    }

    #[test]
    fn exceptions_shape_the_request() {
        let p = CapturePolicy::default();
        let req = p
            .finger_request(FingerSet::RightSlap, &[RightRing, LeftRing])
            .unwrap();
        assert_eq!(req.exceptions, vec![RightRing], "only fingers of the set");
        assert_eq!(req.requested_quality, 40);
        assert_eq!(req.timeout, Duration::from_secs(30));
        assert_eq!(
            p.finger_request(FingerSet::Thumbs, &[RightThumb, LeftThumb]),
            None
        );
        assert_eq!(
            p.finger_request(FingerSet::Single(LeftLittle), &[LeftLittle]),
            None
        );
    }

    #[test]
    fn every_exception_needs_a_photo() {
        assert!(!needs_exception_photo(&[]));
        for reason in [
            ExceptionReason::Amputated,
            ExceptionReason::Bandaged,
            ExceptionReason::Scarred,
            ExceptionReason::Unable,
        ] {
            assert!(needs_exception_photo(&[(LeftThumb, reason)]), "{reason:?}");
        }
    }

    #[test]
    fn face_scores_are_shares_of_checks_passed() {
        let p = CapturePolicy {
            face_checks_percent: 80,
            ..CapturePolicy::default()
        };
        assert_eq!(
            p.decide_face(&[face_score(4, 5)]),
            Decision::Accept {
                attempt: 0,
                forced: false,
                retries: 0
            }
        );
        assert_eq!(
            p.decide_face(&[face_score(3, 5), face_score(0, 0), face_score(2, 5)]),
            Decision::Accept {
                attempt: 0,
                forced: true,
                retries: 0
            }
        );
    }
}
