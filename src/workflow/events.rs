//! The workflow's vocabulary: the events it takes, the effects it asks for, and why it refuses.

use super::state::{FaceAttempt, ScoredFinger, Step};
use crate::domain::{
    Capture, CitizenInput, ExceptionReason, FingerPosition, Language, Untrusted, ValidationError,
};
use crate::hal::{CaptureRequest, FingerSet};
use crate::station::EnrollmentDraft;
use zeroize::Zeroizing;

/// What the operator did, or what a device or the station answered.
#[derive(Debug, Clone)]
pub enum Event {
    /// The citizen chose a language.
    Language(Language),
    /// The citizen's details as typed (sent before Next on the details step).
    Citizen(CitizenInput),
    /// Next.
    Next,
    /// Back.
    Back,
    /// An edit link on the review page: back to an earlier step.
    Edit(Step),
    /// The camera's photo with its face checks.
    FaceAttempt(FaceAttempt),
    /// Throw the kept photo away and take another.
    RetakeFace,
    /// Capture this finger set on the scanner.
    CaptureFingers(FingerSet),
    /// The scanner's attempt at a set, each finger scored.
    FingerAttempt {
        set: FingerSet,
        fingers: Vec<ScoredFinger>,
    },
    /// The scanner or camera failed; the capture in progress is over.
    DeviceFailed,
    /// Record a finger as missing for this reason (dropping a print already taken).
    MarkMissing {
        position: FingerPosition,
        reason: ExceptionReason,
    },
    /// The finger is not missing after all.
    NotMissing(FingerPosition),
    /// Take the photo of a missing finger's hand.
    TakeExceptionPhoto(FingerPosition),
    /// The exception photo of a missing finger.
    ExceptionPhoto {
        position: FingerPosition,
        photo: Capture,
    },
    /// The citizen's signature.
    Signature(Capture),
    /// Clear the signature pad (and a "cannot sign").
    ClearSignature,
    /// The citizen cannot sign, for this reason: the record goes without a signature.
    CannotSign(crate::domain::enrollment::SignatureReason),
    /// Save record (the review step's explicit action), or try again after a failure.
    Save,
    /// The station stored the record.
    Saved { registration_id: String },
    /// The station found the PIN already enrolled (its masked form), or, with no PIN, the
    /// draft's fingerprints matching other records: the same stop either way.
    DuplicatePin {
        masked_pin: Option<String>,
        existing: Vec<String>,
    },
    /// The station's search of the draft's fingers among its records, run as soon as the prints
    /// are taken: the records that may be the same person (empty: none).
    PeopleFound { existing: Vec<String> },
    /// A supervisor allows the duplicate, with a reason.
    Override {
        supervisor: String,
        password: Zeroizing<String>,
        reason: String,
    },
    /// The station refused the supervisor's override (credentials, role, reason).
    OverrideRefused {
        message_id: &'static str,
        /// What the message names (`$detail`): the supervisor's login, a lockout's minutes.
        detail: String,
    },
    /// The station refused the record.
    SaveFailed {
        message_id: &'static str,
        detail: String,
    },
    /// Leave the enrollment: cancel, logout or idle logout. The draft is wiped.
    Cancel,
    /// The receipt was handed over.
    Finish,
}

impl Event {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Event::Language(_) => "language",
            Event::Citizen(_) => "citizen",
            Event::Next => "next",
            Event::Back => "back",
            Event::Edit(_) => "edit",
            Event::FaceAttempt(_) => "face attempt",
            Event::RetakeFace => "retake face",
            Event::CaptureFingers(_) => "capture fingers",
            Event::FingerAttempt { .. } => "finger attempt",
            Event::DeviceFailed => "device failed",
            Event::MarkMissing { .. } => "mark missing",
            Event::NotMissing(_) => "not missing",
            Event::TakeExceptionPhoto(_) => "take exception photo",
            Event::ExceptionPhoto { .. } => "exception photo",
            Event::Signature(_) => "signature",
            Event::ClearSignature => "clear signature",
            Event::CannotSign(_) => "cannot sign",
            Event::Save => "save",
            Event::Saved { .. } => "saved",
            Event::DuplicatePin { .. } => "duplicate pin",
            Event::Override { .. } => "override",
            Event::OverrideRefused { .. } => "override refused",
            Event::SaveFailed { .. } => "save failed",
            Event::PeopleFound { .. } => "people found",
            Event::Cancel => "cancel",
            Event::Finish => "finish",
        }
    }

    /// The captures a device answer brings (none for the operator's own events).
    pub fn captures(&self) -> Vec<&Capture> {
        match self {
            Event::FaceAttempt(attempt) => vec![&attempt.photo],
            Event::FingerAttempt { fingers, .. } => fingers.iter().map(|f| &f.capture).collect(),
            Event::ExceptionPhoto { photo, .. } | Event::Signature(photo) => vec![photo],
            _ => Vec::new(),
        }
    }
}

