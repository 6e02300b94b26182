//! Finding the USB sticks a batch can go to: the mounted file systems of the kinds sticks carry
//! (FAT, exFAT, NTFS, ext2/3/4) under the places desktops and udisks mount them (`/media`,
//! `/run/media`, `/mnt`), read from the mount table (`/proc/mounts`; a test names its own file).

use std::path::{Path, PathBuf};

/// The mount table of a Linux system.
pub const MOUNT_TABLE: &str = "/proc/mounts";

/// File systems a removable medium is formatted with.
const KINDS: &[&str] = &[
    "vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "ext2", "ext3", "ext4",
];

/// Where removable media are mounted.
const PLACES: &[&str] = &["/media", "/run/media", "/mnt"];

/// A mounted medium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountedMedium {
    /// The device, e.g. `/dev/sdb1`.
    pub device: String,
    /// Where it is mounted.
    pub path: PathBuf,
    /// Its file system, e.g. `vfat`.
    pub fs: String,
    /// Mounted read-only: a batch cannot be written to it.
    pub read_only: bool,
}

/// The removable media listed in mount-table text (`device mountpoint fstype options …` a line,
/// spaces in names written as `\040`).
pub fn removable_media(table: &str) -> Vec<MountedMedium> {
    table
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let device = unescape(parts.next()?);
            let path = PathBuf::from(unescape(parts.next()?));
            let fs = parts.next()?.to_owned();
            let options = parts.next().unwrap_or("");
            let under = PLACES
                .iter()
                .any(|place| path.starts_with(place) && path != Path::new(place));
            (KINDS.contains(&fs.as_str()) && under).then(|| MountedMedium {
                device,
                path,
                fs,
                read_only: options.split(',').any(|o| o == "ro"),
            })
        })
        .collect()
}

/// Reads the mount table at `path` (an unreadable table lists nothing).
pub fn read_removable_media(path: &Path) -> Vec<MountedMedium> {
    std::fs::read_to_string(path)
        .map(|t| removable_media(&t))
        .unwrap_or_default()
}

/// Undoes the octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 4 <= bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let value = bytes[i + 1..i + 4]
                .iter()
                .fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
            if let Ok(byte) = u8::try_from(value) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime,fmask=0077 0 0
tmpfs /run/user/1000 tmpfs rw,nosuid,nodev 0 0
/dev/sdb1 /media/kattoo/KATTOO\\040USB vfat rw,nosuid,nodev,relatime,uid=1000 0 0
/dev/sdc1 /run/media/supervisor/STICK exfat ro,nosuid,nodev,relatime 0 0
/dev/sdd1 /mnt/backup ext4 rw,relatime 0 0
/dev/sde1 /mnt ext4 rw,relatime 0 0
server:/share /mnt/nfs nfs4 rw 0 0
/dev/sdf1 /media/ВЫБОРЫ ntfs3 rw 0 0
";

    #[test]
    fn only_removable_file_systems_in_the_usual_places_are_listed() {
        let media = removable_media(TABLE);
        let paths: Vec<&Path> = media.iter().map(|m| m.path.as_path()).collect();
        assert_eq!(
            paths,
            [
                Path::new("/media/kattoo/KATTOO USB"),
                Path::new("/run/media/supervisor/STICK"),
                Path::new("/mnt/backup"),
                Path::new("/media/ВЫБОРЫ"),
            ]
        );
        assert_eq!(media[0].device, "/dev/sdb1");
        assert_eq!(media[0].fs, "vfat");
        assert!(!media[0].read_only);
        assert!(media[1].read_only);
    }

    #[test]
    fn a_table_from_a_file_and_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mounts");
        std::fs::write(&path, TABLE).unwrap();
        assert_eq!(read_removable_media(&path).len(), 4);
        assert!(read_removable_media(&dir.path().join("none")).is_empty());
        assert_eq!(unescape("a\\134b\\040c\\"), "a\\b c\\");
    }
}
