//! Pending approvals: the records waiting for a decision, selected in bulk and approved, or
//! opened one at a time with their pictures and approved or rejected with a reason.

use super::{Load, Message, Picture, Task, button, error_message, heading, task};
use crate::domain::enrollment::Record;
use crate::domain::{BiometricFormat, BiometricKind, ExceptionReason, FingerPosition};
use crate::hal::iso19794::{FaceRecord, FingerRecord};
use crate::station::{self, Session, Station};
use crate::store::{RecordFilter, RecordStatus, StoredRecord};
use crate::ui::enroll::fingers::finger_message;
use crate::ui::i18n::I18n;
use crate::ui::screens::field;
use egui::{Checkbox, Color32, RichText, Ui, Vec2};
use std::collections::BTreeSet;

/// Records shown on one page of the list.
const PAGE: usize = 20;

/// One pending record in the list (no personal data: the id, when, who, where).
#[derive(Debug, Clone)]
struct PendingRow {
    id: String,
    created_at: String,
    operator: String,
    precinct: String,
    training: bool,
}

/// What a picture in the record view shows.
#[derive(Debug, Clone, Copy)]
enum Caption {
    Face,
    Signature,
    Finger(FingerPosition),
    ExceptionPhoto(FingerPosition),
}

/// One biometric of the opened record.
struct Biometric {
    caption: Caption,
    sha256: String,
    /// `None` when the file could not be decoded (its format is kept as captured).
    picture: Option<Picture>,
    quality: Option<u8>,
    forced: bool,
}

/// The opened record.
struct RecordDetail {
    status: RecordStatus,
    created_at: String,
    operator: String,
    training: bool,
    duplicate_of: Option<String>,
    supersedes: Option<String>,
    /// `(field message id, value)`.
    fields: Vec<(&'static str, Value)>,
    biometrics: Vec<Biometric>,
    exceptions: Vec<(FingerPosition, ExceptionReason)>,
}

/// A record opened from the list.
struct RecordView {
    id: String,
    detail: Load<RecordDetail>,
    reason: String,
    /// The reject button was pressed without a reason.
    reason_missing: bool,
}

/// The approvals tab.
pub(super) struct ApprovalsTab {
    list: Load<Vec<PendingRow>>,
    selected: BTreeSet<String>,
    page: usize,
    open: Option<RecordView>,
    message: Option<Message>,
}

impl Default for ApprovalsTab {
    fn default() -> Self {
        ApprovalsTab {
            list: Load::NotAsked,
            selected: BTreeSet::new(),
            page: 0,
            open: None,
            message: None,
        }
    }
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
            approve = button(
                ui,
                i18n.tr_args("sv-approvals-approve-selected", &[("count", count.into())]),
                None,
                count > 0 && !busy,
            )
            .clicked();
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
                let mut checked = self.selected.contains(&row.id);
                let checkbox = ui.add(Checkbox::new(
                    &mut checked,
                    RichText::new(&row.id).monospace().size(20.0),
                ));
                if checkbox.changed() {
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
                    (
                        "time",
                        row.created_at.replace('T', " ").replace('Z', "").into(),
                    ),
                    ("operator", row.operator.as_str().into()),
                    ("precinct", row.precinct.as_str().into()),
                ],
            );
            if row.training {
                line = format!("{line} · {}", i18n.tr("sv-training-flag"));
            }
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
            });
            return Some(load_record(id));
        }
        if approve {
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
                    if button(ui, i18n.tr("sv-record-approve"), None, !busy).clicked() {
                        task = Some(approve_task(vec![view.id.clone()], true));
                    }
                    ui.add_space(8.0);
                    field(ui, i18n.tr("sv-record-reason"), &mut view.reason, false);
                    if view.reason_missing && view.reason.trim().is_empty() {
                        ui.label(
                            RichText::new(i18n.tr("sv-record-reason-required")).color(super::ERROR),
                        );
                    }
                    if button(ui, i18n.tr("sv-record-reject"), None, !busy).clicked() {
                        if view.reason.trim().is_empty() {
                            view.reason_missing = true;
                        } else {
                            task =
                                Some(reject_task(view.id.clone(), view.reason.trim().to_owned()));
                        }
                    }
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

/// The message id of a status.
fn status_message(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Pending => "sv-status-pending",
        RecordStatus::Approved => "sv-status-approved",
        RecordStatus::Rejected => "sv-status-rejected",
        RecordStatus::Exported => "sv-status-exported",
    }
}

