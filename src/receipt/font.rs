//! The one typeface a receipt is set in, and the cut-down copy of it that goes into the PDF.
//!
//! A receipt must show Kyrgyz and Russian names (Ң Ө Ү included) on any PDF viewer and printer, so
//! the font travels inside the file. egui's own Ubuntu Light covers Cyrillic and is already compiled
//! into the kiosk, so the receipt matches the screen and adds no new asset. Embedding it whole would
//! make every receipt about 170 KB; [`subset`] keeps the glyph ids but drops the outlines of every
//! glyph the receipt does not use, and the tables a PDF viewer does not read, which brings the
//! embedded font to a few kilobytes.

use super::ReceiptError;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, GlyphId, MetadataProvider};
use std::collections::BTreeSet;

/// The PostScript name of the embedded typeface.
pub(super) const POSTSCRIPT_NAME: &str = "Ubuntu-Light";

/// The typeface's bytes: egui's default proportional font.
pub(super) fn ubuntu_light() -> &'static [u8] {
    epaint_default_fonts::UBUNTU_LIGHT
}

/// A parsed font with what layout needs: glyph lookup and advance widths.
pub(super) struct Font<'a> {
    font: FontRef<'a>,
    advances: GlyphMetrics<'a>,
    /// Font units per em.
    pub units_per_em: f32,
}

impl<'a> Font<'a> {
    /// Parses `data` (a TrueType font).
    pub fn new(data: &'a [u8]) -> Result<Self, ReceiptError> {
        let font = FontRef::new(data).map_err(|e| ReceiptError::Font(e.to_string()))?;
        let advances = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font.head().map_err(font_err)?.units_per_em());
        Ok(Self {
            font,
            advances,
            units_per_em,
        })
    }

    /// The glyph for `c`, or `None` when the font has none.
    pub fn glyph(&self, c: char) -> Option<u16> {
        let gid = self.font.charmap().map(c)?;
        u16::try_from(gid.to_u32()).ok()
    }

    /// The advance width of `glyph` in thousandths of an em (PDF glyph space).
    pub fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .advances
            .advance_width(GlyphId::new(u32::from(glyph)))
            .unwrap_or(0.0);
        units * 1000.0 / self.units_per_em
    }

    /// The width of `text` set at `size` points, in points (missing glyphs count as `.notdef`).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c).unwrap_or(0)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// Ascent, descent, cap height and bounding box in thousandths of an em.
    pub fn descriptor_metrics(&self) -> DescriptorMetrics {
        let m = self.font.metrics(Size::unscaled(), LocationRef::default());
        let k = 1000.0 / self.units_per_em;
        let bounds = m.bounds.map_or([0.0, m.descent, 1000.0, m.ascent], |b| {
            [b.x_min, b.y_min, b.x_max, b.y_max]
        });
        DescriptorMetrics {
            ascent: m.ascent * k,
            descent: m.descent * k,
            cap_height: m.cap_height.unwrap_or(m.ascent) * k,
            bbox: bounds.map(|v| v * k),
        }
    }
}

/// The numbers a PDF font descriptor asks for, in thousandths of an em.
pub(super) struct DescriptorMetrics {
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
    pub bbox: [f32; 4],
}

fn font_err(e: impl std::fmt::Display) -> ReceiptError {
    ReceiptError::Font(e.to_string())
}

/// The tables a PDF viewer needs to draw a TrueType font (ISO 32000-1, 9.9), plus `cmap` and
/// `OS/2`, which some printers' interpreters read; everything else (layout, device hinting,
/// glyph names, the name table) is dropped.
const KEPT_TABLES: [&[u8; 4]; 11] = [
    b"OS/2", b"cmap", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp",
    b"prep",
];

