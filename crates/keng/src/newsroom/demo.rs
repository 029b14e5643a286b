//! The newsroom's part of the demo province: a year of incidents and bulletins taken
//! through the real workflow (drafted by the press officer, approved by the
//! spokesperson, published) and dated back in time, plus one embargoed, one withdrawn,
//! one awaiting approval and one open 24-hour clock. Reads the demo accounts (the
//! accounts capability loads them first).

use crate::args;
use crate::platform::audit::Origin;
use crate::platform::config::Config;
use crate::platform::db::Db;

/// (days ago, kind, category, audience, title, summary, body, incident index)
type DemoBulletin = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
);

const DEMO_INCIDENTS: &[(i64, &str, &str, bool)] = &[
    (
        2,
        "Cháy kho hàng tại phường Nguyệt Viên",
        "Phường Nguyệt Viên",
        true,
    ),
    (
        291,
        "Triệt phá đường dây lừa đảo giả danh cơ quan công an qua điện thoại",
        "Phường Hạc Thành",
        true,
    ),
    (
        0,
        "Tai nạn giao thông liên hoàn trên cao tốc Bắc – Nam đoạn qua xã Quảng Xương",
        "Xã Quảng Xương",
        true,
    ),
];

const DEMO_BULLETINS: &[DemoBulletin] = &[
    (330, "press_release", "hoat_dong_luc_luong", "public", "Công an tỉnh tổng kết công tác phối hợp tuyên truyền năm 2024",
     "Công an tỉnh tổ chức hội nghị tổng kết công tác phối hợp tuyên truyền với các cơ quan báo chí và mở đợt cao điểm tuyên truyền bảo đảm an ninh trật tự dịp Tết Nguyên đán Ất Tỵ 2025.",
     "Chiều 13/1, Công an tỉnh tổ chức hội nghị tổng kết công tác phối hợp tuyên truyền năm 2024 với đại diện lãnh đạo và phóng viên các cơ quan báo chí Trung ương và địa phương.\n\nTại hội nghị, các phóng viên đề xuất tiếp tục tăng cường cung cấp thông tin ban đầu về các vấn đề mới, nóng và tạo thuận lợi cho phóng viên tác nghiệp tại công an cơ sở.\n\n14 tập thể, 19 cá nhân có thành tích xuất sắc trong công tác phối hợp tuyên truyền được nhận Giấy khen của Giám đốc Công an tỉnh.", None),
    (320, "press_release", "trat_tu_xa_hoi", "public", "Kết quả tháng cao điểm tấn công trấn áp tội phạm trước Tết Nguyên đán Ất Tỵ 2025",
     "Trong tháng cao điểm, Công an tỉnh phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng phạm tội và vi phạm pháp luật về trật tự xã hội.",
     "Trong tháng thực hiện cao điểm tấn công trấn áp tội phạm, bảo đảm an ninh trật tự Tết Nguyên đán Ất Tỵ 2025, Công an tỉnh đã:\n\n- phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng phạm tội và vi phạm pháp luật về trật tự xã hội;\n- điều tra, làm rõ 17 vụ, 23 đối tượng trộm cắp tài sản;\n- phát hiện, bắt giữ 35 vụ, 84 đối tượng liên quan đến ma tuý.\n\nCông an tỉnh đề nghị người dân tiếp tục tố giác tội phạm qua đường dây nóng của công an xã, phường.", None),
    (300, "case_update", "ma_tuy", "public", "Bắt giữ 3 đối tượng tàng trữ trái phép chất ma tuý tại xã Thọ Xuân",
     "Phòng Cảnh sát điều tra tội phạm về ma tuý phối hợp Công an xã Thọ Xuân bắt quả tang 3 đối tượng, thu giữ 120 gam ma tuý tổng hợp.",
     "Khoảng 22 giờ ngày 3/3, tổ công tác kiểm tra một căn nhà tại thôn 5, xã Thọ Xuân, phát hiện 3 đối tượng đang cất giấu ma tuý tổng hợp. Cơ quan Cảnh sát điều tra đang củng cố hồ sơ để xử lý theo quy định của pháp luật.", None),
    (290, "initial_information", "lua_dao_cong_nghe_cao", "public", "Cảnh báo thủ đoạn giả danh công an gọi điện yêu cầu chuyển tiền",
     "Nhiều người dân nhận cuộc gọi tự xưng là cán bộ công an, thông báo liên quan đến vụ án và yêu cầu chuyển tiền vào 'tài khoản tạm giữ'. Đây là thủ đoạn lừa đảo.",
     "Công an không làm việc qua điện thoại để yêu cầu chuyển tiền, không có 'tài khoản tạm giữ'. Khi nhận cuộc gọi như vậy, người dân không làm theo, không cung cấp mã OTP, và báo ngay cho công an xã, phường nơi cư trú.", Some(1)),
    (285, "case_update", "lua_dao_cong_nghe_cao", "public", "Khởi tố 5 bị can trong đường dây lừa đảo giả danh cơ quan công an",
     "Cơ quan Cảnh sát điều tra Công an tỉnh đã khởi tố vụ án, khởi tố 5 bị can về tội lừa đảo chiếm đoạt tài sản.",
     "Các đối tượng đã chiếm đoạt hơn 2.400.000.000đ của 37 bị hại tại nhiều tỉnh. Cơ quan điều tra đề nghị ai là bị hại liên hệ Phòng Cảnh sát hình sự để được hướng dẫn.", Some(1)),
    (240, "press_release", "an_toan_giao_thong", "public", "Tăng cường bảo đảm trật tự an toàn giao thông trên các tuyến trọng điểm dịp nghỉ lễ 30/4 – 1/5",
     "Phòng Cảnh sát giao thông bố trí lực lượng tuần tra, kiểm soát trên Quốc lộ 1A, Quốc lộ 45, Quốc lộ 47 và cao tốc Bắc – Nam đoạn qua tỉnh.",
     "Lực lượng Cảnh sát giao thông tập trung xử lý nghiêm vi phạm nồng độ cồn, tốc độ, chở quá tải. Người dân nên chủ động lên kế hoạch di chuyển, tránh các khung giờ cao điểm.", None),
    (200, "press_release", "chay_no", "public", "Khuyến cáo phòng cháy, chữa cháy trong mùa nắng nóng",
     "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ khuyến cáo người dân kiểm tra hệ thống điện, không để chất dễ cháy gần nguồn nhiệt.",
     "Trong mùa nắng nóng, nhu cầu sử dụng điện tăng cao. Người dân cần ngắt điện các thiết bị khi không sử dụng, trang bị bình chữa cháy và ghi nhớ số điện thoại 114.", None),
    (150, "case_update", "trom_cap", "public", "Làm rõ nhóm đối tượng trộm cắp xe máy tại các phường trung tâm",
     "Công an phường Hạc Thành phối hợp Phòng Cảnh sát hình sự làm rõ nhóm 4 đối tượng, thu hồi 11 xe máy trả lại cho người bị mất.",
     "Qua rà soát camera và nắm tình hình, lực lượng công an xác định nhóm đối tượng thường trộm xe máy tại các bãi gửi xe tự phát vào ban đêm.", None),
    (90, "press_release", "khen_thuong", "public", "Trao Bằng khen của Bộ trưởng Bộ Công an cho Đài Phát thanh và Truyền hình Thanh Hoá",
     "Đài Phát thanh và Truyền hình Thanh Hoá được tặng Bằng khen và thưởng đột xuất của Bộ trưởng Bộ Công an vì thành tích xuất sắc trong công tác phối hợp tuyên truyền.",
     "Lãnh đạo Công an tỉnh ghi nhận sự đồng hành của các cơ quan báo chí trong việc phản ánh chiến công, hình ảnh đẹp và những khó khăn, gian khổ của lực lượng Công an tỉnh.", None),
    (45, "initial_information", "lua_dao_cong_nghe_cao", "public", "Cảnh báo đường link giả mạo ngân hàng gửi qua tin nhắn",
     "Xuất hiện tin nhắn mạo danh ngân hàng thông báo tài khoản bị khoá, kèm đường link giả để đánh cắp thông tin đăng nhập và mã OTP.",
     "Ngân hàng không gửi đường link yêu cầu đăng nhập qua tin nhắn. Người dân chỉ sử dụng ứng dụng chính thức của ngân hàng và không cung cấp mã OTP cho bất kỳ ai.", None),
    (20, "press_release", "an_toan_giao_thong", "press", "Kế hoạch ra quân cao điểm bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán 2026",
     "Thông tin dành cho phóng viên: kế hoạch, lực lượng và các tuyến trọng điểm trong đợt cao điểm từ 15/12 đến hết lễ hội mùa xuân.",
     "Phòng Cảnh sát giao thông sẽ tổ chức lễ ra quân vào sáng thứ Hai tuần tới. Phóng viên có nhu cầu tác nghiệp đăng ký với Đội Tuyên truyền trước 17 giờ thứ Sáu.", None),
    (2, "initial_information", "chay_no", "public", "Thông tin ban đầu về vụ cháy kho hàng tại phường Nguyệt Viên",
     "Khoảng 3 giờ sáng, một kho chứa hàng gia dụng tại phường Nguyệt Viên bốc cháy. Vụ cháy không gây thiệt hại về người; nguyên nhân đang được điều tra.",
     "Nhận tin báo, lực lượng Cảnh sát phòng cháy, chữa cháy điều động 6 xe chữa cháy và 40 cán bộ, chiến sĩ đến hiện trường. Đến 5 giờ 30 phút, đám cháy được khống chế hoàn toàn.\n\nCơ quan chức năng đang khám nghiệm hiện trường, xác định nguyên nhân và thiệt hại.", Some(0)),
];

