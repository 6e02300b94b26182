//! The station: an unlocked store plus the station key, behind operator sessions.
//!
//! Every action here takes a [`Session`] obtained by [`Station::login`] and checks its role, so a
//! permission holds whether the CLI or the GUI calls. Every action, allowed or refused, appends an
//! audit row in the same transaction as its effect.

mod access;
mod certificate;
mod dedup;
mod enroll;
mod export;
mod health;
mod review;
mod settings;
mod stats;
mod training;
mod verify;

pub use access::Session;
pub use dedup::{PersonMatch, finger_template};
pub use enroll::EnrollmentDraft;
pub use export::{BATCH_DIR, ExportOutcome};
pub use health::RecordState;
pub use review::{FoundRecord, MAX_FOUND};
pub use settings::KNOWN_BACKENDS;
pub use stats::{Statistics, Tally};
pub use verify::{RecordProblem, VerifyReport};

use crate::audit::{Action, Event};
use crate::config::Config;
use crate::crypto::{KdfParams, PublicKey, StationKey};
use crate::domain::address::Precinct;
use crate::domain::enrollment::CompletenessError;
use crate::domain::{RegistrationId, Role, StationId, Timestamp, ValidationError};
use crate::store::{self, RecordStatus, StationRow, Store};
use std::path::{Path, PathBuf};

/// The database file inside the data directory.
pub const DB_FILE: &str = "kattoo.db";
/// The key-derivation parameters beside it.
pub const KDF_FILE: &str = "kdf.json";

