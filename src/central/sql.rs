//! The statements both stores run: SQL that SQLite and PostgreSQL read alike, with PostgreSQL's
//! `$N` parameters; the SQLite store runs them through [`lite`].

/// `stmt` for SQLite: its `$N` parameters written `?N`, which SQLite binds by number (a `$N` it
/// would take as a name, bound in the order the names first appear).
pub(super) fn lite(stmt: &str) -> String {
    let mut out = String::with_capacity(stmt.len());
    let mut chars = stmt.chars().peekable();
    while let Some(c) = chars.next() {
        let numbered = c == '$' && chars.peek().is_some_and(char::is_ascii_digit);
        out.push(if numbered { '?' } else { c });
    }
    out
}

#[test]
fn sqlite_parameters_are_numbered() {
    assert_eq!(
        lite("UPDATE t SET a = $2 WHERE b = $1 AND c = '$x'"),
        "UPDATE t SET a = ?2 WHERE b = ?1 AND c = '$x'"
    );
}

/// A biometric file by SHA-256.
pub(super) const BIOMETRIC: &str = "SELECT data FROM biometrics WHERE sha256 = $1";

/// An accepted batch.
pub(super) const INSERT_BATCH: &str = "INSERT INTO batches (station_id, station_key, sequence, sha256, previous_sha256, record_count, audit_head_seq, audit_head_hash, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// One record of an accepted batch.
pub(super) const INSERT_RECORD: &str = "INSERT INTO records (registration_id, station_id, batch_sequence, pin, precinct, record_json, signature, supersedes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// One audit row of an accepted batch.
pub(super) const INSERT_AUDIT: &str = "INSERT INTO audit (station_id, station_key, seq, event, prev, hash) VALUES ($1, $2, $3, $4, $5, $6)";

/// Central's template of one searched finger.
pub(super) const INSERT_TEMPLATE: &str =
    "INSERT INTO templates (registration_id, position, iso) VALUES ($1, $2, $3)";

/// A station registered.
pub(super) const INSERT_STATION: &str = "INSERT INTO stations (station_id, name, region, public_key, certificate, added_at) VALUES ($1, $2, $3, $4, $5, $6)";

/// A station's first key.
pub(super) const INSERT_STATION_KEY: &str = "INSERT INTO station_keys (public_key, station_id, certificate, added_at) VALUES ($1, $2, $3, $4)";

/// A station by id.
pub(super) const STATION: &str =
    "SELECT station_id, name, region, public_key, added_at FROM stations WHERE station_id = $1";

/// Every station, by id.
pub(super) const STATIONS: &str =
    "SELECT station_id, name, region, public_key, added_at FROM stations ORDER BY station_id";

/// The batch of a file SHA-256.
pub(super) const BATCH_BY_SHA: &str = "SELECT station_id, sequence FROM batches WHERE sha256 = $1";

/// A station's batches under its current key, by sequence.
pub(super) const BATCHES: &str = "SELECT station_id, sequence, sha256, previous_sha256, record_count, audit_head_seq, audit_head_hash, imported_at FROM batches WHERE station_id = $1 AND station_key = (SELECT public_key FROM stations WHERE station_id = $1) ORDER BY sequence";

/// A station's records.
pub(super) const RECORD_COUNT: &str = "SELECT count(*) FROM records WHERE station_id = $1";

/// A station's highest registration id: its highest record number, since the number follows
/// the station id in six digits (bytes order them, `COLLATE "C"` on PostgreSQL).
pub(super) const LAST_RECORD_ID: &str =
    "SELECT max(registration_id) FROM records WHERE station_id = $1";

/// Biometric files held.
pub(super) const BIOMETRIC_COUNT: &str = "SELECT count(*) FROM biometrics";

/// Records holding a PIN at other stations.
pub(super) const PIN_ELSEWHERE: &str = "SELECT station_id, registration_id FROM records WHERE pin = $1 AND station_id <> $2 ORDER BY registration_id";

/// Templates of records no other record supersedes.
pub(super) const SEARCHABLE_TEMPLATES: &str = "SELECT t.registration_id, t.position, t.iso FROM templates t WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.supersedes = t.registration_id) ORDER BY t.registration_id, t.position";

/// A record's templates, by position.
pub(super) const TEMPLATES_OF: &str =
    "SELECT position, iso FROM templates WHERE registration_id = $1 ORDER BY position";

/// A record and its station.
pub(super) const RECORD: &str =
    "SELECT station_id, record_json FROM records WHERE registration_id = $1";

/// A possible duplicate pair, in registration id order, once.
pub(super) const INSERT_DUPLICATE: &str = "INSERT INTO duplicates (first_id, second_id, score, fingers, found_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (first_id, second_id) DO NOTHING";

/// Every listed pair, with the station of each record.
pub(super) const DUPLICATES: &str = "SELECT d.id, d.first_id, a.station_id, d.second_id, b.station_id, d.score, d.fingers, d.decision, d.decided_by, d.reason, d.decided_at, d.found_at FROM duplicates d JOIN records a ON a.registration_id = d.first_id JOIN records b ON b.registration_id = d.second_id ORDER BY d.id";

/// The decision on an open pair.
pub(super) const DECIDE: &str = "UPDATE duplicates SET decision = $2, decided_by = $3, reason = $4, decided_at = $5 WHERE id = $1 AND decision IS NULL";

/// A key revoked, unless it already is.
pub(super) const REVOKE_KEY: &str = "UPDATE station_keys SET revoked_at = $2, revoked_by = $3, revoked_reason = $4 WHERE public_key = $1 AND revoked_at IS NULL";

/// A re-keyed station's new key, linked to the one it replaces.
pub(super) const INSERT_LINKED_KEY: &str = "INSERT INTO station_keys (public_key, station_id, certificate, added_at, replaces, added_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// A station's current key and certificate.
pub(super) const SET_CURRENT_KEY: &str = "UPDATE stations SET public_key = $2, certificate = $3, name = $4, region = $5 WHERE station_id = $1";