/// Adds the newsroom's year: incidents and bulletins through the real workflow (drafted
/// by the press officer, approved by the spokesperson, published), dated back in time,
/// plus one embargoed, one withdrawn, one awaiting approval and one open clock.
pub async fn load(db: &Db, config: &Config) -> anyhow::Result<()> {
    use super::store::{self as news, ActionInput, BulletinInput, IncidentInput};
    let e = |e: crate::platform::errors::AppError| anyhow::anyhow!("demo: {e}");
    let by = |name: &'static str| async move {
        crate::accounts::store::user_by_username(db, name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {name} missing"))
    };
    let officer = by("tuyentruyen").await?;
    let speaker = by("phatngon").await?;
    let o = Origin::system("demo");
    let now = crate::platform::clock::now_ms();
    let day = 86_400_000i64;
    let mut incidents = Vec::new();
    for (days, title, place, concern) in DEMO_INCIDENTS {
        let when = crate::platform::clock::iso(now - days * day - 3 * 3_600_000);
        let i = news::create_incident(
            db,
            config,
            &o,
            &officer,
            &IncidentInput {
                title: (*title).into(),
                summary: None,
                place: Some((*place).into()),
                unit_id: None,
                occurred_at: when,
                public_concern: *concern,
            },
        )
        .await
        .map_err(e)?;
        incidents.push(i.id);
    }
    let input = |b: &DemoBulletin| BulletinInput {
        kind: b.1.into(),
        category: b.2.into(),
        audience: b.3.into(),
        title: b.4.into(),
        summary: b.5.into(),
        body: b.6.into(),
        places: vec!["Thanh Hoá".into()],
        tags: Vec::new(),
        video_links: Vec::new(),
        embargo_until: None,
        incident_id: b.7.and_then(|i| incidents.get(i).cloned()),
        unit_ids: Vec::new(),
        spokesperson_id: Some(speaker.id.clone()),
    };
    // The real chain: the press officer drafts and submits, the spokesperson approves,
    // the press officer publishes.
    let publish = |id: &str| {
        let (officer, speaker, o) = (&officer, &speaker, &o);
        let id = id.to_string();
        async move {
            for (who, step) in [
                (officer, "submit"),
                (speaker, "approve"),
                (officer, "publish"),
            ] {
                news::act(db, config, o, who, &id, step, &ActionInput::default())
                    .await
                    .map_err(e)?;
            }
            Ok::<(), anyhow::Error>(())
        }
    };
    for b in DEMO_BULLETINS {
        let d = news::create(db, config, &o, &officer, &input(b))
            .await
            .map_err(e)?;
        publish(&d.id).await?;
        let at = now - b.0 * day - 2 * 3_600_000;
        backdate(db, &d.id, at).await?;
    }
    // An embargoed release: accredited press have it now, the public tomorrow at 8:00.
    let mut emb = input(&DEMO_BULLETINS[1]);
    emb.title = "Họp báo thông tin kết quả công tác bảo đảm an ninh trật tự năm 2025".into();
    emb.summary = "Công an tỉnh thông tin kết quả nổi bật năm 2025 và kế hoạch đợt cao điểm Tết Nguyên đán Bính Ngọ 2026.".into();
    emb.embargo_until = Some(crate::platform::clock::iso(now + day));
    let d = news::create(db, config, &o, &officer, &emb)
        .await
        .map_err(e)?;
    publish(&d.id).await?;
    // A withdrawn item.
    let mut wd = input(&DEMO_BULLETINS[7]);
    wd.title = "Thông tin về vụ trộm cắp tại chợ đêm (đã gỡ)".into();
    let d = news::create(db, config, &o, &officer, &wd)
        .await
        .map_err(e)?;
    publish(&d.id).await?;
    news::act(
        db,
        config,
        &o,
        &speaker,
        &d.id,
        "withdraw",
        &ActionInput {
            note: Some(
                "Thông tin trùng với tin đã đăng ngày trước; gộp vào tin chính thức.".into(),
            ),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    // Awaiting approval: initial information on today's crash (its clock is running).
    let mut draft = input(&DEMO_BULLETINS[11]);
    draft.title =
        "Thông tin ban đầu về vụ tai nạn giao thông liên hoàn trên cao tốc Bắc – Nam".into();
    draft.category = "an_toan_giao_thong".into();
    draft.summary = "Khoảng 6 giờ sáng, 4 xe ô tô va chạm liên hoàn trên cao tốc đoạn qua xã Quảng Xương; lực lượng chức năng đang phân luồng, cứu hộ.".into();
    draft.body = "Phòng Cảnh sát giao thông đã điều động lực lượng tới hiện trường, phân luồng từ xa. Thông tin về thương vong đang được xác minh.".into();
    draft.incident_id = incidents.get(2).cloned();
    let d = news::create(db, config, &o, &officer, &draft)
        .await
        .map_err(e)?;
    news::act(
        db,
        config,
        &o,
        &officer,
        &d.id,
        "submit",
        &ActionInput::default(),
    )
    .await
    .map_err(e)?;
    Ok(())
}

/// Moves a demo bulletin's dates into the past (demo data only).
async fn backdate(db: &Db, id: &str, at: i64) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE bulletins SET created_at = $1, updated_at = $1, published_at = $1, press_released_at = $1,
           released_at = CASE WHEN audience = 'public' THEN $1 END WHERE id = $2",
        args![at, id],
    )
    .await?;
    tx.execute(
        "UPDATE bulletin_versions SET created_at = $1 WHERE bulletin_id = $2",
        args![at, id],
    )
    .await?;
    tx.execute(
        "UPDATE incidents SET first_info_at = $1 WHERE id = (SELECT incident_id FROM bulletins WHERE id = $2) AND first_info_at > $1",
        args![at, id],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
