//! The units page.

use super::*;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

pub(super) async fn units_page(
    app: &AppState,
    ctx: &Ctx,
    form: &UnitForm,
    errors: Vec<(String, String)>,
    done: Option<String>,
) -> AppResult<Html<String>> {
    let units = store::list_units(&app.db).await?;
    let tree = unit_tree(&units);
    page(
        app,
        ctx,
        "accounts/units.html",
        context! { tree => tree, units => units, kinds => UNIT_KINDS, form => form, errors => errors,
        can_manage => ctx.can(Action::ManageUnits), done => done },
    )
}

/// The units in tree order with their depth, for an indented list.
pub(super) fn unit_tree(
    units: &[crate::accounts::model::Unit],
) -> Vec<(usize, crate::accounts::model::Unit)> {
    fn walk(
        units: &[crate::accounts::model::Unit],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, crate::accounts::model::Unit)>,
    ) {
        if depth > 16 {
            return;
        }
        let mut children: Vec<&crate::accounts::model::Unit> = units
            .iter()
            .filter(|u| u.parent_id.as_deref() == parent)
            .collect();
        // Departments before district and commune police, then by code.
        children.sort_by_key(|u| {
            let rank = UNIT_KINDS.iter().position(|k| *k == u.kind).unwrap_or(9);
            (rank, u.code.clone())
        });
        for u in children {
            out.push((depth, u.clone()));
            walk(units, Some(&u.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(units, None, 0, &mut out);
    out
}

pub async fn units(State(app): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Page {
    ctx.require(Action::ViewUnits, &Owner::None)?;
    let done = done_message(ctx.lang, q.done.as_deref());
    Ok(
        units_page(&app, &ctx, &UnitForm::default(), Vec::new(), done)
            .await?
            .into_response(),
    )
}

pub async fn unit_create(State(app): State<AppState>, ctx: Ctx, Form(f): Form<UnitForm>) -> Page {
    ctx.require(Action::ManageUnits, &Owner::None)?;
    let input = UnitInput {
        code: f.code.clone(),
        name: f.name.clone(),
        kind: f.kind.clone(),
        parent_id: Some(f.parent_id.clone()),
        address: Some(f.address.clone()),
        phone: Some(f.phone.clone()),
    };
    match store::create_unit(&app.db, &ctx.origin(), &input).await {
        Ok(_) => Ok(Redirect::to("/units?done=unit_created").into_response()),
        Err(e) => {
            let errors = field_errors(e, ctx.lang)?;
            Ok(unprocessable(
                units_page(&app, &ctx, &f, errors, None).await?,
            ))
        }
    }
}
