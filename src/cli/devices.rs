//! `kattoo devices list` and `kattoo devices test`: what is attached, and whether it captures.
//! For technicians setting up a station; needs no station and no passphrase.

use super::{Context, UsageError, exit};
use crate::config::Config;
use crate::hal::FingerSet;
use crate::hal::manager::{DeviceKind, DeviceManager, DeviceState, DeviceStatus, sources_for};
use clap::{Args, Subcommand, ValueEnum};
use std::process::ExitCode;
use std::time::Duration;

/// `kattoo devices …`
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List cameras and scanners: backend, kind, make, model, serial, status.
    List(BackendArgs),
    /// Capture once on every attached device and print what came back.
    Test(TestArgs),
}

/// Which backends to look at.
#[derive(Debug, Args)]
pub struct BackendArgs {
    /// Backend to look at (default: those in [devices] backends of the configuration).
    #[arg(long, value_enum)]
    pub backend: Option<BackendChoice>,
}

/// `kattoo devices test` options.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Fingers a scanner is asked for: right-slap, left-slap, thumbs or one finger (right-index, …).
    #[arg(long, default_value = "right-slap", value_parser = parse_set)]
    pub fingers: FingerSet,
}

/// A `--backend` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    Sim,
    Uvc,
    Sbi,
    Libfprint,
    /// Every backend in this build.
    All,
}

fn parse_set(s: &str) -> Result<FingerSet, String> {
    match s {
        "right-slap" => Ok(FingerSet::RightSlap),
        "left-slap" => Ok(FingerSet::LeftSlap),
        "thumbs" => Ok(FingerSet::Thumbs),
        finger => finger.parse().map(FingerSet::Single),
    }
}

/// Runs `kattoo devices …`.
pub(crate) fn run(ctx: &Context, command: DevicesCommand) -> anyhow::Result<ExitCode> {
    match command {
        DevicesCommand::List(args) => {
            let manager = start(&ctx.config, args.backend)?;
            print!("{}", table(&manager.status()));
            Ok(ExitCode::SUCCESS)
        }
        DevicesCommand::Test(args) => test(&ctx.config, args),
    }
}

/// The manager over the chosen backends, after its first look for devices.
fn start(config: &Config, backend: Option<BackendChoice>) -> anyhow::Result<DeviceManager> {
    let mut config = config.clone();
    if let Some(choice) = backend {
        config.station.training = false; // `--backend` means exactly these
        config.devices.backends = match choice {
            BackendChoice::All if cfg!(all(feature = "libfprint", target_os = "linux")) => {
                vec!["uvc".into(), "sbi".into(), "libfprint".into(), "sim".into()]
            }
            BackendChoice::All => vec!["uvc".into(), "sbi".into(), "sim".into()],
            other => vec![format!("{other:?}").to_lowercase()],
        };
    }
    let sources = sources_for(&config).map_err(|e| UsageError(e.message().to_owned()))?;
    // The CLI polls once, by hand.
    let manager = DeviceManager::with_sources(sources, Duration::from_secs(24 * 3600));
    manager.refresh().recv()?;
    Ok(manager)
}

/// One line per device, columns aligned.
fn table(status: &[DeviceStatus]) -> String {
    let mut rows = vec![
        ["BACKEND", "KIND", "MAKE", "MODEL", "SERIAL", "STATUS"]
            .map(String::from)
            .to_vec(),
    ];
    for s in status {
        let state = match (&s.state, &s.last_error) {
            (DeviceState::Missing, Some(e)) => format!("missing ({})", e.message()),
            (state, _) => state.name().to_owned(),
        };
        rows.push(vec![
            s.info.backend.name().to_owned(),
            s.kind.name().to_owned(),
            s.info.make.clone(),
            s.info.model.clone(),
            s.info.serial.clone(),
            state,
        ]);
    }
    if status.is_empty() {
        return "no devices found\n".into();
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn test(config: &Config, args: TestArgs) -> anyhow::Result<ExitCode> {
    let manager = start(config, args.backend.backend)?;
    let policy = config.capture;
    let status = manager.status();
    if status.is_empty() {
        println!("no devices found");
        return Ok(ExitCode::from(exit::NOT_FOUND));
    }
    let mut failed = 0;
    for device in &status {
        let id = device.info.device_id();
        if device.state == DeviceState::Missing {
            let why = device
                .last_error
                .as_ref()
                .map_or("not attached", |e| e.message());
            println!("{id}: FAILED: {why}");
            failed += 1;
            continue;
        }
        let result = match device.kind {
            DeviceKind::FingerprintScanner => {
                let request = policy
                    .finger_request(args.fingers, &[])
                    .expect("no exceptions given");
                manager
                    .capture_fingers_on(&id, request)
                    .recv()?
                    .map(|images| {
                        images
                            .iter()
                            .map(|i| {
                                let quality = i
                                    .device_quality
                                    .map_or("none".to_owned(), |q| q.to_string());
                                format!(
                                    "{id}: {} {}x{} at {} ppi, device quality {quality}\n",
                                    i.position, i.width, i.height, i.ppi
                                )
                            })
                            .collect::<String>()
                    })
            }
            DeviceKind::Camera => manager
                .still_on(&id)
                .recv()?
                .map(|frame| format!("{id}: still {}x{}\n", frame.width, frame.height)),
        };
        match result {
            Ok(lines) => print!("{lines}"),
            Err(e) => {
                println!("{id}: FAILED: {e}");
                failed += 1;
            }
        }
    }
    println!("{} tested, {failed} failed", status.len());
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILURE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FingerPosition;

    #[test]
    fn finger_sets_parse() {
        assert_eq!(parse_set("thumbs"), Ok(FingerSet::Thumbs));
        assert_eq!(
            parse_set("left-ring"),
            Ok(FingerSet::Single(FingerPosition::LeftRing))
        );
        assert!(
            parse_set("left-hand")
                .unwrap_err()
                .contains("unknown finger")
        );
    }
}
