//! Press requests and permits in the database. Every change runs in one transaction
//! with its audit record and domain event (`press_request.*`, `permit.*`); the legal
//! time limit is set in working days when a request arrives (and again on a follow-up).

use serde::Deserialize;

use super::calendar;
use super::model::{
    is_scheduled, needs_permit, Permit, PressRequest, State, KINDS, REFUSAL_GROUNDS,
};
use super::rules;
use super::settings;
use crate::accounts::model::{Check, Status, User};
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Db, Tx, Value};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner, Role};

/// Requests one journalist may file in 24 hours.
pub const MAX_PER_DAY: i64 = 30;

/// A new request, as a journalist fills it in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RequestInput {
    /// information, interview, field_work, operation or documents.
    pub kind: String,
    pub topic: String,
    pub questions: String,
    /// Wished start (RFC 3339 or Vietnam-time "yyyy-mm-ddThh:mm"); required for
    /// interviews, field work and operations.
    pub wished_from: Option<String>,
    pub wished_until: Option<String>,
    /// The unit asked for; required for field work and operations.
    pub unit_id: Option<String>,
    pub incident_id: Option<String>,
    pub bulletin_id: Option<String>,
}

/// What a step carries (each step reads the fields it needs).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// assign: the unit in charge.
    pub unit_id: Option<String>,
    /// assign: the person in charge (staff).
    pub assignee_id: Option<String>,
    /// schedule: start and end (RFC 3339 or "yyyy-mm-ddThh:mm").
    pub scheduled_from: Option<String>,
    pub scheduled_until: Option<String>,
    /// schedule: where to meet.
    pub place: Option<String>,
    /// schedule: the officer who receives the journalist (default: whoever schedules,
    /// when a unit officer).
    pub officer_id: Option<String>,
    /// answer: the answer.
    pub answer: Option<String>,
    /// refuse: one of the Press Law Art. 38 grounds.
    pub ground: Option<String>,
    /// ask_details, reply, follow_up, withdraw, refuse, revoke_permit: the text.
    pub note: Option<String>,
    /// share: `public` or `press` (accredited journalists only) — who reads the answer
    /// once the bulletin it becomes is approved and published on the incident's timeline.
    pub audience: Option<String>,
}

fn opt_id(c: &mut Check, field: &str, v: Option<&str>) -> Option<String> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    if !is_id(v) {
        c.fail(field, "err.not_found_ref");
        return None;
    }
    Some(v.to_string())
}

fn when(c: &mut Check, field: &str, v: Option<&str>) -> Option<i64> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    let t = clock::parse_local_datetime(v);
    if t.is_none() {
        c.fail(field, "err.datetime");
    }
    t
}

/// A time window that must lie ahead and end after it starts.
fn window(c: &mut Check, names: (&str, &str), from: Option<i64>, until: Option<i64>, now: i64) {
    if let Some(f) = from {
        // A few minutes of slack for a form filled in slowly.
        if f < now - 10 * 60_000 {
            c.fail(names.0, "err.in_past");
        }
        if let Some(u) = until {
            if u <= f {
                c.fail(names.1, "err.end_before_start");
            } else if u - f > 14 * 86_400_000 {
                c.fail(names.1, "err.window_too_long");
            }
        }
        // Nothing is planned more than two years ahead.
        if f > now + 2 * 366 * 86_400_000 {
            c.fail(names.0, "err.too_far");
        }
    } else if until.is_some() {
        c.fail(names.0, "err.required");
    }
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<PressRequest>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM press_requests WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(PressRequest::from_row)
        .transpose()?)
}

