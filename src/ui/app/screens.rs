//! Drawing the screen shown and applying what it asked for: setup, unlock, login, home, find by
//! fingerprint, the wizard and the supervisor's screen.

use super::*;
use crate::ui::screens::identify::IdentifyIntent;

impl App {
    pub(super) fn screen_ui(&mut self, ui: &mut Ui, now: Timestamp) {
        let busy = self.busy();
        let ctx = ui.ctx().clone();
        match &mut self.screen {
            Screen::Setup(screen) => match screen.show(ui, &self.i18n, busy, now) {
                SetupIntent::None => {}
                SetupIntent::Create { setup, passphrase } => {
                    let (dir, config) = (self.data_dir.clone(), self.config.clone());
                    self.job = Some(Job::spawn(&ctx, move || -> Then {
                        let result = Station::init(&dir, &passphrase, &setup, config, now);
                        let created = result.as_ref().ok().map(|s| {
                            let info = s.info();
                            (info.station_id.to_string(), info.public_key.fingerprint())
                        });
                        Box::new(move |app: &mut App| {
                            app.opened(result);
                            if let Screen::Login(login) = &mut app.screen {
                                login.created = created;
                            }
                        })
                    }));
                }
            },
            Screen::Unlock(screen) => match screen.show(ui, &self.i18n, busy, now) {
                UnlockIntent::None => {}
                UnlockIntent::Unlock(passphrase) => {
                    let (dir, config) = (self.data_dir.clone(), self.config.clone());
                    self.job = Some(Job::spawn(&ctx, move || -> Then {
                        let result = Station::open(&dir, &passphrase, config);
                        Box::new(move |app: &mut App| app.opened(result))
                    }));
                }
            },
            Screen::Login(screen) => {
                let devices = match &self.devices {
                    Devices::Up(m) => Some(m),
                    _ => None,
                };
                match screen.show(ui, &self.i18n, devices, busy, now) {
                    LoginIntent::None => {}
                    LoginIntent::Login { login, password } => self.run(
                        &ctx,
                        move |station| {
                            let session = station.login(&login, &password, now);
                            logged_in(station, session, now)
                        },
                        App::logged_in,
                    ),
                    LoginIntent::Finger {
                        login,
                        mut finger,
                        password,
                    } => self.run(
                        &ctx,
                        move |station| {
                            let session = station.login_with_finger(
                                &login,
                                &finger,
                                password.as_deref().map(|p| p.as_str()),
                                now,
                            );
                            zeroize::Zeroize::zeroize(&mut finger.data);
                            logged_in(station, session, now)
                        },
                        App::logged_in,
                    ),
                }
            }
            Screen::NewPassword(screen) => {
                let Some((session, _)) = &self.session else {
                    self.screen = Screen::Login(LoginScreen::default());
                    return;
                };
                match screen.show(ui, &self.i18n, session.login(), busy, now) {
                    NewPasswordIntent::None => {}
                    NewPasswordIntent::Set(password) => {
                        let session = session.clone();
                        self.run(
                            &ctx,
                            move |station| {
                                let own = session.login().to_owned();
                                station.reset_password(&session, &own, &password, now)?;
                                // The session as it stands now: no change demanded any more.
                                let session = station.session_again(&session)?;
                                logged_in(station, Ok(session), now)
                            },
                            App::password_changed,
                        );
                    }
                }
            }
            Screen::Home => {
                let Some((session, today)) = &self.session else {
                    self.screen = Screen::Login(LoginScreen::default());
                    return;
                };
                match home::show(ui, &self.i18n, session, today, &mut self.home, busy) {
                    HomeIntent::None => {}
                    HomeIntent::Find(query) => {
                        let session = session.clone();
                        self.run(
                            &ctx,
                            move |station| station.find(&session, &query, now),
                            |app, result| match result {
                                Ok(found) => app.home.results = Some(found),
                                Err(e) => {
                                    tracing::warn!("search failed: {e}");
                                    app.home.results = Some(Vec::new());
                                }
                            },
                        );
                    }
                    HomeIntent::StartEnrollment => {
                        let precincts = self
                            .station
                            .as_ref()
                            .map(|s| s.info().precincts.clone())
                            .unwrap_or_default();
                        let config = self.station.as_ref().map_or(&self.config, |s| s.config());
                        let mut wizard =
                            Wizard::new(precincts, config.capture, config.station.admission());
                        if let Some(station) = &self.station {
                            wizard.form.preset_region(&station.info().region);
                        }
                        self.screen = Screen::Enroll(Box::new(wizard));
                    }
                    intent @ (HomeIntent::Review | HomeIntent::Admin) => {
                        let admin = intent == HomeIntent::Admin;
                        let mut screen = Box::<SupervisorScreen>::default();
                        screen.set_mount_table(self.mount_table.clone());
                        if admin {
                            screen.open(crate::ui::supervisor::Tab::Operators);
                        }
                        self.screen = Screen::Supervisor(screen);
                    }
                    HomeIntent::Correct(id) => {
                        let session = session.clone();
                        self.run(
                            &ctx,
                            move |station| {
                                let (_, record) = station.record(&session, &id, now)?;
                                let old = Station::parse_id(&id)?;
                                Ok((old, record.citizen))
                            },
                            |app, found: station::Result<_>| match found {
                                Ok((old, citizen)) => app.correct(old, &citizen),
                                Err(e) => {
                                    tracing::warn!(error = %e, "record to correct not loaded")
                                }
                            },
                        );
                    }
                    HomeIntent::FindByFinger => {
                        let config = self.station.as_ref().map_or(&self.config, |s| s.config());
                        let positions = config.matching.duplicate_positions();
                        self.screen = Screen::Identify(Box::new(IdentifyScreen::new(&positions)));
                    }
                }
            }
            Screen::Identify(screen) => {
                let devices = match &self.devices {
                    Devices::Up(m) => Some(m),
                    _ => None,
                };
                match screen.show(ui, &self.i18n, devices, busy, now) {
                    IdentifyIntent::None => {}
                    IdentifyIntent::Home => self.screen = Screen::Home,
                    IdentifyIntent::Search(fingers) => self.identify(&ctx, fingers, now),
                }
            }
            Screen::Enroll(wizard) => {
                let devices = match &self.devices {
                    Devices::Up(m) => Some(m),
                    _ => None,
                };
                let intent = wizard.show(ui, &self.i18n, devices, busy, now);
                self.apply_wizard(&ctx, intent, now);
            }
            Screen::Supervisor(screen) => {
                let Some((session, _)) = &self.session else {
                    return;
                };
                let devices = match &self.devices {
                    Devices::Up(m) => Some(m),
                    _ => None,
                };
                match screen.show(ui, &self.i18n, session, devices, busy, now) {
                    SupervisorIntent::None => {}
                    SupervisorIntent::Home => self.screen = Screen::Home,
                    SupervisorIntent::Run(task) => {
                        let session = session.clone();
                        self.run(
                            &ctx,
                            move |station| task(station, &session, now),
                            |app, apply| {
                                if let Screen::Supervisor(screen) = &mut app.screen {
                                    apply(screen);
                                }
                            },
                        );
                    }
                }
            }
        }
    }

