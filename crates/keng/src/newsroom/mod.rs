//! Newsroom (tin tức): initial information on incidents and press releases, from draft to
//! every reader — four-eyes approval, embargo, scheduled publication, corrections and
//! withdrawals with every version kept — and its public surfaces (pages, Atom, ninjs,
//! sitemap). Who sees what is decided in `visibility`, and only there.

pub mod api;
pub mod attachments;
pub mod demo;
pub mod desk;
pub mod desk_api;
pub mod diff;
pub mod distribution;
pub mod feeds;
pub mod home_panel;
pub mod model;
pub mod ninjs;
pub mod public;
pub mod rules;
pub mod sanitize;
pub mod search;
pub mod settings;
pub mod store;
pub mod stream;
pub mod subscriptions;
pub mod visibility;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::auth::Ctx;
use crate::platform::capability::{
    CachePath, Capability, Description, HomePanel, NavEntry, ShownTo, Task,
};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::events::{Follower, LocalFollower};
use crate::platform::permissions::{Action, Role};
use crate::platform::state::AppState;

/// The newsroom capability (see `platform::capability`).
pub struct Newsroom;

impl Capability for Newsroom {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn configure(&self, config: &mut Config) -> Result<(), String> {
        settings::install(config)
    }

    /// The live-stream hub of this node and its search index (rebuilt by `keng reindex`,
    /// kept current by following the event log).
    fn open(
        &self,
        _config: &Config,
        data_dir: &std::path::Path,
        local: &mut axum::http::Extensions,
    ) -> anyhow::Result<()> {
        let search = search::SearchIndex::open(&search::SearchIndex::dir_in(data_dir))?;
        local.insert(Live {
            hub: stream::Hub::default(),
            search,
        });
        Ok(())
    }

    fn routes(&self) -> Router<AppState> {
        routes()
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// Email, digests and agency webhooks for every change readers must learn of.
    fn followers(&self, app: &AppState) -> Vec<Arc<dyn Follower>> {
        vec![Arc::new(distribution::Distribution {
            config: Arc::new(app.config.clone()),
        })]
    }

    /// This node's live-stream clients.
    fn local_followers(&self, app: &AppState) -> Vec<Arc<dyn LocalFollower>> {
        match live(app) {
            Ok(l) => vec![Arc::new(stream::StreamTail {
                config: Arc::new(app.config.clone()),
                hub: l.hub.clone(),
            })],
            Err(_) => Vec::new(),
        }
    }

    /// Release of scheduled and embargoed items, the search index, daily digests.
    fn tasks(&self, app: &AppState, stop: &tokio::sync::watch::Receiver<bool>) -> Vec<Task> {
        let db = app.db.clone();
        let mut tasks: Vec<Task> = vec![
            Box::pin(release_loop(db.clone(), stop.clone())),
            Box::pin(distribution::digest_loop(
                db.clone(),
                Arc::new(app.config.clone()),
                stop.clone(),
            )),
        ];
        if let Ok(l) = live(app) {
            tasks.push(Box::pin(search::follow(db, l.search.clone(), stop.clone())));
        }
        tasks
    }

    /// What awaits the user in the newsroom.
    fn home_panel<'a>(
        &'a self,
        app: &'a AppState,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(home_panel::panel(app, ctx))
    }

    /// Live streams never end by themselves: close them so shutdown can finish.
    fn shutting_down(&self, app: &AppState) {
        if let Ok(l) = live(app) {
            l.hub.close();
        }
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }
}

/// What the newsroom adds to the shared surfaces: the news and search in everyone's
/// menu, the desk for staff, the press page for journalists; its public pages and feeds
/// for the page cache; bulletins and incidents as public entities.
static DESCRIPTION: Description = Description {
    name: "newsroom",
    menu_rank: 10,
    nav: &[
        NavEntry {
            href: "/tin",
            key: "nav.news",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/tim-kiem",
            key: "nav.search",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/newsroom",
            key: "nav.newsroom",
            shown_to: ShownTo::Allowed(Action::ViewNewsroomDesk),
        },
        NavEntry {
            href: "/press",
            key: "nav.press",
            shown_to: ShownTo::Role(Role::Journalist),
        },
    ],
    cache_paths: &[
        CachePath::Exact("/tin"),
        CachePath::Prefix("/tin/"),
        CachePath::Prefix("/vu-viec/"),
        CachePath::Exact("/sitemap.xml"),
        CachePath::Exact("/feeds/bulletins.atom"),
        CachePath::Prefix("/feeds/category/"),
        CachePath::Prefix("/feeds/incident/"),
        CachePath::Exact("/api/v1/bulletins"),
        CachePath::Prefix("/api/v1/bulletins/"),
    ],
    cache_params: &["category", "unit", "from", "to", "page"],
    public_entities: &["bulletin", "incident"],
    blob_refs: &[
        "SELECT sha256 AS sha FROM attachments",
        "SELECT thumb_sha AS sha FROM attachments",
        "SELECT medium_sha AS sha FROM attachments",
    ],
    upload_paths: &[],
};

/// The newsroom's node-local state: this node's live-stream fan-out and its full-text
/// index of bulletins (each follows the event log).
#[derive(Clone)]
pub struct Live {
    pub hub: stream::Hub,
    pub search: search::SearchIndex,
}

/// This node's newsroom state (put in the application state at start).
pub fn live(app: &AppState) -> AppResult<&Live> {
    app.capability::<Live>()
        .ok_or_else(|| AppError::Internal("the newsroom's live state is missing".into()))
}

