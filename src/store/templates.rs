//! Fingerprint templates of the station's records, for duplicate search and identification.
//!
//! Each finger of a record has one ISO/IEC 19794-2:2005 minutiae record, extracted by the
//! station when the record is saved (or by the back-fill after an upgrade). Templates are
//! biometric data: they stay in this encrypted store and never leave in a batch (central
//! extracts its own).

use super::{Db, Result};
use rusqlite::params;

/// One finger's template as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub registration_id: String,
    /// ISO/IEC 19794-4 finger position 1–10.
    pub position: u8,
    /// The ISO/IEC 19794-2 record.
    pub iso: Vec<u8>,
}

impl std::fmt::Debug for StoredTemplate {
    // Never print template bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StoredTemplate({} finger {}, {} bytes)",
            self.registration_id,
            self.position,
            self.iso.len()
        )
    }
}

/// A row of `SELECT registration_id, position, template`.
fn stored_template(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTemplate> {
    Ok(StoredTemplate {
        registration_id: r.get(0)?,
        position: r.get(1)?,
        iso: r.get(2)?,
    })
}

impl Db<'_> {
    /// Stores the templates of a record's fingers (replacing any earlier ones).
    pub fn insert_templates(
        &self,
        registration_id: &str,
        templates: &[(u8, Vec<u8>)],
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(
            "INSERT OR REPLACE INTO templates (registration_id, position, template)
             VALUES (?1, ?2, ?3)",
        )?;
        for (position, iso) in templates {
            stmt.execute(params![registration_id, position, iso])?;
        }
        let mut mark = self
            .0
            .prepare_cached("UPDATE records SET templates_done = 1 WHERE registration_id = ?1")?;
        mark.execute([registration_id])?;
        Ok(())
    }

    /// The templates of the records a duplicate search looks at: every record of the given
    /// training flag that is not rejected and not superseded, exported ones included.
    pub fn searchable_templates(&self, training: bool) -> Result<Vec<StoredTemplate>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT t.registration_id, t.position, t.template FROM templates t
             JOIN records r ON r.registration_id = t.registration_id
             WHERE r.status != 'rejected' AND r.superseded_by IS NULL AND r.training = ?1
             ORDER BY r.sequence, t.position",
        )?;
        let rows = stmt
            .query_map([training], stored_template)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The templates of one record.
    pub fn record_templates(&self, registration_id: &str) -> Result<Vec<StoredTemplate>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT registration_id, position, template FROM templates
             WHERE registration_id = ?1 ORDER BY position",
        )?;
        let rows = stmt
            .query_map([registration_id], stored_template)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records whose templates were never extracted (saved before templates existed), oldest
    /// first.
    pub fn records_without_templates(&self) -> Result<Vec<String>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT registration_id FROM records WHERE templates_done = 0 ORDER BY sequence",
        )?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// Deletes every template and marks every record as waiting for them, as a store upgraded
    /// from before templates existed (tests of the back-fill).
    #[cfg(test)]
    pub(crate) fn forget_templates(&self) -> Result<()> {
        self.0.execute("DELETE FROM templates", [])?;
        self.0
            .execute("UPDATE records SET templates_done = 0", [])?;
        Ok(())
    }
}
