//! Printing a saved receipt through the system's printing service (CUPS: `lpstat`, `lp`).
//!
//! Many field kiosks have no printer, and the registrar needs to know which of three things went
//! wrong, because each has a different fix: no printing system at all (save the PDF instead), no
//! default printer (plug one in and choose it), or a job the printer refused (paper, power). The
//! commands are paths in [`Printer`] so that tests run small scripts in their place. Calls block
//! until `lp` returns: run them off the UI thread.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The most of a command's error output kept in a [`PrintError`].
const DETAIL_LIMIT: usize = 300;

/// The printing commands to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printer {
    /// The command that submits a job (`lp`).
    pub lp: PathBuf,
    /// The command that reports the default destination (`lpstat`).
    pub lpstat: PathBuf,
}

/// A job the printing service accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    /// The printer the job went to.
    pub printer: String,
    /// The request id `lp` reported, e.g. `Office-42`, when it reported one.
    pub request_id: Option<String>,
}

/// Why a receipt was not printed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// No printing system: the command is not installed.
    #[error("printing: {} is not installed", program.display())]
    NoPrintingSystem {
        /// The command that was not found.
        program: PathBuf,
    },
    /// The printing system has no default printer.
    #[error("printing: no default printer is set")]
    NoDefaultPrinter,
    /// The printing system refused or failed (the command's own message, trimmed).
    #[error("printing: {program} failed: {detail}")]
    Failed {
        /// `lp` or `lpstat`.
        program: String,
        /// The command's error output, or its exit status when it said nothing.
        detail: String,
    },
    /// The command exists but could not be run.
    #[error("printing: running {}: {source}", program.display())]
    Run {
        /// The command.
        program: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
}

impl PrintError {
    /// The Fluent message id the GUI shows for this error (with `$detail` set to its text).
    pub fn message_id(&self) -> &'static str {
        match self {
            PrintError::NoPrintingSystem { .. } => "receipt-error-no-printing",
            PrintError::NoDefaultPrinter => "receipt-error-no-printer",
            PrintError::Failed { .. } | PrintError::Run { .. } => "receipt-error-print-failed",
        }
    }
}

/// Prints the PDF at `path` on the system's default printer ([`Printer::system`]).
pub fn print(path: &Path) -> Result<(), PrintError> {
    Printer::system().print(path).map(|_| ())
}

impl Printer {
    /// CUPS's `lp` and `lpstat`, found on `PATH`.
    pub fn system() -> Self {
        Self {
            lp: PathBuf::from("lp"),
            lpstat: PathBuf::from("lpstat"),
        }
    }

    /// The default printer's name, from `lpstat -d`.
    pub fn default_printer(&self) -> Result<String, PrintError> {
        // The C locale, because the answer is parsed.
        let output = run(
            Command::new(&self.lpstat)
                .arg("-d")
                .env("LC_ALL", "C")
                .env("LANG", "C"),
            &self.lpstat,
        )?;
        if !output.status.success() {
            return Err(failed("lpstat", &output));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout
            .lines()
            .find_map(|line| line.trim().strip_prefix("system default destination:"))
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .ok_or(PrintError::NoDefaultPrinter)
    }

    /// Sends the file at `path` to the default printer.
    pub fn print(&self, path: &Path) -> Result<PrintJob, PrintError> {
        let printer = self.default_printer()?;
        let output = run(
            Command::new(&self.lp)
                .arg("-d")
                .arg(&printer)
                .arg("--")
                .arg(path),
            &self.lp,
        )?;
        if !output.status.success() {
            return Err(failed("lp", &output));
        }
        // "request id is Office-42 (1 file(s))"
        let request_id = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .skip_while(|w| *w != "is")
            .nth(1)
            .map(str::to_owned);
        tracing::info!(printer, request = ?request_id, "receipt sent to the printer");
        Ok(PrintJob {
            printer,
            request_id,
        })
    }
}

/// Runs a command to completion, telling "not installed" from other failures to start it.
fn run(command: &mut Command, program: &Path) -> Result<Output, PrintError> {
    command.stdin(std::process::Stdio::null());
    command.output().map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            PrintError::NoPrintingSystem {
                program: program.to_path_buf(),
            }
        } else {
            PrintError::Run {
                program: program.to_path_buf(),
                source,
            }
        }
    })
}

