//! Archives a hostile sender could make with central's public recipient: paths out of the bag,
//! links, sizes hidden in pax headers, names too long to hold, repeated entries, and more
//! entries or bytes than any station writes. Each is refused before its bytes are trusted.

use super::verify::{Limits, verify_within};
use super::{Error, Limit, verify_batch};
use std::io::Write;

/// Raw tar bytes, entry by entry, with whatever header fields a test sets (tar::Builder would
/// refuse some of them).
#[derive(Default)]
struct RawTar(Vec<u8>);

impl RawTar {
    fn entry(self, kind: tar::EntryType, name: &[u8], data: &[u8]) -> Self {
        self.entry_sized(kind, name, data, data.len() as u64)
    }

    /// An entry whose header says `size`, followed by `data` padded to 512 bytes.
    fn entry_sized(mut self, kind: tar::EntryType, name: &[u8], data: &[u8], size: u64) -> Self {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self.0.extend_from_slice(data);
        self.0.resize(self.0.len().next_multiple_of(512), 0);
        self
    }

    fn file(self, name: &str, data: &[u8]) -> Self {
        self.entry(tar::EntryType::Regular, name.as_bytes(), data)
    }

    fn link(mut self, kind: tar::EntryType, name: &str, target: &str) -> Self {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..target.len()].copy_from_slice(target.as_bytes());
        h.set_entry_type(kind);
        h.set_size(0);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self
    }

    /// The archive sealed with age to `id`.
    fn sealed(mut self, id: &age::x25519::Identity) -> Vec<u8> {
        self.0.extend_from_slice(&[0; 1024]);
        let recipient = id.to_public();
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .unwrap();
        let mut out = Vec::new();
        let mut w = encryptor.wrap_output(&mut out).unwrap();
        w.write_all(&self.0).unwrap();
        w.finish().unwrap();
        out
    }
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in records {
        let body = format!(" {k}={v}\n");
        // The length counts its own digits.
        let mut len = body.len() + 1;
        while format!("{len}{body}").len() != len {
            len += 1;
        }
        out.extend(format!("{len}{body}").into_bytes());
    }
    out
}

fn refused(tar: RawTar) -> Error {
    refused_within(tar, Limits::BATCH)
}

fn refused_within(tar: RawTar, limits: Limits) -> Error {
    let id = age::x25519::Identity::generate();
    let sealed = tar.sealed(&id);
    verify_within(&sealed[..], &[id], None, &mut |_, _| Ok(()), limits).unwrap_err()
}

#[test]
fn paths_out_of_the_bag_are_refused() {
    for path in [
        "/etc/passwd",
        "data/../../etc/passwd",
        "../x",
        "data/./x",
        "data\\x",
    ] {
        let err = refused(RawTar::default().file(path, b"x"));
        assert!(
            matches!(&err, Error::UnsafePath(p) if p == path),
            "{path}: {err}"
        );
        assert_eq!(err.message_id(), "batch-error-unsafe-entry");
    }
}

#[test]
fn links_devices_and_fifos_are_refused() {
    use tar::EntryType as T;
    for kind in [T::Symlink, T::Link] {
        let err = refused(RawTar::default().link(kind, "data/audit.jsonl", "/etc/shadow"));
        assert!(
            matches!(&err, Error::UnsafeEntryType { path, .. } if path == "data/audit.jsonl"),
            "{kind:?}: {err}"
        );
    }
    for kind in [T::Char, T::Block, T::Fifo, T::XGlobalHeader, T::GNULongLink] {
        let err = refused(RawTar::default().entry(kind, b"data/x", b""));
        assert!(
            matches!(&err, Error::UnsafeEntryType { .. }),
            "{kind:?}: {err}"
        );
    }
}

#[test]
fn a_pax_size_that_differs_from_the_header_is_refused() {
    // The header says 3 bytes, which pass any cap; a pax size would make a reader that honours
    // it take the next gigabyte (here, the rest of the archive) as this file.
    let tar = RawTar::default()
        .entry(
            tar::EntryType::XHeader,
            b"PaxHeaders/x",
            &pax(&[("size", "999999999999")]),
        )
        .file("data/audit.jsonl", b"abc");
    let err = refused(tar);
    assert!(
        matches!(&err, Error::UnsafeEntryType { path, kind } if path == "data/audit.jsonl" && kind == "pax size"),
        "{err}"
    );
}

