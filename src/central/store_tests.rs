//! The store's side of central's rules, over both stores: SQLite in a temporary file, and
//! PostgreSQL on a real server the tests start ([`super::pg_server`]; skipped, said once, only
//! where PostgreSQL is not installed and `KATTOO_REQUIRE_POSTGRES` is unset).

use super::pg_server::TestServer;
use super::*;

/// A new, empty store of each kind, with what must live as long as it.
pub(crate) fn each_store() -> Vec<(&'static str, CentralDb, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteCentral::open(&dir.path().join("c.sqlite")).unwrap();
    let mut all = vec![("sqlite", CentralDb::Sqlite(sqlite), Some(dir))];
    if let Some(server) = TestServer::shared() {
        let name = server.create_database().unwrap();
        let pg = PgCentral::connect(&server.config(&name), &name).unwrap();
        all.push(("postgres", CentralDb::Postgres(Box::new(pg)), None));
    }
    all
}

#[test]
fn init_then_unlock_with_the_passphrase_on_each_store() {
    for (kind, store, _dir) in each_store() {
        let mut central = Central::new(store);
        assert!(
            matches!(central.unlock("x"), Err(Error::NotInitialised)),
            "{kind}"
        );
        let made = central
            .init("central pass", "2026-12-07T06:00:00Z")
            .unwrap();
        let key = central.unlock("central pass").unwrap();
        assert_eq!(key.recipients(), [made.recipient.as_str()], "{kind}");
        assert!(
            matches!(central.unlock("central pasS"), Err(Error::WrongPassphrase)),
            "{kind}"
        );
        assert!(
            matches!(
                central.init("again", "t"),
                Err(Error::AlreadyInitialised(_))
            ),
            "{kind}"
        );
    }
}

/// Central's key, from a new identity file.
fn some_key() -> CentralKey {
    let (text, _) = batch::new_identity_file("2026-12-07T06:00:00Z");
    CentralKey::new(batch::parse_identities(&text).unwrap())
}

#[test]
fn a_dropped_import_leaves_no_biometric_and_a_committed_one_is_held_once() {
    for (kind, store, _dir) in each_store() {
        store.open_sealed(&some_key()).unwrap();
        let mut tx = store.begin_import().unwrap();
        tx.put_biometric("aa", b"one").unwrap();
        tx.put_biometric("aa", b"one").unwrap();
        assert_eq!(
            tx.biometric("aa").unwrap().as_deref(),
            Some(&b"one"[..]),
            "{kind}"
        );
        drop(tx);
        assert_eq!(store.biometrics_held().unwrap(), 0, "{kind}");
        // The next import starts on the same store, and sees nothing of the dropped one.
        let tx = store.begin_import().unwrap();
        assert_eq!(tx.biometric("aa").unwrap(), None, "{kind}");
    }
}

/// A new database on the shared test server, migrated to kattoo's schema: its client
/// configuration; `None`, and the test passes over it, where no server runs.
fn migrated_database() -> Option<postgres::Config> {
    let server = TestServer::shared()?;
    let name = server.create_database().unwrap();
    let config = server.config(&name);
    drop(PgCentral::connect(&config, &name).unwrap());
    Some(config)
}

