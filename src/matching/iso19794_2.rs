//! ISO/IEC 19794-2:2005 finger minutiae records ("FMR\0", version " 20\0"): the exchange form of
//! kattoo's templates, and how it reads templates made by other software.
//!
//! Layout (big-endian): a 24-byte record header (magic, version, total length in 4 bytes,
//! capture equipment, image width and height, horizontal and vertical resolution in pixels per
//! centimetre, number of finger views, a reserved byte), then per view a 4-byte header (finger
//! position; view number and impression type; finger quality; number of minutiae), 6 bytes per
//! minutia (2 bits type and 14 bits x; 2 reserved bits and 14 bits y; angle in 1.40625° steps
//! counter-clockwise; quality) and a 2-byte extended data length followed by that data.
//!
//! The header is reported as written: some SDKs write a fixed image size and resolution whatever
//! the image was, so callers that know the real image should use its size. Every length is
//! checked before it is used; a truncated or inconsistent record is an [`IsoError`].

use crate::iso19794::{Reader, Short};
use crate::matching::template::{Minutia, MinutiaKind, Template};

/// Why a minutiae record could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IsoError {
    /// Fewer bytes than a field needs.
    #[error(
        "minutiae record: truncated: {what} needs {needed} bytes at offset {offset}, record has {len}"
    )]
    Truncated {
        /// The field.
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// Bytes it needs.
        needed: usize,
        /// Bytes in the record.
        len: usize,
    },
    /// Not "FMR\0".
    #[error("minutiae record: not an ISO 19794-2 record (starts with {0:02x?})")]
    BadMagic(Vec<u8>),
    /// Not the 2005 version.
    #[error("minutiae record: version {0:?} is not supported (expected \" 20\")")]
    UnsupportedVersion(String),
    /// The header's length disagrees with the bytes.
    #[error("minutiae record: header says {declared} bytes, record has {actual}")]
    LengthMismatch {
        /// Length in the header.
        declared: u64,
        /// Bytes present.
        actual: usize,
    },
    /// A field holds a value the standard does not allow.
    #[error("minutiae record: {0}")]
    Invalid(String),
}

impl From<Short> for IsoError {
    fn from(s: Short) -> Self {
        IsoError::Truncated {
            what: s.what,
            offset: s.offset,
            needed: s.needed,
            len: s.len,
        }
    }
}

/// The record header and its finger views.
#[derive(Debug, Clone, PartialEq)]
pub struct MinutiaeRecord {
    /// Capture equipment: 4 bits of certification flags and 12 bits of device id.
    pub equipment: u16,
    /// Image width in pixels, as the header says.
    pub width: u16,
    /// Image height in pixels, as the header says.
    pub height: u16,
    /// Horizontal resolution, pixels per centimetre.
    pub x_resolution: u16,
    /// Vertical resolution, pixels per centimetre.
    pub y_resolution: u16,
    /// The finger views (at least one).
    pub views: Vec<FingerView>,
}

/// One finger view of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct FingerView {
    /// Finger position code (0 unknown, 1 right thumb … 10 left little).
    pub position: u8,
    /// View number (0–15).
    pub view: u8,
    /// Impression type (0 live-scan plain …).
    pub impression: u8,
    /// Finger quality 0–100.
    pub quality: u8,
    /// The minutiae.
    pub minutiae: Vec<Minutia>,
    /// Extended data, kept as read.
    pub extended: Vec<u8>,
}

const MAGIC: &[u8; 4] = b"FMR\0";
const VERSION: &[u8; 4] = b" 20\0";
const HEADER_LEN: usize = 24;
const MINUTIA_LEN: usize = 6;

