//! The supervisor's screens, driven headless (approvals, export, operators, devices, audit,
//! statistics, training mode). Records are made directly through the station library from the
//! files in `fixtures/`; everything else goes through the screen.

use super::*;
use kattoo::domain::{BiometricKind, Capture, CitizenInput, FingerPosition};
use kattoo::hal::manager::{DeviceKind, DeviceManager};
use kattoo::hal::sim::{SimSource, default_fixtures_dir};
use kattoo::station::EnrollmentDraft;
use kattoo::store::{RecordFilter, RecordStatus, StoredRecord};
use kattoo::ui::supervisor::SupervisorScreen;
use std::time::Duration;

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(relative),
    )
    .expect("fixture file")
}

/// A complete draft for Aigül (fixtures/people/aigul.json) with PIN serial `serial`: ten
/// fingers, the face and the signature from `fixtures/`.
fn draft(serial: u32) -> EnrollmentDraft {
    let mut citizen: CitizenInput =
        serde_json::from_slice(&fixture("people/aigul.json")).expect("aigul.json");
    citizen.pin = Some(format!("114031990{serial:05}"));
    let mut captures: Vec<Capture> = FingerPosition::ALL
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let png = fixture(&format!("fingers/1{:02}_1.png", i + 1));
            Capture::from_png(
                BiometricKind::Finger,
                Some(p),
                png,
                kattoo::domain::Provenance::attached("libfprint:FP-0001"),
            )
            .unwrap()
        })
        .collect();
    captures.push(
        Capture::from_png(
            BiometricKind::Face,
            None,
            fixture("faces/astronaut.png"),
            kattoo::domain::Provenance::attached("uvc:CAM-0001"),
        )
        .unwrap(),
    );
    captures.push(
        Capture::from_png(
            BiometricKind::Signature,
            None,
            fixture("signature.png"),
            kattoo::domain::Provenance::attached("screen:signature-pad"),
        )
        .unwrap(),
    );
    EnrollmentDraft {
        citizen,
        captures,
        ..EnrollmentDraft::default()
    }
}

/// The station, opened to make records directly. The duplicate-person search is off: these
/// records all carry the same fixture fingers under different citizens.
fn open(dir: &Path) -> Station {
    let mut config = Config::default();
    config.matching.search_duplicates = false;
    Station::open(dir, PASSPHRASE, config).unwrap()
}

/// Saves one record per serial as the registrar aibek; returns their ids.
fn enroll(station: &mut Station, serials: &[u32]) -> Vec<String> {
    let now = clock()();
    let aibek = station.login("aibek", REGISTRAR_PASSWORD, now).unwrap();
    serials
        .iter()
        .map(|s| station.enroll(&aibek, draft(*s), now).unwrap().to_string())
        .collect()
}

