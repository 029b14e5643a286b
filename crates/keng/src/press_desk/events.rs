//! Press conferences and other events (họp báo, hội nghị, buổi cung cấp thông tin): when
//! and where, agenda and speakers, the agencies invited, each journalist's answer and
//! check-in at the door, minutes once held. A change of time or place, or a
//! cancellation, bumps the iCalendar `SEQUENCE` so every invited calendar updates
//! (RFC 5546). The press conference duty — at least one every three months — is read
//! from here.

use serde::{Deserialize, Serialize};

use super::rules;
use crate::accounts::model::{Check, Status, User};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::db::{Db, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner, Role};

pub const KINDS: [&str; 3] = ["press_conference", "conference", "briefing"];
pub const ANSWERS: [&str; 3] = ["yes", "no", "maybe"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PressEvent {
    pub id: String,
    /// press_conference, conference or briefing.
    pub kind: String,
    pub title: String,
    pub agenda: Option<String>,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub speakers: Option<String>,
    /// scheduled, cancelled or held.
    pub status: String,
    /// Bumped by every change the invited must see (RFC 5545 SEQUENCE).
    pub sequence: i64,
    pub materials_bulletin_id: Option<String>,
    pub minutes: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Ids of the invited press agencies.
    pub agency_ids: Vec<String>,
}

impl PressEvent {
    fn from_row(r: &Row) -> AppResult<PressEvent> {
        Ok(PressEvent {
            id: r.str("id")?,
            kind: r.str("kind")?,
            title: r.str("title")?,
            agenda: r.opt_str("agenda")?,
            place: r.str("place")?,
            starts_at: r.i64("starts_at")?,
            ends_at: r.i64("ends_at")?,
            speakers: r.opt_str("speakers")?,
            status: r.str("status")?,
            sequence: r.i64("sequence")?,
            materials_bulletin_id: r.opt_str("materials_bulletin_id")?,
            minutes: r.opt_str("minutes")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
            agency_ids: Vec::new(),
        })
    }
}

/// An event as staff fill it in.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub agenda: Option<String>,
    pub place: String,
    /// RFC 3339 or Vietnam-time "yyyy-mm-ddThh:mm".
    pub starts_at: String,
    pub ends_at: String,
    pub speakers: Option<String>,
    #[serde(default)]
    pub agency_ids: Vec<String>,
}

fn organiser(user: &User) -> AppResult<()> {
    if allowed(&user.actor(), Action::AnswerPressRequest, &Owner::None) {
        Ok(())
    } else {
        Err(AppError::Forbidden("err.forbidden"))
    }
}

