//! ISO/IEC 19794-4:2011 finger image records ("FIR\0", version "020\0") and ISO/IEC 19794-5:2011
//! face image records ("FAC\0", version "030\0"): the byte formats certified SBI devices send and
//! that kattoo stores. Records are kept exactly as received; this module reads their headers,
//! decodes the embedded image (PNG, JPEG, JPEG 2000, raw) and builds records for devices that
//! give kattoo plain images. Every length is checked before it is used: a truncated or garbage
//! record is an [`IsoError`], never a panic.

use crate::domain::FingerPosition;
use crate::hal::{DeviceError, ErrorKind};

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

impl From<IsoError> for DeviceError {
    fn from(e: IsoError) -> Self {
        let kind = match e {
            IsoError::NotSupported(_) => ErrorKind::NotSupported,
            _ => ErrorKind::Other,
        };
        DeviceError::new(kind, e.to_string())
    }
}

/// A checked big-endian reader over a record.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], IsoError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(IsoError::Truncated {
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
    fn u8(&mut self, what: &'static str) -> Result<u8, IsoError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, IsoError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, IsoError> {
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

// ---------------------------------------------------------------------------------------------
// ISO/IEC 19794-4:2011 finger image records
// ---------------------------------------------------------------------------------------------

/// Finger image compression algorithm codes (ISO/IEC 19794-4:2011, table 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerCompression {
    Uncompressed,
    UncompressedBitPacked,
    Wsq,
    Jpeg,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
    Unknown(u8),
}

impl FingerCompression {
    /// The code stored in the record.
    pub fn code(self) -> u8 {
        match self {
            Self::Uncompressed => 0,
            Self::UncompressedBitPacked => 1,
            Self::Wsq => 2,
            Self::Jpeg => 3,
            Self::Jpeg2000Lossy => 4,
            Self::Jpeg2000Lossless => 5,
            Self::Png => 6,
            Self::Unknown(c) => c,
        }
    }
    /// The algorithm for a stored code.
    pub fn from_code(c: u8) -> Self {
        [
            Self::Uncompressed,
            Self::UncompressedBitPacked,
            Self::Wsq,
            Self::Jpeg,
            Self::Jpeg2000Lossy,
            Self::Jpeg2000Lossless,
            Self::Png,
        ]
        .into_iter()
        .find(|a| a.code() == c)
        .unwrap_or(Self::Unknown(c))
    }
}

/// One finger image representation.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerRepresentation {
    pub capture_time: CaptureTime,
    pub capture_technology: u8,
    pub capture_vendor: u16,
    pub capture_device_type: u16,
    pub quality: Vec<QualityBlock>,
    /// Certification blocks (authority id, scheme id), present only when the record's flag is set.
    pub certifications: Vec<(u16, u8)>,
    /// The raw position code (0 = unknown finger, 1–10 fingers, higher codes multi-finger/palm).
    pub position_code: u8,
    pub representation_number: u8,
    /// 1 = pixels per inch, 2 = pixels per centimetre.
    pub scale_units: u8,
    pub capture_sampling: (u16, u16),
    pub image_sampling: (u16, u16),
    pub bit_depth: u8,
    pub compression: FingerCompression,
    pub impression_type: u8,
    pub width: u16,
    pub height: u16,
    /// The compressed (or raw) image bytes as stored.
    pub image: Vec<u8>,
    /// Extended data blocks after the image, kept opaque.
    pub extended: Vec<u8>,
}

impl std::fmt::Debug for FingerRepresentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FingerRepresentation(position {}, {}x{}, {:?}, {} image bytes)",
            self.position_code,
            self.width,
            self.height,
            self.compression,
            self.image.len()
        )
    }
}

impl FingerRepresentation {
    /// A 500 ppi, 8-bit, plain live-scan representation of `image` (already compressed as `compression`).
    pub fn new(
        position: FingerPosition,
        width: u16,
        height: u16,
        compression: FingerCompression,
        image: Vec<u8>,
        quality: Option<u8>,
    ) -> Self {
        Self {
            capture_time: CaptureTime::default(),
            capture_technology: 0,
            capture_vendor: 0,
            capture_device_type: 0,
            quality: quality
                .map(|score| QualityBlock {
                    score,
                    algorithm_vendor: 0,
                    algorithm: 0,
                })
                .into_iter()
                .collect(),
            certifications: Vec::new(),
            position_code: position.code(),
            representation_number: 0,
            scale_units: 1,
            capture_sampling: (500, 500),
            image_sampling: (500, 500),
            bit_depth: 8,
            compression,
            impression_type: 0,
            width,
            height,
            image,
            extended: Vec::new(),
        }
    }

