//! The Kyrgyz personal identification number (ПИН / ИНН), which also encodes sex and birth date.
//!
//! A [`Pin`] can only be built through [`Pin::parse`], so holding one means its digits are valid.
//! It has no `Display` and its `Debug` is masked, so a PIN never reaches a log by accident.

use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

use crate::domain::citizen::Sex;
use crate::domain::validation::Rule;

/// Number of digits in a PIN.
const PIN_LEN: usize = 14;
/// Earliest birth year a PIN may encode.
const MIN_YEAR: i32 = 1900;

/// The 14-digit personal identification number (ПИН / ИНН).
///
/// Digit 1: 1 = female, 2 = male; digits 2–9: birth date DDMMYYYY; digits 10–14: serial.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pin(String);

impl Pin {
    /// Parses a PIN, trimming surrounding whitespace.
    ///
    /// Refuses with [`Rule::PinLength`], [`Rule::PinNotDigits`], [`Rule::PinSexDigit`] or
    /// [`Rule::PinBadDate`] (digits 2–9 not a real date from 1900 on), checked in that order.
    pub fn parse(raw: &str) -> Result<Pin, Rule> {
        let digits = raw.trim();
        if digits.chars().count() != PIN_LEN {
            return Err(Rule::PinLength);
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Rule::PinNotDigits);
        }
        if !matches!(digits.as_bytes()[0], b'1' | b'2') {
            return Err(Rule::PinSexDigit);
        }
        encoded_date(digits).ok_or(Rule::PinBadDate)?;
        Ok(Pin(digits.to_owned()))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sex encoded in the first digit.
    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[0] == b'1' {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// The birth date encoded in digits 2–9.
    pub fn birth_date(&self) -> Date {
        encoded_date(&self.0).expect("a parsed PIN holds a valid date")
    }

    /// The PIN with all but the last 4 digits hidden, for messages: `**********1234`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Any PIN-like text with all but its last 4 characters hidden, for messages and logs: the one
/// masking rule, also for PINs read from a batch that were never parsed here.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let keep = chars.len().saturating_sub(4);
    "*".repeat(keep) + &chars[keep..].iter().collect::<String>()
}

/// The date DDMMYYYY in digits 2–9 of an all-ASCII-digit, 14-character PIN.
fn encoded_date(digits: &str) -> Option<Date> {
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u16>().ok();
    let day = u8::try_from(number(1..3)?).ok()?;
    let month = Month::try_from(u8::try_from(number(3..5)?).ok()?).ok()?;
    let year = i32::from(number(5..9)?);
    if year < MIN_YEAR {
        return None;
    }
    Date::from_calendar_date(year, month, day).ok()
}

impl FromStr for Pin {
    type Err = Rule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pin::parse(s)
    }
}

impl TryFrom<String> for Pin {
    type Error = Rule;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Pin::parse(&value)
    }
}

impl From<Pin> for String {
    fn from(pin: Pin) -> String {
        pin.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pin").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn parses_valid_pins() {
        let pin = Pin::parse("  21505199012345 ").unwrap();
        assert_eq!(pin.as_str(), "21505199012345");
        assert_eq!(pin.sex(), Sex::Male);
        assert_eq!(pin.birth_date(), date!(1990 - 05 - 15));
        let pin: Pin = "12902200400017".parse().unwrap();
        assert_eq!(pin.sex(), Sex::Female);
        assert_eq!(pin.birth_date(), date!(2004 - 02 - 29));
    }

    #[test]
    fn refuses_wrong_length() {
        assert_eq!(Pin::parse(""), Err(Rule::PinLength));
        assert_eq!(Pin::parse("2150519901234"), Err(Rule::PinLength));
        assert_eq!(Pin::parse("215051990123456"), Err(Rule::PinLength));
        assert_eq!(Pin::parse("2150 519901234"), Err(Rule::PinNotDigits));
    }

    #[test]
    fn refuses_non_digits() {
        assert_eq!(Pin::parse("2150519901234a"), Err(Rule::PinNotDigits));
        assert_eq!(Pin::parse("-2150519901234"), Err(Rule::PinNotDigits));
        // Arabic-Indic digits are digits, but not ASCII ones.
        assert_eq!(Pin::parse("2150519901234٥"), Err(Rule::PinNotDigits));
    }

    #[test]
    fn refuses_bad_sex_digit() {
        for first in ['0', '3', '9'] {
            let raw = format!("{first}1505199012345");
            assert_eq!(Pin::parse(&raw), Err(Rule::PinSexDigit), "{raw}");
        }
    }

    #[test]
    fn refuses_impossible_dates() {
        assert_eq!(Pin::parse("23102199012345"), Err(Rule::PinBadDate)); // 31 02
        assert_eq!(Pin::parse("12902200100012"), Err(Rule::PinBadDate)); // 29 02 2001
        assert_eq!(Pin::parse("10013199012345"), Err(Rule::PinBadDate)); // month 13
        assert_eq!(Pin::parse("10000199012345"), Err(Rule::PinBadDate)); // day 00
        assert_eq!(Pin::parse("13204199012345"), Err(Rule::PinBadDate)); // 32 04
        assert_eq!(Pin::parse("10101189912345"), Err(Rule::PinBadDate)); // before 1900
        assert!(Pin::parse("10101190012345").is_ok());
    }

    #[test]
    fn debug_is_masked_and_serde_is_plain() {
        let pin = Pin::parse("21505199012345").unwrap();
        assert_eq!(pin.masked(), "**********2345");
        let debug = format!("{pin:?}");
        assert_eq!(debug, "Pin(\"**********2345\")");
        assert!(!debug.contains("1505"));
        assert_eq!(serde_json::to_string(&pin).unwrap(), "\"21505199012345\"");
        let back: Pin = serde_json::from_str("\"21505199012345\"").unwrap();
        assert_eq!(back, pin);
        assert!(serde_json::from_str::<Pin>("\"23102199012345\"").is_err());
    }

    proptest! {
        #[test]
        fn valid_pins_round_trip(
            julian in date!(1900 - 01 - 01).to_julian_day()..=date!(2099 - 12 - 31).to_julian_day(),
            male in any::<bool>(),
            serial in 0u32..100_000,
        ) {
            let birth = Date::from_julian_day(julian).unwrap();
            let raw = format!(
                "{}{:02}{:02}{:04}{:05}",
                if male { 2 } else { 1 },
                birth.day(),
                u8::from(birth.month()),
                birth.year(),
                serial,
            );
            let pin = Pin::parse(&raw).unwrap();
            prop_assert_eq!(pin.as_str(), raw.as_str());
            prop_assert_eq!(pin.sex(), if male { Sex::Male } else { Sex::Female });
            prop_assert_eq!(pin.birth_date(), birth);
            prop_assert!(pin.masked().ends_with(&raw[10..]));
        }
    }
}
