//! Simulated devices, for tests, training mode and demos without hardware.
//!
//! Two modes. A **script** is a list of expected calls and their answers, as `embedded-hal-mock`
//! does: `SimScanner::new([ok(images), err(ErrorKind::Timeout), ok(images)])`. Each call takes the
//! next step; a call past the end panics, and so does dropping the last clone of a script with
//! steps left unused (or [`SimScanner::finish`], which checks at once). **Fixtures** serve
//! `fixtures/fingers/1NN_1.png` (finger position NN−100) and `fixtures/faces/astronaut.png` forever.
//!
//! Both modes share a [`SimFaults`] handle that plays the faults of real hardware: unplug and
//! re-plug (both modes), and in fixture mode a timeout, garbage bytes (fed through the same
//! decoders a real backend uses) and a low-quality capture; a script says its own faults.

use super::manager::{DeviceKind, DeviceSource, Found, Opened};
use super::{
    Backend, CaptureRequest, DeviceError, DeviceInfo, ErrorKind, FingerImage, FingerSet,
    FingerprintScanner, Provenance, Result,
};
use crate::domain::FingerPosition;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The device quality that fixture captures report.
pub const FIXTURE_QUALITY: u8 = 85;
/// The device quality that a low-quality fault reports.
pub const LOW_QUALITY: u8 = 15;

/// Bytes that no image decoder accepts, served by the garbage fault.
const GARBAGE: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00garbage from a simulated device";

/// One scripted call: what the device answers, and optionally what it expects to be asked.
pub struct Step<T> {
    answer: Result<T>,
    expect_set: Option<FingerSet>,
    gate: Option<Gate>,
}

/// A step that answers `value`.
pub fn ok<T>(value: T) -> Step<T> {
    Step {
        answer: Ok(value),
        expect_set: None,
        gate: None,
    }
}

/// A step that fails with `kind`.
pub fn err<T>(kind: ErrorKind) -> Step<T> {
    let message = format!("scripted {kind:?}");
    Step {
        answer: Err(DeviceError::new(kind, message)),
        expect_set: None,
        gate: None,
    }
}

impl<T> Step<T> {
    /// The call must be a capture of `set` (scanners only); another set panics.
    pub fn expecting(mut self, set: FingerSet) -> Self {
        self.expect_set = Some(set);
        self
    }

    /// The call does not answer until the returned [`Gate`] is opened: a capture "in progress"
    /// that a test controls without sleeping.
    pub fn gated(mut self) -> (Self, Gate) {
        let gate = Gate::default();
        self.gate = Some(gate.clone());
        (self, gate)
    }
}

/// Holds a gated step's answer back until [`Gate::open`].
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    /// Lets the held call answer.
    pub fn open(&self) {
        *self.0.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.0.1.notify_all();
    }

    fn wait(&self) {
        let mut open = self.0.0.lock().unwrap_or_else(PoisonError::into_inner);
        while !*open {
            open = self.0.1.wait(open).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

struct Script<T> {
    device: &'static str,
    steps: VecDeque<Step<T>>,
    used: usize,
}

impl<T> Script<T> {
    fn next(&mut self) -> Step<T> {
        self.used += 1;
        self.steps.pop_front().unwrap_or_else(|| {
            panic!(
                "{}: call {} was not scripted (the script had {} steps)",
                self.device,
                self.used,
                self.used - 1
            )
        })
    }

    fn check_used(&self) {
        if !self.steps.is_empty() {
            panic!(
                "{}: {} scripted steps were never used",
                self.device,
                self.steps.len()
            );
        }
    }
}

impl<T> Drop for Script<T> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.check_used();
        }
    }
}

/// A fault to play on the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The call fails with [`ErrorKind::Timeout`].
    Timeout,
    /// The device sends bytes that do not decode.
    Garbage,
    /// The capture succeeds but is poor: washed-out fingers or a dark face.
    LowQuality,
}

#[derive(Default)]
struct FaultState {
    unplugged: bool,
    queued: VecDeque<Fault>,
}

/// Fault injection shared by a simulated device, its clones and whoever plays the faults.
#[derive(Clone, Default)]
pub struct SimFaults(Arc<Mutex<FaultState>>);

impl SimFaults {
    fn lock(&self) -> MutexGuard<'_, FaultState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pulls the cable: calls fail with `Disconnected` and discovery no longer lists the device.
    pub fn unplug(&self) {
        self.lock().unplugged = true;
    }

    /// Plugs it back in.
    pub fn replug(&self) {
        self.lock().unplugged = false;
    }

