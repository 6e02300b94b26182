//! Central at national scale (issue 16), a bench command that prints its figures.
//!
//! 1. Import throughput. `KATTOO_BENCH_STATIONS` stations (default 4) each export one batch of
//!    `KATTOO_BENCH_ENROLLMENTS` real-size enrollments (default 100; ~1.9 MB each: ten ~110 KB
//!    fingerprint PNGs, the ~790 KB photo, a signature). Central imports them all into a fresh
//!    SQLite file (one importer: it takes one writer at a time), then into a fresh PostgreSQL
//!    database with 1, 2 and 4 importers at once (`KATTOO_BENCH_JOBS`, default `1,2,4`), each
//!    importer a `Central` on connections of its own, as `kattoo central import --jobs N`. The
//!    duplicate search runs as in production. The PostgreSQL server is started by the bench
//!    (`pg_server`) with PostgreSQL's default, durable settings (fsync on) on this machine's disk.
//! 2. A synthetic register of `KATTOO_BENCH_REGISTER` citizens (default 3,500,000; 0 skips it) in
//!    PostgreSQL: 2,500 stations, a record row per citizen (a 0.1 % share of PINs also held at a
//!    second station), ~2,400 precincts, two 600-byte template rows per citizen; no biometrics.
//!    Rows are sealed under a central key as an import seals them (the record's JSON and the
//!    templates sealed, the PIN's keyed hash), written with `COPY … BINARY`.
//!    Its build time, its size on disk, and the register's questions at that size, each with
//!    its query plan: find by PIN, the precinct list, the import's PIN check at other stations,
//!    and every PIN held at more than one station.
//!
//! 3. The duplicate search's index held by importers running at once, shared (as `central import
//!    --jobs N` holds it) and one per importer: a register of `KATTOO_BENCH_INDEX` citizens
//!    (default 500,000; 0 skips it) with real templates, loaded in child processes of this
//!    bench, whose peak resident memory is reported.
//!
//! 4. The options for central's biometric files, on the same data and disk: `bytea` rows (what
//!    central does), `bytea` in chunks, large objects, and files beside the database fsynced
//!    before the commit (`KATTOO_BENCH_BLOBS` enrollments, default 200; 0 skips it).
//!
//! Skipped, with a message, when PostgreSQL is not installed.

mod common;

