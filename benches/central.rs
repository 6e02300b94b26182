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
#[path = "central/import.rs"]
mod import;
#[path = "central/index.rs"]
mod index;
#[path = "central/register.rs"]
mod register;
#[path = "central/storage.rs"]
mod storage;

use kattoo::central::pg_server::TestServer;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A comma-separated list of numbers from the environment (`1,2,4`), else `default`.
fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` ask; there is nothing to list.
    }
    if let Ok(how) = std::env::var(index::CHILD) {
        return index::child(&how);
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
        import::throughput(&server, stations, n);
    }
    let register = env_number("KATTOO_BENCH_REGISTER", 3_500_000);
    if register > 0 {
        register::questions(&server, register);
    }
    let people = env_number("KATTOO_BENCH_INDEX", 500_000);
    if people > 0 {
        index::memory(&server, people as i64);
    }
    let enrollments = env_number("KATTOO_BENCH_BLOBS", 200);
    if enrollments > 0 {
        storage::layouts(&server, enrollments as usize);
    }
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

/// A plain connection to database `name` of `server`.
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

/// The size of the database `db` is connected to, in bytes.
fn database_size(db: &mut postgres::Client) -> i64 {
    db.query_one("SELECT pg_database_size(current_database())", &[])
        .unwrap()
        .get(0)
}
