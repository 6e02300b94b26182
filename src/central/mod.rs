//! Central: registers stations, verifies and imports their batches, and reports per station.
//!
//! The rules (DESIGN.md "Central rules") live here, over a small [`CentralStore`] trait so that
//! the SQLite store ([`SqliteCentral`], plain unencrypted SQLite) can be joined by a PostgreSQL one.
//! Per station, batch sequences strictly increase: the same file twice is a no-op, a sequence at
//! or below the last accepted one is refused, a jump is accepted and the gap reported.

mod sqlite;

pub use sqlite::SqliteCentral;

use crate::batch::{self, StationCertificate, VerifiedBatch};
use crate::crypto::PublicKey;
use std::collections::BTreeMap;
use std::path::Path;

/// Central errors; each refusal has its own variant (and CLI exit code).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Batch(#[from] batch::Error),
    #[error("central database: {0}")]
    Db(String),
    #[error("central is not initialised: run `kattoo central init --db …` first")]
    NotInitialised,
    #[error("central is already initialised in {0}")]
    AlreadyInitialised(String),
    #[error(
        "station {0} is not registered: run `kattoo central add-station` with its certificate first"
    )]
    UnknownStation(String),
    #[error("station {station} is already registered with a different key ({fingerprint})")]
    StationKeyConflict {
        station: String,
        fingerprint: String,
    },
    #[error(
        "batch {sequence} of station {station} was already accepted with different content: refused as a replay"
    )]
    Replay { station: String, sequence: u64 },
    #[error(
        "batch {sequence} of station {station} is below the last accepted batch {last}: refused"
    )]
    LowerSequence {
        station: String,
        sequence: u64,
        last: u64,
    },
    #[error(
        "batch {sequence} of station {station} does not follow batch {previous}: {what} differs"
    )]
    ChainMismatch {
        station: String,
        sequence: u64,
        previous: u64,
        what: &'static str,
    },
    #[error(
        "batch is signed by key {found}, not the registered key of station {station} ({registered})"
    )]
    WrongStationKey {
        station: String,
        found: String,
        registered: String,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// Where central keeps its state. One method per question the rules ask.
pub trait CentralStore {
    /// Central's age identity (secret) and recipient, once initialised.
    fn identity(&self) -> Result<Option<(String, String)>>;
    fn set_identity(&mut self, secret: &str, recipient: &str, at: &str) -> Result<()>;
    fn add_station(&mut self, s: &StationEntry, certificate: &[u8]) -> Result<()>;
    fn station(&self, id: &str) -> Result<Option<StationEntry>>;
    fn stations(&self) -> Result<Vec<StationEntry>>;
    /// The batch (station, sequence) with this file SHA-256, if accepted.
    fn batch_by_sha(&self, sha256: &str) -> Result<Option<(String, u64)>>;
    /// Accepted batches of a station, by sequence.
    fn batches(&self, station_id: &str) -> Result<Vec<AcceptedBatch>>;
    fn record_count(&self, station_id: &str) -> Result<u64>;
    /// Records at stations other than `station_id` that hold `pin`: (station, registration id).
    fn pin_elsewhere(&self, pin: &str, station_id: &str) -> Result<Vec<(String, String)>>;
    /// Stores a verified batch, its records, biometrics and audit rows, all or nothing.
    fn import(
        &mut self,
        batch: &AcceptedBatch,
        verified: &VerifiedBatch,
        biometrics: &BTreeMap<String, Vec<u8>>,
    ) -> Result<()>;
}

/// Central over a store.
pub struct Central<S: CentralStore> {
    store: S,
}

fn mask(pin: &str) -> String {
    let keep = pin.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), &pin[keep..])
}

impl<S: CentralStore> Central<S> {
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store (reads for reports and tests).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Creates central's age identity; returns the identity file text and the recipient.
    pub fn init(&mut self, now: &str) -> Result<(String, String)> {
        if self.store.identity()?.is_some() {
            return Err(Error::AlreadyInitialised("this database".into()));
        }
        let (text, recipient) = batch::new_identity_file(now);
        self.store.set_identity(&text, &recipient, now)?;
        Ok((text, recipient))
    }

    fn identities(&self) -> Result<Vec<age::x25519::Identity>> {
        let (text, _) = self.store.identity()?.ok_or(Error::NotInitialised)?;
        Ok(batch::parse_identities(&text)?)
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
        let entry = StationEntry {
            station_id: cert.station_id.clone(),
            name: cert.name.clone(),
            region: cert.region.clone(),
            public_key: key,
            added_at: now.to_owned(),
        };
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
        crate::domain::StationId::parse(station_id).map_err(batch::Error::Certificate)?;
        let key = PublicKey::from_pem(pem).map_err(|e| batch::Error::Certificate(e.to_string()))?;
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

    /// Verifies and imports one batch file.
    pub fn import(&mut self, path: &Path, now: &str) -> Result<ImportOutcome> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.import_bytes(&bytes, now)
    }

