//! The figures desk in the browser: a unit officer enters a unit's figures by form or
//! uploads the filled-in template (problems listed cell by cell, nothing saved), a
//! leader approves or sends back, anyone on the staff reads a submission with its
//! versions, and the report page shows totals, "so với cùng kỳ", the units and the
//! figures over time as charts, with CSV, XLSX and DOCX downloads.

use chrono::Datelike;
use std::collections::BTreeMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use keng_charts::{hbars, lines, Chart, Series};
use keng_stats::{Kind, Period};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::catalogue::{self, Catalogue};
use super::check::{Problem, Raw};
use super::figures::{self, Report, Scope};
use super::model::{day_str, State as SState, Units};
use super::sheet;
use super::store::{self, Decision, Draft, Refused};
use crate::platform::auth::Ctx;
use crate::platform::clock::{local_today, parse_date};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::permissions::{allowed, Action, Owner, Role};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, page};

/// The unit tree, read now.
pub async fn units(app: &AppState) -> AppResult<std::sync::Arc<Units>> {
    super::reference::units(&app.db).await
}

fn tr(lang: Lang, key: &str) -> String {
    t(lang, &format!("stats.{key}"))
}

/// The units the signed-in user may report for, in tree order.
pub fn reportable<'a>(ctx: &Ctx, units: &'a Units) -> Vec<&'a crate::accounts::model::Unit> {
    let actor = ctx.actor();
    units
        .list
        .iter()
        .filter(|u| {
            allowed(
                &actor,
                Action::ReportFigures,
                &Owner::Unit(units.path(&u.id)),
            )
        })
        .collect()
}

fn staff(ctx: &Ctx) -> AppResult<()> {
    ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)
}

/// Last week's label ("2026-W47"): what a unit usually reports next.
fn last_week() -> String {
    Period::week_of(local_today() - chrono::Duration::days(7)).label(Kind::Week)
}

#[derive(Debug, Deserialize, Default)]
pub struct EntryQuery {
    pub unit: Option<String>,
    pub period: Option<String>,
    pub done: Option<String>,
}

