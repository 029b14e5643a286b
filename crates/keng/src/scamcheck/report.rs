//! Reports from the public (tố giác lừa đảo): the numbers, accounts, links they were
//! scammed with, what happened, when and where, the money lost, optionally who they
//! are (the fields the national channel, VNeID's crime report, asks for, so staff can
//! forward it), with up to five screenshots or documents (the platform's upload rules:
//! images and PDF by their first bytes, kept in the blob store; only the staff who
//! handle reports open them; the sender may add more by the code for a day, until staff
//! act). A report gets a tracking code to follow it without an account; each
//! indicator it names counts one report (a new one becomes "reported" at once, so the
//! check says so). Abuse is held back by a proof-of-work step that needs no outside
//! service (a signed challenge; the browser finds a nonce whose SHA-256 starts with
//! enough zero bits; each challenge is good for one report) and a limit per client per
//! hour counted in the database, so every node sees it. Staff triage in the queue:
//! verify or publish (the named indicators follow), reject, or merge a duplicate into
//! the report it repeats.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Form;
use hmac::{Hmac, Mac};
use minijinja::context;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::model::Status;
use super::store;
use crate::accounts::model::User;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::auth::Ctx;
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Row};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id, random_secret};
use crate::platform::permissions::{allowed, Action, Owner};
use crate::platform::state::AppState;
use crate::platform::web::page;
use keng_indicators::value::Recognised;

/// Zero bits the proof of work needs (about 65,000 hashes: a second in a browser).
pub const DIFFICULTY: u32 = 16;
/// How long a challenge is good for.
pub const CHALLENGE_TTL_MS: i64 = 30 * 60_000;
/// Reports one client may send in an hour.
pub const PER_HOUR: i64 = 5;
/// Screenshots or documents one report may carry.
pub const MAX_FILES: usize = 5;
/// How long after sending a report its sender may still add files (by its code).
pub const ADD_FILES_WITHIN_MS: i64 = 24 * 3_600_000;
/// The ways a scam reached the person.
pub const CHANNELS: [&str; 9] = [
    "call", "sms", "zalo", "facebook", "telegram", "tiktok", "website", "app", "other",
];
/// Where a report stands.
pub const STATUSES: [&str; 5] = ["received", "verified", "published", "rejected", "merged"];

// ---- proof of work ----

static SECRET: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// The signing secret, made by the first node that needs it.
async fn secret(db: &Db) -> AppResult<Vec<u8>> {
    if let Some(s) = SECRET.get() {
        return Ok(s.clone());
    }
    db.execute(
        "INSERT INTO scam_secrets (name, value) VALUES ('report-pow', $1) ON CONFLICT (name) DO NOTHING",
        args![random_secret()],
    )
    .await?;
    let v = db
        .fetch_one(
            "SELECT value FROM scam_secrets WHERE name = 'report-pow'",
            args![],
        )
        .await?
        .str("value")?
        .into_bytes();
    Ok(SECRET.get_or_init(|| v).clone())
}

fn sign(key: &[u8], body: &str) -> AppResult<String> {
    let mut m =
        Hmac::<Sha256>::new_from_slice(key).map_err(|_| AppError::Internal("hmac key".into()))?;
    m.update(b"keng-report-pow-v1:");
    m.update(body.as_bytes());
    Ok(hex::encode(&m.finalize().into_bytes()[..16]))
}

/// A challenge to solve before sending a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Challenge {
    /// "{id}.{expires_ms}.{difficulty}.{signature}": send it back as is.
    pub challenge: String,
    /// Find a nonce (decimal) so that SHA-256("{challenge}:{nonce}") starts with this
    /// many zero bits.
    pub difficulty: u32,
}

/// A new signed challenge.
pub async fn challenge(db: &Db) -> AppResult<Challenge> {
    let key = secret(db).await?;
    let id: String = hex::encode(rand::thread_rng().gen::<[u8; 12]>());
    let body = format!("{id}.{}.{DIFFICULTY}", now_ms() + CHALLENGE_TTL_MS);
    let sig = sign(&key, &body)?;
    Ok(Challenge {
        challenge: format!("{body}.{sig}"),
        difficulty: DIFFICULTY,
    })
}

fn leading_zero_bits(h: &[u8]) -> u32 {
    let mut n = 0;
    for b in h {
        if *b == 0 {
            n += 8;
        } else {
            n += b.leading_zeros();
            break;
        }
    }
    n
}

/// The nonce that solves `challenge` (what the browser's script does; tests and
/// command-line clients use it too).
pub fn solve(challenge: &str, difficulty: u32) -> u64 {
    (0u64..)
        .find(|n| {
            leading_zero_bits(&Sha256::digest(format!("{challenge}:{n}").as_bytes())) >= difficulty
        })
        .unwrap_or(0)
}

