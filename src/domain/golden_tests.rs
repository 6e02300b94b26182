//! Golden bytes of a signed enrollment record, and test vectors with an expected outcome.
//!
//! `fixtures/vectors/` holds what independent tools (central, auditors) check against:
//! - `enrollment-v1.json`: the exact JCS bytes of a record built deterministically here;
//! - `enrollment-v1.json.sig`: its signature file (padded base64 of 64 bytes, then `\n`);
//! - `station-test.pub`: the PEM public key of the test station key (seed bytes 1, 2, …, 32);
//! - `cases.json`: byte derivations from those three files, each with its expected outcome.
//!
//! The first three are frozen: any difference fails the test, because a change to signed bytes
//! must be a deliberate act (and a new format version, FORMATS.md). To rewrite them on purpose, run
//! `KATTOO_REGENERATE_GOLDEN=1 cargo test --lib domain::golden_tests`, then review the diff.
//! `cases.json` is written by hand and never regenerated.

use super::enrollment::{OperatorRef, Record, RecordError, RecordHeader, verify_record};
use super::{Enrollment, RegistrationId, Role, Signed, StationId};
use crate::crypto::{
    DOMAIN_BATCH, DOMAIN_ENROLLMENT, PublicKey, Signature, SignatureError, StationKey,
};
use crate::station::tests::{captures, citizen, now};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const REGENERATE: &str = "KATTOO_REGENERATE_GOLDEN";

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vectors")
}

/// The test station key: seed bytes 1, 2, …, 32.
fn station_key() -> StationKey {
    StationKey::from_seed(&(1..=32).collect::<Vec<u8>>()).unwrap()
}

/// Another key, for "wrong key" cases: seed bytes 32, 31, …, 1.
fn other_key() -> StationKey {
    StationKey::from_seed(&(1..=32).rev().collect::<Vec<u8>>()).unwrap()
}

/// Station, header and citizen of record `sequence` of KG1101, enrolled at 2026-11-27T06:00:00Z
/// by registrar `reg1`: Aigül from `fixtures/people/aigul.json`.
fn golden_parts(sequence: u64) -> (StationId, RecordHeader, crate::domain::Citizen) {
    let station = StationId::parse("KG1101").unwrap();
    let header = RecordHeader {
        registration_id: RegistrationId::new(&station, sequence, now().date()),
        sequence,
        created_at: now(),
        operator: OperatorRef {
            login: "reg1".into(),
            role: Role::Registrar,
        },
        training: false,
        supersedes: None,
        duplicate_override: None,
    };
    (
        station,
        header,
        citizen(123).validate(now().date()).unwrap(),
    )
}

/// Record 42 of KG1101, enrolled at 2026-11-27T06:00:00Z by registrar `reg1`: Aigül from
/// `fixtures/people/aigul.json` with the twelve fixture captures.
fn golden_record() -> Enrollment<Signed> {
    let (station, header, citizen) = golden_parts(42);
    Enrollment::new(station, header, citizen, captures(), Vec::new(), None)
        .unwrap()
        .sign(&station_key())
        .unwrap()
}

/// [`golden_record`] of a citizen who cannot sign (an injury): no signature, schema v2.
fn golden_record_v2() -> Enrollment<Signed> {
    let (station, header, citizen) = golden_parts(43);
    let mut captures = captures();
    captures.retain(|c| c.kind != crate::domain::BiometricKind::Signature);
    let cannot = crate::domain::enrollment::SignatureException {
        reason: crate::domain::enrollment::SignatureReason::Injury,
    };
    Enrollment::new(station, header, citizen, captures, Vec::new(), Some(cannot))
        .unwrap()
        .sign(&station_key())
        .unwrap()
}

/// Compares `bytes` with the frozen file `name`, or rewrites it under `KATTOO_REGENERATE_GOLDEN=1`.
fn golden(name: &str, bytes: &[u8]) {
    let path = vectors().join(name);
    if std::env::var_os(REGENERATE).is_some_and(|v| v == "1") {
        std::fs::create_dir_all(vectors()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        return;
    }
    let frozen = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with {REGENERATE}=1 once)", path.display()));
    assert!(
        frozen == bytes,
        "{name} differs from the frozen golden file; if the change is deliberate, rerun with \
         {REGENERATE}=1 and review the diff\n  frozen: {}\n  now:    {}",
        String::from_utf8_lossy(&frozen),
        String::from_utf8_lossy(bytes),
    );
}

