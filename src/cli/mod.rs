//! The headless command line: one file per command group, all calling into [`crate::station`].
//!
//! `anyhow` lives here and in `main.rs` only; [`exit_code`] turns a library error into the exit
//! status that scripts rely on (see README, "Exit codes").

mod audit;
mod batch;
mod biometrics;
mod central;
mod central_duplicates;
mod central_import;
mod central_keys;
mod central_open;
mod central_register;
mod devices;
mod doctor;
pub(crate) mod enroll;
mod export;
mod identify;
mod init;
mod operator;
mod records;
mod secrets;
mod sim_sbi;
mod station;
mod voter_list;

use crate::config::Config;
use crate::domain::Timestamp;
use crate::station::{Error as StationError, Session, Station};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// kattoo: offline biometric voter registration.
#[derive(Debug, Parser)]
#[command(name = "kattoo", version, about, long_about = None)]
pub struct Cli {
    /// Station data directory (default: the platform data directory).
    #[arg(long, global = true, env = "KATTOO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Read the passphrase from this file (first line) instead of KATTOO_PASSPHRASE or a prompt; under
    /// `central` and `batch verify`, central's passphrase, instead of KATTOO_CENTRAL_PASSPHRASE.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// With no subcommand: open the window fullscreen, without decorations (kiosk session).
    #[arg(long, global = true)]
    pub kiosk: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands; none opens the kiosk GUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new station: data directory, encrypted database, station key, first admin.
    Init(init::InitArgs),
    /// Show the station or print its public key.
    #[command(subcommand)]
    Station(station::StationCommand),
    /// Manage operator accounts.
    #[command(subcommand)]
    Operator(operator::OperatorCommand),
    /// Save an enrollment from files (automation and back-filling).
    Enroll(enroll::EnrollArgs),
    /// List, show and verify records.
    #[command(subcommand)]
    Records(records::RecordsCommand),
    /// Approve pending records (supervisor).
    Approve(records::ApproveArgs),
    /// Reject a pending record with a reason (supervisor).
    Reject(records::RejectArgs),
    /// Verify or show the audit chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// List and test cameras and fingerprint scanners.
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Serve the fixture fingerprints and face as a simulated MOSIP SBI device on 127.0.0.1.
    SimSbi(sim_sbi::SimSbiArgs),
    /// Export the next batch to a USB stick, or write a lost one again (supervisor).
    Export(export::ExportArgs),
    /// Verify a batch file; set the recipient batches are encrypted to.
    #[command(subcommand)]
    Batch(batch::BatchCommand),
    /// Central: register stations, import and report batches.
    Central(central::CentralArgs),
    /// Check the data directory, disk, clock, devices, database, records and audit chain; say what to fix.
    Doctor(doctor::DoctorArgs),
    /// Fingerprint matching: accuracy and scores over a folder of FVC-named images.
    #[command(subcommand)]
    Biometrics(biometrics::BiometricsCommand),
    /// Check a precinct's voter list from central: signature, form, precinct.
    #[command(subcommand)]
    VoterList(voter_list::VoterListCommand),
    /// Find a citizen by one or two fingers among the station's records, with scores.
    Identify(identify::IdentifyArgs),
}

