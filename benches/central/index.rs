//! Phase 3 of the central bench: the duplicate search's index held by importers at once.

use super::register::build;
use super::{common, env_list, peak_rss_mb};
use kattoo::batch;
use kattoo::central::pg_server::TestServer;
use kattoo::central::{Central, CentralKey, PgCentral, SearchIndex};
use std::time::Instant;

/// Set in a child process of this bench: how its importers hold the search index.
pub const CHILD: &str = "KATTOO_BENCH_INDEX_CHILD";

/// Phase 3: the memory of the duplicate search's index when importers run at once, shared by the
/// importers of one process (`central import --jobs N`) and one per importer. A register of
/// `people` citizens with real templates (ten fingers of `fixtures/fingers` extracted, each
/// citizen two of them) is built; then child processes of this bench load the index into
/// `KATTOO_BENCH_INDEX_JOBS` importers (default 1 and 4) at once, each a `Central` on
/// connections of its own, and report their peak resident memory.
pub fn memory(server: &TestServer, people: i64) {
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
    let register = build(server, people, &mut |i, p| {
        isos[(2 * i as usize + p as usize) % isos.len()].clone()
    });
    println!("  register built in {:.0} s", register.built.as_secs_f64());
    let identity = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(identity.path(), &register.identity).unwrap();
    for jobs in env_list("KATTOO_BENCH_INDEX_JOBS", "1,4") {
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

/// A child of [`memory`]: loads the index into `KATTOO_BENCH_INDEX_JOBS` importers at once,
/// sharing one index or each with its own, and prints the time and its peak memory.
pub fn child(how: &str) {
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
