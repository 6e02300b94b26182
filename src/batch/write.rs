//! Streams a batch: tar entries of the bag go straight into an age encryptor, payload first and
//! tag files last (their digests are only known at the end), so memory stays flat.

use super::bag::{self, BagInfo};
use super::{Error, Progress, ProgressFn, Result, Stage};
use crate::crypto::{Signature, StationKey};
use crate::domain::enrollment::Record;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::sync::mpsc;

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

/// Everything a batch carries besides the records, and how it is signed and sealed.
pub struct Contents<'a> {
    pub header: &'a BatchHeader,
    /// `data/audit.jsonl`.
    pub audit_jsonl: &'a [u8],
    /// `data/station-<id>.json`.
    pub certificate: &'a [u8],
    /// Signs the tag manifest.
    pub key: &'a StationKey,
    /// Central's age recipient(s).
    pub recipients: &'a [age::x25519::Recipient],
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
        .map_err(|e| sealing_error(path, e))
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
        .map_err(|e| sealing_error(path, e))
}

/// A write to one of the batch's destinations failed; carried through tar and age inside an
/// `io::Error` so that the caller learns which file and why (a full or pulled-out stick).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteFailure {
    pub path: std::path::PathBuf,
    pub source: io::Error,
}

/// Turns an error from the tar/age stack into a batch error, unwrapping a [`WriteFailure`].
fn sealing_error(what: &str, e: io::Error) -> Error {
    if !e.get_ref().is_some_and(|inner| inner.is::<WriteFailure>()) {
        return Error::Seal {
            what: what.to_owned(),
            source: e,
        };
    }
    let inner = e.into_inner().expect("checked above");
    let f = inner.downcast::<WriteFailure>().expect("checked above");
    Error::Io {
        what: "write",
        path: f.path,
        source: f.source,
    }
}

/// One tar entry on its way from the reader to the sealing thread.
enum Entry {
    Dir(&'static str),
    /// A file, and the SHA-256 its bytes must have when the record names it (a biometric). The
    /// sealing thread checks it, as the reading thread is the busier one.
    File(String, Vec<u8>, Option<String>),
}

/// How many entries may wait between the reader and the sealing thread (a few MB).
const QUEUE: usize = 32;

/// The size of the pieces the sealing thread hands to the writing thread, and how many may wait.
const PIECE: usize = 1 << 20;
/// Room for the age chunk that fills a piece past [`PIECE`] (64 KiB and its tag), so that a
/// piece is never copied to grow.
const PIECE_ROOM: usize = PIECE + (64 << 10) + 16;
const PIECES: usize = 8;

/// The sealing side: tar framing and age encryption, on its own thread so that reading and
/// hashing the store's files (the caller's thread) overlaps with encryption. The sealed stream is
/// hashed and written by a third thread ([`write_out`]).
fn seal<W: Write + Send>(
    out: W,
    recipients: &[age::x25519::Recipient],
    mtime: u64,
    entries: mpsc::Receiver<Entry>,
) -> Result<(W, String)> {
    std::thread::scope(|scope| {
        let (queue, pieces) = mpsc::sync_channel(PIECES);
        let writer = scope.spawn(move || write_out(out, pieces));
        let sealed = encrypt(
            ToWriter {
                queue,
                piece: Vec::with_capacity(PIECE_ROOM),
            },
            recipients,
            mtime,
            entries,
        );
        let written = writer.join().unwrap_or(Err(Error::SealerPanicked));
        match sealed {
            Ok(()) => written,
            // The sealing stopped because the writer did (a full stick): its error says why.
            Err(e) if stopped_by_writer(&e) => Err(written.err().unwrap_or(e)),
            Err(e) => Err(e),
        }
    })
}

fn encrypt(
    out: ToWriter,
    recipients: &[age::x25519::Recipient],
    mtime: u64,
    entries: mpsc::Receiver<Entry>,
) -> Result<()> {
    let recips: Vec<&dyn age::Recipient> = recipients
        .iter()
        .map(|r| r as &dyn age::Recipient)
        .collect();
    let encryptor = age::Encryptor::with_recipients(recips.into_iter()).map_err(Error::Encrypt)?;
    let stream = encryptor
        .wrap_output(out)
        .map_err(|e| sealing_error("age", e))?;
    let mut tar = tar::Builder::new(stream);
    tar.mode(tar::HeaderMode::Deterministic);
    for entry in entries {
        match entry {
            Entry::Dir(path) => append_dir(&mut tar, path, mtime)?,
            Entry::File(path, bytes, sha256) => {
                if let Some(sha256) = sha256
                    && bag::sha256_hex(&bytes) != sha256
                {
                    return Err(Error::BiometricHash(sha256));
                }
                append(&mut tar, &path, &bytes, mtime)?;
            }
        }
    }
    let stream = tar.into_inner().map_err(|e| sealing_error("tar", e))?;
    let mut out = stream.finish().map_err(|e| sealing_error("age", e))?;
    out.flush().map_err(|e| sealing_error("age", e))
}

/// Why the sealing thread could not hand on a piece: the writing thread stopped, and its own
/// error says why.
#[derive(Debug, thiserror::Error)]
#[error("the writing thread stopped")]
struct WriterStopped;

fn stopped_by_writer(e: &Error) -> bool {
    matches!(e, Error::Seal { source, .. }
        if source.get_ref().is_some_and(|inner| inner.is::<WriterStopped>()))
}

/// The sealed stream on its way to the writing thread, in pieces of [`PIECE`] bytes.
struct ToWriter {
    queue: mpsc::SyncSender<Vec<u8>>,
    piece: Vec<u8>,
}

impl ToWriter {
    fn send(&mut self) -> io::Result<()> {
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE_ROOM));
        self.queue
            .send(piece)
            .map_err(|_| io::Error::other(WriterStopped))
    }
}

