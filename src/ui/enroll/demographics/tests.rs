use super::*;

fn today() -> Timestamp {
    Timestamp::parse("2026-11-27T09:00:00Z").unwrap()
}

#[test]
fn a_valid_pin_fills_sex_and_birth_date_only_when_empty() {
    let mut form = DemographicsForm::new(vec!["1101".into()]);
    form.pin = "11403199000123".into();
    form.fill_from_pin(&I18n::new(crate::ui::i18n::Language::En));
    assert_eq!(form.sex, Some(Sex::Female));
    assert_eq!(form.birth_date, "1990-03-14");
    // In Kyrgyz and Russian, as those languages write dates; the domain reads both.
    let mut form = DemographicsForm::new(vec![]);
    form.pin = "11403199000123".into();
    form.fill_from_pin(&I18n::new(crate::ui::i18n::Language::Ky));
    assert_eq!(form.birth_date, "14.03.1990");
    assert!(
        !form
            .errors(today())
            .iter()
            .any(|e| e.field == Field::BirthDate)
    );

    let mut form = DemographicsForm::new(vec![]);
    form.sex = Some(Sex::Male);
    form.pin = "11403199000123".into();
    form.fill_from_pin(&I18n::new(crate::ui::i18n::Language::En));
    assert_eq!(
        form.sex,
        Some(Sex::Male),
        "a chosen sex is kept and cross-checked"
    );
    let errors = form.errors(today());
    assert!(
        errors
            .iter()
            .any(|e| e.message_id() == "validation-pin-sex-mismatch"),
        "{errors:?}"
    );
}

#[test]
fn the_form_is_the_domain_input() {
    let mut form = DemographicsForm::new(vec!["1101".into()]);
    assert_eq!(form.input().precinct.as_deref(), Some("1101"));
    assert!(!form.finish(today()));
    form.surname = "Өмүрбекова".into();
    form.given_name = "Айгүл".into();
    form.patronymic = "Асанбековна".into();
    form.pin = "11403199000123".into();
    form.fill_from_pin(&I18n::new(crate::ui::i18n::Language::En));
    form.region = Some("chui");
    form.district = Some("alamudun");
    form.settlement = "Лебединовка".into();
    form.street = "Ленин көчөсү".into();
    form.house = "12А".into();
    form.document_number = "ID1234567".into();
    form.language = Some(Language::Ky);
    assert_eq!(form.errors(today()), vec![]);
    assert!(form.finish(today()));
    assert_eq!(form.full_name(), "Өмүрбекова Айгүл Асанбековна");
    form.wipe();
    assert!(form.pin.is_empty() && form.surname.is_empty());
}
