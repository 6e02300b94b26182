//! Schema migrations by `PRAGMA user_version`, each step in one transaction with the version bump.

use super::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE station (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        station_id TEXT NOT NULL,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        precincts TEXT NOT NULL,            -- JSON array of 4-digit strings
        signing_seed BLOB NOT NULL,         -- ed25519 seed; the whole file is encrypted
        created_at TEXT NOT NULL,
        last_sequence INTEGER NOT NULL DEFAULT 0,
        audit_head_seq INTEGER NOT NULL DEFAULT 0,
        audit_head_hash BLOB NOT NULL DEFAULT (zeroblob(32))
    );
    CREATE TABLE operators (
        login TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('registrar', 'supervisor', 'admin')),
        password_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER,               -- unix seconds of an automatic lockout's end
        created_at TEXT NOT NULL,
        created_by TEXT
    );
    CREATE TABLE records (
        registration_id TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL UNIQUE,
        pin TEXT NOT NULL,
        created_at TEXT NOT NULL,
        operator TEXT NOT NULL REFERENCES operators(login),
        training INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'exported')),
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT,
        supersedes TEXT REFERENCES records(registration_id),
        superseded_by TEXT REFERENCES records(registration_id),
        duplicate_of TEXT REFERENCES records(registration_id),
        record_json BLOB NOT NULL,          -- the exact signed JCS bytes
        signature BLOB NOT NULL             -- 64 raw bytes
    );
    CREATE INDEX records_pin ON records(pin);
    CREATE TABLE biometrics (
        sha256 TEXT PRIMARY KEY,
        data BLOB NOT NULL
    );
    CREATE TABLE record_biometrics (
        registration_id TEXT NOT NULL REFERENCES records(registration_id),
        sha256 TEXT NOT NULL REFERENCES biometrics(sha256),
        PRIMARY KEY (registration_id, sha256)
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        event BLOB NOT NULL,                -- JCS of the event
        prev BLOB NOT NULL,
        hash BLOB NOT NULL
    );
    "#,
    // 2: a reset password must be changed at the next login; list by status quickly.
    r#"
    ALTER TABLE operators ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX records_status ON records(status, sequence);
    "#,
    // 3: exported batches, which record travelled in which, and the recipients batches are encrypted to.
    r#"
    CREATE TABLE batches (
        sequence INTEGER PRIMARY KEY,       -- per station, from 1
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,               -- of the .age file bytes
        record_count INTEGER NOT NULL,
        audit_head_seq INTEGER NOT NULL,
        audit_head_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL REFERENCES operators(login)
    );
    CREATE TABLE batch_records (
        registration_id TEXT PRIMARY KEY REFERENCES records(registration_id),
        batch INTEGER NOT NULL REFERENCES batches(sequence)
    );
    CREATE TABLE batch_recipients (
        recipient TEXT PRIMARY KEY,         -- age X25519 recipient, age1...
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL
    );
    "#,
    // 4: station settings a supervisor changes from the kiosk (training mode, device backends);
    // each overrides the configuration file when the station is unlocked.
    r#"
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,                -- JSON
        set_at TEXT NOT NULL,
        set_by TEXT NOT NULL REFERENCES operators(login)
    );
    "#,
    // 5: fingerprint templates (ISO/IEC 19794-2), one per finger of a record, for the duplicate
    // search and identification; records saved before this step wait for the back-fill.
    r#"
    CREATE TABLE templates (
        registration_id TEXT NOT NULL REFERENCES records(registration_id),
        position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
        template BLOB NOT NULL,
        PRIMARY KEY (registration_id, position)
    );
    ALTER TABLE records ADD COLUMN templates_done INTEGER NOT NULL DEFAULT 0;
    "#,
    // 6: operator login by fingerprint: the templates of an operator's enrolled fingers (no
    // images are kept), and whether a supervisor requires finger and password together.
    r#"
    CREATE TABLE operator_fingers (
        login TEXT NOT NULL REFERENCES operators(login),
        position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
        template BLOB NOT NULL,
        enrolled_at TEXT NOT NULL,
        PRIMARY KEY (login, position)
    );
    ALTER TABLE operators ADD COLUMN finger_required INTEGER NOT NULL DEFAULT 0;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a database from a newer build before anything is written.
pub(super) fn check_not_newer(conn: &Connection, path: &Path) -> Result<()> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Applies every missing migration; each step and its version bump commit together.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    check_not_newer(conn, path)?;
    Ok(apply(conn, MIGRATIONS, "station")?)
}

/// The one migration runner (the station's store and central's): applies `steps[v..]` to a
/// database at `PRAGMA user_version` v, each step and its version bump in one exclusive
/// transaction, so an interrupted run resumes where it stopped. The caller has refused a newer
/// database first.
pub(crate) fn apply(conn: &mut Connection, steps: &[&str], what: &str) -> rusqlite::Result<()> {
    let known = steps.len() as i64;
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= known {
            return Ok(());
        }
        tx.execute_batch(steps[current as usize])?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        tracing::info!(
            from = current,
            to = current + 1,
            database = what,
            "migrated database"
        );
    }
}