/// Checks a solved challenge; returns its id (each id is good for one report).
async fn verify_pow(db: &Db, challenge: &str, nonce: &str) -> AppResult<String> {
    let bad = || AppError::invalid("pow", "err.report_pow");
    let parts: Vec<&str> = challenge.trim().split('.').collect();
    let [id, expires, difficulty, sig] = parts.as_slice() else {
        return Err(bad());
    };
    let body = format!("{id}.{expires}.{difficulty}");
    let key = secret(db).await?;
    let want = sign(&key, &body)?;
    if !crate::platform::ids::constant_time_eq(&want, sig) {
        return Err(bad());
    }
    let expires: i64 = expires.parse().map_err(|_| bad())?;
    if expires < now_ms() {
        return Err(AppError::invalid("pow", "err.report_pow_expired"));
    }
    let difficulty: u32 = difficulty.parse().map_err(|_| bad())?;
    let nonce = nonce.trim();
    if nonce.is_empty() || nonce.len() > 20 || !nonce.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let h = Sha256::digest(format!("{}:{nonce}", challenge.trim()).as_bytes());
    if leading_zero_bits(&h) < difficulty.max(DIFFICULTY) {
        return Err(bad());
    }
    Ok((*id).to_string())
}

// ---- reports ----

/// A report as the public sends it (form or JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReportInput {
    /// The numbers, accounts, links, profiles — one a line (at most 10).
    #[serde(default)]
    pub indicators: String,
    /// What happened.
    #[serde(default)]
    pub story: String,
    /// When (YYYY-MM-DD).
    #[serde(default)]
    pub happened_on: String,
    /// Money lost, in đồng (digits; dots and spaces allowed).
    #[serde(default)]
    pub amount_lost: String,
    /// How it reached you: call, sms, zalo, facebook, telegram, tiktok, website, app, other.
    #[serde(default)]
    pub channel: String,
    /// Where it happened (commune, district).
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub reporter_name: String,
    /// A phone number or an email address to be reached at.
    #[serde(default)]
    pub reporter_contact: String,
    /// Citizen identity number (12 digits), as VNeID's report asks.
    #[serde(default)]
    pub reporter_id_number: String,
    #[serde(default)]
    pub reporter_address: String,
    /// The challenge given (see `GET /api/v1/report-challenge`).
    #[serde(default)]
    pub pow_challenge: String,
    /// The nonce found.
    #[serde(default)]
    pub pow_nonce: String,
}

/// A report as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub id: String,
    pub code: String,
    /// The indicators named: kind, display, key.
    pub indicators: Vec<NamedIndicator>,
    pub story: String,
    pub happened_on: String,
    pub amount_lost: i64,
    pub channel: String,
    pub place: String,
    pub reporter_name: String,
    pub reporter_contact: String,
    pub reporter_id_number: String,
    pub reporter_address: String,
    /// received, verified, published, rejected or merged.
    pub status: String,
    /// The code of the report this one repeats.
    pub merged_into: Option<String>,
    pub staff_note: String,
    /// Screenshots and documents sent with it (for the staff who handle reports).
    pub files: Vec<ReportFile>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A screenshot or document sent with a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportFile {
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub filename: String,
    pub created_at: i64,
}

impl ReportFile {
    fn from_row(r: &Row) -> DbResult<ReportFile> {
        Ok(ReportFile {
            sha256: r.str("sha256")?,
            mime: r.str("mime")?,
            size: r.i64("size")?,
            filename: r.str("filename")?,
            created_at: r.i64("created_at")?,
        })
    }
}

/// The files of a report, oldest first.
pub async fn files_of(db: &Db, report_id: &str) -> DbResult<Vec<ReportFile>> {
    db.fetch_all(
        "SELECT * FROM scam_report_files WHERE report_id = $1 ORDER BY created_at, sha256",
        args![report_id],
    )
    .await?
    .iter()
    .map(ReportFile::from_row)
    .collect()
}

/// An indicator a report names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NamedIndicator {
    pub kind: String,
    pub display: String,
    pub key: String,
}

impl Report {
    fn from_row(r: &Row) -> DbResult<Report> {
        Ok(Report {
            id: r.str("id")?,
            code: r.str("code")?,
            indicators: serde_json::from_str(&r.str("indicators")?).unwrap_or_default(),
            story: r.str("story")?,
            happened_on: r.str("happened_on")?,
            amount_lost: r.i64("amount_lost")?,
            channel: r.str("channel")?,
            place: r.str("place")?,
            reporter_name: r.str("reporter_name")?,
            reporter_contact: r.str("reporter_contact")?,
            reporter_id_number: r.str("reporter_id_number")?,
            reporter_address: r.str("reporter_address")?,
            status: r.str("status")?,
            merged_into: r.opt_str("merged_into")?,
            staff_note: r.str("staff_note")?,
            files: Vec::new(),
            created_at: r.i64("created_at")?,
            updated_at: r.i64("updated_at")?,
        })
    }
}

/// What the public sees when following a report by its code: never who sent it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tracking {
    pub code: String,
    pub status: String,
    pub indicators: Vec<NamedIndicator>,
    /// Each named indicator's status now (reported, verified, published, rejected,
    /// expired).
    pub indicator_status: Vec<String>,
    /// How many screenshots and documents it carries (never the files themselves).
    pub files: usize,
    /// May files still be added with the code (`POST /api/v1/reports/{code}/attachments`)?
    pub may_add_files: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A tracking code: "TG-" and 8 letters and digits without lookalikes (40 bits).
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let s: String = (0..8)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("TG-{}-{}", &s[..4], &s[4..])
}

/// A code as typed ("tg 7k3m 9qxp") in its one form.
pub fn normal_code(s: &str) -> String {
    let c: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let c = c.strip_prefix("TG").unwrap_or(&c).to_string();
    if c.len() == 8 {
        format!("TG-{}-{}", &c[..4], &c[4..])
    } else {
        String::new()
    }
}

