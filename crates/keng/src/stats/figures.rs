//! Reports over the current approved figures: for any period, unit subtree and field,
//! the totals per measure against "cùng kỳ" (the same period last year) and "kỳ trước"
//! (the period before), the breakdown by the units directly under the chosen one (each
//! with its subtree rolled up), the figures over time, and the report's sentences in
//! the department's style. Only current versions count; a figure counts when its whole
//! period lies within the report's (one that straddles an edge is counted out and
//! reported as such, never prorated); a measure that may not be summed is shown per
//! unit, never totalled or averaged. Which figures count for whom is `visibility`'s.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use keng_stats::{sentence_about, Change, Figure, Period};
use serde::Serialize;

use super::catalogue::{Catalogue, Measure};
use super::model::{day_str, Units};
use super::tally::{self, Group, Range, Via};
use super::visibility::{counted_unindexed, units_in, Audience};
use crate::platform::db::{Db, Value};
use crate::platform::errors::AppResult;
use crate::platform::i18n::Lang;

/// What a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub period: Period,
    /// The unit whose subtree is counted.
    pub unit_id: String,
    /// One field of work, or all.
    pub field: Option<String>,
    /// Only figures chosen for publication (the public's view).
    pub published_only: bool,
}

/// The bucket of time a day falls in: its first day and its label.
type BucketOf = fn(NaiveDate) -> (NaiveDate, String);

/// How many counted figures of `units` straddle an edge of `period` (not counted):
/// only figures longer than a day can, and they end at most a month after it begins.
async fn straddling(
    db: &Db,
    period: Period,
    units: &[String],
    published_only: bool,
) -> AppResult<i64> {
    let mut args: Vec<Value> = vec![
        day_str(period.from).into(),
        day_str(period.to).into(),
        day_str(period.to + Duration::days(31)).into(),
    ];
    let unit_filter = units_in(&mut args, units);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM stat_submissions s
          WHERE s.period_kind <> 'day' AND s.period_to >= $1 AND s.period_to <= $3
            AND (s.period_from < $1 OR (s.period_to > $2 AND s.period_from <= $2))
            AND {}{unit_filter}",
        counted_unindexed(Audience::of(published_only))
    );
    Ok(db.fetch_one(&sql, &args).await?.i64("n")?)
}

/// One measure's line of the report.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Line {
    pub field_id: String,
    pub field: String,
    pub measure_id: String,
    pub measure: String,
    pub unit: String,
    pub summable: bool,
    /// None for a measure that may not be summed, or when no figure was given.
    pub now: Option<f64>,
    pub last_year: Option<f64>,
    pub previous: Option<f64>,
    /// now − last year, and in percent (None from a zero base).
    pub diff_last_year: Option<f64>,
    pub pct_last_year: Option<f64>,
    pub diff_previous: Option<f64>,
    pub pct_previous: Option<f64>,
    /// Figures counted.
    pub figures: i64,
}

/// One unit's figures (its subtree rolled up), measure id → value.
#[derive(Debug, Clone, Serialize)]
pub struct UnitLine {
    pub unit_id: String,
    pub unit: String,
    pub values: BTreeMap<String, f64>,
}

/// Totals of a bucket of time for the chart over time.
#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub label: String,
    pub values: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub period_text: String,
    pub last_year_text: String,
    pub previous_text: String,
    pub unit_id: String,
    pub unit: String,
    pub field: Option<String>,
    pub lines: Vec<Line>,
    pub by_unit: Vec<UnitLine>,
    /// The measures the unit breakdown and the chart over time show.
    pub shown_measures: Vec<String>,
    pub over_time: Vec<Bucket>,
    /// "ngày", "tuần" or "tháng": the chart's buckets.
    pub bucket: &'static str,
    /// The report's sentences, one per field.
    pub narrative: Vec<String>,
    pub straddling: i64,
}

/// "từ 15/12/2024 đến 13/01/2025".
pub fn period_text(p: &Period, lang: Lang) -> String {
    let (f, t) = (p.from.format("%d/%m/%Y"), p.to.format("%d/%m/%Y"));
    match lang {
        Lang::Vi => format!("từ {f} đến {t}"),
        Lang::En => format!("{f} to {t}"),
    }
}

