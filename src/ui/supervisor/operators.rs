//! Operators: every account with its role and status; add one (login, role, password twice), lock,
//! unlock, reset a password. A supervisor manages registrars; an admin manages everyone. Buttons
//! for what the role may not do are not shown.

use super::operator_fingers::FingerForm;
use super::{Load, Message, Task, big, button, error_message, heading, task};
use crate::domain::{Role, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::station::{self, Session, Station};
use crate::store::OperatorStatus;
use crate::ui::i18n::I18n;
use crate::ui::screens::home::role_name;
use crate::ui::screens::{TOUCH_HEIGHT, field};
use egui::{Button, RichText, Ui, Vec2};
use zeroize::Zeroizing;

/// An account as the tab shows it (never its password hash).
#[derive(Debug, Clone)]
struct Operator {
    login: String,
    role: Role,
    status: OperatorStatus,
    /// End of an automatic lockout (unix seconds), if one holds.
    locked_until: Option<i64>,
    must_change_password: bool,
    /// Login fingers enrolled.
    fingers: u32,
    /// A finger and the password are both required at login.
    finger_required: bool,
}

/// A password typed twice.
#[derive(Default)]
struct NewPassword {
    password: Zeroizing<String>,
    again: Zeroizing<String>,
}

impl NewPassword {
    /// The message id of what is wrong with it, if anything.
    fn problem(&self) -> Option<&'static str> {
        if self.password.chars().count() < 8 {
            Some("setup-error-password-short")
        } else if *self.password != *self.again {
            Some("setup-error-password-mismatch")
        } else {
            None
        }
    }

    fn show(&mut self, ui: &mut Ui, i18n: &I18n) {
        field(
            ui,
            i18n.tr("sv-operators-password"),
            &mut self.password,
            true,
        );
        field(
            ui,
            i18n.tr("sv-operators-password-again"),
            &mut self.again,
            true,
        );
    }
}

/// The add-an-operator form.
struct AddForm {
    login: String,
    role: Role,
    password: NewPassword,
    /// The form was sent once: show its problems.
    tried: bool,
}

impl Default for AddForm {
    fn default() -> Self {
        AddForm {
            login: String::new(),
            role: Role::Registrar,
            password: NewPassword::default(),
            tried: false,
        }
    }
}

/// A password reset being typed for `login`.
struct Reset {
    login: String,
    password: NewPassword,
    tried: bool,
}

/// The operators tab.
pub(super) struct OperatorsTab {
    list: Load<Vec<Operator>>,
    add: Option<AddForm>,
    reset: Option<Reset>,
    fingers: Option<FingerForm>,
    message: Option<Message>,
}

impl Default for OperatorsTab {
    fn default() -> Self {
        OperatorsTab {
            list: Load::NotAsked,
            add: None,
            reset: None,
            fingers: None,
            message: None,
        }
    }
}

/// Whether `session` may manage an account of role `target` (as the station checks).
fn may_manage(session: &Session, target: Role) -> bool {
    session.role() == Role::Admin
        || (session.role() >= Role::Supervisor && target == Role::Registrar)
}

/// The account actions a row offers.
enum Action {
    Lock(String),
    Unlock(String),
    Reset(String),
    Fingers(String),
    RequireFinger(String, bool),
}

impl OperatorsTab {
    /// Asks for the list again.
    pub(super) fn refresh(&mut self) {
        self.list = Load::NotAsked;
    }

