//! `kattoo central find --pin PIN`, `kattoo central precinct P` and `kattoo central
//! duplicate-pins`: the register's answers for a central operator, by PIN, by precinct, and the
//! PINs held at more than one station (listed from the register itself, so batches imported at
//! once are never missed).

use super::UsageError;
use super::central_duplicates::side_of;
use crate::central::{Central, CentralKey, CentralStore, RegisterEntry, RegisterQuery};
use crate::domain::address::Precinct;
use crate::domain::pin::{Pin, mask};
use serde_json::json;
use std::path::Path;

/// A precinct number typed on the command line.
pub(super) fn precinct(typed: &str) -> anyhow::Result<Precinct> {
    Ok(Precinct::parse(typed)
        .map_err(|_| UsageError(format!("{typed} is not a precinct number: four digits")))?)
}

/// `central find --pin PIN`: the exit status when no record holds it (with `--json`, after
/// printing the empty list, so that a script can tell "nobody" from a failure either way).
pub(super) fn find<S: CentralStore>(
    central: &Central<S>,
    typed: &str,
    as_json: bool,
) -> anyhow::Result<Option<u8>> {
    let pin = Pin::parse(typed).map_err(|_| {
        UsageError(format!(
            "{} is not a PIN: 14 digits, as on the citizen's document",
            mask(typed)
        ))
    })?;
    let query = RegisterQuery::Pin(pin.as_str().to_owned());
    if list(central, &query, as_json)? > 0 {
        return Ok(None);
    }
    if !as_json {
        eprintln!("no record at central holds PIN {}", pin.masked());
    }
    Ok(Some(super::exit::NOT_FOUND))
}

/// `central voter-list P --to DIR`: the precinct's list, signed with `key`, written into `dir`.
pub(super) fn voter_list<S: CentralStore>(
    central: &Central<S>,
    key: &CentralKey,
    typed: &str,
    dir: &Path,
    now: &str,
) -> anyhow::Result<()> {
    let precinct = precinct(typed)?;
    let list = central.voter_list(key, &precinct, now)?;
    let public = key.signing_key().public_key();
    write_voter_list(dir, &list, &public)?;
    println!(
        "{}: {} voters of precinct {}, signed by central's key {}",
        dir.join(&list.file_name).display(),
        list.voters,
        precinct.as_str(),
        public.fingerprint()
    );
    Ok(())
}

/// Prints the register's answer to `query`; how many records it lists.
pub(super) fn list<S: CentralStore>(
    central: &Central<S>,
    query: &RegisterQuery,
    as_json: bool,
) -> anyhow::Result<usize> {
    let entries = central.store().register(query)?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e,
                side_of(Some(&e.record_json), &e.registration_id, &e.station_id),
            )
        })
        .collect();
    if as_json {
        let out: Vec<_> = rows
            .iter()
            .map(|(e, s)| {
                json!({
                    "registration_id": e.registration_id,
                    "station": e.station_id,
                    "precinct": e.precinct,
                    "masked_pin": s.masked_pin,
                    "name": s.name,
                    "birth_date": s.birth_date,
                    "superseded_by": e.superseded_by,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(entries.len());
    }
    println!(
        "{:<24} {:<8} {:<8} {:<14} {:<10}  NAME",
        "REGISTRATION ID", "STATION", "PRECINCT", "PIN", "BORN"
    );
    for (e, s) in &rows {
        println!(
            "{:<24} {:<8} {:<8} {:<14} {:<10}  {}{}",
            e.registration_id,
            e.station_id,
            e.precinct,
            s.masked_pin,
            s.birth_date,
            s.name,
            status(e)
        );
    }
    println!("{} records", entries.len());
    Ok(entries.len())
}

fn status(e: &RegisterEntry) -> String {
    match &e.superseded_by {
        Some(newer) => format!(" (corrected by {newer})"),
        None => String::new(),
    }
}

/// Writes `list` into `dir` as `<name>.json` and `<name>.json.sig`, and central's public key as
/// `central-signing.pub`: each through a temporary name, synced, then renamed, so a reader never
/// finds half a file. An existing list of the same name is not overwritten.
fn write_voter_list(
    dir: &Path,
    list: &crate::central::VoterList,
    key: &crate::crypto::PublicKey,
) -> anyhow::Result<()> {
    use std::io::Write;
    let target = dir.join(&list.file_name);
    if target.exists() {
        return Err(super::UsageError(format!(
            "{} exists already: move it away, or write today's list into another folder",
            target.display()
        ))
        .into());
    }
    let put = |name: &str, bytes: &[u8]| -> anyhow::Result<()> {
        let path = dir.join(name);
        let partial = dir.join(format!("{name}.partial"));
        // Names, PINs and templates: readable by central's operator only.
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&partial)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", partial.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        Ok(())
    };
    put(
        &format!("{}.sig", list.file_name),
        list.signature.to_file().as_bytes(),
    )?;
    put("central-signing.pub", key.to_pem().as_bytes())?;
    // The list last: once it is there, its signature and key are too.
    put(&list.file_name, &list.json)?;
    crate::durable::sync_dir(dir)?;
    Ok(())
}