    /// The finger, if the position code is one of the ten fingers.
    pub fn position(&self) -> Option<FingerPosition> {
        FingerPosition::try_from(self.position_code).ok()
    }

    /// The first quality score, if any (255 = "failed to compute" is reported as `None`).
    pub fn quality_score(&self) -> Option<u8> {
        self.quality.first().map(|q| q.score).filter(|&s| s <= 100)
    }

    /// Image sampling rate in pixels per inch.
    pub fn ppi(&self) -> u32 {
        let h = u32::from(self.image_sampling.0);
        if self.scale_units == 2 {
            (h * 254 + 50) / 100
        } else {
            h
        }
    }

    /// Decodes the stored image to 8-bit gray and checks it against the header's size.
    pub fn decode_image(&self) -> Result<GrayImage, IsoError> {
        let (w, h) = (u32::from(self.width), u32::from(self.height));
        let (dw, dh, pixels) = match self.compression {
            FingerCompression::Png => decode_embedded(&self.image, EmbeddedKind::Png, true)?,
            FingerCompression::Jpeg => decode_embedded(&self.image, EmbeddedKind::Jpeg, true)?,
            FingerCompression::Jpeg2000Lossless | FingerCompression::Jpeg2000Lossy => {
                decode_embedded(&self.image, EmbeddedKind::Jpeg2000, true)?
            }
            FingerCompression::Uncompressed if self.bit_depth == 8 => {
                if self.image.len() != w as usize * h as usize {
                    return Err(IsoError::Invalid(format!(
                        "raw image has {} bytes for {w}x{h}",
                        self.image.len()
                    )));
                }
                (w, h, self.image.clone())
            }
            other => {
                return Err(IsoError::NotSupported(format!(
                    "{other:?} (code {}, {} bits)",
                    other.code(),
                    self.bit_depth
                )));
            }
        };
        if (dw, dh) != (w, h) {
            return Err(IsoError::Invalid(format!(
                "header says {w}x{h}, embedded image is {dw}x{dh}"
            )));
        }
        Ok(GrayImage {
            width: dw,
            height: dh,
            pixels,
        })
    }
}

/// An ISO/IEC 19794-4:2011 finger image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerRecord {
    pub certification_flag: bool,
    pub representations: Vec<FingerRepresentation>,
}

const FIR: RecordFormat = RecordFormat {
    magic: b"FIR\0",
    version: b"020\0",
    name: "ISO/IEC 19794-4 (FIR)",
    version_name: "020 (2011)",
};

impl FingerRecord {
    /// A record holding `representations`, without certification blocks.
    pub fn new(representations: Vec<FingerRepresentation>) -> Self {
        Self {
            certification_flag: false,
            representations,
        }
    }

    /// Reads a record; its declared lengths must match the bytes exactly.
    pub fn decode(bytes: &[u8]) -> Result<Self, IsoError> {
        let mut r = Reader::new(bytes);
        FIR.read_header(&mut r)?;
        let count = r.u16("representation count")?;
        let certification_flag = r.u8("certification flag")? != 0;
        let _distinct_positions = r.u8("finger position count")?;
        if count == 0 {
            return Err(IsoError::Invalid("record holds no representation".into()));
        }
        let representations = read_representations(&mut r, count, |rr| {
            read_finger_representation(rr, certification_flag)
        })?;
        Ok(Self {
            certification_flag,
            representations,
        })
    }

    /// The record's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, IsoError> {
        let mut reps = Vec::new();
        for rep in &self.representations {
            write_finger_representation(rep, self.certification_flag, &mut reps)?;
        }
        let mut positions: Vec<u8> = self
            .representations
            .iter()
            .map(|r| r.position_code)
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let mut out = Vec::with_capacity(16 + reps.len());
        FIR.write_header(&mut out, 16 + reps.len(), self.representations.len())?;
        out.push(u8::from(self.certification_flag));
        out.push(u8::try_from(positions.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&reps);
        Ok(out)
    }
}