/// A copy of the TrueType font `data` in which only the glyphs in `used` (and `.notdef`, and the
/// glyphs they are composed of) keep their outlines. Glyph ids do not change, so text encoded
/// against the full font stays valid.
pub(super) fn subset(data: &[u8], used: &BTreeSet<u16>) -> Result<Vec<u8>, ReceiptError> {
    let tables = table_directory(data)?;
    let table = |tag: &[u8; 4]| {
        tables
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, bytes)| *bytes)
            .ok_or_else(|| font_err(format!("no {} table", String::from_utf8_lossy(tag))))
    };
    let head = table(b"head")?;
    let long_loca = read_u16(head, 50)? == 1;
    let num_glyphs = usize::from(read_u16(table(b"maxp")?, 4)?);
    let loca = table(b"loca")?;
    let glyf = table(b"glyf")?;
    let offsets = (0..=num_glyphs)
        .map(|i| {
            if long_loca {
                read_u32(loca, i * 4).map(|v| v as usize)
            } else {
                read_u16(loca, i * 2).map(|v| usize::from(v) * 2)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let glyph = |gid: u16| -> Result<&[u8], ReceiptError> {
        let i = usize::from(gid);
        let (start, end) = (offsets[i], offsets[i + 1]);
        glyf.get(start..end)
            .ok_or_else(|| font_err(format!("glyph {gid} lies outside glyf")))
    };

    // The closure: composite glyphs pull in their components.
    let mut keep: BTreeSet<u16> = used
        .iter()
        .copied()
        .filter(|&g| usize::from(g) < num_glyphs)
        .collect();
    keep.insert(0);
    let mut pending: Vec<u16> = keep.iter().copied().collect();
    while let Some(gid) = pending.pop() {
        for component in components(glyph(gid)?)? {
            if usize::from(component) < num_glyphs && keep.insert(component) {
                pending.push(component);
            }
        }
    }

    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::new();
    for gid in 0..=num_glyphs {
        let offset = new_glyf.len();
        if long_loca {
            new_loca.extend_from_slice(&(offset as u32).to_be_bytes());
        } else {
            new_loca.extend_from_slice(&((offset / 2) as u16).to_be_bytes());
        }
        if gid < num_glyphs && keep.contains(&(gid as u16)) {
            new_glyf.extend_from_slice(glyph(gid as u16)?);
            // Short offsets count in 2-byte words; long ones are kept 4-aligned by convention.
            while new_glyf.len() % if long_loca { 4 } else { 2 } != 0 {
                new_glyf.push(0);
            }
        }
    }

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for (tag, bytes) in &tables {
        if !KEPT_TABLES.contains(&tag) {
            continue;
        }
        let bytes = match tag {
            b"glyf" => new_glyf.clone(),
            b"loca" => new_loca.clone(),
            b"head" => {
                let mut head = bytes.to_vec();
                // checkSumAdjustment is recomputed below over the whole file.
                head.get_mut(8..12)
                    .ok_or_else(|| font_err("head table too short"))?
                    .fill(0);
                head
            }
            _ => bytes.to_vec(),
        };
        out_tables.push((*tag, bytes));
    }
    Ok(write_font(&out_tables))
}

/// The glyph ids a composite glyph refers to (none for a simple or empty glyph).
fn components(glyph: &[u8]) -> Result<Vec<u16>, ReceiptError> {
    const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
    const WE_HAVE_A_SCALE: u16 = 0x0008;
    const MORE_COMPONENTS: u16 = 0x0020;
    const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
    const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
    if glyph.len() < 10 || (read_u16(glyph, 0)? as i16) >= 0 {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let mut at = 10;
    loop {
        let flags = read_u16(glyph, at)?;
        found.push(read_u16(glyph, at + 2)?);
        at += 4;
        at += if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        if flags & WE_HAVE_A_SCALE != 0 {
            at += 2;
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            at += 4;
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            at += 8;
        }
        if flags & MORE_COMPONENTS == 0 {
            return Ok(found);
        }
    }
}

/// One table of an sfnt file: its tag and its bytes.
type Table<'a> = ([u8; 4], &'a [u8]);

/// The tables of an sfnt file, in the order of its directory.
fn table_directory(data: &[u8]) -> Result<Vec<Table<'_>>, ReceiptError> {
    let count = usize::from(read_u16(data, 4)?);
    (0..count)
        .map(|i| {
            let record = 12 + i * 16;
            let tag: [u8; 4] = data
                .get(record..record + 4)
                .and_then(|t| t.try_into().ok())
                .ok_or_else(|| font_err("truncated table directory"))?;
            let offset = read_u32(data, record + 8)? as usize;
            let length = read_u32(data, record + 12)? as usize;
            let bytes = offset
                .checked_add(length)
                .and_then(|end| data.get(offset..end))
                .ok_or_else(|| font_err("table lies outside the font"))?;
            Ok((tag, bytes))
        })
        .collect()
}

/// Writes an sfnt file from tables sorted by tag, with checksums and `head.checkSumAdjustment`.
fn write_font(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut tables: Vec<_> = tables.iter().collect();
    tables.sort_by_key(|(tag, _)| *tag);
    let count = tables.len() as u16;
    let entry_selector = 15 - count.leading_zeros() as u16; // floor(log2(count))
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [
        count,
        search_range,
        entry_selector,
        count * 16 - search_range,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, bytes) in &tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(bytes).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += bytes.len().next_multiple_of(4);
    }
    for (_, bytes) in &tables {
        out.extend_from_slice(bytes);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The sfnt checksum: the wrapping sum of big-endian u32 words, the tail padded with zeros.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn read_u16(data: &[u8], at: usize) -> Result<u16, ReceiptError> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| font_err("font data ends early"))
}

