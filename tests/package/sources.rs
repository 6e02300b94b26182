//! The packaging sources: cargo-deb metadata, unit directives, firewall, udev rules, conffile.

use super::*;

#[test]
fn every_asset_exists_with_a_sensible_mode() {
    let assets = assets();
    assert!(!assets.is_empty());
    for (src, dest, mode) in &assets {
        assert!(
            !dest.starts_with('/'),
            "{dest}: cargo-deb destinations are relative"
        );
        let expected_mode = if dest.starts_with("usr/bin/") {
            "755"
        } else {
            "644"
        };
        assert_eq!(mode, expected_mode, "{src} -> {dest}");
        if src.starts_with("target/release/") {
            continue;
        }
        if src.contains('*') {
            let (dir, pattern) = src.rsplit_once('/').unwrap();
            let suffix = pattern.strip_prefix('*').expect("only leading * globs");
            let matches = std::fs::read_dir(repo(dir))
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .ends_with(suffix)
                })
                .count();
            assert!(matches > 0, "{src} matches nothing");
        } else {
            assert!(repo(src).is_file(), "{src} does not exist");
        }
    }
    let dests: Vec<&str> = assets.iter().map(|(_, d, _)| d.as_str()).collect();
    for wanted in [
        "usr/bin/",
        "etc/kattoo/config.toml",
        "etc/pam.d/kattoo-kiosk",
        "lib/udev/rules.d/70-kattoo.rules",
        "usr/share/doc/kattoo/field-guide.md",
        "usr/share/man/man1/kattoo.1",
    ] {
        assert!(dests.contains(&wanted), "{wanted} is not packaged");
    }
}

#[test]
fn depends_names_what_is_loaded_at_run_time() {
    let meta = deb_metadata();
    let depends: Vec<&str> = meta["depends"]
        .as_str()
        .unwrap()
        .split(',')
        .map(str::trim)
        .collect();
    for package in [
        "$auto",
        "adduser",
        "cage",
        "libpam-systemd",
        "libgl1",
        "libegl1",
        "libwayland-client0",
        "libwayland-egl1",
        "libxkbcommon0",
        "libx11-6",
    ] {
        assert!(depends.contains(&package), "Depends lacks {package}");
    }
    let units = meta["systemd-units"].as_array().unwrap();
    let kiosk = units
        .iter()
        .find(|u| u["unit-name"].as_str() == Some("kattoo-kiosk"))
        .expect("the kiosk unit is handled by cargo-deb");
    assert_eq!(
        kiosk["enable"].as_bool(),
        Some(true),
        "boots into the kiosk"
    );
    assert_eq!(
        kiosk["start"].as_bool(),
        Some(false),
        "installing must not take over the screen the technician is using"
    );
    for u in units {
        let dir = u["unit-scripts"].as_str().unwrap();
        let name = u["unit-name"].as_str().unwrap();
        assert!(repo(&format!("{dir}/{name}.service")).is_file(), "{name}");
    }
    let changelog = read("packaging/deb/changelog");
    let first = changelog.lines().next().unwrap();
    let revision = meta["revision"].as_str().unwrap();
    assert_eq!(
        first,
        format!(
            "kattoo ({}-{revision}) unstable; urgency=medium",
            env!("CARGO_PKG_VERSION")
        ),
        "packaging/deb/changelog needs an entry for this version"
    );
    let maintainer = meta["maintainer"].as_str().unwrap();
    assert!(
        changelog.contains(&format!(" -- {maintainer}  ")),
        "changelog signed by {maintainer}"
    );
}

