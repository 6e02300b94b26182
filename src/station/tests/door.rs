//! The station is the only door: reset passwords, setup over a station, typed logins.

use super::*;

#[test]
fn a_reset_password_blocks_everything_but_changing_it() {
    let (_dir, mut st, admin) = setup();
    let _ = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    st.reset_password(&admin, "reg1", "temporary-pass-1", now())
        .unwrap();
    let reg = st.login("reg1", "temporary-pass-1", now()).unwrap();
    assert!(reg.must_change_password());
    let before = audit_len(&st);
    assert!(matches!(
        st.enroll(&reg, draft(1), now()),
        Err(Error::PasswordChangeRequired(login)) if login == "reg1"
    ));
    assert!(matches!(
        st.records(&reg, &RecordFilter::default(), now()),
        Err(Error::PasswordChangeRequired(_))
    ));
    assert_eq!(audit_len(&st), before + 2, "each refusal is audited");
    assert_eq!(last_event(&st).action, Action::Refusal);
    // Setting the supervisor's password again is not a change.
    assert!(matches!(
        st.reset_password(&reg, "reg1", "temporary-pass-1", now()),
        Err(Error::PasswordUnchanged)
    ));
    // Changing one's own password is the one thing allowed; then the same session works.
    st.reset_password(&reg, "reg1", "my-own-password-1", now())
        .unwrap();
    st.enroll(&reg, draft(1), now()).unwrap();
    // The session read again says so; the kiosk goes home with it.
    assert!(reg.must_change_password());
    assert!(!st.session_again(&reg).unwrap().must_change_password());
}

#[test]
fn init_never_overwrites_a_station() {
    let (dir, st, _admin) = setup();
    let data = st.data_dir().to_owned();
    drop(st);
    let kdf = std::fs::read(data.join(KDF_FILE)).unwrap();
    let db = std::fs::read(data.join(DB_FILE)).unwrap();
    match Station::init(&data, PASSPHRASE, &station_setup(), test_config(), now()) {
        Err(Error::StationExists(_, name)) => assert_eq!(name, DB_FILE),
        other => panic!("expected StationExists, got {:?}", other.err()),
    }
    assert_eq!(std::fs::read(data.join(KDF_FILE)).unwrap(), kdf);
    assert_eq!(std::fs::read(data.join(DB_FILE)).unwrap(), db);

    // A kdf.json alone (a half-copied station, say) is refused too, and left byte for byte.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(KDF_FILE), &kdf).unwrap();
    match Station::init(&other, PASSPHRASE, &station_setup(), test_config(), now()) {
        Err(Error::StationExists(_, name)) => assert_eq!(name, KDF_FILE),
        other => panic!("expected StationExists, got {:?}", other.err()),
    }
    assert_eq!(std::fs::read(other.join(KDF_FILE)).unwrap(), kdf);
    assert!(!other.join(DB_FILE).exists());
}

#[test]
fn an_init_cut_between_its_two_moves_is_completed_on_unlock() {
    let (_dir, st, _admin) = setup();
    let data = st.data_dir().to_owned();
    drop(st);
    // As if the power went after the database was moved into place, before kdf.json was.
    std::fs::rename(
        data.join(KDF_FILE),
        data.join(format!("{KDF_FILE}.partial")),
    )
    .unwrap();
    assert!(matches!(
        Station::init(&data, PASSPHRASE, &station_setup(), test_config(), now()),
        Err(Error::StationExists(..))
    ));
    let st = Station::open(&data, PASSPHRASE, test_config()).unwrap();
    assert!(data.join(KDF_FILE).exists());
    assert!(st.verify_all().unwrap().ok());
}

#[test]
fn typed_logins_reach_the_audit_chain_only_when_they_exist() {
    let (_dir, mut st, _admin) = setup();
    let typed_password = "my secret password!";
    assert!(matches!(
        st.login(typed_password, "x", now()),
        Err(Error::MalformedLogin)
    ));
    assert!(matches!(
        st.login("nobody", "x", now()),
        Err(Error::BadCredentials)
    ));
    let rows: Vec<Event> = events(&st).into_iter().rev().take(2).collect();
    for e in &rows {
        assert_eq!(e.action, Action::LoginFailed);
        assert_eq!(e.subject, None, "what was typed is not written");
    }
    assert_eq!(rows[0].detail["why"], "unknown-login");
    assert_eq!(rows[1].detail["why"], "malformed-login");
    let raw: Vec<u8> = st
        .store
        .db()
        .audit_rows(1, u64::MAX >> 1)
        .unwrap()
        .into_iter()
        .flat_map(|r| r.event)
        .collect();
    assert!(!String::from_utf8_lossy(&raw).contains("secret"));
}
