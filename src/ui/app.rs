//! The app: which screen is up, the unlocked station, the operator's session, and the one slow
//! call in flight. Screens return intents; [`App::apply_*`] turn them into station calls.

use super::Clock;
use super::enroll::{Wizard, WizardIntent};
use super::i18n::{I18n, Language};
use super::screens::home::{self, HomeIntent, HomeState, TodayCounts};
use super::screens::login::{LoginIntent, LoginScreen};
use super::screens::setup::{SetupIntent, SetupScreen};
use super::screens::unlock::{UnlockIntent, UnlockScreen};
use super::screens::{Notice, TOUCH_HEIGHT};
use super::supervisor::{SupervisorIntent, SupervisorScreen};
use super::worker::Job;
use crate::config::Config;
use crate::domain::Timestamp;
use crate::hal::manager::{DeviceKind, DeviceManager, DeviceState};
use crate::station::{self, Session, Station};
use crate::store::RecordFilter;
use crate::workflow::perform::{self, SaveRequest};
use egui::{Button, Color32, RichText, Ui, Vec2};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

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
    /// The enrollment wizard.
    Enroll(Box<Wizard>),
    /// The supervisor's station.
    Supervisor(Box<SupervisorScreen>),
}

/// Which screen is up, without its state (for tests and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    Setup,
    Unlock,
    Login,
    Home,
    Enroll,
    Supervisor,
}

/// What a worker hands back: a change to apply to the app. The station travels to the worker
/// and back inside it, so only one call runs at a time and the UI thread never waits on the
/// database.
type Then = Box<dyn FnOnce(&mut App) + Send>;

