//! Checks of the station itself: can it be unlocked, is the database sound, do the records and the
//! audit chain verify, is the clock sane, and is work piling up (unapproved or unexported records,
//! no central recipient to export to).

use super::{Check, Limits, Status, host};
use crate::config::Config;
use crate::domain::Timestamp;
use crate::station::RecordState;
use crate::station::{DB_FILE, Error as StationError, Station};
use crate::store::{Error as StoreError, RecordStatus};
use std::path::Path;

/// Checks that only run on an unlocked station, in report order (the clock check runs either way).
const NEEDS_STATION: [&str; 7] = [
    "database",
    "records",
    "audit-chain",
    "pending-approvals",
    "unexported-records",
    "interrupted-export",
    "batch-recipient",
];

/// No clock on a working station reads earlier than this: kattoo did not exist before it.
const EARLIEST_SANE: &str = "2025-01-01T00:00:00Z";

/// The `station` check, the database checks and the clock check, and the configuration in force:
/// once the station is unlocked, the settings a supervisor stored in it (training mode, device
/// backends) override the file's.
pub(super) fn checks(
    dir: &Path,
    config: &Config,
    passphrase: Option<&str>,
    limits: &Limits,
    now: Timestamp,
) -> (Vec<Check>, Config) {
    let db_path = dir.join(DB_FILE);
    let skipped = |station: Check, why: &str| -> (Vec<Check>, Config) {
        let mut out = vec![station];
        out.extend(
            NEEDS_STATION
                .iter()
                .map(|name| Check::new(name, Status::Skip, why)),
        );
        out.push(clock(now, file_time(&db_path), "the database file's time"));
        (out, config.clone())
    };
    if !db_path.exists() {
        return skipped(
            Check::new(
                "station",
                Status::Warn,
                "no station yet: run the kiosk to set it up (or `kattoo init`)",
            ),
            "no station yet",
        );
    }
    if let Some(problem) = host::foreign_owner(dir) {
        return skipped(
            Check::new(
                "station",
                Status::Warn,
                format!("database checks skipped: {problem}"),
            ),
            "database checks skipped",
        );
    }
    let Some(passphrase) = passphrase else {
        return skipped(
            Check::new(
                "station",
                Status::Warn,
                "database checks skipped: no station passphrase given; set KATTOO_PASSPHRASE or \
                 use --passphrase-file to check the database, records and audit chain",
            ),
            "no station passphrase",
        );
    };
    let station = match Station::open(dir, passphrase, config.clone()) {
        Ok(station) => station,
        Err(StationError::Store(StoreError::WrongPassphrase(_))) => {
            return skipped(
                Check::new(
                    "station",
                    Status::Fail,
                    "wrong station passphrase: the database checks need the passphrase the supervisor unlocks the kiosk with",
                ),
                "the station could not be unlocked",
            );
        }
        Err(e) => {
            return skipped(
                Check::new(
                    "station",
                    Status::Fail,
                    format!(
                        "cannot open the station: {}; restore the last backup (see the field guide) or call support",
                        error_chain(&e)
                    ),
                ),
                "the station could not be opened",
            );
        }
    };
    let info = station.info();
    let config = station.config().clone();
    let mut out = vec![Check::new(
        "station",
        Status::Ok,
        format!(
            "station {} unlocked{}",
            info.station_id,
            if config.station.training {
                " (training mode: nothing is exported)"
            } else {
                ""
            }
        ),
    )];
    out.extend(unlocked(&station, limits, now));
    (out, config)
}

