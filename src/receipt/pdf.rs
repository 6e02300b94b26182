//! Lays a receipt out on one A6 page and writes it as PDF.
//!
//! Text is set in the embedded typeface as a Type 0 font (Identity-H, glyph ids as codes) with a
//! ToUnicode map, so that viewers can search and copy the Cyrillic; the QR code is drawn as filled
//! rectangles, one per run of dark modules, so it stays sharp at any printer resolution. There is
//! no clock and no random id in the file: the same receipt always gives the same bytes.

use super::font::{self, Font};
use super::{Receipt, ReceiptError, ReceiptLabels};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::{BTreeMap, BTreeSet};
use unicode_normalization::UnicodeNormalization;

/// A6 portrait, 105 × 148 mm, in points.
pub(super) const PAGE_WIDTH: f32 = 297.64;
pub(super) const PAGE_HEIGHT: f32 = 419.53;
const MARGIN: f32 = 24.0;
const TITLE_SIZE: f32 = 15.0;
const LABEL_SIZE: f32 = 8.0;
const VALUE_SIZE: f32 = 12.0;
const NOTE_SIZE: f32 = 8.0;
/// The side of the QR code without its quiet zone: about 34 mm, read easily by a phone.
pub(super) const QR_SIDE: f32 = 96.0;
const LABEL_GRAY: f32 = 0.35;

const FONT_RESOURCE: Name<'static> = Name(b"F1");

/// Builds the page's content stream while recording which glyphs it uses.
struct Page<'f> {
    font: &'f Font<'f>,
    content: Content,
    /// Each glyph used, with the character it stands for (the first one seen).
    used: BTreeMap<u16, char>,
    missing: usize,
}

impl Page<'_> {
    /// Sets one line of text with its baseline starting at (`x`, `y`).
    fn text(&mut self, line: &str, x: f32, y: f32, size: f32, gray: f32) {
        let mut codes = Vec::with_capacity(line.len() * 2);
        for c in line.chars() {
            let glyph = self.font.glyph(c).unwrap_or_else(|| {
                self.missing += 1;
                0
            });
            if glyph != 0 {
                self.used.entry(glyph).or_insert(c);
            }
            codes.extend_from_slice(&glyph.to_be_bytes());
        }
        self.content
            .set_fill_gray(gray)
            .begin_text()
            .set_font(FONT_RESOURCE, size)
            .next_line(x, y)
            .show(Str(&codes))
            .end_text();
    }

    /// `text` broken into lines no wider than `width` at `size`: at spaces where possible, inside
    /// a word only when the word alone is too wide.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.font.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.font.width(&line, size) > width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// The receipt as PDF bytes.
