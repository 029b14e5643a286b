//! Who may see a bulletin, on every surface: the one place embargo, audience, schedule,
//! state and accreditation are decided. Pages, lists, feeds, the ninjs API, the sitemap,
//! search, live streams and webhooks all ask [`seen`] (one bulletin) or use
//! [`listing_filter`] (the same rule as SQL, for lists); a test keeps the two in step.

use super::model::{Bulletin, State};
use crate::platform::db::Value;
use crate::platform::permissions::{Actor, Role};

/// What a viewer may see of one bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not even that it exists.
    Hidden,
    /// That it existed and was withdrawn (gỡ), with the reason — not its content.
    Tombstone,
    /// The content; `embargoed` when it is not yet public (cấm đăng trước).
    Full { embargoed: bool },
}

/// The kinds of viewer the rule distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone without an accredited press account.
    Public,
    /// An active (accredited) journalist.
    Press,
    /// Police staff: everything, drafts included (their desk), withdrawn as a notice.
    Staff,
}

impl Viewer {
    /// Accounts reach the application only while active (sessions and tokens of other
    /// accounts are refused), so the role decides.
    pub fn of(actor: &Actor) -> Viewer {
        match actor.role {
            Role::Journalist => Viewer::Press,
            Role::Public => Viewer::Public,
            _ => Viewer::Staff,
        }
    }
}

impl Viewer {
    /// On public surfaces (pages, feeds, ninjs, search) staff read as the press: drafts
    /// are previewed on the desk, not under public URLs.
    pub fn on_public_surface(actor: &Actor) -> Viewer {
        match Viewer::of(actor) {
            Viewer::Staff => Viewer::Press,
            v => v,
        }
    }
}

/// May `viewer` see `b` at `now`, and how much?
pub fn seen(b: &Bulletin, viewer: Viewer, now: i64) -> Seen {
    match (viewer, b.state) {
        (Viewer::Staff, State::Withdrawn) => Seen::Tombstone,
        (Viewer::Staff, _) => Seen::Full {
            embargoed: b.public_time().is_none_or(|t| t > now),
        },
        (Viewer::Press, State::Published) => match b.press_time() {
            Some(t) if t <= now => Seen::Full {
                embargoed: b.public_time().is_none_or(|p| p > now),
            },
            _ => Seen::Hidden,
        },
        (Viewer::Press, State::Withdrawn)
            if b.press_time()
                .is_some_and(|t| t <= b.withdrawn_at.unwrap_or(now)) =>
        {
            Seen::Tombstone
        }
        (Viewer::Public, State::Published) => match b.public_time() {
            Some(t) if t <= now => Seen::Full { embargoed: false },
            _ => Seen::Hidden,
        },
        (Viewer::Public, State::Withdrawn)
            if b.public_time()
                .is_some_and(|t| t <= b.withdrawn_at.unwrap_or(now)) =>
        {
            Seen::Tombstone
        }
        _ => Seen::Hidden,
    }
}

/// Does what the press sees of `b` at `now` go beyond what the public sees (embargoed,
/// press-only)? Such a message reaches an agency's systems only while an accredited
/// editor of the agency is responsible for them (`webhooks`).
pub fn restricted(b: &Bulletin, now: i64) -> bool {
    seen(b, Viewer::Press, now) != seen(b, Viewer::Public, now)
}

/// The same rule as a SQL condition on `bulletins` (alias `b`) for lists: rows the viewer
/// may see in full (`tombstones` adds withdrawn ones they had seen). Parameters are
/// numbered from `first`.
pub fn listing_filter(
    viewer: Viewer,
    now: i64,
    first: usize,
    tombstones: bool,
) -> (String, Vec<Value>) {
    let p = |k: usize| format!("${}", first + k);
    let press_time = "(CASE WHEN COALESCE(b.publish_at, 0) > b.published_at THEN b.publish_at ELSE b.published_at END)";
    let public_time =
        format!("(CASE WHEN COALESCE(b.embargo_until, 0) > {press_time} THEN b.embargo_until ELSE {press_time} END)");
    match viewer {
        Viewer::Staff => ("1=1".to_string(), Vec::new()),
        Viewer::Press => {
            let mut sql = format!(
                "(b.state = 'published' AND b.published_at IS NOT NULL AND {press_time} <= {})",
                p(0)
            );
            if tombstones {
                sql = format!(
                    "({sql} OR (b.state = 'withdrawn' AND b.published_at IS NOT NULL AND {press_time} <= b.withdrawn_at))"
                );
            }
            (sql, vec![Value::from(now)])
        }
        Viewer::Public => {
            let mut sql = format!(
                "(b.state = 'published' AND b.audience = 'public' AND b.published_at IS NOT NULL AND {public_time} <= {})",
                p(0)
            );
            if tombstones {
                sql = format!(
                    "({sql} OR (b.state = 'withdrawn' AND b.audience = 'public' AND b.published_at IS NOT NULL AND {public_time} <= b.withdrawn_at))"
                );
            }
            (sql, vec![Value::from(now)])
        }
    }
}
