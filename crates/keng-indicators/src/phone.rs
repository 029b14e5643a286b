//! Vietnamese phone numbers to E.164 (`+84…`). What people type and what scammers
//! write to slip past filters both end up here: spaces, dots, dashes and brackets;
//! full-width digits; the letters O/o for 0 and I/l for 1 when the rest is digits; the
//! country code as +84, 84 or 0084, or the trunk 0; and the 11-digit mobile numbers
//! renumbered to 10 digits in 2018 (0168x → 038x…), so an old number written in an old
//! message finds the record of the new one.

use std::fmt;

/// What kind of number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 03x, 05x, 07x, 08x, 09x: ten digits with the trunk 0.
    Mobile,
    /// 02xx area codes (since the 2017 renumbering): eleven digits with the trunk 0.
    Landline,
    /// 1800 (free) and 1900 (charged) service numbers: 8 or 10 digits, no country code.
    Service,
    /// 113, 114, 115, 111 and the other three-digit emergency and public numbers.
    Short,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mobile => "mobile",
            Kind::Landline => "landline",
            Kind::Service => "service",
            Kind::Short => "short",
        }
    }
}

/// A number in its one form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// "+84912345678" (E.164); service and short numbers have no country code
    /// ("19001234", "113").
    pub canonical: String,
    pub kind: Kind,
    /// It was written as a pre-2018 11-digit mobile number.
    pub renumbered: bool,
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Why a text is not a Vietnamese phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Nothing that looks like digits.
    Empty,
    /// Characters a phone number cannot hold (letters other than O/I/l…).
    NotANumber,
    /// Digits, but not a number plan of Vietnam (another country's code, a wrong
    /// length, an unassigned prefix).
    NotVietnamese,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Empty => "no digits",
            Error::NotANumber => "not a phone number",
            Error::NotVietnamese => "not a Vietnamese number",
        })
    }
}

impl std::error::Error for Error {}

/// The 2018 renumbering of 11-digit mobiles: old prefix (after the trunk 0) → new.
/// Viettel 016x → 03x; MobiFone 0120/0121/0122/0126/0128 → 070/079/077/076/078;
/// VinaPhone 0123/0124/0125/0127/0129 → 083/084/085/081/082; Vietnamobile 0186/0188 →
/// 056/058; Gmobile 0199 → 059.
pub const RENUMBERED: [(&str, &str); 21] = [
    ("162", "32"),
    ("163", "33"),
    ("164", "34"),
    ("165", "35"),
    ("166", "36"),
    ("167", "37"),
    ("168", "38"),
    ("169", "39"),
    ("120", "70"),
    ("121", "79"),
    ("122", "77"),
    ("126", "76"),
    ("128", "78"),
    ("123", "83"),
    ("124", "84"),
    ("125", "85"),
    ("127", "81"),
    ("129", "82"),
    ("186", "56"),
    ("188", "58"),
    ("199", "59"),
];

/// The digit a character stands for in number context: ASCII and full-width digits,
/// O/o (Latin, Greek, Cyrillic) as 0, I/l/| as 1.
pub fn digit_of(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{ff10}'..='\u{ff19}' => char::from_u32(c as u32 - 0xff10 + u32::from(b'0')),
        'O' | 'o' | 'Ο' | 'о' => Some('0'),
        'I' | 'l' | '|' | 'Ι' | 'і' => Some('1'),
        _ => None,
    }
}

/// The digits of `text`: separators dropped, full-width digits folded, O/o read as 0 and
/// I/l/| as 1 when at least half of what remains are real digits (so a word is not
/// read as a number); a leading '+' kept as a marker.
fn digits(text: &str) -> Result<(bool, String), Error> {
    let mut plus = false;
    let mut out = String::new();
    let mut real = 0usize;
    let mut lookalike = 0usize;
    for (i, c) in text.trim().chars().enumerate() {
        let c = match c {
            '\u{ff10}'..='\u{ff19}' => {
                char::from_u32(c as u32 - 0xff10 + u32::from(b'0')).unwrap_or(c)
            }
            '\u{ff0b}' => '+',
            c => c,
        };
        match c {
            '0'..='9' => {
                out.push(c);
                real += 1;
            }
            'O' | 'o' | 'Ο' | 'о' => {
                out.push('0');
                lookalike += 1;
            }
            'I' | 'l' | '|' | 'Ι' | 'і' => {
                out.push('1');
                lookalike += 1;
            }
            '+' if i == 0 || out.is_empty() && !plus => plus = true,
            ' '
            | '.'
            | '-'
            | '('
            | ')'
            | '/'
            | '_'
            | '\u{a0}'
            | '\u{2010}'..='\u{2015}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{3000}' => {}
            _ => return Err(Error::NotANumber),
        }
    }
    if real == 0 {
        return Err(Error::Empty);
    }
    if lookalike > real {
        return Err(Error::NotANumber);
    }
    Ok((plus, out))
}

