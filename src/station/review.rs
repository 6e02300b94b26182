//! Looking up records, and the supervisor's approve / reject decisions.

use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::domain::enrollment::Record;
use crate::domain::{Role, Timestamp};
use crate::store::{RecordFilter, RecordStatus, StatusCounts, StoredRecord};

/// Longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

impl Station {
    /// Records matching `filter` (any operator).
    pub fn records(
        &mut self,
        session: &Session,
        filter: &RecordFilter,
        now: Timestamp,
    ) -> Result<Vec<StoredRecord>> {
        self.require(session, Role::Registrar, "list records", None, now)?;
        Ok(self.store.db().records(filter)?)
    }

    /// Records matching `filter`, counted by status (any operator).
    pub fn record_counts(
        &mut self,
        session: &Session,
        filter: &RecordFilter,
        now: Timestamp,
    ) -> Result<StatusCounts> {
        self.require(session, Role::Registrar, "count records", None, now)?;
        Ok(self.store.db().status_counts(filter)?)
    }

    /// One record with its parsed content.
    pub fn record(
        &mut self,
        session: &Session,
        id: &str,
        now: Timestamp,
    ) -> Result<(StoredRecord, Record)> {
        self.require(session, Role::Registrar, "view a record", Some(id), now)?;
        let stored = self
            .store
            .db()
            .record(id)?
            .ok_or_else(|| Error::UnknownRecord(id.to_owned()))?;
        let record = serde_json::from_slice(&stored.record_json)
            .map_err(|e| crate::store::Error::Corrupt(format!("record {id}: {e}")))?;
        Ok((stored, record))
    }

    /// The bytes of one stored biometric file.
    pub fn biometric(
        &mut self,
        session: &Session,
        sha256: &str,
        now: Timestamp,
    ) -> Result<Option<Vec<u8>>> {
        self.require(session, Role::Registrar, "view a biometric", None, now)?;
        Ok(self.store.db().biometric(sha256)?)
    }

    /// Approves pending records, all or none.
    pub fn approve(&mut self, session: &Session, ids: &[String], now: Timestamp) -> Result<()> {
        self.require(
            session,
            Role::Supervisor,
            "approve records",
            ids.first().map(String::as_str),
            now,
        )?;
        self.store.transaction(|db| -> Result<()> {
            for id in ids {
                let r = db
                    .record(id)?
                    .ok_or_else(|| Error::UnknownRecord(id.clone()))?;
                check_pending(&r, "approved")?;
                db.set_record_status(
                    id,
                    RecordStatus::Approved,
                    session.login(),
                    &now.to_string(),
                    None,
                )?;
                db.append_audit(&Event::new(
                    Action::Approval,
                    now,
                    Some(session.login()),
                    Some(id),
                ))?;
            }
            Ok(())
        })?;
        tracing::info!(
            count = ids.len(),
            operator = session.login(),
            "records approved"
        );
        Ok(())
    }

    /// Rejects a pending record; the reason is required and kept.
    pub fn reject(
        &mut self,
        session: &Session,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.require(session, Role::Supervisor, "reject records", Some(id), now)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid("a rejection needs a reason".into()));
        }
        if reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(Error::Invalid(format!(
                "a reason is at most {MAX_REASON_CHARS} printable characters"
            )));
        }
        self.store.transaction(|db| -> Result<()> {
            let r = db
                .record(id)?
                .ok_or_else(|| Error::UnknownRecord(id.to_owned()))?;
            check_pending(&r, "rejected")?;
            db.set_record_status(
                id,
                RecordStatus::Rejected,
                session.login(),
                &now.to_string(),
                Some(reason),
            )?;
            db.append_audit(&Event::new(
                Action::Rejection,
                now,
                Some(session.login()),
                Some(id),
            ))?;
            Ok(())
        })?;
        tracing::info!(record = id, operator = session.login(), "record rejected");
        Ok(())
    }
}

fn check_pending(r: &StoredRecord, wanted: &'static str) -> Result<()> {
    if let Some(by) = &r.superseded_by {
        return Err(Error::Superseded {
            id: r.registration_id.clone(),
            by: by.clone(),
        });
    }
    if r.status != RecordStatus::Pending {
        return Err(Error::NotPending {
            id: r.registration_id.clone(),
            status: r.status,
            wanted,
        });
    }
    Ok(())
}
