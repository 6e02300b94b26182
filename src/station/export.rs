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
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// True when this completed a batch that an interrupted export had left unrecorded.
    pub resumed: bool,
}

/// What an export is about to publish, saved beside the kept copy before either final name
/// exists (`<file>.pending.json`). If the power goes before the batch is recorded, the next
/// export finds it with the kept copy and completes that batch rather than making another
/// batch with the same number.
#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    batch: BatchRow,
    record_ids: Vec<String>,
}

impl Pending {
    fn path(dir: &Path, name: &str) -> PathBuf {
        dir.join(format!("{name}.pending.json"))
    }

    /// Saves the note durably.
    fn save(&self, dir: &Path, name: &str) -> batch::Result<()> {
        let path = Self::path(dir, name);
        let bytes = serde_json::to_vec_pretty(self).expect("a pending batch serialises");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&path)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            batch::medium::sync_dir(dir)
        };
        write().map_err(batch::io_err("write", &path))
    }

    /// Whether batch `name` was published locally but not recorded.
    fn peek(dir: &Path, name: &str) -> bool {
        Self::path(dir, name).exists() && dir.join(name).exists()
    }

    /// The interrupted batch `name`, checked against its kept copy. A note whose kept copy was
    /// never renamed into place (so the medium never got the file either) is removed.
    fn find(dir: &Path, name: &str) -> Result<Option<Pending>> {
        let path = Self::path(dir, name);
        let kept = dir.join(name);
        if !path.exists() {
            if kept.exists() {
                return Err(store::Error::Corrupt(format!(
                    "{} exists but the station never recorded it and holds no note of it; move it out of {} only if it never reached central",
                    kept.display(),
                    dir.display()
                ))
                .into());
            }
            return Ok(None);
        }
        if !kept.exists() {
            let _ = std::fs::remove_file(&path);
            let _ = std::fs::remove_file(dir.join(batch::medium::partial_name(name)));
            return Ok(None);
        }
        let damaged = |why: String| -> Error {
            store::Error::Corrupt(format!(
                "the interrupted batch {} cannot be completed: {why}; call the technician",
                kept.display()
            ))
            .into()
        };
        let text = std::fs::read(&path).map_err(super::io(&path))?;
        let pending: Pending = serde_json::from_slice(&text)
            .map_err(|e| damaged(format!("its note is damaged ({e})")))?;
        let sha = sha256_file(&kept)?;
        if sha != pending.batch.sha256 || pending.batch.file_name != name {
            return Err(damaged("the kept copy does not match its note".into()));
        }
        Ok(Some(pending))
    }
}

