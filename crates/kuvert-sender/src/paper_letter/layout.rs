//! Setting a paper letter on A4 pages: text lines in Helvetica (WinAnsiEncoding) broken to the
//! measure by the font's own widths, the notice box with its QR code, page numbers; then one
//! lopdf document. Units are PDF points (1/72 inch), the origin at the bottom left.

use kuvert_core::limits::PAPER_LETTER_PAGES_MAX;
use kuvert_web::deep_link::QrModules;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A4 in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
/// The left margin (22 mm) and the right edge of the text.
const LEFT: f32 = 62.0;
const RIGHT: f32 = 533.0;
/// Where the date and reference column starts.
const RIGHT_COLUMN: f32 = 340.0;
/// The top line of a page, and the lowest line of the body on a page without the notice.
const TOP: f32 = 790.0;
pub(super) const BODY_BOTTOM: f32 = 72.0;
/// The address block's first line: 45 mm from the top, where a C5 window envelope shows it.
const ADDRESS_TOP: f32 = PAGE_HEIGHT - 128.0;
/// The subject's line on page one.
const SUBJECT_TOP: f32 = 596.0;
/// The notice box at the foot of page one, and its QR code's side (42 mm).
const NOTICE_BOTTOM: f32 = 56.0;
const NOTICE_HEIGHT: f32 = 144.0;
const QR_SIDE: f32 = 120.0;
/// Modules of light margin around a QR code (ISO/IEC 18004).
const QR_QUIET_MODULES: usize = 4;
/// Text sizes and the distance between lines.
const BODY_SIZE: f32 = 11.0;
const BODY_LEADING: f32 = 15.0;
const SMALL_SIZE: f32 = 9.0;

/// The two fonts, both standard PDF fonts every reader has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Self::Regular => "F1",
            Self::Bold => "F2",
        }
    }
}

/// The lines at the top of page one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Heading<'a> {
    pub(super) name: &'a str,
    pub(super) number: &'a str,
    pub(super) date: &'a str,
    pub(super) reference: Option<&'a str>,
}

/// Pages being set.
pub(super) struct Layout {
    pages: Vec<Vec<Operation>>,
    /// The next line's baseline on the last page.
    y: f32,
    /// The lowest baseline of the body on the last page.
    bottom: f32,
    /// Whether text was left out at `PAPER_LETTER_PAGES_MAX`.
    is_cut: bool,
}

