//! The press monitor's records: feeds (registered, paused, asked to be read now),
//! articles found, coverage and the review queue. Every change a person makes or the
//! monitor decides is one transaction with its audit record and event.

use serde::{Deserialize, Serialize};

use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row, Tx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};

/// An agency's feed or sitemap.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PressFeed)]
pub struct Feed {
    pub id: String,
    pub agency_id: String,
    pub url: String,
    /// feed (RSS, Atom, JSON Feed) or sitemap.
    pub kind: String,
    pub active: bool,
    pub next_fetch_at: i64,
    pub failures: i64,
    /// The last answer's HTTP status (304 when nothing was new).
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_fetched_at: Option<i64>,
    /// Articles found through it so far.
    pub items_seen: i64,
    #[serde(skip)]
    pub etag: Option<String>,
    #[serde(skip)]
    pub last_modified: Option<String>,
    pub created_at: i64,
}

impl Feed {
    fn from_row(r: &Row) -> DbResult<Feed> {
        Ok(Feed {
            id: r.str("id")?,
            agency_id: r.str("agency_id")?,
            url: r.str("url")?,
            kind: r.str("kind")?,
            active: r.bool("active")?,
            next_fetch_at: r.i64("next_fetch_at")?,
            failures: r.i64("failures")?,
            last_status: r.opt_i64("last_status")?,
            last_error: r.opt_str("last_error")?,
            last_fetched_at: r.opt_i64("last_fetched_at")?,
            items_seen: r.i64("items_seen")?,
            etag: r.opt_str("etag")?,
            last_modified: r.opt_str("last_modified")?,
            created_at: r.i64("created_at")?,
        })
    }
}

/// A feed to register.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = PressFeedInput)]
pub struct FeedInput {
    pub agency_id: String,
    /// http(s) address of an RSS, Atom or JSON feed, or of a sitemap.
    pub url: String,
    /// feed or sitemap (default: feed).
    pub kind: Option<String>,
}

pub async fn feeds(db: &Db) -> AppResult<Vec<Feed>> {
    Ok(db
        .fetch_all("SELECT * FROM press_feeds ORDER BY created_at, id", &[])
        .await?
        .iter()
        .map(Feed::from_row)
        .collect::<DbResult<_>>()?)
}

pub async fn feed(db: &Db, id: &str) -> AppResult<Option<Feed>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM press_feeds WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(Feed::from_row)
        .transpose()?)
}

