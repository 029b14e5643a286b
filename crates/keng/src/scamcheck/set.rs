//! Each node's in-memory copy of what the check and the analyzer read, so that a check
//! touches no database: the indicators that answer (reported, verified, published) by
//! the first 128 bits of the SHA-256 of their key, the bank list, the scam-pattern
//! lexicon and the titles of the warnings they link to. It is a cache rebuilt from the
//! database at start and kept current from the event log (`follow`): every event about
//! an indicator, a bank, a pattern or phrase, or a linked warning re-reads that record,
//! so a verification on any node shows on every node within the log's wake-up time.
//!
//! Memory per indicator: a 16-byte key and a 20-byte entry in a B-tree (ordered, so
//! the range API reads a prefix without a scan); linked warning lists are interned
//! (bench/scamcheck.sh measures it at 10 million).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use keng_indicators::bank::Bank;
use keng_indicators::lexicon::{Lexicon, Phrase};
use keng_indicators::value::{self, Kind};

use super::model::{Indicator, Status};
use super::store;
use crate::args;
use crate::platform::db::{Db, DbResult};
use crate::platform::events;

/// The first 128 bits of the SHA-256 of a key.
pub fn key_hash(key: &str) -> u128 {
    let h = value::hash(key);
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    u128::from_be_bytes(b)
}

/// What the set keeps of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub status: u8,
    pub kind: u8,
    pub reports: u32,
    /// Seconds since the epoch.
    pub first_seen: u32,
    pub last_seen: u32,
    /// Index of its linked warnings in the interned lists (0: none).
    pub warnings: u32,
}

impl Entry {
    pub fn status(&self) -> Status {
        Status::from_code(self.status)
    }
    pub fn kind(&self) -> Kind {
        Kind::ALL
            .get(self.kind as usize)
            .copied()
            .unwrap_or(Kind::Link)
    }
}

/// A scam pattern of the lexicon, as the analyzer names it.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub advice_vi: String,
    pub advice_en: String,
    pub warning_id: Option<String>,
}

/// A warning as the check links it.
#[derive(Debug, Clone)]
pub struct WarningRef {
    pub headline: String,
    pub headline_en: Option<String>,
    /// Only public warnings are linked on public surfaces.
    pub public: bool,
}

impl WarningRef {
    /// Its headline in `lang` (Vietnamese when there is no English one).
    pub fn headline_in(&self, lang: crate::platform::i18n::Lang) -> String {
        match (lang, &self.headline_en) {
            (crate::platform::i18n::Lang::En, Some(en)) if !en.is_empty() => en.clone(),
            _ => self.headline.clone(),
        }
    }
}

/// The rules the analyzer applies (rebuilt whole when a phrase or pattern changes).
pub struct Rules {
    pub lexicon: Lexicon,
    pub patterns: HashMap<String, Pattern>,
}

#[derive(Default)]
struct Inner {
    /// An indicator's key never changes, so its hash is where it stays.
    map: BTreeMap<u128, Entry>,
    /// hash("account:N") → the bank-account keys with that number.
    accounts: HashMap<u128, Vec<u128>>,
    lists: Vec<Arc<[String]>>,
    list_index: HashMap<Arc<[String]>, u32>,
    warnings: HashMap<String, WarningRef>,
}

/// The set (one per node; see the module's documentation).
pub struct Set {
    inner: RwLock<Inner>,
    banks: RwLock<Arc<Vec<Bank>>>,
    rules: RwLock<Arc<Rules>>,
    ready: AtomicBool,
    /// The event log's head read before the first load (where following resumes).
    loaded_at: AtomicI64,
}

impl Default for Set {
    fn default() -> Self {
        Set {
            inner: RwLock::new(Inner {
                lists: vec![Arc::from(Vec::<String>::new())],
                ..Inner::default()
            }),
            banks: RwLock::new(Arc::new(keng_indicators::bank::default_banks())),
            rules: RwLock::new(Arc::new(Rules {
                lexicon: Lexicon::empty(),
                patterns: HashMap::new(),
            })),
            ready: AtomicBool::new(false),
            loaded_at: AtomicI64::new(0),
        }
    }
}

