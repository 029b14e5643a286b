//! The catalogue of what is counted: fields of work (trật tự xã hội, ma tuý, giao
//! thông…) and their measures, each with its unit, whether it is whole (a count) or may
//! have decimals (kg, gam), whether it may be summed across units and days (a rate may
//! not: it is shown per unit and never averaged), and the measure it may not fall below
//! (subjects ≥ cases). Seeded by the migration; an administrator edits it through the
//! API, each change with its audit record and event. A measure is never deleted, only
//! retired (inactive), so old figures keep their meaning.

use serde::{Deserialize, Serialize};

use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::Lang;

/// A measure of a field of work.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatMeasure)]
pub struct Measure {
    /// Stable id ("ma_tuy.subjects"): the template's and the API's name for it.
    pub id: String,
    pub field_id: String,
    pub name_vi: String,
    pub name_en: String,
    /// "vụ", "đối tượng", "gam", "đồng"…
    pub unit_vi: String,
    pub unit_en: String,
    /// A count: whole numbers only.
    pub whole: bool,
    /// May be summed across units and days (false: a rate, shown per unit only).
    pub summable: bool,
    /// The measure this one may not be below (subjects ≥ cases), if any.
    pub at_least: Option<String>,
    /// Named in the report's sentences.
    pub in_narrative: bool,
    /// The largest value it may take (100 for a percentage), if any.
    pub max_value: Option<f64>,
    pub position: i64,
    pub active: bool,
}

impl Measure {
    fn from_row(r: &Row) -> DbResult<Measure> {
        Ok(Measure {
            id: r.str("id")?,
            field_id: r.str("field_id")?,
            name_vi: r.str("name_vi")?,
            name_en: r.str("name_en")?,
            unit_vi: r.str("unit_vi")?,
            unit_en: r.str("unit_en")?,
            whole: r.bool("whole")?,
            summable: r.bool("summable")?,
            at_least: r.opt_str("at_least")?,
            in_narrative: r.bool("in_narrative")?,
            max_value: r.opt_f64("max_value")?,
            position: r.i64("position")?,
            active: r.bool("active")?,
        })
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name_vi,
            Lang::En => &self.name_en,
        }
    }

    pub fn unit(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.unit_vi,
            Lang::En => &self.unit_en,
        }
    }
}

/// A field of work with its measures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatField)]
pub struct Field {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    /// What the report says was done ("phát hiện, điều tra, xử lý").
    pub verb_vi: String,
    /// What it was done about ("phạm tội và vi phạm pháp luật về trật tự xã hội").
    pub object_vi: String,
    pub position: i64,
    pub measures: Vec<Measure>,
}

impl Field {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name_vi,
            Lang::En => &self.name_en,
        }
    }
}

/// The whole catalogue, in order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StatCatalogue)]
pub struct Catalogue {
    pub fields: Vec<Field>,
}

impl Catalogue {
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.fields
            .iter()
            .flat_map(|f| &f.measures)
            .find(|m| m.id == id)
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Every measure, in order (active ones only when asked).
    pub fn measures(&self, active_only: bool) -> impl Iterator<Item = &Measure> {
        self.fields
            .iter()
            .flat_map(|f| &f.measures)
            .filter(move |m| !active_only || m.active)
    }
}

/// Reads the catalogue.
pub async fn load(db: &Db) -> AppResult<std::sync::Arc<Catalogue>> {
    super::reference::catalogue(db).await
}

/// The catalogue as the database holds it now (see [`load`], which keeps a copy).
pub async fn load_fresh(db: &Db) -> AppResult<Catalogue> {
    let fields = db
        .fetch_all("SELECT * FROM stat_fields ORDER BY position, id", args![])
        .await?;
    let measures = db
        .fetch_all("SELECT * FROM stat_measures ORDER BY position, id", args![])
        .await?;
    let mut out = Vec::with_capacity(fields.len());
    for r in &fields {
        out.push(Field {
            id: r.str("id")?,
            name_vi: r.str("name_vi")?,
            name_en: r.str("name_en")?,
            verb_vi: r.str("verb_vi")?,
            object_vi: r.str("object_vi")?,
            position: r.i64("position")?,
            measures: Vec::new(),
        });
    }
    for r in &measures {
        let m = Measure::from_row(r)?;
        if let Some(f) = out.iter_mut().find(|f| f.id == m.field_id) {
            f.measures.push(m);
        }
    }
    Ok(Catalogue { fields: out })
}

/// A measure as an administrator writes it (create: every field; update: the id is
/// the path's and cannot change).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = StatMeasureInput)]
pub struct MeasureInput {
    /// Create only: lowercase letters, digits, "_" and one "." after the field
    /// ("ma_tuy.cannabis_g").
    pub id: Option<String>,
    pub field_id: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub whole: bool,
    pub summable: bool,
    pub at_least: Option<String>,
    #[serde(default)]
    pub in_narrative: bool,
    /// The largest value it may take (a percentage: 100).
    pub max_value: Option<f64>,
    #[serde(default = "yes")]
    pub active: bool,
}

/// `true`, as a serde default.
pub(super) fn yes() -> bool {
    true
}

