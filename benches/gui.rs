//! GUI figures, measured on a real window (run under Xvfb on a machine without a screen):
//!
//! ```sh
//! xvfb-run -a -s "-screen 0 1280x800x24" cargo bench --bench gui
//! ```
//!
//! 1. Cold start: the release `kattoo` binary over a station's data directory, from process
//!    start to the unlock screen's first frame (the app logs `first frame` with the time since
//!    `main` began); also the wall time from spawning the process to that log line.
//! 2. The face step of the enrollment wizard with the live preview of the simulated camera
//!    (30 frames/s, as a USB webcam) and the face checks running: window frames per second,
//!    camera frames shown per second, and the resident memory of the process meanwhile.
//!
//! Without a display it prints why it skipped and exits 0.

use kattoo::config::Config;
use kattoo::domain::address::Precinct;
use kattoo::domain::{StationId, Timestamp};
use kattoo::hal::manager::DeviceManager;
use kattoo::hal::sim::{SimSource, default_fixtures_dir};
use kattoo::station::{Station, StationSetup};
use kattoo::ui::enroll::{Step, Wizard};
use kattoo::ui::i18n::I18n;
use kattoo::workflow::CapturePolicy;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "bench passphrase for the gui";
const RUNS: usize = 5;
const WARM_UP: Duration = Duration::from_secs(3);
const MEASURE: Duration = Duration::from_secs(10);

fn main() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        println!(
            "gui bench skipped: no display. Run it under Xvfb: \
             xvfb-run -a -s \"-screen 0 1280x800x24\" cargo bench --bench gui"
        );
        return;
    }
    cold_start();
    preview();
}

fn cold_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("station");
    let setup = StationSetup {
        station_id: StationId::parse("KG1101").expect("id"),
        name: "Bench".into(),
        region: "chui".into(),
        precincts: vec![Precinct::parse("1101").expect("precinct")],
        admin_login: "admin".into(),
        admin_password: "admin-password-1".into(),
        first_sequence: 1,
    };
    Station::init(
        &data,
        PASSPHRASE,
        &setup,
        Config::default(),
        Timestamp::now(),
    )
    .expect("init");
    let mut in_process = Vec::new();
    let mut wall = Vec::new();
    for run in 0..RUNS {
        let logs = data.join("logs");
        let _ = std::fs::remove_dir_all(&logs);
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kattoo"))
            .arg("--data-dir")
            .arg(&data)
            .spawn()
            .expect("start kattoo");
        let ms = loop {
            if let Some(ms) = first_frame_ms(&logs) {
                break ms;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no first frame logged within 30 s (run {run})"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        wall.push(started.elapsed().as_secs_f64() * 1000.0);
        in_process.push(ms);
        let _ = child.kill();
        let _ = child.wait();
    }
    println!(
        "cold start to the unlock screen's first frame ({RUNS} runs): in-process median {:.0} ms \
         (min {:.0}), spawn-to-log median {:.0} ms (min {:.0})",
        median(&mut in_process),
        in_process[0],
        median(&mut wall),
        wall[0]
    );
}

/// `since_start_ms` of the `first frame` line in the station's log, once written.
fn first_frame_ms(logs: &Path) -> Option<f64> {
    for entry in std::fs::read_dir(logs).ok()?.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("first frame")) {
            let value = line.split("since_start_ms=").nth(1)?;
            let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok();
        }
    }
    None
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
    values[values.len() / 2]
}

/// The face step in a window of its own, as the kiosk draws it.
struct Preview {
    wizard: Wizard,
    devices: DeviceManager,
    i18n: I18n,
    started: Instant,
    frames_at_warm: Option<(u64, u64)>,
    frames: u64,
    rss_kib: u64,
}

impl eframe::App for Preview {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frames += 1;
        let now = Timestamp::now();
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            let _ = self
                .wizard
                .show(ui, &self.i18n, Some(&self.devices), false, now);
        });
        let elapsed = self.started.elapsed();
        if elapsed >= WARM_UP && self.frames_at_warm.is_none() {
            self.frames_at_warm = Some((self.frames, self.wizard.face.frames_shown));
        }
        if elapsed >= WARM_UP + MEASURE && self.rss_kib == 0 {
            let (frames0, shown0) = self.frames_at_warm.expect("warmed up");
            let secs = MEASURE.as_secs_f64();
            self.rss_kib = rss_kib();
            println!(
                "face step with live preview, {:.0} s on {}: {:.1} window frames/s ({:.1} ms per \
                 frame), {:.1} camera frames shown/s, resident memory {:.1} MB",
                secs,
                std::env::var("DISPLAY").unwrap_or_default(),
                (self.frames - frames0) as f64 / secs,
                secs * 1000.0 / (self.frames - frames0) as f64,
                (self.wizard.face.frames_shown - shown0) as f64 / secs,
                self.rss_kib as f64 / 1024.0
            );
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

/// VmRSS of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn preview() {
    let source = SimSource::fixtures(default_fixtures_dir(), Duration::from_millis(33))
        .expect("simulated devices");
    let devices = DeviceManager::with_sources(vec![Box::new(source)], Duration::from_secs(2));
    let mut wizard = Wizard::new(
        vec!["1101".into()],
        CapturePolicy::default(),
        kattoo::domain::Admission {
            training: true,
            back_fill: false,
        },
    );
    wizard.go(Step::Face);
    // Keep the preview running (the simulated face passes every check at once).
    wizard.face.manual_only = true;
    let app = Preview {
        wizard,
        devices,
        i18n: I18n::default(),
        started: Instant::now(),
        frames_at_warm: None,
        frames: 0,
        rss_kib: 0,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size([1280.0, 800.0]),
        ..Default::default()
    };
    eframe::run_native("kattoo-gui-bench", options, Box::new(|_| Ok(Box::new(app))))
        .expect("open the bench window");
}