/// A harness tall enough for the longest tab.
fn tall_harness(dir: &Path, devices: Option<DeviceManager>) -> Harness<'static, App> {
    let mut app = App::new(dir.to_owned(), Config::default(), clock());
    if let Some(devices) = devices {
        app = app.with_devices(devices);
    }
    app.set_language(Language::En);
    Harness::builder()
        .with_size([1280.0, 2000.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Unlocks, logs in as `login` and opens the supervisor's screen (its first tab loads).
fn supervisor_screen(h: &mut Harness<'static, App>, login: &str, password: &str) {
    unlock_and_login(h, login, password);
    click(h, "Review and approve records");
    settle(h);
    assert_eq!(h.state().screen(), ScreenKind::Supervisor);
}

/// Opens a tab and waits for its data.
fn tab(h: &mut Harness<'static, App>, name: &str) {
    click(h, name);
    settle(h);
}

fn records(h: &Harness<'static, App>) -> Vec<StoredRecord> {
    let station = h.state().station().expect("no call running");
    crate::util::raw_store(station.data_dir(), PASSPHRASE)
        .db()
        .records(&RecordFilter::default())
        .unwrap()
}

fn status_of(h: &Harness<'static, App>, id: &str) -> RecordStatus {
    records(h)
        .into_iter()
        .find(|r| r.registration_id == id)
        .expect("record stored")
        .status
}

#[test]
fn a_record_is_viewed_with_its_pictures_then_approved_or_rejected_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let ids = enroll(&mut open(dir.path()), &[1, 2]);
    let mut h = tall_harness(dir.path(), None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    h.get_by_label("Waiting for approval: 2");
    h.get_by_label(&ids[0]);

    click(&mut h, &format!("Open record {}", ids[1]));
    settle(&mut h);
    h.get_by_label(&format!("Record {}", ids[1]));
    h.get_by_label("Face photo");
    h.get_by_label("Signature");
    h.get_by_label("Right thumb");
    h.get_by_label("Left little");
    h.get_by_label("Өмүрбекова");

    // Rejecting without a reason is refused on the screen; the record stays pending.
    click(&mut h, "Reject this record");
    h.get_by_label("Write the reason before rejecting: the registrar will see it.");
    assert!(!h.state().busy());
    assert_eq!(status_of(&h, &ids[1]), RecordStatus::Pending);

    type_into(
        &mut h,
        "Reason for rejecting (required)",
        "Face photo is blurred",
    );
    click(&mut h, "Reject this record");
    settle(&mut h);
    h.get_by_label(&format!("Record {} rejected.", ids[1]));
    let rejected = records(&h)
        .into_iter()
        .find(|r| r.registration_id == ids[1]);
    let rejected = rejected.unwrap();
    assert_eq!(rejected.status, RecordStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("Face photo is blurred"));
    assert_eq!(rejected.decided_by.as_deref(), Some("admin"));
    h.get_by_label("Waiting for approval: 1");

    click(&mut h, &format!("Open record {}", ids[0]));
    settle(&mut h);
    // Approving asks once more; the record is not approved until then.
    click(&mut h, "Approve this record");
    h.get_by_label(
        "Approve this record? It goes to central in the next export and cannot be changed here.",
    );
    assert_eq!(status_of(&h, &ids[0]), RecordStatus::Pending);
    click(&mut h, "Yes, approve");
    settle(&mut h);
    h.get_by_label("Approved: 1");
    assert_eq!(status_of(&h, &ids[0]), RecordStatus::Approved);
    h.get_by_label("No record is waiting for approval.");
}

#[test]
fn selected_records_are_approved_in_bulk() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let ids = enroll(&mut open(dir.path()), &[1, 2, 3]);
    let mut h = tall_harness(dir.path(), None);
    // Home tells the supervisor what waits from every registrar, not only their own day.
    unlock_and_login(&mut h, "admin", ADMIN_PASSWORD);
    h.get_by_label("Waiting for approval at this station: 3");
    click(&mut h, "Review and approve records");
    settle(&mut h);
    assert!(
        h.get_by_label("Approve selected (0)")
            .accesskit_node()
            .is_disabled()
    );
    // Each pending record is listed with the citizen's name.
    assert_eq!(
        h.query_all_by_label("Өмүрбекова Айгүл Асанбековна").count(),
        3
    );
    click(&mut h, &ids[0]);
    click(&mut h, &ids[2]);
    click(&mut h, "Approve selected (2)");
    h.get_by_label("Approve these 2 records? They go to central in the next export.");
    assert_eq!(status_of(&h, &ids[0]), RecordStatus::Pending);
    click(&mut h, "Yes, approve");
    settle(&mut h);
    h.get_by_label("Approved: 2");
    assert_eq!(status_of(&h, &ids[0]), RecordStatus::Approved);
    assert_eq!(status_of(&h, &ids[1]), RecordStatus::Pending);
    assert_eq!(status_of(&h, &ids[2]), RecordStatus::Approved);
    h.get_by_label("Waiting for approval: 1");
    assert!(h.query_by_label(&ids[0]).is_none());

    click(&mut h, "Select all on this page");
    click(&mut h, "Approve selected (1)");
    click(&mut h, "Yes, approve");
    settle(&mut h);
    assert_eq!(status_of(&h, &ids[1]), RecordStatus::Approved);
    h.get_by_label("No record is waiting for approval.");
}

#[test]
fn export_needs_a_recipient_then_writes_the_batch_and_marks_records_exported() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let stick = dir.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    station_with_registrar(&data);
    let ids = {
        let mut station = open(&data);
        let ids = enroll(&mut station, &[1, 2]);
        let admin = station.login("admin", ADMIN_PASSWORD, clock()()).unwrap();
        station.approve(&admin, &ids, clock()()).unwrap();
        ids
    };

    // No central recipient yet: the screen says who must act, and export is not offered.
    let mut h = tall_harness(&data, None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    tab(&mut h, "Export to USB");
    h.get_by_label("No central key is set, so no batch can be encrypted. An administrator must set the central recipient first.");
    h.get_by_label("Approved records ready to export: 2");
    type_into(
        &mut h,
        "Or type a folder to write to",
        &stick.display().to_string(),
    );
    assert!(
        h.get_by_label("Export the batch")
            .accesskit_node()
            .is_disabled()
    );

    // Central's key comes on the stick, as central writes it: read, compared, taken.
    let (_identity, recipient) = kattoo::batch::new_identity_file("2025-06-02T09:30:00Z");
    let fingerprint = kattoo::batch::recipient_fingerprint(std::slice::from_ref(&recipient));
    std::fs::write(
        stick.join("central-recipient.txt"),
        "# central\nnot a key\n",
    )
    .unwrap();
    click(&mut h, "Read central's key from this stick");
    settle(&mut h);
    h.get_by_label(&format!(
        "{} does not hold a central key (one age1… line). Ask central for the file again.",
        stick.join("central-recipient.txt").display()
    ));
    std::fs::write(
        stick.join("central-recipient.txt"),
        format!("# central, 2025-06-02\n{recipient}\n"),
    )
    .unwrap();
    click(&mut h, "Read central's key from this stick");
    settle(&mut h);
    h.get_by_label(&recipient);
    h.get_by_label(&format!("Fingerprint: {fingerprint}"));
    click(&mut h, "Use this key");
    settle(&mut h);
    h.get_by_label(&format!(
        "Central's key is set (fingerprint {fingerprint})."
    ));
    h.get_by_label(&format!("Central's key: fingerprint {fingerprint}"));
    drop(h);

    let mut h = tall_harness(&data, None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    tab(&mut h, "Export to USB");
    type_into(
        &mut h,
        "Or type a folder to write to",
        &stick.display().to_string(),
    );
    click(&mut h, "Export the batch");
    settle(&mut h);
    h.get_by_label("Batch written and checked. The USB stick can be removed.");
    let file = stick.join("kattoo-KG1101-00001.age");
    assert!(file.is_file());
    h.get_by_label(&file.display().to_string());
    let sha = kattoo::batch::bag::sha256_hex(&std::fs::read(&file).unwrap());
    h.get_by_label(&sha);
    for id in &ids {
        assert_eq!(status_of(&h, id), RecordStatus::Exported);
    }
    h.get_by_label("Approved records ready to export: 0");
    // With nothing waiting, the button offers the audit log alone (a station closing down).
    assert!(h.query_by_label("Export the batch").is_none());
    h.get_by_label_contains("If this station is closing down, export its audit log alone");
    assert!(
        !h.get_by_label("Export the audit log only")
            .accesskit_node()
            .is_disabled()
    );

    // The stick is lost on the way: the same batch is written again from the kept copy.
    std::fs::remove_file(&file).unwrap();
    click(&mut h, "Write batch 1 again to this stick");
    settle(&mut h);
    assert_eq!(
        kattoo::batch::bag::sha256_hex(&std::fs::read(&file).unwrap()),
        sha
    );

    click(&mut h, "Write the station certificate and key");
    settle(&mut h);
    h.get_by_label("Station certificate and public key written.");
    assert!(stick.join("station-KG1101.json").is_file());
    assert!(stick.join("station-KG1101.pub").is_file());

    click(&mut h, "Export the audit log only");
    settle(&mut h);
    h.get_by_label("Batch written and checked. The USB stick can be removed.");
    assert!(stick.join("kattoo-KG1101-00002.age").is_file());

    // A folder that is not there is named, and nothing changes.
    type_into(&mut h, "Or type a folder to write to", "/nowhere");
    click(&mut h, "Write the station certificate and key");
    settle(&mut h);
    h.get_by_label(&format!(
        "{}/nowhere is not a folder: insert the USB stick or check the path.",
        stick.display()
    ));
}

#[test]
fn operators_are_added_locked_and_unlocked_and_a_supervisor_sees_only_registrars_actions() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    {
        let mut station = open(dir.path());
        let admin = station.login("admin", ADMIN_PASSWORD, clock()()).unwrap();
        station
            .add_operator(
                &admin,
                "bolot",
                Role::Supervisor,
                "supervisor-pass-1",
                clock()(),
            )
            .unwrap();
    }
    let mut h = tall_harness(dir.path(), None);
    supervisor_screen(&mut h, "bolot", "supervisor-pass-1");
    tab(&mut h, "Operators");
    h.get_by_label("aibek — registrar — active");
    h.get_by_label("Lock aibek");
    // A supervisor manages registrars only, and never their own account.
    assert!(h.query_by_label("Lock admin").is_none());
    assert!(h.query_by_label("Lock bolot").is_none());
    assert!(h.query_by_label("Reset the password of admin").is_none());

    click(&mut h, "Add an operator");
    assert!(h.query_by_label("administrator").is_none());
    type_into(&mut h, "Login of the new operator", "cholpon");
    type_into(&mut h, "Password (at least 8 characters)", "cholpon-pass-1");
    type_into(&mut h, "Password again", "cholpon-pass-2");
    click(&mut h, "Add the operator");
    h.get_by_label("The two passwords differ — type them again.");
    assert!(!h.state().busy());
    h.get_by_label("Password again").click();
    h.step();
    h.key_press(egui::Key::End);
    h.key_press(egui::Key::Backspace);
    h.get_by_label("Password again").type_text("1");
    h.step();
    click(&mut h, "Add the operator");
    settle(&mut h);
    h.get_by_label("Operator cholpon added.");
    h.get_by_label("cholpon — registrar — active");

    click(&mut h, "Lock cholpon");
    settle(&mut h);
    h.get_by_label("cholpon — registrar — locked by a supervisor");
    click(&mut h, "Unlock cholpon");
    settle(&mut h);
    h.get_by_label("cholpon — registrar — active");
    let station = h.state().station().unwrap();
    let cholpon = crate::util::raw_store(station.data_dir(), PASSPHRASE)
        .db()
        .operator("cholpon")
        .unwrap()
        .unwrap();
    assert_eq!(cholpon.role, Role::Registrar);
    assert_eq!(cholpon.status, kattoo::store::OperatorStatus::Active);
}

#[test]
fn devices_audit_and_statistics_tabs_show_what_the_station_knows() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let ids = enroll(&mut open(dir.path()), &[1, 2]);
    let source = SimSource::fixtures(default_fixtures_dir(), Duration::from_millis(30)).unwrap();
    let devices = DeviceManager::with_sources(vec![Box::new(source)], Duration::from_millis(100));
    let mut h = tall_harness(dir.path(), Some(devices));
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    click(&mut h, &format!("Open record {}", ids[0]));
    settle(&mut h);
    click(&mut h, "Approve this record");
    click(&mut h, "Yes, approve");
    settle(&mut h);

    tab(&mut h, "Statistics");
    // The total, then the one day, the one registrar and the one precinct: the same figures.
    let figures = "Enrollments 2 · rejected 0 · captures kept below the quality asked 0 · average fingerprint quality —";
    assert_eq!(h.query_all_by_label(figures).count(), 4);
    h.get_by_label("Per day");
    h.get_by_label("2025-06-02");
    h.get_by_label("aibek");
    h.get_by_label("1101");

    tab(&mut h, "Audit log");
    let rows = h.state().station().unwrap().audit_head().unwrap().0;
    h.get_by_label(&format!("Audit chain intact: {rows} rows checked."));
    assert!(
        h.query_by_label_contains(&format!("#{rows} · 2025-06-02 09:30 · Record approved"))
            .is_some()
    );

    tab(&mut h, "Devices");
    h.get_by_label("Looking for devices with: USB cameras, MOSIP SBI devices");
    let camera = h
        .state()
        .devices()
        .unwrap()
        .status()
        .into_iter()
        .find(|s| s.kind == DeviceKind::Camera)
        .expect("the simulated camera")
        .info
        .device_id();
    click(&mut h, &format!("Test capture on {camera}"));
    for _ in 0..2000 {
        h.step();
        if h.query_by_label("The device works.").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    h.get_by_label("The device works.");

    // An admin may choose the backends for the next start.
    click(&mut h, "Simulated devices");
    click(&mut h, "Save (applies after a restart)");
    settle(&mut h);
    h.get_by_label("Saved. Restart the kiosk to use the new backends.");
    settle(&mut h);
    h.get_by_label("From the next start: USB cameras, MOSIP SBI devices, Simulated devices. Restart the kiosk to apply.");
}

#[test]
fn switching_training_mode_restarts_the_devices_with_the_new_trust() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut config = Config::default();
    config.devices.backends = vec!["sim".into()];
    config.devices.simulate_when_absent = false;
    let mut app = App::new(dir.path().to_owned(), config, clock()).start_devices();
    app.set_language(Language::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 2000.0])
        .build_ui_state(|ui, app: &mut App| app.show(ui), app);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    let started = h.state().device_starts();
    assert!(started >= 1, "the kiosk started its devices");
    tab(&mut h, "Training mode");
    click(&mut h, "Switch training mode on");
    settle(&mut h);
    h.step();
    assert_eq!(h.state().device_starts(), started + 1);
    click(&mut h, "Switch training mode off");
    settle(&mut h);
    h.step();
    assert_eq!(h.state().device_starts(), started + 2);
    // Another frame without a change starts nothing.
    h.step();
    assert_eq!(h.state().device_starts(), started + 2);
}

