//! The end of an operator's session: idle logout after the configured quiet time (the login
//! screen then says why), and logout, which asks first when it would wipe an unsaved draft.

use super::{App, HomeState, Screen};
use crate::domain::Timestamp;
use crate::ui::screens::login::LoginScreen;
use crate::ui::screens::{COLUMN_WIDTH, Notice, TOUCH_HEIGHT, title};
use crate::workflow::Step;
use egui::{Button, RichText, Ui, Vec2};

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
            // The next person at the kiosk is told why it is at the login screen.
            let minutes = (limit + 59) / 60;
            let id = if self.draft_in_progress() {
                "login-idle-draft-wiped"
            } else {
                "login-idle-logged-out"
            };
            self.logout(ui.ctx(), Some(Notice::Detail(id, minutes.to_string())));
        }
    }

    /// Seconds to the idle logout, when it is near (the last 30 seconds).
    pub fn idle_seconds_left(&self, now: Timestamp) -> Option<i64> {
        let limit = i64::from(self.config.security.idle_logout_seconds);
        let left = limit - (now.unix() - self.last_activity.unix());
        (self.session.is_some() && limit > 0 && left <= 30).then_some(left.max(0))
    }

    /// Whether an enrollment is under way and not yet saved (logging out would wipe it).
    pub(super) fn draft_in_progress(&self) -> bool {
        match &self.screen {
            Screen::Enroll(w) => w.receipt().is_none() && w.step() != Step::Receipt,
            _ => false,
        }
    }

    /// Whether the kiosk is asking before a logout wipes the enrollment in progress.
    pub fn confirming_logout(&self) -> bool {
        self.confirm_logout
    }

    /// "Log out now?" in place of the screen: stay (nothing lost) or log out and wipe the draft.
    pub(super) fn logout_confirmation(&mut self, ui: &mut Ui) {
        title(ui, self.i18n.tr("logout-confirm-title"));
        ui.add(
            egui::Label::new(
                RichText::new(self.i18n.tr("logout-confirm-body"))
                    .size(20.0)
                    .color(crate::ui::theme::error(ui)),
            )
            .wrap(),
        );
        ui.add_space(16.0);
        let size = Vec2::new(COLUMN_WIDTH, TOUCH_HEIGHT);
        let stay = Button::new(RichText::new(self.i18n.tr("logout-confirm-stay")).size(22.0))
            .min_size(size);
        if ui.add(stay).clicked() {
            self.confirm_logout = false;
        }
        ui.add_space(12.0);
        let leave = Button::new(RichText::new(self.i18n.tr("logout-confirm-leave")).size(22.0))
            .min_size(size);
        if ui.add_enabled(!self.busy(), leave).clicked() {
            self.confirm_logout = false;
            self.logout(ui.ctx(), None);
        }
    }

    /// Logs the operator out: a draft is cancelled (its biometrics wiped) and the logout audited.
    /// `notice` is what the login screen then says (why an idle logout happened).
    pub(super) fn logout(&mut self, ctx: &egui::Context, notice: Option<Notice>) {
        self.confirm_logout = false;
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
            |app, ()| {
                let mut login = LoginScreen::default();
                login.notice = notice;
                app.screen = Screen::Login(login);
            },
        );
    }
}
