//! `kattoo central` at a PostgreSQL server that asks every client for a certificate, with
//! central's certificate and key named in the environment (`PGSSLCERT`, `PGSSLKEY`), as libpq
//! reads them. The environment is the command's own, so the test process's stays untouched.

use super::concurrent::{central_cli, cli_database};
use super::*;
use kattoo::central::pg_server::test_tls;

#[test]
fn central_takes_its_client_certificate_from_the_environment_whole_and_only_over_tls() {
    let Some(_) = TestServer::shared() else {
        return;
    };
    let (server, authority, issuer) = TestServer::start_tls_asking_client_certificates().unwrap();
    let f = Fixture::new("KG1101");
    let name = cli_database(&server, &f.identity, &[&f]);
    // Central's certificate (for its role) and another role's, each with its key.
    let dir = tempfile::tempdir().unwrap();
    let issue = |role: &str| {
        test_tls::client_certificate_files(dir.path(), role, role, &issuer, None).unwrap()
    };
    let (crt, key) = issue("kattoo");
    let (other_crt, other_key) = issue("mallory");
    let over_tls = format!(
        "postgres://kattoo@localhost:{}/{name}?sslmode=verify-full&sslrootcert={}",
        server.port(),
        authority.display()
    );
    // `central report` at `url`, with PGSSLCERT and PGSSLKEY as given (and nothing inherited).
    let report = |url: &str, certificate: Option<&Path>, key: Option<&Path>| {
        let mut cmd = central_cli(url, &["report"]);
        for name in ["PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT"] {
            cmd.env_remove(name);
        }
        if let Some(file) = certificate {
            cmd.env("PGSSLCERT", file);
        }
        if let Some(file) = key {
            cmd.env("PGSSLKEY", file);
        }
        cmd.assert()
    };
    let lists_the_station = |out: &assert_cmd::assert::Assert| {
        let said = crate::util::stdout(out);
        assert!(said.lines().any(|l| l.starts_with("KG1101")), "{said}");
    };

    // Both named: central gets in.
    lists_the_station(&report(&over_tls, Some(&crt), Some(&key)).success());
    // One without the other: refused in words before anything is sent (exit 2), naming both.
    for (certificate, key) in [(Some(&crt), None), (None, Some(&key))] {
        let out = report(
            &over_tls,
            certificate.map(|p| p.as_path()),
            key.map(|p| p.as_path()),
        )
        .code(2);
        let said = crate::util::stderr(&out);
        assert!(said.contains("PGSSLCERT and PGSSLKEY"), "{said}");
    }
    // Neither: the server asks for a certificate and refuses.
    let out = report(&over_tls, None, None).failure();
    let said = crate::util::stderr(&out);
    assert!(
        said.contains("requires a valid client certificate"),
        "{said}"
    );
    // The address's own certificate comes before the environment's: another role's is refused
    // by the server even with central's in the environment.
    let named = format!(
        "{over_tls}&sslcert={}&sslkey={}",
        other_crt.display(),
        other_key.display()
    );
    let out = report(&named, Some(&crt), Some(&key)).failure();
    let said = crate::util::stderr(&out);
    assert!(
        said.contains("certificate authentication failed for user \"kattoo\""),
        "{said}"
    );
    // Over the local socket, without TLS, the environment's certificate is not read at all: a
    // half-named one does not stand in the way.
    lists_the_station(&report(&server.url(&name), Some(&crt), None).success());
}
