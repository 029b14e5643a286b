//! The message analyzer: a person pastes a suspicious message (`/kiem-tra/tin-nhan`),
//! an app posts it (`POST /api/v1/analyze`). The text is folded and de-obfuscated, the
//! scam-pattern lexicon staff keep is matched on it, every number, account, link and
//! profile in it is looked up in the node's set, and links are judged (imitating a
//! bank, an .apk, a shortener, a bare IP). The answer is the risk — high, medium, low
//! or none — with reasons a person understands, in their language, the indicators and
//! the police warnings behind the patterns found. Nothing is stored.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::check::{lookup, the_set, LinkedWarning, Reading};
use super::model::Verdict;
use super::set::Set;
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, tf, Lang};
use crate::platform::state::AppState;
use crate::platform::web::page;
use keng_indicators::lexicon::{assess, IndicatorSign};
use keng_indicators::message::{extract, fold_message};
use keng_indicators::model::points;
use keng_indicators::value::Kind;

/// The longest message analysed (characters).
pub const MAX_TEXT: usize = 10_000;

/// A message to analyse.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AnalyzeInput {
    #[serde(default)]
    pub text: String,
}

/// Why the message got its risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reason {
    /// pattern, verified, reported, lookalike, apk, shortener, ip_host, userinfo,
    /// official, model (the wording, with the words that weighed most as phrases).
    pub code: String,
    /// The reason in the request's language.
    pub text: String,
    /// The pattern's id (for "pattern").
    pub pattern: Option<String>,
    /// The phrases found, folded (for "pattern"; for "model", the words that weighed
    /// most).
    pub phrases: Vec<String>,
    /// The indicator it is about (its display form).
    pub indicator: Option<String>,
    /// What to do (for "pattern"), in the request's language.
    pub advice: Option<String>,
}

/// The analysis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Analysis {
    /// high, medium, low or none.
    pub risk: String,
    pub score: f32,
    pub reasons: Vec<Reason>,
    pub indicators: Vec<Reading>,
    /// Indicators beyond the first 50, counted and not looked up.
    pub more_indicators: usize,
    pub warnings: Vec<LinkedWarning>,
}

fn kind_label(lang: Lang, kind: Kind) -> String {
    t(lang, &format!("scamcheck.kind_{}", kind.as_str()))
}

