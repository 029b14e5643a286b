//! Sign-in with the second factor (TOTP), sign-out and the language switch.

use super::*;

pub async fn login_form(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    if ctx.user.is_some() {
        return Ok(redirect::see_other(q.next.as_deref()));
    }
    Ok(page(&app, &ctx, "accounts/login.html", context! { next => safe_next(q.next.as_deref()), done => done_message(ctx.lang, q.done.as_deref()) })?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub(super) fn set_cookie(mut r: Response, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login(State(app): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> Page {
    let ip = ctx.ip.clone().unwrap_or_default();
    let next = safe_next(f.next.as_deref());
    let checked = ratelimit::check(&app.db, &app.config, &f.username, &ip).await;
    if let Ok(delay) = checked {
        tokio::time::sleep(delay).await;
    }
    if let Err(e) = checked {
        let mut r = match &e {
            AppError::TooManyRequests {
                retry_after_secs, ..
            } => {
                let msg = i18n::tf(
                    ctx.lang,
                    "err.locked_out_minutes",
                    &[("minutes", ((retry_after_secs + 59) / 60).to_string())],
                );
                let html = page(
                    &app,
                    &ctx,
                    "accounts/login.html",
                    context! { next => next, error => msg, username => f.username },
                )?;
                (axum::http::StatusCode::TOO_MANY_REQUESTS, html).into_response()
            }
            _ => return Err(e),
        };
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = e
        {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        return Ok(r);
    }
    let user = store::user_by_username(&app.db, &f.username).await?;
    let creds = match &user {
        Some(u) => store::credentials(&app.db, &u.id).await?,
        None => None,
    };
    let ok = password::verify(&f.password, creds.as_ref().map(|c| c.0.as_str())).await;
    let user = match (ok, user) {
        (true, Some(u)) if u.status == Status::Active => u,
        (true, Some(u)) => {
            ratelimit::record(&app.db, &f.username, &ip, false).await?;
            let key = match u.status {
                Status::Pending => "err.account_pending",
                Status::Rejected => "err.account_rejected",
                Status::Suspended => "err.account_suspended",
                Status::Revoked => "err.account_revoked",
                _ => "err.account_disabled",
            };
            let html = page(
                &app,
                &ctx,
                "accounts/login.html",
                context! { next => next, error => i18n::t(ctx.lang, key), reason => u.status_reason, username => f.username },
            )?;
            return Ok((axum::http::StatusCode::FORBIDDEN, html).into_response());
        }
        _ => {
            ratelimit::record(&app.db, &f.username, &ip, false).await?;
            let html = page(
                &app,
                &ctx,
                "accounts/login.html",
                context! { next => next, error => i18n::t(ctx.lang, "err.bad_login"), username => f.username },
            )?;
            return Ok((axum::http::StatusCode::UNAUTHORIZED, html).into_response());
        }
    };
    let mfa = user.totp_enabled;
    if !mfa {
        // A completed sign-in: this address becomes a known one for the account. With a
        // second factor due, that waits for the code (a password alone proves too little).
        ratelimit::record(&app.db, &f.username, &ip, true).await?;
    }
    let (cookie, s) = session::create(
        &app.db,
        &app.config,
        &user.id,
        ctx.ip.as_deref(),
        ctx.user_agent.as_deref(),
        mfa,
    )
    .await?;
    let mut origin = ctx.origin();
    origin.actor_id = Some(user.id.clone());
    origin.actor_name = user.username.clone();
    log_session(&app, &origin, "session.opened", &s.id_hash, mfa).await?;
    let target = if mfa {
        format!(
            "/login/totp?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    } else {
        next
    };
    let r = redirect::see_other(Some(&target));
    Ok(set_cookie(
        r,
        &session::cookie_header(session::COOKIE, &cookie, &app.config, true),
    ))
}

pub(super) async fn log_session(
    app: &AppState,
    origin: &crate::platform::audit::Origin,
    action: &str,
    id_hash: &str,
    mfa_pending: bool,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    crate::platform::audit::record_change(
        &mut tx,
        origin,
        action,
        "session",
        crate::platform::auth::session_ref(id_hash),
        None,
        Some(serde_json::json!({ "mfa_pending": mfa_pending })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn totp_form(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    if ctx.mfa_user.is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(page(
        &app,
        &ctx,
        "accounts/login_totp.html",
        context! { next => safe_next(q.next.as_deref()) },
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
    next: Option<String>,
}

pub async fn totp_submit(State(app): State<AppState>, ctx: Ctx, Form(f): Form<TotpForm>) -> Page {
    let (Some(user), Some(sid)) = (ctx.mfa_user.clone(), ctx.session_hash.clone()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let ip = ctx.ip.clone().unwrap_or_default();
    let delay = ratelimit::check(&app.db, &app.config, &user.username, &ip).await?;
    tokio::time::sleep(delay).await;
    let secret = store::credentials(&app.db, &user.id)
        .await?
        .and_then(|c| c.1);
    let step = secret
        .as_deref()
        .and_then(|s| totp::matching_step(s, &f.code, totp::now_secs()));
    let accepted = match step {
        Some(st) => store::use_totp_step(&app.db, &user.id, st).await?,
        None => false,
    };
    if !accepted {
        ratelimit::record(&app.db, &user.username, &ip, false).await?;
        let html = page(
            &app,
            &ctx,
            "accounts/login_totp.html",
            context! { next => safe_next(f.next.as_deref()), error => i18n::t(ctx.lang, "err.bad_totp") },
        )?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, html).into_response());
    }
    ratelimit::record(&app.db, &user.username, &ip, true).await?;
    session::complete_mfa(&app.db, &sid).await?;
    let mut origin = ctx.origin();
    origin.actor_id = Some(user.id.clone());
    origin.actor_name = user.username.clone();
    log_session(&app, &origin, "session.second_factor", &sid, false).await?;
    Ok(redirect::see_other(f.next.as_deref()))
}

pub async fn logout(State(app): State<AppState>, ctx: Ctx) -> Page {
    if let Some(sid) = &ctx.session_hash {
        // One transaction: the session ends and the log says so (open streams end on it).
        let mut tx = app.db.begin().await?;
        session::destroy(&mut tx, sid).await?;
        crate::platform::audit::record_change(
            &mut tx,
            &ctx.origin(),
            "session.closed",
            "session",
            crate::platform::auth::session_ref(sid),
            None,
            Some(serde_json::json!({ "mfa_pending": ctx.user.is_none() })),
        )
        .await?;
        tx.commit().await?;
    }
    let r = Redirect::to("/login?done=signed_out").into_response();
    Ok(set_cookie(
        r,
        &session::cookie_header(session::COOKIE, "", &app.config, true),
    ))
}
