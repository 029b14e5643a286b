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
