//! Image-capable fingerprint readers through libfprint (Linux, cargo feature `libfprint`).
//!
//! For the cheap single-finger USB readers that have no SBI service. libfprint's objects belong
//! to the thread that made them, so one thread owns the libfprint context and every device;
//! [`LibfprintSource`] and each [`LibfprintScanner`] talk to it over channels. These readers
//! take one finger at a time and give no quality score: a request for a slap or the thumbs is
//! `NotSupported`, and `device_quality` is `None`.
//!
//! Tested with libfprint's `virtual_image` driver, which appears when `FP_VIRTUAL_IMAGE` names
//! a socket path and captures the image written to that socket.

use super::manager::{DeviceKind, DeviceSource, Found, Opened};
use super::{
    Backend, CaptureRequest, DeviceError, DeviceInfo, ErrorKind, FingerImage, FingerSet,
    FingerprintScanner, Provenance, Result,
};
use gio::prelude::CancellableExt;
use libfprint_rs::{Cancellable, FpContext, FpDevice, GError};
use std::collections::HashMap;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

enum Command {
    List(Sender<Vec<Found>>),
    Capture {
        address: String,
        request: CaptureRequest,
        reply: Sender<Result<Vec<FingerImage>>>,
    },
}

/// The libfprint readers attached, found and driven by one thread.
pub struct LibfprintSource {
    commands: Sender<Command>,
}

impl LibfprintSource {
    /// Starts the libfprint thread.
    pub fn start() -> Result<Self> {
        let (commands, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("libfprint".into())
            .spawn(move || run(rx))
            .map_err(|e| {
                DeviceError::new(
                    ErrorKind::Other,
                    format!("cannot start the libfprint thread: {e}"),
                )
            })?;
        Ok(Self { commands })
    }
}

fn thread_gone() -> DeviceError {
    DeviceError::new(ErrorKind::Other, "the libfprint thread has ended")
}

impl DeviceSource for LibfprintSource {
    fn backend(&self) -> Backend {
        Backend::Libfprint
    }

    fn present(&mut self) -> Vec<Found> {
        let (tx, rx) = mpsc::channel();
        if self.commands.send(Command::List(tx)).is_err() {
            return Vec::new();
        }
        rx.recv().unwrap_or_default()
    }

