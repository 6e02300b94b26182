//! Writing a finished batch to removable media (FAT/exFAT USB sticks) so that a failure at any
//! point — medium full, pulled out, read-only — leaves no file under the final name.
//!
//! The payload goes to a temporary name, is synced, then renamed to the final name and the
//! directory synced; the file is then read back under its final name and compared with what was
//! written (its SHA-256, or the local file it was written beside).
//! On any failure both names are removed (best effort). [`Medium`] is a trait so that tests can
//! inject a stick that fails after N bytes or returns different bytes on read-back.

use super::{Error, Progress, ProgressFn, Result, Stage, io_err};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// An open file on a medium.
pub trait MediumFile: Write + Send {
    /// Flushes the file's data and metadata to the device.
    fn sync(&mut self) -> io::Result<()>;
}

impl MediumFile for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_all()
    }
}

/// A directory on a medium, addressed by file name.
pub trait Medium {
    /// The path a name stands for (for messages).
    fn path(&self, name: &str) -> PathBuf;
    /// Creates (or truncates) a file.
    fn create(&self, name: &str) -> io::Result<Box<dyn MediumFile + '_>>;
    /// Renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;
    /// Makes a rename durable.
    fn sync_dir(&self) -> io::Result<()>;
    /// Opens a file for reading.
    fn open(&self, name: &str) -> io::Result<Box<dyn Read + '_>>;
    /// Removes a file; a missing file is not an error.
    fn remove(&self, name: &str) -> io::Result<()>;
}

/// A plain directory, e.g. the mount point of a USB stick.
#[derive(Debug, Clone)]
pub struct DirMedium(pub PathBuf);

impl Medium for DirMedium {
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn create(&self, name: &str) -> io::Result<Box<dyn MediumFile + '_>> {
        Ok(Box::new(File::create(self.0.join(name))?))
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        std::fs::rename(self.0.join(from), self.0.join(to))
    }
    fn sync_dir(&self) -> io::Result<()> {
        sync_dir(&self.0)
    }
    fn open(&self, name: &str) -> io::Result<Box<dyn Read + '_>> {
        let file = File::open(self.0.join(name))?;
        forget_cached(&file);
        Ok(Box::new(file))
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        match std::fs::remove_file(self.0.join(name)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// Makes a directory's entries durable (see [`crate::durable::sync_dir`]).
pub use crate::durable::sync_dir;

/// Asks the kernel to drop its cached pages of a synced file, so that reading it back reads
/// the device rather than memory. Advice only: where it is not supported, nothing happens.
fn forget_cached(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: posix_fadvise only reads its integer arguments; the descriptor is open.
        unsafe {
            libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// What ends the temporary name of a file not yet renamed to its own name.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// The temporary name a file is written under before it is renamed to `name`.
pub fn partial_name(name: &str) -> String {
    format!("{name}{PARTIAL_SUFFIX}")
}

const CHUNK: usize = 1 << 20;

/// Copies the local file `source` (whose SHA-256 is `sha256`) to `name` on `medium`, payload
/// first, synced, renamed last, then read back and compared. On failure nothing is left under
/// `name` (nor the temporary name, as far as the medium still lets us remove it).
pub fn copy_to_medium(
    medium: &dyn Medium,
    source: &Path,
    name: &str,
    sha256: &str,
    progress: ProgressFn<'_>,
) -> Result<()> {
    let partial = partial_name(name);
    let result = copy_inner(medium, source, name, &partial, sha256, progress);
    if result.is_err() {
        let _ = medium.remove(&partial);
        let _ = medium.remove(name);
        let _ = medium.sync_dir();
    }
    result
}

fn copy_inner(
    medium: &dyn Medium,
    source: &Path,
    name: &str,
    partial: &str,
    sha256: &str,
    progress: ProgressFn<'_>,
) -> Result<()> {
    let total = std::fs::metadata(source)
        .map_err(io_err("read", source))?
        .len();
    let mut input = File::open(source).map_err(io_err("read", source))?;
    let target = medium.path(partial);
    let mut out = medium.create(partial).map_err(io_err("create", &target))?;
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(io_err("read", source))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n]).map_err(io_err("write", &target))?;
        done += n as u64;
        progress(Progress {
            stage: Stage::Copying,
            done,
            total,
        });
    }
    out.flush().map_err(io_err("write", &target))?;
    out.sync().map_err(io_err("sync", &target))?;
    drop(out);
    medium
        .rename(partial, name)
        .map_err(io_err("rename into place", medium.path(name)))?;
    medium.sync_dir().map_err(io_err("sync", medium.path("")))?;

    read_back(medium, name, Expected::Sha256(sha256), total, progress)
}

/// What a file read back from a medium must equal.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    /// Lowercase hex SHA-256 of what was written.
    Sha256(&'a str),
    /// A local file written from the same bytes at the same time (the export's kept copy, whose
    /// SHA-256 was taken as it was written), compared byte for byte. Reading a second file costs
    /// a fraction of hashing the first again.
    SameAs(&'a Path),
}

/// Reads `name` back from `medium` and compares it with what was written, and its length with
/// `total`.
pub fn read_back(
    medium: &dyn Medium,
    name: &str,
    expected: Expected<'_>,
    total: u64,
    progress: ProgressFn<'_>,
) -> Result<()> {
    let final_path = medium.path(name);
    let mut back = medium
        .open(name)
        .map_err(io_err("read back", &final_path))?;
    let mut check = match expected {
        Expected::Sha256(sha256) => Check::Digest(Sha256::new(), sha256),
        Expected::SameAs(local) => Check::Bytes(
            File::open(local).map_err(io_err("read", local))?,
            local,
            vec![0u8; CHUNK],
        ),
    };
    let mut buf = vec![0u8; CHUNK];
    let mut read = 0u64;
    loop {
        let n = back
            .read(&mut buf)
            .map_err(io_err("read back", &final_path))?;
        if n == 0 {
            break;
        }
        if !check.update(&buf[..n])? {
            return Err(Error::ReadBack(final_path));
        }
        read += n as u64;
        progress(Progress {
            stage: Stage::ReadingBack,
            done: read,
            total,
        });
    }
    if !check.finish()? || read != total {
        return Err(Error::ReadBack(final_path));
    }
    Ok(())
}

/// The comparison under way in [`read_back`].
enum Check<'a> {
    Digest(Sha256, &'a str),
    Bytes(File, &'a Path, Vec<u8>),
}

impl Check<'_> {
    /// Takes the next bytes read back; `false` once they differ.
    fn update(&mut self, bytes: &[u8]) -> Result<bool> {
        match self {
            Check::Digest(hasher, _) => {
                hasher.update(bytes);
                Ok(true)
            }
            Check::Bytes(local, path, buf) => {
                let theirs = &mut buf[..bytes.len()];
                match local.read_exact(theirs) {
                    Ok(()) => Ok(theirs == bytes),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
                    Err(e) => Err(io_err("read", *path)(e)),
                }
            }
        }
    }

    /// Whether everything read back matched, the whole of the local file included.
    fn finish(self) -> Result<bool> {
        match self {
            Check::Digest(hasher, sha256) => Ok(hex::encode(hasher.finalize()) == sha256),
            Check::Bytes(mut local, path, mut buf) => {
                let rest = local.read(&mut buf[..1]).map_err(io_err("read", path))?;
                Ok(rest == 0)
            }
        }
    }
}
