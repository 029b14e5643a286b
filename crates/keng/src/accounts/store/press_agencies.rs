//! The registry of press agencies.

use super::*;

pub async fn list_agencies(db: &Db) -> DbResult<Vec<Agency>> {
    db.fetch_all("SELECT * FROM agencies ORDER BY kind, name_key", &[])
        .await?
        .iter()
        .map(Agency::from_row)
        .collect()
}

pub async fn get_agency(db: &Db, id: &str) -> DbResult<Option<Agency>> {
    db.fetch_optional("SELECT * FROM agencies WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(Agency::from_row)
        .transpose()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AgencyInput {
    pub code: String,
    pub name: String,
    /// central or local.
    pub kind: String,
    /// print, online, tv, radio or news_agency.
    pub medium: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub website_url: Option<String>,
    pub feed_url: Option<String>,
}

pub(super) struct CleanAgency {
    code: String,
    name: String,
    kind: String,
    medium: String,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    website_url: Option<String>,
    feed_url: Option<String>,
}

pub(super) fn check_agency(input: &AgencyInput) -> AppResult<CleanAgency> {
    let mut c = crate::accounts::model::Check::default();
    let a = CleanAgency {
        code: c.code("code", &input.code),
        name: c.text("name", &input.name, 200),
        kind: c.one_of("kind", &input.kind, &crate::accounts::model::AGENCY_KINDS),
        medium: c.one_of(
            "medium",
            &input.medium,
            &crate::accounts::model::AGENCY_MEDIA,
        ),
        contact_name: c.opt_text("contact_name", input.contact_name.as_deref(), 200),
        contact_email: c.opt_email("contact_email", input.contact_email.as_deref()),
        contact_phone: c.opt_phone("contact_phone", input.contact_phone.as_deref()),
        website_url: c.opt_url("website_url", input.website_url.as_deref()),
        feed_url: c.opt_url("feed_url", input.feed_url.as_deref()),
    };
    c.finish()?;
    Ok(a)
}

pub async fn create_agency(db: &Db, origin: &Origin, input: &AgencyInput) -> AppResult<Agency> {
    let a = check_agency(input)?;
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO agencies (id, code, name, name_key, kind, medium, contact_name, contact_email, contact_phone, website_url, feed_url, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        args![&id, &a.code, &a.name, keng_text::fold(&a.name), &a.kind, &a.medium, &a.contact_name, &a.contact_email, &a.contact_phone, &a.website_url, &a.feed_url, now],
    )
    .await?;
    let agency = Agency {
        id: id.clone(),
        code: a.code,
        name: a.name,
        kind: a.kind,
        medium: a.medium,
        contact_name: a.contact_name,
        contact_email: a.contact_email,
        contact_phone: a.contact_phone,
        website_url: a.website_url,
        feed_url: a.feed_url,
        created_at: now,
        updated_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "agency.created",
        "agency",
        &id,
        None,
        Some(serde_json::to_value(&agency).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(agency)
}

pub async fn update_agency(
    db: &Db,
    origin: &Origin,
    id: &str,
    input: &AgencyInput,
) -> AppResult<Agency> {
    let a = check_agency(input)?;
    let before = get_agency(db, id).await?.ok_or(AppError::NotFound)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE agencies SET code = $1, name = $2, name_key = $3, kind = $4, medium = $5, contact_name = $6, contact_email = $7,
         contact_phone = $8, website_url = $9, feed_url = $10, updated_at = $11 WHERE id = $12",
        args![&a.code, &a.name, keng_text::fold(&a.name), &a.kind, &a.medium, &a.contact_name, &a.contact_email, &a.contact_phone, &a.website_url, &a.feed_url, now, id],
    )
    .await?;
    let after = Agency {
        id: id.to_string(),
        code: a.code,
        name: a.name,
        kind: a.kind,
        medium: a.medium,
        contact_name: a.contact_name,
        contact_email: a.contact_email,
        contact_phone: a.contact_phone,
        website_url: a.website_url,
        feed_url: a.feed_url,
        created_at: before.created_at,
        updated_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "agency.updated",
        "agency",
        id,
        Some(serde_json::to_value(&before).unwrap_or_default()),
        Some(serde_json::to_value(&after).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
