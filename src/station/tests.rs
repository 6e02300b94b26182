//! Station tests, and the small test kit the other modules' tests share: a station set up in a
//! temporary directory, and complete enrollment drafts built from the files in `fixtures/`.
//!
//! Time is always a fixed [`Timestamp`] (see [`now`] and [`at`]); no test reads the clock.

use super::*;
use crate::audit::{Action, ChainError, Event, chain_hash};
use crate::domain::{
    BiometricKind, Capture, CitizenInput, ExceptionReason, FingerException, FingerPosition, Sex,
};
use crate::store::{RecordFilter, StatusCounts};
use std::sync::OnceLock;

/// The fixed "now" of the tests: 2026-11-27T06:00:00Z.
pub(crate) const NOW: &str = "2026-11-27T06:00:00Z";
/// The station passphrase used by [`setup`].
pub(crate) const PASSPHRASE: &str = "correct horse battery staple";
/// The admin's password.
pub(crate) const ADMIN_PASSWORD: &str = "admin-pass-2026";
/// The password [`add_operator`] gives every account.
pub(crate) const PASSWORD: &str = "operator-pass-2026";

/// [`NOW`] as a timestamp.
pub(crate) fn now() -> Timestamp {
    Timestamp::parse(NOW).expect("fixed timestamp")
}

/// [`NOW`] plus `secs` seconds.
pub(crate) fn at(secs: i64) -> Timestamp {
    now().plus_seconds(secs)
}

/// A new station KG1101 (region chui, precincts 1101 and 1102) in a temporary directory, with
/// the admin logged in. Keep the `TempDir` alive as long as the station.
pub(crate) fn setup() -> (tempfile::TempDir, Station, Session) {
    let dir = tempfile::tempdir().expect("temp dir");
    let setup = StationSetup {
        station_id: StationId::parse("KG1101").unwrap(),
        name: "Школа №5, Лебединовка".into(),
        region: "chui".into(),
        precincts: ["1101", "1102"]
            .into_iter()
            .map(|p| Precinct::parse(p).unwrap())
            .collect(),
        admin_login: "admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
    };
    let mut station = Station::init(
        &dir.path().join("data"),
        PASSPHRASE,
        &setup,
        Config::default(),
        now(),
    )
    .expect("station init");
    let admin = station
        .login("admin", ADMIN_PASSWORD, now())
        .expect("admin login");
    (dir, station, admin)
}

/// Adds an account with [`PASSWORD`] (as `by`) and logs it in.
pub(crate) fn add_operator(
    station: &mut Station,
    by: &Session,
    login: &str,
    role: Role,
) -> Session {
    station
        .add_operator(by, login, role, PASSWORD, now())
        .expect("add operator");
    station.login(login, PASSWORD, now()).expect("login")
}

/// A PIN: sex digit (1 female, 2 male), birth date DDMMYYYY, five serial digits.
pub(crate) fn pin(sex: Sex, birth: time::Date, serial: u32) -> String {
    format!(
        "{}{:02}{:02}{:04}{:05}",
        match sex {
            Sex::Female => 1,
            Sex::Male => 2,
        },
        birth.day(),
        u8::from(birth.month()),
        birth.year(),
        serial % 100_000
    )
}

/// Aigül from `fixtures/people/aigul.json`, with the PIN serial `serial` (her own PIN is serial 123).
/// Sex and birth date stay hers, so every serial gives a valid, distinct PIN.
pub(crate) fn citizen(serial: u32) -> CitizenInput {
    let mut c: CitizenInput =
        serde_json::from_slice(include_bytes!("../../fixtures/people/aigul.json"))
            .expect("aigul.json is a CitizenInput");
    c.pin = Some(pin(
        Sex::Female,
        time::macros::date!(1990 - 03 - 14),
        serial,
    ));
    c
}

