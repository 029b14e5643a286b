//! IPTC ninjs 3.x documents of bulletins (`GET /api/v1/bulletins`), for press agencies'
//! editorial systems. A withdrawn bulletin is a `canceled` document without its body.

use serde_json::{json, Value};

use super::model::{Bulletin, State};
use super::visibility::Seen;
use crate::platform::clock::iso;
use crate::platform::i18n::{self, Lang};

/// The ninjs document of `b` as `seen` by the requester.
pub fn document(b: &Bulletin, seen: Seen, base_url: &str, site: &str) -> Value {
    let uri = format!("{}/tin/{}", base_url.trim_end_matches('/'), b.id);
    let first = b.press_time().unwrap_or(b.created_at);
    let mut doc = json!({
        "uri": uri,
        "type": "text",
        "profile": format!("keng-{}", b.kind),
        "version": b.version.to_string(),
        "firstCreated": iso(first),
        "versionCreated": iso(b.corrected_at.or(b.withdrawn_at).unwrap_or(first).max(first)),
        "language": "vi",
        "headlines": [{"role": "main", "value": b.title}],
        "copyrightHolder": site,
    });
    match seen {
        Seen::Tombstone | Seen::Hidden => {
            doc["pubStatus"] = json!("canceled");
            if let Some(r) = &b.withdrawal_reason {
                doc["edNote"] = json!(format!("Đã gỡ / Withdrawn: {r}"));
            }
        }
        Seen::Full { embargoed } => {
            doc["pubStatus"] = json!(if b.state == State::Published {
                "usable"
            } else {
                "withheld"
            });
            if embargoed {
                if let Some(t) = b.embargo_until {
                    doc["embargoedUntil"] = json!(iso(t));
                }
            }
            doc["descriptions"] =
                json!([{"role": "summary", "contentType": "text/plain", "value": b.summary}]);
            doc["bodies"] =
                json!([{"role": "main", "contentType": "text/html", "value": b.body_html}]);
            let mut subjects = vec![json!({
                "name": i18n::t(Lang::Vi, &format!("category.{}", b.category)),
                "rel": "category",
                "uri": format!("{}/tin?category={}", base_url.trim_end_matches('/'), b.category),
            })];
            subjects.extend(b.tags.iter().map(|t| json!({"name": t, "rel": "tag"})));
            doc["subjects"] = json!(subjects);
            if !b.places.is_empty() {
                doc["places"] = json!(b
                    .places
                    .iter()
                    .map(|p| json!({"name": p}))
                    .collect::<Vec<_>>());
            }
            doc["genres"] = json!([{"name": i18n::t(Lang::Vi, &format!("kind.{}", b.kind))}]);
            if let Some(n) = &b.correction_note {
                doc["edNote"] = json!(format!("Đính chính / Correction: {n}"));
            }
        }
    }
    doc
}

/// The shape of the documents above, for the OpenAPI document (so that generated
/// clients get types, not `{}`); tests validate the documents themselves against the
/// IPTC ninjs 3.x JSON schema.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Ninjs)]
#[allow(dead_code)]
pub struct NinjsDoc {
    /// The bulletin's public address.
    uri: String,
    /// Always "text".
    r#type: String,
    /// keng-initial_information, keng-press_release or keng-case_update.
    profile: String,
    version: String,
    first_created: String,
    version_created: String,
    language: String,
    /// usable, withheld (not yet released) or canceled (withdrawn).
    pub_status: String,
    /// Present while the reader sees it before its embargo lifts.
    embargoed_until: Option<String>,
    /// A correction's or a withdrawal's note.
    ed_note: Option<String>,
    copyright_holder: String,
    headlines: Vec<NinjsText>,
    descriptions: Option<Vec<NinjsContent>>,
    bodies: Option<Vec<NinjsContent>>,
    subjects: Option<Vec<NinjsSubject>>,
    places: Option<Vec<NinjsName>>,
    genres: Option<Vec<NinjsName>>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NinjsText {
    role: String,
    value: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct NinjsContent {
    role: String,
    content_type: String,
    value: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NinjsSubject {
    name: String,
    rel: String,
    uri: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NinjsName {
    name: String,
}
