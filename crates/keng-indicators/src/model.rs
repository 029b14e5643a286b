//! A small trained model of scam wording, beside the lexicon staff keep: logistic
//! regression over the words and word pairs of a folded message
//! ([`crate::message::fold_message`]), numbers read by their length ("<n10>" for a
//! ten-digit run). It is trained offline (`scripts/train-analyzer`, which runs
//! `examples/train_model.rs` on the labelled messages) and its weights ship with the
//! binary as a small TSV; nothing is trained at request time. Its say in the score is
//! bounded ([`points`]): it can raise a message by at most [`MODEL_MAX`] and lower it
//! by at most [`MODEL_MIN`], so it tips a borderline case and never decides alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The most the model adds to a score (a certain scam).
pub const MODEL_MAX: f32 = 3.0;
/// The most it takes off (a certainly ordinary message); a negative number.
pub const MODEL_MIN: f32 = -1.0;
/// The most words of a message read (the analyzer takes 10,000 characters).
const MAX_WORDS: usize = 3000;

/// A trained model: a bias and a weight per feature.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    bias: f32,
    weights: HashMap<String, f32>,
}

/// How a model is trained.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Full passes of gradient descent.
    pub epochs: usize,
    pub rate: f32,
    /// L2 penalty on the weights.
    pub l2: f32,
    /// A feature counts only if this many training messages have it (a word seen in
    /// one message says more about that message than about scams).
    pub min_docs: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 600,
            rate: 1.0,
            l2: 0.002,
            min_docs: 2,
        }
    }
}

/// The features of a folded message: its words (two letters or more; digit runs as
/// "<nLEN>") and its pairs of neighbouring words, each once, in order.
pub fn features(folded: &str) -> Vec<String> {
    let words: Vec<String> = folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(|w| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                format!("<n{}>", w.len().min(20))
            } else {
                w.to_string()
            }
        })
        .collect();
    let mut out = BTreeSet::new();
    for w in &words {
        if w.len() >= 2 {
            out.insert(w.clone());
        }
    }
    for p in words.windows(2) {
        out.insert(format!("{}_{}", p[0], p[1]));
    }
    out.into_iter().collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Each message weighs the same whatever its length.
fn scale(n: usize) -> f32 {
    1.0 / (n.max(1) as f32).sqrt()
}

impl Model {
    /// A model trained on `examples` (folded text, is it a scam).
    pub fn train(examples: &[(String, bool)], opts: &TrainOptions) -> Model {
        let docs: Vec<Vec<String>> = examples.iter().map(|(t, _)| features(t)).collect();
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &docs {
            for f in d {
                *df.entry(f.as_str()).or_default() += 1;
            }
        }
        let vocab: Vec<&str> = df
            .iter()
            .filter(|(_, n)| **n >= opts.min_docs)
            .map(|(f, _)| *f)
            .collect();
        let index: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        let rows: Vec<(Vec<usize>, f32, f32)> = docs
            .iter()
            .zip(examples)
            .map(|(d, (_, y))| {
                let idx = d
                    .iter()
                    .filter_map(|f| index.get(f.as_str()).copied())
                    .collect();
                (idx, scale(d.len()), if *y { 1.0 } else { 0.0 })
            })
            .collect();
        let n = rows.len().max(1) as f32;
        let mut w = vec![0f32; vocab.len()];
        let mut b = 0f32;
        let mut grad = vec![0f32; vocab.len()];
        for _ in 0..opts.epochs {
            for (g, wi) in grad.iter_mut().zip(&w) {
                *g = opts.l2 * wi;
            }
            let mut gb = 0f32;
            for (idx, s, y) in &rows {
                let z = b + idx.iter().map(|i| w[*i]).sum::<f32>() * s;
                let e = sigmoid(z) - y;
                for i in idx {
                    grad[*i] += e * s / n;
                }
                gb += e / n;
            }
            for (wi, g) in w.iter_mut().zip(&grad) {
                *wi -= opts.rate * g;
            }
            b -= opts.rate * gb;
        }
        let weights = vocab
            .iter()
            .zip(&w)
            .filter(|(_, w)| w.abs() >= 0.0005)
            .map(|(f, w)| (f.to_string(), *w))
            .collect();
        Model { bias: b, weights }
    }

    /// How many features carry a weight.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The probability that a folded message is a scam.
    pub fn probability(&self, folded: &str) -> f32 {
        let f = features(folded);
        let sum: f32 = f.iter().filter_map(|x| self.weights.get(x)).sum();
        sigmoid(self.bias + sum * scale(f.len()))
    }

