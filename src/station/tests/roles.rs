//! Roles: who may do what, and every refusal audited.

use super::*;

#[test]
fn a_registrar_is_refused_supervisor_work_and_each_refusal_is_audited() {
    let (_dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let id = st.enroll(&reg, draft(1), now()).unwrap();
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
            .store
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
    assert!(st.store.db().operator("reg2").unwrap().is_none());
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
    assert!(st.store.db().operator("boss").unwrap().is_none());
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
