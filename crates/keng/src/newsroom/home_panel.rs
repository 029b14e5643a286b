//! The newsroom's panel of the home page: for staff, what awaits them — bulletins to
//! approve (first, for those who approve), approved ones to publish, incidents whose
//! 24-hour clock runs or is overdue; for an accredited journalist, their press page.

use minijinja::context;

use super::store;
use crate::platform::auth::Ctx;
use crate::platform::capability::HomePanel;
use crate::platform::clock::now_ms;
use crate::platform::errors::AppResult;
use crate::platform::identity::Status;
use crate::platform::permissions::{Action, Role};
use crate::platform::state::AppState;

/// The panel for the signed-in user of `ctx`.
pub async fn panel(app: &AppState, ctx: &Ctx) -> AppResult<Option<HomePanel>> {
    let Some(u) = &ctx.user else {
        return Ok(None);
    };
    let vars = if ctx.can(Action::ViewNewsroomDesk) {
        let counts = store::count_by_state(&app.db).await?;
        let n = |state: &str| {
            counts
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n)
        };
        let (due, overdue) = store::open_clocks(&app.db, now_ms()).await?;
        context! {
            submitted => n("submitted"),
            approved => n("approved"),
            drafts => n("draft"),
            clocks_due => due,
            clocks_overdue => overdue,
            approver => ctx.can(Action::ApproveBulletin),
            publisher => ctx.can(Action::PublishBulletin),
        }
    } else if u.role == Role::Journalist && u.status == Status::Active {
        context! { journalist => true }
    } else {
        return Ok(None);
    };
    Ok(Some(HomePanel {
        template: "newsroom/home_panel.html",
        vars,
    }))
}
