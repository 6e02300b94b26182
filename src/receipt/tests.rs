//! Receipt tests: the QR code decodes, the PDF is well formed and its text reads back through the
//! ToUnicode map, saving is atomic, and every error has a message in the three languages.
//!
//! The PDF is checked with a small reader below rather than a PDF library: it follows the xref
//! table to every object, inflates the streams, and reads the text the way a viewer copies it
//! (glyph codes in the content stream, mapped to Unicode by the font's ToUnicode CMap).

use super::pdf::{PAGE_HEIGHT, PAGE_WIDTH, QR_SIDE};
use super::*;
use std::collections::BTreeMap;

const ID: &str = "KG1101-000001-20261127-0";
const NAME: &str = "Өмүрбекова Үмүт Түңгүчбаевна";

fn receipt() -> Receipt {
    Receipt {
        registration_id: ID.into(),
        citizen_name: NAME.into(),
        precinct: "1101".into(),
        date: "2026-11-27".into(),
        station_id: "KG1101".into(),
        station_name: "Аламүдүн №1".into(),
    }
}

/// The Kyrgyz labels, as in `assets/locales/ky/kattoo.ftl`.
fn labels() -> ReceiptLabels {
    ReceiptLabels {
        title: "Шайлоочуну каттоо дүмүрчөгү".into(),
        registration_id: "Каттоо номери".into(),
        name: "Аты-жөнү".into(),
        precinct: "Участок".into(),
        date: "Күнү".into(),
        station: "Каттоо станциясы".into(),
        note: "Бул дүмүрчөктү сактап коюңуз. QR-коддо каттоо номериңиз жазылган.".into(),
    }
}

/// Decodes every QR code in a grayscale image (`true` = dark pixel).
fn decode_qr(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> Vec<String> {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        if dark(x, y) { 0 } else { 255 }
    });
    image
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("the QR code decodes").1)
        .collect()
}

#[test]
fn qr_modules_decode_back_to_the_registration_id() {
    let qr = receipt().qr_modules().unwrap();
    assert_eq!(qr.modules().len(), qr.width() * qr.width());
    assert!(qr.dark(0, 0), "a finder pattern's corner is dark");
    assert!(!qr.dark(qr.width(), 0), "outside the code is light");
    let scale = 4;
    let side = (qr.width() + 2 * QrModules::QUIET_ZONE) * scale;
    let decoded = decode_qr(side, side, |x, y| {
        let (x, y) = (x / scale, y / scale);
        x >= QrModules::QUIET_ZONE
            && y >= QrModules::QUIET_ZONE
            && qr.dark(x - QrModules::QUIET_ZONE, y - QrModules::QUIET_ZONE)
    });
    assert_eq!(decoded, [ID]);
}

/// One indirect object of a PDF file.
struct Object {
    dict: String,
    stream: Option<Vec<u8>>,
}

impl Object {
    /// The lines of the dictionary, trimmed.
    fn has(&self, line: &str) -> bool {
        self.dict.lines().any(|l| l.trim() == line)
    }

    /// The object number a `/Key N 0 R` entry refers to.
    fn reference(&self, key: &str) -> Option<u32> {
        let rest = self.dict.split(&format!("{key} ")).nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    }

    fn inflated(&self) -> Vec<u8> {
        assert!(self.has("/Filter /FlateDecode"), "{}", self.dict);
        miniz_oxide::inflate::decompress_to_vec_zlib(self.stream.as_ref().unwrap())
            .expect("the stream inflates")
    }
}

