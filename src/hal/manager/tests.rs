use super::*;
use crate::domain::FingerPosition;
use crate::hal::sim::{self, SimCamera, SimScanner, SimSource, err, ok};
use crate::hal::{FingerSet, Provenance};

/// Only [`DeviceManager::refresh`] polls in these tests.
const NEVER: Duration = Duration::from_secs(3600);
/// A guard against a hung test, not a timing expectation.
const LIVENESS: Duration = Duration::from_secs(60);

fn manager(source: SimSource) -> DeviceManager {
    let m = DeviceManager::with_sources(vec![Box::new(source)], NEVER);
    m.refresh().recv_timeout(LIVENESS).unwrap();
    m
}

fn request() -> CaptureRequest {
    CaptureRequest {
        set: FingerSet::Thumbs,
        exceptions: vec![],
        requested_quality: 40,
        timeout: Duration::from_secs(1),
    }
}

fn thumb() -> Vec<FingerImage> {
    vec![FingerImage {
        position: FingerPosition::RightThumb,
        width: 1,
        height: 1,
        ppi: 500,
        pixels: vec![7],
        device_quality: Some(60),
        iso_record: None,
        source: Provenance::simulated("sim:SIM-FP-1"),
    }]
}

fn states(m: &DeviceManager) -> Vec<(String, DeviceState, Option<ErrorKind>)> {
    m.status()
        .into_iter()
        .map(|s| (s.info.device_id(), s.state, s.last_error.map(|e| e.kind())))
        .collect()
}

#[test]
fn unplug_and_replug_are_noticed() {
    let scanner = SimScanner::fixtures(sim::default_fixtures_dir()).unwrap();
    let faults = scanner.faults();
    let m = manager(SimSource::new().with_scanner(scanner));
    let id = "sim:SIM-FP-1".to_owned();
    assert_eq!(states(&m), [(id.clone(), DeviceState::Ready, None)]);
    assert_eq!(m.status()[0].kind, DeviceKind::FingerprintScanner);

    faults.unplug();
    m.refresh().recv_timeout(LIVENESS).unwrap();
    assert_eq!(
        states(&m),
        [(
            id.clone(),
            DeviceState::Missing,
            Some(ErrorKind::Disconnected)
        )]
    );
    let e = m
        .capture_fingers(request())
        .recv_timeout(LIVENESS)
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Disconnected);

    faults.replug();
    m.refresh().recv_timeout(LIVENESS).unwrap();
    assert_eq!(states(&m)[0].1, DeviceState::Ready);
    let images = m
        .capture_fingers(request())
        .recv_timeout(LIVENESS)
        .unwrap()
        .unwrap();
    assert_eq!(images.len(), 2);
}

#[test]
fn a_capture_reports_through_the_channel() {
    let scanner = SimScanner::new([
        ok(thumb()).expecting(FingerSet::Thumbs),
        err(ErrorKind::Timeout),
    ]);
    let m = manager(SimSource::new().with_scanner(scanner.clone()));
    assert_eq!(
        m.capture_fingers(request())
            .recv_timeout(LIVENESS)
            .unwrap()
            .unwrap(),
        thumb()
    );
    let e = m
        .capture_fingers(request())
        .recv_timeout(LIVENESS)
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    // The reply comes after the status is updated: a timeout leaves the scanner ready.
    assert_eq!(states(&m)[0].1, DeviceState::Ready);
    assert_eq!(states(&m)[0].2, Some(ErrorKind::Timeout));
    scanner.finish();
}

#[test]
fn busy_while_a_capture_runs() {
    let (held, gate) = ok(thumb()).gated();
    let scanner = SimScanner::new([held, ok(vec![])]);
    let m = manager(SimSource::new().with_scanner(scanner.clone()));
    let first = m.capture_fingers(request());
    assert_eq!(states(&m)[0].1, DeviceState::Busy);
    let second = m
        .capture_fingers(request())
        .try_recv()
        .expect("answered at once")
        .unwrap_err();
    assert_eq!(second.kind(), ErrorKind::Busy);
    assert!(first.try_recv().is_err(), "still capturing");
    gate.open();
    assert_eq!(first.recv_timeout(LIVENESS).unwrap().unwrap(), thumb());
    assert_eq!(states(&m)[0].1, DeviceState::Ready);
    assert_eq!(
        m.capture_fingers(request())
            .recv_timeout(LIVENESS)
            .unwrap()
            .unwrap(),
        vec![]
    );
    scanner.finish();
}

