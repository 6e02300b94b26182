//! The field package: the cargo-deb metadata in `Cargo.toml` and the files under `packaging/`
//! (unit directives, udev rules, maintainer scripts, the conffile), and, when `cargo deb` has
//! built it, the `.deb` itself (files, modes, conffiles, control fields, generated scripts).
//!
//! CI builds the package before the tests and sets `KATTOO_REQUIRE_DEB=1`, so there a missing
//! `.deb` fails instead of leaving the package half-checked.

use kattoo::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod built;
mod firewall;
mod scripts;
mod sources;

const UNIT: &str = "packaging/systemd/kattoo-kiosk.service";
const FIREWALL_UNIT: &str = "packaging/systemd/kattoo-sbi-firewall.service";
const SCRIPTS: &str = "packaging/deb/maintainer-scripts";

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// `[package.metadata.deb]` of Cargo.toml.
fn deb_metadata() -> toml::Table {
    let manifest: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml parses");
    manifest["package"]["metadata"]["deb"]
        .as_table()
        .expect("[package.metadata.deb]")
        .clone()
}

/// The assets as `(source, destination, mode)`, destinations without a leading `/`.
fn assets() -> Vec<(String, String, String)> {
    deb_metadata()["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|a| {
            let a: Vec<&str> = a
                .as_array()
                .expect("[source, dest, mode]")
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(a.len(), 3, "{a:?}");
            (a[0].to_owned(), a[1].to_owned(), a[2].to_owned())
        })
        .collect()
}

/// The installed path of the asset whose source is `source` (a trailing `/` keeps the name).
fn installed_path(source: &str) -> String {
    let (src, dest, _) = assets()
        .into_iter()
        .find(|(s, _, _)| s == source)
        .unwrap_or_else(|| panic!("{source} is not packaged"));
    let name = Path::new(&src).file_name().unwrap().to_str().unwrap();
    match dest.strip_suffix('/') {
        Some(dir) => format!("/{dir}/{name}"),
        None => format!("/{dest}"),
    }
}

/// A systemd unit as `section -> key -> values` (a key may repeat).
fn unit(relative: &str) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut section = String::new();
    for line in read(relative).lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{relative}: not a key=value line: {line}"));
        assert!(!section.is_empty(), "{relative}: {line} before any section");
        out.entry(section.clone())
            .or_default()
            .entry(key.to_owned())
            .or_default()
            .push(value.to_owned());
    }
    out
}
