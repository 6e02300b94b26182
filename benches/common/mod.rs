//! Shared by the benchmarks: a station and real-size enrollments (ten ~110 KB fingerprint PNGs,
//! the ~790 KB astronaut photo, a signature), each made unique so nothing is deduplicated.
#![allow(dead_code)]

use kattoo::config::Config;
use kattoo::domain::address::Precinct;
use kattoo::domain::{BiometricKind, Capture, CitizenInput, FingerPosition, StationId, Timestamp};
use kattoo::station::{EnrollmentDraft, Session, Station, StationSetup};
use std::path::Path;

pub const PASSPHRASE: &str = "benchmark station passphrase";

pub fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// A deterministic ~110 KB fingerprint-like PNG (ridges plus noise), 400×400, 8-bit gray.
pub fn synthetic_finger(seed: u32) -> Vec<u8> {
    let (w, h) = (400u32, 400u32);
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let mut pixels = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let (fx, fy) = (x as f32 - 200.0, y as f32 - 200.0);
            let r = (fx * fx + fy * fy).sqrt() + seed as f32;
            let ridge = ((r / 4.5).sin() * 90.0 + 128.0) as i32;
            let noise = (state % 10) as i32 - 5;
            pixels.push((ridge + noise).clamp(0, 255) as u8);
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_pixel_dims(Some(png::PixelDimensions {
        xppu: 19685,
        yppu: 19685,
        unit: png::Unit::Meter,
    }));
    let mut writer = enc.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

pub fn captures() -> Vec<Capture> {
    let read = |p: &str| std::fs::read(fixtures().join(p)).unwrap();
    let mut c = vec![
        Capture::from_png(
            BiometricKind::Face,
            None,
            read("faces/astronaut.png"),
            kattoo::domain::Provenance::attached("uvc:1"),
        )
        .unwrap(),
    ];
    for (i, pos) in FingerPosition::ALL.into_iter().enumerate() {
        c.push(
            Capture::from_png(
                BiometricKind::Finger,
                Some(pos),
                synthetic_finger(i as u32 + 1),
                kattoo::domain::Provenance::attached("uvc:1"),
            )
            .unwrap(),
        );
    }
    c.push(
        Capture::from_png(
            BiometricKind::Signature,
            None,
            read("signature.png"),
            kattoo::domain::Provenance::attached("uvc:1"),
        )
        .unwrap(),
    );
    c
}

/// The captures with a distinct private PNG chunk (`kaTt`, carrying `serial`) before `IEND`, so
/// every enrollment stores all of its files anew, as a real citizen's would (no deduplication).
pub fn unique(caps: &[Capture], serial: u64) -> Vec<Capture> {
    caps.iter()
        .map(|c| {
            let mut c = c.clone();
            let iend = c.data.len() - 12;
            let body = serial.to_be_bytes();
            let mut chunk = (body.len() as u32).to_be_bytes().to_vec();
            chunk.extend_from_slice(b"kaTt");
            chunk.extend_from_slice(&body);
            let crc = crc32(&chunk[4..]);
            chunk.extend_from_slice(&crc.to_be_bytes());
            c.data.splice(iend..iend, chunk);
            c
        })
        .collect()
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub fn citizen(serial: u64) -> CitizenInput {
    let mut c: CitizenInput =
        serde_json::from_slice(&std::fs::read(fixtures().join("people/aigul.json")).unwrap())
            .unwrap();
    c.pin = Some(format!("114031990{:05}", serial % 100_000));
    c
}

pub fn station(dir: &Path) -> (Station, Session) {
    station_with_id(dir, "KG1101")
}

/// A new station `id` in `dir`, with an admin session.
pub fn station_with_id(dir: &Path, id: &str) -> (Station, Session) {
    let setup = StationSetup {
        station_id: StationId::parse(id).unwrap(),
        name: "Bench".into(),
        region: "chui".into(),
        precincts: vec![Precinct::parse("1101").unwrap()],
        admin_login: "admin".into(),
        admin_password: "admin-password".into(),
        first_sequence: 1,
    };
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let mut st = Station::init(dir, PASSPHRASE, &setup, Config::default(), now).unwrap();
    let session = st.login("admin", "admin-password", now).unwrap();
    (st, session)
}

/// A real-size enrollment, unique to `serial` (PIN and biometrics).
pub fn draft(caps: &[Capture], serial: u64) -> EnrollmentDraft {
    EnrollmentDraft {
        citizen: citizen(serial),
        captures: unique(caps, serial),
        ..Default::default()
    }
}

/// Enrolls one real-size citizen per serial (each unique: PIN and biometrics from the serial)
/// and approves them all; their registration ids.
pub fn enroll_approved(
    st: &mut Station,
    session: &Session,
    caps: &[Capture],
    serials: impl IntoIterator<Item = u64>,
    now: Timestamp,
) -> Vec<String> {
    let ids: Vec<String> = serials
        .into_iter()
        .map(|serial| {
            st.enroll(session, draft(caps, serial), now)
                .unwrap()
                .to_string()
        })
        .collect();
    st.approve(session, &ids, now).unwrap();
    ids
}

/// The station's database opened directly with [`PASSPHRASE`], beside the station's own door.
pub fn raw_store(data_dir: &Path) -> kattoo::store::Store {
    let text = std::fs::read_to_string(data_dir.join(kattoo::station::KDF_FILE)).unwrap();
    let kdf: kattoo::crypto::KdfParams = serde_json::from_str(&text).unwrap();
    let key = kdf.derive(PASSPHRASE).unwrap();
    kattoo::store::Store::open(&data_dir.join(kattoo::station::DB_FILE), &key).unwrap()
}

/// xorshift64, for reproducible galleries.
pub struct Rng(pub u64);

impl Rng {
    /// Uniform in [0, 1).
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A new finger pattern from a real template: every minutia moved up to 40 pixels and turned at
/// random (realistic counts and spread).
pub fn scrambled(
    t: &kattoo::matching::template::Template,
    rng: &mut Rng,
) -> kattoo::matching::template::Template {
    let mut t = t.clone();
    for m in &mut t.minutiae {
        m.x = (f32::from(m.x) + (rng.next() - 0.5) * 80.0).clamp(0.0, 387.0) as u16;
        m.y = (f32::from(m.y) + (rng.next() - 0.5) * 80.0).clamp(0.0, 373.0) as u16;
        m.angle = rng.next() * std::f32::consts::TAU;
    }
    t
}