fn secs(ms: i64) -> u32 {
    (ms / 1000).clamp(0, u32::MAX as i64) as u32
}

/// A match in the set.
#[derive(Debug, Clone)]
pub struct Found {
    pub entry: Entry,
    pub warnings: Arc<[String]>,
}

impl Set {
    /// Has the first load finished?
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Marks a set filled by hand (benchmarks, tests) as ready to answer.
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.map.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn banks(&self) -> Arc<Vec<Bank>> {
        self.banks
            .read()
            .map(|b| b.clone())
            .unwrap_or_else(|_| Arc::new(Vec::new()))
    }

    pub fn rules(&self) -> Option<Arc<Rules>> {
        self.rules.read().ok().map(|r| r.clone())
    }

    /// The indicator under `key`, if it answers.
    pub fn get(&self, key: &str) -> Option<Found> {
        let h = key_hash(key);
        let inner = self.inner.read().ok()?;
        let e = *inner.map.get(&h)?;
        Some(Found {
            warnings: inner
                .lists
                .get(e.warnings as usize)
                .cloned()
                .unwrap_or_else(|| Arc::from(Vec::new())),
            entry: e,
        })
    }

    /// The bank accounts recorded with the number of `account_key` ("account:N").
    pub fn accounts_with(&self, account_key: &str) -> Vec<Found> {
        let h = key_hash(account_key);
        let Ok(inner) = self.inner.read() else {
            return Vec::new();
        };
        inner
            .accounts
            .get(&h)
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| inner.map.get(k))
                    .map(|e| Found {
                        entry: *e,
                        warnings: inner
                            .lists
                            .get(e.warnings as usize)
                            .cloned()
                            .unwrap_or_else(|| Arc::from(Vec::new())),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Entries whose key hash starts with the 20-bit `prefix`, as (hash, entry).
    pub fn range(&self, prefix: u32) -> Vec<(u128, Entry)> {
        let lo = (prefix as u128) << 108;
        let hi = lo | ((1u128 << 108) - 1);
        self.inner
            .read()
            .map(|i| i.map.range(lo..=hi).map(|(k, e)| (*k, *e)).collect())
            .unwrap_or_default()
    }

    /// The warning's title as linked, if known.
    pub fn warning(&self, id: &str) -> Option<WarningRef> {
        self.inner.read().ok()?.warnings.get(id).cloned()
    }

    /// Puts `i` in (or takes it out, when its status does not answer).
    pub fn apply(&self, i: &Indicator) {
        let h = key_hash(&i.lookup_key);
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        let answers = matches!(
            i.status,
            Status::Reported | Status::Verified | Status::Published
        );
        let account = i
            .lookup_key
            .strip_prefix("bank:")
            .and_then(|r| r.split_once(':'))
            .map(|(_, n)| key_hash(&format!("account:{n}")));
        if !answers {
            inner.map.remove(&h);
            if let Some(a) = account {
                if let Some(v) = inner.accounts.get_mut(&a) {
                    v.retain(|k| *k != h);
                }
            }
            return;
        }
        let warnings = if i.warning_ids.is_empty() {
            0
        } else {
            let list: Arc<[String]> = Arc::from(i.warning_ids.clone());
            match inner.list_index.get(&list) {
                Some(n) => *n,
                None => {
                    let n = inner.lists.len() as u32;
                    inner.lists.push(list.clone());
                    inner.list_index.insert(list, n);
                    n
                }
            }
        };
        let kind = Kind::parse(&i.kind)
            .and_then(|k| Kind::ALL.iter().position(|x| *x == k))
            .unwrap_or(3) as u8;
        inner.map.insert(
            h,
            Entry {
                status: i.status.code(),
                kind,
                reports: i.report_count.clamp(0, u32::MAX as i64) as u32,
                first_seen: secs(i.first_seen),
                last_seen: secs(i.last_seen),
                warnings,
            },
        );
        if let Some(a) = account {
            let v = inner.accounts.entry(a).or_default();
            if !v.contains(&h) {
                v.push(h);
            }
        }
    }
}

/// Loads every answering indicator, page by page, then the banks, the rules and the
/// linked warnings.
pub async fn load(db: &Db, set: &Set) -> anyhow::Result<()> {
    let mut after = String::new();
    let mut fresh = Set::default();
    loop {
        let page = store::page_after(db, &after, 20_000).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id.clone();
        // Only those that answer go in (apply leaves the others out).
        for i in &page {
            fresh.apply(i);
        }
    }
    let banks = store::banks(db).await?;
    let rules = Arc::new(load_rules(db).await?);
    // The linked warnings are read into the fresh copy too, before it is swapped in: a
    // reload (after an import) never shows a check its records without their warnings.
    if let Ok(mut r) = fresh.rules.write() {
        *r = rules.clone();
    }
    refresh_warnings(db, &fresh, None).await?;
    // Swap in whole: a check never sees half a load.
    let fresh_inner = std::mem::take(
        fresh
            .inner
            .get_mut()
            .map_err(|_| anyhow::anyhow!("set lock poisoned"))?,
    );
    if let Ok(mut inner) = set.inner.write() {
        *inner = fresh_inner;
    }
    if let Ok(mut b) = set.banks.write() {
        *b = Arc::new(banks);
    }
    if let Ok(mut r) = set.rules.write() {
        *r = rules;
    }
    set.ready.store(true, Ordering::Release);
    Ok(())
}

/// The lexicon and the patterns from the database.
pub async fn load_rules(db: &Db) -> DbResult<Rules> {
    let mut patterns = HashMap::new();
    for r in db.fetch_all("SELECT * FROM scam_patterns", args![]).await? {
        let p = Pattern {
            id: r.str("id")?,
            name_vi: r.str("name_vi")?,
            name_en: r.str("name_en")?,
            advice_vi: r.str("advice_vi")?,
            advice_en: r.str("advice_en")?,
            warning_id: r.opt_str("warning_id")?,
        };
        patterns.insert(p.id.clone(), p);
    }
    let mut phrases = Vec::new();
    for r in db
        .fetch_all(
            "SELECT pattern_id, phrase, weight_tenths FROM scam_phrases WHERE active = TRUE ORDER BY id",
            args![],
        )
        .await?
    {
        phrases.push(Phrase {
            pattern: r.str("pattern_id")?,
            text: r.str("phrase")?,
            weight: r.i64("weight_tenths")? as f32 / 10.0,
        });
    }
    let lexicon = Lexicon::new(phrases).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "scam lexicon could not be built; analysing without it");
        Lexicon::empty()
    });
    Ok(Rules { lexicon, patterns })
}

