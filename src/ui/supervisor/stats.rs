//! Statistics: enrollments, rejections, forced captures and average fingerprint quality per day,
//! per operator and per precinct, each group as a bar chart painted with egui (the bar is the
//! enrollments, its red end the rejections) and its figures beside it.

use super::{Load, Message, Task, button, error_message, heading, task};
use crate::station::{Statistics, Tally};
use crate::ui::i18n::I18n;
use egui::{Color32, RichText, Sense, Ui, Vec2};

/// Days shown, the most recent last.
const DAYS: usize = 14;

/// The statistics tab.
pub(super) struct StatsTab {
    data: Load<Statistics>,
}

impl Default for StatsTab {
    fn default() -> Self {
        StatsTab {
            data: Load::NotAsked,
        }
    }
}

impl StatsTab {
    /// Asks for the figures again.
    pub(super) fn refresh(&mut self) {
        self.data = Load::NotAsked;
    }

    pub(super) fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        if let Some(t) = self.data.ask(busy, load) {
            return Some(t);
        }
        if button(ui, i18n.tr("sv-refresh"), None, !busy).clicked() {
            self.data = Load::Loading;
            return Some(load());
        }
        let stats = self.data.show(ui, i18n)?;
        ui.label(
            RichText::new(figures(i18n, &stats.total))
                .strong()
                .size(20.0),
        );
        if stats.training_records > 0 {
            ui.label(
                RichText::new(i18n.tr_args(
                    "sv-stats-training",
                    &[("count", stats.training_records.into())],
                ))
                .weak(),
            );
        }
        if stats.total.enrollments == 0 {
            ui.label(i18n.tr("sv-stats-none"));
            return None;
        }
        let skip = stats.by_day.len().saturating_sub(DAYS);
        for (title, rows) in [
            ("sv-stats-by-day", &stats.by_day[skip..]),
            ("sv-stats-by-operator", &stats.by_operator[..]),
            ("sv-stats-by-precinct", &stats.by_precinct[..]),
        ] {
            heading(ui, i18n.tr(title));
            chart(ui, i18n, rows);
        }
        ui.add_space(8.0);
        legend(ui, i18n);
        None
    }
}

/// "Enrollments 12 · rejected 1 · forced 3 · average quality 71".
fn figures(i18n: &I18n, t: &Tally) -> String {
    let quality = t
        .average_quality()
        .map_or_else(|| "—".to_owned(), |q| q.to_string());
    i18n.tr_args(
        "sv-stats-figures",
        &[
            ("enrollments", t.enrollments.into()),
            ("rejections", t.rejections.into()),
            ("forced", t.forced.into()),
            ("quality", quality.into()),
        ],
    )
}

const BAR: Color32 = crate::ui::theme::ACCENT;
const REJECTED: Color32 = crate::ui::theme::FILL_ERROR;

/// One labelled bar a row: the key, the bar scaled to the largest group, the figures under it.
fn chart(ui: &mut Ui, i18n: &I18n, rows: &[(String, Tally)]) {
    let most = rows
        .iter()
        .map(|(_, t)| t.enrollments)
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    for (key, t) in rows {
        ui.horizontal(|ui| {
            ui.add_sized(
                Vec2::new(130.0, 28.0),
                egui::Label::new(RichText::new(key).strong()),
            );
            let width = (ui.available_width() - 60.0).clamp(80.0, 640.0);
            let (rect, _) = ui.allocate_exact_size(Vec2::new(width, 24.0), Sense::hover());
            let painter = ui.painter();
            painter.rect_filled(rect, 3.0, Color32::from_gray(225));
            let full = rect.width() * t.enrollments as f32 / most;
            let mut bar = rect;
            bar.set_width(full);
            painter.rect_filled(bar, 3.0, BAR);
            if t.rejections > 0 {
                let mut red = bar;
                let share = full * t.rejections as f32 / t.enrollments.max(1) as f32;
                red.min.x = bar.max.x - share;
                painter.rect_filled(red, 3.0, REJECTED);
            }
            ui.label(RichText::new(t.enrollments.to_string()).strong());
        });
        ui.label(RichText::new(figures(i18n, t)).small().weak());
    }
}

fn legend(ui: &mut Ui, i18n: &I18n) {
    ui.horizontal(|ui| {
        for (color, id) in [
            (BAR, "sv-stats-legend-enrollments"),
            (REJECTED, "sv-stats-legend-rejections"),
        ] {
            let (rect, _) = ui.allocate_exact_size(Vec2::new(20.0, 20.0), Sense::hover());
            ui.painter().rect_filled(rect, 3.0, color);
            ui.label(i18n.tr(id));
        }
    });
}

fn load() -> Task {
    task(
        |st, session, now| st.statistics(session, now).map_err(|e| error_message(&e)),
        |screen, result: Result<Statistics, Message>| screen.stats.data = Load::from_result(result),
    )
}
