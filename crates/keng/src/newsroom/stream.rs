//! The live stream for the press desk: `GET /api/v1/stream`, Server-Sent Events of what
//! reaches accredited journalists (published, embargo lifted, corrected, withdrawn), with
//! the event-log position as the SSE id so a client resumes with `Last-Event-ID`.
//!
//! Each node tails the event log itself (it wakes on local commits and, on PostgreSQL, on
//! NOTIFY from other nodes) and fans messages out to its own clients through a broadcast
//! channel. A revocation or suspension in the log ends that account's open streams at
//! once.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use super::distribution::press_message;
use crate::platform::auth::{credential_of_session, credential_of_token, Ctx};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::events::{self, Event};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;

/// One message of the stream, or a control message ending some streams.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: i64,
    pub event: &'static str,
    pub data: String,
    pub end: Option<End>,
}

/// Which open streams a control message ends: every end of the credential a stream was
/// opened with ends the stream at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Every stream of an account (revoked, suspended, role or unit changed).
    User(String),
    /// Streams opened with this credential (a revoked token, a closed session).
    Credential(String),
    /// An account's session streams but the one kept (a password change ends every
    /// other session).
    SessionsExcept { user: String, kept: Option<String> },
}

impl End {
    /// Does this end the stream of `user` opened with `credential`?
    pub fn ends(&self, user: &str, credential: Option<&str>) -> bool {
        match self {
            End::User(u) => u == user,
            End::Credential(c) => credential == Some(c.as_str()),
            End::SessionsExcept { user: u, kept } => {
                u == user
                    && credential
                        .is_some_and(|c| c.starts_with("session:") && kept.as_deref() != Some(c))
            }
        }
    }
}

/// The control message an event of the log means for open streams, if any.
fn end_of(e: &Event) -> Option<End> {
    match (e.entity.as_str(), e.kind.as_str()) {
        ("user", "user.revoked" | "user.suspended" | "user.disabled" | "user.updated") => {
            Some(End::User(e.entity_id.clone()))
        }
        ("user", "user.password_changed") => Some(End::SessionsExcept {
            user: e.entity_id.clone(),
            kept: e.payload["after"]["kept_session"]
                .as_str()
                .map(credential_of_session),
        }),
        ("api_token", "token.revoked") => Some(End::Credential(credential_of_token(&e.entity_id))),
        ("session", "session.closed") => Some(End::Credential(credential_of_session(&e.entity_id))),
        _ => None,
    }
}

/// This node's fan-out.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Message>>,
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(4096).0,
            closing: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
}

impl Hub {
    /// Ends every open stream (at shutdown).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Message>> {
        self.tx.subscribe()
    }

    pub fn clients(&self) -> usize {
        self.tx.receiver_count()
    }
}

/// What the stream says about one event of the log.
async fn to_message(db: &Db, config: &Config, e: &Event) -> anyhow::Result<Option<Message>> {
    if let Some(end) = end_of(e) {
        return Ok(Some(Message {
            id: e.id,
            event: "control",
            data: String::new(),
            end: Some(end),
        }));
    }
    if let Some((kind, _, doc)) = press_message(db, config, e).await? {
        return Ok(Some(Message {
            id: e.id,
            event: kind,
            data: doc.to_string(),
            end: None,
        }));
    }
    // Other capabilities' news for the press (warnings…) on the same stream.
    Ok(
        crate::platform::capability::press_notice(config, e).map(|n| Message {
            id: e.id,
            event: n.kind,
            data: n.document.to_string(),
            end: None,
        }),
    )
}

/// This node's stream follows the event log from its head (see `events::tail_local`).
pub struct StreamTail {
    pub config: Arc<Config>,
    pub hub: Hub,
}

#[async_trait::async_trait]
impl events::LocalFollower for StreamTail {
    fn name(&self) -> &str {
        "stream"
    }

    async fn handle(&self, db: &Db, e: &Event) -> anyhow::Result<()> {
        if let Some(m) = to_message(db, &self.config, e).await? {
            let _ = self.hub.tx.send(Arc::new(m));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct StreamQuery {
    /// Resume after this event id (same as the Last-Event-ID header).
    since: Option<i64>,
}

/// The live stream (accredited journalists and staff).
#[utoipa::path(get, path = "/api/v1/stream", tag = "newsroom",
    params(("since" = Option<i64>, Query, description = "Resume after this id (or send Last-Event-ID)")),
    responses((status = 200, description = "Server-Sent Events: each event a ninjs document (id = the event log's position)", content_type = "text/event-stream", body = String), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn stream(
    State(app): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    ctx.require(Action::ReadPressOnly, &Owner::None)?;
    let user_id = ctx.user()?.id.clone();
    let credential = ctx.credential.clone();
    crate::platform::usage::count(
        &app.db,
        ctx.user()?.agency_id.as_deref(),
        crate::platform::usage::STREAM,
    )
    .await;
    // A resume point that is not a position of the log is an error, not a fresh start.
    let header = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or(AppError::bad("err.last_event_id"))?,
        ),
    };
    let last = header.or(q.since);
    // Subscribe before replaying, so nothing falls between the two.
    let live = BroadcastStream::new(super::live(&app)?.hub.subscribe());
    let mut replay = Vec::new();
    let mut resume_after = last.unwrap_or(i64::MAX);
    if let Some(after) = last {
        if after < 0 {
            return Err(AppError::bad("err.malformed"));
        }
        let mut pos = after;
        loop {
            let batch = events::read_after(&app.db, pos, 500).await?;
            let n = batch.len();
            for e in batch {
                pos = e.id;
                if let Some(m) = to_message(&app.db, &app.config, &e)
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                {
                    // Control messages of the past ended older streams: this request's
                    // credential was checked just now.
                    if m.end.is_none() {
                        replay.push(Arc::new(m));
                    }
                }
            }
            if n < 500 || replay.len() > 5000 {
                break;
            }
        }
        resume_after = pos;
    }
    let replayed = stream::iter(replay.into_iter().map(Ok::<_, ()>));
    let live = live.map(|r| r.map_err(|_lagged| ()));
    let user = user_id.clone();
    let events = replayed
        .chain(live.filter(move |r| {
            // Live messages the replay already covered are skipped.
            let keep = match r {
                Ok(m) => last.is_none() || m.id > resume_after,
                Err(()) => true,
            };
            futures::future::ready(keep)
        }))
        // A lagging client is cut off; it resumes with Last-Event-ID.
        .take_while(|r| futures::future::ready(r.is_ok()))
        .filter_map(|r| futures::future::ready(r.ok()))
        .take_while(move |m| {
            let ended = m
                .end
                .as_ref()
                .is_some_and(|e| e.ends(&user, credential.as_deref()));
            futures::future::ready(!ended)
        })
        .filter(|m| futures::future::ready(m.end.is_none()))
        .map(|m| {
            Ok(SseEvent::default()
                .id(m.id.to_string())
                .event(m.event)
                .data(m.data.clone()))
        });
    let mut closing = super::live(&app)?.hub.closing.subscribe();
    let events = events.take_until(async move {
        let _ = closing.wait_for(|c| *c).await;
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
