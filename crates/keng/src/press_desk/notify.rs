//! Notifications for every change that concerns a person, following the event log (so
//! nothing committed is missed and nothing is sent twice): the press office learns of
//! new requests, the unit or person in charge of assignments, replies and reminders, the
//! journalist of every answer, schedule, question, refusal and revoked permit, and the
//! leaders of requests past their time limit; journalists of invited agencies of every
//! change to a press conference (invited, changed, postponed, cancelled, minutes); an
//! agency's editors of a correction request, and the press office of the agency's
//! reply. Each goes on the person's page and, when
//! they have an address, by email. The clock task turns time into events: a reminder
//! before the limit (`press_request.due_soon`) and an escalation after it
//! (`press_request.overdue`), once each, whichever node sees it first.

use std::sync::Arc;

use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Db, Tx};
use crate::platform::events::{Event, Follower};
use crate::platform::i18n::{t, Lang};
use crate::platform::ids::new_id;
use crate::platform::mailer;

use super::calendar;
use super::model::PressRequest;

pub struct Notifications {
    pub config: Arc<Config>,
}

async fn ids_where(
    tx: &mut Tx,
    sql: &str,
    args: &[crate::platform::db::Value],
) -> anyhow::Result<Vec<String>> {
    Ok(tx
        .fetch_all(sql, args)
        .await?
        .iter()
        .map(|r| r.str("id"))
        .collect::<Result<_, _>>()?)
}

/// The staff in charge of a request: its assignee, else the active officers of its unit.
async fn in_charge(tx: &mut Tx, r: &PressRequest) -> anyhow::Result<Vec<String>> {
    if let Some(a) = &r.assignee_id {
        return Ok(vec![a.clone()]);
    }
    match r.unit_id.as_ref().filter(|_| r.assigned_at.is_some()) {
        Some(u) => ids_where(tx, "SELECT id FROM users WHERE role = 'unit_officer' AND status = 'active' AND unit_id = $1", args![u]).await,
        None => Ok(Vec::new()),
    }
}

async fn role(tx: &mut Tx, role: &str) -> anyhow::Result<Vec<String>> {
    ids_where(
        tx,
        "SELECT id FROM users WHERE role = $1 AND status = 'active'",
        args![role],
    )
    .await
}

/// Who is told, and of what: the subject's kind, id, title and page, and the people.
struct Delivery {
    subject_type: &'static str,
    subject_id: String,
    title: String,
    /// Path of the page the notice links to.
    link: String,
    /// One line of detail for the email (the time limit, the event's time and place).
    detail: String,
    kind: String,
    to: Vec<String>,
}

/// Active journalists of one agency.
async fn agency_journalists(tx: &mut Tx, agency_id: &str) -> anyhow::Result<Vec<String>> {
    ids_where(
        tx,
        "SELECT id FROM users WHERE role = 'journalist' AND status = 'active' AND agency_id = $1",
        args![agency_id],
    )
    .await
}

/// Active journalists of the agencies invited to an event, and whoever answered it.
async fn invited_journalists(tx: &mut Tx, event_id: &str) -> anyhow::Result<Vec<String>> {
    ids_where(
        tx,
        "SELECT u.id FROM users u JOIN press_event_agencies a ON a.agency_id = u.agency_id
          WHERE a.event_id = $1 AND u.role = 'journalist' AND u.status = 'active'
         UNION SELECT journalist_id AS id FROM press_event_answers WHERE event_id = $1",
        args![event_id],
    )
    .await
}

/// The editors of an agency; its active journalists when it has no editor.
async fn agency_editors(tx: &mut Tx, agency_id: &str) -> anyhow::Result<Vec<String>> {
    let editors = ids_where(
        tx,
        "SELECT id FROM users WHERE role = 'journalist' AND status = 'active' AND agency_id = $1 AND is_editor = $2",
        args![agency_id, true],
    )
    .await?;
    if !editors.is_empty() {
        return Ok(editors);
    }
    ids_where(
        tx,
        "SELECT id FROM users WHERE role = 'journalist' AND status = 'active' AND agency_id = $1",
        args![agency_id],
    )
    .await
}

