//! JSON Web Signatures as SBI devices use them (RFC 7515 compact form, RS256, the signing
//! certificate in the `x5c` header). The client refuses unsigned or badly signed data unless the
//! kiosk runs in training mode, where it accepts it and marks the result [`Trust::Unverified`].
//!
//! The signature is checked against the `x5c` leaf, and the leaf against the certificates the
//! station trusts ([`super::trust::TrustedCertificates`]: device-provider CAs, or pinned device
//! certificates).

use crate::hal::{DeviceError, ErrorKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
use sha2::Sha256;

pub use super::trust::TrustedCertificates;

/// How far a device's data can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Signed with RS256 by the `x5c` certificate whose SHA-256 (hex) is given.
    Verified { certificate_sha256: String },
    /// Unsigned or badly signed, accepted only because the kiosk is in training mode. The reason
    /// is shown to the trainer; such data must never reach an export.
    Unverified { reason: String },
}

impl Trust {
    /// Whether the data was verified.
    pub fn is_verified(&self) -> bool {
        matches!(self, Self::Verified { .. })
    }
    /// The weaker of two trust levels (the first unverified reason wins).
    pub fn and(self, other: Trust) -> Trust {
        match (self, other) {
            (u @ Trust::Unverified { .. }, _)
            | (Trust::Verified { .. }, u @ Trust::Unverified { .. }) => u,
            (v, _) => v,
        }
    }
}

/// What the client accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// Training mode: accept unsigned, badly signed or untrusted data, marked
    /// [`Trust::Unverified`].
    pub training: bool,
    /// The certificates a device's `x5c` must be or chain to. Empty: nothing is trusted.
    pub trusted: TrustedCertificates,
}

/// base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, tolerating padding and the standard alphabet (devices differ).
pub fn b64url_decode(s: &str) -> Result<Vec<u8>, String> {
    let t = s.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
        .map_err(|e| format!("not base64url: {e}"))
}

fn refuse(what: &str, reason: &str) -> DeviceError {
    DeviceError::new(
        ErrorKind::Untrusted,
        format!(
            "sbi: {what} refused: {reason}; the device's data cannot be trusted (use a certified, registered device)"
        ),
    )
}

/// Checks a compact JWS (or a bare base64url payload, which SBI uses for unsigned data) and
/// returns its payload with the trust reached. Outside training mode anything but a valid RS256
/// signature by a trusted `x5c` certificate is an error of kind `Untrusted`.
pub fn verify(
    token: &str,
    policy: &TrustPolicy,
    what: &str,
) -> Result<(Vec<u8>, Trust), DeviceError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let outcome = match parts.as_slice() {
        [payload] => {
            let payload = b64url_decode(payload).map_err(|e| refuse(what, &e))?;
            Err((payload, "the data is not signed".to_string()))
        }
        [header, payload, signature] => {
            let payload_bytes =
                b64url_decode(payload).map_err(|e| refuse(what, &format!("payload {e}")))?;
            match check_signature(header, payload, signature, policy) {
                Ok(fingerprint) => Ok((payload_bytes, fingerprint)),
                Err(reason) => Err((payload_bytes, reason)),
            }
        }
        _ => return Err(refuse(what, &format!("not a JWS ({} parts)", parts.len()))),
    };
    match outcome {
        Ok((payload, certificate_sha256)) => Ok((payload, Trust::Verified { certificate_sha256 })),
        Err((payload, reason)) if policy.training => {
            tracing::warn!(what, reason = %reason, "sbi: accepting unverified device data in training mode");
            Ok((payload, Trust::Unverified { reason }))
        }
        Err((_, reason)) => Err(refuse(what, &reason)),
    }
}

#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    x5c: serde_json::Value,
}

