//! The coordination with the press in numbers, for a span (a year, a campaign, any two
//! dates): per agency, per journalist, per month and per category — stories carried,
//! bulletins picked up and their share of those released, the time from release to an
//! agency's first story, who carried a bulletin first; and the press desk's side
//! (requests made and responded to, press conferences attended, and — from
//! `platform::usage` — feed reads, live-stream connections and downloads). Every count is of
//! records `GET /api/v1/coverage` lists, so a number can be traced to its stories. The
//! warnings the press carried are counted too (they reach people through the press).
//!
//! Reads `newsroom::store::list` (the bulletins the press received),
//! `press_desk::store::requests_per_journalist`, `press_desk::events::{held,
//! attendance}`, `stats::campaigns::get` and `accounts::store`.

use std::collections::{BTreeMap, HashMap, HashSet};

use keng_charts::{columns, hbars, median, Chart, Series};
use serde::{Deserialize, Serialize};

use crate::accounts::store as accounts;
use crate::args;
use crate::newsroom::store::{list, ListFilter};
use crate::newsroom::visibility::Viewer;
use crate::platform::clock::{self, now_ms};
use crate::platform::db::Db;
use crate::platform::errors::{AppError, AppResult};
use crate::platform::i18n::{t, Lang};
use crate::platform::permissions::Role;

/// What a review or the metrics cover.
#[derive(Debug, Clone, Serialize)]
pub struct Span {
    /// Unix milliseconds, `[from, to)`.
    pub from: i64,
    pub to: i64,
    /// "năm 2025", or the campaign's name and dates.
    pub label: String,
    /// The year the span belongs to (commendations are given per year).
    pub year: i32,
    /// The query that names it again (`year=2025`, `campaign=…`).
    pub query: String,
}

/// `?year=2025`, `?campaign=<id>` or `?from=2025-01-01&to=2025-03-31` (default: this year).
#[derive(Debug, Clone, Deserialize, Default, utoipa::IntoParams)]
pub struct SpanQuery {
    pub year: Option<String>,
    /// A peak campaign of the figures (its period).
    pub campaign: Option<String>,
    /// First day, YYYY-MM-DD or dd/mm/yyyy.
    pub from: Option<String>,
    /// Last day (included).
    pub to: Option<String>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The span a query names.
pub async fn span_of(db: &Db, q: &SpanQuery, lang: Lang) -> AppResult<Span> {
    let bad = |field: &'static str| AppError::invalid(field, "err.coverage_bad_span");
    let day_ms = |d: chrono::NaiveDate| clock::parse_local_date(&d.format("%Y-%m-%d").to_string());
    // The day after `d`, for a span's end (none past chrono's last day).
    let next = |d: chrono::NaiveDate| d.checked_add_signed(chrono::Duration::days(1));
    let sane = |d: &chrono::NaiveDate| (2000..=2100).contains(&chrono::Datelike::year(d));
    if let Some(c) = given(&q.campaign) {
        let c = crate::stats::campaigns::get(db, c)
            .await?
            .ok_or(bad("campaign"))?;
        let p = c.period().ok_or(bad("campaign"))?;
        let from = day_ms(p.from).ok_or(bad("campaign"))?;
        let to = next(p.to).and_then(day_ms).ok_or(bad("campaign"))?;
        return Ok(Span {
            from,
            to,
            label: format!(
                "{} ({} – {})",
                c.name,
                p.from.format("%d/%m/%Y"),
                p.to.format("%d/%m/%Y")
            ),
            year: chrono::Datelike::year(&p.to),
            query: format!("campaign={}", c.id),
        });
    }
    if given(&q.from).is_some() || given(&q.to).is_some() {
        let from = given(&q.from)
            .and_then(clock::parse_date)
            .filter(sane)
            .ok_or(bad("from"))?;
        let to = given(&q.to)
            .and_then(clock::parse_date)
            .filter(sane)
            .ok_or(bad("to"))?;
        if to < from || (to - from).num_days() > 3700 {
            return Err(bad("to"));
        }
        return Ok(Span {
            from: day_ms(from).ok_or(bad("from"))?,
            to: next(to).and_then(day_ms).ok_or(bad("to"))?,
            label: format!(
                "{} {} {} {}",
                t(lang, "coverage.span_from"),
                from.format("%d/%m/%Y"),
                t(lang, "coverage.span_to"),
                to.format("%d/%m/%Y")
            ),
            year: chrono::Datelike::year(&to),
            query: format!(
                "from={}&to={}",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
        });
    }
    let year = match given(&q.year) {
        None => clock::local_year(now_ms()),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(bad("year"))?,
    };
    Ok(Span {
        from: clock::parse_local_date(&format!("{year}-01-01")).ok_or(bad("year"))?,
        to: clock::parse_local_date(&format!("{}-01-01", year + 1)).ok_or(bad("year"))?,
        label: format!("{} {year}", t(lang, "coverage.span_year")),
        year,
        query: format!("year={year}"),
    })
}

/// One agency's year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgencyLine {
    pub agency_id: String,
    pub code: String,
    pub name: String,
    /// Stories carried (online, print, radio, TV).
    pub stories: i64,
    /// Bulletins it carried at least once.
    pub picked: i64,
    /// `picked` over the bulletins released in the span, in per cent.
    pub share_pct: Option<f64>,
    /// Median minutes from a bulletin's release to this agency's first story on it.
    pub median_pickup_minutes: Option<f64>,
    /// Bulletins it carried before any other agency.
    pub first: i64,
    /// Stories by medium (online, print, radio, tv).
    pub by_medium: BTreeMap<String, i64>,
    /// Requests for information or interviews its reporters made, and those responded to.
    pub requests: i64,
    pub responded: i64,
    /// Check-ins of its reporters at press conferences and events held.
    pub attended: i64,
    /// Warnings published in the span it carried, and its stories about them.
    pub warnings_picked: i64,
    pub warning_stories: i64,
    /// Its accounts' reads of their press feeds, live-stream connections and attachment
    /// downloads.
    pub feed_reads: i64,
    pub stream_connections: i64,
    pub downloads: i64,
}

/// One journalist's year (by byline, joined to their account when the name matches one
/// of the agency's accredited reporters).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JournalistLine {
    pub name: String,
    pub agency_id: String,
    pub agency: String,
    pub user_id: Option<String>,
    pub stories: i64,
    pub picked: i64,
    pub median_pickup_minutes: Option<f64>,
    pub first: i64,
    pub requests: i64,
    pub attended: i64,
}