    /// The features of a folded message that speak most for a scam, strongest first
    /// (at most `n`), to show a person why.
    pub fn explain(&self, folded: &str, n: usize) -> Vec<String> {
        // Word pairs and longer words: "de", "anh", "<n10>" alone tell a person
        // nothing.
        let telling = |x: &str| x.contains('_') || (x.len() >= 4 && !x.starts_with('<'));
        let mut f: Vec<(String, f32)> = features(folded)
            .into_iter()
            .filter(|x| telling(x))
            .filter_map(|x| self.weights.get(&x).map(|w| (x, *w)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        f.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        f.into_iter()
            .take(n)
            .map(|(x, _)| x.replace('_', " "))
            .collect()
    }

    /// The model as TSV: comment lines, "bias<TAB>w", then "feature<TAB>w" sorted.
    pub fn to_tsv(&self, comment: &str) -> String {
        let mut out = String::new();
        for l in comment.lines() {
            out.push_str("# ");
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&format!("bias\t{:.4}\n", self.bias));
        let sorted: BTreeMap<&String, &f32> = self.weights.iter().collect();
        for (f, w) in sorted {
            out.push_str(&format!("{f}\t{w:.4}\n"));
        }
        out
    }

    /// A model from its TSV; a bad line is an error naming it.
    pub fn parse(tsv: &str) -> Result<Model, String> {
        let mut m = Model::default();
        for (i, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (f, w) = line
                .split_once('\t')
                .ok_or_else(|| format!("line {}: no tab", i + 1))?;
            let w: f32 = w
                .trim()
                .parse()
                .ok()
                .filter(|w: &f32| w.is_finite())
                .ok_or_else(|| format!("line {}: not a weight", i + 1))?;
            if f == "bias" {
                m.bias = w;
            } else {
                m.weights.insert(f.to_string(), w);
            }
        }
        Ok(m)
    }
}

/// The points a probability adds to a message's score: from [`MODEL_MIN`] at 0 to 0
/// at one half to [`MODEL_MAX`] at 1, to a tenth; a rise below one point counts 0.
pub fn points(p: f32) -> f32 {
    let p = if p.is_finite() {
        p.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let v = if p >= 0.5 {
        (p - 0.5) * 2.0 * MODEL_MAX
    } else {
        (0.5 - p) * 2.0 * MODEL_MIN
    };
    let v = (v * 10.0).round() / 10.0;
    // Raising a score is a reason a person is shown ("the wording is like known
    // scams"): below a whole point it would raise it without saying why, so it does not.
    if v > 0.0 && v < 1.0 {
        0.0
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::fold_message;
    use proptest::prelude::*;

    fn data() -> Vec<(String, bool)> {
        [
            ("chuyen tien vao tai khoan tam giu ngay", true),
            ("chuyen tien vao tai khoan an toan de xac minh", true),
            ("cong an yeu cau chuyen tien tai khoan tam giu", true),
            ("lam nhiem vu nhan hoa hong chuyen tien truoc", true),
            ("hop phu huynh luc 7 gio toi nay", false),
            ("me oi con ve an com toi nay", false),
            ("hop lop luc 8 gio sang mai nhe", false),
            ("toi nay an com o nha ba", false),
        ]
        .iter()
        .map(|(t, y)| (t.to_string(), *y))
        .collect()
    }

    #[test]
    fn it_learns_the_words_that_separate_and_says_which() {
        let m = Model::train(&data(), &TrainOptions::default());
        let scam = m.probability("vui long chuyen tien vao tai khoan tam giu");
        let plain = m.probability("toi nay hop lop luc 7 gio");
        assert!(scam > 0.8 && plain < 0.2, "{scam} {plain}");
        let why = m.explain("vui long chuyen tien vao tai khoan tam giu", 3);
        assert!(why
            .iter()
            .any(|w| w.contains("chuyen tien") || w.contains("tai khoan")));
        // Numbers are read by their length.
        assert!(features("goi 0912345678").contains(&"<n10>".to_string()));
    }

    #[test]
    fn the_tsv_round_trips_and_bad_lines_are_named() {
        let m = Model::train(&data(), &TrainOptions::default());
        let tsv = m.to_tsv("trained on 8 messages\nsecond line");
        let back = Model::parse(&tsv).expect("parses");
        assert_eq!(back.len(), m.len());
        let t = "vui long chuyen tien vao tai khoan tam giu";
        assert!((back.probability(t) - m.probability(t)).abs() < 0.01);
        assert_eq!(back.to_tsv("x"), m.to_tsv("x"));
        assert!(Model::parse("bias\tx").unwrap_err().contains("line 1"));
        assert!(Model::parse("a\t1\nno tab").unwrap_err().contains("line 2"));
        assert!(Model::parse("a\tNaN").is_err());
    }

    #[test]
    fn training_is_deterministic() {
        let a = Model::train(&data(), &TrainOptions::default());
        let b = Model::train(&data(), &TrainOptions::default());
        assert_eq!(a.to_tsv(""), b.to_tsv(""));
    }

    #[test]
    fn points_are_bounded() {
        assert_eq!(points(1.0), MODEL_MAX);
        assert_eq!(points(0.0), MODEL_MIN);
        assert_eq!(points(0.5), 0.0);
        assert_eq!(points(0.6), 0.0, "a rise below a point counts nothing");
        assert_eq!(points(0.7), 1.2);
        assert_eq!(points(f32::NAN), 0.0);
    }

    proptest! {
        #[test]
        fn any_message_gets_a_probability(s in "\\PC{0,300}") {
            let m = Model::train(&data(), &TrainOptions::default());
            let p = m.probability(&fold_message(&s));
            prop_assert!((0.0..=1.0).contains(&p));
            let pts = points(p);
            prop_assert!((MODEL_MIN..=MODEL_MAX).contains(&pts));
            let _ = m.explain(&fold_message(&s), 5);
        }
    }
}
