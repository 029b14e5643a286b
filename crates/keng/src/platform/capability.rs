//! The capability contract. A capability (newsroom, accounts, press desk…) is a folder
//! beside `platform/` whose `mod.rs` implements [`Capability`]: its routes and their
//! OpenAPI part, its settings, its node-local state, its event-log followers and
//! background tasks, its demo data — and a static [`Description`] of what it adds to the
//! surfaces the platform shares (navigation entries, the public paths the page cache may
//! keep, the entities whose changes alter what the public sees). The binary lists its
//! capabilities once (`crate::capabilities::ALL`); `server`, `openapi`, the demo loader,
//! the web shell, the page cache and the event log loop over that list, so the platform
//! never names a capability.
//!
//! The list is static data of the binary (the same on every node), so it is kept
//! process-wide once installed ([`install`]).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::Router;
use futures::future::BoxFuture;

use super::auth::Ctx;
use super::config::Config;
use super::db::Db;
use super::errors::AppResult;
use super::events::{Follower, LocalFollower};
use super::permissions::{Action, Actor, Role};
use super::state::AppState;

/// A background task of a capability: it runs until the stop signal turns true.
pub type Task = BoxFuture<'static, ()>;

/// A capability's panel on the signed-in home page: its own template, rendered inside
/// the page with `panel` bound to `vars` (the page's variables — `user`, `t()` — are in
/// scope too).
pub struct HomePanel {
    pub template: &'static str,
    pub vars: minijinja::Value,
}

/// What every capability implements (all but the description and the routes have a
/// default that contributes nothing).
pub trait Capability: Send + Sync + 'static {
    /// What it adds to the shared surfaces (its name is its folder's).
    fn describe(&self) -> &'static Description;

    /// Reads and checks its section of `keng.toml` / `KENG_*` (`Config::install`).
    fn configure(&self, _config: &mut Config) -> Result<(), String> {
        Ok(())
    }

    /// Opens its node-local state (caches rebuilt from the event log, fan-out hubs) and
    /// puts it into `local` by type; handlers read it back with `AppState::capability`.
    fn open(
        &self,
        _config: &Config,
        _data_dir: &Path,
        _local: &mut axum::http::Extensions,
    ) -> anyhow::Result<()> {
        Ok(())
    }

    /// Its pages and API routes.
    fn routes(&self) -> Router<AppState>;

    /// The OpenAPI description of its `/api/v1` routes (paths, schemas, tags).
    fn openapi(&self) -> utoipa::openapi::OpenApi {
        utoipa::openapi::OpenApi::default()
    }

    /// Its durable event-log followers (one cursor each, shared by all nodes).
    fn followers(&self, _app: &AppState) -> Vec<Arc<dyn Follower>> {
        Vec::new()
    }

    /// Its node-local event-log followers (live streams of clients on this node…).
    fn local_followers(&self, _app: &AppState) -> Vec<Arc<dyn LocalFollower>> {
        Vec::new()
    }

    /// What must be done before the node says it is listening: a node-local cache its
    /// answers need (the scam check's indicator set). Failures are its own to log; its
    /// background task retries.
    fn warm_up<'a>(&'a self, _app: &'a AppState) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    /// Its background loops (timers, digests, index followers).
    fn tasks(&self, _app: &AppState, _stop: &tokio::sync::watch::Receiver<bool>) -> Vec<Task> {
        Vec::new()
    }

    /// Its panel on the home page for the signed-in user of `ctx` (what awaits them
    /// there), if it has one for them. Panels appear in menu order.
    fn home_panel<'a>(
        &'a self,
        _app: &'a AppState,
        _ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(async { Ok(None) })
    }

    /// Its part of the journalist's page (`/press`, the one place a reporter sees their
    /// feed, requests, permits and invitations), if it has one for the user of `ctx`.
    fn press_panel<'a>(
        &'a self,
        _app: &'a AppState,
        _ctx: &'a Ctx,
    ) -> BoxFuture<'a, AppResult<Option<HomePanel>>> {
        Box::pin(async { Ok(None) })
    }
    /// What accredited press hear of an event of this capability on the newsroom's
    /// channels (live stream, webhooks, instant email), if anything: bulletins are the
    /// newsroom's own; warnings and later capabilities say here what theirs mean.
    fn press_notice<'a>(
        &'a self,
        _config: &'a Config,
        _event: &'a super::events::Event,
    ) -> Option<PressNotice> {
        None
    }

    /// The entity (as named in the event log) whose records this capability puts in the
    /// shared search index, if any; the index follower re-reads a record through
    /// [`Capability::search_doc`] on every event about it.
    fn search_entity(&self) -> Option<&'static str> {
        None
    }

    /// The text to index for one record now; None when it is gone or never searchable.
    fn search_doc<'a>(
        &'a self,
        _db: &'a Db,
        _id: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Option<SearchDoc>>> {
        Box::pin(async { Ok(None) })
    }

    /// Every record id it indexes (`keng reindex`).
    fn search_ids<'a>(&'a self, _db: &'a Db) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The record as a search result for the public, checked now against the
    /// capability's own visibility rule (the index may lag): None when not visible.
    fn search_hit<'a>(
        &'a self,
        _db: &'a Db,
        _id: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Option<SearchHit>>> {
        Box::pin(async { Ok(None) })
    }

    /// Called once when the node starts shutting down, before in-flight requests end
    /// (close what never ends by itself, such as live streams).
    fn shutting_down(&self, _app: &AppState) {}

    /// Adds its part of the demo province (`keng serve --demo`), after the capabilities
    /// before it in the list.
    fn demo<'a>(&'a self, _db: &'a Db, _config: &'a Config) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// A message for accredited press about an event (see [`Capability::press_notice`]).
