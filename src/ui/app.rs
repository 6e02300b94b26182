//! The app: which screen is up, the unlocked station, the operator's session, and the one slow
//! call in flight. Screens return intents; [`App::apply_*`] turn them into station calls.

use super::Clock;
use super::i18n::{I18n, Language};
use super::screens::home::{self, HomeIntent, TodayCounts};
use super::screens::login::{LoginIntent, LoginScreen};
use super::screens::setup::{SetupIntent, SetupScreen};
use super::screens::unlock::{UnlockIntent, UnlockScreen};
use super::screens::{Notice, TOUCH_HEIGHT};
use super::worker::Job;
use crate::config::Config;
use crate::domain::Timestamp;
use crate::station::{self, Session, Station};
use crate::store::RecordFilter;
use egui::{Button, Color32, RichText, Ui, Vec2};
use std::path::PathBuf;

/// The screen shown.
pub enum Screen {
    /// First run: no station in the data directory.
    Setup(SetupScreen),
    /// A station exists and is locked.
    Unlock(UnlockScreen),
    /// The station is unlocked; nobody is logged in.
    Login(LoginScreen),
    /// An operator is logged in.
    Home,
}

/// Which screen is up, without its state (for tests and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    Setup,
    Unlock,
    Login,
    Home,
}

/// What a worker hands back. The station travels to the worker and back, so only one call runs
/// at a time and the UI thread never waits on the database.
enum Done {
    Opened(station::Result<Station>),
    LoggedIn(Station, station::Result<(Session, TodayCounts)>),
    LoggedOut(Station),
}

/// The kiosk application.
pub struct App {
    i18n: I18n,
    data_dir: PathBuf,
    config: Config,
    clock: Clock,
    station: Option<Station>,
    session: Option<(Session, TodayCounts)>,
    screen: Screen,
    job: Option<Job<Done>>,
}

/// Intents of the bar at the top of every screen.
#[must_use]
enum BarIntent {
    None,
    Language(Language),
    Logout,
}

impl App {
    /// The app over `data_dir`: the setup wizard if no station is there yet, else the unlock screen.
    pub fn new(data_dir: PathBuf, config: Config, clock: Clock) -> App {
        let screen = if data_dir.join(station::DB_FILE).exists() {
            Screen::Unlock(UnlockScreen::default())
        } else {
            Screen::Setup(SetupScreen::default())
        };
        App {
            i18n: I18n::default(),
            data_dir,
            config,
            clock,
            station: None,
            session: None,
            screen,
            job: None,
        }
    }

    /// The screen shown.
    pub fn screen(&self) -> ScreenKind {
        match self.screen {
            Screen::Setup(_) => ScreenKind::Setup,
            Screen::Unlock(_) => ScreenKind::Unlock,
            Screen::Login(_) => ScreenKind::Login,
            Screen::Home => ScreenKind::Home,
        }
    }