/// Returns the hex SHA-256 of the verified leaf certificate, or why the signature fails.
fn check_signature(
    header: &str,
    payload: &str,
    signature: &str,
    policy: &TrustPolicy,
) -> Result<String, String> {
    let header_json = b64url_decode(header).map_err(|e| format!("header {e}"))?;
    let parsed: Header =
        serde_json::from_slice(&header_json).map_err(|e| format!("header is not JSON: {e}"))?;
    if parsed.alg != "RS256" {
        return Err(format!("algorithm {:?} is not RS256", parsed.alg));
    }
    let x5c = x5c_certificates(&parsed.x5c)?;
    let (fingerprint, key) = policy.trusted.check(&x5c, std::time::SystemTime::now())?;
    let sig_bytes = b64url_decode(signature).map_err(|e| format!("signature {e}"))?;
    let sig = Signature::try_from(sig_bytes.as_slice())
        .map_err(|_| "signature is malformed".to_string())?;
    let signing_input = format!("{header}.{payload}");
    VerifyingKey::<Sha256>::new(key)
        .verify(signing_input.as_bytes(), &sig)
        .map_err(|_| "the signature does not verify against the x5c certificate".to_string())?;
    Ok(hex::encode(fingerprint))
}

/// The DER certificates of an `x5c` header (an array, or a lone string as some devices send),
/// leaf first.
fn x5c_certificates(x5c: &serde_json::Value) -> Result<Vec<Vec<u8>>, String> {
    let texts: Vec<&str> = match x5c {
        serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
        serde_json::Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    };
    if texts.is_empty() {
        return Err("no x5c certificate in the header".into());
    }
    texts
        .into_iter()
        .map(|t| {
            STANDARD
                .decode(t.trim())
                .or_else(|_| b64url_decode(t))
                .map_err(|e| format!("x5c is not base64: {e}"))
        })
        .collect()
}

/// An RS256 signer with its certificate, as a device holds (used by the simulator).
#[derive(Clone)]
pub struct JwsSigner {
    key: SigningKey<Sha256>,
    certificate_der: Vec<u8>,
    /// CA certificates sent after the leaf in `x5c` (intermediates).
    chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for JwsSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "JwsSigner(certificate {} bytes)",
            self.certificate_der.len()
        )
    }
}

