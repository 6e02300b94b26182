//! The draft of one enrollment and where the registrar stands in it.

use super::policy::CapturePolicy;
use crate::domain::enrollment::{SignatureException, SignatureReason};
use crate::domain::{
    Admission, Capture, CitizenInput, ExceptionReason, FingerException, FingerPosition, Language,
    RegistrationId,
};
use crate::hal::FingerSet;
use crate::station::EnrollmentDraft;
use zeroize::Zeroize;

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// The citizen's language.
    Language,
    /// Name, PIN, address, precinct, document.
    Demographics,
    /// Face photo.
    Face,
    /// Ten fingerprints (or missing fingers with a photo).
    Fingers,
    /// Signature on the screen.
    Signature,
    /// Everything on one page, and the explicit "Save record".
    Review,
    /// Signing and storing; a duplicate PIN stops here.
    Save,
    /// The registration id, the QR code, PDF and print.
    Receipt,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 8] = [
        Step::Language,
        Step::Demographics,
        Step::Face,
        Step::Fingers,
        Step::Signature,
        Step::Review,
        Step::Save,
        Step::Receipt,
    ];

    /// The position in [`Step::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The step before this one, where Back goes (none before the language).
    pub fn previous(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Step::ALL[i])
    }

    /// The message id of the step's name.
    pub fn message_id(self) -> &'static str {
        match self {
            Step::Language => "enroll-step-language",
            Step::Demographics => "enroll-step-demographics",
            Step::Face => "enroll-step-face",
            Step::Fingers => "enroll-step-fingers",
            Step::Signature => "enroll-step-signature",
            Step::Review => "enroll-step-review",
            Step::Save => "enroll-step-save",
            Step::Receipt => "enroll-step-receipt",
        }
    }
}

/// One face attempt: the encoded photo and how many of the face checks ran and passed.
#[derive(Debug, Clone)]
pub struct FaceAttempt {
    pub photo: Capture,
    pub checks_passed: usize,
    pub checks_run: usize,
}

/// One finger of a scanner attempt: its capture, its score and the quick check that failed.
#[derive(Debug, Clone)]
pub struct ScoredFinger {
    pub capture: Capture,
    /// 0–100: the device's score when it gave one, else kattoo's.
    pub score: u8,
    /// The message id of the quick quality check that failed, if any.
    pub gate: Option<&'static str>,
}

impl ScoredFinger {
    /// The finger this is.
    pub fn position(&self) -> Option<FingerPosition> {
        self.capture.position
    }
}

/// One finger's score in the last attempt, for the quality bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FingerBar {
    pub position: FingerPosition,
    pub score: u8,
    pub gate: Option<&'static str>,
}

/// Where one finger stands.
#[derive(Debug, Clone, Default)]
pub enum FingerSlot {
    /// Not taken yet.
    #[default]
    Empty,
    /// Taken (possibly forced after the last try).
    Captured(Box<Capture>),
    /// Recorded as missing; the exception photo is needed before moving on.
    Missing {
        reason: ExceptionReason,
        photo: Option<Box<Capture>>,
    },
}

/// Saving and its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SaveState {
    /// Not asked yet.
    #[default]
    NotYet,
    /// The station is signing and storing (with a supervisor's override when `override_by`).
    Saving { override_by: Option<String> },
    /// The PIN is already enrolled: shown, and a supervisor may override with a reason.
    DuplicatePin {
        /// The PIN found enrolled, masked; `None` when the fingerprints matched instead.
        masked_pin: Option<String>,
        existing: Vec<String>,
        /// Why the last override was refused (message id and the detail it names: a login, the
        /// minutes of a lockout), if one was tried.
        refused: Option<(&'static str, String)>,
    },
    /// The station refused the record; `message_id` says why in the operator's language.
    Failed {
        message_id: &'static str,
        detail: String,
    },
    /// Stored under this registration id.
    Saved { registration_id: String },
}

/// The attempts at one finger set so far.
#[derive(Debug, Clone)]
pub(super) struct SetAttempts {
    pub set: FingerSet,
    pub attempts: Vec<Vec<ScoredFinger>>,
}

