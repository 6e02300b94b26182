//! The last three steps: review everything on one page with the explicit "Save record", the
//! save (with the duplicate-PIN stop and a supervisor's override), and the receipt.

use super::fingers::finger_message;
use super::{Step, Wizard, WizardIntent, capture_image, capture_key};
use crate::domain::address::region;
use crate::domain::{BiometricFormat, Capture, FingerPosition, Timestamp};
use crate::ui::i18n::{I18n, Language};
use crate::ui::screens::{COLUMN_WIDTH, Notice, TOUCH_HEIGHT, field, show_notice, working};
use crate::workflow::{Event, FingerSlot, SaveState};
use egui::{Button, RichText, TextureHandle, Ui, Vec2};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// The supervisor's override as typed on the duplicate stop.
#[derive(Default)]
pub(super) struct OverrideForm {
    login: String,
    password: Zeroizing<String>,
    reason: String,
}

impl OverrideForm {
    /// After the station's answer: the password is never kept; the rest stays for a retry.
    pub(super) fn after_answer(&mut self, save: &SaveState) {
        self.password = Zeroizing::default();
        if !matches!(save, SaveState::DuplicatePin { .. }) {
            *self = OverrideForm::default();
        }
    }
}

/// A stored record, as the receipt shows it.
pub struct Saved {
    pub registration_id: String,
    pub name: String,
    pub precinct: String,
    pub date: String,
    /// The QR code of the registration id, drawn once.
    pub qr: Option<TextureHandle>,
    /// The outcome of "save as PDF" / "print".
    pub notice: Option<Notice>,
    /// Where the PDF was written.
    pub pdf: Option<PathBuf>,
    /// Made in training mode: the receipt says it is not a registration.
    pub training: bool,
}

/// Textures of the review page, made once per capture.
#[derive(Default)]
pub struct ReviewCache {
    textures: Vec<((usize, u64), TextureHandle)>,
}

impl ReviewCache {
    fn texture(&mut self, ui: &Ui, capture: &Capture) -> Option<TextureHandle> {
        let key = capture_key(capture);
        if let Some((_, t)) = self.textures.iter().find(|(k, _)| *k == key) {
            return Some(t.clone());
        }
        if capture.format != BiometricFormat::Png {
            return None;
        }
        let image = capture_image(capture, (480, 270))?;
        let t = ui.ctx().load_texture(
            format!("review-{}-{}", key.0, key.1),
            image,
            Default::default(),
        );
        self.textures.push((key, t.clone()));
        Some(t)
    }
}

