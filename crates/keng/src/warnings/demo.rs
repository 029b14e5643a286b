//! The warnings' part of the demo province: the communes named in the demo (their codes
//! are illustrative, not the statistics office's — an administrator loads the real list),
//! warnings for the common 2024–2025 scam patterns linked to the newsroom's demo
//! bulletins, two traffic warnings for the Tết peak on QL1A and QL47, one cancelled and
//! one test warning, and black spots and segments on QL1A, QL45 and QL47 — each through
//! the real workflow (the press officer writes and
//! publishes, the spokesperson approves).

use super::input::WarningInput;
use super::store::{self, StepInput};
use crate::args;
use crate::platform::audit::Origin;
use crate::platform::clock::{self, now_ms};
use crate::platform::config::Config;
use crate::platform::db::Db;

/// (code, name) of the demo's communes and wards.
pub const COMMUNES: &[(&str, &str)] = &[
    ("14901", "Phường Hạc Thành"),
    ("14902", "Phường Nguyệt Viên"),
    ("14903", "Phường Hàm Rồng"),
    ("14904", "Phường Sầm Sơn"),
    ("14905", "Phường Bỉm Sơn"),
    ("14906", "Phường Nghi Sơn"),
    ("14907", "Xã Quảng Xương"),
    ("14908", "Xã Thọ Xuân"),
    ("14909", "Xã Hoằng Hoá"),
    ("14910", "Xã Hà Trung"),
    ("14911", "Xã Triệu Sơn"),
    ("14912", "Xã Nông Cống"),
];

/// (kind, headline, what happened, signs, what to do, severity, urgency, routes,
/// communes, title of the bulletin it rests on)
type Demo = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    Option<&'static str>,
);

/// Black spots and segments on the Tết peak's key routes (kind, route, name, why,
/// points). The places are real, the kilometre marks and coordinates illustrative.
const ROADS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "black_spot",
        "QL1A",
        "Km 285+300, cầu Đò Lèn (Hà Trung)",
        "Đường cong sau cầu, tầm nhìn hạn chế; nhiều vụ va chạm xe khách và xe máy.",
        "20.0312,105.8431",
    ),
    (
        "black_spot",
        "QL1A",
        "Km 305, nút giao Đông Hương (Hạc Thành)",
        "Nút giao đông xe, xe máy rẽ trái cắt ngang dòng xe tải.",
        "19.8183,105.7961",
    ),
    (
        "black_spot",
        "QL1A",
        "Km 353+200, Nghi Sơn",
        "Xe container ra vào khu kinh tế; đường dốc.",
        "19.3911,105.7702",
    ),
    (
        "segment",
        "QL1A",
        "Bỉm Sơn – Hà Trung",
        "Đoạn thẳng dài, xe chạy quá tốc độ, đêm thiếu ánh sáng.",
        "20.0781,105.8612 20.0544,105.8527 20.0312,105.8431",
    ),
    (
        "segment",
        "QL47",
        "TP Thanh Hoá – Sầm Sơn",
        "Đông xe về Sầm Sơn dịp lễ, Tết; đoạn thi công thu hẹp mặt đường.",
        "19.8012,105.7843 19.7839,105.8292 19.7711,105.8655 19.7468,105.9021",
    ),
    (
        "black_spot",
        "QL47",
        "Km 8, ngã ba Quảng Tâm",
        "Ngã ba không đèn tín hiệu, xe máy từ đường nhánh ra bất ngờ.",
        "19.7803,105.8396",
    ),
    (
        "black_spot",
        "QL45",
        "Km 62, dốc Cốc (Triệu Sơn)",
        "Dốc dài, đường cong gấp.",
        "19.8431,105.5912",
    ),
];

const CALL_113: &str = "113 hoặc công an xã, phường nơi cư trú";
/// Whom to call about a road: the traffic police's hotline (illustrative number).
const CALL_TRAFFIC: &str = "Cảnh sát giao thông 0237 3 xxx xxx hoặc 113";

