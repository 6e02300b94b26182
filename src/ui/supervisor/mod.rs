//! The supervisor's station: pending approvals, export to USB, operators, devices, the audit
//! log, statistics and training mode. Each tab draws itself; station calls are [`Task`]s the app
//! runs on its worker thread, and their results come back as an [`Apply`] to this screen.
//!
//! A tab never waits: it asks for its data with a task when it is opened, shows a spinner until
//! the [`Apply`] lands, and turns the result into widgets. Images are decoded inside the task
//! (off the UI thread) and become textures on the UI thread when first drawn. What a role may not
//! do is not shown; the station refuses it anyway.

mod approvals;
mod audit;
mod central_key;
mod devices;
mod export;
pub mod media;
mod operator_fingers;
mod operators;
mod record;
mod stats;
mod training;

use crate::domain::{Role, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::station::{self, Session, Station};
use crate::ui::i18n::I18n;
use crate::ui::picture::Picture;
use crate::ui::screens::{TOUCH_HEIGHT, title, working};
use egui::{Button, Color32, RichText, Ui, Vec2};

/// A change to this screen, made on the UI thread with a station call's result.
pub type Apply = Box<dyn FnOnce(&mut SupervisorScreen) + Send>;

/// A station call run off the UI thread as the logged-in supervisor.
pub type Task = Box<dyn FnOnce(&mut Station, &Session, Timestamp) -> Apply + Send>;

/// What the supervisor screen asks the app for.
#[must_use]
pub enum SupervisorIntent {
    /// Nothing this frame.
    None,
    /// Back to the home screen.
    Home,
    /// Run a station call.
    Run(Task),
}

/// The tabs across the top of the screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tab {
    /// Records waiting for a decision.
    #[default]
    Approvals,
    /// A batch to a USB stick.
    Export,
    /// Operator accounts.
    Operators,
    /// Cameras and scanners.
    Devices,
    /// The audit log and its chain check.
    Audit,
    /// Figures per day, operator and precinct.
    Statistics,
    /// Training mode and its reset.
    Training,
}

impl Tab {
    /// Every tab, in the order shown.
    pub const ALL: [Tab; 7] = [
        Tab::Approvals,
        Tab::Export,
        Tab::Operators,
        Tab::Devices,
        Tab::Audit,
        Tab::Statistics,
        Tab::Training,
    ];

    /// The message id of the tab's name.
    pub fn message_id(self) -> &'static str {
        match self {
            Tab::Approvals => "sv-tab-approvals",
            Tab::Export => "sv-tab-export",
            Tab::Operators => "sv-tab-operators",
            Tab::Devices => "sv-tab-devices",
            Tab::Audit => "sv-tab-audit",
            Tab::Statistics => "sv-tab-statistics",
            Tab::Training => "sv-tab-training",
        }
    }
}

/// The supervisor screen's state.
#[derive(Default)]
pub struct SupervisorScreen {
    tab: Tab,
    approvals: approvals::ApprovalsTab,
    export: export::ExportTab,
    operators: operators::OperatorsTab,
    devices: devices::DevicesTab,
    audit: audit::AuditTab,
    stats: stats::StatsTab,
    training: training::TrainingTab,
}

impl SupervisorScreen {
    /// Lists removable media from the mount table at `path` instead of `/proc/mounts`.
    pub fn set_mount_table(&mut self, path: std::path::PathBuf) {
        self.export.set_mount_table(path);
    }

    /// The tab shown.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Shows `tab`; its data is asked for again.
    pub fn open(&mut self, tab: Tab) {
        self.tab = tab;
        match tab {
            Tab::Approvals => self.approvals.refresh(),
            Tab::Export => self.export.refresh(),
            Tab::Operators => self.operators.refresh(),
            Tab::Devices => self.devices.refresh(),
            Tab::Audit => self.audit.refresh(),
            Tab::Statistics => self.stats.refresh(),
            Tab::Training => self.training.refresh(),
        }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        session: &Session,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> SupervisorIntent {
        // Checkboxes a finger can hit.
        ui.spacing_mut().icon_width = 32.0;
        ui.spacing_mut().icon_width_inner = 20.0;
        if session.role() < Role::Supervisor {
            // The home screen never offers this screen to a registrar; the station refuses anyway.
            title(ui, i18n.tr("sv-title"));
            ui.label(RichText::new(i18n.tr("sv-not-allowed")).color(crate::ui::theme::error(ui)));
            if big(ui, i18n.tr("common-back"), true).clicked() {
                return SupervisorIntent::Home;
            }
            return SupervisorIntent::None;
        }
        let mut home = false;
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            ui.heading(i18n.tr("sv-title"));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                home = ui
                    .add_enabled(
                        !busy,
                        Button::new(RichText::new(i18n.tr("sv-home")).size(20.0))
                            .min_size(Vec2::new(160.0, TOUCH_HEIGHT)),
                    )
                    .clicked();
            });
        });
        ui.add_space(8.0);
        ui.horizontal_wrapped(|ui| {
            for tab in Tab::ALL {
                let button = Button::selectable(
                    self.tab == tab,
                    RichText::new(i18n.tr(tab.message_id())).size(20.0),
                )
                .min_size(Vec2::new(120.0, TOUCH_HEIGHT));
                if ui.add(button).clicked() && self.tab != tab {
                    self.open(tab);
                }
            }
        });
        if home {
            return SupervisorIntent::Home;
        }
        ui.separator();
        // The title and the tabs stay; each tab's page scrolls under them on its own.
        let task = egui::ScrollArea::vertical()
            .id_salt(("sv-tab", self.tab.message_id()))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let task = match self.tab {
                    Tab::Approvals => self.approvals.show(ui, i18n, busy),
                    Tab::Export => self.export.show(ui, i18n, busy),
                    Tab::Operators => self.operators.show(ui, i18n, session, devices, busy, now),
                    Tab::Devices => self.devices.show(ui, i18n, session, devices, busy),
                    Tab::Audit => self.audit.show(ui, i18n, busy),
                    Tab::Statistics => self.stats.show(ui, i18n, busy),
                    Tab::Training => self.training.show(ui, i18n, busy),
                };
                crate::ui::keyboard::scroll_to_focused_field(ui);
                task
            })
            .inner;
        match task {
            // A tab only asks while nothing runs; the app takes one call at a time.
            Some(task) if !busy => SupervisorIntent::Run(task),
            _ => SupervisorIntent::None,
        }
    }
}

