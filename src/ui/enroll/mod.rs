//! The enrollment wizard: the screens of [`crate::workflow`], one step per screen, with a
//! progress header, Back and the step's primary action in a fixed bar at the bottom.
//!
//! The wizard holds what only a screen needs (typed text, preview frames, textures, the signature
//! strokes, receivers of device threads) and the workflow's [`State`], which holds the draft and
//! every rule. Each screen draws the state and returns events; the wizard sends them through
//! [`workflow::next`] and carries out the effects that come back: devices through the
//! [`DeviceManager`], a save as an intent the app runs on its worker. A refused event leaves the
//! draft as it was and its reason is shown in the action bar, beside the buttons, in space kept for
//! it. Dropping the wizard
//! (cancel, logout, idle logout) wipes every biometric buffer it holds.

pub mod demographics;
pub mod face;
pub mod fingers;
pub mod signature;

mod bar;
mod compare;
mod finish;

pub use crate::workflow::Step;
pub use finish::Saved;

use super::i18n::{I18n, Language};
use super::screens::TOUCH_HEIGHT;
use crate::domain::Admission;
use crate::domain::{Capture, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::workflow::perform::SaveRequest;
use crate::workflow::{self, CapturePolicy, Effect, Event, State, WorkflowError};
use bar::{Nav, nav_bar, progress_header};
use demographics::DemographicsForm;
use egui::{Button, Color32, RichText, Ui, Vec2};
use face::FaceStep;
use fingers::FingerStep;
use signature::SignaturePad;

/// What the wizard asks the app for.
#[must_use]
pub enum WizardIntent {
    /// Nothing this frame.
    None,
    /// Leave the wizard (the draft is wiped).
    Cancel,
    /// The citizen chose a language: switch the UI.
    Language(Language),
    /// Sign and store the draft (with a supervisor's override when the request says so).
    Save(SaveRequest),
    /// Search these prints among the station's records (for [`Event::PeopleFound`]).
    SearchPeople(Vec<Capture>),
    /// Ask the station which records this PIN is already enrolled in.
    CheckPin(String),
    /// Write the receipt as a PDF (and print it when `print`).
    Receipt { print: bool },
    /// The receipt was handed over: back home.
    Finish,
}

/// The wizard: the workflow's state and what its screens hold.
pub struct Wizard {
    state: State,
    /// Demographics as typed.
    pub form: DemographicsForm,
    /// The face photo step.
    pub face: FaceStep,
    /// The fingerprint step.
    pub fingers: FingerStep,
    /// The signature pad.
    pub signature: SignaturePad,
    /// Why the last event was refused, shown above the action bar.
    error: Option<WorkflowError>,
    review: finish::ReviewCache,
    override_form: finish::OverrideForm,
    receipt: Option<Saved>,
    /// The records the prints matched, with their pictures, and whether they are shown.
    compared: compare::Comparison,
    /// This wizard's number in the kiosk's run: keeps its scroll positions its own.
    serial: u64,
}

/// Wizards opened so far (for [`Wizard::serial`]).
static WIZARDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What the comparison page needs below its scrolling part: its title, a separator and Close.
const COMPARE_FRAME: f32 = 124.0;

/// Room for the reason of a refusal on the save and receipt steps (which have no action bar):
/// two lines of 20 px text.
const ERROR_LINE_HEIGHT: f32 = 56.0;

impl Wizard {
    /// A new, empty draft for a station serving `precincts`, under its capture policy and
    /// taking the captures it admits.
    pub fn new(precincts: Vec<String>, policy: CapturePolicy, admission: Admission) -> Self {
        Wizard {
            state: State::new(policy, admission),
            form: DemographicsForm::new(precincts),
            face: FaceStep::default(),
            fingers: FingerStep::default(),
            signature: SignaturePad::default(),
            error: None,
            review: finish::ReviewCache::default(),
            override_form: finish::OverrideForm::default(),
            receipt: None,
            compared: compare::Comparison::default(),
            serial: WIZARDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// A draft that corrects the saved record `old` of `citizen`: the details filled in from it,
    /// the biometrics taken again. Saving compares the new prints 1:1 with the old record's and
    /// refuses another person's.
    pub fn correcting(
        precincts: Vec<String>,
        policy: CapturePolicy,
        admission: Admission,
        old: crate::domain::RegistrationId,
        citizen: &crate::domain::Citizen,
    ) -> Self {
        let mut wizard = Wizard::new(precincts.clone(), policy, admission);
        wizard.state = State::superseding(policy, admission, old);
        wizard.form = DemographicsForm::from_citizen(precincts, citizen);
        wizard
    }

    /// The step shown.
    pub fn step(&self) -> Step {
        self.state.step()
    }

    /// The workflow's state: the draft and where it stands.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Why the last event was refused.
    pub fn error(&self) -> Option<&WorkflowError> {
        self.error.as_ref()
    }

    /// Shows `step` without its rules (benches and screenshots); saving still checks them all.
    pub fn go(&mut self, step: Step) {
        self.state = self.state.clone().shown_at(step);
    }

    /// The stored record, once saved (the receipt).
    pub fn receipt(&self) -> Option<&Saved> {
        self.receipt.as_ref()
    }

    /// The stored record, for the app to note the PDF and print outcome.
    pub fn receipt_mut(&mut self) -> Option<&mut Saved> {
        self.receipt.as_mut()
    }

    /// Sends one event through the workflow and carries out its effects; a refusal is kept to
    /// be shown.
    pub fn send(
        &mut self,
        event: Event,
        devices: Option<&DeviceManager>,
        now: Timestamp,
    ) -> WizardIntent {
        match workflow::next(&self.state, event, now) {
            Ok((state, effects)) => {
                self.state = state;
                self.error = None;
                let mut intent = WizardIntent::None;
                for effect in effects {
                    if let Some(i) = self.carry_out(effect, devices, now) {
                        intent = i;
                    }
                }
                intent
            }
            Err(e) => {
                match e {
                    WorkflowError::CitizenInvalid(_) => self.form.show_all_errors(),
                    // The scanner answered with other fingers than asked: that capture is over.
                    WorkflowError::AttemptMismatch => {
                        let _ = self.send(Event::DeviceFailed, devices, now);
                    }
                    // The same device would be refused again: no more photos by themselves.
                    WorkflowError::Untrusted(_) => {
                        self.face.manual_only = true;
                        let _ = self.send(Event::DeviceFailed, devices, now);
                    }
                    _ => {}
                }
                self.error = Some(e);
                WizardIntent::None
            }
        }
    }

    /// One effect: devices here, the rest as an intent for the app.
    fn carry_out(
        &mut self,
        effect: Effect,
        devices: Option<&DeviceManager>,
        now: Timestamp,
    ) -> Option<WizardIntent> {
        match effect {
            Effect::SwitchLanguage(language) => return Some(WizardIntent::Language(language)),
            Effect::StartPreview => self.face.restart(),
            Effect::StopPreview => self.face.stop_preview(),
            Effect::CaptureFingers(request) => {
                if let Err(event) = self.fingers.start_capture(devices, request) {
                    return Some(self.send(event, devices, now));
                }
            }
            Effect::TakeExceptionPhoto(position) => {
                if let Err(event) = self.fingers.start_photo(devices, position) {
                    return Some(self.send(event, devices, now));
                }
            }
            Effect::SearchPeople(fingers) => return Some(WizardIntent::SearchPeople(fingers)),
            Effect::Save(_) | Effect::SaveWithOverride { .. } => {
                let request = SaveRequest::from_effect(effect).expect("a save effect");
                return Some(WizardIntent::Save(request));
            }
            Effect::Wipe => self.wipe_screens(),
            Effect::Done => {
                return Some(if self.receipt.is_some() {
                    WizardIntent::Finish
                } else {
                    WizardIntent::Cancel
                });
            }
        }
        None
    }

    /// The station answered a save.
    pub fn answer(&mut self, event: Event, now: Timestamp) {
        if let Event::Saved { registration_id } = &event {
            self.receipt = Some(Saved {
                registration_id: registration_id.clone(),
                name: self.form.full_name(),
                precinct: self.form.precinct.clone().unwrap_or_default(),
                date: now.date().to_string(),
                qr: None,
                notice: None,
                pdf: None,
                training: self.state.training(),
            });
        }
        let _ = self.send(event, None, now);
        self.override_form.after_answer(self.state.save());
    }

    /// Leaves the wizard: the workflow wipes the draft.
    pub fn cancel(&mut self, now: Timestamp) {
        let _ = self.send(Event::Cancel, None, now);
    }

    /// Draws the current step: the header, the step's page (scrolling if it must), the reason
    /// of the last refusal, and the action bar fixed at the bottom.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> WizardIntent {
        let step = self.state.step();
        progress_header(ui, i18n, step);
        if let Some(old) = self.state.supersedes() {
            ui.label(
                RichText::new(i18n.tr_args("enroll-correcting", &[("id", old.as_str().into())]))
                    .size(18.0)
                    .strong(),
            );
        }
        if matches!(step, Step::Signature | Step::Review) && !self.comparing() {
            self.possible_duplicates(ui, i18n);
        }
        let mut events: Vec<Event> = Vec::new();
        let mut intent = WizardIntent::None;
        // The save and receipt steps have no action bar: their own buttons and messages are on
        // the page, which gets the whole height (a refusal there takes the reserved line).
        let own_buttons = matches!(step, Step::Save | Step::Receipt);
        // Elsewhere a refusal is said in the action bar, beside the buttons.
        let reserved = match (own_buttons, self.error.is_some()) {
            (true, false) => 0.0,
            (true, true) => ERROR_LINE_HEIGHT,
            (false, _) => TOUCH_HEIGHT + 24.0,
        };
        let body_height = (ui.available_height() - reserved).max(240.0);
        // The comparison takes the page's place with Close where the action bar is: the
        // height below the header less a title, a separator and Close.
        if self.compare_page(ui, i18n, (ui.available_height() - COMPARE_FRAME).max(240.0)) {
            return intent;
        }
        // The page takes all the height it is given, so the action bar stands at the same place
        // on every step whatever the header shows; each wizard scrolls on its own (a new
        // citizen's pages start at the top).
        egui::ScrollArea::vertical()
            .id_salt(("wizard", self.serial, step.index()))
            .max_height(body_height)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                match step {
                    Step::Language => events.extend(self.language_page(ui, i18n)),
                    Step::Demographics => self.form.show(ui, i18n, now),
                    Step::Face => events.extend(self.face.show(ui, i18n, devices, &self.state)),
                    Step::Fingers => {
                        events.extend(self.fingers.show(ui, i18n, devices, &self.state))
                    }
                    Step::Signature => {
                        events.extend(self.signature.show(ui, i18n, self.state.no_signature()))
                    }
                    Step::Review => events.extend(finish::review(ui, i18n, self, now)),
                    Step::Save => events.extend(finish::save(ui, i18n, self, busy, now)),
                    Step::Receipt => {
                        intent = finish::receipt(ui, i18n, self, busy, now);
                        if matches!(intent, WizardIntent::Finish) {
                            events.push(Event::Finish);
                        }
                    }
                }
                // Last, so it wins over the text field's own scroll to its cursor.
                crate::ui::keyboard::scroll_to_focused_field(ui);
            });
        // A refusal of the details goes as soon as every field is right again.
        if matches!(self.error, Some(WorkflowError::CitizenInvalid(_)))
            && self.form.errors(now).is_empty()
        {
            self.error = None;
        }
        if own_buttons && self.error.is_some() {
            self.error_line(ui, i18n);
        }
        match step {
            Step::Save | Step::Receipt => {}
            _ => {
                // On the details step, what is wrong with a field says more than the refusal.
                let field = (step == Step::Demographics)
                    .then(|| self.form.message(i18n, now))
                    .flatten();
                let refusal =
                    field.or_else(|| self.error.as_ref().map(|e| workflow_message(i18n, e)));
                if let Some(nav) = nav_bar(ui, i18n, step, busy, refusal) {
                    if nav == Nav::Next && step == Step::Demographics {
                        events.push(Event::Citizen(self.form.input()));
                    }
                    events.push(match nav {
                        Nav::Back => Event::Back,
                        Nav::Next if step == Step::Review => Event::Save,
                        Nav::Next => Event::Next,
                    });
                }
            }
        }
        for event in events {
            match self.send(event, devices, now) {
                WizardIntent::None => {}
                other => intent = other,
            }
        }
        // A duplicate PIN is said on the details step, not found only at the save.
        if matches!(intent, WizardIntent::None)
            && self.state.step() == Step::Demographics
            && !busy
            && let Some(pin) = self.form.pin_to_check()
        {
            intent = WizardIntent::CheckPin(pin);
        }
        intent
    }

    /// The citizen's language: three big buttons.
    fn language_page(&mut self, ui: &mut Ui, i18n: &I18n) -> Option<Event> {
        ui.heading(i18n.tr("enroll-language-title"));
        ui.add_space(12.0);
        let mut chosen = None;
        for language in Language::ALL {
            let id = format!("citizen-lang-{}", language.code());
            let selected = self.state.language() == Some(language);
            let button = Button::new(RichText::new(i18n.tr(&id)).size(28.0))
                .selected(selected)
                .min_size(Vec2::new(360.0, TOUCH_HEIGHT * 1.4));
            if ui.add(button).clicked() {
                self.form.language = Some(language);
                chosen = Some(Event::Language(language));
            }
            ui.add_space(8.0);
        }
        chosen
    }

    /// The reason the last event was refused, in two lines that are always there (so nothing
    /// jumps, and a long reason wraps instead of running off the screen).
    fn error_line(&self, ui: &mut Ui, i18n: &I18n) {
        let text = self
            .error
            .as_ref()
            .map(|e| workflow_message(i18n, e))
            .unwrap_or_default();
        let size = Vec2::new(ui.available_width(), ERROR_LINE_HEIGHT);
        crate::ui::screens::reserved(ui, size, |ui| {
            let colour = crate::ui::theme::error(ui);
            ui.add(egui::Label::new(RichText::new(text).color(colour).size(20.0)).wrap());
        });
    }

    /// Overwrites what the screens hold beside the state: frames, textures, strokes.
    fn wipe_screens(&mut self) {
        self.compared = compare::Comparison::default();
        self.face.wipe();
        self.fingers.wipe();
        self.signature.clear();
        self.review = finish::ReviewCache::default();
    }
}

