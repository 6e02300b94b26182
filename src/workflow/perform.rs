//! The station's part of the workflow: carrying out a save effect and answering with an event.
//! The kiosk runs this on its worker thread and `kattoo enroll` runs it inline; both go through
//! these two functions, so a save and an override are checked, audited and answered alike.

use super::machine::{Effect, Event};
use crate::domain::{RegistrationId, Timestamp};
use crate::station::{self, Session, Station};

/// A save effect, taken out of [`Effect`] so it can travel to the station's thread.
#[derive(Debug)]
pub enum SaveRequest {
    /// Sign and store the draft.
    Plain(Box<station::EnrollmentDraft>),
    /// Sign and store it with a supervisor's override of a duplicate PIN.
    Override {
        draft: Box<station::EnrollmentDraft>,
        supervisor: String,
        password: zeroize::Zeroizing<String>,
        reason: String,
    },
}

impl SaveRequest {
    /// The save request inside `effect`, or the effect itself when it is for the front end.
    pub fn from_effect(effect: Effect) -> Result<SaveRequest, Effect> {
        match effect {
            Effect::Save(draft) => Ok(SaveRequest::Plain(draft)),
            Effect::SaveWithOverride {
                draft,
                supervisor,
                password,
                reason,
            } => Ok(SaveRequest::Override {
                draft,
                supervisor,
                password,
                reason,
            }),
            other => Err(other),
        }
    }

    /// The draft to save.
    pub fn draft(&self) -> &station::EnrollmentDraft {
        match self {
            SaveRequest::Plain(draft) | SaveRequest::Override { draft, .. } => draft,
        }
    }

    fn is_override(&self) -> bool {
        matches!(self, SaveRequest::Override { .. })
    }
}

/// Carries out `request` at the station as `session`'s operator.
pub fn save(
    station: &mut Station,
    session: &Session,
    request: SaveRequest,
    now: Timestamp,
) -> (station::Result<RegistrationId>, Event) {
    let is_override = request.is_override();
    let result = match request {
        SaveRequest::Plain(draft) => station.enroll(session, *draft, now),
        SaveRequest::Override {
            draft,
            supervisor,
            password,
            reason,
        } => station.enroll_with_override(session, *draft, &supervisor, &password, &reason, now),
    };
    let event = answer(&result, is_override);
    (result, event)
}

/// The event that tells the workflow how a save went.
pub fn answer(result: &station::Result<RegistrationId>, is_override: bool) -> Event {
    use station::Error as E;
    match result {
        Ok(id) => Event::Saved {
            registration_id: id.to_string(),
        },
        Err(E::DuplicatePin { masked, existing }) if !is_override => Event::DuplicatePin {
            masked_pin: Some(masked.clone()),
            existing: existing.clone(),
        },
        Err(E::DuplicatePerson { matches }) if !is_override => Event::DuplicatePin {
            masked_pin: None,
            existing: matches.iter().map(|m| m.registration_id.clone()).collect(),
        },
        // The supervisor could not authenticate, is not a supervisor, or gave no reason: back to
        // the override form.
        Err(
            e @ (E::BadCredentials
            | E::MalformedLogin
            | E::LockedOut { .. }
            | E::AccountLocked(_)
            | E::AccountDisabled(_)
            | E::PermissionDenied { .. }
            | E::PasswordChangeRequired(_)
            | E::OverrideReason),
        ) if is_override => Event::OverrideRefused {
            message_id: e.message_id(),
            detail: e.detail(),
        },
        Err(e) => Event::SaveFailed {
            message_id: e.message_id(),
            detail: e.detail(),
        },
    }
}
