//! The scam-pattern rules staff keep (`/scamcheck/rules`, `/api/v1/scam-patterns`):
//! each pattern's names, advice and linked warning, and its phrases with their
//! weights. A changed pattern can be tried before it is saved: the whole rule set with
//! the change is run over the labelled messages shipped with the binary and compared
//! with the rules in force — both confusion matrices, and every message whose verdict
//! changes. Saving replaces the pattern's phrases in one transaction, audited and on
//! the event log, so every node's set reloads the lexicon.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::defaults;
use crate::accounts::model::Check;
use crate::args;
use crate::platform::audit::{self, record_change, AuditFilter, Origin};
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::Lang;
use crate::platform::ids::new_id;
use crate::platform::permissions::{Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::{field_errors, page};
use keng_indicators::evaluate::{evaluate, Confusion, Outcome};
use keng_indicators::lexicon::{Lexicon, Phrase};

/// The audit and event entity of a pattern (the set reloads its rules on it).
pub const ENTITY: &str = "scam_pattern";
/// Most phrases in one pattern.
const MAX_PHRASES: usize = 500;
/// The longest phrase (characters).
const MAX_PHRASE: usize = 200;
/// Most messages listed as changed by a trial.
const MAX_CHANGED: usize = 60;

/// A phrase of a pattern.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PhraseBody {
    pub text: String,
    /// From -10 (protective language) to 10, to a tenth (not 0); 0.5 a hint, 3 a
    /// strong sign.
    pub weight: f64,
}

/// A pattern as staff edit it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Default)]
pub struct PatternBody {
    #[serde(default)]
    pub name_vi: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub advice_vi: String,
    #[serde(default)]
    pub advice_en: String,
    /// The police warning behind the pattern (shown with the analysis).
    #[serde(default)]
    pub warning_id: Option<String>,
    #[serde(default)]
    pub phrases: Vec<PhraseBody>,
}

/// A pattern with its id.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatternView {
    pub id: String,
    #[serde(flatten)]
    pub body: PatternBody,
}

/// A confusion matrix on the labelled messages (scam: medium or high risk).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Matrix {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
}

impl From<Confusion> for Matrix {
    fn from(c: Confusion) -> Self {
        Matrix {
            tp: c.tp,
            fp: c.fp,
            tn: c.tn,
            fn_: c.fn_,
            precision: (c.precision() * 1000.0).round() / 1000.0,
            recall: (c.recall() * 1000.0).round() / 1000.0,
        }
    }
}

/// A labelled message whose verdict a change moves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Changed {
    pub id: String,
    /// Its label: scam or not.
    pub scam: bool,
    pub text: String,
    pub risk_before: String,
    pub score_before: f64,
    pub risk_after: String,
    pub score_after: f64,
    /// Does the change make it right (true) or wrong (false)?
    pub better: bool,
}

/// The rules in force and the changed ones on the labelled messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trial {
    pub messages: usize,
    pub before: Matrix,
    pub after: Matrix,
    /// Messages whose risk or verdict changes (at most 60; verdict changes first).
    pub changed: Vec<Changed>,
}

