//! `kattoo central import`: what each batch's import said, and importing several batches at
//! once on a PostgreSQL database.

use super::central::exit_code;
use crate::central::{
    Central, CentralDb, CentralKey, CentralStore, DedupSettings, ImportOutcome, Location, Result,
    SearchIndex,
};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Imports `files` into `central` (at `location`), `jobs` at once on PostgreSQL; the exit status
/// of the first file that failed, each failure printed as it comes.
pub(super) fn run(
    mut central: Central<CentralDb>,
    location: &Location,
    dedup: DedupSettings,
    files: &[PathBuf],
    jobs: usize,
    key: &CentralKey,
    now: &str,
) -> anyhow::Result<Option<u8>> {
    if let (Location::Postgres(address), 2..) = (location, jobs) {
        // Each importer on connections of its own, all searching one index held once.
        drop(central);
        let index = SearchIndex::default();
        return parallel(files, jobs, key, now, || {
            let store = address.connect()?;
            Ok(Central::new(CentralDb::Postgres(Box::new(store)))
                .with_dedup(dedup.clone())
                .with_search_index(index.clone()))
        });
    }
    let mut first_code = None;
    for file in files {
        if let Some(code) = said(file, central.import(file, key, now)) {
            first_code.get_or_insert(code);
        }
    }
    Ok(first_code)
}

/// Prints what importing `file` did; the exit status of its failure, if it failed.
pub(super) fn said(file: &Path, result: Result<ImportOutcome>) -> Option<u8> {
    match result {
        Ok(ImportOutcome::AlreadyImported {
            station_id,
            sequence,
        }) => {
            println!(
                "{}: batch {sequence} of {station_id} already imported, nothing to do",
                file.display()
            );
            None
        }
        Ok(ImportOutcome::Imported {
            station_id,
            sequence,
            records,
            gap,
            cross_station_pins,
            duplicates,
        }) => {
            // One write per batch, so that lines of batches imported at once do not interleave.
            let mut out = format!(
                "{}: batch {sequence} of {station_id} imported, {records} records\n",
                file.display()
            );
            if let Some((a, b)) = gap {
                out += &format!("  gap: batches {a}..{b} of {station_id} are missing\n");
            }
            for c in cross_station_pins {
                out += &format!(
                    "  PIN {} of {} is also enrolled at {} as {}\n",
                    c.masked_pin, c.registration_id, c.other_station, c.other_registration_id
                );
            }
            for d in duplicates {
                out += &format!(
                    "  possible duplicate person: {} matches {} (score {:.3}); see `kattoo central duplicates`\n",
                    d.registration_id, d.other_registration_id, d.score
                );
            }
            print!("{out}");
            None
        }
        Err(e) => {
            let code = exit_code(&e);
            // With its causes, as `main` prints an error.
            eprintln!("kattoo: {}: {:#}", file.display(), anyhow::Error::new(e));
            Some(code)
        }
    }
}

/// Imports `files` with `jobs` workers, each over its own central from `open` (its own
/// connections). The batches of one station, as their names say (`kattoo-<station>-<n>.age`),
/// go to one worker in the order of their numbers: a batch below the last one accepted is taken
/// only as the link its successor names, so a station's batches must not overtake each other.
/// Each outcome is printed as it comes; the exit status is that of the first failed file in the
/// order given.
fn parallel<S: CentralStore>(
    files: &[PathBuf],
    jobs: usize,
    key: &CentralKey,
    now: &str,
    open: impl Fn() -> Result<Central<S>> + Sync,
) -> anyhow::Result<Option<u8>> {
    let groups = by_station(files);
    let next = AtomicUsize::new(0);
    let codes: Mutex<Vec<Option<u8>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..jobs.min(groups.len()))
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    let mut central = open()?;
                    loop {
                        let g = next.fetch_add(1, Ordering::Relaxed);
                        let Some(group) = groups.get(g) else {
                            return Ok(());
                        };
                        for &i in group {
                            let file = &files[i];
                            let code = said(file, central.import(file, key, now));
                            codes.lock().unwrap_or_else(|p| p.into_inner())[i] = code;
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            match w.join() {
                Ok(result) => result?,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(())
    })?;
    let codes = codes.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(codes.into_iter().flatten().next())
}

/// The indexes of `files` grouped by the station their names give, each group in batch order;
/// a file named otherwise is a group of its own.
fn by_station(files: &[PathBuf]) -> Vec<Vec<usize>> {
    let named = |f: &PathBuf| -> Option<(String, u64)> {
        let name = f.file_name()?.to_str()?;
        let (station, n) = name
            .strip_prefix("kattoo-")?
            .strip_suffix(".age")?
            .rsplit_once('-')?;
        Some((station.to_owned(), n.parse().ok()?))
    };
    let mut stations: std::collections::BTreeMap<String, Vec<(u64, usize)>> = Default::default();
    let mut groups = Vec::new();
    for (i, f) in files.iter().enumerate() {
        match named(f) {
            Some((station, n)) => stations.entry(station).or_default().push((n, i)),
            None => groups.push(vec![i]),
        }
    }
    for (_, mut batches) in stations {
        batches.sort();
        groups.push(batches.into_iter().map(|(_, i)| i).collect());
    }
    groups
}

#[test]
fn a_stations_batches_go_to_one_worker_in_order() {
    let files: Vec<PathBuf> = [
        "usb/kattoo-KG1101-00003.age",
        "kattoo-KG1102-00001.age",
        "b/kattoo-KG1101-00001.age",
        "copy.age",
        "kattoo-KG1101-00002.age",
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(by_station(&files), [vec![3], vec![2, 4, 0], vec![1]]);
}
