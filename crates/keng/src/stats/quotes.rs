//! Figures quoted in a bulletin (trích dẫn số liệu). From a report, the press office
//! drafts a bulletin whose body carries the report's sentences and a table of its
//! figures against the same period last year. The quote keeps the report as it stood
//! (frozen: a later correction never changes the numbers a bulletin published) and the
//! exact versions of the figures it counted, so its page says what was quoted and
//! whether a newer version of any of them has been approved since. The draft goes
//! through the newsroom's four-eyes workflow like any bulletin
//! (`newsroom::store::draft_in`, in the quote's transaction), and who may see the
//! quote's page is the bulletin's rule (`newsroom::visibility::seen`): nobody reads the
//! figures of a bulletin before the bulletin is theirs to read.

use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;
use super::figures::{self, Line, Scope};
use super::model::{day_str, Units};
use super::visibility::{counted, units_in, Audience};
use crate::accounts::model::User;
use crate::args;
use crate::newsroom::store::{draft_in, BulletinInput};
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::config::Config;
use crate::platform::db::{Db, Value};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::Lang;
use crate::platform::ids::{is_id, new_id};

/// What a quote froze of its report (always in Vietnamese: the bulletin's language).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = StatQuoted)]
pub struct Quoted {
    pub title: String,
    pub unit: String,
    /// The field's name, when the report was about one field.
    pub field: Option<String>,
    pub period_text: String,
    pub last_year_text: String,
    pub narrative: Vec<String>,
    /// The lines the bulletin's table shows (summable measures of the report's
    /// sentences with a figure this period or last year).
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<Line>,
    /// Figures counted out because they straddle an edge of the period.
    pub straddling: i64,
}

/// A quote as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatQuote)]
pub struct Quote {
    pub id: String,
    pub bulletin_id: String,
    pub unit_id: String,
    pub field_id: Option<String>,
    pub from: String,
    pub to: String,
    pub quoted: Quoted,
    pub created_at: i64,
}

/// The versions a quote counted, by unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatQuoteSources)]
pub struct Sources {
    pub unit_id: String,
    pub unit: String,
    /// Versions counted (this period, the same period last year, the period before).
    pub versions: i64,
    /// Of those, corrections (a version after the first).
    pub corrections: i64,
    /// Of those, versions a newer approved version has replaced since the quote.
    pub superseded: i64,
    pub first_day: String,
    pub last_day: String,
}

/// The lines worth a bulletin's table: summable measures of the report's sentences
/// with a figure this period or the same period last year.
fn table_lines(cat: &Catalogue, lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .filter(|l| l.summable && l.now.is_some())
        .filter(|l| cat.measure(&l.measure_id).is_some_and(|m| m.in_narrative))
        .filter(|l| l.now.unwrap_or(0.0) != 0.0 || l.last_year.unwrap_or(0.0) != 0.0)
        .cloned()
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: Option<f64>) -> String {
    v.map(keng_charts::number).unwrap_or_else(|| "–".into())
}

/// "+5 (17,9%)", "-2 (-10%)", "0", or "+3" from a zero base (no percent: see the
/// report's zero-base rule) — as the report's table writes it.
fn change(l: &Line) -> String {
    let Some(d) = l.diff_last_year else {
        return "–".into();
    };
    let sign = if d > 0.0 { "+" } else { "" };
    let pct = l
        .pct_last_year
        .map(|p| format!(" ({}%)", keng_charts::number_to(p, 1)))
        .unwrap_or_default();
    format!("{sign}{}{pct}", keng_charts::number(d))
}

/// The bulletin's body: the sentences, then the table with its source.
pub fn body_html(q: &Quoted, link: &str) -> String {
    let mut out = String::new();
    for s in &q.narrative {
        out.push_str(&format!("<p>{}</p>\n", esc(s)));
    }
    out.push_str("<figure>\n<table>\n<thead><tr><th scope=\"col\">Chỉ tiêu</th><th scope=\"col\">Kỳ này</th><th scope=\"col\">Cùng kỳ</th><th scope=\"col\">Tăng (+), giảm (−)</th></tr></thead>\n<tbody>\n");
    for l in &q.lines {
        out.push_str(&format!(
            "<tr><td>{} — {} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&l.field),
            esc(&l.measure),
            esc(&l.unit),
            num(l.now),
            num(l.last_year),
            esc(&change(l)).replace('-', "−"),
        ));
    }
    out.push_str(&format!(
        "</tbody>\n</table>\n<figcaption>Số liệu đã duyệt của {}, {}; cùng kỳ: {}. Nguồn: <a href=\"{}\">bảng số liệu được trích dẫn</a>.</figcaption>\n</figure>",
        esc(&q.unit),
        esc(&q.period_text),
        esc(&q.last_year_text),
        esc(link),
    ));
    out
}

