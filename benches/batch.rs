//! Batch benchmarks (issue 5), a bench command that prints its figures.
//!
//! A station with N approved real-size enrollments (default 2,000; `KATTOO_BENCH_ENROLLMENTS`):
//! ten ~110 KB fingerprint PNGs, the ~790 KB photo and a signature each, all distinct, so the
//! batch is about 1.9 MB per enrollment. Then, `KATTOO_BENCH_ROUNDS` times (default 3), in turn:
//!
//! - `kattoo export`: what `Station::export` runs before it records the batch
//!   (`batch::write_new_batch`): records and files read from the SQLCipher store, JCS records,
//!   BagIt manifests and signature, tar, age; the kept copy and the "stick" written at once and
//!   both fsynced; renamed; the stick's file read back past the page cache and its SHA-256
//!   compared.
//! - `tar | age -r`: the same bag files, already extracted on disk, through
//!   `tar cf - | age -r` (Debian's `age`) into a file, then `sync FILE`. The peer.
//! - `tar | age -r | tee`, kept copy and read-back: the peer doing the same safety work as
//!   kattoo: the output written to a kept copy and the "stick", both synced, then the stick's
//!   file read back past the page cache (`dd iflag=nocache`, then `openssl dgst -sha256`, which uses the SHA extensions as kattoo does).
//!
//! `KATTOO_BENCH_DIR` puts the kept copy, the stick and the bag elsewhere (a tmpfs such as
//! /dev/shm compares the CPU work alone; a stick's mount point measures a real stick).
//! `KATTOO_BENCH_PHASES=1` prints, for each export, when the packing and the read-back ended.
//!
//! Then `batch verify` of the batch (streamed from the file) and a central import.
//! Both "disks" are the same device here; on a station the stick is a separate, slower device.
//! The CLI cases are skipped when `age` is not installed (`apt-get install age`).

mod common;

use kattoo::batch::{
    self, BatchHeader, BatchSource, Contents, Destination, DirMedium, RecordFiles,
};
use kattoo::central::{Central, CentralKey, SqliteCentral};
use kattoo::crypto::Signature;
use kattoo::domain::Timestamp;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The station's records, read as the station's export reads them (the bench opens the file
/// with the passphrase, as a technician could; a `Station` itself gives no raw access).
struct Source<'a> {
    store: &'a kattoo::store::Store,
    ids: &'a [String],
}

