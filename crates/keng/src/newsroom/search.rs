//! Full-text search over bulletins (and the records other capabilities offer through
//! `Capability::search_doc`, such as warnings) with tantivy and the Vietnamese analysis of
//! `keng-text`: every text is indexed twice, as canonical accented syllables ("hoá") and as
//! folded keys ("hoa"), so "ma tuy", "ma túy" and "ma tuý" all find "ma tuý" and accented
//! matches rank first. Snippets mark the matched words in the original text.
//!
//! The index is derived data: it lives in the data dir (one per node), follows the event
//! log (its cursor is the index's commit payload, so it resumes after a restart) and
//! `keng reindex` rebuilds it from the database. Hits are re-checked against
//! `visibility::seen` on the current database row (another capability's through its
//! `search_hit`), so a stale index can never leak.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::model::{Bulletin, State};
use super::sanitize;
use super::store;
use super::visibility::{seen, Seen, Viewer};
use crate::platform::capability::{searchables, SearchDoc};
use crate::platform::clock::now_ms;
use crate::platform::db::Db;
use crate::platform::events;

const ACCENTED: &str = "vi_accented";
const FOLDED: &str = "vi_folded";

/// Vietnamese syllables in one of the two forms.
#[derive(Clone)]
struct Syllables {
    folded: bool,
}

struct Stream {
    tokens: Vec<Token>,
    /// How many tokens `advance` has passed (the current one is `at - 1`).
    at: usize,
    none: Token,
}

impl TokenStream for Stream {
    fn advance(&mut self) -> bool {
        if self.at < self.tokens.len() {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        self.at
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.none)
    }
    fn token_mut(&mut self) -> &mut Token {
        if self.at >= 1 && self.at <= self.tokens.len() {
            &mut self.tokens[self.at - 1]
        } else {
            &mut self.none
        }
    }
}

impl Tokenizer for Syllables {
    type TokenStream<'a> = Stream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        let tokens = keng_text::tokens(text)
            .into_iter()
            .enumerate()
            .map(|(i, t)| Token {
                offset_from: t.start,
                offset_to: t.end,
                position: i,
                text: if self.folded { t.folded } else { t.text },
                position_length: 1,
            })
            .collect();
        Stream {
            tokens,
            at: 0,
            none: Token::default(),
        }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    accented: Field,
    folded: Field,
    category: Field,
    state: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        accented: b.add_text_field("accented", text(ACCENTED)),
        folded: b.add_text_field("folded", text(FOLDED)),
        category: b.add_text_field("category", STRING),
        state: b.add_text_field("state", STRING),
    };
    (b.build(), fields)
}

