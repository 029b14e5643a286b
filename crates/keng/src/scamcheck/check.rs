//! The public check: a person (`/kiem-tra`) or an app (`GET /api/v1/check?value=…`)
//! gives a number, an account, a link, a profile; the answer says what it was read as
//! (kind and one form) and what the police know — verified scam, reported and not yet
//! verified, or no record (never "safe") — with counts, dates and the warnings behind
//! it, never who reported. `GET /api/v1/check/range/{prefix}` answers for every
//! indicator whose key hash starts with five hex digits, so a client can check without
//! sending the value (Have I Been Pwned's k-anonymity). Everything is read from the
//! node's in-memory set (`set`): a check touches no database.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::Verdict;
use super::set::{Found, Set};
use crate::platform::auth::Ctx;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::Lang;
use crate::platform::state::AppState;
use crate::platform::web::page;
use keng_indicators::value::{recognise, Kind, Recognised, MAX_VALUE};

/// A linked warning as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedWarning {
    pub id: String,
    pub headline: String,
    /// Its public page.
    pub url: String,
}

/// What the police hold on one reading of the value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Record {
    /// verified or reported.
    pub verdict: Verdict,
    /// What matched: the value itself ("exact"), its domain or a part of its path
    /// ("domain", "path"), or only the account number ("account_only").
    pub matched: String,
    /// The form that matched (a link's "host/" or "host/path").
    pub matched_form: String,
    /// True when only the account number matched (another bank, or no bank given).
    pub weaker: bool,
    pub reports: u32,
    /// Milliseconds since the epoch.
    pub first_seen: i64,
    pub last_seen: i64,
    pub warnings: Vec<LinkedWarning>,
}

/// One reading of the value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reading {
    /// phone, bank_account, account, link, social, app or wallet.
    pub kind: String,
    pub normalised: String,
    pub display: String,
    /// What is worth knowing regardless of records: renumbered, shortener, apk,
    /// ip_host, lookalike:{name}:{how}.
    pub notes: Vec<String>,
    /// The bank, authority or company a link imitates, if it does.
    pub imitates: Option<String>,
    pub verdict: Verdict,
    pub record: Option<Record>,
}

/// The protected name a reading's notes say it imitates.
pub fn imitates(notes: &[String]) -> Option<String> {
    notes.iter().find_map(|n| {
        let name = n.strip_prefix("lookalike:")?.split(':').next()?;
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// The check's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answer {
    pub value: String,
    /// The strongest of the readings' verdicts: verified, reported or none (no record,
    /// which never means safe).
    pub verdict: Verdict,
    pub recognised: Vec<Reading>,
}

fn found_record(
    f: &Found,
    matched: &str,
    form: &str,
    weaker: bool,
    set: &Set,
    lang: Lang,
) -> Record {
    let warnings = f
        .warnings
        .iter()
        .filter_map(|id| {
            let w = set.warning(id)?;
            w.public.then(|| LinkedWarning {
                id: id.clone(),
                headline: w.headline_in(lang),
                url: format!("/canh-bao/{id}"),
            })
        })
        .collect();
    Record {
        verdict: f.entry.status().verdict(),
        matched: matched.to_string(),
        matched_form: form.to_string(),
        weaker,
        reports: f.entry.reports,
        first_seen: f.entry.first_seen as i64 * 1000,
        last_seen: f.entry.last_seen as i64 * 1000,
        warnings,
    }
}

/// The strongest record for one reading.
pub fn lookup(set: &Set, r: &Recognised, lang: Lang) -> Option<Record> {
    let mut best: Option<Record> = None;
    let mut consider = |rec: Record| {
        let better = match &best {
            None => true,
            Some(b) => (rec.verdict, !rec.weaker) > (b.verdict, !b.weaker),
        };
        if better {
            best = Some(rec);
        }
    };
    // On a bank's, an authority's or a shared platform's host only the page itself
    // counts (the page with and without its query).
    let exact_only = keng_indicators::value::exact_only(r);
    let exact_keys = if r.keys.first().is_some_and(|k| k.contains('?')) {
        2
    } else {
        1
    };
    for (i, key) in r.keys.iter().enumerate() {
        if exact_only && i >= exact_keys {
            break;
        }
        let form = key.split_once(':').map_or(key.as_str(), |(_, v)| v);
        let account_only = key.starts_with("account:");
        let weaker = account_only;
        let matched = match (r.kind, i, account_only) {
            (_, _, true) => "account_only",
            (_, 0, _) => "exact",
            (Kind::Link, _, _) if form.ends_with('/') && form.matches('/').count() == 1 => "domain",
            (Kind::Link, _, _) => "path",
            _ => "exact",
        };
        if let Some(f) = set.get(key) {
            consider(found_record(&f, matched, form, weaker, set, lang));
        }
        if account_only {
            for f in set.accounts_with(key) {
                consider(found_record(&f, "account_only", form, true, set, lang));
            }
        }
    }
    best
}

/// Checks `value` against the set.
pub fn check(set: &Set, value: &str, lang: Lang) -> AppResult<Answer> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::bad("err.check_value_required"));
    }
    if value.chars().count() > MAX_VALUE {
        return Err(AppError::bad("err.check_value_too_long"));
    }
    if !set.is_ready() {
        return Err(AppError::Unavailable("err.check_loading"));
    }
    let banks = set.banks();
    let readings: Vec<Reading> = recognise(value, &banks)
        .into_iter()
        .map(|r| {
            let record = lookup(set, &r, lang);
            Reading {
                kind: r.kind.as_str().to_string(),
                normalised: r.normalised.clone(),
                display: r.display.clone(),
                notes: r.notes.clone(),
                imitates: imitates(&r.notes),
                verdict: record.as_ref().map_or(Verdict::None, |x| x.verdict),
                record,
            }
        })
        .collect();
    Ok(Answer {
        value: value.to_string(),
        verdict: readings
            .iter()
            .map(|r| r.verdict)
            .max()
            .unwrap_or(Verdict::None),
        recognised: readings,
    })
}

