//! Writing a new batch once, to two places at the same time: the copy the station keeps (for
//! `export --again`) and the removable medium.
//!
//! Both go to temporary names first and are synced (the two syncs run at once: on a station they
//! are different devices). Then `before_rename` runs (the station records what it is about to
//! publish), the kept copy is renamed into place, and only then the medium's file, so a final
//! name on the medium always has a durable kept copy behind it. Last, the medium's file is read
//! back under its final name and compared byte for byte with the kept copy (whose SHA-256 was
//! taken as it was written). On failure nothing is left under either final name.

use super::medium::{self, Medium, MediumFile, partial_name};
use super::write::{Contents, WriteFailure, write_batch};
use super::{BatchSource, ProgressFn, Result, io_err};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Where a new batch goes.
pub struct Destination<'a> {
    /// The station's directory of kept batches.
    pub kept_dir: &'a Path,
    pub medium: &'a dyn Medium,
    /// The batch's file name, the same in both places.
    pub name: &'a str,
}

/// Writes every byte to both files; a failure names the file that failed.
struct Tee<'a> {
    kept: File,
    kept_path: PathBuf,
    medium: Box<dyn MediumFile + 'a>,
    medium_path: PathBuf,
}

fn failure(path: &Path, source: io::Error) -> io::Error {
    io::Error::other(WriteFailure {
        path: path.to_owned(),
        source,
    })
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.kept
            .write_all(buf)
            .map_err(|e| failure(&self.kept_path, e))?;
        self.medium
            .write_all(buf)
            .map_err(|e| failure(&self.medium_path, e))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.medium
            .flush()
            .map_err(|e| failure(&self.medium_path, e))
    }
}

/// Writes a new batch to `dest` and returns the SHA-256 of its bytes. `before_rename` gets that
/// hash once both copies are synced and before either is renamed into place.
pub fn write_new_batch(
    dest: &Destination<'_>,
    contents: &Contents<'_>,
    source: &mut dyn BatchSource,
    before_rename: &mut dyn FnMut(&str) -> Result<()>,
    progress: ProgressFn<'_>,
) -> Result<String> {
    let result = write_inner(dest, contents, source, before_rename, progress);
    if result.is_err() {
        let kept = dest.kept_dir.join(dest.name);
        let _ = std::fs::remove_file(dest.kept_dir.join(partial_name(dest.name)));
        let _ = std::fs::remove_file(&kept);
        let _ = dest.medium.remove(&partial_name(dest.name));
        let _ = dest.medium.remove(dest.name);
        let _ = dest.medium.sync_dir();
    }
    result
}

fn write_inner(
    dest: &Destination<'_>,
    contents: &Contents<'_>,
    source: &mut dyn BatchSource,
    before_rename: &mut dyn FnMut(&str) -> Result<()>,
    progress: ProgressFn<'_>,
) -> Result<String> {
    let partial = partial_name(dest.name);
    let kept_partial = dest.kept_dir.join(&partial);
    let kept_final = dest.kept_dir.join(dest.name);
    let medium_partial = dest.medium.path(&partial);
    let tee = Tee {
        kept: File::create(&kept_partial).map_err(io_err("create", &kept_partial))?,
        kept_path: kept_partial.clone(),
        medium: dest
            .medium
            .create(&partial)
            .map_err(io_err("create", &medium_partial))?,
        medium_path: medium_partial.clone(),
    };
    let (tee, sha256) = write_batch(tee, contents, source, progress)?;
    let Tee {
        kept, mut medium, ..
    } = tee;
    std::thread::scope(|s| -> Result<()> {
        let kept_sync = s.spawn(|| kept.sync_all());
        medium.sync().map_err(io_err("sync", &medium_partial))?;
        kept_sync
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("sync thread panicked")))
            .map_err(io_err("sync", &kept_partial))
    })?;
    drop(medium);
    before_rename(&sha256)?;
    std::fs::rename(&kept_partial, &kept_final).map_err(io_err("rename", &kept_final))?;
    medium::sync_dir(dest.kept_dir).map_err(io_err("sync", dest.kept_dir))?;
    dest.medium
        .rename(&partial, dest.name)
        .map_err(io_err("rename into place", dest.medium.path(dest.name)))?;
    dest.medium
        .sync_dir()
        .map_err(io_err("sync", dest.medium.path("")))?;
    let total = std::fs::metadata(&kept_final)
        .map_err(io_err("read", &kept_final))?
        .len();
    // The kept copy was hashed as it was written; the stick must hold the same bytes.
    medium::read_back(
        dest.medium,
        dest.name,
        medium::Expected::SameAs(&kept_final),
        total,
        progress,
    )?;
    Ok(sha256)
}
