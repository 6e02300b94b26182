//! Enrollment: complete drafts, duplicates and overrides, corrections.

use super::*;

#[test]
fn an_enrollment_is_saved_signed_and_pending() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let id = st.enroll(&reg, draft(123), now()).unwrap();
    let text = id.to_string();
    assert!(text.starts_with("KG1101-000001-20261127-"), "{text}");
    assert_eq!(text.len(), "KG1101-000001-20261127-0".len());
    assert_eq!(Station::parse_id(&text).unwrap(), id);

    let (stored, record) = st.record(&reg, &text, now()).unwrap();
    assert_eq!(stored.status, RecordStatus::Pending);
    assert_eq!((stored.sequence, stored.operator.as_str()), (1, "reg1"));
    assert_eq!(record.citizen.pin.as_str(), "11403199000123");
    assert_eq!(record.biometrics.len(), 12);
    assert_eq!(record.created_at, now());

    let report = st.verify_all().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!((report.records_checked, report.biometrics_checked), (1, 12));
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.subject.as_deref()),
        (Action::Enrollment, Some(text.as_str()))
    );
    assert_eq!(e.detail["biometrics"], 12);
}

#[test]
fn a_precinct_the_station_does_not_serve_is_refused() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let mut d = draft(1);
    d.citizen.precinct = Some("1103".into());
    assert!(matches!(
        st.enroll(&reg, d, now()),
        Err(Error::PrecinctNotServed(p)) if p == "1103"
    ));
    let mut d = draft(1);
    d.citizen.precinct = Some("1102".into());
    st.enroll(&reg, d, now()).unwrap();
}

/// A station like [`setup`]'s, back-filling records from files.
fn back_filling_station() -> (tempfile::TempDir, Station, Session) {
    let mut config = test_config();
    config.station.back_fill = true;
    setup_with(config)
}

fn unverified(device: &str) -> Provenance {
    Provenance {
        device: device.into(),
        trust: Trust::Unverified {
            reason: "the data is not signed".into(),
        },
    }
}

#[test]
fn outside_training_a_record_is_made_only_from_real_devices_and_each_refusal_is_audited() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let before = audit_len(&st);
    for (source, message) in [
        (
            Provenance::simulated("sim:SIM-FP-1"),
            "capture-untrusted-simulated",
        ),
        (unverified("sbi:FP-9"), "capture-untrusted-unverified"),
        (Provenance::back_fill(), "capture-untrusted-file"),
    ] {
        let mut d = draft(1);
        d.captures[3].source = source.clone();
        let err = st.enroll(&reg, d, now()).unwrap_err();
        assert_eq!(err.message_id(), message, "{source:?}");
        let device = if source.trust == Trust::File {
            "file"
        } else {
            source.device.as_str()
        };
        assert_eq!(err.detail(), device);
        let e = last_event(&st);
        assert_eq!(e.action, Action::Refusal);
        assert_eq!(e.detail["device"], device);
    }
    assert_eq!(audit_len(&st), before + 3);
    assert_eq!(st.verify_all().unwrap().records_checked, 0, "nothing saved");

    // In training mode the same draft is saved, as a training record.
    st.set_training(&admin, true, now()).unwrap();
    let mut d = draft(1);
    d.captures[3].source = Provenance::simulated("sim:SIM-FP-1");
    let id = st.enroll(&reg, d, now()).unwrap();
    let (_, record) = st.record(&reg, id.as_str(), now()).unwrap();
    assert!(record.training);
    assert!(record.biometrics.iter().any(|b| b.device == "sim:SIM-FP-1"));
}

#[test]
fn a_back_filling_station_saves_records_from_files_and_each_says_so() {
    let (_dir, mut st, admin) = back_filling_station();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let mut d = draft(1);
    for c in &mut d.captures {
        c.source = Provenance::back_fill();
    }
    let id = st.enroll(&reg, d, now()).unwrap();
    let (_, record) = st.record(&reg, id.as_str(), now()).unwrap();
    assert!(!record.training);
    assert!(
        record
            .biometrics
            .iter()
            .all(|b| b.device == "file:back-fill")
    );
    assert_eq!(last_event(&st).detail["back_fill"], true);

    // A record from devices says nothing of back-filling; a simulated capture is still refused.
    let id = st.enroll(&reg, draft(2), now()).unwrap();
    let e = last_event(&st);
    assert_eq!(e.subject.as_deref(), Some(id.as_str()));
    assert!(e.detail.get("back_fill").is_none());
    let mut d = draft(3);
    d.captures[0].source = Provenance::simulated("sim:SIM-FP-1");
    assert_eq!(
        st.enroll(&reg, d, now()).unwrap_err().message_id(),
        "capture-untrusted-simulated"
    );
}

