//! `kattoo voter-list verify FILE --key PEM --precinct P`: a precinct's voter list checked as a
//! polling station checks it before use (`docs/formats/voter-list-v1.md`).

use super::{UsageError, read_input};
use crate::central::verify_voter_list;
use crate::crypto::PublicKey;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum VoterListCommand {
    /// Check a voter list central wrote: central's signature over exactly its bytes (the `.sig`
    /// file beside it), its form, and that it is the list of this polling station's precinct.
    Verify {
        /// The list (`voter-list-<precinct>-<date>.json`); its signature is read from `FILE.sig`.
        file: PathBuf,
        /// Central's signing key (PEM, `central-signing.pub`), as taken from central out of band.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The polling station's own precinct (four digits).
        #[arg(long, value_name = "P")]
        precinct: String,
    },
}

pub(super) fn run(cmd: VoterListCommand) -> anyhow::Result<ExitCode> {
    let VoterListCommand::Verify {
        file,
        key,
        precinct,
    } = cmd;
    let precinct = super::central_register::precinct(&precinct)?;
    let central = PublicKey::from_pem(&String::from_utf8_lossy(&read_input(&key)?))
        .map_err(|e| UsageError(format!("{}: {e}", key.display())))?;
    let mut signature_file = file.clone().into_os_string();
    signature_file.push(".sig");
    let signature = read_input(Path::new(&signature_file))?;
    let info = verify_voter_list(&read_input(&file)?, &signature, &central, &precinct)?;
    println!(
        "voter list of precinct {} OK: {} voters, issued {}, signed by central's key {}",
        info.precinct,
        info.voters,
        info.issued_at,
        central.fingerprint()
    );
    Ok(ExitCode::SUCCESS)
}
