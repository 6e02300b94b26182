//! Operator login by fingerprint: two fingers enrolled, login by finger, finger and password
//! required by a supervisor, and failures counted towards the lockout. Real FVC2002 DB1_B prints:
//! `fixtures/fingers/10N_1.png` is finger N's first impression, `fixtures/matching/fvc/10N_2.png`
//! its second, taken at another time.

use super::*;
use crate::domain::FingerPosition::{LeftIndex, RightIndex};

const INDEX: &[u8] = include_bytes!("../../../fixtures/fingers/101_1.png");
const INDEX_AGAIN: &[u8] = include_bytes!("../../../fixtures/matching/fvc/101_2.png");
const LEFT: &[u8] = include_bytes!("../../../fixtures/fingers/102_1.png");
const SOMEONE_ELSE: &[u8] = include_bytes!("../../../fixtures/fingers/103_1.png");

fn finger(position: FingerPosition, png: &[u8], source: Provenance) -> Capture {
    Capture::from_png(BiometricKind::Finger, Some(position), png.to_vec(), source).unwrap()
}

fn scanned(position: FingerPosition, png: &[u8]) -> Capture {
    finger(position, png, Provenance::attached("libfprint:FP-0002"))
}

/// A station with registrar `reg1` (fingers enrolled by supervisor `sup1`) and the supervisor's
/// session.
fn enrolled() -> (tempfile::TempDir, Station, Session) {
    let (dir, mut st, admin) = setup();
    add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    let positions = st
        .enroll_operator_fingers(
            &sup,
            "reg1",
            &[scanned(RightIndex, INDEX), scanned(LeftIndex, LEFT)],
            now(),
        )
        .unwrap();
    assert_eq!(positions, [RightIndex, LeftIndex]);
    (dir, st, sup)
}

fn account(st: &mut Station, sup: &Session, login: &str) -> crate::store::OperatorRow {
    st.operators(sup, now())
        .unwrap()
        .into_iter()
        .find(|o| o.login == login)
        .unwrap()
}

#[test]
fn an_operator_logs_in_with_an_enrolled_finger_and_not_with_someone_elses() {
    let (_dir, mut st, sup) = enrolled();
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.operator.as_deref(), e.subject.as_deref()),
        (Action::OperatorFingers, Some("sup1"), Some("reg1"))
    );
    assert_eq!(e.detail["positions"], "right-index,left-index");
    assert_eq!(account(&mut st, &sup, "reg1").fingers, 2);

    // Another impression of the enrolled right index, taken at another time, opens a session.
    let session = st
        .login_with_finger("reg1", &scanned(RightIndex, INDEX_AGAIN), None, now())
        .unwrap();
    assert_eq!((session.login(), session.role()), ("reg1", Role::Registrar));
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.detail["by"].as_str()),
        (Action::Login, Some("finger"))
    );

    // Someone else's finger is a failed attempt, counted like a wrong password.
    assert!(matches!(
        st.login_with_finger("reg1", &scanned(RightIndex, SOMEONE_ELSE), None, now()),
        Err(Error::BadCredentials)
    ));
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.detail["why"].as_str()),
        (Action::LoginFailed, Some("finger"))
    );
    assert_eq!(e.detail["attempt"], 1);
    // The password still works, and a finger with a wrong password does not.
    st.login("reg1", PASSWORD, now()).unwrap();
    assert!(matches!(
        st.login_with_finger(
            "reg1",
            &scanned(RightIndex, INDEX_AGAIN),
            Some("wrong"),
            now()
        ),
        Err(Error::BadCredentials)
    ));
}

#[test]
fn repeated_wrong_fingers_lock_the_account_out() {
    let (_dir, mut st, _) = enrolled();
    let threshold = st.config().security.lockout_threshold;
    for _ in 1..threshold {
        assert!(matches!(
            st.login_with_finger("reg1", &scanned(RightIndex, SOMEONE_ELSE), None, now()),
            Err(Error::BadCredentials)
        ));
    }
    assert!(matches!(
        st.login_with_finger("reg1", &scanned(RightIndex, SOMEONE_ELSE), None, now()),
        Err(Error::LockedOut { .. })
    ));
    // Locked out: even the right finger waits.
    assert!(matches!(
        st.login_with_finger("reg1", &scanned(RightIndex, INDEX_AGAIN), None, now()),
        Err(Error::LockedOut { .. })
    ));
}

