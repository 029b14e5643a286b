//! Running totals of the figures. A series is one unit's own figures, or a unit's whole
//! subtree (for units with units under them), for one measure; `stat_running` holds, for
//! every day from the series' first figure to the horizon (the last day any counted
//! figure reaches), the sum and the count of the figures that count — for staff and for
//! the public, as `visibility` decides — whose last day is on or before that day. A sum
//! over any period is then two rows per series instead of a scan of the figures
//! (`tally` reads them).
//!
//! The rows are derived data. The `stats.running` follower keeps them current from the
//! event log: an approval, a correction or a publication recomputes the series it
//! touches from the day it touches, in one transaction and from the figures themselves
//! (so a replayed event changes nothing). They are built on demand — `keng stats
//! rebuild`, for a province whose figures have grown past what a scan answers quickly —
//! and kept from then on; a database where they were never built (the demo, a small
//! province) has reports scan the figures, and so does one whose totals lag the log:
//! [`current`] says whether they may answer, so an answer is never stale.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// Rows per INSERT statement (6 parameters each): SQLite's driver looks every
/// parameter's name up by walking a list, so its statements stay short.
fn chunk(b: Backend) -> usize {
    match b {
        Backend::Sqlite => 50,
        Backend::Postgres => 1000,
    }
}
/// Rows per transaction while rebuilding.
const TX_ROWS: usize = 5_000;
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

/// One series: a unit, a measure, and whether its whole subtree counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub unit_id: String,
    pub measure_id: String,
    pub subtree: bool,
}

/// Staff's and the public's (sum, count) at a day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub staff: f64,
    pub staff_n: i64,
    pub public: f64,
    pub public_n: i64,
}

impl Totals {
    /// From a row with the columns staff, staff_n, pub and pub_n.
    fn from_row(r: &crate::platform::db::Row) -> crate::platform::db::DbResult<Totals> {
        Ok(Totals {
            staff: r.opt_f64("staff")?.unwrap_or(0.0),
            staff_n: r.i64("staff_n")?,
            public: r.opt_f64("pub")?.unwrap_or(0.0),
            public_n: r.i64("pub_n")?,
        })
    }

    fn add(&mut self, o: &Totals) {
        self.staff += o.staff;
        self.staff_n += o.staff_n;
        self.public += o.public;
        self.public_n += o.public_n;
    }

