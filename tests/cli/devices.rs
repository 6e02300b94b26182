//! `kattoo devices list` and `kattoo devices test` with the simulated devices: no station needed.

use super::*;

#[test]
fn list_shows_the_simulated_devices() {
    let kiosk = Kiosk::new();
    kiosk
        .cmd()
        .args(["devices", "list", "--backend", "sim"])
        .assert()
        .success()
        .stderr("")
        .stdout(
            "BACKEND  KIND     MAKE    MODEL              SERIAL     STATUS\n\
             sim      camera   kattoo  Simulated camera   SIM-CAM-1  ready\n\
             sim      scanner  kattoo  Simulated scanner  SIM-FP-1   ready\n",
        );
}

#[test]
fn test_captures_on_every_device() {
    let kiosk = Kiosk::new();
    let mut expected = String::from("sim:SIM-CAM-1: still 1280x720\n");
    for finger in ["right-index", "right-middle", "right-ring", "right-little"] {
        expected += &format!("sim:SIM-FP-1: {finger} 388x374 at 500 ppi, device quality 85\n");
    }
    expected += "2 tested, 0 failed\n";
    kiosk
        .cmd()
        .args(["devices", "test", "--backend", "sim"])
        .assert()
        .success()
        .stdout(expected);

    kiosk
        .cmd()
        .args(["devices", "test", "--backend", "sim", "--fingers", "thumbs"])
        .assert()
        .success()
        .stdout(
            "sim:SIM-CAM-1: still 1280x720\n\
             sim:SIM-FP-1: right-thumb 388x374 at 500 ppi, device quality 85\n\
             sim:SIM-FP-1: left-thumb 388x374 at 500 ppi, device quality 85\n\
             2 tested, 0 failed\n",
        );
}

#[test]
fn bad_options_are_usage_errors() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["devices", "list", "--backend", "bluetooth"])
        .assert()
        .code(i32::from(exit::USAGE));
    assert!(
        stderr(&out).contains("invalid value 'bluetooth'"),
        "{}",
        stderr(&out)
    );
    let out = kiosk
        .cmd()
        .args([
            "devices",
            "test",
            "--backend",
            "sim",
            "--fingers",
            "left-hand",
        ])
        .assert()
        .code(i32::from(exit::USAGE));
    assert!(
        stderr(&out).contains("unknown finger 'left-hand'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sim_fixture_folder_without_images_is_a_usage_error() {
    let kiosk = Kiosk::new();
    std::fs::create_dir_all(&kiosk.data).unwrap();
    let empty = kiosk.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(
        kiosk.data.join("config.toml"),
        format!(
            "[devices]\nsim_fixtures = {:?}\n",
            empty.display().to_string()
        ),
    )
    .unwrap();
    let out = kiosk
        .cmd()
        .args(["devices", "list", "--backend", "sim"])
        .assert()
        .code(i32::from(exit::USAGE))
        .stdout("");
    assert!(
        stderr(&out).starts_with("kattoo: sim scanner: cannot read "),
        "{}",
        stderr(&out)
    );
}
