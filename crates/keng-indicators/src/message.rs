//! A whole message as scam patterns are matched against it, and the indicators in it.
//!
//! [`fold_message`] undoes what hides words from filters and from people: diacritics
//! (or their absence), case, lookalike letters from other scripts (Cyrillic а, Greek ο),
//! digits and signs inside words ("l0a", "ch@t", "$hopee"), letters written apart
//! ("c.h.u.y.e.n k-h-o-a-n", "v i e t c o m b a n k") and the usual teen code ("ck" for
//! chuyển khoản, "stk", "ko", "dc"). [`extract`] finds every phone number, bank
//! account, link, profile and wallet in it, each recognised as the check would.

use crate::bank::Bank;
use crate::value::{self, Kind, Recognised};
use crate::{bank, link, phone, refang, social};

/// The most indicators read from one message (the rest are counted, not looked up).
pub const MAX_INDICATORS: usize = 50;

/// Teen code and abbreviations, folded → what they stand for (folded).
const TEEN: &[(&str, &str)] = &[
    ("ck", "chuyen khoan"),
    ("chkhoan", "chuyen khoan"),
    ("stk", "so tai khoan"),
    ("tk", "tai khoan"),
    ("tknh", "tai khoan ngan hang"),
    ("nh", "ngan hang"),
    ("ko", "khong"),
    ("k", "khong"),
    ("kh", "khong"),
    ("hok", "khong"),
    ("hong", "khong"),
    ("dc", "duoc"),
    ("dk", "dang ky"),
    ("dky", "dang ky"),
    ("j", "gi"),
    ("bn", "ban"),
    ("mk", "mat khau"),
    ("otp", "otp"),
    ("sdt", "so dien thoai"),
    ("dt", "dien thoai"),
    ("lh", "lien he"),
    ("ib", "nhan tin"),
    ("inbox", "nhan tin"),
    ("kb", "ket ban"),
    ("nv", "nhiem vu"),
    ("hh", "hoa hong"),
    ("tr", "trieu"),
    ("cccd", "can cuoc cong dan"),
    ("cmnd", "chung minh nhan dan"),
    ("ca", "cong an"),
    ("vks", "vien kiem sat"),
    ("tt", "thanh toan"),
    ("tb", "thong bao"),
    ("vs", "voi"),
    ("ng", "nguoi"),
    ("a", "anh"),
    ("e", "em"),
    ("c", "chi"),
];

/// Digits and signs that stand for letters inside a word.
fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '€' => 'e',
        _ => return None,
    })
}

/// The folded, de-obfuscated text of a message, words separated by single spaces.
pub fn fold_message(text: &str) -> String {
    let cleaned = refang::refang(text);
    // Lookalike letters of other scripts to their Latin prototype, then diacritics.
    let mut latin = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        if c.is_ascii() || keng_text::fold(c.encode_utf8(&mut [0; 4])).is_ascii() {
            latin.push(c);
        } else if c.is_alphabetic() {
            latin.extend(unicode_security::skeleton(&c.to_string()));
        } else {
            latin.push(c);
        }
    }
    let folded = keng_text::fold(&latin);
    // Words: letters and digits; signs that stand for letters stay inside words.
    let chars: Vec<char> = folded.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    // The character that ended each word.
    let mut seps: Vec<char> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev_alpha = i > 0 && chars[i - 1].is_alphabetic();
        let next_alpha = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if c.is_alphabetic() {
            cur.push(c);
        } else if let Some(l) =
            leet(c).filter(|_| next_alpha && (prev_alpha || matches!(c, '@' | '$')))
        {
            cur.push(l);
        } else if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
            seps.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
        seps.push(' ');
    }
    // Letters written apart: three or more one-letter words in a row, with the same
    // separator between them, become one word ("c.h.u.y.e.n k-h-o-a-n": two words).
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let single = |w: &String| w.chars().count() == 1 && w.chars().all(char::is_alphabetic);
        let mut j = i;
        while j < words.len() && single(&words[j]) && (j == i || seps[j - 1] == seps[i]) {
            j += 1;
        }
        if j - i >= 3 {
            joined.push(words[i..j].concat());
            i = j;
        } else {
            joined.push(words[i].clone());
            i += 1;
        }
    }
    let expanded: Vec<&str> = joined
        .iter()
        .map(|w| {
            TEEN.iter()
                .find(|(k, _)| *k == w.as_str())
                .map_or(w.as_str(), |(_, v)| *v)
        })
        .collect();
    expanded.join(" ")
}