/// Reads a PDF through its cross-reference table; panics on anything malformed.
fn read_pdf(pdf: &[u8]) -> BTreeMap<u32, Object> {
    let text = String::from_utf8_lossy(pdf);
    assert!(pdf.starts_with(b"%PDF-1."), "no PDF header");
    assert!(text.trim_end().ends_with("%%EOF"), "no %%EOF");
    let startxref: usize = text
        .rsplit("startxref")
        .next()
        .and_then(|tail| tail.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a startxref offset");
    let mut lines = pdf[startxref..].split(|&b| b == b'\n');
    assert_eq!(lines.next(), Some(&b"xref"[..]));
    let header = String::from_utf8_lossy(lines.next().unwrap()).into_owned();
    let count: u32 = header.split_whitespace().nth(1).unwrap().parse().unwrap();
    let entries_at = startxref + b"xref\n".len() + header.len() + 1;
    let mut objects = BTreeMap::new();
    for number in 0..count {
        let entry = &pdf[entries_at + 20 * number as usize..][..20];
        let entry = std::str::from_utf8(entry).unwrap();
        if entry.as_bytes()[17] != b'n' {
            continue;
        }
        let offset: usize = entry[..10].parse().unwrap();
        let body = &pdf[offset..];
        let head = format!("{number} 0 obj\n");
        assert!(
            body.starts_with(head.as_bytes()),
            "xref entry {number} is off"
        );
        let body = &body[head.len()..];
        let end = find(body, b"endobj").expect("endobj");
        let object = match find(&body[..end], b">>\nstream\n") {
            None => Object {
                dict: String::from_utf8_lossy(&body[..end]).into_owned(),
                stream: None,
            },
            Some(at) => {
                let dict = String::from_utf8_lossy(&body[..at + 2]).into_owned();
                let length: usize = dict
                    .split("/Length ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
                    .expect("a direct /Length");
                let data = &body[at + b">>\nstream\n".len()..];
                assert!(data[length..].starts_with(b"\nendstream"), "/Length is off");
                Object {
                    dict,
                    stream: Some(data[..length].to_vec()),
                }
            }
        };
        objects.insert(number, object);
    }
    objects
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The only object that has `line` in its dictionary.
fn the<'a>(objects: &'a BTreeMap<u32, Object>, line: &str) -> &'a Object {
    let found: Vec<_> = objects.values().filter(|o| o.has(line)).collect();
    assert_eq!(found.len(), 1, "objects with {line}");
    found[0]
}

/// A content stream's operators with their operands; strings are returned as their bytes.
fn operations(content: &[u8]) -> Vec<(String, Vec<Vec<u8>>)> {
    let mut ops = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'(' => {
                let mut bytes = Vec::new();
                let mut depth = 0;
                i += 1;
                loop {
                    match content[i] {
                        b'\\' => {
                            i += 1;
                            let escaped = match content[i] {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 8,
                                b'f' => 12,
                                b'0'..=b'7' => {
                                    let digits = content[i..]
                                        .iter()
                                        .take(3)
                                        .take_while(|d| (b'0'..=b'7').contains(*d))
                                        .count();
                                    let s = std::str::from_utf8(&content[i..i + digits]).unwrap();
                                    i += digits - 1;
                                    u8::from_str_radix(s, 8).unwrap()
                                }
                                other => other,
                            };
                            bytes.push(escaped);
                        }
                        b'(' => {
                            depth += 1;
                            bytes.push(b'(');
                        }
                        b')' if depth == 0 => break,
                        b')' => {
                            depth -= 1;
                            bytes.push(b')');
                        }
                        b => bytes.push(b),
                    }
                    i += 1;
                }
                i += 1;
                operands.push(bytes);
            }
            b'<' => {
                let end = i + content[i..].iter().position(|&b| b == b'>').unwrap();
                let hex: String = String::from_utf8_lossy(&content[i + 1..end])
                    .split_whitespace()
                    .collect();
                operands.push(hex::decode(hex).unwrap());
                i = end + 1;
            }
            _ => {
                let end = content[i..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || b"(<".contains(b))
                    .map_or(content.len(), |n| i + n);
                let token = String::from_utf8_lossy(&content[i..end]).into_owned();
                i = end;
                let is_operand = token.starts_with('/')
                    || token.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
                if is_operand {
                    operands.push(token.into_bytes());
                } else {
                    ops.push((token, std::mem::take(&mut operands)));
                }
            }
        }
    }
    ops
}

/// The ToUnicode CMap's `<glyph> <utf-16be>` pairs.
fn to_unicode(cmap: &[u8]) -> BTreeMap<u16, String> {
    let text = String::from_utf8_lossy(cmap);
    let section = text
        .split("beginbfchar")
        .nth(1)
        .and_then(|s| s.split("endbfchar").next())
        .expect("a bfchar section");
    section
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace().map(|p| p.trim_matches(['<', '>']));
            let glyph = u16::from_str_radix(parts.next()?, 16).ok()?;
            let units: Vec<u16> = hex::decode(parts.next()?)
                .ok()?
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Some((glyph, String::from_utf16(&units).ok()?))
        })
        .collect()
}

