//! What the station refuses or fails at, each with the Fluent message that tells an operator what
//! happened and what to do.

use super::{KNOWN_BACKENDS, PersonMatch};
use crate::domain::enrollment::CompletenessError;
use crate::domain::{Role, Timestamp, ValidationError};
use crate::store::{self, RecordStatus};
use std::path::PathBuf;

/// Station-level errors: each says what happened and, where there is one, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::Error),
    #[error("cannot use {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the station passphrase must be at least 8 characters")]
    PassphraseTooShort,
    #[error("unknown region '{0}'")]
    UnknownRegion(String),
    #[error("station name must be 1-100 printable characters")]
    BadStationName,
    #[error("a station serves at least one precinct")]
    NoPrecinct,
    #[error("{1}")]
    BadLogin(String, String),
    #[error("{path} is damaged: {detail}")]
    KdfDamaged { path: PathBuf, detail: String },
    #[error("{0}")]
    BadRegistrationId(String),
    #[error("this station has used all 999,999 registration numbers")]
    SequencesUsed,
    #[error("the first record number {0} is not between 1 and 999,999")]
    BadFirstSequence(u64),
    #[error("you cannot {0} on your own account")]
    OwnAccount(&'static str),
    #[error("unknown device backend '{0}': use {known}", known = KNOWN_BACKENDS.join(", "))]
    UnknownBackend(String),
    #[error("choose at least one device backend")]
    NoBackend,
    #[error("a rejection needs a reason")]
    RejectionReason,
    #[error("a reason is at most {0} printable characters")]
    ReasonTooLong(usize),
    #[error("no central recipient is set: an admin runs `kattoo batch set-recipient age1…` first")]
    NoRecipient,
    #[error("give at least one age1… recipient")]
    NoRecipientGiven,
    #[error("nothing to export: no approved record since the last batch")]
    NothingToExport,
    #[error("batch {0} was never exported")]
    UnknownBatch(u64),
    #[error("citizen details are not valid: {}", list(.0))]
    Validation(Vec<ValidationError>),
    #[error("enrollment is not complete")]
    Incomplete(#[from] CompletenessError),
    #[error("unknown login or wrong password")]
    BadCredentials,
    #[error(
        "account {login} is locked after too many failed logins for {remaining_secs} more seconds (until {until}); ask a supervisor to unlock it"
    )]
    LockedOut {
        login: String,
        until: Timestamp,
        remaining_secs: i64,
    },
    #[error("account {0} is locked by a supervisor; ask a supervisor to unlock it")]
    AccountLocked(String),
    #[error("account {0} is disabled")]
    AccountDisabled(String),
    #[error("{login} ({role}) may not {action}: that needs the {needed} role")]
    PermissionDenied {
        login: String,
        role: Role,
        action: &'static str,
        needed: Role,
    },
    #[error("PIN {masked} is already enrolled in {}: a supervisor must override with a reason", .existing.join(", "))]
    DuplicatePin {
        masked: String,
        existing: Vec<String>,
    },
    #[error("a duplicate override needs a reason")]
    OverrideReason,
    #[error("the fingerprints match {}: the same person may be enrolled already; a supervisor must override with a reason", .matches.iter().map(|m| format!("{} (score {:.3})", m.registration_id, m.score)).collect::<Vec<_>>().join(", "))]
    DuplicatePerson { matches: Vec<PersonMatch> },
    #[error(
        "the fingerprints do not match record {id} (score {score:.3}): a correction must be the same citizen; enrol a new record instead"
    )]
    NotTheSamePerson { id: String, score: f32 },
    #[error("no fingerprint could be read from the finger images given: use clear 500 ppi images")]
    NoFingerTemplate,
    #[error("{0} must log in with a finger and the password: place a finger on the scanner")]
    FingerRequired(String),
    #[error("{0} must log in with the password as well as the finger: type the password first")]
    PasswordRequired(String),
    #[error(
        "{0} has no fingers enrolled for login: log in with the password, or enrol two fingers first"
    )]
    NoOperatorFingers(String),
    #[error("enrolling {0}'s fingers needs two different fingers, each captured once")]
    OperatorFingers(String),
    #[error("{0}: attach a real camera and scanner, or ask a supervisor for training mode")]
    Untrusted(#[from] crate::domain::Untrusted),
    #[error("{0} must change the password a supervisor reset before doing anything else")]
    PasswordChangeRequired(String),
    #[error("the new password is the one the supervisor set: choose one only you know")]
    PasswordUnchanged,
    #[error(
        "a station already exists in {0} ({1} is there): refusing to overwrite it; choose another data directory"
    )]
    StationExists(PathBuf, &'static str),
    #[error("the login typed is not a valid login name")]
    MalformedLogin,
    #[error("precinct {0} is not served by this station")]
    PrecinctNotServed(String),
    #[error("record {0} does not exist")]
    UnknownRecord(String),
    #[error("record {id} is {status}; only a pending record can be {wanted}")]
    NotPending {
        id: String,
        status: RecordStatus,
        wanted: &'static str,
    },
    #[error("record {id} was superseded by {by}; act on {by} instead")]
    Superseded { id: String, by: String },
    #[error("operator {0} does not exist")]
    UnknownOperator(String),
    #[error("operator {0} already exists")]
    OperatorExists(String),
    #[error(transparent)]
    Password(#[from] crate::crypto::PasswordError),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Batch(#[from] crate::batch::Error),
}

impl Error {
    /// The Fluent message id that tells the operator, in their language, what happened and what
    /// to do. The message takes [`Error::detail`] as `$detail`.
    pub fn message_id(&self) -> &'static str {
        use store::Error as S;
        match self {
            Error::Store(S::WrongPassphrase(_)) => "unlock-error-wrong-passphrase",
            Error::Store(S::NewerSchema { .. }) => "station-error-newer-schema",
            Error::Store(S::Missing(_)) => "station-error-missing",
            Error::Store(S::Exists(_)) | Error::StationExists(..) => "station-error-exists",
            Error::Store(_) => "station-error-store",
            Error::Crypto(_) => "station-error-crypto",
            Error::Io { .. } => "station-error-io",
            Error::PassphraseTooShort => "station-error-passphrase-short",
            Error::UnknownRegion(_) => "station-error-unknown-region",
            Error::BadStationName => "station-error-station-name",
            Error::NoPrecinct => "station-error-no-precinct",
            Error::BadLogin(..) => "station-error-bad-login",
            Error::KdfDamaged { .. } => "station-error-kdf-damaged",
            Error::BadRegistrationId(_) => "station-error-bad-id",
            Error::SequencesUsed => "station-error-sequences-used",
            Error::BadFirstSequence(_) => "station-error-first-sequence",
            Error::OwnAccount(_) => "station-error-own-account",
            Error::UnknownBackend(_) => "station-error-unknown-backend",
            Error::NoBackend => "station-error-no-backend",
            Error::RejectionReason => "station-error-rejection-reason",
            Error::ReasonTooLong(_) => "station-error-reason-long",
            Error::NoRecipient => "sv-export-no-recipient",
            Error::NoRecipientGiven => "station-error-no-recipient-given",
            Error::NothingToExport => "sv-export-nothing",
            Error::UnknownBatch(_) => "station-error-unknown-batch",
            Error::Validation(_) => "station-error-validation",
            Error::Incomplete(_) => "station-error-incomplete",
            Error::BadCredentials => "login-error-bad-credentials",
            Error::LockedOut { .. } => "station-error-locked-out",
            Error::AccountLocked(_) => "login-error-account-locked",
            Error::AccountDisabled(_) => "login-error-account-disabled",
            Error::PermissionDenied { .. } => "error-needs-supervisor",
            Error::DuplicatePin { .. } => "station-error-duplicate-pin",
            Error::OverrideReason => "station-error-override-reason",
            Error::PasswordChangeRequired(_) => "station-error-password-change",
            Error::PasswordUnchanged => "station-error-password-unchanged",
            Error::MalformedLogin => "login-error-bad-credentials",
            Error::PrecinctNotServed(_) => "station-error-precinct",
            Error::UnknownRecord(_) => "station-error-unknown-record",
            Error::NotPending { .. } => "station-error-not-pending",
            Error::Superseded { .. } => "station-error-superseded",
            Error::UnknownOperator(_) => "station-error-unknown-operator",
            Error::OperatorExists(_) => "station-error-operator-exists",
            Error::Password(_) => "station-error-password",
            Error::Config(_) => "station-error-config",
            Error::Batch(e) => e.message_id(),
            Error::Untrusted(u) => u.message_id(),
            Error::DuplicatePerson { .. } => "station-error-duplicate-person",
            Error::NotTheSamePerson { .. } => "station-error-not-the-same-person",
            Error::NoFingerTemplate => "station-error-no-finger-template",
            Error::FingerRequired(_) => "login-error-finger-required",
            Error::PasswordRequired(_) => "login-error-password-required",
            Error::NoOperatorFingers(_) => "login-error-no-fingers",
            Error::OperatorFingers(_) => "station-error-operator-fingers",
        }
    }

    /// What the message names as `$detail`: an identifier (record id, login, precinct, path) or
    /// the technical cause, never a citizen's name, a PIN or a secret.
    pub fn detail(&self) -> String {
        match self {
            Error::Batch(e) => e.detail(),
            Error::UnknownRecord(id) | Error::NotPending { id, .. } => id.clone(),
            Error::Superseded { by, .. } => by.clone(),
            Error::PrecinctNotServed(p) => p.clone(),
            Error::UnknownOperator(l)
            | Error::OperatorExists(l)
            | Error::AccountLocked(l)
            | Error::AccountDisabled(l)
            | Error::PasswordChangeRequired(l)
            | Error::FingerRequired(l)
            | Error::PasswordRequired(l)
            | Error::NoOperatorFingers(l)
            | Error::OperatorFingers(l) => l.clone(),
            Error::LockedOut { remaining_secs, .. } => ((remaining_secs + 59) / 60).to_string(),
            Error::DuplicatePin { existing, .. } => existing.join(", "),
            Error::NotTheSamePerson { id, .. } => id.clone(),
            Error::DuplicatePerson { matches } => matches
                .iter()
                .map(|m| m.registration_id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Error::Validation(errors) => list(errors),
            Error::StationExists(dir, _) => dir.display().to_string(),
            Error::UnknownRegion(r) | Error::UnknownBackend(r) | Error::BadRegistrationId(r) => {
                r.clone()
            }
            Error::BadLogin(login, _) => login.clone(),
            Error::UnknownBatch(n) | Error::BadFirstSequence(n) => n.to_string(),
            Error::ReasonTooLong(n) => n.to_string(),
            Error::Untrusted(u) => u.device().to_owned(),
            Error::BadCredentials | Error::MalformedLogin | Error::OverrideReason => String::new(),
            other => format!("{other:#}"),
        }
    }
}

fn list(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
