//! The parts of the export tab's page: the media to choose from, what waits with the buttons
//! that write to the chosen medium, and the outcome of the last write.

use super::super::{Message, big, button, heading};
use super::{Done, ExportInfo};
use crate::ui::i18n::I18n;
use crate::ui::screens::field;
use egui::{Button, RichText, Ui, Vec2};
use std::path::PathBuf;

/// The last export's outcome, or what went wrong.
pub(super) fn show_outcome(ui: &mut Ui, i18n: &I18n, outcome: Option<&Result<Done, Message>>) {
    match outcome {
        Some(Ok(Done::Batch(out))) => {
            Message::ok("sv-export-done").show(ui, i18n);
            if out.resumed {
                Message::ok("sv-export-resumed")
                    .with("sequence", out.sequence)
                    .show(ui, i18n);
            }
            egui::Grid::new("sv-export-result")
                .num_columns(2)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for (label, value) in [
                        ("sv-export-file", out.path.display().to_string()),
                        ("sv-export-records", out.records.to_string()),
                        ("sv-export-sequence", out.sequence.to_string()),
                    ] {
                        ui.label(RichText::new(i18n.tr(label)).weak());
                        ui.label(RichText::new(value).strong());
                        ui.end_row();
                    }
                });
            ui.label(RichText::new(i18n.tr("sv-export-sha256")).weak());
            ui.label(RichText::new(&out.sha256).monospace().size(16.0));
        }
        Some(Ok(Done::Certificate { paths, fingerprint })) => {
            Message::ok("sv-export-certificate-done").show(ui, i18n);
            for p in paths {
                ui.label(
                    RichText::new(p.display().to_string())
                        .monospace()
                        .size(16.0),
                );
            }
            ui.label(i18n.tr_args(
                "sv-export-fingerprint",
                &[("fingerprint", fingerprint.as_str().into())],
            ));
        }
        Some(Ok(Done::Note(m))) | Some(Err(m)) => m.show(ui, i18n),
        None => {}
    }
}

/// What was tapped on the export tab's right column.
#[derive(Default)]
pub(super) struct Clicked {
    pub(super) export: bool,
    pub(super) certificate: bool,
    pub(super) read_key: bool,
    pub(super) again: Option<u64>,
}

/// What waits to go, then the export (the tab's primary action) and the other writes to the
/// chosen medium: the station's certificate, central's key read from it, a batch written again.
pub(super) fn actions(ui: &mut Ui, i18n: &I18n, info: &ExportInfo, can: bool) -> Clicked {
    match &info.key {
        Some(key) => {
            ui.label(i18n.tr_args("sv-key-current", &[("fingerprint", key.as_str().into())]));
        }
        None => Message::error("sv-export-no-recipient").show(ui, i18n),
    }
    ui.label(i18n.tr_args("sv-export-ready", &[("count", info.ready.into())]));
    if let Some((sequence, name, at)) = &info.last {
        ui.label(
            RichText::new(i18n.tr_args(
                "sv-export-last",
                &[
                    ("sequence", (*sequence).into()),
                    ("file", name.as_str().into()),
                    ("time", i18n.moment_text(at).into()),
                ],
            ))
            .weak(),
        );
    }
    // With no record waiting, the same button writes the audit log alone: what a station
    // closing down sends last.
    let audit_only = info.ready == 0;
    if audit_only && info.recipient {
        ui.label(RichText::new(i18n.tr("sv-export-audit-note")).weak());
    }
    let width = ui.available_width().min(crate::ui::screens::COLUMN_WIDTH);
    let export = crate::ui::theme::accent_button(
        ui,
        RichText::new(i18n.tr(if audit_only {
            "sv-export-audit-button"
        } else {
            "sv-export-button"
        }))
        .size(22.0),
        Vec2::new(width, crate::ui::screens::TOUCH_HEIGHT),
        can && info.recipient,
    );
    let certificate = big(ui, i18n.tr("sv-export-certificate"), can);
    let read_key = big(ui, i18n.tr("sv-key-read"), can);
    let again = info.last.as_ref().and_then(|(sequence, _, _)| {
        let text = i18n.tr_args("sv-export-again", &[("sequence", (*sequence).into())]);
        big(ui, text, can).clicked().then_some(*sequence)
    });
    Clicked {
        export: export.clicked(),
        certificate: certificate.clicked(),
        read_key: read_key.clicked(),
        again,
    }
}

/// The mounted sticks to choose from, "look again" and a folder typed in; true when "look
/// again" was tapped.
pub(super) fn media_picker(
    ui: &mut Ui,
    i18n: &I18n,
    info: &ExportInfo,
    busy: bool,
    chosen: &mut Option<PathBuf>,
    typed: &mut String,
) -> bool {
    heading(ui, i18n.tr("sv-export-choose"));
    if info.media.is_empty() {
        ui.label(i18n.tr("sv-export-no-media"));
    }
    for m in &info.media {
        let mut text = i18n.tr_args(
            "sv-export-medium",
            &[
                ("path", m.path.display().to_string().into()),
                ("fs", m.fs.as_str().into()),
            ],
        );
        if m.read_only {
            text = format!("{text} — {}", i18n.tr("sv-export-read-only-medium"));
        }
        let selected = chosen.as_deref() == Some(m.path.as_path()) && typed.is_empty();
        let b = Button::selectable(selected, RichText::new(text).size(20.0))
            .min_size(Vec2::new(ui.available_width(), 48.0));
        if ui.add_enabled(!m.read_only, b).clicked() {
            *chosen = Some(m.path.clone());
            typed.clear();
        }
    }
    let refresh = button(ui, i18n.tr("sv-export-look-again"), None, !busy).clicked();
    ui.add_space(8.0);
    field(ui, i18n.tr("sv-export-folder"), typed, false);
    refresh
}
