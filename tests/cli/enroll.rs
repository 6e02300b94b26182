//! `kattoo enroll`: one record from flags, many from a manifest, and everything refused on the way.

use super::*;

#[test]
fn enroll_saves_a_record_that_list_and_show_find() {
    let kiosk = staffed();
    let person = fixture("people/aigul.json");
    let id = kiosk.enroll(REG, REG_PASSWORD, &person);
    assert_registration_id(&id, 1);

    let list = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "list", "--operator", REG])
            .assert()
            .success(),
    );
    assert_eq!(
        mask_times(&list),
        format!(
            "REGISTRATION ID            STATUS    CREATED               PRECINCT NAME\n\
             {id}   pending   <TIME>  1101     Өмүрбекова Айгүл Асанбековна\n\
             1 record(s)\n"
        )
    );

    let show = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "show", &id, "--operator", REG])
            .assert()
            .success(),
    );
    let expected = format!(
        "Registration id: {id}
Status:          pending
Created:         <TIME> by reg (registrar)
Training:        no
Devices:         file:back-fill
Name:            Өмүрбекова Айгүл Асанбековна
Sex, born:       female, 1990-03-14
PIN:             11403199000123
Address:         chui, alamudun, Лебединовка, Ленин көчөсү, 12А
Precinct:        1101
Document:        id-card ID1234567
Language:        ky
Biometrics:
  finger right-thumb            388x374  ppi -    quality 28    51190 bytes  440f54e13f37a65153f4dcce6fa23bad8b1926ea2aac899b5c4c163050918f5a
  finger right-index            388x374  ppi -    quality 25    58632 bytes  11e903f3590f8cedfb1e310498e1544cea74c921365a3825db37235cebc7e0a1
  finger right-middle           388x374  ppi -    quality 31    59891 bytes  e2f118127081bfe02d53e0a0a8722c49e019408b5d8c2dcf60ead6c086360d3c
  finger right-ring             388x374  ppi -    quality 27    61389 bytes  3f1fa9b2bd07e2b7b2dbde4ab28920b3721e6663be865f5b56a1da9430ac9f60
  finger right-little           388x374  ppi -    quality 29    62053 bytes  61b14fe6ff6b26836e2ea802ca1a167b9e4ab797f39f61e00952dfc2492e5191
  finger left-thumb             388x374  ppi -    quality 30    63072 bytes  8fad577d7c823b6b352ef635cb067567eed315e65ddc4506fd5a92675d783f22
  finger left-index             388x374  ppi -    quality 0     54193 bytes  2fd93efc73b5c4295ae57099e00dd8785c540df81f79178470268e2ff087c6b2
  finger left-middle            388x374  ppi -    quality 22    60003 bytes  d306764c5f19559c0f3ff1716eb30cfe948c3f51355b2a8f7c839112c51795bf
  finger left-ring              388x374  ppi -    quality 0     37981 bytes  8d584f4e2473baafafd390a54db73c4b0dfff86fa9d553c67dede97009275847
  finger left-little            388x374  ppi -    quality 14    54755 bytes  ca5ea9d4e2f0d53d59029d2efe9dbf2415db7ed27189704d2edcb1975acee759
  face                          512x512  ppi 300  quality 83   791555 bytes  88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
  signature                     200x80   ppi -    quality -       470 bytes  912b5245189c5408004becaa691a497fa3e0f5e14c73cda2056307674ed3e727
"
    );
    assert_eq!(mask_times(&show), expected);

    let json = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "show", &id, "--json", "--operator", REG])
            .assert()
            .success(),
    );
    let value: serde_json::Value =
        serde_json::from_str(&json).expect("records show --json prints JSON");
    assert_eq!(value["registration_id"], id.as_str());
    assert_eq!(value["sequence"], 1);
    assert_eq!(value["citizen"]["pin"], "11403199000123");
    assert_eq!(value["biometrics"].as_array().map(Vec::len), Some(12));

    // Filters.
    let pending = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "list", "--status", "approved", "--operator", REG])
            .assert()
            .success(),
    );
    assert_eq!(
        pending,
        "REGISTRATION ID            STATUS    CREATED               PRECINCT NAME\n0 record(s)\n"
    );
    kiosk
        .as_op(REG_PASSWORD)
        .args([
            "records",
            "list",
            "--pin",
            "11403199000123",
            "--operator",
            REG,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{id}   pending")));
    kiosk
        .cmd()
        .args(["station", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Records:    1 (pending 1, approved 0, rejected 0, exported 0)\n",
        ));
}

#[test]
fn a_station_that_does_not_back_fill_refuses_records_from_files_and_training_takes_them() {
    let kiosk = staffed();
    let person = fixture("people/aigul.json");
    let before = kiosk.snapshot();
    let out = kiosk
        .as_op(REG_PASSWORD)
        .env("KATTOO_BACK_FILL", "false")
        .args(["enroll", "--operator", REG])
        .args(enroll_args(&person))
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("");
    assert!(
        stderr(&out).ends_with(
            "kattoo: This station does not accept records made from files. Capture with the \
             station's devices; back-filling from files must be switched on by a technician.\n"
        ),
        "{}",
        stderr(&out)
    );
    let after = kiosk.snapshot();
    let db = kiosk.data.join("kattoo.db");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file appears"
    );
    let list = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .env("KATTOO_BACK_FILL", "false")
            .args(["records", "list", "--operator", REG])
            .assert()
            .success(),
    );
    assert!(list.ends_with("0 record(s)\n"), "{list} ({})", db.display());

    // In training mode the same files make a training record.
    let id = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .env("KATTOO_BACK_FILL", "false")
            .env("KATTOO_TRAINING", "true")
            .args(["enroll", "--operator", REG])
            .args(enroll_args(&person))
            .assert()
            .success(),
    );
    let show = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "show", id.trim(), "--operator", REG])
            .assert()
            .success(),
    );
    assert!(
        show.contains("Training:        yes\nDevices:         file:back-fill\n"),
        "{show}"
    );
}

