//! Finding a citizen by fingerprint: the station's identification on its worker, the records
//! found loaded with their pictures beside the fingers scanned.

use super::*;
use crate::domain::Capture;
use crate::ui::people;
use crate::ui::screens::identify::Found;

impl App {
    pub(super) fn identify(
        &mut self,
        ctx: &egui::Context,
        mut fingers: Vec<Capture>,
        now: Timestamp,
    ) {
        let Some((session, _)) = self.session.clone() else {
            return;
        };
        self.run(
            ctx,
            move |station| {
                let started = std::time::Instant::now();
                let found = station.identify(&session, &fingers, now);
                let millis = started.elapsed().as_millis();
                let found = found.and_then(|matches| {
                    Ok(Found {
                        probe: people::Probe::new(&fingers),
                        people: people::load(station, &session, &matches, now)?,
                        millis,
                    })
                });
                for f in &mut fingers {
                    zeroize::Zeroize::zeroize(&mut f.data);
                }
                found
            },
            |app, found| {
                if let Screen::Identify(screen) = &mut app.screen {
                    match found {
                        Ok(found) => screen.found(found),
                        Err(e) => screen.notice = Some(notice_for(&e)),
                    }
                }
            },
        );
    }
}
