//! The press monitor against fixture press sites on loopback: three agencies' feeds are
//! registered; after a bulletin is published their articles about it become coverage
//! with the time to pickup (a link back, a rewrite without a link, a Windows-1258 page
//! found through a news sitemap); a near-miss about another ward waits for review and is
//! rejected; an unrelated story is left alone; robots.txt is honoured; a 429 with
//! Retry-After, broken XML, a 500, a server slower than the time limit and an oversized
//! page are recorded on their feed or article and the monitor carries on; a second read
//! of a feed is conditional (304), a feed read again with updated items yields only its
//! new item, and no article page is fetched twice (also by two
//! nodes on one PostgreSQL). Then the year is reviewed: a TV story recorded by
//! hand, the metrics per agency and journalist, the yearly review's page and DOCX (read
//! back) with the suggested commendations and their evidence, the leader's awards on
//! the public page, and an editor's answer to the survey joining the review.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode as S};
use axum::response::{IntoResponse, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{self, agency_id, backends, docx_text, user_id, Options, Server};

/// The fixture press sites: what each path answers, and how often it was asked.
#[derive(Clone, Default)]
struct Site {
    hits: Arc<Mutex<HashMap<String, usize>>>,
    bulletin: Arc<Mutex<String>>,
    warning: Arc<Mutex<String>>,
    base: Arc<Mutex<String>>,
}

impl Site {
    fn hit(&self, path: &str) -> usize {
        let mut h = self.hits.lock().unwrap();
        let n = h.entry(path.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    fn count(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

const REWRITE: &str = "Theo Công an tỉnh Thanh Hóa, lực lượng công an huyện Hoằng Hóa vừa bắt 4 đối tượng trộm cắp xe máy tại xã Hoằng Lộc, thu hồi 7 xe máy. Các đối tượng khai nhận đã nhiều lần trộm cắp tài sản tại các xã lân cận. Vụ việc đang được điều tra, xử lý theo quy định của pháp luật.";
/// About the same kind of case in the same district, naming no ward and no count: it
/// may be about our bulletin, a person must say.
const DOUBTFUL: &str = "Công an huyện Hoằng Hoá vừa triệt phá một nhóm trộm cắp xe máy hoạt động trên địa bàn huyện. Lực lượng chức năng đang tiếp tục điều tra, mở rộng vụ án.";
/// Another case: another ward, other counts.
const OTHER_CASE: &str = "Công an huyện Hoằng Hoá vừa bắt 2 đối tượng trộm cắp xe máy tại xã Hoằng Đạo, thu hồi 3 xe máy. Các đối tượng khai nhận đã trộm cắp tài sản.";

fn page(title: &str, text: &str, extra: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><header><nav><a href=\"/\">Trang chủ</a></nav></header>\
         <article><h1>{title}</h1><p>{text}</p><p>{text}</p>{extra}</article><footer>Bản quyền thuộc về toà soạn.</footer></body></html>"
    )
}

fn rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(path, title, summary)| {
            format!("<item><title>{title}</title><link>{base}{path}</link><description>{summary}</description><pubDate>{}</pubDate></item>",
                chrono::Utc::now().to_rfc2822())
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Báo</title>{items}</channel></rss>")
}

async fn answer(site: Site, path: String, headers: HeaderMap) -> Response {
    let n = site.hit(&path);
    let base = site.base.lock().unwrap().clone();
    let bulletin = site.bulletin.lock().unwrap().clone();
    let warning = site.warning.lock().unwrap().clone();
    let html =
        |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    match path.as_str() {
        "/robots.txt" => "User-agent: *\nDisallow: /private/\n".into_response(),
        "/a/rss.xml" => {
            if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                return S::NOT_MODIFIED.into_response();
            }
            let body = rss(&base, &[
                ("/a/1.html", "Bắt 4 đối tượng trộm cắp xe máy ở Hoằng Hoá", "Công an Hoằng Hoá bắt nhóm trộm xe máy."),
                ("/a/2.html", "Hoằng Hóa: 4 người trộm cắp xe máy ở xã Hoằng Lộc bị bắt", "Thu hồi 7 xe máy."),
                ("/a/3.html", "Thanh Hoá đón đợt không khí lạnh mạnh", "Nhiệt độ giảm sâu."),
                ("/private/4.html", "Tin nội bộ", "Không dành cho máy."),
                ("/a/big.html", "Ảnh phóng sự", "Rất nhiều ảnh."),
                ("/a/w.html", "Công an cảnh báo cuộc gọi giả danh công an", "Không chuyển tiền."),
            ]);
            ([(header::ETAG, "\"v1\""), (header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
        }
        "/a/1.html" => html(page(
            "Bắt 4 đối tượng trộm cắp xe máy ở Hoằng Hoá",
            "Công an huyện Hoằng Hoá cho biết đã bắt nhóm trộm xe máy.",
            &format!("<p>Nguồn: <a href=\"{bulletin}\">Cổng thông tin Công an tỉnh</a></p>"),
        )),
        "/a/w.html" => html(page(
            "Công an cảnh báo cuộc gọi giả danh công an",
            "Công an tỉnh cảnh báo: nhiều người dân nhận cuộc gọi tự xưng công an, yêu cầu chuyển tiền vào tài khoản tạm giữ. Người dân không chuyển tiền, báo ngay cho công an xã, phường.",
            &format!("<p>Xem cảnh báo: <a href=\"{warning}\">Cổng thông tin Công an tỉnh</a></p>"),
        )),
        "/a/2.html" => html(
            page("Hoằng Hóa: 4 người trộm cắp xe máy ở xã Hoằng Lộc bị bắt", REWRITE, "")
                .replace("<head>", "<head><meta name=\"author\" content=\"Lê Thu Hà\">"),
        ),
        "/a/3.html" => html(page(
            "Thanh Hoá đón đợt không khí lạnh mạnh",
            "Theo Đài Khí tượng thuỷ văn tỉnh, từ đêm nay không khí lạnh tràn về, nhiệt độ vùng núi xuống dưới 10 độ C.",
            "",
        )),
        "/a/big.html" => html(page("Ảnh phóng sự", &"Ảnh. ".repeat(60_000), "")),
        // Read again, its items are updated (new titles) and one is new.
        "/b/rss.xml" if n == 1 => rss(&base, &[
            ("/b/1.html", "Hoằng Hoá triệt phá nhóm trộm cắp xe máy", "Công an vào cuộc."),
            ("/b/2.html", "Hoằng Hoá: bắt nhóm trộm xe máy ở xã Hoằng Đạo", "Thu hồi 3 xe máy."),
        ]).into_response(),
        "/b/rss.xml" => rss(&base, &[
            ("/b/1.html", "Hoằng Hoá triệt phá nhóm trộm cắp xe máy (cập nhật)", "Công an vào cuộc."),
            ("/b/2.html", "Hoằng Hoá: bắt nhóm trộm xe máy ở xã Hoằng Đạo (cập nhật)", "Thu hồi 3 xe máy."),
            ("/b/3.html", "Lễ hội hoa đào xứ Thanh", "Du khách đông vui."),
        ]).into_response(),
        "/b/3.html" => html(page(
            "Lễ hội hoa đào xứ Thanh",
            "Lễ hội hoa đào năm nay thu hút đông đảo du khách tới tham quan, chụp ảnh.",
            "",
        )),
        "/b/1.html" => html(page("Hoằng Hoá triệt phá nhóm trộm cắp xe máy", DOUBTFUL, "")),
        "/b/2.html" => html(page("Hoằng Hoá: bắt nhóm trộm xe máy ở xã Hoằng Đạo", OTHER_CASE, "")),
        // The third agency: first "come back in a second", then broken XML.
        "/c/rss.xml" => {
            if n == 1 {
                (S::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "chậm lại").into_response()
            } else {
                "Đây không phải XML {{{ <<<".into_response()
            }
        }
        "/c/sitemap.xml" => format!(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\
             <url><loc>{base}/c/1.html</loc><news:news><news:publication_date>{}</news:publication_date><news:title>Trộm xe máy ở Hoằng Lộc</news:title></news:news></url></urlset>",
            chrono::Utc::now().to_rfc3339()
        )
        .into_response(),
        "/c/1.html" => {
            let html = page("Trộm xe máy ở Hoằng Lộc", REWRITE, "").replace("utf-8", "windows-1258");
            let (bytes, _, _) = encoding_rs::WINDOWS_1258.encode(&html);
            ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
        }
        // A broken server, and one slower than the time limit.
        "/e/500.xml" => (S::INTERNAL_SERVER_ERROR, "lỗi máy chủ").into_response(),
        "/e/slow.xml" => {
            tokio::time::sleep(Duration::from_secs(4)).await;
            rss(&base, &[]).into_response()
        }
        // Many articles for two nodes to share.
        "/n/rss.xml" => {
            let items: Vec<(String, String, String)> = (0..MANY)
                .map(|i| (format!("/n/{i}.html"), format!("Tin số {i} về đời sống"), "Tin địa phương.".to_string()))
                .collect();
            let items: Vec<(&str, &str, &str)> = items
                .iter()
                .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
                .collect();
            rss(&base, &items).into_response()
        }
        p if p.starts_with("/n/") => html(page(
            "Tin địa phương",
            &format!("Người dân phường {p} đón nhận công trình nước sạch mới hoàn thành."),
            "",
        )),
        _ => S::NOT_FOUND.into_response(),
    }
}

/// Articles in the feed two nodes share.
const MANY: usize = 40;

async fn start_site() -> (Site, String) {
    let site = Site::default();
    let s2 = site.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap| {
        let site = s2.clone();
        async move { answer(site, uri.path().to_string(), headers).await }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    *site.base.lock().unwrap() = base.clone();
    (site, base)
}

/// Polls `path` until `ok` holds of its answer (at most 40 s).
async fn until(api: &common::Api, path: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (st, v) = api.get(path).await;
        if st == StatusCode::OK && ok(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, v) = api.get(path).await;
    panic!("{what}: {v}");
}

#[tokio::test]
async fn the_press_monitor_finds_coverage_and_keeps_going() {
    for backend in backends() {
        let (site, base) = start_site().await;
        let s = Server::start_with(
            &backend,
            Options {
                env: vec![
                    (
                        "KENG_COVERAGE__ALLOW_PRIVATE".into(),
                        r#"["127.0.0.1/8"]"#.into(),
                    ),
                    ("KENG_COVERAGE__TICK_SECONDS".into(), "1".into()),
                    ("KENG_COVERAGE__HOST_PAUSE_MS".into(), "20".into()),
                    ("KENG_COVERAGE__MAX_BYTES".into(), "200000".into()),
                    ("KENG_COVERAGE__TIMEOUT_SECONDS".into(), "2".into()),
                ],
                ..Default::default()
            },
        )
        .await;
        let press = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let body = json!({"kind": "press_release", "category": "trom_cap",
            "title": "Hoằng Hoá: bắt 4 đối tượng trộm cắp xe máy tại xã Hoằng Lộc",
            "summary": "Công an huyện Hoằng Hoá bắt giữ 4 đối tượng trộm cắp xe máy, thu hồi 7 xe máy.",
            "body": "Ngày 10/01/2026, Công an huyện Hoằng Hoá bắt giữ 4 đối tượng trộm cắp xe máy tại xã Hoằng Lộc, thu hồi 7 xe máy. Các đối tượng khai nhận đã trộm cắp tài sản tại nhiều địa phương.",
            "audience": "public"});
        let bid = common::publish(&press, &leader, &body, common::Until::Published).await;
        *site.bulletin.lock().unwrap() = s.url(&format!("/tin/{bid}"));
        // A scam warning, which reaches people only if the press carries it.
        let (st, w) = press
            .post("/api/v1/warnings", &crate::warnings::scam_warning(&bid))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{w}");
        let wid = w["id"].as_str().unwrap().to_string();
        for (who, step) in [
            (&press, "submit"),
            (&leader, "approve"),
            (&press, "publish"),
        ] {
            let (st, v) = who
                .post(&format!("/api/v1/warnings/{wid}/{step}"), &json!({}))
                .await;
            assert_eq!(st, StatusCode::OK, "{step}: {v}");
        }
        *site.warning.lock().unwrap() = s.url(&format!("/canh-bao/{wid}"));

        // Only the press office registers feeds; an internal address is refused.
        let a = agency_id(&press, "BTH").await;
        let b = agency_id(&press, "TTXVN-TH").await;
        let c = agency_id(&press, "PTTH-TH").await;
        let (st, _) = journalist
            .post(
                "/api/v1/coverage/feeds",
                &json!({"agency_id": a, "url": format!("{base}/a/rss.xml")}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = press
            .post(
                "/api/v1/coverage/feeds",
                &json!({"agency_id": a, "url": "http://10.0.0.1/rss.xml"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let mut feeds = HashMap::new();
        for (agency, path, kind) in [
            (&a, "/a/rss.xml", "feed"),
            (&b, "/b/rss.xml", "feed"),
            (&c, "/c/rss.xml", "feed"),
            (&c, "/c/sitemap.xml", "sitemap"),
            (&b, "/e/500.xml", "feed"),
            (&b, "/e/slow.xml", "feed"),
        ] {
            let (st, v) = press
                .post(
                    "/api/v1/coverage/feeds",
                    &json!({"agency_id": agency, "url": format!("{base}{path}"), "kind": kind}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
            feeds.insert(path, v["id"].as_str().unwrap().to_string());
        }
        let (st, _) = press
            .post(
                "/api/v1/coverage/feeds",
                &json!({"agency_id": a, "url": format!("{base}/a/rss.xml")}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);

        // Coverage: the link back, the rewrite, the Windows-1258 page of the sitemap.
        let cov = until(
            &press,
            &format!("/api/v1/coverage?bulletin={bid}"),
            "three stories carried the bulletin",
            |v| v.as_array().is_some_and(|a| a.len() >= 3),
        )
        .await;
        let urls: Vec<&str> = cov
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["url"].as_str())
            .collect();
        for p in ["/a/1.html", "/a/2.html", "/c/1.html"] {
            assert!(
                urls.contains(&format!("{base}{p}").as_str()),
                "{p} in {urls:?}"
            );
        }
        for c in cov.as_array().unwrap() {
            assert!(c["pickup_minutes"].as_i64().is_some_and(|m| m >= 0), "{c}");
            if c["url"].as_str().is_some_and(|u| u.ends_with("/a/1.html")) {
                assert_eq!(
                    (c["confidence"].as_f64(), c["evidence"]["reason"].as_str()),
                    (Some(1.0), Some("link")),
                    "{c}"
                );
            } else {
                assert!(
                    c["evidence"]["shared"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    "{c}"
                );
            }
        }
        assert_eq!(cov.as_array().unwrap().len(), 3, "{cov}");

        // Robots.txt honoured, the oversized page recorded, the weather left alone.
        let arts = until(
            &press,
            "/api/v1/coverage/articles",
            "every article read or tried",
            |v| {
                v.as_array().is_some_and(|a| {
                    a.len() >= 8
                        && a.iter()
                            .filter(|x| x["state"] != "new" || x["error"].is_string())
                            .count()
                            >= 8
                })
            },
        )
        .await;
        let of = |p: &str| {
            arts.as_array()
                .unwrap()
                .iter()
                .find(|x| x["url"].as_str().is_some_and(|u| u.ends_with(p)))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            of("/private/4.html")["error"].as_str(),
            Some("robots.txt"),
            "{arts}"
        );
        assert_eq!(site.count("/private/4.html"), 0);
        assert!(
            of("/a/big.html")["error"]
                .as_str()
                .is_some_and(|e| e.contains("200000")),
            "{arts}"
        );
        let (_, all) = press.get("/api/v1/coverage").await;
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .all(|c| !c["url"].as_str().unwrap_or("").ends_with("/a/3.html")),
            "{all}"
        );

        // The doubtful story and the other case wait for a person, with the evidence;
        // the press officer confirms the first (it becomes coverage) and rejects the
        // second; a decision stands.
        let (_, waiting) = press.get("/api/v1/coverage/reviews").await;
        let scores: Vec<(String, Value)> = arts
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["url"].as_str().unwrap_or("").to_string(),
                    x["best_confidence"].clone(),
                )
            })
            .collect();
        assert_eq!(
            waiting.as_array().map(Vec::len),
            Some(2),
            "{waiting}: {scores:?}"
        );
        let review_of = |p: &str| {
            let article = of(p)["id"].clone();
            waiting
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["article_id"] == article)
                .cloned()
                .unwrap_or_else(|| panic!("{p} waits: {waiting}"))
        };
        let (doubtful, other) = (review_of("/b/1.html"), review_of("/b/2.html"));
        assert!(
            other["evidence"]["shared"]
                .as_array()
                .is_some_and(|s| !s.is_empty()),
            "{other}"
        );
        let decide = |who: &common::Api, r: &Value, decision: &str| {
            let (who, path) = (
                who.clone(),
                format!(
                    "/api/v1/coverage/reviews/{}/{decision}",
                    r["id"].as_str().unwrap_or("")
                ),
            );
            async move { who.post(&path, &json!({})).await }
        };
        assert_eq!(
            decide(&journalist, &other, "reject").await.0,
            StatusCode::FORBIDDEN
        );
        let (st, v) = decide(&press, &other, "reject").await;
        assert_eq!(
            (st, v["state"].as_str()),
            (StatusCode::OK, Some("rejected")),
            "{v}"
        );
        assert_eq!(
            decide(&press, &other, "confirm").await.0,
            StatusCode::CONFLICT
        );
        let (st, v) = decide(&press, &doubtful, "confirm").await;
        assert_eq!(
            (st, v["state"].as_str()),
            (StatusCode::OK, Some("confirmed")),
            "{v}"
        );
        let (_, cov) = press.get(&format!("/api/v1/coverage?bulletin={bid}")).await;
        let confirmed: Vec<&Value> = cov
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["source"] == "confirmed")
            .collect();
        assert_eq!(confirmed.len(), 1, "{cov}");
        assert!(
            confirmed[0]["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/b/1.html"))
                && confirmed[0]["evidence"]["confirmed_by"] == "tuyentruyen",
            "{cov}"
        );
        let (_, left) = press.get("/api/v1/coverage/reviews").await;
        assert_eq!(left.as_array().map(Vec::len), Some(0), "{left}");

        // The 429 was obeyed and recorded; asked again, the broken XML is recorded too.
        let c_feed = feeds["/c/rss.xml"].clone();
        let feed = |id: String| {
            let press = press.clone();
            async move {
                let (_, v) = press.get("/api/v1/coverage/feeds").await;
                v.as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["id"] == id.as_str())
                    .cloned()
                    .unwrap()
            }
        };
        let f = feed(c_feed.clone()).await;
        assert_eq!(f["last_status"].as_i64(), Some(429), "{f}");
        assert!(
            f["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("retry after 1 s")),
            "{f}"
        );
        let (st, _) = press
            .post(
                &format!("/api/v1/coverage/feeds/{c_feed}"),
                &json!({"poll_now": true}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        until(
            &press,
            "/api/v1/coverage/feeds",
            "the broken feed's error is kept",
            |v| {
                v.as_array().unwrap().iter().any(|f| {
                    f["id"] == c_feed.as_str()
                        && f["last_error"]
                            .as_str()
                            .is_some_and(|e| e.contains("not a feed"))
                })
            },
        )
        .await;

        // The broken and the slow server: recorded on their feeds, backed off.
        let (broken, slow) = (feeds["/e/500.xml"].clone(), feeds["/e/slow.xml"].clone());
        let v = until(
            &press,
            "/api/v1/coverage/feeds",
            "the 500 and the time-out are kept",
            |v| {
                let of = |id: &str| {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .find(|f| f["id"] == id)
                        .cloned()
                        .unwrap_or_default()
                };
                of(&broken)["last_error"] == "HTTP 500" && of(&slow)["last_error"] == "timed out"
            },
        )
        .await;
        for f in v
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == broken.as_str() || f["id"] == slow.as_str())
        {
            assert!(f["failures"].as_i64() >= Some(1), "{f}");
            assert!(
                f["next_fetch_at"].as_i64() > f["last_fetched_at"].as_i64(),
                "{f}"
            );
        }

        // A feed read again with its items updated and one new: only the new is fetched.
        let b_feed = feeds["/b/rss.xml"].clone();
        let (st, _) = press
            .post(
                &format!("/api/v1/coverage/feeds/{b_feed}"),
                &json!({"poll_now": true}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        until(
            &press,
            "/api/v1/coverage/articles",
            "the new item is read",
            |v| {
                v.as_array().unwrap().iter().any(|a| {
                    a["url"].as_str().is_some_and(|u| u.ends_with("/b/3.html"))
                        && a["state"] == "fetched"
                })
            },
        )
        .await;
        assert_eq!(site.count("/b/3.html"), 1);

        // Read again: conditional (304), nothing fetched twice.
        let a_feed = feeds["/a/rss.xml"].clone();
        let (st, _) = press
            .post(
                &format!("/api/v1/coverage/feeds/{a_feed}"),
                &json!({"poll_now": true}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        until(
            &press,
            "/api/v1/coverage/feeds",
            "the second read is a 304",
            |v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["id"] == a_feed.as_str() && f["last_status"] == 304)
            },
        )
        .await;
        for p in [
            "/a/1.html",
            "/a/2.html",
            "/a/3.html",
            "/b/1.html",
            "/b/2.html",
            "/c/1.html",
        ] {
            assert_eq!(site.count(p), 1, "{p} fetched once on {}", backend.name());
        }

        // The desk page shows it all.
        let (st, html) = press.get_text("/coverage").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            html.contains("Hoằng Lộc") && html.contains("not a feed"),
            "{html}"
        );

        the_year_is_reviewed_and_commended(&s, &bid, [&a, &b, &c]).await;
    }
}

/// The rest of the journey: a TV story recorded by hand; the year's metrics per agency
/// and journalist; the yearly review (page and DOCX read back) with the suggested
/// commendations and their evidence; the leader records awards, which appear on the
/// public page (and leave it when revoked); an editor answers the survey.
async fn the_year_is_reviewed_and_commended(s: &Server, bid: &str, [a, b, c]: [&String; 3]) {
    let press = s.api(Some(&s.token_for("tuyentruyen").await));
    let leader = s.api(Some(&s.token_for("giamdoc").await));
    let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
    let editor = s.api(Some(&s.token_for("btv.ptth").await));
    let anonymous = s.api(None);
    let vn_now = chrono::Utc::now() + chrono::Duration::hours(7);
    let year = vn_now.format("%Y").to_string();
    let now_input = vn_now.format("%Y-%m-%dT%H:%M").to_string();
    // Today only: the demo's own bulletins and stories are older.
    let today = vn_now.format("%Y-%m-%d").to_string();
    let span = format!("from={today}&to={today}");

    // A TV story by hand: only the press office; a bad medium, an unknown bulletin and
    // a time before the release are refused in words.
    let tv = json!({"bulletin_id": bid, "agency_id": c, "medium": "tv", "title": "Thời sự 19h: bắt nhóm trộm xe máy",
        "programme": "Thời sự 19h", "duration_minutes": 3.5, "published_at": now_input, "journalist": "Đỗ Quang Vinh"});
    assert_eq!(
        journalist.post("/api/v1/coverage/manual", &tv).await.0,
        StatusCode::FORBIDDEN
    );
    for (field, value) in [
        ("medium", json!("bồ câu")),
        ("bulletin_id", json!("khong-co")),
        ("published_at", json!("2001-01-01T08:00")),
        ("duration_minutes", json!(-3)),
        ("url", json!("javascript:alert(1)")),
    ] {
        let mut bad = tv.clone();
        bad[field] = value;
        let (st, v) = press.post("/api/v1/coverage/manual", &bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert!(v.to_string().contains(field), "{field}: {v}");
    }
    let (st, manual) = press.post("/api/v1/coverage/manual", &tv).await;
    assert_eq!(st, StatusCode::CREATED, "{manual}");
    // Sent twice (a double click): one story.
    assert_eq!(
        press.post("/api/v1/coverage/manual", &tv).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        (
            manual["source"].as_str(),
            manual["duration_seconds"].as_i64()
        ),
        (Some("manual"), Some(210))
    );
    // A mistake is removed (what the monitor found cannot be).
    let (_, oops) = press
        .post(
            "/api/v1/coverage/manual",
            &json!({"bulletin_id": bid, "agency_id": b, "medium": "print", "title": "Nhầm", "published_at": now_input}),
        )
        .await;
    let oops_id = oops["id"].as_str().unwrap();
    let (st, _) = press
        .post(
            &format!("/api/v1/coverage/manual/{oops_id}/remove"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, cov) = press.get(&format!("/api/v1/coverage?bulletin={bid}")).await;
    let matched = cov
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["source"] == "matched")
        .unwrap();
    let (st, _) = press
        .post(
            &format!(
                "/api/v1/coverage/manual/{}/remove",
                matched["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A reporter of the first agency connects to the live stream: counted for the agency.
    let reporter = s.api(Some(&s.token_for("pv.baothanhhoa").await));
    let r = reporter
        .client
        .get(s.url("/api/v1/stream"))
        .bearer_auth(reporter.token.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    drop(r);

    // The year's metrics: per agency, the byline joined to the reporter's account.
    for bad in [
        "year=1900",
        "from=01/01/262142&to=31/12/262142",
        "from=2026-02-30&to=2026-03-01",
        "from=2026-03-01&to=2026-01-01",
    ] {
        let (st, v) = press.get(&format!("/api/v1/coverage/metrics?{bad}")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
    let (st, _) = journalist
        .get(&format!("/api/v1/coverage/metrics?{span}"))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, m) = press.get(&format!("/api/v1/coverage/metrics?{span}")).await;
    assert_eq!(st, StatusCode::OK, "{m}");
    let line = |id: &str| {
        m["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["agency_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {m}"))
    };
    let (la, lb, lc) = (line(a), line(b), line(c));
    assert_eq!(
        (la["stories"].as_i64(), la["picked"].as_i64()),
        (Some(2), Some(1)),
        "{la}"
    );
    assert_eq!(lb["stories"].as_i64(), Some(1), "{lb}");
    assert_eq!(lc["stories"].as_i64(), Some(2), "{lc}");
    assert_eq!(lc["by_medium"]["tv"].as_i64(), Some(1), "{lc}");
    assert!(la["median_pickup_minutes"].as_f64().is_some(), "{la}");
    assert_eq!(la["stream_connections"].as_i64(), Some(1), "{la}");
    // The scam warning carried (a link to its page), counted apart from the bulletins.
    assert_eq!(la["warnings_picked"].as_i64(), Some(1), "{la}");
    assert_eq!(m["warnings_picked"].as_i64(), Some(1), "{m}");
    assert!(m["warnings_released"].as_i64() >= Some(1), "{m}");
    assert_eq!(
        m["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["first"].as_i64().unwrap())
            .sum::<i64>(),
        1,
        "one agency carried the bulletin first: {m}"
    );
    let ha = m["journalists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "Lê Thu Hà")
        .unwrap_or_else(|| panic!("the byline: {m}"));
    assert_eq!(
        (ha["user_id"].as_str(), ha["stories"].as_i64()),
        (
            Some(user_id(&press, "pv.baothanhhoa").await.as_str()),
            Some(1)
        ),
        "{ha}"
    );

    // Suggestions, ranked with their evidence.
    let (st, sug) = leader
        .get(&format!("/api/v1/coverage/suggestions?{span}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{sug}");
    let collectives = sug["collectives"].as_array().unwrap();
    let bth = collectives
        .iter()
        .find(|x| x["agency_id"] == a.as_str())
        .unwrap_or_else(|| panic!("{sug}"));
    assert!(
        bth["evidence"][0]
            .as_str()
            .is_some_and(|e| e.contains("2 tin, bài")),
        "{bth}"
    );
    assert_eq!(collectives[0]["rank"].as_i64(), Some(1));
    assert!(collectives[0]["proposed"].as_bool().unwrap(), "{sug}");
    for w in collectives.windows(2) {
        assert!(w[0]["score"].as_f64() >= w[1]["score"].as_f64(), "{sug}");
    }

    // The yearly review: the page, and its DOCX read back with docx-rs.
    let (st, html) = leader.get_text(&format!("/coverage/review?{span}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("Báo Thanh Hoá")
            && html.contains("Đề xuất khen thưởng")
            && html.contains("Lượt kết nối tin trực tiếp"),
        "{html}"
    );
    let (st, ct, bytes) = leader
        .get_bytes(&format!("/coverage/review.docx?{span}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(ct.contains("wordprocessingml"), "{ct}");
    let text = docx_text(&bytes);
    // The charts are drawn again in the document (bars as pictures, values beside).
    assert!(
        bytes.windows(11).any(|w| w == b"word/media/"),
        "the DOCX has no chart"
    );
    for want in [
        "Tin, bài theo cơ quan báo chí",
        "BÁO CÁO TỔNG KẾT",
        "Báo Thanh Hoá",
        "Đài Phát thanh và Truyền hình Thanh Hoá",
        "Đăng, phát 2 tin, bài về",
        "Lê Thu Hà",
        "Đề xuất khen thưởng",
    ] {
        assert!(text.contains(want), "{want} in the DOCX: {text}");
    }
    let (st, stories) = leader
        .get_text(&format!("/coverage/stories?agency={a}&{span}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        stories.contains("Bắt 4 đối tượng trộm cắp xe máy ở Hoằng Hoá")
            && stories.contains("4 người trộm cắp xe máy ở xã Hoằng Lộc bị bắt")
            && stories.contains("Lê Thu Hà"),
        "{stories}"
    );
    assert_eq!(
        journalist
            .get_text(&format!("/coverage/review?{span}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    // The kinds of commendation: an administrator adds one and retires it; no new award
    // of a retired kind; nobody else keeps the list.
    let admin = s.api(Some(&s.token_for("quantri").await));
    let kind = json!({"name": "Giấy khen của Trưởng phòng Tham mưu", "name_en": "Certificate of the Head of Staff", "rank": 12, "recipients": "individual"});
    assert_eq!(
        press.post("/api/v1/awards/types", &kind).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, ty) = admin.post("/api/v1/awards/types", &kind).await;
    assert_eq!(st, StatusCode::CREATED, "{ty}");
    assert_eq!(
        admin.post("/api/v1/awards/types", &kind).await.0,
        StatusCode::CONFLICT
    );
    let (st, _) = admin
        .post(
            &format!("/api/v1/awards/types/{}", ty["id"].as_str().unwrap()),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let retired = json!({"year": year.parse::<i64>().unwrap(), "type_id": ty["id"], "recipient_kind": "officer",
        "recipient_name": "Đại uý Lê Văn Bảy", "decision_no": "9/QĐ", "decision_date": vn_now.format("%Y-%m-%d").to_string(), "reason": "Thành tích"});
    assert_eq!(
        leader.post("/api/v1/awards", &retired).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The leader records the awards (nobody else may); a second of the same is refused.
    let date = vn_now.format("%Y-%m-%d").to_string();
    let award = json!({"year": year.parse::<i64>().unwrap(), "type_id": "giay_khen_giam_doc", "recipient_kind": "agency",
        "agency_id": a, "decision_no": "1234/QĐ-CAT-PV01", "decision_date": date,
        "reason": "Có thành tích xuất sắc trong công tác phối hợp tuyên truyền", "evidence": bth});
    assert_eq!(
        press.post("/api/v1/awards", &award).await.0,
        StatusCode::FORBIDDEN
    );
    let (st, rec) = leader.post("/api/v1/awards", &award).await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["recipient_name"], "Báo Thanh Hoá");
    assert_eq!(
        leader.post("/api/v1/awards", &award).await.0,
        StatusCode::CONFLICT
    );
    let mut bad = award.clone();
    bad["decision_date"] = json!("2001-01-01");
    assert_eq!(
        leader.post("/api/v1/awards", &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let person = json!({"year": year.parse::<i64>().unwrap(), "type_id": "giay_khen_giam_doc", "recipient_kind": "journalist",
        "agency_id": a, "user_id": ha["user_id"], "decision_no": "1235/QĐ-CAT-PV01", "decision_date": date,
        "reason": "Phóng viên có nhiều tin, bài kịp thời"});
    // An account of another kind is refused: the leader is no journalist.
    let mut wrong = person.clone();
    wrong["user_id"] = json!(user_id(&press, "giamdoc").await);
    assert_eq!(
        leader.post("/api/v1/awards", &wrong).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut person = person.clone();
    person.as_object_mut().unwrap().remove("agency_id");
    let (st, p) = leader.post("/api/v1/awards", &person).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    assert_eq!(
        p["agency_id"].as_str(),
        Some(a.as_str()),
        "the journalist's agency: {p}"
    );
    assert_eq!(
        (p["recipient_name"].as_str(), p["recipient_detail"].as_str()),
        (Some("Lê Thu Hà"), Some("Báo Thanh Hoá"))
    );
    let officer = json!({"year": year.parse::<i64>().unwrap(), "type_id": "thuong_dot_xuat", "recipient_kind": "officer",
        "recipient_name": "Trung tá Nguyễn Văn Mười", "recipient_detail": "Phòng Tham mưu", "decision_no": "1236/QĐ-CAT-PV01",
        "decision_date": date, "reason": "Cung cấp thông tin kịp thời vụ trộm cắp tại Hoằng Lộc"});
    let (st, o) = leader.post("/api/v1/awards", &officer).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    // The same honour again, spelt in capitals: refused.
    let mut again = officer.clone();
    again["recipient_name"] = json!("TRUNG TÁ NGUYỄN VĂN MƯỜI");
    assert_eq!(
        leader.post("/api/v1/awards", &again).await.0,
        StatusCode::CONFLICT
    );

    // The public page and the open list; the evidence stays inside.
    let (st, page) = anonymous
        .get_text(&format!("/khen-thuong?year={year}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    for want in [
        "Báo Thanh Hoá",
        "Lê Thu Hà",
        "1234",
        "QĐ-CAT-PV01",
        "Nguyễn Văn Mười",
        "Giấy khen của Giám đốc Công an tỉnh",
    ] {
        assert!(page.contains(want), "{want} on {page}");
    }
    let (st, list) = anonymous.get(&format!("/api/v1/awards?year={year}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(3), "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|w| w["evidence"].is_null() && w["user_id"].is_null()),
        "{list}"
    );
    let (_, sug) = leader
        .get(&format!("/api/v1/coverage/suggestions?{span}"))
        .await;
    assert!(
        sug["collectives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["agency_id"] == a.as_str() && x["awarded"] == rec["id"]),
        "{sug}"
    );
    // Revoked: off the public page at once (the page cache follows the event log).
    let (st, _) = leader
        .post(
            &format!("/api/v1/awards/{}/revoke", o["id"].as_str().unwrap()),
            &json!({"reason": "Ghi nhầm năm"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, page) = anonymous
        .get_text(&format!("/khen-thuong?year={year}"))
        .await;
    assert!(
        !page.contains("Nguyễn Văn Mười") && page.contains("Lê Thu Hà"),
        "{page}"
    );

    // The survey: an agency's editor answers; a reporter may not; ratings are 1–5.
    let answer = json!({"year": year.parse::<i64>().unwrap(), "timeliness": 5, "usefulness": 4, "access": 3, "comment": "Đề nghị cung cấp thông tin sớm hơn vào dịp Tết."});
    assert_eq!(
        journalist.post("/api/v1/coverage/survey", &answer).await.0,
        StatusCode::FORBIDDEN
    );
    let mut bad = answer.clone();
    bad["comment"] = json!("ý kiến ".repeat(800));
    assert_eq!(
        editor.post("/api/v1/coverage/survey", &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut bad = answer.clone();
    bad["access"] = json!(7);
    assert_eq!(
        editor.post("/api/v1/coverage/survey", &bad).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (st, v) = editor.post("/api/v1/coverage/survey", &answer).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (_, sum) = press
        .get(&format!("/api/v1/coverage/survey?year={year}"))
        .await;
    assert_eq!(
        (sum["answers"].as_i64(), sum["timeliness"].as_f64()),
        (Some(1), Some(5.0)),
        "{sum}"
    );
    let (_, html) = leader.get_text(&format!("/coverage/review?{span}")).await;
    assert!(
        html.contains("sớm hơn vào dịp Tết"),
        "the survey joins the review"
    );
}

/// Two nodes on one PostgreSQL database read the same feed of many articles: each
/// article page is fetched once in all, and the feed itself once (a lease in the
/// database, never a node's memory).
#[tokio::test]
async fn two_nodes_share_the_monitor_without_fetching_twice() {
    let toml = "[coverage]\nallow_private = [\"127.0.0.1/8\"]\ntick_seconds = 1\nhost_pause_ms = 5\narticles_per_round = 5\n";
    let Some((n1, n2)) =
        common::two_postgresql_nodes_with("the shared monitor", Some(toml.to_string())).await
    else {
        return;
    };
    let (site, base) = start_site().await;
    let press = n1.api(Some(&n1.token_for("tuyentruyen").await));
    let a = agency_id(&press, "BTH").await;
    let (st, v) = press
        .post(
            "/api/v1/coverage/feeds",
            &json!({"agency_id": a, "url": format!("{base}/n/rss.xml")}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let press2 = n2.api(Some(&n2.token_for("tuyentruyen").await));
    until(
        &press2,
        "/api/v1/coverage/articles?limit=500",
        "both nodes read every article",
        |v| {
            v.as_array()
                .is_some_and(|a| a.len() == MANY && a.iter().all(|x| x["state"] == "fetched"))
        },
    )
    .await;
    // Let both nodes tick a few more times: nothing is fetched again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(site.count("/n/rss.xml"), 1, "the feed read once");
    for i in 0..MANY {
        assert_eq!(
            site.count(&format!("/n/{i}.html")),
            1,
            "article {i} fetched once"
        );
    }
}
