//! [`next`]: the rules of one enrollment, as one function of the state, an event and the time.
//!
//! `next` reads the state and returns a new one, so a refused event leaves the draft as it was
//! (the front end keeps it and shows the error); the old state, dropped by the front end, wipes
//! its biometrics as it goes.

pub use super::events::{Effect, Event, WorkflowError};
use super::policy::{Decision, face_score};
use super::state::{
    FaceAttempt, FingerBar, FingerSlot, SaveState, ScoredFinger, SetAttempts, State, Step,
    slot_index, wipe_slot,
};
use crate::domain::{BiometricKind, FingerPosition, Timestamp};
use crate::hal::FingerSet;
use crate::station::EnrollmentDraft;
use zeroize::Zeroize;

type Outcome = Result<(State, Vec<Effect>), WorkflowError>;

/// The one transition function: the state after `event` at `now`, and the effects to carry out.
pub fn next(state: &State, event: Event, now: Timestamp) -> Outcome {
    use Event as E;
    let step = state.step;
    let wrong = |event: &Event| WorkflowError::WrongStep {
        event: event.name(),
        step,
    };
    // A capture the station would refuse is refused as it arrives, not after the whole draft.
    for capture in event.captures() {
        state.admission.admit(&capture.source)?;
    }
    let mut s = state.clone();
    let mut effects = Vec::new();
    match (step, event) {
        // Leaving wipes everything, from any step.
        (_, E::Cancel) => {
            s.wipe_biometrics();
            s.wipe_citizen();
            effects.extend([Effect::StopPreview, Effect::Wipe, Effect::Done]);
        }
        (Step::Language, E::Language(language)) => {
            s.language = Some(language);
            s.citizen.language = Some(language.code().to_owned());
            effects.push(Effect::SwitchLanguage(language));
        }
        (Step::Demographics, E::Citizen(mut input)) => {
            // The language is chosen on its own step.
            input.language = s.language.map(|l| l.code().to_owned());
            s.citizen = input;
        }
        (_, E::Next) => return forward(s, now),
        (_, E::Back) => match step {
            Step::Language => {
                s.wipe_biometrics();
                s.wipe_citizen();
                effects.extend([Effect::Wipe, Effect::Done]);
            }
            Step::Save => match s.save {
                SaveState::Saving { .. } | SaveState::Saved { .. } => return Err(wrong(&E::Back)),
                _ => {
                    s.save = SaveState::NotYet;
                    s.duplicate = None;
                    s.step = Step::Review;
                }
            },
            Step::Receipt => return Err(wrong(&E::Back)),
            _ => {
                if s.capturing.is_some() || s.photo_for.is_some() {
                    return Err(WorkflowError::CaptureRunning);
                }
                enter(
                    &mut s,
                    step.previous().expect("not the first step"),
                    &mut effects,
                );
            }
        },
        (Step::Review, E::Edit(to)) if to < Step::Review && to > Step::Language => {
            enter(&mut s, to, &mut effects);
        }
        (Step::Face, E::FaceAttempt(attempt)) => face_attempt(&mut s, attempt)?,
        (Step::Face, E::RetakeFace) => {
            if let Some(mut c) = s.face.take() {
                c.data.zeroize();
            }
            for a in s.face_attempts.drain(..) {
                let mut photo = a.photo;
                photo.data.zeroize();
            }
            s.face_tries_left = None;
            effects.push(Effect::StartPreview);
        }
        (Step::Fingers, E::CaptureFingers(set)) => {
            if s.capturing.is_some() || s.photo_for.is_some() {
                return Err(WorkflowError::CaptureRunning);
            }
            let request = s
                .policy
                .finger_request(set, &s.missing_fingers())
                .ok_or(WorkflowError::NothingToCapture)?;
            if s.finger_attempts.as_ref().map(|a| a.set) != Some(set) {
                s.discard_finger_attempts();
            }
            s.capturing = Some(set);
            effects.push(Effect::CaptureFingers(request));
        }
        (Step::Fingers, E::FingerAttempt { set, fingers }) => finger_attempt(&mut s, set, fingers)?,
        (_, E::DeviceFailed) => {
            s.capturing = None;
            s.photo_for = None;
        }
        (Step::Fingers, E::MarkMissing { position, reason }) => {
            if s.capturing.is_some() {
                return Err(WorkflowError::CaptureRunning);
            }
            match &mut s.fingers[slot_index(position)] {
                FingerSlot::Missing { reason: r, .. } => *r = reason,
                slot => {
                    wipe_slot(slot);
                    *slot = FingerSlot::Missing {
                        reason,
                        photo: None,
                    };
                }
            }
        }
        (Step::Fingers, E::NotMissing(position)) => {
            let slot = &mut s.fingers[slot_index(position)];
            if !matches!(slot, FingerSlot::Missing { .. }) {
                return Err(WorkflowError::NotMissing(position));
            }
            wipe_slot(slot);
        }
        (Step::Fingers, E::TakeExceptionPhoto(position)) => {
            if s.capturing.is_some() || s.photo_for.is_some() {
                return Err(WorkflowError::CaptureRunning);
            }
            if !matches!(s.finger(position), FingerSlot::Missing { .. }) {
                return Err(WorkflowError::NotMissing(position));
            }
            s.photo_for = Some(position);
            effects.push(Effect::TakeExceptionPhoto(position));
        }
        (Step::Fingers, E::ExceptionPhoto { position, photo }) => {
            if photo.kind != BiometricKind::ExceptionPhoto || photo.position != Some(position) {
                return Err(WorkflowError::WrongKind("exception photo"));
            }
            let FingerSlot::Missing { photo: slot, .. } = &mut s.fingers[slot_index(position)]
            else {
                return Err(WorkflowError::NotMissing(position));
            };
            if let Some(mut old) = slot.replace(Box::new(photo)) {
                old.data.zeroize();
            }
            s.photo_for = None;
        }
        (Step::Signature, E::Signature(capture)) => {
            if capture.kind != BiometricKind::Signature {
                return Err(WorkflowError::WrongKind("signature"));
            }
            if let Some(mut old) = s.signature.replace(capture) {
                old.data.zeroize();
            }
            s.no_signature = None;
        }
        (Step::Signature, E::ClearSignature) => {
            if let Some(mut old) = s.signature.take() {
                old.data.zeroize();
            }
            s.no_signature = None;
        }
        // One or the other: a signature given is dropped when the citizen cannot sign.
        (Step::Signature, E::CannotSign(reason)) => {
            if let Some(mut old) = s.signature.take() {
                old.data.zeroize();
            }
            s.no_signature = Some(reason);
        }
        (Step::Review | Step::Save, E::Save)
            if matches!(s.save, SaveState::NotYet | SaveState::Failed { .. }) =>
        {
            let draft = complete_draft(&s, now)?;
            s.save = SaveState::Saving { override_by: None };
            s.step = Step::Save;
            effects.push(Effect::Save(Box::new(draft)));
        }
        (Step::Save, E::Saved { registration_id }) if is_saving(&s) => {
            s.save = SaveState::Saved { registration_id };
            s.step = Step::Receipt;
            s.wipe_biometrics();
            effects.push(Effect::Wipe);
        }
        (
            Step::Save,
            E::DuplicatePin {
                masked_pin,
                existing,
            },
        ) if is_saving(&s) => {
            s.duplicate = Some((masked_pin.clone(), existing.clone()));
            s.save = SaveState::DuplicatePin {
                masked_pin,
                existing,
                refused: None,
            };
        }
        (
            Step::Save,
            E::Override {
                supervisor,
                password,
                reason,
            },
        ) if matches!(s.save, SaveState::DuplicatePin { .. }) => {
            let (supervisor, reason) = (supervisor.trim().to_owned(), reason.trim().to_owned());
            if supervisor.is_empty() || reason.is_empty() || password.is_empty() {
                return Err(WorkflowError::OverrideIncomplete);
            }
            let draft = complete_draft(&s, now)?;
            s.save = SaveState::Saving {
                override_by: Some(supervisor.clone()),
            };
            effects.push(Effect::SaveWithOverride {
                draft: Box::new(draft),
                supervisor,
                password,
                reason,
            });
        }
        (Step::Save, E::OverrideRefused { message_id, detail }) if is_saving(&s) => {
            // Back to the duplicate screen with the refusal; the draft stays.
            let (masked_pin, existing) = match s.duplicate.clone() {
                Some(d) => d,
                None => return Err(wrong(&E::OverrideRefused { message_id, detail })),
            };
            s.save = SaveState::DuplicatePin {
                masked_pin,
                existing,
                refused: Some((message_id, detail)),
            };
        }
        (Step::Save, E::SaveFailed { message_id, detail }) if is_saving(&s) => {
            s.save = SaveState::Failed { message_id, detail };
        }
        (step, E::PeopleFound { existing }) if step < Step::Save => {
            s.possible_duplicates = existing;
        }
        (Step::Receipt, E::Finish) => {
            s.wipe_citizen();
            effects.push(Effect::Done);
        }
        (_, event) => return Err(wrong(&event)),
    }
    Ok((s, effects))
}

