//! ISO/IEC 19794-4:2011 finger image records as SBI devices send them: `decode` never panics,
//! an accepted record encodes and decodes back to the same value, and every representation's
//! image decodes or is refused (never a panic, never a size other than the header's).
#![no_main]
use kattoo::iso19794::FingerRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = FingerRecord::decode(data) else {
        return;
    };
    let bytes = record.encode().expect("a decoded record must encode");
    let again = FingerRecord::decode(&bytes).expect("an encoded record must decode");
    assert_eq!(again, record, "decode(encode(record)) differs");
    // Only the certification flag (offset 14, read as "not zero", written 0 or 1) and the
    // derived finger-position count (offset 15) may differ from the input.
    assert_eq!(bytes.len(), data.len());
    assert_eq!(bytes[..14], data[..14]);
    assert_eq!(bytes[14], u8::from(data[14] != 0));
    assert_eq!(bytes[16..], data[16..]);
    for rep in record.representations.iter().take(4) {
        let _ = rep.ppi();
        let _ = rep.position();
        if let Ok(img) = rep.decode_image() {
            assert_eq!(
                (img.width, img.height),
                (u32::from(rep.width), u32::from(rep.height))
            );
            assert_eq!(img.pixels.len(), img.width as usize * img.height as usize);
        }
    }
});
