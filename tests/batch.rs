//! Batches end to end: kiosk → export → central import, export faults, the frozen vectors in
//! `fixtures/batches/` (each with an `expect:` outcome), and interoperability with `age`, `tar`,
//! Python's `bagit` and an independent ed25519 implementation (Python `cryptography`).
//!
//! Regenerate the vectors (then review and commit them):
//! `KATTOO_REGENERATE_BATCH_VECTORS=1 cargo test --test tests batch::vectors`

mod client_certificates;
mod concurrent;
mod keys;
mod sealed;

use crate::util::{raw_store, succeeded};
use kattoo::batch::bag::{self, BagInfo};
use kattoo::batch::{self, DirMedium, Medium, MediumFile};
use kattoo::central::pg_server::TestServer;
use kattoo::central::{
    AcceptedBatch, BatchSearch, Central, CentralDb, CentralKey, CentralStore, DecisionRow,
    DuplicateRow, Error as CentralError, ImportOutcome, ImportTransaction, KeyLink, PgCentral,
    RegisterQuery, Revocation, SqliteCentral, StationEntry, StationKeyRow, StoredIdentity,
};
use kattoo::config::Config;
use kattoo::crypto::{PublicKey, StationKey};
use kattoo::domain::address::Precinct;
use kattoo::domain::enrollment::verify_record;
use kattoo::domain::{BiometricKind, Capture, CitizenInput, FingerPosition, StationId, Timestamp};
use kattoo::station::{EnrollmentDraft, Session, Station, StationSetup};
use kattoo::store::RecordStatus;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use tempfile::TempDir;

const PASSPHRASE: &str = "batch test passphrase";

fn now() -> Timestamp {
    Timestamp::parse("2026-11-27T06:00:00Z").unwrap()
}

fn vectors_dir() -> PathBuf {
    crate::util::fixture("batches")
}

/// A 4×4 8-bit gray PNG whose pixels depend on `seed`.
fn tiny_png(seed: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 4, 4);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let px: Vec<u8> = (0..16u32)
            .map(|i| (seed.wrapping_mul(31).wrapping_add(i * 7)) as u8)
            .collect();
        w.write_image_data(&px).unwrap();
    }
    out
}

/// The fixture citizen, with PIN suffix `pin`.
fn aigul(pin: u32) -> CitizenInput {
    let mut citizen: CitizenInput =
        serde_json::from_slice(&std::fs::read(crate::util::fixture("people/aigul.json")).unwrap())
            .unwrap();
    citizen.pin = Some(format!("114031990{pin:05}"));
    citizen
}

fn captures(serial: u32) -> Vec<Capture> {
    let mut c = vec![
        Capture::from_png(
            BiometricKind::Face,
            None,
            tiny_png(serial * 100),
            kattoo::domain::Provenance::attached("uvc:1"),
        )
        .unwrap(),
    ];
    for (i, pos) in FingerPosition::ALL.into_iter().enumerate() {
        c.push(
            Capture::from_png(
                BiometricKind::Finger,
                Some(pos),
                tiny_png(serial * 100 + 1 + i as u32),
                kattoo::domain::Provenance::attached("uvc:1"),
            )
            .unwrap(),
        );
    }
    c.push(
        Capture::from_png(
            BiometricKind::Signature,
            None,
            tiny_png(serial * 100 + 50),
            kattoo::domain::Provenance::attached("uvc:1"),
        )
        .unwrap(),
    );
    c
}

/// A station in a temporary directory with an admin session and batches encrypted to a new
/// central identity.
struct Fixture {
    tmp: TempDir,
    station: Station,
    session: Session,
    identity: String,
    serial: u32,
}

impl Fixture {
    fn new(station_id: &str) -> Fixture {
        Fixture::numbering_from(station_id, 1)
    }

    /// A station whose first record is number `first_sequence` (a replacement laptop).
    fn numbering_from(station_id: &str, first_sequence: u64) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let setup = StationSetup {
            station_id: StationId::parse(station_id).unwrap(),
            name: "Test school".into(),
            region: "chui".into(),
            precincts: vec![Precinct::parse("1101").unwrap()],
            admin_login: "admin".into(),
            admin_password: "admin-password-1".into(),
            first_sequence,
        };
        let mut station = Station::init(
            &tmp.path().join("station"),
            PASSPHRASE,
            &setup,
            Config::default(),
            now(),
        )
        .unwrap();
        let session = station.login("admin", "admin-password-1", now()).unwrap();
        let (identity, recipient) = batch::new_identity_file("2026-11-27T06:00:00Z");
        station
            .set_batch_recipients(&session, &[recipient], now())
            .unwrap();
        Fixture {
            tmp,
            station,
            session,
            identity,
            serial: 0,
        }
    }

    /// Enrolls and approves `n` citizens (distinct PINs from `pin_base`); returns their ids.
    fn enroll_approved(&mut self, n: u32, pin_base: u32) -> Vec<String> {
        let mut ids = Vec::new();
        for _ in 0..n {
            self.serial += 1;
            let draft = EnrollmentDraft {
                citizen: aigul(pin_base + self.serial),
                captures: captures(self.serial),
                ..Default::default()
            };
            ids.push(
                self.station
                    .enroll(&self.session, draft, now())
                    .unwrap()
                    .to_string(),
            );
        }
        self.station.approve(&self.session, &ids, now()).unwrap();
        ids
    }

    fn dir(&self, name: &str) -> PathBuf {
        let d = self.tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn export_to(
        &mut self,
        dir: &Path,
    ) -> Result<kattoo::station::ExportOutcome, kattoo::station::Error> {
        self.station.export(
            &self.session,
            &DirMedium(dir.to_owned()),
            now(),
            &mut |_| {},
        )
    }

    fn central(&self) -> (Central<CentralDb>, CentralKey) {
        central_with(&self.tmp.path().join("central.sqlite"), &self.identity)
    }

    fn certificate(&self) -> Vec<u8> {
        self.station.certificate().unwrap().1
    }

    /// After a failed export: no file on the stick or among the kept batches, no batch, every
    /// record still approved, and no audit row.
    fn assert_nothing_exported(&self, usb: &Path, audit_before: (u64, [u8; 32]), case: &str) {
        assert_eq!(files_in(usb), Vec::<String>::new(), "{case}");
        assert!(
            self.statuses().iter().all(|s| *s == RecordStatus::Approved),
            "{case}"
        );
        assert!(self.station.batches().unwrap().is_empty(), "{case}");
        assert_eq!(
            files_in(&self.station.data_dir().join("batches")),
            Vec::<String>::new(),
            "{case}"
        );
        assert_eq!(self.station.audit_head().unwrap(), audit_before, "{case}");
    }

    fn statuses(&self) -> Vec<RecordStatus> {
        let store = raw_store(self.station.data_dir(), PASSPHRASE);
        store
            .db()
            .records(&Default::default())
            .unwrap()
            .into_iter()
            .map(|r| r.status)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Central's tests run on both stores: each test marked `on_both_stores!` runs once over SQLite
// files and once over PostgreSQL databases on a real server started by the tests. A test names
// its database by a path; on PostgreSQL each path is a database of its own.

thread_local! {
    /// The PostgreSQL server this test thread's centrals use, if it runs on PostgreSQL.
    static POSTGRES: Cell<Option<&'static TestServer>> = const { Cell::new(None) };
    /// The database made for each path named on PostgreSQL.
    static DATABASES: RefCell<BTreeMap<PathBuf, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// Runs each named test (a function without `#[test]`) as `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name()
            }
            #[test]
            fn postgres() {
                if super::on_postgres() {
                    super::$name()
                }
            }
        }
    )*};
}
pub(crate) use on_both_stores;

on_both_stores!(
    round_trip_kiosk_export_central_import,
    a_citizen_who_cannot_sign_travels_as_a_v2_record_beside_v1_records,
    central_lists_one_person_registered_at_two_stations_once_and_records_the_decision,
    central_streams_a_batch_into_its_store_and_a_refusal_rolls_it_back,
    an_export_cut_off_before_it_is_recorded_is_completed_not_renumbered,
    vectors,
    a_record_filed_under_an_id_of_another_station_or_sequence_is_refused,
    central_refuses_batch_sequence_zero_and_far_ahead,
    an_empty_or_misplaced_audit_segment_is_refused,
    a_late_batch_fills_its_gap_and_a_station_closing_down_sends_its_audit_log_alone
);

/// Makes this test thread's centrals PostgreSQL ones; false (the test is skipped, said once)
/// when no server can be started outside CI.
fn on_postgres() -> bool {
    let server = TestServer::shared();
    POSTGRES.set(server);
    server.is_some()
}

/// Whether this test thread runs on PostgreSQL.
fn is_postgres() -> bool {
    POSTGRES.get().is_some()
}

/// The store named by `db`: that SQLite file, or on PostgreSQL the database made for it.
fn open_store(db: &Path) -> CentralDb {
    match POSTGRES.get() {
        None => CentralDb::Sqlite(SqliteCentral::open(db).unwrap()),
        Some(server) => {
            let name = DATABASES.with_borrow_mut(|made| {
                made.entry(db.to_owned())
                    .or_insert_with(|| server.create_database().unwrap())
                    .clone()
            });
            CentralDb::Postgres(Box::new(
                PgCentral::connect(&server.config(&name), &name).unwrap(),
            ))
        }
    }
}

