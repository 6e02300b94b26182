//! The station passphrase becomes the SQLCipher key through argon2id.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// Argon2id parameters and salt, stored in clear beside the database (they are not secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Always "argon2id".
    pub kdf: String,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
    /// Lowercase hex of a 16-byte random salt.
    pub salt: String,
    /// SQLCipher's per-page HMAC: `HMAC_SHA256` for stations created since it was recorded here
    /// (about three times faster to check than SHA-512 on CPUs with SHA extensions, which speeds
    /// every read of the biometrics); absent for older stations, which keep SQLCipher 4's
    /// default, `HMAC_SHA512`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_hmac: Option<String>,
    /// SQLCipher's `cipher_page_size` in bytes: [`PAGE_SIZE`] for stations created since it was
    /// recorded here; absent for older stations, which keep SQLCipher's default of 4096. Each
    /// page is decrypted and its HMAC checked on its own, so the export reads a 110 KB
    /// fingerprint in 4 pages instead of 28 (`benches/station_store.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

/// The page HMAC new stations use.
pub const PAGE_HMAC: &str = "HMAC_SHA256";
const PAGE_HMACS: [&str; 2] = ["HMAC_SHA256", "HMAC_SHA512"];

/// The page size new stations use (bytes). Measured against 4–64 KiB in
/// `benches/station_store.rs`: reading the biometrics back takes 0.38 s for 200 enrollments
/// against 0.69 s with 4 KiB pages, and the file is no larger; 64 KiB pages read no faster and
/// waste 7 % of the file in the last page of each photo.
pub const PAGE_SIZE: u32 = 32 * 1024;

impl KdfParams {
    /// Fresh parameters for a new station: 64 MiB, 3 passes, one lane, a random salt.
    pub fn generate() -> Result<Self, super::Error> {
        let mut salt = [0u8; 16];
        super::random_bytes(&mut salt)?;
        Ok(Self {
            kdf: "argon2id".into(),
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
            salt: hex::encode(salt),
            page_hmac: Some(PAGE_HMAC.into()),
            page_size: Some(PAGE_SIZE),
        })
    }

    /// Derives the 32-byte database key from the passphrase.
    pub fn derive(&self, passphrase: &str) -> Result<DatabaseKey, super::Error> {
        if self.kdf != "argon2id" {
            return Err(super::Error::Kdf(format!("unsupported kdf '{}'", self.kdf)));
        }
        let page_hmac = match self.page_hmac.as_deref() {
            None => None,
            Some(h) => Some(
                *PAGE_HMACS
                    .iter()
                    .find(|known| **known == h)
                    .ok_or_else(|| super::Error::Kdf(format!("unsupported page_hmac '{h}'")))?,
            ),
        };
        if let Some(size) = self.page_size
            && (!(512..=65536).contains(&size) || !size.is_power_of_two())
        {
            return Err(super::Error::Kdf(format!(
                "unsupported page_size {size} (a power of two from 512 to 65536)"
            )));
        }
        let salt = hex::decode(&self.salt).map_err(|e| super::Error::Kdf(format!("salt: {e}")))?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| super::Error::Kdf(e.to_string()))?;
        let mut key = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
            .map_err(|e| super::Error::Kdf(e.to_string()))?;
        Ok(DatabaseKey {
            key,
            page_hmac,
            page_size: self.page_size,
        })
    }
}

/// A raw SQLCipher key and the page HMAC and page size it goes with; the key is wiped from memory
/// when dropped.
pub struct DatabaseKey {
    key: [u8; 32],
    page_hmac: Option<&'static str>,
    page_size: Option<u32>,
}

impl Drop for DatabaseKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl DatabaseKey {
    /// The `PRAGMA key` value: `x'<64 hex>'` (raw key, no further SQLCipher KDF).
    pub fn pragma_value(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(format!("x'{}'", hex::encode(self.key)))
    }

    /// The `PRAGMA cipher_hmac_algorithm` to set after the key, when not SQLCipher's default.
    pub fn page_hmac(&self) -> Option<&'static str> {
        self.page_hmac
    }

    /// The `PRAGMA cipher_page_size` to set after the key, when not SQLCipher's default.
    pub fn page_size(&self) -> Option<u32> {
        self.page_size
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_passphrase_same_key_other_passphrase_other_key() {
        let p = KdfParams {
            m_kib: 19 * 1024,
            t: 2,
            ..KdfParams::generate().unwrap()
        };
        let a = p.derive("correct horse").unwrap().pragma_value();
        assert_eq!(*a, *p.derive("correct horse").unwrap().pragma_value());
        assert_ne!(*a, *p.derive("correct horsf").unwrap().pragma_value());
        assert!(a.starts_with("x'") && a.len() == 67);
    }
}
