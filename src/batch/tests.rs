//! Refusals that need no station to build, each with its variant, message id and detail; and
//! one example of every batch error, for the translation test.

use super::bag::{self, BAG_INFO, BAGIT_TXT, MANIFEST, TAGMANIFEST, TAGMANIFEST_SIG};
use super::verify::parse_audit;
use super::write::write_raw;
use super::{
    BagInfoProblem, Error, Limit, ManifestProblem, parse_identities, parse_recipients, verify_batch,
};
use crate::audit::ChainError;
use crate::crypto::SignatureError;
use crate::domain::enrollment::RecordError;
use std::collections::BTreeMap;

/// Verifies the bag `files` (path → bytes) after sealing it to a new identity.
fn verify(files: &BTreeMap<String, Vec<u8>>) -> Error {
    let id = age::x25519::Identity::generate();
    let sealed = write_raw(files, &[id.to_public()], 0).unwrap();
    verify_batch(&sealed[..], &[id], None, &mut |_, _| Ok(())).unwrap_err()
}

/// A bag whose tag manifest is right for its `bagit.txt`, an empty payload and `bag-info.txt`.
fn bag_with(bagit_txt: &[u8], bag_info: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let manifest = bag::manifest_bytes(&BTreeMap::new());
    let tags: BTreeMap<String, String> = [
        (BAGIT_TXT, bagit_txt),
        (BAG_INFO, bag_info),
        (MANIFEST, &manifest[..]),
    ]
    .into_iter()
    .map(|(n, b)| (n.to_owned(), bag::sha256_hex(b)))
    .collect();
    [
        (BAGIT_TXT, bagit_txt.to_vec()),
        (BAG_INFO, bag_info.to_vec()),
        (MANIFEST, manifest),
        (TAGMANIFEST, bag::manifest_bytes(&tags)),
        (TAGMANIFEST_SIG, b"x\n".to_vec()),
    ]
    .into_iter()
    .map(|(n, b)| (n.to_owned(), b))
    .collect()
}

#[test]
fn a_bag_without_tag_files_names_the_first_missing() {
    let err = verify(&[("data/".to_owned(), Vec::new())].into());
    assert!(
        matches!(&err, Error::MissingFile(f) if f == BAGIT_TXT),
        "{err}"
    );
    assert_eq!(
        (err.message_id(), err.detail()),
        ("batch-error-missing-file", BAGIT_TXT.into())
    );
}

#[test]
fn bag_declaration_and_bag_info_are_checked() {
    let err = verify(&bag_with(b"BagIt-Version: 0.97\n", b""));
    assert!(matches!(err, Error::BagDeclaration), "{err}");
    assert_eq!(err.message_id(), "batch-error-bag-declaration");

    let err = verify(&bag_with(bag::BAGIT_TXT_BYTES, b"Station-Id KG1101\n"));
    assert_eq!(
        err.to_string(),
        "bag is malformed: bag-info.txt: line 'Station-Id KG1101' is not 'Label: value'"
    );
    assert_eq!(err.message_id(), "batch-error-bag-info");
}

#[test]
fn a_file_listed_outside_data_is_refused() {
    let mut files = bag_with(bag::BAGIT_TXT_BYTES, b"");
    let manifest = format!("{}  other/x\n", "00".repeat(32));
    files.insert(MANIFEST.into(), manifest.into_bytes());
    let err = verify(&files);
    assert!(
        matches!(&err, Error::OutsideData(p) if p == "other/x"),
        "{err}"
    );
    assert_eq!(
        (err.message_id(), err.detail()),
        ("batch-error-manifest", "other/x".into())
    );
}

#[test]
fn a_file_that_is_not_age_is_damaged() {
    let id = age::x25519::Identity::generate();
    let err = verify_batch(&b"not age"[..], &[id], None, &mut |_, _| Ok(())).unwrap_err();
    assert!(matches!(err, Error::NotAge(_)), "{err}");
    assert_eq!(err.message_id(), "batch-error-damaged");
    assert!(
        err.detail()
            .starts_with("batch file is damaged or truncated: not an age v1 file: ")
    );
}

