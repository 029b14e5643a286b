//! The press's feedback on the coordination (khảo sát ý kiến cơ quan báo chí): after
//! the yearly review, an editor of each accredited agency rates the year's timeliness
//! of information, its usefulness and access to local units (1–5) and may comment. One
//! answer per agency and year, which its editors may revise; the summary joins the next
//! year's review.

use serde::{Deserialize, Serialize};

use crate::accounts::model::User;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::new_id;

/// An agency's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PressSurveyAnswer)]
pub struct Answer {
    pub year: i64,
    pub agency_id: String,
    pub timeliness: i64,
    pub usefulness: i64,
    pub access: i64,
    pub comment: Option<String>,
    pub answered_at: i64,
}

impl Answer {
    fn from_row(r: &Row) -> DbResult<Answer> {
        Ok(Answer {
            year: r.i64("year")?,
            agency_id: r.str("agency_id")?,
            timeliness: r.i64("timeliness")?,
            usefulness: r.i64("usefulness")?,
            access: r.i64("access")?,
            comment: r.opt_str("comment")?,
            answered_at: r.i64("answered_at")?,
        })
    }
}

/// What an editor sends.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = PressSurveyInput)]
pub struct Input {
    pub year: i64,
    /// 1 (poor) to 5 (very good).
    pub timeliness: i64,
    pub usefulness: i64,
    pub access: i64,
    pub comment: Option<String>,
}

/// The year an answer may be given for: this year or the last (the review is held at
/// the turn of the year).
pub fn open_years(now_year: i32) -> [i64; 2] {
    [now_year as i64, now_year as i64 - 1]
}

/// The agency's answer for a year, if given.
pub async fn of_agency(db: &Db, year: i64, agency_id: &str) -> AppResult<Option<Answer>> {
    Ok(db
        .fetch_optional(
            "SELECT * FROM press_surveys WHERE year = $1 AND agency_id = $2",
            args![year, agency_id],
        )
        .await?
        .as_ref()
        .map(Answer::from_row)
        .transpose()?)
}

/// Gives or revises the agency's answer (an editor of an accredited agency).
pub async fn answer(db: &Db, origin: &Origin, user: &User, i: &Input) -> AppResult<Answer> {
    let agency = user
        .agency_id
        .clone()
        .filter(|_| user.is_editor)
        .ok_or(AppError::Forbidden("err.survey_editor"))?;
    let now_year = crate::platform::clock::local_year(now_ms());
    if !open_years(now_year).contains(&i.year) {
        return Err(AppError::invalid("year", "err.survey_year"));
    }
    for (field, v) in [
        ("timeliness", i.timeliness),
        ("usefulness", i.usefulness),
        ("access", i.access),
    ] {
        if !(1..=5).contains(&v) {
            return Err(AppError::invalid(field, "err.survey_rating"));
        }
    }
    // Lines kept, other control characters dropped; at most 4,000 characters.
    let comment: Option<String> = i
        .comment
        .as_deref()
        .map(|c| {
            c.chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .collect::<String>()
        })
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 4000) {
        return Err(AppError::invalid("comment", "err.survey_comment"));
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    let before = tx
        .fetch_optional(
            "SELECT * FROM press_surveys WHERE year = $1 AND agency_id = $2",
            args![i.year, &agency],
        )
        .await?
        .as_ref()
        .map(Answer::from_row)
        .transpose()?;
    // One answer per agency and year: two editors at once revise the same row.
    tx.execute(
        "INSERT INTO press_surveys (id, year, agency_id, timeliness, usefulness, access, comment, answered_by, answered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (year, agency_id) DO UPDATE SET timeliness = excluded.timeliness, usefulness = excluded.usefulness,
           access = excluded.access, comment = excluded.comment, answered_by = excluded.answered_by,
           answered_at = excluded.answered_at",
        args![new_id(), i.year, &agency, i.timeliness, i.usefulness, i.access, comment, &user.id, now],
    )
    .await?;
    let id = tx
        .fetch_one(
            "SELECT id FROM press_surveys WHERE year = $1 AND agency_id = $2",
            args![i.year, &agency],
        )
        .await?
        .str("id")?;
    let after = Answer::from_row(
        &tx.fetch_one(
            "SELECT * FROM press_surveys WHERE year = $1 AND agency_id = $2",
            args![i.year, &agency],
        )
        .await?,
    )?;
    record_change(
        &mut tx,
        origin,
        "press_survey.answered",
        "press_survey",
        &id,
        before.as_ref().and_then(|b| serde_json::to_value(b).ok()),
        serde_json::to_value(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A year's answers summed up.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PressSurveySummary)]
pub struct Summary {
    pub year: i64,
    pub answers: i64,
    /// Mean ratings (1–5), none without answers.
    pub timeliness: Option<f64>,
    pub usefulness: Option<f64>,
    pub access: Option<f64>,
    pub comments: Vec<Comment>,
}

/// An agency's free comment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PressSurveyComment)]
pub struct Comment {
    pub agency: String,
    pub text: String,
}

pub async fn summary(db: &Db, year: i64) -> AppResult<Summary> {
    let rows = db
        .fetch_all(
            "SELECT s.*, a.name AS agency FROM press_surveys s JOIN agencies a ON a.id = s.agency_id
             WHERE s.year = $1 ORDER BY a.name",
            args![year],
        )
        .await?;
    let mut answers = Vec::new();
    let mut comments = Vec::new();
    for r in &rows {
        let a = Answer::from_row(r)?;
        if let Some(c) = &a.comment {
            comments.push(Comment {
                agency: r.str("agency")?,
                text: c.clone(),
            });
        }
        answers.push(a);
    }
    let n = answers.len() as i64;
    let mean = |f: &dyn Fn(&Answer) -> i64| {
        (n > 0).then(|| answers.iter().map(f).sum::<i64>() as f64 / n as f64)
    };
    Ok(Summary {
        year,
        answers: n,
        timeliness: mean(&|a| a.timeliness),
        usefulness: mean(&|a| a.usefulness),
        access: mean(&|a| a.access),
        comments,
    })
}
