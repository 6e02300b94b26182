//! The hardware layer: small traits owned by kattoo for cameras and fingerprint scanners, and the
//! backends that implement them (UVC through nokhwa, MOSIP SBI over HTTP on 127.0.0.1, libfprint,
//! and simulated devices). Device crates' APIs change; these traits do not.
//!
//! Code that decides "retry or give up" looks only at [`DeviceError::kind`].

use crate::domain::FingerPosition;
pub use crate::domain::provenance::{Provenance, Trust};
use std::fmt;
use std::time::Duration;

#[cfg(all(feature = "libfprint", target_os = "linux"))]
pub mod libfprint;
pub mod manager;
pub mod sbi;
pub mod sim;
pub mod uvc;

/// What went wrong with a device, as far as the workflow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The device is not there (unplugged, service gone).
    Disconnected,
    /// The device is in use by someone else, or still working on an earlier request.
    Busy,
    /// Nothing usable arrived in time.
    Timeout,
    /// A capture arrived but below the requested quality.
    PoorQuality,
    /// The device cannot do what was asked (modality, finger set, format).
    NotSupported,
    /// The device's data is not signed by a certificate this station trusts (SBI outside
    /// training): a technician must install the device provider's CA certificate.
    Untrusted,
    /// Anything else: garbage data, a protocol violation.
    Other,
}

impl ErrorKind {
    /// Every kind, for the check that each has its words in every language.
    pub const ALL: [ErrorKind; 7] = [
        Self::Disconnected,
        Self::Busy,
        Self::Timeout,
        Self::PoorQuality,
        Self::NotSupported,
        Self::Untrusted,
        Self::Other,
    ];

    /// The Fluent message id that explains this kind to an operator and says what to do.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Disconnected => "device-disconnected",
            Self::Busy => "device-busy",
            Self::Timeout => "device-timeout",
            Self::PoorQuality => "device-poor-quality",
            Self::NotSupported => "device-not-supported",
            Self::Untrusted => "device-untrusted",
            Self::Other => "device-other",
        }
    }
}

/// A device error: its kind plus a message for logs and technicians (never biometric data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceError {
    kind: ErrorKind,
    message: String,
}

impl DeviceError {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// What the workflow acts on.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The technical detail.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for DeviceError {}

/// Result alias for device calls.
pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

/// Which implementation drives a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Uvc,
    Sbi,
    Libfprint,
    Sim,
}

impl Backend {
    /// The name used in records (`device: "<backend>:<serial>"`) and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Self::Uvc => "uvc",
            Self::Sbi => "sbi",
            Self::Libfprint => "libfprint",
            Self::Sim => "sim",
        }
    }
}

/// What a device says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub make: String,
    pub model: String,
    pub serial: String,
    pub backend: Backend,
}

impl DeviceInfo {
    /// `backend:serial`, as recorded with each capture.
    pub fn device_id(&self) -> String {
        format!("{}:{}", self.backend.name(), self.serial)
    }
}

/// One RGB8 camera frame, row-major, `width * height * 3` bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    /// The camera that took it and how far it is trusted.
    pub source: Provenance,
    /// The ISO/IEC 19794-5 face record exactly as the device sent it (an SBI still), kept
    /// unmodified for the record.
    pub iso_record: Option<Vec<u8>>,
}

impl Frame {
    /// A frame of `rgb` pixels from `source`, with no device record.
    pub fn new(width: u32, height: u32, rgb: Vec<u8>, source: Provenance) -> Frame {
        Frame {
            width,
            height,
            rgb,
            source,
            iso_record: None,
        }
    }

    /// The same frame as coming from `source`.
    pub fn from_source(self, source: Provenance) -> Frame {
        Frame { source, ..self }
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Frame({}x{}, {}, {})",
            self.width,
            self.height,
            self.source.device,
            self.source.trust.name()
        )
    }
}

/// A camera. Opening is the backend's constructor; closing is `Drop`.
pub trait Camera: Send {
    /// Make, model, serial and backend.
    fn info(&self) -> &DeviceInfo;

    /// The next preview frame. Blocks up to the backend's frame timeout.
    fn frame(&mut self) -> Result<Frame>;

    /// A still for the record; by default the next frame. Backends with a larger still mode
    /// override this.
    fn still(&mut self) -> Result<Frame> {
        self.frame()
    }
}

/// Which fingers one scanner capture takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerSet {
    /// Left index, middle, ring, little.
    LeftSlap,
    /// Right index, middle, ring, little.
    RightSlap,
    /// Both thumbs.
    Thumbs,
    /// One finger.
    Single(FingerPosition),
}

impl FingerSet {
    /// The positions this set covers, in ISO order.
    pub fn positions(self) -> Vec<FingerPosition> {
        use FingerPosition::*;
        match self {
            Self::LeftSlap => vec![LeftIndex, LeftMiddle, LeftRing, LeftLittle],
            Self::RightSlap => vec![RightIndex, RightMiddle, RightRing, RightLittle],
            Self::Thumbs => vec![RightThumb, LeftThumb],
            Self::Single(p) => vec![p],
        }
    }
}

/// A request to a fingerprint scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRequest {
    pub set: FingerSet,
    /// Fingers of the set that are missing and must not be expected.
    pub exceptions: Vec<FingerPosition>,
    /// Quality (0–100) the device should wait for before returning.
    pub requested_quality: u8,
    pub timeout: Duration,
}

/// One finger image from a scanner: 8-bit grayscale, 500 ppi.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerImage {
    pub position: FingerPosition,
    pub width: u32,
    pub height: u32,
    pub ppi: u32,
    /// Row-major 8-bit gray pixels, `width * height` bytes.
    pub pixels: Vec<u8>,
    /// The device's own quality score (0–100), if it gives one.
    pub device_quality: Option<u8>,
    /// The ISO/IEC 19794-4 record exactly as the device sent it (SBI), kept unmodified.
    pub iso_record: Option<Vec<u8>>,
    /// The scanner that took it and how far it is trusted.
    pub source: Provenance,
}

impl fmt::Debug for FingerImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FingerImage({}, {}x{}, quality {:?}, {}, {})",
            self.position,
            self.width,
            self.height,
            self.device_quality,
            self.source.device,
            self.source.trust.name()
        )
    }
}

/// A fingerprint scanner.
pub trait FingerprintScanner: Send {
    /// Make, model, serial and backend.
    fn info(&self) -> &DeviceInfo;

    /// Captures the fingers of `request.set` (less its exceptions), blocking up to its timeout.
    fn capture(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>>;
}

impl From<crate::iso19794::IsoError> for DeviceError {
    fn from(e: crate::iso19794::IsoError) -> Self {
        let kind = match e {
            crate::iso19794::IsoError::NotSupported(_) => ErrorKind::NotSupported,
            _ => ErrorKind::Other,
        };
        DeviceError::new(kind, e.to_string())
    }
}
