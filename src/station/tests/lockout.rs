//! Lockout: failed logins, lockouts that grow, and unlocking.

use super::*;

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
    let row = st.store.db().operator("reg1").unwrap().unwrap();
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
        st.enroll(&reg, draft(1), now()),
        Err(Error::AccountLocked(_))
    ));
    assert_eq!(audit_len(&st), before + 1);
    let e = last_event(&st);
    assert_eq!(
        (e.action, e.operator.as_deref()),
        (Action::Refusal, Some("reg1"))
    );
    assert_eq!(st.store.db().last_sequence().unwrap(), 0);

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
        Err(Error::OwnAccount(_))
    ));
}
