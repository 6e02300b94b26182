//! `kattoo central revoke-station | rekey-station | keys`: a station's keys at central.

use crate::central::{Central, CentralStore, Error};
use std::path::Path;

/// Revokes the station's current key and says what follows for its batches.
pub(super) fn revoke<S: CentralStore>(
    central: &mut Central<S>,
    station_id: &str,
    by: &str,
    reason: &str,
    now: &str,
) -> anyhow::Result<()> {
    // Read before the revocation, so that nothing fails once it is made.
    let next = central.next_record_number(station_id)?;
    let (station, revoked) = central.revoke_station(station_id, by, reason, now)?;
    let key = station.public_key.fingerprint();
    if revoked {
        println!(
            "station {station_id}: key {key} revoked; its batches are refused from now on, those imported before stay"
        );
    } else {
        println!("station {station_id}: key {key} was already revoked; nothing changed");
    }
    match next {
        Some(first) => println!(
            "when the station is set up again, set up the new laptop with `kattoo init … --first-sequence {first}` so that it repeats no registration id central holds, and register its new certificate with `kattoo central rekey-station`"
        ),
        None => println!("{NUMBERS_USED}"),
    }
    Ok(())
}

/// What `revoke-station` and `keys` say of a station that has given every record number.
const NUMBERS_USED: &str = "this station has given every record number (999,999): set up its replacement under a new station id, and register that with `kattoo central add-station`";

/// Registers a station's new key from its certificate file.
pub(super) fn rekey<S: CentralStore>(
    central: &mut Central<S>,
    certificate: &Path,
    by: &str,
    reason: &str,
    now: &str,
) -> anyhow::Result<()> {
    let bytes = super::read_input(certificate)?;
    let (entry, old) = central.rekey_station(&bytes, by, reason, now)?;
    println!(
        "station {}: new key {} registered; the old key {} is revoked and linked to it. Check the new fingerprint with the station out of band",
        entry.station_id,
        entry.public_key.fingerprint(),
        old.fingerprint()
    );
    Ok(())
}

/// Prints every key of a station, oldest first.
pub(super) fn list<S: CentralStore>(central: &Central<S>, station_id: &str) -> anyhow::Result<()> {
    let keys = central.station_keys(station_id)?;
    if keys.is_empty() {
        return Err(Error::UnknownStation(station_id.to_owned()).into());
    }
    for k in keys {
        let state = match &k.revoked {
            Some(r) => format!("revoked {} by {}: {}", r.at, r.by, r.reason),
            None => "current".to_owned(),
        };
        println!(
            "{}  added {}  {state}",
            k.public_key.fingerprint(),
            k.added_at
        );
        if let Some(l) = &k.link {
            println!(
                "    replaces {} (linked by {}: {})",
                l.replaces.fingerprint(),
                l.by,
                l.reason
            );
        }
    }
    match central.next_record_number(station_id)? {
        Some(first) => println!(
            "a laptop that replaces this station numbers its records from {first} (`kattoo init … --first-sequence`)"
        ),
        None => println!("{NUMBERS_USED}"),
    }
    Ok(())
}
