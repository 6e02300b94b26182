//! Turning an RCAPTURE answer into checked captures: device errors mapped, every `data` JWS
//! verified, transaction id and modality matched, the `previousHash` → `hash` chain recomputed
//! over the ISO records exactly as received, and the records decoded.

use super::client::{decode_digital_id, parse_json};
use super::jws::{self, Trust, TrustPolicy};
use super::protocol::*;
use crate::domain::FingerPosition;
use crate::hal::{CaptureRequest, DeviceError, ErrorKind, FingerImage, Frame, Provenance, Result};
use crate::iso19794::{FaceRecord, FingerRecord};

/// A verified capture and how far it can be trusted.
#[derive(Debug, Clone)]
pub struct SbiCapture<T> {
    pub value: T,
    /// `Unverified` only in training mode: show the warning, never export the data.
    pub trust: Trust,
    /// The chain hash after this capture: the next capture's `previousHash`.
    pub hash: String,
}

/// A face still: the decoded frame, which keeps the ISO/IEC 19794-5 record exactly as the
/// device sent it (`frame.iso_record`).
#[derive(Clone)]
pub struct FaceCapture {
    pub frame: Frame,
    pub device_quality: Option<u8>,
}

impl std::fmt::Debug for FaceCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FaceCapture({:?}, quality {:?})",
            self.frame, self.device_quality
        )
    }
}

/// One biometric entry after its signature and hash link were checked.
pub(crate) struct CheckedBio {
    pub data: BiometricData,
    pub iso: Vec<u8>,
}

impl std::fmt::Debug for CheckedBio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CheckedBio({} {}, {} ISO bytes)",
            self.data.bio_type,
            self.data.bio_sub_type,
            self.iso.len()
        )
    }
}

fn protocol(msg: String) -> DeviceError {
    DeviceError::new(
        ErrorKind::Other,
        format!("sbi: {msg}; the capture is refused"),
    )
}

/// Checks every entry of `resp` in order: device error codes, signatures, transaction, modality
/// and the hash chain starting at `previous_hash`. Returns the entries, the combined trust and
/// the last hash.
pub(crate) fn check_entries(
    resp: CaptureResponseBody,
    transaction_id: &str,
    bio_type: &str,
    previous_hash: &str,
    policy: &TrustPolicy,
) -> Result<(Vec<CheckedBio>, Trust, String)> {
    if resp.biometrics.is_empty() {
        return Err(protocol("the device returned no biometrics".into()));
    }
    // A device error anywhere decides the outcome (busy, not detected, …).
    if let Some(err) = resp
        .biometrics
        .iter()
        .filter_map(|b| b.error.as_ref())
        .find(|e| !e.is_success())
    {
        return Err(super::errors::device_error(
            &err.error_code,
            &err.error_info,
        ));
    }
    let mut trust = Trust::Verified {
        certificate_sha256: String::new(),
    };
    let mut first = true;
    let mut hash = previous_hash.to_string();
    let mut out = Vec::new();
    for entry in resp.biometrics {
        let (payload, t) = jws::verify(&entry.data, policy, "capture data")?;
        if !first && t.is_verified() && trust.is_verified() && t != trust {
            return Err(protocol(
                "the entries of one capture are signed by different certificates".into(),
            ));
        }
        let data: BiometricData = parse_json(&payload, "capture data")?;
        let (_, id_trust) = decode_digital_id(&data.digital_id, policy)?;
        let t = t.and(id_trust);
        trust = if first { t } else { trust.and(t) };
        first = false;
        if data.transaction_id != transaction_id {
            return Err(protocol(format!(
                "transaction id {:?} does not match the request",
                data.transaction_id
            )));
        }
        if !data.bio_type.eq_ignore_ascii_case(bio_type) {
            return Err(protocol(format!(
                "got a {:?} capture, asked for {bio_type}",
                data.bio_type
            )));
        }
        let iso = jws::b64url_decode(&data.bio_value)
            .map_err(|e| protocol(format!("bioValue is {e}")))?;
        let expected = chain_hash(&hash, &iso);
        if !entry.hash.trim().eq_ignore_ascii_case(&expected) {
            return Err(protocol(
                "the hash chain is broken (previousHash/hash do not match the ISO data)".into(),
            ));
        }
        hash = expected;
        out.push(CheckedBio { data, iso });
    }
    Ok((out, trust, hash))
}

fn score(q: Option<f64>) -> Option<u8> {
    q.filter(|v| v.is_finite())
        .map(|v| v.round().clamp(0.0, 100.0) as u8)
}

