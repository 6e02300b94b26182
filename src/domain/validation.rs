//! The vocabulary of refusals shared by every input check in the domain.
//!
//! A [`ValidationError`] names the field and the broken [`Rule`]; the UI turns it into a translated
//! message through [`ValidationError::message_id`] and [`ValidationError::message_args`], the CLI
//! prints its English `Display`. The minimum age rule lives here and nowhere else.

use std::fmt;

use time::{Date, Month};

/// Which input field an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Surname,
    GivenName,
    Patronymic,
    Sex,
    BirthDate,
    Pin,
    Region,
    District,
    Settlement,
    Street,
    House,
    Precinct,
    DocumentType,
    DocumentNumber,
    Language,
}

impl Field {
    /// The snake_case name, as in the citizen JSON and in message arguments.
    pub fn name(self) -> &'static str {
        match self {
            Field::Surname => "surname",
            Field::GivenName => "given_name",
            Field::Patronymic => "patronymic",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::Pin => "pin",
            Field::Region => "region",
            Field::District => "district",
            Field::Settlement => "settlement",
            Field::Street => "street",
            Field::House => "house",
            Field::Precinct => "precinct",
            Field::DocumentType => "document_type",
            Field::DocumentNumber => "document_number",
            Field::Language => "language",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which rule was broken, with the data needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The field is empty or missing.
    Required,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// Contains a control character (tab, newline, …).
    ControlCharacter,
    /// Contains a digit where none is allowed.
    Digits,
    /// Letters are Latin only, or of another non-Cyrillic script.
    NotCyrillic,
    /// Cyrillic letters mixed with Latin (or other) letters.
    MixedScripts,
    /// Punctuation or a symbol other than the allowed ones, or misplaced.
    BadCharacter,
    /// Not a real date in `YYYY-MM-DD`, or before 1900-01-01.
    BadDate,
    /// A date after the enrollment day.
    InFuture,
    /// Younger than `min_age` whole years on the enrollment day.
    TooYoung { min_age: u8 },
    /// A PIN that is not 14 characters long.
    PinLength,
    /// A PIN with a character other than an ASCII digit.
    PinNotDigits,
    /// A PIN whose first digit is not 1 or 2.
    PinSexDigit,
    /// A PIN whose digits 2–9 are not a real date DDMMYYYY (from 1900).
    PinBadDate,
    /// The PIN's sex digit disagrees with the sex entered.
    PinSexMismatch,
    /// The PIN's birth date disagrees with the birth date entered.
    PinBirthDateMismatch,
    /// Not one of the region codes.
    UnknownRegion,
    /// Not a district of the chosen region.
    UnknownDistrict,
    /// A precinct that is not exactly 4 digits.
    PrecinctFormat,
    /// A precinct this station does not serve (checked by the station, not the domain).
    PrecinctNotServed,
    /// Not one of the document types.
    UnknownDocumentType,
    /// A document number that does not fit its type.
    DocumentNumberFormat,
    /// Not one of the language codes.
    UnknownLanguage,
    /// Not "female" or "male".
    UnknownSex,
}

impl Rule {
    /// One of each rule, with example data: the one list of them, for the checks that every rule
    /// has its own message id and its words in every language. Add a new rule here too.
    pub const EVERY: [Rule; 24] = [
        Rule::Required,
        Rule::TooLong { max: 1 },
        Rule::ControlCharacter,
        Rule::Digits,
        Rule::NotCyrillic,
        Rule::MixedScripts,
        Rule::BadCharacter,
        Rule::BadDate,
        Rule::InFuture,
        Rule::TooYoung { min_age: 1 },
        Rule::PinLength,
        Rule::PinNotDigits,
        Rule::PinSexDigit,
        Rule::PinBadDate,
        Rule::PinSexMismatch,
        Rule::PinBirthDateMismatch,
        Rule::UnknownRegion,
        Rule::UnknownDistrict,
        Rule::PrecinctFormat,
        Rule::PrecinctNotServed,
        Rule::UnknownDocumentType,
        Rule::DocumentNumberFormat,
        Rule::UnknownLanguage,
        Rule::UnknownSex,
    ];
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::TooLong { max } => write!(f, "must be at most {max} characters"),
            Rule::ControlCharacter => f.write_str("must not contain control characters"),
            Rule::Digits => f.write_str("must not contain digits"),
            Rule::NotCyrillic => f.write_str("must be written in Cyrillic letters"),
            Rule::MixedScripts => f.write_str("must not mix Cyrillic and Latin letters"),
            Rule::BadCharacter => f.write_str("contains a character that is not allowed here"),
            Rule::BadDate => {
                f.write_str("must be a real date written YYYY-MM-DD or DD.MM.YYYY, not before 1900")
            }
            Rule::InFuture => f.write_str("must not be in the future"),
            Rule::TooYoung { min_age } => {
                write!(f, "the citizen must be at least {min_age} years old")
            }
            Rule::PinLength => f.write_str("must be exactly 14 digits"),
            Rule::PinNotDigits => f.write_str("must contain only digits"),
            Rule::PinSexDigit => f.write_str("must start with 1 (female) or 2 (male)"),
            Rule::PinBadDate => f.write_str("digits 2 to 9 must be a real birth date DDMMYYYY"),
            Rule::PinSexMismatch => f.write_str("does not match the sex entered"),
            Rule::PinBirthDateMismatch => f.write_str("does not match the birth date entered"),
            Rule::UnknownRegion => f.write_str("is not a known region"),
            Rule::UnknownDistrict => f.write_str("is not a district of the chosen region"),
            Rule::PrecinctFormat => f.write_str("must be exactly 4 digits"),
            Rule::PrecinctNotServed => f.write_str("is not served by this station"),
            Rule::UnknownDocumentType => f.write_str("must be id-card or passport"),
            Rule::DocumentNumberFormat => {
                f.write_str("does not fit the document type (ID, AN or AC and 7 digits)")
            }
            Rule::UnknownLanguage => f.write_str("must be ky, ru or en"),
            Rule::UnknownSex => f.write_str("must be female or male"),
        }
    }
}

