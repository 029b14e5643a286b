//! The working calendar as people see and adjust it: each year's public holidays as
//! computed from the law and the lunar calendar, and the days the government's plan or
//! the department moved — a day off, or a make-up working day (ngày làm bù). The press
//! office or an admin declares them (`ManageWorkCalendar`); a time limit already set
//! keeps its day, new ones count with the change. Also served as JSON for clients.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::calendar::{self, CalendarDay};
use crate::accounts::model::Check;
use crate::args;
use crate::platform::audit::record_change;
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{done_message, field_errors, page};

#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// A year from 1900 to 2100 (default: this year).
    pub year: Option<i32>,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    year: Option<i32>,
    done: Option<String>,
}

/// One year of the working calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkYear {
    pub year: i32,
    /// Public holidays and compensatory days off computed for the year.
    pub holidays: Vec<HolidayDay>,
    /// The days declared in Kẻng that override the computed calendar.
    pub adjustments: Vec<CalendarDay>,
    /// Working days in each month (January first), adjustments included.
    pub working_days_per_month: Vec<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayDay {
    /// yyyy-mm-dd.
    pub date: String,
    /// new_year, tet, hung_kings, reunification, labour, national_day or compensatory.
    pub kind: &'static str,
}

fn year_of(q: &YearQuery) -> AppResult<i32> {
    let this = calendar::local_date(now_ms())
        .map(|d| d.year())
        .unwrap_or(2026);
    match q.year {
        None => Ok(this),
        Some(y) if (1900..=2100).contains(&y) => Ok(y),
        Some(y) => Err(AppError::BadRequest {
            key: "err.year",
            detail: Some(y.to_string()),
        }),
    }
}

/// The calendar of `year` with the declared days.
fn year_calendar(adjustments: &[CalendarDay], year: i32) -> keng_calendar::WorkingCalendar {
    let adj = adjustments.iter().filter_map(|d| {
        NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
            .ok()
            .map(|date| keng_calendar::Adjustment {
                date,
                working: d.working,
            })
    });
    keng_calendar::WorkingCalendar::new(adj, year..=year)
}

