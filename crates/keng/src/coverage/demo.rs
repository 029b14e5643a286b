//! The press monitor's part of the demo province. The demo serves six press agencies'
//! sites itself, on loopback (`/demo-press/{code}/rss.xml` and an article page per
//! story): each agency carries a share of the public bulletins, after its own usual
//! delay, some with a link back and some as a rewrite, under its reporters' bylines —
//! decided by a seeded hash, so the same demo always tells the same story. The demo
//! registers those feeds and the real monitor reads them (politely, as any site), so
//! coverage, the review queue and the metrics fill in within a couple of minutes of
//! the start; a bulletin published during the demo is picked up minutes later. Stories
//! on television, radio and in print are recorded by hand, as the press office would;
//! the 2024 commendations are in the seed's shape (14 collectives, 19 individuals;
//! invented names), and three agencies answered the 2025 survey.
//!
//! The sites answer only while their feed is registered (a database without the demo
//! has none), and only with bulletins the public can read.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::awards::{self, AwardInput};
use super::store::{self, FeedInput, ManualInput};
use crate::args;
use crate::newsroom::model::Bulletin;
use crate::newsroom::sanitize::plain;
use crate::newsroom::store::{list, ListFilter};
use crate::newsroom::visibility::Viewer;
use crate::platform::audit::Origin;
use crate::platform::clock::{input_datetime, now_ms};
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::state::AppState;

/// How an agency covers the police: (code, share of bulletins carried, median delay in
/// minutes, share with a link back, medium of its stories off the web, bylines).
struct Profile {
    code: &'static str,
    share: f64,
    delay_minutes: f64,
    link_back: f64,
    offline: Option<(&'static str, &'static str, f64)>,
    bylines: &'static [&'static str],
}

const PROFILES: [Profile; 6] = [
    Profile {
        code: "BTH",
        share: 0.9,
        delay_minutes: 75.0,
        link_back: 0.5,
        offline: Some(("print", "Báo Thanh Hoá số ra ngày hôm sau, trang 3", 0.0)),
        bylines: &["Lê Thu Hà", "Trần Minh Đức", "Phạm Thị Lan"],
    },
    Profile {
        code: "PTTH-TH",
        share: 0.75,
        delay_minutes: 180.0,
        link_back: 0.2,
        offline: Some(("tv", "Thời sự 19h", 3.0)),
        bylines: &["Đỗ Quang Vinh", "Nguyễn Thị Hồng"],
    },
    Profile {
        code: "TTXVN-TH",
        share: 0.6,
        delay_minutes: 110.0,
        link_back: 0.1,
        offline: None,
        bylines: &["Ngô Thanh Bình", "Hoàng Văn Tùng"],
    },
    Profile {
        code: "ND-TH",
        share: 0.35,
        delay_minutes: 420.0,
        link_back: 0.0,
        offline: Some(("print", "Báo Nhân Dân, trang Tin tức – Sự kiện", 0.0)),
        bylines: &["Vũ Thị Mai"],
    },
    Profile {
        code: "VTV-BTB",
        share: 0.25,
        delay_minutes: 300.0,
        link_back: 0.0,
        offline: Some(("tv", "Chương trình Thời sự VTV1", 2.0)),
        bylines: &["Lương Văn Sơn"],
    },
    Profile {
        code: "VOV-BTB",
        share: 0.3,
        delay_minutes: 240.0,
        link_back: 0.0,
        offline: Some(("radio", "Bản tin Thời sự VOV1 17h", 2.5)),
        bylines: &["Trịnh Thu Trang"],
    },
];

/// A number in [0, 1) from `parts` (FNV-1a, then mixed): the same every run.
fn unit(parts: &[&str]) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// What an agency did with a bulletin, if it carried it.
struct Story {
    /// Minutes after the public release.
    delay_minutes: f64,
    link_back: bool,
    byline: &'static str,
    /// Also in print, on TV or radio.
    offline: bool,
    /// A short brief (the headline and the summary) rather than a full rewrite: the
    /// monitor may not be sure of it, and a person decides.
    brief: bool,
}

