//! Station configuration: `config.toml` in the data directory (or the file `KATTOO_CONFIG` names),
//! overridden by `KATTOO_*` variables.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The commented default written by `kattoo init`.
pub const DEFAULT_TOML: &str = include_str!("../assets/config.default.toml");

/// The file name inside the data directory.
pub const FILE_NAME: &str = "config.toml";

/// Everything configurable on a station.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub log: LogConfig,
    pub security: SecurityConfig,
    pub station: StationConfig,
    pub devices: DevicesConfig,
    /// Capture quality rules: the enrollment workflow's policy.
    pub capture: crate::workflow::CapturePolicy,
    /// Fingerprint matching: duplicate search and identification.
    pub matching: MatchingConfig,
    /// Central (`kattoo central`): the search for one person registered at several stations.
    pub central: CentralConfig,
    /// The kiosk's screen.
    pub display: DisplayConfig,
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Level written to the rolling file in `<data>/logs/`.
    pub level: String,
    /// Level written to stderr.
    pub stderr_level: String,
    /// Days of log files kept.
    pub keep_days: usize,
}

/// Login protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Failed logins in a row that lock an account.
    pub lockout_threshold: u32,
    /// Length of the first lockout; each further one doubles, up to `lockout_max_minutes`.
    pub lockout_base_minutes: u32,
    pub lockout_max_minutes: u32,
    /// Idle time before the kiosk logs the operator out.
    pub idle_logout_seconds: u32,
}

/// Station behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StationConfig {
    /// Training mode: records are flagged as training and never exported.
    pub training: bool,
    /// Back-filling: `kattoo enroll` may save records made from files (paper-era enrollments
    /// scanned elsewhere). Each such record names its captures' device `file:back-fill`. Off on
    /// a field station, where only real devices count.
    pub back_fill: bool,
}

impl StationConfig {
    /// Which captures a record may hold here.
    pub fn admission(&self) -> crate::domain::Admission {
        crate::domain::Admission {
            training: self.training,
            back_fill: self.back_fill,
        }
    }
}

/// Fingerprint matching: the duplicate-person search before a record is signed, and
/// identification by finger. The thresholds' defaults are the ones measured in
/// [`crate::matching::threshold`] (see there how and on what).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingConfig {
    /// Search every new record's fingers among the station's records before it is signed.
    pub search_duplicates: bool,
    /// The fingers searched, in order of preference; the first two the citizen has are used.
    pub duplicate_fingers: Vec<String>,
    /// Fused score (mean of two fingers) at or above which two records are one person.
    pub duplicate_threshold: f32,
    /// Score at or above which one finger identifies a candidate.
    pub identify_threshold_one_finger: f32,
    /// Fused score at or above which two fingers identify a candidate.
    pub identify_threshold_two_fingers: f32,
    /// Most candidates a search returns.
    pub candidates: usize,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        use crate::matching::threshold::{FINGER_FMR_1000, FUSED2_FMR_10000, FUSED2_FMR_100000};
        Self {
            search_duplicates: true,
            duplicate_fingers: [
                "right-index",
                "left-index",
                "right-thumb",
                "left-thumb",
                "right-middle",
                "left-middle",
            ]
            .map(String::from)
            .to_vec(),
            duplicate_threshold: FUSED2_FMR_100000.score,
            identify_threshold_one_finger: FINGER_FMR_1000.score,
            identify_threshold_two_fingers: FUSED2_FMR_10000.score,
            candidates: 10,
        }
    }
}

impl MatchingConfig {
    /// The duplicate-search fingers as positions (names checked when the configuration loads).
    pub fn duplicate_positions(&self) -> Vec<crate::domain::FingerPosition> {
        self.duplicate_fingers
            .iter()
            .filter_map(|name| name.parse().ok())
            .collect()
    }
}

/// The kiosk's screen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplayConfig {
    /// `light` (dark text on a light page, for daylight) or `dark`; the title bar switches it
    /// for the session.
    pub theme: crate::ui::theme::Theme,
}

/// Central's duplicate search at import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CentralConfig {
    /// Search every imported record's fingers among the records of every station.
    pub search_duplicates: bool,
    /// Fingers searched per person: the first ones of `[matching] duplicate_fingers` the
    /// record has (1 or 2).
    pub fingers: usize,
    /// Fused score at or above which two records are listed as a possible duplicate person.
    pub duplicate_threshold: f32,
    /// Most matches listed for one imported record.
    pub candidates: usize,
}