/// What a PDF viewer would copy: each shown string, its glyph codes mapped through ToUnicode.
fn shown_text(objects: &BTreeMap<u32, Object>) -> Vec<String> {
    let type0 = the(objects, "/Subtype /Type0");
    let cmap = to_unicode(&objects[&type0.reference("/ToUnicode").unwrap()].inflated());
    let page = the(objects, "/Type /Page");
    let content = objects[&page.reference("/Contents").unwrap()].inflated();
    operations(&content)
        .into_iter()
        .filter(|(op, _)| op == "Tj")
        .map(|(_, operands)| {
            operands[0]
                .chunks(2)
                .map(|c| {
                    let glyph = u16::from_be_bytes([c[0], c[1]]);
                    cmap.get(&glyph)
                        .map_or("\u{FFFD}", String::as_str)
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn pdf_is_one_a6_page_with_the_subset_font_embedded() {
    let pdf = receipt().to_pdf(&labels()).unwrap();
    let objects = read_pdf(&pdf);
    let catalog = the(&objects, "/Type /Catalog");
    let pages = &objects[&catalog.reference("/Pages").unwrap()];
    assert!(
        pages.has("/Type /Pages") && pages.has("/Count 1"),
        "{}",
        pages.dict
    );
    let page = the(&objects, "/Type /Page");
    assert!(page.has(&format!("/MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}]")));

    let type0 = the(&objects, "/Subtype /Type0");
    assert!(type0.has("/BaseFont /KATTOO+Ubuntu-Light"));
    assert!(type0.has("/Encoding /Identity-H"));
    let descriptor = the(&objects, "/Type /FontDescriptor");
    let font_file = &objects[&descriptor.reference("/FontFile2").unwrap()];
    let font = font_file.inflated();
    assert!(font_file.has(&format!("/Length1 {}", font.len())));
    skrifa::FontRef::new(&font).expect("the embedded font parses");
    assert!(pdf.len() < 40_000, "the receipt is {} bytes", pdf.len());
}

#[test]
fn pdf_text_reads_back_through_to_unicode() {
    let objects = read_pdf(&receipt().to_pdf(&labels()).unwrap());
    let text = shown_text(&objects);
    let l = labels();
    for expected in [
        l.title.as_str(),
        &l.registration_id,
        ID,
        &l.name,
        NAME,
        "1101",
        "2026-11-27",
        "Аламүдүн №1 (KG1101)",
    ] {
        assert!(
            text.iter().any(|t| t == expected),
            "{expected:?} not in {text:?}"
        );
    }
    assert!(text.iter().all(|t| !t.contains('\u{FFFD}')), "{text:?}");
}

#[test]
fn pdf_qr_code_decodes_to_the_registration_id() {
    let objects = read_pdf(&receipt().to_pdf(&labels()).unwrap());
    let page = the(&objects, "/Type /Page");
    let content = objects[&page.reference("/Contents").unwrap()].inflated();
    let rects: Vec<[f32; 4]> = operations(&content)
        .into_iter()
        .filter(|(op, _)| op == "re")
        .map(|(_, o)| std::array::from_fn(|i| String::from_utf8_lossy(&o[i]).parse().unwrap()))
        .collect();
    assert!(!rects.is_empty());
    // Rasterise the page's rectangles at 4 pixels per point, top row first.
    let scale = 4.0;
    let (w, h) = (
        (PAGE_WIDTH * scale) as usize,
        (PAGE_HEIGHT * scale) as usize,
    );
    let mut dark = vec![false; w * h];
    for [x, y, rw, rh] in &rects {
        assert!(*rw <= QR_SIDE + 0.01 && *rh <= QR_SIDE, "a stray rectangle");
        let px = |v: f32| (v * scale).round() as usize;
        for row in px(PAGE_HEIGHT - y - rh)..px(PAGE_HEIGHT - y) {
            for column in px(*x)..px(x + rw) {
                dark[row * w + column] = true;
            }
        }
    }
    assert_eq!(decode_qr(w, h, |x, y| dark[y * w + x]), [ID]);
}

#[test]
fn a_long_name_wraps_and_reads_back_whole() {
    let mut long = receipt();
    long.citizen_name = "Абдыкадырова-Жээнбекова Айнагүл Бейшенбековна Өмүрзакова Ңайнай".into();
    let text = shown_text(&read_pdf(&long.to_pdf(&labels()).unwrap()));
    let start = text.iter().position(|t| t == &labels().name).unwrap() + 1;
    let end = text.iter().position(|t| t == &labels().precinct).unwrap();
    assert!(
        end - start > 1,
        "the name should take several lines: {text:?}"
    );
    assert_eq!(text[start..end].join(" "), long.citizen_name);
}

#[test]
fn the_same_receipt_gives_the_same_bytes() {
    let a = receipt().to_pdf(&labels()).unwrap();
    assert_eq!(a, receipt().to_pdf(&labels()).unwrap());
    let mut other = receipt();
    other.registration_id = "KG1101-000002-20261127-7".into();
    assert_ne!(a, other.to_pdf(&labels()).unwrap());
}

#[test]
fn text_that_cannot_fit_on_the_page_is_refused() {
    let mut l = labels();
    l.note = "Бул дүмүрчөктү сактап коюңуз. ".repeat(40);
    let err = receipt().to_pdf(&l).unwrap_err();
    assert!(matches!(err, ReceiptError::DoesNotFit), "{err:?}");
    assert_eq!(err.message_id(), "receipt-error-render");
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn save_pdf_writes_exactly_the_pdf_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(format!("receipt-{ID}.pdf")),
        b"an older receipt",
    )
    .unwrap();
    let path = receipt().save_pdf(&labels(), dir.path()).unwrap();
    assert_eq!(path, dir.path().join(format!("receipt-{ID}.pdf")));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        receipt().to_pdf(&labels()).unwrap()
    );
    assert_eq!(dir_entries(dir.path()), [format!("receipt-{ID}.pdf")]);
}

#[test]
fn save_pdf_failures_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let err = receipt().save_pdf(&labels(), &missing).unwrap_err();
    assert!(matches!(err, ReceiptError::Save { .. }), "{err:?}");
    assert_eq!(err.message_id(), "receipt-error-save");

    // The rename fails: a directory has the receipt's name.
    std::fs::create_dir(dir.path().join(format!("receipt-{ID}.pdf"))).unwrap();
    let err = receipt().save_pdf(&labels(), dir.path()).unwrap_err();
    match &err {
        ReceiptError::Save { path, .. } => {
            assert_eq!(path, &dir.path().join(format!("receipt-{ID}.pdf")))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dir_entries(dir.path()), [format!("receipt-{ID}.pdf")]);

    for bad in ["", "../etc/passwd", "KG 1101", "a/b"] {
        let mut r = receipt();
        r.registration_id = bad.into();
        let err = r.save_pdf(&labels(), dir.path()).unwrap_err();
        assert!(
            matches!(err, ReceiptError::UnsafeRegistrationId(_)),
            "{bad:?}: {err:?}"
        );
        assert_eq!(err.message_id(), "receipt-error-save");
    }
    assert_eq!(dir_entries(dir.path()), [format!("receipt-{ID}.pdf")]);
}

#[test]
fn every_message_id_is_translated_in_the_three_languages() {
    let ids = [
        ReceiptError::DoesNotFit.message_id(),
        ReceiptError::UnsafeRegistrationId(String::new()).message_id(),
        PrintError::NoPrintingSystem {
            program: "lp".into(),
        }
        .message_id(),
        PrintError::NoDefaultPrinter.message_id(),
        PrintError::Failed {
            program: "lp".into(),
            detail: String::new(),
        }
        .message_id(),
    ];
    let locales = [
        ("ky", include_str!("../../assets/locales/ky/kattoo.ftl")),
        ("ru", include_str!("../../assets/locales/ru/kattoo.ftl")),
        ("en", include_str!("../../assets/locales/en/kattoo.ftl")),
    ];
    for (language, source) in locales {
        for id in ids {
            let entries = source
                .lines()
                .filter(|l| l.starts_with(&format!("{id} = ")))
                .count();
            assert_eq!(entries, 1, "{id} in {language}");
        }
    }
}
