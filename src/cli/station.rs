//! `kattoo station show | public-key`.

use super::Context;
use clap::Subcommand;
use std::process::ExitCode;

/// Station subcommands.
#[derive(Debug, Subcommand)]
pub enum StationCommand {
    /// Show the station's identity, key fingerprint and record counts.
    Show,
    /// Print the station's public key (PEM).
    PublicKey,
    /// Write the signed station certificate and public key to DIR (for central to register it).
    Certificate {
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
    },
}

pub(super) fn run(ctx: &Context, cmd: StationCommand) -> anyhow::Result<ExitCode> {
    let station = ctx.open()?;
    let info = station.info();
    match cmd {
        StationCommand::PublicKey => print!("{}", info.public_key.to_pem()),
        StationCommand::Certificate { to } => return super::export::certificate(&station, &to),
        StationCommand::Show => {
            let counts = station.status_counts()?;
            println!("Station:    {}", info.station_id);
            println!("Name:       {}", info.name);
            println!("Region:     {}", info.region);
            println!("Precincts:  {}", info.precincts.join(", "));
            println!("Created:    {}", info.created_at);
            println!(
                "Records:    {} (pending {}, approved {}, rejected {}, exported {})",
                counts.total(),
                counts.pending,
                counts.approved,
                counts.rejected,
                counts.exported
            );
            println!("Key:        {}", info.public_key.fingerprint());
            println!(
                "Training:   {}",
                if station.config().station.training {
                    "on"
                } else {
                    "off"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
