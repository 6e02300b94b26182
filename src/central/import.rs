//! Importing one batch without holding it in memory.
//!
//! A batch file can be gigabytes. [`Central::import`] reads it twice, streaming both times: once
//! for its SHA-256 (the same file twice is a no-op, decided before any decryption), then through
//! [`batch::verify_batch`], whose biometric sink writes each file into an open import
//! transaction as it streams past. The station and sequence rules can only be checked once the
//! bag has been read; a refusal, like any verification or I/O error, drops the transaction and
//! rolls back every staged biometric. The second pass is hashed as well, so a file that changed
//! between the passes is refused rather than recorded under the wrong SHA-256.

use super::{
    AcceptedBatch, BatchSearch, Central, CentralIndex, CentralKey, CentralStore, CrossStationPin,
    Error, ImportOutcome, ImportTransaction, Result,
};
use crate::batch::bag::HashingReader;
use crate::batch::{self, VerifiedBatch};
use crate::domain::pin::mask;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::MutexGuard;

impl<S: CentralStore> Central<S> {
    /// Verifies and imports one batch file, streaming it twice (see the module documentation);
    /// memory stays flat whatever the batch size.
    pub fn import(&mut self, path: &Path, key: &CentralKey, now: &str) -> Result<ImportOutcome> {
        let name = path.display().to_string();
        // The station writes a batch under this suffix and renames it once it has read it back
        // and recorded it. A .partial file is never a batch the station stands behind, even
        // when a kill left it whole: the station's next export redoes that batch.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(batch::medium::PARTIAL_SUFFIX))
        {
            return Err(Error::UnfinishedExport(name));
        }
        let open = || {
            File::open(path)
                .map(BufReader::new)
                .map_err(|source| Error::Io {
                    path: name.clone(),
                    source,
                })
        };
        let sha256 = HashingReader::new(open()?)
            .finish()
            .map_err(|source| Error::Io {
                path: name.clone(),
                source,
            })?;
        if let Some(done) = self.already_imported(&sha256)? {
            return Ok(done);
        }
        self.open_sealed(key)?;
        self.ensure_index()?;
        // The database may give up on an import for a reason of its own (two importers running
        // at once deadlocked); the file is read again from the start.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.import_file_once(&open, key, now, &name, &sha256) {
                Err(e) if e.is_retryable() && attempts < 3 => {
                    tracing::warn!(
                        attempt = attempts,
                        "the database gave up on an import; importing it again"
                    );
                }
                other => return other,
            }
        }
    }

    /// One attempt of [`Central::import`], from the second reading of the file on.
    fn import_file_once(
        &mut self,
        open: &dyn Fn() -> Result<BufReader<File>>,
        key: &CentralKey,
        now: &str,
        name: &str,
        sha256: &str,
    ) -> Result<ImportOutcome> {
        match self.import_stream(open()?, key, now, name)? {
            Streamed::Accepted(accepted) if accepted.row.sha256 == sha256 => accepted.commit(now),
            // Another importer committed this very file while it streamed here.
            Streamed::Known(done, known) if known == sha256 => Ok(done),
            // Nothing is committed: the transaction rolls back when `accepted` drops.
            Streamed::Accepted(_) | Streamed::Known(..) => Err(Error::Changed(name.to_owned())),
        }
    }

    /// Verifies and imports one batch from any reader, in one streaming pass. Unlike
    /// [`Central::import`], it finds a batch imported before only after decrypting and
    /// verifying it again (the outcome is the same no-op).
    pub fn import_reader<R: Read>(
        &mut self,
        input: R,
        key: &CentralKey,
        now: &str,
    ) -> Result<ImportOutcome> {
        self.open_sealed(key)?;
        self.ensure_index()?;
        match self.import_stream(input, key, now, "the batch")? {
            Streamed::Accepted(accepted) => accepted.commit(now),
            Streamed::Known(done, _) => Ok(done),
        }
    }

    fn already_imported(&self, sha256: &str) -> Result<Option<ImportOutcome>> {
        Ok(self
            .store
            .batch_by_sha(sha256)?
            .map(|(station_id, sequence)| ImportOutcome::AlreadyImported {
                station_id,
                sequence,
            }))
    }

    /// Streams `input` through the verifier into an import transaction, then checks the rules.
    fn import_stream<R: Read>(
        &self,
        input: R,
        key: &CentralKey,
        now: &str,
        name: &str,
    ) -> Result<Streamed<'_, S>> {
        let mut input = HashingReader::new(input);
        let mut tx = self.store.begin_import()?;
        let mut store_error = None;
        let verified = batch::verify_batch(&mut input, key.identities(), None, &mut |sha, data| {
            tx.put_biometric(sha, data).map_err(|e| {
                store_error = Some(e);
                // Never shown: the store's own error is returned below instead.
                batch::Error::StoredBiometric {
                    sha256: sha.to_owned(),
                    source: "the central database refused a biometric".into(),
                }
            })
        });
        if let Some(e) = store_error {
            return Err(e);
        }
        let verified = verified?;
        let sha256 = input.finish().map_err(|source| Error::Io {
            path: name.to_owned(),
            source,
        })?;
        // The fingers are extracted before this import takes its turn (below), so that
        // importers running at once extract side by side.
        let templates = self.batch_templates(&tx, &verified)?;
        // From here to the commit, no other import of this station can commit, and no other
        // import searches or commits.
        tx.take_turn(&verified.info.station_id)?;
        // The index after the turn, so that an importer waiting for its station waits holding
        // nothing the other importers of this process need. The one before it may still be
        // adding its committed batch to the index: this waits for that, then holds the index
        // until this batch is in it.
        let index = self.built_index()?;
        if let Some(done) = self.already_imported(&sha256)? {
            return Ok(Streamed::Known(done, sha256));
        }
        let (row, mut outcome) = self.check_rules(&verified, sha256, now)?;
        let search = self.search_batch(index.as_ref(), &verified, templates)?;
        if let ImportOutcome::Imported { duplicates, .. } = &mut outcome {
            duplicates.clone_from(&search.found);
        }
        Ok(Streamed::Accepted(Box::new(Accepted {
            tx,
            row,
            verified,
            search,
            outcome,
            index,
        })))
    }

    /// The central rules for a verified batch: the accepted row and what the import reports.
    fn check_rules(
        &self,
        verified: &VerifiedBatch,
        sha256: String,
        now: &str,
    ) -> Result<(AcceptedBatch, ImportOutcome)> {
        let station_id = verified.info.station_id.clone();
        let station = self
            .store
            .station(&station_id)?
            .ok_or_else(|| Error::UnknownStation(station_id.clone()))?;
        self.check_station_key(&station, &verified.station_key)?;
        let sequence = verified.info.sequence;
        let accepted = self.store.batches(&station_id)?;
        let last = accepted.last();
        // 1 ≤ sequence ≤ last + MAX_SEQUENCE_JUMP: never 0, never far enough ahead to overflow
        // the store's signed integers or leave an endless gap.
        let last_seq = last.map_or(0, |b| b.sequence);
        if sequence == 0 || sequence > last_seq.saturating_add(super::MAX_SEQUENCE_JUMP) {
            return Err(Error::SequenceOutOfRange {
                station: station_id,
                sequence,
                last: last_seq,
            });
        }
        if accepted.iter().any(|b| b.sequence == sequence) {
            return Err(Error::Replay {
                station: station_id,
                sequence,
            });
        }
        // A batch below the last accepted one is late, not replayed: it is accepted exactly when
        // it is the missing link, the file the next accepted batch names as its previous one
        // (that batch's signed Previous-Batch-SHA256), and refused otherwise.
        let fills_gap = last.is_some_and(|l| sequence < l.sequence);
        if fills_gap
            && !accepted
                .iter()
                .any(|b| b.sequence == sequence + 1 && b.previous_sha256 == sha256)
        {
            return Err(Error::LowerSequence {
                station: station_id,
                sequence,
                last: last_seq,
            });
        }
        let gap = (sequence > last_seq + 1).then_some((last_seq + 1, sequence - 1));
        let chain = |what| Error::ChainMismatch {
            station: station_id.clone(),
            sequence,
            previous: sequence - 1,
            what,
        };
        if sequence == 1 && verified.info.previous_sha256 != batch::NO_PREVIOUS {
            return Err(chain("Previous-Batch-SHA256"));
        }
        if let Some(prev) = accepted.iter().find(|b| b.sequence + 1 == sequence) {
            if verified.info.previous_sha256 != prev.sha256 {
                return Err(chain("Previous-Batch-SHA256"));
            }
            if let Some(first) = verified.audit.first()
                && (hex::encode(first.prev) != prev.audit_head_hash
                    || first.seq != prev.audit_head_seq + 1)
            {
                return Err(chain("the audit chain"));
            }
        }
        let mut cross = Vec::new();
        for r in &verified.records {
            let pin = r.record.citizen.pin.as_str();
            for (other_station, other_id) in self.store.pin_elsewhere(pin, &station_id)? {
                cross.push(CrossStationPin {
                    masked_pin: mask(pin),
                    registration_id: r.registration_id.clone(),
                    other_station,
                    other_registration_id: other_id,
                });
            }
        }
        let row = AcceptedBatch {
            station_id: station_id.clone(),
            sequence,
            sha256,
            previous_sha256: verified.info.previous_sha256.clone(),
            record_count: verified.records.len() as u64,
            audit_head_seq: verified.info.audit_head_seq,
            audit_head_hash: verified.info.audit_head_hash.clone(),
            imported_at: now.to_owned(),
        };
        let outcome = ImportOutcome::Imported {
            station_id,
            sequence,
            records: row.record_count,
            gap,
            cross_station_pins: cross,
            duplicates: Vec::new(),
        };
        Ok((row, outcome))
    }
}

