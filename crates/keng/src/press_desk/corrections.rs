//! Correction requests (đề nghị cải chính, phản hồi): when a press agency published
//! something wrong about the police, the spokesperson or press office asks that agency to
//! publish a correction or the police's response, by a date, naming the article, what
//! is wrong, what is right and the bulletin that says so. The agency's editors
//! acknowledge it, then publish (linking the corrected article) or decline with their
//! reason; the press office may record a publication itself or withdraw the request.
//! Every step is audited and on the event log (the agency's editors and the press office
//! are notified by `notify`). Who may do what: the permission matrix
//! (`RequestCorrection`, `ViewCorrection`, `AnswerCorrection`) through [`next_steps`].

use serde::{Deserialize, Serialize};

use crate::accounts::model::{Check, User};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{self, now_ms};
use crate::platform::db::{Db, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner};

/// A correction, or the police's response to be published.
pub const KINDS: [&str; 2] = ["correction", "response"];
/// sent → acknowledged → published | declined; withdrawn by the police while open.
pub const STATES: [&str; 5] = ["sent", "acknowledged", "published", "declined", "withdrawn"];
/// Every step, in the order a page offers them.
pub const STEPS: [&str; 5] = [
    "acknowledge",
    "publish",
    "decline",
    "record_published",
    "withdraw",
];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Correction {
    pub id: String,
    pub agency_id: String,
    /// correction or response.
    pub kind: String,
    pub article_url: String,
    pub article_title: String,
    /// When the article appeared (ms since the epoch), if known.
    pub published_at: Option<i64>,
    /// What the article got wrong.
    pub wrong: String,
    /// What is right: the text the police ask to be published.
    pub correct: String,
    /// The police bulletin that states the facts.
    pub bulletin_id: Option<String>,
    /// sent, acknowledged, published, declined or withdrawn.
    pub state: String,
    /// The date by which the police ask for publication.
    pub due_at: i64,
    /// The agency's note (its reason when declining).
    pub agency_note: Option<String>,
    /// The corrected article or the published response.
    pub corrected_url: Option<String>,
    pub corrected_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

impl Correction {
    fn from_row(r: &Row) -> AppResult<Correction> {
        Ok(Correction {
            id: r.str("id")?,
            agency_id: r.str("agency_id")?,
            kind: r.str("kind")?,
            article_url: r.str("article_url")?,
            article_title: r.str("article_title")?,
            published_at: r.opt_i64("published_at")?,
            wrong: r.str("wrong")?,
            correct: r.str("correct")?,
            bulletin_id: r.opt_str("bulletin_id")?,
            state: r.str("state")?,
            due_at: r.i64("due_at")?,
            agency_note: r.opt_str("agency_note")?,
            corrected_url: r.opt_str("corrected_url")?,
            corrected_at: r.opt_i64("corrected_at")?,
            created_by: r.str("created_by")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
            closed_at: r.opt_i64("closed_at")?,
        })
    }

    pub fn is_open(&self) -> bool {
        matches!(self.state.as_str(), "sent" | "acknowledged")
    }

    /// Open past its date.
    pub fn overdue(&self, now: i64) -> bool {
        self.is_open() && now > self.due_at
    }

    fn owner(&self) -> Owner {
        Owner::Agency(self.agency_id.clone())
    }
}

/// What the press office fills in.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CorrectionInput {
    pub agency_id: String,
    /// correction or response.
    pub kind: String,
    pub article_url: String,
    pub article_title: String,
    /// Date (and time) the article appeared, in Vietnam time or RFC 3339.
    #[serde(default)]
    pub published_at: Option<String>,
    pub wrong: String,
    pub correct: String,
    #[serde(default)]
    pub bulletin_id: Option<String>,
    /// The date by which publication is asked (yyyy-mm-dd or dd/mm/yyyy).
    pub due_on: String,
}

/// A step's fields: the agency's note, the corrected article's address.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CorrectionStep {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub corrected_url: Option<String>,
}

