//! The application state shared by every request: database, configuration, templates,
//! the metrics handle, the public page cache — and each capability's node-local state
//! (a live-stream hub, a search index…), which the capability puts there at start and
//! reads back by its type: the platform does not know what it holds.

use std::sync::Arc;
use std::time::Instant;

use super::config::Config;
use super::db::Db;
use super::web::Templates;

pub struct Inner {
    pub db: Db,
    pub config: Config,
    pub templates: Templates,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    pub started: Instant,
    /// Rendered public pages and feeds, cleared by events.
    pub page_cache: super::cache::PageCache,
    /// Capabilities' node-local state, by type (see [`Inner::capability`]).
    pub capabilities: axum::http::Extensions,
    /// This node's data directory.
    pub data_dir: std::path::PathBuf,
    /// Where files (attachments, a request's letters…) live: the data directory or the
    /// database (`[files] store`).
    pub blobs: super::blobs::BlobStore,
}

impl Inner {
    /// The node-local state of type `T` a capability put here at start.
    pub fn capability<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.capabilities.get::<T>()
    }
}

pub type AppState = Arc<Inner>;
