//! The scam-pattern lexicon and the assessment of a message. Staff keep phrases per
//! pattern ("impersonate_police": "lenh bat giam", "tai khoan tam giu"…), each with a
//! weight; phrases are folded like messages ([`crate::message::fold_message`]) and
//! matched on whole words with one Aho-Corasick automaton, so "lệnh bắt giam", "lenh
//! bat giam" and "l.e.n.h b.a.t g.i.a.m" are one phrase. [`assess`] adds what the
//! phrases say to what the indicators say (a verified or reported record, a link that
//! imitates a bank, an .apk, a shortener) and gives the risk with its reasons.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::message::fold_message;

/// One phrase of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub pattern: String,
    pub text: String,
    /// How much it says on its own (0.5 a hint, 3 a strong sign).
    pub weight: f32,
}

/// The phrases of a lexicon TSV: "pattern<TAB>weight in tenths<TAB>phrase" lines;
/// '#' comments, blank and malformed lines are skipped.
pub fn parse_tsv(tsv: &str) -> Vec<Phrase> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let pattern = f.next()?.trim().to_string();
            let weight: i64 = f.next()?.trim().parse().ok()?;
            let text = f.next()?.trim().to_string();
            Some(Phrase {
                pattern,
                text,
                weight: weight as f32 / 10.0,
            })
        })
        .collect()
}

/// The automaton over every phrase, built once per rule set.
pub struct Lexicon {
    ac: Option<AhoCorasick>,
    phrases: Vec<Phrase>,
    folded: Vec<String>,
}

/// A phrase found in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub pattern: String,
    pub phrase: String,
    pub weight: f32,
}

impl Lexicon {
    /// The lexicon of `phrases` (phrases that fold to nothing are left out).
    pub fn new(phrases: Vec<Phrase>) -> Result<Lexicon, String> {
        let mut kept = Vec::new();
        let mut folded = Vec::new();
        for p in phrases {
            let f = fold_message(&p.text);
            if f.is_empty() {
                continue;
            }
            folded.push(format!(" {f} "));
            kept.push(p);
        }
        let ac = if folded.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&folded)
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(Lexicon {
            ac,
            phrases: kept,
            folded,
        })
    }

    /// A lexicon without phrases (matches nothing).
    pub fn empty() -> Lexicon {
        Lexicon {
            ac: None,
            phrases: Vec::new(),
            folded: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Each phrase found in `folded` (a message already through `fold_message`), once.
    pub fn hits(&self, folded: &str) -> Vec<Hit> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let padded = format!(" {folded} ");
        let mut seen = vec![false; self.phrases.len()];
        let mut out = Vec::new();
        for m in ac.find_overlapping_iter(&padded) {
            let i = m.pattern().as_usize();
            if seen[i] {
                continue;
            }
            seen[i] = true;
            let p = &self.phrases[i];
            out.push(Hit {
                pattern: p.pattern.clone(),
                phrase: self.folded[i].trim().to_string(),
                weight: p.weight,
            });
        }
        out
    }
}

/// What the indicator lookups found, as the assessment weighs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorSign {
    /// A verified (published) scam record.
    Verified,
    /// Reported, not yet verified.
    Reported,
    /// A link imitating a protected name.
    Lookalike,
    /// A link to an Android package file.
    Apk,
    /// A shortened link.
    Shortener,
    /// A link to a bare IP address.
    IpHost,
    /// A link written "known-name@real-host".
    Userinfo,
    /// A link to a protected body's own domain (legitimate senders link there).
    Official,
}

impl IndicatorSign {
    fn points(self) -> f32 {
        match self {
            IndicatorSign::Verified => 10.0,
            IndicatorSign::Lookalike => 6.0,
            IndicatorSign::Apk => 4.0,
            IndicatorSign::Reported => 3.0,
            IndicatorSign::IpHost => 2.0,
            IndicatorSign::Userinfo => 5.0,
            IndicatorSign::Shortener => 1.5,
            IndicatorSign::Official => -2.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorSign::Verified => "verified",
            IndicatorSign::Reported => "reported",
            IndicatorSign::Lookalike => "lookalike",
            IndicatorSign::Apk => "apk",
            IndicatorSign::Shortener => "shortener",
            IndicatorSign::IpHost => "ip_host",
            IndicatorSign::Userinfo => "userinfo",
            IndicatorSign::Official => "official",
        }
    }
}

/// How risky a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Risk {
    None,
    Low,
    Medium,
    High,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::None => "none",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// The most protective language can take off a score.
pub const PROTECTIVE_CAP: f32 = 3.0;

/// Where the score's thresholds lie.
pub const HIGH: f32 = 6.0;
pub const MEDIUM: f32 = 3.0;

/// The assessment: the score, the risk, the patterns in order of weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub score: f32,
    pub risk: Risk,
    /// Patterns found, strongest first, with their summed weight.
    pub patterns: Vec<(String, f32)>,
    /// The points the trained model added (negative: it took some off).
    pub model: f32,
}

