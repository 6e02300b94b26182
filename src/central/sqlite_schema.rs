//! The schema of central's SQLite store, migrated by `PRAGMA user_version` (each step in one
//! transaction with its version bump; a database from a newer build is refused), and the
//! permission guard on its file.

use super::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Each step takes the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the first layout. Databases made before schema versions have it at version 0, hence
    // `IF NOT EXISTS`. The identity was stored in plain text.
    r#"
CREATE TABLE IF NOT EXISTS identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL,
    recipient TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stations (
    station_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    public_key TEXT NOT NULL,
    certificate BLOB NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    station_id TEXT NOT NULL REFERENCES stations(station_id),
    sequence INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    previous_sha256 TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    audit_head_seq INTEGER NOT NULL,
    audit_head_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (station_id, sequence)
);
CREATE TABLE IF NOT EXISTS records (
    registration_id TEXT PRIMARY KEY,
    station_id TEXT NOT NULL REFERENCES stations(station_id),
    batch_sequence INTEGER NOT NULL,
    pin TEXT NOT NULL,
    record_json BLOB NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS records_pin ON records(pin);
CREATE TABLE IF NOT EXISTS biometrics (
    sha256 TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    station_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event BLOB NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (station_id, seq)
);
"#,
    // 2: the identity is kept encrypted to central's passphrase (age scrypt, as `age -p` writes
    // it). One stored in plain text before moves to `plain` until `protect-identity`.
    r#"
CREATE TABLE identity_2 (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    protected BLOB,
    plain TEXT,
    recipient TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((protected IS NULL) <> (plain IS NULL))
);
INSERT INTO identity_2 (id, plain, recipient, created_at)
    SELECT id, secret, recipient, created_at FROM identity;
DROP TABLE identity;
ALTER TABLE identity_2 RENAME TO identity;
"#,
    // 3: one person, one registration across stations. Central's own templates of the fingers
    // it searches, which record supersedes which (records imported before this version have
    // NULL and no templates: they are not searched), and the pairs of records found to match,
    // each stored once in registration id order, with a central operator's decision.
    r#"
ALTER TABLE records ADD COLUMN supersedes TEXT;
CREATE INDEX records_supersedes ON records(supersedes);
CREATE TABLE templates (
    registration_id TEXT NOT NULL REFERENCES records(registration_id),
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    iso BLOB NOT NULL,
    PRIMARY KEY (registration_id, position)
);
CREATE TABLE duplicates (
    id INTEGER PRIMARY KEY,
    first_id TEXT NOT NULL REFERENCES records(registration_id),
    second_id TEXT NOT NULL REFERENCES records(registration_id),
    score REAL NOT NULL,
    fingers TEXT NOT NULL,
    found_at TEXT NOT NULL,
    decision TEXT CHECK (decision IN ('confirmed', 'not-a-duplicate')),
    decided_by TEXT,
    reason TEXT,
    decided_at TEXT,
    CHECK (first_id < second_id),
    CHECK ((decision IS NULL) = (decided_by IS NULL)),
    UNIQUE (first_id, second_id)
);
"#,
    // 4: station keys. Every key a station has signed with; `stations.public_key` is its current
    // one. A revoked key's batches are refused; a new key is linked to the one it replaces, with
    // who linked them and why. Batches and audit rows belong to the key that signed them, so a
    // re-keyed station (a replacement laptop) numbers its batches and its audit chain from 1.
    r#"
CREATE TABLE station_keys (
    public_key TEXT PRIMARY KEY,
    station_id TEXT NOT NULL REFERENCES stations(station_id),
    certificate BLOB NOT NULL,
    added_at TEXT NOT NULL,
    replaces TEXT REFERENCES station_keys(public_key),
    added_by TEXT,
    reason TEXT,
    revoked_at TEXT,
    revoked_by TEXT,
    revoked_reason TEXT,
    CHECK ((replaces IS NULL) = (added_by IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
INSERT INTO station_keys (public_key, station_id, certificate, added_at)
    SELECT public_key, station_id, certificate, added_at FROM stations;
CREATE TABLE batches_4 (
    station_id TEXT NOT NULL REFERENCES stations(station_id),
    station_key TEXT NOT NULL REFERENCES station_keys(public_key),
    sequence INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    previous_sha256 TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    audit_head_seq INTEGER NOT NULL,
    audit_head_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (station_key, sequence)
);
INSERT INTO batches_4
    SELECT b.station_id, s.public_key, b.sequence, b.sha256, b.previous_sha256, b.record_count,
           b.audit_head_seq, b.audit_head_hash, b.imported_at
    FROM batches b JOIN stations s USING (station_id);
DROP TABLE batches;
ALTER TABLE batches_4 RENAME TO batches;
CREATE INDEX batches_station ON batches(station_id);
CREATE TABLE audit_4 (
    station_id TEXT NOT NULL,
    station_key TEXT NOT NULL REFERENCES station_keys(public_key),
    seq INTEGER NOT NULL,
    event BLOB NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (station_key, seq)
);
INSERT INTO audit_4
    SELECT a.station_id, s.public_key, a.seq, a.event, a.prev, a.hash
    FROM audit a JOIN stations s USING (station_id);
DROP TABLE audit;
ALTER TABLE audit_4 RENAME TO audit;
CREATE INDEX audit_station ON audit(station_id);
"#,
    // 5: the register by precinct: where each citizen votes, from the record itself, for the
    // precinct's list and its voter list.
    r#"
ALTER TABLE records ADD COLUMN precinct TEXT;
UPDATE records SET precinct = json_extract(CAST(record_json AS TEXT), '$.citizen.precinct');
CREATE INDEX records_precinct ON records(precinct);
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(Error::Db)
}

/// Applies every missing migration; refuses a database from a newer build.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    crate::store::migrations::apply(conn, MIGRATIONS, "central").map_err(Error::Db)
}

/// Central's database holds every name, PIN and biometric it imported: it is created readable by
/// its owner only, and one that its group or others can read is refused, with what to run.
pub(super) fn guard_permissions(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(Error::DatabasePermissions {
                        path: path.to_owned(),
                        mode,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|source| Error::Io {
                        path: path.display().to_string(),
                        source,
                    })?;
            }
            Err(source) => {
                return Err(Error::Io {
                    path: path.display().to_string(),
                    source,
                });
            }
        }
    }
    Ok(())
}
