//! Find by fingerprint: one or two of the citizen's fingers scanned, then the station's records
//! that match them, best first, each beside the fingers just scanned with its scores.

use super::{Notice, TOUCH_HEIGHT, show_notice, title, working};
use crate::domain::{Capture, FingerPosition, Timestamp};
use crate::hal::manager::DeviceManager;
use crate::ui::i18n::I18n;
use crate::ui::people::{MatchedPerson, Probe, side_by_side};
use crate::ui::scan::FingerScan;
use egui::{Button, RichText, Ui, Vec2};

/// What the screen asks for.
#[must_use]
pub enum IdentifyIntent {
    None,
    /// Back to the home screen (the prints are dropped).
    Home,
    /// Search the station's records for these fingers.
    Search(Vec<Capture>),
}

/// The station's answer to a search.
pub struct Found {
    pub probe: Probe,
    pub people: Vec<MatchedPerson>,
    /// How long the search took, for the operator (the target is under a second).
    pub millis: u128,
}

/// The screen's state.
pub struct IdentifyScreen {
    scans: Vec<FingerScan>,
    found: Option<Found>,
    pub notice: Option<Notice>,
}

impl IdentifyScreen {
    /// A screen that scans `positions` (the station's search fingers, the first two).
    pub fn new(positions: &[FingerPosition]) -> IdentifyScreen {
        IdentifyScreen {
            scans: positions
                .iter()
                .take(2)
                .map(|p| FingerScan::new(*p))
                .collect(),
            found: None,
            notice: None,
        }
    }

    /// The answer of the last search.
    pub fn found(&mut self, found: Found) {
        self.found = Some(found);
    }

    /// Whether the scanner is waiting for a finger.
    pub fn scanning(&self) -> bool {
        self.scans.iter().any(FingerScan::working)
    }

    /// How many fingers are scanned.
    pub fn taken(&self) -> usize {
        self.scans.iter().filter(|s| s.capture().is_some()).count()
    }

    /// The registration ids of the records found, best first.
    pub fn found_ids(&self) -> Option<Vec<&str>> {
        let found = self.found.as_ref()?;
        Some(
            found
                .people
                .iter()
                .map(|p| p.registration_id.as_str())
                .collect(),
        )
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> IdentifyIntent {
        for scan in &mut self.scans {
            if scan.poll() {
                self.found = None;
                self.notice = None;
            }
        }
        let mut intent = IdentifyIntent::None;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(super::COLUMN_WIDTH);
                intent = self.controls(ui, i18n, devices, busy, now);
            });
            ui.separator();
            ui.vertical(|ui| {
                egui::ScrollArea::vertical()
                    .id_salt("identify-results")
                    .max_height(ui.available_height())
                    .auto_shrink([false, true])
                    .show(ui, |ui| self.results(ui, i18n));
            });
        });
        intent
    }

    /// The fingers to scan, and Search and Home, in a column that never scrolls.
    fn controls(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        devices: Option<&DeviceManager>,
        busy: bool,
        now: Timestamp,
    ) -> IdentifyIntent {
        title(ui, i18n.tr("identify-title"));
        ui.add(egui::Label::new(RichText::new(i18n.tr("identify-help")).size(18.0)).wrap());
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            for (i, scan) in self.scans.iter_mut().enumerate() {
                if scan.show(ui, i18n, &format!("identify-{i}"), !busy) {
                    scan.start(devices);
                    self.found = None;
                }
                ui.add_space(16.0);
            }
        });
        show_notice(ui, i18n, self.notice.as_ref(), now);
        let captures: Vec<Capture> = self
            .scans
            .iter()
            .filter_map(|s| s.capture().cloned())
            .collect();
        let mut intent = IdentifyIntent::None;
        ui.add_space(8.0);
        if busy {
            working(ui, i18n);
            return intent;
        }
        let search = Button::new(RichText::new(i18n.tr("identify-search")).size(22.0))
            .min_size(Vec2::new(super::COLUMN_WIDTH, TOUCH_HEIGHT));
        if ui.add_enabled(!captures.is_empty(), search).clicked() {
            self.notice = None;
            intent = IdentifyIntent::Search(captures);
        }
        ui.add_space(8.0);
        let home = Button::new(RichText::new(i18n.tr("identify-home")).size(22.0))
            .min_size(Vec2::new(super::COLUMN_WIDTH, TOUCH_HEIGHT));
        if ui.add(home).clicked() {
            intent = IdentifyIntent::Home;
        }
        intent
    }

    fn results(&mut self, ui: &mut Ui, i18n: &I18n) {
        let Some(Found {
            probe,
            people,
            millis,
        }) = &mut self.found
        else {
            return;
        };
        let heading = if people.is_empty() {
            i18n.tr("identify-none")
        } else {
            i18n.tr_args("identify-found", &[("count", people.len().into())])
        };
        ui.label(RichText::new(heading).strong().size(20.0));
        ui.label(
            RichText::new(i18n.tr_args(
                "identify-time",
                &[("seconds", format!("{:.2}", *millis as f64 / 1000.0).into())],
            ))
            .size(14.0),
        );
        for person in people.iter_mut() {
            ui.separator();
            side_by_side(ui, i18n, probe, "people-scanned-now", person);
        }
    }
}
