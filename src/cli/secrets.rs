//! Passphrases and passwords for non-interactive and interactive use: a file, an environment
//! variable, or a prompt on the terminal (never echoed).

use super::UsageError;
use std::path::Path;
use zeroize::Zeroizing;

fn from_file(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?,
    );
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(UsageError(format!(
            "{} is empty: put the secret on its first line",
            path.display()
        ))
        .into());
    }
    Ok(Zeroizing::new(line.to_owned()))
}

fn prompt(text: &str) -> anyhow::Result<Zeroizing<String>> {
    rpassword::prompt_password(text).map(Zeroizing::new).map_err(|e| {
        UsageError(format!("cannot prompt for a secret ({e}); give it with a --*-file option or an environment variable"))
            .into()
    })
}

/// A secret from `file`, else the environment variable `env`, else a prompt.
pub fn password(
    file: Option<&Path>,
    env: &str,
    prompt_text: &str,
) -> anyhow::Result<Zeroizing<String>> {
    if let Some(f) = file {
        return from_file(f);
    }
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    prompt(prompt_text)
}

/// A new secret: from `file` or `env`, else typed twice at a prompt.
pub fn new_password(
    file: Option<&Path>,
    env: &str,
    what: &str,
) -> anyhow::Result<Zeroizing<String>> {
    if file.is_some() || std::env::var_os(env).is_some() {
        return password(file, env, "");
    }
    let first = prompt(&format!("New {what}: "))?;
    let second = prompt(&format!("Repeat the {what}: "))?;
    if *first != *second {
        return Err(UsageError(format!("the two {what}s differ; nothing was changed")).into());
    }
    Ok(first)
}

/// The station passphrase: `--passphrase-file`, `KATTOO_PASSPHRASE`, or a prompt (twice when new).
pub fn passphrase(file: Option<&Path>, new: bool) -> anyhow::Result<Zeroizing<String>> {
    if new {
        new_password(file, "KATTOO_PASSPHRASE", "station passphrase")
    } else {
        password(file, "KATTOO_PASSPHRASE", "Station passphrase: ")
    }
}
