//! The Vietnamese lunisolar calendar (âm lịch) by Hồ Ngọc Đức's algorithm: new moons and
//! the sun's longitude from the astronomical series in Meeus' "Astronomical Algorithms",
//! days reckoned in Vietnam's time zone (UTC+7). Months begin on the day of the new moon;
//! month 11 holds the winter solstice; a year of 13 months repeats the first month that
//! holds no major solar term (the leap month, tháng nhuận). Valid 1900–2100 at least
//! (checked on every day of that range against month starts computed by an independent
//! implementation, the `lunar-vn` Python package: tests/fixtures/lunar-months.txt).

use chrono::{Datelike, NaiveDate};
use std::f64::consts::PI;

/// Vietnam's offset from UTC in hours, which decides on which day a new moon falls.
const TIME_ZONE: f64 = 7.0;

/// A date of the lunar calendar. `year` is the solar year in which the lunar year
/// begins (Tết of `year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// The repeated (leap) month of a 13-month year.
    pub leap: bool,
}

fn floor(x: f64) -> i64 {
    x.floor() as i64
}

/// The Julian day number of a date.
fn julian_day(date: NaiveDate) -> i64 {
    // chrono counts days from 0001-01-01 (day 1); JD of 0001-01-01 (proleptic
    // Gregorian) is 1721426.
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn from_julian_day(jd: i64) -> Option<NaiveDate> {
    let days = i32::try_from(jd - 1_721_425).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// The moment (Julian date, UT) of the k-th new moon after the one of 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
    jd1 += 0.00033 * ((166.56 + 132.87 * t - 0.009173 * t2) * dr).sin();
    let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
    let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
    let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
    // Each line adds and subtracts its terms as written (`c1 - a + b`, not `c1 - (a + b)`:
    // ports that fold them into `-=` shift new moons by hours and months by a day).
    let s = |x: f64| (x * dr).sin();
    let mut c1 = (0.1734 - 0.000393 * t) * s(m) + 0.0021 * s(2.0 * m);
    c1 = c1 - 0.4068 * s(mpr) + 0.0161 * s(2.0 * mpr);
    c1 -= 0.0004 * s(3.0 * mpr);
    c1 = c1 + 0.0104 * s(2.0 * f) - 0.0051 * s(m + mpr);
    c1 = c1 - 0.0074 * s(m - mpr) + 0.0004 * s(2.0 * f + m);
    c1 = c1 - 0.0004 * s(2.0 * f - m) - 0.0006 * s(2.0 * f + mpr);
    c1 = c1 + 0.0010 * s(2.0 * f - mpr) + 0.0005 * s(2.0 * mpr + m);
    let delta_t = if t < -11.0 {
        0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    } else {
        -0.000278 + 0.000265 * t + 0.000262 * t2
    };
    jd1 + c1 - delta_t
}

/// The sun's apparent longitude in radians at a Julian date (UT).
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2451545.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
    let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
    let mut dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * (dr * m).sin();
    dl += (0.019993 - 0.000101 * t) * (dr * 2.0 * m).sin() + 0.000290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - PI * 2.0 * (l / (PI * 2.0)).floor()
}

/// Which of the twelve 30° sectors the sun is in at the start of a local day.
fn sun_sector(day: i64) -> i64 {
    floor(sun_longitude(day as f64 - 0.5 - TIME_ZONE / 24.0) / PI * 6.0)
}

/// The local day on which the k-th new moon falls.
fn new_moon_day(k: i64) -> i64 {
    floor(new_moon(k) + 0.5 + TIME_ZONE / 24.0)
}

/// The first day of the lunar month holding the winter solstice of `year`.
fn month_11(year: i32) -> Option<i64> {
    let off = julian_day(NaiveDate::from_ymd_opt(year, 12, 31)?) - 2415021;
    let k = floor(off as f64 / 29.530588853);
    let nm = new_moon_day(k);
    Some(if sun_sector(nm) >= 9 {
        new_moon_day(k - 1)
    } else {
        nm
    })
}

