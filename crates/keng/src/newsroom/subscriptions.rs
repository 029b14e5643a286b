//! The press side of distribution (named for what it keeps, so that it does not collide
//! with the coming press desk capability): a journalist's page (personal Atom feed with its
//! revocable token, email subscription, the agency's webhook for its editor), the
//! personal feed itself, and the staff's delivery log and dead-letter replay.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::distribution::{self, MODES};
use super::feeds;
use super::store::{self, ListFilter};
use super::visibility::Viewer;
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n;
use crate::platform::ids::{hash_secret, is_id, new_id, random_secret};
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;
use crate::platform::web::{done_message, page};
use crate::platform::webhooks;

#[derive(Deserialize)]
pub struct PressQuery {
    done: Option<String>,
}

/// Secrets shown once, right after they are made.
struct Shown {
    feed_url: Option<String>,
    webhook_secret: Option<String>,
}

fn nothing_shown() -> Shown {
    Shown {
        feed_url: None,
        webhook_secret: None,
    }
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    shown: Shown,
    done: Option<String>,
) -> AppResult<Response> {
    ctx.require(Action::ReadPressOnly, &Owner::None)?;
    let user = ctx.user()?.clone();
    let sub = distribution::subscription(&app.db, &user.id).await?;
    let has_feed = app
        .db
        .fetch_optional(
            "SELECT id FROM feed_tokens WHERE user_id = $1 AND revoked_at IS NULL",
            args![&user.id],
        )
        .await?
        .is_some();
    let agency = match &user.agency_id {
        Some(a) => accounts::get_agency(&app.db, a).await?,
        None => None,
    };
    let can_webhook = agency.as_ref().is_some_and(|a| {
        ctx.require(Action::ManageAgencyWebhook, &Owner::Agency(a.id.clone()))
            .is_ok()
    });
    let (endpoint, log) = match (&agency, can_webhook) {
        (Some(a), true) => (
            webhooks::endpoint_of_agency(&app.db, &a.id).await?,
            webhooks::deliveries(&app.db, Some(&a.id), false, 50).await?,
        ),
        _ => (None, Vec::new()),
    };
    // The latest items this journalist may read, embargoed and press-only ones marked.
    let viewer = super::visibility::Viewer::of(&ctx.actor());
    let now = now_ms();
    let cards: Vec<_> = super::store::list(
        &app.db,
        viewer,
        &super::store::ListFilter {
            limit: 8,
            ..Default::default()
        },
        false,
    )
    .await?
    .into_iter()
    .map(|b| {
        let s = super::visibility::seen(&b, viewer, now);
        super::public::card(b, s)
    })
    .collect();
    // The other capabilities' parts of this page (requests, permits, invitations).
    let mut panels = Vec::new();
    for c in crate::platform::capability::in_menu_order() {
        if let Some(p) = c.press_panel(app, ctx).await? {
            panels.push(context! { template => p.template, vars => p.vars });
        }
    }
    let html = page(
        app,
        ctx,
        "newsroom/press.html",
        context! {
            panels => panels,
            cards => cards,
            sub => sub, modes => MODES, units => accounts::list_units(&app.db).await?, categories => super::settings::of(&app.config).categories.clone(), has_feed => has_feed,
            feed_url => shown.feed_url, agency => agency, can_webhook => can_webhook, endpoint => endpoint,
            webhook_secret => shown.webhook_secret, log => log, done => done, agencies => agency.clone().into_iter().collect::<Vec<_>>(),
            stream_url => "/api/v1/stream",
        },
    )?;
    Ok(html.into_response())
}

pub async fn press_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PressQuery>,
) -> AppResult<Response> {
    let done = done_message(ctx.lang, q.done.as_deref());
    render(&app, &ctx, nothing_shown(), done).await
}

/// A new personal feed token (the old ones stop working); the URL is shown once.
pub async fn new_feed_token(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadPressOnly, &Owner::None)?;
    let user = ctx.user()?.clone();
    let token = random_secret();
    let now = now_ms();
    let mut tx = app.db.begin().await?;
    tx.execute(
        "UPDATE feed_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        args![now, &user.id],
    )
    .await?;
    let id = new_id();
    tx.execute(
        "INSERT INTO feed_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        args![&id, &user.id, hash_secret(&token), now],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "feed_token.created",
        "feed_token",
        &id,
        None,
        Some(serde_json::json!({"user_id": user.id})),
    )
    .await?;
    tx.commit().await?;
    let url = format!("{}/feeds/press/{token}.atom", ctx.base_url);
    render(
        &app,
        &ctx,
        Shown {
            feed_url: Some(url),
            ..nothing_shown()
        },
        None,
    )
    .await
}

