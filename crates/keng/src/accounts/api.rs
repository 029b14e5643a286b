//! The JSON API of the accounts capability (`/api/v1`): the same rules as the pages,
//! for scripts and press agencies' systems. Documented in the OpenAPI description.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Agency, Status, Unit, User};
use super::rules;
use super::store::{self, AgencyInput, ApiToken, NewUser, UnitInput, UserFilter};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::audit_pages::AuditQuery;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::is_id;
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;

fn created<T: Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

fn valid_id(id: &str) -> AppResult<()> {
    if is_id(id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = User), (status = 401, description = "Not signed in")),
    security(("bearer" = [])))]
pub async fn me(ctx: Ctx) -> AppResult<Json<User>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok(Json(ctx.user()?.clone()))
}

/// All units, in code order.
#[utoipa::path(get, path = "/api/v1/units", tag = "accounts",
    responses((status = 200, body = [Unit]), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn list_units(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Unit>>> {
    ctx.require(Action::ViewUnits, &Owner::None)?;
    Ok(Json(store::list_units(&app.db).await?))
}

/// Creates a unit (admin).
#[utoipa::path(post, path = "/api/v1/units", tag = "accounts", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 409, description = "Code taken"), (status = 422, description = "Invalid fields")),
    security(("bearer" = [])))]
pub async fn create_unit(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<UnitInput>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUnits, &Owner::None)?;
    Ok(created(
        store::create_unit(&app.db, &ctx.origin(), &input).await?,
    ))
}

/// The press agencies registry.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "accounts",
    responses((status = 200, body = [Agency]), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn list_agencies(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Agency>>> {
    ctx.require(Action::ViewAgencies, &Owner::None)?;
    Ok(Json(store::list_agencies(&app.db).await?))
}

/// One press agency. Journalists may read their own agency.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Agency id")),
    responses((status = 200, body = Agency), (status = 404)), security(("bearer" = [])))]
