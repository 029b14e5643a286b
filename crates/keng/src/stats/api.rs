//! The figures' JSON API for staff systems: the catalogue (and an administrator's
//! changes to it), submissions by JSON or by the spreadsheet template, the leader's
//! decisions, publication, and campaigns with their progress. Problems with figures
//! come back as 422 with one entry per value or cell, in the caller's language.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use keng_stats::Period;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::campaigns::{self, Campaign, CampaignInput};
use super::catalogue::{self, Catalogue, Measure, MeasureInput};
use super::check::{Problem, Raw};
use super::model::{State as SState, Submission};
use super::pages::{self, units, ReportQuery};
use super::store::{self, Decision, Draft, Refused};
use crate::platform::auth::Ctx;
use crate::platform::clock::local_today;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

fn staff(ctx: &Ctx) -> AppResult<()> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)
}

/// The catalogue of what is counted.
#[utoipa::path(get, path = "/api/v1/stats/catalogue", tag = "stats", operation_id = "stats_catalogue",
    responses((status = 200, body = Catalogue), (status = 401)))]
pub async fn get_catalogue(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Catalogue>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok(Json(catalogue::load_fresh(&app.db).await?))
}

/// Adds a measure (administrators).
#[utoipa::path(post, path = "/api/v1/stats/measures", tag = "stats", operation_id = "stats_create_measure",
    request_body = MeasureInput,
    responses((status = 201, body = Measure), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn create_measure(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<MeasureInput>,
) -> AppResult<Response> {
    ctx.require(Action::ManageStatsCatalogue, &Owner::None)?;
    let m = catalogue::create_measure(&app.db, &ctx.origin(), &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

/// Changes a measure (administrators): names, unit, rules, retirement.
#[utoipa::path(put, path = "/api/v1/stats/measures/{id}", tag = "stats", operation_id = "stats_update_measure",
    params(("id" = String, Path, description = "Measure id, e.g. ma_tuy.subjects")),
    request_body = MeasureInput,
    responses((status = 200, body = Measure), (status = 400), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn update_measure(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<MeasureInput>,
) -> AppResult<Json<Measure>> {
    ctx.require(Action::ManageStatsCatalogue, &Owner::None)?;
    Ok(Json(
        catalogue::update_measure(&app.db, &ctx.origin(), &id, &input).await?,
    ))
}

/// A unit's figures for a period.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = StatSubmissionInput)]
pub struct SubmissionInput {
    /// Unit id or code ("CAP-HACTHANH").
    pub unit: String,
    /// "2026-11-30" (a day), "2026-W48" (an ISO week) or "2026-11" (a month).
    pub period: String,
    /// Measure id → value: a number, or text read the Vietnamese way ("1.500", "2,5").
    pub values: BTreeMap<String, Raw>,
    /// Why: required for a correction of approved figures.
    pub reason: Option<String>,
}

/// Figures refused (RFC 9457 problem details, as every API error): one problem per
/// value, cell or rule in `problems`, and the same as `errors` (field: the cell or the
/// measure); nothing was saved.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatProblems)]
pub struct Problems {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    pub errors: Vec<FieldError>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatFieldError)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn problems_response(mut p: Vec<Problem>, cat: &Catalogue, lang: Lang, instance: &str) -> Response {
    for x in &mut p {
        x.explain(cat, lang);
    }
    let title = t(lang, "err.stats_problems");
    let body = Problems {
        kind: "urn:keng:error:stats_problems".into(),
        detail: title.clone(),
        title,
        status: 422,
        instance: instance.to_string(),
        errors: p
            .iter()
            .map(|x| FieldError {
                field: match (&x.cell, &x.measure) {
                    (Some(c), _) => format!("{}!{}{}", c.sheet, c.column, c.row),
                    (None, Some(m)) => m.clone(),
                    (None, None) => String::new(),
                },
                message: x.message.clone(),
            })
            .collect(),
        problems: p,
    };
    let mut r = (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    r
}

/// Submits a unit's figures (a new version, pending a leader's approval).
#[utoipa::path(post, path = "/api/v1/stats/submissions", tag = "stats", operation_id = "stats_submit",
    request_body = SubmissionInput,
    responses((status = 201, body = Submission), (status = 400), (status = 401), (status = 403),
        (status = 409, description = "The period overlaps one already reported, or approved figures need a reason to be corrected"),
        (status = 422, description = "The figures' problems: one per value, cell or rule in `problems` (StatProblem), the same in `errors`; nothing saved")))]
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SubmissionInput>,
) -> AppResult<Response> {
    ctx.user()?;
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let unit = units
        .get(&input.unit)
        .or_else(|| units.by_code(&input.unit))
        .ok_or(AppError::invalid("unit", "err.stats_unknown_unit"))?;
    let (kind, period) = Period::parse_label(&input.period)
        .map_err(|_| AppError::invalid("period", "err.stats_bad_period"))?;
    let draft = Draft {
        unit_id: unit.id.clone(),
        kind,
        period,
        values: input
            .values
            .into_iter()
            .map(|(k, v)| (k, v, None))
            .collect(),
        reason: input.reason,
        source: "api",
    };
    match store::submit(&app.db, &ctx.origin(), &ctx.actor(), &units, &cat, draft).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(s)).into_response()),
        Err(Refused::Problems(p)) => Ok(problems_response(
            p,
            &cat,
            ctx.lang,
            "/api/v1/stats/submissions",
        )),
        Err(Refused::App(e)) => Err(e),
    }
}

