//! The SBI client against the simulator over real HTTP on 127.0.0.1: the happy path and every
//! fault, each ending in the right [`ErrorKind`] and never a panic.

use super::sim::{SignatureFault, SimConfig, SimFaults, SimSbi};
use super::*;
use crate::domain::FingerPosition::*;
use crate::hal::{Camera, CaptureRequest, ErrorKind, FingerSet, FingerprintScanner};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

/// Each simulator of this process gets a port no earlier one used, so a stopped or vanished
/// simulator's port is never taken over by another test running in parallel.
pub(super) fn sim(faults: SimFaults) -> SimSbi {
    static NEXT: AtomicU16 = AtomicU16::new(4501);
    let start = NEXT.fetch_add(1, Ordering::SeqCst);
    let sim = SimSbi::start(SimConfig {
        ports: start..=4600,
        faults,
        signer: Some(pki().1.clone()),
        ..SimConfig::default()
    })
    .expect("simulator starts on a free port in 4501-4600");
    NEXT.fetch_max(sim.port() + 1, Ordering::SeqCst);
    sim
}

/// A test device provider: its CA, and one device certificate it issued (shared by the
/// simulators of these tests; RSA key generation takes a moment).
pub(super) fn pki() -> &'static (certify::DeviceCa, jws::JwsSigner) {
    static PKI: std::sync::OnceLock<(certify::DeviceCa, jws::JwsSigner)> =
        std::sync::OnceLock::new();
    PKI.get_or_init(|| {
        let ca = certify::DeviceCa::generate("kattoo test provider CA").unwrap();
        let device = ca.issue_device_now("kattoo test scanner").unwrap();
        (ca, device)
    })
}

/// Trusts the test provider's CA, outside training.
pub(super) fn trusting_the_test_ca() -> TrustPolicy {
    TrustPolicy {
        training: false,
        trusted: TrustedCertificates {
            anchors: vec![pki().0.certificate().clone()],
            pinned_sha256: Vec::new(),
            source: "the test trust directory".into(),
        },
    }
}

pub(super) fn config(sim: &SimSbi) -> SbiConfig {
    SbiConfig {
        ports: sim.port()..=sim.port(),
        probe_timeout: Duration::from_secs(5),
        capture_margin: Duration::from_millis(1500),
        trust: trusting_the_test_ca(),
        ..SbiConfig::default()
    }
}

fn training(sim: &SimSbi) -> SbiConfig {
    SbiConfig {
        trust: TrustPolicy {
            training: true,
            ..trusting_the_test_ca()
        },
        ..config(sim)
    }
}

fn right_slap_without_ring() -> CaptureRequest {
    CaptureRequest {
        set: FingerSet::RightSlap,
        exceptions: vec![RightRing],
        requested_quality: 40,
        timeout: Duration::from_secs(5),
    }
}

fn scanner(sim: &SimSbi) -> SbiFingerprintScanner {
    SbiFingerprintScanner::find(&config(sim)).expect("the simulated scanner is found")
}

#[test]
fn discovery_over_the_full_range_finds_both_devices() {
    let sim = sim(SimFaults::default());
    let all = SbiConfig {
        probe_timeout: Duration::from_secs(5),
        ..SbiConfig::default()
    };
    let found: Vec<_> = discover(&all, "Biometric Device")
        .into_iter()
        .filter(|d| d.port == sim.port())
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].digital_id.device_type, "Finger");
    assert_eq!(found[0].sub_ids, ["1", "2", "3"]);
    assert_eq!(found[0].status, "Ready");
    assert_eq!(found[1].digital_id.device_type, "Face");
    let faces = discover(&config(&sim), "Face");
    assert_eq!(faces.len(), 1);
}

#[test]
fn device_info_is_signed_by_the_simulator_certificate() {
    let sim = sim(SimFaults::default());
    let infos = SbiClient::new(sim.port(), config(&sim)).info().unwrap();
    assert_eq!(infos.len(), 2);
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(sim.certificate_der()));
    for i in &infos {
        assert_eq!(
            i.trust,
            Trust::Verified {
                certificate_sha256: expected.clone()
            }
        );
        assert_eq!(i.digital_id.make, "kattoo");
    }
}

