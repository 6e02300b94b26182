//! Central's age identity at rest and in use.
//!
//! The identity file (`AGE-SECRET-KEY-1…` under `age-keygen`'s comments) opens every batch, so
//! central never stores it in the clear: it keeps it encrypted to a passphrase with age's scrypt
//! recipient, byte for byte the format `age -p` writes. The database alone opens nothing; the
//! passphrase opens it with or without kattoo (`age -d FILE`, or `age -d -i FILE batch.age`).
//! Unlocked, it is a [`CentralKey`], which import takes.

use super::{Error, Result};
use age::secrecy::SecretString;
use zeroize::Zeroizing;

/// The first bytes of a binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// The first bytes of an ASCII-armored age file (`age -a`).
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Central's unlocked age identity: what decrypts batches.
#[derive(Clone)]
pub struct CentralKey(Vec<age::x25519::Identity>);

impl CentralKey {
    /// A key from identities already at hand (an identity file read with
    /// [`crate::batch::parse_identities`]); [`super::Central::unlock`] opens the stored one.
    pub fn new(identities: Vec<age::x25519::Identity>) -> Self {
        Self(identities)
    }

    /// The identities, for [`crate::batch::verify_batch`].
    pub fn identities(&self) -> &[age::x25519::Identity] {
        &self.0
    }

    /// 32 bytes derived from the (first) identity's secret key for one purpose: HKDF-SHA256 with
    /// no salt over the identity's `AGE-SECRET-KEY-1…` text, `info` naming the purpose. Central's
    /// signing key and its column keys are derived so: they need no storage of their own and
    /// open with the passphrase like the identity.
    pub fn derive(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        use age::secrecy::ExposeSecret;
        let secret = self.0[0].to_string();
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(None, secret.expose_secret().as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(info, &mut out[..])
            .expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }

    /// The recipients (`age1…`) of the identities.
    pub fn recipients(&self) -> Vec<String> {
        self.0.iter().map(|i| i.to_public().to_string()).collect()
    }
}

impl std::fmt::Debug for CentralKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CentralKey")
            .field(&self.recipients())
            .finish()
    }
}

/// Whether an identity file is passphrase-protected (an age file), not plain text.
pub fn is_protected(file: &[u8]) -> bool {
    file.starts_with(AGE_MAGIC) || file.starts_with(ARMOR_BEGIN)
}

/// The scrypt work factor: age's default (tuned to about a second on this machine) everywhere
/// except this crate's own unit tests, which use 2^10 to stay fast. `cfg(test)` is never set in a
/// build of the binary or of the integration tests, so nothing real gets the cheap factor.
fn work_factor() -> Option<u8> {
    if cfg!(test) { Some(10) } else { None }
}

/// Encrypts an identity file's text to `passphrase` with age's scrypt recipient, as `age -p` does.
pub fn protect(identity_file: &str, passphrase: &str) -> Result<Vec<u8>> {
    if passphrase.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    if let Some(log_n) = work_factor() {
        recipient.set_work_factor(log_n);
    }
    age::encrypt(&recipient, identity_file.as_bytes()).map_err(Error::IdentityEncrypt)
}

/// Opens a passphrase-protected identity file and parses the identities inside.
pub fn unlock(file: &[u8], passphrase: &str) -> Result<CentralKey> {
    if file.starts_with(ARMOR_BEGIN) {
        return Err(Error::IdentityArmored);
    }
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    let plain = Zeroizing::new(age::decrypt(&identity, file).map_err(|e| match e {
        age::DecryptError::DecryptionFailed => Error::WrongPassphrase,
        age::DecryptError::NoMatchingKeys => Error::IdentityForKey,
        age::DecryptError::ExcessiveWork { required, .. } => Error::IdentityWork { required },
        other => Error::IdentityDamaged(other),
    })?);
    let text = std::str::from_utf8(&plain).map_err(|_| Error::IdentityNotText)?;
    Ok(CentralKey(crate::batch::parse_identities(text)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protect_then_unlock_with_the_right_passphrase_only() {
        let (text, recipient) = crate::batch::new_identity_file("2026-11-27T06:00:00Z");
        let file = protect(&text, "correct horse").unwrap();
        assert!(
            file.starts_with(b"age-encryption.org/v1\n-> scrypt "),
            "{file:?}"
        );
        assert!(is_protected(&file));
        assert!(!is_protected(text.as_bytes()));
        assert!(!file.windows(15).any(|w| w == b"AGE-SECRET-KEY-"));

        let key = unlock(&file, "correct horse").unwrap();
        assert_eq!(key.recipients(), [recipient]);
        assert!(matches!(
            unlock(&file, "correct horsf"),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(protect(&text, ""), Err(Error::EmptyPassphrase)));
    }

    #[test]
    fn unlock_names_what_is_wrong_with_a_file() {
        let (text, _) = crate::batch::new_identity_file("t");
        // Encrypted to a key, not to a passphrase.
        let key = age::x25519::Identity::generate();
        let to_key = age::encrypt(&key.to_public(), text.as_bytes()).unwrap();
        let err = unlock(&to_key, "p").unwrap_err();
        assert!(matches!(err, Error::IdentityForKey), "{err}");
        assert!(err.to_string().contains("not with a passphrase"), "{err}");
        // Armored.
        let err = unlock(b"-----BEGIN AGE ENCRYPTED FILE-----\n", "p").unwrap_err();
        assert!(matches!(err, Error::IdentityArmored), "{err}");
        assert!(err.to_string().contains("ASCII-armored"), "{err}");
        // Truncated.
        let file = protect(&text, "p").unwrap();
        let err = unlock(&file[..file.len() - 5], "p").unwrap_err();
        assert!(matches!(err, Error::IdentityDamaged(_)), "{err}");
        assert_eq!(err.message_id(), "central-error-identity-damaged");
        // Opens, but is not text.
        let file = age::encrypt(
            &age::scrypt::Recipient::new(SecretString::from("p".to_owned())),
            &[0xff, 0xfe],
        )
        .unwrap();
        assert!(matches!(unlock(&file, "p"), Err(Error::IdentityNotText)));
        // Opens, but holds no identity.
        let file = protect("# nothing here\n", "p").unwrap();
        let err = unlock(&file, "p").unwrap_err();
        assert!(
            matches!(err, Error::Batch(crate::batch::Error::NoIdentity)),
            "{err}"
        );
        assert_eq!(err.message_id(), "batch-error-identity");
    }
}