fn is_saving(s: &State) -> bool {
    matches!(s.save, SaveState::Saving { .. })
}

/// Moves to `to`, starting or stopping the preview as the face step comes and goes.
fn enter(s: &mut State, to: Step, effects: &mut Vec<Effect>) {
    if s.step == Step::Face && to != Step::Face {
        effects.push(Effect::StopPreview);
    }
    if to == Step::Face && s.step != Step::Face && s.face.is_none() {
        effects.push(Effect::StartPreview);
    }
    s.step = to;
}

/// Next: what each step needs before the following one opens.
fn forward(mut s: State, now: Timestamp) -> Outcome {
    let mut effects = Vec::new();
    let to = match s.step {
        Step::Language => {
            s.language.ok_or(WorkflowError::NoLanguage)?;
            Step::Demographics
        }
        Step::Demographics => {
            s.citizen
                .validate(now.date())
                .map_err(WorkflowError::CitizenInvalid)?;
            Step::Face
        }
        Step::Face => {
            s.face.as_ref().ok_or(WorkflowError::NoFace)?;
            Step::Fingers
        }
        Step::Fingers => {
            fingers_ready(&s)?;
            // One person, one registration: look for these prints while the citizen signs.
            let fingers = s
                .fingers
                .iter()
                .filter_map(|slot| match slot {
                    FingerSlot::Captured(c) => Some((**c).clone()),
                    _ => None,
                })
                .collect();
            effects.push(Effect::SearchPeople(fingers));
            Step::Signature
        }
        Step::Signature => {
            if !s.signature_done() {
                return Err(WorkflowError::NoSignature);
            }
            Step::Review
        }
        // Review saves with its own explicit action; save and receipt have buttons of their own.
        step @ (Step::Review | Step::Save | Step::Receipt) => {
            return Err(WorkflowError::WrongStep {
                event: "next",
                step,
            });
        }
    };
    enter(&mut s, to, &mut effects);
    Ok((s, effects))
}

