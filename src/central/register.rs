//! The register's questions, asked of either store: who holds a PIN, who is registered at a
//! precinct, and which PINs are held at more than one station. Each is one indexed query (see
//! `benches/README.md` for their plans and times at 3.5 million records).

use super::{Error, Result};

/// A question to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterQuery {
    /// Every record holding this PIN, superseded ones included.
    Pin(String),
    /// The current (not superseded) records of citizens who vote at this precinct.
    Precinct(String),
    /// Every record whose PIN is also held at another station.
    PinsAtSeveralStations,
}

/// One record as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub registration_id: String,
    pub station_id: String,
    pub precinct: String,
    pub pin: String,
    /// The record that corrected this one, if any.
    pub superseded_by: Option<String>,
    /// The signed record itself (JCS), so that listing names needs no second read.
    pub record_json: Vec<u8>,
}

/// A row of the register's SQL: registration id, station, precinct, the record superseding it,
/// the record JSON.
pub(super) type RegisterRow = (String, String, String, Option<String>, Vec<u8>);

impl RegisterQuery {
    /// The query over `records r` in SQL both stores read, with its one value as `$1`; `pin`
    /// names the column a PIN is looked up by (its keyed hash where citizens' data is sealed).
    pub fn sql(&self, pin: &str) -> String {
        let filter = match self {
            RegisterQuery::Pin(_) => format!("r.{pin} = $1"),
            RegisterQuery::Precinct(_) => "r.precinct = $1 AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes = r.registration_id)".to_owned(),
            // The value is unused (`$1 = ''` keeps one parameter for every query).
            RegisterQuery::PinsAtSeveralStations => format!(
                "$1 = '' AND r.{pin} IN (SELECT {pin} FROM records GROUP BY {pin} HAVING count(DISTINCT station_id) > 1)"
            ),
        };
        format!(
            "SELECT r.registration_id, r.station_id, r.precinct,
                (SELECT s.registration_id FROM records s WHERE s.supersedes = r.registration_id LIMIT 1),
                r.record_json
            FROM records r WHERE {filter}"
        )
    }
}

/// The PIN a record holds.
#[derive(serde::Deserialize)]
struct Holder {
    citizen: Pin,
}

#[derive(serde::Deserialize)]
struct Pin {
    pin: String,
}

/// The register's entries from its rows (each opened where the store seals them), with the PIN
/// each record holds, in the register's order: by PIN, then registration id.
pub(super) fn entries(
    rows: impl Iterator<Item = Result<RegisterRow>>,
) -> Result<Vec<RegisterEntry>> {
    let mut entries = rows
        .map(|row| {
            let (registration_id, station_id, precinct, superseded_by, record_json) = row?;
            let holder: Holder = serde_json::from_slice(&record_json)
                .map_err(|_| Error::RecordUnreadable(registration_id.clone()))?;
            Ok(RegisterEntry {
                registration_id,
                station_id,
                precinct,
                pin: holder.citizen.pin,
                superseded_by,
                record_json,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    entries.sort_by(|a, b| (&a.pin, &a.registration_id).cmp(&(&b.pin, &b.registration_id)));
    Ok(entries)
}
