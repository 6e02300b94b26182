//! Every rule of the enrollment, through [`next`] alone.

use super::*;
use crate::domain::enrollment::SignatureReason;
use crate::domain::{
    Admission, BiometricFormat, BiometricKind, Capture, ExceptionReason, FingerPosition, Language,
    Provenance, Timestamp, Untrusted,
};
use crate::hal::FingerSet;
use crate::station::tests::{citizen, now};
use FingerPosition::*;
use proptest::prelude::*;

fn capture(kind: BiometricKind, position: Option<FingerPosition>, byte: u8) -> Capture {
    Capture {
        kind,
        position,
        format: BiometricFormat::Png,
        data: vec![byte; 16],
        width: 4,
        height: 4,
        ppi: None,
        quality: None,
        retries: 0,
        forced: false,
        // A device the station drives itself: what a field station accepts.
        source: Provenance::attached("uvc:1"),
    }
}

fn face(passed: usize, run: usize, byte: u8) -> Event {
    Event::FaceAttempt(FaceAttempt {
        photo: capture(BiometricKind::Face, None, byte),
        checks_passed: passed,
        checks_run: run,
    })
}

fn scored(p: FingerPosition, score: u8) -> ScoredFinger {
    ScoredFinger {
        capture: capture(BiometricKind::Finger, Some(p), score),
        score,
        gate: None,
    }
}

fn attempt(set: FingerSet, score: u8, missing: &[FingerPosition]) -> Event {
    Event::FingerAttempt {
        set,
        fingers: set
            .positions()
            .into_iter()
            .filter(|p| !missing.contains(p))
            .map(|p| scored(p, score))
            .collect(),
    }
}

/// Sends `event`, expecting it to be taken; returns the effects.
fn send(state: &mut State, event: Event) -> Vec<Effect> {
    let (next_state, effects) =
        next(state, event, now()).unwrap_or_else(|e| panic!("refused: {e} ({e:?})"));
    *state = next_state;
    effects
}

/// Sends `event`, expecting it to be refused; the state must be as before.
fn refuse(state: &State, event: Event) -> WorkflowError {
    let step = state.step();
    let err = next(state, event, now()).expect_err("refused");
    assert_eq!(state.step(), step);
    err
}

fn at_demographics() -> State {
    let mut s = State::new(CapturePolicy::default(), Admission::default());
    let effects = send(&mut s, Event::Language(Language::Ru));
    assert!(matches!(
        effects[..],
        [Effect::SwitchLanguage(Language::Ru)]
    ));
    send(&mut s, Event::Next);
    assert_eq!(s.step(), Step::Demographics);
    s
}

fn at_face() -> State {
    let mut s = at_demographics();
    send(&mut s, Event::Citizen(citizen(1)));
    let effects = send(&mut s, Event::Next);
    assert!(matches!(effects[..], [Effect::StartPreview]));
    s
}

fn at_fingers() -> State {
    let mut s = at_face();
    send(&mut s, face(6, 6, 1));
    let effects = send(&mut s, Event::Next);
    assert!(matches!(effects[..], [Effect::StopPreview]));
    assert_eq!(s.step(), Step::Fingers);
    s
}

fn capture_set(s: &mut State, set: FingerSet, score: u8) {
    let effects = send(s, Event::CaptureFingers(set));
    assert!(matches!(effects[..], [Effect::CaptureFingers(_)]));
    send(s, attempt(set, score, &s.missing_fingers()));
}

fn at_review() -> State {
    let mut s = at_fingers();
    for set in [FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs] {
        capture_set(&mut s, set, 80);
    }
    send(&mut s, Event::Next);
    send(
        &mut s,
        Event::Signature(capture(BiometricKind::Signature, None, 9)),
    );
    send(&mut s, Event::Next);
    assert_eq!(s.step(), Step::Review);
    s
}

