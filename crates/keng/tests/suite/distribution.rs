//! Distribution end to end, on every backend: a press officer drafts initial information,
//! a leader approves, it is published; an accredited journalist sees it in the live stream
//! within a second, in their personal feed and by email (a local SMTP sink); the agency's
//! webhook receiver gets a signed delivery; a correction and a withdrawal follow on every
//! channel. Then: resuming the stream, a revoked journalist's stream ending, webhook
//! retries in order, and no delivery of what the press may not see.

use crate::common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::{backends, publish, Api, Options, Receiver, Server, SmtpSink, Until, DEMO_PASSWORD};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Reads SSE events (id, type, data) from a streaming response into a channel.
pub(crate) fn sse(
    resp: reqwest::Response,
) -> tokio::sync::mpsc::UnboundedReceiver<(String, String, String)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut resp = resp;
        let mut buf = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let (mut id, mut ev, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        ev = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !ev.is_empty() && tx.send((id, ev, data)).is_err() {
                    return;
                }
            }
        }
        // the stream ended
        let _ = tx.send((String::new(), "end".into(), String::new()));
    });
    rx
}

pub(crate) async fn next_event(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(String, String, String)>,
    secs: u64,
) -> Option<(String, String, String)> {
    tokio::time::timeout(Duration::from_secs(secs), rx.recv())
        .await
        .ok()
        .flatten()
}

pub(crate) async fn open_stream(
    s: &Server,
    token: &str,
    last_id: Option<&str>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(s.url("/api/v1/stream"))
        .bearer_auth(token);
    if let Some(id) = last_id {
        req = req.header("last-event-id", id);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    resp
}

fn verify(secret: &str, headers: &std::collections::HashMap<String, String>, body: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{}.{}.{}",
            headers["webhook-id"], headers["webhook-timestamp"], body
        )
        .as_bytes(),
    );
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    headers["webhook-signature"]
        .split(' ')
        .any(|s| s == expected)
}

async fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// The secret a page shows once, in a <code> element matching `pattern`.
fn shown_once(html: &str, pattern: &str) -> Option<String> {
    regex::Regex::new(pattern)
        .ok()?
        .captures(html)
        .map(|c| c[1].to_string())
}

fn bulletin(title: &str) -> Value {
    json!({"kind": "initial_information", "category": "an_toan_giao_thong", "title": title,
           "summary": "Tóm tắt ban đầu.", "body": "Nội dung ban đầu về vụ việc.", "audience": "public"})
}

/// A server whose mail goes to `sink`.
async fn server_with_mail(backend: &common::Backend, sink: &SmtpSink) -> Server {
    let toml = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nfrom = \"keng@congan.example.vn\"\n",
        sink.port
    );
    Server::start_with(
        backend,
        Options {
            toml: Some(toml),
            ..Default::default()
        },
    )
    .await
}

