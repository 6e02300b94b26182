//! `kattoo enroll`: save enrollments from files, one from flags or many from a manifest.
//!
//! Each enrollment runs the kiosk's own workflow headless ([`workflow::files`]) and saves through
//! the same station call, so the command line and the kiosk refuse the same drafts.

use super::{Context, UsageError, secrets};
use crate::domain::biometric::ImageError;
use crate::domain::enrollment::SignatureReason;
use crate::domain::{
    BiometricKind, Capture, CitizenInput, ExceptionReason, FingerException, FingerPosition,
    Provenance, RegistrationId, Timestamp,
};
use crate::station::{Session, Station};
use crate::workflow::{
    self, WorkflowError,
    files::{FileEnrollment, FilesError, OverrideGrant},
};
use clap::Args;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// Options of `kattoo enroll`.
#[derive(Debug, Args)]
pub struct EnrollArgs {
    /// Login of the registrar saving the record.
    #[arg(long, value_name = "LOGIN")]
    pub operator: String,
    /// Read the operator's password from this file instead of KATTOO_OPERATOR_PASSWORD or a prompt.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Citizen details as JSON (see fixtures/people/aigul.json).
    #[arg(long, value_name = "FILE", required_unless_present = "manifest")]
    pub demographics: Option<PathBuf>,
    /// Face photo (PNG).
    #[arg(long, value_name = "FILE", required_unless_present = "manifest")]
    pub photo: Option<PathBuf>,
    /// A fingerprint, POSITION=FILE (8-bit grayscale PNG), e.g. right-index=ri.png; repeat.
    #[arg(long = "finger", value_name = "POSITION=FILE")]
    pub fingers: Vec<String>,
    /// A missing finger, POSITION=REASON (amputated, bandaged, scarred, unable); repeat.
    #[arg(long = "missing", value_name = "POSITION=REASON")]
    pub missing: Vec<String>,
    /// A photo of a missing finger, POSITION=FILE (PNG); repeat.
    #[arg(long = "exception-photo", value_name = "POSITION=FILE")]
    pub exception_photos: Vec<String>,
    /// The citizen's signature (PNG).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["manifest", "no_signature"])]
    pub signature: Option<PathBuf>,
    /// The citizen cannot sign, for this REASON (disability, injury, cannot-write): the record
    /// is saved without a signature, as kattoo/enrollment/v2.
    #[arg(long, value_name = "REASON", conflicts_with = "signature")]
    pub no_signature: Option<String>,
    /// The registration id this record corrects.
    #[arg(long, value_name = "ID")]
    pub supersedes: Option<String>,
    /// Enrol a PIN that is already enrolled, allowed by this supervisor (password from
    /// --supervisor-password-file, KATTOO_SUPERVISOR_PASSWORD or a prompt).
    #[arg(long, value_name = "LOGIN", requires = "reason")]
    pub override_duplicate_by: Option<String>,
    /// Why the duplicate is allowed.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub supervisor_password_file: Option<PathBuf>,
    /// Many enrollments: a JSON Lines file, one object per line with the keys demographics,
    /// photo, fingers {position: file}, missing {position: reason}, exception_photos, signature
    /// or no_signature (a reason), supersedes (paths relative to the manifest). Prints each saved
    /// id as it commits.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demographics", "photo", "signature", "no_signature", "fingers", "missing"])]
    pub manifest: Option<PathBuf>,
}

/// One enrollment described by files.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSet {
    demographics: PathBuf,
    photo: PathBuf,
    #[serde(default)]
    fingers: BTreeMap<String, PathBuf>,
    #[serde(default)]
    missing: BTreeMap<String, String>,
    #[serde(default)]
    exception_photos: BTreeMap<String, PathBuf>,
    #[serde(default)]
    signature: Option<PathBuf>,
    /// Why the citizen cannot sign, instead of a signature.
    #[serde(default)]
    no_signature: Option<String>,
    #[serde(default)]
    supersedes: Option<String>,
}

fn split_pair(arg: &str, what: &str) -> anyhow::Result<(String, String)> {
    arg.split_once('=')
        .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
        .ok_or_else(|| {
            UsageError(format!(
                "--{what} '{arg}' is not POSITION=VALUE, e.g. right-index=ri.png"
            ))
            .into()
        })
}

