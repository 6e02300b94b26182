//! The citizen's details: every rule of `CitizenInput::validate`, field by field.

use super::*;
use time::macros::date;

const TODAY: Date = date!(2024 - 05 - 10);

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn good_input() -> CitizenInput {
    CitizenInput {
        surname: some("Өмүрбеков"),
        given_name: some("Асан"),
        patronymic: some("Үсөнбек уулу"),
        sex: some("male"),
        birth_date: some("1990-05-15"),
        pin: some("21505199012345"),
        address: Some(AddressInput {
            region: some("chui"),
            district: some("sokuluk"),
            settlement: some("с. Шопоков"),
            street: some("ул. Ленина"),
            house: some("12А"),
        }),
        precinct: some("1042"),
        document: Some(DocumentInput {
            kind: some("id-card"),
            number: some("ID1234567"),
        }),
        language: some("ky"),
    }
}

fn rules(input: &CitizenInput) -> Vec<(Field, Rule)> {
    input
        .validate(TODAY)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.rule))
        .collect()
}

fn name(raw: &str) -> Result<String, Rule> {
    validate_name(Field::Surname, raw)
}

#[test]
fn accepts_kyrgyz_and_russian_names() {
    let names = "Өмүрбеков|Үсөнова|Ңаа|Алёна|ЁЛКИН|Абдыкадыр-Уулу|Д'Артаньян|О’Нил";
    for good in names.split('|') {
        assert_eq!(name(good), Ok(good.to_owned()), "{good}");
    }
    assert_eq!(
        validate_name(Field::Patronymic, "Асанбек уулу"),
        Ok("Асанбек уулу".into())
    );
    assert_eq!(name("  асанбек \u{00A0}  уулу "), Ok("асанбек уулу".into()));
    assert_eq!(name("Ѓзі"), Ok("Ѓзі".into())); // other letters of U+0400–U+04FF
}

#[test]
fn names_are_nfc() {
    // "Й" typed as "И" + combining breve.
    assert_eq!(name("\u{0418}\u{0306}ван"), Ok("\u{0419}ван".into()));
}

#[test]
fn refuses_bad_names() {
    assert_eq!(name(""), Err(Rule::Required));
    assert_eq!(name("   "), Err(Rule::Required));
    assert_eq!(name("Asanov"), Err(Rule::NotCyrillic));
    assert_eq!(name("Ασανοβ"), Err(Rule::NotCyrillic));
    assert_eq!(name("Asанов"), Err(Rule::MixedScripts));
    assert_eq!(name("Асанов Ivan"), Err(Rule::MixedScripts));
    assert_eq!(name("Асанов2"), Err(Rule::Digits));
    assert_eq!(name("Асан\nов"), Err(Rule::ControlCharacter));
    assert_eq!(name("Асан\u{0}ов"), Err(Rule::ControlCharacter));
    assert_eq!(name("Асанов!"), Err(Rule::BadCharacter));
    assert_eq!(name("Асанов."), Err(Rule::BadCharacter));
    assert_eq!(name("-Асанов"), Err(Rule::BadCharacter));
    assert_eq!(name("Асанов-"), Err(Rule::BadCharacter));
    assert_eq!(name("Асан--ов"), Err(Rule::BadCharacter));
    assert_eq!(name("Асан - ов"), Err(Rule::BadCharacter));
}

#[test]
fn name_length_limit() {
    assert_eq!(name(&"ө".repeat(50)).map(|n| n.chars().count()), Ok(50));
    assert_eq!(name(&"ө".repeat(51)), Err(Rule::TooLong { max: 50 }));
}

#[test]
fn valid_input_gives_citizen() {
    let c = good_input().validate(TODAY).unwrap();
    assert_eq!(c.surname, "Өмүрбеков");
    assert_eq!(c.patronymic.as_deref(), Some("Үсөнбек уулу"));
    assert_eq!(
        (c.sex, c.birth_date, c.language),
        (Sex::Male, date!(1990 - 05 - 15), Language::Ky)
    );
    assert_eq!(c.pin.as_str(), "21505199012345");
    assert_eq!(
        (c.precinct.as_str(), c.document.number.as_str()),
        ("1042", "ID1234567")
    );
}

#[test]
fn empty_patronymic_is_none() {
    for patronymic in [None, some(""), some("  ")] {
        let input = CitizenInput {
            patronymic,
            ..good_input()
        };
        assert_eq!(input.validate(TODAY).unwrap().patronymic, None);
    }
    let input = CitizenInput {
        patronymic: some("Petrovich"),
        ..good_input()
    };
    assert_eq!(rules(&input), [(Field::Patronymic, Rule::NotCyrillic)]);
}

#[test]
fn empty_input_reports_every_field_in_order() {
    let errors = CitizenInput::default().validate(TODAY).unwrap_err();
    let fields: Vec<String> = errors.iter().map(|e| e.field.to_string()).collect();
    assert!(errors.iter().all(|e| e.rule == Rule::Required));
    // The street is optional (villages without street names).
    let expected = "surname given_name sex birth_date pin region district settlement house \
                    precinct document_type document_number language";
    assert_eq!(fields.join(" "), expected);
}