#[test]
fn a_postgres_database_is_migrated_once_and_one_from_a_newer_kattoo_is_refused() {
    let Some(config) = migrated_database() else {
        return;
    };
    let name = config.get_dbname().unwrap().to_owned();
    // Connecting again finds the schema current and changes nothing.
    drop(PgCentral::connect(&config, &name).unwrap());
    let mut admin = config.connect(postgres::NoTls).unwrap();
    let versions: Vec<i32> = admin
        .query("SELECT version FROM kattoo_schema ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=PG_SCHEMA_VERSION).collect::<Vec<_>>());
    admin
        .execute(
            "INSERT INTO kattoo_schema (version) VALUES ($1)",
            &[&(PG_SCHEMA_VERSION + 1)],
        )
        .unwrap();
    let err = PgCentral::connect(&config, &name).err().expect("refused");
    assert!(
        matches!(err, Error::NewerSchema { found, .. } if found == i64::from(PG_SCHEMA_VERSION) + 1),
        "{err}"
    );
}

#[test]
fn identifiers_compare_as_bytes_on_a_server_whose_default_collation_is_kyrgyz() {
    let Some(config) = migrated_database() else {
        return;
    };
    let mut admin = config.connect(postgres::NoTls).unwrap();
    // The test server's databases sort text as Kyrgyz does (ICU): Cyrillic before Latin, and
    // "a" before "B", where bytes put "B" first.
    let row = admin.query_one("SELECT 'ө' < 'a', 'a' < 'B'", &[]).unwrap();
    assert!(row.get::<_, bool>(0) && row.get::<_, bool>(1));
    // Every identifier column of the register (the ids, the files' hashes, precincts) compares
    // byte by byte all the same, as SQLite and Rust compare them: the order of a pair of
    // records, of listings, the highest registration id of a station. (Keys and hashes of
    // batches are only ever compared for equality.)
    // (column, whether it compares as bytes), for every identifier column of the register.
    let columns: Vec<(String, bool)> = admin
        .query(
            "SELECT c.relname || '.' || a.attname, k.collname IS NOT DISTINCT FROM 'C'
               FROM pg_attribute a
               JOIN pg_class c ON c.oid = a.attrelid
               LEFT JOIN pg_collation k ON k.oid = a.attcollation
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND a.attnum > 0 AND NOT a.attisdropped
                AND a.atttypid = 'text'::regtype
                AND (a.attname LIKE '%\\_id' OR a.attname IN ('sha256', 'precinct', 'supersedes'))
              ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let loose: Vec<&str> = columns
        .iter()
        .filter(|(_, bytes)| !bytes)
        .map(|(column, _)| column.as_str())
        .collect();
    assert!(loose.is_empty(), "{loose:?}");
    let checked = columns.iter().filter(|(c, _)| c.ends_with("_id")).count();
    assert!(checked >= 8, "{checked} identifier columns");
}

#[test]
fn no_server_at_the_address_is_said_with_the_address() {
    let config = {
        let mut c = postgres::Config::new();
        c.host_path("/nonexistent/kattoo")
            .user("kattoo")
            .dbname("central");
        c
    };
    let err = PgCentral::connect(&config, "postgres://kattoo@%2Fnonexistent%2Fkattoo/central")
        .err()
        .expect("no server");
    assert!(
        matches!(&err, Error::PgConnect { target, .. } if target.contains("nonexistent")),
        "{err}"
    );
}

#[test]
fn a_db_address_is_a_file_a_local_postgres_database_or_refused_in_words() {
    assert!(
        matches!(Location::parse("central.sqlite").unwrap(), Location::File(p) if p == std::path::Path::new("central.sqlite"))
    );
    let Location::Postgres(address) =
        Location::parse("postgres://kattoo@%2Frun%2Fpostgresql/central").unwrap()
    else {
        panic!("a postgres address");
    };
    let PgAddress {
        config,
        target,
        tls,
    } = *address;
    assert!(tls.is_none());
    assert_eq!(config.get_dbname(), Some("central"));
    assert_eq!(config.get_user(), Some("kattoo"));
    assert_eq!(
        config.get_hosts(),
        [postgres::config::Host::Unix("/run/postgresql".into())]
    );
    assert_eq!(target, "postgres://kattoo@%2Frun%2Fpostgresql/central");
    assert!(Location::parse("postgresql://kattoo@localhost:5433/central").is_ok());
    let err = Location::parse("postgres://kattoo:s3cret@localhost/central").unwrap_err();
    assert!(
        matches!(&err, Error::PgPasswordInAddress(shown) if !shown.contains("s3cret")),
        "{err}"
    );
    assert!(!err.to_string().contains("s3cret"), "{err}");
    assert!(matches!(
        Location::parse("postgres://kattoo@db.example.org/central"),
        Err(Error::PgRemote(_))
    ));
    assert!(matches!(
        Location::parse("mysql://db/central"),
        Err(Error::PgAddress(_))
    ));
}

#[test]
fn a_sqlite_register_from_before_precincts_gets_each_records_precinct_from_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    {
        let mut conn = rusqlite::Connection::open(&db).unwrap();
        let before = &super::sqlite_schema::MIGRATIONS[..4];
        crate::store::migrations::apply(&mut conn, before, "central").unwrap();
        conn.execute_batch(
            "INSERT INTO stations VALUES ('KG1101', 'School', 'chui', 'pem', x'00', 't');
             INSERT INTO station_keys (public_key, station_id, certificate, added_at) VALUES ('pem', 'KG1101', x'00', 't');
             INSERT INTO records (registration_id, station_id, batch_sequence, pin, record_json, signature)
                 VALUES ('KG1101-20261201-00001', 'KG1101', 1, '11403199000001',
                         CAST('{\"citizen\":{\"pin\":\"11403199000001\",\"precinct\":\"1104\"}}' AS BLOB), x'00');",
        )
        .unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = SqliteCentral::open(&db).unwrap();
    let listed = store
        .register(&RegisterQuery::Precinct("1104".into()))
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|e| e.registration_id.as_str())
            .collect::<Vec<_>>(),
        ["KG1101-20261201-00001"]
    );
}

