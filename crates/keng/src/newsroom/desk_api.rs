//! The desk through the API, for a phone client or a newsroom system: bulletins in any
//! state, what awaits the caller's decision, one bulletin with the steps the caller may
//! take (the same rule as the desk page: `rules::next_steps`), its versions and their
//! differences. Staff only (`ViewNewsroomDesk`), like the desk.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::diff::{self, VersionDiff};
use super::model::{Bulletin, Version};
use super::rules;
use super::store::{self, ListFilter};
use super::visibility::Viewer;
use crate::accounts::model::User;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::is_id;
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

fn staff(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::ViewNewsroomDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskQuery {
    /// draft, submitted, approved, published or withdrawn.
    pub state: Option<String>,
    /// Only what awaits the caller's decision (to approve, send back or publish).
    #[serde(default)]
    pub awaiting_me: bool,
    /// At most this many (1–200, default 50).
    pub limit: Option<i64>,
}

/// A bulletin on the desk and the steps the caller may take on it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskItem {
    pub bulletin: Bulletin,
    /// Among submit, approve, request_changes, publish, withdraw.
    pub actions: Vec<&'static str>,
}

/// Bulletins on the desk, newest first, with the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/desk/bulletins", operation_id = "desk_list_bulletins", tag = "newsroom", params(DeskQuery),
    responses((status = 200, body = [DeskItem]), (status = 400), (status = 403)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DeskQuery>,
) -> AppResult<Json<Vec<DeskItem>>> {
    let user = staff(&ctx)?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if super::model::State::parse(s).is_some() => Some(s.to_string()),
        Some(s) => {
            return Err(AppError::BadRequest {
                key: "err.choice",
                detail: Some(s.to_string()),
            })
        }
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::BadRequest {
            key: "err.malformed",
            detail: Some(format!("limit={limit}")),
        });
    }
    let filter = ListFilter {
        state,
        limit: if q.awaiting_me { 500 } else { limit },
        ..Default::default()
    };
    let mut out = Vec::new();
    for b in store::list(&app.db, Viewer::Staff, &filter, true).await? {
        let actions = rules::next_steps(&app.db, &app.config, &user, &b).await?;
        let deciding = actions
            .iter()
            .any(|a| matches!(*a, "approve" | "request_changes" | "publish"));
        if q.awaiting_me && !deciding {
            continue;
        }
        out.push(DeskItem {
            bulletin: b,
            actions,
        });
        if out.len() as i64 >= limit {
            break;
        }
    }
    Ok(Json(out))
}

async fn one(app: &AppState, id: &str) -> AppResult<Bulletin> {
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    store::get(&app.db, id).await?.ok_or(AppError::NotFound)
}

/// One bulletin in any state (drafts included), with the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/desk/bulletins/{id}", operation_id = "desk_get_bulletin", tag = "newsroom",
    params(("id" = String, Path, description = "Bulletin id")),
    responses((status = 200, body = DeskItem), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<DeskItem>> {
    let user = staff(&ctx)?;
    let b = one(&app, &id).await?;
    let actions = rules::next_steps(&app.db, &app.config, &user, &b).await?;
    Ok(Json(DeskItem {
        bulletin: b,
        actions,
    }))
}

/// Every version of a bulletin's content, oldest first.
#[utoipa::path(get, path = "/api/v1/desk/bulletins/{id}/versions", operation_id = "desk_bulletin_versions", tag = "newsroom",
    params(("id" = String, Path, description = "Bulletin id")),
    responses((status = 200, body = [Version]), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn versions(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<Version>>> {
    staff(&ctx)?;
    one(&app, &id).await?;
    Ok(Json(store::versions(&app.db, &id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version (default: the one before `to`).
    pub from: Option<i64>,
    /// The newer version (default: the latest).
    pub to: Option<i64>,
}

/// Word-level differences between two versions (title, summary, body as text).
#[utoipa::path(get, path = "/api/v1/desk/bulletins/{id}/diff", operation_id = "desk_bulletin_diff", tag = "newsroom",
    params(("id" = String, Path, description = "Bulletin id"), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 400, description = "No such version"), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn version_diff(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Json<VersionDiff>> {
    staff(&ctx)?;
    let b = one(&app, &id).await?;
    let versions = store::versions(&app.db, &id).await?;
    let (a, z) = diff::pick(&versions, b.version, q.from, q.to)?;
    Ok(Json(diff::between(a, z)))
}
