//! The canonical tone-mark placement of one Vietnamese syllable.
//!
//! The tone goes on the main vowel: the vowel with a shape mark (ă â ê ô ơ ư; the last
//! one in "ươ"), the middle of three vowels, the second of two when a final consonant
//! follows or the pair is "oa", "oe" or "uy", and otherwise the first. "qu" and "gi"
//! before a vowel count as consonants. A word that is not a Vietnamese syllable (foreign
//! letters, several tone marks, digits) is returned NFC-normalised and otherwise untouched.

use unicode_normalization::UnicodeNormalization;

const TONES: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];
const SHAPES: [char; 3] = ['\u{0306}', '\u{0302}', '\u{031B}'];

/// One letter of the syllable without its tone: its text (NFC, original case) and its
/// lowercase form for classification.
struct Letter {
    text: String,
    lower: String,
}

fn is_vowel(lower: &str) -> bool {
    matches!(
        lower,
        "a" | "ă" | "â" | "e" | "ê" | "i" | "o" | "ô" | "ơ" | "u" | "ư" | "y"
    )
}

fn is_marked_vowel(lower: &str) -> bool {
    matches!(lower, "ă" | "â" | "ê" | "ô" | "ơ" | "ư")
}

fn is_consonant(lower: &str) -> bool {
    lower.len() == 1 && lower.chars().all(|c| c.is_ascii_lowercase()) && !is_vowel(lower)
        || lower == "đ"
}

/// Rewrites one word (letters only) to the canonical tone placement.
pub fn canonical_syllable(word: &str) -> String {
    let nfc: String = word.nfc().collect();
    split(&nfc)
        .and_then(|(letters, tone)| place(&letters, tone))
        .unwrap_or(nfc)
}

/// Splits a word into toneless letters and its single tone mark, or `None` when the
/// word is not a toned Vietnamese syllable.
fn split(word: &str) -> Option<(Vec<Letter>, char)> {
    let mut letters: Vec<Letter> = Vec::new();
    let mut tone = None;
    for c in word.nfd() {
        if TONES.contains(&c) {
            if tone.replace(c).is_some() {
                return None;
            }
        } else if SHAPES.contains(&c) {
            let last = letters.last_mut()?;
            last.text.push(c);
        } else if c.is_alphabetic() {
            letters.push(Letter {
                text: c.to_string(),
                lower: String::new(),
            });
        } else {
            return None;
        }
    }
    let tone = tone?;
    for l in &mut letters {
        l.text = l.text.nfc().collect();
        l.lower = l.text.to_lowercase();
        if !is_vowel(&l.lower) && !is_consonant(&l.lower) {
            return None;
        }
    }
    Some((letters, tone))
}

/// Places `tone` on the main vowel of `letters`, or `None` when the vowels do not form
/// a Vietnamese nucleus.
fn place(letters: &[Letter], tone: char) -> Option<String> {
    let mut i = 0;
    while i < letters.len() && !is_vowel(&letters[i].lower) {
        i += 1;
    }
    let initial: String = letters[..i].iter().map(|l| l.lower.as_str()).collect();
    let followed_by_vowel = |k: usize| letters.get(k).is_some_and(|l| is_vowel(&l.lower));
    if (initial == "q" && letters.get(i).is_some_and(|l| l.lower == "u"))
        || (initial == "g"
            && letters.get(i).is_some_and(|l| l.lower == "i")
            && followed_by_vowel(i + 1))
    {
        i += 1;
    }
    let start = i;
    while i < letters.len() && is_vowel(&letters[i].lower) {
        i += 1;
    }
    let nucleus = &letters[start..i];
    let has_final = i < letters.len();
    if letters[i..].iter().any(|l| is_vowel(&l.lower)) {
        return None;
    }
    let lower: Vec<&str> = nucleus.iter().map(|l| l.lower.as_str()).collect();
    let at = match lower.len() {
        1 => 0,
        2 | 3 if lower.iter().any(|l| is_marked_vowel(l)) => {
            lower.iter().rposition(|l| is_marked_vowel(l))?
        }
        3 => 1,
        2 if has_final => 1,
        2 if matches!((lower[0], lower[1]), ("o", "a") | ("o", "e") | ("u", "y")) => 1,
        2 => 0,
        _ => return None,
    };
    let target = start + at;
    let mut out = String::new();
    for (k, l) in letters.iter().enumerate() {
        out.push_str(&l.text);
        if k == target {
            out.push(tone);
        }
    }
    Some(out.nfc().collect())
}