/// Indicators found in a message, and how many more there were beyond
/// [`MAX_INDICATORS`].
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub indicators: Vec<Recognised>,
    pub more: usize,
}

impl Found {
    fn add(&mut self, r: Recognised) {
        if self.indicators.iter().any(|x| x.keys[0] == r.keys[0]) {
            return;
        }
        if self.indicators.len() >= MAX_INDICATORS {
            self.more += 1;
        } else {
            self.indicators.push(r);
        }
    }
}

/// Every indicator in `text`: links (with the profiles and apps they point to), phone
/// numbers, bank accounts (the bank if the message names one; an account is only read
/// where the message speaks of an account or a bank), wallets.
pub fn extract(text: &str, banks: &[Bank]) -> Found {
    let text = refang::refang(text);
    let mut found = Found::default();
    let folded = keng_text::fold(&text);
    // Links: words with a scheme or a dotted host under a known suffix.
    for raw in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}'
            )
    }) {
        let w = raw.trim_matches(|c: char| matches!(c, ',' | ';' | '.' | '!' | '?' | ':' | '…'));
        if w.len() < 4 || link::is_email(w) || !looks_like_link(w) {
            continue;
        }
        if let Ok(l) = link::canonicalise(w) {
            if let Some(p) = social::from_link(&l.host, &l.path, l.query.as_deref()) {
                found.add(value_profile(&p));
            }
            if let Some(pkg) = social::package_from_link(&l.host, &l.path, l.query.as_deref()) {
                found.add(value::recognise(&format!("app:{pkg}"), banks).remove(0));
            }
            found.add(value::of_link(&l));
        }
    }
    // Numbers: runs of digits with separators between them, split into the phone
    // numbers they hold ("0386123456 1 lan" is a number and a count).
    let named_bank = bank::find_bank(&text, banks);
    let wallet_named = social::WALLETS
        .iter()
        .find(|w| folded.replace(' ', "").contains(*w));
    let chars: Vec<char> = text.chars().collect();
    for run in number_runs(&text) {
        let mut rest_groups: Vec<&str> = Vec::new();
        let groups: Vec<&str> = run
            .text
            .split([' ', '\u{a0}'])
            .filter(|g| !g.is_empty())
            .collect();
        let mut i = 0;
        while i < groups.len() {
            // The longest run of groups from i that is a mobile or landline number.
            let mut taken = 0;
            for j in (i + 1..=groups.len().min(i + 6)).rev() {
                let candidate = groups[i..j].join(" ");
                if let Ok(p) = phone::normalise(&candidate) {
                    if matches!(p.kind, phone::Kind::Mobile | phone::Kind::Landline) {
                        if let Some(w) = wallet_named {
                            found.add(
                                value::recognise(&format!("{w} {}", p.canonical), banks).remove(0),
                            );
                        }
                        found.add(value::of_phone(&p));
                        taken = j - i;
                        break;
                    }
                }
            }
            if taken == 0 {
                rest_groups.push(groups[i]);
                i += 1;
            } else {
                i += taken;
            }
        }
        // What is left is an account number only where the words just before it speak
        // of an account or a bank ("STK", "tài khoản", "Vietcombank"), never an amount.
        if rest_groups.is_empty() || run.grouped_by_thousands {
            continue;
        }
        let digits: String = rest_groups
            .concat()
            .chars()
            .filter_map(phone::digit_of)
            .collect();
        if !(8..=19).contains(&digits.len()) {
            continue;
        }
        let before: String = chars[run.start.saturating_sub(25)..run.start]
            .iter()
            .collect();
        // A date ("10-11-2025 08:15") is no account.
        let date_like = {
            let parts: Vec<&str> = run.text.split(['-', '/', '.']).collect();
            parts.len() >= 3 && parts[0].len() <= 2 && parts[1].len() <= 2 && parts[2].len() >= 4
        };
        if date_like {
            continue;
        }
        // The bank may follow the number at once ("0451000387261 Vietcombank").
        let after: String = chars[run.end..(run.end + 16).min(chars.len())]
            .iter()
            .collect();
        let before_f = keng_text::fold(&before);
        // An amount: "số tiền 20000000", "phí 500000", "20000000đ", "… VND".
        let after_f = keng_text::fold(&after).trim_start().to_string();
        let amount_before = ["so tien", "tien", "phi", "gia", "tong", "nop", "luong"]
            .iter()
            .any(|w| {
                before_f
                    .trim_end()
                    .trim_end_matches(':')
                    .trim_end()
                    .ends_with(w)
            });
        let amount_after = after_f.starts_with('d') && !after_f.starts_with("de ")
            || after_f.starts_with("vnd")
            || after_f.starts_with("dong")
            || after_f.starts_with("usd");
        if amount_before || amount_after {
            continue;
        }
        let speaks = [
            "tai khoan",
            "stk",
            "so tk",
            " tk",
            "ngan hang",
            "chuyen khoan vao",
            "ck vao",
            "account",
        ]
        .iter()
        .any(|k| before_f.contains(k))
            || bank::find_bank(&before, banks).is_some()
            || bank::find_bank(&after, banks).is_some();
        if speaks {
            let a = bank::Account {
                bin: named_bank.map(|b| b.bin.clone()),
                number: digits,
            };
            found.add(value::of_account(&a, banks));
        }
    }
    found
}