/// Exit statuses, stable for scripts.
pub mod exit {
    /// Something else failed (I/O, damaged data).
    pub const FAILURE: u8 = 1;
    /// Bad command line or unusable input file.
    pub const USAGE: u8 = 2;
    /// Wrong passphrase, wrong password, locked or disabled account.
    pub const AUTH: u8 = 3;
    /// The operator's role does not allow the action.
    pub const DENIED: u8 = 4;
    /// Citizen details or captures are not valid.
    pub const INVALID: u8 = 5;
    /// The PIN is already enrolled.
    pub const DUPLICATE: u8 = 6;
    /// A verification found a problem.
    pub const VERIFY: u8 = 7;
    /// No such record, operator or station.
    pub const NOT_FOUND: u8 = 8;
    /// `kattoo doctor`: some checks warn, none fails (a failing check exits with [`VERIFY`]).
    pub const DOCTOR_WARNINGS: u8 = 9;
    /// Batch: not an age file, truncated, not a valid tar or bag.
    pub const BATCH_DAMAGED: u8 = 10;
    /// Batch: encrypted to another recipient.
    pub const WRONG_RECIPIENT: u8 = 11;
    /// Batch: a file the bag lists is missing.
    pub const MISSING_FILE: u8 = 12;
    /// Batch: a file the bag does not list.
    pub const EXTRA_FILE: u8 = 13;
    /// Batch: a file does not match its manifest digest.
    pub const DIGEST: u8 = 14;
    /// Batch: the station signature or certificate does not verify, or the batch does not chain.
    pub const BATCH_SIGNATURE: u8 = 15;
    /// Batch: a record's signature does not verify.
    pub const RECORD_SIGNATURE: u8 = 16;
    /// Batch: a biometric does not match its hash.
    pub const BIOMETRIC_HASH: u8 = 17;
    /// Batch: the audit segment's chain is broken.
    pub const AUDIT_CHAIN: u8 = 18;
    /// Export: the medium returned different bytes on read-back.
    pub const MEDIUM: u8 = 19;
    /// Central: the batch's station is not registered.
    pub const UNKNOWN_STATION: u8 = 20;
    /// Central: a sequence already accepted, with other content.
    pub const REPLAY: u8 = 21;
    /// Central: a sequence below the last accepted one.
    pub const LOWER_SEQUENCE: u8 = 22;
    /// `batch verify` without `--station-key`: intact, but checked only against the key the
    /// batch itself carries, so not proven to come from the registered station.
    pub const KEY_NOT_CHECKED: u8 = 23;
    /// Central: the batch is signed by a station key central revoked.
    pub const REVOKED_KEY: u8 = 24;
}

/// A verification that found problems (already printed).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct VerificationFailed(pub String);

/// A problem with the command line or an input file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The bytes of a file named on the command line; a file that cannot be read is a usage error
/// that names it.
fn read_input(path: &std::path::Path) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path).map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))
}

/// A rule refused what was asked (the same refusal the kiosk shows); exits with
/// [`exit::INVALID`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The exit status for an error chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    use crate::store::Error as StoreError;
    for cause in err.chain() {
        if cause.is::<VerificationFailed>() {
            return exit::VERIFY;
        }
        if cause.is::<UsageError>() {
            return exit::USAGE;
        }
        if let Some(e) = cause.downcast_ref::<crate::batch::Error>() {
            return batch::exit_code(e);
        }
        if let Some(e) = cause.downcast_ref::<crate::central::Error>() {
            return central::exit_code(e);
        }
        if cause.is::<Refused>() || cause.is::<crate::workflow::WorkflowError>() {
            return exit::INVALID;
        }
        if let Some(e) = cause.downcast_ref::<StationError>() {
            return match e {
                StationError::BadCredentials
                | StationError::LockedOut { .. }
                | StationError::AccountLocked(_)
                | StationError::AccountDisabled(_)
                | StationError::MalformedLogin => exit::AUTH,
                StationError::PermissionDenied { .. } | StationError::PasswordChangeRequired(_) => {
                    exit::DENIED
                }
                StationError::Validation(_)
                | StationError::Incomplete(_)
                | StationError::PassphraseTooShort
                | StationError::UnknownRegion(_)
                | StationError::BadStationName
                | StationError::NoPrecinct
                | StationError::BadLogin(..)
                | StationError::BadRegistrationId(_)
                | StationError::SequencesUsed
                | StationError::BadFirstSequence(_)
                | StationError::OwnAccount(_)
                | StationError::UnknownBackend(_)
                | StationError::NoBackend
                | StationError::RejectionReason
                | StationError::ReasonTooLong(_)
                | StationError::NoRecipient
                | StationError::NoRecipientGiven
                | StationError::NothingToExport
                | StationError::PrecinctNotServed(_)
                | StationError::NotPending { .. }
                | StationError::Superseded { .. }
                | StationError::OperatorExists(_)
                | StationError::OverrideReason
                | StationError::PasswordUnchanged
                | StationError::Password(crate::crypto::PasswordError::TooShort) => exit::INVALID,
                StationError::DuplicatePin { .. } | StationError::DuplicatePerson { .. } => {
                    exit::DUPLICATE
                }
                StationError::NoFingerTemplate | StationError::NotTheSamePerson { .. } => {
                    exit::INVALID
                }
                StationError::UnknownRecord(_) | StationError::UnknownOperator(_) => {
                    exit::NOT_FOUND
                }
                // `Store` is `#[error(transparent)]`: its source is the store error's source, so
                // the store error itself never shows up in the chain; look inside here.
                StationError::Store(e) => store_exit_code(e),
                StationError::Batch(e) => batch::exit_code(e),
                _ => exit::FAILURE,
            };
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return store_exit_code(e);
        }
    }
    exit::FAILURE
}