#[test]
fn audit_lines_are_refused_by_what_is_wrong() {
    let err = parse_audit(b"{}\nnot json\n").unwrap_err();
    assert!(matches!(err, Error::AuditLine { line: 1, .. }), "{err}");
    let row = |seq: u64, hash: &str| {
        format!(
            r#"{{"event":{{}},"hash":"{hash}","prev":"{}","seq":{seq}}}"#,
            "00".repeat(32)
        )
    };
    let err = parse_audit(row(0, &"00".repeat(32)).as_bytes()).unwrap_err();
    assert!(matches!(err, Error::AuditRowZero(1)), "{err}");
    let err = parse_audit(row(7, "abc").as_bytes()).unwrap_err();
    assert!(matches!(err, Error::AuditHash(7)), "{err}");
    // A line must be its own JCS: a repeated key (read as its last value), a float written
    // another way, or keys out of order would let two byte strings carry one chain row.
    let h = "00".repeat(32);
    for line in [
        format!(r#"{{"event":{{"a":1,"a":2}},"hash":"{h}","prev":"{h}","seq":1}}"#),
        format!(r#"{{"event":{{"n":1.0}},"hash":"{h}","prev":"{h}","seq":1}}"#),
        format!(r#"{{"event":{{"n":1e2}},"hash":"{h}","prev":"{h}","seq":1}}"#),
        format!(r#"{{"hash":"{h}","event":{{}},"prev":"{h}","seq":1}}"#),
        format!(r#"{{"event":{{}}, "hash":"{h}","prev":"{h}","seq":1}}"#),
    ] {
        let err = parse_audit(format!("{}\n{line}\n", row(1, &h)).as_bytes()).unwrap_err();
        assert!(matches!(err, Error::AuditNotCanonical(2)), "{line}: {err}");
    }
    // A key repeated at the top level is no row at all.
    let line = format!(r#"{{"event":{{}},"hash":"{h}","prev":"{h}","seq":1,"seq":2}}"#);
    assert!(matches!(
        parse_audit(line.as_bytes()),
        Err(Error::AuditLine { line: 1, .. })
    ));
    parse_audit(format!("{}\n", row(1, &h)).as_bytes()).unwrap();
    assert_eq!(
        (err.message_id(), err.detail()),
        ("batch-error-audit-chain", "7".into())
    );
}

/// Found by fuzz/fuzz_targets/batch_files.rs: `hex::decode` reads upper case too, so a line whose
/// `prev` or `hash` had an upper-case digit was accepted, although it is not the line kattoo
/// writes: two byte strings carried one chain row.
#[test]
fn an_audit_hash_has_one_spelling() {
    let line = br#"{"event":{"action":"approval","at":"2026-11-27T06:00:00Z","detail":{},"operator":"admin","subject":"KG1101-000002-20261127-5"},"hash":"db56450bf866540f90a49e846d12bc8d98943211b87a164d32c9bef58659a65d","prev":"7480f9afb07ee7ee38df55b1Ac7aa30eaba9e0553e4973c00a24f96adfce6f79","seq":7}"#;
    let err = parse_audit(line).unwrap_err();
    assert!(matches!(err, Error::AuditHash(7)), "{err}");
    let upper_hash = String::from_utf8(line.to_vec())
        .unwrap()
        .replace("b1Ac7", "b1ac7")
        .replace("db56450bf", "DB56450BF");
    let err = parse_audit(upper_hash.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::AuditHash(7)), "{err}");
    let lower = upper_hash.replace("DB56450BF", "db56450bf");
    let rows = parse_audit(lower.as_bytes()).unwrap();
    assert_eq!(
        super::verify::audit_jsonl(&rows).unwrap(),
        format!("{lower}\n").into_bytes()
    );
}

#[test]
fn keys_are_refused_without_quoting_a_secret() {
    let err = parse_identities("# comment\nAGE-SECRET-KEY-1NOTAKEY\n")
        .err()
        .unwrap();
    assert!(matches!(err, Error::IdentityLine), "{err}");
    assert!(!err.to_string().contains("NOTAKEY") && err.detail().is_empty());
    assert!(matches!(
        parse_identities("# only a comment\n"),
        Err(Error::NoIdentity)
    ));
    let err = parse_recipients(&["age1nope".into()]).err().unwrap();
    assert!(
        matches!(&err, Error::Recipient { recipient, .. } if recipient == "age1nope"),
        "{err}"
    );
    assert_eq!(
        (err.message_id(), err.detail()),
        ("batch-error-recipient", "age1nope".into())
    );
}

impl Error {
    /// One example of every variant, for tests that every message is translated. The match has
    /// no wildcard, so a new variant fails to compile here until it is listed.
    pub(crate) fn examples() -> Vec<Error> {
        let io = || std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
        let json = || serde_json::from_str::<u8>("x").unwrap_err();
        let s = || "KG1101".to_owned();
        let all = vec![
            Error::Io {
                what: "read",
                path: "x".into(),
                source: io(),
            },
            Error::WrongRecipient,
            Error::NotAge(age::DecryptError::InvalidHeader),
            Error::Decrypt(age::DecryptError::DecryptionFailed),
            Error::Truncated(io()),
            Error::NonUtf8Path,
            Error::UnsafePath(s()),
            Error::UnsafeEntryType {
                path: s(),
                kind: s(),
            },
            Error::MissingFile(s()),
            Error::ExtraFile(s()),
            Error::DuplicateEntry(s()),
            Error::UnreferencedBiometric(s()),
            Error::Digest(s()),
            Error::TooLarge { path: s(), size: 0 },
            Error::OverLimit {
                what: Limit::Entries,
                limit: 1,
            },
            Error::BagDeclaration,
            Error::BagInfo(BagInfoProblem::NotUtf8),
            Error::Manifest {
                file: s(),
                problem: ManifestProblem::NotUtf8,
            },
            Error::OutsideData(s()),
            Error::UnexpectedTagFile(s()),
            Error::UnlistedTagFile(s()),
            Error::PayloadOxum {
                said_octets: 0,
                said_files: 0,
                octets: 0,
                files: 0,
            },
            Error::RecordCount { said: 0, found: 0 },
            Error::BatchSignature {
                fingerprint: s(),
                source: SignatureError::Mismatch,
            },
            Error::RecordSignature {
                id: s(),
                source: RecordError::NotCanonical,
            },
            Error::RecordNamesOther {
                id: s(),
                named: s(),
            },
            Error::RecordFromOtherStation {
                id: s(),
                station: s(),
            },
            Error::RecordIdMismatch {
                id: s(),
                station: s(),
                sequence: 1,
            },
            Error::TrainingRecord(s()),
            Error::RecordJson {
                id: s(),
                source: json(),
            },
            Error::StoredRecord {
                id: s(),
                source: io().into(),
            },
            Error::RecordVanished(s()),
            Error::StoredBiometric {
                sha256: s(),
                source: io().into(),
            },
            Error::MissingBiometric(s()),
            Error::BiometricHash(s()),
            Error::AuditChain(ChainError::Edited { seq: 1 }),
            Error::AuditHead { last: 0, head: 0 },
            Error::NoAuditRows,
            Error::AuditNotFromStart { first: 7 },
            Error::AuditLine {
                line: 1,
                source: json(),
            },
            Error::AuditRowZero(1),
            Error::AuditNotCanonical(1),
            Error::AuditHash(1),
            Error::AuditEvent {
                seq: 1,
                source: json(),
            },
            Error::CertificateJson(json()),
            Error::CertificateSchema(s()),
            Error::CertificateStationId(s()),
            Error::CertificateKey(SignatureError::BadPublicKey(s())),
            Error::CertificateUnsigned,
            Error::CertificateNotCanonical,
            Error::CertificateSignature {
                station_id: s(),
                source: SignatureError::Mismatch,
            },
            Error::CertificateStation {
                certificate: s(),
                bag: s(),
            },
            Error::CertificateKeyMismatch {
                found: s(),
                registered: s(),
            },
            Error::Canonical(crate::crypto::Error::Canonical(json())),
            Error::ReadBack("x".into()),
            Error::Encrypt(age::EncryptError::MissingRecipients),
            Error::Seal {
                what: s(),
                source: io(),
            },
            Error::SealerPanicked,
            Error::SealerStopped,
            Error::Recipient {
                recipient: s(),
                reason: "",
            },
            Error::IdentityLine,
            Error::NoIdentity,
        ];
        for e in &all {
            match e {
                Error::Io { .. }
                | Error::WrongRecipient
                | Error::NotAge(_)
                | Error::Decrypt(_)
                | Error::Truncated(_)
                | Error::NonUtf8Path
                | Error::UnsafePath(_)
                | Error::UnsafeEntryType { .. }
                | Error::MissingFile(_)
                | Error::ExtraFile(_)
                | Error::DuplicateEntry(_)
                | Error::UnreferencedBiometric(_)
                | Error::Digest(_)
                | Error::TooLarge { .. }
                | Error::OverLimit { .. }
                | Error::BagDeclaration
                | Error::BagInfo(_)
                | Error::Manifest { .. }
                | Error::OutsideData(_)
                | Error::UnexpectedTagFile(_)
                | Error::UnlistedTagFile(_)
                | Error::PayloadOxum { .. }
                | Error::RecordCount { .. }
                | Error::BatchSignature { .. }
                | Error::RecordSignature { .. }
                | Error::RecordNamesOther { .. }
                | Error::RecordFromOtherStation { .. }
                | Error::RecordIdMismatch { .. }
                | Error::TrainingRecord(_)
                | Error::RecordJson { .. }
                | Error::StoredRecord { .. }
                | Error::RecordVanished(_)
                | Error::StoredBiometric { .. }
                | Error::MissingBiometric(_)
                | Error::BiometricHash(_)
                | Error::AuditChain(_)
                | Error::AuditHead { .. }
                | Error::NoAuditRows
                | Error::AuditNotFromStart { .. }
                | Error::AuditLine { .. }
                | Error::AuditRowZero(_)
                | Error::AuditNotCanonical(_)
                | Error::AuditHash(_)
                | Error::AuditEvent { .. }
                | Error::CertificateJson(_)
                | Error::CertificateSchema(_)
                | Error::CertificateStationId(_)
                | Error::CertificateKey(_)
                | Error::CertificateUnsigned
                | Error::CertificateNotCanonical
                | Error::CertificateSignature { .. }
                | Error::CertificateStation { .. }
                | Error::CertificateKeyMismatch { .. }
                | Error::Canonical(_)
                | Error::ReadBack(_)
                | Error::Encrypt(_)
                | Error::Seal { .. }
                | Error::SealerPanicked
                | Error::SealerStopped
                | Error::Recipient { .. }
                | Error::IdentityLine
                | Error::NoIdentity => {}
            }
        }
        all
    }
}

/// A reader that gives at most 4,097 bytes a call, as a slow stick may.
struct Dribble<R>(R);

impl<R: std::io::Read> std::io::Read for Dribble<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(4097);
        self.0.read(&mut buf[..n])
    }
}

/// A medium whose files read back as `alter` makes them, in small pieces.
struct ReadsBack {
    inner: super::DirMedium,
    alter: fn(&mut Vec<u8>),
}

impl super::Medium for ReadsBack {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.inner.path(name)
    }
    fn create(&self, name: &str) -> std::io::Result<Box<dyn super::MediumFile + '_>> {
        self.inner.create(name)
    }
    fn rename(&self, from: &str, to: &str) -> std::io::Result<()> {
        self.inner.rename(from, to)
    }
    fn sync_dir(&self) -> std::io::Result<()> {
        self.inner.sync_dir()
    }
    fn open(&self, name: &str) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        let mut bytes = std::fs::read(self.inner.path(name))?;
        (self.alter)(&mut bytes);
        Ok(Box::new(Dribble(std::io::Cursor::new(bytes))))
    }
    fn remove(&self, name: &str) -> std::io::Result<()> {
        self.inner.remove(name)
    }
}