fn read_u32(data: &[u8], at: usize) -> Result<u32, ReceiptError> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| font_err("font data ends early"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use skrifa::outline::DrawSettings;
    use skrifa::outline::pen::ControlBoundsPen;

    /// Every letter of the Kyrgyz and Russian alphabets, both cases, plus what a receipt prints.
    const ALPHABET: &str = "АБВГДЕЁЖЗИЙКЛМНҢОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯ\
        абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя0123456789-–—№.,:;()«»";

    fn outline_bounds(font: &FontRef, gid: u16) -> Option<[f32; 4]> {
        let outline = font.outline_glyphs().get(GlyphId::new(u32::from(gid)))?;
        let mut pen = ControlBoundsPen::default();
        outline
            .draw(
                DrawSettings::unhinted(Size::unscaled(), LocationRef::default()),
                &mut pen,
            )
            .ok()?;
        pen.bounding_box()
            .map(|b| [b.x_min, b.y_min, b.x_max, b.y_max])
    }

    #[test]
    fn ubuntu_light_has_every_kyrgyz_and_russian_letter() {
        let font = Font::new(ubuntu_light()).unwrap();
        let missing: String = ALPHABET
            .chars()
            .filter(|&c| font.glyph(c).is_none())
            .collect();
        assert_eq!(missing, "", "letters without a glyph");
        assert!(font.width("Ң", 10.0) > 0.0);
    }

    #[test]
    fn subset_keeps_used_outlines_and_drops_the_rest() {
        let full_data = ubuntu_light();
        let full = Font::new(full_data).unwrap();
        let used: BTreeSet<u16> = "ҢӨҮңөү".chars().map(|c| full.glyph(c).unwrap()).collect();
        let unused = full.glyph('Ж').unwrap();
        let data = subset(full_data, &used).unwrap();
        assert!(
            data.len() < full_data.len() / 5,
            "subset is {} bytes",
            data.len()
        );

        let small = FontRef::new(&data).expect("the subset parses");
        let big = FontRef::new(full_data).unwrap();
        for &gid in &used {
            let bounds = outline_bounds(&small, gid);
            assert!(bounds.is_some(), "glyph {gid} lost its outline");
            assert_eq!(bounds, outline_bounds(&big, gid), "glyph {gid} changed");
        }
        assert!(outline_bounds(&big, unused).is_some());
        assert_eq!(
            outline_bounds(&small, unused),
            None,
            "an unused glyph kept its outline"
        );
        assert_eq!(checksum(&data), 0xB1B0_AFBA, "whole-file checksum");
    }

    #[test]
    fn subset_rejects_a_truncated_font() {
        let data = &ubuntu_light()[..100];
        assert!(matches!(
            subset(data, &BTreeSet::new()),
            Err(ReceiptError::Font(_))
        ));
    }
}
