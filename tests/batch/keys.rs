//! Station keys at central, end to end: a revoked key's batches are refused (exit 24 on the
//! command line), and a replacement laptop set up under the same station id, registered with
//! `central rekey-station`, numbers its batches from 1 while the old key stays refused.

use super::*;

impl Fixture {
    /// Enrolls and approves one citizen with PIN suffix `pin` at `at`, in a session of its own.
    fn enroll_approved_at(&mut self, pin: u32, at: Timestamp) -> String {
        let session = self.station.login("admin", "admin-password-1", at).unwrap();
        self.serial += 1;
        let draft = EnrollmentDraft {
            citizen: aigul(pin),
            captures: captures(self.serial),
            ..Default::default()
        };
        let id = self
            .station
            .enroll(&session, draft, at)
            .unwrap()
            .to_string();
        self.station
            .approve(&session, std::slice::from_ref(&id), at)
            .unwrap();
        id
    }

    /// Exports what is approved at `at` to `usb`; the batch file's path.
    fn export_at(&mut self, usb: &Path, at: Timestamp) -> PathBuf {
        let session = self.station.login("admin", "admin-password-1", at).unwrap();
        let out = self
            .station
            .export(&session, &DirMedium(usb.to_owned()), at, &mut |_| {})
            .unwrap();
        usb.join(out.file_name)
    }

    fn public_key(&self) -> PublicKey {
        batch::StationCertificate::verify(&self.certificate())
            .unwrap()
            .1
    }
}

fn day(n: u8) -> Timestamp {
    Timestamp::parse(&format!("2026-11-{n:02}T06:00:00Z")).unwrap()
}

/// A new laptop set up under `old`'s station id, its first record number `first_sequence`,
/// registered at central as its replacement.
fn replacement(
    central: &mut Central<CentralDb>,
    old: &Fixture,
    first_sequence: u64,
    reason: &str,
    at: &str,
) -> (Fixture, StationEntry, PublicKey) {
    let mut new = Fixture::numbering_from("KG1101", first_sequence);
    new.encrypt_to(old);
    let (entry, replaced) = central
        .rekey_station(&new.certificate(), "chief", reason, at)
        .unwrap();
    (new, entry, replaced)
}

super::on_both_stores!(
    a_revoked_key_is_refused_and_a_replacement_station_starts_a_chain_of_its_own
);

fn a_revoked_key_is_refused_and_a_replacement_station_starts_a_chain_of_its_own() {
    let mut old = Fixture::new("KG1101");
    let usb = old.dir("usb");
    old.enroll_approved_at(1, day(27));
    let old_1 = old.export_at(&usb, day(27));
    old.enroll_approved_at(2, day(27));
    let old_2 = old.export_at(&usb, day(27));

    let (mut central, key) = old.central();
    central.add_station(&old.certificate(), "t").unwrap();
    central.import(&old_1, &key, "t").unwrap();
    let (station, revoked) = central
        .revoke_station("KG1101", "chief", "laptop stolen", "2026-11-28T08:00:00Z")
        .unwrap();
    assert!(revoked);
    let old_key = station.public_key;
    let err = central.import(&old_2, &key, "t").unwrap_err();
    assert!(
        matches!(&err, CentralError::RevokedStationKey { station, fingerprint }
            if station == "KG1101" && *fingerprint == old_key.fingerprint()),
        "{err}"
    );

    // Central holds the stolen laptop's record 1 (its record 2 came in a refused batch): a
    // replacement numbers from 2.
    assert_eq!(central.next_record_number("KG1101").unwrap(), Some(2));
    assert_eq!(central.next_record_number("KG9999").unwrap(), Some(1));

    // A replacement laptop set up under the same id without that number, that first registers
    // on the same day as the stolen one did: its record number 1 is taken, and central says so
    // instead of failing on a database constraint.
    let (mut new, entry, replaced) = replacement(
        &mut central,
        &old,
        1,
        "replacement laptop",
        "2026-11-28T09:00:00Z",
    );
    assert_eq!(replaced, old_key);
    let new_key = entry.public_key.clone();
    new.enroll_approved_at(10, day(27));
    let clash = new.export_at(&usb, day(28));
    let err = central.import(&clash, &key, "t").unwrap_err();
    assert!(
        matches!(&err, CentralError::RegistrationIdTaken { id, .. } if id.starts_with("KG1101-000001-20261127")),
        "{err}"
    );

    // A replacement numbering from the number central gives, that registers on the same day
    // as the stolen laptop: its record 2 of that day is not the stolen laptop's record 2,
    // which never reached central. Its batch 1 starts the new key's chain.
    let first = central.next_record_number("KG1101").unwrap().unwrap();
    let (mut new, entry, replaced) = replacement(
        &mut central,
        &old,
        first,
        "second laptop",
        "2026-11-29T09:00:00Z",
    );
    assert_eq!(replaced, new_key);
    // Its clock says the 27th for this record (as a laptop set up the same day could), so its
    // id shares the stolen laptop's date.
    let id = new.enroll_approved_at(11, day(27));
    assert!(id.starts_with("KG1101-000002-20261127-"), "{id}");
    let new_1 = new.export_at(&usb, day(29));
    assert!(matches!(
        central.import(&new_1, &key, "t").unwrap(),
        ImportOutcome::Imported {
            sequence: 1,
            records: 1,
            gap: None,
            ..
        }
    ));
    assert_eq!(central.next_record_number("KG1101").unwrap(), Some(3));
    // The old key stays refused, and re-registering a key already known is refused.
    assert!(matches!(
        central.import(&old_2, &key, "t"),
        Err(CentralError::RevokedStationKey { .. })
    ));
    assert!(matches!(
        central.rekey_station(&old.certificate(), "chief", "undo", "t"),
        Err(CentralError::KeyInUse { .. })
    ));
    let keys = central.station_keys("KG1101").unwrap();
    let summary: Vec<_> = keys
        .iter()
        .map(|k| {
            (
                k.revoked.as_ref().map(|r| r.reason.as_str()),
                k.link.as_ref().map(|l| l.replaces.clone()),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("laptop stolen"), None),
            (Some("second laptop"), Some(old_key.clone())),
            (None, Some(new_key.clone())),
        ]
    );
    assert_eq!(keys[2].public_key, entry.public_key);
    let report = central.report().unwrap();
    assert_eq!((report[0].records, report[0].last_sequence), (2, 1));
}

