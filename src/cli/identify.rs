//! `kattoo identify`: find a citizen by one or two fingers among the station's live records.

use super::operator::Actor;
use super::{Context, UsageError};
use crate::domain::{BiometricKind, Capture, FingerPosition, Provenance, Timestamp};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `kattoo identify`.
#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// A finger, POSITION=FILE (8-bit grayscale PNG, 500 ppi), e.g. right-index=ri.png; one or two.
    #[arg(long = "finger", value_name = "POSITION=FILE", required = true)]
    pub fingers: Vec<String>,
    #[command(flatten)]
    pub actor: Actor,
}

fn finger(arg: &str) -> anyhow::Result<Capture> {
    let (position, path) = arg.split_once('=').ok_or_else(|| {
        UsageError(format!(
            "--finger '{arg}' is not POSITION=FILE, e.g. right-index=ri.png"
        ))
    })?;
    let position: FingerPosition = position.trim().parse().map_err(UsageError)?;
    let path = PathBuf::from(path.trim());
    let data = super::read_input(&path)?;
    // A file someone hands in to look a citizen up: nothing is saved from it.
    Capture::from_png(
        BiometricKind::Finger,
        Some(position),
        data,
        Provenance::back_fill(),
    )
    .map_err(|e| UsageError(format!("{} ({position}): {e}", path.display())).into())
}

pub(super) fn run(ctx: &Context, args: IdentifyArgs) -> anyhow::Result<ExitCode> {
    if args.fingers.len() > 2 {
        return Err(UsageError("give one or two --finger, not more".into()).into());
    }
    let fingers = args
        .fingers
        .iter()
        .map(|f| finger(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (mut station, session) = args.actor.open(ctx)?;
    let found = station.identify(&session, &fingers, Timestamp::now())?;
    println!("{:<26} {:>6}  {}", "REGISTRATION ID", "SCORE", "NAME");
    for m in &found {
        let (_, record) = station.record(&session, &m.registration_id, Timestamp::now())?;
        println!(
            "{:<26} {:>6.3}  {}",
            m.registration_id,
            m.score,
            record.citizen.full_name()
        );
    }
    println!("{} candidate(s)", found.len());
    Ok(ExitCode::SUCCESS)
}
