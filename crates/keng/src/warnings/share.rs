//! A warning made ready to share where people are: the share card (PNG, 1200×630 for
//! link previews and 1080×1080 for feeds, drawn by `keng-share` with its embedded font;
//! kept in a node-local cache keyed by what the card shows — version, state, expiry —
//! so a viral card, or a flood of requests with random query strings or Host headers,
//! costs one render per change; concurrent misses wait for the same render),
//! the ready-to-paste Zalo/Facebook texts in three lengths, and the A4 poster for commune
//! notice boards (printed from the browser, with a QR code back to the page). The desk
//! previews the card of any version before it is published. Public surfaces take only
//! what `visibility::public` lets through.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use keng_share::card::{self, Accent, Card, Section, Shape};
use keng_share::posts::{self, Length, Post};
use minijinja::context;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::model::{State as WState, Warning};
use super::store;
use super::visibility;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{page, qr_svg};

/// The band's colour by kind; a cancelled or expired warning is grey.
fn accent(w: &Warning, now: i64) -> Accent {
    if w.state == WState::Cancelled || w.is_expired(now) {
        return Accent::Grey;
    }
    match w.kind.as_str() {
        "scam" | "fire" => Accent::Red,
        "traffic" => Accent::Amber,
        "weather_traffic" => Accent::Teal,
        "security" => Accent::Blue,
        _ => Accent::Slate,
    }
}

/// The address of a warning's page without the scheme, for a card's footer.
fn short_address(base: &str, id: &str) -> String {
    let base = base.trim_end_matches('/');
    let host = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or(base);
    format!("{host}/canh-bao/{id}")
}

/// What the card of `w` says at `now`, in Vietnamese (the province's public). The footer
/// names the configured public address; a site that takes its address from each
/// request's Host names itself instead (a Host header is not ours to print).
pub fn card_of(w: &Warning, config: &Config, now: i64) -> Card {
    let lang = Lang::Vi;
    let kind = t(lang, &format!("warnings.kind_{}", w.kind)).to_uppercase();
    let mut band = format!("{} · {kind}", t(lang, "warnings.card_band"));
    if w.state == WState::Cancelled {
        band = format!("{} · {band}", t(lang, "warnings.cancelled").to_uppercase());
    } else if w.is_expired(now) {
        band = format!("{} · {band}", t(lang, "warnings.expired").to_uppercase());
    }
    if w.is_test {
        band = format!("{} · {band}", t(lang, "warnings.test").to_uppercase());
    }
    let mut sections = vec![
        Section {
            title: t(lang, "warnings.signs"),
            items: w.signs.clone(),
        },
        Section {
            title: t(lang, "warnings.advice"),
            items: w.advice.clone(),
        },
    ];
    if w.state == WState::Cancelled {
        sections.insert(
            0,
            Section {
                title: t(lang, "warnings.cancelled_notice"),
                items: w.cancel_reason.iter().cloned().collect(),
            },
        );
    }
    Card {
        band,
        issuer: config.site_name.to_uppercase(),
        headline: w.headline.clone(),
        sections,
        call_label: t(lang, "warnings.card_call"),
        contact: w.contact.clone(),
        footer: if config.base_url_from_request {
            config.site_name.clone()
        } else {
            short_address(&config.public_base_url, &w.id)
        },
        accent: accent(w, now),
    }
}

