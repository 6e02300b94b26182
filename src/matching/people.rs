//! People rather than fingers: the template of a stored finger file, and a search index of people
//! by registration id over their fingers by position. The station searches its own records with
//! it before signing a new one; central searches the records of every station at import.

use super::iso19794_2::{self, MinutiaeRecord};
use super::search::{Gallery, ProbeFinger};
use super::template::Template;
use crate::domain::{BiometricFormat, FingerPosition};

/// A record whose fingers match the ones searched.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMatch {
    pub registration_id: String,
    /// The fused score: the mean of the searched fingers' scores.
    pub score: f32,
    /// Each searched finger with its score.
    pub fingers: Vec<(FingerPosition, f32)>,
}

/// The template of a finger file: its image decoded (PNG, or the image inside an ISO/IEC
/// 19794-4 record) and its minutiae extracted. `None` for a file with no usable image (too
/// small, not a finger); such a finger is stored and shown but not searched. `ppi` is what the
/// record says of a PNG (500 when it says nothing); an ISO record carries its own.
pub fn finger_template(format: BiometricFormat, data: &[u8], ppi: Option<u32>) -> Option<Template> {
    let (image, ppi) = match format {
        BiometricFormat::Png => (
            crate::domain::imaging::decode(data, Some(image::ImageFormat::Png))
                .ok()?
                .to_luma8(),
            ppi.unwrap_or(500),
        ),
        BiometricFormat::Iso19794_4 => {
            let record = crate::iso19794::FingerRecord::decode(data).ok()?;
            let rep = record.representations.first()?;
            let gray = rep.decode_image().ok()?;
            (
                image::GrayImage::from_raw(gray.width, gray.height, gray.pixels)?,
                rep.ppi(),
            )
        }
        BiometricFormat::Iso19794_5 => return None,
    };
    super::extract::extract(&image, ppi).ok()
}

/// A template as the ISO/IEC 19794-2 record that stores keep, under its finger's position.
pub fn iso_record(position: FingerPosition, t: &Template) -> Result<Vec<u8>, iso19794_2::IsoError> {
    iso19794_2::write(&MinutiaeRecord::from_template(t, position.code()))
}

/// A stored ISO/IEC 19794-2 record read back with its position code, or `None` when it does not
/// read (it is then not searched).
pub fn stored_template(position: u8, iso: &[u8]) -> Option<(FingerPosition, Template)> {
    let position = FingerPosition::try_from(position).ok()?;
    Some((position, iso19794_2::read(iso).ok()?.into_template()))
}

/// The first `n` of the `preferred` positions that `templates` has, as a probe.
pub fn probe_fingers<'a>(
    preferred: &[FingerPosition],
    templates: &'a [(FingerPosition, Template)],
    n: usize,
) -> Vec<(FingerPosition, &'a Template)> {
    preferred
        .iter()
        .filter_map(|p| templates.iter().find(|(q, _)| q == p).map(|(p, t)| (*p, t)))
        .take(n)
        .collect()
}

/// People by registration id over some finger positions, ready for 1:N search.
pub struct PeopleIndex {
    gallery: Gallery,
    /// Registration id of each gallery person, by person number.
    ids: Vec<String>,
    /// The gallery slot of each finger position (by position code − 1), if it is held.
    slots: [Option<usize>; 10],
}

impl Default for PeopleIndex {
    /// An index of all ten fingers.
    fn default() -> Self {
        Self::for_positions(&FingerPosition::ALL)
    }
}

impl PeopleIndex {
    /// An index of these finger positions only (others are neither held nor searched), so a
    /// gallery that holds two fingers of six possible ones spends no memory on the other four.
    pub fn for_positions(positions: &[FingerPosition]) -> Self {
        let mut slots = [None; 10];
        let mut n = 0;
        for p in positions {
            let s = &mut slots[usize::from(p.code() - 1)];
            if s.is_none() {
                *s = Some(n);
                n += 1;
            }
        }
        Self {
            gallery: Gallery::new(n),
            ids: Vec::new(),
            slots,
        }
    }

    fn slot(&self, p: FingerPosition) -> Option<usize> {
        self.slots[usize::from(p.code() - 1)]
    }

    /// Adds a person with the fingers they have.
    pub fn add(&mut self, id: &str, templates: &[(FingerPosition, Template)]) {
        let mut fingers: [Option<&Template>; 10] = [None; 10];
        for (p, t) in templates {
            if let Some(slot) = self.slot(*p) {
                fingers[slot] = Some(t);
            }
        }
        self.gallery.add(self.ids.len() as u64, &fingers);
        self.ids.push(id.to_owned());
    }

