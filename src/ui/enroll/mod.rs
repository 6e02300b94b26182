//! The enrollment wizard: one step per screen, a progress header, Back and Next.
//!
//! The wizard holds the draft (typed text, photo, fingerprints, signature) and nothing else; it
//! never touches the station. Devices are driven through [`DeviceManager`] receivers polled each
//! frame, and the slow work (face checks, fingerprint scoring, PNG encoding) runs on threads of
//! its own, so no frame waits. Saving is an intent the app runs on its worker. Dropping the
//! wizard (cancel, logout, idle logout) wipes every biometric buffer it holds.

pub mod demographics;
pub mod face;
pub mod fingers;
pub mod signature;

mod finish;

pub use finish::{SaveState, Saved};

use super::i18n::{I18n, Language};
use super::screens::{Notice, TOUCH_HEIGHT};
use crate::domain::{Capture, CitizenInput, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::hal::policy::CapturePolicy;
use crate::station::EnrollmentDraft;
use demographics::DemographicsForm;
use egui::{Button, Color32, RichText, Ui, Vec2};
use face::FaceStep;
use fingers::FingerStep;
use signature::SignaturePad;
use zeroize::{Zeroize, Zeroizing};

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The citizen's language; switches the whole UI.
    Language,
    /// Name, PIN, address, precinct, document.
    Demographics,
    /// Face photo.
    Face,
    /// Ten fingerprints (or missing fingers with a photo).
    Fingers,
    /// Signature on the screen.
    Signature,
    /// Everything on one page.
    Review,
    /// Signing and storing; a duplicate PIN stops here.
    Save,
    /// The registration id, the QR code, PDF and print.
    Receipt,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 8] = [
        Step::Language,
        Step::Demographics,
        Step::Face,
        Step::Fingers,
        Step::Signature,
        Step::Review,
        Step::Save,
        Step::Receipt,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).expect("listed")
    }

    /// The message id of the step's name.
    pub fn message_id(self) -> &'static str {
        match self {
            Step::Language => "enroll-step-language",
            Step::Demographics => "enroll-step-demographics",
            Step::Face => "enroll-step-face",
            Step::Fingers => "enroll-step-fingers",
            Step::Signature => "enroll-step-signature",
            Step::Review => "enroll-step-review",
            Step::Save => "enroll-step-save",
            Step::Receipt => "enroll-step-receipt",
        }
    }
}

/// What the wizard asks the app for.
#[must_use]
pub enum WizardIntent {
    /// Nothing this frame.
    None,
    /// Leave the wizard and drop the draft.
    Cancel,
    /// The citizen chose a language: switch the UI.
    Language(Language),
    /// Sign and store the draft.
    Save(Box<EnrollmentDraft>),
    /// Store it although the PIN is enrolled: a supervisor authenticates here.
    Override {
        draft: Box<EnrollmentDraft>,
        login: String,
        password: Zeroizing<String>,
        reason: String,
    },
    /// Write the receipt as a PDF (and print it when `print`).
    Receipt { print: bool },
    /// The receipt was handed over: back home.
    Finish,
}

/// The wizard's state: the step shown and the draft.
pub struct Wizard {
    step: Step,
    /// Demographics as typed.
    pub form: DemographicsForm,
    /// The face photo step.
    pub face: FaceStep,
    /// The fingerprint step.
    pub fingers: FingerStep,
    /// The signature pad.
    pub signature: SignaturePad,
    /// Saving and its outcome.
    pub save: SaveState,
    policy: CapturePolicy,
    review: finish::ReviewCache,
}

