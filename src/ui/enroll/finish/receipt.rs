//! The receipt step: what the citizen is handed (registration id, name, precinct, date and the
//! QR code), to the USB stick as a PDF or to the printer.

use super::{Wizard, WizardIntent};
use crate::domain::Timestamp;
use crate::ui::i18n::I18n;
use crate::ui::screens::{TOUCH_HEIGHT, show_notice, working};
use egui::{Button, Color32, RichText, TextureHandle, Ui, Vec2};

/// The receipt: registration id, name, precinct, date and the QR code; PDF and print.
pub(in crate::ui::enroll) fn receipt(
    ui: &mut Ui,
    i18n: &I18n,
    wizard: &mut Wizard,
    busy: bool,
    now: Timestamp,
) -> WizardIntent {
    let Some(saved) = wizard.receipt.as_mut() else {
        return WizardIntent::None;
    };
    let mut intent = WizardIntent::None;
    let date = i18n.date_text(&saved.date);
    ui.label(
        RichText::new(i18n.tr("receipt-saved"))
            .color(crate::ui::theme::ok(ui))
            .size(24.0),
    );
    if saved.training {
        ui.label(
            RichText::new(i18n.tr("receipt-training"))
                .color(crate::ui::theme::warn(ui))
                .strong()
                .size(22.0),
        );
    }
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            egui::Grid::new("receipt")
                .num_columns(2)
                .spacing([24.0, 8.0])
                .show(ui, |ui| {
                    for (id, value) in [
                        ("receipt-registration-id", saved.registration_id.as_str()),
                        ("receipt-name", saved.name.as_str()),
                        ("field-precinct", saved.precinct.as_str()),
                        ("receipt-date", date.as_str()),
                    ] {
                        ui.label(RichText::new(i18n.tr(id)).weak());
                        ui.label(RichText::new(value).strong().size(24.0));
                        ui.end_row();
                    }
                });
        });
        let qr = saved
            .qr
            .get_or_insert_with(|| qr_texture(ui.ctx(), &saved.registration_id));
        ui.add(egui::Image::new((qr.id(), Vec2::splat(220.0))));
    });
    show_notice(ui, i18n, saved.notice.as_ref(), now);
    if let Some(pdf) = &saved.pdf {
        let file = pdf
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        ui.label(i18n.tr_args("receipt-pdf-written", &[("file", file.into())]));
    }
    if busy {
        working(ui, i18n);
        return intent;
    }
    ui.horizontal(|ui| {
        let size = Vec2::new(260.0, TOUCH_HEIGHT);
        if ui
            .add(Button::new(i18n.tr("receipt-save-pdf")).min_size(size))
            .clicked()
        {
            intent = WizardIntent::Receipt { print: false };
        }
        if ui
            .add(Button::new(i18n.tr("receipt-print")).min_size(size))
            .clicked()
        {
            intent = WizardIntent::Receipt { print: true };
        }
        // The primary action once the receipt is handed over.
        if crate::ui::theme::accent_button(
            ui,
            RichText::new(i18n.tr("receipt-done")).strong(),
            size,
            true,
        )
        .clicked()
        {
            intent = WizardIntent::Finish;
        }
    });
    intent
}

/// The registration id as a QR code texture (black modules on white, a quiet zone of 4).
fn qr_texture(ctx: &egui::Context, text: &str) -> TextureHandle {
    let image = match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let width = code.width();
            let colors = code.to_colors();
            let side = width + 8;
            let mut pixels = vec![Color32::WHITE; side * side];
            for y in 0..width {
                for x in 0..width {
                    if colors[y * width + x] == qrcode::Color::Dark {
                        pixels[(y + 4) * side + x + 4] = Color32::BLACK;
                    }
                }
            }
            egui::ColorImage::new([side, side], pixels)
        }
        Err(_) => egui::ColorImage::new([1, 1], vec![Color32::WHITE]),
    };
    ctx.load_texture("receipt-qr", image, egui::TextureOptions::NEAREST)
}
