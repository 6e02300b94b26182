//! One person, one registration across stations: every imported record's fingers are searched
//! among the records of every station central holds, and the matches are listed for a central
//! operator to decide. A match is never a refusal: the batch is imported all the same.
//!
//! Central extracts its own templates from the batch's finger files (stations never send theirs),
//! only of the fingers it searches, and keeps them beside the records. The search index over
//! them is built once per [`Central`] and follows its imports; records another record supersedes
//! are not searched. A pair is stored once whichever of its records came first, so importing the
//! other station's batch later, or a batch again, does not list it twice.

use super::{Central, CentralKey, CentralStore, Error, ImportTransaction, Result};
use crate::batch::VerifiedBatch;
use crate::domain::{BiometricKind, BiometricRef, FingerPosition};
use crate::matching::people::{self, PeopleIndex};
use crate::matching::template::Template;
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// How central searches.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupSettings {
    /// Search at all.
    pub search: bool,
    /// The fingers searched, in order of preference.
    pub preferred: Vec<FingerPosition>,
    /// Fingers searched per person (the first of `preferred` the record has).
    pub fingers: usize,
    /// Fused score at or above which two records are listed.
    pub threshold: f32,
    /// Most matches listed for one record.
    pub candidates: usize,
}

impl DedupSettings {
    /// From the configuration's `[central]` and `[matching] duplicate_fingers`.
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            search: config.central.search_duplicates,
            preferred: config.matching.duplicate_positions(),
            fingers: config.central.fingers,
            threshold: config.central.duplicate_threshold,
            candidates: config.central.candidates,
        }
    }
}

impl Default for DedupSettings {
    fn default() -> Self {
        Self::from_config(&crate::config::Config::default())
    }
}

/// A central operator's decision on a listed pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Decision {
    /// One person registered twice: the registrations must be resolved.
    Confirmed,
    /// Two different people whose fingers matched by chance.
    NotADuplicate,
}

impl Decision {
    /// As stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::NotADuplicate => "not-a-duplicate",
        }
    }

    /// From its stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [Decision::Confirmed, Decision::NotADuplicate]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// Two records whose fingers match, as found at import.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDuplicate {
    /// The record just imported.
    pub registration_id: String,
    /// The record it matches (held before, or earlier in the same batch).
    pub other_registration_id: String,
    /// Fused score.
    pub score: f32,
    /// Each searched finger with its score.
    pub fingers: Vec<(FingerPosition, f32)>,
}

impl FoundDuplicate {
    /// The pair in registration id order, as the stores keep it (once, whichever was found
    /// first).
    pub(super) fn ordered(&self) -> (&String, &String) {
        if self.registration_id < self.other_registration_id {
            (&self.registration_id, &self.other_registration_id)
        } else {
            (&self.other_registration_id, &self.registration_id)
        }
    }
}

/// What the search of one batch found, written with the batch.
#[derive(Debug, Default)]
pub struct BatchSearch {
    /// The templates central keeps of each record: (registration id, position code, ISO record).
    pub templates: Vec<(String, u8, Vec<u8>)>,
    pub found: Vec<FoundDuplicate>,
    /// The same templates as searched, by record, for the index once the batch is committed.
    searched: Vec<(String, Vec<(FingerPosition, Template)>)>,
    /// What other importers committed since the index was last brought up to date, searched
    /// too, and added to the index once this batch is committed.
    fresh: Option<Since>,
}

/// Records committed to the register after a mark (its own insertion order): what an importer's
/// index lacks when other importers ran at the same time.
#[derive(Debug, Default)]
pub struct Since {
    /// The register's mark after these records.
    pub mark: u64,
    /// Their templates: (registration id, position code, ISO/IEC 19794-2 record).
    pub templates: Vec<(String, u8, Vec<u8>)>,
    /// The records they supersede.
    pub superseded: Vec<String>,
}