/// How the devices come up: after the first frame, on a thread, so the window opens at once.
enum Devices {
    /// Not started (tests hand a manager in instead).
    Off,
    /// Start them on the next frame.
    Pending,
    Starting(Receiver<crate::hal::Result<DeviceManager>>),
    Up(DeviceManager),
    Failed(String),
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
    job: Option<Job<Then>>,
    devices: Devices,
    /// The last time anyone touched the screen or typed.
    last_activity: Timestamp,
    /// When the first frame was drawn (cold-start figure).
    first_frame_logged: bool,
    /// The on-screen keyboard, on touch-only stations.
    keyboard: Option<super::keyboard::OnScreenKeyboard>,
    /// The home screen's citizen search.
    home: HomeState,
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
            devices: Devices::Off,
            last_activity: Timestamp::from_unix(0).expect("the epoch"),
            first_frame_logged: false,
            keyboard: None,
            home: HomeState::default(),
        }
    }

    /// Shows the on-screen keyboard (touch-only stations, the kiosk session).
    pub fn with_keyboard(mut self, on: bool) -> Self {
        self.keyboard = on.then(super::keyboard::OnScreenKeyboard::default);
        self
    }

    /// Starts the configured devices (with simulated stand-ins if so configured) after the first
    /// frame. The kiosk window does this; tests hand in their own manager.
    pub fn start_devices(mut self) -> Self {
        self.devices = Devices::Pending;
        self
    }

    /// Uses `devices` (tests: a manager over simulated devices).
    pub fn with_devices(mut self, devices: DeviceManager) -> Self {
        self.devices = Devices::Up(devices);
        self
    }

    /// The device manager, once up.
    pub fn devices(&self) -> Option<&DeviceManager> {
        match &self.devices {
            Devices::Up(m) => Some(m),
            _ => None,
        }
    }

    /// The enrollment wizard, while it is shown.
    pub fn wizard(&self) -> Option<&Wizard> {
        match &self.screen {
            Screen::Enroll(w) => Some(w),
            _ => None,
        }
    }

    /// The enrollment wizard, mutable (tests drive the signature pad with it).
    pub fn wizard_mut(&mut self) -> Option<&mut Wizard> {
        match &mut self.screen {
            Screen::Enroll(w) => Some(w),
            _ => None,
        }
    }

    /// The unlocked station, when no call is running.
    pub fn station(&self) -> Option<&Station> {
        self.station.as_ref()
    }

    /// Whether the station is in training mode.
    fn training(&self) -> bool {
        self.station
            .as_ref()
            .map_or(self.config.station.training, |s| {
                s.config().station.training
            })
    }

    /// Runs `work` on the station off the UI thread; `then` applies its result on the UI thread.
    fn run<R: Send + 'static>(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&mut Station) -> R + Send + 'static,
        then: impl FnOnce(&mut App, R) + Send + 'static,
    ) {
        let Some(mut station) = self.station.take() else {
            return;
        };
        self.job = Some(Job::spawn(ctx, move || -> Then {
            let result = work(&mut station);
            Box::new(move |app: &mut App| {
                app.station = Some(station);
                then(app, result);
            })
        }));
    }

    /// The screen shown.
    pub fn screen(&self) -> ScreenKind {
        match self.screen {
            Screen::Setup(_) => ScreenKind::Setup,
            Screen::Unlock(_) => ScreenKind::Unlock,
            Screen::Login(_) => ScreenKind::Login,
            Screen::Home => ScreenKind::Home,
            Screen::Enroll(_) => ScreenKind::Enroll,
            Screen::Supervisor(_) => ScreenKind::Supervisor,
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
        if !self.first_frame_logged {
            self.first_frame_logged = true;
            tracing::info!(
                screen = ?self.screen(),
                since_start_ms = super::since_start().as_millis() as u64,
                "first frame"
            );
        }
        if let Some(keyboard) = &mut self.keyboard {
            keyboard.begin_frame(ui.ctx());
        }
        self.poll();
        self.poll_devices(ui.ctx());
        if let Devices::Up(m) = &self.devices {
            m.set_prefer_simulated(self.training());
        }
        let now = (self.clock)();
        self.idle(ui, now);
        style(ui);
        if let Some(keyboard) = &mut self.keyboard
            && keyboard.is_visible()
        {
            egui::Panel::bottom("keyboard").show(ui, |ui| keyboard.show(ui, &self.i18n));
        }
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            match self.top_bar(ui) {
                BarIntent::None => {}
                BarIntent::Language(language) => self.i18n.set_language(language),
                BarIntent::Logout => self.logout(ui.ctx()),
            }
            if self.training() {
                training_banner(ui, &self.i18n);
            }
            self.idle_warning(ui, now);
            ui.separator();
            if matches!(self.screen, Screen::Enroll(_)) {
                // The wizard scrolls its page and keeps Back / Next in view itself.
                self.screen_ui(ui, now);
            } else {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    if !matches!(self.screen, Screen::Supervisor(_)) {
                        ui.set_max_width(super::screens::COLUMN_WIDTH + 40.0);
                    }
                    self.screen_ui(ui, now);
                });
            }
        });
        if self.busy() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        } else if self.session.is_some()
            || matches!(
                self.screen,
                Screen::Login(LoginScreen {
                    notice: Some(Notice::LockedOut { .. }),
                    ..
                })
            )
        {
            // Count the lockout and the idle logout down; refresh the device strip.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
    }

    /// Idle logout: any input resets the timer; past the limit the operator is logged out and an
    /// unsaved draft is dropped (its biometrics wiped).
    fn idle(&mut self, ui: &Ui, now: Timestamp) {
        let active = ui.input(|i| !i.events.is_empty() || i.pointer.any_down());
        if active || self.session.is_none() {
            self.last_activity = now;
            return;
        }
        let limit = i64::from(self.config.security.idle_logout_seconds);
        if limit > 0 && now.unix() - self.last_activity.unix() >= limit && !self.busy() {
            tracing::info!("idle logout");
            self.logout(ui.ctx());
        }
    }

    /// Seconds to the idle logout, when it is near (the last 30 seconds).
    pub fn idle_seconds_left(&self, now: Timestamp) -> Option<i64> {
        let limit = i64::from(self.config.security.idle_logout_seconds);
        let left = limit - (now.unix() - self.last_activity.unix());
        (self.session.is_some() && limit > 0 && left <= 30).then_some(left.max(0))
    }

    fn idle_warning(&self, ui: &mut Ui, now: Timestamp) {
        if let Some(left) = self.idle_seconds_left(now) {
            egui::Frame::new()
                .fill(Color32::from_rgb(0xc0, 0x30, 0x30))
                .inner_margin(8.0)
                .show(ui, |ui| {
                    ui.set_min_width(ui.available_width());
                    ui.label(
                        RichText::new(
                            self.i18n
                                .tr_args("idle-warning", &[("seconds", left.into())]),
                        )
                        .strong()
                        .size(20.0)
                        .color(Color32::WHITE),
                    );
                });
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
                    self.job = Some(Job::spawn(&ctx, move || -> Then {
                        let result = Station::init(&dir, &passphrase, &setup, config, now);
                        Box::new(move |app: &mut App| app.opened(result))
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
            Screen::Login(screen) => match screen.show(ui, &self.i18n, busy, now) {
                LoginIntent::None => {}
                LoginIntent::Login { login, password } => self.run(
                    &ctx,
                    move |station| {
                        station.login(&login, &password, now).and_then(|session| {
                            let today = today_counts(station, &session, now)?;
                            Ok((session, today))
                        })
                    },
                    |app, result| match result {
                        Ok(session) => {
                            app.session = Some(session);
                            app.home = HomeState::default();
                            app.screen = Screen::Home;
                        }
                        Err(e) => {
                            if let Screen::Login(s) = &mut app.screen {
                                s.notice = Some(notice_for(&e));
                            }
                        }
                    },
                ),
            },
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
                        let policy = self
                            .station
                            .as_ref()
                            .map_or(self.config.capture, |s| s.config().capture);
                        self.screen = Screen::Enroll(Box::new(Wizard::new(precincts, policy)));
                    }
                    HomeIntent::Review => {
                        self.screen = Screen::Supervisor(Box::default());
                    }
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

    fn apply_wizard(&mut self, ctx: &egui::Context, intent: WizardIntent, now: Timestamp) {
        let Some((session, _)) = self.session.clone() else {
            return;
        };
        match intent {
            WizardIntent::None => {}
            WizardIntent::Cancel | WizardIntent::Finish => self.screen = Screen::Home,
            WizardIntent::Language(language) => self.i18n.set_language(language),
            WizardIntent::Save(request) => self.run(
                ctx,
                move |station| save(station, &session, request, now),
                move |app, (event, today)| {
                    if let Some(today) = today
                        && let Some((_, counts)) = &mut app.session
                    {
                        *counts = today;
                    }
                    if let Screen::Enroll(wizard) = &mut app.screen {
                        wizard.answer(event, now);
                    }
                },
            ),
            WizardIntent::Receipt { print } => self.receipt(ctx, print),
        }
    }

    /// Writes the receipt as a PDF into the data directory's `receipts/` (and prints it), off
    /// the UI thread: printing waits for CUPS.
    fn receipt(&mut self, ctx: &egui::Context, print: bool) {
        let Screen::Enroll(wizard) = &mut self.screen else {
            return;
        };
        let Some(saved) = wizard.receipt() else {
            return;
        };
        let Some(info) = self.station.as_ref().map(|s| s.info().clone()) else {
            return;
        };
        let receipt = crate::receipt::Receipt {
            registration_id: saved.registration_id.clone(),
            citizen_name: saved.name.clone(),
            precinct: saved.precinct.clone(),
            date: saved.date.clone(),
            station_id: info.station_id.as_str().to_owned(),
            station_name: info.name.clone(),
        };
        let i18n = &self.i18n;
        let labels = crate::receipt::ReceiptLabels {
            title: i18n.tr("receipt-title"),
            registration_id: i18n.tr("receipt-registration-id"),
            name: i18n.tr("receipt-name"),
            precinct: i18n.tr("field-precinct"),
            date: i18n.tr("receipt-date"),
            station: i18n.tr("receipt-station"),
            note: i18n.tr("receipt-note"),
        };
        let dir = self.data_dir.join("receipts");
        self.job = Some(Job::spawn(ctx, move || -> Then {
            let result = std::fs::create_dir_all(&dir)
                .map_err(|e| {
                    let detail = format!("{}: {e}", dir.display());
                    (Notice::Detail("receipt-error-save", detail), None)
                })
                .and_then(|()| {
                    receipt
                        .save_pdf(&labels, &dir)
                        .map_err(|e| (Notice::Detail(e.message_id(), e.to_string()), None))
                })
                .and_then(|path| {
                    if print {
                        crate::receipt::print(&path).map_err(|e| {
                            (
                                Notice::Detail(e.message_id(), e.to_string()),
                                Some(path.clone()),
                            )
                        })?;
                    }
                    Ok(path)
                });
            Box::new(move |app: &mut App| {
                if let Screen::Enroll(wizard) = &mut app.screen
                    && let Some(saved) = wizard.receipt_mut()
                {
                    match result {
                        Ok(path) => {
                            saved.pdf = Some(path);
                            saved.notice = print.then_some(Notice::Message("receipt-printed"));
                        }
                        Err((notice, path)) => {
                            saved.pdf = path;
                            saved.notice = Some(notice);
                        }
                    }
                }
            })
        }));
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
        self.device_strip(ui);
        intent
    }

    /// Camera and scanner: ready / busy / missing, and whether a simulated device stands in.
    fn device_strip(&self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(self.i18n.tr("home-devices")).weak());
            let manager = match &self.devices {
                Devices::Up(m) => Some(m),
                Devices::Failed(detail) => {
                    ui.label(
                        RichText::new(
                            self.i18n
                                .tr_args("devices-failed", &[("detail", detail.as_str().into())]),
                        )
                        .color(Color32::from_rgb(0xc0, 0x30, 0x30)),
                    );
                    return;
                }
                _ => None,
            };
            for kind in [DeviceKind::Camera, DeviceKind::FingerprintScanner] {
                // The device a capture would go to, as the manager chooses it.
                let (state, simulated) = manager
                    .and_then(|m| m.in_use(kind))
                    .map_or((DeviceState::Missing, false), |s| {
                        (s.state, s.info.backend == crate::hal::Backend::Sim)
                    });
                let kind_id = match kind {
                    DeviceKind::Camera => "devices-camera",
                    DeviceKind::FingerprintScanner => "devices-scanner",
                };
                let state_id = match state {
                    DeviceState::Ready => "devices-ready",
                    DeviceState::Busy => "devices-busy",
                    DeviceState::Missing => "devices-missing",
                };
                let mut text = format!("{}: {}", self.i18n.tr(kind_id), self.i18n.tr(state_id));
                if simulated && state != DeviceState::Missing {
                    text = format!("{text} ({})", self.i18n.tr("devices-simulated"));
                }
                super::enroll::chip(ui, Some(state != DeviceState::Missing), text);
            }
        });
    }

    fn logout(&mut self, ctx: &egui::Context) {
        // The workflow wipes the draft; dropping the wizard wipes what its screens held.
        if let Screen::Enroll(wizard) = &mut self.screen {
            wizard.cancel((self.clock)());
        }
        if matches!(self.screen, Screen::Enroll(_) | Screen::Supervisor(_)) {
            self.screen = Screen::Home;
        }
        let Some((session, _)) = self.session.take() else {
            return;
        };
        self.home = HomeState::default();
        let now = (self.clock)();
        self.run(
            ctx,
            move |station| {
                if let Err(e) = station.logout(session, now) {
                    tracing::error!("logout could not be audited: {e}");
                }
            },
            |app, ()| app.screen = Screen::Login(LoginScreen::default()),
        );
    }

    fn poll_devices(&mut self, ctx: &egui::Context) {
        match &self.devices {
            Devices::Pending => {
                let config = self.config.clone();
                let rx = super::worker::background("kattoo-devices-start", Some(ctx), move || {
                    DeviceManager::start_kiosk(&config)
                });
                self.devices = Devices::Starting(rx);
            }
            Devices::Starting(rx) => match rx.try_recv() {
                Ok(Ok(m)) => self.devices = Devices::Up(m),
                Ok(Err(e)) => {
                    tracing::error!("devices: {e}");
                    self.devices = Devices::Failed(e.message().to_owned());
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.devices = Devices::Failed("the device start thread stopped".into());
                }
            },
            Devices::Off | Devices::Up(_) | Devices::Failed(_) => {}
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

    /// Takes a finished worker's result.
    fn poll(&mut self) {
        let Some(result) = self.job.as_ref().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        match result {
            Ok(then) => then(self),
            Err(()) => {
                // The worker panicked and took the station with it: start over from the lock
                // screen.
                tracing::error!("a station call panicked");
                self.station = None;
                self.session = None;
                let mut unlock = UnlockScreen::default();
                unlock.notice = Some(Notice::Generic("internal error".into()));
                self.screen = Screen::Unlock(unlock);
            }
        }
    }
}

/// Carries out a save through the workflow's one path and, once stored, counts the operator's
/// day again.
fn save(
    station: &mut Station,
    session: &Session,
    request: SaveRequest,
    now: Timestamp,
) -> (crate::workflow::Event, Option<TodayCounts>) {
    let (result, event) = perform::save(station, session, request, now);
    let today = result
        .ok()
        .and_then(|_| today_counts(station, session, now).ok());
    (event, today)
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

/// What the operator is told about a station error, in their language.
fn notice_for(e: &station::Error) -> Notice {
    match e {
        station::Error::LockedOut { until, .. } => Notice::LockedOut { until: *until },
        other => Notice::Detail(other.message_id(), other.detail()),
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
