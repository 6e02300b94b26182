//! The small files of a batch, each parsed as verify parses it (the first byte picks which):
//! bag-info.txt, the manifests, a record's .sig file and data/audit.jsonl. Never a panic; an
//! accepted file written back the way kattoo writes it parses to the same value.
#![no_main]
use kattoo::batch::bag::{BagInfo, manifest_bytes, parse_manifest};
use kattoo::batch::verify::{audit_jsonl, parse_audit};
use kattoo::crypto::Signature;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            if let Ok(info) = BagInfo::parse(bytes) {
                let again = BagInfo::parse(&info.to_bytes()).expect("written bag-info parses");
                assert_eq!(again, info);
            }
        }
        1 => {
            if let Ok(m) = parse_manifest("manifest-sha256.txt", bytes) {
                let again = parse_manifest("manifest-sha256.txt", &manifest_bytes(&m))
                    .expect("written manifest parses");
                assert_eq!(again, m);
            }
        }
        2 => {
            if let Ok(sig) = Signature::from_file(bytes) {
                assert_eq!(
                    sig.to_file().as_bytes(),
                    bytes,
                    "a signature file has one spelling"
                );
            }
        }
        _ => {
            if let Ok(rows) = parse_audit(bytes) {
                let written = audit_jsonl(&rows).expect("parsed rows write");
                // Lines are canonical, so only empty lines may be dropped.
                let non_empty: Vec<&[u8]> = bytes
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .collect();
                let again: Vec<&[u8]> = written
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .collect();
                assert_eq!(again, non_empty);
                assert_eq!(parse_audit(&written).expect("written audit parses"), rows);
            }
        }
    }
});
