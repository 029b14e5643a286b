//! Warnings (cảnh báo): scam methods, traffic on key routes, public order, fire — written
//! on the desk, approved by a second person, published to the public and as OASIS CAP
//! 1.2 messages (Alert, Update, Cancel, each referencing the earlier ones) with a CAP
//! index feed for alert aggregators; linked to the bulletins they rest on (read through
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
pub mod store;
pub mod visibility;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::capability::{
    CachePath, Capability, Description, NavEntry, PressNotice, ShownTo,
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
            .route("/cap/{file}", get(public::cap_xml))
            .route("/feeds/warnings.atom", get(public::feed))
            .route("/feeds/warnings/{file}", get(public::feed_kind))
            .route("/warnings", get(desk::dashboard).post(desk::create))
            .route("/warnings/new", get(desk::new_form))
            .route("/warnings/{id}", get(desk::view).post(desk::update))
            .route("/warnings/{id}/edit", get(desk::edit_form))
            .route("/warnings/{id}/do/{step}", post(desk::step))
            .route("/warnings/{id}/revise", post(desk::revise))
            .route("/api/v1/warnings", get(api::list).post(api::create))
            .route("/api/v1/warnings/{id}", get(api::get).put(api::update))
            .route("/api/v1/warnings/{id}/{step}", post(api::act))
            .route("/api/v1/desk/warnings", get(api::desk_list))
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
    // event: they are rendered each time. CAP documents and the index change by events.
    cache_paths: &[
        CachePath::Prefix("/cap/"),
        CachePath::Exact("/feeds/warnings.atom"),
        CachePath::Prefix("/feeds/warnings/"),
        CachePath::Exact("/api/v1/warnings"),
    ],
    cache_params: &["loai", "kind"],
    public_entities: &["warning"],
    blob_refs: &[],
};

/// The warnings' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::get, api::desk_list, api::create, api::update, api::act),
    components(schemas(
        model::Warning, model::State, input::WarningInput, store::StepInput, api::Step,
    )),
    tags((name = "warnings", description = "Public warnings (scam methods, traffic, public order) and their workflow; CAP 1.2 at /cap/{id}.xml")),
)]
struct ApiDoc;
