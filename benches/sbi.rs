//! SBI benchmarks:
//! - `discovery/full-range`: MOSIPDISC over all of 127.0.0.1:4501–4600 with one simulated device
//!   service present (the others refuse the connection), as the kiosk does at start and on replug.
//! - `discovery/one-port`: the same call against the simulator's port alone, for comparison.
//! - `capture/right-slap`: RCAPTURE of four fingers from the simulator, verified (signature and
//!   certificate chain to a test device-provider CA) and decoded.

use criterion::{Criterion, criterion_group, criterion_main};
use kattoo::hal::sbi::certify::DeviceCa;
use kattoo::hal::sbi::sim::{SimConfig, SimSbi};
use kattoo::hal::sbi::{
    SbiConfig, SbiFingerprintScanner, TrustPolicy, TrustedCertificates, discover,
};
use kattoo::hal::{CaptureRequest, FingerSet, FingerprintScanner};
use std::hint::black_box;
use std::time::Duration;

fn sbi(c: &mut Criterion) {
    let ca = DeviceCa::generate("bench provider CA").expect("a test CA");
    let sim = SimSbi::start(SimConfig {
        signer: Some(
            ca.issue_device_now("bench scanner")
                .expect("a device certificate"),
        ),
        ..SimConfig::default()
    })
    .expect("a free port in 4501-4600");
    let all = SbiConfig::default();
    assert_eq!(
        discover(&all, "Biometric Device")
            .iter()
            .filter(|d| d.port == sim.port())
            .count(),
        2
    );
    eprintln!("simulator on port {}", sim.port());

    let mut g = c.benchmark_group("discovery");
    g.sample_size(30);
    g.bench_function("full-range", |b| {
        b.iter(|| black_box(discover(&all, "Biometric Device")))
    });
    let one = SbiConfig {
        ports: sim.port()..=sim.port(),
        trust: TrustPolicy {
            training: false,
            trusted: TrustedCertificates {
                anchors: vec![ca.certificate().clone()],
                ..Default::default()
            },
        },
        ..SbiConfig::default()
    };
    g.bench_function("one-port", |b| {
        b.iter(|| black_box(discover(&one, "Biometric Device")))
    });
    g.finish();

    let mut scanner = SbiFingerprintScanner::find(&one).expect("simulated scanner");
    let request = CaptureRequest {
        set: FingerSet::RightSlap,
        exceptions: vec![],
        requested_quality: 40,
        timeout: Duration::from_secs(10),
    };
    let mut g = c.benchmark_group("capture");
    g.sample_size(10);
    g.bench_function("right-slap", |b| {
        b.iter(|| black_box(scanner.capture(&request).expect("capture")))
    });
    g.finish();
}

criterion_group!(benches, sbi);
criterion_main!(benches);
