//! Campaign pages: the list with a form for a new campaign (dates, or anchored to Tết
//! with its end counted in the lunar calendar), and one campaign's progress against
//! its targets and against the same stretch of last year's campaign, as a chart and a
//! table.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use keng_charts::{hbars, Chart, Series};
use minijinja::context;
use serde::Deserialize;

use super::campaigns::{self, CampaignInput};
use super::catalogue;
use super::check::Raw;
use super::model::day;
use super::pages::{units, QueueQuery};
use crate::platform::auth::Ctx;
use crate::platform::clock::local_today;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::t;
use crate::platform::permissions::{Action, Owner};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

fn staff(ctx: &Ctx) -> AppResult<()> {
    ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)
}

async fn list_page(
    app: &AppState,
    ctx: &Ctx,
    form: &BTreeMap<String, String>,
    errors: Vec<(String, String)>,
    status: StatusCode,
    done: Option<&str>,
) -> AppResult<Response> {
    let cat = catalogue::load(&app.db).await?;
    let list = campaigns::list(&app.db).await?;
    let html = page(
        app,
        ctx,
        "stats/campaigns.html",
        context! {
            campaigns => list, errors => errors, form => form,
            may_manage => ctx.can(Action::ManageCampaigns),
            measures => cat.measures(true).filter(|m| m.summable).map(|m| context! {
                id => m.id.clone(), name => format!("{} — {}", cat.field(&m.field_id).map(|f| f.name(ctx.lang)).unwrap_or(""), m.name(ctx.lang)),
                unit => m.unit(ctx.lang),
            }).collect::<Vec<_>>(),
            done => done_message(ctx.lang, done),
        },
    )?;
    Ok((status, html).into_response())
}

/// `GET /stats/campaigns`.
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    list_page(
        &app,
        &ctx,
        &BTreeMap::new(),
        Vec::new(),
        StatusCode::OK,
        q.done.as_deref(),
    )
    .await
}

/// `POST /stats/campaigns`: a new campaign from the form (`kind` = tet or dates;
/// targets as `target.<measure id>`).
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.user()?;
    ctx.require(Action::ManageCampaigns, &Owner::None)?;
    let map: BTreeMap<String, String> = form.iter().cloned().collect();
    let get = |k: &str| {
        map.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let tet = get("kind").as_deref() == Some("tet");
    let tet_year = if tet {
        match get("tet_year").map(|y| y.parse::<i32>()) {
            Some(Ok(y)) => Some(y),
            _ => {
                let errors = vec![("tet_year".to_string(), t(ctx.lang, "err.stats_bad_period"))];
                return list_page(
                    &app,
                    &ctx,
                    &map,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                )
                .await;
            }
        }
    } else {
        None
    };
    let input = CampaignInput {
        name: get("name").unwrap_or_default(),
        from: get("from"),
        to: get("to"),
        tet_year,
        start: get("start"),
        last_lunar_day: get("last_lunar_day").and_then(|d| d.parse().ok()),
        units: form
            .iter()
            .filter(|(k, v)| k == "units" && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        targets: form
            .iter()
            .filter_map(|(k, v)| {
                Some((k.strip_prefix("target.")?.to_string(), Raw::Text(v.clone())))
            })
            .collect(),
        note: get("note"),
    };
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    match campaigns::save(&app.db, &ctx.origin(), (&cat, &units), None, &input).await {
        Ok(c) => Ok(see_other(Some(&format!(
            "/stats/campaigns/{}?done=stats_campaign_saved",
            c.id
        )))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            list_page(
                &app,
                &ctx,
                &map,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    pub done: Option<String>,
}

/// `GET /stats/campaigns/{id}`: progress to today.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let c = campaigns::get(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let progress = campaigns::progress(&app.db, &cat, &units, &c, local_today(), ctx.lang).await?;
    let mut charts = Vec::new();
    if let Some(p) = &progress {
        // Each measure against its own target, in per cent, so that counts of a few
        // dozen and violations by the thousand share one scale.
        let targeted: Vec<_> = p
            .lines
            .iter()
            .filter(|l| l.target.is_some_and(|t| t > 0.0))
            .collect();
        if !targeted.is_empty() {
            let share = |v: f64, t: Option<f64>| t.map(|t| v / t * 100.0).unwrap_or(0.0);
            let chart = Chart {
                title: t(ctx.lang, "stats.campaign_chart"),
                desc: t(ctx.lang, "stats.campaign_chart_desc"),
                categories: targeted
                    .iter()
                    .map(|l| format!("{} — {}", l.field, l.measure))
                    .collect(),
                series: vec![
                    Series::new(
                        t(ctx.lang, "stats.campaign_done"),
                        targeted.iter().map(|l| share(l.value, l.target)),
                    ),
                    Series::new(
                        t(ctx.lang, "stats.campaign_last_year"),
                        targeted.iter().map(|l| share(l.last_year, l.target)),
                    ),
                ],
                unit: "%".into(),
            };
            charts.push(context! { title => chart.title.clone(), svg => hbars(&chart) });
        }
    }
    let unit_names: Vec<String> = c.units.iter().map(|u| units.name(u)).collect();
    Ok(page(
        &app,
        &ctx,
        "stats/campaign.html",
        context! {
            c => &c, progress => progress, charts => charts, unit_names => unit_names,
            last_year => c.last_year().map(|p| super::figures::period_text(&p, ctx.lang)),
            so_far => progress.as_ref().and_then(|p| Some(super::figures::period_text(&keng_stats::Period { from: day(&p.so_far_from)?, to: day(&p.so_far_to)? }, ctx.lang))),
            last_year_so_far => progress.as_ref().and_then(|p| Some(super::figures::period_text(&keng_stats::Period { from: day(&p.last_year_from)?, to: day(&p.last_year_to)? }, ctx.lang))),
            period => c.period().map(|p| super::figures::period_text(&p, ctx.lang)),
            done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}
