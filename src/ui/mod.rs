//! The kiosk GUI: an eframe window over [`crate::station`].
//!
//! [`app::App`] is a small state machine of screens (setup wizard, unlock, login, home); each
//! screen lives in its own file under `screens/` and returns an intent the app applies after
//! drawing. Slow station calls (argon2 at unlock and login) run on a worker thread and report by
//! channel, so the window never freezes. Time comes from an injected [`Clock`], so tests and
//! screenshots are stable. Only this module and `main.rs` touch eframe.

pub mod app;
pub mod enroll;
pub mod i18n;
pub mod keyboard;
pub mod people;
pub mod picture;
pub mod scan;
pub mod screens;
pub mod supervisor;
pub mod theme;
mod worker;

pub use app::App;
pub use i18n::{I18n, Language};

use crate::config::Config;
use crate::domain::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Notes the moment the process started (`main` calls this first), for the cold-start figure.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// Time since [`mark_start`] (zero if it was never called).
pub fn since_start() -> std::time::Duration {
    STARTED.get_or_init(std::time::Instant::now).elapsed()
}

/// Where the app reads the time from.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// How to open the window.
#[derive(Debug, Clone)]
pub struct Options {
    /// The station data directory (as the CLI resolves it).
    pub data_dir: PathBuf,
    /// The configuration in force.
    pub config: Config,
    /// Fullscreen, without window decorations (the kiosk session).
    pub kiosk: bool,
}

/// Opens the kiosk window and runs until it is closed.
pub fn run(options: Options) -> anyhow::Result<()> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!(
            "no display to open the kiosk window on (neither DISPLAY nor WAYLAND_DISPLAY is set); \
             `kattoo --help` lists the commands"
        );
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Kattoo")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([800.0, 600.0]);
    if options.kiosk {
        viewport = viewport.with_fullscreen(true).with_decorations(false);
    }
    let native = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let keyboard = options.kiosk || options.config.devices.on_screen_keyboard;
    let Options {
        data_dir, config, ..
    } = options;
    eframe::run_native(
        "kattoo",
        native,
        Box::new(move |_cc| {
            Ok(Box::new(
                App::new(data_dir, config, system_clock())
                    .start_devices()
                    .with_keyboard(keyboard),
            ))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the kiosk window: {e}"))
}
