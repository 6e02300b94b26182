//! `kattoo init`: create a station.

use super::{Context, UsageError, secrets};
use crate::domain::address::Precinct;
use crate::domain::{StationId, Timestamp};
use crate::station::{Station, StationSetup};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `kattoo init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Station id, 2-12 characters A-Z and 0-9 (e.g. KG1101).
    #[arg(long)]
    pub station_id: String,
    /// Station name as shown on receipts.
    #[arg(long)]
    pub name: String,
    /// Region code: batken, chui, issyk-kul, jalal-abad, naryn, osh-region, talas, bishkek, osh.
    #[arg(long)]
    pub region: String,
    /// A 4-digit precinct served by the station; repeat for several.
    #[arg(long = "precinct", required = true)]
    pub precincts: Vec<String>,
    /// Login of the first admin account.
    #[arg(long)]
    pub admin: String,
    /// Read the admin's password from this file instead of KATTOO_NEW_PASSWORD or a prompt.
    #[arg(long, value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,
    /// The number of the station's first record. Only for a laptop that replaces a stolen or
    /// lost one under the same station id: the number central gives (`kattoo central keys ID`),
    /// so that it repeats no registration id central holds.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub first_sequence: u64,
}

pub(super) fn run(ctx: &Context, args: InitArgs) -> anyhow::Result<ExitCode> {
    let station_id = StationId::parse(&args.station_id).map_err(UsageError)?;
    let precincts = args
        .precincts
        .iter()
        .map(|p| {
            Precinct::parse(p).map_err(|_| UsageError(format!("precinct '{p}' is not 4 digits")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let passphrase = secrets::passphrase(ctx.passphrase_file.as_deref(), true)?;
    let admin_password = secrets::new_password(
        args.admin_password_file.as_deref(),
        "KATTOO_NEW_PASSWORD",
        "admin password",
    )?;
    let setup = StationSetup {
        station_id,
        name: args.name,
        region: args.region,
        precincts,
        admin_login: args.admin,
        admin_password: admin_password.to_string(),
        first_sequence: args.first_sequence,
    };
    let station = Station::init(
        &ctx.dir,
        &passphrase,
        &setup,
        ctx.config.clone(),
        Timestamp::now(),
    )?;
    let info = station.info();
    println!(
        "Station {} initialised in {}",
        info.station_id,
        ctx.dir.display()
    );
    println!("Admin account: {}", setup.admin_login);
    if setup.first_sequence > 1 {
        println!(
            "Records are numbered from {}, after those of the laptop this one replaces",
            setup.first_sequence
        );
    }
    println!(
        "Station public key (fingerprint {}):",
        info.public_key.fingerprint()
    );
    print!("{}", info.public_key.to_pem());
    Ok(ExitCode::SUCCESS)
}
