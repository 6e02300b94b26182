//! The face photo: live preview with a face frame, each check as a green or red chip with its
//! reason, capture and retake, and auto-capture once every check passes.
//!
//! Frames come from the camera's preview receiver; the newest one is shown and, whenever the
//! checker thread is idle, handed to it (a face check takes about 50 ms, so the preview runs at
//! the camera's rate and the chips at the checker's). Capturing keeps the very frame the chips
//! describe, encoded as PNG on a thread of its own; from an SBI camera, whose preview is not
//! signed, it takes a signed still instead and checks that.

use super::{capture_image, capture_key, chip, rgb_image};
use crate::domain::Capture;
use crate::hal::manager::DeviceManager;
use crate::hal::{Backend, DeviceError, ErrorKind, Frame};
use crate::quality::face::{FaceChecks, FaceDetector, Verdict, check_face};
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
use crate::workflow::capture::{face_attempt, portrait_capture};
use crate::workflow::{Event, State};
use egui::{Button, Color32, Rect, RichText, Stroke, TextureHandle, Ui, Vec2};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::time::{Duration, Instant};
use zeroize::Zeroize;

/// Width of the preview on screen.
const PREVIEW_WIDTH: f32 = 640.0;
/// Height of the kept photo on screen: a portrait fits the page with the action bar below.
const KEPT_HEIGHT: f32 = 400.0;

/// The kept photo as shown: its texture and the checks of the frame it was.
struct Kept {
    key: (usize, u64),
    texture: Option<TextureHandle>,
}

/// What the face screen holds beside the workflow's state: the preview and the checks.
#[derive(Default)]
pub struct FaceStep {
    preview: Option<Receiver<crate::hal::Result<Frame>>>,
    checker: Option<Checker>,
    texture: Option<TextureHandle>,
    shown: Option<Arc<Frame>>,
    checked: Option<(Arc<Frame>, FaceChecks)>,
    encoding: Option<Receiver<Result<(Capture, FaceChecks), String>>>,
    /// The checks of each attempt sent, by the photo's key, to show beside the kept photo.
    attempt_checks: Vec<((usize, u64), FaceChecks)>,
    kept: Option<Kept>,
    /// Take the photo by itself once every check passes.
    pub manual_only: bool,
    error: Option<DeviceError>,
    /// Frames shown since the preview started (for the frame-rate figure in benchmarks).
    pub frames_shown: u64,
    /// Since when every check has passed without a break: the countdown to auto-capture.
    passing_since: Option<Instant>,
}

impl FaceStep {
    /// Stops the preview (leaving the step): the camera goes back to Ready.
    pub fn stop_preview(&mut self) {
        self.preview = None;
        self.checker = None;
        self.passing_since = None;
    }

    /// Starts the preview again (a retake, or the step entered again).
    pub fn restart(&mut self) {
        self.error = None;
        self.checked = None;
        self.kept = None;
    }

    /// Whether an attempt is being encoded.
    pub fn working(&self) -> bool {
        self.encoding.is_some()
    }

    /// Overwrites every frame held.
    pub fn wipe(&mut self) {
        self.stop_preview();
        for frame in [self.shown.take(), self.checked.take().map(|c| c.0)]
            .into_iter()
            .flatten()
        {
            wipe_frame(frame);
        }
        self.encoding = None;
        self.attempt_checks.clear();
        self.kept = None;
        self.texture = None;
    }

