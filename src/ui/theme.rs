//! The kiosk's look: a light theme for bright rooms (field stations are often sunlit) and a dark
//! one, one accent colour for the primary action of a screen, status colours that keep their
//! contrast on either background, and the icon font (Material Symbols, from
//! `egui_material_icons`).
//!
//! Colours are asked of the theme where they are drawn ([`error`], [`ok`], [`warn`]), never
//! written as numbers on a screen, so each reads on the background it is drawn on.

use egui::{Button, Color32, RichText, Stroke, Ui, Vec2, Visuals};
use serde::{Deserialize, Serialize};

pub use egui_material_icons::icons;

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Dark text on a light background: for daylight.
    #[default]
    Light,
    /// Light text on a dark background: for dim rooms.
    Dark,
}

impl Theme {
    /// The other one (the switch in the title bar).
    pub fn other(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }

    /// As the configuration writes it.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The accent: the one primary action of a screen (start, next, save, approve).
pub const ACCENT: Color32 = Color32::from_rgb(0x15, 0x65, 0xc0);
/// Strong status fills under white text (chips, bars), readable on either theme.
pub const FILL_OK: Color32 = Color32::from_rgb(0x2e, 0x7d, 0x32);
pub const FILL_ERROR: Color32 = Color32::from_rgb(0xc6, 0x28, 0x28);
pub const FILL_WARN: Color32 = Color32::from_rgb(0xb2, 0x5e, 0x00);

/// The training-mode banner's fill and text: amber with black text on the light theme, a deep
/// amber with white text on the dark one (a bright amber glares in a dim room).
pub fn training_colours(dark: bool) -> (Color32, Color32) {
    if dark {
        (Color32::from_rgb(0x7a, 0x55, 0x00), Color32::WHITE)
    } else {
        (Color32::from_rgb(0xf0, 0xb0, 0x00), Color32::BLACK)
    }
}

/// The visuals of `theme`: egui's own, with the accent, text and weak text of at least 7:1
/// (light) or 4.5:1 (dark, weak text) contrast, and a slightly tinted page.
pub fn visuals(theme: Theme) -> Visuals {
    let mut v = match theme {
        Theme::Light => Visuals::light(),
        Theme::Dark => Visuals::dark(),
    };
    v.selection.bg_fill = ACCENT;
    v.selection.stroke = Stroke::new(1.5, Color32::WHITE);
    // A disabled button still reads (egui's 0.5 left grey on grey), while plainly fainter.
    v.disabled_alpha = 0.7;
    match theme {
        Theme::Light => {
            // Body text darker than egui's; selected buttons keep their own (white) text.
            v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(0x14);
            v.widgets.inactive.fg_stroke.color = Color32::from_gray(0x14);
            v.weak_text_color = Some(Color32::from_gray(0x50));
            v.panel_fill = Color32::from_rgb(0xf4, 0xf6, 0xf8);
            v.window_fill = Color32::WHITE;
            v.extreme_bg_color = Color32::WHITE;
            v.hyperlink_color = ACCENT;
        }
        Theme::Dark => {
            v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(0xf0);
            v.weak_text_color = Some(Color32::from_gray(0xb8));
            v.hyperlink_color = Color32::from_rgb(0x90, 0xca, 0xf9);
        }
    }
    v
}

/// Installs the icon font (once per context; again is harmless).
pub fn install_fonts(ctx: &egui::Context) {
    egui_material_icons::initialize(ctx);
}

/// The status text colours of a page.
struct Palette {
    error: Color32,
    ok: Color32,
    warn: Color32,
    heading: Color32,
}

fn palette(dark: bool) -> Palette {
    if dark {
        Palette {
            error: Color32::from_rgb(0xff, 0x8a, 0x80),
            ok: Color32::from_rgb(0x81, 0xc7, 0x84),
            warn: Color32::from_rgb(0xff, 0xb7, 0x4d),
            heading: Color32::from_rgb(0x90, 0xca, 0xf9),
        }
    } else {
        Palette {
            error: Color32::from_rgb(0xb7, 0x1c, 0x1c),
            ok: Color32::from_rgb(0x1b, 0x5e, 0x20),
            warn: Color32::from_rgb(0x8a, 0x4b, 0x00),
            heading: ACCENT,
        }
    }
}

/// Text that says something went wrong or was refused.
pub fn error(ui: &Ui) -> Color32 {
    palette(ui.visuals().dark_mode).error
}

/// Text that says something passed or was done.
pub fn ok(ui: &Ui) -> Color32 {
    palette(ui.visuals().dark_mode).ok
}

/// A section's heading on a page.
pub fn heading(ui: &Ui) -> Color32 {
    palette(ui.visuals().dark_mode).heading
}

/// Text that warns (kept below quality, training mode, waiting).
pub fn warn(ui: &Ui) -> Color32 {
    palette(ui.visuals().dark_mode).warn
}

/// A button filled with `fill` under white text while it can be tapped; a disabled one is drawn
/// as any disabled button (grey, its text faded), not as a pale copy of the colour, which read
/// as tappable.
pub fn filled_button(
    ui: &mut Ui,
    text: RichText,
    fill: Color32,
    size: Vec2,
    enabled: bool,
) -> egui::Response {
    let button = if enabled {
        Button::new(text.color(Color32::WHITE)).fill(fill)
    } else {
        Button::new(text)
    };
    ui.add_enabled(enabled, button.min_size(size))
}

/// `text` laid out in at most two lines `width` wide: at `size`, else at `smaller`, else cut
/// with "…" (then the galley says `elided`). For messages in places of a fixed height.
pub fn two_lines(
    ui: &Ui,
    text: &str,
    colour: Color32,
    width: f32,
    [size, smaller]: [f32; 2],
) -> std::sync::Arc<egui::Galley> {
    let layout = |size: f32| {
        let mut job = egui::text::LayoutJob::simple(
            text.to_owned(),
            egui::FontId::proportional(size),
            colour,
            width,
        );
        job.wrap.max_rows = 2;
        job.wrap.overflow_character = Some('…');
        ui.painter().layout_job(job)
    };
    let galley = layout(size);
    if galley.elided {
        layout(smaller)
    } else {
        galley
    }
}

/// The screen's primary action: [`filled_button`] in the accent.
pub fn accent_button(ui: &mut Ui, text: RichText, size: Vec2, enabled: bool) -> egui::Response {
    filled_button(ui, text, ACCENT, size, enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2 contrast ratio of two opaque colours.
    fn contrast(a: Color32, b: Color32) -> f32 {
        let lum = |c: Color32| {
            let ch = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.039_28 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(c.r()) + 0.7152 * ch(c.g()) + 0.0722 * ch(c.b())
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn every_text_colour_reads_on_its_page() {
        for theme in [Theme::Light, Theme::Dark] {
            let v = visuals(theme);
            let page = v.panel_fill;
            let p = palette(v.dark_mode);
            for (name, colour) in [
                ("text", v.text_color()),
                ("weak", v.weak_text_color.unwrap()),
                ("error", p.error),
                ("ok", p.ok),
                ("warn", p.warn),
                ("heading", p.heading),
            ] {
                let c = contrast(colour, page);
                assert!(c >= 4.5, "{theme:?} {name}: contrast {c:.1}");
            }
            // Disabled text: the text faded towards the page as egui fades it, still readable.
            let fade = |c: u8, p: u8| {
                (f32::from(c) * v.disabled_alpha + f32::from(p) * (1.0 - v.disabled_alpha)) as u8
            };
            let t = v.text_color();
            let disabled = Color32::from_rgb(
                fade(t.r(), page.r()),
                fade(t.g(), page.g()),
                fade(t.b(), page.b()),
            );
            let c = contrast(disabled, page);
            assert!(c >= 4.5, "{theme:?} disabled: contrast {c:.1}");
            // A selected button's text on its fill.
            let c = contrast(v.selection.stroke.color, v.selection.bg_fill);
            assert!(c >= 4.5, "{theme:?} selected: contrast {c:.1}");
        }
        for dark in [false, true] {
            let (fill, text) = training_colours(dark);
            let c = contrast(text, fill);
            assert!(c >= 4.5, "training banner (dark: {dark}): {c:.1}");
        }
        for fill in [ACCENT, FILL_OK, FILL_ERROR, FILL_WARN] {
            let c = contrast(Color32::WHITE, fill);
            assert!(c >= 4.5, "white on {fill:?}: {c:.1}");
        }
    }
}