impl Layout {
    pub(super) fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: TOP,
            bottom: BODY_BOTTOM,
            is_cut: false,
        }
    }

    /// The sender and its number on the left, the date and reference on the right.
    pub(super) fn heading(&mut self, heading: &Heading<'_>) {
        let Heading {
            name,
            number,
            date,
            reference,
        } = *heading;
        self.text(Pen::new(Font::Bold, 12.0).at(LEFT, TOP), name);
        self.text(
            Pen::new(Font::Regular, SMALL_SIZE).at(LEFT, TOP - 14.0),
            number,
        );
        self.text(
            Pen::new(Font::Regular, SMALL_SIZE).at(RIGHT_COLUMN, TOP),
            date,
        );
        if let Some(reference) = reference {
            let lines = wrap(reference, Font::Regular, SMALL_SIZE, RIGHT - RIGHT_COLUMN);
            for (index, line) in lines.iter().take(3).enumerate() {
                let y = TOP - 14.0 - 12.0 * index as f32;
                self.text(
                    Pen::new(Font::Regular, SMALL_SIZE).at(RIGHT_COLUMN, y),
                    line,
                );
            }
        }
    }

    /// The address lines in the window; `is_missing` sets the first in bold.
    pub(super) fn address(&mut self, lines: &[String], is_missing: bool) {
        for (index, line) in lines.iter().enumerate() {
            let font = if is_missing && index == 0 {
                Font::Bold
            } else {
                Font::Regular
            };
            let y = ADDRESS_TOP - 14.0 * index as f32;
            self.text(Pen::new(font, BODY_SIZE).at(LEFT, y), line);
        }
    }

    /// The notice box at the foot of page one: `lines` on the left (the first bold, the last
    /// the link), the QR code on the right. Returns the lowest baseline left for the body.
    pub(super) fn notice(&mut self, lines: &[String; 4], qr: &QrModules) -> f32 {
        let top = NOTICE_BOTTOM + NOTICE_HEIGHT;
        let page = self.last_page();
        page.push(op("w", vec![0.8.into()]));
        page.push(op(
            "re",
            vec![
                LEFT.into(),
                NOTICE_BOTTOM.into(),
                (RIGHT - LEFT).into(),
                NOTICE_HEIGHT.into(),
            ],
        ));
        page.push(op("S", vec![]));
        let qr_x = RIGHT - 12.0 - QR_SIDE;
        self.qr_code(qr, qr_x, NOTICE_BOTTOM + (NOTICE_HEIGHT - QR_SIDE) / 2.0);
        let width = qr_x - LEFT - 24.0;
        let mut y = top - 22.0;
        for (index, line) in lines.iter().enumerate() {
            let (font, size) = match index {
                0 => (Font::Bold, BODY_SIZE),
                3 => (Font::Regular, SMALL_SIZE),
                _ => (Font::Regular, 10.0),
            };
            for part in wrap(line, font, size, width) {
                self.text(Pen::new(font, size).at(LEFT + 12.0, y), &part);
                y -= size + 4.0;
            }
            y -= 3.0;
        }
        top + 20.0
    }

    /// The subject in bold, then the body from below it down to `bottom` on page one.
    pub(super) fn start_body(&mut self, subject: &str, bottom: f32) {
        self.y = SUBJECT_TOP;
        self.bottom = bottom;
        for line in wrap(subject, Font::Bold, 13.0, RIGHT - LEFT) {
            self.text(Pen::new(Font::Bold, 13.0).at(LEFT, self.y), &line);
            self.y -= 17.0;
        }
        self.y -= 10.0;
    }

    /// One paragraph of the body, broken to the measure; an empty one is an empty line.
    /// `false` once the page bound is reached (the rest is cut).
    pub(super) fn paragraph(&mut self, text: &str, font: Font) -> bool {
        let lines = wrap(text, font, BODY_SIZE, RIGHT - LEFT);
        for line in lines
            .iter()
            .map(String::as_str)
            .chain(lines.is_empty().then_some(""))
        {
            if self.y < self.bottom && !self.new_page() {
                return false;
            }
            self.text(Pen::new(font, BODY_SIZE).at(LEFT, self.y), line);
            self.y -= BODY_LEADING;
        }
        true
    }

    pub(super) fn is_cut(&self) -> bool {
        self.is_cut
    }

    /// Says on the last page that the text was cut at `pages` pages.
    pub(super) fn note_cut(&mut self, pages: usize) {
        let note = format!(
            "Texten är längre än {pages} sidor och har kortats här. Hela brevet finns hos \
             avsändaren."
        );
        self.text(
            Pen::new(Font::Bold, SMALL_SIZE).at(LEFT, BODY_BOTTOM - 20.0),
            &note,
        );
    }

    /// The document: page numbers added, fonts and pages tied together, streams compressed.
    pub(super) fn finish(mut self) -> Result<Vec<u8>, String> {
        let count = self.pages.len();
        for index in 0..count {
            let number = format!("Sida {} av {count}", index + 1);
            let x = RIGHT - text_width(&number, Font::Regular, SMALL_SIZE);
            let pen = Pen::new(Font::Regular, SMALL_SIZE).at(x, 36.0);
            text_into(&mut self.pages[index], pen, &number);
        }
        document(self.pages)
    }

    fn new_page(&mut self) -> bool {
        if self.pages.len() >= PAPER_LETTER_PAGES_MAX {
            self.is_cut = true;
            return false;
        }
        self.pages.push(Vec::new());
        self.y = TOP;
        self.bottom = BODY_BOTTOM;
        true
    }

    fn last_page(&mut self) -> &mut Vec<Operation> {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, pen: Pen, text: &str) {
        text_into(self.last_page(), pen, text);
    }

    /// The code's dark modules as filled squares, each row's runs as one rectangle.
    fn qr_code(&mut self, qr: &QrModules, x: f32, y: f32) {
        let modules = qr.width + 2 * QR_QUIET_MODULES;
        let module = QR_SIDE / modules as f32;
        let page = self.last_page();
        page.push(op("rg", vec![0.into(), 0.into(), 0.into()]));
        for (row, cells) in qr.dark.chunks(qr.width.max(1)).enumerate() {
            let top = y + QR_SIDE - module * (QR_QUIET_MODULES + row) as f32;
            let mut column = 0;
            while column < cells.len() {
                if !cells[column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < cells.len() && cells[column] {
                    column += 1;
                }
                let left = x + module * (QR_QUIET_MODULES + start) as f32;
                let run = module * (column - start) as f32;
                page.push(op(
                    "re",
                    vec![
                        left.into(),
                        (top - module).into(),
                        run.into(),
                        module.into(),
                    ],
                ));
            }
        }
        page.push(op("f", vec![]));
    }
}

