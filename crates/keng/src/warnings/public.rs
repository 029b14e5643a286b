//! The public face of warnings: `/canh-bao` (what is in force now, by kind, then what
//! ended), `/canh-bao/{id}` (with Open Graph for sharing and the bulletins behind it),
//! `/cap/{id}.xml` (the latest CAP message exactly as issued) and `/feeds/warnings.atom`
//! with one per kind at `/feeds/warnings/{kind}.atom` (CAP indexes: one Atom entry per
//! warning linking to its CAP document, as alert aggregators ingest). Every item shown has passed `visibility::public`.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{TimeZone, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::model::{Warning, KINDS};
use super::store;
use super::visibility;
use crate::newsroom::store as bulletins;
use crate::newsroom::visibility::{seen, Seen, Viewer};
use crate::platform::auth::Ctx;
use crate::platform::capability::{SearchDoc, SearchHit};
use crate::platform::clock::now_ms;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n;
use crate::platform::state::AppState;
use crate::platform::web::page;

#[derive(Deserialize, Serialize, Default)]
pub struct ListQuery {
    /// A kind (scam, traffic…); empty: all.
    #[serde(default)]
    pub loai: String,
}

/// A warning as the public templates show it.
#[derive(Serialize)]
pub struct Card {
    pub w: Warning,
    pub active: bool,
    pub expired: bool,
    pub cancelled: bool,
    pub upcoming: bool,
}

pub fn card(w: Warning, now: i64) -> Card {
    Card {
        active: w.is_active(now),
        expired: w.is_expired(now),
        cancelled: w.state == super::model::State::Cancelled,
        upcoming: w.state == super::model::State::Published && w.valid_from > now,
        w,
    }
}

/// Every public warning (published or cancelled, never a test), newest first.
pub async fn public_list(
    app: &AppState,
    kind: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Warning>> {
    Ok(
        store::list(&app.db, &visibility::PUBLIC_STATES, kind, false, limit)
            .await?
            .into_iter()
            .filter(visibility::public)
            .collect(),
    )
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let kind = Some(q.loai.trim()).filter(|k| !k.is_empty());
    if let Some(k) = kind {
        if !KINDS.iter().any(|(x, _)| *x == k) {
            return Err(AppError::bad("err.unknown_kind"));
        }
    }
    let now = now_ms();
    let all = public_list(&app, kind, 200).await?;
    let (current, past): (Vec<Card>, Vec<Card>) = all
        .into_iter()
        .map(|w| card(w, now))
        .partition(|c| c.active || c.upcoming);
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    // Black spots and segments in use, each with the warnings in force that name it.
    let places = if kind.is_none_or(|k| k == "traffic" || k == "weather_traffic") {
        super::roads::list(&app.db, false).await?
    } else {
        Vec::new()
    };
    let (sketch, road_rows) = road_rows(
        places,
        current.iter().filter(|c| c.active).map(|c| &c.w),
        ctx.lang,
    );
    // Traffic warnings in force, by route (the Tết peak's key routes first to the eye).
    let mut by_route: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for c in current.iter().filter(|c| c.active) {
        for r in &c.w.routes {
            by_route
                .entry(r.clone())
                .or_default()
                .push(c.w.headline.clone());
        }
    }
    Ok(page(
        &app,
        &ctx,
        "warnings/list.html",
        context! { current => current, past => past, kinds => kinds, kind => kind, by_route => by_route, sketch => sketch, road_rows => road_rows },
    )?
    .into_response())
}

pub async fn detail(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = store::get(&app.db, &id)
        .await?
        .filter(visibility::public)
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    // The bulletins behind it, as the reader may see them.
    let viewer = Viewer::on_public_surface(&ctx.actor());
    let mut sources = Vec::new();
    for b in &w.bulletins {
        if let Some(b) = bulletins::get(&app.db, b).await? {
            if matches!(seen(&b, viewer, now), Seen::Full { embargoed: false }) {
                sources.push(b);
            }
        }
    }
    let places = store::places(&app.db, &w.communes).await?;
    let place_names: Vec<String> = places.into_iter().map(|p| p.name).collect();
    // Every place the warning names, drawn red.
    let roads = super::roads::some(&app.db, &w.road_places).await?;
    let sketch = if roads.is_empty() {
        String::new()
    } else {
        super::roads::sketch(&roads, &w.road_places, ctx.lang)
    };
    let road_rows: Vec<RoadRow> = roads.into_iter().map(|p| (p, Vec::new())).collect();
    let base = ctx.base_url.clone();
    let paragraphs: Vec<String> = w
        .happened
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let og_description: String = w.happened.chars().take(200).collect();
    let posts = super::share::posts_of(&w, &app.config, &base);
    let c = card(w, now);
    let og = c.active || c.upcoming;
    let base = base.trim_end_matches('/');
    Ok(page(
        &app,
        &ctx,
        "warnings/detail.html",
        context! {
            c => c, sources => sources, place_names => place_names, paragraphs => paragraphs, og_description => og_description,
            canonical => format!("{base}/canh-bao/{id}"), og => og, posts => posts,
            og_image => format!("{base}/chia-se/canh-bao/{id}/wide.png"), sketch => sketch, road_rows => road_rows,
        },
    )?
    .into_response())
}

/// What the search index holds of a warning (public only if it may ever be).
pub async fn search_doc(db: &crate::platform::db::Db, id: &str) -> AppResult<Option<SearchDoc>> {
    let Some(w) = store::get(db, id).await? else {
        return Ok(None);
    };
    let text = [
        w.happened.as_str(),
        &w.signs.join("\n"),
        &w.advice.join("\n"),
        &w.area_desc,
        &w.routes.join(", "),
    ]
    .join("\n");
    Ok(Some(SearchDoc {
        title: w.headline.clone(),
        text,
        public: visibility::public(&w),
    }))
}

/// A warning as a search result, if the public may see it now.
pub async fn search_hit(db: &crate::platform::db::Db, id: &str) -> AppResult<Option<SearchHit>> {
    let Some(w) = store::get(db, id).await?.filter(visibility::public) else {
        return Ok(None);
    };
    Ok(Some(SearchHit {
        summary: w.happened.chars().take(240).collect(),
        text: w.signs.join(" · "),
        path: format!("/canh-bao/{}", w.id),
        category: w.kind.clone(),
        shown_at: w.published_at.unwrap_or(w.valid_from),
        title: w.headline,
    }))
}

/// A place with the warnings (id, headline) among `warnings` that name it.
type RoadRow = (super::roads::RoadPlace, Vec<(String, String)>);

/// The sketch of `places` (those named by one of `warnings` in red) and its list.
fn road_rows<'a>(
    places: Vec<super::roads::RoadPlace>,
    warnings: impl Iterator<Item = &'a Warning>,
    lang: i18n::Lang,
) -> (String, Vec<RoadRow>) {
    let warnings: Vec<&Warning> = warnings.collect();
    let rows: Vec<RoadRow> = places
        .into_iter()
        .map(|p| {
            let named = warnings
                .iter()
                .filter(|w| w.road_places.contains(&p.id))
                .map(|w| (w.id.clone(), w.headline.clone()))
                .collect();
            (p, named)
        })
        .collect();
    if rows.is_empty() {
        return (String::new(), rows);
    }
    let emphasised: Vec<String> = rows
        .iter()
        .filter(|(_, named)| !named.is_empty())
        .map(|(p, _)| p.id.clone())
        .collect();
    let places: Vec<super::roads::RoadPlace> = rows.iter().map(|(p, _)| p.clone()).collect();
    (super::roads::sketch(&places, &emphasised, lang), rows)
}

