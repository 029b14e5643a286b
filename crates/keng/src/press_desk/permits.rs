//! Field-work permits on paper and on a phone: the signed token printed as a QR code
//! (rendered here as SVG), and the verification page at `/xac-minh/{token}` that the
//! officer at the gate opens without signing in. A token is the permit's id and an
//! HMAC-SHA256 of it under a key kept in the database (so every node checks it alike and
//! a backup restores it); altering one character breaks it. Validity is read from the
//! database, or from this node's cache while nothing it shows has changed (`views`), so
//! a revocation takes effect at once.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use minijinja::context;
use sha2::Sha256;

use super::model::Permit;
use super::rules;
use super::store;
use crate::args;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, random_secret};
use crate::platform::state::AppState;
use crate::platform::web::page;

const PURPOSE: &str = "permit";

/// The key, once read: it never changes after it is made, so each node keeps it.
static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// The key that signs permit tokens, made on first use (all nodes read the same row).
async fn key(db: &Db) -> AppResult<Vec<u8>> {
    if let Some(k) = KEY.get() {
        return Ok(k.clone());
    }
    let k = read_or_make_key(db).await?;
    Ok(KEY.get_or_init(|| k).clone())
}

async fn read_or_make_key(db: &Db) -> AppResult<Vec<u8>> {
    if let Some(r) = db
        .fetch_optional(
            "SELECT secret FROM signing_keys WHERE purpose = $1",
            args![PURPOSE],
        )
        .await?
    {
        return Ok(r.str("secret")?.into_bytes());
    }
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO signing_keys (purpose, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING",
        args![PURPOSE, random_secret(), now_ms()],
    )
    .await?;
    let secret = tx
        .fetch_one(
            "SELECT secret FROM signing_keys WHERE purpose = $1",
            args![PURPOSE],
        )
        .await?
        .str("secret")?;
    tx.commit().await?;
    Ok(secret.into_bytes())
}

fn mac(key: &[u8], permit_id: &str) -> Option<Vec<u8>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(b"keng-permit-v1:");
    m.update(permit_id.as_bytes());
    Some(m.finalize().into_bytes()[..16].to_vec())
}

/// A signature of `message` for another use of the same key (`purpose` keeps the uses
/// apart: a check-in code cannot pass for a permit).
pub async fn sign(db: &Db, purpose: &str, message: &str) -> AppResult<String> {
    let k = key(db).await?;
    let mut m =
        Hmac::<Sha256>::new_from_slice(&k).map_err(|_| AppError::Internal("hmac key".into()))?;
    m.update(purpose.as_bytes());
    m.update(b":");
    m.update(message.as_bytes());
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&m.finalize().into_bytes()[..16]))
}

/// Whether `sig` is `sign(purpose, message)` (compared in constant time).
pub async fn signed(db: &Db, purpose: &str, message: &str, sig: &str) -> AppResult<bool> {
    let Ok(given) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
        return Ok(false);
    };
    if given.len() != 16 {
        return Ok(false);
    }
    let k = key(db).await?;
    let mut m =
        Hmac::<Sha256>::new_from_slice(&k).map_err(|_| AppError::Internal("hmac key".into()))?;
    m.update(purpose.as_bytes());
    m.update(b":");
    m.update(message.as_bytes());
    Ok(m.verify_truncated_left(&given).is_ok())
}

/// The token printed on a permit: `{permit id}.{signature}`.
pub async fn token(db: &Db, permit_id: &str) -> AppResult<String> {
    let k = key(db).await?;
    let sig = mac(&k, permit_id).ok_or_else(|| AppError::Internal("hmac key".into()))?;
    Ok(format!(
        "{permit_id}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig)
    ))
}

/// The permit id a token names, when its signature holds.
pub async fn verify(db: &Db, token: &str) -> AppResult<Option<String>> {
    let Some((id, sig)) = token.split_once('.') else {
        return Ok(None);
    };
    if !is_id(id) || sig.len() > 64 {
        return Ok(None);
    }
    let Ok(given) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig) else {
        return Ok(None);
    };
    if given.len() != 16 {
        return Ok(None);
    }
    let k = key(db).await?;
    let mut m =
        Hmac::<Sha256>::new_from_slice(&k).map_err(|_| AppError::Internal("hmac key".into()))?;
    m.update(b"keng-permit-v1:");
    m.update(id.as_bytes());
    // Constant-time comparison of the truncated tag.
    Ok(m.verify_truncated_left(&given)
        .is_ok()
        .then(|| id.to_string()))
}

/// What the gate and the permit page show of a permit: names, not ids.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PermitView {
    pub permit: Permit,
    /// The journalist is still accredited (a permit dies with the accreditation).
    pub holder_active: bool,
    pub journalist: String,
    pub press_card_no: Option<String>,
    pub agency: Option<String>,
    pub unit: String,
    pub officer: Option<String>,
    pub officer_phone: Option<String>,
    pub topic: String,
    pub kind: String,
}

