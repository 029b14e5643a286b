//! Quotes of figures in bulletins, in the browser and the API: the report page's
//! "draft a bulletin from this report" (`POST /stats/quotes`, then the newsroom's draft),
//! the quote's page for whoever may read its bulletin (`/so-lieu/trich-dan/{id}`: the
//! frozen table, the versions it counted, a notice when a newer version has been
//! approved since), and the same by JSON.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::catalogue;
use super::pages::{scope_of, units, ReportQuery};
use super::quotes::{self, Quote, Sources};
use crate::newsroom::visibility::{seen, Seen, Viewer};
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::page;

/// The scope of the report to quote.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = StatQuoteInput)]
pub struct QuoteInput {
    /// First and last day (YYYY-MM-DD or dd/mm/yyyy).
    pub from: String,
    pub to: String,
    /// The unit whose subtree is counted (id or code; default: the province).
    pub unit: Option<String>,
    /// One field of work (default: every field).
    pub field: Option<String>,
}

async fn create(app: &AppState, ctx: &Ctx, q: &ReportQuery) -> AppResult<Quote> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let user = ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)?;
    let units = units(app).await?;
    let cat = catalogue::load(&app.db).await?;
    let scope = scope_of(q, &units, &cat, false)?;
    quotes::create(
        &app.db,
        &app.config,
        &ctx.origin(),
        user,
        &cat,
        &units,
        &scope,
        &ctx.base_url,
    )
    .await
}

/// `POST /stats/quotes` (the report page's form): drafts the bulletin and opens it in
/// the newsroom.
pub async fn create_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(q): Form<ReportQuery>,
) -> AppResult<Response> {
    let quote = create(&app, &ctx, &q).await?;
    Ok(see_other(Some(&format!(
        "/newsroom/b/{}?done=drafted_from_figures",
        quote.bulletin_id
    ))))
}

/// A quote with the versions it counted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = StatQuoteView)]
pub struct QuoteView {
    #[serde(flatten)]
    pub quote: Quote,
    /// The bulletin's page.
    pub bulletin_url: String,
    pub sources: Vec<Sources>,
    /// Versions a newer approved version has replaced since the quote.
    pub superseded: i64,
}

/// The quote if the viewer may read its bulletin (else not found: not even that it
/// exists).
async fn visible(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<QuoteView> {
    let quote = quotes::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let b = crate::newsroom::store::get(&app.db, &quote.bulletin_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = Viewer::of(&ctx.actor());
    if !matches!(seen(&b, viewer, now_ms()), Seen::Full { .. }) {
        return Err(AppError::NotFound);
    }
    let units = units(app).await?;
    let sources = quotes::sources(&app.db, &units, &quote.id).await?;
    let bulletin_url = if viewer == Viewer::Staff {
        format!("/newsroom/b/{}", b.id)
    } else {
        format!("/tin/{}", b.id)
    };
    Ok(QuoteView {
        superseded: sources.iter().map(|s| s.superseded).sum(),
        quote,
        bulletin_url,
        sources,
    })
}

/// `GET /so-lieu/trich-dan/{id}`.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let v = visible(&app, &ctx, &id).await?;
    let current = if ctx.can(Action::ViewFigures) {
        "/stats/report"
    } else {
        "/so-lieu"
    };
    let current_url = format!(
        "{current}?from={}&to={}&unit={}{}",
        v.quote.from,
        v.quote.to,
        v.quote.unit_id,
        v.quote
            .field_id
            .as_deref()
            .map(|f| format!("&field={f}"))
            .unwrap_or_default()
    );
    Ok(page(
        &app,
        &ctx,
        "stats/quote.html",
        context! { v => &v, q => &v.quote.quoted, current_url => current_url },
    )?
    .into_response())
}

/// Drafts a bulletin from a report of the current approved figures: its sentences and
/// a table against the same period last year, tied to the versions counted. The draft
/// then goes through the newsroom's approval.
#[utoipa::path(post, path = "/api/v1/stats/quotes", tag = "stats", operation_id = "stats_quote",
    request_body = QuoteInput,
    responses((status = 201, body = Quote), (status = 400), (status = 401), (status = 403), (status = 409), (status = 422)))]
pub async fn create_api(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(q): Json<QuoteInput>,
) -> AppResult<Response> {
    let q = ReportQuery {
        from: Some(q.from),
        to: Some(q.to),
        unit: q.unit,
        field: q.field,
        done: None,
    };
    let quote = create(&app, &ctx, &q).await?;
    Ok((axum::http::StatusCode::CREATED, Json(quote)).into_response())
}

/// A quote: what it froze, the versions it counted by unit, and how many of them a
/// newer approved version has replaced since. Visible to whoever may read its bulletin.
#[utoipa::path(get, path = "/api/v1/stats/quotes/{id}", tag = "stats", operation_id = "stats_get_quote",
    params(("id" = String, Path)),
    responses((status = 200, body = QuoteView), (status = 401), (status = 404)))]
pub async fn get_api(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<QuoteView>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok(Json(visible(&app, &ctx, &id).await?))
}
