//! The scam check in process: N indicators in a node's in-memory set (memory per
//! indicator from the process's resident size, build time), lookups of a key and whole
//! checks of typed values (p50/p99, half of them hits), and the analyzer's throughput
//! on one core with a lexicon of P phrases over 1 KB messages.
//!
//!   scamcheck_bench [N=10000000] [PHRASES=5000] [MESSAGES=FILE.tsv]
//!
//! Run by `bench/scamcheck.sh`.

use std::time::Instant;

use keng::platform::i18n::Lang;
use keng::scamcheck::model::{Indicator, Status};
use keng::scamcheck::set::Set;
use keng_indicators::lexicon::{assess, Lexicon, Phrase};

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|n| n.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize] as f64
}

/// A small deterministic generator (xorshift) so runs compare.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn phone(n: u64) -> String {
    format!("+849{:08}", n % 100_000_000)
}

fn host(n: u64) -> String {
    format!("scam-{n:x}.top/")
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let n: u64 = a.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000_000);
    let phrases: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let messages_file = a.get(3).cloned();

    // 1. The set: half phone numbers, half hosts.
    let set = Set::default();
    let before = rss_kb();
    let t = Instant::now();
    let mut template = Indicator {
        id: String::new(),
        kind: String::new(),
        lookup_key: String::new(),
        display: String::new(),
        status: Status::Published,
        report_count: 1,
        first_seen: 1_767_000_000_000,
        last_seen: 1_767_000_000_000,
        evidence: String::new(),
        warning_ids: Vec::new(),
        incident: String::new(),
        source: "bench".into(),
        version: 1,
        created_at: 0,
        updated_at: 0,
    };
    for i in 0..n {
        if i % 2 == 0 {
            template.kind = "phone".into();
            template.lookup_key = format!("phone:{}", phone(i / 2));
        } else {
            template.kind = "link".into();
            template.lookup_key = format!("url:{}", host(i / 2));
        }
        set.apply(&template);
    }
    let build = t.elapsed();
    let after = rss_kb();
    println!("| Indicators in the set | {} |", set.len());
    println!(
        "| Memory per indicator (resident size) | {:.1} bytes |",
        (after.saturating_sub(before) as f64 * 1024.0) / set.len().max(1) as f64
    );
    println!(
        "| Build time (apply, no database) | {:.1} s ({:.0} k/s) |",
        build.as_secs_f64(),
        n as f64 / build.as_secs_f64() / 1000.0
    );

    // 2. Lookups by key (SHA-256 of the key + the B-tree), half hits.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let keys: Vec<String> = (0..1_000_000)
        .map(|i| {
            let r = rng.next();
            let k = r % (n / 2).max(1);
            match (i % 2 == 0, r.is_multiple_of(2)) {
                (true, true) => format!("phone:{}", phone(k)),
                (true, false) => format!("url:{}", host(k)),
                (false, true) => format!("phone:+848{:08}", k % 100_000_000),
                (false, false) => format!("url:clean-{k:x}.vn/"),
            }
        })
        .collect();
    let mut lat = Vec::with_capacity(keys.len());
    let mut hits = 0;
    for k in &keys {
        let t = Instant::now();
        if set.get(k).is_some() {
            hits += 1;
        }
        lat.push(t.elapsed().as_nanos() as u64);
    }
    lat.sort_unstable();
    println!(
        "| Lookup of a key, 1 M (hits {:.0} %) | p50 {:.2} µs · p99 {:.2} µs |",
        hits as f64 / keys.len() as f64 * 100.0,
        pct(&lat, 0.5) / 1000.0,
        pct(&lat, 0.99) / 1000.0
    );

    // 3. Whole checks of typed values (recognise + normalise + every key looked up).
    let values: Vec<String> = (0..200_000u64)
        .map(|i| {
            let r = rng.next() % (n / 2).max(1);
            match i % 4 {
                0 => format!("0{} {}", &phone(r)[3..6], &phone(r)[6..]),
                1 => format!("https://{}login?x={i}", host(r)),
                2 => format!(
                    "0{}.{}.{}",
                    &phone(r)[3..6],
                    &phone(r)[6..9],
                    &phone(r)[9..]
                ),
                _ => format!("Vietcombank {:013}", r),
            }
        })
        .collect();
    let mut lat = Vec::with_capacity(values.len());
    let mut verified = 0;
    for v in &values {
        let t = Instant::now();
        if let Ok(a) = keng::scamcheck::check::check(set_ready(&set), v, Lang::Vi) {
            if a.verdict == keng::scamcheck::model::Verdict::Verified {
                verified += 1;
            }
        }
        lat.push(t.elapsed().as_nanos() as u64);
    }
    lat.sort_unstable();
    println!(
        "| Whole check of a typed value, 200 k ({:.0} % verified) | p50 {:.2} µs · p99 {:.2} µs |",
        verified as f64 / values.len() as f64 * 100.0,
        pct(&lat, 0.5) / 1000.0,
        pct(&lat, 0.99) / 1000.0
    );

    // 4. The analyzer's matching on one core: P phrases, 1 KB messages.
    let mut words: Vec<String> = keng::scamcheck::defaults::phrases()
        .into_iter()
        .map(|p| p.text)
        .collect();
    let syllables = [
        "chuyen", "khoan", "tai", "ngan", "hang", "nhan", "qua", "tang", "lien", "he", "ngay",
        "xac", "minh", "mat", "khau", "don", "hang", "phi", "giao", "dich",
    ];
    while words.len() < phrases {
        let a = syllables[(rng.next() % 20) as usize];
        let b = syllables[(rng.next() % 20) as usize];
        let c = syllables[(rng.next() % 20) as usize];
        words.push(format!("{a} {b} {c} {}", words.len()));
    }
    let lex = Lexicon::new(
        words
            .iter()
            .take(phrases)
            .enumerate()
            .map(|(i, w)| Phrase {
                pattern: format!("p{}", i % 40),
                text: w.clone(),
                weight: 1.0,
            })
            .collect(),
    )
    .expect("lexicon");
    let base: Vec<String> = match &messages_file {
        Some(f) => std::fs::read_to_string(f)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(3).map(str::to_string))
            .collect(),
        None => vec!["Vietcombank thong bao tai khoan cua quy khach bi tam khoa, dang nhap vcb-hotro.top ngay.".into()],
    };
    let msgs: Vec<String> = (0..5000)
        .map(|i| {
            let mut m = String::new();
            let mut j = i;
            while m.len() < 1024 {
                m.push_str(&base[j % base.len()]);
                m.push(' ');
                j += 7;
            }
            m.chars().take(1024).collect()
        })
        .collect();
    let banks = keng_indicators::bank::default_banks();
    let model = keng_indicators::model::Model::parse(include_str!("../data/scam-model.tsv"))
        .expect("the shipped model");
    let t = Instant::now();
    let mut high = 0;
    for m in &msgs {
        let folded = keng_indicators::message::fold_message(m);
        let hits = lex.hits(&folded);
        let found = keng_indicators::message::extract(m, &banks);
        let pts = keng_indicators::model::points(model.probability(&folded));
        if assess(&hits, &[], pts).risk == keng_indicators::lexicon::Risk::High {
            high += 1;
        }
        std::hint::black_box(found);
    }
    let e = t.elapsed();
    println!(
        "| Analyzer on one core: fold + {} phrases + model + indicator extraction, 1 KB messages | {:.0} messages/s ({} of {} high) |",
        lex.len(),
        msgs.len() as f64 / e.as_secs_f64(),
        high,
        msgs.len()
    );
}

/// The set marked ready (it is filled by hand here, not by the loader).
fn set_ready(set: &Set) -> &Set {
    set.mark_ready();
    set
}
