use super::*;
use crate::domain::Role;
use crate::hal::{Backend, DeviceInfo, ErrorKind};
use crate::station::tests::{PASSPHRASE, add_operator, at, draft, now, setup};

const DAY: i64 = 86_400;

/// An empty temporary directory with mode 0700, as the kiosk makes its data directory.
fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

fn status_of(report: &Report, name: &str) -> Status {
    report
        .check(name)
        .unwrap_or_else(|| panic!("no {name} check in {report:#?}"))
        .status
}

fn message_of<'a>(report: &'a Report, name: &str) -> &'a str {
    &report.check(name).expect("check present").message
}

fn device(kind: DeviceKind, state: DeviceState, error: Option<ErrorKind>) -> DeviceStatus {
    DeviceStatus {
        info: DeviceInfo {
            make: "kattoo".into(),
            model: format!("Simulated {}", kind.name()),
            serial: format!("SIM-{}", kind.name()),
            backend: Backend::Sim,
        },
        kind,
        state,
        last_error: error.map(|k| DeviceError::new(k, "scripted")),
    }
}

fn both_ready() -> DeviceScan {
    Ok(vec![
        device(DeviceKind::Camera, DeviceState::Ready, None),
        device(DeviceKind::FingerprintScanner, DeviceState::Ready, None),
    ])
}

/// A limit no disk meets, and one every disk meets.
fn limits(min_free_mib: u64) -> Limits {
    Limits {
        warn_free_mib: min_free_mib,
        min_free_mib,
        stale_days: 7,
    }
}

/// A station with one pending and one approved record, and central's recipient set, all at
/// [`now`]; examined `days_later`.
fn busy_station_examined(days_later: i64) -> Report {
    let (dir, mut st, admin) = setup();
    let reg = add_operator(&mut st, &admin, "reg1", Role::Registrar);
    let sup = add_operator(&mut st, &admin, "sup1", Role::Supervisor);
    st.enroll(&reg, draft(1), now()).unwrap();
    let approved = st.enroll(&reg, draft(2), now()).unwrap();
    st.approve(&sup, &[approved.to_string()], now()).unwrap();
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    st.set_batch_recipients(&admin, &[recipient], now())
        .unwrap();
    let data = st.data_dir().to_owned();
    drop(st);
    // USB devices only: the SBI trust check has its own test (`doctor::trust`).
    let mut config = Config::default();
    config.devices.backends = vec!["uvc".into()];
    let report = examine(
        &data,
        &config,
        Some(PASSPHRASE),
        Some(&|_: &Config| both_ready()),
        &limits(0),
        at(days_later * DAY),
    );
    drop(dir);
    report
}

#[test]
fn a_healthy_station_is_all_ok_and_every_check_has_a_name_in_order() {
    let report = busy_station_examined(1);
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "data-dir",
            "disk-space",
            "devices",
            "sbi-trust",
            "station",
            "database",
            "records",
            "audit-chain",
            "clock",
            "pending-approvals",
            "unexported-records",
            "interrupted-export",
            "batch-recipient"
        ]
    );
    assert_eq!(report.status, Status::Ok, "{report:#?}");
    assert_eq!(
        message_of(&report, "records"),
        "2 records and 24 biometrics verify"
    );
    assert!(message_of(&report, "station").starts_with("station KG1101 unlocked"));
}

#[test]
fn work_left_for_more_than_the_stale_days_is_a_warning() {
    let report = busy_station_examined(8);
    assert_eq!(status_of(&report, "pending-approvals"), Status::Warn);
    assert!(
        message_of(&report, "pending-approvals")
            .starts_with("1 record(s) wait for approval longer than 7 days (oldest KG1101-000001-"),
        "{report:#?}"
    );
    assert_eq!(status_of(&report, "unexported-records"), Status::Warn);
    assert!(message_of(&report, "unexported-records").contains("export a batch"));
    assert_eq!(report.status, Status::Warn);
    assert_eq!(report.count(Status::Fail), 0);
}

#[test]
fn a_clock_behind_the_newest_event_is_a_warning() {
    let report = busy_station_examined(-1);
    assert_eq!(status_of(&report, "clock"), Status::Warn, "{report:#?}");
    assert!(
        message_of(&report, "clock")
            .contains("earlier than the newest station event (2026-11-27T06:00:00Z)")
    );
    assert_eq!(report.status, Status::Warn);
}

