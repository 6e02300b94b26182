//! `kattoo records list | show | verify`, `kattoo approve`, `kattoo reject`.

use super::operator::Actor;
use super::{Context, UsageError, VerificationFailed};
use crate::domain::enrollment::Record;
use crate::domain::registration_id::RegistrationIdError;
use crate::domain::{RegistrationId, Timestamp};
use crate::store::{RecordFilter, RecordStatus, StoredRecord};
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Records subcommands.
#[derive(Debug, Subcommand)]
pub enum RecordsCommand {
    /// List records.
    List {
        /// Only records with this status: pending, approved, rejected, exported.
        #[arg(long)]
        status: Option<RecordStatus>,
        /// Only records with this PIN.
        #[arg(long)]
        pin: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Show one record.
    Show {
        id: String,
        /// Print the exact signed JSON bytes instead.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        actor: Actor,
    },
    /// Re-check every record signature, every biometric hash and the audit chain.
    Verify,
    /// Make the fingerprint templates of records saved before templates existed (supervisor),
    /// so the duplicate search and identification see them; prints progress.
    Templates {
        #[command(flatten)]
        actor: Actor,
    },
}

/// Options of `kattoo approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Registration ids to approve (all or none).
    #[arg(required = true)]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub actor: Actor,
}

/// Options of `kattoo reject`.
#[derive(Debug, Args)]
pub struct RejectArgs {
    pub id: String,
    /// Why the record is rejected (required).
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub actor: Actor,
}

/// A registration id as typed: a mistyped one is a usage error that says so.
fn typed_id(text: &str) -> anyhow::Result<String> {
    let id: RegistrationId = text
        .trim()
        .parse()
        .map_err(|e: RegistrationIdError| UsageError(e.to_string()))?;
    Ok(id.to_string())
}

fn parse(stored: &StoredRecord) -> anyhow::Result<Record> {
    serde_json::from_slice(&stored.record_json)
        .map_err(|e| anyhow::anyhow!("record {} is damaged: {e}", stored.registration_id))
}

fn status_line(s: &StoredRecord) -> String {
    let mut line = s.status.to_string();
    if let (Some(by), Some(at)) = (&s.decided_by, &s.decided_at) {
        line += &format!(" by {by} at {at}");
    }
    if let Some(reason) = &s.reason {
        line += &format!(" ({reason})");
    }
    if let Some(by) = &s.superseded_by {
        line += &format!("; superseded by {by}");
    }
    line
}

