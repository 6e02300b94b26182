//! Tampering: altered records, files and audit rows are found.

use super::*;

/// A station with a registrar and `n` logins after setup (at least 8 audit rows in all).
fn station_with_history() -> (tempfile::TempDir, Station) {
    let (dir, mut st, admin) = setup();
    add_operator(&mut st, &admin, "reg1", Role::Registrar);
    for i in 0..4 {
        let s = st.login("reg1", PASSWORD, at(i)).unwrap();
        st.logout(s, at(i)).unwrap();
    }
    assert!(audit_len(&st) >= 8);
    assert_eq!(st.verify_audit().unwrap(), Ok(audit_len(&st)));
    (dir, st)
}

fn raw(st: &Station) -> &rusqlite::Connection {
    st.store.raw_connection()
}

fn row(st: &Station, seq: u64) -> crate::audit::Row {
    st.store.db().audit_rows(seq, seq).unwrap().remove(0)
}

#[test]
fn an_edited_audit_row_is_found() {
    let (_d, st) = station_with_history();
    let r = row(&st, 5);
    let edited = String::from_utf8(r.event)
        .unwrap()
        .replace("reg1", "reg2")
        .into_bytes();
    raw(&st)
        .execute("UPDATE audit SET event = ?1 WHERE seq = 5", [&edited])
        .unwrap();
    assert_eq!(
        st.verify_audit().unwrap(),
        Err(ChainError::Edited { seq: 5 })
    );
    assert!(!st.verify_all().unwrap().ok());
}

#[test]
fn a_deleted_audit_row_is_found() {
    let (_d, st) = station_with_history();
    raw(&st)
        .execute("DELETE FROM audit WHERE seq = 4", [])
        .unwrap();
    let err = st.verify_audit().unwrap().unwrap_err();
    assert_eq!(
        err,
        ChainError::Gap {
            seq: 5,
            expected: 4
        }
    );
    assert!(err.to_string().contains("expected row number 4"), "{err}");
}

#[test]
fn swapped_audit_rows_are_found() {
    let (_d, st) = station_with_history();
    let (r4, r5) = (row(&st, 4), row(&st, 5));
    for (seq, r) in [(4, &r5), (5, &r4)] {
        raw(&st)
            .execute(
                "UPDATE audit SET event = ?2, prev = ?3, hash = ?4 WHERE seq = ?1",
                rusqlite::params![seq, r.event, &r.prev[..], &r.hash[..]],
            )
            .unwrap();
    }
    assert_eq!(
        st.verify_audit().unwrap(),
        Err(ChainError::BrokenLink { seq: 4 })
    );
}

#[test]
fn an_inserted_audit_row_is_found() {
    let (_d, st) = station_with_history();
    let head = audit_len(&st);
    let conn = raw(&st);
    // Make room after row 3 and put a well-formed row there, chained to row 3.
    conn.execute("UPDATE audit SET seq = seq + 1000 WHERE seq > 3", [])
        .unwrap();
    conn.execute("UPDATE audit SET seq = seq - 999 WHERE seq > 1000", [])
        .unwrap();
    let prev = row(&st, 3).hash;
    let event =
        crate::crypto::canonical_json(&Event::new(Action::Login, now(), Some("reg1"), None))
            .unwrap();
    let hash = chain_hash(&prev, &event);
    conn.execute(
        "INSERT INTO audit (seq, event, prev, hash) VALUES (4, ?1, ?2, ?3)",
        rusqlite::params![event, &prev[..], &hash[..]],
    )
    .unwrap();
    assert_eq!(row(&st, head + 1).seq, head + 1);
    assert_eq!(
        st.verify_audit().unwrap(),
        Err(ChainError::BrokenLink { seq: 5 })
    );
}

#[test]
fn a_deleted_last_audit_row_is_found() {
    let (_d, st) = station_with_history();
    let head = audit_len(&st);
    raw(&st)
        .execute("DELETE FROM audit WHERE seq = ?1", [head as i64])
        .unwrap();
    assert_eq!(
        st.verify_audit().unwrap(),
        Err(ChainError::Truncated {
            last: head - 1,
            head
        })
    );
}

