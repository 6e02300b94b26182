//! The kiosk at the size it is judged at, 1280×800: the wizard's action bar lies inside the
//! window and stays where it is from step to step and when a refusal appears, in every language.

use super::*;
use egui::Rect;

const SCREEN: Rect = Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1280.0, 800.0));

fn kiosk(dir: &Path) -> Harness<'static, App> {
    let app = App::new(dir.to_owned(), Config::default(), clock())
        .with_devices(super::stand_in::devices());
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Where the wizard's Back and Next are, checked to be fully on screen.
fn bar(h: &Harness<'static, App>, i18n: &I18n) -> (Rect, Rect) {
    let back = h.get_by_label(&i18n.tr("common-back")).rect();
    let next = h.get_by_label(&i18n.tr("common-next")).rect();
    for (name, rect) in [("Back", back), ("Next", next)] {
        assert!(
            SCREEN.contains_rect(rect),
            "{name} at {rect:?} is off the screen"
        );
        assert!(rect.height() >= 48.0, "{name} is {} px tall", rect.height());
    }
    (back, next)
}

/// A registrar's kiosk at 1280×800 in `language`, the wizard just opened.
fn wizard_in(dir: &Path, language: Language) -> (Harness<'static, App>, I18n) {
    station_with_registrar(dir);
    let mut h = kiosk(dir);
    h.state_mut().set_language(Language::En);
    h.step();
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    h.state_mut().set_language(language);
    h.step();
    let i18n = I18n::new(language);
    click(&mut h, &i18n.tr("home-start-enrollment"));
    (h, i18n)
}

#[test]
fn the_wizard_action_bar_stays_in_place_and_on_screen_in_every_language() {
    for language in Language::ALL {
        let dir = tempfile::tempdir().unwrap();
        let (mut h, i18n) = wizard_in(dir.path(), language);
        let first = bar(&h, &i18n);

        // Next without a language: refused, the reason shown, the bar where it was.
        click(&mut h, &i18n.tr("common-next"));
        assert!(
            h.state().wizard().unwrap().error().is_some(),
            "{language:?}"
        );
        assert_eq!(
            bar(&h, &i18n),
            first,
            "{language:?}: the refusal moved the bar"
        );

        // The citizen's language (the same as the kiosk's here), then the details step.
        click(
            &mut h,
            &i18n.tr(&format!("citizen-lang-{}", language.code())),
        );
        click(&mut h, &i18n.tr("common-next"));
        assert_eq!(
            bar(&h, &i18n),
            first,
            "{language:?}: the details step moved the bar"
        );
        // The station's region is preset; the registrar can change it.
        assert_eq!(h.state().wizard().unwrap().form.region, Some("chui"));
        // Next on an empty form: every field's error appears, the bar stays.
        click(&mut h, &i18n.tr("common-next"));
        assert_eq!(
            bar(&h, &i18n),
            first,
            "{language:?}: the errors moved the bar"
        );
    }
}

#[test]
fn region_and_district_lists_are_touch_sized() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = kiosk(dir.path());
    h.state_mut().set_language(Language::En);
    h.step();
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    super::enroll::open_details(&mut h);
    click(&mut h, "Region");
    for region in ["Chui Region", "Batken Region", "Bishkek City"] {
        let row = h.get_by_label(region).rect();
        assert!(row.height() >= 48.0, "{region}: {row:?}");
        assert!(
            SCREEN.contains_rect(row),
            "{region} at {row:?} is off the screen"
        );
    }
    click(&mut h, "Chui Region");
    let district = h.get_by_label("District").rect();
    click(&mut h, "District");
    let row = h.get_by_label("Alamudun District").rect();
    assert!(row.height() >= 48.0, "{row:?}");
    // The list opens below its button, over the page, not up over the title bar.
    assert!(
        row.min.y >= district.max.y && SCREEN.contains_rect(row),
        "{row:?} (the list's button at {district:?})"
    );
}