    /// Whether a slow call is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The logged-in operator.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref().map(|(s, _)| s)
    }

    /// Switches the language (the bar at the top does this on a tap).
    pub fn set_language(&mut self, language: Language) {
        self.i18n.set_language(language);
    }

    /// The translations (language switch included).
    pub fn i18n(&self) -> &I18n {
        &self.i18n
    }

    /// Draws one frame into `ui` and applies what the screens asked for.
    pub fn show(&mut self, ui: &mut Ui) {
        self.poll();
        let now = (self.clock)();
        style(ui);
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            match self.top_bar(ui) {
                BarIntent::None => {}
                BarIntent::Language(language) => self.i18n.set_language(language),
                BarIntent::Logout => self.logout(ui.ctx()),
            }
            if self.config.station.training {
                training_banner(ui, &self.i18n);
            }
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.set_max_width(super::screens::COLUMN_WIDTH + 40.0);
                self.screen_ui(ui, now);
            });
        });
        if self.busy() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        } else if matches!(
            self.screen,
            Screen::Login(LoginScreen {
                notice: Some(Notice::LockedOut { .. }),
                ..
            })
        ) {
            // Count the lockout down.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
    }

    fn screen_ui(&mut self, ui: &mut Ui, now: Timestamp) {
        let busy = self.busy();
        let ctx = ui.ctx().clone();
        match &mut self.screen {
            Screen::Setup(screen) => match screen.show(ui, &self.i18n, busy, now) {
                SetupIntent::None => {}
                SetupIntent::Create { setup, passphrase } => {
                    let (dir, config) = (self.data_dir.clone(), self.config.clone());
                    self.job = Some(Job::spawn(&ctx, move || {
                        Done::Opened(Station::init(&dir, &passphrase, &setup, config, now))
                    }));
                }
            },
            Screen::Unlock(screen) => match screen.show(ui, &self.i18n, busy, now) {
                UnlockIntent::None => {}
                UnlockIntent::Unlock(passphrase) => {
                    let (dir, config) = (self.data_dir.clone(), self.config.clone());
                    self.job = Some(Job::spawn(&ctx, move || {
                        Done::Opened(Station::open(&dir, &passphrase, config))
                    }));
                }
            },
            Screen::Login(screen) => match screen.show(ui, &self.i18n, busy, now) {
                LoginIntent::None => {}
                LoginIntent::Login { login, password } => {
                    if let Some(mut station) = self.station.take() {
                        self.job = Some(Job::spawn(&ctx, move || {
                            let result =
                                station.login(&login, &password, now).and_then(|session| {
                                    let today = today_counts(&mut station, &session, now)?;
                                    Ok((session, today))
                                });
                            Done::LoggedIn(station, result)
                        }));
                    }
                }
            },
            Screen::Home => {
                let Some((session, today)) = &self.session else {
                    self.screen = Screen::Login(LoginScreen::default());
                    return;
                };
                match home::show(ui, &self.i18n, session, today) {
                    HomeIntent::None => {}
                    // Both buttons stay disabled until their screens exist (next slice).
                    HomeIntent::StartEnrollment | HomeIntent::Review => {}
                }
            }
        }
    }

    fn top_bar(&self, ui: &mut Ui) -> BarIntent {
        let mut intent = BarIntent::None;
        ui.horizontal(|ui| {
            ui.label(RichText::new(self.i18n.tr("app-title")).strong().size(22.0));
            if let Some(station) = &self.station {
                let info = station.info();
                ui.label(self.i18n.tr_args(
                    "common-station",
                    &[
                        ("id", info.station_id.as_str().into()),
                        ("name", info.name.as_str().into()),
                    ],
                ));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if self.session.is_some()
                    && ui
                        .add_enabled(
                            !self.busy(),
                            Button::new(RichText::new(self.i18n.tr("common-logout")).size(20.0))
                                .min_size(Vec2::new(140.0, TOUCH_HEIGHT)),
                        )
                        .clicked()
                {
                    intent = BarIntent::Logout;
                }
                for language in Language::ALL.iter().rev() {
                    let selected = self.i18n.language() == *language;
                    let id = format!("lang-{}", language.code());
                    let button =
                        Button::selectable(selected, RichText::new(self.i18n.tr(&id)).size(18.0))
                            .min_size(Vec2::new(110.0, TOUCH_HEIGHT));
                    if ui.add(button).clicked() {
                        intent = BarIntent::Language(*language);
                    }
                }
            });
        });
        ui.label(RichText::new(self.i18n.tr("home-devices")).weak());
        intent
    }

    fn logout(&mut self, ctx: &egui::Context) {
        let (Some((session, _)), Some(mut station)) = (self.session.take(), self.station.take())
        else {
            return;
        };
        let now = (self.clock)();
        self.job = Some(Job::spawn(ctx, move || {
            if let Err(e) = station.logout(session, now) {
                tracing::error!("logout could not be audited: {e}");
            }
            Done::LoggedOut(station)
        }));
    }

    /// Takes a finished worker's result.
    fn poll(&mut self) {
        let Some(result) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        let Ok(done) = result else {
            // The worker panicked and took the station with it: start over from the lock screen.
            tracing::error!("a station call panicked");
            self.station = None;
            self.session = None;
            let mut unlock = UnlockScreen::default();
            unlock.notice = Some(Notice::Generic("internal error".into()));
            self.screen = Screen::Unlock(unlock);
            return;
        };
        match done {
            Done::Opened(Ok(station)) => {
                self.station = Some(station);
                self.screen = Screen::Login(LoginScreen::default());
            }
            Done::Opened(Err(e)) => {
                let notice = notice_for(&e);
                match &mut self.screen {
                    Screen::Setup(s) => s.notice = Some(notice),
                    Screen::Unlock(s) => s.notice = Some(notice),
                    _ => {}
                }
            }
            Done::LoggedIn(station, result) => {
                self.station = Some(station);
                match result {
                    Ok(session) => {
                        self.session = Some(session);
                        self.screen = Screen::Home;
                    }
                    Err(e) => {
                        if let Screen::Login(s) = &mut self.screen {
                            s.notice = Some(notice_for(&e));
                        }
                    }
                }
            }
            Done::LoggedOut(station) => {
                self.station = Some(station);
                self.screen = Screen::Login(LoginScreen::default());
            }
        }
    }
}

