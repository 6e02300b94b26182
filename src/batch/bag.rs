//! The BagIt 1.0 tag files of a batch: `bagit.txt`, `bag-info.txt`, the two SHA-256 manifests and
//! the station's signature over the tag manifest, built and parsed byte for byte.

use super::{BagInfoProblem, Error, ManifestProblem, Result};
use crate::crypto::{DOMAIN_BATCH, PublicKey, Signature, StationKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const BAGIT_TXT: &str = "bagit.txt";
pub const BAG_INFO: &str = "bag-info.txt";
pub const MANIFEST: &str = "manifest-sha256.txt";
pub const TAGMANIFEST: &str = "tagmanifest-sha256.txt";
pub const TAGMANIFEST_SIG: &str = "tagmanifest-sha256.txt.sig";
/// Every tag file, in the order they are written at the end of the tar.
pub const TAG_FILES: [&str; 5] = [BAGIT_TXT, BAG_INFO, MANIFEST, TAGMANIFEST, TAGMANIFEST_SIG];

/// The exact `bagit.txt`.
pub const BAGIT_TXT_BYTES: &[u8] = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// The facts `bag-info.txt` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    pub station_id: String,
    pub sequence: u64,
    /// Lowercase hex; [`super::NO_PREVIOUS`] for batch 1.
    pub previous_sha256: String,
    pub record_count: u64,
    pub audit_head_seq: u64,
    /// Lowercase hex.
    pub audit_head_hash: String,
    /// Total bytes and number of files under `data/`.
    pub payload_octets: u64,
    pub payload_files: u64,
    /// `YYYY-MM-DD`.
    pub bagging_date: String,
}

impl BagInfo {
    /// The `bag-info.txt` bytes, fields in FORMATS.md order.
    pub fn to_bytes(&self) -> Vec<u8> {
        format!(
            "Station-Id: {}\nBatch-Sequence: {}\nPrevious-Batch-SHA256: {}\nRecord-Count: {}\nAudit-Head: {} {}\nPayload-Oxum: {}.{}\nBagging-Date: {}\n",
            self.station_id,
            self.sequence,
            self.previous_sha256,
            self.record_count,
            self.audit_head_seq,
            self.audit_head_hash,
            self.payload_octets,
            self.payload_files,
            self.bagging_date
        )
        .into_bytes()
    }

    /// Parses `bag-info.txt`, refusing a missing, repeated or malformed field.
    pub fn parse(bytes: &[u8]) -> Result<BagInfo> {
        use BagInfoProblem as P;
        let text = std::str::from_utf8(bytes).map_err(|_| Error::BagInfo(P::NotUtf8))?;
        let mut fields = BTreeMap::new();
        for line in text.lines() {
            let (k, v) = line
                .split_once(": ")
                .ok_or_else(|| Error::BagInfo(P::Line(line.to_owned())))?;
            if fields.insert(k, v).is_some() {
                return Err(Error::BagInfo(P::Repeated(k.to_owned())));
            }
        }
        let get = |k: &'static str| fields.get(k).copied().ok_or(Error::BagInfo(P::Missing(k)));
        let n = |label: &'static str, v: &str| -> Result<u64> {
            v.parse().map_err(|_| {
                Error::BagInfo(P::NotANumber {
                    label,
                    value: v.to_owned(),
                })
            })
        };
        let num = |k: &'static str| -> Result<u64> { n(k, get(k)?) };
        let hex64 = |k: &'static str, v: &str| -> Result<String> {
            if v.len() == 64
                && v.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                Ok(v.to_owned())
            } else {
                Err(Error::BagInfo(P::NotHex(k)))
            }
        };
        let bad_shape = |label, shape| Error::BagInfo(P::Shape { label, shape });
        let (head_seq, head_hash) = get("Audit-Head")?
            .split_once(' ')
            .ok_or_else(|| bad_shape("Audit-Head", "<seq> <hash>"))?;
        let (octets, files) = get("Payload-Oxum")?
            .split_once('.')
            .ok_or_else(|| bad_shape("Payload-Oxum", "<octets>.<files>"))?;
        Ok(BagInfo {
            station_id: get("Station-Id")?.to_owned(),
            sequence: num("Batch-Sequence")?,
            previous_sha256: hex64("Previous-Batch-SHA256", get("Previous-Batch-SHA256")?)?,
            record_count: num("Record-Count")?,
            audit_head_seq: n("Audit-Head", head_seq)?,
            audit_head_hash: hex64("Audit-Head", head_hash)?,
            payload_octets: n("Payload-Oxum", octets)?,
            payload_files: n("Payload-Oxum", files)?,
            bagging_date: get("Bagging-Date")?.to_owned(),
        })
    }
}

