//! Ten fingerprints: a two-hand diagram, slaps (4-4-2) or single fingers, a quality bar per
//! finger, the tries left, "missing" with a reason and an exception photo, and the best attempt
//! kept as forced after the last try (see [`crate::hal::policy`]).
//!
//! A capture runs on a thread of its own that waits for the scanner, scores each finger and
//! encodes it, so the screen keeps drawing while the citizen holds the fingers on the glass.

use super::face::{device_id, encode_in_background, frame_capture};
use super::{rgb_image, wipe_capture};
use crate::domain::{
    BiometricFormat, BiometricKind, Capture, ExceptionReason, FingerException, FingerPosition,
};
use crate::hal::manager::{DeviceKind, DeviceManager};
use crate::hal::policy::{CapturePolicy, Decision};
use crate::hal::{DeviceError, FingerImage, FingerSet};
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
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

/// One finger of an attempt: its capture and score.
#[derive(Clone)]
pub struct Scored {
    pub position: FingerPosition,
    pub score: u8,
    /// The message id of the quick check that failed, if any.
    pub gate: Option<&'static str>,
    pub capture: Capture,
}

/// One finger's score in the last attempt.
#[derive(Clone, Copy)]
struct Bar {
    position: FingerPosition,
    score: u8,
    gate: Option<&'static str>,
}

/// Where one finger stands.
#[derive(Clone, Default)]
pub enum Slot {
    /// Not taken yet.
    #[default]
    Empty,
    /// Taken (possibly forced after the last try).
    Captured(Box<Capture>),
    /// Recorded as missing; the photo is needed before moving on.
    Missing {
        reason: ExceptionReason,
        photo: Option<Box<Capture>>,
    },
}

/// The fingerprint step's state.
pub struct FingerStep {
    /// Slaps or single fingers.
    pub mode: Mode,
    slots: [Slot; 10],
    /// The finger picked on the diagram.
    pub selected: Option<FingerPosition>,
    /// The set being captured and its attempts so far.
    attempts: Vec<Vec<Scored>>,
    attempt_set: Option<FingerSet>,
    /// The last attempt's scores, for the quality bars, and the quality asked of its set.
    bars: Vec<Bar>,
    bars_requested: u8,
    tries_left: Option<u32>,
    running: Option<(FingerSet, Receiver<Result<Vec<Scored>, DeviceError>>)>,
    photo: Option<(FingerPosition, Receiver<Result<Capture, String>>)>,
    error: Option<DeviceError>,
    thumbs: Vec<(FingerPosition, TextureHandle)>,
}

impl Default for FingerStep {
    fn default() -> Self {
        FingerStep {
            mode: Mode::Slaps,
            slots: Default::default(),
            selected: None,
            attempts: Vec::new(),
            attempt_set: None,
            bars: Vec::new(),
            bars_requested: 0,
            tries_left: None,
            running: None,
            photo: None,
            error: None,
            thumbs: Vec::new(),
        }
    }
}

fn index(p: FingerPosition) -> usize {
    usize::from(p.code() - 1)
}

impl FingerStep {
    /// The slot of one finger.
    pub fn slot(&self, p: FingerPosition) -> &Slot {
        &self.slots[index(p)]
    }

    /// The captures (fingers and exception photos) and missing fingers, once every finger is
    /// taken or missing with its photo.
    pub fn result(&self) -> Option<(Vec<Capture>, Vec<FingerException>)> {
        let mut captures = Vec::new();
        let mut exceptions = Vec::new();
        for p in FingerPosition::ALL {
            match self.slot(p) {
                Slot::Empty => return None,
                Slot::Captured(c) => captures.push((**c).clone()),
                Slot::Missing { photo: None, .. } => return None,
                Slot::Missing {
                    reason,
                    photo: Some(photo),
                } => {
                    exceptions.push(FingerException {
                        position: p,
                        reason: *reason,
                    });
                    captures.push((**photo).clone());
                }
            }
        }
        Some((captures, exceptions))
    }

    /// Whether every finger is taken or missing with its photo (what [`Self::result`] needs,
    /// without copying the prints).
    pub fn complete(&self) -> bool {
        FingerPosition::ALL.into_iter().all(|p| {
            matches!(
                self.slot(p),
                Slot::Captured(_) | Slot::Missing { photo: Some(_), .. }
            )
        })
    }

    /// Whether a capture or a photo is running.
    pub fn working(&self) -> bool {
        self.running.is_some() || self.photo.is_some()
    }

