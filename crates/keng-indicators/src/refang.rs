//! Undoing what hides a link or a number from filters and from people's caution: the
//! zero-width and other invisible characters, and "defanged" dots and schemes —
//! "vietcombank[.]com", "(.)", "{.}", "[dot]", "(dot)", " dot ", "hxxp://", "[:]//" —
//! written either by scammers (to slip past a filter) or by analysts (so a pasted link
//! is not clickable). What comes out is text a link and number finder can read.

/// True for characters that take no space and change nothing a person sees.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// The dot and colon spellings undone, longest first ("[dot]" before "dot").
const DOTS: [&str; 12] = [
    "[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", "[DOT]", "(DOT)", "[ . ]", "( . )", "[,]",
    "<.>",
];

/// `text` without invisible characters and with defanged dots, colons and schemes put
/// back ("hxxps://vietcombank[.]com" → "https://vietcombank.com"; "abc dot com" →
/// "abc.com" when the words around " dot " look like a host).
pub fn refang(text: &str) -> String {
    let mut s: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    for d in DOTS {
        if s.contains(d) {
            s = s.replace(d, ".");
        }
    }
    for (from, to) in [("[:]", ":"), ("[://]", "://"), ("[/]", "/")] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s = replace_ci(&s, "hxxps", "https");
    s = replace_ci(&s, "hxxp", "http");
    spoken_dots(&s)
}

/// Replaces every ASCII-case-insensitive `from` with `to`.
fn replace_ci(s: &str, from: &str, to: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if !lower.contains(from) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(p) = lower[i..].find(from) {
        out.push_str(&s[i..i + p]);
        out.push_str(to);
        i += p + from.len();
    }
    out.push_str(&s[i..]);
    out
}

/// "vietcombank dot com dot vn" → "vietcombank.com.vn": " dot " between two host-like
/// words (letters, digits, hyphens) where the word after it is a known top-level name
/// or is followed by another " dot ".
fn spoken_dots(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if !lower.contains(" dot ") && !lower.contains(" cham ") && !lower.contains(" chấm ") {
        return s.to_string();
    }
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let is_dot = matches!(w.to_lowercase().as_str(), "dot" | "cham" | "chấm");
        if is_dot && i + 1 < words.len() {
            let next = words[i + 1];
            let next_is_dot = i + 2 < words.len()
                && matches!(
                    words[i + 2].to_lowercase().as_str(),
                    "dot" | "cham" | "chấm"
                );
            let prev_ok = out.last().is_some_and(|p| hostish(p));
            let next_ok = hostish(next) && (next_is_dot || is_tld(next));
            if prev_ok && next_ok {
                if let Some(last) = out.last_mut() {
                    last.push('.');
                    last.push_str(next);
                }
                i += 2;
                continue;
            }
        }
        out.push(w.to_string());
        i += 1;
    }
    out.join(" ")
}

fn hostish(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

fn is_tld(w: &str) -> bool {
    let w = w
        .trim_end_matches(['/', ',', ';', ')'])
        .to_ascii_lowercase();
    matches!(
        w.as_str(),
        "vn" | "com"
            | "net"
            | "org"
            | "info"
            | "top"
            | "xyz"
            | "online"
            | "site"
            | "shop"
            | "club"
            | "cc"
            | "me"
            | "io"
            | "app"
            | "link"
            | "live"
            | "asia"
            | "pro"
            | "store"
            | "biz"
            | "co"
            | "tk"
            | "ml"
            | "ga"
            | "cf"
            | "gq"
            | "icu"
            | "vip"
            | "work"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defanged_links_come_back() {
        assert_eq!(
            refang("hxxps://vietcombank[.]com[.]vn/login"),
            "https://vietcombank.com.vn/login"
        );
        assert_eq!(refang("vcb(.)top"), "vcb.top");
        assert_eq!(refang("vcb[dot]top and {.}"), "vcb.top and .");
        assert_eq!(refang("HXXP[:]//a[.]b"), "http://a.b");
        assert_eq!(
            refang("vao vcb-hotro dot com ngay"),
            "vao vcb-hotro.com ngay"
        );
        assert_eq!(refang("vietcombank dot com dot vn"), "vietcombank.com.vn");
        assert_eq!(refang("vcb chấm vn"), "vcb.vn");
        // " dot " in ordinary speech stays.
        assert_eq!(refang("a dot of paint"), "a dot of paint");
    }

    #[test]
    fn invisible_characters_go() {
        assert_eq!(refang("vi\u{200B}etcom\u{FEFF}bank"), "vietcombank");
        assert_eq!(refang("0912\u{2060}345\u{00AD}678"), "0912345678");
    }
}
