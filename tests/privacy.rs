//! Logs never carry names, PINs or biometric bytes, at any level, on success and on refusal paths.

use std::path::Path;
use std::process::Command;

fn kattoo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kattoo"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("KATTOO_DATA_DIR", dir)
        .env("KATTOO_BACK_FILL", "true")
        .env("KATTOO_SEARCH_DUPLICATES", "false")
        .env("KATTOO_PASSPHRASE", "privacy test passphrase")
        .env("KATTOO_LOG_LEVEL", "trace")
        .env("KATTOO_LOG_STDERR_LEVEL", "trace");
    c
}

#[test]
fn logs_hold_no_names_pins_or_biometrics() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("station");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut stderr_all = Vec::new();
    let mut run = |c: &mut Command| {
        let out = c.output().unwrap();
        stderr_all.extend_from_slice(&out.stderr);
        out
    };
    assert!(
        run(kattoo(&data)
            .env("KATTOO_NEW_PASSWORD", "admin-password")
            .args([
                "init",
                "--station-id",
                "KG1101",
                "--name",
                "P",
                "--region",
                "chui",
                "--precinct",
                "1101"
            ])
            .args(["--admin", "admin"]))
        .status
        .success()
    );
    let fingers = [
        "right-thumb",
        "right-index",
        "right-middle",
        "right-ring",
        "right-little",
        "left-thumb",
        "left-index",
        "left-middle",
        "left-ring",
    ];
    let enroll = |extra: &[&str]| {
        let mut c = kattoo(&data);
        c.env("KATTOO_OPERATOR_PASSWORD", "admin-password")
            .env("KATTOO_SUPERVISOR_PASSWORD", "admin-password");
        c.args(["enroll", "--operator", "admin", "--demographics"])
            .arg(fixtures.join("people/aigul.json"));
        c.arg("--photo").arg(fixtures.join("faces/astronaut.png"));
        for (i, f) in fingers.iter().enumerate() {
            c.arg("--finger").arg(format!(
                "{f}={}",
                fixtures
                    .join(format!("fingers/{}_1.png", 101 + i))
                    .display()
            ));
        }
        c.args(["--missing", "left-little=amputated", "--exception-photo"])
            .arg(format!(
                "left-little={}",
                fixtures.join("faces/astronaut.png").display()
            ));
        c.arg("--signature").arg(fixtures.join("signature.png"));
        c.args(extra);
        c
    };
    assert!(run(&mut enroll(&[])).status.success());
    // Refused as a duplicate, then allowed by override: both paths log.
    assert_eq!(run(&mut enroll(&[])).status.code(), Some(6));
    assert!(
        run(&mut enroll(&[
            "--override-duplicate-by",
            "admin",
            "--reason",
            "twin registration test"
        ]))
        .status
        .success()
    );
    run(kattoo(&data)
        .env("KATTOO_OPERATOR_PASSWORD", "wrong-password")
        .args(["records", "list", "--operator", "admin"]));

    let mut logs = Vec::new();
    for entry in std::fs::read_dir(data.join("logs")).unwrap() {
        logs.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let logs_text = String::from_utf8_lossy(&logs);
    assert!(
        logs_text.contains("enrollment saved"),
        "the log should record the enrollment: {logs_text}"
    );
    assert!(logs_text.contains("failed login"));

    let person: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures.join("people/aigul.json")).unwrap())
            .unwrap();
    let secrets = ["pin", "surname", "given_name", "patronymic"]
        .map(|k| person[k].as_str().unwrap().to_owned());
    let stderr_text = String::from_utf8_lossy(&stderr_all);
    for secret in &secrets {
        assert!(
            !logs_text.contains(secret.as_str()),
            "log file contains {secret:?}"
        );
        assert!(
            !stderr_text.contains(secret.as_str()),
            "stderr contains {secret:?}"
        );
    }
    // No biometric bytes: a distinctive run of the first fingerprint file must not appear.
    let finger = std::fs::read(fixtures.join("fingers/101_1.png")).unwrap();
    let probe = &finger[100..132];
    assert!(
        !logs.windows(probe.len()).any(|w| w == probe),
        "log file contains fingerprint bytes"
    );
}