/// A month drawn as weeks of days (Monday first), each with what it is.
#[derive(Debug, Serialize)]
struct MonthGrid {
    month: u32,
    weeks: Vec<Vec<Option<(u32, &'static str)>>>,
}

fn grids(w: &WorkYear) -> Vec<MonthGrid> {
    let cal = year_calendar(&w.adjustments, w.year);
    let holiday = |d: NaiveDate| {
        let key = d.format("%Y-%m-%d").to_string();
        w.holidays.iter().find(|h| h.date == key).map(|h| h.kind)
    };
    let declared = |d: NaiveDate| {
        let key = d.format("%Y-%m-%d").to_string();
        w.adjustments
            .iter()
            .find(|a| a.day == key)
            .map(|a| a.working)
    };
    let mut out = Vec::new();
    for m in 1..=12u32 {
        let Some(first) = NaiveDate::from_ymd_opt(w.year, m, 1) else {
            continue;
        };
        let mut weeks = Vec::new();
        let mut week: Vec<Option<(u32, &'static str)>> =
            vec![None; first.weekday().num_days_from_monday() as usize];
        let mut d = first;
        while d.month() == m {
            let class = match (declared(d), holiday(d)) {
                (Some(true), _) => "makeup",
                (Some(false), _) => "declared-off",
                (None, Some("compensatory")) => "compensatory",
                (None, Some(_)) => "holiday",
                (None, None) if !cal.is_working_day(d) => "weekend",
                _ => "working",
            };
            week.push(Some((d.day(), class)));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
        if !week.is_empty() {
            week.resize(7, None);
            weeks.push(week);
        }
        out.push(MonthGrid { month: m, weeks });
    }
    out
}

async fn work_year(app: &AppState, year: i32) -> AppResult<WorkYear> {
    let adjustments = calendar::adjustments(&app.db).await?;
    let cal = year_calendar(&adjustments, year);
    let mut per_month = Vec::with_capacity(12);
    for m in 1..=12u32 {
        let mut n = 0;
        let mut d = NaiveDate::from_ymd_opt(year, m, 1).ok_or(AppError::NotFound)?;
        while d.month() == m {
            if cal.is_working_day(d) {
                n += 1;
            }
            d = d.succ_opt().ok_or(AppError::NotFound)?;
        }
        per_month.push(n);
    }
    let prefix = format!("{year}-");
    Ok(WorkYear {
        year,
        holidays: keng_calendar::public_holidays(year)
            .into_iter()
            .map(|h| HolidayDay {
                date: h.date.format("%Y-%m-%d").to_string(),
                kind: h.kind.code(),
            })
            .collect(),
        adjustments: adjustments
            .into_iter()
            .filter(|a| a.day.starts_with(&prefix))
            .collect(),
        working_days_per_month: per_month,
    })
}

/// The working calendar of a year: holidays, declared days, working days per month.
#[utoipa::path(get, path = "/api/v1/work-calendar", operation_id = "press_work_calendar", tag = "press_desk", params(YearQuery),
    responses((status = 200, body = WorkYear), (status = 400)))]
pub async fn api_year(
    State(app): State<AppState>,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<WorkYear>> {
    let year = year_of(&q)?;
    Ok(Json(work_year(&app, year).await?))
}

/// `GET /press-desk/calendar?year=`.
pub async fn page_year(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    if !user.role.is_staff() {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let year = year_of(&YearQuery { year: q.year })?;
    render(
        &app,
        &ctx,
        year,
        DayForm::default(),
        Vec::new(),
        done_message(ctx.lang, q.done.as_deref()),
    )
    .await
}

async fn render(
    app: &AppState,
    ctx: &Ctx,
    year: i32,
    form: DayForm,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Response> {
    let w = work_year(app, year).await?;
    Ok(page(
        app,
        ctx,
        "press_desk/calendar.html",
        context! { months => grids(&w), w => w, form => form, errors => errors, done => done, may_edit => ctx.can(Action::ManageWorkCalendar) },
    )?
    .into_response())
}

#[derive(Debug, Deserialize, Serialize, Default)]
pub struct DayForm {
    /// dd/mm/yyyy or yyyy-mm-dd.
    #[serde(default)]
    day: String,
    /// "off" or "working".
    #[serde(default)]
    working: String,
    #[serde(default)]
    note: String,
}

/// `POST /press-desk/calendar`: declares a day off or a make-up working day.
pub async fn add_day(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DayForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageWorkCalendar, &Owner::None)?;
    let mut c = Check::default();
    let day = NaiveDate::parse_from_str(f.day.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(f.day.trim(), "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=2100).contains(&d.year()));
    if day.is_none() {
        c.fail("day", "err.date");
    }
    let working = c.one_of("working", &f.working, &["off", "working"]) == "working";
    let note = c.text("note", &f.note, 200);
    let year = day.map(|d| d.year());
    if let Err(e) = c.finish() {
        let errors = field_errors(e, ctx.lang)?;
        let this = year.unwrap_or_else(|| {
            calendar::local_date(now_ms())
                .map(|d| d.year())
                .unwrap_or(2026)
        });
        let mut resp = render(&app, &ctx, this, f, errors, None).await?;
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    }
    let Some(day) = day else {
        return Err(AppError::bad("err.date"));
    };
    let key = day.format("%Y-%m-%d").to_string();
    let user = ctx.user()?.clone();
    let mut tx = app.db.begin().await?;
    tx.execute(
        "INSERT INTO work_calendar_days (day, working, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (day) DO UPDATE SET working = $2, note = $3, created_by = $4, created_at = $5",
        args![&key, working, &note, &user.id, now_ms()],
    )
    .await?;
    record_change(
        &mut tx,
        &ctx.origin(),
        "work_calendar.day_set",
        "work_calendar",
        &key,
        None,
        Some(serde_json::json!({"day": key, "working": working, "note": note})),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/press-desk/calendar?year={}&done=calendar_saved",
        day.year()
    ))
    .into_response())
}

/// `POST /press-desk/calendar/{day}/delete`: the day follows the computed calendar again.
pub async fn remove_day(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(day): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageWorkCalendar, &Owner::None)?;
    let d = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| AppError::NotFound)?;
    let mut tx = app.db.begin().await?;
    let n = tx
        .execute("DELETE FROM work_calendar_days WHERE day = $1", args![&day])
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    record_change(
        &mut tx,
        &ctx.origin(),
        "work_calendar.day_cleared",
        "work_calendar",
        &day,
        Some(serde_json::json!({"day": day})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/press-desk/calendar?year={}&done=calendar_saved",
        d.year()
    ))
    .into_response())
}
