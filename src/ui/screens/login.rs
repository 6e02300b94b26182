//! Operator login: login name and password, or a finger on the scanner (with the password too
//! when a supervisor requires both); a locked-out account shows the time left.

use super::{Notice, big_button, field, reserved_notice, title, working};
use crate::domain::{Capture, FingerPosition, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::ui::i18n::I18n;
use crate::ui::scan::FingerScan;
use egui::{RichText, Ui};
use zeroize::Zeroizing;

/// What the login screen asks for.
#[must_use]
pub enum LoginIntent {
    /// Nothing this frame.
    None,
    /// Check these credentials.
    Login {
        login: String,
        password: Zeroizing<String>,
    },
    /// Check this finger against the operator's enrolled ones (and the password, if typed).
    Finger {
        login: String,
        finger: Box<Capture>,
        password: Option<Zeroizing<String>>,
    },
}

/// The login screen's state.
#[derive(Default)]
pub struct LoginScreen {
    login: String,
    password: Zeroizing<String>,
    /// The finger being scanned for a finger login.
    scan: Option<FingerScan>,
    /// The last refusal.
    pub notice: Option<Notice>,
    /// Just after setup: the new station's id and key fingerprint, shown until the first login.
    pub created: Option<(String, String)>,
}

impl LoginScreen {
    /// Draws the screen: the login form in the main column and, once a finger login is asked
    /// for, the finger being scanned beside it.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> LoginIntent {
        let mut intent = LoginIntent::None;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(super::COLUMN_WIDTH);
                intent = self.form(ui, i18n, devices, busy, now);
            });
            if !matches!(intent, LoginIntent::None) {
                return;
            }
            ui.add_space(40.0);
            ui.vertical(|ui| intent = self.finger(ui, i18n, devices));
        });
        intent
    }

    fn form(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> LoginIntent {
        title(ui, i18n.tr("login-title"));
        field(ui, i18n.tr("login-login"), &mut self.login, false);
        let response = field(ui, i18n.tr("login-password"), &mut self.password, true);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_space(4.0);
        if busy {
            working(ui, i18n);
            reserved_notice(ui, i18n, None, now, 3);
            return LoginIntent::None;
        }
        let login = self.login.trim().to_owned();
        let ready = !login.is_empty() && !self.password.is_empty();
        let button = big_button(ui, i18n.tr("login-button"), ready);
        crate::ui::keyboard::mark_submit(ui, &button);
        let clicked = button.clicked();
        if (clicked || enter) && ready {
            self.notice = None;
            self.scan = None;
            return LoginIntent::Login {
                login,
                password: std::mem::take(&mut self.password),
            };
        }
        // The refusal, under the button that was tapped, in space kept for it (so the finger
        // button does not move, and the form and its button fit above the on-screen keyboard).
        reserved_notice(ui, i18n, self.notice.as_ref(), now, 3);
        if big_button(ui, i18n.tr("login-finger-button"), !login.is_empty()).clicked() {
            let scan = self
                .scan
                .get_or_insert_with(|| FingerScan::new(FingerPosition::RightIndex));
            scan.start(devices);
            self.notice = None;
        }
        LoginIntent::None
    }

    /// The finger being scanned for a finger login; the login once it is taken.
    fn finger(&mut self, ui: &mut Ui, i18n: &I18n, devices: Option<&DeviceManager>) -> LoginIntent {
        let login = self.login.trim().to_owned();
        let Some(scan) = &mut self.scan else {
            if let Some((station, fingerprint)) = &self.created {
                created_summary(ui, i18n, station, fingerprint);
            }
            return LoginIntent::None;
        };
        ui.add_space(60.0);
        ui.label(RichText::new(i18n.tr("login-finger-help")).size(18.0));
        let taken = scan.poll();
        if scan.show(ui, i18n, "login", !login.is_empty()) {
            scan.start(devices);
        }
        match scan.capture() {
            Some(finger) if taken && !login.is_empty() => {
                let finger = Box::new(finger.clone());
                scan.clear();
                let password =
                    (!self.password.is_empty()).then(|| std::mem::take(&mut self.password));
                LoginIntent::Finger {
                    login,
                    finger,
                    password,
                }
            }
            _ => LoginIntent::None,
        }
    }
}

/// What setup leaves the admin to do: write the station key's fingerprint down (central compares
/// it when it registers the station) and keep the passphrase, which nothing can recover.
fn created_summary(ui: &mut Ui, i18n: &I18n, station: &str, fingerprint: &str) {
    ui.add_space(20.0);
    egui::Frame::group(ui.style())
        .inner_margin(16.0)
        .show(ui, |ui| {
            ui.set_max_width(520.0);
            ui.label(
                RichText::new(i18n.tr_args("setup-done-title", &[("station", station.into())]))
                    .strong()
                    .size(22.0),
            );
            ui.add_space(8.0);
            ui.label(i18n.tr("setup-done-fingerprint"));
            ui.label(RichText::new(fingerprint).monospace().size(22.0).strong());
            ui.add_space(8.0);
            ui.label(i18n.tr("setup-done-passphrase"));
        });
}
