//! The warnings desk (staff): every warning with its state, a form to write or edit one,
//! a warning's page with the steps the user may take now, its versions and the CAP
//! messages issued. The steps are the store's; this module only shows and forwards.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::input::WarningInput;
use super::model::{State as WState, Warning, CERTAINTIES, KINDS, SEVERITIES, URGENCIES};
use super::store::{self, StepInput};
use crate::accounts::model::User;
use crate::accounts::store as accounts;
use crate::platform::auth::Ctx;
use crate::platform::clock;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{allowed, Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{blank, field_errors, form_outcome, page};

fn staff(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::ViewWarningsDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The form as typed (lists one item a line).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct WarningForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    headline: String,
    #[serde(default)]
    headline_en: String,
    #[serde(default)]
    happened: String,
    #[serde(default)]
    happened_en: String,
    #[serde(default)]
    signs: String,
    #[serde(default)]
    signs_en: String,
    #[serde(default)]
    advice: String,
    #[serde(default)]
    advice_en: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    certainty: String,
    #[serde(default)]
    area_desc: String,
    #[serde(default)]
    communes: Vec<String>,
    #[serde(default)]
    routes: String,
    #[serde(default)]
    polygons: String,
    #[serde(default)]
    road_places: Vec<String>,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    is_test: Option<String>,
    #[serde(default)]
    bulletins: String,
}

impl WarningForm {
    fn input(&self) -> WarningInput {
        let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
        WarningInput {
            kind: self.kind.clone(),
            headline: self.headline.clone(),
            headline_en: blank(&self.headline_en),
            happened: self.happened.clone(),
            happened_en: blank(&self.happened_en),
            signs: lines(&self.signs),
            signs_en: lines(&self.signs_en),
            advice: lines(&self.advice),
            advice_en: lines(&self.advice_en),
            contact: self.contact.clone(),
            severity: self.severity.clone(),
            urgency: self.urgency.clone(),
            certainty: self.certainty.clone(),
            area_desc: self.area_desc.clone(),
            communes: self.communes.clone(),
            routes: lines(&self.routes),
            polygons: lines(&self.polygons),
            road_places: self.road_places.clone(),
            valid_from: blank(&self.valid_from),
            valid_until: blank(&self.valid_until),
            is_test: self.is_test.is_some(),
            bulletins: lines(&self.bulletins),
        }
    }

    fn of(w: &Warning) -> WarningForm {
        WarningForm {
            kind: w.kind.clone(),
            headline: w.headline.clone(),
            headline_en: w.headline_en.clone().unwrap_or_default(),
            happened: w.happened.clone(),
            happened_en: w.happened_en.clone().unwrap_or_default(),
            signs: w.signs.join("\n"),
            signs_en: w.signs_en.join("\n"),
            advice: w.advice.join("\n"),
            advice_en: w.advice_en.join("\n"),
            contact: w.contact.clone(),
            severity: w.severity.clone(),
            urgency: w.urgency.clone(),
            certainty: w.certainty.clone(),
            area_desc: w.area_desc.clone(),
            communes: w.communes.clone(),
            routes: w.routes.join("\n"),
            polygons: w.polygons.join("\n"),
            road_places: w.road_places.clone(),
            valid_from: clock::input_datetime(w.valid_from),
            valid_until: w.valid_until.map(clock::input_datetime).unwrap_or_default(),
            is_test: w.is_test.then(|| "on".to_string()),
            bulletins: w.bulletins.join("\n"),
        }
    }
}

/// The desk: every warning, newest first, by state.
pub async fn dashboard(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let all = store::list(&app.db, &WState::ALL, None, true, 500).await?;
    let may_draft = allowed(&user.actor(), Action::DraftWarning, &Owner::None);
    Ok(page(
        &app,
        &ctx,
        "warnings/desk.html",
        context! { warnings => all, may_draft => may_draft, now => clock::now_ms() },
    )?
    .into_response())
}

async fn editor(
    app: &AppState,
    ctx: &Ctx,
    action: &str,
    form: &WarningForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let communes = store::communes(&app.db).await?;
    let communes: Vec<(String, String)> = communes.into_iter().map(|p| (p.code, p.name)).collect();
    // Places in use, and retired ones this warning already names.
    let road_places: Vec<(String, String)> = super::roads::list(&app.db, true)
        .await?
        .into_iter()
        .filter(|p| p.active || form.road_places.contains(&p.id))
        .map(|p| {
            let kind = crate::platform::i18n::t(ctx.lang, &format!("roads.kind_{}", p.kind));
            (p.id, format!("{} · {kind} · {}", p.route, p.name))
        })
        .collect();
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        page(
            app,
            ctx,
            "warnings/editor.html",
            context! {
                form => form, errors => errors, action => action, kinds => kinds, communes => communes, road_places => road_places,
                severities => SEVERITIES, urgencies => URGENCIES, certainties => CERTAINTIES,
            },
        )?,
    )
        .into_response())
}

pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = staff(&ctx)?;
    if !allowed(&user.actor(), Action::DraftWarning, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let form = WarningForm {
        kind: "scam".into(),
        severity: "Moderate".into(),
        urgency: "Expected".into(),
        certainty: "Likely".into(),
        area_desc: app.config.province.clone(),
        contact: "Công an tỉnh: 113; Đường dây nóng chống lừa đảo".into(),
        ..Default::default()
    };
    editor(&app, &ctx, "/warnings", &form, Vec::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<WarningForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let result = store::create(&app.db, &ctx.origin(), &user, &f.input()).await;
    form_outcome(
        result,
        ctx.lang,
        |w| format!("/warnings/{}?done=saved", w.id),
        |errors| editor(&app, &ctx, "/warnings", &f, errors),
    )
    .await
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let w = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let action = if w.state == WState::Published {
        format!("/warnings/{id}/revise")
    } else {
        format!("/warnings/{id}")
    };
    editor(&app, &ctx, &action, &WarningForm::of(&w), Vec::new()).await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<WarningForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let result = store::update(&app.db, &ctx.origin(), &user, &id, &f.input()).await;
    let action = format!("/warnings/{id}");
    form_outcome(
        result,
        ctx.lang,
        |w| format!("/warnings/{}?done=saved", w.id),
        |errors| editor(&app, &ctx, &action, &f, errors),
    )
    .await
}

/// A step's form: a note (request changes, cancel).
#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    note: String,
}

pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, step)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    // A published warning's new content comes through `revise`, with the whole form.
    if !store::STEPS.contains(&step.as_str()) || step == "update" {
        return Err(AppError::NotFound);
    }
    let input = StepInput {
        note: blank(&f.note),
        content: None,
    };
    let result = store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        &step,
        &input,
    )
    .await;
    match result {
        Ok(w) => Ok(
            axum::response::Redirect::to(&format!("/warnings/{}?done={step}", w.id))
                .into_response(),
        ),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let errors = field_errors(e, ctx.lang)?;
            let mut resp = view_page(&app, &ctx, &user, &id, None, errors).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

/// A published warning changed (the `update` step with the editor's whole form): a new
/// version and a CAP Update.
pub async fn revise(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<WarningForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let input = StepInput {
        note: None,
        content: Some(f.input()),
    };
    let result = store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        "update",
        &input,
    )
    .await;
    let action = format!("/warnings/{id}/revise");
    form_outcome(
        result,
        ctx.lang,
        |w| format!("/warnings/{}?done=update", w.id),
        |errors| editor(&app, &ctx, &action, &f, errors),
    )
    .await
}

pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    view_page(&app, &ctx, &user, &id, q.done, Vec::new()).await
}

async fn view_page(
    app: &AppState,
    ctx: &Ctx,
    user: &User,
    id: &str,
    done: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let w = store::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let versions = store::versions(&app.db, id).await?;
    let messages = store::messages(&app.db, id).await?;
    let names = accounts::list_users(&app.db, &Default::default()).await?;
    let name_of = |uid: &str| {
        names
            .iter()
            .find(|u| u.id == uid)
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    };
    // Four eyes: whoever wrote a version does not approve it.
    let author = versions.iter().any(|(_, by, _, _)| *by == user.id);
    let versions: Vec<(i64, String, i64)> = versions
        .into_iter()
        .map(|(v, by, at, _)| (v, name_of(&by), at))
        .collect();
    let actor = user.actor();
    let may = |a: Action| allowed(&actor, a, &Owner::None);
    let steps: Vec<&str> = match w.state {
        WState::Draft if may(Action::DraftWarning) => vec!["submit"],
        WState::Submitted if may(Action::ApproveWarning) && !author => {
            vec!["approve", "request_changes"]
        }
        WState::Approved if may(Action::PublishWarning) => vec!["publish"],
        WState::Published if may(Action::PublishWarning) => vec!["cancel"],
        _ => Vec::new(),
    };
    let may_edit = match w.state {
        WState::Published => may(Action::ApproveWarning),
        WState::Cancelled => false,
        _ => may(Action::DraftWarning),
    };
    let places = store::places(&app.db, &w.communes).await?;
    let place_names: Vec<String> = places.into_iter().map(|p| p.name).collect();
    let created_by = name_of(&w.created_by);
    let posts = super::share::posts_of(&w, &app.config, &ctx.base_url);
    let card = super::public::card(w, clock::now_ms());
    Ok(page(
        app,
        ctx,
        "warnings/view.html",
        context! {
            c => card, versions => versions, messages => messages, steps => steps, may_edit => may_edit, posts => posts,
            done => done, errors => errors, place_names => place_names,
            created_by => created_by,
        },
    )?
    .into_response())
}