/// A listed pair, as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateRow {
    pub id: u64,
    /// The pair, in registration id order, each with its station.
    pub first: String,
    pub first_station: String,
    pub second: String,
    pub second_station: String,
    pub score: f32,
    pub fingers: Vec<(FingerPosition, f32)>,
    pub found_at: String,
    pub decision: Option<DecisionRow>,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow {
    pub decision: Decision,
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// The duplicate search's index, shared by the importers of one process (`central import
/// --jobs`): it is built once and held once in memory, however many import at once. An import
/// holds it from its turn (see `ImportTransaction::take_turn`) until its batch is in it, so the
/// index follows the register one committed batch at a time.
#[derive(Clone, Default)]
pub struct SearchIndex(Arc<Mutex<Option<CentralIndex>>>);

impl SearchIndex {
    /// The index, for this import alone. An importer that panicked while it held the index may
    /// have left it half brought up to date: it is then dropped, to be built again.
    pub(super) fn lock(&self) -> MutexGuard<'_, Option<CentralIndex>> {
        self.0.lock().unwrap_or_else(|poisoned| {
            let mut held = poisoned.into_inner();
            *held = None;
            self.0.clear_poison();
            held
        })
    }

    /// People in the index (none before the first import that searches).
    pub fn people(&self) -> Option<usize> {
        self.lock().as_ref().map(|i| i.people.len())
    }

    /// Bytes the index's templates take in memory (none before the first import that searches).
    pub fn memory_bytes(&self) -> Option<usize> {
        self.lock().as_ref().map(|i| i.people.memory_bytes())
    }
}

/// The search index and the records it must no longer return.
pub(super) struct CentralIndex {
    people: PeopleIndex,
    /// Superseded since the index was built.
    retired: HashSet<String>,
    /// The register's mark the index is up to date with, but for `own`.
    mark: u64,
    /// Records this central committed since `mark` (already in `people`).
    own: HashSet<String>,
}

/// Fingers read and extracted per round, so a large batch's images are never all in memory.
const EXTRACT_CHUNK: usize = 64;

impl<S: CentralStore> Central<S> {
    /// Sets how imports search for duplicate people, with an index of its own (call it before
    /// [`Central::with_search_index`]: an index is built for one set of settings).
    pub fn with_dedup(mut self, settings: DedupSettings) -> Self {
        self.dedup = settings;
        self.index = SearchIndex::default();
        self
    }

    /// Shares `index` with the other importers of this process over the same register and with
    /// the same settings, instead of building one of its own.
    pub fn with_search_index(mut self, index: SearchIndex) -> Self {
        self.index = index;
        self
    }

    /// The duplicate search's index, to share with other importers.
    pub fn search_index(&self) -> &SearchIndex {
        &self.index
    }

    /// Builds the search index now, as the first import that searches would: every template
    /// held is read and opened (at national scale, the longest step of an importer's start).
    pub fn load_search_index(&self, key: &CentralKey) -> Result<()> {
        self.open_sealed(key)?;
        self.ensure_index()
    }

    /// Builds the search index from the store, if the search is on and it is not built yet.
    pub(super) fn ensure_index(&self) -> Result<()> {
        self.built_index().map(drop)
    }