/// The latest CAP message of a public warning, as issued.
pub async fn cap_xml(State(app): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let id = file.strip_suffix(".xml").ok_or(AppError::NotFound)?;
    store::get(&app.db, id)
        .await?
        .filter(visibility::public)
        .ok_or(AppError::NotFound)?;
    let (xml, _) = store::latest_cap(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, "application/cap+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

fn time(ms: i64) -> FixedDateTime {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .fixed_offset()
}

/// `/feeds/warnings.atom`: one entry per public warning, linking to its CAP document.
pub async fn feed(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    cap_index(&app, &ctx, None).await
}

/// `/feeds/warnings/{kind}.atom`: the CAP index of one kind (scam warnings only, say, for
/// a bank's fraud desk or a relay that carries traffic alone).
pub async fn feed_kind(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let kind = file.strip_suffix(".atom").ok_or(AppError::NotFound)?;
    if !KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(AppError::NotFound);
    }
    cap_index(&app, &ctx, Some(kind)).await
}

async fn cap_index(app: &AppState, ctx: &Ctx, kind: Option<&str>) -> AppResult<Response> {
    let base = ctx.base_url.trim_end_matches('/').to_string();
    let self_path = match kind {
        Some(k) => format!("/feeds/warnings/{k}.atom"),
        None => "/feeds/warnings.atom".to_string(),
    };
    let mut entries = Vec::new();
    let mut updated = 0;
    // When each warning's latest CAP message was issued: one query for the whole feed.
    let issued_at = store::last_issued(&app.db).await?;
    for w in public_list(app, kind, 100).await? {
        let Some(&issued) = issued_at.get(&w.id) else {
            continue;
        };
        updated = updated.max(issued);
        let mut e = Entry {
            id: format!("urn:uuid:{}", w.id),
            title: Text::plain(w.headline.clone()),
            updated: time(issued),
            published: w.published_at.map(time),
            summary: Some(Text::plain(
                w.happened.chars().take(300).collect::<String>(),
            )),
            ..Default::default()
        };
        e.links = vec![
            Link {
                href: format!("{base}/cap/{}.xml", w.id),
                rel: "alternate".into(),
                mime_type: Some("application/cap+xml".into()),
                ..Default::default()
            },
            Link {
                href: format!("{base}/canh-bao/{}", w.id),
                rel: "related".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ];
        entries.push(e);
    }
    let title = match kind {
        Some(k) => format!(
            "{} — {}: {}",
            app.config.site_name,
            i18n::t(i18n::Lang::Vi, "warnings.feed_title"),
            i18n::t(i18n::Lang::Vi, &format!("warnings.kind_{k}"))
        ),
        None => format!(
            "{} — {}",
            app.config.site_name,
            i18n::t(i18n::Lang::Vi, "warnings.feed_title")
        ),
    };
    let feed = Feed {
        id: format!("{base}{self_path}"),
        title: Text::plain(title),
        updated: time(updated),
        authors: vec![Person {
            name: app.config.site_name.clone(),
            ..Default::default()
        }],
        links: vec![
            Link {
                href: format!("{base}{self_path}"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: match kind {
                    Some(k) => format!("{base}/canh-bao?loai={k}"),
                    None => format!("{base}/canh-bao"),
                },
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        lang: Some("vi".into()),
        entries,
        ..Default::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response())
}
