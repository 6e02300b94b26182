//! One file per screen. Each screen draws itself and returns a `#[must_use]` intent that
//! [`super::app::App`] applies after drawing; no screen touches the station.

pub mod home;
pub mod identify;
pub mod login;
pub mod new_password;
pub mod setup;
pub mod unlock;

use super::i18n::I18n;
use crate::domain::Timestamp;
use egui::{Button, RichText, TextEdit, Ui, Vec2};

/// Height of every button and text field: a finger, not a mouse pointer.
pub const TOUCH_HEIGHT: f32 = 56.0;
/// Width of the main column of a screen.
pub const COLUMN_WIDTH: f32 = 560.0;

/// Something to tell the operator, translated when drawn (so a language switch applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A message id without arguments.
    Message(&'static str),
    /// The account is locked out until this moment; the minutes left are counted down.
    LockedOut { until: Timestamp },
    /// A failure with no dedicated message: its English detail (never names, PINs or secrets).
    Generic(String),
    /// A message id whose text takes the English detail as `$detail`.
    Detail(&'static str, String),
}

impl Notice {
    /// The text in the current language at `now`.
    pub fn text(&self, i18n: &I18n, now: Timestamp) -> String {
        match self {
            Notice::Message(id) => i18n.tr(id),
            Notice::LockedOut { until } => {
                let secs = (until.unix() - now.unix()).max(0);
                let minutes = (secs + 59) / 60;
                i18n.tr_args("login-error-locked-out", &[("minutes", minutes.into())])
            }
            Notice::Generic(detail) => {
                i18n.tr_args("error-generic", &[("detail", detail.as_str().into())])
            }
            Notice::Detail(id, detail) => i18n.tr_args(id, &[("detail", detail.as_str().into())]),
        }
    }
}

/// Draws a notice as an error line.
pub fn show_notice(ui: &mut Ui, i18n: &I18n, notice: Option<&Notice>, now: Timestamp) {
    if let Some(notice) = notice {
        ui.add_space(8.0);
        ui.label(RichText::new(notice.text(i18n, now)).color(crate::ui::theme::error(ui)));
    }
}

/// A place `size` big, kept whether or not `add` fills it (top-down, from its top left), so
/// what comes and goes inside it moves nothing after it.
pub fn reserved<R>(ui: &mut Ui, size: Vec2, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.allocate_ui_with_layout(size, egui::Layout::top_down(egui::Align::Min), |ui| {
        ui.set_min_size(size);
        add(ui)
    })
    .inner
}

/// A notice in a space kept for it whether or not there is one (`lines` lines of wrapped text),
/// so the buttons under or beside it stay where they are when it appears.
pub fn reserved_notice(
    ui: &mut Ui,
    i18n: &I18n,
    notice: Option<&Notice>,
    now: Timestamp,
    lines: usize,
) {
    let height = 8.0 + 26.0 * lines as f32;
    let width = ui.available_width().min(COLUMN_WIDTH);
    reserved(ui, Vec2::new(width, height), |ui| {
        ui.add_space(8.0);
        if let Some(notice) = notice {
            ui.add(
                egui::Label::new(
                    RichText::new(notice.text(i18n, now)).color(crate::ui::theme::error(ui)),
                )
                .wrap(),
            );
        }
    });
}

/// A screen title.
pub fn title(ui: &mut Ui, text: String) {
    ui.add_space(12.0);
    ui.heading(text);
    ui.add_space(12.0);
}

/// A labelled single-line field, full column width; the label names the field for screen
/// readers and tests.
pub fn field(ui: &mut Ui, label: String, value: &mut String, password: bool) -> egui::Response {
    let label = ui.label(label);
    let response = ui
        .add_sized(
            Vec2::new(ui.available_width().min(COLUMN_WIDTH), TOUCH_HEIGHT),
            TextEdit::singleline(value)
                .password(password)
                .align(egui::Align2::LEFT_CENTER),
        )
        .labelled_by(label.id);
    ui.add_space(8.0);
    response
}

/// A big button; disabled while `enabled` is false.
/// Size of a home tile: wide enough for each tile's words on one line in every language.
pub const TILE: Vec2 = Vec2::new(380.0, 150.0);

/// A tile's words as they are laid out on a tile `width` wide: centred, wrapped when they must.
pub fn tile_text(text: &str, colour: egui::Color32, width: f32) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::simple(
        text.to_owned(),
        egui::FontId::proportional(21.0),
        colour,
        width - 24.0,
    );
    job.halign = egui::Align::Center;
    job
}

/// A large touch tile: a big icon over its words, the accent fill for the screen's primary
/// action. Spoken (and found by tests) by its words alone.
pub fn tile(
    ui: &mut Ui,
    icon: egui_material_icons::MaterialIcon,
    text: &str,
    primary: bool,
    enabled: bool,
) -> egui::Response {
    let sense = if enabled {
        egui::Sense::click()
    } else {
        egui::Sense::hover()
    };
    let (rect, response) = ui.allocate_exact_size(TILE, sense);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, text));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let (fill, fg) = if primary && enabled {
            (crate::ui::theme::ACCENT, egui::Color32::WHITE)
        } else {
            (visuals.bg_fill, visuals.text_color())
        };
        let fg = if enabled {
            fg
        } else {
            ui.visuals().weak_text_color()
        };
        let painter = ui.painter_at(rect);
        painter.rect(
            rect,
            12.0,
            fill,
            visuals.bg_stroke,
            egui::StrokeKind::Inside,
        );
        painter.text(
            rect.center_top() + Vec2::new(0.0, 46.0),
            egui::Align2::CENTER_CENTER,
            icon.codepoint,
            egui::FontId::proportional(52.0),
            fg,
        );
        // Centred lines: a text that needs two still reads as one label.
        let galley = ui.painter().layout_job(tile_text(text, fg, rect.width()));
        let at = egui::pos2(rect.center().x, rect.top() + 84.0);
        painter.galley(at, galley, fg);
    }
    response
}

pub fn big_button(ui: &mut Ui, text: String, enabled: bool) -> egui::Response {
    ui.add_enabled(
        enabled,
        Button::new(RichText::new(text).size(22.0)).min_size(Vec2::new(
            ui.available_width().min(COLUMN_WIDTH),
            TOUCH_HEIGHT,
        )),
    )
}

/// The spinner shown while a slow station call runs.
pub fn working(ui: &mut Ui, i18n: &I18n) {
    ui.horizontal(|ui| {
        ui.add(egui::Spinner::new().size(28.0));
        ui.label(i18n.tr("common-working"));
    });
}
