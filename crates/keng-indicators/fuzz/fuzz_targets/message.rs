//! Whole messages (the analyzer): folding, extraction, the lexicon and the shipped
//! model never panic; extraction never returns more than its cap; the model's
//! probability and points stay in their bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn model() -> &'static keng_indicators::model::Model {
    static M: OnceLock<keng_indicators::model::Model> = OnceLock::new();
    M.get_or_init(|| {
        keng_indicators::model::Model::parse(include_str!("../../../keng/data/scam-model.tsv"))
            .expect("the shipped model")
    })
}

fuzz_target!(|s: &str| {
    let banks = keng_indicators::bank::default_banks();
    let folded = keng_indicators::message::fold_message(s);
    let found = keng_indicators::message::extract(s, &banks);
    assert!(found.indicators.len() <= keng_indicators::message::MAX_INDICATORS);
    let lex = keng_indicators::lexicon::Lexicon::new(vec![keng_indicators::lexicon::Phrase {
        pattern: "p".into(),
        text: "chuyển khoản".into(),
        weight: 1.0,
    }])
    .expect("lexicon");
    let p = model().probability(&folded);
    assert!((0.0..=1.0).contains(&p));
    let pts = keng_indicators::model::points(p);
    let a = keng_indicators::lexicon::assess(&lex.hits(&folded), &[], pts);
    assert!(a.score >= 0.0 && a.score.is_finite());
    let _ = model().explain(&folded, 5);
});
