//! The press desk's pages: a journalist's requests and the form to make one, the press
//! office's list with clocks and filters, one request with the steps the viewer may take
//! (the same rule as the API: `rules::next_steps`), and the refusal report. Staff
//! reading a request is audited.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::calendar;
use super::model::{PressRequest, State as RState, KINDS, REFUSAL_GROUNDS};
use super::rules;
use super::store::{self, ListFilter, RequestInput, StepInput};
use crate::accounts::model::User;
use crate::accounts::store as accounts;
use crate::platform::audit::record_view;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;
use crate::platform::web::{blank, done_message, field_errors, form_outcome, page};

/// A row of a list: the request, its clock and the names it refers to.
#[derive(Debug, Serialize)]
pub struct Row {
    pub r: PressRequest,
    /// due, soon, overdue, or done for closed requests.
    pub clock: &'static str,
    /// Working days left (negative: overdue by).
    pub days_left: i64,
    pub journalist: String,
    pub agency: Option<String>,
    pub unit: Option<String>,
}

pub async fn rows(app: &AppState, list: Vec<PressRequest>) -> AppResult<Vec<Row>> {
    let now = now_ms();
    let cal = calendar::load(&app.db, now).await?;
    let units = accounts::list_units(&app.db).await?;
    let agencies = accounts::list_agencies(&app.db).await?;
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        let journalist = match names.get(&r.journalist_id) {
            Some(n) => n,
            None => {
                let n = accounts::get_user(&app.db, &r.journalist_id)
                    .await?
                    .map(|u| u.display_name)
                    .unwrap_or_default();
                names.entry(r.journalist_id.clone()).or_insert(n)
            }
        }
        .clone();
        let days_left = calendar::working_days_left(&cal, now, r.due_at);
        let clock = if !r.state().is_open() {
            "done"
        } else if now > r.due_at {
            "overdue"
        } else if days_left <= 1 {
            "soon"
        } else {
            "due"
        };
        out.push(Row {
            agency: r
                .agency_id
                .as_ref()
                .and_then(|a| agencies.iter().find(|x| &x.id == a))
                .map(|a| a.name.clone()),
            unit: r
                .unit_id
                .as_ref()
                .and_then(|u| units.iter().find(|x| &x.id == u))
                .map(|u| u.name.clone()),
            journalist,
            clock,
            days_left,
            r,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    kind: Option<String>,
    unit_id: Option<String>,
    overdue: Option<String>,
    done: Option<String>,
    page: Option<i64>,
}

fn filter_of(q: &ListQuery) -> ListFilter {
    let pick = |v: &Option<String>, allowed: &[&str]| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| allowed.contains(s))
            .map(str::to_string)
    };
    let states: Vec<&str> = RState::ALL.iter().map(|s| s.as_str()).collect();
    ListFilter {
        state: pick(&q.state, &states),
        kind: pick(&q.kind, &KINDS),
        unit_id: q
            .unit_id
            .as_deref()
            .map(str::trim)
            .filter(|s| crate::platform::ids::is_id(s))
            .map(str::to_string),
        overdue: q.overdue.is_some(),
        open: false,
        limit: 50,
        offset: (q.page.unwrap_or(1).clamp(1, 10_000) - 1) * 50,
    }
}