/// The review page; returns the edit an edit link asks for.
pub(super) fn review(
    ui: &mut Ui,
    i18n: &I18n,
    wizard: &mut Wizard,
    now: Timestamp,
) -> Option<Event> {
    let mut go = None;
    let form = &wizard.form;
    let mut section = |ui: &mut Ui, title: &str, step: Step| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(i18n.tr(title)).strong().size(22.0));
            if ui
                .add(Button::new(i18n.tr("review-edit")).min_size(Vec2::new(140.0, 44.0)))
                .on_hover_text(i18n.tr(step.message_id()))
                .clicked()
            {
                go = Some(step);
            }
        });
    };
    section(ui, "enroll-step-demographics", Step::Demographics);
    let language = i18n.language();
    let region_name = form.region.and_then(region).map(|r| match language {
        Language::Ky => r.name_ky,
        Language::Ru => r.name_ru,
        Language::En => r.name_en,
    });
    let district_name = form
        .region
        .and_then(region)
        .zip(form.district)
        .and_then(|(r, d)| r.district(d))
        .map(|d| match language {
            Language::Ky => d.name_ky,
            Language::Ru => d.name_ru,
            Language::En => d.name_en,
        });
    let sex = form
        .sex
        .map(|s| i18n.tr(&format!("enroll-sex-{}", s.code())));
    let rows: Vec<(&str, String)> = vec![
        ("field-surname", form.surname.clone()),
        ("field-given_name", form.given_name.clone()),
        ("field-patronymic", form.patronymic.clone()),
        ("field-pin", form.pin.clone()),
        ("field-sex", sex.unwrap_or_default()),
        ("field-birth_date", form.birth_date.clone()),
        (
            "field-document_type",
            form.document_type
                .map(|t| i18n.tr(&format!("enroll-document-{t}")))
                .unwrap_or_default(),
        ),
        ("field-document_number", form.document_number.clone()),
        ("field-region", region_name.unwrap_or_default().to_owned()),
        (
            "field-district",
            district_name.unwrap_or_default().to_owned(),
        ),
        ("field-settlement", form.settlement.clone()),
        ("field-street", form.street.clone()),
        ("field-house", form.house.clone()),
        ("field-precinct", form.precinct.clone().unwrap_or_default()),
        (
            "field-language",
            wizard
                .state
                .language()
                .map(|l| i18n.tr(&format!("lang-{}", l.code())))
                .unwrap_or_default(),
        ),
    ];
    let errors = form.errors(now);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(520.0);
            // Compact rows: every detail shows at once at 1280×800.
            egui::Grid::new("review-fields")
                .num_columns(2)
                .min_row_height(26.0)
                .spacing([24.0, 4.0])
                .show(ui, |ui| {
                    for (id, value) in rows {
                        ui.label(RichText::new(i18n.tr(id)).weak());
                        ui.label(RichText::new(value).strong());
                        ui.end_row();
                    }
                });
            if !errors.is_empty() {
                ui.label(
                    RichText::new(i18n.tr("review-fix-details")).color(crate::ui::theme::error(ui)),
                );
            }
        });
        ui.vertical(|ui| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    section(ui, "enroll-step-face", Step::Face);
                    if let Some(face) = wizard.state.face().cloned()
                        && let Some(t) = wizard.review.texture(ui, &face)
                    {
                        // As it is kept: a portrait, or a whole frame kept anyway.
                        let size = t.size_vec2();
                        let size = size * (135.0 / size.y).min(240.0 / size.x);
                        ui.add(egui::Image::new((t.id(), size)));
                    }
                });
                ui.vertical(|ui| {
                    section(ui, "enroll-step-signature", Step::Signature);
                    if let Some(sig) = wizard.state.signature().cloned()
                        && let Some(t) = wizard.review.texture(ui, &sig)
                    {
                        ui.add(egui::Image::new((t.id(), Vec2::new(300.0, 100.0))));
                    }
                    if let Some(reason) = wizard.state.no_signature() {
                        super::signature::no_signature_label(ui, i18n, reason);
                    }
                });
            });
            section(ui, "enroll-step-fingers", Step::Fingers);
            // Room between the rows, so each name reads as its own card's.
            egui::Grid::new("review-fingers")
                .num_columns(5)
                .spacing([10.0, 12.0])
                .show(ui, |ui| {
                    for (i, p) in FingerPosition::ALL.into_iter().enumerate() {
                        ui.vertical(|ui| {
                            ui.set_width(108.0);
                            finger_cell(ui, i18n, wizard, p);
                        });
                        if i % 5 == 4 {
                            ui.end_row();
                        }
                    }
                });
        });
    });
    go.map(Event::Edit)
}

/// One finger on the review page: thumbnail and quality, or why it is missing.
fn finger_cell(ui: &mut Ui, i18n: &I18n, wizard: &mut Wizard, p: FingerPosition) {
    // The name in two lines' room, wrapped or not, so the prints of a row line up.
    let size = Vec2::new(ui.available_width(), 36.0);
    crate::ui::screens::reserved(ui, size, |ui| {
        ui.add(egui::Label::new(RichText::new(i18n.tr(finger_message(p))).size(14.0)).wrap());
    });
    match wizard.state.finger(p).clone() {
        FingerSlot::Captured(c) => {
            if let Some(t) = wizard.review.texture(ui, &c) {
                ui.add(egui::Image::new((t.id(), Vec2::new(64.0, 64.0))));
            }
            let q = c.quality.map_or("—".to_owned(), |q| q.to_string());
            let text = i18n.tr_args("review-quality", &[("quality", q.into())]);
            let color = if c.forced {
                crate::ui::theme::warn(ui)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(text).size(14.0).color(color));
        }
        FingerSlot::Missing { reason, .. } => {
            ui.label(i18n.tr(&format!("fingers-reason-{}", reason.name())));
        }
        FingerSlot::Empty => {
            ui.label("—");
        }
    }
}

