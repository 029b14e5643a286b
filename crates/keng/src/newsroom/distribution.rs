//! Distribution to the press, driven by the event log: a follower turns bulletin events
//! into webhook deliveries for every press agency's endpoint and into email for the
//! journalists who subscribed (instantly, or in a daily digest). What a journalist may
//! receive is decided by `visibility::seen` as for any other surface.

use std::sync::Arc;

use serde::Serialize;

use super::model::{Bulletin, State};
use super::ninjs;
use super::sanitize;
use super::store;
use super::visibility::{seen, Seen, Viewer};
use crate::args;
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult, Tx};
use crate::platform::events::{Event, Follower};
use crate::platform::i18n::{self, Lang};
use crate::platform::{mailer, webhooks};

/// The message types press systems receive.
pub fn message_type(event_kind: &str) -> Option<&'static str> {
    Some(match event_kind {
        "bulletin.press_released" => "bulletin.published",
        "bulletin.released" => "bulletin.embargo_lifted",
        "bulletin.corrected" => "bulletin.corrected",
        "bulletin.withdrawn" => "bulletin.withdrawn",
        _ => return None,
    })
}

/// What the press gets for an event, if anything: the type and the ninjs document.
pub async fn press_message(
    db: &Db,
    config: &Config,
    event: &Event,
) -> anyhow::Result<Option<(&'static str, Bulletin, Value)>> {
    let Some(kind) = message_type(&event.kind) else {
        return Ok(None);
    };
    let Some(current) = store::get(db, &event.entity_id).await? else {
        return Ok(None);
    };
    let b = as_of(current, event);
    let s = seen(&b, Viewer::Press, now_ms());
    let fits = match kind {
        "bulletin.withdrawn" => s == Seen::Tombstone,
        // An embargo lifting is news only for what was embargoed.
        "bulletin.embargo_lifted" => matches!(s, Seen::Full { .. }) && b.embargo_until.is_some(),
        _ => matches!(s, Seen::Full { .. }),
    };
    if !fits {
        return Ok(None);
    }
    let doc = ninjs::document(&b, s, &config.public_base_url, &config.site_name);
    Ok(Some((kind, b, doc)))
}

/// The bulletin as `event` left it, so that a reader who catches up later (a resumed
/// stream, a lagging follower) gets each step as it happened: a workflow event carries
/// its snapshot (`after`); a release is the published record (undoing a withdrawal that
/// came later).
fn as_of(current: Bulletin, event: &Event) -> Bulletin {
    if let Some(snapshot) = event
        .payload
        .get("after")
        .and_then(|a| serde_json::from_value::<Bulletin>(a.clone()).ok())
        .filter(|b| b.id == current.id)
    {
        return snapshot;
    }
    let mut b = current;
    if b.state == State::Withdrawn && b.withdrawn_at.is_some_and(|t| t > event.created_at) {
        b.state = State::Published;
        b.withdrawn_at = None;
        b.withdrawal_reason = None;
    }
    b
}

type Value = serde_json::Value;

/// The follower: webhooks and instant email.
pub struct Distribution {
    pub config: Arc<Config>,
}

#[async_trait::async_trait]
impl Follower for Distribution {
    fn name(&self) -> &str {
        "newsroom-distribution"
    }