#[test]
fn the_kiosk_unit_is_locked_down_and_points_at_the_packaged_files() {
    let unit = unit(UNIT);
    let service = &unit["Service"];
    let one = |key: &str| -> &str {
        let values = service
            .get(key)
            .unwrap_or_else(|| panic!("{UNIT}: no {key}="));
        assert_eq!(values.len(), 1, "{key} given more than once");
        &values[0]
    };
    for (key, value) in [
        ("User", "kattoo"),
        ("Group", "kattoo"),
        ("Restart", "on-failure"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("NoNewPrivileges", "yes"),
        ("StateDirectory", "kattoo"),
        ("StateDirectoryMode", "0700"),
        ("UMask", "0077"),
        ("IPAddressDeny", "any"),
        ("IPAddressAllow", "localhost"),
        ("CapabilityBoundingSet", ""),
        ("TTYPath", "/dev/tty1"),
    ] {
        assert_eq!(one(key), value, "{key}");
    }
    assert!(service["ReadWritePaths"].contains(&"/var/lib/kattoo".to_owned()));
    let exec = one("ExecStart");
    assert!(
        exec.starts_with("/usr/bin/cage ") && exec.ends_with(" -- /usr/bin/kattoo --kiosk"),
        "{exec}"
    );
    let environment = &service["Environment"];
    assert!(environment.contains(&"KATTOO_DATA_DIR=/var/lib/kattoo".to_owned()));
    assert!(environment.contains(&format!(
        "KATTOO_CONFIG={}",
        installed_path("packaging/deb/config.toml")
    )));
    assert_eq!(
        format!("/etc/pam.d/{}", one("PAMName")),
        installed_path("packaging/pam/kattoo-kiosk"),
        "PAMName names the packaged PAM service"
    );
    for breaks_the_gui in [
        "PrivateDevices",
        "ProtectClock",
        "MemoryDenyWriteExecute",
        "PrivateNetwork",
    ] {
        assert!(!service.contains_key(breaks_the_gui), "{breaks_the_gui}");
    }
    assert_eq!(unit["Unit"]["Conflicts"], ["getty@tty1.service"]);
    assert_eq!(unit["Install"]["WantedBy"], ["multi-user.target"]);
}

#[test]
fn the_firewall_keeps_exactly_the_sbi_ports_to_loopback() {
    let range = kattoo::hal::sbi::PORT_RANGE;
    let nft = read("packaging/nftables/sbi-loopback-only.nft");
    let rule = format!(
        "iif != lo tcp dport {}-{} counter drop",
        range.start(),
        range.end()
    );
    assert!(
        nft.lines().any(|l| l.trim() == rule),
        "the nftables rule must cover the SBI client's ports: {rule}"
    );
    assert!(
        nft.contains("policy accept;"),
        "only the SBI ports are dropped"
    );
    let unit = unit(FIREWALL_UNIT);
    assert_eq!(
        unit["Service"]["ExecStart"],
        [format!(
            "/usr/sbin/nft -f {}",
            installed_path("packaging/nftables/sbi-loopback-only.nft")
        )]
    );
    assert_eq!(
        unit["Service"]["ExecStop"],
        ["/usr/sbin/nft delete table inet kattoo_sbi"]
    );
    assert!(nft.contains("table inet kattoo_sbi {"));
    // On loopback, only the kiosk (or root) connects, and only the device service's user
    // answers; postinst creates that user, so `nft -f` resolves it.
    for rule in [
        format!(
            "oif lo tcp dport {}-{} meta skuid != {{ 0, \"kattoo\" }} counter reject with tcp reset",
            range.start(),
            range.end()
        ),
        format!(
            "oif lo tcp sport {}-{} meta skuid != \"kattoo-sbi\" counter drop",
            range.start(),
            range.end()
        ),
    ] {
        assert!(nft.lines().any(|l| l.trim() == rule), "missing: {rule}");
    }
    let postinst = read(&format!("{SCRIPTS}/postinst"));
    assert!(postinst.contains("adduser --system --group --no-create-home --home /nonexistent"));
    assert!(postinst.contains("kattoo-sbi"));
    assert!(postinst.contains("install -d -m 0755 /etc/kattoo/sbi-trust"));
}

#[test]
fn udev_rules_give_cameras_and_scanners_to_the_kattoo_user() {
    let rules = read("packaging/udev/70-kattoo.rules");
    let mut gotos = Vec::new();
    let mut labels = Vec::new();
    let mut vendors = Vec::new();
    for line in rules.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for pair in line.split(", ") {
            let op = ["==", "!=", "+=", "="]
                .into_iter()
                .find(|op| pair.contains(op))
                .unwrap_or_else(|| panic!("not a udev key/value: {pair} in {line}"));
            let (key, value) = pair.split_once(op).unwrap();
            assert!(
                value.starts_with('"') && value.ends_with('"') && value.len() >= 2,
                "unquoted value: {pair}"
            );
            let value = &value[1..value.len() - 1];
            match key {
                "GOTO" => gotos.push(value.to_owned()),
                "LABEL" => labels.push(value.to_owned()),
                "ATTR{idVendor}" => {
                    assert!(
                        value.len() == 4
                            && value
                                .chars()
                                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                        "vendor id {value}"
                    );
                    vendors.push(value.to_owned());
                }
                _ => {}
            }
        }
    }
    for goto in &gotos {
        assert!(labels.contains(goto), "GOTO {goto} has no LABEL");
    }
    let mut unique = vendors.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), vendors.len(), "a vendor is listed twice");
    for vendor in ["05ba", "1162", "16d1", "113f", "2c0f"] {
        assert!(
            vendors.contains(&vendor.to_owned()),
            "scanner vendor {vendor}"
        );
    }
    assert!(rules.contains(
        "SUBSYSTEM==\"video4linux\", SUBSYSTEMS==\"usb\", GROUP=\"video\", MODE=\"0660\", TAG+=\"uaccess\""
    ));
    assert!(
        rules.contains(
            "LABEL=\"kattoo_scanner\"\nGROUP=\"kattoo\", MODE=\"0660\", TAG+=\"uaccess\""
        )
    );
    // The group the scanners get is the one postinst creates, and it puts kattoo in `video`.
    let postinst = read(&format!("{SCRIPTS}/postinst"));
    assert!(postinst.contains("adduser --system --group --home \"$DATA\""));
    assert!(postinst.contains("for group in video render; do"));
}

#[test]
fn the_packaged_configuration_is_the_default_with_field_settings() {
    let packaged = read("packaging/deb/config.toml");
    let parsed = Config::parse(&packaged, "packaging/deb/config.toml").expect("parses");
    // The field settings, compared as TOML so that a setting added to Config later is covered.
    let mut expected = toml::Table::try_from(Config::default()).unwrap();
    let devices = expected["devices"].as_table_mut().unwrap();
    devices.insert("sim_fixtures".into(), "/usr/share/kattoo/fixtures".into());
    if devices.contains_key("simulate_when_absent") {
        // Simulated stand-ins for absent devices are for demonstrations, never the field.
        devices.insert("simulate_when_absent".into(), false.into());
    }
    assert_eq!(
        toml::Table::try_from(&parsed).unwrap(),
        expected,
        "packaging/deb/config.toml must hold exactly the field settings"
    );
    // Training mode finds the pictures the package installs.
    let fingers = installed_path("fixtures/fingers/*.png");
    assert_eq!(
        Path::new(&fingers).parent().unwrap().parent().unwrap(),
        Path::new(&parsed.devices.sim_fixtures)
    );
    assert_eq!(
        installed_path("fixtures/faces/astronaut.png"),
        format!("{}/faces/astronaut.png", parsed.devices.sim_fixtures)
    );
    // The commented default it points to is installed.
    assert!(packaged.contains(&installed_path("assets/config.default.toml")));
}
