//! The `--manifest` JSONL of `kattoo enroll`: each non-empty line parsed as the files of one
//! enrollment and those files loaded from a fixed directory (a real demographics file and small
//! pictures), exactly as the command does before it saves. Never a panic; one entry per
//! non-empty line, in order, and every refusal says something.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The directory the manifest's paths are relative to.
fn base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kattoo-fuzz-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("aigul.json"),
            include_bytes!("../../fixtures/people/aigul.json"),
        )
        .unwrap();
        let picture = image::GrayImage::from_fn(64, 64, |x, y| {
            image::Luma([((x * 7 + y * 13) % 256) as u8])
        });
        for name in ["face.png", "finger.png", "signature.png"] {
            picture.save(dir.join(name)).unwrap();
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let entries = kattoo::fuzzing::manifest(text, base());
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, _)| n + 1)
        .collect();
    let numbered: Vec<usize> = entries.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbered, lines);
    for (_, entry) in &entries {
        if let Err(message) = entry {
            assert!(!message.is_empty());
        }
    }
});
