//! Pictures from outside: `--finger`/`--photo`/`--signature` PNGs (`Capture::from_png`, which
//! inspects them with the png crate) and `imaging::decode` (guessed format, PNG or JPEG, as the
//! workflow decodes a photo or finger and SBI previews). Never a panic, never an image over the
//! limits, and the two decoders agree on a PNG's size.
#![no_main]
use kattoo::domain::biometric::inspect_png;
use kattoo::domain::imaging::{self, MAX_PIXELS, MAX_SIDE};
use kattoo::domain::{BiometricKind, Capture, FingerPosition, Provenance};
use libfuzzer_sys::fuzz_target;

fn within(w: u32, h: u32) -> bool {
    w <= MAX_SIDE && h <= MAX_SIDE && u64::from(w) * u64::from(h) <= MAX_PIXELS
}

fuzz_target!(|data: &[u8]| {
    let inspected = inspect_png(data);
    if let Ok(info) = &inspected {
        assert!(info.width > 0 && info.height > 0 && within(info.width, info.height));
        let finger = Capture::from_png(
            BiometricKind::Finger,
            Some(FingerPosition::RightThumb),
            data.to_vec(),
            Provenance::back_fill(),
        );
        assert_eq!(finger.is_ok(), info.gray8);
    }
    if let Ok(img) = imaging::decode(data, None) {
        assert!(within(img.width(), img.height()));
        if let Ok(info) = &inspected {
            assert_eq!((img.width(), img.height()), (info.width, info.height));
        }
    }
});
