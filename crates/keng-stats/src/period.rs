//! Periods of a report: a closed range of days, built as a day, an ISO week (Monday to
//! Sunday, as the department's weekly reports run), a month, a quarter, a year or a
//! peak campaign around Tết; and the periods it is compared with.

use chrono::{Datelike, Duration, NaiveDate};

/// A closed range of days: `from` and `to` both counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// The end is before the start.
    Reversed,
    /// No such date (a 30 February, a week 54, a Tết outside the calendar's range).
    NoSuchDate,
}

impl std::fmt::Display for PeriodError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PeriodError::Reversed => "the period ends before it starts",
            PeriodError::NoSuchDate => "no such date",
        })
    }
}

impl std::error::Error for PeriodError {}

/// How a peak campaign before Tết ends (campaigns start on a solar date, usually 15
/// December, and run "đến hết Tết" — to a day counted in the lunar calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TetSeason {
    /// To the given day of the first lunar month (mùng 10 = 10).
    ToDayOfFirstMonth(u32),
    /// To the full moon of the first month (Rằm tháng Giêng, the 15th).
    ToFirstFullMoon,
}

/// The periods a unit reports for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Day,
    Week,
    Month,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Day => "day",
            Kind::Week => "week",
            Kind::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "day" => Some(Kind::Day),
            "week" => Some(Kind::Week),
            "month" => Some(Kind::Month),
            _ => None,
        }
    }
}

