//! Central's SQLite store: one plain (unencrypted) SQLite file. Central's SQL lives here, not in
//! `store/`, which is the station's.

use super::{AcceptedBatch, CentralStore, Error, Result, StationEntry};
use crate::batch::VerifiedBatch;
use crate::crypto::PublicKey;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::Path;

const SCHEMA: &str = r#"
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
"#;

/// Central's SQLite database.
pub struct SqliteCentral {
    conn: Connection,
}

fn db(e: rusqlite::Error) -> Error {
    Error::Db(e.to_string())
}

impl SqliteCentral {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Self { conn })
    }
}

fn station_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_entry(
    (station_id, name, region, pem, added_at): (String, String, String, String, String),
) -> Result<StationEntry> {
    Ok(StationEntry {
        public_key: PublicKey::from_pem(&pem)
            .map_err(|e| Error::Db(format!("station {station_id}: {e}")))?,
        station_id,
        name,
        region,
        added_at,
    })
}

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AcceptedBatch> {
    Ok(AcceptedBatch {
        station_id: r.get(0)?,
        sequence: r.get::<_, i64>(1)? as u64,
        sha256: r.get(2)?,
        previous_sha256: r.get(3)?,
        record_count: r.get::<_, i64>(4)? as u64,
        audit_head_seq: r.get::<_, i64>(5)? as u64,
        audit_head_hash: r.get(6)?,
        imported_at: r.get(7)?,
    })
}

impl CentralStore for SqliteCentral {
    fn identity(&self) -> Result<Option<(String, String)>> {
        self.conn
            .query_row(
                "SELECT secret, recipient FROM identity WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    fn set_identity(&mut self, secret: &str, recipient: &str, at: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO identity (id, secret, recipient, created_at) VALUES (1, ?1, ?2, ?3)",
                params![secret, recipient, at],
            )
            .map_err(db)?;
        Ok(())
    }

    fn add_station(&mut self, s: &StationEntry, certificate: &[u8]) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO stations (station_id, name, region, public_key, certificate, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![s.station_id, s.name, s.region, s.public_key.to_pem(), certificate, s.added_at],
            )
            .map_err(db)?;
        Ok(())
    }

    fn station(&self, id: &str) -> Result<Option<StationEntry>> {
        self.conn
            .query_row("SELECT station_id, name, region, public_key, added_at FROM stations WHERE station_id = ?1", [id], station_row)
            .optional()
            .map_err(db)?
            .map(to_entry)
            .transpose()
    }

    fn stations(&self) -> Result<Vec<StationEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT station_id, name, region, public_key, added_at FROM stations ORDER BY station_id")
            .map_err(db)?;
        let rows = stmt
            .query_map([], station_row)
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        rows.into_iter().map(to_entry).collect()
    }

    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>> {
        self.conn
            .query_row(
                "SELECT station_id, sequence FROM batches WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
            )
            .optional()
            .map_err(db)
    }

    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT station_id, sequence, sha256, previous_sha256, record_count, audit_head_seq, audit_head_hash, imported_at
                 FROM batches WHERE station_id = ?1 ORDER BY sequence",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([station_id], batch_row)
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        Ok(rows)
    }

    fn record_count(&self, station_id: &str) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM records WHERE station_id = ?1",
                [station_id],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(db)
    }

    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT station_id, registration_id FROM records WHERE pin = ?1 AND station_id != ?2 ORDER BY registration_id")
            .map_err(db)?;
        let rows = stmt
            .query_map(params![pin, station_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db)?;
        Ok(rows)
    }

    fn import(
        &mut self,
        b: &AcceptedBatch,
        v: &VerifiedBatch,
        biometrics: &BTreeMap<String, Vec<u8>>,
    ) -> Result<()> {
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO batches (station_id, sequence, sha256, previous_sha256, record_count, audit_head_seq, audit_head_hash, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![b.station_id, b.sequence as i64, b.sha256, b.previous_sha256, b.record_count as i64, b.audit_head_seq as i64, b.audit_head_hash, b.imported_at],
        )
        .map_err(db)?;
        for r in &v.records {
            tx.execute(
                "INSERT INTO records (registration_id, station_id, batch_sequence, pin, record_json, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![r.registration_id, b.station_id, b.sequence as i64, r.record.citizen.pin.as_str(), r.json, &r.signature.to_bytes()[..]],
            )
            .map_err(db)?;
        }
        for (sha, data) in biometrics {
            tx.execute(
                "INSERT OR IGNORE INTO biometrics (sha256, data) VALUES (?1, ?2)",
                params![sha, data],
            )
            .map_err(db)?;
        }
        for row in &v.audit {
            tx.execute(
                "INSERT INTO audit (station_id, seq, event, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![b.station_id, row.seq as i64, row.event, &row.prev[..], &row.hash[..]],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }
}