/// Re-reads the titles of the linked warnings (all, or the one given).
async fn refresh_warnings(db: &Db, set: &Set, only: Option<&str>) -> anyhow::Result<()> {
    let ids: Vec<String> = match only {
        Some(id) => vec![id.to_string()],
        None => {
            let mut ids: Vec<String> = set
                .inner
                .read()
                .map(|i| i.lists.iter().flat_map(|l| l.iter().cloned()).collect())
                .unwrap_or_default();
            if let Some(r) = set.rules() {
                ids.extend(r.patterns.values().filter_map(|p| p.warning_id.clone()));
            }
            ids.sort();
            ids.dedup();
            ids
        }
    };
    for id in ids {
        let w = crate::warnings::store::get(db, &id).await?;
        if let Ok(mut inner) = set.inner.write() {
            match w {
                Some(w) => {
                    inner.warnings.insert(
                        id,
                        WarningRef {
                            public: crate::warnings::visibility::public(&w),
                            headline: w.headline,
                            headline_en: w.headline_en,
                        },
                    );
                }
                None => {
                    inner.warnings.remove(&id);
                }
            }
        }
    }
    Ok(())
}

/// The first load, with the event log's head read before it (where following resumes:
/// an event seen twice only re-reads a record).
pub async fn first_load(db: &Db, set: &Set) -> anyhow::Result<()> {
    let head = events::head(db).await?;
    load(db, set).await?;
    set.loaded_at.store(head, Ordering::Release);
    Ok(())
}

