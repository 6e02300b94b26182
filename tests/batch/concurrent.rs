//! Central under concurrency and crashes: importers racing on one batch and on consecutive
//! batches of one station (on both stores), a PostgreSQL server or an importer killed in the
//! middle of an import, and `kattoo central --db postgres://… import --jobs N`.

use super::*;
use kattoo::central::{ColumnKey, Place, SearchIndex};
use std::sync::Barrier;
use std::time::{Duration, Instant};

impl Fixture {
    /// Exports what is approved to the station's "usb" folder; the batch file.
    fn export_batch(&mut self) -> PathBuf {
        let usb = self.dir("usb");
        usb.join(self.export_to(&usb).unwrap().file_name)
    }
}

/// `n` batches of station `f`, each of `records` citizens, exported in turn.
fn batches(f: &mut Fixture, n: usize, records: u32) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            f.enroll_approved(records, 1000 * i as u32);
            f.export_batch()
        })
        .collect()
}

/// Imports `files[i]` on thread `i`, each over a central of its own on the store `db`, all
/// released at once; the outcomes in the order of `files`.
fn race(db: &Path, f: &Fixture, files: &[PathBuf]) -> Vec<Result<ImportOutcome, CentralError>> {
    race_sharing(db, f, files, None)
}

/// [`race`], the importers sharing the search index `shared` if one is given, as `central
/// import --jobs` does.
fn race_sharing(
    db: &Path,
    f: &Fixture,
    files: &[PathBuf],
    shared: Option<&SearchIndex>,
) -> Vec<Result<ImportOutcome, CentralError>> {
    let start = Barrier::new(files.len());
    std::thread::scope(|scope| {
        let threads: Vec<_> = files
            .iter()
            .map(|file| {
                let start = &start;
                let identity = f.identity.clone();
                let postgres = POSTGRES.get();
                let databases = DATABASES.with_borrow(|d| d.clone());
                scope.spawn(move || {
                    // The test thread's store, seen from this one.
                    POSTGRES.set(postgres);
                    DATABASES.set(databases);
                    let (mut central, key) = central_with(db, &identity);
                    if let Some(index) = shared {
                        central = central.with_search_index(index.clone());
                    }
                    start.wait();
                    central.import(file, &key, "t")
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    })
}

fn two_importers_racing_on_one_batch_commit_it_once() {
    let mut f = Fixture::new("KG1101");
    let file = batches(&mut f, 1, 6).remove(0);
    let db = f.tmp.path().join("central.sqlite");
    let (mut central, _) = central_with(&db, &f.identity);
    central.add_station(&f.certificate(), "t").unwrap();
    drop(central);

    let outcomes = race(&db, &f, &[file.clone(), file]);
    let imported = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(ImportOutcome::Imported { records: 6, .. })))
        .count();
    let already = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(ImportOutcome::AlreadyImported { sequence: 1, .. })))
        .count();
    assert_eq!((imported, already), (1, 1), "{outcomes:?}");
    let (central, _) = central_with(&db, &f.identity);
    assert_eq!(central.store().record_count("KG1101").unwrap(), 6);
    assert_eq!(central.store().batches("KG1101").unwrap().len(), 1);
}

fn consecutive_batches_of_one_station_imported_at_once_both_land_without_a_gap() {
    let mut f = Fixture::new("KG1101");
    let files = batches(&mut f, 2, 4);
    let db = f.tmp.path().join("central.sqlite");
    let (mut central, _) = central_with(&db, &f.identity);
    central.add_station(&f.certificate(), "t").unwrap();
    drop(central);

    // Batch 2 and batch 1 at once: whichever commits first, the other is checked against it
    // (batch 1 then fills the gap batch 2 left, as its signed link says), and both land.
    let outcomes = race(&db, &f, &[files[1].clone(), files[0].clone()]);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(ImportOutcome::Imported { records: 4, .. }))),
        "{outcomes:?}"
    );
    let (central, _) = central_with(&db, &f.identity);
    let report = central.report().unwrap();
    assert_eq!(
        (
            report[0].records,
            report[0].batches,
            report[0].last_sequence,
            report[0].gaps.clone()
        ),
        (8, 2, 2, vec![])
    );
}

