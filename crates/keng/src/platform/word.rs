//! Editable Word documents (docx-rs) in the department's usual style: Times New Roman,
//! paragraphs and table cells that never carry a character XML forbids (docx-rs escapes
//! markup but passes control characters, which would make the file no XML at all),
//! tables at the page's width, and the packing into bytes.

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
    let s: String = s
        .chars()
        .map(|c| {
            if keng_charts::allowed_in_xml(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut run = Run::new().add_text(s).size(size).fonts(font());
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