#[test]
fn enroll_refuses_bad_details_and_bad_files_and_saves_nothing() {
    let kiosk = staffed();
    let enroll = |args: Vec<std::ffi::OsString>| {
        let mut cmd = kiosk.as_op(REG_PASSWORD);
        cmd.args(["enroll", "--operator", REG]).args(args);
        cmd
    };

    let sex_digit = kiosk.person("sex-digit.json", |p| p["pin"] = "31403199000123".into());
    let out = enroll(enroll_args(&sex_digit))
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("");
    assert!(
        stderr(&out).ends_with(
            "kattoo: citizen details are not valid: pin: must start with 1 (female) or 2 (male)\n"
        ),
        "{}",
        stderr(&out)
    );

    let other_date = kiosk.person("other-date.json", |p| p["pin"] = "11503199000123".into());
    enroll(enroll_args(&other_date))
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("")
        .stderr(predicate::str::ends_with(
            "kattoo: citizen details are not valid: pin: does not match the birth date entered\n",
        ));

    let other_precinct = kiosk.person("precinct.json", |p| p["precinct"] = "2201".into());
    enroll(enroll_args(&other_precinct))
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr(predicate::str::contains(
            "precinct 2201 is not served by this station",
        ));

    // A path that is not a file of an enrollment (here a device that never ends) is read only
    // up to its cap, then refused by name.
    let mut endless = enroll_args(&fixture("people/aigul.json"));
    let at = endless.iter().position(|a| a == "--photo").unwrap();
    endless[at + 1] = "/dev/zero".into();
    enroll(endless)
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("")
        .stderr(predicate::str::ends_with(
            "kattoo: /dev/zero is larger than 64 MiB: it is not a demographics file or a picture\n",
        ));

    let person = fixture("people/aigul.json");
    let mut no_left_ring = enroll_args(&person);
    let at = no_left_ring
        .iter()
        .position(|a| a.to_string_lossy().starts_with("left-ring="))
        .unwrap();
    no_left_ring.drain(at - 1..=at);
    enroll(no_left_ring)
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("")
        .stderr(predicate::str::starts_with(
            "kattoo: Left ring: capture it, or mark it missing with a reason.",
        ));

    // A missing finger without the photo of its hand: the kiosk's refusal, word for word
    // (tests/ui/enroll.rs shows the same sentence for the same draft).
    let mut no_photo = enroll_args_with(&person, &[("left-little", "amputated")], &[]);
    let at = no_photo
        .iter()
        .position(|a| a == "--exception-photo")
        .unwrap();
    no_photo.drain(at..=at + 1);
    enroll(no_photo)
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("")
        .stderr(format!(
            "kattoo: {}\n",
            crate::util::EXCEPTION_PHOTO_REFUSAL
        ));

    let truncated = kiosk.path("truncated.png");
    let png = std::fs::read(fixture("fingers/102_1.png")).unwrap();
    std::fs::write(&truncated, &png[..1000]).unwrap();
    enroll(enroll_args_with(&person, &[], &[("right-index", &truncated)]))
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("")
        .stderr(predicate::str::ends_with(format!(
            "kattoo: {} (finger right-index): not a readable PNG image (unexpected end of file); use an intact PNG file\n",
            truncated.display()
        )));

    // A huge image in a small file (20000×20000 pixels in a few hundred KB): refused from its
    // header, quickly, as a finger and as the photo, naming the file and what is accepted.
    let huge = kiosk.path("huge.png");
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&huge).unwrap());
        let mut enc = png::Encoder::new(file, 20_000, 20_000);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut header = enc.write_header().unwrap();
        let mut rows = header.stream_writer().unwrap();
        let row = vec![0u8; 20_000];
        for _ in 0..20_000 {
            std::io::Write::write_all(&mut rows, &row).unwrap();
        }
        rows.finish().unwrap();
    }
    let too_large =
        "the image is 20000×20000 pixels, more than the 10000×10000 and 50 megapixels accepted";
    let started = std::time::Instant::now();
    enroll(enroll_args_with(&person, &[], &[("right-index", &huge)]))
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("")
        .stderr(predicate::str::contains(too_large))
        .stderr(predicate::str::contains("(finger right-index)"));
    let mut huge_photo = enroll_args(&person);
    let at = huge_photo.iter().position(|a| a == "--photo").unwrap();
    huge_photo[at + 1] = huge.clone().into_os_string();
    enroll(huge_photo)
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("")
        .stderr(predicate::str::contains(too_large));
    eprintln!("two huge images refused in {:?}", started.elapsed());

    // A colour photo is not a fingerprint.
    enroll(enroll_args_with(
        &person,
        &[],
        &[("left-thumb", &fixture("faces/astronaut.png"))],
    ))
    .assert()
    .code(i32::from(exit::USAGE))
    .stderr(predicate::str::contains("(finger left-thumb)"));

    let mut unknown_finger = enroll_args(&person);
    unknown_finger.extend(["--finger".into(), "right-pointer=x.png".into()]);
    enroll(unknown_finger)
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("unknown finger 'right-pointer'"));

    enroll(enroll_args_with(&person, &[("left-ring", "lost")], &[]))
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains(
            "unknown missing-finger reason 'lost'",
        ));

    let mut not_a_pair = enroll_args(&person);
    not_a_pair.extend(["--finger".into(), "right-index".into()]);
    enroll(not_a_pair)
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains(
            "--finger 'right-index' is not POSITION=VALUE",
        ));

    let not_json = kiosk.path("not.json");
    std::fs::write(&not_json, "{").unwrap();
    enroll(enroll_args(&not_json))
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("not valid citizen JSON"));

    // Clap: the demographics are required without a manifest.
    kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("--demographics"));

    kiosk
        .cmd()
        .args(["station", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Records:    0 (pending 0, approved 0, rejected 0, exported 0)\n",
        ));

    // A missing finger with a reason and the photo of the hand is complete.
    let id = stdout(
        &enroll(enroll_args_with(
            &person,
            &[("left-ring", "amputated")],
            &[],
        ))
        .assert()
        .success(),
    );
    assert_registration_id(id.trim_end(), 1);
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "show", id.trim_end(), "--operator", REG])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(
            "  missing left-ring            amputated\n",
        ));
}

