//! Answers of an SBI device service, as kattoo reads them (the first byte picks which, and
//! whether the policy is training): MOSIPDISC, MOSIPDINFO (signatures checked), and RCAPTURE
//! (entries, signatures, transaction id, modality and hash chain checked, then the ISO
//! 19794-4/-5 records decoded into finger images or a face still). For RCAPTURE the hash chain
//! is fixed up on half the inputs so that the record decoding behind it is reached.
#![no_main]
use kattoo::domain::FingerPosition;
use kattoo::fuzzing::{SbiCaptured, sbi_capture, sbi_device_info, sbi_discovery};
use kattoo::hal::FingerSet;
use kattoo::hal::sbi::{TrustPolicy, protocol::initial_hash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let policy = TrustPolicy {
        training: sel & 0x80 != 0,
        ..Default::default()
    };
    match sel & 0x7f {
        0..=15 => {
            let _ = sbi_discovery(bytes);
        }
        16..=31 => {
            if let Ok(devices) = sbi_device_info(bytes, &policy) {
                for (_, _, trust) in devices {
                    assert!(policy.training || trust.is_verified());
                }
            }
        }
        s => {
            let set = match s % 5 {
                0 => None,
                1 => Some(FingerSet::LeftSlap),
                2 => Some(FingerSet::RightSlap),
                3 => Some(FingerSet::Thumbs),
                _ => Some(FingerSet::Single(FingerPosition::RightIndex)),
            };
            let fix = s & 0x08 != 0;
            if let Ok((captured, trust, hash)) =
                sbi_capture(bytes, &policy, set, &initial_hash(), fix)
            {
                assert!(policy.training || trust.is_verified());
                assert_eq!(hash.len(), 64);
                match captured {
                    SbiCaptured::Fingers(images) => {
                        let want = set.unwrap().positions();
                        assert_eq!(images.len(), want.len());
                        for i in &images {
                            assert!(want.contains(&i.position));
                            assert_eq!(i.pixels.len(), i.width as usize * i.height as usize);
                        }
                    }
                    SbiCaptured::Face(face) => {
                        assert!(set.is_none());
                        let f = &face.frame;
                        assert_eq!(f.rgb.len(), f.width as usize * f.height as usize * 3);
                    }
                }
            }
        }
    }
});
