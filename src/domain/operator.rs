//! Operator roles and the permission ladder between them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an operator account may do. Ordered: each role can do everything the ones below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Enrols citizens.
    Registrar,
    /// Approves and rejects records, exports batches, manages registrars.
    Supervisor,
    /// Manages the station and every account.
    Admin,
}

impl Role {
    /// The spelling used in records, the CLI and the database.
    pub fn name(self) -> &'static str {
        match self {
            Self::Registrar => "registrar",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "registrar" => Ok(Self::Registrar),
            "supervisor" => Ok(Self::Supervisor),
            "admin" => Ok(Self::Admin),
            _ => Err(format!(
                "unknown role '{s}': use registrar, supervisor or admin"
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An operator login name: 3–32 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a letter.
pub fn validate_login(login: &str) -> Result<(), String> {
    let ok_len = (3..=32).contains(&login.len());
    let ok_first = login.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let ok_chars = login
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_first && ok_chars {
        Ok(())
    } else {
        Err(format!(
            "login '{login}' is not valid: use 3-32 characters a-z, 0-9, '.', '_' or '-', starting with a letter"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_named() {
        assert!(Role::Registrar < Role::Supervisor && Role::Supervisor < Role::Admin);
        for r in [Role::Registrar, Role::Supervisor, Role::Admin] {
            assert_eq!(r.name().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn logins() {
        for ok in ["aibek", "a.sydykov", "reg_01", "sup-2"] {
            assert!(validate_login(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "Aibek", "1abc", "айбек", "a b c", &"a".repeat(33)] {
            assert!(validate_login(bad).is_err(), "{bad}");
        }
    }
}
