//! The kiosk GUI, driven headless through egui_kittest: widgets found by label, state asserted.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kattoo::config::Config;
use kattoo::domain::address::Precinct;
use kattoo::domain::{Role, StationId, Timestamp};
use kattoo::station::{Station, StationSetup};
use kattoo::ui::app::ScreenKind;
use kattoo::ui::i18n::{self, I18n, Language};
use kattoo::ui::{App, Clock};
use std::path::Path;
use std::sync::Arc;

const PASSPHRASE: &str = "көк асман тоо суу";
const ADMIN_PASSWORD: &str = "admin-password-1";
const REGISTRAR_PASSWORD: &str = "registrar-pass-1";

mod enroll;
mod layout;
mod people;
mod snapshots;
mod supervisor;

/// The simulated camera and scanner dressed as a USB camera and scanner the station drives
/// itself: their fixture images, each stamped [`Provenance::attached`]. The kiosk's own sim
/// backend stamps them simulated, which a station outside training mode refuses; these stand in
/// for real hardware so the wizard can be driven to a real record headless.
mod stand_in {
    use kattoo::hal::manager::{DeviceManager, DeviceSource, Found, Opened};
    use kattoo::hal::sim::{SimSource, default_fixtures_dir};
    use kattoo::hal::{
        Backend, Camera, CaptureRequest, DeviceInfo, FingerImage, FingerprintScanner, Frame,
        Provenance, Result,
    };
    use std::time::Duration;

    struct Source(SimSource);

    fn attached(mut info: DeviceInfo) -> DeviceInfo {
        info.backend = Backend::Uvc;
        info
    }

    impl DeviceSource for Source {
        fn backend(&self) -> Backend {
            Backend::Uvc
        }

        fn present(&mut self) -> Vec<Found> {
            self.0
                .present()
                .into_iter()
                .map(|f| Found {
                    info: attached(f.info),
                    ..f
                })
                .collect()
        }

        fn open(&mut self, found: &Found) -> Result<Opened> {
            let info = found.info.clone();
            Ok(match self.0.open(found)? {
                Opened::Camera(inner) => Opened::Camera(Box::new(Cam { inner, info })),
                Opened::Scanner(inner) => Opened::Scanner(Box::new(Scan { inner, info })),
            })
        }
    }

    struct Cam {
        inner: Box<dyn Camera>,
        info: DeviceInfo,
    }

    impl Camera for Cam {
        fn info(&self) -> &DeviceInfo {
            &self.info
        }
        fn frame(&mut self) -> Result<Frame> {
            let source = Provenance::attached(self.info.device_id());
            self.inner.frame().map(|f| f.from_source(source))
        }
    }

    struct Scan {
        inner: Box<dyn FingerprintScanner>,
        info: DeviceInfo,
    }

    impl FingerprintScanner for Scan {
        fn info(&self) -> &DeviceInfo {
            &self.info
        }
        fn capture(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>> {
            let source = Provenance::attached(self.info.device_id());
            let images = self.inner.capture(request)?;
            Ok(images
                .into_iter()
                .map(|i| FingerImage {
                    source: source.clone(),
                    ..i
                })
                .collect())
        }
    }

    /// A manager over the stand-ins.
    pub fn devices() -> DeviceManager {
        devices_from(default_fixtures_dir())
    }

