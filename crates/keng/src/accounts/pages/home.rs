//! The accounts' panel of the home page: for staff, journalists awaiting accreditation,
//! accredited journalists, agencies and units; for a journalist, their accreditation.

use super::*;
use crate::platform::capability::HomePanel;

/// The panel for the signed-in user of `ctx`.
pub async fn panel(app: &AppState, ctx: &Ctx) -> AppResult<Option<HomePanel>> {
    let Some(u) = &ctx.user else {
        return Ok(None);
    };
    let vars = if u.role.is_staff() {
        let journalists = |status| UserFilter {
            role: Some(Role::Journalist),
            status: Some(status),
            agency_id: None,
        };
        context! {
            pending_count => store::count_users(&app.db, &journalists(Status::Pending)).await?,
            accredited_count => store::count_users(&app.db, &journalists(Status::Active)).await?,
            agency_count => store::list_agencies(&app.db).await?.len(),
            unit_count => store::list_units(&app.db).await?.len(),
            can_accredit => ctx.can(Action::ViewAccreditationQueue),
        }
    } else if u.role == Role::Journalist {
        let agency = match &u.agency_id {
            Some(a) => store::get_agency(&app.db, a).await?,
            None => None,
        };
        context! { agency => agency }
    } else {
        return Ok(None);
    };
    Ok(Some(HomePanel {
        template: "accounts/home_panel.html",
        vars,
    }))
}
