//! What a value typed into the check is — a phone number, a bank account, a link or
//! domain, a social profile, an app, an e-wallet — in its one form, and the keys the
//! indicator set is looked up by. A key is "kind:normalised" ("phone:+84912345678",
//! "bank:970436:0451000387261", "url:vcb-hotro.top/"); the range API shares only the
//! first five hex digits of its SHA-256 ([`hash`]).

use sha2::{Digest, Sha256};

use crate::bank::Bank;
use crate::{bank, link, phone, refang, social};

/// The kinds of indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Phone,
    /// An account with its bank.
    BankAccount,
    /// An account number alone (any bank): a weaker match.
    Account,
    /// A link or a domain.
    Link,
    Social,
    App,
    Wallet,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Phone,
        Kind::BankAccount,
        Kind::Account,
        Kind::Link,
        Kind::Social,
        Kind::App,
        Kind::Wallet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Phone => "phone",
            Kind::BankAccount => "bank_account",
            Kind::Account => "account",
            Kind::Link => "link",
            Kind::Social => "social",
            Kind::App => "app",
            Kind::Wallet => "wallet",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A value recognised: its kind, its one form and the keys to look it up by (the first
/// is the one it is stored under).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    pub kind: Kind,
    /// Shown to the person ("+84912345678", "Vietcombank 0451000387261",
    /// "https://vcb-hotro.top/").
    pub display: String,
    /// "+84912345678", "970436:0451000387261", "vcb-hotro.top/", "telegram:hotro".
    pub normalised: String,
    pub keys: Vec<String>,
    /// Facts worth saying ("renumbered", "shortener", "lookalike:Vietcombank:misspelt").
    pub notes: Vec<String>,
}

/// The SHA-256 of a key.
pub fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Lowercase hex of a hash.
pub fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// A phone number.
pub fn of_phone(p: &phone::Phone) -> Recognised {
    let mut notes = Vec::new();
    if p.renumbered {
        notes.push("renumbered".into());
    }
    Recognised {
        kind: Kind::Phone,
        display: p.canonical.clone(),
        normalised: p.canonical.clone(),
        keys: vec![format!("phone:{}", p.canonical)],
        notes,
    }
}

/// A bank account (with its bank: both the exact key and the number-only key).
pub fn of_account(a: &bank::Account, banks: &[Bank]) -> Recognised {
    match &a.bin {
        Some(bin) => {
            let name = banks
                .iter()
                .find(|b| &b.bin == bin)
                .map_or(bin.as_str(), |b| b.name.as_str());
            Recognised {
                kind: Kind::BankAccount,
                display: format!("{name} {}", a.number),
                normalised: format!("{bin}:{}", a.number),
                keys: vec![
                    format!("bank:{bin}:{}", a.number),
                    format!("account:{}", a.number),
                ],
                notes: Vec::new(),
            }
        }
        None => Recognised {
            kind: Kind::Account,
            display: a.number.clone(),
            normalised: a.number.clone(),
            keys: vec![format!("account:{}", a.number)],
            notes: Vec::new(),
        },
    }
}

/// A link: looked up by every Safe Browsing expression; stored under the first (the
/// host alone, "host/", for a bare domain).
pub fn of_link(l: &link::Link) -> Recognised {
    let mut notes = Vec::new();
    if link::is_shortener(l) {
        notes.push("shortener".into());
    }
    if let Some(la) = crate::lookalike::lookalike(&l.host) {
        notes.push(format!(
            "lookalike:{}:{}",
            la.imitates.map_or("", |p| p.name),
            la.how.as_str()
        ));
    } else if let Some(p) = l
        .userinfo_host
        .as_deref()
        .and_then(crate::lookalike::named_by)
    {
        // "https://vietcombank.com.vn@evil.top/": the bank's name is what a person reads.
        notes.push(format!("lookalike:{}:userinfo", p.name));
    }
    if l.ip {
        notes.push("ip_host".into());
    }
    if l.had_userinfo {
        notes.push("userinfo".into());
    }
    if l.path.to_ascii_lowercase().ends_with(".apk") {
        notes.push("apk".into());
    }
    let exprs = l.expressions();
    let normalised = exprs.first().cloned().unwrap_or_default();
    Recognised {
        kind: Kind::Link,
        display: l.canonical(),
        normalised,
        keys: exprs.iter().map(|e| format!("url:{e}")).collect(),
        notes,
    }
}

