//! Submissions in the database and their workflow, each step one transaction with its
//! audit record and event: submit (a new version; a pending one it replaces is
//! withdrawn; once a version was approved, a correction needs its reason), approve by a
//! leader who did not submit it (four eyes; the approved version becomes the current
//! one and the one before it is kept as superseded — approved figures are never
//! overwritten), send back with a note, and publish or withdraw from publication the
//! current figures of a range. A unit reports each day once: a period overlapping
//! another of the same unit (a week over a day already reported) is refused.

use keng_stats::{Kind, Period};
use serde::Deserialize;

use super::catalogue::Catalogue;
use super::check::{self, Cell, Problem, Raw};
use super::model::{day_str, State, Submission, Units};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Conn, Db};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Actor, Owner};

/// Figures as a form, the API or a spreadsheet gives them.
#[derive(Debug, Clone)]
pub struct Draft {
    pub unit_id: String,
    pub kind: Kind,
    pub period: Period,
    /// Measure id → value, with the cell it came from.
    pub values: Vec<(String, Raw, Option<Cell>)>,
    pub reason: Option<String>,
    /// form, csv, xlsx, api, demo.
    pub source: &'static str,
}

/// Why a submission was not stored.
#[derive(Debug)]
pub enum Refused {
    /// The figures themselves: one problem per value or rule, nothing saved.
    Problems(Vec<Problem>),
    App(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::App(e)
    }
}

impl From<crate::platform::db::DbError> for Refused {
    fn from(e: crate::platform::db::DbError) -> Self {
        Refused::App(e.into())
    }
}

/// The first day figures may be entered for.
const FIRST_DAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => chrono::NaiveDate::MIN,
};

/// The longest reason or note kept.
const MAX_NOTE: usize = 2000;

/// A note or reason as kept: trimmed, at most `MAX_NOTE` characters, None when blank.
pub(super) fn note(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(MAX_NOTE).collect())
}

fn as_json(s: &Submission) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

