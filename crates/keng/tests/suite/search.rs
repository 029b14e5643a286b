//! Search, on every backend: diacritics and both tone-mark placements find the same
//! bulletin, accented matches rank first, snippets mark the words, the index follows
//! publication, corrections and withdrawals, only what the reader may see is found, and
//! `keng reindex` rebuilds the index from the database.

use crate::common;

use common::{backends, Server};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn search(api: &common::Api, q: &str) -> Vec<Value> {
    let (st, v) = api
        .get(&format!(
            "/api/v1/search?q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array().cloned().unwrap_or_default()
}

async fn eventually(api: &common::Api, q: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..60 {
        let hits = search(api, q).await;
        if pred(&hits) {
            return hits;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    search(api, q).await
}

fn titles(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["title"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn vietnamese_search_with_and_without_diacritics() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let anon = s.api(None);
        // The demo's drug bulletin is found however the words are typed.
        for q in ["ma tuý", "ma túy", "ma tuy", "MA TUY", "tàng trữ trái phép"] {
            let hits = eventually(&anon, q, |h| !h.is_empty()).await;
            assert!(
                titles(&hits).iter().any(|t| t.contains("Thọ Xuân")),
                "{q}: {:?} on {}",
                titles(&hits),
                backend.name()
            );
        }
        // Snippets mark the matched words and escape the rest.
        let hits = search(&anon, "ma tuy").await;
        let snippet = hits[0]["snippet"].as_str().unwrap();
        assert!(
            snippet.contains("<mark>ma</mark> <mark>tuý</mark>"),
            "{snippet}"
        );
        // "Thanh Hóa" and "Thanh Hoá" are one word.
        let a = titles(&search(&anon, "Thanh Hóa").await);
        let b = titles(&search(&anon, "Thanh Hoá").await);
        assert!(!a.is_empty());
        assert_eq!(a, b);

        // Accented matches first: "lúa" (rice) vs "lừa" (deceive) both fold to "lua".
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let mut ids = Vec::new();
        for title in [
            "Trộm lúa giống tại xã Hậu Lộc",
            "Cảnh báo lừa đảo bán lúa giống qua mạng",
        ] {
            let body = json!({"kind": "press_release", "category": "khac", "title": title, "summary": "Tóm tắt.", "body": "Nội dung.", "audience": "public"});
            ids.push(common::publish(&officer, &leader, &body, common::Until::Published).await);
        }
        let hits = eventually(&anon, "lừa", |h| {
            titles(h).iter().any(|t| t.contains("bán lúa"))
        })
        .await;
        assert!(
            titles(&hits)[0].contains("lừa đảo"),
            "accented match first: {:?}",
            titles(&hits)
        );
        let hits = eventually(&anon, "lúa giống", |h| h.len() >= 2).await;
        assert!(titles(&hits).iter().any(|t| t.contains("Trộm lúa")));
        // A withdrawal takes it out of the results.
        leader
            .post(
                &format!("/api/v1/bulletins/{}/withdraw", ids[0]),
                &json!({"note": "trùng"}),
            )
            .await;
        let hits = eventually(&anon, "trộm lúa giống", |h| {
            !titles(h).iter().any(|t| t.contains("Trộm lúa"))
        })
        .await;
        assert!(!titles(&hits).iter().any(|t| t.contains("Trộm lúa")));
        // Press-only items: journalists find them, the public does not; drafts nobody.
        let (_, b) = officer
            .post("/api/v1/bulletins", &json!({"kind": "press_release", "category": "khac", "title": "Kế hoạch bí mật xyzzy", "summary": "s", "body": "b", "audience": "press"}))
            .await;
        let press_id = b["id"].as_str().unwrap().to_string();
        let (_, d) = officer
            .post("/api/v1/bulletins", &json!({"kind": "press_release", "category": "khac", "title": "Bản nháp xyzzy", "summary": "s", "body": "b", "audience": "public"}))
            .await;
        assert!(d["id"].is_string());
        officer
            .post(&format!("/api/v1/bulletins/{press_id}/submit"), &json!({}))
            .await;
        leader
            .post(&format!("/api/v1/bulletins/{press_id}/approve"), &json!({}))
            .await;
        officer
            .post(&format!("/api/v1/bulletins/{press_id}/publish"), &json!({}))
            .await;
        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let hits = eventually(&journalist, "xyzzy", |h| !h.is_empty()).await;
        assert_eq!(titles(&hits), ["Kế hoạch bí mật xyzzy"]);
        assert!(
            search(&anon, "xyzzy").await.is_empty(),
            "the public finds no press-only or draft item"
        );
        // The search page.
        let (st, html) = s.browser().text("/tim-kiem?q=ma+tuy").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("<mark>tuý</mark>"));
        // Bad input is a clear 4xx.
        let (st, _) = anon
            .get(&format!("/api/v1/search?q={}", "a".repeat(300)))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = anon.get("/api/v1/search").await;
        assert!(st.is_client_error());
        assert!(search(&anon, "  ,,, ").await.is_empty());
    }
}

#[tokio::test]
async fn reindex_rebuilds_the_index_from_the_database() {
    let s = Server::start(&common::Backend::Sqlite).await;
    let anon = s.api(None);
    assert!(!eventually(&anon, "lừa đảo", |h| !h.is_empty())
        .await
        .is_empty());
    let db = s.stop();
    // Lose the index; rebuild it.
    std::fs::remove_dir_all(db.data_dir.join("search")).unwrap();
    let out = db.command().arg("reindex").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("indexed 15 bulletins"), "{text}");
    let s = Server::start_on(
        db,
        common::Options {
            demo: false,
            ..Default::default()
        },
    );
    let hits = search(&s.api(None), "lừa đảo").await;
    assert!(
        !hits.is_empty(),
        "found right after the restart, from the rebuilt index"
    );
}
