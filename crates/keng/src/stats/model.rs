//! A unit's figures for one period as submitted (a version), its states and the unit
//! tree the figures roll up through.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use keng_stats::{Kind, Period};
use serde::Serialize;

use crate::accounts::model::Unit;
use crate::platform::db::{DbResult, Row};

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = StatSubmissionState)]
pub enum State {
    /// Waiting for a leader.
    Pending,
    /// Approved: counted in reports while it is the current version.
    Approved,
    /// Sent back by the leader, with a note.
    Rejected,
    /// Replaced by a newer submission before anyone decided.
    Withdrawn,
    /// Approved once, then replaced by an approved correction (kept as history).
    Superseded,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        [
            State::Pending,
            State::Approved,
            State::Rejected,
            State::Withdrawn,
            State::Superseded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A unit's figures for one period, one version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatSubmission)]
pub struct Submission {
    pub id: String,
    pub unit_id: String,
    /// day, week or month.
    pub period_kind: String,
    /// "2026-11-30", "2026-W48" or "2026-11".
    pub period: String,
    /// First and last day counted (YYYY-MM-DD).
    pub period_from: String,
    pub period_to: String,
    /// 1 for the first submission of the unit and period, then one more for each.
    pub version: i64,
    pub state: State,
    /// The version reports count (approved and not corrected since).
    pub is_current: bool,
    /// Why a correction was made (required once a version was approved).
    pub reason: Option<String>,
    /// form, csv, xlsx, api or demo.
    pub source: String,
    pub submitted_by: Option<String>,
    pub submitted_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    /// Chosen for the public page and the open API.
    pub published: bool,
    pub quality_note: Option<String>,
    pub published_at: Option<i64>,
    /// Measure id → value.
    pub values: BTreeMap<String, f64>,
}

impl Submission {
    pub fn from_row(r: &Row) -> DbResult<Submission> {
        let kind = r.str("period_kind")?;
        let from = r.str("period_from")?;
        let to = r.str("period_to")?;
        let period = match (Kind::parse(&kind), day(&from), day(&to)) {
            (Some(k), Some(f), Some(t)) => Period { from: f, to: t }.label(k),
            _ => from.clone(),
        };
        Ok(Submission {
            id: r.str("id")?,
            unit_id: r.str("unit_id")?,
            period_kind: kind,
            period,
            period_from: from,
            period_to: to,
            version: r.i64("version")?,
            state: State::parse(&r.str("state")?).unwrap_or(State::Withdrawn),
            is_current: r.bool("is_current")?,
            reason: r.opt_str("reason")?,
            source: r.str("source")?,
            submitted_by: r.opt_str("submitted_by")?,
            submitted_at: r.i64("submitted_at")?,
            decided_by: r.opt_str("decided_by")?,
            decided_at: r.opt_i64("decided_at")?,
            decision_note: r.opt_str("decision_note")?,
            published: r.bool("published")?,
            quality_note: r.opt_str("quality_note")?,
            published_at: r.opt_i64("published_at")?,
            values: BTreeMap::new(),
        })
    }

    /// The period it covers.
    pub fn period(&self) -> Option<(Kind, Period)> {
        Some((
            Kind::parse(&self.period_kind)?,
            Period {
                from: day(&self.period_from)?,
                to: day(&self.period_to)?,
            },
        ))
    }
}

/// A stored day ("2026-11-30").
pub fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A day as stored.
pub fn day_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The unit tree, read once per request: names, parents, subtrees.
pub struct Units {
    pub list: Vec<Unit>,
    children: HashMap<String, Vec<String>>,
    by_id: HashMap<String, usize>,
}

impl Units {
    pub fn new(list: Vec<Unit>) -> Units {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(list.len());
        for (i, u) in list.iter().enumerate() {
            if let Some(p) = &u.parent_id {
                children.entry(p.clone()).or_default().push(u.id.clone());
            }
            by_id.entry(u.id.clone()).or_insert(i);
        }
        Units {
            list,
            children,
            by_id,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Unit> {
        self.by_id.get(id).and_then(|i| self.list.get(*i))
    }

    pub fn by_code(&self, code: &str) -> Option<&Unit> {
        self.list.iter().find(|u| u.code.eq_ignore_ascii_case(code))
    }

    pub fn name(&self, id: &str) -> String {
        self.get(id).map(|u| u.name.clone()).unwrap_or_default()
    }

    /// `[unit, parent, grandparent, …]` (for the permission matrix).
    pub fn path(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = Some(id.to_string());
        while let Some(u) = at {
            if out.contains(&u) || out.len() > 64 {
                break;
            }
            at = self.get(&u).and_then(|x| x.parent_id.clone());
            out.push(u);
        }
        out
    }

    /// The unit and every unit under it.
    pub fn subtree(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
        let mut i = 0;
        while i < out.len() && out.len() < 100_000 {
            if let Some(c) = self.children.get(&out[i]) {
                for k in c {
                    if seen.insert(k.clone()) {
                        out.push(k.clone());
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// The units directly under `id`.
    pub fn children(&self, id: &str) -> Vec<&Unit> {
        self.children
            .get(id)
            .map(|c| c.iter().filter_map(|k| self.get(k)).collect())
            .unwrap_or_default()
    }

    /// The top of the tree (the provincial department).
    pub fn root(&self) -> Option<&Unit> {
        self.list.iter().find(|u| u.parent_id.is_none())
    }
}
