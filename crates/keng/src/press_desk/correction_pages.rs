//! Correction requests on pages and in the API: the press office's list and form
//! (`/press-desk/corrections`), the agency editors' list (`/press/corrections`), one
//! request with the steps the viewer may take (`/press/corrections/{id}`, the same rule
//! as `/api/v1/corrections/{id}`: `corrections::next_steps`), and its history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::corrections::{self, Correction, CorrectionInput, CorrectionStep, KINDS};
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{blank, done_message, form_outcome, page};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub done: Option<String>,
}

/// A list row: the request and its agency's name.
#[derive(Debug, Serialize)]
struct Row {
    c: Correction,
    agency: String,
    overdue: bool,
}

async fn rows(app: &AppState, list: Vec<Correction>) -> AppResult<Vec<Row>> {
    let agencies = accounts::list_agencies(&app.db).await?;
    let now = now_ms();
    Ok(list
        .into_iter()
        .map(|c| Row {
            agency: agencies
                .iter()
                .find(|a| a.id == c.agency_id)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            overdue: c.overdue(now),
            c,
        })
        .collect())
}

/// `GET /press-desk/corrections` (the press office) and `GET /press/corrections` (an
/// agency's editors): open requests first.
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let office = ctx.can(Action::RequestCorrection) || ctx.can(Action::ViewCorrection);
    let own = user
        .agency_id
        .clone()
        .map(Owner::Agency)
        .unwrap_or(Owner::None);
    if !office && ctx.require(Action::ViewCorrection, &own).is_err() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let list = rows(&app, corrections::list(&app.db, &user, None, 200).await?).await?;
    Ok(page(
        &app,
        &ctx,
        "press_desk/corrections.html",
        context! { rows => list, may_file => ctx.can(Action::RequestCorrection), done => done_message(ctx.lang, q.done.as_deref()) },
    )?
    .into_response())
}

/// The form's fields as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CorrectionForm {
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    article_url: String,
    #[serde(default)]
    article_title: String,
    #[serde(default)]
    published_at: String,
    #[serde(default)]
    wrong: String,
    #[serde(default)]
    correct: String,
    #[serde(default)]
    bulletin_id: String,
    #[serde(default)]
    due_on: String,
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &CorrectionForm,
    errors: Vec<(String, String)>,
) -> AppResult<axum::response::Html<String>> {
    let bulletins = app
        .db
        .fetch_all(
            "SELECT id, title FROM bulletins WHERE state = 'published' ORDER BY published_at DESC LIMIT 50",
            args![],
        )
        .await?
        .iter()
        .map(|r| Ok((r.str("id")?, r.str("title")?)))
        .collect::<Result<Vec<_>, crate::platform::db::DbError>>()?;
    page(
        app,
        ctx,
        "press_desk/correction_new.html",
        context! { form => form, errors => errors, kinds => KINDS, agencies => accounts::list_agencies(&app.db).await?, bulletins => bulletins },
    )
}

/// `GET /press-desk/corrections/new`.
pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CorrectionForm>,
) -> AppResult<Response> {
    ctx.require(Action::RequestCorrection, &Owner::None)?;
    Ok(form_page(&app, &ctx, &q, Vec::new()).await?.into_response())
}

fn input_of(f: &CorrectionForm) -> CorrectionInput {
    CorrectionInput {
        agency_id: f.agency_id.clone(),
        kind: f.kind.clone(),
        article_url: f.article_url.clone(),
        article_title: f.article_title.clone(),
        published_at: blank(&f.published_at),
        wrong: f.wrong.clone(),
        correct: f.correct.clone(),
        bulletin_id: blank(&f.bulletin_id),
        due_on: f.due_on.clone(),
    }
}

/// `POST /press-desk/corrections`.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CorrectionForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let result = corrections::create(&app.db, &ctx.origin(), &user, &input_of(&f)).await;
    form_outcome(
        result,
        ctx.lang,
        |c| format!("/press/corrections/{}?done=correction_sent", c.id),
        |errors| async {
            let html = form_page(&app, &ctx, &f, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        },
    )
    .await
}

/// One history line: when, who, what.
#[derive(Debug, Serialize)]
struct HistoryLine {
    at: i64,
    who: String,
    action: String,
}

async fn history(app: &AppState, id: &str) -> AppResult<Vec<HistoryLine>> {
    let rows = app
        .db
        .fetch_all(
            "SELECT a.at, a.action, COALESCE(u.display_name, a.actor_name) AS who FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
              WHERE a.entity = 'press_correction' AND a.entity_id = $1 ORDER BY a.at, a.id",
            args![id],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryLine {
                at: r.i64("at")?,
                who: r.str("who")?,
                action: r.str("action")?,
            })
        })
        .collect()
}

