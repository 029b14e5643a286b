//! Measuring the analyzer on labelled messages, for the test that keeps it from
//! regressing, for the staff page that tries a changed rule set before it is saved,
//! and for the training script: the labelled TSV read, a message judged from its text
//! alone ([`assess_text`]: the lexicon, the signs its links carry by themselves and
//! the model — no indicator records, so the figures do not depend on a database), the
//! confusion matrix, and stratified k-fold cross-validation, the model retrained on
//! each fold's training part. "Scam" means a medium or high risk.

use crate::bank::Bank;
use crate::lexicon::{assess, Assessment, IndicatorSign, Lexicon, Risk};
use crate::message::{extract, fold_message, Found};
use crate::model::{self, Model, TrainOptions};

/// A labelled message.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub id: String,
    pub scam: bool,
    /// The scam pattern it shows ("" for ordinary messages).
    pub pattern: String,
    pub text: String,
}

/// The labelled messages of a TSV "id, label, pattern, text" with a header line;
/// label "scam" or anything else (ordinary). Lines with fewer fields are skipped.
pub fn parse_labelled(tsv: &str) -> Vec<Labelled> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(4, '\t').collect();
            (f.len() == 4 && !f[3].trim().is_empty()).then(|| Labelled {
                id: f[0].to_string(),
                scam: f[1] == "scam",
                pattern: f[2].to_string(),
                text: f[3].to_string(),
            })
        })
        .collect()
}

/// The signs the indicators of a message carry by themselves (a lookalike host, an
/// .apk, a shortener, a bare IP, "name@host").
pub fn text_signs(found: &Found) -> Vec<IndicatorSign> {
    let mut signs = Vec::new();
    for r in &found.indicators {
        for n in &r.notes {
            let s = match n.split(':').next() {
                Some("lookalike") => IndicatorSign::Lookalike,
                Some("apk") => IndicatorSign::Apk,
                Some("shortener") => IndicatorSign::Shortener,
                Some("ip_host") => IndicatorSign::IpHost,
                Some("userinfo") => IndicatorSign::Userinfo,
                _ => continue,
            };
            signs.push(s);
        }
    }
    signs
}

/// A message judged from its text alone (see the module's documentation).
pub fn assess_text(lex: &Lexicon, model: Option<&Model>, banks: &[Bank], text: &str) -> Assessment {
    let folded = fold_message(text);
    let hits = lex.hits(&folded);
    let mut signs = text_signs(&extract(text, banks));
    if crate::message::apk_file(text).is_some() {
        signs.push(IndicatorSign::Apk);
    }
    let pts = model.map_or(0.0, |m| model::points(m.probability(&folded)));
    assess(&hits, &signs, pts)
}

/// A confusion matrix, scam being the positive class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
}

impl Confusion {
    pub fn add(&mut self, truth: bool, said: bool) {
        match (truth, said) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (false, false) => self.tn += 1,
            (true, false) => self.fn_ += 1,
        }
    }
    pub fn merge(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
    }
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.tn + self.fn_
    }
    /// Of the messages called scams, the share that are (1 when none is called).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    /// Of the scams, the share called scams (1 when there is none).
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// How one message came out.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub scam: bool,
    pub risk: Risk,
    pub score: f32,
}

impl Outcome {
    pub fn said_scam(&self) -> bool {
        self.risk >= Risk::Medium
    }
}

/// Every message judged by `lex` and `model`, and the confusion matrix.
pub fn evaluate(
    lex: &Lexicon,
    model: Option<&Model>,
    banks: &[Bank],
    msgs: &[Labelled],
) -> (Confusion, Vec<Outcome>) {
    let mut c = Confusion::default();
    let mut out = Vec::with_capacity(msgs.len());
    for m in msgs {
        let a = assess_text(lex, model, banks, &m.text);
        let o = Outcome {
            id: m.id.clone(),
            scam: m.scam,
            risk: a.risk,
            score: a.score,
        };
        c.add(m.scam, o.said_scam());
        out.push(o);
    }
    (c, out)
}

/// The fold (0..k) of each message: scams and ordinary messages dealt in turn, in
/// the order of a hash of their id (so a pattern's messages, which sit together in the
/// file, spread over the folds), the same every run.
pub fn folds(msgs: &[Labelled], k: usize) -> Vec<usize> {
    let k = k.max(1);
    let mut fold = vec![0; msgs.len()];
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..msgs.len()).filter(|i| msgs[*i].scam == class).collect();
        idx.sort_by_key(|i| (crate::value::hash(&msgs[*i].id), *i));
        for (n, i) in idx.into_iter().enumerate() {
            fold[i] = n % k;
        }
    }
    fold
}

