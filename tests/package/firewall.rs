//! The packaged firewall for real: `sbi-loopback-only.nft` loaded with `nft` into a network
//! namespace of the test's own, a simulated SBI service (`kattoo sim-sbi`) listening there as
//! one user or another, and connections from other users. Only the device service's user
//! (`kattoo-sbi`) gets an answer through, and only to the kiosk's user (`kattoo`) or root.
//!
//! Needs root, `ip`, `nft` and the two users (the package creates them). CI installs the package
//! first and sets `KATTOO_REQUIRE_DEB=1`: there, anything missing fails the test.

use super::repo;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A network namespace, deleted when dropped.
struct Namespace(String);

impl Namespace {
    fn new() -> Namespace {
        let name = format!("kattoo-fw-{}", std::process::id());
        assert!(ip(&["netns", "add", &name]).success());
        let ns = Namespace(name);
        assert!(
            ns.exec(&["ip", "link", "set", "lo", "up"])
                .status()
                .unwrap()
                .success()
        );
        ns
    }

    /// `args` run inside the namespace.
    fn exec(&self, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.0]).args(args);
        c
    }

    /// `args` run inside the namespace as `user`.
    fn as_user(&self, user: &str, args: &[&str]) -> Command {
        let mut all = vec!["runuser", "-u", user, "--"];
        all.extend_from_slice(args);
        self.exec(&all)
    }
}

impl Drop for Namespace {
    /// Ends whatever still runs inside (the simulators under `runuser`), then deletes it.
    fn drop(&mut self) {
        if let Ok(out) = Command::new("ip").args(["netns", "pids", &self.0]).output() {
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).status();
            }
        }
        let _ = ip(&["netns", "delete", &self.0]);
    }
}

fn ip(args: &[&str]) -> std::process::ExitStatus {
    Command::new("ip").args(args).status().expect("ip runs")
}

/// Why the test cannot run here, if it cannot.
fn missing() -> Option<String> {
    if !nix_is_root() {
        return Some("not root".into());
    }
    for tool in ["ip", "nft", "runuser", "python3"] {
        if which(tool).is_none() {
            return Some(format!("no {tool}"));
        }
    }
    for user in ["kattoo", "kattoo-sbi"] {
        let known = Command::new("getent").args(["passwd", user]).output();
        if !known.is_ok_and(|o| o.status.success()) {
            return Some(format!("no user {user} (the package creates it)"));
        }
    }
    None
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn which(tool: &str) -> Option<()> {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| ())
}

/// A simulated SBI service on `port` inside `ns`, run as `user`.
fn listener(ns: &Namespace, user: &str, port: u16) -> Child {
    let child = ns
        .as_user(
            user,
            &[
                env!("CARGO_BIN_EXE_kattoo"),
                "sim-sbi",
                "--port",
                &port.to_string(),
                "--fixtures",
                repo("fixtures").to_str().unwrap(),
            ],
        )
        .env("KATTOO_LOG_STDERR_LEVEL", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    child
}

/// What a MOSIPDISC from `user` to `port` inside `ns` gets: "answered", "reset" or "timeout".
fn probe(ns: &Namespace, user: &str, port: u16) -> String {
    const CLIENT: &str = r#"
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
    s.sendall(b"MOSIPDISC /device HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    print("answered" if s.recv(12).startswith(b"HTTP/1.1 200") else "garbled")
except (ConnectionResetError, ConnectionRefusedError):
    print("reset")
except (socket.timeout, TimeoutError):
    print("timeout")
"#;
    let out = ns
        .as_user(user, &["/usr/bin/python3", "-c", CLIENT, &port.to_string()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn on_loopback_only_the_device_services_user_answers_and_only_the_kiosk_or_root_asks() {
    if let Some(why) = missing() {
        assert!(
            std::env::var_os("KATTOO_REQUIRE_DEB").is_none(),
            "the firewall test cannot run in CI: {why}"
        );
        eprintln!("skipping the firewall test: {why}");
        return;
    }
    let ns = Namespace::new();
    let nft = repo("packaging/nftables/sbi-loopback-only.nft");
    let loaded = ns
        .exec(&["nft", "-f", nft.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(loaded.success(), "nft -f refused the packaged rules");

    let mut device = listener(&ns, "kattoo-sbi", 4561);
    let mut rogue = listener(&ns, "nobody", 4562);
    let outcomes = [
        probe(&ns, "kattoo", 4561),
        probe(&ns, "root", 4561),
        probe(&ns, "nobody", 4561),
        probe(&ns, "kattoo", 4562),
    ];
    let _ = device.kill();
    let _ = rogue.kill();
    let _ = device.wait();
    let _ = rogue.wait();
    assert_eq!(
        outcomes,
        ["answered", "answered", "reset", "timeout"],
        "kiosk → device service, root → device service, another user → device service, kiosk → a rogue listener"
    );
}
