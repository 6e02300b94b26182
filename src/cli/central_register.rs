//! `kattoo central find --pin PIN`, `kattoo central precinct P` and `kattoo central
//! duplicate-pins`: the register's answers for a central operator, by PIN, by precinct, and the
//! PINs held at more than one station (listed from the register itself, so batches imported at
//! once are never missed).

use super::central_duplicates::side;
use crate::central::{Central, CentralStore, RegisterEntry, RegisterQuery};
use serde_json::json;

/// Prints the register's answer to `query`; how many records it lists.
pub(super) fn list<S: CentralStore>(
    central: &Central<S>,
    query: &RegisterQuery,
    as_json: bool,
) -> anyhow::Result<usize> {
    let entries = central.store().register(query)?;
    let mut rows = Vec::new();
    for e in &entries {
        rows.push((e, side(central, &e.registration_id, &e.station_id)?));
    }
    if as_json {
        let out: Vec<_> = rows
            .iter()
            .map(|(e, s)| {
                json!({
                    "registration_id": e.registration_id,
                    "station": e.station_id,
                    "precinct": e.precinct,
                    "masked_pin": s.masked_pin,
                    "name": s.name,
                    "birth_date": s.birth_date,
                    "superseded_by": e.superseded_by,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(entries.len());
    }
    println!(
        "{:<24} {:<8} {:<8} {:<14} {:<10}  {}",
        "REGISTRATION ID", "STATION", "PRECINCT", "PIN", "BORN", "NAME"
    );
    for (e, s) in &rows {
        println!(
            "{:<24} {:<8} {:<8} {:<14} {:<10}  {}{}",
            e.registration_id,
            e.station_id,
            e.precinct,
            s.masked_pin,
            s.birth_date,
            s.name,
            status(e)
        );
    }
    println!("{} records", entries.len());
    Ok(entries.len())
}

fn status(e: &RegisterEntry) -> String {
    match &e.superseded_by {
        Some(newer) => format!(" (corrected by {newer})"),
        None => String::new(),
    }
}