/// The search index of one node.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<IndexWriter>>,
    fields: Fields,
}

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// HTML: the matched words inside `<mark>`, everything else escaped.
    pub snippet: String,
    pub category: String,
    pub kind: String,
    pub shown_at: i64,
    pub url: String,
    pub score: f32,
    /// What it is: "bulletin", or another capability's entity ("warning").
    pub source: String,
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> tantivy::Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = match Index::open_in_dir(dir) {
            Ok(i) if i.schema() == schema => i,
            _ => {
                // A missing or outdated index is rebuilt from the database by the follower.
                for e in std::fs::read_dir(dir)?.flatten() {
                    let _ = std::fs::remove_file(e.path());
                }
                Index::create_in_dir(dir, schema)?
            }
        };
        index.tokenizers().register(
            ACCENTED,
            TextAnalyzer::builder(Syllables { folded: false }).build(),
        );
        index.tokenizers().register(
            FOLDED,
            TextAnalyzer::builder(Syllables { folded: true }).build(),
        );
        let writer = index.writer(50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Arc::new(Mutex::new(writer)),
            fields,
        })
    }

    pub fn dir_in(data_dir: &Path) -> PathBuf {
        data_dir.join("search")
    }

    /// The last event the index has applied (0 for a new index).
    pub fn cursor(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    fn doc(&self, b: &Bulletin) -> TantivyDocument {
        let f = self.fields;
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            b.title,
            b.summary,
            sanitize::plain(&b.body_html),
            b.places.join(", "),
            b.tags.join(", ")
        );
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &b.id);
        // The title counts twice: a match there ranks higher.
        d.add_text(f.accented, &b.title);
        d.add_text(f.folded, &b.title);
        d.add_text(f.accented, &text);
        d.add_text(f.folded, &text);
        d.add_text(f.category, &b.category);
        d.add_text(f.state, b.state.as_str());
        d
    }

    /// Another capability's record, keyed "{entity}:{id}"; its category is the entity
    /// (so a bulletin category filter leaves it out) and it is "published" only when it
    /// may be public at all.
    fn other_doc(&self, key: &str, entity: &str, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, key);
        doc.add_text(f.accented, &d.title);
        doc.add_text(f.folded, &d.title);
        let text = format!("{}\n{}", d.title, d.text);
        doc.add_text(f.accented, &text);
        doc.add_text(f.folded, &text);
        doc.add_text(f.category, entity);
        doc.add_text(
            f.state,
            if d.public {
                State::Published.as_str()
            } else {
                "hidden"
            },
        );
        doc
    }

    /// Applies a batch of bulletins and other capabilities' records (current state),
    /// drops the `deleted` keys and records the event cursor.
    pub fn apply(
        &self,
        bulletins: &[Bulletin],
        others: &[Other],
        deleted: &[String],
        cursor: i64,
    ) -> tantivy::Result<()> {
        let mut w = self
            .writer
            .lock()
            .map_err(|_| tantivy::TantivyError::Poisoned)?;
        for id in deleted {
            w.delete_term(Term::from_field_text(self.fields.id, id));
        }
        for b in bulletins {
            w.delete_term(Term::from_field_text(self.fields.id, &b.id));
            // Drafts are searchable by staff only; everything else is checked at query time.
            w.add_document(self.doc(b))?;
        }
        for o in others {
            w.delete_term(Term::from_field_text(self.fields.id, &o.key));
            w.add_document(self.other_doc(&o.key, o.entity, &o.doc))?;
        }
        let mut c = w.prepare_commit()?;
        c.set_payload(&cursor.to_string());
        c.commit()?;
        drop(w);
        self.reader.reload()
    }

    /// Empties the index (for a rebuild).
    pub fn clear(&self) -> tantivy::Result<()> {
        let mut w = self
            .writer
            .lock()
            .map_err(|_| tantivy::TantivyError::Poisoned)?;
        w.delete_all_documents()?;
        let mut c = w.prepare_commit()?;
        c.set_payload("0");
        c.commit()?;
        drop(w);
        self.reader.reload()
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The query: every word must match (folded); accented matches and the whole phrase
    /// rank higher.
    fn query(&self, q: &str, category: Option<&str>) -> Option<Box<dyn Query>> {
        let toks = keng_text::tokens(q);
        if toks.is_empty() {
            return None;
        }
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in toks.iter().take(16) {
            let folded: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(f.folded, &t.folded),
                IndexRecordOption::WithFreqs,
            ));
            clauses.push((Occur::Must, folded));
            if t.text != t.folded {
                let accented: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f.accented, &t.text),
                    IndexRecordOption::WithFreqs,
                ));
                clauses.push((Occur::Should, Box::new(BoostQuery::new(accented, 2.0))));
            }
        }
        if toks.len() > 1 {
            let phrase = PhraseQuery::new(
                toks.iter()
                    .take(16)
                    .map(|t| Term::from_field_text(f.folded, &t.folded))
                    .collect(),
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(phrase), 3.0)),
            ));
        }
        if let Some(c) = category.filter(|c| !c.is_empty()) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.category, c),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        // Drafts and other unpublished states are never public; the visibility check
        // below has the last word.
        let states: Vec<(Occur, Box<dyn Query>)> = [State::Published, State::Withdrawn]
            .iter()
            .map(|s| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f.state, s.as_str()),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(states))));
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// Ids of the best matches (before the visibility check).
    pub fn candidates(
        &self,
        q: &str,
        category: Option<&str>,
        limit: usize,
    ) -> tantivy::Result<Vec<(String, f32)>> {
        let Some(query) = self.query(q, category) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(limit.clamp(1, 1000)).order_by_score(),
        )?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                out.push((id.to_string(), score));
            }
        }
        Ok(out)
    }

    /// Searches as `viewer`: only what they may see, withdrawn items left out.
    pub async fn search(
        &self,
        db: &Db,
        base_url: &str,
        viewer: Viewer,
        q: &str,
        category: Option<&str>,
        limit: usize,
    ) -> anyhow::Result<Vec<Hit>> {
        let candidates = self.candidates(q, category, limit * 3 + 10)?;
        let now = now_ms();
        let words: Vec<String> = keng_text::tokens(q).into_iter().map(|t| t.folded).collect();
        let mut hits = Vec::new();
        for (id, score) in candidates {
            if let Some((entity, other_id)) = id.split_once(':') {
                // Another capability's record: its own rule decides, on its current row.
                let Some((_, cap)) = searchables().find(|(e, _)| *e == entity) else {
                    continue;
                };
                if let Some(h) = cap.search_hit(db, other_id).await? {
                    hits.push(Hit {
                        snippet: snippet(&format!("{} {}", h.summary, h.text), &words, 30),
                        url: format!("{}{}", base_url.trim_end_matches('/'), h.path),
                        id: other_id.to_string(),
                        title: h.title,
                        summary: h.summary,
                        category: h.category,
                        kind: entity.to_string(),
                        shown_at: h.shown_at,
                        score,
                        source: entity.to_string(),
                    });
                }
                if hits.len() >= limit {
                    break;
                }
                continue;
            }
            let Some(b) = store::get(db, &id).await? else {
                continue;
            };
            if !matches!(seen(&b, viewer, now), Seen::Full { .. }) {
                continue;
            }
            // The snippet comes from the beginning of the text: a 200 kB body would cost
            // every query a full parse and tokenisation per hit.
            let head = b
                .body_html
                .get(..floor_char_boundary(&b.body_html, SNIPPET_SOURCE_BYTES))
                .unwrap_or("");
            let body = sanitize::plain(head);
            hits.push(Hit {
                snippet: snippet(&format!("{} {}", b.summary, body), &words, 30),
                url: format!("{}/tin/{}", base_url.trim_end_matches('/'), b.id),
                shown_at: b.shown_at(),
                id: b.id,
                title: b.title,
                summary: b.summary,
                category: b.category,
                kind: b.kind,
                score,
                source: "bulletin".into(),
            });
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    }
}

