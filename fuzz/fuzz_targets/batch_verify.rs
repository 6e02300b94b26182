//! Batch verification of a decrypted batch (the plain tar inside the age file): never a panic,
//! and never accepted unless it is what the fixture station signed. The station key is the
//! registered one (fixtures/batches/station-KG1101.pub) or, every other input, none (the
//! batch's own certificate is trusted, as `kattoo batch verify` without --station-key does).
#![no_main]
use kattoo::batch::bag::BagInfo;
use kattoo::crypto::PublicKey;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::sync::OnceLock;

struct Known {
    key: PublicKey,
    /// Every record JSON and bag-info the fixture station signed, from the valid fixtures.
    records: BTreeSet<Vec<u8>>,
    infos: Vec<BagInfo>,
}

fn known() -> &'static Known {
    static K: OnceLock<Known> = OnceLock::new();
    K.get_or_init(|| {
        let ids =
            kattoo::batch::parse_identities(include_str!("../../fixtures/batches/central-key.txt"))
                .unwrap();
        let mut records = BTreeSet::new();
        let mut infos = Vec::new();
        for age in [
            &include_bytes!("../../fixtures/batches/valid-1.age")[..],
            include_bytes!("../../fixtures/batches/valid-2.age"),
            include_bytes!("../../fixtures/batches/valid-3.age"),
            include_bytes!("../../fixtures/batches/replay-2.age"),
        ] {
            let files = kattoo::batch::verify::read_raw(age, &ids).unwrap();
            for (path, bytes) in &files {
                if path.starts_with("data/records/") && path.ends_with(".json") {
                    records.insert(bytes.clone());
                }
            }
            infos.push(BagInfo::parse(&files["bag-info.txt"]).unwrap());
        }
        let key =
            PublicKey::from_pem(include_str!("../../fixtures/batches/station-KG1101.pub")).unwrap();
        Known {
            key,
            records,
            infos,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let k = known();
    let registered = data.len() % 2 == 0;
    let key = registered.then_some(&k.key);
    let Ok(batch) = kattoo::fuzzing::verify_plain_tar(data, key) else {
        return;
    };
    assert_eq!(batch.self_certified, !registered);
    if registered {
        assert_eq!(batch.station_key, k.key, "accepted under another key");
    }
    if batch.station_key == k.key {
        // The fixture station's key cannot be forged: what it accepts, that station signed.
        assert!(
            k.infos.contains(&batch.info),
            "accepted a bag-info nobody signed: {:?}",
            batch.info
        );
        for r in &batch.records {
            assert!(
                k.records.contains(&r.json),
                "accepted a record nobody signed: {}",
                r.registration_id
            );
        }
    }
    assert_eq!(batch.records.len() as u64, batch.info.record_count);
    for r in &batch.records {
        assert!(!r.record.training);
        kattoo::domain::enrollment::verify_record(&batch.station_key, &r.json, &r.signature)
            .expect("an accepted record verifies again");
    }
    assert!(!batch.audit.is_empty());
});