super::on_both_stores!(
    two_importers_racing_on_one_batch_commit_it_once,
    consecutive_batches_of_one_station_imported_at_once_both_land_without_a_gap,
);

/// Holds the row of `station` locked on its own connection, so that an import of the station
/// stops just before its commit, every biometric staged.
fn hold_station(config: &postgres::Config, station: &str) -> postgres::Client {
    let mut holder = config.connect(postgres::NoTls).unwrap();
    holder.batch_execute("BEGIN").unwrap();
    holder
        .query(
            "SELECT 1 FROM stations WHERE station_id = $1 FOR UPDATE",
            &[&station],
        )
        .unwrap();
    holder
}

/// Waits until an import on `database` has written and waits for a station's lock.
fn wait_for_blocked_import(config: &postgres::Config, database: &str) {
    let mut watch = config.connect(postgres::NoTls).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let blocked: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = $1 AND backend_xid IS NOT NULL AND wait_event_type = 'Lock'",
                &[&database],
            )
            .unwrap()
            .get(0);
        if blocked > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the import never reached the station's lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A new database on `server` with station KG1101 registered, and the station's first batch of
/// `records` citizens waiting to be imported.
struct OneBatch {
    name: String,
    config: postgres::Config,
    file: PathBuf,
    /// Central's identity file, and its key.
    identity: String,
    key: CentralKey,
}

impl OneBatch {
    /// The database and its batch, and the station, which keeps the batch's file.
    fn new(server: &TestServer, records: u32) -> (OneBatch, Fixture) {
        let name = server.create_database().unwrap();
        let config = server.config(&name);
        let mut station = Fixture::new("KG1101");
        let file = batches(&mut station, 1, records).remove(0);
        let key = CentralKey::new(batch::parse_identities(&station.identity).unwrap());
        let made = OneBatch {
            name,
            config,
            file,
            identity: station.identity.clone(),
            key,
        };
        made.central()
            .add_station(&station.certificate(), "t")
            .unwrap();
        (made, station)
    }

    /// Central over the database, on connections of its own.
    fn central(&self) -> Central<PgCentral> {
        Central::new(PgCentral::connect(&self.config, &self.name).unwrap())
    }
}

#[test]
fn the_postgres_server_killed_mid_import_leaves_nothing_and_a_rerun_completes() {
    // A server of its own, as this one is killed.
    if TestServer::shared().is_none() {
        return;
    }
    let server = TestServer::start(kattoo::central::pg_server::FAST).unwrap();
    let (one, _station) = OneBatch::new(&server, 5);
    let open = || one.central();

    let holder = hold_station(&one.config, "KG1101");
    let failed = std::thread::scope(|scope| {
        let import = scope.spawn(|| open().import(&one.file, &one.key, "t"));
        wait_for_blocked_import(&one.config, &one.name);
        server.kill().unwrap();
        import.join().unwrap()
    });
    drop(holder);
    assert!(matches!(failed, Err(CentralError::Pg(_))), "{failed:?}");
    server.restart().unwrap();
    let mut central = open();
    assert_eq!(central.store().biometrics_held().unwrap(), 0);
    assert!(central.store().batches("KG1101").unwrap().is_empty());
    assert!(matches!(
        central.import(&one.file, &one.key, "t").unwrap(),
        ImportOutcome::Imported { records: 5, .. }
    ));
    assert!(central.store().biometrics_held().unwrap() > 0);
}

