//! SBI devices behind kattoo's traits: [`SbiFingerprintScanner`] (RCAPTURE "Finger", slaps,
//! thumbs or one finger, with exceptions) and [`SbiCamera`] (STREAM preview frames, RCAPTURE
//! "Face" stills). Each keeps the capture hash chain and the trust of its last capture; the
//! richer `capture_checked` / `capture_face` calls return both with the data.

use super::capture::{self, FaceCapture, SbiCapture};
use super::client::{self, Discovered, SbiClient, SbiConfig};
use super::jws::Trust;
use super::protocol::*;
use super::stream::MjpegStream;
use crate::hal::{
    Backend, Camera, CaptureRequest, DeviceError, DeviceInfo, ErrorKind, FingerImage,
    FingerprintScanner, Frame, Provenance, Result,
};
use std::time::Duration;

/// Which SBI modality a device serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    Finger,
    Face,
}

impl Modality {
    /// The SBI `type` / `bioType` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Finger => "Finger",
            Self::Face => "Face",
        }
    }
}

/// The first ready device of `modality` on the configured ports.
pub fn find(config: &SbiConfig, modality: Modality) -> Result<(SbiClient, Discovered)> {
    let found = client::discover(config, modality.name());
    let of_type: Vec<&Discovered> = found
        .iter()
        .filter(|d| {
            d.digital_id
                .device_type
                .eq_ignore_ascii_case(modality.name())
        })
        .collect();
    if let Some(d) = of_type
        .iter()
        .find(|d| d.status.eq_ignore_ascii_case("Ready"))
    {
        return Ok((SbiClient::new(d.port, config.clone()), (*d).clone()));
    }
    Err(match of_type.first() {
        Some(d) if d.status.eq_ignore_ascii_case("Busy") => DeviceError::new(
            ErrorKind::Busy,
            format!(
                "sbi: the {} device is busy — wait a moment and try again",
                modality.name()
            ),
        ),
        Some(d) => DeviceError::new(
            ErrorKind::Other,
            format!(
                "sbi: the {} device is {:?} — call the technician",
                modality.name(),
                d.status
            ),
        ),
        None => DeviceError::new(
            ErrorKind::Disconnected,
            format!(
                "sbi: no {} device answers on ports {:?} — plug the device in and start its service",
                modality.name(),
                config.ports
            ),
        ),
    })
}

fn device_info(d: &Discovered) -> DeviceInfo {
    let serial = if d.digital_id.serial_no.is_empty() {
        format!("port{}-{}", d.port, d.device_id)
    } else {
        d.digital_id.serial_no.clone()
    };
    DeviceInfo {
        make: d.digital_id.make.clone(),
        model: d.digital_id.model.clone(),
        serial,
        backend: Backend::Sbi,
    }
}

/// Shared state of one SBI device: its client, id and capture chain.
#[derive(Debug)]
struct Link {
    client: SbiClient,
    device_id: String,
    info: DeviceInfo,
    previous_hash: String,
    last_trust: Option<Trust>,
    /// The trust MOSIPDINFO reached: the certificate every capture must be signed with.
    info_trust: Trust,
}

impl Link {
    fn open(client: SbiClient, discovered: &Discovered) -> Result<Self> {
        // MOSIPDINFO checks the device's signed identity before the first capture.
        let infos = client.info()?;
        let entry = infos
            .iter()
            .find(|i| i.info.device_id == discovered.device_id)
            .ok_or_else(|| {
                DeviceError::new(
                    ErrorKind::Disconnected,
                    format!(
                        "sbi: device {} is no longer listed by its service",
                        discovered.device_id
                    ),
                )
            })?;
        let mut info = device_info(discovered);
        if !entry.digital_id.serial_no.is_empty() {
            info.make = entry.digital_id.make.clone();
            info.model = entry.digital_id.model.clone();
            info.serial = entry.digital_id.serial_no.clone();
        }
        Ok(Self {
            client,
            device_id: discovered.device_id.clone(),
            info,
            previous_hash: initial_hash(),
            last_trust: Some(entry.trust.clone()),
            info_trust: entry.trust.clone(),
        })
    }