/// How much of a body the snippet is looked for in.
const SNIPPET_SOURCE_BYTES: usize = 16 * 1024;

/// The largest char boundary of `s` at or below `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// About `width` words of `text` around the first match, matched words in `<mark>`.
pub fn snippet(text: &str, words: &[String], width: usize) -> String {
    let canon = keng_text::canonical(text);
    let toks = keng_text::tokens(text);
    if toks.is_empty() {
        return String::new();
    }
    let is_hit = |i: usize| words.iter().any(|w| *w == toks[i].folded);
    let first = (0..toks.len()).find(|i| is_hit(*i)).unwrap_or(0);
    let start = first.saturating_sub(width / 3);
    let end = (start + width).min(toks.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut pos = toks[start].start;
    for (i, t) in toks.iter().enumerate().take(end).skip(start) {
        out.push_str(&escape(&canon[pos..t.start]));
        let word = escape(&canon[t.start..t.end]);
        if is_hit(i) {
            out.push_str(&format!("<mark>{word}</mark>"));
        } else {
            out.push_str(&word);
        }
        pos = t.end;
    }
    if end < toks.len() {
        out.push('…');
    }
    out
}

/// Follows the event log into the index, from the index's own cursor.
pub async fn follow(db: Db, index: SearchIndex, mut stop: tokio::sync::watch::Receiver<bool>) {
    let notify = events::register_waker();
    loop {
        match catch_up(&db, &index).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "search index follower failed"),
        }
        if events::idle("search-index", &notify, events::IDLE_POLL, &mut stop).await {
            return;
        }
    }
}

