//! `kattoo approve`, `kattoo reject`, `kattoo records verify` and `kattoo audit`.

use super::*;

#[test]
fn approve_and_reject_are_for_supervisors_and_pending_records() {
    let kiosk = staffed();
    let first = kiosk.enroll(REG, REG_PASSWORD, &fixture("people/aigul.json"));
    let other = kiosk.person("other.json", |p| p["pin"] = "11403199000124".into());
    let second = kiosk.enroll(REG, REG_PASSWORD, &other);

    kiosk
        .as_op(REG_PASSWORD)
        .args(["approve", &first, "--operator", REG])
        .assert()
        .code(i32::from(exit::DENIED))
        .stdout("")
        .stderr(predicate::str::contains(
            "reg (registrar) may not approve records: that needs the supervisor role",
        ));
    let sup = || kiosk.as_op(SUP_PASSWORD);
    sup()
        .args(["approve", &first, "--operator", SUP])
        .assert()
        .success()
        .stdout("approved 1 record(s)\n");
    sup()
        .args(["approve", &first, "--operator", SUP])
        .assert()
        .code(i32::from(exit::INVALID))
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "record {first} is approved; only a pending record can be approved"
        )));

    // All or none: one approved record in the list approves nothing.
    sup()
        .args(["approve", &second, &first, "--operator", SUP])
        .assert()
        .code(i32::from(exit::INVALID));

    sup()
        .args(["reject", &second, "--operator", SUP])
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("")
        .stderr(predicate::str::contains("--reason"));
    sup()
        .args(["reject", &second, "--reason", "  ", "--operator", SUP])
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr("kattoo: --reason must say why the record is rejected\n");
    sup()
        .args([
            "reject",
            &second,
            "--reason",
            "photo is blurred",
            "--operator",
            SUP,
        ])
        .assert()
        .success()
        .stdout(format!("rejected {second}\n"));
    sup()
        .args(["reject", &second, "--reason", "again", "--operator", SUP])
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr(predicate::str::contains(
            "only a pending record can be rejected",
        ));

    let show = stdout(
        &sup()
            .args(["records", "show", &second, "--operator", SUP])
            .assert()
            .success(),
    );
    assert_eq!(
        mask_times(show.lines().nth(1).unwrap()),
        "Status:          rejected by sup at <TIME> (photo is blurred)"
    );
    let list = stdout(
        &sup()
            .args(["records", "list", "--operator", SUP])
            .assert()
            .success(),
    );
    assert_eq!(
        mask_times(&list),
        format!(
            "REGISTRATION ID            STATUS    CREATED               PRECINCT NAME\n\
             {first}   approved  <TIME>  1101     Өмүрбекова Айгүл Асанбековна\n\
             {second}   rejected  <TIME>  1101     Өмүрбекова Айгүл Асанбековна\n\
             2 record(s)\n"
        )
    );

    // A well-formed id that was never issued.
    let station = kattoo::domain::StationId::parse("KG1101").unwrap();
    let date = first
        .parse::<kattoo::domain::RegistrationId>()
        .unwrap()
        .date();
    let unknown = kattoo::domain::RegistrationId::new(&station, 999, date).to_string();
    for args in [
        vec!["approve", &unknown],
        vec!["reject", &unknown, "--reason", "no such record"],
        vec!["records", "show", &unknown],
    ] {
        sup()
            .args(&args)
            .args(["--operator", SUP])
            .assert()
            .code(i32::from(exit::NOT_FOUND))
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "record {unknown} does not exist"
            )));
    }
}

#[test]
fn verify_and_the_audit_trail() {
    let kiosk = staffed();
    let id = kiosk.enroll(REG, REG_PASSWORD, &fixture("people/aigul.json"));
    kiosk
        .as_op(SUP_PASSWORD)
        .args(["approve", &id, "--operator", SUP])
        .assert()
        .success();

    // Rows: station-init; 2 × (login, operator-add); login + enrollment; login + approval.
    kiosk
        .cmd()
        .args(["records", "verify"])
        .assert()
        .success()
        .stdout("OK: 1 records, 12 biometrics and 9 audit rows verify\n");
    let out = stdout(&kiosk.cmd().args(["audit", "verify"]).assert().success());
    assert!(
        predicate::str::is_match(r"^audit chain OK: 9 rows, head [0-9a-f]{64}\n$")
            .unwrap()
            .eval(&out),
        "{out}"
    );

    kiosk
        .as_op(REG_PASSWORD)
        .args(["audit", "show", "--operator", REG])
        .assert()
        .code(i32::from(exit::DENIED))
        .stdout("")
        .stderr(predicate::str::contains("reg (registrar) may not"));

    let shown = stdout(&kiosk.admin(&["audit", "show"]).assert().success());
    let rows: Vec<(String, String, String, String)> = shown
        .lines()
        .map(|line| {
            let mut f = line.split_whitespace();
            let mut next = || f.next().unwrap_or_default().to_owned();
            let (seq, _at, action, operator) = (next(), next(), next(), next());
            (seq, action, operator, next())
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = [
        ("1", "station-init", "-", "KG1101"),
        ("2", "login", ADMIN, "-"),
        ("3", "operator-add", ADMIN, SUP),
        ("4", "login", ADMIN, "-"),
        ("5", "operator-add", ADMIN, REG),
        ("6", "login", REG, "-"),
        ("7", "enrollment", REG, id.as_str()),
        ("8", "login", SUP, "-"),
        ("9", "approval", SUP, id.as_str()),
        // The registrar's refused `audit show`, then this admin's login.
        ("10", "login", REG, "-"),
        ("11", "refusal", REG, "-"),
        ("12", "login", ADMIN, "-"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(rows, expected, "{shown}");
    assert!(
        shown.contains(r#"{"admin":"admin","key_fingerprint":""#),
        "{shown}"
    );
    assert!(
        !shown.contains("11403199000123"),
        "a PIN reached the audit trail"
    );

    // --from and --limit.
    let page = stdout(
        &kiosk
            .admin(&["audit", "show", "--from", "3", "--limit", "2"])
            .assert()
            .success(),
    );
    let seqs: Vec<&str> = page
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(seqs, ["3", "4"], "{page}");
}
