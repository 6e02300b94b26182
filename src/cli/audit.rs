//! `kattoo audit verify | show`.

use super::operator::Actor;
use super::{Context, VerificationFailed};
use crate::domain::Timestamp;
use clap::Subcommand;
use std::process::ExitCode;

/// Audit subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole chain; names the first bad row.
    Verify,
    /// List events (supervisor).
    Show {
        /// First row to show.
        #[arg(long, default_value_t = 1)]
        from: u64,
        /// How many rows to show.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[command(flatten)]
        actor: Actor,
    },
}

pub(super) fn run(ctx: &Context, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => {
            let st = ctx.open()?;
            match st.verify_audit()? {
                Ok(rows) => {
                    let (_, head) = st.audit_head()?;
                    println!("audit chain OK: {rows} rows, head {}", hex::encode(head));
                }
                Err(e) => return Err(VerificationFailed(e.to_string()).into()),
            }
        }
        AuditCommand::Show { from, limit, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            for (seq, e) in st.audit_events(&s, from, limit, Timestamp::now())? {
                let detail = if e.detail.is_empty() {
                    String::new()
                } else {
                    serde_json::Value::Object(e.detail).to_string()
                };
                println!(
                    "{seq:>6}  {}  {:<24} {:<12} {:<26} {detail}",
                    e.at,
                    e.action.name(),
                    e.operator.as_deref().unwrap_or("-"),
                    e.subject.as_deref().unwrap_or("-"),
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
