//! The STREAM preview: an HTTP body in `multipart/x-mixed-replace` (M-JPEG), split into JPEG
//! parts and decoded into [`Frame`]s. Parts may carry a `Content-Length` or not; without one the
//! part ends at the next boundary line. Frames larger than 16 MiB are refused.

use crate::hal::{DeviceError, ErrorKind, Frame, Result};
use std::io::{BufRead, BufReader, Read};

const MAX_PART: usize = 16 * 1024 * 1024;
const MAX_HEADER_LINE: usize = 8 * 1024;

/// A live M-JPEG stream.
pub struct MjpegStream {
    reader: BufReader<Box<dyn Read + Send>>,
    boundary: Vec<u8>,
    at_part: bool,
}

impl std::fmt::Debug for MjpegStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "MjpegStream(boundary {:?})",
            String::from_utf8_lossy(&self.boundary)
        )
    }
}

fn io_error(e: std::io::Error) -> DeviceError {
    use std::io::ErrorKind as Io;
    let kind = match e.kind() {
        Io::TimedOut | Io::WouldBlock => ErrorKind::Timeout,
        _ => ErrorKind::Disconnected,
    };
    DeviceError::new(kind, format!("sbi stream: {e}"))
}

fn ended() -> DeviceError {
    DeviceError::new(
        ErrorKind::Disconnected,
        "sbi stream: the device ended the preview stream",
    )
}

fn garbage(what: &str) -> DeviceError {
    DeviceError::new(ErrorKind::Other, format!("sbi stream: {what}"))
}

impl MjpegStream {
    /// A stream over `reader`, whose `Content-Type` header names the boundary.
    pub fn new(reader: impl Read + Send + 'static, content_type: &str) -> Result<Self> {
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()
            .map(|b| b.trim_matches('"').trim_start_matches("--").to_string())
            .filter(|b| !b.is_empty())
            .ok_or_else(|| {
                garbage(&format!(
                    "no multipart boundary in content type {content_type:?}"
                ))
            })?;
        Ok(Self {
            reader: BufReader::new(Box::new(reader)),
            boundary: format!("--{boundary}").into_bytes(),
            at_part: false,
        })
    }

    /// Reads one line (without CR LF), bounded in length. `None` at end of stream.
    fn line(&mut self) -> Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let n = (&mut self.reader)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(io_error)?;
        if n == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") && line.len() >= MAX_HEADER_LINE {
            return Err(garbage("header line too long"));
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(Some(line))
    }

    /// The next JPEG part's bytes.
    pub fn next_jpeg(&mut self) -> Result<Vec<u8>> {
        // Find the boundary (skipping the preamble or the CR LF after the previous part).
        while !self.at_part {
            let line = self.line()?.ok_or_else(ended)?;
            if line.starts_with(&self.boundary) {
                if line[self.boundary.len()..].starts_with(b"--") {
                    return Err(ended());
                }
                self.at_part = true;
            }
        }
        let mut length = None;
        loop {
            let line = self.line()?.ok_or_else(ended)?;
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            if let Some((name, value)) = text.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                let n: usize = value
                    .trim()
                    .parse()
                    .map_err(|_| garbage("bad part Content-Length"))?;
                if n > MAX_PART {
                    return Err(garbage("preview frame larger than 16 MiB"));
                }
                length = Some(n);
            }
        }
        self.at_part = false;
        match length {
            Some(n) => {
                let mut data = vec![0; n];
                self.reader.read_exact(&mut data).map_err(io_error)?;
                Ok(data)
            }
            None => self.read_to_boundary(),
        }
    }

    /// Reads a part without a length: everything up to the next "CR LF boundary".
    fn read_to_boundary(&mut self) -> Result<Vec<u8>> {
        let mut data = Vec::new();
        loop {
            let n = (&mut self.reader)
                .take(64 * 1024)
                .read_until(b'\n', &mut data)
                .map_err(io_error)?;
            if n == 0 {
                return Err(ended());
            }
            if data.len() > MAX_PART {
                return Err(garbage("preview frame larger than 16 MiB"));
            }
            // The boundary line starts right after the last "\n"; check what precedes this one.
            let end = data.len();
            let line_start = data[..end - 1]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = &data[line_start..end];
            let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            if line_start > 0 && trimmed.starts_with(&self.boundary) {
                let last = trimmed[self.boundary.len()..].starts_with(b"--");
                data.truncate(line_start);
                while matches!(data.last(), Some(b'\n' | b'\r')) {
                    data.pop();
                }
                self.at_part = !last;
                if last {
                    // The stream ends after this part; the next call reports it.
                    self.reader = BufReader::new(Box::new(std::io::empty()));
                }
                return Ok(data);
            }
        }
    }

    /// The next frame, decoded to RGB8.
    pub fn next_frame(&mut self) -> Result<Frame> {
        let jpeg = self.next_jpeg()?;
        let img = crate::domain::imaging::decode(&jpeg, Some(image::ImageFormat::Jpeg))
            .map_err(|e| garbage(&format!("preview frame is not a JPEG: {e}")))?
            .into_rgb8();
        Ok(Frame::new(
            img.width(),
            img.height(),
            img.into_raw(),
            preview_source("sbi:stream"),
        ))
    }
}