    /// Overwrites every print and photo.
    pub fn wipe(&mut self) {
        for slot in &mut self.slots {
            match std::mem::take(slot) {
                Slot::Captured(mut c) => wipe_capture(&mut c),
                Slot::Missing {
                    photo: Some(mut c), ..
                } => wipe_capture(&mut c),
                _ => {}
            }
        }
        for attempt in self.attempts.drain(..) {
            for mut s in attempt {
                wipe_capture(&mut s.capture);
            }
        }
        self.running = None;
        self.photo = None;
        self.thumbs.clear();
    }

    /// Records `p` as missing for `reason` (dropping a print already taken).
    pub fn mark_missing(&mut self, p: FingerPosition, reason: ExceptionReason) {
        if let Slot::Captured(mut c) = std::mem::take(&mut self.slots[index(p)]) {
            wipe_capture(&mut c);
        }
        self.slots[index(p)] = Slot::Missing {
            reason,
            photo: None,
        };
        self.thumbs.retain(|(q, _)| *q != p);
    }

    /// Takes `p` off the missing list.
    pub fn unmark_missing(&mut self, p: FingerPosition) {
        if let Slot::Missing {
            photo: Some(mut c), ..
        } = std::mem::take(&mut self.slots[index(p)])
        {
            wipe_capture(&mut c);
        }
    }

    fn missing(&self) -> Vec<FingerPosition> {
        FingerPosition::ALL
            .into_iter()
            .filter(|p| matches!(self.slot(*p), Slot::Missing { .. }))
            .collect()
    }