/// A journalist files a request.
pub async fn create(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    input: &RequestInput,
) -> AppResult<PressRequest> {
    if user.role != Role::Journalist
        || !allowed(&user.actor(), Action::SubmitPressRequest, &Owner::None)
    {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if user.status != Status::Active {
        return Err(AppError::Forbidden("err.not_accredited"));
    }
    let now = now_ms();
    // A journalist files at most this many requests a day: enough for any newsroom,
    // not enough to bury the press office.
    let recent = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM press_requests WHERE journalist_id = $1 AND created_at > $2",
            args![&user.id, now - 86_400_000],
        )
        .await?
        .i64("n")?;
    if recent >= MAX_PER_DAY {
        return Err(AppError::TooManyRequests {
            key: "err.too_many_press_requests",
            retry_after_secs: 3600,
        });
    }
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let topic = c.text("topic", &input.topic, 300);
    let questions = c.paragraphs("questions", &input.questions, 2000, true);
    let wished_from = when(&mut c, "wished_from", input.wished_from.as_deref());
    let wished_until = when(&mut c, "wished_until", input.wished_until.as_deref());
    window(
        &mut c,
        ("wished_from", "wished_until"),
        wished_from,
        wished_until,
        now,
    );
    if is_scheduled(&kind) && wished_from.is_none() && !c.has("wished_from") {
        c.fail("wished_from", "err.required");
    }
    let unit_id = opt_id(&mut c, "unit_id", input.unit_id.as_deref());
    if let Some(u) = &unit_id {
        if accounts::get_unit(db, u).await?.is_none() {
            c.fail("unit_id", "err.unknown_unit");
        }
    } else if needs_permit(&kind) {
        c.fail("unit_id", "err.choose");
    }
    let incident_id = opt_id(&mut c, "incident_id", input.incident_id.as_deref());
    if let Some(i) = &incident_id {
        if db
            .fetch_optional("SELECT id FROM incidents WHERE id = $1", args![i])
            .await?
            .is_none()
        {
            c.fail("incident_id", "err.not_found_ref");
        }
    }
    let bulletin_id = opt_id(&mut c, "bulletin_id", input.bulletin_id.as_deref());
    if let Some(b) = &bulletin_id {
        if db
            .fetch_optional(
                "SELECT id FROM bulletins WHERE id = $1 AND state IN ('published', 'withdrawn')",
                args![b],
            )
            .await?
            .is_none()
        {
            c.fail("bulletin_id", "err.not_found_ref");
        }
    }
    c.finish()?;
    let cal = calendar::load(db, now).await?;
    let days = settings::of(cfg).days_for(&kind);
    let due_at = calendar::due_after(&cal, now, days)
        .ok_or_else(|| AppError::Internal("no working day ahead".into()))?;
    let r = PressRequest {
        id: new_id(),
        kind,
        state: State::Submitted.as_str().into(),
        journalist_id: user.id.clone(),
        agency_id: user.agency_id.clone(),
        topic,
        questions: questions.unwrap_or_default(),
        wished_from,
        wished_until,
        unit_id,
        assignee_id: None,
        assigned_at: None,
        incident_id,
        bulletin_id,
        due_at,
        scheduled_from: None,
        scheduled_until: None,
        officer_id: None,
        place: None,
        answer: None,
        answered_at: None,
        answered_by: None,
        refusal_ground: None,
        refusal_note: None,
        note: None,
        reminded_at: None,
        escalated_at: None,
        created_at: now,
        updated_at: now,
        closed_at: None,
        responded_at: None,
        shared_bulletin_id: None,
    };
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_requests (id, kind, state, journalist_id, agency_id, topic, questions, wished_from, wished_until, unit_id, incident_id, bulletin_id, due_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        args![&r.id, &r.kind, &r.state, &r.journalist_id, r.agency_id.clone(), &r.topic, &r.questions, r.wished_from, r.wished_until, r.unit_id.clone(), r.incident_id.clone(), r.bulletin_id.clone(), r.due_at, now],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "press_request.created",
        "press_request",
        &r.id,
        None,
        Some(json(&r)),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    super::views::bump();
    Ok(r)
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// One permit found by `sql` (its one parameter `arg`).
async fn one_permit(db: &Db, sql: &str, arg: &str) -> AppResult<Option<Permit>> {
    Ok(db
        .fetch_optional(sql, args![arg])
        .await?
        .as_ref()
        .map(Permit::from_row)
        .transpose()?)
}

/// The request's live (not revoked) permit, if any.
pub async fn live_permit(db: &Db, request_id: &str) -> AppResult<Option<Permit>> {
    one_permit(
        db,
        "SELECT * FROM press_permits WHERE request_id = $1 AND revoked_at IS NULL",
        request_id,
    )
    .await
}

/// The request's latest permit, live or not.
pub async fn permit_of(db: &Db, request_id: &str) -> AppResult<Option<Permit>> {
    one_permit(
        db,
        "SELECT * FROM press_permits WHERE request_id = $1 ORDER BY issued_at DESC, id DESC LIMIT 1",
        request_id,
    )
    .await
}

/// The event each step records.
fn event_of(step: &str) -> &'static str {
    match step {
        "assign" => "press_request.assigned",
        "schedule" => "press_request.scheduled",
        "ask_details" => "press_request.details_asked",
        "reply" => "press_request.details_given",
        "answer" => "press_request.answered",
        "refuse" => "press_request.refused",
        "acknowledge" => "press_request.acknowledged",
        "follow_up" => "press_request.followed_up",
        "withdraw" => "press_request.withdrawn",
        "share" => "press_request.shared",
        _ => "press_request.permit_revoked",
    }
}

/// Takes one step on a request (see `rules::next_steps` for who may take which). This
/// node's cached views (permits at the gate, the desk's counts) are stale after it,
/// whichever way it returns.
pub async fn act(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    step: &str,
    input: &StepInput,
) -> AppResult<PressRequest> {
    let _stale = super::views::StaleOnDrop;
    if !rules::STEPS.contains(&step) {
        return Err(AppError::NotFound);
    }
    // A role that can never take this step is refused before the request is read.
    if !rules::role_may(user, step) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    let owner = rules::owner(db, &before).await?;
    if !rules::may_view(user, &owner) {
        return Err(AppError::NotFound);
    }
    let permit = live_permit(db, id).await?;
    if !rules::next_steps(user, &before, &owner, permit.is_some()).contains(&step) {
        return Err(AppError::Conflict("err.press_step_not_allowed"));
    }
    let now = now_ms();
    let mut r = before.clone();
    let mut c = Check::default();
    let reopen = |r: &PressRequest| {
        if r.assigned_at.is_some() {
            State::Assigned
        } else {
            State::Submitted
        }
    };
    let mut new_permit: Option<Permit> = None;
    let mut share_audience: Option<String> = None;
    match step {
        "assign" => {
            let unit_id = opt_id(&mut c, "unit_id", input.unit_id.as_deref());
            let assignee_id = opt_id(&mut c, "assignee_id", input.assignee_id.as_deref());
            let mut unit = unit_id.clone();
            if let Some(u) = &unit_id {
                if accounts::get_unit(db, u).await?.is_none() {
                    c.fail("unit_id", "err.unknown_unit");
                }
            }
            if let Some(a) = &assignee_id {
                match accounts::get_user(db, a).await? {
                    Some(p)
                        if p.role.is_staff()
                            && p.status == Status::Active
                            && p.role != Role::Admin =>
                    {
                        if unit.is_none() && p.role == Role::UnitOfficer {
                            unit = p.unit_id.clone();
                        }
                    }
                    _ => c.fail("assignee_id", "err.not_staff"),
                }
            }
            if unit.is_none() && assignee_id.is_none() {
                c.fail("unit_id", "err.choose");
            }
            c.finish()?;
            r.unit_id = unit.or(r.unit_id);
            r.assignee_id = assignee_id;
            r.assigned_at = Some(now);
            r.state = State::Assigned.as_str().into();
        }
        "schedule" => {
            let from = when(&mut c, "scheduled_from", input.scheduled_from.as_deref());
            let until = when(&mut c, "scheduled_until", input.scheduled_until.as_deref());
            if from.is_none() && !c.has("scheduled_from") {
                c.fail("scheduled_from", "err.required");
            }
            if until.is_none() && !c.has("scheduled_until") {
                c.fail("scheduled_until", "err.required");
            }
            window(
                &mut c,
                ("scheduled_from", "scheduled_until"),
                from,
                until,
                now,
            );
            let place = c.opt_text("place", input.place.as_deref(), 200);
            // The officer who receives the journalist: someone of the desk, or an officer
            // of the unit in charge (or a unit above it).
            let unit_path = match r.unit_id.as_deref() {
                Some(u) => accounts::unit_path(db, u).await?,
                None => Vec::new(),
            };
            let officer_id = match opt_id(&mut c, "officer_id", input.officer_id.as_deref()) {
                Some(o) => match accounts::get_user(db, &o).await? {
                    Some(p)
                        if p.status == Status::Active
                            && (matches!(
                                p.role,
                                Role::Leader | Role::Spokesperson | Role::PressOfficer
                            ) || (p.role == Role::UnitOfficer
                                && p.unit_id.as_ref().is_some_and(|u| unit_path.contains(u)))) =>
                    {
                        Some(o)
                    }
                    _ => {
                        c.fail("officer_id", "err.not_in_charge");
                        None
                    }
                },
                None => (user.role == Role::UnitOfficer).then(|| user.id.clone()),
            };
            let holder = accounts::get_user(db, &r.journalist_id).await?;
            if holder.is_none_or(|j| j.status != Status::Active) {
                return Err(AppError::Conflict("err.journalist_not_active"));
            }
            if needs_permit(&r.kind) && r.unit_id.is_none() {
                c.fail("unit_id", "err.choose");
            }
            c.finish()?;
            r.scheduled_from = from;
            r.scheduled_until = until;
            r.place = place;
            r.officer_id = officer_id;
            r.state = State::Scheduled.as_str().into();
            if needs_permit(&r.kind) {
                if let (Some(unit_id), Some(from), Some(until)) = (r.unit_id.clone(), from, until) {
                    new_permit = Some(Permit {
                        id: permit.as_ref().map(|p| p.id.clone()).unwrap_or_else(new_id),
                        request_id: r.id.clone(),
                        journalist_id: r.journalist_id.clone(),
                        agency_id: r.agency_id.clone(),
                        unit_id,
                        officer_id: r.officer_id.clone(),
                        place: r.place.clone(),
                        valid_from: from,
                        valid_until: until,
                        issued_at: now,
                        issued_by: Some(user.id.clone()),
                        revoked_at: None,
                        revoked_by: None,
                        revoke_reason: None,
                    });
                }
            }
        }
        "ask_details" => {
            r.note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, true);
            c.finish()?;
            r.state = State::NeedsDetails.as_str().into();
        }
        "reply" | "follow_up" => {
            r.note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, true);
            c.finish()?;
            r.state = reopen(&r).as_str().into();
            if step == "follow_up" {
                // A follow-up is a new question: a new time limit.
                let cal = calendar::load(db, now).await?;
                if let Some(due) =
                    calendar::due_after(&cal, now, settings::of(cfg).days_for(&r.kind))
                {
                    r.due_at = due;
                }
                r.reminded_at = None;
                r.escalated_at = None;
            }
        }
        "answer" => {
            r.answer = c.paragraphs("answer", input.answer.as_deref().unwrap_or(""), 8000, true);
            c.finish()?;
            r.answered_at = Some(now);
            r.answered_by = Some(user.id.clone());
            r.state = State::Answered.as_str().into();
        }
        "refuse" => {
            let ground = c.one_of(
                "ground",
                input.ground.as_deref().unwrap_or(""),
                &REFUSAL_GROUNDS,
            );
            r.refusal_note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, true);
            c.finish()?;
            r.refusal_ground = Some(ground);
            r.answered_at = Some(now);
            r.answered_by = Some(user.id.clone());
            r.state = State::Refused.as_str().into();
            r.closed_at = Some(now);
        }
        "acknowledge" => {
            r.state = State::Closed.as_str().into();
            r.closed_at = Some(now);
        }
        "share" => {
            share_audience = Some(c.one_of(
                "audience",
                input.audience.as_deref().unwrap_or(""),
                &crate::newsroom::model::AUDIENCES,
            ));
            c.finish()?;
        }
        "withdraw" => {
            r.note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, false);
            c.finish()?;
            r.state = State::Withdrawn.as_str().into();
            r.closed_at = Some(now);
        }
        _ => {
            // revoke_permit: the request stays as it is; its permit stops at once.
            let reason = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, true);
            c.finish()?;
            let p = permit
                .clone()
                .ok_or(AppError::Conflict("err.press_step_not_allowed"))?;
            let mut tx = db.begin().await?;
            let n = tx
                .execute(
                    "UPDATE press_permits SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4 AND revoked_at IS NULL",
                    args![now, &user.id, reason.clone(), &p.id],
                )
                .await?;
            if n == 0 {
                return Err(AppError::Conflict("err.press_step_not_allowed"));
            }
            let mut after = p.clone();
            after.revoked_at = Some(now);
            after.revoked_by = Some(user.id.clone());
            after.revoke_reason = reason;
            record_change(
                &mut tx,
                origin,
                "permit.revoked",
                "permit",
                &p.id,
                Some(json(&p)),
                Some(json(&after)),
            )
            .await?;
            tx.mark_wake();
            tx.commit().await?;
            return Ok(r);
        }
    }
    r.updated_at = now;
    if matches!(step, "schedule" | "answer" | "refuse") && r.responded_at.is_none() {
        r.responded_at = Some(now);
    }
    let mut tx = db.begin().await?;
    // The shared answer's draft is made in the same transaction as the request's step:
    // a step that loses a race (409) leaves no draft behind.
    if let Some(audience) = &share_audience {
        r.shared_bulletin_id =
            Some(share_as_bulletin(&mut tx, db, cfg, origin, user, &r, audience).await?);
    }
    let n = write(&mut tx, &r, before.updated_at).await?;
    if n == 0 {
        // Someone else took a step in between: the caller sees the new state.
        return Err(AppError::Conflict("err.press_changed_meanwhile"));
    }
    record_change(
        &mut tx,
        origin,
        event_of(step),
        "press_request",
        &r.id,
        Some(json(&before)),
        Some(json(&r)),
    )
    .await?;
    // A refused or withdrawn request takes its permit with it, in the same transaction.
    if matches!(step, "refuse" | "withdraw") {
        if let Some(p) = &permit {
            tx.execute(
                "UPDATE press_permits SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4 AND revoked_at IS NULL",
                args![now, &user.id, format!("request {}", r.state), &p.id],
            )
            .await?;
            let mut after = p.clone();
            after.revoked_at = Some(now);
            after.revoked_by = Some(user.id.clone());
            record_change(
                &mut tx,
                origin,
                "permit.revoked",
                "permit",
                &p.id,
                Some(json(p)),
                Some(json(&after)),
            )
            .await?;
        }
    }
    if let Some(p) = &new_permit {
        save_permit(&mut tx, p).await?;
        let kind = if permit.is_some() {
            "permit.rescheduled"
        } else {
            "permit.issued"
        };
        record_change(
            &mut tx,
            origin,
            kind,
            "permit",
            &p.id,
            permit.as_ref().map(json),
            Some(json(p)),
        )
        .await?;
    }
    tx.mark_wake();
    tx.commit().await?;
    Ok(r)
}

