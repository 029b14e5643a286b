//! The yearly review of the coordination with the press (báo cáo tổng kết công tác
//! phối hợp tuyên truyền) for a year or a campaign: bulletins and warnings issued,
//! press conferences held, requests received and answered on time, refusals by ground,
//! coverage per agency, highlights of the security figures, the press's survey, the
//! suggested commendations with their evidence and the awards recorded — gathered once
//! here, then shown as a printable page (`review_pages`) and written as an editable
//! DOCX (below), every number with the query that lists the records behind it.
//!
//! Reads `press_desk::report::load_between`, `warnings::store::issued_between`,
//! `stats::{catalogue, figures, pages}` (the province's report for the span) and this
//! capability's metrics, awards and survey.

use serde::Serialize;

use super::awards::{self, Award, AwardType, Suggestion};
use super::metrics::{self, duration_text, Metrics, Span};
use super::survey::{self, Summary};
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::i18n::{t, Lang};
use crate::platform::word::{a4, pack, table, text};

/// The press desk's part.
#[derive(Debug, Clone, Serialize)]
pub struct Requests {
    pub responded: usize,
    pub on_time: usize,
    pub on_time_pct: Option<f64>,
    pub median_hours: Option<f64>,
    pub refused: usize,
    /// (ground's label, count).
    pub refusals: Vec<(String, i64)>,
}

/// Everything the review says.
#[derive(Debug, Serialize)]
pub struct Review {
    pub span: Span,
    pub metrics: Metrics,
    /// (kind's label, count) of the warnings issued.
    pub warnings: Vec<(String, i64)>,
    pub warnings_total: i64,
    pub requests: Requests,
    /// The figures' sentences for the span (the province, every field).
    pub highlights: Vec<String>,
    pub collectives: Vec<Suggestion>,
    pub individuals: Vec<Suggestion>,
    pub awards: Vec<Award>,
    pub types: Vec<AwardType>,
    /// The survey of the year before (it joins this year's review) and of this year.
    pub surveys: Vec<Summary>,
}

/// The province's figures for the span in the department's sentences (none when no
/// figures were approved, or the unit tree has no root).
async fn highlights(db: &Db, span: &Span, lang: Lang) -> AppResult<Vec<String>> {
    let units = crate::stats::model::Units::new(crate::accounts::store::list_units(db).await?);
    let cat = crate::stats::catalogue::load(db).await?;
    let last = span.to - 1;
    let q = crate::stats::pages::ReportQuery {
        from: Some(crate::platform::clock::format_date(span.from)),
        to: Some(crate::platform::clock::format_date(last)),
        unit: None,
        field: None,
        done: None,
    };
    let Ok(scope) = crate::stats::pages::scope_of(&q, &units, &cat, false) else {
        return Ok(Vec::new());
    };
    Ok(
        crate::stats::figures::report(db, &cat, &units, &scope, lang)
            .await?
            .narrative,
    )
}

/// Gathers the review of a span.
pub async fn load(db: &Db, span: &Span, lang: Lang) -> AppResult<Review> {
    let m = metrics::load(db, span, lang).await?;
    let desk = crate::press_desk::report::load_between(db, span.from, span.to, lang).await?;
    let warnings: Vec<(String, i64)> =
        crate::warnings::store::issued_between(db, span.from, span.to)
            .await?
            .into_iter()
            .map(|(k, n)| (t(lang, &format!("warnings.kind_{k}")), n))
            .collect();
    let (collectives, individuals) = awards::suggestions(db, span, &m, lang).await?;
    let mut surveys = Vec::new();
    for y in [span.year as i64 - 1, span.year as i64] {
        let s = survey::summary(db, y).await?;
        if s.answers > 0 {
            surveys.push(s);
        }
    }
    Ok(Review {
        warnings_total: warnings.iter().map(|(_, n)| n).sum(),
        warnings,
        requests: Requests {
            responded: desk.total.responded,
            on_time: desk.total.on_time,
            on_time_pct: desk.total.on_time_pct,
            median_hours: desk.total.median_hours,
            refused: desk.total.refused,
            refusals: desk
                .refusals
                .iter()
                .map(|(g, n)| (t(lang, &format!("press_desk.ground_{g}")), *n))
                .collect(),
        },
        highlights: highlights(db, span, lang).await?,
        collectives,
        individuals,
        awards: awards::list(db, Some(span.year), false).await?,
        types: awards::types(db).await?,
        surveys,
        metrics: m,
        span: span.clone(),
    })
}

fn tr(lang: Lang, key: &str) -> String {
    t(lang, &format!("coverage.{key}"))
}