/// A host or link from a list (an import): its one form and keys, without the notes
/// (lookalike, shortener…) a person's check gets — a list says what it is already.
pub fn of_listed_link(input: &str) -> Option<Recognised> {
    let l = link::canonicalise(&refang::refang(input.trim())).ok()?;
    if !l.plausible() {
        return None;
    }
    let exprs = l.expressions();
    let normalised = exprs.first()?.clone();
    Some(Recognised {
        kind: Kind::Link,
        display: l.canonical(),
        keys: vec![format!("url:{normalised}")],
        normalised,
        notes: Vec::new(),
    })
}

fn of_profile(p: &social::Profile) -> Recognised {
    let n = format!("{}:{}", p.platform, p.handle);
    let mut keys = vec![format!("social:{n}")];
    if p.platform == "zalo" && p.handle.starts_with('+') {
        keys.push(format!("phone:{}", p.handle));
    }
    Recognised {
        kind: Kind::Social,
        display: n.clone(),
        normalised: n,
        keys,
        notes: Vec::new(),
    }
}

fn of_app(p: &str) -> Recognised {
    Recognised {
        kind: Kind::App,
        display: p.to_string(),
        normalised: p.to_string(),
        keys: vec![format!("app:{p}")],
        notes: Vec::new(),
    }
}

fn of_wallet(w: &str, phone: &str) -> Recognised {
    let n = format!("{w}:{phone}");
    Recognised {
        kind: Kind::Wallet,
        display: n.clone(),
        normalised: n.clone(),
        keys: vec![format!("wallet:{n}"), format!("phone:{phone}")],
        notes: Vec::new(),
    }
}

/// May `r` be listed or reported as a scam indicator? Not a protected body's own or a
/// government address, not a whole shared platform (facebook.com: a page on it may),
/// not a short public number (113).
pub fn listable(r: &Recognised) -> bool {
    match r.kind {
        Kind::Link => {
            let host = r.normalised.split('/').next().unwrap_or("");
            let whole_host = r.normalised == format!("{host}/");
            let official = crate::lookalike::is_official(host)
                || host == "gov.vn"
                || host.ends_with(".gov.vn");
            !(official || (whole_host && crate::lookalike::is_shared_platform(host)))
        }
        Kind::Phone => phone::normalise(&r.normalised).is_ok_and(|p| p.kind != phone::Kind::Short),
        _ => true,
    }
}

/// Should a link reading be matched only on its exact page (not its domain or path
/// prefixes)? Yes on protected bodies' and shared platforms' hosts, where a listed
/// page says nothing of the others.
pub fn exact_only(r: &Recognised) -> bool {
    r.kind == Kind::Link && {
        let host = r.normalised.split('/').next().unwrap_or("");
        crate::lookalike::is_official(host)
            || host.ends_with(".gov.vn")
            || crate::lookalike::is_shared_platform(host)
    }
}

/// The longest value the check reads (characters).
pub const MAX_VALUE: usize = 2048;

