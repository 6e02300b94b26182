//! The on-screen keyboard: touch-only stations have no physical keyboard, so the kiosk draws one,
//! with the Kyrgyz layout (Ң Ө Ү where the Kyrgyz system layout puts them), Russian and English.
//!
//! Taps do not edit any string directly. They are queued and, at the start of the next frame,
//! given back to the text field that had keyboard focus as ordinary input events
//! ([`egui::Event::Text`], [`egui::Event::Key`]), so the field handles them exactly as real typing:
//! at the cursor, over a selection, masked in a password field, within a character limit. Tapping a
//! key makes egui take the focus away from the field ("clicked elsewhere"), so the keyboard
//! remembers the field and gives the focus back before injecting the keystrokes.
//!
//! Each frame the app calls [`OnScreenKeyboard::begin_frame`] before any screen is drawn and
//! [`OnScreenKeyboard::show`] wherever the keyboard sits (usually a bottom panel).

use super::i18n::I18n;
use super::screens::TOUCH_HEIGHT;
use egui::{Button, Context, Id, RichText, Sense, Ui, Vec2};

/// A keyboard layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Kyrgyz ЙЦУКЕН, as the `kg` XKB layout: Ө and Ң after the digits, Ү after Ъ.
    #[default]
    Ky,
    /// Russian ЙЦУКЕН.
    Ru,
    /// English QWERTY.
    En,
}

impl Layout {
    /// The layout the switch key goes to next: ky → ru → en → ky.
    pub fn next(self) -> Layout {
        match self {
            Layout::Ky => Layout::Ru,
            Layout::Ru => Layout::En,
            Layout::En => Layout::Ky,
        }
    }

    /// The character keys, row by row (lower case), from the digits row down. The bottom row
    /// (layout switch, comma, space, hyphen, hide) is the same in every layout.
    fn rows(self) -> [&'static str; 4] {
        match self {
            // /usr/share/X11/xkb/symbols/kg "basic": ө at AE11, ң at AE12, ү at BKSL.
            Layout::Ky => [
                "ё1234567890өң",
                "йцукенгшщзхъү",
                "фывапролджэ",
                "ячсмитьбю.",
            ],
            Layout::Ru => ["ё1234567890", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю."],
            Layout::En => ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm."],
        }
    }
}

/// The symbol keys, shown instead of the letters (logins, passwords, house numbers, e-mail).
/// Comma and hyphen stay on the bottom row, so they are not repeated here.
const SYMBOLS: [&str; 4] = ["1234567890", "@#№$%&*()_", "+=/\\:;\"'~", "!?.<>[]"];

/// A keystroke waiting to be given to the focused field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Keystroke {
    Text(String),
    Backspace,
    /// Submits the form, as Enter on a real keyboard.
    Enter,
}

/// Widest row, in key widths: 13 character keys (Kyrgyz digits row), or Shift + 10 + Backspace.
const ROW_UNITS: f32 = 13.0;
/// Width of Shift and Backspace, in key widths.
const SIDE_UNITS: f32 = 1.5;
/// The bottom row, in key widths: layout 2, symbols 1.5, comma 1, space 4, hyphen 1, Enter 2,
/// hide 1.5.
const LAYOUT_UNITS: f32 = 2.0;
const SYMBOLS_UNITS: f32 = 1.5;
const SPACE_UNITS: f32 = 4.0;
const ENTER_UNITS: f32 = 2.0;
const HIDE_UNITS: f32 = 1.5;
/// Gap between keys.
const GAP: f32 = 6.0;

/// The on-screen keyboard and the text field it types into.
#[derive(Debug, Clone)]
pub struct OnScreenKeyboard {
    layout: Layout,
    /// One-shot Shift: the next character typed is a capital.
    shift: bool,
    /// The symbol keys are shown instead of the letters.
    symbols: bool,
    visible: bool,
    /// The text field that had focus when the last key was tapped.
    target: Option<Id>,
    /// A key was tapped last frame: give the focus back to `target`.
    refocus: bool,
    pending: Vec<Keystroke>,
}

impl Default for OnScreenKeyboard {
    /// Visible, Kyrgyz layout, typing into nothing until a text field takes the focus.
    fn default() -> Self {
        OnScreenKeyboard {
            layout: Layout::Ky,
            shift: false,
            symbols: false,
            visible: true,
            target: None,
            refocus: false,
            pending: Vec::new(),
        }
    }
}

impl OnScreenKeyboard {
    /// The layout shown.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Shows `layout` (Shift stays as it was).
    pub fn set_layout(&mut self, layout: Layout) {
        self.layout = layout;
    }

    /// Whether Shift is armed for the next character.
    pub fn shift(&self) -> bool {
        self.shift
    }

