//! Batches: the age-encrypted tar of a signed BagIt bag that carries approved records from a
//! station to central on a USB stick (FORMATS.md "Batch").
//!
//! [`write`] streams a bag into a tar inside an age file, so memory stays flat whatever the batch
//! size; [`medium`] copies a finished file to removable media so that a failure leaves nothing
//! under the final name; [`verify`] opens a batch and checks every digest and signature;
//! [`certificate`] is the self-signed station certificate that travels in every batch.

pub mod bag;
pub mod certificate;
pub mod medium;
pub mod output;
pub mod verify;
pub mod write;

pub use certificate::StationCertificate;
pub use medium::{DirMedium, Medium, MediumFile};
pub use output::{Destination, write_new_batch};
pub use verify::{VerifiedBatch, VerifiedRecord, verify_batch};
pub use write::{BatchHeader, BatchSource, Contents, RecordFiles, write_batch};

use crate::audit::ChainError;
use std::path::PathBuf;

/// The file name of batch `sequence` of `station_id`: `kattoo-<id>-<sequence, ≥5 digits>.age`.
pub fn file_name(station_id: &str, sequence: u64) -> String {
    format!("kattoo-{station_id}-{sequence:05}.age")
}

/// 64 zeros: the `Previous-Batch-SHA256` of batch 1.
pub const NO_PREVIOUS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where a long batch operation is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Records packed into the encrypted bag (`done`/`total` records).
    Packing,
    /// Bytes copied to the medium.
    Copying,
    /// Bytes read back from the medium and compared.
    ReadingBack,
}

/// One progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

/// A progress callback; the GUI draws a bar from it, the CLI an indicatif bar.
pub type ProgressFn<'a> = &'a mut dyn FnMut(Progress);

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
    #[error("batch file is damaged or truncated: {0}")]
    Damaged(String),
    #[error("batch holds an entry that is not allowed: {0}")]
    UnsafeEntry(String),
    #[error("bag is incomplete: {0} is missing")]
    MissingFile(String),
    #[error("bag has an extra file not in its manifests: {0}")]
    ExtraFile(String),
    #[error("bag file {0} does not match its manifest digest (it was altered)")]
    Digest(String),
    #[error("bag is malformed: {0}")]
    Malformed(String),
    #[error(
        "batch signature (tagmanifest-sha256.txt.sig) does not verify against the station key {0}"
    )]
    BatchSignature(String),
    #[error("record {id}: {reason}")]
    RecordSignature { id: String, reason: String },
    #[error("biometric {0}: its bytes do not match the hash the record names")]
    BiometricHash(String),
    #[error("audit segment: {0}")]
    AuditChain(String),
    #[error("station certificate: {0}")]
    Certificate(String),
    #[error(
        "read-back of {0} does not match what was written: the medium is faulty; the file was removed, use another stick"
    )]
    ReadBack(PathBuf),
    #[error("age encryption failed: {0}")]
    Encrypt(String),
    #[error("not an age X25519 key: {0}")]
    Key(String),
}

impl From<ChainError> for Error {
    fn from(e: ChainError) -> Self {
        Error::AuditChain(e.to_string())
    }
}

/// Result alias for batches.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io_err(
    what: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { what, path, source }
}

/// Parses age X25519 recipients (`age1…`), one per string.
pub fn parse_recipients(texts: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    texts
        .iter()
        .map(|t| {
            t.trim()
                .parse()
                .map_err(|e: &str| Error::Key(format!("{t}: {e}")))
        })
        .collect()
}

/// Parses an age identity file (`AGE-SECRET-KEY-1…` lines; `#` comments and blank lines ignored).
pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let ids: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.parse().map_err(|_| {
                Error::Key("identity file holds a line that is not an AGE-SECRET-KEY".into())
            })
        })
        .collect::<Result<_>>()?;
    if ids.is_empty() {
        return Err(Error::Key(
            "identity file holds no AGE-SECRET-KEY line".into(),
        ));
    }
    Ok(ids)
}

/// A new age identity file's text (as `age-keygen` writes it) and its recipient.
pub fn new_identity_file(created: &str) -> (String, String) {
    use age::secrecy::ExposeSecret;
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        id.to_string().expose_secret()
    );
    (text, recipient)
}
