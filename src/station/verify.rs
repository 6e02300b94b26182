//! Re-checking everything the station holds: every record signature, every biometric hash, the
//! audit chain and its recorded head.

use super::{Result, Session, Station};
use crate::audit::{ChainError, Event, verify_chain};
use crate::crypto::Signature;
use crate::domain::Role;
use crate::domain::Timestamp;
use crate::domain::biometric::sha256_hex;
use crate::domain::enrollment::verify_record;
use crate::store::RecordFilter;

/// One problem found in one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub registration_id: String,
    pub problem: String,
}

/// The outcome of [`Station::verify_all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub records_checked: u64,
    pub biometrics_checked: u64,
    pub record_problems: Vec<RecordProblem>,
    /// Rows checked, or the first break.
    pub audit: std::result::Result<u64, ChainError>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.record_problems.is_empty() && self.audit.is_ok()
    }
}

impl Station {
    /// Verifies every record and the audit chain. Needs only the unlocked station (no operator),
    /// and reports ids, never personal data.
    pub fn verify_all(&self) -> Result<VerifyReport> {
        let db = self.store.db();
        let public = self.info.public_key;
        let mut problems = Vec::new();
        let mut biometrics_checked = 0;
        let records = db.records(&RecordFilter::default())?;
        for stored in &records {
            let id = &stored.registration_id;
            let mut report = |problem: String| {
                problems.push(RecordProblem {
                    registration_id: id.clone(),
                    problem,
                })
            };
            let sig = match Signature::from_bytes(&stored.signature) {
                Ok(sig) => sig,
                Err(e) => {
                    report(e.to_string());
                    continue;
                }
            };
            let record = match verify_record(&public, &stored.record_json, &sig) {
                Ok(r) => r,
                Err(e) => {
                    report(e.to_string());
                    continue;
                }
            };
            if record.registration_id.as_str() != id {
                report(format!("signed content names {}", record.registration_id));
            }
            for b in &record.biometrics {
                biometrics_checked += 1;
                match db.biometric(&b.sha256)? {
                    None => report(format!("biometric {} is missing", b.sha256)),
                    Some(data) if sha256_hex(&data) != b.sha256 => {
                        report(format!("biometric {} does not match its hash", b.sha256));
                    }
                    Some(data) if data.len() as u64 != b.bytes => {
                        report(format!(
                            "biometric {} has {} bytes, the record says {}",
                            b.sha256,
                            data.len(),
                            b.bytes
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(VerifyReport {
            records_checked: records.len() as u64,
            biometrics_checked,
            record_problems: problems,
            audit: self.verify_audit()?,
        })
    }

    /// Walks the whole audit chain and compares its end with the head the station recorded.
    pub fn verify_audit(&self) -> Result<std::result::Result<u64, ChainError>> {
        let db = self.store.db();
        let (head_seq, head_hash) = db.audit_head()?;
        let rows = db.audit_rows(1, u64::MAX >> 1)?;
        Ok(match verify_chain((0, [0; 32]), rows) {
            Err(e) => Err(e),
            Ok((last, _)) if last < head_seq => Err(ChainError::Truncated {
                last,
                head: head_seq,
            }),
            Ok((last, hash)) if last == head_seq && hash != head_hash => {
                Err(ChainError::Edited { seq: last })
            }
            Ok((last, _)) if last > head_seq => Err(ChainError::Gap {
                seq: head_seq + 1,
                expected: head_seq + 1,
            }),
            Ok((last, _)) => Ok(last),
        })
    }

    /// Audit events from `from` (1-based), at most `limit` (supervisors and admins).
    pub fn audit_events(
        &mut self,
        session: &Session,
        from: u64,
        limit: u64,
        now: Timestamp,
    ) -> Result<Vec<(u64, Event)>> {
        self.require(session, Role::Supervisor, "view the audit log", None, now)?;
        let rows = self.store.db().audit_rows(
            from.max(1),
            from.max(1).saturating_add(limit.saturating_sub(1)),
        )?;
        rows.into_iter()
            .map(|r| {
                serde_json::from_slice(&r.event)
                    .map(|e| (r.seq, e))
                    .map_err(|e| {
                        crate::store::Error::Corrupt(format!("audit row {}: {e}", r.seq)).into()
                    })
            })
            .collect()
    }
}
