//! This node's index of the bulletins the press received (`keng-match`), a cache rebuilt
//! from the newsroom's list whenever an event about a bulletin has passed since (the
//! `coverage.index` local follower marks it stale): an article is matched against what
//! was published when it is matched, never against a node's memory alone.

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

/// A bulletin as the index needs it.
#[derive(Debug, Clone)]
pub struct Released {
    pub id: String,
    pub title: String,
    /// When the press or the public first had it (Unix milliseconds).
    pub released_at: i64,
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
                    all.push((at, b.id, b.title, text));
                }
            }
            if last {
                break;
            }
            offset += 500;
        }
        // Oldest first: the index keeps its lists in order of publication.
        all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut index = Index::new(Window::default());
        let mut released = HashMap::new();
        for (at, id, title, text) in all {
            index.add(Bulletin {
                id: &id,
                text: &text,
                published_at: at / 1000,
            });
            released.insert(
                id.clone(),
                Released {
                    id,
                    title,
                    released_at: at,
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
            .matches(text, links, at_ms / 1000, 3)
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

/// Marks the matcher stale on every event that may change what the press received.
pub struct Stale(pub Arc<Matcher>);

#[async_trait::async_trait]
impl LocalFollower for Stale {
    fn name(&self) -> &str {
        "coverage.index"
    }

    async fn handle(&self, _db: &Db, event: &Event) -> anyhow::Result<()> {
        if event.entity == "bulletin" && !BEFORE_RELEASE.contains(&event.kind.as_str()) {
            self.0.mark_stale();
        }
        Ok(())
    }
}
