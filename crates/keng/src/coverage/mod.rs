//! Coverage (theo dõi báo chí): which press agency carried which bulletin, and how fast.
//! Each agency's feeds and sitemaps are read politely in the background (`fetch`,
//! `poller`: robots.txt, conditional requests, Retry-After, limits, a lease so nodes
//! share the work), the articles' main text extracted (`parse`), and each article
//! matched to the bulletin it reports on (`matching`, with the pure `keng-match`
//! crate): sure matches become coverage, doubtful ones wait for a press officer, whose
//! decision is kept as evidence (`store`, `pages`, `api`).
//!
//! Reads other capabilities through their public functions: `newsroom::store::list`
//! and `newsroom::store::get` (the bulletins the press received),
//! `newsroom::sanitize::plain`, `accounts::store::{list_agencies, get_agency}`; and the
//! platform's guarded resolver (`platform::webhooks`) so a feed never leads inward.
//!
//! Still to come (issue 13): manual entries for print, radio and TV, the metrics per
//! agency and journalist, the yearly review and its DOCX, commendations, the press's
//! survey, and the demo's fixture feeds.

pub mod api;
pub mod fetch;
pub mod matching;
pub mod pages;
pub mod parse;
pub mod poller;
pub mod settings;
pub mod store;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::platform::capability::{Capability, Description, NavEntry, ShownTo, Task};
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
    nav: &[NavEntry {
        href: "/coverage",
        key: "nav.coverage",
        shown_to: ShownTo::Allowed(Action::ViewCoverage),
    }],
    cache_paths: &[],
    cache_params: &[],
    public_entities: &[],
    blob_refs: &[],
    upload_paths: &[],
};

/// The press monitor's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::list_feeds, api::add_feed, api::change_feed, api::list_articles,
        api::list_coverage, api::list_reviews, api::decide),
    components(schemas(store::Feed, store::FeedInput, store::Article, store::Coverage,
        store::Review, api::FeedChange)),
    tags((name = "coverage", description = "Press monitoring: agencies' feeds, the articles found, which bulletin each carried, and the matches waiting for a person")),
)]
struct ApiDoc;
