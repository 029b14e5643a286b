//! Warnings against the real binary on every backend: a press officer writes a warning
//! on the fake-police-call pattern tied to a published bulletin, a leader approves, it
//! is published; its CAP document validates against the OASIS XSD (xmllint) and CAP's
//! section-3 rules; an update and a cancel reference the earlier messages; the CAP index
//! links every public warning; accredited press hear of it on the live stream and by
//! webhook; bad input gets a clear 4xx in the user's language with
//! nothing half-saved; a test warning never reaches a public surface.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{backends, Api, Receiver, Server, DEMO_PASSWORD};
use crate::distribution::{next_event, open_stream, sse};

const CAP_XSD: &str = include_str!("fixtures/cap-v1.2.xsd");

/// Validates a CAP document against the OASIS schema with xmllint.
pub(crate) fn assert_valid_cap(xml: &str) {
    let dir = crate::common::temp_dir("cap");
    let xsd = dir.join("cap-v1.2.xsd");
    let doc = dir.join("alert.xml");
    std::fs::write(&xsd, CAP_XSD).unwrap();
    std::fs::write(&doc, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&doc)
        .output()
        .expect("xmllint (scripts/test-deps installs libxml2-utils)");
    assert!(
        out.status.success(),
        "CAP document does not validate: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Section 3 beyond the schema: parsed by a CAP implementation, with its rules.
    let alert: oasiscap::Alert = xml.parse().expect("a CAP 1.2 alert");
    let alert = alert.into_latest();
    for info in &alert.info {
        if let (Some(e), Some(x)) = (info.effective, info.expires) {
            assert!(
                chrono::DateTime::<chrono::FixedOffset>::from(x)
                    > chrono::DateTime::<chrono::FixedOffset>::from(e),
                "expires after effective"
            );
        }
    }
    assert!(alert.addresses.is_none(), "scope Public has no addresses");
}

/// `s` for a query string.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn text(xml: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].to_string());
        rest = &after[j..];
    }
    out
}

pub(crate) fn scam_warning(bulletin: &str) -> Value {
    json!({
        "kind": "scam",
        "headline": "Cảnh báo cuộc gọi giả danh công an yêu cầu chuyển tiền",
        "headline_en": "Calls impersonating the police asking for money",
        "happened": "Nhiều người dân nhận cuộc gọi tự xưng công an, yêu cầu chuyển tiền vào \"tài khoản tạm giữ\".",
        "signs": ["Gọi từ số lạ, gọi video mặc sắc phục", "Yêu cầu chuyển tiền, đọc mã OTP"],
        "advice": "Không chuyển tiền\nBáo ngay cho công an xã, phường",
        "contact": "Công an xã, phường hoặc 113",
        "severity": "Severe", "urgency": "Immediate", "certainty": "Observed",
        "area_desc": "Toàn tỉnh",
        "communes": ["14901", "14902"],
        "polygons": ["19.80,105.77 19.81,105.79 19.79,105.80 19.80,105.77"],
        "valid_until": "2099-01-01T00:00:00+07:00",
        "bulletins": [bulletin],
    })
}

pub(crate) async fn published_bulletin(anon: &Api) -> String {
    let (st, list) = anon.get("/api/v1/bulletins").await;
    assert_eq!(st, StatusCode::OK);
    list.as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["headlines"][0]["value"]
                .as_str()
                .is_some_and(|h| h.contains("giả danh công an"))
        })
        .and_then(|b| b["uri"].as_str())
        .map(|u| u.rsplit('/').next().unwrap_or(u).to_string())
        .expect("the demo's bulletin on fake police calls")
}

