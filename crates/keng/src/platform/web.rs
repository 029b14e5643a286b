//! The web shell: templates (minijinja, embedded in the binary, Vietnamese by default
//! with English through `t()`), page rendering with the layout's per-role navigation,
//! static assets, and the one place that turns errors into an HTML page or an RFC 9457
//! `application/problem+json` body in the request's language.

use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{context, Environment, Value as JValue};
use rust_embed::RustEmbed;
use serde::Serialize;

use super::auth::{is_api_path, Ctx, Principal};
use super::clock;
use super::errors::{AppError, AppResult, ErrorInfo};
use super::i18n::{self, Lang};
use super::permissions::Action;
use super::state::AppState;

/// The largest file a person may upload (an attachment, a document): capabilities take
/// their limit from here, the body limit of multipart requests follows it.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn load() -> Result<Templates, String> {
        let mut env = Environment::new();
        for name in TemplateFiles::iter() {
            let file =
                TemplateFiles::get(&name).ok_or_else(|| format!("template {name} vanished"))?;
            let src =
                String::from_utf8(file.data.into_owned()).map_err(|e| format!("{name}: {e}"))?;
            env.add_template_owned(name.to_string(), src)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        env.add_function("t", |state: &minijinja::State, key: String| -> String {
            i18n::t(lang_of(state), &key)
        });
        // A person's label for an audit action ("user.revoked" → "Thu hồi tài khoản").
        env.add_filter(
            "action_label",
            |state: &minijinja::State, action: String| -> String {
                let key = format!("audit_action.{action}");
                let label = i18n::t(lang_of(state), &key);
                if label == key {
                    action
                } else {
                    label
                }
            },
        );
        env.add_filter("dt", |ms: Option<i64>| {
            ms.map(clock::format_datetime).unwrap_or_default()
        });
        // The value of a datetime-local input, in Vietnam time.
        env.add_filter("input_dt", |ms: Option<i64>| {
            ms.map(clock::input_datetime).unwrap_or_default()
        });
        env.add_filter("date", |ms: Option<i64>| {
            ms.map(clock::format_date).unwrap_or_default()
        });
        // A figure as written in Vietnamese reports: "3,5", "12"; "–" when there is none.
        env.add_filter("num", |v: Option<f64>| {
            v.map(keng_charts::number).unwrap_or_else(|| "–".into())
        });
        Ok(Templates { env })
    }

    /// Renders a template with a context (tests and emails use it directly).
    pub fn render(&self, name: &str, ctx: JValue) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Names of all templates (for the i18n consistency test).
    pub fn sources() -> Vec<(String, String)> {
        TemplateFiles::iter()
            .filter_map(|n| {
                let f = TemplateFiles::get(&n)?;
                Some((n.to_string(), String::from_utf8(f.data.into_owned()).ok()?))
            })
            .collect()
    }
}

fn lang_of(state: &minijinja::State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default()
}

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    key: &'static str,
    current: bool,
}

fn nav(ctx: &Ctx) -> Vec<NavItem> {
    // Home, then what the capabilities put in the menu (see `capability`), then the
    // platform's own pages.
    let mut items: Vec<(&'static str, &'static str)> = vec![("/", "nav.home")];
    let actor = ctx
        .user
        .as_ref()
        .filter(|_| !ctx.totp_setup_due)
        .map(|u| u.actor());
    for n in super::capability::nav_for(actor.as_ref(), |a| ctx.can(a)) {
        items.push((n.href, n.key));
    }
    if actor.is_some() && ctx.can(Action::ViewAudit) {
        items.push(("/audit", "nav.audit"));
    }
    if ctx.user.is_some() {
        items.push(("/profile", "nav.profile"));
    } else {
        items.push(("/register", "nav.register"));
        items.push(("/login", "nav.login"));
    }
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            key,
            current: if href == "/" {
                ctx.path == "/"
            } else {
                ctx.path.starts_with(href)
            },
        })
        .collect()
}

