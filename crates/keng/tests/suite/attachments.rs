//! Attachments, on every backend: the type comes from the content (an HTML page or an
//! executable renamed .jpg is refused), oversize files are refused with a clear message,
//! nothing partial is stored, and a file is served only to who may see its bulletin.

use crate::common;

use common::{backends, Server, DEMO_PASSWORD};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::json;

/// A real, decodable PNG.
fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(40, 30, image::Rgba([200, 30, 30, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn file_form(name: &str, bytes: &[u8]) -> Form {
    Form::new()
        .part(
            "file",
            Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        )
        .text("caption", "Hiện trường")
}

/// Files stored, wherever the store keeps them: the data directory (SQLite's default)
/// or the database (PostgreSQL's).
async fn stored(s: &Server) -> usize {
    fn walk(d: &std::path::Path) -> usize {
        std::fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    let in_db =
        s.db.open()
            .await
            .fetch_one("SELECT COUNT(*) AS n FROM blobs", &[])
            .await
            .unwrap()
            .i64("n")
            .unwrap();
    walk(&s.db.data_dir.join("files")) + in_db as usize
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_served_by_visibility() {
    let upload_form =
        regex::Regex::new(r#"action="(/newsroom/b/[^"]+/attachments\?_csrf=[^"]+)""#).unwrap();
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer_token = s.token_for("tuyentruyen").await;
        let officer = s.api(Some(&officer_token));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let (_, b) = officer
            .post("/api/v1/bulletins", &json!({"kind": "press_release", "category": "khac", "title": "Tin có ảnh", "summary": "s", "body": "b", "audience": "public"}))
            .await;
        let id = b["id"].as_str().unwrap().to_string();
        let url = s.url(&format!("/api/v1/bulletins/{id}/attachments"));
        let client = reqwest::Client::new();
        let post = |form: Form| {
            client
                .post(&url)
                .bearer_auth(&officer_token)
                .multipart(form)
                .send()
        };

        // Refused by content, whatever the name; nothing is stored.
        for (name, bytes) in [
            (
                "anh.jpg",
                b"<html><script>alert(1)</script></html>".to_vec(),
            ),
            (
                "anh.png",
                b"MZ\x90\x00\x03\x00\x00\x00 windows executable".to_vec(),
            ),
            (
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            ),
            ("empty.pdf", Vec::new()),
        ] {
            let r = post(file_form(name, &bytes)).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            let p: serde_json::Value = r.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], "file");
        }
        // Oversize: refused with a clear message; a good file in the same request is not kept.
        let big = {
            let mut v = b"%PDF-1.4\n".to_vec();
            v.resize(11 * 1024 * 1024, b'x');
            v
        };
        let form = Form::new()
            .part("file", Part::bytes(png()).file_name("ok.png"))
            .part("file", Part::bytes(big).file_name("big.pdf"));
        let r = post(form).await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let p: serde_json::Value = r.json().await.unwrap();
        assert!(p["title"].as_str().unwrap().contains("quá lớn"), "{p}");
        assert_eq!(stored(&s).await, 0, "nothing partial stored");
        let (_, list) = s.api(None).get(&format!("/api/v1/bulletins/{id}")).await;
        assert_eq!(list["status"], 404);

        // A real image and a PDF are accepted, stored once by content.
        let r = post(file_form("hien-truong.jpg", &png())).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = post(file_form("ban-sao.png", &png())).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let list: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            list.as_array().unwrap().len(),
            1,
            "the same bytes twice are one attachment"
        );
        assert_eq!(
            list[0]["mime"], "image/png",
            "the type comes from the content, not the .jpg name"
        );
        let r = post(file_form(
            "quyet-dinh.pdf",
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(stored(&s).await, 3, "the image, its thumbnail and the PDF");
        let sha = list[0]["sha256"].as_str().unwrap().to_string();

        // Served only when its bulletin is visible to the reader.
        let file_url = format!("/files/{sha}");
        assert_eq!(
            reqwest::get(s.url(&file_url)).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "draft: hidden"
        );
        let staff = reqwest::Client::new()
            .get(s.url(&file_url))
            .bearer_auth(&officer_token)
            .send()
            .await
            .unwrap();
        assert_eq!(staff.status(), StatusCode::OK, "staff see draft files");
        officer
            .post(&format!("/api/v1/bulletins/{id}/submit"), &json!({}))
            .await;
        leader
            .post(&format!("/api/v1/bulletins/{id}/approve"), &json!({}))
            .await;
        officer
            .post(&format!("/api/v1/bulletins/{id}/publish"), &json!({}))
            .await;
        let r = reqwest::get(s.url(&file_url)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.bytes().await.unwrap().as_ref(), png().as_slice());
        let (_, page) = s.browser().text(&format!("/tin/{id}")).await;
        assert!(page.contains(&format!("/files/{sha}")) && page.contains("Hiện trường"));
        // Withdrawn: gone again.
        leader
            .post(
                &format!("/api/v1/bulletins/{id}/withdraw"),
                &json!({"note": "sai"}),
            )
            .await;
        assert_eq!(
            reqwest::get(s.url(&file_url)).await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            reqwest::get(s.url("/files/../../etc/passwd"))
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            reqwest::get(s.url(&format!("/files/{}", "A".repeat(64))))
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // A large photo gets renditions (a thumbnail and a 1024 px copy), served like it.
        let photo = {
            let img = image::RgbImage::from_fn(2400, 1600, |x, y| {
                image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
            });
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
            out.into_inner()
        };
        // (on a new draft: the first bulletin is withdrawn by now, its files hidden even from staff)
        let (_, b2) = officer
            .post("/api/v1/bulletins", &json!({"kind": "press_release", "category": "khac", "title": "Tin ảnh lớn", "summary": "s", "body": "b", "audience": "public"}))
            .await;
        let url2 = s.url(&format!(
            "/api/v1/bulletins/{}/attachments",
            b2["id"].as_str().unwrap()
        ));
        let r = client
            .post(&url2)
            .bearer_auth(&officer_token)
            .multipart(file_form("anh-lon.jpg", &photo))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let list: serde_json::Value = r.json().await.unwrap();
        let big = list
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["filename"] == "anh-lon.jpg")
            .unwrap()
            .clone();
        assert_eq!(
            (big["width"].as_i64(), big["height"].as_i64()),
            (Some(2400), Some(1600))
        );
        for key in ["thumb_sha", "medium_sha"] {
            let sha = big[key].as_str().unwrap();
            let r = reqwest::Client::new()
                .get(s.url(&format!("/files/{sha}")))
                .bearer_auth(&officer_token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{key}");
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            let bytes = r.bytes().await.unwrap();
            let im = image::load_from_memory(&bytes).unwrap();
            let want = if key == "thumb_sha" { 320 } else { 1024 };
            assert_eq!(im.width().max(im.height()), want, "{key}");
        }
        // A file that claims to be an image but does not decode is refused (on the draft:
        // the withdrawn bulletin takes no more files at all).
        let r = client
            .post(&url2)
            .bearer_auth(&officer_token)
            .multipart(file_form("hong.png", b"\x89PNG\r\n\x1a\nnot really a png"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Through the desk form too (CSRF in the action URL), and journalists may not upload.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        // (the draft: a withdrawn bulletin takes no more files)
        let draft_id = b2["id"].as_str().unwrap().to_string();
        let (_, html) = desk.text(&format!("/newsroom/b/{draft_id}")).await;
        let action = upload_form
            .captures(&html)
            .map(|c| c[1].replace("&amp;", "&"))
            .expect("upload form");
        let r = desk
            .client
            .post(s.url(&action))
            .multipart(file_form("b.pdf", b"%PDF-1.3 desk"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = desk
            .client
            .post(s.url(&format!("/newsroom/b/{draft_id}/attachments")))
            .multipart(file_form("c.pdf", b"%PDF-1.3 x"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
        let j = s.token_for("pv.ttxvn").await;
        let r = reqwest::Client::new()
            .post(&url)
            .bearer_auth(&j)
            .multipart(file_form("x.png", &png()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}

/// Regression: a unit officer could attach files to any bulletin (another unit's draft,
/// headquarters' published item — whose caption appeared on the public page at once), and
/// withdrawn bulletins accepted files. Uploading now follows the rule for editing.
#[tokio::test]
async fn uploading_follows_the_rule_for_editing() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let unit_token = s.token_for("capx.hacthanh").await;
        let other_unit = s.api(Some(&s.token_for("pc04.canbo").await));
        let upload = |id: String, token: String| {
            let url = s.url(&format!("/api/v1/bulletins/{id}/attachments"));
            async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .multipart(file_form("anh.png", &png()))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        let body = json!({"kind": "press_release", "category": "khac", "title": "Tin của phòng", "summary": "s", "body": "b", "audience": "public"});
        // Another unit's draft.
        let (st, b) = other_unit.post("/api/v1/bulletins", &body).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let other_draft = b["id"].as_str().unwrap().to_string();
        assert_eq!(
            upload(other_draft.clone(), unit_token.clone()).await,
            StatusCode::FORBIDDEN
        );
        // Headquarters' published item.
        let (_, b) = officer.post("/api/v1/bulletins", &body).await;
        let hq = b["id"].as_str().unwrap().to_string();
        officer
            .post(&format!("/api/v1/bulletins/{hq}/submit"), &json!({}))
            .await;
        leader
            .post(&format!("/api/v1/bulletins/{hq}/approve"), &json!({}))
            .await;
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{hq}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            upload(hq.clone(), unit_token.clone()).await,
            StatusCode::FORBIDDEN
        );
        let (_, page) = s.browser().text(&format!("/tin/{hq}")).await;
        assert!(
            !page.contains("Hiện trường"),
            "no caption reached the public page"
        );
        // The press officer who may correct it may add a file.
        let officer_token = s.token_for("tuyentruyen").await;
        assert_eq!(
            upload(hq.clone(), officer_token.clone()).await,
            StatusCode::CREATED
        );
        // Withdrawn: no more files, for anybody.
        let (st, _) = leader
            .post(
                &format!("/api/v1/bulletins/{hq}/withdraw"),
                &json!({"note": "Gỡ"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            upload(hq.clone(), officer_token.clone()).await,
            StatusCode::CONFLICT
        );
        // A file added to a submitted bulletin returns it to draft (it is content).
        let (_, b) = officer.post("/api/v1/bulletins", &body).await;
        let sub = b["id"].as_str().unwrap().to_string();
        officer
            .post(&format!("/api/v1/bulletins/{sub}/submit"), &json!({}))
            .await;
        assert_eq!(
            upload(sub.clone(), officer_token.clone()).await,
            StatusCode::CREATED
        );
        let (_, b) = officer.get(&format!("/api/v1/bulletins/{sub}")).await;
        let (st, desk) = {
            let br = s.browser();
            br.login("tuyentruyen", DEMO_PASSWORD).await;
            br.text(&format!("/newsroom/b/{sub}")).await
        };
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(
            desk.contains("/do/submit"),
            "back to draft: submit is offered again"
        );
    }
}