    /// Draws the step.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        policy: &CapturePolicy,
    ) {
        self.poll(policy);
        if self.working() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
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
                            .min_size(Vec2::new(240.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.mode = mode;
                }
            }
        });
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(560.0);
                if let Some(p) = self.hands(ui, i18n) {
                    self.selected = Some(p);
                }
                self.legend(ui, i18n);
            });
            ui.vertical(|ui| {
                ui.set_width(560.0);
                self.actions(ui, i18n, devices, policy);
            });
        });
    }

    fn actions(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        policy: &CapturePolicy,
    ) {
        if let Some(e) = &self.error {
            ui.label(
                RichText::new(i18n.tr(e.kind().message_id()))
                    .color(Color32::from_rgb(0xc0, 0x30, 0x30)),
            );
        }
        if let Some((set, _)) = &self.running {
            ui.horizontal(|ui| {
                ui.add(egui::Spinner::new().size(32.0));
                ui.label(RichText::new(i18n.tr(set_message(*set))).strong());
            });
            ui.label(i18n.tr("fingers-place"));
            return;
        }
        if let Some(left) = self.tries_left {
            ui.label(
                RichText::new(i18n.tr_args("fingers-try-again", &[("left", left.into())]))
                    .color(Color32::from_rgb(0xc0, 0x30, 0x30)),
            );
        }
        if !self.bars.is_empty() {
            quality_bars(ui, i18n, &self.bars, self.bars_requested);
        }
        let Some(devices) = devices else {
            ui.label(i18n.tr("device-disconnected"));
            return;
        };
        let missing = self.missing();
        let sets: Vec<FingerSet> = match self.mode {
            Mode::Slaps => vec![FingerSet::LeftSlap, FingerSet::RightSlap, FingerSet::Thumbs],
            Mode::Singles => self.selected.map(FingerSet::Single).into_iter().collect(),
        };
        for set in sets {
            let Some(request) = policy.finger_request(set, &missing) else {
                continue;
            };
            let done = set
                .positions()
                .iter()
                .all(|p| !matches!(self.slot(*p), Slot::Empty));
            let text = i18n.tr(set_message(set));
            let text = if done {
                format!("{text} · {}", i18n.tr("fingers-legend-captured"))
            } else {
                text
            };
            if ui
                .add(
                    Button::new(RichText::new(text).size(22.0))
                        .min_size(Vec2::new(520.0, TOUCH_HEIGHT)),
                )
                .clicked()
            {
                if self.attempt_set != Some(set) {
                    self.discard_attempts();
                    self.attempt_set = Some(set);
                }
                self.error = None;
                self.running = Some((set, start_capture(devices, request)));
            }
        }
        if self.mode == Mode::Singles && self.selected.is_none() {
            ui.label(i18n.tr("fingers-pick"));
        }
        ui.separator();
        if let Some(p) = self.selected {
            self.missing_panel(ui, i18n, devices, p);
        } else {
            ui.label(i18n.tr("fingers-pick-missing"));
        }
    }

    fn missing_panel(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: &DeviceManager,
        p: FingerPosition,
    ) {
        ui.label(RichText::new(i18n.tr(finger_message(p))).strong());
        ui.label(i18n.tr("fingers-missing-reason"));
        ui.horizontal_wrapped(|ui| {
            for (reason, id) in REASONS {
                let selected =
                    matches!(self.slot(p), Slot::Missing { reason: r, .. } if *r == reason);
                if ui
                    .add(
                        Button::new(i18n.tr(id))
                            .selected(selected)
                            .min_size(Vec2::new(150.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    match &mut self.slots[index(p)] {
                        Slot::Missing { reason: r, .. } => *r = reason,
                        _ => self.mark_missing(p, reason),
                    }
                }
            }
        });
        if let Slot::Missing { photo, .. } = self.slot(p) {
            let has_photo = photo.is_some();
            if let Some((_, texture)) = self.thumbs.iter().find(|(q, _)| *q == p) {
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
                        self.photo.is_none(),
                        Button::new(RichText::new(i18n.tr(text)).size(20.0))
                            .min_size(Vec2::new(260.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    let device = device_id(devices, DeviceKind::Camera);
                    let still = devices.still();
                    self.photo = Some((
                        p,
                        encode_in_background(move || {
                            let frame = still
                                .recv()
                                .map_err(|_| "the camera stopped".to_owned())?
                                .map_err(|e| e.to_string())?;
                            frame_capture(BiometricKind::ExceptionPhoto, Some(p), &frame, &device)
                        }),
                    ));
                }
                if ui
                    .add(
                        Button::new(i18n.tr("fingers-not-missing"))
                            .min_size(Vec2::new(200.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.unmark_missing(p);
                    self.thumbs.retain(|(q, _)| *q != p);
                }
            });
            if !has_photo {
                ui.label(
                    RichText::new(i18n.tr("fingers-photo-needed"))
                        .color(Color32::from_rgb(0xb0, 0x60, 0x00)),
                );
            }
        }
    }

    /// Takes finished captures and photos.
    fn poll(&mut self, policy: &CapturePolicy) {
        if let Some((p, rx)) = &self.photo {
            let p = *p;
            match rx.try_recv() {
                Err(TryRecvError::Empty) => {}
                Ok(Ok(capture)) => {
                    self.photo = None;
                    if let Slot::Missing { photo, .. } = &mut self.slots[index(p)] {
                        *photo = Some(Box::new(capture));
                        self.thumbs.retain(|(q, _)| *q != p);
                    }
                }
                Ok(Err(_)) | Err(TryRecvError::Disconnected) => {
                    self.photo = None;
                    self.error = Some(DeviceError::new(
                        crate::hal::ErrorKind::Other,
                        "the exception photo failed",
                    ));
                }
            }
        }
        let Some((set, rx)) = &self.running else {
            return;
        };
        let set = *set;
        let result = match rx.try_recv() {
            Err(TryRecvError::Empty) => return,
            Ok(result) => result,
            Err(TryRecvError::Disconnected) => Err(DeviceError::new(
                crate::hal::ErrorKind::Other,
                "the capture thread stopped",
            )),
        };
        self.running = None;
        match result {
            Err(e) => self.error = Some(e),
            Ok(scored) => self.attempted(set, scored, policy),
        }
    }

    /// One attempt at `set` came back: keep one or ask for another.
    fn attempted(&mut self, set: FingerSet, scored: Vec<Scored>, policy: &CapturePolicy) {
        if self.attempt_set != Some(set) {
            self.discard_attempts();
            self.attempt_set = Some(set);
        }
        let requested = policy.requested_quality(set);
        self.bars = scored
            .iter()
            .map(|s| Bar {
                position: s.position,
                score: s.score,
                gate: s.gate,
            })
            .collect();
        self.bars_requested = requested;
        self.attempts.push(scored);
        let scores: Vec<Vec<u8>> = self
            .attempts
            .iter()
            .map(|a| a.iter().map(|s| s.score).collect())
            .collect();
        match policy.decide_fingers(set, &scores) {
            Decision::Retry { tries_left } => self.tries_left = Some(tries_left),
            Decision::Accept {
                attempt,
                forced,
                retries,
            } => {
                self.tries_left = None;
                for s in &self.attempts[attempt] {
                    let mut capture = s.capture.clone();
                    capture.forced = forced;
                    capture.retries = retries;
                    self.slots[index(s.position)] = Slot::Captured(Box::new(capture));
                }
                self.discard_attempts();
                self.attempt_set = None;
            }
        }
    }

    /// Drops (and wipes) the attempts at the current set.
    fn discard_attempts(&mut self) {
        for attempt in self.attempts.drain(..) {
            for mut s in attempt {
                wipe_capture(&mut s.capture);
            }
        }
        self.tries_left = None;
    }

    /// The two hands, each finger coloured by its state; returns the finger tapped.
    fn hands(&mut self, ui: &mut Ui, i18n: &I18n) -> Option<FingerPosition> {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(540.0, 260.0), Sense::hover());
        let mut tapped = None;
        // Left hand on the left as the registrar faces the citizen's palms: little … thumb.
        use FingerPosition::*;
        let left = [LeftLittle, LeftRing, LeftMiddle, LeftIndex, LeftThumb];
        let right = [RightThumb, RightIndex, RightMiddle, RightRing, RightLittle];
        let heights = [0.55, 0.75, 0.85, 0.75, 0.45];
        for (hand, x0, heights) in [
            (left, rect.left() + 10.0, heights),
            (right, rect.left() + 290.0, [0.45, 0.75, 0.85, 0.75, 0.55]),
        ] {
            let palm =
                Rect::from_min_size(Pos2::new(x0, rect.top() + 150.0), Vec2::new(240.0, 100.0));
            ui.painter()
                .rect_filled(palm, 20.0, Color32::from_gray(225));
            for (i, p) in hand.into_iter().enumerate() {
                let h = 140.0 * heights[i];
                let finger = Rect::from_min_size(
                    Pos2::new(x0 + 6.0 + i as f32 * 47.0, rect.top() + 150.0 - h),
                    Vec2::new(40.0, h + 30.0),
                );
                let id = ui.scope_id().with(("finger", p.code()));
                let response = ui
                    .interact(finger, id, Sense::click())
                    .on_hover_text(i18n.tr(finger_message(p)));
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, i18n.tr(finger_message(p)))
                });
                if response.clicked() {
                    tapped = Some(p);
                }
                let fill = slot_color(self.slot(p));
                ui.painter().rect_filled(finger, 18.0, fill);
                if self.selected == Some(p) {
                    ui.painter().rect_stroke(
                        finger,
                        18.0,
                        Stroke::new(4.0, Color32::from_rgb(0x1e, 0x6f, 0xd9)),
                        egui::StrokeKind::Outside,
                    );
                }
                if let Slot::Missing { .. } = self.slot(p) {
                    ui.painter().line_segment(
                        [finger.left_top(), finger.right_bottom()],
                        Stroke::new(3.0, Color32::WHITE),
                    );
                }
            }
            let label = if hand[0] == LeftLittle {
                "fingers-left-hand"
            } else {
                "fingers-right-hand"
            };
            ui.painter().text(
                palm.center(),
                egui::Align2::CENTER_CENTER,
                i18n.tr(label),
                egui::FontId::proportional(20.0),
                Color32::from_gray(60),
            );
        }
        tapped
    }

    fn legend(&mut self, ui: &mut Ui, i18n: &I18n) {
        ui.horizontal_wrapped(|ui| {
            for (slot, id) in [
                (Slot::Empty, "fingers-legend-empty"),
                (
                    Slot::Captured(Box::new(dummy_capture(false))),
                    "fingers-legend-captured",
                ),
                (
                    Slot::Captured(Box::new(dummy_capture(true))),
                    "fingers-legend-forced",
                ),
                (
                    Slot::Missing {
                        reason: ExceptionReason::Unable,
                        photo: None,
                    },
                    "fingers-legend-missing",
                ),
            ] {
                let (r, _) = ui.allocate_exact_size(Vec2::splat(18.0), Sense::hover());
                ui.painter().rect_filled(r, 4.0, slot_color(&slot));
                ui.label(i18n.tr(id));
            }
        });
        let done = FingerPosition::ALL
            .iter()
            .filter(|p| {
                !matches!(
                    self.slot(**p),
                    Slot::Empty | Slot::Missing { photo: None, .. }
                )
            })
            .count();
        ui.label(RichText::new(i18n.tr_args("fingers-done", &[("count", done.into())])).strong());
        // Thumbnails of exception photos, made once.
        for p in FingerPosition::ALL {
            if let Slot::Missing {
                photo: Some(photo), ..
            } = &self.slots[index(p)]
                && !self.thumbs.iter().any(|(q, _)| *q == p)
                && let Ok(img) = image::load_from_memory(&photo.data)
            {
                let img = img.thumbnail(320, 180).to_rgb8();
                let texture = ui.ctx().load_texture(
                    format!("exception-{}", p.code()),
                    rgb_image(img.width(), img.height(), img.as_raw()),
                    Default::default(),
                );
                self.thumbs.push((p, texture));
            }
        }
    }
}

