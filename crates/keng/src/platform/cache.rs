//! The public read path under a spike: rendered responses to anonymous GET requests of
//! public pages and feeds are kept in memory and served from there; any event that can
//! change what the public sees (bulletins, incidents) clears the cache on every node, as a
//! node-local follower of the event log. A viral warning costs a hash lookup.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::db::Db;
use super::events::{Event, LocalFollower};
use super::i18n::{cookie, Lang};
use super::state::AppState;

const MAX_ENTRIES: usize = 20_000;
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Bumped after every commit that changed something public (synchronously, on this node)
/// and for every such event from the log (other nodes): older entries are stale.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn bump() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// When public content next changes by itself (an embargo lifting, a scheduled
/// publication): from then until the release is committed (which bumps the generation),
/// the cache is bypassed, so pages and feeds flip together at the exact time.
static NEXT_CHANGE: AtomicI64 = AtomicI64::new(i64::MAX);

/// Something will become visible at `at` without a commit at that moment.
pub fn expect_change_at(at: i64) {
    NEXT_CHANGE.fetch_min(at, Ordering::SeqCst);
}

/// The releaser's view of the next timed change (None: nothing scheduled).
pub fn set_next_change(at: Option<i64>) {
    NEXT_CHANGE.store(at.unwrap_or(i64::MAX), Ordering::SeqCst);
}

fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

struct Entry {
    generation: u64,
    status: StatusCode,
    content_type: HeaderValue,
    cache_control: Option<HeaderValue>,
    body: axum::body::Bytes,
}

/// The in-memory cache of public responses.
#[derive(Clone, Default)]
pub struct PageCache {
    entries: Arc<RwLock<HashMap<String, Arc<Entry>>>>,
}

impl PageCache {
    pub fn clear(&self) {
        if let Ok(mut m) = self.entries.write() {
            m.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Paths whose anonymous response depends only on the database and the language.
fn cacheable(path: &str) -> bool {
    path == "/tin"
        || path.starts_with("/tin/")
        || path.starts_with("/vu-viec/")
        || path == "/sitemap.xml"
        || path == "/feeds/bulletins.atom"
        || path.starts_with("/feeds/category/")
        || path.starts_with("/feeds/incident/")
        || path == "/api/v1/bulletins"
        || path.starts_with("/api/v1/bulletins/")
}

/// Serves anonymous public GETs from the cache, filling it on a miss.
pub async fn serve(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let anonymous = cookie(req.headers(), crate::platform::auth::session::COOKIE).is_none()
        && !req.headers().contains_key(header::AUTHORIZATION);
    let change_due = super::clock::now_ms() >= NEXT_CHANGE.load(Ordering::SeqCst);
    if req.method() != Method::GET || !anonymous || !cacheable(path) || change_due {
        return next.run(req).await;
    }
    let lang = Lang::from_request(req.headers(), path.starts_with("/api/"));
    let key = format!("{}|{}", lang.code(), req.uri());
    // Read the generation before rendering: an entry filled from a render that raced with
    // a commit carries the older generation and is never served.
    let generation = generation();
    let hit = app
        .page_cache
        .entries
        .read()
        .ok()
        .and_then(|m| m.get(&key).cloned())
        .filter(|e| e.generation == generation);
    if let Some(e) = hit {
        metrics::counter!("keng_page_cache_total", "result" => "hit").increment(1);
        return respond(&e);
    }
    metrics::counter!("keng_page_cache_total", "result" => "miss").increment(1);
    let resp = next.run(req).await;
    let status = resp.status();
    // Only finished bodies: errors are rendered by an outer layer from their ErrorInfo.
    if !matches!(status.as_u16(), 200 | 410)
        || resp.headers().contains_key(header::SET_COOKIE)
        || resp
            .extensions()
            .get::<super::errors::ErrorInfo>()
            .is_some()
    {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let entry = Arc::new(Entry {
        generation,
        status,
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        cache_control: parts.headers.get(header::CACHE_CONTROL).cloned(),
        body: bytes,
    });
    if let Ok(mut m) = app.page_cache.entries.write() {
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, entry.clone());
    }
    let mut out = respond(&entry);
    for (k, v) in parts.headers.iter() {
        if !out.headers().contains_key(k) {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

fn respond(e: &Entry) -> Response {
    let mut r = Response::new(Body::from(e.body.clone()));
    *r.status_mut() = e.status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, e.content_type.clone());
    if let Some(cc) = &e.cache_control {
        r.headers_mut().insert(header::CACHE_CONTROL, cc.clone());
    }
    r
}

/// Clears this node's cache on every event that can change a public page.
pub struct Invalidator(pub PageCache);

#[async_trait::async_trait]
impl LocalFollower for Invalidator {
    fn name(&self) -> &str {
        "page-cache"
    }

    async fn handle(&self, _db: &Db, e: &Event) -> anyhow::Result<()> {
        if super::events::PUBLIC_ENTITIES.contains(&e.entity.as_str()) {
            bump();
        }
        Ok(())
    }
}