/// Applies the events after the index's cursor; returns how many it read.
pub async fn catch_up(db: &Db, index: &SearchIndex) -> anyhow::Result<usize> {
    let cursor = index.cursor();
    let batch = events::read_after(db, cursor, 500).await?;
    let Some(last) = batch.last().map(|e| e.id) else {
        return Ok(0);
    };
    let mut ids: Vec<String> = batch
        .iter()
        .filter(|e| e.entity == "bulletin")
        .map(|e| e.entity_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let mut bulletins = Vec::new();
    let mut gone = Vec::new();
    for id in ids {
        match store::get(db, &id).await? {
            Some(b) => bulletins.push(b),
            None => gone.push(id),
        }
    }
    // Other capabilities' records named by the batch, re-read now.
    let mut keys: Vec<(&'static str, String)> = Vec::new();
    for e in &batch {
        if let Some((entity, _)) = searchables().find(|(x, _)| *x == e.entity) {
            if !keys
                .iter()
                .any(|(x, id)| *x == entity && *id == e.entity_id)
            {
                keys.push((entity, e.entity_id.clone()));
            }
        }
    }
    let mut others = Vec::new();
    for (entity, id) in keys {
        match other(db, entity, &id).await? {
            Some(o) => others.push(o),
            None => gone.push(format!("{entity}:{id}")),
        }
    }
    let idx = index.clone();
    let n = batch.len();
    tokio::task::spawn_blocking(move || idx.apply(&bulletins, &others, &gone, last)).await??;
    Ok(n)
}

/// Another capability's record to index, keyed "{entity}:{id}".
pub struct Other {
    key: String,
    entity: &'static str,
    doc: SearchDoc,
}

/// The current document of `entity` `id`, if it has one.
async fn other(db: &Db, entity: &'static str, id: &str) -> anyhow::Result<Option<Other>> {
    let Some((_, cap)) = searchables().find(|(e, _)| *e == entity) else {
        return Ok(None);
    };
    Ok(cap.search_doc(db, id).await?.map(|doc| Other {
        key: format!("{entity}:{id}"),
        entity,
        doc,
    }))
}

/// What a rebuild put in the index.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rebuilt {
    pub bulletins: usize,
    /// Other capabilities' records (warnings…).
    pub others: usize,
}

/// Rebuilds the index from the database (`keng reindex`).
pub async fn rebuild(
    db: &Db,
    index: &SearchIndex,
    progress: impl Fn(usize, usize),
) -> anyhow::Result<Rebuilt> {
    let head = events::head(db).await?;
    let idx = index.clone();
    tokio::task::spawn_blocking(move || idx.clear()).await??;
    let total = db
        .fetch_one("SELECT COUNT(*) AS n FROM bulletins", &[])
        .await?
        .i64("n")? as usize;
    let mut done = 0;
    let mut offset = 0;
    loop {
        let rows = db
            .fetch_all(
                &format!("SELECT id FROM bulletins ORDER BY id LIMIT 1000 OFFSET {offset}"),
                &[],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        offset += rows.len();
        let mut batch = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Some(b) = store::get(db, &r.str("id")?).await? {
                batch.push(b);
            }
        }
        done += batch.len();
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.apply(&batch, &[], &[], head)).await??;
        progress(done, total);
    }
    let mut others = 0;
    for (entity, cap) in searchables() {
        let mut batch = Vec::new();
        for id in cap.search_ids(db).await? {
            if let Some(o) = other(db, entity, &id).await? {
                batch.push(o);
            }
        }
        others += batch.len();
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.apply(&[], &batch, &[], head)).await??;
    }
    Ok(Rebuilt {
        bulletins: done,
        others,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_folded_matches_and_escape() {
        let s = snippet(
            "Bắt giữ 3 đối tượng tàng trữ ma tuý <b>tổng hợp</b>",
            &["ma".into(), "tuy".into()],
            30,
        );
        assert!(s.contains("<mark>ma</mark> <mark>tuý</mark>"), "{s}");
        assert!(s.contains("&lt;b&gt;"));
    }

    #[test]
    fn the_tokenizer_gives_both_forms() {
        let mut t = Syllables { folded: true };
        let mut s = t.token_stream("Thanh Hóa");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        assert_eq!(out, ["thanh", "hoa"]);
        let mut t = Syllables { folded: false };
        let mut s = t.token_stream("Thanh Hóa");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        assert_eq!(out, ["thanh", "hoá"]);
        let mut s = t.token_stream("  ,, ");
        assert!(!s.advance());
    }
}
