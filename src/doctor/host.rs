//! Checks of the machine around the station: the data directory's owner and mode, and the free
//! space on its filesystem. None needs the passphrase.

use super::{Check, Limits, Status};
use std::path::Path;

/// Free and total space of a filesystem, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeSpace {
    /// Bytes an unprivileged process may still write.
    pub available: u64,
    pub total: u64,
}

/// The free space of the filesystem holding `path` (or, while `path` does not exist yet, its
/// nearest existing parent).
#[cfg(unix)]
pub fn free_space(path: &Path) -> std::io::Result<FreeSpace> {
    use std::os::unix::ffi::OsStrExt;
    let existing = path
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let c_path = std::ffi::CString::new(existing.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `statvfs` is plain old data that the call fills in; `c_path` is NUL-terminated
    // and outlives the call.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let unit = stat.f_frsize as u64;
    Ok(FreeSpace {
        available: stat.f_bavail as u64 * unit,
        total: stat.f_blocks as u64 * unit,
    })
}

/// The free space of the filesystem holding `path` (not measured on this platform).
#[cfg(not(unix))]
pub fn free_space(_path: &Path) -> std::io::Result<FreeSpace> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "free space is not measured on this platform",
    ))
}

const MIB: u64 = 1024 * 1024;

/// The `disk-space` check.
pub(super) fn disk_space(dir: &Path, limits: &Limits) -> Check {
    const NAME: &str = "disk-space";
    let space = match free_space(dir) {
        Ok(space) => space,
        Err(e) => {
            return Check::new(
                NAME,
                Status::Warn,
                format!("cannot measure the free space at {}: {e}", dir.display()),
            );
        }
    };
    let free = space.available / MIB;
    let total = space.total / MIB;
    let warn_below = limits.warn_free_mib.max(limits.min_free_mib);
    if free < limits.min_free_mib {
        Check::new(
            NAME,
            Status::Fail,
            format!(
                "{free} MiB free of {total} MiB, below the minimum of {} MiB: the next enrollment may not fit; \
                 export approved records, move old backups off the station or free space on the disk",
                limits.min_free_mib
            ),
        )
    } else if free < warn_below {
        Check::new(
            NAME,
            Status::Warn,
            format!(
                "{free} MiB free of {total} MiB, below {warn_below} MiB: export approved records and \
                 move old backups off the station soon"
            ),
        )
    } else {
        Check::new(NAME, Status::Ok, format!("{free} MiB free of {total} MiB"))
    }
}

/// Why the database must not be opened by this process, if it must not: a user other than the
/// directory's owner would leave files behind (WAL, logs) that the kiosk then cannot write.
pub(super) fn foreign_owner(dir: &Path) -> Option<String> {
    let owner = owner_of(dir)?;
    let me = effective_uid()?;
    (owner != me).then(|| {
        format!(
            "the data directory belongs to {} but doctor runs as {}: run it as the owner \
             (sudo -u {} env KATTOO_DATA_DIR={} kattoo doctor) so that no station file changes owner",
            user_label(owner),
            user_label(me),
            user_name(owner).unwrap_or_else(|| format!("#{owner}")),
            dir.display(),
        )
    })
}

/// The `data-dir` check: exists, is a directory, mode 0700, owned by the user running kattoo.
pub(super) fn data_dir(dir: &Path) -> Check {
    const NAME: &str = "data-dir";
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Check::new(
                NAME,
                Status::Warn,
                format!(
                    "{} does not exist yet: the kiosk creates it at first setup",
                    dir.display()
                ),
            );
        }
        Err(e) => {
            return Check::new(
                NAME,
                Status::Fail,
                format!(
                    "cannot look at {}: {e}; check the path and its permissions",
                    dir.display()
                ),
            );
        }
    };
    if !meta.is_dir() {
        return Check::new(
            NAME,
            Status::Fail,
            format!(
                "{} is not a directory: move it away and set the station up again",
                dir.display()
            ),
        );
    }
    permissions(dir, &meta)
}

#[cfg(unix)]
fn permissions(dir: &Path, meta: &std::fs::Metadata) -> Check {
    use std::os::unix::fs::MetadataExt;
    const NAME: &str = "data-dir";
    let mode = meta.mode() & 0o7777;
    let owner = user_label(meta.uid());
    if mode & 0o077 != 0 {
        return Check::new(
            NAME,
            Status::Fail,
            format!(
                "{} has mode {mode:04o}: other users can reach the station files; run `chmod 700 {}`",
                dir.display(),
                dir.display()
            ),
        );
    }
    if let Some(problem) = foreign_owner(dir) {
        return Check::new(NAME, Status::Warn, problem);
    }
    Check::new(
        NAME,
        Status::Ok,
        format!("{}: mode {mode:04o}, owner {owner}", dir.display()),
    )
}

#[cfg(not(unix))]
fn permissions(dir: &Path, _meta: &std::fs::Metadata) -> Check {
    Check::new(
        "data-dir",
        Status::Ok,
        format!(
            "{} exists (permissions are not checked on this platform)",
            dir.display()
        ),
    )
}

#[cfg(unix)]
fn owner_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.uid())
}

#[cfg(not(unix))]
fn owner_of(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn effective_uid() -> Option<u32> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    Some(unsafe { libc::geteuid() })
}

#[cfg(not(unix))]
fn effective_uid() -> Option<u32> {
    None
}

/// The login of `uid` from `/etc/passwd`, if it has one there.
fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_owned())
    })
}

/// `kattoo (uid 998)`, or `uid 998` for a user without a name.
fn user_label(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}
