//! The form's pickers: sex and document type as pairs of buttons, region and district as
//! touch-sized lists, and the precincts the station serves.

use super::{COLUMN, DemographicsForm, Errors};
use crate::domain::Sex;
use crate::domain::address::regions;
use crate::domain::validation::Field;
use crate::ui::i18n::{I18n, Language};
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{Button, RichText, Ui, Vec2};

impl DemographicsForm {
    pub(super) fn sex_picker(&mut self, ui: &mut Ui, i18n: &I18n, errors: &Errors) {
        self.label(ui, i18n, errors, Field::Sex);
        let row = ui.horizontal(|ui| {
            for (sex, id) in [
                (Sex::Female, "enroll-sex-female"),
                (Sex::Male, "enroll-sex-male"),
            ] {
                if ui
                    .add(
                        Button::new(i18n.tr(id))
                            .selected(self.sex == Some(sex))
                            .min_size(Vec2::new((COLUMN - 12.0) / 2.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.sex = Some(sex);
                    errors.forget();
                    self.touched.insert(Field::Sex.name());
                }
            }
        });
        self.outline(ui, errors, Field::Sex, row.response.rect);
        ui.add_space(6.0);
    }

    pub(super) fn document_picker(&mut self, ui: &mut Ui, i18n: &I18n, errors: &Errors) {
        self.label(ui, i18n, errors, Field::DocumentType);
        let row = ui.horizontal(|ui| {
            for (kind, id) in [
                ("id-card", "enroll-document-id-card"),
                ("passport", "enroll-document-passport"),
            ] {
                if ui
                    .add(
                        Button::new(i18n.tr(id))
                            .selected(self.document_type == Some(kind))
                            .min_size(Vec2::new((COLUMN - 12.0) / 2.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.document_type = Some(kind);
                    errors.forget();
                }
            }
        });
        self.outline(ui, errors, Field::DocumentType, row.response.rect);
        ui.add_space(6.0);
    }

    pub(super) fn region_picker(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        errors: &Errors,
        language: Language,
    ) {
        let name = |ky: &'static str, ru: &'static str, en: &'static str| match language {
            Language::Ky => ky,
            Language::Ru => ru,
            Language::En => en,
        };
        let region = self.region.and_then(crate::domain::address::region);
        let label = self.label(ui, i18n, errors, Field::Region);
        let selected = region.map_or_else(
            || i18n.tr("enroll-choose"),
            |r| name(r.name_ky, r.name_ru, r.name_en).to_owned(),
        );
        let combo = egui::ComboBox::from_id_salt("region")
            .selected_text(selected)
            .width(COLUMN)
            .height(LIST_HEIGHT)
            .show_ui(ui, |ui| {
                for r in regions() {
                    let text = name(r.name_ky, r.name_ru, r.name_en);
                    if ui
                        .add(picker_row(self.region == Some(r.code), text))
                        .clicked()
                        && self.region != Some(r.code)
                    {
                        self.region = Some(r.code);
                        self.district = None;
                        errors.forget();
                        self.touched.insert(Field::Region.name());
                    }
                }
            })
            .response
            .labelled_by(label.id);
        self.outline(ui, errors, Field::Region, combo.rect);
        ui.add_space(6.0);

        let label = self.label(ui, i18n, errors, Field::District);
        let district = region.zip(self.district).and_then(|(r, d)| r.district(d));
        let selected = district.map_or_else(
            || i18n.tr("enroll-choose"),
            |d| name(d.name_ky, d.name_ru, d.name_en).to_owned(),
        );
        let combo = ui.add_enabled_ui(region.is_some(), |ui| {
            egui::ComboBox::from_id_salt("district")
                .selected_text(selected)
                .width(COLUMN)
                .height(LIST_HEIGHT)
                .show_ui(ui, |ui| {
                    for d in region.map_or(&[][..], |r| r.districts) {
                        let text = name(d.name_ky, d.name_ru, d.name_en);
                        if ui
                            .add(picker_row(self.district == Some(d.code), text))
                            .clicked()
                        {
                            self.district = Some(d.code);
                            errors.forget();
                            self.touched.insert(Field::District.name());
                        }
                    }
                })
                .response
                .labelled_by(label.id)
        });
        self.outline(ui, errors, Field::District, combo.inner.rect);
        ui.add_space(6.0);
    }

    pub(super) fn precinct_picker(&mut self, ui: &mut Ui, i18n: &I18n, errors: &Errors) {
        self.label(ui, i18n, errors, Field::Precinct);
        let row = ui.horizontal_wrapped(|ui| {
            for p in &self.precincts {
                if ui
                    .add(
                        Button::new(p.as_str())
                            .selected(self.precinct.as_ref() == Some(p))
                            .min_size(Vec2::new(100.0, TOUCH_HEIGHT)),
                    )
                    .clicked()
                {
                    self.precinct = Some(p.clone());
                    errors.forget();
                }
            }
        });
        self.outline(ui, errors, Field::Precinct, row.response.rect);
    }
}

/// Height of the region and district lists: they open below their button, inside the page.
const LIST_HEIGHT: f32 = 250.0;

/// One row of the region or district list: a touch-sized button, the chosen one selected.
fn picker_row(selected: bool, text: &str) -> Button<'_> {
    Button::selectable(selected, RichText::new(text).size(20.0))
        .min_size(Vec2::new(COLUMN - 40.0, TOUCH_HEIGHT - 8.0))
}