impl JwsSigner {
    /// A fresh 2048-bit RSA key and a self-signed certificate for `common_name`, valid for a year.
    pub fn generate(common_name: &str) -> Result<Self, String> {
        use std::str::FromStr;
        use x509_cert::builder::{Builder, CertificateBuilder, Profile};
        use x509_cert::der::Encode;
        use x509_cert::spki::SubjectPublicKeyInfoOwned;
        let private =
            rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
        let key = SigningKey::<Sha256>::new(private);
        let spki =
            SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| e.to_string())?;
        let name = x509_cert::name::Name::from_str(&format!(
            "CN={common_name},O=kattoo simulated devices"
        ))
        .map_err(|e| e.to_string())?;
        let validity =
            x509_cert::time::Validity::from_now(std::time::Duration::from_secs(365 * 86_400))
                .map_err(|e| e.to_string())?;
        let serial = x509_cert::serial_number::SerialNumber::from(1u32);
        let cert = CertificateBuilder::new(Profile::Root, serial, validity, name, spki, &key)
            .map_err(|e| e.to_string())?
            .build::<Signature>()
            .map_err(|e| e.to_string())?;
        let certificate_der = cert.to_der().map_err(|e| e.to_string())?;
        Ok(Self::from_parts(key, certificate_der, Vec::new()))
    }

    /// A signer over `key`, whose certificate is `certificate_der`, sending `chain` after it.
    pub(crate) fn from_parts(
        key: SigningKey<Sha256>,
        certificate_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Self {
        Self {
            key,
            certificate_der,
            chain,
        }
    }

    /// The DER certificate sent in `x5c`.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// Compact JWS of `payload`: base64url(header).base64url(payload).base64url(signature).
    pub fn sign(&self, payload: &[u8]) -> String {
        let x5c: Vec<String> = std::iter::once(&self.certificate_der)
            .chain(&self.chain)
            .map(|der| STANDARD.encode(der))
            .collect();
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "x5c": x5c });
        let signing_input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(payload)
        );
        let sig = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", b64url(&sig.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hal::sbi::tests::{pki, trusting_the_test_ca};
    use sha2::Digest;

    fn signer() -> &'static JwsSigner {
        &pki().1
    }

    #[test]
    fn signed_payload_verifies_and_names_the_certificate() {
        let token = signer().sign(b"{\"a\":1}");
        let (payload, trust) = verify(&token, &trusting_the_test_ca(), "test").unwrap();
        assert_eq!(payload, b"{\"a\":1}");
        let expected = hex::encode(Sha256::digest(signer().certificate_der()));
        assert_eq!(
            trust,
            Trust::Verified {
                certificate_sha256: expected
            }
        );
    }

    #[test]
    fn with_nothing_trusted_a_valid_signature_is_refused_and_says_where_trust_goes() {
        let token = signer().sign(b"{}");
        let policy = TrustPolicy {
            trusted: TrustedCertificates {
                source: "/etc/kattoo/sbi-trust".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = verify(&token, &policy, "info").unwrap_err();
        assert!(
            err.message()
                .contains("no trusted device-provider certificate is installed")
                && err.message().contains("/etc/kattoo/sbi-trust"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn tampered_payload_is_refused_outside_training() {
        let token = signer().sign(b"{\"score\":40}");
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = b64url(b"{\"score\":99}");
        let forged = parts.join(".");
        let err = verify(&forged, &trusting_the_test_ca(), "capture").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Untrusted);
        assert!(
            err.message().contains("does not verify"),
            "{}",
            err.message()
        );
        let (payload, trust) = verify(
            &forged,
            &TrustPolicy {
                training: true,
                ..trusting_the_test_ca()
            },
            "capture",
        )
        .unwrap();
        assert_eq!(payload, b"{\"score\":99}");
        assert!(!trust.is_verified());
    }

    /// A token with `header`, a payload and the signature of a valid token.
    fn with_header(header: serde_json::Value) -> String {
        let token = signer().sign(b"{}");
        let sig = token.rsplit('.').next().unwrap();
        format!(
            "{}.{}.{sig}",
            b64url(header.to_string().as_bytes()),
            b64url(b"{}")
        )
    }

    #[test]
    fn alg_none_and_hs256_are_refused_whatever_the_certificate() {
        let x5c = [STANDARD.encode(signer().certificate_der())];
        for alg in ["none", "HS256", "rs256"] {
            let token = with_header(serde_json::json!({ "alg": alg, "x5c": x5c }));
            let err = verify(&token, &trusting_the_test_ca(), "info").unwrap_err();
            assert!(
                err.message().contains("is not RS256"),
                "{alg}: {}",
                err.message()
            );
        }
        let unsigned = format!("{}.{}.", b64url(br#"{"alg":"none"}"#), b64url(b"{}"));
        assert!(verify(&unsigned, &trusting_the_test_ca(), "info").is_err());
    }

    #[test]
    fn unsigned_and_garbage_tokens() {
        let unsigned = b64url(b"{}");
        assert!(
            verify(&unsigned, &TrustPolicy::default(), "info")
                .unwrap_err()
                .message()
                .contains("not signed")
        );
        assert!(verify("a.b", &TrustPolicy::default(), "info").is_err());
        assert!(
            verify(
                "!!.??.**",
                &TrustPolicy {
                    training: true,
                    ..Default::default()
                },
                "info"
            )
            .is_err()
        );
    }

    #[test]
    fn a_pinned_device_certificate_is_trusted_as_itself_and_no_other() {
        let token = signer().sign(b"{}");
        let pinned = |pin: [u8; 32]| TrustPolicy {
            training: false,
            trusted: TrustedCertificates {
                pinned_sha256: vec![pin],
                ..Default::default()
            },
        };
        assert!(
            verify(&token, &pinned([7; 32]), "info")
                .unwrap_err()
                .message()
                .contains("does not chain to a trusted device-provider CA")
        );
        let pin: [u8; 32] = Sha256::digest(signer().certificate_der()).into();
        assert!(verify(&token, &pinned(pin), "info").is_ok());
    }
}
