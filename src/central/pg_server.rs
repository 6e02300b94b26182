//! A throwaway PostgreSQL server for tests and benchmarks: the distribution's own binaries
//! (`initdb`, `pg_ctl`), a temporary directory, a Unix socket only, trust authentication for its
//! one user. Central's PostgreSQL store is tested against a real server, never a mock.
//!
//! It needs PostgreSQL 15 or later built with ICU (Debian's is): the databases' default
//! collation is ICU's Kyrgyz.
//!
//! `initdb` refuses to run as root, so under root the server runs as `nobody` (through
//! `runuser`). A watchdog stops the server and removes its directory when the process that
//! started it ends, however it ends (a test binary never drops its statics).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The directory holding `initdb` and `pg_ctl`: `KATTOO_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout, not on PATH), else PATH.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KATTOO_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    debian.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    if let Some(newest) = debian.pop() {
        return Some(newest);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|d| d.join("initdb").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A test certificate authority: its certificate and its key.
pub type Authority = (
    openssl::x509::X509,
    openssl::pkey::PKey<openssl::pkey::Private>,
);

/// A running server.
pub struct TestServer {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    as_nobody: bool,
    databases: AtomicU32,
    /// The server's options (`pg_ctl -o`): socket, port and settings.
    options: String,
}

/// Settings for a server whose data may be lost with the machine (tests): no fsync. A crash of
/// the server itself still loses nothing committed: each commit is still written to the
/// operating system, which keeps it (`synchronous_commit` stays on).
pub const FAST: &[(&str, &str)] = &[("fsync", "off"), ("full_page_writes", "off")];

impl TestServer {
    /// Starts a server with `settings` (`-c name=value`) over PostgreSQL's defaults.
    pub fn start(settings: &[(&str, &str)]) -> std::io::Result<Self> {
        Self::start_on(settings, 20_000 + (std::process::id() % 20_000) as u16)
    }

    /// A server as [`TestServer::start`] makes one, that also takes TCP connections on
    /// 127.0.0.1, and those only over TLS (`pg_hba.conf` lists `hostssl` alone), with a
    /// certificate for the name `localhost` signed by an authority made for it. Returns the
    /// server and the file of that authority's certificate.
    pub fn start_tls() -> std::io::Result<(Self, PathBuf)> {
        let (server, file, _) = Self::start_tls_with(false)?;
        Ok((server, file))
    }

    /// A server as [`TestServer::start_tls`] makes one, that also asks every TCP client for a
    /// certificate from the same authority, naming its role (`pg_hba.conf`: `hostssl … cert`).
    /// Returns the server, the authority's certificate file, and the authority (to issue client
    /// certificates with [`test_tls::client_certificate`]).
    pub fn start_tls_asking_client_certificates() -> std::io::Result<(Self, PathBuf, Authority)> {
        Self::start_tls_with(true)
    }