#[test]
fn an_import_the_server_ends_as_a_deadlock_is_imported_again_and_lands() {
    let Some(server) = TestServer::shared() else {
        return;
    };
    let (one, _station) = OneBatch::new(server, 2);
    let open = || one.central();
    // A file the import stages.
    let verified = batch::verify_batch(
        std::fs::File::open(&one.file).unwrap(),
        &batch::parse_identities(&one.identity).unwrap(),
        None,
        &mut |_, _| Ok(()),
    )
    .unwrap();
    let sha256 = verified.records[0].record.biometrics[0].sha256.clone();

    // Another session holds the station, so the import stops at its turn with every file
    // staged; it then writes one of those files and waits for the import, which waits for it.
    // It waits longer than the import before looking for a deadlock, so the server ends the
    // import's transaction, not its own.
    // The server looks for a deadlock once, when a session has waited deadlock_timeout: the
    // import's 5 s leave this session the time to start waiting for it.
    one.config
        .connect(postgres::NoTls)
        .unwrap()
        .batch_execute(&format!(
            "ALTER DATABASE {} SET deadlock_timeout = '5s'",
            one.name
        ))
        .unwrap();
    let sealed = ColumnKey::new(&one.key).seal(Place::Biometric(&sha256), b"a file of its own");
    let mut holder = hold_station(&one.config, "KG1101");
    holder
        .batch_execute("SET deadlock_timeout = '120s'")
        .unwrap();
    let outcome = std::thread::scope(|scope| {
        let import = scope.spawn(|| open().import(&one.file, &one.key, "t"));
        wait_for_blocked_import(&one.config, &one.name);
        holder
            .execute(
                "INSERT INTO biometrics (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
                &[&sha256, &sealed],
            )
            .expect("the import, not this session, is the one the server ends");
        // The row was the import's, uncommitted (the station is held here): this session has
        // it only because the server ended the import's transaction. The import can now only
        // succeed by importing the file again.
        holder.batch_execute("ROLLBACK").unwrap();
        import.join().unwrap()
    });
    assert!(
        matches!(outcome, Ok(ImportOutcome::Imported { records: 2, .. })),
        "{outcome:?}"
    );
    let central = open();
    assert_eq!(central.store().batches("KG1101").unwrap().len(), 1);
    assert_eq!(central.store().record_count("KG1101").unwrap(), 2);
}

/// A PostgreSQL database on the shared server that the command line can use: central's
/// identity (the fixture's) stored under [`CENTRAL_PASSPHRASE`], and `stations` registered.
pub(super) fn cli_database(server: &TestServer, identity: &str, stations: &[&Fixture]) -> String {
    let name = server.create_database().unwrap();
    let mut store = PgCentral::connect(&server.config(&name), &name).unwrap();
    let recipient =
        CentralKey::new(batch::parse_identities(identity).unwrap()).recipients()[0].clone();
    let protected = kattoo::central::identity::protect(identity, CENTRAL_PASSPHRASE).unwrap();
    store.set_identity(&protected, &recipient, "t").unwrap();
    let mut central = Central::new(store);
    for f in stations {
        central.add_station(&f.certificate(), "t").unwrap();
    }
    name
}

pub(super) fn central_cli(url: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = crate::util::bare_cmd();
    cmd.args(["central", "--db", url])
        .args(args)
        .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE);
    cmd
}

