//! One person, one registration: a new record's fingers searched among the station's records
//! before it is signed, identification by finger, and templates for records saved earlier.
//!
//! Real FVC2002 DB1_B prints: `fixtures/fingers/10N_1.png` is finger N's first impression and
//! `fixtures/matching/fvc/10N_2.png` its second, taken at another time.

use super::*;
use crate::domain::FingerPosition::{RightIndex, RightThumb};

const THUMB_AGAIN: &[u8] = include_bytes!("../../../fixtures/matching/fvc/101_2.png");
const INDEX_AGAIN: &[u8] = include_bytes!("../../../fixtures/matching/fvc/102_2.png");
const OTHER_THUMB: &[u8] = include_bytes!("../../../fixtures/fingers/103_1.png");
const OTHER_INDEX: &[u8] = include_bytes!("../../../fixtures/fingers/104_1.png");

/// A station with the search on (the product's default), searching the right thumb and index.
fn searching_station() -> (tempfile::TempDir, Station, Session) {
    let mut config = Config::default();
    config.matching.duplicate_fingers = vec!["right-thumb".into(), "right-index".into()];
    setup_with(config)
}

fn finger(position: FingerPosition, png: &[u8]) -> Capture {
    Capture::from_png(
        BiometricKind::Finger,
        Some(position),
        png.to_vec(),
        Provenance::attached("libfprint:FP-0002"),
    )
    .unwrap()
}

/// [`draft`]`(serial)` with the right thumb and index replaced.
fn with_thumb_and_index(serial: u32, thumb: &[u8], index: &[u8]) -> EnrollmentDraft {
    let mut d = draft(serial);
    d.captures
        .retain(|c| !matches!(c.position, Some(RightThumb | RightIndex)));
    d.captures.push(finger(RightThumb, thumb));
    d.captures.push(finger(RightIndex, index));
    d
}

/// The last audit row is a refusal of `action` about record `subject`.
fn assert_refused(st: &Station, subject: &str, action: &str) {
    let e = last_event(st);
    assert_eq!(
        (e.action, e.subject.as_deref()),
        (Action::Refusal, Some(subject))
    );
    assert_eq!(e.detail["action"], action);
}

