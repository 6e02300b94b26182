//! Shared fixtures for the integration tests: a station in a temporary directory, a `kattoo`
//! command with a clean environment, and the enrollment arguments built from `fixtures/`.

use assert_cmd::Command;
use kattoo::domain::{RegistrationId, StationId};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The station passphrase every fixture station is created with.
pub const PASSPHRASE: &str = "тоо-жана-талаа 2026";
/// The first admin's login and password.
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The station id, name, region and precincts of every fixture station.
pub const STATION_ID: &str = "KG1101";
pub const STATION_NAME: &str = "Лебединовка школа №3";
pub const REGION: &str = "chui";

/// The ten fingers in ISO order with the fixture image used for each.
const FINGERS: [(&str, &str); 10] = [
    ("right-thumb", "101_1.png"),
    ("right-index", "102_1.png"),
    ("right-middle", "103_1.png"),
    ("right-ring", "104_1.png"),
    ("right-little", "105_1.png"),
    ("left-thumb", "106_1.png"),
    ("left-index", "107_1.png"),
    ("left-middle", "108_1.png"),
    ("left-ring", "109_1.png"),
    ("left-little", "110_1.png"),
];

/// Runs `command` (another program than kattoo: age, Python, pg_dump, a shell) and returns
/// what it printed; the test fails with what it said on standard error when it fails.
pub fn succeeded(command: &mut std::process::Command) -> Vec<u8> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A file under the repository's `fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

/// What the kiosk and `kattoo enroll` both say (message id `workflow-error-exception-photo`, in
/// English) when a missing left little finger has no photo of the hand.
pub const EXCEPTION_PHOTO_REFUSAL: &str =
    "Left little is marked missing — take the photo of the hand before going on.";

/// `--demographics`, `--photo`, ten `--finger` and `--signature` for `person`, from `fixtures/`.
pub fn enroll_args(person: &Path) -> Vec<OsString> {
    enroll_args_with(person, &[], &[])
}

/// Like [`enroll_args`], but the fingers in `missing` (`(position, reason)`) are left out and
/// given as `--missing` with an `--exception-photo`, and `replaced` (`(position, file)`) swaps a
/// finger's image.
pub fn enroll_args_with(
    person: &Path,
    missing: &[(&str, &str)],
    replaced: &[(&str, &Path)],
) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["--demographics".into(), person.into()];
    args.extend(["--photo".into(), fixture("faces/astronaut.png").into()]);
    for (position, file) in FINGERS {
        if missing.iter().any(|(p, _)| *p == position) {
            continue;
        }
        let path = replaced
            .iter()
            .find(|(p, _)| *p == position)
            .map(|(_, f)| f.to_path_buf())
            .unwrap_or_else(|| fixture(&format!("fingers/{file}")));
        let mut pair = OsString::from(format!("{position}="));
        pair.push(path);
        args.extend(["--finger".into(), pair]);
    }
    for (position, reason) in missing {
        args.extend(["--missing".into(), format!("{position}={reason}").into()]);
        // The photo of the hand a missing finger needs (any PNG stands in here).
        let mut photo = OsString::from(format!("{position}="));
        photo.push(fixture("faces/astronaut.png"));
        args.extend(["--exception-photo".into(), photo]);
    }
    args.extend(["--signature".into(), fixture("signature.png").into()]);
    args
}

/// The manifest object (one JSON Lines line) for `person` with every finger captured.
pub fn manifest_line(person: &Path) -> serde_json::Value {
    let fingers: serde_json::Map<String, serde_json::Value> = FINGERS
        .iter()
        .map(|(p, f)| {
            (
                (*p).to_owned(),
                fixture(&format!("fingers/{f}"))
                    .display()
                    .to_string()
                    .into(),
            )
        })
        .collect();
    serde_json::json!({
        "demographics": person.display().to_string(),
        "photo": fixture("faces/astronaut.png").display().to_string(),
        "fingers": fingers,
        "signature": fixture("signature.png").display().to_string(),
    })
}

