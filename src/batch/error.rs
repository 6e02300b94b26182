//! Why a batch could not be written, opened or trusted: one named variant per failure, each with
//! the Fluent message that tells a supervisor or a central operator what happened and what to do.
//!
//! A variant keeps what it is about as data (a file inside the bag, a registration id, a station
//! id, a key fingerprint) and the error underneath as its `#[source]`; the English `Display` is
//! for the CLI and logs, [`Error::message_id`] and [`Error::detail`] for the GUI.

use crate::audit::ChainError;
use crate::crypto::SignatureError;
use crate::domain::enrollment::RecordError;
use std::path::PathBuf;

/// A store's own error, as a [`super::BatchSource`] reports it.
pub type SourceError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Batch errors. Each failure a verifier can find has its own variant (and CLI exit code).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {what} {}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "batch is not addressed to this identity (wrong recipient): it was encrypted for another central key"
    )]
    WrongRecipient,
    #[error("batch file is damaged or truncated: not an age v1 file")]
    NotAge(#[source] age::DecryptError),
    #[error("batch file is damaged or truncated: it does not decrypt")]
    Decrypt(#[source] age::DecryptError),
    #[error("batch file is damaged or truncated")]
    Truncated(#[source] std::io::Error),
    #[error("batch holds an entry that is not allowed: a path that is not UTF-8")]
    NonUtf8Path,
    #[error("batch holds an entry that is not allowed: path {0}")]
    UnsafePath(String),
    #[error("batch holds an entry that is not allowed: {path} of type {kind}")]
    UnsafeEntryType { path: String, kind: String },
    #[error("bag is incomplete: {0} is missing")]
    MissingFile(String),
    #[error("bag has an extra file not in its manifests: {0}")]
    ExtraFile(String),
    #[error("bag has an extra file not in its manifests: {0} (twice in the archive)")]
    DuplicateEntry(String),
    #[error("bag has an extra file not in its manifests: {0} (no record in the batch names it)")]
    UnreferencedBiometric(String),
    #[error("bag file {0} does not match its manifest digest (it was altered)")]
    Digest(String),
    #[error("bag is malformed: {path} is {size} bytes")]
    TooLarge { path: String, size: u64 },
    #[error("batch is larger than kattoo ever writes: {what} over {limit}")]
    OverLimit { what: Limit, limit: u64 },
    #[error("bag is malformed: {} is not BagIt 1.0, UTF-8", super::bag::BAGIT_TXT)]
    BagDeclaration,
    #[error("bag is malformed: {file}: {0}", file = super::bag::BAG_INFO)]
    BagInfo(BagInfoProblem),
    #[error("bag is malformed: {file}: {problem}")]
    Manifest {
        file: String,
        problem: ManifestProblem,
    },
    #[error("bag is malformed: {file} lists {0}, outside data/", file = super::bag::MANIFEST)]
    OutsideData(String),
    #[error("bag is malformed: {file} lists {0}", file = super::bag::TAGMANIFEST)]
    UnexpectedTagFile(String),
    #[error("bag is malformed: {file} does not list {0}", file = super::bag::TAGMANIFEST)]
    UnlistedTagFile(String),
    #[error(
        "bag is malformed: Payload-Oxum says {said_octets}.{said_files}, the payload is {octets}.{files}"
    )]
    PayloadOxum {
        said_octets: u64,
        said_files: u64,
        octets: u64,
        files: u64,
    },
    #[error("bag is malformed: Record-Count says {said}, the bag holds {found}")]
    RecordCount { said: u64, found: u64 },
    #[error(
        "batch signature (tagmanifest-sha256.txt.sig) does not verify against the station key {fingerprint}"
    )]
    BatchSignature {
        fingerprint: String,
        #[source]
        source: SignatureError,
    },
    #[error("record {id} does not verify")]
    RecordSignature {
        id: String,
        #[source]
        source: RecordError,
    },
    #[error("record {id}: signed content names {named}")]
    RecordNamesOther { id: String, named: String },
    #[error("record {id}: made at station {station}")]
    RecordFromOtherStation { id: String, station: String },
    #[error(
        "record {id}: its registration id does not belong to station {station} and sequence {sequence} that the record states"
    )]
    RecordIdMismatch {
        id: String,
        station: String,
        sequence: u64,
    },
    #[error("record {0}: is a training record")]
    TrainingRecord(String),
    #[error("record {id}: stored record does not parse")]
    RecordJson {
        id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("record {id}: cannot be read from the station store")]
    StoredRecord {
        id: String,
        #[source]
        source: SourceError,
    },
    #[error("record {0}: vanished from the station store")]
    RecordVanished(String),
    #[error("biometric {sha256}: cannot be read from the station store")]
    StoredBiometric {
        sha256: String,
        #[source]
        source: SourceError,
    },
    #[error("bag is incomplete: biometric {0} in the station store is missing")]
    MissingBiometric(String),
    #[error("biometric {0}: its bytes do not match the hash the record names")]
    BiometricHash(String),
    #[error("audit segment is broken")]
    AuditChain(#[from] ChainError),
    #[error("audit segment: ends at row {last}, but Audit-Head names row {head}")]
    AuditHead { last: u64, head: u64 },
    #[error("audit segment: the batch carries no audit rows")]
    NoAuditRows,
    #[error("audit segment: batch 1 starts at audit row {first}, not at row 1 after the zero hash")]
    AuditNotFromStart { first: u64 },
    #[error("audit segment: line {line} is not an audit row")]
    AuditLine {
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("audit segment: line {0}: row number 0")]
    AuditRowZero(usize),
    #[error("audit segment: line {0} is not in canonical form (JCS)")]
    AuditNotCanonical(usize),
    #[error("audit segment: row {0}: hash is not 32 bytes of hex")]
    AuditHash(u64),
    #[error("audit segment: row {seq}: event is not JSON")]
    AuditEvent {
        seq: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("station certificate: not a kattoo/station/v1 certificate")]
    CertificateJson(#[source] serde_json::Error),
    #[error(
        "station certificate: schema '{0}', expected {expected}",
        expected = super::certificate::SCHEMA
    )]
    CertificateSchema(String),
    #[error(
        "station certificate: station id '{0}' is not valid: use 2-12 characters A-Z or 0-9, e.g. KG1101"
    )]
    CertificateStationId(String),
    #[error("station certificate: the public key cannot be used")]
    CertificateKey(#[source] SignatureError),
    #[error("station certificate: no signature")]
    CertificateUnsigned,
    #[error("station certificate: not in canonical form (JCS)")]
    CertificateNotCanonical,
    #[error("station certificate: self-signature of {station_id} does not verify")]
    CertificateSignature {
        station_id: String,
        #[source]
        source: SignatureError,
    },
    #[error("station certificate: names station {certificate}, the bag {bag}")]
    CertificateStation { certificate: String, bag: String },
    #[error("station certificate: holds key {found}, not the registered station key {registered}")]
    CertificateKeyMismatch { found: String, registered: String },
    #[error("cannot write canonical JSON")]
    Canonical(#[source] crate::crypto::Error),
    #[error(
        "read-back of {0} does not match what was written: the medium is faulty; the file was removed, use another stick"
    )]
    ReadBack(PathBuf),
    #[error("age encryption failed")]
    Encrypt(#[source] age::EncryptError),
    #[error("age encryption failed: {what}")]
    Seal {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("age encryption failed: the sealing thread panicked")]
    SealerPanicked,
    #[error("age encryption failed: the sealing thread stopped early")]
    SealerStopped,
    #[error("not an age X25519 key: {recipient}: {reason}")]
    Recipient {
        recipient: String,
        reason: &'static str,
    },
    #[error("not an age X25519 key: identity file holds a line that is not an AGE-SECRET-KEY")]
    IdentityLine,
    #[error("not an age X25519 key: identity file holds no AGE-SECRET-KEY line")]
    NoIdentity,
}

