//! The first-use journey, as a new user would try it, on every backend: the admin signs
//! in and creates a unit and a press agency; a journalist registers; a press officer
//! accredits them; the journalist signs in; the admin revokes them and their open session
//! and API token stop working at once; the audit log shows every step with before/after.

use crate::common;

use common::{agency_id, backends, Server, DEMO_PASSWORD};
use reqwest::StatusCode;

#[tokio::test]
async fn a_new_user_walks_through_the_core() {
    for backend in backends() {
        journey(&Server::start(&backend).await).await;
    }
}

async fn journey(s: &Server) {
    // The home page speaks Vietnamese by default.
    let anon = s.browser();
    let (status, html) = anon.text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="vi">"#));
    assert!(html.contains("Đăng ký phóng viên"));

    // 1. The admin signs in and creates a unit and a press agency through the forms.
    let admin = s.browser();
    admin.login("quantri", DEMO_PASSWORD).await;
    let (_, units_page) = admin.text("/units").await;
    let root_id = regex::Regex::new(r#"<option value="([0-9a-f-]{36})"[^>]*>CAT-TH"#)
        .unwrap()
        .captures(&units_page)
        .map(|c| c[1].to_string())
        .expect("the province is offered as a parent unit");
    let r = admin
        .submit(
            "/units",
            "/units",
            &[
                ("code", "cax-dongson"),
                ("name", "Công an xã Đông Sơn"),
                ("kind", "commune"),
                ("parent_id", &root_id),
                ("address", ""),
                ("phone", "0237 3852 111"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, units_page) = admin.text("/units").await;
    assert!(
        units_page.contains("CAX-DONGSON"),
        "the code is kept upper-case"
    );
    assert!(units_page.contains("Công an xã Đông Sơn"));

    let r = admin
        .submit(
            "/agencies",
            "/agencies",
            &[
                ("code", "bvhtt"),
                ("name", "Báo Văn hoá và Đời sống — Văn phòng Thanh Hóa"),
                ("kind", "central"),
                ("medium", "online"),
                ("contact_name", "Thư ký toà soạn"),
                ("contact_email", "toasoan@vhds.example.vn"),
                ("contact_phone", ""),
                ("website_url", "https://vhds.example.vn"),
                ("feed_url", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, agencies_page) = admin.text("/agencies").await;
    // Stored in the canonical tone-mark placement.
    assert!(
        agencies_page.contains("Báo Văn hoá và Đời sống — Văn phòng Thanh Hoá"),
        "{agencies_page}"
    );

    // 2. A journalist registers herself with that agency.
    let admin_api = s.api(Some(&admin.create_token("journey").await));
    let agency = agency_id(&admin_api, "BVHTT").await;
    let journalist = s.browser();
    let r = journalist
        .submit(
            "/register",
            "/register",
            &[
                ("display_name", "Trịnh Thu Trang"),
                ("agency_id", &agency),
                ("press_card_no", "TW-20417"),
                ("email", "trang@vhds.example.vn"),
                ("phone", "0912 345 678"),
                ("username", "pv.trang"),
                ("password", "mật khẩu dài 2025"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    // Pending accounts cannot sign in yet.
    let r = journalist
        .submit(
            "/login",
            "/login",
            &[("username", "pv.trang"), ("password", "mật khẩu dài 2025")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap_or_default()
        .contains("chờ cán bộ tuyên truyền xác minh"));

    // 3. The press officer accredits her from the queue.
    let officer = s.browser();
    officer.login("tuyentruyen", DEMO_PASSWORD).await;
    let (status, queue) = officer.text("/accreditation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Trịnh Thu Trang") && queue.contains("TW-20417"));
    let trang_id = common::user_id(&admin_api, "pv.trang").await;
    let r = officer
        .submit(
            "/accreditation",
            &format!("/users/{trang_id}/status"),
            &[("to", "active"), ("back", "/accreditation")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, queue) = officer.text("/accreditation").await;
    assert!(
        !queue.contains("Trịnh Thu Trang"),
        "accredited journalists leave the queue"
    );

    // 4. She signs in, sees her status and makes an API token.
    journalist.login("pv.trang", "mật khẩu dài 2025").await;
    let (_, home) = journalist.text("/").await;
    assert!(home.contains("Đã xác minh"), "{home}");
    let token = journalist.create_token("cms").await;
    let japi = s.api(Some(&token));
    let (status, me) = japi.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "pv.trang");
    assert_eq!(me["status"], "active");

    // 5. The admin revokes her: her open session and her token stop at once.
    let r = admin
        .submit(
            &format!("/users/{trang_id}"),
            &format!("/users/{trang_id}/status"),
            &[
                ("to", "revoked"),
                ("reason", "Thẻ nhà báo hết hạn"),
                ("back", &format!("/users/{trang_id}")),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = journalist.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap_or("")
        .starts_with("/login"));
    let (status, _) = japi.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = journalist
        .submit(
            "/login",
            "/login",
            &[("username", "pv.trang"), ("password", "mật khẩu dài 2025")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("Thẻ nhà báo hết hạn"),
        "the reason is shown"
    );

    // 6. The audit log shows every step, with before and after.
    let (status, log) = admin_api
        .get("/api/v1/audit?entity=user&entity_id=".to_string().as_str())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(log.is_array());
    let (_, trail) = admin_api
        .get(&format!("/api/v1/audit?entity=user&entity_id={trang_id}"))
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
        ["user.registered", "user.accredited", "user.revoked"]
    );
    let revoked = &trail[0];
    assert_eq!(revoked["actor_name"], "quantri");
    assert!(revoked["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"));
    let before: serde_json::Value =
        serde_json::from_str(revoked["before_json"].as_str().unwrap()).unwrap();
    let after: serde_json::Value =
        serde_json::from_str(revoked["after_json"].as_str().unwrap()).unwrap();
    assert_eq!(before["status"], "active");
    assert_eq!(after["status"], "revoked");
    assert_eq!(after["status_reason"], "Thẻ nhà báo hết hạn");
    let accredited = &trail[1];
    assert_eq!(accredited["actor_name"], "tuyentruyen");
    let (_, all) = admin_api.get("/api/v1/audit").await;
    let all_actions: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "unit.created",
        "agency.created",
        "token.created",
        "session.opened",
    ] {
        assert!(all_actions.contains(&a), "audit log lacks {a}");
    }
    // The audit page renders the same history, and the CSV export has it too.
    let (status, page) = admin
        .text(&format!("/audit?entity=user&entity_id={trang_id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("user.revoked")
            && page.contains("user.accredited")
            && page.contains("user.registered")
    );
    let csv = admin.get("/audit.csv?entity=user").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = csv.text().await.unwrap();
    assert!(body.contains("user.revoked") && body.contains("Thẻ nhà báo hết hạn"));
    // Leaders read the log; press officers do not.
    assert_eq!(officer.get("/audit").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_admin_edits_an_account_and_a_moved_officer_signs_in_again() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let api = s.api(Some(&s.token_for("quantri").await));
        let officer = s.browser();
        officer.login("capx.hacthanh", DEMO_PASSWORD).await;
        let id = common::user_id(&api, "capx.hacthanh").await;
        let (_, units) = api.get("/api/v1/units").await;
        let pc08 = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "PC08")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (st, u) = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/users/{id}"),
                &serde_json::json!({"display_name": "Phạm Đức Long", "title": "Trung tá, Phòng Cảnh sát giao thông", "role": "unit_officer", "unit_id": pc08}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{u}");
        assert_eq!(u["unit_id"], pc08.as_str());
        // Moved to another unit: the old session ends, the rights of the new unit apply at the next sign-in.
        assert_eq!(
            officer.get("/profile").await.status(),
            StatusCode::SEE_OTHER
        );
        officer.login("capx.hacthanh", DEMO_PASSWORD).await;
        let (_, profile) = officer.text("/profile").await;
        assert!(profile.contains("Phòng Cảnh sát giao thông"));
        // A journalist cannot become staff by an edit.
        let j = common::user_id(&api, "pv.ttxvn").await;
        let (st, p) = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/users/{j}"),
                &serde_json::json!({"display_name": "x", "role": "leader"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(p["errors"][0]["field"], "role");
        let (_, trail) = api
            .get(&format!("/api/v1/audit?entity=user&entity_id={id}"))
            .await;
        assert_eq!(trail[0]["action"], "user.updated");
        assert!(
            trail[0]["before_json"].as_str().unwrap().contains("CAP")
                || trail[0]["before_json"]
                    .as_str()
                    .unwrap()
                    .contains("unit_id")
        );
    }
}