struct Clean {
    named: Vec<Recognised>,
    story: String,
    happened_on: String,
    amount: i64,
    channel: String,
    place: String,
    name: String,
    contact: String,
    id_number: String,
    address: String,
}

fn check(input: &ReportInput, banks: &[keng_indicators::bank::Bank]) -> AppResult<Clean> {
    let mut c = crate::accounts::model::Check::default();
    let lines: Vec<&str> = input
        .indicators
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut named: Vec<Recognised> = Vec::new();
    if lines.is_empty() {
        c.fail("indicators", "err.report_indicators");
    } else if lines.len() > 10 {
        c.fail("indicators", "err.report_too_many");
    } else {
        for l in &lines {
            match store::read_value(l, "", banks) {
                Some(r) if !keng_indicators::value::listable(&r) => {
                    c.fail("indicators", "err.report_official");
                    break;
                }
                Some(r) => {
                    if !named.iter().any(|n| n.keys[0] == r.keys[0]) {
                        named.push(r);
                    }
                }
                None => {
                    c.fail("indicators", "err.report_indicator_unrecognised");
                    break;
                }
            }
        }
    }
    let story = input.story.trim().to_string();
    if story.is_empty() {
        c.fail("story", "err.required");
    } else if story.chars().count() > 5000
        || story
            .chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
    {
        c.fail("story", "err.too_long");
    }
    let happened_on = input.happened_on.trim().to_string();
    if !happened_on.is_empty() {
        match chrono::NaiveDate::parse_from_str(&happened_on, "%Y-%m-%d") {
            Ok(d)
                if d <= chrono::Utc::now().date_naive() + chrono::Duration::days(1)
                    && d.year_ce().1 >= 2000 => {}
            _ => c.fail("happened_on", "err.report_date"),
        }
    }
    let digits: String = input
        .amount_lost
        .chars()
        .filter(|ch| !matches!(ch, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    let amount = if digits.trim().is_empty() {
        0
    } else {
        match digits.trim().trim_end_matches(['đ', 'd']).parse::<i64>() {
            Ok(n) if (0..=10_000_000_000_000).contains(&n) => n,
            _ => {
                c.fail("amount_lost", "err.report_amount");
                0
            }
        }
    };
    let channel = input.channel.trim().to_string();
    if !channel.is_empty() && !CHANNELS.contains(&channel.as_str()) {
        c.fail("channel", "err.choose");
    }
    let place = c
        .opt_text("place", Some(&input.place), 200)
        .unwrap_or_default();
    let name = c
        .opt_text("reporter_name", Some(&input.reporter_name), 120)
        .unwrap_or_default();
    let contact = c
        .opt_text("reporter_contact", Some(&input.reporter_contact), 200)
        .unwrap_or_default();
    let id_number: String = input
        .reporter_id_number
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .collect();
    let id_ok = id_number.len() == 12 && id_number.bytes().all(|b| b.is_ascii_digit());
    if !id_number.is_empty() && !id_ok {
        c.fail("reporter_id_number", "err.report_id_number");
    }
    let address = c
        .opt_text("reporter_address", Some(&input.reporter_address), 300)
        .unwrap_or_default();
    c.finish()?;
    Ok(Clean {
        named,
        story,
        happened_on,
        amount,
        channel,
        place,
        name,
        contact,
        id_number,
        address,
    })
}

use chrono::Datelike;

/// Refuses, before any file is stored, a report the transaction would refuse anyway:
/// a used challenge, a client over its hourly limit (the transaction checks again,
/// under a lock, for concurrent reports).
async fn precheck(db: &Db, pow_id: &str, client_key: &str) -> AppResult<()> {
    if db
        .fetch_optional(
            "SELECT id FROM scam_reports WHERE pow_id = $1",
            args![pow_id],
        )
        .await?
        .is_some()
    {
        return Err(AppError::invalid("pow", "err.report_pow_used"));
    }
    let now = now_ms();
    let r = db
        .fetch_one(
            "SELECT COUNT(*) AS n, COALESCE(MIN(created_at), 0) AS oldest FROM scam_reports WHERE client_key = $1 AND created_at > $2",
            args![client_key, now - 3_600_000],
        )
        .await?;
    if r.i64("n")? >= PER_HOUR {
        return Err(AppError::TooManyRequests {
            key: "err.report_too_many_sent",
            retry_after_secs: ((r.i64("oldest")? + 3_600_000 - now) / 1000).max(1),
        });
    }
    Ok(())
}

/// Keeps a report's files in the blob store (durable before any row names them).
async fn keep_files(
    blobs: &crate::platform::blobs::BlobStore,
    uploads: Vec<crate::platform::files::Upload>,
) -> AppResult<Vec<ReportFile>> {
    let mut kept: Vec<ReportFile> = Vec::new();
    let now = now_ms();
    for u in uploads {
        let size = u.bytes.len() as i64;
        let sha = blobs.keep(u.bytes).await?;
        if !kept.iter().any(|f| f.sha256 == sha) {
            kept.push(ReportFile {
                sha256: sha,
                mime: u.mime.to_string(),
                size,
                filename: u.filename,
                created_at: now,
            });
        }
    }
    Ok(kept)
}

async fn insert_files(
    tx: &mut crate::platform::db::Tx,
    report_id: &str,
    files: &[ReportFile],
) -> AppResult<usize> {
    let mut added = 0;
    for f in files {
        added += tx
            .execute(
                "INSERT INTO scam_report_files (report_id, sha256, mime, size, filename, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (report_id, sha256) DO NOTHING",
                args![report_id, &f.sha256, &f.mime, f.size, &f.filename, f.created_at],
            )
            .await? as usize;
    }
    Ok(added)
}

/// Takes a report from the public: checks the proof of work and the hourly limit,
/// keeps its files, stores it with its code, counts one report on each indicator it
/// names.
pub async fn submit(
    (db, blobs): (&Db, Option<&crate::platform::blobs::BlobStore>),
    origin: &Origin,
    client: &str,
    banks: &[keng_indicators::bank::Bank],
    input: &ReportInput,
    uploads: Vec<crate::platform::files::Upload>,
) -> AppResult<Report> {
    let clean = check(input, banks)?;
    if uploads.len() > MAX_FILES {
        return Err(AppError::invalid("file", "err.report_too_many_files"));
    }
    let pow_id = verify_pow(db, &input.pow_challenge, &input.pow_nonce).await?;
    let client_key = crate::platform::auth::ratelimit::address_key(client);
    precheck(db, &pow_id, &client_key).await?;
    let files = match blobs {
        Some(b) => keep_files(b, uploads).await?,
        None if uploads.is_empty() => Vec::new(),
        None => {
            return Err(AppError::Internal(
                "report files without a blob store".into(),
            ))
        }
    };
    let named: Vec<NamedIndicator> = clean
        .named
        .iter()
        .map(|r| NamedIndicator {
            kind: r.kind.as_str().into(),
            display: r.display.clone(),
            key: r.keys[0].clone(),
        })
        .collect();
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let mut code = new_code();
    // A code already given (1 in 10^12) gets another.
    for _ in 0..5 {
        if tx
            .fetch_optional("SELECT id FROM scam_reports WHERE code = $1", args![&code])
            .await?
            .is_none()
        {
            break;
        }
        code = new_code();
    }
    tx.execute(
        "INSERT INTO scam_reports (id, code, indicators, story, happened_on, amount_lost, channel, place, reporter_name, reporter_contact, reporter_id_number, reporter_address, status, merged_into, staff_note, client_key, pow_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'received', NULL, '', $13, $14, $15, $15)",
        args![&id, &code, serde_json::to_string(&named).unwrap_or_else(|_| "[]".into()), &clean.story, &clean.happened_on, clean.amount, &clean.channel, &clean.place, &clean.name, &clean.contact, &clean.id_number, &clean.address, &client_key, &pow_id, now],
    )
    .await
    .map_err(|e| if e.is_unique_violation() { AppError::invalid("pow", "err.report_pow_used") } else { e.into() })?;
    // The hourly limit, counted after this report is in (and, on PostgreSQL, under a
    // lock per client): concurrent reports from one client cannot all pass.
    if tx.backend() == crate::platform::db::Backend::Postgres {
        let lock = i64::from_be_bytes(
            Sha256::digest(format!("scam-report:{client_key}").as_bytes())[..8]
                .try_into()
                .unwrap_or([0; 8]),
        );
        tx.execute("SELECT pg_advisory_xact_lock($1)", args![lock])
            .await?;
    }
    let r = tx
        .fetch_one(
            "SELECT COUNT(*) AS n, COALESCE(MIN(created_at), 0) AS oldest FROM scam_reports WHERE client_key = $1 AND created_at > $2",
            args![&client_key, now - 3_600_000],
        )
        .await?;
    if r.i64("n")? > PER_HOUR {
        // Dropping the transaction rolls this report back.
        return Err(AppError::TooManyRequests {
            key: "err.report_too_many_sent",
            retry_after_secs: ((r.i64("oldest")? + 3_600_000 - now) / 1000).max(1),
        });
    }
    for rec in &clean.named {
        store::count_report(&mut tx, origin, rec, "report", now).await?;
    }
    insert_files(&mut tx, &id, &files).await?;
    let report = read(&mut tx, &id).await?;
    // The audit keeps what was reported, not who reported it.
    let shas: Vec<&str> = report.files.iter().map(|f| f.sha256.as_str()).collect();
    record_change(
        &mut tx,
        origin,
        "scam_report.received",
        "scam_report",
        &id,
        None,
        Some(serde_json::json!({"code": report.code, "indicators": report.indicators, "channel": report.channel, "files": shas})),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The lock that orders additions of files to one report on this node (kept while
/// someone holds it).
fn report_lock(id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    type Locks = std::collections::HashMap<String, std::sync::Weak<tokio::sync::Mutex<()>>>;
    static LOCKS: std::sync::OnceLock<std::sync::Mutex<Locks>> = std::sync::OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    locks.retain(|_, l| l.strong_count() > 0);
    if let Some(l) = locks.get(id).and_then(std::sync::Weak::upgrade) {
        return l;
    }
    let l = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    locks.insert(id.to_string(), std::sync::Arc::downgrade(&l));
    l
}

/// Adds files to a report by its code, as long as its sender still may (received, for
/// a day, at most [`MAX_FILES`] in all).
pub async fn add_files(
    app: &AppState,
    origin: &Origin,
    code: &str,
    uploads: Vec<crate::platform::files::Upload>,
) -> AppResult<Report> {
    let id = by_code(&app.db, code).await?.ok_or(AppError::NotFound)?.id;
    // One addition at a time per report on this node, the count read under the lock:
    // concurrent additions past the limit are refused before their files are stored
    // (the transaction below still decides across nodes).
    let lock = report_lock(&id);
    let _one_at_a_time = lock.lock().await;
    let r = get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    if !may_add_files(&r) {
        return Err(AppError::Conflict("err.report_files_closed"));
    }
    if r.files.len() + uploads.len() > MAX_FILES {
        return Err(AppError::invalid("file", "err.report_too_many_files"));
    }
    let files = keep_files(&app.blobs, uploads).await?;
    let mut tx = app.db.begin().await?;
    // Take the report's row first: concurrent additions wait here, so the count below
    // is the current one.
    tx.execute(
        "UPDATE scam_reports SET updated_at = updated_at WHERE id = $1",
        args![&r.id],
    )
    .await?;
    let have = tx
        .fetch_one(
            "SELECT COUNT(*) AS n FROM scam_report_files WHERE report_id = $1",
            args![&r.id],
        )
        .await?
        .i64("n")?;
    let new = files
        .iter()
        .filter(|f| !r.files.iter().any(|g| g.sha256 == f.sha256))
        .count() as i64;
    if have + new > MAX_FILES as i64 {
        return Err(AppError::invalid("file", "err.report_too_many_files"));
    }
    if insert_files(&mut tx, &r.id, &files).await? > 0 {
        let shas: Vec<&str> = files.iter().map(|f| f.sha256.as_str()).collect();
        record_change(
            &mut tx,
            origin,
            "scam_report.files_added",
            "scam_report",
            &r.id,
            None,
            Some(serde_json::json!({"code": r.code, "files": shas})),
        )
        .await?;
    }
    let after = read(&mut tx, &r.id).await?;
    tx.commit().await?;
    Ok(after)
}

async fn read(tx: &mut crate::platform::db::Tx, id: &str) -> AppResult<Report> {
    let r = tx
        .fetch_optional("SELECT * FROM scam_reports WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    let mut report = Report::from_row(&r)?;
    report.files = tx
        .fetch_all(
            "SELECT * FROM scam_report_files WHERE report_id = $1 ORDER BY created_at, sha256",
            args![id],
        )
        .await?
        .iter()
        .map(ReportFile::from_row)
        .collect::<DbResult<_>>()?;
    Ok(report)
}

/// Reports read from rows, each with its files (one query for all of them).
async fn with_files(db: &Db, rows: &[Row]) -> AppResult<Vec<Report>> {
    let mut reports = rows
        .iter()
        .map(Report::from_row)
        .collect::<DbResult<Vec<_>>>()?;
    if reports.is_empty() {
        return Ok(reports);
    }
    let marks: Vec<String> = (1..=reports.len()).map(|i| format!("${i}")).collect();
    let ids: Vec<crate::platform::db::Value> = reports
        .iter()
        .map(|r| crate::platform::db::Value::from(r.id.as_str()))
        .collect();
    let files = db
        .fetch_all(
            &format!(
                "SELECT * FROM scam_report_files WHERE report_id IN ({}) ORDER BY created_at, sha256",
                marks.join(", ")
            ),
            &ids,
        )
        .await?;
    for f in &files {
        let report_id = f.str("report_id")?;
        if let Some(r) = reports.iter_mut().find(|r| r.id == report_id) {
            r.files.push(ReportFile::from_row(f)?);
        }
    }
    Ok(reports)
}

/// A report by id (staff).
pub async fn get(db: &Db, id: &str) -> AppResult<Option<Report>> {
    if !is_id(id) {
        return Ok(None);
    }
    let rows = db
        .fetch_all("SELECT * FROM scam_reports WHERE id = $1", args![id])
        .await?;
    Ok(with_files(db, &rows).await?.pop())
}

/// A report by its code.
pub async fn by_code(db: &Db, code: &str) -> AppResult<Option<Report>> {
    let code = normal_code(code);
    if code.is_empty() {
        return Ok(None);
    }
    let rows = db
        .fetch_all("SELECT * FROM scam_reports WHERE code = $1", args![&code])
        .await?;
    Ok(with_files(db, &rows).await?.pop())
}

/// May the sender still add files to this report (by its code)?
fn may_add_files(r: &Report) -> bool {
    r.status == "received"
        && r.files.len() < MAX_FILES
        && now_ms() - r.created_at < ADD_FILES_WITHIN_MS
}

/// What the public sees of a report.
pub async fn tracking(db: &Db, r: &Report) -> AppResult<Tracking> {
    let mut statuses = Vec::new();
    for n in &r.indicators {
        statuses.push(
            store::by_key(db, &n.key)
                .await?
                .map_or_else(|| "reported".to_string(), |i| i.status.as_str().to_string()),
        );
    }
    Ok(Tracking {
        code: r.code.clone(),
        status: r.status.clone(),
        indicators: r.indicators.clone(),
        indicator_status: statuses,
        files: r.files.len(),
        may_add_files: may_add_files(r),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Reports in a status (all when None), newest first.
pub async fn list(
    db: &Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Report>> {
    let rows = match status {
        Some(s) => {
            db.fetch_all(
                "SELECT * FROM scam_reports WHERE status = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3",
                args![s, limit, offset],
            )
            .await?
        }
        None => {
            db.fetch_all(
                "SELECT * FROM scam_reports ORDER BY created_at DESC LIMIT $1 OFFSET $2",
                args![limit, offset],
            )
            .await?
        }
    };
    with_files(db, &rows).await
}

/// The steps of a report.
pub const STEPS: [&str; 4] = ["verify", "publish", "reject", "merge"];

/// A staff decision on a report.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReportStep {
    /// Why (kept with the report).
    #[serde(default)]
    pub note: String,
    /// For "merge": the code of the report this one repeats.
    #[serde(default)]
    pub into: String,
}

/// Verify (the named indicators become verified), publish (published), reject, or
/// merge into the report it repeats.
pub async fn step(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    step: &str,
    input: &ReportStep,
) -> AppResult<Report> {
    if !allowed(&user.actor(), Action::ModerateScam, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if !STEPS.contains(&step) || !is_id(id) {
        return Err(AppError::NotFound);
    }
    let note = input.note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::invalid("note", "err.too_long"));
    }
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if matches!(before.status.as_str(), "merged") {
        return Err(AppError::Conflict("err.report_step"));
    }
    let (status, merged_into) = match step {
        "verify" => ("verified", None),
        "publish" => ("published", None),
        "reject" => ("rejected", None),
        _ => {
            // Into an open report only: never itself, never one merged elsewhere.
            let target = by_code(db, &input.into)
                .await?
                .filter(|t| t.id != before.id && t.status != "merged")
                .ok_or_else(|| AppError::invalid("into", "err.report_merge_target"))?;
            ("merged", Some(target.code))
        }
    };
    // The indicators follow a verification or publication (those already further on
    // stay where they are).
    if matches!(step, "verify" | "publish") {
        let want = if step == "verify" {
            Status::Verified
        } else {
            Status::Published
        };
        for n in &before.indicators {
            if let Some(i) = store::by_key(db, &n.key).await? {
                let needs = matches!(
                    (i.status, want),
                    (Status::Reported, _) | (Status::Verified, Status::Published)
                );
                if needs {
                    let s = if want == Status::Published {
                        "publish"
                    } else {
                        "verify"
                    };
                    let note = format!("{} {}", before.code, note);
                    store::step(db, origin, user, &i.id, s, note.trim()).await?;
                }
            }
        }
    }
    let staff_note = if note.is_empty() {
        before.staff_note.clone()
    } else if before.staff_note.is_empty() {
        note.to_string()
    } else {
        format!("{}\n{}", before.staff_note, note)
    };
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE scam_reports SET status = $1, merged_into = $2, staff_note = $3, updated_at = $4 WHERE id = $5",
        args![status, merged_into, &staff_note, now_ms(), id],
    )
    .await?;
    let after = read(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        &format!("scam_report.{step}"),
        "scam_report",
        id,
        Some(serde_json::json!({"status": before.status})),
        Some(serde_json::json!({"status": after.status, "merged_into": after.merged_into, "note": note})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---- pages and API ----

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    form: &ReportInput,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let ch = challenge(&app.db).await?;
    let failed = !errors.is_empty();
    private_page(
        app,
        ctx,
        "scamcheck/report.html",
        context! { form => form, errors => errors, challenge => ch, channels => CHANNELS },
        failed,
    )
}

/// A page of the public's own report, never cached; 422 when it shows what to fix.
fn private_page(
    app: &AppState,
    ctx: &Ctx,
    template: &str,
    vars: minijinja::Value,
    failed: bool,
) -> AppResult<Response> {
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        page(app, ctx, template, vars)?,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct FormParams {
    #[serde(default)]
    value: Option<String>,
}

/// `/kiem-tra/to-giac`: the form (with the value just checked, if any).
pub async fn form(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<FormParams>,
) -> AppResult<Response> {
    let form = ReportInput {
        indicators: p.value.unwrap_or_default().chars().take(300).collect(),
        ..Default::default()
    };
    form_page(&app, &ctx, &form, Vec::new()).await
}

/// The text fields of the report form.
const FIELDS: [&str; 12] = [
    "indicators",
    "story",
    "happened_on",
    "amount_lost",
    "channel",
    "place",
    "reporter_name",
    "reporter_contact",
    "reporter_id_number",
    "reporter_address",
    "pow_challenge",
    "pow_nonce",
];

/// A report form as sent: multipart with its screenshots (the page's form), or
/// urlencoded without files.
async fn read_form(
    req: axum::extract::Request,
) -> AppResult<(ReportInput, Vec<crate::platform::files::Upload>)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let (files, text) = crate::platform::files::read_form_with_files(
            req,
            &FIELDS,
            (MAX_FILES, "err.report_too_many_files"),
        )
        .await?;
        let input = serde_json::from_value(serde_json::json!(text))
            .map_err(|_| AppError::bad("err.malformed"))?;
        Ok((input, files))
    } else {
        let Form(input) =
            <Form<ReportInput> as axum::extract::FromRequest<()>>::from_request(req, &())
                .await
                .map_err(|_| AppError::bad("err.malformed"))?;
        Ok((input, Vec::new()))
    }
}

/// The form sent: the tracking page, or the form again with what to fix (files are not
/// kept: the page asks for them again).
pub async fn form_submit(
    State(app): State<AppState>,
    ctx: Ctx,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let (f, uploads) = match read_form(req).await {
        Ok(got) => got,
        Err(AppError::Invalid(v)) => {
            let errors = crate::platform::web::field_errors(AppError::Invalid(v), ctx.lang)?;
            return form_page(&app, &ctx, &ReportInput::default(), errors).await;
        }
        Err(e) => return Err(e),
    };
    let had_files = !uploads.is_empty();
    let set = super::check::the_set(&app)?;
    let banks = set.banks();
    match submit(
        (&app.db, Some(&app.blobs)),
        &ctx.origin(),
        ctx.ip.as_deref().unwrap_or(""),
        &banks,
        &f,
        uploads,
    )
    .await
    {
        Ok(r) => Ok(
            axum::response::Redirect::to(&format!("/kiem-tra/to-giac/{}?new=1", r.code))
                .into_response(),
        ),
        Err(AppError::Invalid(v)) => {
            let mut errors = crate::platform::web::field_errors(AppError::Invalid(v), ctx.lang)?;
            if had_files && !errors.iter().any(|(k, _)| k == "file") {
                errors.push((
                    "file".to_string(),
                    crate::platform::i18n::t(ctx.lang, "err.report_files_again"),
                ));
            }
            form_page(&app, &ctx, &f, errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct TrackParams {
    #[serde(default)]
    new: Option<String>,
    #[serde(default)]
    added: Option<String>,
}

async fn track_render(
    app: &AppState,
    ctx: &Ctx,
    r: &Report,
    (new, added): (bool, bool),
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let t = tracking(&app.db, r).await?;
    let failed = !errors.is_empty();
    private_page(
        app,
        ctx,
        "scamcheck/track.html",
        context! { tr => t, new => new, added => added, errors => errors },
        failed,
    )
}

/// `/kiem-tra/to-giac/{code}`: where a report stands.
pub async fn track_page(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<TrackParams>,
) -> AppResult<Response> {
    let r = by_code(&app.db, &code).await?.ok_or(AppError::NotFound)?;
    track_render(
        &app,
        &ctx,
        &r,
        (q.new.is_some(), q.added.is_some()),
        Vec::new(),
    )
    .await
}

/// `POST /kiem-tra/to-giac/{code}/attachments`: the sender adds screenshots.
pub async fn track_add_files(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    let r = by_code(&app.db, &code).await?.ok_or(AppError::NotFound)?;
    let added = match crate::platform::files::read_upload(req, &[]).await {
        Ok((files, _)) => add_files(&app, &ctx.origin(), &r.code, files).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(after) => Ok(axum::response::Redirect::to(&format!(
            "/kiem-tra/to-giac/{}?added=1",
            after.code
        ))
        .into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = crate::platform::web::field_errors(AppError::Invalid(v), ctx.lang)?;
            track_render(&app, &ctx, &r, (false, false), errors).await
        }
        Err(e) => Err(e),
    }
}

/// A proof-of-work challenge for the report form.
#[utoipa::path(get, path = "/api/v1/report-challenge", tag = "scamcheck", operation_id = "report_challenge",
    responses((status = 200, body = Challenge), (status = 401)))]
pub async fn api_challenge(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(challenge(&app.db).await?),
    )
        .into_response())
}

/// Reports a scam: returns the report with its tracking code.
#[utoipa::path(post, path = "/api/v1/reports", tag = "scamcheck", operation_id = "submit_report", request_body = ReportInput,
    responses((status = 201, body = Tracking), (status = 400), (status = 401), (status = 422), (status = 429)))]
pub async fn api_submit(
    State(app): State<AppState>,
    ctx: Ctx,
    Json(f): Json<ReportInput>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let banks = super::check::the_set(&app)?.banks();
    let r = submit(
        (&app.db, Some(&app.blobs)),
        &ctx.origin(),
        ctx.ip.as_deref().unwrap_or(""),
        &banks,
        &f,
        Vec::new(),
    )
    .await?;
    let t = tracking(&app.db, &r).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Adds screenshots or documents (images or PDF, `file` parts, at most 5 in all) to a
/// report, by its tracking code, within a day of sending it and while nobody has acted
/// on it yet.
#[utoipa::path(post, path = "/api/v1/reports/{id}/attachments", tag = "scamcheck", operation_id = "add_report_files",
    params(("id" = String, Path, description = "The report's tracking code (TG-XXXX-XXXX)")),
    request_body(content = String, content_type = "multipart/form-data", description = "`file` parts: PNG, JPEG, GIF, WebP or PDF, at most 10 MB each"),
    responses((status = 201, body = Tracking), (status = 400), (status = 401), (status = 404), (status = 409, description = "The report takes no more files"), (status = 413), (status = 422), (status = 503, description = "The file store cannot be used now: nothing was stored; try again")))]
pub async fn api_add_files(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    req: axum::extract::Request,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    // The report is found before the body is read.
    if by_code(&app.db, &code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let (uploads, _) = crate::platform::files::read_upload(req, &[]).await?;
    let r = add_files(&app, &ctx.origin(), &code, uploads).await?;
    Ok((StatusCode::CREATED, Json(tracking(&app.db, &r).await?)).into_response())
}

/// `GET /scamcheck/reports/{id}/files/{sha}`: a report's screenshot, to the staff who
/// handle reports (it may show the sender's own messages and accounts).
pub async fn serve_file(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, sha)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> AppResult<Response> {
    ctx.require(Action::ModerateScam, &Owner::None)?;
    if !crate::platform::files::is_sha(&sha) || !is_id(&id) {
        return Err(AppError::NotFound);
    }
    let f = app
        .db
        .fetch_optional(
            "SELECT * FROM scam_report_files WHERE report_id = $1 AND sha256 = $2",
            args![&id, &sha],
        )
        .await?
        .as_ref()
        .map(ReportFile::from_row)
        .transpose()?
        .ok_or(AppError::NotFound)?;
    let bytes = app.blobs.fetch(&sha).await?;
    Ok(crate::platform::files::respond(
        &headers,
        &sha,
        bytes,
        &f.mime,
        &f.filename,
    ))
}

/// Where a report stands, by its tracking code.
#[utoipa::path(get, path = "/api/v1/report-status/{code}", tag = "scamcheck", operation_id = "report_status",
    params(("code" = String, Path, description = "Tracking code (TG-XXXX-XXXX)")),
    responses((status = 200, body = Tracking), (status = 401), (status = 404)))]
pub async fn api_track(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    if ctx.bad_token {
        return Err(AppError::Unauthorized);
    }
    let r = by_code(&app.db, &code).await?.ok_or(AppError::NotFound)?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(tracking(&app.db, &r).await?),
    )
        .into_response())
}

fn staff(ctx: &Ctx) -> AppResult<User> {
    ctx.require(Action::ViewScamDesk, &Owner::None)?;
    Ok(ctx.user()?.clone())
}

/// Who reported, their screenshots and the full tracking code (which lets its holder
/// add files) are for the staff who handle reports; other staff see the report
/// without them, on every page and in the API.
fn for_viewer(ctx: &Ctx, mut r: Report) -> Report {
    if !ctx.can(Action::ModerateScam) {
        r.reporter_name.clear();
        r.reporter_contact.clear();
        r.reporter_id_number.clear();
        r.reporter_address.clear();
        r.files.clear();
        r.code = format!("{}-••••", r.code.get(..7).unwrap_or("TG"));
        if let Some(m) = r.merged_into.as_mut() {
            *m = format!("{}-••••", m.get(..7).unwrap_or("TG"));
        }
    }
    r
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// received, verified, published, rejected or merged.
    status: Option<String>,
}

/// Reports for staff, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "scamcheck", operation_id = "list_reports", params(ListParams),
    responses((status = 200, body = [Report]), (status = 400), (status = 401), (status = 403)), security(("bearer" = [])))]
