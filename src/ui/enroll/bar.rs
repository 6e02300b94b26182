//! The wizard's frame: the bar of the steps with the step's name above each page, and Back with
//! the step's primary action below it.

use super::Step;
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{Button, Color32, RichText, Ui, Vec2};

/// "Step 3 of 8: Face photo", with a bar of the steps.
pub(super) fn progress_header(ui: &mut Ui, i18n: &I18n, step: Step) {
    // One row: the bar of the steps, then the step's name.
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        for s in Step::ALL {
            let color = if s == step {
                crate::ui::theme::ACCENT
            } else if s < step {
                crate::ui::theme::FILL_OK
            } else {
                Color32::from_gray(160)
            };
            let (rect, _) = ui.allocate_exact_size(Vec2::new(36.0, 8.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 4.0, color);
        }
        ui.add_space(16.0);
        ui.label(
            RichText::new(i18n.tr_args(
                "enroll-progress",
                &[
                    ("step", (step.index() + 1).into()),
                    ("total", Step::ALL.len().into()),
                    ("name", i18n.tr(step.message_id()).into()),
                ],
            ))
            .strong()
            .size(24.0),
        );
    });
    ui.add_space(4.0);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nav {
    Back,
    Next,
}

/// Back and the step's primary action at the bottom: Next, or "Save record" on the review,
/// emphasised, with its consequence stated beside it. Both stay enabled: when the step is not
/// complete, the workflow's refusal says what is missing, in the bar's message place beside the
/// buttons (kept whether or not there is a message, so nothing moves when one comes).
pub(super) fn nav_bar(
    ui: &mut Ui,
    i18n: &I18n,
    step: Step,
    busy: bool,
    refusal: Option<String>,
) -> Option<Nav> {
    let mut nav = None;
    ui.separator();
    ui.horizontal(|ui| {
        let size = Vec2::new(200.0, TOUCH_HEIGHT);
        if ui
            .add_enabled(
                !busy,
                Button::new(RichText::new(i18n.tr("common-back")).size(22.0)).min_size(size),
            )
            .clicked()
        {
            nav = Some(Nav::Back);
        }
        let (text, size) = if step == Step::Review {
            (
                i18n.tr("review-save-record"),
                Vec2::new(300.0, TOUCH_HEIGHT),
            )
        } else {
            (i18n.tr("common-next"), size)
        };
        if crate::ui::theme::accent_button(ui, RichText::new(text).size(23.0).strong(), size, !busy)
            .clicked()
        {
            nav = Some(Nav::Next);
        }
        // The message place: the refusal, else (on the review) what saving means.
        let (text, colour) = match refusal {
            Some(text) => (text, crate::ui::theme::error(ui)),
            None if step == Step::Review => (
                i18n.tr("review-save-consequence"),
                ui.visuals().text_color(),
            ),
            None => (String::new(), ui.visuals().text_color()),
        };
        ui.allocate_ui_with_layout(
            Vec2::new(ui.available_width(), TOUCH_HEIGHT),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_size(Vec2::new(ui.available_width(), TOUCH_HEIGHT));
                message(ui, i18n, text, colour);
            },
        );
    });
    nav
}

/// The bar's message in at most two lines: smaller type when 18 px needs more, and a text
/// longer still is cut with "…" and shown whole, over the page, when it is tapped.
fn message(ui: &mut Ui, i18n: &I18n, text: String, colour: Color32) {
    let galley = crate::ui::theme::two_lines(ui, &text, colour, ui.available_width(), [18.0, 15.0]);
    let cut = galley.elided;
    let response = ui.add(egui::Label::new(galley).sense(egui::Sense::click()));
    let id = ui.make_persistent_id("bar-message-whole");
    if cut && response.clicked() {
        ui.data_mut(|d| d.insert_temp(id, true));
    }
    if !ui.data(|d| d.get_temp::<bool>(id).unwrap_or(false)) {
        return;
    }
    let modal = egui::Modal::new(id).show(ui.ctx(), |ui| {
        ui.set_max_width(720.0);
        ui.add(egui::Label::new(RichText::new(&text).size(20.0).color(colour)).wrap());
        ui.add_space(12.0);
        ui.add(
            Button::new(RichText::new(i18n.tr("people-close")).size(20.0))
                .min_size(Vec2::new(200.0, TOUCH_HEIGHT)),
        )
        .clicked()
    });
    if modal.inner || modal.should_close() || !cut {
        ui.data_mut(|d| d.remove::<bool>(id));
    }
}
