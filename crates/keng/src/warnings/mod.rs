//! Warnings (cảnh báo): scam methods, traffic on key routes, public order, fire — written
//! on the desk, approved by a second person, published to the public and as OASIS CAP
//! 1.2 messages (Alert, Update, Cancel, each referencing the earlier ones) with a CAP
//! index feed for alert aggregators, and made ready to share (cards, posts, an A4
//! poster: `share`); linked to the bulletins they rest on (read through
//! `newsroom::store::get` and `newsroom::visibility::seen`). Who sees what is decided in
//! `visibility`, and only there: a test warning never reaches a public surface.

pub mod api;
pub mod cap;
pub mod demo;
pub mod desk;
pub mod input;
pub mod model;
pub mod press;
pub mod public;
pub mod roads;
pub mod roads_pages;
pub mod share;
pub mod store;
pub mod visibility;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::capability::{
    CachePath, Capability, Description, NavEntry, PressNotice, SearchDoc, SearchHit, ShownTo,
};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::events::Event;
use crate::platform::permissions::Action;
use crate::platform::state::AppState;

/// The warnings capability (see `platform::capability`).
pub struct Warnings;

impl Capability for Warnings {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/canh-bao", get(public::list))
            .route("/canh-bao/{id}", get(public::detail))
            .route("/canh-bao/{id}/in", get(share::poster))
            .route("/chia-se/canh-bao/{id}/{file}", get(share::public_card))
            .route("/cap/{file}", get(public::cap_xml))
            .route("/feeds/warnings.atom", get(public::feed))
            .route("/feeds/warnings/{file}", get(public::feed_kind))
            .route("/warnings", get(desk::dashboard).post(desk::create))
            .route("/warnings/new", get(desk::new_form))
            .route(
                "/warnings/roads",
                get(roads_pages::list).post(roads_pages::create),
            )
            .route(
                "/warnings/roads/{id}",
                get(roads_pages::edit).post(roads_pages::update),
            )
            .route("/warnings/{id}", get(desk::view).post(desk::update))
            .route("/warnings/{id}/edit", get(desk::edit_form))
            .route("/warnings/{id}/do/{step}", post(desk::step))
            .route("/warnings/{id}/revise", post(desk::revise))
            .route("/warnings/{id}/card/{file}", get(share::desk_card))
            .route("/api/v1/warnings", get(api::list).post(api::create))
            .route("/api/v1/warnings/{id}", get(api::get).put(api::update))
            .route("/api/v1/warnings/{id}/{step}", post(api::act))
            .route("/api/v1/desk/warnings", get(api::desk_list))
            .route(
                "/api/v1/road-places",
                get(roads_pages::api_list).post(roads_pages::api_create),
            )
            .route(
                "/api/v1/road-places/{id}",
                axum::routing::put(roads_pages::api_update),
            )
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }

    /// Publication, update and cancellation of a real (not test) warning, as its own
    /// message types on the press channels, with the warning as it was at that step.
    fn press_notice(&self, config: &Config, event: &Event) -> Option<PressNotice> {
        press::notice(config, event)
    }

    /// Warnings are in the shared search index; only public ones are ever shown.
    fn search_entity(&self) -> Option<&'static str> {
        Some("warning")
    }

    fn search_doc<'a>(
        &'a self,
        db: &'a Db,
        id: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Option<SearchDoc>>> {
        Box::pin(async move { Ok(public::search_doc(db, id).await?) })
    }

    fn search_ids<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move { Ok(store::ids(db).await?) })
    }

    fn search_hit<'a>(
        &'a self,
        db: &'a Db,
        id: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Option<SearchHit>>> {
        Box::pin(async move { Ok(public::search_hit(db, id).await?) })
    }
}

/// What warnings add to the shared surfaces: the public list in everyone's menu, the
/// desk for staff; CAP documents, the CAP index and the API list for the page cache.
static DESCRIPTION: Description = Description {
    name: "warnings",
    menu_rank: 15,
    nav: &[
        NavEntry {
            href: "/canh-bao",
            key: "nav.warnings",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/warnings",
            key: "nav.warnings_desk",
            shown_to: ShownTo::Allowed(Action::ViewWarningsDesk),
        },
    ],
    // The pages say what is in force now, which changes as validity ends without an
    // event: they are rendered each time (share cards have a cache of their own, keyed
    // by what they show). CAP documents and the index change by events only.
    cache_paths: &[
        CachePath::Prefix("/cap/"),
        CachePath::Exact("/feeds/warnings.atom"),
        CachePath::Prefix("/feeds/warnings/"),
        CachePath::Exact("/api/v1/warnings"),
    ],
    cache_params: &["loai", "kind"],
    public_entities: &["warning", "road_place"],
    blob_refs: &[],
    upload_paths: &[],
};

/// The warnings' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::get, api::desk_list, api::create, api::update, api::act,
        roads_pages::api_list, roads_pages::api_create, roads_pages::api_update),
    components(schemas(
        model::Warning, model::State, input::WarningInput, store::StepInput, api::Step,
        roads::RoadPlace, roads::RoadInput,
    )),
    tags((name = "warnings", description = "Public warnings (scam methods, traffic, public order) and their workflow; CAP 1.2 at /cap/{id}.xml")),
)]
struct ApiDoc;
