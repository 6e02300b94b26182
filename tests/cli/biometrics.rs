//! `kattoo biometrics eval` and `kattoo biometrics scores` over the FVC fixtures
//! (`fixtures/matching/fvc`: fingers 101–103 of FVC2002 DB1_B, two impressions each, with a
//! commercial SDK's ISO 19794-2 records): exact output, timings masked, and exit statuses. The
//! scores are golden: a change to the extractor or the comparator changes them, deliberately.

use super::*;

/// Every pair's score with kattoo's extractor.
const EXTRACTED: &str = "\
     101_1\t101_2\t0.460547\n\
     101_1\t102_1\t0.020289\n\
     101_1\t102_2\t0.029225\n\
     101_1\t103_1\t0.032785\n\
     101_1\t103_2\t0.017209\n\
     101_2\t102_1\t0.018253\n\
     101_2\t102_2\t0.030629\n\
     101_2\t103_1\t0.052770\n\
     101_2\t103_2\t0.023870\n\
     102_1\t102_2\t0.460713\n\
     102_1\t103_1\t0.021956\n\
     102_1\t103_2\t0.020274\n\
     102_2\t103_1\t0.017837\n\
     102_2\t103_2\t0.025510\n\
     103_1\t103_2\t0.454248\n\
";

/// Every pair's score with the commercial records (stretched from their 300×400 frame).
const ISO: &str = "\
     101_1\t101_2\t0.441526\n\
     101_1\t102_1\t0.028077\n\
     101_1\t102_2\t0.032199\n\
     101_1\t103_1\t0.086925\n\
     101_1\t103_2\t0.070174\n\
     101_2\t102_1\t0.025730\n\
     101_2\t102_2\t0.021709\n\
     101_2\t103_1\t0.063818\n\
     101_2\t103_2\t0.030575\n\
     102_1\t102_2\t0.434766\n\
     102_1\t103_1\t0.019285\n\
     102_1\t103_2\t0.021529\n\
     102_2\t103_1\t0.033026\n\
     102_2\t103_2\t0.031033\n\
     103_1\t103_2\t0.437898\n\
";

fn folder() -> String {
    fixture("matching/fvc").display().to_string()
}

/// Replaces the number on the timing lines (`extraction`, `comparisons`) with `<N>`.
fn mask_timings(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((key @ ("extraction" | "comparisons"), rest)) => {
                let rest = rest.trim_start();
                let unit = rest.split_once(' ').map_or("", |(_, u)| u);
                format!("{key:<12} <N> {unit}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn scores_prints_every_pair() {
    let kiosk = Kiosk::new();
    kiosk
        .cmd()
        .args(["biometrics", "scores", &folder()])
        .assert()
        .success()
        .stderr("")
        .stdout(EXTRACTED);
    kiosk
        .cmd()
        .args(["biometrics", "scores", "--iso", &folder()])
        .assert()
        .success()
        .stdout(ISO);
}

#[test]
fn eval_prints_the_figures() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["biometrics", "eval", &folder()])
        .assert()
        .success()
        .stderr("");
    assert_eq!(
        mask_timings(&stdout(&out)),
        format!(
            "folder       {}\n\
             templates    extracted\n\
             images       6 (3 fingers)\n\
             genuine      3\n\
             impostor     12\n\
             EER          0.00 %\n\
             FMR100       0.00 %\n\
             FMR1000      0.00 %\n\
             ZeroFMR      0.00 %\n\
             extraction   <N> ms per image\n\
             comparisons  <N> per second per core\n",
            folder()
        )
    );
    let out = kiosk
        .cmd()
        .args(["biometrics", "eval", "--iso", "--json", &folder()])
        .assert()
        .success();
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let speed = json["comparisons_per_second_per_core"].take();
    assert!(speed.as_f64().is_some_and(|v| v > 0.0), "{speed}");
    assert_eq!(
        json,
        serde_json::json!({
            "dir": folder(),
            "templates": "iso19794-2",
            "images": 6,
            "fingers": 3,
            "genuine": 3,
            "impostor": 12,
            "eer": 0.0,
            "fmr100": 0.0,
            "fmr1000": 0.0,
            "zero_fmr": 0.0,
            "extraction_ms": null,
            "comparisons_per_second_per_core": null,
        })
    );
}

#[test]
fn unusable_folders_are_usage_errors() {
    let kiosk = Kiosk::new();
    let missing = kiosk.path("nowhere");
    let out = kiosk
        .cmd()
        .args(["biometrics", "eval"])
        .arg(&missing)
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("");
    assert_eq!(
        stderr(&out),
        format!(
            "kattoo: evaluation folder {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );

    // No images; then one finger only; then images without records.
    let dir = kiosk.path("set");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = kiosk
            .cmd()
            .args(["biometrics"])
            .args(args)
            .arg(&dir)
            .assert()
            .code(i32::from(exit::USAGE))
            .stdout("");
        stderr(&out)
    };
    assert_eq!(
        run(&["scores"]),
        format!(
            "kattoo: evaluation folder {}: no <finger>_<impression>.png images\n",
            dir.display()
        )
    );
    for stem in ["101_1", "101_2"] {
        let name = format!("{stem}.png");
        std::fs::copy(fixture("matching/fvc").join(&name), dir.join(&name)).unwrap();
    }
    assert_eq!(
        run(&["eval"]),
        format!(
            "kattoo: {}: needs two impressions of a finger and two fingers\n",
            dir.display()
        )
    );
    let err = run(&["scores", "--iso"]);
    assert!(
        err.starts_with(&format!(
            "kattoo: minutiae record {}",
            dir.join("iso19794-2").display()
        )),
        "{err}"
    );
    std::fs::write(dir.join("102_1.png"), b"not a png").unwrap();
    let err = run(&["eval"]);
    assert!(
        err.starts_with(&format!(
            "kattoo: finger image {}",
            dir.join("102_1.png").display()
        )),
        "{err}"
    );
}
