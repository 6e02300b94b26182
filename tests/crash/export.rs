//! Crash safety of the export: a child `kattoo export` is killed with SIGKILL at random moments,
//! cycle after cycle, while new records wait. After every kill the station opens, passes
//! `integrity_check`, and every batch it recorded (its records marked exported) is on the
//! medium, byte for byte. At the end the remaining exports complete, and central imports every
//! batch on the medium: each record exactly once, while a partial file left by a kill is refused
//! and changes nothing.

use super::{CYCLES, PASSPHRASE, Rng, kattoo, new_station, run_ok, seed};
use crate::util::raw_store;
use kattoo::batch::{self, DirMedium};
use kattoo::central::{Central, CentralKey, ImportOutcome, SqliteCentral};
use kattoo::config::Config;
use kattoo::domain::{BiometricKind, Capture, CitizenInput, FingerPosition, Provenance, Timestamp};
use kattoo::station::{EnrollmentDraft, Error as StationError, Station};
use kattoo::store::RecordStatus;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Records approved before each export: enough biometric bytes that the kill lands in the
/// writing, syncing and read-back as often as in the start-up.
const PER_CYCLE: u32 = 3;

/// A `side`×`side` gray PNG of noise from `seed`: incompressible, so its bytes are real work.
fn noise_png(seed: u64, side: u32) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let px: Vec<u8> = (0..side * side).map(|_| rng.next() as u8).collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side, side);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&px).unwrap();
    out
}

fn captures(serial: u64) -> Vec<Capture> {
    let capture = |kind, position, png| {
        Capture::from_png(kind, position, png, Provenance::attached("uvc:1")).unwrap()
    };
    let mut c = vec![capture(
        BiometricKind::Face,
        None,
        noise_png(serial * 100, 600),
    )];
    for (i, pos) in FingerPosition::ALL.into_iter().enumerate() {
        c.push(capture(
            BiometricKind::Finger,
            Some(pos),
            noise_png(serial * 100 + 1 + i as u64, 200),
        ));
    }
    c.push(capture(
        BiometricKind::Signature,
        None,
        noise_png(serial * 100 + 50, 64),
    ));
    c
}

/// Enrolls and approves `PER_CYCLE` citizens, numbered from `serial`.
pub(super) fn enroll_approved(data: &Path, serial: u64, now: Timestamp) {
    let mut station = Station::open(data, PASSPHRASE, Config::default()).unwrap();
    let session = station.login("admin", "admin-password", now).unwrap();
    let person = crate::util::fixture("people/aigul.json");
    let mut ids = Vec::new();
    for n in serial..serial + u64::from(PER_CYCLE) {
        let mut citizen: CitizenInput =
            serde_json::from_slice(&std::fs::read(&person).unwrap()).unwrap();
        citizen.pin = Some(super::pin(n));
        let draft = EnrollmentDraft {
            citizen,
            captures: captures(n),
            ..Default::default()
        };
        ids.push(station.enroll(&session, draft, now).unwrap().to_string());
    }
    station.approve(&session, &ids, now).unwrap();
}

fn sha256_hex(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| hex::encode(Sha256::digest(b)))
}

/// The station's promise after a kill: it opens, its database is sound, and every batch it
/// recorded, its records marked exported, is on the medium with the recorded SHA-256.
fn check_station(data: &Path, usb: &Path, cycle: u32) -> u64 {
    let station = Station::open(data, PASSPHRASE, Config::default())
        .unwrap_or_else(|e| panic!("cycle {cycle}: the station does not open after SIGKILL: {e}"));
    assert_eq!(
        station.integrity_check(),
        Ok(()),
        "cycle {cycle}: integrity_check"
    );
    drop(station);
    let store = raw_store(data, PASSPHRASE);
    let batches = store.db().batches().unwrap();
    for b in &batches {
        assert_eq!(
            sha256_hex(&usb.join(&b.file_name)).as_deref(),
            Some(b.sha256.as_str()),
            "cycle {cycle}: batch {} is recorded as exported but is not on the medium as written",
            b.sequence
        );
    }
    let exported = store
        .db()
        .records(&Default::default())
        .unwrap()
        .iter()
        .filter(|r| r.status == RecordStatus::Exported)
        .count() as u64;
    let in_batches: u64 = batches.iter().map(|b| b.record_count).sum();
    assert_eq!(
        exported, in_batches,
        "cycle {cycle}: records marked exported without a recorded batch"
    );
    batches.len() as u64
}

/// Runs `kattoo export` to the end; how long it took.
fn timed_export(data: &Path, usb: &Path) -> Duration {
    let start = Instant::now();
    let mut c = kattoo(data);
    c.env("KATTOO_OPERATOR_PASSWORD", "admin-password")
        .args(["export", "--operator", "admin", "--to"])
        .arg(usb);
    run_ok(c);
    start.elapsed()
}

