//! Phase 1 of the central bench: import throughput.

use super::{common, database_size, env_list, open_admin, peak_rss_mb};
use kattoo::batch::{self, DirMedium};
use kattoo::central::pg_server::TestServer;
use kattoo::central::{Central, CentralKey, PgCentral, SqliteCentral};
use kattoo::domain::Timestamp;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Phase 1: import throughput, SQLite and PostgreSQL with 1, 2 and 4 importers (see the bench's
/// documentation).
pub fn throughput(server: &TestServer, stations: u64, n: u64) {
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (identity_text, recipient) = batch::new_identity_file("bench");
    let key = CentralKey::new(batch::parse_identities(&identity_text).unwrap());
    let caps = common::captures();
    let started = Instant::now();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut certificates = Vec::new();
    for s in 0..stations {
        let id = format!("KG{:04}", 1101 + s);
        let (mut st, session) = common::station_with_id(&tmp.path().join(&id), &id);
        st.set_batch_recipients(&session, std::slice::from_ref(&recipient), now)
            .unwrap();
        // Distinct people (PINs and biometrics) across stations.
        common::enroll_approved(&mut st, &session, &caps, s * n + 1..=s * n + n, now);
        let usb = tmp.path().join("usb");
        std::fs::create_dir_all(&usb).unwrap();
        let out = st
            .export(&session, &DirMedium(usb.clone()), now, &mut |_| {})
            .unwrap();
        files.push(usb.join(out.file_name));
        certificates.push(st.certificate().unwrap().1);
    }
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let records = stations * n;
    eprintln!(
        "set-up: {stations} batches of {n} enrollments ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let report = |what: &str, took: Duration| {
        println!(
            "{what:<42} {:>8.1} s {:>8.1} records/s {:>7.1} MB/s",
            took.as_secs_f64(),
            records as f64 / took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64()
        );
    };
    println!(
        "import of {stations} batches × {n} enrollments ({records} records, {:.0} MB), on this machine in this run:",
        bytes as f64 / 1e6
    );

    let dir = tempfile::tempdir().unwrap();
    let mut central = Central::new(SqliteCentral::open(&dir.path().join("c.sqlite")).unwrap());
    for c in &certificates {
        central.add_station(c, "bench").unwrap();
    }
    let started = Instant::now();
    for f in &files {
        central.import(f, &key, "bench").unwrap();
    }
    report("SQLite, 1 importer", started.elapsed());
    drop(central);

    for jobs in env_list("KATTOO_BENCH_JOBS", "1,2,4") {
        let name = server.create_database().unwrap();
        let config = server.config(&name);
        let open = || Central::new(PgCentral::connect(&config, &name).unwrap());
        let mut central = open();
        for c in &certificates {
            central.add_station(c, "bench").unwrap();
        }
        drop(central);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    let mut central = open();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(f) = files.get(i) else { return };
                        central.import(f, &key, "bench").unwrap();
                    }
                });
            }
        });
        report(
            &format!("PostgreSQL, {jobs} importer(s)"),
            started.elapsed(),
        );
        let size = database_size(&mut open_admin(server, &name));
        println!("  database size after import: {:.0} MB", size as f64 / 1e6);
    }
    println!(
        "peak resident memory of the bench process: {:.0} MB",
        peak_rss_mb()
    );
}