/// The risk of a message from its phrase hits and indicator signs. A pattern counts
/// with the sum of its phrases' weights, capped at ±8 so one pattern's many phrases do
/// not drown everything; a second positive pattern adds half its weight (scams mix
/// pretexts: "police" and "transfer"); patterns whose sum is negative (the advice of
/// police warnings and bank notices) subtract at most [`PROTECTIVE_CAP`] and are not
/// listed.
///
/// `model` is what the trained model says ([`crate::model::points`], within its own
/// bounds; 0 without a model).
pub fn assess(hits: &[Hit], signs: &[IndicatorSign], model: f32) -> Assessment {
    let mut per: Vec<(String, f32)> = Vec::new();
    for h in hits {
        match per.iter_mut().find(|(p, _)| *p == h.pattern) {
            Some((_, w)) => *w += h.weight,
            None => per.push((h.pattern.clone(), h.weight)),
        }
    }
    for (_, w) in per.iter_mut() {
        *w = w.clamp(-8.0, 8.0);
    }
    per.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut score = 0.0;
    let mut positives = 0;
    let mut protective = 0.0f32;
    for (_, w) in &per {
        if *w > 0.0 {
            score += if positives == 0 { *w } else { w * 0.5 };
            positives += 1;
        } else {
            protective += *w;
        }
    }
    // Protective language (police and bank advice) lowers the score, by at most
    // PROTECTIVE_CAP: a scam that adds "never share your OTP" stays a scam.
    score += protective.max(-PROTECTIVE_CAP);
    per.retain(|(_, w)| *w > 0.0);
    let mut seen = Vec::new();
    for s in signs {
        if !seen.contains(s) {
            seen.push(*s);
            score += s.points();
        }
    }
    let model = if model.is_finite() {
        model.clamp(crate::model::MODEL_MIN, crate::model::MODEL_MAX)
    } else {
        0.0
    };
    score += model;
    let score = (score.max(0.0) * 10.0).round() / 10.0;
    let risk = if score >= HIGH {
        Risk::High
    } else if score >= MEDIUM {
        Risk::Medium
    } else if score > 0.0 {
        Risk::Low
    } else {
        Risk::None
    };
    Assessment {
        score,
        risk,
        patterns: per,
        model,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::new(vec![
            Phrase {
                pattern: "police".into(),
                text: "lệnh bắt giam".into(),
                weight: 3.0,
            },
            Phrase {
                pattern: "police".into(),
                text: "tài khoản tạm giữ".into(),
                weight: 3.0,
            },
            Phrase {
                pattern: "transfer".into(),
                text: "chuyển khoản".into(),
                weight: 1.0,
            },
            Phrase {
                pattern: "x".into(),
                text: "   ".into(),
                weight: 1.0,
            },
        ])
        .expect("lexicon")
    }

    #[test]
    fn phrases_match_folded_whole_words() {
        let l = lex();
        assert_eq!(l.len(), 3);
        let h = l.hits(&fold_message(
            "Đã có LENH BAT GIAM, ck ngay vao tai khoan tam giu",
        ));
        let p: Vec<&str> = h.iter().map(|h| h.phrase.as_str()).collect();
        assert_eq!(
            p,
            vec!["lenh bat giam", "chuyen khoan", "tai khoan tam giu"]
        );
        assert!(
            l.hits(&fold_message("lenh bat giamxyz")).is_empty(),
            "whole words only"
        );
    }

    #[test]
    fn risk_from_phrases_and_signs() {
        let l = lex();
        let h = l.hits(&fold_message(
            "lệnh bắt giam, chuyển khoản vào tài khoản tạm giữ",
        ));
        let a = assess(&h, &[], 0.0);
        assert_eq!(a.risk, Risk::High);
        assert_eq!(a.patterns[0].0, "police");
        assert_eq!(assess(&[], &[], 0.0).risk, Risk::None);
        assert_eq!(
            assess(&[], &[IndicatorSign::Verified], 0.0).risk,
            Risk::High
        );
        assert_eq!(
            assess(&[], &[IndicatorSign::Shortener], 0.0).risk,
            Risk::Low
        );
        assert_eq!(
            assess(&[], &[IndicatorSign::Official], 0.0).risk,
            Risk::None
        );
    }

    #[test]
    fn the_model_tips_within_its_bounds() {
        // Alone it reaches medium at most; it never lifts a score by more than its
        // bound, whatever a caller passes.
        assert_eq!(assess(&[], &[], 3.0).risk, Risk::Medium);
        assert_eq!(assess(&[], &[], 99.0).score, crate::model::MODEL_MAX);
        assert_eq!(assess(&[], &[], f32::NAN).score, 0.0);
        let a = assess(&[], &[IndicatorSign::Reported], -5.0);
        assert_eq!(a.model, crate::model::MODEL_MIN);
        assert_eq!(a.score, 2.0);
    }
}
