//! Typed values (the check): never a panic; every reading has a key of its kind.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let banks = keng_indicators::bank::default_banks();
    for r in keng_indicators::value::recognise(s, &banks) {
        assert!(!r.keys.is_empty());
        let _ = keng_indicators::value::hash(&r.keys[0]);
    }
    let _ = keng_indicators::value::of_listed_link(s);
    let _ = keng_indicators::refang::refang(s);
});
