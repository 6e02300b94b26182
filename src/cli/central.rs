//! `kattoo central --db FILE init | add-station | import | report`.

use super::exit;
use crate::central::{Central, Error, ImportOutcome, SqliteCentral};
use crate::domain::Timestamp;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Central arguments.
#[derive(Debug, Args)]
pub struct CentralArgs {
    /// Central's database (plain SQLite).
    #[arg(
        long,
        global = true,
        env = "KATTOO_CENTRAL_DB",
        value_name = "FILE",
        default_value = "central.sqlite"
    )]
    pub db: PathBuf,
    #[command(subcommand)]
    pub command: CentralCommand,
}

/// Central subcommands.
#[derive(Debug, Subcommand)]
pub enum CentralCommand {
    /// Create central's age identity; print its recipient (give it to every station).
    Init {
        /// Also write the identity file here (for `age -d -i` and `kattoo batch verify`).
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Register a station from its certificate (station-<id>.json), or from its public key
    /// (station.pub) with --station-id. Check the printed fingerprint with the station out of band.
    AddStation {
        file: PathBuf,
        /// The station id, when FILE is a bare public key.
        #[arg(long, value_name = "ID")]
        station_id: Option<String>,
    },
    /// Verify and import batches (idempotent).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Per-station record counts, last sequence and open gaps.
    Report,
}

/// The exit status of a central error.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Batch(b) => super::batch::exit_code(b),
        Error::UnknownStation(_) => exit::UNKNOWN_STATION,
        Error::Replay { .. } => exit::REPLAY,
        Error::LowerSequence { .. } => exit::LOWER_SEQUENCE,
        Error::ChainMismatch { .. }
        | Error::WrongStationKey { .. }
        | Error::StationKeyConflict { .. } => exit::BATCH_SIGNATURE,
        Error::NotInitialised => exit::NOT_FOUND,
        Error::AlreadyInitialised(_) => exit::INVALID,
        Error::Io { .. } => exit::USAGE,
        Error::Db(_) => exit::FAILURE,
    }
}

fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(path)
        .map_err(|e| super::UsageError(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

pub(super) fn run(args: CentralArgs) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now().to_string();
    let mut central = Central::new(SqliteCentral::open(&args.db)?);
    match args.command {
        CentralCommand::Init { identity } => {
            let (text, recipient) = central.init(&now)?;
            if let Some(path) = identity {
                write_private(&path, &text)?;
            }
            println!("{recipient}");
        }
        CentralCommand::AddStation { file, station_id } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| super::UsageError(format!("cannot read {}: {e}", file.display())))?;
            let s = if bytes.starts_with(b"-----BEGIN") {
                let Some(id) = station_id else {
                    return Err(super::UsageError(
                        "a bare public key does not name its station: add --station-id ID, or give the station certificate".into(),
                    )
                    .into());
                };
                central.add_station_key(&id, &String::from_utf8_lossy(&bytes), &now)?
            } else {
                central.add_station(&bytes, &now)?
            };
            println!(
                "station {} registered, key {}",
                s.station_id,
                s.public_key.fingerprint()
            );
        }
        CentralCommand::Import { files } => {
            let mut first_code: Option<u8> = None;
            for file in files {
                match central.import(&file, &now) {
                    Ok(ImportOutcome::AlreadyImported {
                        station_id,
                        sequence,
                    }) => {
                        println!(
                            "{}: batch {sequence} of {station_id} already imported, nothing to do",
                            file.display()
                        );
                    }
                    Ok(ImportOutcome::Imported {
                        station_id,
                        sequence,
                        records,
                        gap,
                        cross_station_pins,
                    }) => {
                        println!(
                            "{}: batch {sequence} of {station_id} imported, {records} records",
                            file.display()
                        );
                        if let Some((a, b)) = gap {
                            println!("  gap: batches {a}..{b} of {station_id} are missing");
                        }
                        for c in cross_station_pins {
                            println!(
                                "  PIN {} of {} is also enrolled at {} as {}",
                                c.masked_pin,
                                c.registration_id,
                                c.other_station,
                                c.other_registration_id
                            );
                        }
                    }
                    Err(e) => {
                        eprintln!("kattoo: {}: {e}", file.display());
                        first_code.get_or_insert(exit_code(&e));
                    }
                }
            }
            if let Some(code) = first_code {
                // Each failure is printed above; the status is that of the first.
                return Ok(ExitCode::from(code));
            }
        }
        CentralCommand::Report => {
            println!(
                "{:<12} {:>8} {:>8} {:>6}  gaps",
                "station", "records", "batches", "last"
            );
            for s in central.report()? {
                let gaps = if s.gaps.is_empty() {
                    "-".to_owned()
                } else {
                    s.gaps
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                };
                println!(
                    "{:<12} {:>8} {:>8} {:>6}  {gaps}",
                    s.station_id, s.records, s.batches, s.last_sequence
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