    /// The search index, held, built first if the search is on and it is not built yet.
    pub(super) fn built_index(&self) -> Result<MutexGuard<'_, Option<CentralIndex>>> {
        let mut held = self.index.lock();
        if self.dedup.search && held.is_none() {
            // The mark first: a record committed between the two reads is fetched again by the
            // next import's refresh, and a record found twice is listed once.
            let mark = self.store.register_mark()?;
            let rows = self.store.searchable_templates()?;
            let mut index = CentralIndex {
                people: PeopleIndex::for_positions(&self.dedup.preferred),
                retired: HashSet::new(),
                mark,
                own: HashSet::new(),
            };
            index.people.add_stored(
                rows.iter()
                    .map(|(id, p, iso)| (id.as_str(), *p, iso.as_slice())),
            );
            *held = Some(index);
        }
        Ok(held)
    }

    /// Searches each record of a verified batch by its fingers ([`Central::batch_templates`])
    /// among everyone in `index`, what other importers committed since it was brought up to
    /// date, and the batch's earlier records.
    pub(super) fn search_batch(
        &self,
        index: Option<&CentralIndex>,
        verified: &VerifiedBatch,
        templates: Vec<Vec<(FingerPosition, Template)>>,
    ) -> Result<BatchSearch> {
        let Some(index) = index.filter(|_| self.dedup.search) else {
            return Ok(BatchSearch::default());
        };
        // What other importers committed since: every import's search and commit take turns
        // (see `ImportTransaction::take_turn`), so this is everything committed before.
        let mut fresh = self.store.searchable_since(index.mark)?;
        fresh.templates.retain(|(id, _, _)| !index.own.contains(id));
        let mut others = PeopleIndex::for_positions(&self.dedup.preferred);
        others.add_stored(
            fresh
                .templates
                .iter()
                .map(|(id, p, iso)| (id.as_str(), *p, iso.as_slice())),
        );
        let retired: HashSet<&str> = fresh.superseded.iter().map(String::as_str).collect();
        let mut out = BatchSearch::default();
        let mut this_batch = PeopleIndex::for_positions(&self.dedup.preferred);
        for (r, fingers) in verified.records.iter().zip(&templates) {
            let id = r.registration_id.as_str();
            let replaced = r.record.supersedes.as_ref().map(|s| s.as_str());
            let probe: Vec<(FingerPosition, &Template)> =
                fingers.iter().map(|(p, t)| (*p, t)).collect();
            if !probe.is_empty() {
                let (threshold, k) = (self.dedup.threshold, self.dedup.candidates);
                let mut matches = index.people.search(&probe, threshold, k);
                matches.extend(others.search(&probe, threshold, k));
                matches.extend(this_batch.search(&probe, threshold, k));
                matches.retain(|m| {
                    Some(m.registration_id.as_str()) != replaced
                        && !index.retired.contains(&m.registration_id)
                        && !retired.contains(m.registration_id.as_str())
                });
                matches.sort_by(|a, b| b.score.total_cmp(&a.score));
                // A record committed while the index was built is in both.
                let mut seen = HashSet::new();
                matches.retain(|m| seen.insert(m.registration_id.clone()));
                matches.truncate(k);
                out.found
                    .extend(matches.into_iter().map(|m| FoundDuplicate {
                        registration_id: id.to_owned(),
                        other_registration_id: m.registration_id,
                        score: m.score,
                        fingers: m.fingers,
                    }));
                this_batch.add(id, fingers);
            }
            for (p, t) in fingers {
                let iso = people::iso_record(*p, t).map_err(|e| Error::Template {
                    registration_id: id.to_owned(),
                    message: e.to_string(),
                })?;
                out.templates.push((id.to_owned(), p.code(), iso));
            }
        }
        out.searched = verified
            .records
            .iter()
            .map(|r| r.registration_id.clone())
            .zip(templates)
            .collect();
        out.fresh = Some(fresh);
        Ok(out)
    }

    /// The templates of the fingers searched of each record, in record order (none when the
    /// search is off), read from the open import where they were staged. The slow part of the
    /// search, done before the import takes its turn.
    pub(super) fn batch_templates(
        &self,
        tx: &S::Import<'_>,
        verified: &VerifiedBatch,
    ) -> Result<Vec<Vec<(FingerPosition, Template)>>> {
        if !self.dedup.search {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(verified.records.len());
        for chunk in verified.records.chunks(EXTRACT_CHUNK) {
            // Each record's finger files in order of preference.
            let wanted: Vec<Vec<&BiometricRef>> = chunk
                .iter()
                .map(|r| {
                    self.dedup
                        .preferred
                        .iter()
                        .filter_map(|p| {
                            r.record
                                .biometrics
                                .iter()
                                .find(|b| b.kind == BiometricKind::Finger && b.position == Some(*p))
                        })
                        .collect()
                })
                .collect();
            let mut got: Vec<Vec<(FingerPosition, Template)>> = vec![Vec::new(); chunk.len()];
            let mut next = vec![0; chunk.len()];
            // Rounds: the files each record still needs are read, then extracted on all cores.
            // A finger with no usable image is not searched; the next preferred one is read in
            // the following round.
            loop {
                let mut jobs = Vec::new();
                for (i, r) in chunk.iter().enumerate() {
                    let need = self.dedup.fingers.saturating_sub(got[i].len());
                    for b in wanted[i].iter().skip(next[i]).take(need) {
                        next[i] += 1;
                        let data = tx.biometric(&b.sha256)?.ok_or_else(|| Error::Template {
                            registration_id: r.registration_id.clone(),
                            message: format!("finger file {} is not in the batch", b.sha256),
                        })?;
                        jobs.push((i, b.position.expect("found by position"), b, data));
                    }
                }
                if jobs.is_empty() {
                    break;
                }
                let done: Vec<(usize, Option<(FingerPosition, Template)>)> = jobs
                    .par_iter()
                    .map(|(i, p, b, data)| {
                        (
                            *i,
                            people::finger_template(b.format, data, b.ppi).map(|t| (*p, t)),
                        )
                    })
                    .collect();
                for (i, t) in done {
                    got[i].extend(t);
                }
            }
            out.extend(got);
        }
        Ok(out)
    }

    /// Every listed pair, open ones first, then by score.
    pub fn duplicates(&self) -> Result<Vec<DuplicateRow>> {
        let mut rows = self.store.duplicates()?;
        rows.sort_by(|a, b| {
            a.decision
                .is_some()
                .cmp(&b.decision.is_some())
                .then(b.score.total_cmp(&a.score))
                .then(a.id.cmp(&b.id))
        });
        Ok(rows)
    }

    /// Records a central operator's decision on pair `id`, once.
    pub fn decide(&mut self, id: u64, decision: DecisionRow) -> Result<()> {
        if decision.by.trim().is_empty() || decision.reason.trim().is_empty() {
            return Err(Error::DecisionIncomplete);
        }
        // One guarded write (a pair decided meanwhile is left as it is); the list is read only
        // to say why nothing was written.
        if self.store.decide(id, &decision)? {
            return Ok(());
        }
        let pair = self
            .store
            .duplicates()?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::UnknownPair(id))?;
        let d = pair.decision.ok_or(Error::UnknownPair(id))?;
        Err(Error::AlreadyDecided {
            id,
            decision: d.decision.as_str(),
            by: d.by,
            at: d.at,
        })
    }
}

