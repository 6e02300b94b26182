//! The self-signed station certificate `station-<id>.json` (FORMATS.md "Station"): how central
//! registers a station from a USB stick, after checking the key fingerprint out of band.

use super::{Error, Result};
use crate::crypto::{
    DOMAIN_STATION, PublicKey, Signature, SignatureError, StationKey, canonical_json,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The schema tag of version 1 certificates.
pub const SCHEMA: &str = "kattoo/station/v1";

/// A station certificate; `signature` is padded standard base64 of the 64 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationCertificate {
    pub schema: String,
    pub station_id: String,
    pub name: String,
    pub region: String,
    pub precincts: Vec<String>,
    /// The PEM text of the station's public key.
    pub public_key: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signature: Option<String>,
}

/// The certificate's file name.
pub fn file_name(station_id: &str) -> String {
    format!("station-{station_id}.json")
}

impl StationCertificate {
    /// Builds and signs a certificate; returns it and the exact file bytes (JCS).
    pub fn issue(
        key: &StationKey,
        station_id: &str,
        name: &str,
        region: &str,
        precincts: &[String],
        created_at: &str,
    ) -> Result<(StationCertificate, Vec<u8>)> {
        let mut cert = StationCertificate {
            schema: SCHEMA.into(),
            station_id: station_id.into(),
            name: name.into(),
            region: region.into(),
            precincts: precincts.to_vec(),
            public_key: key.public_key().to_pem(),
            created_at: created_at.into(),
            signature: None,
        };
        let unsigned = canonical_json(&cert).map_err(Error::Canonical)?;
        let sig = key.sign(DOMAIN_STATION, &unsigned);
        cert.signature = Some(STANDARD.encode(sig.to_bytes()));
        let bytes = canonical_json(&cert).map_err(Error::Canonical)?;
        Ok((cert, bytes))
    }

    /// Parses certificate bytes and checks its self-signature; returns it and its key.
    pub fn verify(bytes: &[u8]) -> Result<(StationCertificate, PublicKey)> {
        let mut cert: StationCertificate =
            serde_json::from_slice(bytes).map_err(Error::CertificateJson)?;
        if cert.schema != SCHEMA {
            return Err(Error::CertificateSchema(cert.schema));
        }
        crate::domain::StationId::parse(&cert.station_id)
            .map_err(|_| Error::CertificateStationId(cert.station_id.clone()))?;
        let key = PublicKey::from_pem(&cert.public_key).map_err(Error::CertificateKey)?;
        let sig_b64 = cert.signature.take().ok_or(Error::CertificateUnsigned)?;
        let refused = |source| Error::CertificateSignature {
            station_id: cert.station_id.clone(),
            source,
        };
        // Not base64 is a malformed signature, as `Signature::from_file` says of a signature file.
        let raw = STANDARD
            .decode(&sig_b64)
            .map_err(|_| refused(SignatureError::Malformed))?;
        let sig = Signature::from_bytes(&raw).map_err(refused)?;
        let unsigned = canonical_json(&cert).map_err(Error::Canonical)?;
        key.verify(DOMAIN_STATION, &unsigned, &sig)
            .map_err(refused)?;
        cert.signature = Some(sig_b64);
        // The file is the JCS of the certificate, as a record is: no repeated key, no other
        // spelling of the same text.
        if canonical_json(&cert).map_err(Error::Canonical)? != bytes {
            return Err(Error::CertificateNotCanonical);
        }
        Ok((cert, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_verify_and_tamper() {
        let key = StationKey::from_seed(&[9; 32]).unwrap();
        let (cert, bytes) = StationCertificate::issue(
            &key,
            "KG1101",
            "School",
            "chui",
            &["1101".into()],
            "2026-11-27T06:00:00Z",
        )
        .unwrap();
        let (back, pk) = StationCertificate::verify(&bytes).unwrap();
        assert_eq!((back, pk), (cert.clone(), key.public_key()));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("{\"created_at\":\"2026-11-27T06:00:00Z\",\"name\":\"School\""));
        let forged = text.replace("School", "Schoo1");
        let err = StationCertificate::verify(forged.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::CertificateSignature { station_id, source: SignatureError::Mismatch } if station_id == "KG1101"),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "station certificate: self-signature of KG1101 does not verify"
        );
        assert_eq!(
            (err.message_id(), err.detail()),
            ("batch-error-certificate", "KG1101".into())
        );
        let bad_id = text.replace("\"KG1101\"", "\"kg-1101\"");
        assert!(matches!(
            StationCertificate::verify(bad_id.as_bytes()),
            Err(Error::CertificateStationId(id)) if id == "kg-1101"
        ));
        // The same certificate, signature and all, written another way: pretty, or with a key
        // repeated (which serde refuses for a struct).
        let pretty = serde_json::to_vec_pretty(&cert).unwrap();
        let err = StationCertificate::verify(&pretty).unwrap_err();
        assert!(matches!(err, Error::CertificateNotCanonical), "{err}");
        assert_eq!(err.message_id(), "batch-error-certificate");
        let repeated = text.replacen("{", "{\"name\":\"Other\",", 1);
        assert!(matches!(
            StationCertificate::verify(repeated.as_bytes()),
            Err(Error::CertificateJson(_))
        ));
        let unsigned = text.replace("\"signature\"", "\"signature_\"");
        assert!(matches!(
            StationCertificate::verify(unsigned.as_bytes()),
            Err(Error::CertificateJson(_))
        ));
    }
}
