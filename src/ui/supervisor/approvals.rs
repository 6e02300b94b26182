//! Pending approvals: the records waiting for a decision, selected in bulk and approved, or
//! opened one at a time with their pictures and approved or rejected with a reason.

use super::record::{RecordDetail, facts, fingers, portraits, record_detail, status_message};
use super::{Load, Message, Task, button, error_message, heading, task};
use crate::domain::Timestamp;
use crate::station::{Session, Station};
use crate::store::{RecordFilter, RecordStatus, StoredRecord};
use crate::ui::i18n::I18n;
use crate::ui::screens::field;
use egui::{Checkbox, RichText, Ui};
use std::collections::BTreeSet;

/// Records shown on one page of the list.
const PAGE: usize = 20;

/// One pending record in the list: the id, the citizen's name, when, who, where.
#[derive(Debug, Clone)]
struct PendingRow {
    id: String,
    name: String,
    created_at: String,
    operator: String,
    precinct: String,
    training: bool,
}

/// A record opened from the list.
struct RecordView {
    id: String,
    detail: Load<RecordDetail>,
    reason: String,
    /// The reject button was pressed without a reason.
    reason_missing: bool,
    /// Approve was tapped once: the confirmation is shown.
    confirm_approve: bool,
}

/// The approvals tab.
pub(super) struct ApprovalsTab {
    list: Load<Vec<PendingRow>>,
    selected: BTreeSet<String>,
    page: usize,
    open: Option<RecordView>,
    message: Option<Message>,
    /// "Approve selected" was tapped once: the confirmation is shown.
    confirm_approve: bool,
}

impl Default for ApprovalsTab {
    fn default() -> Self {
        ApprovalsTab {
            list: Load::NotAsked,
            selected: BTreeSet::new(),
            page: 0,
            open: None,
            message: None,
            confirm_approve: false,
        }
    }
}

/// A red button: the decision that turns a record down.
fn danger(ui: &mut Ui, text: String, enabled: bool) -> egui::Response {
    crate::ui::theme::filled_button(
        ui,
        RichText::new(text).size(20.0),
        super::ERROR,
        egui::Vec2::new(200.0, crate::ui::screens::TOUCH_HEIGHT),
        enabled,
    )
}

/// A blue button: the decision that lets a record go to central.
fn primary(ui: &mut Ui, text: String, enabled: bool) -> egui::Response {
    crate::ui::theme::accent_button(
        ui,
        RichText::new(text).size(20.0),
        egui::Vec2::new(200.0, crate::ui::screens::TOUCH_HEIGHT),
        enabled,
    )
}

impl ApprovalsTab {
    /// Asks for the list again.
    pub(super) fn refresh(&mut self) {
        self.list = Load::NotAsked;
    }