impl CentralIndex {
    /// Adds a committed batch's records (the templates as they were searched) and retires those
    /// they supersede.
    pub(super) fn follow(&mut self, verified: &VerifiedBatch, search: &BatchSearch) {
        if let Some(fresh) = &search.fresh {
            self.people.add_stored(
                fresh
                    .templates
                    .iter()
                    .map(|(id, p, iso)| (id.as_str(), *p, iso.as_slice())),
            );
            self.retired.extend(fresh.superseded.iter().cloned());
            self.mark = fresh.mark;
            self.own.clear();
        }
        for (id, fingers) in &search.searched {
            if !fingers.is_empty() {
                self.people.add(id, fingers);
            }
            self.own.insert(id.clone());
        }
        for old in verified
            .records
            .iter()
            .filter_map(|r| r.record.supersedes.as_ref())
        {
            self.retired.insert(old.as_str().to_owned());
        }
    }
}

/// The fingers of a stored pair as JSON (`[[position code, score], …]`).
pub(super) fn fingers_json(fingers: &[(FingerPosition, f32)]) -> String {
    serde_json::to_string(
        &fingers
            .iter()
            .map(|(p, s)| (p.code(), *s))
            .collect::<Vec<_>>(),
    )
    .expect("numbers serialise")
}

/// [`fingers_json`] read back (fingers that do not read are left out).
pub(super) fn fingers_from_json(text: &str) -> Vec<(FingerPosition, f32)> {
    serde_json::from_str::<Vec<(u8, f32)>>(text)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(p, s)| Some((FingerPosition::try_from(p).ok()?, s)))
        .collect()
}