/// Central over the store `db` names, with the key of the plain identity file `identity` at
/// hand (the passphrase-protected identity is tested in `src/central` and by the CLI tests
/// below).
fn central_with(db: &Path, identity: &str) -> (Central<CentralDb>, CentralKey) {
    let key = CentralKey::new(batch::parse_identities(identity).unwrap());
    (Central::new(open_store(db)), key)
}

/// Biometric files committed to the store `db` names (read over a connection of its own).
fn biometric_rows(db: &Path) -> i64 {
    open_store(db).biometrics_held().unwrap() as i64
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn round_trip_kiosk_export_central_import() {
    let mut f = Fixture::new("KG1101");
    let ids = f.enroll_approved(3, 0);
    let usb = f.dir("usb");
    let out = f.export_to(&usb).unwrap();
    assert_eq!(
        (out.sequence, out.records, out.file_name.as_str()),
        (1, 3, "kattoo-KG1101-00001.age")
    );
    assert_eq!(files_in(&usb), ["kattoo-KG1101-00001.age"]);
    assert!(f.statuses().iter().all(|s| *s == RecordStatus::Exported));
    // Nothing left to export: refused, nothing written.
    assert!(matches!(
        f.export_to(&usb),
        Err(kattoo::station::Error::NothingToExport)
    ));

    let (mut central, key) = f.central();
    central.add_station(&f.certificate(), "t").unwrap();
    let file = usb.join(&out.file_name);
    match central.import(&file, &key, "t").unwrap() {
        ImportOutcome::Imported {
            records,
            gap,
            sequence,
            ..
        } => assert_eq!((records, gap, sequence), (3, None, 1)),
        other => panic!("{other:?}"),
    }
    assert_eq!(central.store().record_count("KG1101").unwrap(), 3);
    // Every record is present and verifies, and is byte-identical to the station's.
    let mut got = Vec::new();
    let verified = batch::verify_batch(
        std::fs::File::open(&file).unwrap(),
        &batch::parse_identities(&f.identity).unwrap(),
        Some(&f.station.info().public_key),
        &mut |_, _| Ok(()),
    )
    .unwrap();
    for r in &verified.records {
        let stored = raw_store(f.station.data_dir(), PASSPHRASE)
            .db()
            .record(&r.registration_id)
            .unwrap()
            .unwrap();
        assert_eq!(stored.record_json, r.json);
        verify_record(&f.station.info().public_key, &r.json, &r.signature).unwrap();
        got.push(r.registration_id.clone());
    }
    assert_eq!(got, ids);
    assert_eq!(verified.biometric_files, 36);
    // The same file again is a no-op.
    assert_eq!(
        central.import(&file, &key, "t").unwrap(),
        ImportOutcome::AlreadyImported {
            station_id: "KG1101".into(),
            sequence: 1
        }
    );

    // Batch 2 chains to batch 1 (file hash and audit head) and is accepted.
    f.enroll_approved(1, 0);
    let out2 = f.export_to(&usb).unwrap();
    assert_eq!(out2.sequence, 2);
    let v2 = batch::verify_batch(
        std::fs::File::open(usb.join(&out2.file_name)).unwrap(),
        &batch::parse_identities(&f.identity).unwrap(),
        None,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    assert_eq!(v2.info.previous_sha256, out.sha256);
    assert_eq!(
        v2.audit.first().unwrap().seq,
        verified.info.audit_head_seq + 1
    );
    assert!(matches!(
        central
            .import(&usb.join(&out2.file_name), &key, "t")
            .unwrap(),
        ImportOutcome::Imported {
            records: 1,
            gap: None,
            ..
        }
    ));
    let report = central.report().unwrap();
    assert_eq!(
        (
            report[0].records,
            report[0].last_sequence,
            report[0].gaps.len()
        ),
        (4, 2, 0)
    );
}

fn a_citizen_who_cannot_sign_travels_as_a_v2_record_beside_v1_records() {
    use kattoo::domain::enrollment::{SignatureException, SignatureReason};
    let mut f = Fixture::new("KG1101");
    let signed = f.enroll_approved(1, 0);
    // The second citizen cannot sign: no signature capture, the reason instead.
    f.serial += 1;
    let mut captures = captures(f.serial);
    captures.retain(|c| c.kind != BiometricKind::Signature);
    let draft = EnrollmentDraft {
        citizen: aigul(f.serial),
        captures,
        signature_exception: Some(SignatureException {
            reason: SignatureReason::Disability,
        }),
        ..Default::default()
    };
    let unsigned = f
        .station
        .enroll(&f.session, draft, now())
        .unwrap()
        .to_string();
    f.station
        .approve(&f.session, std::slice::from_ref(&unsigned), now())
        .unwrap();
    let usb = f.dir("usb");
    let out = f.export_to(&usb).unwrap();
    let file = usb.join(&out.file_name);
    let verified = batch::verify_batch(
        std::fs::File::open(&file).unwrap(),
        &batch::parse_identities(&f.identity).unwrap(),
        Some(&f.station.info().public_key),
        &mut |_, _| Ok(()),
    )
    .unwrap();
    let schema_of = |id: &str| {
        let r = verified
            .records
            .iter()
            .find(|r| r.registration_id == id)
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&r.json).unwrap();
        (
            json["schema"].as_str().unwrap().to_owned(),
            json.get("signature_exception").cloned(),
        )
    };
    assert_eq!(schema_of(&signed[0]), ("kattoo/enrollment/v1".into(), None));
    assert_eq!(
        schema_of(&unsigned),
        (
            "kattoo/enrollment/v2".into(),
            Some(serde_json::json!({"reason": "disability"}))
        )
    );
    let (mut central, key) = f.central();
    central.add_station(&f.certificate(), "t").unwrap();
    assert!(matches!(
        central.import(&file, &key, "t").unwrap(),
        ImportOutcome::Imported { records: 2, .. }
    ));
    assert_eq!(central.store().record_count("KG1101").unwrap(), 2);
}

// ---------------------------------------------------------------------------------------------
// One person, one registration across stations: central searches every imported record among the
// records of every station and lists the matches, once, for a person to decide.

/// `captures(serial)` with real fingers (FVC fixture images) at `fingers`.
fn captures_with(serial: u32, fingers: &[(FingerPosition, &str)]) -> Vec<Capture> {
    let mut c = captures(serial);
    for (position, stem) in fingers {
        let png = std::fs::read(crate::util::fixture(&format!("matching/fvc/{stem}.png"))).unwrap();
        let i = c
            .iter()
            .position(|k| k.position == Some(*position))
            .unwrap();
        c[i] = Capture::from_png(
            BiometricKind::Finger,
            Some(*position),
            png,
            kattoo::domain::Provenance::attached("uvc:1"),
        )
        .unwrap();
    }
    c
}

impl Fixture {
    /// Encrypts this station's batches to `other`'s central.
    fn encrypt_to(&mut self, other: &Fixture) {
        let key = CentralKey::new(batch::parse_identities(&other.identity).unwrap());
        self.station
            .set_batch_recipients(&self.session, &key.recipients(), now())
            .unwrap();
    }

    /// Enrolls and approves one citizen with PIN suffix `pin` and these real fingers.
    fn enroll_fingers(&mut self, pin: u32, fingers: &[(FingerPosition, &str)]) -> String {
        self.serial += 1;
        let draft = EnrollmentDraft {
            citizen: aigul(pin),
            captures: captures_with(self.serial, fingers),
            ..Default::default()
        };
        let id = self
            .station
            .enroll(&self.session, draft, now())
            .unwrap()
            .to_string();
        self.station
            .approve(&self.session, std::slice::from_ref(&id), now())
            .unwrap();
        id
    }
}

fn central_lists_one_person_registered_at_two_stations_once_and_records_the_decision() {
    use FingerPosition::{LeftIndex, RightIndex};
    use kattoo::central::{Decision, DecisionRow};
    let mut a = Fixture::new("KG1101");
    let mut b = Fixture::new("KG1102");
    // Both stations encrypt to A's central.
    b.encrypt_to(&a);
    // The same person at both stations under two PINs (other impressions of the same fingers),
    // and a different person at B.
    let at_a = a.enroll_fingers(1, &[(RightIndex, "101_1"), (LeftIndex, "102_1")]);
    let at_b = b.enroll_fingers(2, &[(RightIndex, "101_2"), (LeftIndex, "102_2")]);
    let other = b.enroll_fingers(3, &[(RightIndex, "103_1")]);
    let (usb_a, usb_b) = (a.dir("usb-a"), b.dir("usb-b"));
    let file_a = usb_a.join(a.export_to(&usb_a).unwrap().file_name);
    let file_b = usb_b.join(b.export_to(&usb_b).unwrap().file_name);

    let (mut central, key) = a.central();
    central.add_station(&a.certificate(), "t").unwrap();
    central.add_station(&b.certificate(), "t").unwrap();
    let found = |outcome: ImportOutcome| match outcome {
        ImportOutcome::Imported { duplicates, .. } => duplicates,
        other => panic!("{other:?}"),
    };
    assert_eq!(found(central.import(&file_a, &key, "t1").unwrap()), []);
    let dups = found(central.import(&file_b, &key, "t2").unwrap());
    assert_eq!(dups.len(), 1, "{dups:?}");
    assert_eq!(
        (
            dups[0].registration_id.as_str(),
            dups[0].other_registration_id.as_str()
        ),
        (at_b.as_str(), at_a.as_str())
    );
    assert!(dups[0].score >= Config::default().central.duplicate_threshold);
    assert_eq!(
        dups[0].fingers.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        [RightIndex, LeftIndex]
    );
    let listed = central.duplicates().unwrap();
    assert_eq!(listed.len(), 1);
    let pair = &listed[0];
    assert_eq!(
        (
            pair.first.as_str(),
            pair.first_station.as_str(),
            pair.second.as_str(),
            pair.second_station.as_str()
        ),
        (at_a.as_str(), "KG1101", at_b.as_str(), "KG1102")
    );
    assert!(listed.iter().all(|p| p.first != other && p.second != other));
    assert_eq!(pair.decision, None);
    let report = central.report().unwrap();
    assert_eq!(
        report.iter().map(|s| s.duplicates).collect::<Vec<_>>(),
        [(1, 0), (1, 0)]
    );

    // Importing a batch again changes nothing. When the same person turns up at a third
    // station, a new central over the same database (its index built from the stored
    // templates) lists the two new pairs and not the first one again.
    assert!(matches!(
        central.import(&file_b, &key, "t3").unwrap(),
        ImportOutcome::AlreadyImported { .. }
    ));
    drop(central);
    let mut c = Fixture::new("KG1103");
    c.encrypt_to(&a);
    let again = c.enroll_fingers(4, &[(RightIndex, "101_2"), (LeftIndex, "102_1")]);
    let usb_c = c.dir("usb-c");
    let file_c = usb_c.join(c.export_to(&usb_c).unwrap().file_name);
    let (mut central, key) = a.central();
    central.add_station(&c.certificate(), "t").unwrap();
    let dups = found(central.import(&file_c, &key, "t4").unwrap());
    let mut others: Vec<&str> = dups
        .iter()
        .map(|d| d.other_registration_id.as_str())
        .collect();
    others.sort();
    let mut expect = [at_a.as_str(), at_b.as_str()];
    expect.sort();
    assert_eq!(others, expect, "{dups:?}");
    assert!(dups.iter().all(|d| d.registration_id == again));
    assert_eq!(central.duplicates().unwrap().len(), 3);

    // A decision needs who and why, is recorded once, and sorts the pair after the open ones.
    let id = pair.id;
    let decision = |by: &str, reason: &str| DecisionRow {
        decision: Decision::Confirmed,
        by: by.into(),
        reason: reason.into(),
        at: "2026-12-06T10:00:00Z".into(),
    };
    assert!(matches!(
        central.decide(id, decision("", "same face")),
        Err(CentralError::DecisionIncomplete)
    ));
    assert!(matches!(
        central.decide(999, decision("Asel", "same face")),
        Err(CentralError::UnknownPair(999))
    ));
    central
        .decide(id, decision("Asel", "same face, two PINs"))
        .unwrap();
    assert!(matches!(
        central.decide(id, decision("Bolot", "changed my mind")),
        Err(CentralError::AlreadyDecided { .. })
    ));
    let listed = central.duplicates().unwrap();
    let last = listed.last().unwrap();
    assert_eq!(last.id, id);
    let d = last.decision.as_ref().unwrap();
    assert_eq!(
        (d.decision, d.by.as_str(), d.reason.as_str()),
        (Decision::Confirmed, "Asel", "same face, two PINs")
    );

    // The CLI lists the same pairs, open ones first, with both records, and takes a decision.
    // The database was made plain (by the library), without an identity: the first command
    // encrypts it with the central passphrase it is given.
    drop(central);
    if is_postgres() {
        // The CLI's own PostgreSQL run (init, import, duplicates) is `cli_central_on_postgres_…`.
        return;
    }
    let db = a.tmp.path().join("central.sqlite");
    let central_cli = |args: &[&str]| {
        let mut cmd = crate::util::bare_cmd();
        cmd.arg("central")
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE);
        cmd
    };
    let out = central_cli(&["duplicates", "--json"]).assert().success();
    let listed: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2]["id"], id);
    assert_eq!(listed[2]["decision"]["decision"], "confirmed");
    let sides = listed[0]["records"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    assert!(
        sides
            .iter()
            .all(|r| r["masked_pin"].as_str().unwrap().starts_with("**********"))
    );
    assert_eq!(sides[0]["name"], "Өмүрбекова Айгүл Асанбековна");
    let open = listed[0]["id"].as_u64().unwrap().to_string();
    let decide = |pair: &str| {
        central_cli(&[
            "decide",
            pair,
            "--as",
            "not-a-duplicate",
            "--by",
            "Asel",
            "--reason",
            "twins, both present",
        ])
    };
    decide(&open)
        .assert()
        .success()
        .stdout(format!("possible duplicate #{open}: not-a-duplicate\n"));
    decide(&open).assert().code(5);
    decide("999").assert().code(8);
    central_cli(&["duplicates"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "3 possible duplicate people, 1 open",
        ));
}

