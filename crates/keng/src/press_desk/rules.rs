//! Who may take which step on a press request, decided from the permission matrix and
//! the request's state, for pages and API alike ([`next_steps`]). A request is owned by
//! the journalist who made it, their agency's editors and the unit in charge
//! (`Owner::Record`). Who sees a press conference or event is decided here too
//! ([`invited`], [`may_view_event`]).

use super::model::{is_scheduled, PressRequest, State};
use crate::accounts::model::User;
use crate::accounts::store as accounts;
use crate::platform::db::{Db, DbResult};
use crate::platform::permissions::{allowed, Action, Owner, Role};

/// Every step a request can take.
pub const STEPS: [&str; 11] = [
    "assign",
    "schedule",
    "ask_details",
    "reply",
    "answer",
    "refuse",
    "acknowledge",
    "follow_up",
    "withdraw",
    "revoke_permit",
    "share",
];

/// Whether `user`'s role may ever take `step` (journalists' steps are theirs, the
/// others are staff's: the press office, the spokesperson, leaders and unit officers).
pub fn role_may(user: &User, step: &str) -> bool {
    match step {
        "reply" | "acknowledge" | "follow_up" | "withdraw" => {
            user.role == Role::Journalist
                && allowed(&user.actor(), Action::SubmitPressRequest, &Owner::None)
        }
        _ => {
            allowed(&user.actor(), Action::AnswerPressRequest, &Owner::None)
                || user.role == Role::UnitOfficer
        }
    }
}

/// The request's owners, for the matrix.
pub async fn owner(db: &Db, r: &PressRequest) -> DbResult<Owner> {
    // The unit is in charge only once the press office assigned the request to it.
    let unit = match r.unit_id.as_deref() {
        Some(u) if r.assigned_at.is_some() => accounts::unit_path(db, u).await?,
        _ => Vec::new(),
    };
    Ok(Owner::Record {
        user: Some(r.journalist_id.clone()),
        agency: r.agency_id.clone(),
        unit,
    })
}

/// May `user` read this request?
pub fn may_view(user: &User, owner: &Owner) -> bool {
    allowed(&user.actor(), Action::ViewPressRequest, owner)
}

/// The steps `user` may take now. `has_live_permit`: the request has a permit not yet
/// revoked.
pub fn next_steps(
    user: &User,
    r: &PressRequest,
    owner: &Owner,
    has_live_permit: bool,
) -> Vec<&'static str> {
    let actor = user.actor();
    let state = r.state();
    let desk = allowed(&actor, Action::AnswerPressRequest, &Owner::None);
    // The unit in charge (its officers and those above) receives the journalist.
    let unit = user.role == Role::UnitOfficer
        && r.assigned_at.is_some()
        && allowed(&actor, Action::ReceiveFieldWork, owner);
    let author = user.id == r.journalist_id && user.role == Role::Journalist;
    let mut steps = Vec::new();
    if desk
        && matches!(
            state,
            State::Submitted | State::Assigned | State::NeedsDetails
        )
    {
        steps.push("assign");
    }
    if (desk || unit)
        && is_scheduled(&r.kind)
        && matches!(state, State::Submitted | State::Assigned | State::Scheduled)
        && (desk || state != State::Submitted)
    {
        steps.push("schedule");
    }
    if (desk || unit) && matches!(state, State::Submitted | State::Assigned | State::Scheduled) {
        steps.push("ask_details");
    }
    if (desk || unit) && state.is_open() {
        steps.push("answer");
        steps.push("refuse");
    }
    if author && state == State::NeedsDetails {
        steps.push("reply");
    }
    if author && state == State::Answered {
        steps.push("acknowledge");
        steps.push("follow_up");
    }
    if author && state.is_open() {
        steps.push("withdraw");
    }
    if desk && has_live_permit {
        steps.push("revoke_permit");
    }
    // An answer about an incident may be given once for all: shared on its timeline.
    if desk
        && allowed(&actor, Action::DraftBulletin, &Owner::None)
        && matches!(state, State::Answered | State::Closed)
        && r.incident_id.is_some()
        && r.answer.is_some()
        && r.shared_bulletin_id.is_none()
    {
        steps.push("share");
    }
    steps
}

/// Is `user` invited to the event (an active journalist of an invited agency)?
pub fn invited(user: &User, e: &super::events::PressEvent) -> bool {
    user.role == Role::Journalist
        && user.status == crate::accounts::model::Status::Active
        && user
            .agency_id
            .as_ref()
            .is_some_and(|a| e.agency_ids.contains(a))
}

/// May `user` see the event? The organisers (staff) and the invited.
pub fn may_view_event(user: &User, e: &super::events::PressEvent) -> bool {
    user.role.is_staff() || invited(user, e)
}
