//! The two hands, each finger coloured by its state and tappable, and the legend under them with
//! the thumbnails of the exception photos.

use super::*;

/// How a finger is drawn on the diagram and in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shade {
    Empty,
    Captured,
    Forced,
    Missing,
}

impl Shade {
    fn of(slot: &FingerSlot) -> Shade {
        match slot {
            FingerSlot::Empty => Shade::Empty,
            FingerSlot::Captured(c) if c.forced => Shade::Forced,
            FingerSlot::Captured(_) => Shade::Captured,
            FingerSlot::Missing { .. } => Shade::Missing,
        }
    }

    fn color(self) -> Color32 {
        match self {
            Shade::Empty => Color32::from_gray(170),
            Shade::Forced => Color32::from_rgb(0xe6, 0x7e, 0x22),
            Shade::Captured => crate::ui::theme::FILL_OK,
            Shade::Missing => Color32::from_rgb(0x45, 0x5a, 0x64),
        }
    }
}

/// The width of the hands drawing.
pub(super) const HANDS_WIDTH: f32 = 560.0;
/// A finger's width on the drawing: a touch target (48 px at least).
const FINGER_WIDTH: f32 = 48.0;
/// From one finger to the next.
const FINGER_STEP: f32 = 52.0;
/// Room left of the right palm for its thumb, turned out.
const THUMB_ROOM: f32 = 64.0;