#[test]
fn the_capture_buttons_stay_in_place_after_a_capture() {
    use super::enroll::{at_fingers, wait_for};
    let dir = tempfile::tempdir().unwrap();
    let mut h = at_fingers(dir.path());
    let sets = [
        "Capture left hand (4 fingers)",
        "Capture right hand (4 fingers)",
        "Capture both thumbs",
    ];
    let before: Vec<Rect> = sets.iter().map(|s| h.get_by_label(s).rect()).collect();
    click(&mut h, sets[0]);
    wait_for(&mut h, "the left hand", |app| {
        app.wizard().is_some_and(|w| !w.fingers.working())
    });
    // The quality bars and the tries appear below; the buttons do not move.
    let left = h
        .get_by_label_contains("Capture left hand (4 fingers) ·")
        .rect();
    let right = h.get_by_label(sets[1]).rect();
    let thumbs = h.get_by_label(sets[2]).rect();
    assert_eq!(vec![left, right, thumbs], before);
}

#[test]
fn a_refused_login_does_not_move_the_buttons() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = kiosk(dir.path());
    h.state_mut().set_language(Language::En);
    h.step();
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    let buttons = |h: &Harness<'static, App>| {
        (
            h.get_by_label("Log in").rect(),
            h.get_by_label("Log in with fingerprint").rect(),
        )
    };
    let before = buttons(&h);
    type_into(&mut h, "Login", "aibek");
    type_into(&mut h, "Password", "not the password");
    click(&mut h, "Log in");
    settle(&mut h);
    h.get_by_label("Unknown login or wrong password — try again.");
    assert_eq!(buttons(&h), before);
    assert!(SCREEN.contains_rect(before.1));
}

/// Taps a text field and lets the page follow: the tap, the keyboard's reaction, the scroll.
fn tap_field(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    for _ in 0..4 {
        h.step();
    }
}

/// Asserts that `what` lies on screen above the keyboard, whose top row starts at `top`.
fn above_keyboard(h: &Harness<'static, App>, what: &str, top: f32) {
    let rect = h.get_by_label(what).rect();
    assert!(
        SCREEN.contains_rect(rect) && rect.max.y <= top,
        "{what} at {rect:?} is hidden (the keyboard starts at y = {top})"
    );
}

#[test]
fn the_kiosk_keyboard_leaves_the_focused_field_and_its_button_in_view() {
    for language in Language::ALL {
        let dir = tempfile::tempdir().unwrap();
        station_with_registrar(dir.path());
        let mut app = App::new(dir.path().to_owned(), Config::default(), clock())
            .with_devices(super::stand_in::devices())
            .with_keyboard(true);
        app.set_language(language);
        let mut h = Harness::builder()
            .with_size([1280.0, 800.0])
            .build_ui_state(|ui, app: &mut App| app.show(ui), app);
        h.step();
        let mut i18n = I18n::default();
        i18n.set_language(language);
        // The keyboard's top row is its digits.
        let top = h.get_by_label("1").rect().min.y;
        assert!(
            top > 300.0 && top < 800.0,
            "{language:?}: keyboard at {top}"
        );

        tap_field(&mut h, &i18n.tr("unlock-passphrase"));
        above_keyboard(&h, &i18n.tr("unlock-passphrase"), top);
        above_keyboard(&h, &i18n.tr("unlock-button"), top);
        h.get_by_label(&i18n.tr("unlock-passphrase"))
            .type_text(PASSPHRASE);
        h.step();
        // Enter on the keyboard submits, as the button does.
        click(&mut h, &i18n.tr("keyboard-enter"));
        settle(&mut h);
        assert_eq!(h.state().screen(), ScreenKind::Login, "{language:?}");

        for field in ["login-login", "login-password"] {
            tap_field(&mut h, &i18n.tr(field));
            above_keyboard(&h, &i18n.tr(field), top);
            above_keyboard(&h, &i18n.tr("login-button"), top);
        }
    }
}

