//! The scam check's part of the demo province: the default rules with the scam
//! patterns linked to the province's scam warnings; indicators from the cases behind
//! those warnings (verified and published by the press office, one only reported);
//! a report from the public waiting in the queue; and the real Chống Lừa Đảo list of 34,369 scam hosts imported as published
//! (`data/chongluadao-hosts.txt`, BSD-3-Clause, see `data/chongluadao-LICENSE.txt`).

use super::model::Status;
use super::store::{self, IndicatorInput};
use crate::args;
use crate::platform::audit::Origin;
use crate::platform::config::Config;
use crate::platform::db::Db;

/// The Chống Lừa Đảo host list.
pub const CHONGLUADAO: &str = include_str!("../../data/chongluadao-hosts.txt");

/// Demo indicators: value, kind hint, status, the pattern whose warning they serve,
/// evidence.
const DEMO: &[(&str, &str, Status, &str, &str)] = &[
    ("0912 345 678", "phone", Status::Published, "fake_bank", "Số gọi giả danh nhân viên Vietcombank trong vụ việc tháng 11; 12 người dân trình báo."),
    ("0386 123 456", "phone", Status::Published, "fake_bank", "Số ghi trong tin nhắn giả Vietcombank \"cập nhật sinh trắc học\"; trước năm 2018 là 01686 123 456."),
    ("Vietcombank 0451000387261", "bank_account", Status::Published, "impersonate_police", "Tài khoản nhận tiền \"tạm giữ\" trong vụ giả danh công an quận; đã phong toả."),
    ("vcb-xacthuc.top", "link", Status::Published, "fake_bank", "Trang giả đăng nhập Vietcombank, thu mật khẩu và OTP."),
    ("vietcombank-secure.top", "link", Status::Verified, "fake_bank", "Trang giả xác minh tài khoản."),
    ("vneid-dinhdanh.top", "link", Status::Published, "impersonate_police", "Phát tán tệp app.apk giả ứng dụng VNeID."),
    ("0886 412 975", "phone", Status::Verified, "impersonate_police", "Số \"điều tra viên\" trong tin nhắn giấy triệu tập giả."),
    ("telegram:@shopee_ctv_hotro", "social", Status::Published, "job_task", "Nhóm Telegram tuyển cộng tác viên làm nhiệm vụ."),
    ("ACB 9704229918345", "bank_account", Status::Verified, "job_task", "Tài khoản nhận tiền nạp nhiệm vụ."),
    ("0707 915 362", "phone", Status::Reported, "", ""),
];

/// Adds the scam check's demo data.
pub async fn load(db: &Db, _config: &Config) -> anyhow::Result<()> {
    let e = |e: crate::platform::errors::AppError| match e {
        crate::platform::errors::AppError::Invalid(v) => {
            anyhow::anyhow!("scam check demo: invalid {v:?}")
        }
        e => anyhow::anyhow!("scam check demo: {e}"),
    };
    super::defaults::seed(db).await?;
    let o = Origin::system("demo");
    let officer = crate::accounts::store::user_by_username(db, "tuyentruyen")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo account tuyentruyen missing"))?;
    let warning_of = |headline: &'static str| async move {
        Ok::<_, anyhow::Error>(
            db.fetch_optional(
                "SELECT id FROM warnings WHERE headline = $1 ORDER BY created_at LIMIT 1",
                args![headline],
            )
            .await?
            .and_then(|r| r.str("id").ok()),
        )
    };
    for (pattern, headline) in super::defaults::PATTERN_WARNINGS {
        if let Some(id) = warning_of(headline).await? {
            db.execute(
                "UPDATE scam_patterns SET warning_id = $1 WHERE id = $2",
                args![id, *pattern],
            )
            .await?;
        }
    }
    for (value, kind, status, pattern, evidence) in DEMO {
        let warning = match super::defaults::PATTERN_WARNINGS
            .iter()
            .find(|(p, _)| p == pattern)
        {
            Some((_, h)) => warning_of(h).await?,
            None => None,
        };
        let input = IndicatorInput {
            value: (*value).into(),
            kind: (*kind).into(),
            status: status.as_str().into(),
            evidence: (*evidence).into(),
            warning_ids: warning.unwrap_or_default(),
            incident: String::new(),
        };
        store::create(db, &o, &officer, &input).await.map_err(e)?;
    }
    let banks = store::banks(db).await?;
    // A report from the public, waiting in the queue.
    let ch = super::report::challenge(db).await.map_err(e)?;
    let nonce = super::report::solve(&ch.challenge, ch.difficulty);
    let input = super::report::ReportInput {
        indicators: "0707 915 362\nZalo 0707915362".into(),
        story: "Tôi thấy tin tuyển cộng tác viên làm đơn hàng online trên Facebook, liên hệ qua Zalo số này. Họ bảo chuyển tiền mua hàng trước rồi hoàn gốc kèm hoa hồng; tôi chuyển 2 lần thì họ chặn liên lạc.".into(),
        happened_on: crate::platform::clock::iso(crate::platform::clock::now_ms() - 3 * 86_400_000)
            .chars()
            .take(10)
            .collect(),
        amount_lost: "4.500.000".into(),
        channel: "zalo".into(),
        place: "Phường Đông Hương, TP Thanh Hoá".into(),
        reporter_contact: "0912 000 111".into(),
        pow_challenge: ch.challenge,
        pow_nonce: nonce.to_string(),
        ..Default::default()
    };
    super::report::submit((db, None), &o, "203.0.113.50", &banks, &input, Vec::new())
        .await
        .map_err(e)?;
    let rows: Vec<_> = CHONGLUADAO
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(keng_indicators::value::of_listed_link)
        // The list names a few whole platforms (www.facebook.com, zalo.me…): left out.
        .filter(keng_indicators::value::listable)
        .map(|r| (r, Status::Published))
        .collect();
    store::import(db, &o, &rows, "import:chongluadao")
        .await
        .map_err(e)?;
    Ok(())
}
