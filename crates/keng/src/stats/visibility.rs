//! Which figures count, decided here and only here: the current version of approved
//! figures for staff, and of those only the ones chosen for publication for the public
//! (never pending, rejected, withdrawn or superseded versions). Every query over
//! figures takes its condition from [`counted`], with `stat_submissions` aliased `s`.

/// Whom a query answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Staff,
    Public,
}

impl Audience {
    pub fn of(published_only: bool) -> Audience {
        if published_only {
            Audience::Public
        } else {
            Audience::Staff
        }
    }
}

/// Of the figures that count for staff, the ones that count for the public too (the
/// running totals keep both in one pass: `CASE WHEN {PUBLIC_TOO} …`).
pub const PUBLIC_TOO: &str = "s.published = TRUE";

/// The SQL condition on `stat_submissions s` for figures that count for `who`.
pub fn counted(who: Audience) -> &'static str {
    match who {
        Audience::Staff => "s.is_current = TRUE",
        // The staff's condition AND PUBLIC_TOO.
        Audience::Public => "s.is_current = TRUE AND s.published = TRUE",
    }
}

/// [`counted`] as an expression no index answers, for queries that must reach the
/// figures through another index (SQLite would otherwise walk the index of current
/// figures from the beginning of time).
pub fn counted_unindexed(who: Audience) -> String {
    format!("({}) IS TRUE", counted(who))
}

/// Appends `values` to a query's arguments and returns their placeholders
/// ("$4, $5, …") for an `IN (…)` list.
pub fn bind_list(args: &mut Vec<crate::platform::db::Value>, values: &[String]) -> String {
    let mut marks = Vec::with_capacity(values.len());
    for v in values {
        args.push(v.as_str().into());
        marks.push(format!("${}", args.len()));
    }
    marks.join(", ")
}

/// " AND s.unit_id IN (…)" for `units`, bound into `args`; nothing for none (every
/// unit).
pub fn units_in(args: &mut Vec<crate::platform::db::Value>, units: &[String]) -> String {
    if units.is_empty() {
        String::new()
    } else {
        format!(" AND s.unit_id IN ({})", bind_list(args, units))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_sees_what_staff_see_and_only_what_is_published() {
        assert_eq!(
            counted(Audience::Public),
            format!("{} AND {PUBLIC_TOO}", counted(Audience::Staff))
        );
    }
}
