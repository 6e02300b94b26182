//! The identity document a citizen shows at registration, and its number format.
//!
//! Registrars often type a document number on a Cyrillic keyboard layout, so the look-alike
//! letters А, Н, С (and І) are mapped to Latin before the format is checked.

use std::str::FromStr;

use crate::domain::validation::{Field, Rule, ValidationError};

/// Digits after the two-letter prefix of every document number.
const NUMBER_DIGITS: usize = 7;

/// A validated identity document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Document {
    /// The kind of document.
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// The normalised number, e.g. `ID1234567`.
    pub number: String,
}

/// The kinds of identity document accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentType {
    /// Kyrgyz ID card (2017 on): "ID" and 7 digits.
    IdCard,
    /// Old-format Kyrgyz passport: "AN" or "AC" and 7 digits.
    Passport,
}

impl DocumentType {
    /// The code used in the record: `id-card` or `passport`.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentType::IdCard => "id-card",
            DocumentType::Passport => "passport",
        }
    }

    /// The two-letter prefixes a number of this type may start with.
    fn prefixes(&self) -> &'static [&'static str] {
        match self {
            DocumentType::IdCard => &["ID"],
            DocumentType::Passport => &["AN", "AC"],
        }
    }

    /// Whether a normalised number fits this type.
    pub fn accepts(&self, number: &str) -> bool {
        self.prefixes().iter().any(|prefix| {
            number.strip_prefix(prefix).is_some_and(|digits| {
                digits.len() == NUMBER_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())
            })
        })
    }
}

impl FromStr for DocumentType {
    type Err = Rule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id-card" => Ok(DocumentType::IdCard),
            "passport" => Ok(DocumentType::Passport),
            _ => Err(Rule::UnknownDocumentType),
        }
    }
}

/// Document fields as typed; missing = `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// `id-card` or `passport`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The number as typed.
    pub number: Option<String>,
}

impl DocumentInput {
    /// Checks type and number, returning all errors in field order.
    ///
    /// When the type is unknown, the number is still checked against every known format.
    pub fn validate(&self) -> Result<Document, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => Err(Rule::Required),
            Some(kind) => kind.parse::<DocumentType>(),
        };
        let number = match self.number.as_deref().map(normalize_number) {
            None => Err(Rule::Required),
            Some(number) if number.is_empty() => Err(Rule::Required),
            Some(number) => {
                let fits = match kind {
                    Ok(kind) => kind.accepts(&number),
                    Err(_) => [DocumentType::IdCard, DocumentType::Passport]
                        .iter()
                        .any(|kind| kind.accepts(&number)),
                };
                if fits {
                    Ok(number)
                } else {
                    Err(Rule::DocumentNumberFormat)
                }
            }
        };
        let kind =
            kind.map_err(|rule| errors.push(ValidationError::new(Field::DocumentType, rule)));
        let number =
            number.map_err(|rule| errors.push(ValidationError::new(Field::DocumentNumber, rule)));
        match (kind, number) {
            (Ok(kind), Ok(number)) => Ok(Document { kind, number }),
            _ => Err(errors),
        }
    }
}

/// Uppercases, drops all whitespace and maps Cyrillic look-alikes (А Н С І) to Latin.
pub fn normalize_number(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'А' => 'A',
            'Н' => 'N',
            'С' => 'C',
            'І' => 'I',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, number: &str) -> Result<Document, Vec<ValidationError>> {
        DocumentInput {
            kind: Some(kind.into()),
            number: Some(number.into()),
        }
        .validate()
    }

    fn rules(result: Result<Document, Vec<ValidationError>>) -> Vec<(Field, Rule)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    #[test]
    fn accepts_id_cards_and_passports() {
        let d = doc("id-card", "ID1234567").unwrap();
        assert_eq!(
            (d.kind, d.number.as_str()),
            (DocumentType::IdCard, "ID1234567")
        );
        let d = doc("passport", "AN1234567").unwrap();
        assert_eq!(
            (d.kind, d.number.as_str()),
            (DocumentType::Passport, "AN1234567")
        );
        assert_eq!(doc("passport", "AC7654321").unwrap().number, "AC7654321");
    }

    #[test]
    fn normalises_case_spaces_and_cyrillic_look_alikes() {
        assert_eq!(doc("id-card", " id 123 4567 ").unwrap().number, "ID1234567");
        assert_eq!(doc("passport", "ан1234567").unwrap().number, "AN1234567");
        assert_eq!(doc("passport", "АС 1234567").unwrap().number, "AC1234567");
        assert_eq!(normalize_number("Ан 12"), "AN12");
    }

    #[test]
    fn refuses_numbers_that_do_not_fit_the_type() {
        for (kind, number) in [
            ("id-card", "AN1234567"),
            ("id-card", "ID123456"),
            ("id-card", "ID12345678"),
            ("id-card", "ID12345X7"),
            ("passport", "ID1234567"),
            ("passport", "AB1234567"),
            ("passport", "AN123456"),
            ("passport", "1234567"),
        ] {
            assert_eq!(
                rules(doc(kind, number)),
                [(Field::DocumentNumber, Rule::DocumentNumberFormat)],
                "{kind} {number}"
            );
        }
    }

    #[test]
    fn unknown_or_missing_type() {
        assert_eq!(
            rules(doc("driving-licence", "ID1234567")),
            [(Field::DocumentType, Rule::UnknownDocumentType)]
        );
        assert_eq!(
            rules(doc("", "XY1")),
            [
                (Field::DocumentType, Rule::Required),
                (Field::DocumentNumber, Rule::DocumentNumberFormat)
            ]
        );
        assert_eq!(
            rules(DocumentInput::default().validate()),
            [
                (Field::DocumentType, Rule::Required),
                (Field::DocumentNumber, Rule::Required)
            ]
        );
        assert_eq!(
            rules(doc("passport", "   ")),
            [(Field::DocumentNumber, Rule::Required)]
        );
    }

    #[test]
    fn serde_shapes() {
        let d = doc("id-card", "ID1234567").unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"type":"id-card","number":"ID1234567"}"#
        );
        let input: DocumentInput =
            serde_json::from_str(r#"{"type":"passport","number":"AN1"}"#).unwrap();
        assert_eq!(input.kind.as_deref(), Some("passport"));
        assert!(serde_json::from_str::<DocumentInput>(r#"{"kind":"passport"}"#).is_err());
        assert_eq!(
            "passport".parse::<DocumentType>(),
            Ok(DocumentType::Passport)
        );
        assert_eq!(DocumentType::IdCard.code(), "id-card");
    }
}