/// `GET /press-desk`: the press office's and units' list of requests, open ones by time
/// limit, with filters, the open count by state and the refusals of the year by ground.
pub async fn desk(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let f = filter_of(&q);
    let list = rows(&app, store::list(&app.db, &user, &f).await?).await?;
    let desk = ctx.can(Action::AnswerPressRequest);
    let (open, refusals) = if desk {
        let c = desk_counts(&app).await?;
        (c.open, c.refusals)
    } else {
        (Vec::new(), Vec::new())
    };
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    Ok(page(
        &app,
        &ctx,
        "press_desk/desk.html",
        context! {
            rows => list, open => open, refusals => refusals, kinds => KINDS, is_desk => desk,
            states => RState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            units => accounts::list_units(&app.db).await?, f => context! { state => f.state, kind => f.kind, unit_id => f.unit_id, overdue => f.overdue },
            page_no => page_no, done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}

/// Open requests by state and the year's refusals by ground: from this node's cache
/// while no request changed since (`views`), else counted again.
async fn desk_counts(app: &AppState) -> AppResult<super::views::Counts> {
    use super::views::{generation, Counts, Stamped, COUNTS};
    let now = now_ms();
    let today = now / 86_400_000;
    let generation = generation();
    if let Ok(guard) = COUNTS.lock() {
        if let Some(c) = guard
            .as_ref()
            .filter(|c| c.generation == generation && c.value.day == today)
        {
            return Ok(c.value.clone());
        }
    }
    let counts = Counts {
        day: today,
        open: store::open_counts(&app.db).await?,
        refusals: store::refusals_by_ground(&app.db, now - 365 * 86_400_000, now + 1).await?,
    };
    if let Ok(mut guard) = COUNTS.lock() {
        *guard = Some(Stamped {
            generation,
            value: counts.clone(),
        });
    }
    Ok(counts)
}

fn staff(ctx: &Ctx) -> AppResult<User> {
    let user = ctx.user()?;
    if !user.role.is_staff() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    Ok(user.clone())
}

fn journalist(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::SubmitPressRequest, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

/// `GET /press/requests`: a journalist's requests (an editor's: their agency's).
pub async fn mine(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let user = journalist(&ctx)?;
    let f = filter_of(&q);
    let list = rows(&app, store::list(&app.db, &user, &f).await?).await?;
    let permits = store::permits_of_journalist(&app.db, &user.id).await?;
    let events = super::events::list_for(&app.db, &user, 50).await?;
    Ok(page(
        &app,
        &ctx,
        "press_desk/mine.html",
        context! { rows => list, permits => permits, events => events, now => now_ms(), done => done_message(ctx.lang, q.done.as_deref()) },
    )?
    .into_response())
}

#[derive(Debug, Deserialize, Default, Serialize)]
pub struct RequestForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    wished_from: String,
    #[serde(default)]
    wished_until: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    incident_id: String,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &RequestForm,
    errors: Vec<(String, String)>,
) -> AppResult<axum::response::Html<String>> {
    page(
        app,
        ctx,
        "press_desk/new.html",
        context! { form => form, errors => errors, kinds => KINDS, units => accounts::list_units(&app.db).await?, days => super::settings::of(&app.config).deadline_days.clone() },
    )
}

/// `GET /press/requests/new`.
pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RequestForm>,
) -> AppResult<Response> {
    journalist(&ctx)?;
    Ok(form_page(&app, &ctx, &q, Vec::new()).await?.into_response())
}

/// `POST /press/requests`.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    let user = journalist(&ctx)?;
    let input = RequestInput {
        kind: f.kind.clone(),
        topic: f.topic.clone(),
        questions: f.questions.clone(),
        wished_from: blank(&f.wished_from),
        wished_until: blank(&f.wished_until),
        unit_id: blank(&f.unit_id),
        incident_id: blank(&f.incident_id),
        bulletin_id: None,
    };
    match store::create(&app.db, &app.config, &ctx.origin(), &user, &input).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/press/requests/{}?done=request_sent", r.id)).into_response(),
        ),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let html = form_page(&app, &ctx, &f, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /press/requests/{id}`: one request, its permit, its history and the steps the
/// viewer may take. Whoever may not read it gets 404.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let done = done_message(ctx.lang, q.done.as_deref());
    render_request(&app, &ctx, &id, None, done).await
}

/// A step that went wrong: its name, the messages and what was typed (shown again).
#[derive(Debug, Serialize)]
struct Failed {
    step: String,
    errors: Vec<(String, String)>,
    form: StepForm,
}

async fn render_request(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    failed: Option<Failed>,
    done: Option<String>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let r = store::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let owner = rules::owner(&app.db, &r).await?;
    if !rules::may_view(&user, &owner) {
        return Err(AppError::NotFound);
    }
    if user.role.is_staff() && failed.is_none() {
        record_view(&app.db, &ctx.origin(), "press_request", &r.id).await?;
    }
    let permit = store::permit_of(&app.db, &r.id).await?;
    let live = permit.as_ref().is_some_and(|p| p.revoked_at.is_none());
    let holder_active = accounts::get_user(&app.db, &r.journalist_id)
        .await?
        .is_some_and(|u| u.status == crate::accounts::model::Status::Active);
    let permit_status = permit.as_ref().map(|p| p.status(now_ms(), holder_active));
    let steps = rules::next_steps(&user, &r, &owner, live);
    let file_purposes = super::files::may_add(&user, &r, &owner);
    let history = history(app, &r.id).await?;
    let row = rows(app, vec![r])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let staff_list = if steps.contains(&"assign") || steps.contains(&"schedule") {
        accounts::list_users(&app.db, &Default::default())
            .await?
            .into_iter()
            .filter(|u| {
                u.role.is_staff()
                    && u.role != Role::Admin
                    && u.status == crate::accounts::model::Status::Active
            })
            .collect()
    } else {
        Vec::new()
    };
    let officer = match row.r.officer_id.as_deref() {
        Some(o) => accounts::get_user(&app.db, o).await?,
        None => None,
    };
    // Staff see what the incident's timeline already says (answers shared before), so an
    // answer given once for all press is pointed to rather than written again.
    let timeline = match row.r.incident_id.as_deref().filter(|_| user.role.is_staff()) {
        Some(i) => app
            .db
            .fetch_all(
                "SELECT id, title, state, audience FROM bulletins WHERE incident_id = $1 ORDER BY created_at DESC LIMIT 20",
                crate::args![i],
            )
            .await?
            .iter()
            .map(|b| Ok(context! { id => b.str("id")?, title => b.str("title")?, state => b.str("state")?, audience => b.str("audience")? }))
            .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?,
        None => Vec::new(),
    };
    let status = if failed.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let html = page(
        app,
        ctx,
        "press_desk/request.html",
        context! {
            row => row, permit => permit, permit_status => permit_status, steps => steps, history => history, grounds => REFUSAL_GROUNDS,
            units => accounts::list_units(&app.db).await?, staff => staff_list, officer => officer, failed => failed,
            staff_view => user.role.is_staff(), done => done, now => now_ms(), timeline => timeline,
            files => super::files::of_request(&app.db, id).await?, file_purposes => file_purposes,
        },
    )?;
    Ok((status, html).into_response())
}

/// One line of a request's history, named for people (not usernames).
#[derive(Debug, Serialize)]
struct HistoryLine {
    at: i64,
    who: String,
    action: String,
}

/// The request's changes and its permits', oldest first.
async fn history(app: &AppState, id: &str) -> AppResult<Vec<HistoryLine>> {
    let mut entries = crate::platform::audit::list(
        &app.db,
        &crate::platform::audit::AuditFilter {
            entity: Some("press_request".into()),
            entity_id: Some(id.to_string()),
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    for p in app
        .db
        .fetch_all(
            "SELECT id FROM press_permits WHERE request_id = $1",
            crate::args![id],
        )
        .await?
    {
        entries.extend(
            crate::platform::audit::list(
                &app.db,
                &crate::platform::audit::AuditFilter {
                    entity: Some("permit".into()),
                    entity_id: Some(p.str("id")?),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await?,
        );
    }
    entries.retain(|e| !e.action.ends_with(".viewed"));
    entries.sort_by_key(|e| e.at);
    let mut names = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let who = match &e.actor_id {
            Some(a) => match names.get(a) {
                Some(n) => String::clone(n),
                None => {
                    let n = accounts::get_user(&app.db, a)
                        .await?
                        .map(|u| u.display_name)
                        .unwrap_or_else(|| e.actor_name.clone());
                    names.insert(a.clone(), n.clone());
                    n
                }
            },
            None => String::new(),
        };
        out.push(HistoryLine {
            at: e.at,
            who,
            action: e.action,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize, Default, Serialize)]
pub struct StepForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    scheduled_from: String,
    #[serde(default)]
    scheduled_until: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    officer_id: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    audience: String,
}

/// `POST /press/requests/{id}/do/{step}`.
pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    if !rules::STEPS.contains(&step.as_str()) {
        return Err(AppError::NotFound);
    }
    let input = StepInput {
        unit_id: blank(&f.unit_id),
        assignee_id: blank(&f.assignee_id),
        scheduled_from: blank(&f.scheduled_from),
        scheduled_until: blank(&f.scheduled_until),
        place: blank(&f.place),
        officer_id: blank(&f.officer_id),
        answer: blank(&f.answer),
        ground: blank(&f.ground),
        note: blank(&f.note),
        audience: blank(&f.audience),
    };
    let result = store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        &step,
        &input,
    )
    .await;
    // Field errors come back on the request page, next to the step, with what was typed.
    form_outcome(
        result,
        ctx.lang,
        |_| format!("/press/requests/{id}?done=request_{step}"),
        |errors| async {
            let failed = Failed {
                step: step.clone(),
                errors,
                form: f,
            };
            render_request(&app, &ctx, &id, Some(failed), None).await
        },
    )
    .await
}
