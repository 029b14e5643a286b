//! Links: never a panic; canonicalisation is idempotent; expressions start with the
//! link's own host; the lookalike check and the registrable domain never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(l) = keng_indicators::link::canonicalise(s) {
        let c = l.canonical();
        let again = keng_indicators::link::canonicalise(&c).expect("canonical parses");
        assert_eq!(again.canonical(), c, "idempotent");
        let e = l.expressions();
        assert!(!e.is_empty() && e.len() <= 30);
        assert!(e[0].starts_with(&l.host));
        let _ = l.domain();
        let _ = keng_indicators::lookalike::lookalike(&l.host);
    }
});