/// A month (of release) or a category.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupLine {
    /// "2025-01", or the category's code.
    pub key: String,
    pub label: String,
    pub released: i64,
    pub picked: i64,
    pub stories: i64,
    pub median_pickup_minutes: Option<f64>,
}

/// The metrics of a span.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CoverageMetrics)]
pub struct Metrics {
    pub from: i64,
    pub to: i64,
    pub label: String,
    /// Bulletins the press received in the span.
    pub released: i64,
    /// Of those, carried by at least one agency.
    pub picked: i64,
    pub share_pct: Option<f64>,
    pub stories: i64,
    /// Median minutes from release to the first story of any agency.
    pub median_pickup_minutes: Option<f64>,
    pub conferences: i64,
    /// Warnings published to the public in the span (test warnings never count), and
    /// those at least one agency carried.
    pub warnings_released: i64,
    pub warnings_picked: i64,
    pub agencies: Vec<AgencyLine>,
    pub journalists: Vec<JournalistLine>,
    pub months: Vec<GroupLine>,
    pub categories: Vec<GroupLine>,
    /// Initial information, press releases, case updates.
    pub kinds: Vec<GroupLine>,
}

/// A released bulletin, as counted.
struct Released {
    at: i64,
    category: String,
    kind: String,
}

/// One story, as counted.
struct Story {
    bulletin_id: String,
    agency_id: String,
    medium: String,
    journalist: Option<String>,
    published_at: i64,
}

/// The bulletins the press received in `[from, to)`: id → when and what.
async fn released(db: &Db, from: i64, to: i64) -> AppResult<HashMap<String, Released>> {
    let mut out = HashMap::new();
    let mut offset = 0;
    loop {
        // The listing filters on the public release; an embargoed bulletin reached the
        // press up to weeks before, so read a month more and keep what the press had. A
        // bulletin withdrawn later was still given out: a past year's figures stay.
        let page = list(
            db,
            Viewer::Press,
            &ListFilter {
                from_ms: Some(from - 31 * 86_400_000),
                to_ms: Some(to.saturating_add(31 * 86_400_000)),
                limit: 500,
                offset,
                ..Default::default()
            },
            true,
        )
        .await?;
        let last = page.len() < 500;
        for b in page {
            if let Some(at) = b.press_released_at.or(b.released_at).or(b.published_at) {
                if at >= from && at < to {
                    out.insert(
                        b.id,
                        Released {
                            at,
                            category: b.category,
                            kind: b.kind,
                        },
                    );
                }
            }
        }
        if last {
            break;
        }
        offset += 500;
    }
    Ok(out)
}

