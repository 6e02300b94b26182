//! The enrollment record and its two states.
//!
//! `Enrollment<Unsigned>` can only become `Enrollment<Signed>` through [`Enrollment::sign`], and the
//! store accepts only `Signed`: a record that reaches the disk has been signed over exactly the
//! canonical bytes that are stored.

use super::biometric::{BiometricKind, BiometricRef, Capture};
use super::citizen::Citizen;
use super::finger::{FingerException, FingerPosition};
use super::operator::Role;
use super::registration_id::{RegistrationId, StationId};
use super::timestamp::Timestamp;
use crate::crypto::{self, DOMAIN_ENROLLMENT, PublicKey, Signature, SignatureError, StationKey};
use serde::{Deserialize, Serialize};

/// The schema tag of version 1 records.
pub const SCHEMA: &str = "kattoo/enrollment/v1";

/// Who saved the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorRef {
    pub login: String,
    pub role: Role,
}

/// A supervisor's decision to enrol a PIN that is already enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateOverride {
    /// The record that already holds the PIN.
    pub of: RegistrationId,
    /// Login of the supervisor who allowed it.
    pub supervisor: String,
    pub reason: String,
}

/// The signed content: FORMATS.md `kattoo/enrollment/v1`, every field present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub schema: String,
    pub registration_id: RegistrationId,
    pub station_id: StationId,
    pub sequence: u64,
    pub created_at: Timestamp,
    pub operator: OperatorRef,
    pub training: bool,
    pub supersedes: Option<RegistrationId>,
    pub duplicate_override: Option<DuplicateOverride>,
    pub citizen: Citizen,
    pub biometrics: Vec<BiometricRef>,
    pub exceptions: Vec<FingerException>,
}

/// Everything of a record that the station, not the registrar, decides.
#[derive(Debug, Clone)]
pub struct RecordHeader {
    pub registration_id: RegistrationId,
    pub sequence: u64,
    pub created_at: Timestamp,
    pub operator: OperatorRef,
    pub training: bool,
    pub supersedes: Option<RegistrationId>,
    pub duplicate_override: Option<DuplicateOverride>,
}

