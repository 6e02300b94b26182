//! Ten fingerprints: a two-hand diagram, slaps (4-4-2) or single fingers, a quality bar per
//! finger, the tries left, "missing" with a reason and an exception photo. The rules (which
//! attempt is kept, when it is forced, what a missing finger needs) are the workflow's
//! ([`crate::workflow`]); this screen draws its state and sends the operator's taps and the
//! scanner's attempts as events.
//!
//! A capture runs on a thread of its own that waits for the scanner, scores each finger and
//! encodes it, so the screen keeps drawing while the citizen holds the fingers on the glass.

use super::face::encode_in_background;
use super::{capture_image, capture_key};
use crate::domain::{BiometricKind, Capture, ExceptionReason, FingerPosition};
use crate::hal::manager::DeviceManager;
use crate::hal::{CaptureRequest, DeviceError, ErrorKind, FingerSet};
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
use crate::workflow::capture::{frame_capture, score_finger};
use crate::workflow::{Event, FingerBar, FingerSlot, ScoredFinger, State};

mod hands;
use egui::{Button, Color32, Pos2, Rect, RichText, Sense, Stroke, TextureHandle, Ui, Vec2};
use std::sync::mpsc::{Receiver, TryRecvError};

/// How the fingers are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Left four, right four, two thumbs.
    Slaps,
    /// One finger at a time.
    Singles,
}

/// What the fingerprint screen holds beside the workflow's state.
pub struct FingerStep {
    /// Slaps or single fingers.
    pub mode: Mode,
    /// The finger picked on the diagram.
    pub selected: Option<FingerPosition>,
    running: Option<(FingerSet, Receiver<Result<Vec<ScoredFinger>, DeviceError>>)>,
    photo: Option<(FingerPosition, Receiver<Result<Capture, String>>)>,
    error: Option<DeviceError>,
    thumbs: Vec<(FingerPosition, (usize, u64), TextureHandle)>,
}

impl Default for FingerStep {
    fn default() -> Self {
        FingerStep {
            mode: Mode::Slaps,
            selected: None,
            running: None,
            photo: None,
            error: None,
            thumbs: Vec::new(),
        }
    }
}

impl FingerStep {
    /// Whether a capture or a photo is running.
    pub fn working(&self) -> bool {
        self.running.is_some() || self.photo.is_some()
    }

    /// Drops the device threads' receivers and the thumbnails.
    pub fn wipe(&mut self) {
        self.running = None;
        self.photo = None;
        self.thumbs.clear();
    }

    /// Starts the scanner on `request` (the workflow's effect); without a scanner, the event
    /// that ends the capture.
    pub fn start_capture(
        &mut self,
        devices: Option<&DeviceManager>,
        request: CaptureRequest,
    ) -> Result<(), Event> {
        let Some(devices) = devices else {
            self.error = Some(DeviceError::new(ErrorKind::Disconnected, "no scanner"));
            return Err(Event::DeviceFailed);
        };
        self.error = None;
        let set = request.set;
        let rx = devices.capture_fingers(request);
        self.running = Some((
            set,
            encode_in_background(move || {
                let images = rx.recv().map_err(|_| {
                    DeviceError::new(ErrorKind::Disconnected, "the scanner stopped")
                })??;
                images.iter().map(score_finger).collect()
            }),
        ));
        Ok(())
    }

    /// Takes the photo of a missing finger's hand (the workflow's effect).
    pub fn start_photo(
        &mut self,
        devices: Option<&DeviceManager>,
        p: FingerPosition,
    ) -> Result<(), Event> {
        let Some(devices) = devices else {
            self.error = Some(DeviceError::new(ErrorKind::Disconnected, "no camera"));
            return Err(Event::DeviceFailed);
        };
        let still = devices.still();
        self.photo = Some((
            p,
            encode_in_background(move || {
                let frame = still
                    .recv()
                    .map_err(|_| "the camera stopped".to_owned())?
                    .map_err(|e| e.to_string())?;
                frame_capture(BiometricKind::ExceptionPhoto, Some(p), &frame)
            }),
        ));
        Ok(())
    }