#[test]
fn the_same_fingers_under_a_new_pin_are_caught_before_save_and_only_a_supervisor_overrides() {
    let (_dir, mut st, admin) = searching_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let first = st.enroll(&reg, draft(1), now()).unwrap();
    // Someone else: other fingers, saved.
    st.enroll(
        &reg,
        with_thumb_and_index(2, OTHER_THUMB, OTHER_INDEX),
        now(),
    )
    .unwrap();

    // The first citizen again under another PIN: new impressions of the same fingers.
    let again = || with_thumb_and_index(3, THUMB_AGAIN, INDEX_AGAIN);
    // The kiosk's early search, as soon as the prints are taken, already names the first record.
    let early = st
        .search_people(&reg, &again().captures, None, now())
        .unwrap();
    assert_eq!(
        early
            .iter()
            .map(|m| m.registration_id.as_str())
            .collect::<Vec<_>>(),
        [first.as_str()]
    );
    // The early search is audited: who searched and how many records matched, no prints.
    let searched = last_event(&st);
    assert_eq!(
        (searched.action, searched.operator.as_deref()),
        (Action::DuplicateSearch, Some("reg1"))
    );
    assert_eq!(searched.detail["candidates"], 1);
    assert_eq!(
        searched.detail["fingers_read"], 10,
        "every finger of the draft was read"
    );
    let before = audit_len(&st);
    let matches = match st.enroll(&reg, again(), now()) {
        Err(Error::DuplicatePerson { matches }) => matches,
        other => panic!("expected a duplicate person, got {other:?}"),
    };
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].registration_id, first.as_str());
    assert!(matches[0].score >= Config::default().matching.duplicate_threshold);
    assert_eq!(
        matches[0]
            .fingers
            .iter()
            .map(|(p, _)| *p)
            .collect::<Vec<_>>(),
        [RightThumb, RightIndex]
    );
    assert_refused(
        &st,
        first.as_str(),
        "enrol a person whose fingerprints match another record",
    );
    assert_eq!(audit_len(&st), before + 1);
    assert_eq!(st.verify_all().unwrap().records_checked, 2, "nothing saved");

    // A registrar cannot allow it; a supervisor can, with a reason, and it is audited.
    assert!(matches!(
        st.enroll_with_override(&reg, again(), "reg1", PASSWORD, "same person", now()),
        Err(Error::PermissionDenied { .. })
    ));
    let id = st
        .enroll_with_override(
            &reg,
            again(),
            "sup1",
            PASSWORD,
            "the first record's PIN was typed wrong",
            now(),
        )
        .unwrap();
    let (_, record) = st.record(&reg, id.as_str(), now()).unwrap();
    let allowed = record.duplicate_override.expect("override recorded");
    assert_eq!(
        (allowed.of.as_str(), allowed.supervisor.as_str()),
        (first.as_str(), "sup1")
    );
    let e = events(&st)
        .into_iter()
        .rfind(|e| e.action == Action::Enrollment)
        .unwrap();
    assert_eq!(e.detail["fingerprint_match"], first.as_str());

    // Every saved record keeps one template per readable finger.
    assert_eq!(
        st.store
            .db()
            .record_templates(first.as_str())
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn a_citizen_is_identified_by_one_or_two_fingers_with_scores() {
    let (_dir, mut st, admin) = searching_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let first = st.enroll(&reg, draft(1), now()).unwrap();
    let other = st
        .enroll(
            &reg,
            with_thumb_and_index(2, OTHER_THUMB, OTHER_INDEX),
            now(),
        )
        .unwrap();

    let found = st
        .identify(
            &reg,
            &[
                finger(RightThumb, THUMB_AGAIN),
                finger(RightIndex, INDEX_AGAIN),
            ],
            now(),
        )
        .unwrap();
    assert_eq!(found[0].registration_id, first.as_str(), "{found:?}");
    assert!(found.iter().all(|m| m.registration_id != other.as_str()));
    let one = st
        .identify(&reg, &[finger(RightIndex, INDEX_AGAIN)], now())
        .unwrap();
    assert_eq!(one[0].registration_id, first.as_str(), "{one:?}");
    let e = last_event(&st);
    assert_eq!(e.action, Action::Identification);
    assert_eq!(
        (
            e.detail["fingers"].as_u64(),
            e.detail["candidates"].as_u64()
        ),
        (Some(1), Some(one.len() as u64))
    );

    // An image with no fingerprint in it is a clear refusal.
    let blank = tiny_png(200);
    assert!(matches!(
        st.identify(&reg, &[finger(RightIndex, &blank)], now()),
        Err(Error::NoFingerTemplate)
    ));
}

#[test]
fn records_saved_before_templates_get_them_with_progress_and_are_then_searched() {
    let (_dir, mut st, admin) = searching_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let first = st.enroll(&reg, draft(1), now()).unwrap();
    // As a station upgraded from before templates: none stored, none marked done.
    st.store.transaction(|db| db.forget_templates()).unwrap();
    st.drop_search_index();
    assert!(
        st.identify(&reg, &[finger(RightIndex, INDEX_AGAIN)], now())
            .unwrap()
            .is_empty()
    );

    assert!(matches!(
        st.extract_missing_templates(&reg, now(), &mut |_, _| {}),
        Err(Error::PermissionDenied { .. })
    ));
    let mut seen = Vec::new();
    let done = st
        .extract_missing_templates(&sup, now(), &mut |d, t| seen.push((d, t)))
        .unwrap();
    assert_eq!((done, seen), (1, vec![(1, 1)]));
    assert_eq!(last_event(&st).action, Action::TemplatesExtracted);
    let found = st
        .identify(&reg, &[finger(RightIndex, INDEX_AGAIN)], now())
        .unwrap();
    assert_eq!(found[0].registration_id, first.as_str());
    // Nothing is left to do.
    assert_eq!(
        st.extract_missing_templates(&sup, now(), &mut |_, _| {})
            .unwrap(),
        0
    );
}

#[test]
fn a_correction_must_carry_the_same_citizens_fingers() {
    let (_dir, mut st, admin) = searching_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let first = st.enroll(&reg, draft(1), now()).unwrap();

    // Another person's prints cannot replace the record.
    let mut other = with_thumb_and_index(1, OTHER_THUMB, OTHER_INDEX);
    other.supersedes = Some(first.clone());
    match st.enroll(&reg, other, now()) {
        Err(Error::NotTheSamePerson { id, score }) => {
            assert_eq!(id, first.to_string());
            assert!(score < Config::default().matching.identify_threshold_two_fingers);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_refused(
        &st,
        first.as_str(),
        "correct a record with another person's fingerprints",
    );

    // New impressions of the citizen's own fingers correct it.
    let mut own = with_thumb_and_index(1, THUMB_AGAIN, INDEX_AGAIN);
    own.supersedes = Some(first.clone());
    let id = st.enroll(&reg, own, now()).unwrap();
    let (stored, _) = st.record(&reg, first.as_str(), now()).unwrap();
    assert_eq!(stored.superseded_by.as_deref(), Some(id.as_str()));
}

#[test]
fn a_save_right_after_its_search_extracts_nothing_again_even_with_the_cache_nearly_full() {
    let (_dir, mut st, admin) = searching_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    // Six earlier drafts' searches, ten other files each: 60 of the cache's 64 places taken.
    for draft_no in 0..6u8 {
        let fingers: Vec<Capture> = FingerPosition::ALL
            .into_iter()
            .zip(0u8..)
            .map(|(position, i)| finger(position, &tiny_png(draft_no * 10 + i)))
            .collect();
        st.search_people(&reg, &fingers, None, now()).unwrap();
    }
    let before = st.templates.extractions;
    assert_eq!(before, 60);
    let d = draft(1);
    st.search_people(&reg, &d.captures, None, now()).unwrap();
    let searched = st.templates.extractions;
    assert_eq!(searched, before + 10);
    // The save finds the ten fingers its search extracted, though they overfilled the cache.
    st.enroll(&reg, d, now()).unwrap();
    assert_eq!(st.templates.extractions, searched);
}
