//! Vietnam's public holidays of a solar year (Labour Code 2019, Art. 112): New Year's
//! Day, five days of Tết (by default the last day of the lunar year and the first four of
//! the new one), the Hùng Kings' commemoration (10th day of the 3rd lunar month), 30
//! April, 1 May, and National Day (2 September and one day beside it: the Monday when
//! the 2nd is a Tuesday, otherwise the 3rd). A holiday falling on a Saturday or a Sunday
//! gives a compensatory day off (nghỉ bù) on the next working day (Art. 112(3)). The
//! government's yearly plan may move Tết's days or swap days: those are the
//! administrator's adjustments in [`crate::WorkingCalendar`], not guessed here.

use crate::lunar::{lunar_to_solar, tet, LunarDate};
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Why a day is a public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayKind {
    /// Tết Dương lịch, 1 January.
    NewYear,
    /// Tết Nguyên đán, five days around the lunar new year.
    Tet,
    /// Giỗ Tổ Hùng Vương, 10/3 of the lunar calendar.
    HungKings,
    /// Ngày Chiến thắng, 30 April.
    Reunification,
    /// Quốc tế Lao động, 1 May.
    Labour,
    /// Quốc khánh, 2 September and a day beside it.
    NationalDay,
    /// Nghỉ bù: a working day off in place of a holiday that fell on a weekend.
    Compensatory,
}

impl HolidayKind {
    /// A stable name for storage, APIs and locale keys.
    pub fn code(self) -> &'static str {
        match self {
            Self::NewYear => "new_year",
            Self::Tet => "tet",
            Self::HungKings => "hung_kings",
            Self::Reunification => "reunification",
            Self::Labour => "labour",
            Self::NationalDay => "national_day",
            Self::Compensatory => "compensatory",
        }
    }
}

/// One day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
}

pub(crate) fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The public holidays of a solar year, compensatory days included, in date order.
/// Empty for years the lunar calendar cannot reckon.
pub fn public_holidays(year: i32) -> Vec<Holiday> {
    let mut days = Vec::new();
    let mut push = |date: Option<NaiveDate>, kind| {
        if let Some(date) = date {
            days.push(Holiday { date, kind });
        }
    };
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    push(ymd(1, 1), HolidayKind::NewYear);
    if let Some(first) = tet(year) {
        for offset in -1..=3 {
            push(Some(first + Duration::days(offset)), HolidayKind::Tet);
        }
    }
    push(
        lunar_to_solar(LunarDate {
            year,
            month: 3,
            day: 10,
            leap: false,
        }),
        HolidayKind::HungKings,
    );
    push(ymd(4, 30), HolidayKind::Reunification);
    push(ymd(5, 1), HolidayKind::Labour);
    if let Some(second) = ymd(9, 2) {
        let beside = if second.weekday() == Weekday::Tue {
            second - Duration::days(1)
        } else {
            second + Duration::days(1)
        };
        push(Some(second), HolidayKind::NationalDay);
        push(Some(beside), HolidayKind::NationalDay);
    }
    days.sort();
    // Each holiday on a weekend is made up on the next day that is neither a weekend
    // nor a holiday nor already a compensatory day.
    let mut taken: Vec<NaiveDate> = days.iter().map(|h| h.date).collect();
    let mut compensatory = Vec::new();
    for h in &days {
        if is_weekend(h.date) {
            let mut d = h.date + Duration::days(1);
            while is_weekend(d) || taken.contains(&d) {
                d += Duration::days(1);
            }
            taken.push(d);
            compensatory.push(Holiday {
                date: d,
                kind: HolidayKind::Compensatory,
            });
        }
    }
    days.extend(compensatory);
    days.sort();
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn of(year: i32, kind: HolidayKind) -> Vec<NaiveDate> {
        public_holidays(year)
            .into_iter()
            .filter(|h| h.kind == kind)
            .map(|h| h.date)
            .collect()
    }

    #[test]
    fn tet_2026_is_the_governments_plan() {
        // The 2026 plan: Monday 16 Feb (29 tháng Chạp) to Friday 20 Feb (mùng 4).
        assert_eq!(
            of(2026, HolidayKind::Tet),
            (16..=20).map(|day| d(2026, 2, day)).collect::<Vec<_>>()
        );
        assert!(of(2026, HolidayKind::Compensatory)
            .iter()
            .all(|c| c.month() != 2));
    }

    #[test]
    fn a_tet_day_on_a_weekend_is_made_up() {
        // Tết 2027 is a Saturday: 5 Feb – 9 Feb, the weekend made up on 10 and 11 Feb.
        assert_eq!(
            of(2027, HolidayKind::Tet),
            (5..=9).map(|day| d(2027, 2, day)).collect::<Vec<_>>()
        );
        let comp = of(2027, HolidayKind::Compensatory);
        assert!(
            comp.contains(&d(2027, 2, 10)) && comp.contains(&d(2027, 2, 11)),
            "{comp:?}"
        );
    }

    #[test]
    fn hung_kings_day_follows_the_moon() {
        assert_eq!(of(2025, HolidayKind::HungKings), vec![d(2025, 4, 7)]);
        assert_eq!(of(2026, HolidayKind::HungKings), vec![d(2026, 4, 26)]);
        assert_eq!(of(2027, HolidayKind::HungKings), vec![d(2027, 4, 16)]);
        // 26 April 2026 is a Sunday: made up on Monday 27th.
        assert!(of(2026, HolidayKind::Compensatory).contains(&d(2026, 4, 27)));
    }

    #[test]
    fn national_day_takes_the_day_that_joins_a_weekend() {
        // 2 Sep 2025 was a Tuesday: Monday 1 Sep off too (as the government decided).
        assert_eq!(
            of(2025, HolidayKind::NationalDay),
            vec![d(2025, 9, 1), d(2025, 9, 2)]
        );
        assert_eq!(
            of(2024, HolidayKind::NationalDay),
            vec![d(2024, 9, 2), d(2024, 9, 3)]
        );
    }
}
