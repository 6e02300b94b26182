//! `kattoo batch verify FILE --identity KEY [--station-key PEM]` and
//! `kattoo batch set-recipient age1… --operator ADMIN`.

use super::operator::Actor;
use super::{Context, exit};
use crate::batch::{self, Error};
use crate::central::identity;
use crate::crypto::PublicKey;
use crate::domain::Timestamp;
use anyhow::Context as _;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Batch subcommands.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Decrypt and check a batch: completeness, digests, signatures, biometric hashes, audit chain.
    Verify {
        file: PathBuf,
        /// Central's age identity file: plain (AGE-SECRET-KEY-1…) or encrypted with the central
        /// passphrase (as `kattoo central init --identity` writes it; the passphrase then comes
        /// from --passphrase-file, KATTOO_CENTRAL_PASSPHRASE or a prompt).
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// The station's public key (PEM) or certificate; without it the batch's own certificate is used.
        #[arg(long, value_name = "FILE")]
        station_key: Option<PathBuf>,
    },
    /// Set the age recipient(s) batches are encrypted to (admin).
    SetRecipient {
        #[arg(required = true)]
        recipients: Vec<String>,
        #[command(flatten)]
        actor: Actor,
    },
}

/// The exit status of a batch error: one per failure kind.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::NotAge(_)
        | Error::Decrypt(_)
        | Error::Truncated(_)
        | Error::NonUtf8Path
        | Error::UnsafePath(_)
        | Error::UnsafeEntryType { .. }
        | Error::TooLarge { .. }
        | Error::OverLimit { .. }
        | Error::BagDeclaration
        | Error::BagInfo(_)
        | Error::Manifest { .. }
        | Error::OutsideData(_)
        | Error::UnexpectedTagFile(_)
        | Error::UnlistedTagFile(_)
        | Error::PayloadOxum { .. }
        | Error::RecordCount { .. }
        | Error::StoredBiometric { .. } => exit::BATCH_DAMAGED,
        Error::WrongRecipient => exit::WRONG_RECIPIENT,
        Error::MissingFile(_) | Error::MissingBiometric(_) => exit::MISSING_FILE,
        Error::ExtraFile(_) | Error::DuplicateEntry(_) | Error::UnreferencedBiometric(_) => {
            exit::EXTRA_FILE
        }
        Error::Digest(_) => exit::DIGEST,
        Error::BatchSignature { .. }
        | Error::CertificateJson(_)
        | Error::CertificateSchema(_)
        | Error::CertificateStationId(_)
        | Error::CertificateKey(_)
        | Error::CertificateUnsigned
        | Error::CertificateNotCanonical
        | Error::CertificateSignature { .. }
        | Error::CertificateStation { .. }
        | Error::CertificateKeyMismatch { .. } => exit::BATCH_SIGNATURE,
        Error::RecordSignature { .. }
        | Error::RecordNamesOther { .. }
        | Error::RecordFromOtherStation { .. }
        | Error::RecordIdMismatch { .. }
        | Error::TrainingRecord(_)
        | Error::RecordJson { .. }
        | Error::StoredRecord { .. }
        | Error::RecordVanished(_) => exit::RECORD_SIGNATURE,
        Error::BiometricHash(_) => exit::BIOMETRIC_HASH,
        Error::AuditChain(_)
        | Error::AuditHead { .. }
        | Error::NoAuditRows
        | Error::AuditNotFromStart { .. }
        | Error::AuditLine { .. }
        | Error::AuditRowZero(_)
        | Error::AuditNotCanonical(_)
        | Error::AuditHash(_)
        | Error::AuditEvent { .. } => exit::AUDIT_CHAIN,
        Error::ReadBack(_) => exit::MEDIUM,
        Error::Recipient { .. } | Error::IdentityLine | Error::NoIdentity => exit::USAGE,
        Error::Io { .. }
        | Error::Encrypt(_)
        | Error::Seal { .. }
        | Error::SealerPanicked
        | Error::SealerStopped
        | Error::Canonical(_) => exit::FAILURE,
    }
}

/// Reads central's identity file, plain or passphrase-protected (asking for the passphrase only
/// then).
fn read_identity(ctx: &Context, path: &Path) -> anyhow::Result<Vec<age::x25519::Identity>> {
    let bytes = Zeroizing::new(super::read_input(path)?);
    if identity::is_protected(&bytes) {
        let passphrase = super::central::passphrase(ctx, false)?;
        let key =
            identity::unlock(&bytes, &passphrase).with_context(|| path.display().to_string())?;
        return Ok(key.identities().to_vec());
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        super::UsageError(format!(
            "{} is neither an age identity file nor one encrypted with a passphrase: give central's identity file",
            path.display()
        ))
    })?;
    Ok(batch::parse_identities(text)?)
}

/// Reads a station key from a PEM file or a station certificate.
pub(super) fn read_station_key(path: &std::path::Path) -> anyhow::Result<PublicKey> {
    let bytes = super::read_input(path)?;
    if bytes.starts_with(b"{") {
        return Ok(batch::StationCertificate::verify(&bytes)?.1);
    }
    let text = String::from_utf8_lossy(&bytes);
    PublicKey::from_pem(&text)
        .map_err(|e| super::UsageError(format!("{}: {e}", path.display())).into())
}

pub(super) fn run(ctx: &Context, cmd: BatchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BatchCommand::Verify {
            file,
            identity,
            station_key,
        } => {
            let ids = read_identity(ctx, &identity)?;
            let key = station_key.as_deref().map(read_station_key).transpose()?;
            let input = std::fs::File::open(&file)
                .map_err(|e| super::UsageError(format!("cannot read {}: {e}", file.display())))?;
            let v = batch::verify_batch(
                std::io::BufReader::new(input),
                &ids,
                key.as_ref(),
                &mut |_, _| Ok(()),
            )?;
            let summary = format!(
                "{} records, {} biometric files, audit rows {}..{}",
                v.records.len(),
                v.biometric_files,
                v.audit.first().map_or(v.info.audit_head_seq, |r| r.seq),
                v.info.audit_head_seq
            );
            if v.self_certified {
                // Anyone can make a batch that its own certificate vouches for: never "OK".
                println!(
                    "batch {} of station {} is intact but NOT verified as the station's: {summary}",
                    v.info.sequence, v.info.station_id,
                );
                eprintln!(
                    "kattoo: checked only against the key in the batch's own certificate ({}); pass --station-key with the station's registered certificate or key",
                    v.station_key.fingerprint()
                );
                return Ok(ExitCode::from(super::exit::KEY_NOT_CHECKED));
            }
            println!(
                "batch {} of station {} OK: {summary}",
                v.info.sequence, v.info.station_id,
            );
        }
        BatchCommand::SetRecipient { recipients, actor } => {
            let (mut st, s) = actor.open(ctx)?;
            st.set_batch_recipients(&s, &recipients, Timestamp::now())?;
            println!("batches are now encrypted to {}", recipients.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}
