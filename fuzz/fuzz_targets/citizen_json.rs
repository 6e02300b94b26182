//! The demographics file of `kattoo enroll --demographics person.json` (and of each line of an
//! enroll manifest): parsed as `CitizenInput`, validated for a fixed day. Never a panic;
//! validation is deterministic, and a valid citizen's own fields validate to the same citizen.
#![no_main]
use kattoo::domain::CitizenInput;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<CitizenInput>(data) else {
        return;
    };
    let today = time::macros::date!(2026 - 11 - 27);
    let first = input.validate(today);
    let second = input.validate(today);
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    let _ = input.full_name();
    // Its JSON written back reads to the same input.
    let json = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        serde_json::from_slice::<CitizenInput>(&json).unwrap(),
        input
    );
});
