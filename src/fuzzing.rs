//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, never in a shipped build):
//! thin wrappers that reach parsers the public API only calls after decryption, a signature or
//! an HTTP exchange. Each does what the real caller does with the bytes and nothing else.

use crate::batch::{self, VerifiedBatch};
use crate::crypto::PublicKey;
use crate::hal::sbi::protocol::{CaptureResponseBody, DeviceInfoPayload, DigitalId, chain_hash};
use crate::hal::sbi::{self, Trust, TrustPolicy, jws};
use crate::hal::{CaptureRequest, DeviceError, FingerImage, FingerSet, Provenance};

/// Batch verification of an already decrypted batch: `tar` is the plain tar inside the age
/// file, checked under the real limits exactly as `verify_batch` checks it after decryption.
pub fn verify_plain_tar(
    tar: &[u8],
    station_key: Option<&PublicKey>,
) -> batch::Result<VerifiedBatch> {
    batch::verify::verify_plain(
        tar,
        station_key,
        &mut |_, _| Ok(()),
        batch::verify::Limits::BATCH,
    )
}

/// A MOSIPDISC answer as `SbiClient::discover` reads it.
pub fn sbi_discovery(bytes: &[u8]) -> Result<Vec<sbi::Discovered>, DeviceError> {
    sbi::parse_discovery(bytes, 4501)
}

/// A MOSIPDINFO answer as `SbiClient::info` reads it, signatures checked under `policy`.
pub fn sbi_device_info(
    bytes: &[u8],
    policy: &TrustPolicy,
) -> Result<Vec<(DeviceInfoPayload, DigitalId, Trust)>, DeviceError> {
    Ok(sbi::parse_info(bytes, policy)?
        .into_iter()
        .map(|d| (d.info, d.digital_id, d.trust))
        .collect())
}

/// What an RCAPTURE answer became.
#[derive(Debug)]
pub enum SbiCaptured {
    Fingers(Vec<FingerImage>),
    Face(sbi::FaceCapture),
}

/// An RCAPTURE answer as the SBI devices check it: entries (signatures, transaction, modality,
/// hash chain from `previous_hash`), then the finger images of `set` or the face still.
///
/// With `fix_chain`, each entry's `hash` is first set to the right chain hash over its ISO
/// record (when its payload decodes), so that a fuzzer reaches the record decoding behind the
/// chain check, as a checksum is fixed up; the transaction id is taken from the first entry.
pub fn sbi_capture(
    bytes: &[u8],
    policy: &TrustPolicy,
    set: Option<FingerSet>,
    previous_hash: &str,
    fix_chain: bool,
) -> Result<(SbiCaptured, Trust, String), DeviceError> {
    let mut resp: CaptureResponseBody = sbi::parse_json(bytes, "capture")?;
    let mut transaction_id = String::from("kattoo-fuzz");
    if fix_chain {
        let mut hash = previous_hash.to_owned();
        for (i, entry) in resp.biometrics.iter_mut().enumerate() {
            let Ok((payload, _)) = jws::verify(&entry.data, policy, "capture data") else {
                break;
            };
            let Ok(data) = serde_json::from_slice::<sbi::protocol::BiometricData>(&payload) else {
                break;
            };
            if i == 0 {
                transaction_id = data.transaction_id.clone();
            }
            let Ok(iso) = jws::b64url_decode(&data.bio_value) else {
                break;
            };
            hash = chain_hash(&hash, &iso);
            entry.hash = hash.clone();
        }
    }
    let bio_type = if set.is_some() { "Finger" } else { "Face" };
    let (entries, trust, hash) =
        sbi::check_entries(resp, &transaction_id, bio_type, previous_hash, policy)?;
    let source = Provenance::simulated("fuzz");
    let captured = match set {
        Some(set) => {
            let request = CaptureRequest {
                set,
                exceptions: Vec::new(),
                requested_quality: 0,
                timeout: std::time::Duration::from_secs(1),
            };
            SbiCaptured::Fingers(sbi::finger_images(entries, &request, &source)?)
        }
        None => SbiCaptured::Face(sbi::face_capture(entries, 0, &source)?),
    };
    Ok((captured, trust, hash))
}

/// `kattoo enroll --manifest`: the manifest's text read line by line into the files each line
/// names under `base`, as the command reads it before saving. For each entry, its line number
/// and whether it loaded.
pub fn manifest(text: &str, base: &std::path::Path) -> Vec<(usize, Result<(), String>)> {
    crate::cli::enroll::manifest_entries(text, base)
        .map(|(n, entry)| (n, entry.map(|_| ()).map_err(|e| format!("{e:#}"))))
        .collect()
}