fn story(p: &Profile, bulletin_id: &str) -> Option<Story> {
    if unit(&[p.code, bulletin_id, "carried"]) >= p.share {
        return None;
    }
    // Around the agency's usual delay: from a third of it to three times it.
    let spread = 3f64.powf(2.0 * unit(&[p.code, bulletin_id, "delay"]) - 1.0);
    let pick = (unit(&[p.code, bulletin_id, "byline"]) * p.bylines.len() as f64) as usize;
    Some(Story {
        delay_minutes: p.delay_minutes * spread,
        link_back: unit(&[p.code, bulletin_id, "link"]) < p.link_back,
        byline: p.bylines[pick.min(p.bylines.len() - 1)],
        offline: p.offline.is_some() && unit(&[p.code, bulletin_id, "offline"]) < 0.6,
        brief: p.link_back < 0.3 && unit(&[p.code, bulletin_id, "brief"]) < 0.3,
    })
}

fn feed_url(base: &str, code: &str) -> String {
    format!("{base}/demo-press/{code}/rss.xml")
}

/// The public bulletins the demo's press may carry (the last 500).
async fn public_bulletins(db: &Db) -> AppResult<Vec<Bulletin>> {
    list(
        db,
        Viewer::Public,
        &ListFilter {
            limit: 500,
            ..Default::default()
        },
        false,
    )
    .await
}

fn released(b: &Bulletin) -> Option<i64> {
    b.released_at.or(b.published_at)
}

/// Loads the demo's press: feeds, stories by hand, commendations, survey.
pub async fn load(db: &Db, config: &Config) -> anyhow::Result<()> {
    let e = |e: AppError| anyhow::anyhow!("coverage demo: {e}");
    let o = Origin::system("demo");
    let agencies = crate::accounts::store::list_agencies(db).await?;
    let id_of = |code: &str| {
        agencies
            .iter()
            .find(|a| a.code == code)
            .map(|a| (a.id.clone(), a.name.clone()))
    };
    let base = config.base_url_for(None);
    let feeds_on = super::settings::of(config).demo_feeds && !base.ends_with(":0");
    let loopback: Vec<_> = ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|c| crate::platform::webhooks::Cidr::parse(c))
        .collect();
    let bulletins = public_bulletins(db).await.map_err(e)?;
    let now = now_ms();
    for p in &PROFILES {
        let Some((agency_id, _)) = id_of(p.code) else {
            continue;
        };
        if feeds_on {
            store::add_feed(
                db,
                &o,
                &loopback,
                &FeedInput {
                    agency_id: agency_id.clone(),
                    url: feed_url(&base, p.code),
                    kind: None,
                },
            )
            .await
            .map_err(e)?;
        }
        // What appeared off the web, recorded by the press office.
        let Some((medium, programme, minutes)) = p.offline else {
            continue;
        };
        for b in &bulletins {
            let (Some(s), Some(at)) = (story(p, &b.id), released(b)) else {
                continue;
            };
            let when = at + ((s.delay_minutes + 600.0) * 60_000.0) as i64;
            if !s.offline || when > now {
                continue;
            }
            store::add_manual(
                db,
                &o,
                &ManualInput {
                    bulletin_id: b.id.clone(),
                    agency_id: agency_id.clone(),
                    medium: medium.into(),
                    title: b.title.clone(),
                    published_at: input_datetime(when),
                    url: None,
                    programme: Some(programme.into()),
                    duration_minutes: (minutes > 0.0).then_some(minutes),
                    journalist: Some(s.byline.into()),
                },
            )
            .await
            .map_err(e)?;
        }
    }
    commendations(db, &o, &agencies).await.map_err(e)?;
    survey(db, &agencies).await.map_err(e)?;
    Ok(())
}

