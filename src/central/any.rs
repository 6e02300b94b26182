//! The store a central command works on: a SQLite file (the embedded default, for a district or
//! a test) or a PostgreSQL database (a national central), chosen by `--db`.

use super::pg_tls::ClientCertificate;
use super::register::{RegisterEntry, RegisterQuery};
use super::{
    AcceptedBatch, BatchSearch, CentralKey, CentralStore, DecisionRow, DuplicateRow, Error,
    ImportTransaction, KeyLink, PgCentral, PgImport, PgTls, Result, Revocation, Since,
    SqliteCentral, SqliteImport, StationEntry, StationKeyRow, StoredIdentity,
};
use crate::batch::VerifiedBatch;
use crate::crypto::PublicKey;

/// Either store.
pub enum CentralDb {
    Sqlite(SqliteCentral),
    Postgres(Box<PgCentral>),
}

/// The open import of either store.
pub enum CentralDbImport<'a> {
    Sqlite(SqliteImport<'a>),
    Postgres(PgImport<'a>),
}

/// `$body` with `$s` bound to the store (or import) inside `$value`, whichever it is.
macro_rules! either {
    ($value:expr, $kind:ident, $s:ident => $body:expr) => {
        match $value {
            $kind::Sqlite($s) => $body,
            $kind::Postgres($s) => $body,
        }
    };
}

impl ImportTransaction for CentralDbImport<'_> {
    fn take_turn(&mut self, station_id: &str) -> Result<()> {
        either!(self, CentralDbImport, s => s.take_turn(station_id))
    }
    fn put_biometric(&mut self, sha256: &str, data: &[u8]) -> Result<()> {
        either!(self, CentralDbImport, s => s.put_biometric(sha256, data))
    }
    fn biometric(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        either!(self, CentralDbImport, s => s.biometric(sha256))
    }
    fn commit(
        self,
        batch: &AcceptedBatch,
        verified: &VerifiedBatch,
        search: &BatchSearch,
        now: &str,
    ) -> Result<()> {
        either!(self, CentralDbImport, s => s.commit(batch, verified, search, now))
    }
}

impl CentralStore for CentralDb {
    type Import<'a> = CentralDbImport<'a>;

