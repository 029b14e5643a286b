//! Lists of bulletins for the public and the desk (the visibility rule as SQL) and a bulletin's versions.

use super::*;

/// Filters of the public and desk lists.

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub category: Option<String>,
    pub unit_id: Option<String>,
    pub incident_id: Option<String>,
    pub state: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Bulletins `viewer` may see, newest first (withdrawn ones as tombstones when asked).
pub async fn list(
    db: &Db,
    viewer: Viewer,
    f: &ListFilter,
    tombstones: bool,
) -> AppResult<Vec<Bulletin>> {
    let now = now_ms();
    let (vis, mut params) = listing_filter(viewer, now, 1, tombstones);
    let mut sql = format!("SELECT b.* FROM bulletins b WHERE {vis}");
    // Each condition's `?` marks are the one new parameter.
    let mut add = |v: Value, cond: &str| {
        params.push(v);
        sql.push_str(&cond.replace('?', &format!("${}", params.len())));
    };
    let shown = "COALESCE(b.released_at, b.press_released_at, b.published_at, b.created_at)";
    if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
        add(c.into(), " AND b.category = ?");
    }
    if let Some(u) = f.unit_id.as_deref().filter(|s| !s.is_empty()) {
        add(u.into(), " AND (b.unit_id = ? OR EXISTS (SELECT 1 FROM bulletin_units bu WHERE bu.bulletin_id = b.id AND bu.unit_id = ?))");
    }
    if let Some(i) = f.incident_id.as_deref().filter(|s| !s.is_empty()) {
        add(i.into(), " AND b.incident_id = ?");
    }
    if let Some(st) = f.state.as_deref().filter(|s| !s.is_empty()) {
        add(st.into(), " AND b.state = ?");
    }
    if let Some(t) = f.from_ms {
        add(t.into(), &format!(" AND {shown} >= ?"));
    }
    if let Some(t) = f.to_ms {
        add(t.into(), &format!(" AND {shown} < ?"));
    }
    let limit = if f.limit <= 0 { 20 } else { f.limit.min(500) };
    sql.push_str(&format!(
        " ORDER BY {shown} DESC, b.id DESC LIMIT {limit} OFFSET {}",
        f.offset.max(0)
    ));
    let rows = db.fetch_all(&sql, &params).await?;
    Ok(rows
        .iter()
        .map(Bulletin::from_row)
        .collect::<DbResult<_>>()?)
}

pub async fn versions(db: &Db, id: &str) -> AppResult<Vec<Version>> {
    Ok(db
        .fetch_all(
            "SELECT * FROM bulletin_versions WHERE bulletin_id = $1 ORDER BY version",
            args![id],
        )
        .await?
        .iter()
        .map(Version::from_row)
        .collect::<DbResult<_>>()?)
}

/// How many bulletins are in each workflow state.
pub async fn count_by_state(db: &Db) -> AppResult<Vec<(String, i64)>> {
    db.fetch_all(
        "SELECT state, COUNT(*) AS n FROM bulletins GROUP BY state",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.str("state")?, r.i64("n")?)))
    .collect()
}
