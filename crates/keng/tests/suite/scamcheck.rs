//! The scam check against the real binary on every backend, as a new user would try
//! it: a fake-bank message without diacritics and with a lookalike link is "high" with
//! its reasons and the police warning for the pattern; its phone number written three
//! ways (dots, +84, the pre-2018 11-digit form) is one verified indicator; the range API
//! answers without receiving the value; a report gets a tracking code, counts at once as
//! "reported", and a press officer's verification shows in the check within seconds —
//! on a second node too. Bad input of every shape gets a 4xx or a normal answer.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{backends, two_postgresql_nodes, Api, Server, DEMO_PASSWORD};

/// Waits until the node's indicator set has loaded (the check stops answering 503).
async fn ready(api: &Api) {
    let start = Instant::now();
    loop {
        let (st, _) = api.get("/api/v1/check?value=0912345678").await;
        if st != StatusCode::SERVICE_UNAVAILABLE {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the set never loaded"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn check(api: &Api, value: &str) -> Value {
    let (st, a) = api
        .get(&format!("/api/v1/check?value={}", urlencode(value)))
        .await;
    assert_eq!(st, StatusCode::OK, "{value}: {a}");
    a
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Polls the check until `value` answers `verdict` (at most `secs`).
async fn until_verdict(api: &Api, value: &str, verdict: &str, secs: u64) -> Duration {
    let start = Instant::now();
    loop {
        let a = check(api, value).await;
        if a["verdict"] == verdict {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "{value} still answers {} after {secs} s",
            a["verdict"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn solved(api: &Api) -> (String, String) {
    let (st, ch) = api.get("/api/v1/report-challenge").await;
    assert_eq!(st, StatusCode::OK);
    let c = ch["challenge"].as_str().unwrap().to_string();
    let n = keng::scamcheck::report::solve(&c, ch["difficulty"].as_u64().unwrap() as u32);
    (c, n.to_string())
}

#[tokio::test]
async fn a_person_checks_a_message_and_a_number_reports_one_and_staff_verify_it() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let anon = s.api(None);
        ready(&anon).await;

        // One number, three spellings, one verified record with its warning.
        let mut seen = Vec::new();
        for v in ["0386.123.456", "+84 386 123 456", "01686 123 456"] {
            let a = check(&anon, v).await;
            assert_eq!(a["verdict"], "verified", "{v}: {a}");
            let r = &a["recognised"][0];
            assert_eq!(r["kind"], "phone");
            assert_eq!(r["normalised"], "+84386123456", "{v}");
            assert!(r["record"]["warnings"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("/canh-bao/"));
            assert!(r["record"].get("reporter").is_none(), "never who reported");
            seen.push(r["record"]["first_seen"].clone());
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "one record");
        let old = check(&anon, "01686 123 456").await;
        assert!(old["recognised"][0]["notes"]
            .as_array()
            .unwrap()
            .contains(&json!("renumbered")));

        // The whole message: no diacritics, a lookalike link, that number.
        let message = "Vietcombank thong bao: tai khoan cua quy khach se bi tam khoa do chua cap nhat sinh trac hoc. \
                       Vui long dang nhap tai vietcombamk-xacthuc[.]com/login de xac minh hoac goi 0386.123.456";
        let (st, a) = anon
            .post("/api/v1/analyze", &json!({ "text": message }))
            .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["risk"], "high", "{a}");
        let codes: Vec<&str> = a["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        for c in ["pattern", "lookalike", "verified"] {
            assert!(codes.contains(&c), "reason {c} in {codes:?}");
        }
        let pattern = a["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "pattern")
            .unwrap();
        assert_eq!(pattern["pattern"], "fake_bank");
        assert!(pattern["advice"].as_str().is_some_and(|t| !t.is_empty()));
        let lookalike = a["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "lookalike")
            .unwrap();
        assert!(lookalike["text"].as_str().unwrap().contains("Vietcombank"));
        assert!(
            a["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["headline"]
                    .as_str()
                    .unwrap()
                    .contains("giả mạo ngân hàng")),
            "the police warning for the pattern: {}",
            a["warnings"]
        );
        // In English when asked.
        let r = anon
            .client
            .post(s.url("/api/v1/analyze"))
            .header("accept-language", "en")
            .json(&json!({ "text": message }))
            .send()
            .await
            .unwrap();
        let en: Value = r.json().await.unwrap();
        assert!(en["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["text"].as_str().unwrap().contains("imitates Vietcombank")));
        // A carrier's promotion with a link is not a scam.
        let (_, promo) = anon
            .post(
                "/api/v1/analyze",
                &json!({"text": "(KM) Viettel tang 50% gia tri the nap ngay 20/1 cho thue bao tra truoc. Chi tiet LH 198 (mien phi). Tu choi QC soan TC gui 199."}),
            )
            .await;
        assert!(
            matches!(promo["risk"].as_str(), Some("none" | "low")),
            "{promo}"
        );

        // The range API: the first five hex digits out, the suffixes back.
        let h = hex::encode(Sha256::digest(b"phone:+84386123456"));
        let (st, range) = anon.get(&format!("/api/v1/check/range/{}", &h[..5])).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            range["matches"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["suffix"] == h[5..32] && m["verdict"] == "verified"),
            "{range}"
        );
        let (st, _) = anon.get("/api/v1/check/range/XYZ12").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);

        // A report: a code to follow it, the numbers "reported" at once.
        let (c, n) = solved(&anon).await;
        let report = json!({
            "indicators": "0399 888 777\nvcb-hoantien.top",
            "story": "Có người gọi tự xưng nhân viên ngân hàng, gửi đường link để hoàn tiền.",
            "amount_lost": "2.000.000",
            "channel": "call",
            "pow_challenge": c, "pow_nonce": n,
        });
        let (st, t) = anon.post("/api/v1/reports", &report).await;
        assert_eq!(st, StatusCode::CREATED, "{t}");
        let code = t["code"].as_str().unwrap().to_string();
        assert!(code.starts_with("TG-"));
        assert_eq!(t["status"], "received");
        assert_eq!(t["indicator_status"], json!(["reported", "reported"]));
        until_verdict(&anon, "0399888777", "reported", 5).await;
        // The same solved challenge cannot send a second report.
        let (st, again) = anon.post("/api/v1/reports", &report).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
        // Followed by its code, however typed; never who sent it.
        let (st, tr) = anon
            .get(&format!(
                "/api/v1/report-status/{}",
                code.to_lowercase().replace('-', "")
            ))
            .await;
        assert_eq!(st, StatusCode::OK, "{tr}");
        assert!(tr.get("reporter_contact").is_none() && tr.get("story").is_none());

        // The press officer verifies it; the check follows within seconds.
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (_, queue) = officer.get("/api/v1/reports?status=received").await;
        let id = queue
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .expect("the report is in the queue")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let unit = s.api(Some(&s.token_for("capx.hacthanh").await));
        let (st, _) = unit
            .post(&format!("/api/v1/reports/{id}/verify"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "a unit officer does not verify");
        let (st, r) = officer
            .post(
                &format!("/api/v1/reports/{id}/verify"),
                &json!({"note": "Đã xác minh với ngân hàng"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        let took = until_verdict(&anon, "0399 888 777", "verified", 5).await;
        eprintln!("verified → check on {}: {took:?}", backend.name());
        until_verdict(&anon, "https://vcb-hoantien.top/anything", "verified", 5).await;
        let (_, tr) = anon.get(&format!("/api/v1/report-status/{code}")).await;
        assert_eq!(tr["status"], "verified");
        assert_eq!(tr["indicator_status"], json!(["verified", "verified"]));

        // The pages a person uses.
        let b = s.browser();
        let (st, html) = b.text("/kiem-tra?value=0386.123.456").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("ĐÃ XÁC MINH LỪA ĐẢO"), "the verdict shows");
        let (st, html) = b.text("/kiem-tra?value=0399.000.000").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("CHƯA CÓ THÔNG TIN") && !html.to_lowercase().contains("an toàn\""));
        let resp = b
            .submit(
                "/kiem-tra/tin-nhan",
                "/kiem-tra/tin-nhan",
                &[("text", message)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        assert!(html.contains("RỦI RO CAO"), "the analysis shows");
        let (st, html) = b.text(&format!("/kiem-tra/to-giac/{code}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains(&code));
        // The desk.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, html) = desk.text("/scamcheck/reports?status=verified").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains(&code));
    }
}

#[tokio::test]
async fn staff_keep_indicators_through_their_states() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let anon = s.api(None);
        ready(&anon).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (st, i) = officer
            .post(
                "/api/v1/indicators",
                &json!({"value": "Techcombank 1903 6682 7701 19", "status": "verified", "evidence": "Tài khoản nhận tiền"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{i}");
        assert_eq!(i["kind"], "bank_account");
        assert_eq!(i["lookup_key"], "bank:970407:19036682770119");
        let id = i["id"].as_str().unwrap().to_string();
        // The same account again: a conflict, not a second record.
        let (st, _) = officer
            .post(
                "/api/v1/indicators",
                &json!({"value": "TCB 19036682770119", "status": "reported"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        until_verdict(&anon, "Techcombank 19036682770119", "verified", 5).await;
        // The number alone matches too, flagged as weaker.
        let a = check(&anon, "19036682770119").await;
        assert_eq!(a["verdict"], "verified", "{a}");
        assert_eq!(a["recognised"][0]["record"]["weaker"], true);
        // Rejected: no record any more; reopened: reported.
        let (st, _) = officer
            .post(
                &format!("/api/v1/indicators/{id}/reject"),
                &json!({"note": "Nhầm"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        until_verdict(&anon, "Techcombank 19036682770119", "none", 5).await;
        let (st, _) = officer
            .post(&format!("/api/v1/indicators/{id}/expire"), &json!({}))
            .await;
        assert_eq!(
            st,
            StatusCode::CONFLICT,
            "a rejected indicator cannot expire"
        );
        let (st, back) = officer
            .post(&format!("/api/v1/indicators/{id}/reopen"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(back["status"], "reported");
        until_verdict(&anon, "Techcombank 19036682770119", "reported", 5).await;
        // The audit trail shows each step.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, html) = desk.text(&format!("/scamcheck/indicators/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        for a in [
            "Thêm dấu hiệu lừa đảo",
            "Bác dấu hiệu lừa đảo",
            "Mở lại dấu hiệu",
        ] {
            assert!(html.contains(a), "{a} in the history");
        }
        // A journalist sees none of it; the public list of banks is open.
        let j = s.api(Some(&s.token_for("pv.ttxvn").await));
        let (st, _) = j.get("/api/v1/indicators").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, banks) = anon.get("/api/v1/banks").await;
        assert_eq!(st, StatusCode::OK);
        assert!(banks
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["bin"] == "970436"));
        // An admin adds a bank; the check reads its name at once.
        let admin = s.api(Some(&s.token_for("quantri").await));
        let (st, e) = admin
            .send(
                reqwest::Method::PUT,
                "/api/v1/banks/970499",
                &json!({"code": "KNG", "name": "Ngân hàng Kẻng", "aliases": "keng bank"}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{e}");
        let start = Instant::now();
        loop {
            let (_, a) = anon
                .get("/api/v1/check?value=Keng%20Bank%20123456789")
                .await;
            if a["recognised"][0]["kind"] == "bank_account" {
                assert_eq!(a["recognised"][0]["normalised"], "970499:123456789");
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "{a}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn a_verification_on_one_node_shows_on_the_other_within_seconds() {
    let Some((a, b)) = two_postgresql_nodes("the scam check across nodes").await else {
        return;
    };
    let anon_b = b.api(None);
    ready(&anon_b).await;
    let officer = a.api(Some(&a.token_for("tuyentruyen").await));
    let (st, i) = officer
        .post(
            "/api/v1/indicators",
            &json!({"value": "0977 111 222", "status": "reported"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{i}");
    until_verdict(&anon_b, "0977.111.222", "reported", 5).await;
    let id = i["id"].as_str().unwrap();
    officer
        .post(&format!("/api/v1/indicators/{id}/verify"), &json!({}))
        .await;
    let took = until_verdict(&anon_b, "+84 977 111 222", "verified", 5).await;
    eprintln!("verified on node A → check on node B: {took:?}");
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_never_a_500() {
    let backend = backends().remove(0);
    let s = Server::start(&backend).await;
    let anon = s.api(None);
    ready(&anon).await;
    let get = |p: String| {
        let c = anon.client.clone();
        let url = s.url(&p);
        async move {
            match c.get(url).send().await {
                Ok(r) => r.status(),
                Err(e) => panic!("{}…: {e:?}", &p[..p.len().min(60)]),
            }
        }
    };
    // Empty, invalid UTF-8, control characters, a thousand levels of escaping.
    assert_eq!(
        get("/api/v1/check?value=".into()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(get("/api/v1/check".into()).await, StatusCode::BAD_REQUEST);
    assert!(get("/api/v1/check?value=%FF%FE".into())
        .await
        .is_client_error());
    assert!(get("/api/v1/check?value=%00%01%1B".into())
        .await
        .is_client_error());
    let deep = format!("/api/v1/check?value=http://h.com/{}41", "%25".repeat(1000));
    let st = get(deep).await;
    assert!(st == StatusCode::OK || st.is_client_error(), "{st}");
    let long = format!("/api/v1/check?value={}", "9".repeat(60_000));
    assert!(get(long).await.is_client_error());
    let st = get(format!("/kiem-tra?value={}", "%E2%80%AE".repeat(3000))).await;
    assert!(st.as_u16() < 500, "{st}");
    // The analyzer: empty, a megabyte, many links, not text.
    let (st, e) = anon.post("/api/v1/analyze", &json!({"text": ""})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(e["detail"].as_str().is_some() || e["title"].as_str().is_some());
    let (st, _) = anon
        .post("/api/v1/analyze", &json!({"text": "a".repeat(1_000_000)}))
        .await;
    assert!(st.is_client_error(), "{st}");
    let links: String = (0..10_000).map(|i| format!("http://x{i}.vn ")).collect();
    let (st, _) = anon
        .post("/api/v1/analyze", &json!({ "text": links }))
        .await;
    assert!(st.is_client_error(), "{st}");
    let links: String = (0..600).map(|i| format!("h{i}.vn ")).collect();
    let (st, a) = anon
        .post("/api/v1/analyze", &json!({ "text": links }))
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["indicators"].as_array().unwrap().len(), 50);
    assert_eq!(a["more_indicators"], 550);
    let (st, _) = anon.post("/api/v1/analyze", &json!({"text": ["x"]})).await;
    assert!(st.is_client_error());
    let (st, _) = anon
        .post(
            "/api/v1/analyze",
            &json!({"text": "\u{0}\u{1}\u{202e}\u{200b}"}),
        )
        .await;
    assert!(st == StatusCode::OK || st.is_client_error(), "{st}");
    // The report: no proof of work, a forged one, a stale field set.
    let (st, e) = anon
        .post(
            "/api/v1/reports",
            &json!({"indicators": "0912345678", "story": "x"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (st, _) = anon
        .post(
            "/api/v1/reports",
            &json!({"indicators": "0912345678", "story": "x", "pow_challenge": "a.9999999999999.0.b", "pow_nonce": "1"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (c, n) = solved(&anon).await;
    let (st, e) = anon
        .post(
            "/api/v1/reports",
            &json!({"indicators": (0..11).map(|i| format!("09123456{i:02}")).collect::<Vec<_>>().join("\n"), "story": "x", "pow_challenge": c, "pow_nonce": n}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Five reports an hour from one client, then 429 with Retry-After.
    let mut last = StatusCode::OK;
    for i in 0..6 {
        let (c, n) = solved(&anon).await;
        let (st, _) = anon
            .post(
                "/api/v1/reports",
                &json!({"indicators": format!("03991234{i:02}"), "story": "Lừa đảo", "pow_challenge": c, "pow_nonce": n}),
            )
            .await;
        last = st;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

fn run(t: &crate::common::TestDb, args: &[&str]) -> (bool, String, String) {
    let out = t.command().args(args).output().expect("run keng");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn indicators_import_whole_or_not_at_all_and_export_in_every_format() {
    for backend in backends() {
        let t = crate::common::TestDb::new(&backend).await;
        assert!(run(&t, &["migrate"]).0);
        let dir = &t.data_dir;
        let hosts = dir.join("list.txt");
        std::fs::write(&hosts, "# a list\n0.0.0.0 vcb-hotro.top\nhttps://tcb-huygiaodich.xyz/login\nmb-doidiem.vip\n\n").unwrap();
        let (ok, out, err) = run(&t, &["import", "indicators", hosts.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert!(out.contains("imported 3 new"), "{out}");
        // The same file again adds nothing.
        let (ok, out, _) = run(&t, &["import", "indicators", hosts.to_str().unwrap()]);
        assert!(ok);
        assert!(
            out.contains("imported 0 new") && out.contains("3 already known"),
            "{out}"
        );
        // A CSV with one bad line: every bad line named, nothing written.
        let csv = dir.join("bad.csv");
        std::fs::write(
            &csv,
            "value,kind,status\n0912 000 111,phone,verified\nxin chào,,\n0912 000 222,,maybe\n",
        )
        .unwrap();
        let (ok, _, err) = run(&t, &["import", "indicators", csv.to_str().unwrap()]);
        assert!(!ok);
        assert!(
            err.contains("line 3") && err.contains("line 4") && err.contains("nothing imported"),
            "{err}"
        );
        // UTF-16 with its byte order mark is read; Windows-1258 only when asked.
        let utf16 = dir.join("u16.csv");
        let text = "value,kind,status\r\n0912 000 111,phone,verified\r\n\"Vietcombank 0451 000 387 261\",,published\r\n";
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        std::fs::write(&utf16, bytes).unwrap();
        let (ok, out, err) = run(
            &t,
            &[
                "import",
                "indicators",
                utf16.to_str().unwrap(),
                "--source",
                "test",
            ],
        );
        assert!(ok, "{err}");
        assert!(out.contains("imported 2 new"), "{out}");
        let cp = dir.join("cp1258.txt");
        std::fs::write(&cp, [b'h', b'o', b'a', 0xEC, b'.', b'v', b'n', b'\n']).unwrap();
        let (ok, _, err) = run(&t, &["import", "indicators", cp.to_str().unwrap()]);
        assert!(!ok && err.contains("windows-1258"), "{err}");
        // Export in every format; the STIX bundle imports again into an empty database.
        for (format, needle) in [
            ("csv", "vcb-hotro.top"),
            ("hosts", "mb-doidiem.vip"),
            ("stix", "[domain-name:value = 'vcb-hotro.top']"),
            ("misp", "\"bank-account-nr\""),
            ("phishtank", "tcb-huygiaodich.xyz"),
        ] {
            let (ok, out, err) = run(&t, &["export", "indicators", "--format", format]);
            assert!(ok, "{format}: {err}");
            assert!(out.contains(needle), "{format}: {out}");
        }
        let bundle = dir.join("bundle.json");
        let (ok, _, err) = run(
            &t,
            &[
                "export",
                "indicators",
                "--format",
                "stix",
                "--verified",
                "--output",
                bundle.to_str().unwrap(),
            ],
        );
        assert!(ok, "{err}");
        let other = crate::common::TestDb::new(&backend).await;
        assert!(run(&other, &["migrate"]).0);
        let (ok, out, err) = run(&other, &["import", "indicators", bundle.to_str().unwrap()]);
        assert!(ok, "{err}");
        assert!(out.contains("imported 5 new"), "{out}");
    }
}

/// What an outside review broke, held: official addresses and whole platforms cannot be
/// reported and never answer by domain; concurrent reports keep the hourly limit; a
/// press officer cannot change the bank list; merged reports cannot form a cycle; other
/// staff do not see who reported.
#[tokio::test]
async fn official_addresses_limits_banks_and_merges_hold() {
    let backend = backends().pop().unwrap();
    let s = Server::start(&backend).await;
    let anon = s.api(None);
    ready(&anon).await;
    for v in [
        "https://vietcombank.com.vn/login",
        "bocongan.gov.vn",
        "113",
        "www.facebook.com",
    ] {
        let (c, n) = solved(&anon).await;
        let (st, e) = anon
            .post(
                "/api/v1/reports",
                &json!({"indicators": v, "story": "x", "pow_challenge": c, "pow_nonce": n}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}: {e}");
    }
    // The imported list names www.facebook.com and zalo.me; pages there do not answer
    // for the whole platform.
    for v in [
        "https://www.youtube.com/watch?v=1",
        "https://zalo.me/0912000111",
        "https://www.facebook.com/abc",
    ] {
        assert_eq!(check(&anon, v).await["verdict"], "none", "{v}");
    }
    // Twelve reports at once from one client: at most five get in.
    let mut sent = Vec::new();
    for i in 0..12 {
        let (c, n) = solved(&anon).await;
        sent.push(json!({"indicators": format!("03971234{i:02}"), "story": "x", "pow_challenge": c, "pow_nonce": n}));
    }
    let results =
        futures::future::join_all(sent.iter().map(|b| anon.post("/api/v1/reports", b))).await;
    let created = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .count();
    assert!(created <= 5, "{created} reports got in at once");
    // The bank list is the admin's.
    let officer = s.api(Some(&s.token_for("tuyentruyen").await));
    let (st, _) = officer
        .send(
            reqwest::Method::PUT,
            "/api/v1/banks/970436",
            &json!({"code": "VCB", "name": "Vietcombank", "active": false}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let admin = s.api(Some(&s.token_for("quantri").await));
    let (st, _) = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/banks/970499",
            &json!({"code": "X", "name": "Ngân hàng X", "aliases": "momo, 0912345678"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // Two reports merged into each other: the second merge is refused.
    let (_, queue) = officer.get("/api/v1/reports?status=received").await;
    let q = queue.as_array().unwrap();
    assert!(q.len() >= 2);
    let (a, b) = (&q[0], &q[1]);
    let (st, _) = officer
        .post(
            &format!("/api/v1/reports/{}/merge", a["id"].as_str().unwrap()),
            &json!({"into": b["code"]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = officer
        .post(
            &format!("/api/v1/reports/{}/merge", b["id"].as_str().unwrap()),
            &json!({"into": a["code"]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // A unit officer sees reports without who sent them.
    let unit = s.api(Some(&s.token_for("capx.hacthanh").await));
    let (st, list) = unit.get("/api/v1/reports").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["reporter_contact"] == ""));
    // "known name@real host" is explained, and the analyzer rates it.
    let (_, a) = anon
        .post("/api/v1/analyze", &json!({"text": "Tài khoản của bạn bị khoá. Đăng nhập http://bocongan.gov.vn@evil-login.top/xacminh để mở khoá"}))
        .await;
    assert!(matches!(a["risk"].as_str(), Some("high" | "medium")), "{a}");
    assert!(
        a["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "userinfo"),
        "{a}"
    );
}

/// Staff keep the scam patterns: a press officer tries a change on the labelled
/// messages (the matrix moves, the message it spoils is named), saves a better one,
/// and the analyzer on every request uses it within seconds; the change is audited; a
/// leader sees the rules but cannot change them; a journalist sees nothing.
#[tokio::test]
async fn staff_try_a_pattern_on_labelled_messages_then_save_it() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let anon = s.api(None);
        ready(&anon).await;
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (st, list) = officer.get("/api/v1/scam-patterns").await;
        assert_eq!(st, StatusCode::OK);
        let prize = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "prize")
            .expect("the default prize pattern")
            .clone();
        let mut phrases = prize["phrases"].as_array().unwrap().clone();
        assert!(phrases.len() >= 5, "{prize}");

        // A careless phrase: "con ve muon" is in an ordinary family message.
        let mut careless = phrases.clone();
        careless.push(json!({"text": "con về muộn", "weight": 6}));
        let body =
            json!({"name_vi": prize["name_vi"], "name_en": prize["name_en"], "phrases": careless});
        let (st, trial) = officer.post("/api/v1/scam-patterns/prize/try", &body).await;
        assert_eq!(st, StatusCode::OK, "{trial}");
        assert!(trial["messages"].as_u64().unwrap() >= 100);
        assert_eq!(
            trial["after"]["fp"].as_u64().unwrap(),
            trial["before"]["fp"].as_u64().unwrap() + 1,
            "{trial}"
        );
        let spoiled = &trial["changed"][0];
        assert_eq!(spoiled["id"], "b005", "{trial}");
        assert_eq!(spoiled["scam"], false);
        assert_eq!(spoiled["better"], false);
        // Trying saved nothing.
        let (_, a) = anon
            .post(
                "/api/v1/analyze",
                &json!({"text": "Mẹ ơi tối nay con về muộn"}),
            )
            .await;
        assert_eq!(a["risk"], "none", "{a}");

        // The page shows the same trial, in Vietnamese.
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, html) = desk.text("/scamcheck/rules").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Tin lừa đảo bắt được") && html.contains("Trúng thưởng"));
        let form_phrases = format!(
            "{}\n6 con về muộn",
            phrases
                .iter()
                .map(|p| format!("{} {}", p["weight"], p["text"].as_str().unwrap()))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let name_vi = prize["name_vi"].as_str().unwrap().to_string();
        let name_en = prize["name_en"].as_str().unwrap().to_string();
        let r = desk
            .submit(
                "/scamcheck/rules/prize",
                "/scamcheck/rules/prize",
                &[
                    ("name_vi", &name_vi),
                    ("name_en", &name_en),
                    ("phrases", &form_phrases),
                    ("action", "try"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Kết quả thử trên") && html.contains("b005") && html.contains("kém hơn")
        );
        // A bad line is named, nothing saved.
        let r = desk
            .submit(
                "/scamcheck/rules/prize",
                "/scamcheck/rules/prize",
                &[
                    ("name_vi", &name_vi),
                    ("name_en", &name_en),
                    ("phrases", "nhiều tiền"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("trọng số"));

        // A good phrase, saved: the analyzer uses it within seconds.
        phrases.push(json!({"text": "vòng quay kim cương", "weight": 5}));
        let body =
            json!({"name_vi": prize["name_vi"], "name_en": prize["name_en"], "phrases": phrases});
        let (st, e) = officer
            .send(reqwest::Method::PUT, "/api/v1/scam-patterns/prize", &body)
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{e}");
        let start = Instant::now();
        loop {
            let (_, a) = anon
                .post(
                    "/api/v1/analyze",
                    &json!({"text": "Chuc mung ban trung VONG QUAY KIM CUONG hom nay"}),
                )
                .await;
            let found = a["reasons"].as_array().unwrap().iter().any(|r| {
                r["pattern"] == "prize"
                    && r["phrases"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p == "vong quay kim cuong")
            });
            if found {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "{a}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (st, html) = desk.text("/scamcheck/rules/prize").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("vòng quay kim cương") && html.contains("Sửa dạng lừa đảo"));

        // A leader reads the rules, cannot change them; a journalist sees nothing.
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let (st, _) = leader.get("/api/v1/scam-patterns").await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = leader
            .send(reqwest::Method::PUT, "/api/v1/scam-patterns/prize", &body)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let j = s.api(Some(&s.token_for("pv.ttxvn").await));
        let (st, _) = j.get("/api/v1/scam-patterns").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Bad patterns: a clear 4xx in the user's language.
        for bad in [
            json!({"name_vi": "x", "name_en": "x", "phrases": []}),
            json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "!!!", "weight": 2}]}),
            json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "a b", "weight": 2}, {"text": "A B", "weight": 3}]}),
            json!({"name_vi": "x", "name_en": "x", "warning_id": "nope", "phrases": [{"text": "a b", "weight": 2}]}),
        ] {
            let (st, e) = officer
                .send(reqwest::Method::PUT, "/api/v1/scam-patterns/new_one", &bad)
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        }
        let (st, _) = officer
            .send(reqwest::Method::PUT, "/api/v1/scam-patterns/Bad-Id", &body)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Found by an outside review: "new" (the form's address) as an id; weights that
        // round to 0; a phrase that reads differently from what it matches.
        for (id, bad) in [
            (
                "new",
                json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "a b", "weight": 2}]}),
            ),
            (
                "tiny",
                json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "a b", "weight": 1e-40}]}),
            ),
            (
                "bidi",
                json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "chuyển tiền \u{202e}abc", "weight": 2}]}),
            ),
        ] {
            let (st, e) = officer
                .send(
                    reqwest::Method::PUT,
                    &format!("/api/v1/scam-patterns/{id}"),
                    &bad,
                )
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{id}: {e}");
        }
        // Weights are kept to a tenth, and read back as saved.
        let (st, _) = officer
            .send(
                reqwest::Method::PUT,
                "/api/v1/scam-patterns/tenths",
                &json!({"name_vi": "x", "name_en": "x", "phrases": [{"text": "ba bốn năm", "weight": 2.123456}]}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, list) = officer.get("/api/v1/scam-patterns").await;
        let p = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "tenths")
            .unwrap()
            .clone();
        assert_eq!(p["phrases"][0]["weight"], 2.1, "{p}");
        // A form with bytes that are not UTF-8, or an action that is neither: refused.
        let csrf = desk.csrf("/scamcheck/rules/prize").await;
        let raw = desk
            .client
            .post(s.url("/scamcheck/rules/prize"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "_csrf={csrf}&name_vi=Th%FF%FE&name_en=x&phrases=2+ho%FFn&action=save"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
        assert!(raw.text().await.unwrap().contains("UTF-8"));
        let r = desk
            .submit(
                "/scamcheck/rules/prize",
                "/scamcheck/rules/prize",
                &[
                    ("name_vi", "x"),
                    ("name_en", "x"),
                    ("phrases", "2 a b"),
                    ("action", "delete"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        // Found by the same review: an escaped slash before '@' made a verified scam
        // link read as the bank's own site; a bank's e-mail address read as a
        // "name@host" trick; an unbracketed IPv6 address read as IPv4.
        let a = check(
            &anon,
            "https://vietcombank.com.vn%2F@vietcombank-secure.top/xacminh",
        )
        .await;
        assert_eq!(a["verdict"], "verified", "{a}");
        let (_, a) = anon
            .post(
                "/api/v1/analyze",
                &json!({"text": "Liên hệ bộ phận hỗ trợ qua email hotro@vietcombank.com.vn hoặc hotline 1900545413."}),
            )
            .await;
        assert_eq!(a["risk"], "none", "{a}");
        let (st, _) = anon.get("/api/v1/check?value=2001:db8::1").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, a) = anon
            .post(
                "/api/v1/analyze",
                &json!({"text": "Anh mở file đính kèm để xem hoá đơn: hoadon.apk"}),
            )
            .await;
        assert!(
            a["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"] == "apk"),
            "{a}"
        );
    }
}

/// A real, decodable PNG of a colour.
fn png(shade: u8) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(60, 40, image::Rgba([shade, 30, 30, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The report form's action (with its CSRF token) and its proof of work, solved.
async fn report_form(b: &crate::common::Browser) -> (String, String, String) {
    let (st, html) = b.text("/kiem-tra/to-giac").await;
    assert_eq!(st, StatusCode::OK);
    let action = regex::Regex::new(
        r#"action="(/kiem-tra/to-giac\?_csrf=[^"]+)" enctype="multipart/form-data""#,
    )
    .unwrap()
    .captures(&html)
    .expect("the report form takes files")[1]
        .replace("&amp;", "&");
    let pow = regex::Regex::new(r#"name="pow_challenge" value="([^"]+)" data-difficulty="(\d+)""#)
        .unwrap()
        .captures(&html)
        .expect("a proof-of-work challenge");
    let nonce = keng::scamcheck::report::solve(&pow[1], pow[2].parse().unwrap());
    (action, pow[1].to_string(), nonce.to_string())
}

#[tokio::test]
async fn a_report_carries_screenshots_that_only_the_staff_who_handle_reports_see() {
    use reqwest::multipart::{Form, Part};
    for backend in backends() {
        let s = Server::start(&backend).await;
        ready(&s.api(None)).await;
        let b = s.browser();
        let form = |challenge: &str, nonce: &str, files: Vec<(&str, Vec<u8>)>| {
            let mut f = Form::new()
                .text("indicators", "0377 123 456")
                .text(
                    "story",
                    "Kẻ gian gọi tự xưng công an, bảo chuyển tiền để 'xác minh'.",
                )
                .text("channel", "call")
                .text("pow_challenge", challenge.to_string())
                .text("pow_nonce", nonce.to_string());
            for (name, bytes) in files {
                f = f.part("file", Part::bytes(bytes).file_name(name.to_string()));
            }
            f
        };
        // A page renamed .png is refused by its content, with the form again and nothing
        // sent; so are six files.
        let (action, c, n) = report_form(&b).await;
        let r = b
            .client
            .post(s.url(&action))
            .multipart(form(
                &c,
                &n,
                vec![("tin-nhan.png", b"<html><script>x</script>".to_vec())],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("aria-invalid=\"true\""),
            "the file field is marked"
        );
        let six: Vec<_> = (0..6u8).map(|i| ("anh.png", png(i * 20))).collect();
        let r = b
            .client
            .post(s.url(&action))
            .multipart(form(&c, &n, six))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("tối đa 5"));
        // Without the CSRF token in the action: refused.
        let r = b
            .client
            .post(s.url("/kiem-tra/to-giac"))
            .multipart(form(&c, &n, vec![("a.png", png(1))]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        // A screenshot and a PDF receipt: the tracking page counts them.
        let r = b
            .client
            .post(s.url(&action))
            .multipart(form(
                &c,
                &n,
                vec![
                    ("tin nhắn <1>.png", png(200)),
                    ("bien-lai.pdf", b"%PDF-1.4 bien lai chuyen tien".to_vec()),
                ],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{}",
            r.text().await.unwrap()
        );
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let code = to
            .trim_start_matches("/kiem-tra/to-giac/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let (st, html) = b.text(&to).await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Ảnh, tệp đã gửi kèm: 2"), "{html}");
        // More by the code, through the API: up to five in all.
        let anon = s.api(None);
        let add = |files: Vec<(&str, Vec<u8>)>, code: String| {
            let mut f = Form::new();
            for (name, bytes) in files {
                f = f.part("file", Part::bytes(bytes).file_name(name.to_string()));
            }
            reqwest::Client::new()
                .post(s.url(&format!("/api/v1/reports/{code}/attachments")))
                .multipart(f)
                .send()
        };
        let r = add(vec![("zalo.png", png(90))], code.to_lowercase())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let t: Value = r.json().await.unwrap();
        assert_eq!(t["files"], 3);
        assert_eq!(t["may_add_files"], true);
        let r = add(
            vec![("a.png", png(91)), ("b.png", png(92)), ("c.png", png(93))],
            code.clone(),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "six in all");
        let r = add(vec![("a.png", png(91))], "TG-AAAA-AAAA".into())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = add(vec![("empty.png", Vec::new())], code.clone())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no file");
        let r = add(vec![], code.clone()).await.unwrap();
        assert!(r.status().is_client_error(), "no part at all");
        // An image header and nothing after it, or a page behind a PNG signature: no image.
        for fake in [
            b"GIF89a".to_vec(),
            [
                &b"\x89PNG\r\n\x1a\n"[..],
                b"<html><script>alert(1)</script>",
            ]
            .concat(),
        ] {
            let r = add(vec![("fake.png", fake)], code.clone()).await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        // Ten at once, each one file: five in all are kept, and the refused ones leave no
        // file behind (checked below with `keng files verify`).
        let burst: Vec<_> = (0..10u8)
            .map(|i| add(vec![("burst.png", png(100 + i))], code.clone()))
            .collect();
        let codes: Vec<StatusCode> = futures::future::join_all(burst)
            .await
            .into_iter()
            .map(|r| r.unwrap().status())
            .collect();
        assert_eq!(
            codes.iter().filter(|c| **c == StatusCode::CREATED).count(),
            2,
            "{codes:?}"
        );
        let (_, tr) = anon.get(&format!("/api/v1/report-status/{code}")).await;
        assert_eq!(tr["files"], 5);

        // The staff who handle reports see and open them; other staff do not.
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let (_, queue) = officer.get("/api/v1/reports?status=received").await;
        let rep = queue
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .expect("in the queue")
            .clone();
        let id = rep["id"].as_str().unwrap().to_string();
        let files = rep["files"].as_array().unwrap();
        assert_eq!(files.len(), 5);
        let shot = files
            .iter()
            .find(|f| f["mime"] == "image/png" && f["filename"].as_str().unwrap().contains("tin"))
            .expect("the screenshot, its name kept readable");
        let sha = shot["sha256"].as_str().unwrap();
        assert_eq!(sha, hex::encode(Sha256::digest(png(200))));
        let desk = s.browser();
        desk.login("tuyentruyen", DEMO_PASSWORD).await;
        let (st, html) = desk.text(&format!("/scamcheck/reports/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains(&format!("/scamcheck/reports/{id}/files/{sha}")));
        let r = desk
            .get(&format!("/scamcheck/reports/{id}/files/{sha}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "image/png");
        assert!(r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"));
        // Its name as RFC 8187 writes it: a space is %20, never "+".
        let disposition = r.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.contains("tin%20nh%E1%BA%AFn") && !disposition.contains('+'),
            "{disposition}"
        );
        assert_eq!(r.bytes().await.unwrap().to_vec(), png(200));
        let unit = s.browser();
        unit.login("capx.hacthanh", DEMO_PASSWORD).await;
        let r = unit
            .get(&format!("/scamcheck/reports/{id}/files/{sha}"))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "a unit officer");
        // Nor on the report's page, nor who sent it, nor the whole code (which would let
        // its holder add files).
        let (st, html) = unit.text(&format!("/scamcheck/reports/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!html.contains("/files/") && !html.contains(&code), "{html}");
        let unit_api = s.api(Some(&s.token_for("capx.hacthanh").await));
        let (_, list) = unit_api.get("/api/v1/reports?status=received").await;
        assert!(list.as_array().unwrap().iter().all(|r| {
            r["files"].as_array().unwrap().is_empty()
                && r["code"].as_str().unwrap().ends_with("••••")
        }));
        let (_, html) = unit.text("/scamcheck/reports").await;
        assert!(!html.contains(&code));
        let r = s
            .browser()
            .get(&format!("/scamcheck/reports/{id}/files/{sha}"))
            .await;
        assert!(
            matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                || r.status().is_redirection(),
            "anonymous: {}",
            r.status()
        );
        // Once acted on, the report takes no more files.
        let (st, _) = officer
            .post(&format!("/api/v1/reports/{id}/verify"), &json!({}))
            .await;
        assert_eq!(st, StatusCode::OK);
        let r = add(vec![("late.png", png(7))], code.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let (_, html) = b.text(&format!("/kiem-tra/to-giac/{code}")).await;
        assert!(
            !html.contains("/attachments?_csrf="),
            "no upload form any more"
        );
        // Every file is named by a record, none refused left behind: `keng files verify`
        // finds nothing missing and no orphan.
        let out = s.db.command().args(["files", "verify"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(" 0 orphans"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
