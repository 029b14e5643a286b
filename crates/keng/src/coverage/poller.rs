//! The press monitor's background loop. Every node runs it; the work is shared through
//! leases in the database (a feed or an article is taken by the node whose conditional
//! UPDATE claimed it, for a few minutes), so no feed is read and no article fetched by
//! two nodes at once, and an article's address is stored once (its UNIQUE key) — it is
//! fetched once. A round reads the feeds that are due, stores the new items, then
//! fetches waiting articles, extracts their text and matches them: sure matches become
//! coverage, doubtful ones wait for a person. Errors are kept per feed and per article
//! and delay the next try (doubling, up to a day; Retry-After obeyed); the loop never
//! stops for them. With nothing due it sleeps until the next tick or until asked to
//! read a feed now.

use std::sync::Arc;
use std::time::Duration;

use keng_match::{Reason, Thresholds, Verdict};
use tokio::sync::Notify;

use super::fetch::{Fetched, Fetcher};
use super::matching::Matcher;
use super::parse::{items, page};
use super::settings;
use super::store::{self, Article, Feed, Found};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::ids::new_id;

/// How long a claim on a feed or an article lasts.
const LEASE_MS: i64 = 5 * 60_000;
/// Attempts at an article page before matching on what the feed said of it.
const ATTEMPTS: i64 = 3;

/// What the loop needs, shared with the handlers that wake it.
#[derive(Clone)]
pub struct Monitor {
    pub fetcher: Arc<Fetcher>,
    pub matcher: Arc<Matcher>,
    pub wake: Arc<Notify>,
}

pub async fn run(
    db: Db,
    config: Arc<Config>,
    m: Monitor,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let tick = Duration::from_secs(settings::of(&config).tick_seconds);
    loop {
        let busy = match round(&db, &config, &m).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "press monitor round failed");
                false
            }
        };
        if *stop.borrow() {
            return;
        }
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {},
            _ = m.wake.notified() => {},
            _ = stop.changed() => return,
        }
    }
}

/// What must still hold of a row when it is claimed: the list a node read may be stale
/// by then (another node may have read the feed or fetched the article and released
/// its lease meanwhile).
const STILL_DUE: &[(&str, &str)] = &[
    ("press_feeds", "active = TRUE AND next_fetch_at <= $3"),
    ("press_articles", "state = 'new'"),
];

/// Claims a row of `table` for this node: true when this node got it, and the row was
/// still waiting for this work.
async fn claim(db: &Db, table: &str, id: &str, now: i64) -> AppResult<bool> {
    let due = STILL_DUE
        .iter()
        .find(|(t, _)| *t == table)
        .map_or("TRUE", |(_, c)| *c);
    let n = db
        .execute(
            &format!("UPDATE {table} SET lease_until = $2 WHERE id = $1 AND (lease_until IS NULL OR lease_until < $3) AND {due}"),
            args![id, now + LEASE_MS, now],
        )
        .await?;
    Ok(n == 1)
}

/// One round: due feeds, then waiting articles. Returns how much was done.
pub async fn round(db: &Db, config: &Config, m: &Monitor) -> AppResult<usize> {
    let s = settings::of(config);
    let now = now_ms();
    let mut done = 0;
    let due = db
        .fetch_all(
            "SELECT id FROM press_feeds WHERE active = TRUE AND next_fetch_at <= $1
               AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_fetch_at LIMIT 10",
            args![now],
        )
        .await?;
    for r in due {
        let id = r.str("id")?;
        if claim(db, "press_feeds", &id, now).await? {
            if let Some(f) = store::feed(db, &id).await? {
                read_feed(db, s, m, &f).await?;
                done += 1;
            }
        }
    }
    let waiting = db
        .fetch_all(
            &format!(
                "SELECT id FROM press_articles WHERE state = 'new' AND (lease_until IS NULL OR lease_until < $1)
                  ORDER BY found_at LIMIT {}",
                s.articles_per_round.clamp(1, 500)
            ),
            args![now],
        )
        .await?;
    for r in waiting {
        let id = r.str("id")?;
        if claim(db, "press_articles", &id, now).await? {
            if let Some(a) = db
                .fetch_optional("SELECT * FROM press_articles WHERE id = $1", args![&id])
                .await?
            {
                read_article(db, m, &Article::from_row(&a)?).await?;
                done += 1;
            }
        }
    }
    Ok(done)
}