impl FingerStep {
    /// The two hands, each finger coloured by its state; returns the finger tapped.
    pub(super) fn hands(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        state: &State,
    ) -> Option<FingerPosition> {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(HANDS_WIDTH, 250.0), Sense::hover());
        let mut tapped = None;
        // Left hand on the left as the registrar faces the citizen's palms: little … index,
        // the thumb on the inner side of each palm, turned out as a thumb is.
        use FingerPosition::*;
        let skin = if ui.visuals().dark_mode {
            Color32::from_gray(70)
        } else {
            Color32::from_gray(222)
        };
        for (fingers, thumb, x0, outward) in [
            (
                [LeftLittle, LeftRing, LeftMiddle, LeftIndex],
                LeftThumb,
                rect.left() + 4.0,
                1.0,
            ),
            (
                [RightIndex, RightMiddle, RightRing, RightLittle],
                RightThumb,
                rect.left() + 336.0 - THUMB_ROOM,
                -1.0,
            ),
        ] {
            // The left palm's thumb side is its right; the right palm's is its left.
            let palm_x = if outward > 0.0 { x0 } else { x0 + THUMB_ROOM };
            let palm = Rect::from_min_size(
                Pos2::new(palm_x, rect.top() + 130.0),
                Vec2::new(4.0 * FINGER_STEP + 8.0, 110.0),
            );
            ui.painter().rect_filled(palm, 34.0, skin);
            let heights = if outward > 0.0 {
                [0.55, 0.78, 0.88, 0.78]
            } else {
                [0.78, 0.88, 0.78, 0.55]
            };
            for (i, p) in fingers.into_iter().enumerate() {
                let h = 120.0 * heights[i];
                let left = palm.left() + 6.0 + i as f32 * FINGER_STEP;
                let finger = Rect::from_min_max(
                    Pos2::new(left, palm.top() - h + 10.0),
                    Pos2::new(left + FINGER_WIDTH, palm.top() + 36.0),
                );
                let fill = Shade::of(state.finger(p)).color();
                if self.finger_widget(ui, i18n, p, finger, &mut tapped) {
                    ui.painter().rect_stroke(
                        finger.expand(2.0),
                        FINGER_WIDTH / 2.0 + 2.0,
                        Stroke::new(4.0, crate::ui::theme::ACCENT),
                        egui::StrokeKind::Outside,
                    );
                }
                ui.painter().rect_filled(finger, FINGER_WIDTH / 2.0, fill);
                if let FingerSlot::Missing { .. } = state.finger(p) {
                    ui.painter().line_segment(
                        [finger.left_top(), finger.right_bottom()],
                        Stroke::new(3.0, Color32::WHITE),
                    );
                }
            }
            // The thumb: a capsule from the palm's inner side, turned out by about 40°.
            let base = if outward > 0.0 {
                palm.right_top() + Vec2::new(-22.0, 62.0)
            } else {
                palm.left_top() + Vec2::new(22.0, 62.0)
            };
            let dir = Vec2::new(outward * 0.64, -0.77);
            let tip = base + dir * 78.0;
            let half = FINGER_WIDTH / 2.0;
            let area = Rect::from_two_pos(base, tip).expand(half);
            let selected = self.finger_widget(ui, i18n, thumb, area, &mut tapped);
            let fill = Shade::of(state.finger(thumb)).color();
            let across = Vec2::new(-dir.y, dir.x) * half;
            let body = vec![base + across, tip + across, tip - across, base - across];
            let outline = Stroke::new(4.0, crate::ui::theme::ACCENT);
            if selected {
                for c in [base, tip] {
                    ui.painter().circle_stroke(c, half + 2.0, outline);
                }
                ui.painter()
                    .add(egui::Shape::closed_line(body.clone(), outline));
            }
            ui.painter()
                .add(egui::Shape::convex_polygon(body, fill, Stroke::NONE));
            for c in [base, tip] {
                ui.painter().circle_filled(c, half, fill);
            }
            if let FingerSlot::Missing { .. } = state.finger(thumb) {
                ui.painter().line_segment(
                    [base - across, tip + across],
                    Stroke::new(3.0, Color32::WHITE),
                );
            }
            let label = if outward > 0.0 {
                "fingers-left-hand"
            } else {
                "fingers-right-hand"
            };
            ui.painter().text(
                palm.center() + Vec2::new(0.0, 22.0),
                egui::Align2::CENTER_CENTER,
                i18n.tr(label),
                egui::FontId::proportional(19.0),
                ui.visuals().text_color(),
            );
        }
        tapped
    }

    /// A finger's tap area, spoken by its name; records a tap in `tapped`. Whether it is the
    /// finger chosen.
    fn finger_widget(
        &self,
        ui: &mut Ui,
        i18n: &I18n,
        p: FingerPosition,
        area: Rect,
        tapped: &mut Option<FingerPosition>,
    ) -> bool {
        let id = ui.scope_id().with(("finger", p.code()));
        let response = ui
            .interact(area, id, Sense::click())
            .on_hover_text(i18n.tr(finger_message(p)));
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, i18n.tr(finger_message(p)))
        });
        if response.clicked() {
            *tapped = Some(p);
        }
        self.selected == Some(p)
    }

    pub(super) fn legend(&mut self, ui: &mut Ui, i18n: &I18n, state: &State) {
        // Two chips a row, each beside its label: they never wrap apart.
        egui::Grid::new("finger-legend")
            .num_columns(2)
            .spacing([24.0, 6.0])
            .show(ui, |ui| {
                for (i, (shade, id)) in [
                    (Shade::Empty, "fingers-legend-empty"),
                    (Shade::Captured, "fingers-legend-captured"),
                    (Shade::Forced, "fingers-legend-forced"),
                    (Shade::Missing, "fingers-legend-missing"),
                ]
                .into_iter()
                .enumerate()
                {
                    ui.horizontal(|ui| {
                        let (r, _) = ui.allocate_exact_size(Vec2::splat(18.0), Sense::hover());
                        ui.painter().rect_filled(r, 4.0, shade.color());
                        ui.label(i18n.tr(id));
                    });
                    if i % 2 == 1 {
                        ui.end_row();
                    }
                }
            });
        let done = FingerPosition::ALL
            .iter()
            .filter(|p| {
                !matches!(
                    state.finger(**p),
                    FingerSlot::Empty | FingerSlot::Missing { photo: None, .. }
                )
            })
            .count();
        ui.label(RichText::new(i18n.tr_args("fingers-done", &[("count", done.into())])).strong());
        // Thumbnails of exception photos, made again only when a photo changes.
        for p in FingerPosition::ALL {
            let photo = match state.finger(p) {
                FingerSlot::Missing {
                    photo: Some(photo), ..
                } => photo,
                _ => {
                    self.thumbs.retain(|(q, _, _)| *q != p);
                    continue;
                }
            };
            let key = capture_key(photo);
            if self.thumbs.iter().any(|(q, k, _)| *q == p && *k == key) {
                continue;
            }
            self.thumbs.retain(|(q, _, _)| *q != p);
            if let Some(image) = capture_image(photo, (320, 180)) {
                let texture = ui.ctx().load_texture(
                    format!("exception-{}", p.code()),
                    image,
                    Default::default(),
                );
                self.thumbs.push((p, key, texture));
            }
        }
    }
}