const DEMO: &[Demo] = &[
    ("scam", "Cảnh báo cuộc gọi giả danh công an, toà án, viện kiểm sát yêu cầu chuyển tiền",
     "Nhiều người dân trong tỉnh nhận cuộc gọi tự xưng cán bộ công an, toà án hoặc viện kiểm sát, thông báo liên quan đến một vụ án và yêu cầu chuyển tiền vào \"tài khoản tạm giữ\" để \"chứng minh trong sạch\". Một đường dây như vậy đã bị khởi tố với 37 bị hại.",
     &["Gọi từ số lạ, số nước ngoài hoặc qua Zalo, gọi video mặc sắc phục", "Đọc đúng họ tên, số căn cước của bạn để tạo tin tưởng", "Đe doạ bắt giam nếu không làm theo, yêu cầu giữ bí mật", "Yêu cầu chuyển tiền, cung cấp mã OTP hoặc cài ứng dụng lạ"],
     &["Công an, toà án, viện kiểm sát không làm việc qua điện thoại và không yêu cầu chuyển tiền", "Không chuyển tiền, không đọc mã OTP, không cài ứng dụng theo hướng dẫn", "Cúp máy và báo ngay cho công an xã, phường nơi cư trú"],
     "Severe", "Immediate", &[], &[], Some("Cảnh báo thủ đoạn giả danh công an gọi điện yêu cầu chuyển tiền")),
    ("scam", "Cảnh báo đường link giả mạo ngân hàng và \"cập nhật sinh trắc học\"",
     "Xuất hiện tin nhắn và cuộc gọi mạo danh ngân hàng, cơ quan công an hướng dẫn \"cập nhật sinh trắc học\", \"xác thực tài khoản\" qua đường link lạ để chiếm quyền tài khoản.",
     &["Tin nhắn báo tài khoản bị khoá, kèm đường link có tên gần giống ngân hàng", "Yêu cầu quét khuôn mặt, nhập mật khẩu, mã OTP trên trang lạ", "Đề nghị cài ứng dụng ngoài kho ứng dụng chính thức"],
     &["Chỉ cập nhật sinh trắc học trên ứng dụng chính thức của ngân hàng hoặc tại quầy", "Không bấm vào đường link trong tin nhắn, không cung cấp OTP", "Khi đã lỡ cung cấp thông tin, gọi ngay tổng đài ngân hàng để khoá tài khoản"],
     "Severe", "Immediate", &[], &[], Some("Cảnh báo đường link giả mạo ngân hàng gửi qua tin nhắn")),
    ("scam", "Cảnh báo lừa đảo tuyển cộng tác viên \"việc nhẹ lương cao\", làm nhiệm vụ trực tuyến",
     "Các đối tượng đăng tin tuyển cộng tác viên bán hàng, thả tim, đánh giá sản phẩm; ban đầu trả hoa hồng nhỏ, sau đó yêu cầu nạp tiền lớn để \"hoàn thành nhiệm vụ\" rồi chiếm đoạt.",
     &["Việc đơn giản, trả thưởng cao bất thường", "Yêu cầu nạp tiền trước để nhận nhiệm vụ", "Báo lỗi thao tác và đòi nạp thêm mới rút được tiền"],
     &["Không nạp tiền để nhận việc", "Không chuyển tiền cho tài khoản cá nhân lạ", "Lưu lại tin nhắn, số tài khoản và trình báo công an"],
     "Moderate", "Expected", &[], &[], None),
    ("scam", "Cảnh báo ứng dụng đầu tư tài chính, tiền ảo giả mạo",
     "Các nhóm đầu tư trên mạng xã hội giới thiệu ứng dụng \"đầu tư chứng khoán quốc tế\", \"tiền ảo\" cam kết lợi nhuận cao; khi người dân nạp nhiều tiền thì ứng dụng khoá tài khoản.",
     &["Cam kết lãi cao, không rủi ro", "Nhóm chat có nhiều người \"khoe lãi\"", "Ứng dụng không có trên kho chính thức, công ty không có giấy phép"],
     &["Kiểm tra giấy phép của công ty trên trang của Uỷ ban Chứng khoán Nhà nước", "Không nạp tiền vào ứng dụng không rõ nguồn gốc", "Trình báo công an khi bị chiếm đoạt"],
     "Moderate", "Expected", &[], &[], None),
    ("scam", "Cảnh báo lừa đảo làm quen qua mạng và nhận hộ bưu kiện",
     "Đối tượng làm quen, hứa hẹn tình cảm qua mạng, sau đó báo gửi quà, bưu kiện từ nước ngoài và giả danh nhân viên hải quan yêu cầu nộp \"phí thông quan\".",
     &["Người lạ làm quen nhanh, xưng là người nước ngoài, quân nhân, bác sĩ", "Thông báo có quà giá trị lớn bị giữ ở hải quan", "Yêu cầu nộp phí vào tài khoản cá nhân"],
     &["Không nộp phí nhận quà cho người quen qua mạng", "Hải quan không thu phí qua tài khoản cá nhân", "Báo cho người thân và công an"],
     "Moderate", "Expected", &[], &[], None),
    ("scam", "Cảnh báo tin nhắn giả mạo thông báo tiền điện, cắt điện",
     "Người dân nhận tin nhắn, cuộc gọi giả danh nhân viên điện lực báo nợ tiền điện, đe doạ cắt điện và gửi đường link thanh toán giả.",
     &["Đe doạ cắt điện ngay trong ngày", "Gửi đường link thanh toán lạ hoặc yêu cầu kết bạn Zalo", "Số tài khoản nhận tiền là tài khoản cá nhân"],
     &["Tra cứu tiền điện trên ứng dụng chính thức của điện lực", "Không thanh toán qua đường link lạ", "Gọi tổng đài điện lực để kiểm tra"],
     "Minor", "Expected", &[], &[], None),
    ("scam", "Cảnh báo hành vi mua bán, cho thuê tài khoản ngân hàng",
     "Các đối tượng mua, thuê tài khoản ngân hàng của người dân để nhận tiền lừa đảo, đánh bạc. Người bán, cho thuê tài khoản có thể bị xử lý hình sự.",
     &["Lời mời \"cho thuê tài khoản kiếm tiền\", mở tài khoản hộ", "Yêu cầu giao thẻ, mật khẩu, SIM điện thoại"],
     &["Không mua bán, cho thuê, cho mượn tài khoản ngân hàng", "Khoá tài khoản nếu đã lỡ giao thông tin", "Tố giác các đối tượng mua bán tài khoản với công an"],
     "Moderate", "Expected", &[], &[], None),
    ("traffic", "Cảnh báo giao thông trên Quốc lộ 1A dịp cao điểm Tết Nguyên đán",
     "Lưu lượng xe tăng cao trên Quốc lộ 1A đoạn qua tỉnh dịp cao điểm Tết; các điểm đen tai nạn tại nút giao và đoạn qua khu dân cư.",
     &["Ùn tắc kéo dài tại các nút giao và đoạn qua thị trấn", "Xe khách, xe tải tăng chuyến vào ban đêm"],
     &["Tuân thủ tốc độ, không vượt ẩu", "Không điều khiển xe sau khi uống rượu, bia", "Theo dõi hướng dẫn phân luồng của Cảnh sát giao thông"],
     "Moderate", "Expected", &["QL1A"], &["14906", "14907", "14910"], Some("Tăng cường bảo đảm trật tự an toàn giao thông trên các tuyến trọng điểm dịp nghỉ lễ 30/4 – 1/5")),
    ("traffic", "Cảnh báo giao thông trên Quốc lộ 47 về Sầm Sơn dịp Tết",
     "Quốc lộ 47 từ trung tâm tỉnh về Sầm Sơn đông xe dịp Tết và lễ hội đầu xuân; một số đoạn đang thi công.",
     &["Đoạn thi công thu hẹp mặt đường", "Đông xe máy vào buổi tối"],
     &["Giảm tốc độ qua đoạn thi công", "Đi đúng làn, đội mũ bảo hiểm"],
     "Minor", "Expected", &["QL47"], &["14901", "14904"], None),
];

