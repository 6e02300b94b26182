//! `kattoo central --db FILE|postgres://… init | protect-identity | add-station | revoke-station |
//! rekey-station | keys | import | report | duplicates | decide`.
//!
//! Central's identity is kept encrypted to the central passphrase, which comes from
//! `--passphrase-file`, `KATTOO_CENTRAL_PASSPHRASE` or a prompt (twice when new), read the same
//! way as the station's ([`super::secrets`]).

use super::central_open::{Opened, Purpose};
use super::{Context, UsageError, exit, secrets};
use crate::central::{
    Central, CentralKey, CentralStore, Decision, DecisionRow, DedupSettings, Error, IdentitySecret,
    Location, ProtectedIdentity, RegisterQuery,
};
use crate::domain::Timestamp;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The environment variable that may hold the central passphrase.
pub const PASSPHRASE_ENV: &str = "KATTOO_CENTRAL_PASSPHRASE";

/// Central arguments.
#[derive(Debug, Args)]
pub struct CentralArgs {
    /// Central's database: a SQLite file (encrypted with the central passphrase), or a
    /// PostgreSQL database, postgres://USER@HOST/DATABASE (a Unix socket directory as HOST
    /// percent-encoded, e.g. postgres://kattoo@%2Frun%2Fpostgresql/central). The password comes
    /// from PGPASSWORD or the file KATTOO_PG_PASSWORD_FILE names, never from the address.
    #[arg(
        long,
        global = true,
        env = "KATTOO_CENTRAL_DB",
        value_name = "FILE|URL",
        default_value = "central.sqlite"
    )]
    pub db: String,
    #[command(subcommand)]
    pub command: CentralCommand,
}

