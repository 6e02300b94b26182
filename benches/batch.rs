//! Batch benchmarks (issue 5):
//! - `export/kattoo`: writing a batch of N approved enrollments (default 2,000; set
//!   `KATTOO_BENCH_ENROLLMENTS`) from the station store: JCS records, tar, age, fsync, then the
//!   copy to the "medium" with fsync, rename and read-back — against `export/tar+age-cli`: the same
//!   bag files already on disk, `tar cf - | age -r` with the Debian `age` CLI, then `sync`-ed.
//!   The CLI case is skipped when `age` is not installed.
//! - `verify/batch`: `batch::verify_batch` of that batch (decrypt, every digest and signature).
//! - `central/import`: `Central::import` of that batch into a fresh SQLite database.
//!
//! Biometrics are small synthetic PNGs (ten ~8 KB fingers, a ~30 KB face, a ~2 KB signature, about
//! 110 KB per enrollment), distinct per enrollment, so 2,000 enrollments make a ~220 MB batch.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kattoo::batch::{self, BatchHeader, BatchSource, DirMedium, RecordFiles};
use kattoo::central::{Central, CentralKey, SqliteCentral};
use kattoo::config::Config;
use kattoo::crypto::Signature;
use kattoo::domain::address::Precinct;
use kattoo::domain::{BiometricKind, Capture, CitizenInput, FingerPosition, StationId, Timestamp};
use kattoo::station::{EnrollmentDraft, Station, StationSetup};
use std::path::Path;

fn noise_png(seed: u32, w: u32, h: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let px: Vec<u8> = (0..w * h)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            ((i % w) as u8).wrapping_mul(3) ^ (state as u8 & 0x3f)
        })
        .collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&px).unwrap();
    out
}

fn captures(serial: u32) -> Vec<Capture> {
    let mut c = vec![
        Capture::from_png(
            BiometricKind::Face,
            None,
            noise_png(serial * 13, 200, 200),
            "bench:1",
        )
        .unwrap(),
    ];
    for (i, pos) in FingerPosition::ALL.into_iter().enumerate() {
        c.push(
            Capture::from_png(
                BiometricKind::Finger,
                Some(pos),
                noise_png(serial * 13 + 1 + i as u32, 96, 96),
                "bench:1",
            )
            .unwrap(),
        );
    }
    c.push(
        Capture::from_png(
            BiometricKind::Signature,
            None,
            noise_png(serial * 13 + 12, 48, 48),
            "bench:1",
        )
        .unwrap(),
    );
    c
}

struct Source<'a> {
    station: &'a Station,
    ids: &'a [String],
}

impl BatchSource for Source<'_> {
    fn record_count(&self) -> usize {
        self.ids.len()
    }
    fn record(&mut self, i: usize) -> batch::Result<RecordFiles> {
        let r = self
            .station
            .store()
            .db()
            .record(&self.ids[i])
            .unwrap()
            .unwrap();
        Ok(RecordFiles {
            registration_id: r.registration_id,
            json: r.record_json,
            signature: Signature::from_bytes(&r.signature).unwrap(),
        })
    }
    fn biometric(&mut self, sha256: &str) -> batch::Result<Vec<u8>> {
        Ok(self
            .station
            .store()
            .db()
            .biometric(sha256)
            .unwrap()
            .unwrap())
    }
}