impl Default for CentralConfig {
    fn default() -> Self {
        Self {
            search_duplicates: true,
            fingers: 2,
            duplicate_threshold: crate::matching::threshold::FUSED2_FMR_100000.score,
            candidates: 10,
        }
    }
}

/// Cameras and scanners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevicesConfig {
    /// Backends searched for devices: `uvc`, `sbi`, `libfprint`, `sim`. Training mode adds `sim`.
    pub backends: Vec<String>,
    /// How often (milliseconds) the device manager looks for unplugged and re-plugged devices.
    pub poll_interval_ms: u64,
    /// Largest camera mode opened.
    pub camera_max_width: u32,
    pub camera_max_height: u32,
    /// A camera frame later than this (milliseconds) is a timeout.
    pub camera_frame_timeout_ms: u64,
    /// Where the simulated devices find `fingers/` and `faces/` (empty: the built-in fixtures).
    pub sim_fixtures: String,
    /// The kiosk window falls back to the simulated camera and scanner while no real one is
    /// attached (demonstrations, development). Field stations turn this off.
    pub simulate_when_absent: bool,
    /// Show the on-screen keyboard (touch-only stations). The kiosk session (`--kiosk`) shows it
    /// whatever this says.
    pub on_screen_keyboard: bool,
    /// The SBI device-provider CA certificates the station trusts (`*.pem`; a device
    /// certificate there is trusted as itself). Outside training, SBI devices whose certificate
    /// does not chain to one of them are refused.
    pub sbi_trust_dir: String,
}

/// Where a packaged station keeps the SBI device-provider certificates it trusts.
pub const DEFAULT_SBI_TRUST_DIR: &str = "/etc/kattoo/sbi-trust";

impl Default for DevicesConfig {
    fn default() -> Self {
        Self {
            backends: vec!["uvc".into(), "sbi".into()],
            poll_interval_ms: 2000,
            camera_max_width: 1280,
            camera_max_height: 720,
            camera_frame_timeout_ms: 2000,
            sim_fixtures: String::new(),
            simulate_when_absent: true,
            on_screen_keyboard: false,
            sbi_trust_dir: DEFAULT_SBI_TRUST_DIR.into(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            stderr_level: "error".into(),
            keep_days: 30,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            lockout_threshold: 5,
            lockout_base_minutes: 5,
            lockout_max_minutes: 24 * 60,
            idle_logout_seconds: 180,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            log: LogConfig::default(),
            security: SecurityConfig::default(),
            station: StationConfig::default(),
            devices: DevicesConfig::default(),
            capture: crate::workflow::CapturePolicy::default(),
            matching: MatchingConfig::default(),
            central: CentralConfig::default(),
            display: DisplayConfig::default(),
        }
    }
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid configuration: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}={value:?} is not valid: {message}")]
    Env {
        name: &'static str,
        value: String,
        message: String,
    },
}

