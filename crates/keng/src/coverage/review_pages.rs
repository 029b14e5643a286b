//! The yearly review in the browser: `/coverage/review` (a year or a campaign: the
//! summary, charts, the tables per agency, journalist, month and category, the
//! suggestions with their evidence and — for a leader — the form that records an
//! award), its DOCX, `/coverage/stories` (the stories behind any number), the press
//! office's manual entries, the kinds of commendation, the public page of awards
//! (`/khen-thuong`) and the press's survey (`/khao-sat`, for an agency's editor).

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use minijinja::context;
use serde::Deserialize;

use super::api::{manager, viewer};
use super::awards::{self, AwardInput};
use super::metrics::{self, duration_text, SpanQuery};
use super::review;
use super::store::{self, ManualInput};
use super::survey;
use crate::platform::auth::Ctx;
use crate::platform::clock::{self, now_ms};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

#[derive(Debug, Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(flatten)]
    pub span: SpanQuery,
    pub done: Option<String>,
}

fn signer(ctx: &Ctx) -> AppResult<()> {
    viewer(ctx)?;
    ctx.require(Action::SignCommendation, &Owner::None)
}

/// `GET /coverage/review`.
pub async fn review_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Response> {
    viewer(&ctx)?;
    render(
        &app,
        &ctx,
        &q.span,
        done_message(ctx.lang, q.done.as_deref()),
        Vec::new(),
    )
    .await
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    q: &SpanQuery,
    done: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let span = metrics::span_of(&app.db, q, ctx.lang).await?;
    let r = review::load(&app.db, &span, ctx.lang).await?;
    let this_year = clock::local_year(now_ms());
    let campaigns = crate::stats::campaigns::list(&app.db).await?;
    let time = |v: Option<f64>| v.map(|m| duration_text(m as i64, ctx.lang));
    let agencies: Vec<_> = r
        .metrics
        .agencies
        .iter()
        .map(|a| context! { a => a, pickup => time(a.median_pickup_minutes) })
        .collect();
    let journalists: Vec<_> = r
        .metrics
        .journalists
        .iter()
        .map(|j| context! { j => j, pickup => time(j.median_pickup_minutes) })
        .collect();
    let months: Vec<_> = r
        .metrics
        .months
        .iter()
        .map(|g| context! { g => g, pickup => time(g.median_pickup_minutes) })
        .collect();
    let type_name = |id: &str| {
        r.types
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name_in(ctx.lang).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let awards: Vec<_> = r
        .awards
        .iter()
        .map(|w| context! { w => w, type_name => type_name(&w.type_id) })
        .collect();
    let types: Vec<_> = r
        .types
        .iter()
        .filter(|t| t.active)
        .map(|t| context! { id => t.id, name => t.name_in(ctx.lang) })
        .collect();
    let suggestion = |s: &awards::Suggestion| {
        context! {
            s => s,
            evidence_json => serde_json::json!({
                "score": s.score, "rank": s.rank, "parts": s.parts, "evidence": s.evidence,
                "span": span.label,
            }).to_string(),
        }
    };
    Ok(page(
        app,
        ctx,
        "coverage/review.html",
        context! {
            span => &span, summary => review::summary_sentences(&r, ctx.lang),
            highlights => &r.highlights, met => &r.metrics, charts => metrics::charts(&r.metrics, ctx.lang),
            using => r.metrics.agencies.iter().any(|a| a.feed_reads + a.stream_connections + a.downloads > 0),
            agencies => agencies, journalists => journalists, months => months,
            warnings => &r.warnings, requests => &r.requests, surveys => &r.surveys,
            collectives => r.collectives.iter().map(suggestion).collect::<Vec<_>>(),
            individuals => r.individuals.iter().map(suggestion).collect::<Vec<_>>(),
            awards => awards, types => types,
            years => ((this_year - 4)..=this_year).rev().collect::<Vec<_>>(),
            campaigns => campaigns.iter().map(|c| context! { id => c.id, name => c.name }).collect::<Vec<_>>(),
            today => clock::local_today().format("%Y-%m-%d").to_string(),
            may_sign => ctx.can(Action::SignCommendation),
            may_keep_types => ctx.can(Action::ManageAwardTypes),
            all_types => r.types.iter().map(|t| context! { t => t, name => t.name_in(ctx.lang) }).collect::<Vec<_>>(),
            done => done, errors => errors,
        },
    )?
    .into_response())
}

/// `GET /coverage/review.docx`.
pub async fn review_docx(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReviewQuery>,
) -> AppResult<Response> {
    viewer(&ctx)?;
    let span = metrics::span_of(&app.db, &q.span, ctx.lang).await?;
    let r = review::load(&app.db, &span, ctx.lang).await?;
    let bytes = review::docx(&r, ctx.lang, &app.config.site_name).map_err(AppError::Internal)?;
    let name = format!(
        "keng-bao-cao-tong-ket-{}.docx",
        span.query.replace(['=', '&'], "-")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct StoriesQuery {
    #[serde(flatten)]
    pub span: SpanQuery,
    pub agency: Option<String>,
    /// A byline (exactly as the metrics show it).
    pub journalist: Option<String>,
}

/// `GET /coverage/stories`: the stories behind a number of the review.
pub async fn stories(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StoriesQuery>,
) -> AppResult<Response> {
    viewer(&ctx)?;
    let span = metrics::span_of(&app.db, &q.span, ctx.lang).await?;
    let agency = q.agency.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let journalist = q
        .journalist
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let rows = store::coverage_between(&app.db, span.from, span.to, agency, journalist).await?;
    let agencies: std::collections::HashMap<String, String> =
        crate::accounts::store::list_agencies(&app.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
    let list: Vec<_> = rows
        .iter()
        .map(|(c, bulletin)| {
            context! {
                c => c, bulletin => bulletin,
                pickup => duration_text(c.pickup_minutes, ctx.lang),
                agency => agencies.get(&c.agency_id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    Ok(page(
        &app,
        &ctx,
        "coverage/stories.html",
        context! {
            span => &span, stories => list,
            agency => agency.and_then(|a| agencies.get(a).cloned()),
            journalist => journalist,
        },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct AwardForm {
    pub year: String,
    pub type_id: String,
    pub recipient_kind: String,
    pub agency_id: Option<String>,
    pub unit_id: Option<String>,
    pub user_id: Option<String>,
    pub recipient_name: Option<String>,
    pub recipient_detail: Option<String>,
    pub decision_no: String,
    pub decision_date: String,
    pub reason: String,
    pub evidence: Option<String>,
}

/// `POST /coverage/awards`: the leader records an award (from a suggestion or not).
pub async fn record_award(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AwardForm>,
) -> AppResult<Response> {
    signer(&ctx)?;
    let year = f
        .year
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::invalid("year", "err.bad_year"))?;
    let input = AwardInput {
        year,
        type_id: f.type_id,
        recipient_kind: f.recipient_kind,
        agency_id: f.agency_id,
        unit_id: f.unit_id,
        user_id: f.user_id,
        recipient_name: f.recipient_name,
        recipient_detail: f.recipient_detail,
        decision_no: f.decision_no,
        decision_date: f.decision_date,
        reason: f.reason,
        evidence: f
            .evidence
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok()),
    };
    let q = SpanQuery {
        year: Some(year.to_string()),
        ..Default::default()
    };
    match awards::record(&app.db, &ctx.origin(), &input).await {
        Ok(_) => Ok(see_other(Some(&format!(
            "/coverage/review?year={year}&done=award_recorded#h-awards"
        )))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            render(&app, &ctx, &q, None, errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    pub reason: String,
}

/// `POST /coverage/awards/{id}/revoke`.
pub async fn revoke_award(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<RevokeForm>,
) -> AppResult<Response> {
    signer(&ctx)?;
    let w = awards::revoke(&app.db, &ctx.origin(), &id, &f.reason).await?;
    Ok(see_other(Some(&format!(
        "/coverage/review?year={}&done=award_revoked#h-awards",
        w.year
    ))))
}

#[derive(Debug, Deserialize)]
pub struct ManualForm {
    pub bulletin_id: String,
    pub agency_id: String,
    pub medium: String,
    pub title: String,
    pub published_at: String,
    /// The page or recording (named `link`: the feed form's field is `url`).
    pub link: Option<String>,
    pub programme: Option<String>,
    pub duration_minutes: Option<String>,
    pub journalist: Option<String>,
}

/// `POST /coverage/manual`: a story in print, on radio or TV, recorded by hand.
pub async fn add_manual(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ManualForm>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let duration =
        match f.duration_minutes.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(d.replace(',', ".").parse::<f64>().map_err(|_| {
                AppError::invalid("duration_minutes", "err.coverage_manual_duration")
            })?),
        };
    let input = ManualInput {
        bulletin_id: f.bulletin_id,
        agency_id: f.agency_id,
        medium: f.medium,
        title: f.title,
        published_at: f.published_at,
        url: f.link,
        programme: f.programme,
        duration_minutes: duration,
        journalist: f.journalist,
    };
    match store::add_manual(&app.db, &ctx.origin(), &input).await {
        Ok(_) => Ok(see_other(Some("/coverage?done=coverage_manual_added"))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?
                .into_iter()
                .map(|(f, m)| (if f == "url" { "link".into() } else { f }, m))
                .collect();
            super::pages::render_with(&app, &ctx, None, errors).await
        }
    }
}

/// `POST /coverage/manual/{id}/remove`.
pub async fn remove_manual(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    manager(&ctx)?;
    store::remove_manual(&app.db, &ctx.origin(), &id).await?;
    Ok(see_other(Some("/coverage?done=coverage_manual_removed")))
}

#[derive(Debug, Deserialize, Default)]
pub struct PublicQuery {
    pub year: Option<String>,
}

/// `GET /khen-thuong`: the awards for the coordination with the press, by year.
pub async fn public_awards(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PublicQuery>,
) -> AppResult<Response> {
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(y) => Some(
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or(AppError::BadRequest {
                    key: "err.bad_year",
                    detail: None,
                })?,
        ),
    };
    let types = awards::types(&app.db).await?;
    let all = awards::list(&app.db, year, false).await?;
    // Grouped by year, then by kind of award (highest first), collectives first.
    let mut years: Vec<minijinja::Value> = Vec::new();
    let mut ys: Vec<i64> = all.iter().map(|w| w.year).collect();
    ys.dedup();
    for y in ys {
        let mut groups = Vec::new();
        for t in &types {
            let of: Vec<&awards::Award> = all
                .iter()
                .filter(|w| w.year == y && w.type_id == t.id)
                .collect();
            if of.is_empty() {
                continue;
            }
            let collectives: Vec<_> = of.iter().filter(|w| w.is_collective()).collect();
            let individuals: Vec<_> = of.iter().filter(|w| !w.is_collective()).collect();
            groups.push(context! {
                name => t.name_in(ctx.lang), collectives => collectives, individuals => individuals,
            });
        }
        let n = all.iter().filter(|w| w.year == y).count();
        let nc = all
            .iter()
            .filter(|w| w.year == y && w.is_collective())
            .count();
        years.push(
            context! { year => y, groups => groups, collectives => nc, individuals => n - nc },
        );
    }
    Ok(page(
        &app,
        &ctx,
        "coverage/awards.html",
        context! { years => years, year => year },
    )?
    .into_response())
}

/// An editor of an accredited agency, answering for it.
pub fn may_answer(ctx: &Ctx) -> AppResult<crate::accounts::model::User> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let u = ctx.user()?.clone();
    let agency = u.agency_id.clone().unwrap_or_default();
    ctx.require(Action::AnswerPressSurvey, &Owner::Agency(agency))?;
    if !u.is_editor {
        return Err(AppError::Forbidden("err.survey_editor"));
    }
    Ok(u)
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// `GET /khao-sat`: the survey form for an agency's editor (their answer, if given).
pub async fn survey_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let u = may_answer(&ctx)?;
    let done = done_message(ctx.lang, q.done.as_deref());
    survey_render(&app, &ctx, &u, done, Vec::new()).await
}

async fn survey_render(
    app: &AppState,
    ctx: &Ctx,
    u: &crate::accounts::model::User,
    done: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let years = survey::open_years(clock::local_year(now_ms()));
    let mut given = Vec::new();
    for y in years {
        let a = survey::of_agency(&app.db, y, u.agency_id.as_deref().unwrap_or("")).await?;
        given.push(context! { year => y, a => a });
    }
    let agency = crate::accounts::store::get_agency(&app.db, u.agency_id.as_deref().unwrap_or(""))
        .await?
        .map(|a| a.name);
    Ok(page(
        app,
        ctx,
        "coverage/survey.html",
        context! { given => given, years => years, agency => agency, done => done, errors => errors },
    )?
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SurveyForm {
    pub year: String,
    pub timeliness: String,
    pub usefulness: String,
    pub access: String,
    pub comment: Option<String>,
}

/// `POST /khao-sat`.
pub async fn survey_answer(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SurveyForm>,
) -> AppResult<Response> {
    let u = may_answer(&ctx)?;
    let n = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let input = survey::Input {
        year: n(&f.year),
        timeliness: n(&f.timeliness),
        usefulness: n(&f.usefulness),
        access: n(&f.access),
        comment: f.comment,
    };
    match survey::answer(&app.db, &ctx.origin(), &u, &input).await {
        Ok(_) => Ok(see_other(Some("/khao-sat?done=survey_answered"))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            survey_render(&app, &ctx, &u, None, errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TypeForm {
    pub name: String,
    pub name_en: Option<String>,
    pub rank: String,
    pub recipients: String,
    pub year: Option<String>,
}

fn type_keeper(ctx: &Ctx) -> AppResult<()> {
    viewer(ctx)?;
    ctx.require(Action::ManageAwardTypes, &Owner::None)
}

/// `POST /coverage/award-types`: a new kind of commendation.
pub async fn add_award_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TypeForm>,
) -> AppResult<Response> {
    type_keeper(&ctx)?;
    let input = awards::TypeInput {
        name: f.name,
        name_en: f.name_en,
        rank: f.rank.trim().parse().unwrap_or(0),
        recipients: f.recipients,
    };
    let q = SpanQuery {
        year: f.year.clone(),
        ..Default::default()
    };
    match awards::add_type(&app.db, &ctx.origin(), &input).await {
        Ok(_) => Ok(see_other(Some(
            "/coverage/review?done=award_type_saved#h-types",
        ))),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            render(&app, &ctx, &q, None, errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TypeToggle {
    /// retire or restore.
    pub action: String,
}

/// `POST /coverage/award-types/{id}`: retires or restores a kind.
pub async fn change_award_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<TypeToggle>,
) -> AppResult<Response> {
    type_keeper(&ctx)?;
    let active = match f.action.as_str() {
        "retire" => false,
        "restore" => true,
        _ => return Err(AppError::invalid("action", "err.coverage_feed_action")),
    };
    awards::set_type_active(&app.db, &ctx.origin(), &id, active).await?;
    Ok(see_other(Some(
        "/coverage/review?done=award_type_saved#h-types",
    )))
}
