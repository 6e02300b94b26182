//! An operator's login fingers: two fingers scanned with the operator at the kiosk and enrolled
//! by the station (templates only), so the operator can log in by finger.

use super::operators::{Change, FormOutcome, list_task};
use super::{Message, heading};
use crate::domain::{Capture, FingerPosition};
use crate::hal::manager::DeviceManager;
use crate::ui::i18n::I18n;
use crate::ui::scan::FingerScan;
use egui::{RichText, Ui};

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
        ui.horizontal(|ui| {
            for (i, scan) in self.scans.iter_mut().enumerate() {
                scan.poll();
                if scan.show(ui, i18n, &format!("operator-finger-{i}"), !busy) {
                    scan.start(devices);
                }
                ui.add_space(16.0);
            }
        });
        let fingers: Vec<Capture> = self
            .scans
            .iter()
            .filter_map(|s| s.capture().cloned())
            .collect();
        let ready = fingers.len() == FINGERS.len();
        let save = super::big(ui, i18n.tr("sv-operators-fingers-save"), ready && !busy);
        let cancel = super::big(ui, i18n.tr("sv-cancel"), !busy);
        if cancel.clicked() {
            return FormOutcome::Cancel;
        }
        if !(save.clicked() && ready) {
            return FormOutcome::Stay;
        }
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
