//! The voter list of a precinct (`kattoo/voter-list/v1`, `docs/formats/voter-list-v1.md`): the
//! citizens central holds as registered there, with the templates that identify each by finger,
//! signed by central. It is the input of polling-day identification.
//!
//! Central signs with an ed25519 key derived from its age identity (HKDF-SHA256 over the
//! identity's secret key, info [`SIGNING_KEY_INFO`]): it needs no storage of its own, is held
//! under the central passphrase like the identity, and is the same on every copy of central's
//! database. Its public key goes to polling stations out of band, as a station's does to central.

use super::{Central, CentralKey, CentralStore, Error, RegisterQuery, Result};
use crate::crypto::{PublicKey, Signature, StationKey};
use crate::domain::address::Precinct;
use crate::domain::enrollment::Record;
use base64::Engine;
use serde_json::{Value, json};

/// The schema of a voter list.
pub const VOTER_LIST_SCHEMA: &str = "kattoo/voter-list/v1";
/// What a voter list is signed under: `DOMAIN_VOTER_LIST || JCS(list)`.
pub const DOMAIN_VOTER_LIST: &[u8] = b"kattoo/voter-list/v1\n";
/// The HKDF info of central's signing key.
pub const SIGNING_KEY_INFO: &[u8] = b"kattoo/central-signing/v1";

impl CentralKey {
    /// Central's ed25519 signing key, derived from its (first) age identity.
    pub fn signing_key(&self) -> StationKey {
        let seed = self.derive(SIGNING_KEY_INFO);
        StationKey::from_seed(&seed[..]).expect("32 bytes is an ed25519 seed")
    }
}

/// A signed voter list: the file's bytes (JCS), its signature, and what it holds.
pub struct VoterList {
    /// `voter-list-<precinct>-<YYYYMMDD>.json`.
    pub file_name: String,
    pub json: Vec<u8>,
    pub signature: Signature,
    pub voters: usize,
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl<S: CentralStore> Central<S> {
    /// The voter list of `precinct` as central holds it now (current records: a corrected one
    /// is replaced by its correction), signed with `key`'s signing key. `issued_at` is a UTC
    /// timestamp `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn voter_list(
        &self,
        key: &CentralKey,
        precinct: &Precinct,
        issued_at: &str,
    ) -> Result<VoterList> {
        let entries = self
            .store
            .register(&RegisterQuery::Precinct(precinct.as_str().to_owned()))?;
        let mut voters = Vec::with_capacity(entries.len());
        for e in &entries {
            let record: Record = serde_json::from_slice(&e.record_json)
                .map_err(|_| Error::RecordUnreadable(e.registration_id.clone()))?;
            let c = serde_json::to_value(&record.citizen)
                .map_err(|_| Error::RecordUnreadable(e.registration_id.clone()))?;
            let fingers: Vec<Value> = self
                .store
                .templates_of(&e.registration_id)?
                .into_iter()
                .map(|(position, iso)| {
                    json!({"position": position, "format": "iso19794-2", "template": base64(&iso)})
                })
                .collect();
            voters.push(json!({
                "registration_id": e.registration_id,
                "station_id": e.station_id,
                "surname": c["surname"],
                "given_name": c["given_name"],
                "patronymic": c["patronymic"],
                "sex": c["sex"],
                "birth_date": c["birth_date"],
                "pin": c["pin"],
                "fingers": fingers,
            }));
        }
        // The register lists by PIN; the file lists by registration id.
        voters.sort_by(|a, b| {
            a["registration_id"]
                .as_str()
                .cmp(&b["registration_id"].as_str())
        });
        let signing = key.signing_key();
        let list = json!({
            "schema": VOTER_LIST_SCHEMA,
            "precinct": precinct.as_str(),
            "issued_at": issued_at,
            "central_key": signing.public_key().fingerprint(),
            "voter_count": voters.len(),
            "voters": voters,
        });
        let json = crate::crypto::canonical_json(&list)
            .map_err(|_| Error::VoterListForm("cannot be put in canonical form (JCS)".into()))?;
        let signature = signing.sign(DOMAIN_VOTER_LIST, &json);
        let date: String = issued_at
            .chars()
            .take(10)
            .filter(char::is_ascii_digit)
            .collect();
        Ok(VoterList {
            file_name: format!("voter-list-{}-{date}.json", precinct.as_str()),
            voters: entries.len(),
            json,
            signature,
        })
    }
}

/// What a verified voter list says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoterListInfo {
    pub precinct: String,
    pub issued_at: String,
    pub voters: usize,
}

/// Checks a voter list as a polling station would: signed by `central` over exactly these
/// bytes, in JCS form, of this schema, its count is its list's length, and it is the list of
/// `precinct`, the polling station's own (a genuine list of the next precinct is refused too).
pub fn verify_voter_list(
    json: &[u8],
    signature_file: &[u8],
    central: &PublicKey,
    precinct: &Precinct,
) -> Result<VoterListInfo> {
    let signature = Signature::from_file(signature_file).map_err(Error::VoterListSignature)?;
    central
        .verify(DOMAIN_VOTER_LIST, json, &signature)
        .map_err(Error::VoterListSignature)?;
    let form = |why: &str| Error::VoterListForm(why.to_owned());
    let value: Value = serde_json::from_slice(json).map_err(|_| form("not JSON"))?;
    if crate::crypto::canonical_json(&value).ok().as_deref() != Some(json) {
        return Err(form("not in canonical form (JCS)"));
    }
    if value["schema"] != VOTER_LIST_SCHEMA {
        return Err(form("not a kattoo/voter-list/v1"));
    }
    let voters = value["voters"]
        .as_array()
        .ok_or_else(|| form("no voters list"))?;
    if value["voter_count"].as_u64() != Some(voters.len() as u64) {
        return Err(form("voter_count differs from the list"));
    }
    if value["central_key"] != central.fingerprint() {
        return Err(form("central_key names another key"));
    }
    let listed = value["precinct"]
        .as_str()
        .ok_or_else(|| form("no precinct"))?;
    if listed != precinct.as_str() {
        return Err(Error::VoterListPrecinct {
            listed: listed.to_owned(),
            expected: precinct.as_str().to_owned(),
        });
    }
    Ok(VoterListInfo {
        precinct: listed.to_owned(),
        issued_at: value["issued_at"].as_str().unwrap_or_default().to_owned(),
        voters: voters.len(),
    })
}
