//! The press desk's second part against the real binary, on SQLite and PostgreSQL: a
//! correction request to a press agency followed to the corrected article (only that
//! agency's editors see and answer it); an answer about an incident shared once for all
//! press, through the newsroom's four eyes, onto the incident's timeline; every invited
//! journalist told when a press conference is postponed or cancelled (and nobody else);
//! the report's charts and CSV agree with the database.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{self, backends, Server, DEMO_PASSWORD};

fn day(offset_days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(offset_days))
        .format("%Y-%m-%d")
        .to_string()
}

fn rfc3339(offset_minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(offset_minutes)).to_rfc3339()
}

fn names_field(e: &Value, field: &str) -> bool {
    e["errors"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x["field"] == field))
}

/// Waits (up to 15 s) until `user` has a notification of `kind` about `subject`.
async fn notified(s: &Server, user_id: &str, subject: &str, kind: &str) -> bool {
    let db = s.db.open().await;
    for _ in 0..60 {
        let n = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND subject_id = $2 AND kind = $3",
                keng::args![user_id, subject, kind],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        if n > 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    false
}

async fn count_notices(s: &Server, user_id: &str, subject: &str) -> i64 {
    let db = s.db.open().await;
    db.fetch_one(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND subject_id = $2",
        keng::args![user_id, subject],
    )
    .await
    .unwrap()
    .i64("n")
    .unwrap()
}

#[tokio::test]
async fn a_wrong_article_is_corrected_and_the_corrected_article_linked() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let spokesperson = s.api(Some(&s.token_for("phatngon").await));
        let editor = s.api(Some(&s.token_for("btv.ptth").await)); // editor at PTTH-TH
        let other = s.api(Some(&s.token_for("pv.baothanhhoa").await)); // BTH, not an editor
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let ptth = common::agency_id(&officer, "PTTH-TH").await;
        let editor_id = common::user_id(&officer, "btv.ptth").await;
        let spokesperson_id = common::user_id(&officer, "phatngon").await;
        let good = json!({
            "agency_id": ptth, "kind": "correction",
            "article_url": "https://ptth.example/thoi-su/vu-chay-kho-hang-123.html",
            "article_title": "Cháy kho hàng, 5 người tử vong",
            "published_at": day(-1),
            "wrong": "Bài viết nêu 5 người tử vong.",
            "correct": "Vụ cháy không gây thương vong về người; thiệt hại về tài sản đang được xác định.",
            "due_on": day(3)
        });

        // Bad input: each field named, in Vietnamese, never a 500.
        for (field, value) in [
            ("agency_id", json!("no-such-agency")),
            ("article_url", json!("javascript:alert(1)")),
            ("article_url", json!("https://ptth.example/a b\n.html")),
            ("article_title", json!("")),
            ("wrong", json!("")),
            ("due_on", json!(day(-2))),
            ("due_on", json!("31/02/2026")),
            ("published_at", json!(day(5))),
            ("kind", json!("apology")),
            ("bulletin_id", json!("01NOTAPUBLISHEDBULLETIN000")),
        ] {
            let mut body = good.clone();
            body[field] = value.clone();
            let (st, e) = spokesperson.post("/api/v1/corrections", &body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {e}");
            assert!(names_field(&e, field), "{field}: {e}");
        }
        let (st, _) = editor.post("/api/v1/corrections", &good).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "a journalist does not file them");

        let (st, made) = spokesperson.post("/api/v1/corrections", &good).await;
        assert_eq!(st, StatusCode::CREATED, "{made}");
        let id = made["correction"]["id"].as_str().unwrap().to_string();
        assert_eq!(made["correction"]["state"], "sent");
        assert_eq!(made["steps"], json!(["record_published", "withdraw"]));

        // The agency's editor is told and sees it; another agency's journalist does not.
        assert!(
            notified(&s, &editor_id, &id, "correction_sent").await,
            "{}",
            backend.name()
        );
        let (st, list) = editor.get("/api/v1/corrections").await;
        assert_eq!(st, StatusCode::OK);
        assert!(list.to_string().contains(&id));
        let (_, list) = other.get("/api/v1/corrections").await;
        assert_eq!(list, json!([]), "not another agency's");
        let (st, _) = other.get(&format!("/api/v1/corrections/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = other
            .post(
                &format!("/api/v1/corrections/{id}/do/acknowledge"),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "not an editor");
        let b = s.browser();
        b.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let (st, _) = b.text(&format!("/press/corrections/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // The editor confirms receipt, then publishes — the corrected article's address
        // is required.
        let (_, seen) = editor.get(&format!("/api/v1/corrections/{id}")).await;
        assert_eq!(seen["steps"], json!(["acknowledge", "publish", "decline"]));
        let (st, e) = editor
            .post(
                &format!("/api/v1/corrections/{id}/do/acknowledge"),
                &json!({"note": "Đã chuyển ban Thời sự."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{e}");
        let (st, e) = editor
            .post(&format!("/api/v1/corrections/{id}/do/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(names_field(&e, "corrected_url"), "{e}");
        let corrected = "https://ptth.example/thoi-su/cai-chinh-vu-chay-kho-hang-124.html";
        let (st, done) = editor
            .post(
                &format!("/api/v1/corrections/{id}/do/publish"),
                &json!({"corrected_url": corrected}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{done}");
        assert_eq!(done["correction"]["state"], "published");
        assert_eq!(done["steps"], json!([]));
        let (st, _) = editor
            .post(
                &format!("/api/v1/corrections/{id}/do/decline"),
                &json!({"note": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "closed");
        assert!(notified(&s, &spokesperson_id, &id, "correction_published").await);

        // The press office's page links the corrected article and shows the history.
        let desk = s.browser();
        desk.login("phatngon", DEMO_PASSWORD).await;
        let (st, page) = desk.text(&format!("/press/corrections/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.replace("&#x2f;", "/").contains(corrected));
        assert!(page.contains("Đã đăng cải chính"));
        assert!(page.contains("Báo xác nhận đã nhận đề nghị cải chính"));
        let (st, list) = desk.text("/press-desk/corrections").await;
        assert_eq!(st, StatusCode::OK);
        assert!(list.contains("Cháy kho hàng, 5 người tử vong"));

        // A second request, filed on the page, withdrawn by the office: the editor can no
        // longer act on it.
        let r = desk
            .submit(
                "/press-desk/corrections/new",
                "/press-desk/corrections",
                &[
                    ("agency_id", &ptth),
                    ("kind", "response"),
                    ("article_url", "https://ptth.example/a-125.html"),
                    ("article_title", "Người dân phản ánh chậm xử lý"),
                    ("wrong", "Bài viết chưa có ý kiến của cơ quan Công an."),
                    (
                        "correct",
                        "Công an phường đã tiếp nhận và xử lý ngay trong ngày.",
                    ),
                    ("due_on", &day(2)),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let url = r.headers()["location"]
            .to_str()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        assert!(url.starts_with("/press/corrections/"), "{url}");
        let second = url.trim_start_matches("/press/corrections/").to_string();
        let r = desk.submit(&url, &format!("{url}/do/withdraw"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (st, _) = editor
            .post(
                &format!("/api/v1/corrections/{second}/do/acknowledge"),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{}", backend.name());
        // The page form with errors comes back as 422 with the message beside the field.
        let r = desk
            .submit(
                "/press-desk/corrections/new",
                "/press-desk/corrections",
                &[("agency_id", &ptth), ("kind", "correction")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("aria-invalid=\"true\""));
    }
}

#[tokio::test]
async fn an_answer_about_an_incident_is_shared_once_for_all_press() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let ha = s.api(Some(&s.token_for("pv.baothanhhoa").await));
        let (st, inc) = officer
            .post(
                "/api/v1/incidents",
                &json!({"title": "Tai nạn liên hoàn trên cao tốc Bắc – Nam", "place": "Đoạn qua xã Trường Lâm",
                        "occurred_at": rfc3339(-120), "public_concern": true}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{inc}");
        let inc_id = inc["id"].as_str().unwrap().to_string();
        let question = "Có bao nhiêu phương tiện liên quan và đã phân luồng thế nào?";
        let (st, r) = ha
            .post(
                "/api/v1/requests",
                &json!({"kind": "information", "topic": "Tai nạn trên cao tốc", "questions": question, "incident_id": inc_id}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let id = r["id"].as_str().unwrap().to_string();
        let answer = "Vụ tai nạn liên quan 4 xe ô tô; lực lượng CSGT đã phân luồng qua Quốc lộ 1A.";
        let (st, item) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/answer"),
                &json!({"answer": answer}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{item}");
        assert!(item["steps"].as_array().unwrap().contains(&json!("share")));
        let (st, e) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/share"),
                &json!({"audience": "everyone"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, _) = ha
            .post(
                &format!("/api/v1/requests/{id}/do/share"),
                &json!({"audience": "press"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "the journalist does not publish");
        // Six clicks at once (two people, double clicks): one share, one draft.
        let spokesperson = s.api(Some(&s.token_for("phatngon").await));
        let tries = (0..6).map(|i| {
            let api = if i % 2 == 0 {
                officer.clone()
            } else {
                spokesperson.clone()
            };
            let path = format!("/api/v1/requests/{id}/do/share");
            async move { api.post(&path, &json!({"audience": "press"})).await }
        });
        let results = futures::future::join_all(tries).await;
        let won: Vec<&Value> = results
            .iter()
            .filter(|(st, _)| *st == StatusCode::OK)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(won.len(), 1, "{results:?}");
        assert!(results
            .iter()
            .all(|(st, _)| *st == StatusCode::OK || *st == StatusCode::CONFLICT));
        let item = won[0].clone();
        let db = s.db.open().await;
        let drafts = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM bulletins WHERE incident_id = $1",
                keng::args![&inc_id],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(drafts, 1, "the losers left no draft ({})", backend.name());
        let bulletin = item["request"]["shared_bulletin_id"]
            .as_str()
            .expect("shared as a bulletin")
            .to_string();
        assert!(
            !item["steps"].as_array().unwrap().contains(&json!("share")),
            "once"
        );
        let (st, _) = officer
            .post(
                &format!("/api/v1/requests/{id}/do/share"),
                &json!({"audience": "press"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);

        // A draft on the incident with the question and answer, not who asked; four eyes.
        let (st, b) = officer
            .get(&format!("/api/v1/desk/bulletins/{bulletin}"))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let text = b.to_string();
        assert_eq!(b["bulletin"]["state"], "draft", "{b}");
        assert_eq!(b["bulletin"]["incident_id"], inc_id.as_str());
        assert_eq!(b["bulletin"]["audience"], "press");
        assert!(
            text.contains("4 xe ô tô") && text.contains("phân luồng"),
            "{b}"
        );
        assert!(!text.contains("Lê Thu Hà"), "the asker is not named");
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{bulletin}/submit"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, e) = officer
            .post(&format!("/api/v1/bulletins/{bulletin}/approve"), &json!({}))
            .await;
        assert_ne!(st, StatusCode::OK, "no self-approval: {e}");
        let (st, _) = leader
            .post(&format!("/api/v1/bulletins/{bulletin}/approve"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = officer
            .post(&format!("/api/v1/bulletins/{bulletin}/publish"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);

        // On the incident's timeline for accredited press, not for the public.
        let another = s.browser();
        another.login("pv.ttxvn", DEMO_PASSWORD).await;
        let (st, page) = another.text(&format!("/vu-viec/{inc_id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("4 xe ô tô"), "{}", backend.name());
        let (_, public) = s.browser().text(&format!("/vu-viec/{inc_id}")).await;
        assert!(!public.contains("4 xe ô tô"), "press only");
        // The next staff member reading a request on this incident sees it.
        let desk = s.browser();
        desk.login("phatngon", DEMO_PASSWORD).await;
        let (_, page) = desk.text(&format!("/press/requests/{id}")).await;
        assert!(page.contains(&format!("/newsroom/b/{bulletin}")));
    }
}

#[tokio::test]
async fn every_invited_journalist_hears_of_a_postponement_and_nobody_else() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let bth = common::agency_id(&officer, "BTH").await;
        let invited = common::user_id(&officer, "pv.baothanhhoa").await;
        let outsider = common::user_id(&officer, "pv.ttxvn").await;
        let title = "Họp báo về công tác bảo đảm an ninh dịp Tết";
        let body = |start: i64| {
            json!({"kind": "press_conference", "title": title, "place": "Hội trường Công an tỉnh",
                   "starts_at": rfc3339(start), "ends_at": rfc3339(start + 90), "agency_ids": [bth]})
        };
        let (st, e) = officer.post("/api/v1/events", &body(3 * 24 * 60)).await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        let id = e["id"].as_str().unwrap().to_string();
        assert!(notified(&s, &invited, &id, "event_invited").await);
        let (st, e) = officer
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/events/{id}"),
                &body(4 * 24 * 60),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{e}");
        assert!(
            notified(&s, &invited, &id, "event_rescheduled").await,
            "{}",
            backend.name()
        );
        // On the journalist's page, with the event's title and link.
        let b = s.browser();
        b.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let (_, home) = b.text("/press").await;
        assert!(
            home.contains(&format!("Sự kiện dời lịch: {title}")),
            "the journalist's page shows it"
        );
        assert!(home.contains(&format!("/press/events/{id}")));
        // By email, naming the new time.
        let db = s.db.open().await;
        let mails = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM mail_outbox WHERE subject LIKE $1",
                keng::args![format!("%Sự kiện dời lịch: {title}%")],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert!(mails >= 1, "{}", backend.name());
        assert_eq!(
            count_notices(&s, &outsider, &id).await,
            0,
            "an agency not invited hears nothing"
        );
        // The invitation moves from BTH to TTXVN: TTXVN's journalist is invited, BTH's is
        // told it is no longer expected, and that notice does not link to the event.
        let ttx = common::agency_id(&officer, "TTXVN-TH").await;
        let mut moved = body(4 * 24 * 60);
        moved["agency_ids"] = json!([ttx]);
        let (st, e) = officer
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/events/{id}"),
                &moved,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{e}");
        assert!(notified(&s, &outsider, &id, "event_invited").await);
        assert!(notified(&s, &invited, &id, "event_uninvited").await);
        assert_eq!(
            count_notices(&s, &outsider, &id).await,
            1,
            "an invitation, not a change"
        );
        let (_, home) = b.text("/press").await;
        assert!(home.contains("không còn trong danh sách mời"));
    }
}

#[tokio::test]
async fn the_report_draws_response_times_and_exports_the_same_figures() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.browser();
        officer.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, page) = officer.text("/press-desk/report").await;
        assert_eq!(st, StatusCode::OK);
        let charts = page.matches("<svg").count();
        assert!(charts >= 3, "charts drawn on the server: {charts}");
        assert!(page.contains("role=\"img\"") && page.contains("<title id=\"chart-"));
        assert!(page.contains("Thời gian phản hồi theo tháng"));
        assert!(page.contains("Vụ án đang điều tra hoặc chưa xét xử"));

        // The CSV's responded count is the database's, for this year in Vietnam time.
        let year = chrono::Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
            .format("%Y")
            .to_string();
        let r = officer
            .get(&format!("/press-desk/report.csv?year={year}&table=times"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let body = r.text().await.unwrap();
        let mut rd = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
        let head = rd.headers().unwrap().clone();
        assert_eq!(&head[0], "month");
        let col = head.iter().position(|h| h == "responded").unwrap();
        let on_time = head.iter().position(|h| h == "on_time").unwrap();
        let mut total = 0i64;
        for rec in rd.records() {
            let rec = rec.unwrap();
            let n: i64 = rec[col].parse().unwrap();
            assert!(rec[on_time].parse::<i64>().unwrap() <= n);
            total += n;
        }
        let db = s.db.open().await;
        let start = chrono::NaiveDate::parse_from_str(&format!("{year}-01-01"), "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
            - 7 * 3_600_000;
        let want = db
            .fetch_one(
                "SELECT COUNT(*) AS n FROM press_requests WHERE responded_at >= $1 AND responded_at < $2",
                keng::args![start, start + 366 * 86_400_000],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert!(want > 0, "the demo responded to requests");
        assert_eq!(total, want, "{}", backend.name());
        let r = officer
            .get(&format!(
                "/press-desk/report.csv?year={year}&table=refusals"
            ))
            .await;
        assert!(r.text().await.unwrap().contains("under_investigation"));
        // A unit name that a spreadsheet would run as a formula is written as text.
        db.execute(
            "UPDATE units SET name = $1 WHERE code = 'PC08'",
            keng::args!["=HYPERLINK(\"http://evil.example\",\"x\")"],
        )
        .await
        .unwrap();
        let r = officer
            .get(&format!("/press-desk/report.csv?year={year}&table=open"))
            .await;
        let csv = r.text().await.unwrap();
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        assert!(!csv.contains(",=HYPERLINK"), "{csv}");

        // Bad input is a clear 400; the report is the press office's and the leaders'.
        let (st, e) = officer.text("/press-desk/report?year=abc").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        assert!(e.contains("Năm không hợp lệ"), "{e}");
        let r = officer.get("/press-desk/report.csv?table=everything").await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        for who in ["pv.ttxvn", "capx.hacthanh"] {
            let b = s.browser();
            b.login(who, DEMO_PASSWORD).await;
            let (st, _) = b.text("/press-desk/report").await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        }
        let leader = s.browser();
        leader.login("giamdoc", DEMO_PASSWORD).await;
        let (st, _) = leader.text("/press-desk/report").await;
        assert_eq!(st, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_conference_hands_out_embargoed_materials_to_the_invited_press_only() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let bth = common::agency_id(&officer, "BTH").await;
        let start = 2 * 24 * 60;
        let (st, e) = officer
            .post(
                "/api/v1/events",
                &json!({"kind": "press_conference", "title": "Họp báo kết quả đợt cao điểm", "place": "Hội trường Công an tỉnh",
                        "starts_at": rfc3339(start), "ends_at": rfc3339(start + 90), "agency_ids": [bth]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        let id = e["id"].as_str().unwrap().to_string();
        // Materials: press only, embargoed until the start; and a draft follow-up.
        let title = "Tài liệu họp báo: số liệu đợt cao điểm";
        let materials = common::publish(
            &officer,
            &leader,
            &json!({"kind": "press_release", "category": "khac", "title": title, "summary": "Số liệu",
                    "body": "Bắt giữ 33 vụ, 73 đối tượng.", "audience": "press", "embargo_until": rfc3339(start)}),
            common::Until::Published,
        )
        .await;
        let (st, draft) = officer
            .post(
                "/api/v1/bulletins",
                &json!({"kind": "press_release", "category": "khac", "title": "Tin sau họp báo (nháp)", "summary": "s", "body": "b", "audience": "public"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let draft = draft["id"].as_str().unwrap().to_string();
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let page = format!("/press-desk/events/{id}");
        for (b, role) in [(&materials, "materials"), (&draft, "follow_up")] {
            let r = desk
                .submit(
                    &page,
                    &format!("{page}/link"),
                    &[("bulletin_id", b), ("role", role)],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert!(r.headers()["location"]
                .to_str()
                .unwrap()
                .ends_with("done=event_linked"));
        }
        let r = desk
            .submit(
                &page,
                &format!("{page}/link"),
                &[("bulletin_id", "not-a-bulletin"), ("role", "materials")],
            )
            .await;
        assert!(r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("done=event_link_invalid"));
        let (_, html) = desk.text(&page).await;
        assert!(html.contains(title) && html.contains("Tin sau họp báo (nháp)"));

        // The invited journalist gets the materials early, marked as embargoed; not the draft.
        let ha = s.browser();
        ha.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let (st, inv) = ha.text(&format!("/press/events/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(inv.contains(title), "{}", backend.name());
        assert!(inv.contains("Cấm đăng trước"));
        assert!(!inv.contains("Tin sau họp báo (nháp)"), "no draft");
        // Another agency is not invited; the public cannot read the materials.
        let binh = s.browser();
        binh.login("pv.ttxvn", DEMO_PASSWORD).await;
        let (st, _) = binh.text(&format!("/press/events/{id}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, public) = s.browser().text(&format!("/tin/{materials}")).await;
        assert!(!public.contains("33 vụ, 73 đối tượng"), "{st}");
        // Untied, it is gone from the invitation.
        let r = desk
            .submit(
                &page,
                &format!("{page}/unlink"),
                &[("bulletin_id", &materials)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, inv) = ha.text(&format!("/press/events/{id}")).await;
        assert!(!inv.contains(title));
    }
}

/// A multipart form with one file and, if given, its purpose.
fn file_form(name: &str, bytes: &[u8], purpose: Option<&str>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    if let Some(p) = purpose {
        form = form.text("purpose", p.to_string());
    }
    form
}

#[tokio::test]
async fn a_request_carries_its_letter_of_introduction_to_its_readers_only() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let ha_token = s.token_for("pv.baothanhhoa").await;
        let officer_token = s.token_for("tuyentruyen").await;
        let ha = s.api(Some(&ha_token));
        let (st, r) = ha
            .post(
                "/api/v1/requests",
                &json!({"kind": "information", "topic": "Số liệu tai nạn dịp Tết", "questions": "Đề nghị cung cấp số liệu."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let id = r["id"].as_str().unwrap().to_string();
        let url = s.url(&format!("/api/v1/requests/{id}/attachments"));
        let client = reqwest::Client::new();
        let send = |token: String, form: reqwest::multipart::Form| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let r = client
                    .post(&url)
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                let st = r.status();
                (st, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let letter = b"%PDF-1.4 giay gioi thieu cua Bao Thanh Hoa";
        // Refused by content, by kind, and by who asks.
        let (st, e) = send(
            ha_token.clone(),
            file_form(
                "thu.pdf",
                b"<html><script>alert(1)</script>",
                Some("letter"),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(names_field(&e, "file"), "{e}");
        let (st, e) = send(
            ha_token.clone(),
            file_form("thu.pdf", letter, Some("answer")),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a journalist does not answer: {e}"
        );
        let (st, _) = send(
            s.token_for("pv.ttxvn").await,
            file_form("thu.pdf", letter, Some("letter")),
        )
        .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "not their request");
        let (st, files) = send(
            ha_token.clone(),
            file_form("giấy giới thiệu.pdf", letter, Some("letter")),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{files}");
        assert_eq!(files[0]["purpose"], "letter");
        assert_eq!(files[0]["filename"], "giấy giới thiệu.pdf");
        let file_url = files[0]["url"].as_str().unwrap().to_string();

        // The press office reads it (and adds the answer's document without naming a kind).
        let officer = s.browser();
        officer.login("tuyentruyen", DEMO_PASSWORD).await;
        let r = officer.get(&file_url).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"));
        assert_eq!(r.bytes().await.unwrap().as_ref(), letter);
        let (st, files) = send(
            officer_token,
            file_form("tra-loi.pdf", b"%PDF-1.4 tra loi", None),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{files}");
        assert_eq!(files[1]["purpose"], "answer");
        let (_, item) = ha.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(item["files"].as_array().map(Vec::len), Some(2), "{item}");
        // Another journalist and a unit not in charge do not.
        for who in ["pv.ttxvn", "capx.hacthanh"] {
            let b = s.browser();
            b.login(who, DEMO_PASSWORD).await;
            let r = b.get(&file_url).await;
            assert_eq!(
                r.status(),
                StatusCode::NOT_FOUND,
                "{who} on {}",
                backend.name()
            );
        }
        let (st, _) = s.browser().text(&file_url).await;
        assert_ne!(st, StatusCode::OK, "not without signing in");
        // The request page lists them, with the form for the journalist.
        let b = s.browser();
        b.login("pv.baothanhhoa", DEMO_PASSWORD).await;
        let (_, page) = b.text(&format!("/press/requests/{id}")).await;
        assert!(
            page.contains("giấy giới thiệu.pdf")
                && page.contains("Giấy giới thiệu của cơ quan báo chí")
        );
        assert!(page.contains("enctype=\"multipart/form-data\""));
        // At most twelve files, also when uploads race (two of seven at once: one wins).
        let seven = |k: usize| {
            let mut form = reqwest::multipart::Form::new().text("purpose", "document");
            for i in 0..7 {
                let body = format!("%PDF-1.4 lot {k} tai lieu {i}");
                form = form.part(
                    "file",
                    reqwest::multipart::Part::bytes(body.into_bytes()).file_name("tl.pdf"),
                );
            }
            form
        };
        let (a, b) = tokio::join!(
            send(ha_token.clone(), seven(1)),
            send(ha_token.clone(), seven(2))
        );
        let mut codes = [a.0, b.0];
        codes.sort();
        assert_eq!(
            codes,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "{a:?} {b:?}"
        );
        // A scanned letter of 3 MB goes through (uploads are not held to the 2 MB of forms).
        let mut big = b"%PDF-1.4 ".to_vec();
        big.resize(3 * 1024 * 1024, b'x');
        let (st, e) = send(
            ha_token.clone(),
            file_form("scan.pdf", &big, Some("letter")),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        for i in 0..2 {
            let body = format!("%PDF-1.4 tai lieu {i}");
            let (st, _) = send(
                ha_token.clone(),
                file_form("tl.pdf", body.as_bytes(), Some("document")),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED);
        }
        let (_, item) = ha.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(
            item["files"].as_array().map(Vec::len),
            Some(12),
            "{}",
            backend.name()
        );
        let (st, e) = send(
            ha_token.clone(),
            file_form("tl.pdf", b"%PDF-1.4 one too many", Some("document")),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
    }
}
