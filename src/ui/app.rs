//! The app: which screen is up, the unlocked station, the operator's session, and the one slow
//! call in flight. Screens return intents; [`App::apply_*`] turn them into station calls.

use super::Clock;
use super::enroll::{Wizard, WizardIntent};
use super::i18n::{I18n, Language};
use super::screens::home::{self, HomeIntent, HomeState, TodayCounts};
use super::screens::identify::IdentifyScreen;
use super::screens::login::{LoginIntent, LoginScreen};
use super::screens::new_password::{NewPasswordIntent, NewPasswordScreen};
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

mod chrome;
mod devices;
mod enrollment;
mod find;
mod screens;
mod session;

use chrome::style;
use enrollment::today_counts;

/// The screen shown.
pub enum Screen {
    /// First run: no station in the data directory.
    Setup(SetupScreen),
    /// A station exists and is locked.
    Unlock(UnlockScreen),
    /// The station is unlocked; nobody is logged in.
    Login(LoginScreen),
    /// An operator whose password a supervisor reset must choose a new one first.
    NewPassword(NewPasswordScreen),
    /// An operator is logged in.
    Home,
    /// The enrollment wizard.
    Enroll(Box<Wizard>),
    /// Find a citizen by fingerprint.
    Identify(Box<IdentifyScreen>),
    /// The supervisor's station.
    Supervisor(Box<SupervisorScreen>),
}

/// Which screen is up, without its state (for tests and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenKind {
    Setup,
    Unlock,
    Login,
    NewPassword,
    Home,
    Enroll,
    Identify,
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
    /// How many times the kiosk started its devices.
    device_starts: u32,
    /// The last time anyone touched the screen or typed.
    last_activity: Timestamp,
    /// When the first frame was drawn (cold-start figure).
    first_frame_logged: bool,
    /// The on-screen keyboard, on touch-only stations.
    keyboard: Option<super::keyboard::OnScreenKeyboard>,
    /// The home screen's citizen search.
    home: HomeState,
    /// The operator tapped Log out with an enrollment in progress: ask before wiping it.
    confirm_logout: bool,
    /// Light or dark: the configuration's, switched from the title bar.
    theme: super::theme::Theme,
    /// The theme the context was last given (`None` before the first frame).
    applied_theme: Option<super::theme::Theme>,
    /// Where USB sticks are found (the mount table).
    mount_table: PathBuf,
}

/// Intents of the bar at the top of every screen.
#[must_use]
enum BarIntent {
    None,
    Language(Language),
    Logout,
    /// Light ↔ dark.
    Theme,
}

impl App {
    /// The app over `data_dir`: the setup wizard if no station is there yet, else the unlock screen.
    pub fn new(data_dir: PathBuf, config: Config, clock: Clock) -> App {
        let theme = config.display.theme;
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
            device_starts: 0,
            last_activity: Timestamp::from_unix(0).expect("the epoch"),
            first_frame_logged: false,
            keyboard: None,
            home: HomeState::default(),
            confirm_logout: false,
            theme,
            applied_theme: None,
            mount_table: PathBuf::from(super::supervisor::media::MOUNT_TABLE),
        }
    }

    /// Finds USB sticks in the mount table at `path` instead of `/proc/mounts` (the receipt's
    /// stick; the supervisor's export is told the same).
    pub fn set_mount_table(&mut self, path: PathBuf) {
        self.mount_table = path;
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

    /// The find-by-fingerprint screen, while it is shown.
    pub fn identify_screen(&self) -> Option<&IdentifyScreen> {
        match &self.screen {
            Screen::Identify(s) => Some(s),
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
            Screen::NewPassword(_) => ScreenKind::NewPassword,
            Screen::Home => ScreenKind::Home,
            Screen::Enroll(_) => ScreenKind::Enroll,
            Screen::Identify(_) => ScreenKind::Identify,
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
        self.follow_training_mode();
        let now = (self.clock)();
        self.idle(ui, now);
        if self.applied_theme != Some(self.theme) {
            if self.applied_theme.is_none() {
                super::theme::install_fonts(ui.ctx());
            }
            let visuals = super::theme::visuals(self.theme);
            ui.ctx().set_visuals(visuals.clone());
            // This frame's root was made before: it takes the new colours too.
            ui.style_mut().visuals = visuals;
            self.applied_theme = Some(self.theme);
        }
        style(ui);
        if let Some(keyboard) = &mut self.keyboard
            && keyboard.is_visible()
        {
            egui::Panel::bottom("keyboard").show(ui, |ui| keyboard.show(ui, &self.i18n));
        }
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            ui.set_min_size(ui.available_size());
            match self.top_bar(ui, now) {
                BarIntent::None => {}
                BarIntent::Language(language) => self.i18n.set_language(language),
                BarIntent::Theme => self.theme = self.theme.other(),
                BarIntent::Logout if self.draft_in_progress() => self.confirm_logout = true,
                BarIntent::Logout => self.logout(ui.ctx(), None),
            }
            ui.separator();
            if self.confirm_logout {
                self.logout_confirmation(ui);
            } else if matches!(
                self.screen,
                Screen::Enroll(_) | Screen::Identify(_) | Screen::Supervisor(_)
            ) {
                // The wizard, the fingerprint search and the supervisor's tabs scroll their own
                // pages and keep their actions (and tabs) in view.
                self.screen_ui(ui, now);
            } else {
                // Each screen keeps its own scroll position.
                egui::ScrollArea::vertical()
                    .id_salt(("screen", self.screen()))
                    .show(ui, |ui| {
                        if !matches!(self.screen, Screen::Login(_) | Screen::Home) {
                            ui.set_max_width(super::screens::COLUMN_WIDTH + 40.0);
                        }
                        self.screen_ui(ui, now);
                        // Last, so it wins over the text field's own scroll to its cursor.
                        super::keyboard::scroll_to_focused_field(ui);
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

/// What the operator is told about a station error, in their language.
fn notice_for(e: &station::Error) -> Notice {
    match e {
        station::Error::LockedOut { until, .. } => Notice::LockedOut { until: *until },
        other => Notice::Detail(other.message_id(), other.detail()),
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
