//! One person, one registration: a fingerprint template of every finger of every record, the
//! search of a new record's fingers among them before it is signed, and identification by
//! finger.
//!
//! Templates (ISO/IEC 19794-2 minutiae records) are extracted by the station from the record's
//! own finger files when it is saved, or by [`Station::extract_missing_templates`] for records
//! saved before templates existed. They stay in the encrypted store and never leave in a batch.
//! The search index over them is built from the store the first time it is needed and follows
//! the saves; anything that changes which records are live (a correction, a rejection, a
//! training reset) drops it, and the next search builds it again.

use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::domain::{BiometricFormat, BiometricKind, Capture, FingerPosition, Role, Timestamp};
use crate::matching::compare::{self, Prepared};
use crate::matching::people::{PeopleIndex, iso_record, probe_fingers, stored_template};
pub use crate::matching::people::{PersonMatch, finger_template};
use crate::matching::template::Template;
use crate::store::StoredTemplate;
use std::collections::HashMap;

/// The search index of the live records of one kind (training or not).
pub(super) struct SearchIndex {
    training: bool,
    people: PeopleIndex,
}

/// Extracted templates by the SHA-256 of the finger file, so a draft searched while it is made
/// is not extracted again when it is saved. Bounded: when full, it keeps only the files of the
/// call that needs room.
#[derive(Default)]
pub(super) struct TemplateCache {
    by_sha: HashMap<String, Option<Template>>,
    /// How many finger files were extracted (what the cache is for is to keep this low).
    pub(super) extractions: u64,
}

const CACHE_LIMIT: usize = 64;

impl Station {
    /// The templates of a draft's fingers (from the cache when the same file was seen).
    pub(super) fn templates_of(&mut self, captures: &[Capture]) -> Vec<(FingerPosition, Template)> {
        let files: Vec<(FingerPosition, BiometricFormat, &[u8], Option<u32>)> = captures
            .iter()
            .filter(|c| c.kind == BiometricKind::Finger)
            .filter_map(|c| Some((c.position?, c.format, c.data.as_slice(), c.ppi)))
            .collect();
        self.templates_of_files(&files)
    }

    /// [`Station::templates_of`] for finger files with their position, format and resolution.
    fn templates_of_files(
        &mut self,
        files: &[(FingerPosition, BiometricFormat, &[u8], Option<u32>)],
    ) -> Vec<(FingerPosition, Template)> {
        let shas: Vec<String> = files
            .iter()
            .map(|&(_, _, data, _)| crate::domain::biometric::sha256_hex(data))
            .collect();
        // Room is made before, never by dropping what a search of the same draft just put in
        // (the save after a search would extract all ten fingers again).
        let new = shas
            .iter()
            .filter(|sha| !self.templates.by_sha.contains_key(*sha))
            .count();
        if self.templates.by_sha.len() + new > CACHE_LIMIT {
            self.templates.by_sha.retain(|sha, _| shas.contains(sha));
        }
        let TemplateCache {
            by_sha,
            extractions,
        } = &mut self.templates;
        files
            .iter()
            .zip(shas)
            .filter_map(|(&(position, format, data, ppi), sha)| {
                let template = by_sha
                    .entry(sha)
                    .or_insert_with(|| {
                        *extractions += 1;
                        finger_template(format, data, ppi)
                    })
                    .clone()?;
                Some((position, template))
            })
            .collect()
    }

    /// The search index of the live records of the station's current mode, built if needed.
    fn index(&mut self) -> Result<&SearchIndex> {
        let training = self.config.station.training;
        if self.index.as_ref().is_none_or(|i| i.training != training) {
            let mut people = PeopleIndex::default();
            // Rows come ordered by record: one person per run of one registration id.
            let stored = self.store.db().searchable_templates(training)?;
            people.add_stored(
                stored
                    .iter()
                    .map(|t| (t.registration_id.as_str(), t.position, t.iso.as_slice())),
            );
            self.index = Some(SearchIndex { training, people });
        }
        Ok(self.index.as_ref().expect("built above"))
    }

