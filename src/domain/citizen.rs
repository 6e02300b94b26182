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
mod tests;