async fn agencies_of(db: &Db, event_id: &str) -> AppResult<Vec<String>> {
    Ok(db
        .fetch_all(
            "SELECT agency_id FROM press_event_agencies WHERE event_id = $1 ORDER BY agency_id",
            args![event_id],
        )
        .await?
        .iter()
        .map(|r| r.str("agency_id"))
        .collect::<Result<_, _>>()?)
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<PressEvent>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(r) = db
        .fetch_optional("SELECT * FROM press_events WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let mut e = PressEvent::from_row(&r)?;
    e.agency_ids = agencies_of(db, id).await?;
    Ok(Some(e))
}

struct Checked {
    kind: String,
    title: String,
    agenda: Option<String>,
    place: String,
    starts_at: i64,
    ends_at: i64,
    speakers: Option<String>,
    agency_ids: Vec<String>,
}

async fn check(db: &Db, input: &EventInput, now: i64, new: bool) -> AppResult<Checked> {
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let title = c.text("title", &input.title, 300);
    let agenda = c.paragraphs("agenda", input.agenda.as_deref().unwrap_or(""), 4000, false);
    let place = c.text("place", &input.place, 300);
    let speakers = c.paragraphs(
        "speakers",
        input.speakers.as_deref().unwrap_or(""),
        1000,
        false,
    );
    let starts_at = clock::parse_local_datetime(&input.starts_at);
    let ends_at = clock::parse_local_datetime(&input.ends_at);
    match (starts_at, ends_at) {
        (None, _) => c.fail("starts_at", "err.datetime"),
        (_, None) => c.fail("ends_at", "err.datetime"),
        (Some(s), Some(e)) => {
            if new && s < now - 10 * 60_000 {
                c.fail("starts_at", "err.in_past");
            }
            if e <= s {
                c.fail("ends_at", "err.end_before_start");
            } else if e - s > 7 * 86_400_000 {
                c.fail("ends_at", "err.window_too_long");
            }
        }
    }
    let mut agency_ids: Vec<String> = input
        .agency_ids
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    agency_ids.sort();
    agency_ids.dedup();
    for a in &agency_ids {
        if !is_id(a)
            || db
                .fetch_optional("SELECT id FROM agencies WHERE id = $1", args![a])
                .await?
                .is_none()
        {
            c.fail("agency_ids", "err.not_found_ref");
            break;
        }
    }
    c.finish()?;
    Ok(Checked {
        kind,
        title,
        agenda,
        place,
        starts_at: starts_at.unwrap_or_default(),
        ends_at: ends_at.unwrap_or_default(),
        speakers,
        agency_ids,
    })
}

async fn set_agencies(
    tx: &mut crate::platform::db::Tx,
    event_id: &str,
    ids: &[String],
) -> AppResult<()> {
    tx.execute(
        "DELETE FROM press_event_agencies WHERE event_id = $1",
        args![event_id],
    )
    .await?;
    for a in ids {
        tx.execute(
            "INSERT INTO press_event_agencies (event_id, agency_id) VALUES ($1, $2)",
            args![event_id, a],
        )
        .await?;
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub async fn create(
    db: &Db,
    origin: &Origin,
    user: &User,
    input: &EventInput,
) -> AppResult<PressEvent> {
    organiser(user)?;
    let now = now_ms();
    let v = check(db, input, now, true).await?;
    let id = new_id();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_events (id, kind, title, agenda, place, starts_at, ends_at, speakers, status, sequence, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', 0, $9, $10, $10)",
        args![&id, &v.kind, &v.title, v.agenda.clone(), &v.place, v.starts_at, v.ends_at, v.speakers.clone(), &user.id, now],
    )
    .await?;
    set_agencies(&mut tx, &id, &v.agency_ids).await?;
    let e = PressEvent {
        id: id.clone(),
        kind: v.kind,
        title: v.title,
        agenda: v.agenda,
        place: v.place,
        starts_at: v.starts_at,
        ends_at: v.ends_at,
        speakers: v.speakers,
        status: "scheduled".into(),
        sequence: 0,
        materials_bulletin_id: None,
        minutes: None,
        created_at: now,
        updated_at: now,
        agency_ids: v.agency_ids,
    };
    record_change(
        &mut tx,
        origin,
        "press_event.created",
        "press_event",
        &id,
        None,
        Some(json(&e)),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    Ok(e)
}

/// Changes an event (a postponement is a change of its times): every invited calendar
/// sees the new version through a higher SEQUENCE.
pub async fn update(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &EventInput,
) -> AppResult<PressEvent> {
    organiser(user)?;
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if before.status != "scheduled" {
        return Err(AppError::Conflict("err.event_not_scheduled"));
    }
    let now = now_ms();
    let v = check(
        db,
        input,
        now,
        before.starts_at
            != clock::parse_local_datetime(&input.starts_at).unwrap_or(before.starts_at),
    )
    .await?;
    let mut after = before.clone();
    after.kind = v.kind;
    after.title = v.title;
    after.agenda = v.agenda;
    after.place = v.place;
    after.starts_at = v.starts_at;
    after.ends_at = v.ends_at;
    after.speakers = v.speakers;
    after.agency_ids = v.agency_ids;
    after.sequence = before.sequence + 1;
    after.updated_at = now;
    let postponed = after.starts_at != before.starts_at || after.ends_at != before.ends_at;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE press_events SET kind = $1, title = $2, agenda = $3, place = $4, starts_at = $5, ends_at = $6, speakers = $7, sequence = $8, updated_at = $9
             WHERE id = $10 AND sequence = $11",
            args![&after.kind, &after.title, after.agenda.clone(), &after.place, after.starts_at, after.ends_at, after.speakers.clone(), after.sequence, now, id, before.sequence],
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict("err.press_changed_meanwhile"));
    }
    set_agencies(&mut tx, id, &after.agency_ids).await?;
    let kind = if postponed {
        "press_event.rescheduled"
    } else {
        "press_event.updated"
    };
    record_change(
        &mut tx,
        origin,
        kind,
        "press_event",
        id,
        Some(json(&before)),
        Some(json(&after)),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    Ok(after)
}

/// Cancels (`cancelled`, a higher SEQUENCE) or records as held with its minutes.
pub async fn close(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    status: &str,
    text: &str,
) -> AppResult<PressEvent> {
    organiser(user)?;
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if before.status != "scheduled" {
        return Err(AppError::Conflict("err.event_not_scheduled"));
    }
    let now = now_ms();
    let mut c = Check::default();
    let text = c.paragraphs(
        if status == "held" { "minutes" } else { "note" },
        text,
        8000,
        true,
    );
    if status == "held" && before.starts_at > now {
        c.fail("minutes", "err.event_not_started");
    }
    c.finish()?;
    let mut after = before.clone();
    after.status = status.to_string();
    after.sequence = before.sequence + 1;
    after.updated_at = now;
    if status == "held" {
        after.minutes = text.clone();
    }
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE press_events SET status = $1, sequence = $2, minutes = $3, updated_at = $4 WHERE id = $5 AND sequence = $6",
            args![status, after.sequence, after.minutes.clone(), now, id, before.sequence],
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict("err.press_changed_meanwhile"));
    }
    let kind = if status == "held" {
        "press_event.held"
    } else {
        "press_event.cancelled"
    };
    let mut after_json = json(&after);
    if status != "held" {
        after_json["reason"] = serde_json::Value::from(text.unwrap_or_default());
    }
    record_change(
        &mut tx,
        origin,
        kind,
        "press_event",
        id,
        Some(json(&before)),
        Some(after_json),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    Ok(after)
}

/// Events `user` may see, soonest first (past ones after, newest first).
pub async fn list_for(db: &Db, user: &User, limit: i64) -> AppResult<Vec<PressEvent>> {
    let now = now_ms();
    let rows = if user.role.is_staff() {
        db.fetch_all(
            &format!("SELECT * FROM press_events ORDER BY CASE WHEN ends_at >= $1 THEN 0 ELSE 1 END, CASE WHEN ends_at >= $1 THEN starts_at ELSE -starts_at END LIMIT {}", limit.clamp(1, 500)),
            args![now],
        )
        .await?
    } else if user.role == Role::Journalist && user.status == Status::Active {
        let Some(agency) = user.agency_id.as_deref() else {
            return Ok(Vec::new());
        };
        db.fetch_all(
            &format!("SELECT e.* FROM press_events e JOIN press_event_agencies a ON a.event_id = e.id WHERE a.agency_id = $2
              ORDER BY CASE WHEN e.ends_at >= $1 THEN 0 ELSE 1 END, CASE WHEN e.ends_at >= $1 THEN e.starts_at ELSE -e.starts_at END LIMIT {}", limit.clamp(1, 500)),
            args![now, agency],
        )
        .await?
    } else {
        return Ok(Vec::new());
    };
    let mut out = rows
        .iter()
        .map(PressEvent::from_row)
        .collect::<AppResult<Vec<_>>>()?;
    if out.is_empty() {
        return Ok(out);
    }
    // The invited agencies of every listed event in one query, not one per event.
    let ids: Vec<crate::platform::db::Value> = out.iter().map(|e| e.id.clone().into()).collect();
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    for r in db
        .fetch_all(
            &format!(
                "SELECT event_id, agency_id FROM press_event_agencies WHERE event_id IN ({}) ORDER BY agency_id",
                marks.join(", ")
            ),
            &ids,
        )
        .await?
    {
        let (event, agency) = (r.str("event_id")?, r.str("agency_id")?);
        if let Some(e) = out.iter_mut().find(|e| e.id == event) {
            e.agency_ids.push(agency);
        }
    }
    Ok(out)
}

/// A journalist's answer to an invitation.
pub async fn answer(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    answer: &str,
) -> AppResult<()> {
    let e = get(db, id).await?.ok_or(AppError::NotFound)?;
    if !rules::invited(user, &e) {
        return Err(AppError::NotFound);
    }
    if e.status != "scheduled" {
        return Err(AppError::Conflict("err.event_not_scheduled"));
    }
    let mut c = Check::default();
    let answer = c.one_of("answer", answer, &ANSWERS);
    c.finish()?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_event_answers (event_id, journalist_id, answer, answered_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id, journalist_id) DO UPDATE SET answer = $3, answered_at = $4",
        args![id, &user.id, &answer, now],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "press_event.answered",
        "press_event",
        id,
        None,
        Some(serde_json::json!({"journalist_id": user.id, "answer": answer})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An invited journalist and their answer and check-in.
#[derive(Debug, Clone, Serialize)]
pub struct Guest {
    pub journalist_id: String,
    pub name: String,
    pub agency: Option<String>,
    pub answer: Option<String>,
    pub checked_in_at: Option<i64>,
}

/// Everyone invited (active journalists of the invited agencies) with their answers.
pub async fn guests(db: &Db, id: &str) -> AppResult<Vec<Guest>> {
    let rows = db
        .fetch_all(
            "SELECT u.id, u.display_name, g.name AS agency, a.answer, a.checked_in_at
             FROM users u JOIN press_event_agencies ea ON ea.agency_id = u.agency_id AND ea.event_id = $1
             LEFT JOIN agencies g ON g.id = u.agency_id
             LEFT JOIN press_event_answers a ON a.event_id = $1 AND a.journalist_id = u.id
             WHERE u.role = 'journalist' AND u.status = 'active' ORDER BY g.name, u.display_name",
            args![id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Guest {
                journalist_id: r.str("id")?,
                name: r.str("display_name")?,
                agency: r.opt_str("agency")?,
                answer: r.opt_str("answer")?,
                checked_in_at: r.opt_i64("checked_in_at")?,
            })
        })
        .collect()
}

/// Checks a journalist in at the door (staff, from the journalist's QR code).
pub async fn check_in(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    journalist_id: &str,
) -> AppResult<()> {
    organiser(user)?;
    let e = get(db, id).await?.ok_or(AppError::NotFound)?;
    let j = crate::accounts::store::get_user(db, journalist_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !rules::invited(&j, &e) {
        return Err(AppError::Conflict("err.not_invited"));
    }
    if e.status == "cancelled" {
        return Err(AppError::Conflict("err.event_not_scheduled"));
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_event_answers (event_id, journalist_id, answer, answered_at, checked_in_at, checked_in_by) VALUES ($1, $2, 'yes', $3, $3, $4)
         ON CONFLICT (event_id, journalist_id) DO UPDATE SET checked_in_at = COALESCE(press_event_answers.checked_in_at, $3), checked_in_by = COALESCE(press_event_answers.checked_in_by, $4)",
        args![id, journalist_id, now, &user.id],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "press_event.checked_in",
        "press_event",
        id,
        None,
        Some(serde_json::json!({"journalist_id": journalist_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The quarterly press-conference duty: the last one held, when the next is due, and
/// whether it is overdue (three months after the last; none held counts as due now).
#[derive(Debug, Serialize)]
pub struct Duty {
    pub last_held: Option<i64>,
    pub next_due: i64,
    pub overdue: bool,
    pub next_scheduled: Option<i64>,
}

pub async fn conference_duty(db: &Db, now: i64) -> AppResult<Duty> {
    let last = db
        .fetch_optional("SELECT MAX(starts_at) AS t FROM press_events WHERE kind = 'press_conference' AND status = 'held'", args![])
        .await?
        .and_then(|r| r.opt_i64("t").ok().flatten());
    let next = db
        .fetch_optional(
            "SELECT MIN(starts_at) AS t FROM press_events WHERE kind = 'press_conference' AND status = 'scheduled' AND starts_at >= $1",
            args![now],
        )
        .await?
        .and_then(|r| r.opt_i64("t").ok().flatten());
    let next_due = last.map(|t| t + 91 * 86_400_000).unwrap_or(now);
    Ok(Duty {
        last_held: last,
        next_due,
        overdue: now > next_due && next.is_none_or(|n| n > next_due),
        next_scheduled: next,
    })
}

/// What a bulletin is to an event: its materials, or a follow-up after it.
pub const LINK_ROLES: [&str; 2] = ["materials", "follow_up"];

/// A bulletin tied to an event, with its role.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    pub role: String,
    pub bulletin: crate::newsroom::model::Bulletin,
}

/// Ties a bulletin to an event as materials or a follow-up (again: changes its role).
/// Who reads it is still the newsroom's rule: a press-only bulletin embargoed until the
/// start reaches the invited press early, marked, and the public only once released.
pub async fn link(
    db: &Db,
    origin: &Origin,
    user: &User,
    event_id: &str,
    bulletin_id: &str,
    role: &str,
) -> AppResult<()> {
    organiser(user)?;
    get(db, event_id).await?.ok_or(AppError::NotFound)?;
    let mut c = Check::default();
    let role = c.one_of("role", role, &LINK_ROLES);
    let bulletin_id = bulletin_id.trim();
    if bulletin_id.is_empty() {
        c.fail("bulletin_id", "err.choose");
    } else if crate::newsroom::store::get(db, bulletin_id)
        .await?
        .is_none()
    {
        c.fail("bulletin_id", "err.not_found_ref");
    }
    c.finish()?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_event_bulletins (event_id, bulletin_id, role, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (event_id, bulletin_id) DO UPDATE SET role = $3, linked_by = $4, linked_at = $5",
        args![event_id, bulletin_id, &role, &user.id, now],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "press_event.bulletin_linked",
        "press_event",
        event_id,
        None,
        Some(serde_json::json!({"bulletin_id": bulletin_id, "role": role})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Unties a bulletin from an event (the bulletin itself is untouched).
pub async fn unlink(
    db: &Db,
    origin: &Origin,
    user: &User,
    event_id: &str,
    bulletin_id: &str,
) -> AppResult<()> {
    organiser(user)?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "DELETE FROM press_event_bulletins WHERE event_id = $1 AND bulletin_id = $2",
            args![event_id, bulletin_id],
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    record_change(
        &mut tx,
        origin,
        "press_event.bulletin_unlinked",
        "press_event",
        event_id,
        Some(serde_json::json!({"bulletin_id": bulletin_id})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The bulletins tied to an event, materials first, oldest link first.
pub async fn linked(db: &Db, event_id: &str) -> AppResult<Vec<Linked>> {
    let rows = db
        .fetch_all(
            "SELECT bulletin_id, role FROM press_event_bulletins WHERE event_id = $1 ORDER BY CASE WHEN role = 'materials' THEN 0 ELSE 1 END, linked_at",
            args![event_id],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if let Some(b) = crate::newsroom::store::get(db, &r.str("bulletin_id")?).await? {
            out.push(Linked {
                role: r.str("role")?,
                bulletin: b,
            });
        }
    }
    Ok(out)
}

/// Press conferences held in a period (starts in it, status held).
pub async fn held(db: &Db, from: i64, to: i64) -> AppResult<i64> {
    Ok(db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM press_events WHERE kind = 'press_conference' AND status = 'held' AND starts_at >= $1 AND starts_at < $2",
            args![from, to],
        )
        .await?
        .i64("n")?)
}

/// Who attended the events held in a period: (journalist id, events checked in to).
pub async fn attendance(db: &Db, from: i64, to: i64) -> AppResult<Vec<(String, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT a.journalist_id AS j, COUNT(*) AS n FROM press_event_answers a
             JOIN press_events e ON e.id = a.event_id
             WHERE e.status = 'held' AND e.starts_at >= $1 AND e.starts_at < $2 AND a.checked_in_at IS NOT NULL
             GROUP BY a.journalist_id ORDER BY a.journalist_id",
            args![from, to],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.str("j")?, r.i64("n")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?)
}
