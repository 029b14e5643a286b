//! Security figures (số liệu) and campaigns: the catalogue of what is counted
//! (`catalogue`), each unit's figures for a day, week or month entered by form or by the
//! spreadsheet template (`sheet`, `check`), approved by a leader who did not submit them
//! and never overwritten — a correction is a new version with its reason (`store`);
//! reports for any period, unit subtree and field against "cùng kỳ" and "kỳ trước",
//! with charts, the department's sentences and CSV, XLSX and DOCX downloads
//! (`figures`, `export`, `pages`); peak campaigns anchored to Tết with targets
//! (`campaigns`); the leader's dashboard; published figures for the public and as open
//! data (`public`), what counts for whom decided in `visibility` only; every sum over a
//! period from `tally`, which reads the running totals the event log keeps current
//! (`running`) or, while they lag, scans the figures; and the demo's daily figures. The arithmetic of
//! periods, changes and sentences is the pure crate `keng-stats`. Reads the unit tree
//! through `accounts::store`.

pub mod api;
pub mod campaign_pages;
pub mod campaigns;
pub mod catalogue;
pub mod catalogue_pages;
pub mod check;
pub mod dashboard;
pub mod demo;
pub mod export;
pub mod figures;
pub mod model;
pub mod notes;
pub mod pages;
pub mod public;
pub mod quote_pages;
pub mod quotes;
pub mod reference;
pub mod running;
pub mod sheet;
pub mod store;
pub mod tally;
pub mod verify;
pub mod visibility;

use axum::routing::{get, post, put};
use std::sync::Arc;

use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::auth::Ctx;
use crate::platform::capability::{Capability, Description, HomePanel, NavEntry, ShownTo};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::events::Follower;
use crate::platform::permissions::Action;
use crate::platform::state::AppState;

/// The figures capability (see `platform::capability`).
pub struct Stats;

impl Capability for Stats {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/so-lieu", get(public::page_public))
            .route("/stats", get(dashboard::dashboard))
            .route("/stats/enter", get(pages::enter_form).post(pages::enter))
            .route("/stats/upload", get(pages::upload_form).post(pages::upload))
            .route("/stats/template.xlsx", get(pages::template_xlsx))
            .route("/stats/template.csv", get(pages::template_csv))
            .route("/stats/submissions", get(pages::queue))
            .route("/stats/submissions/{id}", get(pages::view))
            .route("/stats/submissions/{id}/do/{step}", post(pages::decide))
            .route("/stats/report", get(pages::report_page))
            .route("/stats/{file}", get(pages::report_file))
            .route("/stats/publish", post(pages::publish))
            .route("/stats/quotes", post(quote_pages::create_form))
            .route("/so-lieu/trich-dan/{id}", get(quote_pages::view))
            .route(
                "/stats/campaigns",
                get(campaign_pages::list).post(campaign_pages::create),
            )
            .route("/stats/campaigns/{id}", get(campaign_pages::view))
            .route(
                "/stats/catalogue",
                get(catalogue_pages::view).post(catalogue_pages::create),
            )
            .route("/stats/catalogue/{id}", post(catalogue_pages::update))
            .route("/api/v1/stats", get(public::api))
            .route("/api/v1/stats/catalogue", get(api::get_catalogue))
            .route("/api/v1/stats/measures", post(api::create_measure))
            .route("/api/v1/stats/measures/{id}", put(api::update_measure))
            .route(
                "/api/v1/stats/submissions",
                get(api::list).post(api::submit),
            )
            .route("/api/v1/stats/submissions/{id}", get(api::get))
            .route("/api/v1/stats/submissions/{id}/{step}", post(api::decide))
            .route("/api/v1/stats/uploads", post(api::upload))
            .route("/api/v1/stats/publication", post(api::publish))
            .route("/api/v1/stats/quotes", post(quote_pages::create_api))
            .route("/api/v1/stats/quotes/{id}", get(quote_pages::get_api))
            .route(
                "/api/v1/stats/campaigns",
                get(api::list_campaigns).post(api::create_campaign),
            )
            .route(
                "/api/v1/stats/campaigns/{id}",
                get(api::get_campaign).put(api::update_campaign),
            )
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }

    /// The running totals, kept current from the event log.
    fn followers(&self, _app: &AppState) -> Vec<Arc<dyn Follower>> {
        vec![Arc::new(running::Running)]
    }

    fn home_panel<'a>(
        &'a self,
        app: &'a AppState,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(dashboard::panel(app, ctx))
    }
}

/// The public figures in everyone's menu, the figures desk for staff; the spreadsheet
/// uploads take files.
static DESCRIPTION: Description = Description {
    name: "stats",
    menu_rank: 18,
    nav: &[
        NavEntry {
            href: "/so-lieu",
            key: "nav.figures",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/stats",
            key: "nav.figures_desk",
            shown_to: ShownTo::Allowed(Action::ViewFigures),
        },
    ],
    // Reports are computed per request from the current versions.
    cache_paths: &[],
    cache_params: &[],
    public_entities: &[],
    blob_refs: &[],
    upload_paths: &["/stats/upload", "/api/v1/stats/uploads"],
};

/// The figures' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(public::api, api::get_catalogue, api::create_measure, api::update_measure, api::submit,
        api::upload, api::list, api::get, api::decide, api::publish, api::list_campaigns,
        api::create_campaign, api::get_campaign, api::update_campaign, quote_pages::create_api,
        quote_pages::get_api),
    components(schemas(
        catalogue::Catalogue, catalogue::Field, catalogue::Measure, catalogue::MeasureInput,
        check::Raw, check::Cell, check::Problem, model::Submission, model::State,
        api::SubmissionInput, api::Problems, api::FieldError, api::PublicationInput, api::PublicationResult,
        api::CampaignView, campaigns::Campaign, campaigns::CampaignInput, store::Decision,
        public::StatsResult, public::Row, public::QualityNote, quotes::Quote, quotes::Quoted,
        quotes::Sources, quote_pages::QuoteInput, quote_pages::QuoteView,
    )),
    tags((name = "stats", description = "Security figures: the catalogue, units' submissions and their approval, campaigns, and published figures as open data")),
)]
struct ApiDoc;
