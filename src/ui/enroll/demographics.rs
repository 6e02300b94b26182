//! The citizen's details, checked as they are typed by the same rules the station applies when
//! saving. A valid PIN fills in sex and birth date; if they were already typed, the PIN is
//! checked against them. Oblast, district, precinct and document type are pickers.
//!
//! The form is three columns that fit the page at 1280×800 without scrolling. A field with an
//! error is marked in place (its label in red with a warning sign, a red outline); the message
//! itself goes to the wizard's message place in the action bar ([`DemographicsForm::message`]),
//! so no message moves a field. The PIN keeps two lines of its own under it: its messages,
//! including the station's word that it is already registered, come as it is typed.

use crate::domain::address::AddressInput;
use crate::domain::document::DocumentInput;
use crate::domain::pin::Pin;
use crate::domain::validation::{Field, ValidationError};
use crate::domain::{CitizenInput, Sex, Timestamp};
use crate::ui::i18n::{I18n, Language};
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{RichText, TextEdit, Ui, Vec2};
use std::collections::BTreeSet;
use zeroize::Zeroize;

/// Width of one form column (three to a page).
const COLUMN: f32 = 396.0;
/// Space between the columns.
const GAP: f32 = 20.0;
/// Height kept under the PIN for its message.
const PIN_LINE: f32 = 44.0;

/// The form as typed.
#[derive(Default)]
pub struct DemographicsForm {
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub pin: String,
    pub sex: Option<Sex>,
    pub birth_date: String,
    pub region: Option<&'static str>,
    pub district: Option<&'static str>,
    pub settlement: String,
    pub street: String,
    pub house: String,
    pub precinct: Option<String>,
    /// `id-card` or `passport`.
    pub document_type: Option<&'static str>,
    pub document_number: String,
    /// The citizen's language (chosen on the first step).
    pub language: Option<Language>,
    precincts: Vec<String>,
    /// Fields whose errors are shown: typed into, or all after "Next".
    touched: BTreeSet<&'static str>,
    show_all: bool,
    /// The last valid PIN the station was asked about, and the records it is enrolled in.
    pin_checked: Option<(String, Vec<String>)>,
    /// The text field being typed into (its message is the one the action bar shows).
    focused: Option<Field>,
}

impl DemographicsForm {
    /// An empty form; the precinct is preselected when the station serves only one.
    pub fn new(precincts: Vec<String>) -> Self {
        DemographicsForm {
            precinct: (precincts.len() == 1).then(|| precincts[0].clone()),
            document_type: Some("id-card"),
            precincts,
            ..Self::default()
        }
    }

    /// The form filled in with a saved citizen's details, to correct their record.
    pub fn from_citizen(precincts: Vec<String>, c: &crate::domain::Citizen) -> Self {
        let region = crate::domain::address::region(&c.address.region);
        DemographicsForm {
            surname: c.surname.clone(),
            given_name: c.given_name.clone(),
            patronymic: c.patronymic.clone().unwrap_or_default(),
            pin: c.pin.as_str().to_owned(),
            sex: Some(c.sex),
            birth_date: c.birth_date.to_string(),
            region: region.map(|r| r.code),
            district: region
                .and_then(|r| r.district(&c.address.district))
                .map(|d| d.code),
            settlement: c.address.settlement.clone(),
            street: c.address.street.clone(),
            house: c.address.house.clone(),
            precinct: Some(c.precinct.as_str().to_owned()),
            document_type: Some(c.document.kind.code()),
            document_number: c.document.number.clone(),
            language: Some(c.language),
            ..Self::new(precincts)
        }
    }

    /// Preselects the station's own region (most citizens live where they register); the
    /// registrar can still pick another. Unknown codes are ignored.
    pub fn preset_region(&mut self, code: &str) {
        if self.region.is_none() {
            self.region = crate::domain::address::region(code).map(|r| r.code);
        }
    }

    /// A valid PIN the station has not been asked about yet (asked once per PIN).
    pub fn pin_to_check(&self) -> Option<String> {
        let pin = Pin::parse(&self.pin).ok()?;
        let pin = pin.as_str();
        (self.pin_checked.as_ref().is_none_or(|(p, _)| p != pin)).then(|| pin.to_owned())
    }

