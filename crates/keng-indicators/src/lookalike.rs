//! Hosts that pretend to be someone people trust — banks, the police and ministries,
//! VNeID, the post, power and telecom companies, e-wallets. Mixed scripts are only one
//! trick; most Vietnamese scam domains are all Latin: "vietcombamk.com" (one letter),
//! "vietcornbank" (rn for m), "ạdmin.vn" (a letter with a dot below, in punycode),
//! "congan-gov.vn" (a hyphen where the dot of gov.vn would be), "vcb-hotro.top" (the
//! brand plus a word). Each host is compared, off its official domains, with the
//! protected names through a skeleton: Vietnamese diacritics folded, then Unicode's
//! confusable skeleton (UTS #39, the `unicode-security` crate), separators dropped.

use unicode_security::skeleton;

/// Someone whose name scammers borrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protected {
    pub name: &'static str,
    /// Their own domains (and every host under them).
    pub domains: &'static [&'static str],
    /// What their name looks like in a host: matched within a label (5 letters or more,
    /// also one or two edits away) or as a whole hyphen-separated part (shorter ones).
    pub tokens: &'static [&'static str],
}

/// Banks, the police and government, utilities, post, telecoms, e-wallets.
pub const PROTECTED: &[Protected] = &[
    p(
        "Vietcombank",
        &["vietcombank.com.vn", "vcb.com.vn"],
        &["vietcombank", "vcb", "vcbdigibank"],
    ),
    p(
        "VietinBank",
        &["vietinbank.vn", "vietinbank.com.vn"],
        &["vietinbank", "ipay"],
    ),
    p(
        "BIDV",
        &["bidv.com.vn", "bidv.vn"],
        &["bidv", "smartbanking"],
    ),
    p("Agribank", &["agribank.com.vn"], &["agribank"]),
    p(
        "Techcombank",
        &["techcombank.com", "techcombank.com.vn"],
        &["techcombank", "tcb"],
    ),
    p("MB Bank", &["mbbank.com.vn", "mb.com.vn"], &["mbbank"]),
    p("VPBank", &["vpbank.com.vn", "cake.vn"], &["vpbank"]),
    p("ACB", &["acb.com.vn"], &["acb"]),
    p(
        "Sacombank",
        &["sacombank.com.vn", "sacombank.com"],
        &["sacombank"],
    ),
    p("TPBank", &["tpb.vn", "tpbank.com.vn"], &["tpbank"]),
    p("SHB", &["shb.com.vn"], &["shb"]),
    p("HDBank", &["hdbank.com.vn"], &["hdbank"]),
    p("VIB", &["vib.com.vn"], &["vib"]),
    p("MSB", &["msb.com.vn"], &["msb", "maritimebank"]),
    p("SeABank", &["seabank.com.vn"], &["seabank"]),
    p(
        "LPBank",
        &["lpbank.com.vn", "lienvietpostbank.com.vn"],
        &["lpbank", "lienvietpostbank"],
    ),
    p("Eximbank", &["eximbank.com.vn"], &["eximbank"]),
    p(
        "Ngân hàng Nhà nước",
        &["sbv.gov.vn"],
        &["nganhangnhanuoc", "sbv"],
    ),
    p(
        "Bộ Công an",
        &["bocongan.gov.vn", "mps.gov.vn"],
        &["bocongan", "congan", "canhsat"],
    ),
    p(
        "VNeID",
        &["vneid.gov.vn", "dichvucong.bocongan.gov.vn"],
        &["vneid", "dinhdanh", "dinhdanhdientu"],
    ),
    p("Cổng Dịch vụ công", &["dichvucong.gov.vn"], &["dichvucong"]),
    p("Chính phủ", &["chinhphu.vn", "gov.vn"], &["chinhphu"]),
    p(
        "Tổng cục Thuế",
        &["gdt.gov.vn"],
        &["tongcucthue", "thuedientu"],
    ),
    p(
        "Bảo hiểm xã hội",
        &["baohiemxahoi.gov.vn", "vss.gov.vn"],
        &["baohiemxahoi", "bhxh"],
    ),
    p(
        "EVN",
        &[
            "evn.com.vn",
            "evnhanoi.vn",
            "evnhcmc.vn",
            "evnnpc.vn",
            "evncpc.vn",
            "evnspc.vn",
        ],
        &["evn", "evnhanoi", "dienluc"],
    ),
    p("VNPT", &["vnpt.vn", "vnpt.com.vn"], &["vnpt"]),
    p(
        "Viettel",
        &["viettel.vn", "viettel.com.vn", "vietteltelecom.vn"],
        &["viettel", "vietteltelecom"],
    ),
    p(
        "MobiFone",
        &["mobifone.vn", "mobifone.com.vn"],
        &["mobifone"],
    ),
    p(
        "VinaPhone",
        &["vinaphone.com.vn", "vinaphone.vn"],
        &["vinaphone"],
    ),
    p("Vietnam Post", &["vnpost.vn"], &["vnpost", "buudien"]),
    p(
        "Viettel Post",
        &["viettelpost.com.vn", "viettelpost.vn"],
        &["viettelpost"],
    ),
    p("MoMo", &["momo.vn"], &["momo"]),
    p("ZaloPay", &["zalopay.vn"], &["zalopay"]),
    p("Shopee", &["shopee.vn"], &["shopee"]),
    p("Lazada", &["lazada.vn"], &["lazada"]),
];