const FINGERS: [&[u8]; 10] = [
    include_bytes!("../../fixtures/fingers/101_1.png"),
    include_bytes!("../../fixtures/fingers/102_1.png"),
    include_bytes!("../../fixtures/fingers/103_1.png"),
    include_bytes!("../../fixtures/fingers/104_1.png"),
    include_bytes!("../../fixtures/fingers/105_1.png"),
    include_bytes!("../../fixtures/fingers/106_1.png"),
    include_bytes!("../../fixtures/fingers/107_1.png"),
    include_bytes!("../../fixtures/fingers/108_1.png"),
    include_bytes!("../../fixtures/fingers/109_1.png"),
    include_bytes!("../../fixtures/fingers/110_1.png"),
];

/// The twelve fixture captures: ten fingers (`101_1.png` = right thumb … `110_1.png` = left
/// little), the face and the signature. Decoded once per test binary.
pub(crate) fn captures() -> Vec<Capture> {
    static CAPTURES: OnceLock<Vec<Capture>> = OnceLock::new();
    CAPTURES
        .get_or_init(|| {
            let mut all: Vec<Capture> = FingerPosition::ALL
                .into_iter()
                .zip(FINGERS)
                .map(|(p, png)| {
                    Capture::from_png(BiometricKind::Finger, Some(p), png.to_vec(), "sim:FP-0001")
                        .expect("finger fixture")
                })
                .collect();
            all.push(
                Capture::from_png(
                    BiometricKind::Face,
                    None,
                    include_bytes!("../../fixtures/faces/astronaut.png").to_vec(),
                    "sim:CAM-0001",
                )
                .expect("face fixture"),
            );
            all.push(
                Capture::from_png(
                    BiometricKind::Signature,
                    None,
                    include_bytes!("../../fixtures/signature.png").to_vec(),
                    "sim:PAD-0001",
                )
                .expect("signature fixture"),
            );
            all
        })
        .clone()
}

/// A complete, valid draft for precinct 1101: [`citizen`]`(serial)` and all [`captures`].
pub(crate) fn draft(serial: u32) -> EnrollmentDraft {
    EnrollmentDraft {
        citizen: citizen(serial),
        captures: captures(),
        exceptions: Vec::new(),
        supersedes: None,
    }
}

/// A small gray PNG, different for each `shade` (for exception photos).
pub(crate) fn tiny_png(shade: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 8, 8);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    w.write_image_data(&[shade; 64]).unwrap();
    w.finish().unwrap();
    out
}

/// [`draft`] with the left little finger amputated and photographed instead of scanned.
pub(crate) fn draft_left_little_amputated(serial: u32) -> EnrollmentDraft {
    let mut d = draft(serial);
    d.captures
        .retain(|c| c.position != Some(FingerPosition::LeftLittle));
    d.exceptions.push(FingerException {
        position: FingerPosition::LeftLittle,
        reason: ExceptionReason::Amputated,
    });
    d.captures.push(
        Capture::from_png(
            BiometricKind::ExceptionPhoto,
            Some(FingerPosition::LeftLittle),
            tiny_png(serial as u8),
            "sim:CAM-0001",
        )
        .unwrap(),
    );
    d
}

/// Every audit event, in order.
fn events(station: &Station) -> Vec<Event> {
    station
        .store()
        .db()
        .audit_rows(1, u64::MAX >> 1)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.event).unwrap())
        .collect()
}

fn last_event(station: &Station) -> Event {
    events(station).pop().expect("at least one audit row")
}

fn audit_len(station: &Station) -> u64 {
    station.store().db().audit_head().unwrap().0
}

fn grant<'a>(supervisor: &'a Session, reason: &str) -> DuplicateGrant<'a> {
    DuplicateGrant {
        supervisor,
        reason: reason.into(),
    }
}

fn ids(list: &[&RegistrationId]) -> Vec<String> {
    list.iter().map(|i| i.to_string()).collect()
}

fn status(station: &Station, id: &RegistrationId) -> RecordStatus {
    station
        .store()
        .db()
        .record(id.as_str())
        .unwrap()
        .unwrap()
        .status
}

// ---------------------------------------------------------------------------------------------
// Roles