/// Stratified k-fold cross-validation: for each fold, the model is trained on the
/// other folds and the fold's messages are judged with it and `lex`; the confusion
/// matrices add up. (The lexicon is the same in every fold: it is written by people,
/// not trained.)
pub fn cross_validate(
    lex: &Lexicon,
    banks: &[Bank],
    msgs: &[Labelled],
    k: usize,
    opts: &TrainOptions,
    with_model: bool,
) -> Confusion {
    let fold = folds(msgs, k);
    let mut total = Confusion::default();
    for f in 0..k.max(1) {
        let train: Vec<(String, bool)> = msgs
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g != f)
            .map(|(m, _)| (fold_message(&m.text), m.scam))
            .collect();
        let test: Vec<Labelled> = msgs
            .iter()
            .zip(&fold)
            .filter(|(_, g)| **g == f)
            .map(|(m, _)| m.clone())
            .collect();
        let model = with_model.then(|| Model::train(&train, opts));
        let (c, _) = evaluate(lex, model.as_ref(), banks, &test);
        total.merge(&c);
    }
    total
}

/// Stratified k-fold cross-validation of the model alone as a classifier (a scam when
/// its probability is one half or more): what the words say without the lexicon.
pub fn cross_validate_model(msgs: &[Labelled], k: usize, opts: &TrainOptions) -> Confusion {
    let fold = folds(msgs, k);
    let folded: Vec<String> = msgs.iter().map(|m| fold_message(&m.text)).collect();
    let mut total = Confusion::default();
    for f in 0..k.max(1) {
        let train: Vec<(String, bool)> = (0..msgs.len())
            .filter(|i| fold[*i] != f)
            .map(|i| (folded[i].clone(), msgs[i].scam))
            .collect();
        let model = Model::train(&train, opts);
        for i in (0..msgs.len()).filter(|i| fold[*i] == f) {
            total.add(msgs[i].scam, model.probability(&folded[i]) >= 0.5);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Phrase;

    const TSV: &str = "id\tlabel\tpattern\ttext\n\
        s1\tscam\tpolice\tCông an yêu cầu chuyển tiền vào tài khoản tạm giữ\n\
        s2\tscam\tpolice\tChuyển tiền vào tài khoản an toàn ngay\n\
        s3\tscam\tjob\tViệc nhẹ lương cao, chuyển tiền trước nhận hoa hồng\n\
        b1\tbenign\t\tHọp phụ huynh lúc 7 giờ tối nay\n\
        b2\tbenign\t\tMẹ ơi tối nay con về ăn cơm\n\
        short\tscam\n";

    #[test]
    fn labelled_messages_are_read_and_judged() {
        let msgs = parse_labelled(TSV);
        assert_eq!(msgs.len(), 5);
        assert!(msgs[0].scam && !msgs[3].scam);
        let lex = Lexicon::new(vec![Phrase {
            pattern: "police".into(),
            text: "tài khoản tạm giữ".into(),
            weight: 4.0,
        }])
        .expect("lexicon");
        let (c, out) = evaluate(&lex, None, &[], &msgs);
        assert_eq!((c.tp, c.fp, c.tn, c.fn_), (1, 0, 2, 2));
        assert_eq!(c.total(), 5);
        assert!((c.precision() - 1.0).abs() < 1e-9);
        assert!((c.recall() - 1.0 / 3.0).abs() < 1e-9);
        assert!(out[0].said_scam() && !out[1].said_scam());
    }

    #[test]
    fn folds_are_stratified_and_stable() {
        let msgs = parse_labelled(TSV);
        let f = folds(&msgs, 2);
        assert_eq!(f, folds(&msgs, 2));
        let scam_folds: Vec<usize> = msgs
            .iter()
            .zip(&f)
            .filter(|(m, _)| m.scam)
            .map(|(_, g)| *g)
            .collect();
        assert!(scam_folds.contains(&0) && scam_folds.contains(&1));
        let c = cross_validate(
            &Lexicon::empty(),
            &[],
            &msgs,
            2,
            &TrainOptions::default(),
            true,
        );
        assert_eq!(c.total(), 5);
    }

    #[test]
    fn an_empty_matrix_reads_sensibly() {
        let c = Confusion::default();
        assert_eq!((c.precision(), c.recall()), (1.0, 1.0));
        let mut c = Confusion::default();
        c.add(true, false);
        assert_eq!(c.f1(), 0.0);
    }
}
