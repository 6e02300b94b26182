//! Writing the station's certificate and public key to a medium, so central can register the
//! station (the key fingerprint is checked out of band). The files are copied the way batches
//! are: temporary name, sync, rename, read back.

use super::{Result, Session, Station};
use crate::batch::{self, Medium};
use crate::domain::{Role, Timestamp};
use std::path::PathBuf;

impl Station {
    /// Writes `station-<id>.json` (the signed certificate) and `station-<id>.pub` (the PEM public
    /// key) to `medium` (supervisor) and returns their paths there.
    pub fn write_certificate(
        &mut self,
        session: &Session,
        medium: &dyn Medium,
        now: Timestamp,
    ) -> Result<Vec<PathBuf>> {
        self.require(
            session,
            Role::Supervisor,
            "write the station certificate",
            None,
            now,
        )?;
        let (name, bytes) = self.certificate()?;
        let id = self.info.station_id.to_string();
        let files = [
            (name, bytes),
            (
                format!("station-{id}.pub"),
                self.info.public_key.to_pem().into_bytes(),
            ),
        ];
        let mut written = Vec::new();
        for (name, bytes) in files {
            let local = self.data_dir.join(format!("{name}.out"));
            std::fs::write(&local, &bytes).map_err(super::io(&local))?;
            let sha = batch::bag::sha256_hex(&bytes);
            let copied = batch::medium::copy_to_medium(medium, &local, &name, &sha, &mut |_| {});
            let _ = std::fs::remove_file(&local);
            copied?;
            written.push(medium.path(&name));
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use crate::batch::DirMedium;
    use crate::domain::Role;
    use crate::station::tests::{add_operator, now, setup};

    #[test]
    fn the_certificate_and_key_are_written_and_read_back() {
        let (dir, mut st, admin) = setup();
        let stick = dir.path().join("stick");
        std::fs::create_dir(&stick).unwrap();
        let medium = DirMedium(stick.clone());
        let written = st.write_certificate(&admin, &medium, now()).unwrap();
        assert_eq!(
            written,
            [
                stick.join("station-KG1101.json"),
                stick.join("station-KG1101.pub")
            ]
        );
        let cert = std::fs::read(&written[0]).unwrap();
        assert_eq!(cert, st.certificate().unwrap().1);
        let pem = std::fs::read_to_string(&written[1]).unwrap();
        assert_eq!(pem, st.info().public_key.to_pem());
        // Nothing is left behind in the data directory or on the stick.
        let leftovers: Vec<_> = std::fs::read_dir(st.data_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".out"))
            .collect();
        assert!(leftovers.is_empty());
        assert_eq!(std::fs::read_dir(&stick).unwrap().count(), 2);

        let registrar = add_operator(&mut st, &admin, "aibek", Role::Registrar);
        assert!(st.write_certificate(&registrar, &medium, now()).is_err());
    }
}