/// The operator's records since midnight (UTC, as records are timestamped).
fn today_counts(
    station: &mut Station,
    session: &Session,
    now: Timestamp,
) -> station::Result<TodayCounts> {
    let filter = RecordFilter {
        operator: Some(session.login().to_owned()),
        since_date: Some(now.date().to_string()),
        ..RecordFilter::default()
    };
    let c = station.record_counts(session, &filter, now)?;
    Ok(TodayCounts {
        saved: c.total(),
        pending: c.pending,
        approved: c.approved + c.exported,
        rejected: c.rejected,
    })
}

/// What the operator is told about a station error.
fn notice_for(e: &station::Error) -> Notice {
    use crate::store::Error as StoreError;
    match e {
        station::Error::Store(StoreError::WrongPassphrase(_)) => {
            Notice::Message("unlock-error-wrong-passphrase")
        }
        station::Error::BadCredentials => Notice::Message("login-error-bad-credentials"),
        station::Error::LockedOut { until, .. } => Notice::LockedOut { until: *until },
        station::Error::AccountLocked(_) => Notice::Message("login-error-account-locked"),
        station::Error::AccountDisabled(_) => Notice::Message("login-error-account-disabled"),
        other => Notice::Generic(format!("{other:#}")),
    }
}

fn training_banner(ui: &mut Ui, i18n: &I18n) {
    egui::Frame::new()
        .fill(Color32::from_rgb(0xf0, 0xb0, 0x00))
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.label(
                RichText::new(i18n.tr("home-training-banner"))
                    .strong()
                    .size(20.0)
                    .color(Color32::BLACK),
            );
        });
}

/// Large text and touch-sized controls.
fn style(ui: &mut Ui) {
    let style = ui.style_mut();
    for (text_style, size) in [
        (egui::TextStyle::Heading, 32.0),
        (egui::TextStyle::Body, 20.0),
        (egui::TextStyle::Button, 20.0),
        (egui::TextStyle::Monospace, 18.0),
        (egui::TextStyle::Small, 16.0),
    ] {
        if let Some(font) = style.text_styles.get_mut(&text_style) {
            font.size = size;
        }
    }
    style.spacing.button_padding = Vec2::new(16.0, 10.0);
    style.spacing.item_spacing = Vec2::new(12.0, 8.0);
    style.spacing.interact_size.y = TOUCH_HEIGHT;
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
