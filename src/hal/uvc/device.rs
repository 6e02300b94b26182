//! The nokhwa side of the UVC backend: finding cameras, opening one in the mode
//! [`choose_format`](super::choose_format) picks, and reading frames on a thread of its own.
//!
//! A nokhwa camera is not `Send` and its read can block for as long as a sick camera likes, so
//! each [`UvcCamera`] keeps it on a thread and waits for a frame no longer than its timeout.
//! After a read fails the camera is closed; the next call opens it again, which is how an
//! unplugged and re-plugged camera comes back (`Disconnected` in between).

use super::{FormatOption, PixelFormat, choose_format, decode, uvc_info};
use crate::hal::{Camera, DeviceError, DeviceInfo, ErrorKind, Frame, Provenance, Result};
use nokhwa::NokhwaError;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
};
use std::sync::mpsc;
use std::time::Duration;

/// The cameras attached now, each with the index it is opened by.
pub(super) fn present() -> Vec<(DeviceInfo, String)> {
    let cameras = match nokhwa::query(ApiBackend::Auto) {
        Ok(cameras) => cameras,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list UVC cameras");
            return Vec::new();
        }
    };
    cameras
        .into_iter()
        .filter_map(|camera| {
            let index = camera.index().as_string();
            let info = describe(&camera.human_name(), &camera.misc(), &index)?;
            Some((info, index))
        })
        .collect()
}

