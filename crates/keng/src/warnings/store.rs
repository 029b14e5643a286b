//! Warnings in the database and their workflow: write (each edit a new version), submit,
//! approve by a second person (four eyes: nobody approves what they wrote), publish
//! (a CAP Alert), update after publication (a new version and a CAP Update), cancel (a
//! CAP Cancel) — each step one transaction with its audit record and event. Expiry is
//! read from `valid_until`, never written.

use serde::Deserialize;

use super::cap::{self, Kind, Place};
use super::input::{check, Clean, WarningInput};
use super::model::{State, Warning};
use crate::accounts::model::User;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult, Tx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner};

/// A step of the workflow, with what it needs.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
#[schema(as = WarningStepInput)]
pub struct StepInput {
    /// request_changes: what to change; cancel: why (required).
    pub note: Option<String>,
    /// update: the new content of a published warning.
    pub content: Option<WarningInput>,
}

/// The workflow's steps, as the API and the desk name them.
pub const STEPS: [&str; 6] = [
    "submit",
    "approve",
    "request_changes",
    "publish",
    "update",
    "cancel",
];

/// The bulletins a warning rests on.
const LINKS: &str =
    "SELECT bulletin_id FROM warning_links WHERE warning_id = $1 ORDER BY bulletin_id";

fn bulletin_ids(rows: Vec<crate::platform::db::Row>) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r.str("bulletin_id").ok())
        .collect()
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Warning>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(r) = db
        .fetch_optional("SELECT * FROM warnings WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let mut w = Warning::from_row(&r)?;
    w.bulletins = bulletin_ids(db.fetch_all(LINKS, args![id]).await?);
    Ok(Some(w))
}

/// Warnings in `states`, newest first (at most `limit`), test ones only when asked.
pub async fn list(
    db: &Db,
    states: &[State],
    kind: Option<&str>,
    with_tests: bool,
    limit: i64,
) -> AppResult<Vec<Warning>> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    // The states are the code's own names, never input: written into the query as
    // literals; the kind is bound.
    let states = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT * FROM warnings WHERE state IN ({states}) AND ($1 OR is_test = FALSE)
           AND ($2 = '' OR kind = $2)
         ORDER BY COALESCE(published_at, updated_at) DESC, id DESC LIMIT $3"
    );
    db.fetch_all(&sql, args![with_tests, kind.unwrap_or(""), limit])
        .await?
        .iter()
        .map(|r| Warning::from_row(r).map_err(AppError::from))
        .collect()
}

/// Every warning's id (for a rebuild of the search index).
pub async fn ids(db: &Db) -> AppResult<Vec<String>> {
    Ok(db
        .fetch_all("SELECT id FROM warnings ORDER BY id", args![])
        .await?
        .iter()
        .filter_map(|r| r.str("id").ok())
        .collect())
}

/// The communes of a warning with their names, for its CAP area.
pub async fn places(db: &Db, codes: &[String]) -> AppResult<Vec<Place>> {
    let mut out = Vec::new();
    for c in codes {
        if let Some(r) = db
            .fetch_optional("SELECT code, name FROM communes WHERE code = $1", args![c])
            .await?
        {
            out.push(Place {
                code: r.str("code")?,
                name: r.str("name")?,
            });
        }
    }
    Ok(out)
}

/// Every commune known, by name.
pub async fn communes(db: &Db) -> AppResult<Vec<Place>> {
    Ok(db
        .fetch_all("SELECT code, name FROM communes ORDER BY name", args![])
        .await?
        .iter()
        .filter_map(|r| {
            Some(Place {
                code: r.str("code").ok()?,
                name: r.str("name").ok()?,
            })
        })
        .collect())
}