fn store_exit_code(e: &crate::store::Error) -> u8 {
    use crate::store::Error as StoreError;
    match e {
        StoreError::WrongPassphrase(_) => exit::AUTH,
        StoreError::Missing(_) => exit::NOT_FOUND,
        _ => exit::FAILURE,
    }
}

/// The data directory: `--data-dir`, `KATTOO_DATA_DIR`, or the platform default.
pub fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("kg", "shailoo", "kattoo")
        .map(|p| p.data_dir().to_owned())
        .ok_or_else(|| {
            anyhow::anyhow!("no home directory to put the station data in: use --data-dir DIR")
        })
}

/// Runs one command.
pub fn run(cli: Cli, config: Config) -> anyhow::Result<ExitCode> {
    let dir = data_dir(&cli)?;
    let ctx = Context {
        dir,
        passphrase_file: cli.passphrase_file.clone(),
        config,
    };
    match cli.command {
        None => {
            crate::ui::run(crate::ui::Options {
                data_dir: ctx.dir,
                config: ctx.config,
                kiosk: cli.kiosk,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Init(args)) => init::run(&ctx, args),
        Some(Command::Station(c)) => station::run(&ctx, c),
        Some(Command::Operator(c)) => operator::run(&ctx, c),
        Some(Command::Enroll(args)) => enroll::run(&ctx, args),
        Some(Command::Records(c)) => records::run(&ctx, c),
        Some(Command::Approve(args)) => records::approve(&ctx, args),
        Some(Command::Reject(args)) => records::reject(&ctx, args),
        Some(Command::Audit(c)) => audit::run(&ctx, c),
        Some(Command::Devices(c)) => devices::run(&ctx, c),
        Some(Command::Export(args)) => export::run(&ctx, args),
        Some(Command::Batch(c)) => batch::run(&ctx, c),
        Some(Command::Central(args)) => central::run(&ctx, args),
        Some(Command::SimSbi(args)) => sim_sbi::run(args),
        Some(Command::Doctor(args)) => doctor::run(&ctx, args),
        Some(Command::Biometrics(c)) => biometrics::run(c),
        Some(Command::Identify(args)) => identify::run(&ctx, args),
        Some(Command::VoterList(c)) => voter_list::run(c),
    }
}

/// What every command needs to reach the station.
pub(crate) struct Context {
    pub dir: PathBuf,
    pub passphrase_file: Option<PathBuf>,
    pub config: Config,
}

impl Context {
    /// Unlocks the station with the passphrase from file, environment or prompt.
    pub fn open(&self) -> anyhow::Result<Station> {
        let db = self.dir.join(crate::station::DB_FILE);
        if !db.exists() {
            return Err(crate::store::Error::Missing(db).into());
        }
        let passphrase = secrets::passphrase(self.passphrase_file.as_deref(), false)?;
        Ok(Station::open(&self.dir, &passphrase, self.config.clone())?)
    }

    /// Unlocks the station and logs `login` in with the password from `password_file`,
    /// `KATTOO_OPERATOR_PASSWORD` or a prompt.
    pub fn open_as(
        &self,
        login: &str,
        password_file: Option<&Path>,
    ) -> anyhow::Result<(Station, Session)> {
        let mut station = self.open()?;
        let password = secrets::password(
            password_file,
            "KATTOO_OPERATOR_PASSWORD",
            &format!("Password for {login}: "),
        )?;
        let session = station.login(login, &password, Timestamp::now())?;
        Ok((station, session))
    }
}