/// A manifest's bytes: `<sha256>  <path>\n` for each entry, sorted by path.
pub fn manifest_bytes(digests: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = String::new();
    for (path, digest) in digests {
        out.push_str(digest);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out.into_bytes()
}

/// Parses a manifest into path → digest, refusing repeated paths and malformed lines.
pub fn parse_manifest(name: &str, bytes: &[u8]) -> Result<BTreeMap<String, String>> {
    let bad = |problem| Error::Manifest {
        file: name.to_owned(),
        problem,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad(ManifestProblem::NotUtf8))?;
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let (digest, path) = line
            .split_once(|c: char| c == ' ' || c == '\t')
            .ok_or_else(|| bad(ManifestProblem::Line(line.to_owned())))?;
        let path = path.trim_start_matches([' ', '\t']);
        // No control character (a CR, say, which a line ending would eat when the manifest is
        // written again): kattoo's paths are hex digests and registration ids.
        if path.chars().any(char::is_control) {
            return Err(bad(ManifestProblem::Line(line.to_owned())));
        }
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(ManifestProblem::Digest(path.to_owned())));
        }
        if out
            .insert(path.to_owned(), digest.to_ascii_lowercase())
            .is_some()
        {
            return Err(bad(ManifestProblem::Repeated(path.to_owned())));
        }
    }
    Ok(out)
}

pub use crate::domain::biometric::sha256_hex;

/// A reader that hashes what passes through it (SHA-256), for streaming a large file once.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: std::io::Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Reads to the end and returns the SHA-256 (lowercase hex) of everything read.
    pub fn finish(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self, &mut std::io::sink())?;
        Ok(hex::encode(self.hasher.finalize()))
    }
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Lowercase hex SHA-256 of a file's bytes, streamed.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<String> {
    HashingReader::new(std::fs::File::open(path)?).finish()
}

/// The four signed-over tag files and the signature file, from the payload digests.
pub fn tag_files(
    info: &BagInfo,
    payload: &BTreeMap<String, String>,
    key: &StationKey,
) -> Vec<(&'static str, Vec<u8>)> {
    let bag_info = info.to_bytes();
    let manifest = manifest_bytes(payload);
    let tags: BTreeMap<String, String> = [
        (BAGIT_TXT, BAGIT_TXT_BYTES),
        (BAG_INFO, &bag_info[..]),
        (MANIFEST, &manifest[..]),
    ]
    .into_iter()
    .map(|(n, b)| (n.to_owned(), sha256_hex(b)))
    .collect();
    let tagmanifest = manifest_bytes(&tags);
    let sig = key.sign(DOMAIN_BATCH, &tagmanifest).to_file().into_bytes();
    vec![
        (BAGIT_TXT, BAGIT_TXT_BYTES.to_vec()),
        (BAG_INFO, bag_info),
        (MANIFEST, manifest),
        (TAGMANIFEST, tagmanifest),
        (TAGMANIFEST_SIG, sig),
    ]
}

