use super::*;
use crate::hal::Camera;

fn request(set: FingerSet) -> CaptureRequest {
    CaptureRequest {
        set,
        exceptions: vec![],
        requested_quality: 40,
        timeout: Duration::from_secs(1),
    }
}

fn finger(position: FingerPosition) -> FingerImage {
    FingerImage {
        position,
        width: 2,
        height: 1,
        ppi: 500,
        pixels: vec![0, 255],
        device_quality: Some(50),
        iso_record: None,
        // What a simulated scanner stamps on every image it returns.
        source: Provenance::simulated("sim:SIM-FP-1"),
    }
}

#[test]
fn a_script_answers_in_order_and_checks_the_set() {
    let image = vec![finger(FingerPosition::LeftThumb)];
    let mut scanner = SimScanner::new([
        ok(image.clone()).expecting(FingerSet::Thumbs),
        err(ErrorKind::Timeout),
        ok(image.clone()),
    ]);
    assert_eq!(scanner.capture(&request(FingerSet::Thumbs)).unwrap(), image);
    assert_eq!(
        scanner
            .capture(&request(FingerSet::LeftSlap))
            .unwrap_err()
            .kind(),
        ErrorKind::Timeout
    );
    assert_eq!(
        scanner.capture(&request(FingerSet::LeftSlap)).unwrap(),
        image
    );
    scanner.finish();
}

#[test]
#[should_panic(expected = "sim scanner: 1 scripted steps were never used")]
fn unused_steps_panic_on_finish() {
    let scanner = SimScanner::new([err(ErrorKind::Busy)]);
    scanner.finish();
}

#[test]
#[should_panic(expected = "sim camera: 2 scripted steps were never used")]
fn unused_steps_panic_when_the_last_clone_drops() {
    let camera = SimCamera::new([err(ErrorKind::Timeout), err(ErrorKind::Timeout)]);
    let clone = camera.clone();
    drop(camera); // a clone still holds the script: no check yet
    drop(clone);
}

#[test]
#[should_panic(expected = "sim scanner: call 2 was not scripted")]
fn a_call_past_the_script_panics() {
    let mut scanner = SimScanner::new([err(ErrorKind::Busy)]);
    let _ = scanner.capture(&request(FingerSet::Thumbs));
    let _ = scanner.capture(&request(FingerSet::Thumbs));
}

#[test]
#[should_panic(expected = "capture of an unexpected finger set")]
fn a_capture_of_the_wrong_set_panics() {
    let mut scanner = SimScanner::new([ok(vec![]).expecting(FingerSet::LeftSlap)]);
    let _ = scanner.capture(&request(FingerSet::RightSlap));
}

#[test]
fn fixtures_serve_each_position_less_exceptions() {
    let mut scanner = SimScanner::fixtures(default_fixtures_dir()).unwrap();
    let mut req = request(FingerSet::LeftSlap);
    req.exceptions = vec![FingerPosition::LeftRing];
    let images = scanner.capture(&req).unwrap();
    let positions: Vec<_> = images.iter().map(|i| i.position).collect();
    use FingerPosition::*;
    assert_eq!(positions, [LeftIndex, LeftMiddle, LeftLittle]);
    for image in &images {
        assert_eq!((image.width, image.height, image.ppi), (388, 374, 500));
        assert_eq!(image.pixels.len(), 388 * 374);
        assert_eq!(image.device_quality, Some(FIXTURE_QUALITY));
    }
    // Each position has its own file: 107 is not 108.
    assert_ne!(images[0].pixels, images[1].pixels);
    scanner.finish(); // nothing to check, must not panic
}

#[test]
fn scanner_faults_unplug_timeout_garbage_low_quality() {
    let mut scanner = SimScanner::fixtures(default_fixtures_dir()).unwrap();
    let faults = scanner.faults();
    let req = request(FingerSet::Single(FingerPosition::RightIndex));
    let good = scanner.capture(&req).unwrap();

    faults.unplug();
    assert!(!faults.is_plugged());
    assert_eq!(
        scanner.capture(&req).unwrap_err().kind(),
        ErrorKind::Disconnected
    );
    faults.replug();

    faults.inject(Fault::Timeout);
    faults.inject(Fault::Garbage);
    faults.inject(Fault::LowQuality);
    assert_eq!(
        scanner.capture(&req).unwrap_err().kind(),
        ErrorKind::Timeout
    );
    let garbage = scanner.capture(&req).unwrap_err();
    assert_eq!(garbage.kind(), ErrorKind::Other);
    assert!(garbage.message().contains("does not decode"), "{garbage}");
    let low = scanner.capture(&req).unwrap();
    assert_eq!(low[0].device_quality, Some(LOW_QUALITY));
    assert!(low[0].pixels.iter().all(|&v| v >= 200));
    // The queue is empty again.
    assert_eq!(scanner.capture(&req).unwrap(), good);
}

#[test]
fn camera_fixture_serves_the_astronaut_and_plays_faults() {
    let mut camera = SimCamera::fixtures(default_fixtures_dir(), Duration::ZERO).unwrap();
    let frame = camera.frame().unwrap();
    assert_eq!(
        (frame.width, frame.height, frame.rgb.len()),
        (1280, 720, 1280 * 720 * 3)
    );
    assert_eq!(camera.still().unwrap(), frame);

    let faults = camera.faults();
    faults.inject(Fault::LowQuality);
    let dark = camera.frame().unwrap();
    assert_eq!(dark.rgb[0], frame.rgb[0] / 4);
    faults.inject(Fault::Garbage);
    assert_eq!(camera.frame().unwrap_err().kind(), ErrorKind::Other);
    faults.unplug();
    assert_eq!(camera.frame().unwrap_err().kind(), ErrorKind::Disconnected);
}

#[test]
fn a_gated_step_answers_once_opened() {
    let (step, gate) = ok(vec![]).gated();
    let mut scanner = SimScanner::new([step]);
    let handle = scanner.clone();
    let capture = std::thread::spawn(move || scanner.capture(&request(FingerSet::Thumbs)));
    gate.open();
    assert_eq!(capture.join().unwrap().unwrap(), vec![]);
    handle.finish();
}
