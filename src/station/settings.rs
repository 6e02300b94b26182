//! Settings a supervisor changes at the kiosk rather than in `config.toml`: training mode and the
//! device backends. Each is stored in the encrypted database with an audit row, and overrides the
//! configuration file every time the station is unlocked, so the choice survives a restart.

use super::{Error, Result, Session, Station};
use crate::audit::{Action, Event};
use crate::config::Config;
use crate::domain::{Role, Timestamp};
use crate::store::{self, Store};

/// The setting that holds training mode (`true` or `false`).
const TRAINING: &str = "station.training";
/// The setting that holds the device backends (a JSON list of names).
const BACKENDS: &str = "devices.backends";

/// The backend names this build can start.
pub const KNOWN_BACKENDS: &[&str] = &[
    "uvc",
    "sbi",
    #[cfg(all(feature = "libfprint", target_os = "linux"))]
    "libfprint",
    "sim",
];

fn corrupt(name: &str, e: serde_json::Error) -> store::Error {
    store::Error::Corrupt(format!("setting {name}: {e}"))
}

/// Applies the stored settings over `config` (called when the station is unlocked).
pub(super) fn apply(store: &Store, config: &mut Config) -> Result<()> {
    let db = store.db();
    if let Some(value) = db.setting(TRAINING)? {
        config.station.training = serde_json::from_str(&value).map_err(|e| corrupt(TRAINING, e))?;
    }
    if let Some(value) = db.setting(BACKENDS)? {
        config.devices.backends = serde_json::from_str(&value).map_err(|e| corrupt(BACKENDS, e))?;
    }
    Ok(())
}

impl Station {
    /// Switches training mode on or off (supervisor; audited). Records saved while it is on are
    /// flagged as training and never exported. The choice is kept in the database and wins over
    /// `[station] training` of the configuration at every later unlock.
    pub fn set_training(&mut self, session: &Session, on: bool, now: Timestamp) -> Result<()> {
        self.require(session, Role::Supervisor, "switch training mode", None, now)?;
        self.store.transaction(|db| -> Result<()> {
            db.set_setting(TRAINING, &on.to_string(), &now.to_string(), session.login())?;
            db.append_audit(
                &Event::new(Action::TrainingMode, now, Some(session.login()), None).with("on", on),
            )?;
            Ok(())
        })?;
        self.config.station.training = on;
        tracing::info!(on, operator = session.login(), "training mode switched");
        Ok(())
    }

    /// Chooses the device backends the kiosk starts with from the next start (admin; audited).
    /// Names are checked against [`KNOWN_BACKENDS`]; the devices running now are not touched.
    pub fn set_device_backends(
        &mut self,
        session: &Session,
        backends: &[String],
        now: Timestamp,
    ) -> Result<()> {
        self.require(
            session,
            Role::Admin,
            "choose the device backends",
            None,
            now,
        )?;
        let mut chosen: Vec<String> = Vec::new();
        for name in backends {
            let name = name.trim();
            if !KNOWN_BACKENDS.contains(&name) {
                return Err(Error::UnknownBackend(name.to_owned()));
            }
            if !chosen.iter().any(|c| c == name) {
                chosen.push(name.to_owned());
            }
        }
        if chosen.is_empty() {
            return Err(Error::NoBackend);
        }
        let value = serde_json::to_string(&chosen).expect("strings serialise");
        self.store.transaction(|db| -> Result<()> {
            db.set_setting(BACKENDS, &value, &now.to_string(), session.login())?;
            db.append_audit(
                &Event::new(Action::DeviceBackends, now, Some(session.login()), None)
                    .with("backends", chosen.join(" ")),
            )?;
            Ok(())
        })?;
        tracing::info!(backends = %chosen.join(" "), operator = session.login(), "device backends chosen");
        Ok(())
    }

    /// The device backends chosen at the kiosk for the next start, if any were.
    pub fn chosen_device_backends(&self) -> Result<Option<Vec<String>>> {
        self.store
            .db()
            .setting(BACKENDS)?
            .map(|v| serde_json::from_str(&v).map_err(|e| corrupt(BACKENDS, e).into()))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::Action;
    use crate::domain::Role;
    use crate::station::tests::{PASSPHRASE, add_operator, now, setup};
    use crate::station::{Error, Station};

    #[test]
    fn device_backends_are_chosen_by_an_admin_and_apply_at_the_next_unlock() {
        let (dir, mut st, admin) = setup();
        let supervisor = add_operator(&mut st, &admin, "bolot", Role::Supervisor);
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches!(
            st.set_device_backends(&supervisor, &names(&["sim"]), now()),
            Err(Error::PermissionDenied { .. })
        ));
        assert!(matches!(
            st.set_device_backends(&admin, &names(&["usb"]), now()),
            Err(Error::UnknownBackend(_) | Error::NoBackend)
        ));
        assert!(matches!(
            st.set_device_backends(&admin, &[], now()),
            Err(Error::UnknownBackend(_) | Error::NoBackend)
        ));
        assert_eq!(st.chosen_device_backends().unwrap(), None);
        st.set_device_backends(&admin, &names(&["sbi", "sim", "sbi"]), now())
            .unwrap();
        assert_eq!(
            st.chosen_device_backends().unwrap(),
            Some(names(&["sbi", "sim"]))
        );
        // The devices running now keep the configuration they were started with.
        assert_eq!(st.config().devices.backends, ["uvc", "sbi"]);
        let head = st.store.db().audit_head().unwrap().0;
        let row = st.store.db().audit_rows(head, head).unwrap().pop().unwrap();
        let event: crate::audit::Event = serde_json::from_slice(&row.event).unwrap();
        assert_eq!(event.action, Action::DeviceBackends);
        assert_eq!(event.detail["backends"], "sbi sim");
        drop(st);
        let st = Station::open(
            &dir.path().join("data"),
            PASSPHRASE,
            crate::station::tests::test_config(),
        )
        .unwrap();
        assert_eq!(st.config().devices.backends, ["sbi", "sim"]);
    }
}
