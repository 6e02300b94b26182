//! The enrollment receipt a registrar hands to the citizen after saving: registration id, name,
//! precinct, date, station and a QR code of the registration id, on one A6 page.
//!
//! The receipt is the citizen's only proof, on paper, that they were registered, so it must come
//! out even where the kiosk has no printer: it is always a PDF first ([`Receipt::to_pdf`],
//! [`Receipt::save_pdf`]) and printed second, through CUPS when the kiosk has it ([`print`]). The
//! GUI passes the labels already translated and shows the errors by [`ReceiptError::message_id`] /
//! [`PrintError::message_id`]; nothing here logs a citizen's name.

mod font;
mod pdf;
mod print;
#[cfg(test)]
mod tests;

pub use print::{PrintError, PrintJob, Printer, print};

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What a receipt says about one saved registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The record's registration id, e.g. `KG1101-000001-20261127-0`; also names the PDF file.
    pub registration_id: String,
    /// The citizen's full name as it is to be printed.
    pub citizen_name: String,
    /// The precinct number (4 digits).
    pub precinct: String,
    /// The enrollment date, `YYYY-MM-DD`.
    pub date: String,
    /// The station's code, e.g. `KG1101`.
    pub station_id: String,
    /// The station's name, e.g. `Аламүдүн №1`.
    pub station_name: String,
}

/// The receipt's fixed wording, already translated by the caller (the GUI's Fluent bundle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLabels {
    /// The heading, e.g. "Voter registration receipt".
    pub title: String,
    /// The label of the registration id.
    pub registration_id: String,
    /// The label of the citizen's name.
    pub name: String,
    /// The label of the precinct.
    pub precinct: String,
    /// The label of the date.
    pub date: String,
    /// The label of the station.
    pub station: String,
    /// A short note printed under the QR code.
    pub note: String,
}

/// The modules of the receipt's QR code, for the GUI to paint: `width × width` squares, dark or
/// light, row by row. A reader needs a light margin of [`QrModules::QUIET_ZONE`] modules around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrModules {
    width: usize,
    dark: Vec<bool>,
}

impl QrModules {
    /// The light margin, in modules, a QR code needs on every side.
    pub const QUIET_ZONE: usize = 4;

    /// The number of modules on a side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module in column `x`, row `y` is dark; outside the code (the quiet zone) every
    /// module is light.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// All modules, row by row from the top, `true` for dark.
    pub fn modules(&self) -> &[bool] {
        &self.dark
    }
}

/// Why a receipt could not be made or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The registration id has characters that cannot name a file.
    #[error("receipt for {0:?}: the registration id cannot name a file")]
    UnsafeRegistrationId(String),
    /// The registration id does not fit in a QR code.
    #[error("receipt QR code: {0}")]
    QrCode(#[source] qrcode::types::QrError),
    /// The embedded typeface could not be read (a build defect, not an operator's).
    #[error("receipt font: {0}")]
    Font(String),
    /// The text is too long for one page.
    #[error("receipt text does not fit on one page")]
    DoesNotFit,
    /// Writing the PDF file failed.
    #[error("receipt {}: {source}", path.display())]
    Save {
        /// The file that was being written.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: io::Error,
    },
}

impl ReceiptError {
    /// The Fluent message id the GUI shows for this error (with `$detail` set to its text).
    pub fn message_id(&self) -> &'static str {
        match self {
            ReceiptError::QrCode(_) | ReceiptError::Font(_) | ReceiptError::DoesNotFit => {
                "receipt-error-render"
            }
            ReceiptError::UnsafeRegistrationId(_) | ReceiptError::Save { .. } => {
                "receipt-error-save"
            }
        }
    }
}

impl Receipt {
    /// The QR code of exactly the registration id (error correction M, survives a smudge).
    pub fn qr_modules(&self) -> Result<QrModules, ReceiptError> {
        let code = qrcode::QrCode::with_error_correction_level(
            self.registration_id.as_bytes(),
            qrcode::EcLevel::M,
        )
        .map_err(ReceiptError::QrCode)?;
        Ok(QrModules {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// The receipt as a one-page A6 PDF with the typeface embedded (subset), deterministic: the
    /// same receipt and labels give the same bytes.
    pub fn to_pdf(&self, labels: &ReceiptLabels) -> Result<Vec<u8>, ReceiptError> {
        pdf::render(self, labels)
    }

    /// The file name of this receipt's PDF: `receipt-<registration id>.pdf`.
    pub fn file_name(&self) -> Result<String, ReceiptError> {
        let id = &self.registration_id;
        let safe = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(ReceiptError::UnsafeRegistrationId(id.clone()));
        }
        Ok(format!("receipt-{id}.pdf"))
    }

    /// Writes the PDF to `dir/receipt-<registration id>.pdf`, replacing an older one, so that a
    /// crash or a full disk never leaves a partial file under that name: the bytes go to a
    /// temporary name, are synced, renamed, and the directory synced. Returns the path.
    pub fn save_pdf(&self, labels: &ReceiptLabels, dir: &Path) -> Result<PathBuf, ReceiptError> {
        let name = self.file_name()?;
        let bytes = self.to_pdf(labels)?;
        let path = dir.join(&name);
        write_atomically(dir, &name, &bytes)
            .map_err(|(path, source)| ReceiptError::Save { path, source })?;
        tracing::info!(file = %path.display(), bytes = bytes.len(), "receipt saved");
        Ok(path)
    }
}

/// The temporary name a receipt is written under before it is renamed to `name`.
fn partial_name(name: &str) -> String {
    format!("{name}.partial")
}

/// Writes `bytes` to `dir/name` through a synced temporary file and a rename; on failure removes
/// the temporary file and returns the path that failed.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), (PathBuf, io::Error)> {
    let partial = dir.join(partial_name(name));
    let target = dir.join(name);
    let written = (|| {
        let mut file = File::create(&partial).map_err(|e| (partial.clone(), e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| (partial.clone(), e))?;
        drop(file);
        std::fs::rename(&partial, &target).map_err(|e| (target.clone(), e))?;
        crate::durable::sync_dir(dir).map_err(|e| (dir.to_path_buf(), e))
    })();
    if written.is_err() {
        // Best effort: the error that matters is the one being returned.
        let _ = std::fs::remove_file(&partial);
    }
    written
}