#[test]
fn a_postgres_error_is_told_without_the_row_it_quotes() {
    let Some(config) = migrated_database() else {
        return;
    };
    let mut conn = config.connect(postgres::NoTls).unwrap();
    // A record without its precinct: the server's DETAIL quotes the failing row, every text
    // column in it (here a PIN where a registration id belongs).
    let pin = "11403199012345";
    let failed = conn
        .execute(
            "INSERT INTO records (registration_id, station_id, batch_sequence, pin_mac, precinct,
                                  record_json, signature, supersedes)
             VALUES ('KG1101-20261207-00001', 'KG1101', 1, '\\x00', NULL, '\\x00', '\\x00', $1)",
            &[&pin],
        )
        .unwrap_err();
    let server_said = failed.as_db_error().unwrap().to_string();
    assert!(server_said.contains(pin), "{server_said}");

    let e = super::pg::db(failed);
    let told = [
        e.to_string(),
        crate::batch::causes(&e),
        e.detail(),
        format!("{e:?}"),
        format!("{:#}", anyhow::Error::from(e)),
    ];
    for text in &told {
        assert!(!text.contains(pin), "{text}");
    }
    assert!(told[1].contains("SQLSTATE 23502"), "{}", told[1]);
    assert!(told[1].contains("precinct"), "{}", told[1]);
}