    /// A manager over stand-ins serving `dir/fingers/1NN_1.png` and `dir/faces/astronaut.png`.
    pub fn devices_from(dir: &std::path::Path) -> DeviceManager {
        let sim = SimSource::fixtures(dir, Duration::from_millis(30)).unwrap();
        DeviceManager::with_sources(vec![Box::new(Source(sim))], Duration::from_millis(100))
    }
}

fn clock() -> Clock {
    let t = Timestamp::parse("2025-06-02T09:30:00Z").expect("timestamp");
    Arc::new(move || t)
}

fn harness(dir: &Path, language: Language) -> Harness<'static, App> {
    let mut app = App::new(dir.to_owned(), Config::default(), clock());
    app.set_language(language);
    Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Steps frames until the slow station call finishes (bounded, not timed).
fn settle(h: &mut Harness<'static, App>) {
    for _ in 0..3000 {
        h.step();
        if !h.state().busy() {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the station call never finished");
}

fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

/// Unlocks the station and logs in as `login`: home is shown.
fn unlock_and_login(h: &mut Harness<'static, App>, login: &str, password: &str) {
    type_into(h, "Station passphrase", PASSPHRASE);
    click(h, "Unlock");
    settle(h);
    type_into(h, "Login", login);
    type_into(h, "Password", password);
    click(h, "Log in");
    settle(h);
    assert_eq!(h.state().screen(), ScreenKind::Home);
}

/// A station made directly (not through the GUI), with one registrar.
fn station_with_registrar(dir: &Path) {
    let setup = StationSetup {
        station_id: StationId::parse("KG1101").unwrap(),
        name: "Школа №5".into(),
        region: "chui".into(),
        precincts: vec![Precinct::parse("1101").unwrap()],
        admin_login: "admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        first_sequence: 1,
    };
    let now = clock()();
    let mut station = Station::init(dir, PASSPHRASE, &setup, Config::default(), now).unwrap();
    let admin = station.login("admin", ADMIN_PASSWORD, now).unwrap();
    station
        .add_operator(&admin, "aibek", Role::Registrar, REGISTRAR_PASSWORD, now)
        .unwrap();
}

#[test]
fn every_locale_has_the_same_keys() {
    let en = i18n::message_ids(i18n::source(Language::En));
    assert!(
        en.len() > 100,
        "the English file lists {} messages",
        en.len()
    );
    let i18n = I18n::default();
    for language in Language::ALL {
        let keys = i18n::message_ids(i18n::source(language));
        let missing: Vec<_> = en.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&en).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: missing {missing:?}, not in en {extra:?}",
            language.code()
        );
        for key in &keys {
            assert!(
                i18n.has(language, key),
                "{}: {key} does not parse as a message",
                language.code()
            );
        }
    }
}

#[test]
fn kyrgyz_and_russian_are_translated() {
    let mut i18n = I18n::new(Language::Ky);
    assert_eq!(i18n.tr("login-button"), "Кирүү");
    assert_eq!(
        i18n.tr_args("home-count-saved", &[("count", 3.into())]),
        "Сакталды: 3"
    );
    i18n.set_language(Language::Ru);
    assert_eq!(i18n.tr("login-button"), "Войти");
    i18n.set_language(Language::En);
    assert_eq!(i18n.tr("login-button"), "Log in");
}

#[test]
fn first_run_setup_then_unlock_then_login_reaches_home() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut h = harness(&data, Language::En);
    assert_eq!(h.state().screen(), ScreenKind::Setup);

    // Typed in lower case: upper-cased, not refused.
    type_into(&mut h, "Station code", "kg2001");
    type_into(
        &mut h,
        "Station name (printed on receipts)",
        "Mobile team 1",
    );
    click(&mut h, "Next");
    // Next without a region is refused, in words.
    click(&mut h, "Next");
    h.get_by_label("Choose a region.");
    click(&mut h, "Naryn Region");
    click(&mut h, "Next");
    type_into(
        &mut h,
        "Precinct numbers (4 digits, separated by spaces or commas)",
        "2001, 2002",
    );
    click(&mut h, "Next");
    type_into(&mut h, "Passphrase", PASSPHRASE);
    type_into(&mut h, "Passphrase again", &format!("{PASSPHRASE}x"));
    click(&mut h, "Next");
    h.get_by_label("The two passphrases differ — type them again.");
    assert_eq!(h.state().screen(), ScreenKind::Setup);
    h.get_by_label("Passphrase again").click();
    h.step();
    h.key_press(egui::Key::End);
    h.key_press(egui::Key::Backspace);
    h.step();
    click(&mut h, "Next");
    h.get_by_label("Admin login");
    type_into(&mut h, "Admin password", ADMIN_PASSWORD);
    type_into(&mut h, "Admin password again", ADMIN_PASSWORD);
    click(&mut h, "Create station");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    assert!(data.join(kattoo::station::DB_FILE).exists());
    // Setup ends with what to write down and what cannot be recovered.
    h.get_by_label("Station KG2001 is ready");
    h.get_by_label_contains("cannot be recovered");
    let shown: Vec<String> = h
        .query_all_by_role(egui::accesskit::Role::Label)
        .filter_map(|n| n.value())
        .collect();

