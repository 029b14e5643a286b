//! The checks every set of figures passes, whatever it came from (form, API, CSV,
//! XLSX): each value a number the measure accepts (whole for counts, never negative,
//! read the Vietnamese way when typed — `keng_stats::number`), every measure known and
//! in use, none twice, and the catalogue's rules between measures (subjects ≥ cases).
//! A problem names where it is (the measure, and the sheet, row and column of a
//! spreadsheet) and what is wrong, in the reader's language; nothing is saved while any
//! problem remains.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use crate::platform::i18n::{t, tf, Lang};

/// A value as it came: a number (JSON, a spreadsheet's numeric cell) or typed text.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = StatRawValue)]
pub enum Raw {
    Number(f64),
    Text(String),
}

impl Raw {
    pub fn shown(&self) -> String {
        match self {
            Raw::Number(v) => keng_charts::number_to(*v, 6),
            Raw::Text(s) => s.chars().take(60).collect(),
        }
    }
}

/// Where a value sits in a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = StatCell)]
pub struct Cell {
    pub sheet: String,
    /// 1-based, as the spreadsheet program shows it.
    pub row: u32,
    /// "E".
    pub column: String,
}

impl Cell {
    pub fn new(sheet: &str, row0: u32, col0: u32) -> Cell {
        Cell {
            sheet: sheet.to_string(),
            row: row0 + 1,
            column: column_name(col0),
        }
    }
}

/// "A", "B", … "Z", "AA" for a 0-based column.
pub fn column_name(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// One thing wrong with a set of figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatProblem)]
pub struct Problem {
    /// not_a_number, negative, not_whole, ambiguous, too_large, above_max, empty, unknown_measure,
    /// retired_measure, duplicate, below_rule, no_values, merged_cells,
    /// wrong_template, wrong_unit, wrong_period, not_a_template.
    pub code: String,
    pub measure: Option<String>,
    pub cell: Option<Cell>,
    /// The value as found.
    pub value: Option<String>,
    /// The measure a rule compares with.
    pub other: Option<String>,
    /// The problem in the reader's language.
    pub message: String,
}

impl Problem {
    pub fn new(code: &str) -> Problem {
        Problem {
            code: code.to_string(),
            measure: None,
            cell: None,
            value: None,
            other: None,
            message: String::new(),
        }
    }

    pub fn at(mut self, cell: Option<Cell>) -> Problem {
        self.cell = cell;
        self
    }

    pub fn measure(mut self, m: &str) -> Problem {
        self.measure = Some(m.to_string());
        self
    }

    pub fn value(mut self, v: String) -> Problem {
        self.value = Some(v);
        self
    }

    /// Writes the message in `lang`, naming measures as the catalogue does.
    pub fn explain(&mut self, cat: &Catalogue, lang: Lang) {
        let name = |id: &Option<String>| {
            id.as_deref()
                .map(|m| {
                    cat.measure(m)
                        .map(|x| {
                            let f = cat.field(&x.field_id).map(|f| f.name(lang)).unwrap_or("");
                            format!("{} — {}", f, x.name(lang))
                        })
                        .unwrap_or_else(|| m.to_string())
                })
                .unwrap_or_default()
        };
        let what = tf(
            lang,
            &format!("stats.problem_{}", self.code),
            &[
                ("measure", name(&self.measure)),
                ("other", name(&self.other)),
                ("value", self.value.clone().unwrap_or_default()),
            ],
        );
        self.message = match &self.cell {
            Some(c) => format!(
                "{} {}!{}{} — {what}",
                t(lang, "stats.cell"),
                c.sheet,
                c.column,
                c.row
            ),
            None => what,
        };
    }
}

/// Reads and checks raw figures (measure id → value, with the cell each came from).
pub fn values(
    cat: &Catalogue,
    raw: &[(String, Raw, Option<Cell>)],
) -> Result<BTreeMap<String, f64>, Vec<Problem>> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    let mut cells: BTreeMap<String, Option<Cell>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (id, v, cell) in raw {
        let Some(m) = cat.measure(id) else {
            problems.push(
                Problem::new("unknown_measure")
                    .measure(id)
                    .at(cell.clone())
                    .value(id.chars().take(60).collect()),
            );
            continue;
        };
        if !m.active {
            problems.push(Problem::new("retired_measure").measure(id).at(cell.clone()));
            continue;
        }
        if cells.contains_key(id) {
            problems.push(Problem::new("duplicate").measure(id).at(cell.clone()));
            continue;
        }
        let read = match v {
            Raw::Number(n) => keng_stats::number::check(*n, m.whole),
            Raw::Text(s) => keng_stats::number::parse(s, m.whole),
        };
        match read {
            Ok(n) if m.max_value.is_some_and(|max| n > max) => {
                let mut p = Problem::new("above_max")
                    .measure(id)
                    .at(cell.clone())
                    .value(v.shown());
                p.other = m.max_value.map(|x| keng_charts::number_to(x, 6));
                problems.push(p);
            }
            Ok(n) => {
                out.insert(id.clone(), n);
                cells.insert(id.clone(), cell.clone());
            }
            // A blank cell is a figure not given, not an error.
            Err(keng_stats::NumberError::Empty) => {
                cells.insert(id.clone(), cell.clone());
            }
            Err(e) => problems.push(
                Problem::new(e.code())
                    .measure(id)
                    .at(cell.clone())
                    .value(v.shown()),
            ),
        }
    }
    for (id, v) in &out {
        let Some(rule) = cat.measure(id).and_then(|m| m.at_least.as_ref()) else {
            continue;
        };
        if let Some(floor) = out.get(rule) {
            if v < floor {
                let mut p = Problem::new("below_rule")
                    .measure(id)
                    .at(cells.get(id).cloned().flatten())
                    .value(keng_charts::number_to(*v, 6));
                p.other = Some(rule.clone());
                problems.push(p);
            }
        }
    }
    if problems.is_empty() && out.is_empty() {
        problems.push(Problem::new("no_values"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::column_name;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(4), "E");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }
}
