//! The station: an unlocked store plus the station key, behind operator sessions.
//!
//! Every action here takes a [`Session`] obtained by [`Station::login`] and checks its role, so a
//! permission holds whether the CLI or the GUI calls. Every action, allowed or refused, appends an
//! audit row in the same transaction as its effect.

mod access;
mod certificate;
mod dedup;
mod enroll;
mod error;
mod export;
mod health;
mod login;
mod review;
mod settings;
mod stats;
mod training;
mod verify;

pub use access::Session;
pub use dedup::{PersonMatch, finger_template};
pub use enroll::EnrollmentDraft;
pub use error::Error;
pub use export::{BATCH_DIR, ExportOutcome};
pub use health::RecordState;
pub use login::OPERATOR_FINGERS;
pub use review::{FoundRecord, MAX_FOUND};
pub use settings::KNOWN_BACKENDS;
pub use stats::{Statistics, Tally};
pub use verify::{RecordProblem, VerifyReport};

use crate::audit::{Action, Event};
use crate::config::Config;
use crate::crypto::{KdfParams, PublicKey, StationKey};
use crate::domain::address::Precinct;
use crate::domain::{RegistrationId, Role, StationId, Timestamp};
use crate::store::{self, StationRow, Store};
use std::path::{Path, PathBuf};

/// The database file inside the data directory.
pub const DB_FILE: &str = "kattoo.db";
/// The key-derivation parameters beside it.
pub const KDF_FILE: &str = "kdf.json";

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
    /// The number of the station's first record: 1 for a new station. A laptop that replaces
    /// a stolen or lost one under the same station id starts one past the highest number
    /// central holds for that station (`kattoo central revoke-station` and `keys` say which),
    /// so that it repeats no registration id central holds.
    pub first_sequence: u64,
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
        if !(1..=crate::domain::registration_id::MAX_SEQUENCE).contains(&setup.first_sequence) {
            return Err(Error::BadFirstSequence(setup.first_sequence));
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
            db.number_from(setup.first_sequence)?;
            db.insert_operator(
                &setup.admin_login,
                Role::Admin,
                &password_hash,
                &row.created_at,
                None,
            )?;
            let mut event = Event::new(
                Action::StationInit,
                now,
                None,
                Some(setup.station_id.as_str()),
            )
            .with("admin", setup.admin_login.as_str())
            .with("key_fingerprint", key.public_key().fingerprint());
            if setup.first_sequence > 1 {
                event = event.with("first_sequence", setup.first_sequence);
            }
            db.append_audit(&event)?;
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
