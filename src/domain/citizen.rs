//! The citizen being registered: raw input as typed, its validation, and the validated result.
//!
//! [`CitizenInput`] holds strings exactly as a registrar typed them (or as `person.json` gave them);
//! [`CitizenInput::validate`] returns either a [`Citizen`], which serialises to the `citizen` object
//! of FORMATS.md, or every [`ValidationError`] at once so the form can mark all bad fields.

use std::str::FromStr;

use time::Date;

use crate::domain::address::{Address, AddressInput, Precinct};
use crate::domain::document::{Document, DocumentInput};
use crate::domain::pin::Pin;
use crate::domain::validation::{
    Field, Rule, ValidationError, clean_text, is_cyrillic_letter, validate_birth_date,
};

/// Longest accepted personal name, in characters.
const NAME_MAX_CHARS: usize = 50;

/// Sex as recorded on the identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    /// The code used in the record: `female` or `male`.
    pub fn code(&self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

impl FromStr for Sex {
    type Err = Rule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "female" => Ok(Sex::Female),
            "male" => Ok(Sex::Male),
            _ => Err(Rule::UnknownSex),
        }
    }
}

/// The language the citizen chose for the session and the receipt, and the kiosk's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Kyrgyz.
    Ky,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Language {
    /// Every language, in the order the switcher shows them (Kyrgyz first, the default).
    pub const ALL: [Language; 3] = [Language::Ky, Language::Ru, Language::En];

    /// The code used in the record and for locale files: `ky`, `ru` or `en`.
    pub fn code(&self) -> &'static str {
        match self {
            Language::Ky => "ky",
            Language::Ru => "ru",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = Rule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ky" => Ok(Language::Ky),
            "ru" => Ok(Language::Ru),
            "en" => Ok(Language::En),
            _ => Err(Rule::UnknownLanguage),
        }
    }
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A validated citizen, exactly the `citizen` object of FORMATS.md when serialised with serde_json.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Citizen {
    /// Surname, Cyrillic, NFC.
    pub surname: String,
    /// Given name, Cyrillic, NFC.
    pub given_name: String,
    /// Patronymic (e.g. "Асанбек уулу"), `null` if the citizen has none.
    pub patronymic: Option<String>,
    /// Sex, agreeing with the PIN.
    pub sex: Sex,
    /// Birth date, `YYYY-MM-DD`, agreeing with the PIN.
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    /// Personal identification number.
    pub pin: Pin,
    /// Registered address.
    pub address: Address,
    /// Electoral precinct.
    pub precinct: Precinct,
    /// Identity document shown.
    pub document: Document,
    /// Chosen language.
    pub language: Language,
}

/// Raw text as typed (or read from `person.json` in the CLI); every field a string, missing = `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitizenInput {
    pub surname: Option<String>,
    pub given_name: Option<String>,
    pub patronymic: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub pin: Option<String>,
    pub address: Option<AddressInput>,
    pub precinct: Option<String>,
    pub document: Option<DocumentInput>,
    pub language: Option<String>,
}

/// "Surname Given Patronymic", the parts that are there, trimmed, one space apart: how a name is
/// written on a receipt, in a list and in a search.
pub fn full_name<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Citizen {
    /// The citizen's full name (see [`full_name`]).
    pub fn full_name(&self) -> String {
        full_name([
            Some(self.surname.as_str()),
            Some(self.given_name.as_str()),
            self.patronymic.as_deref(),
        ])
    }
}

impl CitizenInput {
    /// The name as typed (see [`full_name`]).
    pub fn full_name(&self) -> String {
        full_name([
            self.surname.as_deref(),
            self.given_name.as_deref(),
            self.patronymic.as_deref(),
        ])
    }

    /// Checks every field and returns all errors (not just the first), in field order.
    ///
    /// `today` is the enrollment date (injected; the domain never reads the clock). When sex, birth
    /// date and PIN are each valid, the PIN must agree with both (errors on [`Field::Pin`]).
    pub fn validate(&self, today: Date) -> Result<Citizen, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let e = &mut errors;