/// Completes what the kills left: every approved record ends up in a batch.
fn drain(data: &Path, usb: &Path, now: Timestamp) {
    let mut station = Station::open(data, PASSPHRASE, Config::default()).unwrap();
    let session = station.login("admin", "admin-password", now).unwrap();
    loop {
        match station.export(&session, &DirMedium(usb.to_owned()), now, &mut |_| {}) {
            Ok(_) => {}
            Err(StationError::NothingToExport) => return,
            Err(e) => panic!("the export after the crash cycles failed: {e}"),
        }
    }
}

#[test]
fn sigkill_during_export_never_marks_records_exported_without_their_batch_on_the_medium() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("station");
    let usb = work.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    new_station(&data);
    let (identity, recipient) = batch::new_identity_file("2026-11-27T06:00:00Z");
    let mut set = kattoo(&data);
    set.env("KATTOO_OPERATOR_PASSWORD", "admin-password").args([
        "batch",
        "set-recipient",
        &recipient,
        "--operator",
        "admin",
    ]);
    run_ok(set);

    let mut rng = Rng(seed());
    let now = Timestamp::now();
    let mut serial = 1;
    let mut window = 0;
    let mut killed_mid_run = 0;
    // Partial files found on the medium right after a kill (the next export removes them).
    let partials_dir = work.path().join("partials");
    std::fs::create_dir(&partials_dir).unwrap();
    let mut left_partial = 0;
    for cycle in 0..CYCLES as u32 {
        enroll_approved(&data, serial, now);
        serial += u64::from(PER_CYCLE);
        if cycle % 5 == 0 {
            // An export to its end (re)measures the window the kills are spread over, as the
            // records left by killed exports make the next one longer.
            window = timed_export(&data, &usb).as_millis() as u64 * 6 / 5;
            check_station(&data, &usb, cycle);
            enroll_approved(&data, serial, now);
            serial += u64::from(PER_CYCLE);
        }
        let mut child = kattoo(&data)
            .env("KATTOO_OPERATOR_PASSWORD", "admin-password")
            .args(["export", "--operator", "admin", "--to"])
            .arg(&usb)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next() % window.max(1)));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        for entry in std::fs::read_dir(&usb).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".partial") {
                left_partial += 1;
                std::fs::copy(&path, partials_dir.join(format!("{cycle}-{name}"))).unwrap();
            }
        }
        check_station(&data, &usb, cycle);
    }
    drain(&data, &usb, now);
    let batches = check_station(&data, &usb, CYCLES as u32);
    let enrolled = serial - 1;

    // Central: every final batch file imports, in order; a partial file left by a kill never.
    let (db, key) = (
        work.path().join("central.sqlite"),
        CentralKey::new(batch::parse_identities(&identity).unwrap()),
    );
    let mut central = Central::new(SqliteCentral::open(&db).unwrap());
    let cert = Station::open(&data, PASSPHRASE, Config::default())
        .unwrap()
        .certificate()
        .unwrap()
        .1;
    central.add_station(&cert, "t").unwrap();
    let mut partials = 0;
    let mut files: Vec<_> = std::fs::read_dir(&usb)
        .unwrap()
        .chain(std::fs::read_dir(&partials_dir).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let recorded: Vec<String> = raw_store(&data, PASSPHRASE)
        .db()
        .batches()
        .unwrap()
        .into_iter()
        .map(|b| b.file_name)
        .collect();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".partial") {
            assert!(
                recorded.contains(&name),
                "{name} is on the medium but not recorded"
            );
            continue;
        }
        partials += 1;
        assert!(
            central.import(f, &key, "t").is_err(),
            "central accepted the partial file {name}"
        );
    }
    let mut imported = 0;
    for seq in 1..=batches {
        let row = raw_store(&data, PASSPHRASE)
            .db()
            .batch(seq)
            .unwrap()
            .unwrap();
        match central
            .import(&usb.join(&row.file_name), &key, "t")
            .unwrap()
        {
            ImportOutcome::Imported { records, gap, .. } => {
                assert_eq!(gap, None, "batch {seq}");
                imported += records;
            }
            other => panic!("batch {seq}: {other:?}"),
        }
    }
    assert_eq!(
        imported, enrolled,
        "every approved record reaches central once"
    );
    eprintln!(
        "export crash test: {CYCLES} kills over a window re-measured every 5 cycles (last {window} ms), {killed_mid_run} killed while running, {left_partial} left a partial file on the medium, {batches} batches, {partials} partial files refused by central, {imported}/{enrolled} records at central"
    );
    assert!(
        killed_mid_run > CYCLES / 4,
        "only {killed_mid_run} of {CYCLES} exports were killed while running: the test proved little"
    );
}
