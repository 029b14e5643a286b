//! The working calendar the clocks run on: `keng-calendar`'s holidays with the
//! administrator's adjustments from the database (days off the government moved, make-up
//! working days), and time limits as instants in Vietnam time.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use keng_calendar::{Adjustment, WorkingCalendar};
use serde::Serialize;

use crate::args;
use crate::platform::db::{Conn, DbResult};

/// An adjustment as stored and shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    /// yyyy-mm-dd.
    pub day: String,
    /// true: a make-up working day; false: a day off.
    pub working: bool,
    pub note: Option<String>,
}

pub async fn adjustments<'a>(conn: impl Into<Conn<'a>>) -> DbResult<Vec<CalendarDay>> {
    let rows = conn
        .into()
        .fetch_all(
            "SELECT day, working, note FROM work_calendar_days ORDER BY day",
            args![],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CalendarDay {
                day: r.str("day")?,
                working: r.bool("working")?,
                note: r.opt_str("note")?,
            })
        })
        .collect()
}

/// The calendar of working days, for the years around `now`.
pub async fn load<'a>(conn: impl Into<Conn<'a>>, now: i64) -> DbResult<WorkingCalendar> {
    let year = local_date(now)
        .map(|d| chrono::Datelike::year(&d))
        .unwrap_or(2026);
    let adj = adjustments(conn).await?.into_iter().filter_map(|d| {
        NaiveDate::parse_from_str(&d.day, "%Y-%m-%d")
            .ok()
            .map(|date| Adjustment {
                date,
                working: d.working,
            })
    });
    Ok(WorkingCalendar::new(adj, year - 1..=year + 1))
}

pub fn local_date(ms: i64) -> Option<NaiveDate> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&Ho_Chi_Minh).date_naive())
}

/// The end (23:59:59.999, Vietnam time) of a day.
pub fn end_of_day(d: NaiveDate) -> Option<i64> {
    let next = d.succ_opt()?.and_hms_opt(0, 0, 0)?;
    Ho_Chi_Minh
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.timestamp_millis() - 1)
}

/// The time limit of `days` working days for something received at `at`.
pub fn due_after(cal: &WorkingCalendar, at: i64, days: u32) -> Option<i64> {
    end_of_day(cal.add_working_days(local_date(at)?, days)?)
}

/// Working days left before `due` at `now` (0 on the last day, negative when overdue).
pub fn working_days_left(cal: &WorkingCalendar, now: i64, due: i64) -> i64 {
    match (local_date(now), local_date(due)) {
        (Some(a), Some(b)) => {
            if now > due {
                -cal.working_days_between(b, a).max(1)
            } else {
                cal.working_days_between(a, b)
            }
        }
        _ => 0,
    }
}