fn sha256_file(path: &Path) -> Result<String> {
    batch::bag::sha256_file(path).map_err(super::io(path))
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
        let r = self
            .db
            .record(id)
            .map_err(|e| batch::Error::StoredRecord {
                id: id.clone(),
                source: e.into(),
            })?
            .ok_or_else(|| batch::Error::RecordVanished(id.clone()))?;
        Ok(RecordFiles {
            registration_id: id.clone(),
            signature: Signature::from_bytes(&r.signature).map_err(|e| {
                batch::Error::RecordSignature {
                    id: id.clone(),
                    source: e.into(),
                }
            })?,
            json: r.record_json,
        })
    }
    fn biometric(&mut self, sha256: &str) -> batch::Result<Vec<u8>> {
        self.db
            .biometric(sha256)
            .map_err(|e| batch::Error::StoredBiometric {
                sha256: sha256.to_owned(),
                source: e.into(),
            })?
            .ok_or_else(|| batch::Error::MissingBiometric(sha256.to_owned()))
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
            return Err(Error::NoRecipientGiven);
        }
        let at = now.to_string();
        self.store.transaction(|db| -> Result<()> {
            db.set_batch_recipients(recipients, &at, session.login())?;
            db.append_audit(
                &Event::new(Action::BatchRecipients, now, Some(session.login()), None)
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
    ///
    /// If an earlier export was cut off (power lost) after its file was published but before it
    /// was recorded, this export completes that batch first, from the kept copy and byte for
    /// byte, and returns it with [`ExportOutcome::resumed`] set; records approved since wait for
    /// the next export.
    pub fn export(
        &mut self,
        session: &Session,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
    ) -> Result<ExportOutcome> {
        self.export_batch(session, medium, now, progress, false)
    }

    /// [`Station::export`], and when no approved record waits, a batch of the audit rows alone
    /// (zero records): how the last days' audit log of a station that is closing down reaches
    /// central. Refused only when there is not a single audit row since the last batch.
    pub fn export_allowing_empty(
        &mut self,
        session: &Session,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
    ) -> Result<ExportOutcome> {
        self.export_batch(session, medium, now, progress, true)
    }

    fn export_batch(
        &mut self,
        session: &Session,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
        allow_empty: bool,
    ) -> Result<ExportOutcome> {
        self.require(session, Role::Supervisor, "export a batch", None, now)?;
        let recipients = batch::parse_recipients(&self.batch_recipients()?)?;
        if recipients.is_empty() {
            return Err(Error::NoRecipient);
        }
        let db = self.store.db();
        let last = db.last_batch()?;
        let sequence = last.as_ref().map_or(0, |b| b.sequence) + 1;
        let station_id = self.info.station_id.to_string();
        let name = batch::file_name(&station_id, sequence);
        let local_dir = self.data_dir.join(BATCH_DIR);
        std::fs::create_dir_all(&local_dir).map_err(super::io(&local_dir))?;
        if let Some(pending) = Pending::find(&local_dir, &name)? {
            return self.complete_interrupted(session, pending, medium, now, progress);
        }
        let ids = db.exportable_record_ids()?;
        let from = last.as_ref().map_or(0, |b| b.audit_head_seq) + 1;
        let (head_seq, head_hash) = db.audit_head()?;
        // Central refuses a batch without audit rows; there is always one (the last export's).
        if (ids.is_empty() && !allow_empty) || head_seq < from {
            return Err(Error::NothingToExport);
        }
        let rows = db.audit_rows(from, head_seq)?;
        let audit = batch::verify::audit_jsonl(&rows)?;
        let (_, certificate) = self.certificate()?;
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
        let row = |sha256: &str| BatchRow {
            sequence,
            file_name: name.clone(),
            sha256: sha256.to_owned(),
            record_count: ids.len() as u64,
            audit_head_seq: head_seq,
            audit_head_hash: hex::encode(head_hash),
            created_at: now.to_string(),
            created_by: session.login().to_owned(),
        };
        let mut source = StoreSource {
            db: self.store.db(),
            ids: &ids,
        };
        let written = batch::write_new_batch(
            &batch::Destination {
                kept_dir: &local_dir,
                medium,
                name: &name,
            },
            &batch::Contents {
                header: &header,
                audit_jsonl: &audit,
                certificate: &certificate,
                key: &self.key,
                recipients: &recipients,
            },
            &mut source,
            &mut |sha256| {
                Pending {
                    batch: row(sha256),
                    record_ids: ids.clone(),
                }
                .save(&local_dir, &name)
            },
            progress,
        );
        let sha256 = match written {
            Ok(sha) => sha,
            Err(e) => {
                discard_unrecorded(&local_dir, &name);
                return Err(e.into());
            }
        };
        let row = row(&sha256);
        if let Err(e) = self.record_batch(session, &row, &ids, false, now) {
            discard_unrecorded(&local_dir, &name);
            let _ = medium.remove(&name);
            return Err(e);
        }
        Ok(ExportOutcome {
            sequence,
            path: medium.path(&name),
            file_name: name,
            sha256,
            records: ids.len() as u64,
            resumed: false,
        })
    }

    /// Publishes the batch an interrupted export left behind and records it.
    fn complete_interrupted(
        &mut self,
        session: &Session,
        pending: Pending,
        medium: &dyn Medium,
        now: Timestamp,
        progress: ProgressFn<'_>,
    ) -> Result<ExportOutcome> {
        let row = pending.batch;
        let local_dir = self.data_dir.join(BATCH_DIR);
        let kept = local_dir.join(&row.file_name);
        tracing::warn!(
            sequence = row.sequence,
            "completing a batch whose export was interrupted"
        );
        batch::medium::copy_to_medium(medium, &kept, &row.file_name, &row.sha256, progress)?;
        self.record_batch(session, &row, &pending.record_ids, true, now)?;
        Ok(ExportOutcome {
            sequence: row.sequence,
            path: medium.path(&row.file_name),
            file_name: row.file_name,
            sha256: row.sha256,
            records: row.record_count,
            resumed: true,
        })
    }

    /// Marks a published batch's records exported, in one transaction with its audit row, then
    /// drops the pending note.
    fn record_batch(
        &mut self,
        session: &Session,
        row: &BatchRow,
        ids: &[String],
        resumed: bool,
        now: Timestamp,
    ) -> Result<()> {
        self.store.transaction(|db| -> Result<()> {
            db.insert_batch(row, ids)?;
            let mut event = Event::new(
                Action::Export,
                now,
                Some(session.login()),
                Some(&row.sequence.to_string()),
            )
            .with("sequence", row.sequence)
            .with("records", ids.len() as u64)
            .with("sha256", row.sha256.as_str());
            if resumed {
                event = event.with("resumed", true);
            }
            db.append_audit(&event)?;
            Ok(())
        })?;
        let local_dir = self.data_dir.join(BATCH_DIR);
        let _ = std::fs::remove_file(Pending::path(&local_dir, &row.file_name));
        let _ = super::sync_dir(&local_dir);
        tracing::info!(
            sequence = row.sequence,
            records = ids.len(),
            operator = session.login(),
            resumed,
            "batch exported"
        );
        Ok(())
    }

    /// The batch an interrupted export published but did not record, if there is one.
    pub fn interrupted_export(&self) -> Result<Option<u64>> {
        let last = self.store.db().last_batch()?;
        let sequence = last.map_or(0, |b| b.sequence) + 1;
        let name = batch::file_name(self.info.station_id.as_str(), sequence);
        let dir = self.data_dir.join(BATCH_DIR);
        Ok(Pending::peek(&dir, &name).then_some(sequence))
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
            .ok_or(Error::UnknownBatch(sequence))?;
        let local = self.data_dir.join(BATCH_DIR).join(&row.file_name);
        if sha256_file(&local)? != row.sha256 {
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
            resumed: false,
        })
    }
}

/// Undoes batch `name`, which the station did not record: its kept copy (and any partial one)
/// goes first and the directory is synced, then its pending note, synced again. A power cut
/// anywhere in between leaves a note without its kept copy, which the next export drops; never
/// a kept copy without its note, which would stop every export until a technician came.
fn discard_unrecorded(local_dir: &Path, name: &str) {
    let _ = std::fs::remove_file(local_dir.join(name));
    let _ = std::fs::remove_file(local_dir.join(batch::medium::partial_name(name)));
    let _ = super::sync_dir(local_dir);
    let _ = std::fs::remove_file(Pending::path(local_dir, name));
    let _ = super::sync_dir(local_dir);
}
