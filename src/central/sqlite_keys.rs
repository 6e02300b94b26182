//! Station keys in central's SQLite store (schema 4's `station_keys`).

use super::keys::{KeyLink, Revocation, StationKeyRow};
use super::sql;
use super::{Error, Result, StationEntry};
use crate::crypto::PublicKey;
use rusqlite::{Connection, OptionalExtension, params};

pub(super) const COLUMNS: &str = "station_id, public_key, added_at, replaces, added_by, reason, revoked_at, revoked_by, revoked_reason";

pub(super) type Raw = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn key(station: &str, pem: &str) -> Result<PublicKey> {
    PublicKey::from_pem(pem).map_err(|source| Error::StoredStationKey {
        station: station.to_owned(),
        source,
    })
}

pub(super) fn row(
    (station_id, pem, added_at, replaces, by, reason, revoked_at, revoked_by, revoked_reason): Raw,
) -> Result<StationKeyRow> {
    let link = match (replaces, by) {
        (Some(old), Some(by)) => Some(KeyLink {
            replaces: key(&station_id, &old)?,
            at: added_at.clone(),
            by,
            reason: reason.unwrap_or_default(),
        }),
        _ => None,
    };
    let revoked = match (revoked_at, revoked_by) {
        (Some(at), Some(by)) => Some(Revocation {
            at,
            by,
            reason: revoked_reason.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(StationKeyRow {
        public_key: key(&station_id, &pem)?,
        station_id,
        added_at,
        link,
        revoked,
    })
}

pub(super) fn station_key(conn: &Connection, k: &PublicKey) -> Result<Option<StationKeyRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM station_keys WHERE public_key = ?1"),
        [k.to_pem()],
        raw,
    )
    .optional()
    .map_err(Error::Db)?
    .map(row)
    .transpose()
}

pub(super) fn station_keys(conn: &Connection, station_id: &str) -> Result<Vec<StationKeyRow>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM station_keys WHERE station_id = ?1 ORDER BY rowid"
        ))
        .map_err(Error::Db)?;
    let rows = stmt
        .query_map([station_id], raw)
        .map_err(Error::Db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(Error::Db)?;
    rows.into_iter().map(row).collect()
}

pub(super) fn revoke_key(conn: &Connection, k: &PublicKey, r: &Revocation) -> Result<bool> {
    let n = conn
        .execute(
            &sql::lite(sql::REVOKE_KEY),
            params![k.to_pem(), r.at, r.by, r.reason],
        )
        .map_err(Error::Db)?;
    Ok(n == 1)
}

pub(super) fn rekey_station(
    conn: &mut Connection,
    new: &StationEntry,
    certificate: &[u8],
    link: &KeyLink,
) -> Result<()> {
    let tx = conn.transaction().map_err(Error::Db)?;
    revoke_key(
        &tx,
        &link.replaces,
        &Revocation {
            at: link.at.clone(),
            by: link.by.clone(),
            reason: link.reason.clone(),
        },
    )?;
    let pem = new.public_key.to_pem();
    tx.execute(
        &sql::lite(sql::INSERT_LINKED_KEY),
        params![
            pem,
            new.station_id,
            certificate,
            link.at,
            link.replaces.to_pem(),
            link.by,
            link.reason
        ],
    )
    .map_err(Error::Db)?;
    tx.execute(
        &sql::lite(sql::SET_CURRENT_KEY),
        params![new.station_id, pem, certificate, new.name, new.region],
    )
    .map_err(Error::Db)?;
    tx.commit().map_err(Error::Db)
}
