//! Server-side sessions: the cookie holds a random id, the database its SHA-256 hash,
//! the user, a CSRF token and whether the second factor is still due. Sessions of an
//! account that is no longer active are ignored at once (the lookup joins the account)
//! and deleted when the account leaves `active`.

use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult, Tx};
use crate::platform::ids::{hash_secret, random_secret};

pub const COOKIE: &str = "keng_session";
pub const ANON_CSRF_COOKIE: &str = "keng_csrf";

/// A live session as found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub csrf: String,
    pub mfa_pending: bool,
}

/// Opens a session; returns the cookie value and the session.
pub async fn create(
    db: &Db,
    cfg: &Config,
    user_id: &str,
    ip: Option<&str>,
    user_agent: Option<&str>,
    mfa_pending: bool,
) -> DbResult<(String, Session)> {
    let secret = random_secret();
    let id_hash = hash_secret(&secret);
    let csrf = random_secret();
    let now = now_ms();
    let expires = now + cfg.auth.session_max_hours * 3_600_000;
    db.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_pending, ip, user_agent, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        args![&id_hash, user_id, &csrf, mfa_pending, ip, user_agent.map(|u| u.chars().take(300).collect::<String>()), now, expires],
    )
    .await?;
    Ok((
        secret,
        Session {
            id_hash,
            user_id: user_id.to_string(),
            csrf,
            mfa_pending,
        },
    ))
}

/// Finds the live session of a cookie value, refreshing its last-seen time at most once
/// a minute.
pub async fn lookup(db: &Db, cfg: &Config, cookie: &str) -> DbResult<Option<Session>> {
    let id_hash = hash_secret(cookie);
    let now = now_ms();
    let idle_limit = now - cfg.auth.session_idle_minutes * 60_000;
    let Some(r) = db
        .fetch_optional(
            "SELECT s.id_hash, s.user_id, s.csrf_token, s.mfa_pending, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.status = 'active'",
            args![&id_hash, now, idle_limit],
        )
        .await?
    else {
        return Ok(None);
    };
    if r.i64("last_seen_at")? < now - 60_000 {
        db.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
            args![now, &id_hash],
        )
        .await?;
    }
    Ok(Some(Session {
        id_hash,
        user_id: r.str("user_id")?,
        csrf: r.str("csrf_token")?,
        mfa_pending: r.bool("mfa_pending")?,
    }))
}

/// Marks the second factor as done.
pub async fn complete_mfa(db: &Db, id_hash: &str) -> DbResult<()> {
    db.execute(
        "UPDATE sessions SET mfa_pending = $1 WHERE id_hash = $2",
        args![false, id_hash],
    )
    .await
    .map(|_| ())
}

/// Ends a session inside the caller's transaction (which records `session.closed`, so
/// live streams opened with it end too).
pub async fn destroy(tx: &mut Tx, id_hash: &str) -> DbResult<()> {
    tx.execute("DELETE FROM sessions WHERE id_hash = $1", args![id_hash])
        .await
        .map(|_| ())
}

/// Removes expired sessions and old login attempts (run periodically).
pub async fn sweep(db: &Db, cfg: &Config) -> DbResult<()> {
    let now = now_ms();
    db.execute(
        "DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2",
        args![now, now - cfg.auth.session_idle_minutes * 60_000],
    )
    .await?;
    // Failures matter for the throttling window; successes mark known addresses longer.
    db.execute(
        "DELETE FROM login_attempts WHERE (success = $1 AND at < $2) OR (success = $3 AND at < $4)",
        args![
            false,
            now - super::ratelimit::KEEP_FAILURE_MS,
            true,
            now - super::ratelimit::KEEP_SUCCESS_MS
        ],
    )
    .await?;
    Ok(())
}

/// The Set-Cookie value for a session cookie (or its removal when `value` is empty).
pub fn cookie_header(name: &str, value: &str, cfg: &Config, http_only: bool) -> String {
    let secure = if cfg.secure_cookies() { "; Secure" } else { "" };
    let http_only = if http_only { "; HttpOnly" } else { "" };
    if value.is_empty() {
        format!("{name}=; Path=/; Max-Age=0; SameSite=Lax{http_only}{secure}")
    } else {
        let max_age = cfg.auth.session_max_hours * 3600;
        format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax{http_only}{secure}")
    }
}
