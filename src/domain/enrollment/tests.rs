//! The rules of a complete enrollment, and the codes of the reasons for no signature.

use super::*;
use crate::domain::biometric::BiometricFormat;
use crate::domain::finger::ExceptionReason;
use CompletenessError as E;
use FingerPosition as F;

/// A citizen who signs.
fn check_complete(
    captures: &[Capture],
    exceptions: &[FingerException],
) -> Result<(), CompletenessError> {
    super::check_complete(captures, exceptions, None)
}

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
fn a_citizen_who_cannot_sign_gives_no_signature_and_only_then() {
    let cannot = Some(SignatureException {
        reason: SignatureReason::Disability,
    });
    let no_signature: Vec<Capture> = full()
        .into_iter()
        .filter(|c| c.kind != BiometricKind::Signature)
        .collect();
    assert_eq!(super::check_complete(&no_signature, &[], cannot), Ok(()));
    assert_eq!(
        super::check_complete(&full(), &[], cannot),
        Err(E::SignatureAndException)
    );
    assert_eq!(
        super::check_complete(&no_signature, &[], None),
        Err(E::SignatureCount(0))
    );
}

#[test]
fn signature_reasons_have_stable_codes() {
    for reason in SignatureReason::ALL {
        assert_eq!(SignatureReason::parse(reason.code()), Some(reason));
        let json = serde_json::to_string(&reason).unwrap();
        assert_eq!(json, format!("\"{}\"", reason.code()));
    }
    assert_eq!(SignatureReason::parse("refused"), None);
}

#[test]
fn quality_is_at_most_100() {
    let mut bad = full();
    bad[3].quality = Some(101);
    assert_eq!(check_complete(&bad, &[]), Err(E::QualityRange(101)));
}
