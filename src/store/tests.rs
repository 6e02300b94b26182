//! Store tests on real SQLCipher files in temporary directories.

use super::*;
use crate::audit::{Action, Event, verify_chain};
use crate::crypto::{KdfParams, StationKey};
use crate::domain::enrollment::{OperatorRef, RecordHeader};
use crate::domain::{Enrollment, RegistrationId, Role, Signed, StationId, Timestamp};
use crate::station::tests::{draft, now};
use sha2::{Digest, Sha256};

/// A database key from a cheap KDF (the real parameters are slow, and not what is tested here),
/// with the page HMAC and page size new stations use.
fn key(passphrase: &str) -> DatabaseKey {
    KdfParams {
        m_kib: 8,
        t: 1,
        salt: "00".repeat(16),
        ..KdfParams::generate().unwrap()
    }
    .derive(passphrase)
    .unwrap()
}

/// The key of a station made before kdf.json recorded the page HMAC and size (SQLCipher's
/// defaults).
fn key_of_an_older_station(passphrase: &str) -> DatabaseKey {
    cheap_key(passphrase, None, None)
}

fn cheap_key(passphrase: &str, page_hmac: Option<&str>, page_size: Option<u32>) -> DatabaseKey {
    KdfParams {
        kdf: "argon2id".into(),
        m_kib: 8,
        t: 1,
        p: 1,
        salt: "00".repeat(16),
        page_hmac: page_hmac.map(Into::into),
        page_size,
    }
    .derive(passphrase)
    .unwrap()
}

fn station_row() -> StationRow {
    StationRow {
        station_id: "KG1101".into(),
        name: "Школа №5".into(),
        region: "chui".into(),
        precincts: vec!["1101".into(), "1102".into()],
        signing_seed: zeroize::Zeroizing::new(vec![1; 32]),
        created_at: "2026-11-27T06:00:00Z".into(),
    }
}

/// A new store at `<dir>/kattoo.db` with the station row and an admin.
fn fresh(dir: &Path) -> Store {
    let mut store = Store::create(&dir.join("kattoo.db"), &key("right")).unwrap();
    store
        .transaction(|db| -> Result<()> {
            db.insert_station(&station_row())?;
            db.insert_operator(
                "admin",
                Role::Admin,
                "$argon2id$x",
                "2026-11-27T06:00:00Z",
                None,
            )?;
            Ok(())
        })
        .unwrap();
    store
}

/// SHA-256 over every file name and its bytes in `dir`, in name order.
fn hash_dir(dir: &Path) -> (Vec<String>, [u8; 32]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut h = Sha256::new();
    for n in &names {
        h.update(n.as_bytes());
        h.update([0]);
        h.update(std::fs::read(dir.join(n)).unwrap());
    }
    (names, h.finalize().into())
}

fn pragma_i64(store: &Store, name: &str) -> i64 {
    store
        .conn
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

fn event(n: i64) -> Event {
    Event::new(
        Action::Login,
        Timestamp::from_unix(1_795_000_000 + n).unwrap(),
        Some("admin"),
        None,
    )
}

/// A signed record numbered `sequence` from the fixture draft with PIN serial `serial`.
fn signed(sequence: u64, serial: u32) -> Enrollment<Signed> {
    let d = draft(serial);
    let station = StationId::parse("KG1101").unwrap();
    let header = RecordHeader {
        registration_id: RegistrationId::new(&station, sequence, now().date()),
        sequence,
        created_at: now(),
        operator: OperatorRef {
            login: "admin".into(),
            role: Role::Admin,
        },
        training: false,
        supersedes: None,
        duplicate_override: None,
    };
    let citizen = d.citizen.validate(now().date()).unwrap();
    Enrollment::new(
        station,
        header,
        citizen,
        d.captures,
        d.exceptions,
        d.signature_exception,
    )
    .unwrap()
    .sign(&StationKey::from_seed(&[1; 32]).unwrap())
    .unwrap()
}

#[test]
fn create_then_open_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kattoo.db");
    drop(fresh(dir.path()));
    assert!(matches!(
        Store::create(&path, &key("right")),
        Err(Error::Exists(p)) if p == path
    ));

    let store = Store::open(&path, &key("right")).unwrap();
    assert_eq!(store.path(), path);
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(pragma_i64(&store, "synchronous"), 2); // FULL
    assert_eq!(pragma_i64(&store, "foreign_keys"), 1);
    assert_eq!(user_version(&store).unwrap(), SCHEMA_VERSION);
    let row = store.db().station().unwrap();
    assert_eq!(
        (row.station_id.as_str(), row.precincts.as_slice()),
        ("KG1101", &["1101".to_string(), "1102".to_string()][..])
    );
    assert_eq!(&row.signing_seed[..], &[1; 32]);
    // The file is really encrypted: no SQLite header, no plain text.
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!bytes.windows(6).any(|w| w == b"KG1101"));

    let missing = dir.path().join("nothing.db");
    assert!(matches!(
        Store::open(&missing, &key("right")),
        Err(Error::Missing(p)) if p == missing
    ));
}

