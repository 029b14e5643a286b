//! The catalogue in the browser: every field of work and its measures for the staff to
//! read, and for the administrator a form per measure (names, unit, whole or decimal,
//! summable, the rule it may not fall below, in the report's sentences, in use) and one
//! for a new measure — through `catalogue`, each change audited.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use minijinja::context;
use serde::Deserialize;

use super::catalogue::{self, MeasureInput};
use super::pages::QueueQuery;
use crate::platform::auth::Ctx;
use crate::platform::errors::AppResult;
use crate::platform::permissions::{Action, Owner};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

/// A measure as the form sends it (checkboxes are present or absent).
#[derive(Debug, Deserialize, Default)]
pub struct MeasureForm {
    pub id: Option<String>,
    pub field_id: Option<String>,
    pub name_vi: Option<String>,
    pub name_en: Option<String>,
    pub unit_vi: Option<String>,
    pub unit_en: Option<String>,
    pub whole: Option<String>,
    pub summable: Option<String>,
    pub at_least: Option<String>,
    pub in_narrative: Option<String>,
    pub active: Option<String>,
    /// Blank for none; a number typed the Vietnamese way.
    pub max_value: Option<String>,
}

impl MeasureForm {
    fn input(&self, field_id: Option<String>) -> MeasureInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        MeasureInput {
            id: self
                .id
                .clone()
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_string()),
            field_id: field_id.unwrap_or_else(|| text(&self.field_id)),
            name_vi: text(&self.name_vi),
            name_en: text(&self.name_en),
            unit_vi: text(&self.unit_vi),
            unit_en: text(&self.unit_en),
            whole: self.whole.is_some(),
            summable: self.summable.is_some(),
            at_least: self.at_least.clone().filter(|s| !s.trim().is_empty()),
            in_narrative: self.in_narrative.is_some(),
            // Unreadable is refused by the catalogue's check (NaN is no maximum).
            max_value: self
                .max_value
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| keng_stats::number::parse(s, false).unwrap_or(f64::NAN)),
            active: self.active.is_some(),
        }
    }
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    (errors, editing): (Vec<(String, String)>, Option<String>),
    status: StatusCode,
    done: Option<&str>,
) -> AppResult<Response> {
    let cat = catalogue::load(&app.db).await?;
    let html = page(
        app,
        ctx,
        "stats/catalogue.html",
        context! {
            cat => &cat, errors => errors, editing => editing,
            may_edit => ctx.can(Action::ManageStatsCatalogue),
            measures => cat.measures(false).map(|m| context! { id => m.id.clone(), name => format!("{} — {}", m.field_id, m.name(ctx.lang)) }).collect::<Vec<_>>(),
            done => done_message(ctx.lang, done),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /stats/catalogue`.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)?;
    render(
        &app,
        &ctx,
        (Vec::new(), None),
        StatusCode::OK,
        q.done.as_deref(),
    )
    .await
}

/// `POST /stats/catalogue`: a new measure.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<MeasureForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageStatsCatalogue, &Owner::None)?;
    match catalogue::create_measure(&app.db, &ctx.origin(), &f.input(None)).await {
        Ok(_) => Ok(see_other(Some("/stats/catalogue?done=stats_measure_saved"))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            render(
                &app,
                &ctx,
                (errors, Some("new".into())),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
    }
}

/// `POST /stats/catalogue/{id}`: a measure changed.
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MeasureForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageStatsCatalogue, &Owner::None)?;
    let field = catalogue::load(&app.db)
        .await?
        .measure(&id)
        .map(|m| m.field_id.clone());
    match catalogue::update_measure(&app.db, &ctx.origin(), &id, &f.input(field)).await {
        Ok(_) => Ok(see_other(Some("/stats/catalogue?done=stats_measure_saved"))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            render(
                &app,
                &ctx,
                (errors, Some(id)),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
    }
}
