//! The press agencies pages.

use super::*;

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

pub(super) async fn agencies_page(
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

pub(super) async fn agency_edit_page(
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