fn good_id(id: &str, field: &str) -> bool {
    id.len() <= 64
        && id
            .strip_prefix(field)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
}

fn check(cat: &Catalogue, id: &str, input: &MeasureInput) -> AppResult<()> {
    let mut bad = Vec::new();
    if cat.field(&input.field_id).is_none() {
        bad.push(("field_id".to_string(), "err.stats_unknown_field"));
    }
    for (name, v) in [
        ("name_vi", &input.name_vi),
        ("name_en", &input.name_en),
        ("unit_vi", &input.unit_vi),
        ("unit_en", &input.unit_en),
    ] {
        if v.trim().is_empty() || v.chars().count() > 120 {
            bad.push((name.to_string(), "err.required"));
        }
    }
    if input
        .max_value
        .is_some_and(|m| !(0.0..=keng_stats::number::MAX).contains(&m))
    {
        bad.push(("max_value".to_string(), "err.stats_bad_max"));
    }
    if let Some(other) = &input.at_least {
        match cat.measure(other) {
            Some(m) if m.id != id && m.whole == input.whole => {}
            _ => bad.push(("at_least".to_string(), "err.stats_bad_rule")),
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(bad))
    }
}

/// A measure's largest value as bound (NULL when it has none).
fn max_arg(v: Option<f64>) -> crate::platform::db::Value {
    match v {
        Some(x) => x.into(),
        None => crate::platform::db::Value::Float(None),
    }
}

fn as_json(m: &Measure) -> serde_json::Value {
    serde_json::to_value(m).unwrap_or(serde_json::Value::Null)
}

/// Adds a measure to a field.
pub async fn create_measure(db: &Db, origin: &Origin, input: &MeasureInput) -> AppResult<Measure> {
    // Checked against the database, not this node's copy (another node may just have
    // added it).
    let cat = load_fresh(db).await?;
    let id = input.id.clone().unwrap_or_default();
    if !good_id(&id, &input.field_id) {
        return Err(AppError::invalid("id", "err.stats_bad_measure_id"));
    }
    if cat.measure(&id).is_some() {
        return Err(AppError::Conflict("err.duplicate"));
    }
    check(&cat, &id, input)?;
    let position = cat.measures(false).map(|m| m.position).max().unwrap_or(0) + 1;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO stat_measures (id, field_id, name_vi, name_en, unit_vi, unit_en, whole, summable, at_least, in_narrative, position, active, created_at, updated_at, max_value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
        args![
            id.as_str(), input.field_id.as_str(), input.name_vi.trim(), input.name_en.trim(),
            input.unit_vi.trim(), input.unit_en.trim(), input.whole, input.summable,
            input.at_least.clone(), input.in_narrative, position, input.active, now,
            max_arg(input.max_value)
        ],
    )
    .await?;
    let m = get_measure(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    record_change(
        &mut tx,
        origin,
        "stat_measure.created",
        "stat_measure",
        &id,
        None,
        Some(as_json(&m)),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

async fn get_measure(tx: &mut crate::platform::db::Tx, id: &str) -> AppResult<Option<Measure>> {
    Ok(tx
        .fetch_optional("SELECT * FROM stat_measures WHERE id = $1", args![id])
        .await?
        .map(|r| Measure::from_row(&r))
        .transpose()?)
}

/// Changes a measure (its names, unit, rules; retiring it keeps its figures).
pub async fn update_measure(
    db: &Db,
    origin: &Origin,
    id: &str,
    input: &MeasureInput,
) -> AppResult<Measure> {
    let cat = load_fresh(db).await?;
    let before = cat.measure(id).cloned().ok_or(AppError::NotFound)?;
    if before.field_id != input.field_id {
        return Err(AppError::invalid("field_id", "err.stats_field_fixed"));
    }
    check(&cat, id, input)?;
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE stat_measures SET name_vi = $2, name_en = $3, unit_vi = $4, unit_en = $5, whole = $6,
                summable = $7, at_least = $8, in_narrative = $9, active = $10, updated_at = $11,
                max_value = $12
          WHERE id = $1",
        args![
            id, input.name_vi.trim(), input.name_en.trim(), input.unit_vi.trim(),
            input.unit_en.trim(), input.whole, input.summable, input.at_least.clone(),
            input.in_narrative, input.active, now_ms(), max_arg(input.max_value)
        ],
    )
    .await?;
    let after = get_measure(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    record_change(
        &mut tx,
        origin,
        "stat_measure.updated",
        "stat_measure",
        id,
        Some(as_json(&before)),
        Some(as_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::good_id;

    #[test]
    fn measure_ids_name_their_field() {
        assert!(good_id("ma_tuy.cannabis_g", "ma_tuy"));
        assert!(!good_id("ma_tuy.", "ma_tuy"));
        assert!(!good_id("ma_tuyx.a", "ma_tuy"));
        assert!(!good_id("ma_tuy.A", "ma_tuy"));
        assert!(!good_id("ma_tuy.a.b", "ma_tuy"));
        assert!(!good_id("giao_thong.a", "ma_tuy"));
    }
}
