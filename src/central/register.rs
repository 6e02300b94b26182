//! The register's questions, asked of either store: who holds a PIN, who is registered at a
//! precinct, and which PINs are held at more than one station. Each is one indexed query (see
//! `benches/README.md` for their plans and times at 3.5 million records).

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

/// The register's columns, in [`RegisterEntry`]'s order, for both stores' SQL (`$1` is the
/// query's value).
pub(super) const REGISTER_SELECT: &str =
    "SELECT r.registration_id, r.station_id, r.precinct, r.pin,
        (SELECT s.registration_id FROM records s WHERE s.supersedes = r.registration_id LIMIT 1),
        r.record_json
    FROM records r";

impl RegisterQuery {
    /// The query's `WHERE` clause and its one value (`$1`).
    pub(super) fn sql_filter(&self) -> (&'static str, &str) {
        match self {
            RegisterQuery::Pin(pin) => ("r.pin = $1", pin),
            RegisterQuery::Precinct(precinct) => (
                "r.precinct = $1 AND NOT EXISTS (SELECT 1 FROM records s WHERE s.supersedes = r.registration_id)",
                precinct,
            ),
            // The value is unused (`$1 = ''` keeps one parameter for both stores).
            RegisterQuery::PinsAtSeveralStations => (
                "$1 = '' AND r.pin IN (SELECT pin FROM records GROUP BY pin HAVING count(DISTINCT station_id) > 1)",
                "",
            ),
        }
    }
}
