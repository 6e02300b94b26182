//! Phase 2 of the central bench: a synthetic register of sealed rows and its questions.

use super::{common, database_size, median_of, open_admin};
use kattoo::batch;
use kattoo::central::pg_server::TestServer;
use kattoo::central::{CentralKey, CentralStore, ColumnKey, PgCentral, Place, RegisterQuery};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use std::time::{Duration, Instant};

/// A register built by [`build`].
pub struct Register {
    /// The database's name.
    pub name: String,
    /// Central's identity file, whose key sealed the rows.
    pub identity: String,
    /// The register, its citizens' data open, and the key of its columns.
    pub store: PgCentral,
    pub columns: ColumnKey,
    /// Time to write the records, then to write everything and `VACUUM ANALYZE`.
    pub records_took: Duration,
    pub built: Duration,
}

/// Builds a sealed register of `citizens` in a new database of `server` (see the module
/// documentation), with `template(citizen, position)` as each citizen's two ISO/IEC 19794-2
/// records.
pub fn build(
    server: &TestServer,
    citizens: i64,
    template: &mut dyn FnMut(i64, i16) -> Vec<u8>,
) -> Register {
    let name = server.create_database().unwrap();
    let config = server.config(&name);
    let store = PgCentral::connect(&config, &name).unwrap();
    let (identity, _) = batch::new_identity_file("2026-12-01T06:00:00Z");
    let key = CentralKey::new(batch::parse_identities(&identity).unwrap());
    store.open_sealed(&key).unwrap();
    let columns = ColumnKey::new(&key);
    let mut db = open_admin(server, &name);
    let started = Instant::now();
    // 2,500 stations, one key each; a citizen's record is ~700 bytes of JSON as stations write
    // them; PINs are unique but for every 1,000th citizen, whose PIN is also held at the next
    // station (a cross-station duplicate); ~1,460 citizens per precinct.
    db.batch_execute(
        "INSERT INTO stations
             SELECT format('KG%s', 1000 + s), 'School ' || s, 'chui', 'key-' || s, '\\x00', 't'
             FROM generate_series(0, 2499) s;
         INSERT INTO station_keys (public_key, station_id, certificate, added_at)
             SELECT public_key, station_id, certificate, added_at FROM stations;",
    )
    .unwrap();
    let id = |i: i64| format!("KG{}-20261201-{:05}", 1000 + i % 2500, i / 2500);
    let mut rng = common::Rng(0x2545_f491_4f6c_dd1d);
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| (rng.next() * 256.0) as u8).collect() };
    let copy = db
        .copy_in("COPY records (registration_id, station_id, batch_sequence, pin_mac, precinct, record_json, signature) FROM STDIN BINARY")
        .unwrap();
    let mut rows = BinaryCopyInWriter::new(
        copy,
        &[
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::BYTEA,
            Type::TEXT,
            Type::BYTEA,
            Type::BYTEA,
        ],
    );
    for i in 1..=citizens {
        let (registration_id, station) = (id(i), format!("KG{}", 1000 + i % 2500));
        let pin = format!("9{:013}", if i % 1000 == 1 { i - 1 } else { i });
        let precinct = format!("{:04}", 1000 + i % 2400);
        let json = format!(
            r#"{{"biometrics":[],"citizen":{{"address":{{"district":"chui-{}","locality":"Бишкек","region":"chui","street":"Чуй проспекти {i}"}},"birth_date":"1990-03-14","document":{{"number":"ID{i}","type":"id-card"}},"given_name":"Айгүл {i}","language":"ky","patronymic":"Асанбековна","pin":"{pin}","precinct":"{precinct}","sex":"F","surname":"Өмүрбекова"}},"created_at":"2026-12-01T06:00:00Z","operator":"registrar-{}","schema":"kattoo/enrollment/v1","sequence":{},"station_id":"{station}","training":false}}"#,
            i % 9,
            i % 7,
            i / 2500
        );
        rows.write(&[
            &registration_id,
            &station,
            &1i64,
            &columns.pin_mac(&pin),
            &precinct,
            &columns.seal(Place::Record(&registration_id), json.as_bytes()),
            &random(64),
        ])
        .unwrap();
    }
    rows.finish().unwrap();
    let records_took = started.elapsed();
    let copy = db
        .copy_in("COPY templates (registration_id, position, iso) FROM STDIN BINARY")
        .unwrap();
    let mut rows = BinaryCopyInWriter::new(copy, &[Type::TEXT, Type::INT2, Type::BYTEA]);
    for i in 1..=citizens {
        let registration_id = id(i);
        for position in [2i16, 7] {
            let iso = columns.seal(
                Place::Template(&registration_id, position as u8),
                &template(i, position),
            );
            rows.write(&[&registration_id, &position, &iso]).unwrap();
        }
    }
    rows.finish().unwrap();
    db.batch_execute("VACUUM ANALYZE").unwrap();
    Register {
        name,
        identity,
        store,
        columns,
        records_took,
        built: started.elapsed(),
    }
}

