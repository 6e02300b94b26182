//! An operator's login fingers: two fingers scanned with the operator at the kiosk and enrolled
//! by the station (templates only), so the operator can log in by finger.

use super::operators::{Change, FormOutcome, list_task};
use super::{Message, heading};
use crate::domain::{Capture, FingerPosition};
use crate::hal::manager::DeviceManager;
use crate::ui::i18n::I18n;
use crate::ui::scan::FingerScan;
use crate::ui::screens::TOUCH_HEIGHT;
use egui::{Button, RichText, Ui, Vec2};

/// The fingers an operator enrols.
const FINGERS: [FingerPosition; 2] = [FingerPosition::RightIndex, FingerPosition::LeftIndex];

/// The enrolment form for `login`.
pub(super) struct FingerForm {
    login: String,
    scans: Vec<FingerScan>,
}

impl FingerForm {
    pub(super) fn new(login: String) -> FingerForm {
        FingerForm {
            login,
            scans: FINGERS.iter().map(|p| FingerScan::new(*p)).collect(),
        }
    }

    pub(super) fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
    ) -> FormOutcome {
        heading(
            ui,
            i18n.tr_args(
                "sv-operators-fingers-title",
                &[("login", self.login.as_str().into())],
            ),
        );
        ui.label(RichText::new(i18n.tr("sv-operators-fingers-help")).size(18.0));
        let mut outcome = FormOutcome::Stay;
        let mut save = false;
        // The cards and, beside them, the form's two actions: all on one screen.
        ui.horizontal_top(|ui| {
            for (i, scan) in self.scans.iter_mut().enumerate() {
                scan.poll();
                if scan.show(ui, i18n, &format!("operator-finger-{i}"), !busy) {
                    scan.start(devices);
                }
                ui.add_space(16.0);
            }
            ui.vertical(|ui| {
                ui.add_space(24.0);
                let ready = self.scans.iter().all(|s| s.capture().is_some());
                let size = Vec2::new(320.0, TOUCH_HEIGHT);
                let text = RichText::new(i18n.tr("sv-operators-fingers-save")).size(20.0);
                save = ui
                    .add_enabled(ready && !busy, Button::new(text).min_size(size))
                    .clicked();
                ui.add_space(12.0);
                let text = RichText::new(i18n.tr("sv-cancel")).size(20.0);
                if ui
                    .add_enabled(!busy, Button::new(text).min_size(size))
                    .clicked()
                {
                    outcome = FormOutcome::Cancel;
                }
            });
        });
        if !save {
            return outcome;
        }
        let fingers: Vec<Capture> = self
            .scans
            .iter()
            .filter_map(|s| s.capture().cloned())
            .collect();
        let login = self.login.clone();
        let change: Change = Box::new(move |st, session, now| {
            let mut fingers = fingers;
            let done = st.enroll_operator_fingers(session, &login, &fingers, now);
            for f in &mut fingers {
                zeroize::Zeroize::zeroize(&mut f.data);
            }
            done.map(|_| Message::ok("sv-operators-fingers-done").with("login", &login))
        });
        FormOutcome::Run(list_task(Some(change)))
    }
}
