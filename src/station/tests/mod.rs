//! Station tests, and the small test kit the other modules' tests share: a station set up in a
//! temporary directory, and complete enrollment drafts built from the files in `fixtures/`.
//!
//! Time is always a fixed [`Timestamp`] (see [`now`] and [`at`]); no test reads the clock.

use super::*;
use crate::audit::{Action, ChainError, Event, chain_hash};
use crate::domain::{
    BiometricKind, Capture, CitizenInput, ExceptionReason, FingerException, FingerPosition,
    Provenance, Sex, Trust,
};
use crate::store::{RecordFilter, RecordStatus, StatusCounts};
use std::sync::OnceLock;

/// The fixed "now" of the tests: 2026-11-27T06:00:00Z.
pub(crate) const NOW: &str = "2026-11-27T06:00:00Z";
/// The station passphrase used by [`setup`].
pub(crate) const PASSPHRASE: &str = "correct horse battery staple";
/// The admin's password.
pub(crate) const ADMIN_PASSWORD: &str = "admin-pass-2026";
/// The password [`add_operator`] gives every account.
pub(crate) const PASSWORD: &str = "operator-pass-2026";

/// [`NOW`] as a timestamp.
pub(crate) fn now() -> Timestamp {
    Timestamp::parse(NOW).expect("fixed timestamp")
}

/// [`NOW`] plus `secs` seconds.
pub(crate) fn at(secs: i64) -> Timestamp {
    now().plus_seconds(secs)
}

/// A new station KG1101 (region chui, precincts 1101 and 1102) in a temporary directory, with
/// the admin logged in. Keep the `TempDir` alive as long as the station.
/// The configuration of the kit's stations: the defaults, with the duplicate-person search off,
/// because every draft of the kit carries the same ten fixture fingers under another citizen.
/// The search itself is tested on its own (`tests/dedup.rs`) with distinct fingers.
pub(crate) fn test_config() -> Config {
    let mut config = Config::default();
    config.matching.search_duplicates = false;
    config
}

pub(crate) fn setup() -> (tempfile::TempDir, Station, Session) {
    setup_with(test_config())
}

/// [`setup`] under `config`.
pub(crate) fn setup_with(config: Config) -> (tempfile::TempDir, Station, Session) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut station = Station::init(
        &dir.path().join("data"),
        PASSPHRASE,
        &station_setup(),
        config,
        now(),
    )
    .expect("station init");
    let admin = station
        .login("admin", ADMIN_PASSWORD, now())
        .expect("admin login");
    (dir, station, admin)
}

/// What [`setup`] sets up.
pub(crate) fn station_setup() -> StationSetup {
    StationSetup {
        station_id: StationId::parse("KG1101").unwrap(),
        name: "Школа №5, Лебединовка".into(),
        region: "chui".into(),
        precincts: ["1101", "1102"]
            .into_iter()
            .map(|p| Precinct::parse(p).unwrap())
            .collect(),
        admin_login: "admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        first_sequence: 1,
    }
}

/// Adds an account with [`PASSWORD`] (as `by`) and logs it in.
pub(crate) fn add_operator(
    station: &mut Station,
    by: &Session,
    login: &str,
    role: Role,
) -> Session {
    station
        .add_operator(by, login, role, PASSWORD, now())
        .expect("add operator");
    station.login(login, PASSWORD, now()).expect("login")
}

/// A PIN: sex digit (1 female, 2 male), birth date DDMMYYYY, five serial digits.
pub(crate) fn pin(sex: Sex, birth: time::Date, serial: u32) -> String {
    format!(
        "{}{:02}{:02}{:04}{:05}",
        match sex {
            Sex::Female => 1,
            Sex::Male => 2,
        },
        birth.day(),
        u8::from(birth.month()),
        birth.year(),
        serial % 100_000
    )
}

/// Aigül from `fixtures/people/aigul.json`, with the PIN serial `serial` (her own PIN is serial 123).
/// Sex and birth date stay hers, so every serial gives a valid, distinct PIN.
pub(crate) fn citizen(serial: u32) -> CitizenInput {
    let mut c: CitizenInput =
        serde_json::from_slice(include_bytes!("../../../fixtures/people/aigul.json"))
            .expect("aigul.json is a CitizenInput");
    c.pin = Some(pin(
        Sex::Female,
        time::macros::date!(1990 - 03 - 14),
        serial,
    ));
    c
}