/// A confirmation message named by `?done=` (only keys of the `done.` family).
pub fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    let key = format!("done.{}", done?);
    let msg = i18n::t(lang, &key);
    (msg != key).then_some(msg)
}

/// Field errors of a failed form as (field, message) pairs for re-rendering it, or the
/// error itself when it is not about the form's input.
pub fn field_errors(e: AppError, lang: Lang) -> AppResult<Vec<(String, String)>> {
    match e {
        AppError::Invalid(f) => Ok(f.into_iter().map(|(k, m)| (k, i18n::t(lang, m))).collect()),
        AppError::Conflict(k) => Ok(vec![("_".into(), i18n::t(lang, k))]),
        other => Err(other),
    }
}

/// A form field as typed, or None when it is blank.
/// The QR code of a URL as an SVG document (black on white, quiet zone included).
pub fn qr_svg(url: &str) -> AppResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Inlined in pages: an XML declaration has no place inside HTML.
    Ok(
        match svg.strip_prefix("<?xml").and_then(|s| s.split_once("?>")) {
            Some((_, rest)) => rest.trim_start().to_string(),
            None => svg,
        },
    )
}

/// The headers every response carries unless its handler set its own: no sniffing, no
/// framing, no referrer beyond this site, no powerful features, the content security
/// policy, and HSTS when the public address is https (browsers ignore it over http,
/// and a plain-http deployment must not pin itself). Also used by the page cache's fast
/// path, which answers before the layer that calls this.
pub fn security_headers(h: &mut axum::http::HeaderMap, config: &super::config::Config) {
    use axum::http::header::{self as hd, HeaderName};
    let fixed: [(HeaderName, &'static str); 5] = [
        (hd::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (hd::X_FRAME_OPTIONS, "DENY"),
        (hd::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
        (
            hd::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    ];
    for (name, value) in fixed {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if config.public_base_url.starts_with("https://")
        && !h.contains_key(hd::STRICT_TRANSPORT_SECURITY)
    {
        h.insert(
            hd::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

/// The layer that adds [`security_headers`] to every response.
pub async fn add_security_headers(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let mut resp = next.run(req).await;
    security_headers(resp.headers_mut(), &app.config);
    resp
}

pub fn blank(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.trim().is_empty())
}

/// A form's outcome: on success a redirect to `to(value)`; when the input broke a rule,
/// the page again from `again(messages)` (which answers 422 with them next to the
/// fields); any other error as it is.
pub async fn form_outcome<T, Fut>(
    result: AppResult<T>,
    lang: Lang,
    to: impl FnOnce(T) -> String,
    again: impl FnOnce(Vec<(String, String)>) -> Fut,
) -> AppResult<Response>
where
    Fut: std::future::Future<Output = AppResult<Response>>,
{
    match result {
        Ok(v) => Ok(axum::response::Redirect::to(&to(v)).into_response()),
        Err(AppError::Invalid(v)) => again(field_errors(AppError::Invalid(v), lang)?).await,
        Err(e) => Err(e),
    }
}

/// Renders a page inside the layout.
pub fn page(app: &AppState, ctx: &Ctx, name: &str, vars: JValue) -> AppResult<Html<String>> {
    let base = context! {
        lang => ctx.lang.code(),
        other_lang => if ctx.lang == Lang::Vi { "en" } else { "vi" },
        site_name => app.config.site_name.clone(),
        user => ctx.user.clone(),
        csrf => ctx.csrf.clone(),
        nav => nav(ctx),
        path => ctx.path.clone(),
    };
    let merged = context! { ..vars, ..base };
    let html = app
        .templates
        .render(name, merged)
        .map_err(|e| AppError::Internal(format!("template {name}: {e:#}")))?;
    if !ctx.csrf.is_empty() && html.contains(&ctx.csrf) {
        ctx.csrf_shown.mark();
    }
    Ok(Html(html))
}

/// Serves an embedded static asset with a long cache lifetime.
pub async fn static_file(Path(path): Path<String>) -> Response {
    match StaticFiles::get(&path) {
        Some(f) => {
            let mime = f.metadata.mimetype().to_string();
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
                ],
                Body::from(f.data.into_owned()),
            )
                .into_response()
        }
        None => AppError::NotFound.into_response(),
    }
}

/// The key for an error response that did not come from an [`AppError`] (axum's own
/// rejections: malformed JSON or form, wrong content type, oversize body, no route).
fn key_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "err.unauthorized",
        403 => "err.forbidden",
        404 => "err.not_found",
        405 => "err.method",
        408 => "err.timeout",
        413 => "err.too_large",
        415 => "err.unsupported_media",
        429 => "err.too_many",
        400..=499 => "err.malformed",
        _ => "err.internal",
    }
}

/// Turns every error response into the request's language and kind: problem+json for
/// the API, an HTML page (or a redirect to the login page) for browsers.
pub async fn render_errors(
    axum::extract::State(app): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let is_api = is_api_path(&path);
    let wants_html_redirect = req.method() == axum::http::Method::GET;
    let lang = Lang::from_request(req.headers(), is_api);
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let info = resp.extensions().get::<ErrorInfo>().cloned();
    let principal = resp.extensions().get::<Principal>().cloned();
    // A 416 says how long the file is, whatever body the page gets.
    let content_range = resp.headers().get(header::CONTENT_RANGE).cloned();
    let ours = info.is_some();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // Responses that already carry a body of ours (HTML forms with their errors) pass.
    if !ours
        && (content_type.starts_with("text/html")
            || content_type.starts_with("application/problem+json"))
    {
        return resp;
    }
    let detail_from_body = if ours {
        None
    } else {
        let bytes = axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .unwrap_or_default();
        let s = String::from_utf8_lossy(&bytes).trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    let info = info.unwrap_or(ErrorInfo {
        key: key_for_status(status),
        detail: detail_from_body,
        fields: Vec::new(),
        retry_after_secs: None,
    });
    let title = i18n::t(lang, info.key);
    let fields: Vec<(String, String)> = info
        .fields
        .iter()
        .map(|(f, k)| (f.clone(), i18n::t(lang, k)))
        .collect();
    let mut out = if is_api {
        let body = serde_json::json!({
            "type": format!("urn:keng:error:{}", info.key.trim_start_matches("err.")),
            "title": title,
            "status": status.as_u16(),
            "detail": info.detail.clone().unwrap_or_else(|| title.clone()),
            "instance": path,
            "errors": fields.iter().map(|(f, m)| serde_json::json!({"field": f, "message": m})).collect::<Vec<_>>(),
        });
        let mut r = (status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else if status == StatusCode::UNAUTHORIZED && wants_html_redirect {
        let next_url = match &query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let target = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next_url.as_bytes()).collect::<String>()
        );
        Redirect::to(&target).into_response()
    } else {
        let ctx = Ctx {
            lang,
            is_api,
            user: principal
                .as_ref()
                .and_then(|p| if p.mfa_pending { None } else { p.user.clone() }),
            mfa_user: None,
            session_hash: None,
            csrf: principal
                .as_ref()
                .map(|p| p.csrf.clone())
                .unwrap_or_default(),
            csrf_shown: principal.map(|p| p.csrf_shown).unwrap_or_default(),
            via_token: false,
            credential: None,
            bad_token: false,
            ip: None,
            user_agent: None,
            path: path.clone(),
            totp_setup_due: false,
            base_url: app.config.base_url_for(None),
        };
        let totp_setup = info.key == "err.totp_setup_required";
        let html = page(
            &app,
            &ctx,
            "error.html",
            context! { status => status.as_u16(), title => title, fields => fields, totp_setup => totp_setup },
        )
        .map(|h| h.0)
        .unwrap_or_else(|_| format!("<!doctype html><title>{0}</title><h1>{0}</h1>", status.as_u16()));
        (status, Html(html)).into_response()
    };
    if let Some(secs) = info.retry_after_secs {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            out.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if let Some(v) = content_range {
        out.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    out
}
