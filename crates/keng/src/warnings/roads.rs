//! Black spots (điểm đen) and road segments on the key routes, as records with
//! coordinates: what they are, their checks (a black spot is one point, a segment two to
//! fifty, all in Vietnam; the route named as on the signs), their store (audited, on the
//! event log, retired rather than deleted so old warnings keep their places) and the
//! sketch of them drawn by `keng_charts::sketch` (no map tiles). Traffic warnings name
//! them (`Warning::road_places`); the public list draws those in force in red.

use serde::{Deserialize, Serialize};

use crate::accounts::model::{Check, User};
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row, Tx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner};

/// A black spot or a segment.
pub const KINDS: [&str; 2] = ["black_spot", "segment"];

/// Where in Vietnam a point may be (a swapped latitude and longitude lands outside).
const LAT: (f64, f64) = (8.0, 23.5);
const LON: (f64, f64) = (102.0, 110.0);

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoadPlace {
    pub id: String,
    /// black_spot or segment.
    pub kind: String,
    /// QL1A, QL47, CT01…
    pub route: String,
    /// "Km 285+300, cầu Đò Lèn (Hà Trung)".
    pub name: String,
    /// Why it is dangerous, what to watch for.
    pub note: String,
    /// Latitude, longitude pairs in decimal degrees.
    #[schema(value_type = Vec<Vec<f64>>)]
    pub points: Vec<(f64, f64)>,
    /// Retired places stay for the warnings that named them.
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl RoadPlace {
    fn from_row(r: &Row) -> DbResult<RoadPlace> {
        Ok(RoadPlace {
            id: r.str("id")?,
            kind: r.str("kind")?,
            route: r.str("route")?,
            name: r.str("name")?,
            note: r.str("note")?,
            points: parse_points(&r.str("points")?).unwrap_or_default(),
            active: r.bool("active")?,
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }

    /// The points as typed: "lat,lon lat,lon …".
    pub fn points_text(&self) -> String {
        points_text(&self.points)
    }
}

fn points_text(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(lat, lon)| format!("{lat},{lon}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "lat,lon lat,lon …" (spaces or line breaks between pairs); None if any pair is not
/// two numbers.
pub fn parse_points(s: &str) -> Option<Vec<(f64, f64)>> {
    s.split_whitespace()
        .map(|pair| {
            let (a, b) = pair.split_once(',')?;
            let lat: f64 = a.trim().parse().ok()?;
            let lon: f64 = b.trim().parse().ok()?;
            (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
        })
        .collect()
}

/// A place as typed in the desk's form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RoadInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub note: String,
    /// "lat,lon" for a black spot; "lat,lon lat,lon …" along the road for a segment.
    #[serde(default)]
    pub points: String,
    /// In use (true) or retired (false); absent: a new place is in use, a changed one
    /// keeps its state. A JSON boolean, or the form's "on"/"off".
    #[serde(default, deserialize_with = "flag")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<String>,
}

/// A checkbox ("on") or a JSON boolean, as the text the form would send.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Bool(true)) => Some("on".into()),
        Some(Either::Bool(false)) => Some("off".into()),
        None => None,
        Some(Either::Text(s)) => Some(s),
    })
}

struct Clean {
    kind: String,
    route: String,
    name: String,
    note: String,
    points: Vec<(f64, f64)>,
    active: Option<bool>,
}

/// A route's name as on the signs: letters, digits, '.', '-', '/' and spaces.
pub fn route_ok(r: &str) -> bool {
    !r.is_empty()
        && r.chars().count() <= 40
        && r.chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '-' | ' ' | '/'))
}

fn check(input: &RoadInput) -> AppResult<Clean> {
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let route = input.route.split_whitespace().collect::<Vec<_>>().join(" ");
    if !route_ok(&route) {
        c.fail("route", "err.route");
    }
    let name = c.text("name", &input.name, 200);
    let note = c
        .opt_text("note", Some(&input.note), 1000)
        .unwrap_or_default();
    let points = match parse_points(&input.points) {
        None => {
            c.fail("points", "err.road_points");
            Vec::new()
        }
        Some(p) => {
            let count_ok = match kind.as_str() {
                "black_spot" => p.len() == 1,
                "segment" => (2..=50).contains(&p.len()),
                _ => true,
            };
            if !count_ok {
                c.fail("points", "err.road_points_count");
            } else if p
                .iter()
                .any(|(lat, lon)| !(LAT.0..=LAT.1).contains(lat) || !(LON.0..=LON.1).contains(lon))
            {
                c.fail("points", "err.road_points_outside");
            }
            // Kept to about a metre: more digits only look precise.
            p.into_iter()
                .map(|(a, b)| ((a * 1e5).round() / 1e5, (b * 1e5).round() / 1e5))
                .collect()
        }
    };
    let active = match input.active.as_deref().map(str::trim) {
        None => None,
        Some("on" | "true" | "1") => Some(true),
        Some("off" | "false" | "0") => Some(false),
        Some(_) => {
            c.fail("active", "err.flag");
            None
        }
    };
    c.finish()?;
    Ok(Clean {
        kind,
        route: route.to_uppercase(),
        name,
        note,
        points,
        active,
    })
}

