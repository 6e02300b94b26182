//! Central: registers stations, verifies and imports their batches, and reports per station.
//!
//! The rules (DESIGN.md "Central rules") live here, over a small [`CentralStore`] trait so that
//! the same rules run over the SQLite store ([`SqliteCentral`], one file encrypted at rest, the
//! embedded default) and the PostgreSQL one ([`PgCentral`], a national central's); [`CentralDb`]
//! is whichever `--db` names.
//! Per station, batch sequences strictly increase: the same file twice is a no-op, a sequence at
//! or below the last accepted one is refused, a jump is accepted and the gap reported.
//!
//! A batch is never held in memory whole ([`Central::import`]): its biometrics go into the store inside
//! an open import transaction as they stream past, and a refusal rolls them back. Central's age
//! identity is kept encrypted to a passphrase ([`identity`]); [`Central::unlock`] opens it.

mod any;
pub mod at_rest;
mod dedup;
mod error;
pub mod identity;
mod import;
mod keys;
#[cfg(test)]
mod keys_tests;
mod pg;
mod pg_import;
mod pg_rows;
mod pg_schema;
pub mod pg_server;
mod pg_tls;
mod register;
mod sealed;
mod sql;
mod sqlite;
mod sqlite_dedup;
mod sqlite_keys;
mod sqlite_schema;
#[cfg(test)]
mod store_tests;
#[cfg(test)]
mod tests;
mod voter_list;

pub use any::{CentralDb, CentralDbImport, Location, PgAddress};
pub use dedup::{
    BatchSearch, Decision, DecisionRow, DedupSettings, DuplicateRow, FoundDuplicate, SearchIndex,
    Since,
};
pub use error::{Error, PgFailure};
pub use identity::CentralKey;
pub use keys::{KeyLink, Revocation, StationKeyRow};
pub use pg::PgCentral;
pub use pg_import::PgImport;
pub use pg_schema::PG_SCHEMA_VERSION;
pub use pg_tls::PgTls;
pub use register::{RegisterEntry, RegisterQuery};
pub use sealed::{ColumnKey, Place};
pub use sqlite::{SqliteCentral, SqliteImport};
pub use voter_list::{
    DOMAIN_VOTER_LIST, SIGNING_KEY_INFO, VOTER_LIST_SCHEMA, VoterList, VoterListInfo,
    verify_voter_list,
};

use crate::batch::{self, StationCertificate, VerifiedBatch};
use crate::crypto::PublicKey;
use dedup::CentralIndex;
use zeroize::Zeroizing;

/// How far past the last accepted batch a station's next batch may be numbered (a gap of lost
/// batches is accepted and reported; a number beyond this is a forgery or a fault).
pub const MAX_SEQUENCE_JUMP: u64 = 1_000;

/// Result alias for central.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A registered station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationEntry {
    pub station_id: String,
    pub name: String,
    pub region: String,
    pub public_key: PublicKey,
    pub added_at: String,
}

impl StationEntry {
    /// The entry for a station whose certificate `cert` carries `public_key`, added at `now`.
    fn new(cert: &StationCertificate, public_key: PublicKey, now: &str) -> Self {
        StationEntry {
            station_id: cert.station_id.clone(),
            name: cert.name.clone(),
            region: cert.region.clone(),
            public_key,
            added_at: now.to_owned(),
        }
    }
}

/// A batch central accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedBatch {
    pub station_id: String,
    pub sequence: u64,
    pub sha256: String,
    pub previous_sha256: String,
    pub record_count: u64,
    pub audit_head_seq: u64,
    pub audit_head_hash: String,
    pub imported_at: String,
}

/// A PIN seen at two stations: the record just imported and the one already held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossStationPin {
    /// The PIN with all but its last four digits masked.
    pub masked_pin: String,
    pub registration_id: String,
    pub other_station: String,
    pub other_registration_id: String,
}

/// What one import did.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportOutcome {
    /// The very same file was imported before: nothing changed.
    AlreadyImported { station_id: String, sequence: u64 },
    Imported {
        station_id: String,
        sequence: u64,
        records: u64,
        /// Sequences skipped before this one (first, last), now an open gap.
        gap: Option<(u64, u64)>,
        cross_station_pins: Vec<CrossStationPin>,
        /// Records whose fingers match another record's: listed by [`Central::duplicates`].
        duplicates: Vec<FoundDuplicate>,
    },
}

