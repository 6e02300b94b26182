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
            Shade::Missing => Color32::from_rgb(0x7f, 0x8c, 0x8d),
        }
    }
}

impl FingerStep {
    /// The two hands, each finger coloured by its state; returns the finger tapped.
    pub(super) fn hands(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        state: &State,
    ) -> Option<FingerPosition> {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(540.0, 260.0), Sense::hover());
        let mut tapped = None;
        // Left hand on the left as the registrar faces the citizen's palms: little … thumb.
        use FingerPosition::*;
        let left = [LeftLittle, LeftRing, LeftMiddle, LeftIndex, LeftThumb];
        let right = [RightThumb, RightIndex, RightMiddle, RightRing, RightLittle];
        let heights = [0.55, 0.75, 0.85, 0.75, 0.45];
        for (hand, x0, heights) in [
            (left, rect.left() + 10.0, heights),
            (right, rect.left() + 290.0, [0.45, 0.75, 0.85, 0.75, 0.55]),
        ] {
            let palm =
                Rect::from_min_size(Pos2::new(x0, rect.top() + 150.0), Vec2::new(240.0, 100.0));
            ui.painter()
                .rect_filled(palm, 20.0, Color32::from_gray(225));
            for (i, p) in hand.into_iter().enumerate() {
                let h = 140.0 * heights[i];
                let finger = Rect::from_min_size(
                    Pos2::new(x0 + 6.0 + i as f32 * 47.0, rect.top() + 150.0 - h),
                    Vec2::new(40.0, h + 30.0),
                );
                let id = ui.scope_id().with(("finger", p.code()));
                let response = ui
                    .interact(finger, id, Sense::click())
                    .on_hover_text(i18n.tr(finger_message(p)));
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, i18n.tr(finger_message(p)))
                });
                if response.clicked() {
                    tapped = Some(p);
                }
                let fill = Shade::of(state.finger(p)).color();
                ui.painter().rect_filled(finger, 18.0, fill);
                if self.selected == Some(p) {
                    ui.painter().rect_stroke(
                        finger,
                        18.0,
                        Stroke::new(4.0, crate::ui::theme::ACCENT),
                        egui::StrokeKind::Outside,
                    );
                }
                if let FingerSlot::Missing { .. } = state.finger(p) {
                    ui.painter().line_segment(
                        [finger.left_top(), finger.right_bottom()],
                        Stroke::new(3.0, Color32::WHITE),
                    );
                }
            }
            let label = if hand[0] == LeftLittle {
                "fingers-left-hand"
            } else {
                "fingers-right-hand"
            };
            ui.painter().text(
                palm.center(),
                egui::Align2::CENTER_CENTER,
                i18n.tr(label),
                egui::FontId::proportional(20.0),
                Color32::from_gray(60),
            );
        }
        tapped
    }

    pub(super) fn legend(&mut self, ui: &mut Ui, i18n: &I18n, state: &State) {
        ui.horizontal_wrapped(|ui| {
            for (shade, id) in [
                (Shade::Empty, "fingers-legend-empty"),
                (Shade::Captured, "fingers-legend-captured"),
                (Shade::Forced, "fingers-legend-forced"),
                (Shade::Missing, "fingers-legend-missing"),
            ] {
                // A chip and its label wrap together, never apart.
                ui.horizontal(|ui| {
                    let (r, _) = ui.allocate_exact_size(Vec2::splat(18.0), Sense::hover());
                    ui.painter().rect_filled(r, 4.0, shade.color());
                    ui.add(egui::Label::new(i18n.tr(id)).wrap_mode(egui::TextWrapMode::Extend));
                });
                ui.add_space(12.0);
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
