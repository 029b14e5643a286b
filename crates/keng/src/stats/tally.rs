//! Sums of the figures that count, for groups of units over ranges of days: the one
//! arithmetic behind reports, campaigns, the dashboard and the public figures. A figure
//! counts in a range when its last day lies in the range and its first day is not
//! before the range's outer edge (a report's first day: figures straddling it are
//! counted out, never prorated). The sums come from the running totals (`running`) when
//! they are current — two rows per series, whatever the period's length — and otherwise
//! from a scan of the figures; both give the same numbers (`keng stats verify` checks).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use keng_stats::Period;

use super::model::{day, day_str, Units};
use super::running::{self, day_no};
use super::visibility::{counted, counted_unindexed, units_in, Audience};
use crate::platform::db::{Db, Value};
use crate::platform::errors::AppResult;

/// Units whose figures a group adds up: whole subtrees, and units' own figures.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub subtrees: Vec<String>,
    pub own: Vec<String>,
}

impl Group {
    /// A unit and everything under it.
    pub fn subtree(unit: &str) -> Group {
        Group {
            subtrees: vec![unit.to_string()],
            own: Vec::new(),
        }
    }

    /// A unit's own figures only.
    pub fn own(unit: &str) -> Group {
        Group {
            subtrees: Vec::new(),
            own: vec![unit.to_string()],
        }
    }
}

/// Days `from..=to` (numbers), counting figures whose first day is not before `outer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
    pub outer: i64,
}

impl Range {
    /// A whole period: figures wholly inside it.
    pub fn of(p: Period) -> Range {
        Range {
            from: day_no(p.from),
            to: day_no(p.to),
            outer: day_no(p.from),
        }
    }
}

/// (sum, number of figures) per (group index, measure id). The ids are shared: a
/// breakdown has a key per unit and measure.
pub type Sums = HashMap<(usize, Arc<str>), (f64, i64)>;

/// The key of group `g`'s sum of measure `m`.
pub fn key(g: usize, m: &str) -> (usize, Arc<str>) {
    (g, Arc::from(m))
}

/// One shared copy of each measure id met.
#[derive(Default)]
struct Names(HashSet<Arc<str>>);

impl Names {
    fn get(&mut self, m: &str) -> Arc<str> {
        if let Some(a) = self.0.get(m) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(m);
        self.0.insert(a.clone());
        a
    }
}

/// Which representation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The running totals when current, else a scan.
    Auto,
    /// The running totals (an error when they are not current).
    Running,
    /// A scan of the figures.
    Scan,
}

/// The sums per range, per group and measure, of the figures that count for `who`.
pub async fn sums(
    db: &Db,
    units: &Units,
    who: Audience,
    ranges: &[Range],
    groups: &[Group],
    via: Via,
) -> AppResult<Vec<Sums>> {
    let groups: Vec<Group> = groups.iter().map(|g| normalise(units, g)).collect();
    let horizon = match via {
        Via::Scan => None,
        _ => running::current(db).await?,
    };
    let mut out = match (via, horizon) {
        (_, Some(h)) => from_running(db, units, who, ranges, &groups, h).await?,
        (Via::Running, None) => {
            return Err(crate::platform::errors::AppError::Internal(
                "the running totals are not current".into(),
            ))
        }
        _ => from_scan(db, units, who, ranges, &groups).await?,
    };
    for s in &mut out {
        for v in s.values_mut() {
            v.0 = (v.0 * 1e6).round() / 1e6;
        }
    }
    Ok(out)
}

/// Drops what a group counts twice: subtrees inside another of its subtrees, own
/// figures inside one of its subtrees.
fn normalise(units: &Units, g: &Group) -> Group {
    let inside = |u: &str| units.path(u).iter().skip(1).any(|a| g.subtrees.contains(a));
    let mut subtrees: Vec<String> = Vec::new();
    for u in &g.subtrees {
        if !inside(u) && !subtrees.contains(u) {
            subtrees.push(u.clone());
        }
    }
    let mut own: Vec<String> = Vec::new();
    for u in &g.own {
        if !subtrees.contains(u) && !inside(u) && !own.contains(u) {
            own.push(u.clone());
        }
    }
    Group { subtrees, own }
}

/// The groups (indexes) a unit's figures count in.
fn membership(units: &Units, groups: &[Group]) -> HashMap<String, Vec<usize>> {
    let mut m: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        let mut members: BTreeSet<String> = g.own.iter().cloned().collect();
        for r in &g.subtrees {
            members.extend(units.subtree(r));
        }
        for u in members {
            m.entry(u).or_default().push(i);
        }
    }
    m
}