    fn open(&mut self, found: &Found) -> Result<Opened> {
        Ok(Opened::Scanner(Box::new(LibfprintScanner {
            info: found.info.clone(),
            address: found.address.clone(),
            commands: self.commands.clone(),
        })))
    }
}

/// One libfprint reader.
pub struct LibfprintScanner {
    info: DeviceInfo,
    address: String,
    commands: Sender<Command>,
}

impl FingerprintScanner for LibfprintScanner {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn capture(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>> {
        let (reply, rx) = mpsc::channel();
        let command = Command::Capture {
            address: self.address.clone(),
            request: request.clone(),
            reply,
        };
        self.commands.send(command).map_err(|_| thread_gone())?;
        rx.recv().map_err(|_| thread_gone())?
    }
}

fn run(commands: mpsc::Receiver<Command>) {
    let context = FpContext::new();
    let mut opened: HashMap<String, FpDevice> = HashMap::new();
    for command in commands {
        // Let libfprint see devices come and go (udev events wait on the main context).
        let main = glib::MainContext::default();
        while main.pending() {
            main.iteration(false);
        }
        let devices = context.devices();
        match command {
            Command::List(reply) => {
                let found = devices
                    .iter()
                    .filter(|d| can_capture(d))
                    .map(|d| Found {
                        info: info(d),
                        kind: DeviceKind::FingerprintScanner,
                        address: d.device_id(),
                    })
                    .collect();
                opened.retain(|id, _| devices.iter().any(|d| &d.device_id() == id));
                let _ = reply.send(found);
            }
            Command::Capture {
                address,
                request,
                reply,
            } => {
                let result = match devices.iter().find(|d| d.device_id() == address) {
                    None => Err(DeviceError::new(
                        ErrorKind::Disconnected,
                        format!("libfprint device {address} is gone"),
                    )),
                    Some(device) => capture(device, &request, &mut opened),
                };
                if result
                    .as_ref()
                    .is_err_and(|e| e.kind() == ErrorKind::Disconnected)
                {
                    opened.remove(&address);
                }
                let _ = reply.send(result);
            }
        }
    }
}

/// Whether the reader gives images (match-on-chip readers do not). libfprint-rs does not export
/// its feature enum, so the feature is recognised by name.
fn can_capture(device: &FpDevice) -> bool {
    device
        .features()
        .iter()
        .any(|f| format!("{f:?}") == "Capture")
}

fn info(device: &FpDevice) -> DeviceInfo {
    DeviceInfo {
        make: device.driver(),
        model: device.name(),
        serial: device.device_id(),
        backend: Backend::Libfprint,
    }
}

fn capture(
    device: &FpDevice,
    request: &CaptureRequest,
    opened: &mut HashMap<String, FpDevice>,
) -> Result<Vec<FingerImage>> {
    let FingerSet::Single(position) = request.set else {
        return Err(DeviceError::new(
            ErrorKind::NotSupported,
            "this reader takes one finger at a time",
        ));
    };
    if request.exceptions.contains(&position) {
        return Ok(Vec::new());
    }
    if let std::collections::hash_map::Entry::Vacant(slot) = opened.entry(device.device_id()) {
        if !device.is_open() {
            device.open_sync(None).map_err(|e| device_error(&e))?;
        }
        slot.insert(device.clone());
    }
    // The capture waits for a finger; cancel it when the request's time is up.
    let cancellable = Cancellable::new();
    let (done, timer_rx) = mpsc::channel::<()>();
    let timer = {
        let cancellable = cancellable.clone();
        let timeout = request.timeout.max(Duration::from_millis(1));
        std::thread::spawn(move || {
            if timer_rx.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
                cancellable.cancel();
            }
        })
    };
    let image = device.capture_sync(true, Some(&cancellable));
    let _ = done.send(());
    let _ = timer.join();
    let image = image.map_err(|e| device_error(&e))?;
    let (width, height) = (image.width(), image.height());
    let pixels = image.data();
    if pixels.len() != width as usize * height as usize {
        return Err(DeviceError::new(
            ErrorKind::Other,
            format!(
                "libfprint image of {width}x{height} came with {} bytes",
                pixels.len()
            ),
        ));
    }
    let ppmm = image.ppmm();
    let ppi = if ppmm > 0.0 {
        (ppmm * 25.4).round() as u32
    } else {
        500
    };
    Ok(vec![FingerImage {
        position,
        width,
        height,
        ppi,
        pixels,
        device_quality: None,
        iso_record: None,
        source: provenance(&info(device)),
    }])
}

/// A reader libfprint drives is the station's own hardware, except libfprint's virtual image
/// device, which plays back images sent to a socket (libfprint's tests and demonstrations).
fn provenance(info: &DeviceInfo) -> Provenance {
    if info.make == "virtual_image" {
        Provenance::simulated(info.device_id())
    } else {
        Provenance::attached(info.device_id())
    }
}

/// `FpDeviceError` codes (libfprint's fp-device.h) and GIO's "cancelled".
fn device_error(e: &GError) -> DeviceError {
    const NOT_SUPPORTED: i32 = 1;
    const BUSY: i32 = 4;
    const REMOVED: i32 = 0x100;
    const IO_CANCELLED: i32 = 19;
    let kind = match (e.domain().as_str().as_str(), e.code()) {
        ("fp-device-error-quark", REMOVED) => ErrorKind::Disconnected,
        ("fp-device-error-quark", BUSY) => ErrorKind::Busy,
        ("fp-device-error-quark", NOT_SUPPORTED) => ErrorKind::NotSupported,
        ("g-io-error-quark", IO_CANCELLED) => ErrorKind::Timeout,
        _ => ErrorKind::Other,
    };
    DeviceError::new(kind, format!("libfprint: {}", e.message()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FingerPosition;
    use std::io::Write;

    /// libfprint's virtual_image driver: the path in FP_VIRTUAL_IMAGE is a socket it listens on;
    /// writing `width`, `height` (native i32) and the gray pixels puts a finger on the reader.
    #[test]
    fn virtual_image_reader_captures_what_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("virtual-image.socket");
        // SAFETY: set before any libfprint context exists; no other test reads this variable.
        unsafe { std::env::set_var("FP_VIRTUAL_IMAGE", &socket) };
        let mut source = LibfprintSource::start().unwrap();
        let found = source.present();
        let virtual_reader = found
            .iter()
            .find(|f| f.info.make == "virtual_image")
            .unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(virtual_reader.kind, DeviceKind::FingerprintScanner);
        let Opened::Scanner(mut scanner) = source.open(virtual_reader).unwrap() else {
            panic!("a scanner")
        };

        let png = image::open(crate::hal::sim::default_fixtures_dir().join("fingers/102_1.png"))
            .unwrap()
            .to_luma8();
        let (w, h) = png.dimensions();
        let sender = std::thread::spawn(move || {
            // The driver creates the socket when the device opens, which the capture does.
            let mut stream = loop {
                match std::os::unix::net::UnixStream::connect(&socket) {
                    Ok(s) => break s,
                    Err(_) => std::thread::yield_now(),
                }
            };
            stream.write_all(&(w as i32).to_ne_bytes()).unwrap();
            stream.write_all(&(h as i32).to_ne_bytes()).unwrap();
            stream.write_all(png.as_raw()).unwrap();
            stream
        });
        let request = CaptureRequest {
            set: FingerSet::Single(FingerPosition::RightIndex),
            exceptions: vec![],
            requested_quality: 40,
            timeout: Duration::from_secs(60),
        };
        let images = scanner.capture(&request).unwrap();
        let expected =
            image::open(crate::hal::sim::default_fixtures_dir().join("fingers/102_1.png"))
                .unwrap()
                .to_luma8()
                .into_raw();
        let _stream = sender.join().unwrap();
        assert_eq!(images.len(), 1);
        assert_eq!(
            (images[0].position, images[0].width, images[0].height),
            (FingerPosition::RightIndex, w, h)
        );
        assert_eq!(images[0].device_quality, None);
        assert_eq!(images[0].ppi, 500);
        assert!(images[0].pixels == expected, "the image as sent");

        let slap = CaptureRequest {
            set: FingerSet::LeftSlap,
            ..request
        };
        assert_eq!(
            scanner.capture(&slap).unwrap_err().kind(),
            ErrorKind::NotSupported
        );
    }
}