/// Checks the station's signature over `tagmanifest-sha256.txt`.
pub fn verify_signature(key: &PublicKey, tagmanifest: &[u8], sig_file: &[u8]) -> Result<()> {
    let refused = |source| Error::BatchSignature {
        fingerprint: key.fingerprint(),
        source,
    };
    let sig = Signature::from_file(sig_file).map_err(refused)?;
    key.verify(DOMAIN_BATCH, tagmanifest, &sig).map_err(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> BagInfo {
        BagInfo {
            station_id: "KG1101".into(),
            sequence: 3,
            previous_sha256: "ab".repeat(32),
            record_count: 2,
            audit_head_seq: 41,
            audit_head_hash: "cd".repeat(32),
            payload_octets: 1234,
            payload_files: 7,
            bagging_date: "2026-11-27".into(),
        }
    }

    /// Found by fuzz/fuzz_targets/batch_files.rs: a last line without its newline kept a trailing
    /// CR in the path, which `manifest_bytes` then wrote as a CR LF line ending, so the manifest
    /// read back named another file. A control character in a path is now a malformed line.
    #[test]
    fn a_manifest_path_has_no_control_character() {
        let digest = "2e50f6bf96dcb4cc84a9338a3923b542adc2457cf0cfe5ce414012ffc7fcfd7b";
        for text in [
            format!("{digest}  data/biometrics/{digest}.png\r"),
            format!("{digest}  data/a\rb\n"),
            format!("{digest}  data/a\tb\n"),
            format!("{digest}  data/a\x1b\n"),
        ] {
            let err = parse_manifest(MANIFEST, text.as_bytes()).unwrap_err();
            assert!(
                matches!(
                    &err,
                    Error::Manifest {
                        problem: ManifestProblem::Line(_),
                        ..
                    }
                ),
                "{text:?}: {err}"
            );
        }
        // CR LF line endings are still line endings.
        let m = parse_manifest(MANIFEST, format!("{digest}  data/a.png\r\n").as_bytes()).unwrap();
        assert_eq!(parse_manifest(MANIFEST, &manifest_bytes(&m)).unwrap(), m);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["data/a.png"]);
    }

    #[test]
    fn bag_info_is_fixed_and_round_trips() {
        let bytes = info().to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            format!(
                "Station-Id: KG1101\nBatch-Sequence: 3\nPrevious-Batch-SHA256: {}\nRecord-Count: 2\nAudit-Head: 41 {}\nPayload-Oxum: 1234.7\nBagging-Date: 2026-11-27\n",
                "ab".repeat(32),
                "cd".repeat(32)
            )
        );
        assert_eq!(BagInfo::parse(&bytes).unwrap(), info());
        let twice = [bytes.clone(), b"Record-Count: 3\n".to_vec()].concat();
        assert!(matches!(
            BagInfo::parse(&twice),
            Err(Error::BagInfo(BagInfoProblem::Repeated(k))) if k == "Record-Count"
        ));
        let text = String::from_utf8(bytes)
            .unwrap()
            .replace("Record-Count: 2\n", "");
        let err = BagInfo::parse(text.as_bytes()).unwrap_err();
        assert!(
            matches!(err, Error::BagInfo(BagInfoProblem::Missing("Record-Count"))),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "bag is malformed: bag-info.txt: Record-Count is missing"
        );
        assert_eq!(
            (err.message_id(), err.detail()),
            ("batch-error-bag-info", "Record-Count".into())
        );
        let text = String::from_utf8(info().to_bytes())
            .unwrap()
            .replace("Payload-Oxum: 1234.7", "Payload-Oxum: 1234");
        assert!(matches!(
            BagInfo::parse(text.as_bytes()),
            Err(Error::BagInfo(BagInfoProblem::Shape {
                label: "Payload-Oxum",
                ..
            }))
        ));
    }

    #[test]
    fn manifests_round_trip_and_signature_checks() {
        let mut d = BTreeMap::new();
        d.insert("data/b".to_owned(), "11".repeat(32));
        d.insert("data/a".to_owned(), "22".repeat(32));
        let m = manifest_bytes(&d);
        assert!(m.starts_with(format!("{}  data/a\n", "22".repeat(32)).as_bytes()));
        assert_eq!(parse_manifest("m", &m).unwrap(), d);
        let key = StationKey::from_seed(&[3; 32]).unwrap();
        let files = tag_files(&info(), &d, &key);
        assert_eq!(files.iter().map(|f| f.0).collect::<Vec<_>>(), TAG_FILES);
        verify_signature(&key.public_key(), &files[3].1, &files[4].1).unwrap();
        let other = StationKey::from_seed(&[4; 32]).unwrap().public_key();
        assert!(matches!(
            verify_signature(&other, &files[3].1, &files[4].1),
            Err(Error::BatchSignature {
                source: crate::crypto::SignatureError::Mismatch,
                ..
            })
        ));
        assert!(matches!(
            verify_signature(&key.public_key(), &files[3].1, b"not base64\n"),
            Err(Error::BatchSignature {
                source: crate::crypto::SignatureError::Malformed,
                ..
            })
        ));
        let listed_twice = [&m[..], &m[..]].concat();
        assert_eq!(
            parse_manifest("m", &listed_twice).unwrap_err().to_string(),
            "bag is malformed: m: data/a is listed twice"
        );
        assert!(matches!(
            parse_manifest("m", b"abc  data/a\n"),
            Err(Error::Manifest { problem: ManifestProblem::Digest(p), .. }) if p == "data/a"
        ));
    }
}