/// A figure row's groups, last day and measure (None when its unit is in no group).
fn figure<'a>(
    row: &crate::platform::db::Row,
    member_of: &'a HashMap<String, Vec<usize>>,
) -> crate::platform::db::DbResult<Option<(&'a Vec<usize>, i64, String)>> {
    let Some(gs) = member_of.get(&row.str("unit_id")?) else {
        return Ok(None);
    };
    let Some(pt) = day(&row.str("period_to")?).map(day_no) else {
        return Ok(None);
    };
    Ok(Some((gs, pt, row.str("measure_id")?)))
}

fn add(s: &mut Sums, g: usize, m: &Arc<str>, v: f64, n: i64) {
    let e = s.entry((g, m.clone())).or_insert((0.0, 0));
    e.0 += v;
    e.1 += n;
}

async fn from_running(
    db: &Db,
    units: &Units,
    who: Audience,
    ranges: &[Range],
    groups: &[Group],
    horizon: i64,
) -> AppResult<Vec<Sums>> {
    // Each group's series, as (unit, subtree) pairs.
    let series: Vec<Vec<(String, bool)>> = groups
        .iter()
        .map(|g| {
            let mut v: Vec<(String, bool)> = g
                .subtrees
                .iter()
                .map(|u| (u.clone(), !units.children(u).is_empty()))
                .collect();
            v.extend(g.own.iter().map(|u| (u.clone(), false)));
            v
        })
        .collect();
    let mut days: BTreeSet<i64> = BTreeSet::new();
    for r in ranges {
        days.insert((r.from - 1).min(horizon));
        days.insert(r.to.min(horizon));
    }
    let days: Vec<i64> = days.into_iter().collect();
    let pairs: HashSet<(&str, bool)> = series
        .iter()
        .flatten()
        .map(|(u, sub)| (u.as_str(), *sub))
        .collect();
    let wanted: BTreeSet<String> = series.iter().flatten().map(|(u, _)| u.clone()).collect();
    let wanted: Vec<String> = wanted.into_iter().collect();
    // Only own or only subtree series when every group wants the same kind.
    let kind = match (
        pairs.iter().any(|(_, sub)| *sub),
        pairs.iter().any(|(_, sub)| !*sub),
    ) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    let rows = running::at(db, &days, Some(&wanted), kind).await?;
    // Index the rows by (unit, subtree) → day → measures (sorted by id).
    type Day<'a> = Vec<(&'a str, running::Totals)>;
    let mut by_series: HashMap<(&str, bool), HashMap<i64, Day>> = HashMap::new();
    for p in &rows {
        let k = (p.unit_id.as_str(), p.subtree);
        if !pairs.contains(&k) {
            continue;
        }
        let entries = p
            .entries()
            .map_err(|e| crate::platform::errors::AppError::Internal(e.to_string()))?;
        by_series.entry(k).or_default().insert(p.day, entries);
    }
    let none: Day = Vec::new();
    let mut names = Names::default();
    let mut out = Vec::with_capacity(ranges.len());
    for r in ranges {
        let (lo, hi) = ((r.from - 1).min(horizon), r.to.min(horizon));
        // Sized for a breakdown (one range); a day-by-day answer has many small ones.
        let mut s = if ranges.len() == 1 {
            Sums::with_capacity(series.len() * 64)
        } else {
            Sums::new()
        };
        for (gi, list) in series.iter().enumerate() {
            for (u, sub) in list {
                let Some(at) = by_series.get(&(u.as_str(), *sub)) else {
                    continue;
                };
                // Both days' measures are sorted by id: walk them together.
                let mut start = at.get(&lo).unwrap_or(&none).iter().peekable();
                for (m, end) in at.get(&hi).unwrap_or(&none) {
                    let end = running::of(end, who);
                    while start.next_if(|(k, _)| k < m).is_some() {}
                    let begin = start
                        .next_if(|(k, _)| k == m)
                        .map(|(_, t)| running::of(t, who))
                        .unwrap_or((0.0, 0));
                    if end.1 - begin.1 > 0 {
                        add(&mut s, gi, &names.get(m), end.0 - begin.0, end.1 - begin.1);
                    }
                }
            }
        }
        out.push(s);
    }
    // Figures longer than a day that began before a range's outer edge are in the
    // running totals but do not count.
    let member_of = membership(units, groups);
    let mut outers: Vec<i64> = ranges.iter().map(|r| r.outer).collect();
    outers.sort_unstable();
    outers.dedup();
    for outer in outers {
        let upper = ranges
            .iter()
            .filter(|r| r.outer == outer)
            .map(|r| r.to)
            .max()
            .unwrap_or(outer)
            .min(outer + 31);
        let sql = format!(
            "SELECT s.unit_id, s.period_to, v.measure_id, v.value
               FROM stat_submissions s JOIN stat_values v ON v.submission_id = s.id
              WHERE s.period_kind <> 'day' AND s.period_to >= $1 AND s.period_to <= $2
                AND s.period_from < $1 AND {}",
            counted_unindexed(who)
        );
        let args: Vec<Value> = vec![
            day_str(running::day_of(outer)).into(),
            day_str(running::day_of(upper)).into(),
        ];
        for row in db.fetch_all(&sql, &args).await? {
            let Some((gs, pt, m)) = figure(&row, &member_of)? else {
                continue;
            };
            let v = row.opt_f64("value")?.unwrap_or(0.0);
            for (ri, r) in ranges.iter().enumerate() {
                if r.outer == outer && r.from <= pt && pt <= r.to {
                    for g in gs {
                        add(&mut out[ri], *g, &names.get(&m), -v, -1);
                    }
                }
            }
        }
    }
    for s in &mut out {
        s.retain(|_, (_, n)| *n > 0);
    }
    Ok(out)
}