/// The steps `user` may take on `c` now (one rule for the page and the API).
pub fn next_steps(user: &User, c: &Correction) -> Vec<&'static str> {
    let actor = user.actor();
    let mut v = Vec::new();
    let editor = allowed(&actor, Action::AnswerCorrection, &c.owner());
    let office = allowed(&actor, Action::RequestCorrection, &Owner::None);
    match c.state.as_str() {
        "sent" => {
            if editor {
                v.extend(["acknowledge", "publish", "decline"]);
            }
            if office {
                v.extend(["record_published", "withdraw"]);
            }
        }
        "acknowledged" => {
            if editor {
                v.extend(["publish", "decline"]);
            }
            if office {
                v.extend(["record_published", "withdraw"]);
            }
        }
        _ => {}
    }
    v
}

pub fn may_view(user: &User, c: &Correction) -> bool {
    allowed(&user.actor(), Action::ViewCorrection, &c.owner())
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

fn url(c: &mut Check, field: &str, v: Option<&str>, required: bool) -> Option<String> {
    let u = c.opt_url(field, v);
    match &u {
        None if required => c.fail(field, "err.required"),
        Some(s) if s.chars().count() > 2000 => c.fail(field, "err.too_long_2000"),
        _ => {}
    }
    u
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Correction>> {
    if !is_id(id) {
        return Ok(None);
    }
    db.fetch_optional("SELECT * FROM press_corrections WHERE id = $1", args![id])
        .await?
        .map(|r| Correction::from_row(&r))
        .transpose()
}

/// Files a correction request to an agency.
pub async fn create(
    db: &Db,
    origin: &Origin,
    user: &User,
    input: &CorrectionInput,
) -> AppResult<Correction> {
    if !allowed(&user.actor(), Action::RequestCorrection, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let now = now_ms();
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let agency_id = input.agency_id.trim().to_string();
    if agency_id.is_empty() {
        c.fail("agency_id", "err.choose");
    } else if !is_id(&agency_id)
        || db
            .fetch_optional("SELECT id FROM agencies WHERE id = $1", args![&agency_id])
            .await?
            .is_none()
    {
        c.fail("agency_id", "err.not_found_ref");
    }
    let article_url = url(&mut c, "article_url", Some(&input.article_url), true);
    let article_title = c.text("article_title", &input.article_title, 300);
    let published_at = match input.published_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let t = clock::parse_local_datetime(s).or_else(|| clock::parse_local_date(s));
            match t {
                None => c.fail("published_at", "err.date"),
                Some(t) if t > now => c.fail("published_at", "err.in_future"),
                _ => {}
            }
            t
        }
    };
    let wrong = c.paragraphs("wrong", &input.wrong, 4000, true);
    let correct = c.paragraphs("correct", &input.correct, 8000, true);
    let bulletin_id = input
        .bulletin_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(b) = &bulletin_id {
        // Only a published bulletin can be cited to a press agency.
        if !is_id(b)
            || db
                .fetch_optional(
                    "SELECT id FROM bulletins WHERE id = $1 AND state = 'published'",
                    args![b],
                )
                .await?
                .is_none()
        {
            c.fail("bulletin_id", "err.not_found_ref");
        }
    }
    // Due at the end of the chosen day (Vietnam time), not before tomorrow.
    let due_at = clock::parse_local_date(&input.due_on).map(|d| d + 86_400_000 - 1);
    match due_at {
        None => c.fail("due_on", "err.date"),
        Some(d) if d < now => c.fail("due_on", "err.in_past"),
        Some(d) if d > now + 366 * 86_400_000 => c.fail("due_on", "err.too_far"),
        _ => {}
    }
    c.finish()?;
    let x = Correction {
        id: new_id(),
        agency_id,
        kind,
        article_url: article_url.unwrap_or_default(),
        article_title,
        published_at,
        wrong: wrong.unwrap_or_default(),
        correct: correct.unwrap_or_default(),
        bulletin_id,
        state: "sent".into(),
        due_at: due_at.unwrap_or(now),
        agency_note: None,
        corrected_url: None,
        corrected_at: None,
        created_by: user.id.clone(),
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO press_corrections (id, agency_id, kind, article_url, article_title, published_at, wrong, correct, bulletin_id, state, due_at, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        args![&x.id, &x.agency_id, &x.kind, &x.article_url, &x.article_title, x.published_at, &x.wrong, &x.correct, x.bulletin_id.clone(), &x.state, x.due_at, &x.created_by, now],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "press_correction.sent",
        "press_correction",
        &x.id,
        None,
        Some(json(&x)),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    Ok(x)
}

/// Takes a step; a step someone else made first answers 409.
pub async fn act(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    step: &str,
    input: &CorrectionStep,
) -> AppResult<Correction> {
    if !STEPS.contains(&step) {
        return Err(AppError::NotFound);
    }
    // A role that can never take this step is refused before the request is read.
    let may = match step {
        "acknowledge" | "publish" | "decline" => {
            user.role == crate::platform::permissions::Role::Journalist && user.is_editor
        }
        _ => allowed(&user.actor(), Action::RequestCorrection, &Owner::None),
    };
    if !may {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if !may_view(user, &before) {
        return Err(AppError::NotFound);
    }
    if !next_steps(user, &before).contains(&step) {
        return Err(AppError::Conflict("err.correction_step_not_allowed"));
    }
    let now = now_ms();
    let mut c = Check::default();
    let mut x = before.clone();
    match step {
        "acknowledge" => {
            x.agency_note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, false);
            x.state = "acknowledged".into();
        }
        "publish" | "record_published" => {
            x.corrected_url = url(
                &mut c,
                "corrected_url",
                input.corrected_url.as_deref(),
                true,
            );
            let note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, false);
            if note.is_some() {
                x.agency_note = note;
            }
            x.corrected_at = Some(now);
            x.state = "published".into();
            x.closed_at = Some(now);
        }
        "decline" => {
            x.agency_note = c.paragraphs("note", input.note.as_deref().unwrap_or(""), 2000, true);
            x.state = "declined".into();
            x.closed_at = Some(now);
        }
        _ => {
            x.state = "withdrawn".into();
            x.closed_at = Some(now);
        }
    }
    c.finish()?;
    x.updated_at = now;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE press_corrections SET state = $1, agency_note = $2, corrected_url = $3, corrected_at = $4, updated_at = $5, closed_at = $6
             WHERE id = $7 AND updated_at = $8",
            args![&x.state, x.agency_note.clone(), x.corrected_url.clone(), x.corrected_at, now, x.closed_at, id, before.updated_at],
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict("err.press_changed_meanwhile"));
    }
    let event = match step {
        "acknowledge" => "press_correction.acknowledged",
        "decline" => "press_correction.declined",
        "withdraw" => "press_correction.withdrawn",
        _ => "press_correction.published",
    };
    record_change(
        &mut tx,
        origin,
        event,
        "press_correction",
        id,
        Some(json(&before)),
        Some(json(&x)),
    )
    .await?;
    tx.mark_wake();
    tx.commit().await?;
    Ok(x)
}