/// A station data directory inside a temporary directory of its own.
pub struct Kiosk {
    tmp: TempDir,
    /// The data directory (created by [`Kiosk::init`]).
    pub data: PathBuf,
}

impl Kiosk {
    /// A temporary directory with no station yet.
    pub fn new() -> Kiosk {
        let tmp = tempfile::tempdir().expect("temporary directory");
        let data = tmp.path().join("station");
        Kiosk { tmp, data }
    }

    /// A new station with the admin [`ADMIN`], serving precincts 1101 and 1102.
    pub fn init() -> Kiosk {
        let kiosk = Kiosk::new();
        kiosk.init_cmd().assert().success();
        kiosk
    }

    /// `kattoo init` for this kiosk's station, passphrase and admin password in the environment.
    pub fn init_cmd(&self) -> Command {
        self.init_cmd_with(&[])
    }

    /// [`Kiosk::init_cmd`] with the options named in `changed` given these values instead.
    pub fn init_cmd_with(&self, changed: &[(&str, &str)]) -> Command {
        let defaults = [
            ("--station-id", STATION_ID),
            ("--name", STATION_NAME),
            ("--region", REGION),
            ("--precinct", "1101"),
            ("--precinct", "1102"),
            ("--admin", ADMIN),
        ];
        let mut cmd = self.cmd();
        cmd.env("KATTOO_NEW_PASSWORD", ADMIN_PASSWORD).arg("init");
        for (flag, value) in defaults
            .iter()
            .filter(|(flag, _)| !changed.iter().any(|(c, _)| c == flag))
            .chain(changed)
        {
            cmd.args([flag, value]);
        }
        cmd
    }

    /// A file path inside the temporary directory (beside, not inside, the data directory).
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `kattoo` with no inherited `KATTOO_*` variable, no controlling terminal, this data
    /// directory in `KATTOO_DATA_DIR` and the right passphrase in `KATTOO_PASSPHRASE`. The
    /// station back-fills from files (`KATTOO_BACK_FILL`), as `kattoo enroll` needs outside
    /// training mode; `tests/cli/enroll.rs` shows the refusal without it. The duplicate-person
    /// search is off (`KATTOO_SEARCH_DUPLICATES`): the tests' citizens all have the same
    /// fixture fingers; `tests/cli/enroll.rs` turns it on to test it.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare_cmd();
        cmd.env("KATTOO_DATA_DIR", &self.data)
            .env("KATTOO_PASSPHRASE", PASSPHRASE)
            .env("KATTOO_BACK_FILL", "true")
            .env("KATTOO_SEARCH_DUPLICATES", "false");
        cmd
    }

    /// [`Kiosk::cmd`] with `password` in `KATTOO_OPERATOR_PASSWORD`; add `--operator LOGIN`.
    pub fn as_op(&self, password: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.env("KATTOO_OPERATOR_PASSWORD", password);
        cmd
    }

    /// [`Kiosk::cmd`] logged in as the admin: `args` then `--operator admin`.
    pub fn admin(&self, args: &[&str]) -> Command {
        let mut cmd = self.as_op(ADMIN_PASSWORD);
        cmd.args(args).args(["--operator", ADMIN]);
        cmd
    }

    /// Adds an operator through the admin account.
    pub fn add_operator(&self, login: &str, role: &str, password: &str) {
        let mut cmd = self.admin(&["operator", "add", login, "--role", role]);
        cmd.env("KATTOO_NEW_PASSWORD", password)
            .assert()
            .success()
            .stdout(format!("added {login} ({role})\n"));
    }

    /// Writes `fixtures/people/aigul.json` changed by `edit` to `name` in the temporary directory.
    pub fn person(&self, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
        let text = std::fs::read_to_string(fixture("people/aigul.json")).expect("aigul.json");
        let mut value: serde_json::Value = serde_json::from_str(&text).expect("aigul.json parses");
        edit(&mut value);
        let path = self.path(name);
        std::fs::write(&path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
        path
    }

    /// Enrolls `person` with every finger as `login`; returns the registration id printed.
    pub fn enroll(&self, login: &str, password: &str, person: &Path) -> String {
        let out = self
            .as_op(password)
            .args(["enroll", "--operator", login])
            .args(enroll_args(person))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).expect("utf-8");
        text.strip_suffix('\n').expect("one line").to_owned()
    }

    /// Every file in the data directory except the logs, with its bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        for entry in std::fs::read_dir(&self.data).expect("data directory") {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                files.insert(entry.path(), std::fs::read(entry.path()).unwrap());
            }
        }
        files
    }
}

