//! Properties of the calendars: the lunar calendar agrees with an independent
//! implementation (lunar-vn's month starts) on every day from 1900 to 2100 and round-trips; working
//! day arithmetic is monotone, lands on working days and counts what it added; the
//! Tết deadlines of three lunar years, with a make-up working day.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use keng_calendar::{lunar_to_solar, solar_to_lunar, tet, Adjustment, WorkingCalendar};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Every day from 1900 to 2100 against the month starts an independent implementation
/// computed (tests/fixtures/lunar-months.txt, from the `lunar-vn` Python package): the
/// same lunar year, month, leap flag and day; and every date round-trips.
#[test]
fn every_day_from_1900_to_2100_matches_an_independent_implementation() {
    let fixture = include_str!("fixtures/lunar-months.txt");
    let starts: Vec<(NaiveDate, i32, u32, bool)> = fixture
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (
                NaiveDate::parse_from_str(f[0], "%Y-%m-%d").unwrap(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f.get(3) == Some(&"L"),
            )
        })
        .collect();
    assert_eq!(starts.len(), 2487);
    let mut n = 0;
    for pair in starts.windows(2) {
        let (start, year, month, leap) = pair[0];
        let days = (pair[1].0 - start).num_days();
        assert!(
            days == 29 || days == 30,
            "a month of {days} days at {start}"
        );
        for i in 0..days {
            let day = start + Duration::days(i);
            let ours = solar_to_lunar(day).unwrap();
            assert_eq!(
                (ours.year, ours.month, ours.day, ours.leap),
                (year, month, i as u32 + 1, leap),
                "{day}"
            );
            assert_eq!(lunar_to_solar(ours), Some(day), "round trip of {day}");
            n += 1;
        }
    }
    assert!(n > 73_000, "{n} days checked");
}

#[test]
fn tet_is_always_between_21_january_and_20_february() {
    for year in 1900..=2100 {
        let t = tet(year).unwrap();
        assert!(
            t >= d(year, 1, 21) && t <= d(year, 2, 20),
            "Tết {year}: {t}"
        );
    }
}

/// A police unit gets a request on the Friday before Tết: a 5-working-day limit
/// skips the weekend and the five Tết days (and their compensatory days).
#[test]
fn deadlines_skip_tet_in_2025_2026_and_2027() {
    let cal = WorkingCalendar::new([], 2024..=2028);
    // 2025 by the computed rule: Tết days 28 Jan – 1 Feb (Sat 1 Feb made up Mon 3 Feb).
    // Received Fri 24 Jan: working days 27 Jan, 4, 5, 6, 7 Feb.
    assert_eq!(cal.add_working_days(d(2025, 1, 24), 5), Some(d(2025, 2, 7)));
    // 2026: Tết days Mon 16 – Fri 20 Feb. Received Fri 13 Feb: 23–27 Feb.
    assert_eq!(
        cal.add_working_days(d(2026, 2, 13), 5),
        Some(d(2026, 2, 27))
    );
    // 2027: Tết days Fri 5 – Tue 9 Feb, made up Wed 10 and Thu 11. Received Thu 4 Feb:
    // 12, 15, 16, 17, 18 Feb.
    assert_eq!(cal.add_working_days(d(2027, 2, 4), 5), Some(d(2027, 2, 18)));
    assert_eq!(cal.working_days_between(d(2027, 2, 4), d(2027, 2, 18)), 5);
    assert_eq!(cal.working_days_between(d(2027, 2, 18), d(2027, 2, 4)), -5);
}

/// The government's actual plan for Tết 2025 was Mon 27 Jan – Fri 31 Jan (two days
/// before Tết, three after): the administrator moves the days, and adds a make-up
/// working Saturday.
#[test]
fn the_administrator_moves_tet_days_and_adds_a_make_up_day() {
    let adjust = [
        Adjustment {
            date: d(2025, 1, 27),
            working: false,
        },
        Adjustment {
            date: d(2025, 2, 3),
            working: true,
        },
        Adjustment {
            date: d(2025, 2, 8),
            working: true,
        }, // a make-up Saturday
    ];
    let cal = WorkingCalendar::new(adjust, 2024..=2026);
    assert!(!cal.is_working_day(d(2025, 1, 27)));
    assert!(cal.is_working_day(d(2025, 2, 3)));
    assert!(cal.is_working_day(d(2025, 2, 8)));
    assert_eq!(d(2025, 2, 8).weekday(), Weekday::Sat);
    // Received Fri 24 Jan: 3, 4, 5, 6, 7 Feb.
    assert_eq!(cal.add_working_days(d(2025, 1, 24), 5), Some(d(2025, 2, 7)));
    // Received Wed 5 Feb: 6, 7, Sat 8, 10, 11 Feb.
    assert_eq!(cal.add_working_days(d(2025, 2, 5), 5), Some(d(2025, 2, 11)));
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..365 * 60).prop_map(|n| d(1990, 1, 1) + Duration::days(n))
}

proptest! {
    #[test]
    fn a_deadline_lands_on_a_working_day_and_counts_back(start in any_date(), n in 1u32..40) {
        let cal = WorkingCalendar::new([], 1990..=2050);
        let end = cal.add_working_days(start, n).unwrap();
        prop_assert!(end > start);
        prop_assert!(cal.is_working_day(end));
        prop_assert_eq!(cal.working_days_between(start, end), i64::from(n));
        let later = cal.add_working_days(start, n + 1).unwrap();
        prop_assert!(later > end);
    }

    #[test]
    fn lunar_dates_round_trip(date in any_date()) {
        let l = solar_to_lunar(date).unwrap();
        prop_assert!((1..=12).contains(&l.month) && (1..=30).contains(&l.day));
        prop_assert_eq!(lunar_to_solar(l), Some(date));
    }
}
