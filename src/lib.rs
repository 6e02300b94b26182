//! kattoo: an offline biometric voter-registration kiosk.
//!
//! The library holds every rule; the `kattoo` binary is a thin shell over it. `domain` is the
//! citizen and the record, `crypto` the station's keys and canonical JSON, `store` the encrypted
//! SQLite file, `audit` the hash chain, and `station` ties them together behind operator sessions
//! so that a permission is enforced whoever calls (CLI today, GUI tomorrow).

pub mod audit;
pub mod batch;
pub mod central;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod doctor;
pub mod domain;
pub mod durable;
/// Thin wrappers over internal parsers for the fuzz targets in `fuzz/` (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod hal;
pub mod iso19794;
pub mod logging;
pub mod matching;
pub mod quality;
pub mod receipt;
pub mod station;
pub mod store;
pub mod ui;
pub mod workflow;
