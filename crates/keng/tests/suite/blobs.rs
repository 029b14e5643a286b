//! Files on every node: two `keng serve` nodes on one PostgreSQL serve each other's
//! uploads (blobs in the database, the default there, and in an S3-compatible server);
//! `keng files migrate` moves every file between the data directory, the database and
//! S3 and `keng files verify` checks them — and catches a damaged one, which is then
//! never served; a store that is down or full refuses the upload with a 503 and fails
//! `/readyz`, leaving no row that names nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, backends, Options, S3Server, Server, DEMO_PASSWORD};

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
    // Blobs in PostgreSQL (the default there).
    let Some((a, b)) = common::two_postgresql_nodes("the two-node test").await else {
        return;
    };
    uploads_cross_nodes(&a, &b).await;
}

#[tokio::test]
async fn a_file_uploaded_through_one_node_is_served_by_the_other_from_s3() {
    let s3 = S3Server::start().await;
    let Some((a, b)) =
        common::two_postgresql_nodes_with("the two-node test with S3", Some(s3.toml())).await
    else {
        return;
    };
    uploads_cross_nodes(&a, &b).await;
    // The bytes are in the bucket, not in the database.
    let conn = a.db.open().await;
    let n = conn
        .fetch_one("SELECT COUNT(*) AS n FROM blobs", &[])
        .await
        .unwrap()
        .i64("n")
        .unwrap();
    assert_eq!(n, 0, "no blob in the database with store = s3");
    let out = a.db.command().args(["files", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("s3 store: 4 files referenced, 4 stored and intact"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A mistyped endpoint is refused with a message, never a crash.
    let toml = s3.toml().replace(&s3.endpoint, "127.0.0.1:9");
    std::fs::write(a.db.data_dir.join("keng.toml"), toml).unwrap();
    let out = a.db.command().arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && out.status.code() != Some(101),
        "{text}"
    );
    assert!(
        text.contains("give an http:// or https:// address"),
        "{text}"
    );
}

async fn uploads_cross_nodes(a: &Server, b: &Server) {
    // The same new file uploaded at once through both nodes, three times each: every
    // upload is kept (the writers of one blob take turns), none is told the store failed.
    let token_a = a.token_for("tuyentruyen").await;
    let token_b = b.token_for("tuyentruyen").await;
    let (bulletin, _) = bulletin_with_a_pdf(a, &token_a, b"%PDF-1.4 truoc").await;
    let same: Vec<u8> = {
        let mut v = b"%PDF-1.4 cung mot tep ".to_vec();
        v.extend(std::iter::repeat_n(b'z', 1_500_000));
        v
    };
    let mut uploads = Vec::new();
    for i in 0..6 {
        let (node, token) = if i % 2 == 0 {
            (a, &token_a)
        } else {
            (b, &token_b)
        };
        uploads.push(try_upload(node, token, &bulletin, same.clone()));
    }
    for (st, body) in futures::future::join_all(uploads).await {
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }

    let token = a.token_for("tuyentruyen").await;
    let pdf = b"%PDF-1.4 thong cao bao chi, nut A";
    let (_, sha) = bulletin_with_a_pdf(a, &token, pdf).await;
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
        assert_eq!(
            r.headers()["content-range"],
            format!("bytes */{}", pdf.len()).as_str()
        );
        // Several ranges, or a malformed one, get the whole file.
        let r = get(("range", "bytes=0-1,5-6".to_string())).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().as_ref(), pdf);
        let r = get(("if-none-match", format!("W/\"{sha}\"")))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "weak comparison");
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

#[tokio::test]
async fn files_move_from_local_to_the_database_to_s3_and_back() {
    let s3 = S3Server::start().await;
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
        let mut files = Vec::new();
        for i in 0..3 {
            let pdf = format!("%PDF-1.4 tep {i} tren {}", backend.name()).into_bytes();
            let (_, sha) = bulletin_with_a_pdf(&s, &token, &pdf).await;
            files.push((sha, pdf));
        }
        let db = s.stop();
        // Every node of this test shares the bucket: each backend's run has its prefix.
        let s3_toml = s3.toml().replace(
            "prefix = \"keng-test\"",
            &format!("prefix = \"migrate-{}\"", backend.name()),
        );
        let set_store = |store: &str| {
            let toml = if store == "s3" {
                s3_toml.clone()
            } else {
                // The bucket's settings stay, so `--to s3` finds them.
                s3_toml.replace("store = \"s3\"", &format!("store = \"{store}\""))
            };
            std::fs::write(db.data_dir.join("keng.toml"), toml).unwrap();
        };
        let run = |args: &[&str]| {
            let out = db.command().args(args).output().expect("keng runs");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).to_string()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        };
        set_store("local");
        for (from, to) in [("local", "database"), ("database", "s3"), ("s3", "local")] {
            let (ok, out) = run(&["files", "migrate", "--to", to]);
            assert!(ok && out.contains(&format!("{from} → {to}: ")), "{out}");
            set_store(to);
            if from == "local" {
                // The old copies go: from now on the files come from the new store only.
                std::fs::remove_dir_all(db.data_dir.join("files")).unwrap();
            }
            let (ok, out) = run(&["files", "verify"]);
            assert!(
                ok && out.contains(&format!(
                    "{to} store: 3 files referenced, 3 stored and intact, 0 orphans"
                )),
                "{} after {from} → {to}: {out}",
                backend.name()
            );
            let (ok, out) = run(&["files", "migrate", "--to", to]);
            assert!(ok && out.contains("0 copied, 3 already there"), "{out}");
        }
        let (ok, out) = run(&["check"]);
        assert!(ok && out.contains("files: ok (local store"), "{out}");
        let s = Server::start_on(
            db,
            Options {
                demo: false,
                ..Default::default()
            },
        );
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        for (sha, pdf) in &files {
            let r = desk.get(&format!("/files/{sha}")).await;
            assert_eq!(r.status(), StatusCode::OK, "{}", backend.name());
            assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
        }
    }
}

