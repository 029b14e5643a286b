//! This node's caches of what the press desk reads most: a permit as the gate's check
//! shows it (and the check's page as rendered), and the press office's counts (open requests by state, refusals of the
//! year by ground). Each entry carries the generations it was read under — the press
//! desk's, bumped right after every press desk commit on this node and for every
//! relevant event from the log (other nodes), and the accounts' (`identity`), bumped
//! right after an account changes — and is served only while both are unchanged, so a
//! revocation on this node shows at the next check, and on the others as soon as their
//! event-log follower sees it. Nothing here is the only copy of anything.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use crate::platform::db::Db;
use crate::platform::events::{Event, LocalFollower};
use crate::platform::identity;

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Something the press desk shows changed (call after the commit).
pub fn bump() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Bumps the generation when dropped: held across a change with several ways out.
pub struct StaleOnDrop;

impl Drop for StaleOnDrop {
    fn drop(&mut self) {
        bump();
    }
}

/// The generations a read happens under; read it before the read.
pub fn generation() -> (u64, u64) {
    (GENERATION.load(Ordering::SeqCst), identity::generation())
}

/// A value and the generations it was read under.
pub struct Stamped<T> {
    pub generation: (u64, u64),
    pub value: T,
}

/// Permit views by permit id (bounded; least recently used out first).
pub static PERMITS: LazyLock<moka::sync::Cache<String, Arc<Stamped<super::permits::PermitView>>>> =
    LazyLock::new(|| moka::sync::Cache::new(20_000));

/// The gate's verification pages as rendered, by language, token, verdict and minute:
/// the same for every visitor (no account, no form on them).
pub static PAGES: LazyLock<moka::sync::Cache<String, Arc<Stamped<String>>>> =
    LazyLock::new(|| moka::sync::Cache::new(20_000));

/// The press office's counts and the Vietnam-time day they were computed for.
#[derive(Clone)]
pub struct Counts {
    pub day: i64,
    pub open: Vec<(String, i64)>,
    pub refusals: Vec<(String, i64)>,
}

pub static COUNTS: LazyLock<Mutex<Option<Stamped<Counts>>>> = LazyLock::new(|| Mutex::new(None));

/// Drops this node's stale entries whenever the log shows a change they may reflect.
pub struct Invalidator;

#[async_trait::async_trait]
impl LocalFollower for Invalidator {
    fn name(&self) -> &str {
        "press-desk-views"
    }

    async fn handle(&self, _db: &Db, e: &Event) -> anyhow::Result<()> {
        if matches!(
            e.entity.as_str(),
            "press_request" | "permit" | "user" | "agency" | "unit"
        ) && e.kind != "press_request.viewed"
        {
            bump();
        }
        Ok(())
    }
}
