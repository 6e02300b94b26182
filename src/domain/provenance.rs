//! Where a capture came from, and whether a record may carry it.
//!
//! Every frame, finger image and capture says which device made it and how far that device can be
//! trusted. Outside training mode a record is made only of captures from real devices: signed by
//! a certified SBI device, or taken by a device the station drives itself. Simulated devices and
//! unverified SBI data are for training; files given to `kattoo enroll` are for back-filling on a
//! station set up for it. The rule is [`Admission::admit`], and both the workflow (at capture)
//! and the station (at save) apply it.

/// How far a device's data can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Trust {
    /// Signed by an SBI device's certificate, and the signature checked by the client.
    Signed { certificate_sha256: String },
    /// A device the station drives itself: a USB camera, a libfprint scanner, the signature pad on
    /// the kiosk's own screen. There is nothing to sign; the station's hardware vouches.
    Attached,
    /// SBI data that was unsigned or whose signature failed, accepted only in training mode.
    Unverified { reason: String },
    /// A simulated device (fixture images).
    Simulated,
    /// A file given on the command line (`kattoo enroll`).
    File,
}

impl Trust {
    /// The name written to audit entries and the CLI.
    pub fn name(&self) -> &'static str {
        match self {
            Trust::Signed { .. } => "signed",
            Trust::Attached => "attached",
            Trust::Unverified { .. } => "unverified",
            Trust::Simulated => "simulated",
            Trust::File => "file",
        }
    }
}

/// A capture's origin: the device (`backend:serial`, as a record's `device` field says) and its
/// trust.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Provenance {
    pub device: String,
    pub trust: Trust,
}

impl Provenance {
    /// From a device the station drives itself.
    pub fn attached(device: impl Into<String>) -> Provenance {
        Provenance {
            device: device.into(),
            trust: Trust::Attached,
        }
    }

    /// From a simulated device.
    pub fn simulated(device: impl Into<String>) -> Provenance {
        Provenance {
            device: device.into(),
            trust: Trust::Simulated,
        }
    }

    /// From a file given to `kattoo enroll`; the record's `device` reads `file:back-fill`.
    pub fn back_fill() -> Provenance {
        Provenance {
            device: "file:back-fill".into(),
            trust: Trust::File,
        }
    }

    /// The backend part of the device id (`sbi`, `uvc`, `sim`, `file`, …).
    pub fn backend(&self) -> &str {
        self.device
            .split_once(':')
            .map_or(self.device.as_str(), |(b, _)| b)
    }
}

/// What a station accepts in a record, from its configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Admission {
    /// Training mode: every capture is accepted, and the record is never exported.
    pub training: bool,
    /// The station back-fills records from files (`[station] back_fill`).
    pub back_fill: bool,
}

/// Why a capture cannot be part of a record on this station.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    #[error("{device} is a simulated device; outside training mode only real devices count")]
    Simulated { device: String },
    #[error("{device} sent data whose signature could not be checked ({reason})")]
    Unverified { device: String, reason: String },
    #[error("captures from files are accepted only on a station set up for back-filling")]
    File,
}

impl Untrusted {
    /// The Fluent message id that says what to do.
    pub fn message_id(&self) -> &'static str {
        match self {
            Untrusted::Simulated { .. } => "capture-untrusted-simulated",
            Untrusted::Unverified { .. } => "capture-untrusted-unverified",
            Untrusted::File => "capture-untrusted-file",
        }
    }

    /// The device the refusal is about (the message's `$device`).
    pub fn device(&self) -> &str {
        match self {
            Untrusted::Simulated { device } | Untrusted::Unverified { device, .. } => device,
            Untrusted::File => "file",
        }
    }
}

impl Admission {
    /// Whether a capture from `source` may be part of a record here.
    pub fn admit(self, source: &Provenance) -> Result<(), Untrusted> {
        match &source.trust {
            _ if self.training => Ok(()),
            Trust::Signed { .. } | Trust::Attached => Ok(()),
            Trust::File if self.back_fill => Ok(()),
            Trust::File => Err(Untrusted::File),
            Trust::Simulated => Err(Untrusted::Simulated {
                device: source.device.clone(),
            }),
            Trust::Unverified { reason } => Err(Untrusted::Unverified {
                device: source.device.clone(),
                reason: reason.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_trust() -> Vec<Provenance> {
        vec![
            Provenance {
                device: "sbi:FP-1".into(),
                trust: Trust::Signed {
                    certificate_sha256: "ab".into(),
                },
            },
            Provenance::attached("uvc:0"),
            Provenance {
                device: "sbi:FP-2".into(),
                trust: Trust::Unverified {
                    reason: "the data is not signed".into(),
                },
            },
            Provenance::simulated("sim:FP-0001"),
            Provenance::back_fill(),
        ]
    }

    #[test]
    fn training_admits_everything() {
        let training = Admission {
            training: true,
            back_fill: false,
        };
        for p in every_trust() {
            assert_eq!(training.admit(&p), Ok(()), "{p:?}");
        }
    }

    #[test]
    fn outside_training_only_real_devices_and_back_filled_files_where_set_up() {
        let field = Admission::default();
        let admitted: Vec<&str> = every_trust()
            .iter()
            .filter(|p| field.admit(p).is_ok())
            .map(|p| p.trust.name())
            .collect();
        assert_eq!(admitted, ["signed", "attached"]);
        assert_eq!(
            field.admit(&Provenance::simulated("sim:FP-0001")),
            Err(Untrusted::Simulated {
                device: "sim:FP-0001".into()
            })
        );
        assert_eq!(field.admit(&Provenance::back_fill()), Err(Untrusted::File));

        let back_fill = Admission {
            training: false,
            back_fill: true,
        };
        let admitted: Vec<&str> = every_trust()
            .iter()
            .filter(|p| back_fill.admit(p).is_ok())
            .map(|p| p.trust.name())
            .collect();
        assert_eq!(admitted, ["signed", "attached", "file"]);
    }

    #[test]
    fn the_backend_is_the_device_ids_prefix() {
        assert_eq!(Provenance::back_fill().backend(), "file");
        assert_eq!(Provenance::simulated("sim:FP-0001").backend(), "sim");
        assert_eq!(Provenance::attached("pad").backend(), "pad");
    }
}
