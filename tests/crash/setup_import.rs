//! Crash safety of `kattoo init` and `kattoo central import`: each is killed with SIGKILL at
//! random moments. Afterwards there is either nothing (and running it again works) or all of it:
//! a station that opens, verifies and logs its admin in; a batch whose every record and
//! biometric is at central.

use super::{PASSPHRASE, Rng, init_command, kattoo, new_station, run_ok, seed};
use kattoo::config::Config;
use kattoo::station::Station;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills per command: each costs a few seconds of key derivation.
const CYCLES: u32 = 25;

/// Runs `c` and kills it after a random part of `window`; whether it was still running.
fn kill_within(mut c: Command, rng: &mut Rng, window: Duration) -> bool {
    let mut child = c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ms = (window.as_millis() as u64).max(1);
    std::thread::sleep(Duration::from_millis(rng.next() % ms));
    let running = child.try_wait().unwrap().is_none();
    child.kill().ok(); // SIGKILL on Unix
    child.wait().unwrap();
    running
}

/// A station that opens must be whole: sound, verified, its admin able to log in.
fn check_whole(data: &Path, cycle: u32) {
    let mut station = Station::open(data, PASSPHRASE, Config::default())
        .unwrap_or_else(|e| panic!("cycle {cycle}: a station that exists does not open: {e}"));
    assert_eq!(station.integrity_check(), Ok(()), "cycle {cycle}");
    assert!(station.verify_all().unwrap().ok(), "cycle {cycle}");
    station
        .login("admin", "admin-password", kattoo::domain::Timestamp::now())
        .unwrap_or_else(|e| panic!("cycle {cycle}: the admin cannot log in: {e}"));
}

#[test]
fn sigkill_during_init_leaves_no_station_or_a_whole_one_and_init_runs_again() {
    let work = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed());
    let start = Instant::now();
    new_station(&work.path().join("measure"));
    let window = start.elapsed() * 6 / 5;
    let (mut killed_mid_run, mut whole) = (0, 0);
    for cycle in 0..CYCLES {
        let data = work.path().join(format!("station-{cycle}"));
        killed_mid_run += u32::from(kill_within(init_command(&data), &mut rng, window));
        if data.join(kattoo::station::DB_FILE).exists() {
            whole += 1;
        } else {
            // Nothing usable: init again in the same directory, over whatever the kill left.
            run_ok(init_command(&data));
        }
        check_whole(&data, cycle);
    }
    eprintln!(
        "init crash test: {CYCLES} cycles over {window:?}, {killed_mid_run} killed while running, {whole} left a whole station"
    );
    assert!(
        killed_mid_run > CYCLES / 4,
        "only {killed_mid_run} of {CYCLES} inits were killed while running"
    );
}

const CENTRAL_PASSPHRASE: &str = "central crash passphrase";

/// Rows in `table` of central's encrypted database at `db`.
fn rows(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "key", CENTRAL_PASSPHRASE).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn sigkill_during_central_import_leaves_the_batch_out_or_all_in_and_a_rerun_completes() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("station");
    let usb = work.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    new_station(&data);
    let central = |db: &Path, args: &[&str]| {
        let mut c = kattoo(&data);
        c.env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE)
            .arg("central")
            .arg("--db")
            .arg(db)
            .args(args);
        c
    };
    let template = work.path().join("template.sqlite");
    let out = central(&template, &["init"]).output().unwrap();
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap();
    let mut set = kattoo(&data);
    set.env("KATTOO_OPERATOR_PASSWORD", "admin-password").args([
        "batch",
        "set-recipient",
        recipient.trim(),
        "--operator",
        "admin",
    ]);
    run_ok(set);
    super::export::enroll_approved(&data, 1, kattoo::domain::Timestamp::now());
    let mut export = kattoo(&data);
    export
        .env("KATTOO_OPERATOR_PASSWORD", "admin-password")
        .args(["export", "--operator", "admin", "--to"])
        .arg(&usb);
    run_ok(export);
    let file = std::fs::read_dir(&usb)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cert = work.path().join("station.json");
    let station = Station::open(&data, PASSPHRASE, Config::default()).unwrap();
    std::fs::write(&cert, station.certificate().unwrap().1).unwrap();
    drop(station);
    run_ok(central(&template, &["add-station", cert.to_str().unwrap()]));

    let import = |db: &Path| central(db, &["import", file.to_str().unwrap()]);
    let measure = work.path().join("measure.sqlite");
    std::fs::copy(&template, &measure).unwrap();
    let start = Instant::now();
    run_ok(import(&measure));
    let window = start.elapsed() * 6 / 5;
    let (records, biometrics) = (rows(&measure, "records"), rows(&measure, "biometrics"));
    assert!(records > 0 && biometrics > 0);

    let mut rng = Rng(seed());
    let (mut killed_mid_run, mut all_in) = (0, 0);
    for cycle in 0..CYCLES {
        let db = work.path().join(format!("central-{cycle}.sqlite"));
        std::fs::copy(&template, &db).unwrap();
        killed_mid_run += u32::from(kill_within(import(&db), &mut rng, window));
        let seen = (
            rows(&db, "batches"),
            rows(&db, "records"),
            rows(&db, "biometrics"),
        );
        assert!(
            seen == (0, 0, 0) || seen == (1, records, biometrics),
            "cycle {cycle}: half an import: (batches, records, biometrics) = {seen:?}"
        );
        all_in += u32::from(seen.0 == 1);
        // Importing again completes it, or finds it done.
        run_ok(import(&db));
        assert_eq!(
            (
                rows(&db, "batches"),
                rows(&db, "records"),
                rows(&db, "biometrics")
            ),
            (1, records, biometrics),
            "cycle {cycle}: after the rerun"
        );
    }
    eprintln!(
        "central import crash test: {CYCLES} cycles over {window:?}, {killed_mid_run} killed while running, {all_in} had imported everything"
    );
    assert!(
        killed_mid_run > CYCLES / 4,
        "only {killed_mid_run} of {CYCLES} imports were killed while running"
    );
}
