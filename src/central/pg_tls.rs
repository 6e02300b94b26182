//! TLS to central's PostgreSQL server, for a server on another machine: libpq's
//! `sslmode=verify-full` (the server's certificate checked against one named authority, and its
//! name against the address), through OpenSSL; and, where the server asks for one, the importer's
//! own client certificate (libpq's `sslcert` and `sslkey`).

use super::{Error, Result};
use postgres::{Client, Config, NoTls};
use std::path::PathBuf;

/// The authorities `sslrootcert=system` stands for (as in libpq 16): Debian's bundle of public
/// authorities.
const SYSTEM_AUTHORITIES: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The file of the authority a server's certificate is checked against: the address's
/// `sslrootcert` (`named`), else `PGSSLROOTCERT`; `None` when neither names one.
pub(super) fn authority_file(named: Option<String>) -> Option<PathBuf> {
    let file = named.or_else(|| std::env::var("PGSSLROOTCERT").ok())?;
    Some(PathBuf::from(match file.as_str() {
        "system" => SYSTEM_AUTHORITIES,
        _ => &file,
    }))
}

/// A client certificate and its private key, PEM files (libpq's `sslcert` and `sslkey`).
#[derive(Debug, Clone)]
pub struct ClientCertificate {
    pub certificate: PathBuf,
    pub key: PathBuf,
}

impl ClientCertificate {
    /// From the address's `sslcert` and `sslkey`, else `PGSSLCERT` and `PGSSLKEY`; `None` when
    /// neither names one. Given one without the other, `Err(())`.
    pub(super) fn named(
        certificate: Option<String>,
        key: Option<String>,
    ) -> std::result::Result<Option<Self>, ()> {
        let (certificate, key) = match (certificate, key) {
            (None, None) => (
                std::env::var("PGSSLCERT").ok(),
                std::env::var("PGSSLKEY").ok(),
            ),
            given => given,
        };
        match (certificate, key) {
            (None, None) => Ok(None),
            (Some(certificate), Some(key)) => Ok(Some(Self {
                certificate: certificate.into(),
                key: key.into(),
            })),
            _ => Err(()),
        }
    }

    /// The private key, read once from its file: refused, as libpq refuses it, when users other
    /// than its owner have access to it (group or world access; for a key owned by root, group
    /// read alone is allowed), since they could connect as central with it; and refused when it
    /// is encrypted (kattoo asks for no key passphrase).
    fn private_key(&self) -> Result<openssl::pkey::PKey<openssl::pkey::Private>> {
        use std::io::Read;
        use std::os::unix::fs::MetadataExt;
        let file = self.key.display().to_string();
        let io = |source| Error::Io {
            path: file.clone(),
            source,
        };
        let mut key = std::fs::File::open(&self.key).map_err(io)?;
        let meta = key.metadata().map_err(io)?;
        let others = if meta.uid() == 0 { 0o037 } else { 0o077 };
        if meta.mode() & others != 0 {
            return Err(Error::PgClientKeyReadable(file));
        }
        let mut pem = zeroize::Zeroizing::new(Vec::new());
        key.read_to_end(&mut pem).map_err(io)?;
        // An encrypted key asks for a passphrase: none is given, rather than OpenSSL asking
        // the terminal.
        openssl::pkey::PKey::private_key_from_pem_callback(&pem, |_| Ok(0))
            .map_err(|source| Error::PgClientCertificate { file, source })
    }
}

/// TLS to a PostgreSQL server that checks its certificate against one authority and its name
/// against the address, as libpq's `sslmode=verify-full` does; TLS 1.2 at least.
#[derive(Clone)]
pub struct PgTls(postgres_openssl::MakeTlsConnector);

impl PgTls {
    /// Trusts only the authority (or authorities) whose PEM certificates `file` holds: not
    /// OpenSSL's default store, nor what `SSL_CERT_FILE` or `SSL_CERT_DIR` name. Presents
    /// `client`, when given, to a server that asks for a certificate.
    pub fn with_authority(
        file: &std::path::Path,
        client: Option<&ClientCertificate>,
    ) -> Result<Self> {
        use openssl::ssl::{SslConnector, SslMethod, SslVersion};
        use openssl::x509::X509;
        use openssl::x509::store::X509StoreBuilder;
        let failed = |source| Error::PgTls {
            file: file.display().to_string(),
            source,
        };
        let pem = std::fs::read(file).map_err(|source| Error::Io {
            path: file.display().to_string(),
            source,
        })?;
        let mut store = X509StoreBuilder::new().map_err(failed)?;
        let authorities = X509::stack_from_pem(&pem).map_err(failed)?;
        if authorities.is_empty() {
            return Err(failed(openssl::error::ErrorStack::get()));
        }
        for authority in authorities {
            store.add_cert(authority).map_err(failed)?;
        }
        let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(failed)?;
        builder
            .set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(failed)?;
        // Replaces the store `builder` made from OpenSSL's default paths.
        builder.set_cert_store(store.build());
        if let Some(client) = client {
            let key = client.private_key()?;
            let unusable = |file: &PathBuf| {
                let file = file.display().to_string();
                move |source| Error::PgClientCertificate { file, source }
            };
            builder
                .set_certificate_chain_file(&client.certificate)
                .map_err(unusable(&client.certificate))?;
            builder
                .set_private_key(&key)
                .map_err(unusable(&client.key))?;
            builder.check_private_key().map_err(unusable(&client.key))?;
        }
        Ok(PgTls(postgres_openssl::MakeTlsConnector::new(
            builder.build(),
        )))
    }
}

impl std::fmt::Debug for PgTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgTls(verify-full)")
    }
}

/// Connects to the database `config` names, over `tls` when given.
pub(super) fn connect(config: &Config, tls: Option<&PgTls>) -> Result<Client, postgres::Error> {
    match tls {
        None => config.connect(NoTls),
        Some(tls) => config.connect(tls.0.clone()),
    }
}
