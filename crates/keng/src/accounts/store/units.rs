//! Units: the province's police tree.

use super::*;

pub async fn list_units(db: &Db) -> DbResult<Vec<Unit>> {
    db.fetch_all("SELECT * FROM units ORDER BY code", &[])
        .await?
        .iter()
        .map(Unit::from_row)
        .collect()
}

pub async fn get_unit(db: &Db, id: &str) -> DbResult<Option<Unit>> {
    db.fetch_optional("SELECT * FROM units WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(Unit::from_row)
        .transpose()
}

pub async fn unit_by_code(db: &Db, code: &str) -> DbResult<Option<Unit>> {
    db.fetch_optional("SELECT * FROM units WHERE code = $1", args![code])
        .await?
        .as_ref()
        .map(Unit::from_row)
        .transpose()
}

/// The unit and its ancestors, nearest first (for the permission matrix).
pub async fn unit_path(db: &Db, id: &str) -> DbResult<Vec<String>> {
    let mut path = Vec::new();
    let mut cur = Some(id.to_string());
    while let Some(u) = cur {
        if path.contains(&u) || path.len() > 32 {
            break;
        }
        let parent = db
            .fetch_optional("SELECT parent_id FROM units WHERE id = $1", args![&u])
            .await?;
        path.push(u);
        cur = match parent {
            Some(r) => r.opt_str("parent_id")?,
            None => None,
        };
    }
    Ok(path)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

pub async fn create_unit(db: &Db, origin: &Origin, input: &UnitInput) -> AppResult<Unit> {
    let mut c = crate::accounts::model::Check::default();
    let code = c.code("code", &input.code);
    let name = c.text("name", &input.name, 200);
    let kind = c.one_of("kind", &input.kind, &crate::accounts::model::UNIT_KINDS);
    let address = c.opt_text("address", input.address.as_deref(), 300);
    let phone = c.opt_phone("phone", input.phone.as_deref());
    let parent_id = input
        .parent_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if let Some(p) = &parent_id {
        if get_unit(db, p).await?.is_none() {
            c.fail("parent_id", "err.unknown_unit");
        }
    }
    c.finish()?;
    let now = now_ms();
    let id = new_id();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO units (id, code, name, name_key, kind, parent_id, address, phone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        args![&id, &code, &name, keng_text::fold(&name), &kind, parent_id.clone(), address.clone(), phone.clone(), now],
    )
    .await?;
    let unit = Unit {
        id: id.clone(),
        code,
        name,
        kind,
        parent_id,
        address,
        phone,
        created_at: now,
        updated_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "unit.created",
        "unit",
        &id,
        None,
        Some(serde_json::to_value(&unit).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}
