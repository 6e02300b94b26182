//! One person, one registration at the kiosk: the same prints under another PIN stop the save
//! with both people side by side, a citizen is found by fingerprint, and an operator logs in by
//! finger. The scanner is the simulated one dressed as attached hardware
//! ([`super::stand_in`]): it serves `fixtures/fingers/1NN_1.png` for finger NN every time, so a
//! second enrollment carries the first one's prints.

use super::enroll::{
    capture_biometrics, fill_details, harness_over, harness_with_devices, step_of, wait_for,
};
use super::*;
use kattoo::ui::enroll::Step;

/// A supervisor beside the registrar of [`station_with_registrar`].
fn station_with_supervisor(dir: &Path) {
    station_with_registrar(dir);
    let now = clock()();
    let mut station = Station::open(dir, PASSPHRASE, Config::default()).unwrap();
    let admin = station.login("admin", ADMIN_PASSWORD, now).unwrap();
    station
        .add_operator(&admin, "gulnara", Role::Supervisor, ADMIN_PASSWORD, now)
        .unwrap();
}

/// Enrolls Aigül through the wizard as the logged-in registrar and saves; returns the saved
/// record's id, the wizard left on its receipt.
fn enroll_and_save(h: &mut Harness<'static, App>) -> String {
    fill_details(h, "11403199000123");
    capture_biometrics(h);
    click(h, "Save record");
    wait_for(h, "the save", |app| !app.busy());
    assert_eq!(step_of(h), Some(Step::Receipt));
    let saved = h.state().wizard().unwrap().receipt().unwrap();
    saved.registration_id.clone()
}

#[test]
fn the_same_prints_under_another_pin_stop_with_both_people_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    let first = enroll_and_save(&mut h);
    click(&mut h, "Done: next citizen");

    // The same citizen's prints under another PIN: named as soon as the prints are taken.
    fill_details(&mut h, "11403199000124");
    capture_biometrics(&mut h);
    let wizard = h.state().wizard().unwrap();
    assert_eq!(wizard.state().possible_duplicates(), [first.clone()]);
    assert_eq!(wizard.compared_ids(), [first.as_str()]);
    // Both people side by side: the citizen now and the saved record, face and fingers.
    click(&mut h, "Compare");
    assert!(h.state().wizard().unwrap().comparing());
    h.get_by_label("The fingerprints match a saved record");
    h.get_by_label("This citizen (now)");
    h.get_by_label("Өмүрбекова Айгүл Асанбековна");
    h.get_by_label(&format!("{first} · **********0123 · waiting for approval"));
    assert_score(&h, "Right index");
    click(&mut h, "Close");
    assert!(!h.state().wizard().unwrap().comparing());

    // The save stops, with the comparison beside the supervisor's override.
    click(&mut h, "Save record");
    wait_for(&mut h, "the save", |app| !app.busy());
    assert_eq!(step_of(&h), Some(Step::Save));
    h.get_by_label(
        "The fingerprints match a record already saved: the same person may be registered twice.",
    );
    h.get_by_label("This citizen (now)");
    h.get_by_label("Save with supervisor approval");
    assert_eq!(h.state().wizard().unwrap().compared_ids(), [first.as_str()]);
}

#[test]
fn a_citizen_is_found_by_fingerprint_with_scores() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    let saved = enroll_and_save(&mut h);
    click(&mut h, "Done: next citizen");

    click(&mut h, "Find by fingerprint");
    assert_eq!(h.state().screen(), ScreenKind::Identify);
    // Nothing to search before a finger is scanned.
    assert!(h.get_by_label("Search").accesskit_node().is_disabled());
    for finger in ["Scan: Right index", "Scan: Left index"] {
        click(&mut h, finger);
        wait_for(&mut h, finger, |app| {
            app.identify_screen().is_some_and(|s| !s.scanning())
        });
    }
    assert_eq!(h.state().identify_screen().unwrap().taken(), 2);
    click(&mut h, "Search");
    settle(&mut h);
    let screen = h.state().identify_screen().unwrap();
    assert_eq!(screen.found_ids(), Some(vec![saved.as_str()]));
    h.get_by_label("One record matches, best first:");
    h.get_by_label("Scanned now");
    h.get_by_label("Өмүрбекова Айгүл Асанбековна");
    assert_score(&h, "Left index");

    click(&mut h, "Back to home");
    assert_eq!(h.state().screen(), ScreenKind::Home);
}

#[test]
fn an_operator_enrolled_by_a_supervisor_logs_in_by_finger() {
    let dir = tempfile::tempdir().unwrap();
    station_with_supervisor(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "gulnara", ADMIN_PASSWORD);
    click(&mut h, "Review and approve records");
    settle(&mut h);
    click(&mut h, "Operators");
    settle(&mut h);
    click(&mut h, "Enrol the login fingers of aibek");
    h.get_by_label("Login fingers of aibek");
    assert!(
        h.get_by_label("Enrol these fingers")
            .accesskit_node()
            .is_disabled()
    );
    for finger in ["Scan: Right index", "Scan: Left index"] {
        click(&mut h, finger);
        scanned(&mut h, finger);
    }
    click(&mut h, "Enrol these fingers");
    settle(&mut h);
    h.get_by_label("Login fingers enrolled for aibek.");
    // The supervisor requires finger and password of aibek.
    click(&mut h, "Require finger and password of aibek");
    settle(&mut h);
    h.get_by_label("aibek now logs in with a finger and the password.");
    click(&mut h, "Log out");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);

    // The password alone is refused now, with what to do.
    type_into(&mut h, "Login", "aibek");
    type_into(&mut h, "Password", REGISTRAR_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    h.get_by_label(
        "aibek must log in with a finger and the password: type the password, then tap \
         “Log in with fingerprint”.",
    );
    // Password and finger: the finger is scanned, and the login goes through.
    type_into(&mut h, "Password", REGISTRAR_PASSWORD);
    click(&mut h, "Log in with fingerprint");
    wait_for(&mut h, "the finger login", |app| {
        app.screen() == ScreenKind::Home && !app.busy()
    });
    assert_eq!(h.state().session().unwrap().login(), "aibek");
}