// ---------------------------------------------------------------------------------------------
// Central streams a batch: biometrics reach its store while the file is still being read, and a
// refusal rolls them back.

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// Central's SQLite store, noting how many bytes of the batch had been read at each staged
/// biometric.
struct Spy {
    inner: CentralDb,
    read: Rc<Cell<u64>>,
    staged_at: Rc<RefCell<Vec<u64>>>,
}

struct SpyImport<'a> {
    inner: kattoo::central::CentralDbImport<'a>,
    read: Rc<Cell<u64>>,
    staged_at: Rc<RefCell<Vec<u64>>>,
}

type CentralResult<T> = Result<T, CentralError>;

impl ImportTransaction for SpyImport<'_> {
    fn take_turn(&mut self, station_id: &str) -> CentralResult<()> {
        self.inner.take_turn(station_id)
    }
    fn put_biometric(&mut self, sha256: &str, data: &[u8]) -> CentralResult<()> {
        self.staged_at.borrow_mut().push(self.read.get());
        self.inner.put_biometric(sha256, data)
    }
    fn biometric(&self, sha256: &str) -> CentralResult<Option<Vec<u8>>> {
        self.inner.biometric(sha256)
    }
    fn commit(
        self,
        b: &AcceptedBatch,
        v: &batch::VerifiedBatch,
        search: &BatchSearch,
        now: &str,
    ) -> CentralResult<()> {
        self.inner.commit(b, v, search, now)
    }
}

impl CentralStore for Spy {
    type Import<'a> = SpyImport<'a>;
    fn identity(&self) -> CentralResult<Option<StoredIdentity>> {
        self.inner.identity()
    }
    fn set_identity(&mut self, p: &[u8], r: &str, at: &str) -> CentralResult<()> {
        self.inner.set_identity(p, r, at)
    }
    fn add_station(&mut self, s: &StationEntry, c: &[u8]) -> CentralResult<()> {
        self.inner.add_station(s, c)
    }
    fn station(&self, id: &str) -> CentralResult<Option<StationEntry>> {
        self.inner.station(id)
    }
    fn stations(&self) -> CentralResult<Vec<StationEntry>> {
        self.inner.stations()
    }
    fn batch_by_sha(&self, sha256: &str) -> CentralResult<Option<(String, u64)>> {
        self.inner.batch_by_sha(sha256)
    }
    fn station_key(&self, key: &PublicKey) -> CentralResult<Option<StationKeyRow>> {
        self.inner.station_key(key)
    }
    fn station_keys(&self, id: &str) -> CentralResult<Vec<StationKeyRow>> {
        self.inner.station_keys(id)
    }
    fn revoke_key(&mut self, key: &PublicKey, r: &Revocation) -> CentralResult<bool> {
        self.inner.revoke_key(key, r)
    }
    fn rekey_station(&mut self, s: &StationEntry, c: &[u8], l: &KeyLink) -> CentralResult<()> {
        self.inner.rekey_station(s, c, l)
    }
    fn batches(&self, id: &str) -> CentralResult<Vec<AcceptedBatch>> {
        self.inner.batches(id)
    }
    fn record_count(&self, id: &str) -> CentralResult<u64> {
        self.inner.record_count(id)
    }
    fn last_record_id(&self, id: &str) -> CentralResult<Option<String>> {
        self.inner.last_record_id(id)
    }
    fn biometrics_held(&self) -> CentralResult<u64> {
        self.inner.biometrics_held()
    }
    fn pin_elsewhere(&self, pin: &str, id: &str) -> CentralResult<Vec<(String, String)>> {
        self.inner.pin_elsewhere(pin, id)
    }
    fn searchable_templates(&self) -> CentralResult<Vec<(String, u8, Vec<u8>)>> {
        self.inner.searchable_templates()
    }
    fn register_mark(&self) -> CentralResult<u64> {
        self.inner.register_mark()
    }
    fn searchable_since(&self, mark: u64) -> CentralResult<kattoo::central::Since> {
        self.inner.searchable_since(mark)
    }
    fn duplicates(&self) -> CentralResult<Vec<DuplicateRow>> {
        self.inner.duplicates()
    }
    fn decide(&mut self, id: u64, d: &DecisionRow) -> CentralResult<bool> {
        self.inner.decide(id, d)
    }
    fn register(&self, q: &RegisterQuery) -> CentralResult<Vec<kattoo::central::RegisterEntry>> {
        self.inner.register(q)
    }
    fn templates_of(&self, id: &str) -> CentralResult<Vec<(u8, Vec<u8>)>> {
        self.inner.templates_of(id)
    }
    fn record(&self, id: &str) -> CentralResult<Option<(String, Vec<u8>)>> {
        self.inner.record(id)
    }
    fn open_sealed(&self, key: &CentralKey) -> CentralResult<()> {
        self.inner.open_sealed(key)
    }
    fn begin_import(&self) -> CentralResult<SpyImport<'_>> {
        Ok(SpyImport {
            inner: self.inner.begin_import()?,
            read: self.read.clone(),
            staged_at: self.staged_at.clone(),
        })
    }
}

