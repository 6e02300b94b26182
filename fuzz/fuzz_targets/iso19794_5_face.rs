//! ISO/IEC 19794-5:2011 face image records as SBI cameras send them: `decode` never panics, an
//! accepted record encodes and decodes back to the same value, and the first representation's
//! image decodes to RGB of the right length or is refused.
#![no_main]
use kattoo::iso19794::FaceRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = FaceRecord::decode(data) else {
        return;
    };
    let bytes = record.encode().expect("a decoded record must encode");
    let again = FaceRecord::decode(&bytes).expect("an encoded record must decode");
    assert_eq!(again, record, "decode(encode(record)) differs");
    // Only the certification flag and temporal semantics (offsets 14..17) are not kept.
    assert_eq!(bytes.len(), data.len());
    assert_eq!(bytes[..14], data[..14]);
    assert_eq!(bytes[17..], data[17..]);
    for rep in record.representations.iter().take(2) {
        let _ = rep.quality_score();
        if let Ok((w, h, rgb)) = rep.decode_rgb() {
            assert_eq!(rgb.len(), w as usize * h as usize * 3);
        }
    }
});