#[test]
fn steps_go_in_order_and_each_needs_its_part() {
    let s = State::new(CapturePolicy::default(), Admission::default());
    assert_eq!(refuse(&s, Event::Next), WorkflowError::NoLanguage);

    let mut s = at_demographics();
    // An empty form does not go on; its errors are the domain's.
    match refuse(&s, Event::Next) {
        WorkflowError::CitizenInvalid(errors) => assert!(!errors.is_empty()),
        other => panic!("expected CitizenInvalid, got {other:?}"),
    }
    send(&mut s, Event::Citizen(citizen(1)));
    assert_eq!(
        s.citizen().language.as_deref(),
        Some("ru"),
        "the language step decides"
    );
    send(&mut s, Event::Next);
    assert_eq!(refuse(&s, Event::Next), WorkflowError::NoFace);

    let s = at_fingers();
    assert_eq!(
        refuse(&s, Event::Next),
        WorkflowError::FingerNotTaken(RightThumb)
    );
    let mut s = at_review();
    // Next does not save: only the explicit Save does.
    assert!(matches!(
        refuse(&s, Event::Next),
        WorkflowError::WrongStep {
            step: Step::Review,
            ..
        }
    ));
    // Events of another step are refused.
    assert!(matches!(
        refuse(&s, face(6, 6, 1)),
        WorkflowError::WrongStep { .. }
    ));
    // Back walks the steps; the face step restarts its preview only without a photo.
    let effects = send(&mut s, Event::Back);
    assert!(effects.is_empty());
    assert_eq!(s.step(), Step::Signature);
    send(&mut s, Event::Back);
    send(&mut s, Event::Back);
    assert_eq!(s.step(), Step::Face);
}

#[test]
fn the_first_face_that_passes_is_kept_with_the_score_that_decided() {
    let mut s = at_face();
    send(&mut s, face(4, 6, 1));
    assert_eq!(s.face_tries_left(), Some(2));
    assert!(s.face().is_none());
    send(&mut s, face(6, 6, 2));
    let kept = s.face().expect("kept");
    assert_eq!(kept.data[0], 2);
    assert_eq!(
        (kept.quality, kept.forced, kept.retries),
        (Some(100), false, 1)
    );
    // A second attempt is refused once a photo is kept; a retake starts over.
    assert!(matches!(
        refuse(&s, face(6, 6, 3)),
        WorkflowError::WrongStep { .. }
    ));
    let effects = send(&mut s, Event::RetakeFace);
    assert!(matches!(effects[..], [Effect::StartPreview]));
    assert!(s.face().is_none());
}

#[test]
fn after_the_last_face_try_the_best_is_kept_as_forced() {
    let mut s = at_face();
    for (passed, byte) in [(3, 1), (5, 2), (4, 3)] {
        send(&mut s, face(passed, 6, byte));
    }
    let kept = s.face().expect("forced after three tries");
    assert_eq!(kept.data[0], 2, "the best attempt");
    assert_eq!(
        (kept.quality, kept.forced, kept.retries),
        (Some(83), true, 1)
    );
}

#[test]
fn finger_sets_are_kept_or_retried_then_forced() {
    let mut s = at_fingers();
    let set = FingerSet::LeftSlap;
    send(&mut s, Event::CaptureFingers(set));
    assert_eq!(s.capturing(), Some(set));
    assert_eq!(
        refuse(&s, Event::CaptureFingers(FingerSet::Thumbs)),
        WorkflowError::CaptureRunning
    );
    assert_eq!(refuse(&s, Event::Next), WorkflowError::CaptureRunning);
    send(&mut s, attempt(set, 10, &[]));
    assert_eq!(s.finger_tries_left(), Some(2));
    assert!(matches!(s.finger(LeftIndex), FingerSlot::Empty));
    capture_set(&mut s, set, 30);
    capture_set(&mut s, set, 20);
    match s.finger(LeftRing) {
        FingerSlot::Captured(c) => {
            assert_eq!((c.quality, c.forced, c.retries), (Some(30), true, 1));
        }
        other => panic!("the best attempt is kept, got {other:?}"),
    }
    // A kept set captured again starts its count afresh and passes at once.
    capture_set(&mut s, set, 90);
    match s.finger(LeftRing) {
        FingerSlot::Captured(c) => assert_eq!((c.quality, c.forced), (Some(90), false)),
        other => panic!("{other:?}"),
    }
    // The requested quality is the policy's, per set.
    let effects = send(&mut s, Event::CaptureFingers(FingerSet::Thumbs));
    match &effects[..] {
        [Effect::CaptureFingers(req)] => assert_eq!(req.requested_quality, 40),
        other => panic!("{other:?}"),
    }
    // An attempt with other fingers than asked is refused and ends the capture.
    assert_eq!(
        refuse(&s, attempt(FingerSet::LeftSlap, 80, &[])),
        WorkflowError::AttemptMismatch
    );
    send(&mut s, Event::DeviceFailed);
    assert_eq!(s.capturing(), None);
}