    /// The station's answer for `pin`: the records it is already enrolled in.
    pub fn pin_checked(&mut self, pin: String, existing: Vec<String>) {
        self.pin_checked = Some((pin, existing));
    }

    /// The records the PIN as typed is already enrolled in (empty when it is not, or not asked).
    pub fn pin_registered(&self) -> &[String] {
        match &self.pin_checked {
            Some((pin, existing)) if Pin::parse(&self.pin).is_ok_and(|p| p.as_str() == pin) => {
                existing
            }
            _ => &[],
        }
    }

    /// The typed text as the domain takes it.
    pub fn input(&self) -> CitizenInput {
        let some = |s: &str| Some(s.to_owned());
        CitizenInput {
            surname: some(&self.surname),
            given_name: some(&self.given_name),
            patronymic: some(&self.patronymic),
            sex: self.sex.map(|s| s.code().to_owned()),
            birth_date: some(&self.birth_date),
            pin: some(&self.pin),
            address: Some(AddressInput {
                region: self.region.map(str::to_owned),
                district: self.district.map(str::to_owned),
                settlement: some(&self.settlement),
                street: some(&self.street),
                house: some(&self.house),
            }),
            precinct: self.precinct.clone(),
            document: Some(DocumentInput {
                kind: self.document_type.map(str::to_owned),
                number: some(&self.document_number),
            }),
            language: self.language.map(|l| l.code().to_owned()),
        }
    }

    /// Every error of the form as it stands.
    pub fn errors(&self, now: Timestamp) -> Vec<ValidationError> {
        self.input().validate(now.date()).err().unwrap_or_default()
    }

    /// "Next": true when the form is valid; otherwise every error is shown.
    pub fn finish(&mut self, now: Timestamp) -> bool {
        self.show_all = true;
        self.errors(now).is_empty()
    }

    /// Shows every field's error (after the station refused the details).
    pub fn show_all_errors(&mut self) {
        self.show_all = true;
    }

    /// The citizen's full name as typed (for the review and the receipt).
    pub fn full_name(&self) -> String {
        crate::domain::citizen::full_name([
            Some(self.surname.as_str()),
            Some(self.given_name.as_str()),
            Some(self.patronymic.as_str()),
        ])
    }

    /// Overwrites the personal details.
    pub fn wipe(&mut self) {
        for s in [
            &mut self.surname,
            &mut self.given_name,
            &mut self.patronymic,
            &mut self.pin,
            &mut self.birth_date,
            &mut self.settlement,
            &mut self.street,
            &mut self.house,
            &mut self.document_number,
        ] {
            s.zeroize();
        }
    }

    /// A valid PIN fills in sex and birth date where they are still empty (the date as the
    /// operator's language writes it).
    fn fill_from_pin(&mut self, i18n: &I18n) {
        if let Ok(pin) = Pin::parse(&self.pin) {
            if self.sex.is_none() {
                self.sex = Some(pin.sex());
            }
            if self.birth_date.trim().is_empty() {
                self.birth_date = i18n.date(pin.birth_date());
            }
        }
    }