    async fn handle(&self, db: &Db, event: &Event) -> anyhow::Result<()> {
        let Some((kind, b, doc)) = press_message(db, &self.config, event).await? else {
            // Another capability's news for the press (a warning…).
            if let Some(n) = crate::platform::capability::press_notice(&self.config, event) {
                return notice(db, event, &n).await;
            }
            return Ok(());
        };
        let payload = serde_json::json!({ "type": kind, "timestamp": clock::iso(event.created_at), "data": doc });
        let restricted = super::visibility::restricted(&b, now_ms());
        let mut tx = db.begin().await?;
        to_endpoints(&mut tx, event, kind, &b.id, &payload, restricted).await?;
        if kind != "bulletin.embargo_lifted" {
            for (user_id, email) in
                instant_subscribers(&mut tx, event.created_at, |s| s.matches(&b)).await?
            {
                let (subject, body) = mail_text(&self.config, kind, &b);
                mailer::enqueue(
                    &mut tx,
                    &format!("mail:{user_id}:{}", event.event_id),
                    &email,
                    &subject,
                    &body,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Queues `payload` for every agency endpoint set up before `event` happened (not the
/// backlog before), in order of the log.
async fn to_endpoints(
    tx: &mut Tx,
    event: &Event,
    kind: &str,
    subject_id: &str,
    payload: &Value,
    restricted: bool,
) -> DbResult<()> {
    for ep in webhooks::active_endpoints(tx)
        .await?
        .into_iter()
        .filter(|ep| ep.created_at <= event.created_at)
    {
        webhooks::enqueue(
            tx,
            webhooks::NewDelivery {
                endpoint_id: &ep.id,
                seq: event.id,
                dedupe_key: &format!("{}:{}", ep.id, event.event_id),
                event_type: kind,
                subject_id: Some(subject_id),
                payload,
                restricted,
            },
        )
        .await?;
    }
    Ok(())
}

/// Another capability's news on the same channels: every agency endpoint, and instant
/// email to those who asked for everything (no category chosen) before it happened.
async fn notice(
    db: &Db,
    event: &Event,
    n: &crate::platform::capability::PressNotice,
) -> anyhow::Result<()> {
    let payload = serde_json::json!({ "type": n.kind, "timestamp": clock::iso(event.created_at), "data": n.document });
    let mut tx = db.begin().await?;
    to_endpoints(&mut tx, event, n.kind, &n.subject_id, &payload, false).await?;
    // Those who asked for everything (no category chosen).
    for (user_id, email) in
        instant_subscribers(&mut tx, event.created_at, |s| s.categories.is_empty()).await?
    {
        mailer::enqueue(
            &mut tx,
            &format!("mail:{user_id}:{}", event.event_id),
            &email,
            &n.mail_subject,
            &n.mail_body,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Accredited journalists (and staff) with an email who asked, before `since`, for
/// instant mail, whose subscription `wants` the news (a bulletin's category…).
async fn instant_subscribers(
    tx: &mut Tx,
    since: i64,
    wants: impl Fn(&Subscription) -> bool,
) -> DbResult<Vec<(String, String)>> {
    let rows = tx
        .fetch_all(
            "SELECT u.id, u.email, s.mode, s.categories, s.unit_ids FROM subscriptions s JOIN users u ON u.id = s.user_id
             WHERE s.mode = 'instant' AND u.status = 'active' AND u.email IS NOT NULL AND s.updated_at <= $1",
            args![since],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        if wants(&Subscription::from_row(&r)?) {
            if let Some(email) = r.opt_str("email")? {
                out.push((r.str("id")?, email));
            }
        }
    }
    Ok(out)
}

/// Subject and plain-text body of a bulletin email (Vietnamese).
pub fn mail_text(config: &Config, kind: &str, b: &Bulletin) -> (String, String) {
    let label = match kind {
        "bulletin.corrected" => "ĐÍNH CHÍNH",
        "bulletin.withdrawn" => "GỠ TIN",
        _ => "TIN MỚI",
    };
    let embargo = b
        .embargo_until
        .filter(|t| *t > now_ms())
        .map(|t| format!(" — CẤM ĐĂNG TRƯỚC {}", clock::format_datetime(t)))
        .unwrap_or_default();
    let subject = format!("[{}] {label}: {}{embargo}", config.site_name, b.title);
    let link = format!(
        "{}/tin/{}",
        config.public_base_url.trim_end_matches('/'),
        b.id
    );
    let body = match kind {
        "bulletin.withdrawn" => format!(
            "{}\n\nTin đã được gỡ. Lý do: {}\nĐề nghị các cơ quan báo chí gỡ hoặc cập nhật tin đã đăng.\n\n{link}\n",
            b.title,
            b.withdrawal_reason.clone().unwrap_or_default()
        ),
        _ => {
            let mut s = String::new();
            if let Some(n) = b.correction_note.as_ref().filter(|_| kind == "bulletin.corrected") {
                s.push_str(&format!("ĐÍNH CHÍNH: {n}\n\n"));
            }
            if !embargo.is_empty() {
                s.push_str(&format!("CẤM ĐĂNG TRƯỚC: chỉ được đăng, phát từ {}.\n\n", clock::format_datetime(b.embargo_until.unwrap_or(0))));
            }
            s.push_str(&format!(
                "{}\n{} · {}\n\n{}\n\n{}\n\n{link}\n",
                b.title,
                i18n::t(Lang::Vi, &format!("kind.{}", b.kind)),
                i18n::t(Lang::Vi, &format!("category.{}", b.category)),
                b.summary,
                sanitize::plain(&b.body_html)
            ));
            s
        }
    };
    (subject, body)
}

// ---------- subscriptions ----------

#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    /// off, instant or digest.
    pub mode: String,
    /// Category codes; empty for all.
    pub categories: Vec<String>,
    /// Unit ids; empty for all.
    pub unit_ids: Vec<String>,
}

impl Subscription {
    fn from_row(r: &crate::platform::db::Row) -> DbResult<Subscription> {
        let list = |s: String| {
            s.lines()
                .map(str::to_string)
                .filter(|s| !s.is_empty())
                .collect()
        };
        Ok(Subscription {
            mode: r.str("mode")?,
            categories: list(r.str("categories")?),
            unit_ids: list(r.str("unit_ids")?),
        })
    }

    /// Does a bulletin fall under this subscription's categories and units?
    pub fn matches(&self, b: &Bulletin) -> bool {
        let category = self.categories.is_empty() || self.categories.contains(&b.category);
        let unit = self.unit_ids.is_empty()
            || b.unit_id
                .as_ref()
                .is_some_and(|u| self.unit_ids.contains(u))
            || b.unit_ids.iter().any(|u| self.unit_ids.contains(u));
        category && unit
    }
}

pub const MODES: [&str; 3] = ["off", "instant", "digest"];

pub async fn subscription(db: &Db, user_id: &str) -> DbResult<Subscription> {
    match db
        .fetch_optional(
            "SELECT mode, categories, unit_ids FROM subscriptions WHERE user_id = $1",
            args![user_id],
        )
        .await?
    {
        Some(r) => Subscription::from_row(&r),
        None => Ok(Subscription {
            mode: "off".into(),
            categories: Vec::new(),
            unit_ids: Vec::new(),
        }),
    }
}

pub async fn set_subscription(tx: &mut Tx, user_id: &str, sub: &Subscription) -> DbResult<()> {
    tx.execute(
        "INSERT INTO subscriptions (user_id, mode, categories, unit_ids, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, categories = excluded.categories,
           unit_ids = excluded.unit_ids, updated_at = excluded.updated_at",
        args![user_id, &sub.mode, sub.categories.join("\n"), sub.unit_ids.join("\n"), now_ms()],
    )
    .await
    .map(|_| ())
}

/// Once a day at `newsroom.digest_hour` (Vietnam time), one email per digest subscriber
/// with what reached the press since their last digest.
pub async fn digest_loop(
    db: Db,
    config: Arc<Config>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = send_digests(&db, &config, now_ms()).await {
            tracing::warn!(error = %e, "digest failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {},
            _ = stop.changed() => return,
        }
    }
}

/// Queues the digests due at `now` (idempotent per user and day).
pub async fn send_digests(db: &Db, config: &Config, now: i64) -> anyhow::Result<usize> {
    let Some(today_at) = clock::today_at_hour(now, super::settings::of(config).digest_hour) else {
        return Ok(0);
    };
    if now < today_at {
        return Ok(0);
    }
    let rows = db
        .fetch_all(
            "SELECT u.id, u.email, s.mode, s.categories, s.unit_ids, s.last_digest_at FROM subscriptions s JOIN users u ON u.id = s.user_id
             WHERE s.mode = 'digest' AND u.status = 'active' AND u.email IS NOT NULL AND COALESCE(s.last_digest_at, 0) < $1",
            args![today_at],
        )
        .await?;
    let mut queued = 0;
    for r in rows {
        let since = r
            .opt_i64("last_digest_at")?
            .unwrap_or(today_at - 86_400_000);
        let sub = Subscription::from_row(&r)?;
        let filter = store::ListFilter {
            from_ms: Some(since),
            limit: 200,
            ..Default::default()
        };
        let items: Vec<Bulletin> = store::list(db, Viewer::Press, &filter, false)
            .await?
            .into_iter()
            .filter(|b| sub.matches(b))
            .collect();
        let user_id = r.str("id")?;
        let mut tx = db.begin().await?;
        if !items.is_empty() {
            let mut body = format!(
                "Tin gửi báo chí từ {} đến {}:\n\n",
                clock::format_datetime(since),
                clock::format_datetime(now)
            );
            for b in &items {
                body.push_str(&format!(
                    "- {} ({})\n  {}/tin/{}\n",
                    b.title,
                    clock::format_datetime(b.shown_at()),
                    config.public_base_url.trim_end_matches('/'),
                    b.id
                ));
            }
            let subject = format!(
                "[{}] Điểm tin ngày {} ({} tin)",
                config.site_name,
                clock::format_date(now),
                items.len()
            );
            let email = r.opt_str("email")?.unwrap_or_default();
            mailer::enqueue(
                &mut tx,
                &format!("digest:{user_id}:{}", clock::format_date(now)),
                &email,
                &subject,
                &body,
            )
            .await?;
            queued += 1;
        }
        tx.execute(
            "UPDATE subscriptions SET last_digest_at = $1 WHERE user_id = $2",
            args![now, &user_id],
        )
        .await?;
        tx.commit().await?;
    }
    Ok(queued)
}
