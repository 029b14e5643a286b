//! The press desk's report for the press office and the leaders: open requests by unit
//! and state, response times (median and p90, from the request to the first response:
//! scheduled, answered or refused) per unit and per month, the share answered within
//! the legal time limit, and refusals by their Press Law ground — as charts drawn on
//! the server (`keng-charts`) with every figure also in a table, and as CSV for a
//! spreadsheet. A year at a time, in Vietnam time.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use keng_charts::{columns, hbars, median, nearest_rank, Chart, Series};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::model::{State as RState, REFUSAL_GROUNDS};
use super::store;
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::auth::Ctx;
use crate::platform::clock::{self, now_ms};
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::permissions::{Action, Owner};
use crate::platform::spreadsheet::cell;
use crate::platform::state::AppState;
use crate::platform::web::page;

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub year: Option<String>,
    /// CSV only: times (default: per unit and month), refusals, or open.
    pub table: Option<String>,
}

/// One responded request, as the report reads it.
struct Responded {
    unit_id: Option<String>,
    month: String,
    hours: f64,
    on_time: bool,
    refused: bool,
}

/// A group of responded requests: (month, unit), either or both.
type GroupKey = (Option<String>, Option<String>);

/// Figures of a group of responded requests.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub responded: usize,
    pub on_time: usize,
    /// Share on time, in per cent (none when nothing was responded to).
    pub on_time_pct: Option<f64>,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    pub refused: usize,
}

fn figures(rows: &[&Responded]) -> Figures {
    let hours: Vec<f64> = rows.iter().map(|r| r.hours).collect();
    let on_time = rows.iter().filter(|r| r.on_time).count();
    Figures {
        responded: rows.len(),
        on_time,
        on_time_pct: (!rows.is_empty()).then(|| on_time as f64 * 100.0 / rows.len() as f64),
        median_hours: median(&hours),
        p90_hours: nearest_rank(&hours, 0.9),
        refused: rows.iter().filter(|r| r.refused).count(),
    }
}

/// A labelled group's figures (a unit, a month, or a unit in a month).
#[derive(Debug, Serialize)]
pub struct Line {
    pub month: Option<String>,
    pub unit_id: Option<String>,
    pub unit: String,
    pub f: Figures,
}

/// Open requests of a unit, by state.
#[derive(Debug, Serialize)]
pub struct OpenLine {
    pub unit_id: Option<String>,
    pub unit: String,
    /// submitted, assigned, needs_details, scheduled.
    pub counts: Vec<i64>,
    pub total: i64,
}

pub struct Report {
    pub year: i32,
    pub total: Figures,
    pub by_unit: Vec<Line>,
    pub by_month: Vec<Line>,
    pub by_unit_month: Vec<Line>,
    pub refusals: Vec<(String, i64)>,
    pub open: Vec<OpenLine>,
}

const OPEN: [RState; 4] = [
    RState::Submitted,
    RState::Assigned,
    RState::NeedsDetails,
    RState::Scheduled,
];

fn year_of(q: &ReportQuery) -> AppResult<i32> {
    match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(clock::local_year(now_ms())),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(AppError::BadRequest {
                key: "err.bad_year",
                detail: None,
            }),
    }
}

/// Reads and computes a year's report.
pub async fn load(db: &Db, year: i32, lang: Lang) -> AppResult<Report> {
    let start = clock::parse_local_date(&format!("{year}-01-01")).unwrap_or(0);
    let end = clock::parse_local_date(&format!("{}-01-01", year + 1)).unwrap_or(i64::MAX);
    load_between(db, start, end, lang).await
}