pub async fn api_list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<ListParams>,
) -> AppResult<Json<Vec<Report>>> {
    staff(&ctx)?;
    let status = p.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status {
        if !STATUSES.contains(&s) {
            return Err(AppError::bad("err.unknown_status"));
        }
    }
    Ok(Json(
        list(&app.db, status, 200, 0)
            .await?
            .into_iter()
            .map(|r| for_viewer(&ctx, r))
            .collect(),
    ))
}

/// Verify, publish, reject or merge a report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/{step}", tag = "scamcheck", operation_id = "step_report", request_body = ReportStep,
    params(("id" = String, Path, description = "Report id"), ("step" = String, Path, description = "verify, publish, reject or merge")),
    responses((status = 200, body = Report), (status = 400), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn api_step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, s)): Path<(String, String)>,
    body: Option<Json<ReportStep>>,
) -> AppResult<Json<Report>> {
    let user = staff(&ctx)?;
    let input = body.map(|Json(b)| b).unwrap_or_default();
    Ok(Json(
        step(&app.db, &ctx.origin(), &user, &id, &s, &input).await?,
    ))
}

#[derive(Deserialize)]
pub struct QueueParams {
    status: Option<String>,
}

/// `/scamcheck/reports`: the queue.
pub async fn queue(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(p): Query<QueueParams>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let status = p
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("received");
    if !STATUSES.contains(&status) {
        return Err(AppError::bad("err.unknown_status"));
    }
    let rows: Vec<Report> = list(&app.db, Some(status), 200, 0)
        .await?
        .into_iter()
        .map(|r| for_viewer(&ctx, r))
        .collect();
    Ok(page(
        &app,
        &ctx,
        "scamcheck/reports.html",
        context! { rows => rows, status => status, statuses => STATUSES },
    )?
    .into_response())
}