/// Keeps `set` current: the first load (unless the node's warm-up did it), then every
/// event after it.
pub async fn follow(db: Db, set: Arc<Set>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let notify = events::register_waker();
    while !set.is_ready() {
        match first_load(&db, &set).await {
            Ok(()) => break,
            Err(e) => tracing::warn!(error = %e, "scam indicator set: load failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
    }
    let mut pos = set.loaded_at.load(Ordering::Acquire);
    loop {
        match events::read_after(&db, pos, 500).await {
            Ok(batch) => {
                let more = batch.len() == 500;
                for e in batch {
                    if let Err(err) = handle(&db, &set, &e).await {
                        tracing::warn!(event = e.id, error = %err, "scam indicator set: event not applied");
                        // Read the whole set again rather than drift.
                        let _ = load(&db, &set).await;
                    }
                    pos = e.id;
                }
                if more {
                    continue;
                }
            }
            Err(e) => tracing::warn!(error = %e, "event log unreadable"),
        }
        if events::idle("scamcheck-set", &notify, events::IDLE_POLL, &mut stop).await {
            return;
        }
    }
}

async fn handle(db: &Db, set: &Set, e: &events::Event) -> anyhow::Result<()> {
    match e.entity.as_str() {
        store::ENTITY if e.kind == store::IMPORTED => load(db, set).await?,
        // Indicators are never deleted (rejected and expired ones stay): a missing row
        // is an event from before a restore, nothing to apply.
        store::ENTITY => {
            if let Some(i) = store::get(db, &e.entity_id).await? {
                let new_warnings: Vec<String> = i
                    .warning_ids
                    .iter()
                    .filter(|w| set.warning(w).is_none())
                    .cloned()
                    .collect();
                set.apply(&i);
                for w in new_warnings {
                    refresh_warnings(db, set, Some(&w)).await?;
                }
            }
        }
        "scam_bank" => {
            let banks = store::banks(db).await?;
            if let Ok(mut b) = set.banks.write() {
                *b = Arc::new(banks);
            }
        }
        "scam_pattern" | "scam_phrase" => {
            let rules = load_rules(db).await?;
            if let Ok(mut r) = set.rules.write() {
                *r = Arc::new(rules);
            }
            refresh_warnings(db, set, None).await?;
        }
        "warning" => {
            let known = set
                .inner
                .read()
                .map(|i| i.warnings.contains_key(&e.entity_id))
                .unwrap_or(false);
            if known {
                refresh_warnings(db, set, Some(&e.entity_id)).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(id: &str, key: &str, status: Status) -> Indicator {
        Indicator {
            id: id.into(),
            kind: "bank_account".into(),
            lookup_key: key.into(),
            display: key.into(),
            status,
            report_count: 2,
            first_seen: 1_700_000_000_000,
            last_seen: 1_700_000_100_000,
            evidence: String::new(),
            warning_ids: vec!["w".into()],
            incident: String::new(),
            source: "staff".into(),
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn entries_come_and_go_with_their_status() {
        let s = Set::default();
        let id = "0193a0a0-0000-7000-8000-000000000001";
        s.apply(&ind(id, "bank:970436:0451000387261", Status::Verified));
        let f = s.get("bank:970436:0451000387261").expect("in");
        assert_eq!(f.entry.status(), Status::Verified);
        assert_eq!(&*f.warnings, &["w".to_string()]);
        assert_eq!(s.accounts_with("account:0451000387261").len(), 1);
        let h = key_hash("bank:970436:0451000387261");
        let r = s.range((h >> 108) as u32);
        assert!(r.iter().any(|(k, _)| *k == h));
        s.apply(&ind(id, "bank:970436:0451000387261", Status::Rejected));
        assert!(s.get("bank:970436:0451000387261").is_none());
        assert!(s.accounts_with("account:0451000387261").is_empty());
        assert_eq!(s.len(), 0);
    }
}