/// The same report for any span `[start, end)` (a campaign; the yearly review reads it).
pub async fn load_between(db: &Db, start: i64, end: i64, lang: Lang) -> AppResult<Report> {
    let year = clock::local_year(start);
    let names: BTreeMap<String, String> = accounts::list_units(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let no_unit = t(lang, "press_desk.report_no_unit");
    let name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_else(|| no_unit.clone())
    };
    let rows = db
        .fetch_all(
            "SELECT CASE WHEN assigned_at IS NULL THEN NULL ELSE unit_id END AS unit_id, created_at, responded_at, due_at, state
               FROM press_requests WHERE responded_at >= $1 AND responded_at < $2",
            args![start, end],
        )
        .await?;
    let mut all = Vec::with_capacity(rows.len());
    for r in &rows {
        let responded = r.i64("responded_at")?;
        all.push(Responded {
            unit_id: r.opt_str("unit_id")?,
            month: clock::local_month(responded),
            hours: (responded - r.i64("created_at")?).max(0) as f64 / 3_600_000.0,
            on_time: responded <= r.i64("due_at")?,
            refused: r.str("state")? == RState::Refused.as_str(),
        });
    }
    let group = |key: &dyn Fn(&Responded) -> GroupKey| {
        let mut m: BTreeMap<GroupKey, Vec<&Responded>> = BTreeMap::new();
        for r in &all {
            m.entry(key(r)).or_default().push(r);
        }
        m.into_iter()
            .map(|((month, unit_id), v)| Line {
                unit: name(&unit_id),
                month,
                unit_id,
                f: figures(&v),
            })
            .collect::<Vec<_>>()
    };
    let mut by_unit = group(&|r| (None, r.unit_id.clone()));
    by_unit.sort_by(|a, b| b.f.responded.cmp(&a.f.responded).then(a.unit.cmp(&b.unit)));
    let by_month = group(&|r| (Some(r.month.clone()), None));
    let by_unit_month = group(&|r| (Some(r.month.clone()), r.unit_id.clone()));
    let total = figures(&all.iter().collect::<Vec<_>>());

    let open_rows = db
        .fetch_all(
            "SELECT CASE WHEN assigned_at IS NULL THEN NULL ELSE unit_id END AS u, state, COUNT(*) AS n
               FROM press_requests WHERE state IN ('submitted', 'assigned', 'needs_details', 'scheduled')
              GROUP BY CASE WHEN assigned_at IS NULL THEN NULL ELSE unit_id END, state",
            args![],
        )
        .await?;
    let mut open: BTreeMap<Option<String>, Vec<i64>> = BTreeMap::new();
    for r in &open_rows {
        let state = r.str("state")?;
        if let Some(i) = OPEN.iter().position(|s| s.as_str() == state) {
            open.entry(r.opt_str("u")?).or_insert_with(|| vec![0; 4])[i] += r.i64("n")?;
        }
    }
    let mut open: Vec<OpenLine> = open
        .into_iter()
        .map(|(unit_id, counts)| OpenLine {
            unit: name(&unit_id),
            total: counts.iter().sum(),
            unit_id,
            counts,
        })
        .collect();
    open.sort_by(|a, b| b.total.cmp(&a.total).then(a.unit.cmp(&b.unit)));
    Ok(Report {
        year,
        total,
        by_unit,
        by_month,
        by_unit_month,
        refusals: store::refusals_by_ground(db, start, end).await?,
        open,
    })
}

fn tr(lang: Lang, key: &str) -> String {
    t(lang, &format!("press_desk.{key}"))
}

/// A chart's heading and its SVG text.
#[derive(Serialize)]
struct Drawn {
    title: String,
    svg: String,
}

/// The report's charts.
fn charts(r: &Report, lang: Lang) -> Vec<Drawn> {
    let mut out = Vec::new();
    let mut push = |c: Chart, draw: fn(&Chart) -> String| {
        out.push(Drawn {
            svg: draw(&c),
            title: c.title,
        })
    };
    if !r.open.is_empty() {
        push(
            Chart {
                title: tr(lang, "report_open_title"),
                desc: tr(lang, "report_open_desc"),
                categories: r.open.iter().map(|o| o.unit.clone()).collect(),
                series: OPEN
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        Series::new(
                            tr(lang, &format!("state_{}", s.as_str())),
                            r.open.iter().map(|o| o.counts[i] as f64),
                        )
                    })
                    .collect(),
                unit: String::new(),
            },
            hbars,
        );
    }
    if !r.by_month.is_empty() {
        push(
            Chart {
                title: format!("{} {}", tr(lang, "report_times_title"), r.year),
                desc: tr(lang, "report_times_desc"),
                categories: r
                    .by_month
                    .iter()
                    .map(|l| month_short(l.month.as_deref().unwrap_or("")))
                    .collect(),
                series: vec![
                    Series::new(
                        tr(lang, "report_median"),
                        r.by_month.iter().map(|l| l.f.median_hours.unwrap_or(0.0)),
                    ),
                    Series::new(
                        tr(lang, "report_p90"),
                        r.by_month.iter().map(|l| l.f.p90_hours.unwrap_or(0.0)),
                    ),
                ],
                unit: tr(lang, "report_hours"),
            },
            columns,
        );
    }
    if !r.by_unit.is_empty() {
        push(
            Chart {
                title: format!("{} {}", tr(lang, "report_on_time_title"), r.year),
                desc: tr(lang, "report_on_time_desc"),
                categories: r.by_unit.iter().map(|l| l.unit.clone()).collect(),
                series: vec![Series::new(
                    tr(lang, "report_on_time"),
                    r.by_unit.iter().map(|l| l.f.on_time_pct.unwrap_or(0.0)),
                )],
                unit: "%".into(),
            },
            hbars,
        );
    }
    if !r.refusals.is_empty() {
        push(
            Chart {
                title: format!("{} {}", tr(lang, "report_refusals_title"), r.year),
                desc: tr(lang, "refusals_help"),
                categories: r
                    .refusals
                    .iter()
                    .map(|(g, _)| tr(lang, &format!("ground_{g}")))
                    .collect(),
                series: vec![Series::new(
                    tr(lang, "count"),
                    r.refusals.iter().map(|(_, n)| *n as f64),
                )],
                unit: String::new(),
            },
            hbars,
        );
    }
    out
}

