//! The public newsroom: bulletin list and pages (with Open Graph for sharing, a print
//! view and withdrawal notices), incident timelines, Atom feeds and the sitemap. Every
//! item shown has passed `visibility::seen` for the requester.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;

use super::feeds;
use super::model::Bulletin;
use super::sanitize;
use super::store::{self, ListFilter};
use super::visibility::{seen, Seen, Viewer};
use crate::accounts::store as accounts;
use crate::platform::auth::Ctx;
use crate::platform::clock::{self, now_ms};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n;
use crate::platform::state::AppState;
use crate::platform::web::page;

const PAGE: i64 = 20;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ListQuery {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub unit: String,
    /// dd/mm/yyyy or yyyy-mm-dd.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<i64>,
}

impl ListQuery {
    pub fn filter(&self, limit: i64) -> AppResult<ListFilter> {
        let date = |s: &str| -> AppResult<Option<i64>> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            clock::parse_local_date(s)
                .map(Some)
                .ok_or(AppError::BadRequest {
                    key: "err.date",
                    detail: Some(s.to_string()),
                })
        };
        let page = self.page.unwrap_or(1).clamp(1, 10_000);
        Ok(ListFilter {
            category: Some(self.category.clone()).filter(|s| !s.is_empty()),
            unit_id: Some(self.unit.clone()).filter(|s| !s.is_empty()),
            from_ms: date(&self.from)?,
            to_ms: date(&self.to)?.map(|t| t + 86_400_000),
            limit,
            offset: (page - 1) * limit,
            ..Default::default()
        })
    }
}

/// A bulletin as the public templates show it.
#[derive(serde::Serialize)]
pub(super) struct Card {
    b: Bulletin,
    shown_at: i64,
    embargoed: bool,
    withdrawn: bool,
    excerpt: String,
}

pub(super) fn card(b: Bulletin, s: Seen) -> Card {
    let excerpt = if b.summary.is_empty() {
        sanitize::plain(&b.body_html).chars().take(240).collect()
    } else {
        b.summary.clone()
    };
    Card {
        shown_at: b.shown_at(),
        embargoed: matches!(s, Seen::Full { embargoed: true }),
        withdrawn: s == Seen::Tombstone,
        excerpt,
        b,
    }
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let viewer = public_viewer(&ctx);
    let mut items = store::list(&app.db, viewer, &q.filter(PAGE + 1)?, false).await?;
    let has_more = items.len() as i64 > PAGE;
    items.truncate(PAGE as usize);
    let now = now_ms();
    let cards: Vec<Card> = items
        .into_iter()
        .map(|b| {
            let s = seen(&b, viewer, now);
            card(b, s)
        })
        .collect();
    let units = accounts::list_units(&app.db).await?;
    let page_no = q.page.unwrap_or(1).max(1);
    Ok(page(
        &app,
        &ctx,
        "newsroom/list.html",
        context! { cards => cards, q => q, categories => super::settings::of(&app.config).categories.clone(), units => units,
                   page_no => page_no, has_more => has_more },
    )?
    .into_response())
}

/// Public surfaces treat staff as the press (they preview drafts on their desk).
fn public_viewer(ctx: &Ctx) -> Viewer {
    Viewer::on_public_surface(&ctx.actor())
}

async fn visible(app: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Bulletin, Seen)> {
    let b = store::get(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let s = seen(&b, public_viewer(ctx), now_ms());
    if s == Seen::Hidden {
        return Err(AppError::NotFound);
    }
    Ok((b, s))
}

pub async fn detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    render_detail(app, ctx, id, "newsroom/detail.html").await
}

pub async fn print(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    render_detail(app, ctx, id, "newsroom/print.html").await
}