    fn identity(&self) -> Result<Option<StoredIdentity>> {
        either!(self, CentralDb, s => s.identity())
    }
    fn set_identity(&mut self, protected: &[u8], recipient: &str, created_at: &str) -> Result<()> {
        either!(self, CentralDb, s => s.set_identity(protected, recipient, created_at))
    }
    fn add_station(&mut self, entry: &StationEntry, certificate: &[u8]) -> Result<()> {
        either!(self, CentralDb, s => s.add_station(entry, certificate))
    }
    fn station(&self, id: &str) -> Result<Option<StationEntry>> {
        either!(self, CentralDb, s => s.station(id))
    }
    fn stations(&self) -> Result<Vec<StationEntry>> {
        either!(self, CentralDb, s => s.stations())
    }
    fn station_key(&self, key: &PublicKey) -> Result<Option<StationKeyRow>> {
        either!(self, CentralDb, s => s.station_key(key))
    }
    fn station_keys(&self, station_id: &str) -> Result<Vec<StationKeyRow>> {
        either!(self, CentralDb, s => s.station_keys(station_id))
    }
    fn revoke_key(&mut self, key: &PublicKey, revocation: &Revocation) -> Result<bool> {
        either!(self, CentralDb, s => s.revoke_key(key, revocation))
    }
    fn rekey_station(
        &mut self,
        new: &StationEntry,
        certificate: &[u8],
        link: &KeyLink,
    ) -> Result<()> {
        either!(self, CentralDb, s => s.rekey_station(new, certificate, link))
    }
    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>> {
        either!(self, CentralDb, s => s.batch_by_sha(sha256))
    }
    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>> {
        either!(self, CentralDb, s => s.batches(station_id))
    }
    fn record_count(&self, station_id: &str) -> Result<u64> {
        either!(self, CentralDb, s => s.record_count(station_id))
    }
    fn last_record_id(&self, station_id: &str) -> Result<Option<String>> {
        either!(self, CentralDb, s => s.last_record_id(station_id))
    }
    fn biometrics_held(&self) -> Result<u64> {
        either!(self, CentralDb, s => s.biometrics_held())
    }
    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>> {
        either!(self, CentralDb, s => s.pin_elsewhere(pin, station_id))
    }
    fn searchable_templates(&self) -> Result<Vec<(String, u8, Vec<u8>)>> {
        either!(self, CentralDb, s => s.searchable_templates())
    }
    fn register_mark(&self) -> Result<u64> {
        either!(self, CentralDb, s => s.register_mark())
    }
    fn searchable_since(&self, mark: u64) -> Result<Since> {
        either!(self, CentralDb, s => s.searchable_since(mark))
    }
    fn duplicates(&self) -> Result<Vec<DuplicateRow>> {
        either!(self, CentralDb, s => s.duplicates())
    }
    fn register(&self, query: &RegisterQuery) -> Result<Vec<RegisterEntry>> {
        either!(self, CentralDb, s => s.register(query))
    }
    fn templates_of(&self, registration_id: &str) -> Result<Vec<(u8, Vec<u8>)>> {
        either!(self, CentralDb, s => s.templates_of(registration_id))
    }
    fn decide(&mut self, id: u64, decision: &DecisionRow) -> Result<bool> {
        either!(self, CentralDb, s => s.decide(id, decision))
    }
    fn record(&self, registration_id: &str) -> Result<Option<(String, Vec<u8>)>> {
        either!(self, CentralDb, s => s.record(registration_id))
    }
    fn open_sealed(&self, key: &CentralKey) -> Result<()> {
        either!(self, CentralDb, s => s.open_sealed(key))
    }
    fn begin_import(&self) -> Result<CentralDbImport<'_>> {
        Ok(match self {
            CentralDb::Sqlite(s) => CentralDbImport::Sqlite(s.begin_import()?),
            CentralDb::Postgres(s) => CentralDbImport::Postgres(s.begin_import()?),
        })
    }
}

/// Where `--db` points.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite file.
    File(std::path::PathBuf),
    /// A PostgreSQL database.
    Postgres(Box<PgAddress>),
}

/// A PostgreSQL database as `--db` names it, and how to reach it.
#[derive(Debug, Clone)]
pub struct PgAddress {
    pub config: postgres::Config,
    /// How the database is named in messages (without a password).
    pub target: String,
    /// TLS that checks the server's certificate (`sslmode=verify-full`); `None` on this machine.
    pub tls: Option<PgTls>,
}

impl PgAddress {
    /// Connects to the database, migrating it to this kattoo's schema.
    pub fn connect(&self) -> Result<PgCentral> {
        PgCentral::connect_with(&self.config, &self.target, self.tls.as_ref())
    }
}