/// A pattern id: 3 to 40 lower-case letters, digits or '_', from a letter; "new" is
/// the new-pattern form's address.
fn valid_id(id: &str) -> bool {
    id != "new"
        && (3..=40).contains(&id.len())
        && id.as_bytes()[0].is_ascii_lowercase()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Every pattern with its active phrases, by id.
pub async fn list(db: &Db) -> AppResult<Vec<PatternView>> {
    let mut out: Vec<PatternView> = Vec::new();
    for r in db
        .fetch_all("SELECT * FROM scam_patterns ORDER BY id", args![])
        .await?
    {
        out.push(PatternView {
            id: r.str("id")?,
            body: PatternBody {
                name_vi: r.str("name_vi")?,
                name_en: r.str("name_en")?,
                advice_vi: r.str("advice_vi")?,
                advice_en: r.str("advice_en")?,
                warning_id: r.opt_str("warning_id")?,
                phrases: Vec::new(),
            },
        });
    }
    for r in db
        .fetch_all(
            "SELECT pattern_id, phrase, weight_tenths FROM scam_phrases WHERE active = TRUE ORDER BY id",
            args![],
        )
        .await?
    {
        let pid = r.str("pattern_id")?;
        if let Some(p) = out.iter_mut().find(|p| p.id == pid) {
            p.body.phrases.push(PhraseBody {
                text: r.str("phrase")?,
                weight: r.i64("weight_tenths")? as f64 / 10.0,
            });
        }
    }
    Ok(out)
}

/// One pattern.
pub async fn get(db: &Db, id: &str) -> AppResult<Option<PatternView>> {
    if !valid_id(id) {
        return Ok(None);
    }
    Ok(list(db).await?.into_iter().find(|p| p.id == id))
}

/// `body` checked and tidied: names, advice, an existing warning, 1 to 500 phrases
/// that fold to words, weights from -10 to 10, no phrase twice.
async fn validate(db: &Db, body: &PatternBody) -> AppResult<PatternBody> {
    let mut c = Check::default();
    let name_vi = c.text("name_vi", &body.name_vi, 120);
    let name_en = c.text("name_en", &body.name_en, 120);
    let advice_vi = c
        .opt_text("advice_vi", Some(&body.advice_vi), 1000)
        .unwrap_or_default();
    let advice_en = c
        .opt_text("advice_en", Some(&body.advice_en), 1000)
        .unwrap_or_default();
    let mut phrases: Vec<PhraseBody> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if body.phrases.is_empty() || body.phrases.len() > MAX_PHRASES {
        c.fail("phrases", "err.scam_phrases_count");
    }
    for p in &body.phrases {
        // One line of canonical text: invisible and reordering characters refused, as
        // in every name (a rule must read as what it matches).
        let text = c.text("phrases", &p.text, MAX_PHRASE);
        if c.failed() {
            break;
        }
        let folded = keng_indicators::message::fold_message(&text);
        let weight = if p.weight.is_finite() {
            (p.weight * 10.0).round() / 10.0
        } else {
            f64::NAN
        };
        if folded.is_empty() || !(-10.0..=10.0).contains(&weight) || weight == 0.0 {
            c.fail("phrases", "err.scam_phrase_line");
            break;
        }
        if !seen.insert(folded) {
            c.fail("phrases", "err.scam_phrase_twice");
            break;
        }
        phrases.push(PhraseBody { text, weight });
    }
    let warning_id = body
        .warning_id
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string);
    c.finish()?;
    if let Some(w) = &warning_id {
        let known = w.len() <= 64
            && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && crate::warnings::store::get(db, w).await?.is_some();
        if !known {
            return Err(AppError::invalid("warning_id", "err.scam_warning_id"));
        }
    }
    Ok(PatternBody {
        name_vi,
        name_en,
        advice_vi,
        advice_en,
        warning_id,
        phrases,
    })
}

