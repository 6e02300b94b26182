//! Exporting a batch (supervisor): approved, non-training records not yet exported, plus the audit
//! rows since the previous batch. The `.age` file is written to `<data>/batches/` first (the station
//! keeps every batch it wrote, for `export --again`), then copied to the medium and read back; only
//! then are the records marked exported, in one transaction with the export's audit row.

use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::batch::{
    self, BatchHeader, BatchSource, Medium, ProgressFn, RecordFiles, StationCertificate,
};
use crate::crypto::Signature;
use crate::domain::{Role, Timestamp};
use crate::store::{self, BatchRow};
use std::path::PathBuf;

/// The directory inside the data directory that keeps every batch written.
pub const BATCH_DIR: &str = "batches";

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub sequence: u64,
    pub file_name: String,
    /// The file on the medium.
    pub path: PathBuf,
    pub sha256: String,
    pub records: u64,
}

struct StoreSource<'a> {
    db: store::Db<'a>,
    ids: &'a [String],
}

impl BatchSource for StoreSource<'_> {
    fn record_count(&self) -> usize {
        self.ids.len()
    }
    fn record(&mut self, index: usize) -> batch::Result<RecordFiles> {
        let id = &self.ids[index];
        let bad = |reason: String| batch::Error::RecordSignature {
            id: id.clone(),
            reason,
        };
        let r = self
            .db
            .record(id)
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad("vanished".into()))?;
        Ok(RecordFiles {
            registration_id: id.clone(),
            signature: Signature::from_bytes(&r.signature).map_err(|e| bad(e.to_string()))?,
            json: r.record_json,
        })
    }
    fn biometric(&mut self, sha256: &str) -> batch::Result<Vec<u8>> {
        self.db
            .biometric(sha256)
            .map_err(|e| batch::Error::Damaged(e.to_string()))?
            .ok_or_else(|| {
                batch::Error::MissingFile(format!("biometric {sha256} in the station store"))
            })
    }
}

impl Station {
    /// The signed station certificate: its file name and bytes.
    pub fn certificate(&self) -> Result<(String, Vec<u8>)> {
        let i = &self.info;
        let (_, bytes) = StationCertificate::issue(
            &self.key,
            i.station_id.as_str(),
            &i.name,
            &i.region,
            &i.precincts,
            &i.created_at,
        )?;
        Ok((batch::certificate::file_name(i.station_id.as_str()), bytes))
    }

    /// The age recipients batches are encrypted to.
    pub fn batch_recipients(&self) -> Result<Vec<String>> {
        Ok(self.store.db().batch_recipients()?)
    }

    /// Sets the age X25519 recipient(s) batches are encrypted to (admin; audited).
    pub fn set_batch_recipients(
        &mut self,
        session: &Session,
        recipients: &[String],
        now: Timestamp,
    ) -> Result<()> {
        self.require(session, Role::Admin, "set the batch recipient", None, now)?;
        batch::parse_recipients(recipients)?;
        if recipients.is_empty() {
            return Err(Error::Invalid("give at least one age1… recipient".into()));
        }
        let at = now.to_string();
        self.store.transaction(|db| -> Result<()> {
            db.set_batch_recipients(recipients, &at, session.login())?;
            db.append_audit(
                &Event::new(
                    Action::Export,
                    now,
                    Some(session.login()),
                    Some("recipients"),
                )
                .with("recipients", recipients.join(" ")),
            )?;
            Ok(())
        })
    }

    /// Batches written so far.
    pub fn batches(&self) -> Result<Vec<BatchRow>> {
        Ok(self.store.db().batches()?)
    }

