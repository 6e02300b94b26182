//! USB cameras (UVC) through `nokhwa`: V4L2 on Linux, Media Foundation on Windows.
//!
//! The pixel work is here as pure functions, tested on recorded frames in `fixtures/frames/`:
//! choosing a format ([`choose_format`]: the largest up to 1280×720, MJPEG before YUYV) and
//! decoding ([`yuyv_to_rgb`], [`mjpeg_to_rgb`]). A frame that is cut short or is not an image is
//! an error of kind `Other`, never a panic and never a half-grey face; a frame without Huffman
//! tables gets the standard ones (`uvc/mjpeg.rs`). The device side (opening,
//! streaming, reopening after an unplug) is in `uvc/device.rs`.

#[cfg(any(target_os = "linux", target_os = "windows"))]
mod device;
mod mjpeg;

use super::manager::{DeviceKind, DeviceSource, Found, Opened};
use super::{Backend, Camera, DeviceError, DeviceInfo, ErrorKind, Frame, Provenance, Result};
use std::time::Duration;

/// Pixel formats kattoo decodes, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// Motion JPEG: one JPEG per frame; what lets USB 2 carry 720p at 30 fps.
    Mjpeg,
    /// YUYV 4:2:2, uncompressed.
    Yuyv,
}

/// One mode a camera offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormatOption {
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    pub fps: u32,
}

/// The mode to open: the largest picture within `max_width`×`max_height`, MJPEG if any MJPEG mode
/// fits, else YUYV; among equal sizes the higher frame rate. `None` when nothing fits.
pub fn choose_format(
    options: &[FormatOption],
    max_width: u32,
    max_height: u32,
) -> Option<FormatOption> {
    let fits = |o: &&FormatOption| o.width <= max_width && o.height <= max_height && o.fps > 0;
    let best = |format| {
        options
            .iter()
            .filter(fits)
            .filter(|o| o.format == format)
            .max_by_key(|o| (u64::from(o.width) * u64::from(o.height), o.fps))
            .copied()
    };
    best(PixelFormat::Mjpeg).or_else(|| best(PixelFormat::Yuyv))
}

fn garbage(message: String) -> DeviceError {
    DeviceError::new(ErrorKind::Other, message)
}

/// Converts one YUYV 4:2:2 frame (BT.601, limited range, as UVC cameras send) to RGB8.
/// Bytes past `width * height * 2` (line padding) are ignored; fewer are an error.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    if width == 0 || height == 0 || !width.is_multiple_of(2) {
        return Err(garbage(format!(
            "YUYV frame of {width}x{height}: the width must be even and not zero"
        )));
    }
    let needed = width as usize * height as usize * 2;
    if data.len() < needed {
        return Err(garbage(format!(
            "YUYV frame cut short: {} bytes, a {width}x{height} frame has {needed}",
            data.len()
        )));
    }
    let mut rgb = Vec::with_capacity(needed / 2 * 3);
    for quad in data[..needed].chunks_exact(4) {
        let (u, v) = (i32::from(quad[1]) - 128, i32::from(quad[3]) - 128);
        for y in [quad[0], quad[2]] {
            let c = 298 * (i32::from(y) - 16) + 128;
            let clamp = |x: i32| (x >> 8).clamp(0, 255) as u8;
            rgb.extend_from_slice(&[
                clamp(c + 409 * v),
                clamp(c - 100 * u - 208 * v),
                clamp(c + 516 * u),
            ]);
        }
    }
    Ok(rgb)
}

/// Decodes one MJPEG frame (a JPEG, often without Huffman tables, which then are the standard
/// ones) to an RGB8 frame. A frame without its end-of-image marker is refused as cut short, since
/// a lenient decoder would fill the missing part with grey.
pub fn mjpeg_to_rgb(data: &[u8], source: &Provenance) -> Result<Frame> {
    if data.len() < 4 || data[..2] != [0xFF, 0xD8] {
        return Err(garbage(format!(
            "MJPEG frame of {} bytes does not start with a JPEG marker",
            data.len()
        )));
    }
    // Some cameras pad the buffer with zeros after the image.
    let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    if end < 4 || data[end - 2..end] != [0xFF, 0xD9] {
        return Err(garbage(format!(
            "MJPEG frame of {} bytes is cut short (no end-of-image marker)",
            data.len()
        )));
    }
    let jpeg = mjpeg::with_huffman_tables(&data[..end]);
    let image = crate::domain::imaging::decode(&jpeg, Some(image::ImageFormat::Jpeg))
        .map_err(|e| {
            garbage(format!(
                "MJPEG frame of {} bytes does not decode: {e}",
                data.len()
            ))
        })?
        .into_rgb8();
    Ok(Frame::new(
        image.width(),
        image.height(),
        image.into_raw(),
        source.clone(),
    ))
}

