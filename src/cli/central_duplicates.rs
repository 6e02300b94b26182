//! `kattoo central duplicates [--json]` and `kattoo central decide N --as … --by … --reason …`:
//! the possible duplicate people found at import, listed with both records for a central
//! operator, and the operator's decision on each.

use crate::central::{Central, CentralStore, DuplicateRow};
use crate::domain::enrollment::Record;
use serde_json::json;

/// One side of a listed pair, as the operator needs to compare them.
pub(super) struct Side {
    pub station: String,
    pub registration_id: String,
    /// Surname, given name and patronymic, or a note that the record does not read.
    pub name: String,
    pub birth_date: String,
    pub masked_pin: String,
}

fn side<S: CentralStore>(
    central: &Central<S>,
    registration_id: &str,
    station: &str,
) -> anyhow::Result<Side> {
    let json = central
        .store()
        .record(registration_id)?
        .map(|(_, json)| json);
    Ok(side_of(json.as_deref(), registration_id, station))
}

/// A record's side as the operator sees it, from its JSON (if central holds a readable one).
pub(super) fn side_of(json: Option<&[u8]>, registration_id: &str, station: &str) -> Side {
    let record = json.and_then(|json| serde_json::from_slice::<Record>(json).ok());
    let (name, birth_date, masked_pin) = match record {
        Some(r) => {
            let c = &r.citizen;
            let name = [Some(&c.surname), Some(&c.given_name), c.patronymic.as_ref()]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            (name, c.birth_date.to_string(), c.pin.masked())
        }
        None => (
            "(record does not read)".into(),
            String::new(),
            String::new(),
        ),
    };
    Side {
        station: station.to_owned(),
        registration_id: registration_id.to_owned(),
        name,
        birth_date,
        masked_pin,
    }
}

fn fingers_text(row: &DuplicateRow) -> String {
    row.fingers
        .iter()
        .map(|(p, s)| format!("{p} {s:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn status(row: &DuplicateRow) -> String {
    match &row.decision {
        None => "open".into(),
        Some(d) => format!(
            "{} by {} at {}: {}",
            d.decision.as_str(),
            d.by,
            d.at,
            d.reason
        ),
    }
}

/// Prints every listed pair, open ones first.
pub(super) fn list<S: CentralStore>(central: &Central<S>, as_json: bool) -> anyhow::Result<()> {
    let rows = central.duplicates()?;
    if as_json {
        let mut out = Vec::new();
        for row in &rows {
            let sides = [
                side(central, &row.first, &row.first_station)?,
                side(central, &row.second, &row.second_station)?,
            ];
            out.push(json!({
                "id": row.id,
                "score": row.score,
                "fingers": row.fingers.iter().map(|(p, s)| json!({"position": p.to_string(), "score": s})).collect::<Vec<_>>(),
                "found_at": row.found_at,
                "decision": row.decision.as_ref().map(|d| json!({
                    "decision": d.decision.as_str(), "by": d.by, "reason": d.reason, "at": d.at,
                })),
                "records": sides.iter().map(|s| json!({
                    "station": s.station,
                    "registration_id": s.registration_id,
                    "name": s.name,
                    "birth_date": s.birth_date,
                    "masked_pin": s.masked_pin,
                })).collect::<Vec<_>>(),
            }));
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if rows.is_empty() {
        println!("no possible duplicate people");
        return Ok(());
    }
    let open = rows.iter().filter(|r| r.decision.is_none()).count();
    println!(
        "{} possible duplicate people, {open} open (decide with `kattoo central decide N --as confirmed|not-a-duplicate --by NAME --reason TEXT`)",
        rows.len()
    );
    for row in &rows {
        println!(
            "#{}  score {:.3} ({})  {}  found {}",
            row.id,
            row.score,
            fingers_text(row),
            status(row),
            row.found_at
        );
        for s in [
            side(central, &row.first, &row.first_station)?,
            side(central, &row.second, &row.second_station)?,
        ] {
            println!(
                "    {:<10} {}  {}, born {}, PIN {}",
                s.station, s.registration_id, s.name, s.birth_date, s.masked_pin
            );
        }
    }
    Ok(())
}