#[test]
fn the_same_fingers_under_another_pin_are_refused_and_identify_finds_the_first_record() {
    let kiosk = staffed();
    let searching = |password: &str| {
        let mut cmd = kiosk.as_op(password);
        cmd.env("KATTOO_SEARCH_DUPLICATES", "true");
        cmd
    };
    let first = stdout(
        &searching(REG_PASSWORD)
            .args(["enroll", "--operator", REG])
            .args(enroll_args(&fixture("people/aigul.json")))
            .assert()
            .success(),
    );
    let first = first.trim();
    let other_pin = kiosk.person("other-pin.json", |p| p["pin"] = "11403199000777".into());
    let out = searching(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(enroll_args(&other_pin))
        .assert()
        .code(i32::from(exit::DUPLICATE))
        .stdout("");
    assert!(
        stderr(&out).contains(&format!("kattoo: the fingerprints match {first} (score ")),
        "{}",
        stderr(&out)
    );

    // Another impression of the right index finger finds the first record.
    let found = stdout(
        &searching(REG_PASSWORD)
            .args(["identify", "--operator", REG, "--finger"])
            .arg(format!(
                "right-index={}",
                fixture("matching/fvc/102_2.png").display()
            ))
            .assert()
            .success(),
    );
    let lines: Vec<&str> = found.lines().collect();
    assert_eq!(lines[0], "REGISTRATION ID             SCORE  NAME");
    assert!(lines[1].starts_with(first), "{found}");
    assert!(
        lines[1].ends_with("Өмүрбекова Айгүл Асанбековна"),
        "{found}"
    );
    assert_eq!(*lines.last().unwrap(), "1 candidate(s)");

    // Nothing waits for templates on a new station.
    searching(SUP_PASSWORD)
        .args(["records", "templates", "--operator", SUP])
        .assert()
        .success()
        .stdout("made the templates of 0 record(s)\n");
}

#[test]
fn a_duplicate_pin_needs_a_supervisor_override_with_a_reason() {
    let kiosk = staffed();
    let person = fixture("people/aigul.json");
    let first = kiosk.enroll(REG, REG_PASSWORD, &person);

    let out = kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(enroll_args(&person))
        .assert()
        .code(i32::from(exit::DUPLICATE))
        .stdout("");
    assert!(
        stderr(&out).ends_with(&format!(
            "kattoo: PIN **********0123 is already enrolled in {first}: a supervisor must override with a reason\n"
        )),
        "{}",
        stderr(&out)
    );

    // Clap: an override needs --reason.
    kiosk
        .as_op(REG_PASSWORD)
        .env("KATTOO_SUPERVISOR_PASSWORD", SUP_PASSWORD)
        .args(["enroll", "--operator", REG, "--override-duplicate-by", SUP])
        .args(enroll_args(&person))
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("--reason"));

    // A registrar cannot grant the override.
    kiosk.add_operator("reg2", "registrar", "reg2-password");
    kiosk
        .as_op(REG_PASSWORD)
        .env("KATTOO_SUPERVISOR_PASSWORD", "reg2-password")
        .args([
            "enroll",
            "--operator",
            REG,
            "--override-duplicate-by",
            "reg2",
        ])
        .args(["--reason", "twin sisters share a PIN by mistake"])
        .args(enroll_args(&person))
        .assert()
        .code(i32::from(exit::DENIED))
        .stdout("")
        .stderr(predicate::str::contains(
            "reg2 (registrar) may not override a duplicate PIN: that needs the supervisor role",
        ));

    // A wrong supervisor password.
    kiosk
        .as_op(REG_PASSWORD)
        .env("KATTOO_SUPERVISOR_PASSWORD", "wrong password")
        .args(["enroll", "--operator", REG, "--override-duplicate-by", SUP])
        .args(["--reason", "twin sisters share a PIN by mistake"])
        .args(enroll_args(&person))
        .assert()
        .code(i32::from(exit::AUTH))
        .stdout("");

    let second = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .env("KATTOO_SUPERVISOR_PASSWORD", SUP_PASSWORD)
            .args(["enroll", "--operator", REG, "--override-duplicate-by", SUP])
            .args(["--reason", "twin sisters share a PIN by mistake"])
            .args(enroll_args(&person))
            .assert()
            .success(),
    );
    let second = second.trim_end();
    assert_registration_id(second, 2);
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "show", second, "--operator", REG])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Training:        no\nDevices:         file:back-fill\nDuplicate of:    {first} (allowed by sup: twin sisters share a PIN by mistake)\nName:"
        )));
}