fn bench(c: &mut Criterion) {
    let n: u32 = std::env::var("KATTOO_BENCH_ENROLLMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let setup = StationSetup {
        station_id: StationId::parse("KG1101").unwrap(),
        name: "Bench".into(),
        region: "chui".into(),
        precincts: vec![Precinct::parse("1101").unwrap()],
        admin_login: "admin".into(),
        admin_password: "admin-password".into(),
    };
    let mut st = Station::init(
        &tmp.path().join("station"),
        "bench passphrase",
        &setup,
        Config::default(),
        now,
    )
    .unwrap();
    let session = st.login("admin", "admin-password", now).unwrap();
    let person: CitizenInput = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/people/aigul.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let mut citizen = person.clone();
        citizen.pin = Some(format!("114031990{:05}", i));
        let draft = EnrollmentDraft {
            citizen,
            captures: captures(i),
            ..Default::default()
        };
        ids.push(st.enroll(&session, draft, None, now).unwrap().to_string());
    }
    let (identity_text, recipient) = batch::new_identity_file("bench");
    let identities = batch::parse_identities(&identity_text).unwrap();
    let recipients = batch::parse_recipients(std::slice::from_ref(&recipient)).unwrap();
    let (_, cert) = st.certificate().unwrap();
    let header = BatchHeader {
        station_id: "KG1101".into(),
        sequence: 1,
        previous_sha256: batch::NO_PREVIOUS.into(),
        audit_head_seq: 1,
        audit_head_hash: "00".repeat(32),
        bagging_date: "2026-11-27".into(),
        mtime: now.unix() as u64,
    };
    let key_seed = st.store().db().station().unwrap().signing_seed;
    let key = kattoo::crypto::StationKey::from_seed(&key_seed).unwrap();
    let audit = {
        let rows = st.store().db().audit_rows(1, 1).unwrap();
        batch::verify::audit_jsonl(&rows).unwrap()
    };
    let header = BatchHeader {
        audit_head_hash: hex::encode(st.store().db().audit_rows(1, 1).unwrap()[0].hash),
        ..header
    };

    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let usb = tmp.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let local = work.join("kattoo-KG1101-00001.age");
    let export = |local: &Path| {
        let file = std::fs::File::create(local).unwrap();
        let mut source = Source {
            station: &st,
            ids: &ids,
        };
        let (file, sha) = batch::write_batch(
            file,
            &header,
            &mut source,
            &audit,
            &cert,
            &key,
            &recipients,
            &mut |_| {},
        )
        .unwrap();
        file.sync_all().unwrap();
        batch::medium::copy_to_medium(
            &DirMedium(usb.clone()),
            local,
            "kattoo-KG1101-00001.age",
            &sha,
            &mut |_| {},
        )
        .unwrap();
    };
    export(&local);
    let size = std::fs::metadata(&local).unwrap().len();
    eprintln!("batch of {n} enrollments: {size} bytes");

    let mut g = c.benchmark_group("export");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function(format!("kattoo/{n}"), |b| b.iter(|| export(&local)));
    let have_age = std::process::Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if have_age {
        // The same bag files on disk, then tar | age -r, synced.
        let bag = tmp.path().join("bag");
        std::fs::create_dir_all(&bag).unwrap();
        let files =
            batch::verify::read_raw(std::fs::File::open(&local).unwrap(), &identities).unwrap();
        for (p, bytes) in &files {
            let path = bag.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let out = tmp.path().join("cli.age");
        let script = format!(
            "tar cf - -C '{}' . | age -r {recipient} > '{}' && sync '{}'",
            bag.display(),
            out.display(),
            out.display()
        );
        g.bench_function(format!("tar+age-cli/{n}"), |b| {
            b.iter(|| {
                assert!(
                    std::process::Command::new("sh")
                        .args(["-c", &script])
                        .status()
                        .unwrap()
                        .success()
                )
            })
        });
    } else {
        eprintln!("export/tar+age-cli skipped: apt-get install age");
    }
    g.finish();

    let bytes = std::fs::read(&local).unwrap();
    let mut g = c.benchmark_group("verify");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size));
    g.bench_function(format!("batch/{n}"), |b| {
        b.iter(|| batch::verify_batch(&bytes[..], &identities, None, &mut |_, _| Ok(())).unwrap())
    });
    g.finish();

    let key = CentralKey::new(identities.clone());
    let mut g = c.benchmark_group("central");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(format!("import/{n}"), |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let store = SqliteCentral::open(&dir.path().join("c.sqlite")).unwrap();
                let mut central = Central::new(store);
                central.add_station(&cert, "bench").unwrap();
                (dir, central)
            },
            |(_dir, mut central)| central.import_reader(&bytes[..], &key, "bench").unwrap(),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
