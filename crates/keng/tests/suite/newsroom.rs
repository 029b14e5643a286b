//! The newsroom end to end, on every backend: the publication chain with four eyes, the
//! incident clock and timeline, corrections and withdrawals on every surface (page, list,
//! Atom, ninjs, sitemap), embargo lifting by itself, the leak matrix and the XSS corpus.

use crate::common;

use common::{backends, publish, Api, Server, Until, DEMO_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const NINJS_SCHEMA: &str = include_str!("fixtures/ninjs-schema_3.1.json");

pub(crate) fn ninjs_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(NINJS_SCHEMA).unwrap();
    // The schema refers to GeoJSON for place geometry, which we never emit; offline, that
    // reference resolves to "any object".
    let geojson = jsonschema::Resource::from_contents(
        json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}),
    )
    .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_resource("https://geojson.org/schema/GeoJSON.json", geojson)
        .build(&schema)
        .expect("the IPTC ninjs schema compiles")
}

fn assert_ninjs(doc: &Value) {
    let v = ninjs_validator();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid ninjs: {errors:?}\n{doc:#}");
}

fn draft(title: &str) -> Value {
    json!({
        "kind": "press_release", "category": "trat_tu_xa_hoi", "title": title,
        "summary": format!("Tóm tắt của {title}"), "body": format!("Nội dung của {title}.\n\nĐoạn thứ hai."),
        "places": ["Thanh Hoá"], "tags": ["cao điểm Tết"], "audience": "public"
    })
}

async fn text(s: &Server, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(s.url(path)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn initial_information_goes_from_draft_to_every_public_surface() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer_b = s.browser();
        officer_b.login("tuyentruyen", DEMO_PASSWORD).await;
        // An incident of public concern starts the 24-hour clock.
        let r = officer_b
            .submit(
                "/newsroom/incidents/new",
                "/newsroom/incidents",
                &[
                    ("title", "Sập giàn giáo tại công trình ở phường Hàm Rồng"),
                    ("occurred_at", "2026-11-25T06:30"),
                    ("place", "Phường Hàm Rồng"),
                    ("summary", ""),
                    ("unit_id", ""),
                    ("public_concern", "1"),
                ],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap_or_default()
        );
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let incident = loc
            .split("incident=")
            .nth(1)
            .and_then(|q| q.split('&').next())
            .unwrap()
            .to_string();
        let (_, desk) = officer_b.text("/newsroom").await;
        assert!(
            desk.contains("Sập giàn giáo") && (desk.contains("Quá hạn") || desk.contains("Còn")),
            "the clock shows"
        );
        // The press officer drafts the initial information in the editor.
        let r = officer_b
            .submit(&loc, "/newsroom", &[
                ("kind", "initial_information"), ("category", "khac"), ("title", "Thông tin ban đầu về vụ sập giàn giáo tại phường Hàm Rồng"),
                ("summary", "Sáng 25/11, giàn giáo tại một công trình xây dựng bị sập; 2 người bị thương đã được đưa đi cấp cứu."),
                ("body", "Lực lượng cứu nạn, cứu hộ đã có mặt kịp thời.\n\nCơ quan chức năng đang làm rõ nguyên nhân."),
                ("places", "Phường Hàm Rồng, Thanh Hóa"), ("tags", "tai nạn lao động"), ("audience", "public"), ("embargo_until", ""),
                ("incident_id", &incident), ("unit_id", ""), ("spokesperson_id", ""),
            ])
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap_or_default()
        );
        let id = r.headers()["location"]
            .to_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // Not public yet.
        assert_eq!(
            text(&s, &format!("/tin/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
        let r = officer_b
            .submit(
                &format!("/newsroom/b/{id}"),
                &format!("/newsroom/b/{id}/do/submit"),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Four eyes: the press officer cannot approve; the leader does.
        let r = officer_b
            .submit(
                &format!("/newsroom/b/{id}"),
                &format!("/newsroom/b/{id}/do/approve"),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let leader = s.browser();
        leader.login("giamdoc", DEMO_PASSWORD).await;
        let r = leader
            .submit(
                &format!("/newsroom/b/{id}"),
                &format!("/newsroom/b/{id}/do/approve"),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = officer_b
            .submit(
                &format!("/newsroom/b/{id}"),
                &format!("/newsroom/b/{id}/do/publish"),
                &[("publish_at", "")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // Every public surface has it.
        let (st, page) = text(&s, &format!("/tin/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Thông tin ban đầu về vụ sập giàn giáo"));
        assert!(page.contains(r#"<meta property="og:title" content="Thông tin ban đầu về vụ sập giàn giáo tại phường Hàm Rồng">"#));
        assert!(
            page.contains("Phường Hàm Rồng, Thanh Hoá"),
            "places are canonical and deduplicated"
        );
        assert!(text(&s, "/tin").await.1.contains(&id));
        // Public pages come from the cache the second time (once the log has settled).
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        text(&s, &format!("/tin/{id}")).await;
        text(&s, &format!("/tin/{id}")).await;
        let (_, metrics) = s.metrics().await;
        assert!(
            metrics.contains(r#"keng_page_cache_total{result="hit"}"#),
            "{metrics}"
        );
        let (_, feed) = text(&s, "/feeds/bulletins.atom").await;
        let parsed =
            atom_syndication::Feed::read_from(feed.as_bytes()).expect("the feed is valid Atom");
        let entry = parsed
            .entries()
            .iter()
            .find(|e| e.id() == format!("urn:uuid:{id}"))
            .expect("entry in the feed");
        let first_updated = *entry.updated();
        assert!(text(&s, "/feeds/category/khac.atom").await.1.contains(&id));
        assert!(text(&s, &format!("/feeds/incident/{incident}.atom"))
            .await
            .1
            .contains(&id));
        assert!(text(&s, "/sitemap.xml")
            .await
            .1
            .contains(&format!("/tin/{id}")));
        let anon = s.api(None);
        let (st, doc) = anon.get(&format!("/api/v1/bulletins/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_ninjs(&doc);
        assert_eq!(doc["pubStatus"], "usable");
        assert!(doc.get("embargoedUntil").is_none());
        let (_, list) = anon.get("/api/v1/bulletins").await;
        for d in list.as_array().unwrap() {
            assert_ninjs(d);
        }
        // The clock stopped.
        let (_, desk) = officer_b.text("/newsroom").await;
        assert!(desk.contains("Đã cung cấp lúc"));

        // A correction: a new version, a visible "Đính chính", the same feed entry updated.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let r = officer_b
            .submit(&format!("/newsroom/b/{id}/edit"), &format!("/newsroom/b/{id}/correct"), &[
                ("note", "Số người bị thương là 3, không phải 2."),
                ("kind", "initial_information"), ("category", "khac"), ("title", "Thông tin ban đầu về vụ sập giàn giáo tại phường Hàm Rồng"),
                ("summary", "Sáng 25/11, giàn giáo tại một công trình xây dựng bị sập; 3 người bị thương đã được đưa đi cấp cứu."),
                ("body", "Lực lượng cứu nạn, cứu hộ đã có mặt kịp thời.\n\nCơ quan chức năng đang làm rõ nguyên nhân."),
                ("places", "Phường Hàm Rồng"), ("tags", ""), ("audience", "public"), ("embargo_until", ""), ("incident_id", &incident), ("unit_id", ""), ("spokesperson_id", ""),
            ])
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap_or_default()
        );
        let (_, page) = text(&s, &format!("/tin/{id}")).await;
        assert!(page.contains("Đính chính") && page.contains("Số người bị thương là 3"));
        let (_, feed) = text(&s, "/feeds/bulletins.atom").await;
        let parsed = atom_syndication::Feed::read_from(feed.as_bytes()).unwrap();
        let entry = parsed
            .entries()
            .iter()
            .find(|e| e.id() == format!("urn:uuid:{id}"))
            .expect("same entry id after the correction");
        assert!(*entry.updated() > first_updated, "updated moves forward");
        assert!(entry.summary().unwrap().as_str().contains("Đính chính"));
        let (_, doc) = anon.get(&format!("/api/v1/bulletins/{id}")).await;
        assert_ninjs(&doc);
        assert_eq!(doc["version"], "2");
        assert!(doc["edNote"]
            .as_str()
            .unwrap()
            .contains("Số người bị thương là 3"));
        let (st, diff) = officer_b
            .text(&format!("/newsroom/b/{id}/diff?from=1&to=2"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            diff.contains("<del>2</del>") && diff.contains("<ins>3</ins>"),
            "{diff}"
        );

        // The withdrawal reaches every surface; the URL stays, as a notice.
        let r = leader
            .submit(
                &format!("/newsroom/b/{id}"),
                &format!("/newsroom/b/{id}/do/withdraw"),
                &[("note", "Gộp vào thông cáo chính thức")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (st, page) = text(&s, &format!("/tin/{id}")).await;
        assert_eq!(st, StatusCode::GONE);
        assert!(page.contains("Tin đã được gỡ") && page.contains("Gộp vào thông cáo chính thức"));
        assert!(
            !page.contains("cứu nạn, cứu hộ"),
            "a withdrawn body is not shown"
        );
        let (_, feed) = text(&s, "/feeds/bulletins.atom").await;
        assert!(
            feed.contains(&format!(r#"<at:deleted-entry ref="urn:uuid:{id}""#)),
            "tombstone in the feed"
        );
        let parsed = atom_syndication::Feed::read_from(feed.as_bytes()).unwrap();
        assert!(parsed
            .entries()
            .iter()
            .all(|e| e.id() != format!("urn:uuid:{id}")));
        let (_, doc) = anon.get(&format!("/api/v1/bulletins/{id}")).await;
        assert_ninjs(&doc);
        assert_eq!(doc["pubStatus"], "canceled");
        assert!(doc.get("bodies").is_none());
        assert!(!text(&s, "/sitemap.xml").await.1.contains(&id));
        // The incident timeline shows it all.
        let (st, tl) = text(&s, &format!("/vu-viec/{incident}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(tl.contains("Sập giàn giáo") && tl.contains("Gộp vào thông cáo chính thức"));
        // Every step is in the audit log with before and after.
        let admin = s.api(Some(&s.token_for("quantri").await));
        let (_, trail) = admin
            .get(&format!("/api/v1/audit?entity=bulletin&entity_id={id}"))
            .await;
        let actions: Vec<&str> = trail
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "bulletin.created",
                "bulletin.submitted",
                "bulletin.approved",
                "bulletin.published",
                "bulletin.corrected",
                "bulletin.withdrawn"
            ]
        );
    }
}

#[tokio::test]
async fn four_eyes_and_the_emergency_self_approval() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let speaker = s.api(Some(&s.token_for("phatngon").await));
        let mut body = draft("Thông tin ban đầu khẩn");
        body["kind"] = json!("initial_information");
        let (_, b) = speaker.post("/api/v1/bulletins", &body).await;
        let id = b["id"].as_str().unwrap().to_string();
        speaker
            .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
            .await;
        let (st, p) = speaker
            .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert_eq!(
            p["title"],
            "Người soạn hoặc đã sửa tin không được tự duyệt tin đó."
        );
        // Steps out of order are refused with 409.
        let (st, _) = speaker
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = speaker
            .post(&format!("/api/v1/bulletins/{id}/dance"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // Allowed by configuration: a spokesperson's own initial information, logged as such.
    let opts = common::Options {
        toml: Some("[newsroom]\nallow_emergency_self_approval = true\n".into()),
        ..Default::default()
    };
    let s = Server::start_with(&common::Backend::Sqlite, opts).await;
    let speaker = s.api(Some(&s.token_for("phatngon").await));
    let mut body = draft("Thông tin ban đầu khẩn");
    body["kind"] = json!("initial_information");
    let (_, b) = speaker.post("/api/v1/bulletins", &body).await;
    let id = b["id"].as_str().unwrap().to_string();
    speaker
        .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
        .await;
    let (st, b) = speaker
        .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b["self_approved"], true);
    // ... but never a press release.
    let (_, b) = speaker
        .post("/api/v1/bulletins", &draft("Thông cáo thường"))
        .await;
    let id2 = b["id"].as_str().unwrap().to_string();
    speaker
        .post(&format!("/api/v1/bulletins/{id2}/submit"), &json!({}))
        .await;
    assert_eq!(
        speaker
            .post(&format!("/api/v1/bulletins/{id2}/approve"), &json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let admin = s.api(Some(&s.token_for("quantri").await));
    let (_, trail) = admin
        .get(&format!("/api/v1/audit?entity=bulletin&entity_id={id}"))
        .await;
    assert!(trail
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "bulletin.self_approved"));
}

/// Everything a reader could reach, as text, for one viewer.
async fn surfaces(
    s: &Server,
    api: &Api,
    browser: Option<&common::Browser>,
    id: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in [
        format!("/tin/{id}"),
        format!("/tin/{id}/print"),
        "/tin".to_string(),
        "/feeds/bulletins.atom".to_string(),
        "/feeds/category/trat_tu_xa_hoi.atom".to_string(),
        "/sitemap.xml".to_string(),
    ] {
        let body = match browser {
            Some(b) => b.get(&path).await.text().await.unwrap(),
            None => reqwest::get(s.url(&path))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        };
        out.push((path, body));
    }
    for path in [
        format!("/api/v1/bulletins/{id}"),
        "/api/v1/bulletins".to_string(),
    ] {
        let (_, v) = api.get(&path).await;
        out.push((path, v.to_string()));
    }
    out
}

#[tokio::test]
async fn nothing_leaks_before_its_time_or_to_the_wrong_reader() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let far = "2099-01-01T08:00:00+07:00";
        // A draft.
        let (_, d) = officer
            .post("/api/v1/bulletins", &draft("BÍMẬT-NHÁP"))
            .await;
        let draft_id = d["id"].as_str().unwrap().to_string();
        // Embargoed.
        let mut e = draft("BÍMẬT-CẤMĐĂNG");
        e["embargo_until"] = json!(far);
        let embargoed = publish(&officer, &leader, &e, Until::Published).await;
        // Press-only.
        let mut p = draft("BÍMẬT-BÁOCHÍ");
        p["audience"] = json!("press");
        let press_only = publish(&officer, &leader, &p, Until::Published).await;
        // Scheduled.
        let scheduled = publish(
            &officer,
            &leader,
            &draft("BÍMẬT-HẸNGIỜ"),
            Until::PublishedAt(far),
        )
        .await;
        // Withdrawn (its body must go; its title and reason stay as a notice).
        let mut w = draft("TIN-ĐÃ-GỠ");
        w["body"] = json!("BÍMẬT-NỘIDUNGGỠ");
        let withdrawn = publish(&officer, &leader, &w, Until::Published).await;
        leader
            .post(
                &format!("/api/v1/bulletins/{withdrawn}/withdraw"),
                &json!({"note": "sai sót"}),
            )
            .await;

        let journalist_token = s.token_for("pv.ttxvn").await;
        let journalist = s.api(Some(&journalist_token));
        let jb = s.browser();
        jb.login("pv.ttxvn", DEMO_PASSWORD).await;
        // A revoked journalist: revoked after signing in and making a token.
        let revoked_token = s.token_for("btv.ptth").await;
        let rb = s.browser();
        rb.login("btv.ptth", DEMO_PASSWORD).await;
        let id = common::user_id(&leader, "btv.ptth").await;
        let (st, _) = leader
            .post(
                &format!("/api/v1/users/{id}/status"),
                &json!({"status": "revoked", "reason": "thử"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);

        // The SQL form of the visibility rule (lists, feeds) and the Rust form (one item)
        // agree on every bulletin, for every viewer.
        {
            use keng::newsroom::store::{list, ListFilter};
            use keng::newsroom::visibility::{seen, Seen, Viewer};
            let db = s.db.open().await;
            let all = list(
                &db,
                Viewer::Staff,
                &ListFilter {
                    limit: 500,
                    ..Default::default()
                },
                true,
            )
            .await
            .unwrap();
            assert!(all.len() >= 5);
            let now = keng::platform::clock::now_ms();
            for viewer in [Viewer::Public, Viewer::Press] {
                let listed: std::collections::BTreeSet<String> = list(
                    &db,
                    viewer,
                    &ListFilter {
                        limit: 500,
                        ..Default::default()
                    },
                    true,
                )
                .await
                .unwrap()
                .into_iter()
                .map(|b| b.id)
                .collect();
                let seen_ids: std::collections::BTreeSet<String> = all
                    .iter()
                    .filter(|b| seen(b, viewer, now) != Seen::Hidden)
                    .map(|b| b.id.clone())
                    .collect();
                assert_eq!(
                    listed, seen_ids,
                    "{viewer:?}: SQL and Rust visibility disagree"
                );
            }
            db.close().await;
        }
        let anon = s.api(None);
        let revoked = s.api(Some(&revoked_token));

        for (name, target) in [
            ("draft", &draft_id),
            ("embargoed", &embargoed),
            ("press-only", &press_only),
            ("scheduled", &scheduled),
            ("withdrawn", &withdrawn),
        ] {
            let secret = match name {
                "draft" => "BÍMẬT-NHÁP",
                "embargoed" => "BÍMẬT-CẤMĐĂNG",
                "press-only" => "BÍMẬT-BÁOCHÍ",
                "scheduled" => "BÍMẬT-HẸNGIỜ",
                _ => "BÍMẬT-NỘIDUNGGỠ",
            };
            // Anonymous and the revoked journalist see nothing of it.
            for (who, out) in [
                ("anonymous", surfaces(&s, &anon, None, target).await),
                (
                    "revoked journalist",
                    surfaces(&s, &anon, Some(&rb), target).await,
                ),
            ] {
                for (path, body) in out {
                    assert!(
                        !body.contains(secret),
                        "{} leaks the {name} bulletin to {who} on {path}",
                        backend.name()
                    );
                }
            }
            let (st, _) = revoked.get(&format!("/api/v1/bulletins/{target}")).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED, "a revoked token is refused");
            // An accredited journalist (of any agency) sees embargoed and press-only items,
            // marked; never drafts, scheduled items or withdrawn bodies.
            let out = surfaces(&s, &journalist, Some(&jb), target).await;
            let page = &out[0].1;
            match name {
                "embargoed" => {
                    assert!(
                        page.contains(secret) && page.contains("CẤM ĐĂNG TRƯỚC"),
                        "{page}"
                    );
                    assert!(
                        !page.contains("og:title"),
                        "no Open Graph for embargoed items"
                    );
                    let (_, doc) = journalist.get(&format!("/api/v1/bulletins/{target}")).await;
                    assert_ninjs(&doc);
                    assert!(doc["embargoedUntil"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("2099-01-01T01:00:00")));
                }
                "press-only" => {
                    assert!(
                        page.contains(secret) && page.contains("Thông tin chỉ dành cho phóng viên")
                    );
                    assert!(!page.contains("og:title"));
                }
                _ => {
                    for (path, body) in &out {
                        assert!(
                            !body.contains(secret),
                            "{} leaks the {name} bulletin to a journalist on {path}",
                            backend.name()
                        );
                    }
                }
            }
            // Public feeds, sitemap and list never carry anything but released public items.
            for path in ["/feeds/bulletins.atom", "/sitemap.xml", "/tin"] {
                let (_, body) = jb.text(path).await;
                if name != "embargoed" && name != "press-only" || path != "/tin" {
                    assert!(
                        !body.contains(secret),
                        "{path} carries the {name} bulletin for a journalist"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn an_embargo_lifts_by_itself_at_the_same_address() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let lift = chrono::Utc::now() + chrono::Duration::seconds(3);
        let mut e = draft("Tin cấm đăng trước đến giờ");
        e["embargo_until"] = json!(lift.to_rfc3339());
        let id = publish(&officer, &leader, &e, Until::Published).await;
        assert_eq!(
            text(&s, &format!("/tin/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
        assert!(!text(&s, "/feeds/bulletins.atom").await.1.contains(&id));
        let mut public = false;
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if text(&s, &format!("/tin/{id}")).await.0 == StatusCode::OK {
                public = true;
                break;
            }
        }
        assert!(public, "public after the embargo");
        assert!(chrono::Utc::now() >= lift, "not before the embargo time");
        assert!(text(&s, "/feeds/bulletins.atom").await.1.contains(&id));
        // The release is an event in the log (what feeds, caches and streams follow).
        // The releaser wakes at the embargo time; allow it a moment.
        let db = s.db.open().await;
        let mut n = 0;
        for _ in 0..30 {
            n = db
                .fetch_one("SELECT COUNT(*) AS n FROM events WHERE kind = 'bulletin.released' AND entity_id = $1", keng::args![id.as_str()])
                .await
                .unwrap()
                .i64("n")
                .unwrap();
            if n > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let again = db
            .fetch_one("SELECT COUNT(*) AS n FROM events WHERE kind = 'bulletin.released' AND entity_id = $1", keng::args![id.as_str()])
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!((n, again), (1, 1), "released once");

        db.close().await;
    }
}

/// The first live tag that could run script or style (escaped text is inert: attribute
/// values are quoted and escaped, so only the markup outside them counts).
fn live_markup(html: &str) -> Option<String> {
    use std::sync::LazyLock;
    static TAG: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"<[a-zA-Z][^>]*>").unwrap());
    static QUOTED: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#""[^"]*"|'[^']*'"#).unwrap());
    static ELEMENT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)^<\s*(script|iframe|svg|math|object|embed|style)\b").unwrap()
    });
    static ATTR: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i)\s(on[a-z]+|style)\s*=").unwrap());
    static JS_URL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"(?i)\s(href|src|action|formaction)\s*=\s*["']?\s*javascript:"#)
            .unwrap()
    });
    TAG.find_iter(html).map(|m| m.as_str()).find_map(|tag| {
        let bare = QUOTED.replace_all(tag, "\"\"");
        (ELEMENT.is_match(tag) || ATTR.is_match(&bare) || JS_URL.is_match(tag))
            .then(|| tag.to_string())
    })
}

const XSS: &[&str] = &[
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">bấm</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<p onclick=\"alert(1)\">đoạn",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
];

#[tokio::test]
async fn an_xss_corpus_comes_back_inert_everywhere() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let mut ids = Vec::new();
        for (i, payload) in XSS.iter().enumerate() {
            let body = json!({
                "kind": "press_release", "category": "khac", "title": format!("Tiêu đề {i} {payload}"),
                "summary": format!("Tóm tắt {payload}"), "body": format!("<p>Nội dung {i}</p>{payload}"),
                "places": [payload], "tags": [format!("thẻ {payload}")], "audience": "public"
            });
            ids.push(publish(&officer, &leader, &body, Until::Published).await);
        }
        // Through the editor form too.
        let b = s.browser();
        b.login("tuyentruyen", DEMO_PASSWORD).await;
        let r = b
            .submit(
                "/newsroom/new",
                "/newsroom",
                &[
                    ("kind", "press_release"),
                    ("category", "khac"),
                    ("title", XSS[0]),
                    ("summary", XSS[1]),
                    ("body", &format!("Nội dung {}", XSS[3])),
                    ("places", ""),
                    ("tags", ""),
                    ("audience", "public"),
                    ("embargo_until", ""),
                    ("incident_id", ""),
                    ("unit_id", ""),
                    ("spokesperson_id", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let form_id = r.headers()["location"]
            .to_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // Live markup only: an escaped "&lt;script&gt;" shown as text is inert.
        let dangerous = live_markup;
        // The checker itself catches live markup and lets escaped text pass.
        assert!(dangerous("<p><img src=x onerror=alert(1)></p>").is_some());
        assert!(dangerous("<a href=\"javascript:alert(1)\">x</a>").is_some());
        assert!(dangerous("<svg><circle/></svg>").is_some());
        assert!(dangerous(
            "<p>&lt;img src=x onerror=alert(1)&gt;</p><meta content=\"a onerror=b\">"
        )
        .is_none());
        let mut pages = vec![
            "/tin".to_string(),
            "/feeds/bulletins.atom".to_string(),
            "/sitemap.xml".to_string(),
        ];
        for id in &ids {
            pages.push(format!("/tin/{id}"));
            pages.push(format!("/tin/{id}/print"));
        }
        for p in &pages {
            let (_, html) = text(&s, p).await;
            assert_eq!(dangerous(&html), None, "{p} on {}", backend.name());
            if p.ends_with(".atom") {
                // The HTML inside the feed, once unescaped, is clean too.
                let feed = atom_syndication::Feed::read_from(html.as_bytes()).unwrap();
                for e in feed.entries() {
                    let content = e.content().and_then(|c| c.value()).unwrap_or("");
                    assert_eq!(dangerous(content), None, "feed entry {}", e.id());
                }
            }
        }
        for p in [
            format!("/newsroom/b/{form_id}"),
            format!("/newsroom/b/{form_id}/edit"),
            "/newsroom".to_string(),
            format!("/newsroom/b/{}/edit", ids[2]),
        ] {
            let (_, html) = b.text(&p).await;
            assert_eq!(dangerous(&html), None, "desk page {p}");
        }
        let (_, list) = s.api(None).get("/api/v1/bulletins").await;
        for d in list.as_array().unwrap() {
            assert_ninjs(d);
            let body = d["bodies"][0]["value"].as_str().unwrap_or("");
            assert_eq!(dangerous(body), None, "ninjs body {}", d["uri"]);
        }
        // Titles are text: escaped where shown, stored as typed.
        let (_, page) = text(&s, &format!("/tin/{}", ids[0])).await;
        assert!(page.contains("&lt;script&gt;alert("));
    }
}

#[tokio::test]
async fn bad_newsroom_input_is_a_clear_4xx() {
    let s = Server::start(&common::Backend::Sqlite).await;
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let (st, p) = officer
        .post("/api/v1/bulletins", &json!({"kind": "rumour", "category": "gossip", "title": "", "summary": "", "body": "<script></script>", "audience": "everyone", "embargo_until": "ngày mai", "incident_id": "nope", "unit_ids": ["x"], "spokesperson_id": "y"}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "kind",
        "category",
        "title",
        "summary",
        "body",
        "audience",
        "embargo_until",
        "incident_id",
        "unit_ids",
        "spokesperson_id",
    ] {
        assert!(fields.contains(&f), "{f} not reported: {fields:?}");
    }
    let (st, _) = officer
        .send(
            Method::PUT,
            "/api/v1/bulletins/00000000-0000-7000-8000-000000000000",
            &draft("x"),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.api(None).get("/api/v1/bulletins/not-an-id").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.api(None).get("/api/v1/bulletins?from=32/13/2025").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // A journalist cannot draft.
    let j = s.api(Some(&s.token_for("pv.ttxvn").await));
    assert_eq!(
        j.post("/api/v1/bulletins", &draft("x")).await.0,
        StatusCode::FORBIDDEN
    );
    // A correction needs its note; a withdrawal its reason.
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    let id = publish(
        &officer,
        &leader,
        &draft("Tin để đính chính"),
        Until::Published,
    )
    .await;
    let (st, p) = officer
        .post(
            &format!("/api/v1/bulletins/{id}/correct"),
            &json!({"content": draft("Tin để đính chính")}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "note");
    let (st, _) = leader
        .post(&format!("/api/v1/bulletins/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Published items are corrected, not edited.
    assert_eq!(
        officer
            .send(Method::PUT, &format!("/api/v1/bulletins/{id}"), &draft("x"))
            .await
            .0,
        StatusCode::CONFLICT
    );
}

/// Regression (four eyes bypassed by editing): a spokesperson edited someone else's
/// submitted bulletin and then approved it, so nobody else read the approved text. An edit
/// after submission now returns the bulletin to draft, and whoever wrote any version may
/// not approve it — on the API and on the desk page alike.
#[tokio::test]
async fn four_eyes_hold_when_the_approver_edits_first() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let speaker_browser = s.browser();
        speaker_browser.login("phatngon", DEMO_PASSWORD).await;
        let speaker = s.api(Some(&speaker_browser.create_token("t").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let (_, b) = officer
            .post("/api/v1/bulletins", &draft("Tin cần hai người duyệt"))
            .await;
        let id = b["id"].as_str().unwrap().to_string();
        officer
            .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
            .await;
        // The spokesperson changes the submitted text...
        let mut edited = draft("Tin cần hai người duyệt");
        edited["body"] = json!("Nội dung do người duyệt tự viết lại.");
        let (st, b) = speaker
            .send(Method::PUT, &format!("/api/v1/bulletins/{id}"), &edited)
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(
            b["state"], "draft",
            "an edit after submission returns to draft"
        );
        // ... and cannot approve what they wrote, even after resubmitting.
        let (st, _) = speaker
            .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "a draft is not approvable");
        let (st, _) = speaker
            .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, p) = speaker
            .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
        // The desk page offers no approve button to a co-author either.
        let (_, page) = speaker_browser.text(&format!("/newsroom/b/{id}")).await;
        assert!(
            !page.contains("/do/approve"),
            "approve offered to a co-author"
        );
        // A third person approves.
        let (st, b) = leader
            .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        // A file is content too: whoever adds one is an author (found by an attack: the
        // approver attached a picture, the author resubmitted, the approver approved).
        let (_, b2) = officer
            .post("/api/v1/bulletins", &draft("Tin có ảnh của người duyệt"))
            .await;
        let id2 = b2["id"].as_str().unwrap().to_string();
        officer
            .post(&format!("/api/v1/bulletins/{id2}/submit"), &json!({}))
            .await;
        let png = {
            let img = image::RgbaImage::from_pixel(8, 8, image::Rgba([1, 2, 3, 255]));
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        let speaker_token = speaker_browser.create_token("anh").await;
        let r = reqwest::Client::new()
            .post(s.url(&format!("/api/v1/bulletins/{id2}/attachments")))
            .bearer_auth(&speaker_token)
            .multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(png).file_name("anh.png"),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        officer
            .post(&format!("/api/v1/bulletins/{id2}/submit"), &json!({}))
            .await;
        let (st, p) = speaker
            .post(&format!("/api/v1/bulletins/{id2}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "an uploader approved: {p}");
        // Editing an approved bulletin voids the approval too.
        let (st, b) = officer
            .send(
                Method::PUT,
                &format!("/api/v1/bulletins/{id}"),
                &draft("Tin sửa sau khi duyệt"),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "draft");
        assert!(b["approved_by"].is_null());
    }
}

/// Regression (releasing through "correct"): a press officer alone turned an approved,
/// press-only, embargoed bulletin public by a correction changing `audience` and
/// `embargo_until`. A correction changes the text; audience and embargo stay as approved.
/// With `corrections_need_approval`, only those who may approve correct.
#[tokio::test]
async fn a_correction_cannot_release_what_was_approved_as_restricted() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let mut body = draft("Kế hoạch chỉ dành cho báo chí");
        body["audience"] = json!("press");
        body["embargo_until"] = json!("2099-01-01T08:00:00+07:00");
        let id = publish(&officer, &leader, &body, Until::Published).await;
        for (field, value) in [
            ("audience", json!("public")),
            ("embargo_until", json!(null)),
        ] {
            let mut content = body.clone();
            content[field] = value;
            let (st, p) = officer
                .post(
                    &format!("/api/v1/bulletins/{id}/correct"),
                    &json!({"note": "Sửa", "content": content}),
                )
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {p}");
        }
        // Within the approved minute, the approved embargo is kept to the millisecond
        // (an attack moved it by up to 59.999 s).
        let mut content = body.clone();
        content["embargo_until"] = json!("2099-01-01T08:00:59.999+07:00");
        let (st, b) = officer
            .post(
                &format!("/api/v1/bulletins/{id}/correct"),
                &json!({"note": "Sửa", "content": content}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(b["embargo_until"], json!(4070912400000i64), "{b}");
        let (_, b) = officer.get(&format!("/api/v1/bulletins/{id}")).await;
        let (st, _) = reqwest::get(s.url(&format!("/tin/{id}")))
            .await
            .map(|r| (r.status(), ()))
            .unwrap();
        assert_eq!(
            st,
            StatusCode::NOT_FOUND,
            "still hidden from the public: {b}"
        );
        // A text correction with the same release goes through.
        let mut content = body.clone();
        content["summary"] = json!("Tóm tắt đã đính chính");
        let (st, b) = officer
            .post(
                &format!("/api/v1/bulletins/{id}/correct"),
                &json!({"note": "Sửa tóm tắt", "content": content}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(b["audience"], "press");
    }
    let opts = common::Options {
        toml: Some("[newsroom]\ncorrections_need_approval = true\n".into()),
        ..Default::default()
    };
    let s = Server::start_with(&common::Backend::Sqlite, opts).await;
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    let body = draft("Tin cần duyệt đính chính");
    let id = publish(&officer, &leader, &body, Until::Published).await;
    let req = json!({"note": "Sửa", "content": body});
    let (st, _) = officer
        .post(&format!("/api/v1/bulletins/{id}/correct"), &req)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = leader
        .post(&format!("/api/v1/bulletins/{id}/correct"), &req)
        .await;
    assert_eq!(st, StatusCode::OK);
}

/// Regressions of the public read path: lists and feeds answered 500 once larger than the
/// cache's entry limit (twelve long bulletins); the cache grew without a byte bound on
/// arbitrary query strings; public responses had no validators and never answered 304;
/// signed-in pages could be stored by caches.
#[tokio::test]
async fn the_public_cache_is_bounded_and_speaks_http_caching() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let paragraph =
            "Công an tỉnh thông tin về kết quả đợt cao điểm tấn công trấn áp tội phạm. ";
        for i in 0..12 {
            let mut body = draft(&format!("Báo cáo dài số {i}"));
            body["body"] = json!(paragraph.repeat(1_900)); // 190 kB each
            publish(&officer, &leader, &body, Until::Published).await;
        }
        for path in [
            "/tin",
            "/feeds/bulletins.atom",
            "/api/v1/bulletins",
            "/sitemap.xml",
        ] {
            for round in 0..2 {
                let (st, body) = text(&s, path).await;
                assert_eq!(st, StatusCode::OK, "{path} (round {round})");
                assert!(body.len() > 1000, "{path}");
            }
        }
        let (_, feed) = text(&s, "/feeds/bulletins.atom").await;
        assert!(
            feed.len() < 1_500_000,
            "a feed stays a sane size: {} bytes",
            feed.len()
        );
        feed.parse::<atom_syndication::Feed>()
            .expect("still a valid Atom feed");

        // Arbitrary query strings share one entry.
        for i in 0..150 {
            let (st, _) = text(&s, &format!("/tin?z={i}")).await;
            assert_eq!(st, StatusCode::OK);
        }
        let (_, metrics) = s.metrics().await;
        let entries: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("keng_page_cache_entries "))
            .expect("keng_page_cache_entries in /metrics")
            .trim()
            .parse()
            .unwrap();
        assert!(
            entries < 20.0,
            "{entries} entries after 150 junk query strings"
        );

        // A cached answer (served before the rest of the stack) carries the same headers
        // as the fresh one: type, security headers, validators.
        let client = reqwest::Client::new();
        for path in ["/", "/tin", "/feeds/bulletins.atom", "/sitemap.xml"] {
            let mut seen = Vec::new();
            for _ in 0..3 {
                let r = client.get(s.url(path)).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK, "{path}");
                for h in [
                    "content-type",
                    "content-security-policy",
                    "x-frame-options",
                    "x-content-type-options",
                    "referrer-policy",
                    "permissions-policy",
                    "etag",
                ] {
                    assert!(r.headers().contains_key(h), "{path}: {h}");
                }
                let mut names: Vec<String> = r
                    .headers()
                    .keys()
                    .map(|k| k.as_str().to_string())
                    .filter(|k| k != "date" && k != "content-length")
                    .collect();
                names.sort();
                seen.push(names);
            }
            assert!(seen.windows(2).all(|w| w[0] == w[1]), "{path}: {seen:?}");
        }

        // Validators and 304.
        let first = client
            .get(s.url("/feeds/bulletins.atom"))
            .send()
            .await
            .unwrap();
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_string();
        let again = client
            .get(s.url("/feeds/bulletins.atom"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        let since = client
            .get(s.url("/feeds/bulletins.atom"))
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(since.status(), StatusCode::NOT_MODIFIED);
        // A new publication changes the validator.
        publish(
            &officer,
            &leader,
            &draft("Tin mới đổi ETag"),
            Until::Published,
        )
        .await;
        let changed = client
            .get(s.url("/feeds/bulletins.atom"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);

        // Signed-in responses are never stored; every response has a Permissions-Policy.
        let b = s.browser();
        b.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        for path in [
            "/profile",
            "/press",
            "/tin",
            "/khong-co",
            "/newsroom",
            "/tin?page=abc",
        ] {
            let r = b.get(path).await;
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
            assert!(r.headers().contains_key("permissions-policy"), "{path}");
            assert!(
                !r.headers().contains_key("strict-transport-security"),
                "plain http: no HSTS"
            );
        }
    }
    let opts = common::Options {
        toml: Some("public_base_url = \"https://congan.example.vn\"\n".into()),
        ..Default::default()
    };
    let s = Server::start_with(&common::Backend::Sqlite, opts).await;
    let r = reqwest::get(s.url("/tin")).await.unwrap();
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

/// Regression: links in feeds, ninjs and the personal feed URL pointed at the default
/// `http://127.0.0.1:8080` whatever address the server listened on. Without a configured
/// `public_base_url`, they use the request's own origin.
#[tokio::test]
async fn links_point_where_the_server_is_reached() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        for path in ["/feeds/bulletins.atom", "/sitemap.xml"] {
            let (_, body) = text(&s, path).await;
            assert!(body.contains(&format!("{}/tin", s.base)), "{path}");
            assert!(!body.contains("127.0.0.1:8080"), "{path}");
        }
        let (_, docs) = s.api(None).get("/api/v1/bulletins").await;
        let uri = docs[0]["uri"].as_str().unwrap_or_default().to_string();
        assert!(uri.starts_with(&s.base), "ninjs uri {uri}");
        let j = s.browser();
        j.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let html = j
            .submit("/press", "/press/feed-token", &[])
            .await
            .text()
            .await
            .unwrap()
            .replace("&#x2f;", "/");
        assert!(
            html.contains(&format!("{}/feeds/press/", s.base)),
            "personal feed URL"
        );
    }
    let db = common::TestDb::new(&common::Backend::Sqlite).await;
    let out = db.command().arg("check").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("public_base_url is not set"), "{said}");
}

/// The 24-hour clock tells the truth: while an initial information is on its way the
/// desk shows it instead of inviting a second one; its publication meets the duty; its
/// withdrawal — the only one — opens the duty again.
#[tokio::test]
async fn the_clock_follows_the_initial_information_it_waits_for() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, inc) = officer
            .post(
                "/api/v1/incidents",
                &json!({"title": "Sạt lở đất trên Quốc lộ 217", "place": "Xã Cẩm Thuỷ",
                        "occurred_at": "2026-11-29T06:00:00+07:00", "public_concern": true}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{inc}");
        let inc_id = inc["id"].as_str().unwrap().to_string();
        let write_link = format!("/newsroom/new?incident={inc_id}");
        let incident = |api: &Api| {
            let inc_id = inc_id.clone();
            let api = api.clone();
            async move {
                let (_, list) = api.get("/api/v1/incidents").await;
                list.as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["id"] == inc_id.as_str())
                    .cloned()
                    .unwrap()
            }
        };
        let (_, html) = desk.text("/newsroom").await;
        assert!(
            html.contains(&write_link),
            "an open duty invites the initial information"
        );

        let mut body = draft("Thông tin ban đầu về vụ sạt lở trên Quốc lộ 217");
        body["kind"] = json!("initial_information");
        body["incident_id"] = json!(inc_id);
        let (st, b) = officer.post("/api/v1/bulletins", &body).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let draft_id = b["id"].as_str().unwrap().to_string();
        let (_, html) = desk.text("/newsroom").await;
        assert!(
            !html.contains(&write_link) && html.contains(&format!("/newsroom/b/{draft_id}")),
            "a pending initial information is shown instead of a second invitation"
        );
        officer
            .post(&format!("/api/v1/bulletins/{draft_id}/submit"), &json!({}))
            .await;
        let (_, html) = desk.text("/newsroom").await;
        assert!(
            !html.contains(&write_link),
            "still on its way while it awaits approval"
        );
        leader
            .post(&format!("/api/v1/bulletins/{draft_id}/approve"), &json!({}))
            .await;
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{draft_id}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            incident(&officer).await["first_info_at"].is_i64(),
            "the duty is met"
        );

        let (st, b) = leader
            .post(
                &format!("/api/v1/bulletins/{draft_id}/withdraw"),
                &json!({"note": "Thông tin chưa chính xác về vị trí."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let i = incident(&officer).await;
        assert!(i["first_info_at"].is_null(), "the duty is open again: {i}");
        let (_, html) = desk.text("/newsroom").await;
        assert!(
            html.contains(&write_link),
            "the desk invites a new initial information"
        );

        // A second one published meets it again; withdrawing an older, other one does not
        // reopen it.
        let again = publish(&officer, &leader, &body, Until::Published).await;
        assert!(incident(&officer).await["first_info_at"].is_i64());
        let (_, html) = desk.text("/newsroom").await;
        assert!(!html.contains(&write_link));
        assert!(!again.is_empty());
    }
}

/// The public home page is the news: the incidents being followed, the latest items, the
/// search box and the hotlines — the same bytes for every visitor, with no cookie, so it
/// is served from the page cache; a publication shows on it at once. Pages with a form
/// still get their CSRF cookie.
#[tokio::test]
async fn the_public_home_page_shows_the_news_from_the_cache() {
    async fn hits(s: &Server) -> u64 {
        let (_, m) = s.metrics().await;
        m.lines()
            .find(|l| l.starts_with(r#"keng_page_cache_total{result="hit"}"#))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<f64>().ok())
            .map_or(0, |n| n as u64)
    }
    for backend in backends() {
        let s = Server::start(&backend).await;
        let r = reqwest::get(s.url("/")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers().get("set-cookie").is_none(),
            "no cookie on the public home"
        );
        let home = r.text().await.unwrap();
        for expected in [
            "Thông tin ban đầu về vụ cháy kho hàng tại phường Nguyệt Viên",
            "href=\"/vu-viec/",
            "action=\"/tim-kiem\"",
            "href=\"tel:113\"",
            "href=\"/register\"",
        ] {
            assert!(home.contains(expected), "the home page lacks {expected}");
        }
        assert!(
            !home.contains("Kế hoạch ra quân cao điểm"),
            "press-only items stay off the public home"
        );
        // Served from the cache once the log has settled.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        reqwest::get(s.url("/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let before = hits(&s).await;
        let again = reqwest::get(s.url("/")).await.unwrap();
        assert!(again.headers().get("etag").is_some());
        again.text().await.unwrap();
        assert_eq!(
            hits(&s).await,
            before + 1,
            "the second visit is a cache hit"
        );

        // A publication is on it at once.
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        publish(
            &officer,
            &leader,
            &draft("Tin mới trên trang chủ"),
            Until::Published,
        )
        .await;
        let (_, home) = text(&s, "/").await;
        assert!(home.contains("Tin mới trên trang chủ"));

        // A page with a form sets the anonymous CSRF cookie, and is not cached.
        let r = reqwest::get(s.url("/login")).await.unwrap();
        assert!(r
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or("").starts_with("keng_csrf=")));
        // In English (chosen with the language switch), the same structure.
        let en = reqwest::Client::new()
            .get(s.url("/"))
            .header("cookie", "keng_lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            en.contains("Hotlines") && en.contains("Latest"),
            "English home"
        );
    }
}

/// The approver sends a bulletin back with what to change: it returns to draft, the
/// author sees the comment on their desk and in the bulletin's history, and submitting
/// again clears it. The author cannot send back their own; a comment is required. A
/// press officer is told who may withdraw. Recording an incident confirms it and its
/// place and unit carry into the initial information; a bulletin that names no
/// spokesperson names the one on duty, whose contact is on the public page.
#[tokio::test]
async fn request_changes_and_the_other_workflow_gaps() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader_api = s.api(Some(&s.token_for("giamdoc").await));
        let id = publish(
            &officer,
            &leader_api,
            &draft("Tin cần sửa"),
            Until::Approved,
        )
        .await;
        // Approved is past review; a fresh one for the round trip.
        let (_, b) = officer
            .post("/api/v1/bulletins", &draft("Tin gửi lại"))
            .await;
        let back = b["id"].as_str().unwrap().to_string();
        officer
            .post(&format!("/api/v1/bulletins/{back}/submit"), &json!({}))
            .await;
        // The author may not send back their own; a comment is required.
        let (st, _) = officer
            .post(
                &format!("/api/v1/bulletins/{back}/request_changes"),
                &json!({"note": "tự sửa"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, p) = leader_api
            .post(
                &format!("/api/v1/bulletins/{back}/request_changes"),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        // The leader does it on the desk page.
        let leader = s.browser();
        leader.login("giamdoc", DEMO_PASSWORD).await;
        let page = format!("/newsroom/b/{back}");
        let (_, html) = leader.text(&page).await;
        assert!(html.contains(&format!("/newsroom/b/{back}/do/request_changes")));
        let r = leader
            .submit(
                &page,
                &format!("/newsroom/b/{back}/do/request_changes"),
                &[(
                    "note",
                    "Bổ sung số điện thoại đường dây nóng của công an xã.",
                )],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (_, html) = desk.text(&page).await;
        assert!(html.contains("Bổ sung số điện thoại đường dây nóng của công an xã."));
        assert!(
            html.contains("Yêu cầu chỉnh sửa"),
            "the author sees the request"
        );
        assert!(
            html.contains(&format!("/newsroom/b/{back}/do/submit")),
            "back to draft"
        );
        officer
            .post(&format!("/api/v1/bulletins/{back}/submit"), &json!({}))
            .await;
        let (_, html) = desk.text(&page).await;
        assert!(
            !html.contains("class=\"notice review\""),
            "cleared when submitted again"
        );
        assert!(
            html.contains("Yêu cầu chỉnh sửa") && html.contains("Bổ sung số điện thoại"),
            "the request stays in the history"
        );

        // Who may withdraw, for the press officer.
        officer
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        let (_, html) = desk.text(&format!("/newsroom/b/{id}")).await;
        assert!(!html.contains("/do/withdraw"));
        assert!(html.contains("Chỉ lãnh đạo hoặc người phát ngôn được gỡ tin"));

        // The on-duty spokesperson is named and reachable on the public page.
        let (_, me) = s
            .api(Some(&s.token_for("phatngon").await))
            .get("/api/v1/me")
            .await;
        let (_, html) = text(&s, &format!("/tin/{id}")).await;
        assert!(
            html.contains("Trần Quốc Hùng"),
            "the spokesperson's contact is shown"
        );
        assert!(me["id"].is_string());

        // An incident recorded: confirmed, and its place and unit carried into the form.
        let (_, units) = officer.get("/api/v1/units").await;
        let unit = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "CAX-QUANGXUONG")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = desk
            .submit(
                "/newsroom/incidents/new",
                "/newsroom/incidents",
                &[
                    ("title", "Lốc xoáy làm tốc mái nhà dân"),
                    ("place", "Xã Quảng Xương"),
                    ("unit_id", &unit),
                    ("occurred_at", "2026-11-29T15:00"),
                    ("public_concern", "1"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.contains("done=incident_saved"), "{to}");
        let (_, html) = desk.text(&to).await;
        assert!(html.contains("Đã ghi nhận vụ việc"), "confirmed");
        assert!(
            html.contains("value=\"Xã Quảng Xương\""),
            "the place is carried"
        );
        assert!(
            html.contains(&format!("value=\"{unit}\" selected")),
            "the unit is carried"
        );
    }
}

/// Forms say what is wrong and how to fix it: a line break in the summary is joined,
/// not refused; an over-long title names its limit (which the form shows before); an
/// unchosen category asks for a choice; each message names its field.
#[tokio::test]
async fn form_messages_name_the_field_and_the_fix() {
    let s = Server::start(&common::Backend::Sqlite).await;
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let mut body = draft("Tin có tóm tắt nhiều dòng");
    body["summary"] = json!("Dòng thứ nhất của tóm tắt,\r\n  dòng thứ hai\tcó tab.");
    let (st, b) = officer.post("/api/v1/bulletins", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(
        b["summary"], "Dòng thứ nhất của tóm tắt, dòng thứ hai có tab.",
        "whitespace is joined"
    );
    let mut long = draft(&"Tiêu đề rất dài ".repeat(30));
    long["category"] = json!("");
    let (st, p) = officer.post("/api/v1/bulletins", &long).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let message = |field: &str| {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .map(|e| e["message"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(message("title"), "Dài quá 300 ký tự; hãy rút gọn.");
    assert_eq!(message("category"), "Hãy chọn một mục trong danh sách.");
    // The form shows the limits before they are hit.
    let desk = s.browser();
    desk.login("tuyentruyen", DEMO_PASSWORD).await;
    let (_, html) = desk.text("/newsroom/new").await;
    assert!(html.contains(r#"id="f-title" name="title" type="text" value="" maxlength="300""#));
    assert!(html.contains(r#"maxlength="1000""#) && html.contains("Tối đa 300 ký tự."));
    // On the page, the error names the field.
    let r = desk
        .submit(
            "/newsroom/new",
            "/newsroom",
            &[
                ("kind", "press_release"),
                ("category", ""),
                ("title", "x"),
                ("summary", "y"),
                ("body", "z"),
                ("audience", "public"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Lĩnh vực</a>: Hãy chọn một mục trong danh sách."),
        "{html}"
    );
}

/// The desk through the API: drafts readable by staff, what awaits the caller's
/// decision, the steps the caller may take (the desk page's rule), versions and their
/// differences; not for journalists or the public.
#[tokio::test]
async fn the_desk_is_readable_through_the_api() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let (_, b) = officer
            .post("/api/v1/bulletins", &draft("Tin trên bàn biên tập"))
            .await;
        let id = b["id"].as_str().unwrap().to_string();
        let (st, item) = officer.get(&format!("/api/v1/desk/bulletins/{id}")).await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert_eq!(item["bulletin"]["state"], "draft");
        assert_eq!(item["actions"], json!(["submit"]));
        let (st, drafts) = leader.get("/api/v1/desk/bulletins?state=draft").await;
        assert_eq!(st, StatusCode::OK);
        assert!(drafts
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["bulletin"]["id"] == id.as_str()));
        // A second version, then submitted: it awaits the leader, not its author.
        let mut edited = draft("Tin trên bàn biên tập");
        edited["summary"] = json!("Tóm tắt đã sửa sau khi rà soát.");
        let (st, _) = officer
            .send(Method::PUT, &format!("/api/v1/bulletins/{id}"), &edited)
            .await;
        assert_eq!(st, StatusCode::OK);
        officer
            .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
            .await;
        let (_, mine) = leader.get("/api/v1/desk/bulletins?awaiting_me=true").await;
        let it = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["bulletin"]["id"] == id.as_str())
            .expect("awaits the leader");
        assert_eq!(it["actions"], json!(["approve", "request_changes"]));
        let (_, theirs) = officer.get("/api/v1/desk/bulletins?awaiting_me=true").await;
        assert!(
            !theirs
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["bulletin"]["id"] == id.as_str()),
            "not the author's decision"
        );
        let (st, versions) = leader
            .get(&format!("/api/v1/desk/bulletins/{id}/versions"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(versions.as_array().unwrap().len(), 2);
        let (st, d) = leader
            .get(&format!("/api/v1/desk/bulletins/{id}/diff"))
            .await;
        assert_eq!(st, StatusCode::OK, "{d}");
        assert!(d["summary"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["op"] == "ins" && c["text"].as_str().unwrap().contains("sửa")));
        let (st, _) = leader
            .get(&format!("/api/v1/desk/bulletins/{id}/diff?from=7&to=9"))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = leader.get("/api/v1/desk/bulletins?state=gossip").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = leader
            .get("/api/v1/desk/bulletins/00000000-0000-7000-8000-000000000000")
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let (st, _) = journalist
            .get(&format!("/api/v1/desk/bulletins/{id}"))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.api(None).get("/api/v1/desk/bulletins").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn an_edit_racing_a_publication_never_publishes_what_nobody_approved() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let empty = serde_json::json!({});
        for round in 0..5 {
            let body = serde_json::json!({"kind": "press_release", "category": "khac", "title": format!("Đã duyệt {round}"), "summary": "s", "body": "b", "audience": "public"});
            let id = common::publish(&officer, &leader, &body, common::Until::Approved).await;
            let mut edited = body.clone();
            edited["title"] = serde_json::json!(format!("Chưa ai duyệt {round}"));
            let path = format!("/api/v1/bulletins/{id}");
            let publish_path = format!("{path}/publish");
            let (put, publish) = tokio::join!(
                officer.send(reqwest::Method::PUT, &path, &edited),
                officer.post(&publish_path, &empty)
            );
            let mut statuses = [put.0.as_u16(), publish.0.as_u16()];
            statuses.sort();
            assert_eq!(statuses, [200, 409], "round {round}: {put:?} {publish:?}");
            let (_, desk) = leader.get(&format!("/api/v1/desk/bulletins/{id}")).await;
            let text = desk.to_string();
            if text.contains("\"published\"") {
                assert!(
                    !text.contains("Chưa ai duyệt"),
                    "published what nobody approved: {text}"
                );
            }
        }
    }
}
