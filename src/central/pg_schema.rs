//! The schema of central's PostgreSQL store: versioned SQL in `src/central/pg/`, each version
//! applied in one transaction with its row in `kattoo_schema`; a database from a newer build is
//! refused.
//!
//! Version 2 seals citizens' data under central's key ([`super::sealed`]). Rows an older kattoo
//! stored in the clear are sealed inside that version's transaction, which therefore needs the
//! key: a database holding such rows stays at version 1 until central's identity is opened
//! ([`super::PgCentral`] asks for citizens' data only then), and is sealed whole or not at all.

use super::pg::db;
use super::sealed::{ColumnKey, Place};
use super::{Error, Result};
use postgres::types::ToSql;
use postgres::{Client, Row, Transaction};

/// Where kattoo's own step goes in a migration's SQL.
const SEAL_HERE: &str = "-- kattoo: seal the rows here";

/// Each step takes the schema from version `i` to `i + 1`, in one transaction with its row in
/// `kattoo_schema`.
const MIGRATIONS: &[&str] = &[
    include_str!("pg/0001_register.sql"),
    include_str!("pg/0002_sealed_columns.sql"),
    include_str!("pg/0003_pin_station_index.sql"),
];

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
/// once take turns on the version table's lock. Without `key`, it stops before a migration that
/// would have rows to seal. Whether the database is now current.
pub(super) fn migrate(conn: &mut Client, target: &str, key: Option<&ColumnKey>) -> Result<bool> {
    let newer = |found: i32| Error::NewerSchema {
        path: target.into(),
        found: found.into(),
        known: PG_SCHEMA_VERSION.into(),
    };
    match found(conn)? {
        current if current == PG_SCHEMA_VERSION => return Ok(true),
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
    let mut current = true;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        match sql.split_once(SEAL_HERE) {
            None => tx.batch_execute(sql).map_err(db)?,
            Some((before, after)) => {
                let to_seal = holds_citizens(&mut tx)?;
                if to_seal && key.is_none() {
                    current = false;
                    break;
                }
                tx.batch_execute(before).map_err(db)?;
                if let Some(key) = key.filter(|_| to_seal) {
                    seal_rows(&mut tx, key)?;
                }
                tx.batch_execute(after).map_err(db)?;
            }
        }
        tx.execute(
            "INSERT INTO kattoo_schema (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .map_err(db)?;
        tracing::info!(version = i + 1, "central database migrated");
    }
    tx.commit().map_err(db)?;
    Ok(current)
}

/// Whether the database holds any record, template or biometric file.
fn holds_citizens(tx: &mut Transaction<'_>) -> Result<bool> {
    Ok(tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM records) OR EXISTS (SELECT 1 FROM templates) OR EXISTS (SELECT 1 FROM biometrics)",
            &[],
        )
        .map_err(db)?
        .get(0))
}

/// How many rows a step of the sealing reads at a time: memory stays flat whatever the size.
const SEAL_CHUNK: i32 = 256;

/// One sealed row's new values, in the order of its `UPDATE`'s parameters.
type Values = Vec<Box<dyn ToSql + Sync>>;

/// Reads `select` through a portal, `chunk` rows at a time, and runs `update` with what `seal`
/// makes of each row.
fn reseal(
    tx: &mut Transaction<'_>,
    select: &str,
    update: &str,
    chunk: i32,
    mut seal: impl FnMut(&Row) -> Values,
) -> Result<()> {
    let rows = tx.bind(select, &[]).map_err(db)?;
    let update = tx.prepare(update).map_err(db)?;
    loop {
        let page = tx.query_portal(&rows, chunk).map_err(db)?;
        if page.is_empty() {
            return Ok(());
        }
        for row in &page {
            let values = seal(row);
            let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            tx.execute(&update, &params).map_err(db)?;
        }
    }
}

/// Seals every row an older kattoo stored in the clear: each record's PIN becomes its keyed hash
/// and its JSON a sealed value, as do templates and biometric files.
fn seal_rows(tx: &mut Transaction<'_>, key: &ColumnKey) -> Result<()> {
    let mut sealed = 0u64;
    reseal(
        tx,
        "SELECT registration_id, pin, record_json FROM records",
        "UPDATE records SET pin_mac = $2, record_json = $3 WHERE registration_id = $1",
        SEAL_CHUNK,
        |r| {
            let id: String = r.get(0);
            let (pin_mac, json) = (
                key.pin_mac(r.get(1)),
                key.seal(Place::Record(&id), r.get(2)),
            );
            sealed += 1;
            vec![Box::new(id), Box::new(pin_mac), Box::new(json)]
        },
    )?;
    reseal(
        tx,
        "SELECT registration_id, position, iso FROM templates",
        "UPDATE templates SET iso = $3 WHERE registration_id = $1 AND position = $2",
        SEAL_CHUNK,
        |r| {
            let (id, position): (String, i16) = (r.get(0), r.get(1));
            let iso = key.seal(Place::Template(&id, position as u8), r.get(2));
            vec![Box::new(id), Box::new(position), Box::new(iso)]
        },
    )?;
    // Biometric files are megabytes each: one at a time.
    reseal(
        tx,
        "SELECT sha256, data FROM biometrics",
        "UPDATE biometrics SET data = $2 WHERE sha256 = $1",
        1,
        |r| {
            let sha256: String = r.get(0);
            let data = key.seal(Place::Biometric(&sha256), r.get(1));
            vec![Box::new(sha256), Box::new(data)]
        },
    )?;
    if sealed > 0 {
        tracing::info!(
            records = sealed,
            "citizens' data in central's database sealed"
        );
    }
    Ok(())
}