async fn stories(db: &Db, from: i64, to: i64) -> AppResult<Vec<Story>> {
    let rows = db
        .fetch_all(
            "SELECT c.bulletin_id, c.agency_id, c.medium, c.published_at, COALESCE(c.journalist, a.author) AS byline
             FROM coverage c LEFT JOIN press_articles a ON a.id = c.article_id
             WHERE c.bulletin_released_at >= $1 AND c.bulletin_released_at < $2
             ORDER BY c.published_at, c.id",
            args![from, to],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(Story {
            bulletin_id: r.str("bulletin_id")?,
            agency_id: r.str("agency_id")?,
            medium: r.str("medium")?,
            journalist: super::store::byline(r.opt_str("byline")?.as_deref()),
            published_at: r.i64("published_at")?,
        });
    }
    Ok(out)
}

/// A name as compared: canonical Vietnamese in lowercase, without the "PV", "PV.",
/// "Nhóm PV", "Theo", "BTV", "CTV" a byline may start with.
pub fn name_key(name: &str) -> String {
    let c = keng_text::accent_key(name);
    let mut words: Vec<&str> = c.split_whitespace().collect();
    while words.first().is_some_and(|w| {
        matches!(
            w.trim_end_matches(['.', ':']),
            "pv" | "phóng" | "viên" | "nhóm" | "btv" | "ctv" | "theo"
        )
    }) {
        words.remove(0);
    }
    words.join(" ")
}

/// Counts a group of stories: how many, by medium, and each bulletin's first story.
#[derive(Default)]
struct Tally {
    stories: i64,
    /// bulletin → first story's time.
    firsts: HashMap<String, i64>,
    by_medium: BTreeMap<String, i64>,
}

impl Tally {
    fn add(&mut self, s: &Story) {
        self.stories += 1;
        *self.by_medium.entry(s.medium.clone()).or_default() += 1;
        let e = self
            .firsts
            .entry(s.bulletin_id.clone())
            .or_insert(s.published_at);
        *e = (*e).min(s.published_at);
    }

    fn picked(&self) -> i64 {
        self.firsts.len() as i64
    }

