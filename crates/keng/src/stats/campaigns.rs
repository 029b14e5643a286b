//! Peak campaigns (đợt cao điểm): a name, a period — given by its dates, or anchored to
//! Tết ("from 15 December to the full moon of the first lunar month"), computed with
//! the same lunar calendar the press desk's working days use (`keng-calendar` through
//! `keng-stats`) — the units taking part and targets per measure. Progress is the
//! current approved figures of the participating units from the start to today (or
//! the end), against the targets and against the same stretch of last year's campaign
//! (for a Tết campaign, the same days counted from last year's start, whose solar dates
//! differ).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use keng_stats::{Change, Period, TetSeason};
use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use super::check::Raw;
use super::model::{day, day_str, Units};
use super::tally::{self, Group, Range, Via};
use super::visibility::Audience;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{local_today, now_ms, parse_date};
use crate::platform::db::{Db, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::Lang;
use crate::platform::ids::{is_id, new_id};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatCampaign)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub period_from: String,
    pub period_to: String,
    /// For a campaign anchored to Tết: "tet:<lunar year>:<MM-DD start>:<last day of the
    /// first lunar month>" ("tet:2025:12-15:15").
    pub rule: Option<String>,
    /// Units taking part (empty: the whole province).
    pub units: Vec<String>,
    /// Measure id → target for the whole campaign.
    pub targets: BTreeMap<String, f64>,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Campaign {
    fn from_row(r: &Row) -> AppResult<Campaign> {
        Ok(Campaign {
            id: r.str("id")?,
            name: r.str("name")?,
            period_from: r.str("period_from")?,
            period_to: r.str("period_to")?,
            rule: r.opt_str("rule")?,
            units: serde_json::from_str(&r.str("units")?).unwrap_or_default(),
            targets: serde_json::from_str(&r.str("targets")?).unwrap_or_default(),
            note: r.opt_str("note")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }

    pub fn period(&self) -> Option<Period> {
        Some(Period {
            from: day(&self.period_from)?,
            to: day(&self.period_to)?,
        })
    }

    /// The Tết rule, read back.
    fn tet(&self) -> Option<(i32, (u32, u32), TetSeason)> {
        let r = self.rule.as_deref()?.strip_prefix("tet:")?;
        let mut p = r.split(':');
        let year = p.next()?.parse().ok()?;
        let (m, d) = p.next()?.split_once('-')?;
        let last: u32 = p.next()?.parse().ok()?;
        Some((year, (m.parse().ok()?, d.parse().ok()?), season(last)))
    }

    /// The same campaign a year earlier.
    pub fn last_year(&self) -> Option<Period> {
        match self.tet() {
            Some((y, start, s)) => Period::same_campaign_last_year(y, start, s).ok(),
            None => Some(self.period()?.same_period_last_year()),
        }
    }
}

fn season(last_day: u32) -> TetSeason {
    if last_day == 15 {
        TetSeason::ToFirstFullMoon
    } else {
        TetSeason::ToDayOfFirstMonth(last_day)
    }
}

/// A campaign as a form or the API gives it: either `from` and `to`, or `tet_year`
/// with `start` ("15/12") and `last_lunar_day` (15 for Rằm tháng Giêng).
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
#[schema(as = StatCampaignInput)]
pub struct CampaignInput {
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The lunar year whose Tết the campaign leads to (2025 for Ất Tỵ).
    pub tet_year: Option<i32>,
    /// The solar start in the year before, "15/12".
    pub start: Option<String>,
    /// The day of the first lunar month it runs to (1–30; 15 = Rằm tháng Giêng).
    pub last_lunar_day: Option<u32>,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub targets: BTreeMap<String, Raw>,
    pub note: Option<String>,
}

struct Clean {
    name: String,
    period: Period,
    rule: Option<String>,
    units: Vec<String>,
    targets: BTreeMap<String, f64>,
    note: Option<String>,
}

fn clean(input: &CampaignInput, cat: &Catalogue, units: &Units) -> AppResult<Clean> {
    let mut bad: Vec<(String, &'static str)> = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        bad.push(("name".into(), "err.required"));
    }
    let given = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (period, rule) = if let Some(y) = input.tet_year {
        let start = given(&input.start).unwrap_or_else(|| "15/12".into());
        let md = start.split_once('/').and_then(|(d, m)| {
            Some((m.trim().parse::<u32>().ok()?, d.trim().parse::<u32>().ok()?))
        });
        let last = input.last_lunar_day.unwrap_or(15);
        match md {
            Some(md) if (1..=30).contains(&last) && (1990..=2100).contains(&y) => {
                match Period::tet_campaign(y, md, season(last)) {
                    Ok(p) => (
                        Some(p),
                        Some(format!("tet:{y}:{:02}-{:02}:{last}", md.0, md.1)),
                    ),
                    Err(_) => {
                        bad.push(("start".into(), "err.stats_bad_period"));
                        (None, None)
                    }
                }
            }
            _ => {
                bad.push(("start".into(), "err.stats_bad_period"));
                (None, None)
            }
        }
    } else {
        match (
            given(&input.from).as_deref().and_then(parse_date),
            given(&input.to).as_deref().and_then(parse_date),
        ) {
            (Some(f), Some(t)) if f <= t && (t - f).num_days() <= 800 => {
                (Some(Period { from: f, to: t }), None)
            }
            _ => {
                bad.push(("from".into(), "err.stats_bad_period"));
                (None, None)
            }
        }
    };
    let mut clean_units = Vec::new();
    for u in &input.units {
        match units.get(u).or_else(|| units.by_code(u)) {
            Some(x) if !clean_units.contains(&x.id) => clean_units.push(x.id.clone()),
            Some(_) => {}
            None => bad.push(("units".into(), "err.stats_unknown_unit")),
        }
    }
    let mut targets = BTreeMap::new();
    for (m, v) in &input.targets {
        let Some(measure) = cat.measure(m) else {
            bad.push(("targets".to_string(), "err.stats_unknown_measure"));
            continue;
        };
        let read = match v {
            Raw::Number(n) => keng_stats::number::check(*n, measure.whole),
            Raw::Text(s) if s.trim().is_empty() => continue,
            Raw::Text(s) => keng_stats::number::parse(s, measure.whole),
        };
        match read {
            Ok(n) if measure.summable => {
                targets.insert(m.clone(), n);
            }
            _ => bad.push(("targets".to_string(), "err.stats_bad_target")),
        }
    }
    match period {
        Some(period) if bad.is_empty() => Ok(Clean {
            name,
            period,
            rule,
            units: clean_units,
            targets,
            note: super::store::note(input.note.as_deref()),
        }),
        _ => Err(AppError::Invalid(bad)),
    }
}

fn json(c: &Campaign) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or(serde_json::Value::Null)
}

/// Creates a campaign (or changes one, when `id` is given).
pub async fn save(
    db: &Db,
    origin: &Origin,
    (cat, units): (&Catalogue, &Units),
    id: Option<&str>,
    input: &CampaignInput,
) -> AppResult<Campaign> {
    let c = clean(input, cat, units)?;
    let now = now_ms();
    let units_json = serde_json::to_string(&c.units).unwrap_or_else(|_| "[]".into());
    let targets_json = serde_json::to_string(&c.targets).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin().await?;
    let (id, before) = match id {
        Some(id) => {
            let before = get(db, id).await?.ok_or(AppError::NotFound)?;
            tx.execute(
                "UPDATE stat_campaigns SET name = $2, period_from = $3, period_to = $4, rule = $5, units = $6,
                        targets = $7, note = $8, updated_at = $9 WHERE id = $1",
                args![id, c.name.as_str(), day_str(c.period.from), day_str(c.period.to), c.rule.clone(),
                    units_json.as_str(), targets_json.as_str(), c.note.clone(), now],
            )
            .await?;
            (id.to_string(), Some(json(&before)))
        }
        None => {
            let id = new_id();
            tx.execute(
                "INSERT INTO stat_campaigns (id, name, period_from, period_to, rule, units, targets, note, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
                args![id.as_str(), c.name.as_str(), day_str(c.period.from), day_str(c.period.to), c.rule.clone(),
                    units_json.as_str(), targets_json.as_str(), c.note.clone(), origin.actor_id.clone(), now],
            )
            .await?;
            (id, None)
        }
    };
    let after = tx
        .fetch_one(
            "SELECT * FROM stat_campaigns WHERE id = $1",
            args![id.as_str()],
        )
        .await?;
    let after = Campaign::from_row(&after)?;
    record_change(
        &mut tx,
        origin,
        if before.is_some() {
            "stat_campaign.updated"
        } else {
            "stat_campaign.created"
        },
        "stat_campaign",
        &id,
        before,
        Some(json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Campaign>> {
    if !is_id(id) {
        return Ok(None);
    }
    db.fetch_optional("SELECT * FROM stat_campaigns WHERE id = $1", args![id])
        .await?
        .map(|r| Campaign::from_row(&r))
        .transpose()
}

/// Every campaign, latest first.
pub async fn list(db: &Db) -> AppResult<Vec<Campaign>> {
    db.fetch_all(
        "SELECT * FROM stat_campaigns ORDER BY period_from DESC, id DESC LIMIT 200",
        args![],
    )
    .await?
    .iter()
    .map(Campaign::from_row)
    .collect()
}

/// The campaign running today, or else the latest one that has started.
pub async fn current(db: &Db) -> AppResult<Option<Campaign>> {
    let today = local_today();
    let all = list(db).await?;
    let running = all
        .iter()
        .find(|c| c.period().is_some_and(|p| p.contains(today)))
        .cloned();
    Ok(running.or_else(|| {
        all.into_iter()
            .find(|c| c.period().is_some_and(|p| p.from <= today))
    }))
}

/// One measure's progress.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub measure_id: String,
    pub field: String,
    pub measure: String,
    pub unit: String,
    pub value: f64,
    pub target: Option<f64>,
    /// Share of the target reached, in percent.
    pub reached_pct: Option<f64>,
    /// The same stretch of last year's campaign.
    pub last_year: f64,
    pub diff: f64,
    pub pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    /// The stretch counted so far (start to today, or to the end).
    pub so_far_from: String,
    pub so_far_to: String,
    pub days_done: i64,
    pub days_total: i64,
    pub last_year_from: String,
    pub last_year_to: String,
    pub lines: Vec<Progress>,
}

/// Progress of a campaign to `today`.
pub async fn progress(
    db: &Db,
    cat: &Catalogue,
    units: &Units,
    c: &Campaign,
    today: NaiveDate,
    lang: Lang,
) -> AppResult<Option<Tracking>> {
    let (Some(p), Some(ly)) = (c.period(), c.last_year()) else {
        return Ok(None);
    };
    let end = p.to.min(today - Duration::days(1)).max(p.from);
    let so_far = Period {
        from: p.from,
        to: end,
    };
    let ly_so_far = Period {
        from: ly.from,
        to: (ly.from + Duration::days(so_far.days() - 1)).min(ly.to),
    };
    let group = Group {
        subtrees: if c.units.is_empty() {
            units.root().map(|r| vec![r.id.clone()]).unwrap_or_default()
        } else {
            c.units.clone()
        },
        own: Vec::new(),
    };
    let sums = tally::sums(
        db,
        units,
        Audience::Staff,
        &[Range::of(so_far), Range::of(ly_so_far)],
        &[group],
        Via::Auto,
    )
    .await?;
    let total = |i: usize, m: &str| {
        sums.get(i)
            .and_then(|s| s.get(&tally::key(0, m)))
            .map(|x| x.0)
            .unwrap_or(0.0)
    };
    let mut lines = Vec::new();
    for m in cat.measures(true).filter(|m| m.summable) {
        let target = c.targets.get(&m.id).copied();
        if target.is_none() && !m.in_narrative {
            continue;
        }
        let value = total(0, &m.id);
        let last_year = total(1, &m.id);
        if target.is_none() && value == 0.0 && last_year == 0.0 {
            continue;
        }
        let ch = Change::of(value, last_year);
        lines.push(Progress {
            measure_id: m.id.clone(),
            field: cat
                .field(&m.field_id)
                .map(|f| f.name(lang).to_string())
                .unwrap_or_default(),
            measure: m.name(lang).to_string(),
            unit: m.unit(lang).to_string(),
            value,
            target,
            reached_pct: target.filter(|t| *t > 0.0).map(|t| value / t * 100.0),
            last_year,
            diff: ch.diff,
            pct: ch.percent,
        });
    }
    Ok(Some(Tracking {
        so_far_from: day_str(so_far.from),
        so_far_to: day_str(so_far.to),
        days_done: if today <= p.from { 0 } else { so_far.days() },
        days_total: p.days(),
        last_year_from: day_str(ly_so_far.from),
        last_year_to: day_str(ly_so_far.to),
        lines,
    }))
}