#[test]
fn a_wrong_key_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kattoo.db");
    drop(fresh(dir.path()));
    let before = hash_dir(dir.path());
    assert_eq!(before.0, ["kattoo.db"]);

    assert!(matches!(
        Store::open(&path, &key("wrong")),
        Err(Error::WrongPassphrase(p)) if p == path
    ));
    assert_eq!(hash_dir(dir.path()), before);
    assert!(Store::open(&path, &key("right")).is_ok());
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kattoo.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(
            None,
            "key",
            &*key_of_an_older_station("right").pragma_value(),
        )
        .unwrap();
        conn.execute_batch(include_str!("../../fixtures/store/schema-v1.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }

    let store = Store::open(&path, &key_of_an_older_station("right")).unwrap();
    assert_eq!(user_version(&store).unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 6);

    let db = store.db();
    let station = db.station().unwrap();
    assert_eq!(station.station_id, "KG1101");
    assert_eq!(station.precincts, ["1101", "1102"]);
    assert_eq!(
        &station.signing_seed[..],
        &(1..=32).collect::<Vec<u8>>()[..]
    );
    let admin = db.operator("admin").unwrap().unwrap();
    assert_eq!((admin.role, admin.failed_attempts), (Role::Admin, 2));
    assert!(!admin.must_change_password);
    let (default, not_null): (String, bool) = store
        .conn
        .query_row(
            "SELECT dflt_value, \"notnull\" FROM pragma_table_info('operators') WHERE name = 'must_change_password'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((default.as_str(), not_null), ("0", true));
    // Every record of the old database waits for its fingerprint templates.
    let records: i64 = store
        .conn
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        db.records_without_templates().unwrap().len() as i64,
        records
    );

    // The audit chain came through intact and still ends at the recorded head.
    let head = db.audit_head().unwrap();
    assert_eq!(head.0, 3);
    assert_eq!(
        verify_chain((0, [0; 32]), db.audit_rows(1, 100).unwrap()),
        Ok(head)
    );

    // The migrated schema is exactly what a new database gets.
    let schema = |s: &Store| -> Vec<(String, String, Option<String>)> {
        let mut stmt = s
            .conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let other = tempfile::tempdir().unwrap();
    let new = Store::create(&other.path().join("kattoo.db"), &key("right")).unwrap();
    assert_eq!(schema(&store), schema(&new));

    // And it keeps working: the next audit row follows the migrated head.
    let mut store = store;
    let (seq, _) = store.transaction(|db| db.append_audit(&event(1))).unwrap();
    assert_eq!(seq, 4);
    assert!(store.integrity_check().is_ok());
}

#[test]
fn a_newer_schema_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kattoo.db");
    {
        let store = fresh(dir.path());
        store
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = hash_dir(dir.path());
    match Store::open(&path, &key("right")) {
        Err(Error::NewerSchema {
            path: p,
            found,
            known,
        }) => {
            assert_eq!(
                (p, found, known),
                (path.clone(), SCHEMA_VERSION + 1, SCHEMA_VERSION)
            );
        }
        Err(e) => panic!("expected NewerSchema, got {e:?}"),
        Ok(_) => panic!("expected NewerSchema, the store opened"),
    }
    assert_eq!(hash_dir(dir.path()), before);
}

#[test]
fn biometric_blobs_are_stored_once_per_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = fresh(dir.path());
    let (a, b) = (signed(1, 1), signed(2, 2));
    assert_eq!(a.captures().len(), 12);
    store
        .transaction(|db| {
            db.insert_record(&a, None)?;
            db.insert_record(&b, None)
        })
        .unwrap();
    let db = store.db();
    assert_eq!(db.biometric_count().unwrap(), 12);
    let links: i64 = store
        .conn
        .query_row("SELECT count(*) FROM record_biometrics", [], |r| r.get(0))
        .unwrap();
    assert_eq!(links, 24);
    let face = &a.record().biometrics[10];
    assert_eq!(
        db.biometric(&face.sha256).unwrap().as_deref(),
        Some(&a.captures()[10].data[..])
    );
    let stored = db
        .record(a.record().registration_id.as_str())
        .unwrap()
        .unwrap();
    assert_eq!(stored.record_json, a.signed_bytes());
    assert_eq!(stored.signature, a.signature().to_bytes());
    assert_eq!(
        db.live_records_with_pin(a.record().citizen.pin.as_str())
            .unwrap(),
        [a.record().registration_id.to_string()]
    );
}

#[test]
fn a_failing_transaction_rolls_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = fresh(dir.path());
    store.transaction(|db| db.append_audit(&event(1))).unwrap();
    let head = store.db().audit_head().unwrap();

    let result = store.transaction(|db| -> Result<()> {
        db.append_audit(&event(2))?;
        db.next_sequence()?;
        db.set_operator_status("admin", OperatorStatus::Locked)?;
        Err(Error::Corrupt("the action failed".into()))
    });
    assert!(matches!(result, Err(Error::Corrupt(m)) if m == "the action failed"));
    let db = store.db();
    assert_eq!(db.audit_head().unwrap(), head);
    assert_eq!(db.audit_rows(1, 100).unwrap().len(), 1);
    assert_eq!(db.last_sequence().unwrap(), 0);
    assert_eq!(
        db.operator("admin").unwrap().unwrap().status,
        OperatorStatus::Active
    );
}