    /// A login succeeded (home, or first a new password when a supervisor reset it) or not
    /// (the reason on the login screen).
    fn logged_in(&mut self, result: station::Result<(Session, TodayCounts)>) {
        match result {
            Ok((session, today)) => {
                let must_change = session.must_change_password();
                self.session = Some((session, today));
                self.home = HomeState::default();
                self.screen = if must_change {
                    Screen::NewPassword(NewPasswordScreen::default())
                } else {
                    Screen::Home
                };
            }
            Err(e) => {
                if let Screen::Login(s) = &mut self.screen {
                    s.notice = Some(notice_for(&e));
                }
            }
        }
    }

    /// The new password was taken (home) or refused (the reason on the same screen).
    fn password_changed(&mut self, result: station::Result<(Session, TodayCounts)>) {
        match result {
            Ok(session) => {
                self.session = Some(session);
                self.screen = Screen::Home;
            }
            Err(e) => {
                if let Screen::NewPassword(s) = &mut self.screen {
                    s.notice = Some(match &e {
                        station::Error::Password(crate::crypto::PasswordError::TooShort) => {
                            Notice::Message("setup-error-password-short")
                        }
                        other => notice_for(other),
                    });
                }
            }
        }
    }

    /// A station was created or unlocked (or not).
    fn opened(&mut self, result: station::Result<Station>) {
        match result {
            Ok(station) => {
                // Backends chosen on the supervisor's devices screen live in the station: start
                // the devices again if they differ from the file's.
                if station.config().devices != self.config.devices {
                    self.config.devices = station.config().devices.clone();
                    if !matches!(self.devices, Devices::Off) {
                        self.devices = Devices::Pending;
                    }
                }
                self.station = Some(station);
                self.screen = Screen::Login(LoginScreen::default());
            }
            Err(e) => {
                let notice = notice_for(&e);
                match &mut self.screen {
                    Screen::Setup(s) => s.notice = Some(notice),
                    Screen::Unlock(s) => s.notice = Some(notice),
                    _ => {}
                }
            }
        }
    }
}

/// The operator's day counted once a login succeeded (on the worker).
fn logged_in(
    station: &mut Station,
    session: station::Result<Session>,
    now: Timestamp,
) -> station::Result<(Session, TodayCounts)> {
    let session = session?;
    // Nothing may be counted before a reset password is changed; the counts come after it.
    let today = if session.must_change_password() {
        TodayCounts::default()
    } else {
        today_counts(station, &session, now)?
    };
    Ok((session, today))
}