    /// Verifies and imports one batch from its bytes.
    pub fn import_bytes(&mut self, bytes: &[u8], now: &str) -> Result<ImportOutcome> {
        let sha256 = batch::bag::sha256_hex(bytes);
        if let Some((station_id, sequence)) = self.store.batch_by_sha(&sha256)? {
            return Ok(ImportOutcome::AlreadyImported {
                station_id,
                sequence,
            });
        }
        let identities = self.identities()?;
        let mut biometrics = BTreeMap::new();
        let verified = batch::verify_batch(bytes, &identities, None, &mut |sha, data| {
            biometrics.insert(sha.to_owned(), data.to_vec());
            Ok(())
        })?;
        let station_id = verified.info.station_id.clone();
        let station = self
            .store
            .station(&station_id)?
            .ok_or_else(|| Error::UnknownStation(station_id.clone()))?;
        if station.public_key != verified.station_key {
            return Err(Error::WrongStationKey {
                station: station_id,
                found: verified.station_key.fingerprint(),
                registered: station.public_key.fingerprint(),
            });
        }
        let sequence = verified.info.sequence;
        let accepted = self.store.batches(&station_id)?;
        let last = accepted.last();
        if let Some(last) = last {
            if accepted.iter().any(|b| b.sequence == sequence) {
                return Err(Error::Replay {
                    station: station_id,
                    sequence,
                });
            }
            if sequence <= last.sequence {
                return Err(Error::LowerSequence {
                    station: station_id,
                    sequence,
                    last: last.sequence,
                });
            }
        }
        let last_seq = last.map_or(0, |b| b.sequence);
        let gap = (sequence > last_seq + 1).then_some((last_seq + 1, sequence - 1));
        let chain = |what| Error::ChainMismatch {
            station: station_id.clone(),
            sequence,
            previous: sequence - 1,
            what,
        };
        if sequence == 1 && verified.info.previous_sha256 != batch::NO_PREVIOUS {
            return Err(chain("Previous-Batch-SHA256"));
        }
        if let Some(prev) = last.filter(|b| b.sequence + 1 == sequence) {
            if verified.info.previous_sha256 != prev.sha256 {
                return Err(chain("Previous-Batch-SHA256"));
            }
            if let Some(first) = verified.audit.first() {
                if hex::encode(first.prev) != prev.audit_head_hash
                    || first.seq != prev.audit_head_seq + 1
                {
                    return Err(chain("the audit chain"));
                }
            }
        }
        let mut cross = Vec::new();
        for r in &verified.records {
            let pin = r.record.citizen.pin.as_str();
            for (other_station, other_id) in self.store.pin_elsewhere(pin, &station_id)? {
                cross.push(CrossStationPin {
                    masked_pin: mask(pin),
                    registration_id: r.registration_id.clone(),
                    other_station,
                    other_registration_id: other_id,
                });
            }
        }
        let row = AcceptedBatch {
            station_id: station_id.clone(),
            sequence,
            sha256,
            previous_sha256: verified.info.previous_sha256.clone(),
            record_count: verified.records.len() as u64,
            audit_head_seq: verified.info.audit_head_seq,
            audit_head_hash: verified.info.audit_head_hash.clone(),
            imported_at: now.to_owned(),
        };
        self.store.import(&row, &verified, &biometrics)?;
        tracing::info!(station = %station_id, sequence, records = row.record_count, "batch imported");
        Ok(ImportOutcome::Imported {
            station_id,
            sequence,
            records: row.record_count,
            gap,
            cross_station_pins: cross,
        })
    }

    /// Per-station counts, last sequence and open gaps.
    pub fn report(&self) -> Result<Vec<StationSummary>> {
        let mut out = Vec::new();
        for s in self.store.stations()? {
            let batches = self.store.batches(&s.station_id)?;
            let last = batches.last().map_or(0, |b| b.sequence);
            let have: std::collections::BTreeSet<u64> =
                batches.iter().map(|b| b.sequence).collect();
            out.push(StationSummary {
                records: self.store.record_count(&s.station_id)?,
                batches: batches.len() as u64,
                last_sequence: last,
                gaps: (1..last).filter(|n| !have.contains(n)).collect(),
                station_id: s.station_id,
            });
        }
        Ok(out)
    }
}
