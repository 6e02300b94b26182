//! The face photo: live preview with a face frame, each check as a green or red chip with its
//! reason, capture and retake, and auto-capture once every check passes.
//!
//! Frames come from the camera's preview receiver; the newest one is shown and, whenever the
//! checker thread is idle, handed to it (a face check takes about 50 ms, so the preview runs at
//! the camera's rate and the chips at the checker's). Capturing keeps the very frame the chips
//! describe, encoded as PNG on a thread of its own.

use super::{chip, rgb_image, wipe_capture};
use crate::domain::{BiometricFormat, BiometricKind, Capture, FingerPosition};
use crate::hal::manager::{DeviceKind, DeviceManager};
use crate::hal::policy::{CapturePolicy, Decision};
use crate::hal::{DeviceError, ErrorKind, Frame};
use crate::quality::face::{FaceChecks, FaceDetector, Verdict, check_face};
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{Button, Color32, Rect, RichText, Stroke, TextureHandle, Ui, Vec2};
use image::ImageEncoder;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::time::Duration;
use zeroize::Zeroize;

/// The face model, built into the binary so the kiosk needs no file at run time.
const FACE_MODEL: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/models/seeta_fd_frontal_v1.0.bin"
));

/// Width of the preview on screen.
const PREVIEW_WIDTH: f32 = 640.0;

/// A photo kept for the record.
pub struct Captured {
    pub capture: Capture,
    pub checks: FaceChecks,
    texture: Option<TextureHandle>,
    frame: Arc<Frame>,
}

/// The face step's state.
#[derive(Default)]
pub struct FaceStep {
    preview: Option<Receiver<crate::hal::Result<Frame>>>,
    checker: Option<Checker>,
    texture: Option<TextureHandle>,
    shown: Option<Arc<Frame>>,
    checked: Option<(Arc<Frame>, FaceChecks)>,
    attempts: Vec<(Arc<Frame>, FaceChecks)>,
    tries_left: Option<u32>,
    encoding: Option<Receiver<Result<Capture, String>>>,
    pending: Option<(Arc<Frame>, FaceChecks)>,
    captured: Option<Captured>,
    /// Take the photo by itself once every check passes.
    pub manual_only: bool,
    error: Option<DeviceError>,
    /// Frames shown since the preview started (for the frame-rate figure in benchmarks).
    pub frames_shown: u64,
}

impl FaceStep {
    /// The photo, once taken.
    pub fn capture(&self) -> Option<&Capture> {
        self.captured.as_ref().map(|c| &c.capture)
    }

    /// The photo with its checks and texture.
    pub fn captured(&self) -> Option<&Captured> {
        self.captured.as_ref()
    }

    /// Stops the preview (leaving the step): the camera goes back to Ready.
    pub fn stop_preview(&mut self) {
        self.preview = None;
        self.checker = None;
    }

    /// Overwrites the photo and every frame held.
    pub fn wipe(&mut self) {
        self.stop_preview();
        if let Some(mut c) = self.captured.take() {
            wipe_capture(&mut c.capture);
        }
        for (frame, _) in self.attempts.drain(..) {
            wipe_frame(frame);
        }
        for frame in [self.shown.take(), self.checked.take().map(|c| c.0)]
            .into_iter()
            .flatten()
        {
            wipe_frame(frame);
        }
        self.pending = None;
        self.texture = None;
    }

