//! `kattoo doctor`: one look at everything a field station needs, each finding with what to do.
//!
//! A technician (or a monitoring script) runs it on a kiosk that misbehaves, after an update, or
//! every morning. Each [`Check`] is `ok`, `warn` (the station works, but someone should act),
//! `fail` (the station must not be used until it is fixed) or `skip` (could not be looked at, the
//! station check says why). Checks that need the database run only when the station can be
//! unlocked; the rest (data directory, disk, clock, devices) always run. Messages name ids,
//! counts, paths and times, never citizen names, PINs or biometrics.

mod host;
mod station;
#[cfg(test)]
mod tests;
mod trust;

pub use host::{FreeSpace, free_space};

use crate::config::Config;
use crate::domain::Timestamp;
use crate::hal::DeviceError;
use crate::hal::manager::{DeviceKind, DeviceManager, DeviceState, DeviceStatus, sources_for};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// The outcome of one check, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Could not be looked at (the `station` check says why); counts as nothing wrong.
    Skip,
    Ok,
    /// The station works, but someone should act soon.
    Warn,
    /// Something is broken: fix it before the station is used.
    Fail,
}

impl Status {
    /// The spelling in the table and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Skip => "skip",
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One finding: what was checked, how it went, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name (`data-dir`, `disk-space`, `devices`, `sbi-trust`, `station`, `database`, `records`,
    /// `audit-chain`, `clock`, `pending-approvals`, `unexported-records`, `interrupted-export`,
    /// `batch-recipient`).
    pub name: &'static str,
    pub status: Status,
    /// What was found and, unless all is well, what to do.
    pub message: String,
}

impl Check {
    fn new(name: &'static str, status: Status, message: impl Into<String>) -> Self {
        Self {
            name,
            status,
            message: message.into(),
        }
    }
}

/// Every check, in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The worst status of any check (`ok` when every check is `ok` or `skip`).
    pub status: Status,
    pub data_dir: String,
    pub checks: Vec<Check>,
}

impl Report {
    fn new(data_dir: &Path, checks: Vec<Check>) -> Self {
        let status = checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Ok)
            .max(Status::Ok);
        Self {
            status,
            data_dir: data_dir.display().to_string(),
            checks,
        }
    }

    /// The check called `name`, if it ran.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// How many checks ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}

/// Limits the checks are held to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Below this many MiB free on the data directory's filesystem: a warning.
    pub warn_free_mib: u64,
    /// Below this many MiB free: a failure (the next enrollment may not fit).
    pub min_free_mib: u64,
    /// Records pending approval, or approved and not exported, for longer than this: a warning.
    pub stale_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            warn_free_mib: 2048,
            min_free_mib: 512,
            stale_days: 7,
        }
    }
}

/// What the device backends found (or why they could not look).
pub type DeviceScan = Result<Vec<DeviceStatus>, DeviceError>;

/// Looks for cameras and scanners through the configured backends, as `kattoo devices list` does.
pub fn scan_devices(config: &Config) -> DeviceScan {
    let manager = DeviceManager::with_sources(sources_for(config)?, Duration::from_secs(24 * 3600));
    // One look, by hand; the poller is stopped when the manager is dropped.
    let _ = manager.refresh().recv();
    Ok(manager.status())
}

/// Looks for devices with the configuration in force ([`scan_devices`] outside tests).
pub type DeviceScanner<'a> = &'a dyn Fn(&Config) -> DeviceScan;

/// Runs every check on the station in `data_dir`. `passphrase` unlocks the database (without
/// it the database checks are skipped); `devices` looks for cameras and scanners through the
/// backends in force (the station's stored choice once it is unlocked), or is `None` when the
/// devices are not to be looked at.
pub fn examine(
    data_dir: &Path,
    config: &Config,
    passphrase: Option<&str>,
    devices: Option<DeviceScanner<'_>>,
    limits: &Limits,
    now: Timestamp,
) -> Report {
    let (station_checks, in_force) = station::checks(data_dir, config, passphrase, limits, now);
    let mut checks = vec![
        host::data_dir(data_dir),
        host::disk_space(data_dir, limits),
        match devices {
            Some(scan) => devices_check(&in_force, scan(&in_force)),
            None => Check::new("devices", Status::Skip, "not looked at (--no-devices)"),
        },
        trust::sbi_trust_check(&in_force),
    ];
    checks.extend(station_checks);
    Report::new(data_dir, checks)
}

/// The `devices` check: a camera and a fingerprint scanner that can be used.
pub fn devices_check(config: &Config, scan: DeviceScan) -> Check {
    const NAME: &str = "devices";
    let mut backends = config.devices.backends.clone();
    if config.station.training && !backends.iter().any(|b| b == "sim") {
        backends.push("sim".into());
    }
    let backends = backends.join(", ");
    let found = match scan {
        Ok(found) => found,
        Err(e) => {
            return Check::new(
                NAME,
                Status::Fail,
                format!(
                    "{}: fix [devices] backends in the configuration",
                    e.message()
                ),
            );
        }
    };
    let mut status = Status::Ok;
    let mut parts = Vec::new();
    for kind in [DeviceKind::Camera, DeviceKind::FingerprintScanner] {
        let of_kind: Vec<&DeviceStatus> = found.iter().filter(|d| d.kind == kind).collect();
        let usable: Vec<String> = of_kind
            .iter()
            .filter(|d| {
                d.state != DeviceState::Missing
                    || d.last_error
                        .as_ref()
                        .is_some_and(|e| e.kind() == crate::hal::ErrorKind::Busy)
            })
            .map(|d| {
                let what = format!("{} {} ({})", d.info.make, d.info.model, d.info.device_id());
                match d.state {
                    DeviceState::Missing => format!("{what}, in use"),
                    _ => what,
                }
            })
            .collect();
        if usable.is_empty() {
            status = Status::Warn;
            let why = of_kind
                .iter()
                .find_map(|d| d.last_error.as_ref())
                .map(|e| format!(": {}", e.message()))
                .unwrap_or_default();
            parts.push(format!(
                "no {} found (backends: {backends}){why}: plug it in, check the cable and run `kattoo devices list`",
                kind.name()
            ));
        } else {
            parts.push(format!("{}: {}", kind.name(), usable.join(", ")));
        }
    }
    Check::new(NAME, status, parts.join("; "))
}