fn central_streams_a_batch_into_its_store_and_a_refusal_rolls_it_back() {
    let mut f = Fixture::new("KG1101");
    f.enroll_approved(8, 0);
    let usb = f.dir("usb");
    let out = f.export_to(&usb).unwrap();
    let file = usb.join(&out.file_name);
    let size = std::fs::metadata(&file).unwrap().len();
    let db = f.tmp.path().join("central.sqlite");

    // Unknown station: refused once the bag was read, its biometrics already staged: none stays.
    let (mut central, key) = f.central();
    let err = central.import(&file, &key, "t").unwrap_err();
    assert!(matches!(err, CentralError::UnknownStation(_)), "{err}");
    assert_eq!(biometric_rows(&db), 0);
    drop(central);

    // Each biometric reaches the store as it streams past, long before the batch is read whole.
    let read = Rc::new(Cell::new(0));
    let staged_at = Rc::new(RefCell::new(Vec::new()));
    let mut central = Central::new(Spy {
        inner: open_store(&db),
        read: read.clone(),
        staged_at: staged_at.clone(),
    });
    central.add_station(&f.certificate(), "t").unwrap();
    let input = Counting {
        inner: io::BufReader::new(std::fs::File::open(&file).unwrap()),
        read: read.clone(),
    };
    assert!(matches!(
        central.import_reader(input, &key, "t").unwrap(),
        ImportOutcome::Imported { records: 8, .. }
    ));
    assert_eq!(read.get(), size);
    let staged_at = staged_at.borrow().clone();
    // Every biometric file once (tiny PNGs repeat across citizens; a batch carries each once).
    assert_eq!(staged_at.len() as i64, biometric_rows(&db));
    let (first, last) = (staged_at[0], *staged_at.last().unwrap());
    assert!(
        first < last && first < size,
        "biometrics staged after {first}..{last} of {size} bytes"
    );
    // Read again whole, the same batch is the same no-op as from its file.
    assert!(matches!(
        central.import_reader(&std::fs::read(&file).unwrap()[..], &key, "t"),
        Ok(ImportOutcome::AlreadyImported { sequence: 1, .. })
    ));
}

#[test]
fn export_again_is_byte_identical() {
    let mut f = Fixture::new("KG1101");
    f.enroll_approved(2, 0);
    let usb = f.dir("usb");
    let out = f.export_to(&usb).unwrap();
    let first = std::fs::read(usb.join(&out.file_name)).unwrap();
    let usb2 = f.dir("usb2");
    let again = f
        .station
        .export_again(&f.session, 1, &DirMedium(usb2.clone()), now(), &mut |_| {})
        .unwrap();
    assert_eq!(
        again,
        kattoo::station::ExportOutcome {
            path: usb2.join(&out.file_name),
            ..out.clone()
        }
    );
    assert_eq!(std::fs::read(usb2.join(&out.file_name)).unwrap(), first);
    assert!(
        f.station
            .export_again(&f.session, 2, &DirMedium(usb2), now(), &mut |_| {})
            .is_err()
    );
}

/// A medium that fails after `budget` bytes, refuses to create files, or returns altered bytes.
struct FaultyMedium {
    inner: DirMedium,
    budget: Option<u64>,
    read_only: bool,
    corrupt_read_back: bool,
}

struct Budgeted<'a> {
    file: Box<dyn MediumFile + 'a>,
    left: u64,
}

impl Write for Budgeted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device (simulated)",
            ));
        }
        let n = (buf.len() as u64).min(self.left) as usize;
        self.left -= n as u64;
        self.file.write(&buf[..n])
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl MediumFile for Budgeted<'_> {
    fn sync(&mut self) -> io::Result<()> {
        self.file.sync()
    }
}

impl Medium for FaultyMedium {
    fn path(&self, name: &str) -> PathBuf {
        self.inner.path(name)
    }
    fn create(&self, name: &str) -> io::Result<Box<dyn MediumFile + '_>> {
        if self.read_only {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "read-only file system (simulated)",
            ));
        }
        let file = self.inner.create(name)?;
        Ok(match self.budget {
            Some(left) => Box::new(Budgeted { file, left }),
            None => file,
        })
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.inner.rename(from, to)
    }
    fn sync_dir(&self) -> io::Result<()> {
        self.inner.sync_dir()
    }
    fn open(&self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        let mut bytes = Vec::new();
        self.inner.open(name)?.read_to_end(&mut bytes)?;
        if self.corrupt_read_back {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 1;
        }
        Ok(Box::new(io::Cursor::new(bytes)))
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.inner.remove(name)
    }
}

#[test]
fn a_failing_medium_leaves_no_file_and_no_record_exported() {
    let mut f = Fixture::new("KG1101");
    f.enroll_approved(2, 0);
    let usb = f.dir("usb");
    let audit_before = f.station.audit_head().unwrap();
    let faults = [
        FaultyMedium {
            inner: DirMedium(usb.clone()),
            budget: Some(0),
            read_only: false,
            corrupt_read_back: false,
        },
        FaultyMedium {
            inner: DirMedium(usb.clone()),
            budget: Some(1000),
            read_only: false,
            corrupt_read_back: false,
        },
        FaultyMedium {
            inner: DirMedium(usb.clone()),
            budget: Some(20_000),
            read_only: false,
            corrupt_read_back: false,
        },
        FaultyMedium {
            inner: DirMedium(usb.clone()),
            budget: None,
            read_only: true,
            corrupt_read_back: false,
        },
        FaultyMedium {
            inner: DirMedium(usb.clone()),
            budget: None,
            read_only: false,
            corrupt_read_back: true,
        },
    ];
    for (i, medium) in faults.iter().enumerate() {
        let err = f
            .station
            .export(&f.session, medium, now(), &mut |_| {})
            .unwrap_err();
        if medium.corrupt_read_back {
            assert!(
                matches!(
                    err,
                    kattoo::station::Error::Batch(batch::Error::ReadBack(_))
                ),
                "{err}"
            );
        } else {
            assert!(
                matches!(err, kattoo::station::Error::Batch(batch::Error::Io { .. })),
                "case {i}: {err}"
            );
        }
        f.assert_nothing_exported(&usb, audit_before, &format!("case {i}"));
    }
    // A sound stick then takes batch 1.
    assert_eq!(f.export_to(&usb).unwrap().sequence, 1);
}

#[test]
fn a_biometric_changed_in_the_store_stops_the_export_and_leaves_nothing() {
    let mut f = Fixture::new("KG1101");
    let ids = f.enroll_approved(2, 0);
    let usb = f.dir("usb");
    let audit_before = f.station.audit_head().unwrap();
    let changed = raw_store(f.station.data_dir(), PASSPHRASE)
        .db()
        .record_biometric_hashes(&ids[1])
        .unwrap()
        .remove(0);
    let altered = crate::util::raw_connection(f.station.data_dir(), PASSPHRASE)
        .execute(
            "UPDATE biometrics SET data = ?2 WHERE sha256 = ?1",
            rusqlite::params![changed, tiny_png(4242)],
        )
        .unwrap();
    assert_eq!(altered, 1);

    match f
        .station
        .export(&f.session, &DirMedium(usb.clone()), now(), &mut |_| {})
    {
        Err(kattoo::station::Error::Batch(batch::Error::BiometricHash(sha))) => {
            assert_eq!(sha, changed)
        }
        other => panic!("{:?}", other.map(|o| o.file_name)),
    }
    f.assert_nothing_exported(&usb, audit_before, "a changed biometric");
}

/// A stick during whose export the power goes off at `moment`: the export stops there, as if the
/// process died (a panic unwinds past every clean-up, like a power cut skips them).
struct PowerCut {
    inner: DirMedium,
    moment: &'static str,
}

impl Medium for PowerCut {
    fn path(&self, name: &str) -> PathBuf {
        self.inner.path(name)
    }
    fn create(&self, name: &str) -> io::Result<Box<dyn MediumFile + '_>> {
        self.inner.create(name)
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        if self.moment == "before rename" {
            panic!("power cut (simulated) before the rename on the stick");
        }
        self.inner.rename(from, to)
    }
    fn sync_dir(&self) -> io::Result<()> {
        self.inner.sync_dir()
    }
    fn open(&self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        if self.moment == "before read-back" {
            panic!("power cut (simulated) after the rename on the stick");
        }
        self.inner.open(name)
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.inner.remove(name)
    }
}

