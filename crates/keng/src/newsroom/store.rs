//! Queries and the publication workflow of bulletins and incidents. Every change runs in
//! one transaction with its version row (for content), audit record and domain event.

use serde::Deserialize;

use super::model::{join_list, Bulletin, Incident, State, Version, AUDIENCES, KINDS};
use super::rules::{self, may_edit, owner_of};
use super::sanitize;
use super::visibility::{listing_filter, Viewer};
use crate::accounts::model::{Check, User};
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult, Tx, Value};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner, Role};

/// A bulletin as written in the editor or sent to the API.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct BulletinInput {
    /// initial_information, press_release or case_update.
    pub kind: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    /// HTML (sanitised to an allow-list) or plain text (blank lines separate paragraphs).
    pub body: String,
    #[serde(default)]
    pub places: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Links to videos (http or https), at most 5.
    #[serde(default)]
    pub video_links: Vec<String>,
    /// public or press (accredited journalists only).
    pub audience: String,
    /// RFC 3339, or a Vietnam-time "yyyy-mm-ddThh:mm".
    pub embargo_until: Option<String>,
    pub incident_id: Option<String>,
    #[serde(default)]
    pub unit_ids: Vec<String>,
    pub spokesperson_id: Option<String>,
}

struct Clean {
    kind: String,
    category: String,
    title: String,
    summary: String,
    body_html: String,
    places: Vec<String>,
    tags: Vec<String>,
    video_links: Vec<String>,
    audience: String,
    embargo_until: Option<i64>,
    incident_id: Option<String>,
    unit_ids: Vec<String>,
    spokesperson_id: Option<String>,
}

fn clean_list(c: &mut Check, field: &str, items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for it in items.iter().flat_map(|s| s.split([',', '\n'])) {
        if let Some(v) = c.opt_text(field, Some(it), 80) {
            if !out.iter().any(|o| keng_text::same_words(o, &v)) {
                out.push(v);
            }
        }
    }
    if out.len() > 20 {
        c.fail(field, "err.too_many_items");
    }
    out
}

async fn check(db: &Db, cfg: &Config, input: &BulletinInput) -> AppResult<Clean> {
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let cats: Vec<&str> = super::settings::of(cfg)
        .categories
        .iter()
        .map(String::as_str)
        .collect();
    let category = c.one_of("category", &input.category, &cats);
    let title = c.text("title", &input.title, 300);
    let summary = c.text("summary", &input.summary, 1000);
    if input.body.len() > 200_000 {
        c.fail("body", "err.too_long");
    }
    let body_html = sanitize::body(&input.body);
    if sanitize::plain(&body_html).is_empty() {
        c.fail("body", "err.required");
    }
    let places = clean_list(&mut c, "places", &input.places);
    let tags = clean_list(&mut c, "tags", &input.tags);
    let mut video_links = Vec::new();
    for l in input
        .video_links
        .iter()
        .flat_map(|s| s.split([',', '\n', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match c.opt_url("video_links", Some(l)) {
            Some(u) if !video_links.contains(&u) => video_links.push(u),
            _ => {}
        }
    }
    if video_links.len() > 5 {
        c.fail("video_links", "err.too_many_items");
    }
    let audience = c.one_of("audience", &input.audience, &AUDIENCES);
    let embargo_until = match input
        .embargo_until
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match clock::parse_local_datetime(s) {
            Some(t) => Some(t),
            None => {
                c.fail("embargo_until", "err.datetime");
                None
            }
        },
    };
    let incident_id = input
        .incident_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(i) = &incident_id {
        if !is_id(i) || get_incident(db, i).await?.is_none() {
            c.fail("incident_id", "err.unknown_incident");
        }
    }
    let mut unit_ids = Vec::new();
    for u in input
        .unit_ids
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        if !is_id(u) || accounts::get_unit(db, u).await?.is_none() {
            c.fail("unit_ids", "err.unknown_unit");
        } else if !unit_ids.iter().any(|x| x == u) {
            unit_ids.push(u.to_string());
        }
    }
    let spokesperson_id = input
        .spokesperson_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(s) = &spokesperson_id {
        let ok = is_id(s)
            && accounts::get_user(db, s)
                .await?
                .is_some_and(|u| matches!(u.role, Role::Spokesperson | Role::Leader));
        if !ok {
            c.fail("spokesperson_id", "err.not_spokesperson");
        }
    }
    c.finish()?;
    Ok(Clean {
        kind,
        category,
        title,
        summary,
        body_html,
        places,
        tags,
        video_links,
        audience,
        embargo_until,
        incident_id,
        unit_ids,
        spokesperson_id,
    })
}

