//! Central's PostgreSQL store, for a national central: the engine central IT departments run,
//! replicate and back up. The same rules run over it as over [`super::SqliteCentral`]; only the
//! SQL differs. Its schema is versioned SQL in `src/central/pg/`, applied by
//! [`super::pg_schema`]; the import of one batch is [`super::pg_import`], and its rows read as
//! central's types in [`super::pg_rows`].
//!
//! Two connections: one for the rules' reads and central's other writes, and one for the open
//! import transaction. The rules read what other importers committed while an import is open,
//! so several importers (each its own [`PgCentral`]) can run at once: an import locks its
//! station's row ([`super::ImportTransaction::take_turn`]) before the rules read, so imports of one
//! station take turns from there to their commit, enforced by the database, while imports of
//! different stations go on side by side.
//!
//! Citizens' data is sealed under central's key ([`super::sealed`]): the store reads and writes
//! it only once [`CentralStore::open_sealed`] has been given central's opened identity, and
//! refuses with [`Error::Locked`] before.
//!
//! Biometrics go into `biometrics` as `bytea`, one row per file as it streams past (a few
//! megabytes at most), so memory stays flat whatever the batch size. Two importers streaming
//! batches that hold the same file can deadlock on each other's uncommitted rows; PostgreSQL
//! then aborts one, and [`super::Central::import`] imports that batch again
//! ([`Error::is_retryable`]). Staging in a temporary table instead avoided the deadlock but
//! halved the import's speed (benches/README.md).

use super::pg_import::PgImport;
use super::pg_rows::{batch_row, duplicate_row, key_raw, to_entry};
use super::pg_tls::PgTls;
use super::register::{self, RegisterEntry, RegisterQuery};
use super::sealed::{ColumnKey, Place};
use super::sql;
use super::sqlite_keys::{COLUMNS as KEY_COLUMNS, row as key_row};
use super::{
    AcceptedBatch, CentralKey, CentralStore, DecisionRow, DuplicateRow, Error, IdentitySecret,
    KeyLink, Result, Revocation, Since, StationEntry, StationKeyRow, StoredIdentity,
};
use crate::crypto::PublicKey;
use postgres::types::ToSql;
use postgres::{Client, Config, Row};
use std::cell::{OnceCell, RefCell, RefMut};

pub(super) fn db(e: postgres::Error) -> Error {
    Error::Pg(e.into())
}

/// Central's PostgreSQL database.
pub struct PgCentral {
    /// The rules' reads, and every write outside an import.
    conn: RefCell<Client>,
    /// The open import transaction's connection.
    import: RefCell<Client>,
    /// The database as errors name it, without a password.
    target: String,
    /// What citizens' data is sealed with, once central's identity is open.
    columns: OnceCell<ColumnKey>,
}

impl PgCentral {
    /// Connects to the database `config` names (twice, see the module documentation) and
    /// migrates it to this build's schema. `target` names it in errors, without a password.
    pub fn connect(config: &Config, target: &str) -> Result<Self> {
        Self::connect_with(config, target, None)
    }

    /// As [`PgCentral::connect`], over `tls` when given (a server on another machine).
    pub fn connect_with(config: &Config, target: &str, tls: Option<&PgTls>) -> Result<Self> {
        let connect = || {
            super::pg_tls::connect(config, tls).map_err(|source| Error::PgConnect {
                target: target.to_owned(),
                source: source.into(),
            })
        };
        let mut conn = connect()?;
        super::pg_schema::migrate(&mut conn, target, None)?;
        let import = connect()?;
        Ok(Self {
            conn: RefCell::new(conn),
            import: RefCell::new(import),
            target: target.to_owned(),
            columns: OnceCell::new(),
        })
    }

    fn conn(&self) -> RefMut<'_, Client> {
        self.conn.borrow_mut()
    }

    /// The key citizens' data is sealed with, once central's identity is open.
    fn columns(&self) -> Result<&ColumnKey> {
        self.columns.get().ok_or(Error::Locked)
    }

    /// `(registration id, position, sealed template)` rows, opened.
    fn open_templates(&self, rows: Vec<Row>) -> Result<Vec<(String, u8, Vec<u8>)>> {
        let key = self.columns()?;
        rows.into_iter()
            .map(|r| {
                let (id, position): (String, i16) = (r.get(0), r.get(1));
                let iso = key.open(Place::Template(&id, position as u8), r.get(2))?;
                Ok((id, position as u8, iso))
            })
            .collect()
    }
}

/// Marks `k` revoked unless it already is, in `c` (a connection or a transaction).
fn revoke(c: &mut impl postgres::GenericClient, k: &PublicKey, r: &Revocation) -> Result<bool> {
    let n = c
        .execute(sql::REVOKE_KEY, &[&k.to_pem(), &r.at, &r.by, &r.reason])
        .map_err(db)?;
    Ok(n == 1)
}

impl CentralStore for PgCentral {
    type Import<'a> = PgImport<'a>;

