//! The on-screen keyboard, driven headless: keys found by label and tapped with the pointer, the
//! fields' text asserted. Two text fields and a password field share the screen with the keyboard,
//! as on a kiosk form.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kattoo::ui::i18n::{I18n, Language};
use kattoo::ui::keyboard::{Layout, OnScreenKeyboard};
use kattoo::ui::screens::field;

struct Form {
    a: String,
    b: String,
    secret: String,
    keyboard: OnScreenKeyboard,
    i18n: I18n,
}

fn harness(language: Language) -> Harness<'static, Form> {
    let form = Form {
        a: String::new(),
        b: String::new(),
        secret: String::new(),
        keyboard: OnScreenKeyboard::default(),
        i18n: I18n::new(language),
    };
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, form: &mut Form| {
                form.keyboard.begin_frame(ui.ctx());
                field(ui, "Field A".into(), &mut form.a, false);
                field(ui, "Field B".into(), &mut form.b, false);
                field(ui, "Secret".into(), &mut form.secret, true);
                form.keyboard.show(ui, &form.i18n);
            },
            form,
        )
}

fn focus(h: &mut Harness<'static, Form>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
    assert!(h.get_by_label(label).is_focused(), "{label} is not focused");
}

/// Taps a key: the frame of the tap queues it, the next one types it into the field.
fn tap(h: &mut Harness<'static, Form>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

#[test]
fn kyrgyz_letters_shift_space_and_backspace_reach_the_focused_field_only() {
    let mut h = harness(Language::En);
    h.state_mut().b = "unchanged".into();
    focus(&mut h, "Field A");
    for key in ["ң", "ө", "ү", "ы", "Backspace", "Space", "Shift"] {
        tap(&mut h, key);
        assert!(
            h.get_by_label("Field A").is_focused(),
            "focus lost after {key}"
        );
    }
    // Shift shows capitals, types one, and lets go.
    assert!(h.state().keyboard.shift());
    assert!(h.query_by_label("а").is_none());
    tap(&mut h, "А");
    assert!(!h.state().keyboard.shift());
    tap(&mut h, "а");
    assert_eq!(h.state().a, "ңөү Аа");
    assert_eq!(h.state().b, "unchanged");
    assert!(h.get_by_label("Field A").is_focused());
}

#[test]
fn keys_type_at_the_cursor_like_a_real_keyboard() {
    let mut h = harness(Language::En);
    h.state_mut().a = "өмүр".into();
    focus(&mut h, "Field A");
    h.key_press(egui::Key::Home);
    h.step();
    tap(&mut h, "ү");
    tap(&mut h, "Backspace");
    tap(&mut h, "Shift");
    tap(&mut h, "Ө");
    assert_eq!(h.state().a, "Өөмүр");
}

#[test]
fn a_password_field_receives_the_characters() {
    let mut h = harness(Language::En);
    focus(&mut h, "Secret");
    for key in ["к", "ө", "к", "1", "-"] {
        tap(&mut h, key);
    }
    assert_eq!(h.state().secret, "көк1-");
    assert!(h.state().a.is_empty() && h.state().b.is_empty());
    assert!(h.get_by_label("Secret").is_focused());
}

#[test]
fn the_layout_key_cycles_kyrgyz_russian_english() {
    let mut h = harness(Language::En);
    assert_eq!(h.state().keyboard.layout(), Layout::Ky);
    h.get_by_label("ң");
    assert!(h.query_by_label("q").is_none());
    tap(&mut h, "Layout");
    assert_eq!(h.state().keyboard.layout(), Layout::Ru);
    h.get_by_label("й");
    assert!(h.query_by_label("ң").is_none());
    tap(&mut h, "Layout");
    assert_eq!(h.state().keyboard.layout(), Layout::En);
    h.get_by_label("q");
    assert!(h.query_by_label("й").is_none());
    tap(&mut h, "Layout");
    assert_eq!(h.state().keyboard.layout(), Layout::Ky);
    h.state_mut().keyboard.set_layout(Layout::En);
    h.step();
    focus(&mut h, "Field B");
    for key in ["Shift", "I", "d", "1"] {
        tap(&mut h, key);
    }
    assert_eq!(h.state().b, "Id1");
}

#[test]
fn with_no_field_focused_taps_do_nothing() {
    let mut h = harness(Language::En);
    for key in ["ң", "Space", "Backspace", "Shift", "Ө", "Layout", "1"] {
        tap(&mut h, key);
    }
    assert_eq!(
        (
            h.state().a.as_str(),
            h.state().b.as_str(),
            h.state().secret.as_str()
        ),
        ("", "", "")
    );
    assert!(!h.get_by_label("Field A").is_focused());
    // Focusing a field afterwards types only what is tapped from then on.
    focus(&mut h, "Field A");
    tap(&mut h, "2");
    assert_eq!(h.state().a, "2");
}

#[test]
fn hide_drops_the_focus_and_a_tapped_field_brings_the_keyboard_back() {
    let mut h = harness(Language::En);
    focus(&mut h, "Field A");
    tap(&mut h, "Hide");
    assert!(!h.state().keyboard.is_visible());
    assert!(h.query_by_label("ң").is_none());
    assert!(!h.get_by_label("Field A").is_focused());
    focus(&mut h, "Field A");
    assert!(h.state().keyboard.is_visible());
    tap(&mut h, "ң");
    assert_eq!(h.state().a, "ң");
}

#[test]
fn special_keys_speak_the_interface_language() {
    let mut h = harness(Language::Ky);
    for label in ["Баш тамга", "Өчүрүү", "Боштук", "Тил", "Жашыруу"] {
        h.get_by_label(label);
    }
    h.state_mut().i18n.set_language(Language::Ru);
    h.step();
    h.get_by_label("Пробел");
    focus(&mut h, "Field A");
    tap(&mut h, "Пробел");
    tap(&mut h, "ү");
    assert_eq!(h.state().a, " ү");
}

#[test]
fn keys_are_touch_sized_and_never_take_the_focus() {
    let mut h = harness(Language::En);
    let key = h.get_by_label("ң").rect();
    assert!(key.height() >= kattoo::ui::screens::TOUCH_HEIGHT, "{key:?}");
    // Tab moves between the fields and never onto a key.
    focus(&mut h, "Field B");
    for _ in 0..4 {
        h.key_press(egui::Key::Tab);
        h.step();
        h.step();
        let focused = h.ctx.memory(|m| m.focused());
        assert!(
            focused.is_none_or(|id| egui::TextEdit::load_state(&h.ctx, id).is_some()),
            "a key took the focus"
        );
    }
}

#[test]
fn symbols_and_enter_reach_the_field() {
    let mut h = harness(Language::En);
    focus(&mut h, "Field A");
    tap(&mut h, "!#1");
    for key in ["@", "_", "-", ".", "!"] {
        tap(&mut h, key);
    }
    tap(&mut h, "ABC");
    tap(&mut h, "ң");
    assert_eq!(h.state().a, "@_-.!ң");
    // Enter is a real Enter: a single-line field gives up the focus, as a form's submit expects.
    tap(&mut h, "Enter");
    assert!(!h.get_by_label("Field A").is_focused());
}

#[test]
fn every_key_lies_inside_the_window_in_every_layout_and_language() {
    for language in [Language::Ky, Language::Ru, Language::En] {
        let mut h = harness(language);
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
        for _ in 0..4 {
            let keys: Vec<egui::Rect> = h
                .query_all_by_role(egui::accesskit::Role::Button)
                .map(|b| b.rect())
                .collect();
            assert!(keys.len() > 40, "{language:?}: {} keys", keys.len());
            for key in keys {
                assert!(window.contains_rect(key), "{language:?}: a key at {key:?}");
            }
            // The symbols layer, then the next layout.
            let i18n = I18n::new(language);
            tap(&mut h, &i18n.tr("keyboard-symbols"));
            let keys = h.query_all_by_role(egui::accesskit::Role::Button).count();
            assert!(keys > 40, "{language:?}: {keys} symbol keys");
            tap(&mut h, &i18n.tr("keyboard-letters"));
            tap(&mut h, &i18n.tr("keyboard-layout"));
        }
    }
}