    /// Draws the step; returns the events of this frame.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        state: &State,
    ) -> Vec<Event> {
        let mut events: Vec<Event> = self.poll().into_iter().collect();
        if self.working() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        // Two columns from the top of the page: how the fingers are taken, the hands and the
        // legend on the left; the capture buttons, the scanner's answer and the missing-finger
        // panel on the right.
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(hands::HANDS_WIDTH);
                self.mode_switch(ui, i18n);
                if let Some(p) = self.hands(ui, i18n, state) {
                    self.selected = Some(p);
                }
                self.legend(ui, i18n, state);
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.set_width(ui.available_width().min(620.0));
                events.extend(self.actions(ui, i18n, devices.is_some(), state));
            });
        });
        events
    }

    /// Slaps (4-4-2) or one finger at a time; fixed while a capture runs.
    fn mode_switch(&mut self, ui: &mut Ui, i18n: &I18n) {
        ui.horizontal(|ui| {
            for (mode, id) in [
                (Mode::Slaps, "fingers-mode-slaps"),
                (Mode::Singles, "fingers-mode-singles"),
            ] {
                if ui
                    .add_enabled(
                        !self.working(),
                        Button::new(i18n.tr(id))
                            .selected(self.mode == mode)
                            .min_size(Vec2::new(250.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.mode = mode;
                }
            }
        });
    }

    /// The capture buttons first, always in the same place (disabled while a capture runs), then
    /// what the scanner is doing or gave, then the missing-finger panel.
    fn actions(&mut self, ui: &mut Ui, i18n: &I18n, devices: bool, state: &State) -> Vec<Event> {
        let mut events = Vec::new();
        if !devices {
            ui.label(i18n.tr("device-disconnected"));
            return events;
        }
        let missing = state.missing_fingers();
        let sets: Vec<FingerSet> = match self.mode {
            Mode::Slaps => vec![FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs],
            Mode::Singles => self.selected.map(FingerSet::Single).into_iter().collect(),
        };
        let capturing = state.capturing().is_some();
        let shown = sets.clone();
        let mut next_marked = false;
        for set in sets {
            if set.positions().iter().all(|p| missing.contains(p)) {
                continue;
            }
            let done = set
                .positions()
                .iter()
                .all(|p| !matches!(state.finger(*p), FingerSlot::Empty));
            let text = i18n.tr(set_message(set));
            let text = if done {
                format!("{text} · {}", i18n.tr("fingers-legend-captured"))
            } else {
                text
            };
            let enabled = !self.working() && !capturing;
            let size = Vec2::new(ui.available_width().min(520.0), TOUCH_HEIGHT);
            // The first set still to take is the step's primary action.
            let next = !done && !next_marked;
            next_marked |= next;
            let text = RichText::new(text).size(22.0);
            let tapped = if next {
                crate::ui::theme::accent_button(ui, text, size, enabled)
            } else {
                ui.add_enabled(enabled, Button::new(text).min_size(size))
            };
            if tapped.clicked() {
                events.push(Event::CaptureFingers(set));
            }
        }
        // What the scanner is doing or gave, in a place of a fixed height: a capture's status,
        // the device's error, the tries left and the quality bars come and go inside it, and
        // move nothing below.
        let size = Vec2::new(ui.available_width(), STATUS_HEIGHT);
        crate::ui::screens::reserved(ui, size, |ui| self.status(ui, i18n, state, &shown));
        ui.separator();
        if let Some(p) = self.selected {
            events.extend(self.missing_panel(ui, i18n, state, p));
        } else {
            ui.label(i18n.tr("fingers-pick-missing"));
        }
        events
    }

    /// The capture under way, or the last attempt's tries left and quality bars.
    fn status(&self, ui: &mut Ui, i18n: &I18n, state: &State, shown: &[FingerSet]) {
        if self.mode == Mode::Singles && self.selected.is_none() {
            ui.label(i18n.tr("fingers-pick"));
        }
        if let Some(e) = &self.error {
            ui.label(
                RichText::new(i18n.tr(e.kind().message_id())).color(crate::ui::theme::error(ui)),
            );
        }
        if let Some(set) = state.capturing() {
            ui.horizontal(|ui| {
                ui.add(egui::Spinner::new().size(32.0));
                ui.label(RichText::new(i18n.tr(set_message(set))).strong());
            });
            ui.label(i18n.tr("fingers-place"));
            return;
        }
        if let Some(left) = state.finger_tries_left() {
            ui.label(
                RichText::new(i18n.tr_args("fingers-try-again", &[("left", left.into())]))
                    .color(crate::ui::theme::error(ui)),
            );
        }
        // The bars of the last attempt, while its set is still one this mode offers (not a
        // slap's bars under one-by-one capture).
        if let Some((set, bars)) = state.finger_bars().filter(|(set, _)| shown.contains(set)) {
            quality_bars(ui, i18n, bars, state.policy().requested_quality(set));
        }
    }

    fn missing_panel(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        state: &State,
        p: FingerPosition,
    ) -> Option<Event> {
        let mut event = None;
        ui.label(RichText::new(i18n.tr(finger_message(p))).strong());
        ui.label(i18n.tr("fingers-missing-reason"));
        ui.horizontal_wrapped(|ui| {
            for (reason, id) in REASONS {
                let selected =
                    matches!(state.finger(p), FingerSlot::Missing { reason: r, .. } if *r == reason);
                if ui
                    .add(
                        Button::new(i18n.tr(id))
                            .selected(selected)
                            .min_size(Vec2::new(150.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    event = Some(Event::MarkMissing {
                        position: p,
                        reason,
                    });
                }
            }
        });
        if let FingerSlot::Missing { photo, .. } = state.finger(p) {
            let has_photo = photo.is_some();
            if let Some((_, _, texture)) = self.thumbs.iter().find(|(q, _, _)| *q == p) {
                ui.add(egui::Image::new((texture.id(), Vec2::new(160.0, 90.0))));
            }
            ui.horizontal(|ui| {
                let text = if has_photo {
                    "fingers-photo-retake"
                } else {
                    "fingers-photo-take"
                };
                if ui
                    .add_enabled(
                        !self.working(),
                        Button::new(RichText::new(i18n.tr(text)).size(20.0))
                            .min_size(Vec2::new(260.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    event = Some(Event::TakeExceptionPhoto(p));
                }
                if ui
                    .add(
                        Button::new(i18n.tr("fingers-not-missing"))
                            .min_size(Vec2::new(200.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    event = Some(Event::NotMissing(p));
                }
            });
            if !has_photo {
                ui.label(
                    RichText::new(i18n.tr("fingers-photo-needed"))
                        .color(crate::ui::theme::warn(ui)),
                );
            }
        }
        event
    }

    /// Finished captures and photos, as the events the workflow takes.
    fn poll(&mut self) -> Option<Event> {
        if let Some((position, rx)) = &self.photo {
            let position = *position;
            match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Ok(Ok(photo)) => {
                    self.photo = None;
                    return Some(Event::ExceptionPhoto { position, photo });
                }
                Ok(Err(_)) | Err(TryRecvError::Disconnected) => {
                    self.photo = None;
                    self.error = Some(DeviceError::new(
                        ErrorKind::Other,
                        "the exception photo failed",
                    ));
                    return Some(Event::DeviceFailed);
                }
            }
        }
        let (set, rx) = self.running.as_ref()?;
        let set = *set;
        let result = match rx.try_recv() {
            Err(TryRecvError::Empty) => return None,
            Ok(result) => result,
            Err(TryRecvError::Disconnected) => Err(DeviceError::new(
                ErrorKind::Other,
                "the capture thread stopped",
            )),
        };
        self.running = None;
        Some(match result {
            Err(e) => {
                self.error = Some(e);
                Event::DeviceFailed
            }
            Ok(fingers) => Event::FingerAttempt { set, fingers },
        })
    }
}

/// Height of the scanner's status under the capture buttons: the tries line and a slap's four
/// quality bars.
const STATUS_HEIGHT: f32 = 4.0 * 34.0 + 34.0;

const REASONS: [(ExceptionReason, &str); 4] = [
    (ExceptionReason::Amputated, "fingers-reason-amputated"),
    (ExceptionReason::Bandaged, "fingers-reason-bandaged"),
    (ExceptionReason::Scarred, "fingers-reason-scarred"),
    (ExceptionReason::Unable, "fingers-reason-unable"),
];

/// The quality bar of each finger of the last attempt, against the requested quality. A finger
/// is green only when it passed: its score reached the requested quality and no check (contact
/// area, blur) refused it; a refused finger is red, with the reason beside its bar.
fn quality_bars(ui: &mut Ui, i18n: &I18n, bars: &[FingerBar], requested: u8) {
    // Compact rows, so a slap's four bars show with the capture buttons above them.
    egui::Grid::new("finger-bars")
        .num_columns(3)
        .min_row_height(28.0)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for s in bars {
                // A fixed width, so the bars start at one place whatever the fingers' names.
                ui.add_sized(
                    Vec2::new(170.0, 28.0),
                    egui::Label::new(RichText::new(i18n.tr(finger_message(s.position))).size(17.0)),
                );
                let colour = if finger_passed(s, requested) {
                    crate::ui::theme::FILL_OK
                } else {
                    crate::ui::theme::FILL_ERROR
                };
                let bar = egui::ProgressBar::new(f32::from(s.score) / 100.0)
                    .desired_width(180.0)
                    .desired_height(26.0)
                    .fill(colour)
                    .text(s.score.to_string());
                ui.add(bar);
                match s.gate {
                    Some(gate) => ui.label(
                        RichText::new(i18n.tr(gate))
                            .size(17.0)
                            .color(crate::ui::theme::error(ui)),
                    ),
                    None => ui.label(""),
                };
                ui.end_row();
            }
        });
}

/// Whether a finger of an attempt passed: its score reached `requested` and no check refused it.
fn finger_passed(bar: &FingerBar, requested: u8) -> bool {
    bar.score >= requested && bar.gate.is_none()
}

/// The button text of a set.
fn set_message(set: FingerSet) -> &'static str {
    match set {
        FingerSet::LeftSlap => "fingers-capture-left",
        FingerSet::RightSlap => "fingers-capture-right",
        FingerSet::Thumbs => "fingers-capture-thumbs",
        FingerSet::Single(_) => "fingers-capture-single",
    }
}

/// The message id naming a finger.
pub fn finger_message(p: FingerPosition) -> &'static str {
    use FingerPosition::*;
    match p {
        RightThumb => "finger-right-thumb",
        RightIndex => "finger-right-index",
        RightMiddle => "finger-right-middle",
        RightRing => "finger-right-ring",
        RightLittle => "finger-right-little",
        LeftThumb => "finger-left-thumb",
        LeftIndex => "finger-left-index",
        LeftMiddle => "finger-left-middle",
        LeftRing => "finger-left-ring",
        LeftLittle => "finger-left-little",
    }
}

impl Drop for FingerStep {
    fn drop(&mut self) {
        self.wipe();
    }
}
