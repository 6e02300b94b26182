//! The simulated camera: the fixture portrait framed as a kiosk webcam sees a seated citizen,
//! a script, or faults.

use super::{Fault, GARBAGE, SimFaults, Source, Step, sim_info};
use crate::hal::{Camera, DeviceError, DeviceInfo, ErrorKind, Frame, Provenance, Result};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A simulated camera. Clones share the script and the faults.
#[derive(Clone)]
pub struct SimCamera {
    pub(super) info: DeviceInfo,
    pub(super) source: Source<Frame>,
    pub(super) face: Arc<Option<Frame>>,
    pub(super) frame_interval: Duration,
    pub(super) faults: SimFaults,
}

impl SimCamera {
    /// A camera that answers `frame()` and `still()` calls with `steps`, in order.
    pub fn new(steps: impl IntoIterator<Item = Step<Frame>>) -> Self {
        Self {
            info: sim_info("Simulated camera", "SIM-CAM-1"),
            source: Source::script("sim camera", steps),
            face: Arc::new(None),
            frame_interval: Duration::ZERO,
            faults: SimFaults::default(),
        }
    }

    /// A camera that shows `<dir>/faces/astronaut.png` forever as a 1280×720 webcam frames a
    /// seated citizen (see [`kiosk_framing`]), one frame per `frame_interval` (a real camera's
    /// frame rate; zero in tests).
    pub fn fixtures(dir: &Path, frame_interval: Duration) -> Result<Self> {
        let path = dir.join("faces").join("astronaut.png");
        let bytes = std::fs::read(&path).map_err(|e| {
            DeviceError::new(
                ErrorKind::Other,
                format!("sim camera: cannot read {}: {e}", path.display()),
            )
        })?;
        let rgb = crate::domain::imaging::decode(&bytes, Some(image::ImageFormat::Png))
            .map_err(|e| {
                DeviceError::new(
                    ErrorKind::Other,
                    format!("sim camera: {}: {e}", path.display()),
                )
            })?
            .to_rgb8();
        let rgb = kiosk_framing(&rgb);
        let info = sim_info("Simulated camera", "SIM-CAM-1");
        let face = Frame::new(
            rgb.width(),
            rgb.height(),
            rgb.into_raw(),
            Provenance::simulated(info.device_id()),
        );
        Ok(Self {
            info,
            source: Source::Fixtures,
            face: Arc::new(Some(face)),
            frame_interval,
            faults: SimFaults::default(),
        })
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

impl Camera for SimCamera {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Whatever a simulated camera returns, scripted or from fixtures, is simulated.
    fn frame(&mut self) -> Result<Frame> {
        let source = Provenance::simulated(self.info.device_id());
        self.answer().map(|frame| frame.from_source(source))
    }
}

impl SimCamera {
    fn answer(&mut self) -> Result<Frame> {
        if !self.frame_interval.is_zero() {
            std::thread::sleep(self.frame_interval);
        }
        self.faults.check_plugged()?;
        if let Some(step) = self.source.next_step() {
            return step.answer;
        }
        let fault = self.faults.next_fault();
        let face = Option::as_ref(&self.face).expect("fixture mode has a face");
        match fault {
            Some(Fault::Timeout) => Err(DeviceError::new(ErrorKind::Timeout, "simulated timeout")),
            Some(Fault::Garbage) => crate::hal::uvc::mjpeg_to_rgb(GARBAGE, &face.source),
            Some(Fault::LowQuality) => {
                // Underexposed: a quarter of the light.
                let rgb = face.rgb.iter().map(|v| v / 4).collect();
                Ok(Frame {
                    rgb,
                    ..face.clone()
                })
            }
            None => Ok(face.clone()),
        }
    }
}

/// Grey of a studio backdrop, around the portrait.
const BACKDROP: image::Rgb<u8> = image::Rgb([196, 190, 190]);

/// A square portrait as a 1280×720 kiosk camera sees a seated citizen: head and shoulders (the
/// top 75% of the portrait; the fixture's face sits a little left of centre, so the crop does
/// too) scaled to the frame's height, on a plain backdrop. The reference astronaut portrait framed
/// like this passes every face check (a test in `quality::face` holds it to that).
pub fn kiosk_framing(portrait: &image::RgbImage) -> image::RgbImage {
    use image::imageops;
    let side = portrait.width().min(portrait.height()) * 3 / 4;
    let left = (portrait.width() - side) / 2;
    let head =
        imageops::crop_imm(portrait, left.saturating_sub(side / 11), 0, side, side).to_image();
    let head = imageops::resize(&head, 720, 720, imageops::FilterType::Triangle);
    let mut frame = image::RgbImage::from_pixel(1280, 720, BACKDROP);
    imageops::replace(&mut frame, &head, 280, 0);
    frame
}