    /// Whether [`Self::show`] draws the keyboard. The hide key hides it; it shows again as soon
    /// as a text field takes the focus.
    pub fn is_visible(&self) -> bool {
        self.visible
    }

    /// Shows or hides the keyboard.
    pub fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
    }

    /// Call at the start of every frame, before any screen draws: follows the focused text field,
    /// gives it the focus back after a tap, and injects the queued keystrokes as input events.
    pub fn begin_frame(&mut self, ctx: &Context) {
        let pending = std::mem::take(&mut self.pending);
        let refocus = std::mem::take(&mut self.refocus);
        let focused = ctx
            .memory(|m| m.focused())
            .filter(|id| egui::TextEdit::load_state(ctx, *id).is_some());
        // The submit button the last frame drew, if its screen marked one.
        let submit = ctx
            .data_mut(|d| d.remove_temp::<Option<egui::Rect>>(submit_id()))
            .flatten();
        match (focused, self.target) {
            (Some(id), previous) => {
                if previous != Some(id) {
                    // A field has just been tapped (or tabbed to): it wants the keyboard, and
                    // the page brings it, and the button that submits it, into view above the
                    // keyboard. Once: the page still scrolls by hand, and rects one frame old
                    // applied again would overshoot.
                    self.visible = true;
                    if let Some(field) = ctx.read_response(id) {
                        let reveal = match submit {
                            Some(button) => field.rect.union(button),
                            None => field.rect.with_max_y(field.rect.max.y + REVEAL_BELOW),
                        };
                        ctx.data_mut(|d| d.insert_temp(reveal_id(), Some(reveal)));
                    }
                }
                self.target = Some(id);
            }
            // Our own tap took the focus away: give it back, if the field is still on screen.
            (None, Some(id)) if refocus && ctx.read_response(id).is_some() => {
                ctx.memory_mut(|m| m.request_focus(id));
            }
            (None, _) => self.target = None,
        }
        if self.target.is_none() || pending.is_empty() {
            return;
        }
        ctx.input_mut(|input| {
            input.events.extend(pending.into_iter().map(|k| match k {
                Keystroke::Text(text) => egui::Event::Text(text),
                Keystroke::Backspace => key_event(egui::Key::Backspace),
                Keystroke::Enter => key_event(egui::Key::Enter),
            }));
        });
    }

    /// Draws the keyboard across the available width (nothing while hidden) and queues taps.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n) {
        if !self.visible {
            return;
        }
        // A few pixels spare, so rounding never pushes the last key of a row off the edge.
        let unit = ((ui.available_width() - 8.0 - GAP * (ROW_UNITS - 1.0)) / ROW_UNITS).max(24.0);
        // Touch-sized, and low enough to leave a form and its button above the keyboard at 800 px.
        let height = (unit * 0.9).clamp(TOUCH_HEIGHT, 64.0);
        let keys = Keys {
            unit,
            height,
            font: (height * 0.42).clamp(20.0, 32.0),
        };
        let [digits, top, middle, bottom] = if self.symbols {
            SYMBOLS
        } else {
            self.layout.rows()
        };
        ui.scope(|ui| {
            ui.spacing_mut().item_spacing = Vec2::splat(GAP);
            for row in [digits, top, middle] {
                keys.row(ui, row.chars().count() as f32, |ui| {
                    self.character_keys(ui, &keys, row)
                });
            }
            let units = bottom.chars().count() as f32 + 2.0 * SIDE_UNITS;
            keys.row(ui, units, |ui| {
                // Drawn as a key (framed), lit while armed.
                let shift = Button::new(keys.special(i18n, "keyboard-shift")).selected(self.shift);
                if keys.add(ui, SIDE_UNITS, shift) {
                    self.shift = !self.shift;
                    self.tapped(ui);
                }
                self.character_keys(ui, &keys, bottom);
                let backspace = Button::new(keys.special(i18n, "keyboard-backspace"));
                if keys.add(ui, SIDE_UNITS, backspace) {
                    self.pending.push(Keystroke::Backspace);
                    self.tapped(ui);
                }
            });
            keys.row(ui, ROW_UNITS, |ui| {
                let layout = Button::new(keys.special(i18n, "keyboard-layout"));
                if keys.add(ui, LAYOUT_UNITS, layout) {
                    self.layout = self.layout.next();
                    self.symbols = false;
                    self.tapped(ui);
                }
                let id = if self.symbols {
                    "keyboard-letters"
                } else {
                    "keyboard-symbols"
                };
                if keys.add(ui, SYMBOLS_UNITS, Button::new(keys.special(i18n, id))) {
                    self.symbols = !self.symbols;
                    self.tapped(ui);
                }
                self.character_keys(ui, &keys, ",");
                let space = Button::new(keys.special(i18n, "keyboard-space"));
                if keys.add(ui, SPACE_UNITS, space) {
                    self.type_text(ui, " ".to_owned());
                }
                self.character_keys(ui, &keys, "-");
                let enter = Button::new(keys.special(i18n, "keyboard-enter"));
                if keys.add(ui, ENTER_UNITS, enter) {
                    self.pending.push(Keystroke::Enter);
                    self.tapped(ui);
                }
                let hide = Button::new(keys.special(i18n, "keyboard-hide"));
                if keys.add(ui, HIDE_UNITS, hide) {
                    self.hide(ui.ctx());
                }
            });
        });
    }

    /// One key per character of `row`, labelled by the character it types.
    fn character_keys(&mut self, ui: &mut Ui, keys: &Keys, row: &str) {
        for c in row.chars() {
            let text: String = if self.shift {
                c.to_uppercase().collect()
            } else {
                c.to_string()
            };
            let button = Button::new(RichText::new(text.as_str()).size(keys.font));
            if keys.add(ui, 1.0, button) {
                self.type_text(ui, text);
            }
        }
    }

    fn type_text(&mut self, ui: &Ui, text: String) {
        self.pending.push(Keystroke::Text(text));
        self.shift = false;
        self.tapped(ui);
    }

    /// A key was tapped: the focus goes back to the field next frame, and that frame must come.
    fn tapped(&mut self, ui: &Ui) {
        self.refocus = true;
        ui.ctx().request_repaint();
    }

    fn hide(&mut self, ctx: &Context) {
        self.visible = false;
        self.shift = false;
        self.pending.clear();
        self.refocus = false;
        if let Some(id) = self.target.take() {
            // A screen reader's click does not move the pointer, so egui would keep the focus.
            ctx.memory_mut(|m| m.surrender_focus(id));
        }
    }
}

