//! The press desk against the real binary, on SQLite and PostgreSQL: a journalist asks
//! to film a night patrol of a ward police unit, the press office assigns it, the ward
//! schedules it, the permit's QR code (decoded from the rendered SVG) verifies at the
//! gate, then stops at once when revoked, and one altered character is "not valid";
//! another journalist's request is refused on a Press Law Art. 38 ground and the refusal
//! report shows it; an interview request goes overdue and the leaders are told (on their
//! page and by email); the access rules as a table; bad input as clear 4xx.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{self, backends, Api, Options, Server, DEMO_PASSWORD};

/// The clocks checked every second, so a test sees an escalation without waiting.
const FAST_CLOCK: &str = "[press_desk]\nclock_check_seconds = 1\n";

async fn start(backend: &common::Backend) -> Server {
    Server::start_with(
        backend,
        Options {
            toml: Some(FAST_CLOCK.into()),
            ..Default::default()
        },
    )
    .await
}

fn rfc3339(offset_minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(offset_minutes)).to_rfc3339()
}

async fn unit(api: &Api, code: &str) -> String {
    let (s, units) = api.get("/api/v1/press-units").await;
    assert_eq!(s, StatusCode::OK, "{units}");
    units
        .as_array()
        .and_then(|a| a.iter().find(|u| u["code"] == code))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no unit {code}"))
}

