//! Files on every node: two `keng serve` nodes on one PostgreSQL serve each other's
//! uploads (blobs in the database, the default there); `keng files migrate` moves every
//! file from the data directory into the database and `keng files verify` checks them —
//! and catches a damaged one, which is then never served.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, backends, Options, Server, DEMO_PASSWORD};

/// A draft bulletin of the press officer with one PDF attached: (bulletin, sha256).
async fn bulletin_with_a_pdf(s: &Server, token: &str, pdf: &[u8]) -> (String, String) {
    let officer = s.api(Some(token));
    let (st, b) = officer
        .post(
            "/api/v1/bulletins",
            &json!({"kind": "press_release", "category": "khac", "title": "Tin có tài liệu", "summary": "s", "body": "b", "audience": "public"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(pdf.to_vec()).file_name("tai-lieu.pdf"),
    );
    let r = reqwest::Client::new()
        .post(s.url(&format!("/api/v1/bulletins/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let list: serde_json::Value = r.json().await.unwrap();
    (id, list[0]["sha256"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_file_uploaded_through_one_node_is_served_by_the_other() {
    let Some((a, b)) = common::two_postgresql_nodes("the two-node test").await else {
        return;
    };
    let token = a.token_for("tuyentruyen").await;
    let pdf = b"%PDF-1.4 thong cao bao chi, nut A";
    let (_, sha) = bulletin_with_a_pdf(&a, &token, pdf).await;
    // The press officer reads the draft's file through node B.
    let desk = b.browser();
    desk.login("tuyentruyen", DEMO_PASSWORD).await;
    let r = desk.get(&format!("/files/{sha}")).await;
    assert_eq!(r.status(), StatusCode::OK, "node B serves node A's upload");
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
    // A journalist's letter on a request, uploaded through B, read through A.
    let ha_token = b.token_for("pv.baothanhhoa").await;
    let (st, req) = b
        .api(Some(&ha_token))
        .post(
            "/api/v1/requests",
            &json!({"kind": "information", "topic": "Hỏi", "questions": "?"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{req}");
    let id = req["id"].as_str().unwrap();
    let letter = b"%PDF-1.4 giay gioi thieu, nut B";
    let r = reqwest::Client::new()
        .post(b.url(&format!("/api/v1/requests/{id}/attachments")))
        .bearer_auth(&ha_token)
        .multipart(
            reqwest::multipart::Form::new()
                .text("purpose", "letter")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(letter.to_vec()).file_name("thu.pdf"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let files: serde_json::Value = r.json().await.unwrap();
    let url = files[0]["url"].as_str().unwrap().to_string();
    let r = desk.get(&url).await; // desk is signed in on B; read on A:
    assert_eq!(r.status(), StatusCode::OK);
    let on_a = a.browser();
    on_a.login("tuyentruyen", DEMO_PASSWORD).await;
    let r = on_a.get(&url).await;
    assert_eq!(r.status(), StatusCode::OK, "node A serves node B's upload");
    assert_eq!(r.bytes().await.unwrap().as_ref(), letter);
    // Nothing landed in either node's data directory.
    for dir in [&a.db.data_dir, &b.db.data_dir] {
        assert!(!dir.join("files").exists(), "{}", dir.display());
    }
}

#[tokio::test]
async fn files_move_into_the_database_and_a_damaged_one_is_caught() {
    for backend in backends() {
        let s = Server::start_with(
            &backend,
            Options {
                toml: Some("[files]\nstore = \"local\"\n".into()),
                ..Default::default()
            },
        )
        .await;
        let token = s.token_for("tuyentruyen").await;
        let pdf = b"%PDF-1.4 tai lieu se chuyen vao co so du lieu";
        let (_, sha) = bulletin_with_a_pdf(&s, &token, pdf).await;
        let db = s.stop();
        assert!(db.data_dir.join("files").exists(), "stored locally first");
        let run = |args: &[&str]| {
            let out = db.command().args(args).output().expect("keng runs");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).to_string()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        };
        let (ok, out) = run(&["files", "verify"]);
        assert!(ok, "{out}");
        assert!(
            out.contains("local store: 1 files referenced, 1 stored and intact, 0 orphans"),
            "{out}"
        );
        let (ok, out) = run(&["files", "migrate", "--to", "database"]);
        assert!(ok && out.contains("1 copied"), "{out}");
        let (ok, out) = run(&["files", "migrate", "--to", "database"]);
        assert!(
            ok && out.contains("0 copied, 1 already there"),
            "rerun is safe: {out}"
        );
        // Switch the store and drop the local copies: the file comes from the database.
        std::fs::write(
            db.data_dir.join("keng.toml"),
            "[files]\nstore = \"database\"\n",
        )
        .unwrap();
        std::fs::remove_dir_all(db.data_dir.join("files")).unwrap();
        let (ok, out) = run(&["files", "verify"]);
        assert!(
            ok && out.contains("database store: 1 files referenced, 1 stored and intact"),
            "{out}"
        );
        let (ok, out) = run(&["check"]);
        assert!(ok && out.contains("files: ok (database store"), "{out}");
        let s = Server::start_on(
            db,
            Options {
                demo: false,
                ..Default::default()
            },
        );
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let r = desk.get(&format!("/files/{sha}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", backend.name());
        assert_eq!(r.headers()["etag"], format!("\"{sha}\"").as_str());
        assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
        // The hash is the ETag: a reader who has the file gets 304; a byte range is 206.
        let client = reqwest::Client::new();
        let token_url = s.url(&format!("/files/{sha}"));
        let get = |h: (&'static str, String)| {
            client
                .get(&token_url)
                .bearer_auth(&token)
                .header(h.0, h.1)
                .send()
        };
        let r = get(("if-none-match", format!("\"{sha}\""))).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let r = get(("range", "bytes=0-7".to_string())).await.unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            r.headers()["content-range"],
            format!("bytes 0-7/{}", pdf.len()).as_str()
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), &pdf[..8]);
        let r = get(("range", "bytes=5000-".to_string())).await.unwrap();
        assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        // A damaged blob is never served and verify names it.
        let conn = s.db.open().await;
        conn.execute(
            "UPDATE blob_chunks SET data = $1 WHERE sha256 = $2",
            keng::args![b"%PDF-1.4 altered".to_vec(), &sha],
        )
        .await
        .unwrap();
        let r = desk.get(&format!("/files/{sha}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let out = s.db.command().args(["files", "verify"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!out.status.success());
        assert!(
            text.contains(&format!("{sha}: does not match its hash")),
            "{text}"
        );
        // Uploading the good bytes again repairs it.
        let (_, again) = bulletin_with_a_pdf(&s, &token, pdf).await;
        assert_eq!(again, sha);
        let r = desk.get(&format!("/files/{sha}")).await;
        assert_eq!(r.status(), StatusCode::OK, "repaired ({})", backend.name());
        // An orphan (its attachment row gone) is kept while young, removed when old.
        let other = b"%PDF-1.4 tep mo coi";
        let (bulletin, orphan) = bulletin_with_a_pdf(&s, &token, other).await;
        conn.execute(
            "DELETE FROM attachments WHERE bulletin_id = $1",
            keng::args![&bulletin],
        )
        .await
        .unwrap();
        let db = s.stop();
        let run = |args: &[&str]| {
            let out = db.command().args(args).output().expect("keng runs");
            String::from_utf8_lossy(&out.stdout).to_string()
        };
        let out = run(&["files", "verify", "--delete-orphans"]);
        assert!(
            out.contains(&format!("kept {orphan}: stored less than an hour ago")),
            "{out}"
        );
        conn.execute(
            "UPDATE blobs SET created_at = 0 WHERE sha256 = $1",
            keng::args![&orphan],
        )
        .await
        .unwrap();
        let out = run(&["files", "verify", "--delete-orphans"]);
        assert!(out.contains(&format!("removed orphan {orphan}")), "{out}");
        let out = run(&["files", "verify"]);
        assert!(out.contains("0 orphans"), "{out}");
    }
}