    /// Forgets the search index (which records are live changed); the next search builds it.
    pub(super) fn drop_search_index(&mut self) {
        self.index = None;
    }

    /// The live records whose fingers match the draft's `templates` at the duplicate-person
    /// threshold, leaving out the record the draft corrects. Empty when the search is off.
    pub(super) fn duplicate_people(
        &mut self,
        templates: &[(FingerPosition, Template)],
        supersedes: Option<&str>,
    ) -> Result<Vec<PersonMatch>> {
        let matching = self.config.matching.clone();
        if !matching.search_duplicates {
            return Ok(Vec::new());
        }
        let probe = probe_fingers(&matching.duplicate_positions(), templates, 2);
        if probe.is_empty() {
            return Ok(Vec::new());
        }
        let found =
            self.index()?
                .people
                .search(&probe, matching.duplicate_threshold, matching.candidates);
        Ok(found
            .into_iter()
            .filter(|m| supersedes != Some(m.registration_id.as_str()))
            .collect())
    }

    /// The search the kiosk runs as soon as a draft's prints are taken: the live records whose
    /// fingers match `fingers` at the duplicate-person threshold, leaving out the record the
    /// draft corrects. Saving searches again and refuses a match; this only warns early.
    pub fn search_people(
        &mut self,
        session: &Session,
        fingers: &[Capture],
        supersedes: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<PersonMatch>> {
        self.require(
            session,
            Role::Registrar,
            "search a draft's fingerprints",
            None,
            now,
        )?;
        let templates = self.templates_of(fingers);
        let found = self.duplicate_people(&templates, supersedes)?;
        self.audit(
            Event::new(
                Action::DuplicateSearch,
                now,
                Some(session.login()),
                supersedes,
            )
            .with("fingers_read", templates.len() as u64)
            .with("candidates", found.len() as u64),
        )?;
        Ok(found)
    }

    /// A correction is the same citizen: the draft's fingers compared 1:1 with the record it
    /// replaces, on the first two searched fingers both have. `Ok(None)` when they match, or
    /// when there is nothing to compare (the search is off, or either side has no template of
    /// those fingers); `Ok(Some(score))` when they do not.
    pub(super) fn verify_correction(
        &mut self,
        templates: &[(FingerPosition, Template)],
        old: &str,
    ) -> Result<Option<f32>> {
        let matching = self.config.matching.clone();
        if !matching.search_duplicates {
            return Ok(None);
        }
        let stored: Vec<(FingerPosition, Template)> = self
            .store
            .db()
            .record_templates(old)?
            .iter()
            .filter_map(|t: &StoredTemplate| stored_template(t.position, &t.iso))
            .collect();
        let find = |list: &[(FingerPosition, Template)], p| {
            list.iter().find(|(q, _)| *q == p).map(|(_, t)| t.clone())
        };
        let pairs: Vec<(Template, Template)> = matching
            .duplicate_positions()
            .into_iter()
            .filter_map(|p| Some((find(templates, p)?, find(&stored, p)?)))
            .take(2)
            .collect();
        if pairs.is_empty() {
            return Ok(None);
        }
        let threshold = if pairs.len() == 1 {
            matching.identify_threshold_one_finger
        } else {
            matching.identify_threshold_two_fingers
        };
        let score = pairs
            .iter()
            .map(|(a, b)| compare::score(&Prepared::new(a), &Prepared::new(b)))
            .sum::<f32>()
            / pairs.len() as f32;
        Ok((score < threshold).then_some(score))
    }

    /// Adds a saved record to the search index, if one is built for its mode.
    pub(super) fn index_saved(
        &mut self,
        id: &str,
        training: bool,
        templates: &[(FingerPosition, Template)],
    ) {
        if let Some(index) = self.index.as_mut().filter(|i| i.training == training) {
            index.people.add(id, templates);
        }
    }

    /// Identification by finger: the live records whose fingers match `fingers` (one or two
    /// finger files with their positions), best first, with scores. Audited without the
    /// fingerprints.
    pub fn identify(
        &mut self,
        session: &Session,
        fingers: &[Capture],
        now: Timestamp,
    ) -> Result<Vec<PersonMatch>> {
        self.require(
            session,
            Role::Registrar,
            "identify a citizen by finger",
            None,
            now,
        )?;
        let templates = self.templates_of(fingers);
        if templates.is_empty() {
            return Err(Error::NoFingerTemplate);
        }
        let matching = self.config.matching.clone();
        let threshold = if templates.len() == 1 {
            matching.identify_threshold_one_finger
        } else {
            matching.identify_threshold_two_fingers
        };
        let probe: Vec<(FingerPosition, &Template)> =
            templates.iter().take(2).map(|(p, t)| (*p, t)).collect();
        let found = self
            .index()?
            .people
            .search(&probe, threshold, matching.candidates);
        self.audit(
            Event::new(Action::Identification, now, Some(session.login()), None)
                .with("fingers", probe.len() as u64)
                .with("candidates", found.len() as u64),
        )?;
        Ok(found)
    }

    /// Extracts the templates of every record saved before templates existed, one record per
    /// transaction (an interruption loses nothing), calling `progress(done, total)` after each.
    /// Returns how many records were processed.
    pub fn extract_missing_templates(
        &mut self,
        session: &Session,
        now: Timestamp,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize> {
        self.require(
            session,
            Role::Supervisor,
            "extract fingerprint templates",
            None,
            now,
        )?;
        let ids = self.store.db().records_without_templates()?;
        let total = ids.len();
        for (done, id) in ids.iter().enumerate() {
            let files = self.stored_fingers(id)?;
            let files: Vec<_> = files
                .iter()
                .map(|(p, format, data, ppi)| (*p, *format, data.as_slice(), *ppi))
                .collect();
            let templates = self.templates_of_files(&files);
            let iso = iso_templates(&templates)?;
            self.store
                .transaction(|db| -> Result<()> { Ok(db.insert_templates(id, &iso)?) })?;
            progress(done + 1, total);
        }
        if total > 0 {
            self.audit(
                Event::new(Action::TemplatesExtracted, now, Some(session.login()), None)
                    .with("records", total as u64),
            )?;
            self.drop_search_index();
        }
        Ok(total)
    }

    /// The finger files of a stored record: position, format, bytes and resolution.
    #[allow(clippy::type_complexity)]
    fn stored_fingers(
        &self,
        id: &str,
    ) -> Result<Vec<(FingerPosition, BiometricFormat, Vec<u8>, Option<u32>)>> {
        let stored = self
            .store
            .db()
            .record(id)?
            .ok_or_else(|| Error::UnknownRecord(id.to_owned()))?;
        let record: crate::domain::enrollment::Record = serde_json::from_slice(&stored.record_json)
            .map_err(|e| crate::store::Error::Corrupt(format!("record {id}: {e}")))?;
        let mut out = Vec::new();
        for b in record
            .biometrics
            .iter()
            .filter(|b| b.kind == BiometricKind::Finger)
        {
            if let (Some(position), Some(data)) =
                (b.position, self.store.db().biometric(&b.sha256)?)
            {
                out.push((position, b.format, data, b.ppi));
            }
        }
        Ok(out)
    }
}

/// Templates as the ISO/IEC 19794-2 records the store keeps, by position code.
pub(super) fn iso_templates(
    templates: &[(FingerPosition, Template)],
) -> Result<Vec<(u8, Vec<u8>)>> {
    templates
        .iter()
        .map(|(p, t)| {
            iso_record(*p, t)
                .map(|bytes| (p.code(), bytes))
                .map_err(|e| crate::store::Error::Corrupt(format!("template {p}: {e}")).into())
        })
        .collect()
}
