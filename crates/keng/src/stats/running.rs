//! Running totals of the figures. A series is one unit's own figures, or a unit's whole
//! subtree (for units with units under them); `stat_running` holds, for every day from
//! the series' first figure to the horizon (the last day any counted figure reaches),
//! one row with every measure's sum and count of the figures that count — for staff and
//! for the public, as `visibility` decides — whose last day is on or before that day,
//! packed (`keng_stats::running`). A sum over any period is then two rows per series
//! instead of a scan of the figures (`tally` reads them): a province-wide report reads
//! two rows, a breakdown by unit two per unit.
//!
//! The rows are derived data. The `stats.running` follower keeps them current from the
//! event log: an approval, a correction or a publication recomputes the series it
//! touches from the day it touches, in one transaction and from the figures themselves
//! (so a replayed event changes nothing). They are built on demand — `keng stats
//! rebuild`, for a province whose figures have grown past what a scan answers quickly —
//! and kept from then on; a database where they were never built (the demo, a small
//! province) has reports scan the figures, and so does one whose totals lag the log:
//! [`current`] says whether they may answer, so an answer is never stale.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use super::model::{day, day_str, Units};
use super::visibility::{counted, Audience, PUBLIC_TOO};
use crate::args;
use crate::platform::clock::now_ms;
use crate::platform::db::{Backend, Db, Tx, Value};
use crate::platform::events::{self, Event, Follower};

/// The follower's name (its cursor in `follower_cursors`).
pub const FOLLOWER: &str = "stats.running";

/// The entities whose events change what the running totals hold.
const RELEVANT: [&str; 4] = ["stat_submission", "stat_publication", "stat_demo", "unit"];

/// Rows per INSERT statement (4 parameters each, a few KB of packed totals): SQLite's
/// driver looks every parameter's name up by walking a list, so its statements stay
/// short.
fn chunk(b: Backend) -> usize {
    match b {
        Backend::Sqlite => 50,
        Backend::Postgres => 200,
    }
}
/// The longest period a figure may cover (a month), in days.
const LONGEST: i64 = 31;

/// A day as a number (days since 1970-01-01), the running totals' key.
pub fn day_no(d: NaiveDate) -> i64 {
    (d - epoch()).num_days()
}