async fn from_scan(
    db: &Db,
    units: &Units,
    who: Audience,
    ranges: &[Range],
    groups: &[Group],
) -> AppResult<Vec<Sums>> {
    let member_of = membership(units, groups);
    let members: Vec<String> = member_of.keys().cloned().collect();
    let mut out: Vec<Sums> = vec![Sums::new(); ranges.len()];
    let mut names = Names::default();
    let mut outers: Vec<i64> = ranges.iter().map(|r| r.outer).collect();
    outers.sort_unstable();
    outers.dedup();
    for outer in outers {
        let mine: Vec<(usize, &Range)> = ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| r.outer == outer)
            .collect();
        let lo = mine.iter().map(|(_, r)| r.from).min().unwrap_or(outer);
        let hi = mine.iter().map(|(_, r)| r.to).max().unwrap_or(outer);
        let mut args: Vec<Value> = vec![
            day_str(running::day_of(outer)).into(),
            day_str(running::day_of(lo)).into(),
            day_str(running::day_of(hi)).into(),
        ];
        let unit_filter = if members.len() <= 400 {
            units_in(&mut args, &members)
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT s.unit_id, s.period_to, v.measure_id, SUM(v.value) AS total, COUNT(*) AS n
               FROM stat_submissions s JOIN stat_values v ON v.submission_id = s.id
              WHERE {} AND s.period_from >= $1 AND s.period_from <= $3
                AND s.period_to >= $2 AND s.period_to <= $3{unit_filter}
              GROUP BY s.unit_id, s.period_to, v.measure_id",
            counted(who)
        );
        for row in db.fetch_all(&sql, &args).await? {
            let Some((gs, pt, m)) = figure(&row, &member_of)? else {
                continue;
            };
            let v = row.opt_f64("total")?.unwrap_or(0.0);
            let n = row.i64("n")?;
            for (ri, r) in &mine {
                if r.from <= pt && pt <= r.to {
                    for g in gs {
                        add(&mut out[*ri], *g, &names.get(&m), v, n);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The ranges of a period cut into buckets starting at `starts` (sorted, inside the
/// period): each bucket counts the figures whose last day falls in it and whose first
/// day is inside the period.
pub fn buckets(period: Period, starts: &[NaiveDate]) -> Vec<Range> {
    let outer = day_no(period.from);
    let end = day_no(period.to);
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| Range {
            from: day_no(*s).max(outer),
            to: starts
                .get(i + 1)
                .map(|n| day_no(*n) - 1)
                .unwrap_or(end)
                .min(end),
            outer,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_the_period_once() {
        let d = |m, x| NaiveDate::from_ymd_opt(2025, m, x).unwrap_or_default();
        let p = Period {
            from: d(1, 3),
            to: d(2, 10),
        };
        let r = buckets(p, &[d(1, 1), d(2, 1)]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].from, day_no(d(1, 3)));
        assert_eq!(r[0].to, day_no(d(1, 31)));
        assert_eq!(r[1].from, day_no(d(2, 1)));
        assert_eq!(r[1].to, day_no(d(2, 10)));
        assert!(r.iter().all(|x| x.outer == day_no(d(1, 3))));
    }
}
