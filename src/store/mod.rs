//! The station's encrypted SQLite store (SQLCipher), the only module that speaks SQL.
//!
//! One file holds the station, its key, operators, records, biometric blobs and the audit chain.
//! Every write happens in a transaction opened by [`Store::transaction`], so an action and its
//! audit row commit together or not at all.

mod audit;
mod export;
pub(crate) mod migrations;
mod operators;
mod records;
mod settings;
mod station;
mod templates;
mod training;

pub use export::BatchRow;
pub use migrations::SCHEMA_VERSION;
pub use operators::{OperatorRow, OperatorStatus};
pub use records::{RecordFilter, RecordStatus, StatusCounts, StoredRecord};
pub use station::StationRow;
pub use templates::StoredTemplate;
pub use training::TrainingDeletion;

use crate::crypto::DatabaseKey;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Store errors, each naming what failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "wrong station passphrase for {0}: nothing was changed; check the keyboard layout and try again"
    )]
    WrongPassphrase(PathBuf),
    #[error(
        "{path} was written by a newer kattoo (schema {found}, this one knows up to {known}): install the newer kattoo; nothing was changed"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no station database at {0}: run `kattoo init` first")]
    Missing(PathBuf),
    #[error("a station database already exists at {0}; refusing to overwrite it")]
    Exists(PathBuf),
    #[error("cannot open database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

/// Result alias for the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open, unlocked station database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Access to the tables inside a transaction (or for plain reads).
pub struct Db<'a>(&'a Connection);

/// Gives SQLCipher the key, its page size and page HMAC, before anything is read. Public for
/// the tools that read a station's file directly: benches, and tests that alter it behind the
/// station's back.
pub fn unlock(conn: &Connection, key: &DatabaseKey) -> Result<()> {
    // A wrong key is reported as our own error; keep SQLCipher from printing its own.
    conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
    conn.pragma_update(None, "key", &*key.pragma_value())?;
    if let Some(size) = key.page_size() {
        conn.pragma_update(None, "cipher_page_size", size)?;
    }
    if let Some(hmac) = key.page_hmac() {
        conn.pragma_update(None, "cipher_hmac_algorithm", hmac)?;
    }
    Ok(())
}

impl Store {
    /// Creates a new encrypted database at `path` with the current schema.
    pub fn create(path: &Path, key: &DatabaseKey) -> Result<Store> {
        if path.exists() {
            return Err(Error::Exists(path.to_owned()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;
        unlock(&conn, key)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        store.configure()?;
        migrations::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// Opens and unlocks an existing database, migrating it forward if it is older.
    /// A wrong key is detected before anything is written.
    pub fn open(path: &Path, key: &DatabaseKey) -> Result<Store> {
        if !path.exists() {
            return Err(Error::Missing(path.to_owned()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;
        unlock(&conn, key)?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
                return Err(Error::WrongPassphrase(path.to_owned()));
            }
            Err(source) => {
                return Err(Error::Open {
                    path: path.to_owned(),
                    source,
                });
            }
        }
        migrations::check_not_newer(&conn, path)?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        store.configure()?;
        migrations::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Corrupt(format!(
                "could not switch to WAL journal (got {mode})"
            )));
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate transaction: committed if `f` returns `Ok`, rolled back otherwise.
    pub fn transaction<T, E>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::from)?;
        let out = f(&Db(&tx))?;
        tx.commit().map_err(Error::from)?;
        Ok(out)
    }

    /// The connection itself, for tests that tamper with the file behind the store's back.
    #[cfg(test)]
    pub(crate) fn raw_connection(&self) -> &Connection {
        &self.conn
    }

    /// Read access outside a transaction.
    pub fn db(&self) -> Db<'_> {
        Db(&self.conn)
    }

    /// `PRAGMA integrity_check`: `Ok(())` or the problems SQLite lists.
    pub fn integrity_check(&self) -> Result<(), Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| vec![e.to_string()])?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| vec![e.to_string()])?;
        if rows == ["ok"] { Ok(()) } else { Err(rows) }
    }
}

/// Current schema version of an opened connection (for tests and diagnostics).
pub fn user_version(store: &Store) -> Result<i64> {
    Ok(store
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests;
