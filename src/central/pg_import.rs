//! The import of one batch into central's PostgreSQL store, on the store's import connection.

use super::pg::db;
use super::sealed::{ColumnKey, Place};
use super::sql;
use super::{AcceptedBatch, BatchSearch, Error, ImportTransaction, Result};
use crate::batch::VerifiedBatch;
use postgres::error::SqlState;
use postgres::{Client, Statement};
use std::cell::{RefCell, RefMut};

/// The key of the advisory lock that imports take turns on ("kattoo" in ASCII).
const REGISTER_LOCK: i64 = 0x6b61_7474_6f6f;
/// The open import of one batch into [`PgCentral`], on its own connection. Dropped uncommitted,
/// it rolls back.
pub struct PgImport<'a> {
    /// The import connection, held for the whole import (a second import on one store waits
    /// for none: [`super::Central`] imports one batch at a time), in a cell because reading a
    /// staged biometric back (`&self`) sends on it too.
    client: RefCell<RefMut<'a, Client>>,
    put: Option<Statement>,
    /// What citizens' data is sealed with.
    key: &'a ColumnKey,
    open: bool,
}

impl<'a> PgImport<'a> {
    /// Opens the import's transaction on `client`, the store's import connection.
    pub(super) fn begin(mut client: RefMut<'a, Client>, key: &'a ColumnKey) -> Result<Self> {
        client.batch_execute("BEGIN").map_err(db)?;
        Ok(PgImport {
            client: RefCell::new(client),
            put: None,
            key,
            open: true,
        })
    }
}

impl Drop for PgImport<'_> {
    fn drop(&mut self) {
        if self.open {
            // A connection that is gone has rolled back already.
            let _ = self.client.get_mut().batch_execute("ROLLBACK");
        }
    }
}

/// Whether `e` broke the unique constraint `name`.
fn violates(e: &postgres::Error, name: &str) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && e.as_db_error().and_then(|d| d.constraint()) == Some(name)
}

impl ImportTransaction for PgImport<'_> {
    fn take_turn(&mut self, station_id: &str) -> Result<()> {
        self.client
            .get_mut()
            .query(
                "SELECT 1 FROM stations WHERE station_id = $1 FOR UPDATE",
                &[&station_id],
            )
            .map_err(db)?;
        // Then the register's own lock, always second (no two imports wait on each other in a
        // circle): every import's duplicate search and commit take turns, so each searches
        // everything committed before it, and records are numbered (`import_no`) in the order
        // they become visible.
        self.client
            .get_mut()
            .execute("SELECT pg_advisory_xact_lock($1)", &[&REGISTER_LOCK])
            .map_err(db)?;
        Ok(())
    }

    fn put_biometric(&mut self, sha256: &str, data: &[u8]) -> Result<()> {
        let client = self.client.get_mut();
        let put = match &self.put {
            Some(put) => put.clone(),
            None => {
                let put = client
                    .prepare(
                        "INSERT INTO biometrics (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                    )
                    .map_err(db)?;
                self.put.insert(put).clone()
            }
        };
        let sealed = self.key.seal(Place::Biometric(sha256), data);
        client.execute(&put, &[&sha256, &sealed]).map_err(db)?;
        Ok(())
    }

    fn biometric(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.client
            .borrow_mut()
            .query_opt(sql::BIOMETRIC, &[&sha256])
            .map_err(db)?
            .map(|r| self.key.open(Place::Biometric(sha256), r.get(0)))
            .transpose()
    }

    fn commit(
        mut self,
        b: &AcceptedBatch,
        v: &VerifiedBatch,
        search: &BatchSearch,
        now: &str,
    ) -> Result<()> {
        let key = v.station_key.to_pem();
        let c = &mut **self.client.get_mut();
        c.execute(
            sql::INSERT_BATCH,
            &[
                &b.station_id,
                &key,
                &(b.sequence as i64),
                &b.sha256,
                &b.previous_sha256,
                &(b.record_count as i64),
                &(b.audit_head_seq as i64),
                &b.audit_head_hash,
                &b.imported_at,
            ],
        )
        .map_err(|e| {
            if violates(&e, "batches_pkey") || violates(&e, "batches_sha256_key") {
                Error::Replay {
                    station: b.station_id.clone(),
                    sequence: b.sequence,
                }
            } else {
                db(e)
            }
        })?;
        let insert_record = c
            .prepare(
                "INSERT INTO records (registration_id, station_id, batch_sequence, pin_mac, precinct, record_json, signature, supersedes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .map_err(db)?;
        for r in &v.records {
            let signature = r.signature.to_bytes();
            c.execute(
                &insert_record,
                &[
                    &r.registration_id,
                    &b.station_id,
                    &(b.sequence as i64),
                    &self.key.pin_mac(r.record.citizen.pin.as_str()),
                    &r.record.citizen.precinct.as_str(),
                    &self.key.seal(Place::Record(&r.registration_id), &r.json),
                    &&signature[..],
                    &r.record.supersedes.as_ref().map(|s| s.as_str()),
                ],
            )
            .map_err(|e| {
                // An id central holds already: said by name, not as a failed constraint.
                if violates(&e, "records_pkey") {
                    Error::RegistrationIdTaken {
                        station: b.station_id.clone(),
                        id: r.registration_id.clone(),
                    }
                } else {
                    db(e)
                }
            })?;
        }
        let insert_audit = c.prepare(sql::INSERT_AUDIT).map_err(db)?;
        for row in &v.audit {
            c.execute(
                &insert_audit,
                &[
                    &b.station_id,
                    &key,
                    &(row.seq as i64),
                    &row.event,
                    &&row.prev[..],
                    &&row.hash[..],
                ],
            )
            .map_err(db)?;
        }
        for (id, position, iso) in &search.templates {
            let sealed = self.key.seal(Place::Template(id, *position), iso);
            c.execute(sql::INSERT_TEMPLATE, &[id, &i16::from(*position), &sealed])
                .map_err(db)?;
        }
        for d in &search.found {
            let (first, second) = d.ordered();
            c.execute(
                sql::INSERT_DUPLICATE,
                &[
                    first,
                    second,
                    &f64::from(d.score),
                    &super::dedup::fingers_json(&d.fingers),
                    &now,
                ],
            )
            .map_err(db)?;
        }
        c.batch_execute("COMMIT").map_err(db)?;
        self.open = false;
        Ok(())
    }
}
