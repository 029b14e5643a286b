//! Word-level differences between two versions of a bulletin (title, summary, body as
//! plain text): one computation for the desk's diff page and the API.

use serde::Serialize;

use super::model::Version;
use super::sanitize;

/// One run of words: kept, removed or added.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    /// "eq", "del" or "ins".
    pub op: &'static str,
    pub text: String,
}

/// What changed from one version to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionDiff {
    pub from: i64,
    pub to: i64,
    pub title: Vec<Change>,
    pub summary: Vec<Change>,
    pub body: Vec<Change>,
}

fn words(old: &str, new: &str) -> Vec<Change> {
    similar::TextDiff::from_words(old, new)
        .iter_all_changes()
        .map(|c| Change {
            op: match c.tag() {
                similar::ChangeTag::Delete => "del",
                similar::ChangeTag::Insert => "ins",
                similar::ChangeTag::Equal => "eq",
            },
            text: c.value().to_string(),
        })
        .collect()
}

/// The differences from `a` to `z`.
pub fn between(a: &Version, z: &Version) -> VersionDiff {
    VersionDiff {
        from: a.version,
        to: z.version,
        title: words(&a.title, &z.title),
        summary: words(&a.summary, &z.summary),
        body: words(
            &sanitize::plain(&a.body_html),
            &sanitize::plain(&z.body_html),
        ),
    }
}

/// Versions `from` and `to` of `versions` (defaults: the latest and the one before).
pub fn pick(
    versions: &[Version],
    latest: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> crate::platform::errors::AppResult<(&Version, &Version)> {
    let to = to.unwrap_or(latest);
    let from = from.unwrap_or(to - 1);
    let find = |n: i64| {
        versions.iter().find(|v| v.version == n).ok_or(
            crate::platform::errors::AppError::BadRequest {
                key: "err.no_version",
                detail: Some(n.to_string()),
            },
        )
    };
    Ok((find(from)?, find(to)?))
}