pub(super) fn run(ctx: &Context, cmd: RecordsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RecordsCommand::Templates { actor } => {
            let (mut st, s) = actor.open(ctx)?;
            let done = st.extract_missing_templates(&s, Timestamp::now(), &mut |done, total| {
                eprintln!("templates: {done}/{total} records");
            })?;
            println!("made the templates of {done} record(s)");
        }
        RecordsCommand::List { status, pin, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            let filter = RecordFilter {
                status,
                pin,
                ..RecordFilter::default()
            };
            let rows = st.records(&s, &filter, Timestamp::now())?;
            println!(
                "{:<26} {:<9} {:<21} {:<8} {}",
                "REGISTRATION ID", "STATUS", "CREATED", "PRECINCT", "NAME"
            );
            for stored in &rows {
                let r = parse(stored)?;
                let status = if r.training {
                    format!("{}*", stored.status)
                } else {
                    stored.status.to_string()
                };
                println!(
                    "{:<26} {:<9} {:<21} {:<8} {}",
                    stored.registration_id,
                    status,
                    stored.created_at,
                    r.citizen.precinct.as_str(),
                    r.citizen.full_name()
                );
            }
            println!(
                "{} record(s){}",
                rows.len(),
                if rows.iter().any(|r| r.training) {
                    "; * = training"
                } else {
                    ""
                }
            );
        }
        RecordsCommand::Show { id, json, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            let id = typed_id(&id)?;
            let (stored, r) = st.record(&s, &id, Timestamp::now())?;
            if json {
                println!("{}", String::from_utf8_lossy(&stored.record_json));
                return Ok(ExitCode::SUCCESS);
            }
            let c = &r.citizen;
            println!("Registration id: {}", r.registration_id);
            println!("Status:          {}", status_line(&stored));
            println!(
                "Created:         {} by {} ({})",
                r.created_at, r.operator.login, r.operator.role
            );
            println!("Training:        {}", if r.training { "yes" } else { "no" });
            let mut devices: Vec<&str> = r.biometrics.iter().map(|b| b.device.as_str()).collect();
            devices.sort_unstable();
            devices.dedup();
            println!("Devices:         {}", devices.join(", "));
            if let Some(old) = &r.supersedes {
                println!("Supersedes:      {old}");
            }
            if let Some(d) = &r.duplicate_override {
                println!(
                    "Duplicate of:    {} (allowed by {}: {})",
                    d.of, d.supervisor, d.reason
                );
            }
            let duplicates = st.duplicates_of(&s, &stored.registration_id, Timestamp::now())?;
            if !duplicates.is_empty() {
                println!("Duplicated by:   {}", duplicates.join(", "));
            }
            println!("Name:            {}", r.citizen.full_name());
            println!(
                "Sex, born:       {}, {}",
                c.sex.code(),
                r.citizen.birth_date
            );
            println!("PIN:             {}", c.pin.as_str());
            let a = &c.address;
            println!(
                "Address:         {}, {}, {}, {}, {}",
                a.region, a.district, a.settlement, a.street, a.house
            );
            println!("Precinct:        {}", c.precinct.as_str());
            println!(
                "Document:        {} {}",
                serde_json::to_value(c.document.kind)?
                    .as_str()
                    .unwrap_or("?"),
                c.document.number
            );
            println!("Language:        {}", c.language.code());
            println!("Biometrics:");
            for b in &r.biometrics {
                let what = match b.position {
                    Some(p) => format!("{} {p}", b.kind.name()),
                    None => b.kind.name().to_owned(),
                };
                let quality = b
                    .quality
                    .map(|q| q.to_string())
                    .unwrap_or_else(|| "-".into());
                let ppi = b.ppi.map(|q| q.to_string()).unwrap_or_else(|| "-".into());
                println!(
                    "  {what:<28} {:>4}x{:<4} ppi {ppi:<4} quality {quality:<3} {:>7} bytes  {}",
                    b.width, b.height, b.bytes, b.sha256
                );
            }
            for e in &r.exceptions {
                println!("  missing {:<20} {}", e.position.name(), e.reason.name());
            }
            if let Some(e) = r.signature_exception() {
                println!("  no signature                 {}", e.reason.code());
            }
        }
        RecordsCommand::Verify => {
            let st = ctx.open()?;
            let report = st.verify_all()?;
            for p in &report.record_problems {
                println!("{}: {}", p.registration_id, p.problem);
            }
            let rows = match &report.audit {
                Ok(rows) => *rows,
                Err(e) => {
                    println!("{e}");
                    0
                }
            };
            if report.ok() {
                println!(
                    "OK: {} records, {} biometrics and {} audit rows verify",
                    report.records_checked, report.biometrics_checked, rows
                );
            } else {
                let n = report.record_problems.len() + usize::from(report.audit.is_err());
                return Err(VerificationFailed(format!("{n} problem(s) found; see above")).into());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn approve(ctx: &Context, args: ApproveArgs) -> anyhow::Result<ExitCode> {
    let ids = args
        .ids
        .iter()
        .map(|i| typed_id(i))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (mut st, s) = args.actor.open(ctx)?;
    st.approve(&s, &ids, Timestamp::now())?;
    println!("approved {} record(s)", ids.len());
    Ok(ExitCode::SUCCESS)
}

pub(super) fn reject(ctx: &Context, args: RejectArgs) -> anyhow::Result<ExitCode> {
    if args.reason.trim().is_empty() {
        return Err(UsageError("--reason must say why the record is rejected".into()).into());
    }
    let id = typed_id(&args.id)?;
    let (mut st, s) = args.actor.open(ctx)?;
    st.reject(&s, &id, &args.reason, Timestamp::now())?;
    println!("rejected {id}");
    Ok(ExitCode::SUCCESS)
}
