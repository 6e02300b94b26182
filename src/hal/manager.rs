//! The devices of a station as the UI sees them: found through the configured backends, watched
//! for unplug and re-plug, each with a status for the health screen, and driven off the UI thread.
//!
//! Every device lives on a worker thread of its own; a poller thread asks each [`DeviceSource`]
//! what is attached every `poll_interval` and opens what is new or came back. The UI calls
//! [`DeviceManager::capture_fingers`], [`DeviceManager::camera_frames`] or
//! [`DeviceManager::still`], gets an `mpsc::Receiver` at once and looks at it with `try_recv`
//! each frame: no call here waits for a device. [`DeviceManager::status`] copies the table under
//! a lock that no device call ever holds.

use super::{
    Backend, Camera, CaptureRequest, DeviceError, DeviceInfo, ErrorKind, FingerImage,
    FingerprintScanner, Frame, Result,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a device is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceKind {
    Camera,
    FingerprintScanner,
}

impl DeviceKind {
    /// The name the CLI prints.
    pub fn name(self) -> &'static str {
        match self {
            Self::Camera => "camera",
            Self::FingerprintScanner => "scanner",
        }
    }
}

/// A device as its backend finds it, before it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub info: DeviceInfo,
    pub kind: DeviceKind,
    /// What the backend opens it by (a V4L2 index, an SBI port, …).
    pub address: String,
}

/// An opened device.
pub enum Opened {
    Camera(Box<dyn Camera>),
    Scanner(Box<dyn FingerprintScanner>),
}

/// One backend's view of what is attached. Called on the poller thread only.
pub trait DeviceSource: Send {
    /// The backend these devices belong to.
    fn backend(&self) -> Backend;

    /// The devices attached now.
    fn present(&mut self) -> Vec<Found>;

    /// Opens one of them.
    fn open(&mut self, found: &Found) -> Result<Opened>;
}

/// Whether a device can be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceState {
    /// Attached and idle.
    Ready,
    /// Attached and working: a capture, a still or the preview.
    Busy,
    /// Not attached (unplugged, or it failed to open); it is opened again when it comes back.
    Missing,
}

impl DeviceState {
    /// The name the CLI prints.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Busy => "busy",
            Self::Missing => "missing",
        }
    }
}

/// One row of the health screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStatus {
    pub info: DeviceInfo,
    pub kind: DeviceKind,
    pub state: DeviceState,
    /// The most recent error of this device, if any.
    pub last_error: Option<DeviceError>,
}

enum Job {
    Capture(CaptureRequest, Sender<Result<Vec<FingerImage>>>),
    Preview(SyncSender<Result<Frame>>),
    Still(Sender<Result<Frame>>),
}

struct Entry {
    status: DeviceStatus,
    /// The worker's job queue; `None` while missing.
    jobs: Option<Sender<Job>>,
    /// Which opening of the device the worker belongs to, so a late report from an old worker
    /// does not overwrite the state of a re-plugged device.
    generation: u64,
}

#[derive(Default)]
struct Table(Mutex<BTreeMap<String, Entry>>);

impl Table {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A worker finished a job: back to Ready (or Busy while the preview runs), Missing on
    /// `Disconnected`, and the error remembered.
    fn report(
        &self,
        id: &str,
        generation: u64,
        error: Option<&DeviceError>,
        still_previewing: bool,
    ) {
        let mut table = self.lock();
        let Some(entry) = table.get_mut(id).filter(|e| e.generation == generation) else {
            return;
        };
        if let Some(e) = error {
            tracing::warn!(device = id, kind = ?e.kind(), error = e.message(), "device call failed");
            entry.status.last_error = Some(e.clone());
        }
        if entry.status.state == DeviceState::Missing {
            return;
        }
        entry.status.state = if error.is_some_and(|e| e.kind() == ErrorKind::Disconnected) {
            entry.jobs = None;
            DeviceState::Missing
        } else if still_previewing {
            DeviceState::Busy
        } else {
            DeviceState::Ready
        };
    }
}

enum Control {
    Refresh(Sender<()>),
    Stop,
}

/// Cameras and scanners of the station, each on a worker thread of its own.
pub struct DeviceManager {
    table: Arc<Table>,
    /// Training mode: the simulated devices go first.
    prefer_simulated: std::sync::atomic::AtomicBool,
    control: Sender<Control>,
    poller: Option<JoinHandle<()>>,
}

impl DeviceManager {
    /// Starts the poller over `sources`; the first look for devices happens at once.
    pub fn with_sources(sources: Vec<Box<dyn DeviceSource>>, poll_interval: Duration) -> Self {
        let table = Arc::new(Table::default());
        let (control, control_rx) = mpsc::channel();
        let poller = {
            let table = table.clone();
            std::thread::Builder::new()
                .name("device poller".into())
                .spawn(move || run_poller(sources, &table, &control_rx, poll_interval))
                .expect("cannot start the device poller thread")
        };
        Self {
            table,
            prefer_simulated: std::sync::atomic::AtomicBool::new(false),
            control,
            poller: Some(poller),
        }
    }

    /// A snapshot of every device seen since start, ordered by device id.
    pub fn status(&self) -> Vec<DeviceStatus> {
        self.table
            .lock()
            .values()
            .map(|e| e.status.clone())
            .collect()
    }

    /// Looks for devices now instead of at the next poll; the receiver hears when it is done.
    pub fn refresh(&self) -> Receiver<()> {
        let (tx, rx) = mpsc::channel();
        let _ = self.control.send(Control::Refresh(tx));
        rx
    }

