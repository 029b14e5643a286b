//! The audit log as leaders and admins read it: filters (user, entity, date range),
//! paging, and a CSV export of the same selection.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::audit::{self, AuditFilter};
use super::auth::Ctx;
use super::clock;
use super::errors::{AppError, AppResult};
use super::permissions::{Action, Owner};
use super::state::AppState;
use super::web::page;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    /// dd/mm/yyyy or yyyy-mm-dd, Vietnam time, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: Option<i64>,
}

impl AuditQuery {
    /// The filter, or a 400 naming the date a person mistyped.
    pub fn filter(&self, limit: i64) -> AppResult<AuditFilter> {
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let date = |s: &str| -> AppResult<Option<i64>> {
            match nonempty(s) {
                None => Ok(None),
                Some(d) => clock::parse_local_date(&d)
                    .map(Some)
                    .ok_or(AppError::BadRequest {
                        key: "err.date",
                        detail: Some(d),
                    }),
            }
        };
        let page = self.page.unwrap_or(1).clamp(1, 100_000);
        Ok(AuditFilter {
            actor: nonempty(&self.actor),
            entity: nonempty(&self.entity),
            entity_id: nonempty(&self.entity_id),
            from_ms: date(&self.from)?,
            // inclusive end date: up to the start of the next day
            to_ms: date(&self.to)?.map(|t| t + 86_400_000),
            limit,
            offset: (page - 1) * limit,
        })
    }
}

const PAGE: i64 = 50;

pub async fn audit_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ViewAudit, &Owner::None)?;
    let filter = q.filter(PAGE + 1)?;
    let mut entries = audit::list(&app.db, &filter).await?;
    let has_more = entries.len() as i64 > PAGE;
    entries.truncate(PAGE as usize);
    let page_no = q.page.unwrap_or(1).max(1);
    let query_string = serde_urlencoded_query(&q);
    Ok(page(
        &app,
        &ctx,
        "audit/list.html",
        context! { entries => entries, q => q, page_no => page_no, has_more => has_more, query_string => query_string },
    )?
    .into_response())
}

fn serde_urlencoded_query(q: &AuditQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("actor", &q.actor),
        ("entity", &q.entity),
        ("entity_id", &q.entity_id),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

pub async fn audit_csv(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ViewAudit, &Owner::None)?;
    let mut filter = q.filter(10_000)?;
    filter.offset = 0;
    let entries = audit::list(&app.db, &filter).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record([
        "at_utc",
        "at_vietnam",
        "actor",
        "actor_id",
        "ip",
        "action",
        "entity",
        "entity_id",
        "before",
        "after",
    ])
    .map_err(io)?;
    for e in &entries {
        let c = super::spreadsheet::cell;
        w.write_record([
            clock::iso(e.at),
            e.at_local.clone(),
            c(&e.actor_name),
            c(&e.actor_id.clone().unwrap_or_default()),
            c(&e.ip.clone().unwrap_or_default()),
            c(&e.action),
            c(&e.entity),
            c(&e.entity_id),
            c(&e.before_json.clone().unwrap_or_default()),
            c(&e.after_json.clone().unwrap_or_default()),
        ])
        .map_err(io)?;
    }
    let mut bytes = b"\xEF\xBB\xBF".to_vec(); // BOM so spreadsheet programs read UTF-8
    bytes.extend(
        w.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"keng-audit.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
