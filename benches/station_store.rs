//! Where a station keeps its biometrics (issue 16), a bench command that prints its figures.
//!
//! The export of a batch spends most of its CPU time reading the biometrics back out of the
//! encrypted store. This bench stores the same files (per enrollment ten 110 KB "fingerprints",
//! a 790 KB "photo" and a 20 KB "signature", random bytes as compressed images are) in each of
//! the layouts a new station could use, then reads them all back as the export does, by hash:
//!
//! - SQLCipher with `cipher_page_size` 4 KiB (SQLCipher's default, today's stations) up to
//!   64 KiB (SQLite's largest page), HMAC-SHA256 per page as the station uses;
//! - plain SQLite with 4 KiB pages, no encryption: the floor the encrypted layouts are measured
//!   against (never an option for a station);
//! - one file per biometric beside the database, sealed with ChaCha20-Poly1305 under a key of
//!   its own and fsynced (with its directory) before the enrollment commits.
//!
//! Each layout is written one enrollment per transaction, `synchronous=FULL`, as enrollment does,
//! into `KATTOO_BENCH_DIR` (default: the system's temporary directory), then read
//! `KATTOO_BENCH_ROUNDS` times (default 3) with the files in the page cache, so the read figure is
//! the CPU work alone. `KATTOO_BENCH_ENROLLMENTS` sets the count (default 200, 375 MB).

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use kattoo::crypto::KdfParams;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const KEY_HEX: &str = "2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c";

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*, to fill the files quickly and reproducibly.
fn fill(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// One enrollment's files: ten fingers, a photo, a signature.
fn enrollment(i: u64) -> Vec<Vec<u8>> {
    let mut files: Vec<Vec<u8>> = (0..10).map(|f| fill(i * 16 + f, 110_000)).collect();
    files.push(fill(i * 16 + 10, 790_000));
    files.push(fill(i * 16 + 11, 20_000));
    files
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The ways a station could keep its biometrics.
trait Layout {
    fn name(&self) -> String;
    /// Stores one enrollment's files durably, as one commit.
    fn write(&mut self, files: &[(String, Vec<u8>)]);
    /// Opens the store afresh (cold in the process, warm in the page cache).
    fn reopen(&mut self);
    fn read(&mut self, sha256: &str) -> Vec<u8>;
    /// Bytes on disk.
    fn size(&self) -> u64;
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(path).unwrap() {
        let e = e.unwrap();
        let meta = e.metadata().unwrap();
        total += if meta.is_dir() {
            dir_size(&e.path())
        } else {
            meta.len()
        };
    }
    total
}

struct Sqlite {
    dir: PathBuf,
    page: u32,
    encrypted: bool,
    conn: Connection,
}

impl Sqlite {
    fn new(root: &Path, page: u32, encrypted: bool) -> Sqlite {
        Self::new_in(
            root.join(format!("sqlite-{page}-{encrypted}")),
            page,
            encrypted,
        )
    }

    fn new_in(dir: PathBuf, page: u32, encrypted: bool) -> Sqlite {
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Self::open(&dir, page, encrypted);
        conn.execute_batch(
            "CREATE TABLE biometrics (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
             CREATE TABLE records (id INTEGER PRIMARY KEY, note TEXT NOT NULL);",
        )
        .unwrap();
        Sqlite {
            dir,
            page,
            encrypted,
            conn,
        }
    }

    fn open(dir: &Path, page: u32, encrypted: bool) -> Connection {
        let conn = Connection::open(dir.join("station.db")).unwrap();
        if encrypted {
            // As a station opens its store: the same key settings, with this page size (and a
            // cheap KDF, which is not what is measured).
            let key = KdfParams {
                m_kib: 8,
                t: 1,
                salt: "00".repeat(16),
                page_size: Some(page),
                ..KdfParams::generate().unwrap()
            }
            .derive("bench")
            .unwrap();
            kattoo::store::unlock(&conn, &key).unwrap();
        } else {
            conn.pragma_update(None, "page_size", page).unwrap();
        }
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn
    }
}

impl Layout for Sqlite {
    fn name(&self) -> String {
        if self.encrypted {
            format!("SQLCipher, {} KiB pages", self.page / 1024)
        } else {
            format!("SQLite, {} KiB pages, no encryption", self.page / 1024)
        }
    }
    fn write(&mut self, files: &[(String, Vec<u8>)]) {
        let tx = self.conn.transaction().unwrap();
        for (sha, data) in files {
            tx.execute(
                "INSERT OR IGNORE INTO biometrics (sha256, data) VALUES (?1, ?2)",
                params![sha, data],
            )
            .unwrap();
        }
        tx.execute("INSERT INTO records (note) VALUES ('r')", [])
            .unwrap();
        tx.commit().unwrap();
    }
    fn reopen(&mut self) {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        self.conn = Self::open(&self.dir, self.page, self.encrypted);
    }
    fn read(&mut self, sha256: &str) -> Vec<u8> {
        self.conn
            .prepare_cached("SELECT data FROM biometrics WHERE sha256 = ?1")
            .unwrap()
            .query_row([sha256], |r| r.get(0))
            .unwrap()
    }
    fn size(&self) -> u64 {
        dir_size(&self.dir)
    }
}

/// One sealed file per biometric, named by its hash; the SQLCipher database (4 KiB pages) keeps
/// the records and commits after the files and their directory are fsynced.
struct Files {
    dir: PathBuf,
    cipher: ChaCha20Poly1305,
    db: Sqlite,
}

impl Files {
    fn new(root: &Path) -> Files {
        let dir = root.join("files");
        std::fs::create_dir_all(&dir).unwrap();
        let key = hex::decode(KEY_HEX).unwrap();
        Files {
            dir,
            cipher: ChaCha20Poly1305::new_from_slice(&key).unwrap(),
            db: Sqlite::new_in(root.join("files-db"), 4096, true),
        }
    }
    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }
    /// The nonce is the hash's first 12 bytes: a file's content fixes its name and its nonce, and
    /// the same content is never sealed twice under one key with different plaintext.
    fn nonce(sha256: &str) -> [u8; 12] {
        hex::decode(&sha256[..24]).unwrap().try_into().unwrap()
    }
}

impl Layout for Files {
    fn name(&self) -> String {
        "files beside SQLCipher, ChaCha20-Poly1305".into()
    }
    fn write(&mut self, files: &[(String, Vec<u8>)]) {
        for (sha, data) in files {
            let sealed = self
                .cipher
                .encrypt(Nonce::from_slice(&Self::nonce(sha)), data.as_slice())
                .unwrap();
            let tmp = self.dir.join(format!(".{sha}.tmp"));
            let mut f = std::fs::File::create(&tmp).unwrap();
            f.write_all(&sealed).unwrap();
            f.sync_all().unwrap();
            std::fs::rename(&tmp, self.path(sha)).unwrap();
        }
        std::fs::File::open(&self.dir).unwrap().sync_all().unwrap();
        self.db.write(&[]);
    }
    fn reopen(&mut self) {
        self.db.reopen();
    }
    fn read(&mut self, sha256: &str) -> Vec<u8> {
        let sealed = std::fs::read(self.path(sha256)).unwrap();
        self.cipher
            .decrypt(Nonce::from_slice(&Self::nonce(sha256)), sealed.as_slice())
            .unwrap()
    }
    fn size(&self) -> u64 {
        dir_size(&self.dir) + self.db.size()
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` ask; there is nothing to list.
    }
    let n = env_number("KATTOO_BENCH_ENROLLMENTS", 200);
    let rounds = env_number("KATTOO_BENCH_ROUNDS", 3).max(1);
    let root = std::env::var_os("KATTOO_BENCH_DIR")
        .map(|d| tempfile::tempdir_in(d).unwrap())
        .unwrap_or_else(|| tempfile::tempdir().unwrap());
    let only = std::env::var("KATTOO_BENCH_LAYOUTS").ok();

    let mut layouts: Vec<Box<dyn Layout>> = vec![
        Box::new(Sqlite::new(root.path(), 4096, false)),
        Box::new(Sqlite::new(root.path(), 4096, true)),
        Box::new(Sqlite::new(root.path(), 8192, true)),
        Box::new(Sqlite::new(root.path(), 16384, true)),
        Box::new(Sqlite::new(root.path(), 32768, true)),
        Box::new(Sqlite::new(root.path(), 65536, true)),
        Box::new(Files::new(root.path())),
    ];
    if let Some(only) = &only {
        let picked: Vec<usize> = only.split(',').map(|i| i.parse().unwrap()).collect();
        let mut i = 0;
        layouts.retain(|_| {
            i += 1;
            picked.contains(&(i - 1))
        });
    }
    let mut hashes = Vec::new();
    let mut bytes = 0u64;
    println!(
        "{n} enrollments in {}, {rounds} read rounds",
        root.path().display()
    );
    println!(
        "{:<44} {:>10} {:>10} {:>12} {:>10}",
        "layout", "write s", "read s", "read MB/s", "disk MB"
    );
    let mut written = vec![Duration::ZERO; layouts.len()];
    for i in 0..u64::from(n) {
        let files: Vec<(String, Vec<u8>)> = enrollment(i)
            .into_iter()
            .map(|f| (sha_hex(&f), f))
            .collect();
        for (sha, f) in &files {
            hashes.push(sha.clone());
            bytes += f.len() as u64;
        }
        for (layout, time) in layouts.iter_mut().zip(&mut written) {
            let started = Instant::now();
            layout.write(&files);
            *time += started.elapsed();
        }
    }
    for (layout, write) in layouts.iter_mut().zip(written) {
        layout.reopen();
        let mut reads = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let mut check = 0u64;
            for sha in &hashes {
                check += layout.read(sha).len() as u64;
            }
            reads.push(started.elapsed());
            assert_eq!(
                check,
                bytes,
                "{}: read back a different size",
                layout.name()
            );
        }
        let read = median(&mut reads);
        println!(
            "{:<44} {:>10.2} {:>10.3} {:>12.0} {:>10.0}",
            layout.name(),
            write.as_secs_f64(),
            read.as_secs_f64(),
            bytes as f64 / 1e6 / read.as_secs_f64(),
            layout.size() as f64 / 1e6
        );
    }
}