fn an_export_cut_off_before_it_is_recorded_is_completed_not_renumbered() {
    for moment in ["before rename", "before read-back"] {
        let mut f = Fixture::new("KG1101");
        let ids = f.enroll_approved(2, 0);
        let usb = f.dir("usb");
        let cut = PowerCut {
            inner: DirMedium(usb.clone()),
            moment,
        };
        let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            f.station.export(&f.session, &cut, now(), &mut |_| {})
        }));
        assert!(
            died.is_err(),
            "{moment}: the export should have been cut off"
        );
        // Nothing was recorded: the records are still approved and no batch is known.
        assert!(f.statuses().iter().all(|s| *s == RecordStatus::Approved));
        assert!(f.station.batches().unwrap().is_empty());
        assert_eq!(f.station.interrupted_export().unwrap(), Some(1), "{moment}");
        let on_stick = files_in(&usb);

        // Records approved after the cut wait for the next batch.
        let later = f.enroll_approved(1, 100);
        let usb2 = f.dir("usb2");
        let out = f.export_to(&usb2).unwrap();
        assert!(out.resumed, "{moment}");
        assert_eq!((out.sequence, out.records), (1, 2));
        let kept =
            std::fs::read(f.station.data_dir().join("batches").join(&out.file_name)).unwrap();
        assert_eq!(std::fs::read(usb2.join(&out.file_name)).unwrap(), kept);
        if moment == "before read-back" {
            // The file that reached the first stick is the very same batch.
            assert_eq!(on_stick, std::slice::from_ref(&out.file_name));
            assert_eq!(std::fs::read(usb.join(&out.file_name)).unwrap(), kept);
        } else {
            assert_eq!(on_stick, [format!("{}.partial", out.file_name)]);
        }
        assert_eq!(f.station.interrupted_export().unwrap(), None);
        let store = raw_store(f.station.data_dir(), PASSPHRASE);
        let db = store.db();
        for id in &ids {
            assert_eq!(
                db.record(id).unwrap().unwrap().status,
                RecordStatus::Exported
            );
        }
        assert_eq!(
            db.record(&later[0]).unwrap().unwrap().status,
            RecordStatus::Approved
        );

        let next = f.export_to(&usb2).unwrap();
        assert_eq!((next.sequence, next.records, next.resumed), (2, 1, false));

        // Central takes batch 1 from either stick as one batch, then batch 2 after it.
        let (mut central, key) = f.central();
        central.add_station(&f.certificate(), "t").unwrap();
        if moment == "before rename" {
            // The file the cut left on the first stick is never imported, whole or not.
            let partial = usb.join(format!("{}.partial", out.file_name));
            assert!(matches!(
                central.import(&partial, &key, "t"),
                Err(CentralError::UnfinishedExport(name)) if name.ends_with(".age.partial")
            ));
        }
        if moment == "before read-back" {
            assert!(matches!(
                central
                    .import(&usb.join(&out.file_name), &key, "t")
                    .unwrap(),
                ImportOutcome::Imported { records: 2, .. }
            ));
        }
        for file in [&out.file_name, &next.file_name] {
            assert!(matches!(
                central.import(&usb2.join(file), &key, "t").unwrap(),
                ImportOutcome::Imported { gap: None, .. } | ImportOutcome::AlreadyImported { .. }
            ));
        }
        assert_eq!(
            central.store().record_count("KG1101").unwrap(),
            3,
            "{moment}"
        );
    }
}

#[test]
fn only_a_supervisor_exports() {
    let mut f = Fixture::new("KG1101");
    f.enroll_approved(1, 0);
    f.station
        .add_operator(
            &f.session,
            "registrar1",
            kattoo::domain::Role::Registrar,
            "registrar-password-1",
            now(),
        )
        .unwrap();
    let reg = f
        .station
        .login("registrar1", "registrar-password-1", now())
        .unwrap();
    let usb = f.dir("usb");
    let err = f
        .station
        .export(&reg, &DirMedium(usb.clone()), now(), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(err, kattoo::station::Error::PermissionDenied { .. }),
        "{err}"
    );
    assert_eq!(files_in(&usb), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Frozen vectors.

fn reseal(files: &mut BTreeMap<String, Vec<u8>>, key: &StationKey) {
    let digests: BTreeMap<String, String> = files
        .iter()
        .filter(|(p, _)| p.starts_with("data/"))
        .map(|(p, b)| (p.clone(), bag::sha256_hex(b)))
        .collect();
    let mut info = BagInfo::parse(&files[bag::BAG_INFO]).unwrap();
    info.payload_octets = files
        .iter()
        .filter(|(p, _)| p.starts_with("data/"))
        .map(|(_, b)| b.len() as u64)
        .sum();
    info.payload_files = digests.len() as u64;
    for (name, bytes) in bag::tag_files(&info, &digests, key) {
        files.insert(name.to_owned(), bytes);
    }
}

fn generate_vectors(out: &Path) {
    let mut f = Fixture::new("KG1101");
    let usb = f.dir("usb");
    let mut valid = Vec::new();
    for n in [2, 1, 1] {
        f.enroll_approved(n, 0);
        let o = f.export_to(&usb).unwrap();
        valid.push(std::fs::read(usb.join(&o.file_name)).unwrap());
    }
    let seed = raw_store(f.station.data_dir(), PASSPHRASE)
        .db()
        .station()
        .unwrap()
        .signing_seed;
    let key = StationKey::from_seed(&seed).unwrap();
    let ids = batch::parse_identities(&f.identity).unwrap();
    let recipients = vec![ids[0].to_public()];
    let raw1 = batch::verify::read_raw(&valid[0][..], &ids).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(out.join(name), bytes).unwrap();
    let seal = |files: &BTreeMap<String, Vec<u8>>| {
        batch::write::write_raw(files, &recipients, now().unix() as u64).unwrap()
    };

    for (i, v) in valid.iter().enumerate() {
        write(&format!("valid-{}.age", i + 1), v);
    }
    write(
        "replay-2.age",
        &seal(&batch::verify::read_raw(&valid[1][..], &ids).unwrap()),
    );

    let mut bad_sig = raw1.clone();
    let other = StationKey::from_seed(&[0x42; 32]).unwrap();
    bad_sig.insert(
        bag::TAGMANIFEST_SIG.into(),
        other
            .sign(kattoo::crypto::DOMAIN_BATCH, &raw1[bag::TAGMANIFEST])
            .to_file()
            .into_bytes(),
    );
    write("bad-station-signature.age", &seal(&bad_sig));

    let record_path = raw1
        .keys()
        .find(|p| p.starts_with("data/records/") && p.ends_with(".json"))
        .unwrap()
        .clone();
    let mut altered = raw1.clone();
    let text = String::from_utf8(altered[&record_path].clone())
        .unwrap()
        .replace("\"house\":\"12А\"", "\"house\":\"13А\"");
    assert_ne!(text.as_bytes(), &raw1[&record_path][..]);
    altered.insert(record_path.clone(), text.into_bytes());
    reseal(&mut altered, &key);
    write("altered-record.age", &seal(&altered));

    let bio_path = raw1
        .keys()
        .find(|p| p.starts_with("data/biometrics/"))
        .unwrap()
        .clone();
    let mut altered = raw1.clone();
    let b = altered.get_mut(&bio_path).unwrap();
    let last = b.len() - 20;
    b[last] ^= 0x01;
    reseal(&mut altered, &key);
    write("altered-biometric.age", &seal(&altered));

    let mut missing = raw1.clone();
    missing.remove(&bio_path);
    write("missing-file.age", &seal(&missing));

    let mut extra = raw1.clone();
    extra.insert("data/notes.txt".into(), b"not listed\n".to_vec());
    write("extra-file.age", &seal(&extra));

    write("truncated.age", &valid[0][..valid[0].len() / 2]);

    let other_id = age::x25519::Identity::generate();
    write(
        "wrong-recipient.age",
        &batch::write::write_raw(&raw1, &[other_id.to_public()], 0).unwrap(),
    );

    let mut broken = raw1.clone();
    let audit = String::from_utf8(broken["data/audit.jsonl"].clone()).unwrap();
    let edited = audit.replacen("\"action\":\"login\"", "\"action\":\"logout\"", 1);
    assert_ne!(edited, audit);
    broken.insert("data/audit.jsonl".into(), edited.into_bytes());
    reseal(&mut broken, &key);
    write("audit-chain-broken.age", &seal(&broken));

    write("central-key.txt", f.identity.as_bytes());
    write("station-KG1101.json", &f.certificate());
    write(
        "station-KG1101.pub",
        f.station.info().public_key.to_pem().as_bytes(),
    );
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    /// Register the station first (default true).
    #[serde(default = "yes")]
    register: bool,
    /// Files imported before, each of which must be accepted.
    #[serde(default)]
    before: Vec<String>,
    file: String,
    expect: String,
    /// `kattoo batch verify` exit status, for batch-level outcomes.
    verify_exit: Option<i32>,
}

fn yes() -> bool {
    true
}

fn outcome(r: &Result<ImportOutcome, CentralError>) -> String {
    use batch::Error as B;
    use kattoo::crypto::SignatureError;
    use kattoo::domain::enrollment::RecordError;
    match r {
        Ok(ImportOutcome::Imported { gap: None, .. }) => "success".into(),
        Ok(ImportOutcome::Imported {
            gap: Some((a, b)), ..
        }) => format!("success with gap {a}..{b}"),
        Ok(ImportOutcome::AlreadyImported { .. }) => "already imported".into(),
        Err(CentralError::Batch(e)) => match e {
            B::Truncated(_) => "damaged".into(),
            B::WrongRecipient => "wrong recipient".into(),
            B::MissingFile(_) => "missing file".into(),
            B::ExtraFile(_) => "extra file".into(),
            B::Digest(_) => "digest mismatch".into(),
            B::BatchSignature {
                source: SignatureError::Mismatch,
                ..
            } => "bad station signature".into(),
            B::RecordSignature {
                source: RecordError::Signature(SignatureError::Mismatch),
                ..
            } => "bad record signature".into(),
            B::BiometricHash(_) => "bad biometric hash".into(),
            B::AuditChain(_) => "audit chain broken".into(),
            other => format!("other batch error: {other}"),
        },
        Err(CentralError::UnknownStation(_)) => "unknown station".into(),
        Err(CentralError::Replay { .. }) => "replayed sequence".into(),
        Err(CentralError::LowerSequence { .. }) => "lower sequence".into(),
        Err(other) => format!("other: {other}"),
    }
}

fn vectors() {
    let dir = vectors_dir();
    if std::env::var_os("KATTOO_REGENERATE_BATCH_VECTORS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        generate_vectors(&dir);
    }
    let cases: Vec<Case> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() >= 13);
    let identity = std::fs::read_to_string(dir.join("central-key.txt")).unwrap();
    let cert = std::fs::read(dir.join("station-KG1101.json")).unwrap();
    let mut seen_failures = std::collections::BTreeSet::new();
    for case in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("c.sqlite");
        let (mut central, key) = central_with(&db, &identity);
        if case.register {
            central.add_station(&cert, "t").unwrap();
        }
        for b in &case.before {
            let r = central.import(&dir.join(b), &key, "t");
            assert!(r.is_ok(), "{}: importing {b} first: {r:?}", case.name);
        }
        let before = biometric_rows(&db);
        let got = outcome(&central.import(&dir.join(&case.file), &key, "t"));
        assert_eq!(got, case.expect, "case {}", case.name);
        if case.expect != "success" {
            seen_failures.insert(case.expect.clone());
        }
        if !case.expect.starts_with("success") {
            // Biometrics staged while the batch streamed past were rolled back with the refusal.
            assert_eq!(biometric_rows(&db), before, "case {}", case.name);
        }
        // The CLI's verdict does not depend on central's store: checked once, on SQLite.
        if let Some(code) = case.verify_exit.filter(|_| !is_postgres()) {
            crate::util::bare_cmd()
                .args(["batch", "verify"])
                .arg(dir.join(&case.file))
                .arg("--identity")
                .arg(dir.join("central-key.txt"))
                .arg("--station-key")
                .arg(dir.join("station-KG1101.pub"))
                .assert()
                .code(code);
        }
    }
    // Every failure kind is exercised.
    assert!(seen_failures.len() >= 11, "{seen_failures:?}");
}

