//! Opening central's database for a command. A SQLite file is encrypted at rest with the central
//! passphrase (SQLCipher), so every central command asks for the passphrase, once. A plain
//! database from an older kattoo is encrypted in place the first time it is opened, with a
//! passphrase that is proven first: the one its protected identity opens with, or a new one
//! typed twice. A PostgreSQL database is the server's to protect; the passphrase still guards
//! central's identity in it, and it is proven before any command works.

use super::Context;
use super::central::passphrase;
use crate::central::at_rest::{self, Found};
use crate::central::{
    Central, CentralDb, CentralStore, Error, IdentitySecret, Location, PgAddress, SqliteCentral,
};
use std::path::Path;
use zeroize::Zeroizing;

/// What the command does with the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// `init`: makes the database (with a new passphrase).
    Init,
    /// `protect-identity`: encrypts an older kattoo's plain identity, and the database with it.
    Protect,
    /// Any other command: the database exists.
    Use,
}

/// Central over its encrypted database at `db`, and the central passphrase that opened it.
pub(super) struct Opened {
    pub central: Central<CentralDb>,
    pub passphrase: Zeroizing<String>,
}

fn encrypted(db: &Path, passphrase: Zeroizing<String>) -> anyhow::Result<Opened> {
    Ok(Opened {
        central: Central::new(CentralDb::Sqlite(SqliteCentral::open_encrypted(
            db,
            &passphrase,
        )?)),
        passphrase,
    })
}

/// Opens `db` for `purpose`, asking for the central passphrase (twice when it is new).
pub(super) fn open(ctx: &Context, db: &Location, purpose: Purpose) -> anyhow::Result<Opened> {
    match db {
        Location::File(path) => open_file(ctx, path, purpose),
        Location::Postgres(address) => open_postgres(ctx, address, purpose),
    }
}

/// A PostgreSQL database: its identity decides what the command may do.
fn open_postgres(ctx: &Context, address: &PgAddress, purpose: Purpose) -> anyhow::Result<Opened> {
    let target = &address.target;
    let central = Central::new(CentralDb::Postgres(Box::new(address.connect()?)));
    let held = central.store().identity()?.is_some();
    let passphrase = match (held, purpose) {
        (true, Purpose::Init) => return Err(Error::AlreadyInitialised(target.to_owned()).into()),
        // kattoo never stored a plain identity in PostgreSQL.
        (true, Purpose::Protect) => return Err(Error::AlreadyProtected.into()),
        (false, Purpose::Protect | Purpose::Use) => return Err(Error::NotInitialised.into()),
        (false, Purpose::Init) => passphrase(ctx, true)?,
        (true, Purpose::Use) => {
            let p = passphrase(ctx, false)?;
            central.unlock(&p)?;
            p
        }
    };
    Ok(Opened {
        central,
        passphrase,
    })
}

/// A SQLite file, encrypted at rest (an older kattoo's plain one is encrypted in place).
fn open_file(ctx: &Context, db: &Path, purpose: Purpose) -> anyhow::Result<Opened> {
    match (at_rest::found(db)?, purpose) {
        (Found::Nothing, Purpose::Init) => encrypted(db, passphrase(ctx, true)?),
        (Found::Nothing, _) => Err(Error::NotInitialised.into()),
        // Only init makes an encrypted database, with the identity in it.
        (Found::Encrypted, Purpose::Init) => {
            Err(Error::AlreadyInitialised(db.display().to_string()).into())
        }
        (Found::Encrypted, Purpose::Protect) => Err(Error::AlreadyProtected.into()),
        (Found::Encrypted, Purpose::Use) => encrypted(db, passphrase(ctx, false)?),
        (Found::Plain, purpose) => open_plain(ctx, db, purpose),
    }
}

/// An older kattoo's plain database: the passphrase it will be encrypted with is proven first.
fn open_plain(ctx: &Context, db: &Path, purpose: Purpose) -> anyhow::Result<Opened> {
    let central = Central::new(SqliteCentral::open(db)?);
    let secret = central.store().identity()?.map(|s| s.secret);
    let passphrase = match (secret, purpose) {
        (Some(_), Purpose::Init) => {
            return Err(Error::AlreadyInitialised(db.display().to_string()).into());
        }
        (None, Purpose::Protect) => return Err(Error::NotInitialised.into()),
        (Some(IdentitySecret::Protected(_)), Purpose::Protect) => {
            return Err(Error::AlreadyProtected.into());
        }
        (Some(IdentitySecret::Plain(_)), Purpose::Use) => {
            return Err(Error::UnprotectedIdentity.into());
        }
        // The identity opens with it: the passphrase is the central passphrase.
        (Some(IdentitySecret::Protected(_)), Purpose::Use) => {
            let p = passphrase(ctx, false)?;
            central.unlock(&p)?;
            p
        }
        // New: typed twice (protect-identity stores the identity with it before the move).
        (Some(IdentitySecret::Plain(_)), Purpose::Protect) | (None, _) => passphrase(ctx, true)?,
    };
    drop(central);
    at_rest::encrypt_in_place(db, &passphrase)?;
    eprintln!(
        "central's database {} is now encrypted with the central passphrase; copies of it made before are not: destroy them",
        db.display()
    );
    encrypted(db, passphrase)
}
