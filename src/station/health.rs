//! What an unlocked station tells without an operator: the database's integrity, the chain head,
//! aggregate counts and each record's state and times. Never a citizen's details: those are read
//! only through a session (`kattoo doctor`, `kattoo station show` and the audit check use these).

use super::{Result, Station};
use crate::audit::Event;
use crate::domain::Timestamp;
use crate::store::{RecordFilter, RecordStatus, StatusCounts};

/// One record's state and times, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordState {
    pub registration_id: String,
    pub created_at: String,
    pub status: RecordStatus,
    /// When it was approved or rejected.
    pub decided_at: Option<String>,
    pub training: bool,
}

impl Station {
    /// SQLite's integrity check: the problems found, if any.
    pub fn integrity_check(&self) -> std::result::Result<(), Vec<String>> {
        self.store.integrity_check()
    }

    /// The audit chain's head: its last sequence number and hash.
    pub fn audit_head(&self) -> Result<(u64, [u8; 32])> {
        Ok(self.store.db().audit_head()?)
    }

    /// How many records are in each status.
    pub fn status_counts(&self) -> Result<StatusCounts> {
        Ok(self.store.db().status_counts(&RecordFilter::default())?)
    }

    /// Every record's state and times, in sequence order.
    pub fn record_states(&self) -> Result<Vec<RecordState>> {
        Ok(self
            .store
            .db()
            .records(&RecordFilter::default())?
            .into_iter()
            .map(|r| RecordState {
                registration_id: r.registration_id,
                created_at: r.created_at,
                status: r.status,
                decided_at: r.decided_at,
                training: r.training,
            })
            .collect())
    }

    /// The time of the last audit event, if any.
    pub fn last_audit_time(&self) -> Option<Timestamp> {
        let db = self.store.db();
        let (seq, _) = db.audit_head().ok()?;
        let row = db.audit_rows(seq, seq).ok()?.into_iter().next()?;
        serde_json::from_slice::<Event>(&row.event)
            .ok()
            .map(|event| event.at)
    }
}
