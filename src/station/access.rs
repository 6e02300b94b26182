//! Operator sessions, lockout, role checks and account management.

use super::{Error, Result, Station};
use crate::audit::{Action, Event};
use crate::crypto::hash_password;
use crate::domain::{Role, Timestamp};
use crate::store::{OperatorRow, OperatorStatus};

/// An authenticated operator. Only [`Station::login`] and [`Station::login_with_finger`] make
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub(super) login: String,
    pub(super) role: Role,
    pub(super) started: Timestamp,
    pub(super) must_change_password: bool,
}

impl Session {
    /// The operator's login.
    pub fn login(&self) -> &str {
        &self.login
    }

    /// The operator's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// When the session began.
    pub fn started(&self) -> Timestamp {
        self.started
    }

    /// A supervisor reset the password; the operator should set a new one now.
    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }
}

/// Length of the `n`-th lockout (n from 1): base, doubling, capped.
pub fn lockout_seconds(n: u32, base_minutes: u32, max_minutes: u32) -> i64 {
    let minutes = (base_minutes as u64).saturating_mul(1u64 << (n.saturating_sub(1)).min(20));
    minutes.min(max_minutes as u64) as i64 * 60
}

impl Station {
    /// Ends a session (audited).
    pub fn logout(&mut self, session: Session, now: Timestamp) -> Result<()> {
        self.audit(Event::new(Action::Logout, now, Some(session.login()), None))
    }

    /// Appends one audit event in its own transaction.
    pub(super) fn audit(&mut self, event: Event) -> Result<()> {
        self.store
            .transaction(|db| db.append_audit(&event).map(|_| ()))?;
        Ok(())
    }

    /// Refuses (and audits the refusal) unless the session's operator is still active, has no
    /// reset password to change, and has at least role `needed`.
    pub(super) fn require(
        &mut self,
        session: &Session,
        needed: Role,
        action: &'static str,
        subject: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let current = self.store.db().operator(session.login())?;
        let denial = match &current {
            None => Some(Error::UnknownOperator(session.login().to_owned())),
            Some(op) if op.status == OperatorStatus::Disabled => {
                Some(Error::AccountDisabled(op.login.clone()))
            }
            Some(op) if op.status == OperatorStatus::Locked => {
                Some(Error::AccountLocked(op.login.clone()))
            }
            // A password a supervisor reset must be changed before anything else.
            Some(op) if op.must_change_password => {
                Some(Error::PasswordChangeRequired(op.login.clone()))
            }
            Some(op) if op.role < needed => Some(Error::PermissionDenied {
                login: op.login.clone(),
                role: op.role,
                action,
                needed,
            }),
            Some(_) => None,
        };
        match denial {
            None => Ok(()),
            Some(err) => {
                self.audit(
                    Event::new(Action::Refusal, now, Some(session.login()), subject)
                        .with("action", action)
                        .with("needed", needed.name()),
                )?;
                tracing::warn!(operator = session.login(), action, "refused");
                Err(err)
            }
        }
    }

    /// The role needed to manage an account of role `target`: supervisors manage registrars,
    /// admins manage everyone.
    pub(super) fn manager_of(target: Role) -> Role {
        if target == Role::Registrar {
            Role::Supervisor
        } else {
            Role::Admin
        }
    }

    pub(super) fn target(&self, login: &str) -> Result<OperatorRow> {
        self.store
            .db()
            .operator(login)?
            .ok_or_else(|| Error::UnknownOperator(login.to_owned()))
    }

    /// Adds an operator account.
    pub fn add_operator(
        &mut self,
        session: &Session,
        login: &str,
        role: Role,
        password: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.require(
            session,
            Self::manager_of(role),
            "add an operator",
            Some(login),
            now,
        )?;
        crate::domain::operator::validate_login(login)
            .map_err(|why| Error::BadLogin(login.to_owned(), why))?;
        let hash = hash_password(password)?;
        self.store.transaction(|db| -> Result<()> {
            if !db.insert_operator(login, role, &hash, &now.to_string(), Some(session.login()))? {
                return Err(Error::OperatorExists(login.to_owned()));
            }
            db.append_audit(
                &Event::new(Action::OperatorAdd, now, Some(session.login()), Some(login))
                    .with("role", role.name()),
            )?;
            Ok(())
        })
    }

