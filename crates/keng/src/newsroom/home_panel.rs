//! The newsroom's panel of the home page: for the public, the search box, the latest
//! news and the incidents being followed (each item through the visibility rule); for
//! staff, what awaits them — bulletins to approve (first, for those who approve),
//! approved ones to publish, incidents whose 24-hour clock runs or is overdue; for an
//! accredited journalist, their press page.

use minijinja::context;

use super::public::card;
use super::store::{self, ListFilter};
use super::visibility::{seen, Viewer};
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
        return public(app, ctx).await.map(Some);
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

/// How many of the latest items the public home page shows.
const LATEST: usize = 6;
/// How many followed incidents it shows.
const FOLLOWED: usize = 4;

/// The public panel: the latest news and the incidents recent items are about.
async fn public(app: &AppState, ctx: &Ctx) -> AppResult<HomePanel> {
    let viewer = Viewer::on_public_surface(&ctx.actor());
    let now = now_ms();
    let recent = store::list(
        &app.db,
        viewer,
        &ListFilter {
            limit: 40,
            ..Default::default()
        },
        false,
    )
    .await?;
    let mut followed: Vec<minijinja::Value> = Vec::new();
    let mut seen_incidents = Vec::new();
    for b in &recent {
        let Some(id) = &b.incident_id else { continue };
        if seen_incidents.contains(id) || followed.len() >= FOLLOWED {
            continue;
        }
        seen_incidents.push(id.clone());
        if let Some(i) = store::get_incident(&app.db, id).await? {
            let updates = recent
                .iter()
                .filter(|x| x.incident_id.as_deref() == Some(id))
                .count();
            followed.push(context! { i => i, last => b.shown_at(), updates => updates });
        }
    }
    let cards: Vec<_> = recent
        .into_iter()
        .take(LATEST)
        .map(|b| {
            let s = seen(&b, viewer, now);
            card(b, s)
        })
        .collect();
    Ok(HomePanel {
        template: "newsroom/home_panel.html",
        vars: context! { public => true, cards => cards, followed => followed },
    })
}
