//! ISO/IEC 19794-4:2011 finger image records ("FIR\0", version "020\0") and ISO/IEC 19794-5:2011
//! face image records ("FAC\0", version "030\0"): the byte formats certified SBI devices send and
//! that kattoo stores. Records are kept exactly as received; this module reads their headers,
//! decodes the embedded image (PNG, JPEG, JPEG 2000, raw) and builds records for devices that
//! give kattoo plain images. Every length is checked before it is used: a truncated or garbage
//! record is an [`IsoError`], never a panic.

//!
//! The general header and the embedded images are here; `finger` and `face` hold each record
//! kind.

mod face;
mod finger;

pub use face::*;
pub use finger::*;

/// Why a record could not be read, built or its image decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IsoError {
    #[error(
        "iso record: truncated: {what} needs {needed} bytes at offset {offset}, record has {len}"
    )]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: usize,
        len: usize,
    },
    #[error("iso record: not a {expected} record (starts with {found:02x?})")]
    BadMagic {
        expected: &'static str,
        found: Vec<u8>,
    },
    #[error("iso record: version {found:?} is not supported (expected {expected})")]
    UnsupportedVersion {
        expected: &'static str,
        found: String,
    },
    #[error("iso record: {0}")]
    Invalid(String),
    #[error("iso record: image compression {0} is not supported by kattoo")]
    NotSupported(String),
    #[error("iso record: embedded image does not decode: {0}")]
    Image(String),
}

/// A read that ran past the end of a record: the field, where it starts, the bytes it needs and
/// the bytes the record has. Each record format turns it into its own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    pub what: &'static str,
    pub offset: usize,
    pub needed: usize,
    pub len: usize,
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

/// A checked big-endian reader over a record, for every ISO 19794 part kattoo reads (finger
/// images, faces, and the minutiae records of [`crate::matching`]).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }
    /// Bytes read so far.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }
    /// What is left to read.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Short> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(Short {
                what,
                offset: self.pos,
                needed: n,
                len: self.buf.len(),
            });
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, Short> {
        Ok(self.take(1, what)?[0])
    }
    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, Short> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, Short> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Capture date and time as stored in a representation header (UTC; 0xFF/0xFFFF mean unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaptureTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
}