/// Where the field to bring into view is kept between [`OnScreenKeyboard::begin_frame`] and
/// the page's scroll area.
fn reveal_id() -> Id {
    Id::unique("kattoo-keyboard-reveal")
}

fn submit_id() -> Id {
    Id::unique("kattoo-keyboard-submit")
}

/// Marks `button` as the button that submits the form being typed in: while one of its fields
/// has the focus, the page keeps the field and this button in view above the keyboard. Call
/// every frame the button is drawn.
pub fn mark_submit(ui: &Ui, button: &egui::Response) {
    ui.ctx()
        .data_mut(|d| d.insert_temp(submit_id(), Some(button.rect)));
}

/// Room kept under a revealed field when its screen marks no submit button.
const REVEAL_BELOW: f32 = 120.0;

/// Call last inside a page's scroll area (after the text fields, whose own scroll to their
/// cursor would otherwise win): when a text field has just taken the focus with the keyboard
/// showing, scrolls the page, only as far as needed, so the field and the button that submits it
/// stand above the keyboard.
pub fn scroll_to_focused_field(ui: &Ui) {
    if let Some(rect) = ui
        .ctx()
        .data_mut(|d| d.remove_temp::<Option<egui::Rect>>(reveal_id()))
        .flatten()
    {
        // At once: a page that glides under the citizen's finger is harder to follow.
        ui.scroll_to_rect_animation(rect, None, egui::style::ScrollAnimation::none());
    }
}

/// A key press as a real keyboard sends it.
fn key_event(key: egui::Key) -> egui::Event {
    egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    }
}

/// Key sizes for one frame.
struct Keys {
    /// Width of a character key.
    unit: f32,
    height: f32,
    font: f32,
}

impl Keys {
    /// A row `units` key widths wide, centred in the keyboard's width.
    fn row(&self, ui: &mut Ui, units: f32, add_keys: impl FnOnce(&mut Ui)) {
        ui.horizontal(|ui| {
            let margin = (ROW_UNITS - units) * (self.unit + GAP) / 2.0;
            if margin > 0.0 {
                ui.add_space(margin);
            }
            add_keys(ui);
        });
    }

    fn width(&self, units: f32) -> f32 {
        units * self.unit + (units - 1.0) * GAP
    }

    /// The label of a special key (smaller, as it is a word).
    fn special(&self, i18n: &I18n, id: &str) -> RichText {
        RichText::new(i18n.tr(id)).size((self.font * 0.75).max(18.0))
    }

    /// Adds a key `units` wide and tells whether it was tapped. Keys sense clicks but never take
    /// the keyboard focus (`Sense::CLICK` without `FOCUSABLE`), so Tab skips them.
    fn add(&self, ui: &mut Ui, units: f32, button: Button<'_>) -> bool {
        let size = Vec2::new(self.width(units), self.height);
        ui.add_sized(size, button.sense(Sense::CLICK).min_size(size))
            .clicked()
    }
}
