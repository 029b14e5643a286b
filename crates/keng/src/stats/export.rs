//! A report for other programs and for print: CSV (UTF-8 with a byte-order mark, text
//! cells guarded against formulas), XLSX (rust_xlsxwriter; numbers as numbers, so the
//! spreadsheet can add them up again) and an editable DOCX (docx-rs) in the
//! department's usual style — a title, the period, the sentences written from the
//! numbers, then the table with "so với cùng kỳ" and the charts (bars per unit, the
//! figures over time) — with Vietnamese number formatting.

use docx_rs::{AlignmentType, Table, TableRow, WidthType};
use keng_charts::number_to;
use rust_xlsxwriter::{Format, Workbook};

use super::figures::Report;
use crate::platform::i18n::{t, Lang};
use crate::platform::spreadsheet::cell;
use crate::platform::word::{a4, pack, table_cell, text};

fn tr(lang: Lang, key: &str) -> String {
    t(lang, &format!("stats.{key}"))
}

fn columns(lang: Lang) -> Vec<String> {
    [
        "col_field",
        "col_measure",
        "col_unit",
        "col_now",
        "col_last_year",
        "col_diff",
        "col_pct",
        "col_previous",
        "col_diff_previous",
    ]
    .iter()
    .map(|k| tr(lang, k))
    .collect()
}

/// A figure in Vietnamese digits, empty when there is none.
fn num(v: Option<f64>) -> String {
    v.map(|x| number_to(x, 2)).unwrap_or_default()
}

/// The report as CSV: one line per measure (machine-readable numbers: a decimal
/// point, no grouping), then one line per unit and measure.
pub fn csv(r: &Report) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let e = |e: csv::Error| e.to_string();
    w.write_record([
        "from",
        "to",
        "unit",
        "field",
        "measure_id",
        "measure",
        "unit_of_measure",
        "value",
        "same_period_last_year",
        "previous_period",
        "figures",
    ])
    .map_err(e)?;
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for l in &r.lines {
        w.write_record([
            r.from.clone(),
            r.to.clone(),
            cell(&r.unit),
            cell(&l.field),
            l.measure_id.clone(),
            cell(&l.measure),
            cell(&l.unit),
            f(l.now),
            f(l.last_year),
            f(l.previous),
            l.figures.to_string(),
        ])
        .map_err(e)?;
    }
    for u in &r.by_unit {
        for (m, v) in &u.values {
            let line = r.lines.iter().find(|l| &l.measure_id == m);
            w.write_record([
                r.from.clone(),
                r.to.clone(),
                cell(&u.unit),
                cell(&line.map(|l| l.field.clone()).unwrap_or_default()),
                m.clone(),
                cell(&line.map(|l| l.measure.clone()).unwrap_or_default()),
                cell(&line.map(|l| l.unit.clone()).unwrap_or_default()),
                v.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ])
            .map_err(e)?;
        }
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(w.into_inner().map_err(|e| e.to_string())?);
    Ok(out)
}

/// The report as an XLSX workbook: the totals sheet and the units sheet.
pub fn xlsx(r: &Report, lang: Lang) -> Result<Vec<u8>, String> {
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let number = Format::new().set_num_format("#,##0.##");
    let pct = Format::new().set_num_format("0.0");
    {
        let ws = wb.add_worksheet();
        ws.set_name(tr(lang, "sheet_totals")).map_err(e)?;
        ws.write_string_with_format(0, 0, tr(lang, "report_title"), &bold)
            .map_err(e)?;
        ws.write_string(1, 0, format!("{} — {}", r.unit, r.period_text))
            .map_err(e)?;
        ws.write_string(
            2,
            0,
            format!("{}: {}", tr(lang, "col_last_year"), r.last_year_text),
        )
        .map_err(e)?;
        for (c, h) in columns(lang).iter().enumerate() {
            ws.write_string_with_format(4, c as u16, h, &bold)
                .map_err(e)?;
        }
        for (i, l) in r.lines.iter().enumerate() {
            let row = 5 + i as u32;
            ws.write_string(row, 0, &l.field).map_err(e)?;
            ws.write_string(row, 1, &l.measure).map_err(e)?;
            ws.write_string(row, 2, &l.unit).map_err(e)?;
            for (c, v, f) in [
                (3, l.now, &number),
                (4, l.last_year, &number),
                (5, l.diff_last_year, &number),
                (6, l.pct_last_year, &pct),
                (7, l.previous, &number),
                (8, l.diff_previous, &number),
            ] {
                if let Some(v) = v {
                    ws.write_number_with_format(row, c, v, f).map_err(e)?;
                }
            }
        }
        ws.set_column_width(0, 28).map_err(e)?;
        ws.set_column_width(1, 30).map_err(e)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(tr(lang, "sheet_units")).map_err(e)?;
        ws.write_string_with_format(0, 0, tr(lang, "col_unit_name"), &bold)
            .map_err(e)?;
        for (c, m) in r.shown_measures.iter().enumerate() {
            let name = r
                .lines
                .iter()
                .find(|l| &l.measure_id == m)
                .map(|l| format!("{} — {} ({})", l.field, l.measure, l.unit))
                .unwrap_or_else(|| m.clone());
            ws.write_string_with_format(0, 1 + c as u16, name, &bold)
                .map_err(e)?;
        }
        for (i, u) in r.by_unit.iter().enumerate() {
            let row = 1 + i as u32;
            ws.write_string(row, 0, &u.unit).map_err(e)?;
            for (c, m) in r.shown_measures.iter().enumerate() {
                if let Some(v) = u.values.get(m) {
                    ws.write_number_with_format(row, 1 + c as u16, *v, &number)
                        .map_err(e)?;
                }
            }
        }
        ws.set_column_width(0, 40).map_err(e)?;
    }
    wb.save_to_buffer().map_err(e)
}