fn value_profile(p: &social::Profile) -> Recognised {
    value::recognise(&format!("{}:{}", p.platform, p.handle), &[])
        .into_iter()
        .next()
        .unwrap_or(Recognised {
            kind: Kind::Social,
            display: p.handle.clone(),
            normalised: p.handle.clone(),
            keys: vec![format!("social:{}:{}", p.platform, p.handle)],
            notes: Vec::new(),
        })
}

/// An Android installer named by its file ("hoadon.apk", "VNeID.apk"), link or not:
/// a message that asks a person to open one is a strong scam sign.
pub fn apk_file(text: &str) -> Option<String> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '(' | ')' | '<' | '>' | ',' | ';')
    })
    .map(|w| w.trim_end_matches(['.', '!', '?', ':']))
    .find(|w| {
        let lower = w.to_lowercase();
        lower.len() > 4
            && lower.ends_with(".apk")
            && lower[..lower.len() - 4]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
    .map(str::to_string)
}

fn looks_like_link(w: &str) -> bool {
    if w.contains("://") {
        return true;
    }
    let host = w.split(['/', '?', '#']).next().unwrap_or("");
    if !host.contains('.')
        || host.starts_with('.')
        || !host.chars().any(|c| c.is_ascii_alphabetic())
    {
        return false;
    }
    if host
        .chars()
        .any(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '@')))
    {
        return false;
    }
    let lower = host.to_lowercase();
    let ascii = idna::domain_to_ascii(&lower).unwrap_or(lower);
    psl::suffix(ascii.as_bytes()).is_some_and(|s| s.is_known())
}

struct Run {
    text: String,
    /// Where it starts and ends (characters).
    start: usize,
    end: usize,
    /// "5.000.000": dots or commas every three digits, an amount of money.
    grouped_by_thousands: bool,
}

