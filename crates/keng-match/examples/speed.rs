//! How fast an article is matched: N synthetic bulletins (the shapes of
//! `fixtures/make.py`, seeded), M articles (rewrites of random bulletins, briefs, news
//! about something else), matched on one thread; beside it, in the same run, the same
//! articles scored the naive way (every bulletin in the window, no index) for a sample.
//!   cargo run --release -p keng-match --example speed -- 100000 10000
//! Prints the index build time, articles per second, per-article p50/p99, RSS, and the
//! naive scan's articles per second.

use std::time::Instant;

use keng_match::{pairs, Bulletin, Index, Window};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const DISTRICTS: &[&str] = &[
    "Hoằng Hoá",
    "Quảng Xương",
    "Nghi Sơn",
    "Thọ Xuân",
    "Đông Sơn",
    "Sầm Sơn",
    "Bỉm Sơn",
    "Hậu Lộc",
    "Nga Sơn",
    "Hà Trung",
    "Vĩnh Lộc",
    "Thạch Thành",
    "Cẩm Thuỷ",
    "Ngọc Lặc",
    "Lang Chánh",
    "Bá Thước",
    "Quan Hoá",
    "Quan Sơn",
    "Mường Lát",
    "Thường Xuân",
    "Như Xuân",
    "Như Thanh",
    "Nông Cống",
    "Triệu Sơn",
    "Thiệu Hoá",
    "Yên Định",
];
const COMMUNES: &[&str] = &[
    "Hoằng Lộc",
    "Quảng Thành",
    "Hải Bình",
    "Xuân Lai",
    "Đông Tiến",
    "Trung Sơn",
    "Ba Đình",
    "Hoa Lộc",
    "Nga Thuỷ",
    "Hà Long",
    "Vĩnh Hùng",
    "Thành Vinh",
    "Cẩm Tú",
    "Minh Sơn",
    "Đồng Lương",
    "Điền Quang",
    "Hồi Xuân",
    "Sơn Lư",
    "Trung Lý",
    "Xuân Cẩm",
    "Thanh Quân",
    "Mậu Lâm",
    "Tế Lợi",
    "Hợp Thành",
    "Thiệu Giang",
    "Định Liên",
    "Đông Hương",
    "Quảng Hưng",
];
const CRIMES: &[&str] = &[
    "mua bán trái phép chất ma tuý",
    "tàng trữ trái phép chất ma tuý",
    "trộm cắp tài sản",
    "trộm cắp xe máy",
    "lừa đảo chiếm đoạt tài sản qua mạng",
    "giả danh cơ quan công an gọi điện lừa đảo",
    "vi phạm nồng độ cồn",
    "đua xe trái phép",
    "cố ý gây thương tích",
    "gây rối trật tự công cộng",
    "đánh bạc",
];
const EVIDENCE: &[&str] = &[
    "thu giữ {n} gam heroin",
    "thu hồi {n} xe máy",
    "phong toả {n} tài khoản ngân hàng",
    "tạm giữ {n} phương tiện",
    "thu giữ {n} triệu đồng",
];
const MORE: &[&str] = &["Hiện vụ việc đang được cơ quan điều tra tiếp tục làm rõ.", "Công an tỉnh khuyến cáo người dân nâng cao cảnh giác, kịp thời cung cấp thông tin cho cơ quan công an.", "Các đối tượng đã khai nhận hành vi phạm tội.", "Vụ việc được phát hiện nhờ tin báo của quần chúng nhân dân."];