/// Who saved the record, when, its state, and the citizen's details.
fn facts(ui: &mut Ui, i18n: &I18n, detail: &RecordDetail) {
    let mut facts = vec![
        ("sv-record-status", i18n.tr(status_message(detail.status))),
        (
            "sv-record-created",
            detail.created_at.replace('T', " ").replace('Z', ""),
        ),
        ("sv-record-operator", detail.operator.clone()),
    ];
    if detail.training {
        facts.push(("sv-record-mode", i18n.tr("sv-training-flag")));
    }
    if let Some(d) = &detail.duplicate_of {
        facts.push(("sv-record-duplicate-of", d.clone()));
    }
    if let Some(s) = &detail.supersedes {
        facts.push(("sv-record-supersedes", s.clone()));
    }
    // Plain text rows: no need for touch-sized rows here.
    ui.spacing_mut().interact_size.y = 26.0;
    egui::Grid::new("sv-record-facts")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for (label, value) in facts.into_iter().map(|(id, v)| (i18n.tr(id), v)).chain(
                detail
                    .fields
                    .iter()
                    .map(|(id, v)| (i18n.tr(id), v.text(i18n))),
            ) {
                ui.label(RichText::new(label).weak());
                ui.label(RichText::new(value).strong());
                ui.end_row();
            }
        });
}

/// The face photo and the signature.
fn portraits(ui: &mut Ui, i18n: &I18n, id: &str, detail: &mut RecordDetail) {
    for b in detail
        .biometrics
        .iter_mut()
        .filter(|b| matches!(b.caption, Caption::Face | Caption::Signature))
    {
        let max = match b.caption {
            Caption::Face => Vec2::new(300.0, 380.0),
            _ => Vec2::new(360.0, 140.0),
        };
        picture_card(ui, i18n, id, b, max);
        ui.add_space(8.0);
    }
}

/// The fingers with their quality, the exception photos and the missing fingers' reasons.
fn fingers(ui: &mut Ui, i18n: &I18n, id: &str, detail: &mut RecordDetail) {
    ui.horizontal_wrapped(|ui| {
        for b in detail
            .biometrics
            .iter_mut()
            .filter(|b| matches!(b.caption, Caption::Finger(_) | Caption::ExceptionPhoto(_)))
        {
            picture_card(ui, i18n, id, b, Vec2::new(110.0, 130.0));
        }
    });
    if !detail.exceptions.is_empty() {
        heading(ui, i18n.tr("sv-record-missing-fingers"));
        for (p, reason) in &detail.exceptions {
            ui.label(format!(
                "{}: {}",
                i18n.tr(finger_message(*p)),
                i18n.tr(&format!("fingers-reason-{}", reason.name()))
            ));
        }
    }
}

fn picture_card(ui: &mut Ui, i18n: &I18n, id: &str, b: &mut Biometric, max: Vec2) {
    ui.vertical(|ui| {
        let caption = match b.caption {
            Caption::Face => i18n.tr("sv-record-face"),
            Caption::Signature => i18n.tr("sv-record-signature"),
            Caption::Finger(p) => i18n.tr(finger_message(p)),
            Caption::ExceptionPhoto(p) => i18n.tr_args(
                "sv-record-exception-photo",
                &[("finger", i18n.tr(finger_message(p)).into())],
            ),
        };
        ui.label(RichText::new(caption).small());
        match &mut b.picture {
            Some(p) => p.show(ui, &format!("sv-{id}-{}", b.sha256), max),
            None => {
                let (rect, _) = ui.allocate_exact_size(max, egui::Sense::hover());
                ui.painter().rect_filled(rect, 4.0, Color32::from_gray(200));
                ui.painter().text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    i18n.tr("sv-record-no-picture"),
                    egui::FontId::proportional(14.0),
                    Color32::BLACK,
                );
            }
        }
        if matches!(b.caption, Caption::Finger(_)) {
            let q = b.quality.map_or("—".to_owned(), |q| q.to_string());
            let mut text = i18n.tr_args("review-quality", &[("quality", q.into())]);
            if b.forced {
                text = format!("{text} · {}", i18n.tr("fingers-legend-forced"));
            }
            let color = if b.forced {
                Color32::from_rgb(0xb0, 0x60, 0x00)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(text).small().color(color));
        }
    });
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
    now: crate::domain::Timestamp,
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
            id: r.registration_id,
            created_at: r.created_at,
            operator: r.operator,
            training: r.training,
        })
        .collect())
}

/// The precinct named in the signed record (the only citizen detail the list shows).
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

fn record_detail(
    st: &mut Station,
    session: &Session,
    id: &str,
    now: crate::domain::Timestamp,
) -> Result<RecordDetail, Message> {
    let fail = |e: station::Error| error_message(&e);
    let (stored, record) = st.record(session, id, now).map_err(fail)?;
    let mut biometrics = Vec::new();
    for b in &record.biometrics {
        let caption = match (b.kind, b.position) {
            (BiometricKind::Face, _) => Caption::Face,
            (BiometricKind::Signature, _) => Caption::Signature,
            (BiometricKind::Finger, Some(p)) => Caption::Finger(p),
            (BiometricKind::ExceptionPhoto, Some(p)) => Caption::ExceptionPhoto(p),
            _ => continue,
        };
        let bytes = st.biometric(session, &b.sha256, now).map_err(fail)?;
        let max = match caption {
            Caption::Face => 480,
            Caption::Signature => 600,
            _ => 240,
        };
        let picture = bytes
            .and_then(|bytes| decode(b.format, &bytes, max))
            .map(Picture::Decoded);
        biometrics.push(Biometric {
            caption,
            sha256: b.sha256.clone(),
            picture,
            quality: b.quality,
            forced: b.forced,
        });
    }
    Ok(RecordDetail {
        status: stored.status,
        created_at: stored.created_at,
        operator: stored.operator,
        training: stored.training,
        duplicate_of: stored.duplicate_of,
        supersedes: stored.supersedes,
        fields: citizen_fields(&record),
        exceptions: record
            .exceptions
            .iter()
            .map(|e| (e.position, e.reason))
            .collect(),
        biometrics,
    })
}