#[test]
fn a_registrar_is_refused_supervisor_work_and_each_refusal_is_audited() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let id = st.enroll(&reg, draft(1), None, now()).unwrap();
    let id_s = id.to_string();

    let attempts: Vec<(&str, Result<()>)> = vec![
        (
            "approve records",
            st.approve(&reg, std::slice::from_ref(&id_s), now()),
        ),
        ("reject records", st.reject(&reg, &id_s, "bad photo", now())),
        (
            "add an operator",
            st.add_operator(&reg, "reg2", Role::Registrar, PASSWORD, now()),
        ),
        ("list operators", st.operators(&reg, now()).map(|_| ())),
        (
            "view the audit log",
            st.audit_events(&reg, 1, 10, now()).map(|_| ()),
        ),
    ];
    let n = attempts.len() as u64;
    let before = audit_len(&st) - n;
    for (i, (action, result)) in attempts.into_iter().enumerate() {
        match result {
            Err(Error::PermissionDenied {
                login,
                role: Role::Registrar,
                action: a,
                needed: Role::Supervisor,
            }) => assert_eq!((login.as_str(), a), ("reg1", action)),
            other => panic!("{action}: expected PermissionDenied, got {other:?}"),
        }
        let row = &st
            .store()
            .db()
            .audit_rows(before + 1 + i as u64, before + 1 + i as u64)
            .unwrap()[0];
        let e: Event = serde_json::from_slice(&row.event).unwrap();
        assert_eq!(e.action, Action::Refusal, "{action}");
        assert_eq!(e.action.name(), "refusal");
        assert_eq!(e.operator.as_deref(), Some("reg1"));
        assert_eq!(e.detail["action"], action);
    }
    assert_eq!(status(&st, &id), RecordStatus::Pending);
    assert!(st.store().db().operator("reg2").unwrap().is_none());
}

