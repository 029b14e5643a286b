//! Bank accounts: the bank (by its NAPAS BIN, its short code or a name people write,
//! with or without diacritics) and the account number (6 to 19 digits, separators and
//! lookalike letters undone as for phone numbers). The bank list is data: [`DEFAULT`]
//! seeds it, the application lets an admin keep it current, and every function here
//! takes the list it is given.

use std::fmt;

/// A bank as the list holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// NAPAS BIN (6 digits, "970436").
    pub bin: String,
    /// Short code ("VCB").
    pub code: String,
    /// Display name ("Vietcombank").
    pub name: String,
    /// Other names people write (folded, lowercase: "ngoai thuong", "vietcom").
    pub aliases: Vec<String>,
    /// Every name it is found by — name, aliases, code — folded and padded with a
    /// space each side (" vietcombank "), made once by [`Bank::new`] so that finding a
    /// bank in a text folds nothing but the text.
    names: Vec<String>,
}

impl Bank {
    pub fn new(bin: String, code: String, name: String, aliases: Vec<String>) -> Bank {
        let names = std::iter::once(keng_text::fold(&name))
            .chain(aliases.iter().map(|a| keng_text::fold(a)))
            .chain(std::iter::once(code.to_lowercase()))
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .map(|n| format!(" {n} "))
            .collect();
        Bank {
            bin,
            code,
            name,
            aliases,
            names,
        }
    }
}

/// The banks of the NAPAS network most often named in scams (BIN, code, name, aliases).
pub const DEFAULT: &[(&str, &str, &str, &[&str])] = &[
    (
        "970436",
        "VCB",
        "Vietcombank",
        &["vietcombank", "ngoai thuong", "vietcom bank"],
    ),
    (
        "970415",
        "CTG",
        "VietinBank",
        &["vietinbank", "cong thuong", "icb"],
    ),
    ("970418", "BIDV", "BIDV", &["bidv", "dau tu va phat trien"]),
    ("970405", "VBA", "Agribank", &["agribank", "nong nghiep"]),
    (
        "970407",
        "TCB",
        "Techcombank",
        &["techcombank", "ky thuong"],
    ),
    (
        "970422",
        "MB",
        "MB Bank",
        &["mbbank", "mb bank", "quan doi"],
    ),
    ("970416", "ACB", "ACB", &["acb", "a chau"]),
    (
        "970432",
        "VPB",
        "VPBank",
        &["vpbank", "viet nam thinh vuong"],
    ),
    (
        "970403",
        "STB",
        "Sacombank",
        &["sacombank", "sai gon thuong tin"],
    ),
    ("970423", "TPB", "TPBank", &["tpbank", "tien phong"]),
    ("970443", "SHB", "SHB", &["shb", "sai gon ha noi"]),
    ("970437", "HDB", "HDBank", &["hdbank", "phat trien tp.hcm"]),
    ("970441", "VIB", "VIB", &["vib", "quoc te"]),
    (
        "970426",
        "MSB",
        "MSB",
        &["msb", "maritime bank", "hang hai"],
    ),
    ("970448", "OCB", "OCB", &["ocb", "phuong dong"]),
    ("970440", "SEAB", "SeABank", &["seabank", "dong nam a"]),
    (
        "970449",
        "LPB",
        "LPBank",
        &["lpbank", "lienvietpostbank", "loc phat"],
    ),
    ("970431", "EIB", "Eximbank", &["eximbank", "xuat nhap khau"]),
    ("970429", "SCB", "SCB", &["scb", "sai gon"]),
    (
        "970428",
        "NAB",
        "Nam A Bank",
        &["nam a bank", "namabank", "nam a"],
    ),
    (
        "970409",
        "BAB",
        "Bac A Bank",
        &["bac a bank", "bacabank", "bac a"],
    ),
    ("970427", "VAB", "VietABank", &["vietabank", "viet a"]),
    ("970425", "ABB", "ABBank", &["abbank", "an binh"]),
    ("970412", "PVCB", "PVcomBank", &["pvcombank", "dai chung"]),
    (
        "970452",
        "KLB",
        "Kienlongbank",
        &["kienlongbank", "kien long"],
    ),
    ("970419", "NCB", "NCB", &["ncb", "quoc dan"]),
    (
        "970454",
        "BVB",
        "BVBank",
        &["bvbank", "ban viet", "viet capital"],
    ),
    (
        "970438",
        "BVBank",
        "BaoViet Bank",
        &["baoviet bank", "bao viet"],
    ),
    (
        "970433",
        "VBB",
        "Vietbank",
        &["vietbank", "viet nam thuong tin"],
    ),
    ("970408", "GPB", "GPBank", &["gpbank", "dau khi toan cau"]),
    (
        "970430",
        "PGB",
        "PGBank",
        &["pgbank", "thinh vuong va phat trien"],
    ),
];

