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
//!
//! Destinations: an agency editor chooses the URL, so it must not reach inside the
//! police network. Loopback, private, link-local (cloud metadata at 169.254.169.254),
//! CGNAT, unique-local, multicast, unspecified and other special-purpose addresses are
//! refused when the URL is set ([`check_destination`]) and again when connecting: the
//! dispatcher's client resolves names through [`GuardedResolver`], which drops such
//! addresses after DNS resolution (so a name that later resolves inward — DNS rebinding
//! — still cannot be reached), and IP-literal URLs are checked before sending. Proxies
//! from the environment are not used (they would resolve the name themselves). An
//! operator may allow addresses or ranges with `[webhooks] allow_private`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
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

/// An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Special-purpose ranges a webhook may not reach (IANA special-purpose registries).
const FORBIDDEN: &[&str] = &[
    "0.0.0.0/8",       // "this network", unspecified
    "10.0.0.0/8",      // private
    "100.64.0.0/10",   // carrier-grade NAT
    "127.0.0.0/8",     // loopback
    "169.254.0.0/16",  // link-local, cloud metadata
    "172.16.0.0/12",   // private
    "192.0.0.0/24",    // IETF protocol assignments
    "192.0.2.0/24",    // documentation
    "192.88.99.0/24",  // 6to4 relay
    "192.168.0.0/16",  // private
    "198.18.0.0/15",   // benchmarking
    "198.51.100.0/24", // documentation
    "203.0.113.0/24",  // documentation
    "224.0.0.0/4",     // multicast
    "240.0.0.0/4",     // reserved, broadcast
    "::/128",          // unspecified
    "::1/128",         // loopback
    "::/96",           // IPv4-compatible (deprecated)
    "64:ff9b::/96",    // NAT64 to any IPv4, internal included
    "64:ff9b:1::/48",  // local NAT64
    "100::/64",        // discard
    "2001::/23",       // IETF protocol assignments (Teredo, ORCHID…)
    "2001:db8::/32",   // documentation
    "2002::/16",       // 6to4 (embeds any IPv4)
    "fc00::/7",        // unique local
    "fe80::/10",       // link-local
    "fec0::/10",       // site-local (deprecated)
    "ff00::/8",        // multicast
];

/// True when a webhook may connect to `ip` under the operator's allow-list.
pub fn destination_allowed(ip: IpAddr, allow: &[Cidr]) -> bool {
    let ip = canonical(ip);
    if allow.iter().any(|c| c.contains(ip)) {
        return true;
    }
    !FORBIDDEN
        .iter()
        .filter_map(|c| Cidr::parse(c))
        .any(|c| c.contains(ip))
}

/// The operator's allow-list (`[webhooks] allow_private`), parsed (bad entries are
/// refused when the configuration loads).
pub fn allow_list(cfg: &super::config::WebhookConfig) -> Vec<Cidr> {
    cfg.allow_private
        .iter()
        .filter_map(|c| Cidr::parse(c))
        .collect()
}

/// Checks a webhook URL an agency sets: http(s), a host, at most 500 characters, and no
/// internal destination — an IP literal is checked as it is, a name by what it resolves
/// to now (the dispatcher checks again at every connection).
pub async fn check_destination(url: &str, allow: &[Cidr]) -> Result<(), &'static str> {
    let parsed = match url::Url::parse(url) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https") && u.host().is_some() && url.len() <= 500 =>
        {
            u
        }
        _ => return Err("err.url"),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("err.url");
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match parsed.host() {
        Some(url::Host::Ipv4(v4)) => vec![IpAddr::V4(v4)],
        Some(url::Host::Ipv6(v6)) => vec![IpAddr::V6(v6)],
        Some(url::Host::Domain(name)) => {
            let lookup = tokio::net::lookup_host((name.to_string(), port));
            match tokio::time::timeout(Duration::from_secs(5), lookup).await {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                // Not resolvable now: accepted; every connection is checked anyway.
                _ => Vec::new(),
            }
        }
        None => return Err("err.url"),
    };
    if addrs.iter().any(|ip| !destination_allowed(*ip, allow)) {
        return Err("err.webhook_internal_destination");
    }
    Ok(())
}

