//! Station settings changed from the kiosk (training mode, device backends): one JSON value per
//! name, with who set it and when. They override the configuration file when the station is
//! unlocked, so a choice made at the kiosk survives a restart.

use super::{Db, Result};
use rusqlite::{OptionalExtension, params};

impl Db<'_> {
    /// The JSON value stored under `name`, if it was ever set.
    pub fn setting(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores `value` (JSON) under `name`, replacing an earlier value.
    pub fn set_setting(&self, name: &str, value: &str, at: &str, by: &str) -> Result<()> {
        self.0.execute(
            "INSERT INTO settings (name, value, set_at, set_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET value = ?2, set_at = ?3, set_by = ?4",
            params![name, value, at, by],
        )?;
        Ok(())
    }
}