// ---------------------------------------------------------------------------------------------
// Interoperability with independent tools, when they are installed
// (Debian: `apt-get install age`; Python: `pip install bagit cryptography`).

fn have(cmd: &str, args: &[&str]) -> bool {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn interop_age_tar_bagit_and_ed25519() {
    let dir = vectors_dir();
    if !have("age", &["--version"]) {
        eprintln!("skipped: the age CLI is not installed (apt-get install age)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bag_dir = tmp.path().join("bag");
    std::fs::create_dir(&bag_dir).unwrap();
    let plain = succeeded(
        std::process::Command::new("age")
            .args(["-d", "-i"])
            .arg(dir.join("central-key.txt"))
            .arg(dir.join("valid-1.age")),
    );
    let mut tar = std::process::Command::new("tar")
        .args(["x", "-m", "-C"])
        .arg(&bag_dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tar.stdin.take().unwrap().write_all(&plain).unwrap();
    assert!(tar.wait().unwrap().success());
    assert!(bag_dir.join("data/audit.jsonl").is_file());

    // The same tool refuses a batch encrypted to someone else.
    let wrong = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(dir.join("central-key.txt"))
        .arg(dir.join("wrong-recipient.age"))
        .output()
        .unwrap();
    assert!(!wrong.status.success());

    if have("python3", &["-c", "import bagit"]) {
        succeeded(
            std::process::Command::new("python3")
                .args(["-m", "bagit", "--validate"])
                .arg(&bag_dir),
        );
        // An altered payload file is caught by bagit too.
        let record = std::fs::read_dir(bag_dir.join("data/records"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let original = std::fs::read(&record).unwrap();
        std::fs::write(&record, [&original[..], b" "].concat()).unwrap();
        let out = std::process::Command::new("python3")
            .args(["-m", "bagit", "--validate"])
            .arg(&bag_dir)
            .output()
            .unwrap();
        assert!(!out.status.success());
        std::fs::write(&record, original).unwrap();
    } else {
        eprintln!("bagit part skipped: pip install bagit");
    }

    if have("python3", &["-c", "import cryptography"]) {
        // Every record signature and the batch signature, with an independent ed25519 implementation.
        let script = r#"
import sys, base64, pathlib
from cryptography.hazmat.primitives.serialization import load_pem_public_key
bag = pathlib.Path(sys.argv[1]); key = load_pem_public_key(pathlib.Path(sys.argv[2]).read_bytes())
n = 0
for rec in sorted((bag / "data" / "records").glob("*.json")):
    sig = base64.b64decode(pathlib.Path(str(rec) + ".sig").read_bytes()[:-1], validate=True)
    key.verify(sig, b"kattoo/enrollment/v1\n" + rec.read_bytes()); n += 1
sig = base64.b64decode((bag / "tagmanifest-sha256.txt.sig").read_bytes()[:-1], validate=True)
key.verify(sig, b"kattoo/batch/v1\n" + (bag / "tagmanifest-sha256.txt").read_bytes())
print(n)
"#;
        let said = succeeded(
            std::process::Command::new("python3")
                .args(["-c", script])
                .arg(&bag_dir)
                .arg(dir.join("station-KG1101.pub")),
        );
        assert_eq!(String::from_utf8_lossy(&said).trim(), "2");
    } else {
        eprintln!("ed25519 part skipped: pip install cryptography");
    }
}

#[test]
fn the_kept_station_key_matches_the_vectors_certificate() {
    let dir = vectors_dir();
    let pem = std::fs::read_to_string(dir.join("station-KG1101.pub")).unwrap();
    let (_, key) =
        batch::StationCertificate::verify(&std::fs::read(dir.join("station-KG1101.json")).unwrap())
            .unwrap();
    assert_eq!(PublicKey::from_pem(&pem).unwrap(), key);
}

// ---------------------------------------------------------------------------------------------
// The command line, end to end: exact output and exit codes.

#[test]
fn cli_export_verify_import_report() {
    use crate::util::{ADMIN_PASSWORD, Kiosk, bare_cmd, stdout};
    let kiosk = Kiosk::init();
    let id = kiosk.enroll(
        "admin",
        ADMIN_PASSWORD,
        &crate::util::fixture("people/aigul.json"),
    );
    kiosk.admin(&["approve", &id]).assert().success();
    let db = kiosk.path("central.sqlite");
    let key = kiosk.path("central-key.age");
    let central_without_passphrase = |args: &[&str]| {
        let mut cmd = bare_cmd();
        cmd.arg("central").arg("--db").arg(&db).args(args);
        cmd
    };
    let central = |args: &[&str]| {
        let mut cmd = central_without_passphrase(args);
        cmd.env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE);
        cmd
    };
    // No passphrase to be had (no variable, no file, no terminal): nothing is created.
    central_without_passphrase(&["init", "--identity", key.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot prompt for a secret"));
    assert!(!key.exists());
    let init = central(&["init", "--identity", key.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::starts_with(format!(
            "central's identity is in {k}, encrypted with the central passphrase: `age -d -i {k}` asks for it\n\
             give this recipient to every station (e.g. in central-recipient.txt on a USB stick); the station shows its fingerprint ",
            k = key.display()
        )));
    let recipient = stdout(&init).trim().to_owned();
    assert!(
        recipient.starts_with("age1") && recipient.len() == 62,
        "{recipient}"
    );
    // The identity file is what `age -p` writes (scrypt), readable by its owner only; neither it
    // nor the database holds the secret key in the clear.
    let protected = std::fs::read(&key).unwrap();
    assert!(protected.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for f in [&key, &db] {
        let bytes = std::fs::read(f).unwrap();
        assert!(!bytes.windows(15).any(|w| w == b"AGE-SECRET-KEY-"), "{f:?}");
    }
    // A second init is refused before any passphrase is asked for.
    central_without_passphrase(&["init"]).assert().code(5);

    let usb = kiosk.path("usb");
    std::fs::create_dir(&usb).unwrap();
    // No recipient yet: refused, nothing written.
    kiosk
        .admin(&["export", "--to", usb.to_str().unwrap()])
        .assert()
        .code(5);
    kiosk
        .admin(&["batch", "set-recipient", &recipient])
        .assert()
        .success()
        .stdout(format!("batches are now encrypted to {recipient}\n"));
    let out = kiosk
        .admin(&["export", "--to", usb.to_str().unwrap()])
        .assert()
        .success();
    let file = usb.join("kattoo-KG1101-00001.age");
    let sha = bag::sha256_hex(&std::fs::read(&file).unwrap());
    assert_eq!(
        stdout(&out),
        format!(
            "batch 1 written to {} (1 records, sha256 {sha})\n",
            file.display()
        )
    );
    // Nothing left: exit 5.
    kiosk
        .admin(&["export", "--to", usb.to_str().unwrap()])
        .assert()
        .code(5);

    let certs = kiosk.path("certs");
    std::fs::create_dir(&certs).unwrap();
    kiosk
        .cmd()
        .args(["station", "certificate", "--to", certs.to_str().unwrap()])
        .assert()
        .success();
    let cert = certs.join("station-KG1101.json");
    let pubkey = certs.join("station-KG1101.pub");

    // `batch verify` opens the passphrase-protected identity file too, given the passphrase.
    let verify = || {
        let mut cmd = bare_cmd();
        cmd.args(["batch", "verify"])
            .arg(&file)
            .arg("--identity")
            .arg(&key)
            .arg("--station-key")
            .arg(&cert);
        cmd
    };
    verify()
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot prompt for a secret"));
    verify()
        .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE)
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "batch 1 of station KG1101 OK: 1 records, 12 biometric files, audit rows 1..",
        ));
    // Without the station's registered key, the batch's own certificate proves nothing: never
    // "OK" and never exit 0.
    bare_cmd()
        .args(["batch", "verify"])
        .arg(&file)
        .arg("--identity")
        .arg(&key)
        .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE)
        .assert()
        .code(23)
        .stdout(predicates::str::starts_with(
            "batch 1 of station KG1101 is intact but NOT verified as the station's: 1 records",
        ))
        .stderr(predicates::str::contains("pass --station-key"));

    central(&["import", file.to_str().unwrap()])
        .assert()
        .code(20);
    central(&["add-station", pubkey.to_str().unwrap()])
        .assert()
        .code(2);
    central(&["add-station", cert.to_str().unwrap()])
        .assert()
        .success();
    // A wrong passphrase (from --passphrase-file, which wins over the variable): refused with
    // exit 3, nothing imported.
    let wrong = kiosk.path("wrong-passphrase.txt");
    std::fs::write(&wrong, "not the central passphrase\n").unwrap();
    central(&[
        "--passphrase-file",
        wrong.to_str().unwrap(),
        "import",
        file.to_str().unwrap(),
    ])
    .assert()
    .code(3)
    .stdout("")
    .stderr(
        "kattoo: wrong central passphrase: central's identity does not open with it; type it again (or correct KATTOO_CENTRAL_PASSPHRASE or the --passphrase-file)\n",
    );
    central(&["report"]).assert().success().stdout(
        "station       records  batches   last duplicates   open  gaps\nKG1101              0        0      0          0      0  -\npossible duplicate people: 0 listed, 0 open, 0 confirmed, 0 not duplicates\n",
    );
    central(&["import", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(format!(
            "{}: batch 1 of KG1101 imported, 1 records\n",
            file.display()
        ));
    central(&["import", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(format!(
            "{}: batch 1 of KG1101 already imported, nothing to do\n",
            file.display()
        ));
    central(&["report"]).assert().success().stdout(
        "station       records  batches   last duplicates   open  gaps\nKG1101              1        1      1          0      0  -\npossible duplicate people: 0 listed, 0 open, 0 confirmed, 0 not duplicates\n",
    );

    // The Debian `age` CLI opens the identity file with the passphrase, without kattoo: as an
    // encrypted identity file (`age -d -i`) and as a passphrase-encrypted file (`age -d`). It
    // reads passphrases from a terminal only, so a pseudo-terminal types it.
    if !have("age", &["--version"]) || !have("python3", &["-c", "import pty"]) {
        eprintln!("age CLI part skipped: apt-get install age (and python3 for its terminal)");
        return;
    }
    let bag = kiosk.path("bag.tar");
    let opened = age_with_passphrase(
        CENTRAL_PASSPHRASE,
        &[
            "-d",
            "-i",
            key.to_str().unwrap(),
            "-o",
            bag.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stdout)
    );
    let listing = std::process::Command::new("tar")
        .arg("tf")
        .arg(&bag)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains("bagit.txt"));
    let plain = kiosk.path("central-key.txt");
    let opened = age_with_passphrase(
        CENTRAL_PASSPHRASE,
        &["-d", "-o", plain.to_str().unwrap(), key.to_str().unwrap()],
    );
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stdout)
    );
    let text = std::fs::read_to_string(&plain).unwrap();
    assert!(
        text.contains(&format!("# public key: {recipient}\n")),
        "{recipient}"
    );
    assert!(text.contains("\nAGE-SECRET-KEY-1"));
    let refused = age_with_passphrase(
        "not the central passphrase",
        &[
            "-d",
            "-i",
            key.to_str().unwrap(),
            "-o",
            kiosk.path("no.tar").to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
}

/// The central passphrase of the CLI tests.
const CENTRAL_PASSPHRASE: &str = "central passphrase for tests";

/// Runs `age args…` on a pseudo-terminal (Python's `pty`), typing `passphrase` at every prompt.
/// Its terminal output is in `stdout`.
fn age_with_passphrase(passphrase: &str, args: &[&str]) -> std::process::Output {
    const DRIVER: &str = r#"
import os, pty, signal, sys, time
signal.alarm(120)
answer = sys.argv[1].encode() + b"\n"
pid, fd = pty.fork()
if pid == 0:
    os.execvp("age", ["age"] + sys.argv[2:])
seen = b""
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if b"passphrase" in chunk.lower():
        time.sleep(0.05)
        os.write(fd, answer)
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    std::process::Command::new("python3")
        .args(["-c", DRIVER, passphrase])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_central_refuses_a_plain_identity_until_it_is_protected() {
    use crate::util::{bare_cmd, stdout};
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("central.sqlite");
    // A central database from before passphrases, its identity (the vectors' key) in plain text.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            &std::fs::read_to_string(crate::util::fixture("central/schema-0.sql")).unwrap(),
        )
        .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let central = |args: &[&str]| {
        let mut cmd = bare_cmd();
        cmd.arg("central")
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE);
        cmd
    };
    let batch1 = vectors_dir().join("valid-1.age");
    // Every command but protect-identity refuses it, says what to run and leaves it as it was.
    let before = std::fs::read(&db).unwrap();
    for args in [vec!["report"], vec!["import", batch1.to_str().unwrap()]] {
        central(&args)
            .assert()
            .code(5)
            .stdout("")
            .stderr(
                "kattoo: central's identity in this database is stored without a passphrase (by an older kattoo): run `kattoo central protect-identity` once to encrypt it; the key and the recipient stay the same\n",
            );
    }
    // Opening it may bring its schema up to date, but it stays a plain database until the
    // identity is protected: nothing was encrypted under a passphrase nobody has typed.
    let after = std::fs::read(&db).unwrap();
    assert!(after.starts_with(b"SQLite format 3\0") && before.starts_with(b"SQLite format 3\0"));
    let key = tmp.path().join("central-key.age");
    let done = central(&["protect-identity", "--identity", key.to_str().unwrap()])
        .assert()
        .success();
    let recipient = "age1jcla6dckfquxcgemttp4h0mxw6ea33xvj7asvuhlsmx6ck3wt58qeywegf";
    assert_eq!(
        stdout(&done),
        format!(
            "central's identity ({recipient}) is now encrypted with the central passphrase; copies of {} made before still hold it in plain text: destroy them\n",
            db.display()
        )
    );
    assert!(
        std::fs::read(&key)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n")
    );
    // The identity and the whole database are now encrypted with the passphrase.
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(15).any(|w| w == b"AGE-SECRET-KEY-"));
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!bytes.windows(6).any(|w| w == b"KG1101"));
    central(&["protect-identity"]).assert().code(5);
    central(&["report"])
        .env("KATTOO_CENTRAL_PASSPHRASE", "not the passphrase")
        .assert()
        .code(3);
    // The same key, now behind the passphrase, opens the batches encrypted to it.
    central(&["import", batch1.to_str().unwrap()])
        .assert()
        .success()
        .stdout(format!(
            "{}: batch 1 of KG1101 imported, 2 records\n",
            batch1.display()
        ));
}

/// Batch 1 of a fresh station with one approved record, opened, to be changed and sealed again
/// with the station's own key: what a station that lies could send.
struct OneBatch {
    f: Fixture,
    bytes: Vec<u8>,
    ids: Vec<age::x25519::Identity>,
    key: StationKey,
}

impl OneBatch {
    fn new() -> OneBatch {
        let mut f = Fixture::new("KG1101");
        f.enroll_approved(1, 0);
        let usb = f.dir("usb");
        let out = f.export_to(&usb).unwrap();
        let bytes = std::fs::read(usb.join(&out.file_name)).unwrap();
        let ids = batch::parse_identities(&f.identity).unwrap();
        let seed = raw_store(f.station.data_dir(), PASSPHRASE)
            .db()
            .station()
            .unwrap()
            .signing_seed;
        let key = StationKey::from_seed(&seed).unwrap();
        OneBatch { f, bytes, ids, key }
    }

    /// The batch's files after `edit`, with its tag files and signature made again.
    fn rewritten(&self, edit: impl FnOnce(&mut BTreeMap<String, Vec<u8>>)) -> Vec<u8> {
        let mut files = batch::verify::read_raw(&self.bytes[..], &self.ids).unwrap();
        edit(&mut files);
        reseal(&mut files, &self.key);
        batch::write::write_raw(&files, &[self.ids[0].to_public()], now().unix() as u64).unwrap()
    }

    /// The batch renumbered `sequence`, after `edit`.
    fn numbered(
        &self,
        sequence: u64,
        edit: impl FnOnce(&mut BTreeMap<String, Vec<u8>>),
    ) -> Vec<u8> {
        self.rewritten(|files| {
            let info = String::from_utf8(files[bag::BAG_INFO].clone()).unwrap();
            let info = info.replace(
                "Batch-Sequence: 1\n",
                &format!("Batch-Sequence: {sequence}\n"),
            );
            files.insert(bag::BAG_INFO.into(), info.into_bytes());
            edit(files);
        })
    }

    /// The batch with its record's JSON changed by `edit`, signed again and filed under
    /// `name(id)`.
    fn relabelled(
        &self,
        edit: impl Fn(&mut serde_json::Value),
        name: impl Fn(&str) -> String,
    ) -> Vec<u8> {
        self.rewritten(|files| {
            let path = files
                .keys()
                .find(|p| p.starts_with("data/records/") && p.ends_with(".json"))
                .unwrap()
                .clone();
            let id = path
                .trim_start_matches("data/records/")
                .trim_end_matches(".json")
                .to_owned();
            let mut record: serde_json::Value = serde_json::from_slice(&files[&path]).unwrap();
            edit(&mut record);
            // serde_json writes keys sorted and non-ASCII unescaped: the canonical (JCS) form.
            let json = serde_json::to_vec(&record).unwrap();
            let sig = self
                .key
                .sign(kattoo::crypto::DOMAIN_ENROLLMENT, &json)
                .to_file()
                .into_bytes();
            files.remove(&path);
            files.remove(&format!("{path}.sig"));
            let new = format!("data/records/{}.json", name(&id));
            files.insert(format!("{new}.sig"), sig);
            files.insert(new, json);
        })
    }

    fn verify(&self, bytes: &[u8]) -> batch::Result<batch::VerifiedBatch> {
        let key = self.f.station.info().public_key.clone();
        batch::verify_batch(bytes, &self.ids, Some(&key), &mut |_, _| Ok(()))
    }
}

fn a_record_filed_under_an_id_of_another_station_or_sequence_is_refused() {
    let one = OneBatch::new();
    // Another station's prefix, the record's own station and sequence kept: the id would
    // block station KG9999's record at central.
    let foreign =
        kattoo::domain::RegistrationId::new(&StationId::parse("KG9999").unwrap(), 1, now().date())
            .as_str()
            .to_owned();
    let err = one
        .verify(&one.relabelled(
            |r| r["registration_id"] = foreign.clone().into(),
            |_| foreign.clone(),
        ))
        .unwrap_err();
    assert!(
        matches!(err, batch::Error::RecordIdMismatch { ref station, .. } if station == "KG1101"),
        "{err}"
    );
    // The record's sequence is not its id's.
    let err = one
        .verify(&one.relabelled(|r| r["sequence"] = 7.into(), |id| id.to_owned()))
        .unwrap_err();
    assert!(
        matches!(err, batch::Error::RecordIdMismatch { sequence: 7, .. }),
        "{err}"
    );
    // Unedited, the same path verifies: the refusals are the ids', not the re-signing's.
    one.verify(&one.relabelled(|_| {}, |id| id.to_owned()))
        .unwrap();
}

fn central_refuses_batch_sequence_zero_and_far_ahead() {
    let one = OneBatch::new();
    let numbered = |sequence: u64| {
        let path = one.f.tmp.path().join(format!("seq-{sequence}.age"));
        std::fs::write(&path, one.numbered(sequence, |_| {})).unwrap();
        path
    };
    let (mut central, central_key) = one.f.central();
    central.add_station(&one.f.certificate(), "t").unwrap();
    for sequence in [0, 1 << 63, u64::MAX, 1_002] {
        let err = central
            .import(&numbered(sequence), &central_key, "t")
            .unwrap_err();
        assert!(
            matches!(err, CentralError::SequenceOutOfRange { sequence: s, last: 0, .. } if s == sequence),
            "{sequence}: {err}"
        );
    }
    assert!(central.store().batches("KG1101").unwrap().is_empty());
    // Within range, a jump is taken and its gap reported from the stored rows.
    assert!(matches!(
        central.import(&numbered(3), &central_key, "t").unwrap(),
        ImportOutcome::Imported {
            gap: Some((1, 2)),
            ..
        }
    ));
    assert_eq!(central.report().unwrap()[0].gaps, [1, 2]);
}

fn an_empty_or_misplaced_audit_segment_is_refused() {
    let one = OneBatch::new();
    // The segment's rows kept from `skip` on.
    let with_rows_from = |skip: usize, sequence: u64| {
        one.numbered(sequence, |files| {
            let jsonl = String::from_utf8(files["data/audit.jsonl"].clone()).unwrap();
            let kept: String = jsonl.lines().skip(skip).map(|l| format!("{l}\n")).collect();
            files.insert("data/audit.jsonl".into(), kept.into_bytes());
        })
    };
    let rows = String::from_utf8(
        batch::verify::read_raw(&one.bytes[..], &one.ids).unwrap()["data/audit.jsonl"].clone(),
    )
    .unwrap()
    .lines()
    .count();
    assert!(rows > 2, "{rows} audit rows");
    // Batch 1 whose segment does not start the chain.
    assert!(matches!(
        one.verify(&with_rows_from(1, 1)),
        Err(batch::Error::AuditNotFromStart { first: 2 })
    ));
    // No rows at all, as batch 1 or as a later batch.
    for sequence in [1, 2] {
        assert!(
            matches!(
                one.verify(&with_rows_from(rows, sequence)),
                Err(batch::Error::NoAuditRows)
            ),
            "batch {sequence}"
        );
    }
    one.verify(&with_rows_from(0, 1)).unwrap();
}

fn a_late_batch_fills_its_gap_and_a_station_closing_down_sends_its_audit_log_alone() {
    let mut f = Fixture::new("KG1101");
    let usb = f.dir("usb");
    let mut files = Vec::new();
    for n in [1, 1] {
        f.enroll_approved(n, 0);
        files.push(usb.join(f.export_to(&usb).unwrap().file_name));
    }
    // Nothing waits: a plain export still refuses, the closing export writes the audit rows.
    assert!(matches!(
        f.export_to(&usb),
        Err(kattoo::station::Error::NothingToExport)
    ));
    let closing = f
        .station
        .export_allowing_empty(&f.session, &DirMedium(usb.clone()), now(), &mut |_| {})
        .unwrap();
    assert_eq!((closing.sequence, closing.records), (3, 0));
    files.push(usb.join(&closing.file_name));

    let (mut central, key) = f.central();
    central.add_station(&f.certificate(), "t").unwrap();
    let import = |central: &mut Central<CentralDb>, i: usize| central.import(&files[i], &key, "t");
    import(&mut central, 0).unwrap();
    assert!(matches!(
        import(&mut central, 2).unwrap(),
        ImportOutcome::Imported {
            records: 0,
            gap: Some((2, 2)),
            ..
        }
    ));
    assert_eq!(central.report().unwrap()[0].gaps, [2]);
    // Another file numbered 2 (the same bag sealed again) is not the link batch 3 names.
    let ids = batch::parse_identities(&f.identity).unwrap();
    let other = usb.join("other-2.age");
    let raw = batch::verify::read_raw(&std::fs::read(&files[1]).unwrap()[..], &ids).unwrap();
    std::fs::write(
        &other,
        batch::write::write_raw(&raw, &[ids[0].to_public()], now().unix() as u64).unwrap(),
    )
    .unwrap();
    let err = central.import(&other, &key, "t").unwrap_err();
    assert!(
        matches!(
            err,
            CentralError::LowerSequence {
                sequence: 2,
                last: 3,
                ..
            }
        ),
        "{err}"
    );
    // Batch 2 itself, late, is the missing link: accepted, and the gap is gone.
    assert!(matches!(
        import(&mut central, 1).unwrap(),
        ImportOutcome::Imported {
            records: 1,
            gap: None,
            sequence: 2,
            ..
        }
    ));
    let report = central.report().unwrap();
    assert!(report[0].gaps.is_empty(), "{:?}", report[0].gaps);
    assert_eq!(report[0].records, 2);
    // Now it is a replay, for either file.
    for file in [&files[1], &other] {
        let err = central.import(file, &key, "t");
        assert!(
            matches!(
                err,
                Ok(ImportOutcome::AlreadyImported { .. }) | Err(CentralError::Replay { .. })
            ),
            "{err:?}"
        );
    }
}