    /// Draws the step.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        policy: &CapturePolicy,
    ) {
        self.poll_encoding();
        if let Some(captured) = &mut self.captured {
            ui.label(RichText::new(i18n.tr("face-captured")).strong());
            let texture = captured.texture.get_or_insert_with(|| {
                let f = &captured.frame;
                ui.ctx().load_texture(
                    "face-photo",
                    rgb_image(f.width, f.height, &f.rgb),
                    Default::default(),
                )
            });
            let size = fit(texture.size_vec2(), PREVIEW_WIDTH);
            ui.add(egui::Image::new((texture.id(), size)));
            if captured.capture.forced {
                ui.label(
                    RichText::new(i18n.tr("face-forced"))
                        .color(Color32::from_rgb(0xb0, 0x60, 0x00)),
                );
            }
            check_chips(ui, i18n, &captured.checks);
            if ui
                .add(
                    Button::new(RichText::new(i18n.tr("face-retake")).size(22.0))
                        .min_size(Vec2::new(240.0, TOUCH_HEIGHT)),
                )
                .clicked()
            {
                self.retake();
            }
            return;
        }
        let Some(devices) = devices else {
            ui.label(i18n.tr("device-disconnected"));
            return;
        };
        self.poll_preview(ui.ctx(), devices);
        ui.label(i18n.tr("face-instructions"));
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| self.preview_image(ui, i18n));
            ui.vertical(|ui| {
                if let Some((_, checks)) = &self.checked {
                    check_chips(ui, i18n, checks);
                }
                ui.add_space(12.0);
                ui.checkbox(&mut self.manual_only, i18n.tr("face-manual-only"));
                ui.add_space(12.0);
                if let Some(left) = self.tries_left {
                    ui.label(
                        RichText::new(i18n.tr_args("face-try-again", &[("left", left.into())]))
                            .color(Color32::from_rgb(0xc0, 0x30, 0x30)),
                    );
                }
                let can = self.checked.is_some() && self.encoding.is_none();
                if ui
                    .add_enabled(
                        can,
                        Button::new(RichText::new(i18n.tr("face-capture")).size(24.0))
                            .min_size(Vec2::new(260.0, TOUCH_HEIGHT * 1.3)),
                    )
                    .clicked()
                    && let Some(checked) = self.checked.clone()
                {
                    self.attempt(checked, policy, devices);
                }
                if self.encoding.is_some() {
                    ui.add(egui::Spinner::new().size(28.0));
                }
            });
        });
        // Auto-capture on the first frame that passes every check.
        if !self.manual_only
            && self.encoding.is_none()
            && let Some(checked) = self.checked.clone().filter(|(_, c)| c.all_passed())
        {
            self.attempt(checked, policy, devices);
        }
        ui.ctx().request_repaint_after(Duration::from_millis(15));
    }

    fn retake(&mut self) {
        if let Some(mut c) = self.captured.take() {
            wipe_capture(&mut c.capture);
        }
        self.attempts.clear();
        self.tries_left = None;
        self.checked = None;
    }

    /// One capture attempt: keep it, or ask for another (the best is kept after the last try).
    fn attempt(
        &mut self,
        checked: (Arc<Frame>, FaceChecks),
        policy: &CapturePolicy,
        devices: &DeviceManager,
    ) {
        self.attempts.push(checked);
        let scores: Vec<(usize, usize)> = self
            .attempts
            .iter()
            .map(|(_, c)| {
                let run = c
                    .checks
                    .iter()
                    .filter(|k| k.verdict != Verdict::NotAvailable);
                (run.clone().filter(|k| k.passed()).count(), run.count())
            })
            .collect();
        match policy.decide_face(&scores) {
            Decision::Retry { tries_left } => {
                self.tries_left = Some(tries_left);
                // Wait for a fresh frame before judging again.
                self.checked = None;
            }
            Decision::Accept {
                attempt,
                forced,
                retries,
            } => {
                let (frame, checks) = self.attempts[attempt].clone();
                let device = device_id(devices, DeviceKind::Camera);
                let quality = mean_score(&checks);
                self.pending = Some((frame.clone(), checks));
                self.encoding = Some(encode_in_background(move || {
                    let mut c = frame_capture(BiometricKind::Face, None, &frame, &device)?;
                    c.quality = quality;
                    c.forced = forced;
                    c.retries = retries;
                    Ok(c)
                }));
                self.stop_preview();
            }
        }
    }

    fn poll_encoding(&mut self) {
        let Some(rx) = &self.encoding else { return };
        match rx.try_recv() {
            Err(TryRecvError::Empty) => {}
            Ok(Ok(capture)) => {
                self.encoding = None;
                if let Some((frame, checks)) = self.pending.take() {
                    self.captured = Some(Captured {
                        capture,
                        checks,
                        texture: None,
                        frame,
                    });
                }
                self.tries_left = None;
            }
            Ok(Err(_)) | Err(TryRecvError::Disconnected) => {
                self.encoding = None;
                self.pending = None;
                self.error = Some(DeviceError::new(
                    ErrorKind::Other,
                    "the photo could not be encoded",
                ));
            }
        }
    }

    fn poll_preview(&mut self, ctx: &egui::Context, devices: &DeviceManager) {
        if self.preview.is_none() && self.error.is_none() {
            self.preview = Some(devices.camera_frames());
            self.checker = Some(Checker::spawn(ctx));
        }
        let mut newest = None;
        if let Some(rx) = &self.preview {
            loop {
                match rx.try_recv() {
                    Ok(Ok(frame)) => newest = Some(frame),
                    Ok(Err(e)) => {
                        self.error = Some(e);
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        self.error.get_or_insert_with(message_gone_error);
                        break;
                    }
                }
            }
        }
        if self.error.is_some() {
            self.preview = None;
        }
        if let Some(frame) = newest {
            let frame = Arc::new(frame);
            let image = rgb_image(frame.width, frame.height, &frame.rgb);
            match &mut self.texture {
                Some(t) => t.set(image, Default::default()),
                None => {
                    self.texture = Some(ctx.load_texture("face-preview", image, Default::default()))
                }
            }
            self.frames_shown += 1;
            if let Some(checker) = &mut self.checker {
                checker.offer(&frame);
            }
            self.shown = Some(frame);
        }
        if let Some(checker) = &mut self.checker
            && let Some(result) = checker.result()
        {
            self.checked = Some(result);
        }
    }

    fn preview_image(&mut self, ui: &mut Ui, i18n: &I18n) {
        if let Some(e) = &self.error {
            ui.label(
                RichText::new(i18n.tr(e.kind().message_id()))
                    .color(Color32::from_rgb(0xc0, 0x30, 0x30)),
            );
            if ui
                .add(Button::new(i18n.tr("device-retry")).min_size(Vec2::new(200.0, TOUCH_HEIGHT)))
                .clicked()
            {
                self.error = None;
            }
            return;
        }
        let Some(texture) = &self.texture else {
            ui.add(egui::Spinner::new().size(48.0));
            ui.label(i18n.tr("face-waiting"));
            return;
        };
        let size = fit(texture.size_vec2(), PREVIEW_WIDTH);
        let response = ui.add(egui::Image::new((texture.id(), size)));
        let rect = response.rect;
        let painter = ui.painter_at(rect);
        // The guide: where the head should be.
        let guide = Rect::from_center_size(
            rect.center() - Vec2::new(0.0, rect.height() * 0.05),
            Vec2::new(rect.height() * 0.45, rect.height() * 0.62),
        );
        painter.rect_stroke(
            guide,
            60.0,
            Stroke::new(2.0, Color32::from_white_alpha(160)),
            egui::StrokeKind::Inside,
        );
        // The face found, green when every check passed.
        if let Some((frame, checks)) = &self.checked
            && let Some(face) = checks.face
        {
            let scale = rect.width() / frame.width as f32;
            let r = Rect::from_min_size(
                rect.min + Vec2::new(face.x, face.y) * scale,
                Vec2::new(face.width, face.height) * scale,
            );
            let color = if checks.all_passed() {
                Color32::from_rgb(0x2e, 0xcc, 0x71)
            } else {
                Color32::from_rgb(0xe7, 0x4c, 0x3c)
            };
            painter.rect_stroke(r, 4.0, Stroke::new(3.0, color), egui::StrokeKind::Outside);
        }
    }
}