fn num(v: i64) -> String {
    keng_charts::number(v as f64)
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{}%", keng_charts::number_to(p, 1)))
        .unwrap_or_else(|| "–".into())
}

fn minutes(v: Option<f64>, lang: Lang) -> String {
    v.map(|m| duration_text(m as i64, lang))
        .unwrap_or_else(|| "–".into())
}

/// "2025-01-15" as "15/01/2025".
fn vn_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// The review's opening sentences (also the page's summary).
pub fn summary_sentences(r: &Review, lang: Lang) -> Vec<String> {
    let m = &r.metrics;
    let say = |key: &str, pairs: &[(&str, String)]| {
        let mut s = tr(lang, key);
        for (k, v) in pairs {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    };
    let mut out = vec![say(
        "sum_bulletins",
        &[
            ("released", num(m.released)),
            (
                "kinds",
                m.kinds
                    .iter()
                    .map(|k| format!("{} {}", num(k.released), k.label.to_lowercase()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ("warnings", num(r.warnings_total)),
            ("conferences", num(m.conferences)),
        ],
    )];
    out.push(say(
        "sum_requests",
        &[
            ("responded", num(r.requests.responded as i64)),
            ("on_time", num(r.requests.on_time as i64)),
            ("pct", pct(r.requests.on_time_pct)),
            ("refused", num(r.requests.refused as i64)),
        ],
    ));
    out.push(say(
        "sum_coverage",
        &[
            ("stories", num(m.stories)),
            (
                "agencies",
                num(m.agencies.iter().filter(|a| a.stories > 0).count() as i64),
            ),
            ("picked", num(m.picked)),
            ("share", pct(m.share_pct)),
            ("time", minutes(m.median_pickup_minutes, lang)),
        ],
    ));
    if m.warnings_released > 0 {
        out.push(say(
            "sum_warnings",
            &[
                ("picked", num(m.warnings_picked)),
                ("released", num(m.warnings_released)),
            ],
        ));
    }
    out
}

/// The review as an editable Word document in the department's usual style.
pub fn docx(r: &Review, lang: Lang, site: &str) -> Result<Vec<u8>, String> {
    let m = &r.metrics;
    let mut doc = a4()
        .add_paragraph(text(&site.to_uppercase(), 26, true))
        .add_paragraph(
            text(&tr(lang, "annual_title").to_uppercase(), 28, true)
                .align(docx_rs::AlignmentType::Center),
        )
        .add_paragraph(
            text(&format!("({})", r.span.label), 26, false).align(docx_rs::AlignmentType::Center),
        );

    doc = doc.add_paragraph(text(
        &format!("I. {}", tr(lang, "review_results")),
        26,
        true,
    ));
    for s in summary_sentences(r, lang) {
        doc = doc.add_paragraph(
            text(&format!("- {s}"), 26, false).align(docx_rs::AlignmentType::Justified),
        );
    }
    if !r.highlights.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_highlights"), 26, true));
        for s in &r.highlights {
            doc = doc.add_paragraph(
                text(&format!("- {s}"), 26, false).align(docx_rs::AlignmentType::Justified),
            );
        }
    }

    for d in metrics::charts(m, lang) {
        doc = crate::platform::word::add_chart(doc, &d.chart);
    }
    doc = doc.add_paragraph(text(
        &format!("II. {}", tr(lang, "review_agencies")),
        26,
        true,
    ));
    let head = [
        tr(lang, "agency"),
        tr(lang, "col_stories"),
        tr(lang, "col_picked"),
        tr(lang, "col_share"),
        tr(lang, "col_pickup"),
        tr(lang, "col_first"),
        tr(lang, "col_requests"),
        tr(lang, "col_attended"),
        tr(lang, "col_warnings"),
    ];
    let rows: Vec<Vec<String>> = m
        .agencies
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                num(a.stories),
                num(a.picked),
                pct(a.share_pct),
                minutes(a.median_pickup_minutes, lang),
                num(a.first),
                num(a.requests),
                num(a.attended),
                num(a.warnings_picked),
            ]
        })
        .collect();
    doc = doc.add_table(table(&head, &rows, 1));
    let using: Vec<Vec<String>> = m
        .agencies
        .iter()
        .filter(|a| a.feed_reads + a.stream_connections + a.downloads > 0)
        .map(|a| {
            vec![
                a.name.clone(),
                num(a.feed_reads),
                num(a.stream_connections),
                num(a.downloads),
            ]
        })
        .collect();
    if !using.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_usage"), 26, true));
        let head = [
            tr(lang, "agency"),
            tr(lang, "col_feed_reads"),
            tr(lang, "col_streams"),
            tr(lang, "col_downloads"),
        ];
        doc = doc.add_table(table(&head, &using, 1));
    }
    if !m.categories.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_categories"), 26, true));
        let head = [
            tr(lang, "col_category"),
            tr(lang, "col_released"),
            tr(lang, "col_picked"),
            tr(lang, "col_stories"),
        ];
        let rows: Vec<Vec<String>> = m
            .categories
            .iter()
            .map(|c| {
                vec![
                    c.label.clone(),
                    num(c.released),
                    num(c.picked),
                    num(c.stories),
                ]
            })
            .collect();
        doc = doc.add_table(table(&head, &rows, 1));
    }
    if !r.requests.refusals.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_refusals"), 26, true));
        let rows: Vec<Vec<String>> = r
            .requests
            .refusals
            .iter()
            .map(|(g, n)| vec![g.clone(), num(*n)])
            .collect();
        doc = doc.add_table(table(
            &[tr(lang, "col_ground"), tr(lang, "col_count")],
            &rows,
            1,
        ));
    }
    if !r.warnings.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_warnings"), 26, true));
        let rows: Vec<Vec<String>> = r
            .warnings
            .iter()
            .map(|(k, n)| vec![k.clone(), num(*n)])
            .collect();
        doc = doc.add_table(table(
            &[tr(lang, "col_kind"), tr(lang, "col_count")],
            &rows,
            1,
        ));
    }
    for s in &r.surveys {
        doc = doc.add_paragraph(text(
            &tr(lang, "review_survey").replace("{year}", &s.year.to_string()),
            26,
            true,
        ));
        let mean = |v: Option<f64>| v.map(|x| keng_charts::number_to(x, 1)).unwrap_or_default();
        doc = doc.add_paragraph(text(
            &tr(lang, "survey_means")
                .replace("{n}", &s.answers.to_string())
                .replace("{timeliness}", &mean(s.timeliness))
                .replace("{usefulness}", &mean(s.usefulness))
                .replace("{access}", &mean(s.access)),
            26,
            false,
        ));
        for c in &s.comments {
            doc = doc.add_paragraph(text(&format!("- {}: {}", c.agency, c.text), 24, false));
        }
    }

    doc = doc.add_paragraph(text(
        &format!("III. {}", tr(lang, "review_suggestions")),
        26,
        true,
    ));
    for (title, list) in [
        (tr(lang, "collectives"), &r.collectives),
        (tr(lang, "individuals"), &r.individuals),
    ] {
        doc = doc.add_paragraph(text(&title, 26, true));
        let head = [
            tr(lang, "col_rank"),
            tr(lang, "col_recipient"),
            tr(lang, "col_score"),
            tr(lang, "col_evidence"),
        ];
        let rows: Vec<Vec<String>> = list
            .iter()
            .filter(|s| s.proposed)
            .map(|s| {
                let name = match &s.detail {
                    Some(d) => format!("{} ({d})", s.name),
                    None => s.name.clone(),
                };
                vec![
                    s.rank.to_string(),
                    name,
                    keng_charts::number_to(s.score, 1),
                    s.evidence.join("; "),
                ]
            })
            .collect();
        if rows.is_empty() {
            doc = doc.add_paragraph(text(&tr(lang, "no_suggestions"), 24, false));
        } else {
            doc = doc.add_table(table(&head, &rows, 4));
        }
    }
    if !r.awards.is_empty() {
        doc = doc.add_paragraph(text(&tr(lang, "review_awards"), 26, true));
        let head = [
            tr(lang, "col_award_type"),
            tr(lang, "col_recipient"),
            tr(lang, "col_decision"),
            tr(lang, "col_reason"),
        ];
        let rows: Vec<Vec<String>> = r
            .awards
            .iter()
            .map(|w| {
                let ty = r
                    .types
                    .iter()
                    .find(|t| t.id == w.type_id)
                    .map(|t| t.name_in(lang).to_string())
                    .unwrap_or_else(|| w.type_id.clone());
                let who = match &w.recipient_detail {
                    Some(d) => format!("{} ({d})", w.recipient_name),
                    None => w.recipient_name.clone(),
                };
                vec![
                    ty,
                    who,
                    format!("{} ({})", w.decision_no, vn_date(&w.decision_date)),
                    w.reason.clone(),
                ]
            })
            .collect();
        doc = doc.add_table(table(&head, &rows, 4));
    }
    doc = doc.add_paragraph(text(&tr(lang, "review_traceable"), 20, false));
    pack(doc)
}
