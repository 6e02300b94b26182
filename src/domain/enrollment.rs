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
/// one signature.
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
        // One canonical order, whatever order the captures came in: fingers by ISO position,
        // face, signature, exception photos by position.
        let mut captures = captures;
        captures.sort_by_key(|c| (c.kind, c.position));
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
    parse_record(bytes)
}

/// Parses record bytes that must be the canonical form of a v1 record (no signature check:
/// [`verify_record`] is the check for bytes from outside).
pub fn parse_record(bytes: &[u8]) -> Result<Record, RecordError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::biometric::BiometricFormat;
    use crate::domain::finger::ExceptionReason;
    use CompletenessError as E;
    use FingerPosition as F;

    fn cap(kind: BiometricKind, position: Option<FingerPosition>) -> Capture {
        Capture {
            kind,
            position,
            format: BiometricFormat::Png,
            data: vec![position.map_or(0, FingerPosition::code)],
            width: 1,
            height: 1,
            ppi: None,
            quality: Some(80),
            retries: 0,
            forced: false,
            source: crate::domain::Provenance::simulated("sim:1"),
        }
    }

    fn finger(p: FingerPosition) -> Capture {
        cap(BiometricKind::Finger, Some(p))
    }

    /// Ten fingers, a face and a signature.
    fn full() -> Vec<Capture> {
        let mut all: Vec<Capture> = F::ALL.into_iter().map(finger).collect();
        all.push(cap(BiometricKind::Face, None));
        all.push(cap(BiometricKind::Signature, None));
        all
    }

    fn without(p: FingerPosition) -> Vec<Capture> {
        let mut all = full();
        all.retain(|c| c.position != Some(p));
        all
    }

    fn missing(p: FingerPosition) -> FingerException {
        FingerException {
            position: p,
            reason: ExceptionReason::Amputated,
        }
    }

    fn with(mut captures: Vec<Capture>, more: Capture) -> Vec<Capture> {
        captures.push(more);
        captures
    }

    #[test]
    fn a_full_set_is_complete() {
        assert_eq!(check_complete(&full(), &[]), Ok(()));
        let photo = cap(BiometricKind::ExceptionPhoto, Some(F::LeftLittle));
        assert_eq!(
            check_complete(
                &with(without(F::LeftLittle), photo),
                &[missing(F::LeftLittle)]
            ),
            Ok(())
        );
        // The photo of the hand is not optional, whoever builds the record.
        assert_eq!(
            check_complete(&without(F::LeftLittle), &[missing(F::LeftLittle)]),
            Err(E::ExceptionPhotoMissing(F::LeftLittle))
        );
        let photo = cap(BiometricKind::ExceptionPhoto, Some(F::LeftLittle));
        assert_eq!(
            check_complete(
                &with(with(without(F::LeftLittle), photo.clone()), photo),
                &[missing(F::LeftLittle)]
            ),
            Err(E::FingerTwice(F::LeftLittle)),
            "one photo per missing finger"
        );
        let mut best = full();
        best[0].quality = Some(100);
        best[1].quality = None;
        assert_eq!(check_complete(&best, &[]), Ok(()));
    }

    #[test]
    fn a_finger_without_capture_or_reason_is_missing() {
        let mut two_gone = without(F::RightLittle);
        two_gone.retain(|c| c.position != Some(F::RightIndex));
        assert_eq!(
            check_complete(&two_gone, &[]),
            Err(E::FingerMissing(F::RightIndex))
        );
        assert_eq!(
            check_complete(&without(F::LeftLittle), &[]),
            Err(E::FingerMissing(F::LeftLittle))
        );
    }

    #[test]
    fn a_finger_given_twice_is_refused() {
        assert_eq!(
            check_complete(&with(full(), finger(F::RightMiddle)), &[]),
            Err(E::FingerTwice(F::RightMiddle))
        );
        assert_eq!(
            check_complete(
                &without(F::LeftRing),
                &[missing(F::LeftRing), missing(F::LeftRing)]
            ),
            Err(E::FingerTwice(F::LeftRing))
        );
        assert_eq!(
            check_complete(&full(), &[missing(F::RightRing)]),
            Err(E::FingerAndException(F::RightRing))
        );
    }

    #[test]
    fn positions_belong_to_fingers_only() {
        assert_eq!(
            check_complete(&with(full(), cap(BiometricKind::Finger, None)), &[]),
            Err(E::NoPosition("finger"))
        );
        assert_eq!(
            check_complete(&with(full(), cap(BiometricKind::ExceptionPhoto, None)), &[]),
            Err(E::NoPosition("exception-photo"))
        );
        let mut face = full();
        face[10].position = Some(F::RightThumb);
        assert_eq!(
            check_complete(&face, &[]),
            Err(E::UnexpectedPosition("face"))
        );
        let mut signature = full();
        signature[11].position = Some(F::RightThumb);
        assert_eq!(
            check_complete(&signature, &[]),
            Err(E::UnexpectedPosition("signature"))
        );
        assert_eq!(
            check_complete(
                &with(
                    full(),
                    cap(BiometricKind::ExceptionPhoto, Some(F::RightThumb))
                ),
                &[]
            ),
            Err(E::ExceptionPhotoWithoutException(F::RightThumb))
        );
    }

    #[test]
    fn exactly_one_face_and_one_signature() {
        let no_face: Vec<Capture> = full()
            .into_iter()
            .filter(|c| c.kind != BiometricKind::Face)
            .collect();
        assert_eq!(check_complete(&no_face, &[]), Err(E::FaceCount(0)));
        assert_eq!(
            check_complete(&with(full(), cap(BiometricKind::Face, None)), &[]),
            Err(E::FaceCount(2))
        );
        let no_signature: Vec<Capture> = full()
            .into_iter()
            .filter(|c| c.kind != BiometricKind::Signature)
            .collect();
        assert_eq!(
            check_complete(&no_signature, &[]),
            Err(E::SignatureCount(0))
        );
        assert_eq!(
            check_complete(&with(full(), cap(BiometricKind::Signature, None)), &[]),
            Err(E::SignatureCount(2))
        );
        // Neither: the face is named first.
        let fingers_only: Vec<Capture> = F::ALL.into_iter().map(finger).collect();
        assert_eq!(check_complete(&fingers_only, &[]), Err(E::FaceCount(0)));
    }

    #[test]
    fn quality_is_at_most_100() {
        let mut bad = full();
        bad[3].quality = Some(101);
        assert_eq!(check_complete(&bad, &[]), Err(E::QualityRange(101)));
    }
}
