//! `kattoo doctor`: healthy and broken stations, exact exit codes, the JSON fields and the table.
//! Damage is done the way an attacker or a failing disk would: straight into the SQLCipher file.

use super::*;
use crate::util::Kiosk;
use serde_json::Value;

/// Every check, in report order.
const CHECKS: [&str; 13] = [
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
    "batch-recipient",
];

/// A staffed station with simulated devices, central's recipient set and one approved record.
fn healthy() -> (Kiosk, String) {
    let kiosk = staffed();
    std::fs::write(
        kiosk.data.join("config.toml"),
        "[devices]\nbackends = [\"sim\"]\n",
    )
    .unwrap();
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    kiosk
        .admin(&["batch", "set-recipient", &recipient])
        .assert()
        .success();
    let id = kiosk.enroll(REG, REG_PASSWORD, &fixture("people/aigul.json"));
    kiosk
        .as_op(SUP_PASSWORD)
        .args(["approve", &id, "--operator", SUP])
        .assert()
        .success();
    (kiosk, id)
}

/// `kattoo doctor --json` plus `extra`, with free-space limits of 1 MiB (every test machine
/// meets them) unless `extra` sets them.
fn doctor(kiosk: &Kiosk, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = kiosk.cmd();
    cmd.args(["doctor", "--json"]).args(extra);
    for limit in ["--warn-free-mb", "--min-free-mb"] {
        if !extra.contains(&limit) {
            cmd.args([limit, "1"]);
        }
    }
    cmd
}

/// Runs `cmd`, expects exit status `code`, and returns the JSON report.
fn report_of(mut cmd: assert_cmd::Command, code: u8) -> Value {
    let out = cmd.assert().code(i32::from(code));
    serde_json::from_str(&stdout(&out)).expect("doctor --json prints JSON")
}

/// `(status, message)` of the check called `name`.
fn check<'a>(report: &'a Value, name: &str) -> (&'a str, &'a str) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report:#}"));
    (
        c["status"].as_str().unwrap(),
        c["message"].as_str().unwrap(),
    )
}

/// Runs `sql` with `params` on the station database, unlocked with the fixture passphrase.
fn tamper(kiosk: &Kiosk, sql: &str, params: impl rusqlite::Params) {
    let conn = crate::util::raw_connection(&kiosk.data, PASSPHRASE);
    assert_eq!(conn.execute(sql, params).unwrap(), 1, "{sql}");
}

#[test]
fn a_healthy_station_passes_every_check() {
    let (kiosk, _) = healthy();
    let report = report_of(doctor(&kiosk, &[]), 0);
    assert_eq!(report["status"], "ok", "{report:#}");
    assert_eq!(report["data_dir"], kiosk.data.display().to_string());
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(
                c.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["message", "name", "status"]
            );
            assert_eq!(c["status"], "ok", "{c}");
            c["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(names, CHECKS);
    assert_eq!(
        check(&report, "records").1,
        "1 records and 12 biometrics verify"
    );
    assert_eq!(
        check(&report, "devices").1,
        "camera: kattoo Simulated camera (sim:SIM-CAM-1); scanner: kattoo Simulated scanner (sim:SIM-FP-1)"
    );
}

#[test]
fn the_table_says_what_to_fix_and_never_names_a_citizen() {
    let (kiosk, id) = healthy();
    let out = kiosk
        .cmd()
        .args(["doctor", "--warn-free-mb", "1", "--min-free-mb", "1"])
        .assert()
        .code(0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + CHECKS.len() + 1, "{text}");
    assert_eq!(lines[0], "CHECK               STATUS  DETAILS");
    for (line, name) in lines[1..].iter().zip(CHECKS) {
        assert!(line.starts_with(&format!("{name:<18}  OK      ")), "{line}");
    }
    assert_eq!(
        lines[lines.len() - 1],
        format!("all checks passed for {}", kiosk.data.display())
    );
    let person: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("people/aigul.json")).unwrap())
            .unwrap();
    for secret in ["surname", "given_name", "pin"] {
        let value = person[secret].as_str().unwrap();
        assert!(!text.contains(value), "{secret} printed");
    }
    assert!(
        !text.contains(&id),
        "nothing is wrong with the record, so it is not named"
    );
}

#[test]
fn a_data_directory_others_can_read_fails_with_the_fix() {
    let (kiosk, _) = healthy();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kiosk.data, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let report = report_of(doctor(&kiosk, &[]), exit::VERIFY);
    assert_eq!(report["status"], "fail");
    assert_eq!(
        check(&report, "data-dir"),
        (
            "fail",
            format!(
                "{0} has mode 0755: other users can reach the station files; run `chmod 700 {0}`",
                kiosk.data.display()
            )
            .as_str()
        )
    );
    assert_eq!(check(&report, "records").0, "ok", "the rest still runs");
}