async fn save_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    c: &Clean,
    note: Option<&str>,
    author: &str,
    now: i64,
) -> DbResult<()> {
    tx.execute(
        "INSERT INTO bulletin_versions (bulletin_id, version, title, summary, body_html, category, places, tags, audience, embargo_until, note, author_id, created_at, video_links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        args![id, version, &c.title, &c.summary, &c.body_html, &c.category, join_list(&c.places), join_list(&c.tags), &c.audience, c.embargo_until, note, author, now, join_list(&c.video_links)],
    )
    .await?;
    tx.execute(
        "DELETE FROM bulletin_units WHERE bulletin_id = $1",
        args![id],
    )
    .await?;
    for u in &c.unit_ids {
        tx.execute(
            "INSERT INTO bulletin_units (bulletin_id, unit_id) VALUES ($1, $2)",
            args![id, u],
        )
        .await?;
    }
    Ok(())
}

/// Creates a draft. A unit officer drafts for their own unit.
pub async fn create(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    author: &User,
    input: &BulletinInput,
) -> AppResult<Bulletin> {
    let owner_unit = if author.role == Role::UnitOfficer {
        author.unit_id.clone()
    } else {
        None
    };
    if !allowed(
        &author.actor(),
        Action::DraftBulletin,
        &owner_of(db, owner_unit.as_deref()).await?,
    ) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let c = check(db, cfg, input).await?;
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO bulletins (id, kind, category, title, summary, body_html, places, tags, audience, embargo_until, incident_id, unit_id,
           spokesperson_id, state, version, author_id, self_approved, created_at, updated_at, video_links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', 1, $14, $15, $16, $16, $17)",
        args![&id, &c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
              c.embargo_until, c.incident_id.clone(), owner_unit.clone(), c.spokesperson_id.clone(), &author.id, false, now, join_list(&c.video_links)],
    )
    .await?;
    save_version(&mut tx, &id, 1, &c, None, &author.id, now).await?;
    let b = load_tx(&mut tx, &id).await?;
    record_change(
        &mut tx,
        origin,
        "bulletin.created",
        "bulletin",
        &id,
        None,
        Some(b.json()),
    )
    .await?;
    tx.commit().await?;
    Ok(b)
}