const REASONS: [(ExceptionReason, &str); 4] = [
    (ExceptionReason::Amputated, "fingers-reason-amputated"),
    (ExceptionReason::Bandaged, "fingers-reason-bandaged"),
    (ExceptionReason::Scarred, "fingers-reason-scarred"),
    (ExceptionReason::Unable, "fingers-reason-unable"),
];

fn dummy_capture(forced: bool) -> Capture {
    Capture {
        kind: BiometricKind::Finger,
        position: None,
        format: BiometricFormat::Png,
        data: Vec::new(),
        width: 0,
        height: 0,
        ppi: None,
        quality: None,
        retries: 0,
        forced,
        device: String::new(),
    }
}

fn slot_color(slot: &Slot) -> Color32 {
    match slot {
        Slot::Empty => Color32::from_gray(170),
        Slot::Captured(c) if c.forced => Color32::from_rgb(0xe6, 0x7e, 0x22),
        Slot::Captured(_) => Color32::from_rgb(0x2e, 0x8b, 0x57),
        Slot::Missing { .. } => Color32::from_rgb(0x7f, 0x8c, 0x8d),
    }
}

/// The quality bar of each finger of the last attempt, against the requested quality.
fn quality_bars(ui: &mut Ui, i18n: &I18n, bars: &[Bar], requested: u8) {
    for s in bars {
        ui.horizontal(|ui| {
            ui.add_sized(
                Vec2::new(200.0, 24.0),
                egui::Label::new(i18n.tr(finger_message(s.position))),
            );
            let ok = s.score >= requested;
            let bar = egui::ProgressBar::new(f32::from(s.score) / 100.0)
                .desired_width(220.0)
                .fill(if ok {
                    Color32::from_rgb(0x2e, 0x8b, 0x57)
                } else {
                    Color32::from_rgb(0xc0, 0x30, 0x30)
                })
                .text(s.score.to_string());
            ui.add(bar);
        });
        if let Some(gate) = s.gate {
            ui.label(RichText::new(i18n.tr(gate)).small());
        }
    }
}

