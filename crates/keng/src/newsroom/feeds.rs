//! Atom feeds (RFC 4287) of released bulletins: all, per category, per incident.
//! A correction keeps the entry id and moves `updated`; a withdrawal becomes an
//! RFC 6721 tombstone (`at:deleted-entry`).
//!
//! A feed stays a sane size for pollers: entries carry their full content until
//! [`CONTENT_BUDGET`] bytes of it are spent; later entries carry their summary and link.

use std::collections::BTreeMap;

use atom_syndication::extension::Extension;
use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{TimeZone, Utc};

use super::model::{Bulletin, State};
use crate::platform::i18n::{self, Lang};

const TOMBSTONES: &str = "http://purl.org/atompub/tombstones/1.0";
/// Bytes of entry content one feed carries at most.
pub const CONTENT_BUDGET: usize = 512 * 1024;

fn time(ms: i64) -> FixedDateTime {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .fixed_offset()
}

/// The stable id of a bulletin's entry (kept across corrections).
pub fn entry_id(b: &Bulletin) -> String {
    format!("urn:uuid:{}", b.id)
}

/// Builds a feed. `self_path` is the feed's own path; entries are newest first.
pub fn feed(
    title: &str,
    self_path: &str,
    base: &str,
    site: &str,
    bulletins: &[Bulletin],
) -> String {
    feed_with(title, self_path, base, site, bulletins, None)
}

/// A press feed: embargoed and press-only entries say so in their title, at `now`.
pub fn press_feed(
    title: &str,
    self_path: &str,
    base: &str,
    site: &str,
    bulletins: &[Bulletin],
    now: i64,
) -> String {
    feed_with(title, self_path, base, site, bulletins, Some(now))
}

fn feed_with(
    title: &str,
    self_path: &str,
    base: &str,
    site: &str,
    bulletins: &[Bulletin],
    press_at: Option<i64>,
) -> String {
    let base = base.trim_end_matches('/');
    let mut entries = Vec::new();
    let mut deleted = Vec::new();
    let mut updated = 0;
    let mut budget = CONTENT_BUDGET;
    for b in bulletins {
        let changed = b
            .corrected_at
            .or(b.withdrawn_at)
            .unwrap_or(b.shown_at())
            .max(b.shown_at());
        updated = updated.max(changed);
        if b.state == State::Withdrawn {
            let mut comment = Extension {
                name: "at:comment".into(),
                value: b.withdrawal_reason.clone(),
                ..Default::default()
            };
            comment.attrs.insert("xml:lang".into(), "vi".into());
            let mut children = BTreeMap::new();
            children.insert("comment".to_string(), vec![comment]);
            let mut attrs = BTreeMap::new();
            attrs.insert("ref".to_string(), entry_id(b));
            attrs.insert(
                "when".to_string(),
                time(b.withdrawn_at.unwrap_or(changed)).to_rfc3339(),
            );
            deleted.push(Extension {
                name: "at:deleted-entry".into(),
                value: None,
                attrs,
                children,
            });
            continue;
        }
        let link = format!("{base}/tin/{}", b.id);
        let mut summary = b.summary.clone();
        if let Some(n) = &b.correction_note {
            summary = format!("[Đính chính: {n}] {summary}");
        }
        let mut entry_title = b.title.clone();
        if let (Some(now), Some(until)) = (press_at, b.embargo_until) {
            if until > now && b.audience == "public" {
                entry_title = format!(
                    "[CẤM ĐĂNG TRƯỚC {}] {entry_title}",
                    crate::platform::clock::format_datetime(until)
                );
            }
        }
        if press_at.is_some() && b.audience == "press" {
            entry_title = format!("[CHỈ DÀNH CHO BÁO CHÍ] {entry_title}");
        }
        entries.push(Entry {
            title: Text::plain(entry_title),
            id: entry_id(b),
            updated: time(changed),
            published: Some(time(b.shown_at())),
            authors: vec![Person {
                name: site.to_string(),
                ..Default::default()
            }],
            categories: vec![Category {
                term: b.category.clone(),
                scheme: Some(format!("{base}/tin")),
                label: Some(i18n::t(Lang::Vi, &format!("category.{}", b.category))),
            }],
            links: vec![Link {
                href: link,
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            }],
            summary: Some(Text::plain(summary)),
            content: if b.body_html.len() <= budget {
                budget -= b.body_html.len();
                Some(Content {
                    value: Some(b.body_html.clone()),
                    content_type: Some("html".into()),
                    ..Default::default()
                })
            } else {
                budget = 0;
                None
            },
            ..Default::default()
        });
    }
    let mut feed = Feed {
        title: Text::plain(title.to_string()),
        id: format!("{base}{self_path}"),
        updated: time(updated),
        authors: vec![Person {
            name: site.to_string(),
            uri: Some(base.to_string()),
            ..Default::default()
        }],
        links: vec![
            Link {
                href: format!("{base}{self_path}"),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: format!("{base}/tin"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        lang: Some("vi".into()),
        entries,
        ..Default::default()
    };
    if !deleted.is_empty() {
        feed.namespaces.insert("at".into(), TOMBSTONES.into());
        let mut m = BTreeMap::new();
        m.insert("deleted-entry".to_string(), deleted);
        feed.extensions.insert("at".to_string(), m);
    }
    feed.to_string()
}