#[test]
fn an_importer_killed_mid_import_leaves_nothing_and_a_rerun_completes() {
    let Some(server) = TestServer::shared() else {
        return;
    };
    let mut f = Fixture::new("KG1101");
    let file = batches(&mut f, 1, 5).remove(0);
    let name = cli_database(server, &f.identity, &[&f]);
    let (url, config) = (server.url(&name), server.config(&name));

    let holder = hold_station(&config, "KG1101");
    let mut importer = std::process::Command::new(assert_cmd::cargo::cargo_bin("kattoo"))
        .args(["central", "--db", &url, "import", file.to_str().unwrap()])
        .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_blocked_import(&config, &name);
    importer.kill().unwrap();
    importer.wait().unwrap();
    drop(holder);

    let store = PgCentral::connect(&config, &name).unwrap();
    assert_eq!(store.biometrics_held().unwrap(), 0);
    assert!(store.batches("KG1101").unwrap().is_empty());
    central_cli(&url, &["import", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(format!(
            "{}: batch 1 of KG1101 imported, 5 records\n",
            file.display()
        ));
}

#[test]
fn cli_central_on_postgres_imports_batches_of_two_stations_in_parallel() {
    let Some(server) = TestServer::shared() else {
        return;
    };
    let mut a = Fixture::new("KG1101");
    let mut b = Fixture::new("KG1102");
    b.encrypt_to(&a);
    let mut files = batches(&mut a, 3, 2);
    files.extend(batches(&mut b, 2, 3));
    let name = cli_database(server, &a.identity, &[&a, &b]);
    let url = server.url(&name);
    let paths: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();

    let import = |jobs: &str| {
        let mut args = vec!["import", "--jobs", jobs];
        args.extend(&paths);
        central_cli(&url, &args).assert().success()
    };
    let out = crate::util::stdout(&import("3"));
    let mut lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("  ")).collect();
    lines.sort();
    let mut expected: Vec<String> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (station, sequence, records) = if i < 3 {
                ("KG1101", i + 1, 2)
            } else {
                ("KG1102", i - 2, 3)
            };
            format!(
                "{}: batch {sequence} of {station} imported, {records} records",
                f.display()
            )
        })
        .collect();
    expected.sort();
    assert_eq!(lines, expected, "{out}");
    // Again: every batch is already there.
    let again = crate::util::stdout(&import("2"));
    assert_eq!(
        again
            .lines()
            .filter(|l| l.contains("already imported, nothing to do"))
            .count(),
        5,
        "{again}"
    );
    let report = crate::util::stdout(&central_cli(&url, &["report"]).assert().success());
    let rows: Vec<Vec<&str>> = report
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[1],
        ["KG1101", "6", "3", "3", "0", "0", "-"],
        "{report}"
    );
    assert_eq!(
        rows[2],
        ["KG1102", "6", "2", "2", "0", "0", "-"],
        "{report}"
    );

    // Whoever reads the database, or a dump of it, finds no PIN, name, template or image of a
    // citizen in it: central's key seals them.
    let pg_dump = kattoo::central::pg_server::bin_dir()
        .unwrap()
        .join("pg_dump");
    let dump = succeeded(std::process::Command::new(pg_dump).args(["--data-only", "-d", &url]));
    let dump = String::from_utf8(dump).unwrap();
    assert!(dump.contains("COPY public.records"), "{dump}");
    for clear in [
        &b"11403199"[..],
        "Өмүрбекова".as_bytes(),
        b"\x89PNG\r\n\x1a\n",
        b"FMR\0",
    ] {
        assert!(
            !dump.as_bytes().windows(clear.len()).any(|w| w == clear),
            "{clear:?}"
        );
        assert!(
            !dump.contains(&hex::encode(clear)),
            "{clear:?} in hexadecimal"
        );
    }

    // The register: a PIN held at both stations (…00001: A's first batch and B's), a precinct,
    // and every PIN held at more than one station (…00001, …00002 and …01004, two records each).
    let listed = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&crate::util::stdout(
            &central_cli(&url, args).assert().success(),
        ))
        .unwrap()
    };
    let found = listed(&["find", "--pin", "11403199000001", "--json"]);
    let stations: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["station"].as_str().unwrap())
        .collect();
    assert_eq!(stations, ["KG1101", "KG1102"], "{found}");
    assert_eq!(found[0]["masked_pin"], "**********0001");
    assert_eq!(found[0]["name"], "Өмүрбекова Айгүл Асанбековна");
    assert_eq!(
        listed(&["precinct", "1101", "--json"])
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        listed(&["duplicate-pins", "--json"])
            .as_array()
            .unwrap()
            .len(),
        6
    );
    central_cli(&url, &["find", "--pin", "11403199009999"])
        .assert()
        .code(8)
        .stderr("no record at central holds PIN **********9999\n");
    central_cli(&url, &["find", "--pin", "11403199009999", "--json"])
        .assert()
        .code(8)
        .stdout("[]\n")
        .stderr("");

    // The precinct's voter list, signed with central's key, written beside that key.
    let lists = a.dir("voter-lists");
    let out = central_cli(
        &url,
        &["voter-list", "1101", "--to", lists.to_str().unwrap()],
    )
    .assert()
    .success();
    let said = crate::util::stdout(&out);
    assert!(
        said.contains(": 12 voters of precinct 1101, signed by central's key "),
        "{said}"
    );
    let names = files_in(&lists);
    assert_eq!(names.len(), 3, "{names:?}");
    let json = lists.join(&names[1]);
    assert!(
        names[1].starts_with("voter-list-1101-") && names[1].ends_with(".json"),
        "{names:?}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&json).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "names, PINs and templates are central's operator's only"
        );
    }
    let pem = std::fs::read_to_string(lists.join("central-signing.pub")).unwrap();
    let key = PublicKey::from_pem(&pem).unwrap();
    let sig = std::fs::read(lists.join(&names[2])).unwrap();
    let info = kattoo::central::verify_voter_list(
        &std::fs::read(&json).unwrap(),
        &sig,
        &key,
        &kattoo::domain::address::Precinct::parse("1101").unwrap(),
    )
    .unwrap();
    assert_eq!(info.voters, 12);
    // The polling station's check, from the command line.
    let check = |list: &Path, precinct: &str| {
        let mut cmd = crate::util::bare_cmd();
        cmd.args(["voter-list", "verify"])
            .arg(list)
            .arg("--key")
            .arg(lists.join("central-signing.pub"))
            .args(["--precinct", precinct]);
        cmd.assert()
    };
    let ok = check(&json, "1101").success();
    assert!(
        crate::util::stdout(&ok).starts_with("voter list of precinct 1101 OK: 12 voters, issued "),
        "{ok:?}"
    );
    check(&json, "1102").code(5);
    let changed = a.dir("changed-list").join(&names[1]);
    let mut bytes = std::fs::read(&json).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&changed, bytes).unwrap();
    std::fs::copy(lists.join(&names[2]), a.dir("changed-list").join(&names[2])).unwrap();
    check(&changed, "1101").code(15);
    let printed = crate::util::stdout(&central_cli(&url, &["signing-key"]).assert().success());
    assert_eq!(printed, pem);
    // Not overwritten: the same day's list again is refused.
    central_cli(
        &url,
        &["voter-list", "1101", "--to", lists.to_str().unwrap()],
    )
    .assert()
    .code(2);

    // A SQLite file takes one writer at a time; a password on the command line is refused.
    let sqlite = a.tmp.path().join("central.sqlite");
    crate::util::bare_cmd()
        .args([
            "central",
            "--db",
            sqlite.to_str().unwrap(),
            "import",
            "--jobs",
            "2",
            paths[0],
        ])
        .env("KATTOO_CENTRAL_PASSPHRASE", CENTRAL_PASSPHRASE)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--jobs above 1 needs a PostgreSQL database",
        ));
    // No importer at all, or more than the database's connections allow: refused before any.
    for jobs in ["0", "33"] {
        let refused = central_cli(&url, &["import", "--jobs", jobs, paths[0]])
            .assert()
            .code(2);
        assert!(
            crate::util::stderr(&refused).contains("1..=32"),
            "--jobs {jobs}: {}",
            crate::util::stderr(&refused)
        );
    }
    let with_password = url.replacen("kattoo@", "kattoo:hunter2@", 1);
    let refused = central_cli(&with_password, &["report"]).assert().code(2);
    let said = crate::util::stderr(&refused);
    assert!(
        said.contains("PGPASSWORD") && !said.contains("hunter2"),
        "{said}"
    );
}