/// One station's line in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSummary {
    pub station_id: String,
    pub records: u64,
    pub batches: u64,
    pub last_sequence: u64,
    /// Missing sequences below the last accepted one.
    pub gaps: Vec<u64>,
    /// Listed pairs with a record of this station: (open, decided).
    pub duplicates: (u64, u64),
}

/// Central's identity as its store holds it.
pub struct StoredIdentity {
    pub secret: IdentitySecret,
    /// Its recipient (`age1…`), which stations encrypt to.
    pub recipient: String,
    pub created_at: String,
}

/// The secret half of central's identity, as stored.
pub enum IdentitySecret {
    /// The identity file encrypted to central's passphrase (age scrypt), as `age -p` writes it.
    Protected(Vec<u8>),
    /// The identity file in plain text, as kattoo kept it before passphrases. Import refuses it
    /// until [`Central::protect_identity`] has encrypted it.
    Plain(Zeroizing<String>),
}

/// Where central keeps its state. One method per question the rules ask, and an import
/// transaction ([`CentralStore::begin_import`]) that a batch streams into.
pub trait CentralStore {
    /// The open import of one batch.
    type Import<'a>: ImportTransaction
    where
        Self: 'a;
    /// Central's identity, once initialised.
    fn identity(&self) -> Result<Option<StoredIdentity>>;
    /// Stores central's passphrase-protected identity file, replacing a plain one (whose bytes
    /// the store must not leave behind).
    fn set_identity(&mut self, protected: &[u8], recipient: &str, created_at: &str) -> Result<()>;
    fn add_station(&mut self, s: &StationEntry, certificate: &[u8]) -> Result<()>;
    fn station(&self, id: &str) -> Result<Option<StationEntry>>;
    fn stations(&self) -> Result<Vec<StationEntry>>;
    /// A key any station registered, current or not.
    fn station_key(&self, key: &PublicKey) -> Result<Option<StationKeyRow>>;
    /// Every key of a station, oldest first.
    fn station_keys(&self, station_id: &str) -> Result<Vec<StationKeyRow>>;
    /// Marks `key` revoked, unless it already is; whether it did.
    fn revoke_key(&mut self, key: &PublicKey, revocation: &Revocation) -> Result<bool>;
    /// In one transaction: revokes the key `link` replaces (unless it already is) and makes
    /// `new` the station's current key, linked to it.
    fn rekey_station(
        &mut self,
        new: &StationEntry,
        certificate: &[u8],
        link: &KeyLink,
    ) -> Result<()>;
    /// The batch (station, sequence) with this file SHA-256, if accepted.
    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>>;
    /// Accepted batches of a station signed by its current key, by sequence.
    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>>;
    fn record_count(&self, station_id: &str) -> Result<u64>;
    /// The station's highest registration id, under any of its keys; `None` before its first
    /// record.
    fn last_record_id(&self, station_id: &str) -> Result<Option<String>>;
    /// Biometric files held, each once whatever the number of records naming it.
    fn biometrics_held(&self) -> Result<u64>;
    /// Records at stations other than `station_id` that hold `pin`: (station, registration id).
    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>>;
    /// The templates of every record no other record supersedes: (registration id, position
    /// code, ISO/IEC 19794-2 record), ordered by registration id.
    fn searchable_templates(&self) -> Result<Vec<(String, u8, Vec<u8>)>>;
    /// The register's mark: where its insertion order stands (0 when empty).
    fn register_mark(&self) -> Result<u64>;
    /// The templates of the records committed after `mark`, and what those records supersede.
    fn searchable_since(&self, mark: u64) -> Result<Since>;
    /// Every listed pair of possible duplicate people.
    fn duplicates(&self) -> Result<Vec<DuplicateRow>>;
    /// The register's answer to `query`, by PIN then registration id.
    fn register(&self, query: &RegisterQuery) -> Result<Vec<RegisterEntry>>;
    /// Central's templates of a record's searched fingers: (position code, ISO/IEC 19794-2).
    fn templates_of(&self, registration_id: &str) -> Result<Vec<(u8, Vec<u8>)>>;
    /// Records the decision on pair `id` if it is listed and still open; whether it did.
    fn decide(&mut self, id: u64, decision: &DecisionRow) -> Result<bool>;
    /// The record JSON of a registration held, with its station.
    fn record(&self, registration_id: &str) -> Result<Option<(String, Vec<u8>)>>;
    /// Opens citizens' data with central's opened identity, where the store seals it under
    /// central's key (PostgreSQL; a SQLite file is encrypted whole, by the passphrase). Rows an
    /// older kattoo stored in the clear are sealed now.
    fn open_sealed(&self, key: &CentralKey) -> Result<()>;
    /// Opens the import of one batch. The rules read the store (`&self`) while it is open; the
    /// reads may or may not see what the import staged, and a concurrent import of the same
    /// batch is refused at commit by the keys of batches: (station, sequence) and the file's
    /// SHA-256 are each unique.
    fn begin_import(&self) -> Result<Self::Import<'_>>;
}

