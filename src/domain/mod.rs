//! The citizen, the Kyrgyz identity rules and the enrollment record, with no I/O.
//!
//! Everything a registrar types is validated here, so the CLI and the GUI refuse the same inputs
//! with the same, translatable, [`validation::ValidationError`].

pub mod address;
pub mod biometric;
pub mod citizen;
pub mod document;
pub mod enrollment;
pub mod finger;
pub mod imaging;
pub mod operator;
pub mod pin;
pub mod provenance;
pub mod regions;
pub mod registration_id;
pub mod timestamp;
pub mod validation;

#[cfg(test)]
mod golden_tests;

pub use biometric::{BiometricFormat, BiometricKind, BiometricRef, Capture};
pub use citizen::{Citizen, CitizenInput, Language, Sex};
pub use enrollment::{Enrollment, Signed, Unsigned};
pub use finger::{ExceptionReason, FingerException, FingerPosition};
pub use operator::Role;
pub use provenance::{Admission, Provenance, Trust, Untrusted};
pub use registration_id::RegistrationId;
pub use registration_id::StationId;
pub use timestamp::Timestamp;
pub use validation::{Field, Rule, ValidationError};