/// A citizen detail, translated when drawn.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    /// A message id (sex, language).
    Message(String),
    /// A region code.
    Region(String),
    /// A region and district code.
    District(String, String),
}

impl Value {
    fn text(&self, i18n: &I18n) -> String {
        use crate::domain::address::region;
        use crate::ui::i18n::Language;
        let pick = |ky: &str, ru: &str, en: &str| match i18n.language() {
            Language::Ky => ky.to_owned(),
            Language::Ru => ru.to_owned(),
            Language::En => en.to_owned(),
        };
        match self {
            Value::Text(t) => t.clone(),
            Value::Message(id) => i18n.tr(id),
            Value::Region(code) => {
                region(code).map_or_else(|| code.clone(), |r| pick(r.name_ky, r.name_ru, r.name_en))
            }
            Value::District(r, d) => region(r)
                .and_then(|r| r.district(d))
                .map_or_else(|| d.clone(), |d| pick(d.name_ky, d.name_ru, d.name_en)),
        }
    }
}

/// The citizen's details, named as on the wizard's review page.
fn citizen_fields(record: &Record) -> Vec<(&'static str, Value)> {
    let c = &record.citizen;
    let a = &c.address;
    vec![
        ("field-surname", Value::Text(c.surname.clone())),
        ("field-given_name", Value::Text(c.given_name.clone())),
        (
            "field-patronymic",
            Value::Text(c.patronymic.clone().unwrap_or_default()),
        ),
        ("field-pin", Value::Text(c.pin.as_str().to_owned())),
        (
            "field-sex",
            Value::Message(format!("enroll-sex-{}", c.sex.code())),
        ),
        ("field-birth_date", Value::Text(c.birth_date.to_string())),
        (
            "field-document_number",
            Value::Text(c.document.number.clone()),
        ),
        ("field-region", Value::Region(a.region.clone())),
        (
            "field-district",
            Value::District(a.region.clone(), a.district.clone()),
        ),
        ("field-settlement", Value::Text(a.settlement.clone())),
        ("field-street", Value::Text(a.street.clone())),
        ("field-house", Value::Text(a.house.clone())),
        (
            "field-precinct",
            Value::Text(c.precinct.as_str().to_owned()),
        ),
        (
            "field-language",
            Value::Message(format!("lang-{}", c.language.code())),
        ),
    ]
}

/// Decodes a stored biometric to a picture no larger than `max` pixels a side: PNG, or the image
/// inside an ISO/IEC 19794-4 / 19794-5 record. `None` when it cannot be decoded.
fn decode(format: BiometricFormat, bytes: &[u8], max: u32) -> Option<egui::ColorImage> {
    let image = match format {
        BiometricFormat::Png => image::load_from_memory(bytes).ok()?,
        BiometricFormat::Iso19794_4 => {
            let record = FingerRecord::decode(bytes).ok()?;
            let gray = record.representations.first()?.decode_image().ok()?;
            image::DynamicImage::ImageLuma8(image::GrayImage::from_raw(
                gray.width,
                gray.height,
                gray.pixels,
            )?)
        }
        BiometricFormat::Iso19794_5 => {
            let record = FaceRecord::decode(bytes).ok()?;
            let (w, h, rgb) = record.representations.first()?.decode_rgb().ok()?;
            image::DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, rgb)?)
        }
    };
    let image = if image.width() > max || image.height() > max {
        image.thumbnail(max, max)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    Some(egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_decode_from_png_and_iso_records() {
        let png = include_bytes!("../../../fixtures/fingers/101_1.png");
        let picture = decode(BiometricFormat::Png, png, 100).expect("a PNG decodes");
        assert!(picture.size[0] <= 100 && picture.size[1] <= 100);
        let face = include_bytes!("../../../fixtures/faces/astronaut.png");
        let picture = decode(BiometricFormat::Png, face, 480).expect("the face decodes");
        assert!(picture.size[0] <= 480 && picture.size[0] > 0);
        assert!(decode(BiometricFormat::Iso19794_4, png, 100).is_none());
        assert!(decode(BiometricFormat::Png, b"not an image", 100).is_none());
    }
}
