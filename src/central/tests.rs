//! Central's identity over the SQLite store: init, unlock, the schema migration from a database
//! made before passphrases, and protecting the plain identity it holds. Scrypt runs at the cheap
//! work factor of unit tests here (see `identity::work_factor`). Also one example of every central
//! error, for the translation test.

use super::*;
use crate::crypto::SignatureError;
use rusqlite::Connection;
use std::path::Path;

/// A dump of a central database from before schema versions, its identity in plain text.
const SCHEMA_0_DUMP: &str = include_str!("../../fixtures/central/schema-0.sql");

/// An old central database at `path`; returns the plain identity file it holds and its recipient.
pub(super) fn old_database(path: &Path) -> (String, String) {
    let conn = Connection::open(path).unwrap();
    private(path);
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(SCHEMA_0_DUMP).unwrap();
    conn.query_row("SELECT secret, recipient FROM identity", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

/// Makes a database file made outside kattoo readable by its owner only, as kattoo requires.
fn private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn the_central_database_is_made_private_and_a_readable_one_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    drop(SqliteCentral::open(&db).unwrap());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = SqliteCentral::open(&db).err().expect("refused");
    assert!(
        matches!(err, Error::DatabasePermissions { mode: 0o640, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("chmod 600"), "{err}");
    private(&db);
    SqliteCentral::open(&db).unwrap();
}

/// Every byte of the database's files on disk.
fn on_disk(path: &Path) -> Vec<u8> {
    let mut all = std::fs::read(path).unwrap();
    for suffix in ["-wal", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        all.extend(std::fs::read(p).unwrap_or_default());
    }
    all
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn init_stores_the_identity_encrypted_and_only_its_passphrase_unlocks_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    let mut central = Central::new(SqliteCentral::open(&db).unwrap());
    assert!(matches!(central.unlock("x"), Err(Error::NotInitialised)));
    let made = central
        .init("central pass", "2026-11-27T06:00:00Z")
        .unwrap();
    assert!(made.file.starts_with(b"age-encryption.org/v1\n-> scrypt "));

    let key = central.unlock("central pass").unwrap();
    assert_eq!(key.recipients(), [made.recipient.as_str()]);
    assert!(matches!(
        central.unlock("central pasS"),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        central.init("again", "t"),
        Err(Error::AlreadyInitialised(_))
    ));
    assert!(matches!(
        central.protect_identity("other"),
        Err(Error::AlreadyProtected)
    ));
    drop(central);
    assert!(!holds(&on_disk(&db), b"AGE-SECRET-KEY-1"));
    // The stored file is the one init returned.
    let store = SqliteCentral::open(&db).unwrap();
    let Some(StoredIdentity {
        secret: IdentitySecret::Protected(file),
        ..
    }) = store.identity().unwrap()
    else {
        panic!("not stored protected")
    };
    assert_eq!(file, made.file);
}

#[test]
fn an_old_database_keeps_its_data_and_is_refused_until_its_identity_is_protected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    let (key_text, recipient) = old_database(&db);
    assert!(holds(&on_disk(&db), b"AGE-SECRET-KEY-1"));

    let mut central = Central::new(SqliteCentral::open(&db).unwrap());
    let version: i64 = Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, sqlite_schema::SCHEMA_VERSION);
    let stations = central.store().stations().unwrap();
    assert_eq!(
        (stations.len(), stations[0].station_id.as_str()),
        (1, "KG1101")
    );
    let err = central.unlock("anything").unwrap_err();
    assert!(matches!(err, Error::UnprotectedIdentity), "{err}");
    assert!(err.to_string().contains("kattoo central protect-identity"));

    let made = central.protect_identity("new central pass").unwrap();
    assert_eq!(made.recipient, recipient);
    let key = central.unlock("new central pass").unwrap();
    assert_eq!(
        key.identities()[0].to_public().to_string(),
        crate::batch::parse_identities(&key_text).unwrap()[0]
            .to_public()
            .to_string()
    );
    assert!(matches!(central.unlock("old"), Err(Error::WrongPassphrase)));
    drop(central);
    // The plain identity is gone from every file of the database, not just from the table.
    let disk = on_disk(&db);
    assert!(!holds(&disk, b"AGE-SECRET-KEY-1"));
    let secret_line = key_text.lines().find(|l| l.starts_with("AGE-")).unwrap();
    assert!(!holds(&disk, &secret_line.as_bytes()[15..40]));

    // Opening again migrates nothing and keeps the protected identity.
    let central = Central::new(SqliteCentral::open(&db).unwrap());
    assert!(central.unlock("new central pass").is_ok());
}

#[test]
fn a_database_from_a_newer_kattoo_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    {
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", sqlite_schema::SCHEMA_VERSION + 1)
            .unwrap();
    }
    private(&db);
    let err = SqliteCentral::open(&db).err().unwrap();
    assert!(err.to_string().contains("use a newer kattoo"), "{err}");
}