/// A preview frame is not signed (SBI signs captures, not streams): it is shown, never kept.
pub fn preview_source(device: impl Into<String>) -> crate::hal::Provenance {
    crate::hal::Provenance {
        device: device.into(),
        trust: crate::hal::Trust::Unverified {
            reason: "an SBI preview frame is not signed".into(),
        },
    }
}

impl Iterator for MjpegStream {
    type Item = Result<Frame>;
    fn next(&mut self) -> Option<Result<Frame>> {
        match self.next_frame() {
            Err(e) if e.kind() == ErrorKind::Disconnected => None,
            other => Some(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            w,
            h,
            image::Rgb([10, 200, 30]),
        ))
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    }

    #[test]
    fn parts_with_and_without_length() {
        let a = jpeg(16, 8);
        let b = jpeg(8, 4);
        let mut body =
            b"preamble\r\n--xyz\r\nContent-Type: image/jpeg\r\nContent-Length: ".to_vec();
        body.extend_from_slice(format!("{}\r\n\r\n", a.len()).as_bytes());
        body.extend_from_slice(&a);
        body.extend_from_slice(b"\r\n--xyz\r\nContent-Type: image/jpeg\r\n\r\n");
        body.extend_from_slice(&b);
        body.extend_from_slice(b"\r\n--xyz--\r\n");
        let mut s = MjpegStream::new(
            std::io::Cursor::new(body),
            "multipart/x-mixed-replace; boundary=\"xyz\"",
        )
        .unwrap();
        assert_eq!(s.next_jpeg().unwrap(), a);
        let f = s.next_frame().unwrap();
        assert_eq!((f.width, f.height), (8, 4));
        assert_eq!(s.next_frame().unwrap_err().kind(), ErrorKind::Disconnected);
    }

    #[test]
    fn garbage_streams_are_errors() {
        assert!(MjpegStream::new(std::io::empty(), "image/jpeg").is_err());
        let mut s = MjpegStream::new(
            std::io::Cursor::new(b"--b\r\nContent-Length: 5\r\n\r\nnotjp\r\n".to_vec()),
            "multipart/x-mixed-replace;boundary=b",
        )
        .unwrap();
        assert_eq!(s.next_frame().unwrap_err().kind(), ErrorKind::Other);
        let mut s = MjpegStream::new(
            std::io::Cursor::new(b"--b\r\nContent-Length: 99\r\n\r\nshort".to_vec()),
            "multipart/x-mixed-replace;boundary=b",
        )
        .unwrap();
        assert_eq!(s.next_jpeg().unwrap_err().kind(), ErrorKind::Disconnected);
        let mut s = MjpegStream::new(
            std::io::Cursor::new(b"--b\r\nContent-Length: 99999999999\r\n\r\n".to_vec()),
            "multipart/x-mixed-replace;boundary=b",
        )
        .unwrap();
        assert_eq!(s.next_jpeg().unwrap_err().kind(), ErrorKind::Other);
    }
}
