//! Figures for the public: only the current versions of approved figures chosen for
//! publication, each set with its period, source unit and data-quality note — on a
//! page with charts (`/so-lieu`) and as open data (`GET /api/v1/stats`, JSON or CSV),
//! filtered by period, unit subtree, field and measure, grouped by unit, day, week,
//! month or not at all.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use keng_stats::Period;
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::catalogue::{self, Catalogue};
use super::figures::{self};
use super::model::{day_str, Units};
use super::notes;
use super::pages::{charts, scope_of, units, ReportQuery};
use super::tally::{self, Group, Range, Via};
use super::visibility::Audience;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::spreadsheet::cell;
use crate::platform::state::AppState;
use crate::platform::web::page;

/// `GET /so-lieu`: the published figures of a period, with charts.
pub async fn page_public(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let scope = scope_of(&q, &units, &cat, true)?;
    let r = figures::report(&app.db, &cat, &units, &scope, ctx.lang).await?;
    let notes = notes::of_period(
        &app.db,
        &units,
        &scope.period,
        &units.subtree(&scope.unit_id),
    )
    .await?;
    Ok(page(
        &app,
        &ctx,
        "stats/public.html",
        context! {
            r => &r, charts => charts(&r, &cat, ctx.lang), notes => notes,
            units => units.list.iter().map(|u| context! { id => u.id.clone(), name => u.name.clone() }).collect::<Vec<_>>(),
            fields => cat.fields.iter().map(|f| context! { id => f.id.clone(), name => f.name(ctx.lang) }).collect::<Vec<_>>(),
        },
    )?
    .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsParams {
    /// First day (YYYY-MM-DD or dd/mm/yyyy); default 30 days before yesterday.
    from: Option<String>,
    /// Last day; default yesterday.
    to: Option<String>,
    /// Unit id or code; its whole subtree is counted (default: the province).
    unit: Option<String>,
    /// Field of work id ("ma_tuy").
    field: Option<String>,
    /// Measure id ("ma_tuy.subjects"); several separated by commas.
    measure: Option<String>,
    /// none (default), unit, day, week or month.
    group_by: Option<String>,
    /// json (default) or csv.
    format: Option<String>,
}

/// A name in the answer, as text (CSV) and as its JSON string — escaped once per answer,
/// not once per row: a breakdown has 18,000 rows and the escaping was a fifth of it.
#[derive(Debug)]
pub struct Text {
    plain: String,
    json: Box<serde_json::value::RawValue>,
}

impl Text {
    fn new(plain: &str) -> Text {
        let json = serde_json::to_string(plain)
            .ok()
            .and_then(|j| serde_json::value::RawValue::from_string(j).ok())
            .unwrap_or_default();
        Text {
            plain: plain.to_string(),
            json,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.plain
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}

/// One published figure or total (borrowing the answer's names: a breakdown has tens of
/// thousands).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatRow)]
pub struct Row<'a> {
    #[schema(value_type = String)]
    pub measure_id: &'a Text,
    #[schema(value_type = String)]
    pub measure: &'a Text,
    #[schema(value_type = String)]
    pub field: &'a Text,
    #[schema(value_type = String)]
    pub unit_of_measure: &'a Text,
    /// The reporting unit (group_by=unit).
    #[schema(value_type = Option<String>)]
    pub unit_id: Option<&'a Text>,
    #[schema(value_type = Option<String>)]
    pub unit: Option<&'a Text>,
    /// The first day of the day, week or month (group_by=day|week|month).
    #[schema(value_type = Option<String>)]
    pub period: Option<&'a Text>,
    pub value: f64,
}

/// The wanted measures in the catalogue's order, with their names in the answer's
/// language: id, name, field, unit of measure.
struct Measures<'c> {
    list: Vec<(&'c super::catalogue::Measure, [Text; 4])>,
}

impl<'c> Measures<'c> {
    fn of(
        cat: &'c Catalogue,
        wanted: &[String],
        lang: crate::platform::i18n::Lang,
    ) -> Measures<'c> {
        Measures {
            list: cat
                .measures(false)
                .filter(|m| wanted.contains(&m.id))
                .map(|m| {
                    let field = cat
                        .field(&m.field_id)
                        .map(|f| f.name(lang))
                        .unwrap_or_default();
                    (
                        m,
                        [
                            Text::new(&m.id),
                            Text::new(m.name(lang)),
                            Text::new(field),
                            Text::new(m.unit(lang)),
                        ],
                    )
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatResult)]
pub struct StatsResult<'a> {
    pub from: String,
    pub to: String,
    pub unit_id: String,
    pub unit: String,
    pub group_by: String,
    /// How figures are counted (approved, published, whole period inside the range).
    pub method: String,
    /// Data-quality notes of the figures counted, with their units.
    pub quality_notes: Vec<QualityNote>,
    pub rows: Vec<Row<'a>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatQualityNote)]
pub struct QualityNote {
    pub note: String,
    pub units: String,
}

const METHOD: &str = "Only the current version of approved figures chosen for publication; a figure is counted when its whole period (day, week or month) lies within from–to; measures that may not be summed (rates) are never totalled.";

/// Published figures as open data.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats", operation_id = "stats_public",
    params(StatsParams),
    responses((status = 200, body = StatsResult, content_type = "application/json"),
        (status = 200, description = "The same rows as CSV (format=csv)", content_type = "text/csv"),
        (status = 400), (status = 401), (status = 422)))]
pub async fn api(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<StatsParams>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let q = ReportQuery {
        from: p.from.clone(),
        to: p.to.clone(),
        unit: p.unit.clone(),
        field: p.field.clone(),
        done: None,
    };
    let scope = scope_of(&q, &units, &cat, true)?;
    let group_by = p.group_by.as_deref().unwrap_or("none").trim().to_string();
    if !["none", "unit", "day", "week", "month"].contains(&group_by.as_str()) {
        return Err(AppError::invalid("group_by", "err.stats_bad_group"));
    }
    let csv = match p.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        _ => return Err(AppError::invalid("format", "err.stats_bad_format")),
    };
    let mut measures: Vec<String> = Vec::new();
    if let Some(m) = p.measure.as_deref().filter(|m| !m.trim().is_empty()) {
        for id in m
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .take(100)
        {
            if cat.measure(id).is_none() {
                return Err(AppError::invalid("measure", "err.stats_unknown_measure"));
            }
            measures.push(id.to_string());
        }
    }
    let wanted: Vec<String> = cat
        .measures(false)
        .filter(|m| m.summable || group_by == "unit" || group_by == "day")
        .filter(|m| scope.field.as_deref().is_none_or(|f| m.field_id == f))
        .filter(|m| measures.is_empty() || measures.contains(&m.id))
        .map(|m| m.id.clone())
        .collect();
    let members = units.subtree(&scope.unit_id);
    let grouping = Grouping::of(&units, &scope.period, &scope.unit_id, &members, &group_by);
    let named = Measures::of(&cat, &wanted, ctx.lang);
    let rows = rows(&app, &units, &grouping, &named).await?;
    let notes = notes::of_period(&app.db, &units, &scope.period, &members).await?;
    let result = StatsResult {
        from: day_str(scope.period.from),
        to: day_str(scope.period.to),
        unit: units.name(&scope.unit_id),
        unit_id: scope.unit_id.clone(),
        group_by,
        method: METHOD.into(),
        quality_notes: notes
            .into_iter()
            .map(|(note, units)| QualityNote { note, units })
            .collect(),
        rows,
    };
    if !csv {
        return Ok(Json(result).into_response());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record([
        "from",
        "to",
        "unit_id",
        "unit",
        "period",
        "field",
        "measure_id",
        "measure",
        "unit_of_measure",
        "value",
    ])
    .map_err(io)?;
    for r in &result.rows {
        w.write_record([
            result.from.as_str(),
            result.to.as_str(),
            r.unit_id.map_or(result.unit_id.as_str(), Text::as_str),
            &cell(r.unit.map_or(result.unit.as_str(), Text::as_str)),
            r.period.map_or("", Text::as_str),
            &cell(r.field.as_str()),
            r.measure_id.as_str(),
            &cell(r.measure.as_str()),
            &cell(r.unit_of_measure.as_str()),
            &r.value.to_string(),
        ])
        .map_err(io)?;
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"keng-so-lieu.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// How an answer's rows are grouped: the groups of units and ranges of days summed, and
/// what each group is called in the answer.
struct Grouping {
    by: By,
    groups: Vec<Group>,
    ranges: Vec<Range>,
    /// Per group (by unit: a unit's id and name) or per range (by period: its first
    /// day), in the answer's order.
    labels: Vec<(Text, Text)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Nothing,
    Unit,
    Period,
}

impl Grouping {
    fn of(
        units: &Units,
        period: &Period,
        unit: &str,
        members: &[String],
        group_by: &str,
    ) -> Grouping {
        match group_by {
            "unit" => {
                // Ordered by name (then id), as the answer lists them.
                let mut labels: Vec<(String, String)> =
                    members.iter().map(|u| (u.clone(), units.name(u))).collect();
                labels.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
                Grouping {
                    by: By::Unit,
                    groups: labels.iter().map(|(u, _)| Group::own(u)).collect(),
                    ranges: vec![Range::of(*period)],
                    labels: labels
                        .iter()
                        .map(|(u, n)| (Text::new(u), Text::new(n)))
                        .collect(),
                }
            }
            "day" | "week" | "month" => {
                let mut starts: Vec<NaiveDate> = Vec::new();
                let mut d = period.from;
                while d <= period.to && starts.len() < 20_000 {
                    let s = match group_by {
                        "day" => d,
                        "week" => Period::week_of(d).from,
                        _ => d.with_day(1).unwrap_or(d),
                    };
                    if starts.last() != Some(&s) {
                        starts.push(s);
                    }
                    d += chrono::Duration::days(1);
                }
                Grouping {
                    by: By::Period,
                    groups: vec![Group::subtree(unit)],
                    ranges: tally::buckets(*period, &starts),
                    labels: starts
                        .iter()
                        .map(|s| (Text::new(&day_str(*s)), Text::new("")))
                        .collect(),
                }
            }
            _ => Grouping {
                by: By::Nothing,
                groups: vec![Group::subtree(unit)],
                ranges: vec![Range::of(*period)],
                labels: vec![(Text::new(""), Text::new(""))],
            },
        }
    }
}

/// The published figures of the grouping's units, in its order and the catalogue's
/// within each group. A measure that may not be summed appears only where a group holds
/// one figure (never a total of rates).
async fn rows<'a>(
    app: &AppState,
    units: &Units,
    g: &'a Grouping,
    named: &'a Measures<'_>,
) -> AppResult<Vec<Row<'a>>> {
    if named.list.is_empty() {
        return Ok(Vec::new());
    }
    let sums = tally::sums(
        &app.db,
        units,
        Audience::Public,
        &g.ranges,
        &g.groups,
        Via::Auto,
    )
    .await?;
    // Where each wanted measure sits.
    let at: HashMap<&str, usize> = named
        .list
        .iter()
        .enumerate()
        .map(|(i, (m, _))| (m.id.as_str(), i))
        .collect();
    // label × measure → value.
    let width = named.list.len();
    let mut cells: Vec<Option<f64>> = vec![None; g.labels.len() * width];
    for (ri, s) in sums.iter().enumerate() {
        for ((gi, m), (v, n)) in s {
            let Some(&mi) = at.get(&**m) else {
                continue;
            };
            if !named.list[mi].0.summable && *n != 1 {
                continue;
            }
            let label = if g.by == By::Unit { *gi } else { ri };
            if let Some(c) = cells.get_mut(label * width + mi) {
                *c = Some(*v);
            }
        }
    }
    let mut out = Vec::with_capacity(cells.iter().filter(|c| c.is_some()).count());
    for (li, (id, name)) in g.labels.iter().enumerate() {
        for (mi, (_, [mid, mname, field, unit])) in named.list.iter().enumerate() {
            let Some(value) = cells[li * width + mi] else {
                continue;
            };
            out.push(Row {
                measure_id: mid,
                measure: mname,
                field,
                unit_of_measure: unit,
                unit_id: (g.by == By::Unit).then_some(id),
                unit: (g.by == By::Unit).then_some(name),
                period: (g.by == By::Period).then_some(id),
                value,
            });
        }
    }
    Ok(out)
}