async fn load_tx(tx: &mut Tx, id: &str) -> AppResult<Bulletin> {
    let row = tx
        .fetch_optional("SELECT * FROM bulletins WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let mut b = Bulletin::from_row(&row)?;
    b.unit_ids = tx
        .fetch_all(
            "SELECT unit_id FROM bulletin_units WHERE bulletin_id = $1 ORDER BY unit_id",
            args![id],
        )
        .await?
        .iter()
        .map(|r| r.str("unit_id"))
        .collect::<DbResult<_>>()?;
    Ok(b)
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Bulletin>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(row) = db
        .fetch_optional("SELECT * FROM bulletins WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let mut b = Bulletin::from_row(&row)?;
    b.unit_ids = db
        .fetch_all(
            "SELECT unit_id FROM bulletin_units WHERE bulletin_id = $1 ORDER BY unit_id",
            args![id],
        )
        .await?
        .iter()
        .map(|r| r.str("unit_id"))
        .collect::<DbResult<_>>()?;
    Ok(Some(b))
}

/// Edits the content before publication: a new version. Editing a submitted or approved
/// bulletin sends it back to draft: the approval must be for the text as it now stands,
/// read by someone who did not write it (see `rules`).
pub async fn update(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &BulletinInput,
) -> AppResult<Bulletin> {
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(db, user, &before).await? {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if !matches!(
        before.state,
        State::Draft | State::Submitted | State::Approved
    ) {
        return Err(AppError::Conflict("err.use_correction"));
    }
    let c = check(db, cfg, input).await?;
    let now = now_ms();
    let version = before.version + 1;
    let state = State::Draft;
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE bulletins SET kind = $1, category = $2, title = $3, summary = $4, body_html = $5, places = $6, tags = $7, audience = $8,
           embargo_until = $9, incident_id = $10, spokesperson_id = $11, version = $12, state = $13, approved_by = NULL, submitted_by = NULL,
           self_approved = FALSE, updated_at = $14,
           video_links = $16
         WHERE id = $15",
        args![&c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
              c.embargo_until, c.incident_id.clone(), c.spokesperson_id.clone(), version, state.as_str(), now, id, join_list(&c.video_links)],
    )
    .await?;
    save_version(&mut tx, id, version, &c, None, &user.id, now).await?;
    let after = load_tx(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        "bulletin.updated",
        "bulletin",
        id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A step of the workflow, with what it needs.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct ActionInput {
    /// publish: a future time schedules the publication (RFC 3339 or Vietnam time).
    pub publish_at: Option<String>,
    /// correct: what changed (shown as "Đính chính"); withdraw: why.
    pub note: Option<String>,
    /// correct: the corrected content.
    pub content: Option<BulletinInput>,
}

/// Runs `action` (submit, approve, publish, correct, withdraw) for `user`.
pub async fn act(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    action: &str,
    input: &ActionInput,
) -> AppResult<Bulletin> {
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    let actor = user.actor();
    let now = now_ms();
    let note = input
        .note
        .as_deref()
        .map(|n| keng_text::canonical(n.trim()))
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid("note", "err.too_long"));
    }
    let mut tx = db.begin().await?;
    let event = match action {
        "submit" => {
            if !may_edit(db, user, &before).await? {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Draft)?;
            tx.execute(
                "UPDATE bulletins SET state = 'submitted', submitted_by = $1, updated_at = $2 WHERE id = $3",
                args![&user.id, now, id],
            )
            .await?;
            "bulletin.submitted"
        }
        "approve" => {
            // Four eyes, decided in `rules`.
            let emergency =
                rules::approval(db, cfg, user, &before).await? == rules::Approval::Emergency;
            tx.execute(
                "UPDATE bulletins SET state = 'approved', approved_by = $1, self_approved = $2, updated_at = $3 WHERE id = $4",
                args![&user.id, emergency, now, id],
            )
            .await?;
            if emergency {
                "bulletin.self_approved"
            } else {
                "bulletin.approved"
            }
        }
        "publish" => {
            if !allowed(&actor, Action::PublishBulletin, &Owner::None) {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Approved)?;
            let publish_at = match input
                .publish_at
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(s) => Some(
                    clock::parse_local_datetime(s)
                        .ok_or(AppError::invalid("publish_at", "err.datetime"))?,
                ),
            }
            .filter(|t| *t > now);
            tx.execute(
                "UPDATE bulletins SET state = 'published', published_by = $1, published_at = $2, publish_at = $3, updated_at = $2 WHERE id = $4",
                args![&user.id, now, publish_at, id],
            )
            .await?;
            "bulletin.published"
        }
        "correct" => {
            if !rules::may_correct(db, cfg, user, &before).await? {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Published)?;
            let Some(note) = note.clone() else {
                return Err(AppError::invalid("note", "err.correction_note_required"));
            };
            let content = input
                .content
                .as_ref()
                .ok_or(AppError::invalid("content", "err.required"))?;
            let mut c = check(db, cfg, content).await?;
            c.embargo_until =
                rules::correction_keeps_release(&before, &c.audience, c.embargo_until)?;
            let version = before.version + 1;
            tx.execute(
                "UPDATE bulletins SET kind = $1, category = $2, title = $3, summary = $4, body_html = $5, places = $6, tags = $7, audience = $8,
                   embargo_until = $9, version = $10, corrected_at = $11, correction_note = $12, updated_at = $11, video_links = $14 WHERE id = $13",
                args![&c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
                      c.embargo_until, version, now, &note, id, join_list(&c.video_links)],
            )
            .await?;
            save_version(&mut tx, id, version, &c, Some(&note), &user.id, now).await?;
            "bulletin.corrected"
        }
        "withdraw" => {
            if !allowed(&actor, Action::ApproveBulletin, &Owner::None) {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Published)?;
            let Some(reason) = note.clone() else {
                return Err(AppError::invalid("note", "err.reason_required"));
            };
            tx.execute(
                "UPDATE bulletins SET state = 'withdrawn', withdrawn_at = $1, withdrawal_reason = $2, updated_at = $1 WHERE id = $3",
                args![now, &reason, id],
            )
            .await?;
            "bulletin.withdrawn"
        }
        _ => return Err(AppError::NotFound),
    };
    let after = load_tx(&mut tx, id).await?;
    if event == "bulletin.published" {
        mark_first_information(&mut tx, &after).await?;
    }
    record_change(
        &mut tx,
        origin,
        event,
        "bulletin",
        id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    // Published with nothing to wait for: it is out now. What waits (a schedule, an
    // embargo) will change public pages by itself: the page cache must know when.
    if event == "bulletin.published" {
        release_in(&mut tx, &after, now).await?;
        for t in [after.press_time(), after.public_time()]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
        {
            crate::platform::cache::expect_change_at(t);
        }
    }
    tx.commit().await?;
    get(db, id).await?.ok_or(AppError::NotFound)
}

fn need(have: State, want: State) -> AppResult<()> {
    if have == want {
        Ok(())
    } else {
        Err(AppError::Conflict("err.bad_state"))
    }
}

/// The first published initial information stops its incident's clock.
async fn mark_first_information(tx: &mut Tx, b: &Bulletin) -> DbResult<()> {
    if let (Some(incident), "initial_information", Some(t)) =
        (&b.incident_id, b.kind.as_str(), b.press_time())
    {
        tx.execute(
            "UPDATE incidents SET first_info_at = $1, updated_at = $2 WHERE id = $3 AND first_info_at IS NULL",
            args![t, now_ms(), incident],
        )
        .await?;
    }
    Ok(())
}

/// Marks the two moments of a published bulletin once each, with an event the
/// distribution follows: `bulletin.press_released` when accredited press may read it
/// (publication, or its scheduled time) and `bulletin.released` when the public may
/// (after any embargo; public audience only).
async fn release_in(tx: &mut Tx, b: &Bulletin, now: i64) -> DbResult<bool> {
    let mut any = false;
    let moments = [
        (
            "press_released_at",
            "bulletin.press_released",
            b.press_time(),
        ),
        ("released_at", "bulletin.released", b.public_time()),
    ];
    for (column, kind, time) in moments {
        let Some(t) = time.filter(|t| *t <= now) else {
            continue;
        };
        let n = tx
            .execute(
                &format!("UPDATE bulletins SET {column} = $1 WHERE id = $2 AND {column} IS NULL AND state = 'published'"),
                args![t, &b.id],
            )
            .await?;
        if n == 1 {
            crate::platform::events::append(
                tx,
                kind,
                "bulletin",
                &b.id,
                None,
                &serde_json::json!({"id": b.id, "audience": b.audience, "at": t}),
            )
            .await?;
            any = true;
        }
    }
    Ok(any)
}

/// Releases every published bulletin whose schedule or embargo has passed (run every
/// second by the server; safe on several nodes: each release happens once).
pub async fn release_due(db: &Db) -> AppResult<usize> {
    let now = now_ms();
    let rows = db
        .fetch_all(
            "SELECT id FROM bulletins WHERE state = 'published' AND COALESCE(publish_at, 0) <= $1
               AND (press_released_at IS NULL
                    OR (released_at IS NULL AND audience = 'public' AND COALESCE(embargo_until, 0) <= $1))",
            args![now],
        )
        .await?;
    let mut released = 0;
    for r in rows {
        let id = r.str("id")?;
        let mut tx = db.begin().await?;
        let b = load_tx(&mut tx, &id).await?;
        if release_in(&mut tx, &b, now).await? {
            released += 1;
        }
        mark_first_information(&mut tx, &b).await?;
        tx.commit().await?;
    }
    Ok(released)
}

/// The earliest future time at which a published bulletin becomes due for release.
pub async fn next_release(db: &Db) -> AppResult<Option<i64>> {
    let now = now_ms();
    let row = db
        .fetch_one(
            "SELECT MIN(CASE WHEN press_released_at IS NULL THEN publish_at
                             WHEN audience = 'public' AND released_at IS NULL THEN embargo_until END) AS t
             FROM bulletins WHERE state = 'published' AND (press_released_at IS NULL OR released_at IS NULL)
               AND (COALESCE(publish_at, 0) > $1 OR COALESCE(embargo_until, 0) > $1)",
            args![now],
        )
        .await?;
    Ok(row.opt_i64("t")?)
}

/// Filters of the public and desk lists.

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub category: Option<String>,
    pub unit_id: Option<String>,
    pub incident_id: Option<String>,
    pub state: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Bulletins `viewer` may see, newest first (withdrawn ones as tombstones when asked).
pub async fn list(
    db: &Db,
    viewer: Viewer,
    f: &ListFilter,
    tombstones: bool,
) -> AppResult<Vec<Bulletin>> {
    let now = now_ms();
    let (vis, mut params) = listing_filter(viewer, now, 1, tombstones);
    let mut sql = format!("SELECT b.* FROM bulletins b WHERE {vis}");
    // Each condition's `?` marks are the one new parameter.
    let mut add = |v: Value, cond: &str| {
        params.push(v);
        sql.push_str(&cond.replace('?', &format!("${}", params.len())));
    };
    let shown = "COALESCE(b.released_at, b.press_released_at, b.published_at, b.created_at)";
    if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
        add(c.into(), " AND b.category = ?");
    }
    if let Some(u) = f.unit_id.as_deref().filter(|s| !s.is_empty()) {
        add(u.into(), " AND (b.unit_id = ? OR EXISTS (SELECT 1 FROM bulletin_units bu WHERE bu.bulletin_id = b.id AND bu.unit_id = ?))");
    }
    if let Some(i) = f.incident_id.as_deref().filter(|s| !s.is_empty()) {
        add(i.into(), " AND b.incident_id = ?");
    }
    if let Some(st) = f.state.as_deref().filter(|s| !s.is_empty()) {
        add(st.into(), " AND b.state = ?");
    }
    if let Some(t) = f.from_ms {
        add(t.into(), &format!(" AND {shown} >= ?"));
    }
    if let Some(t) = f.to_ms {
        add(t.into(), &format!(" AND {shown} < ?"));
    }
    let limit = if f.limit <= 0 { 20 } else { f.limit.min(500) };
    sql.push_str(&format!(
        " ORDER BY {shown} DESC, b.id DESC LIMIT {limit} OFFSET {}",
        f.offset.max(0)
    ));
    let rows = db.fetch_all(&sql, &params).await?;
    Ok(rows
        .iter()
        .map(Bulletin::from_row)
        .collect::<DbResult<_>>()?)
}