#[tokio::test]
async fn a_bulletin_reaches_every_press_channel_and_so_do_its_correction_and_withdrawal() {
    for backend in backends() {
        let sink = SmtpSink::start().await;
        let s = server_with_mail(&backend, &sink).await;
        let receiver = Receiver::start(Vec::new()).await;
        // The agency editor sets the webhook and keeps the secret.
        let editor = s.browser();
        editor.login("btv.ptth", DEMO_PASSWORD).await;
        let r = editor
            .submit("/press", "/press/webhook", &[("url", &receiver.url)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r
            .text()
            .await
            .unwrap()
            .replace("&#x2f;", "/")
            .replace("&#x2b;", "+")
            .replace("&#x3d;", "=");
        let secret = shown_once(
            &html,
            r#"<code id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)</code>"#,
        )
        .expect("secret shown once");
        // The journalist subscribes to instant email and takes a personal feed.
        let j = s.browser();
        j.login("pv.ttxvn", DEMO_PASSWORD).await;
        assert_eq!(
            j.submit(
                "/press",
                "/press/subscription",
                &[("mode", "instant"), ("categories", "")]
            )
            .await
            .status(),
            StatusCode::SEE_OTHER
        );
        let r = j.submit("/press", "/press/feed-token", &[]).await;
        // minijinja escapes '/' in HTML text.
        let html = r.text().await.unwrap().replace("&#x2f;", "/");
        let feed_url = shown_once(&html, r#"<code id="feed-url">(http[^<]+\.atom)</code>"#)
            .expect("feed URL shown once");
        let feed_path = feed_url
            .split_once("/feeds/")
            .map(|(_, p)| format!("/feeds/{p}"))
            .unwrap();
        let token = j.create_token("stream").await;
        let mut stream = sse(open_stream(&s, &token, None).await);

        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let id = publish(
            &officer,
            &leader,
            &bulletin("Thông tin ban đầu về vụ lật xe khách trên Quốc lộ 1A"),
            Until::Approved,
        )
        .await;
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        let published = Instant::now();

        // Live stream: within a second.
        let (event_id, kind, data) = next_event(&mut stream, 5).await.expect("a stream event");
        let latency = published.elapsed();
        assert_eq!(kind, "bulletin.published");
        assert!(
            latency < Duration::from_secs(1),
            "stream latency {latency:?} on {}",
            backend.name()
        );
        let doc: Value = serde_json::from_str(&data).unwrap();
        assert!(doc["uri"].as_str().unwrap().ends_with(&id));
        assert!(event_id.parse::<i64>().is_ok());
        // Personal feed.
        let (_, feed) = reqwest::get(s.url(&feed_path))
            .await
            .map(|r| (r.status(), r))
            .unwrap();
        assert!(feed
            .text()
            .await
            .unwrap()
            .contains(&format!("urn:uuid:{id}")));
        // Email.
        let mail = sink
            .wait_for("Quốc lộ 1A", 10)
            .await
            .expect("an email to the journalist");
        assert!(
            mail.contains("pv-ttxvn@demo.keng.example") && mail.contains("TIN MỚI"),
            "{mail}"
        );
        // Webhook, signed.
        assert!(
            wait_until(10, || receiver.count() >= 1).await,
            "webhook delivered"
        );
        let (headers, body) = receiver.requests.lock().unwrap()[0].clone();
        assert!(
            verify(&secret, &headers, &body),
            "valid Standard Webhooks signature"
        );
        let payload: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(payload["type"], "bulletin.published");
        assert!(payload["data"]["uri"].as_str().unwrap().ends_with(&id));

        // A correction follows on every channel.
        let mut corrected = bulletin("Thông tin ban đầu về vụ lật xe khách trên Quốc lộ 1A");
        corrected["summary"] = json!("Tóm tắt đã đính chính.");
        let (st, _) = officer
            .post(
                &format!("/api/v1/bulletins/{id}/correct"),
                &json!({"note": "Sửa địa điểm: km 320", "content": corrected}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, kind, data) = next_event(&mut stream, 5).await.unwrap();
        assert_eq!(kind, "bulletin.corrected");
        assert!(data.contains("km 320"));
        assert!(sink.wait_for("ĐÍNH CHÍNH", 10).await.is_some());
        assert!(wait_until(10, || receiver.count() >= 2).await);
        // The withdrawal reaches every channel.
        let (st, _) = leader
            .post(
                &format!("/api/v1/bulletins/{id}/withdraw"),
                &json!({"note": "Thông tin chưa chính xác"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, kind, data) = next_event(&mut stream, 5).await.unwrap();
        assert_eq!(kind, "bulletin.withdrawn");
        assert!(data.contains("canceled"));
        assert!(sink.wait_for("GỠ TIN", 10).await.is_some());
        assert!(wait_until(10, || receiver.count() >= 3).await);
        let kinds: Vec<String> = receiver
            .requests
            .lock()
            .unwrap()
            .iter()
            .map(|(h, b)| {
                assert!(verify(&secret, h, b));
                serde_json::from_str::<Value>(b).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "bulletin.published",
                "bulletin.corrected",
                "bulletin.withdrawn"
            ],
            "in order, once each"
        );
        let feed = reqwest::get(s.url(&feed_path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(feed.contains(&format!(r#"<at:deleted-entry ref="urn:uuid:{id}""#)));
        // The desk's delivery log shows which agency got it, when.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (_, page) = desk.text(&format!("/newsroom/b/{id}")).await;
        assert!(
            page.contains("Đài Phát thanh và Truyền hình Thanh Hoá") && page.contains("Đã nhận")
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.count(), 3, "no duplicate deliveries");
    }
}

#[tokio::test]
async fn the_stream_resumes_and_ends_for_a_revoked_journalist() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let receiver = Receiver::start(Vec::new()).await;
        let editor = s.browser();
        editor.login("btv.ptth", DEMO_PASSWORD).await;
        assert_eq!(
            editor
                .submit("/press", "/press/webhook", &[("url", &receiver.url)])
                .await
                .status(),
            StatusCode::OK
        );
        let token = s.token_for("pv.baothanhhoa").await;
        let mut stream = sse(open_stream(&s, &token, None).await);
        let first = publish(
            &officer,
            &leader,
            &bulletin("Tin thứ nhất"),
            Until::Approved,
        )
        .await;
        officer
            .post(&format!("/api/v1/bulletins/{first}/publish"), &json!({}))
            .await;
        let (first_event, _, _) = next_event(&mut stream, 5).await.unwrap();
        drop(stream);
        // Missed while disconnected: replayed after Last-Event-ID.
        let second = publish(&officer, &leader, &bulletin("Tin thứ hai"), Until::Approved).await;
        officer
            .post(&format!("/api/v1/bulletins/{second}/publish"), &json!({}))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut resumed = sse(open_stream(&s, &token, Some(&first_event)).await);
        let (_, kind, data) = next_event(&mut resumed, 5).await.unwrap();
        assert_eq!(kind, "bulletin.published");
        assert!(data.contains(&second), "the missed item comes first");
        // Embargoed items reach the press at once, marked.
        let mut e = bulletin("Tin cấm đăng trước");
        e["embargo_until"] = json!("2099-01-01T08:00:00+07:00");
        let third = publish(&officer, &leader, &e, Until::Approved).await;
        officer
            .post(&format!("/api/v1/bulletins/{third}/publish"), &json!({}))
            .await;
        let (_, _, data) = next_event(&mut resumed, 5).await.unwrap();
        assert!(data.contains(&third) && data.contains("embargoedUntil"));
        // Drafts and scheduled items never appear.
        let (_, d) = officer
            .post("/api/v1/bulletins", &bulletin("Bản nháp không gửi"))
            .await;
        let draft = d["id"].as_str().unwrap().to_string();
        let sched = publish(&officer, &leader, &bulletin("Tin hẹn giờ"), Until::Approved).await;
        officer
            .post(
                &format!("/api/v1/bulletins/{sched}/publish"),
                &json!({"publish_at": "2099-01-01T08:00:00+07:00"}),
            )
            .await;
        // Revocation ends the open stream at once.
        let id = common::user_id(&leader, "pv.baothanhhoa").await;
        let admin = s.api(Some(&s.token_for("quantri").await));
        let (st, _) = admin
            .post(
                &format!("/api/v1/users/{id}/status"),
                &json!({"status": "revoked", "reason": "thử"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let mut rest = Vec::new();
        loop {
            match next_event(&mut resumed, 5).await {
                Some((_, kind, data)) if kind != "end" => rest.push(data),
                Some(_) => break,
                None => panic!("the stream did not end after revocation"),
            }
        }
        assert!(
            rest.iter()
                .all(|d| !d.contains(&draft) && !d.contains(&sched)),
            "nothing hidden leaked: {rest:?}"
        );
        // Nor in any webhook delivery (the same gate feeds both).
        assert!(
            wait_until(10, || receiver.count() >= 3).await,
            "the published items were delivered"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (_, body) in receiver.requests.lock().unwrap().iter() {
            assert!(
                !body.contains(&draft) && !body.contains(&sched),
                "a hidden item reached a webhook"
            );
        }
        let r = reqwest::Client::new()
            .get(s.url("/api/v1/stream"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Anonymous readers have no stream.
        assert_eq!(
            reqwest::get(s.url("/api/v1/stream"))
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn webhook_failures_are_retried_in_order_then_dead_lettered_and_replayed() {
    let s = Server::start(&common::Backend::Sqlite).await;
    // The receiver fails the first attempt.
    let receiver = Receiver::start(vec![503]).await;
    let officer_b = s.browser();
    officer_b.login("tuyentruyen", DEMO_PASSWORD).await;
    let api = s.api(Some(&s.token_for("quantri").await));
    let agency = common::agency_id(&api, "BTH").await;
    // A press officer can set any agency's endpoint.
    let r = officer_b
        .submit(
            "/press",
            "/press/webhook",
            &[("url", &receiver.url), ("agency_id", &agency)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    let a = publish(&officer, &leader, &bulletin("Tin A"), Until::Approved).await;
    let b = publish(&officer, &leader, &bulletin("Tin B"), Until::Approved).await;
    officer
        .post(&format!("/api/v1/bulletins/{a}/publish"), &json!({}))
        .await;
    officer
        .post(&format!("/api/v1/bulletins/{b}/publish"), &json!({}))
        .await;
    assert!(wait_until(5, || receiver.count() >= 1).await);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.count(), 1, "B waits behind A's retry");
    // The retry comes after the backoff (5 s), then B.
    assert!(wait_until(15, || receiver.count() >= 3).await, "retried");
    let order: Vec<String> = receiver
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<Value>(body).unwrap()["data"]["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(order, [a.clone(), a.clone(), b.clone()]);
    let ids: Vec<String> = receiver
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(h, _)| h["webhook-id"].clone())
        .collect();
    assert_eq!(ids[0], ids[1], "a retry keeps its webhook-id");
    // A dead letter can be replayed by staff.
    let db = s.db.open().await;
    db.execute(
        "UPDATE webhook_deliveries SET status = 'dead' WHERE subject_id = $1",
        keng::args![b.as_str()],
    )
    .await
    .unwrap();
    let delivery = db
        .fetch_one(
            "SELECT id FROM webhook_deliveries WHERE subject_id = $1",
            keng::args![b.as_str()],
        )
        .await
        .unwrap()
        .str("id")
        .unwrap();
    db.close().await;
    let (_, page) = officer_b.text("/newsroom/deliveries").await;
    assert!(page.contains("Thất bại"));
    let r = officer_b
        .submit(
            "/newsroom/deliveries",
            &format!("/newsroom/deliveries/{delivery}/replay"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(wait_until(5, || receiver.count() >= 4).await, "replayed");
    // Journalists cannot replay or read all deliveries.
    let j = s.browser();
    j.login("pv.ttxvn", DEMO_PASSWORD).await;
    assert_eq!(
        j.get("/newsroom/deliveries").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn two_nodes_on_one_postgresql_share_the_work() {
    let Some((a, b)) = common::two_postgresql_nodes("the two-node test").await else {
        return;
    };
    let receiver = Receiver::start(Vec::new()).await;
    // Set the webhook through node B, stream from node B, publish on node A.
    let editor = b.browser();
    editor.login("btv.ptth", DEMO_PASSWORD).await;
    assert_eq!(
        editor
            .submit("/press", "/press/webhook", &[("url", &receiver.url)])
            .await
            .status(),
        StatusCode::OK
    );
    let token = b.token_for("pv.ttxvn").await;
    let mut stream = sse(open_stream(&b, &token, None).await);
    let officer = a.api(Some(&a.token_for("tuyentruyen").await));
    let leader = a.api(Some(&a.token_for("giamdoc").await));
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = publish(
            &officer,
            &leader,
            &bulletin(&format!("Tin hai máy chủ {i}")),
            Until::Approved,
        )
        .await;
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        ids.push(id);
    }
    for id in &ids {
        let (_, kind, data) = next_event(&mut stream, 5)
            .await
            .expect("the other node's stream gets it");
        assert_eq!(kind, "bulletin.published");
        assert!(data.contains(id.as_str()), "in publication order");
    }
    assert!(wait_until(15, || receiver.count() >= 5).await, "delivered");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delivered: Vec<String> = receiver
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| {
            serde_json::from_str::<Value>(body).unwrap()["data"]["uri"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        delivered, ids,
        "each webhook delivered once, in order, by two nodes"
    );
}

#[tokio::test]
async fn the_daily_digest_collects_what_reached_the_press() {
    let sink = SmtpSink::start().await;
    let s = server_with_mail(&common::Backend::Sqlite, &sink).await;
    let j = s.browser();
    j.login("pv.baothanhhoa", DEMO_PASSWORD).await;
    assert_eq!(
        j.submit(
            "/press",
            "/press/subscription",
            &[("mode", "digest"), ("categories", "an_toan_giao_thong")]
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    let id = publish(
        &officer,
        &leader,
        &bulletin("Tin cho điểm tin hằng ngày"),
        Until::Approved,
    )
    .await;
    officer
        .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
        .await;
    let mut other = bulletin("Tin lĩnh vực khác");
    other["category"] = json!("khac");
    let other_id = publish(&officer, &leader, &other, Until::Approved).await;
    officer
        .post(&format!("/api/v1/bulletins/{other_id}/publish"), &json!({}))
        .await;
    // No instant mail for a digest subscriber.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(sink.wait_for("Tin cho điểm tin", 1).await.is_none());
    // At the digest hour the digest is queued once and sent.
    let db = s.db.open().await;
    let config = keng::platform::config::Config::default();
    let now = keng::platform::clock::now_ms();
    let at = keng::platform::clock::today_at_hour(
        now,
        keng::newsroom::settings::of(&config).digest_hour,
    )
    .unwrap()
        + 60_000;
    let at = if at < now { now } else { at };
    let queued = keng::newsroom::distribution::send_digests(&db, &config, at)
        .await
        .unwrap();
    assert_eq!(queued, 1);
    assert_eq!(
        keng::newsroom::distribution::send_digests(&db, &config, at + 1000)
            .await
            .unwrap(),
        0,
        "once a day"
    );
    db.close().await;
    let mail = sink
        .wait_for("Điểm tin ngày", 10)
        .await
        .expect("the digest is sent");
    assert!(mail.contains("Tin cho điểm tin hằng ngày"));
    assert!(
        !mail.contains("Tin lĩnh vực khác"),
        "only the subscribed categories"
    );
}

/// Publishes an embargoed bulletin (press at once, public in 2099).
async fn publish_embargoed(officer: &Api, leader: &Api, title: &str) -> String {
    let mut e = bulletin(title);
    e["embargo_until"] = json!("2099-01-01T08:00:00+07:00");
    publish(officer, leader, &e, Until::Published).await
}

/// Reads the stream until it ends; panics when it does not end within `secs` or when it
/// delivers `forbidden`.
async fn expect_end(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(String, String, String)>,
    forbidden: &str,
    what: &str,
) {
    loop {
        match next_event(rx, 5).await {
            Some((_, kind, _)) if kind == "end" => return,
            Some((_, _, data)) => {
                assert!(!data.contains(forbidden), "{what}: delivered after its end")
            }
            None => panic!("{what}: the stream did not end"),
        }
    }
}

/// Regression: an open stream kept delivering embargoed items after its API token was
/// revoked, after `POST /logout` of its session, and after a password change from another
/// session. Any end of the credential a stream was opened with now ends the stream.
#[tokio::test]
async fn a_stream_ends_with_the_credential_it_was_opened_with() {
    let token_id = regex::Regex::new(r#"/profile/tokens/([^/"]+)/revoke"#).unwrap();
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));

        // 1. A revoked API token. Another token of the same journalist keeps its stream.
        let owner = s.browser();
        owner.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let token = owner.create_token("luồng").await;
        let (_, profile) = owner.text("/profile").await;
        let id = token_id.captures(&profile).expect("a revoke form")[1].to_string();
        let other = owner.create_token("khác").await;
        let mut by_token = sse(open_stream(&s, &token, None).await);
        let mut by_other = sse(open_stream(&s, &other, None).await);
        let r = owner
            .submit("/profile", &format!("/profile/tokens/{id}/revoke"), &[])
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let secret = publish_embargoed(&officer, &leader, "Tin cấm đăng sau thu hồi").await;
        expect_end(&mut by_token, &secret, "revoked token").await;
        let (_, _, data) = next_event(&mut by_other, 5)
            .await
            .expect("the other token's stream goes on");
        assert!(data.contains(&secret));

        // 2. Logout of the session the stream runs on.
        let reader = s.browser();
        reader.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let mut by_session = sse(reader.get("/api/v1/stream").await);
        let r = reader.submit("/press", "/logout", &[]).await;
        assert!(r.status().is_success() || r.status().is_redirection());
        let secret = publish_embargoed(&officer, &leader, "Tin cấm đăng sau đăng xuất").await;
        expect_end(&mut by_session, &secret, "closed session").await;

        // 3. A password change from another session ends this session's stream; the
        //    session that changed it keeps its own.
        let first = s.browser();
        first.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let second = s.browser();
        second.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let mut on_first = sse(first.get("/api/v1/stream").await);
        let mut on_second = sse(second.get("/api/v1/stream").await);
        let r = second
            .submit(
                "/profile",
                "/profile/password",
                &[
                    ("current_password", DEMO_PASSWORD),
                    ("new_password", "mật khẩu mới 2026!"),
                ],
            )
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let secret = publish_embargoed(&officer, &leader, "Tin cấm đăng sau đổi mật khẩu").await;
        expect_end(&mut on_first, &secret, "session ended by a password change").await;
        let (_, _, data) = next_event(&mut on_second, 5)
            .await
            .expect("the changing session keeps its stream");
        assert!(data.contains(&secret));
    }
}

/// Regression: resuming after a correction of a bulletin that was later withdrawn gave
/// only the withdrawal (a replay from 0 showed only "withdrawn"); a non-numeric
/// Last-Event-ID silently started afresh.
#[tokio::test]
async fn a_resumed_stream_replays_every_step_in_order() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let token = s.token_for("pv.baothanhhoa").await;
        let mut live = sse(open_stream(&s, &token, None).await);
        let body = bulletin("Tin sẽ được đính chính rồi gỡ");
        let id = publish(&officer, &leader, &body, Until::Approved).await;
        officer
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        let (published_at, kind, _) = next_event(&mut live, 5).await.unwrap();
        assert_eq!(kind, "bulletin.published");
        drop(live);
        let mut content = body.clone();
        content["summary"] = json!("Tóm tắt đã đính chính.");
        let (st, b) = officer
            .post(
                &format!("/api/v1/bulletins/{id}/correct"),
                &json!({"note": "Sửa tóm tắt", "content": content}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let (st, _) = leader
            .post(
                &format!("/api/v1/bulletins/{id}/withdraw"),
                &json!({"note": "Gỡ"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        for from in [published_at.as_str(), "0"] {
            let mut resumed = sse(open_stream(&s, &token, Some(from)).await);
            let mut kinds = Vec::new();
            while let Some((_, kind, data)) = next_event(&mut resumed, 2).await {
                if data.contains(&id) {
                    if kind == "bulletin.corrected" {
                        assert!(data.contains("Tóm tắt đã đính chính."), "{data}");
                    }
                    kinds.push(kind);
                }
            }
            let expected: Vec<&str> = if from == "0" {
                vec![
                    "bulletin.published",
                    "bulletin.corrected",
                    "bulletin.withdrawn",
                ]
            } else {
                vec!["bulletin.corrected", "bulletin.withdrawn"]
            };
            assert_eq!(kinds, expected, "resumed after {from}");
        }
        let r = reqwest::Client::new()
            .get(s.url("/api/v1/stream"))
            .bearer_auth(&token)
            .header("last-event-id", "twelve")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}

/// Regression: the agency webhook set by an editor kept receiving embargoed items after
/// the editor was suspended. A webhook belongs to its agency with an accredited editor
/// responsible: with none left, embargoed and press-only deliveries are withheld (and
/// the delivery log says so) while public items go on.
#[tokio::test]
async fn an_agency_without_an_accredited_editor_gets_no_embargoed_items() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let admin = s.api(Some(&s.token_for("quantri").await));
        let receiver = Receiver::start(Vec::new()).await;
        let editor = s.browser();
        editor.login("btv.ptth", DEMO_PASSWORD).await;
        let r = editor
            .submit("/press", "/press/webhook", &[("url", &receiver.url)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        // While the editor is accredited, embargoed items arrive.
        let before =
            publish_embargoed(&officer, &leader, "Tin cấm đăng khi còn biên tập viên").await;
        assert!(
            wait_until(10, || receiver.count() >= 1).await,
            "delivered while responsible"
        );
        let id = common::user_id(&admin, "btv.ptth").await;
        let (st, _) = admin
            .post(
                &format!("/api/v1/users/{id}/status"),
                &json!({"status": "suspended", "reason": "thử"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let secret = publish_embargoed(&officer, &leader, "Tin cấm đăng sau khi đình chỉ").await;
        let public = publish(
            &officer,
            &leader,
            &bulletin("Tin công khai sau khi đình chỉ"),
            Until::Approved,
        )
        .await;
        officer
            .post(&format!("/api/v1/bulletins/{public}/publish"), &json!({}))
            .await;
        assert!(
            wait_until(10, || receiver
                .requests
                .lock()
                .unwrap()
                .iter()
                .any(|(_, b)| b.contains(&public)))
            .await,
            "public items go on"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (_, body) in receiver.requests.lock().unwrap().iter() {
            assert!(
                !body.contains(&secret),
                "an embargoed item reached an agency with no responsible editor"
            );
        }
        assert!(receiver
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|(_, b)| b.contains(&before)));
        // The delivery log shows what was withheld, and why.
        let staff = s.browser();
        staff.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, log) = staff.text(&format!("/newsroom/b/{secret}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            log.contains("Không gửi"),
            "withheld shown on the delivery log: {log}"
        );
    }
}

/// The journalist's page: the latest items they may read (press-only and embargoed ones
/// marked), categories chosen by name (several at once), a link to where API tokens are
/// made, and a copy button beside the one-time feed address.
#[tokio::test]
async fn the_journalists_page_lists_items_and_speaks_names() {
    let s = Server::start(&common::Backend::Sqlite).await;
    let b = s.browser();
    b.login("pv.ttxvn", DEMO_PASSWORD).await;
    let (st, html) = b.text("/press").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("Kế hoạch ra quân cao điểm") && html.contains("class=\"badge press\""),
        "press-only items are listed and marked"
    );
    assert!(
        html.contains("class=\"badge embargo\""),
        "embargoed items are marked"
    );
    assert!(html.contains("href=\"/profile#h-tokens\""));
    assert!(
        html.contains(r#"name="categories" value="an_toan_giao_thong""#)
            && html.contains("An toàn giao thông"),
        "categories by name"
    );
    assert!(!html.contains("Mã lĩnh vực"));
    let r = b
        .submit(
            "/press",
            "/press/subscription",
            &[
                ("mode", "digest"),
                ("categories", "an_toan_giao_thong"),
                ("categories", "lua_dao_cong_nghe_cao"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.text("/press").await;
    for c in ["an_toan_giao_thong", "lua_dao_cong_nghe_cao"] {
        assert!(
            html.contains(&format!(r#"name="categories" value="{c}" checked"#)),
            "{c} kept"
        );
    }
    let r = b.submit("/press", "/press/feed-token", &[]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<code id="feed-url">"#) && html.contains(r#"data-copy="feed-url""#));
    assert!(html.contains(r#"<script src="/static/copy.js" defer></script>"#));
    let js = reqwest::get(s.url("/static/copy.js")).await.unwrap();
    assert_eq!(js.status(), StatusCode::OK);
}