/// Fails with `PoorQuality` when the average device score is below what was asked (SBI 0.9.5:
/// "in cases where you have four fingers the average of all will be considered").
fn check_quality(scores: &[Option<u8>], requested: u8) -> Result<()> {
    let known: Vec<u32> = scores.iter().flatten().map(|&s| u32::from(s)).collect();
    if known.is_empty() || requested == 0 {
        return Ok(());
    }
    let avg = known.iter().sum::<u32>() / known.len() as u32;
    if avg < u32::from(requested) {
        return Err(DeviceError::new(
            ErrorKind::PoorQuality,
            format!(
                "sbi: capture quality {avg} is below the requested {requested} — clean the scanner and place the fingers again"
            ),
        ));
    }
    Ok(())
}

/// Builds the finger images of a checked answer to `request`, each from `source`.
pub(crate) fn finger_images(
    entries: Vec<CheckedBio>,
    request: &CaptureRequest,
    source: &Provenance,
) -> Result<Vec<FingerImage>> {
    let wanted: Vec<FingerPosition> = request
        .set
        .positions()
        .into_iter()
        .filter(|p| !request.exceptions.contains(p))
        .collect();
    let mut images: Vec<FingerImage> = Vec::new();
    for bio in entries {
        let position = finger_from_sub_type(&bio.data.bio_sub_type)
            .ok_or_else(|| protocol(format!("unknown finger {:?}", bio.data.bio_sub_type)))?;
        if !wanted.contains(&position) {
            return Err(protocol(format!(
                "the device sent {position}, which was not asked for"
            )));
        }
        if images.iter().any(|i| i.position == position) {
            return Err(protocol(format!("the device sent {position} twice")));
        }
        let record = FingerRecord::decode(&bio.iso)?;
        let rep = record
            .representations
            .iter()
            .find(|r| r.position() == Some(position))
            .or(record.representations.first())
            .ok_or_else(|| protocol("empty finger record".into()))?;
        let img = rep.decode_image()?;
        images.push(FingerImage {
            position,
            width: img.width,
            height: img.height,
            ppi: rep.ppi(),
            pixels: img.pixels,
            device_quality: score(bio.data.quality_score).or(rep.quality_score()),
            iso_record: Some(bio.iso),
            source: source.clone(),
        });
    }
    if let Some(missing) = wanted
        .iter()
        .find(|p| !images.iter().any(|i| i.position == **p))
    {
        return Err(DeviceError::new(
            ErrorKind::PoorQuality,
            format!(
                "sbi: the device returned no image for {missing} — place all requested fingers and try again"
            ),
        ));
    }
    images.sort_by_key(|i| i.position);
    check_quality(
        &images.iter().map(|i| i.device_quality).collect::<Vec<_>>(),
        request.requested_quality,
    )?;
    Ok(images)
}

/// Builds the face still of a checked answer, from `source`.
pub(crate) fn face_capture(
    mut entries: Vec<CheckedBio>,
    requested_quality: u8,
    source: &Provenance,
) -> Result<FaceCapture> {
    if entries.len() != 1 {
        return Err(protocol(format!(
            "expected one face, got {}",
            entries.len()
        )));
    }
    let bio = entries.remove(0);
    let record = FaceRecord::decode(&bio.iso)?;
    let rep = record
        .representations
        .first()
        .ok_or_else(|| protocol("empty face record".into()))?;
    let (width, height, rgb) = rep.decode_rgb()?;
    let device_quality = score(bio.data.quality_score).or(rep.quality_score());
    check_quality(&[device_quality], requested_quality)?;
    Ok(FaceCapture {
        frame: Frame {
            width,
            height,
            rgb,
            source: source.clone(),
            iso_record: Some(bio.iso),
        },
        device_quality,
    })
}

/// A transaction id as SBI wants it: 4–50 characters of letters, digits and hyphens.
pub fn new_transaction_id() -> String {
    let mut bytes = [0u8; 12];
    if getrandom::getrandom(&mut bytes).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        bytes.copy_from_slice(&t.as_nanos().to_be_bytes()[4..16]);
    }
    format!("kattoo-{}", hex::encode(bytes))
}

/// The request body of one RCAPTURE.
pub(crate) fn capture_body(
    env: &str,
    transaction_id: &str,
    timeout: std::time::Duration,
    bio: BioRequest,
) -> CaptureRequestBody {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    CaptureRequestBody {
        env: env.into(),
        purpose: "Registration".into(),
        spec_version: SPEC_VERSION.into(),
        timeout: timeout.as_millis().to_string(),
        capture_time: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        transaction_id: transaction_id.into(),
        bio: vec![bio],
        custom_opts: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_follow_the_rules() {
        let id = new_transaction_id();
        assert!((4..=50).contains(&id.len()));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        assert_ne!(id, new_transaction_id());
    }

    #[test]
    fn quality_is_the_average() {
        assert!(check_quality(&[Some(90), Some(30)], 60).is_ok());
        assert_eq!(
            check_quality(&[Some(50), Some(30)], 60).unwrap_err().kind(),
            ErrorKind::PoorQuality
        );
        assert!(check_quality(&[None], 60).is_ok());
    }
}
