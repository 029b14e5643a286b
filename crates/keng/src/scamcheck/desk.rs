//! The scam desk (staff): the indicators by status with counts (the queue of reported
//! ones first, most reported on top), a search by value, a form to add one, an
//! indicator's page with the steps the user may take, its evidence, linked warnings and
//! incident, and its audit trail; and the JSON API for the same. The rules are the
//! store's; this module shows and forwards.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use minijinja::context;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{Indicator, Status};
use super::store::{self, DetailsInput, IndicatorInput, STEPS};
use crate::accounts::model::User;
use crate::platform::audit::{self, AuditFilter};
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{form_outcome, page};
use keng_indicators::value::Kind;

fn staff(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::ViewScamDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ListParams {
    /// reported, verified, published, rejected or expired (all when absent).
    status: Option<String>,
    /// phone, bank_account, account, link, social, app or wallet.
    kind: Option<String>,
    /// Part of the value ("0912", "vcb-").
    q: Option<String>,
    /// Page number from 1 (100 a page).
    page: Option<i64>,
    #[serde(default)]
    #[param(ignore)]
    done: Option<String>,
}

struct Filters {
    statuses: Vec<Status>,
    kind: Option<String>,
    q: Option<String>,
    page: i64,
}

fn filters(p: &ListParams) -> AppResult<Filters> {
    let statuses = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(s) => vec![Status::parse(s).ok_or(AppError::bad("err.unknown_status"))?],
    };
    let kind = match p.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(
            Kind::parse(k)
                .ok_or(AppError::bad("err.unknown_kind"))?
                .as_str()
                .to_string(),
        ),
    };
    let q =
        p.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| q.chars().take(100).collect::<String>());
    let page = p.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::bad("err.page"));
    }
    Ok(Filters {
        statuses,
        kind,
        q,
        page,
    })
}

/// `/scamcheck`: counts, filters, the list.
pub async fn dashboard(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let f = filters(&p)?;
    // The queue first: reported indicators when no filter is chosen.
    let statuses = if p.status.is_none() && f.q.is_none() && f.kind.is_none() {
        vec![Status::Reported]
    } else {
        f.statuses.clone()
    };
    let rows = store::list(
        &app.db,
        &statuses,
        f.kind.as_deref(),
        f.q.as_deref(),
        101,
        (f.page - 1) * 100,
    )
    .await?;
    let more = rows.len() > 100;
    let rows: Vec<Indicator> = rows.into_iter().take(100).collect();
    let counts = store::counts(&app.db).await?;
    let set_size = super::check::the_set(&app).map(|s| s.len()).unwrap_or(0);
    Ok(page(
        &app,
        &ctx,
        "scamcheck/desk.html",
        context! {
            rows => rows, counts => counts.iter().map(|(s, n)| (s.as_str(), *n)).collect::<Vec<_>>(),
            status => statuses.first().map(|s| s.as_str()).unwrap_or(""), kind => f.kind, q => f.q,
            page_no => f.page, more => more, kinds => Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            may_moderate => ctx.can(Action::ModerateScam), set_size => set_size, done => p.done,
        },
    )?
    .into_response())
}

async fn new_page(
    app: &AppState,
    ctx: &Ctx,
    form: &IndicatorInput,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        page(
            app,
            ctx,
            "scamcheck/new.html",
            context! { form => form, errors => errors, kinds => Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
        )?,
    )
        .into_response())
}

/// `/scamcheck/indicators/new`.
pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    staff(&ctx)?;
    ctx.require(Action::ModerateScam, &Owner::None)?;
    let form = IndicatorInput {
        status: "verified".into(),
        ..Default::default()
    };
    new_page(&app, &ctx, &form, Vec::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<IndicatorInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let result = store::create(&app.db, &ctx.origin(), &user, &f).await;
    if let Err(AppError::Conflict(_)) = &result {
        let banks = store::banks(&app.db).await?;
        if let Some(rec) = store::read_value(&f.value, &f.kind, &banks) {
            if let Some(existing) = store::by_key(&app.db, &rec.keys[0]).await? {
                return Ok(axum::response::Redirect::to(&format!(
                    "/scamcheck/indicators/{}?done=exists",
                    existing.id
                ))
                .into_response());
            }
        }
    }
    form_outcome(
        result,
        ctx.lang,
        |i| format!("/scamcheck/indicators/{}?done=created", i.id),
        |errors| new_page(&app, &ctx, &f, errors),
    )
    .await
}

