//! HTML pages of the accounts capability: sign-in (with TOTP), journalist registration,
//! the accreditation queue, users, units, press agencies and one's own profile.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::model::{Status, AGENCY_KINDS, AGENCY_MEDIA, UNIT_KINDS};
use super::store::{AgencyInput, NewUser, UnitInput, UserFilter};
use super::{rules, store};
use crate::platform::auth::{password, ratelimit, session, totp, Ctx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{self};
use crate::platform::ids::is_id;
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::redirect;
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

type Page = AppResult<Response>;

fn unprocessable(html: Html<String>) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
}

/// Only same-origin relative paths are followed after login (one check for every target).
fn safe_next(next: Option<&str>) -> String {
    redirect::safe_target(next)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

mod accreditation;
mod home;
mod journalist_registration;
mod press_agencies;
mod sign_in;
mod units;
mod users;

pub use accreditation::*;
pub use home::*;
pub use journalist_registration::*;
pub use press_agencies::*;
pub use sign_in::*;
pub use units::*;
pub use users::*;