/// Which measures a report shows: the chosen field's, or every field's.
fn measures<'a>(cat: &'a Catalogue, field: Option<&str>) -> Vec<&'a Measure> {
    cat.measures(false)
        .filter(|m| field.is_none_or(|f| m.field_id == f))
        .collect()
}

/// Builds a report.
pub async fn report(
    db: &Db,
    cat: &Catalogue,
    units: &Units,
    scope: &Scope,
    lang: Lang,
) -> AppResult<Report> {
    let subtree = units.subtree(&scope.unit_id);
    let last_year = scope.period.same_period_last_year();
    let previous = scope.period.previous();
    let who = Audience::of(scope.published_only);
    // The unit's subtree, its own figures, and each unit right under it.
    let kids = units.children(&scope.unit_id);
    let mut groups = vec![Group::subtree(&scope.unit_id), Group::own(&scope.unit_id)];
    groups.extend(kids.iter().map(|c| Group::subtree(&c.id)));
    let ranges = [
        Range::of(scope.period),
        Range::of(last_year),
        Range::of(previous),
    ];
    let sums = tally::sums(db, units, who, &ranges, &groups, Via::Auto).await?;
    let total = |period: usize, group: usize, m: &str| -> (f64, i64) {
        sums.get(period)
            .and_then(|s| s.get(&tally::key(group, m)))
            .copied()
            .unwrap_or((0.0, 0))
    };
    let wanted = measures(cat, scope.field.as_deref());
    let mut lines = Vec::new();
    for m in &wanted {
        let (n, k) = total(0, 0, &m.id);
        let (l, lk) = total(1, 0, &m.id);
        let (p, pk) = total(2, 0, &m.id);
        // A measure nobody reported in any of the three periods says nothing.
        if k == 0 && lk == 0 && pk == 0 {
            continue;
        }
        let field = cat.field(&m.field_id).map(|f| f.name(lang)).unwrap_or("");
        let summable = m.summable;
        let some = |v: f64, k: i64| (summable && k > 0).then_some(v);
        let (nowv, lyv, pv) = (some(n, k), some(l, lk), some(p, pk));
        let ch = |b: Option<f64>| match (nowv, b) {
            (Some(a), Some(b)) => Some(Change::of(a, b)),
            (Some(a), None) if summable => Some(Change::of(a, 0.0)),
            _ => None,
        };
        let (cl, cp) = (ch(lyv), ch(pv));
        lines.push(Line {
            field_id: m.field_id.clone(),
            field: field.to_string(),
            measure_id: m.id.clone(),
            measure: m.name(lang).to_string(),
            unit: m.unit(lang).to_string(),
            summable,
            now: nowv,
            last_year: lyv,
            previous: pv,
            diff_last_year: cl.map(|c| c.diff),
            pct_last_year: cl.and_then(|c| c.percent),
            diff_previous: cp.map(|c| c.diff),
            pct_previous: cp.and_then(|c| c.percent),
            figures: k,
        });
    }
    // The breakdown: the unit's own figures, then each unit right under it.
    // One field: all its measures that add up; every field: the first measure each
    // field's sentence names (its cases), so the table stays readable.
    let reported = |m: &&&Measure| lines.iter().any(|l| l.measure_id == m.id);
    let shown: Vec<String> = match scope.field {
        Some(_) => wanted
            .iter()
            .filter(|m| m.summable)
            .filter(reported)
            .map(|m| m.id.clone())
            .collect(),
        None => cat
            .fields
            .iter()
            .filter_map(|f| {
                wanted
                    .iter()
                    .filter(|m| m.field_id == f.id && m.summable && m.in_narrative)
                    .find(reported)
                    .map(|m| m.id.clone())
            })
            .collect(),
    };
    let mut by_unit = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    if let Some(u) = units.get(&scope.unit_id) {
        names.push((u.id.clone(), u.name.clone()));
    } else {
        names.push((scope.unit_id.clone(), String::new()));
    }
    names.extend(kids.iter().map(|c| (c.id.clone(), c.name.clone())));
    for (i, (id, name)) in names.into_iter().enumerate() {
        let mut values = BTreeMap::new();
        for m in &shown {
            let (v, k) = total(0, i + 1, m);
            if k > 0 {
                values.insert(m.clone(), v);
            }
        }
        if !values.is_empty() {
            by_unit.push(UnitLine {
                unit_id: id,
                unit: name,
                values,
            });
        }
    }
    // Over time: by day up to a month, by week up to half a year, else by month.
    let span = scope.period.days();
    let (bucket, key): (&'static str, BucketOf) = if span <= 31 {
        ("day", |d| (d, d.format("%d/%m").to_string()))
    } else if span <= 190 {
        ("week", |d| {
            let w = Period::week_of(d);
            (
                w.from,
                format!(
                    "{}/{}",
                    w.from.iso_week().week(),
                    w.from.iso_week().year() % 100
                ),
            )
        })
    } else {
        ("month", |d| {
            let first = d.with_day(1).unwrap_or(d);
            (first, d.format("%m/%y").to_string())
        })
    };
    let mut buckets: BTreeMap<NaiveDate, Bucket> = BTreeMap::new();
    let mut d = scope.period.from;
    while d <= scope.period.to && buckets.len() < 400 {
        let (k, label) = key(d);
        buckets.entry(k).or_insert_with(|| Bucket {
            label,
            values: BTreeMap::new(),
        });
        d += Duration::days(1);
    }
    let starts: Vec<NaiveDate> = buckets.keys().copied().collect();
    let over = tally::sums(
        db,
        units,
        who,
        &tally::buckets(scope.period, &starts),
        &[Group::subtree(&scope.unit_id)],
        Via::Auto,
    )
    .await?;
    for (b, s) in buckets.values_mut().zip(over) {
        for m in &shown {
            if let Some((v, _)) = s.get(&tally::key(0, m)) {
                b.values.insert(m.clone(), *v);
            }
        }
    }
    let narrative = narrative(cat, &lines, scope.field.as_deref());
    Ok(Report {
        from: day_str(scope.period.from),
        to: day_str(scope.period.to),
        period_text: period_text(&scope.period, lang),
        last_year_text: period_text(&last_year, lang),
        previous_text: period_text(&previous, lang),
        unit_id: scope.unit_id.clone(),
        unit: units.name(&scope.unit_id),
        field: scope.field.clone(),
        lines,
        by_unit,
        shown_measures: shown,
        over_time: buckets.into_values().collect(),
        bucket,
        narrative,
        straddling: straddling(db, scope.period, &subtree, scope.published_only).await?,
    })
}