impl Period {
    /// A period from `from` to `to`, both counted.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed);
        }
        Ok(Period { from, to })
    }

    /// One day.
    pub fn day(d: NaiveDate) -> Period {
        Period { from: d, to: d }
    }

    /// The ISO week (Monday to Sunday) `week` of ISO year `year`.
    pub fn iso_week(year: i32, week: u32) -> Result<Period, PeriodError> {
        let from = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            .ok_or(PeriodError::NoSuchDate)?;
        Ok(Period {
            from,
            to: from + Duration::days(6),
        })
    }

    /// The week (Monday to Sunday) that holds `d`.
    pub fn week_of(d: NaiveDate) -> Period {
        let from = d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        Period {
            from,
            to: from + Duration::days(6),
        }
    }

    /// A calendar month.
    pub fn month(year: i32, month: u32) -> Result<Period, PeriodError> {
        let from = NaiveDate::from_ymd_opt(year, month, 1).ok_or(PeriodError::NoSuchDate)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or(PeriodError::NoSuchDate)?;
        Ok(Period {
            from,
            to: next - Duration::days(1),
        })
    }

    /// A quarter (1 to 4).
    pub fn quarter(year: i32, quarter: u32) -> Result<Period, PeriodError> {
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::NoSuchDate);
        }
        let first = Period::month(year, quarter * 3 - 2)?;
        let last = Period::month(year, quarter * 3)?;
        Ok(Period {
            from: first.from,
            to: last.to,
        })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        Ok(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).ok_or(PeriodError::NoSuchDate)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31).ok_or(PeriodError::NoSuchDate)?,
        })
    }

    /// A peak campaign before the Tết of `lunar_year`: from the solar date
    /// (`start_month`, `start_day`) of the year before, to the end `season` names in
    /// the first lunar month of `lunar_year`.
    pub fn tet_campaign(
        lunar_year: i32,
        (start_month, start_day): (u32, u32),
        season: TetSeason,
    ) -> Result<Period, PeriodError> {
        // 29 February starts a campaign on the 28th in a common year.
        let from = NaiveDate::from_ymd_opt(lunar_year - 1, start_month, start_day)
            .or_else(|| {
                ((start_month, start_day) == (2, 29))
                    .then(|| NaiveDate::from_ymd_opt(lunar_year - 1, 2, 28))
                    .flatten()
            })
            .ok_or(PeriodError::NoSuchDate)?;
        let day = match season {
            TetSeason::ToDayOfFirstMonth(d) => d,
            TetSeason::ToFirstFullMoon => 15,
        };
        let solar = |day| {
            keng_calendar::lunar_to_solar(keng_calendar::LunarDate {
                year: lunar_year,
                month: 1,
                day,
                leap: false,
            })
        };
        // "To the 30th" in a first month of 29 days is to its last day.
        let to = solar(day)
            .or_else(|| (day == 30).then(|| solar(29)).flatten())
            .ok_or(PeriodError::NoSuchDate)?;
        Period::new(from, to)
    }

    /// A reporting period by its label: "2026-11-30" (a day), "2026-W48" (an ISO
    /// week), "2026-11" (a month).
    pub fn parse_label(s: &str) -> Result<(Kind, Period), PeriodError> {
        let s = s.trim();
        let num = |t: &str| -> Result<u32, PeriodError> {
            if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PeriodError::NoSuchDate);
            }
            t.parse().map_err(|_| PeriodError::NoSuchDate)
        };
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y, w] if y.len() == 4 && (w.starts_with('W') || w.starts_with('w')) => {
                let (y, w) = (num(y)?, num(&w[1..])?);
                Ok((Kind::Week, Period::iso_week(y as i32, w)?))
            }
            [y, m] if y.len() == 4 && m.len() == 2 => {
                Ok((Kind::Month, Period::month(num(y)? as i32, num(m)?)?))
            }
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                let d = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)
                    .ok_or(PeriodError::NoSuchDate)?;
                Ok((Kind::Day, Period::day(d)))
            }
            _ => Err(PeriodError::NoSuchDate),
        }
        // Four-digit years only: a label is always written back the way it was read.
        .and_then(|(k, p): (Kind, Period)| {
            if (1000..=9999).contains(&p.from.year()) {
                Ok((k, p))
            } else {
                Err(PeriodError::NoSuchDate)
            }
        })
    }

    /// The label of a reporting period of `kind` (see [`Period::parse_label`]).
    pub fn label(&self, kind: Kind) -> String {
        match kind {
            Kind::Day => self.from.format("%Y-%m-%d").to_string(),
            Kind::Week => {
                let w = self.from.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Kind::Month => self.from.format("%Y-%m").to_string(),
        }
    }

    /// The period in Vietnamese words: "ngày 30/11/2026", "tuần 48/2026 (23/11 – 29/11/2026)",
    /// "tháng 11/2026".
    pub fn describe(&self, kind: Kind) -> String {
        match kind {
            Kind::Day => format!("ngày {}", self.from.format("%d/%m/%Y")),
            Kind::Week => format!(
                "tuần {}/{} ({} – {})",
                self.from.iso_week().week(),
                self.from.iso_week().year(),
                self.from.format("%d/%m"),
                self.to.format("%d/%m/%Y")
            ),
            Kind::Month => format!("tháng {}", self.from.format("%m/%Y")),
        }
    }

    /// How many days it counts.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Does it hold the day?
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// "Cùng kỳ": the same dates a year earlier (29 February becomes the 28th; a period
    /// that ran to the end of February runs to the end of February again, so a month
    /// stays a month).
    pub fn same_period_last_year(&self) -> Period {
        let back = |d: NaiveDate, end: bool| {
            let last_of_feb = d.month() == 2 && (d + Duration::days(1)).month() == 3;
            if end && last_of_feb {
                // The last day of February of the year before.
                NaiveDate::from_ymd_opt(d.year() - 1, 3, 1).map(|m| m - Duration::days(1))
            } else {
                NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day()).or_else(|| {
                    NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day().saturating_sub(1))
                })
            }
            .unwrap_or(d - Duration::days(365))
        };
        Period {
            from: back(self.from, false),
            to: back(self.to, true),
        }
    }

    /// "Cùng kỳ" of a campaign around the Tết of `lunar_year`: the same campaign
    /// around the Tết before (different solar dates, the same stretch of the season).
    pub fn same_campaign_last_year(
        lunar_year: i32,
        start: (u32, u32),
        season: TetSeason,
    ) -> Result<Period, PeriodError> {
        Period::tet_campaign(lunar_year - 1, start, season)
    }

    /// "Kỳ trước": the period of the same kind just before — the month before a month,
    /// the quarter before a quarter, the year before a year, otherwise as many days
    /// just before.
    pub fn previous(&self) -> Period {
        let whole_months = self.from.day() == 1 && (self.to + Duration::days(1)).day() == 1;
        if whole_months {
            let months = (self.to.year() - self.from.year()) * 12 + self.to.month() as i32
                - self.from.month() as i32
                + 1;
            let start_index = self.from.year() * 12 + self.from.month() as i32 - 1 - months;
            let from = NaiveDate::from_ymd_opt(
                start_index.div_euclid(12),
                start_index.rem_euclid(12) as u32 + 1,
                1,
            );
            if let Some(from) = from {
                return Period {
                    from,
                    to: self.from - Duration::days(1),
                };
            }
        }
        Period {
            from: self.from - Duration::days(self.days()),
            to: self.from - Duration::days(1),
        }
    }
}

