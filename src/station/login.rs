//! Logging in: by password, by fingerprint, or by both when a supervisor requires it.
//!
//! An operator may enrol two fingers ([`Station::enroll_operator_fingers`]); only their
//! templates are kept, never the images. They can then log in with a finger instead of the
//! password, and a supervisor can require the finger *and* the password for an account
//! ([`Station::set_finger_required`]). Every way in shares the same account checks (disabled,
//! locked, locked out) and the same count of failures towards a lockout; success, failure and
//! lockout are audited, without the password or the print.

use super::access::locked_out;
use super::dedup::iso_templates;
use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::crypto::{hash_password, verify_password};
use crate::domain::{Admission, BiometricKind, Capture, FingerPosition, Role, Timestamp};
use crate::matching::compare::{self, Prepared};
use crate::matching::iso19794_2;
use crate::store::{OperatorRow, OperatorStatus};

/// How many fingers an operator enrols.
pub const OPERATOR_FINGERS: usize = 2;

/// What an operator offers at login.
pub enum Credentials<'a> {
    Password(&'a str),
    /// A finger from the scanner, and the password too when the account requires both.
    Finger {
        finger: &'a Capture,
        password: Option<&'a str>,
    },
}

impl Station {
    /// Checks a password. Five failures in a row (configurable) lock the account for a period that
    /// doubles with each lockout. Success, failure and lockout are audited. An account whose
    /// supervisor requires a fingerprint is refused here: it logs in with
    /// [`Station::login_with_finger`].
    pub fn login(&mut self, login: &str, password: &str, now: Timestamp) -> Result<Session> {
        self.log_in(login, Credentials::Password(password), now)
    }

    /// Logs in with a finger from the scanner (and the password, which an account that requires
    /// both must give). The finger is compared 1:1 with the operator's two enrolled fingers at
    /// the one-finger identification threshold of `[matching]`.
    pub fn login_with_finger(
        &mut self,
        login: &str,
        finger: &Capture,
        password: Option<&str>,
        now: Timestamp,
    ) -> Result<Session> {
        self.log_in(login, Credentials::Finger { finger, password }, now)
    }

