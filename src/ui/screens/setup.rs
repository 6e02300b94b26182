//! First run: a wizard that creates the station, one question per step (identity, region,
//! precincts, passphrase, first administrator). Every step is checked before moving on, so the
//! final "Create station" only fails for reasons the wizard cannot see (disk, permissions).

use super::{Notice, field, reserved_notice, title, working};
use crate::domain::address::{Precinct, regions};
use crate::domain::{StationId, Timestamp};
use crate::station::StationSetup;
use crate::ui::i18n::{I18n, Language};
use egui::{Button, RichText, Ui, Vec2};
use zeroize::Zeroizing;

/// What the wizard asks for.
#[must_use]
pub enum SetupIntent {
    /// Nothing this frame.
    None,
    /// Create the station with this setup and passphrase.
    Create {
        setup: Box<StationSetup>,
        passphrase: Zeroizing<String>,
    },
}

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Station,
    Region,
    Precincts,
    Passphrase,
    Admin,
}

impl Step {
    const ALL: [Step; 5] = [
        Step::Station,
        Step::Region,
        Step::Precincts,
        Step::Passphrase,
        Step::Admin,
    ];

    fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).expect("listed") + 1
    }
}

/// How hard a passphrase is to guess, roughly: length and character classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    Weak,
    Fair,
    Strong,
}

/// A rough strength estimate for the hint under the passphrase field (the only hard rule is the
/// station's minimum of 8 characters).
pub fn strength(passphrase: &str) -> Strength {
    let len = passphrase.chars().count();
    let classes = [
        passphrase.chars().any(char::is_lowercase),
        passphrase.chars().any(char::is_uppercase),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|b| *b)
    .count();
    if len >= 20 || (len >= 14 && classes >= 3) {
        Strength::Strong
    } else if len >= 12 {
        Strength::Fair
    } else {
        Strength::Weak
    }
}

/// The wizard's state.
pub struct SetupScreen {
    step: Step,
    station_id: String,
    name: String,
    /// Whether this laptop replaces a stolen or lost one under the same station code; then
    /// `first_sequence` holds the number central gives for its first record.
    replaces: bool,
    first_sequence: String,
    region: Option<&'static str>,
    precincts: String,
    passphrase: Zeroizing<String>,
    passphrase_again: Zeroizing<String>,
    admin_login: String,
    admin_password: Zeroizing<String>,
    admin_password_again: Zeroizing<String>,
    /// The last refusal.
    pub notice: Option<Notice>,
}

impl Default for SetupScreen {
    fn default() -> Self {
        SetupScreen {
            step: Step::Station,
            station_id: String::new(),
            name: String::new(),
            replaces: false,
            first_sequence: String::new(),
            region: None,
            precincts: String::new(),
            passphrase: Zeroizing::default(),
            passphrase_again: Zeroizing::default(),
            admin_login: "admin".into(),
            admin_password: Zeroizing::default(),
            admin_password_again: Zeroizing::default(),
            notice: None,
        }
    }
}

/// The number of the station's first record: 1, or for a replacement laptop the number central
/// gave (1 to 999,999; 1 when central holds no record of the station).
fn first_sequence(replaces: bool, typed: &str) -> Option<u64> {
    if !replaces {
        return Some(1);
    }
    let n: u64 = typed.trim().parse().ok()?;
    (1..=crate::domain::registration_id::MAX_SEQUENCE)
        .contains(&n)
        .then_some(n)
}

fn parse_precincts(text: &str) -> Option<Vec<Precinct>> {
    let precincts = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| Precinct::parse(p).ok())
        .collect::<Option<Vec<_>>>()?;
    (!precincts.is_empty()).then_some(precincts)
}