/// Red for errors, green for success.
const ERROR: Color32 = crate::ui::theme::FILL_ERROR;

/// Data a tab asked the station for.
enum Load<T> {
    /// Not asked yet (or asked again).
    NotAsked,
    /// The task is running.
    Loading,
    Loaded(T),
    Failed(Message),
}

impl<T> Load<T> {
    /// Marks the data as asked for and returns `task` when it has not been asked for yet.
    fn ask(&mut self, busy: bool, task: impl FnOnce() -> Task) -> Option<Task> {
        if matches!(self, Load::NotAsked) && !busy {
            *self = Load::Loading;
            Some(task())
        } else {
            None
        }
    }

    fn from_result(result: Result<T, Message>) -> Self {
        match result {
            Ok(v) => Load::Loaded(v),
            Err(m) => Load::Failed(m),
        }
    }

    /// Draws the spinner or the failure; the loaded value otherwise.
    fn show(&mut self, ui: &mut Ui, i18n: &I18n) -> Option<&mut T> {
        match self {
            Load::NotAsked | Load::Loading => {
                working(ui, i18n);
                None
            }
            Load::Failed(m) => {
                m.show(ui, i18n);
                None
            }
            Load::Loaded(v) => Some(v),
        }
    }
}

/// Something to tell the supervisor, translated when drawn (so a language switch applies).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    id: &'static str,
    args: Vec<(&'static str, String)>,
    ok: bool,
}

impl Message {
    fn ok(id: &'static str) -> Self {
        Message {
            id,
            args: Vec::new(),
            ok: true,
        }
    }

    fn error(id: &'static str) -> Self {
        Message {
            id,
            args: Vec::new(),
            ok: false,
        }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    fn text(&self, i18n: &I18n) -> String {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v.as_str().into()))
            .collect();
        i18n.tr_args(self.id, &args)
    }

    fn show(&self, ui: &mut Ui, i18n: &I18n) {
        ui.add_space(6.0);
        let colour = if self.ok {
            crate::ui::theme::ok(ui)
        } else {
            crate::ui::theme::error(ui)
        };
        ui.label(RichText::new(self.text(i18n)).size(20.0).color(colour));
        ui.add_space(6.0);
    }
}

/// What the supervisor is told about a station error: what happened and what to do.
fn error_message(e: &station::Error) -> Message {
    use station::Error as E;
    match e {
        E::PermissionDenied { .. } => Message::error("sv-error-permission"),
        E::NotPending { id, .. } => Message::error("sv-error-not-pending").with("id", id),
        E::Superseded { id, by } => Message::error("sv-error-superseded")
            .with("id", id)
            .with("by", by),
        E::UnknownRecord(id) => Message::error("sv-error-unknown-record").with("id", id),
        E::OperatorExists(login) => Message::error("sv-operators-exists").with("login", login),
        E::Password(crate::crypto::PasswordError::TooShort) => {
            Message::error("setup-error-password-short")
        }
        E::AccountLocked(_) => Message::error("login-error-account-locked"),
        E::AccountDisabled(_) => Message::error("login-error-account-disabled"),
        // Every other station error in the supervisor's language, with its identifier.
        other => Message::error(other.message_id()).with("detail", other.detail()),
    }
}

/// A task from the station call `work` and the change `apply` makes with its result.
fn task<R: Send + 'static>(
    work: impl FnOnce(&mut Station, &Session, Timestamp) -> R + Send + 'static,
    apply: impl FnOnce(&mut SupervisorScreen, R) + Send + 'static,
) -> Task {
    Box::new(move |station, session, now| {
        let result = work(station, session, now);
        Box::new(move |screen: &mut SupervisorScreen| apply(screen, result))
    })
}

/// A full-width touch button.
fn big(ui: &mut Ui, text: String, enabled: bool) -> egui::Response {
    crate::ui::screens::big_button(ui, text, enabled)
}

/// A touch button sized to its text; `name` is what a screen reader (and a test) calls it when
/// the visible text alone is ambiguous (a "Lock" button on every row).
fn button(ui: &mut Ui, text: String, name: Option<String>, enabled: bool) -> egui::Response {
    let response = ui.add_enabled(
        enabled,
        Button::new(RichText::new(text).size(20.0)).min_size(Vec2::new(120.0, TOUCH_HEIGHT)),
    );
    match name {
        Some(name) => response.accessible_name(name),
        None => response,
    }
}

/// A section heading inside a tab.
fn heading(ui: &mut Ui, text: String) {
    ui.add_space(8.0);
    ui.label(RichText::new(text).strong().size(22.0));
    ui.add_space(4.0);
}
