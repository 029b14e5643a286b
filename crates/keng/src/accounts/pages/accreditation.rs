//! The accreditation queue of press officers.

use super::*;

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
    rules::change_status(&app, &ctx, &id, to, Some(&f.reason)).await?;
    let back = safe_next(f.back.as_deref());
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(redirect::see_other(Some(&format!(
        "{back}{sep}done=status_{}",
        to.as_str()
    ))))
}
