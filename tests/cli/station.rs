//! `kattoo init`, `kattoo station`, where the passphrase comes from, and what happens without
//! a station or a subcommand.

use super::*;

#[test]
fn init_prints_the_key_that_station_commands_show() {
    let kiosk = Kiosk::new();
    let out = stdout(&kiosk.init_cmd().assert().success());
    let (header, pem) = out.split_at(out.find("-----BEGIN").expect("a PEM"));
    let lines: Vec<&str> = header.lines().collect();
    assert_eq!(lines.len(), 3, "{header}");
    assert_eq!(
        lines[0],
        format!("Station KG1101 initialised in {}", kiosk.data.display())
    );
    assert_eq!(lines[1], "Admin account: admin");
    let fingerprint = lines[2]
        .strip_prefix("Station public key (fingerprint ")
        .and_then(|l| l.strip_suffix("):"))
        .unwrap_or_else(|| panic!("{:?}", lines[2]));
    assert!(is_fingerprint(fingerprint), "{fingerprint}");
    let key = kattoo::crypto::PublicKey::from_pem(pem).expect("init prints a PEM public key");
    assert_eq!(key.fingerprint(), fingerprint);
    assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));

    // --data-dir wins over KATTOO_DATA_DIR.
    kiosk
        .cmd()
        .env("KATTOO_DATA_DIR", kiosk.path("elsewhere"))
        .arg("--data-dir")
        .arg(&kiosk.data)
        .args(["station", "public-key"])
        .assert()
        .success()
        .stdout(pem.to_owned())
        .stderr("");

    let show = stdout(&kiosk.cmd().args(["station", "show"]).assert().success());
    assert_eq!(
        mask_times(&show),
        format!(
            "Station:    KG1101\n\
             Name:       {STATION_NAME}\n\
             Region:     chui\n\
             Precincts:  1101, 1102\n\
             Created:    <TIME>\n\
             Records:    0 (pending 0, approved 0, rejected 0, exported 0)\n\
             Key:        {fingerprint}\n\
             Training:   off\n"
        )
    );
}

#[test]
fn init_refuses_an_existing_station_and_changes_nothing() {
    let kiosk = Kiosk::init();
    let before = kiosk.snapshot();
    let out = kiosk
        .init_cmd()
        .env("KATTOO_PASSPHRASE", "another passphrase")
        .assert()
        .code(i32::from(exit::FAILURE))
        .stdout("");
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(kiosk.snapshot(), before);
    // The old passphrase and admin password still open it.
    kiosk.admin(&["operator", "list"]).assert().success();
}

#[test]
fn init_rejects_bad_arguments_before_creating_anything() {
    let kiosk = Kiosk::new();
    kiosk
        .init_cmd_with(&[("--station-id", "kg-1101")])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains(
            "station id 'kg-1101' is not valid",
        ));
    kiosk
        .init_cmd_with(&[("--precinct", "11")])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("precinct '11' is not 4 digits"));
    kiosk
        .init_cmd()
        .env("KATTOO_PASSPHRASE", "short")
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr("kattoo: the station passphrase must be at least 8 characters\n");
    kiosk
        .init_cmd_with(&[("--region", "atlantis")])
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr("kattoo: unknown region 'atlantis'\n");
    for first in ["0", "1000000"] {
        kiosk
            .init_cmd_with(&[("--first-sequence", first)])
            .assert()
            .code(i32::from(exit::INVALID))
            .stderr(format!(
                "kattoo: the first record number {first} is not between 1 and 999,999\n"
            ));
    }
    assert!(!kiosk.data.join("kattoo.db").exists());
}