/// `text` as a Vietnamese phone number.
pub fn normalise(text: &str) -> Result<Phone, Error> {
    if text.len() > 64 {
        return Err(Error::NotANumber);
    }
    let (plus, d) = digits(text)?;
    // Short and service numbers are dialled as they are.
    if !plus {
        if d.len() == 3 && d.starts_with('1') {
            return Ok(Phone {
                canonical: d,
                kind: Kind::Short,
                renumbered: false,
            });
        }
        if (d.starts_with("1800") || d.starts_with("1900")) && (d.len() == 8 || d.len() == 10) {
            return Ok(Phone {
                canonical: d,
                kind: Kind::Service,
                renumbered: false,
            });
        }
    }
    // The national significant number: after +84 / 84 / 0084 or the trunk 0.
    let national = if let Some(rest) = d.strip_prefix("0084") {
        rest
    } else if plus {
        d.strip_prefix("84").ok_or(Error::NotVietnamese)?
    } else if let Some(rest) = d.strip_prefix('0') {
        rest
    } else if d.len() >= 11 && d.starts_with("84") {
        &d[2..]
    } else if d.len() == 9 {
        // A mobile written without its trunk 0 ("912 345 678").
        d.as_str()
    } else {
        return Err(Error::NotVietnamese);
    };
    let national = national.strip_prefix('0').unwrap_or(national);
    let (national, renumbered) = match national.len() {
        10 if national.starts_with('1') => {
            let (old, rest) = national.split_at(3);
            let new = RENUMBERED
                .iter()
                .find(|(o, _)| *o == old)
                .map(|(_, n)| *n)
                .ok_or(Error::NotVietnamese)?;
            (format!("{new}{rest}"), true)
        }
        _ => (national.to_string(), false),
    };
    let kind = match (national.len(), national.as_bytes().first()) {
        (9, Some(b'3' | b'5' | b'7' | b'8' | b'9')) => Kind::Mobile,
        (10, Some(b'2')) => Kind::Landline,
        _ => return Err(Error::NotVietnamese),
    };
    Ok(Phone {
        canonical: format!("+84{national}"),
        kind,
        renumbered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(s: &str) -> String {
        normalise(s)
            .map(|p| p.canonical)
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn one_number_written_many_ways() {
        for s in [
            "0912345678",
            "0912.345.678",
            "0912 345 678",
            "0912-345-678",
            "(091) 234-5678",
            "+84 912 345 678",
            "+84912345678",
            "84912345678",
            "0084 912 345 678",
            "+84 (0) 912 345 678",
            "０９１２３４５６７８",
            "O912 345 678",
            "09I2.345.678",
            "912 345 678",
            "0912\u{200b}345\u{200b}678",
        ] {
            assert_eq!(e164(s), "+84912345678", "{s}");
        }
    }

    #[test]
    fn old_eleven_digit_mobiles_find_the_new_number() {
        let p = normalise("0168 123 4567").expect("old Viettel");
        assert_eq!(p.canonical, "+84381234567");
        assert!(p.renumbered);
        assert_eq!(p.kind, Kind::Mobile);
        assert_eq!(e164("+84 168 123 4567"), "+84381234567");
        assert_eq!(e164("01201234567"), "+84701234567");
        assert_eq!(e164("01291234567"), "+84821234567");
        assert_eq!(e164("01991234567"), "+84591234567");
        assert!(normalise("01301234567").is_err(), "never assigned");
        // Every pair maps to a valid new mobile prefix.
        for (old, new) in RENUMBERED {
            let p = normalise(&format!("0{old}1234567")).expect(old);
            assert_eq!(p.canonical, format!("+84{new}1234567"));
        }
    }

    #[test]
    fn landlines_service_and_short_numbers() {
        let p = normalise("0237 3 852 045").expect("Thanh Hoá landline");
        assert_eq!(
            (p.canonical.as_str(), p.kind),
            ("+842373852045", Kind::Landline)
        );
        assert_eq!(normalise("113").map(|p| p.kind), Ok(Kind::Short));
        assert_eq!(
            normalise("1900 1234").map(|p| p.canonical),
            Ok("19001234".into())
        );
        assert_eq!(normalise("1800 1091").map(|p| p.kind), Ok(Kind::Service));
    }

    #[test]
    fn what_is_not_a_vietnamese_number() {
        assert_eq!(normalise(""), Err(Error::Empty));
        assert_eq!(normalise("gọi ngay"), Err(Error::NotANumber));
        assert_eq!(
            normalise("Olli"),
            Err(Error::NotANumber),
            "a word, not digits"
        );
        assert_eq!(normalise("+1 202 555 0100"), Err(Error::NotVietnamese));
        assert_eq!(normalise("0912 345"), Err(Error::NotVietnamese));
        assert_eq!(normalise("0112345678"), Err(Error::NotVietnamese));
        assert_eq!(normalise(&"9".repeat(100)), Err(Error::NotANumber));
    }

    proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(p) = normalise(&s) {
                prop_assert_eq!(normalise(&p.canonical).map(|q| q.canonical), Ok(p.canonical.clone()));
            }
        }

        #[test]
        fn every_mobile_in_any_spelling_is_one_number(
            prefix in prop::sample::select(vec!["3", "5", "7", "8", "9"]),
            second in 0u8..10,
            rest in 0u32..10_000_000,
            style in 0usize..6,
        ) {
            let national = format!("{prefix}{second}{rest:07}");
            let written = match style {
                0 => format!("0{national}"),
                1 => format!("+84{national}"),
                2 => format!("+84 {} {} {}", &national[..3], &national[3..6], &national[6..]),
                3 => format!("0{}.{}.{}", &national[..3], &national[3..6], &national[6..]),
                4 => format!("84{national}"),
                _ => national.chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0xff10).unwrap_or(c)).collect::<String>(),
            };
            // (Style 5: nine full-width digits, a mobile without its trunk 0.)
            prop_assert_eq!(normalise(&written).map(|p| p.canonical), Ok(format!("+84{national}")));
        }
    }
}
