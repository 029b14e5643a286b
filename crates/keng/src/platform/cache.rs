//! The public read path under a spike: rendered responses to anonymous GET requests of
//! public pages and feeds are kept in memory and served from there; any event that can
//! change what the public sees (bulletins, incidents) clears the cache on every node, as a
//! node-local follower of the event log. A viral warning costs a hash lookup.
//!
//! The cache is bounded in bytes (moka, weighed by body size, least-recently-used out
//! first); entries are keyed on the path and the query parameters the pages read, so
//! arbitrary query strings cannot grow it; a change of generation drops every older
//! entry. A response larger than one entry may be is passed through uncached. Cached
//! responses carry an `ETag` and a `Last-Modified` and answer conditional requests with
//! 304, as feed readers and the press's CMS pollers expect. Every response to a signed-in
//! request is `Cache-Control: no-store` (it may hold an embargoed item or a new token).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::db::Db;
use super::events::{Event, LocalFollower};
use super::i18n::{cookie, Lang};
use super::state::AppState;

/// Bytes the cache holds at most (bodies and keys).
const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The largest body kept; larger responses pass through uncached.
const MAX_BODY: u64 = 2 * 1024 * 1024;
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
    headers: HeaderMap,
    body: axum::body::Bytes,
    etag: HeaderValue,
    /// When the entry was rendered: nothing public changed since (or it would be gone).
    modified: i64,
    /// `modified` as an HTTP date, made once.
    last_modified: Option<HeaderValue>,
}

/// The in-memory cache of public responses.
#[derive(Clone)]
pub struct PageCache {
    entries: moka::sync::Cache<String, Arc<Entry>>,
    /// The generation the entries were filled under; older ones are dropped at once.
    filled_under: Arc<AtomicU64>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::with_capacity(MAX_BYTES)
    }
}

