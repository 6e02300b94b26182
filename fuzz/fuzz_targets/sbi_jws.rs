//! SBI JWS verification (`jws::verify`, every signed answer of a device): never a panic; with
//! training off nothing unsigned or badly signed is accepted, and training only adds
//! `Unverified` answers, never changes a verified one.
#![no_main]
use kattoo::hal::sbi::{Trust, TrustPolicy, jws};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let strict = TrustPolicy::default();
    let training = TrustPolicy {
        training: true,
        ..Default::default()
    };
    let a = jws::verify(token, &strict, "fuzz");
    let b = jws::verify(token, &training, "fuzz");
    if let Ok((payload, trust)) = &a {
        assert!(
            trust.is_verified(),
            "strict policy returned unverified data"
        );
        let (p2, t2) = b.as_ref().expect("training refused what strict accepted");
        assert_eq!((p2, t2), (payload, trust));
    }
    if let Ok((_, Trust::Unverified { .. })) = &b {
        assert!(a.is_err(), "strict accepted what training calls unverified");
    }
    // Unsigned data is never verified (a bare payload or a token without 3 parts).
    if token.trim().split('.').count() != 3 {
        assert!(a.is_err());
    }
});