async fn render_detail(app: AppState, ctx: Ctx, id: String, template: &str) -> AppResult<Response> {
    let (b, s) = visible(&app, &ctx, &id).await?;
    let incident = match &b.incident_id {
        Some(i) => store::get_incident(&app.db, i).await?,
        None => None,
    };
    let unit_names: Vec<String> = {
        let all = accounts::list_units(&app.db).await?;
        all.into_iter()
            .filter(|u| b.unit_ids.contains(&u.id) || b.unit_id.as_ref() == Some(&u.id))
            .map(|u| u.name)
            .collect()
    };
    // Whom the press may call: the bulletin's spokesperson, or the one on duty.
    let spokesperson = match &b.spokesperson_id {
        Some(sid) => accounts::get_user(&app.db, sid).await?,
        None => None,
    };
    let spokesperson = match spokesperson {
        Some(s) => Some(s),
        None => store::spokesperson_on_duty(&app.db, &app.config).await?,
    };
    let base = ctx.base_url.clone();
    let attachments = if s == Seen::Tombstone {
        Vec::new()
    } else {
        super::attachments::of_bulletin(&app.db, &b.id).await?
    };
    let og_description = if s == Seen::Tombstone {
        String::new()
    } else {
        b.summary.clone()
    };
    let status = if s == Seen::Tombstone {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    let html = page(
        &app,
        &ctx,
        template,
        context! {
            c => card(b.clone(), s), incident => incident, unit_names => unit_names, spokesperson => spokesperson,
            canonical => format!("{base}/tin/{}", b.id), og_description => og_description, attachments => attachments,
            // Open Graph only for what anyone may share: public and released.
            og => s == Seen::Full { embargoed: false } && b.audience == "public",
        },
    )?;
    Ok((status, html).into_response())
}

pub async fn incident(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let inc = store::get_incident(&app.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewer = public_viewer(&ctx);
    let filter = ListFilter {
        incident_id: Some(id.clone()),
        limit: 200,
        ..Default::default()
    };
    let mut items = store::list(&app.db, viewer, &filter, true).await?;
    // An incident is public once something about it is.
    if items.is_empty() && !matches!(Viewer::of(&ctx.actor()), Viewer::Staff) {
        return Err(AppError::NotFound);
    }
    items.reverse(); // oldest first: a timeline
    let now = now_ms();
    let cards: Vec<Card> = items
        .into_iter()
        .map(|b| {
            let s = seen(&b, viewer, now);
            card(b, s)
        })
        .collect();
    Ok(page(
        &app,
        &ctx,
        "newsroom/incident.html",
        context! { incident => inc, cards => cards },
    )?
    .into_response())
}

fn atom(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=30"),
        ],
        body,
    )
        .into_response()
}

async fn public_feed(
    app: &AppState,
    base: &str,
    filter: ListFilter,
    title: &str,
    self_path: &str,
) -> AppResult<Response> {
    let items = store::list(&app.db, Viewer::Public, &filter, true).await?;
    Ok(atom(feeds::feed(
        title,
        self_path,
        base,
        &app.config.site_name,
        &items,
    )))
}

pub async fn feed_all(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let title = format!(
        "{} — {}",
        app.config.site_name,
        i18n::t(i18n::Lang::Vi, "newsroom.feed_title")
    );
    public_feed(
        &app,
        &ctx.base_url,
        ListFilter {
            limit: 50,
            ..Default::default()
        },
        &title,
        "/feeds/bulletins.atom",
    )
    .await
}

pub async fn feed_category(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let cat = file.strip_suffix(".atom").ok_or(AppError::NotFound)?;
    if !super::settings::of(&app.config)
        .categories
        .iter()
        .any(|c| c == cat)
    {
        return Err(AppError::NotFound);
    }
    let title = format!(
        "{} — {}",
        app.config.site_name,
        i18n::t(i18n::Lang::Vi, &format!("category.{cat}"))
    );
    let filter = ListFilter {
        category: Some(cat.to_string()),
        limit: 50,
        ..Default::default()
    };
    public_feed(
        &app,
        &ctx.base_url,
        filter,
        &title,
        &format!("/feeds/category/{cat}.atom"),
    )
    .await
}

pub async fn feed_incident(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let id = file.strip_suffix(".atom").ok_or(AppError::NotFound)?;
    let inc = store::get_incident(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filter = ListFilter {
        incident_id: Some(id.to_string()),
        limit: 200,
        ..Default::default()
    };
    let items = store::list(&app.db, Viewer::Public, &filter, true).await?;
    if items.is_empty() {
        return Err(AppError::NotFound);
    }
    let title = format!("{} — {}", app.config.site_name, inc.title);
    Ok(atom(feeds::feed(
        &title,
        &format!("/feeds/incident/{id}.atom"),
        &ctx.base_url,
        &app.config.site_name,
        &items,
    )))
}

/// sitemap.xml: the public pages and every released public bulletin.
pub async fn sitemap(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let base = ctx.base_url.as_str();
    let items = store::list(
        &app.db,
        Viewer::Public,
        &ListFilter {
            limit: 500,
            ..Default::default()
        },
        false,
    )
    .await?;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    xml.push_str(&format!(
        "  <url><loc>{base}/</loc></url>\n  <url><loc>{base}/tin</loc></url>\n"
    ));
    for b in items {
        let lastmod = clock::iso(b.corrected_at.unwrap_or(b.shown_at()).max(b.shown_at()));
        xml.push_str(&format!(
            "  <url><loc>{base}/tin/{}</loc><lastmod>{lastmod}</lastmod></url>\n",
            b.id
        ));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
}

/// The search page (tìm kiếm).
pub async fn search_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let viewer = public_viewer(&ctx);
    let text = q.q.trim().chars().take(200).collect::<String>();
    let hits = if text.is_empty() {
        Vec::new()
    } else {
        super::live(&app)?
            .search
            .search(
                &app.db,
                "",
                viewer,
                &text,
                Some(q.category.as_str()).filter(|c| !c.is_empty()),
                30,
            )
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    };
    Ok(page(
        &app,
        &ctx,
        "newsroom/search.html",
        context! { q => q, hits => hits, searched => !text.is_empty(), categories => super::settings::of(&app.config).categories.clone() },
    )?
    .into_response())
}