    /// Draws the step; returns the attempt to send when a photo was taken.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        state: &State,
    ) -> Option<Event> {
        if let Some(photo) = state.face() {
            self.stop_preview();
            return self.show_kept(ui, i18n, photo);
        }
        let event = self.poll_encoding();
        let Some(devices) = devices else {
            ui.label(i18n.tr("device-disconnected"));
            return event;
        };
        self.poll_preview(ui.ctx(), devices);
        ui.label(i18n.tr("face-instructions"));
        let mut take = false;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| self.preview_image(ui, i18n));
            // Beside the preview: the countdown, the take button and the hand-only switch
            // first (always in view), then what each check says.
            ui.vertical(|ui| {
                // The countdown's line is always there, so nothing moves when it starts.
                let countdown = self.countdown(state.policy().face_countdown());
                let text = match countdown {
                    Some(left) if left > 0 => {
                        i18n.tr_args("face-countdown", &[("seconds", left.into())])
                    }
                    _ => String::new(),
                };
                ui.add_sized(
                    Vec2::new(ui.available_width(), 36.0),
                    egui::Label::new(RichText::new(text).size(24.0).strong()).wrap(),
                );
                let can = self.checked.is_some() && self.encoding.is_none();
                ui.horizontal(|ui| {
                    take = crate::ui::theme::accent_button(
                        ui,
                        RichText::new(i18n.tr("face-capture")).size(24.0),
                        Vec2::new(280.0, TOUCH_HEIGHT),
                        can,
                    )
                    .clicked();
                    if self.encoding.is_some() {
                        ui.add(egui::Spinner::new().size(28.0));
                    }
                });
                // Hand-only capture: a touch-sized switch.
                if ui
                    .add(
                        Button::new(i18n.tr("face-manual-only"))
                            .selected(self.manual_only)
                            .min_size(Vec2::new(280.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.manual_only = !self.manual_only;
                }
                if let Some(left) = state.face_tries_left() {
                    ui.label(
                        RichText::new(i18n.tr_args("face-try-again", &[("left", left.into())]))
                            .color(crate::ui::theme::error(ui)),
                    );
                }
                if let Some((_, checks)) = &self.checked {
                    check_chips(ui, i18n, checks);
                }
            });
        });
        // Auto-capture once every check has kept passing through the countdown.
        let auto = self.countdown(state.policy().face_countdown()) == Some(0);
        if (take || auto)
            && self.encoding.is_none()
            && let Some(checked) = self.checked.take()
        {
            self.encode(checked, devices);
        }
        ui.ctx().request_repaint_after(Duration::from_millis(15));
        event
    }

    /// Whole seconds left before the photo takes itself (0: now), or `None` while a check
    /// fails or the photo is taken by hand only. Starts counting when every check passes.
    fn countdown(&mut self, length: Duration) -> Option<u64> {
        let passing =
            !self.manual_only && self.checked.as_ref().is_some_and(|(_, c)| c.all_passed());
        if !passing {
            self.passing_since = None;
            return None;
        }
        let since = *self.passing_since.get_or_insert_with(Instant::now);
        let left = length.saturating_sub(since.elapsed());
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// The kept photo with its checks, and Retake.
    fn show_kept(&mut self, ui: &mut Ui, i18n: &I18n, photo: &Capture) -> Option<Event> {
        ui.label(RichText::new(i18n.tr("face-captured")).strong());
        let key = capture_key(photo);
        if self.kept.as_ref().is_none_or(|k| k.key != key) {
            let texture = capture_image(photo, (1280, 720)).map(|image| {
                ui.ctx()
                    .load_texture("face-photo", image, Default::default())
            });
            self.kept = Some(Kept { key, texture });
        }
        let mut retake = false;
        // The portrait kept, beside what its checks said and Retake.
        ui.horizontal_top(|ui| {
            if let Some(texture) = self.kept.as_ref().and_then(|k| k.texture.as_ref()) {
                let size = texture.size_vec2();
                let size =
                    size * (PREVIEW_WIDTH / size.x.max(1.0)).min(KEPT_HEIGHT / size.y.max(1.0));
                ui.add(egui::Image::new((texture.id(), size)));
            }
            ui.vertical(|ui| {
                if photo.forced {
                    ui.label(
                        RichText::new(i18n.tr("face-forced")).color(crate::ui::theme::warn(ui)),
                    );
                }
                if let Some((_, checks)) = self.attempt_checks.iter().find(|(k, _)| *k == key) {
                    check_chips(ui, i18n, checks);
                }
                retake = ui
                    .add(
                        Button::new(RichText::new(i18n.tr("face-retake")).size(22.0))
                            .min_size(Vec2::new(240.0, TOUCH_HEIGHT)),
                    )
                    .clicked();
            });
        });
        retake.then_some(Event::RetakeFace)
    }

    /// Encodes the checked frame as the attempt's photo, on a thread of its own. An SBI camera
    /// signs its stills, not its preview: from one, the photo is a still (its face record kept
    /// as received), checked again.
    fn encode(&mut self, (frame, checks): (Arc<Frame>, FaceChecks), devices: &DeviceManager) {
        let still = (frame.source.backend() == Backend::Sbi.name()).then(|| devices.still());
        self.encoding = Some(encode_in_background(move || {
            let (frame, checks) = match still {
                None => (frame, checks),
                Some(still) => {
                    let still = still
                        .recv()
                        .map_err(|_| "the camera stopped".to_owned())?
                        .map_err(|e| e.to_string())?;
                    let mut detector = FaceDetector::builtin().map_err(|e| e.to_string())?;
                    let checks = check_face(&mut detector, &still.rgb, still.width, still.height)
                        .map_err(|e| e.to_string())?;
                    (Arc::new(still), checks)
                }
            };
            let photo = portrait_capture(&frame, checks.portrait)?;
            Ok((photo, checks))
        }));
    }

    /// An encoded attempt becomes the event the workflow judges.
    fn poll_encoding(&mut self) -> Option<Event> {
        let rx = self.encoding.as_ref()?;
        match rx.try_recv() {
            Err(TryRecvError::Empty) => None,
            Ok(Ok((photo, checks))) => {
                self.encoding = None;
                let attempt = face_attempt(photo, &checks);
                self.attempt_checks
                    .push((capture_key(&attempt.photo), checks));
                Some(Event::FaceAttempt(attempt))
            }
            Ok(Err(_)) | Err(TryRecvError::Disconnected) => {
                self.encoding = None;
                self.error = Some(DeviceError::new(
                    ErrorKind::Other,
                    "the photo could not be encoded",
                ));
                None
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
                RichText::new(i18n.tr(e.kind().message_id())).color(crate::ui::theme::error(ui)),
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
/// Runs `work` on a thread of its own; the receiver hears its result.
pub(crate) fn encode_in_background<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Receiver<T> {
    crate::ui::worker::background("kattoo-encode", None, work)
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
        let spawned = std::thread::Builder::new()
            .name("kattoo-face-checks".into())
            .spawn(move || {
                let mut detector = match FaceDetector::builtin() {
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
            });
        if let Err(e) = spawned {
            // No checks then: the chips stay empty and the photo can still be taken by hand.
            tracing::error!("cannot start the face-check thread: {e}");
        }
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
