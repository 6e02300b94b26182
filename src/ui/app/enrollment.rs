//! The enrollment wizard's requests to the app: saves through the workflow's one path on the
//! station's worker, and the receipt as a PDF or on paper.

use super::*;
use crate::domain::BiometricKind;
use crate::ui::people;

impl App {
    pub(super) fn apply_wizard(
        &mut self,
        ctx: &egui::Context,
        intent: WizardIntent,
        now: Timestamp,
    ) {
        let Some((session, _)) = self.session.clone() else {
            return;
        };
        match intent {
            WizardIntent::None => {}
            WizardIntent::Cancel | WizardIntent::Finish => {
                // Nothing of the last citizen stays on home (the search that found them).
                self.home = HomeState::default();
                self.screen = Screen::Home;
            }
            // The citizen's language is the record's and the receipt's; the kiosk keeps the
            // registrar's own language.
            WizardIntent::Language(_) => {}
            WizardIntent::Save(request) => self.run(
                ctx,
                move |station| save(station, &session, request, now),
                move |app, (event, today, compared)| {
                    if let Some(today) = today
                        && let Some((_, counts)) = &mut app.session
                    {
                        *counts = today;
                    }
                    if let Screen::Enroll(wizard) = &mut app.screen {
                        if let Some((probe, people)) = compared {
                            wizard.compared(probe, people);
                        }
                        wizard.answer(event, now);
                    }
                },
            ),
            WizardIntent::SearchPeople(mut fingers) => {
                let Screen::Enroll(wizard) = &self.screen else {
                    return;
                };
                let supersedes = wizard.state().supersedes().map(|r| r.as_str().to_owned());
                let face = wizard.state().face().cloned();
                self.run(
                    ctx,
                    move |station| {
                        let found = station
                            .search_people(&session, &fingers, supersedes.as_deref(), now)
                            .and_then(|found| {
                                if found.is_empty() {
                                    return Ok(Default::default());
                                }
                                let people = people::load(station, &session, &found, now)?;
                                fingers.extend(face);
                                Ok((people::Probe::new(&fingers), people))
                            });
                        for f in &mut fingers {
                            zeroize::Zeroize::zeroize(&mut f.data);
                        }
                        found
                    },
                    move |app, found| {
                        // A failed search only loses the early warning: the save searches again.
                        let (probe, people) = found.unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "early duplicate search failed");
                            Default::default()
                        });
                        let existing = people.iter().map(|p| p.registration_id.clone()).collect();
                        if let Screen::Enroll(wizard) = &mut app.screen {
                            wizard.compared(probe, people);
                            let _ = wizard.send(
                                crate::workflow::Event::PeopleFound { existing },
                                None,
                                now,
                            );
                        }
                    },
                )
            }
            WizardIntent::CheckPin(pin) => {
                let Screen::Enroll(wizard) = &mut self.screen else {
                    return;
                };
                let supersedes = wizard.state().supersedes().map(|r| r.as_str().to_owned());
                // Asked once: a failed check leaves the save to find it.
                wizard.form.pin_checked(pin.clone(), Vec::new());
                self.run(
                    ctx,
                    move |station| {
                        let found = station.pin_in_use(&session, &pin, supersedes.as_deref(), now);
                        (pin, found)
                    },
                    |app, (pin, found)| {
                        let existing = found.unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "PIN check failed");
                            Vec::new()
                        });
                        if let Screen::Enroll(wizard) = &mut app.screen {
                            wizard.form.pin_checked(pin, existing);
                        }
                    },
                );
            }
            WizardIntent::Receipt { print } => self.receipt(ctx, print),
        }
    }

    /// Opens the wizard on a correction of record `old` of `citizen`.
    pub(super) fn correct(
        &mut self,
        old: crate::domain::RegistrationId,
        citizen: &crate::domain::Citizen,
    ) {
        let Some(station) = self.station.as_ref() else {
            return;
        };
        let config = station.config();
        self.screen = Screen::Enroll(Box::new(Wizard::correcting(
            station.info().precincts.clone(),
            config.capture,
            config.station.admission(),
            old,
            citizen,
        )));
    }

    /// Prints the receipt, or writes it as a PDF to the USB stick, off the UI thread (printing
    /// waits for CUPS). Nothing is left on the laptop: the PDF printed from is written to a
    /// private temporary folder, removed once the printer has it.
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
            date: self.i18n.date_text(&saved.date),
            station_id: info.station_id.as_str().to_owned(),
            station_name: info.name.clone(),
        };
        let i18n = &self.i18n;
        // A training record's receipt says so where a citizen reads first.
        let (title, note) = if saved.training {
            ("receipt-title-training", "receipt-training")
        } else {
            ("receipt-title", "receipt-note")
        };
        let labels = crate::receipt::ReceiptLabels {
            title: i18n.tr(title),
            registration_id: i18n.tr("receipt-registration-id"),
            name: i18n.tr("receipt-name"),
            precinct: i18n.tr("field-precinct"),
            date: i18n.tr("receipt-date"),
            station: i18n.tr("receipt-station"),
            note: i18n.tr(note),
        };
        let mount_table = self.mount_table.clone();
        self.job = Some(Job::spawn(ctx, move || -> Then {
            let result = if print {
                print_receipt(&receipt, &labels)
            } else {
                let media = crate::ui::supervisor::media::read_removable_media(&mount_table);
                receipt_to_stick(&receipt, &labels, &media)
            };
            Box::new(move |app: &mut App| {
                if let Screen::Enroll(wizard) = &mut app.screen
                    && let Some(saved) = wizard.receipt_mut()
                {
                    match result {
                        Ok(path) => {
                            // A printed receipt's PDF is gone already: only the stick's is named.
                            saved.pdf = (!print).then_some(path);
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
}

/// Carries out a save through the workflow's one path and, once stored, counts the operator's
/// day again. When the prints match saved records, those records are loaded with their pictures
/// beside the draft's, for the duplicate stop.
fn save(
    station: &mut Station,
    session: &Session,
    request: SaveRequest,
    now: Timestamp,
) -> (
    crate::workflow::Event,
    Option<TodayCounts>,
    Option<(people::Probe, Vec<people::MatchedPerson>)>,
) {
    let mut captures: Vec<crate::domain::Capture> = request
        .draft()
        .captures
        .iter()
        .filter(|c| matches!(c.kind, BiometricKind::Face | BiometricKind::Finger))
        .cloned()
        .collect();
    let (result, event) = perform::save(station, session, request, now);
    let compared = match &result {
        Err(station::Error::DuplicatePerson { matches }) => {
            people::load(station, session, matches, now)
                .inspect_err(|e| tracing::warn!(error = %e, "matched records could not be loaded"))
                .ok()
                .map(|people| (people::Probe::new(&captures), people))
        }
        _ => None,
    };
    for c in &mut captures {
        zeroize::Zeroize::zeroize(&mut c.data);
    }
    let today = result
        .ok()
        .and_then(|_| today_counts(station, session, now).ok());
    (event, today, compared)
}

/// The operator's records since midnight (UTC, as records are timestamped).
pub(super) fn today_counts(
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
    // A supervisor also sees what waits for them from every registrar of the station.
    let station_pending = if session.role() >= crate::domain::Role::Supervisor {
        Some(
            station
                .record_counts(session, &RecordFilter::default(), now)?
                .pending,
        )
    } else {
        None
    };
    Ok(TodayCounts {
        saved: c.total(),
        pending: c.pending,
        approved: c.approved + c.exported,
        rejected: c.rejected,
        station_pending,
    })
}

/// Prints `receipt` from a PDF in a private temporary folder, removed when this returns.
fn print_receipt(
    receipt: &crate::receipt::Receipt,
    labels: &crate::receipt::ReceiptLabels,
) -> Result<std::path::PathBuf, (Notice, Option<std::path::PathBuf>)> {
    let dir = tempfile::Builder::new()
        .prefix("kattoo-receipt-")
        .tempdir()
        .map_err(|e| (Notice::Detail("receipt-error-save", e.to_string()), None))?;
    let path = receipt
        .save_pdf(labels, dir.path())
        .map_err(|e| (Notice::Detail(e.message_id(), e.to_string()), None))?;
    crate::receipt::print(&path)
        .map_err(|e| (Notice::Detail(e.message_id(), e.to_string()), None))?;
    Ok(path)
}

/// Writes `receipt` as a PDF to the first writable USB stick.
fn receipt_to_stick(
    receipt: &crate::receipt::Receipt,
    labels: &crate::receipt::ReceiptLabels,
    media: &[crate::ui::supervisor::media::MountedMedium],
) -> Result<std::path::PathBuf, (Notice, Option<std::path::PathBuf>)> {
    let stick = media
        .iter()
        .find(|m| !m.read_only)
        .ok_or((Notice::Message("receipt-no-stick"), None))?;
    receipt
        .save_pdf(labels, &stick.path)
        .map_err(|e| (Notice::Detail(e.message_id(), e.to_string()), None))
}
