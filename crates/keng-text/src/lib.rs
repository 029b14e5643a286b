//! Vietnamese text for Kẻng: one canonical form for every word, a folded key for search
//! and matching, and tokenisation into syllables. Pure functions, no I/O.
//!
//! Vietnamese writes the tone mark in two placements in common use: the "old" one
//! ("hóa", "túy", "thủy", "khỏe") and the "new" one that puts it on the main vowel
//! ("hoá", "tuý", "thuỷ", "khoẻ"). Kẻng treats them as the same word everywhere, so
//! [`canonical`] rewrites every syllable to the new placement (the one the Ministry of
//! Education's rules give) after NFC normalisation. [`fold`] then drops every diacritic
//! and maps đ to d for diacritic-insensitive keys.

mod syllable;

use unicode_normalization::UnicodeNormalization;

pub use syllable::canonical_syllable;

/// NFC-normalises `text`, removes zero-width and other invisible format characters and
/// rewrites every Vietnamese syllable to the canonical tone-mark placement.
///
/// Idempotent: `canonical(&canonical(s)) == canonical(s)`.
pub fn canonical(text: &str) -> String {
    // Invisible characters go first: removing them after composition could leave two
    // combining marks side by side out of canonical order.
    let nfc: String = text.chars().filter(|c| !is_invisible(*c)).nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut word = String::new();
    for c in nfc.chars() {
        if is_word_char(c) {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push_str(&canonical_syllable(&word));
                word.clear();
            }
            out.push(c);
        }
    }
    if !word.is_empty() {
        out.push_str(&canonical_syllable(&word));
    }
    out
}

/// The folded key of `text`: canonical form, lowercase, no diacritics, đ → d.
/// "Thanh Hoá", "Thanh Hóa" and "thanh hoa" all fold to "thanh hoa".
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c) && !is_invisible(*c))
        .flat_map(|c| match c {
            'đ' | 'Đ' => 'd'.to_lowercase(),
            other => other.to_lowercase(),
        })
        .collect()
}

/// Lowercase canonical form: the key under which two spellings of the same accented
/// word compare equal ("Hoá" and "hóa").
pub fn accent_key(text: &str) -> String {
    canonical(text).to_lowercase()
}

/// True when `a` and `b` are the same text once both are canonical and lowercase.
pub fn same_words(a: &str, b: &str) -> bool {
    accent_key(a) == accent_key(b)
}

/// One syllable (word) of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Canonical, lowercase form ("hoá").
    pub text: String,
    /// Folded form ("hoa").
    pub folded: String,
    /// Byte offset of the token in the canonical text it was cut from.
    pub start: usize,
    /// Byte offset one past the token's end in the canonical text.
    pub end: usize,
}

/// Splits `text` into syllables (runs of letters and digits) after canonicalisation.
/// Offsets refer to `canonical(text)`.
pub fn tokens(text: &str) -> Vec<Token> {
    let canon = canonical(text);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in canon.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(make_token(&canon[s..i], s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(make_token(&canon[s..], s, canon.len()));
    }
    out
}

fn make_token(word: &str, start: usize, end: usize) -> Token {
    let text = word.to_lowercase();
    Token {
        folded: fold(&text),
        text,
        start,
        end,
    }
}

/// Letters, digits and combining marks make up words.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Zero-width and other invisible format characters that scammers and copy-paste
/// insert into words.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_placements_are_one_word() {
        for (a, b) in [
            ("Thanh Hoá", "Thanh Hóa"),
            ("tuý", "túy"),
            ("thuỷ", "thủy"),
            ("khoẻ", "khỏe"),
            ("Tỉnh uỷ", "Tỉnh ủy"),
            ("ma tuý", "ma túy"),
            ("HOÁ", "HÓA"),
            ("loà", "lòa"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} vs {b}");
            assert!(same_words(a, b));
        }
        assert_eq!(canonical("Thanh Hóa"), "Thanh Hoá");
        assert_eq!(canonical("thủy"), "thuỷ");
    }

    #[test]
    fn placement_follows_the_main_vowel() {
        for (input, want) in [
            ("hoàn", "hoàn"),
            ("toán", "toán"),
            ("người", "người"),
            ("muốn", "muốn"),
            ("tiến", "tiến"),
            ("Nguyễn", "Nguyễn"),
            ("quý", "quý"),
            ("quá", "quá"),
            ("giữa", "giữa"),
            ("già", "già"),
            ("gìn", "gìn"),
            ("mùa", "mùa"),
            ("mái", "mái"),
            ("ngoài", "ngoài"),
            ("khuỷu", "khuỷu"),
            ("thuở", "thuở"),
            ("Tỵ", "Tỵ"),
            ("đối", "đối"),
        ] {
            assert_eq!(canonical(input), want, "{input}");
        }
    }

    #[test]
    fn non_vietnamese_words_are_only_nfc() {
        for w in ["café", "naïve", "ABC123", "x̂yz", "Köln"] {
            let nfc: String = w.nfc().collect();
            assert_eq!(canonical(w), nfc);
        }
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Thanh Hoá"), "thanh hoa");
        assert_eq!(fold("Thanh Hóa"), "thanh hoa");
        assert_eq!(fold("Đường dây lừa đảo"), "duong day lua dao");
        assert_eq!(fold("MA TÚY"), "ma tuy");
        assert_eq!(fold("chuy\u{200B}ển"), "chuyen");
    }

    #[test]
    fn decomposed_input_is_normalised() {
        let decomposed: String = "Thanh Hóa".nfd().collect();
        assert_eq!(canonical(&decomposed), "Thanh Hoá");
    }

    #[test]
    fn tokens_carry_both_forms() {
        let t = tokens("Công an Thanh Hóa: 33 vụ, 73 đối tượng");
        let words: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            words,
            ["công", "an", "thanh", "hoá", "33", "vụ", "73", "đối", "tượng"]
        );
        let folded: Vec<&str> = t.iter().map(|t| t.folded.as_str()).collect();
        assert_eq!(
            folded,
            ["cong", "an", "thanh", "hoa", "33", "vu", "73", "doi", "tuong"]
        );
        let canon = canonical("Công an Thanh Hóa: 33 vụ, 73 đối tượng");
        assert_eq!(&canon[t[3].start..t[3].end], "Hoá");
    }
}
