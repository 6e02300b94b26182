//! Home: who is logged in, today's work, the device strip and the one next task.

use super::{big_button, field, title};
use crate::domain::Role;
use crate::station::{FoundRecord, Session};
use crate::store::RecordStatus;
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
    /// For a supervisor: every record of the station still waiting for a decision.
    pub station_pending: Option<u64>,
}

/// What the home screen asks for.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeIntent {
    /// Nothing this frame.
    None,
    /// Begin a new enrollment.
    StartEnrollment,
    /// Open the supervisor's station.
    Review,
    /// Open the station's administration: operators first.
    Admin,
    /// Find citizens by registration number, PIN or name.
    Find(String),
    /// Find a citizen by fingerprint.
    FindByFinger,
    /// Correct this record: a new one that replaces it, for the same citizen.
    Correct(String),
}

/// The citizen search on the home screen.
#[derive(Default)]
pub struct HomeState {
    query: String,
    /// The last search's results.
    pub results: Option<Vec<FoundRecord>>,
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
pub fn show(
    ui: &mut Ui,
    i18n: &I18n,
    session: &Session,
    today: &TodayCounts,
    state: &mut HomeState,
    busy: bool,
) -> HomeIntent {
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
    // The day's tasks as large tiles; the one that starts the work in the accent colour.
    use crate::ui::theme::icons;
    let mut tiles = vec![
        (
            icons::ICON_PERSON_ADD,
            "home-start-enrollment",
            HomeIntent::StartEnrollment,
            true,
        ),
        (
            icons::ICON_FINGERPRINT,
            "home-find-by-finger",
            HomeIntent::FindByFinger,
            !busy,
        ),
    ];
    if session.role() >= Role::Supervisor {
        tiles.push((
            icons::ICON_FACT_CHECK,
            "home-review",
            HomeIntent::Review,
            true,
        ));
    }
    if session.role() >= Role::Admin {
        tiles.push((
            icons::ICON_MANAGE_ACCOUNTS,
            "home-admin",
            HomeIntent::Admin,
            true,
        ));
    }
    // Two columns: the tasks as tiles on the left; the day's figures and the search on the
    // right; what the search finds below both.
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(2.0 * super::TILE.x + 16.0);
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing = egui::Vec2::splat(16.0);
                for (i, (icon, id, tapped, enabled)) in tiles.into_iter().enumerate() {
                    if super::tile(ui, icon, &i18n.tr(id), i == 0, enabled).clicked() {
                        intent = tapped;
                    }
                }
            });
        });
        ui.add_space(24.0);
        ui.vertical(|ui| {
            if let Some(waiting) = today.station_pending {
                let text = i18n.tr_args("home-station-pending", &[("count", waiting.into())]);
                let color = if waiting > 0 {
                    crate::ui::theme::warn(ui)
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(text).size(20.0).strong().color(color));
            }
            ui.label(RichText::new(i18n.tr("home-today")).strong());
            for (id, count) in [
                ("home-count-saved", today.saved),
                ("home-count-pending", today.pending),
                ("home-count-approved", today.approved),
                ("home-count-rejected", today.rejected),
            ] {
                ui.label(i18n.tr_args(id, &[("count", count.into())]));
            }
            ui.add_space(12.0);
            let response = field(ui, i18n.tr("home-find"), &mut state.query, false);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ready = !busy && !state.query.trim().is_empty();
            if (big_button(ui, i18n.tr("home-find-button"), ready).clicked() || enter) && ready {
                intent = HomeIntent::Find(state.query.trim().to_owned());
            }
        });
    });
    ui.add_space(8.0);
    match &state.results {
        None => {}
        Some(found) if found.is_empty() => {
            ui.label(i18n.tr("home-find-none"));
        }
        Some(found) => {
            egui::Grid::new("found")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for r in found {
                        ui.label(RichText::new(&r.registration_id).monospace());
                        ui.label(&r.name);
                        ui.label(&r.masked_pin);
                        ui.label(i18n.tr(&format!("home-status-{}", r.status.name())));
                        if r.status != RecordStatus::Rejected {
                            let correct = egui::Button::new(i18n.tr("home-correct"))
                                .min_size(egui::Vec2::new(120.0, super::TOUCH_HEIGHT));
                            let name = i18n.tr_args(
                                "home-correct-named",
                                &[("id", r.registration_id.as_str().into())],
                            );
                            if ui
                                .add_enabled(!busy, correct)
                                .accessible_name(name)
                                .clicked()
                            {
                                intent = HomeIntent::Correct(r.registration_id.clone());
                            }
                        }
                        ui.end_row();
                    }
                });
        }
    }
    intent
}