#[test]
fn a_missing_finger_needs_an_exception() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let mut d = draft(1);
    d.captures
        .retain(|c| c.position != Some(FingerPosition::LeftLittle));
    assert!(matches!(
        st.enroll(&reg, d, now()),
        Err(Error::Incomplete(
            crate::domain::enrollment::CompletenessError::FingerMissing(FingerPosition::LeftLittle)
        ))
    ));
    assert_eq!(st.store.db().last_sequence().unwrap(), 0);

    let id = st
        .enroll(&reg, draft_left_little_amputated(1), now())
        .unwrap();
    let (_, record) = st.record(&reg, id.as_str(), now()).unwrap();
    assert_eq!(
        record.exceptions,
        [FingerException {
            position: FingerPosition::LeftLittle,
            reason: ExceptionReason::Amputated
        }]
    );
    let photo: Vec<_> = record
        .biometrics
        .iter()
        .filter(|b| b.kind == BiometricKind::ExceptionPhoto)
        .collect();
    assert_eq!(photo.len(), 1);
    assert_eq!(photo[0].position, Some(FingerPosition::LeftLittle));
    assert_eq!(record.biometrics.len(), 12);
    assert!(st.verify_all().unwrap().ok());
}

#[test]
fn a_duplicate_pin_needs_a_supervisor_override_with_a_reason() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let reg2 = add_operator(&mut st, &admin, "reg2", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let first = st.enroll(&reg, draft(7), now()).unwrap();

    let before = audit_len(&st);
    match st.enroll(&reg, draft(7), now()) {
        Err(Error::DuplicatePin { masked, existing }) => {
            assert_eq!(masked, "**********0007");
            assert_eq!(existing, ids(&[&first]));
        }
        other => panic!("expected DuplicatePin, got {other:?}"),
    }
    assert_eq!(audit_len(&st), before + 1);
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.operator.as_deref(), e.subject.as_deref()),
        (Action::Refusal, Some("reg1"), Some(first.as_str()))
    );

    // A registrar's "override" is refused, audited, and the registrar is logged out again.
    let _ = reg2;
    assert!(matches!(
        st.enroll_with_override(&reg, draft(7), "reg2", PASSWORD, "twin", now()),
        Err(Error::PermissionDenied { login, needed: Role::Supervisor, .. }) if login == "reg2"
    ));
    let tail: Vec<Action> = events(&st).iter().rev().take(3).map(|e| e.action).collect();
    assert_eq!(tail, [Action::Logout, Action::Refusal, Action::Login]);
    // A wrong supervisor password and an empty reason are refused before anything is stored.
    assert!(matches!(
        st.enroll_with_override(&reg, draft(7), "sup1", "wrong password", "twin", now()),
        Err(Error::BadCredentials)
    ));
    assert!(matches!(
        st.enroll_with_override(&reg, draft(7), "sup1", PASSWORD, "  ", now()),
        Err(Error::OverrideReason)
    ));
    assert_eq!(st.store.db().last_sequence().unwrap(), 1);

    let reason = "PIN issued twice by the registry office; see letter 12/345";
    let second = st
        .enroll_with_override(&reg, draft(7), "sup1", PASSWORD, reason, now())
        .unwrap();
    // The supervisor's part: a login, the enrollment naming them, and a logout.
    let tail: Vec<(Action, Option<String>)> = events(&st)
        .iter()
        .rev()
        .take(3)
        .map(|e| (e.action, e.operator.clone()))
        .collect();
    assert_eq!(
        tail,
        [
            (Action::Logout, Some("sup1".to_owned())),
            (Action::Enrollment, Some("reg1".to_owned())),
            (Action::Login, Some("sup1".to_owned())),
        ]
    );
    let _ = sup;
    assert_eq!(second.sequence(), 2);
    let (stored, record) = st.record(&reg, second.as_str(), now()).unwrap();
    let o = record.duplicate_override.expect("override recorded");
    assert_eq!(
        (o.of, o.supervisor.as_str(), o.reason.as_str()),
        (first.clone(), "sup1", reason)
    );
    assert_eq!(stored.duplicate_of.as_deref(), Some(first.as_str()));
    let e = &events(&st)[audit_len(&st) as usize - 2];
    assert_eq!(e.detail["duplicate_of"], first.as_str());
    assert_eq!(e.detail["override_by"], "sup1");
}

