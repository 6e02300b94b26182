//! A password a supervisor reset must be changed before anything else: right after such a
//! login, the operator chooses a new one here (typed twice), and only then reaches home. Until
//! then the station refuses every other action of the session, so leaving is only logging out.

use super::{Notice, field, reserved_notice, title, working};
use crate::domain::Timestamp;
use crate::ui::i18n::I18n;
use egui::{RichText, Ui};
use zeroize::Zeroizing;

/// What the screen asks for.
#[must_use]
pub enum NewPasswordIntent {
    /// Nothing this frame.
    None,
    /// Set this password as the operator's own.
    Set(Zeroizing<String>),
}

/// The two fields and the last refusal.
#[derive(Default)]
pub struct NewPasswordScreen {
    password: Zeroizing<String>,
    again: Zeroizing<String>,
    /// Why the last try was refused.
    pub notice: Option<Notice>,
}

impl NewPasswordScreen {
    /// Draws the screen for the operator `login`.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        login: &str,
        busy: bool,
        now: Timestamp,
    ) -> NewPasswordIntent {
        title(ui, i18n.tr("new-password-title"));
        ui.add(
            egui::Label::new(
                RichText::new(i18n.tr_args("new-password-why", &[("login", login.into())]))
                    .size(20.0),
            )
            .wrap(),
        );
        ui.add_space(12.0);
        field(ui, i18n.tr("new-password-new"), &mut self.password, true);
        let response = field(ui, i18n.tr("new-password-again"), &mut self.again, true);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        reserved_notice(ui, i18n, self.notice.as_ref(), now, 2);
        let save = crate::ui::theme::accent_button(
            ui,
            egui::RichText::new(i18n.tr("new-password-button")).size(22.0),
            egui::Vec2::new(
                ui.available_width().min(super::COLUMN_WIDTH),
                super::TOUCH_HEIGHT,
            ),
            !busy,
        )
        .clicked();
        if busy {
            working(ui, i18n);
        }
        if !(save || enter) || busy {
            return NewPasswordIntent::None;
        }
        if self.password.as_str() != self.again.as_str() {
            self.notice = Some(Notice::Message("setup-error-password-mismatch"));
            self.again = Zeroizing::default();
            return NewPasswordIntent::None;
        }
        self.notice = None;
        self.again = Zeroizing::default();
        NewPasswordIntent::Set(std::mem::take(&mut self.password))
    }
}