/// The checks that read the unlocked station.
fn unlocked(station: &Station, limits: &Limits, now: Timestamp) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(match station.integrity_check() {
        Ok(()) => Check::new("database", Status::Ok, "SQLite integrity check passed"),
        Err(problems) => Check::new(
            "database",
            Status::Fail,
            format!(
                "SQLite integrity check found {} problem(s), first: {}; stop using the station, \
                 restore the last backup (see the field guide) and call support",
                problems.len(),
                problems.first().map(String::as_str).unwrap_or("?")
            ),
        ),
    });
    match station.verify_all() {
        Ok(report) => {
            out.push(if report.record_problems.is_empty() {
                Check::new(
                    "records",
                    Status::Ok,
                    format!(
                        "{} records and {} biometrics verify",
                        report.records_checked, report.biometrics_checked
                    ),
                )
            } else {
                let first: Vec<String> = report
                    .record_problems
                    .iter()
                    .take(3)
                    .map(|p| format!("{}: {}", p.registration_id, p.problem))
                    .collect();
                Check::new(
                    "records",
                    Status::Fail,
                    format!(
                        "{} problem(s) in {} records ({}): the station data was altered; do not \
                         export, keep the laptop as it is and call support (`kattoo records verify` lists all)",
                        report.record_problems.len(),
                        report.records_checked,
                        first.join("; ")
                    ),
                )
            });
            out.push(match &report.audit {
                Ok(rows) => Check::new(
                    "audit-chain",
                    Status::Ok,
                    format!("{rows} audit rows chain to the recorded head"),
                ),
                Err(e) => Check::new(
                    "audit-chain",
                    Status::Fail,
                    format!(
                        "{e}: the audit log was altered; do not export, keep the laptop as it is and call support"
                    ),
                ),
            });
        }
        Err(e) => {
            let message = format!("cannot read the records: {}", error_chain(&e));
            out.push(Check::new("records", Status::Fail, message.clone()));
            out.push(Check::new("audit-chain", Status::Skip, message));
        }
    }
    let records = station.record_states();
    out.push(clock(
        now,
        newest_event(station, records.as_deref().ok()),
        "the newest station event",
    ));
    match &records {
        Ok(records) => {
            out.push(pending(records, limits, now));
            out.push(unexported(records, limits, now));
        }
        Err(e) => {
            let message = format!("cannot read the records: {e}");
            out.push(Check::new(
                "pending-approvals",
                Status::Fail,
                message.clone(),
            ));
            out.push(Check::new("unexported-records", Status::Fail, message));
        }
    }
    out.push(match station.interrupted_export() {
        Ok(None) => Check::new("interrupted-export", Status::Ok, "no export was cut off"),
        Ok(Some(sequence)) => Check::new(
            "interrupted-export",
            Status::Warn,
            format!(
                "the export of batch {sequence} was cut off (power lost?) after the file was \
                 written but before it was recorded: the next export completes it from the kept copy"
            ),
        ),
        Err(e) => Check::new(
            "interrupted-export",
            Status::Fail,
            format!("cannot check the kept batches: {}", error_chain(&e)),
        ),
    });
    out.push(match station.batch_recipients() {
        Ok(_) if station.config().station.training => Check::new(
            "batch-recipient",
            Status::Ok,
            "training mode: nothing is exported",
        ),
        Ok(r) if r.is_empty() => Check::new(
            "batch-recipient",
            Status::Warn,
            "no central recipient set: batches cannot be exported; provision central's key \
             (`kattoo batch set-recipient age1… --operator ADMIN`, see the field guide)",
        ),
        Ok(r) => Check::new(
            "batch-recipient",
            Status::Ok,
            format!("batches are encrypted to {} recipient(s)", r.len()),
        ),
        Err(e) => Check::new(
            "batch-recipient",
            Status::Fail,
            format!("cannot read the batch recipients: {}", error_chain(&e)),
        ),
    });
    out
}