/// Every place (retired ones too with `all`), by route then name.
pub async fn list(db: &Db, all: bool) -> AppResult<Vec<RoadPlace>> {
    let sql = if all {
        "SELECT * FROM road_places ORDER BY route, name"
    } else {
        "SELECT * FROM road_places WHERE active = TRUE ORDER BY route, name"
    };
    Ok(db
        .fetch_all(sql, args![])
        .await?
        .iter()
        .map(RoadPlace::from_row)
        .collect::<DbResult<_>>()?)
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<RoadPlace>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM road_places WHERE id = $1", args![id])
        .await?
        .map(|r| RoadPlace::from_row(&r))
        .transpose()?)
}

/// The places with these ids, in the order given (unknown ids left out).
pub async fn some(db: &Db, ids: &[String]) -> AppResult<Vec<RoadPlace>> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(p) = get(db, id).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The place as this transaction sees it.
async fn read(tx: &mut Tx, id: &str) -> AppResult<RoadPlace> {
    let r = tx
        .fetch_optional("SELECT * FROM road_places WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(RoadPlace::from_row(&r)?)
}

fn json(p: &RoadPlace) -> Option<serde_json::Value> {
    serde_json::to_value(p).ok()
}

fn may_edit(user: &User) -> AppResult<()> {
    if allowed(&user.actor(), Action::DraftWarning, &Owner::None) {
        Ok(())
    } else {
        Err(AppError::Forbidden("err.forbidden"))
    }
}

/// A new place.
pub async fn create(
    db: &Db,
    origin: &Origin,
    user: &User,
    input: &RoadInput,
) -> AppResult<RoadPlace> {
    may_edit(user)?;
    let c = check(input)?;
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO road_places (id, kind, route, name, note, points, active, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        args![&id, &c.kind, &c.route, &c.name, &c.note, points_text(&c.points), c.active.unwrap_or(true), &user.id, now],
    )
    .await?;
    let p = read(&mut tx, &id).await?;
    record_change(
        &mut tx,
        origin,
        "road_place.created",
        "road_place",
        &id,
        None,
        json(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A change to a place (or its retirement: `active` unset).
pub async fn update(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &RoadInput,
) -> AppResult<RoadPlace> {
    may_edit(user)?;
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let c = check(input)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    // The row first (a no-op write): a concurrent change waits, and the audit's
    // "before" is what this change replaces.
    tx.execute(
        "UPDATE road_places SET updated_at = updated_at WHERE id = $1",
        args![id],
    )
    .await?;
    let before = read(&mut tx, id).await?;
    tx.execute(
        "UPDATE road_places SET kind = $1, route = $2, name = $3, note = $4, points = $5, active = $6, updated_at = $7 WHERE id = $8",
        args![&c.kind, &c.route, &c.name, &c.note, points_text(&c.points), c.active.unwrap_or(before.active), now, id],
    )
    .await?;
    let p = read(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        "road_place.updated",
        "road_place",
        id,
        json(&before),
        json(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The sketch of `places` (numbered in the order given), those in `emphasised` drawn
/// stronger, labelled in `lang`.
pub fn sketch(places: &[RoadPlace], emphasised: &[String], lang: Lang) -> String {
    let features = places
        .iter()
        .map(|p| keng_charts::sketch::Feature {
            label: format!(
                "{} · {} · {}",
                p.route,
                t(lang, &format!("roads.kind_{}", p.kind)),
                p.name
            ),
            points: p.points.clone(),
            emphasis: emphasised.contains(&p.id),
        })
        .collect();
    keng_charts::sketch::sketch(&keng_charts::sketch::Sketch {
        title: t(lang, "roads.sketch_title"),
        desc: t(lang, "roads.sketch_desc"),
        features,
        north: t(lang, "roads.north"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_as_typed() {
        assert_eq!(
            parse_points("19.8,105.78  19.76,105.86\n19.74,105.9"),
            Some(vec![(19.8, 105.78), (19.76, 105.86), (19.74, 105.9)])
        );
        assert_eq!(parse_points("19.8;105.78"), None);
        assert_eq!(parse_points("NaN,1"), None);
        assert_eq!(parse_points(""), Some(vec![]));
    }

    #[test]
    fn a_black_spot_is_one_point_in_vietnam() {
        let mut i = RoadInput {
            kind: "black_spot".into(),
            route: "ql1a".into(),
            name: "Km 285".into(),
            points: "20.03,105.84".into(),
            active: Some("on".into()),
            ..Default::default()
        };
        let c = check(&i).expect("valid");
        assert_eq!(c.route, "QL1A");
        assert_eq!(c.active, Some(true));
        i.active = Some("maybe".into());
        assert!(check(&i).is_err());
        i.active = None;
        assert_eq!(check(&i).expect("valid").active, None);
        i.points = "105.84,20.03".into();
        assert!(check(&i).is_err(), "swapped latitude and longitude");
        i.points = "20.03,105.84 20.0,105.8".into();
        assert!(check(&i).is_err(), "two points for a black spot");
        i.kind = "segment".into();
        assert!(check(&i).is_ok());
        i.route = "<script>".into();
        assert!(check(&i).is_err());
    }
}