impl Drop for Wizard {
    fn drop(&mut self) {
        self.wipe_screens();
        self.form.wipe();
    }
}

/// A workflow refusal in the operator's language.
pub fn workflow_message(i18n: &I18n, e: &WorkflowError) -> String {
    match (e.finger(), e.device()) {
        (Some(p), _) => i18n.tr_args(
            e.message_id(),
            &[("finger", i18n.tr(fingers::finger_message(p)).into())],
        ),
        (None, Some(device)) => i18n.tr_args(e.message_id(), &[("detail", device.into())]),
        (None, None) => i18n.tr(e.message_id()),
    }
}

/// A green or red chip with a label.
pub(crate) fn chip(ui: &mut Ui, ok: Option<bool>, text: String) {
    chip_at_least(ui, ok, text, 0.0);
}

/// [`chip`], at least `width` wide, so a chip whose text changes does not move its neighbours.
pub(crate) fn chip_at_least(ui: &mut Ui, ok: Option<bool>, text: String, width: f32) {
    let (fill, fg) = match ok {
        Some(true) => (crate::ui::theme::FILL_OK, Color32::WHITE),
        Some(false) => (crate::ui::theme::FILL_ERROR, Color32::WHITE),
        None => (Color32::from_gray(200), Color32::BLACK),
    };
    egui::Frame::new()
        .fill(fill)
        .corner_radius(12.0)
        .inner_margin(Vec2::new(10.0, 4.0))
        .show(ui, |ui| {
            ui.set_min_width(width);
            ui.label(RichText::new(text).color(fg).size(18.0));
        });
}

/// An egui texture from an RGB8 buffer.
pub(crate) fn rgb_image(width: u32, height: u32, rgb: &[u8]) -> egui::ColorImage {
    egui::ColorImage::from_rgb([width as usize, height as usize], rgb)
}

/// A picture of a capture (PNG or ISO record), scaled down to fit `max` (None when it does not
/// decode).
pub(crate) fn capture_image(capture: &Capture, max: (u32, u32)) -> Option<egui::ColorImage> {
    crate::ui::picture::decode(capture.format, &capture.data, max)
}

/// A cheap fingerprint of a capture's bytes, to know when a cached texture is stale (the state
/// is copied on every event, so the buffer's address says nothing).
pub(crate) fn capture_key(capture: &Capture) -> (usize, u64) {
    let data = &capture.data;
    let step = (data.len() / 64).max(1);
    let sample = data
        .iter()
        .step_by(step)
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
    (data.len(), sample)
}