pub async fn revoke_feed_token(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ReadPressOnly, &Owner::None)?;
    let user = ctx.user()?.clone();
    let mut tx = app.db.begin().await?;
    tx.execute(
        "UPDATE feed_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        args![now_ms(), &user.id],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "feed_token.revoked",
        "feed_token",
        &user.id,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/press?done=feed_revoked").into_response())
}

/// The personal press feed: press-only and embargoed items included, marked.
pub async fn press_feed(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let token = file.strip_suffix(".atom").ok_or(AppError::NotFound)?;
    let row = app
        .db
        .fetch_optional(
            "SELECT u.role, u.agency_id FROM feed_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'",
            args![hash_secret(token)],
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let role = Role::parse(&row.str("role")?).unwrap_or(Role::Public);
    if !(role == Role::Journalist || role.is_staff()) {
        return Err(AppError::NotFound);
    }
    crate::platform::usage::count(
        &app.db,
        row.opt_str("agency_id")?.as_deref(),
        crate::platform::usage::FEED,
    )
    .await;
    let items = store::list(
        &app.db,
        Viewer::Press,
        &ListFilter {
            limit: 100,
            ..Default::default()
        },
        true,
    )
    .await?;
    let title = format!(
        "{} — {}",
        app.config.site_name,
        i18n::t(i18n::Lang::Vi, "press.feed_title")
    );
    let body = feeds::press_feed(
        &title,
        "/feeds/press",
        &ctx.base_url,
        &app.config.site_name,
        &items,
        now_ms(),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}

/// The email subscription form.
pub struct SubscriptionForm {
    mode: String,
    /// Categories: the checkboxes (repeated `categories=`), or comma-separated.
    categories: String,
    /// One unit id, or empty for all units.
    unit_id: String,
}

impl SubscriptionForm {
    /// Reads the form, keeping every `categories` value (axum's `Form` keeps one).
    fn parse(body: &[u8]) -> SubscriptionForm {
        let mut f = SubscriptionForm {
            mode: String::new(),
            categories: String::new(),
            unit_id: String::new(),
        };
        let mut cats = Vec::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "mode" => f.mode = v.into_owned(),
                "categories" => cats.push(v.into_owned()),
                "unit_id" => f.unit_id = v.into_owned(),
                _ => {}
            }
        }
        f.categories = cats.join(",");
        f
    }
}

