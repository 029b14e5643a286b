//! Coverage (theo dõi báo chí): which press agency carried which bulletin, and how fast.
//! Each agency's feeds and sitemaps are read politely in the background (`fetch`,
//! `poller`: robots.txt, conditional requests, Retry-After, limits, a lease so nodes
//! share the work), the articles' main text extracted (`parse`), and each article
//! matched to the bulletin it reports on (`matching`, with the pure `keng-match`
//! crate): sure matches become coverage, doubtful ones wait for a press officer, whose
//! decision is kept as evidence (`store`, `pages`, `api`).
//!
//! Stories in print, on radio and TV are recorded by hand (`store`). A year or a
//! campaign is measured per agency, journalist, month and category (`metrics`); the
//! yearly review gathers it with the other capabilities' figures (`review`, printable
//! and as DOCX, `review_pages`); commendations are suggested from the metrics with
//! their evidence and recorded by a leader (`awards`, public at `/khen-thuong`); the
//! press's editors answer a yearly survey (`survey`).
//!
//! Reads other capabilities through their public functions: `newsroom::store::{list,
//! get}` (the bulletins the press received), `newsroom::sanitize::plain`,
//! `press_desk::report::load_between`, `press_desk::store::requests_per_journalist`,
//! `press_desk::events::{held, attendance}`, `warnings::store::{list, issued_between}`,
//! `stats::{campaigns, catalogue, figures, pages::scope_of}`, `accounts::store`; and the
//! platform's guarded resolver (`platform::webhooks`) so a feed never leads inward.
//!
//! The demo serves its press agencies' sites on loopback (`demo`). Warnings are matched
//! too: scam warnings reach people only through the press, so their pickups are counted
//! per agency (sure matches only: a warning has no review queue).

pub mod api;
pub mod awards;
pub mod demo;
pub mod fetch;
pub mod matching;
pub mod metrics;
pub mod pages;
pub mod parse;
pub mod poller;
pub mod review;
pub mod review_pages;
pub mod settings;
pub mod store;
pub mod survey;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::platform::capability::{CachePath, Capability, Description, NavEntry, ShownTo, Task};
use crate::platform::config::Config;
use crate::platform::events::LocalFollower;
use crate::platform::permissions::Action;
use crate::platform::state::AppState;

/// The coverage capability (see `platform::capability`).
pub struct Coverage;

impl Capability for Coverage {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn configure(&self, config: &mut Config) -> Result<(), String> {
        settings::install(config)
    }

