//! People whose fingerprints matched, shown beside the person at the kiosk: the face photos,
//! each matching finger as taken now and as stored, and the scores. Used by the duplicate stop
//! of the enrollment wizard (the citizen being registered and the record already saved) and by
//! "Find by fingerprint" (the fingers just scanned and each candidate).
//!
//! Everything is read and decoded on the station's worker thread; the screen only draws.

use crate::domain::{BiometricKind, Capture, FingerPosition, Timestamp};
use crate::station::{self, PersonMatch, Session, Station};
use crate::store::RecordStatus;
use crate::ui::enroll::fingers::finger_message;
use crate::ui::i18n::I18n;
use crate::ui::picture::{Picture, decode};
use egui::{Color32, RichText, Ui, Vec2};

/// Face and finger boxes on a wide page, and in a narrow column.
const WIDE: (Vec2, Vec2) = (Vec2::new(150.0, 190.0), Vec2::new(120.0, 140.0));
const NARROW: (Vec2, Vec2) = (Vec2::new(120.0, 150.0), Vec2::new(100.0, 120.0));
/// The width of each person's column: two fingers side by side.
const COLUMN: f32 = 270.0;
/// The width of each person's column on a wide page: the face, then two fingers.
const WIDE_COLUMN: f32 = 440.0;
/// The height of each column's header, so both people's pictures line up.
const HEADER: f32 = 84.0;

/// A record whose fingers matched, as the screen shows it.
pub struct MatchedPerson {
    pub registration_id: String,
    pub name: String,
    pub masked_pin: String,
    pub precinct: String,
    pub status: RecordStatus,
    /// The fused score over the searched fingers.
    pub score: f32,
    face: Option<Picture>,
    /// Each searched finger: its score and the stored picture.
    fingers: Vec<(FingerPosition, f32, Option<Picture>)>,
}

/// The person at the kiosk: the face (while registering) and the fingers searched.
#[derive(Default)]
pub struct Probe {
    face: Option<Picture>,
    fingers: Vec<(FingerPosition, Picture)>,
}

impl Probe {
    /// Decodes the pictures of `captures` (call on the worker thread).
    pub fn new(captures: &[Capture]) -> Probe {
        let picture = |c: &Capture, max| decode(c.format, &c.data, max).map(Picture::Decoded);
        Probe {
            face: captures
                .iter()
                .find(|c| c.kind == BiometricKind::Face)
                .and_then(|c| picture(c, (300, 380))),
            fingers: captures
                .iter()
                .filter(|c| c.kind == BiometricKind::Finger)
                .filter_map(|c| Some((c.position?, picture(c, (220, 260))?)))
                .collect(),
        }
    }
}

/// Loads the records of `matches` with their face photos and the searched fingers' pictures
/// (call on the worker thread).
pub fn load(
    st: &mut Station,
    session: &Session,
    matches: &[PersonMatch],
    now: Timestamp,
) -> station::Result<Vec<MatchedPerson>> {
    let mut people = Vec::new();
    for m in matches {
        let (stored, record) = st.record(session, &m.registration_id, now)?;
        let mut picture = |kind, position: Option<FingerPosition>, max| -> station::Result<_> {
            let Some(b) = record
                .biometrics
                .iter()
                .find(|b| b.kind == kind && b.position == position)
            else {
                return Ok(None);
            };
            let bytes = st.biometric(session, &b.sha256, now)?;
            Ok(bytes
                .and_then(|bytes| decode(b.format, &bytes, max))
                .map(Picture::Decoded))
        };
        let face = picture(BiometricKind::Face, None, (300, 380))?;
        let mut fingers = Vec::new();
        for &(p, score) in &m.fingers {
            fingers.push((
                p,
                score,
                picture(BiometricKind::Finger, Some(p), (220, 260))?,
            ));
        }
        let c = &record.citizen;
        people.push(MatchedPerson {
            registration_id: m.registration_id.clone(),
            name: c.full_name(),
            masked_pin: c.pin.masked(),
            precinct: c.precinct.as_str().to_owned(),
            status: stored.status,
            score: m.score,
            face,
            fingers,
        });
    }
    Ok(people)
}

