//! Station keys at central: revoking a station's key (a stolen laptop), and registering the new
//! key of a re-keyed station, linked to the key it replaces with who did it and why.
//!
//! A batch signed by a revoked key is refused ([`Error::RevokedStationKey`]), whatever its
//! number. A re-keyed station is a new install under the same station id: its batches and its
//! audit chain are numbered from 1 again, per key, and the old key's accepted batches stay.

use super::{Central, CentralStore, Error, Result, StationEntry};
use crate::batch::StationCertificate;
use crate::crypto::PublicKey;

/// One key a station has signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationKeyRow {
    pub station_id: String,
    pub public_key: PublicKey,
    pub added_at: String,
    /// The key this one replaced, and who linked them and why.
    pub link: Option<KeyLink>,
    pub revoked: Option<Revocation>,
}

/// Who revoked a key, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: String,
    pub by: String,
    pub reason: String,
}

/// A new key's link to the key it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLink {
    pub replaces: PublicKey,
    pub at: String,
    pub by: String,
    pub reason: String,
}

fn require(by: &str, reason: &str) -> Result<()> {
    if by.trim().is_empty() || reason.trim().is_empty() {
        return Err(Error::KeyChangeIncomplete);
    }
    Ok(())
}

impl<S: CentralStore> Central<S> {
    /// Revokes the current key of `station_id`: its batches are refused from now on, those
    /// accepted before stay. Returns the station and whether the key was revoked now (false:
    /// it already was).
    pub fn revoke_station(
        &mut self,
        station_id: &str,
        by: &str,
        reason: &str,
        now: &str,
    ) -> Result<(StationEntry, bool)> {
        require(by, reason)?;
        let station = self
            .store
            .station(station_id)?
            .ok_or_else(|| Error::UnknownStation(station_id.to_owned()))?;
        let revoked = self.store.revoke_key(
            &station.public_key,
            &Revocation {
                at: now.to_owned(),
                by: by.trim().to_owned(),
                reason: reason.trim().to_owned(),
            },
        )?;
        tracing::warn!(station = %station_id, key = %station.public_key.fingerprint(), revoked, "station key revoked");
        Ok((station, revoked))
    }

    /// Registers the new key of a known station from its new certificate (self-signature
    /// checked), revoking the key it replaces if it is not revoked yet, and links the two.
    /// Returns the station with its new key, and the key it replaced.
    pub fn rekey_station(
        &mut self,
        certificate: &[u8],
        by: &str,
        reason: &str,
        now: &str,
    ) -> Result<(StationEntry, PublicKey)> {
        require(by, reason)?;
        let (cert, key) = StationCertificate::verify(certificate)?;
        let old = self
            .store
            .station(&cert.station_id)?
            .ok_or_else(|| Error::UnknownStation(cert.station_id.clone()))?;
        if let Some(known) = self.store.station_key(&key)? {
            return Err(Error::KeyInUse {
                station: known.station_id,
                fingerprint: key.fingerprint(),
            });
        }
        let entry = StationEntry::new(&cert, key, now);
        self.store.rekey_station(
            &entry,
            certificate,
            &KeyLink {
                replaces: old.public_key,
                at: now.to_owned(),
                by: by.trim().to_owned(),
                reason: reason.trim().to_owned(),
            },
        )?;
        tracing::warn!(
            station = %entry.station_id,
            old = %old.public_key.fingerprint(),
            new = %entry.public_key.fingerprint(),
            "station re-keyed"
        );
        Ok((entry, old.public_key))
    }

    /// The number a laptop that replaces `station_id`'s numbers its first record from
    /// (`kattoo init --first-sequence`): one past the highest record number central holds for
    /// the station, under any of its keys, so that the replacement never repeats a
    /// registration id central holds. Numbers the old laptop gave that never reached central
    /// are given again (batches of a revoked key are refused, so those records never arrive;
    /// their citizens register again). `None` when the station has used every number: the
    /// replacement needs a new station id.
    pub fn next_record_number(&self, station_id: &str) -> Result<Option<u64>> {
        let Some(id) = self.store.last_record_id(station_id)? else {
            return Ok(Some(1));
        };
        let id: crate::domain::RegistrationId = id
            .parse()
            .map_err(|_| Error::RecordUnreadable(id.clone()))?;
        let last = id.sequence();
        Ok((last < crate::domain::registration_id::MAX_SEQUENCE).then_some(last + 1))
    }

    /// Every key of `station_id`, oldest first.
    pub fn station_keys(&self, station_id: &str) -> Result<Vec<StationKeyRow>> {
        self.store.station_keys(station_id)
    }

    /// Refuses a batch whose key is not the station's current, unrevoked key.
    pub(super) fn check_station_key(&self, station: &StationEntry, key: &PublicKey) -> Result<()> {
        let revoked = |k: &PublicKey| Error::RevokedStationKey {
            station: station.station_id.clone(),
            fingerprint: k.fingerprint(),
        };
        if station.public_key != *key {
            return match self.store.station_key(key)? {
                Some(k) if k.station_id == station.station_id && k.revoked.is_some() => {
                    Err(revoked(key))
                }
                _ => Err(Error::WrongStationKey {
                    station: station.station_id.clone(),
                    found: key.fingerprint(),
                    registered: station.public_key.fingerprint(),
                }),
            };
        }
        match self.store.station_key(key)? {
            Some(k) if k.revoked.is_some() => Err(revoked(key)),
            _ => Ok(()),
        }
    }
}