impl Config {
    /// Reads the file named by `KATTOO_CONFIG` (it must exist; the Debian package points it at
    /// `/etc/kattoo/config.toml`), else `<data_dir>/config.toml` (defaults when absent), then
    /// applies the environment.
    pub fn load(data_dir: &Path) -> Result<Config, Error> {
        let named = std::env::var_os("KATTOO_CONFIG").filter(|p| !p.is_empty());
        let path = named
            .clone()
            .map_or_else(|| data_dir.join(FILE_NAME), std::path::PathBuf::from);
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && named.is_none() => {
                Config::default()
            }
            Err(source) => {
                return Err(Error::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Parses TOML text.
    pub fn parse(text: &str, path: &str) -> Result<Config, Error> {
        toml::from_str(text).map_err(|e| Error::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Applies `KATTOO_LOG_LEVEL`, `KATTOO_LOG_STDERR_LEVEL`, `KATTOO_LOCKOUT_THRESHOLD`,
    /// `KATTOO_LOCKOUT_BASE_MINUTES`, `KATTOO_IDLE_LOGOUT_SECONDS` and `KATTOO_TRAINING`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), Error> {
        fn num<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, Error> {
            v.trim().parse().map_err(|_| Error::Env {
                name,
                value: v,
                message: "expected a whole number".into(),
            })
        }
        if let Some(v) = var("KATTOO_LOG_LEVEL") {
            self.log.level = v;
        }
        if let Some(v) = var("KATTOO_LOG_STDERR_LEVEL") {
            self.log.stderr_level = v;
        }
        if let Some(v) = var("KATTOO_LOCKOUT_THRESHOLD") {
            self.security.lockout_threshold = num("KATTOO_LOCKOUT_THRESHOLD", v)?;
        }
        if let Some(v) = var("KATTOO_LOCKOUT_BASE_MINUTES") {
            self.security.lockout_base_minutes = num("KATTOO_LOCKOUT_BASE_MINUTES", v)?;
        }
        if let Some(v) = var("KATTOO_IDLE_LOGOUT_SECONDS") {
            self.security.idle_logout_seconds = num("KATTOO_IDLE_LOGOUT_SECONDS", v)?;
        }
        if let Some(v) = var("KATTOO_TRAINING") {
            self.station.training = yes_or_no("KATTOO_TRAINING", v)?;
        }
        if let Some(v) = var("KATTOO_BACK_FILL") {
            self.station.back_fill = yes_or_no("KATTOO_BACK_FILL", v)?;
        }
        if let Some(v) = var("KATTOO_SEARCH_DUPLICATES") {
            self.matching.search_duplicates = yes_or_no("KATTOO_SEARCH_DUPLICATES", v)?;
        }
        if let Some(bad) = self
            .matching
            .duplicate_fingers
            .iter()
            .find(|name| name.parse::<crate::domain::FingerPosition>().is_err())
        {
            return Err(Error::Parse {
                path: FILE_NAME.into(),
                message: format!(
                    "matching.duplicate_fingers: {bad:?} is not a finger (use e.g. right-index)"
                ),
            });
        }
        if !(1..=2).contains(&self.central.fingers) {
            return Err(Error::Parse {
                path: FILE_NAME.into(),
                message: format!(
                    "central.fingers: {} fingers cannot be searched (use 1 or 2)",
                    self.central.fingers
                ),
            });
        }
        if self.security.lockout_threshold == 0 {
            return Err(Error::Parse {
                path: FILE_NAME.into(),
                message: "security.lockout_threshold must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// A boolean environment variable: `1`/`true`/`yes` or `0`/`false`/`no`.
fn yes_or_no(name: &'static str, value: String) -> Result<bool, Error> {
    match value.trim() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(Error::Env {
            name,
            value,
            message: "expected true or false".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_default_parses_to_the_defaults() {
        assert_eq!(
            Config::parse(DEFAULT_TOML, "default").unwrap(),
            Config::default()
        );
    }

    #[test]
    fn devices_and_capture_sections_parse() {
        let c = Config::parse(
            "[devices]\nbackends = [\"sim\"]\npoll_interval_ms = 500\n\n[capture]\nslap_quality = 55\nmax_tries = 5\n",
            "x",
        )
        .unwrap();
        assert_eq!(c.devices.backends, ["sim"]);
        assert_eq!(c.devices.poll_interval_ms, 500);
        assert_eq!(
            c.devices.camera_max_width, 1280,
            "unnamed keys keep their defaults"
        );
        assert_eq!(
            (
                c.capture.slap_quality,
                c.capture.thumbs_quality,
                c.capture.max_tries
            ),
            (55, 40, 5)
        );
        assert!(Config::parse("[capture]\nslap_qualty = 55\n", "x").is_err());
    }

    #[test]
    fn environment_overrides_and_bad_values() {
        let mut c = Config::default();
        c.apply_env(|n| (n == "KATTOO_LOCKOUT_THRESHOLD").then(|| "3".to_owned()))
            .unwrap();
        assert_eq!(c.security.lockout_threshold, 3);
        let err = c
            .apply_env(|n| (n == "KATTOO_TRAINING").then(|| "maybe".to_owned()))
            .unwrap_err();
        assert!(err.to_string().contains("KATTOO_TRAINING"));
        assert!(Config::parse("[security]\nlockout_treshold = 3\n", "x").is_err());
    }
}
