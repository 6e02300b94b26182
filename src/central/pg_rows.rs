//! How the PostgreSQL store's rows read as central's own types (the SQLite store reads the same
//! columns in the same order, `super::sql`).

use super::sqlite_keys::Raw as KeyRaw;
use super::{AcceptedBatch, Decision, DecisionRow, DuplicateRow, Result, StationEntry};
use postgres::Row;

pub(super) fn to_entry(r: &Row) -> Result<StationEntry> {
    super::sqlite::to_entry((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
}

pub(super) fn key_raw(r: &Row) -> KeyRaw {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
    )
}

pub(super) fn batch_row(r: &Row) -> AcceptedBatch {
    AcceptedBatch {
        station_id: r.get(0),
        sequence: r.get::<_, i64>(1) as u64,
        sha256: r.get(2),
        previous_sha256: r.get(3),
        record_count: r.get::<_, i64>(4) as u64,
        audit_head_seq: r.get::<_, i64>(5) as u64,
        audit_head_hash: r.get(6),
        imported_at: r.get(7),
    }
}

pub(super) fn duplicate_row(r: &Row) -> DuplicateRow {
    let decision = match (r.get::<_, Option<String>>(7), r.get::<_, Option<String>>(8)) {
        (Some(d), Some(by)) => Decision::parse(&d).map(|decision| DecisionRow {
            decision,
            by,
            reason: r.get::<_, Option<String>>(9).unwrap_or_default(),
            at: r.get::<_, Option<String>>(10).unwrap_or_default(),
        }),
        _ => None,
    };
    DuplicateRow {
        id: r.get::<_, i64>(0) as u64,
        first: r.get(1),
        first_station: r.get(2),
        second: r.get(3),
        second_station: r.get(4),
        score: r.get::<_, f64>(5) as f32,
        fingers: super::dedup::fingers_from_json(&r.get::<_, String>(6)),
        found_at: r.get(11),
        decision,
    }
}