impl std::fmt::Display for Period {
    /// As Vietnamese reports write it: "từ 15/12/2024 đến 12/02/2025", or one day.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = |x: NaiveDate| x.format("%d/%m/%Y").to_string();
        if self.from == self.to {
            write!(f, "ngày {}", d(self.from))
        } else {
            write!(f, "từ {} đến {}", d(self.from), d(self.to))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_exists_every_year_it_is_asked_for() {
        // The first lunar month of 2024 has 29 days; "to the 30th" is to its last day.
        let p = Period::tet_campaign(2024, (12, 15), TetSeason::ToDayOfFirstMonth(30)).unwrap();
        let last = Period::tet_campaign(2024, (12, 15), TetSeason::ToDayOfFirstMonth(29)).unwrap();
        assert_eq!(p, last);
        // 29 February in a common year is the 28th.
        let p = Period::tet_campaign(2024, (2, 29), TetSeason::ToFirstFullMoon).unwrap();
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2023, 2, 28).unwrap());
        assert!(
            Period::tet_campaign(2025, (2, 29), TetSeason::ToFirstFullMoon)
                .unwrap()
                .from
                .day()
                == 29
        );
        assert!(Period::tet_campaign(2025, (2, 30), TetSeason::ToFirstFullMoon).is_err());
        assert!(Period::tet_campaign(2025, (12, 15), TetSeason::ToDayOfFirstMonth(31)).is_err());
        for y in 2000..2090 {
            for last in [29, 30] {
                assert!(
                    Period::same_campaign_last_year(y, (2, 29), TetSeason::ToDayOfFirstMonth(last))
                        .is_ok(),
                    "{y}"
                );
            }
        }
    }

    #[test]
    fn reporting_periods_by_label() {
        let (k, p) = Period::parse_label("2026-W48").unwrap();
        assert_eq!(k, Kind::Week);
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(p.label(k), "2026-W48");
        let (k, p) = Period::parse_label("2024-02").unwrap();
        assert_eq!((k, p.days()), (Kind::Month, 29));
        assert_eq!(p.label(k), "2024-02");
        let (k, p) = Period::parse_label("2026-11-30").unwrap();
        assert_eq!(
            (k, p.days(), p.label(k)),
            (Kind::Day, 1, "2026-11-30".to_string())
        );
        for bad in [
            "",
            "2026",
            "2026-W54",
            "2026-13",
            "2026-02-30",
            "x-W1",
            "2026-W",
            "+202-01",
            "2026-1-1",
        ] {
            assert!(Period::parse_label(bad).is_err(), "{bad}");
        }
    }

    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_kinds_of_period() {
        assert_eq!(Period::month(2024, 2).unwrap().days(), 29);
        assert_eq!(Period::month(2025, 12).unwrap().to, d(2025, 12, 31));
        assert_eq!(Period::quarter(2025, 4).unwrap().from, d(2025, 10, 1));
        assert_eq!(Period::quarter(2025, 5), Err(PeriodError::NoSuchDate));
        let w = Period::iso_week(2025, 1).unwrap();
        assert_eq!((w.from, w.to), (d(2024, 12, 30), d(2025, 1, 5)));
        assert_eq!(Period::week_of(d(2025, 1, 5)), w);
        assert_eq!(
            Period::new(d(2025, 2, 1), d(2025, 1, 1)),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::month(2025, 3).unwrap().to_string(),
            "từ 01/03/2025 đến 31/03/2025"
        );
    }

    #[test]
    fn a_tet_campaign_and_its_same_period_last_year() {
        // Tết Ất Tỵ was 29 January 2025; Rằm tháng Giêng 12 February 2025.
        let c = Period::tet_campaign(2025, (12, 15), TetSeason::ToFirstFullMoon).unwrap();
        assert_eq!((c.from, c.to), (d(2024, 12, 15), d(2025, 2, 12)));
        // Last year's campaign ran around Tết Giáp Thìn (10 February 2024): to 24 February.
        let last =
            Period::same_campaign_last_year(2025, (12, 15), TetSeason::ToFirstFullMoon).unwrap();
        assert_eq!((last.from, last.to), (d(2023, 12, 15), d(2024, 2, 24)));
        // Not the same solar dates: the season moved by twelve days.
        assert_ne!(last, c.same_period_last_year());
        let tenth = Period::tet_campaign(2025, (12, 15), TetSeason::ToDayOfFirstMonth(10)).unwrap();
        assert_eq!(tenth.to, d(2025, 2, 7));
    }

    #[test]
    fn the_same_period_last_year_and_the_one_before() {
        let feb = Period::month(2024, 2).unwrap();
        assert_eq!(feb.same_period_last_year(), Period::month(2023, 2).unwrap());
        let feb25 = Period::month(2025, 2).unwrap();
        assert_eq!(
            feb25.same_period_last_year(),
            Period::month(2024, 2).unwrap()
        );
        assert_eq!(
            Period::day(d(2024, 2, 29)).same_period_last_year().from,
            d(2023, 2, 28)
        );
        assert_eq!(
            Period::month(2025, 1).unwrap().previous(),
            Period::month(2024, 12).unwrap()
        );
        assert_eq!(
            Period::month(2025, 3).unwrap().previous(),
            Period::month(2025, 2).unwrap()
        );
        assert_eq!(
            Period::quarter(2025, 1).unwrap().previous(),
            Period::quarter(2024, 4).unwrap()
        );
        assert_eq!(
            Period::year(2025).unwrap().previous(),
            Period::year(2024).unwrap()
        );
        let w = Period::iso_week(2025, 10).unwrap();
        assert_eq!(w.previous(), Period::iso_week(2025, 9).unwrap());
    }

    proptest! {
        #[test]
        fn previous_ends_the_day_before_and_never_overlaps(y in 1990i32..2100, m in 1u32..=12, day in 1u32..=28, len in 0i64..400) {
            let from = d(y, m, day);
            let p = Period::new(from, from + Duration::days(len)).unwrap();
            let prev = p.previous();
            prop_assert_eq!(prev.to, p.from - Duration::days(1));
            prop_assert!(prev.from <= prev.to);
            let last = p.same_period_last_year();
            prop_assert!(last.from <= last.to);
            prop_assert!((last.days() - p.days()).abs() <= 1);
        }

        #[test]
        fn every_tet_campaign_holds_its_tet(year in 1950i32..2100) {
            let c = Period::tet_campaign(year, (12, 15), TetSeason::ToFirstFullMoon).unwrap();
            let tet = keng_calendar::tet(year).unwrap();
            prop_assert!(c.contains(tet));
            prop_assert_eq!((c.to - tet).num_days(), 14);
        }
    }
}