/// The score shown for `finger` in a comparison clears the one-finger identification threshold
/// (the stand-in scanner gives the very same image again).
fn assert_score(h: &Harness<'static, App>, finger: &str) {
    let prefix = format!("{finger}: ");
    let node = h.get_by_label_contains(&prefix);
    // A label's text is its accesskit value.
    let label = node.accesskit_node().value().unwrap_or_default();
    let score: f32 = label
        .rsplit(": ")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{label:?}: {e}"));
    let threshold = Config::default().matching.identify_threshold_one_finger;
    assert!(score >= threshold, "{label} (threshold {threshold})");
}

/// Steps frames until the scan button `name` is enabled again: the scanner answered.
fn scanned(h: &mut Harness<'static, App>, name: &str) {
    for _ in 0..2000 {
        h.step();
        if !h.get_by_label(name).accesskit_node().is_disabled() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the scanner never answered for {name}");
}

/// Fixtures for a scanner that puts another person's prints on every finger: finger NN serves
/// `fixtures/fingers/1MM_1.png` of the next finger MM.
fn someone_elses_fingers() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = kattoo::hal::sim::default_fixtures_dir();
    std::fs::create_dir_all(dir.path().join("fingers")).unwrap();
    std::fs::create_dir_all(dir.path().join("faces")).unwrap();
    std::fs::copy(
        fixtures.join("faces/astronaut.png"),
        dir.path().join("faces/astronaut.png"),
    )
    .unwrap();
    for n in 1..=10 {
        let other = n % 10 + 1;
        std::fs::copy(
            fixtures.join(format!("fingers/1{other:02}_1.png")),
            dir.path().join(format!("fingers/1{n:02}_1.png")),
        )
        .unwrap();
    }
    dir
}

/// Finds the record by PIN on home and opens its correction: the wizard starts with the details
/// filled in; language and details are confirmed as they are.
fn correct(h: &mut Harness<'static, App>, id: &str) {
    type_into(
        h,
        "Find a citizen: registration number, PIN or name",
        "11403199000123",
    );
    click(h, "Find");
    settle(h);
    click(h, &format!("Correct record {id}"));
    settle(h);
    assert_eq!(step_of(h), Some(Step::Language));
    h.get_by_label(&format!(
        "Correcting record {id}: it is replaced once this one is saved. The fingerprints must \
         be the same citizen's."
    ));
    click(h, "In English");
    click(h, "Next");
    // The filled-in PIN is checked with the station first.
    settle(h);
    click(h, "Next");
    assert_eq!(
        step_of(h),
        Some(Step::Face),
        "the filled-in details were refused"
    );
}

#[test]
fn a_correction_is_verified_one_to_one_against_the_record_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let first = {
        let mut h = harness_with_devices(dir.path());
        unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
        enroll_and_save(&mut h)
    };

    // Someone else's prints on a correction of Aigül's record: refused, nothing replaced.
    let others = someone_elses_fingers();
    {
        let mut h = harness_over(dir.path(), super::stand_in::devices_from(others.path()));
        unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
        correct(&mut h, &first);
        capture_biometrics(&mut h);
        click(&mut h, "Save record");
        wait_for(&mut h, "the save", |app| !app.busy());
        assert_eq!(step_of(&h), Some(Step::Save));
        h.get_by_label(&format!(
            "The fingerprints do not match the record being corrected ({first}). A correction \
             must be the same citizen: capture their fingers again, or enrol a new record."
        ));
    }

    // Her own prints again: the correction is saved and replaces the record.
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    correct(&mut h, &first);
    capture_biometrics(&mut h);
    click(&mut h, "Save record");
    wait_for(&mut h, "the save", |app| !app.busy());
    assert_eq!(step_of(&h), Some(Step::Receipt));
    drop(h);
    let mut station = Station::open(dir.path(), PASSPHRASE, Config::default()).unwrap();
    let admin = station.login("admin", ADMIN_PASSWORD, clock()()).unwrap();
    let records = station
        .records(&admin, &Default::default(), clock()())
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].supersedes.as_deref(), Some(first.as_str()));
}

#[test]
fn a_registered_pin_is_said_on_the_details_step() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    let first = enroll_and_save(&mut h);
    click(&mut h, "Done: next citizen");

    click(&mut h, "Start enrollment");
    click(&mut h, "In English");
    click(&mut h, "Next");
    assert_eq!(step_of(&h), Some(Step::Demographics));
    type_into(&mut h, "PIN", "11403199000123");
    settle(&mut h);
    let warning = format!(
        "This PIN is already registered ({first}). Check the citizen's document: saving will \
         stop for a supervisor."
    );
    h.get_by_label(&warning);
    // Another PIN: the warning goes.
    h.get_by_label("PIN").click();
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label("PIN").type_text("4");
    h.step();
    settle(&mut h);
    assert!(h.query_by_label(&warning).is_none());
    assert!(h.state().wizard().unwrap().form.pin_registered().is_empty());
}