/// Runs of digits (and lookalike letters beside digits) with single separators
/// between them, each at most 40 characters.
fn number_runs(text: &str) -> Vec<Run> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let is_digit = |j: usize| {
            chars
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        };
        let starts = is_digit(i) || chars[i] == '+' && is_digit(i + 1);
        // Digits right after a letter: a label glued to a number ("SĐT0386123456",
        // "Zalo0386…") counts when the run is as long as a phone number; shorter ones
        // are part of a word or a host ("h113.com", "4G").
        let in_word = i > 0 && chars[i - 1].is_alphanumeric();
        if !starts || (in_word && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < chars.len() && end - start < 40 {
            let c = chars[end];
            let digitish = is_digit(end)
                || (phone::digit_of(c).is_some() && (is_digit(end - 1) || is_digit(end + 1)));
            let sep = matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')
                && is_digit(end + 1)
                && (is_digit(end - 1) || chars[end - 1] == ')');
            if digitish || sep {
                end += 1;
            } else {
                break;
            }
        }
        let digit_count = chars[start..end]
            .iter()
            .filter(|c| c.is_ascii_digit())
            .count();
        if chars.get(end).is_some_and(|c| c.is_alphabetic()) || (in_word && digit_count < 9) {
            i = end;
            continue;
        }
        let s: String = chars[start..end].iter().collect();
        let groups: Vec<&str> = s.split(['.', ',']).collect();
        let grouped =
            groups.len() >= 2 && groups[1..].iter().all(|g| g.len() == 3) && groups[0].len() <= 3;
        out.push(Run {
            text: s,
            start,
            end,
            grouped_by_thousands: grouped,
        });
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installers_named_by_their_file() {
        assert_eq!(
            apk_file("anh mở file đính kèm: hoadon.apk nhé").as_deref(),
            Some("hoadon.apk")
        );
        assert_eq!(apk_file("Tai VNeID.APK.").as_deref(), Some("VNeID.APK"));
        assert_eq!(apk_file("file .apk là gì"), None);
        assert_eq!(apk_file("không có gì"), None);
    }

    #[test]
    fn email_addresses_are_not_links() {
        let f = extract("Liên hệ hotro@vietcombank.com.vn hoặc 1900545413", &[]);
        assert!(
            f.indicators.iter().all(|r| r.kind != Kind::Link),
            "{:?}",
            f.indicators
        );
    }
    use proptest::prelude::*;

    #[test]
    fn folding_undoes_the_tricks() {
        assert_eq!(fold_message("Chuyển khoản NGAY"), "chuyen khoan ngay");
        assert_eq!(fold_message("chuyen khoan ngay"), "chuyen khoan ngay");
        assert_eq!(fold_message("c.h.u.y.e.n k-h-o-a-n"), "chuyen khoan");
        assert_eq!(fold_message("v i e t c o m b a n k"), "vietcombank");
        assert_eq!(fold_message("l0a nhận th@nh c0ng"), "loa nhan thanh cong");
        assert_eq!(fold_message("ck vào stk"), "chuyen khoan vao so tai khoan");
        assert_eq!(fold_message("Vi\u{200B}etcombank"), "vietcombank");
        assert_eq!(
            fold_message("\u{0432}\u{0430}nk"),
            fold_message("\u{0432}ank")
        );
        assert_eq!(fold_message("nhận 5.000.000đ"), "nhan 5 000 000d");
    }

    #[test]
    fn indicators_in_a_message() {
        let banks = bank::default_banks();
        let f = extract(
            "Vietcombank thong bao: tai khoan cua quy khach bi khoa. Dang nhap vietcombamk[.]com/xac-thuc \
             hoac goi 0912.345.678. Chuyen 5.000.000d vao STK 0451000387261.",
            &banks,
        );
        let keys: Vec<&str> = f.indicators.iter().map(|r| r.keys[0].as_str()).collect();
        assert!(keys.contains(&"url:vietcombamk.com/xac-thuc"), "{keys:?}");
        assert!(keys.contains(&"phone:+84912345678"), "{keys:?}");
        assert!(keys.contains(&"bank:970436:0451000387261"), "{keys:?}");
        assert_eq!(keys.len(), 3, "{keys:?}");
    }

    #[test]
    fn numbers_next_to_numbers_and_labels() {
        let banks = bank::default_banks();
        let keys = |t: &str| -> Vec<String> {
            extract(t, &banks)
                .indicators
                .into_iter()
                .map(|r| r.keys[0].clone())
                .collect()
        };
        assert_eq!(
            keys("Goi ngay 0386123456 1 lan de xac minh"),
            vec!["phone:+84386123456"]
        );
        assert_eq!(keys("0912345678 0912345678"), vec!["phone:+84912345678"]);
        assert_eq!(keys("SĐT0386123456 nhé"), vec!["phone:+84386123456"]);
        assert!(keys("luc 10-11-2025 08:15 Vietcombank thong bao").is_empty());
        assert_eq!(
            keys("Vietcombank 0451000387261 so tien 20000000"),
            vec!["bank:970436:0451000387261"]
        );
        assert_eq!(
            keys("chuyen vao STK 1038827165 ngay"),
            vec!["account:1038827165"]
        );
    }

    #[test]
    fn ten_thousand_links_are_capped() {
        let text: String = (0..10_000).map(|i| format!("http://h{i}.com/ ")).collect();
        let f = extract(&text, &[]);
        assert_eq!(f.indicators.len(), MAX_INDICATORS);
        assert_eq!(f.more, 10_000 - MAX_INDICATORS);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}") {
            let _ = fold_message(&s);
            let _ = extract(&s, &bank::default_banks());
        }

        #[test]
        fn folding_is_idempotent_on_plain_words(s in "[a-z ]{0,60}") {
            let once = fold_message(&s);
            // Teen-code expansion is not idempotent by design ("k" → "khong"); plain
            // words longer than the teen codes are.
            if s.split_whitespace().all(|w| w.len() > 4) {
                prop_assert_eq!(fold_message(&once), once);
            }
        }
    }
}
