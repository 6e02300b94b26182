//! The audit table: appended in the caller's transaction, head kept in the station row.

use super::{Db, Error, Result};
use crate::audit::{Event, Row, chain_hash};
use rusqlite::params;

fn hash32(v: Vec<u8>, what: &str, seq: i64) -> Result<[u8; 32]> {
    v.try_into()
        .map_err(|_| Error::Corrupt(format!("audit row {seq}: {what} is not 32 bytes")))
}

impl Db<'_> {
    /// Appends an event after the current head and moves the head. Returns the new `(seq, hash)`.
    pub fn append_audit(&self, event: &Event) -> Result<(u64, [u8; 32])> {
        let jcs =
            crate::crypto::canonical_json(event).map_err(|e| Error::Corrupt(e.to_string()))?;
        let (seq, prev) = self.audit_head()?;
        let hash = chain_hash(&prev, &jcs);
        let seq = seq + 1;
        self.0.execute(
            "INSERT INTO audit (seq, event, prev, hash) VALUES (?1, ?2, ?3, ?4)",
            params![seq as i64, jcs, &prev[..], &hash[..]],
        )?;
        self.0.execute(
            "UPDATE station SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE id = 1",
            params![seq as i64, &hash[..]],
        )?;
        Ok((seq, hash))
    }

    /// The head the station recorded: `(seq, hash)`, `(0, zeros)` before the first row.
    pub fn audit_head(&self) -> Result<(u64, [u8; 32])> {
        let (seq, hash): (i64, Vec<u8>) = self.0.query_row(
            "SELECT audit_head_seq, audit_head_hash FROM station WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((seq as u64, hash32(hash, "head hash", seq)?))
    }

    /// Rows with `from <= seq <= to`, in stored order of `seq`.
    pub fn audit_rows(&self, from: u64, to: u64) -> Result<Vec<Row>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT seq, event, prev, hash FROM audit WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![from as i64, to as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, event, prev, hash)| {
                Ok(Row {
                    seq: seq as u64,
                    event,
                    prev: hash32(prev, "prev", seq)?,
                    hash: hash32(hash, "hash", seq)?,
                })
            })
            .collect()
    }
}