pub(crate) const FINGERS: [&[u8]; 10] = [
    include_bytes!("../../../fixtures/fingers/101_1.png"),
    include_bytes!("../../../fixtures/fingers/102_1.png"),
    include_bytes!("../../../fixtures/fingers/103_1.png"),
    include_bytes!("../../../fixtures/fingers/104_1.png"),
    include_bytes!("../../../fixtures/fingers/105_1.png"),
    include_bytes!("../../../fixtures/fingers/106_1.png"),
    include_bytes!("../../../fixtures/fingers/107_1.png"),
    include_bytes!("../../../fixtures/fingers/108_1.png"),
    include_bytes!("../../../fixtures/fingers/109_1.png"),
    include_bytes!("../../../fixtures/fingers/110_1.png"),
];

/// The twelve fixture captures: ten fingers (`101_1.png` = right thumb … `110_1.png` = left
/// little), the face and the signature. Decoded once per test binary.
pub(crate) fn captures() -> Vec<Capture> {
    static CAPTURES: OnceLock<Vec<Capture>> = OnceLock::new();
    CAPTURES
        .get_or_init(|| {
            let mut all: Vec<Capture> = FingerPosition::ALL
                .into_iter()
                .zip(FINGERS)
                .map(|(p, png)| {
                    Capture::from_png(
                        BiometricKind::Finger,
                        Some(p),
                        png.to_vec(),
                        Provenance::attached("libfprint:FP-0001"),
                    )
                    .expect("finger fixture")
                })
                .collect();
            all.push(
                Capture::from_png(
                    BiometricKind::Face,
                    None,
                    include_bytes!("../../../fixtures/faces/astronaut.png").to_vec(),
                    Provenance::attached("uvc:CAM-0001"),
                )
                .expect("face fixture"),
            );
            all.push(
                Capture::from_png(
                    BiometricKind::Signature,
                    None,
                    include_bytes!("../../../fixtures/signature.png").to_vec(),
                    Provenance::attached("screen:signature-pad"),
                )
                .expect("signature fixture"),
            );
            all
        })
        .clone()
}

/// A complete, valid draft for precinct 1101: [`citizen`]`(serial)` and all [`captures`].
pub(crate) fn draft(serial: u32) -> EnrollmentDraft {
    EnrollmentDraft {
        citizen: citizen(serial),
        captures: captures(),
        exceptions: Vec::new(),
        supersedes: None,
        signature_exception: None,
    }
}

/// A small gray PNG, different for each `shade` (for exception photos).
pub(crate) fn tiny_png(shade: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 8, 8);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().unwrap();
    w.write_image_data(&[shade; 64]).unwrap();
    w.finish().unwrap();
    out
}

/// [`draft`] with the left little finger amputated and photographed instead of scanned.
pub(crate) fn draft_left_little_amputated(serial: u32) -> EnrollmentDraft {
    let mut d = draft(serial);
    d.captures
        .retain(|c| c.position != Some(FingerPosition::LeftLittle));
    d.exceptions.push(FingerException {
        position: FingerPosition::LeftLittle,
        reason: ExceptionReason::Amputated,
    });
    d.captures.push(
        Capture::from_png(
            BiometricKind::ExceptionPhoto,
            Some(FingerPosition::LeftLittle),
            tiny_png(serial as u8),
            Provenance::attached("uvc:CAM-0001"),
        )
        .unwrap(),
    );
    d
}

/// Every audit event, in order.
pub(crate) fn events(station: &Station) -> Vec<Event> {
    station
        .store
        .db()
        .audit_rows(1, u64::MAX >> 1)
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.event).unwrap())
        .collect()
}

pub(crate) fn last_event(station: &Station) -> Event {
    events(station).pop().expect("at least one audit row")
}

pub(crate) fn audit_len(station: &Station) -> u64 {
    station.store.db().audit_head().unwrap().0
}

pub(crate) fn ids(list: &[&RegistrationId]) -> Vec<String> {
    list.iter().map(|i| i.to_string()).collect()
}

pub(crate) fn status(station: &Station, id: &RegistrationId) -> RecordStatus {
    station
        .store
        .db()
        .record(id.as_str())
        .unwrap()
        .unwrap()
        .status
}

mod dedup;
mod door;
mod enrollment;
mod finger_login;
mod lockout;
mod roles;
mod tampering;