pub async fn view_of(db: &Db, permit_id: &str) -> AppResult<Option<PermitView>> {
    let Some(r) = db
        .fetch_optional(
            "SELECT p.*, j.display_name AS j_name, j.press_card_no AS j_card, j.status AS j_status, a.name AS a_name, u.name AS u_name,
                    o.display_name AS o_name, o.phone AS o_phone, r.topic AS r_topic, r.kind AS r_kind
             FROM press_permits p
             JOIN users j ON j.id = p.journalist_id
             JOIN units u ON u.id = p.unit_id
             JOIN press_requests r ON r.id = p.request_id
             LEFT JOIN agencies a ON a.id = p.agency_id
             LEFT JOIN users o ON o.id = p.officer_id
             WHERE p.id = $1",
            args![permit_id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(PermitView {
        permit: Permit::from_row(&r)?,
        holder_active: r.str("j_status")? == "active",
        journalist: r.str("j_name")?,
        press_card_no: r.opt_str("j_card")?,
        agency: r.opt_str("a_name")?,
        unit: r.str("u_name")?,
        officer: r.opt_str("o_name")?,
        officer_phone: r.opt_str("o_phone")?,
        topic: r.str("r_topic")?,
        kind: r.str("r_kind")?,
    }))
}

/// A permit's view from this node's cache while nothing it shows changed since
/// (`views`), else from the database. Revocations on this node are seen at once.
async fn cached_view(
    db: &Db,
    permit_id: &str,
) -> AppResult<Option<std::sync::Arc<super::views::Stamped<PermitView>>>> {
    use super::views::{generation, Stamped, PERMITS};
    // Read the generation first: a view read while a commit lands carries the older one
    // and is never served again.
    let generation = generation();
    if let Some(hit) = PERMITS
        .get(permit_id)
        .filter(|v| v.generation == generation)
    {
        return Ok(Some(hit));
    }
    let Some(view) = view_of(db, permit_id).await? else {
        return Ok(None);
    };
    let stamped = std::sync::Arc::new(Stamped {
        generation,
        value: view,
    });
    PERMITS.insert(permit_id.to_string(), stamped.clone());
    Ok(Some(stamped))
}

/// `GET /xac-minh/{token}`: valid, not yet valid, expired, revoked — or not valid for a
/// token that is forged, altered or names no permit. The status code is 200 for a
/// permit that exists and 404 otherwise; never cached.
pub async fn check_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let now = now_ms();
    let generation = super::views::generation();
    let found = match verify(&app.db, token.trim()).await? {
        Some(id) => cached_view(&app.db, &id).await?,
        None => None,
    };
    // A journalist whose accreditation ended carries no valid permit.
    let found = found.as_ref().map(|v| &v.value);
    let status = found
        .map(|v| v.permit.status(now, v.holder_active))
        .unwrap_or("not_valid");
    let code = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    // The page is the same for every visitor: the same token, language, verdict and
    // minute shown give the same bytes, kept while nothing it shows has changed.
    let key = format!(
        "{}|{}|{status}|{}",
        ctx.lang.code(),
        token.trim(),
        now / 60_000
    );
    let html = match super::views::PAGES
        .get(&key)
        .filter(|p| found.is_some() && p.generation == generation)
    {
        Some(hit) => hit.value.clone(),
        None => {
            let html = page(
                &app,
                &ctx,
                "press_desk/verify.html",
                context! { status => status, v => found, checked_at => now },
            )?
            .0;
            if found.is_some() {
                super::views::PAGES.insert(
                    key,
                    std::sync::Arc::new(super::views::Stamped {
                        generation,
                        value: html.clone(),
                    }),
                );
            }
            html
        }
    };
    Ok((
        code,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        ],
        axum::response::Html(html),
    )
        .into_response())
}

/// `GET /press/permits/{id}`: the permit to print (A4) or show on a phone, with its QR
/// code; for the journalist it names and whoever may read the request.
pub async fn permit_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let v = view_of(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let r = store::get(&app.db, &v.permit.request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = rules::owner(&app.db, &r).await?;
    if !rules::may_view(&user, &owner) {
        return Err(AppError::NotFound);
    }
    let token = token(&app.db, &v.permit.id).await?;
    let url = format!("{}/xac-minh/{token}", ctx.base_url);
    let qr = crate::platform::web::qr_svg(&url)?;
    let status = v.permit.status(now_ms(), v.holder_active);
    Ok(page(
        &app,
        &ctx,
        "press_desk/permit.html",
        context! { v => v, qr => qr, url => url, status => status },
    )?
    .into_response())
}