/// The day of a day number.
pub fn day_of(n: i64) -> NaiveDate {
    epoch() + Duration::days(n)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

pub use keng_stats::running::Totals;
use keng_stats::running::{pack_rounded, unpack, PackError};

/// (sum, count) of `t` for `who`.
pub fn of(t: &Totals, who: Audience) -> (f64, i64) {
    t.pick(who == Audience::Public)
}

fn totals_from_row(r: &crate::platform::db::Row) -> crate::platform::db::DbResult<Totals> {
    Ok(Totals {
        staff: r.opt_f64("staff")?.unwrap_or(0.0),
        staff_n: r.i64("staff_n")?,
        public: r.opt_f64("pub")?.unwrap_or(0.0),
        public_n: r.i64("pub_n")?,
    })
}

/// One series' day as stored: a unit's own figures or its whole subtree, every
/// measure's totals packed (`keng_stats::running`).
#[derive(Debug, Clone)]
pub struct Packed {
    pub unit_id: String,
    pub subtree: bool,
    pub day: i64,
    pub body: Vec<u8>,
}

impl Packed {
    /// Measure → totals, sorted by measure id, borrowing the ids.
    pub fn entries(&self) -> Result<Vec<(&str, Totals)>, PackError> {
        unpack(&self.body)
    }
}

/// The state row: the horizon and the event-log position the last build saw.
#[derive(Debug, Clone, Copy)]
struct State {
    horizon: i64,
    built_upto: i64,
}

async fn state(db: impl Into<crate::platform::db::Conn<'_>>) -> anyhow::Result<Option<State>> {
    let mut c = db.into();
    Ok(
        match c
            .fetch_optional(
                "SELECT horizon, built_upto FROM stat_running_state WHERE id = 1",
                &[],
            )
            .await?
        {
            Some(r) => Some(State {
                horizon: r.i64("horizon")?,
                built_upto: r.i64("built_upto")?,
            }),
            None => None,
        },
    )
}

fn relevant_list() -> String {
    RELEVANT
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The horizon when the running totals may answer: built, and no event that changes
/// figures waiting for the follower. None when a report must scan the figures.
pub async fn current(db: &Db) -> crate::platform::db::DbResult<Option<i64>> {
    let sql = format!(
        "SELECT st.horizon, EXISTS (SELECT 1 FROM events e
                 WHERE e.id > COALESCE((SELECT c.position FROM follower_cursors c WHERE c.name = $1), 0)
                   AND e.id > st.built_upto AND e.entity IN ({})) AS behind
           FROM stat_running_state st WHERE st.id = 1",
        relevant_list()
    );
    match db.fetch_optional(&sql, args![FOLLOWER]).await? {
        Some(r) if !r.bool("behind")? => Ok(Some(r.i64("horizon")?)),
        _ => Ok(None),
    }
}

/// The running totals at each of `days` (each at most the horizon) of the series of
/// `units` (every unit when None or long), only own or only subtree series when
/// `subtree` says. A series missing at a day has no figure on or before it (zero).
pub async fn at(
    db: &Db,
    days: &[i64],
    units: Option<&[String]>,
    subtree: Option<bool>,
) -> crate::platform::db::DbResult<Vec<Packed>> {
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Value> = Vec::new();
    let mut marks = Vec::new();
    for d in days {
        args.push((*d).into());
        marks.push(format!("${}", args.len()));
    }
    let mut filter = match units {
        Some(list) if !list.is_empty() && list.len() <= 400 => {
            format!(
                " AND unit_id IN ({})",
                super::visibility::bind_list(&mut args, list)
            )
        }
        _ => String::new(),
    };
    if let Some(sub) = subtree {
        args.push(sub.into());
        filter.push_str(&format!(" AND subtree = ${}", args.len()));
    }
    let sql = format!(
        "SELECT unit_id, subtree, day, body FROM stat_running WHERE day IN ({}){filter}",
        marks.join(", ")
    );
    let rows = db.fetch_all(&sql, &args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Packed {
            unit_id: r.str("unit_id")?,
            subtree: r.bool("subtree")?,
            day: r.i64("day")?,
            body: r.opt_bytes("body")?.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The follower that keeps the running totals current.
pub struct Running;

#[async_trait::async_trait]
impl Follower for Running {
    fn name(&self) -> &str {
        FOLLOWER
    }

    async fn handle(&self, db: &Db, e: &Event) -> anyhow::Result<()> {
        if !RELEVANT.contains(&e.entity.as_str()) {
            return Ok(());
        }
        let Some(st) = state(db).await? else {
            // Never built: nothing to keep (reports scan the figures).
            return Ok(());
        };
        if e.id <= st.built_upto {
            return Ok(());
        }
        match e.entity.as_str() {
            "stat_demo" => {
                rebuild(db, &mut |_, _| {}).await?;
            }
            "stat_submission"
                if matches!(
                    e.kind.as_str(),
                    "stat_submission.approved" | "stat_submission.superseded"
                ) =>
            {
                if let Some(r) = db
                    .fetch_optional(
                        "SELECT unit_id, period_to FROM stat_submissions WHERE id = $1",
                        args![e.entity_id.as_str()],
                    )
                    .await?
                {
                    if let Some(d) = day(&r.str("period_to")?) {
                        apply(db, &[(r.str("unit_id")?, day_no(d))], &[]).await?;
                    }
                }
            }
            "stat_publication" => {
                let after = &e.payload["after"];
                let from = after["from"].as_str().and_then(day);
                let ids: Vec<String> = after["unit_ids"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                match from {
                    Some(f) if !ids.is_empty() => {
                        let changes: Vec<(String, i64)> =
                            ids.into_iter().map(|u| (u, day_no(f))).collect();
                        apply(db, &changes, &[]).await?;
                    }
                    // An event from before publications named their units.
                    _ => rebuild(db, &mut |_, _| {}).await?,
                }
            }
            "unit" => {
                // A first unit under one that had none: that one's subtree series are
                // new (until now its own figures were its whole subtree).
                let parent = db
                    .fetch_optional(
                        "SELECT parent_id FROM units WHERE id = $1",
                        args![e.entity_id.as_str()],
                    )
                    .await?
                    .and_then(|r| r.opt_str("parent_id").ok().flatten());
                if let Some(p) = parent {
                    let series = |subtree: bool| {
                        let p = p.clone();
                        async move {
                            db.fetch_optional(
                                "SELECT day FROM stat_running WHERE unit_id = $1 AND subtree = $2 LIMIT 1",
                                args![p.as_str(), subtree],
                            )
                            .await
                            .map(|r| r.is_some())
                        }
                    };
                    if series(false).await? && !series(true).await? {
                        apply(db, &[], &[(p, 0)]).await?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

async fn load_units(db: &Db) -> anyhow::Result<Units> {
    Ok(Units::new(crate::accounts::store::list_units(db).await?))
}

/// The daily sums (by the figures' last day) of `members`' counted figures from `from`
/// on: measure → day → totals. `members` None: every unit.
async fn daily(
    c: &mut Tx,
    members: Option<&[String]>,
    from: i64,
) -> anyhow::Result<BTreeMap<String, BTreeMap<i64, Totals>>> {
    let mut args: Vec<Value> = vec![
        day_str(day_of(from - LONGEST)).into(),
        day_str(day_of(from)).into(),
    ];
    let unit_filter = match members {
        Some(m) if m.len() <= 400 => super::visibility::units_in(&mut args, m),
        _ => String::new(),
    };
    let sql = format!(
        "SELECT s.unit_id, s.period_to, v.measure_id, SUM(v.value) AS staff, COUNT(*) AS staff_n,
                SUM(CASE WHEN {PUBLIC_TOO} THEN v.value ELSE 0 END) AS pub,
                SUM(CASE WHEN {PUBLIC_TOO} THEN 1 ELSE 0 END) AS pub_n
           FROM stat_submissions s JOIN stat_values v ON v.submission_id = s.id
          WHERE {} AND s.period_from >= $1 AND s.period_to >= $2{unit_filter}
          GROUP BY s.unit_id, s.period_to, v.measure_id",
        counted(Audience::Staff)
    );
    let keep: Option<BTreeSet<&String>> = members.map(|m| m.iter().collect());
    let mut out: BTreeMap<String, BTreeMap<i64, Totals>> = BTreeMap::new();
    for r in c.fetch_all(&sql, &args).await? {
        let unit = r.str("unit_id")?;
        if keep.as_ref().is_some_and(|k| !k.contains(&unit)) {
            continue;
        }
        let Some(d) = day(&r.str("period_to")?) else {
            continue;
        };
        out.entry(r.str("measure_id")?)
            .or_default()
            .entry(day_no(d))
            .or_default()
            .add(&totals_from_row(&r)?);
    }
    Ok(out)
}

/// Writes the days of one series (day, measures' totals packed), a statement per
/// [`chunk`]; the bodies move into the statement's arguments.
async fn write(
    tx: &mut Tx,
    unit: &str,
    subtree: bool,
    days: Vec<(i64, Vec<u8>)>,
) -> anyhow::Result<()> {
    let per = chunk(tx.backend());
    let mut days = days.into_iter();
    loop {
        let part: Vec<(i64, Vec<u8>)> = days.by_ref().take(per).collect();
        if part.is_empty() {
            return Ok(());
        }
        let mut sql = String::with_capacity(80 + part.len() * 24);
        sql.push_str("INSERT INTO stat_running (day, unit_id, subtree, body) VALUES ");
        let mut args: Vec<Value> = Vec::with_capacity(part.len() * 4);
        for (k, (d, body)) in part.into_iter().enumerate() {
            let b = k * 4;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
            args.extend([
                Value::from(d),
                unit.into(),
                subtree.into(),
                Value::Bytes(Some(body)),
            ]);
        }
        tx.execute(&sql, &args).await?;
    }
}

/// Dense running days of one series from `start` to `horizon`: `base` carried in (measure
/// → totals), plus each day's sums (measure → day → totals). Days before the series'
/// first figure are left out.
fn dense(
    mut run: BTreeMap<String, Totals>,
    sums: &BTreeMap<String, BTreeMap<i64, Totals>>,
    start: i64,
    horizon: i64,
) -> anyhow::Result<Vec<(i64, Vec<u8>)>> {
    let mut out = Vec::with_capacity((horizon - start + 1).max(0) as usize);
    // Each day's sums, by day.
    let mut by_day: BTreeMap<i64, Vec<(&String, &Totals)>> = BTreeMap::new();
    for (m, days) in sums {
        for (d, t) in days.range(start..=horizon) {
            by_day.entry(*d).or_default().push((m, t));
        }
    }
    for d in start..=horizon {
        if let Some(list) = by_day.get(&d) {
            for (m, t) in list {
                run.entry((*m).clone()).or_default().add(t);
            }
        }
        if !run.is_empty() {
            out.push((d, pack_rounded(&run)?));
        }
    }
    Ok(out)
}

/// Recomputes, from the day given, the series that figures of `own` (unit, first day
/// changed) touch — the unit's own series and the subtree series of every unit above it
/// that has units under it — and the subtree series of `trees` (unit, day), in one
/// transaction. Idempotent: every row written is read from the figures.
async fn apply(db: &Db, own: &[(String, i64)], trees: &[(String, i64)]) -> anyhow::Result<()> {
    let units = load_units(db).await?;
    let mut tx = db.begin().await?;
    let Some(st) = state(&mut tx).await? else {
        return Ok(());
    };
    // What to recompute, from which day.
    let mut dirty: BTreeMap<(String, bool), i64> = BTreeMap::new();
    let mut mark = |u: &str, subtree: bool, d: i64| {
        let e = dirty.entry((u.to_string(), subtree)).or_insert(d);
        *e = (*e).min(d);
    };
    for (u, d) in own {
        mark(u, false, *d);
        for a in units.path(u) {
            if !units.children(&a).is_empty() {
                mark(&a, true, *d);
            }
        }
    }
    for (u, d) in trees {
        if !units.children(u).is_empty() {
            mark(u, true, *d);
        }
    }
    // The horizon moves to the newest counted figure's last day; every series is
    // carried forward to it.
    let newest = tx
        .fetch_one(
            &format!(
                "SELECT MAX(s.period_to) AS last FROM stat_submissions s WHERE {} AND s.period_from >= $1",
                counted(Audience::Staff)
            ),
            args![day_str(day_of(st.horizon - LONGEST))],
        )
        .await?
        .opt_str("last")?
        .and_then(|s| day(&s))
        .map(day_no);
    let horizon = newest.unwrap_or(st.horizon).max(st.horizon);
    for d in st.horizon + 1..=horizon {
        tx.execute(
            "INSERT INTO stat_running (day, unit_id, subtree, body)
             SELECT $1, unit_id, subtree, body FROM stat_running WHERE day = $2",
            args![d, d - 1],
        )
        .await?;
    }
    for ((unit, subtree), from) in dirty {
        let members = if subtree {
            units.subtree(&unit)
        } else {
            vec![unit.clone()]
        };
        let sums = daily(&mut tx, Some(&members), from).await?;
        let base = tx
            .fetch_optional(
                "SELECT body FROM stat_running WHERE day = $1 AND unit_id = $2 AND subtree = $3",
                args![from - 1, unit.as_str(), subtree],
            )
            .await?;
        let base = match base {
            Some(r) => {
                keng_stats::running::unpack_owned(&r.opt_bytes("body")?.unwrap_or_default())?
            }
            None => BTreeMap::new(),
        };
        tx.execute(
            "DELETE FROM stat_running WHERE unit_id = $1 AND subtree = $2 AND day >= $3",
            args![unit.as_str(), subtree, from],
        )
        .await?;
        write(&mut tx, &unit, subtree, dense(base, &sums, from, horizon)?).await?;
    }
    tx.execute(
        "UPDATE stat_running_state SET horizon = $1 WHERE id = 1",
        args![horizon],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rebuilds every series from the figures (the demo, `keng stats rebuild`, a node that
/// finds them never built). `progress(done, total)` is told the units done. While it
/// runs, reports scan the figures.
pub async fn rebuild(
    db: &Db,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> anyhow::Result<()> {
    let head = events::head(db).await?;
    let units = load_units(db).await?;
    {
        let mut tx = db.begin().await?;
        tx.execute("DELETE FROM stat_running_state", &[]).await?;
        super::notes::rebuild(&mut tx).await?;
        match tx.backend() {
            Backend::Postgres => tx.execute("TRUNCATE stat_running", &[]).await?,
            Backend::Sqlite => tx.execute("DELETE FROM stat_running", &[]).await?,
        };
        tx.commit().await?;
    }
    let span = db
        .fetch_one(
            &format!(
                "SELECT MIN(s.period_to) AS first, MAX(s.period_to) AS last FROM stat_submissions s WHERE {}",
                counted(Audience::Staff)
            ),
            &[],
        )
        .await?;
    let first = span.opt_str("first")?.and_then(|s| day(&s)).map(day_no);
    let last = span.opt_str("last")?.and_then(|s| day(&s)).map(day_no);
    let (Some(first), Some(horizon)) = (first, last) else {
        // No figures yet: built, and empty.
        return finish(db, head, day_no(crate::platform::clock::local_today())).await;
    };
    // The daily sums of every unit with units under it (its subtree), by measure, by day.
    let mut trees: BTreeMap<String, BTreeMap<String, BTreeMap<i64, Totals>>> = BTreeMap::new();
    let total = units.list.len();
    for (i, u) in units.list.iter().enumerate() {
        let mut tx = db.begin().await?;
        let sums = daily(&mut tx, Some(std::slice::from_ref(&u.id)), first).await?;
        for a in units.path(&u.id) {
            if units.children(&a).is_empty() {
                continue;
            }
            let acc = trees.entry(a).or_default();
            for (m, days) in &sums {
                let acc = acc.entry(m.clone()).or_default();
                for (d, t) in days {
                    acc.entry(*d).or_default().add(t);
                }
            }
        }
        if let Some(start) = sums.values().filter_map(|d| d.keys().next()).min().copied() {
            let days = dense(BTreeMap::new(), &sums, start, horizon)?;
            write(&mut tx, &u.id, false, days).await?;
        }
        tx.commit().await?;
        progress(i + 1, total);
    }
    for (unit, sums) in trees {
        let Some(start) = sums.values().filter_map(|d| d.keys().next()).min().copied() else {
            continue;
        };
        let mut tx = db.begin().await?;
        let days = dense(BTreeMap::new(), &sums, start, horizon)?;
        write(&mut tx, &unit, true, days).await?;
        tx.commit().await?;
    }
    // The planners learn the table's new shape (both backends know the statement).
    db.execute("ANALYZE stat_running", &[]).await?;
    finish(db, head, horizon).await
}

async fn finish(db: &Db, head: i64, horizon: i64) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    tx.execute("DELETE FROM stat_running_state", &[]).await?;
    tx.execute(
        "INSERT INTO stat_running_state (id, horizon, built_upto, built_at) VALUES (1, $1, $2, $3)",
        args![horizon, head, now_ms()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 29).unwrap_or_default();
        assert_eq!(day_of(day_no(d)), d);
        assert_eq!(day_no(epoch()), 0);
        assert_eq!(day_no(d) - day_no(d - Duration::days(58)), 58);
    }

    #[test]
    fn dense_rows_carry_the_total_through_days_without_figures() {
        let t = |x: f64| Totals {
            staff: x,
            staff_n: 1,
            public: 0.0,
            public_n: 0,
        };
        let sums = BTreeMap::from([
            (
                "a".to_string(),
                BTreeMap::from([(10, t(2.0)), (13, t(0.1)), (14, t(0.2))]),
            ),
            ("b".to_string(), BTreeMap::from([(12, t(5.0))])),
        ]);
        let base = BTreeMap::from([("a".to_string(), t(1.0))]);
        let rows = dense(base, &sums, 10, 15).unwrap_or_default();
        let a: Vec<f64> = rows
            .iter()
            .map(|(_, b)| keng_stats::running::unpack_owned(b).unwrap_or_default()["a"].staff)
            .collect();
        assert_eq!(a, vec![3.0, 3.0, 3.0, 3.1, 3.3, 3.3]);
        let last = keng_stats::running::unpack_owned(&rows[5].1).unwrap_or_default();
        assert_eq!(
            (last["a"].staff_n, last["b"].staff, last["b"].staff_n),
            (4, 5.0, 1)
        );
        let first = keng_stats::running::unpack_owned(&rows[0].1).unwrap_or_default();
        assert!(!first.contains_key("b"), "b starts on day 12");
        assert_eq!(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            (10..=15).collect::<Vec<_>>()
        );
        // A series with no figure before `start` has no rows until its first.
        let late = dense(BTreeMap::new(), &sums, 11, 15).unwrap_or_default();
        assert_eq!(late.first().map(|r| r.0), Some(12));
    }
}
