//! Text bound for a spreadsheet (CSV exports): a cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return would be read as a formula by Excel, LibreOffice and
//! Google Sheets (CSV injection), so it is written with a leading apostrophe, which
//! they show as plain text. Numbers are written by their callers and never pass here.

/// `s` as a safe text cell.
pub fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_become_text_and_plain_text_is_untouched() {
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("Công an phường Hạc Thành"), "Công an phường Hạc Thành");
        assert_eq!(cell(""), "");
    }
}
