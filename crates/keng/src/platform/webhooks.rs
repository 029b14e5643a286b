//! Webhooks for press agencies' editorial systems, signed per the Standard Webhooks
//! specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,` and the
//! base64 HMAC-SHA256 of `id.timestamp.body` under the `whsec_` secret).
//!
//! Deliveries are queued rows (enqueued by event-log followers, so nothing is lost) and
//! sent at least once, in order per endpoint: an endpoint's next delivery waits until the
//! one before it succeeded or died. Failures retry with exponential backoff for up to 24
//! hours, then go to the dead-letter list, from which staff replay them. On PostgreSQL
//! each endpoint is claimed with `FOR UPDATE SKIP LOCKED`, so several nodes never send
//! the same delivery at once.
//!
//! An endpoint belongs to its press agency, with the agency's accredited editors
//! responsible for it. A delivery of what the public may not read yet (embargoed,
//! press-only) is `restricted`: when the agency has no active editor left at send time
//! (suspended, revoked), it is withheld — status `withheld` on the delivery log — and
//! never sent; public deliveries go on.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::clock::now_ms;
use super::db::{Backend, Db, DbResult, Row, Tx};
use super::ids::{new_id, random_secret};
use crate::args;

/// Why a restricted delivery was withheld (shown on the delivery log).
pub const WITHHELD_REASON: &str =
    "no accredited editor of the agency is responsible for this endpoint";

/// Is an accredited (active) editor of the agency still responsible for its endpoint?
pub async fn has_responsible_editor(tx: &mut Tx, agency_id: &str) -> DbResult<bool> {
    Ok(tx
        .fetch_optional(
            "SELECT id FROM users WHERE agency_id = $1 AND role = 'journalist' AND is_editor = $2 AND status = 'active' LIMIT 1",
            args![agency_id, true],
        )
        .await?
        .is_some())
}

/// Give up after this long.
const GIVE_UP_MS: i64 = 24 * 3_600_000;

/// A `whsec_` secret: base64 of 24 random bytes.
pub fn new_secret() -> String {
    let raw = random_secret();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .unwrap_or_default();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes[..24.min(bytes.len())])
    )
}

