use super::*;
use time::macros::date;

#[test]
fn age_counts_whole_years() {
    assert_eq!(age_on(date!(2008 - 05 - 10), date!(2024 - 05 - 10)), 16);
    assert_eq!(age_on(date!(2008 - 05 - 10), date!(2024 - 05 - 09)), 15);
    assert_eq!(age_on(date!(2008 - 05 - 10), date!(2008 - 05 - 10)), 0);
    assert_eq!(age_on(date!(1950 - 12 - 31), date!(2025 - 01 - 01)), 74);
    assert_eq!(age_on(date!(2030 - 01 - 01), date!(2025 - 01 - 01)), -5);
}

#[test]
fn leap_day_birthday_is_first_march_in_common_years() {
    let birth = date!(2008 - 02 - 29);
    assert_eq!(age_on(birth, date!(2024 - 02 - 28)), 15);
    assert_eq!(age_on(birth, date!(2024 - 02 - 29)), 16);
    assert_eq!(age_on(birth, date!(2025 - 02 - 28)), 16);
    assert_eq!(age_on(birth, date!(2025 - 03 - 01)), 17);
    assert_eq!(age_on(date!(2004 - 02 - 29), date!(2020 - 02 - 28)), 15);
    assert_eq!(age_on(date!(2005 - 02 - 28), date!(2021 - 02 - 28)), 16);
    assert_eq!(age_on(date!(2005 - 03 - 01), date!(2021 - 02 - 28)), 15);
}

#[test]
fn display_is_field_then_rule() {
    let e = ValidationError::new(Field::BirthDate, Rule::InFuture);
    assert_eq!(e.to_string(), "birth_date: must not be in the future");
    let e = ValidationError::new(Field::Surname, Rule::TooLong { max: 50 });
    assert_eq!(e.to_string(), "surname: must be at most 50 characters");
}

#[test]
fn field_display_matches_serde_name() {
    for field in [
        Field::Surname,
        Field::GivenName,
        Field::BirthDate,
        Field::DocumentNumber,
    ] {
        let json = serde_json::to_string(&field).unwrap();
        assert_eq!(json, format!("\"{field}\""));
    }
}

#[test]
fn message_ids_and_args() {
    let e = ValidationError::new(Field::Surname, Rule::TooLong { max: 50 });
    assert_eq!(e.message_id(), "validation-too-long");
    assert_eq!(
        e.message_args(),
        vec![("field", "surname".into()), ("max", "50".into())]
    );
    let e = ValidationError::new(
        Field::BirthDate,
        Rule::TooYoung {
            min_age: MIN_AGE_YEARS,
        },
    );
    assert_eq!(e.message_id(), "validation-too-young");
    assert_eq!(
        e.message_args(),
        vec![("field", "birth_date".into()), ("min_age", "16".into())]
    );
    let e = ValidationError::new(Field::Pin, Rule::PinBirthDateMismatch);
    assert_eq!(e.message_id(), "validation-pin-birth-date-mismatch");
    assert_eq!(e.message_args(), vec![("field", "pin".into())]);
}

#[test]
fn message_ids_are_unique_and_kebab_case() {
    let mut seen = std::collections::HashSet::new();
    for rule in Rule::EVERY {
        let id = ValidationError::new(Field::Pin, rule.clone()).message_id();
        assert!(id.starts_with("validation-"), "{id}");
        assert!(
            id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}"
        );
        assert!(seen.insert(id), "duplicate id {id}");
        let text = rule.to_string();
        assert!(
            !text.is_empty() && text.chars().next().unwrap().is_lowercase(),
            "{text}"
        );
    }
}

#[test]
fn clean_text_trims_and_collapses() {
    assert_eq!(clean_text("  Асанбек   уулу "), Ok("Асанбек уулу".into()));
    assert_eq!(clean_text("   "), Err(Rule::Required));
    assert_eq!(clean_text("Асан\tбек"), Err(Rule::ControlCharacter));
    assert_eq!(clean_text("Асан\u{200B}бек"), Err(Rule::ControlCharacter));
    // "е" + combining diaeresis becomes the single letter "ё".
    assert_eq!(clean_text("Сем\u{0435}\u{0308}н"), Ok("Семён".into()));
}

#[test]
fn script_classes() {
    for c in ['а', 'Я', 'Ё', 'ё', 'Ң', 'ң', 'Ө', 'ө', 'Ү', 'ү', 'Җ'] {
        assert!(is_cyrillic_letter(c), "{c}");
    }
    for c in ['a', 'Z', 'é', 'ş', 'α', '-', '1', '\u{0482}'] {
        assert!(!is_cyrillic_letter(c), "{c}");
    }
}

#[test]
fn birth_date_rules() {
    let too_young = Err(Rule::TooYoung {
        min_age: MIN_AGE_YEARS,
    });
    let today = date!(2024 - 05 - 10);
    let cases = [
        (
            "2008-05-10",
            date!(2024 - 05 - 10),
            Ok(date!(2008 - 05 - 10)),
        ), // 16 today
        ("2008-05-10", date!(2024 - 05 - 09), too_young.clone()), // 16 tomorrow
        (
            "2008-02-29",
            date!(2024 - 02 - 29),
            Ok(date!(2008 - 02 - 29)),
        ),
        ("2008-02-29", date!(2024 - 02 - 28), too_young.clone()),
        // Born 29 Feb; in a common year (2100) the 16th birthday is 1 March.
        ("2084-02-29", date!(2100 - 02 - 28), too_young.clone()),
        (
            "2084-02-29",
            date!(2100 - 03 - 01),
            Ok(date!(2084 - 02 - 29)),
        ),
        (
            "2007-02-28",
            date!(2023 - 02 - 28),
            Ok(date!(2007 - 02 - 28)),
        ),
        ("2024-05-11", today, Err(Rule::InFuture)),
        ("1899-12-31", today, Err(Rule::BadDate)),
        ("1900-01-01", today, Ok(date!(1900 - 01 - 01))),
        (" 1990-05-15 ", today, Ok(date!(1990 - 05 - 15))),
        ("", today, Err(Rule::Required)),
        ("2009-02-29", today, Err(Rule::BadDate)),
        ("1990-02-30", today, Err(Rule::BadDate)),
        ("1990-13-01", today, Err(Rule::BadDate)),
        // As Kyrgyz and Russian write dates, strictly.
        ("15.05.1990", today, Ok(date!(1990 - 05 - 15))),
        ("30.02.1990", today, Err(Rule::BadDate)),
        ("5.05.1990", today, Err(Rule::BadDate)),
        ("15/05/1990", today, Err(Rule::BadDate)),
        ("1990-5-15", today, Err(Rule::BadDate)),
        ("19900515", today, Err(Rule::BadDate)),
        ("+1990-05-15", today, Err(Rule::BadDate)),
    ];
    for (raw, on, expected) in cases {
        assert_eq!(validate_birth_date(raw, on), expected, "{raw} on {on}");
    }
}