/// Starts a capture: the thread waits for the scanner, then scores and encodes each finger.
fn start_capture(
    devices: &DeviceManager,
    request: crate::hal::CaptureRequest,
) -> Receiver<Result<Vec<Scored>, DeviceError>> {
    let device = device_id(devices, DeviceKind::FingerprintScanner);
    let rx = devices.capture_fingers(request);
    encode_in_background(move || {
        let images = rx.recv().map_err(|_| {
            DeviceError::new(crate::hal::ErrorKind::Disconnected, "the scanner stopped")
        })??;
        images.iter().map(|img| score(img, &device)).collect()
    })
}

/// One finger image scored and encoded.
fn score(img: &FingerImage, device: &str) -> Result<Scored, DeviceError> {
    let assessed = crate::quality::finger::assess(&img.pixels, img.width, img.height);
    let (ours, gate) = match &assessed {
        Ok(q) => (q.score, q.gate.map(|g| g.message_id())),
        Err(_) => (0, None),
    };
    let score = img.device_quality.unwrap_or(ours).min(100);
    let capture = finger_capture(img, score, device)
        .map_err(|e| DeviceError::new(crate::hal::ErrorKind::Other, e))?;
    Ok(Scored {
        position: img.position,
        score,
        gate,
        capture,
    })
}

