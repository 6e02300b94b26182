//! `kattoo central import`: what each batch's import said, and importing several batches at
//! once on a PostgreSQL database.

use super::central::exit_code;
use crate::central::{Central, CentralKey, CentralStore, ImportOutcome, Result};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
/// connections). Each outcome is printed as it comes; the exit status is that of the first
/// failed file in the order given.
pub(super) fn parallel<S: CentralStore>(
    files: &[PathBuf],
    jobs: usize,
    key: &CentralKey,
    now: &str,
    open: impl Fn() -> Result<Central<S>> + Sync,
) -> anyhow::Result<Option<u8>> {
    let next = AtomicUsize::new(0);
    let codes: Mutex<Vec<Option<u8>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..jobs.min(files.len()))
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    let mut central = open()?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return Ok(());
                        };
                        let code = said(file, central.import(file, key, now));
                        codes.lock().unwrap_or_else(|p| p.into_inner())[i] = code;
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