/// The `webhook-signature` value for a message.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_")?)
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The wait before attempt `n + 1` (5 s, 10 s, 20 s, … capped at 1 h).
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    (5_000i64.saturating_mul(1i64 << exp)).min(3_600_000)
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub agency_id: String,
    pub url: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Endpoint {
    fn from_row(r: &Row) -> DbResult<Endpoint> {
        Ok(Endpoint {
            id: r.str("id")?,
            agency_id: r.str("agency_id")?,
            url: r.str("url")?,
            active: r.bool("active")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }
}

pub async fn endpoint_of_agency(db: &Db, agency_id: &str) -> DbResult<Option<Endpoint>> {
    db.fetch_optional(
        "SELECT * FROM webhook_endpoints WHERE agency_id = $1",
        args![agency_id],
    )
    .await?
    .as_ref()
    .map(Endpoint::from_row)
    .transpose()
}

pub async fn active_endpoints(tx: &mut Tx) -> DbResult<Vec<Endpoint>> {
    tx.fetch_all(
        "SELECT * FROM webhook_endpoints WHERE active = $1 ORDER BY id",
        args![true],
    )
    .await?
    .iter()
    .map(Endpoint::from_row)
    .collect()
}

/// Sets an agency's endpoint (a new secret each time the URL is set); returns the secret.
pub async fn set_endpoint(tx: &mut Tx, agency_id: &str, url: &str) -> DbResult<(Endpoint, String)> {
    let secret = new_secret();
    let now = now_ms();
    let existing = tx
        .fetch_optional(
            "SELECT id FROM webhook_endpoints WHERE agency_id = $1",
            args![agency_id],
        )
        .await?;
    let id = match existing {
        Some(r) => {
            let id = r.str("id")?;
            tx.execute(
                "UPDATE webhook_endpoints SET url = $1, secret = $2, active = $3, updated_at = $4 WHERE id = $5",
                args![url, &secret, true, now, &id],
            )
            .await?;
            id
        }
        None => {
            let id = new_id();
            tx.execute(
                "INSERT INTO webhook_endpoints (id, agency_id, url, secret, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                args![&id, agency_id, url, &secret, true, now],
            )
            .await?;
            id
        }
    };
    let row = tx
        .fetch_one("SELECT * FROM webhook_endpoints WHERE id = $1", args![&id])
        .await?;
    Ok((Endpoint::from_row(&row)?, secret))
}

pub async fn deactivate(tx: &mut Tx, agency_id: &str) -> DbResult<u64> {
    tx.execute(
        "UPDATE webhook_endpoints SET active = $1, updated_at = $2 WHERE agency_id = $3",
        args![false, now_ms(), agency_id],
    )
    .await
}

/// One delivery to queue.
pub struct NewDelivery<'a> {
    pub endpoint_id: &'a str,
    /// The event-log position it comes from (orders an endpoint's queue).
    pub seq: i64,
    /// Queued once per key.
    pub dedupe_key: &'a str,
    pub event_type: &'a str,
    pub bulletin_id: Option<&'a str>,
    pub payload: &'a serde_json::Value,
    /// Goes beyond what the public may read (see the module comment).
    pub restricted: bool,
}

/// Queues one delivery (once per `dedupe_key`).
pub async fn enqueue(tx: &mut Tx, d: NewDelivery<'_>) -> DbResult<()> {
    let now = now_ms();
    tx.mark_wake();
    tx.execute(
        "INSERT INTO webhook_deliveries (id, endpoint_id, seq, dedupe_key, event_type, bulletin_id, payload, status, attempts, next_attempt_at, created_at, restricted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
        args![new_id(), d.endpoint_id, d.seq, d.dedupe_key, d.event_type, d.bulletin_id, d.payload.to_string(), now, d.restricted],
    )
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub agency_id: String,
    pub event_type: String,
    pub bulletin_id: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub next_attempt_at: i64,
}

impl Delivery {
    fn from_row(r: &Row) -> DbResult<Delivery> {
        Ok(Delivery {
            id: r.str("id")?,
            endpoint_id: r.str("endpoint_id")?,
            agency_id: r.str("agency_id")?,
            event_type: r.str("event_type")?,
            bulletin_id: r.opt_str("bulletin_id")?,
            status: r.str("status")?,
            attempts: r.i64("attempts")?,
            last_status: r.opt_i64("last_status")?,
            last_error: r.opt_str("last_error")?,
            created_at: r.i64("created_at")?,
            delivered_at: r.opt_i64("delivered_at")?,
            next_attempt_at: r.i64("next_attempt_at")?,
        })
    }
}

const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, e.agency_id, d.event_type, d.bulletin_id, d.status, d.attempts, d.last_status,
     d.last_error, d.created_at, d.delivered_at, d.next_attempt_at";

/// The delivery log of one bulletin (which agency got what, when; failures).
pub async fn deliveries_of_bulletin(db: &Db, bulletin_id: &str) -> DbResult<Vec<Delivery>> {
    db.fetch_all(
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE d.bulletin_id = $1 ORDER BY d.seq, e.agency_id"
        ),
        args![bulletin_id],
    )
    .await?
    .iter()
    .map(Delivery::from_row)
    .collect()
}

/// Deliveries of one agency, newest first, or the dead letters of all.
pub async fn deliveries(
    db: &Db,
    agency_id: Option<&str>,
    dead_only: bool,
    limit: i64,
) -> DbResult<Vec<Delivery>> {
    let mut sql = format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE 1=1");
    let mut params = Vec::new();
    if let Some(a) = agency_id {
        params.push(a.into());
        sql.push_str(" AND e.agency_id = $1");
    }
    if dead_only {
        sql.push_str(" AND d.status = 'dead'");
    }
    sql.push_str(&format!(
        " ORDER BY d.seq DESC LIMIT {}",
        limit.clamp(1, 1000)
    ));
    db.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(Delivery::from_row)
        .collect()
}

/// Puts a dead delivery back in the queue.
pub async fn replay(tx: &mut Tx, delivery_id: &str) -> DbResult<bool> {
    tx.mark_wake();
    let n = tx
        .execute(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, created_at = $1, last_error = NULL
             WHERE id = $2 AND status = 'dead'",
            args![now_ms(), delivery_id],
        )
        .await?;
    Ok(n == 1)
}

/// Sends what is due, endpoint by endpoint (up to `parallel` at once), until `stop`.
pub async fn dispatch_loop(db: Db, parallel: usize, mut stop: tokio::sync::watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Keng-Webhooks/1")
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client failed to start");
            return;
        }
    };
    let notify = super::events::register_waker();
    loop {
        let sent = match due_endpoints(&db).await {
            Ok(ids) => {
                let mut n = 0;
                for chunk in ids.chunks(parallel.max(1)) {
                    let results = futures::future::join_all(
                        chunk.iter().map(|id| send_next(&db, &client, id)),
                    )
                    .await;
                    for r in results {
                        match r {
                            Ok(true) => n += 1,
                            Ok(false) => {}
                            Err(e) => tracing::warn!(error = %e, "webhook dispatch failed"),
                        }
                    }
                }
                n
            }
            Err(e) => {
                tracing::warn!(error = %e, "webhook queue unreadable");
                0
            }
        };
        if sent > 0 {
            continue;
        }
        // Sleep until the next retry is due, a delivery is queued, or the idle poll.
        // A head that is due but was not sent is held by another node: look again soon.
        let due = next_due(&db).await.ok().flatten();
        if super::events::idle_until("webhooks", &notify, due, &mut stop).await {
            return;
        }
    }
}