#[test]
fn a_server_elsewhere_is_reached_only_over_tls_that_checks_its_certificate_and_name() {
    let remote = "postgres://kattoo@db.example.org/central";
    assert!(matches!(Location::parse(remote), Err(Error::PgRemote(_))));
    assert!(matches!(
        Location::parse(&format!("{remote}?sslmode=require")),
        Err(Error::PgSslMode(_, mode)) if mode == "require"
    ));
    assert!(matches!(
        Location::parse(&format!("{remote}?sslmode=verify-full&sslrootcert=%2Fnowhere%2Fca.pem")),
        Err(Error::Io { path, .. }) if path == "/nowhere/ca.pem"
    ));
    let not_a_certificate = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_a_certificate.path(), "not a certificate\n").unwrap();
    assert!(matches!(
        Location::parse(&format!(
            "{remote}?sslmode=verify-full&sslrootcert={}",
            not_a_certificate.path().display()
        )),
        Err(Error::PgTls { .. })
    ));
    for malformed in [
        "sslmode=verify-full&sslrootcert=%zz",
        "sslmode=verify-full&sslrootcert=%+f",
        "sslmode=verify-full&sslmode=verify-full&sslrootcert=%2Fa",
        "sslmode=verify-full&sslrootcert=%2Fa&sslrootcert=%2Fb",
    ] {
        assert!(
            matches!(
                Location::parse(&format!("{remote}?{malformed}")),
                Err(Error::PgAddress(_))
            ),
            "{malformed}"
        );
    }
    // TLS without an authority to check the server against, or an authority without TLS.
    if std::env::var_os("PGSSLROOTCERT").is_none() {
        assert!(matches!(
            Location::parse(&format!("{remote}?sslmode=verify-full")),
            Err(Error::PgAuthority(_))
        ));
    }
    // A local socket carries no TLS: said when the address is read, not at connection.
    for socket in [
        "postgres://kattoo@%2Frun%2Fpostgresql/central?sslmode=verify-full&sslrootcert=%2Fa",
        "postgres:///central?host=/run/postgresql&sslmode=verify-full&sslrootcert=%2Fa",
    ] {
        assert!(
            matches!(Location::parse(socket), Err(Error::PgTlsOverSocket(_))),
            "{socket}"
        );
    }
    for lone in [
        format!("{remote}?sslrootcert=%2Fa"),
        "postgres://kattoo@localhost/central?sslrootcert=/a".to_owned(),
    ] {
        assert!(
            matches!(Location::parse(&lone), Err(Error::PgAuthority(_))),
            "{lone}"
        );
    }

    let Some(_) = TestServer::shared() else {
        return;
    };
    let (server, authority) = TestServer::start_tls().unwrap();
    let name = server.create_database().unwrap();
    let url = |host: &str, authority: &std::path::Path| {
        format!(
            "postgres://kattoo@{host}:{}/{name}?sslmode=verify-full&sslrootcert={}",
            server.port(),
            authority.display()
        )
    };
    let Location::Postgres(address) = Location::parse(&url("localhost", &authority)).unwrap()
    else {
        panic!("a postgres address");
    };
    assert!(address.tls.is_some());
    assert_eq!(
        address.config.get_ssl_mode(),
        postgres::config::SslMode::Require
    );
    let store = address.connect().unwrap();
    assert!(store.identity().unwrap().is_none());
    // The server takes TCP only over TLS: the connection above was encrypted.
    let mut plain = postgres::Config::new();
    plain
        .host("127.0.0.1")
        .port(server.port())
        .user("kattoo")
        .dbname(&name);
    assert!(plain.connect(postgres::NoTls).is_err());

    let refused = |url: String| match Location::parse(&url) {
        Ok(Location::Postgres(address)) => {
            let e = address.connect().err()?;
            let said = crate::batch::causes(&e);
            assert!(said.contains("certificate verify failed"), "{said}");
            Some(e)
        }
        other => panic!("{other:?}"),
    };
    // Its certificate names localhost only: by its address, the name check fails.
    assert!(matches!(
        refused(url("127.0.0.1", &authority)),
        Some(Error::PgConnect { .. })
    ));
    // Another authority did not sign it.
    let other = server.dir().join("other-authority.pem");
    super::pg_server::test_tls::stranger_authority(&other).unwrap();
    assert!(matches!(
        refused(url("localhost", &other)),
        Some(Error::PgConnect { .. })
    ));
}