/// A failed command's error output (its first lines, trimmed), or its exit status.
fn failed(program: &str, output: &Output) -> PrintError {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut detail: String = stderr.trim().chars().take(DETAIL_LIMIT).collect();
    if detail.is_empty() {
        detail = output.status.to_string();
    }
    PrintError::Failed {
        program: program.to_owned(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A tempdir holding fake `lp` and `lpstat` scripts; `lp` records its arguments in `lp.args`.
    struct FakeCups {
        dir: tempfile::TempDir,
    }

    impl FakeCups {
        fn new(lpstat: &str, lp: &str) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let args = dir.path().join("lp.args");
            let scripts = [
                ("lpstat", format!("#!/bin/sh\n{lpstat}\n")),
                (
                    "lp",
                    format!(
                        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n{lp}\n",
                        args.display()
                    ),
                ),
            ];
            for (name, body) in scripts {
                let path = dir.path().join(name);
                std::fs::write(&path, body).unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            Self { dir }
        }

        fn printer(&self) -> Printer {
            Printer {
                lp: self.dir.path().join("lp"),
                lpstat: self.dir.path().join("lpstat"),
            }
        }

        /// The arguments `lp` was called with, or `None` when it was not called.
        fn lp_args(&self) -> Option<Vec<String>> {
            let text = std::fs::read_to_string(self.dir.path().join("lp.args")).ok()?;
            Some(text.lines().map(str::to_owned).collect())
        }

        fn print(&self, path: &Path) -> Result<PrintJob, PrintError> {
            print_with(&self.printer(), path)
        }
    }

    /// Prints, retrying while a just-written script is still "busy" (ETXTBSY: another test thread
    /// forked while the file was open for writing, and its child has not yet exec'd).
    fn print_with(printer: &Printer, path: &Path) -> Result<PrintJob, PrintError> {
        for _ in 0..50 {
            match printer.print(path) {
                Err(PrintError::Run { source, .. }) if source.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
        panic!("the fake scripts stayed busy");
    }

    const DEFAULT_OFFICE: &str = "echo 'system default destination: Office'";
    const LP_OK: &str = "echo 'request id is Office-7 (1 file(s))'";

    #[test]
    fn success_sends_the_exact_file_to_the_default_printer() {
        let cups = FakeCups::new(DEFAULT_OFFICE, LP_OK);
        let file = cups.dir.path().join("receipt KG1101-000001-20261127-0.pdf");
        std::fs::write(&file, b"%PDF-").unwrap();
        let job = cups.print(&file).unwrap();
        assert_eq!(
            job,
            PrintJob {
                printer: "Office".into(),
                request_id: Some("Office-7".into())
            }
        );
        let expected = ["-d", "Office", "--", file.to_str().unwrap()];
        assert_eq!(cups.lp_args().unwrap(), expected);
    }

    #[test]
    fn no_lp_on_the_system_is_no_printing_system() {
        let cups = FakeCups::new(DEFAULT_OFFICE, LP_OK);
        let printer = Printer {
            lp: cups.dir.path().join("no-such-lp"),
            ..cups.printer()
        };
        let err = print_with(&printer, Path::new("/tmp/r.pdf")).unwrap_err();
        assert!(
            matches!(err, PrintError::NoPrintingSystem { .. }),
            "{err:?}"
        );
        assert_eq!(err.message_id(), "receipt-error-no-printing");

        let printer = Printer {
            lpstat: cups.dir.path().join("no-such-lpstat"),
            ..cups.printer()
        };
        let err = print_with(&printer, Path::new("/tmp/r.pdf")).unwrap_err();
        assert_eq!(err.message_id(), "receipt-error-no-printing");
        assert_eq!(cups.lp_args(), None, "lp must not run");
    }

    #[test]
    fn no_default_destination_is_no_default_printer() {
        let cups = FakeCups::new("echo 'no system default destination'", LP_OK);
        let err = cups.print(Path::new("/tmp/r.pdf")).unwrap_err();
        assert!(matches!(err, PrintError::NoDefaultPrinter), "{err:?}");
        assert_eq!(err.message_id(), "receipt-error-no-printer");
        assert_eq!(cups.lp_args(), None, "lp must not run");
    }

    #[test]
    fn a_refused_job_reports_lps_own_message() {
        let cups = FakeCups::new(
            DEFAULT_OFFICE,
            "echo 'lp: The printer or class is not accepting jobs.' >&2; exit 1",
        );
        let err = cups.print(Path::new("/tmp/r.pdf")).unwrap_err();
        assert_eq!(err.message_id(), "receipt-error-print-failed");
        assert_eq!(
            err.to_string(),
            "printing: lp failed: lp: The printer or class is not accepting jobs."
        );
    }

    #[test]
    fn a_stopped_scheduler_is_a_failure_with_lpstats_message() {
        let cups = FakeCups::new(
            "echo 'lpstat: Scheduler is not running.' >&2; exit 1",
            LP_OK,
        );
        let err = cups.print(Path::new("/tmp/r.pdf")).unwrap_err();
        assert_eq!(err.message_id(), "receipt-error-print-failed");
        assert_eq!(
            err.to_string(),
            "printing: lpstat failed: lpstat: Scheduler is not running."
        );
        assert_eq!(cups.lp_args(), None, "lp must not run");
    }

    #[test]
    fn a_silent_failure_reports_the_exit_status() {
        let cups = FakeCups::new(DEFAULT_OFFICE, "exit 3");
        let err = cups.print(Path::new("/tmp/r.pdf")).unwrap_err();
        assert_eq!(err.to_string(), "printing: lp failed: exit status: 3");
    }
}
