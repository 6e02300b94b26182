//! Station identity, canonical JSON, signatures, passphrase key derivation and operator password
//! hashes. Everything signed or hashed by kattoo goes through here, so the byte rules of
//! FORMATS.md live in one place.

mod jcs;
mod kdf;
mod keys;
mod password;

pub use jcs::canonical_json;
pub use kdf::{DatabaseKey, KdfParams, PAGE_HMAC, PAGE_SIZE};
pub use keys::{
    DOMAIN_BATCH, DOMAIN_ENROLLMENT, DOMAIN_ENROLLMENT_V2, DOMAIN_STATION, PublicKey, Signature,
    SignatureError, StationKey,
};
pub use password::{PasswordError, hash_password, verify_password};

/// Errors from the crypto layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not produce canonical JSON")]
    Canonical(#[source] serde_json::Error),
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

/// Fills `buf` from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::getrandom(buf).map_err(|e| Error::Random(e.to_string()))
}