    /// Refuses a verified capture signed by another certificate than the one the device's
    /// MOSIPDINFO was signed with: the data did not come from the device that was checked.
    fn same_certificate_as_info(&self, capture: &Trust) -> Result<()> {
        let (
            Trust::Verified {
                certificate_sha256: info,
            },
            Trust::Verified {
                certificate_sha256: data,
            },
        ) = (&self.info_trust, capture)
        else {
            return Ok(());
        };
        if info == data {
            return Ok(());
        }
        Err(DeviceError::new(
            ErrorKind::Untrusted,
            format!(
                "sbi: the capture is signed by certificate {}…, not by the certificate {}… that the device's MOSIPDINFO was signed with; the capture is refused (use a certified, registered device)",
                &data[..data.len().min(16)],
                &info[..info.len().min(16)]
            ),
        ))
    }

    /// Where this device's data came from, at the trust its signatures reached.
    fn provenance(&self, trust: &Trust) -> Provenance {
        Provenance {
            device: self.info.device_id(),
            trust: match trust {
                Trust::Verified { certificate_sha256 } => crate::domain::Trust::Signed {
                    certificate_sha256: certificate_sha256.clone(),
                },
                Trust::Unverified { reason } => crate::domain::Trust::Unverified {
                    reason: reason.clone(),
                },
            },
        }
    }

    fn rcapture(
        &mut self,
        modality: Modality,
        bio: BioRequest,
        timeout: Duration,
    ) -> Result<(Vec<capture::CheckedBio>, Trust, String)> {
        let tx = capture::new_transaction_id();
        let body = capture::capture_body(&self.client.config().env, &tx, timeout, bio);
        let resp = self.client.rcapture(&body, timeout)?;
        let checked = capture::check_entries(
            resp,
            &tx,
            modality.name(),
            &self.previous_hash,
            &self.client.config().trust,
        )?;
        self.same_certificate_as_info(&checked.1)?;
        self.last_trust = Some(checked.1.clone());
        Ok(checked)
    }
}

/// An SBI fingerprint scanner.
#[derive(Debug)]
pub struct SbiFingerprintScanner {
    link: Link,
}

impl SbiFingerprintScanner {
    /// Discovers the first ready finger device and checks its identity.
    pub fn find(config: &SbiConfig) -> Result<Self> {
        let (client, d) = find(config, Modality::Finger)?;
        Self::open(client, &d)
    }

    /// Opens a discovered finger device.
    pub fn open(client: SbiClient, discovered: &Discovered) -> Result<Self> {
        Ok(Self {
            link: Link::open(client, discovered)?,
        })
    }

    /// Captures `request`, returning the images with their trust and chain hash.
    pub fn capture_checked(
        &mut self,
        request: &CaptureRequest,
    ) -> Result<SbiCapture<Vec<FingerImage>>> {
        let positions: Vec<_> = request
            .set
            .positions()
            .into_iter()
            .filter(|p| !request.exceptions.contains(p))
            .collect();
        if positions.is_empty() {
            return Err(DeviceError::new(
                ErrorKind::NotSupported,
                "sbi: every finger of the set is marked missing; nothing to capture",
            ));
        }
        let bio = BioRequest {
            bio_type: Modality::Finger.name().into(),
            count: positions.len().to_string(),
            bio_sub_type: positions
                .iter()
                .map(|p| finger_sub_type(*p).to_string())
                .collect(),
            exception: request
                .exceptions
                .iter()
                .map(|p| finger_sub_type(*p).to_string())
                .collect(),
            requested_score: request.requested_quality.to_string(),
            device_id: self.link.device_id.clone(),
            device_sub_id: finger_device_sub_id(request.set).to_string(),
            previous_hash: self.link.previous_hash.clone(),
        };
        let (entries, trust, hash) = self.link.rcapture(Modality::Finger, bio, request.timeout)?;
        let images = capture::finger_images(entries, request, &self.link.provenance(&trust))?;
        self.link.previous_hash = hash.clone();
        Ok(SbiCapture {
            value: images,
            trust,
            hash,
        })
    }

    /// The live preview of the slap or thumbs of `set`, for `duration` at most.
    pub fn preview(&self, set: crate::hal::FingerSet, duration: Duration) -> Result<MjpegStream> {
        self.link.client.stream(
            &self.link.device_id,
            &finger_device_sub_id(set).to_string(),
            duration,
        )
    }

