//! Email: a durable outbox and a sender. Followers of the event log queue messages in
//! `mail_outbox` (once per dedupe key); the sender delivers them over SMTP (lettre) with
//! retries and backoff, so a crash or an SMTP outage delays mail but never loses it.
//! With no SMTP host configured, messages wait in the outbox.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::clock::now_ms;
use super::config::SmtpConfig;
use super::db::{Backend, Db, DbResult, Tx};
use super::ids::new_id;
use crate::args;

const GIVE_UP_MS: i64 = 24 * 3_600_000;

/// Queues one message (once per `dedupe_key`).
pub async fn enqueue(
    tx: &mut Tx,
    dedupe_key: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> DbResult<()> {
    let now = now_ms();
    tx.mark_wake();
    tx.execute(
        "INSERT INTO mail_outbox (id, dedupe_key, to_addr, subject, body_text, created_at, next_attempt_at, attempts, dead)
         VALUES ($1, $2, $3, $4, $5, $6, $6, 0, $7) ON CONFLICT (dedupe_key) DO NOTHING",
        args![new_id(), dedupe_key, to, subject, body, now, false],
    )
    .await
    .map(|_| ())
}

fn transport(cfg: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let builder = match cfg.security.as_str() {
        "tls" => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host).map_err(|e| e.to_string())?
        }
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
            .map_err(|e| e.to_string())?,
        _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
    };
    let mut builder = builder
        .port(cfg.port)
        .timeout(Some(Duration::from_secs(20)));
    if !cfg.username.is_empty() {
        builder = builder.credentials(Credentials::new(cfg.username.clone(), cfg.password.clone()));
    }
    Ok(builder.build())
}

/// Sends due messages until `stop`.
pub async fn send_loop(db: Db, cfg: SmtpConfig, mut stop: tokio::sync::watch::Receiver<bool>) {
    if cfg.host.is_empty() {
        tracing::info!("no SMTP host configured: email waits in the outbox");
        return;
    }
    let mailer = match transport(&cfg) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "SMTP configuration unusable");
            return;
        }
    };
    let notify = super::events::register_waker();
    loop {
        match send_some(&db, &cfg, &mailer).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail outbox unreadable"),
        }
        // Sleep until the next retry is due, a new message is queued, or the idle poll.
        let due = next_due(&db).await.ok().flatten();
        if super::events::idle_until("mailer", &notify, due, &mut stop).await {
            return;
        }
    }
}

/// When the next message waiting in the outbox is due (None: none waits).
async fn next_due(db: &Db) -> DbResult<Option<i64>> {
    db.fetch_one(
        "SELECT MIN(next_attempt_at) AS t FROM mail_outbox WHERE sent_at IS NULL AND dead = $1",
        args![false],
    )
    .await?
    .opt_i64("t")
}

/// Claims and sends up to 50 due messages; returns how many were attempted.
async fn send_some(
    db: &Db,
    cfg: &SmtpConfig,
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
) -> anyhow::Result<usize> {
    let now = now_ms();
    // Claim: push the next attempt a minute ahead so no other node picks them meanwhile.
    let mut tx = db.begin().await?;
    let lock = if tx.backend() == Backend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT id, to_addr, subject, body_text, attempts, created_at FROM mail_outbox
                 WHERE sent_at IS NULL AND dead = $1 AND next_attempt_at <= $2 ORDER BY created_at LIMIT 50{lock}"
            ),
            args![false, now],
        )
        .await?;
    for r in &rows {
        tx.execute(
            "UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = $2",
            args![now + 60_000, r.str("id")?],
        )
        .await?;
    }
    tx.commit().await?;
    for r in &rows {
        let id = r.str("id")?;
        let result = async {
            let msg = Message::builder()
                .from(cfg.from.parse().map_err(|e| format!("from: {e}"))?)
                .to(r
                    .str("to_addr")
                    .map_err(|e| e.to_string())?
                    .parse()
                    .map_err(|e| format!("to: {e}"))?)
                .subject(r.str("subject").map_err(|e| e.to_string())?)
                .header(ContentType::TEXT_PLAIN)
                .body(r.str("body_text").map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            mailer.send(msg).await.map_err(|e| e.to_string())
        }
        .await;
        let mut tx = db.begin().await?;
        match result {
            Ok(_) => {
                tx.execute("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2", args![now_ms(), &id])
                    .await?;
            }
            Err(e) => {
                let attempts = r.i64("attempts")? + 1;
                let next = now_ms() + super::webhooks::backoff_ms(attempts - 1);
                let dead = next - r.i64("created_at")? > GIVE_UP_MS || e.starts_with("to:");
                tx.execute(
                    "UPDATE mail_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, dead = $4 WHERE id = $5",
                    args![attempts, next, e.chars().take(500).collect::<String>(), dead, &id],
                )
                .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(rows.len())
}