/// Uploads one PDF to a draft through the API: (status, body).
async fn try_upload(s: &Server, token: &str, bulletin: &str, pdf: Vec<u8>) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(s.url(&format!("/api/v1/bulletins/{bulletin}/attachments")))
        .bearer_auth(token)
        .header("accept-language", "vi")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(pdf).file_name("tai-lieu.pdf"),
        ))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap_or_default())
}

async fn attachment_rows(s: &Server) -> i64 {
    s.db.open()
        .await
        .fetch_one("SELECT COUNT(*) AS n FROM attachments", &[])
        .await
        .unwrap()
        .i64("n")
        .unwrap()
}

async fn readyz(s: &Server) -> StatusCode {
    reqwest::get(s.url("/readyz")).await.unwrap().status()
}

#[tokio::test]
async fn an_s3_store_that_goes_down_refuses_uploads_and_fails_readiness() {
    let mut s3 = S3Server::start().await;
    let backend = backends().remove(0);
    let s = Server::start_with(
        &backend,
        Options {
            toml: Some(s3.toml()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(readyz(&s).await, StatusCode::OK);
    let token = s.token_for("tuyentruyen").await;
    let pdf = b"%PDF-1.4 truoc khi kho hong".to_vec();
    let (bulletin, sha) = bulletin_with_a_pdf(&s, &token, &pdf).await;
    s3.kill();
    let rows = attachment_rows(&s).await;
    let (st, body) = try_upload(&s, &token, &bulletin, b"%PDF-1.4 khi kho hong".to_vec()).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body.contains("Kho lưu tệp"),
        "a message in Vietnamese: {body}"
    );
    assert_eq!(
        attachment_rows(&s).await,
        rows,
        "no row names a file not stored"
    );
    assert_eq!(readyz(&s).await, StatusCode::SERVICE_UNAVAILABLE);
    // Reading a stored file while the store is down is a 503 too, not a 404 or a 500.
    let desk = s.browser();
    desk.login("tuyentruyen", DEMO_PASSWORD).await;
    let r = desk.get(&format!("/files/{sha}")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    // `keng check` says which store is unusable.
    let out = s.db.command().arg("check").output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("files: s3 store in keng/keng-test:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_full_disk_refuses_uploads_and_the_store_recovers_when_space_returns() {
    // The local store's folder on a 1 MiB tmpfs (the database stays on the real disk).
    let backend = backends().remove(0);
    let s = Server::start_with(
        &backend,
        Options {
            toml: Some("[files]\nstore = \"local\"\n".into()),
            ..Default::default()
        },
    )
    .await;
    let files = s.db.data_dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&files)
        .status()
        .is_ok_and(|st| st.success());
    if !mounted {
        // Mounting needs root; CI runs as root on this machine, so there it must work.
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must be able to mount a tmpfs for the full-disk test"
        );
        eprintln!("skipped: cannot mount a tmpfs here (not root)");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(files.clone());
    let token = s.token_for("tuyentruyen").await;
    let (bulletin, _) = bulletin_with_a_pdf(&s, &token, b"%PDF-1.4 nho").await;
    // Fill the disk.
    let filler = files.join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 2 << 20]);
    let rows = attachment_rows(&s).await;
    let mut big = b"%PDF-1.4 ".to_vec();
    big.extend(std::iter::repeat_n(b'x', 300_000));
    let (st, body) = try_upload(&s, &token, &bulletin, big.clone()).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        attachment_rows(&s).await,
        rows,
        "no row names a file not stored"
    );
    assert_eq!(readyz(&s).await, StatusCode::SERVICE_UNAVAILABLE);
    // No half-written file is left behind.
    let leftovers: Vec<String> = walk(&files)
        .into_iter()
        .filter(|p| p.contains(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Space returns: ready again (after the probe's few seconds) and the upload works.
    std::fs::remove_file(&filler).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
    assert_eq!(readyz(&s).await, StatusCode::OK);
    let (st, body) = try_upload(&s, &token, &bulletin, big).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
