//! Commendations (khen thưởng) for the coordination with the press: the kinds the
//! department gives (kept by an administrator or a leader: added, retired), the awards a leader records (recipient, decision number and date,
//! reason, and the evidence it was given on), and the suggestions ranked from a year's
//! metrics — each with the numbers and sentences behind its rank, so the leader
//! decides on evidence rather than memory. Recording and revoking is the leader's
//! (`SignCommendation`), each one transaction with its audit record and event.

use serde::{Deserialize, Serialize};

use super::metrics::{duration_text, AgencyLine, JournalistLine, Metrics, Span};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::ids::{is_id, new_id};

/// A kind of commendation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AwardType {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Higher is the higher honour.
    pub rank: i64,
    /// collective, individual or both.
    pub recipients: String,
    pub active: bool,
}

impl AwardType {
    fn from_row(r: &Row) -> DbResult<AwardType> {
        Ok(AwardType {
            id: r.str("id")?,
            name: r.str("name")?,
            name_en: r.str("name_en")?,
            rank: r.i64("rank")?,
            recipients: r.str("recipients")?,
            active: r.bool("active")?,
        })
    }

    pub fn name_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name,
            Lang::En => &self.name_en,
        }
    }
}

pub async fn types(db: &Db) -> AppResult<Vec<AwardType>> {
    Ok(db
        .fetch_all("SELECT * FROM award_types ORDER BY rank DESC, id", &[])
        .await?
        .iter()
        .map(AwardType::from_row)
        .collect::<DbResult<_>>()?)
}

/// A kind of commendation to add.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = AwardTypeInput)]
pub struct TypeInput {
    /// Its Vietnamese name, as the decision writes it.
    pub name: String,
    pub name_en: Option<String>,
    /// Higher is the higher honour (1–1000).
    pub rank: i64,
    /// collective, individual or both.
    pub recipients: String,
}