    pub(super) fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        if let Some(m) = &self.message {
            m.show(ui, i18n);
        }
        if self.open.is_some() {
            return self.show_record(ui, i18n, busy);
        }
        let ask = self.list.ask(busy, load_list);
        if ask.is_some() {
            return ask;
        }
        let rows = self.list.show(ui, i18n)?;
        if rows.is_empty() {
            ui.label(RichText::new(i18n.tr("sv-approvals-none")).size(20.0));
            return None;
        }
        // Forget selections of records no longer pending.
        self.selected.retain(|id| rows.iter().any(|r| &r.id == id));
        let pages = rows.len().div_ceil(PAGE);
        self.page = self.page.min(pages - 1);
        let shown = &rows[self.page * PAGE..rows.len().min((self.page + 1) * PAGE)];
        ui.label(i18n.tr_args("sv-approvals-count", &[("count", rows.len().into())]));
        let mut open = None;
        let mut approve = false;
        ui.horizontal_wrapped(|ui| {
            let count = self.selected.len();
            if self.confirm_approve && count > 0 {
                // Approved records go to central and cannot be changed: asked once more.
                ui.label(
                    RichText::new(
                        i18n.tr_args("sv-approvals-confirm-selected", &[("count", count.into())]),
                    )
                    .size(20.0),
                );
                approve = primary(ui, i18n.tr("sv-approvals-confirm-yes"), !busy).clicked();
                if button(ui, i18n.tr("sv-cancel"), None, !busy).clicked() {
                    self.confirm_approve = false;
                }
                return;
            }
            let text = i18n.tr_args("sv-approvals-approve-selected", &[("count", count.into())]);
            if primary(ui, text, count > 0 && !busy).clicked() {
                self.confirm_approve = true;
            }
            let all_selected = shown.iter().all(|r| self.selected.contains(&r.id));
            let text = if all_selected {
                "sv-approvals-select-none"
            } else {
                "sv-approvals-select-page"
            };
            if button(ui, i18n.tr(text), None, true).clicked() {
                for r in shown {
                    if all_selected {
                        self.selected.remove(&r.id);
                    } else {
                        self.selected.insert(r.id.clone());
                    }
                }
            }
        });
        ui.separator();
        for row in shown {
            ui.horizontal(|ui| {
                // A touch-sized box.
                ui.spacing_mut().icon_width = 48.0;
                ui.spacing_mut().icon_width_inner = 30.0;
                let mut checked = self.selected.contains(&row.id);
                let checkbox = ui.add(Checkbox::new(
                    &mut checked,
                    RichText::new(&row.id).monospace().size(20.0),
                ));
                if checkbox.changed() {
                    self.confirm_approve = false;
                    if checked {
                        self.selected.insert(row.id.clone());
                    } else {
                        self.selected.remove(&row.id);
                    }
                }
                let name =
                    i18n.tr_args("sv-approvals-open-named", &[("id", row.id.as_str().into())]);
                if button(ui, i18n.tr("sv-approvals-open"), Some(name), !busy).clicked() {
                    open = Some(row.id.clone());
                }
            });
            let mut line = i18n.tr_args(
                "sv-approvals-row",
                &[
                    ("time", i18n.moment_text(&row.created_at).into()),
                    ("operator", row.operator.as_str().into()),
                    ("precinct", row.precinct.as_str().into()),
                ],
            );
            if row.training {
                line = format!("{line} · {}", i18n.tr("sv-training-flag"));
            }
            ui.label(RichText::new(&row.name).size(18.0).strong());
            ui.label(RichText::new(line).weak());
            ui.add_space(4.0);
        }
        if pages > 1 {
            ui.horizontal(|ui| {
                if button(ui, i18n.tr("sv-page-previous"), None, self.page > 0).clicked() {
                    self.page -= 1;
                }
                ui.label(i18n.tr_args(
                    "sv-page",
                    &[("page", (self.page + 1).into()), ("pages", pages.into())],
                ));
                if button(ui, i18n.tr("sv-page-next"), None, self.page + 1 < pages).clicked() {
                    self.page += 1;
                }
            });
        }
        if let Some(id) = open {
            self.message = None;
            self.open = Some(RecordView {
                id: id.clone(),
                detail: Load::Loading,
                reason: String::new(),
                reason_missing: false,
                confirm_approve: false,
            });
            return Some(load_record(id));
        }
        if approve {
            self.confirm_approve = false;
            let ids: Vec<String> = self.selected.iter().cloned().collect();
            self.list = Load::Loading;
            return Some(approve_task(ids, false));
        }
        None
    }

    fn show_record(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        let view = self.open.as_mut().expect("checked by the caller");
        if button(ui, i18n.tr("sv-approvals-back"), None, !busy).clicked() {
            self.open = None;
            self.refresh();
            return None;
        }
        heading(
            ui,
            i18n.tr_args("sv-record-title", &[("id", view.id.as_str().into())]),
        );
        let detail = view.detail.show(ui, i18n)?;
        // The decision and the details on the left, the portrait on the right, in reach
        // without scrolling; the fingers below.
        let mut task = None;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(ui.available_width().min(620.0));
                if detail.status == RecordStatus::Pending {
                    if view.confirm_approve {
                        ui.label(RichText::new(i18n.tr("sv-record-confirm-approve")).size(20.0));
                        ui.horizontal(|ui| {
                            if primary(ui, i18n.tr("sv-approvals-confirm-yes"), !busy).clicked() {
                                task = Some(approve_task(vec![view.id.clone()], true));
                            }
                            if button(ui, i18n.tr("sv-cancel"), None, !busy).clicked() {
                                view.confirm_approve = false;
                            }
                        });
                    } else if primary(ui, i18n.tr("sv-record-approve"), !busy).clicked() {
                        view.confirm_approve = true;
                    }
                    ui.add_space(16.0);
                    field(ui, i18n.tr("sv-record-reason"), &mut view.reason, false);
                    if danger(ui, i18n.tr("sv-record-reject"), !busy).clicked() {
                        if view.reason.trim().is_empty() {
                            view.reason_missing = true;
                        } else {
                            task =
                                Some(reject_task(view.id.clone(), view.reason.trim().to_owned()));
                        }
                    }
                    // Under the button, in space kept for it: nothing moves when it shows.
                    let missing = view.reason_missing && view.reason.trim().is_empty();
                    ui.allocate_ui(egui::Vec2::new(ui.available_width(), 32.0), |ui| {
                        ui.set_min_height(32.0);
                        if missing {
                            ui.label(
                                RichText::new(i18n.tr("sv-record-reason-required"))
                                    .color(crate::ui::theme::error(ui)),
                            );
                        }
                    });
                } else {
                    ui.label(i18n.tr_args(
                        "sv-record-decided",
                        &[("status", i18n.tr(status_message(detail.status)).into())],
                    ));
                }
                ui.separator();
                facts(ui, i18n, detail);
            });
            ui.vertical(|ui| portraits(ui, i18n, &view.id, detail));
        });
        ui.separator();
        fingers(ui, i18n, &view.id, detail);
        task
    }
}

