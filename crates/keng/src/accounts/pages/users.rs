//! Staff pages of accounts: list, create, edit, status changes.

use super::*;

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

pub(super) async fn user_form_page(
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
            !me && ctx.can(rules::status_action(user.role, **to))
                && user.status.can_move(user.role, **to)
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