impl Notifications {
    async fn for_request(
        &self,
        db: &Db,
        tx: &mut Tx,
        event: &Event,
    ) -> anyhow::Result<Option<Delivery>> {
        let (request_id, kind) = match event.kind.as_str() {
            "press_request.viewed" => return Ok(None),
            k if k.starts_with("press_request.") => (
                event.entity_id.clone(),
                k.trim_start_matches("press_request.").to_string(),
            ),
            "permit.revoked" | "permit.issued" | "permit.rescheduled" => {
                let Some(r) = event.payload["after"]["request_id"].as_str() else {
                    return Ok(None);
                };
                (r.to_string(), event.kind.replace('.', "_"))
            }
            _ => return Ok(None),
        };
        let Some(row) = db
            .fetch_optional(
                "SELECT * FROM press_requests WHERE id = $1",
                args![&request_id],
            )
            .await?
        else {
            return Ok(None);
        };
        let r = PressRequest::from_row(&row)?;
        let journalist = vec![r.journalist_id.clone()];
        let to: Vec<String> = match kind.as_str() {
            "created" => role(tx, "press_officer").await?,
            "assigned" => {
                let mut v = in_charge(tx, &r).await?;
                v.extend(journalist.clone());
                v
            }
            "details_given" | "followed_up" | "withdrawn" => {
                let mut v = in_charge(tx, &r).await?;
                v.extend(role(tx, "press_officer").await?);
                v
            }
            "due_soon" => {
                let mut v = in_charge(tx, &r).await?;
                if v.is_empty() {
                    v = role(tx, "press_officer").await?;
                }
                v
            }
            "overdue" => {
                let mut v = role(tx, "leader").await?;
                v.extend(in_charge(tx, &r).await?);
                v.extend(role(tx, "press_officer").await?);
                v
            }
            // A file: the other side hears of it (the actor is left out below).
            "file_added" => {
                let mut v = in_charge(tx, &r).await?;
                v.extend(journalist.clone());
                v
            }
            "scheduled" | "details_asked" | "answered" | "refused" | "permit_issued"
            | "permit_revoked" | "permit_rescheduled" => journalist,
            _ => Vec::new(),
        };
        Ok(Some(Delivery {
            subject_type: "press_request",
            link: format!("/press/requests/{}", r.id),
            detail: format!(
                "{}: {}",
                t(Lang::Vi, "press_desk.due_at"),
                clock::format_datetime(r.due_at)
            ),
            subject_id: r.id,
            title: r.topic,
            kind,
            to,
        }))
    }

