//! The JSON bodies of MOSIP SBI 0.9.5 (MOSIPDISC, MOSIPDINFO, RCAPTURE, STREAM), shared by the
//! client and the simulator so that both speak exactly the same field names.

use crate::domain::FingerPosition;
use crate::hal::FingerSet;
use serde::{Deserialize, Serialize};

/// The SBI specification version kattoo speaks.
pub const SPEC_VERSION: &str = "0.9.5";

/// `error` block present in most SBI responses; `errorCode` "0" means success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SbiErrorBlock {
    #[serde(rename = "errorCode", default)]
    pub error_code: String,
    #[serde(rename = "errorInfo", default)]
    pub error_info: String,
}

impl SbiErrorBlock {
    /// "0" / "Success".
    pub fn success() -> Self {
        Self {
            error_code: "0".into(),
            error_info: "Success".into(),
        }
    }
    /// Whether the block reports success (code "0" or missing).
    pub fn is_success(&self) -> bool {
        matches!(self.error_code.trim(), "" | "0")
    }
}

/// MOSIPDISC request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiscoverRequest {
    /// "Biometric Device", "Finger", "Face" or "Iris".
    #[serde(rename = "type")]
    pub device_type: String,
}

/// One entry of the MOSIPDISC response array.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct DiscoveredEntry {
    pub device_id: String,
    pub device_status: String,
    pub certification: String,
    pub service_version: String,
    #[serde(deserialize_with = "strings_or_numbers")]
    pub device_sub_id: Vec<String>,
    pub callback_id: String,
    /// Unsigned digital id: base64url(JSON).
    pub digital_id: String,
    pub device_code: String,
    pub spec_version: Vec<String>,
    pub purpose: String,
    pub error: Option<SbiErrorBlock>,
}

/// The digital id payload.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct DigitalId {
    pub serial_no: String,
    pub make: String,
    pub model: String,
    #[serde(rename = "type")]
    pub device_type: String,
    pub device_sub_type: String,
    pub device_provider: String,
    pub device_provider_id: String,
    pub date_time: String,
}

/// One entry of the MOSIPDINFO response array; `deviceInfo` is a JWS (or bare base64url payload
/// for an unregistered device).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InfoEntry {
    pub device_info: String,
    pub error: Option<SbiErrorBlock>,
}

/// The payload of `deviceInfo`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceInfoPayload {
    pub device_status: String,
    pub device_id: String,
    pub firmware: String,
    pub certification: String,
    pub service_version: String,
    #[serde(deserialize_with = "strings_or_numbers")]
    pub device_sub_id: Vec<String>,
    pub callback_id: String,
    /// Signed digital id (JWS).
    pub digital_id: String,
    pub device_code: String,
    pub env: String,
    pub purpose: String,
    pub spec_version: Vec<String>,
}

/// RCAPTURE request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRequestBody {
    pub env: String,
    pub purpose: String,
    pub spec_version: String,
    /// Milliseconds, sent as a string as the reference clients do.
    pub timeout: String,
    pub capture_time: String,
    pub transaction_id: String,
    pub bio: Vec<BioRequest>,
    #[serde(default)]
    pub custom_opts: Option<serde_json::Value>,
}

/// One `bio` element of a capture request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BioRequest {
    #[serde(rename = "type")]
    pub bio_type: String,
    pub count: String,
    #[serde(default)]
    pub bio_sub_type: Vec<String>,
    #[serde(default)]
    pub exception: Vec<String>,
    pub requested_score: String,
    pub device_id: String,
    pub device_sub_id: String,
    pub previous_hash: String,
}

/// RCAPTURE response body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaptureResponseBody {
    pub biometrics: Vec<BiometricEntry>,
}

/// One captured biometric (or an error); `data` is a JWS over [`BiometricData`].
#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct BiometricEntry {
    pub spec_version: String,
    pub data: String,
    pub hash: String,
    pub error: Option<SbiErrorBlock>,
}

/// The signed payload of one captured biometric.
#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct BiometricData {
    pub digital_id: String,
    pub device_code: String,
    pub device_service_version: String,
    pub bio_type: String,
    pub bio_sub_type: String,
    pub purpose: String,
    pub env: String,
    /// base64url of the ISO record.
    pub bio_value: String,
    pub transaction_id: String,
    pub timestamp: String,
    #[serde(deserialize_with = "number_or_string")]
    pub requested_score: Option<f64>,
    #[serde(deserialize_with = "number_or_string")]
    pub quality_score: Option<f64>,
}

// Debug never shows biometric bytes (`data`, `bioValue`): only their length.
impl std::fmt::Debug for BiometricEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BiometricEntry")
            .field("spec_version", &self.spec_version)
            .field("data_len", &self.data.len())
            .field("hash", &self.hash)
            .field("error", &self.error)
            .finish()
    }
}

