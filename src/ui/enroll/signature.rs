//! The citizen signs on the screen with a mouse, a pen or a finger; "Clear" starts again. Each
//! finished stroke re-draws the signature into a grayscale PNG (black ink on white), which is
//! the record's signature file, sent to the workflow. A citizen who cannot sign is recorded as
//! such, with the reason chosen beside the pad (the record is then `kattoo/enrollment/v2`).

use crate::domain::enrollment::SignatureReason;
use crate::domain::{BiometricFormat, BiometricKind, Capture, Provenance};
use crate::ui::i18n::I18n;
use crate::ui::screens::TOUCH_HEIGHT;
use crate::workflow::Event;
use egui::{Button, Color32, Pos2, RichText, Sense, Stroke, Ui, Vec2};

/// Size of the pad on screen and of the PNG, in pixels.
pub const PAD_SIZE: [u32; 2] = [900, 300];
/// Ink radius in the PNG, in pixels.
const INK_RADIUS: f32 = 2.5;
/// What the record names as the capturing device.
const DEVICE: &str = "screen:signature-pad";

/// The pad's state: strokes in pad pixels.
#[derive(Default)]
pub struct SignaturePad {
    strokes: Vec<Vec<Pos2>>,
    current: Vec<Pos2>,
}

impl SignaturePad {
    /// Adds a finished stroke (pad pixel coordinates) and returns the signature re-drawn.
    pub fn add_stroke(&mut self, stroke: Vec<Pos2>) -> Option<Capture> {
        if stroke.is_empty() {
            return None;
        }
        self.strokes.push(stroke);
        self.render()
    }

    /// Clears the pad.
    pub fn clear(&mut self) {
        self.strokes.clear();
        self.current.clear();
    }

    fn render(&self) -> Option<Capture> {
        let [w, h] = PAD_SIZE;
        let mut pixels = vec![255u8; (w * h) as usize];
        for stroke in &self.strokes {
            let mut last = stroke[0];
            for &p in stroke {
                ink_segment(&mut pixels, w, h, last, p);
                last = p;
            }
        }
        let mut png = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png, w, h);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let written = encoder
                .write_header()
                .and_then(|mut writer| writer.write_image_data(&pixels));
            if let Err(e) = written {
                tracing::error!("signature PNG: {e}");
                return None;
            }
        }
        Some(Capture {
            kind: BiometricKind::Signature,
            position: None,
            format: BiometricFormat::Png,
            data: png,
            width: w,
            height: h,
            ppi: None,
            quality: None,
            retries: 0,
            forced: false,
            source: Provenance::attached(DEVICE),
        })
    }

    /// Draws the pad with, beside it, the reasons a citizen cannot sign (`cannot` the one
    /// chosen); returns the signature when a stroke ends, the clear, or a reason tapped.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        i18n: &I18n,
        cannot: Option<SignatureReason>,
    ) -> Option<Event> {
        let mut event = None;
        ui.label(i18n.tr("signature-instructions"));
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| event = self.pad(ui, i18n, cannot));
            ui.add_space(16.0);
            ui.vertical(|ui| {
                if let Some(reason) = cannot_sign(ui, i18n, cannot) {
                    self.clear();
                    event = Some(Event::CannotSign(reason));
                }
            });
        });
        event
    }

    /// The pad and its Clear button.
    fn pad(&mut self, ui: &mut Ui, i18n: &I18n, cannot: Option<SignatureReason>) -> Option<Event> {
        let mut event = None;
        let size = Vec2::new(PAD_SIZE[0] as f32, PAD_SIZE[1] as f32);
        let (response, painter) = ui.allocate_painter(size, Sense::drag());
        let rect = response.rect;
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Canvas, true, i18n.tr("signature-pad"))
        });
        painter.rect_filled(rect, 8.0, Color32::WHITE);
        painter.line_segment(
            [
                Pos2::new(rect.left() + 40.0, rect.bottom() - 60.0),
                Pos2::new(rect.right() - 40.0, rect.bottom() - 60.0),
            ],
            Stroke::new(1.0, Color32::from_gray(180)),
        );
        if let Some(pos) = response.interact_pointer_pos() {
            let local = (pos - rect.min).to_pos2();
            if rect.contains(pos) && self.current.last() != Some(&local) {
                self.current.push(local);
            }
        }
        if response.drag_stopped() || (!response.dragged() && !self.current.is_empty()) {
            let stroke = std::mem::take(&mut self.current);
            event = self.add_stroke(stroke).map(Event::Signature);
        }
        let ink = Stroke::new(INK_RADIUS * 2.0, Color32::BLACK);
        for stroke in self.strokes.iter().chain(std::iter::once(&self.current)) {
            let points: Vec<Pos2> = stroke.iter().map(|p| rect.min + p.to_vec2()).collect();
            if points.len() == 1 {
                painter.circle_filled(points[0], INK_RADIUS, Color32::BLACK);
            } else {
                painter.add(egui::Shape::line(points, ink));
            }
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !self.strokes.is_empty() || cannot.is_some(),
                    Button::new(RichText::new(i18n.tr("signature-clear")).size(22.0))
                        .min_size(Vec2::new(200.0, TOUCH_HEIGHT)),
                )
                .clicked()
            {
                self.clear();
                event = Some(Event::ClearSignature);
            }
            // What the record will say instead of a signature.
            if let Some(reason) = cannot {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "signature-cannot-shown",
                        &[("reason", i18n.tr(&reason_noun(reason)).into())],
                    ))
                    .size(20.0)
                    .strong(),
                );
            }
        });
        event
    }
}

