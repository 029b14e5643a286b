//! Word pairs: a text cut into pairs of consecutive words of its canonical lowercase
//! form, each with a 64-bit key (the same on every node and every run: FNV-1a) and the
//! words as written, for evidence.

/// One pair of consecutive words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: u64,
    /// "xã hoa" — the canonical lowercase words.
    pub text: String,
}

/// FNV-1a over the pair's bytes: stable across builds (an index may be rebuilt on
/// another node and must agree).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The distinct pairs of `text`, in order of first appearance.
pub fn pairs(text: &str) -> Vec<Pair> {
    let words = keng_text::tokens(text);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for w in words.windows(2) {
        let text = format!("{} {}", w[0].text, w[1].text);
        let key = fnv1a(text.as_bytes());
        if seen.insert(key) {
            out.push(Pair { key, text });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_tone_mark_placements_make_the_same_pairs() {
        let a: Vec<u64> = pairs("Công an tỉnh Thanh Hoá")
            .iter()
            .map(|p| p.key)
            .collect();
        let b: Vec<u64> = pairs("công an tỉnh thanh hóa")
            .iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn punctuation_does_not_count_and_pairs_are_distinct() {
        let p = pairs("Bắt 3 đối tượng. Bắt 3 đối tượng!");
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["bắt 3", "3 đối", "đối tượng", "tượng bắt"]);
    }

    proptest! {
        #[test]
        fn any_text_gives_at_most_one_pair_fewer_than_words(s in "\\PC{0,200}") {
            let n = keng_text::tokens(&s).len();
            let p = pairs(&s);
            prop_assert!(p.len() <= n.saturating_sub(1));
            let mut keys: Vec<u64> = p.iter().map(|x| x.key).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), p.len());
        }
    }
}
