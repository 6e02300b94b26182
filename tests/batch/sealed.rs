//! Central's sealed columns (`docs/formats/central-columns-v1.md`) read and written by an
//! independent implementation: libsodium's XChaCha20-Poly1305 (Python `nacl`), Python
//! `cryptography`'s HKDF and the standard library's HMAC, from the format page alone.

use super::have;
use crate::util::succeeded;
use kattoo::batch;
use kattoo::central::{CentralKey, ColumnKey, Place};

/// Given the identity file and, for each sealed value, its column, its row and the value (hex):
/// prints each value opened (hex), the PIN's hash, and a record sealed again by libsodium for the
/// first value's place.
const SCRIPT: &str = r#"
import sys, hmac, hashlib, os
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt as opened, crypto_aead_xchacha20poly1305_ietf_encrypt as sealed
secret = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith("AGE-SECRET-KEY-1")][0]
def derive(info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())
seal_key, pin_key = derive(b"kattoo/central-columns/seal/v1"), derive(b"kattoo/central-columns/pin/v1")
def aad(column, row):
    return b"kattoo/central-column/v1\n" + column.encode() + b"\n" + row.encode()
values = sys.argv[2:]
for column, row, value in zip(values[0::3], values[1::3], values[2::3]):
    value = bytes.fromhex(value)
    assert value[0] == 1
    print(opened(value[25:], aad(column, row), value[1:25], seal_key).hex())
print(hmac.new(pin_key, b"11403199000001", hashlib.sha256).hexdigest())
nonce = os.urandom(24)
print((b"\x01" + nonce + sealed(b"sealed by libsodium", aad(values[0], values[1]), nonce, seal_key)).hex())
"#;

#[test]
fn interop_sealed_columns_open_and_seal_with_libsodium() {
    if !have("python3", &["-c", "import nacl, cryptography"]) {
        eprintln!("skipped: pip install pynacl cryptography");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (identity, _) = batch::new_identity_file("2026-12-07T06:00:00Z");
    std::fs::write(dir.path().join("central-key.txt"), &identity).unwrap();
    let columns = ColumnKey::new(&CentralKey::new(
        batch::parse_identities(&identity).unwrap(),
    ));
    let id = "KG1101-20261201-00001";
    let record = r#"{"citizen":{"pin":"11403199000001","surname":"Өмүрбекова"}}"#;
    let template = b"FMR\0 20\0 a template";
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let photo = b"\x89PNG\r\n\x1a\n a face";
    let said = succeeded(
        std::process::Command::new("python3")
            .env("PYTHONIOENCODING", "utf-8")
            .args(["-c", SCRIPT])
            .arg(dir.path().join("central-key.txt"))
            .args(["records.record_json", id])
            .arg(hex::encode(
                columns.seal(Place::Record(id), record.as_bytes()),
            ))
            .args(["templates.iso", &format!("{id}/7")])
            .arg(hex::encode(columns.seal(Place::Template(id, 7), template)))
            .args(["biometrics.data", sha])
            .arg(hex::encode(columns.seal(Place::Biometric(sha), photo))),
    );
    let said = String::from_utf8(said).unwrap();
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines[0], hex::encode(record));
    assert_eq!(lines[1], hex::encode(template));
    assert_eq!(lines[2], hex::encode(photo));
    assert_eq!(lines[3], hex::encode(columns.pin_mac("11403199000001")));
    let from_libsodium = hex::decode(lines[4]).unwrap();
    assert_eq!(
        columns
            .open(Place::Record(id), from_libsodium.clone())
            .unwrap(),
        b"sealed by libsodium"
    );
    // Bound to its row: the same bytes do not open as another record's.
    assert!(
        columns
            .open(Place::Record("KG1101-20261201-00002"), from_libsodium)
            .is_err()
    );
}