fn position(name: &str) -> anyhow::Result<FingerPosition> {
    Ok(name.parse().map_err(UsageError)?)
}

/// The largest file an enrollment reads (a demographics file, a picture): far above any real
/// one, and a bound on what a wrong path (a device, a huge file) can make it read.
const MAX_FILE: u64 = 64 << 20;

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| UsageError(format!("cannot read {}: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(UsageError(format!(
            "{} is larger than {} MiB: it is not a demographics file or a picture",
            path.display(),
            MAX_FILE >> 20
        ))
        .into());
    }
    Ok(bytes)
}

fn capture(
    kind: BiometricKind,
    pos: Option<FingerPosition>,
    path: &Path,
) -> anyhow::Result<Capture> {
    Capture::from_png(kind, pos, read(path)?, Provenance::back_fill()).map_err(|e: ImageError| {
        let what = pos
            .map(|p| format!("{} {p}", kind.name()))
            .unwrap_or_else(|| kind.name().to_owned());
        UsageError(format!("{} ({what}): {e}", path.display())).into()
    })
}

impl FileSet {
    fn from_args(a: &EnrollArgs) -> anyhow::Result<FileSet> {
        let pairs = |list: &[String], what| {
            list.iter()
                .map(|x| split_pair(x, what))
                .collect::<anyhow::Result<Vec<_>>>()
        };
        let unique = |pairs: Vec<(String, String)>,
                      what: &str|
         -> anyhow::Result<BTreeMap<String, String>> {
            let mut map = BTreeMap::new();
            for (k, v) in pairs {
                if map.insert(k.clone(), v).is_some() {
                    return Err(UsageError(format!("--{what} {k} is given twice")).into());
                }
            }
            Ok(map)
        };
        let paths = |m: BTreeMap<String, String>| {
            m.into_iter().map(|(k, v)| (k, PathBuf::from(v))).collect()
        };
        Ok(FileSet {
            demographics: a.demographics.clone().unwrap_or_default(),
            photo: a.photo.clone().unwrap_or_default(),
            fingers: paths(unique(pairs(&a.fingers, "finger")?, "finger")?),
            missing: unique(pairs(&a.missing, "missing")?, "missing")?,
            exception_photos: paths(unique(
                pairs(&a.exception_photos, "exception-photo")?,
                "exception-photo",
            )?),
            signature: a.signature.clone(),
            no_signature: a.no_signature.clone(),
            supersedes: a.supersedes.clone(),
        })
    }

    /// Reads and checks every file; relative paths are taken from `base`.
    fn load(&self, base: &Path) -> anyhow::Result<FileEnrollment> {
        let at = |p: &Path| base.join(p);
        let text = read(&at(&self.demographics))?;
        let citizen: CitizenInput = serde_json::from_slice(&text).map_err(|e| {
            UsageError(format!(
                "{}: not valid citizen JSON: {e}",
                self.demographics.display()
            ))
        })?;
        let mut fingers = Vec::new();
        for (name, path) in &self.fingers {
            fingers.push(capture(
                BiometricKind::Finger,
                Some(position(name)?),
                &at(path),
            )?);
        }
        let mut missing = Vec::new();
        for (name, reason) in &self.missing {
            let reason: ExceptionReason = reason.parse().map_err(UsageError)?;
            missing.push(FingerException {
                position: position(name)?,
                reason,
            });
        }
        let mut exception_photos = Vec::new();
        for (name, path) in &self.exception_photos {
            exception_photos.push(capture(
                BiometricKind::ExceptionPhoto,
                Some(position(name)?),
                &at(path),
            )?);
        }
        let supersedes = self
            .supersedes
            .as_deref()
            .map(|s| {
                s.parse::<RegistrationId>()
                    .map_err(|e| UsageError(e.to_string()))
            })
            .transpose()?;
        let (signature, no_signature) = match (&self.signature, &self.no_signature) {
            (Some(path), None) => (
                Some(capture(BiometricKind::Signature, None, &at(path))?),
                None,
            ),
            (None, Some(reason)) => {
                let reason = SignatureReason::parse(reason).ok_or_else(|| {
                    UsageError(format!(
                        "--no-signature (no_signature) '{reason}' is not a reason: disability, injury or cannot-write"
                    ))
                })?;
                (None, Some(reason))
            }
            (Some(_), Some(_)) => {
                return Err(UsageError(
                    "a signature and no_signature are both given: keep one".into(),
                )
                .into());
            }
            (None, None) => {
                return Err(UsageError(
                    "no signature: give the signature, or no_signature with the reason the \
                     citizen cannot sign (disability, injury, cannot-write)"
                        .into(),
                )
                .into());
            }
        };
        Ok(FileEnrollment {
            citizen,
            photo: Some(capture(BiometricKind::Face, None, &at(&self.photo))?),
            fingers,
            missing,
            exception_photos,
            signature,
            no_signature,
            supersedes,
        })
    }
}

