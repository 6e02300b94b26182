//! The maintainer scripts: shape, and the preinst backup run for real on a scratch directory.

use super::*;

#[test]
fn maintainer_scripts_are_sh_with_the_debhelper_token_and_parse() {
    for name in ["preinst", "postinst", "postrm"] {
        let path = repo(&format!("{SCRIPTS}/{name}"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"), "{name}");
        assert!(text.contains("\nset -e\n"), "{name}");
        assert_eq!(text.matches("#DEBHELPER#").count(), 1, "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "{name} is executable");
        }
        let status = Command::new("sh").arg("-n").arg(&path).status().unwrap();
        assert!(status.success(), "{name} does not parse");
    }
    let postinst = read(&format!("{SCRIPTS}/postinst"));
    assert!(postinst.contains("install -d -m 0700 \"$DATA\""));
    assert!(postinst.contains("chown kattoo:kattoo \"$DATA\""));
    assert!(
        postinst.contains("[ -d /run/systemd/system ]"),
        "no systemd in containers and CI"
    );
    let preinst = read(&format!("{SCRIPTS}/preinst"));
    assert!(preinst.contains("    upgrade)\n        backup \"$2\""));
    assert!(preinst.contains("for file in kattoo.db kattoo.db-wal kdf.json config.toml; do"));
    assert!(preinst.contains("deb-systemd-invoke stop kattoo-kiosk.service"));
    let postrm = read(&format!("{SCRIPTS}/postrm"));
    assert!(
        postrm.contains("if [ -e \"$DATA/kattoo.db\" ] || [ -d \"$DATA/backups\" ]; then"),
        "purge never deletes a station database"
    );
}

/// Runs the maintainer scripts' upgrade path against a scratch data directory: the backup is
/// taken, holds the database files, and only the newest three are kept.
#[cfg(unix)]
#[test]
fn preinst_backs_up_the_database_before_an_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("var/lib/kattoo");
    std::fs::create_dir_all(&data).unwrap();
    for (file, bytes) in [
        ("kattoo.db", "db"),
        ("kattoo.db-wal", "wal"),
        ("kdf.json", "{}"),
    ] {
        std::fs::write(data.join(file), bytes).unwrap();
    }
    let script = read(&format!("{SCRIPTS}/preinst"))
        .replace("DATA=/var/lib/kattoo", &format!("DATA={}", data.display()))
        .replace("[ -d /run/systemd/system ]", "false");
    let run = |version: &str| {
        let said = crate::util::succeeded(
            Command::new("sh")
                .arg("-c")
                .arg(&script)
                .arg("preinst")
                .args(["upgrade", version]),
        );
        String::from_utf8(said).unwrap()
    };
    let said = run("0.0.9-1");
    let backups: Vec<PathBuf> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    let backup = &backups[0];
    assert!(
        backup
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("-kattoo-0.0.9-1")
    );
    assert!(
        said.contains(&format!("backed up to {}", backup.display())),
        "{said}"
    );
    assert_eq!(std::fs::read(backup.join("kattoo.db")).unwrap(), b"db");
    assert_eq!(std::fs::read(backup.join("kattoo.db-wal")).unwrap(), b"wal");
    assert!(!backup.join("config.toml").exists());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("backups"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    // Names start with the time in seconds: wait out the second so that they differ.
    for version in ["0.1.0-1", "0.1.1-1", "0.1.2-1"] {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        run(version);
    }
    let mut left: Vec<String> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .map(|n| n.split_once("-kattoo-").unwrap().1.to_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["0.1.0-1", "0.1.1-1", "0.1.2-1"],
        "the oldest backup goes"
    );
}
