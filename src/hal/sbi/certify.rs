//! Device-provider CAs and the device certificates they issue, as MOSIP's device registration
//! has them: for tests, for simulators run against a station's trust directory, and for the
//! training kit. A real provider's CA key never comes near a station.

use super::jws::JwsSigner;
use rsa::pkcs1v15::{Signature, SigningKey};
use rsa::signature::Keypair;
use sha2::Sha256;
use std::str::FromStr;
use std::time::{Duration, SystemTime};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Encode, EncodePem, pem::LineEnding};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

/// How long a generated CA is valid.
const CA_YEARS: u64 = 10;

/// A device-provider CA (a root, or an intermediate under one).
#[derive(Clone)]
pub struct DeviceCa {
    key: SigningKey<Sha256>,
    name: Name,
    certificate: x509_cert::Certificate,
    /// The certificates between a device certificate it issues and the root, as `x5c` sends
    /// them: this CA's own when it is an intermediate, then its issuers' up to the root.
    chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for DeviceCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceCa({})", self.name)
    }
}

fn new_key() -> Result<SigningKey<Sha256>, String> {
    let private =
        rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
    Ok(SigningKey::<Sha256>::new(private))
}

fn serial() -> Result<SerialNumber, String> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| e.to_string())?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::new(&bytes).map_err(|e| e.to_string())
}

fn validity(from: SystemTime, to: SystemTime) -> Result<Validity, String> {
    Ok(Validity {
        not_before: Time::try_from(from).map_err(|e| e.to_string())?,
        not_after: Time::try_from(to).map_err(|e| e.to_string())?,
    })
}

fn name(common_name: &str) -> Result<Name, String> {
    Name::from_str(&format!("CN={common_name},O=kattoo test device provider"))
        .map_err(|e| e.to_string())
}

impl DeviceCa {
    /// A new root CA named `common_name`, valid from now for ten years.
    pub fn generate(common_name: &str) -> Result<Self, String> {
        let key = new_key()?;
        let name = name(common_name)?;
        let spki =
            SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| e.to_string())?;
        let now = SystemTime::now();
        let years = Duration::from_secs(CA_YEARS * 365 * 86_400);
        let certificate = CertificateBuilder::new(
            Profile::Root,
            serial()?,
            validity(now - Duration::from_secs(60), now + years)?,
            name.clone(),
            spki,
            &key,
        )
        .map_err(|e| e.to_string())?
        .build::<Signature>()
        .map_err(|e| e.to_string())?;
        Ok(Self {
            key,
            name,
            certificate,
            chain: Vec::new(),
        })
    }

    /// An intermediate CA under this one.
    pub fn intermediate(&self, common_name: &str) -> Result<Self, String> {
        let key = new_key()?;
        let name = name(common_name)?;
        let spki =
            SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| e.to_string())?;
        let profile = Profile::SubCA {
            issuer: self.name.clone(),
            path_len_constraint: Some(0),
        };
        let valid = self.certificate.tbs_certificate.validity;
        let certificate =
            CertificateBuilder::new(profile, serial()?, valid, name.clone(), spki, &self.key)
                .map_err(|e| e.to_string())?
                .build::<Signature>()
                .map_err(|e| e.to_string())?;
        let mut chain = vec![certificate.to_der().map_err(|e| e.to_string())?];
        chain.extend(self.chain.iter().cloned());
        Ok(Self {
            key,
            name,
            certificate,
            chain,
        })
    }

    /// This CA's certificate.
    pub fn certificate(&self) -> &x509_cert::Certificate {
        &self.certificate
    }

    /// This CA's certificate as PEM, for a station's trust directory.
    pub fn certificate_pem(&self) -> String {
        self.certificate
            .to_pem(LineEnding::LF)
            .expect("a built certificate encodes")
    }

    /// A device's signer: a new key and a certificate for `common_name` issued by this CA, valid
    /// from `from` to `to`.
    pub fn issue_device(
        &self,
        common_name: &str,
        from: SystemTime,
        to: SystemTime,
    ) -> Result<JwsSigner, String> {
        let key = new_key()?;
        let spki =
            SubjectPublicKeyInfoOwned::from_key(key.verifying_key()).map_err(|e| e.to_string())?;
        let profile = Profile::Leaf {
            issuer: self.name.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let cert = CertificateBuilder::new(
            profile,
            serial()?,
            validity(from, to)?,
            name(common_name)?,
            spki,
            &self.key,
        )
        .map_err(|e| e.to_string())?
        .build::<Signature>()
        .map_err(|e| e.to_string())?;
        let der = cert.to_der().map_err(|e| e.to_string())?;
        Ok(JwsSigner::from_parts(key, der, self.chain.clone()))
    }

    /// [`Self::issue_device`] valid from a minute ago for a year.
    pub fn issue_device_now(&self, common_name: &str) -> Result<JwsSigner, String> {
        let now = SystemTime::now();
        self.issue_device(
            common_name,
            now - Duration::from_secs(60),
            now + Duration::from_secs(365 * 86_400),
        )
    }
}