#[test]
fn training_mode_shows_the_banner_survives_a_restart_and_its_records_are_reset() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let real = enroll(&mut open(dir.path()), &[1]);
    let banner = "TRAINING MODE — records made here are never exported.";
    let mut h = tall_harness(dir.path(), None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    assert!(h.query_by_label(banner).is_none());
    tab(&mut h, "Training mode");
    h.get_by_label("Training mode is off");
    click(&mut h, "Switch training mode on");
    settle(&mut h);
    h.get_by_label(banner);
    h.get_by_label("Training mode is ON");
    assert!(h.state().station().unwrap().config().station.training);
    drop(h);

    // Records saved now are training records; the mode is still on after a restart.
    let practice = enroll(&mut open(dir.path()), &[2, 3]);
    let mut h = tall_harness(dir.path(), None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    h.get_by_label(banner);
    let training: Vec<bool> = records(&h).iter().map(|r| r.training).collect();
    assert_eq!(training, [false, true, true]);
    tab(&mut h, "Training mode");
    h.get_by_label("Training records kept: 2");
    click(&mut h, "Delete all training records");
    h.get_by_label("Delete 2 training records with their photos and fingerprints? This cannot be undone. Real records are not touched.");
    assert_eq!(records(&h).len(), 3);
    click(&mut h, "Yes, delete the training records");
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Deleted 2 training records")
            .is_some()
    );
    h.get_by_label("Training records kept: 0");
    let left: Vec<String> = records(&h).into_iter().map(|r| r.registration_id).collect();
    assert_eq!(left, real);
    assert!(!left.contains(&practice[0]));

    click(&mut h, "Switch training mode off");
    settle(&mut h);
    assert!(h.query_by_label(banner).is_none());
}