/// The wait after `failures` failures in a row: the poll interval doubled each time, at
/// most a day.
fn backoff_ms(poll_ms: i64, failures: i64) -> i64 {
    (poll_ms.saturating_mul(1 << failures.clamp(0, 10))).min(86_400_000)
}

async fn read_feed(db: &Db, s: &settings::Settings, m: &Monitor, f: &Feed) -> AppResult<()> {
    let now = now_ms();
    let poll_ms = (s.poll_seconds as i64).saturating_mul(1000);
    let fetched = m
        .fetcher
        .get(&f.url, f.etag.as_deref(), f.last_modified.as_deref())
        .await;
    let failed = move |status: Option<i64>, error: String, wait: i64| async move {
        db.execute(
            "UPDATE press_feeds SET failures = failures + 1, last_status = $2, last_error = $3, last_fetched_at = $4,
               next_fetch_at = $5, lease_until = NULL WHERE id = $1",
            args![&f.id, status, error, now, now + wait],
        )
        .await
    };
    match fetched {
        Fetched::NotModified => {
            db.execute(
                "UPDATE press_feeds SET failures = 0, last_status = 304, last_error = NULL, last_fetched_at = $2,
                   next_fetch_at = $3, lease_until = NULL WHERE id = $1",
                args![&f.id, now, now + poll_ms],
            )
            .await?;
        }
        Fetched::Body {
            bytes,
            etag,
            last_modified,
            ..
        } => match items(&bytes, &f.url) {
            Ok(list) => {
                let mut tx = db.begin().await?;
                let mut found = 0i64;
                for it in &list {
                    found += tx
                        .execute(
                            "INSERT INTO press_articles (id, feed_id, agency_id, url, title, author, summary, published_at, found_at, state)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new') ON CONFLICT (url) DO NOTHING",
                            args![new_id(), &f.id, &f.agency_id, &it.url, it.title.chars().take(500).collect::<String>(),
                                  it.author.clone(), it.summary.as_ref().map(|s| s.chars().take(5000).collect::<String>()),
                                  it.published_at, now],
                        )
                        .await? as i64;
                }
                tx.execute(
                    "UPDATE press_feeds SET failures = 0, last_status = 200, last_error = NULL, last_fetched_at = $2,
                       next_fetch_at = $3, lease_until = NULL, etag = $4, last_modified = $5, items_seen = items_seen + $6
                     WHERE id = $1",
                    args![&f.id, now, now + poll_ms, etag, last_modified, found],
                )
                .await?;
                if found > 0 {
                    record_change(
                        &mut tx,
                        &Origin::system("press-monitor"),
                        "press_feed.read",
                        "press_feed",
                        &f.id,
                        None,
                        Some(serde_json::json!({"url": f.url, "new_articles": found, "items": list.len()})),
                    )
                    .await?;
                }
                tx.commit().await?;
                if found > 0 {
                    m.wake.notify_one();
                }
            }
            Err(e) => {
                failed(Some(200), e, backoff_ms(poll_ms, f.failures)).await?;
            }
        },
        Fetched::Later { status, seconds } => {
            let wait = (seconds as i64 * 1000).max(60_000);
            failed(
                Some(i64::from(status)),
                format!("HTTP {status}: retry after {seconds} s"),
                wait,
            )
            .await?;
        }
        Fetched::Disallowed => {
            failed(None, "robots.txt".into(), poll_ms).await?;
        }
        Fetched::Failed { status, error } => {
            failed(
                status.map(i64::from),
                error,
                backoff_ms(poll_ms, f.failures),
            )
            .await?;
        }
    }
    Ok(())
}