pub(super) fn the_set(app: &AppState) -> AppResult<&std::sync::Arc<Set>> {
    app.capability::<std::sync::Arc<Set>>()
        .ok_or(AppError::Unavailable("err.check_loading"))
}

#[derive(Deserialize, IntoParams)]
pub struct CheckParams {
    /// A phone number, bank account ("Vietcombank 0451000387261"), link or domain,
    /// profile ("telegram:@name", a Facebook link), app ("app:com.x.y") or wallet
    /// ("momo 0912345678"), as written.
    value: Option<String>,
}

/// Checks one value: what it was read as and what the police know of it.
#[utoipa::path(get, path = "/api/v1/check", tag = "scamcheck", operation_id = "check_value", params(CheckParams),
    responses((status = 200, body = Answer), (status = 400), (status = 401), (status = 422), (status = 503)))]
pub async fn api(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<CheckParams>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let answer = check(the_set(&app)?, p.value.as_deref().unwrap_or(""), ctx.lang)?;
    if answer.recognised.is_empty() {
        return Err(AppError::invalid("value", "err.check_unrecognised"));
    }
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

/// An indicator whose key hash starts with the prefix asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangeMatch {
    /// Hex digits 6 to 32 of the SHA-256 of the key ("phone:+84912345678").
    pub suffix: String,
    pub verdict: Verdict,
}

/// The range answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RangeAnswer {
    pub prefix: String,
    /// How keys are written before hashing: "phone:+84…", "bank:{bin}:{number}",
    /// "account:{number}", "url:{host}/{path}" (every Safe Browsing expression),
    /// "social:{platform}:{handle}", "app:{package}", "wallet:{wallet}:{phone}".
    pub key_format: String,
    pub matches: Vec<RangeMatch>,
}

/// Every indicator whose key's SHA-256 starts with `prefix` (5 hex digits): check a
/// value without sending it.
#[utoipa::path(get, path = "/api/v1/check/range/{prefix}", tag = "scamcheck", operation_id = "check_range",
    params(("prefix" = String, Path, description = "The first 5 hex digits of the SHA-256 of the key")),
    responses((status = 200, body = RangeAnswer), (status = 400), (status = 401), (status = 503)))]
pub async fn range(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(prefix): Path<String>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let p = prefix.trim().to_ascii_lowercase();
    if p.len() != 5 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::bad("err.range_prefix"));
    }
    let n = u32::from_str_radix(&p, 16).map_err(|_| AppError::bad("err.range_prefix"))?;
    let set = the_set(&app)?;
    if !set.is_ready() {
        return Err(AppError::Unavailable("err.check_loading"));
    }
    let matches = set
        .range(n)
        .into_iter()
        .map(|(h, e)| RangeMatch {
            suffix: format!("{h:032x}")[5..].to_string(),
            verdict: e.status().verdict(),
        })
        .collect();
    let answer = RangeAnswer {
        prefix: p,
        key_format: "sha256(kind:normalised)".into(),
        matches,
    };
    Ok(([(header::CACHE_CONTROL, "public, max-age=5")], Json(answer)).into_response())
}

#[derive(Deserialize)]
pub struct PageParams {
    #[serde(default)]
    value: Option<String>,
}

/// `/kiem-tra`: the form, and the answer when a value was given.
pub async fn page_handler(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<PageParams>,
) -> AppResult<Response> {
    let value = p.value.unwrap_or_default();
    let (answer, error) = if value.trim().is_empty() {
        (None, None)
    } else {
        match the_set(&app).and_then(|s| check(s, &value, ctx.lang)) {
            Ok(a) if a.recognised.is_empty() => (None, Some("err.check_unrecognised")),
            Ok(a) => (Some(a), None),
            Err(AppError::BadRequest { key, .. }) | Err(AppError::Unavailable(key)) => {
                (None, Some(key))
            }
            Err(e) => return Err(e),
        }
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let value_shown: String = value.chars().take(300).collect();
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        page(
            &app,
            &ctx,
            "scamcheck/check.html",
            context! { value => value_shown, answer => answer, error => error },
        )?,
    )
        .into_response())
}
