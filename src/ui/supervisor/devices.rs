//! Devices: every camera and scanner the manager has seen, with its make, model, serial, backend,
//! state and last error in words; a test capture on one device (the picture, or each finger with
//! its quality); and the backends the kiosk looks for devices with — an admin may choose others,
//! which apply after a restart.

use super::{Load, Message, Picture, Task, big, button, error_message, heading, task};
use crate::domain::{FingerPosition, Role};
use crate::hal::manager::{DeviceKind, DeviceManager, DeviceState};
use crate::hal::{Backend, CaptureRequest, DeviceError, FingerSet};
use crate::station::{KNOWN_BACKENDS, Session};
use crate::ui::enroll::fingers::finger_message;
use crate::ui::i18n::I18n;
use egui::{RichText, Ui, Vec2};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Duration;

/// Longest a test capture waits for fingers.
const TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// One finger of a test capture.
struct TestFinger {
    position: FingerPosition,
    quality: u8,
    picture: Picture,
}

/// What a test capture brought back.
enum TestResult {
    Still(Picture),
    Fingers(Vec<TestFinger>),
    Failed(DeviceError),
}

/// A test capture on one device.
struct DeviceTest {
    device_id: String,
    /// Set while the capture (and its scoring) runs on its own thread.
    pending: Option<Receiver<TestResult>>,
    result: Option<TestResult>,
}

/// The backends configured now and the ones chosen for the next start.
struct Backends {
    configured: Vec<String>,
    chosen: Option<Vec<String>>,
    /// The admin's ticks, before saving.
    edit: Vec<String>,
}

/// The devices tab.
pub(super) struct DevicesTab {
    test: Option<DeviceTest>,
    backends: Load<Backends>,
    message: Option<Message>,
}

impl Default for DevicesTab {
    fn default() -> Self {
        DevicesTab {
            test: None,
            backends: Load::NotAsked,
            message: None,
        }
    }
}

impl DevicesTab {
    /// Asks for the backends again.
    pub(super) fn refresh(&mut self) {
        self.backends = Load::NotAsked;
    }