#[test]
fn right_slap_with_one_exception() {
    let sim = sim(SimFaults::default());
    let mut s = scanner(&sim);
    assert_eq!(s.info().backend, crate::hal::Backend::Sbi);
    assert!(s.info().device_id().starts_with("sbi:KATTOOSIM0001"));
    let first_hash = s.previous_hash().to_string();
    let got = s.capture_checked(&right_slap_without_ring()).unwrap();
    assert!(got.trust.is_verified());
    let positions: Vec<_> = got.value.iter().map(|i| i.position).collect();
    assert_eq!(positions, [RightIndex, RightMiddle, RightLittle]);
    for img in &got.value {
        assert_eq!((img.width, img.height, img.ppi), (388, 374, 500));
        assert_eq!(img.pixels.len(), 388 * 374);
        assert_eq!(img.device_quality, Some(70 + img.position.code()));
        // the record is kept exactly as sent, and it holds the fixture PNG
        let rec = crate::iso19794::FingerRecord::decode(img.iso_record.as_ref().unwrap()).unwrap();
        let png = std::fs::read(sim::default_fixtures().join(format!(
            "fingers/{}_1.png",
            100 + img.position.code() as u32
        )))
        .unwrap();
        assert_eq!(rec.representations[0].image, png);
    }
    // the chain continues from this capture's last hash
    assert_ne!(s.previous_hash(), first_hash);
    assert_eq!(s.previous_hash(), got.hash);
    let thumbs = CaptureRequest {
        set: FingerSet::Thumbs,
        exceptions: vec![],
        ..right_slap_without_ring()
    };
    let two = s.capture(&thumbs).unwrap();
    assert_eq!(
        two.iter().map(|i| i.position).collect::<Vec<_>>(),
        [RightThumb, LeftThumb]
    );
}

#[test]
fn face_still_and_preview_stream() {
    let sim = sim(SimFaults::default());
    let mut cam = SbiCamera::find(&config(&sim)).unwrap();
    for _ in 0..3 {
        let f = cam.frame().unwrap();
        assert_eq!((f.width, f.height), (512, 512));
        assert_eq!(f.rgb.len(), 512 * 512 * 3);
    }
    let still = cam.capture_face().unwrap();
    assert!(still.trust.is_verified());
    assert_eq!(
        (still.value.frame.width, still.value.frame.height),
        (512, 512)
    );
    let record = still.value.frame.iso_record.as_ref().unwrap();
    assert_eq!(&record[..8], b"FAC\x00030\x00");
    assert!(matches!(
        still.value.frame.source.trust,
        crate::hal::Trust::Signed { .. }
    ));
    assert_eq!(still.value.device_quality, Some(85));
    // preview resumes after a still
    assert_eq!(cam.frame().unwrap().width, 512);
    // the scanner's slap preview
    let s = scanner(&sim);
    let mut preview = s
        .preview(FingerSet::LeftSlap, Duration::from_secs(5))
        .unwrap();
    let f = preview.next_frame().unwrap();
    assert_eq!((f.width, f.height), (388, 374));
}

fn capture_error(faults: SimFaults, cfg: impl Fn(&SimSbi) -> SbiConfig) -> crate::hal::DeviceError {
    let sim = sim(SimFaults::default());
    let mut s = SbiFingerprintScanner::find(&cfg(&sim)).unwrap();
    sim.set_faults(faults);
    s.capture(&CaptureRequest {
        timeout: Duration::from_millis(300),
        ..right_slap_without_ring()
    })
    .unwrap_err()
}

