//! Working days (ngày làm việc): Monday to Friday except public holidays and their
//! compensatory days, as adjusted by the administrator — a day declared off (a Tết day
//! the government moved, a swapped day) or a make-up working day (ngày làm bù, usually a
//! Saturday). Deadlines in working days start counting the day after the request
//! arrives, as Vietnamese administrative time limits do.

use crate::holidays::{is_weekend, public_holidays};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// An administrator's change to the computed calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub date: NaiveDate,
    /// true: a make-up working day; false: a day off.
    pub working: bool,
}

/// A calendar of working days: the computed holidays of each year it is asked about,
/// then the adjustments, which win.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    adjustments: BTreeMap<NaiveDate, bool>,
    holidays: BTreeMap<i32, BTreeSet<NaiveDate>>,
}

/// Deadlines further than this many days are refused rather than searched for.
const MAX_SPAN_DAYS: i64 = 3660;

impl WorkingCalendar {
    /// A calendar with the administrator's adjustments; the holidays of `years` are
    /// computed up front (other years on demand, uncached).
    pub fn new(
        adjustments: impl IntoIterator<Item = Adjustment>,
        years: std::ops::RangeInclusive<i32>,
    ) -> Self {
        let holidays = years
            .map(|y| (y, public_holidays(y).into_iter().map(|h| h.date).collect()))
            .collect();
        Self {
            adjustments: adjustments
                .into_iter()
                .map(|a| (a.date, a.working))
                .collect(),
            holidays,
        }
    }

    fn is_holiday(&self, d: NaiveDate) -> bool {
        match self.holidays.get(&d.year()) {
            Some(days) => days.contains(&d),
            None => public_holidays(d.year()).iter().any(|h| h.date == d),
        }
    }

    /// Whether people work on this day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if let Some(working) = self.adjustments.get(&d) {
            return *working;
        }
        !is_weekend(d) && !self.is_holiday(d)
    }

    /// The day on which a time limit of `n` working days, counted from the day after
    /// `start`, ends (at the end of that day). `n = 0` is `start` itself. None when the
    /// search runs past ten years (a calendar made of days off).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut d = start;
        let mut left = n;
        let limit = start.checked_add_signed(Duration::days(MAX_SPAN_DAYS))?;
        while left > 0 {
            d = d.succ_opt()?;
            if d > limit {
                return None;
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Some(d)
    }

    /// Working days after `from` up to and including `to` (negative when `to` is
    /// earlier): how many working days are left before a deadline, or how many it is
    /// overdue by. Bounded by ten years either way.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let span = (b - a).num_days().min(MAX_SPAN_DAYS);
        let count = (1..=span)
            .filter_map(|i| a.checked_add_signed(Duration::days(i)))
            .filter(|d| self.is_working_day(*d))
            .count();
        sign * i64::try_from(count).unwrap_or(i64::MAX)
    }
}
