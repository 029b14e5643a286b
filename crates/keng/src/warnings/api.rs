//! The warnings' JSON API: public warnings for readers and relays (`GET
//! /api/v1/warnings`), the desk's list and the workflow for staff systems (create, edit,
//! submit, approve, publish, update, cancel).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::input::WarningInput;
use super::model::{Warning, KINDS};
use super::store::{self, StepInput};
use super::visibility;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

#[derive(Deserialize, IntoParams)]
pub struct WarningsParams {
    /// scam, traffic, security, fire, weather_traffic or other.
    kind: Option<String>,
}

/// Public warnings (published or cancelled; never a test), newest first.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", operation_id = "list_warnings", params(WarningsParams),
    responses((status = 200, body = [Warning]), (status = 400), (status = 401)))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<WarningsParams>,
) -> AppResult<Json<Vec<Warning>>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let kind = p.kind.as_deref().map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = kind {
        if !KINDS.iter().any(|(x, _)| *x == k) {
            return Err(AppError::bad("err.unknown_kind"));
        }
    }
    Ok(Json(super::public::public_list(&app, kind, 200).await?))
}

/// One warning: public ones to anyone; staff see any (drafts, tests).
#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings", operation_id = "get_warning",
    params(("id" = String, Path, description = "Warning id")),
    responses((status = 200, body = Warning), (status = 401), (status = 404)))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Warning>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let staff = ctx.can(Action::ViewWarningsDesk);
    store::get(&app.db, &id)
        .await?
        .filter(|w| staff || visibility::public(w))
        .map(Json)
        .ok_or(AppError::NotFound)
}

fn desk(ctx: &Ctx) -> AppResult<crate::accounts::model::User> {
    ctx.require(Action::ViewWarningsDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

/// Every warning the desk works on (drafts and test warnings included), newest first.
#[utoipa::path(get, path = "/api/v1/desk/warnings", tag = "warnings", operation_id = "list_desk_warnings",
    responses((status = 200, body = [Warning]), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn desk_list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Warning>>> {
    desk(&ctx)?;
    Ok(Json(
        store::list(&app.db, &super::model::State::ALL, None, true, 500).await?,
    ))
}

/// Writes a draft warning.
#[utoipa::path(post, path = "/api/v1/warnings", tag = "warnings", operation_id = "create_warning", request_body = WarningInput,
    responses((status = 201, body = Warning), (status = 401), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<WarningInput>,
) -> AppResult<Response> {
    let user = desk(&ctx)?;
    let w = store::create(&app.db, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(w)).into_response())
}

/// Edits a warning before publication (a new version; back to draft).
#[utoipa::path(put, path = "/api/v1/warnings/{id}", tag = "warnings", operation_id = "update_warning", request_body = WarningInput,
    params(("id" = String, Path, description = "Warning id")),
    responses((status = 200, body = Warning), (status = 401), (status = 403), (status = 404), (status = 409, description = "Published: use the update step"), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<WarningInput>,
) -> AppResult<Json<Warning>> {
    let user = desk(&ctx)?;
    Ok(Json(
        store::update(&app.db, &ctx.origin(), &user, &id, &input).await?,
    ))
}

/// A step of the workflow, as named in the path.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case", as = WarningStep)]
#[allow(dead_code)] // Documentation only: the handler answers 404 to other names.
pub enum Step {
    Submit,
    Approve,
    RequestChanges,
    Publish,
    Update,
    Cancel,
}

/// A workflow step: submit, approve (not by an author), request_changes (note), publish
/// (a CAP Alert), update (content; a CAP Update), cancel (note = why; a CAP Cancel).
#[utoipa::path(post, path = "/api/v1/warnings/{id}/{step}", tag = "warnings", operation_id = "warning_step", request_body = StepInput,
    params(("id" = String, Path, description = "Warning id"), ("step" = Step, Path, description = "The step")),
    responses((status = 200, body = Warning), (status = 401), (status = 403, description = "Not allowed (four eyes included)"), (status = 404), (status = 409, description = "Not in the state this step needs"), (status = 422)),
    security(("bearer" = [])))]
pub async fn act(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Json(input): Json<StepInput>,
) -> AppResult<Json<Warning>> {
    let user = desk(&ctx)?;
    Ok(Json(
        store::act(
            &app.db,
            &app.config,
            &ctx.origin(),
            &user,
            &id,
            &step,
            &input,
        )
        .await?,
    ))
}