async fn write_content(tx: &mut Tx, id: &str, c: &Clean, now: i64) -> DbResult<()> {
    tx.execute(
        "UPDATE warnings SET kind = $1, headline = $2, headline_en = $3, happened = $4, happened_en = $5,
           signs = $6, signs_en = $7, advice = $8, advice_en = $9, contact = $10, severity = $11,
           urgency = $12, certainty = $13, area_desc = $14, communes = $15, routes = $16, polygons = $17,
           valid_from = COALESCE($18, valid_from), valid_until = $19, is_test = $20, updated_at = $21,
           road_places = $23
         WHERE id = $22",
        args![&c.kind, &c.headline, c.headline_en.clone(), &c.happened, c.happened_en.clone(),
              &c.signs, c.signs_en.clone(), &c.advice, c.advice_en.clone(), &c.contact, &c.severity,
              &c.urgency, &c.certainty, &c.area_desc, serde_json::to_string(&c.communes).unwrap_or_default(),
              serde_json::to_string(&c.routes).unwrap_or_default(), serde_json::to_string(&c.polygons).unwrap_or_default(),
              c.valid_from, c.valid_until, c.is_test, now, id,
              serde_json::to_string(&c.road_places).unwrap_or_default()],
    )
    .await?;
    tx.execute("DELETE FROM warning_links WHERE warning_id = $1", args![id])
        .await?;
    for b in &c.bulletins {
        tx.execute(
            "INSERT INTO warning_links (warning_id, bulletin_id) VALUES ($1, $2)",
            args![id, b],
        )
        .await?;
    }
    Ok(())
}

/// Keeps the current content as a new version; the warning as it now is.
async fn new_version(tx: &mut Tx, id: &str, user: &User, now: i64) -> AppResult<Warning> {
    tx.execute(
        "UPDATE warnings SET version = version + 1 WHERE id = $1",
        args![id],
    )
    .await?;
    let w = current(tx, id).await?;
    tx.execute(
        "INSERT INTO warning_versions (warning_id, version, snapshot, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![id, w.version, serde_json::to_string(&w).unwrap_or_default(), &user.id, now],
    )
    .await?;
    Ok(w)
}

