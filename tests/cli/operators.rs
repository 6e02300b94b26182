//! `kattoo operator`: accounts, roles and the lockout after failed logins.

use super::*;

#[test]
fn operators_are_added_listed_locked_unlocked_reset_and_disabled() {
    let kiosk = staffed();
    kiosk.add_operator("reg2", "registrar", "reg2-password");
    let table = |kiosk: &Kiosk| stdout(&kiosk.admin(&["operator", "list"]).assert().success());
    assert_eq!(
        table(&kiosk),
        "LOGIN                ROLE        STATUS    FAILED  LOCKED UNTIL\n\
         admin                admin       active         0  -\n\
         reg                  registrar   active         0  -\n\
         reg2                 registrar   active         0  -\n\
         sup                  supervisor  active         0  -\n"
    );

    // A registrar may not manage accounts; a supervisor may not add an admin.
    let out = kiosk
        .as_op(REG_PASSWORD)
        .env("KATTOO_NEW_PASSWORD", "whatever-password")
        .args([
            "operator",
            "add",
            "reg3",
            "--role",
            "registrar",
            "--operator",
            REG,
        ])
        .assert()
        .code(i32::from(exit::DENIED))
        .stdout("");
    assert!(
        stderr(&out).contains(
            "kattoo: reg (registrar) may not add an operator: that needs the supervisor role"
        ),
        "{}",
        stderr(&out)
    );
    kiosk
        .as_op(SUP_PASSWORD)
        .env("KATTOO_NEW_PASSWORD", "whatever-password")
        .args([
            "operator",
            "add",
            "adm2",
            "--role",
            "admin",
            "--operator",
            SUP,
        ])
        .assert()
        .code(i32::from(exit::DENIED))
        .stderr(predicate::str::contains(
            "sup (supervisor) may not add an operator",
        ));
    kiosk
        .as_op(REG_PASSWORD)
        .args(["operator", "list", "--operator", REG])
        .assert()
        .code(i32::from(exit::DENIED))
        .stderr(predicate::str::contains("may not list operators"));

    // A login that exists already; an unknown role (clap).
    kiosk
        .admin(&["operator", "add", SUP, "--role", "supervisor"])
        .env("KATTOO_NEW_PASSWORD", "whatever-password")
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr(predicate::str::contains("operator sup already exists"));
    kiosk
        .admin(&["operator", "add", "boss", "--role", "boss"])
        .env("KATTOO_NEW_PASSWORD", "whatever-password")
        .assert()
        .code(i32::from(exit::USAGE))
        .stderr(predicate::str::contains("unknown role 'boss'"));

    // A supervisor locks a registrar: the registrar cannot log in until unlocked.
    kiosk
        .as_op(SUP_PASSWORD)
        .args(["operator", "lock", REG, "--operator", SUP])
        .assert()
        .success()
        .stdout("locked reg\n");
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "list", "--operator", REG])
        .assert()
        .code(i32::from(exit::AUTH))
        .stdout("")
        .stderr(predicate::str::contains(
            "account reg is locked by a supervisor; ask a supervisor to unlock it",
        ));
    kiosk
        .admin(&["operator", "lock", ADMIN])
        .assert()
        .code(i32::from(exit::INVALID))
        .stderr(predicate::str::contains("on your own account"));
    kiosk
        .as_op(SUP_PASSWORD)
        .args(["operator", "unlock", REG, "--operator", SUP])
        .assert()
        .success()
        .stdout("unlocked reg\n");
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "list", "--operator", REG])
        .assert()
        .success()
        .stdout("REGISTRATION ID            STATUS    CREATED               PRECINCT NAME\n0 record(s)\n");

    // Reset: the new password works, the old one no longer does (and counts as a failure).
    kiosk
        .admin(&["operator", "reset-password", REG])
        .env("KATTOO_NEW_PASSWORD", "reg-password-2")
        .assert()
        .success()
        .stdout("password of reg reset; it must be changed at the next login\n");
    // A reset password opens nothing but its own change.
    kiosk
        .as_op("reg-password-2")
        .args(["records", "list", "--operator", REG])
        .assert()
        .code(i32::from(exit::DENIED))
        .stderr(
            "kattoo: reg must change the password a supervisor reset before doing anything else\n",
        );
    kiosk
        .as_op("reg-password-2")
        .args(["operator", "reset-password", REG, "--operator", REG])
        .env("KATTOO_NEW_PASSWORD", "reg-password-3")
        .assert()
        .success()
        .stdout("password of reg changed\n");
    kiosk
        .as_op("reg-password-3")
        .args(["records", "list", "--operator", REG])
        .assert()
        .success();
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "list", "--operator", REG])
        .assert()
        .code(i32::from(exit::AUTH))
        .stderr(predicate::str::contains("unknown login or wrong password"));

    // Disabled for good: even unlock refuses.
    kiosk
        .admin(&["operator", "disable", "reg2"])
        .assert()
        .success()
        .stdout("disabled reg2\n");
    kiosk
        .as_op("reg2-password")
        .args(["records", "list", "--operator", "reg2"])
        .assert()
        .code(i32::from(exit::AUTH))
        .stderr(predicate::str::contains("account reg2 is disabled"));
    kiosk
        .admin(&["operator", "unlock", "reg2"])
        .assert()
        .code(i32::from(exit::AUTH))
        .stderr(predicate::str::contains("account reg2 is disabled"));
    kiosk
        .admin(&["operator", "unlock", "nobody"])
        .assert()
        .code(i32::from(exit::NOT_FOUND))
        .stderr(predicate::str::contains("operator nobody does not exist"));

    assert_eq!(
        table(&kiosk),
        "LOGIN                ROLE        STATUS    FAILED  LOCKED UNTIL\n\
         admin                admin       active         0  -\n\
         reg                  registrar   active         1  -\n\
         reg2                 registrar   disabled       0  -\n\
         sup                  supervisor  active         0  -\n"
    );
}