/// Why a set of captures does not make a complete enrollment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompletenessError {
    #[error("{0}: no fingerprint and no missing-finger reason; capture it or mark it missing")]
    FingerMissing(FingerPosition),
    #[error("{0}: given more than once")]
    FingerTwice(FingerPosition),
    #[error("{0}: both a fingerprint and a missing-finger reason; keep one")]
    FingerAndException(FingerPosition),
    #[error("a {0} capture needs a finger position")]
    NoPosition(&'static str),
    #[error("a {0} capture must not have a finger position")]
    UnexpectedPosition(&'static str),
    #[error("exactly one face photo is needed, {0} given")]
    FaceCount(usize),
    #[error("exactly one signature is needed, {0} given")]
    SignatureCount(usize),
    #[error("{0}: an exception photo is only for a finger marked missing")]
    ExceptionPhotoWithoutException(FingerPosition),
    #[error("quality {0} is above 100")]
    QualityRange(u8),
}

/// Type-state marker: not signed yet.
#[derive(Debug)]
pub struct Unsigned;

/// Type-state marker: signed; holds the exact signed bytes and the signature.
#[derive(Debug)]
pub struct Signed {
    jcs: Vec<u8>,
    signature: Signature,
}

/// A record together with the biometric files it names, in state `S`.
#[derive(Debug)]
pub struct Enrollment<S> {
    record: Record,
    captures: Vec<Capture>,
    state: S,
}

/// Checks that ten fingers are each captured or excused, one face, one signature.
pub fn check_complete(
    captures: &[Capture],
    exceptions: &[FingerException],
) -> Result<(), CompletenessError> {
    use CompletenessError as E;
    let mut seen: [Option<bool>; 11] = [None; 11]; // Some(true) = captured, Some(false) = excused
    for c in captures {
        if let Some(q) = c.quality.filter(|q| *q > 100) {
            return Err(E::QualityRange(q));
        }
        match (c.kind, c.position) {
            (BiometricKind::Finger, Some(p)) => {
                if seen[p.code() as usize].replace(true).is_some() {
                    return Err(E::FingerTwice(p));
                }
            }
            (BiometricKind::Finger | BiometricKind::ExceptionPhoto, None) => {
                return Err(E::NoPosition(c.kind.name()));
            }
            (BiometricKind::Face | BiometricKind::Signature, Some(_)) => {
                return Err(E::UnexpectedPosition(c.kind.name()));
            }
            _ => {}
        }
    }
    for e in exceptions {
        match seen[e.position.code() as usize].replace(false) {
            Some(true) => return Err(E::FingerAndException(e.position)),
            Some(false) => return Err(E::FingerTwice(e.position)),
            None => {}
        }
    }
    if let Some(p) = FingerPosition::ALL
        .into_iter()
        .find(|p| seen[p.code() as usize].is_none())
    {
        return Err(E::FingerMissing(p));
    }
    for c in captures
        .iter()
        .filter(|c| c.kind == BiometricKind::ExceptionPhoto)
    {
        let p = c.position.expect("checked above");
        if seen[p.code() as usize] != Some(false) {
            return Err(E::ExceptionPhotoWithoutException(p));
        }
    }
    let count = |k| captures.iter().filter(|c| c.kind == k).count();
    match (count(BiometricKind::Face), count(BiometricKind::Signature)) {
        (1, 1) => Ok(()),
        (1, n) => Err(E::SignatureCount(n)),
        (n, _) => Err(E::FaceCount(n)),
    }
}

impl Enrollment<Unsigned> {
    /// Assembles a record from the station's header, the validated citizen and the captures.
    pub fn new(
        station_id: StationId,
        header: RecordHeader,
        citizen: Citizen,
        captures: Vec<Capture>,
        mut exceptions: Vec<FingerException>,
    ) -> Result<Self, CompletenessError> {
        check_complete(&captures, &exceptions)?;
        exceptions.sort_by_key(|e| e.position);
        let record = Record {
            schema: SCHEMA.to_owned(),
            registration_id: header.registration_id,
            station_id,
            sequence: header.sequence,
            created_at: header.created_at,
            operator: header.operator,
            training: header.training,
            supersedes: header.supersedes,
            duplicate_override: header.duplicate_override,
            citizen,
            biometrics: captures.iter().map(Capture::reference).collect(),
            exceptions,
        };
        Ok(Self {
            record,
            captures,
            state: Unsigned,
        })
    }

    /// Signs `"kattoo/enrollment/v1\n" || JCS(record)` with the station key.
    pub fn sign(self, key: &StationKey) -> Result<Enrollment<Signed>, crypto::Error> {
        let jcs = crypto::canonical_json(&self.record)?;
        let signature = key.sign(DOMAIN_ENROLLMENT, &jcs);
        Ok(Enrollment {
            record: self.record,
            captures: self.captures,
            state: Signed { jcs, signature },
        })
    }
}

impl<S> Enrollment<S> {
    /// The record content.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The captured files, in the order of `record().biometrics`.
    pub fn captures(&self) -> &[Capture] {
        &self.captures
    }
}

impl Enrollment<Signed> {
    /// The exact canonical bytes that were signed.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.state.jcs
    }

    /// The station's signature.
    pub fn signature(&self) -> &Signature {
        &self.state.signature
    }
}

/// Why stored or received record bytes are not a valid signed record.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("record is not valid JSON of schema kattoo/enrollment/v1: {0}")]
    Parse(#[source] serde_json::Error),
    #[error("record bytes are not in canonical (RFC 8785) form")]
    NotCanonical,
    #[error("record has schema '{0}', expected kattoo/enrollment/v1")]
    Schema(String),
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
}

/// Verifies the signature over `bytes` and that they are the canonical form of a v1 record.
pub fn verify_record(
    key: &PublicKey,
    bytes: &[u8],
    sig: &Signature,
) -> Result<Record, RecordError> {
    key.verify(DOMAIN_ENROLLMENT, bytes, sig)?;
    let record: Record = serde_json::from_slice(bytes).map_err(RecordError::Parse)?;
    if record.schema != SCHEMA {
        return Err(RecordError::Schema(record.schema));
    }
    let again = crypto::canonical_json(&record).map_err(|_| RecordError::NotCanonical)?;
    if again != bytes {
        return Err(RecordError::NotCanonical);
    }
    Ok(record)
}
