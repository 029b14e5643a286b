//! Journalists' self-registration.

use super::*;

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
