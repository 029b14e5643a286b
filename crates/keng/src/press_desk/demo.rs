//! The press desk's part of the demo province: the spokesperson's mandate, and
//! journalists' requests in every state taken through the real workflow — a night
//! patrol to film at a ward police unit (scheduled, with its permit), an information
//! request refused on an Art. 38 ground, an interview with the spokesperson, answered,
//! closed, withdrawn and waiting requests, and one past its time limit; two correction
//! requests to the radio station (one published, one received). Reads the demo
//! accounts and units (loaded before).

use crate::accounts::model::User;
use crate::accounts::store as accounts;
use crate::args;
use crate::platform::audit::Origin;
use crate::platform::clock::{input_datetime, now_ms};
use crate::platform::config::Config;
use crate::platform::db::Db;

use super::events::{self, EventInput};
use super::store::{self, RequestInput, StepInput};

async fn who(db: &Db, username: &str) -> anyhow::Result<User> {
    accounts::user_by_username(db, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo: no account {username}"))
}

async fn unit(db: &Db, code: &str) -> anyhow::Result<String> {
    Ok(db
        .fetch_one("SELECT id FROM units WHERE code = $1", args![code])
        .await?
        .str("id")?)
}

fn origin(u: &User) -> Origin {
    Origin {
        actor_id: Some(u.id.clone()),
        actor_name: u.username.clone(),
        ip: None,
    }
}

pub async fn load(db: &Db, config: &Config) -> anyhow::Result<()> {
    let e = |e: crate::platform::errors::AppError| anyhow::anyhow!("press desk demo: {e}");
    let now = now_ms();
    let hour = 3_600_000;
    let day = 24 * hour;
    let spokesperson = who(db, "phatngon").await?;
    let officer = who(db, "tuyentruyen").await?;
    let ward = who(db, "capx.hacthanh").await?;
    let ha = who(db, "pv.baothanhhoa").await?;
    let vinh = who(db, "btv.ptth").await?;
    let binh = who(db, "pv.ttxvn").await?;
    let hacthanh = unit(db, "CAP-HACTHANH").await?;
    let drugs = unit(db, "PC04").await?;
    let traffic = unit(db, "PC08").await?;

    db.execute(
        "INSERT INTO spokesperson_mandates (user_id, scope, topics, unit_ids, phone, email, valid_until, updated_at) VALUES ($1, $2, $3, NULL, $4, $5, NULL, $6)",
        args![
            &spokesperson.id,
            "Phát ngôn và cung cấp thông tin cho báo chí về mọi lĩnh vực công tác của Công an tỉnh (Quyết định uỷ quyền của Giám đốc Công an tỉnh)",
            "An ninh, trật tự; an toàn giao thông; phòng, chống tội phạm và lừa đảo công nghệ cao",
            "0237 3850 113",
            "phatngon@demo.keng.example",
            now
        ],
    )
    .await?;

    let ask = |kind: &str,
               topic: &str,
               questions: &str,
               unit: Option<&String>,
               from: Option<i64>,
               until: Option<i64>| RequestInput {
        kind: kind.into(),
        topic: topic.into(),
        questions: questions.into(),
        wished_from: from.map(input_datetime),
        wished_until: until.map(input_datetime),
        unit_id: unit.cloned(),
        ..Default::default()
    };
    let step = StepInput::default;

    // A night patrol to film: assigned to the ward, scheduled by its chief: a permit.
    let night = now + 2 * day + 13 * hour;
    let patrol = store::create(db, config, &origin(&ha), &ha, &ask(
        "field_work",
        "Ghi hình ca tuần tra đêm của Công an phường Hạc Thành dịp cao điểm Tết",
        "Đề nghị cho phóng viên và quay phim đi cùng tổ tuần tra đêm để thực hiện phóng sự về bảo đảm an ninh trật tự dịp Tết.\nĐoàn gồm 2 người, có giấy giới thiệu của Báo Thanh Hoá.",
        Some(&hacthanh), Some(night), Some(night + 4 * hour),
    )).await.map_err(e)?;
    store::act(
        db,
        config,
        &origin(&officer),
        &officer,
        &patrol.id,
        "assign",
        &StepInput {
            unit_id: Some(hacthanh.clone()),
            ..step()
        },
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&ward),
        &ward,
        &patrol.id,
        "schedule",
        &StepInput {
            scheduled_from: Some(input_datetime(night)),
            scheduled_until: Some(input_datetime(night + 4 * hour)),
            place: Some("Trụ sở Công an phường Hạc Thành, 25 Trần Phú".into()),
            ..step()
        },
    )
    .await
    .map_err(e)?;

    // An information request about a drug case under investigation: refused on its ground.
    let drug = store::create(db, config, &origin(&binh), &binh, &ask(
        "information",
        "Danh tính các đối tượng trong chuyên án ma tuý tháng 11",
        "Đề nghị cung cấp họ tên, địa chỉ các đối tượng và số lượng ma tuý thu giữ trong chuyên án.",
        Some(&drugs), None, None,
    )).await.map_err(e)?;
    store::act(db, config, &origin(&spokesperson), &spokesperson, &drug.id, "refuse", &StepInput {
        ground: Some("under_investigation".into()),
        note: Some("Vụ án đang trong giai đoạn điều tra; Công an tỉnh sẽ thông tin khi kết thúc điều tra theo quy định.".into()),
        ..step()
    }).await.map_err(e)?;

    // An interview with the spokesperson, assigned to him.
    let interview = store::create(db, config, &origin(&vinh), &vinh, &ask(
        "interview",
        "Phỏng vấn người phát ngôn về bảo đảm trật tự an toàn giao thông dịp Tết",
        "1. Những tuyến đường trọng điểm được tăng cường tuần tra?\n2. Kết quả xử lý vi phạm nồng độ cồn từ đầu đợt cao điểm?",
        None, Some(now + 4 * day), Some(now + 4 * day + 2 * hour),
    )).await.map_err(e)?;
    store::act(
        db,
        config,
        &origin(&officer),
        &officer,
        &interview.id,
        "assign",
        &StepInput {
            assignee_id: Some(spokesperson.id.clone()),
            ..step()
        },
    )
    .await
    .map_err(e)?;

    // Answered, then closed by the journalist.
    let scam = store::create(db, config, &origin(&ha), &ha, &ask(
        "information",
        "Số vụ lừa đảo qua mạng được tiếp nhận trong năm",
        "Đề nghị cung cấp số vụ lừa đảo chiếm đoạt tài sản qua mạng và số tiền thiệt hại từ đầu năm.",
        None, None, None,
    )).await.map_err(e)?;
    store::act(db, config, &origin(&officer), &officer, &scam.id, "answer", &StepInput {
        answer: Some("Từ đầu năm, Công an tỉnh tiếp nhận 214 tin báo về lừa đảo chiếm đoạt tài sản qua mạng, thiệt hại khoảng 61 tỷ đồng; đã khởi tố 37 vụ.".into()),
        ..step()
    }).await.map_err(e)?;
    let closed = store::create(
        db,
        config,
        &origin(&ha),
        &ha,
        &ask(
            "documents",
            "Kế hoạch bảo đảm an ninh trật tự dịp Tết",
            "Đề nghị cung cấp bản kế hoạch công khai để đăng tải.",
            None,
            None,
            None,
        ),
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&officer),
        &officer,
        &closed.id,
        "answer",
        &StepInput {
            answer: Some("Gửi kèm kế hoạch công khai số 125/KH-CAT.".into()),
            ..step()
        },
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&ha),
        &ha,
        &closed.id,
        "acknowledge",
        &step(),
    )
    .await
    .map_err(e)?;

    // Waiting for the press office, asked for details, withdrawn.
    store::create(
        db,
        config,
        &origin(&binh),
        &binh,
        &ask(
            "operation",
            "Tham gia ghi hình đợt ra quân xử lý vi phạm trên Quốc lộ 47",
            "Đề nghị cho phóng viên đi cùng lực lượng Cảnh sát giao thông trong đợt ra quân.",
            Some(&traffic),
            Some(now + 6 * day),
            Some(now + 6 * day + 5 * hour),
        ),
    )
    .await
    .map_err(e)?;
    let vague = store::create(
        db,
        config,
        &origin(&vinh),
        &vinh,
        &ask(
            "information",
            "Thông tin về vụ việc ở phường Nguyệt Viên",
            "Đề nghị cung cấp thông tin.",
            None,
            None,
            None,
        ),
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&officer),
        &officer,
        &vague.id,
        "ask_details",
        &StepInput {
            note: Some("Đề nghị nêu rõ vụ việc nào và những câu hỏi cụ thể.".into()),
            ..step()
        },
    )
    .await
    .map_err(e)?;
    let dropped = store::create(
        db,
        config,
        &origin(&binh),
        &binh,
        &ask(
            "interview",
            "Phỏng vấn Trưởng Công an phường Hạc Thành",
            "Về mô hình camera an ninh khu dân cư.",
            None,
            Some(now + 5 * day),
            Some(now + 5 * day + hour),
        ),
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&binh),
        &binh,
        &dropped.id,
        "withdraw",
        &step(),
    )
    .await
    .map_err(e)?;

    // One past its time limit: filed twelve days ago and still with the unit.
    let late = store::create(
        db,
        config,
        &origin(&vinh),
        &vinh,
        &ask(
            "information",
            "Kết quả xử lý vi phạm nồng độ cồn của Phòng Cảnh sát giao thông",
            "Đề nghị cung cấp số liệu xử lý vi phạm nồng độ cồn tháng trước.",
            Some(&traffic),
            None,
            None,
        ),
    )
    .await
    .map_err(e)?;
    store::act(
        db,
        config,
        &origin(&officer),
        &officer,
        &late.id,
        "assign",
        &StepInput {
            unit_id: Some(traffic.clone()),
            ..step()
        },
    )
    .await
    .map_err(e)?;
    db.execute(
        "UPDATE press_requests SET created_at = $1, due_at = $2 WHERE id = $3",
        args![now - 12 * day, now - 3 * day, &late.id],
    )
    .await?;
    // Press conferences: one held last month, one coming, and the yearly review
    // conference with the press of the seed report (held in January).
    let agencies: Vec<String> = db
        .fetch_all("SELECT id FROM agencies ORDER BY code", args![])
        .await?
        .iter()
        .map(|r| r.str("id"))
        .collect::<Result<_, _>>()?;
    let event = |kind: &str,
                 title: &str,
                 place: &str,
                 agenda: &str,
                 speakers: &str,
                 start: i64,
                 hours: i64| EventInput {
        kind: kind.into(),
        title: title.into(),
        agenda: Some(agenda.into()),
        place: place.into(),
        starts_at: input_datetime(start),
        ends_at: input_datetime(start + hours * hour),
        speakers: Some(speakers.into()),
        agency_ids: agencies.clone(),
    };
    let held = [
        (
            "press_conference",
            "Họp báo thông tin kết quả công tác bảo đảm an ninh trật tự quý III",
            "Hội trường Công an tỉnh, 11 Hạc Thành",
            "1. Thông tin kết quả công tác quý III.\n2. Trả lời câu hỏi của phóng viên.",
            "Đại tá Trần Quốc Hùng, Phó Giám đốc — Người phát ngôn",
            38,
            "Đã thông tin 12 chuyên án, trả lời 9 câu hỏi của 7 cơ quan báo chí.",
        ),
        (
            "conference",
            "Hội nghị tổng kết công tác phối hợp với các cơ quan báo chí năm 2025",
            "Hội trường Công an tỉnh, 11 Hạc Thành",
            "1. Báo cáo kết quả phối hợp năm 2025.\n2. Khen thưởng 14 tập thể, 19 cá nhân.\n3. Phát động đợt tuyên truyền cao điểm Tết.",
            "Đại tá Lê Văn Minh, Giám đốc Công an tỉnh",
            310,
            "Khen thưởng 14 tập thể, 19 cá nhân; các cơ quan báo chí đề nghị cung cấp thông tin nhanh hơn về các vụ việc nóng.",
        ),
    ];
    for (kind, title, place, agenda, speakers, days_ago, minutes) in held {
        let ev = events::create(
            db,
            &origin(&officer),
            &officer,
            &event(kind, title, place, agenda, speakers, now + day, 2),
        )
        .await
        .map_err(e)?;
        db.execute(
            "UPDATE press_events SET starts_at = $1, ends_at = $2, created_at = $3 WHERE id = $4",
            args![
                now - days_ago * day,
                now - days_ago * day + 2 * hour,
                now - (days_ago + 10) * day,
                &ev.id
            ],
        )
        .await?;
        events::close(db, &origin(&officer), &officer, &ev.id, "held", minutes)
            .await
            .map_err(e)?;
    }
    events::create(
        db,
        &origin(&officer),
        &officer,
        &event(
            "press_conference",
            "Họp báo thông tin kết quả đợt cao điểm tấn công trấn áp tội phạm dịp Tết",
            "Hội trường Công an tỉnh, 11 Hạc Thành",
            "1. Kết quả đợt cao điểm.\n2. Cảnh báo thủ đoạn lừa đảo dịp Tết.\n3. Trả lời câu hỏi của phóng viên.",
            "Đại tá Trần Quốc Hùng, Phó Giám đốc — Người phát ngôn",
            now + 10 * day,
            2,
        ),
    )
    .await
    .map_err(e)?;

    // A year of answered and refused information requests before these (taken through
    // the workflow, then moved back in time), so the report has months to compare:
    // response times from two hours to a week, some past their limit.
    history(
        db,
        config,
        now,
        &[&ha, &vinh, &binh],
        &officer,
        &spokesperson,
        &[hacthanh.clone(), traffic.clone(), drugs.clone()],
    )
    .await?;

    // Correction requests: one the radio station published, one it has only received.
    let ptth = db
        .fetch_one("SELECT id FROM agencies WHERE code = $1", args!["PTTH-TH"])
        .await?
        .str("id")?;
    let correction = |title: &str, url: &str, wrong: &str, correct: &str, due_in: i64| {
        super::corrections::CorrectionInput {
            agency_id: ptth.clone(),
            kind: "correction".into(),
            article_url: url.into(),
            article_title: title.into(),
            published_at: Some(crate::platform::clock::input_datetime(now - 2 * day)),
            wrong: wrong.into(),
            correct: correct.into(),
            bulletin_id: None,
            due_on: crate::platform::clock::format_date(now + due_in * day),
        }
    };
    let done = super::corrections::create(
        db,
        &origin(&spokesperson),
        &spokesperson,
        &correction(
            "Bắt giữ 10 đối tượng trong đường dây ma tuý xuyên tỉnh",
            "https://ptth.example/thoi-su/bat-giu-10-doi-tuong.html",
            "Bài viết nêu 10 đối tượng bị bắt giữ.",
            "Cơ quan Cảnh sát điều tra đã bắt giữ 7 đối tượng, 3 người khác được triệu tập làm rõ vai trò.",
            3,
        ),
    )
    .await
    .map_err(e)?;
    let answer = |note: Option<&str>, url: Option<&str>| super::corrections::CorrectionStep {
        note: note.map(str::to_string),
        corrected_url: url.map(str::to_string),
    };
    super::corrections::act(
        db,
        &origin(&vinh),
        &vinh,
        &done.id,
        "acknowledge",
        &answer(Some("Ban Thời sự đã nhận."), None),
    )
    .await
    .map_err(e)?;
    super::corrections::act(
        db,
        &origin(&vinh),
        &vinh,
        &done.id,
        "publish",
        &answer(
            None,
            Some("https://ptth.example/thoi-su/cai-chinh-bat-giu-7-doi-tuong.html"),
        ),
    )
    .await
    .map_err(e)?;
    let open = super::corrections::create(
        db,
        &origin(&spokesperson),
        &spokesperson,
        &correction(
            "Lừa đảo qua mạng: người dân mất 2 tỷ đồng",
            "https://ptth.example/phap-luat/lua-dao-2-ty.html",
            "Bài viết nêu số tiền bị chiếm đoạt là 2 tỷ đồng.",
            "Số tiền bị chiếm đoạt là 1,2 tỷ đồng; Công an tỉnh đã phong toả 800 triệu đồng.",
            5,
        ),
    )
    .await
    .map_err(e)?;
    super::corrections::act(
        db,
        &origin(&vinh),
        &vinh,
        &open.id,
        "acknowledge",
        &answer(None, None),
    )
    .await
    .map_err(e)?;
    Ok(())
}

