//! A station certificate (`data/station-<id>.json` in a batch, and what central registers):
//! never a panic; an accepted certificate is its own canonical bytes, verifies again, and is
//! refused when any byte changes.
#![no_main]
use kattoo::batch::StationCertificate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((cert, key)) = StationCertificate::verify(data) else {
        return;
    };
    assert_eq!(kattoo::crypto::canonical_json(&cert).unwrap(), data);
    let (again, key2) = StationCertificate::verify(data).unwrap();
    assert_eq!((again, key2), (cert, key));
    // Flipping one bit anywhere must break it (the bytes are the signed canonical form).
    let mut flipped = data.to_vec();
    let i = data.len() / 2;
    flipped[i] ^= 1;
    assert!(
        StationCertificate::verify(&flipped).is_err(),
        "a changed certificate still verifies"
    );
});