#[test]
fn verify_all_names_a_tampered_record_and_a_replaced_biometric() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let altered = st.enroll(&reg, draft(1), now()).unwrap();
    let swapped = st
        .enroll(&reg, draft_left_little_amputated(2), now())
        .unwrap();
    let clean = st.enroll(&reg, draft(3), now()).unwrap();
    assert!(st.verify_all().unwrap().ok());

    // One byte of the signed JSON: the document number ID1234567 becomes ID2234567.
    let json = st
        .store
        .db()
        .record(altered.as_str())
        .unwrap()
        .unwrap()
        .record_json;
    let at_doc = json
        .windows(9)
        .position(|w| w == b"ID1234567")
        .expect("document number in the record");
    let mut changed = json.clone();
    changed[at_doc + 2] = b'2';
    raw(&st)
        .execute(
            "UPDATE records SET record_json = ?2 WHERE registration_id = ?1",
            rusqlite::params![altered.as_str(), changed],
        )
        .unwrap();

    // The exception photo belongs to the second record only.
    let (_, record) = st.record(&reg, swapped.as_str(), now()).unwrap();
    let photo = record
        .biometrics
        .iter()
        .find(|b| b.kind == BiometricKind::ExceptionPhoto)
        .unwrap()
        .sha256
        .clone();
    raw(&st)
        .execute(
            "UPDATE biometrics SET data = ?2 WHERE sha256 = ?1",
            rusqlite::params![photo, tiny_png(200)],
        )
        .unwrap();

    let photo_problem = format!("biometric {photo} does not match its hash");
    let report = st.verify_all().unwrap();
    assert!(!report.ok());
    assert_eq!(report.audit, Ok(audit_len(&st)));
    let problems: Vec<(&str, &str)> = report
        .record_problems
        .iter()
        .map(|p| (p.registration_id.as_str(), p.problem.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (altered.as_str(), "signature: signature does not verify"),
            (swapped.as_str(), photo_problem.as_str()),
        ]
    );
    assert!(!problems.iter().any(|(id, _)| *id == clean.as_str()));
}

#[test]
fn a_wrong_passphrase_opens_nothing() {
    let (dir, st, _admin) = setup();
    drop(st);
    let data = dir.path().join("data");
    assert!(matches!(
        Station::open(&data, "correct horse battery stapler", test_config()),
        Err(Error::Store(store::Error::WrongPassphrase(p))) if p == data.join(DB_FILE)
    ));
    let st = Station::open(&data, PASSPHRASE, test_config()).unwrap();
    assert_eq!(st.info().station_id.as_str(), "KG1101");
    assert_eq!(st.verify_audit().unwrap(), Ok(2));
}

#[test]
fn record_counts_follow_the_lifecycle_and_the_filter() {
    let (_dir, mut st, admin) = setup();
    let ids: Vec<RegistrationId> = (1..=3)
        .map(|n| st.enroll(&admin, draft(n), now()).unwrap())
        .collect();
    st.approve(&admin, &[ids[0].to_string()], now()).unwrap();
    st.reject(&admin, ids[1].as_str(), "photo of the wrong person", now())
        .unwrap();
    let all = st
        .record_counts(&admin, &RecordFilter::default(), now())
        .unwrap();
    assert_eq!(
        all,
        StatusCounts {
            pending: 1,
            approved: 1,
            rejected: 1,
            exported: 0
        }
    );
    assert_eq!(all.total(), 3);
    let nobody = RecordFilter {
        operator: Some("nobody".into()),
        ..RecordFilter::default()
    };
    assert_eq!(st.record_counts(&admin, &nobody, now()).unwrap().total(), 0);
}

#[test]
fn setting_central_recipient_is_its_own_audited_action() {
    let (_dir, mut st, admin) = setup();
    let (_, recipient) = crate::batch::new_identity_file("2026-11-27T06:00:00Z");
    st.set_batch_recipients(&admin, std::slice::from_ref(&recipient), now())
        .unwrap();
    assert_eq!(st.batch_recipients().unwrap(), [recipient.clone()]);
    let event = last_event(&st);
    assert_eq!(
        (
            event.action,
            event.operator.as_deref(),
            event.detail["recipients"].as_str()
        ),
        (
            Action::BatchRecipients,
            Some("admin"),
            Some(recipient.as_str())
        )
    );
    // A malformed key is refused and changes nothing.
    assert!(
        st.set_batch_recipients(&admin, &["age1notakey".into()], now())
            .is_err()
    );
    assert_eq!(st.batch_recipients().unwrap(), [recipient]);
}