#[test]
fn a_fresh_store_passes_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh(dir.path());
    assert_eq!(store.integrity_check(), Ok(()));
    assert_eq!(store.db().audit_head().unwrap(), (0, [0; 32]));
}

#[test]
fn a_station_made_before_the_page_hmac_was_recorded_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let key = |page_hmac: &str| cheap_key("right", Some(page_hmac), None);
    // An older station's kdf.json names no page HMAC: SQLCipher's default (SHA-512) applies.
    let old: KdfParams = serde_json::from_str(
        r#"{"kdf":"argon2id","m_kib":8,"t":1,"p":1,"salt":"00000000000000000000000000000000"}"#,
    )
    .unwrap();
    assert_eq!(old.page_hmac, None);
    let path = dir.path().join("old.db");
    drop(Store::create(&path, &old.derive("right").unwrap()).unwrap());
    Store::open(&path, &key_of_an_older_station("right")).unwrap();
    Store::open(&path, &key("HMAC_SHA512")).unwrap();
    // The setting is real: the same key with the other HMAC does not open that file.
    assert!(matches!(
        Store::open(&path, &key("HMAC_SHA256")),
        Err(Error::WrongPassphrase(_))
    ));
    // A value SQLCipher would not know is refused before any file is touched.
    let bad = KdfParams {
        page_hmac: Some("HMAC_MD5".into()),
        ..old
    };
    assert!(bad.derive("right").is_err());
}

/// The page size SQLCipher reads the file with (it answers `PRAGMA page_size` itself, as text).
fn page_size(store: &Store) -> i64 {
    let text: String = store
        .raw_connection()
        .query_row("PRAGMA cipher_page_size", [], |r| r.get(0))
        .unwrap();
    text.parse().unwrap()
}

#[test]
fn new_stations_use_large_pages_and_older_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.db");
    let store = Store::create(&new, &key("right")).unwrap();
    assert_eq!(page_size(&store), i64::from(crate::crypto::PAGE_SIZE));
    drop(store);
    let reopened = Store::open(&new, &key("right")).unwrap();
    assert_eq!(page_size(&reopened), i64::from(crate::crypto::PAGE_SIZE));
    drop(reopened);
    // The size is part of how the file is read: the right passphrase with SQLCipher's default
    // page size does not open it, and is told so as a wrong passphrase, changing nothing.
    let before = std::fs::read(&new).unwrap();
    assert!(!before.is_empty() && before.len() % crate::crypto::PAGE_SIZE as usize == 0);
    assert!(matches!(
        Store::open(
            &new,
            &cheap_key("right", Some(crate::crypto::PAGE_HMAC), None)
        ),
        Err(Error::WrongPassphrase(_))
    ));
    assert_eq!(std::fs::read(&new).unwrap(), before);

    // An older station's kdf.json names no page size: SQLCipher's 4 KiB pages, as before.
    let old: KdfParams = serde_json::from_str(
        r#"{"kdf":"argon2id","m_kib":8,"t":1,"p":1,"salt":"00000000000000000000000000000000","page_hmac":"HMAC_SHA256"}"#,
    )
    .unwrap();
    assert_eq!(old.page_size, None);
    let path = dir.path().join("old.db");
    drop(Store::create(&path, &old.derive("right").unwrap()).unwrap());
    let store = Store::open(&path, &old.derive("right").unwrap()).unwrap();
    assert_eq!(page_size(&store), 4096);
    // A size SQLite cannot use is refused before any file is touched.
    for size in [1000, 256, 131_072] {
        let bad = KdfParams {
            page_size: Some(size),
            ..old.clone()
        };
        assert!(bad.derive("right").is_err(), "{size}");
    }
}

#[test]
fn numbering_starts_where_it_is_set_and_cannot_be_moved_once_begun() {
    let dir = tempfile::tempdir().unwrap();
    let store = fresh(dir.path());
    let db = store.db();
    db.number_from(42).unwrap();
    assert_eq!(db.next_sequence().unwrap(), 42);
    assert!(matches!(db.number_from(7), Err(Error::Corrupt(_))));
    assert_eq!(db.next_sequence().unwrap(), 43);
}