/// At 1280×800, every label and button drawn lies within the window's width (nothing is cut off
/// at the right edge), in every language; `primary` (message ids) lie fully on screen. The
/// harness is driven taller, so the helpers can reach every field; it is put back after.
fn fits_in_every_language(h: &mut Harness<'static, App>, what: &str, primary: &[&str]) {
    let driven = h.ctx.content_rect().size();
    h.set_size(SCREEN.size());
    for language in Language::ALL {
        h.state_mut().set_language(language);
        h.step();
        h.step();
        let mut i18n = I18n::default();
        i18n.set_language(language);
        for role in [egui::accesskit::Role::Label, egui::accesskit::Role::Button] {
            for node in h.query_all_by_role(role) {
                let rect = node.rect();
                assert!(
                    rect.width() <= 0.0 || rect.max.x <= SCREEN.max.x + 0.5,
                    "{what}, {language:?}: {:?} at {rect:?} is cut off at the right edge",
                    node.value()
                );
            }
        }
        for id in primary {
            let rect = h.get_by_label(&i18n.tr(id)).rect();
            assert!(
                SCREEN.contains_rect(rect),
                "{what}, {language:?}: {id} at {rect:?} is off the screen"
            );
        }
    }
    h.state_mut().set_language(Language::En);
    h.set_size(driven);
    h.step();
    h.step();
}