#[test]
fn a_missing_finger_needs_its_exception_photo() {
    let mut s = at_fingers();
    send(
        &mut s,
        Event::MarkMissing {
            position: LeftLittle,
            reason: ExceptionReason::Amputated,
        },
    );
    for set in [FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs] {
        capture_set(&mut s, set, 80);
    }
    assert!(matches!(s.finger(LeftLittle), FingerSlot::Missing { .. }));
    assert_eq!(
        refuse(&s, Event::Next),
        WorkflowError::ExceptionPhotoNeeded(LeftLittle)
    );
    // A photo only for a finger marked missing, and only of that finger.
    assert_eq!(
        refuse(&s, Event::TakeExceptionPhoto(LeftRing)),
        WorkflowError::NotMissing(LeftRing)
    );
    let effects = send(&mut s, Event::TakeExceptionPhoto(LeftLittle));
    assert!(matches!(
        effects[..],
        [Effect::TakeExceptionPhoto(LeftLittle)]
    ));
    assert!(matches!(
        refuse(
            &s,
            Event::ExceptionPhoto {
                position: LeftLittle,
                photo: capture(BiometricKind::Face, None, 1)
            }
        ),
        WorkflowError::WrongKind(_)
    ));
    send(
        &mut s,
        Event::ExceptionPhoto {
            position: LeftLittle,
            photo: capture(BiometricKind::ExceptionPhoto, Some(LeftLittle), 7),
        },
    );
    send(&mut s, Event::Next);
    assert_eq!(s.step(), Step::Signature);
    // Not missing after all: the photo goes and the finger must be taken again.
    let mut back = s.clone();
    send(&mut back, Event::Back);
    send(&mut back, Event::NotMissing(LeftLittle));
    assert_eq!(
        refuse(&back, Event::Next),
        WorkflowError::FingerNotTaken(LeftLittle)
    );
    // A set whose fingers are all missing has nothing to capture.
    for p in [RightThumb, LeftThumb] {
        send(
            &mut back,
            Event::MarkMissing {
                position: p,
                reason: ExceptionReason::Bandaged,
            },
        );
    }
    assert_eq!(
        refuse(&back, Event::CaptureFingers(FingerSet::Thumbs)),
        WorkflowError::NothingToCapture
    );
}