/// Decodes a raw buffer of `format` at `width`×`height`.
pub fn decode(
    format: PixelFormat,
    data: &[u8],
    width: u32,
    height: u32,
    source: &Provenance,
) -> Result<Frame> {
    match format {
        PixelFormat::Mjpeg => mjpeg_to_rgb(data, source),
        PixelFormat::Yuyv => Ok(Frame::new(
            width,
            height,
            yuyv_to_rgb(data, width, height)?,
            source.clone(),
        )),
    }
}

/// Finds UVC cameras and opens them.
#[derive(Debug, Clone)]
pub struct UvcSource {
    max_width: u32,
    max_height: u32,
    frame_timeout: Duration,
}

impl UvcSource {
    /// Cameras are opened in the best mode up to `max_width`×`max_height`; a frame that does not
    /// arrive within `frame_timeout` is a `Timeout`.
    pub fn new(max_width: u32, max_height: u32, frame_timeout: Duration) -> Self {
        Self {
            max_width,
            max_height,
            frame_timeout,
        }
    }

    /// The cameras attached now, with the id each is opened by.
    pub fn present(&self) -> Vec<(DeviceInfo, String)> {
        #[cfg(any(target_os = "linux", target_os = "windows"))]
        return device::present();
        #[cfg(not(any(target_os = "linux", target_os = "windows")))]
        return Vec::new();
    }

    /// Opens the camera found as `info` (from [`UvcSource::present`]) with opening id `index`.
    pub fn open(&self, info: &DeviceInfo, index: &str) -> Result<Box<dyn Camera>> {
        #[cfg(any(target_os = "linux", target_os = "windows"))]
        return Ok(Box::new(device::UvcCamera::open(
            info.clone(),
            index,
            (self.max_width, self.max_height),
            self.frame_timeout,
        )?));
        #[cfg(not(any(target_os = "linux", target_os = "windows")))]
        {
            let _ = (info, index, self.frame_timeout);
            Err(DeviceError::new(
                ErrorKind::NotSupported,
                "UVC cameras are supported on Linux and Windows only",
            ))
        }
    }
}

impl DeviceSource for UvcSource {
    fn backend(&self) -> Backend {
        Backend::Uvc
    }

    fn present(&mut self) -> Vec<Found> {
        UvcSource::present(self)
            .into_iter()
            .map(|(info, address)| Found {
                info,
                kind: DeviceKind::Camera,
                address,
            })
            .collect()
    }

    fn open(&mut self, found: &Found) -> Result<Opened> {
        UvcSource::open(self, &found.info, &found.address).map(Opened::Camera)
    }
}