/// One batch being imported: everything written through it is kept at [`commit`] or not at all.
/// Dropping it without `commit` (a refusal, an error, a panic) rolls everything back.
///
/// [`commit`]: ImportTransaction::commit
pub trait ImportTransaction {
    /// Holds off every other import of `station_id` from here until this one commits or rolls
    /// back, so that the rules, read next, see every batch of the station committed before and
    /// none is committed under them; and holds off every other import's duplicate search and
    /// commit, so that each searches everything committed before it. (SQLite's import
    /// transaction excludes every other writer from its start; PostgreSQL locks the station's
    /// row, then a lock of the register's own.)
    fn take_turn(&mut self, station_id: &str) -> Result<()>;
    /// Stages one biometric file under the SHA-256 its name gives (once: a file central already
    /// holds is skipped). Called as the file streams past, before the batch is verified.
    fn put_biometric(&mut self, sha256: &str, data: &[u8]) -> Result<()>;
    /// A biometric file held or staged, by SHA-256.
    fn biometric(&self, sha256: &str) -> Result<Option<Vec<u8>>>;
    /// Writes the accepted batch, its records, audit rows, templates and the possible
    /// duplicates found, and commits with the biometrics. A pair listed before is not listed
    /// again.
    fn commit(
        self,
        batch: &AcceptedBatch,
        verified: &VerifiedBatch,
        search: &BatchSearch,
        now: &str,
    ) -> Result<()>;
}

/// A new or newly protected identity: the passphrase-protected identity file, byte for byte
/// what `age -p` would write, and its recipient.
pub struct ProtectedIdentity {
    pub file: Vec<u8>,
    pub recipient: String,
}

/// Central over a store.
pub struct Central<S: CentralStore> {
    store: S,
    dedup: DedupSettings,
    /// The duplicate search's index, built at the first import that searches.
    index: SearchIndex,
}

impl<S: CentralStore> Central<S> {
    /// Central over `store`.
    pub fn new(store: S) -> Self {
        Self {
            store,
            dedup: DedupSettings::default(),
            index: SearchIndex::default(),
        }
    }

    /// The store (reads for reports and tests).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Creates central's age identity and stores it encrypted to `passphrase` (age scrypt at
    /// age's default work factor, about a second).
    pub fn init(&mut self, passphrase: &str, now: &str) -> Result<ProtectedIdentity> {
        if self.store.identity()?.is_some() {
            return Err(Error::AlreadyInitialised("this database".into()));
        }
        let (text, recipient) = batch::new_identity_file(now);
        let text = Zeroizing::new(text);
        let file = identity::protect(&text, passphrase)?;
        self.store.set_identity(&file, &recipient, now)?;
        self.store
            .open_sealed(&CentralKey::new(batch::parse_identities(&text)?))?;
        tracing::info!(%recipient, "central identity created");
        Ok(ProtectedIdentity { file, recipient })
    }

    /// Encrypts an identity that an older kattoo stored in plain text; the key stays the same.
    pub fn protect_identity(&mut self, passphrase: &str) -> Result<ProtectedIdentity> {
        let stored = self.store.identity()?.ok_or(Error::NotInitialised)?;
        let IdentitySecret::Plain(text) = &stored.secret else {
            return Err(Error::AlreadyProtected);
        };
        let key = CentralKey::new(batch::parse_identities(text)?);
        if key.recipients() != [stored.recipient.as_str()] {
            return Err(Error::IdentityMismatch(stored.recipient.clone()));
        }
        let file = identity::protect(text, passphrase)?;
        self.store
            .set_identity(&file, &stored.recipient, &stored.created_at)?;
        tracing::info!(recipient = %stored.recipient, "central identity protected by a passphrase");
        Ok(ProtectedIdentity {
            file,
            recipient: stored.recipient,
        })
    }