fn read_finger_representation(
    r: &mut Reader<'_>,
    certified: bool,
) -> Result<FingerRepresentation, IsoError> {
    let capture_time = CaptureTime::read(r)?;
    let capture_technology = r.u8("capture technology")?;
    let capture_vendor = r.u16("capture vendor")?;
    let capture_device_type = r.u16("capture device type")?;
    let quality = read_quality(r)?;
    let mut certifications = Vec::new();
    if certified {
        for _ in 0..r.u8("certification block count")? {
            certifications.push((
                r.u16("certification authority")?,
                r.u8("certification scheme")?,
            ));
        }
    }
    let position_code = r.u8("finger position")?;
    let representation_number = r.u8("representation number")?;
    let scale_units = r.u8("scale units")?;
    let capture_sampling = (
        r.u16("capture sampling rate")?,
        r.u16("capture sampling rate")?,
    );
    let image_sampling = (r.u16("image sampling rate")?, r.u16("image sampling rate")?);
    let bit_depth = r.u8("bit depth")?;
    let compression = FingerCompression::from_code(r.u8("compression")?);
    let impression_type = r.u8("impression type")?;
    let width = r.u16("horizontal line length")?;
    let height = r.u16("vertical line length")?;
    let image_len = r.u32("image data length")? as usize;
    let image = r.take(image_len, "image data")?.to_vec();
    let extended = r.buf[r.pos..].to_vec();
    Ok(FingerRepresentation {
        capture_time,
        capture_technology,
        capture_vendor,
        capture_device_type,
        quality,
        certifications,
        position_code,
        representation_number,
        scale_units,
        capture_sampling,
        image_sampling,
        bit_depth,
        compression,
        impression_type,
        width,
        height,
        image,
        extended,
    })
}

fn write_finger_representation(
    rep: &FingerRepresentation,
    certified: bool,
    out: &mut Vec<u8>,
) -> Result<(), IsoError> {
    let mut b = Vec::with_capacity(64 + rep.image.len());
    rep.capture_time.write(&mut b);
    b.push(rep.capture_technology);
    b.extend_from_slice(&rep.capture_vendor.to_be_bytes());
    b.extend_from_slice(&rep.capture_device_type.to_be_bytes());
    write_quality(&rep.quality, &mut b)?;
    if certified {
        b.push(
            u8::try_from(rep.certifications.len())
                .map_err(|_| IsoError::Invalid("too many certification blocks".into()))?,
        );
        for (authority, scheme) in &rep.certifications {
            b.extend_from_slice(&authority.to_be_bytes());
            b.push(*scheme);
        }
    }
    b.extend_from_slice(&[
        rep.position_code,
        rep.representation_number,
        rep.scale_units,
    ]);
    for v in [
        rep.capture_sampling.0,
        rep.capture_sampling.1,
        rep.image_sampling.0,
        rep.image_sampling.1,
    ] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.extend_from_slice(&[rep.bit_depth, rep.compression.code(), rep.impression_type]);
    b.extend_from_slice(&rep.width.to_be_bytes());
    b.extend_from_slice(&rep.height.to_be_bytes());
    b.extend_from_slice(&len_u32(rep.image.len(), "image")?.to_be_bytes());
    b.extend_from_slice(&rep.image);
    b.extend_from_slice(&rep.extended);
    out.extend_from_slice(&len_u32(4 + b.len(), "representation")?.to_be_bytes());
    out.extend_from_slice(&b);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// ISO/IEC 19794-5:2011 face image records
// ---------------------------------------------------------------------------------------------

/// Face image data type codes (ISO/IEC 19794-5:2011, table 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceImageData {
    Jpeg,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
    Unknown(u8),
}

impl FaceImageData {
    /// The code stored in the record.
    pub fn code(self) -> u8 {
        match self {
            Self::Jpeg => 0,
            Self::Jpeg2000Lossy => 1,
            Self::Jpeg2000Lossless => 2,
            Self::Png => 3,
            Self::Unknown(c) => c,
        }
    }
    /// The data type for a stored code.
    pub fn from_code(c: u8) -> Self {
        [
            Self::Jpeg,
            Self::Jpeg2000Lossy,
            Self::Jpeg2000Lossless,
            Self::Png,
        ]
        .into_iter()
        .find(|a| a.code() == c)
        .unwrap_or(Self::Unknown(c))
    }
}