    fn identity(&self) -> Result<Option<StoredIdentity>> {
        Ok(self
            .conn()
            .query_opt(
                "SELECT protected, recipient, created_at FROM identity WHERE id = 1",
                &[],
            )
            .map_err(db)?
            .map(|r| StoredIdentity {
                secret: IdentitySecret::Protected(r.get(0)),
                recipient: r.get(1),
                created_at: r.get(2),
            }))
    }

    fn set_identity(&mut self, protected: &[u8], recipient: &str, created_at: &str) -> Result<()> {
        // Only `init` stores an identity here (kattoo never kept a plain one in PostgreSQL, so
        // there is nothing to protect later): two inits at once must not both succeed, the
        // second replacing a recipient the first may have handed out.
        let n = self
            .conn
            .get_mut()
            .execute(
                "INSERT INTO identity (id, protected, recipient, created_at) VALUES (1, $1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                &[&protected, &recipient, &created_at],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(Error::AlreadyInitialised("this database".into()));
        }
        Ok(())
    }

    fn add_station(&mut self, s: &StationEntry, certificate: &[u8]) -> Result<()> {
        let pem = s.public_key.to_pem();
        let mut tx = self.conn.get_mut().transaction().map_err(db)?;
        tx.execute(
            sql::INSERT_STATION,
            &[
                &s.station_id,
                &s.name,
                &s.region,
                &pem,
                &certificate,
                &s.added_at,
            ],
        )
        .map_err(db)?;
        tx.execute(
            sql::INSERT_STATION_KEY,
            &[&pem, &s.station_id, &certificate, &s.added_at],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    fn station(&self, id: &str) -> Result<Option<StationEntry>> {
        self.conn()
            .query_opt(sql::STATION, &[&id])
            .map_err(db)?
            .map(|r| to_entry(&r))
            .transpose()
    }

    fn stations(&self) -> Result<Vec<StationEntry>> {
        self.conn()
            .query(sql::STATIONS, &[])
            .map_err(db)?
            .iter()
            .map(to_entry)
            .collect()
    }

    fn station_key(&self, key: &PublicKey) -> Result<Option<StationKeyRow>> {
        self.conn()
            .query_opt(
                &format!("SELECT {KEY_COLUMNS} FROM station_keys WHERE public_key = $1"),
                &[&key.to_pem()],
            )
            .map_err(db)?
            .map(|r| key_row(key_raw(&r)))
            .transpose()
    }

    fn station_keys(&self, station_id: &str) -> Result<Vec<StationKeyRow>> {
        self.conn()
            .query(
                &format!("SELECT {KEY_COLUMNS} FROM station_keys WHERE station_id = $1 ORDER BY added_order"),
                &[&station_id],
            )
            .map_err(db)?
            .iter()
            .map(|r| key_row(key_raw(r)))
            .collect()
    }

    fn revoke_key(&mut self, key: &PublicKey, revocation: &Revocation) -> Result<bool> {
        // The station's row first, as imports take it: a revocation waits for an import of the
        // station in progress, and no import checks the key under it.
        let mut tx = self.conn.get_mut().transaction().map_err(db)?;
        tx.query(
            "SELECT 1 FROM stations WHERE station_id = (SELECT station_id FROM station_keys WHERE public_key = $1) FOR UPDATE",
            &[&key.to_pem()],
        )
        .map_err(db)?;
        let revoked = revoke(&mut tx, key, revocation)?;
        tx.commit().map_err(db)?;
        Ok(revoked)
    }

    fn rekey_station(
        &mut self,
        new: &StationEntry,
        certificate: &[u8],
        link: &KeyLink,
    ) -> Result<()> {
        let mut tx = self.conn.get_mut().transaction().map_err(db)?;
        let revocation = Revocation {
            at: link.at.clone(),
            by: link.by.clone(),
            reason: link.reason.clone(),
        };
        revoke(&mut tx, &link.replaces, &revocation)?;
        let pem = new.public_key.to_pem();
        tx.execute(
            sql::INSERT_LINKED_KEY,
            &[
                &pem,
                &new.station_id,
                &certificate,
                &link.at,
                &link.replaces.to_pem(),
                &link.by,
                &link.reason,
            ],
        )
        .map_err(db)?;
        tx.execute(
            sql::SET_CURRENT_KEY,
            &[&new.station_id, &pem, &certificate, &new.name, &new.region],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>> {
        Ok(self
            .conn()
            .query_opt(sql::BATCH_BY_SHA, &[&sha256])
            .map_err(db)?
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64)))
    }

    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>> {
        Ok(self
            .conn()
            .query(sql::BATCHES, &[&station_id])
            .map_err(db)?
            .iter()
            .map(batch_row)
            .collect())
    }

    fn record_count(&self, station_id: &str) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_one(sql::RECORD_COUNT, &[&station_id])
            .map_err(db)?
            .get(0);
        Ok(n as u64)
    }

    fn last_record_id(&self, station_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_one(sql::LAST_RECORD_ID, &[&station_id])
            .map_err(db)?
            .get(0))
    }

