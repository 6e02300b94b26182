//! Operator login: login name and password; a locked-out account shows the time left.

use super::{Notice, big_button, field, show_notice, title, working};
use crate::domain::Timestamp;
use crate::ui::i18n::I18n;
use egui::Ui;
use zeroize::Zeroizing;

/// What the login screen asks for.
#[must_use]
#[derive(Debug)]
pub enum LoginIntent {
    /// Nothing this frame.
    None,
    /// Check these credentials.
    Login {
        login: String,
        password: Zeroizing<String>,
    },
}

/// The login screen's state.
#[derive(Default)]
pub struct LoginScreen {
    login: String,
    password: Zeroizing<String>,
    /// The last refusal.
    pub notice: Option<Notice>,
}

impl LoginScreen {
    /// Draws the screen.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool, now: Timestamp) -> LoginIntent {
        title(ui, i18n.tr("login-title"));
        field(ui, i18n.tr("login-login"), &mut self.login, false);
        let response = field(ui, i18n.tr("login-password"), &mut self.password, true);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        show_notice(ui, i18n, self.notice.as_ref(), now);
        ui.add_space(12.0);
        if busy {
            working(ui, i18n);
            return LoginIntent::None;
        }
        let ready = !self.login.trim().is_empty() && !self.password.is_empty();
        let clicked = big_button(ui, i18n.tr("login-button"), ready).clicked();
        if (clicked || enter) && ready {
            self.notice = None;
            LoginIntent::Login {
                login: self.login.trim().to_owned(),
                password: std::mem::take(&mut self.password),
            }
        } else {
            LoginIntent::None
        }
    }
}