/// Submits a filled-in template (XLSX or CSV, multipart field `file`; `reason` for a
/// correction).
#[utoipa::path(post, path = "/api/v1/stats/uploads", tag = "stats", operation_id = "stats_upload",
    request_body(content = String, content_type = "multipart/form-data", description = "Fields: file (the filled-in template), reason (optional)"),
    responses((status = 201, body = Submission), (status = 400), (status = 401), (status = 403), (status = 409), (status = 413),
        (status = 422, description = "The figures' problems: one per value, cell or rule in `problems` (StatProblem), the same in `errors`; nothing saved")))]
pub async fn upload(State(app): State<AppState>, ctx: Ctx, req: Request) -> AppResult<Response> {
    ctx.user()?;
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let units = units(&app).await?;
    if pages::reportable(&ctx, &units).is_empty() {
        return Err(AppError::Forbidden("err.stats_no_unit"));
    }
    let cat = catalogue::load(&app.db).await?;
    let (bytes, reason) = pages::read_sheet_upload(req).await?;
    match pages::take_sheet(&app, &ctx, &units, &cat, (&bytes, &reason)).await {
        Ok(s) => Ok((StatusCode::CREATED, Json(s)).into_response()),
        Err(Refused::Problems(p)) => Ok(problems_response(
            p,
            &cat,
            ctx.lang,
            "/api/v1/stats/uploads",
        )),
        Err(Refused::App(e)) => Err(e),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// pending (default), approved, rejected, withdrawn or superseded.
    state: Option<String>,
    /// At most this many (1–1000, default 200), oldest first.
    limit: Option<i64>,
    /// Skip this many (for the next page).
    offset: Option<i64>,
}

/// Submissions in a state (oldest first): the leader's queue by default.
#[utoipa::path(get, path = "/api/v1/stats/submissions", tag = "stats", operation_id = "stats_list_submissions",
    params(ListParams),
    responses((status = 200, body = [Submission]), (status = 400), (status = 401), (status = 403)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Json<Vec<Submission>>> {
    staff(&ctx)?;
    let state = match p.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => SState::Pending,
        Some(s) => SState::parse(s).ok_or(AppError::bad("err.stats_bad_state"))?,
    };
    let limit = p.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) || p.offset.is_some_and(|o| o < 0) {
        return Err(AppError::bad("err.stats_bad_page"));
    }
    Ok(Json(
        store::list(&app.db, state, (limit, p.offset.unwrap_or(0))).await?,
    ))
}

