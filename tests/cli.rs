//! The `kattoo` command line as a script sees it: exact stdout, the error on stderr and the exit
//! status (see `kattoo::cli::exit`). Every test has a station of its own in a temporary directory;
//! timestamps are masked, registration ids and key fingerprints are recomputed, never timed.

mod biometrics;
mod devices;
mod doctor;
mod enroll;
mod operators;
mod review;
mod station;

use crate::util::{
    ADMIN, ADMIN_PASSWORD, Kiosk, PASSPHRASE, STATION_NAME, assert_registration_id, bare_cmd,
    enroll_args, enroll_args_with, fixture, manifest_line, stderr, stdout,
};
use kattoo::cli::exit;
use predicates::prelude::*;

const SUP: &str = "sup";
const SUP_PASSWORD: &str = "sup-password-1";
const REG: &str = "reg";
const REG_PASSWORD: &str = "reg-password-1";

/// Replaces every `YYYY-MM-DDTHH:MM:SSZ` timestamp with `<TIME>`.
fn mask_times(text: &str) -> String {
    const SHAPE: &[u8; 20] = b"0000-00-00T00:00:00Z";
    let bytes = text.as_bytes();
    let matches_at = |i: usize| {
        bytes.len() >= i + SHAPE.len()
            && SHAPE.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'0' => b.is_ascii_digit(),
                _ => s == b,
            })
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if matches_at(i) {
            out.extend_from_slice(b"<TIME>");
            i += SHAPE.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII was replaced")
}

/// A station with a supervisor `sup` and a registrar `reg` besides the admin.
fn staffed() -> Kiosk {
    let kiosk = Kiosk::init();
    kiosk.add_operator(SUP, "supervisor", SUP_PASSWORD);
    kiosk.add_operator(REG, "registrar", REG_PASSWORD);
    kiosk
}

/// `text` has the shape of a key fingerprint: 16 groups of 4 hex digits.
fn is_fingerprint(text: &str) -> bool {
    predicate::str::is_match(r"^[0-9a-f]{4}(:[0-9a-f]{4}){15}$")
        .unwrap()
        .eval(text)
}