/// Adds a kind of commendation (an administrator's or a leader's).
pub async fn add_type(db: &Db, origin: &Origin, i: &TypeInput) -> AppResult<AwardType> {
    let name = clean(Some(&i.name), 200).ok_or(AppError::invalid("name", "err.award_type_name"))?;
    let name_en = clean(i.name_en.as_deref(), 200).unwrap_or_else(|| name.clone());
    if !(1..=1000).contains(&i.rank) {
        return Err(AppError::invalid("rank", "err.award_type_rank"));
    }
    let recipients = i.recipients.trim();
    if !matches!(recipients, "collective" | "individual" | "both") {
        return Err(AppError::invalid("recipients", "err.award_type_recipients"));
    }
    let key = keng_text::accent_key(&name);
    let mut tx = db.begin().await?;
    for r in &tx.fetch_all("SELECT name FROM award_types", &[]).await? {
        if keng_text::accent_key(&r.str("name")?) == key {
            return Err(AppError::Conflict("err.award_type_exists"));
        }
    }
    let id = new_id();
    let n = tx
        .execute(
            "INSERT INTO award_types (id, name, name_en, rank, recipients, active, created_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6) ON CONFLICT (name) DO NOTHING",
            args![&id, &name, &name_en, i.rank, recipients, now_ms()],
        )
        .await?;
    if n != 1 {
        return Err(AppError::Conflict("err.award_type_exists"));
    }
    let t = AwardType::from_row(
        &tx.fetch_one("SELECT * FROM award_types WHERE id = $1", args![&id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "award_type.created",
        "award_type",
        &id,
        None,
        serde_json::to_value(&t).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// Retires a kind of commendation (no new award of it; those given stay) or brings it
/// back.
pub async fn set_type_active(
    db: &Db,
    origin: &Origin,
    id: &str,
    active: bool,
) -> AppResult<AwardType> {
    let mut tx = db.begin().await?;
    let before = AwardType::from_row(
        &tx.fetch_optional("SELECT * FROM award_types WHERE id = $1", args![id])
            .await?
            .ok_or(AppError::NotFound)?,
    )?;
    tx.execute(
        "UPDATE award_types SET active = $2 WHERE id = $1",
        args![id, active],
    )
    .await?;
    let after = AwardType {
        active,
        ..before.clone()
    };
    record_change(
        &mut tx,
        origin,
        if active {
            "award_type.restored"
        } else {
            "award_type.retired"
        },
        "award_type",
        id,
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The kind of commendation a suggestion proposes (the Director's certificate, the usual
/// one for the coordination with the press).
pub const SUGGESTED_TYPE: &str = "giay_khen_giam_doc";

/// Who can be commended.
pub const RECIPIENT_KINDS: [&str; 4] = ["agency", "unit", "journalist", "officer"];

/// A recorded commendation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Award {
    pub id: String,
    pub year: i64,
    pub type_id: String,
    /// agency or unit (a collective), journalist or officer (an individual).
    pub recipient_kind: String,
    pub agency_id: Option<String>,
    pub unit_id: Option<String>,
    pub user_id: Option<String>,
    pub recipient_name: String,
    /// For an individual: their title and where they work.
    pub recipient_detail: Option<String>,
    pub decision_no: String,
    /// YYYY-MM-DD.
    pub decision_date: String,
    pub reason: String,
    /// The suggestion's numbers and sentences when it was recorded from one.
    #[schema(value_type = Object)]
    pub evidence: Option<serde_json::Value>,
    /// recorded or revoked.
    pub state: String,
    pub revoked_reason: Option<String>,
    pub created_at: i64,
    #[serde(skip)]
    pub recipient_key: String,
}

impl Award {
    fn from_row(r: &Row) -> DbResult<Award> {
        Ok(Award {
            id: r.str("id")?,
            year: r.i64("year")?,
            type_id: r.str("type_id")?,
            recipient_kind: r.str("recipient_kind")?,
            agency_id: r.opt_str("agency_id")?,
            unit_id: r.opt_str("unit_id")?,
            user_id: r.opt_str("user_id")?,
            recipient_name: r.str("recipient_name")?,
            recipient_detail: r.opt_str("recipient_detail")?,
            decision_no: r.str("decision_no")?,
            decision_date: r.str("decision_date")?,
            reason: r.str("reason")?,
            evidence: r
                .opt_str("evidence")?
                .and_then(|e| serde_json::from_str(&e).ok()),
            state: r.str("state")?,
            revoked_reason: r.opt_str("revoked_reason")?,
            created_at: r.i64("created_at")?,
            recipient_key: r.str("recipient_key")?,
        })
    }

    pub fn is_collective(&self) -> bool {
        matches!(self.recipient_kind.as_str(), "agency" | "unit")
    }
}

/// The awards of a year (or every year), highest honour first; revoked ones only when
/// asked.
pub async fn list(db: &Db, year: Option<i32>, revoked_too: bool) -> AppResult<Vec<Award>> {
    let mut sql =
        "SELECT w.* FROM awards w JOIN award_types t ON t.id = w.type_id WHERE 1 = 1".to_string();
    let mut params: Vec<crate::platform::db::Value> = Vec::new();
    if let Some(y) = year {
        params.push((y as i64).into());
        sql.push_str(" AND w.year = $1");
    }
    if !revoked_too {
        sql.push_str(" AND w.state = 'recorded'");
    }
    sql.push_str(" ORDER BY w.year DESC, t.rank DESC, w.recipient_kind, w.recipient_name, w.id");
    Ok(db
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(Award::from_row)
        .collect::<DbResult<_>>()?)
}

/// An award to record.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct AwardInput {
    pub year: i64,
    pub type_id: String,
    /// agency, unit, journalist or officer.
    pub recipient_kind: String,
    /// The agency (a collective, or the journalist's agency).
    pub agency_id: Option<String>,
    pub unit_id: Option<String>,
    /// The journalist's or officer's account, when they have one.
    pub user_id: Option<String>,
    /// Required for an individual without an account; otherwise taken from the record.
    pub recipient_name: Option<String>,
    pub recipient_detail: Option<String>,
    pub decision_no: String,
    /// YYYY-MM-DD or dd/mm/yyyy.
    pub decision_date: String,
    pub reason: String,
    /// The suggestion's evidence, kept with the award.
    #[schema(value_type = Option<Object>)]
    pub evidence: Option<serde_json::Value>,
}

/// One line of text as kept: no control characters, spaces collapsed, at most `max`
/// characters; none when empty.
fn clean(s: Option<&str>, max: usize) -> Option<String> {
    let s: String = s?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then(|| s.chars().take(max).collect())
}

/// Who an award is for, as compared: the agency or the unit, the person's account, or
/// else their folded name (titles dropped) at their agency.
pub fn recipient_key(
    kind: &str,
    agency: Option<&str>,
    unit: Option<&str>,
    user: Option<&str>,
    name: &str,
) -> String {
    match (kind, user) {
        ("agency", _) => format!("agency|{}", agency.unwrap_or("")),
        ("unit", _) => format!("unit|{}", unit.unwrap_or("")),
        (_, Some(u)) => format!("{kind}|user|{u}"),
        _ => format!(
            "{kind}|{}|{}",
            agency.unwrap_or(""),
            super::metrics::name_key(name)
        ),
    }
}

/// Records an award (the leader's), with its audit record.
pub async fn record(db: &Db, origin: &Origin, i: &AwardInput) -> AppResult<Award> {
    if !(2000..=2100).contains(&i.year) {
        return Err(AppError::invalid("year", "err.bad_year"));
    }
    let ty = types(db)
        .await?
        .into_iter()
        .find(|t| t.id == i.type_id.trim() && t.active)
        .ok_or(AppError::invalid("type_id", "err.award_type"))?;
    let kind = i.recipient_kind.trim();
    if !RECIPIENT_KINDS.contains(&kind) {
        return Err(AppError::invalid("recipient_kind", "err.award_recipient"));
    }
    let collective = matches!(kind, "agency" | "unit");
    if (collective && ty.recipients == "individual")
        || (!collective && ty.recipients == "collective")
    {
        return Err(AppError::invalid("type_id", "err.award_type_recipient"));
    }
    // An id given must name a record; an empty one is none.
    let given = |s: &Option<String>| clean(s.as_deref(), 64);
    let id_of = |s: Option<String>, field: &'static str, key: &'static str| match s {
        Some(v) if !is_id(&v) => Err(AppError::invalid(field, key)),
        other => Ok(other),
    };
    let mut agency_id = id_of(
        given(&i.agency_id),
        "agency_id",
        "err.coverage_unknown_agency",
    )?;
    let mut unit_id = id_of(given(&i.unit_id), "unit_id", "err.award_unit")?;
    let mut user_id = id_of(given(&i.user_id), "user_id", "err.award_person")?;
    let mut name = clean(i.recipient_name.as_deref(), 200);
    let mut detail = clean(i.recipient_detail.as_deref(), 300);
    // Only the fields of the recipient's kind are kept.
    match kind {
        "agency" => (unit_id, user_id) = (None, None),
        "unit" => (agency_id, user_id) = (None, None),
        "officer" => agency_id = None,
        _ => unit_id = None,
    }
    let account = match &user_id {
        Some(uid) => Some(
            crate::accounts::store::list_users(db, &Default::default())
                .await?
                .into_iter()
                .find(|u| &u.id == uid)
                .ok_or(AppError::invalid("user_id", "err.award_person"))?,
        ),
        None => None,
    };
    if let Some(u) = &account {
        // A journalist is an accredited (or formerly accredited) reporter, an officer
        // one of the police staff; the account's agency is the journalist's.
        let fits = match kind {
            "journalist" => {
                u.role == crate::platform::permissions::Role::Journalist
                    && u.status != crate::accounts::model::Status::Pending
            }
            _ => u.role.is_staff(),
        };
        if !fits {
            return Err(AppError::invalid("user_id", "err.award_person_kind"));
        }
        if kind == "journalist" {
            match (&agency_id, &u.agency_id) {
                (Some(a), Some(b)) if a != b => {
                    return Err(AppError::invalid("agency_id", "err.award_person_agency"))
                }
                (None, b) => agency_id = b.clone(),
                _ => {}
            }
        }
        name = Some(u.display_name.clone());
    }
    let agency = match &agency_id {
        Some(a) => Some(crate::accounts::store::get_agency(db, a).await?.ok_or(
            AppError::invalid("agency_id", "err.coverage_unknown_agency"),
        )?),
        None => None,
    };
    match kind {
        "agency" => {
            let a = agency.as_ref().ok_or(AppError::invalid(
                "agency_id",
                "err.coverage_unknown_agency",
            ))?;
            name = Some(a.name.clone());
            detail = None;
        }
        "unit" => {
            let u = match &unit_id {
                Some(u) => crate::accounts::store::get_unit(db, u).await?,
                None => None,
            }
            .ok_or(AppError::invalid("unit_id", "err.award_unit"))?;
            name = Some(u.name);
            detail = None;
        }
        _ => {
            if name.is_none() {
                return Err(AppError::invalid("recipient_name", "err.award_person"));
            }
            if detail.is_none() {
                detail = agency.as_ref().map(|a| a.name.clone());
            }
        }
    }
    let decision_no = clean(Some(&i.decision_no), 80)
        .ok_or(AppError::invalid("decision_no", "err.award_decision_no"))?;
    let date = crate::platform::clock::parse_date(&i.decision_date).ok_or(AppError::invalid(
        "decision_date",
        "err.award_decision_date",
    ))?;
    let year_of_date = chrono::Datelike::year(&date) as i64;
    if year_of_date < i.year || year_of_date > i.year + 1 {
        return Err(AppError::invalid(
            "decision_date",
            "err.award_decision_date",
        ));
    }
    let reason =
        clean(Some(&i.reason), 1000).ok_or(AppError::invalid("reason", "err.award_reason"))?;
    let evidence = i
        .evidence
        .as_ref()
        .map(|e| e.to_string())
        .filter(|e| e.len() <= 20_000);
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    // The same honour twice in a year for the same recipient (however the name is
    // spelt or capitalised) is a mistake; namesakes elsewhere are other people.
    let key = recipient_key(
        kind,
        agency_id.as_deref(),
        unit_id.as_deref(),
        user_id.as_deref(),
        name.as_deref().unwrap_or(""),
    );
    let same = tx
        .fetch_optional(
            "SELECT id FROM awards WHERE year = $1 AND type_id = $2 AND recipient_key = $3 AND state = 'recorded'",
            args![i.year, &ty.id, &key],
        )
        .await?;
    if same.is_some() {
        return Err(AppError::Conflict("err.award_exists"));
    }
    let n = tx.execute(
        "INSERT INTO awards (id, year, type_id, recipient_kind, agency_id, unit_id, user_id, recipient_name, recipient_key,
           recipient_detail, decision_no, decision_date, reason, evidence, state, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'recorded', $15, $16, $16)
         ON CONFLICT (year, type_id, recipient_key) WHERE state = 'recorded' DO NOTHING",
        args![&id, i.year, &ty.id, kind, agency_id, unit_id, user_id, name, &key, detail, &decision_no,
              date.format("%Y-%m-%d").to_string(), &reason, evidence, origin.actor_id.clone(), now],
    )
    .await?;
    if n != 1 {
        return Err(AppError::Conflict("err.award_exists"));
    }
    let a = Award::from_row(
        &tx.fetch_one("SELECT * FROM awards WHERE id = $1", args![&id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "award.recorded",
        "award",
        &id,
        None,
        serde_json::to_value(&a).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Revokes an award recorded by mistake (kept, marked, off the public page).
pub async fn revoke(db: &Db, origin: &Origin, id: &str, reason: &str) -> AppResult<Award> {
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let reason =
        clean(Some(reason), 500).ok_or(AppError::invalid("reason", "err.award_revoke_reason"))?;
    let mut tx = db.begin().await?;
    let before = Award::from_row(
        &tx.fetch_optional("SELECT * FROM awards WHERE id = $1", args![id])
            .await?
            .ok_or(AppError::NotFound)?,
    )?;
    if before.state != "recorded" {
        return Err(AppError::Conflict("err.award_revoked"));
    }
    tx.execute(
        "UPDATE awards SET state = 'revoked', revoked_reason = $2, updated_at = $3 WHERE id = $1",
        args![id, &reason, now_ms()],
    )
    .await?;
    let after = Award::from_row(
        &tx.fetch_one("SELECT * FROM awards WHERE id = $1", args![id])
            .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "award.revoked",
        "award",
        id,
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A ranked suggestion with the evidence behind its rank.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub rank: usize,
    /// agency (a collective) or journalist (an individual).
    pub recipient_kind: String,
    pub agency_id: String,
    pub user_id: Option<String>,
    pub name: String,
    /// For a journalist: their agency.
    pub detail: Option<String>,
    /// 0–100, from the weighted parts below.
    pub score: f64,
    /// Each part's share of the best in the year (0–1): stories, share (of the bulletins
    /// and warnings given out, carried), speed, first, engagement (requests and
    /// conferences).
    #[schema(value_type = Object)]
    pub parts: serde_json::Value,
    /// The sentences a leader reads (and the award keeps).
    pub evidence: Vec<String>,
    /// Proposed for a commendation (the upper half of the ranking, with stories carried).
    pub proposed: bool,
    pub suggested_type: String,
    /// The award already recorded for this recipient in the year, if any.
    pub awarded: Option<String>,
}

/// Weights of the parts of a collective's score.
const AGENCY_WEIGHTS: [(&str, f64); 5] = [
    ("share", 0.30),
    ("stories", 0.25),
    ("speed", 0.20),
    ("first", 0.10),
    ("engagement", 0.15),
];
/// Weights of the parts of an individual's score.
const PERSON_WEIGHTS: [(&str, f64); 5] = [
    ("stories", 0.35),
    ("first", 0.20),
    ("speed", 0.20),
    ("share", 0.10),
    ("engagement", 0.15),
];

/// `v / max`, 0 when nothing to compare.
fn part(v: f64, max: f64) -> f64 {
    if max > 0.0 {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Faster is better: the fastest median over this one's.
fn speed(v: Option<f64>, fastest: Option<f64>) -> f64 {
    match (v, fastest) {
        (Some(v), Some(f)) => (f.max(1.0) / v.max(1.0)).clamp(0.0, 1.0),
        _ => 0.0,
    }
}

fn score(parts: &[(&str, f64)], weights: &[(&str, f64)]) -> f64 {
    let s: f64 = weights
        .iter()
        .map(|(k, w)| w * parts.iter().find(|(p, _)| p == k).map_or(0.0, |(_, v)| *v))
        .sum();
    (s * 1000.0).round() / 10.0
}

fn say(lang: Lang, key: &str, pairs: &[(&str, String)]) -> String {
    let mut s = t(lang, &format!("coverage.{key}"));
    for (k, v) in pairs {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

fn pct_text(p: Option<f64>) -> String {
    keng_charts::number_to(p.unwrap_or(0.0), 1)
}

/// The sentences behind a rank: what was carried, how fast, how often first, and the
/// reporters' requests and conferences.
fn evidence(
    opening: String,
    median_minutes: Option<f64>,
    first: i64,
    requests: i64,
    attended: i64,
    lang: Lang,
) -> Vec<String> {
    let mut e = vec![opening];
    if let Some(p) = median_minutes {
        e.push(say(
            lang,
            "ev_pickup",
            &[("time", duration_text(p as i64, lang))],
        ));
    }
    if first > 0 {
        e.push(say(lang, "ev_first", &[("n", first.to_string())]));
    }
    let mut parts = Vec::new();
    if requests > 0 {
        parts.push(say(lang, "ev_requests", &[("n", requests.to_string())]));
    }
    if attended > 0 {
        parts.push(say(lang, "ev_attended", &[("n", attended.to_string())]));
    }
    if !parts.is_empty() {
        e.push(parts.join("; "));
    }
    e
}

fn agency_evidence(a: &AgencyLine, m: &Metrics, lang: Lang) -> Vec<String> {
    let opening = say(
        lang,
        "ev_stories",
        &[
            ("stories", a.stories.to_string()),
            ("picked", a.picked.to_string()),
            ("released", m.released.to_string()),
            ("share", pct_text(a.share_pct)),
        ],
    );
    let mut e = evidence(
        opening,
        a.median_pickup_minutes,
        a.first,
        a.requests,
        a.attended,
        lang,
    );
    if a.warnings_picked > 0 {
        e.insert(
            1,
            say(
                lang,
                "ev_warnings",
                &[
                    ("picked", a.warnings_picked.to_string()),
                    ("released", m.warnings_released.to_string()),
                ],
            ),
        );
    }
    e
}

/// An agency's share of what the police gave out (bulletins and warnings) it carried.
fn carried_share(a: &AgencyLine, m: &Metrics) -> f64 {
    let given = m.released + m.warnings_released;
    if given > 0 {
        (a.picked + a.warnings_picked) as f64 / given as f64
    } else {
        0.0
    }
}

fn person_evidence(j: &JournalistLine, lang: Lang) -> Vec<String> {
    let opening = say(
        lang,
        "ev_person_stories",
        &[
            ("stories", j.stories.to_string()),
            ("picked", j.picked.to_string()),
        ],
    );
    evidence(
        opening,
        j.median_pickup_minutes,
        j.first,
        j.requests,
        j.attended,
        lang,
    )
}

fn max_of(it: impl Iterator<Item = f64>) -> f64 {
    it.fold(0.0, f64::max)
}

fn min_of(it: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    it.flatten().reduce(f64::min)
}

/// The year's suggestions: collectives (agencies) and individuals (journalists), each
/// ranked by score, the upper half with stories proposed.
pub async fn suggestions(
    db: &Db,
    span: &Span,
    m: &Metrics,
    lang: Lang,
) -> AppResult<(Vec<Suggestion>, Vec<Suggestion>)> {
    let awards = list(db, Some(span.year), false).await?;
    // The award already given to a suggestion's recipient, of any kind (by account, or
    // by name at the agency).
    let awarded = |kind: &str, agency: &str, user: Option<&str>, name: &str| {
        let by_account = recipient_key(kind, Some(agency), None, user, name);
        let by_name = recipient_key(kind, Some(agency), None, None, name);
        awards
            .iter()
            .find(|w| w.recipient_key == by_account || w.recipient_key == by_name)
            .map(|w| w.id.clone())
    };

    let active: Vec<&AgencyLine> = m
        .agencies
        .iter()
        .filter(|a| a.stories > 0 || a.warning_stories > 0 || a.requests > 0 || a.attended > 0)
        .collect();
    let (ms, msh, mf, me) = (
        max_of(active.iter().map(|a| a.stories as f64)),
        max_of(active.iter().map(|a| carried_share(a, m))),
        max_of(active.iter().map(|a| a.first as f64)),
        max_of(active.iter().map(|a| (a.requests + a.attended) as f64)),
    );
    let fastest = min_of(active.iter().map(|a| a.median_pickup_minutes));
    let mut collectives: Vec<Suggestion> = active
        .iter()
        .map(|a| {
            let parts = [
                ("stories", part(a.stories as f64, ms)),
                ("share", part(carried_share(a, m), msh)),
                ("speed", speed(a.median_pickup_minutes, fastest)),
                ("first", part(a.first as f64, mf)),
                ("engagement", part((a.requests + a.attended) as f64, me)),
            ];
            Suggestion {
                rank: 0,
                recipient_kind: "agency".into(),
                agency_id: a.agency_id.clone(),
                user_id: None,
                name: a.name.clone(),
                detail: None,
                score: score(&parts, &AGENCY_WEIGHTS),
                parts: serde_json::json!(parts
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (v * 1000.0).round() / 1000.0))
                    .collect::<std::collections::BTreeMap<_, _>>()),
                evidence: agency_evidence(a, m, lang),
                proposed: false,
                suggested_type: SUGGESTED_TYPE.into(),
                awarded: awarded("agency", &a.agency_id, None, &a.name),
            }
        })
        .collect();

    let people: Vec<&JournalistLine> = m.journalists.iter().collect();
    let (ps, pp, pf, pe) = (
        max_of(people.iter().map(|j| j.stories as f64)),
        max_of(people.iter().map(|j| j.picked as f64)),
        max_of(people.iter().map(|j| j.first as f64)),
        max_of(people.iter().map(|j| (j.requests + j.attended) as f64)),
    );
    let fastest = min_of(people.iter().map(|j| j.median_pickup_minutes));
    let mut individuals: Vec<Suggestion> = people
        .iter()
        .map(|j| {
            let parts = [
                ("stories", part(j.stories as f64, ps)),
                ("share", part(j.picked as f64, pp)),
                ("speed", speed(j.median_pickup_minutes, fastest)),
                ("first", part(j.first as f64, pf)),
                ("engagement", part((j.requests + j.attended) as f64, pe)),
            ];
            Suggestion {
                rank: 0,
                recipient_kind: "journalist".into(),
                agency_id: j.agency_id.clone(),
                user_id: j.user_id.clone(),
                name: j.name.clone(),
                detail: Some(j.agency.clone()),
                score: score(&parts, &PERSON_WEIGHTS),
                parts: serde_json::json!(parts
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (v * 1000.0).round() / 1000.0))
                    .collect::<std::collections::BTreeMap<_, _>>()),
                evidence: person_evidence(j, lang),
                proposed: false,
                suggested_type: SUGGESTED_TYPE.into(),
                awarded: awarded("journalist", &j.agency_id, j.user_id.as_deref(), &j.name),
            }
        })
        .collect();
    for list in [&mut collectives, &mut individuals] {
        list.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.name.cmp(&b.name))
        });
        let half = list.len().div_ceil(2);
        for (i, s) in list.iter_mut().enumerate() {
            s.rank = i + 1;
            let carried = s.parts["stories"].as_f64().unwrap_or(0.0) > 0.0;
            s.proposed = i < half && carried && s.score > 0.0;
        }
    }
    Ok((collectives, individuals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namesakes_at_two_agencies_are_two_recipients_and_a_title_is_not_a_name() {
        let a = recipient_key("journalist", Some("a1"), None, None, "Nguyễn Văn An");
        assert_ne!(
            a,
            recipient_key("journalist", Some("a2"), None, None, "Nguyễn Văn An")
        );
        assert_eq!(
            a,
            recipient_key("journalist", Some("a1"), None, None, "PV. NGUYỄN VĂN AN")
        );
        assert_ne!(
            recipient_key("agency", Some("x"), None, None, "Báo"),
            recipient_key("unit", None, Some("x"), None, "Báo")
        );
    }

    #[test]
    fn a_score_weighs_its_parts_and_speed_rewards_the_fastest() {
        let parts = [
            ("stories", 1.0),
            ("share", 1.0),
            ("speed", 1.0),
            ("first", 1.0),
            ("engagement", 1.0),
        ];
        assert_eq!(score(&parts, &AGENCY_WEIGHTS), 100.0);
        assert_eq!(score(&parts, &PERSON_WEIGHTS), 100.0);
        assert_eq!(score(&[("share", 0.5)], &AGENCY_WEIGHTS), 15.0);
        assert_eq!(speed(Some(30.0), Some(30.0)), 1.0);
        assert_eq!(speed(Some(120.0), Some(30.0)), 0.25);
        assert_eq!(speed(None, Some(30.0)), 0.0);
        assert_eq!(part(3.0, 0.0), 0.0);
    }
}