    /// Journalists of the agencies invited now are told of the change; those of an agency
    /// added by this change get an invitation, and those of an agency dropped are told
    /// they are no longer expected (their link goes to their page, not the event).
    async fn for_event(&self, tx: &mut Tx, event: &Event) -> anyhow::Result<Vec<Delivery>> {
        let kind = match event.kind.as_str() {
            "press_event.created" => "event_invited",
            "press_event.updated" => "event_updated",
            "press_event.rescheduled" => "event_rescheduled",
            "press_event.cancelled" => "event_cancelled",
            "press_event.held" => "event_held",
            _ => return Ok(Vec::new()),
        };
        let after = &event.payload["after"];
        let title = after["title"].as_str().unwrap_or_default().to_string();
        let place = after["place"].as_str().unwrap_or_default();
        let starts = after["starts_at"].as_i64().unwrap_or_default();
        let agencies = |v: &serde_json::Value| -> Vec<String> {
            v["agency_ids"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (was, now) = (agencies(&event.payload["before"]), agencies(after));
        let delivery = |kind: &str, link: String, to: Vec<String>| Delivery {
            subject_type: "press_event",
            subject_id: event.entity_id.clone(),
            link,
            detail: format!("{} — {place}", clock::format_datetime(starts)),
            title: title.clone(),
            kind: kind.to_string(),
            to,
        };
        let page = format!("/press/events/{}", event.entity_id);
        let invited = invited_journalists(tx, &event.entity_id).await?;
        if !matches!(kind, "event_updated" | "event_rescheduled") {
            return Ok(vec![delivery(kind, page, invited)]);
        }
        // Agencies added by this change: their journalists are invited, not "updated".
        let mut added = Vec::new();
        for a in now.iter().filter(|a| !was.contains(a)) {
            added.extend(agency_journalists(tx, a).await?);
        }
        let mut dropped = Vec::new();
        for a in was.iter().filter(|a| !now.contains(a)) {
            dropped.extend(agency_journalists(tx, a).await?);
        }
        let told: Vec<String> = invited
            .into_iter()
            .filter(|u| !added.contains(u) && !dropped.contains(u))
            .collect();
        Ok(vec![
            delivery(kind, page.clone(), told),
            delivery("event_invited", page, added),
            delivery("event_uninvited", "/press".to_string(), dropped),
        ])
    }

    async fn for_correction(&self, tx: &mut Tx, event: &Event) -> anyhow::Result<Option<Delivery>> {
        let Some(step) = event.kind.strip_prefix("press_correction.") else {
            return Ok(None);
        };
        let after = &event.payload["after"];
        let agency = after["agency_id"].as_str().unwrap_or_default();
        let to = match step {
            "sent" | "withdrawn" | "overdue" => agency_editors(tx, agency).await?,
            "acknowledged" | "published" | "declined" => {
                let mut v = role(tx, "press_officer").await?;
                v.extend(role(tx, "spokesperson").await?);
                v.extend(after["created_by"].as_str().map(str::to_string));
                v
            }
            _ => return Ok(None),
        };
        Ok(Some(Delivery {
            subject_type: "press_correction",
            subject_id: event.entity_id.clone(),
            link: format!("/press/corrections/{}", event.entity_id),
            detail: format!(
                "{}: {}",
                t(Lang::Vi, "press_desk.due_at"),
                clock::format_datetime(after["due_at"].as_i64().unwrap_or_default())
            ),
            title: after["article_title"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kind: format!("correction_{step}"),
            to,
        }))
    }
}

#[async_trait::async_trait]
impl Follower for Notifications {
    fn name(&self) -> &str {
        "press-desk-notifications"
    }

    async fn handle(&self, db: &Db, event: &Event) -> anyhow::Result<()> {
        let mut tx = db.begin().await?;
        let deliveries = if event.kind.starts_with("press_event.") {
            self.for_event(&mut tx, event).await?
        } else if event.kind.starts_with("press_correction.") {
            self.for_correction(&mut tx, event)
                .await?
                .into_iter()
                .collect()
        } else {
            self.for_request(db, &mut tx, event)
                .await?
                .into_iter()
                .collect()
        };
        for d in deliveries {
            self.deliver(&mut tx, event, d).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Notifications {
    /// Writes a delivery's notices and queues its emails, once per person and event.
    async fn deliver(&self, tx: &mut Tx, event: &Event, mut d: Delivery) -> anyhow::Result<()> {
        d.to.sort();
        d.to.dedup();
        // Nobody is told of their own action.
        d.to.retain(|u| Some(u.as_str()) != event.actor_id.as_deref());
        let base = self.config.base_url_for(None);
        for user_id in &d.to {
            let dedupe = format!("{}:{user_id}", event.event_id);
            tx.execute(
                "INSERT INTO notifications (id, user_id, kind, subject_type, subject_id, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (dedupe_key) DO NOTHING",
                args![new_id(), user_id, &d.kind, d.subject_type, &d.subject_id, &dedupe, event.created_at],
            )
            .await?;
            let email = tx
                .fetch_optional(
                    "SELECT email FROM users WHERE id = $1 AND status = 'active'",
                    args![user_id],
                )
                .await?
                .and_then(|row| row.opt_str("email").ok().flatten());
            if let Some(email) = email {
                let what = t(Lang::Vi, &format!("press_desk.notify.{}", d.kind));
                let subject = format!("[Kẻng] {what}: {}", d.title);
                let body = format!(
                    "{what}\n\n{}\n{}\n\n{base}{}\n\n— {}\n{}",
                    d.title,
                    d.detail,
                    d.link,
                    t(Lang::En, &format!("press_desk.notify.{}", d.kind)),
                    self.config.site_name,
                );
                mailer::enqueue(tx, &format!("mail:{dedupe}"), &email, &subject, &body).await?;
            }
        }
        Ok(())
    }
}

/// A person's notification, newest first, with its subject's title and page.
#[derive(Debug, serde::Serialize)]
pub struct Notice {
    pub kind: String,
    pub subject_type: String,
    pub subject_id: String,
    pub title: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

pub async fn latest(db: &Db, user_id: &str, limit: i64) -> anyhow::Result<Vec<Notice>> {
    let rows = db
        .fetch_all(
            &format!("SELECT n.kind, n.subject_type, n.subject_id, n.created_at, n.read_at, COALESCE(r.topic, e.title, c.article_title) AS title
               FROM notifications n
               LEFT JOIN press_requests r ON n.subject_type = 'press_request' AND r.id = n.subject_id
               LEFT JOIN press_events e ON n.subject_type = 'press_event' AND e.id = n.subject_id
               LEFT JOIN press_corrections c ON n.subject_type = 'press_correction' AND c.id = n.subject_id
              WHERE n.user_id = $1 ORDER BY n.created_at DESC LIMIT {}", limit.clamp(1, 200)),
            args![user_id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let subject_type = r.str("subject_type")?;
            let subject_id = r.str("subject_id")?;
            let kind = r.str("kind")?;
            let link = match subject_type.as_str() {
                // No longer invited: the event is not theirs to open.
                "press_event" if kind == "event_uninvited" => "/press".to_string(),
                "press_event" => format!("/press/events/{subject_id}"),
                "press_correction" => format!("/press/corrections/{subject_id}"),
                _ => format!("/press/requests/{subject_id}"),
            };
            Ok(Notice {
                kind,
                title: r.opt_str("title")?.unwrap_or_default(),
                link,
                subject_type,
                subject_id,
                created_at: r.i64("created_at")?,
                read: r.opt_i64("read_at")?.is_some(),
            })
        })
        .collect()
}

/// Turns time into events: reminders before the limit, escalation after it.
pub async fn check_clocks(db: &Db, config: &Config, now: i64) -> anyhow::Result<usize> {
    let cal = calendar::load(db, now).await?;
    let before = super::settings::of(config).remind_days_before;
    let rows = db
        .fetch_all(
            "SELECT * FROM press_requests WHERE state IN ('submitted', 'assigned', 'needs_details', 'scheduled')
             AND ((escalated_at IS NULL AND due_at < $1) OR (reminded_at IS NULL AND due_at < $2)) ORDER BY due_at LIMIT 500",
            args![now, now + 40 * 86_400_000],
        )
        .await?;
    let origin = Origin::system("press-desk-clock");
    let mut n = 0;
    for row in rows {
        let r = PressRequest::from_row(&row)?;
        let (column, kind) = if now > r.due_at && r.escalated_at.is_none() {
            ("escalated_at", "press_request.overdue")
        } else if r.reminded_at.is_none()
            && now <= r.due_at
            && calendar::working_days_left(&cal, now, r.due_at) <= i64::from(before)
        {
            ("reminded_at", "press_request.due_soon")
        } else {
            continue;
        };
        let mut tx = db.begin().await?;
        // Whichever node gets here first records it; the others update nothing.
        let done = tx
            .execute(
                &format!(
                    "UPDATE press_requests SET {column} = $1 WHERE id = $2 AND {column} IS NULL"
                ),
                args![now, &r.id],
            )
            .await?;
        if done == 1 {
            record_change(
                &mut tx,
                &origin,
                kind,
                "press_request",
                &r.id,
                None,
                Some(serde_json::json!({"due_at": r.due_at, "state": r.state})),
            )
            .await?;
            tx.mark_wake();
            tx.commit().await?;
            n += 1;
        }
    }
    Ok(n)
}

/// The clock task: checks every `clock_check_seconds` until stopped.
pub async fn clock_loop(db: Db, config: Arc<Config>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = super::settings::of(&config).clock_check_seconds.max(1);
    loop {
        if let Err(e) = check_clocks(&db, &config, now_ms()).await {
            tracing::warn!(error = %e, "press desk clock check failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(every)) => {},
            _ = stop.changed() => return,
        }
    }
}