/// A step that failed: its name, messages and what was typed.
#[derive(Debug, Serialize)]
struct Failed {
    step: String,
    errors: Vec<(String, String)>,
    form: StepForm,
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    failed: Option<Failed>,
    done: Option<String>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let c = corrections::get(&app.db, id)
        .await?
        .filter(|c| corrections::may_view(&user, c))
        .ok_or(AppError::NotFound)?;
    let steps = corrections::next_steps(&user, &c);
    let bulletin_title = match &c.bulletin_id {
        Some(b) => app
            .db
            .fetch_optional("SELECT title FROM bulletins WHERE id = $1", args![b])
            .await?
            .map(|r| r.str("title"))
            .transpose()?,
        None => None,
    };
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let list = rows(app, vec![c]).await?;
    let html = page(
        app,
        ctx,
        "press_desk/correction.html",
        context! {
            row => list.first(), steps => steps, bulletin_title => bulletin_title,
            history => history(app, id).await?, failed => failed, done => done,
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /press/corrections/{id}`: who may not read it gets 404.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let done = done_message(ctx.lang, q.done.as_deref());
    render(&app, &ctx, &id, None, done).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    corrected_url: String,
}

/// `POST /press/corrections/{id}/do/{step}`.
pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let input = CorrectionStep {
        note: blank(&f.note),
        corrected_url: blank(&f.corrected_url),
    };
    let result = corrections::act(&app.db, &ctx.origin(), &user, &id, &step, &input).await;
    form_outcome(
        result,
        ctx.lang,
        |_| format!("/press/corrections/{id}?done=correction_{step}"),
        |errors| async {
            let failed = Failed {
                step: step.clone(),
                errors,
                form: f,
            };
            render(&app, &ctx, &id, Some(failed), None).await
        },
    )
    .await
}

/// A correction request with the steps the caller may take now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionItem {
    pub correction: Correction,
    /// Among acknowledge, publish, decline (the agency's editors), record_published and
    /// withdraw (the press office).
    pub steps: Vec<&'static str>,
    /// Open past the date asked.
    pub overdue: bool,
}

fn item(ctx: &Ctx, c: Correction) -> AppResult<CorrectionItem> {
    let user = ctx.user()?;
    Ok(CorrectionItem {
        steps: corrections::next_steps(user, &c),
        overdue: c.overdue(now_ms()),
        correction: c,
    })
}

/// Correction requests the caller may read: all for the press office, an editor's own
/// agency's; open ones first, at most 200.
#[utoipa::path(get, path = "/api/v1/corrections", operation_id = "press_list_corrections", tag = "press_desk",
    responses((status = 200, body = [CorrectionItem]), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn api_list(
    State(app): State<AppState>,
    ctx: Ctx,
) -> AppResult<Json<Vec<CorrectionItem>>> {
    let user = ctx.user()?.clone();
    if !(user.role.is_staff() || user.role == crate::platform::permissions::Role::Journalist) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let list = corrections::list(&app.db, &user, None, 200).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| item(&ctx, c))
            .collect::<AppResult<_>>()?,
    ))
}

/// The press office asks an agency to publish a correction or the police's response.
#[utoipa::path(post, path = "/api/v1/corrections", operation_id = "press_create_correction", tag = "press_desk", request_body = CorrectionInput,
    responses((status = 201, body = CorrectionItem), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn api_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<CorrectionInput>,
) -> AppResult<Response> {
    let user = ctx.user()?.clone();
    let c = corrections::create(&app.db, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(item(&ctx, c)?)).into_response())
}

/// One correction request; 404 for whoever may not read it.
#[utoipa::path(get, path = "/api/v1/corrections/{id}", operation_id = "press_get_correction", tag = "press_desk",
    params(("id" = String, Path)), responses((status = 200, body = CorrectionItem), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn api_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<CorrectionItem>> {
    let user = ctx.user()?.clone();
    let c = corrections::get(&app.db, &id)
        .await?
        .filter(|c| corrections::may_view(&user, c))
        .ok_or(AppError::NotFound)?;
    Ok(Json(item(&ctx, c)?))
}

/// Takes a step: acknowledge, publish (with `corrected_url`), decline (with `note`),
/// record_published, withdraw.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/do/{step}", operation_id = "press_correction_step", tag = "press_desk",
    params(("id" = String, Path), ("step" = String, Path)), request_body = CorrectionStep,
    responses((status = 200, body = CorrectionItem), (status = 401), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Json(input): Json<CorrectionStep>,
) -> AppResult<Json<CorrectionItem>> {
    let user = ctx.user()?.clone();
    let c = corrections::act(&app.db, &ctx.origin(), &user, &id, &step, &input).await?;
    Ok(Json(item(&ctx, c)?))
}
