//! The newsroom's JSON API: ninjs documents for readers (`GET /api/v1/bulletins`) and the
//! workflow for staff systems (create, edit, submit, approve, publish, correct, withdraw).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Bulletin, Incident};
use super::ninjs;
use super::public::ListQuery;
use super::store::{self, ActionInput, BulletinInput, IncidentInput};
use super::visibility::{seen, Seen, Viewer};
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

fn reader(ctx: &Ctx) -> AppResult<Viewer> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok(Viewer::on_public_surface(&ctx.actor()))
}

#[derive(Deserialize, IntoParams)]
pub struct BulletinsParams {
    /// A category code.
    category: Option<String>,
    /// A unit id.
    unit: Option<String>,
    /// dd/mm/yyyy.
    from: Option<String>,
    /// dd/mm/yyyy, inclusive.
    to: Option<String>,
    page: Option<i64>,
}

/// Released bulletins as ninjs 3.x documents, newest first. Accredited journalists also
/// get press-only and embargoed items (with `embargoedUntil`); withdrawn items they had
/// seen come back as `canceled`.
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "newsroom", params(BulletinsParams),
    responses((status = 200, description = "ninjs documents", body = [super::ninjs::NinjsDoc]), (status = 400)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<BulletinsParams>,
) -> AppResult<Json<Vec<serde_json::Value>>> {
    let viewer = reader(&ctx)?;
    let q = ListQuery {
        category: p.category.unwrap_or_default(),
        unit: p.unit.unwrap_or_default(),
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        page: p.page,
    };
    let items = store::list(&app.db, viewer, &q.filter(50)?, true).await?;
    let now = now_ms();
    Ok(Json(
        items
            .iter()
            .map(|b| {
                ninjs::document(
                    b,
                    seen(b, viewer, now),
                    &ctx.base_url,
                    &app.config.site_name,
                )
            })
            .collect(),
    ))
}

/// One bulletin as a ninjs 3.x document.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}", tag = "newsroom",
    params(("id" = String, Path, description = "Bulletin id")),
    responses((status = 200, description = "a ninjs document", body = super::ninjs::NinjsDoc), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<serde_json::Value>> {
    let viewer = reader(&ctx)?;
    let b = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let s = seen(&b, viewer, now_ms());
    if s == Seen::Hidden {
        return Err(AppError::NotFound);
    }
    Ok(Json(ninjs::document(
        &b,
        s,
        &ctx.base_url,
        &app.config.site_name,
    )))
}

fn desk(ctx: &Ctx) -> AppResult<crate::accounts::model::User> {
    ctx.require(Action::ViewNewsroomDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

/// Creates a draft bulletin (staff).
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "newsroom", request_body = BulletinInput,
    responses((status = 201, body = Bulletin), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<BulletinInput>,
) -> AppResult<Response> {
    let user = desk(&ctx)?;
    let b = store::create(&app.db, &app.config, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(b)).into_response())
}

/// Edits a bulletin before publication (a new version).
#[utoipa::path(put, path = "/api/v1/bulletins/{id}", tag = "newsroom", request_body = BulletinInput,
    params(("id" = String, Path, description = "Bulletin id")),
    responses((status = 200, body = Bulletin), (status = 403), (status = 404), (status = 409, description = "Published: use correct"), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<BulletinInput>,
) -> AppResult<Json<Bulletin>> {
    let user = desk(&ctx)?;
    Ok(Json(
        store::update(&app.db, &app.config, &ctx.origin(), &user, &id, &input).await?,
    ))
}

/// A step of the workflow, as named in the path.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Documentation only: the handler takes the name and answers 404 to others.
pub enum Step {
    Submit,
    Approve,
    RequestChanges,
    Publish,
    Correct,
    Withdraw,
}

/// A workflow step: submit, approve, request_changes (note = what to change; back to
/// draft), publish (optionally scheduled), correct (note + content), withdraw (note =
/// reason).
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/{action}", tag = "newsroom", request_body = ActionInput,
    params(("id" = String, Path, description = "Bulletin id"), ("action" = Step, Path, description = "The step")),
    responses((status = 200, body = Bulletin), (status = 403, description = "Not allowed (four eyes included)"), (status = 404), (status = 409, description = "Not in the state this step needs"), (status = 422)),
    security(("bearer" = [])))]
pub async fn act(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    Json(input): Json<ActionInput>,
) -> AppResult<Json<Bulletin>> {
    let user = desk(&ctx)?;
    Ok(Json(
        store::act(
            &app.db,
            &app.config,
            &ctx.origin(),
            &user,
            &id,
            &action,
            &input,
        )
        .await?,
    ))
}

/// Incidents, open clocks first (staff).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "newsroom",
    responses((status = 200, body = [Incident]), (status = 403)), security(("bearer" = [])))]
pub async fn incidents(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Incident>>> {
    desk(&ctx)?;
    Ok(Json(store::list_incidents(&app.db, 200).await?))
}

/// Opens an incident; of public concern, its initial-information clock starts.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "newsroom", request_body = IncidentInput,
    responses((status = 201, body = Incident), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_incident(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<IncidentInput>,
) -> AppResult<Response> {
    let user = desk(&ctx)?;
    let i = store::create_incident(&app.db, &app.config, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct SearchParams {
    /// Words, with or without diacritics ("ma tuy", "ma tuý").
    q: String,
    /// A category code.
    category: Option<String>,
    /// At most 50.
    limit: Option<usize>,
}

/// Full-text search over the bulletins the requester may read.
#[utoipa::path(get, path = "/api/v1/search", tag = "newsroom", params(SearchParams),
    responses((status = 200, body = [super::search::Hit]), (status = 400)))]
pub async fn search(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<Vec<super::search::Hit>>> {
    let viewer = reader(&ctx)?;
    if p.q.chars().count() > 200 {
        return Err(AppError::bad("err.query_too_long"));
    }
    let hits = super::live(&app)?
        .search
        .search(
            &app.db,
            &ctx.base_url,
            viewer,
            &p.q,
            p.category.as_deref(),
            p.limit.unwrap_or(20).clamp(1, 50),
        )
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(hits))
}
