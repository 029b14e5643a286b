//! The press monitor's JSON API for staff systems: feeds (register, pause, read now),
//! the articles found, coverage per bulletin or agency, and the review queue with its
//! decisions; manual entries; the year's metrics and suggested commendations; the
//! awards (their list is public); the press's survey.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::awards::{Award, AwardInput, AwardType, Suggestion, TypeInput};
use super::metrics::{Metrics, SpanQuery};
use super::poller::Monitor;
use super::settings;
use super::store::{self, Article, Coverage, Feed, FeedInput, ManualInput, Review};
use super::survey::{Answer as SurveyAnswer, Input as SurveyInput, Summary as SurveySummary};
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

pub fn viewer(ctx: &Ctx) -> AppResult<()> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    ctx.user()?;
    ctx.require(Action::ViewCoverage, &Owner::None)
}

pub fn manager(ctx: &Ctx) -> AppResult<()> {
    viewer(ctx)?;
    ctx.require(Action::ManageCoverage, &Owner::None)
}

/// Wakes this node's monitor (others find the work on their next tick).
pub fn wake(app: &AppState) {
    if let Some(m) = app.capability::<Monitor>() {
        m.wake.notify_one();
    }
}

/// Every registered feed with its last answer.
#[utoipa::path(get, path = "/api/v1/coverage/feeds", tag = "coverage", operation_id = "coverage_feeds",
    responses((status = 200, body = [Feed]), (status = 401), (status = 403)))]