use kattoo::batch::{self, DirMedium};
use kattoo::central::pg_server::TestServer;
use kattoo::central::{
    Central, CentralKey, CentralStore, ColumnKey, PgCentral, Place, RegisterQuery, SearchIndex,
    SqliteCentral,
};
use kattoo::domain::Timestamp;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` ask; there is nothing to list.
    }
    if let Ok(how) = std::env::var(CHILD) {
        return index_child(&how);
    }
    let Some(_) = kattoo::central::pg_server::bin_dir() else {
        println!(
            "SKIPPED: central bench: PostgreSQL is not installed (apt-get install postgresql-15)"
        );
        return;
    };
    let server = TestServer::start(&[("max_connections", "50")]).unwrap();
    let stations = env_number("KATTOO_BENCH_STATIONS", 4);
    let n = env_number("KATTOO_BENCH_ENROLLMENTS", 100);
    if n > 0 {
        import_throughput(&server, stations, n);
    }
    let register = env_number("KATTOO_BENCH_REGISTER", 3_500_000);
    if register > 0 {
        synthetic_register(&server, register);
    }
    let people = env_number("KATTOO_BENCH_INDEX", 500_000);
    if people > 0 {
        search_index(&server, people as i64);
    }
    let enrollments = env_number("KATTOO_BENCH_BLOBS", 200);
    if enrollments > 0 {
        biometric_storage(&server, enrollments as usize);
    }
}

/// How central could keep biometric files, each written as an import writes them: one
/// transaction per batch of 100 enrollments, committed durably.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// One `bytea` row per file, stored out of line uncompressed (what central does).
    Bytea,
    /// `bytea` rows of at most 256 KiB, several per file.
    ByteaChunks,
    /// A large object per file (`lo_from_bytea`), its oid in a row.
    LargeObject,
    /// A file per biometric in a directory beside the database, named by its SHA-256, each
    /// file and its directory fsynced before the batch's rows commit.
    Directory,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Bytea => "bytea, one row per file (central's)",
            Layout::ByteaChunks => "bytea in 256 KiB chunks",
            Layout::LargeObject => "large objects",
            Layout::Directory => "files beside the database, fsynced",
        }
    }
}

/// Phase 4: the options for central's biometrics, measured on the same data and disk.
/// `KATTOO_BENCH_BLOBS` enrollments (default 200) of real-size files (ten 110 KB fingers, a
/// 790 KB photo, a 20 KB signature: random bytes, as sealed files are), written in batches of
/// 100 per transaction, then every file read back by its hash (the page cache warm, as it is
/// right after an import); the space each takes.
fn biometric_storage(server: &TestServer, enrollments: usize) {
    const CHUNK: usize = 256 * 1024;
    let sizes: Vec<usize> = [110_000; 10].into_iter().chain([790_000, 20_000]).collect();
    let pool: Vec<u8> = {
        let mut rng = common::Rng(0x05ee_d0fb_10b5);
        (0..2 * 1024 * 1024 + 64 * 1024)
            .map(|_| (rng.next() * 256.0) as u8)
            .collect()
    };
    // Distinct contents: a slice of the pool at its own offset, the file's number in front.
    let files: Vec<Vec<Vec<u8>>> = (0..enrollments)
        .map(|e| {
            sizes
                .iter()
                .enumerate()
                .map(|(k, &size)| {
                    let n = (e * sizes.len() + k) as u64;
                    let at = (n as usize * 4099) % (64 * 1024);
                    let mut f = n.to_le_bytes().to_vec();
                    f.extend_from_slice(&pool[at..at + size - 8]);
                    f
                })
                .collect()
        })
        .collect();
    let sha = |data: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data));
    let hashes: Vec<Vec<String>> = files
        .iter()
        .map(|e| e.iter().map(|f| sha(f)).collect())
        .collect();
    let bytes: usize = files.iter().flatten().map(Vec::len).sum();
    println!(
        "central's biometrics, {enrollments} enrollments ({:.0} MB) in transactions of 100 enrollments, this machine's disk:",
        bytes as f64 / 1e6
    );
    for layout in [
        Layout::Bytea,
        Layout::ByteaChunks,
        Layout::LargeObject,
        Layout::Directory,
    ] {
        let name = server.create_database().unwrap();
        let mut db = open_admin(server, &name);
        db.batch_execute(
            "CREATE TABLE a (sha256 text COLLATE \"C\" PRIMARY KEY, data bytea NOT NULL);
             ALTER TABLE a ALTER COLUMN data SET STORAGE EXTERNAL;
             CREATE TABLE b (sha256 text COLLATE \"C\", n integer, data bytea NOT NULL, PRIMARY KEY (sha256, n));
             ALTER TABLE b ALTER COLUMN data SET STORAGE EXTERNAL;
             CREATE TABLE c (sha256 text COLLATE \"C\" PRIMARY KEY, object oid NOT NULL);
             CREATE TABLE d (sha256 text COLLATE \"C\" PRIMARY KEY);",
        )
        .unwrap();
        let dir = tempfile::tempdir_in(server.dir()).unwrap();
        let path = |sha: &str| dir.path().join(&sha[..2]).join(sha);
        let started = Instant::now();
        for batch in (0..enrollments).collect::<Vec<_>>().chunks(100) {
            let mut tx = db.transaction().unwrap();
            let mut dirs = std::collections::BTreeSet::new();
            for &e in batch {
                for (data, sha) in files[e].iter().zip(&hashes[e]) {
                    match layout {
                        Layout::Bytea => {
                            tx.execute(
                                "INSERT INTO a VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                &[sha, data],
                            )
                            .unwrap();
                        }
                        Layout::ByteaChunks => {
                            for (n, chunk) in data.chunks(CHUNK).enumerate() {
                                tx.execute(
                                    "INSERT INTO b VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                    &[sha, &(n as i32), &chunk],
                                )
                                .unwrap();
                            }
                        }
                        Layout::LargeObject => {
                            tx.execute(
                                "INSERT INTO c VALUES ($1, lo_from_bytea(0, $2))",
                                &[sha, data],
                            )
                            .unwrap();
                        }
                        Layout::Directory => {
                            let file = path(sha);
                            let parent = file.parent().unwrap().to_owned();
                            std::fs::create_dir_all(&parent).unwrap();
                            let partial = file.with_extension("partial");
                            let mut out = std::fs::File::create(&partial).unwrap();
                            std::io::Write::write_all(&mut out, data).unwrap();
                            out.sync_all().unwrap();
                            std::fs::rename(&partial, &file).unwrap();
                            dirs.insert(parent);
                            tx.execute("INSERT INTO d VALUES ($1)", &[sha]).unwrap();
                        }
                    }
                }
            }
            // The files' names are durable before the rows that count on them.
            for d in dirs.iter().chain([&dir.path().to_owned()]) {
                std::fs::File::open(d).unwrap().sync_all().unwrap();
            }
            tx.commit().unwrap();
        }
        let wrote = started.elapsed();
        let started = Instant::now();
        let mut read = 0usize;
        let (get_a, get_b, get_c) = (
            db.prepare("SELECT data FROM a WHERE sha256 = $1").unwrap(),
            db.prepare("SELECT data FROM b WHERE sha256 = $1 ORDER BY n")
                .unwrap(),
            db.prepare("SELECT lo_get(object) FROM c WHERE sha256 = $1")
                .unwrap(),
        );
        for sha in hashes.iter().flatten() {
            let data: Vec<u8> = match layout {
                Layout::Bytea => db.query_one(&get_a, &[sha]).unwrap().get(0),
                Layout::ByteaChunks => db
                    .query(&get_b, &[sha])
                    .unwrap()
                    .iter()
                    .flat_map(|r| r.get::<_, Vec<u8>>(0))
                    .collect(),
                Layout::LargeObject => db.query_one(&get_c, &[sha]).unwrap().get(0),
                Layout::Directory => std::fs::read(path(sha)).unwrap(),
            };
            read += data.len();
        }
        assert_eq!(read, bytes);
        let took = started.elapsed();
        let in_database: i64 = db
            .query_one("SELECT pg_database_size(current_database())", &[])
            .unwrap()
            .get(0);
        let beside: u64 = walk_size(dir.path());
        println!(
            "  {:<38} write {:>6.1} s {:>6.0} MB/s   read {:>5.2} s {:>6.0} MB/s   database {:>5.0} MB + files {:>4.0} MB",
            layout.name(),
            wrote.as_secs_f64(),
            bytes as f64 / 1e6 / wrote.as_secs_f64(),
            took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64(),
            in_database as f64 / 1e6,
            beside as f64 / 1e6
        );
    }
}

/// Bytes of the files under `dir`.
fn walk_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                walk_size(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// Set in a child process of this bench: how its importers hold the search index.
const CHILD: &str = "KATTOO_BENCH_INDEX_CHILD";

/// Phase 3: the memory of the duplicate search's index when importers run at once, shared by the
/// importers of one process (`central import --jobs N`) and one per importer. A register of
/// `people` citizens with real templates (ten fingers of `fixtures/fingers` extracted, each
/// citizen two of them) is built; then child processes of this bench load the index into
/// `KATTOO_BENCH_INDEX_JOBS` importers (default 1 and 4) at once, each a `Central` on
/// connections of its own, and report their peak resident memory.
fn search_index(server: &TestServer, people: i64) {
    use kattoo::domain::{BiometricFormat, FingerPosition};
    use kattoo::matching::people::{finger_template, iso_record};
    let isos: Vec<Vec<u8>> = (101..=110)
        .map(|n| {
            let png = std::fs::read(common::fixtures().join(format!("fingers/{n}_1.png"))).unwrap();
            let t = finger_template(BiometricFormat::Png, &png, Some(500)).expect("extracts");
            iso_record(FingerPosition::RightIndex, &t).unwrap()
        })
        .collect();
    let mean = isos.iter().map(Vec::len).sum::<usize>() / isos.len();
    println!(
        "search index over a register of {people} citizens × 2 real templates (~{mean} bytes each):"
    );
    let register = build_register(server, people, &|i, p| {
        isos[(2 * i as usize + p as usize) % isos.len()].clone()
    });
    println!("  register built in {:.0} s", register.built.as_secs_f64());
    let identity = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(identity.path(), &register.identity).unwrap();
    let jobs: Vec<usize> = std::env::var("KATTOO_BENCH_INDEX_JOBS")
        .unwrap_or_else(|_| "1,4".into())
        .split(',')
        .filter_map(|j| j.trim().parse().ok())
        .collect();
    for jobs in jobs {
        for how in ["shared", "separate"] {
            if jobs == 1 && how == "separate" {
                continue;
            }
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .env(CHILD, how)
                .env("KATTOO_BENCH_INDEX_URL", server.url(&register.name))
                .env("KATTOO_BENCH_INDEX_NAME", &register.name)
                .env("KATTOO_BENCH_INDEX_KEY", identity.path())
                .env("KATTOO_BENCH_INDEX_JOBS", jobs.to_string())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            print!("{}", String::from_utf8_lossy(&out.stdout));
        }
    }
}

/// A child of [`search_index`]: loads the index into `KATTOO_BENCH_INDEX_JOBS` importers at once,
/// sharing one index or each with its own, and prints the time and its peak memory.
fn index_child(how: &str) {
    use std::str::FromStr;
    let var = |n: &str| std::env::var(n).unwrap();
    let config = postgres::Config::from_str(&var("KATTOO_BENCH_INDEX_URL")).unwrap();
    let name = var("KATTOO_BENCH_INDEX_NAME");
    let identity = std::fs::read_to_string(var("KATTOO_BENCH_INDEX_KEY")).unwrap();
    let key = CentralKey::new(batch::parse_identities(&identity).unwrap());
    let jobs: usize = var("KATTOO_BENCH_INDEX_JOBS").parse().unwrap();
    let shared = SearchIndex::default();
    let before = peak_rss_mb();
    let started = Instant::now();
    let centrals: Vec<_> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut central = Central::new(PgCentral::connect(&config, &name).unwrap());
                    if how == "shared" {
                        central = central.with_search_index(shared.clone());
                    }
                    central.load_search_index(&key).unwrap();
                    central
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let took = started.elapsed();
    let held: usize = if how == "shared" {
        shared.memory_bytes().unwrap()
    } else {
        centrals
            .iter()
            .map(|c| c.search_index().memory_bytes().unwrap())
            .sum()
    };
    println!(
        "  {jobs} importer(s), {how} index: loaded in {:.1} s; index {:.0} MB ({} people); peak resident memory {:.0} MB (process before loading: {:.0} MB)",
        took.as_secs_f64(),
        held as f64 / 1e6,
        centrals[0].search_index().people().unwrap(),
        peak_rss_mb(),
        before
    );
}

/// Peak resident memory of this process so far, in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn import_throughput(server: &TestServer, stations: u64, n: u64) {
    let now = Timestamp::parse("2026-11-27T06:00:00Z").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (identity_text, recipient) = batch::new_identity_file("bench");
    let key = CentralKey::new(batch::parse_identities(&identity_text).unwrap());
    let caps = common::captures();
    let started = Instant::now();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut certificates = Vec::new();
    for s in 0..stations {
        let id = format!("KG{:04}", 1101 + s);
        let (mut st, session) = common::station_with_id(&tmp.path().join(&id), &id);
        st.set_batch_recipients(&session, std::slice::from_ref(&recipient), now)
            .unwrap();
        // Distinct people (PINs and biometrics) across stations.
        common::enroll_approved(&mut st, &session, &caps, s * n + 1..=s * n + n, now);
        let usb = tmp.path().join("usb");
        std::fs::create_dir_all(&usb).unwrap();
        let out = st
            .export(&session, &DirMedium(usb.clone()), now, &mut |_| {})
            .unwrap();
        files.push(usb.join(out.file_name));
        certificates.push(st.certificate().unwrap().1);
    }
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let records = stations * n;
    eprintln!(
        "set-up: {stations} batches of {n} enrollments ({:.0} MB) in {:.1} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let report = |what: &str, took: Duration| {
        println!(
            "{what:<42} {:>8.1} s {:>8.1} records/s {:>7.1} MB/s",
            took.as_secs_f64(),
            records as f64 / took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64()
        );
    };
    println!(
        "import of {stations} batches × {n} enrollments ({records} records, {:.0} MB), on this machine in this run:",
        bytes as f64 / 1e6
    );

    let dir = tempfile::tempdir().unwrap();
    let mut central = Central::new(SqliteCentral::open(&dir.path().join("c.sqlite")).unwrap());
    for c in &certificates {
        central.add_station(c, "bench").unwrap();
    }
    let started = Instant::now();
    for f in &files {
        central.import(f, &key, "bench").unwrap();
    }
    report("SQLite, 1 importer", started.elapsed());
    drop(central);

    let jobs: Vec<usize> = std::env::var("KATTOO_BENCH_JOBS")
        .unwrap_or_else(|_| "1,2,4".into())
        .split(',')
        .filter_map(|j| j.trim().parse().ok())
        .collect();
    for jobs in jobs {
        let name = server.create_database().unwrap();
        let config = server.config(&name);
        let open = || Central::new(PgCentral::connect(&config, &name).unwrap());
        let mut central = open();
        for c in &certificates {
            central.add_station(c, "bench").unwrap();
        }
        drop(central);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    let mut central = open();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(f) = files.get(i) else { return };
                        central.import(f, &key, "bench").unwrap();
                    }
                });
            }
        });
        report(
            &format!("PostgreSQL, {jobs} importer(s)"),
            started.elapsed(),
        );
        let size: i64 = open_admin(server, &name)
            .query_one("SELECT pg_database_size(current_database())", &[])
            .unwrap()
            .get(0);
        println!("  database size after import: {:.0} MB", size as f64 / 1e6);
    }
    println!(
        "peak resident memory of the bench process: {:.0} MB",
        peak_rss_mb()
    );
}

fn open_admin(server: &TestServer, name: &str) -> postgres::Client {
    server.config(name).connect(postgres::NoTls).unwrap()
}

/// Median of `runs` timings of `f`.
fn median_of(runs: usize, mut f: impl FnMut(usize)) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|i| {
            let started = Instant::now();
            f(i);
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// A register built by [`build_register`].
struct Register {
    /// The database's name.
    name: String,
    /// Central's identity file, whose key sealed the rows.
    identity: String,
    /// Time to write the records, then to write everything and `VACUUM ANALYZE`.
    records_took: Duration,
    built: Duration,
}

/// Builds a sealed register of `citizens` in a new database of `server` (see the module
/// documentation), with `template(citizen, position)` as each citizen's two ISO/IEC 19794-2
/// records.
fn build_register(
    server: &TestServer,
    citizens: i64,
    template: &dyn Fn(i64, i16) -> Vec<u8>,
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
        records_took,
        built: started.elapsed(),
    }
}

fn synthetic_register(server: &TestServer, citizens: u64) {
    let citizens = citizens as i64;
    println!("synthetic register of {citizens} citizens (PostgreSQL, this machine's disk):");
    // Templates of random bytes: the size of a stored template, never parsed by these questions.
    let rng = std::cell::RefCell::new(common::Rng(0x1234_5678_9abc_def1));
    let random = |_, _| -> Vec<u8> {
        let mut rng = rng.borrow_mut();
        (0..600).map(|_| (rng.next() * 256.0) as u8).collect()
    };
    let Register {
        name,
        identity,
        records_took,
        built,
    } = build_register(server, citizens, &random);
    let store = PgCentral::connect(&server.config(&name), &name).unwrap();
    let key = CentralKey::new(batch::parse_identities(&identity).unwrap());
    store.open_sealed(&key).unwrap();
    let columns = ColumnKey::new(&key);
    let mut db = open_admin(server, &name);
    let size: i64 = db
        .query_one("SELECT pg_database_size(current_database())", &[])
        .unwrap()
        .get(0);
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
