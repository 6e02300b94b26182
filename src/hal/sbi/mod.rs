//! MOSIP Secure Biometric Interface 0.9.5: certified fingerprint scanners and face cameras run a
//! device service on 127.0.0.1 (ports 4501–4600) that kattoo talks to over HTTP with SBI's own
//! methods. This module discovers those services, checks every signed answer (RS256, `x5c`
//! chaining to a trusted device-provider CA, [`trust`]),
//! follows the capture hash chain, maps SBI error codes to [`crate::hal::ErrorKind`] with an
//! operator sentence, and exposes the devices as [`crate::hal::FingerprintScanner`] and
//! [`crate::hal::Camera`]. [`sim`] is a simulated device service for tests, demos and training.
//!
//! ```no_run
//! use kattoo::hal::sbi::{SbiConfig, SbiFingerprintScanner};
//! use kattoo::hal::{CaptureRequest, FingerSet, FingerprintScanner};
//! let mut scanner = SbiFingerprintScanner::find(&SbiConfig::default())?;
//! let request = CaptureRequest {
//!     set: FingerSet::RightSlap,
//!     exceptions: vec![],
//!     requested_quality: 60,
//!     timeout: std::time::Duration::from_secs(10),
//! };
//! let fingers = scanner.capture(&request)?;
//! # Ok::<(), kattoo::hal::DeviceError>(())
//! ```

mod capture;
pub mod certify;
mod client;
mod device;
pub mod errors;
pub mod jws;
pub mod protocol;
pub mod sim;
mod stream;
pub mod trust;

pub use capture::{FaceCapture, SbiCapture, new_transaction_id};
#[cfg(feature = "fuzzing")] // For src/fuzzing.rs only.
pub(crate) use capture::{check_entries, face_capture, finger_images};
pub use client::{Discovered, PORT_RANGE, SbiClient, SbiConfig, SbiDeviceInfo, discover};
#[cfg(feature = "fuzzing")]
pub(crate) use client::{parse_discovery, parse_info, parse_json};
pub use device::{Modality, SbiCamera, SbiFingerprintScanner, find};
pub use errors::SbiErrorCode;
pub use jws::{Trust, TrustPolicy};
pub use stream::MjpegStream;
pub use trust::TrustedCertificates;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