#[derive(Debug, Clone)]
pub struct PressNotice {
    /// Its type on the stream and in webhooks ("warning.published"…).
    pub kind: &'static str,
    /// The record it is about.
    pub subject_id: String,
    /// The JSON document sent.
    pub document: serde_json::Value,
    /// The email's subject and plain-text body (Vietnamese).
    pub mail_subject: String,
    pub mail_body: String,
}

/// A record of another capability as the search index holds it.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    pub title: String,
    /// Everything searchable besides the title, plain text.
    pub text: String,
    /// May it appear in public results at all (the hit's check has the last word).
    pub public: bool,
}

/// A record of another capability as a search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub title: String,
    pub summary: String,
    /// The plain text the snippet is cut from.
    pub text: String,
    /// Its public page ("/canh-bao/…").
    pub path: String,
    /// Its kind within the capability ("scam"); pages label it with the locale key
    /// "{entity}s.kind_{category}" and the badge "{entity}s.search_kind".
    pub category: String,
    pub shown_at: i64,
}

/// The capabilities that put records in the search index, with their entity names.
pub fn searchables() -> impl Iterator<Item = (&'static str, &'static dyn Capability)> {
    all()
        .iter()
        .filter_map(|c| c.search_entity().map(|e| (e, *c)))
}

/// The first capability's press notice for `event`, if any.
pub fn press_notice(config: &Config, event: &super::events::Event) -> Option<PressNotice> {
    all().iter().find_map(|c| c.press_notice(config, event))
}

/// A navigation entry of the web shell.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    pub href: &'static str,
    /// Its label's locale key.
    pub key: &'static str,
    pub shown_to: ShownTo,
}

/// Who sees a navigation entry.
#[derive(Debug, Clone, Copy)]
pub enum ShownTo {
    /// Everyone, signed in or not.
    Everyone,
    /// Signed-in accounts the permission matrix allows this action.
    Allowed(Action),
    /// Signed-in accounts of this role.
    Role(Role),
}