#[test]
fn several_errors_at_once() {
    let input = CitizenInput {
        surname: some("Asanov"),
        sex: some("x"),
        precinct: some("12a"),
        language: some("de"),
        ..good_input()
    };
    assert_eq!(
        rules(&input),
        [
            (Field::Surname, Rule::NotCyrillic),
            (Field::Sex, Rule::UnknownSex),
            (Field::Precinct, Rule::PrecinctFormat),
            (Field::Language, Rule::UnknownLanguage),
        ]
    );
}

#[test]
fn leap_day_born_is_sixteen_on_29_february_of_a_leap_year() {
    let input = |today| {
        let c = CitizenInput {
            sex: some("female"),
            birth_date: some("2008-02-29"),
            pin: some("12902200800017"),
            ..good_input()
        };
        c.validate(today).map(|c| c.birth_date)
    };
    // 2024 is a leap year: the 16th birthday is 29 Feb itself.
    assert!(input(date!(2024 - 02 - 28)).is_err());
    assert_eq!(input(date!(2024 - 02 - 29)), Ok(date!(2008 - 02 - 29)));
}

#[test]
fn pin_errors_and_cross_checks() {
    let with_pin = |pin: &str| CitizenInput {
        pin: some(pin),
        ..good_input()
    };
    let pin_rules = |pin: &str| {
        let errors = rules(&with_pin(pin));
        assert!(
            errors.iter().all(|(field, _)| *field == Field::Pin),
            "{errors:?}"
        );
        errors.into_iter().map(|(_, rule)| rule).collect::<Vec<_>>()
    };
    assert_eq!(pin_rules("2150519901234"), [Rule::PinLength]);
    assert_eq!(pin_rules("2150519901234x"), [Rule::PinNotDigits]);
    assert_eq!(pin_rules("31505199012345"), [Rule::PinSexDigit]);
    assert_eq!(pin_rules("23102199012345"), [Rule::PinBadDate]);
    assert_eq!(pin_rules("11505199012345"), [Rule::PinSexMismatch]);
    assert_eq!(pin_rules("21605199012345"), [Rule::PinBirthDateMismatch]);
    let both = [Rule::PinSexMismatch, Rule::PinBirthDateMismatch];
    assert_eq!(pin_rules("11605199012345"), both);
    // No cross-check against a sex or birth date that is itself invalid.
    let input = CitizenInput {
        sex: some("m"),
        birth_date: some("1990-15-05"),
        ..with_pin("11605199012345")
    };
    assert_eq!(
        rules(&input),
        [
            (Field::Sex, Rule::UnknownSex),
            (Field::BirthDate, Rule::BadDate)
        ]
    );
}

#[test]
fn sex_and_language_codes() {
    assert_eq!("female".parse::<Sex>(), Ok(Sex::Female));
    assert_eq!("Male".parse::<Sex>(), Err(Rule::UnknownSex));
    assert_eq!(Sex::Male.code(), "male");
    for lang in [Language::Ky, Language::Ru, Language::En] {
        assert_eq!(lang.code().parse::<Language>(), Ok(lang));
        assert_eq!(
            serde_json::to_string(&lang).unwrap(),
            format!("\"{}\"", lang.code())
        );
    }
    assert_eq!("kg".parse::<Language>(), Err(Rule::UnknownLanguage));
}

#[test]
fn serialises_to_the_formats_citizen_object() {
    let citizen = CitizenInput {
        patronymic: None,
        ..good_input()
    }
    .validate(TODAY)
    .unwrap();
    let json = serde_json::to_string(&citizen).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"surname":"Өмүрбеков","given_name":"Асан","patronymic":null,"sex":"male","#,
            r#""birth_date":"1990-05-15","pin":"21505199012345","#,
            r#""address":{"region":"chui","district":"sokuluk","settlement":"с. Шопоков","#,
            r#""street":"ул. Ленина","house":"12А"},"precinct":"1042","#,
            r#""document":{"type":"id-card","number":"ID1234567"},"language":"ky"}"#
        )
    );
    let back: Citizen = serde_json::from_str(&json).unwrap();
    assert_eq!(back, citizen);
    let with_patronymic = good_input().validate(TODAY).unwrap();
    let value = serde_json::to_value(&with_patronymic).unwrap();
    assert_eq!(value["patronymic"], "Үсөнбек уулу");
}

#[test]
fn input_json_refuses_unknown_fields() {
    let input: CitizenInput = serde_json::from_str(r#"{"surname":"Асанов"}"#).unwrap();
    assert_eq!(input.surname.as_deref(), Some("Асанов"));
    assert!(serde_json::from_str::<CitizenInput>(r#"{"surname":"Асанов","age":30}"#).is_err());
}