impl PageCache {
    pub fn with_capacity(bytes: u64) -> PageCache {
        PageCache {
            entries: moka::sync::Cache::builder()
                .max_capacity(bytes)
                .weigher(|k: &String, e: &Arc<Entry>| {
                    u32::try_from(k.len() + e.body.len() + 256).unwrap_or(u32::MAX)
                })
                .build(),
            filled_under: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn clear(&self) {
        self.entries.invalidate_all();
    }

    pub fn len(&self) -> usize {
        self.entries.run_pending_tasks();
        usize::try_from(self.entries.entry_count()).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (bodies, keys and bookkeeping), for /metrics.
    pub fn weight(&self) -> u64 {
        self.entries.weighted_size()
    }

    /// Drops every entry of an older generation.
    fn catch_up(&self, generation: u64) {
        // A read on the hot path; a write only when the generation moved.
        if self.filled_under.load(Ordering::SeqCst) != generation
            && self.filled_under.swap(generation, Ordering::SeqCst) != generation
        {
            self.entries.invalidate_all();
        }
    }
}

/// Parameters links gain when shared (social networks, campaigns): no page reads them,
/// so they are left out of the key — a viral link stays on the fast path.
fn is_tracking_param(name: &str) -> bool {
    name.starts_with("utm_") || matches!(name, "fbclid" | "gclid" | "zarsrc" | "_ga" | "ref")
}

/// The cache key: language, path and the parameters pages read, in their order; None when
/// the query has a parameter no capability declares (it may change the page: rendered
/// afresh, never cached under another page's key).
fn key(lang: Lang, path: &str, query: Option<&str>) -> Option<String> {
    let mut k = format!("{}|{path}", lang.code());
    let mut n = 0;
    for p in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let name = p.split('=').next().unwrap_or("");
        if is_tracking_param(name) {
            continue;
        }
        if !super::capability::is_cache_param(name) {
            return None;
        }
        k.push(if n == 0 { '?' } else { '&' });
        k.push_str(p);
        n += 1;
    }
    Some(k)
}

fn is_anonymous(headers: &HeaderMap) -> bool {
    cookie(headers, crate::platform::auth::session::COOKIE).is_none()
        && !headers.contains_key(header::AUTHORIZATION)
}

/// Marks every response to a signed-in request `no-store` (error pages included: they
/// carry the user's name and a CSRF token), static assets aside. Layered outside the
/// error renderer.
pub async fn no_store_when_signed_in(req: Request, next: Next) -> Response {
    let signed_in = !is_anonymous(req.headers()) && !req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    if signed_in {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The platform's own public page (the home page, made of the capabilities' public
/// panels) and every path a capability declares.
fn cacheable(path: &str) -> bool {
    path == "/" || super::capability::cacheable(path)
}

/// The cache key of an anonymous GET the cache may answer, or None (not cacheable, a
/// timed change is due, an undeclared query parameter).
fn key_of(app: &AppState, req: &Request, count_bypass: bool) -> Option<String> {
    let path = req.uri().path();
    let change_due = super::clock::now_ms() >= NEXT_CHANGE.load(Ordering::SeqCst);
    if req.method() != Method::GET || !cacheable(path) || change_due {
        return None;
    }
    let lang = Lang::from_request(req.headers(), path.starts_with("/api/"));
    let Some(mut key) = key(lang, path, req.uri().query()) else {
        if count_bypass {
            metrics::counter!("keng_page_cache_total", "result" => "bypass").increment(1);
        }
        return None;
    };
    if app.config.base_url_from_request {
        // Links are made from the request's Host: one entry per host.
        key.push('|');
        key.push_str(
            req.headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or(""),
        );
    }
    Some(key)
}

/// The current entry under `key`, if any.
fn current(app: &AppState, key: &str, generation: u64) -> Option<Arc<Entry>> {
    app.page_cache.catch_up(generation);
    app.page_cache
        .entries
        .get(key)
        .filter(|e| e.generation == generation)
}

/// The fast path, layered outside everything else: an anonymous GET the cache holds is
/// answered here, before tracing, per-route metrics, sessions and error pages — with
/// the bytes that stack produced when the entry was filled and the same security
/// headers (`web::security_headers`). Anything else goes on, to `serve` and the rest.
pub async fn fast(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_anonymous(req.headers()) {
        if let Some(key) = key_of(&app, &req, false) {
            if let Some(e) = current(&app, &key, generation()) {
                metrics::counter!("keng_page_cache_total", "result" => "hit").increment(1);
                let mut r = respond(&e, &Conditional::of(req.headers()));
                super::web::security_headers(r.headers_mut(), &app.config);
                return r;
            }
            // A miss: `serve` fills the entry under the key made here.
            req.extensions_mut().insert(Key(key));
        }
    }
    next.run(req).await
}

/// The cache key the fast path made for a request it passed on.
#[derive(Clone)]
struct Key(String);

/// Serves anonymous public GETs from the cache, filling it on a miss.
pub async fn serve(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if !is_anonymous(req.headers()) {
        return next.run(req).await;
    }
    // A page that carries a visitor's CSRF token (a form) is theirs alone.
    let csrf_shown = req
        .extensions()
        .get::<crate::platform::auth::Principal>()
        .map(|p| p.csrf_shown.clone())
        .unwrap_or_default();
    let key = match req.extensions().get::<Key>() {
        Some(k) => Some(k.0.clone()),
        None => key_of(&app, &req, true),
    };
    let Some(key) = key else {
        return next.run(req).await;
    };
    let conditional = Conditional::of(req.headers());
    // Read the generation before rendering: an entry filled from a render that raced with
    // a commit carries the older generation and is never served.
    let generation = generation();
    if let Some(e) = current(&app, &key, generation) {
        metrics::counter!("keng_page_cache_total", "result" => "hit").increment(1);
        return respond(&e, &conditional);
    }
    metrics::counter!("keng_page_cache_total", "result" => "miss").increment(1);
    let resp = next.run(req).await;
    let status = resp.status();
    // Only finished bodies: errors are rendered by an outer layer from their ErrorInfo.
    let too_large = resp.body().size_hint().exact().is_none_or(|n| n > MAX_BODY);
    if !matches!(status.as_u16(), 200 | 410)
        || too_large
        || resp.headers().contains_key(header::SET_COOKIE)
        || csrf_shown.is_marked()
        || resp
            .extensions()
            .get::<super::errors::ErrorInfo>()
            .is_some()
    {
        if too_large {
            metrics::counter!("keng_page_cache_total", "result" => "too_large").increment(1);
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY as usize).await {
        Ok(b) => b,
        Err(e) => {
            // The size was known and within the limit: only a failing body gets here.
            tracing::warn!(error = %e, "a public response body failed");
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            return r;
        }
    };
    let digest = Sha256::digest(&bytes);
    let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
        .unwrap_or(HeaderValue::from_static("\"0\""));
    let modified = super::clock::now_ms() / 1000 * 1000;
    let last_modified = chrono::DateTime::from_timestamp_millis(modified).and_then(|t| {
        HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
    });
    let entry = Arc::new(Entry {
        generation,
        status,
        headers: parts.headers,
        body: bytes,
        etag,
        modified,
        last_modified,
    });
    app.page_cache.entries.insert(key, entry.clone());
    respond(&entry, &conditional)
}

/// What a conditional GET asked (RFC 9110 §13).
struct Conditional {
    if_none_match: Option<String>,
    if_modified_since: Option<i64>,
}

impl Conditional {
    fn of(h: &HeaderMap) -> Conditional {
        let text = |n: header::HeaderName| h.get(n).and_then(|v| v.to_str().ok());
        Conditional {
            if_none_match: text(header::IF_NONE_MATCH).map(str::to_string),
            if_modified_since: text(header::IF_MODIFIED_SINCE)
                .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
                .map(|t| t.timestamp_millis()),
        }
    }

    /// Does the client already hold entry `e`? If-None-Match wins over If-Modified-Since.
    fn fresh(&self, e: &Entry) -> bool {
        let etag = e.etag.to_str().unwrap_or("");
        match (&self.if_none_match, self.if_modified_since) {
            (Some(inm), _) => inm
                .split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag),
            (None, Some(since)) => e.modified <= since,
            (None, None) => false,
        }
    }
}

fn respond(e: &Entry, c: &Conditional) -> Response {
    let fresh = e.status == StatusCode::OK && c.fresh(e);
    let mut r = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(e.body.clone()));
        *r.status_mut() = e.status;
        r
    };
    let h = r.headers_mut();
    for (k, v) in e.headers.iter() {
        if !(fresh && (k == header::CONTENT_TYPE || k == header::CONTENT_LENGTH)) {
            h.insert(k.clone(), v.clone());
        }
    }
    h.insert(header::ETAG, e.etag.clone());
    if let Some(v) = &e.last_modified {
        h.insert(header::LAST_MODIFIED, v.clone());
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
        if super::capability::is_public_entity(&e.entity) {
            bump();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declared_parameters_make_keys_and_others_bypass() {
        crate::capabilities::install();
        let a = key(Lang::Vi, "/tin", Some("page=2&utm_source=zalo"));
        let b = key(Lang::Vi, "/tin", Some("fbclid=x&page=2"));
        assert_eq!(a, b, "sharing parameters are left out");
        assert!(a.is_some());
        assert_eq!(
            key(Lang::Vi, "/tin", Some("name=beta")),
            None,
            "undeclared: bypass"
        );
        assert_eq!(key(Lang::Vi, "/tin", Some("page=2&name=b")), None);
        assert_eq!(
            key(Lang::Vi, "/tin", Some("utm_campaign=tet")),
            key(Lang::Vi, "/tin", None)
        );
        assert_ne!(a, key(Lang::En, "/tin", Some("page=2")));
        assert_ne!(a, key(Lang::Vi, "/tin", Some("page=3")));
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let c = PageCache::with_capacity(1024 * 1024);
        for i in 0..200 {
            c.entries.insert(
                format!("k{i}"),
                Arc::new(Entry {
                    generation: 0,
                    status: StatusCode::OK,
                    headers: HeaderMap::new(),
                    body: axum::body::Bytes::from(vec![b'x'; 64 * 1024]),
                    etag: HeaderValue::from_static("\"e\""),
                    modified: 0,
                    last_modified: None,
                }),
            );
        }
        c.entries.run_pending_tasks();
        assert!(c.weight() <= 1024 * 1024, "{} bytes held", c.weight());
        assert!(c.len() < 200);
    }
}