    /// (sum, count) for `who`.
    pub fn of(&self, who: Audience) -> (f64, i64) {
        match who {
            Audience::Staff => (self.staff, self.staff_n),
            Audience::Public => (self.public, self.public_n),
        }
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

/// Running totals of `keys` at each of `days` (each at most the horizon). A series
/// missing at a day has no figure on or before it (zero). `units` narrows the read when
/// it is short; otherwise every series is read and the caller picks.
pub async fn at(
    db: &Db,
    days: &[i64],
    units: Option<&[String]>,
) -> crate::platform::db::DbResult<HashMap<(Key, i64), Totals>> {
    let mut out = HashMap::new();
    if days.is_empty() {
        return Ok(out);
    }
    let mut args: Vec<Value> = Vec::new();
    let mut marks = Vec::new();
    for d in days {
        args.push((*d).into());
        marks.push(format!("${}", args.len()));
    }
    let unit_filter = match units {
        Some(list) if !list.is_empty() && list.len() <= 400 => {
            format!(
                " AND se.unit_id IN ({})",
                super::visibility::bind_list(&mut args, list)
            )
        }
        _ => String::new(),
    };
    let sql = format!(
        "SELECT se.unit_id, se.measure_id, se.subtree, r.day, r.staff, r.staff_n, r.pub, r.pub_n
           FROM stat_running r JOIN stat_series se ON se.id = r.series_id
          WHERE r.day IN ({}){unit_filter}",
        marks.join(", ")
    );
    for r in db.fetch_all(&sql, &args).await? {
        out.insert(
            (
                Key {
                    unit_id: r.str("unit_id")?,
                    measure_id: r.str("measure_id")?,
                    subtree: r.bool("subtree")?,
                },
                r.i64("day")?,
            ),
            Totals::from_row(&r)?,
        );
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
                                "SELECT id FROM stat_series WHERE unit_id = $1 AND subtree = $2 LIMIT 1",
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
            .add(&Totals::from_row(&r)?);
    }
    Ok(out)
}

/// Every series id of `unit` (own or subtree) by measure, creating those of `measures`
/// that are missing.
async fn series_ids(
    tx: &mut Tx,
    unit: &str,
    subtree: bool,
    measures: &BTreeSet<String>,
) -> anyhow::Result<BTreeMap<String, i64>> {
    let mut ids = BTreeMap::new();
    for r in tx
        .fetch_all(
            "SELECT id, measure_id FROM stat_series WHERE unit_id = $1 AND subtree = $2",
            args![unit, subtree],
        )
        .await?
    {
        ids.insert(r.str("measure_id")?, r.i64("id")?);
    }
    for m in measures {
        if ids.contains_key(m) {
            continue;
        }
        let next = tx
            .fetch_one(
                "SELECT COALESCE(MAX(id), 0) + 1 AS next FROM stat_series",
                &[],
            )
            .await?
            .i64("next")?;
        tx.execute(
            "INSERT INTO stat_series (id, unit_id, measure_id, subtree) VALUES ($1, $2, $3, $4)",
            args![next, unit, m.as_str(), subtree],
        )
        .await?;
        ids.insert(m.clone(), next);
    }
    Ok(ids)
}

/// Writes rows (day, series, totals), a statement per [`chunk`].
async fn write(tx: &mut Tx, rows: &[(i64, i64, Totals)]) -> anyhow::Result<()> {
    for chunk in rows.chunks(chunk(tx.backend())) {
        let mut sql = String::with_capacity(80 + chunk.len() * 40);
        sql.push_str(
            "INSERT INTO stat_running (day, series_id, staff, staff_n, pub, pub_n) VALUES ",
        );
        let mut args: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (k, (d, s, t)) in chunk.iter().enumerate() {
            let b = k * 6;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
            args.extend([
                Value::from(*d),
                (*s).into(),
                t.staff.into(),
                t.staff_n.into(),
                t.public.into(),
                t.public_n.into(),
            ]);
        }
        tx.execute(&sql, &args).await?;
    }
    Ok(())
}

/// Dense running rows of one series from `start` to `horizon`: `base` carried in, plus
/// each day's sums.
fn dense(
    series: i64,
    base: Totals,
    sums: &BTreeMap<i64, Totals>,
    start: i64,
    horizon: i64,
) -> Vec<(i64, i64, Totals)> {
    let mut out = Vec::with_capacity((horizon - start + 1).max(0) as usize);
    let mut run = base;
    for d in start..=horizon {
        if let Some(t) = sums.get(&d) {
            run.add(t);
        }
        out.push((d, series, round(run)));
    }
    out
}

/// Sums of decimals drift in binary; six places is finer than any measure is given.
fn round(t: Totals) -> Totals {
    let r = |x: f64| (x * 1e6).round() / 1e6;
    Totals {
        staff: r(t.staff),
        public: r(t.public),
        ..t
    }
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
            "INSERT INTO stat_running (day, series_id, staff, staff_n, pub, pub_n)
             SELECT $1, series_id, staff, staff_n, pub, pub_n FROM stat_running WHERE day = $2",
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
        // Every series the unit already has, and those its figures now start.
        let measures: BTreeSet<String> = sums.keys().cloned().collect();
        let ids = series_ids(&mut tx, &unit, subtree, &measures).await?;
        for (m, id) in &ids {
            let base = tx
                .fetch_optional(
                    "SELECT staff, staff_n, pub, pub_n FROM stat_running WHERE day = $1 AND series_id = $2",
                    args![from - 1, *id],
                )
                .await?;
            tx.execute(
                "DELETE FROM stat_running WHERE day >= $1 AND series_id = $2",
                args![from, *id],
            )
            .await?;
            let empty = BTreeMap::new();
            let mine = sums.get(m).unwrap_or(&empty);
            let (start, base) = match base {
                Some(r) => (from, Totals::from_row(&r)?),
                None => match mine.keys().next() {
                    Some(first) => (*first, Totals::default()),
                    None => continue,
                },
            };
            write(&mut tx, &dense(*id, base, mine, start, horizon)).await?;
        }
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
    let width = (horizon - first + 1) as usize;
    // The subtree sums of every unit with units under it, by measure, by day.
    let mut trees: HashMap<(String, String), Vec<Totals>> = HashMap::new();
    let mut pending: Vec<(i64, i64, Totals)> = Vec::new();
    let total = units.list.len();
    for (i, u) in units.list.iter().enumerate() {
        let mut tx = db.begin().await?;
        let sums = daily(&mut tx, Some(std::slice::from_ref(&u.id)), first).await?;
        let measures: BTreeSet<String> = sums.keys().cloned().collect();
        let ids = series_ids(&mut tx, &u.id, false, &measures).await?;
        let above: Vec<String> = units
            .path(&u.id)
            .into_iter()
            .filter(|a| !units.children(a).is_empty())
            .collect();
        for (m, id) in &ids {
            let Some(mine) = sums.get(m) else {
                continue;
            };
            let Some(start) = mine.keys().next().copied() else {
                continue;
            };
            for a in &above {
                let acc = trees
                    .entry((a.clone(), m.clone()))
                    .or_insert_with(|| vec![Totals::default(); width]);
                for (d, t) in mine {
                    if let Some(slot) = acc.get_mut((d - first) as usize) {
                        slot.add(t);
                    }
                }
            }
            pending.extend(dense(*id, Totals::default(), mine, start, horizon));
        }
        if pending.len() >= TX_ROWS {
            write(&mut tx, &pending).await?;
            pending.clear();
        }
        tx.commit().await?;
        progress(i + 1, total);
    }
    let mut tx = db.begin().await?;
    let mut keys: Vec<(String, String)> = trees.keys().cloned().collect();
    keys.sort();
    for (unit, m) in keys {
        let Some(acc) = trees.remove(&(unit.clone(), m.clone())) else {
            continue;
        };
        let ids = series_ids(&mut tx, &unit, true, &BTreeSet::from([m.clone()])).await?;
        let Some(id) = ids.get(&m).copied() else {
            continue;
        };
        let mine: BTreeMap<i64, Totals> = acc
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.staff_n > 0)
            .map(|(k, t)| (first + k as i64, t))
            .collect();
        if let Some(start) = mine.keys().next().copied() {
            pending.extend(dense(id, Totals::default(), &mine, start, horizon));
        }
        if pending.len() >= TX_ROWS {
            write(&mut tx, &pending).await?;
            pending.clear();
            tx.commit().await?;
            tx = db.begin().await?;
        }
    }
    write(&mut tx, &pending).await?;
    tx.commit().await?;
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
        let sums = BTreeMap::from([(10, t(2.0)), (13, t(0.1)), (14, t(0.2))]);
        let rows = dense(7, t(1.0), &sums, 10, 15);
        let staff: Vec<f64> = rows.iter().map(|r| r.2.staff).collect();
        assert_eq!(staff, vec![3.0, 3.0, 3.0, 3.1, 3.3, 3.3]);
        assert_eq!(rows[5].2.staff_n, 4);
        assert!(rows.iter().all(|r| r.1 == 7));
    }
}