#[test]
fn cli_revoke_station_refuses_its_batches_with_exit_24_and_rekey_station_links_the_new_key() {
    use crate::util::bare_cmd;
    let mut old = Fixture::new("KG1101");
    let db = old.tmp.path().join("cli-central.sqlite");
    let central = |args: &[&str]| {
        let mut cmd = bare_cmd();
        cmd.arg("central").arg("--db").arg(&db).args(args);
        cmd.env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE);
        cmd
    };
    let init = central(&["init"]).assert().success();
    let recipient = String::from_utf8(init.get_output().stdout.clone()).unwrap();
    let set_recipient = |f: &mut Fixture| {
        f.station
            .set_batch_recipients(&f.session, &[recipient.trim().to_owned()], now())
            .unwrap();
    };
    set_recipient(&mut old);
    let usb = old.dir("usb");
    old.enroll_approved_at(1, day(27));
    let old_1 = old.export_at(&usb, day(27));
    old.enroll_approved_at(2, day(27));
    let old_2 = old.export_at(&usb, day(27));
    let certs = old.dir("certs");
    let cert = certs.join("old.json");
    std::fs::write(&cert, old.certificate()).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    central(&["add-station", &path(&cert)]).assert().success();
    central(&["import", &path(&old_1)]).assert().success();

    central(&["revoke-station", "KG1101", "--by", "chief", "--reason", " "])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("(--reason)"));
    central(&[
        "revoke-station",
        "KG1101",
        "--by",
        "chief",
        "--reason",
        "laptop stolen",
    ])
    .assert()
    .success()
    .stdout(predicates::str::contains(
        "revoked; its batches are refused",
    ))
    .stdout(predicates::str::contains(
        "set up the new laptop with `kattoo init … --first-sequence 2` so that it repeats no registration id central holds",
    ));
    central(&["import", &path(&old_2)])
        .assert()
        .code(24)
        .stderr(predicates::str::contains("which central revoked"));

    let mut new = Fixture::new("KG1101");
    set_recipient(&mut new);
    new.enroll_approved_at(3, day(29));
    let new_1 = new.export_at(&usb, day(29));
    let new_cert = certs.join("new.json");
    std::fs::write(&new_cert, new.certificate()).unwrap();
    let new_key = new.public_key();
    central(&[
        "rekey-station",
        &path(&new_cert),
        "--by",
        "chief",
        "--reason",
        "replacement",
    ])
    .assert()
    .success()
    .stdout(predicates::str::contains(format!(
        "new key {} registered",
        new_key.fingerprint()
    )));
    central(&["import", &path(&new_1)])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "batch 1 of KG1101 imported, 1 records",
        ));
    let keys = central(&["keys", "KG1101"]).assert().success();
    let listed = String::from_utf8(keys.get_output().stdout.clone()).unwrap();
    assert_eq!(listed.lines().count(), 4, "{listed}");
    assert!(
        listed
            .lines()
            .last()
            .unwrap()
            .contains("numbers its records from 2"),
        "{listed}"
    );
    assert!(listed.contains("by chief: laptop stolen"), "{listed}");
    assert!(
        listed.contains(&format!("{}  added", new_key.fingerprint())),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .nth(2)
            .unwrap()
            .ends_with("(linked by chief: replacement)"),
        "{listed}"
    );
}

#[test]
fn a_station_that_gave_its_last_number_has_no_number_left_for_a_replacement() {
    let mut last = Fixture::numbering_from("KG1101", 999_999);
    let usb = last.dir("usb");
    let id = last.enroll_approved_at(1, day(27));
    assert!(id.starts_with("KG1101-999999-20261127-"), "{id}");
    let batch = last.export_at(&usb, day(27));
    let (mut central, key) = last.central();
    central.add_station(&last.certificate(), "t").unwrap();
    assert_eq!(central.next_record_number("KG1101").unwrap(), Some(1));
    central.import(&batch, &key, "t").unwrap();
    assert_eq!(central.next_record_number("KG1101").unwrap(), None);
    // And the station itself gives no further number.
    let session = last
        .station
        .login("admin", "admin-password-1", day(27))
        .unwrap();
    let draft = EnrollmentDraft {
        citizen: aigul(2),
        captures: captures(99),
        ..Default::default()
    };
    assert!(matches!(
        last.station.enroll(&session, draft, day(27)),
        Err(kattoo::station::Error::SequencesUsed)
    ));
}