/// Takes the warning's row for this transaction (a no-op write) and reads it: a
/// concurrent step or edit waits here until this one commits, then sees its result — so
/// every state and four-eyes check below is made on the state the change applies to.
async fn lock(tx: &mut Tx, id: &str) -> AppResult<Warning> {
    let n = tx
        .execute(
            "UPDATE warnings SET updated_at = updated_at WHERE id = $1",
            args![id],
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    current(tx, id).await
}

async fn current(tx: &mut Tx, id: &str) -> AppResult<Warning> {
    let r = tx
        .fetch_optional("SELECT * FROM warnings WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let mut w = Warning::from_row(&r)?;
    w.bulletins = bulletin_ids(tx.fetch_all(LINKS, args![id]).await?);
    Ok(w)
}

fn json(w: &Warning) -> Option<serde_json::Value> {
    serde_json::to_value(w).ok()
}

/// A new draft by `user`.
pub async fn create(
    db: &Db,
    origin: &Origin,
    user: &User,
    input: &WarningInput,
) -> AppResult<Warning> {
    if !allowed(&user.actor(), Action::DraftWarning, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let c = check(db, input).await?;
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO warnings (id, kind, state, is_test, headline, happened, signs, advice, contact, severity, urgency, certainty,
           area_desc, communes, routes, polygons, valid_from, version, created_by, created_at, updated_at)
         VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '[]', '[]', '[]', $13, 0, $14, $15, $15)",
        args![&id, &c.kind, c.is_test, &c.headline, &c.happened, &c.signs, &c.advice, &c.contact, &c.severity,
              &c.urgency, &c.certainty, &c.area_desc, c.valid_from.unwrap_or(now), &user.id, now],
    )
    .await?;
    write_content(&mut tx, &id, &c, now).await?;
    let w = new_version(&mut tx, &id, user, now).await?;
    record_change(
        &mut tx,
        origin,
        "warning.created",
        "warning",
        &id,
        None,
        json(&w),
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}

/// Edits a warning before publication (each edit a version; what was submitted or
/// approved goes back to draft, so what is approved is what a second person saw).
pub async fn update(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &WarningInput,
) -> AppResult<Warning> {
    if !allowed(&user.actor(), Action::DraftWarning, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let c = check(db, input).await?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, id).await?;
    if !matches!(
        before.state,
        State::Draft | State::Submitted | State::Approved
    ) {
        return Err(AppError::Conflict("err.warning_published_use_update"));
    }
    write_content(&mut tx, id, &c, now).await?;
    tx.execute(
        "UPDATE warnings SET state = 'draft', submitted_by = NULL, approved_by = NULL WHERE id = $1",
        args![id],
    )
    .await?;
    let w = new_version(&mut tx, id, user, now).await?;
    record_change(
        &mut tx,
        origin,
        "warning.edited",
        "warning",
        id,
        json(&before),
        json(&w),
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}

/// Who wrote a version of it (four eyes: none of them approves it), read in `tx`.
async fn authors(tx: &mut Tx, id: &str) -> AppResult<Vec<String>> {
    Ok(tx
        .fetch_all(
            "SELECT DISTINCT created_by FROM warning_versions WHERE warning_id = $1",
            args![id],
        )
        .await?
        .iter()
        .filter_map(|r| r.str("created_by").ok())
        .collect())
}

fn need(have: State, want: &[State]) -> AppResult<()> {
    if want.contains(&have) {
        Ok(())
    } else {
        Err(AppError::Conflict("err.bad_state"))
    }
}

/// Issues a CAP message in `tx`, or refuses the step.
async fn issue(
    tx: &mut Tx,
    db: &Db,
    cfg: &Config,
    w: &Warning,
    kind: Kind,
    now: i64,
) -> AppResult<cap::Message> {
    let spots = super::roads::some(db, &w.road_places)
        .await?
        .into_iter()
        .filter(|p| p.kind == "black_spot")
        .filter_map(|p| p.points.first().copied())
        .collect();
    let area = cap::Area {
        communes: places(db, &w.communes).await?,
        spots,
    };
    cap::issue(tx, cfg, w, &area, kind, now)
        .await?
        .map_err(|e| {
            tracing::warn!(error = %e, warning = %w.id, "a CAP document was refused");
            AppError::invalid("cap", "err.cap_refused")
        })
}

/// Runs the step `step` (one of [`STEPS`]) for `user`.
pub async fn act(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    step: &str,
    input: &StepInput,
) -> AppResult<Warning> {
    // Who may take the step is decided before anything else is looked at.
    let needed = match step {
        "submit" => Action::DraftWarning,
        "approve" | "request_changes" | "update" => Action::ApproveWarning,
        "publish" | "cancel" => Action::PublishWarning,
        _ => return Err(AppError::NotFound),
    };
    if !allowed(&user.actor(), needed, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let now = now_ms();
    // A note is text a person typed: no control characters (PostgreSQL refuses NUL),
    // 1000 characters at most.
    let mut c = crate::accounts::model::Check::default();
    let note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 1000, false);
    c.finish()?;
    // Checked before the transaction: nothing is half-saved.
    let content = match (step, &input.content) {
        ("update", Some(c)) => Some(check(db, c).await?),
        ("update", None) => return Err(AppError::invalid("content", "err.required")),
        _ => None,
    };
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, id).await?;
    let event = match step {
        "submit" => {
            need(before.state, &[State::Draft])?;
            tx.execute(
                "UPDATE warnings SET state = 'submitted', submitted_by = $1, updated_at = $2 WHERE id = $3",
                args![&user.id, now, id],
            )
            .await?;
            "warning.submitted"
        }
        "approve" | "request_changes" => {
            need(before.state, &[State::Submitted])?;
            if authors(&mut tx, id).await?.contains(&user.id) {
                return Err(AppError::Forbidden("err.four_eyes"));
            }
            if step == "approve" {
                tx.execute(
                    "UPDATE warnings SET state = 'approved', approved_by = $1, updated_at = $2 WHERE id = $3",
                    args![&user.id, now, id],
                )
                .await?;
                "warning.approved"
            } else {
                if note.is_none() {
                    return Err(AppError::invalid("note", "err.required"));
                }
                tx.execute(
                    "UPDATE warnings SET state = 'draft', submitted_by = NULL, updated_at = $1 WHERE id = $2",
                    args![now, id],
                )
                .await?;
                "warning.changes_requested"
            }
        }
        "publish" => {
            need(before.state, &[State::Approved])?;
            if before.valid_until.is_some_and(|u| u <= now) {
                return Err(AppError::invalid("valid_until", "err.in_past"));
            }
            // Valid from publication unless a later start was set.
            tx.execute(
                "UPDATE warnings SET state = 'published', published_at = $1, updated_at = $1,
                   valid_from = CASE WHEN valid_from < $1 THEN $1 ELSE valid_from END WHERE id = $2",
                args![now, id],
            )
            .await?;
            let w = current(&mut tx, id).await?;
            issue(&mut tx, db, cfg, &w, Kind::Alert, now).await?;
            "warning.published"
        }
        "update" => {
            // A published warning changed: what the public sees changes at once, so only
            // those who approve warnings may do it; a new version and a CAP Update.
            need(before.state, &[State::Published])?;
            let Some(c) = content else {
                return Err(AppError::invalid("content", "err.required"));
            };
            if c.is_test != before.is_test {
                return Err(AppError::invalid("is_test", "err.test_flag_fixed"));
            }
            write_content(&mut tx, id, &c, now).await?;
            new_version(&mut tx, id, user, now).await?;
            let w = current(&mut tx, id).await?;
            issue(&mut tx, db, cfg, &w, Kind::Update, now).await?;
            "warning.updated"
        }
        "cancel" => {
            if before.state != State::Published {
                return Err(AppError::Conflict("err.warning_not_published"));
            }
            let Some(reason) = note.clone() else {
                return Err(AppError::invalid("note", "err.required"));
            };
            tx.execute(
                "UPDATE warnings SET state = 'cancelled', cancelled_at = $1, cancel_reason = $2, updated_at = $1 WHERE id = $3",
                args![now, &reason, id],
            )
            .await?;
            let w = current(&mut tx, id).await?;
            issue(&mut tx, db, cfg, &w, Kind::Cancel, now).await?;
            "warning.cancelled"
        }
        _ => return Err(AppError::NotFound),
    };
    let after = current(&mut tx, id).await?;
    let mut payload = json(&after);
    if let (Some(serde_json::Value::Object(m)), Some(n)) = (payload.as_mut(), &note) {
        m.insert("note".into(), serde_json::Value::String(n.clone()));
    }
    record_change(
        &mut tx,
        origin,
        event,
        "warning",
        id,
        json(&before),
        payload,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Every version of a warning, newest first.
pub async fn versions(db: &Db, id: &str) -> AppResult<Vec<(i64, String, i64, Warning)>> {
    let mut out = Vec::new();
    for r in db
        .fetch_all(
            "SELECT version, created_by, created_at, snapshot FROM warning_versions WHERE warning_id = $1 ORDER BY version DESC",
            args![id],
        )
        .await?
    {
        if let Ok(w) = serde_json::from_str::<Warning>(&r.str("snapshot")?) {
            out.push((r.i64("version")?, r.str("created_by")?, r.i64("created_at")?, w));
        }
    }
    Ok(out)
}

/// The CAP messages issued for a warning, oldest first: (seq, identifier, sent, type).
pub async fn messages(db: &Db, id: &str) -> AppResult<Vec<(i64, String, String, String)>> {
    let mut out = Vec::new();
    for r in db
        .fetch_all(
            "SELECT seq, identifier, sent, msg_type FROM warning_messages WHERE warning_id = $1 ORDER BY seq",
            args![id],
        )
        .await?
    {
        out.push((
            r.i64("seq")?,
            r.str("identifier")?,
            r.str("sent")?,
            r.str("msg_type")?,
        ));
    }
    Ok(out)
}

/// When each warning's latest CAP message was issued, by warning id.
pub async fn last_issued(db: &Db) -> AppResult<std::collections::HashMap<String, i64>> {
    let mut out = std::collections::HashMap::new();
    for r in db
        .fetch_all(
            "SELECT warning_id, MAX(created_at) AS issued FROM warning_messages GROUP BY warning_id",
            args![],
        )
        .await?
    {
        out.insert(r.str("warning_id")?, r.i64("issued")?);
    }
    Ok(out)
}

/// The latest CAP document of a warning, as sent.
pub async fn latest_cap(db: &Db, id: &str) -> AppResult<Option<(String, i64)>> {
    Ok(db
        .fetch_optional(
            "SELECT xml, created_at FROM warning_messages WHERE warning_id = $1 ORDER BY seq DESC LIMIT 1",
            args![id],
        )
        .await?
        .map(|r| Ok::<_, crate::platform::db::DbError>((r.str("xml")?, r.i64("created_at")?)))
        .transpose()?)
}

/// Warnings issued to the public in `[from, to)` (first published then; test warnings
/// never count), by kind: what the yearly review reports.
pub async fn issued_between(db: &Db, from: i64, to: i64) -> AppResult<Vec<(String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT kind AS k, COUNT(*) AS n FROM warnings
             WHERE published_at >= $1 AND published_at < $2 AND is_test = FALSE AND state IN ('published', 'cancelled')
             GROUP BY kind ORDER BY n DESC, kind",
            args![from, to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.str("k")?, r.i64("n")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?)
}