/// Registers a feed (read at once). The address must not lead inward (checked again at
/// every connection).
pub async fn add_feed(
    db: &Db,
    origin: &Origin,
    allow: &[crate::platform::webhooks::Cidr],
    input: &FeedInput,
) -> AppResult<Feed> {
    let url = input.url.trim().to_string();
    crate::platform::webhooks::check_destination(&url, allow)
        .await
        .map_err(|k| AppError::invalid("url", k))?;
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") | Some("feed") => "feed",
        Some("sitemap") => "sitemap",
        Some(_) => return Err(AppError::invalid("kind", "err.coverage_feed_kind")),
    };
    if crate::accounts::store::get_agency(db, &input.agency_id)
        .await?
        .is_none()
    {
        return Err(AppError::invalid(
            "agency_id",
            "err.coverage_unknown_agency",
        ));
    }
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let taken = tx
        .fetch_optional("SELECT id FROM press_feeds WHERE url = $1", args![&url])
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict("err.coverage_feed_exists"));
    }
    tx.execute(
        "INSERT INTO press_feeds (id, agency_id, url, kind, active, next_fetch_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $5, $5)",
        args![&id, &input.agency_id, &url, kind, now, origin.actor_id.clone()],
    )
    .await?;
    let f = Feed::from_row(
        &tx.fetch_one("SELECT * FROM press_feeds WHERE id = $1", args![&id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "press_feed.created",
        "press_feed",
        &id,
        None,
        serde_json::to_value(&f).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(f)
}

/// Pauses or resumes a feed, or asks for it to be read now.
pub async fn set_feed(
    db: &Db,
    origin: &Origin,
    id: &str,
    active: Option<bool>,
    now_please: bool,
) -> AppResult<Feed> {
    let before = feed(db, id).await?.ok_or(AppError::NotFound)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE press_feeds SET active = $2, next_fetch_at = $3, updated_at = $4 WHERE id = $1",
        args![
            id,
            active.unwrap_or(before.active),
            if now_please {
                now
            } else {
                before.next_fetch_at
            },
            now
        ],
    )
    .await?;
    let after = Feed::from_row(
        &tx.fetch_one("SELECT * FROM press_feeds WHERE id = $1", args![id])
            .await?,
    )?;
    let action = match (active, now_please) {
        (Some(false), _) => "press_feed.paused",
        (Some(true), _) => "press_feed.resumed",
        _ => "press_feed.poll_requested",
    };
    record_change(
        &mut tx,
        origin,
        action,
        "press_feed",
        id,
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An article the monitor found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PressArticle)]
pub struct Article {
    pub id: String,
    pub feed_id: String,
    pub agency_id: String,
    pub url: String,
    pub title: String,
    pub author: Option<String>,
    pub published_at: Option<i64>,
    pub found_at: i64,
    /// new (waiting to be read), fetched, or failed.
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
    /// The bulletin it most resembles, and how much (whatever the verdict).
    pub best_bulletin_id: Option<String>,
    pub best_confidence: Option<f64>,
    #[serde(skip)]
    pub summary: Option<String>,
}

impl Article {
    pub fn from_row(r: &Row) -> DbResult<Article> {
        Ok(Article {
            id: r.str("id")?,
            feed_id: r.str("feed_id")?,
            agency_id: r.str("agency_id")?,
            url: r.str("url")?,
            title: r.str("title")?,
            author: r.opt_str("author")?,
            published_at: r.opt_i64("published_at")?,
            found_at: r.i64("found_at")?,
            state: r.str("state")?,
            attempts: r.i64("attempts")?,
            error: r.opt_str("error")?,
            best_bulletin_id: r.opt_str("best_bulletin_id")?,
            best_confidence: r.opt_f64("best_confidence")?,
            summary: r.opt_str("summary")?,
        })
    }
}

pub async fn articles(db: &Db, feed_id: Option<&str>, limit: i64) -> AppResult<Vec<Article>> {
    let limit = limit.clamp(1, 500);
    let rows = match feed_id {
        Some(f) => {
            db.fetch_all(
                &format!("SELECT * FROM press_articles WHERE feed_id = $1 ORDER BY found_at DESC, id LIMIT {limit}"),
                args![f],
            )
            .await?
        }
        None => {
            db.fetch_all(
                &format!("SELECT * FROM press_articles ORDER BY found_at DESC, id LIMIT {limit}"),
                &[],
            )
            .await?
        }
    };
    Ok(rows
        .iter()
        .map(Article::from_row)
        .collect::<DbResult<_>>()?)
}

/// A story carried by an agency about a bulletin.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub id: String,
    pub bulletin_id: String,
    pub bulletin_released_at: i64,
    pub agency_id: String,
    pub article_id: Option<String>,
    /// matched (by the monitor), confirmed (by a person from the review queue) or manual.
    pub source: String,
    /// online, print, radio or tv.
    pub medium: String,
    pub title: String,
    pub url: Option<String>,
    pub programme: Option<String>,
    pub duration_seconds: Option<i64>,
    /// The byline (the article's author, or who the press office named).
    pub journalist: Option<String>,
    pub published_at: i64,
    /// Minutes from the bulletin's release to this story.
    pub pickup_minutes: i64,
    pub confidence: Option<f64>,
    /// Why it was matched (a link back, or the rarest words both share).
    #[schema(value_type = Object)]
    pub evidence: Option<serde_json::Value>,
    pub created_at: i64,
}

impl Coverage {
    fn from_row(r: &Row) -> DbResult<Coverage> {
        let released = r.i64("bulletin_released_at")?;
        let published = r.i64("published_at")?;
        Ok(Coverage {
            id: r.str("id")?,
            bulletin_id: r.str("bulletin_id")?,
            bulletin_released_at: released,
            agency_id: r.str("agency_id")?,
            article_id: r.opt_str("article_id")?,
            source: r.str("source")?,
            medium: r.str("medium")?,
            title: r.str("title")?,
            url: r.opt_str("url")?,
            programme: r.opt_str("programme")?,
            duration_seconds: r.opt_i64("duration_seconds")?,
            journalist: r.opt_str("journalist")?,
            published_at: published,
            pickup_minutes: ((published - released) / 60_000).max(0),
            confidence: r.opt_f64("confidence")?,
            evidence: r
                .opt_str("evidence")?
                .and_then(|e| serde_json::from_str(&e).ok()),
            created_at: r.i64("created_at")?,
        })
    }
}

