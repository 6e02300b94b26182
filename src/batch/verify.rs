//! Opening and checking a batch: decrypt, untar (regular files and directories only, no absolute
//! paths, no `..`), then the bag's completeness and digests, the station's signature over the tag
//! manifest, every record's signature, every biometric's hash and the audit segment's chain.
//!
//! Biometric files are streamed: only their digests are kept, and their bytes are handed to a
//! sink (central stores them inside its import transaction). Everything else is small and kept.

use super::bag::{self, BagInfo};
use super::certificate::{self, StationCertificate};
use super::{BagInfoProblem, Error, Limit, Result};
use crate::audit::{Row, verify_chain};
use crate::crypto::{PublicKey, Signature};
use crate::domain::enrollment::{Record, RecordError, verify_record};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

mod walk;
pub(crate) use walk::Limits;
use walk::{damaged, walk};

/// The largest non-biometric file accepted (records, audit, tag files).
const MAX_SMALL_FILE: u64 = 64 << 20;
/// The largest biometric file accepted. Each is held in memory once, on its way to the sink, so
/// this bounds the verifier's memory whatever the batch size; real ones are well under 10 MiB.
const MAX_BIOMETRIC_FILE: u64 = 64 << 20;

/// One verified record.
#[derive(Debug, Clone)]
pub struct VerifiedRecord {
    pub registration_id: String,
    pub json: Vec<u8>,
    pub signature: Signature,
    pub record: Record,
}

/// A batch that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedBatch {
    pub info: BagInfo,
    pub records: Vec<VerifiedRecord>,
    pub audit: Vec<Row>,
    pub certificate: StationCertificate,
    /// The key that signed the batch.
    pub station_key: PublicKey,
    /// True when no key was given and the batch's own certificate was trusted.
    pub self_certified: bool,
    pub biometric_files: u64,
}

fn decrypt<R: Read>(
    input: R,
    identities: &[age::x25519::Identity],
) -> Result<age::stream::StreamReader<R>> {
    let dec = age::Decryptor::new(input).map_err(Error::NotAge)?;
    dec.decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::WrongRecipient,
            other => Error::Decrypt(other),
        })
}

/// Decrypts and untars a batch into path → bytes (directories as `path/` with no bytes). For
/// tools and test vectors; [`verify_batch`] is the check.
pub fn read_raw<R: Read>(
    input: R,
    identities: &[age::x25519::Identity],
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    walk(decrypt(input, identities)?, Limits::BATCH, |path, r, _| {
        let mut b = Vec::new();
        r.read_to_end(&mut b).map_err(damaged)?;
        files.insert(path, b);
        Ok(())
    })?;
    Ok(files)
}

/// Decrypts and checks a batch. `station_key` is the registered key; without it the key in the
/// batch's own certificate is used (and [`VerifiedBatch::self_certified`] is set). `biometric`
/// receives each biometric file's name-hash and bytes as they stream past.
pub fn verify_batch<R: Read>(
    input: R,
    identities: &[age::x25519::Identity],
    station_key: Option<&PublicKey>,
    biometric: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
) -> Result<VerifiedBatch> {
    verify_within(input, identities, station_key, biometric, Limits::BATCH)
}

/// [`verify_batch`] under `limits`.
pub(crate) fn verify_within<R: Read>(
    input: R,
    identities: &[age::x25519::Identity],
    station_key: Option<&PublicKey>,
    biometric: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
    limits: Limits,
) -> Result<VerifiedBatch> {
    verify_plain(decrypt(input, identities)?, station_key, biometric, limits)
}

