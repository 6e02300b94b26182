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
use crate::crypto::{
    self, DOMAIN_ENROLLMENT, DOMAIN_ENROLLMENT_V2, PublicKey, Signature, SignatureError, StationKey,
};
use serde::{Deserialize, Deserializer, Serialize};

/// The schema tag of version 1 records.
pub const SCHEMA: &str = "kattoo/enrollment/v1";
/// The schema tag of version 2 records: version 1 with `signature_exception`. The station
/// writes a record as v2 only when v1 cannot say it (a citizen who cannot sign), so records
/// with a signature stay v1, byte for byte.
pub const SCHEMA_V2: &str = "kattoo/enrollment/v2";

/// Why a citizen gives no signature (`kattoo/enrollment/v2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureReason {
    /// A lasting disability keeps the citizen from writing.
    Disability,
    /// An injury (a broken or bandaged hand) keeps the citizen from writing today.
    Injury,
    /// The citizen cannot write, and makes no mark.
    CannotWrite,
}

impl SignatureReason {
    /// Every reason, in the order the kiosk offers them.
    pub const ALL: [SignatureReason; 3] = [Self::Disability, Self::Injury, Self::CannotWrite];

    /// The code written in records and typed on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Self::Disability => "disability",
            Self::Injury => "injury",
            Self::CannotWrite => "cannot-write",
        }
    }

    /// The reason of a code.
    pub fn parse(code: &str) -> Option<SignatureReason> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The record of a citizen who gives no signature, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureException {
    pub reason: SignatureReason,
}

/// A field that may be absent, null or given: `None` absent (v1), `Some(None)` null.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

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

/// The signed content: FORMATS.md `kattoo/enrollment/v1`, every field present; or
/// `kattoo/enrollment/v2` (`docs/formats/enrollment-v2.md`), the same with `signature_exception`.
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
    /// v2 only (absent from v1): why the citizen gave no signature, or null.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub signature_exception: Option<Option<SignatureException>>,
}

impl Record {
    /// Why the citizen gave no signature, when they did not.
    pub fn signature_exception(&self) -> Option<SignatureException> {
        self.signature_exception.flatten()
    }

    /// The signature prefix of this record's schema.
    fn domain(&self) -> &'static [u8] {
        if self.schema == SCHEMA_V2 {
            DOMAIN_ENROLLMENT_V2
        } else {
            DOMAIN_ENROLLMENT
        }
    }
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
    #[error("the citizen cannot sign, yet a signature is given; keep one")]
    SignatureAndException,
    #[error("{0}: an exception photo is only for a finger marked missing")]
    ExceptionPhotoWithoutException(FingerPosition),
    #[error("{0}: a missing finger needs a photo of the hand; take the exception photo")]
    ExceptionPhotoMissing(FingerPosition),
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

/// Checks that ten fingers are each captured or excused with the photo of the hand, one face,
/// one signature (none when the citizen cannot sign).
pub fn check_complete(
    captures: &[Capture],
    exceptions: &[FingerException],
    signature_exception: Option<SignatureException>,
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
    // Every missing finger is shown by a photo of the hand (as MOSIP asks), once.
    for e in exceptions {
        let photos = captures
            .iter()
            .filter(|c| c.kind == BiometricKind::ExceptionPhoto && c.position == Some(e.position))
            .count();
        match photos {
            0 => return Err(E::ExceptionPhotoMissing(e.position)),
            1 => {}
            _ => return Err(E::FingerTwice(e.position)),
        }
    }
    let count = |k| captures.iter().filter(|c| c.kind == k).count();
    let signatures = usize::from(signature_exception.is_none());
    match (count(BiometricKind::Face), count(BiometricKind::Signature)) {
        (1, n) if n == signatures => Ok(()),
        (1, _) if signature_exception.is_some() => Err(E::SignatureAndException),
        (1, n) => Err(E::SignatureCount(n)),
        (n, _) => Err(E::FaceCount(n)),
    }
}