#[test]
fn a_clock_before_kattoo_existed_is_a_warning_even_without_a_station() {
    let dir = tempfile::tempdir().unwrap();
    let report = examine(
        dir.path(),
        &Config::default(),
        None,
        Some(&|_: &Config| both_ready()),
        &limits(0),
        Timestamp::parse("2000-01-01T00:00:00Z").unwrap(),
    );
    assert_eq!(status_of(&report, "clock"), Status::Warn);
    assert!(
        message_of(&report, "clock")
            .starts_with("the clock reads 2000-01-01T00:00:00Z, before 2025-01-01T00:00:00Z")
    );
}

#[test]
fn no_station_yet_is_a_warning_and_the_database_checks_are_skipped() {
    let dir = private_dir();
    let report = examine(
        dir.path(),
        &Config::default(),
        Some(PASSPHRASE),
        Some(&|_: &Config| both_ready()),
        &limits(0),
        now(),
    );
    assert_eq!(status_of(&report, "station"), Status::Warn);
    assert_eq!(
        message_of(&report, "station"),
        "no station yet: run the kiosk to set it up (or `kattoo init`)"
    );
    for name in [
        "database",
        "records",
        "audit-chain",
        "pending-approvals",
        "unexported-records",
        "interrupted-export",
        "batch-recipient",
    ] {
        assert_eq!(status_of(&report, name), Status::Skip, "{name}");
    }
    assert_eq!(status_of(&report, "data-dir"), Status::Ok);
    assert_eq!(report.status, Status::Warn);
}

#[test]
fn without_a_passphrase_the_rest_still_runs() {
    let (_dir, st, _admin) = setup();
    let data = st.data_dir().to_owned();
    drop(st);
    let report = examine(
        &data,
        &Config::default(),
        None,
        Some(&|_: &Config| both_ready()),
        &limits(0),
        now(),
    );
    assert_eq!(status_of(&report, "station"), Status::Warn);
    assert!(
        message_of(&report, "station")
            .starts_with("database checks skipped: no station passphrase given")
    );
    assert_eq!(status_of(&report, "records"), Status::Skip);
    assert_eq!(status_of(&report, "data-dir"), Status::Ok);
    assert_eq!(status_of(&report, "disk-space"), Status::Ok);
}

#[test]
fn a_wrong_passphrase_fails() {
    let (_dir, st, _admin) = setup();
    let data = st.data_dir().to_owned();
    drop(st);
    let report = examine(
        &data,
        &Config::default(),
        Some("not the passphrase"),
        None,
        &limits(0),
        now(),
    );
    assert_eq!(status_of(&report, "station"), Status::Fail);
    assert!(message_of(&report, "station").starts_with("wrong station passphrase"));
    assert_eq!(status_of(&report, "devices"), Status::Skip);
    assert_eq!(report.status, Status::Fail);
}

#[cfg(unix)]
#[test]
fn a_data_directory_others_can_read_fails() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let report = examine(
        dir.path(),
        &Config::default(),
        None,
        None,
        &limits(0),
        now(),
    );
    assert_eq!(status_of(&report, "data-dir"), Status::Fail);
    assert!(message_of(&report, "data-dir").contains("has mode 0755"));
    assert!(
        message_of(&report, "data-dir")
            .ends_with(&format!("run `chmod 700 {}`", dir.path().display()))
    );
}

#[test]
fn a_missing_data_directory_is_a_warning_and_a_file_in_its_place_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("station");
    let report = examine(&missing, &Config::default(), None, None, &limits(0), now());
    assert_eq!(status_of(&report, "data-dir"), Status::Warn);
    assert_eq!(
        status_of(&report, "disk-space"),
        Status::Ok,
        "measured on the parent"
    );
    std::fs::write(&missing, b"not a directory").unwrap();
    let report = examine(&missing, &Config::default(), None, None, &limits(0), now());
    assert_eq!(status_of(&report, "data-dir"), Status::Fail);
}

#[test]
fn free_space_below_the_limits_warns_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let free = free_space(dir.path()).unwrap().available / (1024 * 1024);
    let check = |warn_free_mib, min_free_mib| {
        let limits = Limits {
            warn_free_mib,
            min_free_mib,
            stale_days: 7,
        };
        host::disk_space(dir.path(), &limits).status
    };
    assert_eq!(check(0, 0), Status::Ok);
    assert_eq!(check(free + 1_000_000, 0), Status::Warn);
    assert_eq!(check(free + 1_000_000, free + 1_000_000), Status::Fail);
    assert_eq!(
        check(0, free + 1_000_000),
        Status::Fail,
        "the minimum also raises the warning limit"
    );
}

