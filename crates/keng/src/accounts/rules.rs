//! The accounts' rules that the pages and the API both apply, written once: which
//! permission an account's status change needs, and the change itself (never one's own
//! account; leaving `active` ends the account's sessions and tokens, in the store).

use super::model::{Status, User};
use super::store;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::permissions::{Action, Owner, Role};
use crate::platform::state::AppState;

/// Which permission a status change needs, by the account's role.
pub fn status_action(role: Role, to: Status) -> Action {
    match (role, to) {
        (Role::Journalist, Status::Revoked) => Action::RevokeJournalist,
        (Role::Journalist, Status::Suspended) => Action::SuspendJournalist,
        (Role::Journalist, _) => Action::AccreditJournalist,
        _ => Action::ManageUsers,
    }
}

/// Moves account `id` to `to` as the signed-in user of `ctx` (accredit, reject,
/// suspend, reinstate, revoke, disable), with an optional reason for the audit log.
pub async fn change_status(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    to: Status,
    reason: Option<&str>,
) -> AppResult<User> {
    ctx.user()?;
    let target = store::get_user(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(status_action(target.role, to), &Owner::None)?;
    if ctx.user.as_ref().is_some_and(|u| u.id == id) {
        return Err(AppError::Forbidden("err.self_status"));
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    store::set_status(&app.db, &ctx.origin(), id, to, reason).await
}
