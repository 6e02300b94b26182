//! Reading a batch's tar raw and within limits: entry types, paths and sizes are checked before
//! anything is read, and a pax extension or GNU long name is capped before it is held.

use super::super::{Error, Limit, Result};
use std::io::{self, Read};

pub(super) fn damaged(e: io::Error) -> Error {
    Error::Truncated(e)
}

/// What a batch may hold at most. Far above what any station writes, these bound what a file
/// made by anyone holding central's public recipient can make the verifier hold or read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Tar entries, directories included (a day's batch of 2,000 citizens has about 26,000).
    pub entries: u64,
    /// Bytes of all files together (2,000 real-size citizens are about 3.8 GB).
    pub total_bytes: u64,
    /// Bytes of the non-biometric files, which are kept in memory until the end.
    pub held_bytes: u64,
}

impl Limits {
    pub(crate) const BATCH: Limits = Limits {
        entries: 1_000_000,
        total_bytes: 256 << 30,
        held_bytes: 512 << 20,
    };
}

/// The largest pax extension or GNU long-name entry accepted: a path kattoo writes is under 100
/// bytes, and a name may not make the reader hold an attacker's gigabytes.
const MAX_EXTENSION: u64 = 4096;

/// Walks the tar, checking every entry's type, path and size against `limits`, and hands each
/// regular file to `file` with its real size (pax `size` included) and a reader capped at it.
///
/// Entries are read raw, so that a pax extension or a GNU long name is checked for size before
/// it is read: the tar crate would otherwise read either whole into memory first.
pub(super) fn walk<R: Read>(
    plain: R,
    limits: Limits,
    mut file: impl FnMut(String, &mut dyn Read, u64) -> Result<()>,
) -> Result<()> {
    let mut archive = tar::Archive::new(plain);
    let mut count = 0u64;
    let mut total = 0u64;
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax: Option<Vec<u8>> = None;
    for entry in archive.entries().map_err(damaged)?.raw(true) {
        let mut entry = entry.map_err(damaged)?;
        count += 1;
        if count > limits.entries {
            return Err(Error::OverLimit {
                what: Limit::Entries,
                limit: limits.entries,
            });
        }
        let kind = entry.header().entry_type();
        let header_size = entry.header().size().map_err(damaged)?;
        if kind.is_gnu_longname() || kind.is_pax_local_extensions() {
            if header_size > MAX_EXTENSION {
                return Err(Error::OverLimit {
                    what: Limit::Extension,
                    limit: MAX_EXTENSION,
                });
            }
            let slot = if kind.is_gnu_longname() {
                &mut long_name
            } else {
                &mut pax
            };
            if slot.is_some() {
                return Err(Error::UnsafeEntryType {
                    path: String::new(),
                    kind: format!("{kind:?} twice"),
                });
            }
            let mut bytes = Vec::new();
            (&mut entry)
                .take(MAX_EXTENSION)
                .read_to_end(&mut bytes)
                .map_err(damaged)?;
            *slot = Some(bytes);
            continue;
        }
        let (name, extensions) = (long_name.take(), pax.take());
        let mut path_bytes = match name {
            Some(mut n) => {
                if n.last() == Some(&0) {
                    n.pop();
                }
                n
            }
            None => entry.path_bytes().into_owned(),
        };
        let mut size = header_size;
        for ext in tar::PaxExtensions::new(extensions.as_deref().unwrap_or_default()) {
            let ext = ext.map_err(damaged)?;
            match ext.key_bytes() {
                b"path" => path_bytes = ext.value_bytes().to_vec(),
                b"size" => {
                    size = ext
                        .value()
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(u64::MAX)
                }
                _ => {}
            }
        }
        let path = String::from_utf8(path_bytes).map_err(|_| Error::NonUtf8Path)?;
        if path.starts_with('/')
            || path.split('/').any(|c| c == ".." || c == ".")
            || path.contains('\\')
            || path.contains('\0')
        {
            return Err(Error::UnsafePath(path));
        }
        // The entry's data in the archive is the header's size; a pax size that says otherwise
        // is how a file hides its length from a reader that trusts the header.
        if size != header_size {
            return Err(Error::UnsafeEntryType {
                path,
                kind: "pax size".into(),
            });
        }
        match kind {
            tar::EntryType::Directory => {}
            tar::EntryType::Regular => {
                total = total.saturating_add(size);
                if total > limits.total_bytes {
                    return Err(Error::OverLimit {
                        what: Limit::TotalBytes,
                        limit: limits.total_bytes,
                    });
                }
                file(path, &mut (&mut entry).take(size), size)?;
            }
            other => {
                return Err(Error::UnsafeEntryType {
                    path,
                    kind: format!("{other:?}"),
                });
            }
        }
    }
    if long_name.is_some() || pax.is_some() {
        return Err(Error::Truncated(io::ErrorKind::UnexpectedEof.into()));
    }
    // Drain to the end so that a truncated age stream is noticed (its last chunk is marked).
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(damaged)?;
    Ok(())
}
