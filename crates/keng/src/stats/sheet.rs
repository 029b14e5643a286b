//! The spreadsheet a unit fills in: the template (XLSX written with rust_xlsxwriter,
//! or CSV) names its version, the unit and the period in its first row, and lists every
//! measure in use, one per row, with the value to fill in column E; and reading it back
//! (XLSX with calamine, CSV with the csv crate — never a hand-written parser), every
//! problem named by its cell: a wrong or old template, a merged cell, text in a number
//! cell, a value twice. Reading only turns cells into raw figures; `check` judges them.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx};
use keng_stats::{Kind, Period};
use rust_xlsxwriter::{Format, Workbook};

use super::catalogue::Catalogue;
use super::check::{Cell, Problem, Raw};

/// What the first cell of a template says; a file without it is no template of ours,
/// one with another version is an old template.
pub const MARK: &str = "KENG-STATS";
pub const VERSION: &str = "v1";
/// The sheet of the XLSX template (also how CSV problems name their "sheet").
pub const SHEET: &str = "Số liệu";
pub const CSV_SHEET: &str = "CSV";
/// Rows before the measures (0-based index of the first measure row).
const FIRST_ROW: u32 = 3;
/// Columns: measure id, field, measure, unit, value.
const VALUE_COL: u32 = 4;

/// A filled-in template, read.
#[derive(Debug)]
pub struct Filled {
    pub unit_code: String,
    pub period: (Kind, Period),
    pub values: Vec<(String, Raw, Option<Cell>)>,
}

fn header(unit_code: &str, period: &str) -> [String; 5] {
    [
        format!("{MARK} {VERSION}"),
        "Đơn vị / Unit".into(),
        unit_code.to_string(),
        "Kỳ / Period".into(),
        period.to_string(),
    ]
}

const HELP: &str = "Điền số vào cột E (Giá trị). Không sửa cột A và dòng 1. Số đếm là số nguyên; \
số thập phân dùng dấu phẩy (2,5). Để trống nếu không có số liệu. / Fill in column E only.";

fn titles() -> [&'static str; 5] {
    [
        "Mã chỉ tiêu",
        "Lĩnh vực",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Giá trị",
    ]
}

/// The XLSX template for a unit and period (active measures, in catalogue order).
pub fn template_xlsx(cat: &Catalogue, unit_code: &str, period: &str) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let input = Format::new()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xFFF7D6))
        .set_unlocked();
    let ws = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    ws.set_name(SHEET).map_err(e)?;
    for (c, v) in header(unit_code, period).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, v, &bold)
            .map_err(e)?;
    }
    ws.write_string(1, 0, HELP).map_err(e)?;
    for (c, v) in titles().iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *v, &bold)
            .map_err(e)?;
    }
    let mut row = FIRST_ROW;
    for f in &cat.fields {
        for m in f.measures.iter().filter(|m| m.active) {
            ws.write_string(row, 0, &m.id).map_err(e)?;
            ws.write_string(row, 1, &f.name_vi).map_err(e)?;
            ws.write_string(row, 2, &m.name_vi).map_err(e)?;
            ws.write_string(row, 3, &m.unit_vi).map_err(e)?;
            ws.write_blank(row, VALUE_COL as u16, &input).map_err(e)?;
            row += 1;
        }
    }
    ws.set_column_width(0, 28).map_err(e)?;
    ws.set_column_width(1, 30).map_err(e)?;
    ws.set_column_width(2, 34).map_err(e)?;
    ws.set_column_width(3, 14).map_err(e)?;
    ws.set_column_width(4, 14).map_err(e)?;
    wb.save_to_buffer().map_err(e)
}

/// The CSV template (UTF-8 with a byte-order mark, so spreadsheet programs read it).
pub fn template_csv(cat: &Catalogue, unit_code: &str, period: &str) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| e.to_string();
    w.write_record(header(unit_code, period)).map_err(e)?;
    w.write_record([HELP, "", "", "", ""]).map_err(e)?;
    w.write_record(titles()).map_err(e)?;
    for f in &cat.fields {
        for m in f.measures.iter().filter(|m| m.active) {
            w.write_record([
                m.id.as_str(),
                f.name_vi.as_str(),
                m.name_vi.as_str(),
                m.unit_vi.as_str(),
                "",
            ])
            .map_err(e)?;
        }
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(w.into_inner().map_err(|e| e.to_string())?);
    Ok(out)
}

