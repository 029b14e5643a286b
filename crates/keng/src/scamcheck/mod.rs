//! Scam check (kiểm tra lừa đảo): the public checks a phone number, bank account, link,
//! profile, app or wallet before paying (`check`), pastes a suspicious message and
//! learns how risky it is and why (`analyze`); staff keep the indicators (`desk`,
//! `store`), the scam-pattern lexicon (`rules`, tried on labelled messages before it
//! is saved) and the bank list. The pure parts — normalising
//! every kind of indicator, links as Safe Browsing reads them, lookalike hosts, message
//! folding, the lexicon's matching — are the `keng_indicators` crate. The public
//! reports scams (`report`), follows them by a tracking code; staff triage them. Each node answers
//! from its in-memory set (`set`), rebuilt at start and kept current from the event log.
//!
//! Reads other capabilities through their public functions: `warnings::store::get` and
//! `warnings::visibility::public` (the warnings an indicator or a pattern links to).

pub mod analyze;
pub mod bulk;
pub mod check;
pub mod defaults;
pub mod demo;
pub mod desk;
pub mod model;
pub mod report;
pub mod rules;
pub mod set;
pub mod store;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::capability::{Capability, Description, NavEntry, ShownTo, Task};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::permissions::Action;
use crate::platform::state::AppState;

/// The scam check capability (see `platform::capability`).
pub struct ScamCheck;

impl Capability for ScamCheck {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn open(
        &self,
        _config: &Config,
        _data_dir: &std::path::Path,
        local: &mut axum::http::Extensions,
    ) -> anyhow::Result<()> {
        local.insert(Arc::new(set::Set::default()));
        Ok(())
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/kiem-tra", get(check::page_handler))
            .route(
                "/kiem-tra/tin-nhan",
                get(analyze::form).post(analyze::submit),
            )
            .route(
                "/kiem-tra/to-giac",
                get(report::form).post(report::form_submit).layer(
                    axum::extract::DefaultBodyLimit::max(
                        crate::platform::files::MAX_BYTES + 65_536,
                    ),
                ),
            )
            .route("/kiem-tra/to-giac/{code}", get(report::track_page))
            .route(
                "/kiem-tra/to-giac/{code}/attachments",
                post(report::track_add_files).layer(axum::extract::DefaultBodyLimit::max(
                    crate::platform::files::MAX_BYTES + 65_536,
                )),
            )
            .route("/scamcheck", get(desk::dashboard))
            .route("/scamcheck/reports", get(report::queue))
            .route("/scamcheck/reports/{id}", get(report::view))
            .route("/scamcheck/reports/{id}/do/{step}", post(report::view_step))
            .route(
                "/scamcheck/reports/{id}/files/{sha}",
                get(report::serve_file),
            )
            .route("/scamcheck/indicators", post(desk::create))
            .route("/scamcheck/indicators/new", get(desk::new_form))
            .route(
                "/scamcheck/indicators/{id}",
                get(desk::view).post(desk::update),
            )
            .route("/scamcheck/indicators/{id}/do/{step}", post(desk::step))
            .route("/api/v1/check", get(check::api))
            .route("/api/v1/check/range/{prefix}", get(check::range))
            .route("/api/v1/analyze", post(analyze::api))
            .route(
                "/api/v1/indicators",
                get(desk::api_list).post(desk::api_create),
            )
            .route(
                "/api/v1/indicators/{id}",
                get(desk::api_get).put(desk::api_update),
            )
            .route("/api/v1/indicators/{id}/{step}", post(desk::api_step))
            .route("/api/v1/report-challenge", get(report::api_challenge))
            .route(
                "/api/v1/reports",
                get(report::api_list).post(report::api_submit),
            )
            .route("/api/v1/reports/{id}/{step}", post(report::api_step))
            // The tracking code in the place of the id (a static segment wins).
            .route(
                "/api/v1/reports/{id}/attachments",
                post(report::api_add_files).layer(axum::extract::DefaultBodyLimit::max(
                    crate::platform::files::MAX_BYTES + 65_536,
                )),
            )
            .route("/api/v1/report-status/{code}", get(report::api_track))
            .route("/scamcheck/rules", get(rules::index).post(rules::create))
            .route("/scamcheck/rules/new", get(rules::new_form))
            .route(
                "/scamcheck/rules/{id}",
                get(rules::edit_form).post(rules::update),
            )
            .route("/api/v1/scam-patterns", get(rules::api_list))
            .route(
                "/api/v1/scam-patterns/{id}",
                axum::routing::put(rules::api_put),
            )
            .route("/api/v1/scam-patterns/{id}/try", post(rules::api_try))
            .route("/api/v1/banks", get(desk::api_banks))
            .route(
                "/api/v1/banks/{bin}",
                axum::routing::put(desk::api_set_bank),
            )
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// The default rules on a new installation, and the node's indicator set loaded
    /// before it answers a check.
    fn warm_up<'a>(&'a self, app: &'a AppState) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(e) = defaults::seed(&app.db).await {
                tracing::warn!(error = %e, "scam check: default rules not seeded");
            }
            if let Some(s) = app.capability::<Arc<set::Set>>() {
                if let Err(e) = set::first_load(&app.db, s).await {
                    tracing::warn!(error = %e, "scam check: indicator set not loaded yet");
                }
            }
        })
    }

    /// The node's indicator set kept current from the event log.
    fn tasks(&self, app: &AppState, stop: &tokio::sync::watch::Receiver<bool>) -> Vec<Task> {
        let Some(s) = app.capability::<Arc<set::Set>>().cloned() else {
            return Vec::new();
        };
        vec![Box::pin(set::follow(app.db.clone(), s, stop.clone()))]
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }
}

/// What the scam check adds to the shared surfaces: the check in everyone's menu, the
/// desk for staff. Nothing is cached: answers follow verifications within seconds.
static DESCRIPTION: Description = Description {
    name: "scamcheck",
    menu_rank: 16,
    nav: &[
        NavEntry {
            href: "/kiem-tra",
            key: "nav.scamcheck",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/scamcheck",
            key: "nav.scamcheck_desk",
            shown_to: ShownTo::Allowed(Action::ViewScamDesk),
        },
    ],
    cache_paths: &[],
    cache_params: &[],
    public_entities: &[],
    blob_refs: &["SELECT sha256 AS sha FROM scam_report_files"],
    upload_paths: &["/kiem-tra/to-giac"],
};

/// The scam check's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(check::api, check::range, analyze::api, desk::api_list, desk::api_create, desk::api_get,
        desk::api_update, desk::api_step, desk::api_banks, desk::api_set_bank, report::api_challenge,
        report::api_submit, report::api_add_files, report::api_track, report::api_list, report::api_step,
        rules::api_list, rules::api_put, rules::api_try),
    components(schemas(
        check::Answer, check::Reading, check::Record, check::LinkedWarning, check::RangeAnswer,
        check::RangeMatch, model::Verdict, model::Status, model::Indicator, analyze::AnalyzeInput,
        analyze::Analysis, analyze::Reason, store::IndicatorInput, store::DetailsInput,
        store::BankInput, desk::StepForm, desk::BankOut, report::Challenge, report::ReportInput,
        report::Report, report::ReportFile, report::Tracking, report::NamedIndicator, report::ReportStep,
        rules::PhraseBody, rules::PatternBody, rules::PatternView, rules::Matrix,
        rules::Changed, rules::Trial,
    )),
    tags((name = "scamcheck", description = "Check a phone number, bank account, link or profile; analyse a suspicious message; staff keep the indicators")),
)]
struct ApiDoc;
