//! Central's key from a USB stick, so a new station can export without a terminal: central
//! writes its age recipient to `central-recipient.txt`; the export tab reads it from the chosen
//! stick, shows it with a fingerprint to compare with central's, and an admin takes it. And a
//! lost batch written again from the station's kept copy.

use super::export::{Done, ExportProgress, info};
use super::{Message, Task, error_message, task};
use crate::batch::DirMedium;
use crate::ui::i18n::I18n;
use egui::{RichText, Ui};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file central writes its recipient to.
pub(super) const KEY_FILE: &str = "central-recipient.txt";
/// More than any list of recipients: a bigger file is not central's key.
const KEY_FILE_LIMIT: u64 = 4096;

/// A key read from a stick, waiting for an admin to take it.
pub(super) struct KeyOffer {
    pub(super) recipients: Vec<String>,
    pub(super) fingerprint: String,
}

/// The fingerprint of central's key (see [`crate::batch::recipient_fingerprint`]).
pub(super) fn fingerprint(recipients: &[String]) -> String {
    crate::batch::recipient_fingerprint(recipients)
}

/// Reads and checks `dir/central-recipient.txt`: one age recipient per line, `#` comments and
/// blank lines skipped.
pub(super) fn read_key(dir: &Path) -> Result<KeyOffer, Message> {
    let path = dir.join(KEY_FILE);
    let invalid = || Message::error("sv-key-invalid").with("path", path.display());
    let file = std::fs::File::open(&path)
        .map_err(|_| Message::error("sv-key-missing").with("path", path.display()))?;
    let mut text = String::new();
    file.take(KEY_FILE_LIMIT + 1)
        .read_to_string(&mut text)
        .map_err(|_| invalid())?;
    if text.len() as u64 > KEY_FILE_LIMIT {
        return Err(invalid());
    }
    let recipients: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if recipients.is_empty() || crate::batch::parse_recipients(&recipients).is_err() {
        return Err(invalid());
    }
    Ok(KeyOffer {
        fingerprint: fingerprint(&recipients),
        recipients,
    })
}

/// Reads the key from `dir` on the worker.
pub(super) fn read_key_task(dir: PathBuf) -> Task {
    task(
        move |_, _, _| read_key(&dir),
        |screen, result| match result {
            Ok(offer) => {
                screen.export.offer = Some(offer);
                screen.export.outcome = None;
            }
            Err(m) => screen.export.outcome = Some(Err(m)),
        },
    )
}

/// Takes the offered key as the station's batch recipient (admin; audited).
pub(super) fn use_key_task(offer: KeyOffer, table: PathBuf) -> Task {
    task(
        move |st, session, now| {
            let done = st
                .set_batch_recipients(session, &offer.recipients, now)
                .map(|()| {
                    Done::Note(Message::ok("sv-key-set").with("fingerprint", &offer.fingerprint))
                })
                .map_err(|e| error_message(&e));
            (done, info(st, session, now, &table))
        },
        |screen, (done, info)| {
            let tab = &mut screen.export;
            tab.offer = None;
            tab.outcome = Some(done);
            tab.info = super::Load::from_result(info);
        },
    )
}

/// The key read from the stick, with what to compare before taking it. Returns (take, drop).
pub(super) fn show_offer(ui: &mut Ui, i18n: &I18n, offer: &KeyOffer, busy: bool) -> (bool, bool) {
    super::heading(ui, i18n.tr("sv-key-found"));
    for r in &offer.recipients {
        ui.label(RichText::new(r).monospace().size(15.0));
    }
    ui.label(
        RichText::new(i18n.tr_args(
            "sv-key-fingerprint",
            &[("fingerprint", offer.fingerprint.as_str().into())],
        ))
        .size(20.0)
        .strong(),
    );
    ui.label(i18n.tr("sv-key-compare"));
    let mut answer = (false, false);
    ui.horizontal(|ui| {
        answer.0 = super::button(ui, i18n.tr("sv-key-use"), None, !busy).clicked();
        answer.1 = super::button(ui, i18n.tr("sv-cancel"), None, !busy).clicked();
    });
    answer
}

/// Writes batch `sequence` again to `target` from the station's kept copy (a stick was lost or
/// broke on the way to central).
pub(super) fn again_task(
    target: PathBuf,
    sequence: u64,
    progress: Arc<ExportProgress>,
    table: PathBuf,
) -> Task {
    task(
        move |st, session, now| {
            let outcome = if target.is_dir() {
                st.export_again(session, sequence, &DirMedium(target), now, &mut |p| {
                    progress.report(p)
                })
                .map(Done::Batch)
                .map_err(|e| super::export::export_error(&e))
            } else {
                Err(Message::error("sv-export-not-folder").with("path", target.display()))
            };
            (outcome, info(st, session, now, &table))
        },
        |screen, (outcome, info)| {
            let tab = &mut screen.export;
            tab.running = None;
            tab.outcome = Some(outcome);
            tab.info = super::Load::from_result(info);
        },
    )
}