    /// Opens central's stored identity with its passphrase.
    pub fn unlock(&self, passphrase: &str) -> Result<CentralKey> {
        let stored = self.store.identity()?.ok_or(Error::NotInitialised)?;
        let IdentitySecret::Protected(file) = &stored.secret else {
            return Err(Error::UnprotectedIdentity);
        };
        let key = identity::unlock(file, passphrase)?;
        if key.recipients() != [stored.recipient.as_str()] {
            return Err(Error::IdentityMismatch(stored.recipient.clone()));
        }
        self.store.open_sealed(&key)?;
        Ok(key)
    }

    /// Opens the store's citizens' data with `key`, which must be central's stored identity, if
    /// the store holds one (data sealed under another key would open with no passphrase of
    /// central's).
    fn open_sealed(&self, key: &CentralKey) -> Result<()> {
        if let Some(stored) = self.store.identity()?
            && key.recipients() != [stored.recipient.as_str()]
        {
            return Err(Error::IdentityMismatch(stored.recipient));
        }
        self.store.open_sealed(key)
    }

    /// Registers a station from its certificate (self-signature checked). Registering the same
    /// key again is a no-op; a different key for a known station is refused.
    pub fn add_station(&mut self, certificate: &[u8], now: &str) -> Result<StationEntry> {
        let (cert, key) = StationCertificate::verify(certificate)?;
        if let Some(known) = self.store.station(&cert.station_id)? {
            if known.public_key != key {
                return Err(Error::StationKeyConflict {
                    station: cert.station_id,
                    fingerprint: known.public_key.fingerprint(),
                });
            }
            return Ok(known);
        }
        let entry = StationEntry::new(&cert, key, now);
        self.store.add_station(&entry, certificate)?;
        Ok(entry)
    }

    /// Registers a station from its bare public key (PEM) and id, when no certificate is at hand.
    pub fn add_station_key(
        &mut self,
        station_id: &str,
        pem: &str,
        now: &str,
    ) -> Result<StationEntry> {
        crate::domain::StationId::parse(station_id)
            .map_err(|_| batch::Error::CertificateStationId(station_id.to_owned()))?;
        let key = PublicKey::from_pem(pem).map_err(batch::Error::CertificateKey)?;
        if let Some(known) = self.store.station(station_id)? {
            if known.public_key != key {
                return Err(Error::StationKeyConflict {
                    station: station_id.into(),
                    fingerprint: known.public_key.fingerprint(),
                });
            }
            return Ok(known);
        }
        let entry = StationEntry {
            station_id: station_id.to_owned(),
            name: String::new(),
            region: String::new(),
            public_key: key,
            added_at: now.to_owned(),
        };
        self.store.add_station(&entry, pem.as_bytes())?;
        Ok(entry)
    }

    /// Per-station counts, last sequence and open gaps.
    pub fn report(&self) -> Result<Vec<StationSummary>> {
        let mut out = Vec::new();
        let pairs = self.store.duplicates()?;
        for s in self.store.stations()? {
            let mine: Vec<&DuplicateRow> = pairs
                .iter()
                .filter(|p| p.first_station == s.station_id || p.second_station == s.station_id)
                .collect();
            let decided = mine.iter().filter(|p| p.decision.is_some()).count() as u64;
            let batches = self.store.batches(&s.station_id)?;
            let last = batches.last().map_or(0, |b| b.sequence);
            out.push(StationSummary {
                records: self.store.record_count(&s.station_id)?,
                batches: batches.len() as u64,
                last_sequence: last,
                gaps: gaps(batches.iter().map(|b| b.sequence)),
                duplicates: (mine.len() as u64 - decided, decided),
                station_id: s.station_id,
            });
        }
        Ok(out)
    }
}

/// The sequences missing below the last of `accepted` (ascending), from the stored rows: each
/// run between two accepted batches, never a loop up to the last number.
fn gaps(accepted: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut missing = Vec::new();
    let mut expected = 1;
    for sequence in accepted {
        missing.extend(expected..sequence);
        expected = sequence.saturating_add(1);
    }
    missing
}