/// Make, model and a serial that survives re-plugging, from sysfs; `None` for a V4L2 node that
/// is not a camera's picture (UVC metadata nodes have index 1).
#[cfg(target_os = "linux")]
fn describe(name: &str, _misc: &str, index: &str) -> Option<DeviceInfo> {
    let node = std::path::Path::new("/sys/class/video4linux").join(format!("video{index}"));
    let read = |rel: &str| {
        std::fs::read_to_string(node.join(rel))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    if read("index").is_some_and(|i| i != "0") {
        return None;
    }
    let usb_port = std::fs::canonicalize(node.join("device/.."))
        .ok()
        .and_then(|p| {
            p.file_name()
                .map(|n| format!("port-{}", n.to_string_lossy()))
        });
    let serial = read("device/../serial")
        .or(usb_port)
        .unwrap_or_else(|| format!("video{index}"));
    let make = read("device/../manufacturer").unwrap_or_default();
    let model = read("device/../product")
        .or_else(|| read("name"))
        .unwrap_or_else(|| name.to_owned());
    Some(uvc_info(make, model, serial))
}

#[cfg(target_os = "windows")]
fn describe(name: &str, misc: &str, index: &str) -> Option<DeviceInfo> {
    // Media Foundation names the camera and gives its symbolic link, stable per port.
    let serial = if misc.is_empty() {
        format!("camera{index}")
    } else {
        misc.to_owned()
    };
    Some(uvc_info(String::new(), name.to_owned(), serial))
}

enum Request {
    Frame,
}

/// An open UVC camera; the nokhwa camera lives on the thread behind `requests`.
pub(super) struct UvcCamera {
    info: DeviceInfo,
    requests: mpsc::Sender<Request>,
    frames: mpsc::Receiver<Result<Frame>>,
    timeout: Duration,
}

impl UvcCamera {
    /// Opens camera `index` in the best mode within `max` and starts its thread.
    pub(super) fn open(
        info: DeviceInfo,
        index: &str,
        max: (u32, u32),
        timeout: Duration,
    ) -> Result<Self> {
        let (requests, requests_rx) = mpsc::channel();
        let (frames_tx, frames) = mpsc::channel();
        let (opened_tx, opened) = mpsc::channel();
        let index = index.parse::<u32>().map_or_else(
            |_| CameraIndex::String(index.to_owned()),
            CameraIndex::Index,
        );
        let serial = info.serial.clone();
        let source = Provenance::attached(info.device_id());
        std::thread::Builder::new()
            .name(format!("uvc {serial}"))
            .spawn(move || {
                let mut camera = open_stream(&index, max);
                let ok = camera.as_ref().map(|_| ()).map_err(Clone::clone);
                if opened_tx.send(ok).is_err() {
                    return;
                }
                while let Ok(Request::Frame) = requests_rx.recv() {
                    let result = match &mut camera {
                        Ok(cam) => read_frame(cam, &source),
                        Err(_) => {
                            camera = open_stream(&index, max);
                            camera
                                .as_mut()
                                .map_err(|e| e.clone())
                                .and_then(|cam| read_frame(cam, &source))
                        }
                    };
                    if let Err(e) = &result {
                        tracing::warn!(device = %serial, error = %e, "UVC frame failed; closing the camera");
                        camera = Err(e.clone());
                    }
                    if frames_tx.send(result).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| DeviceError::new(ErrorKind::Other, format!("cannot start a camera thread: {e}")))?;
        opened.recv().map_err(|_| {
            DeviceError::new(ErrorKind::Other, "camera thread ended while opening")
        })??;
        Ok(Self {
            info,
            requests,
            frames,
            timeout,
        })
    }
}

impl Camera for UvcCamera {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn frame(&mut self) -> Result<Frame> {
        // A frame that came after an earlier timeout is stale now.
        while self.frames.try_recv().is_ok() {}
        self.requests
            .send(Request::Frame)
            .map_err(|_| DeviceError::new(ErrorKind::Other, "camera thread has ended"))?;
        match self.frames.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(DeviceError::new(
                ErrorKind::Timeout,
                format!(
                    "no frame from camera {} in {:?}",
                    self.info.serial, self.timeout
                ),
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(DeviceError::new(
                ErrorKind::Other,
                "camera thread has ended",
            )),
        }
    }
}

fn pixel_format(format: FrameFormat) -> Option<PixelFormat> {
    match format {
        FrameFormat::MJPEG => Some(PixelFormat::Mjpeg),
        FrameFormat::YUYV => Some(PixelFormat::Yuyv),
        _ => None,
    }
}

const DECODED: [FrameFormat; 2] = [FrameFormat::MJPEG, FrameFormat::YUYV];

fn open_stream(index: &CameraIndex, (max_width, max_height): (u32, u32)) -> Result<nokhwa::Camera> {
    let mut camera = nokhwa::Camera::new(
        index.clone(),
        RequestedFormat::with_formats(RequestedFormatType::None, &DECODED),
    )
    .map_err(|e| device_error(&e))?;
    let formats = camera
        .compatible_camera_formats()
        .map_err(|e| device_error(&e))?;
    let options: Vec<FormatOption> = formats
        .iter()
        .filter_map(|f| {
            Some(FormatOption {
                width: f.width(),
                height: f.height(),
                format: pixel_format(f.format())?,
                fps: f.frame_rate(),
            })
        })
        .collect();
    let chosen = choose_format(&options, max_width, max_height).ok_or_else(|| {
        DeviceError::new(
            ErrorKind::NotSupported,
            format!("camera {index} offers no MJPEG or YUYV mode up to {max_width}x{max_height}"),
        )
    })?;
    let fourcc = match chosen.format {
        PixelFormat::Mjpeg => FrameFormat::MJPEG,
        PixelFormat::Yuyv => FrameFormat::YUYV,
    };
    let exact = CameraFormat::new_from(chosen.width, chosen.height, fourcc, chosen.fps);
    camera
        .set_camera_requset(RequestedFormat::with_formats(
            RequestedFormatType::Exact(exact),
            &DECODED,
        ))
        .map_err(|e| device_error(&e))?;
    camera.open_stream().map_err(|e| device_error(&e))?;
    tracing::info!(camera = %index, width = chosen.width, height = chosen.height, format = ?chosen.format, fps = chosen.fps, "camera opened");
    Ok(camera)
}

fn read_frame(camera: &mut nokhwa::Camera, source: &Provenance) -> Result<Frame> {
    let buffer = camera.frame().map_err(|e| device_error(&e))?;
    let resolution = buffer.resolution();
    let format = pixel_format(buffer.source_frame_format()).ok_or_else(|| {
        DeviceError::new(
            ErrorKind::NotSupported,
            format!("camera sent {} frames", buffer.source_frame_format()),
        )
    })?;
    decode(
        format,
        buffer.buffer(),
        resolution.width(),
        resolution.height(),
        source,
    )
}

/// The kind the workflow acts on, from nokhwa's error and the OS error inside its text.
fn device_error(e: &NokhwaError) -> DeviceError {
    let text = e.to_string();
    let lower = text.to_lowercase();
    let kind = if lower.contains("no such device")
        || lower.contains("os error 19")
        || lower.contains("no such file")
    {
        ErrorKind::Disconnected
    } else if lower.contains("busy") {
        ErrorKind::Busy
    } else if lower.contains("timed out") || lower.contains("timeout") {
        ErrorKind::Timeout
    } else {
        match e {
            NokhwaError::OpenDeviceError(..) | NokhwaError::InitializeError { .. } => {
                ErrorKind::Disconnected
            }
            NokhwaError::UnsupportedOperationError(_) | NokhwaError::NotImplementedError(_) => {
                ErrorKind::NotSupported
            }
            _ => ErrorKind::Other,
        }
    };
    DeviceError::new(kind, text)
}
