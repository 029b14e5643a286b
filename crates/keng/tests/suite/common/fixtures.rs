//! Shared fixtures: the demo accounts' password, the metrics token of test servers, and
//! the one helper that takes a bulletin through the newsroom's workflow by the API.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::Api;

pub const DEMO_PASSWORD: &str = "kengdemo2025";

/// The `metrics_token` every test server has (`/metrics` is closed without it).
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// How far [`publish`] takes a bulletin.
#[derive(Clone, Copy, Debug)]
pub enum Until<'a> {
    /// Drafted, submitted and approved: ready to publish.
    Approved,
    /// Published now.
    Published,
    /// Published with a scheduled time (RFC 3339).
    PublishedAt(&'a str),
}

/// Takes a bulletin through the workflow by the API, as the desk does: the press
/// officer drafts and submits it, the leader approves it, and the press officer
/// publishes it (now or at a time) unless `until` stops earlier. Every step must
/// succeed. Returns the bulletin's id.
pub async fn publish(officer: &Api, leader: &Api, body: &Value, until: Until<'_>) -> String {
    let (st, b) = officer.post("/api/v1/bulletins", body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().expect("a bulletin id").to_string();
    let (st, b) = officer
        .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "submit: {b}");
    let (st, b) = leader
        .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "approve: {b}");
    let at = match until {
        Until::Approved => return id,
        Until::Published => None,
        Until::PublishedAt(t) => Some(t),
    };
    let (st, b) = officer
        .post(
            &format!("/api/v1/bulletins/{id}/publish"),
            &json!({ "publish_at": at }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "publish: {b}");
    id
}