#[test]
fn a_tampered_record_fails_and_is_named() {
    let (kiosk, id) = healthy();
    tamper(
        &kiosk,
        "UPDATE records SET record_json = CAST(replace(CAST(record_json AS TEXT), 'ID1234567', 'ID2234567') AS BLOB) WHERE registration_id = ?1",
        [&id],
    );
    let report = report_of(doctor(&kiosk, &[]), exit::VERIFY);
    let (status, message) = check(&report, "records");
    assert_eq!(status, "fail");
    assert!(
        message.starts_with(&format!(
            "1 problem(s) in 1 records ({id}: signature: signature does not verify): the station data was altered"
        )),
        "{message}"
    );
    assert_eq!(check(&report, "audit-chain").0, "ok");
    assert_eq!(check(&report, "database").0, "ok");
}

#[test]
fn a_broken_audit_chain_fails_and_names_the_row() {
    let (kiosk, _) = healthy();
    tamper(
        &kiosk,
        "UPDATE audit SET event = CAST(replace(CAST(event AS TEXT), '\"admin\"', '\"admim\"') AS BLOB) WHERE seq = 2",
        rusqlite::params![],
    );
    let report = report_of(doctor(&kiosk, &[]), exit::VERIFY);
    assert_eq!(
        check(&report, "audit-chain"),
        (
            "fail",
            "audit row 2: content does not match its hash (the row was edited): the audit log was altered; \
             do not export, keep the laptop as it is and call support"
        )
    );
    assert_eq!(check(&report, "records").0, "ok");
}

#[test]
fn a_full_disk_fails() {
    let (kiosk, _) = healthy();
    let report = report_of(
        doctor(&kiosk, &["--min-free-mb", "1000000000"]),
        exit::VERIFY,
    );
    let (status, message) = check(&report, "disk-space");
    assert_eq!(status, "fail");
    assert!(
        message
            .contains(" MiB, below the minimum of 1000000000 MiB: the next enrollment may not fit"),
        "{message}"
    );
    let report = report_of(
        doctor(&kiosk, &["--warn-free-mb", "1000000000"]),
        exit::DOCTOR_WARNINGS,
    );
    assert_eq!(check(&report, "disk-space").0, "warn");
}

#[test]
fn without_the_passphrase_the_database_checks_are_skipped_with_a_warning() {
    let (kiosk, _) = healthy();
    let mut cmd = doctor(&kiosk, &[]);
    cmd.env_remove("KATTOO_PASSPHRASE");
    let report = report_of(cmd, exit::DOCTOR_WARNINGS);
    assert_eq!(report["status"], "warn");
    let (status, message) = check(&report, "station");
    assert_eq!(status, "warn");
    assert!(message.starts_with("database checks skipped: no station passphrase given"));
    for name in [
        "database",
        "records",
        "audit-chain",
        "pending-approvals",
        "unexported-records",
        "interrupted-export",
        "batch-recipient",
    ] {
        assert_eq!(check(&report, name).0, "skip", "{name}");
    }
    assert_eq!(check(&report, "devices").0, "ok");

    let mut cmd = doctor(&kiosk, &[]);
    cmd.env("KATTOO_PASSPHRASE", "not the station passphrase");
    let report = report_of(cmd, exit::VERIFY);
    assert_eq!(check(&report, "station").0, "fail");
}

#[test]
fn a_fresh_data_directory_has_no_station_yet() {
    let kiosk = Kiosk::new();
    std::fs::create_dir(&kiosk.data).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kiosk.data, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let report = report_of(doctor(&kiosk, &["--no-devices"]), exit::DOCTOR_WARNINGS);
    assert_eq!(
        check(&report, "station"),
        (
            "warn",
            "no station yet: run the kiosk to set it up (or `kattoo init`)"
        )
    );
    assert_eq!(
        check(&report, "devices"),
        ("skip", "not looked at (--no-devices)")
    );
    assert_eq!(check(&report, "data-dir").0, "ok");
    assert_eq!(report["status"], "warn");
}

#[test]
fn kattoo_config_names_the_configuration_file() {
    let (kiosk, _) = healthy();
    std::fs::remove_file(kiosk.data.join("config.toml")).unwrap();
    let config = kiosk.path("etc-config.toml");
    std::fs::write(&config, "[devices]\nbackends = [\"sim\"]\n").unwrap();
    let mut cmd = doctor(&kiosk, &[]);
    cmd.env("KATTOO_CONFIG", &config);
    report_of(cmd, 0);

    let mut cmd = doctor(&kiosk, &[]);
    cmd.env("KATTOO_CONFIG", kiosk.path("missing.toml"));
    cmd.assert()
        .code(i32::from(exit::FAILURE))
        .stdout("")
        .stderr(
            predicate::str::contains("cannot read").and(predicate::str::contains("missing.toml")),
        );
}