#[test]
fn a_supervisor_adds_registrars_only_and_an_admin_adds_anyone() {
    let (_dir, mut st, admin) = setup();
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    st.add_operator(&sup, "reg1", Role::Registrar, PASSWORD, now())
        .unwrap();
    for role in [Role::Supervisor, Role::Admin] {
        let before = audit_len(&st);
        let err = st
            .add_operator(&sup, "boss", role, PASSWORD, now())
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::PermissionDenied {
                    needed: Role::Admin,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(audit_len(&st), before + 1);
        assert_eq!(last_event(&st).action, Action::Refusal);
    }
    assert!(st.store().db().operator("boss").unwrap().is_none());
    st.add_operator(&admin, "sup2", Role::Supervisor, PASSWORD, now())
        .unwrap();
    st.add_operator(&admin, "admin2", Role::Admin, PASSWORD, now())
        .unwrap();
    let roles: Vec<(String, Role)> = st
        .operators(&admin, now())
        .unwrap()
        .into_iter()
        .map(|o| (o.login, o.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("admin".to_string(), Role::Admin),
            ("admin2".to_string(), Role::Admin),
            ("reg1".to_string(), Role::Registrar),
            ("sup1".to_string(), Role::Supervisor),
            ("sup2".to_string(), Role::Supervisor),
        ]
    );
    assert!(matches!(
        st.add_operator(&admin, "reg1", Role::Registrar, PASSWORD, now()),
        Err(Error::OperatorExists(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Lockout

fn fail_login(st: &mut Station, login: &str, t: Timestamp) -> Error {
    st.login(login, "wrong-password", t).unwrap_err()
}

fn remaining(e: &Error) -> i64 {
    match e {
        Error::LockedOut { remaining_secs, .. } => *remaining_secs,
        other => panic!("expected LockedOut, got {other:?}"),
    }
}

#[test]
fn five_wrong_passwords_lock_out_for_a_doubling_period() {
    let (_dir, mut st, admin) = setup();
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let first_fail_seq = audit_len(&st) + 1;

    for _ in 0..4 {
        assert!(matches!(
            fail_login(&mut st, "reg1", now()),
            Error::BadCredentials
        ));
    }
    let e = fail_login(&mut st, "reg1", now());
    assert_eq!(remaining(&e), 300);
    assert!(matches!(&e, Error::LockedOut { until, .. } if *until == at(300)));
    // The right password does not help during the lockout.
    let e = st.login("reg1", PASSWORD, at(100)).unwrap_err();
    assert_eq!(remaining(&e), 200);
    // Once it has passed, the failures start over: five more make the second lockout, twice as long.
    for _ in 0..4 {
        assert!(matches!(
            fail_login(&mut st, "reg1", at(300)),
            Error::BadCredentials
        ));
    }
    assert_eq!(remaining(&fail_login(&mut st, "reg1", at(300))), 600);
    assert_eq!(
        remaining(&st.login("reg1", PASSWORD, at(899)).unwrap_err()),
        1
    );
    st.login("reg1", PASSWORD, at(900)).unwrap();
    // A successful login resets the failure count and the lockout escalation.
    for _ in 0..5 {
        let _ = fail_login(&mut st, "reg1", at(1000));
    }
    assert_eq!(
        remaining(&st.login("reg1", PASSWORD, at(1000)).unwrap_err()),
        300
    );
    // A supervisor's unlock ends a lockout at once.
    st.unlock_operator(&sup, "reg1", at(1001)).unwrap();
    st.login("reg1", PASSWORD, at(1002)).unwrap();
    let row = st.store().db().operator("reg1").unwrap().unwrap();
    assert_eq!(
        (row.failed_attempts, row.lockouts, row.locked_until),
        (0, 0, None)
    );

    let trail: Vec<(Action, Option<String>)> = events(&st)
        .into_iter()
        .skip(first_fail_seq as usize - 1)
        .map(|e| {
            (
                e.action,
                e.detail
                    .get("why")
                    .and_then(|w| w.as_str())
                    .map(str::to_owned),
            )
        })
        .collect();
    let count = |a: Action| trail.iter().filter(|(x, _)| *x == a).count();
    assert_eq!(count(Action::Lockout), 3);
    // 15 wrong passwords, 3 right ones refused while locked out.
    assert_eq!(count(Action::LoginFailed), 18);
    assert_eq!(
        trail
            .iter()
            .filter(|(_, why)| why.as_deref() == Some("locked-out"))
            .count(),
        3
    );
    assert_eq!(count(Action::OperatorUnlock), 1);
    assert_eq!(st.verify_audit().unwrap(), Ok(audit_len(&st)));
}

#[test]
fn a_locked_or_disabled_operator_cannot_log_in_or_act() {
    let (_dir, mut st, admin) = setup();
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    add_operator(&mut st, &admin, "reg2", Role::Registrar);

    st.lock_operator(&sup, "reg1", now()).unwrap();
    assert!(matches!(
        st.login("reg1", PASSWORD, now()),
        Err(Error::AccountLocked(l)) if l == "reg1"
    ));
    // The session opened before the lock is refused on its next action, and that is audited.
    let before = audit_len(&st);
    assert!(matches!(
        st.enroll(&reg, draft(1), None, now()),
        Err(Error::AccountLocked(_))
    ));
    assert_eq!(audit_len(&st), before + 1);
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.operator.as_deref()),
        (Action::Refusal, Some("reg1"))
    );
    assert_eq!(st.store().db().last_sequence().unwrap(), 0);

    st.unlock_operator(&sup, "reg1", now()).unwrap();
    st.login("reg1", PASSWORD, now()).unwrap();

    st.disable_operator(&sup, "reg2", now()).unwrap();
    assert!(matches!(
        st.login("reg2", PASSWORD, now()),
        Err(Error::AccountDisabled(_))
    ));
    assert!(matches!(
        st.unlock_operator(&sup, "reg2", now()),
        Err(Error::AccountDisabled(_))
    ));
    // A supervisor cannot lock another supervisor, nor themselves.
    assert!(matches!(
        st.lock_operator(&sup, "admin", now()),
        Err(Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        st.lock_operator(&admin, "admin", now()),
        Err(Error::Invalid(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Enrollment

#[test]
fn an_enrollment_is_saved_signed_and_pending() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let id = st.enroll(&reg, draft(123), None, now()).unwrap();
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
        st.enroll(&reg, d, None, now()),
        Err(Error::PrecinctNotServed(p)) if p == "1103"
    ));
    let mut d = draft(1);
    d.citizen.precinct = Some("1102".into());
    st.enroll(&reg, d, None, now()).unwrap();
}

#[test]
fn a_missing_finger_needs_an_exception() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let mut d = draft(1);
    d.captures
        .retain(|c| c.position != Some(FingerPosition::LeftLittle));
    assert!(matches!(
        st.enroll(&reg, d, None, now()),
        Err(Error::Incomplete(
            crate::domain::enrollment::CompletenessError::FingerMissing(FingerPosition::LeftLittle)
        ))
    ));
    assert_eq!(st.store().db().last_sequence().unwrap(), 0);

    let id = st
        .enroll(&reg, draft_left_little_amputated(1), None, now())
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
    let first = st.enroll(&reg, draft(7), None, now()).unwrap();

    let before = audit_len(&st);
    match st.enroll(&reg, draft(7), None, now()) {
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

    assert!(matches!(
        st.enroll(&reg, draft(7), Some(grant(&reg2, "twin")), now()),
        Err(Error::PermissionDenied { login, needed: Role::Supervisor, .. }) if login == "reg2"
    ));
    assert_eq!(last_event(&st).action, Action::Refusal);
    assert!(matches!(
        st.enroll(&reg, draft(7), Some(grant(&sup, "  ")), now()),
        Err(Error::Invalid(_))
    ));
    assert_eq!(st.store().db().last_sequence().unwrap(), 1);

    let reason = "PIN issued twice by the registry office; see letter 12/345";
    let second = st
        .enroll(&reg, draft(7), Some(grant(&sup, reason)), now())
        .unwrap();
    assert_eq!(second.sequence(), 2);
    let (stored, record) = st.record(&reg, second.as_str(), now()).unwrap();
    let o = record.duplicate_override.expect("override recorded");
    assert_eq!(
        (o.of, o.supervisor.as_str(), o.reason.as_str()),
        (first.clone(), "sup1", reason)
    );
    assert_eq!(stored.duplicate_of.as_deref(), Some(first.as_str()));
    let e = last_event(&st);
    assert_eq!(e.detail["duplicate_of"], first.as_str());
    assert_eq!(e.detail["override_by"], "sup1");
}

#[test]
fn a_correction_supersedes_the_old_record() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let old = st.enroll(&reg, draft(9), None, now()).unwrap();

    let mut fix = draft(9);
    fix.citizen.surname = Some("Асанова".into());
    fix.supersedes = Some(old.clone());
    let new = st.enroll(&reg, fix, None, at(60)).unwrap();

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
        st.enroll(&reg, again, None, now()),
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
    let a = st.enroll(&reg, draft(1), None, now()).unwrap();
    let b = st.enroll(&reg, draft(2), None, now()).unwrap();
    let c = st.enroll(&reg, draft(3), None, now()).unwrap();

    st.approve(&sup, &[a.to_string()], at(10)).unwrap();
    let stored = st.store().db().record(a.as_str()).unwrap().unwrap();
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
            Err(Error::Invalid(_))
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
    let stored = st.store().db().record(b.as_str()).unwrap().unwrap();
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

// ---------------------------------------------------------------------------------------------
// Tampering

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
    st.store().raw_connection()
}

fn row(st: &Station, seq: u64) -> crate::audit::Row {
    st.store().db().audit_rows(seq, seq).unwrap().remove(0)
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
    let altered = st.enroll(&reg, draft(1), None, now()).unwrap();
    let swapped = st
        .enroll(&reg, draft_left_little_amputated(2), None, now())
        .unwrap();
    let clean = st.enroll(&reg, draft(3), None, now()).unwrap();
    assert!(st.verify_all().unwrap().ok());

    // One byte of the signed JSON: the document number ID1234567 becomes ID2234567.
    let json = st
        .store()
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
        Station::open(&data, "correct horse battery stapler", Config::default()),
        Err(Error::Store(store::Error::WrongPassphrase(p))) if p == data.join(DB_FILE)
    ));
    let st = Station::open(&data, PASSPHRASE, Config::default()).unwrap();
    assert_eq!(st.info().station_id.as_str(), "KG1101");
    assert_eq!(st.verify_audit().unwrap(), Ok(2));
}

#[test]
fn record_counts_follow_the_lifecycle_and_the_filter() {
    let (_dir, mut st, admin) = setup();
    let ids: Vec<RegistrationId> = (1..=3)
        .map(|n| st.enroll(&admin, draft(n), None, now()).unwrap())
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