    // A fresh start finds the station and asks for the passphrase.
    drop(h);
    let station = kattoo::station::Station::open(&data, PASSPHRASE, Config::default()).unwrap();
    let fingerprint = station.info().public_key.fingerprint();
    drop(station);
    assert!(
        shown.contains(&fingerprint),
        "{fingerprint} not in {shown:?}"
    );
    let mut h = harness(&data, Language::En);
    assert_eq!(h.state().screen(), ScreenKind::Unlock);
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    type_into(&mut h, "Login", "admin");
    type_into(&mut h, "Password", ADMIN_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Home);
    assert_eq!(h.state().session().map(|s| s.login()), Some("admin"));
    h.get_by_label("Operator: admin (administrator)");
    h.get_by_label("Saved: 0");
    h.get_by_label("Review and approve records");

    click(&mut h, "Log out");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    assert!(h.state().session().is_none());
}

#[test]
fn a_laptop_that_replaces_a_stolen_one_is_set_up_numbering_from_centrals_number() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut h = harness(&data, Language::En);
    type_into(&mut h, "Station code", "KG1101");
    type_into(&mut h, "Station name (printed on receipts)", "School 5");
    // The number is asked only once the laptop is said to replace one.
    assert!(
        h.query_by_label("First record number (from central)")
            .is_none()
    );
    click(
        &mut h,
        "This laptop replaces a stolen or lost one (same station code)",
    );
    let refused = "Type the number central gave for the first record (1 to 999,999).";
    click(&mut h, "Next");
    h.get_by_label(refused);
    type_into(&mut h, "First record number (from central)", "0");
    click(&mut h, "Next");
    h.get_by_label(refused);
    h.get_by_label("First record number (from central)").click();
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    h.get_by_label("First record number (from central)")
        .type_text("42");
    click(&mut h, "Next");
    click(&mut h, "Chui Region");
    click(&mut h, "Next");
    type_into(
        &mut h,
        "Precinct numbers (4 digits, separated by spaces or commas)",
        "1101",
    );
    click(&mut h, "Next");
    type_into(&mut h, "Passphrase", PASSPHRASE);
    type_into(&mut h, "Passphrase again", PASSPHRASE);
    click(&mut h, "Next");
    type_into(&mut h, "Admin password", ADMIN_PASSWORD);
    type_into(&mut h, "Admin password again", ADMIN_PASSWORD);
    click(&mut h, "Create station");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    drop(h);

    let mut station = Station::open(&data, PASSPHRASE, Config::default()).unwrap();
    let now = kattoo::domain::Timestamp::now();
    let session = station.login("admin", ADMIN_PASSWORD, now).unwrap();
    let (_, created) = station.audit_events(&session, 1, 1, now).unwrap().remove(0);
    assert_eq!(created.detail["first_sequence"], 42, "{created:?}");
}

#[test]
fn wrong_passphrase_shows_the_translated_error() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness(dir.path(), Language::Ru);
    type_into(&mut h, "Парольная фраза станции", "не та фраза");
    click(&mut h, "Разблокировать");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Unlock);
    h.get_by_label(
        "Неверная парольная фраза — проверьте раскладку клавиатуры и Caps Lock и попробуйте снова.",
    );
}

#[test]
fn language_switch_changes_visible_text() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness(dir.path(), Language::Ky);
    h.get_by_label("Станцияны ачуу");
    assert!(h.query_by_label("Unlock the station").is_none());
    click(&mut h, "English");
    h.get_by_label("Unlock the station");
    assert!(h.query_by_label("Станцияны ачуу").is_none());
    click(&mut h, "Русский");
    h.get_by_label("Разблокировка станции");
    assert_eq!(h.state().i18n().language(), Language::Ru);
}

