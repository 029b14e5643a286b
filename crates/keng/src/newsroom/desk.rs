//! The newsroom desk for police staff: the dashboard (incident clocks, bulletins by
//! state), the editor, the workflow buttons, versions and the diff between any two.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::Deserialize;

use super::model::{Bulletin, State as BState, AUDIENCES, KINDS};
use super::store::{self, ActionInput, BulletinInput, IncidentInput, ListFilter};
use super::visibility::Viewer;
use crate::accounts::store as accounts;
use crate::platform::auth::Ctx;
use crate::platform::clock::{self, now_ms};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

fn staff(ctx: &Ctx) -> AppResult<&crate::accounts::model::User> {
    ctx.require(Action::ViewNewsroomDesk, &Owner::None)?;
    ctx.user()
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn dashboard(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let now = now_ms();
    let incidents = store::list_incidents(&app.db, 30).await?;
    let pending = store::pending_initial_information(&app.db).await?;
    let clocks: Vec<_> = incidents
        .iter()
        .map(|i| {
            let m = i.minutes_left(now).unwrap_or(0).abs();
            context! { i => i, clock => i.clock_state(now), hours => m / 60, minutes => m % 60,
            pending => pending.get(&i.id) }
        })
        .collect();
    let mut by_state = Vec::new();
    for st in [
        BState::Submitted,
        BState::Approved,
        BState::Draft,
        BState::Published,
        BState::Withdrawn,
    ] {
        let f = ListFilter {
            state: Some(st.as_str().into()),
            limit: 50,
            ..Default::default()
        };
        by_state.push(context! { state => st.as_str(), items => store::list(&app.db, Viewer::Staff, &f, true).await? });
    }
    Ok(page(
        &app,
        &ctx,
        "newsroom/desk.html",
        context! { clocks => clocks, by_state => by_state, now => now, done => done_message(ctx.lang, q.done.as_deref()),
                   can_draft => ctx.can(Action::DraftBulletin) || ctx.user.as_ref().is_some_and(|u| u.role == Role::UnitOfficer),
                   approver => ctx.can(Action::ApproveBulletin) },
    )?
    .into_response())
}

/// The editor's form fields (strings as typed).
#[derive(Deserialize, Default, serde::Serialize, Clone)]
pub struct EditorForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    video_links: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    embargo_until: String,
    #[serde(default)]
    incident_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    spokesperson_id: String,
    #[serde(default)]
    note: String,
}

