//! Batches: the age-encrypted tar of a signed BagIt bag that carries approved records from a
//! station to central on a USB stick (FORMATS.md "Batch").
//!
//! [`write`] streams a bag into a tar inside an age file, so memory stays flat whatever the batch
//! size; [`medium`] copies a finished file to removable media so that a failure leaves nothing
//! under the final name; [`verify`] opens a batch and checks every digest and signature;
//! [`certificate`] is the self-signed station certificate that travels in every batch.

pub mod bag;
pub mod certificate;
mod error;
#[cfg(test)]
mod hostile_tests;
pub mod medium;
pub mod output;
#[cfg(test)]
mod tests;
pub mod verify;
pub mod write;

pub use certificate::StationCertificate;
pub(crate) use error::causes;
pub use error::{BagInfoProblem, Error, Limit, ManifestProblem, SourceError};
pub use medium::{DirMedium, Medium, MediumFile};
pub use output::{Destination, write_new_batch};
pub use verify::{VerifiedBatch, VerifiedRecord, verify_batch};
pub use write::{BatchHeader, BatchSource, Contents, RecordFiles, write_batch};

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
                .map_err(|reason: &'static str| Error::Recipient {
                    recipient: t.clone(),
                    reason,
                })
        })
        .collect()
}

/// What a station and central read aloud to compare a key passed on a stick: the first 16 hex
/// digits of the SHA-256 of the recipients (one per line, trimmed), in groups of four.
pub fn recipient_fingerprint(recipients: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for r in recipients {
        h.update(r.trim().as_bytes());
        h.update(b"\n");
    }
    let hex = hex::encode(h.finalize());
    hex.as_bytes()[..16]
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("hex digits"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses an age identity file (`AGE-SECRET-KEY-1…` lines; `#` comments and blank lines ignored).
pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let ids: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.parse().map_err(|_| Error::IdentityLine))
        .collect::<Result<_>>()?;
    if ids.is_empty() {
        return Err(Error::NoIdentity);
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