#[test]
fn every_screen_of_the_day_fits_the_window_in_every_language() {
    use super::enroll::{SLAPS, capture_sets, fill_details, harness_over, wait_for};
    use kattoo::ui::enroll::Step;
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_over(dir.path(), super::stand_in::devices());
    unlock_and_login(&mut h, "admin", ADMIN_PASSWORD);
    fits_in_every_language(&mut h, "home", &["home-start-enrollment", "home-admin"]);

    // The details step with every field's error shown.
    click(&mut h, "Start enrollment");
    fits_in_every_language(&mut h, "language", &["common-back", "common-next"]);
    click(&mut h, "In English");
    click(&mut h, "Next");
    click(&mut h, "Next");
    fits_in_every_language(&mut h, "details refused", &["common-back", "common-next"]);
    click(&mut h, "Log out");
    fits_in_every_language(
        &mut h,
        "logout asked",
        &["logout-confirm-stay", "logout-confirm-leave"],
    );
    click(&mut h, "Log out and wipe the enrollment");
    settle(&mut h);
    type_into(&mut h, "Login", "admin");
    type_into(&mut h, "Password", ADMIN_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);

    fill_details(&mut h, "11403199000123");
    wait_for(&mut h, "the auto-captured photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    fits_in_every_language(&mut h, "face", &["common-back", "common-next"]);
    click(&mut h, "Next");
    capture_sets(&mut h, &SLAPS[..1]);
    fits_in_every_language(&mut h, "fingers", &["common-back", "common-next"]);
    capture_sets(&mut h, &SLAPS[1..]);
    click(&mut h, "Next");
    wait_for(&mut h, "the search of the prints", |app| !app.busy());
    fits_in_every_language(&mut h, "signature", &["common-back", "common-next"]);
    super::enroll::sign(&mut h);
    click(&mut h, "Next");
    fits_in_every_language(&mut h, "review", &["common-back", "review-save-record"]);
    click(&mut h, "Save record");
    wait_for(&mut h, "the receipt", |app| {
        app.wizard().is_some_and(|w| w.step() == Step::Receipt)
    });
    fits_in_every_language(&mut h, "receipt", &["receipt-done"]);
    click(&mut h, "Done: next citizen");

    click(&mut h, "Review and approve records");
    settle(&mut h);
    for (tab, primary) in [
        ("Approvals", &[][..]),
        // Nothing is approved yet: the export button offers the audit log alone. Every write
        // to the stick is on screen beside it.
        (
            "Export to USB",
            &[
                "sv-export-audit-button",
                "sv-export-certificate",
                "sv-key-read",
                "sv-export-look-again",
            ][..],
        ),
        ("Operators", &["sv-operators-add"][..]),
        ("Devices", &[][..]),
        ("Audit log", &[][..]),
        ("Statistics", &[][..]),
        ("Training mode", &[][..]),
    ] {
        click(&mut h, tab);
        settle(&mut h);
        fits_in_every_language(&mut h, tab, primary);
    }
}

/// Where every part of the details form is, by its name (text fields and lists by their label,
/// pickers by their buttons' words).
fn details_form(h: &Harness<'static, App>, i18n: &I18n) -> Vec<(String, Rect)> {
    let mut names: Vec<String> = [
        "pin",
        "surname",
        "given_name",
        "patronymic",
        "birth_date",
        "document_number",
        "region",
        "district",
        "settlement",
        "street",
        "house",
    ]
    .iter()
    .map(|f| i18n.tr(&format!("field-{f}")))
    .collect();
    names.extend(
        [
            "enroll-sex-female",
            "enroll-sex-male",
            "enroll-document-id-card",
            "enroll-document-passport",
        ]
        .iter()
        .map(|id| i18n.tr(id)),
    );
    names.push("1101".into());
    names
        .into_iter()
        .map(|name| {
            let rect = h.get_by_label(&name).rect();
            (name, rect)
        })
        .collect()
}

#[test]
fn the_details_step_shows_every_field_without_scrolling_and_errors_move_none() {
    for language in Language::ALL {
        let dir = tempfile::tempdir().unwrap();
        let (mut h, i18n) = wizard_in(dir.path(), language);
        click(
            &mut h,
            &i18n.tr(&format!("citizen-lang-{}", language.code())),
        );
        click(&mut h, &i18n.tr("common-next"));
        let top = bar(&h, &i18n).0.min.y;
        let before = details_form(&h, &i18n);
        for (name, rect) in &before {
            assert!(
                SCREEN.contains_rect(*rect) && rect.max.y <= top,
                "{language:?}: {name} at {rect:?} is not on the page above the bar (y < {top})"
            );
            assert!(rect.height() >= 48.0, "{language:?}: {name} is {rect:?}");
        }
        // Next on an empty form: every field is marked, and its message goes to the bar.
        click(&mut h, &i18n.tr("common-next"));
        assert_eq!(
            details_form(&h, &i18n),
            before,
            "{language:?}: the errors moved a field"
        );
        // (the PIN says its own under it)
        let required = format!(": {}", i18n.tr("validation-required"));
        let message = h.get_by_label_contains(&required).rect();
        assert!(
            SCREEN.contains_rect(message) && message.min.y >= top - 8.0,
            "{language:?}: the message at {message:?} is not in the action bar"
        );
        // Typing into a field makes its own message the one shown.
        type_into(&mut h, &i18n.tr("field-surname"), "Ivanov");
        let shown = format!(
            "{}: {}",
            i18n.tr("field-surname"),
            i18n.tr("validation-not-cyrillic")
        );
        // The other fields still marked are counted after it.
        h.get_by_label_contains(&shown);
        let mut marked: Vec<_> = h
            .state()
            .wizard()
            .unwrap()
            .form
            .errors(clock()())
            .into_iter()
            .map(|e| e.field)
            .collect();
        marked.dedup();
        let more = marked.len() - 1;
        assert!(more > 3, "{marked:?}");
        h.get_by_label_contains(&i18n.tr_args("enroll-more-errors", &[("count", more.into())]));
    }
}

#[test]
fn the_fingers_step_shows_a_slaps_bars_under_its_buttons_and_fingers_are_touch_sized() {
    use super::enroll::{SLAPS, at_fingers, capture_sets};
    use kattoo::domain::FingerPosition;
    use kattoo::ui::enroll::fingers::finger_message;
    let dir = tempfile::tempdir().unwrap();
    let mut h = at_fingers(dir.path());
    h.set_size(SCREEN.size());
    h.step();
    h.step();
    let i18n = I18n::new(Language::En);
    // Every finger of the drawing is a target of 48 px at least, on screen.
    for p in FingerPosition::ALL {
        let name = i18n.tr(finger_message(p));
        let finger = h
            .get_by_role_and_label(egui::accesskit::Role::Button, &name)
            .rect();
        assert!(
            finger.width() >= 48.0 && finger.height() >= 48.0 && SCREEN.contains_rect(finger),
            "{name}: {finger:?}"
        );
    }
    capture_sets(&mut h, &SLAPS[..1]);
    let top = bar(&h, &i18n).0.min.y;
    for p in [
        FingerPosition::LeftIndex,
        FingerPosition::LeftMiddle,
        FingerPosition::LeftRing,
        FingerPosition::LeftLittle,
    ] {
        let name = i18n.tr(finger_message(p));
        let bar_label = h
            .get_by_role_and_label(egui::accesskit::Role::Label, &name)
            .rect();
        assert!(
            SCREEN.contains_rect(bar_label) && bar_label.max.y <= top,
            "{name}'s bar at {bar_label:?} is below the page (bar at y = {top})"
        );
    }
}

#[test]
fn every_home_tile_says_its_words_on_one_line_in_every_language() {
    use kattoo::ui::screens::{TILE, tile_text};
    let ctx = egui::Context::default();
    // Fonts are there from the first frame on (its texture upload is not drawn anywhere).
    ctx.run_ui(egui::RawInput::default(), |_| {})
        .textures_delta
        .clear();
    for language in Language::ALL {
        let mut i18n = I18n::default();
        i18n.set_language(language);
        for id in [
            "home-start-enrollment",
            "home-find-by-finger",
            "home-review",
            "home-admin",
        ] {
            let text = i18n.tr(id);
            let (rows, width) = ctx.fonts_mut(|f| {
                let wrapped = f.layout_job(tile_text(&text, egui::Color32::BLACK, TILE.x));
                let one_line = f.layout_job(tile_text(&text, egui::Color32::BLACK, f32::INFINITY));
                (wrapped.rows.len(), one_line.size().x)
            });
            assert_eq!(
                rows, 1,
                "{language:?}: {text:?} takes {rows} lines ({width:.0} px on one)"
            );
        }
    }
}

#[test]
fn the_setup_wizard_fits_the_window_and_a_refusal_moves_nothing_in_every_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = kiosk(&dir.path().join("data"));
    h.state_mut().set_language(Language::En);
    h.step();
    // The first step at its tallest: the laptop replaces another, so its number is asked too.
    click(
        &mut h,
        "This laptop replaces a stolen or lost one (same station code)",
    );
    h.get_by_label("First record number (from central)");
    fits_in_every_language(&mut h, "setup, first step", &["common-next"]);
    for language in Language::ALL {
        h.state_mut().set_language(language);
        h.step();
        let i18n = I18n::new(language);
        let next = h.get_by_label(&i18n.tr("common-next")).rect();
        assert!(next.height() >= 48.0, "{language:?}: Next is {next:?}");
        // Nothing typed: refused, in words, and the button stays where it was.
        h.get_by_label(&i18n.tr("common-next")).click();
        h.step();
        h.step();
        h.get_by_label(&i18n.tr("setup-error-station-id"));
        assert_eq!(
            h.get_by_label(&i18n.tr("common-next")).rect(),
            next,
            "{language:?}"
        );
        // The longest refusal of the step keeps within the place kept for it.
        type_into(&mut h, &i18n.tr("setup-station-id"), "KG1101");
        type_into(&mut h, &i18n.tr("setup-station-name"), "School 5");
        h.get_by_label(&i18n.tr("common-next")).click();
        h.step();
        h.step();
        let refusal = h
            .get_by_label(&i18n.tr("setup-error-first-sequence"))
            .rect();
        assert!(SCREEN.contains_rect(refusal), "{language:?}: {refusal:?}");
        // Three lines of 26 px (and 8 px above them) are kept beside the buttons, from their top.
        assert!(
            refusal.max.y <= next.min.y + 8.0 + 3.0 * 26.0 + 0.5,
            "{language:?}: {refusal:?} overflows the place kept beside {next:?}"
        );
        assert_eq!(
            h.get_by_label(&i18n.tr("common-next")).rect(),
            next,
            "{language:?}"
        );
        // Back to a blank first step for the next language.
        for label in ["setup-station-id", "setup-station-name"] {
            h.get_by_label(&i18n.tr(label)).click();
            h.step();
            for _ in 0..12 {
                h.key_press(egui::Key::Backspace);
            }
            h.step();
        }
    }
}