#[test]
fn a_server_that_asks_for_a_client_certificate_takes_centrals_and_refuses_others() {
    use super::pg_server::test_tls;
    use std::os::unix::fs::PermissionsExt;
    let tls = "sslmode=verify-full&sslrootcert=%2Fnowhere%2Fca.pem";
    // A certificate without its key, a key without its certificate, either without TLS.
    for half in [
        format!("postgres://kattoo@db.example.org/central?{tls}&sslcert=%2Fa.crt"),
        format!("postgres://kattoo@db.example.org/central?{tls}&sslkey=%2Fa.key"),
        "postgres://kattoo@localhost/central?sslcert=%2Fa.crt&sslkey=%2Fa.key".to_owned(),
    ] {
        assert!(
            matches!(
                Location::parse(&half),
                Err(Error::PgClientCertificateNamed(_))
            ),
            "{half}"
        );
    }

    let Some(_) = TestServer::shared() else {
        return;
    };
    let (server, authority, issuer) = TestServer::start_tls_asking_client_certificates().unwrap();
    let name = server.create_database().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Files of a certificate and key issued by `by` to `role`, the key readable by its owner
    // and under `passphrase` if one is given.
    let issue =
        |file: &str, role: &str, by: &super::pg_server::Authority, passphrase: Option<&[u8]>| {
            test_tls::client_certificate_files(dir.path(), file, role, by, passphrase).unwrap()
        };
    let url = |client: Option<&(std::path::PathBuf, std::path::PathBuf)>| {
        let mut url = format!(
            "postgres://kattoo@localhost:{}/{name}?sslmode=verify-full&sslrootcert={}",
            server.port(),
            authority.display()
        );
        if let Some((crt, key)) = client {
            url += &format!("&sslcert={}&sslkey={}", crt.display(), key.display());
        }
        url
    };
    let connect = |url: String| match Location::parse(&url)? {
        Location::Postgres(address) => address.connect(),
        other => panic!("{other:?}"),
    };

    // Central's certificate, for its role, from the server's authority: in.
    let central = issue("central", "kattoo", &issuer, None);
    let store = connect(url(Some(&central))).unwrap();
    assert!(store.identity().unwrap().is_none());
    // No certificate, one for another role, one from another authority: refused by the server.
    let stranger = test_tls::authority().unwrap();
    // What the server says, any one of them.
    let refusals: [(_, &[&str]); 3] = [
        (None, &["requires a valid client certificate"]),
        (
            Some(issue("other-role", "mallory", &issuer, None)),
            &["certificate authentication failed for user \"kattoo\""],
        ),
        // The server's TLS refuses it (an alert, or the connection closed) before any role is
        // asked for: in the handshake (TLS 1.2) or just after it (TLS 1.3).
        (
            Some(issue("other-authority", "kattoo", &stranger, None)),
            &[
                "error performing TLS handshake",
                "error communicating with the server",
            ],
        ),
    ];
    for (client, why) in refusals {
        if client.is_none() && std::env::var_os("PGSSLCERT").is_some() {
            continue;
        }
        let e = connect(url(client.as_ref())).err();
        let said = e
            .as_ref()
            .map(|e| crate::batch::causes(e))
            .unwrap_or_default();
        assert!(
            matches!(e, Some(Error::PgConnect { .. })) && why.iter().any(|w| said.contains(w)),
            "{client:?}: {said}"
        );
    }
    // A key others can read is refused before anything is sent, naming the file.
    let (crt, key) = issue("open", "kattoo", &issuer, None);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(
        connect(url(Some(&(crt.clone(), key.clone())))),
        Err(Error::PgClientKeyReadable(file)) if file == key.display().to_string()
    ));
    // A key its group may read: refused, but for a key root owns (root:kattoo, 0640).
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let by_root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&key).unwrap()) == 0;
    match connect(url(Some(&(crt, key.clone())))) {
        Ok(_) => assert!(by_root),
        Err(Error::PgClientKeyReadable(file)) => {
            assert!(!by_root);
            assert_eq!(file, key.display().to_string());
        }
        Err(other) => panic!("{other:?}"),
    }
    // A key under a passphrase is refused in words, never asked for at the terminal.
    let (crt, key) = issue("locked", "kattoo", &issuer, Some(b"secret"));
    assert!(matches!(
        connect(url(Some(&(crt, key.clone())))),
        Err(Error::PgClientCertificate { file, .. }) if file == key.display().to_string()
    ));
    // A key that is not the certificate's, or a file that is no certificate.
    let other = issue("other", "kattoo", &issuer, None);
    assert!(matches!(
        connect(url(Some(&(central.0.clone(), other.1.clone())))),
        Err(Error::PgClientCertificate { file, .. }) if file == other.1.display().to_string()
    ));
    assert!(matches!(
        connect(url(Some(&(central.1.clone(), central.1.clone())))),
        Err(Error::PgClientCertificate { file, .. }) if file == central.1.display().to_string()
    ));
}