/// `/scamcheck/reports/{id}`.
pub async fn view(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    staff(&ctx)?;
    let r = get(&app.db, &id).await?.ok_or(AppError::NotFound)?;
    let t = tracking(&app.db, &r).await?;
    let r = for_viewer(&ctx, r);
    Ok(page(
        &app,
        &ctx,
        "scamcheck/report_view.html",
        context! { r => r, tr => t, may_moderate => ctx.can(Action::ModerateScam) },
    )?
    .into_response())
}

pub async fn view_step(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, s)): Path<(String, String)>,
    Form(f): Form<ReportStep>,
) -> AppResult<Response> {
    let user = staff(&ctx)?;
    let r = step(&app.db, &ctx.origin(), &user, &id, &s, &f).await?;
    Ok(axum::response::Redirect::to(&format!("/scamcheck/reports/{}", r.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_typed() {
        let c = new_code();
        assert_eq!(normal_code(&c), c);
        assert_eq!(normal_code(&c.to_lowercase().replace('-', " ")), c);
        assert_eq!(normal_code("abc"), "");
        assert_eq!(normal_code("TG-1234-567"), "");
    }

    #[test]
    fn a_solution_has_the_zero_bits() {
        let n = solve("abc.1.8.sig", 8);
        let h = Sha256::digest(format!("abc.1.8.sig:{n}").as_bytes());
        assert!(leading_zero_bits(&h) >= 8);
        assert_eq!(leading_zero_bits(&[0, 0b0001_0000]), 11);
    }
}