    /// Every account (supervisors and admins only).
    pub fn operators(&mut self, session: &Session, now: Timestamp) -> Result<Vec<OperatorRow>> {
        self.require(session, Role::Supervisor, "list operators", None, now)?;
        Ok(self.store.db().operators()?)
    }

    /// Locks an account until a supervisor unlocks it.
    pub fn lock_operator(&mut self, session: &Session, login: &str, now: Timestamp) -> Result<()> {
        self.change_status(
            session,
            login,
            OperatorStatus::Locked,
            Action::OperatorLock,
            "lock an operator",
            now,
        )
    }

    /// Disables an account for good; it stays in the audit trail.
    pub fn disable_operator(
        &mut self,
        session: &Session,
        login: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.change_status(
            session,
            login,
            OperatorStatus::Disabled,
            Action::OperatorDisable,
            "disable an operator",
            now,
        )
    }

    /// Clears a manual lock or an automatic lockout and the failure count.
    pub fn unlock_operator(
        &mut self,
        session: &Session,
        login: &str,
        now: Timestamp,
    ) -> Result<()> {
        let target = self.target(login)?;
        self.require(
            session,
            Self::manager_of(target.role),
            "unlock an operator",
            Some(login),
            now,
        )?;
        if target.status == OperatorStatus::Disabled {
            return Err(Error::AccountDisabled(login.to_owned()));
        }
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_status(login, OperatorStatus::Active)?;
            db.set_operator_attempts(login, 0, 0, None)?;
            db.append_audit(&Event::new(
                Action::OperatorUnlock,
                now,
                Some(session.login()),
                Some(login),
            ))?;
            Ok(())
        })
    }

    /// Sets a new password chosen by a supervisor; the operator must change it at the next login.
    /// An operator may also change their own password (then no change is demanded).
    pub fn reset_password(
        &mut self,
        session: &Session,
        login: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<()> {
        let target = self.target(login)?;
        let own = session.login() == login;
        // A reset password is changed for one only the operator knows, not set again.
        if own
            && target.must_change_password
            && crate::crypto::verify_password(password, &target.password_hash)?
        {
            return Err(Error::PasswordUnchanged);
        }
        if !own {
            self.require(
                session,
                Self::manager_of(target.role),
                "reset a password",
                Some(login),
                now,
            )?;
        }
        let hash = hash_password(password)?;
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_password(login, &hash, !own)?;
            db.append_audit(
                &Event::new(
                    Action::OperatorPasswordReset,
                    now,
                    Some(session.login()),
                    Some(login),
                )
                .with("own", own),
            )?;
            Ok(())
        })
    }

    fn change_status(
        &mut self,
        session: &Session,
        login: &str,
        status: OperatorStatus,
        action: Action,
        what: &'static str,
        now: Timestamp,
    ) -> Result<()> {
        let target = self.target(login)?;
        self.require(
            session,
            Self::manager_of(target.role),
            what,
            Some(login),
            now,
        )?;
        if session.login() == login {
            return Err(Error::OwnAccount(what));
        }
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_status(login, status)?;
            db.append_audit(&Event::new(action, now, Some(session.login()), Some(login)))?;
            Ok(())
        })
    }
}

pub(super) fn locked_out(login: &str, until: i64, now: Timestamp) -> Error {
    Error::LockedOut {
        login: login.to_owned(),
        until: Timestamp::from_unix(until).unwrap_or(now),
        remaining_secs: until - now.unix(),
    }
}

#[cfg(test)]
mod tests {
    use super::lockout_seconds;

    #[test]
    fn lockouts_grow_and_are_capped() {
        assert_eq!(lockout_seconds(1, 5, 1440), 300);
        assert_eq!(lockout_seconds(2, 5, 1440), 600);
        assert_eq!(lockout_seconds(3, 5, 1440), 1200);
        assert_eq!(lockout_seconds(30, 5, 1440), 1440 * 60);
    }
}