/// "The citizen cannot sign" and its reasons, the one chosen selected; the reason tapped.
fn cannot_sign(
    ui: &mut Ui,
    i18n: &I18n,
    chosen: Option<SignatureReason>,
) -> Option<SignatureReason> {
    ui.label(RichText::new(i18n.tr("signature-cannot-title")).strong());
    let mut tapped = None;
    for reason in SignatureReason::ALL {
        let button = Button::new(RichText::new(i18n.tr(reason_message(reason))).size(20.0))
            .selected(chosen == Some(reason))
            .min_size(Vec2::new(ui.available_width().min(340.0), TOUCH_HEIGHT));
        if ui.add(button).clicked() {
            tapped = Some(reason);
        }
    }
    tapped
}

/// The message id of a reason as a noun, for what a record says ("No signature: injury").
pub fn reason_noun(reason: SignatureReason) -> String {
    format!("signature-reason-{}", reason.code())
}

/// "No signature: <reason>" in bold, where a record without a signature is shown.
pub fn no_signature_label(ui: &mut Ui, i18n: &I18n, reason: SignatureReason) {
    let reason = i18n.tr(&reason_noun(reason));
    ui.label(
        RichText::new(i18n.tr_args("review-no-signature", &[("reason", reason.into())])).strong(),
    );
}

/// The message id of a reason for no signature (its button).
pub fn reason_message(reason: SignatureReason) -> &'static str {
    match reason {
        SignatureReason::Disability => "signature-cannot-disability",
        SignatureReason::Injury => "signature-cannot-injury",
        SignatureReason::CannotWrite => "signature-cannot-write",
    }
}

/// Inks a round-nibbed line from `a` to `b`.
fn ink_segment(pixels: &mut [u8], w: u32, h: u32, a: Pos2, b: Pos2) {
    let steps = ((b - a).length() * 2.0).ceil().max(1.0) as usize;
    for i in 0..=steps {
        let p = a + (b - a) * (i as f32 / steps as f32);
        let r = INK_RADIUS.ceil() as i32;
        for dy in -r..=r {
            for dx in -r..=r {
                if (dx * dx + dy * dy) as f32 > INK_RADIUS * INK_RADIUS {
                    continue;
                }
                let (x, y) = (p.x.round() as i32 + dx, p.y.round() as i32 + dy);
                if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                    pixels[(y as u32 * w + x as u32) as usize] = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_becomes_black_ink_in_a_grey_png_and_clear_forgets_it() {
        let mut pad = SignaturePad::default();
        assert!(pad.add_stroke(Vec::new()).is_none(), "nothing drawn");
        let c = pad
            .add_stroke(vec![Pos2::new(100.0, 150.0), Pos2::new(300.0, 150.0)])
            .expect("a signature");
        let img = image::load_from_memory(&c.data).unwrap().to_luma8();
        assert_eq!(img.dimensions(), (PAD_SIZE[0], PAD_SIZE[1]));
        assert_eq!(img.get_pixel(200, 150).0, [0], "ink on the line");
        assert_eq!(img.get_pixel(200, 100).0, [255], "paper elsewhere");
        assert_eq!(c.kind, BiometricKind::Signature);
        pad.clear();
        assert!(pad.strokes.is_empty());
    }
}
