//! This node's index of the bulletins the press received and of the warnings published
//! (`keng-match`), a cache rebuilt from the newsroom's and the warnings' lists whenever
//! an event about either has passed since (the `coverage.index` local follower marks it
//! stale): an article is matched against what was published when it is matched, never
//! against a node's memory alone. A warning's key in the index is `w:` and its id, and a
//! link to its page (`/canh-bao/{id}`) is read as a link to that key.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use keng_match::{Bulletin, Index, Match, Window};
use tokio::sync::RwLock;

use crate::newsroom::sanitize::plain;
use crate::newsroom::store::{list, ListFilter};
use crate::newsroom::visibility::Viewer;
use crate::platform::db::Db;
use crate::platform::errors::AppResult;
use crate::platform::events::{Event, LocalFollower};

/// A bulletin or a warning as the index needs it.
#[derive(Debug, Clone)]
pub struct Released {
    pub id: String,
    pub title: String,
    /// When the press or the public first had it (Unix milliseconds).
    pub released_at: i64,
    /// A warning (its id without the `w:` of the index).
    pub warning: bool,
}

/// The key of a warning in the index.
fn warning_key(id: &str) -> String {
    format!("w:{id}")
}

/// Links as the index reads them: a warning's page names its key.
fn links_for_index(links: &[String]) -> Vec<String> {
    links
        .iter()
        .map(|l| match l.find("/canh-bao/") {
            Some(i) => {
                let id = l[i + 10..].split(['/', '?', '#']).next().unwrap_or("");
                format!("/tin/{}", warning_key(id))
            }
            None => l.clone(),
        })
        .collect()
}

/// The node's matcher.
#[derive(Default)]
pub struct Matcher {
    index: RwLock<Option<(Index, HashMap<String, Released>)>>,
    stale: AtomicBool,
}

impl Matcher {
    pub fn new() -> Arc<Matcher> {
        Arc::new(Matcher::default())
    }

    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    /// Rebuilds the index when it is missing or stale.
    async fn ensure(&self, db: &Db) -> AppResult<()> {
        let stale = self.stale.swap(false, Ordering::SeqCst);
        if !stale && self.index.read().await.is_some() {
            return Ok(());
        }
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = list(
                db,
                Viewer::Press,
                &ListFilter {
                    limit: 500,
                    offset,
                    ..Default::default()
                },
                false,
            )
            .await?;
            let last = page.len() < 500;
            for b in page {
                if let Some(at) = b.press_released_at.or(b.released_at).or(b.published_at) {
                    let text = format!("{}. {}. {}", b.title, b.summary, plain(&b.body_html));
                    all.push((at, b.id, b.title, text, false));
                }
            }
            if last {
                break;
            }
            offset += 500;
        }
        // The warnings the public was given (test warnings never were).
        use crate::warnings::model::State as W;
        for w in crate::warnings::store::list(db, &[W::Published, W::Cancelled], None, false, 2000)
            .await?
        {
            if let Some(at) = w.published_at {
                let text = format!(
                    "{}. {} {} {}",
                    w.headline,
                    w.happened,
                    w.signs.join(". "),
                    w.advice.join(". ")
                );
                all.push((at, warning_key(&w.id), w.headline, text, true));
            }
        }
        // Oldest first: the index keeps its lists in order of publication.
        all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut index = Index::new(Window::default());
        let mut released = HashMap::new();
        for (at, id, title, text, warning) in all {
            index.add(Bulletin {
                id: &id,
                text: &text,
                published_at: at / 1000,
            });
            released.insert(
                id.clone(),
                Released {
                    id: if warning {
                        id.trim_start_matches("w:").to_string()
                    } else {
                        id
                    },
                    title,
                    released_at: at,
                    warning,
                },
            );
        }
        *self.index.write().await = Some((index, released));
        Ok(())
    }

    /// The bulletins an article (text, links, published at `at_ms`) may report on.
    pub async fn matches(
        &self,
        db: &Db,
        text: &str,
        links: &[String],
        at_ms: i64,
    ) -> AppResult<Vec<(Match, Released)>> {
        self.ensure(db).await?;
        let guard = self.index.read().await;
        let Some((index, released)) = guard.as_ref() else {
            return Ok(Vec::new());
        };
        Ok(index
            .matches(text, &links_for_index(links), at_ms / 1000, 3)
            .into_iter()
            .filter_map(|m| {
                let r = released.get(&m.bulletin_id)?.clone();
                Some((m, r))
            })
            .collect())
    }
}

/// Steps of a bulletin before it reaches anyone outside the police: they change nothing
/// the press received, so the index stays (any other event about a bulletin — and any
/// kind not listed here — marks it stale).
const BEFORE_RELEASE: &[&str] = &[
    "bulletin.created",
    "bulletin.updated",
    "bulletin.submitted",
    "bulletin.approved",
    "bulletin.self_approved",
    "bulletin.changes_requested",
    "bulletin.attachment_added",
];

/// Marks the matcher stale on every event that may change what the press received, and
/// on a warning's publication, update or cancellation.
pub struct Stale(pub Arc<Matcher>);

#[async_trait::async_trait]
impl LocalFollower for Stale {
    fn name(&self) -> &str {
        "coverage.index"
    }

    async fn handle(&self, _db: &Db, event: &Event) -> anyhow::Result<()> {
        let published_warning = event.entity == "warning"
            && matches!(
                event.kind.as_str(),
                "warning.published" | "warning.updated" | "warning.cancelled"
            );
        if (event.entity == "bulletin" && !BEFORE_RELEASE.contains(&event.kind.as_str()))
            || published_warning
        {
            self.0.mark_stale();
        }
        Ok(())
    }
}