/// Every event a registrar or a device can send, with small payloads.
fn any_event() -> impl Strategy<Value = Event> {
    let position = (1u8..=10).prop_map(|c| FingerPosition::ALL[usize::from(c - 1)]);
    let set = prop_oneof![
        Just(FingerSet::LeftSlap),
        Just(FingerSet::RightSlap),
        Just(FingerSet::Thumbs),
        position.clone().prop_map(FingerSet::Single),
    ];
    prop_oneof![
        Just(Event::Language(Language::Ky)),
        Just(Event::Citizen(citizen(3))),
        Just(Event::Citizen(Default::default())),
        Just(Event::Next),
        Just(Event::Back),
        Just(Event::Save),
        Just(Event::RetakeFace),
        Just(Event::DeviceFailed),
        Just(Event::ClearSignature),
        (0usize..=6).prop_map(|passed| face(passed, 6, 1)),
        set.clone().prop_map(Event::CaptureFingers),
        (set, 0u8..=100).prop_map(|(set, q)| attempt(set, q, &[])),
        position.clone().prop_map(|p| Event::MarkMissing {
            position: p,
            reason: ExceptionReason::Scarred
        }),
        position.clone().prop_map(Event::NotMissing),
        position.clone().prop_map(Event::TakeExceptionPhoto),
        position.prop_map(|p| Event::ExceptionPhoto {
            position: p,
            photo: capture(BiometricKind::ExceptionPhoto, Some(p), 5)
        }),
        Just(Event::Signature(capture(BiometricKind::Signature, None, 9))),
        Just(Event::CannotSign(SignatureReason::Injury)),
        (1u8..6).prop_map(|s| Event::Edit(Step::ALL[usize::from(s)])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// No sequence of events reaches a save with an incomplete draft: every save effect carries
    /// a draft that the domain accepts as complete, with valid details.
    #[test]
    fn no_event_sequence_saves_an_incomplete_draft(events in prop::collection::vec(any_event(), 1..80)) {
        let mut s = State::new(CapturePolicy::default(), Admission::default());
        let today = now();
        for event in events {
            let Ok((next_state, effects)) = next(&s, event, today) else { continue };
            s = next_state;
            for effect in effects {
                if let Effect::Save(draft) | Effect::SaveWithOverride { draft, .. } = effect {
                    prop_assert!(crate::domain::enrollment::check_complete(&draft.captures, &draft.exceptions, draft.signature_exception).is_ok());
                    prop_assert!(draft.citizen.validate(today.date()).is_ok());
                    prop_assert!(draft.citizen.language.is_some());
                }
            }
        }
    }
}

#[test]
fn a_citizen_who_cannot_sign_is_saved_with_the_reason_and_no_signature() {
    let mut s = at_fingers();
    for set in [FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs] {
        capture_set(&mut s, set, 80);
    }
    send(&mut s, Event::Next);
    assert_eq!(refuse(&s, Event::Next), WorkflowError::NoSignature);
    // A signature, then "cannot sign": the signature goes.
    send(
        &mut s,
        Event::Signature(capture(BiometricKind::Signature, None, 9)),
    );
    send(&mut s, Event::CannotSign(SignatureReason::Disability));
    assert!(s.signature().is_none());
    assert_eq!(s.no_signature(), Some(SignatureReason::Disability));
    send(&mut s, Event::Next);
    assert_eq!(s.step(), Step::Review);
    let effects = send(&mut s, Event::Save);
    let [Effect::Save(draft)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        draft.signature_exception.map(|e| e.reason),
        Some(SignatureReason::Disability)
    );
    assert!(
        !draft
            .captures
            .iter()
            .any(|c| c.kind == BiometricKind::Signature)
    );
}

#[test]
fn a_signature_after_cannot_sign_takes_its_place() {
    let mut s = at_review();
    send(&mut s, Event::Edit(Step::Signature));
    send(&mut s, Event::CannotSign(SignatureReason::CannotWrite));
    send(
        &mut s,
        Event::Signature(capture(BiometricKind::Signature, None, 7)),
    );
    assert_eq!(s.no_signature(), None);
    send(&mut s, Event::ClearSignature);
    assert!(!s.signature_done());
}

#[test]
fn time_is_only_an_argument() {
    // The same events at two dates: the birth date rule moves with `now`, nothing else reads a
    // clock.
    let early = Timestamp::parse("1990-01-01T00:00:00Z").unwrap();
    let mut s = at_demographics();
    send(&mut s, Event::Citizen(citizen(1)));
    assert!(matches!(
        next(&s, Event::Next, early),
        Err(WorkflowError::CitizenInvalid(_))
    ));
}

mod save;
mod untrusted;
