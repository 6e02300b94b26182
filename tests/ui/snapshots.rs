//! Image snapshots of the kiosk in Kyrgyz at 1280×800: home, the fingerprint step after a slap
//! and the review. They are drawn by kittest's wgpu renderer (on a machine without a GPU, on
//! Mesa's software Vulkan, lavapipe), compared with the PNGs committed under `tests/snapshots/`
//! with kittest's tolerance, and on a difference the test fails and writes `NAME.new.png` and
//! `NAME.diff.png` beside them to look at. After a deliberate change to a screen, write them again
//! with `UPDATE_SNAPSHOTS=1 cargo test --test tests ui::snapshots`, look at them, and commit.
//!
//! The layout tests assert where things are; these catch what those cannot see: colours,
//! overlaps, a drawing gone wrong.
//!
//! A machine with no Vulkan driver at all (no GPU, and no `mesa-vulkan-drivers`) cannot draw
//! them: there the test says so and passes, unless `KATTOO_REQUIRE_SNAPSHOTS=1` (CI sets it,
//! after installing lavapipe), where it fails.

use super::enroll::{SLAPS, capture_sets, fill_details, harness_over, sign, wait_for};
use super::*;

/// The wizard driven in English (the helpers find widgets by their English words), then drawn
/// in Kyrgyz at the judged size.
fn snapshot_in_kyrgyz(h: &mut Harness<'static, App>, name: &str) {
    let driven = h.ctx.content_rect().size();
    h.set_size(egui::vec2(1280.0, 800.0));
    h.state_mut().set_language(Language::Ky);
    for _ in 0..4 {
        h.step();
    }
    // kittest's colour tolerance per pixel, and at most 64 pixels past it: room for a software
    // renderer's rounding on another CPU, far below what a moved line or widget changes (a
    // one-pixel shift of the bar's separator alone is over 1,200 pixels).
    h.snapshot_options(
        name,
        &egui_kittest::SnapshotOptions::default().max_failed_pixels(64),
    );
    h.state_mut().set_language(Language::En);
    h.set_size(driven);
    h.step();
    h.step();
}

/// Whether a Vulkan driver is installed (Mesa's lavapipe draws without a GPU).
fn vulkan_driver() -> bool {
    ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "json"))
}

#[test]
fn home_fingers_and_review_in_kyrgyz_look_as_reviewed() {
    if !vulkan_driver() {
        assert!(
            std::env::var_os("KATTOO_REQUIRE_SNAPSHOTS").is_none(),
            "KATTOO_REQUIRE_SNAPSHOTS is set but no Vulkan driver is installed \
             (apt-get install mesa-vulkan-drivers)"
        );
        eprintln!(
            "SKIPPED: no Vulkan driver to draw the snapshots with; \
             apt-get install mesa-vulkan-drivers to run them"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    station_with_registrar(dir.path());
    let mut h = harness_over(dir.path(), super::stand_in::devices());
    unlock_and_login(&mut h, "aibek", REGISTRAR_PASSWORD);
    snapshot_in_kyrgyz(&mut h, "home-ky");

    fill_details(&mut h, "11403199000123");
    wait_for(&mut h, "the auto-captured photo", |app| {
        app.wizard().is_some_and(|w| w.state().face().is_some())
    });
    click(&mut h, "Next");
    capture_sets(&mut h, &SLAPS[..1]);
    snapshot_in_kyrgyz(&mut h, "fingers-ky");
    capture_sets(&mut h, &SLAPS[1..]);
    click(&mut h, "Next");
    wait_for(&mut h, "the search of the prints", |app| !app.busy());
    sign(&mut h);
    click(&mut h, "Next");
    snapshot_in_kyrgyz(&mut h, "review-ky");
}