#[test]
fn a_manifest_saves_the_good_lines_and_names_the_bad_ones() {
    let kiosk = staffed();
    let aigul = fixture("people/aigul.json");
    let bad = kiosk.person("bad-pin.json", |p| p["pin"] = "1140319900012".into());
    let other = kiosk.person("other.json", |p| p["pin"] = "11403199000124".into());
    let manifest = kiosk.path("batch.jsonl");
    let lines = [aigul, bad, other].map(|p| manifest_line(&p).to_string());
    std::fs::write(&manifest, lines.join("\n") + "\n\n").unwrap();

    let out = kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG, "--manifest"])
        .arg(&manifest)
        .assert()
        .code(i32::from(exit::INVALID));
    let ids: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_registration_id(&ids[0], 1);
    assert_registration_id(&ids[1], 2);
    let err = stderr(&out);
    assert!(
        err.ends_with(&format!(
            "{}:2: citizen details are not valid: pin: must be exactly 14 digits\n\
             saved 2, failed 1\n",
            manifest.display()
        )),
        "{err}"
    );
    assert!(!err.contains(":1:") && !err.contains(":3:"), "{err}");

    // A manifest line that is not an object of the known keys.
    let broken = kiosk.path("broken.jsonl");
    std::fs::write(&broken, "{\"demographics\": 1}\n").unwrap();
    kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG, "--manifest"])
        .arg(&broken)
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "{}:1: not a valid manifest line",
            broken.display()
        )));

    // A manifest and per-record flags do not mix (clap).
    kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG, "--manifest"])
        .arg(&manifest)
        .args(enroll_args(&fixture("people/aigul.json")))
        .assert()
        .code(i32::from(exit::USAGE));
}