fn fingers_ready(s: &State) -> Result<(), WorkflowError> {
    if s.capturing.is_some() || s.photo_for.is_some() {
        return Err(WorkflowError::CaptureRunning);
    }
    match s.fingers_gap() {
        None => Ok(()),
        Some((p, false)) => Err(WorkflowError::FingerNotTaken(p)),
        Some((p, true)) => Err(WorkflowError::ExceptionPhotoNeeded(p)),
    }
}

/// Every step's rule again, then the draft: nothing incomplete reaches the station.
fn complete_draft(s: &State, now: Timestamp) -> Result<EnrollmentDraft, WorkflowError> {
    s.language.ok_or(WorkflowError::NoLanguage)?;
    s.citizen
        .validate(now.date())
        .map_err(WorkflowError::CitizenInvalid)?;
    s.face.as_ref().ok_or(WorkflowError::NoFace)?;
    fingers_ready(s)?;
    if !s.signature_done() {
        return Err(WorkflowError::NoSignature);
    }
    Ok(s.draft().expect("every part checked above"))
}

/// A face attempt: keep it, or ask for another; after the last try the best is kept, forced.
fn face_attempt(s: &mut State, attempt: FaceAttempt) -> Result<(), WorkflowError> {
    if attempt.photo.kind != BiometricKind::Face || attempt.photo.position.is_some() {
        return Err(WorkflowError::WrongKind("face"));
    }
    if s.face.is_some() {
        return Err(WorkflowError::WrongStep {
            event: "face attempt",
            step: Step::Face,
        });
    }
    s.face_attempts.push(attempt);
    let scores: Vec<u8> = s
        .face_attempts
        .iter()
        .map(|a| face_score(a.checks_passed, a.checks_run))
        .collect();
    match s.policy.decide_face(&scores) {
        Decision::Retry { tries_left } => s.face_tries_left = Some(tries_left),
        Decision::Accept {
            attempt,
            forced,
            retries,
        } => {
            let mut kept = s.face_attempts.swap_remove(attempt).photo;
            kept.quality = Some(scores[attempt]);
            kept.forced = forced;
            kept.retries = retries;
            for a in s.face_attempts.drain(..) {
                let mut photo = a.photo;
                photo.data.zeroize();
            }
            s.face = Some(kept);
            s.face_tries_left = None;
        }
    }
    Ok(())
}