/// The workflow's state: the step shown and the draft.
#[derive(Debug, Clone)]
pub struct State {
    pub(super) step: Step,
    pub(super) policy: CapturePolicy,
    /// Which captures this station accepts (training mode, back-filling).
    pub(super) admission: Admission,
    pub(super) language: Option<Language>,
    pub(super) citizen: CitizenInput,
    pub(super) face_attempts: Vec<FaceAttempt>,
    pub(super) face: Option<Capture>,
    pub(super) face_tries_left: Option<u32>,
    pub(super) fingers: [FingerSlot; 10],
    pub(super) finger_attempts: Option<SetAttempts>,
    pub(super) finger_tries_left: Option<u32>,
    pub(super) finger_bars: Option<(FingerSet, Vec<FingerBar>)>,
    pub(super) capturing: Option<FingerSet>,
    pub(super) photo_for: Option<FingerPosition>,
    pub(super) signature: Option<Capture>,
    /// The citizen cannot sign, and why (instead of a signature).
    pub(super) no_signature: Option<SignatureReason>,
    pub(super) save: SaveState,
    /// The duplicate the station reported (masked PIN, existing ids), kept while an override
    /// is tried.
    pub(super) duplicate: Option<(Option<String>, Vec<String>)>,
    pub(super) supersedes: Option<RegistrationId>,
    /// Records the early search found the draft's fingers in (ids only).
    pub(super) possible_duplicates: Vec<String>,
}

pub(super) fn slot_index(p: FingerPosition) -> usize {
    usize::from(p.code() - 1)
}

impl State {
    /// A new, empty draft under `policy`, taking the captures `admission` accepts.
    pub fn new(policy: CapturePolicy, admission: Admission) -> State {
        State {
            step: Step::Language,
            policy,
            admission,
            language: None,
            citizen: CitizenInput::default(),
            face_attempts: Vec::new(),
            face: None,
            face_tries_left: None,
            fingers: Default::default(),
            finger_attempts: None,
            finger_tries_left: None,
            finger_bars: None,
            capturing: None,
            photo_for: None,
            signature: None,
            no_signature: None,
            save: SaveState::NotYet,
            duplicate: None,
            supersedes: None,
            possible_duplicates: Vec::new(),
        }
    }

    /// Records whose fingers match the draft's, as the search after the prints found them.
    pub fn possible_duplicates(&self) -> &[String] {
        &self.possible_duplicates
    }

    /// A draft that corrects the record `old` (it supersedes it once saved).
    pub fn superseding(policy: CapturePolicy, admission: Admission, old: RegistrationId) -> State {
        let mut state = State::new(policy, admission);
        state.supersedes = Some(old);
        state
    }

