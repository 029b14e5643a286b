//! Press conferences as people use them: the press office's list, form and event page
//! (invited agencies, answers, attendance, postponement, cancellation, minutes); the
//! journalist's invitation with their answer and the QR code they show at the door; the
//! check-in page that code opens for staff; the personal iCalendar feed
//! (`/calendar/{token}.ics`, revocable, RFC 5545 with SEQUENCE and STATUS); and the API
//! (events as IPTC ninjs documents, answers).

use axum::extract::{Path, RawForm, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use icalendar::{Calendar, Component, EventLike, EventStatus};
use minijinja::context;
use serde::Deserialize;
use serde_json::{json, Value};

use super::events::{self, EventInput, PressEvent};
use super::permits;
use super::rules;
use crate::accounts::model::Status;
use crate::accounts::store as accounts;
use crate::args;
use crate::newsroom::visibility::{seen, Seen, Viewer};
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::{input_datetime, iso, now_ms};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{hash_secret, new_id, random_secret};
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

fn organiser(ctx: &Ctx) -> AppResult<()> {
    ctx.require(Action::AnswerPressRequest, &Owner::None)
}

/// Reads a form with repeated fields (`agency_ids`).
fn parse_event_form(body: &[u8]) -> (EventInput, Vec<(String, String)>) {
    let mut input = EventInput::default();
    let mut other = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.to_string();
        match k.as_ref() {
            "kind" => input.kind = v,
            "title" => input.title = v,
            "agenda" => input.agenda = Some(v),
            "place" => input.place = v,
            "starts_at" => input.starts_at = v,
            "ends_at" => input.ends_at = v,
            "speakers" => input.speakers = Some(v),
            "agency_ids" => input.agency_ids.push(v),
            _ => other.push((k.to_string(), v)),
        }
    }
    (input, other)
}