/// What must happen next, carried out by the front end (devices) or [`super::perform`] (the
/// station).
#[derive(Debug)]
#[must_use]
pub enum Effect {
    /// Show the interface in this language.
    SwitchLanguage(Language),
    /// Start the camera's live preview.
    StartPreview,
    /// Stop it (the camera goes back to Ready).
    StopPreview,
    /// Capture these fingers on the scanner.
    CaptureFingers(CaptureRequest),
    /// Take a photo of the hand of this missing finger.
    TakeExceptionPhoto(FingerPosition),
    /// Search these finger captures among the station's records (the answer is
    /// [`Event::PeopleFound`]); the station searches again, authoritatively, at save.
    SearchPeople(Vec<Capture>),
    /// Sign and store this draft.
    Save(Box<EnrollmentDraft>),
    /// Sign and store it although the PIN is enrolled, allowed by this supervisor.
    SaveWithOverride {
        draft: Box<EnrollmentDraft>,
        supervisor: String,
        password: Zeroizing<String>,
        reason: String,
    },
    /// Overwrite every biometric buffer the front end holds (frames, textures, thumbnails).
    Wipe,
    /// The enrollment is over: back home.
    Done,
}

/// Why an event was refused. Each has a Fluent message id for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    #[error("{event} is not possible on the {step:?} step")]
    WrongStep { event: &'static str, step: Step },
    #[error("choose the citizen's language first")]
    NoLanguage,
    #[error("citizen details are not valid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    CitizenInvalid(Vec<ValidationError>),
    #[error("take the face photo first")]
    NoFace,
    #[error("a capture is still running; wait for it")]
    CaptureRunning,
    #[error("{0}: no fingerprint and no missing-finger reason; capture it or mark it missing")]
    FingerNotTaken(FingerPosition),
    #[error("{0}: a missing finger needs a photo of the hand; take the exception photo")]
    ExceptionPhotoNeeded(FingerPosition),
    #[error("every finger of this set is marked missing: there is nothing to capture")]
    NothingToCapture,
    #[error("{0} is not marked missing: mark it missing before its exception photo")]
    NotMissing(FingerPosition),
    #[error("the attempt does not hold the fingers of the set being captured")]
    AttemptMismatch,
    #[error("the {0} capture is of the wrong kind")]
    WrongKind(&'static str),
    #[error("give the citizen's signature first")]
    NoSignature,
    #[error("the override of a duplicate PIN needs the supervisor's login and a reason")]
    OverrideIncomplete,
    #[error("{0}")]
    Untrusted(#[from] Untrusted),
}

impl WorkflowError {
    /// The Fluent message id that tells the operator what to do.
    pub fn message_id(&self) -> &'static str {
        match self {
            WorkflowError::WrongStep { .. } => "workflow-error-wrong-step",
            WorkflowError::NoLanguage => "workflow-error-no-language",
            WorkflowError::CitizenInvalid(_) => "workflow-error-citizen-invalid",
            WorkflowError::NoFace => "workflow-error-no-face",
            WorkflowError::CaptureRunning => "workflow-error-capture-running",
            WorkflowError::FingerNotTaken(_) => "workflow-error-finger-not-taken",
            WorkflowError::ExceptionPhotoNeeded(_) => "workflow-error-exception-photo",
            WorkflowError::NothingToCapture => "workflow-error-nothing-to-capture",
            WorkflowError::NotMissing(_) => "workflow-error-not-missing",
            WorkflowError::AttemptMismatch => "workflow-error-attempt-mismatch",
            WorkflowError::WrongKind(_) => "workflow-error-wrong-kind",
            WorkflowError::NoSignature => "workflow-error-no-signature",
            WorkflowError::OverrideIncomplete => "workflow-error-override-incomplete",
            WorkflowError::Untrusted(u) => u.message_id(),
        }
    }

    /// The device the error is about, for the message's `device` argument.
    pub fn device(&self) -> Option<&str> {
        match self {
            WorkflowError::Untrusted(u) => Some(u.device()),
            _ => None,
        }
    }

    /// The finger the error is about, for the message's `finger` argument.
    pub fn finger(&self) -> Option<FingerPosition> {
        match self {
            WorkflowError::FingerNotTaken(p)
            | WorkflowError::ExceptionPhotoNeeded(p)
            | WorkflowError::NotMissing(p) => Some(*p),
            _ => None,
        }
    }
}