impl Enrollment<Unsigned> {
    /// Assembles a record from the station's header, the validated citizen and the captures:
    /// a v1 record, or a v2 one when the citizen cannot sign.
    pub fn new(
        station_id: StationId,
        header: RecordHeader,
        citizen: Citizen,
        captures: Vec<Capture>,
        mut exceptions: Vec<FingerException>,
        signature_exception: Option<SignatureException>,
    ) -> Result<Self, CompletenessError> {
        check_complete(&captures, &exceptions, signature_exception)?;
        // One canonical order, whatever order the captures came in: fingers by ISO position,
        // face, signature, exception photos by position.
        let mut captures = captures;
        captures.sort_by_key(|c| (c.kind, c.position));
        exceptions.sort_by_key(|e| e.position);
        let record = Record {
            schema: if signature_exception.is_some() {
                SCHEMA_V2
            } else {
                SCHEMA
            }
            .to_owned(),
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
            signature_exception: signature_exception.map(Some),
        };
        Ok(Self {
            record,
            captures,
            state: Unsigned,
        })
    }

    /// Signs `"kattoo/enrollment/v1\n" || JCS(record)` (v2: `"kattoo/enrollment/v2\n" || …`)
    /// with the station key.
    pub fn sign(self, key: &StationKey) -> Result<Enrollment<Signed>, crypto::Error> {
        let jcs = crypto::canonical_json(&self.record)?;
        let signature = key.sign(self.record.domain(), &jcs);
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
    #[error("record is not valid JSON of schema kattoo/enrollment/v1 or v2: {0}")]
    Parse(#[source] serde_json::Error),
    #[error("record bytes are not in canonical (RFC 8785) form")]
    NotCanonical,
    #[error("record has schema '{0}', expected kattoo/enrollment/v1 or kattoo/enrollment/v2")]
    Schema(String),
    #[error("record of schema {schema}: {problem}")]
    Inconsistent {
        schema: &'static str,
        problem: &'static str,
    },
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
}

/// Verifies the signature over `bytes` and that they are the canonical form of a v1 or v2
/// record. Bytes that say they are v2 must be a whole v2 record before their signature is
/// checked under the v2 prefix; anything else is checked under the v1 prefix first.
pub fn verify_record(
    key: &PublicKey,
    bytes: &[u8],
    sig: &Signature,
) -> Result<Record, RecordError> {
    #[derive(Deserialize)]
    struct Schema {
        schema: String,
    }
    let v2 = serde_json::from_slice::<Schema>(bytes).is_ok_and(|s| s.schema == SCHEMA_V2);
    if v2 {
        let record = parse_record(bytes)?;
        key.verify(DOMAIN_ENROLLMENT_V2, bytes, sig)?;
        return Ok(record);
    }
    key.verify(DOMAIN_ENROLLMENT, bytes, sig)?;
    let record = parse_record(bytes)?;
    // Signed under the v1 prefix: a v1 record, whatever the first look at the bytes said.
    if record.schema != SCHEMA {
        return Err(RecordError::Schema(record.schema));
    }
    Ok(record)
}

/// Parses record bytes that must be the canonical form of a v1 or v2 record (no signature
/// check: [`verify_record`] is the check for bytes from outside).
pub fn parse_record(bytes: &[u8]) -> Result<Record, RecordError> {
    let record: Record = serde_json::from_slice(bytes).map_err(RecordError::Parse)?;
    let inconsistent = |schema, problem| Err(RecordError::Inconsistent { schema, problem });
    match (record.schema.as_str(), record.signature_exception) {
        (SCHEMA, None) => {}
        // v2 is the record of a citizen who cannot sign, and of nobody else.
        (SCHEMA_V2, Some(None)) => {
            return inconsistent(SCHEMA_V2, "signature_exception is null");
        }
        (SCHEMA_V2, Some(Some(_))) => {
            if record
                .biometrics
                .iter()
                .any(|b| b.kind == BiometricKind::Signature)
            {
                return inconsistent(SCHEMA_V2, "a signature_exception and a signature");
            }
        }
        (SCHEMA, Some(_)) => return inconsistent(SCHEMA, "signature_exception is a v2 field"),
        (SCHEMA_V2, None) => return inconsistent(SCHEMA_V2, "signature_exception is missing"),
        _ => return Err(RecordError::Schema(record.schema)),
    }
    let again = crypto::canonical_json(&record).map_err(|_| RecordError::NotCanonical)?;
    if again != bytes {
        return Err(RecordError::NotCanonical);
    }
    Ok(record)
}

#[cfg(test)]
mod tests;