/// One submission with its values, from the database or inside a transaction.
pub async fn get<'a>(conn: impl Into<Conn<'a>>, id: &str) -> AppResult<Option<Submission>> {
    if !is_id(id) {
        return Ok(None);
    }
    let mut conn = conn.into();
    let Some(r) = conn
        .fetch_optional("SELECT * FROM stat_submissions WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let mut s = Submission::from_row(&r)?;
    for v in conn
        .fetch_all(
            "SELECT measure_id, value FROM stat_values WHERE submission_id = $1",
            args![id],
        )
        .await?
    {
        s.values
            .insert(v.str("measure_id")?, v.opt_f64("value")?.unwrap_or(0.0));
    }
    Ok(Some(s))
}

/// Every version of a unit's figures for a period with their values, newest first (two
/// queries, however many versions).
pub async fn history(db: &Db, unit_id: &str, from: &str, to: &str) -> AppResult<Vec<Submission>> {
    let mut out = db
        .fetch_all(
            "SELECT * FROM stat_submissions WHERE unit_id = $1 AND period_from = $2 AND period_to = $3
              ORDER BY version DESC",
            args![unit_id, from, to],
        )
        .await?
        .iter()
        .map(Submission::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let values = db
        .fetch_all(
            "SELECT v.submission_id, v.measure_id, v.value
               FROM stat_values v JOIN stat_submissions s ON s.id = v.submission_id
              WHERE s.unit_id = $1 AND s.period_from = $2 AND s.period_to = $3",
            args![unit_id, from, to],
        )
        .await?;
    for v in &values {
        let sid = v.str("submission_id")?;
        if let Some(s) = out.iter_mut().find(|s| s.id == sid) {
            s.values
                .insert(v.str("measure_id")?, v.opt_f64("value")?.unwrap_or(0.0));
        }
    }
    Ok(out)
}

/// Submissions in a state (the leader's queue: pending), oldest first: at most `limit`
/// after skipping `offset`.
pub async fn list(
    db: &Db,
    state: State,
    (limit, offset): (i64, i64),
) -> AppResult<Vec<Submission>> {
    db.fetch_all(
        "SELECT * FROM stat_submissions WHERE state = $1 ORDER BY submitted_at, id LIMIT $2 OFFSET $3",
        args![state.as_str(), limit.clamp(1, 5000), offset.max(0)],
    )
    .await?
    .iter()
    .map(|r| Submission::from_row(r).map_err(AppError::from))
    .collect()
}

/// How many submissions are in a state.
pub async fn count(db: &Db, state: State) -> AppResult<i64> {
    Ok(db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM stat_submissions WHERE state = $1",
            args![state.as_str()],
        )
        .await?
        .i64("n")?)
}

/// Stores a unit's figures for a period as a new version (see the module).
pub async fn submit(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    units: &Units,
    cat: &Catalogue,
    draft: Draft,
) -> Result<Submission, Refused> {
    if units.get(&draft.unit_id).is_none() {
        return Err(AppError::invalid("unit", "err.stats_unknown_unit").into());
    }
    if !allowed(
        actor,
        Action::ReportFigures,
        &Owner::Unit(units.path(&draft.unit_id)),
    ) {
        return Err(AppError::Forbidden("err.stats_not_your_unit").into());
    }
    let today = crate::platform::clock::local_today();
    if draft.period.from > today {
        return Err(AppError::invalid("period", "err.stats_future_period").into());
    }
    // Figures kept on paper before the platform are entered from 2000 on.
    if draft.period.from < FIRST_DAY {
        return Err(AppError::invalid("period", "err.stats_bad_period").into());
    }
    let values = check::values(cat, &draft.values).map_err(Refused::Problems)?;
    let from = day_str(draft.period.from);
    let to = day_str(draft.period.to);
    let reason = note(draft.reason.as_deref());
    let now = now_ms();
    let mut tx = db.begin().await?;
    // Serialise submissions of one unit (PostgreSQL); SQLite writes one at a time.
    if tx.backend() == crate::platform::db::Backend::Postgres {
        tx.execute(
            "SELECT id FROM units WHERE id = $1 FOR UPDATE",
            args![draft.unit_id.as_str()],
        )
        .await?;
    }
    let overlapping = tx
        .fetch_optional(
            "SELECT period_from, period_to FROM stat_submissions
              WHERE unit_id = $1 AND state IN ('pending', 'approved')
                AND period_from <= $3 AND period_to >= $2
                AND NOT (period_from = $2 AND period_to = $3)
              LIMIT 1",
            args![draft.unit_id.as_str(), from.as_str(), to.as_str()],
        )
        .await?;
    if overlapping.is_some() {
        return Err(AppError::Conflict("err.stats_period_overlaps").into());
    }
    let same = tx
        .fetch_all(
            "SELECT id, state, version FROM stat_submissions
              WHERE unit_id = $1 AND period_from = $2 AND period_to = $3",
            args![draft.unit_id.as_str(), from.as_str(), to.as_str()],
        )
        .await?;
    let mut version = 0;
    let mut approved_before = false;
    let mut pending = Vec::new();
    for r in &same {
        version = version.max(r.i64("version")?);
        match State::parse(&r.str("state")?) {
            Some(State::Approved) => approved_before = true,
            Some(State::Pending) => pending.push(r.str("id")?),
            _ => {}
        }
    }
    if approved_before && reason.is_none() {
        return Err(AppError::Conflict("err.stats_correction_needs_reason").into());
    }
    for p in &pending {
        let before = get(&mut tx, p).await?;
        tx.execute(
            "UPDATE stat_submissions SET state = 'withdrawn' WHERE id = $1 AND state = 'pending'",
            args![p.as_str()],
        )
        .await?;
        let after = get(&mut tx, p).await?;
        record_change(
            &mut tx,
            origin,
            "stat_submission.withdrawn",
            "stat_submission",
            p,
            before.as_ref().map(as_json),
            after.as_ref().map(as_json),
        )
        .await?;
    }
    let id = new_id();
    tx.execute(
        "INSERT INTO stat_submissions (id, unit_id, period_kind, period_from, period_to, version, state, is_current,
                reason, source, submitted_by, submitted_at, published)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', FALSE, $7, $8, $9, $10, FALSE)",
        args![
            id.as_str(),
            draft.unit_id.as_str(),
            draft.kind.as_str(),
            from.as_str(),
            to.as_str(),
            version + 1,
            reason,
            draft.source,
            origin.actor_id.clone(),
            now
        ],
    )
    .await?;
    for (m, v) in &values {
        tx.execute(
            "INSERT INTO stat_values (submission_id, measure_id, value) VALUES ($1, $2, $3)",
            args![id.as_str(), m.as_str(), *v],
        )
        .await?;
    }
    let s = get(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    record_change(
        &mut tx,
        origin,
        "stat_submission.submitted",
        "stat_submission",
        &id,
        None,
        Some(as_json(&s)),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// A leader's decision on a pending version.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = StatDecisionInput)]
pub struct Decision {
    /// Required to send back; optional on approval.
    pub note: Option<String>,
}

/// Approves (`approve`) or sends back a pending version.
pub async fn decide(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    id: &str,
    approve: bool,
    decision: &Decision,
) -> AppResult<Submission> {
    if !allowed(actor, Action::ApproveFigures, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let note = note(decision.note.as_deref());
    if !approve && note.is_none() {
        return Err(AppError::invalid("note", "err.stats_note_required"));
    }
    let mut tx = db.begin().await?;
    let before = get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.state != State::Pending {
        return Err(AppError::Conflict("err.stats_not_pending"));
    }
    if before.submitted_by.is_some() && before.submitted_by == origin.actor_id {
        return Err(AppError::Forbidden("err.stats_four_eyes"));
    }
    let now = now_ms();
    let changed = tx
        .execute(
            "UPDATE stat_submissions SET state = $2, decided_by = $3, decided_at = $4, decision_note = $5
              WHERE id = $1 AND state = 'pending'",
            args![
                id,
                if approve { "approved" } else { "rejected" },
                origin.actor_id.clone(),
                now,
                note
            ],
        )
        .await?;
    if changed != 1 {
        return Err(AppError::Conflict("err.stats_not_pending"));
    }
    if approve {
        // The version it corrects stays as history; publication carries over.
        let previous = tx
            .fetch_optional(
                "SELECT id, published, quality_note FROM stat_submissions
                  WHERE unit_id = $1 AND period_from = $2 AND period_to = $3 AND is_current = TRUE",
                args![
                    before.unit_id.as_str(),
                    before.period_from.as_str(),
                    before.period_to.as_str()
                ],
            )
            .await?;
        if let Some(p) = &previous {
            let pid = p.str("id")?;
            let pbefore = get(&mut tx, &pid).await?;
            tx.execute(
                "UPDATE stat_submissions SET is_current = FALSE, state = 'superseded' WHERE id = $1",
                args![pid.as_str()],
            )
            .await?;
            let pafter = get(&mut tx, &pid).await?;
            record_change(
                &mut tx,
                origin,
                "stat_submission.superseded",
                "stat_submission",
                &pid,
                pbefore.as_ref().map(as_json),
                pafter.as_ref().map(as_json),
            )
            .await?;
            // A correction of published figures is public from its approval on.
            let published = p.bool("published")?;
            if let (true, Some(q)) = (published, p.opt_str("quality_note")?) {
                super::notes::widen(
                    &mut tx,
                    &before.unit_id,
                    &q,
                    &before.period_from,
                    &before.period_from,
                )
                .await?;
            }
            tx.execute(
                "UPDATE stat_submissions SET published = $2, quality_note = $3, published_at = $4 WHERE id = $1",
                args![
                    id,
                    published,
                    p.opt_str("quality_note")?,
                    published.then_some(now)
                ],
            )
            .await?;
        }
        tx.execute(
            "UPDATE stat_submissions SET is_current = TRUE WHERE id = $1",
            args![id],
        )
        .await?;
    }
    let after = get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record_change(
        &mut tx,
        origin,
        if approve {
            "stat_submission.approved"
        } else {
            "stat_submission.rejected"
        },
        "stat_submission",
        id,
        Some(as_json(&before)),
        Some(as_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Publishes (or withdraws from publication) the current figures of the units in
/// `units` whose period lies within `period`; returns how many versions changed.
pub async fn publish(
    db: &Db,
    origin: &Origin,
    actor: &Actor,
    (units, period): (&[String], Period),
    publish: bool,
    quality_note: Option<&str>,
) -> AppResult<u64> {
    if !allowed(actor, Action::PublishFigures, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let quality = note(quality_note);
    if publish && quality.is_none() {
        return Err(AppError::invalid(
            "quality_note",
            "err.stats_quality_required",
        ));
    }
    let from = day_str(period.from);
    let to = day_str(period.to);
    let mut tx = db.begin().await?;
    let rows = tx
        .fetch_all(
            "SELECT id, unit_id, period_from FROM stat_submissions
              WHERE is_current = TRUE AND period_from >= $1 AND period_to <= $2 AND published = $3",
            args![from.as_str(), to.as_str(), !publish],
        )
        .await?;
    let now = now_ms();
    let mut n = 0u64;
    let mut changed: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    // Per unit, the first and last day its newly published figures start on.
    let mut spans: std::collections::BTreeMap<String, (String, String)> =
        std::collections::BTreeMap::new();
    for r in &rows {
        let unit = r.str("unit_id")?;
        if !units.contains(&unit) {
            continue;
        }
        let start = r.str("period_from")?;
        let span = spans
            .entry(unit.clone())
            .or_insert_with(|| (start.clone(), start.clone()));
        if start < span.0 {
            span.0 = start.clone();
        }
        if start > span.1 {
            span.1 = start;
        }
        changed.insert(unit);
        // Only while still current: on PostgreSQL a correction may have been approved
        // since the read (it carries the publication it found over; this one is counted
        // out, not set on the superseded version).
        n += tx
            .execute(
                "UPDATE stat_submissions SET published = $2, quality_note = $3, published_at = $4 WHERE id = $1 AND is_current = TRUE",
                args![
                    r.str("id")?,
                    publish,
                    if publish { quality.clone() } else { None },
                    if publish { Some(now) } else { None }
                ],
            )
            .await?;
    }
    if let (true, Some(q)) = (publish, quality.as_deref()) {
        for (unit, (first, last)) in &spans {
            super::notes::widen(&mut tx, unit, q, first, last).await?;
        }
    }
    if n > 0 {
        let id = new_id();
        record_change(
            &mut tx,
            origin,
            if publish {
                "stat_publication.published"
            } else {
                "stat_publication.withdrawn"
            },
            "stat_publication",
            &id,
            None,
            Some(serde_json::json!({
                "from": from, "to": to, "units": units.len(), "versions": n,
                "unit_ids": changed,
                "quality_note": quality,
            })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}