    /// Writes the next batch to `medium`. On any failure the station is unchanged and no file is
    /// left under the final name on the medium.
    pub fn export(
        &mut self,
        session: &Session,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
    ) -> Result<ExportOutcome> {
        self.require(session, Role::Supervisor, "export a batch", None, now)?;
        let recipients = batch::parse_recipients(&self.batch_recipients()?)?;
        if recipients.is_empty() {
            return Err(Error::Invalid(
                "no central recipient is set: an admin runs `kattoo batch set-recipient age1…` first".into(),
            ));
        }
        let db = self.store.db();
        let last = db.last_batch()?;
        let ids = db.exportable_record_ids()?;
        if ids.is_empty() {
            return Err(Error::Invalid(
                "nothing to export: no approved record since the last batch".into(),
            ));
        }
        let sequence = last.as_ref().map_or(0, |b| b.sequence) + 1;
        let from = last.as_ref().map_or(0, |b| b.audit_head_seq) + 1;
        let (head_seq, head_hash) = db.audit_head()?;
        let rows = db.audit_rows(from, head_seq)?;
        let audit = batch::verify::audit_jsonl(&rows)?;
        let (_, certificate) = self.certificate()?;
        let station_id = self.info.station_id.to_string();
        let header = BatchHeader {
            station_id: station_id.clone(),
            sequence,
            previous_sha256: last
                .as_ref()
                .map_or(batch::NO_PREVIOUS.to_owned(), |b| b.sha256.clone()),
            audit_head_seq: head_seq,
            audit_head_hash: hex::encode(head_hash),
            bagging_date: now.to_string()[..10].to_owned(),
            mtime: now.unix().max(0) as u64,
        };
        let name = batch::file_name(&station_id, sequence);
        let local_dir = self.data_dir.join(BATCH_DIR);
        std::fs::create_dir_all(&local_dir).map_err(super::io(&local_dir))?;
        let local = local_dir.join(&name);
        let partial = local_dir.join(batch::medium::partial_name(&name));
        let cleanup = |medium: &dyn Medium| {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&local);
            let _ = medium.remove(&name);
        };

        let written = (|| -> Result<String> {
            let file = std::fs::File::create(&partial).map_err(super::io(&partial))?;
            let mut source = StoreSource {
                db: self.store.db(),
                ids: &ids,
            };
            let (file, sha) = batch::write_batch(
                file,
                &header,
                &mut source,
                &audit,
                &certificate,
                &self.key,
                &recipients,
                progress,
            )?;
            file.sync_all().map_err(super::io(&partial))?;
            std::fs::rename(&partial, &local).map_err(super::io(&local))?;
            super::sync_dir(&local_dir)?;
            batch::medium::copy_to_medium(medium, &local, &name, &sha, progress)?;
            Ok(sha)
        })();
        let sha256 = match written {
            Ok(sha) => sha,
            Err(e) => {
                cleanup(medium);
                return Err(e);
            }
        };
        let row = BatchRow {
            sequence,
            file_name: name.clone(),
            sha256: sha256.clone(),
            record_count: ids.len() as u64,
            audit_head_seq: head_seq,
            audit_head_hash: hex::encode(head_hash),
            created_at: now.to_string(),
            created_by: session.login().to_owned(),
        };
        let committed = self.store.transaction(|db| -> Result<()> {
            db.insert_batch(&row, &ids)?;
            db.append_audit(
                &Event::new(
                    Action::Export,
                    now,
                    Some(session.login()),
                    Some(&sequence.to_string()),
                )
                .with("sequence", sequence)
                .with("records", ids.len() as u64)
                .with("sha256", sha256.as_str()),
            )?;
            Ok(())
        });
        if let Err(e) = committed {
            cleanup(medium);
            return Err(e);
        }
        tracing::info!(
            sequence,
            records = ids.len(),
            operator = session.login(),
            "batch exported"
        );
        Ok(ExportOutcome {
            sequence,
            path: medium.path(&name),
            file_name: name,
            sha256,
            records: ids.len() as u64,
        })
    }

    /// Writes batch `sequence` again, byte for byte, from the copy the station kept (supervisor).
    pub fn export_again(
        &mut self,
        session: &Session,
        sequence: u64,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
    ) -> Result<ExportOutcome> {
        self.require(
            session,
            Role::Supervisor,
            "export a batch",
            Some(&sequence.to_string()),
            now,
        )?;
        let row = self
            .store
            .db()
            .batch(sequence)?
            .ok_or_else(|| Error::Invalid(format!("batch {sequence} was never exported")))?;
        let local = self.data_dir.join(BATCH_DIR).join(&row.file_name);
        let bytes = std::fs::read(&local).map_err(super::io(&local))?;
        if batch::bag::sha256_hex(&bytes) != row.sha256 {
            return Err(store::Error::Corrupt(format!(
                "the kept copy {} does not match its recorded SHA-256",
                local.display()
            ))
            .into());
        }
        batch::medium::copy_to_medium(medium, &local, &row.file_name, &row.sha256, progress)?;
        self.audit(
            Event::new(
                Action::Export,
                now,
                Some(session.login()),
                Some(&sequence.to_string()),
            )
            .with("again", true)
            .with("sha256", row.sha256.as_str()),
        )?;
        Ok(ExportOutcome {
            sequence,
            path: medium.path(&row.file_name),
            file_name: row.file_name,
            sha256: row.sha256,
            records: row.record_count,
        })
    }
}
