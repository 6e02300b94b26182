//! `kattoo export --to DIR [--allow-empty]` and `kattoo export --again SEQ --to DIR` (supervisor), and
//! `kattoo station certificate --to DIR`.

use super::Context;
use super::operator::Actor;
use crate::batch::{DirMedium, Progress, Stage};
use crate::domain::Timestamp;
use clap::Args;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Export arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write the batch to (the USB stick's mount point).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// Write batch SEQ again, byte for byte, instead of a new batch.
    #[arg(long, value_name = "SEQ")]
    pub again: Option<u64>,
    /// Write a batch even when no approved record waits: the audit log alone, so that the last
    /// days of a station that is closing down reach central.
    #[arg(long, conflicts_with = "again")]
    pub allow_empty: bool,
    #[command(flatten)]
    pub actor: Actor,
}

/// An indicatif bar on a terminal, nothing otherwise.
pub(super) fn progress_bar() -> impl FnMut(Progress) {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len}")
                .expect("template parses")
                .progress_chars("=> "),
        );
        bar
    });
    let mut stage = None;
    move |p: Progress| {
        let Some(bar) = &bar else { return };
        if stage != Some(p.stage) {
            stage = Some(p.stage);
            bar.set_message(match p.stage {
                Stage::Packing => "records",
                Stage::Copying => "writing",
                Stage::ReadingBack => "checking",
            });
            bar.set_length(p.total);
        }
        bar.set_position(p.done);
        if p.stage == Stage::ReadingBack && p.done >= p.total {
            bar.finish_and_clear();
        }
    }
}

fn check_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Err(super::UsageError(format!(
            "{} is not a directory: mount the USB stick and give its directory",
            dir.display()
        ))
        .into());
    }
    Ok(())
}

pub(super) fn run(ctx: &Context, args: ExportArgs) -> anyhow::Result<ExitCode> {
    check_dir(&args.to)?;
    let (mut st, session) = args.actor.open(ctx)?;
    let medium = DirMedium(args.to.clone());
    let mut bar = progress_bar();
    let out = match args.again {
        Some(seq) => st.export_again(&session, seq, &medium, Timestamp::now(), &mut bar)?,
        None if args.allow_empty => {
            st.export_allowing_empty(&session, &medium, Timestamp::now(), &mut bar)?
        }
        None => st.export(&session, &medium, Timestamp::now(), &mut bar)?,
    };
    println!(
        "batch {} written to {} ({} records, sha256 {})",
        out.sequence,
        out.path.display(),
        out.records,
        out.sha256
    );
    if out.resumed {
        println!(
            "this completed batch {}, which an earlier export had not finished (power lost?); records approved since then go in the next batch: run `kattoo export` again",
            out.sequence
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `kattoo station certificate --to DIR`: writes `station-<id>.json` and `station-<id>.pub`.
pub(super) fn certificate(st: &crate::station::Station, to: &Path) -> anyhow::Result<ExitCode> {
    check_dir(to)?;
    let (name, bytes) = st.certificate()?;
    let id = st.info().station_id.to_string();
    let medium = DirMedium(to.to_owned());
    for (name, bytes) in [
        (name, bytes),
        (
            format!("station-{id}.pub"),
            st.info().public_key.to_pem().into_bytes(),
        ),
    ] {
        let local = tempfile_in(st.data_dir(), &name, &bytes)?;
        let sha = crate::batch::bag::sha256_hex(&bytes);
        crate::batch::medium::copy_to_medium(&medium, &local, &name, &sha, &mut |_| {})?;
        let _ = std::fs::remove_file(&local);
        println!("{}", to.join(&name).display());
    }
    println!("key fingerprint {}", st.info().public_key.fingerprint());
    Ok(ExitCode::SUCCESS)
}

fn tempfile_in(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = dir.join(format!("{name}.out"));
    std::fs::write(&path, bytes)?;
    Ok(path)
}
