//! The index over published bulletins and the matching of one article against it.

use std::collections::HashMap;

use crate::facts::Facts;
use crate::shingle::pairs;

/// A bulletin as the index takes it.
#[derive(Debug, Clone, Copy)]
pub struct Bulletin<'a> {
    /// The id in its page's address (`/tin/{id}`).
    pub id: &'a str,
    /// Title, lead and body as plain text.
    pub text: &'a str,
    /// When it was published (Unix seconds).
    pub published_at: i64,
}

/// When an article may report on a bulletin, relative to its publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Seconds an article may precede it (clock skew, embargoed copies sent ahead).
    pub before: i64,
    /// Seconds after it an article may still be about it.
    pub after: i64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            before: 2 * 3600,
            after: 30 * 86_400,
        }
    }
}

/// Why an article was matched to a bulletin.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// It links to the bulletin's page.
    Link,
    /// Its text repeats `score` of the bulletin's weight; `evidence` are the rarest word
    /// pairs both share.
    Text { score: f64, evidence: Vec<String> },
}

/// One bulletin an article may report on.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub bulletin_id: String,
    /// 0 to 1.
    pub confidence: f64,
    pub reason: Reason,
}

/// The confidence from the share of the bulletin's weight the article repeats and the
/// share of the article's weight the bulletin holds.
fn combine(of_bulletin: f64, of_article: f64) -> f64 {
    let sum = of_bulletin + of_article;
    if sum <= 0.0 {
        0.0
    } else {
        2.0 * of_bulletin * of_article / sum
    }
}

/// What each conflict of facts (another ward, other counts) leaves of the confidence.
const CONFLICT: f64 = 0.6;

/// How many candidates by raw shared weight are scored in full.
const CANDIDATES: usize = 48;
/// Evidence pairs kept per match.
const EVIDENCE: usize = 8;

/// The published bulletins, by their word pairs. Adding a bulletin again under its id
/// (a correction) replaces it; [`Index::remove`] forgets one (withdrawn).
#[derive(Debug, Default)]
pub struct Index {
    ids: Vec<String>,
    published: Vec<i64>,
    pairs_of: Vec<Vec<u64>>,
    facts: Vec<Facts>,
    live: Vec<bool>,
    live_count: usize,
    postings: HashMap<u64, Vec<u32>>,
    by_id: HashMap<String, u32>,
    window: Window,
}

impl Index {
    pub fn new(window: Window) -> Index {
        Index {
            window,
            ..Index::default()
        }
    }

    /// Bulletins in the index.
    pub fn len(&self) -> usize {
        self.live_count
    }

    pub fn is_empty(&self) -> bool {
        self.live_count == 0
    }

    /// Adds a bulletin (replacing an earlier text under the same id).
    pub fn add(&mut self, b: Bulletin) {
        self.remove(b.id);
        let Ok(n) = u32::try_from(self.ids.len()) else {
            return;
        };
        let keys: Vec<u64> = pairs(b.text).into_iter().map(|p| p.key).collect();
        self.published.push(b.published_at);
        // Postings are kept in order of publication, so an article reads only the part
        // of each that falls in its window (a bulletin added late goes in its place).
        for k in &keys {
            let post = self.postings.entry(*k).or_default();
            let at = post.partition_point(|&m| self.published[m as usize] <= b.published_at);
            post.insert(at, n);
        }
        self.ids.push(b.id.to_string());
        self.pairs_of.push(keys);
        self.facts.push(Facts::of(b.text));
        self.live.push(true);
        self.live_count += 1;
        self.by_id.insert(b.id.to_string(), n);
    }

    /// Forgets a bulletin (its postings stay until they are next walked, skipped as
    /// dead; a rebuilt index drops them).
    pub fn remove(&mut self, id: &str) {
        if let Some(n) = self.by_id.remove(id) {
            let n = n as usize;
            if self.live.get(n).copied().unwrap_or(false) {
                self.live[n] = false;
                self.live_count -= 1;
                self.pairs_of[n] = Vec::new();
                self.facts[n] = Facts::default();
            }
        }
    }

