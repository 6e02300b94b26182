//! ISO/IEC 19794-4:2011 finger image records ("FIR\0", version "020\0").

use super::*;
use crate::domain::FingerPosition;

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
    let extended = r.rest().to_vec();
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