/// Adds the warnings' demo data.
pub async fn load(db: &Db, config: &Config) -> anyhow::Result<()> {
    let e = |e: crate::platform::errors::AppError| anyhow::anyhow!("demo: {e}");
    let by = |name: &'static str| async move {
        crate::accounts::store::user_by_username(db, name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo account {name} missing"))
    };
    let officer = by("tuyentruyen").await?;
    let speaker = by("phatngon").await?;
    let o = Origin::system("demo");
    let now = now_ms();
    for (code, name) in COMMUNES {
        db.execute(
            "INSERT INTO communes (code, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
            args![*code, *name, now],
        )
        .await?;
    }
    let bulletin = |title: &'static str| async move {
        Ok::<_, anyhow::Error>(
            db.fetch_optional(
                "SELECT id FROM bulletins WHERE title = $1 AND state = 'published' ORDER BY published_at LIMIT 1",
                args![title],
            )
            .await?
            .and_then(|r| r.str("id").ok()),
        )
    };
    // The real chain: the press officer writes and publishes, the spokesperson approves.
    let publish = |id: &str| {
        let (officer, speaker, o) = (&officer, &speaker, &o);
        let id = id.to_string();
        async move {
            for (who, step) in [
                (officer, "submit"),
                (speaker, "approve"),
                (officer, "publish"),
            ] {
                store::act(db, config, o, who, &id, step, &StepInput::default())
                    .await
                    .map_err(e)?;
            }
            Ok::<(), anyhow::Error>(())
        }
    };
    // Black spots and segments, recorded as the press office would.
    let mut roads: Vec<(String, &str)> = Vec::new();
    for (kind, route, name, note, points) in ROADS {
        let p = super::roads::create(
            db,
            &o,
            &officer,
            &super::roads::RoadInput {
                kind: kind.to_string(),
                route: route.to_string(),
                name: name.to_string(),
                note: note.to_string(),
                points: points.to_string(),
                active: Some("on".into()),
            },
        )
        .await
        .map_err(e)?;
        roads.push((p.id, route));
    }
    let tet_end = now + 60 * 86_400_000;
    for d in DEMO {
        let input = WarningInput {
            kind: d.0.into(),
            headline: d.1.into(),
            happened: d.2.into(),
            signs: d.3.iter().map(|s| s.to_string()).collect(),
            advice: d.4.iter().map(|s| s.to_string()).collect(),
            contact: if d.0 == "traffic" {
                CALL_TRAFFIC
            } else {
                CALL_113
            }
            .into(),
            severity: d.5.into(),
            urgency: d.6.into(),
            certainty: "Observed".into(),
            area_desc: if d.7.is_empty() {
                "Toàn tỉnh Thanh Hoá".into()
            } else {
                format!("{} đoạn qua tỉnh Thanh Hoá", d.7.join(", "))
            },
            routes: d.7.iter().map(|s| s.to_string()).collect(),
            communes: d.8.iter().map(|s| s.to_string()).collect(),
            valid_until: (d.0 == "traffic").then(|| clock::iso(tet_end)),
            // A traffic warning names the black spots and segments on its routes.
            road_places: roads
                .iter()
                .filter(|(_, r)| d.0 == "traffic" && d.7.contains(r))
                .map(|(id, _)| id.clone())
                .collect(),
            bulletins: match d.9 {
                Some(t) => bulletin(t).await?.into_iter().collect(),
                None => Vec::new(),
            },
            ..Default::default()
        };
        let w = store::create(db, &o, &officer, &input).await.map_err(e)?;
        publish(&w.id).await?;
    }
    // One cancelled: a warning issued by mistake about the wrong route.
    let mut wrong = WarningInput {
        kind: "traffic".into(),
        headline: "Cảnh báo sạt lở trên Quốc lộ 45 (đã huỷ)".into(),
        happened: "Thông tin ban đầu về sạt lở taluy trên Quốc lộ 45.".into(),
        signs: vec!["Đất đá tràn ra mặt đường".into()],
        advice: vec!["Đi chậm, chú ý biển báo".into()],
        contact: CALL_TRAFFIC.into(),
        severity: "Moderate".into(),
        urgency: "Immediate".into(),
        certainty: "Possible".into(),
        area_desc: "Quốc lộ 45".into(),
        routes: vec!["QL45".into()],
        ..Default::default()
    };
    let w = store::create(db, &o, &officer, &wrong).await.map_err(e)?;
    publish(&w.id).await?;
    store::act(
        db,
        config,
        &o,
        &officer,
        &w.id,
        "cancel",
        &StepInput {
            note: Some("Kiểm tra lại: không có sạt lở, đường thông suốt.".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    // One test warning: published with status Test, never public.
    wrong.headline = "Bản tin thử nghiệm hệ thống cảnh báo".into();
    wrong.is_test = true;
    let w = store::create(db, &o, &officer, &wrong).await.map_err(e)?;
    publish(&w.id).await?;
    Ok(())
}