fn message_gone_error() -> DeviceError {
    DeviceError::new(ErrorKind::Disconnected, "the camera stopped")
}

/// Each check as a chip: green passed, red failed (with its reason), grey not available.
fn check_chips(ui: &mut Ui, i18n: &I18n, checks: &FaceChecks) {
    for check in &checks.checks {
        let ok = match check.verdict {
            Verdict::Pass => Some(true),
            Verdict::Fail => Some(false),
            Verdict::NotAvailable => None,
        };
        chip(ui, ok, i18n.tr(check.message_id));
    }
}

fn mean_score(checks: &FaceChecks) -> Option<u8> {
    let scores: Vec<u32> = checks
        .checks
        .iter()
        .filter_map(|c| c.score)
        .map(u32::from)
        .collect();
    (!scores.is_empty()).then(|| (scores.iter().sum::<u32>() / scores.len() as u32).min(100) as u8)
}

/// `size` scaled to `width`.
fn fit(size: Vec2, width: f32) -> Vec2 {
    size * (width / size.x.max(1.0))
}

/// Overwrites a frame's pixels when this was its last holder.
fn wipe_frame(frame: Arc<Frame>) {
    if let Ok(mut frame) = Arc::try_unwrap(frame) {
        frame.rgb.zeroize();
    }
}