pub async fn versions(db: &Db, id: &str) -> AppResult<Vec<Version>> {
    Ok(db
        .fetch_all(
            "SELECT * FROM bulletin_versions WHERE bulletin_id = $1 ORDER BY version",
            args![id],
        )
        .await?
        .iter()
        .map(Version::from_row)
        .collect::<DbResult<_>>()?)
}

// ---------- incidents ----------

#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct IncidentInput {
    pub title: String,
    pub summary: Option<String>,
    pub place: Option<String>,
    pub unit_id: Option<String>,
    /// When it happened (RFC 3339 or Vietnam-time "yyyy-mm-ddThh:mm").
    pub occurred_at: String,
    #[serde(default)]
    pub public_concern: bool,
}

pub async fn create_incident(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    input: &IncidentInput,
) -> AppResult<Incident> {
    if !allowed(
        &user.actor(),
        Action::DraftBulletin,
        &owner_of(
            db,
            user.unit_id
                .as_deref()
                .filter(|_| user.role == Role::UnitOfficer),
        )
        .await?,
    ) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let mut c = Check::default();
    let title = c.text("title", &input.title, 300);
    let summary = c.opt_text("summary", input.summary.as_deref(), 2000);
    let place = c.opt_text("place", input.place.as_deref(), 200);
    let occurred_at = clock::parse_local_datetime(&input.occurred_at);
    if occurred_at.is_none() {
        c.fail("occurred_at", "err.datetime");
    }
    let unit_id = input
        .unit_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(u) = &unit_id {
        if !is_id(u) || accounts::get_unit(db, u).await?.is_none() {
            c.fail("unit_id", "err.unknown_unit");
        }
    }
    c.finish()?;
    let occurred_at = occurred_at.unwrap_or_default();
    let deadline = input
        .public_concern
        .then(|| occurred_at + cfg.clocks.initial_information_hours * 3_600_000);
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO incidents (id, title, summary, place, unit_id, occurred_at, public_concern, deadline_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        args![&id, &title, summary.clone(), place.clone(), unit_id.clone(), occurred_at, input.public_concern, deadline, &user.id, now],
    )
    .await?;
    let inc = Incident {
        id: id.clone(),
        title,
        summary,
        place,
        unit_id,
        occurred_at,
        public_concern: input.public_concern,
        deadline_at: deadline,
        first_info_at: None,
        created_by: Some(user.id.clone()),
        created_at: now,
        updated_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "incident.created",
        "incident",
        &id,
        None,
        Some(serde_json::to_value(&inc).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(inc)
}

pub async fn get_incident(db: &Db, id: &str) -> AppResult<Option<Incident>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM incidents WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(Incident::from_row)
        .transpose()?)
}

/// Incidents, those whose clock runs first (soonest deadline), then newest.
pub async fn list_incidents(db: &Db, limit: i64) -> AppResult<Vec<Incident>> {
    Ok(db
        .fetch_all(
            &format!(
                "SELECT * FROM incidents ORDER BY CASE WHEN public_concern = $1 AND first_info_at IS NULL THEN 0 ELSE 1 END,
                   deadline_at, occurred_at DESC LIMIT {}",
                limit.clamp(1, 500)
            ),
            args![true],
        )
        .await?
        .iter()
        .map(Incident::from_row)
        .collect::<DbResult<_>>()?)
}
