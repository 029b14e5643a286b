//! The accounts' part of the demo province: a provincial police department modelled on
//! the seed report — its departments and commune police, the press agencies that took
//! part in the 2024 review, one account per role and journalists in each state. Officers'
//! names are invented. The accounts are printed once, when loaded.

use super::model::Status;
use super::store::{self, AgencyInput, NewUser, UnitInput};
use crate::demo::DEMO_PASSWORD;
use crate::platform::audit::Origin;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::permissions::Role;

const DEPARTMENTS: &[(&str, &str)] = &[
    ("PX01", "Phòng Tham mưu (Đội Tuyên truyền)"),
    (
        "PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
    ),
    ("PC01", "Phòng Cảnh sát điều tra tội phạm về trật tự xã hội"),
    (
        "PC03",
        "Phòng Cảnh sát điều tra tội phạm về kinh tế và chức vụ",
    ),
    ("PC04", "Phòng Cảnh sát điều tra tội phạm về ma tuý"),
    (
        "PC06",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    ),
    (
        "PC07",
        "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    ),
    ("PC08", "Phòng Cảnh sát giao thông"),
    (
        "PC10",
        "Phòng Cảnh sát quản lý trại tạm giữ, tạm giam và thi hành án hình sự",
    ),
];

const COMMUNES: &[(&str, &str)] = &[
    ("CAP-HACTHANH", "Công an phường Hạc Thành"),
    ("CAP-HAMRONG", "Công an phường Hàm Rồng"),
    ("CAP-NGUYETVIEN", "Công an phường Nguyệt Viên"),
    ("CAP-SAMSON", "Công an phường Sầm Sơn"),
    ("CAP-NAMSAMSON", "Công an phường Nam Sầm Sơn"),
    ("CAP-BIMSON", "Công an phường Bỉm Sơn"),
    ("CAP-NGHISON", "Công an phường Nghi Sơn"),
    ("CAX-HOANGHOA", "Công an xã Hoằng Hoá"),
    ("CAX-QUANGXUONG", "Công an xã Quảng Xương"),
    ("CAX-THOXUAN", "Công an xã Thọ Xuân"),
    ("CAX-NGOCLAC", "Công an xã Ngọc Lặc"),
    ("CAX-MUONGLAT", "Công an xã Mường Lát"),
    ("CAX-HAULOC", "Công an xã Hậu Lộc"),
];

/// (code, name, kind, medium, website)
const AGENCIES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "BTH",
        "Báo Thanh Hoá",
        "local",
        "print",
        "https://baothanhhoa.example.vn",
    ),
    (
        "PTTH-TH",
        "Đài Phát thanh và Truyền hình Thanh Hoá",
        "local",
        "tv",
        "https://truyenhinhthanhhoa.example.vn",
    ),
    (
        "TTXVN-TH",
        "Thông tấn xã Việt Nam — Cơ quan thường trú tại Thanh Hoá",
        "central",
        "news_agency",
        "https://ttxvn.example.vn",
    ),
    (
        "ND-TH",
        "Báo Nhân Dân — Văn phòng đại diện tại Thanh Hoá",
        "central",
        "print",
        "https://nhandan.example.vn",
    ),
    (
        "VTV-BTB",
        "Đài Truyền hình Việt Nam — Cơ quan thường trú khu vực Bắc Trung Bộ",
        "central",
        "tv",
        "https://vtv.example.vn",
    ),
    (
        "VOV-BTB",
        "Đài Tiếng nói Việt Nam — Cơ quan thường trú khu vực Bắc Trung Bộ",
        "central",
        "radio",
        "https://vov.example.vn",
    ),
    (
        "CAND-TH",
        "Báo Công an nhân dân — Phóng viên thường trú tại Thanh Hoá",
        "central",
        "print",
        "https://cand.example.vn",
    ),
    (
        "VNE-TH",
        "Báo điện tử VnExpress — Văn phòng Bắc Trung Bộ",
        "central",
        "online",
        "https://vnexpress.example.vn",
    ),
];

fn user(username: &str, name: &str, title: Option<&str>, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: name.into(),
        email: Some(format!("{}@demo.keng.example", username.replace('.', "-"))),
        phone: None,
        title: title.map(str::to_string),
        role,
        unit_id: None,
        agency_id: None,
        is_editor: false,
        press_card_no: None,
        password: DEMO_PASSWORD.into(),
    }
}

