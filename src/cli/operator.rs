//! `kattoo operator add | list | lock | unlock | disable | reset-password`.

use super::{Context, secrets};
use crate::domain::{Role, Timestamp};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Who performs the action.
#[derive(Debug, Args)]
pub struct Actor {
    /// Login of the operator performing the action.
    #[arg(long, value_name = "LOGIN")]
    pub operator: String,
    /// Read that operator's password from this file instead of KATTOO_OPERATOR_PASSWORD or a prompt.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl Actor {
    /// Unlocks the station and logs this operator in.
    pub(super) fn open(
        &self,
        ctx: &Context,
    ) -> anyhow::Result<(crate::station::Station, crate::station::Session)> {
        ctx.open_as(&self.operator, self.password_file.as_deref())
    }
}

/// Operator subcommands.
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an account (password from --new-password-file, KATTOO_NEW_PASSWORD or a prompt).
    Add {
        login: String,
        #[arg(long)]
        role: Role,
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
        #[command(flatten)]
        actor: Actor,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        actor: Actor,
    },
    /// Lock an account until it is unlocked.
    Lock {
        login: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Unlock an account (clears a lockout after failed logins too).
    Unlock {
        login: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Disable an account for good.
    Disable {
        login: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Set a new password; the operator must change it at the next login.
    ResetPassword {
        login: String,
        #[arg(long, value_name = "FILE")]
        new_password_file: Option<PathBuf>,
        #[command(flatten)]
        actor: Actor,
    },
}

/// The new password for `login`: `--new-password-file`, `KATTOO_NEW_PASSWORD`, or typed twice.
fn new_password_for(
    login: &str,
    file: Option<&std::path::Path>,
) -> anyhow::Result<zeroize::Zeroizing<String>> {
    secrets::new_password(
        file,
        "KATTOO_NEW_PASSWORD",
        &format!("password for {login}"),
    )
}

pub(super) fn run(ctx: &Context, cmd: OperatorCommand) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now;
    match cmd {
        OperatorCommand::Add {
            login,
            role,
            new_password_file,
            actor,
        } => {
            let (mut st, s) = actor.open(ctx)?;
            let pw = new_password_for(&login, new_password_file.as_deref())?;
            st.add_operator(&s, &login, role, &pw, now())?;
            println!("added {login} ({role})");
        }
        OperatorCommand::List { actor } => {
            let (mut st, s) = actor.open(ctx)?;
            let t = now();
            println!(
                "{:<20} {:<11} {:<9} {:>6}  {}",
                "LOGIN", "ROLE", "STATUS", "FAILED", "LOCKED UNTIL"
            );
            for op in st.operators(&s, t)? {
                let until = op
                    .locked_until
                    .filter(|u| *u > t.unix())
                    .and_then(Timestamp::from_unix)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| "-".into());
                let status = format!("{:?}", op.status).to_lowercase();
                println!(
                    "{:<20} {:<11} {:<9} {:>6}  {}",
                    op.login,
                    op.role.name(),
                    status,
                    op.failed_attempts,
                    until
                );
            }
        }
        OperatorCommand::Lock { login, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            st.lock_operator(&s, &login, now())?;
            println!("locked {login}");
        }
        OperatorCommand::Unlock { login, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            st.unlock_operator(&s, &login, now())?;
            println!("unlocked {login}");
        }
        OperatorCommand::Disable { login, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            st.disable_operator(&s, &login, now())?;
            println!("disabled {login}");
        }
        OperatorCommand::ResetPassword {
            login,
            new_password_file,
            actor,
        } => {
            let (mut st, s) = actor.open(ctx)?;
            let pw = new_password_for(&login, new_password_file.as_deref())?;
            st.reset_password(&s, &login, &pw, now())?;
            if s.login() == login {
                println!("password of {login} changed");
            } else {
                println!("password of {login} reset; it must be changed at the next login");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