/// Station-level errors: each says what happened and, where there is one, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::Error),
    #[error("cannot use {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the station passphrase must be at least 8 characters")]
    PassphraseTooShort,
    #[error("unknown region '{0}'")]
    UnknownRegion(String),
    #[error("station name must be 1-100 printable characters")]
    BadStationName,
    #[error("a station serves at least one precinct")]
    NoPrecinct,
    #[error("{1}")]
    BadLogin(String, String),
    #[error("{path} is damaged: {detail}")]
    KdfDamaged { path: PathBuf, detail: String },
    #[error("{0}")]
    BadRegistrationId(String),
    #[error("this station has used all 999,999 registration numbers")]
    SequencesUsed,
    #[error("you cannot {0} on your own account")]
    OwnAccount(&'static str),
    #[error("unknown device backend '{0}': use {known}", known = KNOWN_BACKENDS.join(", "))]
    UnknownBackend(String),
    #[error("choose at least one device backend")]
    NoBackend,
    #[error("a rejection needs a reason")]
    RejectionReason,
    #[error("a reason is at most {0} printable characters")]
    ReasonTooLong(usize),
    #[error("no central recipient is set: an admin runs `kattoo batch set-recipient age1…` first")]
    NoRecipient,
    #[error("give at least one age1… recipient")]
    NoRecipientGiven,
    #[error("nothing to export: no approved record since the last batch")]
    NothingToExport,
    #[error("batch {0} was never exported")]
    UnknownBatch(u64),
    #[error("citizen details are not valid: {}", list(.0))]
    Validation(Vec<ValidationError>),
    #[error("enrollment is not complete")]
    Incomplete(#[from] CompletenessError),
    #[error("unknown login or wrong password")]
    BadCredentials,
    #[error(
        "account {login} is locked after too many failed logins for {remaining_secs} more seconds (until {until}); ask a supervisor to unlock it"
    )]
    LockedOut {
        login: String,
        until: Timestamp,
        remaining_secs: i64,
    },
    #[error("account {0} is locked by a supervisor; ask a supervisor to unlock it")]
    AccountLocked(String),
    #[error("account {0} is disabled")]
    AccountDisabled(String),
    #[error("{login} ({role}) may not {action}: that needs the {needed} role")]
    PermissionDenied {
        login: String,
        role: Role,
        action: &'static str,
        needed: Role,
    },
    #[error("PIN {masked} is already enrolled in {}: a supervisor must override with a reason", .existing.join(", "))]
    DuplicatePin {
        masked: String,
        existing: Vec<String>,
    },
    #[error("a duplicate override needs a reason")]
    OverrideReason,
    #[error("the fingerprints match {}: the same person may be enrolled already; a supervisor must override with a reason", .matches.iter().map(|m| format!("{} (score {:.3})", m.registration_id, m.score)).collect::<Vec<_>>().join(", "))]
    DuplicatePerson { matches: Vec<PersonMatch> },
    #[error("no fingerprint could be read from the finger images given: use clear 500 ppi images")]
    NoFingerTemplate,
    #[error("{0}: attach a real camera and scanner, or ask a supervisor for training mode")]
    Untrusted(#[from] crate::domain::Untrusted),
    #[error("{0} must change the password a supervisor reset before doing anything else")]
    PasswordChangeRequired(String),
    #[error(
        "a station already exists in {0} ({1} is there): refusing to overwrite it; choose another data directory"
    )]
    StationExists(PathBuf, &'static str),
    #[error("the login typed is not a valid login name")]
    MalformedLogin,
    #[error("precinct {0} is not served by this station")]
    PrecinctNotServed(String),
    #[error("record {0} does not exist")]
    UnknownRecord(String),
    #[error("record {id} is {status}; only a pending record can be {wanted}")]
    NotPending {
        id: String,
        status: RecordStatus,
        wanted: &'static str,
    },
    #[error("record {id} was superseded by {by}; act on {by} instead")]
    Superseded { id: String, by: String },
    #[error("operator {0} does not exist")]
    UnknownOperator(String),
    #[error("operator {0} already exists")]
    OperatorExists(String),
    #[error(transparent)]
    Password(#[from] crate::crypto::PasswordError),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Batch(#[from] crate::batch::Error),
}

impl Error {
    /// The Fluent message id that tells the operator, in their language, what happened and what
    /// to do. The message takes [`Error::detail`] as `$detail`.
    pub fn message_id(&self) -> &'static str {
        use store::Error as S;
        match self {
            Error::Store(S::WrongPassphrase(_)) => "unlock-error-wrong-passphrase",
            Error::Store(S::NewerSchema { .. }) => "station-error-newer-schema",
            Error::Store(S::Missing(_)) => "station-error-missing",
            Error::Store(S::Exists(_)) | Error::StationExists(..) => "station-error-exists",
            Error::Store(_) => "station-error-store",
            Error::Crypto(_) => "station-error-crypto",
            Error::Io { .. } => "station-error-io",
            Error::PassphraseTooShort => "station-error-passphrase-short",
            Error::UnknownRegion(_) => "station-error-unknown-region",
            Error::BadStationName => "station-error-station-name",
            Error::NoPrecinct => "station-error-no-precinct",
            Error::BadLogin(..) => "station-error-bad-login",
            Error::KdfDamaged { .. } => "station-error-kdf-damaged",
            Error::BadRegistrationId(_) => "station-error-bad-id",
            Error::SequencesUsed => "station-error-sequences-used",
            Error::OwnAccount(_) => "station-error-own-account",
            Error::UnknownBackend(_) => "station-error-unknown-backend",
            Error::NoBackend => "station-error-no-backend",
            Error::RejectionReason => "station-error-rejection-reason",
            Error::ReasonTooLong(_) => "station-error-reason-long",
            Error::NoRecipient => "sv-export-no-recipient",
            Error::NoRecipientGiven => "station-error-no-recipient-given",
            Error::NothingToExport => "sv-export-nothing",
            Error::UnknownBatch(_) => "station-error-unknown-batch",
            Error::Validation(_) => "station-error-validation",
            Error::Incomplete(_) => "station-error-incomplete",
            Error::BadCredentials => "login-error-bad-credentials",
            Error::LockedOut { .. } => "station-error-locked-out",
            Error::AccountLocked(_) => "login-error-account-locked",
            Error::AccountDisabled(_) => "login-error-account-disabled",
            Error::PermissionDenied { .. } => "error-needs-supervisor",
            Error::DuplicatePin { .. } => "station-error-duplicate-pin",
            Error::OverrideReason => "station-error-override-reason",
            Error::PasswordChangeRequired(_) => "station-error-password-change",
            Error::MalformedLogin => "login-error-bad-credentials",
            Error::PrecinctNotServed(_) => "station-error-precinct",
            Error::UnknownRecord(_) => "station-error-unknown-record",
            Error::NotPending { .. } => "station-error-not-pending",
            Error::Superseded { .. } => "station-error-superseded",
            Error::UnknownOperator(_) => "station-error-unknown-operator",
            Error::OperatorExists(_) => "station-error-operator-exists",
            Error::Password(_) => "station-error-password",
            Error::Config(_) => "station-error-config",
            Error::Batch(e) => e.message_id(),
            Error::Untrusted(u) => u.message_id(),
            Error::DuplicatePerson { .. } => "station-error-duplicate-person",
            Error::NoFingerTemplate => "station-error-no-finger-template",
        }
    }

    /// What the message names as `$detail`: an identifier (record id, login, precinct, path) or
    /// the technical cause, never a citizen's name, a PIN or a secret.
    pub fn detail(&self) -> String {
        match self {
            Error::Batch(e) => e.detail(),
            Error::UnknownRecord(id) | Error::NotPending { id, .. } => id.clone(),
            Error::Superseded { by, .. } => by.clone(),
            Error::PrecinctNotServed(p) => p.clone(),
            Error::UnknownOperator(l)
            | Error::OperatorExists(l)
            | Error::AccountLocked(l)
            | Error::AccountDisabled(l)
            | Error::PasswordChangeRequired(l) => l.clone(),
            Error::LockedOut { remaining_secs, .. } => ((remaining_secs + 59) / 60).to_string(),
            Error::DuplicatePin { existing, .. } => existing.join(", "),
            Error::DuplicatePerson { matches } => matches
                .iter()
                .map(|m| m.registration_id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Error::Validation(errors) => list(errors),
            Error::StationExists(dir, _) => dir.display().to_string(),
            Error::UnknownRegion(r) | Error::UnknownBackend(r) | Error::BadRegistrationId(r) => {
                r.clone()
            }
            Error::BadLogin(login, _) => login.clone(),
            Error::UnknownBatch(n) => n.to_string(),
            Error::ReasonTooLong(n) => n.to_string(),
            Error::Untrusted(u) => u.device().to_owned(),
            Error::BadCredentials | Error::MalformedLogin | Error::OverrideReason => String::new(),
            other => format!("{other:#}"),
        }
    }
}

fn list(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Result alias for the station.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What a new station is set up with.
#[derive(Debug, Clone)]
pub struct StationSetup {
    pub station_id: StationId,
    pub name: String,
    /// Region code (see `domain::address::regions`).
    pub region: String,
    pub precincts: Vec<Precinct>,
    pub admin_login: String,
    pub admin_password: String,
}

/// The station's public identity.
#[derive(Debug, Clone)]
pub struct StationInfo {
    pub station_id: StationId,
    pub name: String,
    pub region: String,
    pub precincts: Vec<String>,
    pub created_at: String,
    pub public_key: PublicKey,
}

/// An unlocked station. Its database is reached only through its methods, each of which checks
/// an operator's session, or tells nothing about a citizen (the health checks of
/// `kattoo doctor`). There is no raw access, and it cannot be written:
///
/// ```compile_fail,E0599
/// fn raw(station: &kattoo::station::Station) {
///     let _ = station.store();
/// }
/// ```
///
/// ```compile_fail,E0616
/// fn raw(station: &kattoo::station::Station) {
///     let _ = &station.store;
/// }
/// ```
pub struct Station {
    store: Store,
    key: StationKey,
    info: StationInfo,
    config: Config,
    data_dir: PathBuf,
    /// The fingerprint search index of the live records, built when first needed.
    index: Option<dedup::SearchIndex>,
    /// Templates extracted from finger files seen lately, by SHA-256.
    templates: dedup::TemplateCache,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

impl Station {
    /// Creates the data directory, the encrypted database, the station key and the first admin.
    pub fn init(
        data_dir: &Path,
        passphrase: &str,
        setup: &StationSetup,
        config: Config,
        now: Timestamp,
    ) -> Result<Station> {
        if passphrase.chars().count() < 8 {
            return Err(Error::PassphraseTooShort);
        }
        if crate::domain::address::region(&setup.region).is_none() {
            return Err(Error::UnknownRegion(setup.region.clone()));
        }
        if setup.name.trim().is_empty()
            || setup.name.chars().count() > 100
            || setup.name.chars().any(char::is_control)
        {
            return Err(Error::BadStationName);
        }
        if setup.precincts.is_empty() {
            return Err(Error::NoPrecinct);
        }
        crate::domain::operator::validate_login(&setup.admin_login)
            .map_err(|why| Error::BadLogin(setup.admin_login.clone(), why))?;
        let password_hash = crate::crypto::hash_password(&setup.admin_password)?;

        // Setup never destroys a station: any of its files refuses, and nothing is touched.
        for name in [DB_FILE, KDF_FILE, export::BATCH_DIR] {
            if data_dir.join(name).exists() {
                return Err(Error::StationExists(data_dir.to_owned(), name));
            }
        }
        let db_path = data_dir.join(DB_FILE);
        std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
        restrict_permissions(data_dir)?;
        let kdf = KdfParams::generate()?;
        let db_key = kdf.derive(passphrase)?;
        let config_path = data_dir.join(crate::config::FILE_NAME);
        if !config_path.exists() {
            write_new(&config_path, crate::config::DEFAULT_TOML.as_bytes())?;
        }

        // Build the database and the key parameters under temporary names and move them into
        // place last, the database first: an interrupted init leaves no station behind and can
        // simply be run again, and one interrupted between the two moves is completed by `open`.
        let partial = data_dir.join(format!("{DB_FILE}.partial"));
        let kdf_partial = data_dir.join(format!("{KDF_FILE}.partial"));
        for leftover in [
            kdf_partial.clone(),
            partial.clone(),
            partial.with_extension("partial-wal"),
            partial.with_extension("partial-shm"),
        ] {
            match std::fs::remove_file(&leftover) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&leftover)(e)),
                _ => {}
            }
        }
        let key = StationKey::generate()?;
        let row = StationRow {
            station_id: setup.station_id.to_string(),
            name: setup.name.trim().to_owned(),
            region: setup.region.clone(),
            precincts: setup
                .precincts
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            signing_seed: zeroize::Zeroizing::new(key.seed().to_vec()),
            created_at: now.to_string(),
        };
        let mut store = Store::create(&partial, &db_key)?;
        store.transaction(|db| -> Result<()> {
            db.insert_station(&row)?;
            db.insert_operator(
                &setup.admin_login,
                Role::Admin,
                &password_hash,
                &row.created_at,
                None,
            )?;
            db.append_audit(
                &Event::new(
                    Action::StationInit,
                    now,
                    None,
                    Some(setup.station_id.as_str()),
                )
                .with("admin", setup.admin_login.as_str())
                .with("key_fingerprint", key.public_key().fingerprint()),
            )?;
            Ok(())
        })?;
        drop(store); // the last connection closes: the WAL is checkpointed into the file
        write_new(
            &kdf_partial,
            serde_json::to_string_pretty(&kdf)
                .expect("serialises")
                .as_bytes(),
        )?;
        sync_dir(data_dir)?;
        // `hard_link` refuses an existing name: a station appearing meanwhile is never replaced.
        std::fs::hard_link(&partial, &db_path).map_err(io(&db_path))?;
        std::fs::remove_file(&partial).map_err(io(&partial))?;
        sync_dir(data_dir)?;
        promote_kdf(data_dir)?;
        let store = Store::open(&db_path, &db_key)?;
        tracing::info!(station = %setup.station_id, "station initialised");
        Self::assemble(store, key, config, data_dir)
    }

    /// Unlocks an existing station with its passphrase. A wrong passphrase changes nothing.
    pub fn open(data_dir: &Path, passphrase: &str, config: Config) -> Result<Station> {
        let db_path = data_dir.join(DB_FILE);
        let kdf_path = data_dir.join(KDF_FILE);
        if !db_path.exists() {
            return Err(store::Error::Missing(db_path).into());
        }
        if !kdf_path.exists() {
            promote_kdf(data_dir)?;
        }
        let text = std::fs::read_to_string(&kdf_path).map_err(io(&kdf_path))?;
        let kdf: KdfParams = serde_json::from_str(&text).map_err(|e| Error::KdfDamaged {
            path: kdf_path.clone(),
            detail: e.to_string(),
        })?;
        let store = Store::open(&db_path, &kdf.derive(passphrase)?)?;
        let seed = store.db().station()?.signing_seed;
        let key = StationKey::from_seed(&seed).map_err(|e| store::Error::Corrupt(e.to_string()))?;
        Self::assemble(store, key, config, data_dir)
    }

    fn assemble(
        store: Store,
        key: StationKey,
        mut config: Config,
        data_dir: &Path,
    ) -> Result<Station> {
        settings::apply(&store, &mut config)?;
        let row = store.db().station()?;
        let info = StationInfo {
            station_id: StationId::parse(&row.station_id).map_err(store::Error::Corrupt)?,
            name: row.name,
            region: row.region,
            precincts: row.precincts,
            created_at: row.created_at,
            public_key: key.public_key(),
        };
        Ok(Station {
            store,
            key,
            info,
            config,
            data_dir: data_dir.to_owned(),
            index: None,
            templates: dedup::TemplateCache::default(),
        })
    }

    /// The station's identity and public key.
    pub fn info(&self) -> &StationInfo {
        &self.info
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Parses a registration id typed by a person, as a station error.
    pub fn parse_id(id: &str) -> Result<RegistrationId> {
        id.trim()
            .parse()
            .map_err(|e: crate::domain::registration_id::RegistrationIdError| {
                Error::BadRegistrationId(e.to_string())
            })
    }
}

/// Writes a new file (refusing an existing one) and syncs it to disk.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create_new(path).map_err(io(path))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(io(path))
}

/// Moves `kdf.json.partial` to `kdf.json` (never over an existing one): the last step of init,
/// or its completion when init was interrupted after the database was in place.
fn promote_kdf(data_dir: &Path) -> Result<()> {
    let (partial, kdf) = (
        data_dir.join(format!("{KDF_FILE}.partial")),
        data_dir.join(KDF_FILE),
    );
    if !partial.exists() {
        return Ok(());
    }
    std::fs::hard_link(&partial, &kdf).map_err(io(&kdf))?;
    std::fs::remove_file(&partial).map_err(io(&partial))?;
    sync_dir(data_dir)
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    crate::durable::sync_dir(dir).map_err(io(dir))
}

#[cfg(unix)]
fn restrict_permissions(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io(dir))
}

#[cfg(not(unix))]
fn restrict_permissions(_dir: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