/// Loads the province's units, agencies and accounts.
pub async fn load(db: &Db, _config: &Config) -> anyhow::Result<()> {
    let o = Origin::system("demo");
    let e = |e: crate::platform::errors::AppError| anyhow::anyhow!("demo: {e}");
    let unit = |code: &str, name: &str, kind: &str, parent: Option<String>| UnitInput {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        parent_id: parent,
        address: None,
        phone: None,
    };
    let root = store::create_unit(
        db,
        &o,
        &unit("CAT-TH", "Công an tỉnh Thanh Hoá", "province", None),
    )
    .await
    .map_err(e)?;
    let mut unit_ids = std::collections::HashMap::new();
    for (code, name) in DEPARTMENTS {
        let u = store::create_unit(
            db,
            &o,
            &unit(code, name, "department", Some(root.id.clone())),
        )
        .await
        .map_err(e)?;
        unit_ids.insert(*code, u.id);
    }
    for (code, name) in COMMUNES {
        let u = store::create_unit(db, &o, &unit(code, name, "commune", Some(root.id.clone())))
            .await
            .map_err(e)?;
        unit_ids.insert(*code, u.id);
    }
    let mut agency_ids = std::collections::HashMap::new();
    for (code, name, kind, medium, site) in AGENCIES {
        let a = store::create_agency(
            db,
            &o,
            &AgencyInput {
                code: (*code).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                medium: (*medium).into(),
                contact_name: Some("Ban Thư ký toà soạn".into()),
                contact_email: Some(format!(
                    "toasoan-{}@demo.keng.example",
                    code.to_ascii_lowercase()
                )),
                contact_phone: None,
                website_url: Some((*site).into()),
                feed_url: None,
            },
        )
        .await
        .map_err(e)?;
        agency_ids.insert(*code, a.id);
    }

    let mut accounts: Vec<(NewUser, Status)> = vec![
        (
            user(
                "quantri",
                "Quản trị hệ thống",
                Some("Đại uý, Phòng Tham mưu"),
                Role::Admin,
            ),
            Status::Active,
        ),
        (
            user(
                "giamdoc",
                "Lê Văn Minh",
                Some("Đại tá, Giám đốc Công an tỉnh"),
                Role::Leader,
            ),
            Status::Active,
        ),
        (
            user(
                "phatngon",
                "Trần Quốc Hùng",
                Some("Đại tá, Phó Giám đốc — Người phát ngôn"),
                Role::Spokesperson,
            ),
            Status::Active,
        ),
        (
            user(
                "tuyentruyen",
                "Nguyễn Thị Lan",
                Some("Thiếu tá, Đội trưởng Đội Tuyên truyền"),
                Role::PressOfficer,
            ),
            Status::Active,
        ),
    ];
    let mut officer = user(
        "capx.hacthanh",
        "Phạm Đức Long",
        Some("Trung tá, Trưởng Công an phường Hạc Thành"),
        Role::UnitOfficer,
    );
    officer.unit_id = unit_ids.get("CAP-HACTHANH").cloned();
    accounts.push((officer, Status::Active));
    let mut drugs = user(
        "pc04.canbo",
        "Hoàng Minh Tuấn",
        Some("Thiếu tá, Phòng Cảnh sát điều tra tội phạm về ma tuý"),
        Role::UnitOfficer,
    );
    drugs.unit_id = unit_ids.get("PC04").cloned();
    accounts.push((drugs, Status::Active));
    for (username, name, agency, card, editor, status) in [
        (
            "pv.baothanhhoa",
            "Lê Thu Hà",
            "BTH",
            "TH-0217",
            false,
            Status::Active,
        ),
        (
            "btv.ptth",
            "Đỗ Quang Vinh",
            "PTTH-TH",
            "TH-0342",
            true,
            Status::Active,
        ),
        (
            "pv.ttxvn",
            "Ngô Thanh Bình",
            "TTXVN-TH",
            "TW-10458",
            false,
            Status::Active,
        ),
        (
            "pv.vnexpress",
            "Vũ Hoàng Nam",
            "VNE-TH",
            "TW-11873",
            false,
            Status::Pending,
        ),
        (
            "pv.cand",
            "Bùi Thị Mai",
            "CAND-TH",
            "TW-09921",
            false,
            Status::Pending,
        ),
    ] {
        let mut j = user(username, name, None, Role::Journalist);
        j.agency_id = agency_ids.get(agency).cloned();
        j.press_card_no = Some(card.into());
        j.is_editor = editor;
        accounts.push((j, status));
    }
    let mut created = Vec::new();
    for (input, status) in &accounts {
        // Pending journalists register themselves; the others are created active.
        let u = store::create_user(db, &o, input, *status)
            .await
            .map_err(e)?;
        created.push(u);
    }
    println!("Kẻng demo: tỉnh Thanh Hoá — tài khoản demo / demo accounts (mật khẩu / password: {DEMO_PASSWORD})");
    for u in &created {
        println!(
            "  {:<16} {:<14} {:<8} {}",
            u.username,
            u.role.as_str(),
            u.status.as_str(),
            u.display_name
        );
    }
    Ok(())
}
