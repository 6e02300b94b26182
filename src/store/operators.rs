//! Operator accounts.

use super::{Db, Error, Result};
use crate::domain::Role;
use rusqlite::{OptionalExtension, Row, params};

/// Whether an account may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorStatus {
    Active,
    /// Locked by a supervisor until unlocked.
    Locked,
    /// Switched off for good (kept for the audit trail).
    Disabled,
}

impl OperatorStatus {
    fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(Self::Active),
            "locked" => Ok(Self::Locked),
            "disabled" => Ok(Self::Disabled),
            _ => Err(Error::Corrupt(format!("operator status '{s}'"))),
        }
    }
}

/// An operator account as stored.
#[derive(Debug, Clone)]
pub struct OperatorRow {
    pub login: String,
    pub role: Role,
    pub password_hash: String,
    pub status: OperatorStatus,
    pub failed_attempts: u32,
    pub lockouts: u32,
    /// Unix seconds until which an automatic lockout holds.
    pub locked_until: Option<i64>,
    pub must_change_password: bool,
    pub created_at: String,
    /// A supervisor requires a fingerprint as well as the password at login.
    pub finger_required: bool,
    /// How many fingers are enrolled for login.
    pub fingers: u32,
}

const COLUMNS: &str = "login, role, password_hash, status, failed_attempts, lockouts, locked_until, must_change_password, created_at, finger_required, (SELECT COUNT(*) FROM operator_fingers f WHERE f.login = operators.login)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(OperatorRow, String, String)> {
    Ok((
        OperatorRow {
            login: r.get(0)?,
            role: Role::Registrar,
            password_hash: r.get(2)?,
            status: OperatorStatus::Active,
            failed_attempts: r.get(4)?,
            lockouts: r.get(5)?,
            locked_until: r.get(6)?,
            must_change_password: r.get(7)?,
            created_at: r.get(8)?,
            finger_required: r.get(9)?,
            fingers: r.get(10)?,
        },
        r.get(1)?,
        r.get(3)?,
    ))
}

fn finish((mut row, role, status): (OperatorRow, String, String)) -> Result<OperatorRow> {
    row.role = role.parse().map_err(Error::Corrupt)?;
    row.status = OperatorStatus::parse(&status)?;
    Ok(row)
}

impl Db<'_> {
    /// Adds an account; `false` if the login is taken.
    pub fn insert_operator(
        &self,
        login: &str,
        role: Role,
        password_hash: &str,
        created_at: &str,
        created_by: Option<&str>,
    ) -> Result<bool> {
        let n = self.0.execute(
            "INSERT OR IGNORE INTO operators (login, role, password_hash, status, created_at, created_by)
             VALUES (?1, ?2, ?3, 'active', ?4, ?5)",
            params![login, role.name(), password_hash, created_at, created_by],
        )?;
        Ok(n == 1)
    }

    /// One account by login.
    pub fn operator(&self, login: &str) -> Result<Option<OperatorRow>> {
        self.0
            .query_row(
                &format!("SELECT {COLUMNS} FROM operators WHERE login = ?1"),
                [login],
                from_row,
            )
            .optional()?
            .map(finish)
            .transpose()
    }

    /// Every account, by login.
    pub fn operators(&self) -> Result<Vec<OperatorRow>> {
        let mut stmt = self
            .0
            .prepare(&format!("SELECT {COLUMNS} FROM operators ORDER BY login"))?;
        let rows = stmt
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish).collect()
    }

    /// Records the outcome of a login attempt.
    pub fn set_operator_attempts(
        &self,
        login: &str,
        failed_attempts: u32,
        lockouts: u32,
        locked_until: Option<i64>,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE operators SET failed_attempts = ?2, lockouts = ?3, locked_until = ?4 WHERE login = ?1",
            params![login, failed_attempts, lockouts, locked_until],
        )?;
        Ok(())
    }

    /// Sets the account status.
    pub fn set_operator_status(&self, login: &str, status: OperatorStatus) -> Result<()> {
        self.0.execute(
            "UPDATE operators SET status = ?2 WHERE login = ?1",
            params![login, status.name()],
        )?;
        Ok(())
    }

    /// Replaces the password hash.
    pub fn set_operator_password(
        &self,
        login: &str,
        password_hash: &str,
        must_change: bool,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE operators SET password_hash = ?2, must_change_password = ?3 WHERE login = ?1",
            params![login, password_hash, must_change],
        )?;
        Ok(())
    }

    /// Replaces an operator's enrolled finger templates (position code, ISO/IEC 19794-2 record).
    pub fn set_operator_fingers(
        &self,
        login: &str,
        templates: &[(u8, Vec<u8>)],
        enrolled_at: &str,
    ) -> Result<()> {
        self.0
            .execute("DELETE FROM operator_fingers WHERE login = ?1", [login])?;
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO operator_fingers (login, position, template, enrolled_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (position, iso) in templates {
            stmt.execute(params![login, position, iso, enrolled_at])?;
        }
        if templates.is_empty() {
            self.set_finger_required(login, false)?;
        }
        Ok(())
    }

    /// An operator's enrolled finger templates: (position code, ISO/IEC 19794-2 record).
    pub fn operator_fingers(&self, login: &str) -> Result<Vec<(u8, Vec<u8>)>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT position, template FROM operator_fingers WHERE login = ?1 ORDER BY position",
        )?;
        let rows = stmt
            .query_map([login], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Whether the operator must give a fingerprint as well as the password.
    pub fn set_finger_required(&self, login: &str, on: bool) -> Result<()> {
        self.0.execute(
            "UPDATE operators SET finger_required = ?2 WHERE login = ?1",
            params![login, on],
        )?;
        Ok(())
    }
}