#[test]
fn a_registrar_gets_no_supervisor_screen_and_the_station_refuses_anyway() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut station = open(dir.path());
    let ids = enroll(&mut station, &[1]);
    let now = clock()();
    let aibek = station.login("aibek", REGISTRAR_PASSWORD, now).unwrap();
    assert!(matches!(
        station.approve(&aibek, &ids, now),
        Err(kattoo::station::Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        station.set_training(&aibek, true, now),
        Err(kattoo::station::Error::PermissionDenied { .. })
    ));
    assert!(matches!(
        station.statistics(&aibek, now),
        Err(kattoo::station::Error::PermissionDenied { .. })
    ));

    // Even handed the screen, a registrar sees no tab and the screen asks for nothing.
    let i18n = I18n::new(Language::En);
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .build_ui_state(
            move |ui, screen: &mut SupervisorScreen| {
                let intent = screen.show(ui, &i18n, &aibek, None, false, clock()());
                assert!(matches!(
                    intent,
                    kattoo::ui::supervisor::SupervisorIntent::None
                ));
            },
            SupervisorScreen::default(),
        );
    h.step();
    h.get_by_label("Only a supervisor or an administrator can use these screens.");
    assert!(h.query_by_label("Approvals").is_none());
    assert!(h.query_by_label("Export to USB").is_none());
}

#[test]
fn a_record_without_a_signature_says_why_to_the_supervisor() {
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut station = open(dir.path());
    let now = clock()();
    let aibek = station.login("aibek", REGISTRAR_PASSWORD, now).unwrap();
    let mut cannot = draft(1);
    cannot
        .captures
        .retain(|c| c.kind != kattoo::domain::BiometricKind::Signature);
    cannot.signature_exception = Some(kattoo::domain::enrollment::SignatureException {
        reason: kattoo::domain::enrollment::SignatureReason::CannotWrite,
    });
    let id = station.enroll(&aibek, cannot, now).unwrap().to_string();
    drop(station);
    let mut h = tall_harness(dir.path(), None);
    supervisor_screen(&mut h, "admin", ADMIN_PASSWORD);
    click(&mut h, &format!("Open record {id}"));
    settle(&mut h);
    h.get_by_label("Face photo");
    assert!(h.query_by_label("Signature").is_none());
    h.get_by_label("No signature: cannot write");
}