#[test]
fn a_citizen_who_cannot_sign_makes_a_v2_record_under_its_own_prefix() {
    let e = golden_record_v2();
    golden("enrollment-v2.json", e.signed_bytes());
    golden("enrollment-v2.json.sig", e.signature().to_file().as_bytes());
    let key = station_key().public_key();
    let json = read("enrollment-v2.json");
    let sig = Signature::from_file(&read("enrollment-v2.json.sig")).unwrap();
    let record = verify_record(&key, &json, &sig).unwrap();
    assert_eq!(&record, e.record());
    assert_eq!(record.schema, "kattoo/enrollment/v2");
    assert_eq!(
        record.signature_exception().map(|x| x.reason.code()),
        Some("injury")
    );
    assert_eq!(record.biometrics.len(), 11, "no signature");
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains("\"signature_exception\":{\"reason\":\"injury\"}"));

    // The same bytes signed under the v1 prefix do not verify.
    let v1_signed = station_key().sign(DOMAIN_ENROLLMENT, &json);
    assert!(matches!(
        verify_record(&key, &json, &v1_signed),
        Err(RecordError::Signature(SignatureError::Mismatch))
    ));
    // A v2 record with a signature, or without the field, is refused, whatever signs it.
    let resign = |json: &[u8]| station_key().sign(crate::crypto::DOMAIN_ENROLLMENT_V2, json);
    let no_field = replace_first(
        &json,
        b"\"signature_exception\":{\"reason\":\"injury\"},",
        b"",
    );
    assert!(matches!(
        verify_record(&key, &no_field, &resign(&no_field)),
        Err(RecordError::Inconsistent { .. })
    ));
    let v1 = golden_record();
    // Canonical v2 bytes of a record with both a signature and an exception, properly signed
    // under the v2 prefix: refused for what it says, not for its form.
    let mut both = v1.record().clone();
    both.schema = "kattoo/enrollment/v2".into();
    both.signature_exception = Some(Some(crate::domain::enrollment::SignatureException {
        reason: crate::domain::enrollment::SignatureReason::Injury,
    }));
    let both = crate::crypto::canonical_json(&both).unwrap();
    assert!(matches!(
        verify_record(&key, &both, &resign(&both)),
        Err(RecordError::Inconsistent { .. })
    ));
    // A v2 record whose exception is null is a second form of a v1 record: refused.
    let mut null = v1.record().clone();
    null.schema = "kattoo/enrollment/v2".into();
    null.signature_exception = Some(None);
    let null = crate::crypto::canonical_json(&null).unwrap();
    assert!(matches!(
        verify_record(&key, &null, &resign(&null)),
        Err(RecordError::Inconsistent { .. })
    ));
    // A v1 record with the v2 field is refused, even canonical and signed under the v1 prefix.
    let mut v1_with_field = v1.record().clone();
    v1_with_field.signature_exception = Some(None);
    let v1_with_field = crate::crypto::canonical_json(&v1_with_field).unwrap();
    assert!(matches!(
        verify_record(
            &key,
            &v1_with_field,
            &station_key().sign(DOMAIN_ENROLLMENT, &v1_with_field)
        ),
        Err(RecordError::Inconsistent { .. })
    ));
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(vectors().join(name)).unwrap()
}

#[test]
fn the_signed_record_matches_the_golden_files() {
    let e = golden_record();
    let pem = station_key().public_key().to_pem();
    golden("enrollment-v1.json", e.signed_bytes());
    golden("enrollment-v1.json.sig", e.signature().to_file().as_bytes());
    golden("station-test.pub", pem.as_bytes());

    // The frozen files verify on their own and hold exactly the record built here.
    let key = PublicKey::from_pem(std::str::from_utf8(&read("station-test.pub")).unwrap()).unwrap();
    let sig = Signature::from_file(&read("enrollment-v1.json.sig")).unwrap();
    let record: Record = verify_record(&key, &read("enrollment-v1.json"), &sig).unwrap();
    assert_eq!(&record, e.record());
    assert_eq!(record.registration_id.as_str(), "KG1101-000042-20261127-0");
    assert_eq!(record.biometrics.len(), 12);
}

/// One line of `cases.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// How the bytes are derived from the golden files (see [`derive`]).
    derive: String,
    /// Re-sign the derived bytes with the station key (so only the content rule can fail).
    #[serde(default)]
    resign: bool,
    /// `valid`, `bad signature`, `malformed signature`, `not canonical`, `wrong schema`,
    /// `not a record`.
    expect: String,
}

