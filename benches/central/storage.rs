//! Phase 4 of the central bench: where central could keep biometric files.

use super::{common, database_size, open_admin};
use kattoo::central::pg_server::TestServer;
use postgres::Transaction;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The size of a `bytea` chunk, for [`Layout::ByteaChunks`].
const CHUNK: usize = 256 * 1024;

/// The tables every layout's database has (each layout uses its own).
const TABLES: &str = "CREATE TABLE a (sha256 text COLLATE \"C\" PRIMARY KEY, data bytea NOT NULL);
     ALTER TABLE a ALTER COLUMN data SET STORAGE EXTERNAL;
     CREATE TABLE b (sha256 text COLLATE \"C\", n integer, data bytea NOT NULL, PRIMARY KEY (sha256, n));
     ALTER TABLE b ALTER COLUMN data SET STORAGE EXTERNAL;
     CREATE TABLE c (sha256 text COLLATE \"C\" PRIMARY KEY, object oid NOT NULL);
     CREATE TABLE d (sha256 text COLLATE \"C\" PRIMARY KEY);";

/// How central could keep biometric files, each written as an import writes them: one
/// transaction per batch of 100 enrollments, committed durably.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// One `bytea` row per file, stored out of line uncompressed (what central does).
    Bytea,
    /// `bytea` rows of at most 256 KiB, several per file.
    ByteaChunks,
    /// A large object per file (`lo_from_bytea`), its oid in a row.
    LargeObject,
    /// A file per biometric in a directory beside the database, named by its SHA-256, each
    /// file and its directory fsynced before the batch's rows commit.
    Directory,
}

impl Layout {
    const ALL: [Layout; 4] = [
        Layout::Bytea,
        Layout::ByteaChunks,
        Layout::LargeObject,
        Layout::Directory,
    ];

    fn name(self) -> &'static str {
        match self {
            Layout::Bytea => "bytea, one row per file (central's)",
            Layout::ByteaChunks => "bytea in 256 KiB chunks",
            Layout::LargeObject => "large objects",
            Layout::Directory => "files beside the database, fsynced",
        }
    }

    /// Writes one file in the open transaction (a [`Layout::Directory`] file under `dir`, fsynced;
    /// its directory is added to `dirs`, to be fsynced before the commit).
    fn write(
        self,
        tx: &mut Transaction<'_>,
        dir: &Path,
        dirs: &mut BTreeSet<PathBuf>,
        sha: &str,
        data: &[u8],
    ) {
        match self {
            Layout::Bytea => {
                let insert = "INSERT INTO a VALUES ($1, $2) ON CONFLICT DO NOTHING";
                tx.execute(insert, &[&sha, &data]).unwrap();
            }
            Layout::ByteaChunks => {
                let insert = "INSERT INTO b VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
                for (n, chunk) in data.chunks(CHUNK).enumerate() {
                    tx.execute(insert, &[&sha, &(n as i32), &chunk]).unwrap();
                }
            }
            Layout::LargeObject => {
                let insert = "INSERT INTO c VALUES ($1, lo_from_bytea(0, $2))";
                tx.execute(insert, &[&sha, &data]).unwrap();
            }
            Layout::Directory => {
                let file = beside(dir, sha);
                let parent = file.parent().unwrap().to_owned();
                std::fs::create_dir_all(&parent).unwrap();
                let partial = file.with_extension("partial");
                let mut out = std::fs::File::create(&partial).unwrap();
                std::io::Write::write_all(&mut out, data).unwrap();
                out.sync_all().unwrap();
                std::fs::rename(&partial, &file).unwrap();
                dirs.insert(parent);
                tx.execute("INSERT INTO d VALUES ($1)", &[&sha]).unwrap();
            }
        }
    }

    /// The query that reads a file back by its hash (none for a file beside the database).
    fn read_query(self) -> Option<&'static str> {
        match self {
            Layout::Bytea => Some("SELECT data FROM a WHERE sha256 = $1"),
            Layout::ByteaChunks => Some("SELECT data FROM b WHERE sha256 = $1 ORDER BY n"),
            Layout::LargeObject => Some("SELECT lo_get(object) FROM c WHERE sha256 = $1"),
            Layout::Directory => None,
        }
    }
}

