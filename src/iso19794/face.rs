//! ISO/IEC 19794-5:2011 face image records ("FAC\0", version "030\0").

use super::*;

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
    let extended = r.rest().to_vec();
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
