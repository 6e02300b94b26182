//! HTTP to SBI device services on 127.0.0.1: discovery over the port range, device info, the raw
//! RCAPTURE and STREAM calls. SBI uses its own HTTP methods (MOSIPDISC, MOSIPDINFO, RCAPTURE,
//! STREAM); `ureq` sends them with `allow_non_standard_methods`. Every call says
//! `Connection: close`, as the specification's responses do.

use super::jws::{self, Trust, TrustPolicy};
use super::protocol::*;
use super::stream::MjpegStream;
use crate::hal::{DeviceError, ErrorKind, Result};
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The ports SBI device services bind to (MOSIP SBI 0.9.5, "Windows/Linux").
pub const PORT_RANGE: RangeInclusive<u16> = 4501..=4600;

/// Largest capture answer kattoo reads (a ten-print capture with JPEG 2000 is a few MiB).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// Largest MOSIPDISC answer (a service lists a handful of devices in a few KiB). Discovery runs
/// [`DISCOVERY_WORKERS`] probes at once, so all of it holds at most 25 × 256 KiB = 6.25 MiB,
/// whatever answers on the ports.
pub const DISCOVERY_BODY: u64 = 256 * 1024;

/// Largest MOSIPDINFO answer (signed device infos of a few devices).
const INFO_BODY: u64 = 1024 * 1024;

/// Ports probed at once by [`discover`].
pub const DISCOVERY_WORKERS: usize = 25;

/// How the client talks to SBI services.
#[derive(Debug, Clone)]
pub struct SbiConfig {
    /// Ports scanned by discovery; tests narrow it to their own simulator.
    pub ports: RangeInclusive<u16>,
    /// Per-port discovery timeout (connect and answer).
    pub probe_timeout: Duration,
    /// Timeout of MOSIPDINFO and other short calls.
    pub info_timeout: Duration,
    /// Extra time given to RCAPTURE beyond the capture's own timeout.
    pub capture_margin: Duration,
    /// Longest wait for the next STREAM frame.
    pub frame_timeout: Duration,
    /// Signature policy (training mode, pinned certificates).
    pub trust: TrustPolicy,
    /// `env` sent with captures ("Staging", "Developer", "Pre-Production", "Production").
    pub env: String,
    /// `EXT` header: the application name.
    pub app_name: String,
}

impl Default for SbiConfig {
    fn default() -> Self {
        Self {
            ports: PORT_RANGE,
            probe_timeout: Duration::from_millis(500),
            info_timeout: Duration::from_secs(5),
            capture_margin: Duration::from_secs(5),
            frame_timeout: Duration::from_secs(3),
            trust: TrustPolicy::default(),
            env: "Production".into(),
            app_name: "kattoo".into(),
        }
    }
}

/// A device found by MOSIPDISC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    pub port: u16,
    pub device_id: String,
    /// "Ready", "Busy", "Not Ready" or "Not Registered".
    pub status: String,
    pub sub_ids: Vec<String>,
    pub purpose: String,
    pub certification: String,
    /// From the unsigned digital id: make, model, serial, type ("Finger", "Face"), sub type.
    pub digital_id: DigitalId,
}

/// One device of a MOSIPDINFO answer, with the trust its signatures reached.
#[derive(Debug, Clone)]
pub struct SbiDeviceInfo {
    pub info: DeviceInfoPayload,
    pub digital_id: DigitalId,
    pub trust: Trust,
}

type Scoped = ureq::config::ConfigBuilder<ureq::typestate::HttpCrateScope<String>>;

/// An SBI device service at one port.
#[derive(Clone)]
pub struct SbiClient {
    agent: ureq::Agent,
    port: u16,
    config: SbiConfig,
}

impl std::fmt::Debug for SbiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SbiClient(127.0.0.1:{})", self.port)
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .allow_non_standard_methods(true)
        .http_status_as_error(false)
        .max_idle_connections(0)
        .build()
        .new_agent()
}

