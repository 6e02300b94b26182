//! Saving an enrollment: validate, check duplicates, number, sign and store in one transaction.

use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::domain::enrollment::{
    DuplicateOverride, OperatorRef, RecordHeader, SignatureException, check_complete,
};
use crate::domain::{
    Capture, CitizenInput, Enrollment, FingerException, RegistrationId, Role, Timestamp, Trust,
};

/// What the registrar collected: raw citizen details, captures, missing fingers.
#[derive(Debug, Clone, Default)]
pub struct EnrollmentDraft {
    pub citizen: CitizenInput,
    pub captures: Vec<Capture>,
    pub exceptions: Vec<FingerException>,
    /// The record this one corrects, if any.
    pub supersedes: Option<RegistrationId>,
    /// Why the citizen gives no signature (then the record is `kattoo/enrollment/v2`).
    pub signature_exception: Option<SignatureException>,
}

/// A supervisor's permission to enrol a PIN that is already enrolled.
struct DuplicateGrant<'a> {
    /// The supervisor's own session, opened for this one save.
    supervisor: &'a Session,
    reason: &'a str,
}

impl Station {
    /// The live records enrolled under `pin`, leaving out the record a correction replaces; a
    /// save of that PIN will stop for a supervisor. Training records never count.
    fn records_with_pin(&self, pin: &str, supersedes: Option<&str>) -> Result<Vec<String>> {
        if self.config.station.training {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .db()
            .live_records_with_pin(pin)?
            .into_iter()
            .filter(|id| supersedes != Some(id.as_str()))
            .collect())
    }

    /// The records a draft's PIN is already enrolled in, asked as soon as the PIN is typed so
    /// the registrar learns it before taking the biometrics. The save checks again and decides.
    pub fn pin_in_use(
        &mut self,
        session: &Session,
        pin: &str,
        supersedes: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        self.require(session, Role::Registrar, "check a PIN", None, now)?;
        self.records_with_pin(pin, supersedes)
    }

    /// Saves an enrollment and returns its registration id. The same path serves the GUI and
    /// `kattoo enroll` (both through [`crate::workflow::perform`]): every rule is checked here,
    /// then one transaction takes the sequence number, signs the record and stores it with its
    /// biometrics and its audit row. A PIN that is already enrolled is refused
    /// ([`Error::DuplicatePin`]); see [`Station::enroll_with_override`].
    pub fn enroll(
        &mut self,
        session: &Session,
        draft: EnrollmentDraft,
        now: Timestamp,
    ) -> Result<RegistrationId> {
        self.enroll_checked(session, draft, None, now)
    }

