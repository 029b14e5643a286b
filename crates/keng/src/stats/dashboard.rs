//! The leader's dashboard: this week, the campaign running now and this year, each
//! against the same period last year (the report's sentences and the headline
//! figures), the figures waiting for approval, and which units have not reported every
//! day of last week; and the figures' panel on the signed-in home page.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use keng_stats::Period;
use minijinja::context;

use super::campaigns;
use super::catalogue;
use super::figures::{self, Scope};
use super::model::{day, day_str, State as SState, Units};
use super::pages::units;
use super::store;
use crate::args;
use crate::platform::auth::Ctx;
use crate::platform::capability::HomePanel;
use crate::platform::clock::local_today;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::page;

/// A unit that has not reported every day of a week: how many days are missing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Missing {
    pub unit_id: String,
    pub unit: String,
    pub days_missing: i64,
}

/// The days of `week` each unit (or only `unit`) covered with figures submitted or
/// approved.
async fn covered(
    db: &Db,
    week: Period,
    unit: Option<&str>,
) -> AppResult<BTreeMap<String, BTreeSet<NaiveDate>>> {
    let rows = db
        .fetch_all(
            "SELECT unit_id, period_from, period_to FROM stat_submissions
              WHERE state IN ('pending', 'approved') AND period_from <= $2 AND period_to >= $1
                AND ($3 = '' OR unit_id = $3)",
            args![day_str(week.from), day_str(week.to), unit.unwrap_or("")],
        )
        .await?;
    let mut covered: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
    for r in &rows {
        let (Some(f), Some(t)) = (day(&r.str("period_from")?), day(&r.str("period_to")?)) else {
            continue;
        };
        let set = covered.entry(r.str("unit_id")?).or_default();
        let mut d = f.max(week.from);
        while d <= t.min(week.to) {
            set.insert(d);
            d += Duration::days(1);
        }
    }
    Ok(covered)
}

/// Units that reported in the eight weeks before `week` but have not covered every
/// day of it with figures submitted or approved.
pub async fn not_reported(db: &Db, units: &Units, week: Period) -> AppResult<Vec<Missing>> {
    let covered = covered(db, week, None).await?;
    // The units expected to report: those that did in the eight weeks before.
    let expected: BTreeSet<String> = db
        .fetch_all(
            "SELECT DISTINCT unit_id FROM stat_submissions
              WHERE state IN ('pending', 'approved') AND period_from >= $1 AND period_from < $2",
            args![day_str(week.from - Duration::days(56)), day_str(week.from)],
        )
        .await?
        .iter()
        .filter_map(|r| r.str("unit_id").ok())
        .collect();
    let mut out = Vec::new();
    for u in &units.list {
        if !expected.contains(&u.id) {
            continue;
        }
        let have = covered.get(&u.id).map(|s| s.len() as i64).unwrap_or(0);
        if have < week.days() {
            out.push(Missing {
                unit_id: u.id.clone(),
                unit: u.name.clone(),
                days_missing: week.days() - have,
            });
        }
    }
    out.sort_by(|a, b| {
        b.days_missing
            .cmp(&a.days_missing)
            .then(a.unit.cmp(&b.unit))
    });
    Ok(out)
}

/// `GET /stats`.
pub async fn dashboard(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    ctx.require(Action::ViewFigures, &Owner::None)?;
    let units = units(&app).await?;
    let cat = catalogue::load(&app.db).await?;
    let today = local_today();
    let yesterday = today - Duration::days(1);
    let Some(root) = units.root().map(|r| r.id.clone()) else {
        return Err(crate::platform::errors::AppError::NotFound);
    };
    let week = Period::week_of(yesterday);
    let week = Period {
        from: week.from,
        to: yesterday,
    };
    let year_start = NaiveDate::from_ymd_opt(yesterday.year(), 1, 1).unwrap_or(yesterday);
    let mut panels = Vec::new();
    let add = |key: &'static str, p: Period| {
        (
            key,
            Scope {
                period: p,
                unit_id: root.clone(),
                field: None,
                published_only: false,
            },
        )
    };
    let mut scopes = vec![
        add("this_week", week),
        add(
            "this_year",
            Period {
                from: year_start,
                to: yesterday,
            },
        ),
    ];
    let campaign = campaigns::current(&app.db).await?;
    if let Some(c) = &campaign {
        if let Some(p) = c.period() {
            let to = p.to.min(yesterday).max(p.from);
            scopes.insert(1, add("this_campaign", Period { from: p.from, to }));
        }
    }
    for (key, scope) in &scopes {
        let r = figures::report(&app.db, &cat, &units, scope, ctx.lang).await?;
        let headline: Vec<_> = r
            .lines
            .iter()
            .filter(|l| {
                cat.measure(&l.measure_id).is_some_and(|m| m.in_narrative) && l.now.is_some()
            })
            .take(8)
            .cloned()
            .collect();
        panels.push(context! {
            key => key, period_text => r.period_text.clone(), last_year_text => r.last_year_text.clone(),
            narrative => r.narrative.clone(), lines => headline, from => r.from.clone(), to => r.to.clone(),
        });
    }
    let last_week = Period::week_of(today - Duration::days(7));
    let missing = not_reported(&app.db, &units, last_week).await?;
    let pending = store::count(&app.db, SState::Pending).await?;
    Ok(page(
        &app,
        &ctx,
        "stats/dashboard.html",
        context! {
            panels => panels, campaign => campaign, missing => missing, pending => pending,
            last_week_text => figures::period_text(&last_week, ctx.lang),
            may_enter => !super::pages::reportable(&ctx, &units).is_empty(),
            may_approve => ctx.can(Action::ApproveFigures),
        },
    )?
    .into_response())
}

/// The figures' panel on the signed-in home page: what waits for the leader's approval,
/// and for an officer whose unit reports, whether last week is in.
pub async fn panel(app: &AppState, ctx: &Ctx) -> AppResult<Option<HomePanel>> {
    if ctx.user.is_none() || !ctx.can(Action::ViewFigures) {
        return Ok(None);
    }
    let units = units(app).await?;
    let pending = store::count(&app.db, SState::Pending).await?;
    let mine = super::pages::reportable(ctx, &units);
    let own_unit = ctx
        .user
        .as_ref()
        .and_then(|u| u.unit_id.clone())
        .filter(|u| mine.iter().any(|m| &m.id == u));
    let mut last_week_missing = None;
    if let Some(u) = &own_unit {
        let week = Period::week_of(local_today() - Duration::days(7));
        let missing = not_reported_by(&app.db, u, week).await?;
        last_week_missing = Some(missing);
    }
    if pending == 0 && own_unit.is_none() && !ctx.can(Action::ApproveFigures) {
        return Ok(None);
    }
    Ok(Some(HomePanel {
        template: "stats/panel.html",
        vars: context! {
            pending => pending, approver => ctx.can(Action::ApproveFigures),
            own_unit => own_unit.as_deref().map(|u| units.name(u)),
            last_week_missing => last_week_missing,
        },
    }))
}

/// Days of `week` a unit has not covered with figures submitted or approved.
async fn not_reported_by(db: &Db, unit_id: &str, week: Period) -> AppResult<i64> {
    let covered = covered(db, week, Some(unit_id)).await?;
    Ok(week.days() - covered.get(unit_id).map_or(0, |d| d.len() as i64))
}