/// The save step: a spinner, a refusal, or the duplicate stop with the supervisor override.
pub(super) fn save(
    ui: &mut Ui,
    i18n: &I18n,
    wizard: &mut Wizard,
    busy: bool,
    now: Timestamp,
) -> Option<Event> {
    let mut event = None;
    let size = Vec2::new(260.0, TOUCH_HEIGHT);
    match wizard.state.save().clone() {
        SaveState::NotYet | SaveState::Saving { .. } | SaveState::Saved { .. } => working(ui, i18n),
        SaveState::Failed { message_id, detail } => {
            show_notice(ui, i18n, Some(&Notice::Detail(message_id, detail)), now);
            ui.horizontal(|ui| {
                if action(ui, i18n, "common-back", size) {
                    event = Some(Event::Back);
                }
                if action(ui, i18n, "save-retry", size) {
                    event = Some(Event::Save);
                }
            });
        }
        SaveState::DuplicatePin {
            masked_pin,
            existing,
            refused,
        } => {
            ui.horizontal_top(|ui| {
                if masked_pin.is_none() {
                    wizard.comparison_column(ui, i18n, COMPARISON_HEIGHT);
                }
                ui.vertical(|ui| {
                    event = duplicate_stop(
                        ui,
                        i18n,
                        wizard,
                        masked_pin.as_deref(),
                        &existing,
                        refused.as_ref(),
                        busy,
                        now,
                    );
                });
            });
        }
    }
    event
}

/// How tall the people compared on the duplicate stop may be before they scroll.
const COMPARISON_HEIGHT: f32 = 400.0;

/// The duplicate stop: what matched, and the supervisor's override form.
#[allow(clippy::too_many_arguments)]
fn duplicate_stop(
    ui: &mut Ui,
    i18n: &I18n,
    wizard: &mut Wizard,
    masked_pin: Option<&str>,
    existing: &[String],
    refused: Option<&(&'static str, String)>,
    busy: bool,
    now: Timestamp,
) -> Option<Event> {
    let mut event = None;
    let heading = match masked_pin {
        Some(pin) => i18n.tr_args("save-duplicate", &[("pin", pin.into())]),
        None => i18n.tr("save-duplicate-person"),
    };
    ui.label(
        RichText::new(heading)
            .color(crate::ui::theme::error(ui))
            .size(22.0),
    );
    // A fingerprint match names its records in the comparison beside this form.
    if masked_pin.is_some() || !wizard.compared_ids().iter().eq(existing.iter()) {
        for id in existing {
            ui.label(
                RichText::new(i18n.tr_args("save-duplicate-record", &[("id", id.as_str().into())]))
                    .monospace(),
            );
        }
    }
    ui.add_space(8.0);
    ui.label(RichText::new(i18n.tr("save-override-title")).strong());
    let form = &mut wizard.override_form;
    // Login and password side by side, so the form and its buttons fit beside the people.
    let half = (ui.available_width().min(COLUMN_WIDTH) - 12.0) / 2.0;
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            field(ui, i18n.tr("save-override-login"), &mut form.login, false);
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            field(
                ui,
                i18n.tr("save-override-password"),
                &mut form.password,
                true,
            );
        });
    });
    field(ui, i18n.tr("save-override-reason"), &mut form.reason, false);
    // With what it names (`$detail`): a message like "{ $detail } must first set a new password"
    // never shows its placeholder.
    let refusal = refused.map(|(id, detail)| Notice::Detail(id, detail.clone()));
    show_notice(ui, i18n, refusal.as_ref(), now);
    if busy {
        working(ui, i18n);
        return None;
    }
    let ready = !form.login.trim().is_empty()
        && !form.password.is_empty()
        && !form.reason.trim().is_empty();
    // The override first and widest, then the ways back.
    let wide = Vec2::new(ui.available_width().min(COLUMN_WIDTH), TOUCH_HEIGHT);
    let text = RichText::new(i18n.tr("save-override-button")).size(20.0);
    if ui
        .add_enabled(ready, Button::new(text).min_size(wide))
        .clicked()
    {
        event = Some(Event::Override {
            supervisor: form.login.trim().to_owned(),
            password: std::mem::take(&mut form.password),
            reason: form.reason.trim().to_owned(),
        });
    }
    ui.add_space(4.0);
    let size = Vec2::new((wide.x - 8.0) / 2.0, TOUCH_HEIGHT);
    ui.horizontal(|ui| {
        if action(ui, i18n, "common-back", size) {
            event = Some(Event::Back);
        }
        if action(ui, i18n, "save-cancel", size) {
            event = Some(Event::Cancel);
        }
    });
    event
}

/// A touch-sized button with a translated label; true when tapped.
fn action(ui: &mut Ui, i18n: &I18n, id: &str, size: Vec2) -> bool {
    ui.add(Button::new(i18n.tr(id)).min_size(size)).clicked()
}

mod receipt;
pub(super) use receipt::receipt;