    fn start_tls_with(client_certificates: bool) -> std::io::Result<(Self, PathBuf, Authority)> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut settings = FAST.to_vec();
        settings.push(("listen_addresses", "127.0.0.1"));
        let mut server = Self::start_on(&settings, port)?;
        let tls = server.dir.join("tls");
        std::fs::create_dir(&tls)?;
        let (authority, authority_key) = test_tls::authority().map_err(std::io::Error::other)?;
        let (certificate, key) =
            test_tls::server_certificate("localhost", &authority, &authority_key)
                .map_err(std::io::Error::other)?;
        let pem = |r: Result<Vec<u8>, openssl::error::ErrorStack>| r.map_err(std::io::Error::other);
        let authority_file = server.dir.join("authority.pem");
        std::fs::write(&authority_file, pem(authority.to_pem())?)?;
        std::fs::write(tls.join("server.crt"), pem(certificate.to_pem())?)?;
        std::fs::write(tls.join("server.key"), pem(key.private_key_to_pem_pkcs8())?)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            tls.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )?;
        if server.as_nobody {
            for f in ["", "server.crt", "server.key"] {
                std::os::unix::fs::chown(tls.join(f), Some(65534), Some(65534))?;
            }
        }
        // Over TCP, TLS or nothing: a client that does not speak it is turned away; one that
        // must present a certificate is let in by it alone.
        let method = if client_certificates { "cert" } else { "trust" };
        std::fs::write(
            server.dir.join("data").join("pg_hba.conf"),
            format!("local all all trust\nhostssl all all 127.0.0.1/32 {method}\n"),
        )?;
        server.options.push_str(&format!(
            " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={} -c ssl_ca_file={}",
            tls.join("server.crt").display(),
            tls.join("server.key").display(),
            authority_file.display()
        ));
        server.kill()?;
        server.restart()?;
        Ok((server, authority_file, (authority, authority_key)))
    }

    /// The server's port (its TCP port, for a server made by [`TestServer::start_tls`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    fn start_on(settings: &[(&str, &str)], port: u16) -> std::io::Result<Self> {
        let bin = bin_dir().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "PostgreSQL's initdb was not found (apt-get install postgresql-15, or set KATTOO_PG_BIN)",
            )
        })?;
        let as_nobody = is_root();
        let dir = tempfile::Builder::new()
            .prefix("kattoo-pg-")
            .tempdir()?
            .keep();
        let mut server = TestServer {
            dir,
            port,
            bin,
            as_nobody,
            databases: AtomicU32::new(0),
            options: String::new(),
        };
        server.watch()?;
        if as_nobody {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&server.dir, std::fs::Permissions::from_mode(0o755))?;
            std::fs::create_dir(server.dir.join("data"))?;
            std::fs::create_dir(server.dir.join("socket"))?;
            for d in ["data", "socket"] {
                std::os::unix::fs::chown(server.dir.join(d), Some(65534), Some(65534))?;
            }
        }
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "kattoo".as_ref(),
                "--auth=trust".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C.UTF-8".as_ref(),
                // The databases' default collation is Kyrgyz (ICU), not C, as a central's server
                // in Kyrgyzstan may well be set up: anything kattoo sorted or compared by the
                // default collation where it means bytes would be tested against that.
                "--locale-provider=icu".as_ref(),
                "--icu-locale=ky".as_ref(),
            ],
        )?;
        server.options = format!(
            "-k {} -p {} -c listen_addresses=''",
            server.socket().display(),
            server.port
        );
        for (name, value) in settings {
            server.options.push_str(&format!(" -c {name}={value}"));
        }
        server.restart()?;
        Ok(server)
    }

    /// The server every test of this process shares, started at first use; `None`, said once on
    /// stderr, when PostgreSQL is not installed, unless `KATTOO_REQUIRE_POSTGRES` is set (CI),
    /// where that is a failure.
    pub fn shared() -> Option<&'static TestServer> {
        static SHARED: OnceLock<Option<TestServer>> = OnceLock::new();
        SHARED
            .get_or_init(|| match TestServer::start(FAST) {
                Ok(server) => Some(server),
                Err(e) if std::env::var_os("KATTOO_REQUIRE_POSTGRES").is_none() => {
                    eprintln!("SKIPPED: the PostgreSQL store's tests: no test server: {e}");
                    None
                }
                Err(e) => {
                    panic!("KATTOO_REQUIRE_POSTGRES is set, but no PostgreSQL test server: {e}")
                }
            })
            .as_ref()
    }

    /// The directory of the server's socket.
    pub fn socket(&self) -> PathBuf {
        if self.as_nobody {
            self.dir.join("socket")
        } else {
            self.dir.clone()
        }
    }

    /// The client configuration for `database` on this server.
    pub fn config(&self, database: &str) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host_path(self.socket())
            .port(self.port)
            .user("kattoo")
            .dbname(database);
        config
    }

    /// The URL of `database`, as `kattoo central --db` takes it.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://kattoo@%2F{}:{}/{database}",
            self.socket()
                .display()
                .to_string()
                .trim_start_matches('/')
                .replace('/', "%2F"),
            self.port
        )
    }

    /// A new, empty database on this server; its name.
    pub fn create_database(&self) -> Result<String, postgres::Error> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("kattoo_{n}");
        let mut admin = self.config("postgres").connect(postgres::NoTls)?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(name)
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    pub fn kill(&self) -> std::io::Result<()> {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "stop".as_ref(),
            ],
        )
    }

    /// Starts the server (again, after [`TestServer::kill`]), with its settings.
    pub fn restart(&self) -> std::io::Result<()> {
        let data = self.dir.join("data");
        let log = self.socket().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-o".as_ref(),
                self.options.as_ref(),
                "start".as_ref(),
            ],
        )
    }

    /// Runs one of the server's programs, as `nobody` under root.
    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> std::io::Result<()> {
        let path = self.bin.join(program);
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = cmd
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()?;
        if out.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.socket().join("server.log")).unwrap_or_default();
        Err(std::io::Error::other(format!(
            "{program} failed ({}): {}{}\n{log}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }

    /// Stops the server and removes its directory once this process has ended.
    fn watch(&self) -> std::io::Result<()> {
        let data = self.dir.join("data");
        let stop = format!(
            "{}{} -D {} -m immediate stop",
            if self.as_nobody {
                "runuser -u nobody -- "
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            data.display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(())
    }

    /// The server's directory (its data, log and socket).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Certificates for a TLS test server, made with OpenSSL for the test (P-256 keys, one day).
pub mod test_tls {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::error::ErrorStack;
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, Private};
    use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
    use openssl::x509::{X509, X509Builder, X509NameBuilder};

    fn key() -> Result<PKey<Private>, ErrorStack> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
        PKey::from_ec_key(EcKey::generate(&group)?)
    }

    fn builder(subject: &str, key: &PKey<Private>) -> Result<X509Builder, ErrorStack> {
        let mut name = X509NameBuilder::new()?;
        name.append_entry_by_text("CN", subject)?;
        let name = name.build();
        let mut b = X509::builder()?;
        b.set_version(2)?;
        let mut serial = BigNum::new()?;
        serial.rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
        let serial = serial.to_asn1_integer()?;
        b.set_serial_number(&serial)?;
        b.set_subject_name(&name)?;
        b.set_issuer_name(&name)?;
        b.set_pubkey(key)?;
        let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(1)?);
        b.set_not_before(&from)?;
        b.set_not_after(&until)?;
        Ok(b)
    }

    /// Writes the certificate of a new authority, which signed nothing, to `path` (PEM).
    pub fn stranger_authority(path: &std::path::Path) -> std::io::Result<()> {
        let (certificate, _) = authority().map_err(std::io::Error::other)?;
        std::fs::write(path, certificate.to_pem().map_err(std::io::Error::other)?)
    }

    /// A new certificate authority: its self-signed certificate and its key.
    pub fn authority() -> Result<(X509, PKey<Private>), ErrorStack> {
        let key = key()?;
        let mut b = builder("kattoo test authority", &key)?;
        b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
        b.append_extension(KeyUsage::new().critical().key_cert_sign().build()?)?;
        b.sign(&key, MessageDigest::sha256())?;
        Ok((b.build(), key))
    }

    /// A client certificate for the PostgreSQL role `role` (its common name), signed by
    /// `authority`, and its key.
    pub fn client_certificate(
        role: &str,
        (authority, authority_key): &super::Authority,
    ) -> Result<(X509, PKey<Private>), ErrorStack> {
        let key = key()?;
        let mut b = builder(role, &key)?;
        b.set_issuer_name(authority.subject_name())?;
        b.sign(authority_key, MessageDigest::sha256())?;
        Ok((b.build(), key))
    }

    /// [`client_certificate`] written to `dir/NAME.crt` and `dir/NAME.key` (PEM), the key
    /// readable by its owner alone and encrypted under `passphrase` if one is given; the two
    /// files.
    pub fn client_certificate_files(
        dir: &std::path::Path,
        name: &str,
        role: &str,
        authority: &super::Authority,
        passphrase: Option<&[u8]>,
    ) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
        use std::os::unix::fs::PermissionsExt;
        let (certificate, key) =
            client_certificate(role, authority).map_err(std::io::Error::other)?;
        let (crt, pem) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&crt, certificate.to_pem().map_err(std::io::Error::other)?)?;
        let key = match passphrase {
            None => key.private_key_to_pem_pkcs8(),
            Some(p) => {
                key.private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_256_cbc(), p)
            }
        };
        std::fs::write(&pem, key.map_err(std::io::Error::other)?)?;
        std::fs::set_permissions(&pem, std::fs::Permissions::from_mode(0o600))?;
        Ok((crt, pem))
    }

    /// A server certificate for the DNS name `name`, signed by `authority`, and its key.
    pub fn server_certificate(
        name: &str,
        authority: &X509,
        authority_key: &PKey<Private>,
    ) -> Result<(X509, PKey<Private>), ErrorStack> {
        let key = key()?;
        let mut b = builder(name, &key)?;
        b.set_issuer_name(authority.subject_name())?;
        let san = SubjectAlternativeName::new()
            .dns(name)
            .build(&b.x509v3_context(Some(authority), None))?;
        b.append_extension(san)?;
        b.sign(authority_key, MessageDigest::sha256())?;
        Ok((b.build(), key))
    }
}
