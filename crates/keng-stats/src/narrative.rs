//! The report's sentences, written from the numbers in the department's usual style:
//! "phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng, tăng 5 vụ (17,9%), tăng 12 đối
//! tượng (19,7%) so với cùng kỳ". Numbers are Vietnamese (thousands with dots, a
//! decimal comma); a percentage has one decimal; a zero base gives no percentage (see
//! `compare`).

use crate::compare::{Change, Direction};

/// A figure with its unit as the report names it ("vụ", "đối tượng", "kg", "triệu
/// đồng").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure<'a> {
    pub value: f64,
    pub unit: &'a str,
}

fn num(v: f64) -> String {
    keng_charts::number_to(v, 2)
}

/// "33 vụ, 73 đối tượng".
pub fn counts_phrase(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(|f| format!("{} {}", num(f.value), f.unit))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How one figure moved, in words: "tăng 5 vụ (17,9%)", "giảm 3 vụ (15%)", "số vụ không đổi", or,
/// from a zero base, "tăng 5 vụ" (no percentage).
pub fn change_phrase(change: &Change, unit: &str) -> String {
    let amount = num(change.diff.abs());
    let pct = change
        .percent
        .map(|p| format!(" ({}%)", keng_charts::number_to(p, 1)))
        .unwrap_or_default();
    match change.direction {
        Direction::Up => format!("tăng {amount} {unit}{pct}"),
        Direction::Down => format!("giảm {amount} {unit}{pct}"),
        Direction::Same => format!("số {unit} không đổi"),
    }
}

/// The whole sentence for one field of work: what was done, the figures, and how they
/// moved against `against` ("cùng kỳ", "kỳ trước"). Figures and their earlier values
/// go in pairs.
pub fn sentence(verb: &str, now: &[Figure], before: &[f64], against: &str) -> String {
    sentence_about(verb, now, "", before, against)
}

/// The same with what the figures are about after them: "phát hiện, bắt giữ 35 vụ, 84
/// đối tượng liên quan đến ma tuý, tăng …".
pub fn sentence_about(
    verb: &str,
    now: &[Figure],
    object: &str,
    before: &[f64],
    against: &str,
) -> String {
    let mut s = format!("{verb} {}", counts_phrase(now));
    if !object.trim().is_empty() {
        s.push(' ');
        s.push_str(object.trim());
    }
    let changes: Vec<String> = now
        .iter()
        .zip(before)
        .map(|(f, b)| change_phrase(&Change::of(f.value, *b), f.unit))
        .collect();
    if !changes.is_empty() {
        s.push_str(", ");
        s.push_str(&changes.join(", "));
        s.push_str(" so với ");
        s.push_str(against);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(value: f64, unit: &str) -> Figure<'_> {
        Figure { value, unit }
    }

    #[test]
    fn the_seeds_sentence_with_what_it_is_about() {
        assert_eq!(
            sentence_about(
                "phát hiện, bắt giữ",
                &[f(35.0, "vụ"), f(84.0, "đối tượng")],
                "liên quan đến ma tuý",
                &[35.0, 70.0],
                "cùng kỳ"
            ),
            "phát hiện, bắt giữ 35 vụ, 84 đối tượng liên quan đến ma tuý, số vụ không đổi, tăng 14 đối tượng (20%) so với cùng kỳ"
        );
    }

    #[test]
    fn the_departments_style() {
        assert_eq!(
            sentence(
                "phát hiện, điều tra, xử lý",
                &[f(33.0, "vụ"), f(73.0, "đối tượng")],
                &[28.0, 61.0],
                "cùng kỳ"
            ),
            "phát hiện, điều tra, xử lý 33 vụ, 73 đối tượng, tăng 5 vụ (17,9%), tăng 12 đối tượng (19,7%) so với cùng kỳ"
        );
        assert_eq!(
            change_phrase(&Change::of(17.0, 20.0), "vụ"),
            "giảm 3 vụ (15%)"
        );
        assert_eq!(change_phrase(&Change::of(5.0, 0.0), "vụ"), "tăng 5 vụ");
        assert_eq!(
            change_phrase(&Change::of(2.0, 2.0), "vụ"),
            "số vụ không đổi"
        );
        assert_eq!(
            counts_phrase(&[f(1250.5, "kg"), f(1_500_000.0, "đồng")]),
            "1.250,5 kg, 1.500.000 đồng"
        );
    }

    proptest! {
        #[test]
        fn every_sentence_names_each_figure(now in proptest::collection::vec(0u32..1_000_000, 1..4), before in proptest::collection::vec(0u32..1_000_000, 1..4)) {
            let figs: Vec<Figure> = now.iter().map(|n| f(f64::from(*n), "vụ")).collect();
            let b: Vec<f64> = before.iter().map(|n| f64::from(*n)).collect();
            let s = sentence("xử lý", &figs, &b, "cùng kỳ");
            for n in &now {
                prop_assert!(s.contains(&keng_charts::number_to(f64::from(*n), 2)));
            }
            prop_assert!(!s.contains("NaN") && !s.contains("inf"));
        }
    }
}
