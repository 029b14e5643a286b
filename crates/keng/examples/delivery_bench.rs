//! Publish → delivered: N live-stream (SSE) subscribers and M webhook receivers on
//! loopback; the time from the publish call's response to each delivery.
//!
//!   delivery_bench BASE_URL ADMIN_TOKEN OFFICER_TOKEN LEADER_TOKEN JOURNALIST_TOKEN [SSE=10000] [HOOKS=200]
//!
//! Run by `bench/delivery.sh`, which starts the server and makes the tokens.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        anyhow::bail!("usage: delivery_bench BASE ADMIN OFFICER LEADER JOURNALIST [SSE] [HOOKS]");
    }
    let (base, admin, officer, leader, journalist) = (
        a[1].clone(),
        a[2].clone(),
        a[3].clone(),
        a[4].clone(),
        a[5].clone(),
    );
    let n_sse: usize = a.get(6).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let n_hooks: usize = a.get(7).and_then(|s| s.parse().ok()).unwrap_or(200);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    // Webhook receivers: one listener, one path per agency.
    let arrivals: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let store = arrivals.clone();
    let app = axum::Router::new().route(
        "/hook/{n}",
        axum::routing::post(
            move |axum::extract::Path(n): axum::extract::Path<usize>, _body: String| {
                let store = store.clone();
                async move {
                    if let Ok(mut v) = store.lock() {
                        v.push((n, Instant::now()));
                    }
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_base = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    // M press agencies, each with its webhook.
    eprintln!("setting up {n_hooks} agencies with webhooks");
    for i in 0..n_hooks {
        let r = http
            .post(format!("{base}/api/v1/agencies"))
            .bearer_auth(&admin)
            .json(&json!({"code": format!("BENCH{i}"), "name": format!("Báo thử tải {i}"), "kind": "local", "medium": "online"}))
            .send()
            .await?;
        let agency: serde_json::Value = r.json().await?;
        let id = agency["id"].as_str().unwrap_or_default().to_string();
        let r = http
            .put(format!("{base}/api/v1/agencies/{id}/webhook"))
            .bearer_auth(&admin)
            .json(&json!({"url": format!("{hook_base}/{i}")}))
            .send()
            .await?;
        if !r.status().is_success() {
            anyhow::bail!("webhook setup failed: {}", r.status());
        }
    }

    // N SSE subscribers.
    eprintln!("opening {n_sse} live streams");
    let sse_arrivals: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..n_sse {
        let (client, base, token, store, connected) = (
            http.clone(),
            base.clone(),
            journalist.clone(),
            sse_arrivals.clone(),
            connected.clone(),
        );
        tokio::spawn(async move {
            let Ok(mut resp) = client
                .get(format!("{base}/api/v1/stream"))
                .bearer_auth(token)
                .send()
                .await
            else {
                return;
            };
            connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                if buf.contains("event: bulletin.published") {
                    if let Ok(mut v) = store.lock() {
                        v.push(Instant::now());
                    }
                    return;
                }
            }
        });
    }
    let t = Instant::now();
    while connected.load(std::sync::atomic::Ordering::SeqCst) < n_sse
        && t.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let streams = connected.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!(
        "{streams} streams open after {:.1} s",
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Publish.
    let body = json!({"kind": "initial_information", "category": "khac", "title": "Tin đo thời gian phát", "summary": "s", "body": "b", "audience": "public"});
    let b: serde_json::Value = http
        .post(format!("{base}/api/v1/bulletins"))
        .bearer_auth(&officer)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let id = b["id"].as_str().unwrap_or_default().to_string();
    http.post(format!("{base}/api/v1/bulletins/{id}/submit"))
        .bearer_auth(&officer)
        .json(&json!({}))
        .send()
        .await?;
    http.post(format!("{base}/api/v1/bulletins/{id}/approve"))
        .bearer_auth(&leader)
        .json(&json!({}))
        .send()
        .await?;
    let r = http
        .post(format!("{base}/api/v1/bulletins/{id}/publish"))
        .bearer_auth(&officer)
        .json(&json!({}))
        .send()
        .await?;
    let t0 = Instant::now();
    if !r.status().is_success() {
        anyhow::bail!("publish failed: {}", r.status());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = sse_arrivals.lock().map(|v| v.len()).unwrap_or(0);
        let w = arrivals.lock().map(|v| v.len()).unwrap_or(0);
        if (s >= streams && w >= n_hooks) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut s: Vec<f64> = sse_arrivals
        .lock()
        .map(|v| {
            v.iter()
                .map(|t| t.duration_since(t0).as_secs_f64() * 1000.0)
                .collect()
        })
        .unwrap_or_default();
    let mut w: Vec<f64> = arrivals
        .lock()
        .map(|v| {
            v.iter()
                .map(|(_, t)| t.duration_since(t0).as_secs_f64() * 1000.0)
                .collect()
        })
        .unwrap_or_default();
    s.sort_by(|a, b| a.total_cmp(b));
    w.sort_by(|a, b| a.total_cmp(b));
    println!("| channel | delivered | p50 ms | p99 ms | last ms |");
    println!("|---|---|---|---|---|");
    println!(
        "| SSE ({streams} open of {n_sse}) | {} | {:.0} | {:.0} | {:.0} |",
        s.len(),
        pct(&s, 0.5),
        pct(&s, 0.99),
        s.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "| webhooks ({n_hooks}) | {} | {:.0} | {:.0} | {:.0} |",
        w.len(),
        pct(&w, 0.5),
        pct(&w, 0.99),
        w.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