/// Which of a batch's limits ([`super::verify`]) was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Limit {
    #[error("entries")]
    Entries,
    #[error("bytes in all")]
    TotalBytes,
    #[error("bytes of records, audit and tag files")]
    HeldBytes,
    #[error("bytes in a pax or long-name header")]
    Extension,
}

/// What is wrong in `bag-info.txt`; a label names the field as the file spells it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BagInfoProblem {
    #[error("not UTF-8")]
    NotUtf8,
    #[error("line '{0}' is not 'Label: value'")]
    Line(String),
    #[error("{0} appears twice")]
    Repeated(String),
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{label} '{value}' is not a number")]
    NotANumber { label: &'static str, value: String },
    #[error("{0} is not 64 lowercase hex digits")]
    NotHex(&'static str),
    #[error("{label} is not '{shape}'")]
    Shape {
        label: &'static str,
        shape: &'static str,
    },
    #[error(
        "Station-Id: station id '{0}' is not valid: use 2-12 characters A-Z or 0-9, e.g. KG1101"
    )]
    StationId(String),
}

impl BagInfoProblem {
    /// The field (or line) the problem is in.
    pub fn field(&self) -> &str {
        match self {
            BagInfoProblem::NotUtf8 => super::bag::BAG_INFO,
            BagInfoProblem::Line(l) | BagInfoProblem::Repeated(l) => l.as_str(),
            BagInfoProblem::Missing(l)
            | BagInfoProblem::NotANumber { label: l, .. }
            | BagInfoProblem::NotHex(l)
            | BagInfoProblem::Shape { label: l, .. } => l,
            BagInfoProblem::StationId(_) => "Station-Id",
        }
    }
}

