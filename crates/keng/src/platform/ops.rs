//! Operations endpoints: `/healthz` (the process is up), `/readyz` (the database
//! answers and the file store takes and gives back a file) and `/metrics` (Prometheus
//! text: requests and latencies by route, the database pool, follower lag), plus the
//! request-metrics middleware.
//!
//! Metrics reveal that things happened (a workflow action on an embargoed item moves a
//! counter), so they are not public: on the main listener `/metrics` answers 404 unless
//! `metrics_token` is configured and presented as a Bearer token; `metrics_listen` serves
//! them alone on a separate (internal) address.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::events;
use super::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(app): State<AppState>) -> Response {
    if let Err(e) = app.db.ping().await {
        tracing::warn!(error = %e, "readiness check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    // A node that cannot keep or give back files is not ready: uploads would fail and
    // downloads break (a store that is down, full or read-only).
    if let Err(e) = app.blobs.ready().await {
        tracing::warn!(error = %e, store = app.blobs.name(), "readiness check failed");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("file store ({}) unusable", app.blobs.name()),
        )
            .into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

/// `/metrics` on the main listener: only with the configured bearer token, else 404.
pub async fn metrics_with_token(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let expected = app.config.metrics_token.as_str();
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(p) if !expected.is_empty() && super::ids::constant_time_eq(p, expected) => {
            metrics(State(app)).await
        }
        _ => super::errors::AppError::NotFound.into_response(),
    }
}

/// The router of the separate metrics listener (`metrics_listen`): `/metrics` only.
pub fn metrics_router(app: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(app)
}

/// Prometheus text of this node's metrics.
pub async fn metrics(State(app): State<AppState>) -> Response {
    let (open, idle) = app.db.pool_stats();
    metrics::gauge!("keng_db_pool_connections").set(open as f64);
    metrics::gauge!("keng_db_pool_idle").set(idle as f64);
    if let (Ok(head), Ok(cursors)) = (events::head(&app.db).await, events::cursors(&app.db).await) {
        metrics::gauge!("keng_event_log_head").set(head as f64);
        for (name, pos) in cursors {
            metrics::gauge!("keng_follower_lag_events", "follower" => name)
                .set((head - pos) as f64);
        }
    }
    metrics::gauge!("keng_uptime_seconds").set(app.started.elapsed().as_secs_f64());
    metrics::gauge!("keng_page_cache_entries").set(app.page_cache.len() as f64);
    metrics::gauge!("keng_page_cache_bytes").set(app.page_cache.weight() as f64);
    let body = app.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Counts requests and records their latency by route template (not raw path, so ids
/// do not explode the label set).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("keng_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("keng_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}