/// The dispatcher's DNS resolver: the system's answer without internal addresses.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub allow: Arc<Vec<Cidr>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.clone(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|a| destination_allowed(a.ip(), &allow))
                .collect();
            if allowed.is_empty() {
                return Err(format!("{host}: refused, resolves only to internal addresses").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// Refuses an IP-literal URL to an internal address (names go through the resolver).
fn literal_refused(url: &str, allow: &[Cidr]) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let ip = match parsed.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(_) => return None,
    };
    (!destination_allowed(ip, allow)).then(|| format!("{ip}: refused, an internal address"))
}

/// The HTTP client webhooks are sent with: no redirects, no proxies, names resolved
/// through [`GuardedResolver`].
pub fn client(allow: Arc<Vec<Cidr>>) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow }))
        .user_agent("Keng-Webhooks/1")
        .build()
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
    pub subject_id: Option<&'a str>,
    pub payload: &'a serde_json::Value,
    /// Goes beyond what the public may read (see the module comment).
    pub restricted: bool,
}

/// Queues one delivery (once per `dedupe_key`).
pub async fn enqueue(tx: &mut Tx, d: NewDelivery<'_>) -> DbResult<()> {
    let now = now_ms();
    tx.mark_wake();
    tx.execute(
        "INSERT INTO webhook_deliveries (id, endpoint_id, seq, dedupe_key, event_type, subject_id, payload, status, attempts, next_attempt_at, created_at, restricted)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
        args![new_id(), d.endpoint_id, d.seq, d.dedupe_key, d.event_type, d.subject_id, d.payload.to_string(), now, d.restricted],
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
    pub subject_id: Option<String>,
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
            subject_id: r.opt_str("subject_id")?,
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

const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, e.agency_id, d.event_type, d.subject_id, d.status, d.attempts, d.last_status,
     d.last_error, d.created_at, d.delivered_at, d.next_attempt_at";

/// The delivery log of one record (a bulletin…): which agency got what, when; failures.
pub async fn deliveries_of(db: &Db, subject_id: &str) -> DbResult<Vec<Delivery>> {
    db.fetch_all(
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE d.subject_id = $1 ORDER BY d.seq, e.agency_id"
        ),
        args![subject_id],
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
pub async fn dispatch_loop(
    db: Db,
    parallel: usize,
    allow: Vec<Cidr>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let allow = Arc::new(allow);
    let client = match client(allow.clone()) {
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
                        chunk.iter().map(|id| send_next(&db, &client, &allow, id)),
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
async fn send_next(
    db: &Db,
    client: &reqwest::Client,
    allow: &[Cidr],
    endpoint_id: &str,
) -> anyhow::Result<bool> {
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
    let result = match (
        literal_refused(&url, allow),
        sign(&secret, &id, ts, &payload),
    ) {
        (Some(refused), _) => Err(refused),
        (None, Some(sig)) => client
            .post(&url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .body(payload)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| error_chain(&e)),
        (None, None) => Err("invalid secret".to_string()),
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

/// An error with its causes (the resolver's refusal sits below "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_destinations_are_refused_unless_allowed() {
        let none: Vec<Cidr> = Vec::new();
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            let ip: IpAddr = bad.parse().unwrap();
            assert!(!destination_allowed(ip, &none), "{bad}");
        }
        for good in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111"] {
            let ip: IpAddr = good.parse().unwrap();
            assert!(destination_allowed(ip, &none), "{good}");
        }
        let allow = vec![
            Cidr::parse("127.0.0.1/8").unwrap(),
            Cidr::parse("10.1.2.3").unwrap(),
        ];
        assert!(destination_allowed("127.0.0.1".parse().unwrap(), &allow));
        assert!(destination_allowed("10.1.2.3".parse().unwrap(), &allow));
        assert!(!destination_allowed("10.1.2.4".parse().unwrap(), &allow));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
        assert!(Cidr::parse("fd00::/8").is_some());
    }

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
