//! Operator sessions, lockout, role checks and account management.

use super::{Error, Result, Station};
use crate::audit::{Action, Event};
use crate::crypto::{hash_password, verify_password};
use crate::domain::{Role, Timestamp};
use crate::store::{OperatorRow, OperatorStatus};

/// An authenticated operator. Only [`Station::login`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    login: String,
    role: Role,
    started: Timestamp,
    must_change_password: bool,
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
    /// Checks a password. Five failures in a row (configurable) lock the account for a period that
    /// doubles with each lockout. Success, failure and lockout are audited.
    pub fn login(&mut self, login: &str, password: &str, now: Timestamp) -> Result<Session> {
        let security = self.config.security.clone();
        // People type passwords into login boxes: what was typed is written to the audit chain
        // only when it is a login that exists.
        if crate::domain::operator::validate_login(login).is_err() {
            let _ = hash_password("kattoo-unknown-login");
            self.audit(
                Event::new(Action::LoginFailed, now, None, None).with("why", "malformed-login"),
            )?;
            return Err(Error::MalformedLogin);
        }
        let row = self.store.db().operator(login)?;
        let Some(row) = row else {
            // Spend the same time as a real check, so timing does not reveal which logins exist.
            let _ = hash_password("kattoo-unknown-login");
            self.audit(
                Event::new(Action::LoginFailed, now, None, None).with("why", "unknown-login"),
            )?;
            return Err(Error::BadCredentials);
        };
        match row.status {
            OperatorStatus::Disabled => {
                self.audit(
                    Event::new(Action::LoginFailed, now, None, Some(login)).with("why", "disabled"),
                )?;
                return Err(Error::AccountDisabled(login.to_owned()));
            }
            OperatorStatus::Locked => {
                self.audit(
                    Event::new(Action::LoginFailed, now, None, Some(login)).with("why", "locked"),
                )?;
                return Err(Error::AccountLocked(login.to_owned()));
            }
            OperatorStatus::Active => {}
        }
        if let Some(until) = row.locked_until.filter(|u| *u > now.unix()) {
            self.audit(
                Event::new(Action::LoginFailed, now, None, Some(login)).with("why", "locked-out"),
            )?;
            return Err(locked_out(login, until, now));
        }
        if verify_password(password, &row.password_hash)? {
            self.store.transaction(|db| -> Result<()> {
                db.set_operator_attempts(login, 0, 0, None)?;
                db.append_audit(
                    &Event::new(Action::Login, now, Some(login), None)
                        .with("role", row.role.name()),
                )?;
                Ok(())
            })?;
            tracing::info!(operator = login, role = %row.role, "login");
            return Ok(Session {
                login: row.login,
                role: row.role,
                started: now,
                must_change_password: row.must_change_password,
            });
        }
        let failed = row.failed_attempts + 1;
        let lock = failed >= security.lockout_threshold;
        let (lockouts, until) = if lock {
            let n = row.lockouts + 1;
            (
                n,
                Some(
                    now.unix()
                        + lockout_seconds(
                            n,
                            security.lockout_base_minutes,
                            security.lockout_max_minutes,
                        ),
                ),
            )
        } else {
            (row.lockouts, None)
        };
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_attempts(login, if lock { 0 } else { failed }, lockouts, until)?;
            db.append_audit(
                &Event::new(Action::LoginFailed, now, None, Some(login))
                    .with("why", "password")
                    .with("attempt", failed),
            )?;
            if let Some(until) = until {
                db.append_audit(
                    &Event::new(Action::Lockout, now, None, Some(login))
                        .with("lockout", lockouts)
                        .with("seconds", until - now.unix()),
                )?;
            }
            Ok(())
        })?;
        tracing::warn!(
            operator = login,
            attempt = failed,
            locked = lock,
            "failed login"
        );
        match until {
            Some(until) => Err(locked_out(login, until, now)),
            None => Err(Error::BadCredentials),
        }
    }

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
    fn manager_of(target: Role) -> Role {
        if target == Role::Registrar {
            Role::Supervisor
        } else {
            Role::Admin
        }
    }

    fn target(&self, login: &str) -> Result<OperatorRow> {
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

fn locked_out(login: &str, until: i64, now: Timestamp) -> Error {
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