#[test]
fn a_read_back_matches_the_kept_copy_byte_for_byte_or_fails() {
    use super::medium::{Expected, read_back};
    let dir = tempfile::tempdir().unwrap();
    // Many reads' worth, so that a difference in a later piece is seen too.
    let bytes: Vec<u8> = (0..(5u32 << 19)).map(|i| (i * 7 + i / 251) as u8).collect();
    let kept = dir.path().join("kept.age");
    std::fs::write(&kept, &bytes).unwrap();
    std::fs::write(dir.path().join("b.age"), &bytes).unwrap();
    let total = bytes.len() as u64;
    let sha = bag::sha256_hex(&bytes);
    let check = |alter: fn(&mut Vec<u8>), expected: Expected<'_>| {
        let medium = ReadsBack {
            inner: super::DirMedium(dir.path().to_owned()),
            alter,
        };
        read_back(&medium, "b.age", expected, total, &mut |_| {})
    };
    let alterations: [(&str, fn(&mut Vec<u8>)); 5] = [
        ("a bit in the first piece", |b| b[10] ^= 1),
        ("a bit in the last piece", |b| {
            let last = b.len() - 1;
            b[last] ^= 0x80;
        }),
        ("the last byte missing", |b| {
            b.pop();
        }),
        ("a byte too many", |b| b.push(0)),
        ("nothing at all", Vec::clear),
    ];
    for expected in [Expected::SameAs(&kept), Expected::Sha256(&sha)] {
        check(|_| {}, expected).unwrap();
        for (what, alter) in alterations {
            assert!(
                matches!(check(alter, expected), Err(Error::ReadBack(_))),
                "{what}, {expected:?}"
            );
        }
    }
    // The kept copy itself shorter or longer than the stick's file is a mismatch too.
    std::fs::write(&kept, &bytes[..bytes.len() - 1]).unwrap();
    assert!(matches!(
        check(|_| {}, Expected::SameAs(&kept)),
        Err(Error::ReadBack(_))
    ));
    std::fs::write(&kept, [&bytes[..], b"x"].concat()).unwrap();
    assert!(matches!(
        check(|_| {}, Expected::SameAs(&kept)),
        Err(Error::ReadBack(_))
    ));
}