const fn p(
    name: &'static str,
    domains: &'static [&'static str],
    tokens: &'static [&'static str],
) -> Protected {
    Protected {
        name,
        domains,
        tokens,
    }
}

/// How a host imitates a protected name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// Written with letters that look alike (punycode, mixed scripts, diacritics): the
    /// host reads as `reads_as`.
    Letters { reads_as: String },
    /// One or two letters away from the name ("vietcombamk").
    Misspelt { token: String },
    /// The name with other words around it ("vcb-hotro", "vneid-dinhdanh").
    Borrowed { token: String },
    /// "gov" in a host that is not under gov.vn ("congan-gov.vn").
    FakeGov,
}

impl How {
    pub fn as_str(&self) -> &'static str {
        match self {
            How::Letters { .. } => "letters",
            How::Misspelt { .. } => "misspelt",
            How::Borrowed { .. } => "borrowed",
            How::FakeGov => "fake_gov",
        }
    }
}

/// A host found imitating someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// Who it imitates (None: it only reads as another name, or fakes a government
    /// address without naming a protected body).
    pub imitates: Option<&'static Protected>,
    pub how: How,
}

/// Platforms whose hosts serve everyone's pages (social networks, app stores, video,
/// marketplaces, file and site hosting): a page on them can be a scam indicator, the
/// whole host never is.
pub const SHARED_PLATFORMS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "fb.me",
    "fb.watch",
    "messenger.com",
    "instagram.com",
    "threads.net",
    "youtube.com",
    "youtu.be",
    "google.com",
    "google.com.vn",
    "goo.gl",
    "forms.gle",
    "apple.com",
    "zalo.me",
    "zaloapp.com",
    "zalo.vn",
    "t.me",
    "telegram.me",
    "telegram.org",
    "tiktok.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "shopee.vn",
    "lazada.vn",
    "tiki.vn",
    "sendo.vn",
    "github.com",
    "microsoft.com",
    "live.com",
    "office.com",
    "dropbox.com",
    "mediafire.com",
    "wikipedia.org",
    "discord.com",
    "discord.gg",
    "whatsapp.com",
    "wa.me",
    "viber.com",
    "line.me",
];

/// Is the host on a shared platform (see [`SHARED_PLATFORMS`])?
pub fn is_shared_platform(host: &str) -> bool {
    SHARED_PLATFORMS.iter().any(|d| under(host, d))
}

/// May a listed or reported indicator name this host as a whole? Never a protected
/// body's own domain, a government (gov.vn) host or a shared platform.
pub fn host_may_be_listed(host: &str) -> bool {
    !(is_official(host) || under(host, "gov.vn") || is_shared_platform(host))
}

/// Is the host one of the protected names' own, or under one?
pub fn is_official(host: &str) -> bool {
    PROTECTED
        .iter()
        .flat_map(|p| p.domains)
        .any(|d| under(host, d))
}

fn under(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// The skeleton of `s`: diacritics folded, confusables mapped, lowercase.
pub fn skeleton_of(s: &str) -> String {
    let folded = keng_text::fold(s);
    skeleton(&folded).flat_map(char::to_lowercase).collect()
}

/// What a person reads in a host written with other letters: ASCII kept, a letter
/// with diacritics as its base letter, a confusable as its prototype.
fn readable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            let folded = keng_text::fold(&c.to_string());
            if folded.is_ascii() {
                out.push_str(&folded);
            } else {
                out.extend(skeleton(&folded).flat_map(char::to_lowercase));
            }
        }
    }
    out
}

