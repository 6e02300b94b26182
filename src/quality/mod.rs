//! Capture quality: fingerprint quality in the manner of NIST NFIQ 2 and face photo checks.
//! Pure image computation, no device or store access; runs in workers, never on the UI thread.
pub mod face;
pub mod finger;