#[test]
fn a_deadlock_the_server_breaks_is_worth_trying_again_and_a_refusal_is_not() {
    let Some(server) = TestServer::shared() else {
        return;
    };
    let name = server.create_database().unwrap();
    let config = server.config(&name);
    config
        .connect(postgres::NoTls)
        .unwrap()
        .batch_execute("CREATE TABLE t (id integer PRIMARY KEY); INSERT INTO t VALUES (1), (2);")
        .unwrap();
    // Two transactions each hold one row and wait for the other's: the server ends one.
    let both_hold = std::sync::Barrier::new(2);
    let outcomes: Vec<Result<(), Error>> = std::thread::scope(|s| {
        let take = |first: i32, second: i32| {
            let (config, both_hold) = (&config, &both_hold);
            s.spawn(move || {
                let mut conn = config.connect(postgres::NoTls).unwrap();
                let mut tx = conn.transaction().unwrap();
                let lock = "UPDATE t SET id = id WHERE id = $1";
                tx.execute(lock, &[&first]).unwrap();
                both_hold.wait();
                tx.execute(lock, &[&second]).map_err(super::pg::db)?;
                tx.commit().map_err(super::pg::db)
            })
        };
        let (a, b) = (take(1, 2), take(2, 1));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let broken: Vec<&Error> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(broken.len(), 1, "{outcomes:?}");
    assert!(
        broken[0].is_retryable(),
        "{}",
        crate::batch::causes(broken[0])
    );
    assert!(crate::batch::causes(broken[0]).contains("SQLSTATE 40P01"));

    // A rule the database enforces is not: the same again fails the same way.
    let duplicate = config
        .connect(postgres::NoTls)
        .unwrap()
        .execute("INSERT INTO t VALUES (1)", &[])
        .map_err(super::pg::db)
        .unwrap_err();
    assert!(!duplicate.is_retryable(), "{duplicate}");
}

#[test]
fn citizens_data_in_postgres_is_asked_for_only_once_centrals_identity_is_open() {
    let Some(config) = migrated_database() else {
        return;
    };
    let name = config.get_dbname().unwrap().to_owned();
    let mut central = Central::new(PgCentral::connect(&config, &name).unwrap());
    central.init("central pass", "t").unwrap();
    // Another process's store, before the passphrase is given.
    let store = PgCentral::connect(&config, &name).unwrap();
    let locked = [
        store
            .register(&RegisterQuery::Pin("11403199000001".into()))
            .err(),
        store.pin_elsewhere("11403199000001", "KG1101").err(),
        store.record("KG1101-20261201-00001").err(),
        store.templates_of("KG1101-20261201-00001").err(),
        store.searchable_templates().err(),
        store.searchable_since(0).err(),
        store.begin_import().err(),
    ];
    for err in locked {
        assert!(matches!(err, Some(Error::Locked)), "{err:?}");
    }
    // What names no one is read without it.
    assert_eq!(store.stations().unwrap(), []);
    assert_eq!(store.biometrics_held().unwrap(), 0);

    let mut other = Central::new(store);
    // A key that is not central's does not open it, nor import into it.
    let err = other.import_reader(&b""[..], &some_key(), "t").unwrap_err();
    assert!(matches!(err, Error::IdentityMismatch(_)), "{err}");
    assert!(matches!(
        other
            .store()
            .register(&RegisterQuery::Precinct("1101".into())),
        Err(Error::Locked)
    ));
    other.unlock("central pass").unwrap();
    assert_eq!(
        other
            .store()
            .register(&RegisterQuery::Precinct("1101".into()))
            .unwrap(),
        []
    );
}

/// A record's JSON as stations write it, for citizen `n` at station KG1101.
fn record_json(n: u32) -> String {
    format!(
        r#"{{"citizen":{{"given_name":"Айгүл","pin":"1140319900000{n}","precinct":"1101","surname":"Өмүрбекова"}},"station_id":"KG1101"}}"#
    )
}

#[test]
fn a_postgres_register_of_schema_1_is_sealed_whole_once_the_passphrase_opens_central() {
    let Some(server) = TestServer::shared() else {
        return;
    };
    let name = server.create_database().unwrap();
    let config = server.config(&name);
    let mut admin = config.connect(postgres::NoTls).unwrap();
    // What kattoo's schema 1 held in the clear: two records, a template, a biometric file.
    let (text, recipient) = batch::new_identity_file("t");
    let protected = identity::protect(&text, "central pass").unwrap();
    admin
        .batch_execute(&format!(
            "CREATE TABLE kattoo_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
             {}
             INSERT INTO kattoo_schema (version) VALUES (1);
             INSERT INTO stations VALUES ('KG1101', 'School', 'chui', 'pem', '\\x00', 't');
             INSERT INTO station_keys (public_key, station_id, certificate, added_at) VALUES ('pem', 'KG1101', '\\x00', 't');",
            include_str!("pg/0001_register.sql")
        ))
        .unwrap();
    admin
        .execute(
            "INSERT INTO identity VALUES (1, $1, $2, 't')",
            &[&protected, &recipient],
        )
        .unwrap();
    for n in [1, 2] {
        admin
            .execute(
                "INSERT INTO records (registration_id, station_id, batch_sequence, pin, precinct, record_json, signature)
                 VALUES ($1, 'KG1101', 1, $2, '1101', $3, '\\x00')",
                &[
                    &format!("KG1101-20261201-0000{n}"),
                    &format!("1140319900000{n}"),
                    &record_json(n).into_bytes(),
                ],
            )
            .unwrap();
    }
    admin
        .batch_execute(
            "INSERT INTO templates VALUES ('KG1101-20261201-00001', 7, '\\x46495200');
             INSERT INTO biometrics VALUES ('ab12', convert_to('a face in the clear', 'UTF8'));",
        )
        .unwrap();
    let version = |admin: &mut postgres::Client| -> i32 {
        admin
            .query_one("SELECT max(version) FROM kattoo_schema", &[])
            .unwrap()
            .get(0)
    };

    // Without the passphrase, nothing is changed: the rows wait for central's key.
    let central = Central::new(PgCentral::connect(&config, &name).unwrap());
    assert_eq!(version(&mut admin), 1);
    assert!(matches!(
        central.unlock("central pasS"),
        Err(Error::WrongPassphrase)
    ));
    assert_eq!(version(&mut admin), 1);
    let key = central.unlock("central pass").unwrap();
    assert_eq!(version(&mut admin), PG_SCHEMA_VERSION);

    // Whoever reads the database finds no PIN, name or biometric in it.
    let dump: Vec<u8> = admin
        .query(
            "SELECT r.record_json || r.pin_mac FROM records r
             UNION ALL SELECT iso FROM templates UNION ALL SELECT data FROM biometrics",
            &[],
        )
        .unwrap()
        .iter()
        .flat_map(|r| r.get::<_, Vec<u8>>(0))
        .collect();
    for clear in [
        &b"1140319900000"[..],
        "Өмүрбекова".as_bytes(),
        b"a face in the clear",
        b"FIR\0",
    ] {
        assert!(!dump.windows(clear.len()).any(|w| w == clear), "{clear:?}");
    }
    let columns: Vec<String> = admin
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'records'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!columns.contains(&"pin".to_owned()), "{columns:?}");

    // Central reads it all as before.
    let store = central.store();
    let found = store
        .register(&RegisterQuery::Pin("11403199000002".into()))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].registration_id, "KG1101-20261201-00002");
    assert_eq!(found[0].pin, "11403199000002");
    assert_eq!(found[0].record_json, record_json(2).into_bytes());
    let listed: Vec<String> = store
        .register(&RegisterQuery::Precinct("1101".into()))
        .unwrap()
        .into_iter()
        .map(|e| e.pin)
        .collect();
    assert_eq!(listed, ["11403199000001", "11403199000002"]);
    assert_eq!(
        store.pin_elsewhere("11403199000001", "KG1102").unwrap(),
        [("KG1101".to_owned(), "KG1101-20261201-00001".to_owned())]
    );
    assert_eq!(
        store.templates_of("KG1101-20261201-00001").unwrap(),
        [(7, b"FIR\0".to_vec())]
    );
    let tx = store.begin_import().unwrap();
    assert_eq!(
        tx.biometric("ab12").unwrap().as_deref(),
        Some(&b"a face in the clear"[..])
    );
    drop(tx);

    // Another connection finds it sealed and current, and opens it with the same key.
    let again = PgCentral::connect(&config, &name).unwrap();
    again.open_sealed(&key).unwrap();
    assert_eq!(
        again.record("KG1101-20261201-00001").unwrap().unwrap().1,
        record_json(1).into_bytes()
    );

    // A sealed value moved into another row does not open there, and a value in the clear is
    // refused by the database itself.
    admin
        .batch_execute(
            "UPDATE records SET record_json = (SELECT record_json FROM records WHERE registration_id = 'KG1101-20261201-00002')
             WHERE registration_id = 'KG1101-20261201-00001'",
        )
        .unwrap();
    let err = again.record("KG1101-20261201-00001").unwrap_err();
    assert!(matches!(err, Error::Sealed(_)), "{err}");
    assert_eq!(err.message_id(), "central-error-damaged");
    assert_eq!(err.detail(), "records.record_json of KG1101-20261201-00001");
    let plain = admin
        .execute(
            "UPDATE records SET record_json = $1 WHERE registration_id = 'KG1101-20261201-00002'",
            &[&record_json(2).into_bytes()],
        )
        .unwrap_err();
    assert_eq!(
        plain.as_db_error().and_then(|d| d.constraint()),
        Some("records_json_sealed")
    );
}