/// The record's file for one finger: the device's ISO 19794-4 record when it sent one, else a
/// grayscale PNG with its resolution.
pub fn finger_capture(img: &FingerImage, quality: u8, device: &str) -> Result<Capture, String> {
    let (format, data) = match &img.iso_record {
        Some(iso) => (BiometricFormat::Iso19794_4, iso.clone()),
        None => {
            let mut png = Vec::new();
            let mut encoder = png::Encoder::new(&mut png, img.width, img.height);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Fast);
            let ppm = (f64::from(img.ppi) / 0.0254).round() as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: ppm,
                yppu: ppm,
                unit: png::Unit::Meter,
            }));
            let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
            writer
                .write_image_data(&img.pixels)
                .map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
            (BiometricFormat::Png, png)
        }
    };
    Ok(Capture {
        kind: BiometricKind::Finger,
        position: Some(img.position),
        format,
        data,
        width: img.width,
        height: img.height,
        ppi: Some(img.ppi),
        quality: Some(quality),
        retries: 0,
        forced: false,
        device: device.to_owned(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn image(p: FingerPosition) -> FingerImage {
        FingerImage {
            position: p,
            width: 4,
            height: 2,
            ppi: 500,
            pixels: vec![0, 50, 100, 150, 200, 250, 255, 1],
            device_quality: Some(55),
            iso_record: None,
        }
    }

    #[test]
    fn a_finger_without_an_iso_record_is_a_grey_png_with_its_resolution() {
        let c = finger_capture(&image(FingerPosition::LeftIndex), 55, "sim:SIM-FP-1").unwrap();
        let info = crate::domain::biometric::inspect_png(&c.data).unwrap();
        assert_eq!(
            (info.width, info.height, info.ppi, info.gray8),
            (4, 2, Some(500), true)
        );
        assert_eq!(
            (c.format, c.quality, c.position),
            (
                BiometricFormat::Png,
                Some(55),
                Some(FingerPosition::LeftIndex)
            )
        );
    }

    #[test]
    fn every_finger_taken_or_missing_with_a_photo_completes_the_step() {
        let mut step = FingerStep::default();
        let policy = CapturePolicy::default();
        for set in [FingerSet::LeftSlap, FingerSet::RightSlap] {
            let scored = set
                .positions()
                .into_iter()
                .map(|p| score(&image(p), "sim:1").unwrap())
                .collect();
            step.attempted(set, scored, &policy);
        }
        step.attempted(
            FingerSet::Thumbs,
            vec![score(&image(FingerPosition::RightThumb), "sim:1").unwrap()],
            &policy,
        );
        assert!(
            step.result().is_none(),
            "left thumb is neither taken nor missing"
        );
        step.mark_missing(FingerPosition::LeftThumb, ExceptionReason::Bandaged);
        assert!(step.result().is_none(), "a missing finger needs its photo");
        if let Slot::Missing { photo, .. } = &mut step.slots[index(FingerPosition::LeftThumb)] {
            let mut c = dummy_capture(false);
            c.kind = BiometricKind::ExceptionPhoto;
            c.position = Some(FingerPosition::LeftThumb);
            *photo = Some(Box::new(c));
        }
        let (captures, exceptions) = step.result().unwrap();
        assert_eq!(captures.len(), 10);
        assert_eq!(
            exceptions,
            vec![FingerException {
                position: FingerPosition::LeftThumb,
                reason: ExceptionReason::Bandaged
            }]
        );
        let mut all = captures.clone();
        all.push(dummy_face());
        all.push(dummy_signature());
        crate::domain::enrollment::check_complete(&all, &exceptions).unwrap();
    }

    fn dummy_face() -> Capture {
        Capture {
            kind: BiometricKind::Face,
            ..dummy_capture(false)
        }
    }

    fn dummy_signature() -> Capture {
        Capture {
            kind: BiometricKind::Signature,
            ..dummy_capture(false)
        }
    }

    #[test]
    fn low_scores_ask_again_then_keep_the_best_as_forced() {
        let mut step = FingerStep::default();
        let policy = CapturePolicy::default();
        let low = |q: u8| {
            let mut img = image(FingerPosition::RightThumb);
            img.device_quality = Some(q);
            vec![score(&img, "sim:1").unwrap()]
        };
        let set = FingerSet::Single(FingerPosition::RightThumb);
        step.attempted(set, low(10), &policy);
        assert_eq!(step.tries_left, Some(2));
        step.attempted(set, low(30), &policy);
        assert_eq!(step.tries_left, Some(1));
        step.attempted(set, low(20), &policy);
        match step.slot(FingerPosition::RightThumb) {
            Slot::Captured(c) => assert_eq!((c.quality, c.forced, c.retries), (Some(30), true, 1)),
            _ => panic!("the best attempt is kept"),
        }
    }
}
