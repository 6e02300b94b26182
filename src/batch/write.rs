//! Streams a batch: tar entries of the bag go straight into an age encryptor, payload first and
//! tag files last (their digests are only known at the end), so memory stays flat.

use super::bag::{self, BagInfo};
use super::{Error, Progress, ProgressFn, Result, Stage};
use crate::crypto::{Signature, StationKey};
use crate::domain::enrollment::Record;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// What `bag-info.txt` says that the caller decides.
#[derive(Debug, Clone)]
pub struct BatchHeader {
    pub station_id: String,
    pub sequence: u64,
    pub previous_sha256: String,
    pub audit_head_seq: u64,
    pub audit_head_hash: String,
    /// `YYYY-MM-DD`.
    pub bagging_date: String,
    /// Modification time of every tar entry (unix seconds), so entries do not leak clock details.
    pub mtime: u64,
}

/// One record's files.
pub struct RecordFiles {
    pub registration_id: String,
    /// The exact signed JCS bytes.
    pub json: Vec<u8>,
    pub signature: Signature,
}

/// Where the writer gets records and biometric files from (the station's store, or a test).
pub trait BatchSource {
    /// How many records the batch carries.
    fn record_count(&self) -> usize;
    /// Record `index` (0-based, in batch order).
    fn record(&mut self, index: usize) -> Result<RecordFiles>;
    /// The bytes of a biometric file.
    fn biometric(&mut self, sha256: &str) -> Result<Vec<u8>>;
}

/// A writer that hashes what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }
    /// The inner writer and the lowercase hex SHA-256 of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex::encode(self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn append<W: Write>(tar: &mut tar::Builder<W>, path: &str, bytes: &[u8], mtime: u64) -> Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_size(bytes.len() as u64);
    tar.append_data(&mut h, path, bytes)
        .map_err(|e| Error::Encrypt(format!("{path}: {e}")))
}

fn append_dir<W: Write>(tar: &mut tar::Builder<W>, path: &str, mtime: u64) -> Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h.set_size(0);
    tar.append_data(&mut h, path, io::empty())
        .map_err(|e| Error::Encrypt(format!("{path}: {e}")))
}

/// Payload files collected while streaming.
struct Payload<'a, W: Write> {
    tar: tar::Builder<W>,
    digests: BTreeMap<String, String>,
    octets: u64,
    mtime: u64,
    _p: std::marker::PhantomData<&'a ()>,
}

impl<W: Write> Payload<'_, W> {
    fn add(&mut self, path: String, bytes: &[u8]) -> Result<()> {
        append(&mut self.tar, &path, bytes, self.mtime)?;
        self.octets += bytes.len() as u64;
        self.digests.insert(path, bag::sha256_hex(bytes));
        Ok(())
    }
}

/// Writes the batch to `out`: an age file (to `recipients`) of a tar of the signed bag. Returns
/// `out` and the SHA-256 of what was written.
#[allow(clippy::too_many_arguments)]
pub fn write_batch<W: Write>(
    out: W,
    header: &BatchHeader,
    source: &mut dyn BatchSource,
    audit_jsonl: &[u8],
    certificate: &[u8],
    key: &StationKey,
    recipients: &[age::x25519::Recipient],
    progress: ProgressFn<'_>,
) -> Result<(W, String)> {
    let recips: Vec<&dyn age::Recipient> = recipients
        .iter()
        .map(|r| r as &dyn age::Recipient)
        .collect();
    let encryptor = age::Encryptor::with_recipients(recips.into_iter())
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    let hashing = HashingWriter::new(out);
    let stream = encryptor
        .wrap_output(io::BufWriter::with_capacity(1 << 16, hashing))
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    let mut tar = tar::Builder::new(stream);
    tar.mode(tar::HeaderMode::Deterministic);
    for dir in ["data/", "data/biometrics/", "data/records/"] {
        append_dir(&mut tar, dir, header.mtime)?;
    }
    let mut p = Payload {
        tar,
        digests: BTreeMap::new(),
        octets: 0,
        mtime: header.mtime,
        _p: Default::default(),
    };
    let total = source.record_count() as u64;
    let mut written = BTreeSet::new();
    for i in 0..source.record_count() {
        let rec = source.record(i)?;
        let parsed: Record =
            serde_json::from_slice(&rec.json).map_err(|e| Error::RecordSignature {
                id: rec.registration_id.clone(),
                reason: format!("stored record does not parse: {e}"),
            })?;
        let base = format!("data/records/{}.json", rec.registration_id);
        p.add(format!("{base}.sig"), rec.signature.to_file().as_bytes())?;
        p.add(base, &rec.json)?;
        for b in &parsed.biometrics {
            if !written.insert(b.sha256.clone()) {
                continue;
            }
            let data = source.biometric(&b.sha256)?;
            if bag::sha256_hex(&data) != b.sha256 {
                return Err(Error::BiometricHash(b.sha256.clone()));
            }
            p.add(
                format!("data/biometrics/{}.{}", b.sha256, b.format.extension()),
                &data,
            )?;
        }
        progress(Progress {
            stage: Stage::Packing,
            done: i as u64 + 1,
            total,
        });
    }
    p.add("data/audit.jsonl".into(), audit_jsonl)?;
    p.add(
        format!("data/{}", super::certificate::file_name(&header.station_id)),
        certificate,
    )?;
    let info = BagInfo {
        station_id: header.station_id.clone(),
        sequence: header.sequence,
        previous_sha256: header.previous_sha256.clone(),
        record_count: total,
        audit_head_seq: header.audit_head_seq,
        audit_head_hash: header.audit_head_hash.clone(),
        payload_octets: p.octets,
        payload_files: p.digests.len() as u64,
        bagging_date: header.bagging_date.clone(),
    };
    let mut tar = p.tar;
    for (name, bytes) in bag::tag_files(&info, &p.digests, key) {
        append(&mut tar, name, &bytes, header.mtime)?;
    }
    let stream = tar
        .into_inner()
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    let buffered = stream.finish().map_err(|e| Error::Encrypt(e.to_string()))?;
    let hashing = buffered
        .into_inner()
        .map_err(|e| Error::Encrypt(e.error().to_string()))?;
    Ok(hashing.finish())
}

/// Writes already-built bag files (path → bytes, tag files included) as a batch: for test
/// vectors and tools that alter a bag on purpose. Entries go in path order.
pub fn write_raw(
    files: &BTreeMap<String, Vec<u8>>,
    recipients: &[age::x25519::Recipient],
    mtime: u64,
) -> Result<Vec<u8>> {
    let recips: Vec<&dyn age::Recipient> = recipients
        .iter()
        .map(|r| r as &dyn age::Recipient)
        .collect();
    let encryptor = age::Encryptor::with_recipients(recips.into_iter())
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    let stream = encryptor
        .wrap_output(Vec::new())
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    let mut tar = tar::Builder::new(stream);
    for (path, bytes) in files {
        if path.ends_with('/') {
            append_dir(&mut tar, path, mtime)?;
        } else {
            append(&mut tar, path, bytes, mtime)?;
        }
    }
    let stream = tar
        .into_inner()
        .map_err(|e| Error::Encrypt(e.to_string()))?;
    stream.finish().map_err(|e| Error::Encrypt(e.to_string()))
}