    /// Saves an enrollment whose PIN is already enrolled, allowed by a supervisor who types
    /// their login and password at the registrar's station, with a reason. The supervisor's
    /// login and logout are audited around the save, and the supervisor is never left logged
    /// in, whatever the outcome.
    pub fn enroll_with_override(
        &mut self,
        session: &Session,
        draft: EnrollmentDraft,
        supervisor: &str,
        password: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<RegistrationId> {
        if reason.trim().is_empty() {
            return Err(Error::OverrideReason);
        }
        let supervisor = self.login(supervisor, password, now)?;
        let grant = DuplicateGrant {
            supervisor: &supervisor,
            reason,
        };
        let result = self.enroll_checked(session, draft, Some(grant), now);
        let logout = self.logout(supervisor, now);
        let id = result?;
        logout?;
        Ok(id)
    }

    fn enroll_checked(
        &mut self,
        session: &Session,
        draft: EnrollmentDraft,
        grant: Option<DuplicateGrant<'_>>,
        now: Timestamp,
    ) -> Result<RegistrationId> {
        self.require(session, Role::Registrar, "enrol a citizen", None, now)?;
        let citizen = draft
            .citizen
            .validate(now.date())
            .map_err(Error::Validation)?;
        if !self
            .info
            .precincts
            .iter()
            .any(|p| p == citizen.precinct.as_str())
        {
            return Err(Error::PrecinctNotServed(
                citizen.precinct.as_str().to_owned(),
            ));
        }
        check_complete(
            &draft.captures,
            &draft.exceptions,
            draft.signature_exception,
        )?;
        let admission = self.config.station.admission();
        if let Some(refusal) = draft
            .captures
            .iter()
            .find_map(|c| admission.admit(&c.source).err())
        {
            self.audit(
                Event::new(Action::Refusal, now, Some(session.login()), None)
                    .with(
                        "action",
                        "save a record with a capture from an untrusted source",
                    )
                    .with("device", refusal.device()),
            )?;
            return Err(refusal.into());
        }
        let back_filled = draft.captures.iter().any(|c| c.source.trust == Trust::File);
        if let Some(old) = &draft.supersedes {
            let stored = self
                .store
                .db()
                .record(old.as_str())?
                .ok_or_else(|| Error::UnknownRecord(old.to_string()))?;
            if let Some(by) = stored.superseded_by {
                return Err(Error::Superseded {
                    id: old.to_string(),
                    by,
                });
            }
        }
        let training = self.config.station.training;
        let existing = self.records_with_pin(
            citizen.pin.as_str(),
            draft.supersedes.as_ref().map(RegistrationId::as_str),
        )?;
        // One person, one registration: the draft's fingers among the live records, and a
        // correction's fingers against the record it replaces.
        let templates = self.templates_of(&draft.captures);
        if let Some(old) = &draft.supersedes
            && let Some(score) = self.verify_correction(&templates, old.as_str())?
        {
            self.audit(
                Event::new(
                    Action::Refusal,
                    now,
                    Some(session.login()),
                    Some(old.as_str()),
                )
                .with(
                    "action",
                    "correct a record with another person's fingerprints",
                ),
            )?;
            return Err(Error::NotTheSamePerson {
                id: old.to_string(),
                score,
            });
        }
        let people = self.duplicate_people(
            &templates,
            draft.supersedes.as_ref().map(RegistrationId::as_str),
        )?;
        let first_person = people.first().map(|m| m.registration_id.clone());
        let mut duplicates = existing.clone();
        for m in &people {
            if !duplicates.contains(&m.registration_id) {
                duplicates.push(m.registration_id.clone());
            }
        }
        let duplicate_override = match (duplicates.first(), grant) {
            (None, _) => None,
            (Some(first), None) => {
                let (action, refusal) = if existing.is_empty() {
                    (
                        "enrol a person whose fingerprints match another record",
                        Error::DuplicatePerson { matches: people },
                    )
                } else {
                    (
                        "enrol a PIN that is already enrolled",
                        Error::DuplicatePin {
                            masked: citizen.pin.masked(),
                            existing,
                        },
                    )
                };
                self.audit(
                    Event::new(Action::Refusal, now, Some(session.login()), Some(first))
                        .with("action", action),
                )?;
                return Err(refusal);
            }
            (Some(first), Some(grant)) => {
                let action = if existing.is_empty() {
                    "override a fingerprint match"
                } else {
                    "override a duplicate PIN"
                };
                self.require(grant.supervisor, Role::Supervisor, action, Some(first), now)?;
                let reason = grant.reason.trim();
                if reason.is_empty() {
                    return Err(Error::OverrideReason);
                }
                Some(DuplicateOverride {
                    of: first
                        .parse()
                        .map_err(|_| crate::store::Error::Corrupt(format!("stored id {first}")))?,
                    supervisor: grant.supervisor.login().to_owned(),
                    reason: reason.to_owned(),
                })
            }
        };
        let corrects = draft.supersedes.is_some();
        let iso_templates = super::dedup::iso_templates(&templates)?;
        let station_id = self.info.station_id.clone();
        let key = &self.key;
        let operator = OperatorRef {
            login: session.login().to_owned(),
            role: session.role(),
        };
        let id = self.store.transaction(|db| -> Result<RegistrationId> {
            let sequence = db.next_sequence()?;
            if sequence > crate::domain::registration_id::MAX_SEQUENCE {
                return Err(Error::SequencesUsed);
            }
            let registration_id = RegistrationId::new(&station_id, sequence, now.date());
            let duplicate_of = duplicate_override.as_ref().map(|d| d.of.clone());
            let header = RecordHeader {
                registration_id: registration_id.clone(),
                sequence,
                created_at: now,
                operator,
                training,
                supersedes: draft.supersedes,
                duplicate_override,
            };
            let signed = Enrollment::new(
                station_id.clone(),
                header,
                citizen,
                draft.captures,
                draft.exceptions,
                draft.signature_exception,
            )?
            .sign(key)?;
            db.insert_record(&signed, duplicate_of.as_ref())?;
            db.insert_templates(registration_id.as_str(), &iso_templates)?;
            let r = signed.record();
            let mut event = Event::new(
                Action::Enrollment,
                now,
                Some(session.login()),
                Some(registration_id.as_str()),
            )
            .with("sequence", sequence)
            .with("training", training)
            .with("biometrics", r.biometrics.len() as u64)
            .with("exceptions", r.exceptions.len() as u64);
            if let Some(e) = r.signature_exception() {
                event = event.with("no_signature", e.reason.code());
            }
            if back_filled {
                event = event.with("back_fill", true);
            }
            if let Some(old) = &r.supersedes {
                event = event.with("supersedes", old.as_str());
            }
            if let Some(d) = &r.duplicate_override {
                event = event
                    .with("duplicate_of", d.of.as_str())
                    .with("override_by", d.supervisor.as_str());
                if let Some(person) = &first_person {
                    event = event.with("fingerprint_match", person.as_str());
                }
            }
            db.append_audit(&event)?;
            Ok(registration_id)
        })?;
        if corrects {
            // The corrected record left the live ones.
            self.drop_search_index();
        } else {
            self.index_saved(id.as_str(), training, &templates);
        }
        tracing::info!(record = %id, operator = session.login(), "enrollment saved");
        Ok(id)
    }
}
