//! The home page and the language switch. The home page is made of each capability's
//! panel (`Capability::home_panel`), in menu order: signed out, the public ones (the
//! latest news, the incidents being followed, the search box) and the hotlines — the
//! same for every visitor, so it is served from the page cache; signed in, the user's
//! dashboard (what awaits their decision first).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::auth::Ctx;
use super::capability;
use super::errors::AppResult;
use super::i18n::Lang;
use super::redirect;
use super::state::AppState;
use super::web::{done_message, page};

#[derive(Deserialize)]
pub struct HomeQuery {
    next: Option<String>,
    done: Option<String>,
}

/// `GET /`.
pub async fn home(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HomeQuery>,
) -> AppResult<Response> {
    let done = done_message(ctx.lang, q.done.as_deref());
    let mut panels = Vec::new();
    // Signed out, the public panels; signed in, the user's. Panels wait for the second
    // factor: until then the account sees nothing of its work.
    if !ctx.totp_setup_due {
        for c in capability::in_menu_order() {
            if let Some(p) = c.home_panel(&app, &ctx).await? {
                panels.push(context! { template => p.template, vars => p.vars });
            }
        }
    }
    Ok(page(
        &app,
        &ctx,
        "home.html",
        context! { done => done, panels => panels, hotlines => app.config.hotlines.iter()
        .map(|h| context! { label => h.label, number => h.number, dial => h.dial() })
        .collect::<Vec<_>>() },
    )?
    .into_response())
}

/// `GET /lang/{code}`: remembers the language for a year and goes back.
pub async fn set_lang(
    Path(code): Path<String>,
    Query(q): Query<HomeQuery>,
    State(app): State<AppState>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let cookie = format!(
        "keng_lang={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
        lang.code(),
        if app.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        }
    );
    let mut r = redirect::see_other(q.next.as_deref());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