    pub(super) fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        session: &Session,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> Option<Task> {
        if let Some(t) = self.list.ask(busy, || list_task(None)) {
            return Some(t);
        }
        if let Some(m) = &self.message {
            m.show(ui, i18n);
        }
        if let Some(form) = &mut self.fingers {
            return match form.show(ui, i18n, devices, busy) {
                FormOutcome::Stay => None,
                FormOutcome::Cancel => {
                    self.fingers = None;
                    None
                }
                FormOutcome::Run(task) => {
                    self.fingers = None;
                    self.message = None;
                    Some(task)
                }
            };
        }
        if let Some(form) = &mut self.add {
            return match add_form(ui, i18n, session, form, busy) {
                FormOutcome::Stay => None,
                FormOutcome::Cancel => {
                    self.add = None;
                    None
                }
                FormOutcome::Run(task) => {
                    self.message = None;
                    Some(task)
                }
            };
        }
        if let Some(reset) = &mut self.reset {
            heading(
                ui,
                i18n.tr_args(
                    "sv-operators-reset-title",
                    &[("login", reset.login.as_str().into())],
                ),
            );
            reset.password.show(ui, i18n);
            if reset.tried
                && let Some(problem) = reset.password.problem()
            {
                Message::error(problem).show(ui, i18n);
            }
            let save = big(ui, i18n.tr("sv-operators-reset-save"), !busy);
            let cancel = big(ui, i18n.tr("sv-cancel"), !busy);
            if cancel.clicked() {
                self.reset = None;
                return None;
            }
            if save.clicked() {
                reset.tried = true;
                if reset.password.problem().is_none() {
                    let login = reset.login.clone();
                    let password = std::mem::take(&mut reset.password.password);
                    self.reset = None;
                    self.message = None;
                    return Some(list_task(Some(Box::new(move |st, session, now| {
                        st.reset_password(session, &login, &password, now)
                            .map(|()| Message::ok("sv-operators-reset-done").with("login", &login))
                    }))));
                }
            }
            return None;
        }
        let operators = self.list.show(ui, i18n)?;
        let mut action = None;
        for op in operators.iter() {
            let locked_out = op.locked_until.is_some_and(|u| u > now.unix());
            let status = match (op.status, locked_out) {
                (OperatorStatus::Disabled, _) => i18n.tr("sv-operators-status-disabled"),
                (OperatorStatus::Locked, _) => i18n.tr("sv-operators-status-locked"),
                (OperatorStatus::Active, true) => i18n.tr_args(
                    "sv-operators-status-locked-out",
                    &[(
                        "minutes",
                        ((op.locked_until.unwrap_or(0) - now.unix() + 59) / 60).into(),
                    )],
                ),
                (OperatorStatus::Active, false) => i18n.tr("sv-operators-status-active"),
            };
            let mut line = format!("{} — {} — {status}", op.login, role_name(i18n, op.role));
            if op.must_change_password {
                line = format!("{line} · {}", i18n.tr("sv-operators-must-change"));
            }
            if op.finger_required {
                line = format!("{line} · {}", i18n.tr("sv-operators-finger-required"));
            } else if op.fingers > 0 {
                line = format!("{line} · {}", i18n.tr("sv-operators-fingers-enrolled"));
            }
            ui.label(RichText::new(line).size(20.0).strong());
            let manage = may_manage(session, op.role) && op.status != OperatorStatus::Disabled;
            let own = op.login == session.login();
            if manage || own {
                ui.horizontal_wrapped(|ui| {
                    let named =
                        |id: &str| Some(i18n.tr_args(id, &[("login", op.login.as_str().into())]));
                    if op.status != OperatorStatus::Disabled
                        && button(
                            ui,
                            i18n.tr("sv-operators-fingers"),
                            named("sv-operators-fingers-named"),
                            !busy,
                        )
                        .clicked()
                    {
                        action = Some(Action::Fingers(op.login.clone()));
                    }
                    if !manage {
                        return;
                    }
                    if op.fingers > 0 {
                        let (id, named_id) = if op.finger_required {
                            (
                                "sv-operators-finger-optional",
                                "sv-operators-finger-optional-named",
                            )
                        } else {
                            (
                                "sv-operators-finger-require",
                                "sv-operators-finger-require-named",
                            )
                        };
                        if button(ui, i18n.tr(id), named(named_id), !busy).clicked() {
                            action =
                                Some(Action::RequireFinger(op.login.clone(), !op.finger_required));
                        }
                    }
                    if op.status == OperatorStatus::Active
                        && !own
                        && button(
                            ui,
                            i18n.tr("sv-operators-lock"),
                            named("sv-operators-lock-named"),
                            !busy,
                        )
                        .clicked()
                    {
                        action = Some(Action::Lock(op.login.clone()));
                    }
                    if (op.status == OperatorStatus::Locked || locked_out)
                        && button(
                            ui,
                            i18n.tr("sv-operators-unlock"),
                            named("sv-operators-unlock-named"),
                            !busy,
                        )
                        .clicked()
                    {
                        action = Some(Action::Unlock(op.login.clone()));
                    }
                    if button(
                        ui,
                        i18n.tr("sv-operators-reset"),
                        named("sv-operators-reset-named"),
                        !busy,
                    )
                    .clicked()
                    {
                        action = Some(Action::Reset(op.login.clone()));
                    }
                });
            }
            ui.separator();
        }
        let add = big(ui, i18n.tr("sv-operators-add"), !busy);
        if add.clicked() {
            self.add = Some(AddForm::default());
            self.message = None;
            return None;
        }
        match action? {
            Action::Lock(login) => {
                self.message = None;
                Some(list_task(Some(Box::new(move |st, session, now| {
                    st.lock_operator(session, &login, now)
                        .map(|()| Message::ok("sv-operators-locked").with("login", &login))
                }))))
            }
            Action::Unlock(login) => {
                self.message = None;
                Some(list_task(Some(Box::new(move |st, session, now| {
                    st.unlock_operator(session, &login, now)
                        .map(|()| Message::ok("sv-operators-unlocked").with("login", &login))
                }))))
            }
            Action::Fingers(login) => {
                self.message = None;
                self.fingers = Some(FingerForm::new(login));
                None
            }
            Action::RequireFinger(login, on) => {
                self.message = None;
                Some(list_task(Some(Box::new(move |st, session, now| {
                    st.set_finger_required(session, &login, on, now).map(|()| {
                        let id = if on {
                            "sv-operators-finger-required-done"
                        } else {
                            "sv-operators-finger-optional-done"
                        };
                        Message::ok(id).with("login", &login)
                    })
                }))))
            }
            Action::Reset(login) => {
                self.message = None;
                self.reset = Some(Reset {
                    login,
                    password: NewPassword::default(),
                    tried: false,
                });
                None
            }
        }
    }
}

