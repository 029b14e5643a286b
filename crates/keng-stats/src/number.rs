//! Numbers as unit officers type them into a form or a spreadsheet's text cell, read
//! the Vietnamese way: a dot groups thousands ("1.500" is fifteen hundred), a comma
//! marks decimals ("2,5" kg). A count (vụ, đối tượng) is whole and never negative. What
//! could be read two ways is refused with the reason rather than guessed: "1.500" for a
//! measure in kg may be 1500 or 1.5 written the English way, "1,500" for a count may be
//! fifteen hundred written the English way.

/// Why a cell is not a number we accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Blank.
    Empty,
    /// Letters or symbols: not a number at all.
    NotANumber,
    /// Below zero.
    Negative,
    /// A count with a fractional part ("2,5 vụ").
    NotWhole,
    /// Could be read two ways ("1.500" kg; "1,500" as a count).
    Ambiguous,
    /// Past what a figure can be (10^15).
    TooLarge,
}

impl NumberError {
    /// A short code for messages and the API ("not_a_number"…).
    pub fn code(&self) -> &'static str {
        match self {
            NumberError::Empty => "empty",
            NumberError::NotANumber => "not_a_number",
            NumberError::Negative => "negative",
            NumberError::NotWhole => "not_whole",
            NumberError::Ambiguous => "ambiguous",
            NumberError::TooLarge => "too_large",
        }
    }
}

/// The largest figure accepted (fines in đồng stay far below it; exact in f64).
pub const MAX: f64 = 1e15;

/// Checks a number that came as a number (a spreadsheet's numeric cell).
pub fn check(v: f64, whole: bool) -> Result<f64, NumberError> {
    if !v.is_finite() {
        return Err(NumberError::NotANumber);
    }
    if v < 0.0 {
        return Err(NumberError::Negative);
    }
    if v > MAX {
        return Err(NumberError::TooLarge);
    }
    if whole && v.fract() != 0.0 {
        return Err(NumberError::NotWhole);
    }
    Ok(if v == 0.0 { 0.0 } else { v })
}

/// True when `s` is digits in groups of three after a first group of one to three
/// ("1.500.000" with `sep` = '.').
fn grouped(s: &str, sep: char) -> bool {
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut any = false;
    for p in parts {
        any = true;
        if p.len() != 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    any
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads typed text as a figure; `whole` for counts.
pub fn parse(text: &str, whole: bool) -> Result<f64, NumberError> {
    // Spaces (also no-break and narrow ones) may group thousands too.
    let s: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let (negative, body) = match s.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest),
        None => (false, s.as_str()),
    };
    let value = read_body(body, whole)?;
    if negative && value != 0.0 {
        return Err(NumberError::Negative);
    }
    check(value, whole)
}

fn read_body(s: &str, whole: bool) -> Result<f64, NumberError> {
    let parse = |t: &str| t.parse::<f64>().map_err(|_| NumberError::NotANumber);
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(NumberError::NotANumber);
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    match (dots, commas) {
        (0, 0) => parse(s),
        // "1.500.000", or "1.500" — a count has no decimals, so the dot groups.
        (_, 0) if grouped(s, '.') => {
            if whole || dots > 1 {
                parse(&s.replace('.', ""))
            } else {
                Err(NumberError::Ambiguous)
            }
        }
        // "2.5": a decimal point the English way (no Vietnamese reading of it).
        (1, 0) => {
            let (a, b) = s.split_once('.').unwrap_or((s, ""));
            if !digits(a) || !digits(b) {
                return Err(NumberError::NotANumber);
            }
            if whole {
                return Err(NumberError::NotWhole);
            }
            parse(s)
        }
        // "2,5": the Vietnamese decimal comma; "1,500" as a count is the English grouping.
        (0, 1) => {
            let (a, b) = s.split_once(',').unwrap_or((s, ""));
            if !digits(a) || !digits(b) {
                return Err(NumberError::NotANumber);
            }
            if whole {
                return Err(if b.len() == 3 {
                    NumberError::Ambiguous
                } else {
                    NumberError::NotWhole
                });
            }
            parse(&format!("{a}.{b}"))
        }
        // "1.234,5": grouped thousands and a decimal comma.
        (_, 1) => {
            let (a, b) = s.rsplit_once(',').unwrap_or((s, ""));
            if !grouped(a, '.') || !digits(b) {
                return Err(NumberError::NotANumber);
            }
            if whole {
                return Err(NumberError::NotWhole);
            }
            parse(&format!("{}.{b}", a.replace('.', "")))
        }
        // "1,500,000" (English grouping) or anything else.
        (0, _) if grouped(s, ',') => Err(NumberError::Ambiguous),
        _ => Err(NumberError::NotANumber),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(parse("33", true), Ok(33.0));
        assert_eq!(parse(" 1.500 ", true), Ok(1500.0));
        assert_eq!(parse("1.500.000", false), Ok(1_500_000.0));
        assert_eq!(parse("1 500 000", true), Ok(1_500_000.0));
        assert_eq!(parse("2,5", false), Ok(2.5));
        assert_eq!(parse("1.234,5", false), Ok(1234.5));
        assert_eq!(parse("2.5", false), Ok(2.5));
        assert_eq!(parse("0", true), Ok(0.0));
        assert_eq!(parse("-0", true), Ok(0.0));
    }

    #[test]
    fn what_is_refused_and_why() {
        assert_eq!(parse("", true), Err(NumberError::Empty));
        assert_eq!(parse("ba", true), Err(NumberError::NotANumber));
        assert_eq!(parse("12a", true), Err(NumberError::NotANumber));
        assert_eq!(parse("-3", true), Err(NumberError::Negative));
        assert_eq!(parse("2,5", true), Err(NumberError::NotWhole));
        assert_eq!(parse("2.5", true), Err(NumberError::NotWhole));
        assert_eq!(parse("1,500", true), Err(NumberError::Ambiguous));
        assert_eq!(parse("1.500", false), Err(NumberError::Ambiguous));
        assert_eq!(parse("1,500,000", false), Err(NumberError::Ambiguous));
        assert_eq!(parse("1..5", false), Err(NumberError::NotANumber));
        assert_eq!(parse("1.5.0", false), Err(NumberError::NotANumber));
        assert_eq!(parse(",5", false), Err(NumberError::NotANumber));
        assert_eq!(parse("1e9", false), Err(NumberError::NotANumber));
        assert_eq!(parse("NaN", false), Err(NumberError::NotANumber));
        assert_eq!(parse("9999999999999999", true), Err(NumberError::TooLarge));
        assert_eq!(check(f64::NAN, false), Err(NumberError::NotANumber));
        assert_eq!(check(2.5, true), Err(NumberError::NotWhole));
        assert_eq!(check(-1.0, false), Err(NumberError::Negative));
    }

    proptest! {
        #[test]
        fn a_count_written_with_dots_reads_back(n in 0u64..1_000_000_000_000) {
            let plain = n.to_string();
            let dotted = keng_charts::number_to(n as f64, 0);
            prop_assert_eq!(parse(&plain, true), Ok(n as f64));
            prop_assert_eq!(parse(&dotted, true), Ok(n as f64));
        }

        #[test]
        fn never_panics_and_never_returns_a_negative(s in "\\PC{0,24}") {
            if let Ok(v) = parse(&s, false) {
                prop_assert!(v >= 0.0 && v.is_finite());
            }
            if let Ok(v) = parse(&s, true) {
                prop_assert!(v >= 0.0 && v.fract() == 0.0);
            }
        }
    }
}
