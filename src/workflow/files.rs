//! The workflow run headless over files, for `kattoo enroll`: each file becomes the event a device
//! would have sent, in the order a registrar works, so the rules of [`super::next`] hold for the
//! command line exactly as for the kiosk.
//!
//! A file is one attempt: there is no citizen to ask for another, so the policy's tries are one
//! and a file below the requested quality is kept as forced, as the kiosk keeps the best attempt
//! after the last try.

use super::capture::{face_attempt, score_finger_file};
use super::machine::{Event, WorkflowError, next};
use super::perform::{SaveRequest, save};
use super::policy::CapturePolicy;
use super::state::{SaveState, State};
use crate::domain::{
    BiometricKind, Capture, CitizenInput, FingerException, Language, RegistrationId, Timestamp,
};
use crate::hal::FingerSet;
use crate::quality::face::{FaceDetector, check_face};
use crate::station::{self, Session, Station};
use std::cell::RefCell;
use zeroize::Zeroizing;

/// One enrollment given as files.
#[derive(Debug, Default)]
pub struct FileEnrollment {
    pub citizen: CitizenInput,
    /// The face photo (PNG).
    pub photo: Option<Capture>,
    /// Fingerprints (8-bit grayscale PNG), each with its position.
    pub fingers: Vec<Capture>,
    /// Missing fingers with their reasons.
    pub missing: Vec<FingerException>,
    /// A photo of each missing finger's hand, with its position.
    pub exception_photos: Vec<Capture>,
    pub signature: Option<Capture>,
    /// Why the citizen cannot sign, instead of a signature.
    pub no_signature: Option<crate::domain::enrollment::SignatureReason>,
    pub supersedes: Option<RegistrationId>,
}

/// A supervisor's override of a duplicate PIN, given on the command line.
pub struct OverrideGrant {
    pub supervisor: String,
    pub password: Zeroizing<String>,
    pub reason: String,
}

/// Why a file enrollment was not saved.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    /// A rule of the workflow refused it (the same refusal the kiosk shows).
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The station refused it.
    #[error(transparent)]
    Station(#[from] station::Error),
    /// A file could not be read as the capture it stands for.
    #[error("{0}")]
    File(String),
}

/// Runs the workflow over `files` and saves the record as `session`'s operator. A duplicate PIN
/// is saved only with `grant`.
pub fn enroll(
    station: &mut Station,
    session: &Session,
    files: FileEnrollment,
    grant: Option<OverrideGrant>,
    now: Timestamp,
) -> Result<RegistrationId, FilesError> {
    let policy = CapturePolicy {
        max_tries: 1,
        ..station.config().capture
    };
    let admission = station.config().station.admission();
    let mut run = Run {
        state: match files.supersedes.clone() {
            Some(old) => State::superseding(policy, admission, old),
            None => State::new(policy, admission),
        },
        now,
        saves: Vec::new(),
    };
    run.draft(files)?;
    run.send(Event::Save)?;
    let (result, event) = save(station, session, run.take_save()?, now);
    run.send(event)?;
    if let (SaveState::DuplicatePin { .. }, Some(grant)) = (run.state.save(), grant) {
        run.send(Event::Override {
            supervisor: grant.supervisor,
            password: grant.password,
            reason: grant.reason,
        })?;
        let (result, event) = save(station, session, run.take_save()?, now);
        run.send(event)?;
        return Ok(result?);
    }
    Ok(result?)
}

/// The state and the save effects it asked for.
struct Run {
    state: State,
    now: Timestamp,
    saves: Vec<SaveRequest>,
}

impl Run {
    fn send(&mut self, event: Event) -> Result<(), WorkflowError> {
        let (state, effects) = next(&self.state, event, self.now)?;
        self.state = state;
        for effect in effects {
            // Devices are files here: nothing to start, stop or wipe beyond the state itself.
            if let Ok(request) = SaveRequest::from_effect(effect) {
                self.saves.push(request);
            }
        }
        Ok(())
    }

    fn take_save(&mut self) -> Result<SaveRequest, WorkflowError> {
        self.saves.pop().ok_or(WorkflowError::WrongStep {
            event: "save",
            step: self.state.step(),
        })
    }

    /// Every step up to the review, one event at a time.
    fn draft(&mut self, files: FileEnrollment) -> Result<(), FilesError> {
        let language = files
            .citizen
            .language
            .as_deref()
            .and_then(|code| code.parse::<Language>().ok());
        if let Some(language) = language {
            self.send(Event::Language(language))?;
        }
        self.send(Event::Next)?;
        self.send(Event::Citizen(files.citizen))?;
        self.send(Event::Next)?;

        if let Some(photo) = files.photo {
            let checks = face_checks(&photo)?;
            self.send(Event::FaceAttempt(face_attempt(photo, &checks)))?;
        }
        self.send(Event::Next)?;

        for missing in &files.missing {
            self.send(Event::MarkMissing {
                position: missing.position,
                reason: missing.reason,
            })?;
        }
        for photo in files.exception_photos {
            let position = photo
                .position
                .ok_or(WorkflowError::WrongKind("exception photo"))?;
            self.send(Event::TakeExceptionPhoto(position))?;
            self.send(Event::ExceptionPhoto { position, photo })?;
        }
        for finger in files.fingers {
            let position = finger.position.ok_or(WorkflowError::WrongKind("finger"))?;
            let pixels = gray_pixels(&finger)?;
            let set = FingerSet::Single(position);
            self.send(Event::CaptureFingers(set))?;
            self.send(Event::FingerAttempt {
                set,
                fingers: vec![score_finger_file(finger, &pixels)],
            })?;
        }
        self.send(Event::Next)?;

        if let Some(signature) = files.signature {
            self.send(Event::Signature(signature))?;
        }
        if let Some(reason) = files.no_signature {
            self.send(Event::CannotSign(reason))?;
        }
        self.send(Event::Next)?;
        Ok(())
    }
}

/// The face checks of a photo file, as the kiosk runs them on a camera frame. The built-in
/// model is loaded and checked once per thread (the detector is not `Send`), not once per file
/// of a manifest.
fn face_checks(photo: &Capture) -> Result<crate::quality::face::FaceChecks, FilesError> {
    thread_local! {
        static DETECTOR: RefCell<Option<FaceDetector>> = const { RefCell::new(None) };
    }
    let rgb = crate::domain::imaging::decode(&photo.data, None)
        .map_err(|e| FilesError::File(format!("face photo: {e}")))?
        .to_rgb8();
    DETECTOR.with_borrow_mut(|slot| {
        let detector = match slot {
            Some(d) => d,
            None => slot.insert(
                FaceDetector::builtin()
                    .map_err(|e| FilesError::File(format!("face model: {e}")))?,
            ),
        };
        check_face(detector, rgb.as_raw(), rgb.width(), rgb.height())
            .map_err(|e| FilesError::File(format!("face photo: {e}")))
    })
}

/// The 8-bit pixels of a grayscale finger PNG.
fn gray_pixels(finger: &Capture) -> Result<Vec<u8>, FilesError> {
    debug_assert_eq!(finger.kind, BiometricKind::Finger);
    let img = crate::domain::imaging::decode(&finger.data, None).map_err(|e| {
        FilesError::File(format!(
            "finger {}: {e}",
            finger.position.map(|p| p.to_string()).unwrap_or_default()
        ))
    })?;
    Ok(img.to_luma8().into_raw())
}
