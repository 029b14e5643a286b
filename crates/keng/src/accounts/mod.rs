//! Accounts and roles: units (a tree), the press agencies registry, staff accounts,
//! journalist registration and accreditation, sign-in, profiles and API tokens.

pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod profile;
pub mod rules;
pub mod store;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use utoipa::OpenApi;

use crate::platform::auth::Ctx;
use crate::platform::capability::{Capability, Description, HomePanel, NavEntry, ShownTo};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::permissions::Action;
use crate::platform::state::AppState;
use crate::platform::{audit, permissions};

/// The accounts capability (see `platform::capability`).
pub struct Accounts;

impl Capability for Accounts {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn routes(&self) -> Router<AppState> {
        pages().merge(api())
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// Journalists awaiting accreditation, press and units; a journalist's own status.
    fn home_panel<'a>(
        &'a self,
        app: &'a AppState,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(pages::panel(app, ctx))
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }
}

/// What accounts add to the shared surfaces: the accreditation queue, users, units and
/// agencies in the staff menu; units and users (names on public pages) as public
/// entities.
static DESCRIPTION: Description = Description {
    name: "accounts",
    menu_rank: 90,
    nav: &[
        NavEntry {
            href: "/accreditation",
            key: "nav.accreditation",
            shown_to: ShownTo::Allowed(Action::ViewAccreditationQueue),
        },
        NavEntry {
            href: "/users",
            key: "nav.users",
            shown_to: ShownTo::Allowed(Action::ViewUsers),
        },
        NavEntry {
            href: "/units",
            key: "nav.units",
            shown_to: ShownTo::Allowed(Action::ViewUnits),
        },
        NavEntry {
            href: "/agencies",
            key: "nav.agencies",
            shown_to: ShownTo::Allowed(Action::ViewAgencies),
        },
    ],
    cache_paths: &[],
    cache_params: &[],
    public_entities: &["unit", "user"],
    blob_refs: &[],
    upload_paths: &[],
};

/// HTML pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route(
            "/login/totp",
            get(pages::totp_form).post(pages::totp_submit),
        )
        .route("/logout", post(pages::logout))
        .route("/register", get(pages::register_form).post(pages::register))
        .route("/accreditation", get(pages::accreditation))
        .route("/users", get(pages::users).post(pages::user_create))
        .route("/users/new", get(pages::user_new))
        .route(
            "/users/{id}",
            get(pages::user_detail).post(pages::user_update),
        )
        .route("/users/{id}/status", post(pages::change_status))
        .route("/units", get(pages::units).post(pages::unit_create))
        .route("/agencies", get(pages::agencies).post(pages::agency_create))
        .route(
            "/agencies/{id}",
            get(pages::agency_detail).post(pages::agency_update),
        )
        .route("/profile", get(profile::profile))
        .route("/profile/password", post(profile::change_password))
        .route(
            "/profile/totp",
            get(profile::totp_start).post(profile::totp_confirm),
        )
        .route("/profile/totp/disable", post(profile::totp_disable))
        .route("/profile/tokens", post(profile::token_create))
        .route("/profile/tokens/{id}/revoke", post(profile::token_revoke))
}

/// The accounts' part of the OpenAPI document: every route of [`api`], and the audit
/// log's reader.
#[derive(OpenApi)]
#[openapi(
    paths(
        api::me,
        api::list_units, api::create_unit,
        api::list_agencies, api::get_agency, api::create_agency, api::update_agency,
        api::list_users, api::get_user, api::update_user, api::create_user, api::change_status,
        api::register,
        api::audit_log,
        api::list_tokens, api::create_token, api::revoke_token,
    ),
    components(schemas(
        model::User, model::Unit, model::Agency, model::Status, permissions::Role,
        store::UnitInput, store::AgencyInput, store::NewUser, store::Profile, store::ApiToken,
        api::Registration, api::RegistrationReceived, api::StatusChange, api::TokenRequest, api::NewToken,
        audit::AuditEntry,
    )),
    tags((name = "accounts", description = "Units, press agencies, accounts, accreditation, tokens"),
         (name = "audit", description = "The append-only audit log")),
)]
struct ApiDoc;

/// JSON API under /api/v1.
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/units", get(api::list_units).post(api::create_unit))
        .route(
            "/api/v1/agencies",
            get(api::list_agencies).post(api::create_agency),
        )
        .route(
            "/api/v1/agencies/{id}",
            get(api::get_agency).put(api::update_agency),
        )
        .route("/api/v1/users", get(api::list_users).post(api::create_user))
        .route(
            "/api/v1/users/{id}",
            get(api::get_user).put(api::update_user),
        )
        .route("/api/v1/users/{id}/status", post(api::change_status))
        .route("/api/v1/journalists", post(api::register))
        .route("/api/v1/audit", get(api::audit_log))
        .route(
            "/api/v1/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route(
            "/api/v1/tokens/{id}",
            axum::routing::delete(api::revoke_token),
        )
}