/// One refused input: the field and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ValidationError {
    /// The field the error is about.
    pub field: Field,
    /// The rule it broke.
    pub rule: Rule,
}

impl ValidationError {
    /// An error about `field` breaking `rule`.
    pub fn new(field: Field, rule: Rule) -> Self {
        ValidationError { field, rule }
    }

    /// Fluent message id for the UI: `validation-<rule>`, one per [`Rule`] variant.
    pub fn message_id(&self) -> &'static str {
        match self.rule {
            Rule::Required => "validation-required",
            Rule::TooLong { .. } => "validation-too-long",
            Rule::ControlCharacter => "validation-control-character",
            Rule::Digits => "validation-digits",
            Rule::NotCyrillic => "validation-not-cyrillic",
            Rule::MixedScripts => "validation-mixed-scripts",
            Rule::BadCharacter => "validation-bad-character",
            Rule::BadDate => "validation-bad-date",
            Rule::InFuture => "validation-in-future",
            Rule::TooYoung { .. } => "validation-too-young",
            Rule::PinLength => "validation-pin-length",
            Rule::PinNotDigits => "validation-pin-not-digits",
            Rule::PinSexDigit => "validation-pin-sex-digit",
            Rule::PinBadDate => "validation-pin-bad-date",
            Rule::PinSexMismatch => "validation-pin-sex-mismatch",
            Rule::PinBirthDateMismatch => "validation-pin-birth-date-mismatch",
            Rule::UnknownRegion => "validation-unknown-region",
            Rule::UnknownDistrict => "validation-unknown-district",
            Rule::PrecinctFormat => "validation-precinct-format",
            Rule::PrecinctNotServed => "validation-precinct-not-served",
            Rule::UnknownDocumentType => "validation-unknown-document-type",
            Rule::DocumentNumberFormat => "validation-document-number-format",
            Rule::UnknownLanguage => "validation-unknown-language",
            Rule::UnknownSex => "validation-unknown-sex",
        }
    }

    /// Fluent arguments: always `field` (snake name), plus `max` or `min_age` where relevant.
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        let mut args = vec![("field", self.field.name().to_owned())];
        match self.rule {
            Rule::TooLong { max } => args.push(("max", max.to_string())),
            Rule::TooYoung { min_age } => args.push(("min_age", min_age.to_string())),
            _ => {}
        }
        args
    }
}