fn the_register_finds_a_pin_lists_a_precinct_and_the_pins_held_at_two_stations() {
    let mut a = Fixture::new("KG1101");
    let mut b = Fixture::new("KG1102");
    b.encrypt_to(&a);
    // PINs …00001 and …00002 at both stations; …00503 only at B.
    a.enroll_approved(2, 0);
    b.enroll_approved(2, 0);
    b.enroll_approved(1, 500);
    let files = [a.export_batch(), b.export_batch()];
    let db = a.tmp.path().join("central.sqlite");
    let (mut central, key) = central_with(&db, &a.identity);
    central.add_station(&a.certificate(), "t").unwrap();
    central.add_station(&b.certificate(), "t").unwrap();
    for file in &files {
        central.import(file, &key, "t").unwrap();
    }
    let ask = |q: RegisterQuery| -> Vec<(String, String)> {
        central
            .store()
            .register(&q)
            .unwrap()
            .into_iter()
            .map(|e| (e.station_id, e.pin[9..].to_owned()))
            .collect()
    };
    let both =
        |pin: &str| [("KG1101", pin), ("KG1102", pin)].map(|(s, p)| (s.to_owned(), p.to_owned()));
    assert_eq!(
        ask(RegisterQuery::Pin("11403199000001".into())),
        both("00001")
    );
    assert_eq!(
        ask(RegisterQuery::Pin("11403199000503".into())),
        [("KG1102".to_owned(), "00503".to_owned())]
    );
    assert_eq!(ask(RegisterQuery::Pin("11403199000009".into())), []);
    assert_eq!(
        ask(RegisterQuery::PinsAtSeveralStations),
        [both("00001"), both("00002")].concat()
    );
    let precinct = ask(RegisterQuery::Precinct("1101".into()));
    assert_eq!(precinct.len(), 5, "{precinct:?}");
    assert_eq!(ask(RegisterQuery::Precinct("9999".into())), []);
}