    /// The node's polite HTTP client, its matcher (a cache of the bulletins) and the
    /// bell that wakes its monitor.
    fn open(
        &self,
        config: &Config,
        _data_dir: &std::path::Path,
        local: &mut axum::http::Extensions,
    ) -> anyhow::Result<()> {
        let fetcher = fetch::Fetcher::new(settings::of(config), &config.base_url_for(None))?;
        local.insert(poller::Monitor {
            fetcher: Arc::new(fetcher),
            matcher: matching::Matcher::new(),
            wake: Arc::new(tokio::sync::Notify::new()),
        });
        Ok(())
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/coverage", get(pages::desk))
            .route("/coverage/feeds", post(pages::add_feed))
            .route("/coverage/feeds/{id}", post(pages::change_feed))
            .route("/coverage/reviews/{id}/{decision}", post(pages::decide))
            .route("/coverage/review", get(review_pages::review_page))
            .route("/coverage/review.docx", get(review_pages::review_docx))
            .route("/coverage/stories", get(review_pages::stories))
            .route("/coverage/manual", post(review_pages::add_manual))
            .route(
                "/coverage/manual/{id}/remove",
                post(review_pages::remove_manual),
            )
            .route("/coverage/awards", post(review_pages::record_award))
            .route(
                "/coverage/awards/{id}/revoke",
                post(review_pages::revoke_award),
            )
            .route("/khen-thuong", get(review_pages::public_awards))
            .route(
                "/khao-sat",
                get(review_pages::survey_form).post(review_pages::survey_answer),
            )
            .route("/demo-press/{code}/{file}", get(demo::site))
            .route("/api/v1/coverage/metrics", get(api::metrics))
            .route("/api/v1/coverage/suggestions", get(api::suggestions))
            .route("/api/v1/coverage/manual", post(api::add_manual))
            .route(
                "/api/v1/coverage/manual/{id}/remove",
                post(api::remove_manual),
            )
            .route(
                "/api/v1/coverage/survey",
                get(api::survey_summary).post(api::answer_survey),
            )
            .route(
                "/api/v1/awards",
                get(api::list_awards).post(api::record_award),
            )
            .route(
                "/api/v1/awards/types",
                get(api::award_types).post(api::add_award_type),
            )
            .route("/api/v1/awards/types/{id}", post(api::change_award_type))
            .route("/coverage/award-types", post(review_pages::add_award_type))
            .route(
                "/coverage/award-types/{id}",
                post(review_pages::change_award_type),
            )
            .route("/api/v1/awards/{id}/revoke", post(api::revoke_award))
            .route("/api/v1/coverage", get(api::list_coverage))
            .route(
                "/api/v1/coverage/feeds",
                get(api::list_feeds).post(api::add_feed),
            )
            .route("/api/v1/coverage/feeds/{id}", post(api::change_feed))
            .route("/api/v1/coverage/articles", get(api::list_articles))
            .route("/api/v1/coverage/reviews", get(api::list_reviews))
            .route(
                "/api/v1/coverage/reviews/{id}/{decision}",
                post(api::decide),
            )
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// Marks the matcher stale when a bulletin changes.
    fn local_followers(&self, app: &AppState) -> Vec<Arc<dyn LocalFollower>> {
        match app.capability::<poller::Monitor>() {
            Some(m) => vec![Arc::new(matching::Stale(m.matcher.clone()))],
            None => Vec::new(),
        }
    }

    /// The demo's press agencies, their feeds, stories by hand, commendations, survey.
    fn demo<'a>(
        &'a self,
        db: &'a crate::platform::db::Db,
        config: &'a Config,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }

    /// The press monitor.
    fn tasks(&self, app: &AppState, stop: &tokio::sync::watch::Receiver<bool>) -> Vec<Task> {
        match app.capability::<poller::Monitor>() {
            Some(m) => vec![Box::pin(poller::run(
                app.db.clone(),
                Arc::new(app.config.clone()),
                m.clone(),
                stop.clone(),
            ))],
            None => Vec::new(),
        }
    }
}

/// The press monitor in the staff's menu.
static DESCRIPTION: Description = Description {
    name: "coverage",
    menu_rank: 40,
    nav: &[
        NavEntry {
            href: "/khen-thuong",
            key: "nav.awards",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/coverage",
            key: "nav.coverage",
            shown_to: ShownTo::Allowed(Action::ViewCoverage),
        },
        NavEntry {
            href: "/coverage/review",
            key: "nav.coverage_review",
            shown_to: ShownTo::Allowed(Action::ViewCoverage),
        },
        NavEntry {
            href: "/khao-sat",
            key: "nav.press_survey",
            shown_to: ShownTo::Allowed(Action::AnswerPressSurvey),
        },
    ],
    cache_paths: &[CachePath::Exact("/khen-thuong")],
    cache_params: &["year"],
    public_entities: &["award"],
    blob_refs: &[],
    upload_paths: &[],
};

/// The press monitor's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::list_feeds, api::add_feed, api::change_feed, api::list_articles,
        api::list_coverage, api::list_reviews, api::decide, api::metrics, api::suggestions,
        api::list_awards, api::award_types, api::record_award, api::revoke_award,
        api::add_manual, api::remove_manual, api::answer_survey, api::survey_summary,
        api::add_award_type, api::change_award_type),
    components(schemas(store::Feed, store::FeedInput, store::Article, store::Coverage,
        store::Review, api::FeedChange, store::ManualInput, metrics::Metrics,
        metrics::AgencyLine, metrics::JournalistLine, metrics::GroupLine, api::Suggestions,
        awards::Suggestion, awards::Award, awards::AwardInput, awards::AwardType,
        api::Revocation, survey::Answer, survey::Input, survey::Summary, survey::Comment, awards::TypeInput,
        api::TypeChange)),
    tags((name = "coverage", description = "Press monitoring: agencies' feeds, the articles found, which bulletin each carried, and the matches waiting for a person")),
)]
struct ApiDoc;