#[test]
fn pax_and_long_name_entries_are_capped_before_they_are_read() {
    // A long-name entry that claims 8 GiB is refused on its header, before the tar crate would
    // read it all into memory.
    let err = refused(RawTar::default().entry_sized(
        tar::EntryType::GNULongName,
        b"././@LongLink",
        b"",
        8 << 30,
    ));
    assert!(
        matches!(
            err,
            Error::OverLimit {
                what: Limit::Extension,
                limit: 4096
            }
        ),
        "{err}"
    );
    let long_path = format!("data/{}", "a".repeat(5000));
    let err = refused(
        RawTar::default()
            .entry(
                tar::EntryType::XHeader,
                b"PaxHeaders/x",
                &pax(&[("path", &long_path)]),
            )
            .file("data/x", b""),
    );
    assert!(
        matches!(
            err,
            Error::OverLimit {
                what: Limit::Extension,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "batch is larger than kattoo ever writes: bytes in a pax or long-name header over 4096"
    );
    assert_eq!(err.message_id(), "batch-error-over-limit");
}

#[test]
fn a_short_long_name_names_the_entry_and_is_checked_like_any_path() {
    // Within the cap, a GNU long name or a pax path is the entry's path, checked as such.
    let err = refused(
        RawTar::default()
            .entry(
                tar::EntryType::GNULongName,
                b"././@LongLink",
                b"../../etc/cron.d/x\0",
            )
            .file("data/innocent", b"x"),
    );
    assert!(
        matches!(&err, Error::UnsafePath(p) if p == "../../etc/cron.d/x"),
        "{err}"
    );
    let err = refused(
        RawTar::default()
            .entry(
                tar::EntryType::XHeader,
                b"PaxHeaders/x",
                &pax(&[("path", "/etc/passwd")]),
            )
            .file("data/innocent", b"x"),
    );
    assert!(
        matches!(&err, Error::UnsafePath(p) if p == "/etc/passwd"),
        "{err}"
    );
}

#[test]
fn a_repeated_entry_is_refused() {
    let err = refused(
        RawTar::default()
            .file("data/audit.jsonl", b"a")
            .file("data/audit.jsonl", b"b"),
    );
    assert!(
        matches!(&err, Error::DuplicateEntry(p) if p == "data/audit.jsonl"),
        "{err}"
    );
}

#[test]
fn an_oversized_file_is_refused_on_its_header() {
    // The header claims 1 GiB; nothing of it follows, and nothing is read.
    let err = refused(RawTar::default().entry_sized(
        tar::EntryType::Regular,
        b"data/audit.jsonl",
        b"",
        1 << 30,
    ));
    assert!(
        matches!(&err, Error::TooLarge { path, size } if path == "data/audit.jsonl" && *size == 1 << 30),
        "{err}"
    );
}

#[test]
fn entries_bytes_and_held_bytes_have_limits() {
    let limits = Limits {
        entries: 3,
        total_bytes: 100,
        held_bytes: 50,
    };
    let many = (0..4).fold(RawTar::default(), |t, i| {
        t.entry(
            tar::EntryType::Directory,
            format!("data/d{i}/").as_bytes(),
            b"",
        )
    });
    assert!(matches!(
        refused_within(many, limits),
        Error::OverLimit {
            what: Limit::Entries,
            limit: 3
        }
    ));
    let big = RawTar::default()
        .file("data/biometrics/a.png", &[1; 60])
        .file("data/biometrics/b.png", &[2; 60]);
    assert!(matches!(
        refused_within(big, limits),
        Error::OverLimit {
            what: Limit::TotalBytes,
            limit: 100
        }
    ));
    let held = RawTar::default()
        .file("data/records/a.json", &[b'x'; 30])
        .file("data/records/b.json", &[b'y'; 30]);
    assert!(matches!(
        refused_within(held, limits),
        Error::OverLimit {
            what: Limit::HeldBytes,
            limit: 50
        }
    ));
}

#[test]
fn the_batch_limits_are_far_above_a_real_day() {
    // A day's batch of 2,000 citizens: 12 files each, about 1.9 MB each, 4 KB of records.
    let l = Limits::BATCH;
    assert!(l.entries > 2_000 * 13 * 10);
    assert!(l.total_bytes > 2_000 * 1_900_000 * 10);
    assert!(l.held_bytes > 2_000 * 8_000 * 10);
    // The default path goes through the same limits.
    let id = age::x25519::Identity::generate();
    let sealed = RawTar::default().file("/x", b"").sealed(&id);
    assert!(matches!(
        verify_batch(&sealed[..], &[id], None, &mut |_, _| Ok(())),
        Err(Error::UnsafePath(_))
    ));
}