impl Write for ToWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.piece.extend_from_slice(buf);
        if self.piece.len() >= PIECE {
            self.send()?;
        }
        Ok(buf.len())
    }
    /// Sends what is held; called once, at the end of the stream.
    fn flush(&mut self) -> io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// The writing side: hashes the sealed stream and writes it to `out`.
fn write_out<W: Write>(out: W, pieces: mpsc::Receiver<Vec<u8>>) -> Result<(W, String)> {
    let mut hashing = HashingWriter::new(out);
    for piece in pieces {
        hashing
            .write_all(&piece)
            .map_err(|e| sealing_error("write", e))?;
    }
    hashing.flush().map_err(|e| sealing_error("write", e))?;
    Ok(hashing.finish())
}

/// The reading side: payload files in order, their digests for the manifest.
struct Payload {
    queue: mpsc::SyncSender<Entry>,
    digests: BTreeMap<String, String>,
    octets: u64,
}

impl Payload {
    /// Queues a file that must have the SHA-256 `sha256` (checked on the sealing thread), which
    /// the manifest lists. `Err(())` means the sealing thread stopped; its own error says why.
    fn add_named(&mut self, path: String, bytes: Vec<u8>, sha256: String) -> Result<(), ()> {
        self.push(path, bytes, sha256.clone(), Some(sha256))
    }
    fn add(&mut self, path: String, bytes: Vec<u8>) -> Result<(), ()> {
        let sha256 = bag::sha256_hex(&bytes);
        self.push(path, bytes, sha256, None)
    }
    fn push(
        &mut self,
        path: String,
        bytes: Vec<u8>,
        digest: String,
        check: Option<String>,
    ) -> Result<(), ()> {
        self.octets += bytes.len() as u64;
        self.digests.insert(path.clone(), digest);
        self.queue
            .send(Entry::File(path, bytes, check))
            .map_err(|_| ())
    }
}

/// Why the reading side stopped early.
enum Stop {
    /// The sealing thread failed; join it for its error.
    Sealer,
    Source(Error),
}

