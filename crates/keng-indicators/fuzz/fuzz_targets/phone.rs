//! Phone numbers: never a panic; a number once normalised normalises to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(p) = keng_indicators::phone::normalise(s) {
        let again = keng_indicators::phone::normalise(&p.canonical).expect("canonical parses");
        assert_eq!(again.canonical, p.canonical);
    }
});