    fn median_pickup(&self, rel: &HashMap<String, Released>) -> Option<f64> {
        let minutes: Vec<f64> = self
            .firsts
            .iter()
            .filter_map(|(b, at)| rel.get(b).map(|r| ((at - r.at).max(0) / 60_000) as f64))
            .collect();
        median(&minutes)
    }
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Computes the metrics of a span.
pub async fn load(db: &Db, span: &Span, lang: Lang) -> AppResult<Metrics> {
    let rel = released(db, span.from, span.to).await?;
    let all: Vec<Story> = stories(db, span.from, span.to)
        .await?
        .into_iter()
        .filter(|s| rel.contains_key(&s.bulletin_id))
        .collect();
    let agencies = accounts::list_agencies(db).await?;
    let agency_name: HashMap<&str, &str> = agencies
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();

    // Who carried each bulletin first.
    let mut first_of: HashMap<&str, (i64, &str)> = HashMap::new();
    for s in &all {
        let e = first_of
            .entry(s.bulletin_id.as_str())
            .or_insert((s.published_at, s.agency_id.as_str()));
        if s.published_at < e.0 {
            *e = (s.published_at, s.agency_id.as_str());
        }
    }
    let mut first_agency: HashMap<&str, i64> = HashMap::new();
    for (_, a) in first_of.values() {
        *first_agency.entry(a).or_default() += 1;
    }

    // Per agency.
    let mut per_agency: HashMap<&str, Tally> = HashMap::new();
    let mut total = Tally::default();
    for s in &all {
        per_agency.entry(s.agency_id.as_str()).or_default().add(s);
        total.add(s);
    }

    // The press desk's side, per journalist account.
    let journalists = accounts::list_users(
        db,
        &accounts::UserFilter {
            role: Some(Role::Journalist),
            ..Default::default()
        },
    )
    .await?;
    let requests =
        crate::press_desk::store::requests_per_journalist(db, span.from, span.to).await?;
    let attendance: HashMap<String, i64> =
        crate::press_desk::events::attendance(db, span.from, span.to)
            .await?
            .into_iter()
            .collect();
    let agency_of_user: HashMap<&str, &str> = journalists
        .iter()
        .filter_map(|u| Some((u.id.as_str(), u.agency_id.as_deref()?)))
        .collect();
    let mut agency_requests: HashMap<String, (i64, i64)> = HashMap::new();
    let mut user_requests: HashMap<&str, i64> = HashMap::new();
    for (j, a, n, r) in &requests {
        let agency = a
            .clone()
            .or_else(|| agency_of_user.get(j.as_str()).map(|s| s.to_string()));
        if let Some(a) = agency {
            let e = agency_requests.entry(a).or_default();
            e.0 += n;
            e.1 += r;
        }
        *user_requests.entry(j.as_str()).or_default() += n;
    }
    let mut agency_attended: HashMap<&str, i64> = HashMap::new();
    for u in &journalists {
        if let (Some(a), Some(n)) = (u.agency_id.as_deref(), attendance.get(&u.id)) {
            *agency_attended.entry(a).or_default() += n;
        }
    }

    let released_n = rel.len() as i64;
    let warning_pickups = super::store::warning_pickups(db, span.from, span.to).await?;
    let usage = crate::platform::usage::sums(db, span.from, span.to).await?;
    let used = |agency: &str, what: &str| {
        usage
            .get(&(agency.to_string(), what.to_string()))
            .copied()
            .unwrap_or(0)
    };
    let mut agency_lines: Vec<AgencyLine> = agencies
        .iter()
        .map(|a| {
            let t = per_agency.get(a.id.as_str());
            let picked = t.map(Tally::picked).unwrap_or(0);
            let (requests, responded) = agency_requests.get(&a.id).copied().unwrap_or((0, 0));
            AgencyLine {
                agency_id: a.id.clone(),
                code: a.code.clone(),
                name: a.name.clone(),
                stories: t.map(|t| t.stories).unwrap_or(0),
                picked,
                share_pct: pct(picked, released_n),
                median_pickup_minutes: t.and_then(|t| t.median_pickup(&rel)),
                first: first_agency.get(a.id.as_str()).copied().unwrap_or(0),
                by_medium: t.map(|t| t.by_medium.clone()).unwrap_or_default(),
                requests,
                responded,
                attended: agency_attended.get(a.id.as_str()).copied().unwrap_or(0),
                warnings_picked: warning_pickups.get(&a.id).map_or(0, |w| w.0),
                warning_stories: warning_pickups.get(&a.id).map_or(0, |w| w.1),
                feed_reads: used(&a.id, crate::platform::usage::FEED),
                stream_connections: used(&a.id, crate::platform::usage::STREAM),
                downloads: used(&a.id, crate::platform::usage::DOWNLOAD),
            }
        })
        .collect();
    agency_lines.sort_by(|a, b| {
        b.stories
            .cmp(&a.stories)
            .then(b.picked.cmp(&a.picked))
            .then(a.name.cmp(&b.name))
    });

    // Per journalist: bylines joined to accounts of the same agency by name.
    let mut accounts_by_key: HashMap<(String, String), &crate::accounts::model::User> =
        HashMap::new();
    for u in &journalists {
        if let Some(a) = &u.agency_id {
            accounts_by_key.insert((a.clone(), name_key(&u.display_name)), u);
        }
    }
    // Per person: a name, the stories, the bulletins they carried first.
    type Person = (String, Tally, HashSet<String>);
    let mut per_person: BTreeMap<(String, String), Person> = BTreeMap::new();
    for s in &all {
        let Some(name) = &s.journalist else { continue };
        let key = (s.agency_id.clone(), name_key(name));
        if key.1.is_empty() {
            continue;
        }
        let e = per_person
            .entry(key)
            .or_insert_with(|| (name.clone(), Tally::default(), HashSet::new()));
        e.1.add(s);
        if first_of
            .get(s.bulletin_id.as_str())
            .is_some_and(|(at, a)| *at == s.published_at && *a == s.agency_id)
        {
            e.2.insert(s.bulletin_id.clone());
        }
    }
    // Reporters with requests or attendance but no byline found still count.
    for u in &journalists {
        let Some(a) = &u.agency_id else { continue };
        let active = user_requests.contains_key(u.id.as_str()) || attendance.contains_key(&u.id);
        let key = (a.clone(), name_key(&u.display_name));
        if active && !per_person.contains_key(&key) {
            per_person.insert(
                key,
                (u.display_name.clone(), Tally::default(), HashSet::new()),
            );
        }
    }
    let mut journalist_lines: Vec<JournalistLine> = per_person
        .into_iter()
        .map(|((agency_id, key), (name, t, first))| {
            let user = accounts_by_key.get(&(agency_id.clone(), key));
            let uid = user.map(|u| u.id.clone());
            JournalistLine {
                name: user.map(|u| u.display_name.clone()).unwrap_or(name),
                agency: agency_name
                    .get(agency_id.as_str())
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                agency_id,
                stories: t.stories,
                picked: t.picked(),
                median_pickup_minutes: t.median_pickup(&rel),
                first: first.len() as i64,
                requests: uid
                    .as_deref()
                    .and_then(|u| user_requests.get(u).copied())
                    .unwrap_or(0),
                attended: uid
                    .as_deref()
                    .and_then(|u| attendance.get(u).copied())
                    .unwrap_or(0),
                user_id: uid,
            }
        })
        .collect();
    journalist_lines.sort_by(|a, b| {
        b.stories
            .cmp(&a.stories)
            .then(b.first.cmp(&a.first))
            .then(a.name.cmp(&b.name))
    });

    // Per month of release and per category.
    let group = |key_of: &dyn Fn(&Released) -> String,
                 label_of: &dyn Fn(&str) -> String|
     -> Vec<GroupLine> {
        let mut released: BTreeMap<String, i64> = BTreeMap::new();
        for r in rel.values() {
            *released.entry(key_of(r)).or_default() += 1;
        }
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        for s in &all {
            if let Some(r) = rel.get(&s.bulletin_id) {
                tallies.entry(key_of(r)).or_default().add(s);
            }
        }
        released
            .into_iter()
            .map(|(k, n)| {
                let t = tallies.get(&k);
                GroupLine {
                    label: label_of(&k),
                    released: n,
                    picked: t.map(Tally::picked).unwrap_or(0),
                    stories: t.map(|t| t.stories).unwrap_or(0),
                    median_pickup_minutes: t.and_then(|t| t.median_pickup(&rel)),
                    key: k,
                }
            })
            .collect()
    };
    let months = group(&|r| clock::local_month(r.at), &|k| month_label(k, lang));
    let mut categories = group(&|r| r.category.clone(), &|k| {
        t(lang, &format!("category.{k}"))
    });
    categories.sort_by(|a, b| b.released.cmp(&a.released).then(a.key.cmp(&b.key)));
    let kinds = group(&|r| r.kind.clone(), &|k| t(lang, &format!("kind.{k}")));

    Ok(Metrics {
        from: span.from,
        to: span.to,
        label: span.label.clone(),
        released: released_n,
        picked: total.picked(),
        share_pct: pct(total.picked(), released_n),
        stories: total.stories,
        median_pickup_minutes: total.median_pickup(&rel),
        conferences: crate::press_desk::events::held(db, span.from, span.to).await?,
        warnings_released: crate::warnings::store::issued_between(db, span.from, span.to)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum(),
        warnings_picked: super::store::warnings_carried(db, span.from, span.to).await?,
        agencies: agency_lines,
        journalists: journalist_lines,
        months,
        categories,
        kinds,
    })
}

/// "01/2025" / "Jan 2025".
fn month_label(key: &str, lang: Lang) -> String {
    match (key.split_once('-'), lang) {
        (Some((y, m)), Lang::Vi) => format!("{m}/{y}"),
        (Some((y, m)), Lang::En) => {
            const NAMES: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let i = m.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
            format!("{} {y}", NAMES[i])
        }
        _ => key.to_string(),
    }
}

/// "45 phút", "3 giờ 20 phút", "2 ngày 4 giờ".
pub fn duration_text(minutes: i64, lang: Lang) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let (dn, hn, mn) = match lang {
        Lang::Vi => ("ngày", "giờ", "phút"),
        Lang::En => ("d", "h", "min"),
    };
    if d > 0 {
        format!("{d} {dn} {h} {hn}")
    } else if h > 0 {
        format!("{h} {hn} {m} {mn}")
    } else {
        format!("{m} {mn}")
    }
}

