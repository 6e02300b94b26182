//! Central's SQLite store: one SQLite file, encrypted at rest with the central passphrase
//! ([`super::at_rest`]). Central's SQL lives here, not in `store/`, which is the station's.
//! Nothing in it opens a batch without the passphrase: central's identity is stored encrypted to
//! it (see [`super::identity`]). Its schema and migrations are in [`super::sqlite_schema`].

use super::register::{self, RegisterEntry, RegisterQuery};
use super::sql;
use super::sqlite_schema::{guard_permissions, migrate};
use super::{
    AcceptedBatch, BatchSearch, CentralKey, CentralStore, DecisionRow, DuplicateRow, Error,
    IdentitySecret, ImportTransaction, KeyLink, Result, Revocation, Since, StationEntry,
    StationKeyRow, StoredIdentity,
};
use crate::batch::VerifiedBatch;
use crate::crypto::PublicKey;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use std::path::Path;
use zeroize::Zeroizing;

/// Central's SQLite database.
pub struct SqliteCentral {
    conn: Connection,
}

impl SqliteCentral {
    /// Opens (creating if needed) the plain database at `path`, migrating it to this build's
    /// schema. The command line keeps central's database encrypted
    /// ([`SqliteCentral::open_encrypted`]); a plain one is for tests and tools.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, None)
    }

    /// Opens the database at `path`, keyed with `passphrase` when given.
    pub(super) fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Self> {
        guard_permissions(path)?;
        let mut conn = Connection::open(path).map_err(Error::Db)?;
        if let Some(passphrase) = passphrase {
            super::at_rest::key(&conn, passphrase)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(Error::Db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(Error::Db)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(Error::Db)?;
        // Deleted content (a plain identity that was replaced) is overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(Error::Db)?;
        migrate(&mut conn, path)?;
        Ok(Self { conn })
    }
}

/// The open import of one batch into [`SqliteCentral`]: an `IMMEDIATE` transaction, so a second
/// importer waits at its start (up to SQLite's busy timeout) instead of failing at commit.
/// Dropped uncommitted, it rolls back.
pub struct SqliteImport<'a> {
    tx: Transaction<'a>,
}

impl ImportTransaction for SqliteImport<'_> {
    fn take_turn(&mut self, _station_id: &str) -> Result<()> {
        // Already exclusive: an IMMEDIATE transaction holds SQLite's write lock from its start.
        Ok(())
    }

    fn put_biometric(&mut self, sha256: &str, data: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO biometrics (sha256, data) VALUES (?1, ?2)")
            .map_err(Error::Db)?
            .execute(params![sha256, data])
            .map_err(Error::Db)?;
        Ok(())
    }

    fn biometric(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.tx
            .prepare_cached(&sql::lite(sql::BIOMETRIC))
            .map_err(Error::Db)?
            .query_row([sha256], |r| r.get(0))
            .optional()
            .map_err(Error::Db)
    }

    fn commit(
        self,
        b: &AcceptedBatch,
        v: &VerifiedBatch,
        search: &BatchSearch,
        now: &str,
    ) -> Result<()> {
        let tx = self.tx;
        let key = v.station_key.to_pem();
        tx.execute(
            &sql::lite(sql::INSERT_BATCH),
            params![
                b.station_id,
                key,
                b.sequence as i64,
                b.sha256,
                b.previous_sha256,
                b.record_count as i64,
                b.audit_head_seq as i64,
                b.audit_head_hash,
                b.imported_at
            ],
        )
        .map_err(Error::Db)?;
        for r in &v.records {
            tx.execute(
                &sql::lite(sql::INSERT_RECORD),
                params![
                    r.registration_id,
                    b.station_id,
                    b.sequence as i64,
                    r.record.citizen.pin.as_str(),
                    r.record.citizen.precinct.as_str(),
                    r.json,
                    &r.signature.to_bytes()[..],
                    r.record.supersedes.as_ref().map(|s| s.as_str())
                ],
            )
            .map_err(|e| match e {
                // An id central holds already (from an earlier batch, or from the station's
                // previous key): said by name, not as a failed constraint.
                rusqlite::Error::SqliteFailure(f, _)
                    if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
                {
                    Error::RegistrationIdTaken {
                        station: b.station_id.clone(),
                        id: r.registration_id.clone(),
                    }
                }
                e => Error::Db(e),
            })?;
        }
        for row in &v.audit {
            tx.execute(
                &sql::lite(sql::INSERT_AUDIT),
                params![
                    b.station_id,
                    key,
                    row.seq as i64,
                    row.event,
                    &row.prev[..],
                    &row.hash[..]
                ],
            )
            .map_err(Error::Db)?;
        }
        for (id, position, iso) in &search.templates {
            tx.execute(&sql::lite(sql::INSERT_TEMPLATE), params![id, position, iso])
                .map_err(Error::Db)?;
        }
        super::sqlite_dedup::insert_found(&tx, search, now)?;
        tx.commit().map_err(Error::Db)
    }
}