pub(super) fn render(receipt: &Receipt, labels: &ReceiptLabels) -> Result<Vec<u8>, ReceiptError> {
    let font_data = font::ubuntu_light();
    let font = Font::new(font_data)?;
    let qr = receipt.qr_modules()?;
    let mut page = Page {
        font: &font,
        content: Content::new(),
        used: BTreeMap::new(),
        missing: 0,
    };
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let nfc = |s: &str| s.nfc().collect::<String>();
    let mut y = PAGE_HEIGHT - MARGIN;

    for line in page.wrap(&nfc(&labels.title), TITLE_SIZE, width) {
        y -= TITLE_SIZE;
        page.text(&line, MARGIN, y, TITLE_SIZE, 0.0);
        y -= 3.0;
    }
    y -= 6.0;
    page.content
        .set_stroke_gray(LABEL_GRAY)
        .set_line_width(0.5)
        .move_to(MARGIN, y)
        .line_to(PAGE_WIDTH - MARGIN, y)
        .stroke();
    y -= 6.0;

    let station = if receipt.station_name.trim().is_empty() {
        receipt.station_id.clone()
    } else {
        format!("{} ({})", receipt.station_name, receipt.station_id)
    };
    let fields = [
        (&labels.registration_id, &receipt.registration_id),
        (&labels.name, &receipt.citizen_name),
        (&labels.precinct, &receipt.precinct),
        (&labels.date, &receipt.date),
        (&labels.station, &station),
    ];
    for (label, value) in fields {
        for line in page.wrap(&nfc(label), LABEL_SIZE, width) {
            y -= LABEL_SIZE + 4.0;
            page.text(&line, MARGIN, y, LABEL_SIZE, LABEL_GRAY);
        }
        for line in page.wrap(&nfc(value), VALUE_SIZE, width) {
            y -= VALUE_SIZE + 2.0;
            page.text(&line, MARGIN, y, VALUE_SIZE, 0.0);
        }
        y -= 2.0;
    }

    // The QR code, centred; its quiet zone is blank page.
    let module = QR_SIDE / qr.width() as f32;
    y -= 4.0 * module + QR_SIDE;
    let left = (PAGE_WIDTH - QR_SIDE) / 2.0;
    page.content.set_fill_gray(0.0);
    for row in 0..qr.width() {
        let top = y + QR_SIDE - row as f32 * module;
        let mut column = 0;
        while column < qr.width() {
            if !qr.dark(column, row) {
                column += 1;
                continue;
            }
            let start = column;
            while qr.dark(column, row) {
                column += 1;
            }
            let run = (column - start) as f32;
            page.content.rect(
                left + start as f32 * module,
                top - module,
                run * module,
                module,
            );
        }
    }
    page.content.fill_nonzero();
    y -= 4.0 * module;

    for line in page.wrap(&nfc(&labels.note), NOTE_SIZE, width) {
        y -= NOTE_SIZE + 2.0;
        page.text(&line, MARGIN, y, NOTE_SIZE, LABEL_GRAY);
    }
    if y < MARGIN * 0.5 {
        return Err(ReceiptError::DoesNotFit);
    }
    if page.missing > 0 {
        // The count only: the characters may come from a name.
        tracing::warn!(
            missing = page.missing,
            "receipt: characters without a glyph are printed as boxes"
        );
    }

    let Page { content, used, .. } = page;
    write_document(&font, font_data, content.finish().into_vec(), &used)
}

/// Writes the catalog, the page, the embedded font and the content into a PDF file.
fn write_document(
    font: &Font,
    font_data: &[u8],
    content: Vec<u8>,
    used: &BTreeMap<u16, char>,
) -> Result<Vec<u8>, ReceiptError> {
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let page_id = Ref::new(3);
    let content_id = Ref::new(4);
    let type0_id = Ref::new(5);
    let cid_font_id = Ref::new(6);
    let descriptor_id = Ref::new(7);
    let font_file_id = Ref::new(8);
    let to_unicode_id = Ref::new(9);
    let info_id = Ref::new(10);
    // A subset's name starts with a six-letter tag (ISO 32000-1, 9.6.4).
    let base_font = format!("KATTOO+{}", font::POSTSCRIPT_NAME);
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
        .parent(page_tree_id)
        .contents(content_id);
    page.resources().fonts().pair(FONT_RESOURCE, type0_id);
    page.finish();
    pdf.document_info(info_id)
        .producer(pdf_writer::TextStr("kattoo"));

    let compressed = deflate(&content);
    pdf.stream(content_id, &compressed)
        .filter(Filter::FlateDecode);

    pdf.type0_font(type0_id)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font_id)
        .to_unicode(to_unicode_id);

    let mut cid_font = pdf.cid_font(cid_font_id);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .cid_to_gid_map_predefined(Name(b"Identity"))
        .default_width(font.advance(0));
    let mut widths = cid_font.widths();
    for &glyph in used.keys() {
        widths.consecutive(glyph, [font.advance(glyph)]);
    }
    widths.finish();
    cid_font.finish();

    let metrics = font.descriptor_metrics();
    let [x0, y0, x1, y1] = metrics.bbox;
    pdf.font_descriptor(descriptor_id)
        .name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(metrics.ascent)
        .descent(metrics.descent)
        .cap_height(metrics.cap_height)
        .weight(300)
        // Estimated from the weight, as the OS/2 table has no stem width.
        .stem_v(10.0 + 0.244 * (300.0 - 50.0))
        .font_file2(font_file_id);

    let glyphs: BTreeSet<u16> = used.keys().copied().collect();
    let subset = font::subset(font_data, &glyphs)?;
    let compressed = deflate(&subset);
    pdf.stream(font_file_id, &compressed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (&glyph, &c) in used {
        cmap.pair(glyph, c);
    }
    let cmap = deflate(&cmap.finish().into_vec());
    pdf.cmap(to_unicode_id, &cmap).filter(Filter::FlateDecode);

    Ok(pdf.finish())
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
