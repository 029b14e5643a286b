//! The figures' part of the demo province: daily figures from 15 December 2023 to
//! yesterday for the communes and four departments (a seeded random walk, plausible in
//! size: a commune sees a social-order case every few weeks, the traffic police handle
//! dozens of violations a day), approved by the director and published — so that "so
//! với cùng kỳ" works for any recent period; the first month of the 2024–2025 Tết
//! campaign (15/12/2024 to 13/01/2025) sums to the seed report's totals (33 cases and
//! 73 subjects of social-order crime, 17 and 23 of theft, 35 and 84 of drugs); the
//! campaigns before the Tết of 2024, 2025, 2026 and 2027 with targets; and three wards
//! that have not reported since the week before last, so that the dashboard names them
//! and an officer can upload last week's template. Loaded in bulk (one audit record and
//! event for the whole load), not through the workflow: 13 thousand submissions.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use keng_stats::Period;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::campaigns::{self, CampaignInput};
use super::catalogue;
use super::check::Raw;
use super::model::{day_str, Units};
use crate::accounts::store as accounts;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::{local_today, now_ms};
use crate::platform::config::Config;
use crate::platform::db::{Db, Value};
use crate::platform::ids::new_id;

/// The first day of the demo's figures.
const FIRST: (i32, u32, u32) = (2023, 12, 15);

/// Departments that report daily, with their weight per field (how much more than a
/// commune they see).
const DEPARTMENTS: &[(&str, [f64; 5])] = &[
    // ttxh, theft, drugs, traffic, fire
    ("PC01", [6.0, 3.0, 0.5, 0.0, 0.0]),
    ("PC04", [0.0, 0.0, 6.0, 0.0, 0.0]),
    ("PC07", [0.0, 0.0, 0.0, 0.0, 4.0]),
    ("PC08", [0.0, 0.0, 0.0, 8.0, 0.0]),
];

/// Wards left without figures since the week before last.
const SILENT: &[&str] = &["CAP-HACTHANH", "CAP-SAMSON", "CAX-MUONGLAT"];

/// The measures the demo fills every day.
const MEASURES: [&str; 12] = [
    "ttxh.cases",
    "ttxh.subjects",
    "trom_cap.cases",
    "trom_cap.subjects",
    "ma_tuy.cases",
    "ma_tuy.subjects",
    "giao_thong.accidents",
    "giao_thong.deaths",
    "giao_thong.injuries",
    "giao_thong.violations",
    "giao_thong.fines_vnd",
    "chay_no.fires",
];

/// The seed's first month of the 2024–2025 campaign: (cases measure, cases, subjects).
const SEED: [(&str, u32, u32); 3] = [("ttxh", 33, 73), ("trom_cap", 17, 23), ("ma_tuy", 35, 84)];

fn poisson(rng: &mut StdRng, mean: f64) -> u32 {
    // Knuth's method: fine for the small means of daily counts.
    let l = (-mean).exp();
    let (mut k, mut p) = (0u32, 1.0f64);
    loop {
        p *= rng.gen::<f64>();
        if p <= l || k > 1000 {
            return k;
        }
        k += 1;
    }
}

/// One unit's figures for one day.
fn day_figures(rng: &mut StdRng, w: [f64; 5], tet: bool, weekend: bool) -> [f64; 12] {
    let season = if tet { 1.35 } else { 1.0 };
    let traffic = if weekend { 1.3 } else { 1.0 } * season;
    let cases = |rng: &mut StdRng, mean: f64| poisson(rng, mean * season);
    let with_subjects = |rng: &mut StdRng, c: u32, extra: f64| {
        let s = c + (0..c).map(|_| poisson(rng, extra)).sum::<u32>();
        (f64::from(c), f64::from(s))
    };
    let c = cases(rng, 0.035 * w[0]);
    let (a, b) = with_subjects(rng, c, 1.2);
    let c = cases(rng, 0.025 * w[1]);
    let (d, e) = with_subjects(rng, c, 0.4);
    let c = cases(rng, 0.04 * w[2]);
    let (f, g) = with_subjects(rng, c, 1.4);
    let acc = poisson(rng, 0.03 * w[3] * traffic);
    let deaths = (0..acc).filter(|_| rng.gen::<f64>() < 0.35).count() as f64;
    let injured: u32 = (0..acc).map(|_| poisson(rng, 1.1)).sum();
    let violations = poisson(rng, 4.0 * w[3] * traffic);
    let fines = f64::from(violations) * f64::from(rng.gen_range(6..=30u32)) * 100_000.0;
    let fires = poisson(rng, 0.004 * w[4]);
    [
        a,
        b,
        d,
        e,
        f,
        g,
        f64::from(acc),
        deaths,
        f64::from(injured),
        f64::from(violations),
        fines,
        f64::from(fires),
    ]
}