    fn biometrics_held(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_one(sql::BIOMETRIC_COUNT, &[])
            .map_err(db)?
            .get(0);
        Ok(n as u64)
    }

    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>> {
        let mac = self.columns()?.pin_mac(pin);
        Ok(self
            .conn()
            .query(
                "SELECT station_id, registration_id FROM records WHERE pin_mac = $1 AND station_id <> $2 ORDER BY registration_id",
                &[&mac, &station_id],
            )
            .map_err(db)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn searchable_templates(&self) -> Result<Vec<(String, u8, Vec<u8>)>> {
        let rows = self
            .conn()
            .query(sql::SEARCHABLE_TEMPLATES, &[])
            .map_err(db)?;
        self.open_templates(rows)
    }

    fn register_mark(&self) -> Result<u64> {
        let mark: i64 = self
            .conn()
            .query_one("SELECT coalesce(max(import_no), 0) FROM records", &[])
            .map_err(db)?
            .get(0);
        Ok(mark as u64)
    }

    fn searchable_since(&self, mark: u64) -> Result<Since> {
        self.columns()?;
        let mut conn = self.conn();
        let mark = mark as i64;
        // One snapshot for the three reads.
        let mut tx = conn
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(db)?;
        let last: i64 = tx
            .query_one("SELECT coalesce(max(import_no), 0) FROM records", &[])
            .map_err(db)?
            .get(0);
        let templates = tx
            .query(
                "SELECT t.registration_id, t.position, t.iso FROM templates t
                 JOIN records r ON r.registration_id = t.registration_id
                 WHERE r.import_no > $1 ORDER BY r.import_no, t.position",
                &[&mark],
            )
            .map_err(db)?;
        let superseded = tx
            .query(
                "SELECT supersedes FROM records WHERE import_no > $1 AND supersedes IS NOT NULL",
                &[&mark],
            )
            .map_err(db)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        tx.commit().map_err(db)?;
        drop(conn);
        Ok(Since {
            mark: last as u64,
            templates: self.open_templates(templates)?,
            superseded,
        })
    }

    fn duplicates(&self) -> Result<Vec<DuplicateRow>> {
        Ok(self
            .conn()
            .query(sql::DUPLICATES, &[])
            .map_err(db)?
            .iter()
            .map(duplicate_row)
            .collect())
    }

    fn register(&self, query: &RegisterQuery) -> Result<Vec<RegisterEntry>> {
        let key = self.columns()?;
        let mac;
        let value: &(dyn ToSql + Sync) = match query {
            RegisterQuery::Pin(pin) => {
                mac = key.pin_mac(pin);
                &mac
            }
            RegisterQuery::Precinct(precinct) => precinct,
            RegisterQuery::PinsAtSeveralStations => &"",
        };
        let rows = self
            .conn()
            .query(&query.sql("pin_mac"), &[value])
            .map_err(db)?;
        register::entries(rows.into_iter().map(|r| {
            let id: String = r.get(0);
            let json = key.open(Place::Record(&id), r.get(4))?;
            Ok((id, r.get(1), r.get(2), r.get(3), json))
        }))
    }

    fn templates_of(&self, registration_id: &str) -> Result<Vec<(u8, Vec<u8>)>> {
        let key = self.columns()?;
        self.conn()
            .query(sql::TEMPLATES_OF, &[&registration_id])
            .map_err(db)?
            .into_iter()
            .map(|r| {
                let position = r.get::<_, i16>(0) as u8;
                let iso = key.open(Place::Template(registration_id, position), r.get(1))?;
                Ok((position, iso))
            })
            .collect()
    }

    fn decide(&mut self, id: u64, d: &DecisionRow) -> Result<bool> {
        let n = self
            .conn
            .get_mut()
            .execute(
                sql::DECIDE,
                &[&(id as i64), &d.decision.as_str(), &d.by, &d.reason, &d.at],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn record(&self, registration_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        let key = self.columns()?;
        self.conn()
            .query_opt(sql::RECORD, &[&registration_id])
            .map_err(db)?
            .map(|r| {
                Ok((
                    r.get(0),
                    key.open(Place::Record(registration_id), r.get(1))?,
                ))
            })
            .transpose()
    }

    fn open_sealed(&self, key: &CentralKey) -> Result<()> {
        if self.columns.get().is_some() {
            return Ok(());
        }
        let columns = ColumnKey::new(key);
        // Rows an older kattoo stored in the clear are sealed now, with the key at hand.
        super::pg_schema::migrate(&mut self.conn(), &self.target, Some(&columns))?;
        let _ = self.columns.set(columns);
        Ok(())
    }

    fn begin_import(&self) -> Result<PgImport<'_>> {
        PgImport::begin(self.import.borrow_mut(), self.columns()?)
    }
}