    /// The same draft shown at `step`, without the rules that lead there (benches and
    /// screenshots). Saving still checks every rule.
    pub fn shown_at(mut self, step: Step) -> State {
        self.step = step;
        self
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The capture rules in force.
    pub fn policy(&self) -> &CapturePolicy {
        &self.policy
    }

    /// The citizen's language, once chosen.
    pub fn language(&self) -> Option<Language> {
        self.language
    }

    /// The citizen's details as last sent.
    pub fn citizen(&self) -> &CitizenInput {
        &self.citizen
    }

    /// The face photo kept.
    pub fn face(&self) -> Option<&Capture> {
        self.face.as_ref()
    }

    /// Face tries left after a failed attempt (none before the first failure).
    pub fn face_tries_left(&self) -> Option<u32> {
        self.face_tries_left
    }

    /// The slot of one finger.
    pub fn finger(&self, p: FingerPosition) -> &FingerSlot {
        &self.fingers[slot_index(p)]
    }

    /// The fingers recorded as missing.
    pub fn missing_fingers(&self) -> Vec<FingerPosition> {
        FingerPosition::ALL
            .into_iter()
            .filter(|p| matches!(self.finger(*p), FingerSlot::Missing { .. }))
            .collect()
    }

    /// The last scanner attempt's scores, per finger, with the set it was of.
    pub fn finger_bars(&self) -> Option<(FingerSet, &[FingerBar])> {
        self.finger_bars
            .as_ref()
            .map(|(set, bars)| (*set, bars.as_slice()))
    }

    /// Finger tries left after a failed attempt at the current set.
    pub fn finger_tries_left(&self) -> Option<u32> {
        self.finger_tries_left
    }

    /// The finger set a scanner is capturing now.
    pub fn capturing(&self) -> Option<FingerSet> {
        self.capturing
    }

    /// The finger whose exception photo is being taken.
    pub fn photo_for(&self) -> Option<FingerPosition> {
        self.photo_for
    }

    /// The signature, once given.
    pub fn signature(&self) -> Option<&Capture> {
        self.signature.as_ref()
    }

    /// Whether the draft is made in training mode (its record is a training record).
    pub fn training(&self) -> bool {
        self.admission.training
    }

    /// Why the citizen gives no signature, when the registrar said they cannot sign.
    pub fn no_signature(&self) -> Option<SignatureReason> {
        self.no_signature
    }

    /// Whether the signature step is done: signed, or the citizen cannot sign.
    pub fn signature_done(&self) -> bool {
        self.signature.is_some() || self.no_signature.is_some()
    }

    /// Saving and its outcome.
    pub fn save(&self) -> &SaveState {
        &self.save
    }

    /// The record this draft corrects.
    pub fn supersedes(&self) -> Option<&RegistrationId> {
        self.supersedes.as_ref()
    }

    /// The first finger that is neither taken nor missing with its photo, and why.
    pub(super) fn fingers_gap(&self) -> Option<(FingerPosition, bool)> {
        FingerPosition::ALL
            .into_iter()
            .find_map(|p| match self.finger(p) {
                FingerSlot::Empty => Some((p, false)),
                FingerSlot::Missing { photo: None, .. } => Some((p, true)),
                _ => None,
            })
    }

    /// Whether every finger is taken or missing with its photo.
    pub fn fingers_complete(&self) -> bool {
        self.fingers_gap().is_none()
    }

    /// The draft as the station takes it; `None` until face, fingers and signature are all in.
    pub fn draft(&self) -> Option<EnrollmentDraft> {
        let mut captures = vec![self.face.clone()?];
        let mut exceptions = Vec::new();
        for p in FingerPosition::ALL {
            match self.finger(p) {
                FingerSlot::Empty | FingerSlot::Missing { photo: None, .. } => return None,
                FingerSlot::Captured(c) => captures.push((**c).clone()),
                FingerSlot::Missing {
                    reason,
                    photo: Some(photo),
                } => {
                    exceptions.push(FingerException {
                        position: p,
                        reason: *reason,
                    });
                    captures.push((**photo).clone());
                }
            }
        }
        let signature_exception = match (&self.signature, self.no_signature) {
            (Some(signature), _) => {
                captures.push(signature.clone());
                None
            }
            (None, Some(reason)) => Some(SignatureException { reason }),
            (None, None) => return None,
        };
        Some(EnrollmentDraft {
            citizen: self.citizen.clone(),
            captures,
            exceptions,
            supersedes: self.supersedes.clone(),
            signature_exception,
        })
    }

    /// Overwrites and drops every photo, fingerprint, attempt and signature held.
    pub(super) fn wipe_biometrics(&mut self) {
        for attempt in self.face_attempts.drain(..) {
            let mut photo = attempt.photo;
            photo.data.zeroize();
        }
        if let Some(mut c) = self.face.take() {
            c.data.zeroize();
        }
        for slot in &mut self.fingers {
            wipe_slot(slot);
        }
        self.discard_finger_attempts();
        if let Some(mut c) = self.signature.take() {
            c.data.zeroize();
        }
        self.face_tries_left = None;
        self.finger_bars = None;
        self.capturing = None;
        self.photo_for = None;
    }

    /// Drops (and wipes) the attempts at the current finger set.
    pub(super) fn discard_finger_attempts(&mut self) {
        if let Some(set) = self.finger_attempts.take() {
            for attempt in set.attempts {
                for mut finger in attempt {
                    finger.capture.data.zeroize();
                }
            }
        }
        self.finger_tries_left = None;
    }

    /// Overwrites the citizen's typed details.
    pub(super) fn wipe_citizen(&mut self) {
        self.possible_duplicates.clear();
        let c = &mut self.citizen;
        for field in [
            &mut c.surname,
            &mut c.given_name,
            &mut c.patronymic,
            &mut c.sex,
            &mut c.birth_date,
            &mut c.pin,
            &mut c.precinct,
            &mut c.language,
        ] {
            if let Some(mut text) = field.take() {
                text.zeroize();
            }
        }
        c.address = None;
        c.document = None;
    }
}

/// Empties a finger slot, overwriting what it held.
pub(super) fn wipe_slot(slot: &mut FingerSlot) {
    match std::mem::take(slot) {
        FingerSlot::Captured(mut c) => c.data.zeroize(),
        FingerSlot::Missing {
            photo: Some(mut c), ..
        } => c.data.zeroize(),
        _ => {}
    }
}

impl Drop for State {
    fn drop(&mut self) {
        self.wipe_biometrics();
        self.wipe_citizen();
    }
}