/// Reads a record.
pub fn read(buf: &[u8]) -> Result<MinutiaeRecord, IsoError> {
    let mut r = Reader::new(buf);
    let magic = r.take(4, "format identifier")?;
    if magic != MAGIC {
        return Err(IsoError::BadMagic(magic.to_vec()));
    }
    let version = r.take(4, "version")?;
    if version != VERSION {
        return Err(IsoError::UnsupportedVersion(
            String::from_utf8_lossy(version)
                .trim_matches(['\0', ' '])
                .to_owned(),
        ));
    }
    let declared = r.u32("record length")?;
    if declared as usize != buf.len() {
        return Err(IsoError::LengthMismatch {
            declared: u64::from(declared),
            actual: buf.len(),
        });
    }
    let equipment = r.u16("capture equipment")?;
    let width = r.u16("image width")?;
    let height = r.u16("image height")?;
    let x_resolution = r.u16("horizontal resolution")?;
    let y_resolution = r.u16("vertical resolution")?;
    let count = r.u8("number of finger views")?;
    let _reserved = r.u8("reserved byte")?;
    if count == 0 {
        return Err(IsoError::Invalid("no finger view".into()));
    }
    let mut views = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let position = r.u8("finger position")?;
        if position > 10 {
            return Err(IsoError::Invalid(format!(
                "finger position {position} is not 0 to 10"
            )));
        }
        let vi = r.u8("view number and impression type")?;
        let quality = r.u8("finger quality")?;
        if quality > 100 {
            return Err(IsoError::Invalid(format!(
                "finger quality {quality} is over 100"
            )));
        }
        let n = usize::from(r.u8("number of minutiae")?);
        // Check the whole block is there before reading minutiae one by one.
        let block = r.take(n * MINUTIA_LEN, "minutiae")?;
        let mut minutiae = Vec::with_capacity(n);
        for m in block.chunks_exact(MINUTIA_LEN) {
            let kind = match m[0] >> 6 {
                0 => MinutiaKind::Other,
                1 => MinutiaKind::Ending,
                2 => MinutiaKind::Bifurcation,
                _ => return Err(IsoError::Invalid("minutia type 3 is reserved".into())),
            };
            let x = u16::from_be_bytes([m[0] & 0x3f, m[1]]);
            let y = u16::from_be_bytes([m[2] & 0x3f, m[3]]);
            let quality = m[5];
            if quality > 100 {
                return Err(IsoError::Invalid(format!(
                    "minutia quality {quality} is over 100"
                )));
            }
            minutiae.push(Minutia {
                x,
                y,
                angle: Minutia::angle_from_iso(m[4]),
                kind,
                quality,
            });
        }
        let ext_len = usize::from(r.u16("extended data length")?);
        let extended = r.take(ext_len, "extended data")?.to_vec();
        views.push(FingerView {
            position,
            view: vi >> 4,
            impression: vi & 0x0f,
            quality,
            minutiae,
            extended,
        });
    }
    if r.offset() != buf.len() {
        return Err(IsoError::LengthMismatch {
            declared: u64::from(declared),
            actual: r.offset(),
        });
    }
    Ok(MinutiaeRecord {
        equipment,
        width,
        height,
        x_resolution,
        y_resolution,
        views,
    })
}

