//! Station keys at central over the SQLite store: the migration to schema 4 keeps an old
//! database's batches and audit rows under the station's key, and revoking is recorded once.

use super::tests::old_database;
use super::*;
use rusqlite::Connection;

#[test]
fn the_key_migration_keeps_batches_and_audit_rows_under_the_stations_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    old_database(&db);
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "INSERT INTO batches VALUES ('KG1101', 1, 'aa', '00', 2, 5, 'bb', '2026-11-27T07:00:00Z');
             INSERT INTO audit VALUES ('KG1101', 5, x'7b7d', x'00', x'01');",
        )
        .unwrap();
    }
    let mut central = Central::new(SqliteCentral::open(&db).unwrap());
    let station = central.store().station("KG1101").unwrap().unwrap();
    let keys = central.station_keys("KG1101").unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].public_key, station.public_key);
    assert_eq!((&keys[0].link, &keys[0].revoked), (&None, &None));
    let batches = central.store().batches("KG1101").unwrap();
    assert_eq!(
        batches
            .iter()
            .map(|b| (b.sequence, b.sha256.as_str(), b.audit_head_seq))
            .collect::<Vec<_>>(),
        [(1, "aa", 5)]
    );
    let conn = Connection::open(&db).unwrap();
    let audit_key: String = conn
        .query_row("SELECT station_key FROM audit WHERE seq = 5", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(audit_key, station.public_key.to_pem());

    // Revoking needs who and why; it is recorded once, and the batches accepted before stay.
    assert!(matches!(
        central.revoke_station("KG1101", " ", "stolen", "t"),
        Err(Error::KeyChangeIncomplete)
    ));
    assert!(matches!(
        central.revoke_station("KG9999", "chief", "stolen", "t"),
        Err(Error::UnknownStation(_))
    ));
    let (_, now) = central
        .revoke_station("KG1101", "chief", "laptop stolen", "2026-12-01T09:00:00Z")
        .unwrap();
    let (_, again) = central
        .revoke_station("KG1101", "other", "again", "2026-12-02T09:00:00Z")
        .unwrap();
    assert_eq!((now, again), (true, false));
    let revoked = central.station_keys("KG1101").unwrap()[0]
        .revoked
        .clone()
        .unwrap();
    assert_eq!(
        (
            revoked.at.as_str(),
            revoked.by.as_str(),
            revoked.reason.as_str()
        ),
        ("2026-12-01T09:00:00Z", "chief", "laptop stolen")
    );
    assert_eq!(central.store().batches("KG1101").unwrap().len(), 1);
}
