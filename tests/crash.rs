//! Crash safety: a child `kattoo enroll --manifest` saving enrollments is killed with SIGKILL at
//! random moments. Every id the child printed (it prints only after the commit) must still be in
//! the store, the database must pass `PRAGMA integrity_check`, and at the end every record and the
//! audit chain must verify. The same for `kattoo export` in [`export`], and for `kattoo init` and
//! `kattoo central import` in [`setup_import`].

mod export;
mod setup_import;

use crate::util::raw_store;
use kattoo::config::Config;
use kattoo::station::Station;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const PASSPHRASE: &str = "crash test passphrase";
const CYCLES: u64 = 50;
const PER_CYCLE: u64 = 40;

/// A small deterministic generator (xorshift64*), seeded per run and printed for replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn kattoo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kattoo"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("KATTOO_DATA_DIR", dir)
        .env("KATTOO_BACK_FILL", "true")
        .env("KATTOO_SEARCH_DUPLICATES", "false")
        .env("KATTOO_PASSPHRASE", PASSPHRASE)
        .env("KATTOO_LOG_STDERR_LEVEL", "error");
    c
}

fn run_ok(mut c: Command) {
    let out = c.output().expect("kattoo runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A valid female PIN for 14 March 1990 with serial `n`.
fn pin(n: u64) -> String {
    format!("114031990{n:05}")
}

/// Writes `count` enrollments (distinct PINs from `first`) as a manifest; returns its path.
fn manifest(work: &Path, cycle: u64, first: u64, count: u64) -> std::path::PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let person: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("people/aigul.json")).unwrap())
            .unwrap();
    let fingers: serde_json::Map<String, serde_json::Value> = [
        "right-thumb",
        "right-index",
        "right-middle",
        "right-ring",
        "right-little",
        "left-thumb",
        "left-index",
        "left-middle",
        "left-ring",
    ]
    .iter()
    .enumerate()
    .map(|(i, name)| {
        (
            name.to_string(),
            fixtures
                .join(format!("fingers/{}_1.png", 101 + i))
                .display()
                .to_string()
                .into(),
        )
    })
    .collect();
    let dir = work.join(format!("cycle-{cycle}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut lines = String::new();
    for n in first..first + count {
        let mut p = person.clone();
        p["pin"] = pin(n).into();
        let file = dir.join(format!("person-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(&p).unwrap()).unwrap();
        let line = serde_json::json!({
            "demographics": file,
            "photo": fixtures.join("faces/astronaut.png"),
            "fingers": fingers,
            "missing": {"left-little": "amputated"},
            "exception_photos": {"left-little": fixtures.join("faces/astronaut.png")},
            "signature": fixtures.join("signature.png"),
        });
        lines += &format!("{line}\n");
    }
    let path = dir.join("manifest.jsonl");
    std::fs::write(&path, lines).unwrap();
    path
}

/// `kattoo init` of a station in `data`, its admin `admin` with password `admin-password`.
pub(super) fn init_command(data: &Path) -> Command {
    let mut c = kattoo(data);
    c.env("KATTOO_NEW_PASSWORD", "admin-password").args([
        "init",
        "--station-id",
        "KG1101",
        "--name",
        "Crash",
        "--region",
        "chui",
        "--precinct",
        "1101",
        "--admin",
        "admin",
    ]);
    c
}

/// A station made by `kattoo init` in `data`.
fn new_station(data: &Path) {
    run_ok(init_command(data));
}

/// The random seed of a run: `KATTOO_CRASH_SEED`, or the clock; printed for replay.
fn seed() -> u64 {
    let seed = std::env::var("KATTOO_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test seed: {seed} (set KATTOO_CRASH_SEED to replay)");
    seed
}

/// Runs `kattoo enroll --manifest` over `path` until its first record commits (its first line
/// on stdout), then kills it: the time that took, and the ids it printed.
fn time_to_first_commit(data: &Path, path: &Path) -> (Duration, Vec<String>) {
    let start = std::time::Instant::now();
    let mut child = kattoo(data)
        .env("KATTOO_OPERATOR_PASSWORD", "registrar-password")
        .args(["enroll", "--operator", "reg1", "--manifest"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut r = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let took = start.elapsed();
    assert!(line.ends_with('\n'), "the calibration run printed no id");
    child.kill().ok();
    child.wait().unwrap();
    (took, vec![line.trim().to_owned()])
}

#[test]
fn sigkill_during_enrollment_loses_no_committed_record() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("station");
    new_station(&data);
    let mut add = kattoo(&data);
    add.env("KATTOO_NEW_PASSWORD", "registrar-password")
        .env("KATTOO_OPERATOR_PASSWORD", "admin-password")
        .args([
            "operator",
            "add",
            "reg1",
            "--role",
            "registrar",
            "--operator",
            "admin",
        ]);
    run_ok(add);
    let mut rng = Rng(seed());
    let mut committed: Vec<String> = Vec::new();
    let mut killed_mid_run = 0;
    // How long the first commit takes here (a record from files runs the kiosk's workflow:
    // face checks, finger quality), measured, so the kills land around it on a slow or busy
    // machine as on a fast one.
    let (first_commit, ids) = time_to_first_commit(
        &data,
        &manifest(work.path(), CYCLES, CYCLES * PER_CYCLE, PER_CYCLE),
    );
    committed.extend(ids);
    let window = (first_commit.as_millis() as u64 * 5 / 2).max(2500);
    eprintln!("crash test: first commit after {first_commit:?}, kills within {window} ms");

    for cycle in 0..CYCLES {
        let path = manifest(work.path(), cycle, cycle * PER_CYCLE, PER_CYCLE);
        let mut child = kattoo(&data)
            .env("KATTOO_OPERATOR_PASSWORD", "registrar-password")
            .args(["enroll", "--operator", "reg1", "--manifest"])
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            // Only whole lines count: a line is printed after its record committed.
            let mut ids = Vec::new();
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if line.ends_with('\n') {
                    ids.push(line.trim().to_owned());
                }
                line.clear();
            }
            ids
        });
        std::thread::sleep(Duration::from_millis(50 + rng.next() % window));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        let ids = reader.join().unwrap();

        let station = Station::open(&data, PASSPHRASE, Config::default()).unwrap_or_else(|e| {
            panic!("cycle {cycle}: the station does not open after SIGKILL: {e}")
        });
        assert_eq!(
            station.integrity_check(),
            Ok(()),
            "cycle {cycle}: integrity_check"
        );
        for id in &ids {
            assert!(
                raw_store(&data, PASSPHRASE)
                    .db()
                    .record(id)
                    .unwrap()
                    .is_some(),
                "cycle {cycle}: {id} was reported committed but is gone"
            );
        }
        committed.extend(ids);
    }

    let station = Station::open(&data, PASSPHRASE, Config::default()).unwrap();
    let report = station.verify_all().unwrap();
    assert!(report.ok(), "after the crash cycles: {report:?}");
    for id in &committed {
        assert!(
            raw_store(&data, PASSPHRASE)
                .db()
                .record(id)
                .unwrap()
                .is_some(),
            "{id} lost"
        );
    }
    assert!(report.records_checked >= committed.len() as u64);
    eprintln!(
        "crash test: {CYCLES} cycles, {killed_mid_run} killed while running, {} records reported committed, {} in store",
        committed.len(),
        report.records_checked
    );
    assert!(
        killed_mid_run > 0,
        "no child was killed mid-run: the test proved nothing"
    );
    assert!(
        !committed.is_empty(),
        "no child committed anything: the test proved nothing"
    );
}