impl From<()> for Stop {
    fn from((): ()) -> Self {
        Stop::Sealer
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Source(e)
    }
}

/// Writes the batch to `out`: an age file (to `recipients`) of a tar of the signed bag. Returns
/// `out` and the SHA-256 of what was written. Records and files are read from `source` on this
/// thread while a second encrypts and a third hashes and writes, so both cores work at once.
pub fn write_batch<W: Write + Send>(
    out: W,
    contents: &Contents<'_>,
    source: &mut dyn BatchSource,
    progress: ProgressFn<'_>,
) -> Result<(W, String)> {
    let (recipients, mtime) = (contents.recipients, contents.header.mtime);
    std::thread::scope(|scope| {
        let (queue, entries) = mpsc::sync_channel(QUEUE);
        let sealer = scope.spawn(move || seal(out, recipients, mtime, entries));
        let mut payload = Payload {
            queue,
            digests: BTreeMap::new(),
            octets: 0,
        };
        let read = read_bag(&mut payload, contents, source, progress);
        drop(payload);
        let sealed = sealer.join().unwrap_or(Err(Error::SealerPanicked));
        match read {
            Ok(()) => sealed,
            Err(Stop::Source(e)) => Err(e),
            Err(Stop::Sealer) => Err(sealed.err().unwrap_or(Error::SealerStopped)),
        }
    })
}

/// Reads every record and file from `source` in bag order and queues them, tag files last.
fn read_bag(
    p: &mut Payload,
    contents: &Contents<'_>,
    source: &mut dyn BatchSource,
    progress: ProgressFn<'_>,
) -> Result<(), Stop> {
    let header = contents.header;
    for dir in ["data/", "data/biometrics/", "data/records/"] {
        p.queue.send(Entry::Dir(dir)).map_err(|_| Stop::Sealer)?;
    }
    let total = source.record_count() as u64;
    let mut written = BTreeSet::new();
    for i in 0..source.record_count() {
        let rec = source.record(i)?;
        let parsed: Record =
            serde_json::from_slice(&rec.json).map_err(|source| Error::RecordJson {
                id: rec.registration_id.clone(),
                source,
            })?;
        let base = format!("data/records/{}.json", rec.registration_id);
        p.add(format!("{base}.sig"), rec.signature.to_file().into_bytes())?;
        p.add(base, rec.json)?;
        for b in &parsed.biometrics {
            if !written.insert(b.sha256.clone()) {
                continue;
            }
            let data = source.biometric(&b.sha256)?;
            // The one hash of these bytes, on the sealing thread: it checks the store, and what
            // it checks is the manifest's digest.
            p.add_named(
                format!("data/biometrics/{}.{}", b.sha256, b.format.extension()),
                data,
                b.sha256.clone(),
            )?;
        }
        progress(Progress {
            stage: Stage::Packing,
            done: i as u64 + 1,
            total,
        });
    }
    p.add("data/audit.jsonl".into(), contents.audit_jsonl.to_vec())?;
    p.add(
        format!("data/{}", super::certificate::file_name(&header.station_id)),
        contents.certificate.to_vec(),
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
    for (name, bytes) in bag::tag_files(&info, &p.digests, contents.key) {
        p.queue
            .send(Entry::File(name.to_owned(), bytes, None))
            .map_err(|_| Stop::Sealer)?;
    }
    Ok(())
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
    let encryptor = age::Encryptor::with_recipients(recips.into_iter()).map_err(Error::Encrypt)?;
    let stream = encryptor
        .wrap_output(Vec::new())
        .map_err(|e| sealing_error("age", e))?;
    let mut tar = tar::Builder::new(stream);
    for (path, bytes) in files {
        if path.ends_with('/') {
            append_dir(&mut tar, path, mtime)?;
        } else {
            append(&mut tar, path, bytes, mtime)?;
        }
    }
    let stream = tar.into_inner().map_err(|e| sealing_error("tar", e))?;
    stream.finish().map_err(|e| sealing_error("age", e))
}
