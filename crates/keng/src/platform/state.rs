//! The application state shared by every request: database, configuration, templates
//! and the metrics handle.

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
    /// This node's live-stream fan-out (newsroom).
    pub stream_hub: crate::newsroom::stream::Hub,
    /// Rendered public pages and feeds, cleared by events.
    pub page_cache: super::cache::PageCache,
    /// This node's full-text index of bulletins.
    pub search: crate::newsroom::search::SearchIndex,
    /// Where files (attachments) live.
    pub data_dir: std::path::PathBuf,
}

pub type AppState = Arc<Inner>;
