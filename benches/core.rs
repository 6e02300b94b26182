//! Benchmarks of the headless core (issue 2):
//! - `commit/enrollment`: one full enrollment through `Station::enroll` (validation, duplicate
//!   check, numbering, JCS, ed25519 signature, record + 12 blobs + audit row in one transaction),
//!   its prints searched beforehand as the kiosk does when they are taken (untimed), so their
//!   templates are extracted already; `commit/enrollment-unsearched` without that search (the ten
//!   fingers extracted in the save)
//!   against `commit/bare-insert`: the same bytes inserted with plain rusqlite in one transaction
//!   on the same SQLCipher settings (raw key, WAL, synchronous=FULL). Target: ≤ 2× the bare insert.
//! - `record/sign`, `record/verify`: throughput of signing and verifying one record.
//! - `verify/1000-records`: `Station::verify_all` over 1,000 records.
//!
//! Fingerprints are ten synthetic 400×400 8-bit PNGs of about 110 KB each (ridges plus noise),
//! generated deterministically; the photo is the astronaut fixture (~790 KB), the signature a
//! small PNG. Sizes are printed at start.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kattoo::crypto::{DOMAIN_ENROLLMENT, KdfParams, StationKey, canonical_json};
use kattoo::domain::enrollment::{OperatorRef, RecordHeader, verify_record};
use kattoo::domain::{BiometricKind, Enrollment, RegistrationId, Role, StationId, Timestamp};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
use common::{PASSPHRASE, captures, citizen, draft, station, unique};

fn bench_commit(c: &mut Criterion) {
    let caps = captures();
    let total: usize = caps.iter().map(|c| c.data.len()).sum();
    let fingers: Vec<usize> = caps
        .iter()
        .filter(|c| c.kind == BiometricKind::Finger)
        .map(|c| c.data.len())
        .collect();
    eprintln!(
        "enrollment: {} files, {total} bytes; fingerprints {:?} bytes",
        caps.len(),
        fingers
    );

    // The made-unique files are still intact PNGs.
    for c in unique(&caps, 7) {
        kattoo::domain::biometric::inspect_png(&c.data).expect("unique() keeps PNGs valid");
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut st, session) = station(dir.path());
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let mut serial = 0u64;
    let mut group = c.benchmark_group("commit");
    group.sample_size(30);
    // As at the kiosk: the prints are searched as soon as they are taken (their templates
    // extracted then), and the save that follows finds them extracted.
    group.bench_function("enrollment", |b| {
        b.iter_custom(|iterations| {
            let mut saving = Duration::ZERO;
            for _ in 0..iterations {
                serial += 1;
                let draft = draft(&caps, serial);
                st.search_people(&session, &draft.captures, None, now)
                    .unwrap();
                let started = Instant::now();
                black_box(st.enroll(&session, draft, now).unwrap());
                saving += started.elapsed();
            }
            saving
        })
    });
    // The same save of prints nobody searched before: the ten fingers are extracted in it.
    group.bench_function("enrollment-unsearched", |b| {
        b.iter_batched(
            || {
                serial += 1;
                draft(&caps, serial)
            },
            |draft| st.enroll(&session, draft, now).unwrap(),
            BatchSize::SmallInput,
        )
    });

    // The same bytes, bare: one transaction, one row of JSON-sized text and 12 blobs.
    let bare_dir = tempfile::tempdir().unwrap();
    let key = KdfParams::generate().unwrap().derive(PASSPHRASE).unwrap();
    let mut conn = rusqlite::Connection::open(bare_dir.path().join("bare.db")).unwrap();
    kattoo::store::unlock(&conn, &key).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE r (id INTEGER PRIMARY KEY, json BLOB NOT NULL);
         CREATE TABLE b (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);",
    )
    .unwrap();
    let json = vec![b'x'; 4096];
    let mut n = 0u64;
    group.bench_function("bare-insert", |b| {
        b.iter(|| {
            n += 1;
            let tx = conn.transaction().unwrap();
            tx.execute("INSERT INTO r (json) VALUES (?1)", [&json])
                .unwrap();
            for (i, cap) in caps.iter().enumerate() {
                // Distinct keys so every blob is really written, as in the first enrollment of a citizen.
                tx.execute(
                    "INSERT INTO b (sha256, data) VALUES (?1, ?2)",
                    rusqlite::params![format!("{n}-{i}"), cap.data],
                )
                .unwrap();
            }
            tx.commit().unwrap();
        })
    });
    group.finish();
}

fn bench_sign_verify(c: &mut Criterion) {
    let key = StationKey::from_seed(&[9u8; 32]).unwrap();
    let public = key.public_key();
    let station = StationId::parse("KG1101").unwrap();
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let header = RecordHeader {
        registration_id: RegistrationId::new(&station, 42, now.date()),
        sequence: 42,
        created_at: now,
        operator: OperatorRef {
            login: "aibek".into(),
            role: Role::Registrar,
        },
        training: false,
        supersedes: None,
        duplicate_override: None,
    };
    let citizen = citizen(1).validate(now.date()).unwrap();
    let unsigned = || {
        Enrollment::new(
            station.clone(),
            header.clone(),
            citizen.clone(),
            captures(),
            Vec::new(),
            None,
        )
        .unwrap()
    };
    let signed = unsigned().sign(&key).unwrap();
    let bytes = signed.signed_bytes().to_vec();
    let sig = *signed.signature();
    eprintln!("signed record: {} bytes of JCS", bytes.len());
    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::Elements(1));
    // What `Enrollment::sign` does: canonical JSON of the record, then ed25519 over domain || bytes.
    let record = signed.record().clone();
    group.bench_function("sign", |b| {
        b.iter(|| {
            let jcs = canonical_json(&record).unwrap();
            black_box(key.sign(DOMAIN_ENROLLMENT, &jcs))
        })
    });
    group.bench_function("verify", |b| {
        b.iter(|| black_box(verify_record(&public, &bytes, &sig).unwrap()))
    });
    group.finish();
}

fn bench_verify_all(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, session) = station(dir.path());
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let caps = captures();
    for serial in 1..=1000 {
        st.enroll(&session, draft(&caps, serial), now).unwrap();
    }
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000-records", |b| {
        b.iter(|| {
            let report = st.verify_all().unwrap();
            assert!(report.ok());
            black_box(report)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_commit, bench_sign_verify, bench_verify_all);
criterion_main!(benches);