#[test]
fn asupervisor_requires_finger_and_password() {
    let (_dir, mut st, sup) = enrolled();
    let reg = st.login("reg1", PASSWORD, now()).unwrap();
    // A registrar cannot require it of anyone, themself included.
    assert!(matches!(
        st.set_finger_required(&reg, "reg1", true, now()),
        Err(Error::PermissionDenied { .. })
    ));
    st.set_finger_required(&sup, "reg1", true, now()).unwrap();
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.subject.as_deref(), e.detail["on"].as_bool()),
        (Action::FingerRequired, Some("reg1"), Some(true))
    );

    // Now neither the password alone nor the finger alone opens a session.
    assert!(matches!(
        st.login("reg1", PASSWORD, now()),
        Err(Error::FingerRequired(l)) if l == "reg1"
    ));
    assert!(matches!(
        st.login_with_finger("reg1", &scanned(RightIndex, INDEX_AGAIN), None, now()),
        Err(Error::PasswordRequired(l)) if l == "reg1"
    ));
    let session = st
        .login_with_finger("reg1", &scanned(LeftIndex, LEFT), Some(PASSWORD), now())
        .unwrap();
    assert_eq!(session.login(), "reg1");
    assert_eq!(last_event(&st).detail["by"], "finger-and-password");
    // Refusals for a missing credential are not counted as wrong guesses.
    assert_eq!(account(&mut st, &sup, "reg1").failed_attempts, 0);

    st.set_finger_required(&sup, "reg1", false, now()).unwrap();
    st.login("reg1", PASSWORD, now()).unwrap();
}

#[test]
fn enrolment_needs_two_readable_fingers_from_a_trusted_scanner() {
    let (_dir, mut st, admin) = setup();
    add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    // Nothing enrolled: a finger login says so, and a requirement cannot be set.
    assert!(matches!(
        st.login_with_finger("reg1", &scanned(RightIndex, INDEX), None, now()),
        Err(Error::NoOperatorFingers(_))
    ));
    assert!(matches!(
        st.set_finger_required(&sup, "reg1", true, now()),
        Err(Error::NoOperatorFingers(_))
    ));
    // One finger, or the same finger twice, is not an enrolment.
    for fingers in [
        vec![scanned(RightIndex, INDEX)],
        vec![scanned(RightIndex, INDEX), scanned(RightIndex, INDEX_AGAIN)],
    ] {
        assert!(matches!(
            st.enroll_operator_fingers(&sup, "reg1", &fingers, now()),
            Err(Error::OperatorFingers(_))
        ));
    }
    // A blank image has no fingerprint.
    let blank = Capture::from_png(
        BiometricKind::Finger,
        Some(LeftIndex),
        tiny_png(255),
        Provenance::attached("libfprint:FP-0002"),
    )
    .unwrap();
    assert!(matches!(
        st.enroll_operator_fingers(&sup, "reg1", &[scanned(RightIndex, INDEX), blank], now()),
        Err(Error::NoFingerTemplate)
    ));
    // Simulated scanners are for training only.
    let simulated = [
        finger(RightIndex, INDEX, Provenance::simulated("sim:finger")),
        finger(LeftIndex, LEFT, Provenance::simulated("sim:finger")),
    ];
    assert!(matches!(
        st.enroll_operator_fingers(&sup, "reg1", &simulated, now()),
        Err(Error::Untrusted(_))
    ));
    // A registrar enrols their own fingers, but not another's.
    let reg = st.login("reg1", PASSWORD, now()).unwrap();
    add_operator(&mut st, &admin, "reg2", Role::Registrar);
    let two = [scanned(RightIndex, INDEX), scanned(LeftIndex, LEFT)];
    assert!(matches!(
        st.enroll_operator_fingers(&reg, "reg2", &two, now()),
        Err(Error::PermissionDenied { .. })
    ));
    st.enroll_operator_fingers(&reg, "reg1", &two, now())
        .unwrap();
    assert_eq!(account(&mut st, &sup, "reg1").fingers, 2);
}