/// The head of each active endpoint's queue: deliveries go out in order, so only the
/// oldest pending one of an endpoint can be due.
const QUEUE_HEADS: &str = "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.status = 'pending' AND e.active = $1
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.status = 'pending'
                       AND (p.seq < d.seq OR (p.seq = d.seq AND p.created_at < d.created_at)))";

/// When the next queue head is due (None: nothing waits).
async fn next_due(db: &Db) -> DbResult<Option<i64>> {
    db.fetch_one(
        &format!("SELECT MIN(d.next_attempt_at) AS t {QUEUE_HEADS}"),
        args![true],
    )
    .await?
    .opt_i64("t")
}

async fn due_endpoints(db: &Db) -> DbResult<Vec<String>> {
    db.fetch_all(
        &format!("SELECT DISTINCT d.endpoint_id {QUEUE_HEADS} AND d.next_attempt_at <= $2"),
        args![true, now_ms()],
    )
    .await?
    .iter()
    .map(|r| r.str("endpoint_id"))
    .collect()
}

/// Sends the oldest pending delivery of one endpoint if it is due. True when one was
/// attempted.
async fn send_next(db: &Db, client: &reqwest::Client, endpoint_id: &str) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let Some(ep) = tx
        .fetch_optional(
            &format!("SELECT url, secret, agency_id FROM webhook_endpoints WHERE id = $1{lock}"),
            args![endpoint_id],
        )
        .await?
    else {
        return Ok(false); // another node is sending to this endpoint
    };
    let Some(d) = tx
        .fetch_optional(
            "SELECT id, payload, attempts, created_at, next_attempt_at, restricted FROM webhook_deliveries
             WHERE endpoint_id = $1 AND status = 'pending' ORDER BY seq, created_at LIMIT 1",
            args![endpoint_id],
        )
        .await?
    else {
        return Ok(false);
    };
    let now = now_ms();
    if d.i64("next_attempt_at")? > now {
        return Ok(false); // in order: the head of the queue is waiting for its retry
    }
    if d.bool("restricted")? && !has_responsible_editor(&mut tx, &ep.str("agency_id")?).await? {
        tx.execute(
            "UPDATE webhook_deliveries SET status = 'withheld', last_error = $1 WHERE id = $2",
            args![WITHHELD_REASON, d.str("id")?],
        )
        .await?;
        tx.commit().await?;
        return Ok(true);
    }
    let (url, secret) = (ep.str("url")?, ep.str("secret")?);
    let (id, payload, attempts, created) = (
        d.str("id")?,
        d.str("payload")?,
        d.i64("attempts")?,
        d.i64("created_at")?,
    );
    // SQLite has one writer: do not hold the write transaction across the HTTP call.
    let tx = if tx.backend() == Backend::Sqlite {
        drop(tx);
        None
    } else {
        Some(tx)
    };
    let ts = now / 1000;
    let result = match sign(&secret, &id, ts, &payload) {
        Some(sig) => client
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(payload)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string()),
        None => Err("invalid secret".to_string()),
    };
    let mut tx = match tx {
        Some(t) => t,
        None => db.begin().await?,
    };
    let done = now_ms();
    match result {
        Ok(code) if (200..300).contains(&code) => {
            tx.execute(
                "UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, last_status = $2, delivered_at = $3, last_error = NULL WHERE id = $4",
                args![attempts + 1, code as i64, done, &id],
            )
            .await?;
        }
        failure => {
            let (code, err) = match failure {
                Ok(c) => (Some(c as i64), format!("HTTP {c}")),
                Err(e) => (None, e),
            };
            let next = done + backoff_ms(attempts);
            let status = if next - created > GIVE_UP_MS {
                "dead"
            } else {
                "pending"
            };
            tx.execute(
                "UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status = $3, last_error = $4, next_attempt_at = $5 WHERE id = $6",
                args![status, attempts + 1, code, err.chars().take(500).collect::<String>(), next, &id],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_webhooks_reference_signature() {
        // The example of the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_ms(0), 5_000);
        assert_eq!(backoff_ms(1), 10_000);
        assert_eq!(backoff_ms(3), 40_000);
        assert_eq!(backoff_ms(30), 3_600_000);
    }

    #[test]
    fn new_secrets_sign() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert!(sign(&s, "m", 1, "{}").is_some());
    }
}