/// A chart's heading, its SVG (the page) and what it shows (the DOCX draws it again).
#[derive(Debug, Serialize)]
pub struct Drawn {
    pub title: String,
    pub svg: String,
    #[serde(skip)]
    pub chart: Chart,
}

/// The metrics' charts: stories and bulletins per agency, share picked up, time to the
/// first story, and the months.
pub fn charts(m: &Metrics, lang: Lang) -> Vec<Drawn> {
    let tr = |k: &str| t(lang, &format!("coverage.{k}"));
    let shown: Vec<&AgencyLine> = m
        .agencies
        .iter()
        .filter(|a| a.stories > 0 || a.requests > 0)
        .collect();
    let mut out = Vec::new();
    if !shown.is_empty() {
        let names: Vec<String> = shown.iter().map(|a| a.name.clone()).collect();
        let chart = Chart {
            title: tr("chart_agencies"),
            desc: tr("chart_agencies_desc"),
            categories: names.clone(),
            series: vec![
                Series::new(tr("col_stories"), shown.iter().map(|a| a.stories as f64)),
                Series::new(tr("col_picked"), shown.iter().map(|a| a.picked as f64)),
            ],
            unit: String::new(),
        };
        out.push(Drawn {
            title: chart.title.clone(),
            svg: hbars(&chart),
            chart,
        });
        let chart = Chart {
            title: tr("chart_share"),
            desc: tr("chart_share_desc"),
            categories: names.clone(),
            series: vec![Series::new(
                tr("col_share"),
                shown.iter().map(|a| a.share_pct.unwrap_or(0.0)),
            )],
            unit: "%".into(),
        };
        out.push(Drawn {
            title: chart.title.clone(),
            svg: hbars(&chart),
            chart,
        });
        let timed: Vec<&&AgencyLine> = shown
            .iter()
            .filter(|a| a.median_pickup_minutes.is_some())
            .collect();
        if !timed.is_empty() {
            let chart = Chart {
                title: tr("chart_pickup"),
                desc: tr("chart_pickup_desc"),
                categories: timed.iter().map(|a| a.name.clone()).collect(),
                series: vec![Series::new(
                    tr("col_pickup_hours"),
                    timed
                        .iter()
                        .map(|a| a.median_pickup_minutes.unwrap_or(0.0) / 60.0),
                )],
                unit: match lang {
                    Lang::Vi => "giờ".into(),
                    Lang::En => "h".into(),
                },
            };
            out.push(Drawn {
                title: chart.title.clone(),
                svg: hbars(&chart),
                chart,
            });
        }
    }
    if !m.months.is_empty() {
        let chart = Chart {
            title: tr("chart_months"),
            desc: tr("chart_months_desc"),
            categories: m.months.iter().map(|g| g.label.clone()).collect(),
            series: vec![
                Series::new(
                    tr("col_released"),
                    m.months.iter().map(|g| g.released as f64),
                ),
                Series::new(tr("col_picked"), m.months.iter().map(|g| g.picked as f64)),
            ],
            unit: String::new(),
        };
        out.push(Drawn {
            title: chart.title.clone(),
            svg: columns(&chart),
            chart,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byline_is_compared_without_its_title_and_accents_of_either_form() {
        assert_eq!(name_key("PV Nguyễn Văn An"), name_key("Nguyễn Văn An"));
        assert_eq!(name_key("Nhóm PV  Lê Thị Hoa"), name_key("Lê Thị Hoa"));
        assert_eq!(name_key("Theo PV. Lê Thị Hoa"), name_key("Lê Thị Hoa"));
        // Precomposed and combining tone marks are the same name.
        assert_eq!(
            name_key("Nguyễn Thị Thuý"),
            name_key("Nguye\u{302}\u{303}n Thi\u{323} Thu\u{301}y")
        );
        assert_ne!(name_key("Lê Văn Hải"), name_key("Lê Văn Hài"));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_text(45, Lang::Vi), "45 phút");
        assert_eq!(duration_text(200, Lang::Vi), "3 giờ 20 phút");
        assert_eq!(duration_text(3120, Lang::En), "2 d 4 h");
    }
}