/// A camera's [`DeviceInfo`] with the UVC backend.
pub(crate) fn uvc_info(make: String, model: String, serial: String) -> DeviceInfo {
    DeviceInfo {
        make,
        model,
        serial,
        backend: Backend::Uvc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn test_source() -> Provenance {
        Provenance::attached("uvc:test")
    }

    fn frames(name: &str) -> PathBuf {
        crate::hal::sim::default_fixtures_dir()
            .join("frames")
            .join(name)
    }

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(frames(name)).unwrap()
    }

    fn png_rgb(name: &str) -> (u32, u32, Vec<u8>) {
        let img = image::open(frames(name)).unwrap().to_rgb8();
        (img.width(), img.height(), img.into_raw())
    }

    /// Largest difference of any channel of any pixel.
    fn max_diff(a: &[u8], b: &[u8]) -> u8 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap()
    }

    #[test]
    fn yuyv_known_pixels() {
        // Pairs share chroma: white+black, then BT.601 limited-range red, green and blue pairs.
        let yuyv = [
            235, 128, 16, 128, 81, 90, 81, 240, 145, 54, 145, 34, 41, 240, 41, 110,
        ];
        let rgb = yuyv_to_rgb(&yuyv, 8, 1).unwrap();
        let expected = [
            [255, 255, 255],
            [0, 0, 0],
            [255, 0, 0],
            [255, 0, 0],
            [0, 255, 0],
            [0, 255, 0],
            [0, 0, 255],
            [0, 0, 255],
        ];
        let expected: Vec<u8> = expected.concat();
        assert!(max_diff(&rgb, &expected) <= 1, "{rgb:?}");
        assert_eq!(
            &rgb[..12],
            &expected[..12],
            "white, black and red are exact"
        );
    }

    #[test]
    fn yuyv_recorded_frame_matches_an_independent_decode() {
        let rgb = yuyv_to_rgb(&read("astronaut-64x48.yuyv"), 64, 48).unwrap();
        let (w, h, expected) = png_rgb("astronaut-64x48.yuyv.rgb.png");
        assert_eq!((w, h), (64, 48));
        // Integer against floating-point BT.601: rounding only.
        assert!(
            max_diff(&rgb, &expected) <= 2,
            "max diff {}",
            max_diff(&rgb, &expected)
        );
        // Line padding after the frame is ignored.
        let mut padded = read("astronaut-64x48.yuyv");
        padded.extend_from_slice(&[0; 128]);
        assert_eq!(yuyv_to_rgb(&padded, 64, 48).unwrap(), rgb);
    }

    #[test]
    fn mjpeg_with_and_without_huffman_tables_decodes_like_libjpeg() {
        let with_tables = mjpeg_to_rgb(&read("astronaut-160x120.jpg"), &test_source()).unwrap();
        let without = mjpeg_to_rgb(&read("astronaut-160x120.mjpg"), &test_source()).unwrap();
        assert_eq!((without.width, without.height), (160, 120));
        assert_eq!(
            without, with_tables,
            "the standard tables are the ones left out"
        );
        let (_, _, expected) = png_rgb("astronaut-160x120.jpg.rgb.png");
        let d = max_diff(&without.rgb, &expected);
        let mean = without
            .rgb
            .iter()
            .zip(&expected)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum::<u64>() as f64
            / expected.len() as f64;
        assert!(d <= 16 && mean < 1.5, "max {d}, mean {mean}");
        // Zero padding after the end-of-image marker is accepted.
        let mut padded = read("astronaut-160x120.mjpg");
        padded.extend_from_slice(&[0; 64]);
        assert_eq!(mjpeg_to_rgb(&padded, &test_source()).unwrap(), without);
    }

    /// Broken frames and the error each must give.
    #[test]
    fn broken_frames_are_clear_errors() {
        let jpeg = read("astronaut-160x120.mjpg");
        let yuyv = read("astronaut-64x48.yuyv");
        let mut corrupt = jpeg.clone();
        let mid = corrupt.len() / 2;
        corrupt[mid - 200..mid].fill(0xFF);
        let mut bad_header = jpeg.clone();
        bad_header[2..200].fill(0x00);
        bad_header[2] = 0xFF;
        let cases: Vec<(&str, Result<Frame>, &str)> = vec![
            (
                "empty mjpeg",
                mjpeg_to_rgb(&[], &test_source()),
                "does not start with a JPEG marker",
            ),
            (
                "text",
                mjpeg_to_rgb(b"HTTP/1.1 500 oops", &test_source()),
                "does not start with a JPEG marker",
            ),
            (
                "truncated mjpeg",
                mjpeg_to_rgb(&jpeg[..jpeg.len() / 2], &test_source()),
                "cut short",
            ),
            (
                "soi and eoi only",
                mjpeg_to_rgb(&[0xFF, 0xD8, 0xFF, 0xD9], &test_source()),
                "does not decode",
            ),
            (
                "damaged header",
                mjpeg_to_rgb(&bad_header, &test_source()),
                "does not decode",
            ),
            (
                "truncated yuyv",
                decode(
                    PixelFormat::Yuyv,
                    &yuyv[..yuyv.len() - 1],
                    64,
                    48,
                    &test_source(),
                ),
                "cut short",
            ),
            (
                "odd width",
                decode(PixelFormat::Yuyv, &yuyv, 63, 48, &test_source()),
                "must be even",
            ),
            (
                "zero height",
                decode(PixelFormat::Yuyv, &yuyv, 64, 0, &test_source()),
                "must be even and not zero",
            ),
        ];
        for (name, result, expected) in cases {
            let err = result.expect_err(name);
            assert_eq!(err.kind(), ErrorKind::Other, "{name}");
            assert!(err.message().contains(expected), "{name}: {err}");
        }
        // Damaged entropy data may decode to a damaged picture, but must not panic.
        let _ = mjpeg_to_rgb(&corrupt, &test_source());
    }

    #[test]
    fn format_choice() {
        use PixelFormat::*;
        let o = |width, height, format, fps| FormatOption {
            width,
            height,
            format,
            fps,
        };
        let c920 = [
            o(640, 480, Yuyv, 30),
            o(1280, 720, Yuyv, 10),
            o(1920, 1080, Yuyv, 5),
            o(640, 480, Mjpeg, 30),
            o(1280, 720, Mjpeg, 15),
            o(1280, 720, Mjpeg, 30),
            o(1920, 1080, Mjpeg, 30),
        ];
        assert_eq!(
            choose_format(&c920, 1280, 720),
            Some(o(1280, 720, Mjpeg, 30))
        );
        assert_eq!(choose_format(&c920, 800, 600), Some(o(640, 480, Mjpeg, 30)));
        // MJPEG is preferred even when YUYV offers more pixels within the limit.
        let odd = [o(1280, 720, Yuyv, 10), o(640, 480, Mjpeg, 30)];
        assert_eq!(choose_format(&odd, 1280, 720), Some(o(640, 480, Mjpeg, 30)));
        let yuyv_only = [
            o(640, 480, Yuyv, 30),
            o(320, 240, Yuyv, 30),
            o(1920, 1080, Yuyv, 5),
        ];
        assert_eq!(
            choose_format(&yuyv_only, 1280, 720),
            Some(o(640, 480, Yuyv, 30))
        );
        assert_eq!(choose_format(&[o(1920, 1080, Mjpeg, 30)], 1280, 720), None);
        assert_eq!(choose_format(&[], 1280, 720), None);
    }
}