/// Creates or replaces pattern `id` (ManageScamRules): its fields and all its phrases,
/// in one transaction, audited, on the event log.
pub async fn save(
    db: &Db,
    origin: &Origin,
    ctx: &Ctx,
    id: &str,
    body: &PatternBody,
) -> AppResult<()> {
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    if !valid_id(id) {
        return Err(AppError::invalid("id", "err.scam_pattern_id"));
    }
    let body = validate(db, body).await?;
    let before = get(db, id).await?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO scam_patterns (id, name_vi, name_en, advice_vi, advice_en, warning_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name_vi = $2, name_en = $3, advice_vi = $4, advice_en = $5, warning_id = $6, updated_at = $7",
        args![id, &body.name_vi, &body.name_en, &body.advice_vi, &body.advice_en, body.warning_id.clone(), now],
    )
    .await?;
    tx.execute("DELETE FROM scam_phrases WHERE pattern_id = $1", args![id])
        .await?;
    for p in &body.phrases {
        tx.execute(
            "INSERT INTO scam_phrases (id, pattern_id, phrase, weight_tenths, active, updated_at) VALUES ($1, $2, $3, $4, TRUE, $5)",
            args![new_id(), id, &p.text, (p.weight * 10.0).round() as i64, now],
        )
        .await?;
    }
    let action = if before.is_some() {
        "scam_pattern.updated"
    } else {
        "scam_pattern.created"
    };
    record_change(
        &mut tx,
        origin,
        action,
        ENTITY,
        id,
        before.map(|b| serde_json::to_value(&b.body).unwrap_or_default()),
        Some(serde_json::to_value(&body).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The rules in force, and the same with pattern `id`'s phrases replaced by
/// `phrases`, run over the labelled messages (lexicon, the signs links carry and the
/// shipped model; no indicator records).
pub async fn trial(db: &Db, id: &str, phrases: &[PhraseBody]) -> AppResult<Trial> {
    // A trial runs the whole rule set twice over every labelled message (a fraction of
    // a second of one core): one at a time per node, a caller waits a few seconds at
    // most, so staff cannot tie up the cores the public check and analyzer answer on.
    static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _permit = tokio::time::timeout(std::time::Duration::from_secs(5), ONE_AT_A_TIME.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(AppError::TooManyRequests {
            key: "err.scam_trial_busy",
            retry_after_secs: 5,
        })?;
    let all = list(db).await?;
    let current: Vec<Phrase> = all
        .iter()
        .flat_map(|p| {
            p.body.phrases.iter().map(|ph| Phrase {
                pattern: p.id.clone(),
                text: ph.text.clone(),
                weight: ph.weight as f32,
            })
        })
        .collect();
    let mut changed: Vec<Phrase> = current
        .iter()
        .filter(|p| p.pattern != id)
        .cloned()
        .collect();
    changed.extend(phrases.iter().map(|ph| Phrase {
        pattern: id.to_string(),
        text: ph.text.clone(),
        weight: ph.weight as f32,
    }));
    let banks = super::store::banks(db).await?;
    tokio::task::spawn_blocking(move || {
        let before_lex =
            Lexicon::new(current).map_err(|_| AppError::bad("err.scam_phrase_line"))?;
        let after_lex = Lexicon::new(changed).map_err(|_| AppError::bad("err.scam_phrase_line"))?;
        let msgs = defaults::labelled();
        let model = Some(defaults::model());
        let (cb, ob) = evaluate(&before_lex, model, &banks, msgs);
        let (ca, oa) = evaluate(&after_lex, model, &banks, msgs);
        Ok(Trial {
            messages: msgs.len(),
            before: cb.into(),
            after: ca.into(),
            changed: changes(msgs, &ob, &oa),
        })
    })
    .await
    .map_err(|e| AppError::Internal(format!("trial: {e}")))?
}

/// A score to a tenth, as people read it (an f32 printed whole shows its binary noise).
fn tenth(x: f32) -> f64 {
    (f64::from(x) * 10.0).round() / 10.0
}

fn changes(
    msgs: &[keng_indicators::evaluate::Labelled],
    before: &[Outcome],
    after: &[Outcome],
) -> Vec<Changed> {
    let mut out: Vec<Changed> = msgs
        .iter()
        .zip(before.iter().zip(after))
        .filter(|(_, (b, a))| b.risk != a.risk || (b.score - a.score).abs() >= 0.05)
        .map(|(m, (b, a))| Changed {
            id: m.id.clone(),
            scam: m.scam,
            text: m.text.chars().take(240).collect(),
            risk_before: b.risk.as_str().into(),
            score_before: tenth(b.score),
            risk_after: a.risk.as_str().into(),
            score_after: tenth(a.score),
            better: a.said_scam() == m.scam,
        })
        .collect();
    // Verdict changes first (they move the matrix), then by how far the score moved.
    out.sort_by(|x, y| {
        let moved = |c: &Changed| {
            let said = |r: &str| matches!(r, "medium" | "high");
            said(&c.risk_before) != said(&c.risk_after)
        };
        moved(y).cmp(&moved(x)).then(
            (y.score_after - y.score_before)
                .abs()
                .total_cmp(&(x.score_after - x.score_before).abs()),
        )
    });
    out.truncate(MAX_CHANGED);
    out
}

// --- Pages -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct DoneParam {
    done: Option<String>,
}

/// `/scamcheck/rules`: the patterns, and how the rules in force do on the labelled
/// messages.
pub async fn index(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneParam>,
) -> AppResult<Response> {
    ctx.require(Action::ViewScamDesk, &Owner::None)?;
    let patterns = list(&app.db).await?;
    let t = trial(&app.db, "", &[]).await?;
    let trail = audit::list(
        &app.db,
        &AuditFilter {
            entity: Some(ENTITY.into()),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let may_edit = ctx.can(Action::ManageScamRules);
    // The linked warnings by their headline (read through the warnings' own store).
    let mut headlines = std::collections::BTreeMap::new();
    for w in patterns.iter().filter_map(|p| p.body.warning_id.as_deref()) {
        if let Some(x) = crate::warnings::store::get(&app.db, w).await? {
            let en = x
                .headline_en
                .filter(|h| ctx.lang == Lang::En && !h.is_empty());
            headlines.insert(w.to_string(), en.unwrap_or(x.headline));
        }
    }
    Ok(page(
        &app,
        &ctx,
        "scamcheck/rules.html",
        context! { done => q.done.is_some(), headlines => headlines, patterns => patterns, matrix => t.before, messages => t.messages, trail => trail, may_edit => may_edit, model_features => defaults::model().len() },
    )?
    .into_response())
}

/// The pattern form: fields, phrases a line each ("weight phrase"), and whether to
/// try or save.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct PatternForm {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name_vi: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub advice_vi: String,
    #[serde(default)]
    pub advice_en: String,
    #[serde(default)]
    pub warning_id: String,
    #[serde(default)]
    pub phrases: String,
    /// "try" or "save".
    #[serde(default)]
    pub action: String,
}

impl PatternForm {
    fn of(p: &PatternView) -> PatternForm {
        PatternForm {
            id: p.id.clone(),
            name_vi: p.body.name_vi.clone(),
            name_en: p.body.name_en.clone(),
            advice_vi: p.body.advice_vi.clone(),
            advice_en: p.body.advice_en.clone(),
            warning_id: p.body.warning_id.clone().unwrap_or_default(),
            phrases: p
                .body
                .phrases
                .iter()
                .map(|ph| format!("{} {}", weight_text(ph.weight), ph.text))
                .collect::<Vec<_>>()
                .join("\n"),
            action: String::new(),
        }
    }

    /// The body, or the field errors of the phrase lines.
    fn body(&self) -> Result<PatternBody, AppError> {
        let mut phrases = Vec::new();
        for line in self
            .phrases
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (w, text) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let weight: f64 = w
                .replace(',', ".")
                .parse()
                .map_err(|_| AppError::invalid("phrases", "err.scam_phrase_line"))?;
            phrases.push(PhraseBody {
                text: text.trim().to_string(),
                weight,
            });
        }
        Ok(PatternBody {
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            advice_vi: self.advice_vi.clone(),
            advice_en: self.advice_en.clone(),
            warning_id: Some(self.warning_id.clone()),
            phrases,
        })
    }
}

/// "4", "0.5", "-2" (a tenth at most).
fn weight_text(w: f64) -> String {
    let s = format!("{w:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &PatternForm,
    is_new: bool,
    errors: Vec<(String, String)>,
    trial: Option<Trial>,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let trail = if is_new {
        Vec::new()
    } else {
        audit::list(
            &app.db,
            &AuditFilter {
                entity: Some(ENTITY.into()),
                entity_id: Some(form.id.clone()),
                limit: 50,
                ..Default::default()
            },
        )
        .await?
    };
    Ok((
        status,
        page(
            app,
            ctx,
            "scamcheck/rule.html",
            context! { form => form, is_new => is_new, errors => errors, trial => trial, trail => trail },
        )?,
    )
        .into_response())
}

/// `/scamcheck/rules/new`.
pub async fn new_form(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    form_page(&app, &ctx, &PatternForm::default(), true, Vec::new(), None).await
}

/// `/scamcheck/rules/{id}`.
pub async fn edit_form(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    let p = get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    form_page(&app, &ctx, &PatternForm::of(&p), false, Vec::new(), None).await
}

/// `POST /scamcheck/rules` (a new pattern, its id in the form).
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PatternForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    if !valid_id(f.id.trim()) {
        let errors = field_errors(AppError::invalid("id", "err.scam_pattern_id"), ctx.lang)?;
        return form_page(&app, &ctx, &f, true, errors, None).await;
    }
    if get(&app.db, f.id.trim()).await?.is_some() {
        let errors = field_errors(AppError::invalid("id", "err.scam_pattern_exists"), ctx.lang)?;
        return form_page(&app, &ctx, &f, true, errors, None).await;
    }
    let id = f.id.trim().to_string();
    submit(&app, &ctx, &id, f, true).await
}

/// `POST /scamcheck/rules/{id}`.
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PatternForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    submit(&app, &ctx, &id, f, false).await
}

/// Tries or saves the form's pattern.
async fn submit(
    app: &AppState,
    ctx: &Ctx,
    id: &str,
    mut f: PatternForm,
    is_new: bool,
) -> AppResult<Response> {
    f.id = id.to_string();
    if !matches!(f.action.as_str(), "try" | "save") {
        return Err(AppError::bad("err.scam_rules_action"));
    }
    let body = match f.body() {
        Ok(b) => b,
        Err(e) => return form_page(app, ctx, &f, is_new, field_errors(e, ctx.lang)?, None).await,
    };
    if f.action == "try" {
        let checked = match validate(&app.db, &body).await {
            Ok(b) => b,
            Err(e @ AppError::Invalid(_)) => {
                return form_page(app, ctx, &f, is_new, field_errors(e, ctx.lang)?, None).await
            }
            Err(e) => return Err(e),
        };
        let t = trial(&app.db, id, &checked.phrases).await?;
        return form_page(app, ctx, &f, is_new, Vec::new(), Some(t)).await;
    }
    match save(&app.db, &ctx.origin(), ctx, id, &body).await {
        Ok(()) => Ok(
            axum::response::Redirect::to(&format!("/scamcheck/rules?done={id}")).into_response(),
        ),
        Err(e @ AppError::Invalid(_)) => {
            form_page(app, ctx, &f, is_new, field_errors(e, ctx.lang)?, None).await
        }
        Err(e) => Err(e),
    }
}

// --- API ---------------------------------------------------------------------------

/// The scam patterns with their phrases (staff).
#[utoipa::path(get, path = "/api/v1/scam-patterns", tag = "scamcheck", operation_id = "list_scam_patterns",
    responses((status = 200, body = Vec<PatternView>), (status = 401), (status = 403)))]
