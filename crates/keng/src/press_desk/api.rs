//! The press desk's JSON API: journalists file and follow their requests; staff systems
//! list, read and move them (`/api/v1/requests…`); a permit's data with its token and
//! verification link (`/api/v1/permits/{id}`); the spokesperson registry
//! (`/api/v1/spokespersons`). The rules are the pages' (`rules::next_steps`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Permit, PressRequest, State as RState, KINDS};
use super::rules;
use super::spokespersons::{self, Spokesperson};
use super::store::{self, ListFilter, RequestInput, StepInput};
use crate::platform::audit::record_view;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// submitted, assigned, needs_details, scheduled, answered, refused, closed, withdrawn.
    pub state: Option<String>,
    /// information, interview, field_work, operation, documents.
    pub kind: Option<String>,
    /// Only open requests past their time limit.
    #[serde(default)]
    pub overdue: bool,
    /// At most this many (1–500, default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A request with the steps the caller may take on it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestItem {
    pub request: PressRequest,
    /// Among assign, schedule, ask_details, reply, answer, refuse, acknowledge,
    /// follow_up, withdraw, revoke_permit, share.
    pub steps: Vec<&'static str>,
    /// The permit of an accepted field visit.
    pub permit: Option<PermitItem>,
    /// Its files (letter of introduction, press card, documents, the answer's).
    pub files: Vec<super::files::RequestFile>,
}

/// A permit, its token and the page that verifies it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermitItem {
    pub permit: Permit,
    /// valid, not_yet_valid, expired or revoked.
    pub status: &'static str,
    pub token: String,
    pub verify_url: String,
    /// The printable page with the QR code.
    pub page_url: String,
}

fn bad(key: &'static str, detail: String) -> AppError {
    AppError::BadRequest {
        key,
        detail: Some(detail),
    }
}

/// The requests the caller may see (a journalist's own, an editor's agency's, a unit's,
/// or all for the press office), open ones by time limit first.
#[utoipa::path(get, path = "/api/v1/requests", operation_id = "press_list_requests", tag = "press_desk", params(RequestsQuery),
    responses((status = 200, body = [PressRequest]), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RequestsQuery>,
) -> AppResult<Json<Vec<PressRequest>>> {
    let user = ctx.user()?.clone();
    if !(user.role.is_staff() || user.role == crate::platform::permissions::Role::Journalist) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if RState::parse(s).is_some() => Some(s.to_string()),
        Some(s) => return Err(bad("err.choice", s.to_string())),
        None => None,
    };
    let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(k) if KINDS.contains(&k) => Some(k.to_string()),
        Some(k) => return Err(bad("err.choice", k.to_string())),
        None => None,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(bad("err.malformed", format!("limit={limit}")));
    }
    let offset = q.offset.unwrap_or(0);
    if !(0..=1_000_000).contains(&offset) {
        return Err(bad("err.malformed", format!("offset={offset}")));
    }
    let f = ListFilter {
        state,
        kind,
        overdue: q.overdue,
        limit,
        offset,
        ..Default::default()
    };
    Ok(Json(store::list(&app.db, &user, &f).await?))
}

