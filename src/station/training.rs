//! Clearing training mode's records: a trainer's practice runs are deleted in one transaction with
//! an audit row, with the biometric files that no real record shares. The audit rows that name
//! them stay, as every audit row does.

use super::{Result, Session, Station};
use crate::audit::{Action, Event};
use crate::domain::{Role, Timestamp};
use crate::store::TrainingDeletion;

impl Station {
    /// Number of records saved in training mode and not reset yet (supervisor).
    pub fn training_record_count(&mut self, session: &Session, now: Timestamp) -> Result<u64> {
        self.require(
            session,
            Role::Supervisor,
            "count training records",
            None,
            now,
        )?;
        Ok(self.store.db().training_record_count()?)
    }

    /// Deletes every training record, its links and the biometric files no other record uses
    /// (supervisor; one transaction with its audit row). Real records are never touched, except
    /// that a correction or duplicate link pointing at a training record is cleared.
    pub fn reset_training(
        &mut self,
        session: &Session,
        now: Timestamp,
    ) -> Result<TrainingDeletion> {
        self.require(
            session,
            Role::Supervisor,
            "reset training records",
            None,
            now,
        )?;
        let deleted = self.store.transaction(|db| -> Result<TrainingDeletion> {
            let deleted = db.delete_training_records()?;
            db.append_audit(
                &Event::new(Action::TrainingReset, now, Some(session.login()), None)
                    .with("records", deleted.records)
                    .with("biometrics", deleted.biometrics),
            )?;
            Ok(deleted)
        })?;
        self.drop_search_index();
        tracing::info!(
            records = deleted.records,
            biometrics = deleted.biometrics,
            operator = session.login(),
            "training records reset"
        );
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::Action;
    use crate::domain::Role;
    use crate::station::tests::{
        PASSPHRASE, add_operator, draft, draft_left_little_amputated, now, setup,
    };
    use crate::station::{Error, Station};
    use crate::store::{RecordFilter, RecordStatus, TrainingDeletion};

    fn last_action(st: &Station) -> (Action, serde_json::Map<String, serde_json::Value>) {
        let db = st.store.db();
        let (head, _) = db.audit_head().unwrap();
        let row = db.audit_rows(head, head).unwrap().pop().unwrap();
        let event: crate::audit::Event = serde_json::from_slice(&row.event).unwrap();
        (event.action, event.detail)
    }

    #[test]
    fn training_mode_is_audited_and_survives_a_restart_over_the_config() {
        let (dir, mut st, admin) = setup();
        let data = dir.path().join("data");
        assert!(!st.config().station.training);
        st.set_training(&admin, true, now()).unwrap();
        assert!(st.config().station.training);
        let (action, detail) = last_action(&st);
        assert_eq!(action, Action::TrainingMode);
        assert_eq!(detail["on"], true);
        let id = st.enroll(&admin, draft(1), now()).unwrap();
        assert!(st.store.db().record(id.as_str()).unwrap().unwrap().training);
        drop(st);

        // The stored choice wins over the configuration file, both ways.
        let mut st =
            Station::open(&data, PASSPHRASE, crate::station::tests::test_config()).unwrap();
        assert!(st.config().station.training);
        let admin = st
            .login("admin", crate::station::tests::ADMIN_PASSWORD, now())
            .unwrap();
        st.set_training(&admin, false, now()).unwrap();
        drop(st);
        let mut training_config = crate::station::tests::test_config();
        training_config.station.training = true;
        let st = Station::open(&data, PASSPHRASE, training_config).unwrap();
        assert!(!st.config().station.training);
        assert!(st.verify_audit().unwrap().is_ok());
    }

    #[test]
    fn a_registrar_may_not_switch_training_or_reset_it() {
        let (_dir, mut st, admin) = setup();
        let registrar = add_operator(&mut st, &admin, "aibek", Role::Registrar);
        assert!(matches!(
            st.set_training(&registrar, true, now()),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(!st.config().station.training);
        assert!(matches!(
            st.reset_training(&registrar, now()),
            Err(Error::PermissionDenied { .. })
        ));
        assert_eq!(last_action(&st).0, Action::Refusal);
        let supervisor = add_operator(&mut st, &admin, "bolot", Role::Supervisor);
        st.set_training(&supervisor, true, now()).unwrap();
        assert!(st.config().station.training);
    }

    #[test]
    fn reset_deletes_training_records_and_their_own_biometrics_only() {
        let (_dir, mut st, admin) = setup();
        let real = st.enroll(&admin, draft(1), now()).unwrap();
        st.set_training(&admin, true, now()).unwrap();
        // The same PIN again is no duplicate in training; its exception photo is its own file.
        let practice = [
            st.enroll(&admin, draft(1), now()).unwrap(),
            st.enroll(&admin, draft_left_little_amputated(2), now())
                .unwrap(),
        ];
        st.approve(&admin, &[real.to_string(), practice[0].to_string()], now())
            .unwrap();
        assert_eq!(st.training_record_count(&admin, now()).unwrap(), 2);
        // Training records are never exportable.
        assert_eq!(
            st.store.db().exportable_record_ids().unwrap(),
            [real.to_string()]
        );
        let files_before = st.store.db().biometric_count().unwrap();

        let deleted = st.reset_training(&admin, now()).unwrap();
        assert_eq!(
            deleted,
            TrainingDeletion {
                records: 2,
                biometrics: 1
            }
        );
        let (action, detail) = last_action(&st);
        assert_eq!(action, Action::TrainingReset);
        assert_eq!(
            (detail["records"].clone(), detail["biometrics"].clone()),
            (2.into(), 1.into())
        );
        assert_eq!(st.store.db().biometric_count().unwrap(), files_before - 1);
        assert_eq!(st.training_record_count(&admin, now()).unwrap(), 0);
        let left = st.records(&admin, &RecordFilter::default(), now()).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].registration_id, real.as_str());
        assert_eq!(left[0].status, RecordStatus::Approved);
        // The real record and its files still verify, and the audit chain is whole.
        let report = st.verify_all().unwrap();
        assert!(report.ok(), "{report:?}");
        assert_eq!(report.records_checked, 1);
        // Training stays on; a second reset finds nothing.
        assert!(st.config().station.training);
        assert_eq!(
            st.reset_training(&admin, now()).unwrap(),
            TrainingDeletion::default()
        );
    }

    #[test]
    fn a_real_record_correcting_a_training_record_loses_only_the_link() {
        let (_dir, mut st, admin) = setup();
        st.set_training(&admin, true, now()).unwrap();
        let practice = st.enroll(&admin, draft(1), now()).unwrap();
        st.set_training(&admin, false, now()).unwrap();
        let mut correction = draft(1);
        correction.supersedes = Some(practice.clone());
        let real = st.enroll(&admin, correction, now()).unwrap();
        st.reset_training(&admin, now()).unwrap();
        let stored = st.store.db().record(real.as_str()).unwrap().unwrap();
        assert_eq!(stored.supersedes, None);
        assert!(st.store.db().record(practice.as_str()).unwrap().is_none());
        assert!(st.verify_all().unwrap().ok());
    }
}
