//! Time: stored as UTC milliseconds since the Unix epoch, shown in Asia/Ho_Chi_Minh as
//! dd/mm/yyyy HH:MM.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn local(ms: i64) -> Option<DateTime<chrono_tz::Tz>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&Ho_Chi_Minh))
}

/// "26/11/2026 10:48" in Vietnam time.
pub fn format_datetime(ms: i64) -> String {
    local(ms)
        .map(|t| t.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

/// "26/11/2026" in Vietnam time.
pub fn format_date(ms: i64) -> String {
    local(ms)
        .map(|t| t.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// ISO 8601 in UTC, for machine formats and CSV.
pub fn iso(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Parses a date typed by a person, dd/mm/yyyy (Vietnamese) or yyyy-mm-dd (HTML date
/// inputs), as the start of that day in Vietnam time.
pub fn parse_local_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()?;
    let start = date.and_hms_opt(0, 0, 0)?;
    Ho_Chi_Minh
        .from_local_datetime(&start)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// Parses a date and time typed by a person or sent by a program, in Vietnam time
/// unless it carries an offset: "2025-01-13T14:00" (HTML datetime-local),
/// "13/01/2025 14:00", or RFC 3339 ("2025-01-13T07:00:00Z").
pub fn parse_local_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())?;
    Ho_Chi_Minh
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// Today (in Vietnam) at `hour`:00, as UTC milliseconds.
pub fn today_at_hour(now_ms: i64, hour: u32) -> Option<i64> {
    let day = local(now_ms)?.date_naive();
    let t = day.and_hms_opt(hour.min(23), 0, 0)?;
    Ho_Chi_Minh
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// The value of an HTML datetime-local input, in Vietnam time.
pub fn input_datetime(ms: i64) -> String {
    local(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// "2026-03-15": the day of an instant in Vietnam time (counters group by it).
pub fn local_day(ms: i64) -> String {
    local(ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// "2026-03": the month of an instant in Vietnam time (reports group by it).
pub fn local_month(ms: i64) -> String {
    local(ms)
        .map(|t| t.format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// Today's date in Vietnam.
pub fn local_today() -> NaiveDate {
    local(now_ms())
        .map(|t| t.date_naive())
        .unwrap_or_else(|| Utc::now().date_naive())
}

/// A date typed by a person: dd/mm/yyyy or yyyy-mm-dd.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

/// The year of an instant in Vietnam time.
pub fn local_year(ms: i64) -> i32 {
    use chrono::Datelike;
    local(ms).map(|t| t.year()).unwrap_or(1970)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_vietnam_time() {
        // 2025-01-13T07:00:00Z is 14:00 in Hanoi (UTC+7).
        assert_eq!(format_datetime(1_736_751_600_000), "13/01/2025 14:00");
        assert_eq!(format_date(1_736_751_600_000), "13/01/2025");
    }

    #[test]
    fn parses_date_times_in_vietnam_time() {
        let t = Some(1_736_751_600_000); // 13/01/2025 14:00 in Hanoi
        assert_eq!(parse_local_datetime("2025-01-13T14:00"), t);
        assert_eq!(parse_local_datetime("13/01/2025 14:00"), t);
        assert_eq!(parse_local_datetime("2025-01-13T07:00:00Z"), t);
        assert_eq!(parse_local_datetime("2025-01-13T14:00:00+07:00"), t);
        assert_eq!(parse_local_datetime("tomorrow"), None);
        assert_eq!(input_datetime(1_736_751_600_000), "2025-01-13T14:00");
    }

    #[test]
    fn parses_both_date_forms() {
        let a = parse_local_date("13/01/2025");
        assert_eq!(a, parse_local_date("2025-01-13"));
        assert_eq!(a, Some(1_736_701_200_000));
        assert_eq!(parse_local_date("31/02/2025"), None);
        assert_eq!(parse_local_date("hôm qua"), None);
    }
}
