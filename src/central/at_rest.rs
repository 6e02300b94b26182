//! Central's database encrypted at rest: SQLCipher keyed with the central passphrase (SQLCipher's
//! own key derivation, PBKDF2-HMAC-SHA512, its salt in the file), as the station's is. A plain
//! database from an older kattoo is encrypted in place: exported into a new encrypted file beside
//! it, which is synced and then renamed over the plain one.

use super::sqlite::SqliteCentral;
use super::sqlite_schema::guard_permissions;
use super::{Error, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// The first bytes of every plain SQLite database file.
const PLAIN_HEADER: &[u8] = b"SQLite format 3\0";

/// What is at `path`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing, or an empty file.
    Nothing,
    /// A plain SQLite database (an older kattoo's).
    Plain,
    /// Anything else: an encrypted database (or not a database at all, which the key shows).
    Encrypted,
}

/// Looks at the first bytes of `path`.
pub fn found(path: &Path) -> Result<Found> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let n = match std::fs::File::open(path) {
        Ok(mut f) => f.read(&mut header).map_err(|source| io(path, source))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(source) => return Err(io(path, source)),
    };
    Ok(match n {
        0 => Found::Nothing,
        _ if header[..n] == PLAIN_HEADER[..n.min(16)] && n == 16 => Found::Plain,
        _ => Found::Encrypted,
    })
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Keys `conn` with `passphrase` and proves the key right by reading the schema.
pub(super) fn key(conn: &Connection, passphrase: &str) -> Result<()> {
    // A wrong key is reported as our own error; keep SQLCipher from printing its own.
    conn.execute_batch("PRAGMA cipher_log_level = NONE")
        .map_err(Error::Db)?;
    conn.pragma_update(None, "key", passphrase)
        .map_err(Error::Db)?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::WrongPassphrase)
        }
        Err(e) => Err(Error::Db(e)),
    }
}

/// Encrypts the plain database at `path` with `passphrase`, in place. An interrupted run leaves
/// the plain database as it was (and a partial file that the next run replaces).
pub fn encrypt_in_place(path: &Path, passphrase: &str) -> Result<()> {
    if passphrase.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    let partial = with_suffix(path, ".encrypting");
    for stale in [
        partial.clone(),
        with_suffix(&partial, "-journal"),
        with_suffix(&partial, "-wal"),
    ] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&stale, e)),
            _ => {}
        }
    }
    guard_permissions(&partial)?;
    {
        let conn = Connection::open(path).map_err(Error::Db)?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(Error::Db)?;
        let version = super::sqlite_schema::version(&conn)?;
        conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            [partial.to_string_lossy().as_ref(), passphrase],
        )
        .map_err(Error::Db)?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .map_err(Error::Db)?;
        conn.pragma_update(Some("encrypted"), "user_version", version)
            .map_err(Error::Db)?;
        conn.execute("DETACH DATABASE encrypted", [])
            .map_err(Error::Db)?;
    }
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| io(path, e))?;
    for plain in [with_suffix(path, "-wal"), with_suffix(path, "-shm")] {
        let _ = std::fs::remove_file(plain);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    crate::durable::sync_dir(dir.unwrap_or(Path::new("."))).map_err(|e| io(path, e))?;
    tracing::info!("central database encrypted at rest");
    Ok(())
}

impl SqliteCentral {
    /// Opens (creating if needed) the database at `path`, encrypted with `passphrase`,
    /// migrating it to this build's schema. A wrong passphrase is [`Error::WrongPassphrase`]; a
    /// plain database is refused ([`encrypt_in_place`] first).
    pub fn open_encrypted(path: &Path, passphrase: &str) -> Result<Self> {
        if found(path)? == Found::Plain {
            return Err(Error::PlainDatabase(path.to_owned()));
        }
        if passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        Self::open_with(path, Some(passphrase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::CentralStore;

    fn holds(path: &Path, needle: &[u8]) -> bool {
        std::fs::read(path)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    }

    #[test]
    fn a_plain_database_is_encrypted_in_place_and_opens_only_with_its_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("central.sqlite");
        assert_eq!(found(&db).unwrap(), Found::Nothing);
        {
            let mut plain = SqliteCentral::open(&db).unwrap();
            plain
                .set_identity(b"a protected identity", "age1recipient", "t")
                .unwrap();
        }
        assert_eq!(found(&db).unwrap(), Found::Plain);
        assert!(holds(&db, b"age1recipient"));
        assert!(matches!(
            SqliteCentral::open_encrypted(&db, "central pass"),
            Err(Error::PlainDatabase(_))
        ));

        encrypt_in_place(&db, "central pass").unwrap();
        assert_eq!(found(&db).unwrap(), Found::Encrypted);
        assert!(!holds(&db, b"age1recipient"));
        assert!(!holds(&db, b"SQLite format 3"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(
            SqliteCentral::open_encrypted(&db, "central pasS"),
            Err(Error::WrongPassphrase)
        ));
        let store = SqliteCentral::open_encrypted(&db, "central pass").unwrap();
        assert_eq!(
            store.identity().unwrap().unwrap().recipient,
            "age1recipient"
        );
        assert!(SqliteCentral::open(&db).is_err());
    }

    #[test]
    fn a_new_encrypted_database_holds_nothing_readable() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("central.sqlite");
        {
            let mut store = SqliteCentral::open_encrypted(&db, "central pass").unwrap();
            store.set_identity(b"secret file", "age1xyz", "t").unwrap();
        }
        assert_eq!(found(&db).unwrap(), Found::Encrypted);
        assert!(!holds(&db, b"age1xyz"));
        for suffix in ["-wal", "-journal"] {
            let side = with_suffix(&db, suffix);
            if side.exists() {
                assert!(!holds(&side, b"age1xyz"), "{suffix}");
            }
        }
    }
}