/// One face image representation. The facial information block (gender, pose, …) and landmark
/// points are kept as raw bytes: kattoo does not interpret them.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceRepresentation {
    pub capture_time: CaptureTime,
    pub capture_technology: u8,
    pub capture_vendor: u16,
    pub capture_device_type: u16,
    pub quality: Vec<QualityBlock>,
    /// The 17-byte facial information block.
    pub facial_information: [u8; 17],
    /// Landmark points, 8 bytes each.
    pub landmarks: Vec<[u8; 8]>,
    /// 0 basic, 1 full frontal, 2 token frontal, …
    pub face_image_type: u8,
    pub data_type: FaceImageData,
    pub width: u16,
    pub height: u16,
    pub spatial_sampling_level: u8,
    pub post_acquisition: u16,
    pub cross_reference: u8,
    pub colour_space: u8,
    pub image: Vec<u8>,
    /// 3D data after the image, kept opaque.
    pub extended: Vec<u8>,
}

impl std::fmt::Debug for FaceRepresentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FaceRepresentation({}x{}, {:?}, {} image bytes)",
            self.width,
            self.height,
            self.data_type,
            self.image.len()
        )
    }
}

impl FaceRepresentation {
    /// A basic face representation of `image` (already encoded as `data_type`).
    pub fn new(
        width: u16,
        height: u16,
        data_type: FaceImageData,
        image: Vec<u8>,
        quality: Option<u8>,
    ) -> Self {
        Self {
            capture_time: CaptureTime::default(),
            capture_technology: 0,
            capture_vendor: 0,
            capture_device_type: 0,
            quality: quality
                .map(|score| QualityBlock {
                    score,
                    algorithm_vendor: 0,
                    algorithm: 0,
                })
                .into_iter()
                .collect(),
            facial_information: [0; 17],
            landmarks: Vec::new(),
            face_image_type: 0,
            data_type,
            width,
            height,
            spatial_sampling_level: 0,
            post_acquisition: 0,
            cross_reference: 0,
            colour_space: 1, // 24-bit RGB
            image,
            extended: Vec::new(),
        }
    }

    /// The first quality score, if any.
    pub fn quality_score(&self) -> Option<u8> {
        self.quality.first().map(|q| q.score).filter(|&s| s <= 100)
    }

    /// Decodes the image to RGB8 `(width, height, rgb)` and checks it against the header's size.
    pub fn decode_rgb(&self) -> Result<(u32, u32, Vec<u8>), IsoError> {
        let kind = match self.data_type {
            FaceImageData::Jpeg => EmbeddedKind::Jpeg,
            FaceImageData::Png => EmbeddedKind::Png,
            FaceImageData::Jpeg2000Lossy | FaceImageData::Jpeg2000Lossless => {
                EmbeddedKind::Jpeg2000
            }
            FaceImageData::Unknown(c) => {
                return Err(IsoError::NotSupported(format!("face image data type {c}")));
            }
        };
        let (w, h, rgb) = decode_embedded(&self.image, kind, false)?;
        if (w, h) != (u32::from(self.width), u32::from(self.height)) {
            return Err(IsoError::Invalid(format!(
                "header says {}x{}, embedded image is {w}x{h}",
                self.width, self.height
            )));
        }
        Ok((w, h, rgb))
    }
}

/// An ISO/IEC 19794-5:2011 face image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceRecord {
    pub representations: Vec<FaceRepresentation>,
}

const FAC: RecordFormat = RecordFormat {
    magic: b"FAC\0",
    version: b"030\0",
    name: "ISO/IEC 19794-5 (FAC)",
    version_name: "030 (2011)",
};

impl FaceRecord {
    /// Reads a record; its declared lengths must match the bytes exactly.
    pub fn decode(bytes: &[u8]) -> Result<Self, IsoError> {
        let mut r = Reader::new(bytes);
        FAC.read_header(&mut r)?;
        let count = r.u16("representation count")?;
        let _certification = r.u8("certification flag")?;
        let _temporal = r.u16("temporal semantics")?;
        if count == 0 {
            return Err(IsoError::Invalid("record holds no representation".into()));
        }
        let representations = read_representations(&mut r, count, read_face_representation)?;
        Ok(Self { representations })
    }