    /// Draws the form.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n, now: Timestamp) {
        // Each field's error is worked out after that field took this frame's typing: the
        // errors are worked out again only once something changed.
        let errors = &Errors::new(now);
        let language = i18n.language();
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.y = 3.0;
            ui.vertical(|ui| {
                ui.set_width(COLUMN);
                heading(ui, i18n.tr("enroll-person-title"));
                let pin_changed = self.text(ui, i18n, errors, Field::Pin, TextKind::Pin);
                if pin_changed {
                    self.fill_from_pin(i18n);
                    errors.forget();
                }
                self.pin_line(ui, i18n, errors);
                self.text(ui, i18n, errors, Field::Surname, TextKind::Name);
                self.text(ui, i18n, errors, Field::GivenName, TextKind::Name);
                self.text(ui, i18n, errors, Field::Patronymic, TextKind::Name);
            });
            ui.add_space(GAP);
            ui.vertical(|ui| {
                ui.set_width(COLUMN);
                heading(ui, i18n.tr("enroll-document-title"));
                self.sex_picker(ui, i18n, errors);
                self.text(ui, i18n, errors, Field::BirthDate, TextKind::Date);
                self.document_picker(ui, i18n, errors);
                self.text(ui, i18n, errors, Field::DocumentNumber, TextKind::Plain);
            });
            ui.add_space(GAP);
            ui.vertical(|ui| {
                ui.set_width(COLUMN);
                heading(ui, i18n.tr("enroll-address-title"));
                self.region_picker(ui, i18n, errors, language);
                self.text(ui, i18n, errors, Field::Settlement, TextKind::Plain);
                self.text(ui, i18n, errors, Field::Street, TextKind::Plain);
                ui.horizontal_top(|ui| {
                    ui.vertical(|ui| {
                        ui.set_width(HOUSE);
                        self.text(ui, i18n, errors, Field::House, TextKind::Plain);
                    });
                    ui.vertical(|ui| {
                        ui.set_width(COLUMN - HOUSE - GAP);
                        self.precinct_picker(ui, i18n, errors);
                    });
                });
            });
        });
    }

    /// The message for the wizard's message place: the error of the field being typed into,
    /// else the first error shown, as "Field: what is wrong". The PIN's are said under it.
    pub fn message(&self, i18n: &I18n, now: Timestamp) -> Option<String> {
        let all: Vec<ValidationError> = self
            .errors(now)
            .into_iter()
            .filter(|e| self.shown(e.field))
            .collect();
        let shown: Vec<&ValidationError> = all.iter().filter(|e| e.field != Field::Pin).collect();
        let error = *shown
            .iter()
            .find(|e| Some(e.field) == self.focused)
            .or(shown.first())?;
        let message = format!(
            "{}: {}",
            i18n.tr(&format!("field-{}", error.field.name())),
            error_text(i18n, error)
        );
        // The other fields marked (the PIN among them) are counted, so none is missed.
        let mut fields: Vec<Field> = all.iter().map(|e| e.field).collect();
        fields.dedup();
        Some(match fields.len() - 1 {
            0 => message,
            more => format!(
                "{message} {}",
                i18n.tr_args("enroll-more-errors", &[("count", more.into())])
            ),
        })
    }

    /// Whether `field`'s error is shown: typed into, or every field after "Next".
    fn shown(&self, field: Field) -> bool {
        self.show_all || self.touched.contains(field.name())
    }

    /// The error of `field` as it stands, when it is shown.
    fn shown_error(&self, errors: &Errors, field: Field) -> Option<ValidationError> {
        if !self.shown(field) {
            return None;
        }
        errors.of(self, field)
    }

    /// A field's label: in red, a warning sign after it, while the field has an error shown.
    fn label(&self, ui: &mut Ui, i18n: &I18n, errors: &Errors, field: Field) -> egui::Response {
        let name = i18n.tr(&format!("field-{}", field.name()));
        let marked = self.shown_error(errors, field).is_some();
        // One row of a fixed height, marked or not, so the mark moves nothing.
        ui.allocate_ui_with_layout(
            Vec2::new(ui.available_width(), LABEL_HEIGHT),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_height(LABEL_HEIGHT);
                ui.spacing_mut().item_spacing.x = 6.0;
                if !marked {
                    return ui.label(name);
                }
                // The sign after the name, apart from it: the name stays where it was, and the
                // field is still called by its name alone.
                let colour = crate::ui::theme::error(ui);
                let mark = crate::ui::theme::icons::ICON_ERROR.codepoint;
                let label = ui.label(RichText::new(name).color(colour));
                ui.label(RichText::new(mark).color(colour));
                label
            },
        )
        .inner
    }

    /// A red outline round a control whose field has an error shown.
    fn outline(&self, ui: &Ui, errors: &Errors, field: Field, rect: egui::Rect) {
        if self.shown_error(errors, field).is_some() {
            ui.painter().rect_stroke(
                rect,
                4.0,
                egui::Stroke::new(2.5, crate::ui::theme::error(ui)),
                egui::StrokeKind::Inside,
            );
        }
    }

    fn value(&mut self, field: Field) -> &mut String {
        match field {
            Field::Surname => &mut self.surname,
            Field::GivenName => &mut self.given_name,
            Field::Patronymic => &mut self.patronymic,
            Field::Pin => &mut self.pin,
            Field::BirthDate => &mut self.birth_date,
            Field::Settlement => &mut self.settlement,
            Field::Street => &mut self.street,
            Field::House => &mut self.house,
            Field::DocumentNumber => &mut self.document_number,
            other => unreachable!("{other} is not a text field"),
        }
    }

    /// One labelled text field, marked when it has an error; true when the text changed.
    fn text(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        errors: &Errors,
        field: Field,
        kind: TextKind,
    ) -> bool {
        let label = self.label(ui, i18n, errors, field);
        let hint = match kind {
            TextKind::Pin => i18n.tr("enroll-pin-hint"),
            TextKind::Date => i18n.tr("enroll-date-hint"),
            TextKind::Plain if field == Field::Street => i18n.tr("enroll-street-hint"),
            TextKind::Name | TextKind::Plain => String::new(),
        };
        let width = ui.available_width().min(COLUMN);
        let value = self.value(field);
        let response = ui
            .add_sized(
                Vec2::new(width, TOUCH_HEIGHT),
                TextEdit::singleline(value)
                    .hint_text(hint)
                    .char_limit(match kind {
                        TextKind::Pin => 14,
                        TextKind::Date => 10,
                        _ => 120,
                    })
                    .align(egui::Align2::LEFT_CENTER),
            )
            .labelled_by(label.id);
        if response.changed() {
            errors.forget();
        }
        if response.changed() || response.lost_focus() {
            self.touched.insert(field.name());
        }
        if response.has_focus() {
            self.focused = Some(field);
        } else if response.lost_focus() && self.focused == Some(field) {
            self.focused = None;
        }
        self.outline(ui, errors, field, response.rect);
        ui.add_space(6.0);
        response.changed()
    }

    /// The PIN's own two lines: its error, or the station's word that it is already
    /// registered. Always there, so a message that comes while the next field is typed does
    /// not move that field.
    fn pin_line(&self, ui: &mut Ui, i18n: &I18n, errors: &Errors) {
        crate::ui::screens::reserved(ui, Vec2::new(COLUMN, PIN_LINE), |ui| {
            let colour = crate::ui::theme::error(ui);
            let text = match self.shown_error(errors, Field::Pin) {
                Some(e) => error_text(i18n, &e),
                None if !self.pin_registered().is_empty() => {
                    let ids = self.pin_registered().join(", ");
                    i18n.tr_args("enroll-pin-registered", &[("ids", ids.into())])
                }
                None => return,
            };
            ui.add(egui::Label::new(RichText::new(text).size(17.0).color(colour)).wrap());
        });
    }
}