impl BatchSource for Source<'_> {
    fn record_count(&self) -> usize {
        self.ids.len()
    }
    fn record(&mut self, i: usize) -> batch::Result<RecordFiles> {
        let r = self.store.db().record(&self.ids[i]).unwrap().unwrap();
        Ok(RecordFiles {
            registration_id: r.registration_id,
            json: r.record_json,
            signature: Signature::from_bytes(&r.signature).unwrap(),
        })
    }
    fn biometric(&mut self, sha256: &str) -> batch::Result<Vec<u8>> {
        Ok(self.store.db().biometric(sha256).unwrap().unwrap())
    }
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sh(script: &str) {
    let status = Command::new("sh").args(["-c", script]).status().unwrap();
    assert!(status.success(), "{script}");
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn line(what: &str, times: &mut [Duration], bytes: u64) {
    let each: Vec<String> = times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64()))
        .collect();
    let m = median(times);
    println!(
        "{what:<44} median {:>6.2} s  {:>6.0} MB/s   runs: {}",
        m.as_secs_f64(),
        bytes as f64 / 1e6 / m.as_secs_f64(),
        each.join(", ")
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` ask; there is nothing to list.
    }
    let n = env_number("KATTOO_BENCH_ENROLLMENTS", 2000);
    let rounds = env_number("KATTOO_BENCH_ROUNDS", 3).max(1);
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (mut st, session) = common::station(&tmp.path().join("station"));

    let started = Instant::now();
    let caps = common::captures();
    let ids = common::enroll_approved(&mut st, &session, &caps, 1..=u64::from(n), now);
    eprintln!(
        "set-up: {n} enrollments stored and approved in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (identity_text, recipient) = batch::new_identity_file("bench");
    let identities = batch::parse_identities(&identity_text).unwrap();
    let recipients = batch::parse_recipients(std::slice::from_ref(&recipient)).unwrap();
    let (_, certificate) = st.certificate().unwrap();
    let raw = common::raw_store(st.data_dir());
    let db = raw.db();
    let (head_seq, head_hash) = db.audit_head().unwrap();
    let audit = batch::verify::audit_jsonl(&db.audit_rows(1, head_seq).unwrap()).unwrap();
    let header = BatchHeader {
        station_id: "KG1101".into(),
        sequence: 1,
        previous_sha256: batch::NO_PREVIOUS.into(),
        audit_head_seq: head_seq,
        audit_head_hash: hex::encode(head_hash),
        bagging_date: "2026-11-27".into(),
        mtime: now.unix() as u64,
    };
    let key_seed = db.station().unwrap().signing_seed;
    let key = kattoo::crypto::StationKey::from_seed(&key_seed).unwrap();
    let contents = Contents {
        header: &header,
        audit_jsonl: &audit,
        certificate: &certificate,
        key: &key,
        recipients: &recipients,
    };

    // Where the kept copy, the "stick" and the extracted bag go: `KATTOO_BENCH_DIR`, e.g. a tmpfs
    // to take the disk out and compare the CPU work alone, or a real stick's mount point.
    let work = std::env::var_os("KATTOO_BENCH_DIR")
        .map(|d| tempfile::tempdir_in(d).unwrap())
        .unwrap_or_else(|| tempfile::tempdir().unwrap());
    let dir = |name: &str| {
        let d = work.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let (kept, usb, bag) = (dir("kept"), dir("usb"), dir("bag"));
    let name = "kattoo-KG1101-00001.age";
    let phases = std::env::var_os("KATTOO_BENCH_PHASES").is_some();
    let export = || {
        let started = Instant::now();
        let mut source = Source {
            store: &raw,
            ids: &ids,
        };
        batch::write_new_batch(
            &Destination {
                kept_dir: &kept,
                medium: &DirMedium(usb.clone()),
                name,
            },
            &contents,
            &mut source,
            &mut |_| Ok(()),
            &mut |p| {
                if phases && p.done == p.total {
                    eprintln!(
                        "{:?} done at {:.3} s",
                        p.stage,
                        started.elapsed().as_secs_f64()
                    );
                }
            },
        )
        .unwrap();
        started.elapsed()
    };
    let clear = |d: &Path| {
        for e in std::fs::read_dir(d).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
    };

    // Once to have the batch, and its files extracted for the CLI peers.
    export();
    let size = std::fs::metadata(usb.join(name)).unwrap().len();
    println!(
        "batch of {n} enrollments: {size} bytes ({:.2} MB per enrollment)",
        size as f64 / 1e6 / f64::from(n)
    );
    let have_age = Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let key_file = tmp.path().join("central.key");
    std::fs::write(&key_file, &identity_text).unwrap();
    if have_age {
        sh(&format!(
            "age -d -i '{}' '{}' | tar xf - -C '{}'",
            key_file.display(),
            usb.join(name).display(),
            bag.display()
        ));
    } else {
        eprintln!("the tar | age cases are skipped: apt-get install age");
    }
    let peer = format!(
        "tar cf - -C '{bag}' . | age -r {recipient} > '{usb}/cli.age' && sync '{usb}/cli.age'",
        bag = bag.display(),
        usb = usb.display()
    );
    let peer_same_work = format!(
        "tar cf - -C '{bag}' . | age -r {recipient} | tee '{kept}/cli.age' > '{usb}/cli.age' \
         && sync '{kept}/cli.age' '{usb}/cli.age' \
         && dd if='{usb}/cli.age' iflag=nocache count=0 status=none \
         && openssl dgst -sha256 '{usb}/cli.age' > /dev/null",
        bag = bag.display(),
        kept = kept.display(),
        usb = usb.display()
    );
    let timed = |script: &str| {
        let started = Instant::now();
        sh(script);
        started.elapsed()
    };

    let (mut ours, mut plain, mut same) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        clear(&kept);
        clear(&usb);
        ours.push(export());
        if have_age {
            clear(&kept);
            clear(&usb);
            plain.push(timed(&peer));
            clear(&usb);
            same.push(timed(&peer_same_work));
        }
    }
    println!("export of {n} enrollments, {rounds} rounds, on this machine in this run:");
    line(
        "kattoo export (kept copy + stick, read-back)",
        &mut ours,
        size,
    );
    if have_age {
        line("tar | age -r, sync", &mut plain, size);
        line("tar | age -r | tee, sync both, read-back", &mut same, size);
        println!(
            "ratio kattoo / (tar | age -r): {:.2}; kattoo / (same work): {:.2}",
            median(&mut ours).as_secs_f64() / median(&mut plain).as_secs_f64(),
            median(&mut ours).as_secs_f64() / median(&mut same).as_secs_f64()
        );
    }

    // Make sure the stick holds kattoo's batch for what follows.
    clear(&kept);
    clear(&usb);
    export();
    let file = usb.join(name);
    let mut verify = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        let v = batch::verify_batch(
            std::io::BufReader::new(std::fs::File::open(&file).unwrap()),
            &identities,
            None,
            &mut |_, _| Ok(()),
        )
        .unwrap();
        assert_eq!(v.records.len(), ids.len());
        verify.push(started.elapsed());
    }
    line("batch verify", &mut verify, size);

    let central_key = CentralKey::new(identities.clone());
    let mut import = Vec::new();
    for _ in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteCentral::open(&dir.path().join("c.sqlite")).unwrap();
        let mut central = Central::new(store);
        central.add_station(&certificate, "bench").unwrap();
        let started = Instant::now();
        central.import(&file, &central_key, "bench").unwrap();
        import.push(started.elapsed());
    }
    let m = median(&mut import);
    line("central import", &mut import, size);
    println!(
        "central import: {:.0} records/s",
        f64::from(n) / m.as_secs_f64()
    );
}