/// The newsroom category a field's bulletin files under, when the province has it.
fn category(cfg: &Config, field: Option<&str>) -> String {
    let cats = &crate::newsroom::settings::of(cfg).categories;
    let wanted = match field {
        Some("ttxh") => "trat_tu_xa_hoi",
        Some("ma_tuy") => "ma_tuy",
        Some("trom_cap") => "trom_cap",
        Some("cong_nghe_cao") => "lua_dao_cong_nghe_cao",
        Some("giao_thong") => "an_toan_giao_thong",
        Some("chay_no") => "chay_no",
        _ => "hoat_dong_luc_luong",
    };
    [wanted, "hoat_dong_luc_luong", "khac"]
        .into_iter()
        .find(|c| cats.iter().any(|x| x == c))
        .map(str::to_string)
        .or_else(|| cats.first().cloned())
        .unwrap_or_else(|| "khac".into())
}

/// Drafts a bulletin from a report of the staff's figures and records the quote: both in
/// one transaction, with the quote's audit record and event. `base_url` makes the
/// table's link absolute (the body travels in feeds and emails).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    author: &User,
    cat: &Catalogue,
    units: &Units,
    scope: &Scope,
    base_url: &str,
) -> AppResult<Quote> {
    let scope = Scope {
        published_only: false,
        ..scope.clone()
    };
    let r = figures::report(db, cat, units, &scope, Lang::Vi).await?;
    let lines = table_lines(cat, &r.lines);
    if lines.is_empty() {
        return Err(AppError::Conflict("err.stats_nothing_to_quote"));
    }
    let field = scope
        .field
        .as_deref()
        .and_then(|f| cat.field(f))
        .map(|f| f.name_vi.clone());
    let subject = field
        .as_deref()
        .map(|f| f.to_lowercase())
        .unwrap_or_else(|| "công tác bảo đảm an ninh, trật tự".into());
    let title: String = format!("{}: kết quả {subject} {}", r.unit, r.period_text)
        .chars()
        .take(200)
        .collect();
    let quoted = Quoted {
        title: title.clone(),
        unit: r.unit.clone(),
        field,
        period_text: r.period_text.clone(),
        last_year_text: r.last_year_text.clone(),
        narrative: r.narrative.clone(),
        lines,
        straddling: r.straddling,
    };
    let id = new_id();
    let link = format!("{}/so-lieu/trich-dan/{id}", base_url.trim_end_matches('/'));
    // The lead says what the bulletin is; the sentences follow in the body.
    let summary: String = format!(
        "{} thông tin kết quả {subject} {}, so với cùng kỳ năm trước.",
        r.unit, r.period_text
    )
    .chars()
    .take(280)
    .collect();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let b = draft_in(
        &mut tx,
        db,
        cfg,
        origin,
        author,
        &BulletinInput {
            kind: "press_release".into(),
            category: category(cfg, scope.field.as_deref()),
            title,
            summary,
            body: body_html(&quoted, &link),
            places: Vec::new(),
            tags: vec!["số liệu".into()],
            video_links: Vec::new(),
            audience: "public".into(),
            embargo_until: None,
            incident_id: None,
            unit_ids: Vec::new(),
            spokesperson_id: None,
        },
    )
    .await?;
    let report = serde_json::to_string(&quoted).map_err(|e| AppError::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO stat_quotes (id, bulletin_id, unit_id, field_id, period_from, period_to, report, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![&id, &b.id, &scope.unit_id, scope.field.clone(), &r.from, &r.to, report, &author.id, now],
    )
    .await?;
    // The versions counted: current approved figures of the subtree whose whole period
    // lies in one of the report's three periods (this one, the same one last year, the
    // one before) — one row per version, whatever the periods' overlap.
    let p = scope.period;
    let mut sql_args: Vec<Value> = vec![id.as_str().into()];
    let mut ranges = Vec::new();
    for q in [p, p.same_period_last_year(), p.previous()] {
        sql_args.push(day_str(q.from).into());
        sql_args.push(day_str(q.to).into());
        let n = sql_args.len();
        ranges.push(format!(
            "(s.period_from >= ${} AND s.period_to <= ${n})",
            n - 1
        ));
    }
    let unit_filter = units_in(&mut sql_args, &units.subtree(&scope.unit_id));
    let sql = format!(
        "INSERT INTO stat_quote_sources (quote_id, submission_id)
         SELECT $1, s.id FROM stat_submissions s
          WHERE {} AND ({}){unit_filter}",
        counted(Audience::Staff),
        ranges.join(" OR ")
    );
    let versions = tx.execute(&sql, &sql_args).await?;
    let quote = Quote {
        id: id.clone(),
        bulletin_id: b.id.clone(),
        unit_id: scope.unit_id.clone(),
        field_id: scope.field.clone(),
        from: r.from.clone(),
        to: r.to.clone(),
        quoted,
        created_at: now,
    };
    record_change(
        &mut tx,
        origin,
        "stat_quote.created",
        "stat_quote",
        &id,
        None,
        Some(serde_json::json!({
            "bulletin_id": b.id, "unit_id": quote.unit_id, "field_id": quote.field_id,
            "from": quote.from, "to": quote.to, "versions": versions,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(quote)
}

/// A quote by id.
pub async fn get(db: &Db, id: &str) -> AppResult<Option<Quote>> {
    if !is_id(id) {
        return Ok(None);
    }
    let Some(r) = db
        .fetch_optional("SELECT * FROM stat_quotes WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let quoted: Quoted = serde_json::from_str(&r.str("report")?)
        .map_err(|e| AppError::Internal(format!("stat_quotes.report of {id}: {e}")))?;
    Ok(Some(Quote {
        id: r.str("id")?,
        bulletin_id: r.str("bulletin_id")?,
        unit_id: r.str("unit_id")?,
        field_id: r.opt_str("field_id")?,
        from: r.str("period_from")?,
        to: r.str("period_to")?,
        quoted,
        created_at: r.i64("created_at")?,
    }))
}

/// The versions a quote counted, by unit, and how many were replaced since.
pub async fn sources(db: &Db, units: &Units, id: &str) -> AppResult<Vec<Sources>> {
    let rows = db
        .fetch_all(
            "SELECT s.unit_id AS unit_id, COUNT(*) AS n,
                    SUM(CASE WHEN s.version > 1 THEN 1 ELSE 0 END) AS corrections,
                    SUM(CASE WHEN s.is_current = TRUE THEN 0 ELSE 1 END) AS superseded,
                    MIN(s.period_from) AS first_day, MAX(s.period_to) AS last_day
               FROM stat_quote_sources q JOIN stat_submissions s ON s.id = q.submission_id
              WHERE q.quote_id = $1
              GROUP BY s.unit_id",
            args![id],
        )
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            let unit_id = r.str("unit_id")?;
            Ok(Sources {
                unit: units.name(&unit_id),
                unit_id,
                versions: r.i64("n")?,
                corrections: r.i64("corrections")?,
                superseded: r.i64("superseded")?,
                first_day: r.str("first_day")?,
                last_day: r.str("last_day")?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    out.sort_by(|a, b| a.unit.cmp(&b.unit));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(now: f64, before: f64) -> Line {
        Line {
            field_id: "ttxh".into(),
            field: "Tội phạm về trật tự xã hội".into(),
            measure_id: "ttxh.cases".into(),
            measure: "Số vụ".into(),
            unit: "vụ".into(),
            summable: true,
            now: Some(now),
            last_year: Some(before),
            previous: None,
            diff_last_year: Some(now - before),
            pct_last_year: (before != 0.0).then(|| (now - before) / before * 100.0),
            diff_previous: None,
            pct_previous: None,
            figures: 3,
        }
    }

    #[test]
    fn the_body_quotes_the_figures_in_the_departments_style_and_survives_the_sanitiser() {
        let q = Quoted {
            title: "t".into(),
            unit: "Công an <tỉnh>".into(),
            field: None,
            period_text: "từ 15/12/2024 đến 13/01/2025".into(),
            last_year_text: "từ 15/12/2023 đến 13/01/2024".into(),
            narrative: vec!["Phát hiện 33 vụ & 73 đối tượng.".into()],
            lines: vec![line(1234.0, 1000.0), line(2.0, 0.0), line(8.0, 10.0)],
            straddling: 0,
        };
        let html = body_html(&q, "https://x.vn/so-lieu/trich-dan/abc");
        assert!(
            html.contains("<td>1.234</td><td>1.000</td><td>+234 (23,4%)</td>"),
            "{html}"
        );
        assert!(html.contains("<td>2</td><td>0</td><td>+2</td>"), "{html}");
        assert!(html.contains("<td>−2 (−20%)</td>"), "{html}");
        assert!(html.contains("Công an &lt;tỉnh&gt;") && html.contains("33 vụ &amp; 73"));
        let clean = crate::newsroom::sanitize::body(&html);
        for kept in [
            "<table>",
            "<figcaption>",
            "href=\"https://x.vn/so-lieu/trich-dan/abc\"",
            "+234 (23,4%)",
        ] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
    }
}
