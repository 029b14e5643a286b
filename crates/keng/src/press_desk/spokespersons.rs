//! The spokesperson registry (người phát ngôn): who speaks for the department, for which
//! units and topics, under which authorisation and until when, and how the press reaches
//! them. The people are the spokesperson accounts the newsroom already names on
//! bulletins; the mandate beside each is kept here and edited by an admin or a leader.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::accounts::model::{Check, Status};
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::{self, now_ms};
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::Role;
use crate::platform::state::AppState;
use crate::platform::web::page;

/// A spokesperson as the press sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Spokesperson {
    pub user_id: String,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// What the authorisation covers (e.g. "the whole department").
    pub scope: Option<String>,
    pub topics: Option<String>,
    /// Names of the units they speak for (empty: the whole department).
    pub units: Vec<String>,
    pub valid_until: Option<i64>,
}

/// Active spokespersons whose authorisation has not expired.
pub async fn list(db: &Db, now: i64) -> AppResult<Vec<Spokesperson>> {
    let rows = db
        .fetch_all(
            "SELECT u.id, u.display_name, u.title, u.phone AS u_phone, u.email AS u_email,
                    m.scope, m.topics, m.unit_ids, m.phone AS m_phone, m.email AS m_email, m.valid_until
             FROM users u LEFT JOIN spokesperson_mandates m ON m.user_id = u.id
             WHERE u.role = 'spokesperson' AND u.status = 'active' AND (m.valid_until IS NULL OR m.valid_until > $1)
             ORDER BY u.display_name",
            args![now],
        )
        .await?;
    let units = accounts::list_units(db).await?;
    let mut out = Vec::new();
    for r in rows {
        let unit_ids = r.opt_str("unit_ids")?.unwrap_or_default();
        out.push(Spokesperson {
            user_id: r.str("id")?,
            name: r.str("display_name")?,
            title: r.opt_str("title")?,
            phone: r.opt_str("m_phone")?.or(r.opt_str("u_phone")?),
            email: r.opt_str("m_email")?.or(r.opt_str("u_email")?),
            scope: r.opt_str("scope")?,
            topics: r.opt_str("topics")?,
            units: unit_ids
                .split(',')
                .filter_map(|id| units.iter().find(|u| u.id == id.trim()))
                .map(|u| u.name.clone())
                .collect(),
            valid_until: r.opt_i64("valid_until")?,
        });
    }
    Ok(out)
}

/// `GET /nguoi-phat-ngon`: the public registry.
pub async fn public_page(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let people = list(&app.db, now_ms()).await?;
    let may_edit = ctx
        .user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Admin | Role::Leader));
    Ok(page(
        &app,
        &ctx,
        "press_desk/spokespersons.html",
        context! { people => people, may_edit => may_edit },
    )?
    .into_response())
}

fn editor(ctx: &Ctx) -> AppResult<()> {
    match ctx.user()?.role {
        Role::Admin | Role::Leader => Ok(()),
        _ => Err(AppError::Forbidden("err.forbidden")),
    }
}

#[derive(Debug, Deserialize, Default, Serialize)]
pub struct MandateForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    topics: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    /// dd/mm/yyyy or yyyy-mm-dd; empty: no expiry.
    #[serde(default)]
    valid_until: String,
}

/// `GET /nguoi-phat-ngon/{user_id}/sua`: the mandate form (admin, leader).
pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(user_id): Path<String>,
) -> AppResult<Response> {
    editor(&ctx)?;
    let person = spokesperson(&app.db, &user_id).await?;
    let m = app
        .db
        .fetch_optional(
            "SELECT * FROM spokesperson_mandates WHERE user_id = $1",
            args![&user_id],
        )
        .await?;
    let form = match m {
        Some(r) => MandateForm {
            scope: r.str("scope")?,
            topics: r.opt_str("topics")?.unwrap_or_default(),
            phone: r.opt_str("phone")?.unwrap_or_default(),
            email: r.opt_str("email")?.unwrap_or_default(),
            valid_until: r
                .opt_i64("valid_until")?
                .map(clock::format_date)
                .unwrap_or_default(),
        },
        None => MandateForm::default(),
    };
    Ok(page(
        &app,
        &ctx,
        "press_desk/mandate.html",
        context! { person => person, form => form, errors => Vec::<(String, String)>::new() },
    )?
    .into_response())
}

async fn spokesperson(db: &Db, user_id: &str) -> AppResult<crate::accounts::model::User> {
    match accounts::get_user(db, user_id).await? {
        Some(u) if u.role == Role::Spokesperson && u.status == Status::Active => Ok(u),
        _ => Err(AppError::NotFound),
    }
}

/// `POST /nguoi-phat-ngon/{user_id}/sua`.
pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(user_id): Path<String>,
    Form(f): Form<MandateForm>,
) -> AppResult<Response> {
    editor(&ctx)?;
    let person = spokesperson(&app.db, &user_id).await?;
    let mut c = Check::default();
    let scope = c.text("scope", &f.scope, 300);
    let topics = c.opt_text("topics", Some(&f.topics), 300);
    let phone = c.opt_phone("phone", Some(&f.phone));
    let email = c.opt_email("email", Some(&f.email));
    let valid_until = match f.valid_until.trim() {
        "" => None,
        s => match clock::parse_local_date(s) {
            Some(t) => Some(t + 86_400_000 - 1),
            None => {
                c.fail("valid_until", "err.date");
                None
            }
        },
    };
    if let Err(e) = c.finish() {
        let errors = crate::platform::web::field_errors(e, ctx.lang)?;
        let html = page(
            &app,
            &ctx,
            "press_desk/mandate.html",
            context! { person => person, form => f, errors => errors },
        )?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let now = now_ms();
    let after = serde_json::json!({"user_id": user_id, "scope": scope, "topics": topics, "phone": phone, "email": email, "valid_until": valid_until});
    let mut tx = app.db.begin().await?;
    tx.execute(
        "INSERT INTO spokesperson_mandates (user_id, scope, topics, phone, email, valid_until, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id) DO UPDATE SET scope = $2, topics = $3, phone = $4, email = $5, valid_until = $6, updated_at = $7",
        args![&user_id, &scope, topics, phone, email, valid_until, now],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "spokesperson.mandate_set",
        "spokesperson",
        &user_id,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/nguoi-phat-ngon?done=mandate_saved").into_response())
}