/// The kiosk's translations, in English (the command line's language).
fn english() -> crate::ui::i18n::I18n {
    let mut i18n = crate::ui::i18n::I18n::default();
    i18n.set_language(crate::domain::Language::En);
    i18n
}

/// Runs the enrollment workflow over the files and saves the record.
fn save(
    station: &mut Station,
    session: &Session,
    files: FileEnrollment,
    grant: Option<&(String, Zeroizing<String>, String)>,
) -> anyhow::Result<RegistrationId> {
    let grant = grant.map(|(supervisor, password, reason)| OverrideGrant {
        supervisor: supervisor.clone(),
        password: password.clone(),
        reason: reason.clone(),
    });
    workflow::files::enroll(station, session, files, grant, Timestamp::now()).map_err(|e| match e {
        // The kiosk's own words for the refusal, in its English; invalid details list each rule.
        FilesError::Workflow(e @ WorkflowError::CitizenInvalid(_)) => {
            super::Refused(e.to_string()).into()
        }
        FilesError::Workflow(e) => {
            super::Refused(crate::ui::enroll::workflow_message(&english(), &e)).into()
        }
        FilesError::Station(e) => anyhow::Error::new(e),
        FilesError::File(detail) => UsageError(detail).into(),
    })
}

/// A manifest's enrollments: each non-empty line (numbered from 1) read into the files it names,
/// relative to `base`. A line that does not parse, or names a file that does not load, is an
/// error of its own; the others go on.
pub(crate) fn manifest_entries<'a>(
    text: &'a str,
    base: &'a Path,
) -> impl Iterator<Item = (usize, anyhow::Result<FileEnrollment>)> + 'a {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(move |(n, line)| {
            let entry = serde_json::from_str::<FileSet>(line)
                .map_err(|e| UsageError(format!("not a valid manifest line: {e}")).into())
                .and_then(|set| set.load(base));
            (n + 1, entry)
        })
}

pub(super) fn run(ctx: &Context, args: EnrollArgs) -> anyhow::Result<ExitCode> {
    let (mut station, session) = ctx.open_as(&args.operator, args.password_file.as_deref())?;
    // The supervisor's password is asked now; it is checked (and the supervisor's part audited)
    // only if the PIN turns out to be enrolled already.
    let grant = match &args.override_duplicate_by {
        None => None,
        Some(login) => {
            let password = secrets::password(
                args.supervisor_password_file.as_deref(),
                "KATTOO_SUPERVISOR_PASSWORD",
                &format!("Password for supervisor {login}: "),
            )?;
            let reason = args.reason.clone().unwrap_or_default();
            Some((login.clone(), password, reason))
        }
    };
    let grant = grant.as_ref();
    let Some(manifest) = &args.manifest else {
        let draft = FileSet::from_args(&args)?.load(Path::new(""))?;
        println!("{}", save(&mut station, &session, draft, grant)?);
        return Ok(ExitCode::SUCCESS);
    };
    let text = String::from_utf8(read(manifest)?)
        .map_err(|_| UsageError(format!("{} is not UTF-8", manifest.display())))?;
    let base = manifest.parent().unwrap_or(Path::new(""));
    let mut failed = 0usize;
    let mut saved = 0usize;
    let mut out = std::io::stdout().lock();
    for (n, entry) in manifest_entries(&text, base) {
        let result = entry.and_then(|draft| save(&mut station, &session, draft, grant));
        match result {
            Ok(id) => {
                saved += 1;
                writeln!(out, "{id}")?;
                out.flush()?;
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}:{n}: {e:#}", manifest.display());
            }
        }
    }
    if failed > 0 {
        eprintln!("saved {saved}, failed {failed}");
        return Ok(ExitCode::from(super::exit::INVALID));
    }
    Ok(ExitCode::SUCCESS)
}
