//! The enrollment wizard end to end, headless, on the simulated camera and scanner behind the
//! device manager: every step through the screen, then the record is read back from the store.

use super::*;
use kattoo::hal::manager::DeviceManager;
use kattoo::hal::sim::{SimSource, default_fixtures_dir};
use kattoo::ui::enroll::Step;
use std::time::Duration;

/// A harness tall enough that the whole demographics form is on screen, with simulated devices.
pub(super) fn harness_with_devices(dir: &Path) -> Harness<'static, App> {
    harness_over(dir, super::stand_in::devices())
}

/// [`harness_with_devices`] over `devices`.
pub(super) fn harness_over(dir: &Path, devices: DeviceManager) -> Harness<'static, App> {
    let mut app = App::new(dir.to_owned(), Config::default(), clock()).with_devices(devices);
    app.set_language(Language::En);
    Harness::builder()
        .with_size([1280.0, 1500.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Steps frames until `done` holds (bounded by a step count, not timed).
pub(super) fn wait_for(h: &mut Harness<'static, App>, what: &str, done: impl Fn(&App) -> bool) {
    for _ in 0..2000 {
        h.step();
        if done(h.state()) {
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let app = h.state();
    let save = app
        .wizard()
        .map(|w| format!("{:?} (refused: {:?})", w.state().save(), w.error()));
    panic!(
        "gave up waiting for {what}: screen {:?}, step {:?}, save {save:?}, busy {}",
        app.screen(),
        app.wizard().map(|w| w.step()),
        app.busy()
    );
}

pub(super) fn step_of(h: &Harness<'static, App>) -> Option<Step> {
    h.state().wizard().map(|w| w.step())
}

/// Language and demographics for Aigül (fixtures/people/aigul.json), with `pin`.
/// From home to the details step of a new enrollment, for a citizen who reads English.
pub(super) fn open_details(h: &mut Harness<'static, App>) {
    click(h, "Start enrollment");
    assert_eq!(step_of(h), Some(Step::Language));
    click(h, "In English");
    click(h, "Next");
    assert_eq!(step_of(h), Some(Step::Demographics));
}

pub(super) fn fill_details(h: &mut Harness<'static, App>, pin: &str) {
    open_details(h);
    type_into(h, "PIN", pin);
    type_into(h, "Surname", "Өмүрбекова");
    type_into(h, "Given name", "Айгүл");
    type_into(h, "Patronymic", "Асанбековна");
    type_into(h, "Document number", "ID1234567");
    click(h, "Region");
    click(h, "Chui Region");
    click(h, "District");
    click(h, "Alamudun District");
    type_into(h, "Settlement", "Лебединовка");
    type_into(h, "Street", "Ленин көчөсү");
    type_into(h, "House", "12А");
    // The PIN is checked with the station as it is typed; Next waits for no call to run.
    settle(h);
    click(h, "Next");
    assert_eq!(
        step_of(h),
        Some(Step::Face),
        "the form was refused: {:?}, busy {}",
        h.state().wizard().and_then(|w| w.error()),
        h.state().busy()
    );
}

/// Face (auto-captured), ten fingers as 4-4-2, a signature drawn with the pointer.
pub(super) fn capture_biometrics(h: &mut Harness<'static, App>) {
    wait_for(h, "the auto-captured photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    h.get_by_label("Photo taken");
    click(h, "Next");
    assert_eq!(step_of(h), Some(Step::Fingers));
    capture_sets(h, &SLAPS);
    click(h, "Next");
    assert_eq!(step_of(h), Some(Step::Signature), "fingers incomplete");
    // The prints are searched among the station's records as soon as they are taken.
    wait_for(h, "the search of the prints", |app| !app.busy());
    sign(h);
    click(h, "Next");
    assert_eq!(step_of(h), Some(Step::Review));
}

/// A registrar's kiosk over a new station in `dir`, the details filled in and the photo taken:
/// the fingers step.
pub(super) fn at_fingers(dir: &Path) -> Harness<'static, App> {
    station_with_registrar(dir);
    let mut h = harness_with_devices(dir);
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    wait_for(&mut h, "the auto-captured photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    click(&mut h, "Next");
    h
}

/// The three slaps' buttons, in the order they are taken.
pub(super) const SLAPS: [&str; 3] = [
    "Capture left hand (4 fingers)",
    "Capture right hand (4 fingers)",
    "Capture both thumbs",
];

/// Taps each of `sets` and waits for its capture to end.
pub(super) fn capture_sets(h: &mut Harness<'static, App>, sets: &[&str]) {
    for set in sets {
        click(h, set);
        wait_for(h, set, |app| {
            app.wizard().is_some_and(|w| !w.fingers.working())
        });
    }
}

/// Draws a stroke across the signature pad with pointer events.
pub(super) fn sign(h: &mut Harness<'static, App>) {
    let pad = h.get_by_label("Signature").rect();
    let from = pad.left_center() + egui::vec2(60.0, 0.0);
    h.drag_at(from);
    h.step();
    for i in 1..=10 {
        h.hover_at(from + egui::vec2(30.0 * i as f32, (i % 3) as f32 * 20.0));
        h.step();
    }
    h.drop_at(from + egui::vec2(330.0, 0.0));
    h.step();
    h.step();
    assert!(
        h.state().wizard().unwrap().state().signature().is_some(),
        "the stroke made a signature"
    );
}

/// Opens the station directly and returns the records it holds, verified.
fn stored(dir: &Path) -> Vec<kattoo::store::StoredRecord> {
    let mut station = Station::open(dir, PASSPHRASE, Config::default()).unwrap();
    let admin = station.login("admin", ADMIN_PASSWORD, clock()()).unwrap();
    let report = station.verify_all().unwrap();
    assert!(report.ok(), "{report:?}");
    station
        .records(&admin, &Default::default(), clock()())
        .unwrap()
}

#[test]
fn a_full_enrollment_is_stored_signed_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    capture_biometrics(&mut h);
    h.get_by_label("Өмүрбекова");
    click(&mut h, "Save record");
    wait_for(&mut h, "the receipt", |app| {
        app.wizard().is_some_and(|w| w.step() == Step::Receipt)
    });
    h.get_by_label("Saved. Hand the receipt to the citizen.");
    let id = match h.state().wizard().unwrap().receipt() {
        Some(saved) => saved.registration_id.clone(),
        _ => panic!("not saved"),
    };
    h.get_by_label(&id);
    assert!(
        h.state().wizard().unwrap().state().face().is_none(),
        "biometrics are wiped once saved"
    );
    // The receipt goes to the USB stick, and never onto the laptop's disk: with no stick, it
    // is refused; with one (a folder mounted under /mnt, as the mount table says), it is there.
    let table = dir.path().join("mounts");
    std::fs::write(&table, "").unwrap();
    h.state_mut().set_mount_table(table.clone());
    click(&mut h, "Save receipt to USB stick");
    settle(&mut h);
    h.get_by_label(
        "No USB stick found. Insert one and tap again; nothing was saved on this laptop.",
    );
    std::fs::create_dir_all("/mnt").unwrap();
    let stick = tempfile::Builder::new()
        .prefix("kattoo-stick-")
        .tempdir_in("/mnt")
        .unwrap();
    std::fs::write(
        &table,
        format!("/dev/sdb1 {} vfat rw,nosuid 0 0\n", stick.path().display()),
    )
    .unwrap();
    click(&mut h, "Save receipt to USB stick");
    settle(&mut h);
    let name = format!("receipt-{id}.pdf");
    h.get_by_label(&format!("Receipt saved on the USB stick as {name}"));
    assert!(
        std::fs::read(stick.path().join(&name))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    assert!(!dir.path().join("receipts").exists());
    click(&mut h, "Done: next citizen");
    assert_eq!(h.state().screen(), ScreenKind::Home);
    h.get_by_label("Saved: 1");
    type_into(
        &mut h,
        "Find a citizen: registration number, PIN or name",
        "айгүл",
    );
    click(&mut h, "Find");
    settle(&mut h);
    h.get_by_label(&id);
    h.get_by_label("**********0123");
    h.get_by_label("waiting for approval");
    drop(h);

    let records = stored(dir.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].registration_id, id);
    let record: serde_json::Value = serde_json::from_slice(&records[0].record_json).unwrap();
    assert_eq!(record["citizen"]["surname"], "Өмүрбекова");
    assert_eq!(record["citizen"]["language"], "en");
    let biometrics = record["biometrics"].as_array().unwrap();
    assert_eq!(biometrics.len(), 12, "ten fingers, face, signature");
    assert!(
        biometrics
            .iter()
            .filter(|b| b["kind"] == "finger")
            .all(|b| b["device"] == "uvc:SIM-FP-1" && b["quality"] == 85 && b["ppi"] == 500)
    );
    // The 35:45 portrait cut from the 1280×720 frame, not the whole frame.
    let face = biometrics.iter().find(|b| b["kind"] == "face").unwrap();
    let (w, h) = (
        face["width"].as_u64().unwrap(),
        face["height"].as_u64().unwrap(),
    );
    assert!(h < 720 && w < 1280, "{w}x{h}");
    assert!(
        (w as f64 / h as f64 - 35.0 / 45.0).abs() < 0.01,
        "{w}x{h} is not 35:45"
    );
    assert_eq!(face["device"], "uvc:SIM-CAM-1");
    let signature = biometrics
        .iter()
        .find(|b| b["kind"] == "signature")
        .unwrap();
    assert_eq!(signature["device"], "screen:signature-pad");
}

#[test]
fn outside_training_the_simulated_camera_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let sim = SimSource::fixtures(default_fixtures_dir(), Duration::from_millis(30)).unwrap();
    let devices = DeviceManager::with_sources(vec![Box::new(sim)], Duration::from_millis(100));
    let mut h = harness_over(dir.path(), devices);
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    // The sim camera's frames pass every check, so the photo is taken by itself, and refused.
    wait_for(&mut h, "the refusal", |app| {
        app.wizard().and_then(|w| w.error()).is_some()
    });
    h.get_by_label(
        "This camera or scanner is simulated (sim:SIM-CAM-1). Outside training mode a record is \
         made only with real devices: attach the camera and the fingerprint scanner, or ask a \
         supervisor to switch on training mode (Review and approve records, then Training mode).",
    );
    let wizard = h.state().wizard().unwrap();
    assert_eq!(wizard.step(), Step::Face);
    assert!(wizard.state().face().is_none(), "nothing was kept");
}

#[test]
fn a_bad_pin_is_refused_as_you_type_and_blocks_next() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    open_details(&mut h);
    type_into(&mut h, "PIN", "1140319900");
    h.get_by_label("The PIN must be exactly 14 digits.");
    click(&mut h, "Next");
    assert_eq!(step_of(&h), Some(Step::Demographics));
    // A PIN whose date does not exist.
    h.get_by_label("PIN").click();
    h.step();
    h.key_press(egui::Key::End);
    for _ in 0..10 {
        h.key_press(egui::Key::Backspace);
    }
    h.step();
    h.get_by_label("PIN").type_text("23102199000123");
    h.step();
    h.step();
    assert!(
        h.query_by_label("The PIN must be exactly 14 digits.")
            .is_none(),
        "the length error is gone"
    );
    let errors = h.state().wizard().unwrap().form.errors(clock()());
    assert!(
        errors
            .iter()
            .any(|e| e.message_id() == "validation-pin-bad-date"),
        "{errors:?}"
    );
    h.get_by_label(&I18n::new(Language::En).tr("validation-pin-bad-date"));
}

#[test]
fn a_missing_finger_needs_a_reason_and_a_photo_of_the_hand() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    wait_for(&mut h, "the photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    click(&mut h, "Next");
    click(&mut h, "Left little");
    click(&mut h, "Amputated");
    h.get_by_label("A missing finger needs a photo of the hand.");
    capture_sets(&mut h, &SLAPS);
    click(&mut h, "Next");
    assert_eq!(
        step_of(&h),
        Some(Step::Fingers),
        "no Next without the photo"
    );
    // The workflow's refusal, in the words `kattoo enroll` prints for the same draft
    // (tests/cli/enroll.rs: the same message id, workflow-error-exception-photo).
    h.get_by_label(crate::util::EXCEPTION_PHOTO_REFUSAL);
    click(&mut h, "Take a photo of the hand");
    wait_for(&mut h, "the hand photo", |app| {
        app.wizard().is_some_and(|w| w.state().fingers_complete())
    });
    click(&mut h, "Next");
    wait_for(&mut h, "the search of the prints", |app| !app.busy());
    sign(&mut h);
    click(&mut h, "Next");
    click(&mut h, "Save record");
    wait_for(&mut h, "the receipt", |app| {
        app.wizard().is_some_and(|w| w.step() == Step::Receipt)
    });
    drop(h);
    let records = stored(dir.path());
    let record: serde_json::Value = serde_json::from_slice(&records[0].record_json).unwrap();
    assert_eq!(
        record["exceptions"],
        serde_json::json!([{"position": 10, "reason": "amputated"}])
    );
    let photo = record["biometrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "exception-photo")
        .expect("an exception photo");
    assert_eq!(photo["position"], 10);
    assert_eq!(
        record["biometrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["kind"] == "finger")
            .count(),
        9
    );
}

#[test]
fn a_duplicate_pin_is_refused_then_saved_with_a_supervisor_override() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    {
        let now = clock()();
        let mut station = Station::open(dir.path(), PASSPHRASE, Config::default()).unwrap();
        let admin = station.login("admin", ADMIN_PASSWORD, now).unwrap();
        station
            .add_operator(&admin, "gulnara", Role::Supervisor, ADMIN_PASSWORD, now)
            .unwrap();
    }
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    for round in 0..2 {
        fill_details(&mut h, "11403199000123");
        capture_biometrics(&mut h);
        let found = h
            .state()
            .wizard()
            .unwrap()
            .state()
            .possible_duplicates()
            .to_vec();
        if round == 0 {
            assert!(found.is_empty(), "{found:?}");
        } else {
            // The same prints again: the first record is named before the save.
            assert_eq!(found, [stored(dir.path())[0].registration_id.clone()]);
            h.get_by_label(
                "These fingerprints match a record already saved: the same person may be \
                 registered. Check it with the citizen; saving will need a supervisor.",
            );
        }
        click(&mut h, "Save record");
        wait_for(&mut h, "the save", |app| !app.busy());
        if round == 0 {
            click(&mut h, "Done: next citizen");
        }
    }
    h.get_by_label("This PIN (**********0123) is already registered. The record is not saved.");
    assert_eq!(step_of(&h), Some(Step::Save));
    // A registrar cannot approve it for themselves.
    type_into(&mut h, "Supervisor login", "aibek");
    type_into(&mut h, "Supervisor password", REGISTRAR_PASSWORD);
    type_into(
        &mut h,
        "Reason for saving a second record",
        "twin with the same PIN",
    );
    click(&mut h, "Save with supervisor approval");
    settle(&mut h);
    assert_eq!(step_of(&h), Some(Step::Save));
    h.get_by_label("Only a supervisor can approve this; ask the supervisor to log in here.");
    h.get_by_label("Supervisor login").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label("Supervisor login").type_text("gulnara");
    type_into(&mut h, "Supervisor password", ADMIN_PASSWORD);
    click(&mut h, "Save with supervisor approval");
    settle(&mut h);
    assert_eq!(step_of(&h), Some(Step::Receipt));
    drop(h);
    let records = stored(dir.path());
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[1].duplicate_of.as_deref(),
        Some(records[0].registration_id.as_str())
    );
}

#[test]
fn idle_logout_wipes_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let t0 = Timestamp::parse("2025-06-02T09:30:00Z").unwrap().unix();
    let offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock: Clock = {
        let offset = offset.clone();
        Arc::new(move || {
            Timestamp::from_unix(t0 + offset.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
        })
    };
    let devices = super::stand_in::devices();
    let mut app = App::new(dir.path().to_owned(), Config::default(), clock).with_devices(devices);
    app.set_language(Language::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 1500.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    wait_for(&mut h, "the photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    h.remove_cursor();
    h.step();
    // 2 minutes 40 seconds without a touch: the countdown shows.
    offset.store(160, std::sync::atomic::Ordering::SeqCst);
    h.step();
    h.step();
    h.get_by_label("No activity: logging out in 20 s. Touch the screen to stay.");
    offset.store(181, std::sync::atomic::Ordering::SeqCst);
    h.step();
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    assert!(h.state().wizard().is_none(), "the draft is gone");
    assert!(h.state().session().is_none());
    // The next person is told why the kiosk is at the login screen, and that nothing was kept.
    h.get_by_label(
        "The last operator was logged out after 3 min without activity, and the unsaved \
         enrollment was wiped for the citizen's privacy. Log in and start it again.",
    );
}

#[test]
fn logging_out_during_an_enrollment_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    // Log out with a draft: the kiosk asks; staying loses nothing.
    click(&mut h, "Log out");
    assert!(h.state().confirming_logout());
    h.get_by_label("Log out now?");
    click(&mut h, "Stay and continue the enrollment");
    assert!(!h.state().confirming_logout());
    assert_eq!(step_of(&h), Some(Step::Face));
    assert_eq!(h.state().session().unwrap().login(), "aibek");
    // Asked again and confirmed: the draft is wiped and the operator logged out.
    click(&mut h, "Log out");
    click(&mut h, "Log out and wipe the enrollment");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    assert!(h.state().wizard().is_none() && h.state().session().is_none());
    // From home, with nothing to lose, Log out does not ask.
    unlock_and_login_again(&mut h);
    click(&mut h, "Log out");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
}

/// Logs aibek in again on the login screen (the station is still unlocked).
fn unlock_and_login_again(h: &mut Harness<'static, App>) {
    type_into(h, "Login", "aibek");
    type_into(h, "Password", REGISTRAR_PASSWORD);
    click(h, "Log in");
    settle(h);
    assert_eq!(h.state().screen(), ScreenKind::Home);
}

#[test]
fn the_kiosk_keyboard_types_into_the_login_form() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut app = App::new(dir.path().to_owned(), Config::default(), clock()).with_keyboard(true);
    app.set_language(Language::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 1100.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    click(&mut h, "Login");
    // The keyboard opens in Kyrgyz; switch to the Latin layout for the login name.
    for _ in 0..2 {
        click(&mut h, "Layout");
    }
    for key in ["a", "i", "b", "e", "k"] {
        click(&mut h, key);
    }
    type_into(&mut h, "Password", REGISTRAR_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().session().map(|s| s.login()), Some("aibek"));
}

#[test]
fn a_refusal_of_the_details_goes_once_they_are_right_and_the_street_is_optional() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    open_details(&mut h);
    click(&mut h, "Next");
    assert!(
        matches!(
            h.state().wizard().unwrap().error(),
            Some(kattoo::workflow::WorkflowError::CitizenInvalid(_))
        ),
        "an empty form is refused"
    );
    // The details of a village without street names, and a date written as Kyrgyz and Russian
    // write it: the refusal goes as the last field is put right, before Next.
    type_into(&mut h, "PIN", "11403199000123");
    type_into(&mut h, "Surname", "Өмүрбекова");
    type_into(&mut h, "Given name", "Айгүл");
    type_into(&mut h, "Document number", "ID1234567");
    click(&mut h, "District");
    click(&mut h, "Alamudun District");
    type_into(&mut h, "Settlement", "Лебединовка");
    assert!(h.state().wizard().unwrap().error().is_some());
    type_into(&mut h, "House", "12А");
    settle(&mut h);
    assert_eq!(h.state().wizard().unwrap().error(), None);
    click(&mut h, "Next");
    assert_eq!(step_of(&h), Some(Step::Face));
}

#[test]
fn a_citizen_who_cannot_sign_is_saved_without_a_signature_and_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = at_fingers(dir.path());
    capture_sets(&mut h, &SLAPS);
    click(&mut h, "Next");
    wait_for(&mut h, "the search of the prints", |app| !app.busy());
    // Next with neither: refused, with the way out named.
    click(&mut h, "Next");
    h.get_by_label("The citizen must sign first, or choose why they cannot sign.");
    // A stroke, then "cannot sign": the stroke goes, the reason stays.
    sign(&mut h);
    click(&mut h, "Cannot sign: injury");
    let state = h.state().wizard().unwrap().state();
    assert!(state.signature().is_none());
    assert_eq!(
        state.no_signature(),
        Some(kattoo::domain::enrollment::SignatureReason::Injury)
    );
    h.get_by_label("No signature (injury)");
    click(&mut h, "Next");
    assert_eq!(step_of(&h), Some(Step::Review));
    h.get_by_label("No signature: injury");
    click(&mut h, "Save record");
    wait_for(&mut h, "the receipt", |app| {
        app.wizard().is_some_and(|w| w.step() == Step::Receipt)
    });
    let records = stored(dir.path());
    assert_eq!(records.len(), 1);
    let record: serde_json::Value = serde_json::from_slice(&records[0].record_json).unwrap();
    assert_eq!(record["schema"], "kattoo/enrollment/v2");
    assert_eq!(record["signature_exception"]["reason"], "injury");
    assert!(
        !record["biometrics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["kind"] == "signature")
    );
}

#[test]
fn a_training_record_s_receipt_says_it_is_not_a_registration() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    {
        let now = clock()();
        let mut station = Station::open(dir.path(), PASSPHRASE, Config::default()).unwrap();
        let admin = station.login("admin", ADMIN_PASSWORD, now).unwrap();
        station.set_training(&admin, true, now).unwrap();
    }
    let mut h = harness_with_devices(dir.path());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    fill_details(&mut h, "11403199000123");
    capture_biometrics(&mut h);
    click(&mut h, "Save record");
    wait_for(&mut h, "the receipt", |app| {
        app.wizard().is_some_and(|w| w.step() == Step::Receipt)
    });
    h.get_by_label("TRAINING: this is not a voter registration.");
}
