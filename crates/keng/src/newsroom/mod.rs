//! Newsroom (tin tức): initial information on incidents and press releases, from draft to
//! every reader — four-eyes approval, embargo, scheduled publication, corrections and
//! withdrawals with every version kept — and its public surfaces (pages, Atom, ninjs,
//! sitemap). Who sees what is decided in `visibility`, and only there.

pub mod api;
pub mod attachments;
pub mod desk;
pub mod distribution;
pub mod feeds;
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

use axum::routing::{get, post};
use axum::Router;

use crate::platform::capability::{CachePath, Capability, NavEntry, ShownTo};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Role};
use crate::platform::state::AppState;

/// What the newsroom adds to the shared surfaces: the news and search in everyone's
/// menu, the desk for staff, the press page for journalists; its public pages and feeds
/// for the page cache; bulletins and incidents as public entities.
pub const CAPABILITY: Capability = Capability {
    name: "newsroom",
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
    public_entities: &["bulletin", "incident"],
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