    /// Captures fingers on the first ready scanner. `Busy` at once if a capture is running,
    /// `Disconnected` at once if no scanner is attached.
    pub fn capture_fingers(&self, request: CaptureRequest) -> Receiver<Result<Vec<FingerImage>>> {
        self.capture_fingers_with(None, request)
    }

    /// Captures fingers on the scanner `device_id` (`backend:serial`), as a device test does.
    pub fn capture_fingers_on(
        &self,
        device_id: &str,
        request: CaptureRequest,
    ) -> Receiver<Result<Vec<FingerImage>>> {
        self.capture_fingers_with(Some(device_id), request)
    }

    fn capture_fingers_with(
        &self,
        only: Option<&str>,
        request: CaptureRequest,
    ) -> Receiver<Result<Vec<FingerImage>>> {
        let (tx, rx) = mpsc::channel();
        match self.claim(DeviceKind::FingerprintScanner, only, false) {
            Ok(jobs) => {
                if let Err(mpsc::SendError(Job::Capture(_, tx))) =
                    jobs.send(Job::Capture(request, tx))
                {
                    let _ = tx.send(Err(worker_gone()));
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        }
        rx
    }

    /// Starts the camera preview (replacing an earlier one). Frames arrive as fast as the camera
    /// gives them, and are dropped while the receiver is full; the stream ends when the camera is
    /// unplugged (after that error) or the receiver is dropped.
    pub fn camera_frames(&self) -> Receiver<Result<Frame>> {
        let (tx, rx) = mpsc::sync_channel(2);
        match self.claim(DeviceKind::Camera, None, true) {
            Ok(jobs) => {
                if jobs.send(Job::Preview(tx.clone())).is_err() {
                    let _ = tx.try_send(Err(worker_gone()));
                }
            }
            Err(e) => {
                let _ = tx.try_send(Err(e));
            }
        }
        rx
    }

    /// Takes a still for the record on the first camera (while the preview runs, too).
    pub fn still(&self) -> Receiver<Result<Frame>> {
        self.still_with(None)
    }

    /// Takes a still on the camera `device_id` (`backend:serial`).
    pub fn still_on(&self, device_id: &str) -> Receiver<Result<Frame>> {
        self.still_with(Some(device_id))
    }

    fn still_with(&self, only: Option<&str>) -> Receiver<Result<Frame>> {
        let (tx, rx) = mpsc::channel();
        match self.claim(DeviceKind::Camera, only, true) {
            Ok(jobs) => {
                if let Err(mpsc::SendError(Job::Still(tx))) = jobs.send(Job::Still(tx)) {
                    let _ = tx.send(Err(worker_gone()));
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        }
        rx
    }

    /// The first attached device of `kind` (or the one named `only`) that can take a job,
    /// marked Busy; a Busy one too when `share_busy` (a still during the preview).
    /// Training mode: use the simulated devices first (`false`: real devices first).
    pub fn set_prefer_simulated(&self, prefer: bool) {
        self.prefer_simulated
            .store(prefer, std::sync::atomic::Ordering::Relaxed);
    }

    /// Sort key of a backend when choosing a device: lower goes first.
    pub fn rank(&self, backend: Backend) -> bool {
        let prefer = self
            .prefer_simulated
            .load(std::sync::atomic::Ordering::Relaxed);
        (backend == Backend::Sim) != prefer
    }

    /// The attached device of `kind` that a capture goes to: ranked as [`Self::rank`] says,
    /// ready before busy. `None` when none is attached.
    pub fn in_use(&self, kind: DeviceKind) -> Option<DeviceStatus> {
        self.status()
            .into_iter()
            .filter(|s| s.kind == kind && s.state != DeviceState::Missing)
            .min_by_key(|s| (self.rank(s.info.backend), s.state != DeviceState::Ready))
    }

    fn claim(&self, kind: DeviceKind, only: Option<&str>, share_busy: bool) -> Result<Sender<Job>> {
        let mut table = self.table.lock();
        let mut busy = None;
        let wanted = |id: &String, e: &Entry| e.status.kind == kind && only.is_none_or(|o| o == id);
        // A simulated device stands in only while no real one of its kind can take the job;
        // in training mode it is the other way round.
        let mut candidates: Vec<&mut Entry> = table
            .iter_mut()
            .filter(|(id, e)| wanted(id, e))
            .map(|(_, e)| e)
            .collect();
        candidates.sort_by_key(|e| self.rank(e.status.info.backend));
        for entry in candidates {
            match (entry.status.state, &entry.jobs) {
                (DeviceState::Ready, Some(jobs)) => {
                    entry.status.state = DeviceState::Busy;
                    return Ok(jobs.clone());
                }
                (DeviceState::Busy, Some(jobs)) if share_busy => return Ok(jobs.clone()),
                (DeviceState::Busy, _) => busy = Some(entry.status.info.device_id()),
                _ => {}
            }
        }
        Err(match busy {
            Some(id) => DeviceError::new(
                ErrorKind::Busy,
                format!("{id} is still working on an earlier request"),
            ),
            None => match only {
                Some(id) => DeviceError::new(
                    ErrorKind::Disconnected,
                    format!("{} {id} is not attached", kind.name()),
                ),
                None => DeviceError::new(
                    ErrorKind::Disconnected,
                    format!("no {} attached", kind.name()),
                ),
            },
        })
    }
}

impl Drop for DeviceManager {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(poller) = self.poller.take() {
            let _ = poller.join();
        }
    }
}

fn worker_gone() -> DeviceError {
    DeviceError::new(
        ErrorKind::Disconnected,
        "the device went away before the request reached it",
    )
}

mod threads;
use threads::run_poller;

mod sources;

pub use sources::{SbiSource, sbi_trust, sources_for};

#[cfg(test)]
mod tests;
