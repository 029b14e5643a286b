//! Attachments of bulletins: images and PDF documents, kept by `platform::files` (type
//! from the first bytes, size limited, content-addressed, never partial), with their
//! image renditions (thumbnail, medium). A file is served only to someone who may see a
//! bulletin it belongs to (`visibility::seen`).

use axum::extract::{Path as UrlPath, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::store;
use super::visibility::{seen, Seen, Viewer};
use crate::args;
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

/// Largest attachment accepted.
pub const MAX_BYTES: usize = crate::platform::web::MAX_UPLOAD_BYTES;

pub use crate::platform::files::sniff;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: String,
    pub bulletin_id: String,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub filename: String,
    pub caption: Option<String>,
    /// Images: their size in pixels and the hashes of their renditions (a thumbnail
    /// within 320 px, and a 1024 px copy when the original is larger).
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub thumb_sha: Option<String>,
    pub medium_sha: Option<String>,
    pub created_at: i64,
}

impl Attachment {
    fn from_row(r: &Row) -> DbResult<Attachment> {
        Ok(Attachment {
            id: r.str("id")?,
            bulletin_id: r.str("bulletin_id")?,
            sha256: r.str("sha256")?,
            mime: r.str("mime")?,
            size: r.i64("size")?,
            filename: r.str("filename")?,
            caption: r.opt_str("caption")?,
            width: r.opt_i64("width")?,
            height: r.opt_i64("height")?,
            thumb_sha: r.opt_str("thumb_sha")?,
            medium_sha: r.opt_str("medium_sha")?,
            created_at: r.i64("created_at")?,
        })
    }
}

pub async fn of_bulletin(db: &Db, bulletin_id: &str) -> DbResult<Vec<Attachment>> {
    db.fetch_all(
        "SELECT * FROM attachments WHERE bulletin_id = $1 ORDER BY created_at",
        args![bulletin_id],
    )
    .await?
    .iter()
    .map(Attachment::from_row)
    .collect()
}

/// An image's size and renditions, decoded within limits (no decompression bombs).
struct Renditions {
    width: u32,
    height: u32,
    thumb: Vec<u8>,
    medium: Option<Vec<u8>>,
}

fn renditions(bytes: &[u8]) -> Result<Renditions, String> {
    use image::{DynamicImage, ImageFormat};
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_000);
    limits.max_image_height = Some(16_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| e.to_string())?;
    let encode = |im: &DynamicImage| -> Result<Vec<u8>, String> {
        let mut out = std::io::Cursor::new(Vec::new());
        if im.color().has_alpha() {
            im.write_to(&mut out, ImageFormat::Png)
                .map_err(|e| e.to_string())?;
        } else {
            im.to_rgb8()
                .write_to(&mut out, ImageFormat::Jpeg)
                .map_err(|e| e.to_string())?;
        }
        Ok(out.into_inner())
    };
    let (width, height) = (img.width(), img.height());
    let thumb = encode(&img.thumbnail(320, 320))?;
    let medium = if width > 1024 || height > 1024 {
        Some(encode(&img.resize(
            1024,
            1024,
            image::imageops::FilterType::Triangle,
        ))?)
    } else {
        None
    };
    Ok(Renditions {
        width,
        height,
        thumb,
        medium,
    })
}

#[derive(Deserialize)]
pub struct UploadQuery {
    /// The CSRF token (multipart forms carry it in the action URL).
    #[serde(rename = "_csrf")]
    _csrf: Option<String>,
}

/// Adds files to a bulletin (staff who may edit it; before or after publication).
/// The upload form, as the OpenAPI document describes it (the handler streams it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// PNG, JPEG, GIF, WebP or PDF, 10 MB at most (repeat the part for several files).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A caption for the files (at most 300 characters).
    caption: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/bulletins/{id}/attachments", tag = "newsroom",
    params(("id" = String, Path, description = "Bulletin id")),
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "`file` (repeatable; PNG, JPEG, GIF, WebP or PDF, 10 MB each) and an optional `caption`"),
    responses((status = 201, description = "The bulletin's attachments", body = [Attachment]), (status = 403), (status = 404), (status = 413), (status = 503, description = "The file store cannot be used now: nothing was stored; try again"), (status = 422, description = "Not an accepted type (read from the content)")),
    security(("bearer" = [])))]
pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    UrlPath(id): UrlPath<String>,
    Query(_q): Query<UploadQuery>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    // Who may upload is decided before the body is read: as for editing the bulletin.
    ctx.require(Action::DraftBulletin, &Owner::None)?;
    let user = ctx.user()?.clone();
    let b = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    super::rules::may_attach(&app.db, &app.config, &user, &b).await?;
    let (uploads, text) = crate::platform::files::read_upload(req, &["caption"]).await?;
    let caption = text
        .get("caption")
        .map(|t| keng_text::canonical(t.trim()))
        .filter(|c| !c.is_empty() && c.chars().count() <= 300);
    // Images are decoded (and their renditions made) before anything is stored.
    let mut files: Vec<(Vec<u8>, String, &'static str, Option<Renditions>)> = Vec::new();
    for u in uploads {
        let r = if u.mime.starts_with("image/") {
            let b = u.bytes.clone();
            let r = tokio::task::spawn_blocking(move || renditions(&b))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(|e| {
                    tracing::info!(error = %e, "image refused");
                    AppError::invalid("file", "err.file_corrupt")
                })?;
            Some(r)
        } else {
            None
        };
        files.push((u.bytes, u.filename, u.mime, r));
    }
    // All files are checked before any is stored: nothing partial.
    let mut stored = Vec::new();
    for (bytes, filename, mime, r) in files {
        let size = bytes.len() as i64;
        let dims = r.as_ref().map(|r| (r.width as i64, r.height as i64));
        let keep = |b: Vec<u8>| app.blobs.keep(b);
        let sha = keep(bytes).await?;
        let (thumb, medium) = match r {
            Some(r) => (
                Some(keep(r.thumb).await?),
                match r.medium {
                    Some(m) => Some(keep(m).await?),
                    None => None,
                },
            ),
            None => (None, None),
        };
        stored.push((sha, filename, mime, size, dims, thumb, medium));
    }
    let mut tx = app.db.begin().await?;
    // A file (and its caption) is content: a submitted or approved bulletin goes back to
    // draft, as after any edit, so what is approved is what a second person saw.
    tx.execute(
        "UPDATE bulletins SET state = 'draft', approved_by = NULL, submitted_by = NULL, self_approved = FALSE, updated_at = $1
         WHERE id = $2 AND state IN ('submitted', 'approved')",
        args![now_ms(), &b.id],
    )
    .await?;
    for (sha, filename, mime, size, dims, thumb, medium) in stored {
        let aid = new_id();
        let n = tx
            .execute(
                "INSERT INTO attachments (id, bulletin_id, sha256, mime, size, filename, caption, created_by, created_at, width, height, thumb_sha, medium_sha)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (bulletin_id, sha256) DO NOTHING",
                args![&aid, &b.id, &sha, mime, size, &filename, caption.clone(), &user.id, now_ms(),
                      dims.map(|d| d.0), dims.map(|d| d.1), thumb, medium],
            )
            .await?;
        if n == 1 {
            record_change(
                &mut tx,
                &ctx.origin(),
                "bulletin.attachment_added",
                "bulletin",
                &b.id,
                None,
                Some(serde_json::json!({"attachment": aid, "sha256": sha, "mime": mime, "size": size, "filename": filename})),
            )
            .await?;
        }
    }
    tx.commit().await?;
    if ctx.is_api {
        let list = of_bulletin(&app.db, &b.id).await?;
        return Ok((axum::http::StatusCode::CREATED, axum::Json(list)).into_response());
    }
    Ok(Redirect::to(&format!("/newsroom/b/{}?done=attachment_added", b.id)).into_response())
}

/// Serves a file to whoever may see a bulletin it belongs to.
pub async fn serve(
    State(app): State<AppState>,
    ctx: Ctx,
    UrlPath(sha): UrlPath<String>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    if !crate::platform::files::is_sha(&sha) {
        return Err(AppError::NotFound);
    }
    let rows = app
        .db
        // The original or one of its renditions.
        .fetch_all(
            "SELECT * FROM attachments WHERE sha256 = $1 OR thumb_sha = $1 OR medium_sha = $1",
            args![&sha],
        )
        .await?;
    // Staff see their drafts' files; others what the rule lets them see.
    let viewer = Viewer::of(&ctx.actor());
    let now = now_ms();
    let mut allowed = None;
    for r in &rows {
        let a = Attachment::from_row(r)?;
        if !is_id(&a.bulletin_id) {
            continue;
        }
        if let Some(b) = store::get(&app.db, &a.bulletin_id).await? {
            if matches!(seen(&b, viewer, now), Seen::Full { .. }) {
                allowed = Some(a);
                break;
            }
        }
    }
    let a = allowed.ok_or(AppError::NotFound)?;
    let bytes = app.blobs.fetch(&sha).await?;
    if let Ok(u) = ctx.user() {
        crate::platform::usage::count(
            &app.db,
            u.agency_id.as_deref(),
            crate::platform::usage::DOWNLOAD,
        )
        .await;
    }
    let mime = if sha == a.sha256 {
        a.mime.clone()
    } else {
        sniff(&bytes)
            .unwrap_or("application/octet-stream")
            .to_string()
    };
    Ok(crate::platform::files::respond(
        &headers,
        &sha,
        bytes,
        &mime,
        &a.filename,
    ))
}