/// Loads the pending records that can still be decided (not superseded).
fn load_list() -> Task {
    task(pending_rows, |screen, result| {
        screen.approvals.list = Load::from_result(result)
    })
}

fn pending_rows(
    st: &mut Station,
    session: &Session,
    now: Timestamp,
) -> Result<Vec<PendingRow>, Message> {
    let filter = RecordFilter {
        status: Some(RecordStatus::Pending),
        ..RecordFilter::default()
    };
    let records = st
        .records(session, &filter, now)
        .map_err(|e| error_message(&e))?;
    Ok(records
        .into_iter()
        .filter(|r| r.superseded_by.is_none())
        .map(|r| PendingRow {
            precinct: precinct_of(&r),
            name: name_of(&r),
            id: r.registration_id,
            created_at: r.created_at,
            operator: r.operator,
            training: r.training,
        })
        .collect())
}

/// The citizen's full name in the signed record.
fn name_of(r: &StoredRecord) -> String {
    serde_json::from_slice::<crate::domain::enrollment::Record>(&r.record_json)
        .map(|record| record.citizen.full_name())
        .unwrap_or_default()
}

/// The precinct named in the signed record.
fn precinct_of(r: &StoredRecord) -> String {
    #[derive(serde::Deserialize)]
    struct Only {
        citizen: Precinct,
    }
    #[derive(serde::Deserialize)]
    struct Precinct {
        precinct: String,
    }
    serde_json::from_slice::<Only>(&r.record_json)
        .map(|o| o.citizen.precinct)
        .unwrap_or_default()
}

/// Approves `ids` (all or none) and lists the pending records again.
fn approve_task(ids: Vec<String>, from_record: bool) -> Task {
    task(
        move |st, session, now| {
            let done = st
                .approve(session, &ids, now)
                .map(|()| ids.len())
                .map_err(|e| error_message(&e));
            (done, pending_rows(st, session, now))
        },
        move |screen, (done, list)| {
            let tab = &mut screen.approvals;
            match done {
                Ok(n) => {
                    tab.message = Some(Message::ok("sv-approvals-approved").with("count", n));
                    tab.selected.clear();
                    tab.open = None;
                }
                Err(m) => {
                    tab.message = Some(m);
                    if from_record {
                        // Stay on the record; show why.
                        return;
                    }
                }
            }
            tab.list = Load::from_result(list);
        },
    )
}

/// Rejects one record with its reason and lists the pending records again.
fn reject_task(id: String, reason: String) -> Task {
    task(
        move |st, session, now| {
            let done = st
                .reject(session, &id, &reason, now)
                .map(|()| id)
                .map_err(|e| error_message(&e));
            (done, pending_rows(st, session, now))
        },
        |screen, (done, list)| {
            let tab = &mut screen.approvals;
            match done {
                Ok(id) => {
                    tab.message = Some(Message::ok("sv-approvals-rejected").with("id", id));
                    tab.selected.clear();
                    tab.open = None;
                    tab.list = Load::from_result(list);
                }
                Err(m) => tab.message = Some(m),
            }
        },
    )
}

/// Loads one record and decodes its pictures (on the worker thread).
fn load_record(id: String) -> Task {
    task(
        move |st, session, now| record_detail(st, session, &id, now),
        |screen, result| {
            if let Some(view) = &mut screen.approvals.open {
                view.detail = Load::from_result(result);
            }
        },
    )
}