pub async fn api_list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Json<Vec<PatternView>>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    ctx.require(Action::ViewScamDesk, &Owner::None)?;
    Ok(Json(list(&app.db).await?))
}

/// Creates or replaces a pattern and all its phrases (admin, press officer).
#[utoipa::path(put, path = "/api/v1/scam-patterns/{id}", tag = "scamcheck", operation_id = "put_scam_pattern",
    params(("id" = String, Path, description = "lower-case letters, digits and _ (3 to 40)")),
    request_body = PatternBody,
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 413), (status = 415), (status = 422)))]
pub async fn api_put(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<PatternBody>,
) -> AppResult<StatusCode> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    save(&app.db, &ctx.origin(), &ctx, &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tries a pattern's phrases on the labelled messages without saving: the rules in
/// force and the changed ones, their confusion matrices and the messages that move.
#[utoipa::path(post, path = "/api/v1/scam-patterns/{id}/try", tag = "scamcheck", operation_id = "try_scam_pattern",
    params(("id" = String, Path, description = "an existing or a new pattern's id")),
    request_body = PatternBody,
    responses((status = 200, body = Trial), (status = 400), (status = 401), (status = 403), (status = 413), (status = 415), (status = 422), (status = 429)))]
pub async fn api_try(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(body): Json<PatternBody>,
) -> AppResult<Json<Trial>> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    ctx.require(Action::ManageScamRules, &Owner::None)?;
    if !valid_id(&id) {
        return Err(AppError::invalid("id", "err.scam_pattern_id"));
    }
    let body = validate(&app.db, &body).await?;
    Ok(Json(trial(&app.db, &id, &body.phrases).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_weights() {
        assert!(valid_id("impersonate_police") && valid_id("job2"));
        for bad in ["", "ab", "Police", "1abc", "a-b", "a b", &"x".repeat(41)] {
            assert!(!valid_id(bad), "{bad}");
        }
        assert_eq!(weight_text(4.0), "4");
        assert_eq!(weight_text(-0.5), "-0.5");
    }

    #[test]
    fn phrase_lines_are_read_with_either_decimal_mark() {
        let f = PatternForm {
            phrases: "4 tài khoản tạm giữ\n\n 0,5  lệnh bắt\n-2 không cung cấp OTP".into(),
            ..Default::default()
        };
        let b = f.body().expect("body");
        assert_eq!(b.phrases.len(), 3);
        assert_eq!(
            b.phrases[1],
            PhraseBody {
                text: "lệnh bắt".into(),
                weight: 0.5
            }
        );
        assert_eq!(b.phrases[2].weight, -2.0);
        let bad = PatternForm {
            phrases: "tài khoản".into(),
            ..Default::default()
        };
        assert!(bad.body().is_err());
    }
}