pub async fn set_subscription(
    State(app): State<AppState>,
    ctx: Ctx,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> AppResult<Response> {
    let f = SubscriptionForm::parse(&body);
    ctx.require(Action::ReadPressOnly, &Owner::None)?;
    let user = ctx.user()?.clone();
    if !MODES.contains(&f.mode.as_str()) {
        return Err(AppError::invalid("mode", "err.choice"));
    }
    let cats: Vec<String> = f
        .categories
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if cats
        .iter()
        .any(|c| !super::settings::of(&app.config).categories.contains(c))
    {
        return Err(AppError::invalid("categories", "err.choice"));
    }
    if f.mode != "off" && user.email.is_none() {
        return Err(AppError::invalid("mode", "err.email_needed"));
    }
    let unit = f.unit_id.trim().to_string();
    if !unit.is_empty() && (!is_id(&unit) || accounts::get_unit(&app.db, &unit).await?.is_none()) {
        return Err(AppError::invalid("unit_id", "err.unknown_unit"));
    }
    let sub = distribution::Subscription {
        mode: f.mode.clone(),
        categories: cats.clone(),
        unit_ids: if unit.is_empty() {
            Vec::new()
        } else {
            vec![unit]
        },
    };
    let mut tx = app.db.begin().await?;
    let before = distribution::subscription(&app.db, &user.id).await?;
    distribution::set_subscription(&mut tx, &user.id, &sub).await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "subscription.updated",
        "subscription",
        &user.id,
        Some(serde_json::to_value(&before).unwrap_or_default()),
        Some(serde_json::to_value(&sub).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/press?done=subscription_saved").into_response())
}

#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    agency_id: String,
}

fn webhook_agency(ctx: &Ctx, form_agency: &str) -> AppResult<String> {
    let user = ctx.user()?;
    let agency = if user.role == Role::Journalist {
        user.agency_id.clone().unwrap_or_default()
    } else {
        form_agency.trim().to_string()
    };
    if !is_id(&agency) {
        return Err(AppError::invalid("agency_id", "err.unknown_agency"));
    }
    ctx.require(Action::ManageAgencyWebhook, &Owner::Agency(agency.clone()))?;
    Ok(agency)
}

/// Sets an agency's endpoint once its destination is checked (the caller checked who may):
/// one rule for the page and the API. Returns the new secret.
async fn set_agency_webhook(
    app: &AppState,
    ctx: &Ctx,
    agency_id: &str,
    url: &str,
) -> AppResult<String> {
    webhooks::check_destination(url, &webhooks::allow_list(&app.config.webhooks))
        .await
        .map_err(|key| AppError::invalid("url", key))?;
    let mut tx = app.db.begin().await?;
    let (ep, secret) = webhooks::set_endpoint(&mut tx, agency_id, url).await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "webhook.set",
        "webhook",
        &ep.id,
        None,
        Some(serde_json::json!({"agency_id": agency_id, "url": url})),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Sets the agency's endpoint; the new secret is shown once.
pub async fn set_webhook(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<WebhookForm>,
) -> AppResult<Response> {
    let agency = webhook_agency(&ctx, &f.agency_id)?;
    let secret = set_agency_webhook(&app, &ctx, &agency, f.url.trim()).await?;
    if ctx.user()?.role == Role::Journalist {
        render(
            &app,
            &ctx,
            Shown {
                webhook_secret: Some(secret),
                ..nothing_shown()
            },
            None,
        )
        .await
    } else {
        let html = page(
            &app,
            &ctx,
            "newsroom/webhook_secret.html",
            context! { secret => secret, agency_id => agency },
        )?;
        Ok(html.into_response())
    }
}

pub async fn disable_webhook(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<WebhookForm>,
) -> AppResult<Response> {
    let agency = webhook_agency(&ctx, &f.agency_id)?;
    let mut tx = app.db.begin().await?;
    webhooks::deactivate(&mut tx, &agency).await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "webhook.disabled",
        "webhook",
        &agency,
        None,
        Some(serde_json::json!({"active": false})),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/press?done=webhook_disabled").into_response())
}

/// Staff: every agency's deliveries, dead letters first.
pub async fn deliveries_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PressQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ManageDeliveries, &Owner::None)?;
    let dead = webhooks::deliveries(&app.db, None, true, 200).await?;
    let recent = webhooks::deliveries(&app.db, None, false, 100).await?;
    let agencies = accounts::list_agencies(&app.db).await?;
    let done = done_message(ctx.lang, q.done.as_deref());
    Ok(page(
        &app,
        &ctx,
        "newsroom/deliveries.html",
        context! { dead => dead, recent => recent, agencies => agencies, done => done },
    )?
    .into_response())
}

pub async fn replay(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageDeliveries, &Owner::None)?;
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    let mut tx = app.db.begin().await?;
    if !webhooks::replay(&mut tx, &id).await? {
        return Err(AppError::Conflict("err.not_dead"));
    }
    record_change(
        &mut tx,
        &ctx.origin(),
        "webhook.replayed",
        "webhook_delivery",
        &id,
        Some(serde_json::json!({"status": "dead"})),
        Some(serde_json::json!({"status": "pending"})),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/newsroom/deliveries?done=replayed").into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WebhookRequest {
    /// The receiving address (http or https).
    pub url: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WebhookCreated {
    pub url: String,
    /// The `whsec_` signing secret, shown only in this response.
    pub secret: String,
}

/// Sets a press agency's webhook endpoint (its editor, a press officer or an admin); a new
/// signing secret each time.
#[utoipa::path(put, path = "/api/v1/agencies/{id}/webhook", tag = "newsroom", request_body = WebhookRequest,
    params(("id" = String, Path, description = "Agency id")),
    responses((status = 200, body = WebhookCreated), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn api_set_webhook(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Json(r): axum::Json<WebhookRequest>,
) -> AppResult<axum::Json<WebhookCreated>> {
    ctx.user()?;
    if !is_id(&id) || accounts::get_agency(&app.db, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ManageAgencyWebhook, &Owner::Agency(id.clone()))?;
    let url = r.url.trim().to_string();
    let secret = set_agency_webhook(&app, &ctx, &id, &url).await?;
    Ok(axum::Json(WebhookCreated { url, secret }))
}