/// Maps a transport failure to what the workflow does about it.
pub(crate) fn transport_error(what: &str, e: ureq::Error) -> DeviceError {
    use std::io::ErrorKind as Io;
    let kind = match &e {
        ureq::Error::Timeout(_) => ErrorKind::Timeout,
        ureq::Error::Io(io) => match io.kind() {
            Io::TimedOut | Io::WouldBlock => ErrorKind::Timeout,
            _ => ErrorKind::Disconnected,
        },
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound | ureq::Error::Protocol(_) => {
            ErrorKind::Disconnected
        }
        _ => ErrorKind::Other,
    };
    let hint = match kind {
        ErrorKind::Timeout => "the device did not answer in time",
        ErrorKind::Disconnected => {
            "the device service is gone — check the cable and that the service runs"
        }
        _ => "unexpected transport failure",
    };
    DeviceError::new(kind, format!("sbi: {what}: {hint} ({e})"))
}

impl SbiClient {
    /// A client for the service at `127.0.0.1:port`.
    pub fn new(port: u16, config: SbiConfig) -> Self {
        Self {
            agent: agent(),
            port,
            config,
        }
    }

    /// The service's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The configuration in use.
    pub fn config(&self) -> &SbiConfig {
        &self.config
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: String,
        timeouts: impl FnOnce(Scoped) -> Scoped,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let method = ureq::http::Method::from_bytes(method.as_bytes())
            .map_err(|e| DeviceError::new(ErrorKind::Other, format!("sbi: bad method: {e}")))?;
        let uri = format!("http://{}:{}{path}", Ipv4Addr::LOCALHOST, self.port);
        let req = ureq::http::Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header("Connection", "close")
            .header("EXT", &self.config.app_name)
            .header("Content-Type", "application/json")
            .body(body)
            .map_err(|e| DeviceError::new(ErrorKind::Other, format!("sbi: request: {e}")))?;
        let req = timeouts(
            self.agent
                .configure_request(req)
                .allow_non_standard_methods(true),
        )
        .build();
        let what = format!("{method} {uri}");
        let resp = self.agent.run(req).map_err(|e| transport_error(&what, e))?;
        if resp.status() != 200 {
            return Err(DeviceError::new(
                ErrorKind::Other,
                format!("sbi: {what}: device answered HTTP {}", resp.status()),
            ));
        }
        Ok(resp)
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: String,
        timeout: Duration,
        limit: u64,
    ) -> Result<Vec<u8>> {
        let mut resp = self.request(method, path, body, |c| c.timeout_global(Some(timeout)))?;
        resp.body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| transport_error(&format!("{method} {path} body"), e))
    }

    /// MOSIPDISC: the devices of `device_type` ("Biometric Device" for all) at this port.
    pub fn discover(&self, device_type: &str) -> Result<Vec<Discovered>> {
        let body = serde_json::to_string(&DiscoverRequest {
            device_type: device_type.into(),
        })
        .unwrap_or_default();
        let bytes = self.call(
            "MOSIPDISC",
            "/device",
            body,
            self.config.probe_timeout,
            DISCOVERY_BODY,
        )?;
        parse_discovery(&bytes, self.port)
    }

    /// MOSIPDINFO: every device of the service, signatures checked per the trust policy.
    pub fn info(&self) -> Result<Vec<SbiDeviceInfo>> {
        let bytes = self.call(
            "MOSIPDINFO",
            "/info",
            String::new(),
            self.config.info_timeout,
            INFO_BODY,
        )?;
        parse_info(&bytes, &self.config.trust)
    }

    /// RCAPTURE: sends `body` and returns the parsed (not yet verified) answer.
    pub fn rcapture(
        &self,
        body: &CaptureRequestBody,
        timeout: Duration,
    ) -> Result<CaptureResponseBody> {
        let json = serde_json::to_string(body).map_err(|e| {
            DeviceError::new(ErrorKind::Other, format!("sbi: capture request: {e}"))
        })?;
        let bytes = self.call(
            "RCAPTURE",
            "/capture",
            json,
            timeout + self.config.capture_margin,
            MAX_BODY,
        )?;
        parse_json(&bytes, "capture")
    }

    /// STREAM: opens the M-JPEG preview of `device_id`/`sub_id` for up to `duration`.
    pub fn stream(&self, device_id: &str, sub_id: &str, duration: Duration) -> Result<MjpegStream> {
        let body = StreamRequestBody {
            device_id: device_id.into(),
            device_sub_id: sub_id.into(),
            timeout: Some(duration.as_millis().to_string()),
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        let frame_timeout = self.config.frame_timeout;
        let connect_timeout = self.config.info_timeout;
        let resp = self.request("STREAM", "/stream", json, |c| {
            c.timeout_global(None)
                .timeout_connect(Some(connect_timeout))
                .timeout_recv_response(Some(frame_timeout))
                .timeout_per_read(Some(frame_timeout))
        })?;
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if content_type.starts_with("application/json") {
            let bytes = resp
                .into_body()
                .with_config()
                .limit(1 << 20)
                .read_to_vec()
                .map_err(|e| transport_error("STREAM error body", e))?;
            let err: serde_json::Value = parse_json(&bytes, "stream error")?;
            let code = err["error"]["errorCode"].as_str().unwrap_or("unknown");
            return Err(super::errors::device_error(
                code,
                err["error"]["errorInfo"].as_str().unwrap_or(""),
            ));
        }
        MjpegStream::new(resp.into_body().into_reader(), &content_type)
    }
}