/// The 2024 commendations: 14 collectives (the agencies that carried most, and police
/// units) and 19 individuals (reporters and officers), with decisions of January 2025.
async fn commendations(
    db: &Db,
    o: &Origin,
    agencies: &[crate::accounts::model::Agency],
) -> AppResult<()> {
    let units = crate::accounts::store::list_units(db).await?;
    let reason = "Có thành tích xuất sắc trong công tác phối hợp thông tin, tuyên truyền về bảo đảm an ninh, trật tự năm 2024";
    let mut n = 0;
    let decision = |i: &mut i32| {
        *i += 1;
        format!("{}/QĐ-CAT-PV01", 150 + *i)
    };
    let mut i = 0;
    let base = AwardInput {
        year: 2024,
        type_id: awards::SUGGESTED_TYPE.into(),
        decision_date: "2025-01-15".into(),
        reason: reason.into(),
        ..Default::default()
    };
    for a in agencies.iter().take(8) {
        awards::record(
            db,
            o,
            &AwardInput {
                recipient_kind: "agency".into(),
                agency_id: Some(a.id.clone()),
                decision_no: decision(&mut i),
                ..base.clone()
            },
        )
        .await?;
        n += 1;
    }
    for u in units.iter().filter(|u| u.parent_id.is_some()).take(14 - n) {
        awards::record(
            db,
            o,
            &AwardInput {
                recipient_kind: "unit".into(),
                unit_id: Some(u.id.clone()),
                decision_no: decision(&mut i),
                reason: "Làm tốt công tác cung cấp thông tin ban đầu cho báo chí về các vụ việc trên địa bàn năm 2024".into(),
                ..base.clone()
            },
        )
        .await?;
    }
    const PEOPLE: [(&str, &str, Option<&str>); 19] = [
        ("Lê Thu Hà", "Phóng viên", Some("BTH")),
        ("Trần Minh Đức", "Phóng viên", Some("BTH")),
        ("Phạm Thị Lan", "Biên tập viên", Some("BTH")),
        ("Đỗ Quang Vinh", "Biên tập viên", Some("PTTH-TH")),
        ("Nguyễn Thị Hồng", "Phóng viên", Some("PTTH-TH")),
        ("Cao Văn Lực", "Quay phim", Some("PTTH-TH")),
        ("Ngô Thanh Bình", "Phóng viên", Some("TTXVN-TH")),
        ("Hoàng Văn Tùng", "Phóng viên", Some("TTXVN-TH")),
        ("Vũ Thị Mai", "Phóng viên", Some("ND-TH")),
        ("Lương Văn Sơn", "Phóng viên", Some("VTV-BTB")),
        ("Trịnh Thu Trang", "Phóng viên", Some("VOV-BTB")),
        ("Mai Đức Thắng", "Phóng viên", Some("CAND-TH")),
        ("Thiếu tá Lê Văn Nam", "Phòng Tham mưu", None),
        ("Đại uý Nguyễn Thị Thu", "Phòng Tham mưu", None),
        ("Trung tá Phạm Quốc Khánh", "Phòng Cảnh sát hình sự", None),
        ("Thiếu tá Đào Minh Tuấn", "Phòng Cảnh sát giao thông", None),
        ("Đại uý Hà Thị Ngọc", "Công an huyện Hoằng Hoá", None),
        (
            "Thượng uý Bùi Văn Hưng",
            "Công an thành phố Thanh Hoá",
            None,
        ),
        (
            "Trung tá Lý Thanh Tâm",
            "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
            None,
        ),
    ];
    for (name, role, agency) in PEOPLE {
        let agency = agency.and_then(|c| agencies.iter().find(|a| a.code == c));
        let detail = match agency {
            Some(a) => format!("{role}, {}", a.name),
            None => role.to_string(),
        };
        awards::record(
            db,
            o,
            &AwardInput {
                recipient_kind: if agency.is_some() {
                    "journalist"
                } else {
                    "officer"
                }
                .into(),
                agency_id: agency.map(|a| a.id.clone()),
                recipient_name: Some(name.into()),
                recipient_detail: Some(detail),
                decision_no: decision(&mut i),
                ..base.clone()
            },
        )
        .await?;
    }
    Ok(())
}

/// The 2025 survey: answered by the three agencies with an active account.
async fn survey(db: &Db, agencies: &[crate::accounts::model::Agency]) -> AppResult<()> {
    let answers = [
        ("BTH", "pv.baothanhhoa", 4, 5, 3, "Đề nghị tổ chức họp báo định kỳ hằng quý và cung cấp thông tin ban đầu sớm hơn về các vụ việc nghiêm trọng."),
        ("PTTH-TH", "btv.ptth", 5, 4, 4, "Người phát ngôn trả lời nhanh; mong được hỗ trợ ghi hình tại công an cấp xã thuận lợi hơn."),
        ("TTXVN-TH", "pv.ttxvn", 4, 4, 3, "Cổng thông tin giúp nhận thông cáo kịp thời; đề nghị gửi kèm ảnh độ phân giải cao."),
    ];
    for (code, username, t, u, a, comment) in answers {
        let (Some(agency), Some(user)) = (
            agencies.iter().find(|x| x.code == code),
            crate::accounts::store::user_by_username(db, username).await?,
        ) else {
            continue;
        };
        db.execute(
            "INSERT INTO press_surveys (id, year, agency_id, timeliness, usefulness, access, comment, answered_by, answered_at)
             VALUES ($1, 2025, $2, $3, $4, $5, $6, $7, $8)",
            args![crate::platform::ids::new_id(), &agency.id, t, u, a, comment, &user.id,
                  crate::platform::clock::parse_local_date("2026-01-10").unwrap_or(0)],
        )
        .await?;
    }
    Ok(())
}

