//! The facts a police story is told by — the ward or district where it happened and the
//! counts it gives (persons, cases) — read from the words, so that two stories of the
//! same kind in the same district can be told apart: an article naming another ward
//! and other counts is about another case, however many words it shares.

use std::collections::BTreeSet;

/// Words that introduce a place's name ("xã Quảng Thành", "phường Hạc Thành").
const WARD: &[&str] = &["xã", "phường", "thị trấn"];
/// Nouns a count is given for ("7 đối tượng", "8 người", "3 vụ").
const COUNTED: &[&str] = &["đối", "người", "vụ", "bị", "đối tượng", "bị can"];

/// What a story says happened, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Ward names (two syllables after "xã", "phường", "thị trấn").
    pub wards: BTreeSet<String>,
    /// Counts of persons or cases.
    pub counts: BTreeSet<u64>,
}

impl Facts {
    pub fn of(text: &str) -> Facts {
        let words: Vec<String> = keng_text::tokens(text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        let mut f = Facts::default();
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_str();
            // "thị trấn" is two words.
            let (marker, skip) = if w == "thị" && words.get(i + 1).is_some_and(|n| n == "trấn")
            {
                (true, 2)
            } else {
                (WARD.contains(&w), 1)
            };
            if marker && i + skip + 1 < words.len() {
                let a = &words[i + skip];
                let b = &words[i + skip + 1];
                if !a.chars().all(|c| c.is_ascii_digit()) {
                    f.wards.insert(format!("{a} {b}"));
                }
            }
            if let (Ok(n), Some(next)) = (w.parse::<u64>(), words.get(i + 1)) {
                if COUNTED.contains(&next.as_str()) {
                    f.counts.insert(n);
                }
            }
            i += 1;
        }
        f
    }

    /// How many ways `other` tells another story: a ward named on both sides and none in
    /// common, counts given on both sides and none in common.
    pub fn conflicts(&self, other: &Facts) -> u32 {
        let wards = !self.wards.is_empty()
            && !other.wards.is_empty()
            && self.wards.is_disjoint(&other.wards);
        let counts = !self.counts.is_empty()
            && !other.counts.is_empty()
            && self.counts.is_disjoint(&other.counts);
        u32::from(wards) + u32::from(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wards_and_counts_are_read_from_the_words() {
        let f = Facts::of("Công an huyện Thiệu Hóa bắt 7 đối tượng tại xã Quảng Thành; 8 người khác ở thị trấn Hồi Xuân. Năm 2025.");
        assert_eq!(
            f.wards.iter().map(String::as_str).collect::<Vec<_>>(),
            ["hồi xuân", "quảng thành"]
        );
        assert_eq!(f.counts.iter().copied().collect::<Vec<_>>(), [7, 8]);
    }

    #[test]
    fn another_ward_and_other_counts_are_two_conflicts_and_silence_is_none() {
        let ours = Facts::of("bắt 11 đối tượng trên địa bàn xã Nga Thuỷ");
        let near = Facts::of("7 đối tượng tại xã Quảng Thành vừa bị bắt");
        let same = Facts::of("11 người ở xã Nga Thủy bị bắt");
        let silent = Facts::of("Công an huyện Thiệu Hoá bắt nhóm lừa đảo");
        assert_eq!(ours.conflicts(&near), 2);
        assert_eq!(ours.conflicts(&same), 0);
        assert_eq!(ours.conflicts(&silent), 0);
    }
}