#[test]
fn a_disconnected_call_marks_missing_and_the_next_poll_reopens() {
    let scanner = SimScanner::new([err(ErrorKind::Disconnected), ok(thumb())]);
    let m = manager(SimSource::new().with_scanner(scanner.clone()));
    let e = m
        .capture_fingers(request())
        .recv_timeout(LIVENESS)
        .unwrap()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Disconnected);
    assert_eq!(states(&m)[0].1, DeviceState::Missing);
    m.refresh().recv_timeout(LIVENESS).unwrap();
    assert_eq!(states(&m)[0].1, DeviceState::Ready);
    assert_eq!(
        m.capture_fingers(request())
            .recv_timeout(LIVENESS)
            .unwrap()
            .unwrap(),
        thumb()
    );
    scanner.finish();
}

#[test]
fn nothing_attached_answers_at_once() {
    let m = manager(SimSource::new());
    assert!(m.status().is_empty());
    let e = m
        .capture_fingers(request())
        .try_recv()
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Disconnected, "no scanner attached")
    );
    let e = m.still().try_recv().unwrap().unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Disconnected, "no camera attached")
    );
}

#[test]
fn preview_and_still_then_unplug_ends_the_stream() {
    let camera = SimCamera::fixtures(sim::default_fixtures_dir(), Duration::ZERO).unwrap();
    let faults = camera.faults();
    let m = manager(
        SimSource::new()
            .with_camera(camera)
            .with_scanner(SimScanner::new([])),
    );
    let frames = m.camera_frames();
    let frame = frames.recv_timeout(LIVENESS).unwrap().unwrap();
    assert_eq!((frame.width, frame.height), (1280, 720));
    let ids: Vec<_> = states(&m)
        .into_iter()
        .map(|(id, state, _)| (id, state))
        .collect();
    assert_eq!(
        ids,
        [
            ("sim:SIM-CAM-1".into(), DeviceState::Busy),
            ("sim:SIM-FP-1".into(), DeviceState::Ready)
        ]
    );
    // A still while the preview runs.
    assert_eq!(m.still().recv_timeout(LIVENESS).unwrap().unwrap(), frame);

    faults.unplug();
    // Frames already queued, maybe the error, then the end of the stream.
    let mut errors = Vec::new();
    loop {
        match frames.recv_timeout(LIVENESS) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => errors.push(e.kind()),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("the preview did not end"),
        }
    }
    assert!(
        errors.iter().all(|k| *k == ErrorKind::Disconnected),
        "{errors:?}"
    );
    assert_eq!(
        states(&m)[0],
        (
            "sim:SIM-CAM-1".into(),
            DeviceState::Missing,
            Some(ErrorKind::Disconnected)
        )
    );
}

/// A source that passes its simulated devices off as real (UVC) ones.
struct PassedOffAsReal(SimSource);

impl DeviceSource for PassedOffAsReal {
    fn backend(&self) -> Backend {
        Backend::Uvc
    }
    fn present(&mut self) -> Vec<Found> {
        let mut found = self.0.present();
        for f in &mut found {
            f.info.backend = Backend::Uvc;
        }
        found
    }
    fn open(&mut self, found: &Found) -> Result<Opened> {
        self.0.open(found)
    }
}

#[test]
fn a_real_device_goes_before_the_simulated_one_except_in_training() {
    let mut marked = thumb();
    marked[0].pixels = vec![200];
    // Whatever a simulated scanner returns is stamped with its own id.
    marked[0].source = Provenance::simulated("sim:REAL-1");
    let real = SimScanner::new([ok(marked.clone()), ok(marked.clone())]).with_serial("REAL-1");
    let simulated = SimScanner::new([ok(thumb())]);
    let m = DeviceManager::with_sources(
        vec![
            Box::new(SimSource::new().with_scanner(simulated)),
            Box::new(PassedOffAsReal(SimSource::new().with_scanner(real))),
        ],
        NEVER,
    );
    m.refresh().recv_timeout(LIVENESS).unwrap();
    let capture = |m: &DeviceManager| {
        let rx = m.capture_fingers(request());
        rx.recv_timeout(LIVENESS).unwrap().unwrap()
    };
    assert_eq!(capture(&m), marked, "the real scanner");
    assert_eq!(capture(&m), marked, "still the real scanner");
    m.set_prefer_simulated(true);
    assert_eq!(capture(&m), thumb(), "training: the simulated scanner");
}
