//! UTC timestamps at one-second resolution, written `YYYY-MM-DDTHH:MM:SSZ` as FORMATS.md fixes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// A moment in UTC, whole seconds. Time is always passed in, never read inside the library rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time, truncated to the second. Only edges (CLI, GUI, session) call this.
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    /// Converts any date-time to UTC and drops sub-second precision.
    pub fn from_datetime(t: OffsetDateTime) -> Self {
        let t = t.to_offset(UtcOffset::UTC);
        Self(t.replace_nanosecond(0).expect("0 ns is valid"))
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(secs).ok().map(Self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(s: &str) -> Result<Self, time::error::Parse> {
        PrimitiveDateTime::parse(s, FORMAT).map(|t| Self(t.assume_utc()))
    }

    /// The calendar date in UTC.
    pub fn date(&self) -> time::Date {
        self.0.date()
    }

    /// This moment plus a number of seconds.
    pub fn plus_seconds(&self, secs: i64) -> Self {
        Self(self.0 + time::Duration::seconds(secs))
    }

    /// The underlying date-time.
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.format(FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(|e| serde::de::Error::custom(format!("timestamp '{s}': {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_and_parses_utc_seconds() {
        let t = Timestamp::from_datetime(datetime!(2026-11-27 09:15:30.75 +6));
        assert_eq!(t.to_string(), "2026-11-27T03:15:30Z");
        assert_eq!(Timestamp::parse("2026-11-27T03:15:30Z").unwrap(), t);
        assert!(Timestamp::parse("2026-11-27 03:15:30").is_err());
        assert_eq!(Timestamp::from_unix(t.unix()), Some(t));
    }
}