/// Reads one file back by its hash: by [`Layout::read_query`] prepared as `query` (the chunks
/// in order, or the one row), else from beside the database.
fn read_back(
    db: &mut postgres::Client,
    query: Option<&postgres::Statement>,
    dir: &Path,
    sha: &str,
) -> Vec<u8> {
    match query {
        Some(query) => {
            let mut data = Vec::new();
            for row in db.query(query, &[&sha]).unwrap() {
                data.extend_from_slice(row.get::<_, &[u8]>(0));
            }
            data
        }
        None => std::fs::read(beside(dir, sha)).unwrap(),
    }
}

/// Where [`Layout::Directory`] keeps the file of hash `sha` under `dir`.
fn beside(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// `enrollments` enrollments' files of real sizes (ten 110 KB fingers, a 790 KB photo, a 20 KB
/// signature), each distinct (a slice of one random pool at its own offset, the file's number in
/// front), with their SHA-256.
fn enrollment_files(enrollments: usize) -> Vec<Vec<(String, Vec<u8>)>> {
    let sizes: Vec<usize> = [110_000; 10].into_iter().chain([790_000, 20_000]).collect();
    let mut rng = common::Rng(0x05ee_d0fb_10b5);
    let pool: Vec<u8> = (0..2 * 1024 * 1024 + 64 * 1024)
        .map(|_| (rng.next() * 256.0) as u8)
        .collect();
    (0..enrollments)
        .map(|e| {
            sizes
                .iter()
                .enumerate()
                .map(|(k, &size)| {
                    let n = (e * sizes.len() + k) as u64;
                    let at = (n as usize * 4099) % (64 * 1024);
                    let mut f = n.to_le_bytes().to_vec();
                    f.extend_from_slice(&pool[at..at + size - 8]);
                    (hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&f)), f)
                })
                .collect()
        })
        .collect()
}

/// Phase 4: the options for central's biometrics, measured on the same data and disk.
/// `KATTOO_BENCH_BLOBS` enrollments (default 200) of real-size files (random bytes, as sealed
/// files are), written in batches of 100 per transaction, then every file read back by its hash
/// (the page cache warm, as it is right after an import); the space each takes.
pub fn layouts(server: &TestServer, enrollments: usize) {
    let files = enrollment_files(enrollments);
    let bytes: usize = files.iter().flatten().map(|(_, f)| f.len()).sum();
    println!(
        "central's biometrics, {enrollments} enrollments ({:.0} MB) in transactions of 100 enrollments, this machine's disk:",
        bytes as f64 / 1e6
    );
    for layout in Layout::ALL {
        let name = server.create_database().unwrap();
        let mut db = open_admin(server, &name);
        db.batch_execute(TABLES).unwrap();
        let dir = tempfile::tempdir_in(server.dir()).unwrap();
        let started = Instant::now();
        for batch in files.chunks(100) {
            let mut tx = db.transaction().unwrap();
            let mut dirs = BTreeSet::from([dir.path().to_owned()]);
            for (sha, data) in batch.iter().flatten() {
                layout.write(&mut tx, dir.path(), &mut dirs, sha, data);
            }
            // The files' names are durable before the rows that count on them.
            for d in &dirs {
                std::fs::File::open(d).unwrap().sync_all().unwrap();
            }
            tx.commit().unwrap();
        }
        let wrote = started.elapsed();
        let query = layout.read_query().map(|q| db.prepare(q).unwrap());
        let started = Instant::now();
        let read: usize = files
            .iter()
            .flatten()
            .map(|(sha, _)| read_back(&mut db, query.as_ref(), dir.path(), sha).len())
            .sum();
        assert_eq!(read, bytes);
        let took = started.elapsed();
        println!(
            "  {:<38} write {:>6.1} s {:>6.0} MB/s   read {:>5.2} s {:>6.0} MB/s   database {:>5.0} MB + files {:>4.0} MB",
            layout.name(),
            wrote.as_secs_f64(),
            bytes as f64 / 1e6 / wrote.as_secs_f64(),
            took.as_secs_f64(),
            bytes as f64 / 1e6 / took.as_secs_f64(),
            database_size(&mut db) as f64 / 1e6,
            walk_size(dir.path()) as f64 / 1e6
        );
    }
}

/// Bytes of the files under `dir`.
fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                walk_size(&e.path())
            } else {
                meta.len()
            }
        })
        .sum()
}
