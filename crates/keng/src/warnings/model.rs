//! Warnings (cảnh báo) as stored: what kind, where in the workflow, what the public is
//! told (what happened, the signs, what to do, whom to call), how serious in CAP's terms,
//! where (the province, communes by code, named routes, optional polygons) and when.

use serde::{Deserialize, Serialize};

use crate::platform::db::{DbResult, Row};

/// Where a warning is in its life. Expiry is not a state: a published warning whose
/// `valid_until` has passed is shown as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WarningState)]
pub enum State {
    Draft,
    Submitted,
    Approved,
    Published,
    /// Cancelled (huỷ) after publication: kept, shown as a notice, a CAP Cancel issued.
    Cancelled,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Draft,
        State::Submitted,
        State::Approved,
        State::Published,
        State::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Published => "published",
            State::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The kinds of warning, each with its CAP category.
pub const KINDS: [(&str, &str); 6] = [
    ("scam", "Security"),
    ("traffic", "Transport"),
    ("security", "Security"),
    ("fire", "Fire"),
    ("weather_traffic", "Transport"),
    ("other", "Safety"),
];

/// CAP's severity, urgency and certainty values (CAP 1.2 § 3.2.2).
pub const SEVERITIES: [&str; 5] = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
pub const URGENCIES: [&str; 5] = ["Immediate", "Expected", "Future", "Past", "Unknown"];
pub const CERTAINTIES: [&str; 5] = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

/// The CAP category of a kind.
pub fn cap_category(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| *c)
        .unwrap_or("Safety")
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    pub id: String,
    /// scam, traffic, security, fire, weather_traffic or other.
    pub kind: String,
    pub state: State,
    /// A test warning: CAP status Test, never on public surfaces.
    pub is_test: bool,
    pub headline: String,
    pub headline_en: Option<String>,
    /// What happened (the cases behind it), plain text.
    pub happened: String,
    pub happened_en: Option<String>,
    /// Signs to recognise it, one a line.
    pub signs: Vec<String>,
    pub signs_en: Vec<String>,
    /// What to do, one a line.
    pub advice: Vec<String>,
    pub advice_en: Vec<String>,
    /// Whom to call.
    pub contact: String,
    pub severity: String,
    pub urgency: String,
    pub certainty: String,
    /// The area in words ("Toàn tỉnh", "Quốc lộ 1A qua thị xã Nghi Sơn"…).
    pub area_desc: String,
    /// Communes by their administrative code.
    pub communes: Vec<String>,
    /// Named routes (QL1A, QL45, QL47, CT01…).
    pub routes: Vec<String>,
    /// Polygons as CAP writes them: "lat,lon lat,lon …", closed.
    pub polygons: Vec<String>,
    /// Black spots and road segments it names (ids of `road_places`).
    pub road_places: Vec<String>,
    pub valid_from: i64,
    pub valid_until: Option<i64>,
    pub version: i64,
    pub created_by: String,
    pub submitted_by: Option<String>,
    pub approved_by: Option<String>,
    pub published_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Bulletins it rests on (ids).
    pub bulletins: Vec<String>,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

impl Warning {
    /// The row; `bulletins` is filled by the store.
    pub fn from_row(r: &Row) -> DbResult<Warning> {
        Ok(Warning {
            id: r.str("id")?,
            kind: r.str("kind")?,
            state: State::parse(&r.str("state")?).unwrap_or(State::Draft),
            is_test: r.bool("is_test")?,
            headline: r.str("headline")?,
            headline_en: r.opt_str("headline_en")?,
            happened: r.str("happened")?,
            happened_en: r.opt_str("happened_en")?,
            signs: lines(&r.str("signs")?),
            signs_en: lines(&r.opt_str("signs_en")?.unwrap_or_default()),
            advice: lines(&r.str("advice")?),
            advice_en: lines(&r.opt_str("advice_en")?.unwrap_or_default()),
            contact: r.str("contact")?,
            severity: r.str("severity")?,
            urgency: r.str("urgency")?,
            certainty: r.str("certainty")?,
            area_desc: r.str("area_desc")?,
            communes: json_list(&r.str("communes")?),
            routes: json_list(&r.str("routes")?),
            polygons: json_list(&r.str("polygons")?),
            road_places: json_list(&r.str("road_places")?),
            valid_from: r.i64("valid_from")?,
            valid_until: r.opt_i64("valid_until")?,
            version: r.i64("version")?,
            created_by: r.str("created_by")?,
            submitted_by: r.opt_str("submitted_by")?,
            approved_by: r.opt_str("approved_by")?,
            published_at: r.opt_i64("published_at")?,
            cancelled_at: r.opt_i64("cancelled_at")?,
            cancel_reason: r.opt_str("cancel_reason")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
            bulletins: Vec::new(),
        })
    }

    /// Published and within its validity at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.state == State::Published
            && self.valid_from <= now
            && self.valid_until.is_none_or(|t| t > now)
    }

    /// Published, and its validity has ended.
    pub fn is_expired(&self, now: i64) -> bool {
        self.state == State::Published && self.valid_until.is_some_and(|t| t <= now)
    }

    /// Whether an English text was written (the CAP document then carries an en-US block).
    pub fn has_english(&self) -> bool {
        self.headline_en.as_deref().is_some_and(|h| !h.is_empty())
    }
}
