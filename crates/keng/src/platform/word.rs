//! Editable Word documents (docx-rs) in the department's usual style: Times New Roman,
//! paragraphs and table cells that never carry a character XML forbids (docx-rs escapes
//! markup but passes control characters, which would make the file no XML at all),
//! tables at the page's width, charts as tables of coloured bars (`add_chart`), and the
//! packing into bytes.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};

fn font() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Times New Roman")
}

/// A paragraph of `s` at `size` half-points.
pub fn text(s: &str, size: usize, bold: bool) -> Paragraph {
    let mut run = Run::new().add_text(clean(s)).size(size).fonts(font());
    if bold {
        run = run.bold();
    }
    Paragraph::new().add_run(run)
}

/// A table cell holding `s` (11 pt), right-aligned for numbers.
pub fn table_cell(s: &str, bold: bool, right: bool) -> TableCell {
    let mut p = text(s, 22, bold);
    if right {
        p = p.align(AlignmentType::Right);
    }
    TableCell::new().add_paragraph(p)
}

/// A table at an A4 page's text width: a bold header row, then rows whose cells after
/// the first `left` columns are right-aligned (numbers).
pub fn table(head: &[String], rows: &[Vec<String>], left: usize) -> Table {
    let mut out = vec![TableRow::new(
        head.iter().map(|h| table_cell(h, true, false)).collect(),
    )];
    for r in rows {
        out.push(TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, c)| table_cell(c, false, i >= left))
                .collect(),
        ));
    }
    Table::new(out).width(9600, WidthType::Dxa)
}

/// A new A4 document.
pub fn a4() -> Docx {
    Docx::new().page_size(11906, 16838)
}

/// The document as bytes.
pub fn pack(doc: Docx) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// A one-pixel PNG of `hex` ("#1f5fa8"), stretched into a bar or a legend square.
fn swatch(hex: &str) -> Vec<u8> {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0x6b6b6b);
    let px =
        image::RgbImage::from_pixel(1, 1, image::Rgb([(v >> 16) as u8, (v >> 8) as u8, v as u8]));
    let mut out = Cursor::new(Vec::new());
    // Writing one pixel to memory cannot fail; an empty picture would only be blank.
    let _ = px.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// EMUs (Word's unit) per inch.
const EMU_PER_INCH: f64 = 914_400.0;

fn bar(hex: &str, inches: f64) -> docx_rs::Pic {
    docx_rs::Pic::new_with_dimensions(swatch(hex), 1, 1).size(
        (inches.max(0.02) * EMU_PER_INCH) as u32,
        (0.12 * EMU_PER_INCH) as u32,
    )
}

/// A chart Word shows, prints and lets a person edit without a plotting engine: its
/// title, a legend, then a table with a row per category and, per series, a coloured bar
/// as long as its share of the largest value with the value written beside it.
pub fn add_chart(doc: Docx, c: &keng_charts::Chart) -> Docx {
    const LONGEST: f64 = 3.2;
    let max = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let colour = |i: usize| keng_charts::PALETTE[i % keng_charts::PALETTE.len()];
    let mut legend = Paragraph::new();
    for (i, s) in c.series.iter().enumerate() {
        legend = legend
            .add_run(Run::new().add_image(bar(colour(i), 0.12)))
            .add_run(
                Run::new()
                    .add_text(format!(" {}   ", clean(&s.name)))
                    .size(20)
                    .fonts(font()),
            );
    }
    let mut rows = Vec::new();
    for (k, cat) in c.categories.iter().enumerate() {
        let mut cell = TableCell::new();
        for (i, s) in c.series.iter().enumerate() {
            let v = s.values.get(k).copied().unwrap_or(0.0);
            let v = if v.is_finite() { v } else { 0.0 };
            let mut p = Paragraph::new();
            if v > 0.0 && max > 0.0 {
                p = p.add_run(Run::new().add_image(bar(colour(i), LONGEST * v / max)));
            }
            let value = match c.unit.as_str() {
                "" => keng_charts::number(v),
                u => format!("{} {u}", keng_charts::number(v)),
            };
            cell = cell.add_paragraph(
                p.add_run(
                    Run::new()
                        .add_text(format!(" {value}"))
                        .size(20)
                        .fonts(font()),
                ),
            );
        }
        rows.push(TableRow::new(vec![table_cell(cat, false, false), cell]));
    }
    doc.add_paragraph(text(&c.title, 24, true))
        .add_paragraph(legend)
        .add_table(Table::new(rows).width(9600, WidthType::Dxa))
        .add_paragraph(text(&c.desc, 18, false))
}

/// `s` without the characters XML forbids.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if keng_charts::allowed_in_xml(c) {
                c
            } else {
                ' '
            }
        })
        .collect()
}
