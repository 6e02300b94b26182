//! Signed records, their biometric blobs (deduplicated by SHA-256) and their lifecycle status.

use super::{Db, Error, Result};
use crate::domain::{Enrollment, RegistrationId, Signed};
use rusqlite::{OptionalExtension, Row, params};
use std::fmt;
use std::str::FromStr;

/// Where a record is in its life. The signed bytes never change; only this does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordStatus {
    Pending,
    Approved,
    Rejected,
    Exported,
}

impl RecordStatus {
    /// The spelling in the database and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Exported => "exported",
        }
    }
}

impl FromStr for RecordStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            "exported" => Ok(Self::Exported),
            _ => Err(format!(
                "unknown status '{s}': use pending, approved, rejected or exported"
            )),
        }
    }
}

impl fmt::Display for RecordStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A record as stored: the signed bytes plus its mutable status.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub registration_id: String,
    pub sequence: u64,
    pub created_at: String,
    pub operator: String,
    pub training: bool,
    pub status: RecordStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub duplicate_of: Option<String>,
    /// The exact signed JCS bytes.
    pub record_json: Vec<u8>,
    /// 64 raw signature bytes.
    pub signature: Vec<u8>,
}

/// How many records are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub pending: u64,
    pub approved: u64,
    pub rejected: u64,
    pub exported: u64,
}

impl StatusCounts {
    /// All records counted.
    pub fn total(&self) -> u64 {
        self.pending + self.approved + self.rejected + self.exported
    }
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub status: Option<RecordStatus>,
    pub pin: Option<String>,
    pub operator: Option<String>,
    /// Records created on or after this `YYYY-MM-DD`.
    pub since_date: Option<String>,
}

/// The `WHERE` condition of a [`RecordFilter`]; its parameters are [`filter_params`].
const FILTER: &str = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR pin = ?2) \
                      AND (?3 IS NULL OR operator = ?3) AND (?4 IS NULL OR created_at >= ?4)";

fn filter_params(filter: &RecordFilter) -> impl rusqlite::Params + '_ {
    (
        filter.status.map(RecordStatus::name),
        filter.pin.as_deref(),
        filter.operator.as_deref(),
        filter.since_date.as_deref(),
    )
}

const COLUMNS: &str = "registration_id, sequence, created_at, operator, training, status, decided_by, decided_at, \
                       reason, supersedes, superseded_by, duplicate_of, record_json, signature";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(StoredRecord, String)> {
    Ok((
        StoredRecord {
            registration_id: r.get(0)?,
            sequence: r.get::<_, i64>(1)? as u64,
            created_at: r.get(2)?,
            operator: r.get(3)?,
            training: r.get(4)?,
            status: RecordStatus::Pending,
            decided_by: r.get(6)?,
            decided_at: r.get(7)?,
            reason: r.get(8)?,
            supersedes: r.get(9)?,
            superseded_by: r.get(10)?,
            duplicate_of: r.get(11)?,
            record_json: r.get(12)?,
            signature: r.get(13)?,
        },
        r.get(5)?,
    ))
}

fn finish((mut rec, status): (StoredRecord, String)) -> Result<StoredRecord> {
    rec.status = status.parse().map_err(Error::Corrupt)?;
    Ok(rec)
}

impl Db<'_> {
    /// Inserts a signed record, its biometric blobs (each stored once per hash) and the links.
    pub fn insert_record(
        &self,
        e: &Enrollment<Signed>,
        duplicate_of: Option<&RegistrationId>,
    ) -> Result<()> {
        let r = e.record();
        self.0.execute(
            "INSERT INTO records (registration_id, sequence, pin, created_at, operator, training, status,
                                  supersedes, duplicate_of, record_json, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9, ?10)",
            params![
                r.registration_id.as_str(),
                r.sequence as i64,
                r.citizen.pin.as_str(),
                r.created_at.to_string(),
                r.operator.login,
                r.training,
                r.supersedes.as_ref().map(RegistrationId::as_str),
                duplicate_of.map(RegistrationId::as_str),
                e.signed_bytes(),
                &e.signature().to_bytes()[..],
            ],
        )?;
        let mut blob = self
            .0
            .prepare_cached("INSERT OR IGNORE INTO biometrics (sha256, data) VALUES (?1, ?2)")?;
        let mut link = self.0.prepare_cached(
            "INSERT OR IGNORE INTO record_biometrics (registration_id, sha256) VALUES (?1, ?2)",
        )?;
        for (reference, capture) in r.biometrics.iter().zip(e.captures()) {
            blob.execute(params![reference.sha256, capture.data])?;
            link.execute(params![r.registration_id.as_str(), reference.sha256])?;
        }
        if let Some(old) = &r.supersedes {
            self.0.execute(
                "UPDATE records SET superseded_by = ?2 WHERE registration_id = ?1",
                params![old.as_str(), r.registration_id.as_str()],
            )?;
        }
        Ok(())
    }

    /// One record by id.
    pub fn record(&self, id: &str) -> Result<Option<StoredRecord>> {
        self.0
            .query_row(
                &format!("SELECT {COLUMNS} FROM records WHERE registration_id = ?1"),
                [id],
                from_row,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Records matching `filter`, in sequence order.
    pub fn records(&self, filter: &RecordFilter) -> Result<Vec<StoredRecord>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM records WHERE {FILTER} ORDER BY sequence"
        ))?;
        let rows = stmt
            .query_map(filter_params(filter), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish).collect()
    }

    /// Records matching `filter`, counted by status without reading their content.
    pub fn status_counts(&self, filter: &RecordFilter) -> Result<StatusCounts> {
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT status, count(*) FROM records WHERE {FILTER} GROUP BY status"
        ))?;
        let rows = stmt
            .query_map(filter_params(filter), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut counts = StatusCounts::default();
        for (status, n) in rows {
            match status.parse().map_err(Error::Corrupt)? {
                RecordStatus::Pending => counts.pending = n,
                RecordStatus::Approved => counts.approved = n,
                RecordStatus::Rejected => counts.rejected = n,
                RecordStatus::Exported => counts.exported = n,
            }
        }
        Ok(counts)
    }

    /// Non-rejected, non-superseded, non-training records that hold this PIN.
    pub fn live_records_with_pin(&self, pin: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT registration_id FROM records
             WHERE pin = ?1 AND status != 'rejected' AND superseded_by IS NULL AND training = 0
             ORDER BY sequence",
        )?;
        let ids = stmt
            .query_map([pin], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// Records saved under a duplicate override that point at `id`.
    pub fn duplicates_of(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT registration_id FROM records WHERE duplicate_of = ?1 ORDER BY sequence",
        )?;
        let ids = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// Moves a record to a new status with who, when and why.
    pub fn set_record_status(
        &self,
        id: &str,
        status: RecordStatus,
        by: &str,
        at: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let n = self.0.execute(
            "UPDATE records SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5 WHERE registration_id = ?1",
            params![id, status.name(), by, at, reason],
        )?;
        if n != 1 {
            return Err(Error::Corrupt(format!(
                "record {id} vanished during the update"
            )));
        }
        Ok(())
    }

    /// The bytes of one biometric file.
    pub fn biometric(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .0
            .query_row(
                "SELECT data FROM biometrics WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Number of distinct biometric files stored.
    pub fn biometric_count(&self) -> Result<u64> {
        Ok(self
            .0
            .query_row("SELECT count(*) FROM biometrics", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}