/// Correction requests `user` may read, open first then newest; `agency` narrows.
pub async fn list(
    db: &Db,
    user: &User,
    agency: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Correction>> {
    let actor = user.actor();
    let office = allowed(&actor, Action::ViewCorrection, &Owner::None)
        || allowed(&actor, Action::RequestCorrection, &Owner::None);
    let agency = if office {
        agency.map(str::to_string)
    } else {
        // An editor reads their own agency's requests only.
        match &user.agency_id {
            Some(a) if allowed(&actor, Action::ViewCorrection, &Owner::Agency(a.clone())) => {
                Some(a.clone())
            }
            _ => return Ok(Vec::new()),
        }
    };
    let order =
        "ORDER BY CASE WHEN state IN ('sent', 'acknowledged') THEN 0 ELSE 1 END, created_at DESC";
    let limit = limit.clamp(1, 500);
    let rows = match agency {
        Some(a) => {
            db.fetch_all(
                &format!(
                    "SELECT * FROM press_corrections WHERE agency_id = $1 {order} LIMIT {limit}"
                ),
                args![a],
            )
            .await?
        }
        None => {
            db.fetch_all(
                &format!("SELECT * FROM press_corrections {order} LIMIT {limit}"),
                args![],
            )
            .await?
        }
    };
    rows.iter().map(Correction::from_row).collect()
}
