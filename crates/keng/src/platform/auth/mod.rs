//! Authentication: who is making this request. One middleware ([`resolve`]) finds the
//! principal — an API token (`Authorization: Bearer`), a session cookie, or nobody —
//! checks the CSRF token of every state-changing request that rides on cookies, and
//! hands a [`Ctx`] to the handlers. Permission questions go to `permissions::allowed`
//! through [`Ctx::require`].

pub mod password;
pub mod ratelimit;
pub mod session;
pub mod totp;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::args;
use crate::platform::audit::Origin;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{cookie, Lang};
use crate::platform::identity::{self, User};
use crate::platform::ids::{constant_time_eq, hash_secret, random_secret};
use crate::platform::permissions::{allowed, Action, Actor, Owner};
use crate::platform::state::AppState;

/// Who is behind a request, as resolved once by [`resolve`].
#[derive(Debug, Clone, Default)]
pub struct Principal {
    pub user: Option<User>,
    pub session_hash: Option<String>,
    pub csrf: String,
    pub via_token: bool,
    /// The API token's id, when the request came with one.
    pub token_id: Option<String>,
    /// Password accepted, second factor still due: the user is not signed in yet.
    pub mfa_pending: bool,
    /// A Bearer token was sent but is unknown, revoked or its account inactive.
    pub bad_token: bool,
    /// A fresh anonymous CSRF token was made for this request: its cookie is set on the
    /// response only if the page carries the token (a form), so public pages stay
    /// cookie-free and cacheable by anyone.
    pub new_anon_csrf: bool,
    /// Whether the response carries the CSRF token (set by the web shell).
    pub csrf_shown: CsrfShown,
}