/// What is wrong in one of the two manifests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestProblem {
    #[error("not UTF-8")]
    NotUtf8,
    #[error("line '{0}' is not '<sha256> <path>'")]
    Line(String),
    #[error("digest of {0} is not 64 hex digits")]
    Digest(String),
    #[error("{0} is listed twice")]
    Repeated(String),
}

impl Error {
    /// The Fluent message id that tells the operator, in their language, what happened and what
    /// to do. The message takes [`Error::detail`] as `$detail`.
    pub fn message_id(&self) -> &'static str {
        match self {
            Error::Io { .. } => "batch-error-io",
            Error::WrongRecipient => "batch-error-wrong-recipient",
            Error::NotAge(_) | Error::Decrypt(_) | Error::Truncated(_) => "batch-error-damaged",
            Error::NonUtf8Path | Error::UnsafePath(_) | Error::UnsafeEntryType { .. } => {
                "batch-error-unsafe-entry"
            }
            Error::MissingFile(_) => "batch-error-missing-file",
            Error::ExtraFile(_) | Error::DuplicateEntry(_) | Error::UnreferencedBiometric(_) => {
                "batch-error-extra-file"
            }
            Error::Digest(_) => "batch-error-digest",
            Error::TooLarge { .. } => "batch-error-too-large",
            Error::OverLimit { .. } => "batch-error-over-limit",
            Error::BagDeclaration => "batch-error-bag-declaration",
            Error::BagInfo(_) | Error::PayloadOxum { .. } | Error::RecordCount { .. } => {
                "batch-error-bag-info"
            }
            Error::Manifest { .. }
            | Error::OutsideData(_)
            | Error::UnexpectedTagFile(_)
            | Error::UnlistedTagFile(_) => "batch-error-manifest",
            Error::BatchSignature { .. } => "batch-error-batch-signature",
            Error::RecordSignature { .. }
            | Error::RecordNamesOther { .. }
            | Error::RecordFromOtherStation { .. }
            | Error::RecordIdMismatch { .. } => "batch-error-record-signature",
            Error::TrainingRecord(_) => "batch-error-training-record",
            Error::RecordJson { .. } | Error::StoredRecord { .. } | Error::RecordVanished(_) => {
                "batch-error-stored-record"
            }
            Error::StoredBiometric { .. } | Error::MissingBiometric(_) => {
                "batch-error-stored-biometric"
            }
            Error::BiometricHash(_) => "batch-error-biometric-hash",
            Error::AuditChain(_)
            | Error::AuditHead { .. }
            | Error::AuditLine { .. }
            | Error::AuditRowZero(_)
            | Error::AuditNotCanonical(_)
            | Error::AuditHash(_)
            | Error::AuditEvent { .. } => "batch-error-audit-chain",
            Error::NoAuditRows => "batch-error-no-audit",
            Error::AuditNotFromStart { .. } => "batch-error-audit-chain",
            Error::CertificateJson(_)
            | Error::CertificateSchema(_)
            | Error::CertificateStationId(_)
            | Error::CertificateKey(_)
            | Error::CertificateUnsigned
            | Error::CertificateNotCanonical
            | Error::CertificateSignature { .. }
            | Error::CertificateStation { .. } => "batch-error-certificate",
            Error::CertificateKeyMismatch { .. } => "batch-error-certificate-key",
            Error::ReadBack(_) => "batch-error-read-back",
            Error::Canonical(_)
            | Error::Encrypt(_)
            | Error::Seal { .. }
            | Error::SealerPanicked
            | Error::SealerStopped => "batch-error-encrypt",
            Error::Recipient { .. } => "batch-error-recipient",
            Error::IdentityLine | Error::NoIdentity => "batch-error-identity",
        }
    }

    /// What the message names as `$detail`: a file inside the bag, a registration id, a station
    /// id, a key fingerprint or a path, else the technical cause; never a citizen's name, a PIN
    /// or a secret (an identity file's lines are never quoted).
    pub fn detail(&self) -> String {
        match self {
            Error::Io { path, .. } | Error::ReadBack(path) => path.display().to_string(),
            Error::UnsafePath(p)
            | Error::UnsafeEntryType { path: p, .. }
            | Error::MissingFile(p)
            | Error::ExtraFile(p)
            | Error::DuplicateEntry(p)
            | Error::UnreferencedBiometric(p)
            | Error::Digest(p)
            | Error::TooLarge { path: p, .. }
            | Error::OutsideData(p)
            | Error::UnexpectedTagFile(p)
            | Error::UnlistedTagFile(p) => p.clone(),
            Error::Manifest { file, .. } => file.clone(),
            Error::BagInfo(problem) => problem.field().to_owned(),
            Error::PayloadOxum { .. } => "Payload-Oxum".into(),
            Error::RecordCount { .. } => "Record-Count".into(),
            Error::BatchSignature { fingerprint, .. } => fingerprint.clone(),
            Error::RecordSignature { id, .. }
            | Error::RecordNamesOther { id, .. }
            | Error::RecordFromOtherStation { id, .. }
            | Error::RecordIdMismatch { id, .. }
            | Error::TrainingRecord(id)
            | Error::RecordJson { id, .. }
            | Error::StoredRecord { id, .. }
            | Error::RecordVanished(id) => id.clone(),
            Error::StoredBiometric { sha256, .. }
            | Error::MissingBiometric(sha256)
            | Error::BiometricHash(sha256) => sha256.clone(),
            Error::AuditChain(e) => e.seq().to_string(),
            Error::AuditHead { last, .. } => last.to_string(),
            Error::AuditLine { line, .. }
            | Error::AuditRowZero(line)
            | Error::AuditNotCanonical(line) => line.to_string(),
            Error::OverLimit { what, limit } => format!("{what} > {limit}"),
            Error::AuditHash(seq) | Error::AuditEvent { seq, .. } => seq.to_string(),
            Error::AuditNotFromStart { first } => first.to_string(),
            Error::CertificateSchema(id)
            | Error::CertificateStationId(id)
            | Error::CertificateSignature { station_id: id, .. }
            | Error::CertificateStation {
                certificate: id, ..
            } => id.clone(),
            Error::CertificateKeyMismatch { found, .. } => found.clone(),
            Error::Recipient { recipient, .. } => recipient.clone(),
            Error::WrongRecipient
            | Error::BagDeclaration
            | Error::NoAuditRows
            | Error::IdentityLine
            | Error::NoIdentity => String::new(),
            Error::NonUtf8Path
            | Error::CertificateUnsigned
            | Error::CertificateNotCanonical
            | Error::SealerPanicked
            | Error::SealerStopped
            | Error::NotAge(_)
            | Error::Decrypt(_)
            | Error::Truncated(_)
            | Error::CertificateJson(_)
            | Error::CertificateKey(_)
            | Error::Canonical(_)
            | Error::Encrypt(_)
            | Error::Seal { .. } => causes(self),
        }
    }
}

/// An error and its sources, joined as `anyhow` prints them with `{:#}`.
pub(crate) fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