/// A change to an account, run before the list is loaded again.
pub(super) type Change =
    Box<dyn FnOnce(&mut Station, &Session, Timestamp) -> station::Result<Message> + Send>;

/// Runs `change` (if any), then lists the accounts again.
pub(super) fn list_task(change: Option<Change>) -> Task {
    task(
        move |st, session, now| {
            let done = change.map(|c| c(st, session, now).map_err(|e| error_message(&e)));
            let list = st
                .operators(session, now)
                .map(|rows| {
                    rows.into_iter()
                        .map(|r| Operator {
                            login: r.login,
                            role: r.role,
                            status: r.status,
                            locked_until: r.locked_until,
                            must_change_password: r.must_change_password,
                            fingers: r.fingers,
                            finger_required: r.finger_required,
                        })
                        .collect()
                })
                .map_err(|e| error_message(&e));
            (done, list)
        },
        |screen, (done, list)| {
            let tab = &mut screen.operators;
            if let Some(done) = done {
                match done {
                    Ok(m) => {
                        tab.message = Some(m);
                        tab.add = None;
                    }
                    Err(m) => tab.message = Some(m),
                }
            }
            tab.list = Load::from_result(list);
        },
    )
}

/// What a form of the tab asks for.
pub(super) enum FormOutcome {
    Stay,
    Cancel,
    Run(Task),
}

/// The add form; asks to add the account once the form is right.
fn add_form(
    ui: &mut Ui,
    i18n: &I18n,
    session: &Session,
    form: &mut AddForm,
    busy: bool,
) -> FormOutcome {
    heading(ui, i18n.tr("sv-operators-add-title"));
    field(ui, i18n.tr("sv-operators-login"), &mut form.login, false);
    ui.label(i18n.tr("sv-operators-role"));
    ui.horizontal_wrapped(|ui| {
        for role in [Role::Registrar, Role::Supervisor, Role::Admin] {
            if !may_manage(session, role) {
                continue;
            }
            let b = Button::selectable(
                form.role == role,
                RichText::new(role_name(i18n, role)).size(20.0),
            )
            .min_size(Vec2::new(160.0, TOUCH_HEIGHT));
            if ui.add(b).clicked() {
                form.role = role;
            }
        }
    });
    ui.add_space(8.0);
    form.password.show(ui, i18n);
    let login_problem = crate::domain::operator::validate_login(form.login.trim())
        .err()
        .map(|_| "setup-error-login");
    let problem = login_problem.or(form.password.problem());
    if form.tried
        && let Some(problem) = problem
    {
        Message::error(problem).show(ui, i18n);
    }
    let save = big(ui, i18n.tr("sv-operators-add-save"), !busy);
    let cancel = big(ui, i18n.tr("sv-cancel"), !busy);
    if cancel.clicked() {
        return FormOutcome::Cancel;
    }
    if !save.clicked() {
        return FormOutcome::Stay;
    }
    form.tried = true;
    if problem.is_some() {
        return FormOutcome::Stay;
    }
    let login = form.login.trim().to_owned();
    let role = form.role;
    let password = form.password.password.clone();
    FormOutcome::Run(list_task(Some(Box::new(move |st, session, now| {
        st.add_operator(session, &login, role, &password, now)
            .map(|()| Message::ok("sv-operators-added").with("login", &login))
    }))))
}
