//! The single station row: identity, signing key seed, record sequence and audit head.

use super::{Db, Error, Result};
use rusqlite::{OptionalExtension, params};

/// The station as stored.
#[derive(Clone)]
pub struct StationRow {
    pub station_id: String,
    pub name: String,
    pub region: String,
    pub precincts: Vec<String>,
    pub signing_seed: zeroize::Zeroizing<Vec<u8>>,
    pub created_at: String,
}

impl Db<'_> {
    /// Writes the station row (once, at init).
    pub fn insert_station(&self, s: &StationRow) -> Result<()> {
        let precincts = serde_json::to_string(&s.precincts).expect("strings serialise");
        self.0.execute(
            "INSERT INTO station (id, station_id, name, region, precincts, signing_seed, created_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.station_id, s.name, s.region, precincts, &s.signing_seed[..], s.created_at],
        )?;
        Ok(())
    }

    /// The station row.
    pub fn station(&self) -> Result<StationRow> {
        self.0
            .query_row(
                "SELECT station_id, name, region, precincts, signing_seed, created_at FROM station WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::Corrupt("the station row is missing".into()))
            .and_then(|(station_id, name, region, precincts, seed, created_at)| {
                let precincts = serde_json::from_str(&precincts)
                    .map_err(|e| Error::Corrupt(format!("station precinct list: {e}")))?;
                Ok(StationRow {
                    station_id,
                    name,
                    region,
                    precincts,
                    signing_seed: zeroize::Zeroizing::new(seed),
                    created_at,
                })
            })
    }

    /// Makes `first` the number of the first record of a station that has numbered none yet.
    pub fn number_from(&self, first: u64) -> Result<()> {
        let changed = self.0.execute(
            "UPDATE station SET last_sequence = ?1 WHERE id = 1 AND last_sequence = 0",
            [first as i64 - 1],
        )?;
        if changed != 1 {
            return Err(Error::Corrupt(
                "the station's numbering was set after it had begun".into(),
            ));
        }
        Ok(())
    }

    /// Takes the next record sequence number (call inside the transaction that inserts the record).
    pub fn next_sequence(&self) -> Result<u64> {
        let n: i64 = self.0.query_row(
            "UPDATE station SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// The number of records ever numbered.
    pub fn last_sequence(&self) -> Result<u64> {
        Ok(self
            .0
            .query_row("SELECT last_sequence FROM station WHERE id = 1", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}