super::on_both_stores!(the_register_finds_a_pin_lists_a_precinct_and_the_pins_held_at_two_stations);

fn a_precinct_voter_list_is_signed_by_central_and_lists_its_current_voters() {
    use FingerPosition::{LeftIndex, RightIndex};
    use kattoo::central::{Error as E, verify_voter_list};
    use kattoo::domain::address::Precinct;
    let mut a = Fixture::new("KG1101");
    let with_fingers = a.enroll_fingers(1, &[(RightIndex, "101_1"), (LeftIndex, "102_1")]);
    a.enroll_approved(2, 10);
    let file = a.export_batch();
    let db = a.tmp.path().join("central.sqlite");
    let (mut central, key) = central_with(&db, &a.identity);
    central.add_station(&a.certificate(), "t").unwrap();
    central.import(&file, &key, "t").unwrap();

    let precinct = Precinct::parse("1101").unwrap();
    let list = central
        .voter_list(&key, &precinct, "2026-12-07T08:00:00Z")
        .unwrap();
    assert_eq!(list.file_name, "voter-list-1101-20261207.json");
    assert_eq!(list.voters, 3);
    let public = key.signing_key().public_key();
    let sig = list.signature.to_file();
    let info = verify_voter_list(&list.json, sig.as_bytes(), &public, &precinct).unwrap();
    assert_eq!((info.precinct.as_str(), info.voters), ("1101", 3));
    // A genuine list, but of another precinct than the polling station's own: refused.
    let next_door = Precinct::parse("1102").unwrap();
    assert!(matches!(
        verify_voter_list(&list.json, sig.as_bytes(), &public, &next_door),
        Err(E::VoterListPrecinct { listed, expected }) if listed == "1101" && expected == "1102"
    ));

    let value: serde_json::Value = serde_json::from_slice(&list.json).unwrap();
    assert_eq!(value["schema"], "kattoo/voter-list/v1");
    let voters = value["voters"].as_array().unwrap();
    let ids: Vec<&str> = voters
        .iter()
        .map(|v| v["registration_id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let first = voters
        .iter()
        .find(|v| v["registration_id"] == with_fingers.as_str())
        .unwrap();
    assert_eq!(first["surname"], "Өмүрбекова");
    assert_eq!(first["pin"], "11403199000001");
    let fingers = first["fingers"].as_array().unwrap();
    assert_eq!(
        fingers
            .iter()
            .map(|f| f["position"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [2, 7]
    );
    use base64::Engine;
    let template = base64::engine::general_purpose::STANDARD
        .decode(fingers[0]["template"].as_str().unwrap())
        .unwrap();
    assert!(template.starts_with(b"FMR\0 20\0"), "{:?}", &template[..8]);

    // Changed by one byte, or checked with another central's key: refused.
    let mut changed = list.json.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    assert!(matches!(
        verify_voter_list(&changed, sig.as_bytes(), &public, &precinct),
        Err(E::VoterListSignature(_))
    ));
    let other = CentralKey::new(batch::parse_identities(&batch::new_identity_file("t").0).unwrap());
    assert_ne!(other.signing_key().public_key(), public);
    assert!(matches!(
        verify_voter_list(
            &list.json,
            sig.as_bytes(),
            &other.signing_key().public_key(),
            &precinct
        ),
        Err(E::VoterListSignature(_))
    ));
    // The same identity gives the same key: a list is checked with the key published once.
    let again = CentralKey::new(batch::parse_identities(&a.identity).unwrap());
    assert_eq!(again.signing_key().public_key(), public);
    // A precinct with nobody registered has an empty list, signed all the same.
    let nobody = Precinct::parse("9999").unwrap();
    let empty = central
        .voter_list(&key, &nobody, "2026-12-07T08:00:00Z")
        .unwrap();
    let info = verify_voter_list(
        &empty.json,
        empty.signature.to_file().as_bytes(),
        &public,
        &nobody,
    )
    .unwrap();
    assert_eq!(info.voters, 0);
}

super::on_both_stores!(a_precinct_voter_list_is_signed_by_central_and_lists_its_current_voters);

/// The possible duplicates imports found, in all; each import must have imported its batch.
fn duplicates_found(outcomes: &[Result<ImportOutcome, CentralError>]) -> usize {
    outcomes
        .iter()
        .map(|o| match o {
            Ok(ImportOutcome::Imported { duplicates, .. }) => duplicates.len(),
            other => panic!("{other:?}"),
        })
        .sum()
}

fn one_person_at_two_stations_imported_at_once_is_listed() {
    use FingerPosition::{LeftIndex, RightIndex};
    let mut a = Fixture::new("KG1101");
    let mut b = Fixture::new("KG1102");
    b.encrypt_to(&a);
    // Other impressions of the same two fingers, under two PINs.
    a.enroll_fingers(1, &[(RightIndex, "101_1"), (LeftIndex, "102_1")]);
    b.enroll_fingers(2, &[(RightIndex, "101_2"), (LeftIndex, "102_2")]);
    let files = [a.export_batch(), b.export_batch()];
    let db = a.tmp.path().join("central.sqlite");
    let (mut central, _) = central_with(&db, &a.identity);
    central.add_station(&a.certificate(), "t").unwrap();
    central.add_station(&b.certificate(), "t").unwrap();
    drop(central);

    // Each importer's index is built from the empty register as it starts; whichever commits
    // second must still search the first one's record.
    let outcomes = race(&db, &a, &files);
    assert_eq!(duplicates_found(&outcomes), 1, "{outcomes:?}");
    let (central, _) = central_with(&db, &a.identity);
    assert_eq!(central.store().duplicates().unwrap().len(), 1);
}

super::on_both_stores!(one_person_at_two_stations_imported_at_once_is_listed);

fn importers_sharing_one_index_list_a_person_at_two_stations_and_hold_everyone_once() {
    use FingerPosition::{LeftIndex, RightIndex};
    let mut a = Fixture::new("KG1101");
    let mut b = Fixture::new("KG1102");
    let mut c = Fixture::new("KG1103");
    b.encrypt_to(&a);
    c.encrypt_to(&a);
    // The same two fingers at two stations; another person at a third.
    a.enroll_fingers(1, &[(RightIndex, "101_1"), (LeftIndex, "102_1")]);
    b.enroll_fingers(2, &[(RightIndex, "101_2"), (LeftIndex, "102_2")]);
    c.enroll_fingers(3, &[(RightIndex, "103_1"), (LeftIndex, "103_2")]);
    let files = [a.export_batch(), b.export_batch(), c.export_batch()];
    let db = a.tmp.path().join("central.sqlite");
    let (mut central, _) = central_with(&db, &a.identity);
    for f in [&a, &b, &c] {
        central.add_station(&f.certificate(), "t").unwrap();
    }
    drop(central);

    let index = SearchIndex::default();
    let outcomes = race_sharing(&db, &a, &files, Some(&index));
    assert_eq!(duplicates_found(&outcomes), 1, "{outcomes:?}");
    // Built once, and each imported person in it once: an import follows the index only after
    // the one before it has, so none adds another's records a second time.
    assert_eq!(index.people(), Some(3));
    // An importer joining later searches the same index: the person is found at both stations.
    let mut d = Fixture::new("KG1104");
    d.encrypt_to(&a);
    d.enroll_fingers(4, &[(RightIndex, "101_1"), (LeftIndex, "102_2")]);
    let (mut central, key) = central_with(&db, &a.identity);
    central.add_station(&d.certificate(), "t").unwrap();
    let mut central = central.with_search_index(index.clone());
    match central.import(&d.export_batch(), &key, "t") {
        Ok(ImportOutcome::Imported { duplicates, .. }) => assert_eq!(duplicates.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(index.people(), Some(4));
}

super::on_both_stores!(
    importers_sharing_one_index_list_a_person_at_two_stations_and_hold_everyone_once
);

#[test]
fn the_cli_imports_into_a_server_reached_over_tls() {
    if TestServer::shared().is_none() {
        return;
    }
    let (server, authority) = TestServer::start_tls().unwrap();
    let mut f = Fixture::new("KG1101");
    let file = batches(&mut f, 1, 2).remove(0);
    let name = cli_database(&server, &f.identity, &[&f]);
    // The authority named in the environment, as libpq takes it; TLS asked for in the address.
    let url = format!(
        "postgres://kattoo@localhost:{}/{name}?sslmode=verify-full",
        server.port()
    );
    let import = |env: &[(&str, &Path)]| {
        let mut cmd = central_cli(&url, &["import", file.to_str().unwrap()]);
        cmd.envs(env.iter().copied());
        cmd.assert()
    };
    let out = import(&[("PGSSLROOTCERT", &authority)]).success();
    assert!(crate::util::stdout(&out).contains("imported"), "{out:?}");
    // The same server, checked against an authority that did not sign its certificate: refused,
    // though OpenSSL's own store, which kattoo must not consult, holds the real one.
    let stranger = f.tmp.path().join("stranger.pem");
    kattoo::central::pg_server::test_tls::stranger_authority(&stranger).unwrap();
    let refused = import(&[
        ("PGSSLROOTCERT", &stranger),
        ("SSL_CERT_FILE", &authority),
        ("SSL_CERT_DIR", authority.parent().unwrap()),
    ])
    .failure();
    assert!(
        crate::util::stderr(&refused).contains("certificate verify failed"),
        "{}",
        crate::util::stderr(&refused)
    );
}
