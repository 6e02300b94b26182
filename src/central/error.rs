//! Why central refused a batch, a station or a passphrase: one named variant per refusal, each
//! with the Fluent message that tells the central operator what happened and what to do.
//!
//! As in [`crate::batch::Error`], a variant keeps identifiers (station id, batch sequence, path)
//! as data and the error underneath as its `#[source]`.

use crate::batch;
use crate::crypto::SignatureError;
use std::path::PathBuf;

/// Central errors; each refusal has its own variant (and CLI exit code).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Batch(#[from] batch::Error),
    #[error("central database")]
    Db(#[source] rusqlite::Error),
    #[error("central database (PostgreSQL)")]
    Pg(#[source] PgFailure),
    #[error(
        "cannot connect to central's PostgreSQL database {target}: check that the server runs, the address, the user and the password (PGPASSWORD or KATTOO_PG_PASSWORD_FILE)"
    )]
    PgConnect {
        target: String,
        #[source]
        source: PgFailure,
    },
    #[error(
        "central database address {0}: it holds a password; give the password in PGPASSWORD or in a file named by KATTOO_PG_PASSWORD_FILE, never on the command line"
    )]
    PgPasswordInAddress(String),
    #[error(
        "central database address {0}: it is not a PostgreSQL address (postgres://user@host/database) nor a file path"
    )]
    PgAddress(String),
    #[error(
        "central database address {0}: a server on another machine is reached only over TLS that checks its certificate: add ?sslmode=verify-full, and name the certificate of the authority that signed the server's in PGSSLROOTCERT (or sslrootcert=FILE)"
    )]
    PgRemote(String),
    #[error(
        "central database address {0}: sslmode={1} is not taken: kattoo uses TLS only with sslmode=verify-full, which checks the server's certificate and name; without it, on this machine only"
    )]
    PgSslMode(String, String),
    #[error(
        "central database address {0}: sslmode=verify-full needs the certificate of the authority that signed the server's, in PGSSLROOTCERT or sslrootcert=FILE (sslrootcert=system for the public authorities); sslrootcert without sslmode=verify-full is not taken"
    )]
    PgAuthority(String),
    #[error(
        "cannot set up TLS to central's PostgreSQL database with the certificate authority file {file}: check that it holds the PEM certificate of the authority that signed the server's"
    )]
    PgTls {
        file: String,
        #[source]
        source: openssl::error::ErrorStack,
    },
    #[error(
        "central database address {0}: a local socket carries no TLS: for the server on this machine leave out sslmode=verify-full, or name the server by its host name"
    )]
    PgTlsOverSocket(String),
    #[error(
        "central database address {0}: a client certificate is named with its private key, sslcert=FILE and sslkey=FILE in the address or PGSSLCERT and PGSSLKEY in the environment, both of them, and in the address only with sslmode=verify-full"
    )]
    PgClientCertificateNamed(String),
    #[error(
        "cannot present the client certificate to central's PostgreSQL database: {file} does not hold a PEM certificate (sslcert) or its private key (sslkey) without a passphrase, or the two do not belong together"
    )]
    PgClientCertificate {
        file: String,
        #[source]
        source: openssl::error::ErrorStack,
    },
    #[error(
        "the client key {0} is open to other users of this machine, who could connect as central with it: make it its owner's alone (chmod 600), or owned by root and readable by a group (chmod 640)"
    )]
    PgClientKeyReadable(String),
    #[error(
        "central database: {} has schema {found}, newer than this kattoo knows ({known}): use a newer kattoo",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("central database: station {station}: its stored key cannot be read")]
    StoredStationKey {
        station: String,
        #[source]
        source: SignatureError,
    },
    #[error(
        "central database {}: readable by others than its owner (mode {mode:o}): run `chmod 600` on it, and on its -wal and -shm files if there are any",
        path.display()
    )]
    DatabasePermissions { path: PathBuf, mode: u32 },
    #[error("central database: the identity row holds no identity")]
    NoIdentity,
    #[error("central database: the stored identity does not match the stored recipient {0}")]
    IdentityMismatch(String),
    #[error("central is not initialised: run `kattoo central init --db …` first")]
    NotInitialised,
    #[error("central is already initialised in {0}")]
    AlreadyInitialised(String),
    #[error(
        "station {0} is not registered: run `kattoo central add-station` with its certificate first"
    )]
    UnknownStation(String),
    #[error(
        "station {station} is already registered with a different key ({fingerprint}): if the station was given a new key, run `kattoo central rekey-station` with its new certificate"
    )]
    StationKeyConflict {
        station: String,
        fingerprint: String,
    },
    #[error(
        "batch is signed by key {fingerprint} of station {station}, which central revoked: refused; the station's data since the revocation must come from its new key"
    )]
    RevokedStationKey {
        station: String,
        fingerprint: String,
    },
    #[error(
        "record {id} of station {station} is already registered at central (from an earlier batch, or from the station's previous key): the batch was refused"
    )]
    RegistrationIdTaken { station: String, id: String },
    #[error(
        "central database {0} is not encrypted (an older kattoo made it): open it with the central passphrase once, which encrypts it in place"
    )]
    PlainDatabase(std::path::PathBuf),
    #[error(
        "{0} is an unfinished export (a .partial file the station never completed): central does not import it; export again at the station and import the .age file it writes"
    )]
    UnfinishedExport(String),
    #[error("key {fingerprint} is already registered (station {station}): a new key must be new")]
    KeyInUse {
        station: String,
        fingerprint: String,
    },
    #[error("revoking or replacing a station key needs who does it (--by) and why (--reason)")]
    KeyChangeIncomplete,
    #[error(
        "batch {sequence} of station {station} was already accepted with different content: refused as a replay"
    )]
    Replay { station: String, sequence: u64 },
    #[error(
        "batch {sequence} of station {station} is below the last accepted batch {last}: refused"
    )]
    LowerSequence {
        station: String,
        sequence: u64,
        last: u64,
    },
    #[error(
        "batch {sequence} of station {station} is out of range: a station's batches are numbered from 1, at most {max_jump} past the last accepted one ({last})"
    , max_jump = super::MAX_SEQUENCE_JUMP)]
    SequenceOutOfRange {
        station: String,
        sequence: u64,
        last: u64,
    },
    #[error(
        "batch {sequence} of station {station} does not follow batch {previous}: {what} differs"
    )]
    ChainMismatch {
        station: String,
        sequence: u64,
        previous: u64,
        what: &'static str,
    },
    #[error(
        "batch is signed by key {found}, not the registered key of station {station} ({registered})"
    )]
    WrongStationKey {
        station: String,
        found: String,
        registered: String,
    },
    #[error("cannot read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "batch file {0} changed while it was being read: copy it off the medium and import the copy"
    )]
    Changed(String),
    #[error("record {registration_id}: its fingers cannot be searched: {message}")]
    Template {
        registration_id: String,
        message: String,
    },
    #[error("no possible duplicate #{0} is listed: see `kattoo central duplicates`")]
    UnknownPair(u64),
    #[error("possible duplicate #{id} was already decided ({decision}) by {by} at {at}")]
    AlreadyDecided {
        id: u64,
        decision: &'static str,
        by: String,
        at: String,
    },
    #[error("a decision needs who decides (--by) and why (--reason)")]
    DecisionIncomplete,
    #[error(
        "wrong central passphrase: central's identity does not open with it; type it again (or correct KATTOO_CENTRAL_PASSPHRASE or the --passphrase-file)"
    )]
    WrongPassphrase,
    #[error(
        "the central passphrase is empty: choose one and keep it safe; without it no batch opens"
    )]
    EmptyPassphrase,
    #[error(
        "central's identity in this database is stored without a passphrase (by an older kattoo): run `kattoo central protect-identity` once to encrypt it; the key and the recipient stay the same"
    )]
    UnprotectedIdentity,
    #[error("central's identity is already protected by a passphrase: nothing to do")]
    AlreadyProtected,
    #[error("central identity file cannot be encrypted")]
    IdentityEncrypt(#[source] age::EncryptError),
    #[error(
        "central identity file is ASCII-armored (age -a): decrypt it with `age -d` and encrypt it again with `age -p` (without -a)"
    )]
    IdentityArmored,
    #[error(
        "central identity file is encrypted to a key, not with a passphrase (age -p): give the plain identity file or one made by `kattoo central init --identity`"
    )]
    IdentityForKey,
    #[error(
        "central identity file asks for scrypt work 2^{required}, far more than this machine allows: encrypt it again on this machine"
    )]
    IdentityWork { required: u8 },
    #[error("central identity file is damaged")]
    IdentityDamaged(#[source] age::DecryptError),
    #[error("central identity file does not hold an age identity file (not text)")]
    IdentityNotText,
    #[error("record {0} held at central does not read as an enrollment record")]
    RecordUnreadable(String),
    #[error("voter list: its signature is not central's")]
    VoterListSignature(#[source] SignatureError),
    #[error("voter list: {0}")]
    VoterListForm(String),
    #[error("voter list of precinct {listed}, not of precinct {expected}")]
    VoterListPrecinct { listed: String, expected: String },
    #[error("central database: the sealed value of {0} does not open with central's key")]
    Sealed(String),
    #[error(
        "central database: citizens' data was asked for before central's identity was opened with the passphrase"
    )]
    Locked,
}