/// One submission with its values.
#[utoipa::path(get, path = "/api/v1/stats/submissions/{id}", tag = "stats", operation_id = "stats_get_submission",
    params(("id" = String, Path, description = "Submission id")),
    responses((status = 200, body = Submission), (status = 401), (status = 403), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Submission>> {
    staff(&ctx)?;
    Ok(Json(
        store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?,
    ))
}

/// Approves or sends back a pending submission (a leader who did not submit it).
#[utoipa::path(post, path = "/api/v1/stats/submissions/{id}/{step}", tag = "stats", operation_id = "stats_decide",
    params(("id" = String, Path, description = "Submission id"), ("step" = String, Path, description = "approve or reject")),
    request_body = Decision,
    responses((status = 200, body = Submission), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Json(d): Json<Decision>,
) -> AppResult<Json<Submission>> {
    ctx.require(Action::ApproveFigures, &Owner::None)?;
    let approve = match step.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    Ok(Json(
        store::decide(&app.db, &ctx.origin(), &ctx.actor(), &id, approve, &d).await?,
    ))
}

/// What to publish (or withdraw from publication).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = StatPublicationInput)]
pub struct PublicationInput {
    /// First and last day (YYYY-MM-DD or dd/mm/yyyy).
    pub from: String,
    pub to: String,
    /// Unit id or code (default: the whole province).
    pub unit: Option<String>,
    /// What a reader should know about the figures (required to publish).
    pub quality_note: Option<String>,
    /// false withdraws the figures from publication.
    #[serde(default = "super::catalogue::yes")]
    pub publish: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatPublicationResult)]
pub struct PublicationResult {
    /// Versions whose publication changed.
    pub changed: u64,
}

/// Publishes the current approved figures of a range (or withdraws them).
#[utoipa::path(post, path = "/api/v1/stats/publication", tag = "stats", operation_id = "stats_publish",
    request_body = PublicationInput,
    responses((status = 200, body = PublicationResult), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn publish(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(p): Json<PublicationInput>,
) -> AppResult<Json<PublicationResult>> {
    ctx.require(Action::PublishFigures, &Owner::None)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let q = ReportQuery {
        from: Some(p.from),
        to: Some(p.to),
        unit: p.unit,
        ..Default::default()
    };
    let scope = pages::scope_of(&q, &units, &cat, false)?;
    let changed = store::publish(
        &app.db,
        &ctx.origin(),
        &ctx.actor(),
        (&units.subtree(&scope.unit_id), scope.period),
        p.publish,
        p.quality_note.as_deref(),
    )
    .await?;
    Ok(Json(PublicationResult { changed }))
}

/// Campaigns, latest first.
#[utoipa::path(get, path = "/api/v1/stats/campaigns", tag = "stats", operation_id = "stats_list_campaigns",
    responses((status = 200, body = [Campaign]), (status = 401), (status = 403)))]
pub async fn list_campaigns(
    State(app): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<Campaign>>> {
    staff(&ctx)?;
    Ok(Json(campaigns::list(&app.db).await?))
}

/// Creates a campaign: dates, or a period anchored to Tết.
#[utoipa::path(post, path = "/api/v1/stats/campaigns", tag = "stats", operation_id = "stats_create_campaign",
    request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn create_campaign(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CampaignInput>,
) -> AppResult<Response> {
    ctx.require(Action::ManageCampaigns, &Owner::None)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let c = campaigns::save(&app.db, &ctx.origin(), (&cat, &units), None, &input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// A campaign with its progress to today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatCampaignProgress)]
pub struct CampaignView {
    pub campaign: Campaign,
    #[schema(value_type = Object)]
    pub progress: Option<serde_json::Value>,
}

/// One campaign and its progress against the targets and last year's campaign.
#[utoipa::path(get, path = "/api/v1/stats/campaigns/{id}", tag = "stats", operation_id = "stats_get_campaign",
    params(("id" = String, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignView), (status = 401), (status = 403), (status = 404)))]
pub async fn get_campaign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<CampaignView>> {
    staff(&ctx)?;
    let c = campaigns::get(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let progress = campaigns::progress(&app.db, &cat, &units, &c, local_today(), ctx.lang).await?;
    Ok(Json(CampaignView {
        campaign: c,
        progress: progress.and_then(|p| serde_json::to_value(p).ok()),
    }))
}

/// Changes a campaign.
#[utoipa::path(put, path = "/api/v1/stats/campaigns/{id}", tag = "stats", operation_id = "stats_update_campaign",
    params(("id" = String, Path, description = "Campaign id")),
    request_body = CampaignInput,
    responses((status = 200, body = Campaign), (status = 400), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn update_campaign(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<CampaignInput>,
) -> AppResult<Json<Campaign>> {
    ctx.require(Action::ManageCampaigns, &Owner::None)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    Ok(Json(
        campaigns::save(&app.db, &ctx.origin(), (&cat, &units), Some(&id), &input).await?,
    ))
}
