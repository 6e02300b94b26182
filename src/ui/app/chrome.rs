//! The frame around every screen: the title bar with the language switch and logout, the device
//! strip, the training and idle-logout banners, and the touch-sized style.

use super::*;

impl App {
    pub(super) fn top_bar(&self, ui: &mut Ui, now: Timestamp) -> BarIntent {
        let mut intent = BarIntent::None;
        ui.horizontal(|ui| {
            ui.label(RichText::new(self.i18n.tr("app-title")).strong().size(22.0));
            if let Some(station) = &self.station {
                let info = station.info();
                ui.label(self.i18n.tr_args(
                    "common-station",
                    &[
                        ("id", info.station_id.as_str().into()),
                        ("name", info.name.as_str().into()),
                    ],
                ));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let logout = Vec2::new(140.0, TOUCH_HEIGHT);
                if self.session.is_none() {
                    // Logout's place stays empty, so a second tap on it after logging out does
                    // not land on a language button.
                    ui.allocate_exact_size(logout, egui::Sense::hover());
                } else if ui
                    .add_enabled(
                        !self.busy(),
                        Button::new(RichText::new(self.i18n.tr("common-logout")).size(20.0))
                            .min_size(logout),
                    )
                    .clicked()
                {
                    intent = BarIntent::Logout;
                }
                // The other theme, by its icon (sun: light, moon: dark).
                let (icon, name) = match self.theme {
                    crate::ui::theme::Theme::Dark => {
                        (crate::ui::theme::icons::ICON_LIGHT_MODE, "theme-light")
                    }
                    crate::ui::theme::Theme::Light => {
                        (crate::ui::theme::icons::ICON_DARK_MODE, "theme-dark")
                    }
                };
                if ui
                    .add(
                        Button::new(RichText::new(icon.codepoint).size(26.0))
                            .min_size(Vec2::splat(TOUCH_HEIGHT)),
                    )
                    .on_hover_text(self.i18n.tr(name))
                    .accessible_name(self.i18n.tr(name))
                    .clicked()
                {
                    intent = BarIntent::Theme;
                }
                for language in Language::ALL.iter().rev() {
                    let selected = self.i18n.language() == *language;
                    let id = format!("lang-{}", language.code());
                    let button =
                        Button::selectable(selected, RichText::new(self.i18n.tr(&id)).size(18.0))
                            .min_size(Vec2::new(110.0, TOUCH_HEIGHT));
                    if ui.add(button).clicked() {
                        intent = BarIntent::Language(*language);
                    }
                }
            });
        });
        // In a scope of its own: the strip's compact spacing must not reach the screen below.
        ui.scope(|ui| self.device_strip(ui, now));
        intent
    }

    /// Camera and scanner: ready / busy / missing, and whether a simulated device stands in (red
    /// outside training mode, where its captures are refused). The rest of the row is the
    /// notice place: the idle-logout warning, else the training-mode banner. Both take the
    /// same fixed place, so neither moves the screen below when it comes or goes.
    fn device_strip(&self, ui: &mut Ui, now: Timestamp) {
        // Status, not controls: a compact row, each chip wide enough for its longest state.
        ui.spacing_mut().interact_size.y = 30.0;
        ui.horizontal(|ui| {
            ui.label(RichText::new(self.i18n.tr("home-devices")).weak());
            let manager = match &self.devices {
                Devices::Up(m) => Some(m),
                Devices::Failed(detail) => {
                    ui.label(
                        RichText::new(
                            self.i18n
                                .tr_args("devices-failed", &[("detail", detail.as_str().into())]),
                        )
                        .color(crate::ui::theme::error(ui)),
                    );
                    return;
                }
                _ => None,
            };
            for kind in [DeviceKind::Camera, DeviceKind::FingerprintScanner] {
                // The device a capture would go to, as the manager chooses it.
                let (state, simulated) = manager
                    .and_then(|m| m.in_use(kind))
                    .map_or((DeviceState::Missing, false), |s| {
                        (s.state, s.info.backend == crate::hal::Backend::Sim)
                    });
                let kind_id = match kind {
                    DeviceKind::Camera => "devices-camera",
                    DeviceKind::FingerprintScanner => "devices-scanner",
                };
                let state_id = match state {
                    DeviceState::Ready => "devices-ready",
                    DeviceState::Busy => "devices-busy",
                    DeviceState::Missing => "devices-missing",
                };
                let mut text = format!("{}: {}", self.i18n.tr(kind_id), self.i18n.tr(state_id));
                let attached = state != DeviceState::Missing;
                // Outside training a simulated device's captures are refused: say so in red.
                let usable = attached && (!simulated || self.training());
                if simulated && attached {
                    let note = if self.training() {
                        "devices-simulated"
                    } else {
                        "devices-simulated-training-only"
                    };
                    text = format!("{text} ({})", self.i18n.tr(note));
                }
                crate::ui::enroll::chip_at_least(ui, Some(usable), text, 300.0);
            }
            self.notice(ui, now);
        });
    }

    /// The idle-logout warning or the training banner, in the rest of the device strip's row.
    fn notice(&self, ui: &mut Ui, now: Timestamp) {
        let dark = ui.visuals().dark_mode;
        // The place is kept when empty too: the row is as tall with a notice as without.
        let size = Vec2::new(ui.available_width(), NOTICE_HEIGHT);
        let (fill, fg, text) = if let Some(left) = self.idle_seconds_left(now) {
            (
                crate::ui::theme::FILL_ERROR,
                Color32::WHITE,
                self.i18n
                    .tr_args("idle-warning", &[("seconds", left.into())]),
            )
        } else if self.training() {
            let (fill, fg) = crate::ui::theme::training_colours(dark);
            (fill, fg, self.i18n.tr("home-training-banner"))
        } else {
            ui.allocate_exact_size(size, egui::Sense::hover());
            return;
        };
        let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
        ui.painter().rect_filled(rect, 8.0, fill);
        // Smaller type when a long text would not fit in two lines (a narrow row).
        let galley = crate::ui::theme::two_lines(ui, &text, fg, rect.width() - 20.0, [17.0, 14.0]);
        let at = egui::pos2(rect.left() + 10.0, rect.center().y - galley.size().y / 2.0);
        ui.painter().galley(at, galley, fg);
        // Read as a label by screen readers and tests.
        ui.interact(rect, ui.scope_id().with("notice"), egui::Sense::hover())
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &text));
    }
}

/// The notice place's height: two lines of 17 px text, as tall as a device chip.
const NOTICE_HEIGHT: f32 = 48.0;

/// Large text and touch-sized controls (the theme's colours are the context's, set when the
/// theme changes).
pub(super) fn style(ui: &mut Ui) {
    let style = ui.style_mut();
    for (text_style, size) in [
        (egui::TextStyle::Heading, 32.0),
        (egui::TextStyle::Body, 20.0),
        (egui::TextStyle::Button, 20.0),
        (egui::TextStyle::Monospace, 18.0),
        (egui::TextStyle::Small, 16.0),
    ] {
        if let Some(font) = style.text_styles.get_mut(&text_style) {
            font.size = size;
        }
    }
    // Scroll bars that are always drawn when a page is longer than the window, so a registrar
    // sees there is more below (egui's floating ones show only while scrolling).
    style.spacing.scroll = egui::style::ScrollStyle::solid();
    style.spacing.scroll.bar_width = 12.0;
    style.spacing.button_padding = Vec2::new(16.0, 10.0);
    style.spacing.item_spacing = Vec2::new(12.0, 8.0);
    style.spacing.interact_size.y = TOUCH_HEIGHT;
}