        let surname = keep(
            e,
            Field::Surname,
            validate_name(Field::Surname, text(&self.surname)),
        );
        let given_name = keep(
            e,
            Field::GivenName,
            validate_name(Field::GivenName, text(&self.given_name)),
        );
        let patronymic = match validate_name(Field::Patronymic, text(&self.patronymic)) {
            Err(Rule::Required) => Some(None),
            result => keep(e, Field::Patronymic, result.map(Some)),
        };
        let sex = keep(
            e,
            Field::Sex,
            required(&self.sex).and_then(str::parse::<Sex>),
        );
        let birth_date = keep(
            e,
            Field::BirthDate,
            validate_birth_date(text(&self.birth_date), today),
        );
        let pin = keep(e, Field::Pin, required(&self.pin).and_then(Pin::parse));
        if let Some(pin) = &pin {
            if sex.is_some_and(|sex| sex != pin.sex()) {
                e.push(ValidationError::new(Field::Pin, Rule::PinSexMismatch));
            }
            if birth_date.is_some_and(|birth| birth != pin.birth_date()) {
                e.push(ValidationError::new(Field::Pin, Rule::PinBirthDateMismatch));
            }
        }
        let address = self
            .address
            .as_ref()
            .map_or_else(
                || AddressInput::default().validate(),
                AddressInput::validate,
            )
            .map_err(|mut more| e.append(&mut more))
            .ok();
        let precinct = keep(
            e,
            Field::Precinct,
            required(&self.precinct).and_then(Precinct::parse),
        );
        let document = self
            .document
            .as_ref()
            .map_or_else(
                || DocumentInput::default().validate(),
                DocumentInput::validate,
            )
            .map_err(|mut more| e.append(&mut more))
            .ok();
        let language = keep(
            e,
            Field::Language,
            required(&self.language).and_then(str::parse::<Language>),
        );

        let fields = (surname, given_name, patronymic, sex, birth_date, pin);
        let parts = (address, precinct, document, language);
        match (fields, parts) {
            (
                (
                    Some(surname),
                    Some(given_name),
                    Some(patronymic),
                    Some(sex),
                    Some(birth_date),
                    Some(pin),
                ),
                (Some(address), Some(precinct), Some(document), Some(language)),
            ) if errors.is_empty() => Ok(Citizen {
                surname,
                given_name,
                patronymic,
                sex,
                birth_date,
                pin,
                address,
                precinct,
                document,
                language,
            }),
            _ => Err(errors),
        }
    }
}

/// The value of `result`, or `None` after recording its error against `field`.
fn keep<T>(errors: &mut Vec<ValidationError>, field: Field, result: Result<T, Rule>) -> Option<T> {
    result
        .map_err(|rule| errors.push(ValidationError::new(field, rule)))
        .ok()
}

/// The input text, or "" if missing.
fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// The trimmed input text, or [`Rule::Required`] if missing or blank.
fn required(value: &Option<String>) -> Result<&str, Rule> {
    match value.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Rule::Required),
    }
}

/// Validates one personal name (surname / given name / patronymic). Public so the GUI can
/// validate as you type.
///
/// Trims, NFC-normalises and collapses inner whitespace; keeps the letter case. Letters must be
/// Cyrillic; words may be joined by single spaces, hyphens or apostrophes (`'` or `’`), and the
/// name must start and end with a letter. An empty name is [`Rule::Required`] for every field;
/// the caller decides that an empty patronymic means "none".
pub fn validate_name(field: Field, raw: &str) -> Result<String, Rule> {
    // The rules are the same for every name field; `field` is kept for the GUI's call sites.
    let _ = field;
    let name = clean_text(raw)?;
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Rule::TooLong {
            max: NAME_MAX_CHARS,
        });
    }
    if name.chars().any(char::is_numeric) {
        return Err(Rule::Digits);
    }
    let letters = || name.chars().filter(|c| c.is_alphabetic());
    let has_cyrillic = letters().any(is_cyrillic_letter);
    let has_other = letters().any(|c| !is_cyrillic_letter(c));
    if has_cyrillic && has_other {
        return Err(Rule::MixedScripts);
    }
    if has_other {
        return Err(Rule::NotCyrillic);
    }
    let is_separator = |c: char| matches!(c, ' ' | '-' | '\'' | '’');
    let mut previous_was_letter = false;
    for c in name.chars() {
        if is_cyrillic_letter(c) {
            previous_was_letter = true;
        } else if is_separator(c) && previous_was_letter {
            previous_was_letter = false;
        } else {
            return Err(Rule::BadCharacter);
        }
    }
    if !previous_was_letter {
        return Err(Rule::BadCharacter);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
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
        let expected = "surname given_name sex birth_date pin region district settlement street \
                        house precinct document_type document_number language";
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
}