    fn log_in(&mut self, login: &str, credentials: Credentials, now: Timestamp) -> Result<Session> {
        let row = self.account(login, now)?;
        let refuse = |station: &mut Station, why: &str, error: Error| -> Result<Session> {
            station
                .audit(Event::new(Action::LoginFailed, now, None, Some(login)).with("why", why))?;
            Err(error)
        };
        let (password, finger) = match credentials {
            Credentials::Password(password) => (Some(password), None),
            Credentials::Finger { finger, password } => (password, Some(finger)),
        };
        if row.finger_required && finger.is_none() {
            return refuse(
                self,
                "finger-required",
                Error::FingerRequired(login.to_owned()),
            );
        }
        if row.finger_required && password.is_none_or(str::is_empty) {
            return refuse(
                self,
                "password-required",
                Error::PasswordRequired(login.to_owned()),
            );
        }
        if let Some(password) = password
            && !verify_password(password, &row.password_hash)?
        {
            return self.failed_login(&row, "password", now);
        }
        if let Some(finger) = finger {
            let admission = Admission {
                training: self.config.station.training,
                back_fill: false,
            };
            if let Err(untrusted) = admission.admit(&finger.source) {
                return refuse(self, "untrusted-capture", untrusted.into());
            }
            let enrolled = self.store.db().operator_fingers(login)?;
            if enrolled.is_empty() {
                return refuse(
                    self,
                    "no-fingers",
                    Error::NoOperatorFingers(login.to_owned()),
                );
            }
            let Some((_, probe)) = self.templates_of(std::slice::from_ref(finger)).pop() else {
                return refuse(self, "unreadable-finger", Error::NoFingerTemplate);
            };
            let probe = Prepared::new(&probe);
            let best = enrolled
                .iter()
                .filter_map(|(_, iso)| iso19794_2::read(iso).ok())
                .map(|record| compare::score(&probe, &Prepared::new(&record.into_template())))
                .fold(0.0f32, f32::max);
            if best < self.config.matching.identify_threshold_one_finger {
                return self.failed_login(&row, "finger", now);
            }
        }
        let by = match (password.is_some(), finger.is_some()) {
            (true, true) => "finger-and-password",
            (false, true) => "finger",
            _ => "password",
        };
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_attempts(login, 0, 0, None)?;
            db.append_audit(
                &Event::new(Action::Login, now, Some(login), None)
                    .with("role", row.role.name())
                    .with("by", by),
            )?;
            Ok(())
        })?;
        tracing::info!(operator = login, role = %row.role, by, "login");
        Ok(Session {
            login: row.login,
            role: row.role,
            started: now,
            must_change_password: row.must_change_password,
        })
    }

    /// `session` as its operator's account stands now (after they changed their own reset
    /// password, no change is demanded any more).
    pub fn session_again(&mut self, session: &Session) -> Result<Session> {
        let row = self
            .store
            .db()
            .operator(session.login())?
            .ok_or_else(|| Error::UnknownOperator(session.login().to_owned()))?;
        Ok(Session {
            must_change_password: row.must_change_password,
            ..session.clone()
        })
    }

    /// The account behind `login` if it may try to log in now; every refusal is audited.
    fn account(&mut self, login: &str, now: Timestamp) -> Result<OperatorRow> {
        // People type passwords into login boxes: what was typed is written to the audit chain
        // only when it is a login that exists.
        if crate::domain::operator::validate_login(login).is_err() {
            let _ = hash_password("kattoo-unknown-login");
            self.audit(
                Event::new(Action::LoginFailed, now, None, None).with("why", "malformed-login"),
            )?;
            return Err(Error::MalformedLogin);
        }
        let Some(row) = self.store.db().operator(login)? else {
            // Spend the same time as a real check, so timing does not reveal which logins exist.
            let _ = hash_password("kattoo-unknown-login");
            self.audit(
                Event::new(Action::LoginFailed, now, None, None).with("why", "unknown-login"),
            )?;
            return Err(Error::BadCredentials);
        };
        let refusal = match row.status {
            OperatorStatus::Disabled => {
                Some(("disabled", Error::AccountDisabled(login.to_owned())))
            }
            OperatorStatus::Locked => Some(("locked", Error::AccountLocked(login.to_owned()))),
            OperatorStatus::Active => row
                .locked_until
                .filter(|u| *u > now.unix())
                .map(|until| ("locked-out", locked_out(login, until, now))),
        };
        if let Some((why, error)) = refusal {
            self.audit(Event::new(Action::LoginFailed, now, None, Some(login)).with("why", why))?;
            return Err(error);
        }
        Ok(row)
    }

    /// Counts a wrong password or finger towards a lockout, and refuses.
    fn failed_login(&mut self, row: &OperatorRow, why: &str, now: Timestamp) -> Result<Session> {
        let security = self.config.security.clone();
        let login = row.login.as_str();
        let failed = row.failed_attempts + 1;
        let lock = failed >= security.lockout_threshold;
        let (lockouts, until) = if lock {
            let n = row.lockouts + 1;
            let seconds = super::access::lockout_seconds(
                n,
                security.lockout_base_minutes,
                security.lockout_max_minutes,
            );
            (n, Some(now.unix() + seconds))
        } else {
            (row.lockouts, None)
        };
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_attempts(login, if lock { 0 } else { failed }, lockouts, until)?;
            db.append_audit(
                &Event::new(Action::LoginFailed, now, None, Some(login))
                    .with("why", why)
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
            why,
            "failed login"
        );
        match until {
            Some(until) => Err(locked_out(login, until, now)),
            None => Err(Error::BadCredentials),
        }
    }

    /// Enrols an operator's two fingers for login (replacing earlier ones): the operator
    /// themself, or whoever manages the account. Only templates are kept. Audited with the
    /// finger positions.
    pub fn enroll_operator_fingers(
        &mut self,
        session: &Session,
        login: &str,
        fingers: &[Capture],
        now: Timestamp,
    ) -> Result<Vec<FingerPosition>> {
        let target = self.target(login)?;
        if session.login() != login {
            let needed = Self::manager_of(target.role);
            self.require(
                session,
                needed,
                "enrol an operator's fingers",
                Some(login),
                now,
            )?;
        } else {
            self.require(
                session,
                Role::Registrar,
                "enrol one's own fingers",
                Some(login),
                now,
            )?;
        }
        let admission = Admission {
            training: self.config.station.training,
            back_fill: false,
        };
        for finger in fingers {
            admission.admit(&finger.source)?;
        }
        let mut positions: Vec<FingerPosition> = fingers
            .iter()
            .filter(|c| c.kind == BiometricKind::Finger)
            .filter_map(|c| c.position)
            .collect();
        positions.sort_by_key(|p| p.code());
        positions.dedup();
        if positions.len() != OPERATOR_FINGERS || fingers.len() != OPERATOR_FINGERS {
            return Err(Error::OperatorFingers(login.to_owned()));
        }
        let templates = self.templates_of(fingers);
        if templates.len() != OPERATOR_FINGERS {
            return Err(Error::NoFingerTemplate);
        }
        let iso = iso_templates(&templates)?;
        let names: Vec<String> = positions.iter().map(ToString::to_string).collect();
        let names = names.join(",");
        self.store.transaction(|db| -> Result<()> {
            db.set_operator_fingers(login, &iso, &now.to_string())?;
            db.append_audit(
                &Event::new(
                    Action::OperatorFingers,
                    now,
                    Some(session.login()),
                    Some(login),
                )
                .with("positions", names.as_str()),
            )?;
            Ok(())
        })?;
        Ok(positions)
    }

    /// Requires (or no longer requires) a finger and the password at this operator's login.
    /// Only for an account with enrolled fingers, by whoever manages it. Audited.
    pub fn set_finger_required(
        &mut self,
        session: &Session,
        login: &str,
        on: bool,
        now: Timestamp,
    ) -> Result<()> {
        let target = self.target(login)?;
        let needed = Self::manager_of(target.role).max(Role::Supervisor);
        self.require(
            session,
            needed,
            "require an operator's finger",
            Some(login),
            now,
        )?;
        if on && self.store.db().operator_fingers(login)?.is_empty() {
            return Err(Error::NoOperatorFingers(login.to_owned()));
        }
        self.store.transaction(|db| -> Result<()> {
            db.set_finger_required(login, on)?;
            db.append_audit(
                &Event::new(
                    Action::FingerRequired,
                    now,
                    Some(session.login()),
                    Some(login),
                )
                .with("on", on),
            )?;
            Ok(())
        })
    }
}
