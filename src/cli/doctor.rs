//! `kattoo doctor [--json]`: checks the station and its machine and says what to fix.
//!
//! Exit status: 0 when every check is ok (or skipped), [`exit::DOCTOR_WARNINGS`] when some only
//! warn, [`exit::VERIFY`] when any fails. The passphrase (file, `KATTOO_PASSPHRASE`, or a prompt
//! on a terminal) is optional: without it the database checks are skipped and the `station`
//! check warns.

use super::{Context, exit, secrets};
use crate::doctor::{self, Limits, Report, Status};
use crate::domain::Timestamp;
use crate::station::DB_FILE;
use clap::Args;
use std::io::IsTerminal;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Options of `kattoo doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON (`status`, `data_dir`, `checks`: `name`, `status`, `message`).
    #[arg(long)]
    pub json: bool,
    /// Pending approvals, or approved records not exported, older than this many days: a warning.
    #[arg(long, value_name = "N", default_value_t = Limits::default().stale_days)]
    pub stale_days: u32,
    /// Less free space than this (MiB) on the data directory's filesystem: a warning.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().warn_free_mib)]
    pub warn_free_mb: u64,
    /// Less free space than this (MiB): a failure.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().min_free_mib)]
    pub min_free_mb: u64,
    /// Do not look for cameras and scanners.
    #[arg(long)]
    pub no_devices: bool,
}

/// The exit status for a report: 0, warnings only, or a failure.
pub fn exit_status(report: &Report) -> u8 {
    match report.status {
        Status::Fail => exit::VERIFY,
        Status::Warn => exit::DOCTOR_WARNINGS,
        Status::Ok | Status::Skip => 0,
    }
}

/// The passphrase if one was given, or typed at a terminal (Enter alone skips the database).
fn passphrase(ctx: &Context) -> anyhow::Result<Option<Zeroizing<String>>> {
    if ctx.passphrase_file.is_some() || std::env::var_os("KATTOO_PASSPHRASE").is_some() {
        return secrets::passphrase(ctx.passphrase_file.as_deref(), false).map(Some);
    }
    if !ctx.dir.join(DB_FILE).exists() || !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let typed =
        rpassword::prompt_password("Station passphrase (Enter alone skips the database checks): ")
            .map(Zeroizing::new)?;
    Ok((!typed.is_empty()).then_some(typed))
}

pub(super) fn run(ctx: &Context, args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let limits = Limits {
        warn_free_mib: args.warn_free_mb,
        min_free_mib: args.min_free_mb,
        stale_days: args.stale_days,
    };
    let passphrase = passphrase(ctx)?;
    let scan: doctor::DeviceScanner<'_> = &doctor::scan_devices;
    let report = doctor::examine(
        &ctx.dir,
        &ctx.config,
        passphrase.as_deref().map(String::as_str),
        (!args.no_devices).then_some(scan),
        &limits,
        Timestamp::now(),
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(ExitCode::from(exit_status(&report)))
}

/// The human report: one line per check, then a summary line.
fn table(report: &Report) -> String {
    let width = report
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max("CHECK".len());
    let mut out = format!("{:<width$}  {:<6}  {}\n", "CHECK", "STATUS", "DETAILS");
    for c in &report.checks {
        out += &format!(
            "{:<width$}  {:<6}  {}\n",
            c.name,
            c.status.name().to_uppercase(),
            c.message
        );
    }
    let (warn, fail) = (report.count(Status::Warn), report.count(Status::Fail));
    out += &match (warn, fail) {
        (0, 0) => format!("all checks passed for {}\n", report.data_dir),
        _ => format!("{fail} failed, {warn} warning(s) for {}\n", report.data_dir),
    };
    out
}