/// "+5" / "−3" / "0", Vietnamese digits.
fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) if x > 0.0 => format!("+{}", number_to(x, 2)),
        Some(x) if x < 0.0 => format!("−{}", number_to(-x, 2)),
        Some(_) => "0".into(),
        None => String::new(),
    }
}

/// The report as an editable Word document.
pub fn docx(
    r: &Report,
    charts: &[super::pages::Drawn],
    lang: Lang,
    site: &str,
) -> Result<Vec<u8>, String> {
    let mut doc = a4()
        .add_paragraph(text(&site.to_uppercase(), 26, true).align(AlignmentType::Left))
        .add_paragraph(
            text(&tr(lang, "report_title").to_uppercase(), 28, true).align(AlignmentType::Center),
        )
        .add_paragraph(
            text(&format!("({}, {})", r.unit, r.period_text), 26, false)
                .align(AlignmentType::Center),
        );
    doc = doc.add_paragraph(text(&tr(lang, "docx_results"), 26, true));
    if r.narrative.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "empty"), 26, false));
    }
    for s in &r.narrative {
        doc = doc.add_paragraph(text(&format!("- {s}"), 26, false).align(AlignmentType::Justified));
    }
    doc = doc.add_paragraph(text(
        &format!(
            "{} {}; {} {}.",
            tr(lang, "docx_compared"),
            r.last_year_text,
            tr(lang, "docx_previous"),
            r.previous_text
        ),
        22,
        false,
    ));
    if r.straddling > 0 {
        doc = doc.add_paragraph(text(
            &format!("{} {}", tr(lang, "straddling"), r.straddling),
            22,
            false,
        ));
    }
    let mut rows = vec![TableRow::new(
        columns(lang)
            .iter()
            .map(|h| table_cell(h, true, false))
            .collect(),
    )];
    for l in &r.lines {
        let value = |v: Option<f64>| match (l.summable, v) {
            (false, _) => tr(lang, "not_summable"),
            (true, v) => num(v),
        };
        rows.push(TableRow::new(vec![
            table_cell(&l.field, false, false),
            table_cell(&l.measure, false, false),
            table_cell(&l.unit, false, false),
            table_cell(&value(l.now), false, true),
            table_cell(&value(l.last_year), false, true),
            table_cell(&signed(l.diff_last_year), false, true),
            table_cell(
                &l.pct_last_year
                    .map(|p| format!("{}%", number_to(p, 1)))
                    .unwrap_or_default(),
                false,
                true,
            ),
            table_cell(&value(l.previous), false, true),
            table_cell(&signed(l.diff_previous), false, true),
        ]));
    }
    doc = doc
        .add_paragraph(text(&tr(lang, "docx_table"), 26, true))
        .add_table(Table::new(rows).width(9600, WidthType::Dxa));
    if !r.by_unit.is_empty() {
        let mut head = vec![table_cell(&tr(lang, "col_unit_name"), true, false)];
        for m in &r.shown_measures {
            let name = r
                .lines
                .iter()
                .find(|l| &l.measure_id == m)
                .map(|l| format!("{} ({})", l.measure, l.unit))
                .unwrap_or_else(|| m.clone());
            head.push(table_cell(&name, true, false));
        }
        let mut rows = vec![TableRow::new(head)];
        for u in &r.by_unit {
            let mut cells = vec![table_cell(&u.unit, false, false)];
            for m in &r.shown_measures {
                cells.push(table_cell(&num(u.values.get(m).copied()), false, true));
            }
            rows.push(TableRow::new(cells));
        }
        doc = doc
            .add_paragraph(text(&tr(lang, "docx_units"), 26, true))
            .add_table(Table::new(rows).width(9600, WidthType::Dxa));
    }
    for d in charts {
        doc = crate::platform::word::add_chart(doc, &d.chart);
    }
    pack(doc)
}