/// Replaces the first occurrence of `from` in `bytes`.
fn replace_first(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .unwrap_or_else(|| panic!("{:?} not in the record", String::from_utf8_lossy(from)));
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// The record bytes, signature file and public key PEM of a case.
fn derive(case: &Case) -> (Vec<u8>, Vec<u8>, String) {
    let mut json = read("enrollment-v1.json");
    let mut sig = read("enrollment-v1.json.sig");
    let mut pem = String::from_utf8(read("station-test.pub")).unwrap();
    match case.derive.as_str() {
        "none" => {}
        // Surname Өмүрбекова → Асанова.
        "altered field" => {
            json = replace_first(&json, "Өмүрбекова".as_bytes(), "Асанова".as_bytes())
        }
        // The first hex digit of the first biometric's sha256, 0→1, …, f→0.
        "altered biometric hash" => {
            let at = json
                .windows(10)
                .position(|w| w == b"\"sha256\":\"")
                .unwrap()
                + 10;
            let d =
                u8::from_str_radix(std::str::from_utf8(&json[at..at + 1]).unwrap(), 16).unwrap();
            json[at] = format!("{:x}", (d + 1) % 16).as_bytes()[0];
        }
        // The last byte (the closing brace) dropped.
        "truncated" => {
            json.pop();
        }
        // The public key of seed bytes 32, 31, …, 1.
        "wrong key" => pem = other_key().public_key().to_pem(),
        // Signed without the "kattoo/enrollment/v1\n" prefix.
        "no domain prefix" => sig = station_key().sign(b"", &json).to_file().into_bytes(),
        // Signed with the batch prefix instead.
        "batch domain" => {
            sig = station_key()
                .sign(DOMAIN_BATCH, &json)
                .to_file()
                .into_bytes()
        }
        // The signature file without its final newline.
        "signature without newline" => {
            sig.pop();
        }
        // A space after the first colon.
        "whitespace added" => json = replace_first(&json, b":", b": "),
        // A newline after the closing brace.
        "trailing newline" => json.push(b'\n'),
        // Айгүл's first letter written as the escape \u0410 (same string, not RFC 8785 form).
        "non-ascii escaped" => {
            json = replace_first(&json, "Айгүл".as_bytes(), "\\u0410йгүл".as_bytes())
        }
        // The schema tag changed to kattoo/enrollment/v2.
        "schema v2" => {
            json = replace_first(&json, b"kattoo/enrollment/v1", b"kattoo/enrollment/v2")
        }
        // A field the schema does not have, inserted first (keys stay sorted).
        "unknown field" => json = replace_first(&json, b"{", b"{\"aaa\":1,"),
        other => panic!("case '{}': unknown derivation '{other}'", case.name),
    }
    if case.resign {
        sig = station_key()
            .sign(DOMAIN_ENROLLMENT, &json)
            .to_file()
            .into_bytes();
    }
    (json, sig, pem)
}

fn outcome(json: &[u8], sig: &[u8], pem: &str) -> &'static str {
    let key = PublicKey::from_pem(pem).expect("test keys are valid PEM");
    let sig = match Signature::from_file(sig) {
        Ok(sig) => sig,
        Err(SignatureError::Malformed) => return "malformed signature",
        Err(e) => panic!("unexpected {e}"),
    };
    match verify_record(&key, json, &sig) {
        Ok(_) => "valid",
        Err(RecordError::Signature(SignatureError::Mismatch)) => "bad signature",
        Err(RecordError::Signature(e)) => panic!("unexpected {e}"),
        Err(RecordError::NotCanonical) => "not canonical",
        Err(RecordError::Schema(_) | RecordError::Inconsistent { .. }) => "wrong schema",
        Err(RecordError::Parse(_)) => "not a record",
    }
}

#[test]
fn every_case_has_its_expected_outcome() {
    let cases: Vec<Case> = serde_json::from_slice(&read("cases.json")).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let (json, sig, pem) = derive(case);
        let got = outcome(&json, &sig, &pem);
        if got != case.expect {
            failures.push(format!(
                "{}: expected {}, got {got}",
                case.name, case.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Failures as many as successes, and every outcome represented.
    for expect in [
        "valid",
        "bad signature",
        "malformed signature",
        "not canonical",
        "wrong schema",
        "not a record",
    ] {
        assert!(
            cases.iter().any(|c| c.expect == expect),
            "no '{expect}' case"
        );
    }
}