impl std::fmt::Debug for BiometricData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BiometricData")
            .field("bio_type", &self.bio_type)
            .field("bio_sub_type", &self.bio_sub_type)
            .field("device_code", &self.device_code)
            .field("transaction_id", &self.transaction_id)
            .field("bio_value_len", &self.bio_value.len())
            .field("requested_score", &self.requested_score)
            .field("quality_score", &self.quality_score)
            .finish()
    }
}

/// STREAM request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamRequestBody {
    pub device_id: String,
    pub device_sub_id: String,
    /// Milliseconds.
    #[serde(default)]
    pub timeout: Option<String>,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn strings_or_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        serde_json::Value::String(s) => vec![s],
        serde_json::Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    })
}

/// The SBI `bioSubType` name of a finger ("Right IndexFinger", "Left Thumb", …).
pub fn finger_sub_type(p: FingerPosition) -> &'static str {
    use FingerPosition::*;
    match p {
        RightThumb => "Right Thumb",
        RightIndex => "Right IndexFinger",
        RightMiddle => "Right MiddleFinger",
        RightRing => "Right RingFinger",
        RightLittle => "Right LittleFinger",
        LeftThumb => "Left Thumb",
        LeftIndex => "Left IndexFinger",
        LeftMiddle => "Left MiddleFinger",
        LeftRing => "Left RingFinger",
        LeftLittle => "Left LittleFinger",
    }
}

/// The finger named by an SBI `bioSubType`.
pub fn finger_from_sub_type(s: &str) -> Option<FingerPosition> {
    FingerPosition::ALL
        .into_iter()
        .find(|p| finger_sub_type(*p).eq_ignore_ascii_case(s.trim()))
}

/// The `deviceSubId` of a finger set: 1 left slap, 2 right slap, 3 thumbs (single fingers use the
/// slap of their hand).
pub fn finger_device_sub_id(set: FingerSet) -> u8 {
    use FingerPosition::*;
    match set {
        FingerSet::LeftSlap => 1,
        FingerSet::RightSlap => 2,
        FingerSet::Thumbs | FingerSet::Single(RightThumb | LeftThumb) => 3,
        FingerSet::Single(LeftIndex | LeftMiddle | LeftRing | LeftLittle) => 1,
        FingerSet::Single(_) => 2,
    }
}

/// The finger set a finger `deviceSubId` names.
pub fn finger_set_of_sub_id(id: u8) -> Option<FingerSet> {
    match id {
        1 => Some(FingerSet::LeftSlap),
        2 => Some(FingerSet::RightSlap),
        3 => Some(FingerSet::Thumbs),
        _ => None,
    }
}

/// The hex upper-case SHA-256 of the empty string: the `previousHash` of a transaction's first capture.
pub fn initial_hash() -> String {
    use sha2::Digest;
    hex::encode_upper(sha2::Sha256::digest(b""))
}

/// The next link of the capture hash chain: `SHA256(bytes(previous) || SHA256(iso))`, hex upper
/// case. An empty or malformed `previous` counts as the hash of the empty string.
pub fn chain_hash(previous: &str, iso: &[u8]) -> String {
    use sha2::Digest;
    let prev = hex::decode(previous.trim())
        .ok()
        .filter(|b| b.len() == 32)
        .unwrap_or_else(|| sha2::Sha256::digest(b"").to_vec());
    let mut h = sha2::Sha256::new();
    h.update(&prev);
    h.update(sha2::Sha256::digest(iso));
    hex::encode_upper(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_type_names_round_trip() {
        for p in FingerPosition::ALL {
            assert_eq!(finger_from_sub_type(finger_sub_type(p)), Some(p));
        }
        assert_eq!(finger_from_sub_type("UNKNOWN"), None);
    }

    #[test]
    fn hash_chain_matches_the_specification() {
        // SHA-256("") is the well-known e3b0c442…b855.
        assert_eq!(
            initial_hash(),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
        let h1 = chain_hash(&initial_hash(), b"iso one");
        assert_eq!(
            h1,
            chain_hash("", b"iso one"),
            "an empty previous hash is the empty-string hash"
        );
        assert_ne!(
            chain_hash(&h1, b"iso two"),
            chain_hash(&initial_hash(), b"iso two")
        );
        assert_eq!(h1.len(), 64);
    }

    #[test]
    fn lenient_numbers_and_sub_ids() {
        let d: BiometricData =
            serde_json::from_str(r#"{"qualityScore":"80.5","requestedScore":40}"#).unwrap();
        assert_eq!(
            (d.quality_score, d.requested_score),
            (Some(80.5), Some(40.0))
        );
        let e: DiscoveredEntry = serde_json::from_str(r#"{"deviceSubId":[1,2,"3"]}"#).unwrap();
        assert_eq!(e.device_sub_id, ["1", "2", "3"]);
    }
}
