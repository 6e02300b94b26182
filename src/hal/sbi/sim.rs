//! A simulated SBI 0.9.5 device service on 127.0.0.1: a slap fingerprint scanner (device "1",
//! sub ids 1 left slap, 2 right slap, 3 thumbs) and a face camera (device "2") serving fixture
//! images as ISO/IEC 19794-4 (PNG inside) and 19794-5 (JPEG inside) records, signed with its own
//! RSA key and self-signed certificate (which no station trusts outside training), or with a
//! signer a test gives it. Faults can be switched on at start or while running, so
//! the real SBI client is exercised end to end (`kattoo sim-sbi`, tests, demos, training).

use super::jws::{JwsSigner, b64url};
use super::protocol::*;
use crate::domain::FingerPosition;
use crate::iso19794::{
    FaceImageData, FaceRecord, FaceRepresentation, FingerCompression, FingerRecord,
    FingerRepresentation,
};
use std::collections::HashMap;
use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How the simulator signs its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureFault {
    /// Valid RS256 signatures.
    #[default]
    Valid,
    /// Bare base64url payloads, as an unregistered device sends.
    Unsigned,
    /// A signature that does not verify.
    Bad,
}

/// Faults to inject. The default is a healthy device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimFaults {
    /// Wait this long before answering RCAPTURE.
    pub delay: Duration,
    /// Report "Busy" and answer RCAPTURE with error 111.
    pub busy: bool,
    /// Answer RCAPTURE with this SBI error code.
    pub error_code: Option<u16>,
    /// Report quality 20 whatever was requested.
    pub low_quality: bool,
    /// How data is signed (valid, unsigned, bad).
    pub signature: SignatureFault,
    /// Answer RCAPTURE with a body that is not JSON.
    pub malformed_json: bool,
    /// Cut each ISO record in half (its hash still matches what is sent).
    pub truncated_iso: bool,
    /// On RCAPTURE, stop listening and close the connection without an answer.
    pub vanish: bool,
}

/// Where and how the simulator runs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The first free port of this range is used.
    pub ports: RangeInclusive<u16>,
    /// Directory holding `fingers/1NN_1.png` (NN = ISO finger position) and `faces/astronaut.png`.
    pub fixtures: PathBuf,
    pub faults: SimFaults,
    /// Serial number prefix of the simulated devices.
    pub serial: String,
    /// Signs everything: a self-signed certificate of the simulator's own when `None`, which no
    /// station trusts outside training; tests give one issued by a test device-provider CA.
    pub signer: Option<JwsSigner>,
    /// Signs the capture data instead of `signer` (a device whose captures are not signed by
    /// the certificate its MOSIPDINFO reported).
    pub capture_signer: Option<JwsSigner>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            ports: super::PORT_RANGE,
            fixtures: default_fixtures(),
            faults: SimFaults::default(),
            serial: "KATTOOSIM0001".into(),
            signer: None,
            capture_signer: None,
        }
    }
}

/// The source tree's `fixtures/` when run from a checkout, else `./fixtures`.
pub fn default_fixtures() -> PathBuf {
    let built = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    if built.is_dir() {
        built
    } else {
        PathBuf::from("fixtures")
    }
}

/// The process-wide simulator key (RSA key generation takes a moment; every simulator shares one).
pub fn shared_signer() -> &'static JwsSigner {
    static SIGNER: OnceLock<JwsSigner> = OnceLock::new();
    SIGNER.get_or_init(|| JwsSigner::generate("kattoo sim-sbi").expect("RSA key generation failed"))
}

struct Fixtures {
    /// PNG bytes and size per finger.
    fingers: HashMap<FingerPosition, (Vec<u8>, u16, u16)>,
    /// JPEG preview of the first finger.
    finger_preview: Vec<u8>,
    face_jpeg: Vec<u8>,
    face_size: (u16, u16),
}

fn load_fixtures(dir: &std::path::Path) -> std::io::Result<Fixtures> {
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut fingers = HashMap::new();
    for p in FingerPosition::ALL {
        let path = dir.join(format!("fingers/{}_1.png", 100 + u32::from(p.code())));
        let png = std::fs::read(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let img = crate::domain::imaging::decode(&png, Some(image::ImageFormat::Png))
            .map_err(|e| bad(format!("{}: {e}", path.display())))?;
        if img.color() != image::ColorType::L8 {
            return Err(bad(format!("{}: not 8-bit grayscale", path.display())));
        }
        let (w, h) = (
            u16::try_from(img.width()).unwrap_or(u16::MAX),
            u16::try_from(img.height()).unwrap_or(u16::MAX),
        );
        fingers.insert(p, (png, w, h));
    }
    let first = &fingers[&FingerPosition::RightThumb].0;
    let finger_preview =
        jpeg(&crate::domain::imaging::decode(first, None).map_err(|e| bad(e.to_string()))?)?;
    let path = dir.join("faces/astronaut.png");
    let face = image::open(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let face_size = (
        u16::try_from(face.width()).unwrap_or(u16::MAX),
        u16::try_from(face.height()).unwrap_or(u16::MAX),
    );
    Ok(Fixtures {
        fingers,
        finger_preview,
        face_jpeg: jpeg(&face)?,
        face_size,
    })
}

fn jpeg(img: &image::DynamicImage) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img.to_rgb8())
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .map_err(std::io::Error::other)?;
    Ok(out)
}