/// [`verify_within`] after decryption: checks the plain tar read from `plain`.
pub(crate) fn verify_plain<R: Read>(
    plain: R,
    station_key: Option<&PublicKey>,
    biometric: &mut dyn FnMut(&str, &[u8]) -> Result<()>,
    limits: Limits,
) -> Result<VerifiedBatch> {
    let mut held = 0u64;
    let mut small: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut digests: BTreeMap<String, String> = BTreeMap::new();
    let mut sizes: BTreeMap<String, u64> = BTreeMap::new();
    walk(plain, limits, |path, r, size| {
        if digests.contains_key(&path) {
            return Err(Error::DuplicateEntry(path));
        }
        let mut bytes = Vec::new();
        if let Some(name) = path.strip_prefix("data/biometrics/") {
            if size > MAX_BIOMETRIC_FILE {
                return Err(Error::TooLarge {
                    path: path.clone(),
                    size,
                });
            }
            r.read_to_end(&mut bytes).map_err(damaged)?;
            biometric(name.split('.').next().unwrap_or(""), &bytes)?;
        } else {
            if size > MAX_SMALL_FILE {
                return Err(Error::TooLarge { path, size });
            }
            held += size;
            if held > limits.held_bytes {
                return Err(Error::OverLimit {
                    what: Limit::HeldBytes,
                    limit: limits.held_bytes,
                });
            }
            r.read_to_end(&mut bytes).map_err(damaged)?;
        }
        digests.insert(path.clone(), hex::encode(Sha256::digest(&bytes)));
        sizes.insert(path.clone(), bytes.len() as u64);
        if !path.starts_with("data/biometrics/") {
            small.insert(path, bytes);
        }
        Ok(())
    })?;

    // Completeness: the tag files, then exactly the manifest's payload.
    for name in bag::TAG_FILES {
        if !small.contains_key(name) {
            return Err(Error::MissingFile(name.into()));
        }
    }
    let manifest = bag::parse_manifest(bag::MANIFEST, &small[bag::MANIFEST])?;
    let tagmanifest = bag::parse_manifest(bag::TAGMANIFEST, &small[bag::TAGMANIFEST])?;
    for path in manifest.keys() {
        if !path.starts_with("data/") {
            return Err(Error::OutsideData(path.clone()));
        }
        if !digests.contains_key(path) {
            return Err(Error::MissingFile(path.clone()));
        }
    }
    let expected_tags: BTreeSet<&str> = [bag::BAGIT_TXT, bag::BAG_INFO, bag::MANIFEST].into();
    for path in tagmanifest.keys() {
        if !expected_tags.contains(path.as_str()) {
            return Err(Error::UnexpectedTagFile(path.clone()));
        }
    }
    for t in &expected_tags {
        if !tagmanifest.contains_key(*t) {
            return Err(Error::UnlistedTagFile((*t).to_owned()));
        }
    }
    for path in digests.keys() {
        if !manifest.contains_key(path) && !bag::TAG_FILES.contains(&path.as_str()) {
            return Err(Error::ExtraFile(path.clone()));
        }
    }
    // Validity: every digest.
    for (path, want) in manifest.iter().chain(tagmanifest.iter()) {
        if &digests[path] != want {
            return Err(Error::Digest(path.clone()));
        }
    }
    if small[bag::BAGIT_TXT] != bag::BAGIT_TXT_BYTES {
        return Err(Error::BagDeclaration);
    }
    let info = BagInfo::parse(&small[bag::BAG_INFO])?;
    crate::domain::StationId::parse(&info.station_id)
        .map_err(|_| Error::BagInfo(BagInfoProblem::StationId(info.station_id.clone())))?;
    let payload_octets: u64 = manifest.keys().map(|p| sizes[p]).sum();
    if (info.payload_octets, info.payload_files) != (payload_octets, manifest.len() as u64) {
        return Err(Error::PayloadOxum {
            said_octets: info.payload_octets,
            said_files: info.payload_files,
            octets: payload_octets,
            files: manifest.len() as u64,
        });
    }

    // The station: its certificate, and the signature over the tag manifest.
    let cert_path = format!("data/{}", certificate::file_name(&info.station_id));
    let cert_bytes = small
        .get(&cert_path)
        .ok_or_else(|| Error::MissingFile(cert_path.clone()))?;
    let (cert, cert_key) = StationCertificate::verify(cert_bytes)?;
    if cert.station_id != info.station_id {
        return Err(Error::CertificateStation {
            certificate: cert.station_id,
            bag: info.station_id,
        });
    }
    let key = *station_key.unwrap_or(&cert_key);
    bag::verify_signature(&key, &small[bag::TAGMANIFEST], &small[bag::TAGMANIFEST_SIG])?;
    if cert_key != key {
        return Err(Error::CertificateKeyMismatch {
            found: cert_key.fingerprint(),
            registered: key.fingerprint(),
        });
    }

    // Records and the biometrics they name.
    let mut records = Vec::new();
    let mut referenced = BTreeSet::new();
    for (path, json) in small.range("data/records/".to_owned()..) {
        let Some(id) = path.strip_prefix("data/records/") else {
            break;
        };
        let Some(id) = id.strip_suffix(".json") else {
            if id.ends_with(".json.sig") {
                continue;
            }
            return Err(Error::ExtraFile(path.clone()));
        };
        let sig_path = format!("{path}.sig");
        let fail = |source: RecordError| Error::RecordSignature {
            id: id.to_owned(),
            source,
        };
        let sig_file = small
            .get(&sig_path)
            .ok_or_else(|| Error::MissingFile(sig_path.clone()))?;
        let sig = Signature::from_file(sig_file).map_err(|e| fail(e.into()))?;
        let record = verify_record(&key, json, &sig).map_err(fail)?;
        if record.registration_id.as_str() != id {
            return Err(Error::RecordNamesOther {
                id: id.to_owned(),
                named: record.registration_id.to_string(),
            });
        }
        if record.station_id.as_str() != info.station_id {
            return Err(Error::RecordFromOtherStation {
                id: id.to_owned(),
                station: record.station_id.to_string(),
            });
        }
        // The id's station prefix and sequence are the record's own: a station cannot file a
        // record under another station's id (and block that id at central forever).
        if record.registration_id.station() != &record.station_id
            || record.registration_id.sequence() != record.sequence
        {
            return Err(Error::RecordIdMismatch {
                id: id.to_owned(),
                station: record.station_id.to_string(),
                sequence: record.sequence,
            });
        }
        if record.training {
            return Err(Error::TrainingRecord(id.to_owned()));
        }
        for b in &record.biometrics {
            let file = format!("data/biometrics/{}.{}", b.sha256, b.format.extension());
            let digest = digests
                .get(&file)
                .ok_or_else(|| Error::MissingFile(file.clone()))?;
            if *digest != b.sha256 || sizes[&file] != b.bytes {
                return Err(Error::BiometricHash(b.sha256.clone()));
            }
            referenced.insert(file);
        }
        records.push(VerifiedRecord {
            registration_id: id.to_owned(),
            json: json.clone(),
            signature: sig,
            record,
        });
    }
    for path in small
        .keys()
        .filter(|p| p.ends_with(".json.sig") && p.starts_with("data/records/"))
    {
        if !small.contains_key(path.trim_end_matches(".sig")) {
            return Err(Error::ExtraFile(path.clone()));
        }
    }
    let biometric_files = digests
        .keys()
        .filter(|p| p.starts_with("data/biometrics/"))
        .count() as u64;
    if let Some(extra) = digests
        .keys()
        .find(|p| p.starts_with("data/biometrics/") && !referenced.contains(*p))
    {
        return Err(Error::UnreferencedBiometric(extra.clone()));
    }
    if records.len() as u64 != info.record_count {
        return Err(Error::RecordCount {
            said: info.record_count,
            found: records.len() as u64,
        });
    }
    for path in small.keys() {
        let known = bag::TAG_FILES.contains(&path.as_str())
            || path.starts_with("data/records/")
            || *path == cert_path
            || path == "data/audit.jsonl";
        if !known {
            return Err(Error::ExtraFile(path.clone()));
        }
    }

    // The audit segment.
    let jsonl = small
        .get("data/audit.jsonl")
        .ok_or_else(|| Error::MissingFile("data/audit.jsonl".into()))?;
    let audit = parse_audit(jsonl)?;
    // Every batch carries audit rows (its approvals and the last export at least); batch 1's
    // start the station's chain: row 1 after the zero hash.
    match audit.first() {
        Some(first) if info.sequence == 1 && (first.seq != 1 || first.prev != [0u8; 32]) => {
            return Err(Error::AuditNotFromStart { first: first.seq });
        }
        Some(first) => {
            let before = first
                .seq
                .checked_sub(1)
                .ok_or(Error::AuditNotFromStart { first: 0 })?;
            let (last, hash) = verify_chain((before, first.prev), audit.clone())?;
            if (last, hex::encode(hash)) != (info.audit_head_seq, info.audit_head_hash.clone()) {
                return Err(Error::AuditHead {
                    last,
                    head: info.audit_head_seq,
                });
            }
        }
        None => return Err(Error::NoAuditRows),
    }

    Ok(VerifiedBatch {
        info,
        records,
        audit,
        certificate: cert,
        station_key: key,
        self_certified: station_key.is_none(),
        biometric_files,
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditLine {
    event: serde_json::Value,
    hash: String,
    prev: String,
    seq: u64,
}

fn hash32(s: &str, seq: u64) -> Result<[u8; 32]> {
    // Lowercase only, as kattoo writes it: upper case would be a second spelling of the row.
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(Error::AuditHash(seq));
    }
    let v = hex::decode(s).map_err(|_| Error::AuditHash(seq))?;
    v.try_into().map_err(|_| Error::AuditHash(seq))
}

/// Parses `data/audit.jsonl` into chain rows (the event as its canonical bytes).
pub fn parse_audit(jsonl: &[u8]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (i, line) in jsonl.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let l: AuditLine = serde_json::from_slice(line).map_err(|source| Error::AuditLine {
            line: i + 1,
            source,
        })?;
        if l.seq == 0 {
            return Err(Error::AuditRowZero(i + 1));
        }
        // The line is the JCS of what it says, as a record is: a repeated key (which a parser
        // reads as its last value) or a number written another way changes the bytes.
        let again = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .and_then(|v| crate::crypto::canonical_json(&v).ok());
        if again.as_deref() != Some(line) {
            return Err(Error::AuditNotCanonical(i + 1));
        }
        let event = crate::crypto::canonical_json(&l.event).map_err(Error::Canonical)?;
        rows.push(Row {
            seq: l.seq,
            event,
            prev: hash32(&l.prev, l.seq)?,
            hash: hash32(&l.hash, l.seq)?,
        });
    }
    Ok(rows)
}

/// The `data/audit.jsonl` bytes for `rows`.
pub fn audit_jsonl(rows: &[Row]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in rows {
        let event: serde_json::Value = serde_json::from_slice(&r.event)
            .map_err(|source| Error::AuditEvent { seq: r.seq, source })?;
        let line = serde_json::json!({
            "event": event,
            "hash": hex::encode(r.hash),
            "prev": hex::encode(r.prev),
            "seq": r.seq,
        });
        out.extend(crate::crypto::canonical_json(&line).map_err(Error::Canonical)?);
        out.push(b'\n');
    }
    Ok(out)
}