/// A scanner attempt at `set`: keep it (each finger into its slot) or ask for another.
fn finger_attempt(
    s: &mut State,
    set: FingerSet,
    fingers: Vec<ScoredFinger>,
) -> Result<(), WorkflowError> {
    if s.capturing != Some(set) {
        return Err(WorkflowError::AttemptMismatch);
    }
    let missing = s.missing_fingers();
    let expected: Vec<FingerPosition> = set
        .positions()
        .into_iter()
        .filter(|p| !missing.contains(p))
        .collect();
    let mut got: Vec<FingerPosition> = fingers.iter().filter_map(ScoredFinger::position).collect();
    got.sort();
    if got != expected
        || fingers
            .iter()
            .any(|f| f.capture.kind != BiometricKind::Finger)
    {
        s.capturing = None;
        return Err(WorkflowError::AttemptMismatch);
    }
    s.capturing = None;
    if s.finger_attempts.as_ref().map(|a| a.set) != Some(set) {
        s.discard_finger_attempts();
    }
    let attempts = s.finger_attempts.get_or_insert_with(|| SetAttempts {
        set,
        attempts: Vec::new(),
    });
    s.finger_bars = Some((
        set,
        fingers
            .iter()
            .map(|f| FingerBar {
                position: f.position().expect("checked above"),
                score: f.score,
                gate: f.gate,
            })
            .collect(),
    ));
    attempts.attempts.push(fingers);
    let scores: Vec<Vec<u8>> = attempts
        .attempts
        .iter()
        .map(|a| a.iter().map(|f| f.score).collect())
        .collect();
    match s.policy.decide_fingers(set, &scores) {
        Decision::Retry { tries_left } => s.finger_tries_left = Some(tries_left),
        Decision::Accept {
            attempt,
            forced,
            retries,
        } => {
            let kept = attempts.attempts[attempt].clone();
            for f in kept {
                let mut capture = f.capture;
                capture.quality = Some(f.score.min(100));
                capture.forced = forced;
                capture.retries = retries;
                let p = capture.position.expect("checked above");
                let slot = &mut s.fingers[slot_index(p)];
                wipe_slot(slot);
                *slot = FingerSlot::Captured(Box::new(capture));
            }
            // A set captured again later starts its count afresh.
            s.discard_finger_attempts();
        }
    }
    Ok(())
}