/// Reads the first row (mark, unit, period) and the measure rows of a grid.
fn read_grid(
    sheet: &str,
    cell: impl Fn(u32, u32) -> Raw,
    rows: u32,
    merged: &[(u32, u32)],
) -> Result<Filled, Vec<Problem>> {
    let text = |r: u32, c: u32| match cell(r, c) {
        Raw::Text(s) => s.trim().to_string(),
        Raw::Number(n) => keng_charts::number_to(n, 6),
    };
    let at = |r: u32, c: u32| Some(Cell::new(sheet, r, c));
    let mark = text(0, 0);
    if !mark.starts_with(MARK) {
        return Err(vec![Problem::new("not_a_template")
            .at(at(0, 0))
            .value(mark.chars().take(40).collect())]);
    }
    if mark != format!("{MARK} {VERSION}") {
        return Err(vec![Problem::new("wrong_template")
            .at(at(0, 0))
            .value(mark.chars().take(40).collect())]);
    }
    let mut problems = Vec::new();
    for (r, c) in merged {
        problems.push(Problem::new("merged_cells").at(at(*r, *c)));
    }
    let unit_code = text(0, 2);
    if unit_code.is_empty() {
        problems.push(Problem::new("wrong_unit").at(at(0, 2)));
    }
    let period_text = text(0, 4);
    let period = match Period::parse_label(&period_text) {
        Ok(p) => Some(p),
        Err(_) => {
            problems.push(
                Problem::new("wrong_period")
                    .at(at(0, 4))
                    .value(period_text.chars().take(40).collect()),
            );
            None
        }
    };
    let mut values = Vec::new();
    for r in FIRST_ROW..rows {
        let id = text(r, 0);
        if id.is_empty() {
            continue;
        }
        values.push((id, cell(r, VALUE_COL), at(r, VALUE_COL)));
    }
    match period {
        Some(period) if problems.is_empty() => Ok(Filled {
            unit_code,
            period,
            values,
        }),
        _ => Err(problems),
    }
}

/// Rows and columns read from a sheet: the template's are far inside; anything beyond
/// is ignored, never allocated (a cell at XFD1048576 is a file of a few bytes).
const MAX_ROWS: u32 = 10_000;
const MAX_COLS: u32 = 26;
/// What an XLSX may hold once unpacked: its parts, each and together.
const MAX_PARTS: usize = 200;
const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;

/// Unpacks every part of the zip with a hard cap (a part that says it is small but
/// inflates past it is caught too): a 2 MB upload may not become gigabytes. The
/// problem's code when it is no zip or too big.
fn unpacked_check(bytes: &[u8]) -> Result<(), &'static str> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Err("unreadable");
    };
    if zip.len() > MAX_PARTS {
        return Err("too_big_unpacked");
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else {
            return Err("unreadable");
        };
        if part.size() > MAX_PART_BYTES {
            return Err("too_big_unpacked");
        }
        let mut capped = std::io::Read::take(part, MAX_PART_BYTES + 1);
        let Ok(n) = std::io::copy(&mut capped, &mut std::io::sink()) else {
            return Err("unreadable");
        };
        total += n;
        if n > MAX_PART_BYTES || total > MAX_UNPACKED_BYTES {
            return Err("too_big_unpacked");
        }
    }
    Ok(())
}

/// A cell's value as figures read it; a formula, a date or an error in a figure's cell
/// is a problem of its own (the value a formula last showed is not taken on trust).
fn raw_ref(d: &DataRef) -> Result<Raw, &'static str> {
    Ok(match d {
        DataRef::Empty => Raw::Text(String::new()),
        DataRef::Int(i) => Raw::Number(*i as f64),
        DataRef::Float(f) => Raw::Number(*f),
        DataRef::String(s) => Raw::Text(s.clone()),
        DataRef::SharedString(s) => Raw::Text((*s).to_string()),
        DataRef::Bool(b) => Raw::Text(b.to_string()),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
            return Err("date_cell")
        }
        DataRef::Error(_) => return Err("error_cell"),
    })
}

/// Reads a filled-in XLSX template: checked unpacked first, then read cell by cell
/// (calamine's streaming reader, so the sheet is never laid out as a dense grid), in a
/// guard that turns a reader's panic on a hostile file into "unreadable".
pub fn read_xlsx(bytes: &[u8]) -> Result<Filled, Vec<Problem>> {
    unpacked_check(bytes).map_err(|code| vec![Problem::new(code)])?;
    std::panic::catch_unwind(|| read_xlsx_cells(bytes))
        .unwrap_or_else(|_| Err(vec![Problem::new("unreadable")]))
}

