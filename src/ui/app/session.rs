//! The end of an operator's session: idle logout after the configured quiet time, and logout,
//! both wiping an unsaved draft.

use super::{App, HomeState, Screen};
use crate::domain::Timestamp;
use crate::ui::screens::login::LoginScreen;
use egui::Ui;

impl App {
    /// Idle logout: any input resets the timer; past the limit the operator is logged out and an
    /// unsaved draft is dropped (its biometrics wiped).
    pub(super) fn idle(&mut self, ui: &Ui, now: Timestamp) {
        let active = ui.input(|i| !i.events.is_empty() || i.pointer.any_down());
        if active || self.session.is_none() {
            self.last_activity = now;
            return;
        }
        let limit = i64::from(self.config.security.idle_logout_seconds);
        if limit > 0 && now.unix() - self.last_activity.unix() >= limit && !self.busy() {
            tracing::info!("idle logout");
            self.logout(ui.ctx());
        }
    }

    /// Seconds to the idle logout, when it is near (the last 30 seconds).
    pub fn idle_seconds_left(&self, now: Timestamp) -> Option<i64> {
        let limit = i64::from(self.config.security.idle_logout_seconds);
        let left = limit - (now.unix() - self.last_activity.unix());
        (self.session.is_some() && limit > 0 && left <= 30).then_some(left.max(0))
    }

    /// Logs the operator out: a draft is cancelled (its biometrics wiped) and the logout audited.
    pub(super) fn logout(&mut self, ctx: &egui::Context) {
        // The workflow wipes the draft; dropping the wizard wipes what its screens held.
        if let Screen::Enroll(wizard) = &mut self.screen {
            wizard.cancel((self.clock)());
        }
        if matches!(self.screen, Screen::Enroll(_) | Screen::Supervisor(_)) {
            self.screen = Screen::Home;
        }
        let Some((session, _)) = self.session.take() else {
            return;
        };
        self.home = HomeState::default();
        let now = (self.clock)();
        self.run(
            ctx,
            move |station| {
                if let Err(e) = station.logout(session, now) {
                    tracing::error!("logout could not be audited: {e}");
                }
            },
            |app, ()| app.screen = Screen::Login(LoginScreen::default()),
        );
    }
}
