//! Whole messages (the analyzer): folding, extraction and the lexicon never panic and
//! extraction never returns more than its cap.
#![no_main]
use libfuzzer_sys::fuzz_target;

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
    let _ = keng_indicators::lexicon::assess(&lex.hits(&folded), &[]);
});
