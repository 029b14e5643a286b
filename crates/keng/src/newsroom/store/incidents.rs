//! Incidents of public concern and their 24-hour clock for initial information.

use super::*;

#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct IncidentInput {
    pub title: String,
    pub summary: Option<String>,
    pub place: Option<String>,
    pub unit_id: Option<String>,
    /// When it happened (RFC 3339 or Vietnam-time "yyyy-mm-ddThh:mm").
    pub occurred_at: String,
    #[serde(default)]
    pub public_concern: bool,
}

pub async fn create_incident(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    input: &IncidentInput,
) -> AppResult<Incident> {
    if !allowed(
        &user.actor(),
        Action::DraftBulletin,
        &owner_of(
            db,
            user.unit_id
                .as_deref()
                .filter(|_| user.role == Role::UnitOfficer),
        )
        .await?,
    ) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let mut c = Check::default();
    let title = c.text("title", &input.title, 300);
    let summary = c.opt_text("summary", input.summary.as_deref(), 2000);
    let place = c.opt_text("place", input.place.as_deref(), 200);
    let occurred_at = clock::parse_local_datetime(&input.occurred_at);
    if occurred_at.is_none() {
        c.fail("occurred_at", "err.datetime");
    }
    let unit_id = input
        .unit_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(u) = &unit_id {
        if !is_id(u) || accounts::get_unit(db, u).await?.is_none() {
            c.fail("unit_id", "err.unknown_unit");
        }
    }
    c.finish()?;
    let occurred_at = occurred_at.unwrap_or_default();
    let deadline = input
        .public_concern
        .then(|| occurred_at + cfg.clocks.initial_information_hours * 3_600_000);
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO incidents (id, title, summary, place, unit_id, occurred_at, public_concern, deadline_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        args![&id, &title, summary.clone(), place.clone(), unit_id.clone(), occurred_at, input.public_concern, deadline, &user.id, now],
    )
    .await?;
    let inc = Incident {
        id: id.clone(),
        title,
        summary,
        place,
        unit_id,
        occurred_at,
        public_concern: input.public_concern,
        deadline_at: deadline,
        first_info_at: None,
        created_by: Some(user.id.clone()),
        created_at: now,
        updated_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "incident.created",
        "incident",
        &id,
        None,
        Some(serde_json::to_value(&inc).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(inc)
}

pub async fn get_incident(db: &Db, id: &str) -> AppResult<Option<Incident>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM incidents WHERE id = $1", args![id])
        .await?
        .as_ref()
        .map(Incident::from_row)
        .transpose()?)
}

/// Incidents, those whose clock runs first (soonest deadline), then newest.
pub async fn list_incidents(db: &Db, limit: i64) -> AppResult<Vec<Incident>> {
    Ok(db
        .fetch_all(
            &format!(
                "SELECT * FROM incidents ORDER BY CASE WHEN public_concern = $1 AND first_info_at IS NULL THEN 0 ELSE 1 END,
                   deadline_at, occurred_at DESC LIMIT {}",
                limit.clamp(1, 500)
            ),
            args![true],
        )
        .await?
        .iter()
        .map(Incident::from_row)
        .collect::<DbResult<_>>()?)
}

/// Incidents of public concern still without initial information: (clock running,
/// overdue) at `now`.
pub async fn open_clocks(db: &Db, now: i64) -> AppResult<(i64, i64)> {
    let row = db
        .fetch_one(
            "SELECT COALESCE(SUM(CASE WHEN deadline_at >= $1 THEN 1 ELSE 0 END), 0) AS due,
                    COALESCE(SUM(CASE WHEN deadline_at < $1 THEN 1 ELSE 0 END), 0) AS overdue
             FROM incidents WHERE public_concern = $2 AND first_info_at IS NULL AND deadline_at IS NOT NULL",
            args![now, true],
        )
        .await?;
    Ok((row.i64("due")?, row.i64("overdue")?))
}

/// An initial information on its way (drafted, awaiting approval, approved, or
/// published and waiting for its time) for an incident: the desk shows it instead of
/// inviting a second one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PendingInformation {
    pub id: String,
    pub incident_id: String,
    pub title: String,
    pub state: String,
}

/// The pending initial information of every incident that has one (the oldest).
pub async fn pending_initial_information(
    db: &Db,
) -> AppResult<std::collections::HashMap<String, PendingInformation>> {
    let mut out = std::collections::HashMap::new();
    for r in db
        .fetch_all(
            "SELECT id, incident_id, title, state FROM bulletins
              WHERE kind = 'initial_information' AND incident_id IS NOT NULL
                AND state IN ('draft', 'submitted', 'approved', 'published')
                AND press_released_at IS NULL
              ORDER BY created_at DESC",
            &[],
        )
        .await?
    {
        let p = PendingInformation {
            id: r.str("id")?,
            incident_id: r.str("incident_id")?,
            title: r.str("title")?,
            state: r.str("state")?,
        };
        // Newest first, so the oldest one stays.
        out.insert(p.incident_id.clone(), p);
    }
    Ok(out)
}
