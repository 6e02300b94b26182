//! Making a file change survive a power cut: after a rename or a new file, the directory that
//! holds it is synced too. Stations run on laptops that lose power; every writer of a file that
//! must not vanish (the station's files, batches, receipts) goes through here.

use std::io;
use std::path::Path;

/// Makes the entries of `dir` (a rename, a new or removed file) durable. File systems that
/// refuse fsync on a directory (vfat on older kernels, as on many USB sticks) are let be.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
        other => other?,
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