#[tokio::test]
async fn a_warning_goes_from_draft_to_cap_update_and_cancel() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let anon = s.api(None);
        let bulletin = published_bulletin(&anon).await;
        let (st, w) = officer
            .post("/api/v1/warnings", &scam_warning(&bulletin))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{w}");
        let id = w["id"].as_str().unwrap().to_string();
        assert_eq!(w["bulletins"][0], bulletin.as_str());
        // Not public before publication.
        assert_eq!(
            anon.get(&format!("/api/v1/warnings/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
        let step = |who: &Api, step: &str, body: Value| {
            let (who, path) = (who.clone(), format!("/api/v1/warnings/{id}/{step}"));
            async move { who.post(&path, &body).await }
        };
        assert_eq!(step(&officer, "submit", json!({})).await.0, StatusCode::OK);
        // Four eyes: the author does not approve; a press officer may not approve at all.
        let (st, _) = step(&officer, "approve", json!({})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert_eq!(step(&leader, "approve", json!({})).await.0, StatusCode::OK);
        // Accredited press listen: a journalist's live stream, an agency's webhook.
        let receiver = Receiver::start(Vec::new()).await;
        let editor = s.browser();
        editor.login("btv.ptth", DEMO_PASSWORD).await;
        let r = editor
            .submit("/press", "/press/webhook", &[("url", &receiver.url)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let j = s.browser();
        j.login("pv.ttxvn", DEMO_PASSWORD).await;
        let stream_token = j.create_token("stream").await;
        let mut stream = sse(open_stream(&s, &stream_token, None).await);
        let (st, w) = step(&officer, "publish", json!({})).await;
        assert_eq!(st, StatusCode::OK, "{w}");
        assert_eq!(w["state"], "published");
        let mut heard = None;
        while let Some((_, kind, data)) = next_event(&mut stream, 10).await {
            if kind == "warning.published" {
                heard = Some(data);
                break;
            }
        }
        let heard: Value =
            serde_json::from_str(&heard.expect("the warning on the live stream")).unwrap();
        assert_eq!(heard["warning"]["id"], id.as_str());
        assert!(heard["cap"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/cap/{id}.xml")));
        let start = std::time::Instant::now();
        let delivered =
            loop {
                let got =
                    receiver.requests.lock().unwrap().iter().any(|(_, body)| {
                        body.contains("\"warning.published\"") && body.contains(&id)
                    });
                if got || start.elapsed() > std::time::Duration::from_secs(15) {
                    break got;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            };
        assert!(delivered, "the agency's webhook got the warning");
        // The public page, with Open Graph and the bulletin behind it.
        let page = reqwest::get(s.url(&format!("/canh-bao/{id}")))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("og:title") && html.contains("giả danh công an"),
            "{html}"
        );
        assert!(
            html.contains(&format!("/tin/{bulletin}")),
            "links the bulletin"
        );
        let list = reqwest::get(s.url("/canh-bao?loai=scam"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains(&format!("/canh-bao/{id}")));
        // The CAP document.
        let cap = |path: String| async move {
            let r = reqwest::get(path).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/cap+xml"));
            r.text().await.unwrap()
        };
        let first = cap(s.url(&format!("/cap/{id}.xml"))).await;
        assert_valid_cap(&first);
        assert_eq!(text(&first, "msgType"), ["Alert"]);
        assert_eq!(text(&first, "status"), ["Actual"]);
        assert_eq!(text(&first, "language"), ["vi-VN", "en-US"]);
        assert_eq!(text(&first, "category"), ["Security", "Security"]);
        assert!(
            text(&first, "value").contains(&"14901".to_string()),
            "geocode per commune"
        );
        assert!(first.contains(&format!("/canh-bao/{id}</web>")));
        let first_id = text(&first, "identifier")[0].clone();
        let first_sent = text(&first, "sent")[0].clone();
        let sender = text(&first, "sender")[0].clone();
        // The CAP index links it.
        let feed = reqwest::get(s.url("/feeds/warnings.atom"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let parsed = atom_syndication::Feed::read_from(feed.as_bytes()).expect("an Atom feed");
        let entry = parsed
            .entries()
            .iter()
            .find(|e| e.id() == format!("urn:uuid:{id}"))
            .expect("the warning's entry");
        assert!(entry
            .links()
            .iter()
            .any(|l| l.mime_type() == Some("application/cap+xml")
                && l.href().ends_with(&format!("/cap/{id}.xml"))));
        // The index of one kind has it; another kind's does not; an unknown kind is 404.
        let scam = reqwest::get(s.url("/feeds/warnings/scam.atom"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let scam = atom_syndication::Feed::read_from(scam.as_bytes()).expect("an Atom feed");
        assert!(scam
            .entries()
            .iter()
            .any(|e| e.id() == format!("urn:uuid:{id}")));
        assert!(
            scam.entries()
                .iter()
                .all(|e| !e.title().as_str().contains("Quốc lộ")),
            "scam only"
        );
        let traffic = reqwest::get(s.url("/feeds/warnings/traffic.atom"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!traffic.contains(&id) && traffic.contains("Quốc lộ"));
        let r = reqwest::get(s.url("/feeds/warnings/nope.atom"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // An update (by a leader) references the Alert.
        let mut changed = scam_warning(&bulletin);
        changed["advice"] = json!(["Không chuyển tiền", "Không cài ứng dụng lạ", "Báo công an"]);
        let (st, _) = step(&officer, "update", json!({"content": changed.clone()})).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "a press officer does not change what is published"
        );
        let (st, w) = step(&leader, "update", json!({"content": changed})).await;
        assert_eq!(st, StatusCode::OK, "{w}");
        let second = cap(s.url(&format!("/cap/{id}.xml"))).await;
        assert_valid_cap(&second);
        assert_eq!(text(&second, "msgType"), ["Update"]);
        assert_eq!(
            text(&second, "references"),
            [format!("{sender},{first_id},{first_sent}")]
        );
        // A cancel needs a reason, then references both.
        let (st, body) = step(&officer, "cancel", json!({})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (st, _) = step(
            &officer,
            "cancel",
            json!({"note": "Đối tượng đã bị bắt, thủ đoạn đã được cảnh báo trong tin khác."}),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let third = cap(s.url(&format!("/cap/{id}.xml"))).await;
        assert_valid_cap(&third);
        assert_eq!(text(&third, "msgType"), ["Cancel"]);
        let refs = text(&third, "references")[0].clone();
        assert_eq!(refs.split(' ').count(), 2, "{refs}");
        assert!(refs.starts_with(&format!("{sender},{first_id},")));
        let page = reqwest::get(s.url(&format!("/canh-bao/{id}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Đối tượng đã bị bắt"),
            "the cancellation is shown with its reason"
        );
        // Every version kept.
        let (st, w) = leader.get(&format!("/api/v1/warnings/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(w["version"], 2);
        let conn = s.db.open().await;
        let n = conn
            .fetch_one(
                "SELECT COUNT(*) AS n FROM warning_messages WHERE warning_id = $1",
                keng::args![&id],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(n, 3);
        let audited = conn
            .fetch_one(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity_id = $1",
                keng::args![&id],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert!(audited >= 6, "each step audited ({audited})");
        // The demo's CAP documents validate too.
        let (_, all) = anon.get("/api/v1/warnings").await;
        for w in all.as_array().unwrap() {
            let xml = cap(s.url(&format!("/cap/{}.xml", w["id"].as_str().unwrap()))).await;
            assert_valid_cap(&xml);
        }
    }
}

#[tokio::test]
async fn bad_warnings_are_refused_in_the_users_language_and_nothing_is_half_saved() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let journalist = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        let anon = s.api(None);
        let bulletin = published_bulletin(&anon).await;
        let conn = s.db.open().await;
        let count = || async {
            conn.fetch_one("SELECT COUNT(*) AS n FROM warnings", &[])
                .await
                .unwrap()
                .i64("n")
                .unwrap()
        };
        let before = count().await;
        let bad = |field: &str, value: Value| {
            let mut w = scam_warning(&bulletin);
            w[field] = value;
            w
        };
        for (field, value, message) in [
            (
                "valid_until",
                json!("2020-01-01T00:00"),
                "hết hiệu lực phải sau",
            ),
            (
                "polygons",
                json!(["19.8,105.7 19.9,105.8 19.7,105.9 19.6,105.6"]),
                "điểm cuối trùng điểm đầu",
            ),
            (
                "communes",
                json!(["99999"]),
                "Không có xã, phường với mã này",
            ),
            (
                "bulletins",
                json!(["0190d9e4-0000-7000-8000-000000000000"]),
                "Không tìm thấy tin bài",
            ),
            ("severity", json!("Apocalyptic"), "danh sách cho phép"),
            (
                "valid_until",
                json!("9999-12-31T23:59:00-10:00"),
                "từ năm 2000 đến năm 2200",
            ),
            ("headline", json!("Cảnh báo \u{FFFF}"), "ký tự điều khiển"),
            (
                "signs",
                json!((0..13).map(|i| format!("Dấu hiệu {i}")).collect::<Vec<_>>()),
                "tối đa 12",
            ),
        ] {
            let mut w = bad(field, value);
            if field == "valid_until" {
                w["valid_from"] = json!("2021-01-01T00:00");
            }
            let (st, body) = officer.post("/api/v1/warnings", &w).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
            assert!(body.to_string().contains(message), "{field}: {body}");
        }
        assert_eq!(count().await, before, "nothing saved");
        // A journalist writes no warning; an anonymous caller is asked to sign in.
        let (st, _) = journalist
            .post("/api/v1/warnings", &scam_warning(&bulletin))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = anon
            .post("/api/v1/warnings", &scam_warning(&bulletin))
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        // Cancelling what was never published: a conflict, said in Vietnamese.
        let (_, w) = officer
            .post("/api/v1/warnings", &scam_warning(&bulletin))
            .await;
        let id = w["id"].as_str().unwrap();
        let (st, body) = officer
            .post(
                &format!("/api/v1/warnings/{id}/cancel"),
                &json!({"note": "nhầm"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(
            body.to_string().contains("Chỉ huỷ được cảnh báo đang đăng"),
            "{body}"
        );
        let (st, _) = officer
            .post(&format!("/api/v1/warnings/{id}/launch"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // The desk form answers 422 with the message next to the field.
        let desk = s.browser();
        desk.login("tuyentruyen", crate::common::DEMO_PASSWORD)
            .await;
        let r = desk
            .submit(
                "/warnings/new",
                "/warnings",
                &[
                    ("kind", "scam"),
                    ("headline", ""),
                    ("happened", "x"),
                    ("signs", "a"),
                    ("advice", "b"),
                    ("contact", "113"),
                    ("severity", "Severe"),
                    ("urgency", "Immediate"),
                    ("certainty", "Observed"),
                    ("area_desc", "Toàn tỉnh"),
                    ("valid_from", "2030-01-02T00:00"),
                    ("valid_until", "2030-01-01T00:00"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("hết hiệu lực phải sau"), "{html}");
    }
}

#[tokio::test]
async fn a_test_warning_never_reaches_a_public_surface() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let anon = s.api(None);
        let journalist = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        // The demo's test warning is published with status Test.
        let (st, desk) = leader.get("/api/v1/desk/warnings").await;
        assert_eq!(st, StatusCode::OK);
        let test = desk
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["is_test"] == true && w["state"] == "published")
            .expect("the demo's published test warning")
            .clone();
        let id = test["id"].as_str().unwrap();
        let headline = test["headline"].as_str().unwrap();
        for who in [&anon, &journalist] {
            assert_eq!(
                who.get(&format!("/api/v1/warnings/{id}")).await.0,
                StatusCode::NOT_FOUND
            );
            let (_, list) = who.get("/api/v1/warnings").await;
            assert!(!list.to_string().contains(id));
        }
        for path in [
            format!("/canh-bao/{id}"),
            format!("/cap/{id}.xml"),
            format!("/canh-bao/{id}/in"),
            format!("/chia-se/canh-bao/{id}/wide.png"),
            format!("/chia-se/canh-bao/{id}/square.png"),
        ] {
            let r = reqwest::get(s.url(&path)).await.unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
        // Not for journalists either, nor through the desk's card preview.
        let j = s.browser();
        j.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        for path in [
            format!("/chia-se/canh-bao/{id}/wide.png"),
            format!("/warnings/{id}/card/wide.png"),
        ] {
            let st = j.get(&path).await.status();
            assert!(
                st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
                "{path}: {st}"
            );
        }
        // Search finds public warnings, never the test one.
        let (st, hits) = anon.get("/api/v1/search?q=gia+danh+cong+an").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            hits.as_array()
                .unwrap()
                .iter()
                .any(|h| h["source"] == "warning"),
            "a public warning is found: {hits}"
        );
        let words: String = headline
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        for who in [&anon, &journalist] {
            let (st, hits) = who
                .get(&format!("/api/v1/search?q={}", urlencode(&words)))
                .await;
            assert_eq!(st, StatusCode::OK);
            assert!(!hits.to_string().contains(id), "search: {hits}");
        }
        let page = reqwest::get(s.url(&format!("/tim-kiem?q={}", urlencode(&words))))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains(id) && !page.contains(headline),
            "search page"
        );
        for path in [
            "/canh-bao",
            "/feeds/warnings.atom",
            "/feeds/warnings/traffic.atom",
            "/canh-bao?loai=other",
            "/sitemap.xml",
        ] {
            let body = reqwest::get(s.url(path))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(!body.contains(id) && !body.contains(headline), "{path}");
        }
        // Staff see it on their desk, and its CAP message says Test.
        let conn = s.db.open().await;
        let xml = conn
            .fetch_one(
                "SELECT xml FROM warning_messages WHERE warning_id = $1",
                keng::args![id],
            )
            .await
            .unwrap()
            .str("xml")
            .unwrap();
        assert!(xml.contains("<status>Test</status>"), "{xml}");
        assert_valid_cap(&xml);
        // The demo's cancelled warning is public, as a notice.
        let (_, list) = anon.get("/api/v1/warnings").await;
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["state"] == "cancelled"));
        assert!(list.as_array().unwrap().len() >= 9, "the demo's patterns");
    }
}

#[tokio::test]
async fn concurrent_steps_take_turns_and_never_skip_the_second_pair_of_eyes() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let spokesperson = s.api(Some(&s.token_for("phatngon").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let anon = s.api(None);
        let bulletin = published_bulletin(&anon).await;
        let conn = s.db.open().await;
        let messages = |id: String| {
            let conn = &conn;
            async move {
                conn.fetch_all(
                    "SELECT msg_type FROM warning_messages WHERE warning_id = $1 ORDER BY seq",
                    keng::args![&id],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.str("msg_type").unwrap())
                .collect::<Vec<_>>()
            }
        };
        let approved = || async {
            let (_, w) = officer
                .post("/api/v1/warnings", &scam_warning(&bulletin))
                .await;
            let id = w["id"].as_str().unwrap().to_string();
            officer
                .post(&format!("/api/v1/warnings/{id}/submit"), &json!({}))
                .await;
            let (st, _) = leader
                .post(&format!("/api/v1/warnings/{id}/approve"), &json!({}))
                .await;
            assert_eq!(st, StatusCode::OK);
            id
        };
        let empty = json!({});
        for round in 0..4 {
            // An edit racing the publication: one of them wins, the other is told so.
            let id = approved().await;
            let mut edited = scam_warning(&bulletin);
            edited["headline"] = json!(format!("Chưa được duyệt {round}"));
            let path = format!("/api/v1/warnings/{id}");
            let publish_path = format!("{path}/publish");
            let (put, publish) = tokio::join!(
                officer.send(reqwest::Method::PUT, &path, &edited),
                officer.post(&publish_path, &empty)
            );
            let mut statuses = [put.0.as_u16(), publish.0.as_u16()];
            statuses.sort();
            assert_eq!(statuses, [200, 409], "round {round}: {put:?} {publish:?}");
            let (_, w) = leader.get(&path).await;
            if w["state"] == "published" {
                assert_ne!(
                    w["headline"], edited["headline"],
                    "published what nobody approved"
                );
                assert!(w["approved_by"].is_string());
                assert_eq!(messages(id.clone()).await, ["Alert"]);
            } else {
                assert_eq!(w["state"], "draft");
                assert!(
                    messages(id.clone()).await.is_empty(),
                    "no Alert for a draft"
                );
            }
            // Two publications at once: one Alert.
            let id = approved().await;
            let path = format!("/api/v1/warnings/{id}/publish");
            let (a, b) = tokio::join!(
                officer.post(&path, &empty),
                spokesperson.post(&path, &empty)
            );
            let mut statuses = [a.0.as_u16(), b.0.as_u16()];
            statuses.sort();
            assert_eq!(statuses, [200, 409]);
            assert_eq!(messages(id.clone()).await, ["Alert"]);
            // An update racing a cancellation: never an Update after the Cancel.
            let mut changed = scam_warning(&bulletin);
            changed["advice"] = json!(["Không chuyển tiền"]);
            let base = format!("/api/v1/warnings/{id}");
            let (update_path, cancel_path) = (format!("{base}/update"), format!("{base}/cancel"));
            let (update_body, cancel_body) =
                (json!({"content": changed}), json!({"note": "Hết nguy cơ"}));
            let (_u, c) = tokio::join!(
                leader.post(&update_path, &update_body),
                spokesperson.post(&cancel_path, &cancel_body)
            );
            assert_eq!(c.0, StatusCode::OK);
            let kinds = messages(id.clone()).await;
            assert_eq!(
                kinds.last().map(String::as_str),
                Some("Cancel"),
                "{kinds:?}"
            );
        }
        // Approving one's own last edit, at the same moment as the edit: refused.
        let empty = json!({});
        for _ in 0..4 {
            let (_, w) = officer
                .post("/api/v1/warnings", &scam_warning(&bulletin))
                .await;
            let id = w["id"].as_str().unwrap().to_string();
            officer
                .post(&format!("/api/v1/warnings/{id}/submit"), &json!({}))
                .await;
            let path = format!("/api/v1/warnings/{id}");
            let (content, approve_path) = (scam_warning(&bulletin), format!("{path}/approve"));
            let (_e, a) = tokio::join!(
                leader.send(reqwest::Method::PUT, &path, &content),
                leader.post(&approve_path, &empty)
            );
            let (_, w) = leader.get(&path).await;
            if a.0 == StatusCode::OK {
                // The approval came first; the edit then sent it back to draft.
                assert_ne!(w["state"], "approved", "{w}");
            }
        }
    }
}