/// The report's sentences (Vietnamese, the department's style): for each field with
/// figures, what was done, the figures, and how they moved against the same period
/// last year ("phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng …, tăng 5 vụ (17,9%)
/// … so với cùng kỳ").
pub fn narrative(cat: &Catalogue, lines: &[Line], field: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for f in &cat.fields {
        if field.is_some_and(|x| x != f.id) {
            continue;
        }
        let picked: Vec<(&Line, &Measure)> = lines
            .iter()
            .filter(|l| l.field_id == f.id)
            .filter_map(|l| Some((l, cat.measure(&l.measure_id)?)))
            .filter(|(l, m)| m.in_narrative && l.now.is_some())
            .collect();
        // Nothing this period and nothing last year: no sentence to write.
        if picked
            .iter()
            .all(|(l, _)| l.now.unwrap_or(0.0) == 0.0 && l.last_year.unwrap_or(0.0) == 0.0)
        {
            continue;
        }
        let now: Vec<Figure> = picked
            .iter()
            .map(|(l, m)| Figure {
                value: l.now.unwrap_or(0.0),
                unit: &m.unit_vi,
            })
            .collect();
        let before: Vec<f64> = picked
            .iter()
            .map(|(l, _)| l.last_year.unwrap_or(0.0))
            .collect();
        let s = sentence_about(&f.verb_vi, &now, &f.object_vi, &before, "cùng kỳ");
        out.push(format!("{}: {s}.", f.name_vi));
    }
    out
}
