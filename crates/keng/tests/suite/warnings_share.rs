//! Warnings made to be shared and drawn, against the real binary on every backend: the
//! share cards (PNG of the right size, rendered once and then served from the page
//! cache, redrawn after a cancellation, previews of drafts for staff only), the posts in
//! three lengths, the A4 poster; black spots and road segments recorded by the press
//! office, named by a traffic warning (a CAP circle each, still valid against the XSD),
//! drawn on the public sketch, retired without leaving the warnings that named them;
//! bad places refused in the user's language.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{backends, Api, Server, DEMO_PASSWORD};
use crate::warnings::{assert_valid_cap, published_bulletin, scam_warning};

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let n = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (n(16), n(20))
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of `<pre id="{id}" …>…</pre>` on a page.
fn pre(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("<pre id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"));
    let body = &html[start..];
    let open = body.find('>').unwrap() + 1;
    let close = body.find("</pre>").unwrap();
    unescape(&body[open..close])
}

async fn step(who: &Api, id: &str, step: &str, body: Value) -> (StatusCode, Value) {
    who.post(&format!("/api/v1/warnings/{id}/{step}"), &body)
        .await
}

#[tokio::test]
async fn a_warning_becomes_a_card_a_poster_and_posts_and_its_card_follows_its_changes() {
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
        let card = |shape: &str| format!("/chia-se/canh-bao/{id}/{shape}.png");
        // A draft: no public card; the desk previews it, privately.
        assert_eq!(
            reqwest::get(s.url(&card("wide"))).await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let preview = desk.get(&format!("/warnings/{id}/card/square.png")).await;
        assert_eq!(preview.status(), StatusCode::OK);
        assert!(preview.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store"));
        assert_eq!(png_size(&preview.bytes().await.unwrap()), (1080, 1080));
        let (_, view) = desk.text(&format!("/warnings/{id}")).await;
        assert!(view.contains("post-short"), "the desk shows the posts");
        let outsider = s.browser();
        outsider.login("pv.ttxvn", DEMO_PASSWORD).await;
        assert_eq!(
            outsider
                .get(&format!("/warnings/{id}/card/wide.png"))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );

        for (who, name) in [
            (&officer, "submit"),
            (&leader, "approve"),
            (&officer, "publish"),
        ] {
            let (st, body) = step(who, &id, name, json!({})).await;
            assert_eq!(st, StatusCode::OK, "{name}: {body}");
        }
        // The cards: PNGs of the two sizes, cached for anonymous readers.
        let mut etags = Vec::new();
        for (shape, size) in [("wide", (1200, 630)), ("square", (1080, 1080))] {
            let r = reqwest::get(s.url(&card(shape))).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{shape}");
            assert_eq!(r.headers()["content-type"], "image/png");
            let etag = r.headers()["etag"].to_str().unwrap().to_string();
            let bytes = r.bytes().await.unwrap();
            assert_eq!(png_size(&bytes), size, "{shape}");
            assert!(
                bytes.len() > 20_000,
                "{shape}: text drawn, not a blank card"
            );
            let again = reqwest::Client::new()
                .get(s.url(&card(shape)))
                .header("if-none-match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{shape}: cached");
            etags.push((etag, bytes));
        }
        assert_eq!(
            reqwest::get(s.url(&format!("/chia-se/canh-bao/{id}/round.png")))
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        // The page: Open Graph image, the three posts, the poster's link.
        let html = reqwest::get(s.url(&format!("/canh-bao/{id}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            unescape(&html).contains(&format!("content=\"{}\"", s.url(&card("wide")))),
            "og:image"
        );
        let (short, medium, long) = (
            pre(&html, "post-short"),
            pre(&html, "post-medium"),
            pre(&html, "post-long"),
        );
        let page_url = s.url(&format!("/canh-bao/{id}"));
        for (post, limit) in [(&short, 160), (&medium, 500), (&long, 2000)] {
            assert!(
                post.chars().count() <= limit,
                "{} > {limit}: {post}",
                post.chars().count()
            );
            assert!(post.contains(&page_url), "the link, whole: {post}");
            assert!(post.contains("113"), "whom to call: {post}");
        }
        assert!(!short.contains('\n'));
        assert!(
            long.contains("Không chuyển tiền") && long.contains("Gọi từ số lạ"),
            "{long}"
        );
        assert!(long.contains('#'), "hashtags: {long}");
        assert!(html.contains(&format!("/canh-bao/{id}/in")));
        let poster = reqwest::get(s.url(&format!("/canh-bao/{id}/in")))
            .await
            .unwrap();
        assert_eq!(poster.status(), StatusCode::OK);
        let poster = poster.text().await.unwrap();
        assert!(
            poster.contains("class=\"poster") && poster.contains("<svg"),
            "poster with QR"
        );
        assert!(poster.contains("Gọi từ số lạ, gọi video mặc sắc phục"));

        // Cancelled: the card is drawn again (grey, with the reason), not served stale.
        let (st, body) = step(
            &officer,
            &id,
            "cancel",
            json!({"note": "Đã có cảnh báo thay thế"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let r = reqwest::get(s.url(&card("wide"))).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_ne!(
            r.headers()["etag"].to_str().unwrap(),
            etags[0].0,
            "a new card after the cancel"
        );
        assert_ne!(r.bytes().await.unwrap(), etags[0].1);

        // Expired: the card and the poster say so once validity ends (no event then).
        let mut soon = scam_warning(&bulletin);
        let until = chrono::Utc::now() + chrono::Duration::seconds(6);
        soon["valid_until"] = json!(until.to_rfc3339());
        let (st, w) = officer.post("/api/v1/warnings", &soon).await;
        assert_eq!(st, StatusCode::CREATED, "{w}");
        let id = w["id"].as_str().unwrap().to_string();
        for (who, name) in [
            (&officer, "submit"),
            (&leader, "approve"),
            (&officer, "publish"),
        ] {
            assert_eq!(
                step(who, &id, name, json!({})).await.0,
                StatusCode::OK,
                "{name}"
            );
        }
        let path = format!("/chia-se/canh-bao/{id}/wide.png");
        let before = reqwest::get(s.url(&path)).await.unwrap();
        let before_tag = before.headers()["etag"].to_str().unwrap().to_string();
        let wait = (until - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(wait + std::time::Duration::from_millis(500)).await;
        let after = reqwest::get(s.url(&path)).await.unwrap();
        assert_eq!(after.status(), StatusCode::OK);
        assert_ne!(
            after.headers()["etag"].to_str().unwrap(),
            before_tag,
            "redrawn as expired"
        );
        let poster = reqwest::get(s.url(&format!("/canh-bao/{id}/in")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            poster.contains("hết hiệu lực"),
            "the poster says it has expired"
        );
    }
}

#[tokio::test]
async fn black_spots_are_named_by_a_traffic_warning_drawn_and_retired() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let anon = s.api(None);
        let spot = json!({
            "kind": "black_spot", "route": "ql1a", "name": "Km 300+100, cầu Hoàng Long",
            "note": "Cầu hẹp, xe tải và xe máy đi chung làn", "points": "19.8902,105.8105",
        });
        // Who may: the press office; not the press, not the public.
        assert_eq!(
            journalist.post("/api/v1/road-places", &spot).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            anon.post("/api/v1/road-places", &spot).await.0,
            StatusCode::UNAUTHORIZED
        );
        // Bad places: a clear 422 in the user's language, nothing saved.
        let (_, before) = anon.get("/api/v1/road-places").await;
        for (bad, field, words) in [
            (json!({"points": "105.8105,19.8902"}), "points", "đảo chỗ"),
            (
                json!({"points": "19.89,105.81 19.90,105.82"}),
                "points",
                "đúng một cặp",
            ),
            (json!({"points": "19.89;105.81"}), "points", "vĩ độ,kinh độ"),
            (json!({"points": "NaN,105.81"}), "points", "vĩ độ,kinh độ"),
            (json!({"kind": "hole"}), "kind", ""),
            (json!({"route": "<b>QL1A</b>"}), "route", ""),
        ] {
            let mut body = spot.clone();
            for (k, v) in bad.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (st, problem) = officer.post("/api/v1/road-places", &body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
            let text = problem.to_string();
            assert!(
                text.contains(field) && text.contains(words),
                "{body}: {problem}"
            );
        }
        let english = reqwest::Client::new()
            .post(s.url("/api/v1/road-places"))
            .bearer_auth(officer.token.as_deref().unwrap())
            .header("accept-language", "en")
            .json(&json!({"kind": "black_spot", "route": "QL1A", "name": "x", "points": "105.81,19.89"}))
            .send()
            .await
            .unwrap();
        assert_eq!(english.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(english.text().await.unwrap().contains("swapped"));
        assert_eq!(
            anon.get("/api/v1/road-places").await.1,
            before,
            "nothing half-saved"
        );

        let (st, place) = officer.post("/api/v1/road-places", &spot).await;
        assert_eq!(st, StatusCode::CREATED, "{place}");
        let place_id = place["id"].as_str().unwrap().to_string();
        assert_eq!(place["route"], "QL1A");
        // A traffic warning names it (and an unknown place is refused).
        let mut w = json!({
            "kind": "traffic",
            "headline": "Cảnh báo cầu Hoàng Long hẹp dịp cao điểm Tết",
            "happened": "Cầu hẹp trên Quốc lộ 1A, lưu lượng xe tăng mạnh dịp Tết.",
            "signs": ["Ùn tắc hai đầu cầu"], "advice": ["Giảm tốc độ, không vượt trên cầu"],
            "contact": "Cảnh sát giao thông hoặc 113",
            "severity": "Moderate", "urgency": "Expected", "certainty": "Likely",
            "area_desc": "Quốc lộ 1A qua cầu Hoàng Long", "routes": ["QL1A"],
            "road_places": ["01a00000-0000-7000-8000-000000000000"],
        });
        let (st, problem) = officer.post("/api/v1/warnings", &w).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(problem.to_string().contains("road_places"), "{problem}");
        w["road_places"] = json!([place_id]);
        let (st, created) = officer.post("/api/v1/warnings", &w).await;
        assert_eq!(st, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        for (who, name) in [
            (&officer, "submit"),
            (&leader, "approve"),
            (&officer, "publish"),
        ] {
            assert_eq!(
                step(who, &id, name, json!({})).await.0,
                StatusCode::OK,
                "{name}"
            );
        }
        // CAP: a circle of 0.5 km around the black spot, valid against the XSD.
        let cap = reqwest::get(s.url(&format!("/cap/{id}.xml")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            cap.contains("<circle>19.8902,105.8105 0.5</circle>"),
            "{cap}"
        );
        assert_valid_cap(&cap);
        // Drawn and listed: on the public list (red: a warning in force) and its page.
        for path in ["/canh-bao".to_string(), format!("/canh-bao/{id}")] {
            let html = reqwest::get(s.url(&path))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                html.contains("<svg") && html.contains("class=\"sketch\""),
                "{path}: a sketch"
            );
            assert!(html.contains("Km 300+100, cầu Hoàng Long"), "{path}");
            assert!(
                html.contains("#a8201a"),
                "{path}: drawn as named by a warning in force"
            );
        }
        // The desk's page shows it too; a form edit with bad points is refused there.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, html) = desk.text("/warnings/roads").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Km 300+100"));
        let r = desk
            .submit(
                &format!("/warnings/roads/{place_id}"),
                &format!("/warnings/roads/{place_id}"),
                &[
                    ("kind", "black_spot"),
                    ("route", "QL1A"),
                    ("name", "x"),
                    ("points", "1,1"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("lãnh thổ Việt Nam"));
        // Retired: gone from the list in use, still on the warning that named it.
        let mut retired = spot.clone();
        retired["active"] = json!(false);
        let (st, p) = officer
            .send(
                Method::PUT,
                &format!("/api/v1/road-places/{place_id}"),
                &retired,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{p}");
        assert_eq!(p["active"], false);
        let (_, list) = anon.get("/api/v1/road-places").await;
        assert!(!list.to_string().contains(&place_id));
        let html = reqwest::get(s.url(&format!("/canh-bao/{id}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Km 300+100, cầu Hoàng Long"));
        // Audited.
        let conn = s.db.open().await;
        let n = conn
            .fetch_one(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity_id = $1",
                keng::args![&place_id],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(n, 2, "created and retired, both audited");
    }
}
