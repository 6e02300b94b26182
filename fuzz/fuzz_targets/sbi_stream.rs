//! The SBI STREAM preview (multipart M-JPEG from the device service): the input's first line is
//! the Content-Type header, the rest the body. Reading parts and decoding frames never panics,
//! never loops forever, and no part is over 16 MiB.
#![no_main]
use kattoo::hal::sbi::MjpegStream;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(content_type) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let body = data.get(split + 1..).unwrap_or_default().to_vec();
    let decode = content_type.len() % 2 == 0;
    let Ok(mut stream) = MjpegStream::new(std::io::Cursor::new(body), content_type) else {
        return;
    };
    // Every part consumes input, so the parts are fewer than the bytes.
    for _ in 0..=data.len() {
        let part = if decode {
            stream.next_frame().map(|f| {
                assert_eq!(f.rgb.len(), f.width as usize * f.height as usize * 3);
            })
        } else {
            stream
                .next_jpeg()
                .map(|jpeg| assert!(jpeg.len() <= 16 << 20))
        };
        if part.is_err() && !decode {
            return;
        }
        if let Err(e) = part
            && e.kind() == kattoo::hal::ErrorKind::Disconnected
        {
            return;
        }
    }
    panic!("more parts than input bytes");
});
