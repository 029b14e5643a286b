//! Trains the analyzer's model from labelled messages and prints it as TSV, with the
//! figures of a stratified 5-fold cross-validation on stderr (the model alone, and the
//! model with the lexicon given). `scripts/train-analyzer` runs it on the project's
//! labelled set and writes `crates/keng/data/scam-model.tsv`.
//!
//!   cargo run -p keng-indicators --example train_model -- LABELLED.tsv [LEXICON.tsv]
//!
//! LEXICON.tsv: "pattern<TAB>weight in tenths<TAB>phrase" lines (the shipped default
//! lexicon, `crates/keng/data/scam-lexicon.tsv`).

use keng_indicators::evaluate::{cross_validate, cross_validate_model, parse_labelled};
use keng_indicators::lexicon::{parse_tsv, Lexicon};
use keng_indicators::message::fold_message;
use keng_indicators::model::{Model, TrainOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        return Err("usage: train_model LABELLED.tsv [LEXICON.tsv]".into());
    };
    let text = std::fs::read_to_string(path)?;
    let msgs = parse_labelled(&text);
    let lexicon = match args.get(1) {
        Some(p) => read_lexicon(&std::fs::read_to_string(p)?)?,
        None => Lexicon::empty(),
    };
    // The defaults, or KENG_TRAIN_{EPOCHS,RATE,L2,MIN_DOCS} to explore others.
    let d = TrainOptions::default();
    let env = |k: &str| std::env::var(format!("KENG_TRAIN_{k}")).ok();
    let opts = TrainOptions {
        epochs: env("EPOCHS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(d.epochs),
        rate: env("RATE").and_then(|v| v.parse().ok()).unwrap_or(d.rate),
        l2: env("L2").and_then(|v| v.parse().ok()).unwrap_or(d.l2),
        min_docs: env("MIN_DOCS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(d.min_docs),
    };
    let banks = keng_indicators::bank::default_banks();
    for (name, lex, with_model) in [
        ("model alone (p >= 0.5)", None, true),
        ("lexicon alone", Some(&lexicon), false),
        ("lexicon + model", Some(&lexicon), true),
    ] {
        let c = match lex {
            None => cross_validate_model(&msgs, 5, &opts),
            Some(lex) => cross_validate(lex, &banks, &msgs, 5, &opts, with_model),
        };
        eprintln!(
            "5-fold CV, {name}: tp {} fp {} tn {} fn {} precision {:.3} recall {:.3} f1 {:.3}",
            c.tp,
            c.fp,
            c.tn,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    let train: Vec<(String, bool)> = msgs
        .iter()
        .map(|m| (fold_message(&m.text), m.scam))
        .collect();
    let model = Model::train(&train, &opts);
    let scams = msgs.iter().filter(|m| m.scam).count();
    print!(
        "{}",
        model.to_tsv(&format!(
            "Kẻng scam analyzer model: logistic regression over folded words and word pairs.\n\
             Trained by scripts/train-analyzer from {} labelled messages ({} scams, {} ordinary);\n\
             {} features. Do not edit: retrain.",
            msgs.len(),
            scams,
            msgs.len() - scams,
            model.len()
        ))
    );
    Ok(())
}

fn read_lexicon(tsv: &str) -> Result<Lexicon, Box<dyn std::error::Error>> {
    Ok(Lexicon::new(parse_tsv(tsv))?)
}
