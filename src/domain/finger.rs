//! Finger positions (ISO/IEC 19794-4 codes 1–10) and the reasons a finger can be missing.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the ten fingers, numbered as ISO/IEC 19794-4 finger position codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum FingerPosition {
    RightThumb = 1,
    RightIndex = 2,
    RightMiddle = 3,
    RightRing = 4,
    RightLittle = 5,
    LeftThumb = 6,
    LeftIndex = 7,
    LeftMiddle = 8,
    LeftRing = 9,
    LeftLittle = 10,
}

impl FingerPosition {
    /// All ten positions in ISO order.
    pub const ALL: [FingerPosition; 10] = [
        Self::RightThumb,
        Self::RightIndex,
        Self::RightMiddle,
        Self::RightRing,
        Self::RightLittle,
        Self::LeftThumb,
        Self::LeftIndex,
        Self::LeftMiddle,
        Self::LeftRing,
        Self::LeftLittle,
    ];

    /// The ISO/IEC 19794-4 position code (1–10).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The command-line and message name, e.g. `right-index`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RightThumb => "right-thumb",
            Self::RightIndex => "right-index",
            Self::RightMiddle => "right-middle",
            Self::RightRing => "right-ring",
            Self::RightLittle => "right-little",
            Self::LeftThumb => "left-thumb",
            Self::LeftIndex => "left-index",
            Self::LeftMiddle => "left-middle",
            Self::LeftRing => "left-ring",
            Self::LeftLittle => "left-little",
        }
    }
}

impl From<FingerPosition> for u8 {
    fn from(p: FingerPosition) -> u8 {
        p.code()
    }
}

impl TryFrom<u8> for FingerPosition {
    type Error = String;
    fn try_from(code: u8) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .ok_or_else(|| format!("finger position {code} is not an ISO/IEC 19794-4 code 1-10"))
    }
}

impl FromStr for FingerPosition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            format!("unknown finger '{s}': use right-thumb, right-index, right-middle, right-ring, right-little, left-thumb, … left-little")
        })
    }
}

impl fmt::Display for FingerPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a finger could not be captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExceptionReason {
    Amputated,
    Bandaged,
    Scarred,
    Unable,
}

impl ExceptionReason {
    /// The record's spelling of the reason.
    pub fn name(self) -> &'static str {
        match self {
            Self::Amputated => "amputated",
            Self::Bandaged => "bandaged",
            Self::Scarred => "scarred",
            Self::Unable => "unable",
        }
    }
}

impl FromStr for ExceptionReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Self::Amputated, Self::Bandaged, Self::Scarred, Self::Unable]
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| {
                format!("unknown missing-finger reason '{s}': use amputated, bandaged, scarred or unable")
            })
    }
}

/// A finger that is recorded as missing, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerException {
    pub position: FingerPosition,
    pub reason: ExceptionReason,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_by_code_and_name() {
        for p in FingerPosition::ALL {
            assert_eq!(FingerPosition::try_from(p.code()), Ok(p));
            assert_eq!(p.name().parse::<FingerPosition>(), Ok(p));
        }
        assert!(FingerPosition::try_from(0).is_err());
        assert!(FingerPosition::try_from(11).is_err());
        assert!("right-pinky".parse::<FingerPosition>().is_err());
    }

    #[test]
    fn exception_serialises_as_in_formats() {
        let e = FingerException {
            position: FingerPosition::LeftLittle,
            reason: ExceptionReason::Amputated,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"position":10,"reason":"amputated"}"#
        );
    }
}