fn field(other: &[(String, String)], name: &str) -> String {
    other
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /press-desk/events`.
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    if !user.role.is_staff() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let list = events::list_for(&app.db, &user, 200).await?;
    let duty = events::conference_duty(&app.db, now_ms()).await?;
    Ok(page(
        &app,
        &ctx,
        "press_desk/events.html",
        context! { events => list, duty => duty, now => now_ms(), may_organise => ctx.can(Action::AnswerPressRequest), done => done_message(ctx.lang, q.done.as_deref()) },
    )?
    .into_response())
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &EventInput,
    id: Option<&str>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    Ok(page(
        app,
        ctx,
        "press_desk/event_form.html",
        context! { form => form, id => id, errors => errors, kinds => events::KINDS, agencies => accounts::list_agencies(&app.db).await? },
    )?
    .into_response())
}

/// `GET /press-desk/events/new`.
pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    organiser(&ctx)?;
    let form = EventInput {
        kind: "press_conference".into(),
        ..Default::default()
    };
    form_page(&app, &ctx, &form, None, Vec::new()).await
}

/// `POST /press-desk/events`.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    organiser(&ctx)?;
    let (input, _) = parse_event_form(&body);
    let user = ctx.user()?.clone();
    match events::create(&app.db, &ctx.origin(), &user, &input).await {
        Ok(e) => Ok(
            Redirect::to(&format!("/press-desk/events/{}?done=event_saved", e.id)).into_response(),
        ),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let mut r = form_page(&app, &ctx, &input, None, errors).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// `GET /press-desk/events/{id}`: the event, who is invited, who answered and came.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    if !user.role.is_staff() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let e = events::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let guests = events::guests(&app.db, &id).await?;
    let agencies = accounts::list_agencies(&app.db).await?;
    let invited: Vec<String> = agencies
        .iter()
        .filter(|a| e.agency_ids.contains(&a.id))
        .map(|a| a.name.clone())
        .collect();
    // Bulletins that may be tied to it: the newest, in any state but withdrawn.
    let choices = app
        .db
        .fetch_all(
            "SELECT id, title, state FROM bulletins WHERE state <> 'withdrawn' ORDER BY updated_at DESC LIMIT 60",
            args![],
        )
        .await?
        .iter()
        .map(|r| Ok((r.str("id")?, r.str("title")?, r.str("state")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?;
    let form = EventInput {
        kind: e.kind.clone(),
        title: e.title.clone(),
        agenda: e.agenda.clone(),
        place: e.place.clone(),
        starts_at: input_datetime(e.starts_at),
        ends_at: input_datetime(e.ends_at),
        speakers: e.speakers.clone(),
        agency_ids: e.agency_ids.clone(),
    };
    Ok(page(
        &app,
        &ctx,
        "press_desk/event.html",
        context! {
            e => e, guests => guests, invited => invited, form => form, kinds => events::KINDS, agencies => agencies,
            may_organise => ctx.can(Action::AnswerPressRequest), now => now_ms(), done => done_message(ctx.lang, q.done.as_deref()),
            coming => guests.iter().filter(|g| g.answer.as_deref() == Some("yes")).count(),
            came => guests.iter().filter(|g| g.checked_in_at.is_some()).count(),
            linked => events::linked(&app.db, &id).await?, link_roles => events::LINK_ROLES, choices => choices,
        },
    )?
    .into_response())
}

/// `POST /press-desk/events/{id}`: changes it (a new time is a postponement).
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    organiser(&ctx)?;
    let (input, _) = parse_event_form(&body);
    let user = ctx.user()?.clone();
    match events::update(&app.db, &ctx.origin(), &user, &id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/press-desk/events/{id}?done=event_saved")).into_response())
        }
        Err(AppError::Invalid(v)) => {
            let errors = field_errors(AppError::Invalid(v), ctx.lang)?;
            let mut r = form_page(&app, &ctx, &input, Some(&id), errors).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

/// `POST /press-desk/events/{id}/cancel` (note), `/held` (minutes), `/link` (a bulletin
/// as materials or a follow-up: bulletin_id, role) and `/unlink` (bulletin_id).
pub async fn close(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, what)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    organiser(&ctx)?;
    let (_, other) = parse_event_form(&body);
    if matches!(what.as_str(), "link" | "unlink") {
        let user = ctx.user()?.clone();
        let bulletin = field(&other, "bulletin_id");
        let done = if what == "link" {
            match events::link(
                &app.db,
                &ctx.origin(),
                &user,
                &id,
                &bulletin,
                &field(&other, "role"),
            )
            .await
            {
                Ok(()) => "event_linked",
                Err(AppError::Invalid(_)) => "event_link_invalid",
                Err(e) => return Err(e),
            }
        } else {
            events::unlink(&app.db, &ctx.origin(), &user, &id, &bulletin).await?;
            "event_unlinked"
        };
        return Ok(Redirect::to(&format!("/press-desk/events/{id}?done={done}")).into_response());
    }
    let status = match what.as_str() {
        "cancel" => "cancelled",
        "held" => "held",
        _ => return Err(AppError::NotFound),
    };
    let text = field(&other, if status == "held" { "minutes" } else { "note" });
    let user = ctx.user()?.clone();
    events::close(&app.db, &ctx.origin(), &user, &id, status, &text).await?;
    Ok(Redirect::to(&format!("/press-desk/events/{id}?done=event_{status}")).into_response())
}

/// The code a journalist shows at the door: `{event}.{journalist}.{signature}`.
async fn door_code(app: &AppState, event_id: &str, journalist_id: &str) -> AppResult<String> {
    let sig = permits::sign(
        &app.db,
        "keng-checkin-v1",
        &format!("{event_id}.{journalist_id}"),
    )
    .await?;
    Ok(format!("{event_id}.{journalist_id}.{sig}"))
}

/// `GET /press/events/{id}`: a journalist's invitation, their answer, their door code.
pub async fn invitation(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let e = events::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if !rules::invited(&user, &e) {
        return Err(AppError::NotFound);
    }
    let mine = app
        .db
        .fetch_optional("SELECT answer, checked_in_at FROM press_event_answers WHERE event_id = $1 AND journalist_id = $2", args![&id, &user.id])
        .await?;
    let answer = mine
        .as_ref()
        .and_then(|r| r.opt_str("answer").ok().flatten());
    let checked_in = mine
        .as_ref()
        .and_then(|r| r.opt_i64("checked_in_at").ok().flatten());
    // Its bulletins as the newsroom lets an accredited journalist see them: embargoed
    // materials early and marked, nothing unpublished.
    let now = now_ms();
    let materials: Vec<_> = events::linked(&app.db, &id)
        .await?
        .into_iter()
        .filter_map(|l| match seen(&l.bulletin, Viewer::Press, now) {
            Seen::Full { embargoed } => {
                Some(context! { role => l.role, b => l.bulletin, embargoed => embargoed })
            }
            _ => None,
        })
        .collect();
    let code = door_code(&app, &e.id, &user.id).await?;
    let url = format!("{}/su-kien/check-in/{code}", ctx.base_url);
    let qr = crate::platform::web::qr_svg(&url)?;
    Ok(page(
        &app,
        &ctx,
        "press_desk/invitation.html",
        context! { e => e, answer => answer, checked_in => checked_in, qr => qr, url => url, answers => events::ANSWERS, done => done_message(ctx.lang, q.done.as_deref()), materials => materials },
    )?
    .into_response())
}

/// `POST /press/events/{id}/answer`.
pub async fn answer(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let (_, other) = parse_event_form(&body);
    events::answer(&app.db, &ctx.origin(), &user, &id, &field(&other, "answer")).await?;
    Ok(Redirect::to(&format!("/press/events/{id}?done=event_answered")).into_response())
}

async fn door(
    app: &AppState,
    code: &str,
) -> AppResult<Option<(PressEvent, crate::accounts::model::User)>> {
    let parts: Vec<&str> = code.split('.').collect();
    let [event_id, journalist_id, sig] = parts.as_slice() else {
        return Ok(None);
    };
    if !permits::signed(
        &app.db,
        "keng-checkin-v1",
        &format!("{event_id}.{journalist_id}"),
        sig,
    )
    .await?
    {
        return Ok(None);
    }
    let Some(e) = events::get(&app.db, event_id).await? else {
        return Ok(None);
    };
    let Some(j) = accounts::get_user(&app.db, journalist_id).await? else {
        return Ok(None);
    };
    Ok(Some((e, j)))
}

/// `GET /su-kien/check-in/{code}`: what the press officer at the door sees after
/// scanning a journalist's code (signed in); anyone else learns only that it is a code.
pub async fn door_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    organiser(&ctx)?;
    let found = door(&app, &code).await?;
    let (status, e, j) = match &found {
        None => ("not_valid", None, None),
        Some((e, j)) if !rules::invited(j, e) => ("not_invited", Some(e), Some(j)),
        Some((e, j)) if e.status == "cancelled" => ("cancelled", Some(e), Some(j)),
        Some((e, j)) => ("invited", Some(e), Some(j)),
    };
    let checked_in = match (e, j) {
        (Some(e), Some(j)) => app
            .db
            .fetch_optional("SELECT checked_in_at FROM press_event_answers WHERE event_id = $1 AND journalist_id = $2", args![&e.id, &j.id])
            .await?
            .and_then(|r| r.opt_i64("checked_in_at").ok().flatten()),
        _ => None,
    };
    let code_status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let html = page(
        &app,
        &ctx,
        "press_desk/door.html",
        context! { status => status, e => e, j => j, code => code, checked_in => checked_in },
    )?;
    Ok((code_status, [(header::CACHE_CONTROL, "no-store")], html).into_response())
}

/// `POST /su-kien/check-in/{code}`.
pub async fn door_check_in(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    organiser(&ctx)?;
    let (e, j) = door(&app, &code).await?.ok_or(AppError::NotFound)?;
    let user = ctx.user()?.clone();
    events::check_in(&app.db, &ctx.origin(), &user, &e.id, &j.id).await?;
    Ok(Redirect::to(&format!(
        "/press-desk/events/{}?done=event_checked_in",
        e.id
    ))
    .into_response())
}

/// `POST /press/calendar-token`: a new personal calendar address (the old one stops);
/// shown once.
pub async fn new_calendar_token(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::SubmitPressRequest, &Owner::None)?;
    let user = ctx.user()?.clone();
    let token = random_secret();
    let now = now_ms();
    let id = new_id();
    let mut tx = app.db.begin().await?;
    tx.execute(
        "UPDATE calendar_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        args![now, &user.id],
    )
    .await?;
    tx.execute(
        "INSERT INTO calendar_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        args![&id, &user.id, hash_secret(&token), now],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "calendar_token.created",
        "calendar_token",
        &id,
        None,
        Some(json!({"user_id": user.id})),
    )
    .await?;
    tx.commit().await?;
    let url = format!("{}/calendar/{token}.ics", ctx.base_url);
    Ok(page(
        &app,
        &ctx,
        "press_desk/calendar_token.html",
        context! { url => url },
    )?
    .into_response())
}

/// `POST /press/calendar-token/revoke`.
pub async fn revoke_calendar_token(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::SubmitPressRequest, &Owner::None)?;
    let user = ctx.user()?.clone();
    let mut tx = app.db.begin().await?;
    tx.execute(
        "UPDATE calendar_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        args![now_ms(), &user.id],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "calendar_token.revoked",
        "calendar_token",
        &user.id,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/press/requests?done=calendar_revoked").into_response())
}

/// The iCalendar document of events (RFC 5545): UID per event, SEQUENCE, STATUS.
pub fn ics(events: &[PressEvent], base_url: &str, site: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("keng")
        .split('/')
        .next()
        .unwrap_or("keng")
        .to_string();
    let mut cal = Calendar::new();
    cal.name(&format!("{site} — họp báo, sự kiện báo chí"));
    cal.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    for e in events {
        let start = chrono::DateTime::from_timestamp_millis(e.starts_at).unwrap_or_default();
        let end = chrono::DateTime::from_timestamp_millis(e.ends_at).unwrap_or_default();
        let stamp = chrono::DateTime::from_timestamp_millis(e.updated_at).unwrap_or_default();
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("{}@{host}", e.id))
            .sequence(u32::try_from(e.sequence).unwrap_or(0))
            .timestamp(stamp)
            .last_modified(stamp)
            .summary(&e.title)
            .location(&e.place)
            .starts(start)
            .ends(end)
            .url(&format!("{base_url}/press/events/{}", e.id))
            .status(if e.status == "cancelled" {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        let mut description = e.agenda.clone().unwrap_or_default();
        if let Some(s) = &e.speakers {
            description.push_str(&format!("\n\nDiễn giả / Speakers: {s}"));
        }
        if !description.trim().is_empty() {
            ev.description(description.trim());
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}

/// `GET /calendar/{token}.ics`: the journalist's invitations (404 once the address is
/// revoked or the journalist is no longer accredited).
pub async fn calendar_feed(
    State(app): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let Some(token) = file.strip_suffix(".ics") else {
        return Err(AppError::NotFound);
    };
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let Some(r) = app
        .db
        .fetch_optional(
            "SELECT user_id FROM calendar_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
            args![hash_secret(token)],
        )
        .await?
    else {
        return Err(AppError::NotFound);
    };
    let user = accounts::get_user(&app.db, &r.str("user_id")?)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.status != Status::Active || user.role != Role::Journalist {
        return Err(AppError::NotFound);
    }
    let list = events::list_for(&app.db, &user, 500).await?;
    let base = app.config.base_url_for(None);
    let body = ics(&list, &base, &app.config.site_name);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// An event as an IPTC ninjs 3 document (type text, with its `events` entry).
pub fn ninjs(e: &PressEvent, base_url: &str, site: &str) -> Value {
    let uri = format!("{base_url}/press/events/{}", e.id);
    let mut body = format!("<p>{}</p>", html_escape(&e.place));
    if let Some(a) = &e.agenda {
        body.push_str(&format!("<p>{}</p>", html_escape(a).replace('\n', "<br>")));
    }
    json!({
        "uri": uri,
        "type": "text",
        "profile": format!("keng-event-{}", e.kind),
        "version": e.sequence.to_string(),
        "firstCreated": iso(e.created_at),
        "versionCreated": iso(e.updated_at),
        "pubStatus": if e.status == "cancelled" { "canceled" } else { "usable" },
        "language": "vi",
        "headlines": [{"role": "main", "value": e.title}],
        "copyrightHolder": site,
        "bodies": [{"role": "main", "contentType": "text/html", "value": body}],
        "places": [{"name": e.place}],
        "events": [{"id": e.id, "name": e.title, "rel": "about", "uri": uri}],
        "subjects": [{"name": e.kind, "rel": "event-kind"}],
        "descriptions": [{"role": "summary", "contentType": "text/plain", "value": format!("{} – {} · {}", iso(e.starts_at), iso(e.ends_at), e.place)}],
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Events the caller may see (the invited, or staff), soonest first, as ninjs documents.
#[utoipa::path(get, path = "/api/v1/events", operation_id = "press_list_events", tag = "press_desk",
    responses((status = 200, description = "ninjs documents", body = [serde_json::Value]), (status = 403)), security(("bearer" = [])))]
pub async fn api_list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<Value>>> {
    let user = ctx.user()?.clone();
    if !(user.role.is_staff() || user.role == Role::Journalist) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let list = events::list_for(&app.db, &user, 200).await?;
    Ok(Json(
        list.iter()
            .map(|e| ninjs(e, &ctx.base_url, &app.config.site_name))
            .collect(),
    ))
}

/// One event as a ninjs document.
#[utoipa::path(get, path = "/api/v1/events/{id}", operation_id = "press_get_event", tag = "press_desk",
    params(("id" = String, Path, description = "Event id")),
    responses((status = 200, description = "A ninjs document", body = serde_json::Value), (status = 404)), security(("bearer" = [])))]
pub async fn api_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let user = ctx.user()?.clone();
    let e = events::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if !rules::may_view_event(&user, &e) {
        return Err(AppError::NotFound);
    }
    Ok(Json(ninjs(&e, &ctx.base_url, &app.config.site_name)))
}

/// A press office creates an event and invites agencies.
#[utoipa::path(post, path = "/api/v1/events", operation_id = "press_create_event", tag = "press_desk", request_body = EventInput,
    responses((status = 201, body = PressEvent), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn api_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<EventInput>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let e = events::create(&app.db, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

/// Changes an event; a new time is a postponement (SEQUENCE goes up in every calendar).
#[utoipa::path(put, path = "/api/v1/events/{id}", operation_id = "press_update_event", tag = "press_desk", request_body = EventInput,
    params(("id" = String, Path, description = "Event id")),
    responses((status = 200, body = PressEvent), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<EventInput>,
) -> AppResult<Json<PressEvent>> {
    let user = ctx.user()?.clone();
    Ok(Json(
        events::update(&app.db, &ctx.origin(), &user, &id, &input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// yes, no or maybe.
    pub answer: String,
}

/// An invited journalist answers (yes, no, maybe).
#[utoipa::path(post, path = "/api/v1/events/{id}/answer", operation_id = "press_answer_event", tag = "press_desk", request_body = AnswerInput,
    params(("id" = String, Path, description = "Event id")),
    responses((status = 204), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_answer(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<AnswerInput>,
) -> AppResult<StatusCode> {
    let user = ctx.user()?.clone();
    events::answer(&app.db, &ctx.origin(), &user, &id, &input.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}
