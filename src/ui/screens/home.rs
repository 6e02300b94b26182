//! Home: who is logged in, today's work, the device strip and the one next task.

use super::{big_button, title};
use crate::domain::Role;
use crate::station::Session;
use crate::ui::i18n::I18n;
use egui::{RichText, Ui};

/// This operator's records made today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TodayCounts {
    /// Every record saved today.
    pub saved: u64,
    /// Of those, still waiting for a supervisor.
    pub pending: u64,
    /// Approved (or already exported).
    pub approved: u64,
    /// Rejected.
    pub rejected: u64,
}

/// What the home screen asks for.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeIntent {
    /// Nothing this frame.
    None,
    /// Begin a new enrollment.
    StartEnrollment,
    /// Open the supervisor's station.
    Review,
}

/// Translated role name.
pub fn role_name(i18n: &I18n, role: Role) -> String {
    i18n.tr(match role {
        Role::Registrar => "role-registrar",
        Role::Supervisor => "role-supervisor",
        Role::Admin => "role-admin",
    })
}

/// Draws the home screen for `session`.
pub fn show(ui: &mut Ui, i18n: &I18n, session: &Session, today: &TodayCounts) -> HomeIntent {
    title(
        ui,
        i18n.tr_args(
            "home-welcome",
            &[
                ("login", session.login().into()),
                ("role", role_name(i18n, session.role()).into()),
            ],
        ),
    );
    let mut intent = HomeIntent::None;
    if big_button(ui, i18n.tr("home-start-enrollment"), true).clicked() {
        intent = HomeIntent::StartEnrollment;
    }
    ui.add_space(12.0);
    if session.role() >= Role::Supervisor {
        if big_button(ui, i18n.tr("home-review"), true).clicked() {
            intent = HomeIntent::Review;
        }
        ui.add_space(12.0);
    }
    ui.separator();
    ui.label(RichText::new(i18n.tr("home-today")).strong());
    for (id, count) in [
        ("home-count-saved", today.saved),
        ("home-count-pending", today.pending),
        ("home-count-approved", today.approved),
        ("home-count-rejected", today.rejected),
    ] {
        ui.label(i18n.tr_args(id, &[("count", count.into())]));
    }
    intent
}
