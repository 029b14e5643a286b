//! A webhook receiver on loopback that records each request and answers as told.

/// The requests a receiver got: headers and body of each.
pub type Received =
    std::sync::Arc<std::sync::Mutex<Vec<(std::collections::HashMap<String, String>, String)>>>;

/// A webhook receiver on loopback: records each request's headers and body, and answers
/// with the statuses it is given in turn (then 200).
pub struct Receiver {
    pub url: String,
    pub requests: Received,
}

impl Receiver {
    pub async fn start(fail_first: Vec<u16>) -> Receiver {
        use axum::routing::post;
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let failures = std::sync::Arc::new(std::sync::Mutex::new(fail_first));
        let (req_store, fails) = (requests.clone(), failures.clone());
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let (req_store, fails) = (req_store.clone(), fails.clone());
                async move {
                    let h = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect();
                    req_store.lock().unwrap().push((h, body));
                    let mut f = fails.lock().unwrap();
                    let code = if f.is_empty() { 200 } else { f.remove(0) };
                    axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::OK)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, requests }
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}