/// The QR code's text, read back from the SVG the permit page renders: the modules are
/// the `M{x} {y}h{s}` squares of its path, decoded by rqrr as a camera image would be.
fn decode_qr(svg: &str) -> String {
    let size: usize = svg
        .split("width=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("svg width");
    let mut dark = vec![false; size * size];
    let re = regex::Regex::new(r"M(\d+) (\d+)h(\d+)v(\d+)").unwrap();
    for c in re.captures_iter(svg) {
        let n = |i: usize| c[i].parse::<usize>().unwrap();
        let (x, y, w, h) = (n(1), n(2), n(3), n(4));
        for yy in y..(y + h).min(size) {
            for xx in x..(x + w).min(size) {
                dark[yy * size + xx] = true;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        if dark[y * size + x] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the permit");
    grids[0].decode().expect("the QR code decodes").1
}

/// Whether a problem document names `field` among its errors.
fn names_field(e: &Value, field: &str) -> bool {
    e["errors"].as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["field"] == field && x["message"].is_string())
    })
}

fn svg_of(html: &str) -> &str {
    let start = html.find("<svg").expect("the permit page has an SVG");
    let end = html[start..].find("</svg>").expect("svg end") + start + 6;
    &html[start..end]
}

async fn verdict(s: &Server, url: &str) -> (StatusCode, String) {
    let r = reqwest::get(url).await.unwrap();
    let code = r.status();
    let html = r.text().await.unwrap();
    let status = html
        .split("data-status=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap_or("?")
        .to_string();
    assert!(url.starts_with(&s.base), "{url} is on this server");
    (code, status)
}

#[tokio::test]
async fn a_night_patrol_is_filmed_with_a_permit_the_gate_can_check() {
    for backend in backends() {
        let s = start(&backend).await;
        let ha = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let ward = s.api(Some(&s.token_for("capx.hacthanh").await));
        let drugs_officer = s.api(Some(&s.token_for("pc04.canbo").await));
        let binh = s.api(Some(&s.token_for("pv.ttxvn").await));
        let editor = s.api(Some(&s.token_for("btv.ptth").await));
        let hacthanh = unit(&ha, "CAP-HACTHANH").await;

        let (st, r) = ha
            .post(
                "/api/v1/requests",
                &json!({
                    "kind": "field_work",
                    "topic": "Ghi hình tổ tuần tra đêm của Công an phường Hạc Thành",
                    "questions": "Đề nghị cho phóng viên đi cùng tổ tuần tra đêm.\nĐoàn 2 người.",
                    "unit_id": hacthanh,
                    "wished_from": rfc3339(60),
                    "wished_until": rfc3339(300),
                }),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["state"], "submitted");
        assert_eq!(
            r["questions"],
            "Đề nghị cho phóng viên đi cùng tổ tuần tra đêm.\nĐoàn 2 người."
        );
        let id = r["id"].as_str().unwrap().to_string();
        assert!(r["due_at"].as_i64().unwrap() > chrono::Utc::now().timestamp_millis());

        // Before assignment the ward does not see it; the journalist may only withdraw.
        let (st, _) = ward.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{}", backend.name());
        let (_, mine) = ha.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(mine["steps"], json!(["withdraw"]));
        let (st, _) = ha
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"unit_id": hacthanh}),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "a journalist does not route requests"
        );

        let (st, item) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"unit_id": hacthanh}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert_eq!(item["request"]["state"], "assigned");

        // The ward sees it now, and schedules it (from five minutes ago, so it is valid now).
        let (st, item) = ward.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            item["steps"]
                .as_array()
                .unwrap()
                .contains(&json!("schedule")),
            "{item}"
        );
        let (st, _) = drugs_officer.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "another unit's officer");
        let (st, item) = ward
            .post(
                &format!("/api/v1/requests/{id}/do/schedule"),
                &json!({"scheduled_from": rfc3339(-5), "scheduled_until": rfc3339(240), "place": "Trụ sở Công an phường Hạc Thành"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert_eq!(item["request"]["state"], "scheduled");
        let permit = &item["permit"];
        assert_eq!(permit["status"], "valid", "{item}");
        let verify_url = permit["verify_url"].as_str().unwrap().to_string();
        let permit_id = permit["permit"]["id"].as_str().unwrap().to_string();

        // The journalist opens the permit page; its QR code says the verification URL.
        let b = s.browser();
        b.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let (st, html) = b.text(&format!("/press/permits/{permit_id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            html.contains("Lê Thu Hà") && html.contains("Công an phường Hạc Thành"),
            "names on the permit"
        );
        assert_eq!(decode_qr(svg_of(&html)), verify_url);
        // The journalist's page lists the request and the permit.
        let (_, press) = b.text("/press").await;
        assert!(
            press.contains(&format!("/press/permits/{permit_id}")),
            "the permit is on /press"
        );

        // At the gate: valid. One altered character anywhere: not valid.
        assert_eq!(
            verdict(&s, &verify_url).await,
            (StatusCode::OK, "valid".into())
        );
        let token = verify_url.rsplit('/').next().unwrap().to_string();
        for i in [0, 10, token.len() - 1, token.len() - 12] {
            let mut t: Vec<char> = token.chars().collect();
            t[i] = if t[i] == 'A' { 'B' } else { 'A' };
            let altered: String = t.into_iter().collect();
            let (code, status) = verdict(&s, &s.url(&format!("/xac-minh/{altered}"))).await;
            assert_eq!(
                (code, status.as_str()),
                (StatusCode::NOT_FOUND, "not_valid"),
                "{altered}"
            );
        }
        for forged in [
            "x",
            &format!("{permit_id}."),
            &format!("{permit_id}.AAAAAAAAAAAAAAAAAAAAAA"),
            &"a".repeat(3000),
        ] {
            let (code, status) = verdict(&s, &s.url(&format!("/xac-minh/{forged}"))).await;
            assert_eq!(
                (code, status.as_str()),
                (StatusCode::NOT_FOUND, "not_valid"),
                "{forged}"
            );
        }

        // Others may not see the request or the permit.
        for (who, api) in [
            ("another journalist", &binh),
            ("another agency's editor", &editor),
            ("another unit", &drugs_officer),
        ] {
            let (st, _) = api.get(&format!("/api/v1/requests/{id}")).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{who}");
            let (_, list) = api.get("/api/v1/requests").await;
            assert!(!list.to_string().contains(&id), "{who} lists it");
        }
        let other = s.browser();
        other.login("pv.ttxvn", DEMO_PASSWORD).await;
        let (st, _) = other.text(&format!("/press/permits/{permit_id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // The press office revokes the permit: the gate says so at once.
        let (st, item) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/revoke_permit"),
                &json!({"note": "Thay đổi kế hoạch tuần tra"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert_eq!(item["permit"]["status"], "revoked");
        assert_eq!(
            verdict(&s, &verify_url).await,
            (StatusCode::OK, "revoked".into())
        );
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/revoke_permit"),
                &json!({"note": "again"}),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::CONFLICT,
            "a revoked permit cannot be revoked twice"
        );

        // Staff reads are audited, the journalist's are not.
        let (st, _) = officer.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        let db = s.db.open().await;
        let views = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'press_request.viewed' AND entity_id = $1",
                keng::args![&id],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert!(
            views >= 2,
            "the ward's and the press office's reads: {views}"
        );
        let kinds: Vec<String> = db
            .fetch_all(
                "SELECT kind FROM events WHERE entity_id = $1 OR entity_id = $2 ORDER BY id",
                keng::args![&id, &permit_id],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.str("kind").unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "press_request.created",
                "press_request.assigned",
                "press_request.scheduled",
                "permit.issued",
                "permit.revoked"
            ],
            "{}",
            backend.name()
        );
    }
}

/// The count of refusals on the private-life ground in the desk's refusal report, and
/// the report's HTML.
async fn private_life_refusals(officer: &common::Browser) -> (i64, String) {
    let (st, desk) = officer.text("/press-desk").await;
    assert_eq!(st, StatusCode::OK);
    let report = desk
        .split("id=\"h-refusals\"")
        .nth(1)
        .expect("a refusal report")
        .to_string();
    let count: String = report
        .split("Thuộc bí mật đời tư của cá nhân")
        .nth(1)
        .and_then(|row| row.split("<td>").nth(1))
        .unwrap_or("0")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (count.parse().unwrap_or(0), report)
}

#[tokio::test]
async fn a_refusal_names_its_legal_ground_and_the_report_counts_it() {
    for backend in backends() {
        let s = start(&backend).await;
        let binh = s.api(Some(&s.token_for("pv.ttxvn").await));
        let spokesperson = s.api(Some(&s.token_for("phatngon").await));
        let ask = json!({"kind": "information", "topic": "Nhân thân người bị hại trong vụ cháy", "questions": "Đề nghị cho biết họ tên, địa chỉ gia đình người bị hại."});
        let (st, r) = binh.post("/api/v1/requests", &ask).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let id = r["id"].as_str().unwrap();
        let step = format!("/api/v1/requests/{id}/do/refuse");
        let officer = s.browser();
        officer.login("tuyentruyen", DEMO_PASSWORD).await;
        let (before, _) = private_life_refusals(&officer).await;

        let (st, e) = spokesperson
            .post(&step, &json!({"note": "Thiếu căn cứ"}))
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a refusal without a ground: {e}"
        );
        assert!(names_field(&e, "ground"), "{e}");
        let (st, _) = spokesperson
            .post(&step, &json!({"ground": "too_busy", "note": "x"}))
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not a ground of Art. 38"
        );
        let (st, e) = spokesperson
            .post(&step, &json!({"ground": "private_life"}))
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a refusal is explained: {e}"
        );
        let (st, item) = spokesperson
            .post(&step, &json!({"ground": "private_life", "note": "Thông tin về nhân thân người bị hại thuộc bí mật đời tư."}))
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert_eq!(item["request"]["state"], "refused");

        let (_, seen) = binh.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(seen["request"]["refusal_ground"], "private_life");
        assert_eq!(
            seen["steps"],
            json!([]),
            "nothing more to do on a refused request"
        );
        let b = s.browser();
        b.login("pv.ttxvn", DEMO_PASSWORD).await;
        let (_, page) = b.text(&format!("/press/requests/{id}")).await;
        assert!(
            page.contains("Thuộc bí mật đời tư của cá nhân"),
            "the journalist reads the ground"
        );
        let (st, _) = b.text("/press-desk").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "the desk is staff's");

        // The refusal report of the press office shows the ground and its count: one
        // more than before this refusal (the demo's year has some).
        let (after, report) = private_life_refusals(&officer).await;
        assert_eq!(after, before + 1, "{}", backend.name());
        // And the demo's refusal on another ground.
        assert!(report.contains("Vụ án đang điều tra hoặc chưa xét xử"));
    }
}

