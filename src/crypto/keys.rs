//! The station's ed25519 key, its PEM public key, and signature files.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey, spki::der::pem::LineEnding};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Domain-separation prefix of enrollment record signatures.
pub const DOMAIN_ENROLLMENT: &[u8] = b"kattoo/enrollment/v1\n";
/// Domain-separation prefix of version 2 enrollment records (a citizen who cannot sign).
pub const DOMAIN_ENROLLMENT_V2: &[u8] = b"kattoo/enrollment/v2\n";
/// Domain-separation prefix of batch signatures (over `tagmanifest-sha256.txt`).
pub const DOMAIN_BATCH: &[u8] = b"kattoo/batch/v1\n";
/// Domain-separation prefix of station certificates.
pub const DOMAIN_STATION: &[u8] = b"kattoo/station/v1\n";

/// Why a signature or key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature does not verify")]
    Mismatch,
    #[error("signature is not 64 bytes of standard base64 followed by one newline")]
    Malformed,
    #[error("public key is not a PEM ed25519 PUBLIC KEY: {0}")]
    BadPublicKey(String),
    #[error("station key is damaged: {0}")]
    BadSecretKey(String),
}

/// The station's signing key. Secret; wiped on drop by ed25519-dalek.
pub struct StationKey(SigningKey);

impl StationKey {
    /// A fresh key from the OS CSPRNG.
    pub fn generate() -> Result<Self, super::Error> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        super::random_bytes(seed.as_mut())?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// From the 32-byte seed stored in the encrypted database.
    pub fn from_seed(seed: &[u8]) -> Result<Self, SignatureError> {
        let seed: [u8; 32] = seed.try_into().map_err(|_| {
            SignatureError::BadSecretKey(format!("{} bytes, expected 32", seed.len()))
        })?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// The 32-byte seed, for storage inside the encrypted database only.
    pub fn seed(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `domain || message`.
    pub fn sign(&self, domain: &[u8], message: &[u8]) -> Signature {
        let mut m = Vec::with_capacity(domain.len() + message.len());
        m.extend_from_slice(domain);
        m.extend_from_slice(message);
        Signature(self.0.sign(&m))
    }
}

/// An ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The PEM `PUBLIC KEY` (SPKI, RFC 8410) text, LF line endings.
    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .expect("an ed25519 key always encodes")
    }

    /// Parses a PEM `PUBLIC KEY`.
    pub fn from_pem(pem: &str) -> Result<Self, SignatureError> {
        VerifyingKey::from_public_key_pem(pem.trim())
            .map(Self)
            .map_err(|e| SignatureError::BadPublicKey(e.to_string()))
    }

    /// The 32 raw key bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// SHA-256 of the SPKI DER, as 16 groups of 4 hex digits: read aloud to check a key out of band.
    pub fn fingerprint(&self) -> String {
        let der = self
            .0
            .to_public_key_der()
            .expect("an ed25519 key always encodes");
        let hex = hex::encode(Sha256::digest(der.as_bytes()));
        hex.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("hex is ascii"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Verifies a signature over `domain || message` (strict: no malleable signatures).
    pub fn verify(
        &self,
        domain: &[u8],
        message: &[u8],
        sig: &Signature,
    ) -> Result<(), SignatureError> {
        let mut m = Vec::with_capacity(domain.len() + message.len());
        m.extend_from_slice(domain);
        m.extend_from_slice(message);
        self.0
            .verify_strict(&m, &sig.0)
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// An ed25519 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(ed25519_dalek::Signature);

impl Signature {
    /// The 64 raw bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_bytes()
    }

    /// From 64 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        let b: [u8; 64] = bytes.try_into().map_err(|_| SignatureError::Malformed)?;
        Ok(Self(ed25519_dalek::Signature::from_bytes(&b)))
    }

    /// The signature file: padded standard base64 of the 64 bytes, then one `\n`.
    pub fn to_file(&self) -> String {
        format!("{}\n", STANDARD.encode(self.to_bytes()))
    }

    /// Parses a signature file, refusing anything but base64 and exactly one trailing `\n`.
    pub fn from_file(text: &[u8]) -> Result<Self, SignatureError> {
        let body = text.strip_suffix(b"\n").ok_or(SignatureError::Malformed)?;
        if body.contains(&b'\n') {
            return Err(SignatureError::Malformed);
        }
        let raw = STANDARD
            .decode(body)
            .map_err(|_| SignatureError::Malformed)?;
        Self::from_bytes(&raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_with_domain_separation() {
        let k = StationKey::from_seed(&[7u8; 32]).unwrap();
        let s = k.sign(DOMAIN_ENROLLMENT, b"{}");
        let p = k.public_key();
        assert_eq!(p.verify(DOMAIN_ENROLLMENT, b"{}", &s), Ok(()));
        assert_eq!(
            p.verify(DOMAIN_BATCH, b"{}", &s),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            p.verify(DOMAIN_ENROLLMENT, b"{ }", &s),
            Err(SignatureError::Mismatch)
        );
        let other = StationKey::from_seed(&[8u8; 32]).unwrap().public_key();
        assert_eq!(
            other.verify(DOMAIN_ENROLLMENT, b"{}", &s),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn pem_and_signature_files_round_trip() {
        let k = StationKey::generate().unwrap();
        let pem = k.public_key().to_pem();
        assert!(
            pem.starts_with("-----BEGIN PUBLIC KEY-----\n")
                && pem.ends_with("-----END PUBLIC KEY-----\n")
        );
        assert_eq!(PublicKey::from_pem(&pem).unwrap(), k.public_key());
        assert!(PublicKey::from_pem("garbage").is_err());
        let s = k.sign(DOMAIN_STATION, b"x");
        let file = s.to_file();
        assert_eq!(file.len(), 89);
        assert_eq!(Signature::from_file(file.as_bytes()).unwrap(), s);
        assert!(Signature::from_file(file.trim_end().as_bytes()).is_err());
        assert!(Signature::from_file(format!("{file}\n").as_bytes()).is_err());
        assert_eq!(k.public_key().fingerprint().len(), 64 + 15);
    }
}
