//! Saving: the station's answers, the duplicate stop and its override, retries, leaving, corrections.

use super::*;

#[test]
fn save_then_a_duplicate_pin_stops_for_a_supervisor_override() {
    let mut s = at_review();
    let effects = send(&mut s, Event::Save);
    let draft = match &effects[..] {
        [Effect::Save(draft)] => draft,
        other => panic!("{other:?}"),
    };
    assert_eq!(draft.captures.len(), 12);
    assert_eq!(s.save(), &SaveState::Saving { override_by: None });
    assert!(matches!(
        refuse(&s, Event::Save),
        WorkflowError::WrongStep { .. }
    ));
    send(
        &mut s,
        Event::DuplicatePin {
            masked_pin: Some("**********0001".into()),
            existing: vec!["KG1101-000001-20261127-7".into()],
        },
    );
    assert!(matches!(
        s.save(),
        SaveState::DuplicatePin { refused: None, .. }
    ));
    // An override needs a supervisor, a password and a reason.
    let bare = |reason: &str| Event::Override {
        supervisor: "sup1".into(),
        password: zeroize::Zeroizing::new("pw".into()),
        reason: reason.into(),
    };
    assert_eq!(refuse(&s, bare("  ")), WorkflowError::OverrideIncomplete);
    let effects = send(&mut s, bare("twins with one PIN"));
    match &effects[..] {
        [
            Effect::SaveWithOverride {
                supervisor, reason, ..
            },
        ] => assert_eq!(
            (supervisor.as_str(), reason.as_str()),
            ("sup1", "twins with one PIN")
        ),
        other => panic!("{other:?}"),
    }
    // The station refused the supervisor: back to the stop with the reason.
    send(
        &mut s,
        Event::OverrideRefused {
            message_id: "station-error-password-change",
            detail: "sup1".into(),
        },
    );
    match s.save() {
        SaveState::DuplicatePin {
            refused, existing, ..
        } => {
            // With the login the message names, never a bare `{ $detail }`.
            assert_eq!(
                *refused,
                Some(("station-error-password-change", "sup1".to_owned()))
            );
            assert_eq!(existing.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    // Or go back to the review and correct the PIN.
    let mut back = s.clone();
    send(&mut back, Event::Back);
    assert_eq!(
        (back.step(), back.save()),
        (Step::Review, &SaveState::NotYet)
    );
    send(&mut back, Event::Edit(Step::Demographics));
    assert_eq!(back.step(), Step::Demographics);

    send(&mut s, bare("twins with one PIN"));
    let effects = send(
        &mut s,
        Event::Saved {
            registration_id: "KG1101-000002-20261127-4".into(),
        },
    );
    assert!(matches!(effects[..], [Effect::Wipe]));
    assert_eq!(s.step(), Step::Receipt);
    assert!(
        s.face().is_none() && s.signature().is_none(),
        "wiped once saved"
    );
    assert!(
        FingerPosition::ALL
            .iter()
            .all(|p| matches!(s.finger(*p), FingerSlot::Empty))
    );
    let effects = send(&mut s, Event::Finish);
    assert!(matches!(effects[..], [Effect::Done]));
    assert!(s.citizen().pin.is_none(), "the details go with the receipt");
}

#[test]
fn a_refused_save_can_be_tried_again() {
    let mut s = at_review();
    let _ = send(&mut s, Event::Save);
    send(
        &mut s,
        Event::SaveFailed {
            message_id: "station-error-precinct",
            detail: "9999".into(),
        },
    );
    assert!(matches!(s.save(), SaveState::Failed { .. }));
    let effects = send(&mut s, Event::Save);
    assert!(matches!(effects[..], [Effect::Save(_)]));
}

#[test]
fn leaving_wipes_everything_from_any_step() {
    for mut s in [at_face(), at_fingers(), at_review()] {
        let effects = send(&mut s, Event::Cancel);
        assert!(matches!(
            effects[..],
            [Effect::StopPreview, Effect::Wipe, Effect::Done]
        ));
        assert!(s.face().is_none() && s.signature().is_none());
        assert!(s.citizen().pin.is_none() && s.citizen().surname.is_none());
        assert!(s.draft().is_none());
    }
    // Back from the first step leaves too.
    let mut s = State::new(CapturePolicy::default(), Admission::default());
    let effects = send(&mut s, Event::Back);
    assert!(matches!(effects[..], [Effect::Wipe, Effect::Done]));
}

#[test]
fn a_correction_carries_the_record_it_supersedes() {
    let station = crate::domain::StationId::parse("KG1101").unwrap();
    let old = crate::domain::RegistrationId::new(&station, 1, now().date());
    let mut s = State::superseding(CapturePolicy::default(), Admission::default(), old.clone());
    assert_eq!(s.supersedes(), Some(&old));
    for event in [Event::Language(Language::Ky), Event::Next] {
        send(&mut s, event);
    }
    let review = at_review();
    // The same draft, now a correction: its save names the old record.
    let mut s = review.clone();
    s.supersedes = Some(old.clone());
    match &send(&mut s, Event::Save)[..] {
        [Effect::Save(draft)] => assert_eq!(draft.supersedes.as_ref(), Some(&old)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_prints_are_searched_as_soon_as_they_are_taken_and_the_answer_is_kept_until_the_save() {
    let mut s = at_fingers();
    for set in [FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs] {
        capture_set(&mut s, set, 80);
    }
    let effects = send(&mut s, Event::Next);
    match &effects[..] {
        [Effect::SearchPeople(fingers)] => {
            assert_eq!(fingers.len(), 10);
            assert!(fingers.iter().all(|c| c.kind == BiometricKind::Finger));
        }
        other => panic!("{other:?}"),
    }
    assert!(s.possible_duplicates().is_empty());
    let found = vec!["KG1101-000001-20261127-7".to_owned()];
    send(
        &mut s,
        Event::PeopleFound {
            existing: found.clone(),
        },
    );
    assert_eq!(s.possible_duplicates(), &found[..]);
    // Leaving forgets it with the rest of the draft.
    send(&mut s, Event::Cancel);
    assert!(s.possible_duplicates().is_empty());
}