/// The minimum age to register, in whole years on the enrollment date. The only place this rule lives.
pub const MIN_AGE_YEARS: u8 = 16;

/// Age in whole years on `on` of someone born on `birth`.
///
/// A 29 February birthday counts as 1 March in non-leap years. Negative if `on` is before `birth`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let birthday_this_year = Date::from_calendar_date(on.year(), birth.month(), birth.day())
        .unwrap_or_else(|_| {
            // Only 29 February in a non-leap year can fail.
            Date::from_calendar_date(on.year(), Month::March, 1).expect("1 March always exists")
        });
    let years = on.year() - birth.year();
    if on < birthday_this_year {
        years - 1
    } else {
        years
    }
}

/// Parses a `YYYY-MM-DD` birth date and checks it against the enrollment day `today`.
///
/// Refuses a missing date ([`Rule::Required`]), a malformed one or one before 1900
/// ([`Rule::BadDate`]), one after `today` ([`Rule::InFuture`]) and anyone younger than
/// [`MIN_AGE_YEARS`] on `today` ([`Rule::TooYoung`]). Public so the GUI can check as you type.
pub fn validate_birth_date(raw: &str, today: Date) -> Result<Date, Rule> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Rule::Required);
    }
    let birth = parse_iso_date(raw)
        .or_else(|| parse_dotted_date(raw))
        .ok_or(Rule::BadDate)?;
    if birth > today {
        return Err(Rule::InFuture);
    }
    if birth.year() < 1900 {
        return Err(Rule::BadDate);
    }
    if age_on(birth, today) < i32::from(MIN_AGE_YEARS) {
        return Err(Rule::TooYoung {
            min_age: MIN_AGE_YEARS,
        });
    }
    Ok(birth)
}

/// Strict `YYYY-MM-DD`: four-digit year, two-digit month and day, a real calendar date.
fn parse_iso_date(raw: &str) -> Option<Date> {
    parse_fixed_date(raw, b'-', [4, 7], [0..4, 5..7, 8..10])
}

/// Strict `DD.MM.YYYY`, as Kyrgyz and Russian write dates: a real calendar date.
fn parse_dotted_date(raw: &str) -> Option<Date> {
    parse_fixed_date(raw, b'.', [2, 5], [6..10, 3..5, 0..2])
}

/// A ten-character date with `separator` at the positions `at` and digits elsewhere; `parts`
/// are where its year, month and day stand.
fn parse_fixed_date(
    raw: &str,
    separator: u8,
    at: [usize; 2],
    parts: [std::ops::Range<usize>; 3],
) -> Option<Date> {
    let bytes = raw.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if at.contains(&i) {
                *b == separator
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    let [year, month, day] = parts;
    let year: i32 = raw[year].parse().ok()?;
    let month: u8 = raw[month].parse().ok()?;
    let day: u8 = raw[day].parse().ok()?;
    Date::from_calendar_date(year, month.try_into().ok()?, day).ok()
}

/// Trims, NFC-normalises, refuses control characters and collapses whitespace runs to one space.
///
/// The common first step of every free-text check; `Required` if nothing is left.
pub(crate) fn clean_text(raw: &str) -> Result<String, Rule> {
    use unicode_normalization::UnicodeNormalization;

    let text: String = raw.trim().nfc().collect();
    if text.is_empty() {
        return Err(Rule::Required);
    }
    if text.chars().any(is_control) {
        return Err(Rule::ControlCharacter);
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Control characters, plus the invisible format characters that hide in pasted text.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
        || matches!(c, '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A letter of the Cyrillic block U+0400–U+04FF (Russian, Kyrgyz Ң Ө Ү and the rest).
pub(crate) fn is_cyrillic_letter(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c) && c.is_alphabetic()
}

#[cfg(test)]
mod tests;
