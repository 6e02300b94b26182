//! One finger taken from the scanner outside the enrollment wizard: to find a citizen by
//! fingerprint, to log in by finger, and to enrol an operator's login fingers.
//!
//! The capture runs on a thread of its own (the scanner waits for the finger), so the screen
//! keeps drawing. A card shows the finger's name, its picture once taken, and one touch-sized
//! button to scan (or scan again).

use crate::domain::{Capture, FingerPosition};
use crate::hal::manager::DeviceManager;
use crate::hal::{CaptureRequest, DeviceError, ErrorKind, FingerSet};
use crate::ui::enroll::face::encode_in_background;
use crate::ui::enroll::fingers::finger_message;
use crate::ui::i18n::I18n;
use crate::ui::picture::Picture;
use crate::ui::screens::TOUCH_HEIGHT;
use crate::workflow::capture::score_finger;
use egui::{Button, Color32, RichText, Ui, Vec2};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

/// How long the scanner waits for the finger.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The width of a finger card.
pub const CARD_WIDTH: f32 = 220.0;
/// The picture's box inside a card.
const PICTURE: Vec2 = Vec2::new(200.0, 170.0);

type Scanned = Result<(Capture, egui::ColorImage), DeviceError>;

/// One finger to take, and what the scanner gave.
pub struct FingerScan {
    position: FingerPosition,
    running: Option<Receiver<Scanned>>,
    capture: Option<Capture>,
    picture: Option<Picture>,
    error: Option<DeviceError>,
}

impl FingerScan {
    pub fn new(position: FingerPosition) -> FingerScan {
        FingerScan {
            position,
            running: None,
            capture: None,
            picture: None,
            error: None,
        }
    }

    /// The finger taken, once taken.
    pub fn capture(&self) -> Option<&Capture> {
        self.capture.as_ref()
    }

    /// Whether the scanner is waiting for this finger.
    pub fn working(&self) -> bool {
        self.running.is_some()
    }

    /// Forgets what was taken (after use: prints are not kept on screen longer than needed).
    pub fn clear(&mut self) {
        self.running = None;
        if let Some(c) = &mut self.capture {
            zeroize::Zeroize::zeroize(&mut c.data);
        }
        self.capture = None;
        self.picture = None;
        self.error = None;
    }

    /// Starts the scanner on this finger.
    pub fn start(&mut self, devices: Option<&DeviceManager>) {
        self.clear();
        let Some(devices) = devices else {
            self.error = Some(DeviceError::new(ErrorKind::Disconnected, "no scanner"));
            return;
        };
        let rx = devices.capture_fingers(CaptureRequest {
            set: FingerSet::Single(self.position),
            exceptions: Vec::new(),
            requested_quality: 40,
            timeout: TIMEOUT,
        });
        let position = self.position;
        self.running = Some(encode_in_background(move || {
            let images = rx
                .recv()
                .map_err(|_| DeviceError::new(ErrorKind::Disconnected, "the scanner stopped"))??;
            let image = images
                .iter()
                .find(|i| i.position == position)
                .or(images.first())
                .ok_or_else(|| DeviceError::new(ErrorKind::Other, "the scanner sent no image"))?;
            let capture = score_finger(image)?.capture;
            let picture = crate::ui::picture::decode(capture.format, &capture.data, (300, 340))
                .ok_or_else(|| DeviceError::new(ErrorKind::Other, "the image does not decode"))?;
            Ok((capture, picture))
        }));
    }

    /// Takes the scanner's answer if it came; true when a finger was just taken.
    pub fn poll(&mut self) -> bool {
        let Some(rx) = &self.running else {
            return false;
        };
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Err(DeviceError::new(
                ErrorKind::Disconnected,
                "the scanner stopped",
            )),
        };
        self.running = None;
        match answer {
            Ok((capture, picture)) => {
                self.capture = Some(capture);
                self.picture = Some(Picture::Decoded(picture));
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Draws the card; true when the operator asks for a scan. `id` keeps two cards' textures
    /// apart.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n, id: &str, enabled: bool) -> bool {
        if self.working() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
        let mut scan = false;
        ui.vertical(|ui| {
            ui.set_width(CARD_WIDTH);
            ui.label(RichText::new(i18n.tr(finger_message(self.position))).strong());
            let (rect, _) = ui.allocate_exact_size(PICTURE, egui::Sense::hover());
            match &mut self.picture {
                Some(picture) => {
                    let texture = picture.texture(ui, &format!("scan-{id}"));
                    let size = texture.size_vec2();
                    let scale = (PICTURE.x / size.x).min(PICTURE.y / size.y);
                    let rect = egui::Rect::from_center_size(rect.center(), size * scale);
                    egui::Image::new((texture.id(), size * scale)).paint_at(ui, rect);
                }
                None => {
                    ui.painter().rect_filled(rect, 6.0, Color32::from_gray(225));
                    let text = if self.working() {
                        i18n.tr("scan-place-finger")
                    } else {
                        i18n.tr("scan-not-taken")
                    };
                    let galley = ui.painter().layout(
                        text,
                        egui::FontId::proportional(16.0),
                        Color32::from_gray(60),
                        PICTURE.x - 16.0,
                    );
                    let at = rect.center() - galley.size() / 2.0;
                    ui.painter().galley(at, galley, Color32::from_gray(60));
                }
            }
            // One reserved line for the scanner's complaint, so nothing moves when it appears.
            let error = self.error.as_ref().map(|e| i18n.tr(e.kind().message_id()));
            ui.add_sized(
                Vec2::new(CARD_WIDTH, 40.0),
                egui::Label::new(
                    RichText::new(error.unwrap_or_default())
                        .size(14.0)
                        .color(crate::ui::theme::error(ui)),
                )
                .wrap(),
            );
            let label = if self.capture.is_some() {
                i18n.tr("scan-again")
            } else {
                i18n.tr("scan-finger")
            };
            let button = Button::new(RichText::new(label).size(20.0))
                .min_size(Vec2::new(CARD_WIDTH - 10.0, TOUCH_HEIGHT));
            let name = i18n.tr_args(
                "scan-finger-named",
                &[("finger", i18n.tr(finger_message(self.position)).into())],
            );
            let response = ui.add_enabled(enabled && !self.working(), button);
            scan = response.accessible_name(name).clicked();
        });
        scan
    }
}

impl Drop for FingerScan {
    fn drop(&mut self) {
        self.clear();
    }
}
