//! The `.deb` that `cargo deb` built: files, modes, conffiles, Depends, generated scripts.

use super::*;

/// The `.deb` that `cargo deb` wrote for this version, if any.
fn built_deb() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo("target"));
    let prefix = format!("kattoo_{}-", env!("CARGO_PKG_VERSION"));
    std::fs::read_dir(target.join("debian"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".deb")
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
}

/// A file of the package's control archive (`conffiles`, `postinst`, …).
fn control_file(deb: &Path, name: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg("dpkg-deb --ctrl-tarfile \"$1\" | tar -xO \"./$2\"")
        .arg("sh")
        .arg(deb)
        .arg(name)
        .output()
        .expect("dpkg-deb and tar run");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .expect("dpkg-deb runs");
    assert!(
        out.status.success(),
        "dpkg-deb {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_built_package_holds_the_files_with_their_modes_and_conffiles() {
    let Some(deb) = built_deb() else {
        assert!(
            std::env::var_os("KATTOO_REQUIRE_DEB").is_none(),
            "KATTOO_REQUIRE_DEB is set but no target/debian/kattoo_{}-*.deb was built",
            env!("CARGO_PKG_VERSION")
        );
        eprintln!("no .deb built (cargo deb): only the packaging sources were checked");
        return;
    };
    // `dpkg-deb -c`: mode, owner, size, date, time, path.
    let listing: BTreeMap<String, (String, String)> = dpkg_deb(&["-c"], &deb)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let path = f[5].trim_start_matches('.').to_owned();
            (path, (f[0].to_owned(), f[1].to_owned()))
        })
        .collect();
    let mode = |path: &str| -> &str {
        let (mode, owner) = listing
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in {}", deb.display()));
        assert_eq!(owner, "0/0", "{path} belongs to root");
        mode
    };
    assert_eq!(mode("/usr/bin/kattoo"), "-rwxr-xr-x");
    for path in [
        "/etc/kattoo/config.toml",
        "/etc/pam.d/kattoo-kiosk",
        "/lib/udev/rules.d/70-kattoo.rules",
        "/usr/lib/systemd/system/kattoo-kiosk.service",
        "/usr/lib/systemd/system/kattoo-sbi-firewall.service",
        "/usr/share/kattoo/sbi-loopback-only.nft",
        "/usr/share/kattoo/fixtures/fingers/101_1.png",
        "/usr/share/kattoo/fixtures/faces/astronaut.png",
        "/usr/share/doc/kattoo/field-guide.md",
        "/usr/share/doc/kattoo/copyright",
        "/usr/share/man/man1/kattoo.1.gz",
    ] {
        assert_eq!(mode(path), "-rw-r--r--", "{path}");
    }
    let conffiles = control_file(&deb, "conffiles");
    let conffiles: Vec<&str> = conffiles.lines().collect();
    assert_eq!(
        conffiles,
        ["/etc/kattoo/config.toml", "/etc/pam.d/kattoo-kiosk"]
    );

    let depends = dpkg_deb(&["-f"], &deb);
    let depends = depends
        .lines()
        .find_map(|l| l.strip_prefix("Depends: "))
        .expect("Depends field");
    for package in ["cage", "libegl1", "libwayland-client0", "adduser", "libc6"] {
        assert!(
            depends
                .split(", ")
                .any(|d| d == package || d.starts_with(&format!("{package} "))),
            "Depends: {depends} lacks {package}"
        );
    }

    // What the package installs is what is in the source tree (else the .deb is stale: run
    // `cargo deb` again, or delete target/debian).
    for (source, installed) in [
        (UNIT, "/usr/lib/systemd/system/kattoo-kiosk.service"),
        (
            "packaging/udev/70-kattoo.rules",
            "/lib/udev/rules.d/70-kattoo.rules",
        ),
        ("packaging/deb/config.toml", "/etc/kattoo/config.toml"),
    ] {
        let out = Command::new("sh")
            .arg("-c")
            .arg("dpkg-deb --fsys-tarfile \"$1\" | tar -xO \".$2\"")
            .arg("sh")
            .arg(&deb)
            .arg(installed)
            .output()
            .unwrap();
        assert!(out.status.success(), "{installed}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            read(source),
            "{} is stale: {installed} differs from {source}; run `cargo deb` again",
            deb.display()
        );
    }
    let scripts: String = ["preinst", "postinst", "prerm", "postrm"]
        .map(|name| control_file(&deb, name))
        .concat();
    assert!(
        !scripts.contains("#DEBHELPER#"),
        "cargo-deb filled in the token"
    );
    assert!(
        scripts.contains("deb-systemd-helper"),
        "units are enabled by the scripts"
    );
    assert!(scripts.contains("adduser --system --group"));
}
