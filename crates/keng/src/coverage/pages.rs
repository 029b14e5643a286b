//! The press monitor in the browser (`/coverage`): the matches waiting for a person,
//! with the evidence and confirm / reject; the latest coverage with the time each
//! agency took to carry a bulletin; every feed with its last answer, paused or asked to
//! be read now; a form to register a feed; a form to record a story in print, on radio
//! or TV by hand.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use minijinja::context;
use serde::Deserialize;

use super::api::{manager, viewer, wake};
use super::settings;
use super::store::{self, FeedInput};
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::Action;
use crate::platform::redirect::see_other;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// `GET /coverage`.
pub async fn desk(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    viewer(&ctx)?;
    render(
        &app,
        &ctx,
        done_message(ctx.lang, q.done.as_deref()),
        Vec::new(),
    )
    .await
}

/// The desk page, with a form's errors (the manual entry's form lives here too).
pub async fn render_with(
    app: &AppState,
    ctx: &Ctx,
    done: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    render(app, ctx, done, errors).await
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    done: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let agencies: HashMap<String, String> = crate::accounts::store::list_agencies(&app.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut agency_list: Vec<(&String, &String)> = agencies.iter().collect();
    agency_list.sort_by(|a, b| a.1.cmp(b.1));
    let mut reviews = Vec::new();
    for r in store::reviews(&app.db, "waiting", 50).await? {
        let article = app
            .db
            .fetch_optional(
                "SELECT * FROM press_articles WHERE id = $1",
                crate::args![&r.article_id],
            )
            .await?
            .as_ref()
            .map(store::Article::from_row)
            .transpose()?;
        let Some(a) = article else { continue };
        reviews.push(context! {
            id => r.id, confidence => format!("{:.0}", r.confidence * 100.0),
            shared => r.evidence.get("shared").cloned(),
            bulletin_id => r.bulletin_id.clone(), bulletin => title_of(app, &r.bulletin_id).await,
            title => a.title, url => a.url, agency => agencies.get(&a.agency_id).cloned().unwrap_or_default(),
        });
    }
    let mut coverage = Vec::new();
    for c in store::coverage(&app.db, None, None, 50).await? {
        coverage.push(context! {
            c => &c, bulletin => title_of(app, &c.bulletin_id).await,
            pickup => pickup_text(c.pickup_minutes, ctx.lang),
            agency => agencies.get(&c.agency_id).cloned().unwrap_or_default(),
        });
    }
    let feeds: Vec<_> = store::feeds(&app.db)
        .await?
        .into_iter()
        .map(|f| {
            let agency = agencies.get(&f.agency_id).cloned().unwrap_or_default();
            context! { f => f, agency => agency }
        })
        .collect();
    // The bulletins a story by hand may be about: the latest the press received.
    let bulletins: Vec<_> = crate::newsroom::store::list(
        &app.db,
        crate::newsroom::visibility::Viewer::Press,
        &crate::newsroom::store::ListFilter {
            limit: 200,
            ..Default::default()
        },
        false,
    )
    .await?
    .into_iter()
    .map(|b| context! { id => b.id, title => b.title })
    .collect();
    Ok(page(
        app,
        ctx,
        "coverage/desk.html",
        context! {
            reviews => reviews, coverage => coverage, feeds => feeds, bulletins => bulletins,
            media => store::MEDIA, now => crate::platform::clock::input_datetime(crate::platform::clock::now_ms()),
            agencies => agency_list.iter().map(|(id, name)| context! { id => id, name => name }).collect::<Vec<_>>(),
            may_manage => ctx.can(Action::ManageCoverage),
            done => done, errors => errors,
        },
    )?
    .into_response())
}

/// "45 phút", "3 giờ 20 phút", "2 ngày 4 giờ".
fn pickup_text(minutes: i64, lang: crate::platform::i18n::Lang) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let vi = lang == crate::platform::i18n::Lang::Vi;
    let (dn, hn, mn) = if vi {
        ("ngày", "giờ", "phút")
    } else {
        ("d", "h", "min")
    };
    if d > 0 {
        format!("{d} {dn} {h} {hn}")
    } else if h > 0 {
        format!("{h} {hn} {m} {mn}")
    } else {
        format!("{m} {mn}")
    }
}

/// A bulletin's title for the desk (empty if it is gone).
async fn title_of(app: &AppState, id: &str) -> String {
    crate::newsroom::store::get(&app.db, id)
        .await
        .ok()
        .flatten()
        .map(|b| b.title)
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct FeedForm {
    pub agency_id: String,
    pub url: String,
    pub kind: Option<String>,
}

/// `POST /coverage/feeds`.
pub async fn add_feed(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<FeedForm>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let allow = settings::of(&app.config).allow();
    let input = FeedInput {
        agency_id: f.agency_id,
        url: f.url,
        kind: f.kind,
    };
    match store::add_feed(&app.db, &ctx.origin(), &allow, &input).await {
        Ok(_) => {
            wake(&app);
            Ok(see_other(Some("/coverage?done=coverage_feed_added")))
        }
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            render(&app, &ctx, None, errors).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct FeedAction {
    /// pause, resume or poll.
    pub action: String,
}

/// `POST /coverage/feeds/{id}`.
pub async fn change_feed(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<FeedAction>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let (active, poll) = match f.action.as_str() {
        "pause" => (Some(false), false),
        "resume" => (Some(true), false),
        "poll" => (None, true),
        _ => return Err(AppError::invalid("action", "err.coverage_feed_action")),
    };
    store::set_feed(&app.db, &ctx.origin(), &id, active, poll).await?;
    if poll {
        wake(&app);
    }
    Ok(see_other(Some("/coverage?done=coverage_feed_changed")))
}

/// `POST /coverage/reviews/{id}/{decision}`.
pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, decision)): Path<(String, String)>,
) -> AppResult<Response> {
    manager(&ctx)?;
    let confirm = match decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    store::decide(&app.db, &ctx.origin(), &id, confirm).await?;
    Ok(see_other(Some(if confirm {
        "/coverage?done=coverage_confirmed"
    } else {
        "/coverage?done=coverage_rejected"
    })))
}
