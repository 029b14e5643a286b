//! A warning as written in the desk's form or sent to the API, and its checks: every field
//! in the user's language, nothing saved unless all hold — expiry after start, polygons
//! closed and on the globe (CAP § 3.2.4, by `oasiscap`), communes known by code, links
//! to bulletins that exist.

use serde::{Deserialize, Deserializer};

use super::model::{CERTAINTIES, KINDS, SEVERITIES, URGENCIES};
use crate::accounts::model::Check;
use crate::args;
use crate::platform::clock;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::ids::is_id;

/// A list given as a JSON array or as one text (one item a line, or comma-separated).
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Items(Vec<String>),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        None => Vec::new(),
        Some(Either::Items(v)) => v,
        Some(Either::Text(s)) => s.lines().map(str::to_string).collect(),
    })
}

/// A warning's content. Every field may be left out in the JSON (a missing one is
/// reported with the others by the checks, after who may write was decided).
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub struct WarningInput {
    /// scam, traffic, security, fire, weather_traffic or other.
    pub kind: String,
    pub headline: String,
    pub headline_en: Option<String>,
    /// What happened: the cases behind the warning.
    pub happened: String,
    pub happened_en: Option<String>,
    /// Signs to recognise it (one a line, or a list).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub signs: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub signs_en: Vec<String>,
    /// What to do (one a line, or a list).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub advice: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub advice_en: Vec<String>,
    /// Whom to call.
    pub contact: String,
    /// CAP severity: Extreme, Severe, Moderate, Minor, Unknown.
    pub severity: String,
    /// CAP urgency: Immediate, Expected, Future, Past, Unknown.
    pub urgency: String,
    /// CAP certainty: Observed, Likely, Possible, Unlikely, Unknown.
    pub certainty: String,
    /// The area in words.
    pub area_desc: String,
    /// Administrative codes of the communes concerned (empty: the whole province).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub communes: Vec<String>,
    /// Named routes (QL1A, QL47, CT01…).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub routes: Vec<String>,
    /// Polygons, "lat,lon lat,lon …" with the first point repeated last (one a line).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub polygons: Vec<String>,
    /// Ids of the black spots and road segments it names (see `/api/v1/road-places`).
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub road_places: Vec<String>,
    /// RFC 3339 or Vietnam time "yyyy-mm-ddThh:mm"; empty: from publication.
    pub valid_from: Option<String>,
    /// As `valid_from`; empty: until cancelled.
    pub valid_until: Option<String>,
    /// A test warning (CAP status Test): never shown to the public.
    #[serde(default)]
    pub is_test: bool,
    /// Ids of the bulletins it rests on.
    #[serde(default, deserialize_with = "list")]
    #[schema(value_type = Vec<String>)]
    pub bulletins: Vec<String>,
}

/// The checked content, ready to store.
#[derive(Debug, Clone)]
pub struct Clean {
    pub kind: String,
    pub headline: String,
    pub headline_en: Option<String>,
    pub happened: String,
    pub happened_en: Option<String>,
    pub signs: String,
    pub signs_en: Option<String>,
    pub advice: String,
    pub advice_en: Option<String>,
    pub contact: String,
    pub severity: String,
    pub urgency: String,
    pub certainty: String,
    pub area_desc: String,
    pub communes: Vec<String>,
    pub routes: Vec<String>,
    pub polygons: Vec<String>,
    pub road_places: Vec<String>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub is_test: bool,
    pub bulletins: Vec<String>,
}

/// Lines of a list field: each a single line, canonical, at most `max` characters; at
/// most `most` of them; joined one a line.
fn items(c: &mut Check, field: &str, v: &[String], max: usize, most: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for it in v.iter().flat_map(|s| s.lines()) {
        if let Some(t) = c.opt_text(field, Some(it.trim_start_matches(['-', '•', '*'])), max) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.len() > most {
        c.fail(field, too_many(most));
    }
    out
}

/// 2000-01-01 and 2200-01-01 (UTC): what a warning's validity may span (CAP dates have
/// four-digit years; a typo of a century is caught here, not by an aggregator).
const EARLIEST: i64 = 946_684_800_000;
const LATEST: i64 = 7_258_118_400_000;

fn when(c: &mut Check, field: &str, v: Option<&str>) -> Option<i64> {
    let s = v.map(str::trim).filter(|s| !s.is_empty())?;
    match clock::parse_local_datetime(s) {
        Some(t) if (EARLIEST..LATEST).contains(&t) => Some(t),
        Some(_) => {
            c.fail(field, "err.warning_date_range");
            None
        }
        None => {
            c.fail(field, "err.datetime");
            None
        }
    }
}

/// The message for more than `most` items (each names its limit).
fn too_many(most: usize) -> &'static str {
    match most {
        10 => "err.too_many_items_10",
        12 => "err.too_many_items_12",
        _ => "err.too_many_items",
    }
}

/// A route's name: letters, digits, '.', '-' and spaces, as written on the road signs.
fn route_ok(r: &str) -> bool {
    r.chars().count() <= 40
        && r.chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '.' | '-' | ' ' | '/'))
}

