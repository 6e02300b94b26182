//! Export to USB: choose a mounted stick (or type a folder), write the next batch with a progress
//! bar, and show the file, its record count and SHA-256 — or what went wrong and what to do. The
//! station certificate and public key go to the same medium with one more button.

use super::central_key::{
    KeyOffer, again_task, fingerprint, read_key_task, show_offer, use_key_task,
};
use super::media::{MOUNT_TABLE, MountedMedium, read_removable_media};
use super::{Load, Message, Task, error_message, heading, task};
use crate::batch::{self, DirMedium, Progress, Stage};
use crate::station::{self, ExportOutcome};
use crate::ui::i18n::I18n;
use egui::{RichText, Ui, Vec2};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the tab knows about the station's batches and the attached media.
pub(super) struct ExportInfo {
    /// A central recipient is set (else an admin must set one first).
    recipient: bool,
    /// The fingerprint of central's key as set.
    key: Option<String>,
    /// Approved records waiting for the next batch.
    ready: u64,
    /// The last batch written: sequence, file name, when.
    last: Option<(u64, String, String)>,
    media: Vec<MountedMedium>,
}

/// A finished export or certificate write.
pub(super) enum Done {
    Batch(ExportOutcome),
    /// Something done that a message says (central's key taken).
    Note(Message),
    Certificate {
        paths: Vec<PathBuf>,
        fingerprint: String,
    },
}

/// Where an export stands, written by the worker and read by the UI each frame.
#[derive(Default)]
pub(super) struct ExportProgress {
    /// 0 not started, 1 packing, 2 copying, 3 reading back.
    stage: AtomicU64,
    done: AtomicU64,
    total: AtomicU64,
}

impl ExportProgress {
    pub(super) fn report(&self, p: Progress) {
        let stage = match p.stage {
            Stage::Packing => 1,
            Stage::Copying => 2,
            Stage::ReadingBack => 3,
        };
        self.total.store(p.total, Ordering::Relaxed);
        self.done.store(p.done, Ordering::Relaxed);
        self.stage.store(stage, Ordering::Relaxed);
    }

    /// The message id of the stage and the share of the whole export done (0–1).
    fn fraction(&self) -> (&'static str, f32) {
        let total = self.total.load(Ordering::Relaxed).max(1) as f32;
        let part = (self.done.load(Ordering::Relaxed) as f32 / total).clamp(0.0, 1.0);
        match self.stage.load(Ordering::Relaxed) {
            1 => ("sv-export-stage-packing", part * 0.5),
            2 => ("sv-export-stage-copying", 0.5 + part * 0.3),
            3 => ("sv-export-stage-checking", 0.8 + part * 0.2),
            _ => ("sv-export-stage-starting", 0.0),
        }
    }
}

/// The export tab.
pub(super) struct ExportTab {
    pub(super) info: Load<ExportInfo>,
    mount_table: PathBuf,
    /// The medium chosen from the list.
    chosen: Option<PathBuf>,
    /// A folder typed in instead (wins when not empty).
    typed: String,
    pub(super) running: Option<Arc<ExportProgress>>,
    pub(super) outcome: Option<Result<Done, Message>>,
    /// Central's key read from a stick, waiting for an admin.
    pub(super) offer: Option<KeyOffer>,
}

impl Default for ExportTab {
    fn default() -> Self {
        ExportTab {
            info: Load::NotAsked,
            mount_table: PathBuf::from(MOUNT_TABLE),
            chosen: None,
            typed: String::new(),
            running: None,
            outcome: None,
            offer: None,
        }
    }
}

impl ExportTab {
    /// Asks for the batch state and the media again.
    pub(super) fn refresh(&mut self) {
        self.info = Load::NotAsked;
    }

    /// Reads removable media from `path` instead of `/proc/mounts`.
    pub(super) fn set_mount_table(&mut self, path: PathBuf) {
        self.mount_table = path;
        self.refresh();
    }

    pub(super) fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        let table = self.mount_table.clone();
        if let Some(t) = self.info.ask(busy, || load_info(table)) {
            return Some(t);
        }
        if let Some(progress) = &self.running {
            let (stage, fraction) = progress.fraction();
            heading(ui, i18n.tr("sv-export-running"));
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_height(32.0)
                    .text(i18n.tr(stage)),
            );
            return None;
        }
        if let Some(offer) = &self.offer {
            let (take, drop) = show_offer(ui, i18n, offer, busy);
            if drop {
                self.offer = None;
            }
            if take && let Some(offer) = self.offer.take() {
                return Some(use_key_task(offer, self.mount_table.clone()));
            }
            return None;
        }
        let Some(info) = self.info.show(ui, i18n) else {
            // The tab's state could not be read again (after an export, say): what was done is
            // still said.
            show_outcome(ui, i18n, self.outcome.as_ref());
            return None;
        };
        // Two columns: where to write on the left; what is waiting, the actions and their
        // outcome on the right. Every button is on screen at 1280×800, and an outcome appears
        // under the buttons, moving none of them.
        let mut refresh = false;
        let mut clicked = Clicked::default();
        let can_write = ui
            .horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(MEDIA_COLUMN);
                    refresh = media_picker(ui, i18n, info, busy, &mut self.chosen, &mut self.typed);
                });
                ui.add_space(24.0);
                ui.vertical(|ui| {
                    let target = target(&self.typed, self.chosen.as_ref());
                    let can = target.is_some() && !busy;
                    // Where the buttons write, or why they wait: one line of fixed height
                    // either way, so choosing a stick moves no button.
                    let line = match &target {
                        None => i18n.tr("sv-export-pick-first"),
                        Some(path) => i18n.tr_args(
                            "sv-export-target",
                            &[("path", path.display().to_string().into())],
                        ),
                    };
                    let size = Vec2::new(ui.available_width(), TARGET_LINE);
                    crate::ui::screens::reserved(ui, size, |ui| {
                        ui.add(egui::Label::new(RichText::new(line).strong()).wrap());
                    });
                    clicked = actions(ui, i18n, info, can);
                    ui.add_space(8.0);
                    show_outcome(ui, i18n, self.outcome.as_ref());
                    target
                })
                .inner
            })
            .inner;
        if refresh {
            self.refresh();
            return None;
        }
        let target = can_write?;
        if clicked.read_key {
            self.outcome = None;
            return Some(read_key_task(target));
        }
        if let Some(sequence) = clicked.again {
            let progress = Arc::new(ExportProgress::default());
            self.running = Some(progress.clone());
            self.outcome = None;
            return Some(again_task(
                target,
                sequence,
                progress,
                self.mount_table.clone(),
            ));
        }
        if clicked.export {
            let progress = Arc::new(ExportProgress::default());
            self.running = Some(progress.clone());
            self.outcome = None;
            return Some(export_task(
                target,
                info.ready == 0,
                progress,
                self.mount_table.clone(),
            ));
        }
        if clicked.certificate {
            self.outcome = None;
            return Some(certificate_task(target));
        }
        None
    }
}