pub async fn coverage(
    db: &Db,
    bulletin_id: Option<&str>,
    agency_id: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Coverage>> {
    let mut sql = "SELECT * FROM coverage WHERE 1 = 1".to_string();
    let mut params: Vec<crate::platform::db::Value> = Vec::new();
    if let Some(b) = bulletin_id {
        params.push(b.into());
        sql.push_str(&format!(" AND bulletin_id = ${}", params.len()));
    }
    if let Some(a) = agency_id {
        params.push(a.into());
        sql.push_str(&format!(" AND agency_id = ${}", params.len()));
    }
    sql.push_str(&format!(
        " ORDER BY published_at DESC, id LIMIT {}",
        limit.clamp(1, 1000)
    ));
    Ok(db
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(Coverage::from_row)
        .collect::<DbResult<_>>()?)
}

/// A match waiting for a person, or decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CoverageReview)]
pub struct Review {
    pub id: String,
    pub article_id: String,
    pub bulletin_id: String,
    pub confidence: f64,
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    /// waiting, confirmed or rejected.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

impl Review {
    fn from_row(r: &Row) -> DbResult<Review> {
        Ok(Review {
            id: r.str("id")?,
            article_id: r.str("article_id")?,
            bulletin_id: r.str("bulletin_id")?,
            confidence: r.opt_f64("confidence")?.unwrap_or(0.0),
            evidence: serde_json::from_str(&r.str("evidence")?).unwrap_or_default(),
            state: r.str("state")?,
            decided_by: r.opt_str("decided_by")?,
            decided_at: r.opt_i64("decided_at")?,
            created_at: r.i64("created_at")?,
        })
    }
}

pub async fn reviews(db: &Db, state: &str, limit: i64) -> AppResult<Vec<Review>> {
    Ok(db
        .fetch_all(
            &format!(
                "SELECT * FROM coverage_reviews WHERE state = $1 ORDER BY created_at, id LIMIT {}",
                limit.clamp(1, 500)
            ),
            args![state],
        )
        .await?
        .iter()
        .map(Review::from_row)
        .collect::<DbResult<_>>()?)
}

/// What the monitor records for an article it matched.
pub struct Found<'a> {
    pub article: &'a Article,
    pub bulletin_id: &'a str,
    pub bulletin_released_at: i64,
    pub published_at: i64,
    pub confidence: f64,
    pub evidence: serde_json::Value,
}

/// Records coverage the monitor is sure of (once per article and bulletin).
pub async fn record_match(tx: &mut Tx, origin: &Origin, f: &Found<'_>) -> AppResult<()> {
    insert_coverage(tx, origin, f, "matched", None).await
}

async fn insert_coverage(
    tx: &mut Tx,
    origin: &Origin,
    f: &Found<'_>,
    source: &str,
    by: Option<&str>,
) -> AppResult<()> {
    let id = new_id();
    let now = now_ms();
    let n = tx
        .execute(
            "INSERT INTO coverage (id, bulletin_id, bulletin_released_at, agency_id, article_id, source, medium, title, url,
               published_at, confidence, evidence, created_by, created_at, journalist)
             VALUES ($1, $2, $3, $4, $5, $6, 'online', $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (bulletin_id, article_id) DO NOTHING",
            args![&id, f.bulletin_id, f.bulletin_released_at, &f.article.agency_id, &f.article.id, source,
                  &f.article.title, &f.article.url, f.published_at, f.confidence, f.evidence.to_string(),
                  by.map(str::to_string), now, byline(f.article.author.as_deref())],
        )
        .await?;
    if n == 1 {
        record_change(
            tx,
            origin,
            &format!("coverage.{source}"),
            "coverage",
            &id,
            None,
            Some(serde_json::json!({
                "bulletin_id": f.bulletin_id, "agency_id": f.article.agency_id,
                "article_id": f.article.id, "url": f.article.url, "confidence": f.confidence,
            })),
        )
        .await?;
    }
    Ok(())
}

/// Records that an article carried a warning (once per article and warning); `f`'s
/// bulletin fields name the warning.
pub async fn record_warning_pickup(tx: &mut Tx, origin: &Origin, f: &Found<'_>) -> AppResult<()> {
    let id = new_id();
    let n = tx
        .execute(
            "INSERT INTO warning_coverage (id, warning_id, warning_published_at, agency_id, article_id, title, url,
               journalist, published_at, confidence, evidence, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (warning_id, article_id) DO NOTHING",
            args![&id, f.bulletin_id, f.bulletin_released_at, &f.article.agency_id, &f.article.id,
                  &f.article.title, &f.article.url, byline(f.article.author.as_deref()), f.published_at,
                  f.confidence, f.evidence.to_string(), now_ms()],
        )
        .await?;
    if n == 1 {
        record_change(
            tx,
            origin,
            "warning_coverage.matched",
            "warning_coverage",
            &id,
            None,
            Some(serde_json::json!({
                "warning_id": f.bulletin_id, "agency_id": f.article.agency_id,
                "article_id": f.article.id, "url": f.article.url, "confidence": f.confidence,
            })),
        )
        .await?;
    }
    Ok(())
}

/// Warnings carried by the press, per agency, for warnings published in `[from, to)`:
/// agency id → (distinct warnings, stories).
pub async fn warning_pickups(
    db: &Db,
    from: i64,
    to: i64,
) -> AppResult<std::collections::HashMap<String, (i64, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT agency_id, COUNT(DISTINCT warning_id) AS w, COUNT(*) AS n FROM warning_coverage
             WHERE warning_published_at >= $1 AND warning_published_at < $2 GROUP BY agency_id",
            args![from, to],
        )
        .await?;
    let mut out = std::collections::HashMap::new();
    for r in &rows {
        out.insert(r.str("agency_id")?, (r.i64("w")?, r.i64("n")?));
    }
    Ok(out)
}

