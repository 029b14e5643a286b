//! The event log (outbox) and its followers.
//!
//! Every mutation appends a domain event in the same transaction as the change
//! ([`append`], usually through `audit::record_change`). Followers — the search index,
//! caches, live streams, webhooks, email — read the log in order from a cursor kept in
//! `follower_cursors`, so a crash between commit and delivery delays it but never drops
//! it (at-least-once: handlers must be idempotent).
//!
//! Ordering: on PostgreSQL, appenders take a transaction-scoped advisory lock, so events
//! commit in id order and a follower never skips an id that commits late. On several
//! nodes, a follower's batch is claimed with `FOR UPDATE SKIP LOCKED` on its cursor row
//! and nodes wake each other with `LISTEN/NOTIFY`. On SQLite (one process) writers are
//! already serialised and wake-ups are in-process.
//!
//! An idle server sleeps: only a commit that queued work (an event, a delivery, an
//! email: `Tx::mark_wake`) wakes the loops, reading a cursor writes nothing, and the
//! loops' safety poll is [`IDLE_POLL`]. Every wake-up is counted in `/metrics`
//! (`keng_wakeups_total{loop, reason}`).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;

use super::clock::now_ms;
use super::db::{Backend, Db, DbResult, Row, Tx};
use super::ids::new_id;
use crate::args;

const PG_CHANNEL: &str = "keng_events";
const APPEND_LOCK: i64 = 0x6b656e67; // "keng"
const BATCH: i64 = 200;
/// How long a background loop sleeps when nothing wakes it: a safety net for wake-ups
/// that cannot reach it (a NOTIFY lost while reconnecting, a write by another process).
pub const IDLE_POLL: Duration = Duration::from_secs(5);

/// One domain event.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Position in the log (strictly increasing in commit order).
    pub id: i64,
    /// Opaque id, stable across deliveries (for idempotent consumers).
    pub event_id: String,
    pub kind: String,
    pub entity: String,
    pub entity_id: String,
    pub actor_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: i64,
}

impl Event {
    fn from_row(r: &Row) -> DbResult<Event> {
        Ok(Event {
            id: r.i64("id")?,
            event_id: r.str("event_id")?,
            kind: r.str("kind")?,
            entity: r.str("entity")?,
            entity_id: r.str("entity_id")?,
            actor_id: r.opt_str("actor_id")?,
            payload: serde_json::from_str(&r.str("payload")?).unwrap_or(serde_json::Value::Null),
            created_at: r.i64("created_at")?,
        })
    }
}

/// Appends an event inside the caller's transaction.
pub async fn append(
    tx: &mut Tx,
    kind: &str,
    entity: &str,
    entity_id: &str,
    actor_id: Option<&str>,
    payload: &serde_json::Value,
) -> DbResult<()> {
    if super::capability::is_public_entity(entity) {
        tx.mark_public_change();
    }
    tx.mark_wake();
    tx.mark_entity(entity);
    if tx.backend() == Backend::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock($1)", args![APPEND_LOCK])
            .await?;
    }
    tx.execute(
        "INSERT INTO events (event_id, kind, entity, entity_id, actor_id, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            new_id(),
            kind,
            entity,
            entity_id,
            actor_id,
            payload.to_string(),
            now_ms()
        ],
    )
    .await?;
    if tx.backend() == Backend::Postgres {
        tx.execute("SELECT pg_notify($1, '')", args![PG_CHANNEL])
            .await?;
    }
    Ok(())
}

/// Events after `position`, oldest first.
pub async fn read_after(db: &Db, position: i64, limit: i64) -> DbResult<Vec<Event>> {
    db.fetch_all(
        "SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2",
        args![position, limit],
    )
    .await?
    .iter()
    .map(Event::from_row)
    .collect()
}

/// The newest event's position (0 when the log is empty).
pub async fn head(db: &Db) -> DbResult<i64> {
    db.fetch_one("SELECT COALESCE(MAX(id), 0) AS head FROM events", &[])
        .await?
        .i64("head")
}

/// Every follower's cursor, for /metrics (follower lag) and the admin pages.
pub async fn cursors(db: &Db) -> DbResult<Vec<(String, i64)>> {
    db.fetch_all(
        "SELECT name, position FROM follower_cursors ORDER BY name",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.str("name")?, r.i64("position")?)))
    .collect()
}

/// A reader of the event log. Handlers must be idempotent: after a crash the events
/// since the last saved cursor are delivered again.
#[async_trait::async_trait]
pub trait Follower: Send + Sync + 'static {
    /// Stable name; the cursor is kept under it.
    fn name(&self) -> &str;
    /// Handles one event. An error stops the batch at this event, which is retried.
    async fn handle(&self, db: &Db, event: &Event) -> anyhow::Result<()>;
}