pub async fn get_agency(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Agency>> {
    let user = ctx.user()?;
    let own = user.role == Role::Journalist && user.agency_id.as_deref() == Some(id.as_str());
    if !own {
        ctx.require(Action::ViewAgencies, &Owner::None)?;
    }
    valid_id(&id)?;
    Ok(Json(
        store::get_agency(&app.db, &id)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// Adds a press agency (admin, press officer).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "accounts", request_body = AgencyInput,
    responses((status = 201, body = Agency), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn create_agency(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AgencyInput>,
) -> AppResult<Response> {
    ctx.require(Action::ManageAgencies, &Owner::None)?;
    Ok(created(
        store::create_agency(&app.db, &ctx.origin(), &input).await?,
    ))
}

/// Replaces a press agency's details.
#[utoipa::path(put, path = "/api/v1/agencies/{id}", tag = "accounts", request_body = AgencyInput,
    params(("id" = String, Path, description = "Agency id")),
    responses((status = 200, body = Agency), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn update_agency(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<AgencyInput>,
) -> AppResult<Json<Agency>> {
    ctx.require(Action::ManageAgencies, &Owner::None)?;
    valid_id(&id)?;
    Ok(Json(
        store::update_agency(&app.db, &ctx.origin(), &id, &input).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct UsersParams {
    /// admin, leader, spokesperson, press_officer, unit_officer or journalist.
    role: Option<String>,
    /// pending, active, rejected, suspended, revoked or disabled.
    status: Option<String>,
}

/// Accounts, filtered by role and status (staff).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(UsersParams),
    responses((status = 200, body = [User]), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn list_users(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<UsersParams>,
) -> AppResult<Json<Vec<User>>> {
    ctx.require(Action::ViewUsers, &Owner::None)?;
    let role = match p.role.as_deref().filter(|s| !s.is_empty()) {
        Some(r) => Some(Role::parse(r).ok_or(AppError::BadRequest {
            key: "err.choice",
            detail: Some(format!("role={r}")),
        })?),
        None => None,
    };
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Status::parse(s).ok_or(AppError::BadRequest {
            key: "err.choice",
            detail: Some(format!("status={s}")),
        })?),
        None => None,
    };
    Ok(Json(
        store::list_users(
            &app.db,
            &UserFilter {
                role,
                status,
                agency_id: None,
            },
        )
        .await?,
    ))
}

/// One account: staff see any, others only themselves.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn get_user(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<User>> {
    ctx.require(Action::ViewUser, &Owner::User(id.clone()))?;
    valid_id(&id)?;
    Ok(Json(
        store::get_user(&app.db, &id)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// Edits an account's profile (admin). Changing the role, unit or agency ends the
/// account's sessions and tokens.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "accounts", request_body = store::Profile,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn update_user(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(p): Json<store::Profile>,
) -> AppResult<Json<User>> {
    ctx.require(Action::ManageUsers, &Owner::None)?;
    valid_id(&id)?;
    Ok(Json(
        store::update_user(&app.db, &ctx.origin(), &id, &p).await?,
    ))
}

/// Creates an active account of any role (admin).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = User), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_user(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<NewUser>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, &Owner::None)?;
    Ok(created(
        store::create_user(&app.db, &ctx.origin(), &input, Status::Active).await?,
    ))
}

/// A journalist's self-registration; the account waits for accreditation.
#[derive(Deserialize, ToSchema)]
pub struct Registration {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub agency_id: String,
    pub press_card_no: String,
    pub password: String,
}

/// The answer to a registration: the same whether or not it can be accepted.
#[derive(Serialize, ToSchema)]
pub struct RegistrationReceived {
    /// Always "received".
    pub status: &'static str,
}

/// Registers a journalist (anyone; the account is pending until a press officer
/// accredits it). The answer is the same whether the username was free or taken, so it
/// tells nobody which accounts exist; at most `auth.max_registrations_per_ip` per address
/// within `auth.registration_window_minutes`.
#[utoipa::path(post, path = "/api/v1/journalists", tag = "accounts", request_body = Registration,
    responses((status = 202, body = RegistrationReceived), (status = 422), (status = 429)))]
pub async fn register(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(r): Json<Registration>,
) -> AppResult<Response> {
    let input = NewUser {
        username: r.username.clone(),
        display_name: r.display_name,
        email: r.email,
        phone: r.phone,
        title: None,
        role: Role::Journalist,
        unit_id: None,
        agency_id: Some(r.agency_id),
        is_editor: false,
        press_card_no: Some(r.press_card_no),
        password: r.password,
    };
    crate::platform::auth::ratelimit::check_registration(
        &app.db,
        &app.config,
        ctx.ip.as_deref().unwrap_or_default(),
    )
    .await?;
    let mut origin = ctx.origin();
    origin.actor_name = format!("registration:{}", r.username.trim().to_ascii_lowercase());
    store::register_journalist(&app.db, &origin, &input).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RegistrationReceived { status: "received" }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct StatusChange {
    /// active (accredit, reinstate), rejected, suspended, revoked or disabled.
    pub status: String,
    /// Required for rejected, suspended, revoked and disabled.
    pub reason: Option<String>,
}

/// Accredits, rejects, suspends, reinstates, revokes or disables an account. Leaving
/// `active` ends the account's sessions and tokens at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/status", tag = "accounts", request_body = StatusChange,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User), (status = 403), (status = 404), (status = 409, description = "Not a move the workflow allows"), (status = 422)),
    security(("bearer" = [])))]
pub async fn change_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(c): Json<StatusChange>,
) -> AppResult<Json<User>> {
    ctx.user()?;
    valid_id(&id)?;
    let to = Status::parse(&c.status).ok_or(AppError::invalid("status", "err.choice"))?;
    Ok(Json(
        rules::change_status(&app, &ctx, &id, to, c.reason.as_deref()).await?,
    ))
}

/// The audit log, newest first (leaders, admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("actor" = Option<String>, Query), ("entity" = Option<String>, Query), ("entity_id" = Option<String>, Query),
           ("from" = Option<String>, Query, description = "dd/mm/yyyy"), ("to" = Option<String>, Query, description = "dd/mm/yyyy, inclusive"),
           ("page" = Option<i64>, Query)),
    responses((status = 200, body = [AuditEntry]), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn audit_log(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Vec<AuditEntry>>> {
    ctx.require(Action::ViewAudit, &Owner::None)?;
    Ok(Json(audit::list(&app.db, &q.filter(200)?).await?))
}

/// One's own API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, body = [ApiToken]), (status = 401)), security(("bearer" = [])))]
pub async fn list_tokens(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<ApiToken>>> {
    let u = ctx.user()?;
    Ok(Json(store::list_tokens(&app.db, &u.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    pub token: ApiToken,
    /// The secret, shown only in this response.
    pub secret: String,
}

/// Creates an API token for oneself.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = NewToken), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(r): Json<TokenRequest>,
) -> AppResult<Response> {
    let u = ctx.user()?.clone();
    let (token, secret) = store::create_token(&app.db, &ctx.origin(), &u.id, &r.name).await?;
    Ok(created(NewToken { token, secret }))
}

/// Revokes one of one's own API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let u = ctx.user()?.clone();
    valid_id(&id)?;
    store::revoke_token(&app.db, &ctx.origin(), &u.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
