//! Which SBI devices kattoo trusts, as MOSIP's device registration has it: a device provider's
//! CA certifies each device's key, and the station holds the CA certificates it trusts (PEM
//! files in `[devices] sbi_trust_dir`, `/etc/kattoo/sbi-trust` by default). A device
//! certificate placed there (not a CA) is pinned: trusted as itself.
//!
//! A signature counts when the `x5c` leaf is pinned, or chains through the `x5c` certificates to
//! a trusted CA: each link's issuer name and RS256 signature check out, every certificate is
//! within its validity on the station clock, the CAs are CAs (basic constraints, and
//! `keyCertSign` when key usage is given) and the leaf may sign (`digitalSignature`). Outside
//! training, with nothing trusted, every device is refused, so a process that merely answers on
//! 127.0.0.1:4501–4600 with a certificate of its own (`kattoo sim-sbi` among them) never counts.

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::SystemTime;
use x509_cert::Certificate;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

/// Longest chain in `x5c` that is followed (leaf, intermediates).
const MAX_CHAIN: usize = 4;

/// sha256WithRSAEncryption (RFC 4055), what MOSIP device certificates are signed with.
const SHA256_WITH_RSA: x509_cert::spki::ObjectIdentifier =
    x509_cert::spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// The certificates a station trusts for SBI devices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedCertificates {
    /// Device-provider CA certificates.
    pub anchors: Vec<Certificate>,
    /// SHA-256 of device certificates trusted as themselves.
    pub pinned_sha256: Vec<[u8; 32]>,
    /// Where they were read from, for messages.
    pub source: String,
}

impl TrustedCertificates {
    /// Reads every `*.pem` file in `dir`: CA certificates become anchors, others are pinned. A
    /// missing directory trusts nothing; a file that cannot be read or parsed is an error that
    /// names it.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let mut trusted = Self {
            source: dir.display().to_string(),
            ..Self::default()
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(trusted),
            Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
        };
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect();
        files.sort();
        for file in files {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let certs = Certificate::load_pem_chain(&bytes).map_err(|e| {
                format!(
                    "{} is not a PEM certificate file ({e}): replace it with the device provider's certificate",
                    file.display()
                )
            })?;
            for cert in certs {
                if is_ca(&cert) {
                    trusted.anchors.push(cert);
                } else {
                    let der = cert.to_der().map_err(|e| e.to_string())?;
                    trusted.pinned_sha256.push(Sha256::digest(der).into());
                }
            }
        }
        Ok(trusted)
    }

    /// Whether nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty() && self.pinned_sha256.is_empty()
    }

    /// Checks the `x5c` chain (leaf first, DER) at `now`; the leaf's SHA-256 and its key (that
    /// the data's signature is checked with), or why not.
    pub fn check(
        &self,
        x5c: &[Vec<u8>],
        now: SystemTime,
    ) -> Result<([u8; 32], rsa::RsaPublicKey), String> {
        if self.is_empty() {
            return Err(format!(
                "no trusted device-provider certificate is installed (put the provider's CA certificate, PEM, in {})",
                self.source
            ));
        }
        let Some(leaf_der) = x5c.first() else {
            return Err("no x5c certificate in the header".into());
        };
        let leaf_sha: [u8; 32] = Sha256::digest(leaf_der).into();
        let chain = x5c
            .iter()
            .take(MAX_CHAIN)
            .map(|der| {
                Certificate::from_der(der)
                    .map_err(|e| format!("an x5c certificate does not parse: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = &chain[0];
        if !self.pinned_sha256.contains(&leaf_sha) {
            self.chain_to_anchor(&chain, now)?;
        }
        within_validity(leaf, now, "the device certificate")?;
        if let Some(ku) = key_usage(leaf)?
            && !ku.0.contains(KeyUsages::DigitalSignature)
        {
            return Err("the device certificate's key usage does not allow signing".into());
        }
        Ok((leaf_sha, rsa_key(leaf)?))
    }

    /// Follows issuers from the leaf through `chain` to a trusted CA.
    fn chain_to_anchor(&self, chain: &[Certificate], now: SystemTime) -> Result<(), String> {
        let mut current = &chain[0];
        for _ in 0..MAX_CHAIN {
            let issuer = &current.tbs_certificate.issuer;
            if let Some(anchor) = self
                .anchors
                .iter()
                .find(|a| &a.tbs_certificate.subject == issuer && signed_by(current, a).is_ok())
            {
                return within_validity(anchor, now, "the trusted device-provider CA");
            }
            let Some(next) = chain[1..]
                .iter()
                .find(|c| &c.tbs_certificate.subject == issuer)
            else {
                break;
            };
            signed_by(current, next)?;
            if !is_ca(next) {
                return Err("an x5c issuer certificate is not a CA".into());
            }
            within_validity(next, now, "an x5c CA certificate")?;
            current = next;
        }
        Err(format!(
            "the device certificate ({}) does not chain to a trusted device-provider CA in {}",
            chain[0].tbs_certificate.subject, self.source
        ))
    }
}

fn within_validity(cert: &Certificate, now: SystemTime, what: &str) -> Result<(), String> {
    let v = &cert.tbs_certificate.validity;
    if now < v.not_before.to_system_time() {
        return Err(format!(
            "{what} is not valid before {} (check the station clock)",
            v.not_before
        ));
    }
    if now > v.not_after.to_system_time() {
        return Err(format!("{what} expired on {}", v.not_after));
    }
    Ok(())
}

fn key_usage(cert: &Certificate) -> Result<Option<KeyUsage>, String> {
    cert.tbs_certificate
        .get::<KeyUsage>()
        .map(|o| o.map(|(_, ku)| ku))
        .map_err(|e| format!("a certificate's key usage does not parse: {e}"))
}

/// A CA: basic constraints say so, and key usage (if given) allows signing certificates.
fn is_ca(cert: &Certificate) -> bool {
    let ca = matches!(
        cert.tbs_certificate.get::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    );
    ca && match key_usage(cert) {
        Ok(Some(ku)) => ku.0.contains(KeyUsages::KeyCertSign),
        Ok(None) => true,
        Err(_) => false,
    }
}

/// Whether `issuer`'s key made `cert`'s RS256 signature.
fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), String> {
    if cert.signature_algorithm.oid != SHA256_WITH_RSA {
        return Err(format!(
            "a certificate is signed with {}, not sha256WithRSAEncryption",
            cert.signature_algorithm.oid
        ));
    }
    let key = rsa_key(issuer)?;
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let sig = Signature::try_from(cert.signature.raw_bytes())
        .map_err(|_| "a certificate signature is malformed".to_string())?;
    VerifyingKey::<Sha256>::new(key)
        .verify(&tbs, &sig)
        .map_err(|_| "a certificate's signature does not verify against its issuer".to_string())
}

/// A certificate's RSA public key.
fn rsa_key(cert: &Certificate) -> Result<rsa::RsaPublicKey, String> {
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|e| {
        format!(
            "the key of {} is not RSA: {e}",
            cert.tbs_certificate.subject
        )
    })
}