    pub(super) fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        session: &Session,
        devices: Option<&DeviceManager>,
        busy: bool,
    ) -> Option<Task> {
        if let Some(t) = self.backends.ask(busy, load_backends) {
            return Some(t);
        }
        self.poll_test();
        match devices {
            None => {
                ui.label(i18n.tr("sv-devices-none"));
            }
            Some(manager) => self.device_list(ui, i18n, manager),
        }
        self.show_test(ui, i18n);
        ui.separator();
        self.backends_section(ui, i18n, session, busy)
    }

    fn device_list(&mut self, ui: &mut Ui, i18n: &I18n, manager: &DeviceManager) {
        let statuses = manager.status();
        if statuses.is_empty() {
            ui.label(i18n.tr("sv-devices-none"));
        }
        let testing = self.test.as_ref().is_some_and(|t| t.pending.is_some());
        for s in statuses {
            let id = s.info.device_id();
            let kind = i18n.tr(match s.kind {
                DeviceKind::Camera => "devices-camera",
                DeviceKind::FingerprintScanner => "devices-scanner",
            });
            let state = i18n.tr(match s.state {
                DeviceState::Ready => "devices-ready",
                DeviceState::Busy => "devices-busy",
                DeviceState::Missing => "devices-missing",
            });
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("{kind}: {} {}", s.info.make, s.info.model))
                        .strong()
                        .size(20.0),
                );
                crate::ui::enroll::chip(ui, Some(s.state != DeviceState::Missing), state);
            });
            let mut line = i18n.tr_args(
                "sv-devices-line",
                &[
                    ("serial", s.info.serial.as_str().into()),
                    (
                        "backend",
                        i18n.tr(&format!("sv-backend-{}", s.info.backend.name()))
                            .into(),
                    ),
                ],
            );
            if s.info.backend == Backend::Sim {
                line = format!("{line} · {}", i18n.tr("devices-simulated"));
            }
            ui.label(RichText::new(line).weak());
            if let Some(e) = &s.last_error {
                ui.label(
                    RichText::new(i18n.tr(e.kind().message_id()))
                        .color(crate::ui::theme::error(ui)),
                );
            }
            let name = i18n.tr_args("sv-devices-test-named", &[("device", id.as_str().into())]);
            if button(
                ui,
                i18n.tr("sv-devices-test"),
                Some(name),
                s.state == DeviceState::Ready && !testing,
            )
            .clicked()
            {
                self.start_test(ui.ctx(), manager, s.kind, id);
            }
            ui.separator();
        }
    }

    fn start_test(
        &mut self,
        ctx: &egui::Context,
        manager: &DeviceManager,
        kind: DeviceKind,
        device_id: String,
    ) {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        // The device answers on a receiver; scoring and decoding happen on this thread too.
        match kind {
            DeviceKind::Camera => {
                let frames = manager.still_on(&device_id);
                spawn(move || {
                    let result = match frames.recv() {
                        Ok(Ok(frame)) => TestResult::Still(Picture::Decoded(
                            crate::ui::enroll::rgb_image(frame.width, frame.height, &frame.rgb),
                        )),
                        Ok(Err(e)) => TestResult::Failed(e),
                        Err(_) => TestResult::Failed(gone()),
                    };
                    let _ = tx.send(result);
                    ctx.request_repaint();
                });
            }
            DeviceKind::FingerprintScanner => {
                let request = CaptureRequest {
                    set: FingerSet::Single(FingerPosition::RightIndex),
                    exceptions: Vec::new(),
                    requested_quality: 0,
                    timeout: TEST_TIMEOUT,
                };
                let images = manager.capture_fingers_on(&device_id, request);
                spawn(move || {
                    let result = match images.recv() {
                        Ok(Ok(images)) => TestResult::Fingers(
                            images
                                .into_iter()
                                .map(|img| {
                                    let quality = img.device_quality.unwrap_or_else(|| {
                                        crate::quality::finger::assess(
                                            &img.pixels,
                                            img.width,
                                            img.height,
                                        )
                                        .map_or(0, |q| q.score)
                                    });
                                    TestFinger {
                                        position: img.position,
                                        quality,
                                        picture: Picture::Decoded(egui::ColorImage::from_gray(
                                            [img.width as usize, img.height as usize],
                                            &img.pixels,
                                        )),
                                    }
                                })
                                .collect(),
                        ),
                        Ok(Err(e)) => TestResult::Failed(e),
                        Err(_) => TestResult::Failed(gone()),
                    };
                    let _ = tx.send(result);
                    ctx.request_repaint();
                });
            }
        }
        self.test = Some(DeviceTest {
            device_id,
            pending: Some(rx),
            result: None,
        });
    }

    fn poll_test(&mut self) {
        let Some(test) = &mut self.test else { return };
        let Some(rx) = &test.pending else { return };
        match rx.try_recv() {
            Ok(result) => {
                test.result = Some(result);
                test.pending = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                test.result = Some(TestResult::Failed(gone()));
                test.pending = None;
            }
        }
    }

    fn show_test(&mut self, ui: &mut Ui, i18n: &I18n) {
        let Some(test) = &mut self.test else { return };
        heading(
            ui,
            i18n.tr_args(
                "sv-devices-test-title",
                &[("device", test.device_id.as_str().into())],
            ),
        );
        if test.pending.is_some() {
            crate::ui::screens::working(ui, i18n);
            ui.ctx().request_repaint_after(Duration::from_millis(100));
            return;
        }
        let id = test.device_id.clone();
        match &mut test.result {
            Some(TestResult::Still(picture)) => {
                Message::ok("sv-devices-test-ok").show(ui, i18n);
                picture.show(ui, &format!("sv-test-{id}"), Vec2::new(480.0, 270.0));
            }
            Some(TestResult::Fingers(fingers)) => {
                Message::ok("sv-devices-test-ok").show(ui, i18n);
                ui.horizontal_wrapped(|ui| {
                    for (i, f) in fingers.iter_mut().enumerate() {
                        ui.vertical(|ui| {
                            ui.label(RichText::new(i18n.tr(finger_message(f.position))).small());
                            f.picture.show(
                                ui,
                                &format!("sv-test-{id}-{i}"),
                                Vec2::new(160.0, 200.0),
                            );
                            let color = if f.quality >= 40 {
                                crate::ui::theme::ok(ui)
                            } else {
                                crate::ui::theme::warn(ui)
                            };
                            ui.label(
                                RichText::new(
                                    i18n.tr_args(
                                        "review-quality",
                                        &[("quality", f.quality.into())],
                                    ),
                                )
                                .color(color),
                            );
                        });
                    }
                });
            }
            Some(TestResult::Failed(e)) => {
                Message::error(e.kind().message_id()).show(ui, i18n);
            }
            None => {}
        }
    }

    fn backends_section(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        session: &Session,
        busy: bool,
    ) -> Option<Task> {
        heading(ui, i18n.tr("sv-devices-backends"));
        if let Some(m) = &self.message {
            m.show(ui, i18n);
        }
        let backends = self.backends.show(ui, i18n)?;
        ui.label(i18n.tr_args(
            "sv-devices-backends-configured",
            &[("backends", backend_names(i18n, &backends.configured).into())],
        ));
        if let Some(chosen) = &backends.chosen
            && *chosen != backends.configured
        {
            ui.label(
                RichText::new(i18n.tr_args(
                    "sv-devices-backends-next",
                    &[("backends", backend_names(i18n, chosen).into())],
                ))
                .color(crate::ui::theme::warn(ui)),
            );
        }
        if session.role() < Role::Admin {
            ui.label(RichText::new(i18n.tr("sv-devices-backends-admin")).weak());
            return None;
        }
        for name in KNOWN_BACKENDS {
            let mut on = backends.edit.iter().any(|b| b == name);
            let label = i18n.tr(&format!("sv-backend-{name}"));
            if ui
                .add(egui::Checkbox::new(
                    &mut on,
                    RichText::new(label).size(20.0),
                ))
                .changed()
            {
                if on {
                    backends.edit.push((*name).to_owned());
                } else {
                    backends.edit.retain(|b| b != name);
                }
            }
        }
        let sorted = |list: &[String]| {
            let mut list = list.to_vec();
            list.sort();
            list
        };
        let current = backends.chosen.as_ref().unwrap_or(&backends.configured);
        let changed = sorted(&backends.edit) != sorted(current);
        if big(
            ui,
            i18n.tr("sv-devices-backends-save"),
            !busy && changed && !backends.edit.is_empty(),
        )
        .clicked()
        {
            let chosen = backends.edit.clone();
            self.message = None;
            return Some(task(
                move |st, session, now| {
                    st.set_device_backends(session, &chosen, now)
                        .map_err(|e| error_message(&e))
                },
                |screen, result| {
                    let tab = &mut screen.devices;
                    tab.message = Some(match result {
                        Ok(()) => Message::ok("sv-devices-backends-saved"),
                        Err(m) => m,
                    });
                    tab.refresh();
                },
            ));
        }
        None
    }
}

fn load_backends() -> Task {
    task(
        |st, _session, _now| {
            let configured = st.config().devices.backends.clone();
            let chosen = st.chosen_device_backends().map_err(|e| error_message(&e))?;
            let mut edit = chosen.clone().unwrap_or_else(|| configured.clone());
            // Keep the ticks in the order the list shows them.
            edit.sort_by_key(|b| KNOWN_BACKENDS.iter().position(|k| k == b));
            Ok(Backends {
                configured,
                chosen,
                edit,
            })
        },
        |screen, result| screen.devices.backends = Load::from_result(result),
    )
}

fn gone() -> DeviceError {
    DeviceError::new(
        crate::hal::ErrorKind::Disconnected,
        "the device stopped answering",
    )
}

fn spawn(work: impl FnOnce() + Send + 'static) {
    let _ = crate::ui::worker::background("kattoo-device-test", None, work);
}

/// Backend ids (`uvc`, `sbi`…) as the operator's language names them.
fn backend_names(i18n: &I18n, ids: &[String]) -> String {
    ids.iter()
        .map(|id| i18n.tr(&format!("sv-backend-{id}")))
        .collect::<Vec<_>>()
        .join(", ")
}