async fn view_page(
    app: &AppState,
    ctx: &Ctx,
    i: &Indicator,
    details: &DetailsInput,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Response> {
    let trail = audit::list(
        &app.db,
        &AuditFilter {
            entity: Some(store::ENTITY.into()),
            entity_id: Some(i.id.clone()),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let mut warnings = Vec::new();
    for w in &i.warning_ids {
        if let Some(w) = crate::warnings::store::get(&app.db, w).await? {
            warnings.push((w.id.clone(), w.headline.clone()));
        }
    }
    let steps: Vec<&str> = STEPS
        .iter()
        .copied()
        .filter(|s| store::step_target(s, i.status).is_some())
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        page(
            app,
            ctx,
            "scamcheck/view.html",
            context! {
                i => i, details => details, errors => errors, done => done, trail => trail, warnings => warnings,
                steps => steps, may_moderate => ctx.can(Action::ModerateScam),
            },
        )?,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `/scamcheck/indicators/{id}`.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let i = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let details = DetailsInput {
        evidence: i.evidence.clone(),
        warning_ids: i.warning_ids.join(" "),
        incident: i.incident.clone(),
    };
    view_page(&app, &ctx, &i, &details, Vec::new(), q.done).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DetailsInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let result = store::update(&app.db, &ctx.origin(), &user, &id, &f).await;
    match result {
        Ok(i) => Ok(axum::response::Redirect::to(&format!(
            "/scamcheck/indicators/{}?done=saved",
            i.id
        ))
        .into_response()),
        Err(AppError::Invalid(v)) => {
            let i = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
            let errors = crate::platform::web::field_errors(AppError::Invalid(v), ctx.lang)?;
            view_page(&app, &ctx, &i, &f, errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default, serde::Serialize, utoipa::ToSchema)]
pub struct StepForm {
    /// Added to the evidence (why).
    #[serde(default)]
    pub note: String,
}

pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let i = store::step(&app.db, &ctx.origin(), &user, &id, &step, &f.note).await?;
    Ok(
        axum::response::Redirect::to(&format!("/scamcheck/indicators/{}?done={step}", i.id))
            .into_response(),
    )
}

// ---- API ----

/// Indicators for staff, filtered, most recently changed first (100 a page).
#[utoipa::path(get, path = "/api/v1/indicators", tag = "scamcheck", operation_id = "list_indicators", params(ListParams),
    responses((status = 200, body = [Indicator]), (status = 400), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn api_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Json<Vec<Indicator>>> {
    staff(&ctx)?;
    let f = filters(&p)?;
    Ok(Json(
        store::list(
            &app.db,
            &f.statuses,
            f.kind.as_deref(),
            f.q.as_deref(),
            100,
            (f.page - 1) * 100,
        )
        .await?,
    ))
}

/// Adds an indicator (reported, verified or published).
#[utoipa::path(post, path = "/api/v1/indicators", tag = "scamcheck", operation_id = "create_indicator", request_body = IndicatorInput,
    responses((status = 201, body = Indicator), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<IndicatorInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let i = store::create(&app.db, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

/// One indicator.
#[utoipa::path(get, path = "/api/v1/indicators/{id}", tag = "scamcheck", operation_id = "get_indicator",
    params(("id" = String, Path, description = "Indicator id")),
    responses((status = 200, body = Indicator), (status = 401), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn api_get(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Indicator>> {
    staff(&ctx)?;
    store::get(&app.db, &id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// Changes the evidence, linked warnings and incident.
#[utoipa::path(put, path = "/api/v1/indicators/{id}", tag = "scamcheck", operation_id = "update_indicator", request_body = DetailsInput,
    params(("id" = String, Path, description = "Indicator id")),
    responses((status = 200, body = Indicator), (status = 400), (status = 401), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn api_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<DetailsInput>,
) -> AppResult<Json<Indicator>> {
    let user = staff(&ctx)?;
    Ok(Json(
        store::update(&app.db, &ctx.origin(), &user, &id, &input).await?,
    ))
}

/// Verify, publish, reject, expire or reopen an indicator.
#[utoipa::path(post, path = "/api/v1/indicators/{id}/{step}", tag = "scamcheck", operation_id = "step_indicator", request_body = StepForm,
    params(("id" = String, Path, description = "Indicator id"), ("step" = String, Path, description = "verify, publish, reject, expire or reopen")),
    responses((status = 200, body = Indicator), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    body: Option<Json<StepForm>>,
) -> AppResult<Json<Indicator>> {
    let user = staff(&ctx)?;
    let note = body.map(|Json(b)| b.note).unwrap_or_default();
    Ok(Json(
        store::step(&app.db, &ctx.origin(), &user, &id, &step, &note).await?,
    ))
}

/// The bank list the check recognises.
#[utoipa::path(get, path = "/api/v1/banks", tag = "scamcheck", operation_id = "list_banks",
    responses((status = 200, body = [BankOut]), (status = 401)))]
pub async fn api_banks(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<BankOut>>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let set = super::check::the_set(&app)?;
    Ok(Json(
        set.banks()
            .iter()
            .map(|b| BankOut {
                bin: b.bin.clone(),
                code: b.code.clone(),
                name: b.name.clone(),
                aliases: b.aliases.clone(),
            })
            .collect(),
    ))
}

/// A bank as listed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BankOut {
    pub bin: String,
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
}

/// Adds, changes or retires a bank (admins only).
#[utoipa::path(put, path = "/api/v1/banks/{bin}", tag = "scamcheck", operation_id = "set_bank", request_body = store::BankInput,
    params(("bin" = String, Path, description = "NAPAS BIN")),
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn api_set_bank(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(bin): Path<String>,
    Json(mut input): Json<store::BankInput>,
) -> AppResult<StatusCode> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let user = ctx.user()?.clone();
    if !input.bin.trim().is_empty() && input.bin.trim() != bin {
        return Err(AppError::bad("err.bank_bin_path"));
    }
    input.bin = bin;
    store::set_bank(&app.db, &ctx.origin(), &user, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
