//! The audit log: who did what, when, from where, with the values before and after.
//! Append-only: this module only inserts and reads, and database triggers refuse any
//! UPDATE or DELETE (a test proves both).

use serde::Serialize;

use super::db::{Db, DbResult, Row, Tx, Value};
use super::events;
use super::ids::new_id;
use crate::args;

/// Who is acting and from where.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub ip: Option<String>,
}

impl Origin {
    /// The command line or the demo loader.
    pub fn system(name: &str) -> Origin {
        Origin {
            actor_id: None,
            actor_name: name.to_string(),
            ip: None,
        }
    }
}

/// Records one mutation in the same transaction as the change itself: an audit entry
/// and a domain event (kind = `action`, payload = the values after and before).
pub async fn record_change(
    tx: &mut Tx,
    origin: &Origin,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> DbResult<()> {
    let now = super::clock::now_ms();
    let before_s = before.as_ref().map(|v| v.to_string());
    let after_s = after.as_ref().map(|v| v.to_string());
    tx.execute(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, ip, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            new_id(),
            now,
            origin.actor_id.clone(),
            origin.actor_name.clone(),
            origin.ip.clone(),
            action,
            entity,
            entity_id,
            before_s,
            after_s
        ],
    )
    .await?;
    let payload = serde_json::json!({ "before": before, "after": after });
    events::append(
        tx,
        action,
        entity,
        entity_id,
        origin.actor_id.as_deref(),
        &payload,
    )
    .await
}

/// Records that someone read a record the law or the matrix asks to be watched (a press
/// request read by staff): an audit entry with no event, since nothing changed.
pub async fn record_view(db: &Db, origin: &Origin, entity: &str, entity_id: &str) -> DbResult<()> {
    db.execute(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, ip, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
        args![
            new_id(),
            super::clock::now_ms(),
            origin.actor_id.clone(),
            origin.actor_name.clone(),
            origin.ip.clone(),
            format!("{entity}.viewed"),
            entity,
            entity_id
        ],
    )
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    /// UTC milliseconds since the epoch.
    pub at: i64,
    pub at_local: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

impl AuditEntry {
    fn from_row(r: &Row) -> DbResult<AuditEntry> {
        let at = r.i64("at")?;
        Ok(AuditEntry {
            id: r.str("id")?,
            at,
            at_local: super::clock::format_datetime(at),
            actor_id: r.opt_str("actor_id")?,
            actor_name: r.str("actor_name")?,
            ip: r.opt_str("ip")?,
            action: r.str("action")?,
            entity: r.str("entity")?,
            entity_id: r.str("entity_id")?,
            before_json: r.opt_str("before_json")?,
            after_json: r.opt_str("after_json")?,
        })
    }
}

/// Filters of the audit page and export.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Reads the audit log, newest first.
pub async fn list(db: &Db, f: &AuditFilter) -> DbResult<Vec<AuditEntry>> {
    let mut sql = String::from("SELECT * FROM audit_log WHERE 1=1");
    let mut params: Vec<Value> = Vec::new();
    let mut bind = |v: Value| {
        params.push(v);
        format!("${}", params.len())
    };
    if let Some(a) = &f.actor {
        let (p1, p2) = (bind(a.into()), bind(a.into()));
        sql.push_str(&format!(" AND (actor_name = {p1} OR actor_id = {p2})"));
    }
    if let Some(e) = &f.entity {
        sql.push_str(&format!(" AND entity = {}", bind(e.into())));
    }
    if let Some(e) = &f.entity_id {
        sql.push_str(&format!(" AND entity_id = {}", bind(e.into())));
    }
    if let Some(t) = f.from_ms {
        sql.push_str(&format!(" AND at >= {}", bind(t.into())));
    }
    if let Some(t) = f.to_ms {
        sql.push_str(&format!(" AND at < {}", bind(t.into())));
    }
    let limit = if f.limit <= 0 {
        100
    } else {
        f.limit.min(10_000)
    };
    sql.push_str(&format!(
        " ORDER BY at DESC, id DESC LIMIT {limit} OFFSET {}",
        f.offset.max(0)
    ));
    db.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(AuditEntry::from_row)
        .collect()
}