/// An answer shared with all accredited press (or the public): a draft bulletin on the
/// request's incident with the question (not who asked it) and the answer. It goes
/// through the newsroom's four-eyes approval like any bulletin; once published it is on
/// the incident's timeline, and the next journalist asking is pointed to it.
async fn share_as_bulletin(
    tx: &mut Tx,
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    r: &PressRequest,
    audience: &str,
) -> AppResult<String> {
    use crate::newsroom::store::{draft_in, BulletinInput};
    use crate::platform::i18n::{t, Lang};
    let title: String = format!("{}: {}", t(Lang::Vi, "press_desk.shared_title"), r.topic)
        .chars()
        .take(200)
        .collect();
    let body = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        t(Lang::Vi, "press_desk.shared_question"),
        r.questions,
        t(Lang::Vi, "press_desk.shared_answer"),
        r.answer.clone().unwrap_or_default()
    );
    let summary: String = r
        .answer
        .clone()
        .unwrap_or_default()
        .chars()
        .take(280)
        .collect();
    let b = draft_in(
        tx,
        db,
        cfg,
        origin,
        user,
        &BulletinInput {
            kind: "case_update".into(),
            category: "khac".into(),
            title,
            summary,
            body,
            places: Vec::new(),
            tags: Vec::new(),
            video_links: Vec::new(),
            audience: audience.to_string(),
            embargo_until: None,
            incident_id: r.incident_id.clone(),
            unit_ids: Vec::new(),
            spokesperson_id: None,
        },
    )
    .await?;
    Ok(b.id)
}

