//! Central's PII columns in PostgreSQL, readable only with central's key
//! (`docs/formats/central-columns-v1.md`).
//!
//! A PostgreSQL server is its administrators' to read, back up and replicate; the citizens in it
//! are central's. So the PostgreSQL store keeps each record's JSON (names, PIN, address), its
//! fingers' templates and its biometric files sealed with XChaCha20-Poly1305 under a key derived
//! from central's age identity, which only the central passphrase opens. A PIN is looked up by
//! its HMAC-SHA256 under a second derived key and is never stored in the clear.
//!
//! Each sealed value is bound to its place (column and row) as associated data, so a value
//! copied into another row or column does not open. What stays in the clear is what the
//! database must index or what names no one: registration and station ids, the precinct, batch
//! and audit rows, signatures, the biometric files' SHA-256 (their names), duplicate pairs.

use super::{CentralKey, Error, Result};
use chacha20poly1305::aead::{AeadCore, AeadInPlace, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::hmac::{Hmac, Mac};
use sha2::Sha256;

/// The first byte of a sealed value: the layout's version.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + NONCE_LEN;
/// The HKDF info of the sealing key.
pub const SEAL_KEY_INFO: &[u8] = b"kattoo/central-columns/seal/v1";
/// The HKDF info of the PIN lookup key.
pub const PIN_KEY_INFO: &[u8] = b"kattoo/central-columns/pin/v1";
/// What every sealed value's associated data starts with.
const AAD_PREFIX: &[u8] = b"kattoo/central-column/v1\n";

/// Where a sealed value lives: its column and its row's key.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// `records.record_json` of a registration id.
    Record(&'a str),
    /// `templates.iso` of a registration id and finger position.
    Template(&'a str, u8),
    /// `biometrics.data` of a SHA-256 (hex).
    Biometric(&'a str),
}

impl Place<'_> {
    fn column(&self) -> &'static str {
        match self {
            Place::Record(_) => "records.record_json",
            Place::Template(..) => "templates.iso",
            Place::Biometric(_) => "biometrics.data",
        }
    }

    /// `AAD_PREFIX || column || "\n" || row`, the row being the id, the id and position
    /// (`KG…/7`), or the SHA-256.
    fn associated_data(&self) -> Vec<u8> {
        let row = match self {
            Place::Record(id) | Place::Biometric(id) => (*id).to_owned(),
            Place::Template(id, position) => format!("{id}/{position}"),
        };
        [AAD_PREFIX, self.column().as_bytes(), b"\n", row.as_bytes()].concat()
    }

    /// The place as an error names it: column and row, never the value.
    fn describe(&self) -> String {
        match self {
            Place::Record(id) | Place::Biometric(id) => format!("{} of {id}", self.column()),
            Place::Template(id, position) => {
                format!("{} of {id}, finger {position}", self.column())
            }
        }
    }
}

/// The keys central's PII columns are sealed and looked up with, derived from central's
/// identity.
pub struct ColumnKey {
    seal: XChaCha20Poly1305,
    pin: Hmac<Sha256>,
}

impl ColumnKey {
    /// The column keys of central's (first) identity.
    pub fn new(key: &CentralKey) -> Self {
        let seal = key.derive(SEAL_KEY_INFO);
        let pin = key.derive(PIN_KEY_INFO);
        ColumnKey {
            seal: XChaCha20Poly1305::new(seal.as_slice().into()),
            pin: <Hmac<Sha256> as Mac>::new_from_slice(&pin[..])
                .expect("HMAC takes a key of any length"),
        }
    }

    /// What a PIN is looked up by: HMAC-SHA256 of its digits.
    pub fn pin_mac(&self, pin: &str) -> Vec<u8> {
        let mut mac = self.pin.clone();
        mac.update(pin.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// `plain` sealed for `place`: `VERSION || nonce || ciphertext || tag`, under a fresh random
    /// 192-bit nonce.
    pub fn seal(&self, place: Place<'_>, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain);
        let tag = self
            .seal
            .encrypt_in_place_detached(&nonce, &place.associated_data(), &mut out[HEADER_LEN..])
            .expect("a value fits XChaCha20-Poly1305's limit of 256 GiB");
        out.extend_from_slice(&tag);
        out
    }

    /// The value `sealed` holds, if it was sealed with this key for `place`.
    pub fn open(&self, place: Place<'_>, mut sealed: Vec<u8>) -> Result<Vec<u8>> {
        let damaged = || Error::Sealed(place.describe());
        if sealed.len() < HEADER_LEN + TAG_LEN || sealed[0] != VERSION {
            return Err(damaged());
        }
        let nonce = *XNonce::from_slice(&sealed[1..HEADER_LEN]);
        let tag_at = sealed.len() - TAG_LEN;
        let tag = *chacha20poly1305::Tag::from_slice(&sealed[tag_at..]);
        self.seal
            .decrypt_in_place_detached(
                &nonce,
                &place.associated_data(),
                &mut sealed[HEADER_LEN..tag_at],
                &tag,
            )
            .map_err(|_| damaged())?;
        sealed.truncate(tag_at);
        sealed.drain(..HEADER_LEN);
        Ok(sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ColumnKey {
        let (text, _) = crate::batch::new_identity_file("t");
        ColumnKey::new(&CentralKey::new(
            crate::batch::parse_identities(&text).unwrap(),
        ))
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_under_its_key() {
        let k = key();
        let plain = br#"{"citizen":{"pin":"21403199000123"}}"#;
        let sealed = k.seal(Place::Record("KG1101-20261201-00001"), plain);
        assert_eq!(sealed.len(), 1 + 24 + plain.len() + 16);
        assert!(!sealed.windows(14).any(|w| w == b"21403199000123"));
        assert_eq!(
            k.open(Place::Record("KG1101-20261201-00001"), sealed.clone())
                .unwrap(),
            plain
        );
        // Twice the same value seals differently (a fresh nonce each time).
        assert_ne!(
            k.seal(Place::Record("KG1101-20261201-00001"), plain),
            sealed
        );

        for elsewhere in [
            Place::Record("KG1101-20261201-00002"),
            Place::Biometric("KG1101-20261201-00001"),
            Place::Template("KG1101-20261201-00001", 1),
        ] {
            let err = k.open(elsewhere, sealed.clone()).unwrap_err();
            assert!(matches!(err, Error::Sealed(_)), "{err}");
        }
        assert!(matches!(
            key().open(Place::Record("KG1101-20261201-00001"), sealed.clone()),
            Err(Error::Sealed(_))
        ));
        let mut flipped = sealed.clone();
        flipped[30] ^= 1;
        let err = k
            .open(Place::Record("KG1101-20261201-00001"), flipped)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "central database: the sealed value of records.record_json of KG1101-20261201-00001 does not open with central's key"
        );
        for short in [0, 1, 40] {
            assert!(
                k.open(
                    Place::Record("KG1101-20261201-00001"),
                    sealed[..short].to_vec()
                )
                .is_err()
            );
        }
        // A template's place names its finger.
        let t = k.seal(Place::Template("KG1101-20261201-00001", 7), b"iso");
        assert_eq!(
            k.open(Place::Template("KG1101-20261201-00001", 7), t.clone())
                .unwrap(),
            b"iso"
        );
        assert!(
            k.open(Place::Template("KG1101-20261201-00001", 2), t)
                .is_err()
        );
        assert_eq!(
            k.open(Place::Biometric("ab"), k.seal(Place::Biometric("ab"), b""))
                .unwrap(),
            b""
        );
    }

    #[test]
    fn a_pin_is_looked_up_by_a_keyed_hash() {
        let (k, other) = (key(), key());
        assert_eq!(k.pin_mac("21403199000123"), k.pin_mac("21403199000123"));
        assert_eq!(k.pin_mac("21403199000123").len(), 32);
        assert_ne!(k.pin_mac("21403199000123"), k.pin_mac("21403199000124"));
        // Another central's key gives another hash: no table of all PINs' hashes serves both.
        assert_ne!(k.pin_mac("21403199000123"), other.pin_mac("21403199000123"));
    }
}
