//! `keng stats verify`: the running totals against a scan of the figures. For random
//! periods (and the same periods cut into weeks), for staff and for the public, every
//! unit's own figures and every subtree are summed both ways and must agree to the
//! last decimal kept. An operator's check after a restore or an upgrade, and the
//! suite's proof that the fast path answers what the slow one does.

use chrono::Duration;
use keng_stats::Period;
use rand::{Rng, SeedableRng};

use super::model::Units;
use super::running::{self, day_of};
use super::tally::{self, Group, Range, Sums, Via};
use super::visibility::Audience;
use crate::platform::db::Db;

/// What a verification compared.
#[derive(Debug, Default)]
pub struct Outcome {
    pub comparisons: usize,
    pub mismatches: Vec<String>,
}

/// Waits up to `wait` for the totals to be current, then compares `periods` random
/// periods.
pub async fn verify(
    db: &Db,
    periods: usize,
    seed: u64,
    wait: std::time::Duration,
) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let horizon = loop {
        if let Some(h) = running::current(db).await? {
            break h;
        }
        if started.elapsed() > wait {
            anyhow::bail!(
                "the running totals are not current after {} s (is a server running to build them, or run `keng stats rebuild`?)",
                wait.as_secs()
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let units = Units::new(crate::accounts::store::list_units(db).await?);
    let first = db
        .fetch_one(
            "SELECT MIN(period_from) AS first FROM stat_submissions",
            &[],
        )
        .await?
        .opt_str("first")?
        .and_then(|s| super::model::day(&s))
        .map(running::day_no)
        .unwrap_or(horizon);
    let mut groups: Vec<Group> = Vec::new();
    for u in &units.list {
        groups.push(Group::own(&u.id));
        if !units.children(&u.id).is_empty() {
            groups.push(Group::subtree(&u.id));
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut chosen: Vec<Period> = (0..periods)
        .map(|_| {
            let a = rng.gen_range(first - 40..=horizon + 5);
            Period {
                from: day_of(a),
                to: day_of(a) + Duration::days(rng.gen_range(0..=120)),
            }
        })
        .collect();
    // And periods on the edges of figures longer than a day (the ones a period may
    // straddle): starting inside one, ending inside one, and exactly on one.
    for r in db
        .fetch_all(
            "SELECT period_from, period_to FROM stat_submissions s
              WHERE s.period_kind <> 'day' AND s.is_current = TRUE ORDER BY period_to DESC LIMIT 20",
            &[],
        )
        .await?
    {
        let (Some(f), Some(t)) = (
            super::model::day(&r.str("period_from")?),
            super::model::day(&r.str("period_to")?),
        ) else {
            continue;
        };
        let d = Duration::days;
        chosen.push(Period { from: f + d(1), to: t + d(10) });
        chosen.push(Period { from: f - d(3), to: t - d(1) });
        chosen.push(Period { from: f, to: t });
        chosen.push(Period { from: f - d(40), to: t + d(40) });
    }
    let mut out = Outcome::default();
    for p in chosen {
        let len = p.days() - 1;
        let mut ranges = vec![Range::of(p)];
        let starts: Vec<_> = (0..=len / 7)
            .map(|k| p.from + Duration::days(k * 7))
            .collect();
        ranges.extend(tally::buckets(p, &starts));
        for who in [Audience::Staff, Audience::Public] {
            let fast = tally::sums(db, &units, who, &ranges, &groups, Via::Running).await?;
            let slow = tally::sums(db, &units, who, &ranges, &groups, Via::Scan).await?;
            for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
                out.comparisons += 1;
                if let Some(diff) = differ(f, s) {
                    out.mismatches
                        .push(format!("{who:?} {}..{} range {i}: {diff}", p.from, p.to));
                }
            }
        }
    }
    Ok(out)
}

/// The first difference between two sums, if any.
fn differ(a: &Sums, b: &Sums) -> Option<String> {
    for (k, x) in a {
        match b.get(k) {
            Some(y) if (x.0 - y.0).abs() < 1e-6 && x.1 == y.1 => {}
            other => return Some(format!("{k:?}: running {x:?}, scan {other:?}")),
        }
    }
    b.keys()
        .find(|k| !a.contains_key(*k))
        .map(|k| format!("{k:?}: only in the scan {:?}", b.get(k)))
}