/// Set when a rendered page carries the request's CSRF token (shared by the request's
/// `Principal` and `Ctx`).
#[derive(Debug, Clone, Default)]
pub struct CsrfShown(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl CsrfShown {
    pub fn mark(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_marked(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// How the event log names a session (the first 16 hex digits of its id's hash: the
/// `entity_id` of `session.*` events).
pub fn session_ref(id_hash: &str) -> &str {
    id_hash.get(..16).unwrap_or(id_hash)
}

/// A credential, as live streams know theirs: a session.
pub fn credential_of_session(id_hash: &str) -> String {
    format!("session:{}", session_ref(id_hash))
}

/// A credential, as live streams know theirs: an API token (by its id).
pub fn credential_of_token(token_id: &str) -> String {
    format!("token:{token_id}")
}

/// The path ending of every upload route (see `web::MAX_UPLOAD_BYTES`).
pub const UPLOAD_PATH_SUFFIX: &str = "/attachments";

/// True for paths of the JSON API (answers in problem+json, languages by header).
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
}

fn bearer(parts: &axum::http::HeaderMap) -> Option<String> {
    parts
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

async fn principal_of(app: &AppState, headers: &axum::http::HeaderMap) -> AppResult<Principal> {
    if let Some(token) = bearer(headers) {
        let now = now_ms();
        let row = app
            .db
            .fetch_optional(
                "SELECT t.id AS token_id, t.last_used_at, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'",
                args![hash_secret(&token)],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Principal {
                bad_token: true,
                ..Default::default()
            });
        };
        if row.opt_i64("last_used_at")?.unwrap_or(0) < now - 60_000 {
            app.db
                .execute(
                    "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                    args![now, row.str("token_id")?],
                )
                .await?;
        }
        return Ok(Principal {
            user: Some(User::from_row(&row)?),
            via_token: true,
            token_id: Some(row.str("token_id")?),
            ..Default::default()
        });
    }
    if let Some(c) = cookie(headers, session::COOKIE) {
        if let Some(s) = session::lookup(&app.db, &app.config, &c).await? {
            let user = identity::get_user(&app.db, &s.user_id).await?;
            return Ok(Principal {
                user,
                session_hash: Some(s.id_hash),
                csrf: s.csrf,
                mfa_pending: s.mfa_pending,
                ..Default::default()
            });
        }
    }
    match cookie(headers, session::ANON_CSRF_COOKIE).filter(|c| c.len() >= 32 && c.len() <= 64) {
        Some(c) => Ok(Principal {
            csrf: c,
            ..Default::default()
        }),
        None => Ok(Principal {
            csrf: random_secret(),
            new_anon_csrf: true,
            ..Default::default()
        }),
    }
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Finds the principal, enforces CSRF on cookie-borne state changes, and sets the
/// anonymous CSRF cookie when one was minted.
pub async fn resolve(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    // An oversize body is refused before anything reads it, whatever the route.
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    // A file upload may be as large as an uploaded file: by convention every upload route
    // of every capability ends in `/attachments` or is listed in its description, and
    // takes multipart (each sets its own, smaller or equal, limit); everything else is
    // small.
    let limit = if multipart && crate::platform::capability::takes_files(parts.uri.path()) {
        app.config
            .max_body_bytes
            .max(crate::platform::web::MAX_UPLOAD_BYTES + 65_536)
    } else {
        app.config.max_body_bytes
    };
    if let Some(n) = declared.filter(|n| *n > limit) {
        // Read (and drop) a moderately oversize body so the client, still sending, gets
        // the explanation instead of a broken connection; absurd sizes are cut at once.
        if n <= limit.saturating_mul(4) {
            let mut stream = body.into_data_stream();
            while let Some(Ok(_)) = futures::StreamExt::next(&mut stream).await {}
        }
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            AppError::bad("err.too_large"),
        )
            .into_response();
    }
    let principal = match principal_of(&app, &parts.headers).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let mut body = body;
    // A form's fields are text: one that is not UTF-8 once unescaped is refused here,
    // for every route, rather than reaching a handler with U+FFFD in its place.
    let mut form_bytes = None;
    if unsafe_method(&parts.method) && is_form(&parts) {
        let bytes = match axum::body::to_bytes(body, app.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => {
                return (
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    AppError::bad("err.too_large"),
                )
                    .into_response();
            }
        };
        if !form_is_utf8(&bytes) {
            return AppError::bad("err.form_encoding").into_response();
        }
        body = Body::from(bytes.clone());
        form_bytes = Some(bytes);
    }
    // Cookie-borne state changes need the CSRF token. Bearer requests carry no ambient
    // credential, nor does an anonymous API call, so neither can be forged cross-site.
    let anonymous_api = is_api_path(parts.uri.path()) && principal.session_hash.is_none();
    if unsafe_method(&parts.method) && bearer(&parts.headers).is_none() && !anonymous_api {
        let sent_header = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let sent = match sent_header {
            Some(h) => Some(h),
            // A multipart form (file upload) carries its token in the action URL.
            None if multipart => parts
                .uri
                .query()
                .and_then(|q| form_urlencoded_field(q.as_bytes(), "_csrf")),
            None => form_bytes
                .as_ref()
                .and_then(|b| form_urlencoded_field(b, "_csrf")),
        };
        let ok = sent
            .is_some_and(|s| !principal.csrf.is_empty() && constant_time_eq(&s, &principal.csrf));
        if !ok || principal.new_anon_csrf {
            return AppError::Forbidden("err.csrf").into_response();
        }
    }
    parts.extensions.insert(principal.clone());
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    let new_cookie = (principal.new_anon_csrf && principal.csrf_shown.is_marked()).then(|| {
        session::cookie_header(
            session::ANON_CSRF_COOKIE,
            &principal.csrf,
            &app.config,
            true,
        )
    });
    resp.extensions_mut().insert(principal);
    if let Some(c) = new_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn is_form(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Every name and value of a urlencoded form is UTF-8 once unescaped.
fn form_is_utf8(body: &[u8]) -> bool {
    body.split(|b| *b == b'&').all(|pair| {
        pair.split(|b| *b == b'=')
            .all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
    })
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The request as handlers see it: language, principal, origin.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub is_api: bool,
    /// The signed-in user (None while the second factor is due).
    pub user: Option<User>,
    /// The user who passed the password step and owes a TOTP code.
    pub mfa_user: Option<User>,
    pub session_hash: Option<String>,
    pub csrf: String,
    pub via_token: bool,
    /// What this request was authenticated with (see [`credential_of_session`],
    /// [`credential_of_token`]): a live stream ends when it ends.
    pub credential: Option<String>,
    pub bad_token: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub path: String,
    /// Staff must enrol TOTP before anything else (config `auth.require_totp_for_staff`).
    pub totp_setup_due: bool,
    /// The base of absolute links in this response (no trailing slash): see
    /// `Config::base_url_for`.
    pub base_url: String,
    /// Marked when the response carries `csrf` (see [`Principal::csrf_shown`]).
    pub csrf_shown: CsrfShown,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .unwrap_or_default();
        let path = parts.uri.path().to_string();
        let is_api = is_api_path(&path);
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let (user, mfa_user) = if p.mfa_pending {
            (None, p.user)
        } else {
            (p.user, None)
        };
        let totp_setup_due = user.as_ref().is_some_and(|u| {
            app.config.auth.require_totp_for_staff
                && u.role.is_staff()
                && !u.totp_enabled
                && !p.via_token
        });
        let credential = match (&p.token_id, &p.session_hash) {
            (Some(t), _) => Some(credential_of_token(t)),
            (None, Some(h)) => Some(credential_of_session(h)),
            _ => None,
        };
        let base_url = app.config.base_url_for(
            parts
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok()),
        );
        Ok(Ctx {
            base_url,
            lang: Lang::from_request(&parts.headers, is_api),
            is_api,
            user,
            mfa_user,
            session_hash: p.session_hash,
            csrf: p.csrf,
            csrf_shown: p.csrf_shown,
            via_token: p.via_token,
            credential,
            bad_token: p.bad_token,
            ip,
            user_agent,
            path,
            totp_setup_due,
        })
    }
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        self.user
            .as_ref()
            .map(User::actor)
            .unwrap_or_else(Actor::public)
    }

    /// The signed-in user, or 401.
    pub fn user(&self) -> AppResult<&User> {
        if self.totp_setup_due {
            return Err(AppError::Forbidden("err.totp_setup_required"));
        }
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// Asks the permission matrix; 401 for nobody, 403 for the wrong person.
    pub fn require(&self, action: Action, owner: &Owner) -> AppResult<()> {
        if self.bad_token {
            return Err(AppError::Unauthorized);
        }
        let user = self.user()?;
        if allowed(&user.actor(), action, owner) {
            Ok(())
        } else {
            Err(AppError::Forbidden("err.forbidden"))
        }
    }

    pub fn can(&self, action: Action) -> bool {
        !self.totp_setup_due && allowed(&self.actor(), action, &Owner::None)
    }

    pub fn origin(&self) -> Origin {
        match &self.user {
            Some(u) => Origin {
                actor_id: Some(u.id.clone()),
                actor_name: u.username.clone(),
                ip: self.ip.clone(),
            },
            None => Origin {
                actor_id: None,
                actor_name: "anonymous".into(),
                ip: self.ip.clone(),
            },
        }
    }
}
