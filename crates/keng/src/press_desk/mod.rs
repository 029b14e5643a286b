//! Press desk (bàn báo chí): journalists' requests for information, interviews, field
//! work at local units, joining operations and copies of documents — triaged by the
//! press office, assigned to a unit or the spokesperson, answered, scheduled or refused
//! on a ground of the Press Law — under time limits counted in working days over the
//! Vietnamese calendar (`keng-calendar`), with printable field-work permits whose QR
//! code anyone at the gate can verify, the spokesperson registry, and notifications that
//! follow the event log. Who may do what is `rules`, on the platform's permission matrix.

pub mod api;
pub mod calendar;
pub mod calendar_pages;
pub mod correction_pages;
pub mod corrections;
pub mod demo;
pub mod event_pages;
pub mod events;
pub mod files;
pub mod model;
pub mod notify;
pub mod pages;
pub mod permits;
pub mod report;
pub mod rules;
pub mod settings;
pub mod spokespersons;
pub mod store;
pub mod views;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use futures::future::BoxFuture;
use minijinja::context;
use utoipa::OpenApi;

use crate::platform::auth::Ctx;
use crate::platform::capability::{Capability, Description, HomePanel, NavEntry, ShownTo, Task};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::events::{Follower, LocalFollower};
use crate::platform::permissions::{Action, Role};
use crate::platform::state::AppState;

/// The press desk capability (see `platform::capability`).
pub struct PressDesk;

impl Capability for PressDesk {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn configure(&self, config: &mut Config) -> Result<(), String> {
        settings::install(config)
    }

    fn routes(&self) -> Router<AppState> {
        Router::new()
            .route("/press-desk", get(pages::desk))
            .route("/press-desk/report", get(report::report_page))
            .route("/press-desk/report.csv", get(report::report_csv))
            .route(
                "/press-desk/corrections",
                get(correction_pages::list).post(correction_pages::create),
            )
            .route(
                "/press-desk/corrections/new",
                get(correction_pages::new_form),
            )
            .route("/press/corrections", get(correction_pages::list))
            .route("/press/corrections/{id}", get(correction_pages::view))
            .route(
                "/press/corrections/{id}/do/{step}",
                post(correction_pages::step),
            )
            .route(
                "/api/v1/corrections",
                get(correction_pages::api_list).post(correction_pages::api_create),
            )
            .route("/api/v1/corrections/{id}", get(correction_pages::api_get))
            .route(
                "/api/v1/corrections/{id}/do/{step}",
                post(correction_pages::api_step),
            )
            .route(
                "/press-desk/calendar",
                get(calendar_pages::page_year).post(calendar_pages::add_day),
            )
            .route(
                "/press-desk/calendar/{day}/delete",
                post(calendar_pages::remove_day),
            )
            .route("/api/v1/work-calendar", get(calendar_pages::api_year))
            .route(
                "/press-desk/events",
                get(event_pages::list).post(event_pages::create),
            )
            .route("/press-desk/events/new", get(event_pages::new_form))
            .route(
                "/press-desk/events/{id}",
                get(event_pages::view).post(event_pages::update),
            )
            .route("/press-desk/events/{id}/{what}", post(event_pages::close))
            .route("/press/events/{id}", get(event_pages::invitation))
            .route("/press/events/{id}/answer", post(event_pages::answer))
            .route(
                "/su-kien/check-in/{code}",
                get(event_pages::door_page).post(event_pages::door_check_in),
            )
            .route(
                "/press/calendar-token",
                post(event_pages::new_calendar_token),
            )
            .route(
                "/press/calendar-token/revoke",
                post(event_pages::revoke_calendar_token),
            )
            .route("/calendar/{file}", get(event_pages::calendar_feed))
            .route(
                "/api/v1/events",
                get(event_pages::api_list).post(event_pages::api_create),
            )
            .route(
                "/api/v1/events/{id}",
                get(event_pages::api_get).put(event_pages::api_update),
            )
            .route("/api/v1/events/{id}/answer", post(event_pages::api_answer))
            .route("/press/requests", get(pages::mine).post(pages::create))
            .route("/press/requests/new", get(pages::new_form))
            .route("/press/requests/{id}", get(pages::view))
            .route(
                "/press/requests/{id}/attachments",
                post(files::upload).layer(axum::extract::DefaultBodyLimit::max(
                    crate::platform::files::MAX_BYTES + 65_536,
                )),
            )
            .route("/press/requests/{id}/attachments/{sha}", get(files::serve))
            .route(
                "/api/v1/requests/{id}/attachments",
                post(files::upload).layer(axum::extract::DefaultBodyLimit::max(
                    crate::platform::files::MAX_BYTES + 65_536,
                )),
            )
            .route("/press/requests/{id}/do/{step}", post(pages::step))
            .route("/press/permits/{id}", get(permits::permit_page))
            .route("/xac-minh/{token}", get(permits::check_page))
            .route("/nguoi-phat-ngon", get(spokespersons::public_page))
            .route(
                "/nguoi-phat-ngon/{user_id}/sua",
                get(spokespersons::edit_form).post(spokespersons::save),
            )
            .route("/api/v1/requests", get(api::list).post(api::create))
            .route("/api/v1/requests/{id}", get(api::get))
            .route("/api/v1/requests/{id}/do/{step}", post(api::step))
            .route("/api/v1/spokespersons", get(api::spokespersons_list))
            .route("/api/v1/press-units", get(api::units))
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }

    /// Notifications of every change that concerns a person.
    fn followers(&self, app: &AppState) -> Vec<Arc<dyn Follower>> {
        vec![Arc::new(notify::Notifications {
            config: Arc::new(app.config.clone()),
        })]
    }

