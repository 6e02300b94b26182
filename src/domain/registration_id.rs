//! Station ids and registration ids: `<station_id>-<sequence, 6 digits>-<YYYYMMDD>-<Damm check digit>`.
//!
//! The Damm check digit covers every digit before it, so any single mistyped digit and any swap of
//! two adjacent digits is caught when a registrar reads an id back over the phone.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A station identifier, `[A-Z0-9]{2,12}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StationId(String);

impl StationId {
    /// Checks the `[A-Z0-9]{2,12}` form.
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = (2..=12).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "station id '{s}' is not valid: use 2-12 characters A-Z or 0-9, e.g. KG1101"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        StationId::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for StationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Damm quasigroup of order 10 (weakly totally anti-symmetric).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of the decimal digits in `text` (other characters are skipped).
pub fn damm_check_digit(text: &str) -> u8 {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u8, |interim, b| {
            DAMM[interim as usize][(b - b'0') as usize]
        })
}

/// Why a text is not a registration id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationIdError {
    #[error("registration id '{0}' is not of the form STATION-000042-YYYYMMDD-C")]
    Shape(String),
    #[error("registration id '{0}': the check digit does not match — the id was mistyped")]
    CheckDigit(String),
}

/// The highest record sequence number a station can give (six digits).
pub const MAX_SEQUENCE: u64 = 999_999;

/// A registration id, e.g. `KG1101-000042-20261127-0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationId {
    text: String,
    station: StationId,
    sequence: u64,
    date: time::Date,
}

impl RegistrationId {
    /// Builds the id of record `sequence` (1..=999_999) created on `date` at `station`.
    pub fn new(station: &StationId, sequence: u64, date: time::Date) -> Self {
        assert!(
            (1..=MAX_SEQUENCE).contains(&sequence),
            "sequence {sequence} out of range"
        );
        let body = format!(
            "{}-{:06}-{:04}{:02}{:02}",
            station,
            sequence,
            date.year(),
            date.month() as u8,
            date.day()
        );
        let check = damm_check_digit(&body);
        Self {
            text: format!("{body}-{check}"),
            station: station.clone(),
            sequence,
            date,
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The station that issued it.
    pub fn station(&self) -> &StationId {
        &self.station
    }

    /// The station's record sequence number.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The enrollment date.
    pub fn date(&self) -> time::Date {
        self.date
    }
}

impl FromStr for RegistrationId {
    type Err = RegistrationIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape = || RegistrationIdError::Shape(s.to_owned());
        let mut parts = s.rsplitn(4, '-');
        let (check, date, seq, station) =
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(c), Some(d), Some(q), Some(st)) => (c, d, q, st),
                _ => return Err(shape()),
            };
        let all_digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(check, 1) || !all_digits(date, 8) || !all_digits(seq, 6) {
            return Err(shape());
        }
        let station = StationId::parse(station).map_err(|_| shape())?;
        let sequence: u64 = seq.parse().map_err(|_| shape())?;
        let month = time::Month::try_from(date[4..6].parse::<u8>().map_err(|_| shape())?)
            .map_err(|_| shape())?;
        let date = time::Date::from_calendar_date(
            date[..4].parse().map_err(|_| shape())?,
            month,
            date[6..].parse().map_err(|_| shape())?,
        )
        .map_err(|_| shape())?;
        if sequence == 0 {
            return Err(shape());
        }
        let id = RegistrationId::new(&station, sequence, date);
        if id.text != s {
            return Err(RegistrationIdError::CheckDigit(s.to_owned()));
        }
        Ok(id)
    }
}

impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for RegistrationId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for RegistrationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn damm_known_vector() {
        // The textbook example: 572 has check digit 4.
        assert_eq!(damm_check_digit("572"), 4);
        assert_eq!(damm_check_digit("5724"), 0);
    }

    #[test]
    fn damm_table_is_a_quasigroup_with_zero_diagonal() {
        for i in 0..10 {
            let mut row: Vec<u8> = DAMM[i].to_vec();
            let mut col: Vec<u8> = DAMM.iter().map(|r| r[i]).collect();
            row.sort();
            col.sort();
            assert_eq!(row, (0..10).collect::<Vec<u8>>(), "row {i}");
            assert_eq!(col, (0..10).collect::<Vec<u8>>(), "column {i}");
            assert_eq!(DAMM[i][i], 0, "diagonal {i}");
        }
    }

    #[test]
    fn builds_and_parses() {
        let st = StationId::parse("KG1101").unwrap();
        let id = RegistrationId::new(&st, 42, date!(2026 - 11 - 27));
        assert!(id.as_str().starts_with("KG1101-000042-20261127-"));
        let back: RegistrationId = id.as_str().parse().unwrap();
        assert_eq!(back, id);
        assert_eq!(back.sequence(), 42);
    }

    #[test]
    fn refuses_bad_shapes() {
        for bad in [
            "",
            "KG1101",
            "KG1101-42-20261127-1",
            "kg1101-000042-20261127-1",
            "KG1101-000042-20261327-1",
            "KG1101-000000-20261127-0",
        ] {
            assert!(bad.parse::<RegistrationId>().is_err(), "{bad}");
        }
        assert!(StationId::parse("K").is_err());
        assert!(StationId::parse("KG-1").is_err());
        assert!(StationId::parse("ABCDEFGHIJKLM").is_err());
    }

    fn digits() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0u8..10, 2..30)
    }

    fn text(d: &[u8]) -> String {
        d.iter().map(|x| char::from(b'0' + x)).collect()
    }

    proptest! {
        #[test]
        fn catches_every_single_digit_error(d in digits(), i in any::<prop::sample::Index>(), delta in 1u8..10) {
            let mut changed = d.clone();
            let i = i.index(d.len());
            changed[i] = (changed[i] + delta) % 10;
            let c = damm_check_digit(&text(&d));
            prop_assert_ne!(damm_check_digit(&format!("{}{c}", text(&changed))), 0);
            prop_assert_eq!(damm_check_digit(&format!("{}{c}", text(&d))), 0);
        }

        #[test]
        fn catches_every_adjacent_swap(d in digits(), i in any::<prop::sample::Index>()) {
            let i = i.index(d.len() - 1);
            prop_assume!(d[i] != d[i + 1]);
            let mut swapped = d.clone();
            swapped.swap(i, i + 1);
            let c = damm_check_digit(&text(&d));
            prop_assert_ne!(damm_check_digit(&format!("{}{c}", text(&swapped))), 0);
        }

        #[test]
        fn registration_id_refuses_any_typo(seq in 1u64..=999_999, day in 0i64..20_000, pos in any::<prop::sample::Index>(), delta in 1u8..10) {
            let st = StationId::parse("KG1101").unwrap();
            let date = date!(1990 - 01 - 01) + time::Duration::days(day);
            let id = RegistrationId::new(&st, seq, date);
            let mut bytes = id.as_str().as_bytes().to_vec();
            let digit_positions: Vec<usize> = (0..bytes.len()).filter(|&k| bytes[k].is_ascii_digit()).collect();
            let k = digit_positions[pos.index(digit_positions.len())];
            bytes[k] = b'0' + (bytes[k] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(typo.parse::<RegistrationId>().is_err());
        }
    }
}