/// Central subcommands.
#[derive(Debug, Subcommand)]
pub enum CentralCommand {
    /// Create central's age identity, encrypted with a new central passphrase; print its
    /// recipient (give it to every station).
    Init {
        /// Also write the identity file here, encrypted with the passphrase as `age -p` does
        /// (for `age -d -i FILE` and `kattoo batch verify --identity FILE`). No plain copy is
        /// ever written; `age -d FILE` makes one if you must.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Encrypt an identity that an older kattoo stored in plain text, with a new central
    /// passphrase (the key and recipient stay the same).
    ProtectIdentity {
        /// Also write the encrypted identity file here.
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
    /// Revoke a station's current key (a stolen or lost laptop): its batches are refused from
    /// now on (exit 24); those accepted before stay.
    RevokeStation {
        station_id: String,
        /// Who revokes.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Register the new key of a known station from its new certificate (a replacement laptop
    /// set up with the same station id). The old key is revoked and linked to the new one.
    RekeyStation {
        certificate: PathBuf,
        /// Who registers the new key.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Every key a station has signed with: current, revoked, and what replaced what.
    Keys { station_id: String },
    /// Verify and import batches (idempotent).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Import this many batches at once, each on its own database connections (PostgreSQL
        /// only; a SQLite file takes one writer at a time). Batches of one station still take
        /// turns, in the database. At most 32: each importer holds two connections (PostgreSQL
        /// allows 100 by default) and its own copy of the duplicate-search index.
        #[arg(long, value_name = "N", default_value_t = 1,
              value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
        jobs: u16,
    },
    /// Per-station record counts, last sequence, open gaps and possible duplicate people.
    Report,
    /// List the possible duplicate people found at import (one person registered at two
    /// stations, or twice at one), with both records and the scores; open ones first.
    Duplicates {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Every record holding a PIN (corrected ones too), with its station and precinct.
    Find {
        #[arg(long, value_name = "PIN")]
        pin: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The citizens registered at a precinct (current records, corrections applied).
    Precinct {
        precinct: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Every record whose PIN is also held at another station, for a central operator to resolve.
    DuplicatePins {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Write the signed voter list of a precinct (kattoo/voter-list/v1) into DIR, with
    /// central's signing key (central-signing.pub) beside it for polling stations.
    VoterList {
        precinct: String,
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Print central's signing key (PEM), with which polling stations check voter lists.
    SigningKey,
    /// Record the decision on a listed possible duplicate (once; it is final).
    Decide {
        /// The number `central duplicates` shows.
        pair: u64,
        /// The decision.
        #[arg(long = "as", value_enum)]
        decision: Decision,
        /// Who decides.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Why.
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// The exit status of a central error.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Batch(b) => super::batch::exit_code(b),
        Error::UnknownStation(_) => exit::UNKNOWN_STATION,
        Error::Replay { .. } => exit::REPLAY,
        Error::LowerSequence { .. } | Error::SequenceOutOfRange { .. } => exit::LOWER_SEQUENCE,
        Error::ChainMismatch { .. }
        | Error::WrongStationKey { .. }
        | Error::StationKeyConflict { .. }
        | Error::KeyInUse { .. } => exit::BATCH_SIGNATURE,
        Error::RevokedStationKey { .. } => exit::REVOKED_KEY,
        Error::NotInitialised | Error::UnknownPair(_) => exit::NOT_FOUND,
        Error::Template { .. }
        | Error::AlreadyDecided { .. }
        | Error::RegistrationIdTaken { .. }
        | Error::UnfinishedExport(_) => exit::INVALID,
        Error::DecisionIncomplete | Error::KeyChangeIncomplete | Error::PlainDatabase(_) => {
            exit::USAGE
        }
        Error::AlreadyInitialised(_) | Error::UnprotectedIdentity | Error::AlreadyProtected => {
            exit::INVALID
        }
        Error::WrongPassphrase => exit::AUTH,
        Error::DatabasePermissions { .. } => exit::AUTH,
        Error::Io { .. }
        | Error::EmptyPassphrase
        | Error::IdentityEncrypt(_)
        | Error::IdentityArmored
        | Error::IdentityForKey
        | Error::IdentityWork { .. }
        | Error::IdentityDamaged(_)
        | Error::IdentityNotText
        | Error::PgPasswordInAddress(_)
        | Error::PgAddress(_)
        | Error::PgRemote(_)
        | Error::PgSslMode(..)
        | Error::PgAuthority(_)
        | Error::PgTls { .. }
        | Error::PgClientCertificateNamed(_)
        | Error::PgTlsOverSocket(_)
        | Error::PgClientCertificate { .. }
        | Error::PgClientKeyReadable(_) => exit::USAGE,
        Error::VoterListSignature(_) => exit::BATCH_SIGNATURE,
        Error::VoterListForm(_) | Error::VoterListPrecinct { .. } | Error::RecordUnreadable(_) => {
            exit::INVALID
        }
        Error::Db(_)
        | Error::Pg(_)
        | Error::PgConnect { .. }
        | Error::NewerSchema { .. }
        | Error::StoredStationKey { .. }
        | Error::NoIdentity
        | Error::IdentityMismatch(_)
        | Error::Sealed(_)
        | Error::Locked
        | Error::Changed(_) => exit::FAILURE,
    }
}

/// The central passphrase: `--passphrase-file`, [`PASSPHRASE_ENV`], or a prompt (twice when new).
pub(super) fn passphrase(ctx: &Context, new: bool) -> anyhow::Result<Zeroizing<String>> {
    let file = ctx.passphrase_file.as_deref();
    if new {
        secrets::new_password(file, PASSPHRASE_ENV, "central passphrase")
    } else {
        secrets::password(file, PASSPHRASE_ENV, "Central passphrase: ")
    }
}

/// Creates `path` for an identity file: new (never overwritten), readable by its owner only.
fn create_private(path: &Path) -> anyhow::Result<(PathBuf, std::fs::File)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let f = opts.open(path).map_err(|e| {
        UsageError(format!(
            "cannot create {}: {e}; give a new file name (an existing file is never overwritten)",
            path.display()
        ))
    })?;
    Ok((path.to_owned(), f))
}

/// Makes or protects central's identity with the new central `passphrase`, writing the
/// encrypted identity file to `out` (created before anything changes, removed again if nothing
/// did).
fn with_new_identity(
    passphrase: &str,
    db: &str,
    out: Option<&Path>,
    make: impl FnOnce(&str) -> crate::central::Result<ProtectedIdentity>,
) -> anyhow::Result<ProtectedIdentity> {
    use std::io::Write;
    let out = out.map(create_private).transpose()?;
    let made = match make(passphrase) {
        Ok(made) => made,
        Err(e) => {
            if let Some((path, _)) = &out {
                let _ = std::fs::remove_file(path);
            }
            return Err(e.into());
        }
    };
    if let Some((path, mut f)) = out {
        f.write_all(&made.file)
            .and_then(|()| f.sync_all())
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot write {path}: {e}; central's identity is stored all the same, encrypted, in central's database {db}, and imports need nothing else: the file is only a copy for `age` and `batch verify`",
                    path = path.display(),
                )
            })?;
        eprintln!(
            "central's identity is in {}, encrypted with the central passphrase: `age -d -i {}` asks for it",
            path.display(),
            path.display()
        );
    }
    Ok(made)
}

/// Opens central's identity with the central passphrase that opened its database.
fn unlock<S: CentralStore>(central: &Central<S>, passphrase: &str) -> anyhow::Result<CentralKey> {
    match central.store().identity()? {
        None => return Err(Error::NotInitialised.into()),
        Some(s) if matches!(s.secret, IdentitySecret::Plain(_)) => {
            return Err(Error::UnprotectedIdentity.into());
        }
        Some(_) => {}
    }
    Ok(central.unlock(passphrase)?)
}

/// The most importers `central import --jobs` runs at once.
const MAX_JOBS: i64 = 32;

pub(super) fn run(ctx: &Context, args: CentralArgs) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now().to_string();
    let location = Location::parse(&args.db)?;
    if let (Location::File(_), CentralCommand::Import { jobs: 2.., .. }) =
        (&location, &args.command)
    {
        return Err(UsageError(
            "--jobs above 1 needs a PostgreSQL database: a SQLite file takes one writer at a time; import without --jobs".into(),
        )
        .into());
    }
    let purpose = match args.command {
        CentralCommand::Init { .. } => Purpose::Init,
        CentralCommand::ProtectIdentity { .. } => Purpose::Protect,
        _ => Purpose::Use,
    };
    let Opened {
        central,
        passphrase,
    } = super::central_open::open(ctx, &location, purpose)?;
    let mut central = central.with_dedup(DedupSettings::from_config(&ctx.config));
    match args.command {
        CentralCommand::Init { identity } => {
            if central.store().identity()?.is_some() {
                return Err(Error::AlreadyInitialised(args.db.clone()).into());
            }
            let made = with_new_identity(&passphrase, &args.db, identity.as_deref(), |p| {
                central.init(p, &now)
            })?;
            println!("{}", made.recipient);
            eprintln!(
                "give this recipient to every station (e.g. in central-recipient.txt on a USB stick); the station shows its fingerprint {} to compare",
                crate::batch::recipient_fingerprint(std::slice::from_ref(&made.recipient))
            );
        }
        CentralCommand::ProtectIdentity { identity } => {
            match central.store().identity()? {
                None => return Err(Error::NotInitialised.into()),
                Some(s) if matches!(s.secret, IdentitySecret::Protected(_)) => {
                    return Err(Error::AlreadyProtected.into());
                }
                Some(_) => {}
            }
            let made = with_new_identity(&passphrase, &args.db, identity.as_deref(), |p| {
                central.protect_identity(p)
            })?;
            println!(
                "central's identity ({}) is now encrypted with the central passphrase; copies of {} made before still hold it in plain text: destroy them",
                made.recipient, args.db
            );
        }
        CentralCommand::AddStation { file, station_id } => {
            let bytes = super::read_input(&file)?;
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
        CentralCommand::RevokeStation {
            station_id,
            by,
            reason,
        } => super::central_keys::revoke(&mut central, &station_id, &by, &reason, &now)?,
        CentralCommand::RekeyStation {
            certificate,
            by,
            reason,
        } => super::central_keys::rekey(&mut central, &certificate, &by, &reason, &now)?,
        CentralCommand::Keys { station_id } => super::central_keys::list(&central, &station_id)?,
        CentralCommand::Import { files, jobs } => {
            let key = unlock(&central, &passphrase)?;
            let dedup = DedupSettings::from_config(&ctx.config);
            let first_code = super::central_import::run(
                central,
                &location,
                dedup,
                &files,
                usize::from(jobs),
                &key,
                &now,
            )?;
            if let Some(code) = first_code {
                // Each failure is printed above; the status is that of the first.
                return Ok(ExitCode::from(code));
            }
        }
        CentralCommand::Report => {
            println!(
                "{:<12} {:>8} {:>8} {:>6} {:>10} {:>6}  gaps",
                "station", "records", "batches", "last", "duplicates", "open"
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
                let (open, decided) = s.duplicates;
                println!(
                    "{:<12} {:>8} {:>8} {:>6} {:>10} {open:>6}  {gaps}",
                    s.station_id,
                    s.records,
                    s.batches,
                    s.last_sequence,
                    open + decided
                );
            }
            let pairs = central.duplicates()?;
            let open = pairs.iter().filter(|p| p.decision.is_none()).count();
            println!(
                "possible duplicate people: {} listed, {open} open, {} confirmed, {} not duplicates",
                pairs.len(),
                pairs
                    .iter()
                    .filter(|p| p
                        .decision
                        .as_ref()
                        .is_some_and(|d| d.decision == Decision::Confirmed))
                    .count(),
                pairs
                    .iter()
                    .filter(|p| p
                        .decision
                        .as_ref()
                        .is_some_and(|d| d.decision == Decision::NotADuplicate))
                    .count(),
            );
        }
        CentralCommand::Duplicates { json } => super::central_duplicates::list(&central, json)?,
        CentralCommand::Find { pin, json } => {
            if let Some(code) = super::central_register::find(&central, &pin, json)? {
                return Ok(ExitCode::from(code));
            }
        }
        CentralCommand::Precinct { precinct, json } => {
            let precinct = super::central_register::precinct(&precinct)?;
            let query = RegisterQuery::Precinct(precinct.as_str().to_owned());
            super::central_register::list(&central, &query, json)?;
        }
        CentralCommand::VoterList { precinct, to } => {
            let key = unlock(&central, &passphrase)?;
            super::central_register::voter_list(&central, &key, &precinct, &to, &now)?;
        }
        CentralCommand::SigningKey => {
            let public = unlock(&central, &passphrase)?.signing_key().public_key();
            print!("{}", public.to_pem());
            eprintln!("fingerprint {}", public.fingerprint());
        }
        CentralCommand::DuplicatePins { json } => {
            super::central_register::list(&central, &RegisterQuery::PinsAtSeveralStations, json)?;
        }
        CentralCommand::Decide {
            pair,
            decision,
            by,
            reason,
        } => {
            central.decide(
                pair,
                DecisionRow {
                    decision,
                    by,
                    reason,
                    at: now.clone(),
                },
            )?;
            println!("possible duplicate #{pair}: {}", decision.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}
