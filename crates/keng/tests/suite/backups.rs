//! Backups that hold the files: `keng backup DIR` taken while bulletins are published and
//! files uploaded, then `keng restore DIR` into an empty place (a new data directory on
//! SQLite, a new database on PostgreSQL): every attachment — and each image's renditions
//! — of every public bulletin answers 200 to an anonymous reader with the right bytes,
//! and everything acknowledged before the backup began is there.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{self, backends, publish, Api, Options, Server, TestDb, Until};

/// A real PNG of the given colour, large enough to get renditions.
fn png(i: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(900, 600, image::Rgb([i, 255 - i, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Publishes a public bulletin with a PDF and a PNG attached.
async fn publish_with_files(s_url: &str, officer: &Api, leader: &Api, token: &str, i: u8) {
    let id = publish(
        officer,
        leader,
        &json!({"kind": "press_release", "category": "khac", "title": format!("Thông cáo có tệp {i}"), "summary": "s", "body": "b", "audience": "public"}),
        Until::Published,
    )
    .await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(format!("%PDF-1.4 thong cao {i}").into_bytes())
                .file_name("thong-cao.pdf"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(i)).file_name("hien-truong.png"),
        );
    let r = reqwest::Client::new()
        .post(format!("{s_url}/api/v1/bulletins/{id}/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

async fn count(db: &keng::platform::db::Db, sql: &str) -> i64 {
    db.fetch_one(sql, &[]).await.unwrap().i64("n").unwrap()
}

#[tokio::test]
async fn a_backup_taken_during_uploads_restores_every_file() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let token = s.token_for("tuyentruyen").await;
        let officer = s.api(Some(&token));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        // A few before, then uploads go on while the backup runs.
        for i in 0..3 {
            publish_with_files(&s.base, &officer, &leader, &token, i).await;
        }
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let uploader = {
            let (base, officer, leader, token) = (
                s.base.clone(),
                officer.clone(),
                leader.clone(),
                token.clone(),
            );
            tokio::spawn(async move {
                let mut i = 3u8;
                while !*stop_rx.borrow() && i < 60 {
                    publish_with_files(&base, &officer, &leader, &token, i).await;
                    i += 1;
                }
                i
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let conn = s.db.open().await;
        let before = count(&conn, "SELECT COUNT(*) AS n FROM attachments").await;
        let dir = common::temp_dir("backup").join("b1");
        let out = s.db.command().arg("backup").arg(&dir).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "backup on {}: {text}", backend.name());
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let _ = stop_tx.send(true);
        let made = uploader.await.unwrap();
        assert!(made > 3, "uploads went on during the backup");
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["format"], "keng-backup/1");
        // A backup is written into a new folder only.
        let again = s.db.command().arg("backup").arg(&dir).output().unwrap();
        assert!(!again.status.success());
        drop(conn);
        drop(s);

        // Restore into an empty place.
        let restored = TestDb::new(&backend).await;
        let out = restored
            .command()
            .arg("restore")
            .arg(&dir)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "restore on {}: {text}",
            backend.name()
        );
        assert!(text.contains("restored the database"), "{text}");
        // Not twice into the same place.
        let out = restored
            .command()
            .arg("restore")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(!out.status.success(), "a restore needs an empty place");
        let db = restored.open().await;
        let rows = db
            .fetch_all(
                "SELECT a.sha256, a.thumb_sha, a.medium_sha, a.size FROM attachments a JOIN bulletins b ON b.id = a.bulletin_id
                 WHERE b.state = 'published' AND b.audience = 'public'",
                &[],
            )
            .await
            .unwrap();
        let all = count(&db, "SELECT COUNT(*) AS n FROM attachments").await;
        assert!(
            all >= before,
            "every attachment acknowledged before the backup ({all} < {before})"
        );
        assert!(
            rows.len() as i64 >= before,
            "{} public of {all}",
            rows.len()
        );
        db.close().await;
        let s = Server::start_on(
            restored,
            Options {
                demo: false,
                ..Default::default()
            },
        );
        let client = reqwest::Client::new();
        let (mut served, mut renditions) = (0, 0);
        for r in &rows {
            let mut shas = vec![r.str("sha256").unwrap()];
            shas.extend(r.opt_str("thumb_sha").unwrap());
            shas.extend(r.opt_str("medium_sha").unwrap());
            renditions += shas.len() - 1;
            for want in shas {
                let resp = client
                    .get(s.url(&format!("/files/{want}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    resp.status(),
                    StatusCode::OK,
                    "{want} on {}",
                    backend.name()
                );
                assert_eq!(sha(&resp.bytes().await.unwrap()), want);
                served += 1;
            }
        }
        assert!(
            renditions as i64 >= before / 2,
            "each photo's renditions are served too ({renditions} of {served})"
        );
        // The restored node also finds the bulletins (the search index was rebuilt).
        let (st, found) = s
            .api(None)
            .get("/api/v1/search?q=th%C3%B4ng%20c%C3%A1o%20c%C3%B3%20t%E1%BB%87p")
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(found.to_string().contains("Thông cáo có tệp"), "{found}");
    }
}

#[tokio::test]
async fn a_damaged_backup_is_refused_before_anything_is_restored() {
    // SQLite with local files: the backup holds them as files.
    let backend = common::Backend::Sqlite;
    let s = Server::start(&backend).await;
    let token = s.token_for("tuyentruyen").await;
    let officer = s.api(Some(&token));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    publish_with_files(&s.base, &officer, &leader, &token, 7).await;
    let dir = common::temp_dir("backup").join("b2");
    let out = s.db.command().arg("backup").arg(&dir).output().unwrap();
    assert!(out.status.success());
    drop(s);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let first = manifest["files"][0]["sha256"].as_str().unwrap().to_string();
    let path = dir.join("files").join(&first[..2]).join(&first);
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, b"altered").unwrap();
    let restored = TestDb::new(&backend).await;
    let out = restored
        .command()
        .arg("restore")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("file {first} in the backup is damaged")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!restored.sqlite_file().exists(), "nothing restored");
    // A damaged database copy is refused too (its hash is in the manifest).
    std::fs::write(&path, good).unwrap();
    let db_copy = dir.join("keng.sqlite3");
    let mut bytes = std::fs::read(&db_copy).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 4096] {
        *b ^= 0x5a;
    }
    std::fs::write(&db_copy, bytes).unwrap();
    let out = restored
        .command()
        .arg("restore")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the database copy keng.sqlite3 in the backup is damaged"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!restored.sqlite_file().exists(), "nothing restored");
}

#[tokio::test]
async fn a_database_store_backup_restores_into_another_store() {
    // PostgreSQL keeps the files in its dump; the copy is restored with the local store.
    let Some(pg) = backends()
        .into_iter()
        .find(|b| matches!(b, common::Backend::Postgres(_)))
    else {
        return;
    };
    let s = Server::start(&pg).await;
    let token = s.token_for("tuyentruyen").await;
    let officer = s.api(Some(&token));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    publish_with_files(&s.base, &officer, &leader, &token, 9).await;
    let dir = common::temp_dir("backup").join("b3");
    let out = s.db.command().arg("backup").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(s);
    let restored = TestDb::new(&pg).await;
    std::fs::write(
        restored.data_dir.join("keng.toml"),
        "[files]\nstore = \"local\"\n",
    )
    .unwrap();
    let out = restored
        .command()
        .arg("restore")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = restored
        .command()
        .args(["files", "verify"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && text.contains("local store: ")
            && text.contains(" stored and intact"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        restored.data_dir.join("files").exists(),
        "the files are in the data directory"
    );
}