/// Warnings published in `[from, to)` that at least one agency carried.
pub async fn warnings_carried(db: &Db, from: i64, to: i64) -> AppResult<i64> {
    Ok(db
        .fetch_one(
            "SELECT COUNT(DISTINCT warning_id) AS n FROM warning_coverage
             WHERE warning_published_at >= $1 AND warning_published_at < $2",
            args![from, to],
        )
        .await?
        .i64("n")?)
}

/// Puts a match a person must look at in the queue (once per article and bulletin).
pub async fn queue_review(tx: &mut Tx, origin: &Origin, f: &Found<'_>) -> AppResult<()> {
    let id = new_id();
    let n = tx
        .execute(
            "INSERT INTO coverage_reviews (id, article_id, bulletin_id, confidence, evidence, state, created_at)
             VALUES ($1, $2, $3, $4, $5, 'waiting', $6)
             ON CONFLICT (article_id, bulletin_id) DO NOTHING",
            args![&id, &f.article.id, f.bulletin_id, f.confidence, f.evidence.to_string(), now_ms()],
        )
        .await?;
    if n == 1 {
        record_change(
            tx,
            origin,
            "coverage_review.waiting",
            "coverage_review",
            &id,
            None,
            Some(serde_json::json!({
                "bulletin_id": f.bulletin_id, "article_id": f.article.id, "confidence": f.confidence,
            })),
        )
        .await?;
    }
    Ok(())
}