async fn write(tx: &mut Tx, r: &PressRequest, seen_updated_at: i64) -> AppResult<u64> {
    Ok(tx
        .execute(
            "UPDATE press_requests SET state = $1, unit_id = $2, assignee_id = $3, due_at = $4, scheduled_from = $5, scheduled_until = $6,
                officer_id = $7, place = $8, answer = $9, answered_at = $10, answered_by = $11, refusal_ground = $12, refusal_note = $13,
                note = $14, reminded_at = $15, escalated_at = $16, updated_at = $17, closed_at = $18, assigned_at = $21,
                responded_at = $22, shared_bulletin_id = $23
             WHERE id = $19 AND updated_at = $20",
            args![
                &r.state, r.unit_id.clone(), r.assignee_id.clone(), r.due_at, r.scheduled_from, r.scheduled_until,
                r.officer_id.clone(), r.place.clone(), r.answer.clone(), r.answered_at, r.answered_by.clone(), r.refusal_ground.clone(), r.refusal_note.clone(),
                r.note.clone(), r.reminded_at, r.escalated_at, r.updated_at, r.closed_at, &r.id, seen_updated_at, r.assigned_at,
                r.responded_at, r.shared_bulletin_id.clone()
            ],
        )
        .await?)
}

async fn save_permit(tx: &mut Tx, p: &Permit) -> AppResult<()> {
    tx.execute(
        "INSERT INTO press_permits (id, request_id, journalist_id, agency_id, unit_id, officer_id, place, valid_from, valid_until, issued_at, issued_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET officer_id = $6, place = $7, valid_from = $8, valid_until = $9, issued_at = $10, issued_by = $11",
        args![&p.id, &p.request_id, &p.journalist_id, p.agency_id.clone(), &p.unit_id, p.officer_id.clone(), p.place.clone(), p.valid_from, p.valid_until, p.issued_at, p.issued_by.clone()],
    )
    .await?;
    Ok(())
}

