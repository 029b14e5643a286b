//! Writes a sample share card in both shapes (SVG and PNG) and the three posts into a
//! folder, then draws each shape N more times and prints the render time's median, p99
//! and slowest: `cargo run --release -p keng-share --example card -- /tmp/cards 50`.

use keng_share::card::{svg, Accent, Card, Section, Shape};
use keng_share::posts::{text, Length, Post};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "cards".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    std::fs::create_dir_all(&dir)?;
    let card = Card {
        band: "CẢNH BÁO · THỦ ĐOẠN LỪA ĐẢO".into(),
        issuer: "CÔNG AN TỈNH THANH HÓA".into(),
        headline: "Giả danh công an, viện kiểm sát gọi điện yêu cầu chuyển tiền để “xác minh” tài khoản".into(),
        sections: vec![
            Section {
                title: "Dấu hiệu nhận biết".into(),
                items: vec![
                    "Người gọi xưng là cán bộ công an, viện kiểm sát hoặc toà án, biết họ tên và số căn cước của bạn".into(),
                    "Đe doạ bạn liên quan đến một vụ án và yêu cầu giữ bí mật với gia đình".into(),
                    "Yêu cầu chuyển tiền vào “tài khoản tạm giữ” hoặc cài ứng dụng lạ qua đường link".into(),
                ],
            },
            Section {
                title: "Cần làm".into(),
                items: vec![
                    "Cúp máy, không chuyển tiền, không cài ứng dụng theo hướng dẫn".into(),
                    "Báo ngay cho công an xã, phường nơi cư trú".into(),
                ],
            },
        ],
        call_label: "Gọi ngay".into(),
        contact: "113 hoặc 0237 3 852 045".into(),
        footer: "congan.thanhhoa.example/canh-bao/9".into(),
        accent: Accent::Red,
    };
    for shape in Shape::ALL {
        let doc = svg(&card, shape);
        std::fs::write(format!("{dir}/{}.svg", shape.as_str()), &doc)?;
        let started = std::time::Instant::now();
        let png = keng_share::render::png(&doc)?;
        println!(
            "{}: {} bytes in {:?}",
            shape.as_str(),
            png.len(),
            started.elapsed()
        );
        std::fs::write(format!("{dir}/{}.png", shape.as_str()), png)?;
        let mut times: Vec<f64> = (0..n.max(1))
            .map(|_| {
                let t = std::time::Instant::now();
                let _ = keng_share::render::png(&svg(&card, shape));
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        println!(
            "{}: {} renders (layout + resvg + PNG): p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms",
            shape.as_str(),
            times.len(),
            at(0.5),
            at(0.99),
            at(1.0)
        );
    }
    let post = Post {
        kicker: "CẢNH BÁO LỪA ĐẢO".into(),
        headline: card.headline.clone(),
        signs: card.sections[0].items.clone(),
        advice: card.sections[1].items.clone(),
        signs_label: "Dấu hiệu nhận biết".into(),
        advice_label: "Cần làm".into(),
        call_label: "Gọi".into(),
        more_label: "Chi tiết".into(),
        contact: card.contact.clone(),
        url: "https://congan.thanhhoa.example/canh-bao/9".into(),
        hashtags: vec!["CanhBaoLuaDao".into()],
        ..Post::default()
    };
    for length in Length::ALL {
        std::fs::write(
            format!("{dir}/{}.txt", length.as_str()),
            text(&post, length),
        )?;
    }
    Ok(())
}
