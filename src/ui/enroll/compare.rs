//! The records a draft's prints matched, shown beside the citizen at the kiosk: the notice on
//! the signature and review steps with a "Compare" button that shows both people side by side,
//! and the same comparison beside the supervisor's override on the duplicate stop.

use super::Wizard;
use crate::ui::i18n::I18n;
use crate::ui::people::{MatchedPerson, Probe, side_by_side};
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{Button, RichText, Ui, Vec2};

/// What the station found for the draft's prints, and whether it is open on screen.
#[derive(Default)]
pub(super) struct Comparison {
    probe: Probe,
    people: Vec<MatchedPerson>,
    open: bool,
}

/// The width of the comparison beside the override form.
pub(super) const COLUMN: f32 = 600.0;

impl Wizard {
    /// The records the draft's prints matched, with their pictures and the draft's own, as the
    /// station loaded them for a search or a refused save.
    pub fn compared(&mut self, probe: Probe, people: Vec<MatchedPerson>) {
        self.compared = Comparison {
            probe,
            people,
            open: false,
        };
    }

    /// The records the comparison shows (registration ids).
    pub fn compared_ids(&self) -> Vec<&str> {
        self.compared
            .people
            .iter()
            .map(|p| p.registration_id.as_str())
            .collect()
    }

    /// Whether both people are open side by side.
    pub fn comparing(&self) -> bool {
        self.compared.open
    }

    /// The records the prints were found in, said before the signature and the save (which will
    /// stop for a supervisor), with the way to look at both people.
    pub(super) fn possible_duplicates(&mut self, ui: &mut Ui, i18n: &I18n) {
        let existing = self.state.possible_duplicates();
        if existing.is_empty() {
            return;
        }
        let ids = existing.join(", ");
        ui.horizontal(|ui| {
            let can_compare = !self.compared.people.is_empty();
            let text_width = ui.available_width() - if can_compare { 260.0 } else { 0.0 };
            ui.vertical(|ui| {
                ui.set_width(text_width.max(200.0));
                ui.add(
                    egui::Label::new(
                        RichText::new(i18n.tr("enroll-possible-duplicate"))
                            .color(crate::ui::theme::error(ui))
                            .size(20.0),
                    )
                    .wrap(),
                );
                ui.label(RichText::new(ids).monospace());
            });
            if can_compare
                && ui
                    .add(
                        Button::new(RichText::new(i18n.tr("people-compare")).size(22.0))
                            .min_size(Vec2::new(240.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
            {
                self.compared.open = true;
            }
        });
    }

    /// Both people side by side in place of the step's page, with one button to close it
    /// where the action bar is. False (nothing drawn) unless the comparison is open.
    pub(super) fn compare_page(&mut self, ui: &mut Ui, i18n: &I18n, height: f32) -> bool {
        let Comparison {
            probe,
            people,
            open,
        } = &mut self.compared;
        if !*open {
            return false;
        }
        ui.label(
            RichText::new(i18n.tr("people-compare-title"))
                .strong()
                .size(22.0),
        );
        egui::ScrollArea::vertical()
            .id_salt("compare-people")
            .max_height(height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for person in people.iter_mut() {
                    side_by_side(ui, i18n, probe, "people-this-citizen", person);
                    ui.separator();
                }
            });
        ui.separator();
        let close = Button::new(RichText::new(i18n.tr("people-close")).size(22.0))
            .min_size(Vec2::new(240.0, TOUCH_HEIGHT));
        if ui.add(close).clicked() {
            *open = false;
        }
        true
    }

    /// On the duplicate stop: the people the prints matched beside the citizen, scrolling in a
    /// column of its own. False when there is nothing loaded to show.
    pub(super) fn comparison_column(&mut self, ui: &mut Ui, i18n: &I18n, height: f32) -> bool {
        let Comparison { probe, people, .. } = &mut self.compared;
        if people.is_empty() {
            return false;
        }
        ui.vertical(|ui| {
            ui.set_width(COLUMN);
            egui::ScrollArea::vertical()
                .id_salt("duplicate-people")
                .max_height(height)
                .show(ui, |ui| {
                    for person in people.iter_mut() {
                        side_by_side(ui, i18n, probe, "people-this-citizen", person);
                        ui.separator();
                    }
                });
        });
        true
    }
}