/// Everything `input` could be, most likely first (a mobile number is also an account
/// number at banks that use phone numbers as accounts). Empty: not recognised.
pub fn recognise(input: &str, banks: &[Bank]) -> Vec<Recognised> {
    let text = refang::refang(input.trim());
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_VALUE {
        return Vec::new();
    }
    if let Some(p) = social::from_typed(text) {
        return vec![of_profile(&p)];
    }
    if let Some(pkg) = text.strip_prefix("app:").map(str::trim) {
        return if social::package_ok(pkg) {
            vec![of_app(&pkg.to_lowercase())]
        } else {
            Vec::new()
        };
    }
    let mut out = Vec::new();
    if let Some((w, p)) = social::wallet(text) {
        out.push(of_wallet(w, &p));
        return out;
    }
    if let Ok(p) = phone::normalise(text) {
        out.push(of_phone(&p));
        if p.kind == phone::Kind::Mobile {
            out.push(of_account(
                &bank::Account {
                    bin: None,
                    number: format!("0{}", &p.canonical[3..]),
                },
                banks,
            ));
        }
        return out;
    }
    let has_letters = text.chars().any(char::is_alphabetic);
    let named_bank = bank::find_bank(text, banks).is_some();
    if !has_letters || named_bank {
        if let Some(a) = bank::parse(text, banks) {
            out.push(of_account(&a, banks));
            return out;
        }
    }
    // A link has a letter or a scheme, or is a dotted IPv4 address ("12345" is not).
    if link::is_email(text) {
        return out;
    }
    let linkish = text.contains("://")
        || text.chars().any(char::is_alphabetic)
        || text.matches('.').count() == 3;
    if linkish && (!text.contains(char::is_whitespace) || text.contains("://")) {
        if let Ok(l) = link::canonicalise(text) {
            if l.plausible() {
                if let Some(p) = social::from_link(&l.host, &l.path, l.query.as_deref()) {
                    out.push(of_profile(&p));
                }
                if let Some(pkg) = social::package_from_link(&l.host, &l.path, l.query.as_deref()) {
                    out.push(of_app(&pkg));
                }
                out.push(of_link(&l));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(s: &str) -> Vec<String> {
        recognise(s, &bank::default_banks())
            .into_iter()
            .map(|r| r.keys[0].clone())
            .collect()
    }

    #[test]
    fn one_number_many_spellings() {
        for s in [
            "0912.345.678",
            "+84 912 345 678",
            "0084912345678",
            "O9I2 345 678",
        ] {
            assert_eq!(keys(s)[0], "phone:+84912345678", "{s}");
        }
        assert_eq!(keys("01683 456 789")[0], "phone:+84383456789");
    }

    #[test]
    fn every_kind() {
        assert_eq!(
            keys("Vietcombank 0451000387261"),
            vec!["bank:970436:0451000387261"]
        );
        assert_eq!(keys("0451000387261"), vec!["account:0451000387261"]);
        assert_eq!(keys("vcb-hotro[.]top"), vec!["url:vcb-hotro.top/"]);
        assert_eq!(
            keys("https://VCB-hotro.top/dang-nhap?x=1")[0],
            "url:vcb-hotro.top/dang-nhap?x=1"
        );
        assert_eq!(
            keys("t.me/hotro_vcb"),
            vec!["social:telegram:hotro_vcb", "url:t.me/hotro_vcb"]
        );
        assert_eq!(keys("app:com.fake.vneid"), vec!["app:com.fake.vneid"]);
        assert_eq!(keys("momo 0912345678"), vec!["wallet:momo:+84912345678"]);
        assert!(keys("xin chào").is_empty());
        assert!(keys("").is_empty());
    }

    #[test]
    fn what_may_be_listed() {
        let b = bank::default_banks();
        let one = |s: &str| recognise(s, &b).into_iter().last().expect("read");
        assert!(!listable(&one("https://vietcombank.com.vn/login")));
        assert!(!listable(&one("bocongan.gov.vn")));
        assert!(!listable(&one("www.facebook.com")));
        assert!(listable(&one("https://www.facebook.com/scam.page")));
        assert!(!listable(&recognise("113", &b)[0]));
        assert!(listable(&one("vcb-hotro.top")));
        assert!(exact_only(&one("https://www.youtube.com/watch?v=1")));
        assert!(!exact_only(&one("vcb-hotro.top/x")));
    }

    #[test]
    fn link_notes() {
        let r = recognise("https://vietcombamk.com/login", &bank::default_banks());
        assert!(
            r[0].notes
                .iter()
                .any(|n| n.starts_with("lookalike:Vietcombank")),
            "{r:?}"
        );
        let r = recognise("bit.ly/abc", &bank::default_banks());
        assert!(r[0].notes.contains(&"shortener".to_string()));
    }

    #[test]
    fn a_bank_named_before_the_at_is_imitated() {
        for link in [
            "https://vietcombank.com.vn@evil.top/",
            "https://vietcombank.com.vn%2F@evil.top/",
            "http://vietcombank.com.vn:443@evil.top",
            "https://VIETCOMBANK.COM.VN%252F@evil.top/x",
            "https://vietcombamk.com@evil.top/",
        ] {
            let r = recognise(link, &bank::default_banks());
            assert!(r[0].display.contains("evil.top"), "{link}: {r:?}");
            assert!(
                r[0].notes
                    .iter()
                    .any(|n| n.starts_with("lookalike:Vietcombank:")),
                "{link}: {r:?}"
            );
        }
        for plain in [
            "https://user@evil.top/",
            "https://a.b@evil.top/",
            "https://@evil.top/",
        ] {
            let r = recognise(plain, &bank::default_banks());
            assert!(
                !r[0].notes.iter().any(|n| n.starts_with("lookalike:")),
                "{plain}: {r:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = recognise(&s, &bank::default_banks());
        }

        #[test]
        fn recognising_the_normalised_form_gives_the_same_key(s in "(0|\\+84 ?)(9[0-9]|3[2-9]|8[1-9])[0-9]{7}") {
            let a = keys(&s);
            let r = recognise(&s, &bank::default_banks());
            prop_assert_eq!(keys(&r[0].normalised), a);
        }
    }
}