    /// Whether the device is plugged in.
    pub fn is_plugged(&self) -> bool {
        !self.lock().unplugged
    }

    /// Plays `fault` on the next fixture-mode call (faults queue in order).
    pub fn inject(&self, fault: Fault) {
        self.lock().queued.push_back(fault);
    }

    fn check_plugged(&self) -> Result<()> {
        if self.lock().unplugged {
            return Err(DeviceError::new(
                ErrorKind::Disconnected,
                "simulated device unplugged",
            ));
        }
        Ok(())
    }

    fn next_fault(&self) -> Option<Fault> {
        self.lock().queued.pop_front()
    }
}

enum Source<T> {
    Script(Arc<Mutex<Script<T>>>),
    Fixtures,
}

impl<T> Clone for Source<T> {
    fn clone(&self) -> Self {
        match self {
            Self::Script(s) => Self::Script(s.clone()),
            Self::Fixtures => Self::Fixtures,
        }
    }
}

impl<T> Source<T> {
    fn script(device: &'static str, steps: impl IntoIterator<Item = Step<T>>) -> Self {
        Self::Script(Arc::new(Mutex::new(Script {
            device,
            steps: steps.into_iter().collect(),
            used: 0,
        })))
    }

    /// Takes the next scripted step (without holding the lock while a gate is closed).
    fn next_step(&self) -> Option<Step<T>> {
        match self {
            Self::Script(s) => {
                let step = s.lock().unwrap_or_else(PoisonError::into_inner).next();
                if let Some(gate) = &step.gate {
                    gate.wait();
                }
                Some(step)
            }
            Self::Fixtures => None,
        }
    }

    fn finish(&self) {
        if let Self::Script(s) = self {
            s.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .check_used();
        }
    }
}

/// A simulated fingerprint scanner. Clones share the script and the faults.
#[derive(Clone)]
pub struct SimScanner {
    info: DeviceInfo,
    source: Source<Vec<FingerImage>>,
    fingers: Arc<Vec<FingerImage>>,
    faults: SimFaults,
}

impl SimScanner {
    /// A scanner that answers captures with `steps`, in order.
    pub fn new(steps: impl IntoIterator<Item = Step<Vec<FingerImage>>>) -> Self {
        Self {
            info: sim_info("Simulated scanner", "SIM-FP-1"),
            source: Source::script("sim scanner", steps),
            fingers: Arc::new(Vec::new()),
            faults: SimFaults::default(),
        }
    }

    /// A scanner that serves `<dir>/fingers/1NN_1.png` for position NN forever.
    pub fn fixtures(dir: &Path) -> Result<Self> {
        let fingers = FingerPosition::ALL
            .into_iter()
            .map(|p| {
                let path = dir
                    .join("fingers")
                    .join(format!("{}_1.png", 100 + u32::from(p.code())));
                let bytes = std::fs::read(&path).map_err(|e| {
                    DeviceError::new(
                        ErrorKind::Other,
                        format!("sim scanner: cannot read {}: {e}", path.display()),
                    )
                })?;
                decode_finger(p, &bytes)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            info: sim_info("Simulated scanner", "SIM-FP-1"),
            source: Source::Fixtures,
            fingers: Arc::new(fingers),
            faults: SimFaults::default(),
        })
    }

    /// The same scanner with another serial number (to simulate two).
    pub fn with_serial(mut self, serial: &str) -> Self {
        self.info.serial = serial.to_owned();
        self
    }

    /// The fault handle (shared with every clone).
    pub fn faults(&self) -> SimFaults {
        self.faults.clone()
    }

    /// Panics unless every scripted step was used (nothing to check in fixture mode).
    pub fn finish(&self) {
        self.source.finish();
    }
}