#[test]
fn a_correction_supersedes_the_old_record() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let old = st.enroll(&reg, draft(9), now()).unwrap();

    let mut fix = draft(9);
    fix.citizen.surname = Some("Асанова".into());
    fix.supersedes = Some(old.clone());
    let new = st.enroll(&reg, fix, at(60)).unwrap();

    let (stored_old, _) = st.record(&reg, old.as_str(), now()).unwrap();
    assert_eq!(stored_old.superseded_by.as_deref(), Some(new.as_str()));
    let (stored_new, record) = st.record(&reg, new.as_str(), now()).unwrap();
    assert_eq!(stored_new.supersedes.as_deref(), Some(old.as_str()));
    assert_eq!(record.supersedes.as_ref(), Some(&old));
    assert_eq!(record.citizen.surname, "Асанова");

    match st.approve(&sup, &[old.to_string()], now()) {
        Err(Error::Superseded { id, by }) => {
            assert_eq!((id, by), (old.to_string(), new.to_string()))
        }
        other => panic!("expected Superseded, got {other:?}"),
    }
    // A record can be corrected only once; correct the correction instead.
    let mut again = draft(9);
    again.supersedes = Some(old.clone());
    assert!(matches!(
        st.enroll(&reg, again, now()),
        Err(Error::Superseded { .. })
    ));
    st.approve(&sup, &[new.to_string()], now()).unwrap();
    assert!(st.verify_all().unwrap().ok());
}

#[test]
fn approve_and_reject_only_pending_records_all_or_none() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let a = st.enroll(&reg, draft(1), now()).unwrap();
    let b = st.enroll(&reg, draft(2), now()).unwrap();
    let c = st.enroll(&reg, draft(3), now()).unwrap();

    st.approve(&sup, &[a.to_string()], at(10)).unwrap();
    let stored = st.store.db().record(a.as_str()).unwrap().unwrap();
    assert_eq!(stored.status, RecordStatus::Approved);
    assert_eq!(
        (stored.decided_by.as_deref(), stored.decided_at.as_deref()),
        (Some("sup1"), Some("2026-11-27T06:00:10Z"))
    );
    assert!(matches!(
        st.approve(&sup, &[a.to_string()], now()),
        Err(Error::NotPending {
            status: RecordStatus::Approved,
            wanted: "approved",
            ..
        })
    ));

    for empty in ["", "   \n "] {
        assert!(matches!(
            st.reject(&sup, b.as_str(), empty, now()),
            Err(Error::RejectionReason)
        ));
    }
    assert!(matches!(
        st.reject(&sup, a.as_str(), "photo blurred", now()),
        Err(Error::NotPending {
            status: RecordStatus::Approved,
            wanted: "rejected",
            ..
        })
    ));
    st.reject(&sup, b.as_str(), "photo blurred", now()).unwrap();
    let stored = st.store.db().record(b.as_str()).unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.reason.as_deref()),
        (RecordStatus::Rejected, Some("photo blurred"))
    );

    // One bad id in a bulk approval: nothing is approved, and no approval is audited.
    let before = audit_len(&st);
    assert!(matches!(
        st.approve(&sup, &[c.to_string(), b.to_string()], now()),
        Err(Error::NotPending { .. })
    ));
    assert!(matches!(
        st.approve(
            &sup,
            &[c.to_string(), "KG1101-000099-20261127-0".into()],
            now()
        ),
        Err(Error::UnknownRecord(_))
    ));
    assert_eq!(status(&st, &c), RecordStatus::Pending);
    assert_eq!(audit_len(&st), before);
    st.approve(&sup, &[c.to_string()], now()).unwrap();
    assert_eq!(status(&st, &c), RecordStatus::Approved);
}