/// A journalist files a request (information, interview, field work at a unit, joining
/// an operation, copies of documents). Its time limit in working days is set now.
#[utoipa::path(post, path = "/api/v1/requests", operation_id = "press_create_request", tag = "press_desk", request_body = RequestInput,
    responses((status = 201, body = PressRequest), (status = 403, description = "Not an accredited journalist"), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<RequestInput>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let r = store::create(&app.db, &app.config, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

async fn item(app: &AppState, ctx: &Ctx, r: PressRequest) -> AppResult<RequestItem> {
    let user = ctx.user()?;
    let owner = rules::owner(&app.db, &r).await?;
    let holder_active = crate::accounts::store::get_user(&app.db, &r.journalist_id)
        .await?
        .is_some_and(|u| u.status == crate::accounts::model::Status::Active);
    let permit = match store::permit_of(&app.db, &r.id).await? {
        Some(p) => {
            let token = super::permits::token(&app.db, &p.id).await?;
            Some(PermitItem {
                status: p.status(now_ms(), holder_active),
                verify_url: format!("{}/xac-minh/{token}", ctx.base_url),
                page_url: format!("{}/press/permits/{}", ctx.base_url, p.id),
                token,
                permit: p,
            })
        }
        None => None,
    };
    let live = permit
        .as_ref()
        .is_some_and(|p| p.permit.revoked_at.is_none());
    Ok(RequestItem {
        steps: rules::next_steps(user, &r, &owner, live),
        files: super::files::of_request(&app.db, &r.id).await?,
        request: r,
        permit,
    })
}

/// One request, its permit and the caller's possible steps (404 to whoever may not
/// read it; staff reads are audited).
#[utoipa::path(get, path = "/api/v1/requests/{id}", operation_id = "press_get_request", tag = "press_desk",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = RequestItem), (status = 404)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<RequestItem>> {
    let user = ctx.user()?.clone();
    let r = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let owner = rules::owner(&app.db, &r).await?;
    if !rules::may_view(&user, &owner) {
        return Err(AppError::NotFound);
    }
    if user.role.is_staff() {
        record_view(&app.db, &ctx.origin(), "press_request", &r.id).await?;
    }
    Ok(Json(item(&app, &ctx, r).await?))
}

/// Documentation of the step names.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // Documentation only: the handler takes the name and answers 404 to others.
pub enum PressStep {
    Assign,
    Schedule,
    AskDetails,
    Reply,
    Answer,
    Refuse,
    Acknowledge,
    FollowUp,
    Withdraw,
    RevokePermit,
    Share,
}

/// A step: assign (unit_id and/or assignee_id), schedule (scheduled_from/until, place,
/// officer_id; field work and operations get a permit), ask_details (note), reply
/// (note), answer (answer), refuse (ground from the Press Law Art. 38 + note),
/// acknowledge, follow_up (note; a new time limit), withdraw, revoke_permit (note),
/// share (audience: the answer becomes a draft bulletin on the incident's timeline).
#[utoipa::path(post, path = "/api/v1/requests/{id}/do/{step}", operation_id = "press_request_step", tag = "press_desk", request_body = StepInput,
    params(("id" = String, Path, description = "Request id"), ("step" = PressStep, Path, description = "The step")),
    responses((status = 200, body = RequestItem), (status = 404), (status = 409, description = "Not a step the caller may take now"), (status = 422)),
    security(("bearer" = [])))]
pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Json(input): Json<StepInput>,
) -> AppResult<Json<RequestItem>> {
    let user = ctx.user()?.clone();
    store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        &step,
        &input,
    )
    .await?;
    let r = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(item(&app, &ctx, r).await?))
}

/// Who speaks for the department, for which units and topics, and how to reach them.
#[utoipa::path(get, path = "/api/v1/spokespersons", operation_id = "press_spokespersons", tag = "press_desk",
    responses((status = 200, body = [Spokesperson])))]
pub async fn spokespersons_list(State(app): State<AppState>) -> AppResult<Json<Vec<Spokesperson>>> {
    Ok(Json(spokespersons::list(&app.db, now_ms()).await?))
}

/// A unit a journalist may ask to work with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PressUnit {
    pub id: String,
    pub code: String,
    pub name: String,
    /// province, department or commune.
    pub kind: String,
    pub address: Option<String>,
}

/// The units a request may name (for a journalist's client: the staff registry of units
/// is not theirs to read).
#[utoipa::path(get, path = "/api/v1/press-units", operation_id = "press_units", tag = "press_desk",
    responses((status = 200, body = [PressUnit]), (status = 403)), security(("bearer" = [])))]
pub async fn units(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<PressUnit>>> {
    let user = ctx.user()?;
    if !(user.role.is_staff() || user.role == crate::platform::permissions::Role::Journalist) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    Ok(Json(
        crate::accounts::store::list_units(&app.db)
            .await?
            .into_iter()
            .map(|u| PressUnit {
                id: u.id,
                code: u.code,
                name: u.name,
                kind: u.kind,
                address: u.address,
            })
            .collect(),
    ))
}