/// `backend:serial` of the device of `kind` a capture goes to, as recorded with it.
pub(crate) fn device_id(devices: &DeviceManager, kind: DeviceKind) -> String {
    devices
        .in_use(kind)
        .map_or_else(|| "unknown:unknown".to_owned(), |s| s.info.device_id())
}

/// A PNG capture of an RGB frame.
pub(crate) fn frame_capture(
    kind: BiometricKind,
    position: Option<FingerPosition>,
    frame: &Frame,
    device: &str,
) -> Result<Capture, String> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        &frame.rgb,
        frame.width,
        frame.height,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(Capture {
        kind,
        position,
        format: BiometricFormat::Png,
        data: png,
        width: frame.width,
        height: frame.height,
        ppi: None,
        quality: None,
        retries: 0,
        forced: false,
        device: device.to_owned(),
    })
}

/// Runs `work` on a thread of its own; the receiver hears its result.
pub(crate) fn encode_in_background<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("kattoo-encode".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .expect("spawn an encoder thread");
    rx
}

/// The face-check thread: one frame at a time, the newest offered while it is idle.
struct Checker {
    tx: SyncSender<Arc<Frame>>,
    rx: Receiver<(Arc<Frame>, Option<FaceChecks>)>,
    busy: bool,
}

impl Checker {
    fn spawn(ctx: &egui::Context) -> Checker {
        let (tx, frames) = mpsc::sync_channel::<Arc<Frame>>(1);
        let (results, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("kattoo-face-checks".into())
            .spawn(move || {
                let mut detector = match FaceDetector::from_model_bytes(FACE_MODEL) {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::error!("face model: {e}");
                        return;
                    }
                };
                for frame in frames {
                    let checks = check_face(&mut detector, &frame.rgb, frame.width, frame.height)
                        .map_err(|e| tracing::warn!("face check: {e}"))
                        .ok();
                    if results.send((frame, checks)).is_err() {
                        return;
                    }
                    ctx.request_repaint();
                }
            })
            .expect("spawn the face-check thread");
        Checker {
            tx,
            rx,
            busy: false,
        }
    }

    fn offer(&mut self, frame: &Arc<Frame>) {
        if !self.busy && self.tx.try_send(frame.clone()).is_ok() {
            self.busy = true;
        }
    }

    fn result(&mut self) -> Option<(Arc<Frame>, FaceChecks)> {
        let (frame, checks) = self.rx.try_recv().ok()?;
        self.busy = false;
        Some((frame, checks?))
    }
}