/// A person's decision on a waiting match: confirmed becomes coverage; either way the
/// decision is kept (and shown as evidence).
pub async fn decide(db: &Db, origin: &Origin, id: &str, confirm: bool) -> AppResult<Review> {
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin().await?;
    let row = tx
        .fetch_optional("SELECT * FROM coverage_reviews WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let before = Review::from_row(&row)?;
    if before.state != "waiting" {
        return Err(AppError::Conflict("err.coverage_already_decided"));
    }
    let now = now_ms();
    let state = if confirm { "confirmed" } else { "rejected" };
    let n = tx
        .execute(
            "UPDATE coverage_reviews SET state = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND state = 'waiting'",
            args![id, state, origin.actor_id.clone(), now],
        )
        .await?;
    if n != 1 {
        return Err(AppError::Conflict("err.changed_meanwhile"));
    }
    if confirm {
        let a = tx
            .fetch_one(
                "SELECT * FROM press_articles WHERE id = $1",
                args![&before.article_id],
            )
            .await?;
        let article = Article::from_row(&a)?;
        let released = crate::newsroom::store::get(db, &before.bulletin_id)
            .await?
            .and_then(|b| b.press_released_at.or(b.released_at).or(b.published_at))
            .unwrap_or(now);
        let mut evidence = before.evidence.clone();
        if let Some(o) = evidence.as_object_mut() {
            o.insert("confirmed_by".into(), serde_json::json!(origin.actor_name));
        }
        insert_coverage(
            &mut tx,
            origin,
            &Found {
                bulletin_id: &before.bulletin_id,
                bulletin_released_at: released,
                published_at: article.published_at.unwrap_or(article.found_at),
                confidence: before.confidence,
                evidence,
                article: &article,
            },
            "confirmed",
            origin.actor_id.as_deref(),
        )
        .await?;
    }
    let after = Review::from_row(
        &tx.fetch_one("SELECT * FROM coverage_reviews WHERE id = $1", args![id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        &format!("coverage_review.{state}"),
        "coverage_review",
        id,
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Text on one line: control characters gone, spaces collapsed.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A byline as kept: one line, at most 120 characters, none when empty.
pub fn byline(s: Option<&str>) -> Option<String> {
    let b = one_line(s?);
    (!b.is_empty()).then(|| b.chars().take(120).collect())
}

/// A story the monitor cannot see (print, radio, TV, or a page without a feed),
/// recorded by the press office.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = ManualCoverage)]
pub struct ManualInput {
    pub bulletin_id: String,
    pub agency_id: String,
    /// print, radio, tv or online.
    pub medium: String,
    pub title: String,
    /// Local date and time it appeared, "YYYY-MM-DDTHH:MM" (Vietnam time).
    pub published_at: String,
    /// The page, or the programme's recording.
    pub url: Option<String>,
    /// Newspaper issue and page, or the programme ("Thời sự 19h").
    pub programme: Option<String>,
    /// Minutes on air (radio and TV).
    pub duration_minutes: Option<f64>,
    pub journalist: Option<String>,
}

pub const MEDIA: [&str; 4] = ["print", "radio", "tv", "online"];

/// Records a story by hand, with its audit record.
pub async fn add_manual(db: &Db, origin: &Origin, m: &ManualInput) -> AppResult<Coverage> {
    let b = match is_id(m.bulletin_id.trim()) {
        true => crate::newsroom::store::get(db, m.bulletin_id.trim()).await?,
        false => None,
    };
    let now = now_ms();
    // Out to the press by now (a scheduled bulletin is not yet; a draft never was).
    let released = b
        .as_ref()
        .and_then(|b| b.press_released_at.or(b.released_at))
        .filter(|at| *at <= now)
        .ok_or(AppError::invalid(
            "bulletin_id",
            "err.coverage_unknown_bulletin",
        ))?;
    // The public release: an embargoed bulletin may not be carried before it.
    let public = b.as_ref().and_then(|b| b.released_at).unwrap_or(released);
    if crate::accounts::store::get_agency(db, m.agency_id.trim())
        .await?
        .is_none()
    {
        return Err(AppError::invalid(
            "agency_id",
            "err.coverage_unknown_agency",
        ));
    }
    let medium = m.medium.trim();
    if !MEDIA.contains(&medium) {
        return Err(AppError::invalid("medium", "err.coverage_medium"));
    }
    let title = one_line(&m.title);
    if title.is_empty() || title.chars().count() > 300 {
        return Err(AppError::invalid("title", "err.coverage_manual_title"));
    }
    let published_at = crate::platform::clock::parse_local_datetime(m.published_at.trim()).ok_or(
        AppError::invalid("published_at", "err.coverage_manual_when"),
    )?;
    // Minutes are what a person types: the release's own minute counts.
    if published_at > now + 3_600_000 || published_at < public - 60_000 {
        return Err(AppError::invalid(
            "published_at",
            "err.coverage_manual_when",
        ));
    }
    let url = match m.url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(u) => match url::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") && u.len() <= 2000 => {
                Some(p.to_string())
            }
            _ => return Err(AppError::invalid("url", "err.coverage_manual_url")),
        },
    };
    let duration = match m.duration_minutes {
        None => None,
        Some(d) if d.is_finite() && d > 0.0 && d <= 24.0 * 60.0 => Some((d * 60.0).round() as i64),
        Some(_) => {
            return Err(AppError::invalid(
                "duration_minutes",
                "err.coverage_manual_duration",
            ))
        }
    };
    let programme = m
        .programme
        .as_deref()
        .map(one_line)
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().take(200).collect::<String>());
    let id = new_id();
    let mut tx = db.begin().await?;
    // The same story sent twice (a double click) is one story.
    let twice = tx
        .fetch_optional(
            "SELECT id FROM coverage WHERE bulletin_id = $1 AND agency_id = $2 AND medium = $3 AND title = $4
               AND published_at = $5 AND source = 'manual'",
            args![m.bulletin_id.trim(), m.agency_id.trim(), medium, &title, published_at],
        )
        .await?;
    if twice.is_some() {
        return Err(AppError::Conflict("err.coverage_manual_exists"));
    }
    tx.execute(
        "INSERT INTO coverage (id, bulletin_id, bulletin_released_at, agency_id, article_id, source, medium, title, url,
           programme, duration_seconds, published_at, confidence, evidence, created_by, created_at, journalist)
         VALUES ($1, $2, $3, $4, NULL, 'manual', $5, $6, $7, $8, $9, $10, NULL, NULL, $11, $12, $13)",
        args![&id, m.bulletin_id.trim(), released, m.agency_id.trim(), medium, &title, url, programme, duration,
              published_at, origin.actor_id.clone(), now, byline(m.journalist.as_deref())],
    )
    .await?;
    let c = Coverage::from_row(
        &tx.fetch_one("SELECT * FROM coverage WHERE id = $1", args![&id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "coverage.manual",
        "coverage",
        &id,
        None,
        serde_json::to_value(&c).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Removes a story recorded by hand (a mistake); what the monitor found stays.
pub async fn remove_manual(db: &Db, origin: &Origin, id: &str) -> AppResult<()> {
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin().await?;
    let row = tx
        .fetch_optional(
            "SELECT * FROM coverage WHERE id = $1 AND source = 'manual'",
            args![id],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let before = Coverage::from_row(&row)?;
    tx.execute("DELETE FROM coverage WHERE id = $1", args![id])
        .await?;
    record_change(
        &mut tx,
        origin,
        "coverage.removed",
        "coverage",
        id,
        serde_json::to_value(&before).ok(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The stories about bulletins released in `[from, to)`, of one agency or byline, with
/// each bulletin's title (what a number of the review counts).
pub async fn coverage_between(
    db: &Db,
    from: i64,
    to: i64,
    agency_id: Option<&str>,
    journalist: Option<&str>,
) -> AppResult<Vec<(Coverage, String)>> {
    let mut sql =
        "SELECT c.*, b.title AS bulletin_title, COALESCE(c.journalist, a.author) AS byline
         FROM coverage c JOIN bulletins b ON b.id = c.bulletin_id
         LEFT JOIN press_articles a ON a.id = c.article_id
         WHERE c.bulletin_released_at >= $1 AND c.bulletin_released_at < $2"
            .to_string();
    let mut params: Vec<crate::platform::db::Value> = vec![from.into(), to.into()];
    if let Some(a) = agency_id {
        params.push(a.into());
        sql.push_str(&format!(" AND c.agency_id = ${}", params.len()));
    }
    sql.push_str(" ORDER BY c.published_at DESC, c.id");
    // A byline is compared as the metrics group it (its folded name, titles dropped).
    let wanted = journalist.map(super::metrics::name_key);
    let mut out = Vec::new();
    for r in &db.fetch_all(&sql, &params).await? {
        let by = byline(r.opt_str("byline")?.as_deref());
        if let Some(w) = &wanted {
            if by.as_deref().map(super::metrics::name_key).as_ref() != Some(w) {
                continue;
            }
        }
        let mut c = Coverage::from_row(r)?;
        if c.journalist.is_none() {
            c.journalist = by;
        }
        out.push((c, r.str("bulletin_title")?));
        if out.len() >= 5000 {
            break;
        }
    }
    Ok(out)
}