/// Topics of the past year's requests (rotated).
const PAST_TOPICS: [&str; 6] = [
    "Kết quả xử lý vi phạm nồng độ cồn trong tháng",
    "Tình hình trộm cắp tài sản tại khu dân cư",
    "Số vụ lừa đảo qua mạng được tiếp nhận",
    "Phân luồng giao thông dịp lễ, Tết",
    "Kết quả triệt phá đường dây ma tuý",
    "Công tác phòng cháy tại chợ và trung tâm thương mại",
];

/// Response times of the past year's requests, in hours (rotated: most within the
/// limit, some not).
const PAST_HOURS: [i64; 8] = [2, 6, 20, 27, 45, 70, 100, 170];

async fn history(
    db: &Db,
    config: &Config,
    now: i64,
    journalists: &[&User],
    officer: &User,
    spokesperson: &User,
    units: &[String],
) -> anyhow::Result<()> {
    let e = |e: crate::platform::errors::AppError| anyhow::anyhow!("press desk demo history: {e}");
    let hour = 3_600_000;
    let day = 24 * hour;
    let cal = super::calendar::load(db, now).await?;
    let days = super::settings::of(config).days_for("information");
    for i in 0..44usize {
        let j = journalists[i % journalists.len()];
        let created = now - (330 - i as i64 * 7) * day - (i as i64 % 5) * hour;
        let r = store::create(
            db,
            config,
            &origin(j),
            j,
            &RequestInput {
                kind: "information".into(),
                topic: PAST_TOPICS[i % PAST_TOPICS.len()].into(),
                questions: "Đề nghị cung cấp số liệu và kết quả xử lý.".into(),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
        store::act(
            db,
            config,
            &origin(officer),
            officer,
            &r.id,
            "assign",
            &StepInput {
                unit_id: Some(units[i % units.len()].clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
        let (who, step, input) = if i % 9 == 4 {
            (
                spokesperson,
                "refuse",
                StepInput {
                    ground: Some(
                        ["under_investigation", "private_life", "state_secret"][i % 3].into(),
                    ),
                    note: Some(
                        "Thông tin thuộc trường hợp không được cung cấp theo Điều 38 Luật Báo chí."
                            .into(),
                    ),
                    ..Default::default()
                },
            )
        } else {
            (
                officer,
                "answer",
                StepInput {
                    answer: Some("Số liệu đã được tổng hợp và gửi kèm.".into()),
                    ..Default::default()
                },
            )
        };
        store::act(db, config, &origin(who), who, &r.id, step, &input)
            .await
            .map_err(e)?;
        let responded = created + PAST_HOURS[i % PAST_HOURS.len()] * hour;
        let due = super::calendar::due_after(&cal, created, days).unwrap_or(created + 7 * day);
        db.execute(
            "UPDATE press_requests SET created_at = $1, assigned_at = $2, due_at = $3, responded_at = $4, answered_at = $4, updated_at = $4,
                closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE $4 END WHERE id = $5",
            args![created, created + hour, due, responded, &r.id],
        )
        .await?;
    }
    Ok(())
}