fn bulletin(r: &mut Rng) -> (String, String, String, usize, String) {
    let (d, c, crime) = (r.pick(DISTRICTS), r.pick(COMMUNES), r.pick(CRIMES));
    let n = 1 + r.below(12);
    let ev = r
        .pick(EVIDENCE)
        .replace("{n}", &(1 + r.below(900)).to_string());
    let text = format!(
        "{d}: bắt {n} đối tượng {crime}. Công an huyện {d} vừa bắt giữ {n} đối tượng về hành vi {crime} tại xã {c}. Tang vật: {ev}. {} {}",
        r.pick(MORE),
        r.pick(MORE)
    );
    (
        text,
        d.to_string(),
        c.to_string(),
        n,
        format!("{crime}|{ev}"),
    )
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|x| x.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n_bulletins, n_articles) = (
        args.first().copied().unwrap_or(100_000),
        args.get(1).copied().unwrap_or(10_000),
    );
    let mut r = Rng(0x6b65_6e67_2026);
    let day = 86_400i64;
    let start = 1_735_689_600i64;
    let mut texts = Vec::with_capacity(n_bulletins);
    let mut facts = Vec::with_capacity(n_bulletins);
    let mut times = Vec::with_capacity(n_bulletins);
    for _ in 0..n_bulletins {
        let (t, d, c, n, rest) = bulletin(&mut r);
        texts.push(t);
        facts.push((d, c, n, rest));
        times.push(start + (r.below(3 * 365) as i64) * day + r.below(day as usize) as i64);
    }
    // Added in order of publication, as the coverage capability rebuilds it.
    let mut order: Vec<usize> = (0..n_bulletins).collect();
    order.sort_by_key(|&i| times[i]);
    let t0 = Instant::now();
    let mut ix = Index::new(Window::default());
    for &i in &order {
        let id = format!("b{i}");
        ix.add(Bulletin {
            id: &id,
            text: &texts[i],
            published_at: times[i],
        });
    }
    let build = t0.elapsed();
    let mut articles = Vec::with_capacity(n_articles);
    for k in 0..n_articles {
        let i = r.below(n_bulletins);
        let (d, c, n, rest) = &facts[i];
        let (crime, ev) = rest.split_once('|').unwrap_or((rest, ""));
        let text = match k % 3 {
            0 => format!("Theo Công an tỉnh Thanh Hóa, lực lượng công an huyện {d} đã bắt {n} người liên quan đến hành vi {crime} xảy ra tại xã {c}. Tại thời điểm bắt giữ, lực lượng chức năng {ev}. Thời gian gần đây, tình hình tội phạm trên địa bàn có diễn biến phức tạp."),
            1 => format!("{n} đối tượng {crime} tại xã {c}, huyện {d} vừa bị bắt giữ."),
            _ => format!("Giải bóng đá thanh niên huyện {d} khai mạc với {} đội bóng, trong đó có xã {c}.", 4 + r.below(20)),
        };
        articles.push((text, times[i] + 3600, (k % 3 != 2).then_some(i)));
    }
    let mut per = Vec::with_capacity(n_articles);
    let (mut right, mut wrong, mut about) = (0usize, 0usize, 0usize);
    let t1 = Instant::now();
    for (text, at, of) in &articles {
        let s = Instant::now();
        let m = ix.matches(text, &[], *at, 3);
        per.push(s.elapsed().as_secs_f64() * 1000.0);
        about += usize::from(of.is_some());
        if let Some(top) = m.first().filter(|m| m.confidence >= 0.4) {
            if of.is_some_and(|i| top.bulletin_id == format!("b{i}")) {
                right += 1;
            } else {
                wrong += 1;
            }
        }
    }
    let total = t1.elapsed().as_secs_f64();
    per.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| per[((per.len() as f64 - 1.0) * p).round() as usize];
    // The naive way: every bulletin in the window scored by shared word pairs.
    let keys: Vec<Vec<u64>> = texts
        .iter()
        .map(|t| pairs(t).into_iter().map(|p| p.key).collect())
        .collect();
    let sample = articles.len().min(50);
    let t2 = Instant::now();
    let mut best_total = 0usize;
    for (text, at, _) in articles.iter().take(sample) {
        let mine: std::collections::HashSet<u64> = pairs(text).into_iter().map(|p| p.key).collect();
        let best = keys
            .iter()
            .zip(&times)
            .filter(|(_, t)| *at >= **t - 7200 && *at <= **t + 30 * day)
            .map(|(k, _)| k.iter().filter(|x| mine.contains(x)).count())
            .max()
            .unwrap_or(0);
        best_total += best;
    }
    let naive = t2.elapsed().as_secs_f64();
    println!("bulletins {n_bulletins}, articles {n_articles}");
    println!(
        "index built in {:.2} s, RSS {} MB",
        build.as_secs_f64(),
        rss_kb() / 1024
    );
    println!(
        "indexed: {:.0} articles/s on one thread, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        n_articles as f64 / total,
        q(0.5),
        q(0.99),
        per.last().copied().unwrap_or(0.0),
    );
    println!(
        "coverage found: {right} right, {wrong} wrong, of {about} articles about a bulletin (precision {:.3}, recall {:.3})",
        right as f64 / (right + wrong).max(1) as f64,
        right as f64 / about.max(1) as f64
    );
    println!(
        "naive scan (no index, {sample} articles): {:.1} articles/s ({best_total} shared pairs at best, summed)",
        sample as f64 / naive
    );
    println!(
        "ratio indexed / naive: {:.0}×",
        (n_articles as f64 / total) / (sample as f64 / naive)
    );
}
