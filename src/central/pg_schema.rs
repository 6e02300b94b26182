//! The schema of central's PostgreSQL store: versioned SQL in `src/central/pg/`, each version
//! applied in one transaction with its row in `kattoo_schema`; a database from a newer build is
//! refused.

use super::pg::db;
use super::{Error, Result};
use postgres::Client;

/// Each step takes the schema from version `i` to `i + 1`, in one transaction with its row in
/// `kattoo_schema`.
const MIGRATIONS: &[&str] = &[include_str!("pg/0001_register.sql")];

/// The schema version this build writes.
pub const PG_SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;
/// The version of the schema `conn`'s database holds (0 when kattoo never made one there). A
/// plain read: a role that may only read and write the data can open a current database.
fn found(conn: &mut impl postgres::GenericClient) -> Result<i32> {
    let made: bool = conn
        .query_one("SELECT to_regclass('kattoo_schema') IS NOT NULL", &[])
        .map_err(db)?
        .get(0);
    if !made {
        return Ok(0);
    }
    Ok(conn
        .query_one("SELECT coalesce(max(version), 0) FROM kattoo_schema", &[])
        .map_err(db)?
        .get(0))
}

/// Applies every missing migration, one transaction each; refuses a database from a newer build.
/// Nothing is created or locked when the database is current; two kattoo processes migrating at
/// once take turns on the version table's lock.
pub(super) fn migrate(conn: &mut Client, target: &str) -> Result<()> {
    let newer = |found: i32| Error::NewerSchema {
        path: target.into(),
        found: found.into(),
        known: PG_SCHEMA_VERSION.into(),
    };
    match found(conn)? {
        current if current == PG_SCHEMA_VERSION => return Ok(()),
        newer_one if newer_one > PG_SCHEMA_VERSION => return Err(newer(newer_one)),
        _ => {}
    }
    conn.batch_execute("CREATE TABLE IF NOT EXISTS kattoo_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        .map_err(db)?;
    let mut tx = conn.transaction().map_err(db)?;
    tx.batch_execute("LOCK TABLE kattoo_schema IN EXCLUSIVE MODE")
        .map_err(db)?;
    // Again under the lock: another process may have migrated meanwhile.
    let found = found(&mut tx)?;
    if found > PG_SCHEMA_VERSION {
        return Err(newer(found));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).map_err(db)?;
        tx.execute(
            "INSERT INTO kattoo_schema (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .map_err(db)?;
        tracing::info!(version = i + 1, "central database migrated");
    }
    tx.commit().map_err(db)
}