/// What streaming a batch found.
enum Streamed<'a, S: CentralStore + 'a> {
    /// The very same file (of this SHA-256) was imported before, or by another importer while
    /// this one streamed it; the transaction is already rolled back.
    Known(ImportOutcome, String),
    /// It passed every check; its biometrics are staged, the rest is written at commit.
    Accepted(Box<Accepted<'a, S>>),
}

/// A batch that passed every check, its biometrics staged in the open transaction.
struct Accepted<'a, S: CentralStore + 'a> {
    tx: S::Import<'a>,
    row: AcceptedBatch,
    verified: VerifiedBatch,
    search: BatchSearch,
    outcome: ImportOutcome,
    /// The search index, held from the search until the batch is in it.
    index: MutexGuard<'a, Option<CentralIndex>>,
}

impl<S: CentralStore> Accepted<'_, S> {
    /// Commits the batch, then adds it to the search index, which it holds until then; the
    /// import's outcome.
    fn commit(mut self, now: &str) -> Result<ImportOutcome> {
        self.tx
            .commit(&self.row, &self.verified, &self.search, now)?;
        tracing::info!(
            station = %self.row.station_id,
            sequence = self.row.sequence,
            records = self.row.record_count,
            possible_duplicates = self.search.found.len(),
            "batch imported"
        );
        if let Some(index) = self.index.as_mut() {
            index.follow(&self.verified, &self.search);
        }
        Ok(self.outcome)
    }
}