fn read_xlsx_cells(bytes: &[u8]) -> Result<Filled, Vec<Problem>> {
    let unreadable = || vec![Problem::new("unreadable")];
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let names = book.sheet_names();
    let Some(name) = names
        .iter()
        .find(|n| n.as_str() == SHEET)
        .or(names.first())
        .cloned()
    else {
        return Err(unreadable());
    };
    let merged: Vec<(u32, u32)> = book
        .merge_cells_by_sheet_name(&name)
        .map_err(|_| unreadable())?
        .iter()
        .map(|d| d.start)
        .filter(|(r, c)| *r < MAX_ROWS && *c < MAX_COLS)
        .collect();
    let mut cells: std::collections::HashMap<(u32, u32), Raw> = std::collections::HashMap::new();
    let mut odd = Vec::new();
    let mut rows = 0;
    {
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|_| unreadable())?;
        while let Some(c) = reader
            .next_cell_with_formula_metadata()
            .map_err(|_| unreadable())?
        {
            let (r, col) = c.pos;
            if r >= MAX_ROWS || col >= MAX_COLS {
                continue;
            }
            let at = Some(Cell::new(&name, r, col));
            if c.formula.is_some() && col == VALUE_COL && r >= FIRST_ROW {
                odd.push(Problem::new("formula_cell").at(at));
                continue;
            }
            match raw_ref(&c.value) {
                Ok(v) => {
                    rows = rows.max(r + 1);
                    cells.insert((r, col), v);
                }
                Err(code) if col == VALUE_COL && r >= FIRST_ROW => {
                    odd.push(Problem::new(code).at(at));
                }
                Err(_) => {}
            }
        }
    }
    let read = read_grid(
        &name,
        |r, c| {
            cells
                .get(&(r, c))
                .cloned()
                .unwrap_or(Raw::Text(String::new()))
        },
        rows,
        &merged,
    );
    match (read, odd.is_empty()) {
        (read, true) => read,
        (Ok(_), false) => Err(odd),
        (Err(mut p), false) => {
            p.extend(odd);
            Err(p)
        }
    }
}

/// Reads a filled-in CSV template (UTF-8, with or without a byte-order mark; comma or
/// semicolon separated, as Excel writes it in locales with a decimal comma).
pub fn read_csv(bytes: &[u8]) -> Result<Filled, Vec<Problem>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(vec![Problem::new("not_utf8")]);
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut grid: Vec<Vec<String>> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    for rec in reader.records().take(10_000) {
        let rec = rec.map_err(|_| vec![Problem::new("unreadable")])?;
        grid.push(rec.iter().map(str::to_string).collect());
    }
    let rows = grid.len() as u32;
    read_grid(
        CSV_SHEET,
        |r, c| {
            Raw::Text(
                grid.get(r as usize)
                    .and_then(|row| row.get(c as usize))
                    .cloned()
                    .unwrap_or_default(),
            )
        },
        rows,
        &[],
    )
}