pub async fn list_feeds(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Feed>>> {
    viewer(&ctx)?;
    Ok(Json(store::feeds(&app.db).await?))
}

/// Registers an agency's feed or sitemap; it is read at once.
#[utoipa::path(post, path = "/api/v1/coverage/feeds", tag = "coverage", operation_id = "coverage_add_feed",
    request_body = FeedInput,
    responses((status = 201, body = Feed), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn add_feed(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<FeedInput>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let allow = settings::of(&app.config).allow();
    let f = store::add_feed(&app.db, &ctx.origin(), &allow, &input).await?;
    wake(&app);
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

/// What to change on a feed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PressFeedChange)]
pub struct FeedChange {
    /// Pause (false) or resume (true).
    pub active: Option<bool>,
    /// Read it now.
    #[serde(default)]
    pub poll_now: bool,
}

/// Pauses, resumes, or reads a feed now.
#[utoipa::path(post, path = "/api/v1/coverage/feeds/{id}", tag = "coverage", operation_id = "coverage_change_feed",
    params(("id" = String, Path)), request_body = FeedChange,
    responses((status = 200, body = Feed), (status = 400), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn change_feed(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(c): Json<FeedChange>,
) -> AppResult<Json<Feed>> {
    manager(&ctx)?;
    let f = store::set_feed(&app.db, &ctx.origin(), &id, c.active, c.poll_now).await?;
    if c.poll_now {
        wake(&app);
    }
    Ok(Json(f))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ArticleQuery {
    /// Only this feed's.
    pub feed: Option<String>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<i64>,
}

/// The articles found, newest first.
#[utoipa::path(get, path = "/api/v1/coverage/articles", tag = "coverage", operation_id = "coverage_articles",
    params(ArticleQuery),
    responses((status = 200, body = [Article]), (status = 400), (status = 401), (status = 403)))]
pub async fn list_articles(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ArticleQuery>,
) -> AppResult<Json<Vec<Article>>> {
    viewer(&ctx)?;
    Ok(Json(
        store::articles(&app.db, q.feed.as_deref(), q.limit.unwrap_or(100)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// One bulletin's coverage.
    pub bulletin: Option<String>,
    /// One agency's.
    pub agency: Option<String>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// Stories carried, newest first, with the time from the bulletin's release.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "coverage", operation_id = "coverage_list",
    params(CoverageQuery),
    responses((status = 200, body = [Coverage]), (status = 400), (status = 401), (status = 403)))]
pub async fn list_coverage(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CoverageQuery>,
) -> AppResult<Json<Vec<Coverage>>> {
    viewer(&ctx)?;
    Ok(Json(
        store::coverage(
            &app.db,
            q.bulletin.as_deref(),
            q.agency.as_deref(),
            q.limit.unwrap_or(200),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReviewQuery {
    /// waiting (default), confirmed or rejected.
    pub state: Option<String>,
}

/// The matches waiting for a person (or decided ones).
#[utoipa::path(get, path = "/api/v1/coverage/reviews", tag = "coverage", operation_id = "coverage_reviews",
    params(ReviewQuery),
    responses((status = 200, body = [Review]), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn list_reviews(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Json<Vec<Review>>> {
    viewer(&ctx)?;
    let state = q.state.as_deref().unwrap_or("waiting");
    if !matches!(state, "waiting" | "confirmed" | "rejected") {
        return Err(AppError::invalid("state", "err.coverage_review_state"));
    }
    Ok(Json(store::reviews(&app.db, state, 200).await?))
}

/// Confirms (it becomes coverage) or rejects a waiting match.
#[utoipa::path(post, path = "/api/v1/coverage/reviews/{id}/{decision}", tag = "coverage", operation_id = "coverage_decide",
    params(("id" = String, Path), ("decision" = String, Path, description = "confirm or reject")),
    responses((status = 200, body = Review), (status = 401), (status = 403), (status = 404), (status = 409)))]
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, decision)): Path<(String, String)>,
) -> AppResult<Json<Review>> {
    manager(&ctx)?;
    let confirm = match decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    Ok(Json(
        store::decide(&app.db, &ctx.origin(), &id, confirm).await?,
    ))
}

/// A year's (or a campaign's) coordination in numbers: per agency, journalist, month,
/// category and kind of bulletin.
#[utoipa::path(get, path = "/api/v1/coverage/metrics", tag = "coverage", operation_id = "coverage_metrics",
    params(SpanQuery),
    responses((status = 200, body = Metrics), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn metrics(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SpanQuery>,
) -> AppResult<Json<Metrics>> {
    viewer(&ctx)?;
    let span = super::metrics::span_of(&app.db, &q, ctx.lang).await?;
    Ok(Json(super::metrics::load(&app.db, &span, ctx.lang).await?))
}

/// The commendations suggested for a year, ranked, with their evidence.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub year: i32,
    pub collectives: Vec<Suggestion>,
    pub individuals: Vec<Suggestion>,
}

/// Suggested commendations (collectives and individuals) ranked from the metrics.
#[utoipa::path(get, path = "/api/v1/coverage/suggestions", tag = "coverage", operation_id = "coverage_suggestions",
    params(SpanQuery),
    responses((status = 200, body = Suggestions), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn suggestions(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SpanQuery>,
) -> AppResult<Json<Suggestions>> {
    viewer(&ctx)?;
    let span = super::metrics::span_of(&app.db, &q, ctx.lang).await?;
    let m = super::metrics::load(&app.db, &span, ctx.lang).await?;
    let (collectives, individuals) =
        super::awards::suggestions(&app.db, &span, &m, ctx.lang).await?;
    Ok(Json(Suggestions {
        year: span.year,
        collectives,
        individuals,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AwardsQuery {
    /// One year's (default: every year's).
    pub year: Option<i32>,
}

/// The commendations recorded (public: what the department gave, and to whom).
#[utoipa::path(get, path = "/api/v1/awards", tag = "coverage", operation_id = "awards_list",
    params(AwardsQuery),
    responses((status = 200, body = [Award]), (status = 400)))]
pub async fn list_awards(
    State(app): State<AppState>,
    Query(q): Query<AwardsQuery>,
) -> AppResult<Json<Vec<Award>>> {
    if q.year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        return Err(AppError::BadRequest {
            key: "err.bad_year",
            detail: None,
        });
    }
    let mut list = super::awards::list(&app.db, q.year, false).await?;
    // The evidence and the accounts behind it stay inside.
    for a in &mut list {
        a.evidence = None;
        a.user_id = None;
    }
    Ok(Json(list))
}

/// The kinds of commendation.
#[utoipa::path(get, path = "/api/v1/awards/types", tag = "coverage", operation_id = "award_types",
    responses((status = 200, body = [AwardType])))]
pub async fn award_types(State(app): State<AppState>) -> AppResult<Json<Vec<AwardType>>> {
    Ok(Json(super::awards::types(&app.db).await?))
}

fn signer(ctx: &Ctx) -> AppResult<()> {
    viewer(ctx)?;
    ctx.require(Action::SignCommendation, &Owner::None)
}

/// Records a commendation (a leader's), with the suggestion's evidence if from one.
#[utoipa::path(post, path = "/api/v1/awards", tag = "coverage", operation_id = "award_record",
    request_body = AwardInput,
    responses((status = 201, body = Award), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn record_award(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AwardInput>,
) -> AppResult<Response> {
    signer(&ctx)?;
    let a = super::awards::record(&app.db, &ctx.origin(), &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Why an award is revoked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Revocation {
    pub reason: String,
}

/// Revokes a commendation recorded by mistake (kept, off the public page).
#[utoipa::path(post, path = "/api/v1/awards/{id}/revoke", tag = "coverage", operation_id = "award_revoke",
    params(("id" = String, Path)), request_body = Revocation,
    responses((status = 200, body = Award), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn revoke_award(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(r): Json<Revocation>,
) -> AppResult<Json<Award>> {
    signer(&ctx)?;
    Ok(Json(
        super::awards::revoke(&app.db, &ctx.origin(), &id, &r.reason).await?,
    ))
}

/// Records a story in print, on radio or TV (or a page without a feed).
#[utoipa::path(post, path = "/api/v1/coverage/manual", tag = "coverage", operation_id = "coverage_manual",
    request_body = ManualInput,
    responses((status = 201, body = Coverage), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn add_manual(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<ManualInput>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let c = store::add_manual(&app.db, &ctx.origin(), &input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// Removes a story recorded by hand (what the monitor found cannot be removed).
#[utoipa::path(post, path = "/api/v1/coverage/manual/{id}/remove", tag = "coverage", operation_id = "coverage_manual_remove",
    params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn remove_manual(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    manager(&ctx)?;
    store::remove_manual(&app.db, &ctx.origin(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agency's editor answers the yearly survey on the coordination (or revises it).
#[utoipa::path(post, path = "/api/v1/coverage/survey", tag = "coverage", operation_id = "coverage_survey_answer",
    request_body = SurveyInput,
    responses((status = 200, body = SurveyAnswer), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn answer_survey(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<SurveyInput>,
) -> AppResult<Json<SurveyAnswer>> {
    let u = super::review_pages::may_answer(&ctx)?;
    Ok(Json(
        super::survey::answer(&app.db, &ctx.origin(), &u, &input).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SurveyQuery {
    pub year: Option<i64>,
}

/// A year's survey summed up (mean ratings, comments).
#[utoipa::path(get, path = "/api/v1/coverage/survey", tag = "coverage", operation_id = "coverage_survey",
    params(SurveyQuery),
    responses((status = 200, body = SurveySummary), (status = 400), (status = 401), (status = 403)))]
pub async fn survey_summary(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SurveyQuery>,
) -> AppResult<Json<SurveySummary>> {
    viewer(&ctx)?;
    let year = q.year.unwrap_or_else(|| {
        crate::platform::clock::local_year(crate::platform::clock::now_ms()) as i64
    });
    Ok(Json(super::survey::summary(&app.db, year).await?))
}

fn type_keeper(ctx: &Ctx) -> AppResult<()> {
    viewer(ctx)?;
    ctx.require(Action::ManageAwardTypes, &Owner::None)
}

/// Adds a kind of commendation.
#[utoipa::path(post, path = "/api/v1/awards/types", tag = "coverage", operation_id = "award_type_add",
    request_body = TypeInput,
    responses((status = 201, body = AwardType), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn add_award_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<TypeInput>,
) -> AppResult<Response> {
    type_keeper(&ctx)?;
    let t = super::awards::add_type(&app.db, &ctx.origin(), &input).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Retires a kind of commendation, or brings it back.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TypeChange {
    pub active: bool,
}

/// Retires (or restores) a kind of commendation: no new award of a retired kind.
#[utoipa::path(post, path = "/api/v1/awards/types/{id}", tag = "coverage", operation_id = "award_type_change",
    params(("id" = String, Path)), request_body = TypeChange,
    responses((status = 200, body = AwardType), (status = 400), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn change_award_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(c): Json<TypeChange>,
) -> AppResult<Json<AwardType>> {
    type_keeper(&ctx)?;
    Ok(Json(
        super::awards::set_type_active(&app.db, &ctx.origin(), &id, c.active).await?,
    ))
}