/// Analyses `text` against the set's rules and indicators.
pub fn analyze(set: &Set, text: &str, lang: Lang) -> AppResult<Analysis> {
    // A line break counts once, whether a browser sent it as CR LF or not (the
    // textarea's own limit counts it once).
    let text = &text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Err(AppError::bad("err.analyze_text_required"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::bad("err.analyze_too_long"));
    }
    if !set.is_ready() {
        return Err(AppError::Unavailable("err.check_loading"));
    }
    let banks = set.banks();
    let rules = set
        .rules()
        .ok_or(AppError::Unavailable("err.check_loading"))?;
    let folded = fold_message(text);
    let hits = rules.lexicon.hits(&folded);
    let found = extract(text, &banks);
    let mut signs = Vec::new();
    let mut reasons = Vec::new();
    let mut readings = Vec::new();
    let mut warnings: Vec<LinkedWarning> = Vec::new();
    let add_warning = |w: LinkedWarning, warnings: &mut Vec<LinkedWarning>| {
        if !warnings.iter().any(|x| x.id == w.id) {
            warnings.push(w);
        }
    };
    for r in &found.indicators {
        let record = lookup(set, r, lang);
        let verdict = record.as_ref().map_or(Verdict::None, |x| x.verdict);
        let what = format!("{} {}", kind_label(lang, r.kind), r.display);
        match verdict {
            Verdict::Verified => {
                signs.push(IndicatorSign::Verified);
                reasons.push(reason(
                    "verified",
                    tf(lang, "scamcheck.reason_verified", &[("what", what.clone())]),
                    Some(&r.display),
                ));
            }
            Verdict::Reported => {
                signs.push(IndicatorSign::Reported);
                reasons.push(reason(
                    "reported",
                    tf(lang, "scamcheck.reason_reported", &[("what", what.clone())]),
                    Some(&r.display),
                ));
            }
            Verdict::None => {}
        }
        if let Some(rec) = &record {
            for w in &rec.warnings {
                add_warning(w.clone(), &mut warnings);
            }
        }
        for note in &r.notes {
            let mut parts = note.splitn(3, ':');
            match parts.next() {
                Some("lookalike") => {
                    signs.push(IndicatorSign::Lookalike);
                    let name = parts.next().filter(|n| !n.is_empty()).map(str::to_string);
                    let text = match name {
                        Some(n) => tf(
                            lang,
                            "scamcheck.reason_lookalike",
                            &[("link", r.display.clone()), ("name", n)],
                        ),
                        None => tf(
                            lang,
                            "scamcheck.reason_lookalike_any",
                            &[("link", r.display.clone())],
                        ),
                    };
                    reasons.push(reason("lookalike", text, Some(&r.display)));
                }
                Some("apk") => {
                    signs.push(IndicatorSign::Apk);
                    reasons.push(reason(
                        "apk",
                        tf(lang, "scamcheck.reason_apk", &[("link", r.display.clone())]),
                        Some(&r.display),
                    ));
                }
                Some("shortener") => {
                    signs.push(IndicatorSign::Shortener);
                    reasons.push(reason(
                        "shortener",
                        tf(
                            lang,
                            "scamcheck.reason_shortener",
                            &[("link", r.display.clone())],
                        ),
                        Some(&r.display),
                    ));
                }
                Some("userinfo") => {
                    signs.push(IndicatorSign::Userinfo);
                    reasons.push(reason(
                        "userinfo",
                        tf(
                            lang,
                            "scamcheck.reason_userinfo",
                            &[("link", r.display.clone())],
                        ),
                        Some(&r.display),
                    ));
                }
                Some("ip_host") => {
                    signs.push(IndicatorSign::IpHost);
                    reasons.push(reason(
                        "ip_host",
                        tf(
                            lang,
                            "scamcheck.reason_ip_host",
                            &[("link", r.display.clone())],
                        ),
                        Some(&r.display),
                    ));
                }
                _ => {}
            }
        }
        if r.kind == Kind::Link && r.notes.is_empty() {
            let host = r.normalised.split('/').next().unwrap_or("");
            if keng_indicators::lookalike::is_official(host) {
                signs.push(IndicatorSign::Official);
                reasons.push(reason(
                    "official",
                    tf(
                        lang,
                        "scamcheck.reason_official",
                        &[("link", r.display.clone())],
                    ),
                    Some(&r.display),
                ));
            }
        }
        readings.push(Reading {
            kind: r.kind.as_str().to_string(),
            normalised: r.normalised.clone(),
            display: r.display.clone(),
            notes: r.notes.clone(),
            imitates: super::check::imitates(&r.notes),
            verdict,
            record,
        });
    }
    // An installer named by its file ("hoadon.apk"), when no link carried one.
    if !signs.contains(&IndicatorSign::Apk) {
        if let Some(f) = keng_indicators::message::apk_file(text) {
            signs.push(IndicatorSign::Apk);
            reasons.push(reason(
                "apk",
                tf(lang, "scamcheck.reason_apk_file", &[("file", f.clone())]),
                Some(&f),
            ));
        }
    }
    let model = super::defaults::model();
    let a = assess(&hits, &signs, points(model.probability(&folded)));
    if a.model >= 1.0 {
        reasons.push(Reason {
            phrases: model.explain(&folded, 5),
            ..reason("model", t(lang, "scamcheck.reason_model"), None)
        });
    }
    let mut pattern_reasons = Vec::new();
    for (pid, _) in &a.patterns {
        let Some(p) = rules.patterns.get(pid) else {
            continue;
        };
        let name = if lang == Lang::En && !p.name_en.is_empty() {
            &p.name_en
        } else {
            &p.name_vi
        };
        let advice = if lang == Lang::En && !p.advice_en.is_empty() {
            &p.advice_en
        } else {
            &p.advice_vi
        };
        let phrases: Vec<String> = hits
            .iter()
            .filter(|h| &h.pattern == pid)
            .map(|h| h.phrase.clone())
            .collect();
        pattern_reasons.push(Reason {
            code: "pattern".into(),
            text: tf(lang, "scamcheck.reason_pattern", &[("name", name.clone())]),
            pattern: Some(pid.clone()),
            phrases,
            indicator: None,
            advice: (!advice.is_empty()).then(|| advice.clone()),
        });
        if let Some(wid) = &p.warning_id {
            if let Some(w) = set.warning(wid).filter(|w| w.public) {
                let headline = w.headline_in(lang);
                add_warning(
                    LinkedWarning {
                        id: wid.clone(),
                        headline,
                        url: format!("/canh-bao/{wid}"),
                    },
                    &mut warnings,
                );
            }
        }
    }
    // Patterns first (they say what kind of scam), then what the indicators say.
    pattern_reasons.extend(reasons);
    Ok(Analysis {
        risk: a.risk.as_str().to_string(),
        score: a.score,
        reasons: pattern_reasons,
        indicators: readings,
        more_indicators: found.more,
        warnings,
    })
}

fn reason(code: &str, text: String, indicator: Option<&str>) -> Reason {
    Reason {
        code: code.into(),
        text,
        pattern: None,
        phrases: Vec::new(),
        indicator: indicator.map(str::to_string),
        advice: None,
    }
}

/// Analyses a message: its risk, the reasons, the indicators in it, the warnings.
#[utoipa::path(post, path = "/api/v1/analyze", tag = "scamcheck", operation_id = "analyze_message", request_body = AnalyzeInput,
    responses((status = 200, body = Analysis), (status = 400), (status = 401), (status = 413), (status = 503)))]
pub async fn api(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(input): Json<AnalyzeInput>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let set = the_set(&app)?.clone();
    let lang = ctx.lang;
    // Folding and matching are CPU work: off the async threads.
    let a = tokio::task::spawn_blocking(move || analyze(&set, &input.text, lang))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(a)).into_response())
}

/// `/kiem-tra/tin-nhan`: the form.
pub async fn form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(page(
        &app,
        &ctx,
        "scamcheck/analyze.html",
        context! { text => "", analysis => None::<Analysis>, error => None::<&str> },
    )?
    .into_response())
}

/// The form sent: the analysis under it.
pub async fn submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<AnalyzeInput>,
) -> AppResult<Response> {
    let set = the_set(&app)?.clone();
    let lang = ctx.lang;
    let text = input.text.clone();
    let result = tokio::task::spawn_blocking(move || analyze(&set, &text, lang))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (analysis, error, status) = match result {
        Ok(a) => (Some(a), None, axum::http::StatusCode::OK),
        Err(AppError::BadRequest { key, .. }) | Err(AppError::Unavailable(key)) => (
            None,
            Some(key),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e),
    };
    let shown: String = input
        .text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .take(MAX_TEXT)
        .collect();
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        page(
            &app,
            &ctx,
            "scamcheck/analyze.html",
            context! { text => shown, analysis => analysis, error => error },
        )?,
    )
        .into_response())
}