/// Reads a digital id: a JWS (verified per `policy`) or, for unregistered devices, bare base64url.
pub(crate) fn decode_digital_id(token: &str, policy: &TrustPolicy) -> Result<(DigitalId, Trust)> {
    let (payload, trust) = jws::verify(token, policy, "digital id")?;
    Ok((parse_json(&payload, "digital id")?, trust))
}

/// Parses JSON from a device; garbage is an `Other` error naming what was being read.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        DeviceError::new(
            ErrorKind::Other,
            format!(
                "sbi: {what}: the device sent malformed JSON ({e}); restart the device service"
            ),
        )
    })
}

/// MOSIPDISC over every port of `config.ports` in parallel; ports that refuse, time out or answer
/// garbage are skipped. Results are ordered by port.
pub fn discover(config: &SbiConfig, device_type: &str) -> Vec<Discovered> {
    let ports: Vec<u16> = config.ports.clone().collect();
    let next = AtomicUsize::new(0);
    let workers = ports.len().clamp(1, DISCOVERY_WORKERS);
    let mut found: Vec<Discovered> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&port) = ports.get(i) else { break };
                        match SbiClient::new(port, config.clone()).discover(device_type) {
                            Ok(devices) => out.extend(devices),
                            Err(e) if e.kind() != ErrorKind::Disconnected => {
                                tracing::debug!(port, error = %e, "sbi discovery: port answered but not as an SBI device")
                            }
                            Err(_) => {}
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    found.sort_by(|a, b| (a.port, &a.device_id).cmp(&(b.port, &b.device_id)));
    found
}

/// A MOSIPDISC answer's devices, as found at `port`: entries that report an error without a
/// device are left out; a digital id that does not decode is left empty (discovery is a hint,
/// MOSIPDINFO is the check).
pub(crate) fn parse_discovery(bytes: &[u8], port: u16) -> Result<Vec<Discovered>> {
    let entries: Vec<DiscoveredEntry> = parse_json(bytes, "discovery")?;
    Ok(entries
        .into_iter()
        .filter(|e| {
            e.error.as_ref().is_none_or(SbiErrorBlock::is_success) || !e.device_id.is_empty()
        })
        .map(|e| {
            let digital_id = jws::b64url_decode(&e.digital_id)
                .ok()
                .and_then(|b| serde_json::from_slice::<DigitalId>(&b).ok())
                .unwrap_or_default();
            Discovered {
                port,
                device_id: e.device_id,
                status: e.device_status,
                sub_ids: e.device_sub_id,
                purpose: e.purpose,
                certification: e.certification,
                digital_id,
            }
        })
        .collect())
}

/// A MOSIPDINFO answer's devices, every signature checked under `policy`.
pub(crate) fn parse_info(bytes: &[u8], policy: &TrustPolicy) -> Result<Vec<SbiDeviceInfo>> {
    let entries: Vec<InfoEntry> = parse_json(bytes, "device info")?;
    entries
        .into_iter()
        .map(|e| {
            if let Some(err) = e.error.as_ref().filter(|b| !b.is_success())
                && e.device_info.is_empty()
            {
                return Err(super::errors::device_error(
                    &err.error_code,
                    &err.error_info,
                ));
            }
            let (payload, trust) = jws::verify(&e.device_info, policy, "device info")?;
            let info: DeviceInfoPayload = parse_json(&payload, "device info payload")?;
            let (digital_id, id_trust) = decode_digital_id(&info.digital_id, policy)?;
            Ok(SbiDeviceInfo {
                info,
                digital_id,
                trust: trust.and(id_trust),
            })
        })
        .collect()
}