/// Damerau–Levenshtein distance (optimal string alignment), capped at `cap + 1`.
/// Three rows on the stack (the check runs it against every protected name, so it
/// must not allocate), and it stops as soon as a whole row is beyond the cap.
fn distance(a: &[char], b: &[char], cap: usize) -> usize {
    const W: usize = 64;
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    if b.len() + 1 > W {
        return distance_long(a, b, cap);
    }
    let w = b.len() + 1;
    let mut two = [0usize; W];
    let mut one = [0usize; W];
    let mut cur = [0usize; W];
    for (j, cell) in one.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (one[j] + 1).min(cur[j - 1] + 1).min(one[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(two[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > cap {
            return cap + 1;
        }
        two = one;
        one = cur;
    }
    one[w - 1].min(cap + 1)
}

/// The same for long strings (a table on the heap).
fn distance_long(a: &[char], b: &[char], cap: usize) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()].min(cap + 1)
}

/// How many edits a token of this length may be away and still be a lookalike.
fn allowed_edits(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    }
}

/// The protected name a host written where a person reads it (before a link's '@')
/// names: one of its own domains, or a lookalike of one.
pub fn named_by(host: &str) -> Option<&'static Protected> {
    PROTECTED
        .iter()
        .find(|p| p.domains.iter().any(|d| under(host, d)))
        .or_else(|| lookalike(host).and_then(|l| l.imitates))
}

/// Does the canonical (punycode, lowercase) `host` imitate a protected name?
pub fn lookalike(host: &str) -> Option<Lookalike> {
    // Names under gov.vn are registered by the state only: never a lookalike.
    if host.is_empty()
        || super::link::parse_ipv4(host.as_bytes()).is_some()
        || is_official(host)
        || under(host, "gov.vn")
    {
        return None;
    }
    let (unicode, _) = idna::domain_to_unicode(host);
    let suffix = psl::suffix_str(host).unwrap_or("");
    // The part a person reads as the name: the registrable domain without its suffix,
    // and the labels before it.
    let name_part = host
        .strip_suffix(suffix)
        .unwrap_or(host)
        .trim_end_matches('.');
    let uni_name = {
        let (u, _) = idna::domain_to_unicode(name_part);
        u
    };
    let skel = skeleton_of(&uni_name);
    let plain = keng_text::fold(&uni_name);
    // 1. Letters that look alike: a non-ASCII host that reads as ASCII.
    if !unicode.is_ascii() {
        let reads_as_host = readable(&unicode);
        if reads_as_host.is_ascii() {
            let skel_host = skeleton_of(&reads_as_host);
            let imitates = PROTECTED.iter().find(|p| {
                p.domains.iter().any(|d| skeleton_of(d) == skel_host)
                    || p.tokens
                        .iter()
                        .any(|t| t.len() >= 5 && reads_as_host.contains(t))
            });
            return Some(Lookalike {
                imitates,
                how: How::Letters {
                    reads_as: reads_as_host,
                },
            });
        }
    }
    // 2. A government address off gov.vn: "congan-gov.vn", "dichvucong.gov-vn.com".
    let labels: Vec<&str> = host.split(['.', '-', '_']).collect();
    if labels.iter().any(|p| *p == "gov" || *p == "govvn") {
        let imitates = find_token(&skel, &plain).map(|(p, _)| p);
        return Some(Lookalike {
            imitates,
            how: How::FakeGov,
        });
    }
    // 3. A protected name with other words, or one or two letters off.
    if let Some((p, how)) = find_token(&skel, &plain) {
        return Some(Lookalike {
            imitates: Some(p),
            how,
        });
    }
    None
}

/// The first protected name whose token is in the host's name part (skeleton `skel`,
/// folded `plain`), and how.
/// Every protected token with its skeleton, as characters (computed once).
struct Token {
    protected: &'static Protected,
    text: &'static str,
    skel: String,
    chars: Vec<char>,
    skel_chars: Vec<char>,
}

fn tokens() -> &'static [Token] {
    static T: std::sync::OnceLock<Vec<Token>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        PROTECTED
            .iter()
            .flat_map(|p| {
                p.tokens.iter().map(move |t| {
                    let skel = skeleton_of(t);
                    Token {
                        protected: p,
                        text: t,
                        chars: t.chars().collect(),
                        skel_chars: skel.chars().collect(),
                        skel,
                    }
                })
            })
            .collect()
    })
}

