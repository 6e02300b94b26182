//! ISO/IEC 19794-2:2005 minutiae records (templates from other software, central's stored
//! templates): `read` never panics, and a record it accepts is written back and read again to the
//! same value, and the written bytes are a fixed point of read/write.
#![no_main]
use kattoo::matching::iso19794_2::{read, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = read(data) else { return };
    let bytes = write(&record).expect("a record read must be writable");
    assert_eq!(bytes.len(), data.len(), "rewritten record changed length");
    let again = read(&bytes).expect("a written record must read back");
    assert_eq!(again, record, "read(write(record)) differs");
    assert_eq!(write(&again).unwrap(), bytes, "write is not a fixed point");
    // The template view the matcher uses.
    let t = again.into_template();
    assert!(t.minutiae.len() <= 255);
});
