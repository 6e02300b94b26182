//! Station unlock: the supervisor types the station passphrase (the database key is derived from
//! it, which takes a moment, so the app runs it on a worker thread).

use super::{Notice, big_button, field, reserved_notice, title, working};
use crate::domain::Timestamp;
use crate::ui::i18n::I18n;
use egui::Ui;
use zeroize::Zeroizing;

/// What the unlock screen asks for.
#[must_use]
#[derive(Debug)]
pub enum UnlockIntent {
    /// Nothing this frame.
    None,
    /// Try this passphrase.
    Unlock(Zeroizing<String>),
}

/// The unlock screen's state.
#[derive(Default)]
pub struct UnlockScreen {
    passphrase: Zeroizing<String>,
    /// The last refusal.
    pub notice: Option<Notice>,
}

impl UnlockScreen {
    /// Draws the screen.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool, now: Timestamp) -> UnlockIntent {
        title(ui, i18n.tr("unlock-title"));
        let response = field(ui, i18n.tr("unlock-passphrase"), &mut self.passphrase, true);
        let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        reserved_notice(ui, i18n, self.notice.as_ref(), now, 2);
        ui.add_space(4.0);
        if busy {
            working(ui, i18n);
            return UnlockIntent::None;
        }
        let button = big_button(ui, i18n.tr("unlock-button"), !self.passphrase.is_empty());
        crate::ui::keyboard::mark_submit(ui, &button);
        let clicked = button.clicked();
        if (clicked || enter) && !self.passphrase.is_empty() {
            self.notice = None;
            UnlockIntent::Unlock(std::mem::take(&mut self.passphrase))
        } else {
            UnlockIntent::None
        }
    }
}