/// Phase 2: the register's questions at `citizens` (see the bench's documentation).
pub fn questions(server: &TestServer, citizens: u64) {
    let citizens = citizens as i64;
    println!("synthetic register of {citizens} citizens (PostgreSQL, this machine's disk):");
    // Templates of random bytes: the size of a stored template, never parsed by these questions.
    let mut rng = common::Rng(0x1234_5678_9abc_def1);
    let mut random = |_, _| -> Vec<u8> { (0..600).map(|_| (rng.next() * 256.0) as u8).collect() };
    let Register {
        name,
        store,
        columns,
        records_took,
        built,
        ..
    } = build(server, citizens, &mut random);
    let mut db = open_admin(server, &name);
    let size = database_size(&mut db);
    println!(
        "  built in {:.0} s (records {:.0} s, then two templates each and VACUUM ANALYZE), {:.2} GB on disk",
        built.as_secs_f64(),
        records_took.as_secs_f64(),
        size as f64 / 1e9
    );
    let pin = |i: i64| format!("9{i:013}");
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    // A citizen whose PIN is its own (every 1,000th holds its neighbour's).
    let mut pick = || match 2 + (rng.next() as f64 * (citizens - 4) as f64) as i64 {
        i if i % 1000 == 1 => i + 1,
        i => i,
    };
    let picks: Vec<i64> = (0..200).map(|_| pick()).collect();
    let t = median_of(200, |k| {
        let found = store.register(&RegisterQuery::Pin(pin(picks[k]))).unwrap();
        assert!(!found.is_empty());
    });
    println!(
        "  find by PIN (register): median {:.2} ms over 200 PINs",
        t.as_secs_f64() * 1e3
    );
    let t = median_of(200, |k| {
        let found = store.pin_elsewhere(&pin(picks[k]), "KG0000").unwrap();
        assert!(!found.is_empty());
    });
    println!(
        "  the import's PIN check at other stations: median {:.2} ms",
        t.as_secs_f64() * 1e3
    );
    let mut listed = 0;
    let t = median_of(50, |k| {
        let precinct = format!("{:0>4}", 1000 + (picks[k] % 2400));
        listed = store
            .register(&RegisterQuery::Precinct(precinct))
            .unwrap()
            .len();
    });
    println!(
        "  precinct list (register, ~{listed} citizens each): median {:.1} ms over 50 precincts",
        t.as_secs_f64() * 1e3
    );
    let mut dup = 0;
    let t = median_of(3, |_| {
        dup = store
            .register(&RegisterQuery::PinsAtSeveralStations)
            .unwrap()
            .len();
    });
    println!(
        "  every PIN held at more than one station ({dup} records): median {:.2} s of 3",
        t.as_secs_f64()
    );
    let started = Instant::now();
    let rows = db
        .query(
            "SELECT t.registration_id, t.position, t.iso FROM templates t WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.supersedes = t.registration_id) ORDER BY t.registration_id, t.position",
            &[],
        )
        .unwrap()
        .len();
    println!(
        "  the same {rows} templates read without opening them: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let templates = store.searchable_templates().unwrap().len();
    println!(
        "  the duplicate search's templates read and opened ({templates}): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mac = columns.pin_mac(&pin(picks[0]));
    let plans: [(&str, RegisterQuery, &(dyn postgres::types::ToSql + Sync)); 3] = [
        ("find by PIN", RegisterQuery::Pin(String::new()), &mac),
        (
            "precinct list",
            RegisterQuery::Precinct(String::new()),
            &"1101",
        ),
        (
            "every PIN held at more than one station",
            RegisterQuery::PinsAtSeveralStations,
            &"",
        ),
    ];
    for (what, query, value) in plans {
        let plan: Vec<String> = db
            .query(
                &format!(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {}",
                    query.sql("pin_mac")
                ),
                &[value],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        println!("  plan, {what}:\n    {}", plan.join("\n    "));
    }
}