/// A column's heading: larger than a field's label, in the accent.
fn heading(ui: &mut Ui, text: String) {
    ui.label(
        RichText::new(text)
            .size(22.0)
            .strong()
            .color(crate::ui::theme::heading(ui)),
    );
}

/// Height of a field's label row.
const LABEL_HEIGHT: f32 = 26.0;
/// Width of the house number beside the precinct.
const HOUSE: f32 = 150.0;

/// A validation error in the operator's language.
fn error_text(i18n: &I18n, e: &ValidationError) -> String {
    let args: Vec<_> = e
        .message_args()
        .into_iter()
        .map(|(k, v)| (k, fluent_bundle::FluentValue::from(v)))
        .collect();
    i18n.tr_args(e.message_id(), &args)
}

/// The form's errors in one frame: worked out when first asked, and again only after a field
/// changed ([`Errors::forget`]), not once per label and outline drawn.
struct Errors {
    now: Timestamp,
    known: std::cell::RefCell<Option<Vec<ValidationError>>>,
}

impl Errors {
    fn new(now: Timestamp) -> Self {
        Errors {
            now,
            known: Default::default(),
        }
    }

    /// The error of `field` in `form` as it stands.
    fn of(&self, form: &DemographicsForm, field: Field) -> Option<ValidationError> {
        self.known
            .borrow_mut()
            .get_or_insert_with(|| form.errors(self.now))
            .iter()
            .find(|e| e.field == field)
            .cloned()
    }

    /// A field changed: its errors are worked out again when next asked.
    fn forget(&self) {
        self.known.take();
    }
}

#[derive(Clone, Copy)]
enum TextKind {
    Name,
    Pin,
    Date,
    Plain,
}

mod pickers;

#[cfg(test)]
mod tests;
