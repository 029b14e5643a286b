//! HTML pages of the accounts capability: sign-in (with TOTP), journalist registration,
//! the accreditation queue, users, units, press agencies and one's own profile.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::model::{Status, AGENCY_KINDS, AGENCY_MEDIA, UNIT_KINDS};
use super::store::{self, AgencyInput, NewUser, UnitInput, UserFilter};
use crate::platform::auth::{password, ratelimit, session, totp, Ctx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{self, Lang};
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

// ---------- home ----------

pub async fn home(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    let done = done_message(ctx.lang, q.done.as_deref());
    let mut vars = context! { done => done };
    if let Some(u) = &ctx.user {
        if u.role.is_staff() && !ctx.totp_setup_due {
            let pending = store::list_users(
                &app.db,
                &UserFilter {
                    role: Some(Role::Journalist),
                    status: Some(Status::Pending),
                    agency_id: None,
                },
            )
            .await?;
            let agencies = store::list_agencies(&app.db).await?;
            let units = store::list_units(&app.db).await?;
            let accredited = store::list_users(
                &app.db,
                &UserFilter {
                    role: Some(Role::Journalist),
                    status: Some(Status::Active),
                    agency_id: None,
                },
            )
            .await?;
            vars = context! { ..vars, ..context! {
                pending_count => pending.len(),
                agency_count => agencies.len(),
                unit_count => units.len(),
                accredited_count => accredited.len(),
                can_accredit => ctx.can(Action::ViewAccreditationQueue),
            }};
        } else if u.role == Role::Journalist {
            let agency = match &u.agency_id {
                Some(a) => store::get_agency(&app.db, a).await?,
                None => None,
            };
            vars = context! { ..vars, ..context! { agency => agency } };
        }
    }
    Ok(page(&app, &ctx, "home.html", vars)?.into_response())
}

pub async fn set_lang(
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
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

// ---------- sign in ----------

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

fn set_cookie(mut r: Response, value: &str) -> Response {
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

async fn log_session(
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

// ---------- journalist registration ----------

#[derive(Deserialize, Default, serde::Serialize)]
pub struct RegisterForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    press_card_no: String,
    #[serde(default, skip_serializing)]
    password: String,
}

pub async fn register_form(State(app): State<AppState>, ctx: Ctx) -> Page {
    let agencies = store::list_agencies(&app.db).await?;
    Ok(page(
        &app,
        &ctx,
        "accounts/register.html",
        context! { agencies => agencies, form => RegisterForm::default() },
    )?
    .into_response())
}

/// Self-registration: the same answer for a free and a taken username, throttled per
/// address (`auth.max_registrations_per_ip`).
pub async fn register(State(app): State<AppState>, ctx: Ctx, Form(f): Form<RegisterForm>) -> Page {
    let input = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        email: Some(f.email.clone()),
        phone: Some(f.phone.clone()),
        title: None,
        role: Role::Journalist,
        unit_id: None,
        agency_id: Some(f.agency_id.clone()),
        is_editor: false,
        press_card_no: Some(f.press_card_no.clone()),
        password: f.password.clone(),
    };
    ratelimit::check_registration(&app.db, &app.config, ctx.ip.as_deref().unwrap_or_default())
        .await?;
    let mut origin = ctx.origin();
    origin.actor_name = format!("registration:{}", f.username.trim().to_ascii_lowercase());
    // A taken username is answered like a registration (see store::register_journalist).
    match store::register_journalist(&app.db, &origin, &input).await {
        Ok(_) => Ok(Redirect::to("/login?done=registered").into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let agencies = store::list_agencies(&app.db).await?;
            Ok(unprocessable(page(
                &app,
                &ctx,
                "accounts/register.html",
                context! { agencies => agencies, form => f, errors => errors },
            )?))
        }
    }
}

// ---------- accreditation ----------

pub async fn accreditation(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Page {
    ctx.require(Action::ViewAccreditationQueue, &Owner::None)?;
    let pending = store::list_users(
        &app.db,
        &UserFilter {
            role: Some(Role::Journalist),
            status: Some(Status::Pending),
            agency_id: None,
        },
    )
    .await?;
    let agencies = store::list_agencies(&app.db).await?;
    Ok(page(&app, &ctx, "accounts/accreditation.html", context! { pending => pending, agencies => agencies, done => done_message(ctx.lang, q.done.as_deref()) })?.into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    to: String,
    #[serde(default)]
    reason: String,
    back: Option<String>,
}

/// Which permission a status change needs, by the account's role.
pub fn status_action(role: Role, to: Status) -> Action {
    match (role, to) {
        (Role::Journalist, Status::Revoked) => Action::RevokeJournalist,
        (Role::Journalist, Status::Suspended) => Action::SuspendJournalist,
        (Role::Journalist, _) => Action::AccreditJournalist,
        _ => Action::ManageUsers,
    }
}

pub async fn change_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Page {
    ctx.user()?;
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    let to = Status::parse(&f.to).ok_or(AppError::bad("err.choice"))?;
    let target = store::get_user(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(status_action(target.role, to), &Owner::None)?;
    if ctx.user.as_ref().is_some_and(|u| u.id == id) {
        return Err(AppError::Forbidden("err.self_status"));
    }
    let reason = Some(f.reason.as_str()).filter(|r| !r.trim().is_empty());
    store::set_status(&app.db, &ctx.origin(), &id, to, reason).await?;
    let back = safe_next(f.back.as_deref());
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(redirect::see_other(Some(&format!(
        "{back}{sep}done=status_{}",
        to.as_str()
    ))))
}

// ---------- users ----------

#[derive(Deserialize)]
pub struct UsersQuery {
    role: Option<String>,
    status: Option<String>,
    done: Option<String>,
}

pub async fn users(State(app): State<AppState>, ctx: Ctx, Query(q): Query<UsersQuery>) -> Page {
    ctx.require(Action::ViewUsers, &Owner::None)?;
    let filter = UserFilter {
        role: q.role.as_deref().and_then(Role::parse),
        status: q.status.as_deref().and_then(Status::parse),
        agency_id: None,
    };
    let users = store::list_users(&app.db, &filter).await?;
    let units = store::list_units(&app.db).await?;
    let agencies = store::list_agencies(&app.db).await?;
    Ok(page(
        &app,
        &ctx,
        "accounts/users.html",
        context! {
            users => users, units => units, agencies => agencies,
            roles => Role::ACCOUNTS.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            statuses => Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            role => q.role, status => q.status,
            can_manage => ctx.can(Action::ManageUsers),
            done => done_message(ctx.lang, q.done.as_deref()),
        },
    )?
    .into_response())
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    press_card_no: String,
    #[serde(default)]
    is_editor: Option<String>,
    #[serde(default, skip_serializing)]
    password: String,
}

impl UserForm {
    fn profile(&self, role: Role) -> store::Profile {
        store::Profile {
            display_name: self.display_name.clone(),
            email: Some(self.email.clone()),
            phone: Some(self.phone.clone()),
            title: Some(self.title.clone()),
            role,
            unit_id: Some(self.unit_id.clone()),
            agency_id: Some(self.agency_id.clone()),
            is_editor: self.is_editor.is_some(),
            press_card_no: Some(self.press_card_no.clone()),
        }
    }
}

async fn user_form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &UserForm,
    errors: Vec<(String, String)>,
) -> AppResult<Html<String>> {
    let units = store::list_units(&app.db).await?;
    let agencies = store::list_agencies(&app.db).await?;
    page(
        app,
        ctx,
        "accounts/user_new.html",
        context! { form => form, errors => errors, units => units, agencies => agencies,
        roles => Role::ACCOUNTS.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
    )
}

pub async fn user_new(State(app): State<AppState>, ctx: Ctx) -> Page {
    ctx.require(Action::ManageUsers, &Owner::None)?;
    Ok(user_form_page(&app, &ctx, &UserForm::default(), Vec::new())
        .await?
        .into_response())
}

pub async fn user_create(State(app): State<AppState>, ctx: Ctx, Form(f): Form<UserForm>) -> Page {
    ctx.require(Action::ManageUsers, &Owner::None)?;
    let Some(role) = Role::parse(&f.role).filter(|r| *r != Role::Public) else {
        let errors = vec![("role".to_string(), i18n::t(ctx.lang, "err.choice"))];
        return Ok(unprocessable(user_form_page(&app, &ctx, &f, errors).await?));
    };
    let p = f.profile(role);
    let input = NewUser {
        username: f.username.clone(),
        display_name: p.display_name,
        email: p.email,
        phone: p.phone,
        title: p.title,
        role,
        unit_id: p.unit_id,
        agency_id: p.agency_id,
        is_editor: p.is_editor,
        press_card_no: p.press_card_no,
        password: f.password.clone(),
    };
    match store::create_user(&app.db, &ctx.origin(), &input, Status::Active).await {
        Ok(u) => Ok(Redirect::to(&format!("/users/{}?done=user_created", u.id)).into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok(unprocessable(user_form_page(&app, &ctx, &f, errors).await?))
        }
    }
}

pub async fn user_detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NextQuery>,
) -> Page {
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    ctx.require(Action::ViewUser, &Owner::User(id.clone()))?;
    let user = store::get_user(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = match &user.unit_id {
        Some(u) => store::get_unit(&app.db, u).await?,
        None => None,
    };
    let agency = match &user.agency_id {
        Some(a) => store::get_agency(&app.db, a).await?,
        None => None,
    };
    let me = ctx.user.as_ref().is_some_and(|u| u.id == id);
    let can_edit = ctx.can(Action::ManageUsers);
    let (units, agencies) = if can_edit {
        (
            store::list_units(&app.db).await?,
            store::list_agencies(&app.db).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let transitions: Vec<&str> = Status::ALL
        .iter()
        .filter(|to| {
            !me && ctx.can(status_action(user.role, **to)) && user.status.can_move(user.role, **to)
        })
        .map(|s| s.as_str())
        .collect();
    Ok(page(
        &app,
        &ctx,
        "accounts/user.html",
        context! { u => user, unit => unit, agency => agency, transitions => transitions, done => done_message(ctx.lang, q.done.as_deref()),
                   can_edit => can_edit, units => units, agencies => agencies, errors => Vec::<(String, String)>::new(),
                   roles => Role::ACCOUNTS.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
    )?
    .into_response())
}

pub async fn user_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<UserForm>,
) -> Page {
    ctx.require(Action::ManageUsers, &Owner::None)?;
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    let role = Role::parse(&f.role).ok_or(AppError::invalid("role", "err.choice"))?;
    match store::update_user(&app.db, &ctx.origin(), &id, &f.profile(role)).await {
        Ok(_) => Ok(Redirect::to(&format!("/users/{id}?done=user_updated")).into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let user = store::get_user(&app.db, &id)
                .await?
                .ok_or(AppError::NotFound)?;
            let html = page(
                &app,
                &ctx,
                "accounts/user.html",
                context! { u => user, transitions => Vec::<String>::new(), can_edit => true, errors => errors,
                units => store::list_units(&app.db).await?, agencies => store::list_agencies(&app.db).await?,
                roles => Role::ACCOUNTS.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
            )?;
            Ok(unprocessable(html))
        }
    }
}

// ---------- units ----------

#[derive(Deserialize, Default, serde::Serialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

async fn units_page(
    app: &AppState,
    ctx: &Ctx,
    form: &UnitForm,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Html<String>> {
    let units = store::list_units(&app.db).await?;
    let tree = unit_tree(&units);
    page(
        app,
        ctx,
        "accounts/units.html",
        context! { tree => tree, units => units, kinds => UNIT_KINDS, form => form, errors => errors,
        can_manage => ctx.can(Action::ManageUnits), done => done },
    )
}

/// The units in tree order with their depth, for an indented list.
fn unit_tree(units: &[super::model::Unit]) -> Vec<(usize, super::model::Unit)> {
    fn walk(
        units: &[super::model::Unit],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, super::model::Unit)>,
    ) {
        if depth > 16 {
            return;
        }
        let mut children: Vec<&super::model::Unit> = units
            .iter()
            .filter(|u| u.parent_id.as_deref() == parent)
            .collect();
        // Departments before district and commune police, then by code.
        children.sort_by_key(|u| {
            let rank = UNIT_KINDS.iter().position(|k| *k == u.kind).unwrap_or(9);
            (rank, u.code.clone())
        });
        for u in children {
            out.push((depth, u.clone()));
            walk(units, Some(&u.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(units, None, 0, &mut out);
    out
}

pub async fn units(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    ctx.require(Action::ViewUnits, &Owner::None)?;
    let done = done_message(ctx.lang, q.done.as_deref());
    Ok(
        units_page(&app, &ctx, &UnitForm::default(), Vec::new(), done)
            .await?
            .into_response(),
    )
}

pub async fn unit_create(State(app): State<AppState>, ctx: Ctx, Form(f): Form<UnitForm>) -> Page {
    ctx.require(Action::ManageUnits, &Owner::None)?;
    let input = UnitInput {
        code: f.code.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        parent_id: Some(f.parent_id.clone()),
        address: Some(f.address.clone()),
        phone: Some(f.phone.clone()),
    };
    match store::create_unit(&app.db, &ctx.origin(), &input).await {
        Ok(_) => Ok(Redirect::to("/units?done=unit_created").into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok(unprocessable(
                units_page(&app, &ctx, &f, errors, None).await?,
            ))
        }
    }
}

// ---------- press agencies ----------

#[derive(Deserialize, Default, serde::Serialize, Clone)]
pub struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    medium: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    website_url: String,
    #[serde(default)]
    feed_url: String,
}

impl AgencyForm {
    fn input(&self) -> AgencyInput {
        let some = |s: &String| Some(s.clone());
        AgencyInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            medium: self.medium.clone(),
            contact_name: some(&self.contact_name),
            contact_email: some(&self.contact_email),
            contact_phone: some(&self.contact_phone),
            website_url: some(&self.website_url),
            feed_url: some(&self.feed_url),
        }
    }
}

async fn agencies_page(
    app: &AppState,
    ctx: &Ctx,
    form: &AgencyForm,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Html<String>> {
    let agencies = store::list_agencies(&app.db).await?;
    page(
        app,
        ctx,
        "accounts/agencies.html",
        context! { agencies => agencies, kinds => AGENCY_KINDS, media => AGENCY_MEDIA, form => form, errors => errors,
        can_manage => ctx.can(Action::ManageAgencies), done => done },
    )
}

pub async fn agencies(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    ctx.require(Action::ViewAgencies, &Owner::None)?;
    let done = done_message(ctx.lang, q.done.as_deref());
    Ok(
        agencies_page(&app, &ctx, &AgencyForm::default(), Vec::new(), done)
            .await?
            .into_response(),
    )
}

pub async fn agency_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AgencyForm>,
) -> Page {
    ctx.require(Action::ManageAgencies, &Owner::None)?;
    match store::create_agency(&app.db, &ctx.origin(), &f.input()).await {
        Ok(_) => Ok(Redirect::to("/agencies?done=agency_created").into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok(unprocessable(
                agencies_page(&app, &ctx, &f, errors, None).await?,
            ))
        }
    }
}

async fn agency_edit_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &AgencyForm,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Html<String>> {
    let journalists = store::list_users(
        &app.db,
        &UserFilter {
            role: Some(Role::Journalist),
            status: None,
            agency_id: Some(id.to_string()),
        },
    )
    .await?;
    page(
        app,
        ctx,
        "accounts/agency.html",
        context! { id => id, form => form, errors => errors, kinds => AGENCY_KINDS, media => AGENCY_MEDIA,
        journalists => journalists, can_manage => ctx.can(Action::ManageAgencies), done => done },
    )
}

pub async fn agency_detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NextQuery>,
) -> Page {
    ctx.require(Action::ViewAgencies, &Owner::None)?;
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    let a = store::get_agency(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = AgencyForm {
        code: a.code,
        name: a.name,
        kind: a.kind,
        medium: a.medium,
        contact_name: a.contact_name.unwrap_or_default(),
        contact_email: a.contact_email.unwrap_or_default(),
        contact_phone: a.contact_phone.unwrap_or_default(),
        website_url: a.website_url.unwrap_or_default(),
        feed_url: a.feed_url.unwrap_or_default(),
    };
    let done = done_message(ctx.lang, q.done.as_deref());
    Ok(agency_edit_page(&app, &ctx, &id, &form, Vec::new(), done)
        .await?
        .into_response())
}

pub async fn agency_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AgencyForm>,
) -> Page {
    ctx.require(Action::ManageAgencies, &Owner::None)?;
    if !is_id(&id) {
        return Err(AppError::NotFound);
    }
    match store::update_agency(&app.db, &ctx.origin(), &id, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/agencies/{id}?done=agency_updated")).into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok(unprocessable(
                agency_edit_page(&app, &ctx, &id, &f, errors, None).await?,
            ))
        }
    }
}