#[test]
fn slow_device_times_out() {
    let e = capture_error(
        SimFaults {
            delay: Duration::from_secs(4),
            ..Default::default()
        },
        config,
    );
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

#[test]
fn busy_device() {
    let sim = sim(SimFaults {
        busy: true,
        ..Default::default()
    });
    assert_eq!(
        SbiFingerprintScanner::find(&config(&sim))
            .unwrap_err()
            .kind(),
        ErrorKind::Busy
    );
    let e = capture_error(
        SimFaults {
            busy: true,
            ..Default::default()
        },
        config,
    );
    assert_eq!(e.kind(), ErrorKind::Busy);
    assert_eq!(
        errors::operator_message(&e).map(|m| m.0),
        Some("sbi-error-111")
    );
}

#[test]
fn device_error_codes_map_to_kinds() {
    for (code, kind) in [
        (101, ErrorKind::PoorQuality),
        (106, ErrorKind::Disconnected),
        (109, ErrorKind::NotSupported),
        (103, ErrorKind::Other),
        (503, ErrorKind::Other),
    ] {
        let e = capture_error(
            SimFaults {
                error_code: Some(code),
                ..Default::default()
            },
            config,
        );
        assert_eq!(e.kind(), kind, "code {code}: {e}");
        assert!(e.message().contains(&format!("sbi error {code}")));
    }
}

#[test]
fn low_quality_is_poor_quality() {
    let e = capture_error(
        SimFaults {
            low_quality: true,
            ..Default::default()
        },
        config,
    );
    assert_eq!(e.kind(), ErrorKind::PoorQuality, "{e}");
}

#[test]
fn unsigned_and_badly_signed_data_is_refused() {
    for signature in [SignatureFault::Unsigned, SignatureFault::Bad] {
        let e = capture_error(
            SimFaults {
                signature,
                ..Default::default()
            },
            config,
        );
        assert_eq!(e.kind(), ErrorKind::Untrusted, "{signature:?}");
        assert!(e.message().contains("refused"), "{e}");
        // even discovery-then-open refuses a device whose identity is not signed
        let sim = sim(SimFaults {
            signature,
            ..Default::default()
        });
        assert_eq!(
            SbiFingerprintScanner::find(&config(&sim))
                .unwrap_err()
                .kind(),
            ErrorKind::Untrusted
        );
    }
}

#[test]
fn training_mode_accepts_unverified_data_with_a_warning() {
    for signature in [SignatureFault::Unsigned, SignatureFault::Bad] {
        let sim = sim(SimFaults {
            signature,
            ..Default::default()
        });
        let mut s = SbiFingerprintScanner::find(&training(&sim)).unwrap();
        let got = s.capture_checked(&right_slap_without_ring()).unwrap();
        assert_eq!(got.value.len(), 3);
        assert!(
            matches!(got.trust, Trust::Unverified { .. }),
            "{signature:?}: {:?}",
            got.trust
        );
        assert!(!s.last_trust().unwrap().is_verified());
    }
}

#[test]
fn malformed_json_and_truncated_iso_are_refused() {
    let e = capture_error(
        SimFaults {
            malformed_json: true,
            ..Default::default()
        },
        config,
    );
    assert_eq!(e.kind(), ErrorKind::Other);
    assert!(e.message().contains("malformed JSON"), "{e}");
    let e = capture_error(
        SimFaults {
            truncated_iso: true,
            ..Default::default()
        },
        config,
    );
    assert_eq!(e.kind(), ErrorKind::Other);
    assert!(e.message().contains("iso record"), "{e}");
}

#[test]
fn vanishing_device_is_disconnected() {
    let sim = sim(SimFaults::default());
    let cfg = config(&sim);
    let mut s = SbiFingerprintScanner::find(&cfg).unwrap();
    sim.set_faults(SimFaults {
        vanish: true,
        ..Default::default()
    });
    let e = s.capture(&right_slap_without_ring()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Disconnected, "{e}");
    assert!(!sim.is_running());
    assert!(discover(&cfg, "Finger").is_empty());
    assert_eq!(
        s.capture(&right_slap_without_ring()).unwrap_err().kind(),
        ErrorKind::Disconnected
    );
    assert_eq!(
        SbiFingerprintScanner::find(&cfg).unwrap_err().kind(),
        ErrorKind::Disconnected
    );
}

#[test]
fn broken_hash_chain_and_foreign_transaction_are_refused() {
    let sim = sim(SimFaults::default());
    let client = SbiClient::new(sim.port(), config(&sim));
    let bio = protocol::BioRequest {
        bio_type: "Finger".into(),
        count: "2".into(),
        bio_sub_type: vec![],
        exception: vec![],
        requested_score: "40".into(),
        device_id: "1".into(),
        device_sub_id: "3".into(),
        previous_hash: protocol::initial_hash(),
    };
    let tx = new_transaction_id();
    let body = capture::capture_body("Developer", &tx, Duration::from_secs(5), bio);
    let resp = client.rcapture(&body, Duration::from_secs(5)).unwrap();
    let policy = trusting_the_test_ca();
    assert!(
        capture::check_entries(
            resp.clone(),
            &tx,
            "Finger",
            &protocol::initial_hash(),
            &policy
        )
        .is_ok()
    );
    let other_start = protocol::chain_hash(&protocol::initial_hash(), b"another capture");
    let mut broken = resp.clone();
    broken.biometrics[1].hash = protocol::initial_hash();
    let e = capture::check_entries(broken, &tx, "Finger", &protocol::initial_hash(), &policy)
        .unwrap_err();
    assert!(e.message().contains("hash chain"), "{e}");
    let e = capture::check_entries(resp.clone(), &tx, "Finger", &other_start, &policy).unwrap_err();
    assert!(
        e.message().contains("hash chain"),
        "a chain must start where the request said: {e}"
    );
    let e = capture::check_entries(
        resp.clone(),
        "kattoo-other",
        "Finger",
        &protocol::initial_hash(),
        &policy,
    )
    .unwrap_err();
    assert!(e.message().contains("transaction id"), "{e}");
    let e =
        capture::check_entries(resp, &tx, "Face", &protocol::initial_hash(), &policy).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Other);
}

#[test]
fn no_service_is_disconnected() {
    let mut sim = sim(SimFaults::default());
    let cfg = config(&sim);
    sim.stop();
    assert!(discover(&cfg, "Biometric Device").is_empty());
    assert_eq!(
        SbiClient::new(sim.port(), cfg.clone())
            .info()
            .unwrap_err()
            .kind(),
        ErrorKind::Disconnected
    );
    assert_eq!(
        SbiCamera::find(&cfg).unwrap_err().kind(),
        ErrorKind::Disconnected
    );
}
