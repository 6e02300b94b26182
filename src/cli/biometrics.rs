//! `kattoo biometrics eval DIR [--json] [--iso]` and `kattoo biometrics scores DIR [--iso]`: the
//! matcher's accuracy on a folder of FVC-named finger images (`<finger>_<impression>.png`), by
//! the protocol in [`crate::matching::eval`]. `scores` prints every pair's score so that anyone
//! can compute the figures independently (`shared/tools/eer.py`). No station is needed.
//!
//! Exit status: 0, or [`super::exit::USAGE`] when the folder, an image or a record is unusable.

use super::UsageError;
use crate::matching::eval::{self, Sample, Source};
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Biometrics subcommands.
#[derive(Debug, Subcommand)]
pub enum BiometricsCommand {
    /// Accuracy over a folder of <finger>_<impression>.png: EER, FMR100, FMR1000, ZeroFMR, speed.
    Eval(EvalArgs),
    /// Print `a<TAB>b<TAB>score` for every unordered pair of images of a folder.
    Scores(FolderArgs),
}

/// A folder in the FVC layout.
#[derive(Debug, Args)]
pub struct FolderArgs {
    /// Folder of <finger>_<impression>.png images.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Use the ISO 19794-2 records in DIR/iso19794-2/ instead of extracting from the images.
    #[arg(long)]
    pub iso: bool,
}

/// Options of `kattoo biometrics eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(super) fn run(cmd: BiometricsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BiometricsCommand::Scores(args) => {
            let (samples, _) = load(&args)?;
            let (scores, _) = eval::all_pairs(&samples);
            let mut out = String::with_capacity(scores.len() * 24);
            for s in &scores {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{:.6}",
                    samples[s.a].stem, samples[s.b].stem, s.score
                );
            }
            print!("{out}");
        }
        BiometricsCommand::Eval(args) => {
            let (samples, extract_ms) = load(&args.folder)?;
            let (scores, per_core) = eval::all_pairs(&samples);
            let (genuine, impostor) = eval::split(&samples, &scores);
            let Some(acc) = eval::accuracy(&genuine, &impostor) else {
                return Err(UsageError(format!(
                    "{}: needs two impressions of a finger and two fingers",
                    args.folder.dir.display()
                ))
                .into());
            };
            let mut fingers: Vec<u32> = samples.iter().map(|s| s.finger).collect();
            fingers.dedup();
            let templates = if args.folder.iso {
                "iso19794-2"
            } else {
                "extracted"
            };
            if args.json {
                let round = |v: f64| (v * 1e4).round() / 1e4;
                let report = serde_json::json!({
                    "dir": args.folder.dir.display().to_string(),
                    "templates": templates,
                    "images": samples.len(),
                    "fingers": fingers.len(),
                    "genuine": acc.genuine,
                    "impostor": acc.impostor,
                    "eer": round(acc.eer),
                    "fmr100": round(acc.fmr100),
                    "fmr1000": round(acc.fmr1000),
                    "zero_fmr": round(acc.zero_fmr),
                    "extraction_ms": (!args.folder.iso).then(|| round(extract_ms)),
                    "comparisons_per_second_per_core": per_core.round(),
                });
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("folder       {}", args.folder.dir.display());
                println!("templates    {templates}");
                println!("images       {} ({} fingers)", samples.len(), fingers.len());
                println!("genuine      {}", acc.genuine);
                println!("impostor     {}", acc.impostor);
                println!("EER          {:.2} %", acc.eer);
                println!("FMR100       {:.2} %", acc.fmr100);
                println!("FMR1000      {:.2} %", acc.fmr1000);
                println!("ZeroFMR      {:.2} %", acc.zero_fmr);
                if !args.folder.iso {
                    println!("extraction   {extract_ms:.1} ms per image");
                }
                println!("comparisons  {per_core:.0} per second per core");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load(args: &FolderArgs) -> anyhow::Result<(Vec<Sample>, f64)> {
    let source = if args.iso {
        Source::Iso
    } else {
        Source::Extract
    };
    eval::load(&args.dir, source).map_err(|e| UsageError(e.to_string()).into())
}