/// "2026-03" → "03/2026".
fn month_label(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mo)) => format!("{mo}/{y}"),
        None => m.to_string(),
    }
}

/// "2026-03" → "03/26": short enough for twelve columns side by side.
fn month_short(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mo)) => format!("{mo}/{}", y.get(2..).unwrap_or(y)),
        None => m.to_string(),
    }
}

fn may_read(ctx: &Ctx) -> AppResult<()> {
    ctx.user()?;
    ctx.require(Action::AnswerPressRequest, &Owner::None)
}

/// `GET /press-desk/report`: the year's charts and tables.
pub async fn report_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    may_read(&ctx)?;
    let year = year_of(&q)?;
    let r = load(&app.db, year, ctx.lang).await?;
    let this_year = clock::local_year(now_ms());
    Ok(page(
        &app,
        &ctx,
        "press_desk/report.html",
        context! {
            year => r.year, years => ((this_year - 4)..=this_year).rev().collect::<Vec<_>>(),
            total => r.total, by_unit => r.by_unit, open => r.open, refusals => r.refusals,
            by_month => r.by_month.iter().map(|l| context! { month => month_label(l.month.as_deref().unwrap_or("")), f => l.f.clone() }).collect::<Vec<_>>(),
            charts => charts(&r, ctx.lang), open_states => OPEN.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        },
    )?
    .into_response())
}

fn hours(v: Option<f64>) -> String {
    v.map(|h| format!("{h:.1}")).unwrap_or_default()
}

/// `GET /press-desk/report.csv`: the same figures for a spreadsheet (UTF-8 with a BOM,
/// one table per file: `table=times` per unit and month, `refusals`, `open`).
pub async fn report_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    may_read(&ctx)?;
    let year = year_of(&q)?;
    let table = q.table.as_deref().unwrap_or("times");
    if !["times", "refusals", "open"].contains(&table) {
        return Err(AppError::BadRequest {
            key: "err.bad_table",
            detail: None,
        });
    }
    let r = load(&app.db, year, ctx.lang).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Internal(e.to_string());
    match table {
        "times" => {
            w.write_record([
                "month",
                "unit_id",
                "unit",
                "responded",
                "on_time",
                "on_time_percent",
                "median_hours",
                "p90_hours",
                "refused",
            ])
            .map_err(io)?;
            for l in &r.by_unit_month {
                w.write_record([
                    l.month.clone().unwrap_or_default(),
                    cell(&l.unit_id.clone().unwrap_or_default()),
                    cell(&l.unit),
                    l.f.responded.to_string(),
                    l.f.on_time.to_string(),
                    l.f.on_time_pct
                        .map(|p| format!("{p:.1}"))
                        .unwrap_or_default(),
                    hours(l.f.median_hours),
                    hours(l.f.p90_hours),
                    l.f.refused.to_string(),
                ])
                .map_err(io)?;
            }
        }
        "refusals" => {
            w.write_record(["ground", "ground_name", "count"])
                .map_err(io)?;
            for (g, n) in &r.refusals {
                let known = REFUSAL_GROUNDS.contains(&g.as_str());
                w.write_record([
                    cell(g),
                    cell(&if known {
                        tr(ctx.lang, &format!("ground_{g}"))
                    } else {
                        g.clone()
                    }),
                    n.to_string(),
                ])
                .map_err(io)?;
            }
        }
        _ => {
            let mut head = vec!["unit_id".to_string(), "unit".to_string()];
            head.extend(OPEN.iter().map(|s| s.as_str().to_string()));
            head.push("total".into());
            w.write_record(&head).map_err(io)?;
            for o in &r.open {
                let mut rec = vec![cell(&o.unit_id.clone().unwrap_or_default()), cell(&o.unit)];
                rec.extend(o.counts.iter().map(i64::to_string));
                rec.push(o.total.to_string());
                w.write_record(&rec).map_err(io)?;
            }
        }
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec(); // BOM so spreadsheet programs read UTF-8
    bytes.extend(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    let disposition = format!("attachment; filename=\"keng-press-desk-{table}-{year}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