/// Filters of the request lists.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<String>,
    pub kind: Option<String>,
    pub unit_id: Option<String>,
    /// Only open requests past their time limit.
    pub overdue: bool,
    /// Only open requests.
    pub open: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The conditions (after `WHERE 1=1`) and parameters selecting what `user` may see with
/// the filters; None when they may see nothing.
async fn visible_sql(
    db: &Db,
    user: &User,
    f: &ListFilter,
) -> AppResult<Option<(String, Vec<Value>)>> {
    let mut sql = String::new();
    let mut params: Vec<Value> = Vec::new();
    let bind = |v: Value, params: &mut Vec<Value>| {
        params.push(v);
        format!("${}", params.len())
    };
    let desk = allowed(&user.actor(), Action::AnswerPressRequest, &Owner::None)
        || (user.role.is_staff() && user.role != Role::UnitOfficer);
    match user.role {
        _ if desk => {}
        Role::UnitOfficer => {
            let Some(mine) = user.unit_id.as_deref() else {
                return Ok(None);
            };
            let units = subtree(db, mine).await?;
            let list: Vec<String> = units
                .into_iter()
                .map(|u| bind(u.into(), &mut params))
                .collect();
            sql.push_str(&format!(
                " AND assigned_at IS NOT NULL AND unit_id IN ({})",
                list.join(", ")
            ));
        }
        Role::Journalist if user.is_editor && user.agency_id.is_some() => {
            let a = bind(user.agency_id.clone().into(), &mut params);
            let me = bind(user.id.clone().into(), &mut params);
            sql.push_str(&format!(" AND (agency_id = {a} OR journalist_id = {me})"));
        }
        Role::Journalist => {
            let me = bind(user.id.clone().into(), &mut params);
            sql.push_str(&format!(" AND journalist_id = {me}"));
        }
        _ => return Ok(None),
    }
    if let Some(s) = &f.state {
        sql.push_str(&format!(
            " AND state = {}",
            bind(s.clone().into(), &mut params)
        ));
    }
    if let Some(k) = &f.kind {
        sql.push_str(&format!(
            " AND kind = {}",
            bind(k.clone().into(), &mut params)
        ));
    }
    if let Some(u) = &f.unit_id {
        sql.push_str(&format!(
            " AND unit_id = {}",
            bind(u.clone().into(), &mut params)
        ));
    }
    if f.open || f.overdue {
        sql.push_str(" AND state IN ('submitted', 'assigned', 'needs_details', 'scheduled')");
    }
    if f.overdue {
        sql.push_str(&format!(
            " AND due_at < {}",
            bind(now_ms().into(), &mut params)
        ));
    }
    Ok(Some((sql, params)))
}