/// Checks `input`; every problem at once as one 422.
pub async fn check(db: &Db, input: &WarningInput) -> AppResult<Clean> {
    let mut c = Check::default();
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let kind = c.one_of("kind", &input.kind, &kinds);
    let headline = c.text("headline", &input.headline, 160);
    let headline_en = c.opt_text("headline_en", input.headline_en.as_deref(), 160);
    let happened = c
        .paragraphs("happened", &input.happened, 2000, true)
        .unwrap_or_default();
    let happened_en = c.paragraphs(
        "happened_en",
        input.happened_en.as_deref().unwrap_or(""),
        2000,
        false,
    );
    let signs = items(&mut c, "signs", &input.signs, 300, 12);
    if signs.is_empty() {
        c.fail("signs", "err.required");
    }
    let signs_en = items(&mut c, "signs_en", &input.signs_en, 300, 12);
    let advice = items(&mut c, "advice", &input.advice, 300, 12);
    if advice.is_empty() {
        c.fail("advice", "err.required");
    }
    let advice_en = items(&mut c, "advice_en", &input.advice_en, 300, 12);
    let contact = c.text("contact", &input.contact, 200);
    let severity = c.one_of("severity", &input.severity, &SEVERITIES);
    let urgency = c.one_of("urgency", &input.urgency, &URGENCIES);
    let certainty = c.one_of("certainty", &input.certainty, &CERTAINTIES);
    let area_desc = c.text("area_desc", &input.area_desc, 300);
    // Communes by code, each known.
    let mut communes = Vec::new();
    for code in input
        .communes
        .iter()
        .flat_map(|s| s.split([',', '\n', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let known = code.len() <= 12
            && code.chars().all(|ch| ch.is_ascii_digit())
            && db
                .fetch_optional("SELECT code FROM communes WHERE code = $1", args![code])
                .await?
                .is_some();
        if !known {
            c.fail("communes", "err.unknown_commune");
        } else if !communes.iter().any(|x| x == code) {
            communes.push(code.to_string());
        }
    }
    if communes.len() > 200 {
        c.fail("communes", "err.too_many_items");
    }
    let mut routes: Vec<String> = Vec::new();
    for r in input
        .routes
        .iter()
        .flat_map(|s| s.split([',', '\n']))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
    {
        if !route_ok(&r) {
            c.fail("routes", "err.route");
        } else if !routes.iter().any(|x| x.eq_ignore_ascii_case(&r)) {
            routes.push(r.to_uppercase());
        }
    }
    if routes.len() > 20 {
        c.fail("routes", "err.too_many_items");
    }
    // Polygons as CAP defines them: ≥ 4 WGS 84 pairs, the first repeated last.
    let mut polygons = Vec::new();
    for p in input
        .polygons
        .iter()
        .flat_map(|s| s.lines())
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
    {
        // Kept as CAP writes it: decimal degrees, whatever notation was typed.
        match p.parse::<oasiscap::geo::Polygon>() {
            Ok(poly) if p.len() <= 20_000 => polygons.push(poly.to_string()),
            _ => c.fail("polygons", "err.polygon"),
        }
    }
    if polygons.len() > 10 {
        c.fail("polygons", too_many(10));
    }
    // Black spots and segments by id, each known (retired ones too: an update keeps them).
    let mut road_places = Vec::new();
    for id in input
        .road_places
        .iter()
        .flat_map(|s| s.split([',', '\n', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let known = is_id(id)
            && db
                .fetch_optional("SELECT id FROM road_places WHERE id = $1", args![id])
                .await?
                .is_some();
        if !known {
            c.fail("road_places", "err.unknown_road_place");
        } else if !road_places.iter().any(|x| x == id) {
            road_places.push(id.to_string());
        }
    }
    if road_places.len() > 20 {
        c.fail("road_places", "err.too_many_items");
    }
    let valid_from = when(&mut c, "valid_from", input.valid_from.as_deref());
    let valid_until = when(&mut c, "valid_until", input.valid_until.as_deref());
    if let (Some(f), Some(u)) = (valid_from, valid_until) {
        if u <= f {
            c.fail("valid_until", "err.expires_before_start");
        }
    }
    let mut bulletins = Vec::new();
    for b in input
        .bulletins
        .iter()
        .flat_map(|s| s.split([',', '\n', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // A link to the bulletin's page is as good as its id.
        let id = b.rsplit('/').next().unwrap_or(b);
        let exists = is_id(id)
            && db
                .fetch_optional("SELECT id FROM bulletins WHERE id = $1", args![id])
                .await?
                .is_some();
        if !exists {
            c.fail("bulletins", "err.unknown_bulletin");
        } else if !bulletins.iter().any(|x| x == id) {
            bulletins.push(id.to_string());
        }
    }
    if bulletins.len() > 20 {
        c.fail("bulletins", "err.too_many_items");
    }
    c.finish()?;
    let join = |v: Vec<String>| v.join("\n");
    let opt = |v: Vec<String>| (!v.is_empty()).then(|| v.join("\n"));
    Ok(Clean {
        kind,
        headline,
        headline_en,
        happened,
        happened_en,
        signs: join(signs),
        signs_en: opt(signs_en),
        advice: join(advice),
        advice_en: opt(advice_en),
        contact,
        severity,
        urgency,
        certainty,
        area_desc,
        communes,
        routes,
        polygons,
        road_places,
        valid_from,
        valid_until,
        is_test: input.is_test,
        bulletins,
    })
}