/// Hashtags for a post: the kind's and the issuer's, in folded capitalised words.
fn hashtags(w: &Warning, config: &Config) -> Vec<String> {
    let camel = |s: &str| -> String {
        keng_text::tokens(s)
            .into_iter()
            .map(|tok| {
                let mut c = tok.folded.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut tags = vec![camel(&t(Lang::Vi, &format!("warnings.hashtag_{}", w.kind)))];
    let issuer = camel(&config.site_name);
    if !issuer.is_empty() {
        tags.push(issuer);
    }
    tags.retain(|x| !x.is_empty());
    tags
}

/// The posts of `w` in the three lengths, labelled for the page.
#[derive(Serialize)]
pub struct Posts {
    pub short: String,
    pub medium: String,
    pub long: String,
}

pub fn posts_of(w: &Warning, config: &Config, base: &str) -> Posts {
    let lang = Lang::Vi;
    let kind = t(lang, &format!("warnings.kind_{}", w.kind)).to_uppercase();
    let post = Post {
        kicker: format!("{} {kind}", t(lang, "warnings.card_band")),
        headline: w.headline.clone(),
        happened: w.happened.clone(),
        signs: w.signs.clone(),
        advice: w.advice.clone(),
        signs_label: t(lang, "warnings.signs"),
        advice_label: t(lang, "warnings.advice"),
        call_label: t(lang, "warnings.post_call"),
        more_label: t(lang, "warnings.post_more"),
        contact: w.contact.clone(),
        url: format!("{}/canh-bao/{}", base.trim_end_matches('/'), w.id),
        hashtags: hashtags(w, config),
    };
    Posts {
        short: posts::text(&post, Length::Short),
        medium: posts::text(&post, Length::Medium),
        long: posts::text(&post, Length::Long),
    }
}

/// `wide.png` or `square.png`.
fn shape_of(file: &str) -> AppResult<Shape> {
    file.strip_suffix(".png")
        .and_then(Shape::parse)
        .ok_or(AppError::NotFound)
}

/// Rendered cards by what they show: bounded in bytes, least recently used out first.
fn cards() -> &'static moka::sync::Cache<String, Bytes> {
    static CARDS: OnceLock<moka::sync::Cache<String, Bytes>> = OnceLock::new();
    CARDS.get_or_init(|| {
        moka::sync::Cache::builder()
            .weigher(|k: &String, v: &Bytes| u32::try_from(k.len() + v.len()).unwrap_or(u32::MAX))
            .max_capacity(48 * 1024 * 1024)
            .build()
    })
}

/// The card of `w` at `now` as PNG: from the cache, or drawn off the async threads (a
/// render takes tens of milliseconds); concurrent requests for the same card share one
/// render. Returns the bytes and their cache key.
async fn png(app: &AppState, w: &Warning, shape: Shape) -> AppResult<(Bytes, String)> {
    let now = now_ms();
    let key = format!(
        "{}:{}:{}:{}:{}:{}",
        w.id,
        w.version,
        w.updated_at,
        w.state.as_str(),
        w.is_expired(now),
        shape.as_str()
    );
    // A hit is answered here, without a hand-off to the blocking pool.
    if let Some(bytes) = cards().get(&key) {
        return Ok((bytes, key));
    }
    let card = card_of(w, &app.config, now);
    let k = key.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        cards().try_get_with(k, || {
            keng_share::render::png(&card::svg(&card, shape)).map(Bytes::from)
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("card render task: {e}")))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((bytes, key))
}

/// The PNG with an ETag from its cache key; a matching If-None-Match gets 304.
fn png_response(bytes: Bytes, key: &str, headers: &HeaderMap, public: bool) -> Response {
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(key.as_bytes()))[..24]);
    let cache = if public {
        "public, max-age=300"
    } else {
        "private, no-store"
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    if fresh && public {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::ETAG, etag),
        ],
        // Shared with the cache, not copied.
        bytes,
    )
        .into_response()
}

/// `/chia-se/canh-bao/{id}/{wide|square}.png`: the card of a public warning.
pub async fn public_card(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let shape = shape_of(&file)?;
    let w = store::get(&app.db, &id)
        .await?
        .filter(visibility::public)
        .ok_or(AppError::NotFound)?;
    let (bytes, key) = png(&app, &w, shape).await?;
    Ok(png_response(bytes, &key, &headers, true))
}

/// `/warnings/{id}/card/{wide|square}.png`: the desk's preview of any version.
pub async fn desk_card(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<Response> {
    ctx.require(Action::ViewWarningsDesk, &Owner::None)?;
    let shape = shape_of(&file)?;
    let w = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let (bytes, key) = png(&app, &w, shape).await?;
    Ok(png_response(bytes, &key, &HeaderMap::new(), false))
}

/// `/canh-bao/{id}/in`: the A4 poster of a public warning.
pub async fn poster(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = store::get(&app.db, &id)
        .await?
        .filter(visibility::public)
        .ok_or(AppError::NotFound)?;
    let url = format!("{}/canh-bao/{}", ctx.base_url.trim_end_matches('/'), w.id);
    let qr = qr_svg(&url)?;
    let places = store::places(&app.db, &w.communes).await?;
    let place_names: Vec<String> = places.into_iter().map(|p| p.name).collect();
    let c = super::public::card(w, now_ms());
    Ok(page(
        &app,
        &ctx,
        "warnings/poster.html",
        context! { c => c, qr => qr, url => url, place_names => place_names },
    )?
    .into_response())
}
