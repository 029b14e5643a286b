//! `keng serve`: assembles the router and its layers from the platform's routes and every
//! capability's, opens each capability's node-local state, starts the platform's loops
//! (webhook and mail delivery, the page cache's invalidation, housekeeping) and every
//! capability's followers and tasks, and shuts down gracefully (in-flight requests
//! finish). It names no capability: it loops over `crate::capabilities::all()`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::AppError;
use crate::platform::state::{AppState, Inner};
use crate::platform::web::{self, Templates};
use crate::platform::{audit_pages, auth, events, ops};

/// Builds the application router.
pub fn router(app: AppState) -> Router {
    let body_limit = app.config.max_body_bytes;
    let mut router = Router::new();
    for c in crate::capabilities::all() {
        router = router.merge(c.routes());
    }
    router
        .route("/", get(crate::platform::home::home))
        .route("/lang/{code}", get(crate::platform::home::set_lang))
        .route("/audit", get(audit_pages::audit_page))
        .route("/audit.csv", get(audit_pages::audit_csv))
        .route("/api/openapi.json", get(crate::openapi::openapi_json))
        .route("/static/{*path}", get(web::static_file))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics_with_token))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(
            app.clone(),
            crate::platform::cache::serve,
        ))
        .layer(middleware::from_fn_with_state(app.clone(), auth::resolve))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            web::render_errors,
        ))
        .layer(middleware::from_fn(
            crate::platform::cache::no_store_when_signed_in,
        ))
        .layer(middleware::from_fn(ops::track))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            web::add_security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        // Outermost: a cached public response is served before all of the above.
        .layer(middleware::from_fn_with_state(
            app.clone(),
            crate::platform::cache::fast,
        ))
        .with_state(app)
}

fn install_metrics() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    let builder = metrics_exporter_prometheus::PrometheusBuilder::new();
    match builder.install_recorder() {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(error = %e, "metrics recorder not installed");
            None
        }
    }
}

/// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
pub async fn serve(
    db: Db,
    mut config: Config,
    data_dir: &std::path::Path,
    listen: SocketAddr,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    if config.base_url_from_request {
        // No public URL configured: mail and webhooks link to where we listen.
        let host = if addr.ip().is_unspecified() {
            std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        config.public_base_url = format!("http://{host}");
    }
    let templates = Templates::load().map_err(anyhow::Error::msg)?;
    let cache = crate::platform::cache::PageCache::default();
    let mut local = axum::http::Extensions::new();
    for c in crate::capabilities::all() {
        c.open(&config, data_dir, &mut local)?;
    }
    let app: AppState = Arc::new(Inner {
        db: db.clone(),
        config: config.clone(),
        templates,
        metrics: install_metrics(),
        started: Instant::now(),
        page_cache: cache.clone(),
        capabilities: local,
        data_dir: data_dir.to_path_buf(),
        blobs: crate::platform::blobs::BlobStore::configured(&config.files, &db, data_dir)
            .map_err(anyhow::Error::msg)?,
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let caps = crate::capabilities::all();
    let followers = caps.iter().flat_map(|c| c.followers(&app)).collect();
    let mut tasks = events::spawn(db.clone(), followers, stop_rx.clone());
    // Node-local followers: this node's page cache and what capabilities keep here.
    let mut local: Vec<Arc<dyn events::LocalFollower>> = vec![
        Arc::new(crate::platform::cache::Invalidator(cache.clone())),
        Arc::new(events::Generations),
    ];
    local.extend(caps.iter().flat_map(|c| c.local_followers(&app)));
    tasks.push(tokio::spawn(events::tail_local(
        db.clone(),
        local,
        stop_rx.clone(),
    )));
    for task in caps.iter().flat_map(|c| c.tasks(&app, &stop_rx)) {
        tasks.push(tokio::spawn(task));
    }
    tasks.push(tokio::spawn(crate::platform::webhooks::dispatch_loop(
        db.clone(),
        16,
        crate::platform::webhooks::allow_list(&config.webhooks),
        stop_rx.clone(),
    )));
    tasks.push(tokio::spawn(crate::platform::mailer::send_loop(
        db.clone(),
        config.smtp.clone(),
        stop_rx.clone(),
    )));
    tasks.push(tokio::spawn(housekeeping(
        db.clone(),
        config.clone(),
        stop_rx.clone(),
    )));

    if !config.metrics_listen.is_empty() {
        let addr: SocketAddr = config.metrics_listen.parse()?;
        let metrics_listener = tokio::net::TcpListener::bind(addr).await?;
        println!("keng metrics on http://{}", metrics_listener.local_addr()?);
        let metrics_app = ops::metrics_router(app.clone());
        let mut stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(metrics_listener, metrics_app)
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await;
        }));
    }
    // Node-local caches the answers need are filled before the node says it listens.
    for c in caps {
        c.warm_up(&app).await;
    }
    // Tests and scripts read this line to learn the port when listening on :0.
    println!("keng listening on http://{addr}");
    tracing::info!(%addr, backend = ?db.backend(), "listening");
    let closing = app.clone();
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        for c in crate::capabilities::all() {
            c.shutting_down(&closing);
        }
    })
    .await?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn housekeeping(db: Db, config: Config, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = crate::platform::auth::session::sweep(&db, &config).await {
            tracing::warn!(error = %e, "session sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {},
            _ = stop.changed() => return,
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