/// The requests `user` may see, with the filters: the press office sees all; a unit
/// officer those assigned to their unit or the units under it; a journalist their own,
/// an agency editor their agency's. Open ones by time limit first, then newest.
pub async fn list(db: &Db, user: &User, f: &ListFilter) -> AppResult<Vec<PressRequest>> {
    let Some((filters, params)) = visible_sql(db, user, f).await? else {
        return Ok(Vec::new());
    };
    let limit = if f.limit <= 0 { 50 } else { f.limit.min(500) };
    let offset = f.offset.max(0);
    // Open requests by time limit (walking the partial index on due_at), then the
    // others newest first (the index on created_at): two queries that each stop at the
    // page, instead of sorting every request on a computed key.
    let open = format!("state IN ({OPEN_STATES})");
    let mut out: Vec<PressRequest> = db
        .fetch_all(
            &format!("SELECT * FROM press_requests WHERE {open}{filters} ORDER BY due_at, id LIMIT {limit} OFFSET {offset}"),
            &params,
        )
        .await?
        .iter()
        .map(PressRequest::from_row)
        .collect::<Result<_, _>>()?;
    let only_open = f.open
        || f.overdue
        || f.state
            .as_deref()
            .and_then(State::parse)
            .is_some_and(State::is_open);
    if (out.len() as i64) < limit && !only_open {
        let open_total = if out.is_empty() {
            db.fetch_one(
                &format!("SELECT COUNT(*) AS n FROM press_requests WHERE {open}{filters}"),
                &params,
            )
            .await?
            .i64("n")?
        } else {
            offset + out.len() as i64
        };
        let rest = limit - out.len() as i64;
        let skip = (offset - open_total).max(0);
        out.extend(
            db.fetch_all(
                &format!("SELECT * FROM press_requests WHERE NOT ({open}){filters} ORDER BY created_at DESC, id DESC LIMIT {rest} OFFSET {skip}"),
                &params,
            )
            .await?
            .iter()
            .map(PressRequest::from_row)
            .collect::<Result<Vec<_>, _>>()?,
        );
    }
    Ok(out)
}

