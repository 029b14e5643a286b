//! The press monitor's JSON API for staff systems: feeds (register, pause, read now),
//! the articles found, coverage per bulletin or agency, and the review queue with its
//! decisions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::poller::Monitor;
use super::settings;
use super::store::{self, Article, Coverage, Feed, FeedInput, Review};
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
