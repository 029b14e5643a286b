//! Security figures against the real binary on every backend, tried as a new user
//! would: three ward officers download last week's template, fill it in and upload it
//! (XLSX, and CSV) — one with mistakes it is told about cell by cell, nothing saved —
//! a leader approves, the campaign page shows progress, the leader downloads the DOCX
//! (read back with docx-rs: its totals and "so với cùng kỳ" sentences match the XLSX
//! read back with calamine) and publishes; the public page and the open API show only
//! approved, published figures; a correction is a new version with its reason and the
//! old one stays in the history; and every kind of bad input the issue names gets a
//! clear 4xx with nothing half-saved.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{backends, docx_text, Api, Browser, Server, DEMO_PASSWORD};

/// Last week (Monday to Sunday) as its label and days.
fn last_week() -> (String, NaiveDate, NaiveDate) {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 7);
    let w = monday.iso_week();
    (
        format!("{}-W{:02}", w.year(), w.week()),
        monday,
        monday + Duration::days(6),
    )
}

/// The rows of a downloaded template: (row index, measure id).
fn template_rows(xlsx: &[u8]) -> (Vec<Vec<String>>, Vec<(u32, String)>) {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.to_vec())).unwrap();
    let range = book
        .worksheet_range("Số liệu")
        .expect("the template's sheet");
    let mut head = Vec::new();
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(|c| c.to_string()).collect();
        if i < 3 {
            head.push(cells);
        } else if let Some(id) = cells.first().filter(|s| !s.is_empty()) {
            rows.push((i as u32, id.clone()));
        }
    }
    (head, rows)
}