/// Writes a record.
pub fn write(record: &MinutiaeRecord) -> Result<Vec<u8>, IsoError> {
    if record.views.is_empty() || record.views.len() > 255 {
        return Err(IsoError::Invalid(format!(
            "{} finger views (1 to 255)",
            record.views.len()
        )));
    }
    let mut out = Vec::with_capacity(HEADER_LEN + 256);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(VERSION);
    out.extend_from_slice(&[0; 4]); // length, set at the end
    out.extend_from_slice(&record.equipment.to_be_bytes());
    out.extend_from_slice(&record.width.to_be_bytes());
    out.extend_from_slice(&record.height.to_be_bytes());
    out.extend_from_slice(&record.x_resolution.to_be_bytes());
    out.extend_from_slice(&record.y_resolution.to_be_bytes());
    out.push(record.views.len() as u8);
    out.push(0);
    for v in &record.views {
        if v.minutiae.len() > 255
            || v.position > 10
            || v.view > 15
            || v.impression > 15
            || v.quality > 100
        {
            return Err(IsoError::Invalid("finger view fields out of range".into()));
        }
        out.extend_from_slice(&[
            v.position,
            (v.view << 4) | v.impression,
            v.quality,
            v.minutiae.len() as u8,
        ]);
        for m in &v.minutiae {
            if m.x > 0x3fff || m.y > 0x3fff || m.quality > 100 {
                return Err(IsoError::Invalid(format!(
                    "minutia at ({}, {}) out of range",
                    m.x, m.y
                )));
            }
            let kind: u16 = match m.kind {
                MinutiaKind::Other => 0,
                MinutiaKind::Ending => 1,
                MinutiaKind::Bifurcation => 2,
            };
            out.extend_from_slice(&((kind << 14) | m.x).to_be_bytes());
            out.extend_from_slice(&m.y.to_be_bytes());
            out.push(m.iso_angle());
            out.push(m.quality);
        }
        let ext = u16::try_from(v.extended.len())
            .map_err(|_| IsoError::Invalid("extended data over 65,535 bytes".into()))?;
        out.extend_from_slice(&ext.to_be_bytes());
        out.extend_from_slice(&v.extended);
    }
    let len = out.len() as u32;
    out[8..12].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

impl MinutiaeRecord {
    /// A one-view record of a template.
    pub fn from_template(t: &Template, position: u8) -> Self {
        Self {
            equipment: 0,
            width: t.width,
            height: t.height,
            x_resolution: t.pixels_per_cm,
            y_resolution: t.pixels_per_cm,
            views: vec![FingerView {
                position,
                view: 0,
                impression: 0,
                quality: t.quality.min(100),
                minutiae: t.minutiae.iter().take(255).copied().collect(),
                extended: Vec::new(),
            }],
        }
    }

    /// The first view as a template (resolution from the horizontal one).
    pub fn into_template(self) -> Template {
        let view = self.views.into_iter().next();
        Template {
            width: self.width,
            height: self.height,
            pixels_per_cm: self.x_resolution,
            quality: view.as_ref().map_or(0, |v| v.quality),
            minutiae: view.map(|v| v.minutiae).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fixtures;
    use proptest::prelude::*;

    #[test]
    fn reads_a_commercial_record() {
        let r = read(&fixtures::iso("101_1")).unwrap();
        // The header as written: this SDK writes 300×400 at 197 px/cm whatever the image.
        assert_eq!(
            (r.width, r.height, r.x_resolution, r.y_resolution),
            (300, 400, 197, 197)
        );
        assert_eq!(r.views.len(), 1);
        let v = &r.views[0];
        assert_eq!((v.position, v.view, v.impression, v.quality), (0, 0, 0, 0));
        assert_eq!(v.minutiae.len(), 25);
        let m = v.minutiae[0];
        assert_eq!(
            (m.kind, m.x, m.y, m.iso_angle(), m.quality),
            (MinutiaKind::Bifurcation, 165, 48, 107, 0)
        );
        for stem in fixtures::STEMS {
            let t = read(&fixtures::iso(stem)).unwrap().into_template();
            assert!(t.minutiae.len() >= 10, "{stem}");
        }
    }

    #[test]
    fn round_trip_keeps_every_field() {
        for stem in fixtures::STEMS {
            let bytes = fixtures::iso(stem);
            assert_eq!(write(&read(&bytes).unwrap()).unwrap(), bytes, "{stem}");
        }
        let t = fixtures::template("101_1");
        let record = MinutiaeRecord::from_template(&t, 2);
        let bytes = write(&record).unwrap();
        let back = read(&bytes).unwrap();
        assert_eq!(write(&back).unwrap(), bytes);
        let t2 = back.into_template();
        assert_eq!(
            (t2.width, t2.height, t2.pixels_per_cm),
            (t.width, t.height, t.pixels_per_cm)
        );
        for (a, b) in t.minutiae.iter().zip(&t2.minutiae) {
            assert_eq!(
                (a.x, a.y, a.kind, a.quality, a.iso_angle()),
                (b.x, b.y, b.kind, b.quality, b.iso_angle())
            );
        }
    }

    /// A valid two-minutiae record to damage.
    fn sample() -> Vec<u8> {
        let m = |x, kind| Minutia {
            x,
            y: 20,
            angle: 1.0,
            kind,
            quality: 60,
        };
        let record = MinutiaeRecord {
            equipment: 0x1234,
            width: 388,
            height: 374,
            x_resolution: 197,
            y_resolution: 197,
            views: vec![FingerView {
                position: 2,
                view: 0,
                impression: 0,
                quality: 70,
                minutiae: vec![m(10, MinutiaKind::Ending), m(30, MinutiaKind::Bifurcation)],
                extended: vec![],
            }],
        };
        write(&record).unwrap()
    }

    #[test]
    fn damaged_and_lying_records_are_refused() {
        let good = sample();
        assert_eq!(good.len(), 24 + 4 + 12 + 2);
        read(&good).unwrap();
        let with = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = good.clone();
            f(&mut b);
            read(&b)
        };
        let cases: Vec<(&str, Result<MinutiaeRecord, IsoError>, &str)> = vec![
            ("empty", read(&[]), "truncated: format identifier"),
            (
                "bad magic",
                with(&|b| b[0] = b'X'),
                "not an ISO 19794-2 record",
            ),
            (
                "2011 version",
                with(&|b| b[4..8].copy_from_slice(b"030\0")),
                "version \"030\"",
            ),
            (
                "length too long",
                with(&|b| b[11] += 1),
                "header says 43 bytes, record has 42",
            ),
            (
                "length too short",
                with(&|b| b[11] -= 1),
                "header says 41 bytes",
            ),
            (
                "extra byte",
                with(&|b| {
                    b.push(0);
                    b[11] += 1;
                }),
                "header says 43 bytes, record has 42",
            ),
            ("no views", with(&|b| b[22] = 0), "no finger view"),
            (
                "two views claimed",
                with(&|b| b[22] = 2),
                "truncated: finger position",
            ),
            (
                "more minutiae claimed",
                with(&|b| b[27] = 3),
                "truncated: minutiae",
            ),
            (
                "fewer minutiae claimed",
                with(&|b| b[27] = 1),
                "truncated: extended data needs 32798 bytes at offset 36",
            ),
            (
                "extended data claimed",
                with(&|b| b[41] = 5),
                "truncated: extended data",
            ),
            (
                "finger position 11",
                with(&|b| b[24] = 11),
                "finger position 11",
            ),
            (
                "finger quality 101",
                with(&|b| b[26] = 101),
                "finger quality 101",
            ),
            ("minutia type 3", with(&|b| b[28] |= 0xc0), "minutia type 3"),
            (
                "minutia quality 200",
                with(&|b| b[33] = 200),
                "minutia quality 200",
            ),
        ];
        for (name, result, message) in cases {
            let err = result.expect_err(name);
            assert!(
                err.to_string().starts_with("minutiae record: "),
                "{name}: {err}"
            );
            assert!(err.to_string().contains(message), "{name}: {err}");
        }
    }

    #[test]
    fn out_of_range_templates_are_not_written() {
        let mut r = read(&sample()).unwrap();
        r.views[0].minutiae[0].x = 0x4000;
        assert!(matches!(write(&r), Err(IsoError::Invalid(_))));
        r.views.clear();
        assert!(matches!(write(&r), Err(IsoError::Invalid(_))));
    }

    proptest! {
        #[test]
        fn every_truncation_is_refused(cut in 0usize..180) {
            let bytes = fixtures::iso("101_1");
            prop_assert!(read(&bytes[..cut.min(bytes.len() - 1)]).is_err());
        }

        #[test]
        fn garbage_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = b"FMR\0 20\0".to_vec();
            bytes.extend_from_slice(&tail);
            let _ = read(&bytes);
        }
    }
}