#[test]
fn a_registrar_home_has_no_supervisor_button_and_a_wrong_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness(dir.path(), Language::En);
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    type_into(&mut h, "Login", "aibek");
    type_into(&mut h, "Password", "not-the-password");
    click(&mut h, "Log in");
    settle(&mut h);
    h.get_by_label("Unknown login or wrong password — try again.");
    assert_eq!(h.state().screen(), ScreenKind::Login);
    type_into(&mut h, "Password", REGISTRAR_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Home);
    h.get_by_label("Operator: aibek (registrar)");
    assert!(h.query_by_label("Review and approve records").is_none());
    assert!(
        !h.get_by_label("Start enrollment")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn five_wrong_passwords_lock_the_account_out_with_the_time_left() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness(dir.path(), Language::En);
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    type_into(&mut h, "Login", "aibek");
    for _ in 0..5 {
        type_into(&mut h, "Password", "not-the-password");
        click(&mut h, "Log in");
        settle(&mut h);
    }
    let text = I18n::new(Language::En).tr_args("login-error-locked-out", &[("minutes", 5.into())]);
    h.get_by_label(&text);
    // Even the right password is refused now.
    type_into(&mut h, "Password", REGISTRAR_PASSWORD);
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Login);
    h.get_by_label(&text);
}

/// Types `first` and `again` into the new-password screen's emptied fields and saves.
fn new_password(h: &mut Harness<'static, App>, first: &str, again: &str) {
    for (field, text) in [("New password", first), ("New password again", again)] {
        h.get_by_label(field).click();
        h.step();
        h.key_press(egui::Key::End);
        for _ in 0..24 {
            h.key_press(egui::Key::Backspace);
        }
        h.step();
        h.get_by_label(field).type_text(text);
        h.step();
    }
    click(h, "Save the password and continue");
    settle(h);
}

#[test]
fn a_reset_password_is_changed_at_the_next_login_before_home() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    {
        let now = clock()();
        let mut station = Station::open(dir.path(), PASSPHRASE, Config::default()).unwrap();
        let admin = station.login("admin", ADMIN_PASSWORD, now).unwrap();
        station
            .reset_password(&admin, "aibek", "temporary-pass-1", now)
            .unwrap();
    }
    let mut h = harness(dir.path(), Language::En);
    type_into(&mut h, "Station passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h);
    type_into(&mut h, "Login", "aibek");
    type_into(&mut h, "Password", "temporary-pass-1");
    click(&mut h, "Log in");
    settle(&mut h);
    // Not home: the new password first, said why.
    assert_eq!(h.state().screen(), ScreenKind::NewPassword);
    h.get_by_label_contains("A supervisor reset your password (aibek).");
    // Two passwords that differ are refused in words.
    new_password(&mut h, "my-own-password-1", "my-own-password-2");
    h.get_by_label("The two passwords differ — type them again.");
    assert_eq!(h.state().screen(), ScreenKind::NewPassword);
    // The supervisor's password typed again is not a change.
    new_password(&mut h, "temporary-pass-1", "temporary-pass-1");
    h.get_by_label("The new password is the one the supervisor set: choose one only you know.");
    assert_eq!(h.state().screen(), ScreenKind::NewPassword);
    // A short one is refused by the station's rule.
    new_password(&mut h, "short", "short");
    h.get_by_label("The password must be at least 8 characters.");
    assert_eq!(h.state().screen(), ScreenKind::NewPassword);
    new_password(&mut h, "my-own-password-1", "my-own-password-1");
    assert_eq!(h.state().screen(), ScreenKind::Home);
    // The next login goes straight home with the new password.
    click(&mut h, "Log out");
    settle(&mut h);
    type_into(&mut h, "Login", "aibek");
    type_into(&mut h, "Password", "my-own-password-1");
    click(&mut h, "Log in");
    settle(&mut h);
    assert_eq!(h.state().screen(), ScreenKind::Home);
}