/// The `clock` check: not before kattoo existed, and not before the newest thing the station
/// wrote (`what` says what `newest` is).
fn clock(now: Timestamp, newest: Option<Timestamp>, what: &str) -> Check {
    const NAME: &str = "clock";
    const FIX: &str = "set the date and time (`timedatectl set-time 'YYYY-MM-DD HH:MM:SS'` as root, \
                       or in the laptop's firmware) before enrolling: records carry this time";
    let earliest = Timestamp::parse(EARLIEST_SANE).expect("a valid constant");
    if now < earliest {
        return Check::new(
            NAME,
            Status::Warn,
            format!("the clock reads {now}, before {earliest}: {FIX}"),
        );
    }
    match newest {
        Some(newest) if now < newest => Check::new(
            NAME,
            Status::Warn,
            format!("the clock reads {now}, earlier than {what} ({newest}): {FIX}"),
        ),
        Some(newest) => Check::new(
            NAME,
            Status::Ok,
            format!("{now}, not before {what} ({newest})"),
        ),
        None => Check::new(NAME, Status::Ok, format!("{now}")),
    }
}

/// The time of the last audit event or the newest record, whichever is later.
fn newest_event(station: &Station, records: Option<&[RecordState]>) -> Option<Timestamp> {
    let last_audit = station.last_audit_time();
    let last_record = records
        .unwrap_or_default()
        .iter()
        .filter_map(|r| Timestamp::parse(&r.created_at).ok())
        .max();
    last_audit.max(last_record)
}

/// The modification time of `path`, if it has one.
fn file_time(path: &Path) -> Option<Timestamp> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).ok()?)
}

/// Records in `status` whose `since` time is more than `limits.stale_days` before `now`, oldest
/// first, with that time.
fn stale<'a>(
    records: &'a [RecordState],
    status: RecordStatus,
    since: fn(&RecordState) -> &str,
    limits: &Limits,
    now: Timestamp,
) -> Vec<(&'a RecordState, Timestamp)> {
    let cutoff = now.plus_seconds(-i64::from(limits.stale_days) * 86_400);
    let mut old: Vec<(&RecordState, Timestamp)> = records
        .iter()
        .filter(|r| r.status == status && !r.training)
        .filter_map(|r| Timestamp::parse(since(r)).ok().map(|t| (r, t)))
        .filter(|(_, t)| *t < cutoff)
        .collect();
    old.sort_by_key(|(_, t)| *t);
    old
}

/// The `pending-approvals` check.
fn pending(records: &[RecordState], limits: &Limits, now: Timestamp) -> Check {
    let days = limits.stale_days;
    let waiting = records
        .iter()
        .filter(|r| r.status == RecordStatus::Pending)
        .count();
    fn created_at(r: &RecordState) -> &str {
        &r.created_at
    }
    let old = stale(records, RecordStatus::Pending, created_at, limits, now);
    match old.first() {
        None => Check::new(
            "pending-approvals",
            Status::Ok,
            format!("{waiting} pending, none older than {days} days"),
        ),
        Some((oldest, at)) => Check::new(
            "pending-approvals",
            Status::Warn,
            format!(
                "{} record(s) wait for approval longer than {days} days (oldest {} from {at}): a \
                 supervisor should approve or reject them",
                old.len(),
                oldest.registration_id
            ),
        ),
    }
}

/// The `unexported-records` check: approved (not training) records that no batch carried yet.
fn unexported(records: &[RecordState], limits: &Limits, now: Timestamp) -> Check {
    let days = limits.stale_days;
    let approved = records
        .iter()
        .filter(|r| r.status == RecordStatus::Approved && !r.training)
        .count();
    fn approved_at(r: &RecordState) -> &str {
        r.decided_at.as_deref().unwrap_or(r.created_at.as_str())
    }
    let old = stale(records, RecordStatus::Approved, approved_at, limits, now);
    match old.first() {
        None => Check::new(
            "unexported-records",
            Status::Ok,
            format!("{approved} approved and not yet exported, none for longer than {days} days"),
        ),
        Some((oldest, at)) => Check::new(
            "unexported-records",
            Status::Warn,
            format!(
                "{} approved record(s) not exported for more than {days} days (oldest {} approved {at}): \
                 export a batch to USB (`kattoo export --to DIR --operator SUPERVISOR`) and send it to central",
                old.len(),
                oldest.registration_id
            ),
        ),
    }
}

/// `err: cause: cause`, as `{:#}` prints an anyhow chain.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