/// In a 13-month year starting at month 11 `a11`, how many months after it the leap
/// month comes.
fn leap_month_offset(a11: i64) -> i64 {
    let k = floor((a11 as f64 - 2415021.076998695) / 29.530588853 + 0.5);
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

/// The lunar date of a solar date (None outside the years chrono can hold).
pub fn solar_to_lunar(date: NaiveDate) -> Option<LunarDate> {
    let day_number = julian_day(date);
    // The estimate of which new moon begins the month can be one too far (e.g. on
    // 2054-05-07): step back until the month starts on or before the day.
    let mut k = floor((day_number as f64 - 2415021.076998695) / 29.530588853) + 1;
    let mut month_start = new_moon_day(k);
    while month_start > day_number {
        k -= 1;
        month_start = new_moon_day(k);
    }
    let yy = date.year();
    let mut a11 = month_11(yy)?;
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = yy;
        a11 = month_11(yy - 1)?;
    } else {
        lunar_year = yy + 1;
        b11 = month_11(yy + 1)?;
    }
    let day = day_number - month_start + 1;
    let diff = floor((month_start - a11) as f64 / 29.0);
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11);
        if diff >= leap_diff {
            month = diff + 10;
            leap = diff == leap_diff;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Some(LunarDate {
        year: lunar_year,
        month: u32::try_from(month).ok()?,
        day: u32::try_from(day).ok()?,
        leap,
    })
}

/// The solar date of a lunar date; None when the date does not exist (a leap month the
/// year does not have, a day past the month's end, a month outside 1–12).
pub fn lunar_to_solar(lunar: LunarDate) -> Option<NaiveDate> {
    if !(1..=12).contains(&lunar.month) || !(1..=30).contains(&lunar.day) {
        return None;
    }
    let month = i64::from(lunar.month);
    let (a11, b11) = if month < 11 {
        (month_11(lunar.year - 1)?, month_11(lunar.year)?)
    } else {
        (month_11(lunar.year)?, month_11(lunar.year + 1)?)
    };
    let k = floor(0.5 + (a11 as f64 - 2415021.076998695) / 29.530588853);
    let mut off = month - 11;
    if off < 0 {
        off += 12;
    }
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if lunar.leap && month != leap_month {
            return None;
        }
        if lunar.leap || off >= leap_off {
            off += 1;
        }
    } else if lunar.leap {
        return None;
    }
    let month_start = new_moon_day(k + off);
    let date = from_julian_day(month_start + i64::from(lunar.day) - 1)?;
    // A 30th day in a 29-day month is the next month's first: not a date.
    (solar_to_lunar(date)? == lunar).then_some(date)
}

/// Tết Nguyên đán of a solar year: the first day of the first lunar month.
pub fn tet(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_falls_on_the_dates_vietnam_kept() {
        for (year, date) in [
            (1985, d(1985, 1, 21)), // a month before China's (20 Feb 1985): UTC+7 matters
            (2007, d(2007, 2, 17)),
            (2020, d(2020, 1, 25)),
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
            (2028, d(2028, 1, 26)),
        ] {
            assert_eq!(tet(year), Some(date), "Tết {year}");
        }
    }

    #[test]
    fn leap_months_are_found() {
        // 2023 repeated the 2nd month (tháng 2 nhuận: 22 Mar – 19 Apr 2023).
        let leap = solar_to_lunar(d(2023, 3, 22)).unwrap();
        assert_eq!((leap.month, leap.leap), (2, true));
        assert_eq!(
            lunar_to_solar(LunarDate {
                year: 2023,
                month: 2,
                day: 1,
                leap: true
            }),
            Some(d(2023, 3, 22))
        );
        // 2025 repeated the 6th month (25 Jul – 22 Aug 2025).
        let leap = solar_to_lunar(d(2025, 7, 25)).unwrap();
        assert_eq!((leap.month, leap.leap, leap.day), (6, true, 1));
        // 2026 has no leap month.
        assert_eq!(
            lunar_to_solar(LunarDate {
                year: 2026,
                month: 6,
                day: 1,
                leap: true
            }),
            None
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(
            lunar_to_solar(LunarDate {
                year: 2025,
                month: 13,
                day: 1,
                leap: false
            }),
            None
        );
        assert_eq!(
            lunar_to_solar(LunarDate {
                year: 2025,
                month: 1,
                day: 0,
                leap: false
            }),
            None
        );
        // The 12th month of Giáp Thìn (lunar 2024) had 29 days.
        assert_eq!(
            lunar_to_solar(LunarDate {
                year: 2024,
                month: 12,
                day: 30,
                leap: false
            }),
            None
        );
    }
}
