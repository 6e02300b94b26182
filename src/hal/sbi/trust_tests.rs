//! Device trust over real HTTP on 127.0.0.1: only a device whose certificate chains to a trusted
//! device-provider CA (or is pinned) counts, within its validity and allowed to sign, and every
//! capture must be signed by the certificate its MOSIPDINFO reported. The simulator's own
//! self-signed certificate never counts outside training.

use super::certify::DeviceCa;
use super::sim::{SimConfig, SimFaults, SimSbi};
use super::tests::{config, pki, trusting_the_test_ca};
use super::*;
use crate::hal::{CaptureRequest, ErrorKind, FingerSet, FingerprintScanner};
use sha2::Digest;
use std::time::{Duration, SystemTime};

/// A simulator signing with `signer` (its own self-signed certificate when `None`), and with
/// `capture_signer` for capture data when given.
fn sim_signed(signer: Option<jws::JwsSigner>, capture_signer: Option<jws::JwsSigner>) -> SimSbi {
    SimSbi::start(SimConfig {
        ports: 4501..=4600,
        faults: SimFaults::default(),
        signer,
        capture_signer,
        ..SimConfig::default()
    })
    .expect("simulator starts on a free port in 4501-4600")
}

fn open_error(sim: &SimSbi, trust: TrustPolicy) -> String {
    let cfg = SbiConfig {
        trust,
        ..config(sim)
    };
    let e = SbiFingerprintScanner::find(&cfg).expect_err("the device is refused");
    // The operator is told the device is not certified, not that it failed.
    assert_eq!(e.kind(), ErrorKind::Untrusted, "{e}");
    e.message().to_owned()
}

fn thumbs() -> CaptureRequest {
    CaptureRequest {
        set: FingerSet::Thumbs,
        exceptions: vec![],
        requested_quality: 40,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn the_simulators_own_certificate_is_refused_outside_training_and_marked_in_training() {
    let sim = sim_signed(None, None);
    let message = open_error(&sim, trusting_the_test_ca());
    assert!(
        message.contains("does not chain to a trusted device-provider CA"),
        "{message}"
    );
    // Pinning it does not help: a CA certificate's key usage does not allow signing data.
    let pin: [u8; 32] = sha2::Sha256::digest(sim.certificate_der()).into();
    let mut pinned = trusting_the_test_ca();
    pinned.trusted.pinned_sha256 = vec![pin];
    let message = open_error(&sim, pinned);
    assert!(
        message.contains("key usage does not allow signing"),
        "{message}"
    );

    let cfg = SbiConfig {
        trust: TrustPolicy {
            training: true,
            ..trusting_the_test_ca()
        },
        ..config(&sim)
    };
    let mut scanner = SbiFingerprintScanner::find(&cfg).unwrap();
    scanner.capture(&thumbs()).unwrap();
    assert!(matches!(
        scanner.last_trust(),
        Some(Trust::Unverified { reason }) if reason.contains("does not chain")
    ));
}

#[test]
fn with_nothing_trusted_every_device_is_refused() {
    let sim = sim_signed(Some(pki().1.clone()), None);
    let message = open_error(&sim, TrustPolicy::default());
    assert!(
        message.contains("no trusted device-provider certificate is installed"),
        "{message}"
    );
}

#[test]
fn expired_and_not_yet_valid_device_certificates_are_refused() {
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    let expired = pki()
        .0
        .issue_device("expired scanner", now - 400 * day, now - day)
        .unwrap();
    let sim = sim_signed(Some(expired), None);
    let message = open_error(&sim, trusting_the_test_ca());
    assert!(message.contains("device certificate expired"), "{message}");

    let future = pki()
        .0
        .issue_device("future scanner", now + day, now + 400 * day)
        .unwrap();
    let sim = sim_signed(Some(future), None);
    let message = open_error(&sim, trusting_the_test_ca());
    assert!(message.contains("check the station clock"), "{message}");
}

#[test]
fn a_device_certified_through_an_intermediate_ca_is_trusted_and_another_providers_is_not() {
    let intermediate = pki()
        .0
        .intermediate("kattoo test provider issuing CA")
        .unwrap();
    let device = intermediate.issue_device_now("scanner 2").unwrap();
    let sim = sim_signed(Some(device), None);
    let mut scanner = SbiFingerprintScanner::find(&config(&sim)).unwrap();
    scanner.capture(&thumbs()).unwrap();
    assert!(scanner.last_trust().unwrap().is_verified());

    let other = DeviceCa::generate("another provider CA").unwrap();
    let sim = sim_signed(Some(other.issue_device_now("scanner 3").unwrap()), None);
    let message = open_error(&sim, trusting_the_test_ca());
    assert!(message.contains("does not chain"), "{message}");
}

#[test]
fn a_capture_signed_by_another_certificate_than_mosipdinfos_is_refused() {
    let other = pki().0.issue_device_now("another scanner").unwrap();
    let sim = sim_signed(Some(pki().1.clone()), Some(other));
    let mut scanner = SbiFingerprintScanner::find(&config(&sim)).unwrap();
    let err = scanner.capture(&thumbs()).unwrap_err();
    assert!(err.message().contains("MOSIPDINFO"), "{}", err.message());
}

#[test]
fn the_trust_directory_holds_cas_as_anchors_and_device_certificates_as_pins() {
    use x509_cert::der::{Decode, EncodePem};
    let dir = tempfile::tempdir().unwrap();
    let device_pem = x509_cert::Certificate::from_der(pki().1.certificate_der())
        .unwrap()
        .to_pem(x509_cert::der::pem::LineEnding::LF)
        .unwrap();
    std::fs::write(dir.path().join("provider.pem"), pki().0.certificate_pem()).unwrap();
    std::fs::write(dir.path().join("scanner.pem"), device_pem).unwrap();
    std::fs::write(dir.path().join("README"), "not read").unwrap();
    let trusted = TrustedCertificates::load(dir.path()).unwrap();
    assert_eq!((trusted.anchors.len(), trusted.pinned_sha256.len()), (1, 1));
    assert_eq!(&trusted.anchors[0], pki().0.certificate());
    assert!(
        TrustedCertificates::load(&dir.path().join("absent"))
            .unwrap()
            .is_empty()
    );
}

/// A hostile service on 127.0.0.1 answering every request with `body`; its port.
fn hostile_service(body: Vec<u8>) -> u16 {
    let (server, port) = (4501..=4600)
        .find_map(|p| {
            tiny_http::Server::http((std::net::Ipv4Addr::LOCALHOST, p))
                .ok()
                .map(|s| (s, p))
        })
        .expect("a free port in 4501-4600");
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let _ = request.respond(tiny_http::Response::from_data(body.clone()));
        }
    });
    port
}

#[test]
fn an_oversized_discovery_answer_is_cut_off_at_its_budget() {
    let mut body = b"[".to_vec();
    body.resize(client::DISCOVERY_BODY as usize + 1024, b' ');
    body.push(b']');
    let port = hostile_service(body);
    let cfg = SbiConfig {
        ports: port..=port,
        probe_timeout: Duration::from_secs(5),
        ..SbiConfig::default()
    };
    let err = SbiClient::new(port, cfg.clone())
        .discover("Biometric Device")
        .unwrap_err();
    assert!(err.message().contains("MOSIPDISC"), "{}", err.message());
    assert!(discover(&cfg, "Biometric Device").is_empty());
}