/// Is `code`'s demo site on (its feed registered)?
async fn site_on(app: &AppState, code: &str) -> AppResult<bool> {
    let url = feed_url(&app.config.base_url_for(None), code);
    Ok(app
        .db
        .fetch_optional("SELECT id FROM press_feeds WHERE url = $1", args![&url])
        .await?
        .is_some())
}

fn profile(code: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.code == code)
}

fn escape(s: &str) -> String {
    keng_charts::escape(s)
}

/// `GET /demo-press/{code}/{file}`: the agency's RSS feed or one of its articles.
pub async fn site(
    State(app): State<AppState>,
    Path((code, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some(p) = profile(&code) else {
        return Err(AppError::NotFound);
    };
    if !site_on(&app, p.code).await? {
        return Err(AppError::NotFound);
    }
    let base = app.config.base_url_for(None);
    let now = now_ms();
    let bulletins = public_bulletins(&app.db).await?;
    // A story appears once its delay has passed (a bulletin published during the demo
    // is carried minutes later, the agency's delay scaled down).
    let carried = |b: &Bulletin| -> Option<(Story, i64)> {
        let s = story(p, &b.id)?;
        let at = released(b)?;
        let recent = now - at < 86_400_000;
        let minutes = if recent {
            s.delay_minutes / 30.0
        } else {
            s.delay_minutes
        };
        let when = at + (minutes * 60_000.0) as i64;
        (when <= now).then_some((s, when))
    };
    if file == "rss.xml" {
        let mut items = String::new();
        for b in &bulletins {
            let Some((s, when)) = carried(b) else {
                continue;
            };
            let when = chrono::DateTime::from_timestamp_millis(when)
                .map(|t| t.to_rfc2822())
                .unwrap_or_default();
            items.push_str(&format!(
                "<item><title>{}</title><link>{base}/demo-press/{}/{}.html</link><guid>{base}/demo-press/{}/{}.html</guid><description>{}</description><pubDate>{when}</pubDate><author>{}</author></item>",
                escape(&b.title), p.code, b.id, p.code, b.id, escape(&b.summary), escape(s.byline)
            ));
        }
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>{}</title><link>{base}/demo-press/{}/</link><description>Trang tin mô phỏng của bản demo</description>{items}</channel></rss>",
            escape(p.code), p.code
        );
        return Ok((
            [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
            body,
        )
            .into_response());
    }
    let id = file.strip_suffix(".html").ok_or(AppError::NotFound)?;
    let b = bulletins
        .iter()
        .find(|b| b.id == id)
        .ok_or(AppError::NotFound)?;
    let (s, _) = carried(b).ok_or(AppError::NotFound)?;
    // A rewrite: the agency's own opening, the bulletin's text, sometimes the source.
    let text = if s.brief && !s.link_back {
        "Lực lượng chức năng đang tiếp tục làm rõ.".to_string()
    } else {
        plain(&b.body_html)
    };
    let link = if s.link_back {
        format!(
            "<p>Nguồn: <a href=\"{base}/tin/{}\">Cổng thông tin Công an tỉnh</a></p>",
            b.id
        )
    } else {
        String::new()
    };
    let html = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"author\" content=\"{by}\"><title>{t}</title></head>\
         <body><header><nav><a href=\"/\">Trang chủ</a> · Pháp luật</nav></header><article><h1>{t}</h1>\
         <p><strong>{sum}</strong></p><p>Theo thông tin từ Công an tỉnh, {body}</p>{link}<p>{by}</p></article>\
         <footer>Trang mô phỏng của bản demo Kẻng.</footer></body></html>",
        by = escape(s.byline),
        t = escape(&b.title),
        sum = escape(&b.summary),
        body = escape(&text),
    );
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_press_is_the_same_every_run_and_near_its_profile() {
        assert_eq!(unit(&["a", "b"]), unit(&["a", "b"]));
        assert_ne!(unit(&["ab", ""]), unit(&["a", "b"]));
        let ids: Vec<String> = (0..2000).map(|i| format!("bulletin-{i}")).collect();
        for p in &PROFILES {
            let carried = ids.iter().filter_map(|id| story(p, id)).count() as f64;
            assert!(
                (carried / 2000.0 - p.share).abs() < 0.05,
                "{}: {carried}",
                p.code
            );
        }
    }
}