    /// Reminders before a time limit and escalation after it.
    /// This node's cached permit views and desk counts, dropped on every change.
    fn local_followers(&self, _app: &AppState) -> Vec<Arc<dyn LocalFollower>> {
        vec![Arc::new(views::Invalidator)]
    }

    fn tasks(&self, app: &AppState, stop: &tokio::sync::watch::Receiver<bool>) -> Vec<Task> {
        vec![Box::pin(notify::clock_loop(
            app.db.clone(),
            Arc::new(app.config.clone()),
            stop.clone(),
        ))]
    }

    fn home_panel<'a>(
        &'a self,
        app: &'a AppState,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(panel(app, ctx))
    }

    fn press_panel<'a>(
        &'a self,
        app: &'a AppState,
        ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(panel(app, ctx))
    }

    fn demo<'a>(&'a self, db: &'a Db, config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(demo::load(db, config))
    }
}

/// What awaits the signed-in user at the press desk: open requests and their clocks for
/// staff, a journalist's requests and permits, and the latest notifications.
async fn panel(app: &AppState, ctx: &Ctx) -> AppResult<Option<HomePanel>> {
    let Some(user) = ctx.user.as_ref() else {
        return Ok(None);
    };
    if user.role == Role::Admin || user.role == Role::Public {
        return Ok(None);
    }
    let open = store::list(
        &app.db,
        user,
        &store::ListFilter {
            open: true,
            limit: 200,
            ..Default::default()
        },
    )
    .await?;
    let open_count = store::count_open(&app.db, user).await?;
    let rows = pages::rows(app, open).await?;
    let overdue = rows.iter().filter(|r| r.clock == "overdue").count();
    let soon = rows.iter().filter(|r| r.clock == "soon").count();
    let notices = notify::latest(&app.db, &user.id, 5)
        .await
        .map_err(|e| crate::platform::errors::AppError::Internal(e.to_string()))?;
    let events = if user.role == Role::Journalist {
        events::list_for(&app.db, user, 5)
            .await?
            .into_iter()
            .filter(|e| e.ends_at >= crate::platform::clock::now_ms())
            .collect()
    } else {
        Vec::new()
    };
    let duty = if matches!(
        user.role,
        Role::Leader | Role::Spokesperson | Role::PressOfficer
    ) {
        Some(events::conference_duty(&app.db, crate::platform::clock::now_ms()).await?)
    } else {
        None
    };
    let permits = if user.role == Role::Journalist {
        store::permits_of_journalist(&app.db, &user.id)
            .await?
            .into_iter()
            .take(5)
            .collect()
    } else {
        Vec::new()
    };
    // Open correction requests: the press office's, or an editor's agency's.
    let now = crate::platform::clock::now_ms();
    let corrections: Vec<_> = corrections::list(&app.db, user, None, 200)
        .await?
        .into_iter()
        .filter(|c| c.is_open())
        .collect();
    let corrections_overdue = corrections.iter().filter(|c| c.overdue(now)).count();
    let corrections_link = if user.role.is_staff() {
        "/press-desk/corrections"
    } else {
        "/press/corrections"
    };
    Ok(Some(HomePanel {
        template: "press_desk/panel.html",
        vars: context! {
            open => open_count, overdue => overdue, soon => soon,
            first => rows.into_iter().take(5).collect::<Vec<_>>(), notices => notices,
            permits => permits, journalist => user.role == Role::Journalist, now => crate::platform::clock::now_ms(),
            events => events, duty => duty, corrections_open => corrections.len(),
            corrections_overdue => corrections_overdue, corrections_link => corrections_link,
        },
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list, api::create, api::get, api::step, api::spokespersons_list, api::units, calendar_pages::api_year,
        event_pages::api_list, event_pages::api_get, event_pages::api_create, event_pages::api_update, event_pages::api_answer,
        correction_pages::api_list, correction_pages::api_create, correction_pages::api_get, correction_pages::api_step,
        files::upload,
    ),
    components(schemas(
        model::PressRequest, model::Permit, store::RequestInput, store::StepInput,
        api::RequestItem, api::PermitItem, api::PressStep, api::PressUnit, spokespersons::Spokesperson,
        calendar::CalendarDay, calendar_pages::WorkYear, calendar_pages::HolidayDay,
        events::PressEvent, events::EventInput, event_pages::AnswerInput,
        corrections::Correction, corrections::CorrectionInput, corrections::CorrectionStep, correction_pages::CorrectionItem,
        files::RequestFile,
    )),
    tags((name = "press_desk", description = "Press requests with working-day clocks, field-work permits, press conferences, correction requests to press agencies, the spokesperson registry")),
)]
struct ApiDoc;

/// What the press desk adds to the shared surfaces: the spokesperson registry for
/// everyone, the desk for staff, their requests for journalists.
static DESCRIPTION: Description = Description {
    name: "press_desk",
    menu_rank: 20,
    nav: &[
        NavEntry {
            href: "/nguoi-phat-ngon",
            key: "nav.spokespersons",
            shown_to: ShownTo::Everyone,
        },
        NavEntry {
            href: "/press-desk",
            key: "nav.press_desk",
            shown_to: ShownTo::Allowed(Action::ViewNewsroomDesk),
        },
        NavEntry {
            href: "/press/requests",
            key: "nav.my_requests",
            shown_to: ShownTo::Role(Role::Journalist),
        },
    ],
    cache_paths: &[],
    cache_params: &[],
    public_entities: &[],
    blob_refs: &["SELECT sha256 AS sha FROM press_request_files"],
    upload_paths: &[],
};