/// Height of the line that says where the buttons write: two lines of text.
const TARGET_LINE: f32 = 56.0;

/// Width of the column of media.
const MEDIA_COLUMN: f32 = 520.0;

/// The folder to write to: the one typed in, else the medium chosen.
fn target(typed: &str, chosen: Option<&PathBuf>) -> Option<PathBuf> {
    let typed = typed.trim();
    if typed.is_empty() {
        chosen.cloned()
    } else {
        Some(PathBuf::from(typed))
    }
}

pub(super) fn info(
    st: &mut station::Station,
    session: &station::Session,
    now: crate::domain::Timestamp,
    table: &std::path::Path,
) -> Result<ExportInfo, Message> {
    let fail = |e: station::Error| error_message(&e);
    let recipients = st.batch_recipients().map_err(fail)?;
    let recipient = !recipients.is_empty();
    let key = recipient.then(|| fingerprint(&recipients));
    let ready = st.exportable_count(session, now).map_err(fail)?;
    let last = st
        .batches()
        .map_err(fail)?
        .pop()
        .map(|b| (b.sequence, b.file_name, b.created_at));
    Ok(ExportInfo {
        recipient,
        key,
        ready,
        last,
        media: read_removable_media(table),
    })
}

fn load_info(table: PathBuf) -> Task {
    task(
        move |st, session, now| info(st, session, now, &table),
        |screen, result| screen.export.info = Load::from_result(result),
    )
}

fn export_task(
    target: PathBuf,
    audit_only: bool,
    progress: Arc<ExportProgress>,
    table: PathBuf,
) -> Task {
    task(
        move |st, session, now| {
            let outcome = (|| {
                if st
                    .batch_recipients()
                    .map_err(|e| error_message(&e))?
                    .is_empty()
                {
                    return Err(Message::error("sv-export-no-recipient"));
                }
                if !target.is_dir() {
                    return Err(
                        Message::error("sv-export-not-folder").with("path", target.display())
                    );
                }
                let medium = DirMedium(target);
                let report = &mut |p| progress.report(p);
                if audit_only {
                    st.export_allowing_empty(session, &medium, now, report)
                } else {
                    st.export(session, &medium, now, report)
                }
                .map_err(|e| export_error(&e))
            })();
            (outcome, info(st, session, now, &table))
        },
        |screen, (outcome, info)| {
            let tab = &mut screen.export;
            tab.running = None;
            tab.outcome = Some(outcome.map(Done::Batch));
            tab.info = Load::from_result(info);
        },
    )
}

fn certificate_task(target: PathBuf) -> Task {
    task(
        move |st, session, now| {
            if !target.is_dir() {
                return Err(Message::error("sv-export-not-folder").with("path", target.display()));
            }
            let paths = st
                .write_certificate(session, &DirMedium(target), now)
                .map_err(|e| export_error(&e))?;
            Ok(Done::Certificate {
                paths,
                fingerprint: st.info().public_key.fingerprint(),
            })
        },
        |screen, outcome| screen.export.outcome = Some(outcome),
    )
}

/// What went wrong writing to the medium, in words a supervisor can act on.
pub(super) fn export_error(e: &station::Error) -> Message {
    if let station::Error::Batch(batch::Error::ReadBack(_)) = e {
        return Message::error("sv-export-error-faulty");
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            let id = match (io.kind(), io.raw_os_error()) {
                (K::StorageFull, _) | (_, Some(28)) => Some("sv-export-error-full"),
                (K::ReadOnlyFilesystem | K::PermissionDenied, _) | (_, Some(30)) => {
                    Some("sv-export-error-read-only")
                }
                (K::NotFound, _) => Some("sv-export-error-gone"),
                _ => None,
            };
            if let Some(id) = id {
                return Message::error(id);
            }
        }
        source = err.source();
    }
    if let station::Error::NothingToExport = e {
        return Message::error("sv-export-nothing");
    }
    error_message(e)
}

mod page;
use page::{Clicked, actions, media_picker, show_outcome};

#[cfg(test)]
mod tests;
