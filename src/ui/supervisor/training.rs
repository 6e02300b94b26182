//! Training mode: switch it on (a permanent banner, records flagged as training and never
//! exported) or off, and delete the training records after a session, with a confirmation.

use super::{Load, Message, Task, big, error_message, heading, task};
use crate::domain::Timestamp;
use crate::station::{Session, Station};
use crate::ui::i18n::I18n;
use egui::{RichText, Ui};

/// Training mode and what it left behind.
struct TrainingState {
    on: bool,
    records: u64,
}

/// The training tab.
pub(super) struct TrainingTab {
    state: Load<TrainingState>,
    /// The reset button was pressed once: ask to confirm.
    confirm: bool,
    message: Option<Message>,
}

impl Default for TrainingTab {
    fn default() -> Self {
        TrainingTab {
            state: Load::NotAsked,
            confirm: false,
            message: None,
        }
    }
}

impl TrainingTab {
    /// Asks for the state again.
    pub(super) fn refresh(&mut self) {
        self.state = Load::NotAsked;
        self.confirm = false;
    }

    pub(super) fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        if let Some(t) = self.state.ask(busy, || load(None)) {
            return Some(t);
        }
        let state = self.state.show(ui, i18n)?;
        let (text, color) = if state.on {
            ("sv-training-on", crate::ui::theme::warn(ui))
        } else {
            ("sv-training-off", ui.visuals().text_color())
        };
        ui.label(
            RichText::new(i18n.tr(text))
                .strong()
                .size(22.0)
                .color(color),
        );
        ui.label(i18n.tr("sv-training-explain"));
        ui.add_space(8.0);
        let switch = big(
            ui,
            i18n.tr(if state.on {
                "sv-training-switch-off"
            } else {
                "sv-training-switch-on"
            }),
            !busy,
        );
        heading(ui, i18n.tr("sv-training-records-title"));
        ui.label(i18n.tr_args("sv-training-records", &[("count", state.records.into())]));
        let mut reset = false;
        if self.confirm {
            Message::error("sv-training-confirm")
                .with("count", state.records)
                .show(ui, i18n);
            reset = big(ui, i18n.tr("sv-training-confirm-yes"), !busy).clicked();
            if big(ui, i18n.tr("sv-cancel"), !busy).clicked() {
                self.confirm = false;
            }
        } else if big(ui, i18n.tr("sv-training-reset"), !busy && state.records > 0).clicked() {
            self.confirm = true;
            self.message = None;
        }
        // What was just done, under the buttons, so its coming moves none of them.
        if let Some(m) = &self.message {
            m.show(ui, i18n);
        }
        if switch.clicked() {
            let on = !state.on;
            self.message = None;
            self.confirm = false;
            return Some(load(Some(Box::new(move |st, session, now| {
                st.set_training(session, on, now).map(|()| {
                    Message::ok(if on {
                        "sv-training-now-on"
                    } else {
                        "sv-training-now-off"
                    })
                })
            }))));
        }
        if reset {
            self.confirm = false;
            return Some(load(Some(Box::new(|st, session, now| {
                st.reset_training(session, now).map(|d| {
                    Message::ok("sv-training-reset-done")
                        .with("records", d.records)
                        .with("files", d.biometrics)
                })
            }))));
        }
        None
    }
}

/// A change run before the state is read again.
type Change =
    Box<dyn FnOnce(&mut Station, &Session, Timestamp) -> crate::station::Result<Message> + Send>;

fn load(change: Option<Change>) -> Task {
    task(
        move |st, session, now| {
            let done = change.map(|c| c(st, session, now).map_err(|e| error_message(&e)));
            let state = st
                .training_record_count(session, now)
                .map(|records| TrainingState {
                    on: st.config().station.training,
                    records,
                })
                .map_err(|e| error_message(&e));
            (done, state)
        },
        |screen, (done, state)| {
            let tab = &mut screen.training;
            if let Some(done) = done {
                tab.message = Some(done.unwrap_or_else(|m| m));
            }
            tab.state = Load::from_result(state);
        },
    )
}