/// Reads a filled-in template of either kind, by its bytes (an XLSX is a zip).
pub fn read(bytes: &[u8]) -> Result<(Filled, &'static str), Vec<Problem>> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes).map(|f| (f, "xlsx"))
    } else {
        read_csv(bytes).map(|f| (f, "csv"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::catalogue::{Field, Measure};

    fn catalogue() -> Catalogue {
        let m = |id: &str, whole: bool| Measure {
            id: id.into(),
            field_id: "ma_tuy".into(),
            name_vi: id.into(),
            name_en: id.into(),
            unit_vi: "vụ".into(),
            unit_en: "cases".into(),
            whole,
            summable: true,
            at_least: None,
            in_narrative: true,
            max_value: None,
            position: 0,
            active: true,
        };
        Catalogue {
            fields: vec![Field {
                id: "ma_tuy".into(),
                name_vi: "Ma tuý".into(),
                name_en: "Drugs".into(),
                verb_vi: "phát hiện".into(),
                object_vi: String::new(),
                position: 1,
                measures: vec![m("ma_tuy.cases", true), m("ma_tuy.heroin_g", false)],
            }],
        }
    }

    #[test]
    fn a_template_reads_back_as_itself() {
        let cat = catalogue();
        let x = template_xlsx(&cat, "CAP-HACTHANH", "2026-W47").unwrap();
        let (f, source) = read(&x).unwrap();
        assert_eq!(source, "xlsx");
        assert_eq!(f.unit_code, "CAP-HACTHANH");
        assert_eq!(f.period.1.label(f.period.0), "2026-W47");
        let ids: Vec<_> = f.values.iter().map(|v| v.0.as_str()).collect();
        assert_eq!(ids, ["ma_tuy.cases", "ma_tuy.heroin_g"]);
        assert_eq!(f.values[0].2, Some(Cell::new(SHEET, 3, 4)));
        let c = template_csv(&cat, "CAP-HACTHANH", "2026-11").unwrap();
        let (f, source) = read(&c).unwrap();
        assert_eq!((source, f.values.len()), ("csv", 2));
        assert_eq!(
            f.values[1].2.as_ref().map(|c| (c.row, c.column.as_str())),
            Some((5, "E"))
        );
    }

    /// A copy of a zip with each part passed through `change`.
    fn rezip(bytes: &[u8], change: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut part = zin.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name.clone(), opts).unwrap();
            out.write_all(&change(&name, data)).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn filled(extra: impl Fn(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let cat = catalogue();
        let t = template_xlsx(&cat, "CAP-HACTHANH", "2026-W47").unwrap();
        let (head, rows) = {
            let f = read(&t).unwrap().0;
            (f.unit_code, f.values.len())
        };
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(SHEET).unwrap();
        for (c, v) in super::header(&head, "2026-W47").iter().enumerate() {
            ws.write_string(0, c as u16, v).unwrap();
        }
        ws.write_string(3, 0, "ma_tuy.cases").unwrap();
        ws.write_number(3, 4, 3.0).unwrap();
        assert_eq!(rows, 2);
        extra(ws);
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_cell_far_away_is_ignored_not_laid_out() {
        // XFD1048576: a dense grid to it would be half a terabyte.
        let x = filled(|ws| {
            ws.write_number(1_048_575, 16_383, 3.0).unwrap();
        });
        let f = read(&x).unwrap().0;
        assert_eq!(f.values.len(), 1);
    }

    #[test]
    fn formulas_dates_and_error_cells_are_named_not_read() {
        let x = filled(|ws| {
            ws.write_string(4, 0, "ma_tuy.heroin_g").unwrap();
            ws.write_formula(4, 4, "=1+2").unwrap();
            ws.write_string(5, 0, "ma_tuy.pills").unwrap();
            let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
            ws.write_number_with_format(5, 4, 43831.0, &date).unwrap();
        });
        let p = read(&x).unwrap_err();
        let codes: Vec<_> = p
            .iter()
            .map(|p| (p.code.as_str(), p.cell.clone().map(|c| c.row)))
            .collect();
        assert!(codes.contains(&("formula_cell", Some(5))), "{codes:?}");
        assert!(codes.contains(&("date_cell", Some(6))), "{codes:?}");
    }

    #[test]
    fn hostile_zips_are_refused_without_exhausting_anything() {
        let x = filled(|_| {});
        // A cell reference past any integer: the reader's panic is caught.
        let huge = rezip(&x, |name, data| {
            if name.ends_with("sheet1.xml") {
                String::from_utf8(data)
                    .unwrap()
                    .replace("r=\"E4\"", "r=\"E99999999999999999999\"")
                    .into_bytes()
            } else {
                data
            }
        });
        match read(&huge) {
            // Debug builds check arithmetic: the reader panics, the guard answers.
            Err(p) => assert_eq!(p[0].code, "unreadable"),
            // Release builds wrap: the cell lands somewhere and is ignored or read.
            Ok(f) => assert!(!cfg!(debug_assertions) && f.0.values.len() <= 1),
        }
        // A part that inflates to 40 MB.
        let bomb = rezip(&x, |name, data| {
            if name.ends_with("sheet1.xml") {
                let mut d = data;
                d.extend(std::iter::repeat_n(b' ', 40 * 1024 * 1024));
                d
            } else {
                data
            }
        });
        assert!(
            bomb.len() < 2 * 1024 * 1024,
            "the bomb is small: {}",
            bomb.len()
        );
        assert_eq!(read(&bomb).unwrap_err()[0].code, "too_big_unpacked");
    }

    #[test]
    fn not_a_template_says_so_at_a1() {
        let p = read(b"Ten,So\nA,1\n").unwrap_err();
        assert_eq!(p[0].code, "not_a_template");
        assert_eq!(p[0].cell, Some(Cell::new(CSV_SHEET, 0, 0)));
        let p = read(b"KENG-STATS v0,x,CAP,y,2026-W47\n").unwrap_err();
        assert_eq!(p[0].code, "wrong_template");
        let p = read(b"KENG-STATS v1,x,CAP,y,2026-W99\n").unwrap_err();
        assert_eq!(p[0].code, "wrong_period");
        assert_eq!(
            read(b"PK\x03\x04garbage").unwrap_err()[0].code,
            "unreadable"
        );
        assert_eq!(read(b"\xff\xfe\x00").unwrap_err()[0].code, "not_utf8");
    }
}
