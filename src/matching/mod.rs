//! Fingerprint matching: one person, one registration.
//!
//! kattoo compares fingers to notice a person who enrols twice and to find a citizen by finger.
//! This module is the engine, without I/O beyond reading evaluation folders:
//!
//! - [`extract`] turns a 500–570 ppi grey finger image into a minutiae [`template::Template`]
//!   with a classical pipeline (segmentation, orientation and ridge period, contextual Gabor
//!   enhancement, thinning, minutiae, removal of false minutiae);
//! - [`iso19794_2`] reads and writes those templates as ISO/IEC 19794-2:2005 records, including
//!   records made by other software;
//! - [`compare`] scores two templates 1:1 with Minutia Cylinder-Code local structures
//!   ([`cylinder`]) consolidated by alignment;
//! - [`search`] searches a probe's fingers 1:N over a gallery in memory, on all cores, with a
//!   cheap fixed-size first stage and fusion of several fingers per person;
//! - [`people`] searches people by registration id over their fingers by position (the station's
//!   and central's duplicate search);
//! - [`threshold`] holds the decision thresholds with the false match rates they were measured
//!   at and the data they were measured on;
//! - [`eval`] measures accuracy over a folder in the FVC layout (EER, FMR100, FMR1000, ZeroFMR).
//!
//! Nothing here logs: templates are biometric data.

pub mod compare;
pub mod cylinder;
pub mod eval;
pub mod extract;
pub mod iso19794_2;
pub mod people;
pub mod search;
pub mod template;
pub mod threshold;

#[cfg(test)]
pub(crate) mod fixtures;
