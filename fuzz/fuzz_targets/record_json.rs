//! A record's JSON (v1 or v2) as verify parses it (`parse_record`): never a panic; an accepted
//! record is exactly its canonical JSON and parses back to the same value.
#![no_main]
use kattoo::domain::enrollment::parse_record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = parse_record(data) else {
        return;
    };
    let canonical = kattoo::crypto::canonical_json(&record).unwrap();
    assert_eq!(
        canonical, data,
        "an accepted record is not its canonical form"
    );
    assert_eq!(parse_record(&canonical).unwrap(), record);
    let _ = record.registration_id.station();
    let _ = record.registration_id.sequence();
});