#[test]
fn a_laptop_that_replaces_a_stolen_one_numbers_its_records_from_the_number_central_gives() {
    let kiosk = Kiosk::new();
    let out = stdout(
        &kiosk
            .init_cmd_with(&[("--first-sequence", "42")])
            .assert()
            .success(),
    );
    assert!(
        out.lines()
            .any(|l| l
                == "Records are numbered from 42, after those of the laptop this one replaces"),
        "{out}"
    );
    kiosk.add_operator(REG, "registrar", REG_PASSWORD);
    let first = kiosk.enroll(REG, REG_PASSWORD, &fixture("people/aigul.json"));
    assert!(first.starts_with("KG1101-000042-"), "{first}");
    let person = kiosk.person("second.json", |p| p["pin"] = "11403199000124".into());
    let second = kiosk.enroll(REG, REG_PASSWORD, &person);
    assert!(second.starts_with("KG1101-000043-"), "{second}");
    // The station's own audit log says where its numbering began.
    let audit = stdout(&kiosk.admin(&["audit", "show"]).assert().success());
    assert!(audit.contains("\"first_sequence\":42"), "{audit}");
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let kiosk = Kiosk::init();
    kiosk.add_operator(REG, "registrar", REG_PASSWORD);
    let before = kiosk.snapshot();
    let person = fixture("people/aigul.json");
    let commands: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["station".into(), "show".into()],
        vec!["station".into(), "public-key".into()],
        vec!["records".into(), "verify".into()],
        vec!["audit".into(), "verify".into()],
        ["operator", "list", "--operator", ADMIN]
            .map(Into::into)
            .to_vec(),
        ["enroll", "--operator", REG]
            .map(Into::into)
            .into_iter()
            .chain(enroll_args(&person))
            .collect(),
    ];
    for args in commands {
        let out = kiosk
            .as_op(REG_PASSWORD)
            .env("KATTOO_PASSPHRASE", "тоо-жана-талаа 2025")
            .args(&args)
            .assert()
            .code(i32::from(exit::AUTH))
            .stdout("");
        assert!(
            stderr(&out).contains("kattoo: wrong station passphrase for "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(kiosk.snapshot(), before);
}

#[test]
fn a_missing_station_says_to_run_init() {
    let kiosk = Kiosk::new();
    let db = kiosk.data.join("kattoo.db");
    for args in [
        &["station", "show"][..],
        &["records", "verify"],
        &["operator", "list", "--operator", ADMIN],
    ] {
        kiosk
            .as_op(ADMIN_PASSWORD)
            .args(args)
            .assert()
            .code(i32::from(exit::NOT_FOUND))
            .stdout("")
            .stderr(format!(
                "kattoo: no station database at {}: run `kattoo init` first\n",
                db.display()
            ));
    }
    // Explicit --data-dir and no KATTOO_DATA_DIR at all.
    bare_cmd()
        .arg("--data-dir")
        .arg(&kiosk.data)
        .args(["audit", "verify"])
        .assert()
        .code(i32::from(exit::NOT_FOUND))
        .stderr(predicate::str::contains("run `kattoo init` first"));
    assert!(
        !kiosk.data.exists(),
        "a failed command created the data dir"
    );
}

#[test]
fn the_passphrase_comes_from_a_file_or_the_environment_never_silently_nowhere() {
    let kiosk = Kiosk::init();
    let public_key = stdout(
        &kiosk
            .cmd()
            .args(["station", "public-key"])
            .assert()
            .success(),
    );

    // No variable, no file, no terminal to prompt on.
    let out = kiosk
        .cmd()
        .env_remove("KATTOO_PASSPHRASE")
        .args(["station", "public-key"])
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("");
    let err = stderr(&out);
    assert!(
        err.starts_with("kattoo: cannot prompt for a secret ("),
        "{err}"
    );
    assert!(
        err.contains("give it with a --*-file option or an environment variable"),
        "{err}"
    );

    // --passphrase-file: the first line only; it wins over the environment.
    let file = kiosk.path("passphrase.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\nsecond line is ignored\n")).unwrap();
    kiosk
        .cmd()
        .env("KATTOO_PASSPHRASE", "not the passphrase")
        .arg("--passphrase-file")
        .arg(&file)
        .args(["station", "public-key"])
        .assert()
        .success()
        .stdout(public_key);

    let wrong = kiosk.path("wrong.txt");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    kiosk
        .cmd()
        .arg("--passphrase-file")
        .arg(&wrong)
        .args(["station", "show"])
        .assert()
        .code(i32::from(exit::AUTH))
        .stderr(predicate::str::contains("wrong station passphrase"));

    let empty = kiosk.path("empty.txt");
    std::fs::write(&empty, "\n").unwrap();
    kiosk
        .cmd()
        .arg("--passphrase-file")
        .arg(&empty)
        .args(["station", "show"])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(format!(
            "kattoo: {} is empty: put the secret on its first line\n",
            empty.display()
        ));

    let absent = kiosk.path("absent.txt");
    kiosk
        .cmd()
        .arg("--passphrase-file")
        .arg(&absent)
        .args(["station", "show"])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::starts_with(format!(
            "kattoo: cannot read {}: ",
            absent.display()
        )));
}

#[test]
fn no_subcommand_and_version() {
    bare_cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout("kattoo 0.1.0\n");
    let kiosk = Kiosk::new();
    // No subcommand opens the kiosk window; with no display to open it on, it says so.
    kiosk
        .cmd()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .assert()
        .code(i32::from(exit::FAILURE))
        .stdout("")
        .stderr(
            "kattoo: no display to open the kiosk window on (neither DISPLAY nor WAYLAND_DISPLAY is set); \
             `kattoo --help` lists the commands\n",
        );
    bare_cmd()
        .arg("--data-dir")
        .arg(&kiosk.data)
        .arg("frobnicate")
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains(
            "unrecognized subcommand 'frobnicate'",
        ));
}
