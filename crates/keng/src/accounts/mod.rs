//! Accounts and roles: units (a tree), the press agencies registry, staff accounts,
//! journalist registration and accreditation, sign-in, profiles and API tokens.

pub mod api;
pub mod model;
pub mod pages;
pub mod profile;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

use crate::platform::capability::{Capability, NavEntry, ShownTo};
use crate::platform::permissions::Action;
use crate::platform::state::AppState;

/// What accounts add to the shared surfaces: the accreditation queue, users, units and
/// agencies in the staff menu; units and users (names on public pages) as public
/// entities.
pub const CAPABILITY: Capability = Capability {
    name: "accounts",
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
    public_entities: &["unit", "user"],
};

/// HTML pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/lang/{code}", get(pages::set_lang))
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