#[test]
fn five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it() {
    let kiosk = Kiosk::init();
    kiosk.add_operator(REG, "registrar", REG_PASSWORD);
    let list = |password: &str| {
        let mut cmd = kiosk.as_op(password);
        cmd.args(["records", "list", "--operator", REG]);
        cmd
    };
    for attempt in 1..=4 {
        let out = list("wrong password")
            .assert()
            .code(i32::from(exit::AUTH))
            .stdout("");
        let err = stderr(&out);
        assert!(
            err.ends_with("kattoo: unknown login or wrong password\n"),
            "attempt {attempt}: {err}"
        );
    }
    let locked = || {
        predicate::str::contains("kattoo: account reg is locked after too many failed logins for ")
            .and(predicate::str::contains("ask a supervisor to unlock it"))
    };
    list("wrong password")
        .assert()
        .code(i32::from(exit::AUTH))
        .stdout("")
        .stderr(locked());
    // The right password does not help while locked out.
    list(REG_PASSWORD)
        .assert()
        .code(i32::from(exit::AUTH))
        .stdout("")
        .stderr(locked());

    let table = stdout(&kiosk.admin(&["operator", "list"]).assert().success());
    let reg_row = table.lines().find(|l| l.starts_with("reg ")).unwrap();
    assert_eq!(
        mask_times(reg_row),
        "reg                  registrar   active         0  <TIME>"
    );

    kiosk
        .admin(&["operator", "unlock", REG])
        .assert()
        .success()
        .stdout("unlocked reg\n");
    list(REG_PASSWORD).assert().success();

    // An unknown login fails the same way as a wrong password.
    kiosk
        .as_op(REG_PASSWORD)
        .args(["records", "list", "--operator", "nobody"])
        .assert()
        .code(i32::from(exit::AUTH))
        .stderr(predicate::str::contains("unknown login or wrong password"));
}