    /// The weight of a word pair found in `df` bulletins: rare pairs tell bulletins
    /// apart, a pair in every bulletin weighs nothing.
    fn weight(&self, df: usize) -> f64 {
        if df == 0 {
            return 0.0;
        }
        ((self.live_count as f64 + 1.0) / df as f64).ln().max(0.0)
    }

    fn df(&self, key: u64) -> usize {
        self.postings.get(&key).map_or(0, |p| p.len())
    }

    /// Pairs found in more bulletins than this tell none apart (their weight is nearly
    /// nothing): skipped.
    fn max_df(&self) -> usize {
        (self.live_count / 2).max(64)
    }

    /// The part of a posting list published within the window of an article at `at`.
    fn in_window<'a>(&self, post: &'a [u32], at: i64) -> &'a [u32] {
        let lo = at.saturating_sub(self.window.after);
        let hi = at.saturating_add(self.window.before);
        let from = post.partition_point(|&m| self.published[m as usize] < lo);
        let to = post.partition_point(|&m| self.published[m as usize] <= hi);
        &post[from..to.max(from)]
    }

    /// The bulletin a link points to (`…/tin/{id}`, with or without a query or a
    /// fragment), if it is in the index.
    fn linked(&self, link: &str) -> Option<u32> {
        let rest = &link[link.find("/tin/")? + 5..];
        let id = rest.split(['/', '?', '#']).next()?;
        let n = *self.by_id.get(id)?;
        self.live[n as usize].then_some(n)
    }

    /// The bulletins `text` (with `links`, published at `at`) may report on, most likely
    /// first, at most `k`.
    pub fn matches(&self, text: &str, links: &[String], at: i64, k: usize) -> Vec<Match> {
        let mut out: Vec<Match> = Vec::new();
        for l in links {
            if let Some(n) = self.linked(l) {
                let id = &self.ids[n as usize];
                if !out.iter().any(|m| &m.bulletin_id == id) {
                    out.push(Match {
                        bulletin_id: id.clone(),
                        confidence: 1.0,
                        reason: Reason::Link,
                    });
                }
            }
        }
        let article = pairs(text);
        let told = Facts::of(text);
        let max_df = self.max_df();
        // Shared weight per bulletin, from the article's rarer pairs.
        let mut shared: HashMap<u32, f64> = HashMap::new();
        // The weight of the article's own rare pairs: what it says that some bulletin
        // says too. Facts of another case (another ward, other numbers) weigh here and
        // not in what it shares with this bulletin.
        let mut article_total = 0.0;
        for p in &article {
            let Some(post) = self.postings.get(&p.key) else {
                continue;
            };
            if post.len() > max_df {
                continue;
            }
            let w = self.weight(post.len());
            article_total += w;
            for &n in self.in_window(post, at) {
                if self.live[n as usize] {
                    *shared.entry(n).or_insert(0.0) += w;
                }
            }
        }
        let mut best: Vec<(u32, f64)> = shared.into_iter().collect();
        best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        best.truncate(CANDIDATES);
        let mut scored: Vec<(u32, f64)> = best
            .into_iter()
            .map(|(n, s)| {
                let total: f64 = self.pairs_of[n as usize]
                    .iter()
                    .map(|k| {
                        let df = self.df(*k);
                        if df > max_df {
                            0.0
                        } else {
                            self.weight(df)
                        }
                    })
                    .sum();
                let of_bulletin = if total > 0.0 {
                    (s / total).min(1.0)
                } else {
                    0.0
                };
                let of_article = if article_total > 0.0 {
                    (s / article_total).min(1.0)
                } else {
                    0.0
                };
                let conflicts = told.conflicts(&self.facts[n as usize]);
                (
                    n,
                    combine(of_bulletin, of_article) * CONFLICT.powi(conflicts as i32),
                )
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (n, score) in scored {
            if out.len() >= k {
                break;
            }
            let id = &self.ids[n as usize];
            if out.iter().any(|m| &m.bulletin_id == id) {
                continue;
            }
            out.push(Match {
                bulletin_id: id.clone(),
                confidence: score,
                reason: Reason::Text {
                    score,
                    evidence: self.evidence(&article, n, at),
                },
            });
        }
        out.truncate(k);
        out
    }

    /// The rarest pairs the article shares with bulletin `n`, as text.
    fn evidence(&self, article: &[crate::Pair], n: u32, at: i64) -> Vec<String> {
        let mut both: Vec<(f64, &str)> = article
            .iter()
            .filter_map(|p| {
                let post = self.postings.get(&p.key)?;
                self.in_window(post, at)
                    .contains(&n)
                    .then(|| (self.weight(post.len()), p.text.as_str()))
            })
            .collect();
        both.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        both.into_iter()
            .take(EVIDENCE)
            .map(|(_, t)| t.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let mut ix = Index::new(Window::default());
        ix.add(Bulletin {
            id: "b1",
            text: "Công an huyện Đông Sơn bắt giữ 3 đối tượng trộm cắp tài sản tại xã Hoa Lộc. Tang vật: thu hồi 9 xe máy. Công an tỉnh khuyến cáo người dân nâng cao cảnh giác.",
            published_at: 1_000_000,
        });
        ix.add(Bulletin {
            id: "b2",
            text: "Công an huyện Nga Sơn bắt giữ 5 đối tượng đánh bạc tại xã Nga Thuỷ. Tang vật: thu giữ 40 triệu đồng. Công an tỉnh khuyến cáo người dân nâng cao cảnh giác.",
            published_at: 1_000_000,
        });
        ix
    }

    #[test]
    fn a_link_back_decides_alone() {
        let ix = index();
        let m = ix.matches(
            "Tin vắn",
            &["https://congan.example.vn/tin/b2?utm=x".to_string()],
            1_000_100,
            3,
        );
        assert_eq!((m[0].bulletin_id.as_str(), m[0].confidence), ("b2", 1.0));
        assert_eq!(m[0].reason, Reason::Link);
    }

    #[test]
    fn a_rewrite_matches_its_bulletin_with_evidence_and_not_the_other() {
        let ix = index();
        let m = ix.matches(
            "Đông Sơn (Thanh Hóa): 3 người trộm cắp tài sản ở xã Hoa Lộc bị bắt, công an thu hồi 9 xe máy.",
            &[],
            1_003_600,
            3,
        );
        assert_eq!(m[0].bulletin_id, "b1");
        assert!(m[0].confidence > 0.4, "{m:?}");
        let Reason::Text { evidence, .. } = &m[0].reason else {
            panic!("{m:?}")
        };
        assert!(evidence.iter().any(|e| e == "hoa lộc"), "{evidence:?}");
        assert!(
            m.iter()
                .all(|x| x.bulletin_id != "b2" || x.confidence < 0.2),
            "{m:?}"
        );
    }

    #[test]
    fn an_article_long_before_or_after_is_not_about_it() {
        let ix = index();
        let text = "Công an huyện Đông Sơn bắt giữ 3 đối tượng trộm cắp tài sản tại xã Hoa Lộc.";
        assert!(ix.matches(text, &[], 1_000_000 - 3 * 3600, 3).is_empty());
        assert!(ix.matches(text, &[], 1_000_000 + 31 * 86_400, 3).is_empty());
        assert!(!ix.matches(text, &[], 1_000_000 - 3600, 3).is_empty());
    }

    #[test]
    fn a_withdrawn_bulletin_is_forgotten_and_a_correction_replaces_its_text() {
        let mut ix = index();
        ix.remove("b1");
        assert_eq!(ix.len(), 1);
        let text = "bắt giữ 3 đối tượng trộm cắp tài sản tại xã Hoa Lộc";
        assert!(ix
            .matches(text, &[], 1_000_100, 3)
            .iter()
            .all(|m| m.bulletin_id != "b1"));
        assert!(ix
            .matches("x", &["/tin/b1".to_string()], 1_000_100, 3)
            .is_empty());
        ix.add(Bulletin {
            id: "b2",
            text: "Công an huyện Nga Sơn bắt giữ 6 đối tượng đánh bạc tại xã Nga Điền.",
            published_at: 1_000_000,
        });
        assert_eq!(ix.len(), 1);
        let m = ix.matches("đánh bạc tại xã Nga Điền", &[], 1_000_100, 3);
        assert_eq!(m[0].bulletin_id, "b2");
    }
}