/// The states in which the police still owe an answer, as SQL.
const OPEN_STATES: &str = "'submitted', 'assigned', 'needs_details', 'scheduled'";

/// How many open requests `user` may see (the panel's count; the list stops at 500).
pub async fn count_open(db: &Db, user: &User) -> AppResult<i64> {
    let f = ListFilter {
        open: true,
        limit: 500,
        ..Default::default()
    };
    let (sql, params) = match visible_sql(db, user, &f).await? {
        Some(v) => v,
        None => return Ok(0),
    };
    Ok(db
        .fetch_one(
            &format!("SELECT COUNT(*) AS n FROM press_requests WHERE 1=1{sql}"),
            &params,
        )
        .await?
        .i64("n")?)
}

/// A unit and every unit under it.
pub async fn subtree(db: &Db, unit: &str) -> AppResult<Vec<String>> {
    let units = accounts::list_units(db).await?;
    let mut out = vec![unit.to_string()];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].clone();
        for u in &units {
            if u.parent_id.as_deref() == Some(parent.as_str()) && !out.contains(&u.id) {
                out.push(u.id.clone());
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Permits of a journalist, newest first.
pub async fn permits_of_journalist(db: &Db, journalist_id: &str) -> AppResult<Vec<Permit>> {
    Ok(db
        .fetch_all(
            "SELECT * FROM press_permits WHERE journalist_id = $1 ORDER BY valid_from DESC LIMIT 100",
            args![journalist_id],
        )
        .await?
        .iter()
        .map(Permit::from_row)
        .collect::<Result<_, _>>()?)
}

/// Refusals in a period, by ground: what the refusal report shows.
pub async fn refusals_by_ground(db: &Db, from: i64, to: i64) -> AppResult<Vec<(String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT refusal_ground AS g, COUNT(*) AS n FROM press_requests WHERE state = 'refused' AND answered_at >= $1 AND answered_at < $2 GROUP BY refusal_ground ORDER BY n DESC, g",
            args![from, to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.str("g")?, r.i64("n")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?)
}

/// Open requests by state (the press office's overview).
pub async fn open_counts(db: &Db) -> AppResult<Vec<(String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT state AS s, COUNT(*) AS n FROM press_requests WHERE state IN ('submitted', 'assigned', 'needs_details', 'scheduled') GROUP BY state",
            args![],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.str("s")?, r.i64("n")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?)
}

/// Requests made in a period, per journalist: (journalist id, agency id, made,
/// responded — scheduled, answered or refused — and answered on time). What the yearly
/// review credits each reporter and agency with.
pub async fn requests_per_journalist(
    db: &Db,
    from: i64,
    to: i64,
) -> AppResult<Vec<(String, Option<String>, i64, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT journalist_id AS j, agency_id AS a, COUNT(*) AS n,
                    SUM(CASE WHEN state IN ('scheduled', 'answered', 'refused', 'closed') THEN 1 ELSE 0 END) AS r
             FROM press_requests WHERE created_at >= $1 AND created_at < $2
             GROUP BY journalist_id, agency_id ORDER BY journalist_id",
            args![from, to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.str("j")?, r.opt_str("a")?, r.i64("n")?, r.i64("r")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?)
}