impl FingerprintScanner for SimScanner {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Whatever a simulated scanner returns, scripted or from fixtures, is simulated.
    fn capture(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>> {
        let source = Provenance::simulated(self.info.device_id());
        let images = self.answer(request)?;
        Ok(images
            .into_iter()
            .map(|image| FingerImage {
                source: source.clone(),
                ..image
            })
            .collect())
    }
}

impl SimScanner {
    fn answer(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>> {
        self.faults.check_plugged()?;
        if let Some(step) = self.source.next_step() {
            if let Some(expected) = step.expect_set {
                assert_eq!(
                    request.set, expected,
                    "sim scanner: capture of an unexpected finger set"
                );
            }
            return step.answer;
        }
        let fault = self.faults.next_fault();
        match fault {
            Some(Fault::Timeout) => Err(DeviceError::new(ErrorKind::Timeout, "simulated timeout")),
            Some(Fault::Garbage) => {
                decode_finger(FingerPosition::RightThumb, GARBAGE).map(|_| Vec::new())
            }
            fault => Ok(request
                .set
                .positions()
                .into_iter()
                .filter(|p| !request.exceptions.contains(p))
                .map(|p| {
                    let mut image = self.fingers[usize::from(p.code() - 1)].clone();
                    if fault == Some(Fault::LowQuality) {
                        // Washed out: little contrast left, as a dry finger on a dirty platen.
                        image.pixels.iter_mut().for_each(|v| *v = 200 + *v / 5);
                        image.device_quality = Some(LOW_QUALITY);
                    }
                    image
                })
                .collect()),
        }
    }
}

/// The simulated devices of a station, for the device manager: a device is listed while it is
/// plugged in ([`SimFaults::unplug`]) and opening it hands out a clone.
#[derive(Clone, Default)]
pub struct SimSource {
    scanners: Vec<SimScanner>,
    cameras: Vec<SimCamera>,
}

impl SimSource {
    /// No devices yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One fixture scanner and one fixture camera from `dir` (training mode, demos).
    pub fn fixtures(dir: &Path, frame_interval: Duration) -> Result<Self> {
        Ok(Self::new()
            .with_scanner(SimScanner::fixtures(dir)?)
            .with_camera(SimCamera::fixtures(dir, frame_interval)?))
    }

    /// Adds a scanner.
    pub fn with_scanner(mut self, scanner: SimScanner) -> Self {
        self.scanners.push(scanner);
        self
    }

    /// Adds a camera.
    pub fn with_camera(mut self, camera: SimCamera) -> Self {
        self.cameras.push(camera);
        self
    }
}

impl DeviceSource for SimSource {
    fn backend(&self) -> Backend {
        Backend::Sim
    }

    fn present(&mut self) -> Vec<Found> {
        let scanners = self
            .scanners
            .iter()
            .filter(|s| s.faults.is_plugged())
            .map(|s| (&s.info, DeviceKind::FingerprintScanner));
        let cameras = self
            .cameras
            .iter()
            .filter(|c| c.faults.is_plugged())
            .map(|c| (&c.info, DeviceKind::Camera));
        scanners
            .chain(cameras)
            .map(|(info, kind)| Found {
                info: info.clone(),
                kind,
                address: info.serial.clone(),
            })
            .collect()
    }

    fn open(&mut self, found: &Found) -> Result<Opened> {
        let serial = &found.info.serial;
        let scanner = self
            .scanners
            .iter()
            .find(|s| &s.info.serial == serial && found.kind == DeviceKind::FingerprintScanner);
        let camera = self
            .cameras
            .iter()
            .find(|c| &c.info.serial == serial && found.kind == DeviceKind::Camera);
        match (scanner, camera) {
            (Some(s), _) if s.faults.is_plugged() => Ok(Opened::Scanner(Box::new(s.clone()))),
            (_, Some(c)) if c.faults.is_plugged() => Ok(Opened::Camera(Box::new(c.clone()))),
            _ => Err(DeviceError::new(
                ErrorKind::Disconnected,
                format!("sim device {serial} is not plugged in"),
            )),
        }
    }
}

fn sim_info(model: &str, serial: &str) -> DeviceInfo {
    DeviceInfo {
        make: "kattoo".into(),
        model: model.into(),
        serial: serial.into(),
        backend: Backend::Sim,
    }
}

/// Decodes a PNG finger image as a device backend would, refusing what does not decode.
fn decode_finger(position: FingerPosition, bytes: &[u8]) -> Result<FingerImage> {
    let gray = crate::domain::imaging::decode(bytes, Some(image::ImageFormat::Png))
        .map_err(|e| {
            DeviceError::new(
                ErrorKind::Other,
                format!("sim scanner: {position} image does not decode: {e}"),
            )
        })?
        .to_luma8();
    Ok(FingerImage {
        position,
        width: gray.width(),
        height: gray.height(),
        ppi: 500,
        pixels: gray.into_raw(),
        device_quality: Some(FIXTURE_QUALITY),
        iso_record: None,
        source: Provenance::simulated("sim:fixtures"),
    })
}

/// The repository's `fixtures/` directory (where tests and development builds find sim data).
pub fn default_fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

mod camera;
pub use camera::{SimCamera, kiosk_framing};

#[cfg(test)]
mod tests;