fn find_token(skel: &str, plain: &str) -> Option<(&'static Protected, How)> {
    let joined_skel: String = skel
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_'))
        .collect();
    let joined_plain: String = plain
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_'))
        .collect();
    let parts: Vec<&str> = plain
        .split(['.', '-', '_'])
        .filter(|p| !p.is_empty())
        .collect();
    // Exact tokens first (a borrowed name), then near misses.
    for tk in tokens() {
        let t = tk.text;
        let found = if t.len() >= 5 {
            joined_plain.contains(t) || joined_skel.contains(&tk.skel)
        } else {
            parts.contains(&t)
        };
        if found {
            let exact = joined_plain == t || joined_skel == tk.skel;
            let token = t.to_string();
            return Some((
                tk.protected,
                if exact {
                    How::Misspelt { token }
                } else {
                    How::Borrowed { token }
                },
            ));
        }
    }
    let candidates: Vec<(Vec<char>, Vec<char>)> = parts
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(joined_plain.clone()))
        .map(|c| (c.chars().collect(), skeleton_of(&c).chars().collect()))
        .collect();
    for tk in tokens() {
        let edits = allowed_edits(tk.text.len());
        if edits == 0 {
            continue;
        }
        for (cc, cs) in &candidates {
            if distance(cc, &tk.chars, edits) <= edits
                || distance(cs, &tk.skel_chars, edits) <= edits
            {
                return Some((
                    tk.protected,
                    How::Misspelt {
                        token: tk.text.to_string(),
                    },
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_distance_agrees_with_the_table() {
        let words = [
            "vietcombank",
            "vietcombamk",
            "vietcmbank",
            "vcb",
            "agribank",
            "agrlbank",
            "",
            "ab",
            "ba",
            "abc",
            "acb",
            "vietinbank",
            "congan",
            "cngoan",
        ];
        for a in words {
            for b in words {
                let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for cap in 0..4 {
                    assert_eq!(
                        distance(&a, &b, cap),
                        distance_long(&a, &b, cap),
                        "{a:?} {b:?} {cap}"
                    );
                }
            }
        }
    }

    fn who(host: &str) -> Option<(&'static str, &'static str)> {
        let l = crate::link::canonicalise(host).ok()?;
        lookalike(&l.host).map(|l| (l.imitates.map_or("-", |p| p.name), l.how.as_str()))
    }

    #[test]
    fn official_hosts_pass() {
        for h in [
            "vietcombank.com.vn",
            "www.vietcombank.com.vn",
            "ib.vietcombank.com.vn",
            "bocongan.gov.vn",
            "congan.thanhhoa.gov.vn",
            "vnexpress.net",
            "dantri.com.vn",
            "google.com",
            "thanhhoa.gov.vn",
            "1.2.3.4",
            "shopee.vn",
            "vneid.gov.vn",
        ] {
            assert_eq!(who(h), None, "{h}");
        }
    }

    #[test]
    fn all_latin_lookalikes_are_caught() {
        assert_eq!(who("vietcombamk.com"), Some(("Vietcombank", "misspelt")));
        assert_eq!(
            who("vietcornbank.com.vn"),
            Some(("Vietcombank", "misspelt"))
        );
        assert_eq!(who("vcb-hotro.top"), Some(("Vietcombank", "borrowed")));
        assert_eq!(who("vneid-dinhdanh.top"), Some(("VNeID", "borrowed")));
        assert_eq!(who("congan-gov.vn"), Some(("Bộ Công an", "fake_gov")));
        assert_eq!(
            who("dichvucong-gov.com"),
            Some(("Cổng Dịch vụ công", "fake_gov"))
        );
        assert_eq!(
            who("techcombank-uudai.online"),
            Some(("Techcombank", "borrowed"))
        );
        assert_eq!(who("agrlbank.vip"), Some(("Agribank", "misspelt")));
        assert_eq!(who("vietel.net"), Some(("Viettel", "misspelt")));
        assert_eq!(who("viettell.net"), Some(("Viettel", "borrowed")));
    }

    #[test]
    fn letters_that_look_alike() {
        let (who_, how) = who("ạdmin.vn").expect("caught");
        assert_eq!((who_, how), ("-", "letters"));
        let l = lookalike(
            &crate::link::canonicalise("vietcơmbank.com.vn")
                .expect("link")
                .host,
        )
        .expect("caught");
        assert_eq!(l.imitates.map(|p| p.name), Some("Vietcombank"));
        // Cyrillic о in a Latin name.
        assert!(who("vietc\u{043e}mbank.com").is_some());
    }
}
