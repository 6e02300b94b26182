//! Deleting the records made in training mode, with their links and the biometric files no other
//! record uses. Training records never leave the station, so nothing else refers to them except a
//! real record's correction or duplicate link, which is cleared.

use super::{Db, Result};

/// What [`Db::delete_training_records`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrainingDeletion {
    /// Training records deleted.
    pub records: u64,
    /// Biometric files deleted (no remaining record names them).
    pub biometrics: u64,
}

const TRAINING_IDS: &str = "(SELECT registration_id FROM records WHERE training = 1)";

impl Db<'_> {
    /// Number of records made in training mode.
    pub fn training_record_count(&self) -> Result<u64> {
        Ok(self
            .0
            .query_row("SELECT count(*) FROM records WHERE training = 1", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Deletes every training record, its biometric links and batch links, and the biometric
    /// files no remaining record links to. Call inside the transaction that audits it.
    pub fn delete_training_records(&self) -> Result<TrainingDeletion> {
        for column in ["superseded_by", "supersedes", "duplicate_of"] {
            self.0.execute(
                &format!(
                    "UPDATE records SET {column} = NULL
                     WHERE training = 0 AND {column} IN {TRAINING_IDS}"
                ),
                [],
            )?;
        }
        self.0.execute(
            &format!("DELETE FROM batch_records WHERE registration_id IN {TRAINING_IDS}"),
            [],
        )?;
        self.0.execute(
            &format!("DELETE FROM record_biometrics WHERE registration_id IN {TRAINING_IDS}"),
            [],
        )?;
        self.0.execute(
            &format!("DELETE FROM templates WHERE registration_id IN {TRAINING_IDS}"),
            [],
        )?;
        let records = self
            .0
            .execute("DELETE FROM records WHERE training = 1", [])? as u64;
        let biometrics = self.0.execute(
            "DELETE FROM biometrics WHERE sha256 NOT IN (SELECT sha256 FROM record_biometrics)",
            [],
        )? as u64;
        Ok(TrainingDeletion {
            records,
            biometrics,
        })
    }
}
