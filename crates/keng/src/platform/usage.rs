//! How the accredited press use what they are given, counted per agency and day: reads
//! of their personal feed, live-stream connections, attachment downloads. One counter
//! per (day, agency, use) in the database, raised by one upsert per use — never a
//! node's memory, so every node counts into the same numbers; the yearly review reads
//! the sums. Only uses by an account of a press agency count; a failure to count is
//! logged and never fails the request it counts.

use std::collections::HashMap;

use crate::args;
use crate::platform::clock;
use crate::platform::db::{Db, DbResult};

/// A read of a personal press feed.
pub const FEED: &str = "feed";
/// A live-stream connection.
pub const STREAM: &str = "stream";
/// An attachment downloaded.
pub const DOWNLOAD: &str = "download";

/// Counts one use by `agency_id`'s account (nothing without an agency).
pub async fn count(db: &Db, agency_id: Option<&str>, what: &str) {
    let Some(agency) = agency_id.filter(|a| !a.is_empty()) else {
        return;
    };
    let day = clock::local_day(clock::now_ms());
    let r = db
        .execute(
            "INSERT INTO press_usage (day, agency_id, what, n) VALUES ($1, $2, $3, 1)
             ON CONFLICT (day, agency_id, what) DO UPDATE SET n = press_usage.n + 1",
            args![day, agency, what],
        )
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, what, "press usage not counted");
    }
}

/// The uses in `[from, to)` (Unix milliseconds, whole days in Vietnam time): (agency id,
/// use) → count.
pub async fn sums(db: &Db, from: i64, to: i64) -> DbResult<HashMap<(String, String), i64>> {
    let (first, last) = (clock::local_day(from), clock::local_day(to - 1));
    let rows = db
        .fetch_all(
            "SELECT agency_id, what, CAST(SUM(n) AS BIGINT) AS n FROM press_usage WHERE day >= $1 AND day <= $2
             GROUP BY agency_id, what",
            args![first, last],
        )
        .await?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert((r.str("agency_id")?, r.str("what")?), r.i64("n")?);
    }
    Ok(out)
}