fn station_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

pub(super) fn to_entry(
    (station_id, name, region, pem, added_at): (String, String, String, String, String),
) -> Result<StationEntry> {
    Ok(StationEntry {
        public_key: PublicKey::from_pem(&pem).map_err(|source| Error::StoredStationKey {
            station: station_id.clone(),
            source,
        })?,
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
    type Import<'a> = SqliteImport<'a>;

    fn identity(&self) -> Result<Option<StoredIdentity>> {
        let row = self
            .conn
            .query_row(
                "SELECT protected, plain, recipient, created_at FROM identity WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<Vec<u8>>>(0)?,
                        r.get::<_, Option<String>>(1)?.map(Zeroizing::new),
                        r.get(2)?,
                        r.get(3)?,
                    ))
                },
            )
            .optional()
            .map_err(Error::Db)?;
        let Some((protected, plain, recipient, created_at)) = row else {
            return Ok(None);
        };
        let secret = match (protected, plain) {
            (Some(file), _) => IdentitySecret::Protected(file),
            (None, Some(text)) => IdentitySecret::Plain(text),
            (None, None) => return Err(Error::NoIdentity),
        };
        Ok(Some(StoredIdentity {
            secret,
            recipient,
            created_at,
        }))
    }

    fn set_identity(&mut self, protected: &[u8], recipient: &str, created_at: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO identity (id, protected, plain, recipient, created_at) VALUES (1, ?1, NULL, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET protected = excluded.protected, plain = NULL,
                     recipient = excluded.recipient, created_at = excluded.created_at",
                params![protected, recipient, created_at],
            )
            .map_err(Error::Db)?;
        // With secure_delete, the replaced page is zeroed in the main file once the WAL is
        // checkpointed; do it now so no plain identity is left on disk. Busy readers can only
        // delay it (to the next checkpoint), so its result is not an error.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        Ok(())
    }

    fn add_station(&mut self, s: &StationEntry, certificate: &[u8]) -> Result<()> {
        let tx = self.conn.transaction().map_err(Error::Db)?;
        tx.execute(
            &sql::lite(sql::INSERT_STATION),
            params![
                s.station_id,
                s.name,
                s.region,
                s.public_key.to_pem(),
                certificate,
                s.added_at
            ],
        )
        .map_err(Error::Db)?;
        tx.execute(
            &sql::lite(sql::INSERT_STATION_KEY),
            params![s.public_key.to_pem(), s.station_id, certificate, s.added_at],
        )
        .map_err(Error::Db)?;
        tx.commit().map_err(Error::Db)
    }

    fn station_key(&self, key: &PublicKey) -> Result<Option<StationKeyRow>> {
        super::sqlite_keys::station_key(&self.conn, key)
    }

    fn revoke_key(&mut self, key: &PublicKey, revocation: &Revocation) -> Result<bool> {
        super::sqlite_keys::revoke_key(&self.conn, key, revocation)
    }

    fn rekey_station(
        &mut self,
        new: &StationEntry,
        certificate: &[u8],
        link: &KeyLink,
    ) -> Result<()> {
        super::sqlite_keys::rekey_station(&mut self.conn, new, certificate, link)
    }

    fn station_keys(&self, station_id: &str) -> Result<Vec<StationKeyRow>> {
        super::sqlite_keys::station_keys(&self.conn, station_id)
    }

    fn station(&self, id: &str) -> Result<Option<StationEntry>> {
        self.conn
            .query_row(&sql::lite(sql::STATION), [id], station_row)
            .optional()
            .map_err(Error::Db)?
            .map(to_entry)
            .transpose()
    }

    fn stations(&self) -> Result<Vec<StationEntry>> {
        let mut stmt = self
            .conn
            .prepare(&sql::lite(sql::STATIONS))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map([], station_row)
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        rows.into_iter().map(to_entry).collect()
    }

    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>> {
        self.conn
            .query_row(&sql::lite(sql::BATCH_BY_SHA), [sha256], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
            })
            .optional()
            .map_err(Error::Db)
    }

    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>> {
        let mut stmt = self
            .conn
            .prepare(&sql::lite(sql::BATCHES))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map([station_id], batch_row)
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        Ok(rows)
    }

    fn record_count(&self, station_id: &str) -> Result<u64> {
        self.conn
            .query_row(&sql::lite(sql::RECORD_COUNT), [station_id], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(Error::Db)
    }

    fn last_record_id(&self, station_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(&sql::lite(sql::LAST_RECORD_ID), [station_id], |r| r.get(0))
            .map_err(Error::Db)
    }

    fn biometrics_held(&self) -> Result<u64> {
        self.conn
            .query_row(&sql::lite(sql::BIOMETRIC_COUNT), [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(Error::Db)
    }

    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&sql::lite(sql::PIN_ELSEWHERE))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map(params![pin, station_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        Ok(rows)
    }

    fn searchable_templates(&self) -> Result<Vec<(String, u8, Vec<u8>)>> {
        let mut stmt = self
            .conn
            .prepare(&sql::lite(sql::SEARCHABLE_TEMPLATES))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        Ok(rows)
    }

    fn register_mark(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT coalesce(max(rowid), 0) FROM records", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(Error::Db)
    }

    fn searchable_since(&self, mark: u64) -> Result<Since> {
        // Records are only ever inserted, by one writer at a time, so their rowids grow in the
        // order they become visible. Called inside the import's transaction, which holds the
        // write lock: the three reads see one state.
        let tx = &self.conn;
        let last = tx
            .query_row("SELECT coalesce(max(rowid), 0) FROM records", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(Error::Db)?;
        let templates = tx
            .prepare_cached(
                "SELECT t.registration_id, t.position, t.iso FROM templates t
                 JOIN records r ON r.registration_id = t.registration_id
                 WHERE r.rowid > ?1 ORDER BY r.rowid, t.position",
            )
            .and_then(|mut stmt| {
                stmt.query_map([mark as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(Error::Db)?;
        let superseded = tx
            .prepare_cached(
                "SELECT supersedes FROM records WHERE rowid > ?1 AND supersedes IS NOT NULL",
            )
            .and_then(|mut stmt| {
                stmt.query_map([mark as i64], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(Error::Db)?;
        Ok(Since {
            mark: last as u64,
            templates,
            superseded,
        })
    }

    fn duplicates(&self) -> Result<Vec<DuplicateRow>> {
        super::sqlite_dedup::duplicates(&self.conn)
    }

    fn register(&self, query: &RegisterQuery) -> Result<Vec<RegisterEntry>> {
        let value = match query {
            RegisterQuery::Pin(value) | RegisterQuery::Precinct(value) => value.as_str(),
            RegisterQuery::PinsAtSeveralStations => "",
        };
        let mut stmt = self
            .conn
            .prepare_cached(&sql::lite(&query.sql("pin")))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map([value], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    // A record imported before precincts were kept has none.
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        register::entries(rows.into_iter().map(Ok))
    }

    fn templates_of(&self, registration_id: &str) -> Result<Vec<(u8, Vec<u8>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&sql::lite(sql::TEMPLATES_OF))
            .map_err(Error::Db)?;
        let rows = stmt
            .query_map([registration_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(Error::Db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::Db)?;
        Ok(rows)
    }

    fn decide(&mut self, id: u64, d: &DecisionRow) -> Result<bool> {
        super::sqlite_dedup::decide(&self.conn, id, d)
    }

    fn record(&self, registration_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        self.conn
            .query_row(&sql::lite(sql::RECORD), [registration_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(Error::Db)
    }

    /// The file is encrypted whole with the passphrase: nothing is sealed apart.
    fn open_sealed(&self, _: &CentralKey) -> Result<()> {
        Ok(())
    }

    fn begin_import(&self) -> Result<SqliteImport<'_>> {
        Ok(SqliteImport {
            tx: Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                .map_err(Error::Db)?,
        })
    }
}