#[test]
fn devices_missing_in_use_and_misconfigured() {
    let config = Config::default();
    let none = devices_check(&config, Ok(vec![]));
    assert_eq!(none.status, Status::Warn);
    assert!(
        none.message
            .starts_with("no camera found (backends: uvc, sbi): plug it in"),
        "{}",
        none.message
    );
    assert!(
        none.message
            .contains("; no scanner found (backends: uvc, sbi)")
    );

    let ok = devices_check(&config, both_ready());
    assert_eq!(ok.status, Status::Ok);
    assert_eq!(
        ok.message,
        "camera: kattoo Simulated camera (sim:SIM-camera); scanner: kattoo Simulated scanner (sim:SIM-scanner)"
    );

    let held = devices_check(
        &config,
        Ok(vec![
            device(
                DeviceKind::Camera,
                DeviceState::Missing,
                Some(ErrorKind::Busy),
            ),
            device(
                DeviceKind::FingerprintScanner,
                DeviceState::Missing,
                Some(ErrorKind::Disconnected),
            ),
        ]),
    );
    assert_eq!(held.status, Status::Warn);
    assert!(held.message.starts_with("camera: kattoo Simulated camera (sim:SIM-camera), in use; no scanner found (backends: uvc, sbi): scripted:"), "{}", held.message);

    let bad = devices_check(
        &config,
        Err(DeviceError::new(
            ErrorKind::NotSupported,
            "unknown device backend \"usb\"",
        )),
    );
    assert_eq!(bad.status, Status::Fail);
}

#[test]
fn skipped_checks_do_not_lower_or_raise_the_result() {
    let report = Report::new(
        Path::new("/x"),
        vec![
            Check::new("a", Status::Skip, ""),
            Check::new("b", Status::Ok, ""),
        ],
    );
    assert_eq!(report.status, Status::Ok);
    let only_skips = Report::new(Path::new("/x"), vec![Check::new("a", Status::Skip, "")]);
    assert_eq!(only_skips.status, Status::Ok);
}

#[test]
fn the_json_form_names_status_in_lowercase() {
    let report = Report::new(
        Path::new("/x"),
        vec![Check::new("clock", Status::Warn, "m")],
    );
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::json!({
            "status": "warn",
            "data_dir": "/x",
            "checks": [{"name": "clock", "status": "warn", "message": "m"}]
        })
    );
}

/// As root (CI runs as root), a data directory of another user: doctor warns and keeps its hands
/// off the database, which would otherwise gain files that user cannot write. A non-root user
/// cannot give a directory away, so elsewhere there is nothing to set up and nothing is asserted.
#[cfg(unix)]
#[test]
fn another_users_data_directory_is_not_opened() {
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: cannot make a directory of another user");
        return;
    }
    let (_dir, st, _admin) = setup();
    let data = st.data_dir().to_owned();
    drop(st);
    std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
    let report = examine(
        &data,
        &Config::default(),
        Some(PASSPHRASE),
        None,
        &limits(0),
        now(),
    );
    assert_eq!(status_of(&report, "data-dir"), Status::Warn);
    let expected_fix = format!("env KATTOO_DATA_DIR={} kattoo doctor)", data.display());
    assert!(
        message_of(&report, "data-dir").contains(&expected_fix),
        "{report:#?}"
    );
    assert_eq!(status_of(&report, "station"), Status::Warn);
    assert!(
        message_of(&report, "station")
            .starts_with("database checks skipped: the data directory belongs to")
    );
    assert_eq!(status_of(&report, "records"), Status::Skip);
    assert!(
        !data.join("kattoo.db-wal").exists(),
        "the database was not opened"
    );
}

#[test]
fn devices_are_looked_for_with_the_backends_the_station_chose() {
    let (_dir, mut st, admin) = setup();
    st.set_device_backends(&admin, &["sim".to_owned()], now())
        .unwrap();
    st.set_training(&admin, true, now()).unwrap();
    let data = st.data_dir().to_owned();
    drop(st);
    let seen = std::cell::RefCell::new(Vec::new());
    let scanner = |config: &Config| {
        seen.borrow_mut().push(config.devices.backends.clone());
        both_ready()
    };
    let report = examine(
        &data,
        &Config::default(),
        Some(PASSPHRASE),
        Some(&scanner),
        &limits(0),
        now(),
    );
    assert_eq!(
        *seen.borrow(),
        [["sim"]],
        "the stored choice, not the file's uvc and sbi"
    );
    assert_eq!(
        message_of(&report, "station"),
        "station KG1101 unlocked (training mode: nothing is exported)"
    );

    // Without the passphrase the stored choice is unknown: the file's backends are used.
    seen.borrow_mut().clear();
    examine(
        &data,
        &Config::default(),
        None,
        Some(&scanner),
        &limits(0),
        now(),
    );
    assert_eq!(*seen.borrow(), [["uvc", "sbi"]]);
}