#[test]
fn a_citizen_who_cannot_sign_is_saved_with_the_reason_as_a_v2_record() {
    let kiosk = staffed();
    let person = fixture("people/aigul.json");
    let mut args = enroll_args(&person);
    // Every flag but the signature.
    let at = args.iter().position(|a| a == "--signature").unwrap();
    args.drain(at..at + 2);

    // Neither a signature nor a reason: clap names what is missing.
    let out = kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(&args)
        .assert()
        .code(2);
    assert!(stderr(&out).contains("--signature"), "{}", stderr(&out));
    // A reason that is not one.
    let out = kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(&args)
        .args(["--no-signature", "refused"])
        .assert()
        .code(i32::from(exit::USAGE));
    assert!(
        stderr(&out)
            .contains("--no-signature (no_signature) 'refused' is not a reason: disability, injury or cannot-write"),
        "{}",
        stderr(&out)
    );
    // Both: refused.
    kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(enroll_args(&person))
        .args(["--no-signature", "injury"])
        .assert()
        .code(2);

    let out = kiosk
        .as_op(REG_PASSWORD)
        .args(["enroll", "--operator", REG])
        .args(&args)
        .args(["--no-signature", "injury"])
        .assert()
        .success();
    let id = stdout(&out).trim().to_owned();
    assert_registration_id(&id, 1);
    let show = stdout(
        &kiosk
            .as_op(REG_PASSWORD)
            .args(["records", "show", &id, "--operator", REG])
            .assert()
            .success(),
    );
    assert!(
        show.contains("  no signature                 injury\n"),
        "{show}"
    );
    assert!(!show.contains("  signature "), "{show}");
    kiosk
        .cmd()
        .args(["records", "verify"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("OK: 1 records"));
}
