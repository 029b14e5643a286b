//! The workflow's rules for one bulletin and one person, in one place for the desk pages
//! and the JSON API: who may edit (and attach files to) it, who may approve it (four
//! eyes), and what a correction may change.
//!
//! Four eyes: every person who wrote a version of the bulletin or added a file to it is
//! one of its authors, and
//! no author approves it — except a spokesperson's own initial information in an
//! emergency, when the configuration allows it. Any edit after submission returns the
//! bulletin to draft (see `store::update`), so the text approved is the text a second
//! person read.

use super::model::{Bulletin, State};
use crate::accounts::model::User;
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::config::Config;
use crate::platform::db::{Db, DbResult};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{allowed, Action, Owner, Role};

/// The unit that owns a bulletin, with its ancestors, for the permission matrix.
pub async fn owner_of(db: &Db, unit_id: Option<&str>) -> DbResult<Owner> {
    Ok(match unit_id {
        Some(u) => Owner::Unit(accounts::unit_path(db, u).await?),
        None => Owner::None,
    })
}

/// May `user` change this bulletin's content (drafting rights over its unit)? A unit
/// officer edits their own unit's bulletins; headquarters' bulletins (no unit) only
/// when they wrote them.
pub async fn may_edit(db: &Db, user: &User, b: &Bulletin) -> AppResult<bool> {
    let owner = owner_of(db, b.unit_id.as_deref()).await?;
    let is_author = b.author_id.as_deref() == Some(user.id.as_str());
    Ok(allowed(&user.actor(), Action::DraftBulletin, &owner)
        && (user.role != Role::UnitOfficer || is_author || owner != Owner::None))
}

/// May `user` correct this published bulletin? The right to publish, drafting rights
/// over its unit, and — when the configuration asks corrections to be approved — the
/// right to approve.
pub async fn may_correct(db: &Db, cfg: &Config, user: &User, b: &Bulletin) -> AppResult<bool> {
    let actor = user.actor();
    Ok(allowed(&actor, Action::PublishBulletin, &Owner::None)
        && (!super::settings::of(cfg).corrections_need_approval
            || allowed(&actor, Action::ApproveBulletin, &Owner::None))
        && may_edit(db, user, b).await?)
}

/// Files join a bulletin as its content does: by whoever may edit it before
/// publication, by whoever may correct it once published, never once withdrawn.
pub async fn may_attach(db: &Db, cfg: &Config, user: &User, b: &Bulletin) -> AppResult<()> {
    let ok = match b.state {
        State::Draft | State::Submitted | State::Approved => may_edit(db, user, b).await?,
        State::Published => may_correct(db, cfg, user, b).await?,
        State::Withdrawn => return Err(AppError::Conflict("err.bad_state")),
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden("err.forbidden"))
    }
}

/// Everyone who wrote any of the bulletin's content: a version (its first author
/// included) or a file with its caption.
pub async fn authors(db: &Db, b: &Bulletin) -> DbResult<Vec<String>> {
    let mut ids: Vec<String> = db
        .fetch_all(
            "SELECT author_id FROM bulletin_versions WHERE bulletin_id = $1 AND author_id IS NOT NULL
             UNION SELECT created_by FROM attachments WHERE bulletin_id = $1 AND created_by IS NOT NULL",
            args![&b.id],
        )
        .await?
        .iter()
        .map(|r| r.str("author_id"))
        .collect::<DbResult<_>>()?;
    if let Some(a) = &b.author_id {
        if !ids.contains(a) {
            ids.push(a.clone());
        }
    }
    Ok(ids)
}

/// How `user` may approve a bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// A second person: the normal case.
    SecondPair,
    /// A spokesperson's own initial information in an emergency (logged as such).
    Emergency,
}

/// The four-eyes rule: may `user` approve `b` now, and how? The error says why not.
pub async fn approval(db: &Db, cfg: &Config, user: &User, b: &Bulletin) -> AppResult<Approval> {
    if !allowed(&user.actor(), Action::ApproveBulletin, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if b.state != State::Submitted {
        return Err(AppError::Conflict("err.bad_state"));
    }
    if !authors(db, b).await?.contains(&user.id) {
        return Ok(Approval::SecondPair);
    }
    let emergency = super::settings::of(cfg).allow_emergency_self_approval
        && user.role == Role::Spokesperson
        && b.kind == "initial_information";
    if emergency {
        Ok(Approval::Emergency)
    } else {
        Err(AppError::Forbidden("err.four_eyes"))
    }
}

/// A correction changes the text and says so; who may read the bulletin and when
/// (audience, embargo) were approved and stay exactly as they are. Forms show times to
/// the minute, so an embargo given within the approved one's minute means "unchanged":
/// the approved value (to the millisecond) is what is kept, returned here.
pub fn correction_keeps_release(
    b: &Bulletin,
    audience: &str,
    embargo_until: Option<i64>,
) -> AppResult<Option<i64>> {
    let mut fields = Vec::new();
    if audience != b.audience {
        fields.push(("audience".to_string(), "err.correction_keeps_release"));
    }
    let same_embargo = match (embargo_until, b.embargo_until) {
        (Some(a), Some(b)) => a.div_euclid(60_000) == b.div_euclid(60_000),
        (a, b) => a == b,
    };
    if !same_embargo {
        fields.push(("embargo_until".to_string(), "err.correction_keeps_release"));
    }
    if fields.is_empty() {
        Ok(b.embargo_until)
    } else {
        Err(AppError::Invalid(fields))
    }
}

/// The workflow steps `user` may take on `b` now, in the order the desk offers them
/// (the desk page's buttons and the API's `actions`): submit a draft; approve or send
/// back a submitted one (four eyes; one's own only in an emergency, and then not sent
/// back); publish an approved one; withdraw a published one.
pub async fn next_steps(
    db: &Db,
    cfg: &Config,
    user: &User,
    b: &Bulletin,
) -> AppResult<Vec<&'static str>> {
    let can = |a: Action| allowed(&user.actor(), a, &Owner::None);
    Ok(match b.state {
        State::Draft if may_edit(db, user, b).await? => vec!["submit"],
        State::Submitted => match approval(db, cfg, user, b).await {
            Ok(Approval::SecondPair) => vec!["approve", "request_changes"],
            Ok(Approval::Emergency) => vec!["approve"],
            Err(_) => vec![],
        },
        State::Approved if can(Action::PublishBulletin) => vec!["publish"],
        State::Published if can(Action::ApproveBulletin) => vec!["withdraw"],
        _ => vec![],
    })
}
