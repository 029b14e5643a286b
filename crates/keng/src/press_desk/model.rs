//! The press desk's records: a journalist's request (kinds, states, the Press Law's
//! grounds for refusal) and the field-work permit it may yield.

use serde::Serialize;

use crate::platform::db::{DbResult, Row};

/// What a journalist asks for.
pub const KINDS: [&str; 5] = [
    "information",
    "interview",
    "field_work",
    "operation",
    "documents",
];

/// Kinds whose acceptance is a visit to a unit on a date, with a permit.
pub fn needs_permit(kind: &str) -> bool {
    matches!(kind, "field_work" | "operation")
}

/// Kinds that are scheduled (a meeting or a visit) rather than only answered.
pub fn is_scheduled(kind: &str) -> bool {
    matches!(kind, "interview" | "field_work" | "operation")
}

/// Where a request is. Open: submitted, assigned, needs_details, scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for the press office to route it.
    Submitted,
    /// With a unit and/or the spokesperson.
    Assigned,
    /// The police asked the journalist for details; the clock runs on.
    NeedsDetails,
    /// Accepted and set for a date (interview, field work, an operation).
    Scheduled,
    /// Answered (text, files, or the visit took place).
    Answered,
    /// Refused on a ground of the Press Law, Art. 38.
    Refused,
    /// The journalist acknowledged the answer.
    Closed,
    /// The journalist withdrew it.
    Withdrawn,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Submitted,
        State::Assigned,
        State::NeedsDetails,
        State::Scheduled,
        State::Answered,
        State::Refused,
        State::Closed,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::Assigned => "assigned",
            State::NeedsDetails => "needs_details",
            State::Scheduled => "scheduled",
            State::Answered => "answered",
            State::Refused => "refused",
            State::Closed => "closed",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The police still owe an answer (the clock runs).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Submitted | State::Assigned | State::NeedsDetails | State::Scheduled
        )
    }
}

/// The grounds on which information may be refused (Press Law 2016, Art. 38(2)).
pub const REFUSAL_GROUNDS: [&str; 5] = [
    "state_secret",
    "private_life",
    "under_investigation",
    "inspection_or_complaint",
    "draft_not_approved",
];

/// A press request as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PressRequest {
    pub id: String,
    /// information, interview, field_work, operation or documents.
    pub kind: String,
    /// submitted, assigned, needs_details, scheduled, answered, refused, closed, withdrawn.
    pub state: String,
    pub journalist_id: String,
    pub agency_id: Option<String>,
    pub topic: String,
    pub questions: String,
    /// Wished time window (ms since the epoch, UTC).
    pub wished_from: Option<i64>,
    pub wished_until: Option<i64>,
    /// The unit asked for, then the unit in charge.
    pub unit_id: Option<String>,
    pub assignee_id: Option<String>,
    /// When the press office first routed it: only then is the unit in charge of it (the
    /// unit a journalist names is a wish until the press office assigns it).
    pub assigned_at: Option<i64>,
    pub incident_id: Option<String>,
    pub bulletin_id: Option<String>,
    /// The legal time limit: end of the last working day (ms, UTC).
    pub due_at: i64,
    pub scheduled_from: Option<i64>,
    pub scheduled_until: Option<i64>,
    /// The officer who receives the journalist.
    pub officer_id: Option<String>,
    pub place: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    /// One of the Press Law Art. 38 grounds.
    pub refusal_ground: Option<String>,
    pub refusal_note: Option<String>,
    /// The last question for details, reply or follow-up.
    pub note: Option<String>,
    pub reminded_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// When the police first responded: scheduled, answered or refused (the report's
    /// response time runs from `created_at` to here; on time when not after `due_at`).
    pub responded_at: Option<i64>,
    /// The bulletin this answer was shared as, for all accredited press or the public,
    /// on the incident's timeline.
    pub shared_bulletin_id: Option<String>,
}

impl PressRequest {
    pub fn from_row(r: &Row) -> DbResult<PressRequest> {
        Ok(PressRequest {
            id: r.str("id")?,
            kind: r.str("kind")?,
            state: r.str("state")?,
            journalist_id: r.str("journalist_id")?,
            agency_id: r.opt_str("agency_id")?,
            topic: r.str("topic")?,
            questions: r.str("questions")?,
            wished_from: r.opt_i64("wished_from")?,
            wished_until: r.opt_i64("wished_until")?,
            unit_id: r.opt_str("unit_id")?,
            assignee_id: r.opt_str("assignee_id")?,
            assigned_at: r.opt_i64("assigned_at")?,
            incident_id: r.opt_str("incident_id")?,
            bulletin_id: r.opt_str("bulletin_id")?,
            due_at: r.i64("due_at")?,
            scheduled_from: r.opt_i64("scheduled_from")?,
            scheduled_until: r.opt_i64("scheduled_until")?,
            officer_id: r.opt_str("officer_id")?,
            place: r.opt_str("place")?,
            answer: r.opt_str("answer")?,
            answered_at: r.opt_i64("answered_at")?,
            answered_by: r.opt_str("answered_by")?,
            refusal_ground: r.opt_str("refusal_ground")?,
            refusal_note: r.opt_str("refusal_note")?,
            note: r.opt_str("note")?,
            reminded_at: r.opt_i64("reminded_at")?,
            escalated_at: r.opt_i64("escalated_at")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
            closed_at: r.opt_i64("closed_at")?,
            responded_at: r.opt_i64("responded_at")?,
            shared_bulletin_id: r.opt_str("shared_bulletin_id")?,
        })
    }

    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Submitted)
    }
}

/// A field-work permit (giấy xác nhận tác nghiệp).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Permit {
    pub id: String,
    pub request_id: String,
    pub journalist_id: String,
    pub agency_id: Option<String>,
    pub unit_id: String,
    pub officer_id: Option<String>,
    pub place: Option<String>,
    pub valid_from: i64,
    pub valid_until: i64,
    pub issued_at: i64,
    pub issued_by: Option<String>,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

impl Permit {
    pub fn from_row(r: &Row) -> DbResult<Permit> {
        Ok(Permit {
            id: r.str("id")?,
            request_id: r.str("request_id")?,
            journalist_id: r.str("journalist_id")?,
            agency_id: r.opt_str("agency_id")?,
            unit_id: r.str("unit_id")?,
            officer_id: r.opt_str("officer_id")?,
            place: r.opt_str("place")?,
            valid_from: r.i64("valid_from")?,
            valid_until: r.i64("valid_until")?,
            issued_at: r.i64("issued_at")?,
            issued_by: r.opt_str("issued_by")?,
            revoked_at: r.opt_i64("revoked_at")?,
            revoked_by: r.opt_str("revoked_by")?,
            revoke_reason: r.opt_str("revoke_reason")?,
        })
    }

    /// valid, not_yet_valid, expired or revoked at `now`; a permit of a journalist
    /// whose accreditation ended (`holder_active` false) is revoked.
    pub fn status(&self, now: i64, holder_active: bool) -> &'static str {
        if self.revoked_at.is_some() || !holder_active {
            "revoked"
        } else if now < self.valid_from {
            "not_yet_valid"
        } else if now > self.valid_until {
            "expired"
        } else {
            "valid"
        }
    }
}