struct State {
    port: u16,
    serial: String,
    faults: Mutex<SimFaults>,
    fixtures: Fixtures,
    signer: JwsSigner,
    capture_signer: Option<JwsSigner>,
    capturing: AtomicBool,
    stop: AtomicBool,
}

/// A running simulated SBI service; stops when dropped.
pub struct SimSbi {
    state: Arc<State>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for SimSbi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SimSbi(127.0.0.1:{})", self.state.port)
    }
}

impl SimSbi {
    /// Loads the fixtures and starts serving on the first free port of `config.ports`.
    pub fn start(config: SimConfig) -> std::io::Result<Self> {
        let fixtures = load_fixtures(&config.fixtures)?;
        let signer = config.signer.unwrap_or_else(|| shared_signer().clone());
        let (server, port) = config
            .ports
            .clone()
            .find_map(|p| {
                tiny_http::Server::http((Ipv4Addr::LOCALHOST, p))
                    .ok()
                    .map(|s| (s, p))
            })
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("no free port in {:?}", config.ports),
                )
            })?;
        let state = Arc::new(State {
            port,
            serial: config.serial,
            faults: Mutex::new(config.faults),
            fixtures,
            signer,
            capture_signer: config.capture_signer,
            capturing: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let st = state.clone();
        let thread = std::thread::Builder::new()
            .name(format!("sim-sbi-{port}"))
            .spawn(move || serve(server, st))?;
        tracing::info!(port, "sim-sbi: serving simulated finger and face devices");
        Ok(Self {
            state,
            thread: Some(thread),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.state.port
    }

    /// Replaces the active faults.
    pub fn set_faults(&self, faults: SimFaults) {
        *self.state.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// The DER certificate the simulator signs with.
    pub fn certificate_der(&self) -> &[u8] {
        self.state.signer.certificate_der()
    }

    /// Whether the service still listens (false after a `vanish` fault or `stop`).
    pub fn is_running(&self) -> bool {
        !self.state.stop.load(Ordering::SeqCst)
    }

    /// Blocks until the service stops (after a `vanish` fault; otherwise forever).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops listening and waits for the listener to close.
    pub fn stop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SimSbi {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(server: tiny_http::Server, state: Arc<State>) {
    while !state.stop.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(50)) {
            Ok(Some(rq)) => {
                let st = state.clone();
                let _ = std::thread::Builder::new()
                    .name("sim-sbi-request".into())
                    .spawn(move || handle(rq, &st));
            }
            Ok(None) => {}
            Err(_) => break,
        }
    }
    drop(server);
    // tiny_http closes its listener on a background thread: wait until the port refuses.
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline
        && TcpStream::connect_timeout(
            &(Ipv4Addr::LOCALHOST, state.port).into(),
            Duration::from_millis(50),
        )
        .is_ok()
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    state.stop.store(true, Ordering::SeqCst);
}

fn faults(state: &State) -> SimFaults {
    state
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

fn json_response(body: Vec<u8>, port: u16) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let header = |k: &str, v: &str| {
        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("static header")
    };
    tiny_http::Response::from_data(body)
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("Location", &format!("http://127.0.0.1:{port}")))
}

fn handle(mut rq: tiny_http::Request, state: &State) {
    let mut body = Vec::new();
    let _ =
        std::io::Read::read_to_end(&mut std::io::Read::take(rq.as_reader(), 1 << 20), &mut body);
    let method = rq.method().as_str().to_ascii_uppercase();
    tracing::debug!(method = %method, url = rq.url(), "sim-sbi: request");
    let answer = match method.as_str() {
        "MOSIPDISC" => discover(state, &body),
        "MOSIPDINFO" => info(state),
        "RCAPTURE" | "CAPTURE" => return rcapture(rq, state, &body),
        "STREAM" => return stream(rq, state, &body),
        _ => {
            let _ = rq.respond(tiny_http::Response::empty(405));
            return;
        }
    };
    let _ = rq.respond(json_response(answer, state.port));
}

mod answers;
use answers::*;