/// A path (or every path under a prefix) whose anonymous GET response depends only on
/// the database and the language: the page cache may keep it.
#[derive(Debug, Clone, Copy)]
pub enum CachePath {
    Exact(&'static str),
    Prefix(&'static str),
}

impl CachePath {
    fn matches(&self, path: &str) -> bool {
        match self {
            CachePath::Exact(p) => path == *p,
            CachePath::Prefix(p) => path.starts_with(p),
        }
    }
}

/// What one capability adds to the shared surfaces.
#[derive(Debug, Clone, Copy)]
pub struct Description {
    /// Its folder's name.
    pub name: &'static str,
    /// Where its navigation entries go in the menu (lower first; the list order breaks
    /// ties), independent of the order capabilities start in.
    pub menu_rank: u8,
    pub nav: &'static [NavEntry],
    pub cache_paths: &'static [CachePath],
    /// The query parameters its cacheable pages read (`category`, `page`…): part of the
    /// page cache's key; any other parameter is ignored there.
    pub cache_params: &'static [&'static str],
    /// Entities whose changes can alter a public page or feed.
    pub public_entities: &'static [&'static str],
    /// Queries naming every blob its records refer to (one column, `sha`; NULLs ignored):
    /// `keng files verify` checks each is stored and lists blobs nothing names.
    pub blob_refs: &'static [&'static str],
    /// Paths of its routes that take a multipart form with files besides those ending
    /// in `/attachments` (a public form with screenshots): their requests may be as
    /// large as an upload (each route sets its own limit, at most that).
    pub upload_paths: &'static [&'static str],
}

/// Every blob some record refers to, from every capability's `blob_refs`.
pub async fn referenced_blobs(
    db: &super::db::Db,
) -> Result<std::collections::BTreeSet<String>, super::db::DbError> {
    let mut out = std::collections::BTreeSet::new();
    for d in descriptions() {
        for q in d.blob_refs {
            for r in db.fetch_all(q, &[]).await? {
                if let Some(sha) = r.opt_str("sha")? {
                    out.insert(sha);
                }
            }
        }
    }
    Ok(out)
}

static INSTALLED: OnceLock<&'static [&'static dyn Capability]> = OnceLock::new();

/// Installs the binary's capabilities (once; later calls are ignored).
pub fn install(list: &'static [&'static dyn Capability]) {
    let _ = INSTALLED.set(list);
}

/// The installed capabilities, in the order given (dependencies first).
pub fn all() -> &'static [&'static dyn Capability] {
    INSTALLED.get().copied().unwrap_or(&[])
}

fn descriptions() -> impl Iterator<Item = &'static Description> {
    all().iter().map(|c| c.describe())
}

/// The installed capabilities in menu order (each description's `menu_rank`, then the
/// list's order).
pub fn in_menu_order() -> Vec<&'static dyn Capability> {
    let mut v = all().to_vec();
    v.sort_by_key(|c| c.describe().menu_rank);
    v
}

/// May the page cache keep the anonymous response to `path`?
pub fn cacheable(path: &str) -> bool {
    descriptions()
        .flat_map(|c| c.cache_paths)
        .any(|p| p.matches(path))
}

/// Is `name` a query parameter some cacheable page reads?
pub fn is_cache_param(name: &str) -> bool {
    descriptions()
        .flat_map(|c| c.cache_params)
        .any(|p| *p == name)
}

/// May a multipart request to `path` be as large as an uploaded file? Every route
/// ending in `/attachments` and those a capability lists in `upload_paths`.
pub fn takes_files(path: &str) -> bool {
    path.ends_with(super::auth::UPLOAD_PATH_SUFFIX)
        || descriptions()
            .flat_map(|c| c.upload_paths)
            .any(|p| *p == path)
}

/// Does a change of `entity` alter what the public sees?
pub fn is_public_entity(entity: &str) -> bool {
    descriptions()
        .flat_map(|c| c.public_entities)
        .any(|e| *e == entity)
}

/// The capabilities' navigation entries for everyone, then those for a signed-in
/// `actor` (None: signed out or not yet through their second factor), each group in
/// the capabilities' menu order.
pub fn nav_for(actor: Option<&Actor>, allowed: impl Fn(Action) -> bool) -> Vec<NavEntry> {
    let ranked = in_menu_order();
    let entries = || ranked.iter().flat_map(|c| c.describe().nav);
    let everyone = entries().filter(|n| matches!(n.shown_to, ShownTo::Everyone));
    let signed_in = entries().filter(|n| match (n.shown_to, actor) {
        (ShownTo::Allowed(a), Some(_)) => allowed(a),
        (ShownTo::Role(r), Some(actor)) => actor.role == r,
        _ => false,
    });
    everyone.chain(signed_in).copied().collect()
}