fn op(operator: &str, operands: Vec<Object>) -> Operation {
    Operation::new(operator, operands)
}

/// Where and how a line of text is set: its start on the baseline, its font and size.
#[derive(Debug, Clone, Copy)]
struct Pen {
    x: f32,
    y: f32,
    font: Font,
    size: f32,
}

impl Pen {
    fn new(font: Font, size: f32) -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            font,
            size,
        }
    }

    fn at(self, x: f32, y: f32) -> Self {
        Self { x, y, ..self }
    }
}

fn text_into(page: &mut Vec<Operation>, pen: Pen, text: &str) {
    page.push(op("BT", vec![]));
    page.push(op("Tf", vec![pen.font.resource().into(), pen.size.into()]));
    page.push(op("Td", vec![pen.x.into(), pen.y.into()]));
    page.push(op("Tj", vec![Object::string_literal(win_ansi(text))]));
    page.push(op("ET", vec![]));
}

/// The pages as one PDF: Helvetica and Helvetica-Bold in WinAnsiEncoding, Swedish as the
/// document's language.
fn document(pages: Vec<Vec<Operation>>) -> Result<Vec<u8>, String> {
    let mut document = Document::with_version("1.7");
    let pages_id = document.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => name,
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = document.add_object(font("Helvetica"));
    let bold = document.add_object(font("Helvetica-Bold"));
    let resources = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::with_capacity(pages.len());
    for operations in pages {
        let content = Content { operations }
            .encode()
            .map_err(|error| error.to_string())?;
        let content_id = document.add_object(Stream::new(dictionary! {}, content));
        let page = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
        }),
    );
    let catalog = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Lang" => Object::string_literal("sv-SE"),
    });
    document.trailer.set("Root", catalog);
    document.compress();
    let mut bytes = Vec::new();
    document
        .save_to(&mut bytes)
        .map_err(|error| error.to_string())?;
    Ok(bytes)
}

