//! Exported batches: which sequence numbers were written, with which file hash and audit head,
//! which records travelled in them, and the age recipients a batch is encrypted to.

use super::{Db, Error, Result};
use rusqlite::{OptionalExtension, params};

/// One batch the station wrote and read back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchRow {
    pub sequence: u64,
    pub file_name: String,
    /// Lowercase hex SHA-256 of the `.age` file.
    pub sha256: String,
    pub record_count: u64,
    pub audit_head_seq: u64,
    /// Lowercase hex.
    pub audit_head_hash: String,
    pub created_at: String,
    pub created_by: String,
}

const BATCH_COLUMNS: &str = "sequence, file_name, sha256, record_count, audit_head_seq, audit_head_hash, created_at, created_by";

fn batch_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        sequence: r.get::<_, i64>(0)? as u64,
        file_name: r.get(1)?,
        sha256: r.get(2)?,
        record_count: r.get::<_, i64>(3)? as u64,
        audit_head_seq: r.get::<_, i64>(4)? as u64,
        audit_head_hash: r.get(5)?,
        created_at: r.get(6)?,
        created_by: r.get(7)?,
    })
}

impl Db<'_> {
    /// The batch with the highest sequence, if any was written.
    pub fn last_batch(&self) -> Result<Option<BatchRow>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {BATCH_COLUMNS} FROM batches ORDER BY sequence DESC LIMIT 1"),
                [],
                batch_from_row,
            )
            .optional()?)
    }

    /// One batch by sequence.
    pub fn batch(&self, sequence: u64) -> Result<Option<BatchRow>> {
        Ok(self
            .0
            .query_row(
                &format!("SELECT {BATCH_COLUMNS} FROM batches WHERE sequence = ?1"),
                [sequence as i64],
                batch_from_row,
            )
            .optional()?)
    }

    /// Every batch, in sequence order.
    pub fn batches(&self) -> Result<Vec<BatchRow>> {
        let mut stmt = self.0.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches ORDER BY sequence"
        ))?;
        let rows = stmt
            .query_map([], batch_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Ids of approved, non-training records not yet exported, in sequence order.
    pub fn exportable_record_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT registration_id FROM records
             WHERE status = 'approved' AND training = 0
               AND registration_id NOT IN (SELECT registration_id FROM batch_records)
             ORDER BY sequence",
        )?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// The biometric hashes a record links to.
    pub fn record_biometric_hashes(&self, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT sha256 FROM record_biometrics WHERE registration_id = ?1 ORDER BY sha256",
        )?;
        let ids = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// Records a written batch and marks its records exported (call in the export transaction).
    pub fn insert_batch(&self, batch: &BatchRow, record_ids: &[String]) -> Result<()> {
        self.0.execute(
            &format!(
                "INSERT INTO batches ({BATCH_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                batch.sequence as i64,
                batch.file_name,
                batch.sha256,
                batch.record_count as i64,
                batch.audit_head_seq as i64,
                batch.audit_head_hash,
                batch.created_at,
                batch.created_by
            ],
        )?;
        let mut link = self
            .0
            .prepare_cached("INSERT INTO batch_records (registration_id, batch) VALUES (?1, ?2)")?;
        let mut mark = self.0.prepare_cached(
            "UPDATE records SET status = 'exported' WHERE registration_id = ?1 AND status = 'approved'",
        )?;
        for id in record_ids {
            link.execute(params![id, batch.sequence as i64])?;
            if mark.execute([id])? != 1 {
                return Err(Error::Corrupt(format!(
                    "record {id} is no longer approved; nothing was marked exported"
                )));
            }
        }
        Ok(())
    }

    /// The age recipients batches are encrypted to.
    pub fn batch_recipients(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT recipient FROM batch_recipients ORDER BY recipient")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// Replaces the recipients batches are encrypted to.
    pub fn set_batch_recipients(&self, recipients: &[String], at: &str, by: &str) -> Result<()> {
        self.0.execute("DELETE FROM batch_recipients", [])?;
        for r in recipients {
            self.0.execute(
                "INSERT OR IGNORE INTO batch_recipients (recipient, added_at, added_by) VALUES (?1, ?2, ?3)",
                params![r, at, by],
            )?;
        }
        Ok(())
    }
}