impl SetupScreen {
    /// The step shown.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Checks the current step: the message id of the first problem.
    fn check(&self, step: Step) -> Result<(), &'static str> {
        match step {
            Step::Station => {
                StationId::parse(&self.station_id.trim().to_ascii_uppercase())
                    .map_err(|_| "setup-error-station-id")?;
                let name = self.name.trim();
                if name.is_empty()
                    || name.chars().count() > 100
                    || name.chars().any(char::is_control)
                {
                    return Err("setup-error-name");
                }
                first_sequence(self.replaces, &self.first_sequence)
                    .ok_or("setup-error-first-sequence")?;
            }
            Step::Region => {
                self.region.ok_or("setup-error-region")?;
            }
            Step::Precincts => {
                parse_precincts(&self.precincts).ok_or("setup-error-precincts")?;
            }
            Step::Passphrase => {
                if self.passphrase.chars().count() < 8 {
                    return Err("setup-error-passphrase-short");
                }
                if *self.passphrase != *self.passphrase_again {
                    return Err("setup-error-passphrase-mismatch");
                }
            }
            Step::Admin => {
                crate::domain::operator::validate_login(self.admin_login.trim())
                    .map_err(|_| "setup-error-login")?;
                if self.admin_password.chars().count() < 8 {
                    return Err("setup-error-password-short");
                }
                if *self.admin_password != *self.admin_password_again {
                    return Err("setup-error-password-mismatch");
                }
            }
        }
        Ok(())
    }

    fn build(&mut self) -> Option<SetupIntent> {
        let setup = StationSetup {
            station_id: StationId::parse(&self.station_id.trim().to_ascii_uppercase()).ok()?,
            name: self.name.trim().to_owned(),
            region: self.region?.to_owned(),
            precincts: parse_precincts(&self.precincts)?,
            admin_login: self.admin_login.trim().to_owned(),
            admin_password: self.admin_password.to_string(),
            first_sequence: first_sequence(self.replaces, &self.first_sequence)?,
        };
        Some(SetupIntent::Create {
            setup: Box::new(setup),
            passphrase: self.passphrase.clone(),
        })
    }

    /// Draws the current step.
    pub fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool, now: Timestamp) -> SetupIntent {
        title(ui, i18n.tr("setup-title"));
        ui.label(i18n.tr_args(
            "setup-step",
            &[
                ("step", self.step.number().into()),
                ("total", Step::ALL.len().into()),
            ],
        ));
        ui.add_space(8.0);
        match self.step {
            Step::Station => {
                ui.label(RichText::new(i18n.tr("setup-station-title")).strong());
                field(ui, i18n.tr("setup-station-id"), &mut self.station_id, false);
                ui.label(RichText::new(i18n.tr("setup-station-id-hint")).weak());
                field(ui, i18n.tr("setup-station-name"), &mut self.name, false);
                // Rare, and asked last: a laptop that replaces a stolen or lost one numbers
                // its records from the number central gives, so no registration id repeats.
                ui.scope(|ui| {
                    // A box and a row as tall as the other touch targets.
                    let spacing = ui.spacing_mut();
                    spacing.icon_width = 28.0;
                    spacing.icon_width_inner = 16.0;
                    spacing.icon_spacing = 12.0;
                    ui.set_max_width(super::COLUMN_WIDTH);
                    ui.add(egui::Checkbox::new(
                        &mut self.replaces,
                        RichText::new(i18n.tr("setup-replaces")).size(20.0),
                    ));
                });
                ui.add_space(8.0);
                if self.replaces {
                    field(
                        ui,
                        i18n.tr("setup-first-sequence"),
                        &mut self.first_sequence,
                        false,
                    );
                }
            }
            Step::Region => {
                ui.label(RichText::new(i18n.tr("setup-region-title")).strong());
                egui::Grid::new("regions")
                    .num_columns(2)
                    .spacing([8.0, 8.0])
                    .show(ui, |ui| {
                        for (i, region) in regions().iter().enumerate() {
                            let name = match i18n.language() {
                                Language::Ky => region.name_ky,
                                Language::Ru => region.name_ru,
                                Language::En => region.name_en,
                            };
                            let selected = self.region == Some(region.code);
                            let button =
                                Button::selectable(selected, RichText::new(name).size(20.0))
                                    .min_size(Vec2::new(270.0, super::TOUCH_HEIGHT));
                            if ui.add(button).clicked() {
                                self.region = Some(region.code);
                            }
                            if i % 2 == 1 {
                                ui.end_row();
                            }
                        }
                    });
            }
            Step::Precincts => {
                ui.label(RichText::new(i18n.tr("setup-precincts-title")).strong());
                field(
                    ui,
                    i18n.tr("setup-precincts-label"),
                    &mut self.precincts,
                    false,
                );
            }
            Step::Passphrase => {
                ui.label(RichText::new(i18n.tr("setup-passphrase-title")).strong());
                ui.label(i18n.tr("setup-passphrase-hint"));
                ui.add_space(8.0);
                field(ui, i18n.tr("setup-passphrase"), &mut self.passphrase, true);
                field(
                    ui,
                    i18n.tr("setup-passphrase-again"),
                    &mut self.passphrase_again,
                    true,
                );
                if !self.passphrase.is_empty() {
                    ui.label(i18n.tr(match strength(&self.passphrase) {
                        Strength::Weak => "passphrase-strength-weak",
                        Strength::Fair => "passphrase-strength-fair",
                        Strength::Strong => "passphrase-strength-strong",
                    }));
                }
            }
            Step::Admin => {
                ui.label(RichText::new(i18n.tr("setup-admin-title")).strong());
                field(
                    ui,
                    i18n.tr("setup-admin-login"),
                    &mut self.admin_login,
                    false,
                );
                field(
                    ui,
                    i18n.tr("setup-admin-password"),
                    &mut self.admin_password,
                    true,
                );
                field(
                    ui,
                    i18n.tr("setup-admin-password-again"),
                    &mut self.admin_password_again,
                    true,
                );
            }
        }
        ui.add_space(12.0);
        if busy {
            working(ui, i18n);
            return SetupIntent::None;
        }
        let last = self.step == Step::Admin;
        let mut intent = SetupIntent::None;
        // The row's top stays put: a notice longer than its place grows downwards only.
        ui.horizontal_top(|ui| {
            ui.horizontal(|ui| self.buttons(ui, i18n, last, &mut intent));
            // Why a step is refused, beside the buttons in a place kept for it: the buttons
            // never move when it appears, and the fields above never push them off screen.
            ui.add_space(16.0);
            reserved_notice(ui, i18n, self.notice.as_ref(), now, 3);
        });
        intent
    }

    /// Back (after the first step) and Next, or Create on the last step.
    fn buttons(&mut self, ui: &mut Ui, i18n: &I18n, last: bool, intent: &mut SetupIntent) {
        let index = self.step.number() - 1;
        if index > 0
            && ui
                .add(
                    Button::new(RichText::new(i18n.tr("common-back")).size(22.0))
                        .min_size(Vec2::new(160.0, super::TOUCH_HEIGHT)),
                )
                .clicked()
        {
            self.step = Step::ALL[index - 1];
            self.notice = None;
        }
        let next = if last {
            i18n.tr("setup-create")
        } else {
            i18n.tr("common-next")
        };
        if ui
            .add(
                Button::new(RichText::new(next).size(22.0))
                    .min_size(Vec2::new(240.0, super::TOUCH_HEIGHT)),
            )
            .clicked()
        {
            match self.check(self.step) {
                Err(id) => self.notice = Some(Notice::Message(id)),
                Ok(()) if last => {
                    self.notice = None;
                    // Every earlier step was checked when it was left.
                    if let Some(create) = self.build() {
                        *intent = create;
                    }
                }
                Ok(()) => {
                    self.notice = None;
                    self.step = Step::ALL[index + 1];
                }
            }
        }
    }
}
