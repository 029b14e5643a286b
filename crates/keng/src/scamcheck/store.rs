//! Scam indicators in the database: staff add them and move them through their states
//! (verify, publish, reject, expire, reopen), reports and imports name them (a new key
//! is a reported indicator, a known one counts one more report). Every change is
//! audited and on the event log in the same transaction; each node's in-memory set
//! (`set`) follows the log. The bank list (the defaults of `keng_indicators::bank`
//! overlaid by an admin's rows) is here too.

use serde::{Deserialize, Serialize};

use super::model::{Indicator, Status};
use crate::accounts::model::User;
use crate::args;
use crate::platform::audit::{record_change, Origin};
use crate::platform::clock::now_ms;
use crate::platform::db::{Db, DbResult, Tx};
use crate::platform::errors::{AppError, AppResult};
use crate::platform::ids::{is_id, new_id};
use crate::platform::permissions::{allowed, Action, Owner};
use keng_indicators::bank::Bank;
use keng_indicators::value::{recognise, Kind, Recognised};

/// The entity name of indicators on the event log.
pub const ENTITY: &str = "scam_indicator";
/// The event of a bulk import (one for the whole file).
pub const IMPORTED: &str = "scam_indicator.imported";

/// The bank list: the defaults, changed, extended or retired by the admin's rows.
pub async fn banks(db: &Db) -> DbResult<Vec<Bank>> {
    let mut list = keng_indicators::bank::default_banks();
    for r in db
        .fetch_all("SELECT * FROM scam_banks ORDER BY bin", args![])
        .await?
    {
        let bin = r.str("bin")?;
        list.retain(|b| b.bin != bin);
        if r.bool("active")? {
            list.push(Bank::new(
                bin,
                r.str("code")?,
                r.str("name")?,
                r.str("aliases")?
                    .split(',')
                    .map(|a| keng_text::fold(a.trim()))
                    .filter(|a| !a.is_empty())
                    .collect(),
            ));
        }
    }
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

/// A bank as an admin sets it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct BankInput {
    /// The NAPAS BIN, six digits.
    #[serde(default)]
    pub bin: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// Other names people write, comma-separated.
    #[serde(default)]
    pub aliases: String,
    /// false retires the bank from recognition.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Sets one bank of the list (an admin).
pub async fn set_bank(db: &Db, origin: &Origin, user: &User, input: &BankInput) -> AppResult<()> {
    if !allowed(&user.actor(), Action::ManageBanks, &Owner::None) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let mut c = crate::accounts::model::Check::default();
    let bin = input.bin.trim().to_string();
    // An alias is a name: letters (and spaces, digits), never a number, link or code of
    // another thing.
    let alias_ok = |a: &str| {
        let a = a.trim();
        (2..=40).contains(&a.chars().count())
            && a.chars().any(char::is_alphabetic)
            && a.chars()
                .all(|ch| ch.is_alphanumeric() || ch == ' ' || ch == '-')
            && !keng_indicators::social::WALLETS
                .contains(&keng_text::fold(a).replace(' ', "").as_str())
    };
    if input
        .aliases
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .any(|a| !alias_ok(a))
    {
        c.fail("aliases", "err.bank_aliases");
    }
    if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
        c.fail("bin", "err.bank_bin");
    }
    let code = c.text("code", &input.code, 12).to_uppercase();
    let name = c.text("name", &input.name, 80);
    let aliases = c
        .opt_text("aliases", Some(&input.aliases), 400)
        .unwrap_or_default();
    c.finish()?;
    let before = banks(db).await?.into_iter().find(|b| b.bin == bin);
    let mut tx = db.begin().await?;
    tx.execute("DELETE FROM scam_banks WHERE bin = $1", args![&bin])
        .await?;
    tx.execute(
        "INSERT INTO scam_banks (bin, code, name, aliases, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![&bin, &code, &name, &aliases, input.active, now_ms()],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "scam_bank.set",
        "scam_bank",
        &bin,
        before.map(|b| serde_json::json!({"code": b.code, "name": b.name, "aliases": b.aliases})),
        Some(serde_json::json!({"code": code, "name": name, "aliases": aliases, "active": input.active})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One indicator by id.
pub async fn get(db: &Db, id: &str) -> AppResult<Option<Indicator>> {
    if !is_id(id) {
        return Ok(None);
    }
    Ok(db
        .fetch_optional("SELECT * FROM scam_indicators WHERE id = $1", args![id])
        .await?
        .map(|r| Indicator::from_row(&r))
        .transpose()?)
}

/// One indicator by its lookup key.
pub async fn by_key(db: &Db, key: &str) -> AppResult<Option<Indicator>> {
    Ok(db
        .fetch_optional(
            "SELECT * FROM scam_indicators WHERE lookup_key = $1",
            args![key],
        )
        .await?
        .map(|r| Indicator::from_row(&r))
        .transpose()?)
}

/// Indicators in `statuses` (all when empty), of `kind` if given, whose key contains
/// `q` if given; most recently changed first.
pub async fn list(
    db: &Db,
    statuses: &[Status],
    kind: Option<&str>,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<Indicator>> {
    let mut sql = String::from("SELECT * FROM scam_indicators WHERE 1 = 1");
    let mut params: Vec<crate::platform::db::Value> = Vec::new();
    if !statuses.is_empty() {
        let list: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
    }
    if let Some(k) = kind {
        params.push(k.to_string().into());
        sql.push_str(&format!(" AND kind = ${}", params.len()));
    }
    if let Some(q) = q {
        params.push(format!("%{}%", q.replace(['%', '_'], "")).into());
        sql.push_str(&format!(" AND lookup_key LIKE ${}", params.len()));
    }
    params.push(limit.into());
    sql.push_str(&format!(
        " ORDER BY updated_at DESC, id LIMIT ${}",
        params.len()
    ));
    params.push(offset.into());
    sql.push_str(&format!(" OFFSET ${}", params.len()));
    Ok(db
        .fetch_all(&sql, &params)
        .await?
        .iter()
        .map(Indicator::from_row)
        .collect::<DbResult<_>>()?)
}

/// How many indicators stand in each status.
pub async fn counts(db: &Db) -> AppResult<Vec<(Status, i64)>> {
    let rows = db
        .fetch_all(
            "SELECT status, COUNT(*) AS n FROM scam_indicators GROUP BY status",
            args![],
        )
        .await?;
    let mut out = Vec::new();
    for s in Status::ALL {
        let n = rows
            .iter()
            .find(|r| r.str("status").ok().as_deref() == Some(s.as_str()))
            .map(|r| r.i64("n"))
            .transpose()?
            .unwrap_or(0);
        out.push((s, n));
    }
    Ok(out)
}

async fn read(tx: &mut Tx, id: &str) -> AppResult<Indicator> {
    let r = tx
        .fetch_optional("SELECT * FROM scam_indicators WHERE id = $1", args![id])
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Indicator::from_row(&r)?)
}

fn json(i: &Indicator) -> Option<serde_json::Value> {
    serde_json::to_value(i).ok()
}

/// An indicator as staff type it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorInput {
    /// The number, account, link, profile… as written.
    #[serde(default)]
    pub value: String,
    /// What to read it as when it could be several things (phone, account, link…).
    #[serde(default)]
    pub kind: String,
    /// reported, verified or published.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub evidence: String,
    /// Warning ids, separated by spaces or commas.
    #[serde(default)]
    pub warning_ids: String,
    #[serde(default)]
    pub incident: String,
}

/// Staff who may add indicators and move them through their states.
fn may_moderate(user: &User) -> AppResult<()> {
    if allowed(&user.actor(), Action::ModerateScam, &Owner::None) {
        Ok(())
    } else {
        Err(AppError::Forbidden("err.forbidden"))
    }
}

/// The one reading of `value` (the kind asked for, or the likeliest).
pub fn read_value(value: &str, kind: &str, banks: &[Bank]) -> Option<Recognised> {
    let all = recognise(value, banks);
    let wanted = Kind::parse(kind.trim());
    match wanted {
        Some(k) => all.into_iter().find(|r| r.kind == k),
        None => all.into_iter().next(),
    }
}

fn warning_list(s: &str) -> Result<Vec<String>, ()> {
    let ids: Vec<String> = s
        .split([' ', ',', '\n', '\r', '\t'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    if ids.len() > 20 || ids.iter().any(|i| !is_id(i)) {
        return Err(());
    }
    Ok(ids)
}

/// Every linked warning exists (read through the warnings' own store).
async fn warnings_exist(db: &Db, ids: &[String]) -> AppResult<()> {
    for w in ids {
        if crate::warnings::store::get(db, w).await?.is_none() {
            return Err(AppError::invalid("warning_ids", "err.warning_ids"));
        }
    }
    Ok(())
}

/// A new indicator from the desk.
pub async fn create(
    db: &Db,
    origin: &Origin,
    user: &User,
    input: &IndicatorInput,
) -> AppResult<Indicator> {
    may_moderate(user)?;
    let mut c = crate::accounts::model::Check::default();
    let banks = banks(db).await?;
    let rec = read_value(&input.value, &input.kind, &banks);
    if input.value.trim().is_empty() {
        c.fail("value", "err.required");
    } else if rec.is_none() {
        c.fail("value", "err.indicator_unrecognised");
    }
    let status = match Status::parse(&input.status) {
        Some(s @ (Status::Reported | Status::Verified | Status::Published)) => s,
        _ => {
            c.fail("status", "err.choose");
            Status::Reported
        }
    };
    let evidence = c
        .opt_text("evidence", Some(&input.evidence), 4000)
        .unwrap_or_default();
    let incident = c
        .opt_text("incident", Some(&input.incident), 200)
        .unwrap_or_default();
    let warnings = warning_list(&input.warning_ids).unwrap_or_else(|_| {
        c.fail("warning_ids", "err.warning_ids");
        Vec::new()
    });
    c.finish()?;
    let Some(rec) = rec else {
        return Err(AppError::invalid("value", "err.indicator_unrecognised"));
    };
    if !keng_indicators::value::listable(&rec) {
        return Err(AppError::invalid("value", "err.indicator_official"));
    }
    warnings_exist(db, &warnings).await?;
    let key = rec.keys[0].clone();
    if by_key(db, &key).await?.is_some() {
        return Err(AppError::Conflict("err.indicator_exists"));
    }
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO scam_indicators (id, kind, lookup_key, display, status, report_count, first_seen, last_seen, evidence, warning_ids, incident, source, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6, $7, $8, $9, 'staff', 1, $6, $6)",
        args![&id, rec.kind.as_str(), &key, &rec.display, status.as_str(), now, &evidence, serde_json::to_string(&warnings).unwrap_or_else(|_| "[]".into()), &incident],
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            AppError::Conflict("err.indicator_exists")
        } else {
            e.into()
        }
    })?;
    let i = read(&mut tx, &id).await?;
    record_change(
        &mut tx,
        origin,
        "scam_indicator.created",
        ENTITY,
        &id,
        None,
        json(&i),
    )
    .await?;
    tx.commit().await?;
    Ok(i)
}

/// The steps of an indicator's life.
pub const STEPS: [&str; 5] = ["verify", "publish", "reject", "expire", "reopen"];

/// The status a step leads to from `from`, if it may be taken.
pub fn step_target(step: &str, from: Status) -> Option<Status> {
    use Status::*;
    match (step, from) {
        ("verify", Reported | Rejected | Expired) => Some(Verified),
        ("publish", Reported | Verified) => Some(Published),
        ("reject", Reported | Verified | Published) => Some(Rejected),
        ("expire", Verified | Published) => Some(Expired),
        ("reopen", Rejected | Expired) => Some(Reported),
        _ => None,
    }
}

/// Takes a step (see [`STEPS`]), with an optional note added to the evidence.
pub async fn step(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    step: &str,
    note: &str,
) -> AppResult<Indicator> {
    may_moderate(user)?;
    if !STEPS.contains(&step) {
        return Err(AppError::NotFound);
    }
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::invalid("note", "err.too_long"));
    }
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE scam_indicators SET version = version WHERE id = $1",
        args![id],
    )
    .await?;
    let before = read(&mut tx, id).await?;
    let to = step_target(step, before.status).ok_or(AppError::Conflict("err.indicator_step"))?;
    let evidence = if note.is_empty() {
        before.evidence.clone()
    } else if before.evidence.is_empty() {
        note.to_string()
    } else {
        format!("{}\n{}", before.evidence, note)
    };
    tx.execute(
        "UPDATE scam_indicators SET status = $1, evidence = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        args![to.as_str(), &evidence, now_ms(), id],
    )
    .await?;
    let after = read(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        &format!("scam_indicator.{step}"),
        ENTITY,
        id,
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What staff change on an indicator besides its state.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DetailsInput {
    #[serde(default)]
    pub evidence: String,
    /// Warning ids, separated by spaces or commas.
    #[serde(default)]
    pub warning_ids: String,
    #[serde(default)]
    pub incident: String,
}

/// Changes the evidence, the linked warnings and the incident.
pub async fn update(
    db: &Db,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &DetailsInput,
) -> AppResult<Indicator> {
    may_moderate(user)?;
    if !is_id(id) {
        return Err(AppError::NotFound);
    }
    let mut c = crate::accounts::model::Check::default();
    let evidence = input.evidence.trim().to_string();
    if evidence.chars().count() > 8000 {
        c.fail("evidence", "err.too_long");
    }
    let incident = c
        .opt_text("incident", Some(&input.incident), 200)
        .unwrap_or_default();
    let warnings = warning_list(&input.warning_ids).unwrap_or_else(|_| {
        c.fail("warning_ids", "err.warning_ids");
        Vec::new()
    });
    c.finish()?;
    warnings_exist(db, &warnings).await?;
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE scam_indicators SET version = version WHERE id = $1",
        args![id],
    )
    .await?;
    let before = read(&mut tx, id).await?;
    tx.execute(
        "UPDATE scam_indicators SET evidence = $1, warning_ids = $2, incident = $3, version = version + 1, updated_at = $4 WHERE id = $5",
        args![&evidence, serde_json::to_string(&warnings).unwrap_or_else(|_| "[]".into()), &incident, now_ms(), id],
    )
    .await?;
    let after = read(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        "scam_indicator.updated",
        ENTITY,
        id,
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// One more report naming `rec` (inside the report's transaction): a new key becomes a
/// reported indicator; a known one counts the report and is seen now (a rejected one
/// stays rejected). Returns the indicator's id.
pub async fn count_report(
    tx: &mut Tx,
    origin: &Origin,
    rec: &Recognised,
    source: &str,
    now: i64,
) -> AppResult<String> {
    let key = &rec.keys[0];
    let existing = tx
        .fetch_optional(
            "SELECT id FROM scam_indicators WHERE lookup_key = $1",
            args![key],
        )
        .await?;
    let id = match existing {
        Some(r) => {
            let id = r.str("id")?;
            let before = read(tx, &id).await?;
            tx.execute(
                "UPDATE scam_indicators SET report_count = report_count + 1, last_seen = $1, version = version + 1, updated_at = $1 WHERE id = $2",
                args![now, &id],
            )
            .await?;
            let after = read(tx, &id).await?;
            record_change(
                tx,
                origin,
                "scam_indicator.reported",
                ENTITY,
                &id,
                json(&before),
                json(&after),
            )
            .await?;
            id
        }
        None => {
            let id = new_id();
            tx.execute(
                "INSERT INTO scam_indicators (id, kind, lookup_key, display, status, report_count, first_seen, last_seen, evidence, warning_ids, incident, source, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'reported', 1, $5, $5, '', '[]', '', $6, 1, $5, $5)",
                args![&id, rec.kind.as_str(), key, &rec.display, now, source],
            )
            .await?;
            let after = read(tx, &id).await?;
            record_change(
                tx,
                origin,
                "scam_indicator.reported",
                ENTITY,
                &id,
                None,
                json(&after),
            )
            .await?;
            id
        }
    };
    Ok(id)
}

/// The indicators after `after` by id, `limit` of them (the set's keyset paging). By
/// the primary key alone: a condition on the status would let the planner choose the
/// status index and sort, once a page — quadratic over millions of rows.
pub async fn page_after(db: &Db, after: &str, limit: i64) -> DbResult<Vec<Indicator>> {
    db.fetch_all(
        "SELECT * FROM scam_indicators WHERE id > $1 ORDER BY id LIMIT $2",
        args![after, limit],
    )
    .await?
    .iter()
    .map(Indicator::from_row)
    .collect()
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    /// Already known: left as staff last decided (the import never overrides them).
    pub unchanged: usize,
}

/// An import in progress: one transaction (all or nothing) fed in chunks, so a file of
/// millions of rows never sits in memory. New keys are added with the status given,
/// known keys are left as they are (an import run twice changes nothing the second
/// time). One audit row and one event for the whole import ([`Import::finish`]).
pub struct Import {
    tx: Tx,
    now: i64,
    source: String,
    pub counts: ImportCounts,
}

impl Import {
    pub async fn begin(db: &Db, source: &str) -> AppResult<Import> {
        Ok(Import {
            tx: db.begin().await?,
            now: now_ms(),
            source: source.to_string(),
            counts: ImportCounts::default(),
        })
    }

    /// Adds rows, 100 a statement (one round trip each; short, because SQLite's driver
    /// walks the parameter list for every parameter; a key twice in one statement
    /// counts once).
    pub async fn add(&mut self, rows: &[(Recognised, Status)]) -> AppResult<()> {
        for chunk in rows.chunks(100) {
            let mut sql = String::from(
                "INSERT INTO scam_indicators (id, kind, lookup_key, display, status, report_count, first_seen, last_seen, evidence, warning_ids, incident, source, version, created_at, updated_at) VALUES ",
            );
            let mut params: Vec<crate::platform::db::Value> = Vec::with_capacity(chunk.len() * 7);
            for (n, (rec, status)) in chunk.iter().enumerate() {
                let b = params.len();
                if n > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, 0, ${}, ${}, '', '[]', '', ${}, 1, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 6,
                    b + 7,
                    b + 6,
                    b + 6
                ));
                params.push(new_id().into());
                params.push(rec.kind.as_str().into());
                params.push(rec.keys[0].clone().into());
                params.push(rec.display.clone().into());
                params.push(status.as_str().into());
                params.push(self.now.into());
                params.push(self.source.clone().into());
            }
            sql.push_str(" ON CONFLICT (lookup_key) DO NOTHING");
            let added = self.tx.execute(&sql, &params).await? as usize;
            self.counts.added += added;
            self.counts.unchanged += chunk.len() - added;
        }
        Ok(())
    }

    /// Commits the import with its audit row and event (every node's set reloads).
    pub async fn finish(mut self, origin: &Origin, rows: usize) -> AppResult<ImportCounts> {
        record_change(
            &mut self.tx,
            origin,
            IMPORTED,
            ENTITY,
            &self.source,
            None,
            Some(serde_json::json!({"source": self.source, "rows": rows, "added": self.counts.added, "unchanged": self.counts.unchanged})),
        )
        .await?;
        self.tx.commit().await?;
        Ok(self.counts)
    }
}

/// Imports `rows` in one transaction (see [`Import`]).
pub async fn import(
    db: &Db,
    origin: &Origin,
    rows: &[(Recognised, Status)],
    source: &str,
) -> AppResult<ImportCounts> {
    let mut i = Import::begin(db, source).await?;
    i.add(rows).await?;
    i.finish(origin, rows.len()).await
}