impl EditorForm {
    fn input(&self) -> BulletinInput {
        let list = |s: &str| {
            s.split([',', '\n'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        };
        BulletinInput {
            kind: self.kind.clone(),
            category: self.category.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            places: list(&self.places),
            tags: list(&self.tags),
            video_links: list(&self.video_links),
            audience: self.audience.clone(),
            embargo_until: Some(self.embargo_until.clone()),
            incident_id: Some(self.incident_id.clone()),
            unit_ids: Some(self.unit_id.clone())
                .filter(|s| !s.is_empty())
                .into_iter()
                .collect(),
            spokesperson_id: Some(self.spokesperson_id.clone()),
        }
    }

    fn of(b: &Bulletin) -> EditorForm {
        EditorForm {
            kind: b.kind.clone(),
            category: b.category.clone(),
            title: b.title.clone(),
            summary: b.summary.clone(),
            body: b.body_html.clone(),
            places: b.places.join(", "),
            tags: b.tags.join(", "),
            video_links: b.video_links.join("\n"),
            audience: b.audience.clone(),
            embargo_until: b
                .embargo_until
                .map(clock::input_datetime)
                .unwrap_or_default(),
            incident_id: b.incident_id.clone().unwrap_or_default(),
            unit_id: b.unit_ids.first().cloned().unwrap_or_default(),
            spokesperson_id: b.spokesperson_id.clone().unwrap_or_default(),
            note: String::new(),
        }
    }
}

async fn editor(
    app: &AppState,
    ctx: &Ctx,
    action: &str,
    form: &EditorForm,
    errors: Vec<(String, String)>,
    correcting: bool,
    done: Option<String>,
) -> AppResult<Html<String>> {
    let incidents = store::list_incidents(&app.db, 100).await?;
    let units = accounts::list_units(&app.db).await?;
    let mut speakers = accounts::list_users(
        &app.db,
        &accounts::UserFilter {
            role: Some(Role::Spokesperson),
            ..Default::default()
        },
    )
    .await?;
    speakers.extend(
        accounts::list_users(
            &app.db,
            &accounts::UserFilter {
                role: Some(Role::Leader),
                ..Default::default()
            },
        )
        .await?,
    );
    page(
        app,
        ctx,
        "newsroom/editor.html",
        context! { action => action, form => form, errors => errors, incidents => incidents, units => units, speakers => speakers,
        kinds => KINDS, audiences => AUDIENCES, categories => super::settings::of(&app.config).categories.clone(), correcting => correcting,
        done => done },
    )
}

#[derive(Deserialize)]
pub struct NewQuery {
    incident: Option<String>,
    done: Option<String>,
}

pub async fn new_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    // Initial information on an incident starts from what was recorded about it.
    let incident = match q
        .incident
        .as_deref()
        .filter(|i| crate::platform::ids::is_id(i))
    {
        Some(i) => store::get_incident(&app.db, i).await?,
        None => None,
    };
    let spokesperson = store::spokesperson_on_duty(&app.db, &app.config).await?;
    let form = EditorForm {
        kind: if incident.is_some() {
            "initial_information".into()
        } else {
            "press_release".into()
        },
        audience: "public".into(),
        incident_id: incident.as_ref().map(|i| i.id.clone()).unwrap_or_default(),
        places: incident
            .as_ref()
            .and_then(|i| i.place.clone())
            .unwrap_or_default(),
        unit_id: incident
            .as_ref()
            .and_then(|i| i.unit_id.clone())
            .unwrap_or_default(),
        spokesperson_id: spokesperson.map(|u| u.id).unwrap_or_default(),
        ..Default::default()
    };
    Ok(editor(
        &app,
        &ctx,
        "/newsroom",
        &form,
        Vec::new(),
        false,
        done_message(ctx.lang, q.done.as_deref()),
    )
    .await?
    .into_response())
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<EditorForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    match store::create(&app.db, &app.config, &ctx.origin(), &user, &f.input()).await {
        Ok(b) => {
            Ok(Redirect::to(&format!("/newsroom/b/{}?done=bulletin_saved", b.id)).into_response())
        }
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                editor(&app, &ctx, "/newsroom", &f, errors, false, None).await?,
            )
                .into_response())
        }
    }
}

pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    let b = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let versions = store::versions(&app.db, &id).await?;
    let log = crate::platform::webhooks::deliveries_of(&app.db, &id).await?;
    let attachments = super::attachments::of_bulletin(&app.db, &id).await?;
    let agencies = accounts::list_agencies(&app.db).await?;
    let incident = match &b.incident_id {
        Some(i) => store::get_incident(&app.db, i).await?,
        None => None,
    };
    let names = accounts::list_users(&app.db, &Default::default()).await?;
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| names.iter().find(|u| &u.id == i))
            .map(|u| u.display_name.clone())
    };
    let can = |a: Action| ctx.can(a);
    // The same rules as the API (`rules`): four eyes, editing, corrections.
    // The same rule as the API's `actions` (`rules::next_steps`).
    let actions = super::rules::next_steps(&app.db, &app.config, &user, &b).await?;
    // Who may withdraw, for those who may not (a press officer who finds an error).
    let withdraw_hint = b.state == BState::Published && !can(Action::ApproveBulletin);
    let history: Vec<_> = crate::platform::audit::list(
        &app.db,
        &crate::platform::audit::AuditFilter {
            entity: Some("bulletin".into()),
            entity_id: Some(id.clone()),
            limit: 200,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .rev()
    .map(|e| {
        let after: serde_json::Value = e
            .after_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        let note = match e.action.as_str() {
            "bulletin.changes_requested" => after["review_note"].as_str().map(str::to_string),
            "bulletin.withdrawn" => after["withdrawal_reason"].as_str().map(str::to_string),
            "bulletin.corrected" => after["correction_note"].as_str().map(str::to_string),
            _ => None,
        };
        context! { at => e.at, who => e.actor_name, action => e.action, note => note }
    })
    .collect();
    let editable = matches!(
        b.state,
        BState::Draft | BState::Submitted | BState::Approved
    ) && super::rules::may_edit(&app.db, &user, &b).await?;
    let correctable = b.state == BState::Published
        && super::rules::may_correct(&app.db, &app.config, &user, &b).await?;
    Ok(page(
        &app,
        &ctx,
        "newsroom/desk_bulletin.html",
        context! {
            b => b.clone(), versions => versions, incident => incident, actions => actions, editable => editable, correctable => correctable,
            author => name_of(&b.author_id), approver => name_of(&b.approved_by), publisher => name_of(&b.published_by),
            reviewer => name_of(&b.review_note_by), withdraw_hint => withdraw_hint, history => history,
            now => now_ms(), done => done_message(ctx.lang, q.done.as_deref()), log => log, agencies => agencies, attachments => attachments,
        },
    )?
    .into_response())
}

pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let b = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let correcting = b.state == BState::Published;
    let action = if correcting {
        format!("/newsroom/b/{id}/correct")
    } else {
        format!("/newsroom/b/{id}")
    };
    Ok(editor(
        &app,
        &ctx,
        &action,
        &EditorForm::of(&b),
        Vec::new(),
        correcting,
        None,
    )
    .await?
    .into_response())
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EditorForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    match store::update(&app.db, &app.config, &ctx.origin(), &user, &id, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/newsroom/b/{id}?done=bulletin_saved")).into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let html = editor(
                &app,
                &ctx,
                &format!("/newsroom/b/{id}"),
                &f,
                errors,
                false,
                None,
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}

pub async fn correct(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EditorForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    let input = ActionInput {
        note: Some(f.note.clone()),
        content: Some(f.input()),
        publish_at: None,
    };
    match store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        "correct",
        &input,
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/newsroom/b/{id}?done=bulletin_corrected")).into_response())
        }
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let html = editor(
                &app,
                &ctx,
                &format!("/newsroom/b/{id}/correct"),
                &f,
                errors,
                true,
                None,
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    publish_at: String,
}

pub async fn step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    if !matches!(
        action.as_str(),
        "submit" | "approve" | "request_changes" | "publish" | "withdraw"
    ) {
        return Err(AppError::NotFound);
    }
    let input = ActionInput {
        note: Some(f.note),
        publish_at: Some(f.publish_at),
        content: None,
    };
    store::act(
        &app.db,
        &app.config,
        &ctx.origin(),
        &user,
        &id,
        &action,
        &input,
    )
    .await?;
    Ok(Redirect::to(&format!("/newsroom/b/{id}?done=bulletin_{action}")).into_response())
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// Word-level differences between two versions of the text.
pub async fn diff(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let b = store::get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let versions = store::versions(&app.db, &id).await?;
    let (a, z) = super::diff::pick(&versions, b.version, q.from, q.to)?;
    let d = super::diff::between(a, z);
    let parts = |changes: &[super::diff::Change]| -> Vec<(String, String)> {
        changes
            .iter()
            .map(|c| (c.op.to_string(), c.text.clone()))
            .collect()
    };
    Ok(page(
        &app,
        &ctx,
        "newsroom/diff.html",
        context! {
            b => b, from => a, to => z, versions => versions,
            title => parts(&d.title), summary => parts(&d.summary), body => parts(&d.body),
        },
    )?
    .into_response())
}

pub async fn incident_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    staff(&ctx)?;
    let units = accounts::list_units(&app.db).await?;
    Ok(page(&app, &ctx, "newsroom/incident_new.html", context! { units => units, form => IncidentForm::default(), errors => Vec::<(String, String)>::new() })?.into_response())
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct IncidentForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    public_concern: Option<String>,
}

pub async fn incident_create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<IncidentForm>,
) -> AppResult<Response> {
    let user = staff(&ctx)?.clone();
    let input = IncidentInput {
        title: f.title.clone(),
        summary: Some(f.summary.clone()),
        place: Some(f.place.clone()),
        unit_id: Some(f.unit_id.clone()),
        occurred_at: f.occurred_at.clone(),
        public_concern: f.public_concern.is_some(),
    };
    match store::create_incident(&app.db, &app.config, &ctx.origin(), &user, &input).await {
        Ok(i) => Ok(Redirect::to(&format!(
            "/newsroom/new?incident={}&done=incident_saved",
            i.id
        ))
        .into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            let units = accounts::list_units(&app.db).await?;
            let html = page(
                &app,
                &ctx,
                "newsroom/incident_new.html",
                context! { units => units, form => f, errors => errors },
            )?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}