/// What PostgreSQL said went wrong, told without the DETAIL and HINT lines the server adds: a
/// failed constraint's DETAIL quotes the row ("Failing row contains (…)"), which would put a
/// citizen's PIN or name into a message or a log.
pub struct PgFailure(postgres::Error);

impl From<postgres::Error> for PgFailure {
    fn from(e: postgres::Error) -> Self {
        PgFailure(e)
    }
}

impl PgFailure {
    /// The SQLSTATE of an error the server reported.
    pub fn code(&self) -> Option<&postgres::error::SqlState> {
        self.0.code()
    }
}

impl std::fmt::Display for PgFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_db_error() {
            Some(db) => write!(
                f,
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            ),
            None => self.0.fmt(f),
        }
    }
}

/// As its `Display`: the derived form would print the server's DETAIL.
impl std::fmt::Debug for PgFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgFailure({self})")
    }
}

impl std::error::Error for PgFailure {
    /// Below a server's error there is nothing but its DETAIL; below a connection's, the I/O
    /// error.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.0.as_db_error() {
            Some(_) => None,
            None => std::error::Error::source(&self.0),
        }
    }
}

impl Error {
    /// Whether the database gave up on the transaction for a reason of its own (a deadlock
    /// between importers running at once, a serialisation failure), so doing the same again
    /// may succeed.
    pub fn is_retryable(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            Error::Pg(e) => matches!(
                e.code(),
                Some(&SqlState::T_R_DEADLOCK_DETECTED | &SqlState::T_R_SERIALIZATION_FAILURE)
            ),
            _ => false,
        }
    }

    /// The Fluent message id that tells the central operator, in their language, what happened
    /// and what to do. The message takes [`Error::detail`] as `$detail`.
    pub fn message_id(&self) -> &'static str {
        match self {
            Error::Batch(e) => e.message_id(),
            Error::Db(_) | Error::Pg(_) => "central-error-db",
            Error::PgConnect { .. } => "central-error-pg-connect",
            Error::PgPasswordInAddress(_) => "central-error-pg-password",
            Error::PgAddress(_) => "central-error-pg-address",
            Error::PgRemote(_) => "central-error-pg-remote",
            Error::PgSslMode(..) => "central-error-pg-sslmode",
            Error::PgAuthority(_) => "central-error-pg-authority",
            Error::PgTls { .. } => "central-error-pg-tls",
            Error::PgClientCertificateNamed(_) => "central-error-pg-client-named",
            Error::PgTlsOverSocket(_) => "central-error-pg-tls-socket",
            Error::PgClientCertificate { .. } => "central-error-pg-client-certificate",
            Error::PgClientKeyReadable(_) => "central-error-pg-client-key-readable",
            Error::NewerSchema { .. } => "central-error-newer-schema",
            Error::DatabasePermissions { .. } => "central-error-permissions",
            Error::StoredStationKey { .. }
            | Error::NoIdentity
            | Error::IdentityMismatch(_)
            | Error::Sealed(_) => "central-error-damaged",
            Error::Locked => "central-error-locked",
            Error::NotInitialised => "central-error-not-initialised",
            Error::AlreadyInitialised(_) => "central-error-already-initialised",
            Error::UnknownStation(_) => "central-error-unknown-station",
            Error::StationKeyConflict { .. } => "central-error-station-key-conflict",
            Error::RevokedStationKey { .. } => "central-error-revoked-key",
            Error::KeyInUse { .. } => "central-error-key-in-use",
            Error::RegistrationIdTaken { .. } => "central-error-registration-id-taken",
            Error::PlainDatabase(_) => "central-error-plain-database",
            Error::UnfinishedExport(_) => "central-error-unfinished-export",
            Error::KeyChangeIncomplete => "central-error-key-change-incomplete",
            Error::Replay { .. } => "central-error-replay",
            Error::LowerSequence { .. } => "central-error-lower-sequence",
            Error::SequenceOutOfRange { .. } => "central-error-sequence-range",
            Error::ChainMismatch { .. } => "central-error-chain-mismatch",
            Error::WrongStationKey { .. } => "central-error-wrong-station-key",
            Error::Io { .. } => "central-error-io",
            Error::Changed(_) => "central-error-changed",
            Error::Template { .. } => "central-error-template",
            Error::UnknownPair(_) => "central-error-unknown-pair",
            Error::AlreadyDecided { .. } => "central-error-already-decided",
            Error::DecisionIncomplete => "central-error-decision-incomplete",
            Error::WrongPassphrase => "central-error-wrong-passphrase",
            Error::EmptyPassphrase => "central-error-empty-passphrase",
            Error::UnprotectedIdentity => "central-error-unprotected-identity",
            Error::AlreadyProtected => "central-error-already-protected",
            Error::IdentityEncrypt(_) => "central-error-identity-encrypt",
            Error::IdentityArmored => "central-error-identity-armored",
            Error::IdentityForKey => "central-error-identity-for-key",
            Error::IdentityWork { .. } => "central-error-identity-work",
            Error::IdentityDamaged(_) | Error::IdentityNotText => "central-error-identity-damaged",
            Error::RecordUnreadable(_) => "central-error-record-unreadable",
            Error::VoterListSignature(_) => "central-error-voter-list-signature",
            Error::VoterListForm(_) => "central-error-voter-list-form",
            Error::VoterListPrecinct { .. } => "central-error-voter-list-precinct",
        }
    }

    /// What the message names as `$detail`: a station id, a batch file name, a path or a
    /// recipient, else the technical cause; never a PIN, a passphrase or a secret key.
    pub fn detail(&self) -> String {
        match self {
            Error::Batch(e) => e.detail(),
            Error::NewerSchema { path, .. } | Error::DatabasePermissions { path, .. } => {
                path.display().to_string()
            }
            Error::StoredStationKey { station, .. }
            | Error::UnknownStation(station)
            | Error::StationKeyConflict { station, .. }
            | Error::WrongStationKey { station, .. } => station.clone(),
            Error::RegistrationIdTaken { id, .. } => id.clone(),
            Error::PlainDatabase(path) => path.display().to_string(),
            Error::UnfinishedExport(name) => name.clone(),
            Error::RevokedStationKey { fingerprint, .. } | Error::KeyInUse { fingerprint, .. } => {
                fingerprint.clone()
            }
            Error::Replay { station, sequence }
            | Error::LowerSequence {
                station, sequence, ..
            }
            | Error::SequenceOutOfRange {
                station, sequence, ..
            }
            | Error::ChainMismatch {
                station, sequence, ..
            } => batch::file_name(station, *sequence),
            Error::IdentityMismatch(recipient) => recipient.clone(),
            Error::AlreadyInitialised(place) => place.clone(),
            Error::Io { path, .. } | Error::Changed(path) => path.clone(),
            Error::IdentityWork { required } => required.to_string(),
            Error::Template {
                registration_id, ..
            } => registration_id.clone(),
            Error::UnknownPair(id) | Error::AlreadyDecided { id, .. } => id.to_string(),
            Error::RecordUnreadable(id) | Error::Sealed(id) => id.clone(),
            Error::VoterListForm(why) => why.clone(),
            Error::VoterListPrecinct { listed, .. } => listed.clone(),
            Error::VoterListSignature(_) => String::new(),
            Error::PgConnect { target, .. } => target.clone(),
            Error::PgPasswordInAddress(target)
            | Error::PgAddress(target)
            | Error::PgRemote(target)
            | Error::PgAuthority(target)
            | Error::PgClientCertificateNamed(target)
            | Error::PgTlsOverSocket(target) => target.clone(),
            Error::PgClientCertificate { file, .. } | Error::PgClientKeyReadable(file) => {
                file.clone()
            }
            Error::PgSslMode(_, mode) => mode.clone(),
            Error::PgTls { file, .. } => file.clone(),
            Error::Db(_)
            | Error::Pg(_)
            | Error::NoIdentity
            | Error::IdentityEncrypt(_)
            | Error::IdentityDamaged(_)
            | Error::IdentityNotText => batch::causes(self),
            Error::NotInitialised
            | Error::WrongPassphrase
            | Error::EmptyPassphrase
            | Error::UnprotectedIdentity
            | Error::AlreadyProtected
            | Error::IdentityArmored
            | Error::IdentityForKey
            | Error::DecisionIncomplete
            | Error::KeyChangeIncomplete
            | Error::Locked => String::new(),
        }
    }
}