/// Creates the follower's cursor row (at the start of the log) if it has none.
async fn ensure_cursor(db: &Db, name: &str) -> DbResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO follower_cursors (name, position, updated_at) VALUES ($1, 0, $2)
         ON CONFLICT (name) DO NOTHING",
        args![name, now_ms()],
    )
    .await?;
    tx.commit().await
}

async fn has_cursor(db: &Db, name: &str) -> DbResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT name FROM follower_cursors WHERE name = $1",
            args![name],
        )
        .await?
        .is_some())
}

/// Processes one batch for `follower`. Returns how many events it handled; 0 when the
/// follower is caught up or, on PostgreSQL, another node holds its cursor.
///
/// Reading the cursor writes nothing (a write per wake-up would keep an idle server
/// busy); the cursor row is created the first time it is missing.
pub async fn run_batch(db: &Db, follower: &dyn Follower) -> anyhow::Result<usize> {
    match db.backend() {
        Backend::Sqlite => {
            let pos = match db
                .fetch_optional(
                    "SELECT position FROM follower_cursors WHERE name = $1",
                    args![follower.name()],
                )
                .await?
            {
                Some(r) => r.i64("position")?,
                None => {
                    ensure_cursor(db, follower.name()).await?;
                    0
                }
            };
            let events = read_after(db, pos, BATCH).await?;
            let (done, err) = handle_all(db, follower, &events).await;
            if let Some(last) = done.checked_sub(1).and_then(|i| events.get(i)) {
                db.execute(
                    "UPDATE follower_cursors SET position = $1, updated_at = $2 WHERE name = $3",
                    args![last.id, now_ms(), follower.name()],
                )
                .await?;
            }
            err.map_or(Ok(done), Err)
        }
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            let Some(row) = tx
                .fetch_optional(
                    "SELECT position FROM follower_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED",
                    args![follower.name()],
                )
                .await?
            else {
                // Another node holds the cursor — or there is none yet.
                drop(tx);
                if has_cursor(db, follower.name()).await? {
                    return Ok(0);
                }
                ensure_cursor(db, follower.name()).await?;
                return Box::pin(run_batch(db, follower)).await;
            };
            let pos = row.i64("position")?;
            let events: Vec<Event> = tx
                .fetch_all(
                    "SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                    args![pos, BATCH],
                )
                .await?
                .iter()
                .map(Event::from_row)
                .collect::<DbResult<_>>()?;
            let (done, err) = handle_all(db, follower, &events).await;
            if let Some(last) = done.checked_sub(1).and_then(|i| events.get(i)) {
                tx.execute(
                    "UPDATE follower_cursors SET position = $1, updated_at = $2 WHERE name = $3",
                    args![last.id, now_ms(), follower.name()],
                )
                .await?;
            }
            tx.commit().await?;
            err.map_or(Ok(done), Err)
        }
    }
}

async fn handle_all(
    db: &Db,
    follower: &dyn Follower,
    events: &[Event],
) -> (usize, Option<anyhow::Error>) {
    for (i, e) in events.iter().enumerate() {
        if let Err(err) = follower.handle(db, e).await {
            tracing::warn!(follower = follower.name(), event = e.id, error = %err, "follower failed; will retry");
            return (i, Some(err));
        }
    }
    (events.len(), None)
}

fn wakers() -> &'static Mutex<Vec<Arc<Notify>>> {
    static W: OnceLock<Mutex<Vec<Arc<Notify>>>> = OnceLock::new();
    W.get_or_init(|| Mutex::new(Vec::new()))
}

/// Wakes every background loop of this process (after a commit that queued work, and on
/// a NOTIFY from another node).
pub fn wake() {
    if let Ok(w) = wakers().lock() {
        for n in w.iter() {
            n.notify_one();
        }
    }
}

/// A wake-up handle for one background loop (see [`idle`]).
pub fn register_waker() -> Arc<Notify> {
    let n = Arc::new(Notify::new());
    if let Ok(mut w) = wakers().lock() {
        w.push(n.clone());
    }
    n
}

/// Like [`idle`] for a queue whose next item is `due` (ms): wakes then at the latest. A
/// due time already past means another node holds the item: look again in 200 ms.
pub async fn idle_until(
    loop_name: &'static str,
    notify: &Notify,
    due: Option<i64>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    let wait = due.map_or(IDLE_POLL, |t| {
        Duration::from_millis((t - now_ms()).max(200) as u64).min(IDLE_POLL)
    });
    idle(loop_name, notify, wait, stop).await
}