impl CaptureTime {
    /// The capture time of a UTC timestamp.
    pub fn from_utc(t: time::OffsetDateTime) -> Self {
        let t = t.to_offset(time::UtcOffset::UTC);
        Self {
            year: u16::try_from(t.year()).unwrap_or(0),
            month: u8::from(t.month()),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
            millisecond: t.millisecond(),
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, IsoError> {
        Ok(Self {
            year: r.u16("capture year")?,
            month: r.u8("capture month")?,
            day: r.u8("capture day")?,
            hour: r.u8("capture hour")?,
            minute: r.u8("capture minute")?,
            second: r.u8("capture second")?,
            millisecond: r.u16("capture millisecond")?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.year.to_be_bytes());
        out.extend_from_slice(&[self.month, self.day, self.hour, self.minute, self.second]);
        out.extend_from_slice(&self.millisecond.to_be_bytes());
    }
}

/// One quality block: a score (0–100, 255 = failed) and who computed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityBlock {
    pub score: u8,
    pub algorithm_vendor: u16,
    pub algorithm: u16,
}

fn read_quality(r: &mut Reader<'_>) -> Result<Vec<QualityBlock>, IsoError> {
    let n = r.u8("quality block count")?;
    (0..n)
        .map(|_| {
            Ok(QualityBlock {
                score: r.u8("quality score")?,
                algorithm_vendor: r.u16("quality vendor")?,
                algorithm: r.u16("quality algorithm")?,
            })
        })
        .collect()
}

fn write_quality(q: &[QualityBlock], out: &mut Vec<u8>) -> Result<(), IsoError> {
    out.push(
        u8::try_from(q.len())
            .map_err(|_| IsoError::Invalid("more than 255 quality blocks".into()))?,
    );
    for b in q {
        out.push(b.score);
        out.extend_from_slice(&b.algorithm_vendor.to_be_bytes());
        out.extend_from_slice(&b.algorithm.to_be_bytes());
    }
    Ok(())
}

/// The general header shared by ISO/IEC 19794-4 and -5 records: format identifier, version,
/// total record length; the representation count follows.
struct RecordFormat {
    magic: &'static [u8; 4],
    version: &'static [u8; 4],
    name: &'static str,
    version_name: &'static str,
}

impl RecordFormat {
    /// Checks identifier, version and that the declared length is the whole buffer.
    fn read_header(&self, r: &mut Reader<'_>) -> Result<(), IsoError> {
        let magic = r.take(4, "format identifier")?;
        if magic != self.magic {
            return Err(IsoError::BadMagic {
                expected: self.name,
                found: magic.to_vec(),
            });
        }
        let version = r.take(4, "version")?;
        if version != self.version {
            return Err(IsoError::UnsupportedVersion {
                expected: self.version_name,
                found: String::from_utf8_lossy(version).into_owned(),
            });
        }
        let total = r.u32("record length")? as usize;
        if total != r.buf.len() {
            return Err(IsoError::Invalid(format!(
                "record length field says {total}, record has {} bytes",
                r.buf.len()
            )));
        }
        Ok(())
    }

    /// Writes identifier, version, total length and representation count.
    fn write_header(&self, out: &mut Vec<u8>, total: usize, count: usize) -> Result<(), IsoError> {
        out.extend_from_slice(self.magic);
        out.extend_from_slice(self.version);
        out.extend_from_slice(&len_u32(total, "record")?.to_be_bytes());
        let n = u16::try_from(count)
            .map_err(|_| IsoError::Invalid("too many representations".into()))?;
        out.extend_from_slice(&n.to_be_bytes());
        Ok(())
    }
}

/// Reads `count` length-prefixed representations, each through `read_one` on a reader that holds
/// exactly that representation (positioned after its length), and refuses trailing bytes.
fn read_representations<T>(
    r: &mut Reader<'_>,
    count: u16,
    mut read_one: impl FnMut(&mut Reader<'_>) -> Result<T, IsoError>,
) -> Result<Vec<T>, IsoError> {
    let bytes = r.buf;
    let mut representations = Vec::new();
    for _ in 0..count {
        let start = r.pos;
        let len = r.u32("representation length")? as usize;
        let body = Reader {
            buf: bytes,
            pos: start,
        }
        .take(len, "representation")?;
        let mut rr = Reader::new(body);
        rr.pos = 4;
        representations.push(read_one(&mut rr)?);
        r.pos = start + len;
    }
    if r.pos != bytes.len() {
        return Err(IsoError::Invalid(format!(
            "{} bytes after the last representation",
            bytes.len() - r.pos
        )));
    }
    Ok(representations)
}

fn len_u32(n: usize, what: &str) -> Result<u32, IsoError> {
    u32::try_from(n).map_err(|_| IsoError::Invalid(format!("{what} longer than 4 GiB")))
}

/// An 8-bit grayscale image decoded from a record.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: u32,
    pub height: u32,
    /// Row-major, `width * height` bytes.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for GrayImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GrayImage({}x{})", self.width, self.height)
    }
}

/// Largest image kattoo will decode (pixels), so a forged header cannot exhaust memory.
const MAX_PIXELS: u64 = 64 * 1024 * 1024;

/// Decodes PNG, JPEG or JPEG 2000 bytes to 8-bit gray (`gray = true`) or RGB8. A decoder that
/// panics on hostile input is contained here and reported as an undecodable image.
fn decode_embedded(
    data: &[u8],
    kind: EmbeddedKind,
    gray: bool,
) -> Result<(u32, u32, Vec<u8>), IsoError> {
    std::panic::catch_unwind(|| decode_embedded_inner(data, kind, gray)).unwrap_or_else(|_| {
        Err(IsoError::Image(format!(
            "{kind:?} decoder failed on malformed data"
        )))
    })
}

fn decode_embedded_inner(
    data: &[u8],
    kind: EmbeddedKind,
    gray: bool,
) -> Result<(u32, u32, Vec<u8>), IsoError> {
    match kind {
        EmbeddedKind::Png | EmbeddedKind::Jpeg => {
            let format = if kind == EmbeddedKind::Png {
                image::ImageFormat::Png
            } else {
                image::ImageFormat::Jpeg
            };
            let mut reader = image::ImageReader::with_format(std::io::Cursor::new(data), format);
            let mut limits = image::Limits::default();
            limits.max_alloc = Some(MAX_PIXELS * 4);
            reader.limits(limits);
            let img = reader
                .decode()
                .map_err(|e| IsoError::Image(e.to_string()))?;
            Ok(if gray {
                let g = img.into_luma8();
                (g.width(), g.height(), g.into_raw())
            } else {
                let c = img.into_rgb8();
                (c.width(), c.height(), c.into_raw())
            })
        }
        EmbeddedKind::Jpeg2000 => decode_jpeg2000(data, gray),
    }
}

fn decode_jpeg2000(data: &[u8], gray: bool) -> Result<(u32, u32, Vec<u8>), IsoError> {
    use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext, Image};
    let img = Image::new(data, &DecodeSettings::default())
        .map_err(|e| IsoError::Image(format!("jpeg 2000: {e:?}")))?;
    let (w, h) = (img.width(), img.height());
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(IsoError::Invalid(format!(
            "jpeg 2000 image {w}x{h} is too large"
        )));
    }
    let channels = usize::from(img.color_space().num_channels()) + usize::from(img.has_alpha());
    let is_gray = matches!(img.color_space(), ColorSpace::Gray);
    let is_rgb = matches!(img.color_space(), ColorSpace::RGB);
    let mut ctx = DecoderContext::default();
    let decoded = img
        .decode(&mut ctx)
        .map_err(|e| IsoError::Image(format!("jpeg 2000: {e:?}")))?;
    let raw = decoded.data_u8();
    let n = w as usize * h as usize;
    if raw.len() != n * channels || !(is_gray || is_rgb) {
        return Err(IsoError::NotSupported(format!(
            "jpeg 2000 colour space with {channels} channels"
        )));
    }
    let px = |i: usize, c: usize| raw[i * channels + c];
    let out = match (gray, is_gray) {
        (true, true) => (0..n).map(|i| px(i, 0)).collect(),
        (false, true) => (0..n).flat_map(|i| [px(i, 0); 3]).collect(),
        (false, false) => (0..n)
            .flat_map(|i| [px(i, 0), px(i, 1), px(i, 2)])
            .collect(),
        (true, false) => (0..n)
            .map(|i| {
                let l = 299 * u32::from(px(i, 0))
                    + 587 * u32::from(px(i, 1))
                    + 114 * u32::from(px(i, 2));
                (l / 1000) as u8
            })
            .collect(),
    };
    Ok((w, h, out))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmbeddedKind {
    Png,
    Jpeg,
    Jpeg2000,
}

#[cfg(test)]
mod tests;
