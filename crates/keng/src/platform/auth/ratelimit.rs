//! Sign-in and registration throttling, kept in the database so every node of a cluster
//! sees the same counts (docs/adr/0003-sign-in-throttling.md).
//!
//! Sign-in: failed attempts (wrong password, wrong TOTP code, a disabled account) are
//! counted over a sliding window (`auth.lockout_minutes`) three ways, and no success
//! resets any count:
//! - per address, whatever the account (`auth.max_failures_per_ip`);
//! - per (address, account) pair (`auth.max_failures_per_account_and_ip`): an address
//!   guessing at one account stops there, without locking the account for anyone else;
//! - per account over all addresses (`auth.max_failures_per_account`): past it, every
//!   attempt from an address that never completed a sign-in to that account is slowed
//!   down ([`UNDER_ATTACK_DELAY`]) but never refused, so a distributed guess is slowed
//!   while no stranger can lock the owner out — not even on a new network; the owner's
//!   known addresses are not slowed.
//!
//! Registration: journalist self-registrations sent from one address within
//! `auth.registration_window_minutes` (counted in the audit log).

use std::net::IpAddr;

use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::new_id;

/// The key an address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber
/// usually holds a whole /64, so single IPv6 addresses cost an attacker nothing).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

fn account_key(username: &str) -> String {
    username
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take(100)
        .collect()
}

/// The wait before an attempt on an account under a distributed guess, from an address
/// that never signed in to it.
pub const UNDER_ATTACK_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

/// Refuses with 429 when this address, or this address at this account, has failed too
/// often within the window; otherwise says how long to wait before checking the
/// password (zero, or [`UNDER_ATTACK_DELAY`] for an account under a distributed guess).
pub async fn check(
    db: &Db,
    cfg: &Config,
    username: &str,
    ip: &str,
) -> AppResult<std::time::Duration> {
    let window = cfg.auth.lockout_minutes * 60_000;
    let since = now_ms() - window;
    let (user, addr) = (account_key(username), address_key(ip));
    // The newest "oldest failure" among the limits reached: when it leaves the window,
    // every limit reached has a free slot again.
    let mut blocked_since: Option<i64> = None;
    let mut reached = |(n, oldest): (i64, i64), limit: i64| {
        if n >= limit {
            blocked_since = Some(blocked_since.map_or(oldest, |b| b.max(oldest)));
        }
    };
    let (a, u) = (addr.as_str(), user.as_str());
    let by_address = failures(db, "ip = $1", args![a, false, since]).await?;
    reached(by_address, cfg.auth.max_failures_per_ip);
    let by_pair = failures(
        db,
        "ip = $1 AND username_key = $4",
        args![a, false, since, u],
    )
    .await?;
    reached(by_pair, cfg.auth.max_failures_per_account_and_ip);
    if let Some(oldest) = blocked_since {
        return Err(AppError::TooManyRequests {
            key: "err.locked_out",
            // The window slides: a slot frees when the oldest failure counted leaves it.
            retry_after_secs: ((oldest + window - now_ms()) / 1000).max(1),
        });
    }
    let by_account = failures(db, "username_key = $1", args![u, false, since]).await?;
    if by_account.0 >= cfg.auth.max_failures_per_account && !known_address(db, u, a).await? {
        return Ok(UNDER_ATTACK_DELAY);
    }
    Ok(std::time::Duration::ZERO)
}

/// (failures within the window, time of the oldest of them) matching `filter`, whose
/// `$2` is `false` (success) and `$3` the window's start.
async fn failures(
    db: &Db,
    filter: &str,
    args: &[crate::platform::db::Value],
) -> DbResult<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS oldest FROM login_attempts
         WHERE {filter} AND success = $2 AND at > $3"
    );
    let r = db.fetch_one(&sql, args).await?;
    Ok((r.i64("n")?, r.i64("oldest")?))
}

/// True when this address completed a sign-in to this account (kept 90 days).
async fn known_address(db: &Db, user: &str, addr: &str) -> DbResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT 1 AS one FROM login_attempts WHERE username_key = $1 AND ip = $2 AND success = $3 LIMIT 1",
            args![user, addr, true],
        )
        .await?
        .is_some())
}

/// Records a sign-in attempt. `success` only once the sign-in is complete (after the
/// second factor when the account has one): it makes the address a known one for the
/// account; it never clears failures.
pub async fn record(db: &Db, username: &str, ip: &str, success: bool) -> DbResult<()> {
    db.execute(
        "INSERT INTO login_attempts (id, username_key, ip, success, at) VALUES ($1, $2, $3, $4, $5)",
        args![
            new_id(),
            account_key(username),
            address_key(ip),
            success,
            now_ms()
        ],
    )
    .await
    .map(|_| ())
}

/// How long successful sign-ins are remembered (known addresses) and failures kept.
pub const KEEP_SUCCESS_MS: i64 = 90 * 24 * 3_600_000;
pub const KEEP_FAILURE_MS: i64 = 7 * 24 * 3_600_000;

/// Refuses with 429 when this address sent too many registrations within the window.
pub async fn check_registration(db: &Db, cfg: &Config, ip: &str) -> AppResult<()> {
    let window = cfg.auth.registration_window_minutes * 60_000;
    let r = db
        .fetch_one(
            "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS oldest FROM audit_log
             WHERE at > $1 AND ip = $2 AND action IN ('user.registered', 'user.registration_refused')",
            args![now_ms() - window, ip],
        )
        .await?;
    if r.i64("n")? >= cfg.auth.max_registrations_per_ip {
        return Err(AppError::TooManyRequests {
            key: "err.too_many_registrations",
            retry_after_secs: ((r.i64("oldest")? + window - now_ms()) / 1000).max(1),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::address_key;

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2::ff"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:198.51.100.1"), "198.51.100.1");
    }
}
