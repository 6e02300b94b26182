//! One record opened from the approvals list: loaded with its pictures on the worker thread
//! (PNG, or the image inside an ISO/IEC 19794-4 / 19794-5 record, decoded there and handed back
//! as `ColorImage`s), then drawn: the facts and the citizen's details, the face and signature,
//! the fingers with their quality and the missing fingers' reasons.

use super::{Message, Picture, error_message, heading};
use crate::domain::enrollment::Record;
use crate::domain::{BiometricKind, ExceptionReason, FingerPosition, Timestamp};
use crate::station::{self, Session, Station};
use crate::store::RecordStatus;
use crate::ui::enroll::fingers::finger_message;
use crate::ui::i18n::I18n;
use egui::{Color32, RichText, Ui, Vec2};

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
pub(super) struct RecordDetail {
    pub(super) status: RecordStatus,
    created_at: String,
    operator: String,
    training: bool,
    duplicate_of: Option<String>,
    supersedes: Option<String>,
    /// `(field message id, value)`.
    fields: Vec<(&'static str, Value)>,
    biometrics: Vec<Biometric>,
    exceptions: Vec<(FingerPosition, ExceptionReason)>,
    /// Why the citizen gave no signature, when they did not.
    no_signature: Option<crate::domain::enrollment::SignatureReason>,
}

/// The message id of a status.
pub(super) fn status_message(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Pending => "sv-status-pending",
        RecordStatus::Approved => "sv-status-approved",
        RecordStatus::Rejected => "sv-status-rejected",
        RecordStatus::Exported => "sv-status-exported",
    }
}

/// Who saved the record, when, its state, and the citizen's details.
pub(super) fn facts(ui: &mut Ui, i18n: &I18n, detail: &RecordDetail) {
    let mut facts = vec![
        ("sv-record-status", i18n.tr(status_message(detail.status))),
        ("sv-record-created", i18n.moment_text(&detail.created_at)),
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
pub(super) fn portraits(ui: &mut Ui, i18n: &I18n, id: &str, detail: &mut RecordDetail) {
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
    if let Some(reason) = detail.no_signature {
        crate::ui::enroll::signature::no_signature_label(ui, i18n, reason);
    }
}

/// Width of a finger's card: five fit side by side at 1280 px.
const FINGER_CARD_WIDTH: f32 = 220.0;

/// The fingers with their quality, the exception photos and the missing fingers' reasons.
pub(super) fn fingers(ui: &mut Ui, i18n: &I18n, id: &str, detail: &mut RecordDetail) {
    // A row a hand, five cards of the same width: a long caption wraps inside its card.
    egui::Grid::new(("sv-record-fingers", id))
        .num_columns(5)
        .spacing([12.0, 12.0])
        .show(ui, |ui| {
            for (i, b) in detail
                .biometrics
                .iter_mut()
                .filter(|b| matches!(b.caption, Caption::Finger(_) | Caption::ExceptionPhoto(_)))
                .enumerate()
            {
                ui.vertical(|ui| {
                    ui.set_width(FINGER_CARD_WIDTH);
                    picture_card(ui, i18n, id, b, Vec2::new(110.0, 130.0));
                });
                if i % 5 == 4 {
                    ui.end_row();
                }
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
        ui.add(egui::Label::new(RichText::new(caption).small()).wrap());
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
                crate::ui::theme::warn(ui)
            } else {
                ui.visuals().text_color()
            };
            ui.add(egui::Label::new(RichText::new(text).small().color(color)).wrap());
        }
    });
}

/// Loads record `id` and decodes its pictures (call on the worker thread).
pub(super) fn record_detail(
    st: &mut Station,
    session: &Session,
    id: &str,
    now: Timestamp,
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
            .and_then(|bytes| crate::ui::picture::decode(b.format, &bytes, (max, max)))
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
        no_signature: record.signature_exception().map(|e| e.reason),
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
    /// A date, written as the language writes dates.
    Date(time::Date),
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
            Value::Date(d) => i18n.date(*d),
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
        ("field-birth_date", Value::Date(c.birth_date)),
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