/// A filled-in copy of a template: `values` by measure id (numbers, or text as typed);
/// `first_cell` replaces A1 (a wrong template), `merge` merges two cells.
fn fill_xlsx(
    template: &[u8],
    values: &[(&str, Value)],
    first_cell: Option<&str>,
    merge: bool,
) -> Vec<u8> {
    let (head, rows) = template_rows(template);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Số liệu").unwrap();
    for (r, cells) in head.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    if let Some(a1) = first_cell {
        ws.write_string(0, 0, a1).unwrap();
    }
    for (r, id) in &rows {
        ws.write_string(*r, 0, id).unwrap();
        for (m, v) in values {
            if m == id {
                match v {
                    Value::Number(n) => {
                        ws.write_number(*r, 4, n.as_f64().unwrap()).unwrap();
                    }
                    Value::String(s) => {
                        ws.write_string(*r, 4, s).unwrap();
                    }
                    _ => {}
                }
            }
        }
    }
    if merge {
        let f = rust_xlsxwriter::Format::new();
        ws.merge_range(rows[3].0, 1, rows[3].0, 2, "gộp", &f)
            .unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A filled-in CSV template.
fn fill_csv(template: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for line in template.trim_start_matches('\u{feff}').lines() {
        let id = line.split(',').next().unwrap_or("");
        match values.iter().find(|(m, _)| *m == id) {
            Some((_, v)) => {
                let cut = line.rfind(',').unwrap();
                out.push_str(&format!("{},{v}\n", &line[..cut]));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.into_bytes()
}

async fn upload(
    b: &Browser,
    bytes: Vec<u8>,
    name: &str,
    reason: &str,
) -> (StatusCode, String, String) {
    let csrf = b.csrf("/stats/upload").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        )
        .text("reason", reason.to_string());
    let r = b
        .client
        .post(format!("{}/stats/upload?_csrf={csrf}", b.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, r.text().await.unwrap_or_default())
}

async fn unit_id(api: &Api, code: &str) -> String {
    let (_, units) = api.get("/api/v1/units").await;
    units
        .as_array()
        .and_then(|a| a.iter().find(|u| u["code"] == code))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no unit {code}"))
}

async fn officer(s: &Server, admin: &Api, username: &str, unit_code: &str) -> Browser {
    if username != "capx.hacthanh" {
        let (st, body) = admin
            .post(
                "/api/v1/users",
                &json!({
                    "username": username, "display_name": format!("Cán bộ {unit_code}"),
                    "role": "unit_officer", "unit_id": unit_id(admin, unit_code).await,
                    "password": "Mat-khau-dai-2025!",
                }),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let b = s.browser();
    let password = if username == "capx.hacthanh" {
        DEMO_PASSWORD
    } else {
        "Mat-khau-dai-2025!"
    };
    b.login(username, password).await;
    b
}

async fn pending_count(api: &Api) -> usize {
    let (s, list) = api.get("/api/v1/stats/submissions?state=pending").await;
    assert_eq!(s, StatusCode::OK);
    list.as_array().map(Vec::len).unwrap_or(0)
}

/// The XLSX report's totals sheet read back with calamine: measure name → (now, same
/// period last year).
fn xlsx_totals(bytes: &[u8]) -> Vec<(String, String, f64, f64)> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let num = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        _ => 0.0,
    };
    range
        .rows()
        .skip(5)
        .map(|r| {
            (
                r[0].to_string(),
                r[1].to_string(),
                num(r.get(3)),
                num(r.get(4)),
            )
        })
        .collect()
}

#[tokio::test]
async fn three_wards_upload_last_weeks_figures_and_the_province_reports_them() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let admin = s.api(Some(&s.token_for("quantri").await));
        let leader_api = s.api(Some(&s.token_for("giamdoc").await));
        let press = s.api(Some(&s.token_for("tuyentruyen").await));
        let (week, monday, sunday) = last_week();
        let (from, to) = (monday.to_string(), sunday.to_string());
        // The demo left these three wards without figures since the week before last.
        let wards = [
            ("capx.hacthanh", "CAP-HACTHANH"),
            ("capx.samson", "CAP-SAMSON"),
            ("cax.muonglat", "CAX-MUONGLAT"),
        ];
        let mut officers = Vec::new();
        for (user, code) in wards {
            officers.push((
                officer(&s, &admin, user, code).await,
                unit_id(&admin, code).await,
            ));
        }
        let (dash_status, dash) = leader_api_browser(&s).await.text("/stats").await;
        assert_eq!(dash_status, StatusCode::OK);
        assert!(
            dash.contains("Công an phường Sầm Sơn"),
            "the dashboard names a ward that has not reported"
        );

        // Each downloads last week's template for their own ward.
        let mut templates = Vec::new();
        for (b, unit) in &officers {
            let r = b
                .get(&format!("/stats/template.xlsx?unit={unit}&period={week}"))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            let bytes = r.bytes().await.unwrap().to_vec();
            assert!(bytes.starts_with(b"PK"), "an XLSX");
            templates.push(bytes);
        }
        // Not for another ward.
        let r = officers[0]
            .0
            .get(&format!(
                "/stats/template.xlsx?unit={}&period={week}",
                officers[1].1
            ))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let before = pending_count(&leader_api).await;
        // Hạc Thành: right first time.
        let (st, loc, body) = upload(
            &officers[0].0,
            fill_xlsx(
                &templates[0],
                &[
                    ("ttxh.cases", json!(3)),
                    ("ttxh.subjects", json!(7)),
                    ("ma_tuy.cases", json!(2)),
                    ("ma_tuy.subjects", json!(5)),
                    ("ma_tuy.heroin_g", json!("12,5")),
                    ("giao_thong.violations", json!("1.250")),
                ],
                None,
                false,
            ),
            "hacthanh.xlsx",
            "",
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        assert!(loc.starts_with("/stats/submissions/"), "{loc}");
        let hacthanh = loc
            .trim_start_matches("/stats/submissions/")
            .split('?')
            .next()
            .unwrap()
            .to_string();

        // Sầm Sơn: fewer subjects than cases, and text in a number cell.
        let wrong = fill_xlsx(
            &templates[1],
            &[
                ("ttxh.cases", json!(4)),
                ("ttxh.subjects", json!(2)),
                ("trom_cap.cases", json!("ba")),
            ],
            None,
            false,
        );
        let (st, _, page) = upload(&officers[1].0, wrong, "samson.xlsx", "").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, rows) = template_rows(&templates[1]);
        let row_of = |id: &str| rows.iter().find(|(_, m)| m == id).unwrap().0 + 1;
        assert!(
            page.contains(&format!("Số liệu!E{}", row_of("ttxh.subjects"))),
            "the cell of the rule broken: {page}"
        );
        assert!(
            page.contains(&format!("Số liệu!E{}", row_of("trom_cap.cases"))),
            "the cell with text"
        );
        assert!(
            page.contains("không được nhỏ hơn"),
            "the rule, said in Vietnamese"
        );
        assert!(page.contains("“ba” không phải là số"));
        assert_eq!(
            pending_count(&leader_api).await,
            before + 1,
            "nothing of the wrong file was saved"
        );
        let (st, loc, body) = upload(
            &officers[1].0,
            fill_xlsx(
                &templates[1],
                &[
                    ("ttxh.cases", json!(4)),
                    ("ttxh.subjects", json!(9)),
                    ("trom_cap.cases", json!(3)),
                    ("trom_cap.subjects", json!(3)),
                ],
                None,
                false,
            ),
            "samson.xlsx",
            "",
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let samson = loc
            .trim_start_matches("/stats/submissions/")
            .split('?')
            .next()
            .unwrap()
            .to_string();

        // Mường Lát: the CSV template.
        let csv = officers[2]
            .0
            .get(&format!(
                "/stats/template.csv?unit={}&period={week}",
                officers[2].1
            ))
            .await;
        assert_eq!(csv.status(), StatusCode::OK);
        let csv = csv.text().await.unwrap();
        let (st, loc, body) = upload(
            &officers[2].0,
            fill_csv(
                &csv,
                &[
                    ("ttxh.cases", "1"),
                    ("ttxh.subjects", "1"),
                    ("ma_tuy.cases", "1"),
                    ("ma_tuy.subjects", "2"),
                ],
            ),
            "muonglat.csv",
            "",
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let muonglat = loc
            .trim_start_matches("/stats/submissions/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(pending_count(&leader_api).await, before + 3);

        // Nothing counts before approval.
        let (_, public) = s
            .api(None)
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH"
            ))
            .await;
        assert_eq!(public["rows"], json!([]), "pending figures are not public");

        // A ward officer cannot approve; the leader does, on the page.
        let r = officers[0]
            .0
            .submit(
                &format!("/stats/submissions/{hacthanh}"),
                &format!("/stats/submissions/{hacthanh}/do/approve"),
                &[],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let leader = leader_api_browser(&s).await;
        for id in [&hacthanh, &samson, &muonglat] {
            let page = format!("/stats/submissions/{id}");
            let r = leader
                .submit(&page, &format!("{page}/do/approve"), &[])
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let (_, sub) = leader_api
                .get(&format!("/api/v1/stats/submissions/{id}"))
                .await;
            assert_eq!(
                (sub["state"].as_str(), sub["is_current"].as_bool()),
                (Some("approved"), Some(true))
            );
        }
        let (_, sub) = leader_api
            .get(&format!("/api/v1/stats/submissions/{hacthanh}"))
            .await;
        assert_eq!(
            sub["values"]["ma_tuy.heroin_g"],
            json!(12.5),
            "a Vietnamese decimal comma"
        );
        assert_eq!(
            sub["values"]["giao_thong.violations"],
            json!(1250.0),
            "thousands with a dot"
        );
        assert_eq!(sub["source"], "xlsx");

        // A campaign over last week for the three wards: progress is their sum.
        let (st, c) = press
            .post(
                "/api/v1/stats/campaigns",
                &json!({
                    "name": "Cao điểm tuần thử", "from": from, "to": to,
                    "units": ["CAP-HACTHANH", "CAP-SAMSON", "CAX-MUONGLAT"],
                    "targets": { "ttxh.cases": 10, "ma_tuy.cases": "4" },
                }),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let cid = c["id"].as_str().unwrap();
        let (_, view) = leader_api
            .get(&format!("/api/v1/stats/campaigns/{cid}"))
            .await;
        let line = |m: &str| {
            view["progress"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["measure_id"] == m)
                .cloned()
                .unwrap()
        };
        assert_eq!(line("ttxh.cases")["value"], json!(8.0));
        assert_eq!(line("ttxh.cases")["target"], json!(10.0));
        assert_eq!(line("ttxh.cases")["reached_pct"], json!(80.0));
        assert_eq!(line("ma_tuy.subjects")["value"], json!(7.0));
        let (st, page) = leader.text(&format!("/stats/campaigns/{cid}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("<svg") && page.contains("80%"),
            "progress shown against the target"
        );

        // The leader's DOCX and XLSX for the province, last week.
        let q = format!("from={from}&to={to}");
        let docx = leader.get(&format!("/stats/report.docx?{q}")).await;
        assert_eq!(docx.status(), StatusCode::OK);
        let text = docx_text(&docx.bytes().await.unwrap());
        let xlsx = leader.get(&format!("/stats/report.xlsx?{q}")).await;
        assert_eq!(xlsx.status(), StatusCode::OK);
        let totals = xlsx_totals(&xlsx.bytes().await.unwrap());
        let find = |field: &str, measure: &str| {
            totals
                .iter()
                .find(|t| t.0 == field && t.1 == measure)
                .cloned()
                .unwrap_or_else(|| panic!("{field} {measure} in {totals:?}"))
        };
        let (_, _, cases, cases_ly) = find("Tội phạm về trật tự xã hội", "Số vụ");
        let (_, _, subjects, subjects_ly) = find("Tội phạm về trật tự xã hội", "Số đối tượng");
        assert!(
            cases >= 8.0,
            "the three wards' 8 cases are in the province's {cases}"
        );
        let sentence = keng_stats::sentence_about(
            "phát hiện, điều tra, xử lý",
            &[
                keng_stats::Figure {
                    value: cases,
                    unit: "vụ",
                },
                keng_stats::Figure {
                    value: subjects,
                    unit: "đối tượng",
                },
            ],
            "phạm tội và vi phạm pháp luật về trật tự xã hội",
            &[cases_ly, subjects_ly],
            "cùng kỳ",
        );
        assert!(
            text.contains(&sentence),
            "the DOCX says what the XLSX counts:\n{sentence}\n---\n{text}"
        );
        // The same figures on the report page and in its CSV.
        let (_, html) = leader.text(&format!("/stats/report?{q}")).await;
        assert!(html.contains(&sentence));

        // Published figures only: Hạc Thành's week is approved but not yet published.
        let anon = s.api(None);
        let (_, public) = anon
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH"
            ))
            .await;
        assert_eq!(public["rows"], json!([]));
        let (st, body) = leader_api
            .post(
                "/api/v1/stats/publication",
                &json!({"from": from, "to": to, "unit": "CAP-HACTHANH"}),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a data-quality note is required: {body}"
        );
        let (st, body) = leader_api
            .post("/api/v1/stats/publication", &json!({"from": from, "to": to, "unit": "CAP-HACTHANH", "quality_note": "Số liệu sơ bộ của tuần"}))
            .await;
        assert_eq!(
            (st, body["changed"].as_u64()),
            (StatusCode::OK, Some(1)),
            "{body}"
        );
        let value_of = |v: &Value, m: &str| {
            v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["measure_id"] == m)
                .map(|r| r["value"].clone())
        };
        let (_, public) = anon
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH"
            ))
            .await;
        assert_eq!(value_of(&public, "ttxh.cases"), Some(json!(3.0)));
        assert_eq!(public["quality_notes"][0]["note"], "Số liệu sơ bộ của tuần");
        let csv = reqwest::get(s.url(&format!(
            "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH&format=csv"
        )))
        .await
        .unwrap();
        assert!(csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(csv.text().await.unwrap().contains(",ttxh.cases,"));
        // Sầm Sơn is approved but not published: not public.
        let (_, public) = anon
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-SAMSON"
            ))
            .await;
        assert_eq!(public["rows"], json!([]));
        let (st, page) = s
            .browser()
            .text(&format!("/so-lieu?from={from}&to={to}&unit=CAP-HACTHANH"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Số liệu sơ bộ của tuần"));

        // A correction: refused without a reason; with one, a new version pending; the
        // public still sees version 1 until it is approved, then version 2, and the
        // history keeps both.
        let correction = |reason: Option<&str>| {
            json!({
                "unit": "CAP-HACTHANH", "period": week, "reason": reason,
                "values": {"ttxh.cases": 4, "ttxh.subjects": 9},
            })
        };
        let officer_api = s.api(Some(&s.token_for("capx.hacthanh").await));
        let (st, body) = officer_api
            .post("/api/v1/stats/submissions", &correction(None))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        let (st, v2) = officer_api
            .post(
                "/api/v1/stats/submissions",
                &correction(Some("Bổ sung 1 vụ phát hiện muộn")),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v2}");
        assert_eq!(v2["version"], 2);
        let (_, public) = anon
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH"
            ))
            .await;
        assert_eq!(
            value_of(&public, "ttxh.cases"),
            Some(json!(3.0)),
            "the pending correction is not public"
        );
        let v2id = v2["id"].as_str().unwrap();
        let (st, _) = leader_api
            .post(
                &format!("/api/v1/stats/submissions/{v2id}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, public) = anon
            .get(&format!(
                "/api/v1/stats?from={from}&to={to}&unit=CAP-HACTHANH"
            ))
            .await;
        assert_eq!(
            value_of(&public, "ttxh.cases"),
            Some(json!(4.0)),
            "the correction is current and still published"
        );
        let (_, v2now) = leader_api
            .get(&format!("/api/v1/stats/submissions/{v2id}"))
            .await;
        assert!(
            v2now["published_at"].as_i64() >= v2now["decided_at"].as_i64(),
            "the correction is public from its approval: {v2now}"
        );
        let (_, v1) = leader_api
            .get(&format!("/api/v1/stats/submissions/{hacthanh}"))
            .await;
        assert_eq!(
            (v1["state"].as_str(), v1["is_current"].as_bool()),
            (Some("superseded"), Some(false))
        );
        assert_eq!(
            v1["values"]["ttxh.cases"],
            json!(3.0),
            "approved figures are never overwritten"
        );
        let (_, page) = leader.text(&format!("/stats/submissions/{v2id}")).await;
        assert!(
            page.contains("Bổ sung 1 vụ phát hiện muộn")
                && page.contains(&format!("/stats/submissions/{hacthanh}"))
        );
        // Approving twice is a conflict, not a second version.
        let (st, _) = leader_api
            .post(
                &format!("/api/v1/stats/submissions/{v2id}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        // The audit log has every step.
        let (_, audit) = admin.get("/api/v1/audit?entity=stat_submission").await;
        let text = audit.to_string();
        for a in [
            "stat_submission.submitted",
            "stat_submission.approved",
            "stat_submission.superseded",
        ] {
            assert!(text.contains(a), "audit has {a}");
        }
    }
}

async fn leader_api_browser(s: &Server) -> Browser {
    let b = s.browser();
    b.login("giamdoc", DEMO_PASSWORD).await;
    b
}

#[tokio::test]
async fn bad_figures_are_refused_clearly_and_nothing_is_half_saved() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("capx.hacthanh").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let (week, _, _) = last_week();
        let submit = |unit: &str, period: &str, values: Value| json!({"unit": unit, "period": period, "values": values});
        let before = pending_count(&leader).await;
        let problems = |v: &Value| -> Vec<(String, String)> {
            v["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["code"].as_str().unwrap().to_string(),
                        p["measure"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        };
        // Negative, fewer subjects than cases, a decimal count, an unknown measure.
        let (st, body) = officer
            .post("/api/v1/stats/submissions", &submit("CAP-HACTHANH", &week, json!({
                "ma_tuy.cases": -1, "ttxh.cases": 5, "ttxh.subjects": 3, "trom_cap.cases": "2,5",
                "khong.co": 1, "giao_thong.violations": "1,500",
            })))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let p = problems(&body);
        for want in [
            ("negative", "ma_tuy.cases"),
            ("below_rule", "ttxh.subjects"),
            ("not_whole", "trom_cap.cases"),
            ("unknown_measure", "khong.co"),
            ("ambiguous", "giao_thong.violations"),
        ] {
            assert!(
                p.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {p:?}"
            );
        }
        assert!(
            body["problems"][0]["message"].as_str().unwrap().len() > 10,
            "said in words"
        );
        // A percentage past 100.
        let (st, body) = officer
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HACTHANH", &week, json!({"ttxh.clearance_rate": 500})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problems(&body),
            vec![("above_max".to_string(), "ttxh.clearance_rate".to_string())]
        );
        // English for an English reader.
        let r = reqwest::Client::new()
            .post(s.url("/api/v1/stats/submissions"))
            .bearer_auth(s.token_for("capx.hacthanh").await)
            .header("accept-language", "en")
            .json(&submit("CAP-HACTHANH", &week, json!({"ma_tuy.cases": -1})))
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        assert!(
            body["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains("may not be negative"),
            "{body}"
        );
        // Another ward: forbidden. A future period, a nonsense period, no values.
        let (st, _) = officer
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-SAMSON", &week, json!({"ttxh.cases": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = officer
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HACTHANH", "2099-01", json!({"ttxh.cases": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = officer
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HACTHANH", "2026-W60", json!({"ttxh.cases": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, body) = officer
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HACTHANH", &week, json!({})),
            )
            .await;
        assert_eq!(
            (st, body["problems"][0]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("no_values"))
        );
        assert_eq!(pending_count(&leader).await, before, "nothing saved");
        // A week over days the unit already reported daily (the demo's days): refused.
        let (st, body) = s
            .api(Some(&s.token_for("capx.hacthanh").await))
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HAMRONG", "2025-W02", json!({"ttxh.cases": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
        let press = s.api(Some(&s.token_for("tuyentruyen").await));
        let (st, body) = press
            .post(
                "/api/v1/stats/submissions",
                &submit("CAP-HAMRONG", "2025-W02", json!({"ttxh.cases": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(body
            .to_string()
            .contains("urn:keng:error:stats_period_overlaps"));
        // A day already approved (the demo's): a correction needs a reason.
        let (st, body) = press
            .post(
                "/api/v1/stats/submissions",
                &submit(
                    "CAP-HAMRONG",
                    "2025-01-06",
                    json!({"ttxh.cases": 1, "ttxh.subjects": 1}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{body}");
        assert!(body
            .to_string()
            .contains("urn:keng:error:stats_correction_needs_reason"));
        assert_eq!(pending_count(&leader).await, before);

        // Spreadsheets: merged cells, an old template, duplicate rows, text in a
        // number cell — each named by its cell, nothing saved.
        let b = s.browser();
        b.login("capx.hacthanh", DEMO_PASSWORD).await;
        let unit = unit_id(&leader, "CAP-HACTHANH").await;
        let template = b
            .get(&format!("/stats/template.xlsx?unit={unit}&period={week}"))
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let (st, _, page) = upload(
            &b,
            fill_xlsx(&template, &[("ttxh.cases", json!(1))], None, true),
            "gop.xlsx",
            "",
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("ô bị gộp"), "merged cells named");
        let (st, _, page) = upload(
            &b,
            fill_xlsx(
                &template,
                &[("ttxh.cases", json!(1))],
                Some("KENG-STATS v0"),
                false,
            ),
            "cu.xlsx",
            "",
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("Số liệu!A1") && page.contains("mẫu cũ"),
            "old template named at A1"
        );
        let csv = b
            .get(&format!("/stats/template.csv?unit={unit}&period={week}"))
            .await
            .text()
            .await
            .unwrap();
        let mut doubled = String::from_utf8(fill_csv(&csv, &[("ttxh.cases", "1")])).unwrap();
        doubled.push_str("ttxh.cases,x,y,z,2\n");
        let (st, _, page) = upload(&b, doubled.into_bytes(), "doi.csv", "").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("xuất hiện hai lần"), "duplicate row named");
        let (st, _, page) = upload(&b, b"Ten,So\nA,1\n".to_vec(), "khac.csv", "").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("không phải mẫu"));
        let (st, _, _) = upload(&b, b"PK\x03\x04broken".to_vec(), "hong.xlsx", "").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Through the API: the same problems as JSON.
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(fill_xlsx(
                &template,
                &[("ttxh.cases", json!("mười"))],
                None,
                false,
            ))
            .file_name("x.xlsx"),
        );
        let r = reqwest::Client::new()
            .post(s.url("/api/v1/stats/uploads"))
            .bearer_auth(s.token_for("capx.hacthanh").await)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["problems"][0]["code"], "not_a_number");
        assert_eq!(body["problems"][0]["cell"]["column"], "E");
        assert_eq!(
            pending_count(&leader).await,
            before,
            "nothing of any refused file was saved"
        );

        // Public API parameters: clear 4xx.
        let anon = s.api(None);
        for q in [
            "group_by=year",
            "format=xml",
            "from=31/02/2025",
            "unit=NOPE",
            "field=nope",
            "measure=nope",
            "from=2025-02-01&to=2025-01-01",
        ] {
            let (st, _) = anon.get(&format!("/api/v1/stats?{q}")).await;
            assert!(st.is_client_error(), "{q}: {st}");
        }
        // Staff-only surfaces.
        let (st, _) = anon.get("/api/v1/stats/submissions").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s.browser().text("/stats").await;
        assert!(
            st == StatusCode::SEE_OTHER || st == StatusCode::UNAUTHORIZED,
            "{st}"
        );
        // The catalogue is the administrator's: a measure added appears in the template.
        let (st, _) = leader.post("/api/v1/stats/measures", &json!({})).await;
        assert!(st.is_client_error());
        let admin = s.api(Some(&s.token_for("quantri").await));
        let (st, m) = admin.post("/api/v1/stats/measures", &json!({
            "id": "ma_tuy.cannabis_g", "field_id": "ma_tuy", "name_vi": "Cần sa thu giữ", "name_en": "Cannabis seized",
            "unit_vi": "gam", "unit_en": "g", "whole": false, "summable": true,
        })).await;
        assert_eq!(st, StatusCode::CREATED, "{m}");
        let (st, _) = admin
            .post(
                "/api/v1/stats/measures",
                &json!({
                    "id": "ma_tuy.cannabis_g", "field_id": "ma_tuy", "name_vi": "x", "name_en": "x",
                    "unit_vi": "gam", "unit_en": "g", "whole": false, "summable": true,
                }),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let template = b
            .get(&format!("/stats/template.xlsx?unit={unit}&period={week}"))
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        assert!(template_rows(&template)
            .1
            .iter()
            .any(|(_, m)| m == "ma_tuy.cannabis_g"));
        // A unit added is known to the figures at once (their copy of the tree is
        // dropped by the commit that adds it).
        let anon = s.api(None);
        let (st, _) = anon.get("/api/v1/stats?unit=CAP-MOITHU").await;
        assert!(st.is_client_error(), "{st}");
        // A date at the calendar's edge is refused, not walked day by day past it.
        for q in [
            "from=%2B262142-12-01&to=%2B262142-12-31&group_by=day",
            "from=%2B262142-12-01&to=%2B262142-12-31&group_by=week",
            "from=-262140-01-01&to=-262140-01-31&group_by=week",
        ] {
            let (st, v) = anon.get(&format!("/api/v1/stats?{q}")).await;
            assert!(st.is_client_error(), "{q}: {st} {v}");
        }
        let parent = unit_id(&admin, "CAP-HACTHANH").await;
        let (st, v) = admin
            .post(
                "/api/v1/units",
                &json!({"code": "CAP-MOITHU", "name": "Công an phường Mới Thử", "kind": "commune",
                        "parent_id": parent}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = anon.get("/api/v1/stats?unit=CAP-MOITHU").await;
        assert_eq!(
            (st, v["unit"].as_str()),
            (StatusCode::OK, Some("Công an phường Mới Thử")),
            "{v}"
        );
        // A control character in a measure's name does not break the Word report.
        let (st, _) = admin
            .send(
                reqwest::Method::PUT,
                "/api/v1/stats/measures/ttxh.cases",
                &json!({
                    "field_id": "ttxh", "name_vi": "Số vụ\u{1}\u{b}", "name_en": "Cases",
                    "unit_vi": "vụ", "unit_en": "cases", "whole": true, "summable": true,
                    "in_narrative": true,
                }),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let docx = b
            .get("/stats/report.docx?from=2025-01-01&to=2025-01-31")
            .await;
        assert_eq!(docx.status(), StatusCode::OK);
        let text = docx_text(&docx.bytes().await.unwrap());
        assert!(text.contains("Số vụ"), "a DOCX docx-rs reads: {text}");
    }
}

/// Submits figures as the officer and approves them as the leader; the new version's id.
async fn approved(officer: &Api, leader: &Api, body: Value) -> String {
    let (st, v) = officer.post("/api/v1/stats/submissions", &body).await;
    assert_eq!(st, StatusCode::CREATED, "{body}: {v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (st, v) = leader
        .post(
            &format!("/api/v1/stats/submissions/{id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    id
}

/// One measure's value in an open-data answer (None when it has no row).
fn public_value(v: &Value, m: &str, period: Option<&str>) -> Option<f64> {
    v["rows"].as_array()?.iter().find_map(|r| {
        (r["measure_id"] == m && period.is_none_or(|p| r["period"] == p))
            .then(|| r["value"].as_f64())
            .flatten()
    })
}

/// The running totals reports read, once built, are kept by the follower and answer what
/// a scan of the figures does: a week and a month of figures from before the demo's (so periods can straddle them), a day, a
/// correction of a figure from long ago that drops a measure, a publication — then
/// `keng stats verify` compares both ways for random periods and every edge of the long
/// figures, for staff and the public, every unit and subtree; and the open data counts
/// a figure straddling an edge out, on either side.
#[tokio::test]
async fn the_running_totals_answer_what_a_scan_of_the_figures_does() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("capx.hacthanh").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let spokes = s.api(Some(&s.token_for("phatngon").await));
        // Built on demand (the demo's reports scan); kept by the follower from then on.
        let out = s.db.command().args(["stats", "rebuild"]).output().unwrap();
        assert!(
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("running totals rebuilt"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sub = |period: &str, values: Value| json!({"unit": "CAP-HACTHANH", "period": period, "values": values});
        approved(
            &officer,
            &leader,
            sub("2023-W43", json!({"ttxh.cases": 2, "ttxh.subjects": 3})),
        )
        .await;
        approved(
            &officer,
            &leader,
            sub("2023-11", json!({"ttxh.cases": 5, "ttxh.subjects": 7})),
        )
        .await;
        approved(
            &officer,
            &leader,
            sub("2023-12-01", json!({"ttxh.cases": 1, "ttxh.subjects": 1})),
        )
        .await;
        // A correction of one of the demo's days, long ago, giving fewer measures.
        let mut body = sub("2024-03-10", json!({"ttxh.cases": 9, "ttxh.subjects": 9}));
        body["reason"] = json!("Rà soát lại theo hồ sơ vụ việc");
        approved(&officer, &leader, body).await;
        let (st, v) = spokes
            .post(
                "/api/v1/stats/publication",
                &json!({"from": "2023-10-01", "to": "2023-12-14", "unit": "CAP-HACTHANH",
                        "quality_note": "Số liệu trước khi triển khai báo cáo ngày"}),
            )
            .await;
        assert_eq!(
            (st, v["changed"].as_u64()),
            (StatusCode::OK, Some(3)),
            "{v}"
        );

        let out =
            s.db.command()
                .args(["stats", "verify", "--periods", "40", "--wait", "90"])
                .output()
                .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(" 0 mismatches"),
            "{}: {text}{}",
            backend.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        let n: usize = text
            .split_whitespace()
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        assert!(n > 500, "{text}");

        // A figure counts only when its whole period is inside: the week (23–29/10)
        // straddles a start on 25/10, the month a 29/11 end.
        let anon = s.api(None);
        let cases = |q: &str| {
            let anon = &anon;
            let q = q.to_string();
            async move {
                let (st, v) = anon
                    .get(&format!(
                        "/api/v1/stats?unit=CAP-HACTHANH&measure=ttxh.cases&{q}"
                    ))
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
                v
            }
        };
        let v = cases("from=2023-10-25&to=2023-11-30").await;
        assert_eq!(public_value(&v, "ttxh.cases", None), Some(5.0), "{v}");
        let v = cases("from=2023-10-23&to=2023-11-30").await;
        assert_eq!(public_value(&v, "ttxh.cases", None), Some(7.0), "{v}");
        let v = cases("from=2023-10-23&to=2023-11-29").await;
        assert_eq!(public_value(&v, "ttxh.cases", None), Some(2.0), "{v}");
        let v = cases("from=2023-10-01&to=2023-12-14&group_by=month").await;
        for (month, want) in [
            ("2023-10-01", 2.0),
            ("2023-11-01", 5.0),
            ("2023-12-01", 1.0),
        ] {
            assert_eq!(
                public_value(&v, "ttxh.cases", Some(month)),
                Some(want),
                "{month}: {v}"
            );
        }
        // The demo published its old days; the correction carries that over, with only
        // the measures it gives.
        let v = cases("from=2024-03-10&to=2024-03-10").await;
        assert_eq!(public_value(&v, "ttxh.cases", None), Some(9.0), "{v}");
        let (_, v) = anon
            .get("/api/v1/stats?unit=CAP-HACTHANH&from=2024-03-10&to=2024-03-10")
            .await;
        assert_eq!(public_value(&v, "ma_tuy.cases", None), None, "{v}");
        // The data-quality notes named are those of the figures counted: the
        // correction carries the demo's note; a period with no figure wholly inside
        // names none; a withdrawn month's note goes with it.
        let notes = |v: &Value| -> Vec<(String, String)> {
            v["quality_notes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|n| {
                            (
                                n["note"].as_str().unwrap_or("").to_string(),
                                n["units"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(
            notes(&v)[0].0.contains("minh hoạ") && notes(&v).len() == 1,
            "{v}"
        );
        let ours = "Số liệu trước khi triển khai báo cáo ngày".to_string();
        let v = cases("from=2023-10-01&to=2023-12-14").await;
        assert_eq!(notes(&v).len(), 1, "{v}");
        assert_eq!(notes(&v)[0].0, ours, "{v}");
        assert!(notes(&v)[0].1.contains("Hạc Thành"), "{v}");
        assert!(notes(&cases("from=2023-11-02&to=2023-11-29").await).is_empty());
        let v = cases("from=2023-10-25&to=2023-11-30").await;
        assert_eq!(notes(&v).len(), 1, "{v}");
        let (st, v) = spokes
            .post(
                "/api/v1/stats/publication",
                &json!({"from": "2023-11-01", "to": "2023-11-30", "unit": "CAP-HACTHANH",
                        "publish": false}),
            )
            .await;
        assert_eq!(
            (st, v["changed"].as_u64()),
            (StatusCode::OK, Some(1)),
            "{v}"
        );
        let v = cases("from=2023-10-25&to=2023-11-30").await;
        assert!(notes(&v).is_empty(), "{v}");
        assert_eq!(public_value(&v, "ttxh.cases", None), None, "{v}");
        let v = cases("from=2023-10-01&to=2023-12-14").await;
        assert_eq!(
            notes(&v),
            vec![(ours.clone(), notes(&v)[0].1.clone())],
            "{v}"
        );
        // Published again under another note: that one is named, the old one not.
        let (st, _) = spokes
            .post(
                "/api/v1/stats/publication",
                &json!({"from": "2023-11-01", "to": "2023-11-30", "unit": "CAP-HACTHANH",
                        "quality_note": "Số liệu tháng đã rà soát"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let v = cases("from=2023-10-25&to=2023-11-30").await;
        assert_eq!(
            notes(&v).iter().map(|n| n.0.as_str()).collect::<Vec<_>>(),
            vec!["Số liệu tháng đã rà soát"],
            "{v}"
        );
    }
}

/// A press officer drafts a bulletin from a report: its body quotes the figures in a
/// table against the same period last year, tied to the versions counted. Nobody outside
/// the staff sees the quote before the bulletin is published; once it is, the public
/// reads it; a later correction leaves the bulletin's numbers alone and the quote's page
/// says a newer version exists. A report with nothing to quote is refused, and only the
/// staff who may draft bulletins may quote.
#[tokio::test]
async fn a_bulletin_drafted_from_a_report_keeps_the_figures_it_quoted() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let officer = s.api(Some(&s.token_for("capx.hacthanh").await));
        let leader = s.api(Some(&s.token_for("giamdoc").await));
        let press = s.api(Some(&s.token_for("tuyentruyen").await));
        let spokes = s.api(Some(&s.token_for("phatngon").await));
        let journalist = s.api(Some(&s.token_for("pv.ttxvn").await));
        let anon = s.api(None);
        let sub = |period: &str, c: u32, n: u32| {
            json!({"unit": "CAP-HACTHANH", "period": period,
                   "values": {"ttxh.cases": c, "ttxh.subjects": n}})
        };
        // Before the demo's figures: two days this June, one day the June before.
        approved(&officer, &leader, sub("2023-06-01", 2, 3)).await;
        approved(&officer, &leader, sub("2023-06-02", 1, 1)).await;
        approved(&officer, &leader, sub("2022-06-03", 2, 2)).await;
        let ask = json!({"from": "2023-06-01", "to": "2023-06-07", "unit": "CAP-HACTHANH", "field": "ttxh"});

        // Only staff who may draft bulletins.
        let (st, _) = anon.post("/api/v1/stats/quotes", &ask).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = journalist.post("/api/v1/stats/quotes", &ask).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Nothing to quote: a 409 that says so.
        let (st, v) = press
            .post(
                "/api/v1/stats/quotes",
                &json!({"from": "2021-01-01", "to": "2021-01-07", "unit": "CAP-HACTHANH"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let title = v["title"].as_str().unwrap_or("");
        assert!(
            title.contains("trích dẫn") || title.contains("to quote"),
            "{v}"
        );

        let (st, q) = press.post("/api/v1/stats/quotes", &ask).await;
        assert_eq!(st, StatusCode::CREATED, "{}: {q}", backend.name());
        let qid = q["id"].as_str().unwrap().to_string();
        let bid = q["bulletin_id"].as_str().unwrap().to_string();
        let line = |v: &Value, m: &str| -> (f64, f64, Option<f64>) {
            let l = v["quoted"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["measure_id"] == m)
                .unwrap_or_else(|| panic!("{m} in {v}"))
                .clone();
            (
                l["now"].as_f64().unwrap(),
                l["last_year"].as_f64().unwrap(),
                l["pct_last_year"].as_f64(),
            )
        };
        assert_eq!(line(&q, "ttxh.cases"), (3.0, 2.0, Some(50.0)));
        assert_eq!(line(&q, "ttxh.subjects"), (4.0, 2.0, Some(100.0)));
        assert!(
            q["quoted"]["narrative"][0]
                .as_str()
                .unwrap_or("")
                .contains("3 vụ, 4 đối tượng"),
            "{q}"
        );

        // The draft: the figures in a table, the link to the quote, filed under its field.
        let (st, item) = press.get(&format!("/api/v1/desk/bulletins/{bid}")).await;
        assert_eq!(st, StatusCode::OK, "{item}");
        let b = &item["bulletin"];
        let body = b["body_html"].as_str().unwrap_or_default().to_string();
        assert!(
            body.contains("<td>3</td><td>2</td><td>+1 (50%)</td>")
                && body.contains(&format!("/so-lieu/trich-dan/{qid}")),
            "{body}"
        );
        assert_eq!(
            (b["state"].as_str(), b["category"].as_str()),
            (Some("draft"), Some("trat_tu_xa_hoi")),
            "{b}"
        );

        // Before publication the quote is the staff's only.
        let page = format!("/so-lieu/trich-dan/{qid}");
        let api = format!("/api/v1/stats/quotes/{qid}");
        assert_eq!(anon.get_text(&page).await.0, StatusCode::NOT_FOUND);
        assert_eq!(anon.get(&api).await.0, StatusCode::NOT_FOUND);
        assert_eq!(journalist.get(&api).await.0, StatusCode::NOT_FOUND);
        let (st, v) = press.get(&api).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            (
                v["sources"][0]["versions"].as_i64(),
                v["superseded"].as_i64()
            ),
            (Some(3), Some(0)),
            "{v}"
        );

        // Four eyes, then the public reads the bulletin and the quote.
        for (who, step) in [
            (&press, "submit"),
            (&spokes, "approve"),
            (&press, "publish"),
        ] {
            let (st, v) = who
                .post(&format!("/api/v1/bulletins/{bid}/{step}"), &json!({}))
                .await;
            assert_eq!(st, StatusCode::OK, "{step}: {v}");
        }
        let (st, html) = anon.get_text(&format!("/tin/{bid}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            html.contains("<td>3</td><td>2</td><td>+1 (50%)</td>"),
            "{html}"
        );
        let (st, html) = anon.get_text(&page).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            html.contains("+1 (50%)")
                && html.contains("03/06/2022 – 02/06/2023")
                && !html.contains("điều chỉnh bằng phiên bản mới"),
            "{html}"
        );

        // A correction of a quoted day: the bulletin keeps its numbers, the quote says so.
        let mut fix = sub("2023-06-01", 5, 6);
        fix["reason"] = json!("Bổ sung vụ việc phát hiện muộn");
        approved(&officer, &leader, fix).await;
        let (_, html) = anon.get_text(&format!("/tin/{bid}")).await;
        assert!(html.contains("<td>3</td><td>2</td>"), "{html}");
        let (_, v) = anon.get(&api).await;
        assert_eq!(v["superseded"].as_i64(), Some(1), "{v}");
        assert_eq!(line(&v, "ttxh.cases").0, 3.0, "{v}");
        let (_, html) = anon.get_text(&page).await;
        assert!(html.contains("điều chỉnh bằng phiên bản mới"), "{html}");
        // …while a new quote counts the correction.
        let (_, q2) = press.post("/api/v1/stats/quotes", &ask).await;
        assert_eq!(line(&q2, "ttxh.cases"), (6.0, 2.0, Some(200.0)), "{q2}");
    }
}