/// `kattoo` with no inherited `KATTOO_*` variable and no controlling terminal, so a missing
/// secret fails at once instead of waiting at a prompt.
pub fn bare_cmd() -> Command {
    let mut std_cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kattoo"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("KATTOO_") {
            std_cmd.env_remove(name);
        }
    }
    detach_terminal(&mut std_cmd);
    Command::from_std(std_cmd)
}

#[cfg(unix)]
fn detach_terminal(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    unsafe extern "C" {
        fn setsid() -> i32;
    }
    // SAFETY: setsid is async-signal-safe and touches no memory of this process.
    unsafe {
        cmd.pre_exec(|| {
            setsid();
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn detach_terminal(_cmd: &mut std::process::Command) {}

/// Checks that `printed` is registration `sequence` of the fixture station, made today (UTC).
pub fn assert_registration_id(printed: &str, sequence: u64) {
    let id: RegistrationId = printed
        .parse()
        .unwrap_or_else(|e| panic!("{printed:?} is not a registration id: {e}"));
    assert_eq!(id.sequence(), sequence, "{printed}");
    let station = StationId::parse(STATION_ID).unwrap();
    assert_eq!(id.station(), &station, "{printed}");
    let today = time::OffsetDateTime::now_utc().date();
    // The command may have run just before midnight UTC.
    let dates = [today, today.previous_day().unwrap()];
    assert!(
        dates
            .iter()
            .any(|d| RegistrationId::new(&station, sequence, *d).as_str() == printed),
        "{printed} is not {STATION_ID}-{sequence:06}-<today>-<check>"
    );
}

/// Stdout of a finished command as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf-8 stdout")
}

/// Stderr of a finished command as text.
pub fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8 stderr")
}

/// The station's database opened directly with the passphrase, as anyone holding the passphrase
/// could: the tests' look at what is stored, beside the station's own door (a [`Station`] has
/// no raw access). A second connection to the same file, read in WAL mode.
///
/// [`Station`]: kattoo::station::Station
pub fn raw_store(data_dir: &Path, passphrase: &str) -> kattoo::store::Store {
    kattoo::store::Store::open(
        &data_dir.join(kattoo::station::DB_FILE),
        &station_key(data_dir, passphrase),
    )
    .unwrap()
}

/// A bare SQLite connection to the station's database, unlocked with the passphrase: for tests
/// that alter what is stored behind the station's back.
pub fn raw_connection(data_dir: &Path, passphrase: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(data_dir.join(kattoo::station::DB_FILE)).unwrap();
    kattoo::store::unlock(&conn, &station_key(data_dir, passphrase)).unwrap();
    conn
}

/// The station's database key, from its `kdf.json` and the passphrase.
fn station_key(data_dir: &Path, passphrase: &str) -> kattoo::crypto::DatabaseKey {
    let text = std::fs::read_to_string(data_dir.join(kattoo::station::KDF_FILE)).unwrap();
    let kdf: kattoo::crypto::KdfParams = serde_json::from_str(&text).unwrap();
    kdf.derive(passphrase).unwrap()
}