/// A measure as the entry form shows it.
#[derive(Serialize)]
struct FormMeasure {
    id: String,
    name: String,
    unit: String,
    whole: bool,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct FormField {
    name: String,
    measures: Vec<FormMeasure>,
}

fn form_fields(
    cat: &Catalogue,
    lang: Lang,
    values: &BTreeMap<String, String>,
    problems: &[Problem],
) -> Vec<FormField> {
    cat.fields
        .iter()
        .map(|f| FormField {
            name: f.name(lang).to_string(),
            measures: f
                .measures
                .iter()
                .filter(|m| m.active)
                .map(|m| FormMeasure {
                    id: m.id.clone(),
                    name: m.name(lang).to_string(),
                    unit: m.unit(lang).to_string(),
                    whole: m.whole,
                    value: values.get(&m.id).cloned().unwrap_or_default(),
                    error: problems
                        .iter()
                        .find(|p| p.measure.as_deref() == Some(&m.id))
                        .map(|p| p.message.clone()),
                })
                .collect(),
        })
        .filter(|f| !f.measures.is_empty())
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn entry_page(
    app: &AppState,
    ctx: &Ctx,
    units: &Units,
    cat: &Catalogue,
    (unit, period): (&str, &str),
    values: &BTreeMap<String, String>,
    reason: &str,
    (problems, status): (Vec<Problem>, StatusCode),
) -> AppResult<Response> {
    let mine = reportable(ctx, units);
    if mine.is_empty() {
        return Err(AppError::Forbidden("err.stats_no_unit"));
    }
    // The figures already current for this unit and period, if any (a correction).
    let mut current = None;
    if let (Some(u), Ok((_, p))) = (units.get(unit), Period::parse_label(period)) {
        let versions = store::history(&app.db, &u.id, &day_str(p.from), &day_str(p.to)).await?;
        current = versions
            .into_iter()
            .find(|s| s.is_current || s.state == SState::Pending);
    }
    let mut shown = values.clone();
    if shown.is_empty() {
        if let Some(c) = &current {
            for (m, v) in &c.values {
                let whole = cat.measure(m).is_some_and(|x| x.whole);
                shown.insert(
                    m.clone(),
                    keng_charts::number_to(*v, if whole { 0 } else { 3 }),
                );
            }
        }
    }
    let general: Vec<String> = problems
        .iter()
        .filter(|p| p.measure.is_none())
        .map(|p| p.message.clone())
        .collect();
    let html = page(
        app,
        ctx,
        "stats/enter.html",
        context! {
            units => mine.iter().map(|u| context! { id => u.id.clone(), name => u.name.clone() }).collect::<Vec<_>>(),
            unit => unit, period => period, reason => reason,
            fields => form_fields(cat, ctx.lang, &shown, &problems),
            general => general, has_problems => !problems.is_empty(),
            current => current,
            done => done_message(ctx.lang, None),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /stats/enter`: the entry form (prefilled with the current figures when a unit
/// and period that already have them are chosen).
pub async fn enter_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<EntryQuery>,
) -> AppResult<Response> {
    ctx.user()?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let mine = reportable(&ctx, &units);
    let unit = q
        .unit
        .filter(|u| mine.iter().any(|m| &m.id == u))
        .or_else(|| ctx.user.as_ref().and_then(|u| u.unit_id.clone()))
        .or_else(|| mine.first().map(|u| u.id.clone()))
        .unwrap_or_default();
    let period = q.period.unwrap_or_else(last_week);
    entry_page(
        &app,
        &ctx,
        &units,
        &cat,
        (&unit, &period),
        &BTreeMap::new(),
        "",
        (Vec::new(), StatusCode::OK),
    )
    .await
}

fn explain(mut problems: Vec<Problem>, cat: &Catalogue, lang: Lang) -> Vec<Problem> {
    for p in &mut problems {
        p.explain(cat, lang);
    }
    problems
}

/// `POST /stats/enter`.
pub async fn enter(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.user()?;
    let units = units(&app).await?;
    if reportable(&ctx, &units).is_empty() {
        return Err(AppError::Forbidden("err.stats_no_unit"));
    }
    let cat = catalogue::load(&app.db).await?;
    let get = |k: &str| {
        form.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (unit, period, reason) = (get("unit"), get("period"), get("reason"));
    let typed: BTreeMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("v.")?.to_string(), v.clone())))
        .collect();
    let refused = match Period::parse_label(&period) {
        Err(_) => (
            explain(
                vec![Problem::new("wrong_period").value(period.clone())],
                &cat,
                ctx.lang,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Ok((kind, p)) => {
            let draft = Draft {
                unit_id: unit.clone(),
                kind,
                period: p,
                // Blank inputs are figures not given.
                values: typed
                    .iter()
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(k, v)| (k.clone(), Raw::Text(v.clone()), None))
                    .collect(),
                reason: Some(reason.clone()),
                source: "form",
            };
            match store::submit(&app.db, &ctx.origin(), &ctx.actor(), &units, &cat, draft).await {
                Ok(s) => {
                    return Ok(see_other(Some(&format!(
                        "/stats/submissions/{}?done=stats_submitted",
                        s.id
                    ))))
                }
                Err(Refused::Problems(p)) => {
                    (explain(p, &cat, ctx.lang), StatusCode::UNPROCESSABLE_ENTITY)
                }
                Err(Refused::App(AppError::Conflict(key))) => {
                    (vec![general(ctx.lang, key)], StatusCode::CONFLICT)
                }
                Err(Refused::App(AppError::Invalid(f))) => (
                    f.into_iter()
                        .map(|(_, key)| general(ctx.lang, key))
                        .collect(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(Refused::App(e)) => return Err(e),
            }
        }
    };
    entry_page(
        &app,
        &ctx,
        &units,
        &cat,
        (&unit, &period),
        &typed,
        &reason,
        refused,
    )
    .await
}

/// A problem about the whole form, said by a message key.
fn general(lang: Lang, key: &str) -> Problem {
    let mut p = Problem::new("general");
    p.message = t(lang, key);
    p
}

#[derive(Debug, Deserialize)]
pub struct TemplateQuery {
    pub unit: Option<String>,
    pub period: Option<String>,
}

fn template_for(ctx: &Ctx, units: &Units, q: &TemplateQuery) -> AppResult<(String, String)> {
    let unit = q
        .unit
        .as_deref()
        .and_then(|u| units.get(u).or_else(|| units.by_code(u)))
        .ok_or(AppError::invalid("unit", "err.stats_unknown_unit"))?;
    ctx.require(Action::ReportFigures, &Owner::Unit(units.path(&unit.id)))?;
    let period = q.period.clone().unwrap_or_else(last_week);
    let (kind, p) = Period::parse_label(&period)
        .map_err(|_| AppError::invalid("period", "err.stats_bad_period"))?;
    Ok((unit.code.clone(), p.label(kind)))
}

fn download(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The template of a unit and period, as XLSX or (`csv`) CSV.
async fn template(app: &AppState, ctx: &Ctx, q: &TemplateQuery, csv: bool) -> AppResult<Response> {
    ctx.user()?;
    let units = units(app).await?;
    let (code, period) = template_for(ctx, &units, q)?;
    let cat = catalogue::load(&app.db).await?;
    let name = format!("keng-so-lieu-{code}-{period}");
    Ok(if csv {
        let bytes = sheet::template_csv(&cat, &code, &period).map_err(AppError::Internal)?;
        download(bytes, "text/csv; charset=utf-8", &format!("{name}.csv"))
    } else {
        let bytes = sheet::template_xlsx(&cat, &code, &period).map_err(AppError::Internal)?;
        download(bytes, XLSX, &format!("{name}.xlsx"))
    })
}

/// `GET /stats/template.xlsx?unit=&period=`.
pub async fn template_xlsx(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplateQuery>,
) -> AppResult<Response> {
    template(&app, &ctx, &q, false).await
}

/// `GET /stats/template.csv?unit=&period=`.
pub async fn template_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplateQuery>,
) -> AppResult<Response> {
    template(&app, &ctx, &q, true).await
}

/// The largest spreadsheet accepted.
pub const MAX_SHEET: usize = 2 * 1024 * 1024;

/// Reads the `file` part (and the `reason` field) of a multipart upload.
pub async fn read_sheet_upload(req: Request) -> AppResult<(Vec<u8>, String)> {
    let mut mp =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
            .await
            .map_err(|e| AppError::BadRequest {
                key: "err.multipart",
                detail: Some(e.body_text()),
            })?;
    let mut file = None;
    let mut reason = String::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::bad("err.malformed"))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::bad("err.too_large")
                    } else {
                        AppError::bad("err.malformed")
                    }
                })?;
                if bytes.len() > MAX_SHEET {
                    return Err(AppError::invalid("file", "err.file_too_large"));
                }
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            "reason" => {
                let b = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::bad("err.malformed"))?;
                reason = String::from_utf8(b.to_vec())
                    .map_err(|_| AppError::bad("err.form_encoding"))?;
            }
            _ => {}
        }
    }
    let file = file.ok_or(AppError::invalid("file", "err.required"))?;
    Ok((file, reason))
}

/// What an uploaded template turned into: a stored submission, or its problems.
pub async fn take_sheet(
    app: &AppState,
    ctx: &Ctx,
    units: &Units,
    cat: &Catalogue,
    (bytes, reason): (&[u8], &str),
) -> Result<super::model::Submission, Refused> {
    // Reading a spreadsheet is CPU work: off the request threads.
    let owned = bytes.to_vec();
    let (filled, source) = tokio::task::spawn_blocking(move || sheet::read(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(Refused::Problems)?;
    let Some(unit) = units.by_code(&filled.unit_code) else {
        return Err(Refused::Problems(vec![Problem::new("wrong_unit")
            .at(Some(super::check::Cell::new(
                if source == "xlsx" {
                    sheet::SHEET
                } else {
                    sheet::CSV_SHEET
                },
                0,
                2,
            )))
            .value(filled.unit_code.chars().take(40).collect())]));
    };
    let draft = Draft {
        unit_id: unit.id.clone(),
        kind: filled.period.0,
        period: filled.period.1,
        values: filled.values,
        reason: Some(reason.to_string()),
        source,
    };
    store::submit(&app.db, &ctx.origin(), &ctx.actor(), units, cat, draft).await
}

async fn upload_page(
    app: &AppState,
    ctx: &Ctx,
    units: &Units,
    problems: Vec<Problem>,
    general: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let mine = reportable(ctx, units);
    if mine.is_empty() {
        return Err(AppError::Forbidden("err.stats_no_unit"));
    }
    let html = page(
        app,
        ctx,
        "stats/upload.html",
        context! {
            units => mine.iter().map(|u| context! { id => u.id.clone(), name => u.name.clone() }).collect::<Vec<_>>(),
            unit => ctx.user.as_ref().and_then(|u| u.unit_id.clone()).unwrap_or_default(),
            period => last_week(), problems => problems, general => general,
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /stats/upload`: download a template, upload it filled in.
pub async fn upload_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let units = units(&app).await?;
    upload_page(&app, &ctx, &units, Vec::new(), None, StatusCode::OK).await
}

/// `POST /stats/upload` (multipart: `file`, optional `reason`).
pub async fn upload(State(app): State<AppState>, ctx: Ctx, req: Request) -> AppResult<Response> {
    ctx.user()?;
    let units = units(&app).await?;
    if reportable(&ctx, &units).is_empty() {
        return Err(AppError::Forbidden("err.stats_no_unit"));
    }
    let cat = catalogue::load(&app.db).await?;
    let outcome = match read_sheet_upload(req).await {
        Ok((bytes, reason)) => take_sheet(&app, &ctx, &units, &cat, (&bytes, &reason)).await,
        Err(e) => Err(Refused::App(e)),
    };
    let (problems, general, status) = match outcome {
        Ok(s) => {
            return Ok(see_other(Some(&format!(
                "/stats/submissions/{}?done=stats_uploaded",
                s.id
            ))))
        }
        Err(Refused::Problems(p)) => (
            explain(p, &cat, ctx.lang),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(Refused::App(AppError::Conflict(k))) => {
            (Vec::new(), Some(t(ctx.lang, k)), StatusCode::CONFLICT)
        }
        Err(Refused::App(AppError::Invalid(f))) => (
            Vec::new(),
            f.first().map(|(_, k)| t(ctx.lang, k)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(Refused::App(e)) => return Err(e),
    };
    upload_page(&app, &ctx, &units, problems, general, status).await
}

#[derive(Debug, Deserialize, Default)]
pub struct QueueQuery {
    pub state: Option<String>,
    pub done: Option<String>,
}

/// `GET /stats/submissions`: the leader's queue (pending) or another state's list.
pub async fn queue(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let state = q
        .state
        .as_deref()
        .and_then(SState::parse)
        .unwrap_or(SState::Pending);
    let units = units(&app).await?;
    let list = store::list(&app.db, state, (300, 0)).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|s| context! { s => s, unit => units.name(&s.unit_id) })
        .collect();
    Ok(page(
        &app,
        &ctx,
        "stats/queue.html",
        context! {
            rows => rows, state => state.as_str(),
            states => ["pending", "approved", "rejected", "superseded", "withdrawn"],
            done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}

/// `GET /stats/submissions/{id}`: the figures, who did what, every version.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let s = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let history = store::history(&app.db, &s.unit_id, &s.period_from, &s.period_to).await?;
    let fields: Vec<_> = cat
        .fields
        .iter()
        .filter_map(|f| {
            let ms: Vec<_> = f
                .measures
                .iter()
                .filter_map(|m| {
                    let v = s.values.get(&m.id)?;
                    // The version before, for what changed.
                    let before = history
                        .iter()
                        .find(|h| {
                            h.version < s.version
                                && matches!(h.state, SState::Approved | SState::Superseded)
                        })
                        .and_then(|h| h.values.get(&m.id).copied());
                    Some(context! {
                        name => m.name(ctx.lang), unit => m.unit(ctx.lang), value => *v,
                        before => before, changed => before.is_some_and(|b| (b - v).abs() > 1e-9),
                    })
                })
                .collect();
            (!ms.is_empty()).then(|| context! { name => f.name(ctx.lang), measures => ms })
        })
        .collect();
    let mut names = Vec::new();
    for who in [&s.submitted_by, &s.decided_by] {
        names.push(match who {
            Some(id) => crate::platform::identity::get_user(&app.db, id)
                .await?
                .map(|u| u.display_name),
            None => None,
        });
    }
    let may_decide = s.state == SState::Pending
        && ctx.can(Action::ApproveFigures)
        && s.submitted_by != ctx.user.as_ref().map(|u| u.id.clone());
    let period_text = s
        .period()
        .map(|(k, p)| match ctx.lang {
            Lang::Vi => p.describe(k),
            Lang::En => figures::period_text(&p, Lang::En),
        })
        .unwrap_or_default();
    Ok(page(
        &app,
        &ctx,
        "stats/submission.html",
        context! {
            s => s, unit => units.name(&s.unit_id), fields => fields, history => history,
            period_text => period_text,
            submitted_by => names.first().cloned().flatten(),
            decided_by => names.get(1).cloned().flatten(),
            may_decide => may_decide,
            own => s.submitted_by == ctx.user.as_ref().map(|u| u.id.clone()),
            may_correct => ctx.actor().role != Role::Public
                && allowed(&ctx.actor(), Action::ReportFigures, &Owner::Unit(units.path(&s.unit_id))),
            done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    pub note: Option<String>,
}

/// `POST /stats/submissions/{id}/do/{step}` (approve, reject).
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    ctx.require(Action::ApproveFigures, &Owner::None)?;
    let approve = match step.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    store::decide(
        &app.db,
        &ctx.origin(),
        &ctx.actor(),
        &id,
        approve,
        &Decision { note: f.note },
    )
    .await?;
    let done = if approve {
        "stats_approved"
    } else {
        "stats_rejected"
    };
    Ok(see_other(Some(&format!(
        "/stats/submissions/{id}?done={done}"
    ))))
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub field: Option<String>,
    pub done: Option<String>,
}

/// The scope a report query names (defaults: the last 30 days to yesterday, the whole
/// province, every field).
pub fn scope_of(
    q: &ReportQuery,
    units: &Units,
    cat: &Catalogue,
    published_only: bool,
) -> AppResult<Scope> {
    let yesterday = local_today() - chrono::Duration::days(1);
    let given = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let from = match given(&q.from) {
        Some(s) => parse_date(&s).ok_or(AppError::invalid("from", "err.stats_bad_period"))?,
        None => yesterday - chrono::Duration::days(29),
    };
    let to = match given(&q.to) {
        Some(s) => parse_date(&s).ok_or(AppError::invalid("to", "err.stats_bad_period"))?,
        None => yesterday,
    };
    // Years a report can mean: a date at the calendar's edge (chrono parses signed years)
    // would overflow the day-by-day walks of a period.
    for (name, d) in [("from", from), ("to", to)] {
        if !(1900..=2200).contains(&d.year()) {
            return Err(AppError::invalid(name, "err.stats_bad_period"));
        }
    }
    let period =
        Period::new(from, to).map_err(|_| AppError::invalid("to", "err.stats_bad_period"))?;
    if period.days() > 3700 {
        return Err(AppError::invalid("from", "err.stats_bad_period"));
    }
    let unit_id = match given(&q.unit) {
        Some(u) => units
            .get(&u)
            .or_else(|| units.by_code(&u))
            .map(|x| x.id.clone())
            .ok_or(AppError::invalid("unit", "err.stats_unknown_unit"))?,
        None => units
            .root()
            .map(|r| r.id.clone())
            .ok_or(AppError::invalid("unit", "err.stats_unknown_unit"))?,
    };
    let field = match given(&q.field) {
        Some(f) if cat.field(&f).is_some() => Some(f),
        Some(_) => return Err(AppError::invalid("field", "err.stats_unknown_field")),
        None => None,
    };
    Ok(Scope {
        period,
        unit_id,
        field,
        published_only,
    })
}

/// A chart's heading, its SVG (the page) and what it shows (the DOCX draws it again).
#[derive(Serialize)]
pub struct Drawn {
    pub title: String,
    pub svg: String,
    #[serde(skip)]
    pub chart: Chart,
}

/// The report's charts: bars per unit, lines over time.
pub fn charts(r: &Report, cat: &Catalogue, lang: Lang) -> Vec<Drawn> {
    let name = |m: &str| {
        cat.measure(m)
            .map(|x| format!("{} ({})", x.name(lang), x.unit(lang)))
            .unwrap_or_else(|| m.to_string())
    };
    // At most three measures per chart, of one unit of measure, so bars compare.
    let mut shown: Vec<&String> = Vec::new();
    for m in &r.shown_measures {
        let unit = cat.measure(m).map(|x| x.unit_vi.clone());
        let first_unit = shown
            .first()
            .and_then(|f| cat.measure(f))
            .map(|x| x.unit_vi.clone());
        if shown.len() < 3
            && (shown.is_empty()
                || (r.field.is_some() && unit.is_some())
                || unit == first_unit
                || r.field.is_none())
        {
            shown.push(m);
        }
    }
    if r.field.is_none() {
        // Every field: the first field's narrative measures (cases and subjects).
        let first = shown
            .first()
            .and_then(|m| cat.measure(m))
            .map(|m| m.field_id.clone());
        shown.retain(|m| {
            cat.measure(m)
                .map(|x| Some(x.field_id.clone()) == first)
                .unwrap_or(false)
        });
    }
    let field_name = shown
        .first()
        .and_then(|m| cat.measure(m))
        .and_then(|m| cat.field(&m.field_id))
        .map(|f| f.name(lang).to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    if !r.by_unit.is_empty() && !shown.is_empty() {
        let c = Chart {
            title: format!("{} — {}", field_name, tr(lang, "chart_units")),
            desc: format!("{} {}", tr(lang, "chart_units_desc"), r.period_text),
            categories: r.by_unit.iter().map(|u| u.unit.clone()).collect(),
            series: shown
                .iter()
                .map(|m| {
                    Series::new(
                        name(m),
                        r.by_unit
                            .iter()
                            .map(|u| u.values.get(*m).copied().unwrap_or(0.0)),
                    )
                })
                .collect(),
            unit: String::new(),
        };
        out.push(Drawn {
            svg: hbars(&c),
            title: c.title.clone(),
            chart: c,
        });
    }
    if !r.over_time.is_empty() && !shown.is_empty() {
        let c = Chart {
            title: format!(
                "{} — {}",
                field_name,
                tr(lang, &format!("chart_time_{}", r.bucket))
            ),
            desc: format!("{} {}", tr(lang, "chart_time_desc"), r.period_text),
            categories: r.over_time.iter().map(|b| b.label.clone()).collect(),
            series: shown
                .iter()
                .map(|m| {
                    Series::new(
                        name(m),
                        r.over_time
                            .iter()
                            .map(|b| b.values.get(*m).copied().unwrap_or(0.0)),
                    )
                })
                .collect(),
            unit: String::new(),
        };
        out.push(Drawn {
            svg: lines(&c),
            title: c.title.clone(),
            chart: c,
        });
    }
    out
}

/// The units a report may be asked for (every unit, in tree order).
fn unit_choices(units: &Units) -> Vec<minijinja::Value> {
    units
        .list
        .iter()
        .map(|u| context! { id => u.id.clone(), name => u.name.clone(), kind => u.kind.clone() })
        .collect()
}

/// `GET /stats/report`.
pub async fn report_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let scope = scope_of(&q, &units, &cat, false)?;
    let r = figures::report(&app.db, &cat, &units, &scope, ctx.lang).await?;
    let query = query_string(&[
        ("from", r.from.clone()),
        ("to", r.to.clone()),
        ("unit", r.unit_id.clone()),
        ("field", r.field.clone().unwrap_or_default()),
    ]);
    Ok(page(
        &app,
        &ctx,
        "stats/report.html",
        context! {
            r => &r, charts => charts(&r, &cat, ctx.lang), query => query,
            units => unit_choices(&units),
            fields => cat.fields.iter().map(|f| context! { id => f.id.clone(), name => f.name(ctx.lang) }).collect::<Vec<_>>(),
            may_publish => ctx.can(Action::PublishFigures),
            may_quote => ctx.can(Action::DraftBulletin),
            done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}

fn query_string(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish()
}

/// `GET /stats/report.{csv,xlsx,docx}`.
pub async fn report_file(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let scope = scope_of(&q, &units, &cat, false)?;
    let r = figures::report(&app.db, &cat, &units, &scope, ctx.lang).await?;
    let stem = format!("keng-bao-cao-so-lieu-{}-{}", r.from, r.to);
    let err = AppError::Internal;
    Ok(match file.as_str() {
        "report.csv" => download(
            super::export::csv(&r).map_err(err)?,
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
        "report.xlsx" => download(
            super::export::xlsx(&r, ctx.lang).map_err(err)?,
            XLSX,
            &format!("{stem}.xlsx"),
        ),
        "report.docx" => download(
            super::export::docx(
                &r,
                &charts(&r, &cat, ctx.lang),
                ctx.lang,
                &app.config.site_name,
            )
            .map_err(err)?,
            DOCX,
            &format!("{stem}.docx"),
        ),
        _ => return Err(AppError::NotFound),
    })
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    pub from: Option<String>,
    pub to: Option<String>,
    pub unit: Option<String>,
    pub quality_note: Option<String>,
    /// publish or withdraw.
    pub action: Option<String>,
}

/// `POST /stats/publish`: chooses the current figures of a range for the public.
pub async fn publish(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    ctx.require(Action::PublishFigures, &Owner::None)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let q = ReportQuery {
        from: f.from.clone(),
        to: f.to.clone(),
        unit: f.unit.clone(),
        ..Default::default()
    };
    let scope = scope_of(&q, &units, &cat, false)?;
    let publish = f.action.as_deref() != Some("withdraw");
    let n = store::publish(
        &app.db,
        &ctx.origin(),
        &ctx.actor(),
        (&units.subtree(&scope.unit_id), scope.period),
        publish,
        f.quality_note.as_deref(),
    )
    .await?;
    let done = match (publish, n) {
        (_, 0) => "stats_nothing_to_publish",
        (true, _) => "stats_published",
        (false, _) => "stats_unpublished",
    };
    let back = query_string(&[
        ("from", day_str(scope.period.from)),
        ("to", day_str(scope.period.to)),
        ("unit", scope.unit_id.clone()),
        ("done", done.to_string()),
    ]);
    Ok(see_other(Some(&format!("/stats/report?{back}"))))
}