/// Draws `picture` in a box of `size`, or a grey box saying there is none.
fn picture_box(ui: &mut Ui, i18n: &I18n, picture: Option<&mut Picture>, name: &str, size: Vec2) {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    match picture {
        Some(picture) => {
            let texture = picture.texture(ui, name);
            let s = texture.size_vec2();
            let scale = (size.x / s.x).min(size.y / s.y);
            egui::Image::new((texture.id(), s * scale))
                .paint_at(ui, egui::Rect::from_center_size(rect.center(), s * scale));
        }
        None => {
            ui.painter().rect_filled(rect, 4.0, Color32::from_gray(220));
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                i18n.tr("sv-record-no-picture"),
                egui::FontId::proportional(14.0),
                Color32::from_gray(60),
            );
        }
    }
}

/// The status of a record as the home screen's search names it.
fn status_text(i18n: &I18n, status: RecordStatus) -> String {
    i18n.tr(&format!("home-status-{}", status.name()))
}

/// The person at the kiosk (left) and `person` (right), each as a column: who (the left
/// column's title, the record's name, number, masked PIN, status and fused score), the face,
/// then the searched fingers in a row, each with its score on the record's side. `probe_title`
/// names the left column ("This citizen", "Scanned now").
pub fn side_by_side(
    ui: &mut Ui,
    i18n: &I18n,
    probe: &mut Probe,
    probe_title: &str,
    person: &mut MatchedPerson,
) {
    let id = person.registration_id.clone();
    // On a wide page each person's face and fingers stand in one row; in a narrow column the
    // fingers go under the face.
    let wide = ui.available_width() >= 2.0 * WIDE_COLUMN + 12.0;
    let width = if wide { WIDE_COLUMN } else { COLUMN };
    let (face_box, finger_box) = if wide { WIDE } else { NARROW };
    let column = |ui: &mut Ui, header: &mut dyn FnMut(&mut Ui), body: &mut dyn FnMut(&mut Ui)| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.allocate_ui_with_layout(
                Vec2::new(width, HEADER),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_min_height(HEADER);
                    header(ui);
                },
            );
            if wide {
                ui.horizontal_top(|ui| body(ui));
            } else {
                body(ui);
            }
        });
    };
    ui.horizontal_top(|ui| {
        column(
            ui,
            &mut |ui| {
                ui.label(RichText::new(i18n.tr(probe_title)).strong().size(16.0));
            },
            &mut |ui| {
                // A search by finger alone has no face on the left: the space stays, empty.
                match probe.face.as_mut() {
                    Some(face) => picture_box(ui, i18n, Some(face), "probe-face", face_box),
                    None => {
                        ui.allocate_exact_size(face_box, egui::Sense::hover());
                    }
                }
                ui.horizontal_top(|ui| {
                    for (p, _, _) in &person.fingers {
                        let now = probe.fingers.iter_mut().find(|(q, _)| q == p);
                        ui.vertical(|ui| {
                            ui.label(RichText::new(i18n.tr(finger_message(*p))).size(14.0));
                            let name = format!("probe-{p}");
                            picture_box(ui, i18n, now.map(|(_, pic)| pic), &name, finger_box);
                        });
                    }
                });
            },
        );
        ui.add_space(12.0);
        let name = person.name.clone();
        let facts = format!(
            "{} · {} · {}",
            person.registration_id,
            person.masked_pin,
            status_text(i18n, person.status)
        );
        let score = i18n.tr_args(
            "people-score",
            &[("score", format!("{:.2}", person.score).into())],
        );
        column(
            ui,
            &mut |ui| {
                ui.label(RichText::new(&name).strong().size(16.0));
                ui.label(RichText::new(&facts).monospace().size(12.0));
                ui.label(RichText::new(&score).size(16.0));
            },
            &mut |ui| {
                picture_box(
                    ui,
                    i18n,
                    person.face.as_mut(),
                    &format!("{id}-face"),
                    face_box,
                );
                ui.horizontal_top(|ui| {
                    for (p, score, stored) in &mut person.fingers {
                        ui.vertical(|ui| {
                            let text = i18n.tr_args(
                                "people-finger-score",
                                &[
                                    ("finger", i18n.tr(finger_message(*p)).into()),
                                    ("score", format!("{score:.2}").into()),
                                ],
                            );
                            ui.label(RichText::new(text).size(14.0));
                            picture_box(
                                ui,
                                i18n,
                                stored.as_mut(),
                                &format!("{id}-{p}"),
                                finger_box,
                            );
                        });
                    }
                });
            },
        );
    });
}
