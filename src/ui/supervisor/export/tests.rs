//! The export tab's errors in words, the mount table read, and where a typed folder wins.

use super::*;

fn io(kind: std::io::ErrorKind) -> station::Error {
    station::Error::Batch(batch::Error::Io {
        what: "create",
        path: "/media/stick/x.age".into(),
        source: std::io::Error::from(kind),
    })
}

#[test]
fn medium_failures_say_what_to_do() {
    assert_eq!(
        export_error(&io(std::io::ErrorKind::StorageFull)).id,
        "sv-export-error-full"
    );
    assert_eq!(
        export_error(&io(std::io::ErrorKind::ReadOnlyFilesystem)).id,
        "sv-export-error-read-only"
    );
    assert_eq!(
        export_error(&station::Error::Batch(batch::Error::ReadBack(
            "/m/x".into()
        )))
        .id,
        "sv-export-error-faulty"
    );
    assert_eq!(
        export_error(&station::Error::NothingToExport).id,
        "sv-export-nothing"
    );
}

#[test]
fn progress_moves_through_the_stages() {
    let p = ExportProgress::default();
    assert_eq!(p.fraction(), ("sv-export-stage-starting", 0.0));
    p.report(Progress {
        stage: Stage::Packing,
        done: 1,
        total: 2,
    });
    assert_eq!(p.fraction(), ("sv-export-stage-packing", 0.25));
    p.report(Progress {
        stage: Stage::ReadingBack,
        done: 10,
        total: 10,
    });
    assert_eq!(p.fraction(), ("sv-export-stage-checking", 1.0));
}
