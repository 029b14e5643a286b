//! Bulletins (thông cáo báo chí, thông tin ban đầu, thông tin vụ việc), their versions,
//! and incidents (vụ việc) with the initial-information clock.

use serde::{Deserialize, Serialize};

use crate::platform::clock;
use crate::platform::db::{DbResult, Row};

/// Where a bulletin is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    Approved,
    /// Published (possibly scheduled for later, possibly under embargo).
    Published,
    /// Withdrawn (gỡ): kept forever, shown as a notice.
    Withdrawn,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Draft,
        State::Submitted,
        State::Approved,
        State::Published,
        State::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Published => "published",
            State::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What kind of bulletin.
pub const KINDS: [&str; 3] = ["initial_information", "press_release", "case_update"];
/// Who may read it once published.
pub const AUDIENCES: [&str; 2] = ["public", "press"];
/// The default categories (configurable in keng.toml: newsroom.categories).
pub const DEFAULT_CATEGORIES: [&str; 10] = [
    "an_ninh",
    "trat_tu_xa_hoi",
    "ma_tuy",
    "trom_cap",
    "lua_dao_cong_nghe_cao",
    "an_toan_giao_thong",
    "chay_no",
    "khen_thuong",
    "hoat_dong_luc_luong",
    "khac",
];

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: String,
    /// initial_information, press_release or case_update.
    pub kind: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body_html: String,
    pub places: Vec<String>,
    pub tags: Vec<String>,
    /// Links to videos (YouTube, Facebook, the provincial TV site…), shown as links.
    pub video_links: Vec<String>,
    /// public or press.
    pub audience: String,
    pub embargo_until: Option<i64>,
    pub publish_at: Option<i64>,
    pub incident_id: Option<String>,
    pub unit_id: Option<String>,
    pub unit_ids: Vec<String>,
    pub spokesperson_id: Option<String>,
    pub state: State,
    pub version: i64,
    pub author_id: Option<String>,
    pub submitted_by: Option<String>,
    pub approved_by: Option<String>,
    pub self_approved: bool,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
    /// When it became public (public audience only).
    pub released_at: Option<i64>,
    /// When it reached accredited press.
    pub press_released_at: Option<i64>,
    pub corrected_at: Option<i64>,
    pub correction_note: Option<String>,
    pub withdrawn_at: Option<i64>,
    pub withdrawal_reason: Option<String>,
    /// The approver's last request for changes (cleared when it is submitted again; every
    /// request stays in the history).
    pub review_note: Option<String>,
    pub review_note_by: Option<String>,
    pub review_note_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn split_list(s: &str) -> Vec<String> {
    s.split('\n')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lists are stored one item a line.
pub fn join_list(v: &[String]) -> String {
    v.join("\n")
}

impl Bulletin {
    pub fn from_row(r: &Row) -> DbResult<Bulletin> {
        Ok(Bulletin {
            id: r.str("id")?,
            kind: r.str("kind")?,
            category: r.str("category")?,
            title: r.str("title")?,
            summary: r.str("summary")?,
            body_html: r.str("body_html")?,
            places: split_list(&r.str("places")?),
            tags: split_list(&r.str("tags")?),
            video_links: split_list(&r.str("video_links")?),
            audience: r.str("audience")?,
            embargo_until: r.opt_i64("embargo_until")?,
            publish_at: r.opt_i64("publish_at")?,
            incident_id: r.opt_str("incident_id")?,
            unit_id: r.opt_str("unit_id")?,
            unit_ids: Vec::new(),
            spokesperson_id: r.opt_str("spokesperson_id")?,
            state: State::parse(&r.str("state")?).unwrap_or(State::Draft),
            version: r.i64("version")?,
            author_id: r.opt_str("author_id")?,
            submitted_by: r.opt_str("submitted_by")?,
            approved_by: r.opt_str("approved_by")?,
            self_approved: r.bool("self_approved")?,
            published_by: r.opt_str("published_by")?,
            published_at: r.opt_i64("published_at")?,
            released_at: r.opt_i64("released_at")?,
            press_released_at: r.opt_i64("press_released_at")?,
            corrected_at: r.opt_i64("corrected_at")?,
            correction_note: r.opt_str("correction_note")?,
            withdrawn_at: r.opt_i64("withdrawn_at")?,
            withdrawal_reason: r.opt_str("withdrawal_reason")?,
            review_note: r.opt_str("review_note")?,
            review_note_by: r.opt_str("review_note_by")?,
            review_note_at: r.opt_i64("review_note_at")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }

    /// The time it became (or becomes) readable by accredited press.
    pub fn press_time(&self) -> Option<i64> {
        self.published_at
            .map(|p| p.max(self.publish_at.unwrap_or(0)))
    }

    /// The time it became (or becomes) public, if it is for the public at all.
    pub fn public_time(&self) -> Option<i64> {
        if self.audience != "public" {
            return None;
        }
        self.press_time()
            .map(|t| t.max(self.embargo_until.unwrap_or(0)))
    }

    /// The time shown as its date: public release, press release, or creation.
    pub fn shown_at(&self) -> i64 {
        self.released_at
            .or(self.press_released_at)
            .or(self.press_time())
            .unwrap_or(self.created_at)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    pub fn shown_local(&self) -> String {
        clock::format_datetime(self.shown_at())
    }
}

/// One stored version of a bulletin's content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub category: String,
    pub places: Vec<String>,
    pub tags: Vec<String>,
    pub audience: String,
    pub embargo_until: Option<i64>,
    pub note: Option<String>,
    pub author_id: Option<String>,
    pub created_at: i64,
}

impl Version {
    pub fn from_row(r: &Row) -> DbResult<Version> {
        Ok(Version {
            version: r.i64("version")?,
            title: r.str("title")?,
            summary: r.str("summary")?,
            body_html: r.str("body_html")?,
            category: r.str("category")?,
            places: split_list(&r.str("places")?),
            tags: split_list(&r.str("tags")?),
            audience: r.str("audience")?,
            embargo_until: r.opt_i64("embargo_until")?,
            note: r.opt_str("note")?,
            author_id: r.opt_str("author_id")?,
            created_at: r.i64("created_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub place: Option<String>,
    pub unit_id: Option<String>,
    pub occurred_at: i64,
    /// Of wide public concern: initial information is due by `deadline_at`.
    pub public_concern: bool,
    pub deadline_at: Option<i64>,
    /// When the first initial information went out.
    pub first_info_at: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Incident {
    pub fn from_row(r: &Row) -> DbResult<Incident> {
        Ok(Incident {
            id: r.str("id")?,
            title: r.str("title")?,
            summary: r.opt_str("summary")?,
            place: r.opt_str("place")?,
            unit_id: r.opt_str("unit_id")?,
            occurred_at: r.i64("occurred_at")?,
            public_concern: r.bool("public_concern")?,
            deadline_at: r.opt_i64("deadline_at")?,
            first_info_at: r.opt_i64("first_info_at")?,
            created_by: r.opt_str("created_by")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }

    /// The clock: "overdue", "due" (open, in time), "done" or "none".
    pub fn clock_state(&self, now: i64) -> &'static str {
        match (self.public_concern, self.first_info_at, self.deadline_at) {
            (false, _, _) => "none",
            (true, Some(_), _) => "done",
            (true, None, Some(d)) if d < now => "overdue",
            (true, None, _) => "due",
        }
    }

    /// Minutes left before the deadline (negative when overdue).
    pub fn minutes_left(&self, now: i64) -> Option<i64> {
        self.deadline_at.map(|d| (d - now).div_euclid(60_000))
    }
}