/// Sleeps until `notify` fires (work was queued), `max` passes, or `stop` changes;
/// counts the wake-up under `loop_name` and its reason. Returns true when stopping.
pub async fn idle(
    loop_name: &'static str,
    notify: &Notify,
    max: Duration,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    let reason = tokio::select! {
        _ = notify.notified() => "signal",
        _ = tokio::time::sleep(max) => "timer",
        _ = stop.changed() => return true,
    };
    metrics::counter!("keng_wakeups_total", "loop" => loop_name, "reason" => reason).increment(1);
    *stop.borrow()
}

/// Runs `followers` until `shutdown` fires: each drains the log, then sleeps until a
/// commit here, a NOTIFY from another node or the idle poll.
pub fn spawn(
    db: Db,
    followers: Vec<Arc<dyn Follower>>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = Vec::new();
    if let Some(pool) = db.pg_pool().cloned() {
        let mut stop = shutdown.clone();
        handles.push(tokio::spawn(async move {
            loop {
                let listen = async {
                    let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
                    l.listen(PG_CHANNEL).await?;
                    loop {
                        l.recv().await?;
                        wake();
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sqlx::Error>(())
                };
                tokio::select! {
                    r = listen => if let Err(e) = r { tracing::warn!(error = %e, "LISTEN connection lost; retrying") },
                    _ = stop.changed() => return,
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }));
    }
    for f in followers {
        let db = db.clone();
        let mut stop = shutdown.clone();
        let notify = register_waker();
        handles.push(tokio::spawn(async move {
            let mut backoff = Duration::from_millis(200);
            loop {
                if *stop.borrow() {
                    return;
                }
                match run_batch(&db, f.as_ref()).await {
                    Ok(n) if n > 0 => {
                        backoff = Duration::from_millis(200);
                        continue;
                    }
                    Ok(_) => {
                        if idle("follower", &notify, IDLE_POLL, &mut stop).await {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(follower = f.name(), error = %e, "follower batch failed");
                        tokio::select! {
                            _ = tokio::time::sleep(backoff) => {},
                            _ = stop.changed() => return,
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(60));
                    }
                }
            }
        }));
    }
    handles
}

/// This node's generation of each kind of entity: bumped right after a local commit that
/// appended an event about one ([`Tx::commit`]) and for every such event the log shows
/// ([`Generations`], which sees the other nodes' too). A cache of data derived from some
/// kinds stamps what it read with [`generation_of`] them, read before the read, and
/// serves it only while that is unchanged.
fn generations() -> &'static Mutex<std::collections::HashMap<String, u64>> {
    static G: OnceLock<Mutex<std::collections::HashMap<String, u64>>> = OnceLock::new();
    G.get_or_init(|| Mutex::new(std::collections::HashMap::new()))
}

/// Entities of these kinds changed (after the commit, or seen in the log).
pub fn changed<'a>(kinds: impl Iterator<Item = &'a str>) {
    let mut g = match generations().lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    for k in kinds {
        *g.entry(k.to_string()).or_insert(0) += 1;
    }
}

/// The sum of the generations of `kinds` (each only grows, so any change changes it).
pub fn generation_of(kinds: &[&str]) -> u64 {
    let g = match generations().lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    kinds
        .iter()
        .map(|k| g.get(*k).copied().unwrap_or(0))
        .fold(0u64, u64::wrapping_add)
}

/// Bumps the generation of every event's entity kind as the log shows it (the other
/// nodes' changes; this node's are bumped at commit already).
pub struct Generations;

#[async_trait::async_trait]
impl LocalFollower for Generations {
    fn name(&self) -> &str {
        "entity-generations"
    }

    async fn handle(&self, _db: &Db, e: &Event) -> anyhow::Result<()> {
        changed(std::iter::once(e.entity.as_str()));
        Ok(())
    }
}

/// A node-local reader of the event log: every node runs its own from the log's head at
/// start (for what concerns only this node: its live-stream clients, its page cache).
#[async_trait::async_trait]
pub trait LocalFollower: Send + Sync + 'static {
    fn name(&self) -> &str;
    async fn handle(&self, db: &Db, event: &Event) -> anyhow::Result<()>;
}

/// Runs node-local followers until `stop`, waking on local commits, NOTIFY from other
/// nodes (PostgreSQL) and the idle poll.
pub async fn tail_local(
    db: Db,
    followers: Vec<Arc<dyn LocalFollower>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let notify = register_waker();
    let mut pos = head(&db).await.unwrap_or(0);
    loop {
        match read_after(&db, pos, 500).await {
            Ok(batch) => {
                let more = batch.len() == 500;
                for e in batch {
                    pos = e.id;
                    for f in &followers {
                        if let Err(err) = f.handle(&db, &e).await {
                            tracing::warn!(follower = f.name(), event = e.id, error = %err, "local follower failed");
                        }
                    }
                }
                if more {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "event log unreadable"),
        }
        if idle("local-follower", &notify, IDLE_POLL, &mut stop).await {
            return;
        }
    }
}