/// The newsroom's part of the OpenAPI document: every `/api/v1` route of [`routes`].
#[derive(OpenApi)]
#[openapi(
    paths(
        api::list, api::get, api::create, api::update, api::act,
        api::incidents, api::create_incident, stream::stream, api::search,
        attachments::upload, subscriptions::api_set_webhook,
        desk_api::list, desk_api::get, desk_api::versions, desk_api::version_diff,
    ),
    components(schemas(
        model::Bulletin, model::Incident, model::State, model::Version,
        store::BulletinInput, store::ActionInput, store::IncidentInput,
        search::Hit, subscriptions::WebhookRequest, subscriptions::WebhookCreated, api::Step,
        desk_api::DeskItem, diff::VersionDiff, diff::Change,
        attachments::Attachment, attachments::UploadForm,
        ninjs::NinjsDoc, ninjs::NinjsText, ninjs::NinjsContent, ninjs::NinjsSubject, ninjs::NinjsName,
    )),
    tags((name = "newsroom", description = "Bulletins (ninjs for readers) and their publication workflow")),
)]
struct ApiDoc;

/// Its pages, feeds and API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tin", get(public::list))
        .route("/tin/{id}", get(public::detail))
        .route("/tin/{id}/print", get(public::print))
        .route("/vu-viec/{id}", get(public::incident))
        .route("/sitemap.xml", get(public::sitemap))
        .route("/feeds/bulletins.atom", get(public::feed_all))
        .route("/feeds/category/{file}", get(public::feed_category))
        .route("/feeds/incident/{file}", get(public::feed_incident))
        .route("/newsroom", get(desk::dashboard).post(desk::create))
        .route("/newsroom/new", get(desk::new_form))
        .route("/newsroom/b/{id}", get(desk::view).post(desk::update))
        .route("/newsroom/b/{id}/edit", get(desk::edit_form))
        .route("/newsroom/b/{id}/diff", get(desk::diff))
        .route("/newsroom/b/{id}/correct", post(desk::correct))
        .route("/newsroom/b/{id}/do/{action}", post(desk::step))
        .route("/newsroom/incidents", post(desk::incident_create))
        .route("/newsroom/incidents/new", get(desk::incident_form))
        .route("/api/v1/bulletins", get(api::list).post(api::create))
        .route("/api/v1/bulletins/{id}", get(api::get).put(api::update))
        .route("/api/v1/bulletins/{id}/{action}", post(api::act))
        .route(
            "/api/v1/incidents",
            get(api::incidents).post(api::create_incident),
        )
        .route("/api/v1/desk/bulletins", get(desk_api::list))
        .route("/api/v1/desk/bulletins/{id}", get(desk_api::get))
        .route(
            "/api/v1/desk/bulletins/{id}/versions",
            get(desk_api::versions),
        )
        .route(
            "/api/v1/desk/bulletins/{id}/diff",
            get(desk_api::version_diff),
        )
        .route("/api/v1/stream", get(stream::stream))
        .route("/api/v1/search", get(api::search))
        .route("/files/{sha}", get(attachments::serve))
        .route(
            "/api/v1/agencies/{id}/webhook",
            axum::routing::put(subscriptions::api_set_webhook),
        )
        .route(
            "/newsroom/b/{id}/attachments",
            post(attachments::upload).layer(axum::extract::DefaultBodyLimit::max(
                attachments::MAX_BYTES + 65_536,
            )),
        )
        .route(
            "/api/v1/bulletins/{id}/attachments",
            post(attachments::upload).layer(axum::extract::DefaultBodyLimit::max(
                attachments::MAX_BYTES + 65_536,
            )),
        )
        .route("/tim-kiem", get(public::search_page))
        .route("/feeds/press/{file}", get(subscriptions::press_feed))
        .route("/press", get(subscriptions::press_page))
        .route("/press/feed-token", post(subscriptions::new_feed_token))
        .route(
            "/press/feed-token/revoke",
            post(subscriptions::revoke_feed_token),
        )
        .route("/press/subscription", post(subscriptions::set_subscription))
        .route("/press/webhook", post(subscriptions::set_webhook))
        .route(
            "/press/webhook/disable",
            post(subscriptions::disable_webhook),
        )
        .route("/newsroom/deliveries", get(subscriptions::deliveries_page))
        .route(
            "/newsroom/deliveries/{id}/replay",
            post(subscriptions::replay),
        )
}

/// Releases scheduled and embargoed bulletins when their time comes: it sleeps until the
/// next due time, or until a commit (a publication here, a NOTIFY from another node) may
/// have set an earlier one.
pub async fn release_loop(
    db: crate::platform::db::Db,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use crate::platform::events;
    let notify = events::register_waker();
    loop {
        if let Err(e) = store::release_due(&db).await {
            tracing::warn!(error = %e, "release of due bulletins failed");
        }
        let next = store::next_release(&db).await;
        crate::platform::cache::set_next_change(next.as_ref().ok().copied().flatten());
        let wait = match next {
            Ok(Some(t)) => std::time::Duration::from_millis(
                (t - crate::platform::clock::now_ms()).max(0) as u64,
            ),
            _ => events::IDLE_POLL,
        };
        if events::idle("release", &notify, wait.min(events::IDLE_POLL), &mut stop).await {
            return;
        }
    }
}