/// Sets the seed's totals on the first month of the 2024–2025 campaign: `cases` spread
/// over the slots at random, every case with at least one subject, the remaining
/// subjects spread over the slots that have cases.
fn fit_seed(
    rng: &mut StdRng,
    slots: &mut [&mut [f64; 12]],
    field: usize,
    cases: u32,
    subjects: u32,
) {
    if slots.is_empty() {
        return;
    }
    for s in slots.iter_mut() {
        s[field * 2] = 0.0;
        s[field * 2 + 1] = 0.0;
    }
    let n = slots.len();
    let mut with_cases = Vec::new();
    for _ in 0..cases {
        let i = rng.gen_range(0..n);
        slots[i][field * 2] += 1.0;
        slots[i][field * 2 + 1] += 1.0;
        with_cases.push(i);
    }
    for _ in 0..subjects.saturating_sub(cases) {
        let i = with_cases[rng.gen_range(0..with_cases.len())];
        slots[i][field * 2 + 1] += 1.0;
    }
}

/// Loads the figures, the campaigns and their targets.
pub async fn load(db: &Db, _config: &Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let units = Units::new(accounts::list_units(db).await?);
    let leader = accounts::user_by_username(db, "giamdoc")
        .await?
        .map(|u| u.id);
    let mut reporters: Vec<(String, [f64; 5], bool)> = Vec::new();
    for u in &units.list {
        if u.kind == "commune" {
            reporters.push((
                u.id.clone(),
                [1.0, 1.0, 1.0, 1.0, 1.0],
                SILENT.contains(&u.code.as_str()),
            ));
        }
    }
    for (code, w) in DEPARTMENTS {
        if let Some(u) = units.by_code(code) {
            reporters.push((u.id.clone(), *w, false));
        }
    }
    let first = NaiveDate::from_ymd_opt(FIRST.0, FIRST.1, FIRST.2).unwrap_or_default();
    let yesterday = local_today() - Duration::days(1);
    let silent_from = Period::week_of(local_today()).from - Duration::days(7);
    let tets: Vec<Period> = [2024, 2025, 2026, 2027]
        .iter()
        .filter_map(|y| {
            Period::tet_campaign(*y, (12, 15), keng_stats::TetSeason::ToFirstFullMoon).ok()
        })
        .collect();
    let seed_month = Period {
        from: NaiveDate::from_ymd_opt(2024, 12, 15).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2025, 1, 13).unwrap_or_default(),
    };
    let mut rng = StdRng::seed_from_u64(20250113);
    // (unit, day) → figures
    let mut all: BTreeMap<(NaiveDate, usize), [f64; 12]> = BTreeMap::new();
    let mut d = first;
    while d <= yesterday {
        let tet = tets.iter().any(|p| p.contains(d));
        let weekend = matches!(
            chrono::Datelike::weekday(&d),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        for (i, (_, w, silent)) in reporters.iter().enumerate() {
            if *silent && d >= silent_from {
                continue;
            }
            all.insert((d, i), day_figures(&mut rng, *w, tet, weekend));
        }
        d += Duration::days(1);
    }
    for (f, (_, cases, subjects)) in SEED.iter().enumerate() {
        let mut slots: Vec<&mut [f64; 12]> = all
            .iter_mut()
            .filter(|((d, _), _)| seed_month.contains(*d))
            .map(|(_, v)| v)
            .collect();
        fit_seed(&mut rng, &mut slots, f, *cases, *subjects);
    }
    let now = now_ms();
    let publish_before = yesterday - Duration::days(7);
    let mut tx = db.begin().await?;
    let mut subs: Vec<Vec<Value>> = Vec::new();
    let mut vals: Vec<Vec<Value>> = Vec::new();
    for ((d, i), figures) in &all {
        let id = new_id();
        let day = day_str(*d);
        let published = *d <= publish_before;
        subs.push(vec![
            id.clone().into(),
            reporters[*i].0.clone().into(),
            day.clone().into(),
            day.into(),
            leader.clone().into(),
            published.into(),
            if published {
                Some("Số liệu minh hoạ của tỉnh demo, sinh ngẫu nhiên có kiểm soát; không phải số liệu thật.".to_string())
            } else {
                None
            }
            .into(),
            now.into(),
        ]);
        for (m, v) in MEASURES.iter().zip(figures) {
            vals.push(vec![id.clone().into(), (*m).into(), (*v).into()]);
        }
    }
    // Short statements: the SQLite driver walks the parameter list per parameter.
    for chunk in subs.chunks(40) {
        let mut sql = String::from(
            "INSERT INTO stat_submissions (id, unit_id, period_kind, period_from, period_to, version, state, is_current,
                source, submitted_at, decided_by, decided_at, published, quality_note, published_at) VALUES ",
        );
        let mut args = Vec::new();
        for (k, row) in chunk.iter().enumerate() {
            let b = k * 8;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, 'day', ${}, ${}, 1, 'approved', TRUE, 'demo', ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1, b + 2, b + 3, b + 4, b + 8, b + 5, b + 8, b + 6, b + 7, b + 8
            ));
            args.extend(row.iter().cloned());
        }
        tx.execute(&sql, &args).await?;
    }
    for chunk in vals.chunks(100) {
        let mut sql =
            String::from("INSERT INTO stat_values (submission_id, measure_id, value) VALUES ");
        let mut args = Vec::new();
        for (k, row) in chunk.iter().enumerate() {
            let b = k * 3;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", b + 1, b + 2, b + 3));
            args.extend(row.iter().cloned());
        }
        tx.execute(&sql, &args).await?;
    }
    super::notes::rebuild(&mut tx).await?;
    record_change(
        &mut tx,
        &Origin::system("demo"),
        "stat_demo.loaded",
        "stat_demo",
        &new_id(),
        None,
        Some(serde_json::json!({ "submissions": subs.len(), "values": vals.len(), "from": day_str(first), "to": day_str(yesterday) })),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        submissions = subs.len(),
        values = vals.len(),
        ms = started.elapsed().as_millis() as u64,
        "demo figures loaded"
    );

    let cat = catalogue::load(db).await?;
    let origin = Origin::system("demo");
    let names = [
        (
            2024,
            "Cao điểm tấn công trấn áp tội phạm, bảo đảm ANTT Tết Nguyên đán Giáp Thìn 2024",
        ),
        (
            2025,
            "Cao điểm tấn công trấn áp tội phạm, bảo đảm ANTT Tết Nguyên đán Ất Tỵ 2025",
        ),
        (
            2026,
            "Cao điểm tấn công trấn áp tội phạm, bảo đảm ANTT Tết Nguyên đán Bính Ngọ 2026",
        ),
        (
            2027,
            "Cao điểm tấn công trấn áp tội phạm, bảo đảm ANTT Tết Nguyên đán Đinh Mùi 2027",
        ),
    ];
    for (year, name) in names {
        let targets: BTreeMap<String, Raw> = [
            ("ttxh.cases", 60.0),
            ("ttxh.subjects", 130.0),
            ("trom_cap.cases", 30.0),
            ("ma_tuy.cases", 60.0),
            ("ma_tuy.subjects", 140.0),
            ("giao_thong.violations", 18_000.0),
        ]
        .into_iter()
        .map(|(m, v)| (m.to_string(), Raw::Number(v)))
        .collect();
        let input = CampaignInput {
            name: name.to_string(),
            tet_year: Some(year),
            start: Some("15/12".into()),
            last_lunar_day: Some(15),
            targets,
            note: Some("Toàn tỉnh; chỉ tiêu minh hoạ cho bản demo.".into()),
            ..Default::default()
        };
        campaigns::save(db, &origin, (&cat, &units), None, &input)
            .await
            .map_err(|e| anyhow::anyhow!("demo campaign: {e}"))?;
    }
    Ok(())
}
