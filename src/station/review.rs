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

    /// The records saved as duplicates of `id` under a supervisor's override.
    pub fn duplicates_of(
        &mut self,
        session: &Session,
        id: &str,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        self.require(session, Role::Registrar, "view a record", Some(id), now)?;
        Ok(self.store.db().duplicates_of(id)?)
    }

    /// How many approved records the next batch would carry (supervisors).
    pub fn exportable_count(&mut self, session: &Session, now: Timestamp) -> Result<u64> {
        self.require(
            session,
            Role::Supervisor,
            "list exportable records",
            None,
            now,
        )?;
        Ok(self.store.db().exportable_record_ids()?.len() as u64)
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
            return Err(Error::RejectionReason);
        }
        if reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(|c| c.is_control() && c != '\n')
        {
            return Err(Error::ReasonTooLong(MAX_REASON_CHARS));
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
        self.drop_search_index(); // a rejected record is no longer searched
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

/// Most records a search returns.
pub const MAX_FOUND: usize = 50;

/// One record a search found: enough to recognise the citizen, with the PIN masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRecord {
    pub registration_id: String,
    pub name: String,
    pub masked_pin: String,
    pub precinct: String,
    pub status: RecordStatus,
    pub created_at: String,
}

impl Station {
    /// Finds citizens by registration number, by PIN (14 digits) or by name (every word of the
    /// query in the surname, given name or patronymic, ignoring case); newest first, at most
    /// [`MAX_FOUND`].
    pub fn find(
        &mut self,
        session: &Session,
        query: &str,
        now: Timestamp,
    ) -> Result<Vec<FoundRecord>> {
        self.require(session, Role::Registrar, "find a citizen", None, now)?;
        let query = query.trim();
        let db = self.store.db();
        let stored = if query.parse::<crate::domain::RegistrationId>().is_ok() {
            db.record(query)?.into_iter().collect()
        } else if query.len() == 14 && query.bytes().all(|b| b.is_ascii_digit()) {
            db.records(&RecordFilter {
                pin: Some(query.to_owned()),
                ..RecordFilter::default()
            })?
        } else {
            db.records(&RecordFilter::default())?
        };
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut found = Vec::new();
        for s in stored.into_iter().rev() {
            let record: Record = serde_json::from_slice(&s.record_json).map_err(|e| {
                crate::store::Error::Corrupt(format!("record {}: {e}", s.registration_id))
            })?;
            let c = &record.citizen;
            let name = c.full_name();
            let haystack = name.to_lowercase();
            let by_name = words.iter().all(|w| haystack.contains(w.as_str()));
            let exact = s.registration_id == query || c.pin.as_str() == query;
            if exact || (!words.is_empty() && by_name) {
                found.push(FoundRecord {
                    registration_id: s.registration_id.clone(),
                    name,
                    masked_pin: c.pin.masked(),
                    precinct: c.precinct.as_str().to_owned(),
                    status: s.status,
                    created_at: s.created_at.clone(),
                });
            }
            if found.len() == MAX_FOUND {
                break;
            }
        }
        Ok(found)
    }
}