    /// Trust of the last successful call (identity check or capture).
    pub fn last_trust(&self) -> Option<&Trust> {
        self.link.last_trust.as_ref()
    }

    /// The `previousHash` the next capture sends.
    pub fn previous_hash(&self) -> &str {
        &self.link.previous_hash
    }

    /// Continues a chain started on another device of the same enrollment (SBI chains captures
    /// across modalities), or restarts it with [`initial_hash`].
    pub fn set_previous_hash(&mut self, hash: impl Into<String>) {
        self.link.previous_hash = hash.into();
    }
}

impl FingerprintScanner for SbiFingerprintScanner {
    fn info(&self) -> &DeviceInfo {
        &self.link.info
    }

    fn capture(&mut self, request: &CaptureRequest) -> Result<Vec<FingerImage>> {
        self.capture_checked(request).map(|c| c.value)
    }
}

/// An SBI face camera: preview by STREAM, stills by RCAPTURE.
#[derive(Debug)]
pub struct SbiCamera {
    link: Link,
    stream: Option<MjpegStream>,
    /// Requested quality for stills (0–100).
    pub requested_quality: u8,
    /// Capture timeout for stills.
    pub still_timeout: Duration,
    last_face: Option<FaceCapture>,
}

impl SbiCamera {
    /// Discovers the first ready face device and checks its identity.
    pub fn find(config: &SbiConfig) -> Result<Self> {
        let (client, d) = find(config, Modality::Face)?;
        Self::open(client, &d)
    }

    /// Opens a discovered face device.
    pub fn open(client: SbiClient, discovered: &Discovered) -> Result<Self> {
        Ok(Self {
            link: Link::open(client, discovered)?,
            stream: None,
            requested_quality: 40,
            still_timeout: Duration::from_secs(10),
            last_face: None,
        })
    }

    /// Captures a face still with its ISO/IEC 19794-5 record as received.
    pub fn capture_face(&mut self) -> Result<SbiCapture<FaceCapture>> {
        // The device must not mix a still into the stream: close the preview first.
        self.stream = None;
        let bio = BioRequest {
            bio_type: Modality::Face.name().into(),
            count: "1".into(),
            bio_sub_type: Vec::new(),
            exception: Vec::new(),
            requested_score: self.requested_quality.to_string(),
            device_id: self.link.device_id.clone(),
            device_sub_id: "0".into(),
            previous_hash: self.link.previous_hash.clone(),
        };
        let (entries, trust, hash) = self
            .link
            .rcapture(Modality::Face, bio, self.still_timeout)?;
        let face = capture::face_capture(
            entries,
            self.requested_quality,
            &self.link.provenance(&trust),
        )?;
        self.link.previous_hash = hash.clone();
        self.last_face = Some(face.clone());
        Ok(SbiCapture {
            value: face,
            trust,
            hash,
        })
    }

    /// The last still's capture (frame, ISO record, quality), if any.
    pub fn last_face(&self) -> Option<&FaceCapture> {
        self.last_face.as_ref()
    }

    /// Trust of the last successful call (identity check or still).
    pub fn last_trust(&self) -> Option<&Trust> {
        self.link.last_trust.as_ref()
    }

    /// See [`SbiFingerprintScanner::set_previous_hash`].
    pub fn set_previous_hash(&mut self, hash: impl Into<String>) {
        self.link.previous_hash = hash.into();
    }
}

impl Camera for SbiCamera {
    fn info(&self) -> &DeviceInfo {
        &self.link.info
    }

    fn frame(&mut self) -> Result<Frame> {
        if self.stream.is_none() {
            self.stream = Some(self.link.client.stream(
                &self.link.device_id,
                "0",
                Duration::from_secs(300),
            )?);
        }
        let result = self
            .stream
            .as_mut()
            .map(MjpegStream::next_frame)
            .unwrap_or_else(|| Err(DeviceError::new(ErrorKind::Other, "no stream")));
        if result.is_err() {
            self.stream = None; // reopen on the next call
        }
        result.map(|f| f.from_source(super::stream::preview_source(self.link.info.device_id())))
    }

    fn still(&mut self) -> Result<Frame> {
        self.capture_face().map(|c| c.value.frame)
    }
}