/// Fetches an article's page, reads it and matches it; after [`ATTEMPTS`] failures (or
/// when robots.txt forbids the page) it is matched on what its feed said.
async fn read_article(db: &Db, m: &Monitor, a: &Article) -> AppResult<()> {
    let now = now_ms();
    let fetched = m.fetcher.get(&a.url, None, None).await;
    let feed_text = format!("{}. {}", a.title, a.summary.clone().unwrap_or_default());
    let mut byline = a.author.clone();
    let (text, links, published, error) = match fetched {
        Fetched::Body {
            bytes,
            content_type,
            ..
        } => match page(&bytes, content_type.as_deref(), &a.url) {
            Ok(p) => (
                {
                    byline = byline.or(p.byline);
                    format!("{}. {}. {}", a.title, p.title, p.text)
                },
                p.links,
                a.published_at.or(p.published_at),
                None,
            ),
            Err(e) => (feed_text, Vec::new(), a.published_at, Some(e)),
        },
        Fetched::Later { seconds, .. } => {
            db.execute(
                "UPDATE press_articles SET lease_until = $2 WHERE id = $1",
                args![&a.id, now + (seconds as i64 * 1000).max(60_000)],
            )
            .await?;
            return Ok(());
        }
        Fetched::Disallowed => (
            feed_text,
            Vec::new(),
            a.published_at,
            Some("robots.txt".into()),
        ),
        Fetched::NotModified => (feed_text, Vec::new(), a.published_at, None),
        Fetched::Failed { error, .. } => {
            if a.attempts + 1 < ATTEMPTS {
                db.execute(
                    "UPDATE press_articles SET attempts = attempts + 1, error = $2, lease_until = $3 WHERE id = $1",
                    args![&a.id, &error, now + 60_000 * (a.attempts + 1)],
                )
                .await?;
                return Ok(());
            }
            (feed_text, Vec::new(), a.published_at, Some(error))
        }
    };
    let at = published.unwrap_or(a.found_at);
    let matches = m.matcher.matches(db, &text, &links, at).await?;
    let thresholds = Thresholds::default();
    let origin = Origin::system("press-monitor");
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE press_articles SET state = $2, body = $3, links = $4, fetched_at = $5, error = $6, lease_until = NULL,
               attempts = attempts + 1, published_at = COALESCE(published_at, $7), best_bulletin_id = $8, best_confidence = $9,
               author = $10
             WHERE id = $1 AND state = 'new'",
            args![&a.id, if error.is_some() { "failed" } else { "fetched" }, text.chars().take(100_000).collect::<String>(),
                  serde_json::to_string(&links).unwrap_or_default(), now, error.clone(), published,
                  matches.first().map(|(_, r)| r.id.clone()), matches.first().map(|(m, _)| m.confidence), byline.clone()],
        )
        .await?;
    if n == 1 {
        let a = &Article {
            author: byline,
            ..a.clone()
        };
        let mut covered = false;
        for (mm, released) in &matches {
            let verdict = thresholds.verdict(mm.confidence);
            let evidence = match &mm.reason {
                Reason::Link => serde_json::json!({"reason": "link"}),
                Reason::Text { score, evidence } => {
                    serde_json::json!({"reason": "text", "score": score, "shared": evidence})
                }
            };
            let found = Found {
                article: a,
                bulletin_id: &released.id,
                bulletin_released_at: released.released_at,
                published_at: at,
                confidence: mm.confidence,
                evidence,
            };
            // A warning carried: counted when sure (warnings have no review queue).
            if released.warning {
                if verdict == Verdict::Coverage {
                    store::record_warning_pickup(&mut tx, &origin, &found).await?;
                }
                continue;
            }
            match verdict {
                Verdict::Coverage => {
                    store::record_match(&mut tx, &origin, &found).await?;
                    covered = true;
                }
                Verdict::Review if !covered => {
                    store::queue_review(&mut tx, &origin, &found).await?;
                    break;
                }
                _ => {}
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_day() {
        assert_eq!(backoff_ms(900_000, 0), 900_000);
        assert_eq!(backoff_ms(900_000, 2), 3_600_000);
        assert_eq!(backoff_ms(900_000, 40), 86_400_000);
    }
}
