//! Captures from sources the station does not accept, refused as they arrive.

use super::*;

/// `event` with every capture in it from `source`.
fn from_source(mut event: Event, source: &Provenance) -> Event {
    match &mut event {
        Event::FaceAttempt(a) => a.photo.source = source.clone(),
        Event::FingerAttempt { fingers, .. } => fingers
            .iter_mut()
            .for_each(|f| f.capture.source = source.clone()),
        Event::ExceptionPhoto { photo, .. } | Event::Signature(photo) => {
            photo.source = source.clone()
        }
        _ => {}
    }
    event
}

#[test]
fn outside_training_a_capture_from_a_simulated_or_unverified_device_is_refused_as_it_arrives() {
    let sim = Provenance::simulated("sim:SIM-FP-1");
    let unverified = Provenance {
        device: "sbi:FP-9".into(),
        trust: crate::domain::Trust::Unverified {
            reason: "the data is not signed".into(),
        },
    };
    let mut s = at_fingers();
    send(&mut s, Event::CaptureFingers(FingerSet::LeftSlap));
    let simulated = from_source(attempt(FingerSet::LeftSlap, 80, &[]), &sim);
    assert_eq!(
        refuse(&s, simulated.clone()),
        WorkflowError::Untrusted(Untrusted::Simulated {
            device: "sim:SIM-FP-1".into()
        })
    );
    let refused = refuse(
        &s,
        from_source(attempt(FingerSet::LeftSlap, 80, &[]), &unverified),
    );
    assert_eq!(refused.message_id(), "capture-untrusted-unverified");
    assert_eq!(refused.device(), Some("sbi:FP-9"));
    // Nothing was kept: the capture is still open until the front end ends it.
    assert_eq!(s.capturing(), Some(FingerSet::LeftSlap));
    assert!(matches!(s.finger(LeftIndex), FingerSlot::Empty));

    // Face and signature too, and files without back-filling.
    let s = at_face();
    assert_eq!(
        refuse(&s, from_source(face(6, 6, 1), &sim)).message_id(),
        "capture-untrusted-simulated"
    );
    assert_eq!(
        refuse(&s, from_source(face(6, 6, 1), &Provenance::back_fill())),
        WorkflowError::Untrusted(Untrusted::File)
    );

    // In training mode the same attempt is kept.
    let mut t = at_fingers();
    t.admission.training = true;
    send(&mut t, Event::CaptureFingers(FingerSet::LeftSlap));
    send(&mut t, simulated);
    assert!(matches!(t.finger(LeftIndex), FingerSlot::Captured(_)));

    // A back-filling station takes files.
    let mut b = at_face();
    b.admission.back_fill = true;
    send(&mut b, from_source(face(6, 6, 1), &Provenance::back_fill()));
    assert!(b.face().is_some());
}
