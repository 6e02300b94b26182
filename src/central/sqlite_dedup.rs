//! Central's SQLite store, the part for possible duplicate people: the pairs found at import,
//! each stored once in registration id order, and the decisions on them.

use super::dedup::{fingers_from_json, fingers_json};
use super::sql;
use super::{BatchSearch, Decision, DecisionRow, DuplicateRow, Error, Result};
use rusqlite::{Connection, Transaction, params};

/// Writes the pairs a batch's search found; a pair listed before is left as it is.
pub(super) fn insert_found(tx: &Transaction<'_>, search: &BatchSearch, now: &str) -> Result<()> {
    for d in &search.found {
        let (first, second) = d.ordered();
        tx.execute(
            &sql::lite(sql::INSERT_DUPLICATE),
            params![
                first,
                second,
                f64::from(d.score),
                fingers_json(&d.fingers),
                now
            ],
        )
        .map_err(Error::Db)?;
    }
    Ok(())
}

/// Every listed pair, with the station of each record.
pub(super) fn duplicates(conn: &Connection) -> Result<Vec<DuplicateRow>> {
    let mut stmt = conn
        .prepare(&sql::lite(sql::DUPLICATES))
        .map_err(Error::Db)?;
    let rows = stmt
        .query_map([], duplicate_row)
        .map_err(Error::Db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(Error::Db)?;
    Ok(rows)
}

/// Records the decision on pair `id` (once: a decided pair is left as it is); whether it did.
pub(super) fn decide(conn: &Connection, id: u64, d: &DecisionRow) -> Result<bool> {
    let changed = conn
        .execute(
            &sql::lite(sql::DECIDE),
            params![id as i64, d.decision.as_str(), d.by, d.reason, d.at],
        )
        .map_err(Error::Db)?;
    Ok(changed == 1)
}

fn duplicate_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DuplicateRow> {
    let decision = match (
        r.get::<_, Option<String>>(7)?,
        r.get::<_, Option<String>>(8)?,
    ) {
        (Some(d), Some(by)) => Decision::parse(&d).map(|decision| DecisionRow {
            decision,
            by,
            reason: r
                .get::<_, Option<String>>(9)
                .ok()
                .flatten()
                .unwrap_or_default(),
            at: r
                .get::<_, Option<String>>(10)
                .ok()
                .flatten()
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(DuplicateRow {
        id: r.get::<_, i64>(0)? as u64,
        first: r.get(1)?,
        first_station: r.get(2)?,
        second: r.get(3)?,
        second_station: r.get(4)?,
        score: r.get::<_, f64>(5)? as f32,
        fingers: fingers_from_json(&r.get::<_, String>(6)?),
        found_at: r.get(11)?,
        decision,
    })
}
