//! A request's files: the journalist's letter of introduction from their agency, their
//! press card, documents for the question; the police's documents with the answer. The
//! bytes are kept by the blob store (`platform::blobs`: the data directory or the
//! database; type read from the content by `platform::files`, size limited, never
//! partial); who may add which kind and who may read them is decided here from the
//! request's rules (`rules::may_view`, the author, the desk and the unit in charge).
//! Every file added is audited and on the event log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::model::{PressRequest, State as RState};
use super::{rules, store};
use crate::accounts::model::{Status, User};
use crate::args;
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::files;
use crate::platform::permissions::{allowed, Action, Owner, Role};
use crate::platform::state::AppState;

/// What the journalist may attach.
pub const JOURNALIST_PURPOSES: [&str; 3] = ["letter", "press_card", "document"];
/// What the police attach (with or after the answer).
pub const POLICE_PURPOSES: [&str; 1] = ["answer"];
/// At most this many files on one request.
pub const MAX_FILES: i64 = 12;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestFile {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub filename: String,
    /// letter (of introduction), press_card, document, or answer (from the police).
    pub purpose: String,
    pub uploaded_at: i64,
    /// Where the file is read (the request's readers only).
    pub url: String,
}

impl RequestFile {
    fn from_row(r: &Row) -> DbResult<RequestFile> {
        let request = r.str("request_id")?;
        let sha = r.str("sha256")?;
        Ok(RequestFile {
            url: format!("/press/requests/{request}/attachments/{sha}"),
            sha256: sha,
            mime: r.str("mime")?,
            size: r.i64("size")?,
            filename: r.str("filename")?,
            purpose: r.str("purpose")?,
            uploaded_at: r.i64("uploaded_at")?,
        })
    }
}

pub async fn of_request(db: &Db, request_id: &str) -> DbResult<Vec<RequestFile>> {
    db.fetch_all(
        "SELECT * FROM press_request_files WHERE request_id = $1 ORDER BY uploaded_at, sha256",
        args![request_id],
    )
    .await?
    .iter()
    .map(RequestFile::from_row)
    .collect()
}

/// The kinds of file `user` may add to `r` now (none: may not add).
pub fn may_add(user: &User, r: &PressRequest, owner: &Owner) -> &'static [&'static str] {
    let state = r.state();
    if user.role == Role::Journalist
        && user.id == r.journalist_id
        && user.status == Status::Active
        && (state.is_open() || state == RState::Answered)
    {
        return &JOURNALIST_PURPOSES;
    }
    let actor = user.actor();
    let desk = allowed(&actor, Action::AnswerPressRequest, &Owner::None);
    let unit = user.role == Role::UnitOfficer
        && r.assigned_at.is_some()
        && allowed(&actor, Action::ReceiveFieldWork, owner);
    if (desk || unit) && state != RState::Withdrawn {
        return &POLICE_PURPOSES;
    }
    &[]
}

/// `POST /press/requests/{id}/attachments` (a form: `file`, repeatable, and `purpose`; the
/// CSRF token in the action URL) and `POST /api/v1/requests/{id}/attachments`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/attachments", operation_id = "press_add_request_files", tag = "press_desk",
    params(("id" = String, Path, description = "Request id")),
    request_body(content = String, content_type = "multipart/form-data", description = "`file` (repeatable; PNG, JPEG, GIF, WebP or PDF, 10 MB each) and `purpose`: letter, press_card or document (the journalist), answer (the police)"),
    responses((status = 201, body = [RequestFile]), (status = 403), (status = 404), (status = 409, description = "Too many files"), (status = 413), (status = 503, description = "The file store cannot be used now: nothing was stored; try again"), (status = 422)),
    security(("bearer" = [])))]
pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    // Who may add is decided before the body is read.
    let user = ctx.user()?.clone();
    let r = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let owner = rules::owner(&app.db, &r).await?;
    if !rules::may_view(&user, &owner) {
        return Err(AppError::NotFound);
    }
    let purposes = may_add(&user, &r, &owner);
    if purposes.is_empty() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let (got, text) = files::read_upload(req, &["purpose"]).await?;
    let purpose = text.get("purpose").map(|p| p.trim().to_string());
    let purpose = match purpose.as_deref() {
        Some(p) if purposes.contains(&p) => p.to_string(),
        // One kind only for the police: it goes without saying.
        None | Some("") if purposes.len() == 1 => purposes[0].to_string(),
        None | Some("") => return Err(AppError::invalid("purpose", "err.choose")),
        Some(_) => return Err(AppError::invalid("purpose", "err.choice")),
    };
    // Every file is checked before any is stored; the bytes are durable before the rows
    // (a refused upload may leave bytes no row names: `keng files verify` lists orphans).
    let mut stored = Vec::new();
    for files::Upload {
        bytes,
        filename,
        mime,
    } in got
    {
        let size = bytes.len() as i64;
        let sha = app.blobs.keep(bytes).await?;
        stored.push((sha, filename, mime, size));
    }
    let now = now_ms();
    let mut tx = app.db.begin().await?;
    // Take the request's row first (a no-op write): concurrent uploads and steps on this
    // request wait here, so the state and the count below are the current ones.
    let locked = tx
        .execute(
            "UPDATE press_requests SET updated_at = updated_at WHERE id = $1",
            args![&id],
        )
        .await?;
    let now_r = tx
        .fetch_optional("SELECT * FROM press_requests WHERE id = $1", args![&id])
        .await?
        .as_ref()
        .map(PressRequest::from_row)
        .transpose()?;
    match now_r {
        Some(current)
            if locked == 1 && may_add(&user, &current, &owner).contains(&purpose.as_str()) => {}
        _ => return Err(AppError::Conflict("err.press_changed_meanwhile")),
    }
    let have = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM press_request_files WHERE request_id = $1",
            args![&id],
        )
        .await?
        .i64("n")?;
    if have + stored.len() as i64 > MAX_FILES {
        return Err(AppError::Conflict("err.too_many_files"));
    }
    for (sha, filename, mime, size) in stored {
        let n = tx
            .execute(
                "INSERT INTO press_request_files (request_id, sha256, mime, size, filename, purpose, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, sha256) DO NOTHING",
                args![&id, &sha, mime, size, &filename, &purpose, &user.id, now],
            )
            .await?;
        if n == 1 {
            record_change(
                &mut tx,
                &ctx.origin(),
                "press_request.file_added",
                "press_request",
                &id,
                None,
                Some(serde_json::json!({"sha256": sha, "filename": filename, "mime": mime, "size": size, "purpose": purpose})),
            )
            .await?;
        }
    }
    tx.mark_wake();
    tx.commit().await?;
    if ctx.is_api {
        return Ok((
            StatusCode::CREATED,
            axum::Json(of_request(&app.db, &id).await?),
        )
            .into_response());
    }
    Ok(Redirect::to(&format!("/press/requests/{id}?done=file_added")).into_response())
}

/// `GET /press/requests/{id}/attachments/{sha}`: to whoever may read the request.
pub async fn serve(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sha)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    if !files::is_sha(&sha) {
        return Err(AppError::NotFound);
    }
    let r = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if !rules::may_view(&user, &rules::owner(&app.db, &r).await?) {
        return Err(AppError::NotFound);
    }
    let f = app
        .db
        .fetch_optional(
            "SELECT * FROM press_request_files WHERE request_id = $1 AND sha256 = $2",
            args![&id, &sha],
        )
        .await?
        .as_ref()
        .map(RequestFile::from_row)
        .transpose()?
        .ok_or(AppError::NotFound)?;
    let bytes = app.blobs.fetch(&sha).await?;
    Ok(files::respond(&headers, &sha, bytes, &f.mime, &f.filename))
}
