//! The supervisor's statistics: enrollments, rejections, forced captures and average fingerprint
//! quality per day, per operator and per precinct, computed from the stored records. Training
//! records are left out (they are counted apart), so practice does not colour the station's
//! figures.

use super::{Result, Session, Station};
use crate::domain::{BiometricKind, Role, Timestamp};
use crate::store::{RecordFilter, RecordStatus};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The figures of one group of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records saved.
    pub enrollments: u64,
    /// Of those, rejected by a supervisor.
    pub rejections: u64,
    /// Captures kept after the last try although below the quality asked (`forced`).
    pub forced: u64,
    /// Sum of the fingerprint quality scores (0–100) that were computed.
    pub quality_sum: u64,
    /// How many fingerprint quality scores were summed.
    pub quality_count: u64,
}

impl Tally {
    /// The mean fingerprint quality (0–100), rounded; `None` when no score was computed.
    pub fn average_quality(&self) -> Option<u8> {
        (self.quality_count > 0).then(|| {
            ((self.quality_sum + self.quality_count / 2) / self.quality_count).min(100) as u8
        })
    }

    fn add(&mut self, record: &RecordFigures, rejected: bool) {
        self.enrollments += 1;
        self.rejections += u64::from(rejected);
        for b in &record.biometrics {
            self.forced += u64::from(b.forced);
            if b.kind == BiometricKind::Finger
                && let Some(q) = b.quality
            {
                self.quality_sum += u64::from(q.min(100));
                self.quality_count += 1;
            }
        }
    }
}

/// The station's figures, each group sorted by its key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statistics {
    /// Per day (`YYYY-MM-DD`, UTC as records are timestamped).
    pub by_day: Vec<(String, Tally)>,
    /// Per operator login.
    pub by_operator: Vec<(String, Tally)>,
    /// Per precinct number.
    pub by_precinct: Vec<(String, Tally)>,
    /// Every non-training record.
    pub total: Tally,
    /// Training records, not counted above.
    pub training_records: u64,
}

/// The few fields of a signed record the figures need.
#[derive(Deserialize)]
struct RecordFigures {
    citizen: CitizenFigures,
    biometrics: Vec<BiometricFigures>,
}

#[derive(Deserialize)]
struct CitizenFigures {
    precinct: String,
}

#[derive(Deserialize)]
struct BiometricFigures {
    kind: BiometricKind,
    quality: Option<u8>,
    forced: bool,
}

impl Station {
    /// Enrollments, rejections, forced captures and average fingerprint quality per day,
    /// operator and precinct (supervisors and admins).
    pub fn statistics(&mut self, session: &Session, now: Timestamp) -> Result<Statistics> {
        self.require(session, Role::Supervisor, "view statistics", None, now)?;
        let records = self.store.db().records(&RecordFilter::default())?;
        let mut by_day: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_operator: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_precinct: BTreeMap<String, Tally> = BTreeMap::new();
        let mut stats = Statistics::default();
        for stored in records {
            if stored.training {
                stats.training_records += 1;
                continue;
            }
            let figures: RecordFigures =
                serde_json::from_slice(&stored.record_json).map_err(|e| {
                    crate::store::Error::Corrupt(format!("record {}: {e}", stored.registration_id))
                })?;
            let rejected = stored.status == RecordStatus::Rejected;
            let day = stored.created_at.get(..10).unwrap_or(&stored.created_at);
            by_day
                .entry(day.to_owned())
                .or_default()
                .add(&figures, rejected);
            by_operator
                .entry(stored.operator.clone())
                .or_default()
                .add(&figures, rejected);
            by_precinct
                .entry(figures.citizen.precinct.clone())
                .or_default()
                .add(&figures, rejected);
            stats.total.add(&figures, rejected);
        }
        stats.by_day = by_day.into_iter().collect();
        stats.by_operator = by_operator.into_iter().collect();
        stats.by_precinct = by_precinct.into_iter().collect();
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::Tally;
    use crate::domain::{BiometricKind, Role};
    use crate::station::tests::{add_operator, at, draft, now, setup};

    #[test]
    fn figures_per_day_operator_and_precinct() {
        let (_dir, mut st, admin) = setup();
        let aibek = add_operator(&mut st, &admin, "aibek", Role::Registrar);
        // Fingers of quality 60 and 80 alternately, one forced capture.
        let mut first = draft(1);
        for (i, c) in first
            .captures
            .iter_mut()
            .filter(|c| c.kind == BiometricKind::Finger)
            .enumerate()
        {
            c.quality = Some(if i % 2 == 0 { 60 } else { 80 });
            c.forced = i == 0;
        }
        let a = st.enroll(&aibek, first, now()).unwrap();
        let mut other_precinct = draft(2);
        other_precinct.citizen.precinct = Some("1102".into());
        let b = st.enroll(&aibek, other_precinct, at(86_400)).unwrap();
        let c = st.enroll(&admin, draft(3), at(86_400)).unwrap();
        st.reject(&admin, b.as_str(), "blurred face", at(86_400))
            .unwrap();
        st.set_training(&admin, true, at(86_400)).unwrap();
        st.enroll(&admin, draft(4), at(86_400)).unwrap();
        let _ = (a, c);

        let stats = st.statistics(&admin, at(86_400)).unwrap();
        assert_eq!(stats.training_records, 1);
        let first_day = Tally {
            enrollments: 1,
            rejections: 0,
            forced: 1,
            quality_sum: 700,
            quality_count: 10,
        };
        assert_eq!(stats.total.enrollments, 3);
        assert_eq!(stats.total.rejections, 1);
        assert_eq!(stats.total.forced, 1);
        assert_eq!(stats.total.average_quality(), Some(70));
        assert_eq!(
            stats.by_day,
            [
                ("2026-11-27".to_owned(), first_day),
                (
                    "2026-11-28".to_owned(),
                    Tally {
                        enrollments: 2,
                        rejections: 1,
                        ..Tally::default()
                    }
                ),
            ]
        );
        let operators: Vec<(&str, u64, u64)> = stats
            .by_operator
            .iter()
            .map(|(k, t)| (k.as_str(), t.enrollments, t.rejections))
            .collect();
        assert_eq!(operators, [("admin", 1, 0), ("aibek", 2, 1)]);
        let precincts: Vec<(&str, u64)> = stats
            .by_precinct
            .iter()
            .map(|(k, t)| (k.as_str(), t.enrollments))
            .collect();
        assert_eq!(precincts, [("1101", 2), ("1102", 1)]);
        assert_eq!(stats.by_day[1].1.average_quality(), None);
    }

    #[test]
    fn a_registrar_sees_no_statistics() {
        let (_dir, mut st, admin) = setup();
        let aibek = add_operator(&mut st, &admin, "aibek", Role::Registrar);
        assert!(matches!(
            st.statistics(&aibek, now()),
            Err(crate::station::Error::PermissionDenied { .. })
        ));
    }
}