    /// Adds stored rows `(registration id, position code, ISO record)`, ordered by registration
    /// id: one person per run of one id. Rows that do not read are left out. Templates are
    /// prepared on all cores.
    pub fn add_stored<'a>(&mut self, rows: impl IntoIterator<Item = (&'a str, u8, &'a [u8])>) {
        const CHUNK: usize = 4096;
        let mut pending: Vec<(u64, Vec<Option<Template>>)> = Vec::new();
        let mut current: Option<&str> = None;
        for (id, position, iso) in rows {
            if current != Some(id) {
                if pending.len() >= CHUNK {
                    self.gallery.add_all(&pending);
                    pending.clear();
                }
                current = Some(id);
                pending.push((self.ids.len() as u64, vec![None; self.gallery.slots()]));
                self.ids.push(id.to_owned());
            }
            if let Some((p, t)) = stored_template(position, iso)
                && let Some(slot) = self.slot(p)
            {
                pending.last_mut().expect("pushed above").1[slot] = Some(t);
            }
        }
        self.gallery.add_all(&pending);
        self.gallery.shrink_to_fit();
        self.ids.shrink_to_fit();
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Bytes held by the gallery and the registration ids.
    pub fn memory_bytes(&self) -> usize {
        self.gallery.memory_bytes()
            + self.ids.capacity() * std::mem::size_of::<String>()
            + self.ids.iter().map(String::capacity).sum::<usize>()
    }

    /// The people whose fused score over `probe` reaches `threshold`, best first, at most `k`.
    pub fn search(
        &self,
        probe: &[(FingerPosition, &Template)],
        threshold: f32,
        k: usize,
    ) -> Vec<PersonMatch> {
        // Fingers this index does not hold are not searched.
        let (positions, fingers): (Vec<FingerPosition>, Vec<ProbeFinger>) = probe
            .iter()
            .filter_map(|(p, t)| Some((*p, ProbeFinger::new(self.slot(*p)?, t))))
            .unzip();
        self.gallery
            .search(&fingers, k)
            .into_iter()
            .filter(|c| c.score >= threshold)
            .map(|c| PersonMatch {
                registration_id: self.ids[c.person as usize].clone(),
                score: c.score,
                fingers: positions.iter().copied().zip(c.fingers).collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fixtures;

    #[test]
    fn stored_people_are_found_by_their_own_fingers_and_not_by_others() {
        let t: Vec<Template> = fixtures::STEMS
            .iter()
            .map(|s| fixtures::template(s))
            .collect();
        let rows: Vec<(String, u8, Vec<u8>)> = [("KG-A", 0usize), ("KG-B", 2), ("KG-C", 4)]
            .iter()
            .flat_map(|&(id, i)| {
                [
                    (FingerPosition::RightIndex, i),
                    (FingerPosition::LeftIndex, i + 1),
                ]
                .map(|(p, j)| (id.to_owned(), p.code(), iso_record(p, &t[j]).unwrap()))
            })
            .collect();
        let mut index = PeopleIndex::default();
        index.add_stored(
            rows.iter()
                .map(|(id, p, iso)| (id.as_str(), *p, iso.as_slice())),
        );
        assert_eq!(index.len(), 3);
        // The other impression of each of KG-B's fingers.
        let probe = [
            (FingerPosition::RightIndex, &t[3]),
            (FingerPosition::LeftIndex, &t[2]),
        ];
        let found = index.search(&probe, 0.0, 3);
        assert_eq!(found[0].registration_id, "KG-B");
        assert!(found[0].score > found[1].score, "{found:?}");
        assert_eq!(found[0].fingers[0].0, FingerPosition::RightIndex);
        let strict = index.search(&probe, found[0].score + 0.001, 3);
        assert!(strict.is_empty(), "{strict:?}");
    }

    #[test]
    fn an_index_of_some_positions_holds_and_searches_only_those() {
        let t: Vec<Template> = fixtures::STEMS
            .iter()
            .map(|s| fixtures::template(s))
            .collect();
        let all = PeopleIndex::default();
        let two =
            PeopleIndex::for_positions(&[FingerPosition::RightIndex, FingerPosition::LeftIndex]);
        let mut both = [all, two];
        for index in &mut both {
            index.add(
                "KG-A",
                &[
                    (FingerPosition::RightIndex, t[0].clone()),
                    (FingerPosition::RightThumb, t[2].clone()),
                ],
            );
        }
        let [all, two] = both;
        assert!(two.memory_bytes() < all.memory_bytes());
        let by_index = [(FingerPosition::RightIndex, &t[1])];
        assert_eq!(two.search(&by_index, 0.05, 1)[0].registration_id, "KG-A");
        // The thumb is held by the full index only.
        let by_thumb = [(FingerPosition::RightThumb, &t[3])];
        assert_eq!(all.search(&by_thumb, 0.05, 1).len(), 1);
        assert!(two.search(&by_thumb, 0.0, 1).is_empty());
    }

    #[test]
    fn a_probe_takes_the_first_preferred_fingers_it_has() {
        let t: Vec<Template> = fixtures::STEMS
            .iter()
            .map(|s| fixtures::template(s))
            .collect();
        let have = vec![
            (FingerPosition::LeftThumb, t[0].clone()),
            (FingerPosition::LeftIndex, t[1].clone()),
            (FingerPosition::RightMiddle, t[2].clone()),
        ];
        let preferred = [
            FingerPosition::RightIndex,
            FingerPosition::LeftIndex,
            FingerPosition::RightThumb,
            FingerPosition::LeftThumb,
            FingerPosition::RightMiddle,
        ];
        let probe = probe_fingers(&preferred, &have, 2);
        let positions: Vec<_> = probe.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            positions,
            [FingerPosition::LeftIndex, FingerPosition::LeftThumb]
        );
    }
}