/// `text` broken at spaces into lines no wider than `width`; a word wider than a line is cut
/// at the measure. Each word is measured once and the line's width kept as a sum (widths add
/// up glyph by glyph), so a long letter wraps in linear time; measuring the whole line again
/// for every word was the most expensive part of a mailing's paper letters (issue 14).
fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let fits = |units: u32| units_width(units, font, size) <= width;
    let space_units = text_units(" ");
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_units = 0_u32;
    for word in text.split_whitespace() {
        let word_units = text_units(word);
        let candidate_units = if line.is_empty() {
            word_units
        } else {
            line_units + space_units + word_units
        };
        if fits(candidate_units) {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            line_units = candidate_units;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest = word;
        while text_width(rest, font, size) > width {
            let fits = rest
                .char_indices()
                .map(|(at, c)| at + c.len_utf8())
                .take_while(|&end| text_width(&rest[..end], font, size) <= width)
                .last()
                .unwrap_or(rest.chars().next().map_or(rest.len(), char::len_utf8));
            lines.push(rest[..fits].to_owned());
            rest = &rest[fits..];
        }
        line = rest.to_owned();
        line_units = text_units(rest);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Width of `text` in points: Helvetica's advance widths (per 1000 units of the size); bold is
/// taken as a tenth wider, enough for breaking lines.
fn text_width(text: &str, font: Font, size: f32) -> f32 {
    units_width(text_units(text), font, size)
}

/// Helvetica's advance width of `text` in font units.
fn text_units(text: &str) -> u32 {
    win_ansi(text).iter().map(|&byte| glyph_width(byte)).sum()
}

/// Font units in points at `size` ([`text_width`]).
fn units_width(units: u32, font: Font, size: f32) -> f32 {
    let scale = if font == Font::Bold { 1.1 } else { 1.0 };
    units as f32 * size * scale / 1000.0
}

/// Helvetica's width of a WinAnsi byte (Adobe's AFM); accented letters as their base letter.
fn glyph_width(byte: u8) -> u32 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    match byte {
        32..=126 => u32::from(ASCII[usize::from(byte - 32)]),
        0xC0..=0xC6 | 0xC8..=0xCB | 0xD1..=0xD6 | 0xD8..=0xDD => 722,
        _ => 556,
    }
}

/// `text` in WinAnsiEncoding: ASCII and Latin-1 as they are, the typographic quotes, dashes,
/// bullet, ellipsis and euro at their WinAnsi places, anything else `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).unwrap_or(b'?'),
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '\t' => b' ',
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_are_latin1_bytes_and_others_a_question_mark() {
        assert_eq!(
            win_ansi("åäö ÅÄÖ é – €"),
            b"\xe5\xe4\xf6 \xc5\xc4\xd6 \xe9 \x96 \x80"
        );
        assert_eq!(win_ansi("\u{2603}x"), b"?x");
    }

    #[test]
    fn lines_break_at_spaces_within_the_measure_and_cut_a_long_word() {
        let lines = wrap("ett två tre fyra fem", Font::Regular, 11.0, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), "ett två tre fyra fem");
        for line in &lines {
            assert!(text_width(line, Font::Regular, 11.0) <= 60.0, "{line}");
        }
        let long = "x".repeat(200);
        let cut = wrap(&long, Font::Regular, 11.0, 100.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), long);
    }

    /// The greedy rule measured the slow way: each line the longest run of words whose whole
    /// text fits (what `wrap` did before issue 14), for long words cut as `wrap` cuts them.
    fn wrap_measuring_each_line(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if text_width(&candidate, font, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut parts = wrap(word, font, size, width);
            line = parts.pop().unwrap_or_default();
            lines.extend(parts);
        }
        lines.extend((!line.is_empty()).then_some(line));
        lines
    }

    // Issue 14: measuring each word once breaks every line where measuring the line did.
    #[test]
    fn lines_break_where_measuring_the_whole_line_breaks_them() {
        let text = "Skatteverket har beräknat din skatt för 2026. Åsa Öberg, Storgatan 1 – \
            slutskattebesked: 12 345 kr att få tillbaka den 7 april. "
            .repeat(20)
            + &"ö".repeat(90)
            + " Med vänliga hälsningar";
        for font in [Font::Regular, Font::Bold] {
            for width in [20.0, 60.0, 99.5, 250.0, 481.0] {
                assert_eq!(
                    wrap(&text, font, 11.0, width),
                    wrap_measuring_each_line(&text, font, 11.0, width),
                    "{font:?} {width}"
                );
            }
        }
    }
}
