//! Black spots and road segments on screen and over HTTP: the desk's page (the sketch,
//! every place numbered as on the sketch, a form to add one), a place's edit page
//! (retire it by unticking "in use"), and the API (`GET /api/v1/road-places` public,
//! create and change for staff). The records and their checks are `roads`'.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use minijinja::context;

use super::roads::{self, RoadInput, RoadPlace, KINDS};
use crate::accounts::model::User;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{form_outcome, page};

fn staff(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::ViewWarningsDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

async fn list_page(
    app: &AppState,
    ctx: &Ctx,
    form: &RoadInput,
    errors: Vec<(String, String)>,
    done: bool,
) -> AppResult<Response> {
    let places = roads::list(&app.db, true).await?;
    let may_edit = ctx.can(Action::DraftWarning);
    let in_use: Vec<RoadPlace> = places.iter().filter(|p| p.active).cloned().collect();
    let sketch = roads::sketch(&in_use, &[], ctx.lang);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let rows: Vec<(RoadPlace, String)> = places
        .into_iter()
        .map(|p| {
            let text = p.points_text();
            (p, text)
        })
        .collect();
    Ok((
        status,
        page(
            app,
            ctx,
            "warnings/roads.html",
            context! { rows => rows, sketch => sketch, form => form, errors => errors, kinds => KINDS, action => "/warnings/roads", done => done, may_edit => may_edit },
        )?,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `/warnings/roads`: the sketch, the list, the form for a new place.
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let form = RoadInput {
        active: Some("on".into()),
        ..Default::default()
    };
    list_page(&app, &ctx, &form, Vec::new(), q.done.is_some()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RoadInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let result = roads::create(&app.db, &ctx.origin(), &user, &f).await;
    form_outcome(
        result,
        ctx.lang,
        |_| "/warnings/roads?done=saved".to_string(),
        |errors| list_page(&app, &ctx, &f, errors, false),
    )
    .await
}

async fn edit_page(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &RoadInput,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        page(
            app,
            ctx,
            "warnings/road_edit.html",
            context! { form => form, errors => errors, kinds => KINDS, action => format!("/warnings/roads/{id}"), may_edit => ctx.can(Action::DraftWarning) },
        )?,
    )
        .into_response())
}

/// `/warnings/roads/{id}`: a place's form.
pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let p = roads::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let form = RoadInput {
        kind: p.kind.clone(),
        route: p.route.clone(),
        name: p.name.clone(),
        note: p.note.clone(),
        points: p.points_text(),
        active: p.active.then(|| "on".to_string()),
    };
    edit_page(&app, &ctx, &id, &form, Vec::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(mut f): Form<RoadInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    // An unticked "in use" box sends nothing: the form means "retired".
    if f.active.is_none() {
        f.active = Some("off".into());
    }
    let result = roads::update(&app.db, &ctx.origin(), &user, &id, &f).await;
    form_outcome(
        result,
        ctx.lang,
        |_| "/warnings/roads?done=saved".to_string(),
        |errors| edit_page(&app, &ctx, &id, &f, errors),
    )
    .await
}

/// Black spots and road segments in use, by route.
#[utoipa::path(get, path = "/api/v1/road-places", tag = "warnings", operation_id = "list_road_places",
    responses((status = 200, body = [RoadPlace]), (status = 401)))]
pub async fn api_list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<RoadPlace>>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok(Json(roads::list(&app.db, false).await?))
}

/// Records a black spot (one point) or a road segment (2–50 points along the road).
#[utoipa::path(post, path = "/api/v1/road-places", tag = "warnings", operation_id = "create_road_place", request_body = RoadInput,
    responses((status = 201, body = RoadPlace), (status = 401), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn api_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<RoadInput>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let p = roads::create(&app.db, &ctx.origin(), &user, &input).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// Changes a place; `active` false retires it (warnings that named it keep it), absent
/// keeps it as it is.
#[utoipa::path(put, path = "/api/v1/road-places/{id}", tag = "warnings", operation_id = "update_road_place", request_body = RoadInput,
    params(("id" = String, Path, description = "Place id")),
    responses((status = 200, body = RoadPlace), (status = 401), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn api_update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(input): Json<RoadInput>,
) -> AppResult<Json<RoadPlace>> {
    let user = staff(&ctx)?;
    Ok(Json(
        roads::update(&app.db, &ctx.origin(), &user, &id, &input).await?,
    ))
}