#[tokio::test]
async fn an_overdue_interview_request_reaches_the_leaders() {
    for backend in backends() {
        let s = start(&backend).await;
        let vinh = s.api(Some(&s.token_for("btv.ptth").await));
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader_id = common::user_id(&officer, "giamdoc").await;
        let spokesperson_id = common::user_id(&officer, "phatngon").await;
        let topic = "Phỏng vấn về phương án phân luồng giao thông dịp Tết";
        let (st, r) = vinh
            .post(
                "/api/v1/requests",
                &json!({"kind": "interview", "topic": topic, "questions": "Các tuyến phân luồng chính?", "wished_from": rfc3339(24 * 60), "wished_until": rfc3339(25 * 60)}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let id = r["id"].as_str().unwrap().to_string();
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"assignee_id": spokesperson_id}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        // Its time limit passes (the database is moved, not the clock).
        let db = s.db.open().await;
        let past = chrono::Utc::now().timestamp_millis() - 3_600_000;
        db.execute(
            "UPDATE press_requests SET due_at = $1 WHERE id = $2",
            keng::args![past, &id],
        )
        .await
        .unwrap();

        let mut notified = false;
        for _ in 0..60 {
            let n = db
                .fetch_one(
                    "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND subject_id = $2 AND kind = 'overdue'",
                    keng::args![&leader_id, &id],
                )
                .await
                .unwrap()
                .i64("n")
                .unwrap();
            if n == 1 {
                notified = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(notified, "the leader was not notified ({})", backend.name());
        // By email too, and once only (the clock checks every second).
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let mails = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM mail_outbox WHERE to_addr = 'giamdoc@demo.keng.example' AND subject LIKE $1",
                keng::args![format!("%{topic}%")],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(mails, 1);
        let escalations = db
            .fetch_one("SELECT COUNT(*) AS n FROM events WHERE kind = 'press_request.overdue' AND entity_id = $1", keng::args![&id])
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(escalations, 1);
        // On the leader's page.
        let b = s.browser();
        b.login("giamdoc", DEMO_PASSWORD).await;
        let (_, home) = b.text("/").await;
        assert!(
            home.contains(&format!("Yêu cầu quá hạn trả lời: {topic}")),
            "the leader's page shows it"
        );
        // The desk lists it as overdue.
        let (_, list) = officer.get("/api/v1/requests?overdue=true").await;
        assert!(list.to_string().contains(&id));
    }
}

#[tokio::test]
async fn bad_press_desk_input_is_a_clear_4xx() {
    let s = start(&common::Backend::Sqlite).await;
    let ha = s.api(Some(&s.token_for("pv.baothanhhoa").await));
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let hacthanh = unit(&ha, "CAP-HACTHANH").await;
    let base = json!({"kind": "field_work", "topic": "Ghi hình", "questions": "Đi cùng tổ tuần tra", "unit_id": hacthanh, "wished_from": rfc3339(60), "wished_until": rfc3339(120)});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (case, body, field) in [
        (
            "a date in the past",
            with("wished_from", json!(rfc3339(-24 * 60))),
            "wished_from",
        ),
        (
            "an end before the start",
            with("wished_until", json!(rfc3339(30))),
            "wished_until",
        ),
        (
            "a unit that does not exist",
            with("unit_id", json!("01900000-0000-7000-8000-000000000000")),
            "unit_id",
        ),
        (
            "a unit that is not an id",
            with("unit_id", json!("'; DROP TABLE units; --")),
            "unit_id",
        ),
        (
            "field work without a unit",
            with("unit_id", Value::Null),
            "unit_id",
        ),
        ("an unknown kind", with("kind", json!("party")), "kind"),
        ("no topic", with("topic", json!("   ")), "topic"),
        (
            "not a date",
            with("wished_from", json!("ngày mai")),
            "wished_from",
        ),
        (
            "an interview without a date",
            json!({"kind": "interview", "topic": "x", "questions": "y"}),
            "wished_from",
        ),
        (
            "a control character",
            with("questions", json!("a\u{0007}b")),
            "questions",
        ),
    ] {
        let (st, e) = ha.post("/api/v1/requests", &body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {e}");
        assert!(names_field(&e, field), "{case}: {e}");
        assert!(e["title"].is_string(), "{case}: a problem document");
    }
    let (st, e) = ha
        .send(
            reqwest::Method::POST,
            "/api/v1/requests",
            &json!("not an object"),
        )
        .await;
    assert!(st.is_client_error(), "{e}");
    // Staff do not file requests; the public cannot.
    let (st, _) = officer.post("/api/v1/requests", &base).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.api(None).post("/api/v1/requests", &base).await;
    assert!(
        st == StatusCode::UNAUTHORIZED || st == StatusCode::FORBIDDEN,
        "{st}"
    );
    // Unknown ids and steps are 404; a revoked journalist is refused at once.
    let (st, _) = ha.get("/api/v1/requests/not-an-id").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, r) = ha.post("/api/v1/requests", &base).await;
    assert_eq!(st, StatusCode::CREATED);
    let id = r["id"].as_str().unwrap();
    let (st, _) = ha
        .post(&format!("/api/v1/requests/{id}/do/approve"), &json!({}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, e) = officer
        .post(&format!("/api/v1/requests/{id}/do/assign"), &json!({}))
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "assign to nobody: {e}"
    );
    let (st, e) = officer
        .post(
            &format!("/api/v1/requests/{id}/do/schedule"),
            &json!({"scheduled_from": rfc3339(120), "scheduled_until": rfc3339(60)}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let ha_id = common::user_id(&officer, "pv.baothanhhoa").await;
    let (st, e) = officer
        .post(
            &format!("/api/v1/users/{ha_id}/status"),
            &json!({"status": "revoked", "reason": "Thẻ nhà báo bị thu hồi"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let (st, _) = ha.post("/api/v1/requests", &base).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a revoked journalist's token stops"
    );
    // Pages: a form with errors answers 422 in Vietnamese, not a 500.
    let b = s.browser();
    b.login("pv.ttxvn", DEMO_PASSWORD).await;
    let r = b
        .submit(
            "/press/requests/new",
            "/press/requests",
            &[
                ("kind", "field_work"),
                ("topic", ""),
                ("questions", ""),
                ("wished_from", "2020-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Thời gian này đã qua"),
        "the past date is named"
    );
}

/// The press office declares the government's plan for Tết 2027 (an extra day off, a
/// make-up Saturday); the calendar, its JSON and the time limits follow, and only those
/// allowed may change it.
#[tokio::test]
async fn the_working_calendar_takes_the_days_the_press_office_declares() {
    let s = start(&common::Backend::Sqlite).await;
    let api = s.api(None);
    let (st, y) = api.get("/api/v1/work-calendar?year=2027").await;
    assert_eq!(st, StatusCode::OK, "{y}");
    let tet: Vec<&str> = y["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "tet")
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        tet,
        [
            "2027-02-05",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-02-09"
        ]
    );
    let feb = y["working_days_per_month"][1].as_i64().unwrap();

    let officer = s.browser();
    officer.login("tuyentruyen", DEMO_PASSWORD).await;
    for (day, working) in [("2027-02-04", "off"), ("13/02/2027", "working")] {
        let r = officer
            .submit(
                "/press-desk/calendar",
                "/press-desk/calendar",
                &[
                    ("day", day),
                    ("working", working),
                    ("note", "Thông báo lịch nghỉ Tết Đinh Mùi"),
                ],
            )
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{day}: {}",
            r.status()
        );
    }
    let (_, y) = api.get("/api/v1/work-calendar?year=2027").await;
    assert_eq!(
        y["working_days_per_month"][1].as_i64().unwrap(),
        feb,
        "one day off, one make-up day"
    );
    assert_eq!(y["adjustments"].as_array().unwrap().len(), 2, "{y}");
    let (_, page) = officer.text("/press-desk/calendar?year=2027").await;
    assert!(page.contains("cal-day makeup") && page.contains("cal-day declared-off"));
    // A bad day is a 422 naming the field, not a 500.
    let r = officer
        .submit(
            "/press-desk/calendar",
            "/press-desk/calendar",
            &[("day", "30/02/2027"), ("working", "off"), ("note", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Others may look, not change.
    let leader = s.browser();
    leader.login("giamdoc", DEMO_PASSWORD).await;
    let (st, _) = leader.text("/press-desk/calendar").await;
    assert_eq!(st, StatusCode::OK);
    let r = leader
        .submit(
            "/press-desk/calendar",
            "/press-desk/calendar",
            &[("day", "2027-03-01"), ("working", "off"), ("note", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Removing a declared day restores the computed calendar.
    let r = officer
        .submit(
            "/press-desk/calendar?year=2027",
            "/press-desk/calendar/2027-02-04/delete",
            &[],
        )
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let (_, y) = api.get("/api/v1/work-calendar?year=2027").await;
    assert_eq!(y["working_days_per_month"][1].as_i64().unwrap(), feb + 1);
    let (st, _) = api.get("/api/v1/work-calendar?year=1800").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

/// What an outside tester found, kept found: a unit sees a request only once the press
/// office assigned it (not because the journalist named it, nor after a refusal, a
/// question or a withdrawal); a refused or withdrawn request takes its permit with it; a
/// journalist who lost their accreditation carries no permit, not even one "not yet
/// valid"; a revoked permit can be replaced by scheduling again; a step form with a
/// mistake comes back with the message and what was typed.
#[tokio::test]
async fn units_see_only_what_they_were_given_and_permits_die_with_their_request() {
    for backend in backends() {
        let s = start(&backend).await;
        let ha = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let spokesperson = s.api(Some(&s.token_for("phatngon").await));
        let drugs = s.api(Some(&s.token_for("pc04.canbo").await));
        let pc04 = unit(&ha, "PC04").await;
        let file = |topic: &'static str| json!({"kind": "field_work", "topic": topic, "questions": "Q", "unit_id": pc04, "wished_from": rfc3339(60), "wished_until": rfc3339(180)});
        // Named by the journalist, then asked for details, answered by the journalist:
        // never assigned, so the unit never sees it.
        let (_, r) = ha.post("/api/v1/requests", &file("Chưa giao")).await;
        let id = r["id"].as_str().unwrap().to_string();
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/ask_details"),
                &json!({"note": "Nêu rõ thời gian"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = drugs.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(
            st,
            StatusCode::NOT_FOUND,
            "a question does not hand it to the unit"
        );
        let (st, item) = ha
            .post(
                &format!("/api/v1/requests/{id}/do/reply"),
                &json!({"note": "Tối thứ Sáu"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            item["request"]["state"], "submitted",
            "a reply goes back to the press office, not to the unit"
        );
        let (st, _) = drugs
            .post(
                &format!("/api/v1/requests/{id}/do/answer"),
                &json!({"answer": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/refuse"),
                &json!({"ground": "under_investigation", "note": "Đang điều tra"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, list) = drugs.get("/api/v1/requests").await;
        assert!(
            !list.to_string().contains(&id),
            "a refused, never-assigned request is not the unit's"
        );

        // Assigned and scheduled: a permit; withdrawn: the permit is revoked with it.
        let (_, r) = ha.post("/api/v1/requests", &file("Sẽ rút")).await;
        let id = r["id"].as_str().unwrap().to_string();
        officer
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"unit_id": pc04}),
            )
            .await;
        let (st, item) = drugs
            .post(
                &format!("/api/v1/requests/{id}/do/schedule"),
                &json!({"scheduled_from": rfc3339(-5), "scheduled_until": rfc3339(120)}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        let url = item["permit"]["verify_url"].as_str().unwrap().to_string();
        assert_eq!(verdict(&s, &url).await.1, "valid");
        let (st, _) = ha
            .post(&format!("/api/v1/requests/{id}/do/withdraw"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            verdict(&s, &url).await.1,
            "revoked",
            "withdrawn with its permit"
        );

        // Refused after scheduling: the same.
        let (_, r) = ha.post("/api/v1/requests", &file("Sẽ bị từ chối")).await;
        let id = r["id"].as_str().unwrap().to_string();
        officer
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"unit_id": pc04}),
            )
            .await;
        let (_, item) = drugs
            .post(
                &format!("/api/v1/requests/{id}/do/schedule"),
                &json!({"scheduled_from": rfc3339(-5), "scheduled_until": rfc3339(120)}),
            )
            .await;
        let url = item["permit"]["verify_url"].as_str().unwrap().to_string();
        let (st, _) = spokesperson
            .post(
                &format!("/api/v1/requests/{id}/do/refuse"),
                &json!({"ground": "state_secret", "note": "Bí mật"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            verdict(&s, &url).await.1,
            "revoked",
            "refused with its permit"
        );

        // Revoked permit, scheduled again: a new permit, the old code stays dead.
        let (_, r) = ha.post("/api/v1/requests", &file("Đổi giấy")).await;
        let id = r["id"].as_str().unwrap().to_string();
        officer
            .post(
                &format!("/api/v1/requests/{id}/do/assign"),
                &json!({"unit_id": pc04}),
            )
            .await;
        let (_, item) = drugs
            .post(
                &format!("/api/v1/requests/{id}/do/schedule"),
                &json!({"scheduled_from": rfc3339(-5), "scheduled_until": rfc3339(120)}),
            )
            .await;
        let first = item["permit"]["verify_url"].as_str().unwrap().to_string();
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/revoke_permit"),
                &json!({"note": "Đổi cán bộ"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, item) = drugs
            .post(
                &format!("/api/v1/requests/{id}/do/schedule"),
                &json!({"scheduled_from": rfc3339(-5), "scheduled_until": rfc3339(150)}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        let second = item["permit"]["verify_url"].as_str().unwrap().to_string();
        assert_ne!(first, second);
        assert_eq!(verdict(&s, &first).await.1, "revoked");
        assert_eq!(verdict(&s, &second).await.1, "valid");
        // The officer receiving the journalist must belong to the unit or the desk.
        let ward_officer = common::user_id(&officer, "capx.hacthanh").await;
        let (st, e) = drugs
            .post(&format!("/api/v1/requests/{id}/do/schedule"), &json!({"scheduled_from": rfc3339(10), "scheduled_until": rfc3339(150), "officer_id": ward_officer}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // A future permit of a journalist whose accreditation is revoked: revoked, not
        // "not yet valid"; and no new permit for them.
        let (_, r) = ha.post("/api/v1/requests", &file("Tuần sau")).await;
        let future = r["id"].as_str().unwrap().to_string();
        officer
            .post(
                &format!("/api/v1/requests/{future}/do/assign"),
                &json!({"unit_id": pc04}),
            )
            .await;
        let (_, item) = drugs
            .post(
                &format!("/api/v1/requests/{future}/do/schedule"),
                &json!({"scheduled_from": rfc3339(3000), "scheduled_until": rfc3339(3100)}),
            )
            .await;
        let later = item["permit"]["verify_url"].as_str().unwrap().to_string();
        assert_eq!(verdict(&s, &later).await.1, "not_yet_valid");
        let ha_id = common::user_id(&officer, "pv.baothanhhoa").await;
        let (st, _) = officer
            .post(
                &format!("/api/v1/users/{ha_id}/status"),
                &json!({"status": "revoked", "reason": "Thu hồi thẻ"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(verdict(&s, &later).await.1, "revoked");
        assert_eq!(verdict(&s, &second).await.1, "revoked");
        let (_, item) = officer.get(&format!("/api/v1/requests/{future}")).await;
        assert_eq!(item["permit"]["status"], "revoked");
        let (st, _) = drugs
            .post(
                &format!("/api/v1/requests/{future}/do/schedule"),
                &json!({"scheduled_from": rfc3339(3000), "scheduled_until": rfc3339(3200)}),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::CONFLICT,
            "no permit for a revoked journalist"
        );

        // A step form with a mistake: 422, the message next to the step, the text kept.
        let b = s.browser();
        b.login("phatngon", DEMO_PASSWORD).await;
        let (_, r) = s
            .api(Some(&s.token_for("pv.ttxvn").await))
            .post(
                "/api/v1/requests",
                &json!({"kind": "information", "topic": "Hỏi", "questions": "?"}),
            )
            .await;
        let rid = r["id"].as_str().unwrap().to_string();
        let resp = b
            .submit(
                &format!("/press/requests/{rid}"),
                &format!("/press/requests/{rid}/do/refuse"),
                &[("note", "Lý do tôi đã gõ")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("Lý do tôi đã gõ"), "what was typed is kept");
        assert!(
            html.contains("Căn cứ") && !html.contains("field.ground"),
            "the field is named in words"
        );
    }
}

/// A press conference: invitations reach the invited journalists' calendars (each .ics
/// read by the `icalendar` package), answers and check-in at the door work, a
/// postponement updates every calendar with a higher SEQUENCE and a cancellation marks it
/// CANCELLED; the uninvited see nothing; a revoked calendar address stops; the event is
/// a valid ninjs document.
#[tokio::test]
async fn a_press_conference_reaches_every_invited_calendar() {
    for backend in backends() {
        let s = start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let bth = common::agency_id(&officer, "BTH").await;
        let ttx = common::agency_id(&officer, "TTXVN-TH").await;
        let title = "Họp báo thông tin kết quả đợt cao điểm tấn công trấn áp tội phạm";
        let (st, e) = officer
            .post(
                "/api/v1/events",
                &json!({"kind": "press_conference", "title": title, "place": "Hội trường Công an tỉnh", "agenda": "1. Kết quả\n2. Hỏi đáp",
                        "starts_at": rfc3339(2 * 24 * 60), "ends_at": rfc3339(2 * 24 * 60 + 90), "agency_ids": [bth, ttx]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        let id = e["id"].as_str().unwrap().to_string();
        assert_eq!(e["sequence"], 0);

        // Each invited journalist makes a calendar address and reads it as a calendar app would.
        let mut feeds = Vec::new();
        for user in ["pv.baothanhhoa", "pv.ttxvn"] {
            let b = s.browser();
            b.login(user, DEMO_PASSWORD).await;
            let r = b
                .submit("/press/requests", "/press/calendar-token", &[])
                .await;
            let html = r.text().await.unwrap();
            let url = html
                .split("id=\"cal-url\">")
                .nth(1)
                .and_then(|x| x.split('<').next())
                .expect("the calendar address is shown once")
                .replace("&#x2f;", "/");
            feeds.push((user, b, url));
        }
        let read = |url: String| async move {
            let r = reqwest::get(&url).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{url}");
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar"));
            let body = r.text().await.unwrap();
            let mut child = std::process::Command::new("python3")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../e2e/parse_ics.py"
                ))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("python3 runs (scripts/test-deps installs icalendar)");
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(body.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "the .ics does not parse:\n{body}");
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        };
        let find = |cal: &Value| -> Value {
            cal["events"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["summary"] == title)
                .cloned()
                .unwrap_or(Value::Null)
        };
        for (_, _, url) in &feeds {
            let cal = read(url.clone()).await;
            assert_eq!(cal["method"], "PUBLISH");
            let ev = find(&cal);
            assert_eq!(ev["sequence"], 0, "{cal}");
            assert_eq!(ev["status"], "CONFIRMED");
            assert!(ev["uid"].as_str().unwrap().starts_with(&id));
            assert_eq!(ev["location"], "Hội trường Công an tỉnh");
        }
        // An agency not invited sees nothing of it.
        let editor = s.api(Some(&s.token_for("btv.ptth").await));
        let (st, _) = editor.get(&format!("/api/v1/events/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, list) = editor.get("/api/v1/events").await;
        assert!(!list.to_string().contains(&id));

        // Answers: by API and on the page.
        let ha = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        let (st, _) = ha
            .post(
                &format!("/api/v1/events/{id}/answer"),
                &json!({"answer": "yes"}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = ha
            .post(
                &format!("/api/v1/events/{id}/answer"),
                &json!({"answer": "perhaps"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let binh_browser = &feeds[1].1;
        let r = binh_browser
            .submit(
                &format!("/press/events/{id}"),
                &format!("/press/events/{id}/answer"),
                &[("answer", "no")],
            )
            .await;
        assert!(r.status().is_success() || r.status().is_redirection());

        // Check-in at the door: the journalist's code, scanned by the press officer.
        let (_, page) = feeds[0].1.text(&format!("/press/events/{id}")).await;
        let door = decode_qr(svg_of(&page));
        assert!(door.contains("/su-kien/check-in/"), "{door}");
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let path = door.trim_start_matches(&s.base).to_string();
        let (st, html) = desk.text(&path).await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("data-status=\"invited\"") && html.contains("Lê Thu Hà"));
        let r = desk.submit(&path, &path, &[]).await;
        assert!(r.status().is_success() || r.status().is_redirection());
        let (_, event_page) = desk.text(&format!("/press-desk/events/{id}")).await;
        assert!(
            event_page.contains("1 đã đến") || event_page.contains("1 came"),
            "attendance counted"
        );
        // One character of the signature changed (to a different one).
        let mut chars: Vec<char> = path.chars().collect();
        let i = chars.len() - 5;
        chars[i] = if chars[i] == 'Q' { 'R' } else { 'Q' };
        let altered: String = chars.into_iter().collect();
        let (st, html) = desk.text(&altered).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(html.contains("data-status=\"not_valid\""));
        let (st, _) = feeds[1].1.text(&path).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "journalists do not check people in"
        );

        // ninjs, valid against the IPTC schema.
        let (st, doc) = ha.get(&format!("/api/v1/events/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        let v = crate::newsroom::ninjs_validator();
        assert!(v.is_valid(&doc), "{doc}");
        assert_eq!(doc["events"][0]["id"], id.as_str());

        // Postponed by a day: every calendar shows SEQUENCE 1 and the new start.
        let (st, e) = officer
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/events/{id}"),
                &json!({"kind": "press_conference", "title": title, "place": "Hội trường Công an tỉnh", "agenda": "1. Kết quả\n2. Hỏi đáp",
                        "starts_at": rfc3339(3 * 24 * 60), "ends_at": rfc3339(3 * 24 * 60 + 90), "agency_ids": [bth, ttx]}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{e}");
        assert_eq!(e["sequence"], 1);
        let mut starts = Vec::new();
        for (_, _, url) in &feeds {
            let ev = find(&read(url.clone()).await);
            assert_eq!(ev["sequence"], 1, "{ev}");
            starts.push(ev["start"].as_str().unwrap().to_string());
        }
        assert_eq!(starts[0], starts[1]);

        // Cancelled: STATUS:CANCELLED with a higher SEQUENCE.
        let r = desk
            .submit(
                &format!("/press-desk/events/{id}"),
                &format!("/press-desk/events/{id}/cancel"),
                &[("note", "Trùng lịch công tác")],
            )
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        for (_, _, url) in &feeds {
            let ev = find(&read(url.clone()).await);
            assert_eq!(
                (ev["status"].as_str(), ev["sequence"].as_i64()),
                (Some("CANCELLED"), Some(2)),
                "{ev}"
            );
        }
        // A revoked calendar address stops at once.
        let r = feeds[0]
            .1
            .submit("/press/requests", "/press/calendar-token/revoke", &[])
            .await;
        assert!(r.status().is_success() || r.status().is_redirection());
        let st = reqwest::get(&feeds[0].2).await.unwrap().status();
        assert_eq!(st, StatusCode::NOT_FOUND);
        // The quarterly duty shows on the desk.
        let (_, events_page) = desk.text("/press-desk/events").await;
        assert!(
            events_page.contains("Nghĩa vụ họp báo định kỳ"),
            "{}",
            backend.name()
        );
    }
}