    /// The record's bytes.
    pub fn encode(&self) -> Result<Vec<u8>, IsoError> {
        let mut reps = Vec::new();
        for rep in &self.representations {
            write_face_representation(rep, &mut reps)?;
        }
        let mut out = Vec::with_capacity(17 + reps.len());
        FAC.write_header(&mut out, 17 + reps.len(), self.representations.len())?;
        out.push(0);
        out.extend_from_slice(&u16::from(self.representations.len() > 1).to_be_bytes());
        out.extend_from_slice(&reps);
        Ok(out)
    }
}

fn read_face_representation(r: &mut Reader<'_>) -> Result<FaceRepresentation, IsoError> {
    let capture_time = CaptureTime::read(r)?;
    let capture_technology = r.u8("capture technology")?;
    let capture_vendor = r.u16("capture vendor")?;
    let capture_device_type = r.u16("capture device type")?;
    let quality = read_quality(r)?;
    let mut facial_information = [0u8; 17];
    facial_information.copy_from_slice(r.take(17, "facial information")?);
    let landmark_count = u16::from_be_bytes([facial_information[0], facial_information[1]]);
    let landmarks = (0..landmark_count)
        .map(|_| {
            r.take(8, "landmark point")
                .map(|b| <[u8; 8]>::try_from(b).unwrap_or([0; 8]))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let face_image_type = r.u8("face image type")?;
    let data_type = FaceImageData::from_code(r.u8("image data type")?);
    let width = r.u16("width")?;
    let height = r.u16("height")?;
    let spatial_sampling_level = r.u8("spatial sampling rate level")?;
    let post_acquisition = r.u16("post-acquisition processing")?;
    let cross_reference = r.u8("cross reference")?;
    let colour_space = r.u8("image colour space")?;
    let image_len = r.u32("image data length")? as usize;
    let image = r.take(image_len, "image data")?.to_vec();
    let extended = r.buf[r.pos..].to_vec();
    Ok(FaceRepresentation {
        capture_time,
        capture_technology,
        capture_vendor,
        capture_device_type,
        quality,
        facial_information,
        landmarks,
        face_image_type,
        data_type,
        width,
        height,
        spatial_sampling_level,
        post_acquisition,
        cross_reference,
        colour_space,
        image,
        extended,
    })
}

fn write_face_representation(rep: &FaceRepresentation, out: &mut Vec<u8>) -> Result<(), IsoError> {
    let mut b = Vec::with_capacity(64 + rep.image.len());
    rep.capture_time.write(&mut b);
    b.push(rep.capture_technology);
    b.extend_from_slice(&rep.capture_vendor.to_be_bytes());
    b.extend_from_slice(&rep.capture_device_type.to_be_bytes());
    write_quality(&rep.quality, &mut b)?;
    let mut info = rep.facial_information;
    let n = u16::try_from(rep.landmarks.len())
        .map_err(|_| IsoError::Invalid("too many landmark points".into()))?;
    info[..2].copy_from_slice(&n.to_be_bytes());
    b.extend_from_slice(&info);
    for l in &rep.landmarks {
        b.extend_from_slice(l);
    }
    b.extend_from_slice(&[rep.face_image_type, rep.data_type.code()]);
    b.extend_from_slice(&rep.width.to_be_bytes());
    b.extend_from_slice(&rep.height.to_be_bytes());
    b.push(rep.spatial_sampling_level);
    b.extend_from_slice(&rep.post_acquisition.to_be_bytes());
    b.extend_from_slice(&[rep.cross_reference, rep.colour_space]);
    b.extend_from_slice(&len_u32(rep.image.len(), "image")?.to_be_bytes());
    b.extend_from_slice(&rep.image);
    b.extend_from_slice(&rep.extended);
    out.extend_from_slice(&len_u32(4 + b.len(), "representation")?.to_be_bytes());
    out.extend_from_slice(&b);
    Ok(())
}

#[cfg(test)]
#[path = "sbi/iso_tests.rs"]
mod tests;