impl Location {
    /// Reads `--db`: a `postgres://` or `postgresql://` URL, else a file path. The password comes
    /// from `PGPASSWORD`, or from the file `KATTOO_PG_PASSWORD_FILE` names (its first line),
    /// never from the address. A server on another machine is reached only with
    /// `sslmode=verify-full` (libpq's name: TLS, the server's certificate checked against the
    /// authority in `sslrootcert=FILE` or `PGSSLROOTCERT`, which must name one, and its name
    /// against the address), presenting the client certificate of `sslcert=FILE&sslkey=FILE`
    /// (or `PGSSLCERT` and `PGSSLKEY`) if one is named.
    pub fn parse(db: &str) -> Result<Self> {
        if !(db.starts_with("postgres://") || db.starts_with("postgresql://")) {
            if db.contains("://") {
                return Err(Error::PgAddress(db.to_owned()));
            }
            return Ok(Location::File(db.into()));
        }
        let (base, query) = db.split_once('?').unwrap_or((db, ""));
        let mut kept = Vec::new();
        let (mut sslmode, mut authority) = (None, None);
        let (mut certificate, mut key) = (None, None);
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (slot, value) = match param.split_once('=') {
                Some(("sslmode", value)) => (&mut sslmode, value),
                Some(("sslrootcert", value)) => (&mut authority, value),
                Some(("sslcert", value)) => (&mut certificate, value),
                Some(("sslkey", value)) => (&mut key, value),
                _ => {
                    kept.push(param);
                    continue;
                }
            };
            let value = percent_decoded(value).ok_or_else(|| Error::PgAddress(redact(db)))?;
            // Said twice is not said clearly.
            if slot.replace(value).is_some() {
                return Err(Error::PgAddress(redact(db)));
            }
        }
        let verify = match sslmode.as_deref() {
            None => false,
            Some("verify-full") => true,
            Some("disable") => {
                kept.push("sslmode=disable");
                false
            }
            Some(other) => return Err(Error::PgSslMode(redact(db), other.to_owned())),
        };
        if authority.is_some() && !verify {
            return Err(Error::PgAuthority(redact(db)));
        }
        // A certificate in the address without TLS would not be presented; the environment's
        // (PGSSLCERT, PGSSLKEY) is only for addresses that use TLS.
        let client = match verify {
            true => ClientCertificate::named(certificate, key)
                .map_err(|()| Error::PgClientCertificateNamed(redact(db)))?,
            false if certificate.is_some() || key.is_some() => {
                return Err(Error::PgClientCertificateNamed(redact(db)));
            }
            false => None,
        };
        let bare = match kept.is_empty() {
            true => base.to_owned(),
            false => format!("{base}?{}", kept.join("&")),
        };
        let mut config: postgres::Config =
            bare.parse().map_err(|_| Error::PgAddress(redact(db)))?;
        if config.get_password().is_some() {
            return Err(Error::PgPasswordInAddress(redact(db)));
        }
        let local = config.get_hosts().iter().all(|h| match h {
            postgres::config::Host::Unix(_) => true,
            postgres::config::Host::Tcp(name) => {
                matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]")
            }
        }) && config.get_hostaddrs().iter().all(|a| a.is_loopback());
        if !local && !verify {
            return Err(Error::PgRemote(redact(db)));
        }
        let sockets_only = config
            .get_hosts()
            .iter()
            .all(|h| matches!(h, postgres::config::Host::Unix(_)));
        if verify && sockets_only {
            return Err(Error::PgTlsOverSocket(redact(db)));
        }
        let tls = match verify {
            false => None,
            true => {
                config.ssl_mode(postgres::config::SslMode::Require);
                let file = super::pg_tls::authority_file(authority)
                    .ok_or_else(|| Error::PgAuthority(redact(db)))?;
                Some(PgTls::with_authority(&file, client.as_ref())?)
            }
        };
        if let Some(password) = password()? {
            config.password(password.as_bytes());
        }
        Ok(Location::Postgres(Box::new(PgAddress {
            config,
            target: db.to_owned(),
            tls,
        })))
    }
}

/// A URL parameter's value with its `%XX` escapes decoded; `None` when one is malformed or the
/// result is not UTF-8.
fn percent_decoded(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `db` as it may be shown: the user name kept, a password and the parameters after `?` cut.
fn redact(db: &str) -> String {
    let Some((scheme, rest)) = db.split_once("://") else {
        return "(an address that does not read)".to_owned();
    };
    let rest = rest.split('?').next().unwrap_or_default();
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let cut = if userinfo.contains(':') { ":…" } else { "" };
            format!("{scheme}://{user}{cut}@{host}")
        }
        None => format!("{scheme}://{rest}"),
    }
}

/// The database password from the environment, if one is given.
fn password() -> Result<Option<zeroize::Zeroizing<String>>> {
    if let Some(file) = std::env::var_os("KATTOO_PG_PASSWORD_FILE") {
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            path: std::path::PathBuf::from(&file).display().to_string(),
            source,
        })?;
        let text = zeroize::Zeroizing::new(text);
        return Ok(Some(zeroize::Zeroizing::new(
            text.lines().next().unwrap_or_default().to_owned(),
        )));
    }
    Ok(std::env::var("PGPASSWORD")
        .ok()
        .map(zeroize::Zeroizing::new))
}
