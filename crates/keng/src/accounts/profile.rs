//! One's own profile: change password, set up or remove TOTP, create and revoke API
//! tokens (the secret is shown once).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::store;
use crate::platform::auth::{password, totp, Ctx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n;
use crate::platform::ids::is_id;
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{done_message, page};

#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
}

/// The signed-in user, allowing the TOTP enrolment a staff member may owe.
fn me(ctx: &Ctx) -> AppResult<&crate::accounts::model::User> {
    let u = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
    if crate::platform::permissions::allowed(
        &u.actor(),
        Action::ManageOwnProfile,
        &Owner::User(u.id.clone()),
    ) {
        Ok(u)
    } else {
        Err(AppError::Forbidden("err.forbidden"))
    }
}

struct Extra {
    errors: Vec<(String, String)>,
    new_token: Option<String>,
    totp_secret: Option<String>,
    totp_url: Option<String>,
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    extra: Extra,
    done: Option<String>,
    status: u16,
) -> AppResult<Response> {
    let u = me(ctx)?;
    let tokens = store::list_tokens(&app.db, &u.id).await?;
    let unit = match &u.unit_id {
        Some(x) => store::get_unit(&app.db, x).await?,
        None => None,
    };
    let agency = match &u.agency_id {
        Some(x) => store::get_agency(&app.db, x).await?,
        None => None,
    };
    let html = page(
        app,
        ctx,
        "accounts/profile.html",
        context! {
            me => u, unit => unit, agency => agency, tokens => tokens, errors => extra.errors,
            new_token => extra.new_token, totp_secret => extra.totp_secret, totp_url => extra.totp_url,
            totp_setup_due => ctx.totp_setup_due, done => done,
        },
    )?;
    let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    Ok((code, html).into_response())
}

fn no_extra() -> Extra {
    Extra {
        errors: Vec::new(),
        new_token: None,
        totp_secret: None,
        totp_url: None,
    }
}

pub async fn profile(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProfileQuery>,
) -> AppResult<Response> {
    let done = done_message(ctx.lang, q.done.as_deref());
    render(&app, &ctx, no_extra(), done, 200).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let u = me(&ctx)?.clone();
    let hash = store::credentials(&app.db, &u.id).await?.map(|c| c.0);
    if !password::verify(&f.current_password, hash.as_deref()).await {
        let extra = Extra {
            errors: vec![(
                "current_password".into(),
                i18n::t(ctx.lang, "err.bad_password"),
            )],
            ..no_extra()
        };
        return render(&app, &ctx, extra, None, 422).await;
    }
    match store::set_password(
        &app.db,
        &ctx.origin(),
        &u.id,
        &f.new_password,
        ctx.session_hash.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/profile?done=password_changed").into_response()),
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|(k, m)| (k, i18n::t(ctx.lang, m)))
                .collect();
            render(
                &app,
                &ctx,
                Extra {
                    errors,
                    ..no_extra()
                },
                None,
                422,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Starts TOTP enrolment: a new secret, shown with its otpauth:// link.
pub async fn totp_start(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let u = me(&ctx)?;
    let secret = totp::new_secret();
    let url = totp::otpauth_url(&secret, &u.username, &app.config.site_name);
    render(
        &app,
        &ctx,
        Extra {
            totp_secret: Some(secret),
            totp_url: url,
            ..no_extra()
        },
        None,
        200,
    )
    .await
}

#[derive(Deserialize)]
pub struct TotpConfirm {
    secret: String,
    code: String,
}

/// Confirms enrolment with a code from the new secret.
pub async fn totp_confirm(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TotpConfirm>,
) -> AppResult<Response> {
    let u = me(&ctx)?.clone();
    let secret = f.secret.trim().to_string();
    let valid_secret = secret.len() >= 16
        && secret.len() <= 128
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '=');
    let step = valid_secret
        .then(|| totp::matching_step(&secret, &f.code, totp::now_secs()))
        .flatten();
    let Some(step) = step else {
        let url = if valid_secret {
            totp::otpauth_url(&secret, &u.username, &app.config.site_name)
        } else {
            None
        };
        let extra = Extra {
            errors: vec![("code".into(), i18n::t(ctx.lang, "err.bad_totp"))],
            totp_secret: valid_secret.then_some(secret),
            totp_url: url,
            ..no_extra()
        };
        return render(&app, &ctx, extra, None, 422).await;
    };
    store::set_totp(&app.db, &ctx.origin(), &u.id, Some(&secret), Some(step)).await?;
    Ok(Redirect::to("/profile?done=totp_enabled").into_response())
}

#[derive(Deserialize)]
pub struct TotpDisable {
    current_password: String,
}

pub async fn totp_disable(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TotpDisable>,
) -> AppResult<Response> {
    let u = me(&ctx)?.clone();
    if app.config.auth.require_totp_for_staff && u.role.is_staff() {
        return Err(AppError::Forbidden("err.totp_required_by_policy"));
    }
    let hash = store::credentials(&app.db, &u.id).await?.map(|c| c.0);
    if !password::verify(&f.current_password, hash.as_deref()).await {
        let extra = Extra {
            errors: vec![(
                "current_password".into(),
                i18n::t(ctx.lang, "err.bad_password"),
            )],
            ..no_extra()
        };
        return render(&app, &ctx, extra, None, 422).await;
    }
    store::set_totp(&app.db, &ctx.origin(), &u.id, None, None).await?;
    Ok(Redirect::to("/profile?done=totp_disabled").into_response())
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn token_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    if ctx.totp_setup_due {
        return Err(AppError::Forbidden("err.totp_setup_required"));
    }
    let u = me(&ctx)?.clone();
    match store::create_token(&app.db, &ctx.origin(), &u.id, &f.name).await {
        Ok((_, secret)) => {
            render(
                &app,
                &ctx,
                Extra {
                    new_token: Some(secret),
                    ..no_extra()
                },
                None,
                200,
            )
            .await
        }
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|(k, m)| (k, i18n::t(ctx.lang, m)))
                .collect();
            render(
                &app,
                &ctx,
                Extra {
                    errors,
                    ..no_extra()
                },
                None,
                422,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn token_revoke(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let u = me(&ctx)?.clone();
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    store::revoke_token(&app.db, &ctx.origin(), &u.id, &id).await?;
    Ok(Redirect::to("/profile?done=token_revoked").into_response())
}