impl Wizard {
    /// A new, empty draft for a station serving `precincts`.
    pub fn new(precincts: Vec<String>, policy: CapturePolicy) -> Self {
        Wizard {
            step: Step::Language,
            form: DemographicsForm::new(precincts),
            face: FaceStep::default(),
            fingers: FingerStep::default(),
            signature: SignaturePad::default(),
            save: SaveState::NotYet,
            policy,
            review: finish::ReviewCache::default(),
        }
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Goes to `step` (tests and the review's edit links).
    pub fn go(&mut self, step: Step) {
        if step != Step::Face {
            self.face.stop_preview();
        }
        self.step = step;
    }

    /// The draft as the station takes it; `None` until every step is complete.
    pub fn draft(&self) -> Option<EnrollmentDraft> {
        let mut captures: Vec<Capture> = Vec::new();
        captures.push(self.face.capture()?.clone());
        let (fingers, exceptions) = self.fingers.result()?;
        captures.extend(fingers);
        captures.push(self.signature.capture()?.clone());
        Some(EnrollmentDraft {
            citizen: self.form.input(),
            captures,
            exceptions,
            supersedes: None,
        })
    }

    /// Whether every step has what the draft needs (checked each frame, so nothing is copied).
    pub fn complete(&self) -> bool {
        self.face.capture().is_some()
            && self.fingers.complete()
            && self.signature.capture().is_some()
    }

    /// The citizen input as typed.
    pub fn citizen(&self) -> CitizenInput {
        self.form.input()
    }

    /// Draws the current step: the header, the step's page (scrolling if it must) and Back /
    /// Next fixed at the bottom.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> WizardIntent {
        progress_header(ui, i18n, self.step);
        let mut intent = WizardIntent::None;
        let mut edit = None;
        let body_height = (ui.available_height() - TOUCH_HEIGHT - 32.0).max(240.0);
        egui::ScrollArea::vertical()
            .id_salt(("wizard", self.step.index()))
            .max_height(body_height)
            .auto_shrink([false, true])
            .show(ui, |ui| match self.step {
                Step::Language => {
                    if let Some(language) = self.language_page(ui, i18n) {
                        intent = WizardIntent::Language(language);
                    }
                }
                Step::Demographics => self.form.show(ui, i18n, now),
                Step::Face => self.face.show(ui, i18n, devices, &self.policy),
                Step::Fingers => self.fingers.show(ui, i18n, devices, &self.policy),
                Step::Signature => self.signature.show(ui, i18n),
                Step::Review => edit = finish::review(ui, i18n, self, now),
                Step::Save => intent = finish::save(ui, i18n, self, busy, now),
                Step::Receipt => intent = finish::receipt(ui, i18n, self, busy, now),
            });
        if let Some(step) = edit {
            self.go(step);
            return intent;
        }
        let next_ok = match self.step {
            Step::Language => self.form.language.is_some(),
            Step::Demographics => true,
            Step::Face => self.face.capture().is_some(),
            Step::Fingers => self.fingers.complete() && !self.fingers.working(),
            Step::Signature => self.signature.capture().is_some(),
            Step::Review => self.complete(),
            // Save and receipt have buttons of their own.
            Step::Save | Step::Receipt => return intent,
        };
        match nav_bar(ui, i18n, next_ok) {
            None => {}
            Some(Nav::Back) => match self.step {
                Step::Language => return WizardIntent::Cancel,
                step => self.go(Step::ALL[step.index() - 1]),
            },
            Some(Nav::Next) => match self.step {
                Step::Demographics => {
                    if self.form.finish(now) {
                        self.go(Step::Face);
                    }
                }
                Step::Review => {
                    if let Some(draft) = self.draft() {
                        self.save = SaveState::Saving;
                        self.step = Step::Save;
                        intent = WizardIntent::Save(Box::new(draft));
                    }
                }
                step => self.go(Step::ALL[step.index() + 1]),
            },
        }
        intent
    }

    /// The citizen's language: three big buttons; returns the one tapped.
    fn language_page(&mut self, ui: &mut Ui, i18n: &I18n) -> Option<Language> {
        ui.heading(i18n.tr("enroll-language-title"));
        ui.add_space(12.0);
        let mut chosen = None;
        for language in Language::ALL {
            let id = format!("citizen-lang-{}", language.code());
            let selected = self.form.language == Some(language);
            let button = Button::new(RichText::new(i18n.tr(&id)).size(28.0))
                .selected(selected)
                .min_size(Vec2::new(360.0, TOUCH_HEIGHT * 1.4));
            if ui.add(button).clicked() {
                self.form.language = Some(language);
                chosen = Some(language);
            }
            ui.add_space(8.0);
        }
        chosen
    }

    /// The station saved the record: show the receipt.
    pub fn saved(&mut self, saved: Saved) {
        self.save = SaveState::Saved(saved);
        self.step = Step::Receipt;
        self.wipe_biometrics();
    }

    /// The station refused the draft.
    pub fn save_failed(&mut self, notice: Notice) {
        self.save = SaveState::Failed(notice);
        self.step = Step::Save;
    }

    /// The station refused the PIN as already enrolled.
    pub fn duplicate(&mut self, masked_pin: String, existing: Vec<String>) {
        self.save = SaveState::duplicate(masked_pin, existing);
        self.step = Step::Save;
    }

    /// The station found problems in the typed details: back to the form, errors shown.
    pub fn invalid(&mut self) {
        self.save = SaveState::NotYet;
        self.form.show_all_errors();
        self.go(Step::Demographics);
    }

    /// Overwrites and drops every photo, fingerprint and signature held.
    pub fn wipe_biometrics(&mut self) {
        self.face.wipe();
        self.fingers.wipe();
        self.signature.wipe();
    }
}

impl Drop for Wizard {
    fn drop(&mut self) {
        self.wipe_biometrics();
        self.form.wipe();
    }
}

/// Overwrites a capture's bytes.
pub(crate) fn wipe_capture(capture: &mut Capture) {
    capture.data.zeroize();
}

/// "Step 3 of 8: Face photo", with a bar of the steps.
fn progress_header(ui: &mut Ui, i18n: &I18n, step: Step) {
    ui.horizontal(|ui| {
        for s in Step::ALL {
            let done = s.index() < step.index();
            let color = if s == step {
                Color32::from_rgb(0x1e, 0x6f, 0xd9)
            } else if done {
                Color32::from_rgb(0x2e, 0x8b, 0x57)
            } else {
                Color32::from_gray(160)
            };
            let (rect, _) = ui.allocate_exact_size(Vec2::new(48.0, 8.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 4.0, color);
        }
    });
    ui.label(
        RichText::new(i18n.tr_args(
            "enroll-progress",
            &[
                ("step", (step.index() + 1).into()),
                ("total", Step::ALL.len().into()),
                ("name", i18n.tr(step.message_id()).into()),
            ],
        ))
        .strong()
        .size(24.0),
    );
    ui.add_space(8.0);
}

enum Nav {
    Back,
    Next,
}

/// Back and Next at the bottom of a step.
fn nav_bar(ui: &mut Ui, i18n: &I18n, next: bool) -> Option<Nav> {
    let mut nav = None;
    ui.separator();
    ui.horizontal(|ui| {
        let size = Vec2::new(220.0, TOUCH_HEIGHT);
        if ui
            .add_sized(
                size,
                Button::new(RichText::new(i18n.tr("common-back")).size(22.0)),
            )
            .clicked()
        {
            nav = Some(Nav::Back);
        }
        if ui
            .add_enabled(
                next,
                Button::new(RichText::new(i18n.tr("common-next")).size(22.0)).min_size(size),
            )
            .clicked()
        {
            nav = Some(Nav::Next);
        }
    });
    nav
}

/// A green or red chip with a label.
pub(crate) fn chip(ui: &mut Ui, ok: Option<bool>, text: String) {
    let (fill, fg) = match ok {
        Some(true) => (Color32::from_rgb(0x2e, 0x8b, 0x57), Color32::WHITE),
        Some(false) => (Color32::from_rgb(0xc0, 0x30, 0x30), Color32::WHITE),
        None => (Color32::from_gray(200), Color32::BLACK),
    };
    egui::Frame::new()
        .fill(fill)
        .corner_radius(12.0)
        .inner_margin(Vec2::new(10.0, 4.0))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(fg).size(18.0));
        });
}

/// An egui texture from an RGB8 buffer.
pub(crate) fn rgb_image(width: u32, height: u32, rgb: &[u8]) -> egui::ColorImage {
    egui::ColorImage::from_rgb([width as usize, height as usize], rgb)
}