/// The default list as banks.
pub fn default_banks() -> Vec<Bank> {
    DEFAULT
        .iter()
        .map(|(bin, code, name, aliases)| {
            Bank::new(
                (*bin).into(),
                (*code).into(),
                (*name).into(),
                aliases.iter().map(|a| (*a).into()).collect(),
            )
        })
        .collect()
}

/// An account in its one form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The bank's BIN, when the text named the bank.
    pub bin: Option<String>,
    /// Digits only.
    pub number: String,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bin {
            Some(b) => write!(f, "{b}:{}", self.number),
            None => f.write_str(&self.number),
        }
    }
}

/// The bank named in `text`: a BIN, a code as a whole word, or a name or alias
/// (diacritics and case ignored). Longer names win ("vietabank" over "viet a").
pub fn find_bank<'a>(text: &str, banks: &'a [Bank]) -> Option<&'a Bank> {
    let folded = keng_text::fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(b) = banks.iter().find(|b| words.contains(&b.bin.as_str())) {
        return Some(b);
    }
    let spaced = format!(" {} ", words.join(" "));
    let mut best: Option<(&Bank, usize)> = None;
    for b in banks {
        for n in &b.names {
            if best.is_none_or(|(_, l)| n.len() > l) && spaced.contains(n.as_str()) {
                best = Some((b, n.len()));
            }
        }
    }
    best.map(|(b, _)| b)
}

/// The account number in `text`: the one run of 6 to 19 digits (separators inside it,
/// lookalike letters within digits undone). None when there is no such run or more
/// than one.
pub fn find_number(text: &str) -> Option<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let digit = crate::phone::digit_of(c);
        let sep = matches!(c, ' ' | '.' | '-' | '\u{00A0}')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        match digit {
            Some(d) if lookalike_ok(&chars, i, c) => cur.push(d),
            _ if sep => {}
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    let found: Vec<String> = runs
        .into_iter()
        .filter(|r| (6..=19).contains(&r.len()))
        .collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A lookalike letter (O, I, l) counts as a digit only next to a real digit.
fn lookalike_ok(chars: &[char], i: usize, c: char) -> bool {
    if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        return true;
    }
    let near = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(|n| n.is_ascii_digit())
    };
    near(i.checked_sub(1)) || near(Some(i + 1))
}

/// A bank account in `text`: the number and, if named, the bank.
pub fn parse(text: &str, banks: &[Bank]) -> Option<Account> {
    // The one form itself: "970436:0451000387261".
    if let Some((bin, n)) = text.trim().split_once(':') {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits(bin)
            && digits(n)
            && (6..=19).contains(&n.len())
            && banks.iter().any(|b| b.bin == bin)
        {
            return Some(Account {
                bin: Some(bin.to_string()),
                number: n.to_string(),
            });
        }
    }
    // A BIN written before the number ("970436 0451000387261") is the bank, not digits
    // of the account.
    let without_bin: String = text
        .split_whitespace()
        .filter(|w| !banks.iter().any(|b| b.bin == *w))
        .collect::<Vec<_>>()
        .join(" ");
    let number = find_number(&without_bin)?;
    let bin = find_bank(text, banks)
        .filter(|b| b.bin != number)
        .map(|b| b.bin.clone());
    Some(Account { bin, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banks_by_name_code_or_bin() {
        let banks = default_banks();
        let name = |t: &str| find_bank(t, &banks).map(|b| b.name.clone());
        assert_eq!(name("chuyển vào VCB"), Some("Vietcombank".into()));
        assert_eq!(name("ngan hang Ngoại thương"), Some("Vietcombank".into()));
        assert_eq!(name("stk 970436 123"), Some("Vietcombank".into()));
        assert_eq!(name("vietabank"), Some("VietABank".into()));
        assert_eq!(name("Ngân hàng Việt Á"), Some("VietABank".into()));
        assert_eq!(name("vietcombankk"), None);
    }

    #[test]
    fn accounts() {
        let banks = default_banks();
        let a = parse("STK: 0451 0003 87261 - Vietcombank", &banks).expect("account");
        assert_eq!(a.to_string(), "970436:0451000387261");
        let a = parse("tk 1O23456789", &banks).expect("account");
        assert_eq!(a.number, "1023456789");
        assert_eq!(a.bin, None);
        assert_eq!(parse("12345", &banks), None);
        assert_eq!(
            parse("970436 0451000387261", &banks).map(|a| a.to_string()),
            Some("970436:0451000387261".into())
        );
        assert_eq!(
            parse("970436:0451000387261", &banks).map(|a| a.to_string()),
            Some("970436:0451000387261".into())
        );
        assert_eq!(parse("111111111, 222222222", &banks), None, "two numbers");
    }
}
