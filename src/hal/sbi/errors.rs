//! SBI error codes (MOSIP SBI 0.9.5, "Error Codes": 100–112 and vendor 5xx) mapped to the
//! [`ErrorKind`] the workflow acts on, with the sentence an operator reads and the Fluent message
//! id that translates it (`sbi-error-<code>`, `sbi-error-vendor`, `sbi-error-unknown`).

use crate::hal::{DeviceError, ErrorKind};

/// One SBI error code with what kattoo does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SbiErrorCode(pub u16);

impl SbiErrorCode {
    /// Parses the `errorCode` string of a response ("101", " 111 ").
    pub fn parse(s: &str) -> Option<Self> {
        s.trim().parse().ok().map(Self)
    }

    /// What the workflow does: retry later, ask for a better placement, give up, …
    pub fn kind(self) -> ErrorKind {
        match self.0 {
            101 | 105 => ErrorKind::PoorQuality,
            106 => ErrorKind::Disconnected,
            109 => ErrorKind::NotSupported,
            110 | 111 => ErrorKind::Busy,
            _ => ErrorKind::Other,
        }
    }

    /// The Fluent message id of the operator text.
    pub fn message_id(self) -> &'static str {
        match self.0 {
            100 => "sbi-error-100",
            101 => "sbi-error-101",
            102 => "sbi-error-102",
            103 => "sbi-error-103",
            104 => "sbi-error-104",
            105 => "sbi-error-105",
            106 => "sbi-error-106",
            107 => "sbi-error-107",
            108 => "sbi-error-108",
            109 => "sbi-error-109",
            110 => "sbi-error-110",
            111 => "sbi-error-111",
            112 => "sbi-error-112",
            500..=599 => "sbi-error-vendor",
            _ => "sbi-error-unknown",
        }
    }

    /// The English operator text: what happened and what to do next.
    pub fn operator_text(self) -> &'static str {
        match self.0 {
            100 => "The scanner is not registered — call the technician to register it.",
            101 => "No finger or face was detected — place it on the scanner again and hold still.",
            102 => "The scanner could not process the image — try the capture again.",
            103 => "The scanner reports tampering — stop using it and call the supervisor.",
            104 => "The scanner cannot reach its management server — call the technician.",
            105 => {
                "Wrong hand or orientation — check which fingers are asked for and place them upright."
            }
            106 => "The scanner is not connected — plug it back in and try again.",
            107 => "The scanner's key has expired — call the technician to renew it.",
            108 => "The scanner is missing its domain key — call the technician.",
            109 => {
                "The scanner cannot capture this number of fingers — check the missing fingers and try again."
            }
            110 => "The scanner is not ready yet — wait a moment and try again.",
            111 => "The scanner is busy with another capture — wait a moment and try again.",
            112 => {
                "The scanner refused the request — try the capture again; if it repeats, call the technician."
            }
            500..=599 => {
                "The scanner reported a device-specific error — try again; if it repeats, call the technician."
            }
            _ => {
                "The scanner reported an unknown error — try again; if it repeats, call the technician."
            }
        }
    }

    /// The device error for this code; `info` is the device's own `errorInfo`, kept for technicians.
    pub fn to_device_error(self, info: &str) -> DeviceError {
        let info: String = info.chars().filter(|c| !c.is_control()).take(200).collect();
        DeviceError::new(
            self.kind(),
            format!(
                "sbi error {} ({}): {} [device says: {info}]",
                self.0,
                self.message_id(),
                self.operator_text()
            ),
        )
    }
}

/// The device error for an `errorCode`/`errorInfo` pair, including codes that are not numbers.
pub fn device_error(code: &str, info: &str) -> DeviceError {
    match SbiErrorCode::parse(code) {
        Some(c) => c.to_device_error(info),
        None => DeviceError::new(
            ErrorKind::Other,
            format!("sbi error {code:?} (sbi-error-unknown): {info}"),
        ),
    }
}

/// The Fluent message id and English text of a device error message built by this module, for
/// screens that want the specific SBI sentence rather than the generic per-kind one.
pub fn operator_message(err: &DeviceError) -> Option<(&'static str, &'static str)> {
    let rest = err.message().strip_prefix("sbi error ")?;
    let code = SbiErrorCode::parse(rest.split_whitespace().next()?)?;
    Some((code.message_id(), code.operator_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_specified_code_has_a_kind_and_a_message() {
        let expect = [
            (100, ErrorKind::Other),
            (101, ErrorKind::PoorQuality),
            (102, ErrorKind::Other),
            (103, ErrorKind::Other),
            (104, ErrorKind::Other),
            (105, ErrorKind::PoorQuality),
            (106, ErrorKind::Disconnected),
            (107, ErrorKind::Other),
            (108, ErrorKind::Other),
            (109, ErrorKind::NotSupported),
            (110, ErrorKind::Busy),
            (111, ErrorKind::Busy),
            (112, ErrorKind::Other),
            (503, ErrorKind::Other),
        ];
        for (code, kind) in expect {
            let c = SbiErrorCode(code);
            assert_eq!(c.kind(), kind, "code {code}");
            assert!(
                c.operator_text().contains(" — "),
                "code {code} says what to do"
            );
            let e = c.to_device_error("vendor text");
            assert_eq!(
                operator_message(&e),
                Some((c.message_id(), c.operator_text()))
            );
        }
        assert_eq!(SbiErrorCode(503).message_id(), "sbi-error-vendor");
        assert_eq!(SbiErrorCode(42).message_id(), "sbi-error-unknown");
    }

    #[test]
    fn odd_codes_are_errors_not_panics() {
        assert_eq!(device_error("abc", "x").kind(), ErrorKind::Other);
        assert_eq!(device_error(" 111 ", "busy").kind(), ErrorKind::Busy);
        assert!(operator_message(&DeviceError::new(ErrorKind::Other, "other")).is_none());
    }
}
