//! Login throttling: failed attempts are recorded per account name and per address;
//! too many within the lockout window lock further attempts until it passes. Kept in the
//! database so every node of a cluster sees the same counts.

use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::new_id;

/// Refuses with 429 when the account or the address is locked.
pub async fn check(db: &Db, cfg: &Config, username: &str, ip: &str) -> AppResult<()> {
    let window = cfg.auth.lockout_minutes * 60_000;
    let since = now_ms() - window;
    let key = username.trim().to_ascii_lowercase();
    let by_user = failures_since(db, "username_key", &key, since).await?;
    let by_ip = failures_since(db, "ip", ip, since).await?;
    if by_user.0 >= cfg.auth.max_failures_per_account || by_ip.0 >= cfg.auth.max_failures_per_ip {
        let newest = by_user.1.max(by_ip.1);
        let retry = ((newest + window - now_ms()) / 1000).max(1);
        return Err(AppError::TooManyRequests {
            key: "err.locked_out",
            retry_after_secs: retry,
        });
    }
    Ok(())
}

/// (failures since the last success within the window, time of the newest failure).
async fn failures_since(db: &Db, column: &str, value: &str, since: i64) -> DbResult<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*) AS n, COALESCE(MAX(at), 0) AS newest FROM login_attempts
         WHERE {column} = $1 AND success = $2 AND at > $3
           AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE {column} = $1 AND success = $4), 0)"
    );
    let r = db.fetch_one(&sql, args![value, false, since, true]).await?;
    Ok((r.i64("n")?, r.i64("newest")?))
}

pub async fn record(db: &Db, username: &str, ip: &str, success: bool) -> DbResult<()> {
    db.execute(
        "INSERT INTO login_attempts (id, username_key, ip, success, at) VALUES ($1, $2, $3, $4, $5)",
        args![new_id(), username.trim().to_ascii_lowercase().chars().take(100).collect::<String>(), ip, success, now_ms()],
    )
    .await
    .map(|_| ())
}