#[test]
fn a_dropped_import_leaves_no_biometric_and_the_next_one_can_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    let store = SqliteCentral::open(&db).unwrap();
    let other = Connection::open(&db).unwrap();
    let count = || -> i64 {
        other
            .query_row("SELECT count(*) FROM biometrics", [], |r| r.get(0))
            .unwrap()
    };
    {
        let mut tx = store.begin_import().unwrap();
        tx.put_biometric("aa", b"one").unwrap();
        tx.put_biometric("bb", b"two").unwrap();
        assert_eq!(count(), 0);
    }
    assert_eq!(count(), 0);
    let mut tx = store.begin_import().unwrap();
    tx.put_biometric("aa", b"one").unwrap();
    drop(tx);
    assert_eq!(count(), 0);
}

impl Error {
    /// A real client error: connecting to a socket directory that does not exist.
    fn unreachable_server() -> postgres::Error {
        postgres::Config::new()
            .host_path("/nonexistent/kattoo")
            .user("kattoo")
            .connect(postgres::NoTls)
            .err()
            .expect("no server there")
    }

    /// One example of every variant (and, inside `Batch`, of every batch variant), for tests
    /// that every message is translated. The match has no wildcard, so a new variant fails to
    /// compile here until it is listed.
    pub(crate) fn examples() -> Vec<Error> {
        let s = || "KG1101".to_owned();
        let mut all = vec![
            Error::Db(rusqlite::Error::QueryReturnedNoRows),
            Error::NewerSchema {
                path: "c.sqlite".into(),
                found: 3,
                known: 2,
            },
            Error::StoredStationKey {
                station: s(),
                source: SignatureError::BadPublicKey(s()),
            },
            Error::DatabasePermissions {
                path: "c.sqlite".into(),
                mode: 0o644,
            },
            Error::NoIdentity,
            Error::IdentityMismatch(s()),
            Error::NotInitialised,
            Error::AlreadyInitialised(s()),
            Error::UnknownStation(s()),
            Error::StationKeyConflict {
                station: s(),
                fingerprint: s(),
            },
            Error::RevokedStationKey {
                station: s(),
                fingerprint: s(),
            },
            Error::KeyInUse {
                station: s(),
                fingerprint: s(),
            },
            Error::KeyChangeIncomplete,
            Error::PlainDatabase("central.sqlite".into()),
            Error::UnfinishedExport(s()),
            Error::RegistrationIdTaken {
                station: s(),
                id: s(),
            },
            Error::Replay {
                station: s(),
                sequence: 2,
            },
            Error::LowerSequence {
                station: s(),
                sequence: 2,
                last: 3,
            },
            Error::SequenceOutOfRange {
                station: s(),
                sequence: 0,
                last: 3,
            },
            Error::ChainMismatch {
                station: s(),
                sequence: 2,
                previous: 1,
                what: "the audit chain",
            },
            Error::WrongStationKey {
                station: s(),
                found: s(),
                registered: s(),
            },
            Error::Io {
                path: s(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            },
            Error::Changed(s()),
            Error::WrongPassphrase,
            Error::EmptyPassphrase,
            Error::UnprotectedIdentity,
            Error::AlreadyProtected,
            Error::IdentityEncrypt(age::EncryptError::MissingRecipients),
            Error::IdentityArmored,
            Error::IdentityForKey,
            Error::IdentityWork { required: 30 },
            Error::IdentityDamaged(age::DecryptError::InvalidHeader),
            Error::IdentityNotText,
            Error::Template {
                registration_id: s(),
                message: s(),
            },
            Error::UnknownPair(3),
            Error::AlreadyDecided {
                id: 3,
                decision: "confirmed",
                by: s(),
                at: s(),
            },
            Error::DecisionIncomplete,
            Error::Pg(Self::unreachable_server().into()),
            Error::PgConnect {
                target: "postgres://kattoo@/central".into(),
                source: Self::unreachable_server().into(),
            },
            Error::PgPasswordInAddress("postgres://kattoo@db/central".into()),
            Error::PgAddress("mysql://db".into()),
            Error::PgRemote("postgres://kattoo@db.example/central".into()),
            Error::PgSslMode(
                "postgres://kattoo@db.example/central".into(),
                "require".into(),
            ),
            Error::PgAuthority("postgres://kattoo@db.example/central".into()),
            Error::PgTls {
                file: "/etc/kattoo/central-ca.pem".into(),
                source: openssl::error::ErrorStack::get(),
            },
            Error::PgClientCertificateNamed("postgres://kattoo@db.example/central".into()),
            Error::PgTlsOverSocket("postgres://kattoo@%2Frun%2Fpostgresql/central".into()),
            Error::PgClientCertificate {
                file: "/etc/kattoo/importer.key".into(),
                source: openssl::error::ErrorStack::get(),
            },
            Error::PgClientKeyReadable("/etc/kattoo/importer.key".into()),
            Error::RecordUnreadable(s()),
            Error::VoterListSignature(SignatureError::Mismatch),
            Error::VoterListForm("not in canonical form (JCS)".into()),
            Error::VoterListPrecinct {
                listed: "1102".into(),
                expected: "1101".into(),
            },
            Error::Sealed("records.record_json of KG1101-20261201-00001".into()),
            Error::Locked,
        ];
        all.extend(batch::Error::examples().into_iter().map(Error::Batch));
        for e in &all {
            match e {
                Error::Batch(_)
                | Error::Db(_)
                | Error::NewerSchema { .. }
                | Error::StoredStationKey { .. }
                | Error::DatabasePermissions { .. }
                | Error::NoIdentity
                | Error::IdentityMismatch(_)
                | Error::NotInitialised
                | Error::AlreadyInitialised(_)
                | Error::UnknownStation(_)
                | Error::StationKeyConflict { .. }
                | Error::RevokedStationKey { .. }
                | Error::KeyInUse { .. }
                | Error::KeyChangeIncomplete
                | Error::PlainDatabase(_)
                | Error::UnfinishedExport(_)
                | Error::RegistrationIdTaken { .. }
                | Error::Replay { .. }
                | Error::LowerSequence { .. }
                | Error::SequenceOutOfRange { .. }
                | Error::ChainMismatch { .. }
                | Error::WrongStationKey { .. }
                | Error::Io { .. }
                | Error::Changed(_)
                | Error::WrongPassphrase
                | Error::EmptyPassphrase
                | Error::UnprotectedIdentity
                | Error::AlreadyProtected
                | Error::IdentityEncrypt(_)
                | Error::IdentityArmored
                | Error::IdentityForKey
                | Error::IdentityWork { .. }
                | Error::IdentityDamaged(_)
                | Error::IdentityNotText
                | Error::Template { .. }
                | Error::UnknownPair(_)
                | Error::AlreadyDecided { .. }
                | Error::DecisionIncomplete
                | Error::Pg(_)
                | Error::PgConnect { .. }
                | Error::PgPasswordInAddress(_)
                | Error::PgAddress(_)
                | Error::PgRemote(_)
                | Error::PgSslMode(..)
                | Error::PgAuthority(_)
                | Error::PgTls { .. }
                | Error::PgClientCertificateNamed(_)
                | Error::PgTlsOverSocket(_)
                | Error::PgClientCertificate { .. }
                | Error::PgClientKeyReadable(_)
                | Error::RecordUnreadable(_)
                | Error::VoterListSignature(_)
                | Error::VoterListForm(_)
                | Error::VoterListPrecinct { .. }
                | Error::Sealed(_)
                | Error::Locked => {}
            }
        }
        all
    }
}
